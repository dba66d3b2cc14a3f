#include "services/review/src/domain/smart.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::CivilDay kToday(2025, 4, 10);

// An item that passes every letter: collection_rate of the East team from
// 88.00 % now to 95.00 % by 2025-Q2 is +(9500 − 8800) / 8800 = +7.95 %.
SmartInput GoodItem() {
  SmartInput item;
  item.what = "Call back every lapsed customer in the East region";
  item.measures = "Weekly call list; two visits per key account";
  item.departments = {"Sales East"};
  item.owner_id = "u-42";
  item.due = absl::CivilDay(2025, 6, 30);
  item.expected.text = "Collection rate back to 95 % by 2025-Q2";
  item.expected.metric = "collection_rate";
  item.expected.scope = "team-east";
  item.expected.target_value = 9500;
  item.expected.period = "2025-Q2";
  item.current_actual = 8800;
  item.next_review = absl::CivilDay(2025, 7, 5);
  return item;
}

std::vector<SmartCode> Codes(const std::vector<SmartFailure>& failures) {
  std::vector<SmartCode> codes;
  for (const SmartFailure& f : failures) codes.push_back(f.code);
  return codes;
}

std::vector<std::string> Fields(const std::vector<SmartFailure>& failures) {
  std::vector<std::string> fields;
  for (const SmartFailure& f : failures) fields.push_back(f.field);
  return fields;
}

TEST(CheckSmartTest, AGoodItemPasses) { EXPECT_THAT(CheckSmart(GoodItem(), kToday), IsEmpty()); }

TEST(CheckSmartTest, SpecificNeedsThreeWordsAndMeasures) {
  SmartInput item = GoodItem();
  item.what = "Improve sales";
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kSpecific));
  EXPECT_EQ(f[0].field, "what");
  EXPECT_THAT(f[0].message, HasSubstr("what \"Improve sales\" has 2 words, fewer than 3"));

  item = GoodItem();
  item.measures = "  \n";
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kSpecific));
  EXPECT_EQ(f[0].field, "measures");
  EXPECT_THAT(f[0].message, HasSubstr("measures is empty"));

  // Chinese: 8 characters are 4 words; 4 characters are 2.
  item = GoodItem();
  item.what = "提升华东区回款率";
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  item.what = "提升回款";
  EXPECT_THAT(Fields(CheckSmart(item, kToday)), ElementsAre("what"));
}

TEST(CountWordsTest, AsciiWordsAndPairsOfWideCharacters) {
  EXPECT_EQ(CountWords(""), 0);
  EXPECT_EQ(CountWords("   "), 0);
  EXPECT_EQ(CountWords("Improve  the\tcollection rate"), 4);
  EXPECT_EQ(CountWords("a - b"), 2);           // "-" holds no letter or digit
  EXPECT_EQ(CountWords("Q3回款"), 2);          // "Q3" + 2 characters
  EXPECT_EQ(CountWords("提升回款率"), 2);      // 5 characters: ⌊5 / 2⌋
  EXPECT_EQ(CountWords("提升\u3000华东"), 2);  // the ideographic space is not a character
}

TEST(CheckSmartTest, MeasurableNeedsAMetricWithValueAndPeriodOrANumberInTheText) {
  // Without a metric the text must hold a number.
  SmartInput item = GoodItem();
  item.expected = {};
  item.expected.text = "Collect more, faster";
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kMeasurable));
  EXPECT_EQ(f[0].field, "expected_result");
  EXPECT_THAT(f[0].message, HasSubstr("has no metric and its text \"Collect more, faster\" holds "
                                      "no number"));
  item.expected.text = "回款率提升到95%";
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  item.expected.text = "回款率提升到９５％";  // full-width digits
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  item.expected.metric = "  ";  // a blank metric is no metric
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());

  // With a metric: a value and a period, both valid.
  item = GoodItem();
  item.expected.target_value.reset();
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kMeasurable));
  EXPECT_EQ(f[0].field, "expected_result.target_value");
  EXPECT_THAT(f[0].message, HasSubstr("give the value of collection_rate to reach"));

  item = GoodItem();
  item.expected.period.reset();
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Fields(f), ElementsAre("expected_result.period"));
  EXPECT_THAT(f[0].message, HasSubstr("expected_result.period is missing"));

  item.expected.period = "2025-13";
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Fields(f), ElementsAre("expected_result.period"));
  EXPECT_THAT(f[0].message, HasSubstr("expected_result.period: period \"2025-13\""));

  item = GoodItem();
  item.expected.metric = "happiness";
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Fields(f), ElementsAre("expected_result.metric"));
  EXPECT_THAT(f[0].message, HasSubstr("expected_result.metric: unknown metric \"happiness\""));
}

