// Exact integer arithmetic and the units shared by the evaluation domain.
//
// Units used throughout attain::eval:
//   - points: hundredths of a point (int64). 100 points = 10000. A scorecard's
//     indicators carry 100 points in all; totals are exact sums.
//   - attainment, caps and fractions: basis points (int64). 10000 = 100.00 %.
//   - metric values: the metric's unit (common/metric.h): money in minor units,
//     counts, ratios in basis points, scores and days in hundredths.
//
// The one rounding rule (kFullAttainment, DivideRoundHalfUp) is
// common/arithmetic.h's.
#pragma once

#include <cstdint>

#include "common/arithmetic.h"

namespace attain::eval {

// One point in hundredths of a point.
inline constexpr int64_t kOnePoint = 100;
// The points of a whole template: 100 points.
inline constexpr int64_t kTemplatePoints = 100 * kOnePoint;

}  // namespace attain::eval
