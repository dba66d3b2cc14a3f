# End-to-end tests of transport and operability, included by tests/CMakeLists.txt;
# paths are relative to tests/. TLS and mutual TLS with throwaway certificates,
# plaintext refusals, prompt answers when a dependency hangs or dies, health that
# follows PostgreSQL and Redis, and the metrics endpoint (e2e/transport_e2e_test.cc).
attain_test(transport_e2e_test LABEL e2e SOURCES e2e/transport_e2e_test.cc
  DEPS attain_ingest_stack)
target_compile_definitions(transport_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>")
add_dependencies(transport_e2e_test attain-target attain-ingest attain-eval)
