#include "services/target/src/domain/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace attain::target {
namespace {

using ::testing::HasSubstr;

TEST(ValidateId, AcceptsLowerCaseDigitsDashUnderscore) {
  EXPECT_TRUE(ValidateId("unit_id", "east-1_a").ok());
  EXPECT_THAT(ValidateId("unit_id", "").message(), HasSubstr("unit_id is required"));
  EXPECT_THAT(ValidateId("unit_id", "East").message(), HasSubstr("has the character 'E'"));
  EXPECT_THAT(ValidateId("unit_id", std::string(65, 'a')).message(), HasSubstr("at most 64"));
  EXPECT_TRUE(ValidateOptionalId("unit_id", "").ok());
}

TEST(ValidateName, RequiresTextWithinLimits) {
  EXPECT_TRUE(ValidateName("name", "华东区 East China").ok());
  EXPECT_THAT(ValidateName("name", "   ").message(), HasSubstr("name is required"));
  EXPECT_THAT(ValidateName("name", std::string(201, 'x')).message(), HasSubstr("at most 200"));
  // 200 Chinese characters are 600 bytes but 200 characters: allowed.
  std::string cjk;
  for (int i = 0; i < 200; ++i) cjk += "区";
  EXPECT_TRUE(ValidateName("name", cjk).ok());
  EXPECT_THAT(ValidateName("name", "a\nb").message(), HasSubstr("control characters"));
  EXPECT_THAT(ValidateName("name", "\xff").message(), HasSubstr("not valid UTF-8"));
}

TEST(ParseDate, StrictCalendarDates) {
  auto d = ParseDate("hire_date", "2024-02-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2024-02-29");
  EXPECT_THAT(ParseDate("hire_date", "2023-02-29").status().message(),
              HasSubstr("not a real calendar date"));
  EXPECT_THAT(ParseDate("hire_date", "2024/01/01").status().message(), HasSubstr("YYYY-MM-DD"));
  EXPECT_THAT(ParseDate("hire_date", "").status().message(), HasSubstr("hire_date is required"));
}

TEST(ValidateTargetValues, BaseChallengeAndCurrency) {
  MetricInfo sales = *LookupMetric(1);
  MetricInfo visits = *LookupMetric(12);
  int64_t challenge = 0;
  EXPECT_TRUE(ValidateTargetValues("", sales, 100, &challenge, "CNY").ok());
  EXPECT_EQ(challenge, 100);  // 0 means "same as base"

  challenge = 90;
  EXPECT_THAT(ValidateTargetValues("", sales, 100, &challenge, "CNY").message(),
              HasSubstr("challenge_value 90 is below base_value 100"));
  challenge = 0;
  EXPECT_THAT(ValidateTargetValues("", sales, -1, &challenge, "CNY").message(),
              HasSubstr("base_value is -1"));
  challenge = 0;
  EXPECT_THAT(ValidateTargetValues("", sales, 100, &challenge, "").message(),
              HasSubstr("currency_code is required"));
  challenge = 0;
  EXPECT_FALSE(ValidateTargetValues("", sales, 100, &challenge, "cny").ok());
  challenge = 0;
  EXPECT_THAT(ValidateTargetValues("", visits, 100, &challenge, "CNY").message(),
              HasSubstr("not a money metric"));
  challenge = 0;
  EXPECT_TRUE(ValidateTargetValues("", visits, 100, &challenge, "").ok());
}

TEST(ValidateRequestId, PrintableAndBounded) {
  EXPECT_TRUE(ValidateRequestId("").ok());
  EXPECT_TRUE(ValidateRequestId("3f2a-11ee").ok());
  EXPECT_FALSE(ValidateRequestId("a b").ok());
  EXPECT_FALSE(ValidateRequestId(std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace attain::target
