// Exact integer arithmetic shared by the domains: the one rounding rule.
//
// Every quotient is computed exactly (128-bit) and rounded half up, i.e. to
// the nearest integer with halves toward +infinity (2.5 → 3, −2.5 → −2), once,
// at the last step of each quantity. Attainment and ratios are in basis points
// (10000 = 100.00 %); metric values in the metric's unit (common/metric.h).
#pragma once

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"

namespace attain {

// 100.00 % in basis points; also the scale of caps and point fractions.
inline constexpr int64_t kFullAttainment = 10000;

// numerator / denominator rounded half up (toward +infinity). INVALID_ARGUMENT
// when `denominator` is 0 (a negative one flips both signs); OUT_OF_RANGE when
// the result does not fit int64. Operands must be below 2^126 in magnitude
// (int64 products are).
absl::StatusOr<int64_t> DivideRoundHalfUp(absl::int128 numerator, absl::int128 denominator);

// |value| as an unsigned 64-bit number; defined for INT64_MIN too.
inline uint64_t Magnitude(int64_t value) {
  return value < 0 ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
}

}  // namespace attain
