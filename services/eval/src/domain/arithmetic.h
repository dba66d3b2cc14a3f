// Exact integer arithmetic and the units shared by the evaluation domain.
//
// Units used throughout attain::eval:
//   - points: hundredths of a point (int64). 100 points = 10000. A scorecard's
//     indicators carry 100 points in all; totals are exact sums.
//   - attainment, caps and fractions: basis points (int64). 10000 = 100.00 %.
//   - metric values: the metric's unit (common/metric.h): money in minor units,
//     counts, ratios in basis points, scores and days in hundredths.
//
// The one rounding rule: every quotient is computed exactly (128-bit) and
// rounded half up, i.e. to the nearest integer with halves toward +infinity
// (2.5 → 3, −2.5 → −2), once, at the last step of each quantity.
#pragma once

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"

namespace attain::eval {

// 100.00 % in basis points; also the scale of caps and point fractions.
inline constexpr int64_t kFullAttainment = 10000;
// One point in hundredths of a point.
inline constexpr int64_t kOnePoint = 100;
// The points of a whole template: 100 points.
inline constexpr int64_t kTemplatePoints = 100 * kOnePoint;

// numerator / denominator rounded half up (toward +infinity). `denominator`
// must not be 0 (a negative one flips both signs). OUT_OF_RANGE when the
// result does not fit int64.
absl::StatusOr<int64_t> DivideRoundHalfUp(absl::int128 numerator, absl::int128 denominator);

}  // namespace attain::eval
