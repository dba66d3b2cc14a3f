# End-to-end tests of authorisation across the four services, included by
# tests/CMakeLists.txt; paths are relative to tests/.
# Every RPC against every role, bad tokens and hostile text
# (e2e/auth_matrix_e2e_test.cc): attain-target, attain-ingest, attain-eval and
# attain-review over one database (support/review_stack.h).
attain_test(auth_matrix_e2e_test LABEL e2e SOURCES e2e/auth_matrix_e2e_test.cc
  DEPS attain_review_stack)
target_compile_definitions(auth_matrix_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>"
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>"
  ATTAIN_PROTO_DIR="${PROJECT_SOURCE_DIR}/protos")
add_dependencies(auth_matrix_e2e_test attain-target attain-ingest attain-eval attain-review)
