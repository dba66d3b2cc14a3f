// Exact integer arithmetic for the review domain (a copy of the one rounding
// rule of services/eval/src/domain/arithmetic.h, so that the review domain
// does not depend on the evaluation's).
//
// Units: attainment and ratios in basis points (10000 = 100.00 %); metric
// values in the metric's unit (common/metric.h: money in minor units, counts,
// ratios in basis points, scores and days in hundredths); durations in whole
// minutes; dates as absl::CivilDay.
#pragma once

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"

namespace attain::review {

// 100.00 % in basis points.
inline constexpr int64_t kFullAttainment = 10000;

// numerator / denominator rounded half up (to the nearest integer, halves
// toward +infinity: 2.5 → 3, −2.5 → −2). INVALID_ARGUMENT when `denominator`
// is 0 (a negative one flips both signs); OUT_OF_RANGE when the result does
// not fit int64. Operands must be below 2^126 in magnitude.
absl::StatusOr<int64_t> DivideRoundHalfUp(absl::int128 numerator, absl::int128 denominator);

// |value| as an unsigned 64-bit number; defined for INT64_MIN too.
inline uint64_t Magnitude(int64_t value) {
  return value < 0 ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
}

}  // namespace attain::review
