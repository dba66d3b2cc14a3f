#include "services/eval/src/domain/scorecard.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/eval/src/domain/scorecard_template.h"

namespace attain::eval {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr int kSalesAmount = 1;
constexpr int kNewCustomers = 9;
constexpr int kDealCycleDays = 16;
constexpr int kCollaborationScore = 20;

Indicator Make(std::string id, int metric, int64_t points, ScoringRule rule,
               TargetSource source = TargetSource::kBase) {
  Indicator i;
  i.id = std::move(id);
  i.name = i.id;
  i.metric = metric;
  i.points = points;
  i.rule = std::move(rule);
  i.target_source = source;
  return i;
}

// sales 50 (linear, cap 120 %), new customers 20 (linear), deal cycle 20
// (inverse, fixed 30 days, cap 150 %), collaboration 10 (scale, no target).
ScorecardTemplate Small() {
  ScorecardTemplate t;
  t.id = "small";
  t.version = 3;
  t.name = "small";
  Dimension a;
  a.id = "results";
  a.name = "results";
  a.weight = 7000;
  a.indicators = {Make("sales", kSalesAmount, 5000, LinearRule{12000}),
                  Make("new_customers", kNewCustomers, 2000, LinearRule{10000})};
  Dimension b;
  b.id = "process";
  b.name = "process";
  b.weight = 3000;
  Indicator cycle = Make("cycle", kDealCycleDays, 2000, InverseRule{15000}, TargetSource::kFixed);
  cycle.fixed_target = 3000;
  b.indicators = {
      cycle,
      Make("collab", kCollaborationScore, 1000,
           ScaleRule{{{"excellent", 5, 450}, {"good", 4, 350}, {"needs_improvement", 2, {}}}},
           TargetSource::kNone)};
  t.dimensions = {a, b};
  t.grades = {{"low", 0, "coaching"}, {"ok", 9000, ""}, {"high", 12000, "extra bonus"}};
  return t;
}

IndicatorInput In(std::string id, std::optional<int64_t> target, std::optional<int64_t> actual) {
  IndicatorInput in;
  in.indicator_id = std::move(id);
  in.target = target;
  in.actual = actual;
  return in;
}

TEST(ScorecardTest, ComputesEveryColumnAndTotal) {
  IndicatorInput sales = In("sales", 100000000, 110000000);
  sales.explanation.target_record_id = "tgt-42";
  sales.explanation.components = {{"sales_amount", 110000000}};
  sales.explanation.cell_count = 17;
  sales.explanation.event_count = 23;
  const Scorecard card = *ComputeScorecard(
      Small(), {sales, In("new_customers", 10, 8), In("cycle", std::nullopt, 2500),
                In("collab", std::nullopt, 400)});
  EXPECT_EQ(card.template_id, "small");
  EXPECT_EQ(card.template_version, 3);
  ASSERT_EQ(card.indicators.size(), 4u);

  // sales: 110 % of 1,000,000.00 → 5000 × 1.1 = 5500; gap +100,000.00.
  const IndicatorResult& s = card.indicators[0];
  EXPECT_EQ(s.dimension_id, "results");
  EXPECT_EQ(s.target, 100000000);
  EXPECT_EQ(s.actual, 110000000);
  EXPECT_EQ(s.gap, 10000000);
  EXPECT_EQ(s.attainment_bp, 11000);
  EXPECT_EQ(s.points_possible, 5000);
  EXPECT_EQ(s.points, 5500);
  EXPECT_EQ(s.status, IndicatorStatus::kScored);
  EXPECT_EQ(s.explanation.target_record_id, "tgt-42");
  EXPECT_THAT(s.explanation.components, ElementsAre(Pair("sales_amount", 110000000)));
  EXPECT_EQ(s.explanation.cell_count, 17);
  EXPECT_EQ(s.explanation.event_count, 23);
  // new customers 8 of 10: 2000 × 0.8 = 1600, gap −2.
  EXPECT_EQ(card.indicators[1].points, 1600);
  EXPECT_EQ(card.indicators[1].gap, -2);
  // cycle: fixed 30.00 days, actual 25.00: 30/25 = 120 % → 2000 × 1.2 = 2400;
  // gap +5.00 days (faster is positive).
  const IndicatorResult& c = card.indicators[2];
  EXPECT_EQ(c.target, 3000);
  EXPECT_EQ(c.gap, 500);
  EXPECT_EQ(c.attainment_bp, 12000);
  EXPECT_EQ(c.points, 2400);
  // collab 4.00: good → 1000 × 4/5 = 800; no target, so no attainment or gap.
  const IndicatorResult& k = card.indicators[3];
  EXPECT_EQ(k.scale_level, "good");
  EXPECT_EQ(k.points, 800);
  EXPECT_EQ(k.attainment_bp, std::nullopt);
  EXPECT_EQ(k.gap, std::nullopt);

  ASSERT_EQ(card.dimensions.size(), 2u);
  EXPECT_EQ(card.dimensions[0].points, 7100);  // 5500 + 1600
  EXPECT_EQ(card.dimensions[0].weight, 7000);
  EXPECT_EQ(card.dimensions[1].points, 3200);  // 2400 + 800
  EXPECT_EQ(card.total, 10300);                // 103.00 points
  EXPECT_EQ(card.grade, "ok");
  EXPECT_EQ(card.grade_note, "");
  EXPECT_EQ(card.strongest_indicator_id, "cycle");        // 120 %
  EXPECT_EQ(card.weakest_indicator_id, "new_customers");  // 80 %
}

TEST(ScorecardTest, NoDataNoTargetAndDirectLevels) {
  IndicatorInput collab = In("collab", std::nullopt, std::nullopt);
  collab.scale_level = "excellent";  // rated by the committee, no ratings counted
  const Scorecard card = *ComputeScorecard(
      Small(), {In("sales", std::nullopt, 90000000), In("new_customers", 10, std::nullopt),
                In("cycle", std::nullopt, std::nullopt), collab});
  EXPECT_EQ(card.indicators[0].status, IndicatorStatus::kNoTarget);
  EXPECT_EQ(card.indicators[0].points, 0);
  EXPECT_EQ(card.indicators[0].gap, std::nullopt);
  EXPECT_EQ(card.indicators[1].status, IndicatorStatus::kNoData);
  EXPECT_EQ(card.indicators[1].target, 10);
  EXPECT_EQ(card.indicators[1].points, 0);
  EXPECT_EQ(card.indicators[2].status, IndicatorStatus::kNoData);
  EXPECT_EQ(card.indicators[3].status, IndicatorStatus::kScored);
  EXPECT_EQ(card.indicators[3].scale_level, "excellent");
  EXPECT_EQ(card.indicators[3].points, 1000);
  EXPECT_EQ(card.total, 1000);
  EXPECT_EQ(card.grade, "low");
  EXPECT_EQ(card.grade_note, "coaching");
  // Nothing had an attainment.
  EXPECT_EQ(card.strongest_indicator_id, std::nullopt);
  EXPECT_EQ(card.weakest_indicator_id, std::nullopt);

  // A scale with thresholds and no actual and no level: no data.
  const Scorecard unrated = *ComputeScorecard(
      Small(), {In("sales", 1, 1), In("new_customers", 1, 1), In("cycle", std::nullopt, 3000),
                In("collab", std::nullopt, std::nullopt)});
  EXPECT_EQ(unrated.indicators[3].status, IndicatorStatus::kNoData);
}

TEST(ScorecardTest, TiesForStrongestAndWeakestGoToTheEarlierIndicator) {
  // sales 100 %, new customers 100 %, cycle 100 %: all tie.
  const Scorecard card = *ComputeScorecard(
      Small(), {In("sales", 100, 100), In("new_customers", 10, 10), In("cycle", std::nullopt, 3000),
                In("collab", std::nullopt, 500)});
  EXPECT_EQ(card.strongest_indicator_id, "sales");
  EXPECT_EQ(card.weakest_indicator_id, "sales");
  // 5000 + 2000 + 2000 + 1000 = 100 points exactly.
  EXPECT_EQ(card.total, 10000);
  EXPECT_EQ(card.grade, "ok");
}

TEST(ScorecardTest, ZeroTargetsAndZeroLowerIsBetterActuals) {
  // new customers target 0, actual 3: met, no ratio, full points without a
  // bonus; cycle 0 days: unbounded → the 150 % cap, and the strongest.
  const Scorecard card =
      *ComputeScorecard(Small(), {In("sales", 100, 50), In("new_customers", 0, 3),
                                  In("cycle", std::nullopt, 0), In("collab", std::nullopt, 100)});
  EXPECT_EQ(card.indicators[1].attainment_bp, std::nullopt);
  EXPECT_EQ(card.indicators[1].scored_attainment_bp, 10000);
  EXPECT_EQ(card.indicators[1].points, 2000);
  EXPECT_EQ(card.indicators[2].attainment_bp, std::nullopt);
  EXPECT_EQ(card.indicators[2].points, 3000);
  EXPECT_EQ(card.indicators[3].points, 400);  // needs improvement 2/5 of 10
  // 2500 + 2000 + 3000 + 400
  EXPECT_EQ(card.total, 7900);
  EXPECT_EQ(card.strongest_indicator_id, "cycle");
  EXPECT_EQ(card.weakest_indicator_id, "sales");
}

TEST(ScorecardTest, NegativeActualEarnsNothingButShowsItsAttainment) {
  const Scorecard card = *ComputeScorecard(
      Small(), {In("sales", 100000000, -2000000), In("new_customers", 10, 10),
                In("cycle", std::nullopt, 3000), In("collab", std::nullopt, 450)});
  EXPECT_EQ(card.indicators[0].attainment_bp, -200);
  EXPECT_EQ(card.indicators[0].gap, -102000000);
  EXPECT_EQ(card.indicators[0].points, 0);
  EXPECT_EQ(card.weakest_indicator_id, "sales");
}

TEST(ScorecardTest, RefusesInputsThatDoNotMatchTheTemplate) {
  const std::vector<IndicatorInput> ok = {In("sales", 1, 1), In("new_customers", 1, 1),
                                          In("cycle", std::nullopt, 1),
                                          In("collab", std::nullopt, 1)};
  std::vector<IndicatorInput> unknown = ok;
  unknown.push_back(In("visits", 1, 1));
  EXPECT_THAT(ComputeScorecard(Small(), unknown).status().message(),
              HasSubstr("\"visits\" which the template does not have"));
  std::vector<IndicatorInput> twice = ok;
  twice.push_back(In("sales", 1, 1));
  EXPECT_THAT(ComputeScorecard(Small(), twice).status().message(),
              HasSubstr("two inputs for indicator \"sales\""));
  std::vector<IndicatorInput> missing(ok.begin(), ok.begin() + 2);
  EXPECT_THAT(ComputeScorecard(Small(), missing).status().message(),
              HasSubstr("no input for indicators cycle, collab"));
  std::vector<IndicatorInput> fixed = ok;
  fixed[2].target = 2000;
  EXPECT_THAT(ComputeScorecard(Small(), fixed).status().message(),
              HasSubstr("indicator \"cycle\": a target was given but the template fixes"));
  std::vector<IndicatorInput> negative = ok;
  negative[0].target = -1;
  EXPECT_THAT(ComputeScorecard(Small(), negative).status().message(),
              HasSubstr("indicator \"sales\": target -1 is negative"));
  std::vector<IndicatorInput> bad_level = ok;
  bad_level[3].scale_level = "superb";
  EXPECT_THAT(ComputeScorecard(Small(), bad_level).status().message(),
              HasSubstr("scale level \"superb\" is not one of"));
  std::vector<IndicatorInput> level_on_linear = ok;
  level_on_linear[0].scale_level = "good";
  EXPECT_THAT(ComputeScorecard(Small(), level_on_linear).status().message(),
              HasSubstr("a scale level was given but the rule is linear"));
  std::vector<IndicatorInput> negative_days = ok;
  negative_days[2].actual = -1;
  EXPECT_EQ(ComputeScorecard(Small(), negative_days).status().code(),
            absl::StatusCode::kInvalidArgument);

  ScorecardTemplate broken = Small();
  broken.dimensions[0].weight = 1;
  EXPECT_THAT(ComputeScorecard(broken, ok).status().message(), HasSubstr("dimensions[0].weight"));
}

TEST(GradeIndexForTest, LowerBoundsAreInclusive) {
  const std::vector<GradeBand> grades = {{"low", 0, ""}, {"ok", 9000, ""}, {"high", 12000, ""}};
  EXPECT_EQ(*GradeIndexFor(grades, 0), 0u);
  EXPECT_EQ(*GradeIndexFor(grades, 8999), 0u);  // 89.99
  EXPECT_EQ(*GradeIndexFor(grades, 9000), 1u);  // exactly 90
  EXPECT_EQ(*GradeIndexFor(grades, 11999), 1u);
  EXPECT_EQ(*GradeIndexFor(grades, 12000), 2u);
  EXPECT_EQ(GradeIndexFor(grades, -1).status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<GradeBand> open = {{"low", std::nullopt, ""}, {"ok", 9000, ""}};
  EXPECT_EQ(*GradeIndexFor(open, -100), 0u);
}

}  // namespace
}  // namespace attain::eval
