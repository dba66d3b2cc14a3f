#include "services/eval/src/domain/growth.h"

#include <optional>

#include "gtest/gtest.h"

namespace attain::eval {
namespace {

TEST(GrowthTest, RelativeChangeInBasisPoints) {
  Growth down = *ComputeGrowth(9000, 12000);  // (9000 − 12000) / 12000 = −25 %
  EXPECT_EQ(down.status, GrowthStatus::kOk);
  EXPECT_EQ(down.bp, -2500);
  EXPECT_EQ(ComputeGrowth(12000, 10000)->bp, 2000);  // +20 %
  EXPECT_EQ(ComputeGrowth(10000, 10000)->bp, 0);
  // Seed 001 模板3 reports +15 % QoQ for 1,650,000; a base of 1,434,783 gives
  // 215,217 / 1,434,783 = 14.99997 % → 1500 bp.
  EXPECT_EQ(ComputeGrowth(1650000, 1434783)->bp, 1500);
}

TEST(GrowthTest, RoundsHalfUp) {
  EXPECT_EQ(ComputeGrowth(1, 3)->bp, -6667);      // −66.667 %
  EXPECT_EQ(ComputeGrowth(2, 3)->bp, -3333);      // −33.333 %
  EXPECT_EQ(ComputeGrowth(20001, 20000)->bp, 1);  // +0.5 bp → 1
  EXPECT_EQ(ComputeGrowth(19999, 20000)->bp, 0);  // −0.5 bp → 0 (toward +infinity)
}

TEST(GrowthTest, ZeroBaseAndNoData) {
  Growth flat = *ComputeGrowth(0, 0);
  EXPECT_EQ(flat.status, GrowthStatus::kOk);
  EXPECT_EQ(flat.bp, 0);
  Growth fresh = *ComputeGrowth(500, 0);
  EXPECT_EQ(fresh.status, GrowthStatus::kZeroBase);
  EXPECT_EQ(fresh.bp, std::nullopt);
  EXPECT_EQ(ComputeGrowth(-5, 0)->status, GrowthStatus::kZeroBase);
  EXPECT_EQ(ComputeGrowth(std::nullopt, 100)->status, GrowthStatus::kNoData);
  EXPECT_EQ(ComputeGrowth(100, std::nullopt)->status, GrowthStatus::kNoData);
  EXPECT_EQ(ComputeGrowth(100, std::nullopt)->bp, std::nullopt);
}

TEST(GrowthTest, NegativeBaseKeepsUpMeaningUp) {
  EXPECT_EQ(ComputeGrowth(-50, -100)->bp, 5000);     // a loss halved: +50 %
  EXPECT_EQ(ComputeGrowth(-200, -100)->bp, -10000);  // a loss doubled: −100 %
  EXPECT_EQ(ComputeGrowth(100, -100)->bp, 20000);
}

}  // namespace
}  // namespace attain::eval
