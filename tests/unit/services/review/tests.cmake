# Unit tests of the review service's pure domain (services/review/src/domain),
# included by tests/CMakeLists.txt; paths are relative to tests/.
attain_test(review_agenda_test LABEL unit
  SOURCES unit/services/review/domain/agenda_test.cc DEPS review_domain)
attain_test(review_smart_test LABEL unit
  SOURCES unit/services/review/domain/smart_test.cc DEPS review_domain)
attain_test(review_action_status_test LABEL unit
  SOURCES unit/services/review/domain/action_status_test.cc DEPS review_domain)
attain_test(review_split_test LABEL unit
  SOURCES unit/services/review/domain/split_test.cc DEPS review_domain)
attain_test(review_verification_test LABEL unit
  SOURCES unit/services/review/domain/verification_test.cc DEPS review_domain)
attain_test(review_format_test LABEL unit
  SOURCES unit/services/review/domain/format_test.cc DEPS review_domain)
attain_test(review_pack_test LABEL unit
  SOURCES unit/services/review/domain/pack_test.cc DEPS review_domain)
