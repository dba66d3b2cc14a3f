#include "services/eval/src/domain/scoring.h"

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/eval/src/domain/arithmetic.h"
#include "services/eval/src/domain/scorecard_template.h"

namespace attain::eval {
namespace {

using ::testing::HasSubstr;

// Sales of 1,000,000.00 CNY in minor units.
constexpr int64_t kMillion = 100000000;

TEST(AttainmentTest, HigherIsBetterIsActualOverTarget) {
  Attainment exact = *ComputeAttainment(kMillion, kMillion, false);
  EXPECT_EQ(exact.shown_bp, 10000);
  EXPECT_EQ(exact.scored_bp, 10000);
  EXPECT_EQ(ComputeAttainment(kMillion, 94000000, false)->shown_bp, 9400);
  // 123,456 / 1,000,000 = 12.3456 % → 1234.56 bp → 1235.
  EXPECT_EQ(ComputeAttainment(1000000, 123456, false)->shown_bp, 1235);
  // 1 / 20000 = 0.5 bp exactly → rounded half up to 1.
  EXPECT_EQ(ComputeAttainment(20000, 1, false)->shown_bp, 1);
  // Cancellations can leave a period net negative: −50,000 / 1,000,000 = −5 %.
  Attainment negative = *ComputeAttainment(kMillion, -5000000, false);
  EXPECT_EQ(negative.shown_bp, -500);
  EXPECT_EQ(negative.scored_bp, -500);
}

TEST(AttainmentTest, ZeroTargetOfHigherIsBetterHasNoRatio) {
  // Nothing asked: met exactly, no ratio shown, no over-achievement bonus.
  Attainment some = *ComputeAttainment(0, 5, false);
  EXPECT_EQ(some.shown_bp, std::nullopt);
  EXPECT_EQ(some.scored_bp, 10000);
  EXPECT_EQ(ComputeAttainment(0, 0, false)->scored_bp, 10000);
  Attainment below = *ComputeAttainment(0, -1, false);
  EXPECT_EQ(below.shown_bp, std::nullopt);
  EXPECT_EQ(below.scored_bp, 0);
}

TEST(AttainmentTest, LowerIsBetterIsTargetOverActual) {
  // Deal cycle target 30.00 days, actual 40.00 days: 30 / 40 = 75 %.
  EXPECT_EQ(ComputeAttainment(3000, 4000, true)->shown_bp, 7500);
  // 20 days against 30: 150 %.
  EXPECT_EQ(ComputeAttainment(3000, 2000, true)->shown_bp, 15000);
  // Churn 0 % against a target of 5 %: nothing is better; every cap pays.
  Attainment perfect = *ComputeAttainment(500, 0, true);
  EXPECT_EQ(perfect.shown_bp, std::nullopt);
  EXPECT_EQ(perfect.scored_bp, kUnboundedAttainment);
  // Target 0 met exactly by 0; missed by anything above.
  EXPECT_EQ(ComputeAttainment(0, 0, true)->scored_bp, 10000);
  EXPECT_EQ(ComputeAttainment(0, 0, true)->shown_bp, std::nullopt);
  EXPECT_EQ(ComputeAttainment(0, 500, true)->shown_bp, 0);
  EXPECT_EQ(ComputeAttainment(0, 500, true)->scored_bp, 0);
}

TEST(AttainmentTest, RefusesNegativeTargetsAndNegativeLowerIsBetterActuals) {
  EXPECT_THAT(ComputeAttainment(-1, 5, false).status().message(), HasSubstr("negative"));
  EXPECT_EQ(ComputeAttainment(-1, 5, true).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ComputeAttainment(3000, -1, true).status().message(),
              HasSubstr("lower-is-better metric is negative"));
}

TEST(GapTest, PositiveMeansBetterInBothDirections) {
  EXPECT_EQ(*ComputeGap(100, 90, false), -10);  // 10 short of the sales target
  EXPECT_EQ(*ComputeGap(100, 130, false), 30);
  EXPECT_EQ(*ComputeGap(3000, 4000, true), -1000);  // 10 days slower than target
  EXPECT_EQ(*ComputeGap(3000, 2000, true), 1000);   // 10 days faster
}

TEST(LinearTest, PaysPointsTimesAttainmentUpToTheCap) {
  const LinearRule rule{12000};  // up to 120 %
  // 20 points = 2000 hundredths.
  EXPECT_EQ(*LinearPoints(rule, 2000, 10000), 2000);  // exactly 100 %
  EXPECT_EQ(*LinearPoints(rule, 2000, 9400), 1880);   // 2000 × 0.94
  EXPECT_EQ(*LinearPoints(rule, 2000, 11000), 2200);  // 2000 × 1.1, under the cap
  EXPECT_EQ(*LinearPoints(rule, 2000, 15000), 2400);  // capped at 120 %
  EXPECT_EQ(*LinearPoints(rule, 2000, kUnboundedAttainment), 2400);
  EXPECT_EQ(*LinearPoints(rule, 2000, -500), 0);                   // negative actual earns nothing
  EXPECT_EQ(*LinearPoints(LinearRule{10000}, 2000, 15000), 2000);  // cap 1: no bonus
  // 700 × 0.3333 = 233.31 → 233; 100 × 0.005 = 0.5 → 1 (half up).
  EXPECT_EQ(*LinearPoints(rule, 700, 3333), 233);
  EXPECT_EQ(*LinearPoints(rule, 100, 50), 1);
  EXPECT_EQ(*LinearPoints(rule, 100, 49), 0);  // 0.49 → 0
  EXPECT_EQ(LinearPoints(rule, -1, 10000).status().code(), absl::StatusCode::kInvalidArgument);
}

// Seed 002: −2 points for every 5 % below 100 %, out of 20 points.
StepDeductionRule Seed002Step(StepMode mode, int64_t cap_bp = 10000) {
  StepDeductionRule rule;
  rule.deduction = 200;
  rule.step_bp = 500;
  rule.mode = mode;
  rule.cap_bp = cap_bp;
  return rule;
}

TEST(StepDeductionTest, WholeStepsCountOnlyCompletedSteps) {
  const StepDeductionRule rule = Seed002Step(StepMode::kWholeSteps);
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 10000), 2000);  // 100 %: full
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9999), 2000);   // 0.01 % short: no whole step
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9700), 2000);   // 3 % short: no whole step
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9500), 1800);   // 5 %: one step, −2
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9400), 1800);   // 6 %: one step
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9000), 1600);   // 10 %: two steps, −4
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 5500), 200);    // 45 %: nine steps, −18
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 5000), 0);      // 50 %: ten steps, −20
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 0), 0);         // 20 steps, floor 0
}