TEST(CheckSmartTest, AssignableNeedsOwnerAndDepartment) {
  SmartInput item = GoodItem();
  item.owner_id = "";
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kAssignable));
  EXPECT_EQ(f[0].field, "owner_id");

  item = GoodItem();
  item.departments.clear();
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kAssignable));
  EXPECT_EQ(f[0].field, "departments");
  EXPECT_THAT(f[0].message, HasSubstr("name the responsible department"));

  item.departments = {"Sales East", " "};
  EXPECT_THAT(Fields(CheckSmart(item, kToday)), ElementsAre("departments[1]"));
}

TEST(CheckSmartTest, RealisticSignOfTheTarget) {
  SmartInput item = GoodItem();
  item.expected.target_value = 0;  // collection_rate is higher-is-better
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kRealistic));
  EXPECT_EQ(f[0].field, "expected_result.target_value");
  EXPECT_THAT(f[0].message, HasSubstr("target_value is 0: a higher-is-better result needs a "
                                      "target above 0"));

  // churn_rate is lower-is-better in the catalogue, whatever the input says:
  // 0 is a fine target, −1 is not.
  item.expected.metric = "churn_rate";
  item.expected.lower_is_better = false;
  item.current_actual.reset();
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  item.expected.target_value = -1;
  EXPECT_THAT(CheckSmart(item, kToday)[0].message, HasSubstr("cannot go below 0"));

  // A result without a metric uses the input's flag.
  item = GoodItem();
  item.expected.metric.reset();
  item.expected.target_value = -5;
  EXPECT_THAT(Codes(CheckSmart(item, kToday)), ElementsAre(SmartCode::kRealistic));
  item.expected.lower_is_better = true;
  EXPECT_THAT(Codes(CheckSmart(item, kToday)), ElementsAre(SmartCode::kRealistic));
  // 0 is a fine lower-is-better target in sign, but from the current 8800
  // it is a cut of 100 %, more than the 50 % bound; with no current actual it passes.
  item.expected.target_value = 0;
  EXPECT_THAT(CheckSmart(item, kToday)[0].message, HasSubstr("is -100.00 % under"));
  item.current_actual.reset();
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
}

TEST(CheckSmartTest, RealisticAtMostDoubleTheCurrentActual) {
  SmartInput item = GoodItem();
  // 4750 → 9500 is exactly +100 %: allowed.
  item.current_actual = 4750;
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  // 4749 → 9500: 9500 × 10000 = 95,000,000 > 4749 × 20000 = 94,980,000.
  item.current_actual = 4749;
  EXPECT_THAT(Codes(CheckSmart(item, kToday)), ElementsAre(SmartCode::kRealistic));
  // 4000 → 9500 is (9500 − 4000) / 4000 = +137.50 %.
  item.current_actual = 4000;
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kRealistic));
  EXPECT_THAT(f[0].message,
              HasSubstr("expected_result.target_value 9500 is +137.50 % over the current actual "
                        "4000: more than +100.00 % in one step is not realistic"));
  // No base to measure from: only the sign rule applies.
  item.current_actual = 0;
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  item.current_actual.reset();
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  // Another bound: at most +50 %. 8800 → 9500 is +7.95 %, 6000 → 9500 +58.33 %.
  SmartPolicy strict;
  strict.max_increase_bp = 5000;
  item.current_actual = 8800;
  EXPECT_THAT(CheckSmart(item, kToday, strict), IsEmpty());
  item.current_actual = 6000;
  EXPECT_THAT(CheckSmart(item, kToday, strict)[0].message, HasSubstr("+58.33 % over"));
}

