#include "services/eval/src/domain/scorecard_template.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::eval {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// attain.type.v1.Metric numbers.
constexpr int kSalesAmount = 1;
constexpr int kCollectionRate = 7;
constexpr int kDealCycleDays = 16;
constexpr int kCollaborationScore = 20;
constexpr int kChurnRate = 22;

Indicator MakeIndicator(std::string id, int metric, int64_t points, ScoringRule rule) {
  Indicator i;
  i.id = std::move(id);
  i.name = i.id;
  i.metric = metric;
  i.points = points;
  i.rule = std::move(rule);
  return i;
}

// 60 + 40 points, three grades: valid.
ScorecardTemplate Valid() {
  ScorecardTemplate t;
  t.id = "t";
  t.name = "test";
  Dimension results;
  results.id = "results";
  results.name = "results";
  results.weight = 6000;
  results.indicators.push_back(MakeIndicator("sales", kSalesAmount, 4000, LinearRule{12000}));
  Indicator cycle = MakeIndicator("cycle", kDealCycleDays, 2000, InverseRule{10000});
  cycle.target_source = TargetSource::kFixed;
  cycle.fixed_target = 3000;
  results.indicators.push_back(cycle);
  Dimension soft;
  soft.id = "soft";
  soft.name = "soft";
  soft.weight = 4000;
  Indicator collab = MakeIndicator(
      "collab", kCollaborationScore, 4000,
      ScaleRule{{{"excellent", 5, 450}, {"good", 4, 350}, {"needs_improvement", 2, {}}}});
  collab.target_source = TargetSource::kNone;
  soft.indicators.push_back(collab);
  t.dimensions = {results, soft};
  t.grades = {{"low", 0, "coaching"}, {"ok", 9000, ""}, {"high", 12000, "extra bonus"}};
  return t;
}

std::string Problems(const ScorecardTemplate& t) {
  absl::Status status = ValidateTemplate(t);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(ValidateTemplateTest, AcceptsAValidTemplate) { EXPECT_TRUE(ValidateTemplate(Valid()).ok()); }

TEST(ValidateTemplateTest, ReportsEveryProblemWithItsPath) {
  ScorecardTemplate t = Valid();
  t.id = "";
  t.version = 0;
  // Weight says 50 but the indicators hold 60; 50 + 40 = 90, not 100.
  t.dimensions[0].weight = 5000;
  StepDeductionRule step;
  step.step_bp = 0;
  t.dimensions[1].indicators[0].rule = step;  // no step size; kNone only fits a scale
  const std::string m = Problems(t);
  EXPECT_THAT(m, HasSubstr("scorecard template has 6 problems: "));
  EXPECT_THAT(m, HasSubstr("id: id is required"));
  EXPECT_THAT(m, HasSubstr("version: version 0 must be >= 1"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].weight: weight 50 is not the sum of its indicators' "
                           "points 60"));
  EXPECT_THAT(m, HasSubstr("dimensions: the dimension weights sum to 90 points, not 100"));
  EXPECT_THAT(m, HasSubstr("dimensions[1].indicators[0].rule: step deduction needs a step size "
                           "> 0"));
  EXPECT_THAT(m, HasSubstr("dimensions[1].indicators[0].target_source: only a scale can score "
                           "without a target; step deduction needs one"));
}

TEST(ValidateTemplateTest, IdsAreRequiredAndUnique) {
  ScorecardTemplate t = Valid();
  t.dimensions[1].id = "results";
  t.dimensions[1].indicators[0].id = "sales";
  t.dimensions[0].indicators[1].id = "";
  const std::string m = Problems(t);
  EXPECT_THAT(m, HasSubstr("dimensions[1].id: dimension id \"results\" is used twice"));
  EXPECT_THAT(m, HasSubstr("dimensions[1].indicators[0].id: indicator id \"sales\" is used twice"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[1].id: id is required"));
}

TEST(ValidateTemplateTest, PointsAndMetricAndTargetSource) {
  ScorecardTemplate t = Valid();
  t.dimensions[0].indicators[0].points = 0;
  t.dimensions[0].indicators[0].metric = 99;
  t.dimensions[0].indicators[0].fixed_target = 5;      // source is base
  t.dimensions[0].indicators[1].fixed_target.reset();  // source is fixed
  const std::string m = Problems(t);
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[0].points: points 0 must be above 0"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[0].metric: unknown metric 99"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[0].fixed_target: fixed_target is set but "
                           "the target source is not fixed"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[1].fixed_target: a fixed target source "
                           "needs fixed_target"));
}

