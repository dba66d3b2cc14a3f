# End-to-end tests of the limits, overload and shutdown behaviour a client can
# rely on (docs/limits.md), included by tests/CMakeLists.txt; paths are
# relative to tests/.
attain_test(limits_e2e_test LABEL e2e SOURCES e2e/limits_e2e_test.cc DEPS attain_review_stack)
target_compile_definitions(limits_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>"
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>")
add_dependencies(limits_e2e_test attain-target attain-ingest attain-eval attain-review)
set_tests_properties(limits_e2e_test PROPERTIES TIMEOUT 300)
# Flooding attain-target past its work queue, and SIGTERM draining in-flight calls.
attain_test(overload_e2e_test LABEL e2e SOURCES e2e/overload_e2e_test.cc DEPS attain_test_support)
target_compile_definitions(overload_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>")
add_dependencies(overload_e2e_test attain-target)
set_tests_properties(overload_e2e_test PROPERTIES TIMEOUT 300)
