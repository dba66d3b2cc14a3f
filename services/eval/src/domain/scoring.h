// Scoring rules (DOMAIN.md §6): attainment of an actual against its target and
// the points each rule of scorecard_template.h earns for it. Exact integer
// arithmetic; every quotient rounded half up once (arithmetic.h).
//
// The rules read the attainment as a scorecard shows it (whole basis points),
// so that anyone can recompute an indicator's points from its row alone: a
// rep shown 94.00 % knows that a whole-step rule took one step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/eval/src/domain/scorecard_template.h"

namespace attain::eval {

// The attainment of a lower-is-better actual of 0 against a target above 0:
// better than any ratio, so every capped rule pays its cap and a bands rule
// its last band.
inline constexpr int64_t kUnboundedAttainment = std::numeric_limits<int64_t>::max();

// How an actual compares with its target.
struct Attainment {
  // Shown on the scorecard, basis points (10000 = 100.00 %), rounded half up:
  // actual / target for higher-is-better metrics, target / actual for
  // lower-is-better ones. May be negative (a net-negative actual). nullopt
  // when there is no ratio: a target of 0 on a higher-is-better metric, an
  // actual of 0 on a lower-is-better one.
  std::optional<int64_t> shown_bp;
  // What the rules read, basis points: shown_bp when set; otherwise 10000 when
  // the actual meets a target of 0 exactly or better (higher-is-better actual
  // >= 0, lower-is-better actual 0), 0 when it misses it (higher-is-better
  // actual < 0), kUnboundedAttainment for a lower-is-better actual of 0
  // against a target > 0.
  int64_t scored_bp = 0;
};

// INVALID_ARGUMENT for a negative target, or a negative actual of a
// lower-is-better metric (days and churn cannot be negative).
absl::StatusOr<Attainment> ComputeAttainment(int64_t target, int64_t actual, bool lower_is_better);

// actual − target, in the metric's unit, signed so that a positive gap is
// always good: target − actual for lower-is-better metrics. OUT_OF_RANGE on overflow.
absl::StatusOr<int64_t> ComputeGap(int64_t target, int64_t actual, bool lower_is_better);

// The points (hundredths) each rule earns for `scored_bp` (Attainment::scored_bp)
// out of `points` (hundredths, >= 0). Attainment below 0 counts as 0 %. The
// rule is assumed valid (ValidateTemplate); results are never negative.

// points × min(max(attainment, 0), cap) / 10000.
absl::StatusOr<int64_t> LinearPoints(const LinearRule& rule, int64_t points, int64_t scored_bp);

// At >= 100 %: points × min(attainment, cap) / 10000. Below: points minus
// `deduction` per step of shortfall (10000 − attainment), steps counted per
// `mode` (whole: floor, started: ceiling, proportional: exact, the
// deduction rounded half up), never below 0.
absl::StatusOr<int64_t> StepDeductionPoints(const StepDeductionRule& rule, int64_t points,
                                            int64_t scored_bp);

// points × fraction of the band containing the attainment (lower inclusive,
// upper exclusive; negative attainment → the first band). INVALID_ARGUMENT
// when no band contains it (an invalid table).
absl::StatusOr<int64_t> BandPoints(const BandsRule& rule, int64_t points, int64_t scored_bp);

// Like LinearPoints, for an attainment computed as target / actual.
absl::StatusOr<int64_t> InversePoints(const InverseRule& rule, int64_t points, int64_t scored_bp);

// The index of the level an actual (metric unit) falls in: the first level
// whose min_actual <= actual, else the last level. INVALID_ARGUMENT when the
// scale has no thresholds (its level must be given).
absl::StatusOr<size_t> ScaleLevelForActual(const ScaleRule& rule, int64_t actual);

// The index of the level labelled `label`; INVALID_ARGUMENT naming the
// labels when there is none.
absl::StatusOr<size_t> ScaleLevelByLabel(const ScaleRule& rule, absl::string_view label);

// points × levels[level].value / levels[0].value.
absl::StatusOr<int64_t> ScalePoints(const ScaleRule& rule, int64_t points, size_t level);

}  // namespace attain::eval