TEST(ValidateTemplateTest, RulesMustFitTheirMetric) {
  ScorecardTemplate t = Valid();
  t.dimensions[0].indicators[0].rule = InverseRule{10000};  // sales is higher-is-better
  t.dimensions[0].indicators[1].rule = LinearRule{10000};   // deal cycle is lower-is-better
  Dimension extra;
  extra.id = "extra";
  extra.name = "extra";
  const ScaleRule scale{{{"good", 1, {}}}};
  extra.indicators.push_back(MakeIndicator("money_scale", kSalesAmount, 100, scale));
  extra.indicators.push_back(MakeIndicator("churn_scale", kChurnRate, 100, scale));
  extra.indicators.push_back(MakeIndicator("days_bands", kDealCycleDays, 100,
                                           BandsRule{{{0, {}, 10000}}}));  // bands fit both
  extra.weight = 300;
  t.dimensions.push_back(extra);
  const std::string m = Problems(t);
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[0].rule: inverse is for lower-is-better "
                           "metrics but sales_amount is higher-is-better"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[1].rule: linear pays more for a higher "
                           "actual but deal_cycle_days is lower-is-better: use inverse"));
  EXPECT_THAT(m, HasSubstr("dimensions[2].indicators[0].rule: a qualitative scale does not fit "
                           "sales_amount"));
  EXPECT_THAT(m, HasSubstr("dimensions[2].indicators[1].rule: a scale's thresholds are minimums "
                           "but churn_rate is lower-is-better"));
  EXPECT_THAT(m, Not(HasSubstr("dimensions[2].indicators[2]")));
  EXPECT_THAT(m, HasSubstr("the dimension weights sum to 103 points, not 100"));
}

TEST(ValidateTemplateTest, CapsAndStepParameters) {
  ScorecardTemplate t = Valid();
  t.dimensions[0].indicators[0].rule = LinearRule{9000};
  t.dimensions[0].indicators[1].rule = InverseRule{200000};
  t.dimensions[0].indicators[1].metric = kDealCycleDays;
  const std::string m = Problems(t);
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[0].rule: cap 9000 bp is out of range"));
  EXPECT_THAT(m, HasSubstr("dimensions[0].indicators[1].rule: cap 200000 bp is out of range"));

  ScorecardTemplate s = Valid();
  StepDeductionRule step;
  step.deduction = 0;
  s.dimensions[0].indicators[0].rule = step;
  EXPECT_THAT(Problems(s), HasSubstr("dimensions[0].indicators[0].rule: step deduction needs a "
                                     "deduction > 0"));
}

