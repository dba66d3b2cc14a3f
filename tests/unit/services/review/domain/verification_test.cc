#include "services/review/src/domain/verification.h"

#include <cstdint>
#include <limits>
#include <optional>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

TEST(VerifyTest, ExactlyOnTargetIsAchieved) {
  // collection_rate target 95.00 %.
  EXPECT_EQ(Verify(9500, 9500, false), Verdict::kAchieved);
  EXPECT_EQ(Verify(9500, 9501, false), Verdict::kAchieved);
  EXPECT_EQ(Verify(9500, 9499, false), Verdict::kNotAchieved);
}

TEST(VerifyTest, LowerIsBetter) {
  // deal_cycle_days target 30.00 days (hundredths).
  EXPECT_EQ(Verify(3000, 3000, true), Verdict::kAchieved);
  EXPECT_EQ(Verify(3000, 2950, true), Verdict::kAchieved);
  EXPECT_EQ(Verify(3000, 3001, true), Verdict::kNotAchieved);
}

TEST(VerifyTest, NoDataIsLeftToTheCommittee) {
  EXPECT_EQ(Verify(9500, std::nullopt, false), Verdict::kUndetermined);
  EXPECT_EQ(Verify(3000, std::nullopt, true), Verdict::kUndetermined);
  EXPECT_EQ(VerifiedStatus(Verdict::kUndetermined), std::nullopt);
  EXPECT_EQ(VerifiedStatus(Verdict::kAchieved), ActionStatus::kVerifiedAchieved);
  EXPECT_EQ(VerifiedStatus(Verdict::kNotAchieved), ActionStatus::kVerifiedNotAchieved);
  EXPECT_EQ(VerdictName(Verdict::kUndetermined), "undetermined");
  EXPECT_EQ(VerdictName(Verdict::kAchieved), "achieved");
  EXPECT_EQ(VerdictName(Verdict::kNotAchieved), "not_achieved");
}

TEST(ImprovementTest, InBasisPointsOfTheBaselinePositiveWhenBetter) {
  // 400 → 500: +100 / 400 = +25.00 %.
  EXPECT_EQ(**ImprovementBp(400, 500, false), 2500);
  // 400 → 300: −25.00 %.
  EXPECT_EQ(**ImprovementBp(400, 300, false), -2500);
  // Deal cycle 40 → 30 days is better: +25.00 %.
  EXPECT_EQ(**ImprovementBp(4000, 3000, true), 2500);
  // Order value +15 % (seed 000): 200,000.00 → 230,000.00 minor units.
  EXPECT_EQ(**ImprovementBp(20000000, 23000000, false), 1500);
  // 3 → 4: +1/3 = 3333.33 bp → 3333; 3 → 2: −3333.33 → −3333.
  EXPECT_EQ(**ImprovementBp(3, 4, false), 3333);
  EXPECT_EQ(**ImprovementBp(3, 2, false), -3333);
  // Half up: 8 → 9 is +1250.0; 16 → 17 is +625.0; 32 → 33 is +312.5 → 313,
  // 32 → 31 is −312.5 → −312 (halves toward +infinity).
  EXPECT_EQ(**ImprovementBp(32, 33, false), 313);
  EXPECT_EQ(**ImprovementBp(32, 31, false), -312);
  // A negative baseline (a loss) improving: −100 → −50 is +50.00 % of |−100|.
  EXPECT_EQ(**ImprovementBp(-100, -50, false), 5000);
}

TEST(ImprovementTest, NoBaselineOrTooLarge) {
  absl::StatusOr<std::optional<int64_t>> none = ImprovementBp(0, 500, false);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, std::nullopt);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(ImprovementBp(1, kMax, false).status().code(), absl::StatusCode::kOutOfRange);
  // (INT64_MAX − INT64_MIN) / |INT64_MIN| ≈ 2 → 20000 bp: no overflow inside.
  EXPECT_EQ(**ImprovementBp(kMin, kMax, false), 20000);
}

}  // namespace
}  // namespace attain::review