TEST(StepDeductionTest, StartedStepsCountEveryStartedStep) {
  const StepDeductionRule rule = Seed002Step(StepMode::kStartedSteps);
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 10000), 2000);
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9999), 1800);  // a started step
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9700), 1800);  // 97 % loses 2
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9500), 1800);  // exactly one step
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9400), 1600);  // 6 %: second step started
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9000), 1600);
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 0), 0);
}

TEST(StepDeductionTest, ProportionalDeductsPreciselyRoundedOnce) {
  const StepDeductionRule rule = Seed002Step(StepMode::kProportional);
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 10000), 2000);
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9700), 1880);  // 200 × 300/500 = 120: 97 % loses 1.2
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9500), 1800);  // 200
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9400), 1760);  // 240
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9000), 1600);  // 400
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9999), 2000);  // 200 × 1/500 = 0.4 → 0
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 9998), 1999);  // 0.8 → 1
  EXPECT_EQ(*StepDeductionPoints(rule, 2000, 0), 0);        // 4000 > 2000
  StepDeductionRule half = rule;
  half.deduction = 250;
  EXPECT_EQ(*StepDeductionPoints(half, 2000, 9999), 1999);  // 250 × 1/500 = 0.5 → 1
}

TEST(StepDeductionTest, CapAboveOneRewardsOverAchievement) {
  EXPECT_EQ(*StepDeductionPoints(Seed002Step(StepMode::kWholeSteps), 2000, 12000), 2000);
  const StepDeductionRule capped = Seed002Step(StepMode::kWholeSteps, 15000);
  EXPECT_EQ(*StepDeductionPoints(capped, 2000, 12000), 2400);  // 2000 × 1.2
  EXPECT_EQ(*StepDeductionPoints(capped, 2000, 16000), 3000);  // capped at 1.5
}

TEST(StepDeductionTest, NegativeAttainmentDeductsAsZeroPercent) {
  StepDeductionRule gentle = Seed002Step(StepMode::kWholeSteps);
  gentle.deduction = 50;  // 0.5 points per 5 %: 20 steps lose 10 of 20 points
  EXPECT_EQ(*StepDeductionPoints(gentle, 2000, 0), 1000);
  EXPECT_EQ(*StepDeductionPoints(gentle, 2000, -500), 1000);
}

// Seed 002 preset's report timeliness table.
BandsRule TimelinessBands() {
  return BandsRule{{{0, 9000, 0}, {9000, 9500, 5000}, {9500, 10000, 8000}, {10000, {}, 10000}}};
}

TEST(BandsTest, LowerBoundInclusiveUpperExclusive) {
  const BandsRule rule = TimelinessBands();
  // 5 points = 500 hundredths.
  EXPECT_EQ(*BandPoints(rule, 500, 8999), 0);
  EXPECT_EQ(*BandPoints(rule, 500, 9000), 250);  // 50 %
  EXPECT_EQ(*BandPoints(rule, 500, 9499), 250);
  EXPECT_EQ(*BandPoints(rule, 500, 9500), 400);  // 80 %
  EXPECT_EQ(*BandPoints(rule, 500, 9999), 400);
  EXPECT_EQ(*BandPoints(rule, 500, 10000), 500);
  EXPECT_EQ(*BandPoints(rule, 500, 20000), 500);
  EXPECT_EQ(*BandPoints(rule, 500, kUnboundedAttainment), 500);
  EXPECT_EQ(*BandPoints(rule, 500, -100), 0);  // negative → first band
  // 333 × 50 % = 166.5 → 167.
  EXPECT_EQ(*BandPoints(rule, 333, 9000), 167);
}

