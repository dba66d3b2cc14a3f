// The one rounding rule (common/arithmetic.h).
#include "common/arithmetic.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace attain {
namespace {

TEST(DivideRoundHalfUpTest, RoundsHalvesTowardPlusInfinity) {
  EXPECT_EQ(*DivideRoundHalfUp(5, 2), 3);    // 2.5 → 3
  EXPECT_EQ(*DivideRoundHalfUp(-5, 2), -2);  // −2.5 → −2
  EXPECT_EQ(*DivideRoundHalfUp(5, -2), -2);  // same quotient, sign on the divisor
  EXPECT_EQ(*DivideRoundHalfUp(7, 3), 2);    // 2.33 → 2
  EXPECT_EQ(*DivideRoundHalfUp(8, 3), 3);    // 2.67 → 3
  EXPECT_EQ(*DivideRoundHalfUp(-8, 3), -3);  // −2.67 → −3
  EXPECT_EQ(DivideRoundHalfUp(1, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DivideRoundHalfUp(absl::int128(INT64_MAX) * 4, 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(DivideRoundHalfUpTest, WideOperandsAndEdges) {
  // 128-bit products of int64 values divide exactly.
  const absl::int128 big = absl::int128(INT64_MAX) * 10000;
  EXPECT_EQ(*DivideRoundHalfUp(big, 10000), INT64_MAX);
  EXPECT_EQ(*DivideRoundHalfUp(absl::int128(INT64_MIN), 1), INT64_MIN);
  EXPECT_EQ(*DivideRoundHalfUp(0, -7), 0);
  EXPECT_EQ(*DivideRoundHalfUp(1, 2), 1);    // 0.5 → 1
  EXPECT_EQ(*DivideRoundHalfUp(-1, 2), 0);   // −0.5 → 0
  EXPECT_EQ(*DivideRoundHalfUp(-3, -2), 2);  // 1.5 → 2
}

TEST(MagnitudeTest, IsDefinedForEveryInt64) {
  EXPECT_EQ(Magnitude(0), 0u);
  EXPECT_EQ(Magnitude(-5), 5u);
  EXPECT_EQ(Magnitude(std::numeric_limits<int64_t>::max()), 9223372036854775807u);
  EXPECT_EQ(Magnitude(std::numeric_limits<int64_t>::min()), 9223372036854775808u);
}

}  // namespace
}  // namespace attain
