# The fault suite (tests/fault/fault_test.cc), included by tests/CMakeLists.txt;
# paths are relative to tests/. attain-fault-load is the client load it runs
# as a separate process through the faults.
add_executable(attain-fault-load fault/load_client.cc)
attain_target_defaults(attain-fault-load)
target_link_libraries(attain-fault-load PRIVATE attain_protos attain_auth gRPC::grpc++
  absl::strings absl::time)
attain_test(fault_test LABEL fault SOURCES fault/fault_test.cc DEPS attain_test_support)
target_compile_definitions(fault_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>"
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>"
  ATTAIN_FAULT_LOAD_BINARY="$<TARGET_FILE:attain-fault-load>")
add_dependencies(fault_test attain-target attain-ingest attain-eval attain-review
  attain-fault-load)
# About 70 s alone (a 30 s Redis outage included). Run alone: the load
# and the restarts are timed, and two cores shared with other tests slow the
# recovery the test waits for.
set_tests_properties(fault_test PROPERTIES TIMEOUT 360 RUN_SERIAL TRUE)
