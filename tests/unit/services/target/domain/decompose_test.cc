#include "services/target/src/domain/decompose.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

namespace attain::target {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

MetricInfo Sales() { return *LookupMetric(1); }           // sales_amount, additive
MetricInfo CollectionRate() { return *LookupMetric(7); }  // a ratio

int64_t Sum(const std::vector<int64_t>& v) {
  return std::accumulate(v.begin(), v.end(), int64_t{0});
}

TEST(SplitTarget, SeedQuarterOfThreeMillionGivesOneMillionPerMonth) {
  // Seed 000: 3,000,000.00 a quarter → 1,000,000.00 a month (minor units).
  auto split = SplitTarget(300000000, 300000000, SplitMethod::kEven, {}, 3);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(split->base, ElementsAre(100000000, 100000000, 100000000));
  EXPECT_THAT(split->challenge, ElementsAre(100000000, 100000000, 100000000));
}

TEST(SplitTarget, EvenSplitWithRemainderStaysExact) {
  // 1,000,000.00 over 3 months: 33,333,333.33… → 33333334 + 33333333 + 33333333.
  auto split = SplitTarget(100000000, 120000000, SplitMethod::kEven, {}, 3);
  ASSERT_TRUE(split.ok());
  EXPECT_THAT(split->base, ElementsAre(33333334, 33333333, 33333333));
  EXPECT_EQ(Sum(split->base), 100000000);
  // Challenge = base + the split of the 20,000,000 extra: 6666667 + 6666667 + 6666666.
  EXPECT_THAT(split->challenge, ElementsAre(40000001, 40000000, 39999999));
  EXPECT_EQ(Sum(split->challenge), 120000000);
}

TEST(SplitTarget, WeightsSixtyForty) {
  auto split = SplitTarget(1200000000, 1400000000, SplitMethod::kWeights, {{60, ""}, {40, ""}}, 2);
  ASSERT_TRUE(split.ok());
  EXPECT_THAT(split->base, ElementsAre(720000000, 480000000));
  EXPECT_THAT(split->challenge, ElementsAre(840000000, 560000000));
}

TEST(SplitTarget, PercentagesMustSumToExactlyHundred) {
  auto ok =
      SplitTarget(1000, 1000, SplitMethod::kPercentages, {{0, "30"}, {0, "30"}, {0, "40"}}, 3);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT(ok->base, ElementsAre(300, 300, 400));

  auto bad = SplitTarget(1000, 1000, SplitMethod::kPercentages,
                         {{0, "33.33"}, {0, "33.33"}, {0, "33.33"}}, 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("99.99"));
}

TEST(SplitTarget, ChallengeOfEachChildStaysAtLeastBase) {
  auto split = SplitTarget(7, 8, SplitMethod::kWeights, {{1, ""}, {1, ""}, {1, ""}}, 3);
  ASSERT_TRUE(split.ok());
  for (size_t i = 0; i < 3; ++i) EXPECT_GE(split->challenge[i], split->base[i]);
  EXPECT_EQ(Sum(split->base), 7);
  EXPECT_EQ(Sum(split->challenge), 8);
}

TEST(SplitTarget, RefusesBadShares) {
  EXPECT_THAT(SplitTarget(100, 100, SplitMethod::kWeights, {{1, ""}}, 2).status().message(),
              HasSubstr("allocations has 1 entries but there are 2 children"));
  EXPECT_THAT(
      SplitTarget(100, 100, SplitMethod::kWeights, {{1, ""}, {0, ""}}, 2).status().message(),
      HasSubstr("allocations[1].weight is 0"));
  EXPECT_THAT(SplitTarget(100, 100, SplitMethod::kEven, {}, 0).status().message(),
              HasSubstr("no children"));
}

TEST(SplitTarget, ZeroTargetSplitsIntoZeros) {
  auto split = SplitTarget(0, 0, SplitMethod::kEven, {}, 4);
  ASSERT_TRUE(split.ok());
  EXPECT_THAT(split->base, ElementsAre(0, 0, 0, 0));
}

TEST(CheckSplittable, RatiosAndMeansAreRefused) {
  EXPECT_TRUE(CheckSplittable(Sales()).ok());
  absl::Status st = CheckSplittable(CollectionRate());
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("collection_rate is not additive"));
  EXPECT_FALSE(CheckSplittable(*LookupMetric(3)).ok());  // average order value
}

}  // namespace
}  // namespace attain::target