TEST(ValidateTemplateTest, BandsMustCoverWithoutGapOrOverlap) {
  ScorecardTemplate t = Valid();
  t.dimensions[0].indicators[0].metric = kCollectionRate;
  t.dimensions[0].indicators[0].rule =
      BandsRule{{{100, 9000, 0},           // does not start at 0
                 {9500, 10000, 5000},      // gap 9000..9500
                 {9800, 11000, 8000},      // overlaps: previous ends at 10000
                 {11000, 12000, 10000}}};  // last band bounded
  const std::string m = Problems(t);
  const std::string at = "dimensions[0].indicators[0].rule.bands";
  EXPECT_THAT(m, HasSubstr(at + "[0]: the first band starts at 100 bp"));
  EXPECT_THAT(m, HasSubstr(at + "[0]: gap between this band's upper bound 9000 bp and the next "
                                "band's lower bound 9500 bp"));
  EXPECT_THAT(m, HasSubstr(at + "[1]: overlaps the next band: upper bound 10000 bp is above the "
                                "next lower bound 9800 bp"));
  EXPECT_THAT(m, HasSubstr(at + "[3]: the last band ends at 12000 bp"));

  ScorecardTemplate u = Valid();
  u.dimensions[0].indicators[0].rule = BandsRule{{{0, {}, 5000}, {9000, {}, 10000}}};
  EXPECT_THAT(Problems(u), HasSubstr("bands[0]: only the last band may be unbounded above"));
  ScorecardTemplate e = Valid();
  e.dimensions[0].indicators[0].rule = BandsRule{{{0, 5000, -1}, {5000, 4000, 1}, {4000, {}, 0}}};
  const std::string me = Problems(e);
  EXPECT_THAT(me, HasSubstr("bands[0]: fraction -1 bp is out of range"));
  EXPECT_THAT(me, HasSubstr("bands[1]: upper bound 4000 bp is not above the lower bound 5000"));
}

TEST(ValidateTemplateTest, ScaleLevels) {
  ScorecardTemplate t = Valid();
  t.dimensions[1].indicators[0].rule = ScaleRule{{{"excellent", 5, 450},
                                                  {"excellent", 5, 460},  // label, value, threshold
                                                  {"pass", 3, {}},        // threshold missing
                                                  {"", 2, 100}}};         // label; last has one
  const std::string m = Problems(t);
  const std::string at = "dimensions[1].indicators[0].rule.levels";
  EXPECT_THAT(m, HasSubstr(at + "[1]: label \"excellent\" is used twice"));
  EXPECT_THAT(m, HasSubstr(at + "[1]: value 5 is not below the previous level's 5"));
  EXPECT_THAT(m, HasSubstr(at + "[1]: min_actual 460 is not below the previous level's 450"));
  EXPECT_THAT(m, HasSubstr(at + "[2]: min_actual is required"));
  EXPECT_THAT(m, HasSubstr(at + "[3]: label is required"));
  EXPECT_THAT(m, HasSubstr(at + "[3]: the last level takes every lower actual"));

  ScorecardTemplate d = Valid();
  d.dimensions[1].indicators[0].rule = ScaleRule{{{"a", 0, {}}, {"b", 1, 5}}};
  const std::string md = Problems(d);
  EXPECT_THAT(md, HasSubstr("levels[0]: the best level needs a value > 0"));
  EXPECT_THAT(md, HasSubstr("levels[1]: min_actual is set but the best level has none"));
}

TEST(ValidateTemplateTest, GradeBands) {
  ScorecardTemplate t = Valid();
  t.grades = {{"low", 500, ""},
              {"ok", {}, ""},
              {"high", 12000, ""},
              {"mid", 9000, ""},
              {"high", 13000, ""}};
  const std::string m = Problems(t);
  EXPECT_THAT(m, HasSubstr("grades[0].min_points: the first band starts at 5 points"));
  EXPECT_THAT(m, HasSubstr("grades[1].min_points: only the first band may start at -infinity"));
  EXPECT_THAT(m, HasSubstr("grades[3].min_points: 90 points is not above the previous band's "
                           "120: list grade bands from lowest to highest"));
  EXPECT_THAT(m, HasSubstr("grades[4].name: grade \"high\" is used twice"));

  ScorecardTemplate open = Valid();
  open.grades[0].min_points.reset();  // −infinity on the first band is fine
  EXPECT_TRUE(ValidateTemplate(open).ok());
  ScorecardTemplate none = Valid();
  none.grades.clear();
  EXPECT_THAT(Problems(none), HasSubstr("grades: at least one grade band is required"));
}

TEST(ValidateTemplateTest, PointsAreShownAsDecimals) {
  ScorecardTemplate t = Valid();
  t.dimensions[0].weight = 5925;  // 59.25 against 60
  EXPECT_THAT(Problems(t), HasSubstr("weight 59.25 is not the sum of its indicators' points 60"));
}

}  // namespace
}  // namespace attain::eval