TEST(BandsTest, AGapIsAnError) {
  const BandsRule gap{{{0, 9000, 0}, {9500, {}, 10000}}};
  EXPECT_THAT(BandPoints(gap, 500, 9200).status().message(), HasSubstr("gap"));
}

ScaleRule CollaborationScale() {
  return ScaleRule{
      {{"excellent", 5, 450}, {"good", 4, 350}, {"pass", 3, 250}, {"needs_improvement", 2, {}}}};
}

TEST(ScaleTest, ThresholdsPickTheFirstLevelReached) {
  const ScaleRule scale = CollaborationScale();
  EXPECT_EQ(*ScaleLevelForActual(scale, 500), 0u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 450), 0u);  // 4.50 is excellent
  EXPECT_EQ(*ScaleLevelForActual(scale, 449), 1u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 350), 1u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 349), 2u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 250), 2u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 249), 3u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 0), 3u);
  EXPECT_EQ(*ScaleLevelForActual(scale, -5), 3u);
}

TEST(ScaleTest, SatisfactionThresholdsOfSeed001) {
  // 客户满意度90分以上为优秀,80-89分为良好: scores in hundredths.
  const ScaleRule scale{
      {{"excellent", 5, 9000}, {"good", 4, 8000}, {"pass", 3, 7000}, {"needs_improvement", 2, {}}}};
  EXPECT_EQ(*ScaleLevelForActual(scale, 9200), 0u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 9000), 0u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 8999), 1u);  // 89.99 is good
  EXPECT_EQ(*ScaleLevelForActual(scale, 8000), 1u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 7999), 2u);
  EXPECT_EQ(*ScaleLevelForActual(scale, 6999), 3u);
}

TEST(ScaleTest, PointsAreProportionalToLevelOverBest) {
  const ScaleRule scale = CollaborationScale();
  // 6 points = 600: excellent 5/5, good 4/5, pass 3/5, needs improvement 2/5.
  EXPECT_EQ(*ScalePoints(scale, 600, 0), 600);
  EXPECT_EQ(*ScalePoints(scale, 600, 1), 480);
  EXPECT_EQ(*ScalePoints(scale, 600, 2), 360);
  EXPECT_EQ(*ScalePoints(scale, 600, 3), 240);
  EXPECT_EQ(ScalePoints(scale, 600, 4).status().code(), absl::StatusCode::kInvalidArgument);
  // 1000 × 2/3 = 666.67 → 667; a level worth 0 earns 0.
  const ScaleRule thirds{{{"a", 3, {}}, {"b", 2, {}}, {"c", 0, {}}}};
  EXPECT_EQ(*ScalePoints(thirds, 1000, 1), 667);
  EXPECT_EQ(*ScalePoints(thirds, 1000, 2), 0);
}

TEST(ScaleTest, LevelsGivenDirectly) {
  const ScaleRule direct{{{"excellent", 5, {}}, {"good", 4, {}}, {"pass", 3, {}}}};
  EXPECT_EQ(*ScaleLevelByLabel(direct, "good"), 1u);
  absl::Status unknown = ScaleLevelByLabel(direct, "great").status();
  EXPECT_THAT(unknown.message(), HasSubstr("\"great\""));
  EXPECT_THAT(unknown.message(), HasSubstr("excellent, good, pass"));
  EXPECT_THAT(ScaleLevelForActual(direct, 450).status().message(), HasSubstr("no thresholds"));
}

TEST(InverseTest, LowerActualEarnsMoreUpToTheCap) {
  const InverseRule rule{12000};
  // Deal cycle 10 points; target 30 days.
  EXPECT_EQ(*InversePoints(rule, 1000, ComputeAttainment(3000, 4000, true)->scored_bp), 750);
  EXPECT_EQ(*InversePoints(rule, 1000, ComputeAttainment(3000, 3000, true)->scored_bp), 1000);
  EXPECT_EQ(*InversePoints(rule, 1000, ComputeAttainment(3000, 2000, true)->scored_bp), 1200);
  // Actual 0: the cap.
  EXPECT_EQ(*InversePoints(rule, 1000, ComputeAttainment(3000, 0, true)->scored_bp), 1200);
  // Target 0 missed: nothing.
  EXPECT_EQ(*InversePoints(rule, 1000, ComputeAttainment(0, 100, true)->scored_bp), 0);
}

}  // namespace
}  // namespace attain::eval
