# Integration tests of the review service (real PostgreSQL), included by
# tests/CMakeLists.txt; paths are relative to tests/.
attain_test(review_meeting_store_test LABEL integration
  SOURCES integration/services/review/meeting_store_test.cc DEPS attain_test_support review_lib)
# Action items: PgActionItemStore and migration 002 (real PostgreSQL).
attain_test(review_action_store_test LABEL integration
  SOURCES integration/services/review/action_store_test.cc DEPS attain_test_support review_lib)
