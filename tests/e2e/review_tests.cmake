# End-to-end tests of the review service (the real attain-review, and
# attainctl), included by tests/CMakeLists.txt; paths are relative to tests/.
attain_test(review_meeting_e2e_test LABEL e2e SOURCES e2e/review_meeting_e2e_test.cc
  DEPS attain_review_stack)
target_compile_definitions(review_meeting_e2e_test PRIVATE
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>")
add_dependencies(review_meeting_e2e_test attain-review)
attain_test(review_cli_e2e_test LABEL e2e SOURCES e2e/review_cli_e2e_test.cc
  DEPS attain_test_support nlohmann_json::nlohmann_json)
target_compile_definitions(review_cli_e2e_test PRIVATE
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>"
  ATTAINCTL_BINARY="$<TARGET_FILE:attainctl>")
add_dependencies(review_cli_e2e_test attain-review attainctl)
# Action items end to end: attain-review with attain-eval, attain-target and
# attain-ingest (support/review_stack.h).
attain_test(review_action_e2e_test LABEL e2e SOURCES e2e/review_action_e2e_test.cc
  DEPS attain_review_stack)
target_compile_definitions(review_action_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>"
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>")
add_dependencies(review_action_e2e_test attain-target attain-ingest attain-eval attain-review)
# attainctl action … and person record against attain-review.
attain_test(review_action_cli_e2e_test LABEL e2e SOURCES e2e/review_action_cli_e2e_test.cc
  DEPS attain_test_support)
target_compile_definitions(review_action_cli_e2e_test PRIVATE
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>"
  ATTAINCTL_BINARY="$<TARGET_FILE:attainctl>")
add_dependencies(review_action_cli_e2e_test attain-review attainctl)
# Agenda, reports and the meeting pack end to end: attain-review with
# attain-eval, attain-target and attain-ingest (support/review_stack.h).
attain_test(review_agenda_e2e_test LABEL e2e SOURCES e2e/review_agenda_e2e_test.cc
  DEPS attain_review_stack)
target_compile_definitions(review_agenda_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>"
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>")
add_dependencies(review_agenda_e2e_test attain-target attain-ingest attain-eval attain-review)
# attainctl agenda …, report … and meeting pack against attain-review with
# attain-eval, attain-target and attain-ingest.
attain_test(review_agenda_cli_e2e_test LABEL e2e SOURCES e2e/review_agenda_cli_e2e_test.cc
  DEPS attain_review_stack nlohmann_json::nlohmann_json)
target_compile_definitions(review_agenda_cli_e2e_test PRIVATE
  ATTAIN_TARGET_BINARY="$<TARGET_FILE:attain-target>"
  ATTAIN_INGEST_BINARY="$<TARGET_FILE:attain-ingest>"
  ATTAIN_EVAL_BINARY="$<TARGET_FILE:attain-eval>"
  ATTAIN_REVIEW_BINARY="$<TARGET_FILE:attain-review>"
  ATTAINCTL_BINARY="$<TARGET_FILE:attainctl>")
add_dependencies(review_agenda_cli_e2e_test attain-target attain-ingest attain-eval attain-review
  attainctl)
