#include "services/eval/src/domain/result_rules.h"

#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::eval {
namespace {

using ::testing::HasSubstr;

TEST(BelowTargetTest, TwoQuartersWarnThreePenalise) {
  BelowTargetOutcome two =
      *BelowTargetConsequence({{"2025-Q1", 10000}, {"2025-Q2", 9000}, {"2025-Q3", 9500}});
  EXPECT_EQ(two.quarters_below, 2);
  EXPECT_EQ(two.consequence, Consequence::kWarning);
  // Across a year boundary; 99.99 % is below.
  BelowTargetOutcome three =
      *BelowTargetConsequence({{"2024-Q4", 9000}, {"2025-Q1", 9000}, {"2025-Q2", 9999}});
  EXPECT_EQ(three.quarters_below, 3);
  EXPECT_EQ(three.consequence, Consequence::kPenalty);
  BelowTargetOutcome four = *BelowTargetConsequence(
      {{"2024-Q3", 1}, {"2024-Q4", 9000}, {"2025-Q1", 9000}, {"2025-Q2", 0}});
  EXPECT_EQ(four.quarters_below, 4);
  EXPECT_EQ(four.consequence, Consequence::kPenalty);
}

TEST(BelowTargetTest, OnTargetOrNoFiguresEndTheRun) {
  // Exactly 100 % is on target.
  BelowTargetOutcome met =
      *BelowTargetConsequence({{"2025-Q1", 9000}, {"2025-Q2", 9000}, {"2025-Q3", 10000}});
  EXPECT_EQ(met.quarters_below, 0);
  EXPECT_EQ(met.consequence, Consequence::kNone);
  BelowTargetOutcome gap =
      *BelowTargetConsequence({{"2025-Q1", 9000}, {"2025-Q2", std::nullopt}, {"2025-Q3", 9000}});
  EXPECT_EQ(gap.quarters_below, 1);
  EXPECT_EQ(gap.consequence, Consequence::kNone);
  EXPECT_EQ(BelowTargetConsequence({})->consequence, Consequence::kNone);
}

TEST(BelowTargetTest, HistoryMustBeConsecutiveQuarters) {
  EXPECT_THAT(BelowTargetConsequence({{"2025-Q1", 9000}, {"2025-Q3", 9000}}).status().message(),
              HasSubstr("history[1]: 2025-Q3 does not follow 2025-Q1"));
  EXPECT_THAT(BelowTargetConsequence({{"2025-03", 9000}}).status().message(),
              HasSubstr("is not a quarter"));
  EXPECT_EQ(BelowTargetConsequence({{"2025-Q5", 9000}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BelowTargetConsequence({{"2025-Q2", 1}, {"2025-Q1", 1}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TeamFundTest, FifteenPercentOfTheExcessWhenMoreThanTwentyPercentOver) {
  // Target 1,000,000.00 = 100,000,000 minor units.
  TeamFund exactly = *ComputeTeamFund(100000000, 120000000);  // exactly 20 % over: not more
  EXPECT_FALSE(exactly.eligible);
  EXPECT_EQ(exactly.fund, 0);
  TeamFund just = *ComputeTeamFund(100000000, 120000001);
  EXPECT_TRUE(just.eligible);
  EXPECT_EQ(just.excess, 20000001);
  EXPECT_EQ(just.fund, 3000000);  // 3,000,000.15 → 3,000,000
  TeamFund well = *ComputeTeamFund(100000000, 130000000);
  EXPECT_EQ(well.excess, 30000000);
  EXPECT_EQ(well.fund, 4500000);  // 45,000.00
  // Half a minor unit rounds up: excess 10 × 15 % = 1.5 → 2.
  EXPECT_EQ(ComputeTeamFund(10, 20)->fund, 2);
  EXPECT_FALSE(ComputeTeamFund(100000000, 90000000)->eligible);
  EXPECT_FALSE(ComputeTeamFund(0, 5)->eligible);  // no "20 % over nothing"
  EXPECT_EQ(ComputeTeamFund(-1, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeTeamFund(1, 5, TeamFundPolicy{2000, 10001}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Another policy: 10 % over pays 50 %.
  TeamFund other = *ComputeTeamFund(1000, 1101, TeamFundPolicy{1000, 5000});
  EXPECT_EQ(other.fund, 51);  // 101 × 0.5 = 50.5 → 51
}

TEST(JudgeQuarterTest, CombinesAndPassesTheOutlierFlagThrough) {
  QuarterVerdict v = *JudgeQuarter({{"2025-Q1", 9000}, {"2025-Q2", 9000}}, /*in_top_share=*/false,
                                   /*outlier_flagged=*/true);
  EXPECT_FALSE(v.bonus_eligible);
  EXPECT_EQ(v.below_target.consequence, Consequence::kWarning);
  EXPECT_TRUE(v.outlier_flagged);
  QuarterVerdict top = *JudgeQuarter({{"2025-Q2", 13000}}, true, false);
  EXPECT_TRUE(top.bonus_eligible);
  EXPECT_FALSE(top.outlier_flagged);
  EXPECT_EQ(top.below_target.consequence, Consequence::kNone);
  EXPECT_FALSE(JudgeQuarter({{"bad", 1}}, true, false).ok());
}

}  // namespace
}  // namespace attain::eval