TEST(CheckSmartTest, RealisticLowerIsBetterAtMostHalving) {
  SmartInput item = GoodItem();
  item.expected.metric = "churn_rate";
  item.current_actual = 800;         // 8.00 %
  item.expected.target_value = 400;  // exactly −50 %: allowed
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  // 800 → 399: (399 − 800) / 800 = −0.50125 → −5012.5 bp, half up → −5012.
  item.expected.target_value = 399;
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kRealistic));
  EXPECT_THAT(f[0].message,
              HasSubstr("target_value 399 is -50.12 % under the current actual 800: more than "
                        "-50.00 % in one step is not realistic"));
  // Rising is not ambitious for a lower-is-better metric, but not unrealistic.
  item.expected.target_value = 900;
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
}

TEST(CheckSmartTest, TimeBoundFromTodayToTheNextReview) {
  SmartInput item = GoodItem();
  item.due.reset();
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kTimeBound));
  EXPECT_EQ(f[0].field, "due");
  EXPECT_THAT(f[0].message, HasSubstr("due is missing"));

  item.due = absl::CivilDay(2025, 4, 9);  // yesterday
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kTimeBound));
  EXPECT_THAT(f[0].message, HasSubstr("due 2025-04-09 is before today 2025-04-10"));
  item.due = kToday;  // today is fine
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());

  item.due = absl::CivilDay(2025, 7, 5);  // the day of the next review: fine
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
  item.due = absl::CivilDay(2025, 7, 6);
  f = CheckSmart(item, kToday);
  ASSERT_THAT(Codes(f), ElementsAre(SmartCode::kTimeBound));
  EXPECT_THAT(f[0].message,
              HasSubstr("due 2025-07-06 is after the next review meeting on 2025-07-05"));
  item.next_review.reset();  // no meeting scheduled: no upper bound
  EXPECT_THAT(CheckSmart(item, kToday), IsEmpty());
}

TEST(CheckSmartTest, EveryReasonAtOnceInSmartOrder) {
  SmartInput item;
  item.what = "Fix";
  item.expected.target_value = 0;  // a text-only result, higher-is-better
  std::vector<SmartFailure> f = CheckSmart(item, kToday);
  EXPECT_THAT(Codes(f),
              ElementsAre(SmartCode::kSpecific, SmartCode::kSpecific, SmartCode::kMeasurable,
                          SmartCode::kAssignable, SmartCode::kAssignable, SmartCode::kRealistic,
                          SmartCode::kTimeBound));
  EXPECT_THAT(Fields(f), ElementsAre("what", "measures", "expected_result", "owner_id",
                                     "departments", "expected_result.target_value", "due"));
  for (const SmartFailure& failure : f) {
    EXPECT_THAT(failure.message, HasSubstr(failure.field)) << SmartCodeName(failure.code);
  }
}

TEST(CheckSmartTest, TodayFromTheClockInTheTenantsTimeZone) {
  // 2025-04-09 16:30 UTC is 2025-04-10 00:30 in Shanghai (UTC+8).
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2025, 4, 9, 16, 30, 0), absl::UTCTimeZone()));
  absl::TimeZone shanghai = absl::FixedTimeZone(8 * 3600);
  SmartInput item = GoodItem();
  item.due = absl::CivilDay(2025, 4, 9);
  EXPECT_THAT(CheckSmart(item, clock, absl::UTCTimeZone()), IsEmpty());
  EXPECT_THAT(Codes(CheckSmart(item, clock, shanghai)), ElementsAre(SmartCode::kTimeBound));
}

TEST(SmartCodeNameTest, Names) {
  EXPECT_EQ(SmartCodeName(SmartCode::kSpecific), "SPECIFIC");
  EXPECT_EQ(SmartCodeName(SmartCode::kMeasurable), "MEASURABLE");
  EXPECT_EQ(SmartCodeName(SmartCode::kAssignable), "ASSIGNABLE");
  EXPECT_EQ(SmartCodeName(SmartCode::kRealistic), "REALISTIC");
  EXPECT_EQ(SmartCodeName(SmartCode::kTimeBound), "TIME_BOUND");
}

}  // namespace
}  // namespace attain::review
