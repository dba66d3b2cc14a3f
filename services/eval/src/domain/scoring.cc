#include "services/eval/src/domain/scoring.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/money.h"
#include "common/status.h"

namespace attain::eval {
namespace {

absl::Status CheckPoints(int64_t points) {
  if (points < 0) {
    return absl::InvalidArgumentError(absl::StrCat("points ", points, " are negative"));
  }
  return absl::OkStatus();
}

// points × clamp(attainment, 0, cap) / 10000: the shared core of linear,
// inverse and the over-achievement part of step deduction.
absl::StatusOr<int64_t> CappedShare(int64_t points, int64_t scored_bp, int64_t cap_bp) {
  RETURN_IF_ERROR(CheckPoints(points));
  const int64_t capped = std::clamp<int64_t>(scored_bp, 0, cap_bp);
  return DivideRoundHalfUp(absl::int128(points) * capped, kFullAttainment);
}

}  // namespace

absl::StatusOr<Attainment> ComputeAttainment(int64_t target, int64_t actual, bool lower_is_better) {
  if (target < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", target, " is negative: targets are >= 0"));
  }
  Attainment a;
  if (!lower_is_better) {
    if (target == 0) {
      // Nothing was asked for: any non-negative actual meets it exactly; a
      // ratio would be meaningless, so none is shown and over-achievement of
      // a zero target earns no bonus.
      a.scored_bp = actual >= 0 ? kFullAttainment : 0;
      return a;
    }
    ASSIGN_OR_RETURN(a.scored_bp,
                     DivideRoundHalfUp(absl::int128(actual) * kFullAttainment, target));
    a.shown_bp = a.scored_bp;
    return a;
  }
  if (actual < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "actual ", actual, " of a lower-is-better metric is negative: days and shares are >= 0"));
  }
  if (actual == 0) {
    a.scored_bp = target == 0 ? kFullAttainment : kUnboundedAttainment;
    return a;
  }
  ASSIGN_OR_RETURN(a.scored_bp, DivideRoundHalfUp(absl::int128(target) * kFullAttainment, actual));
  a.shown_bp = a.scored_bp;
  return a;
}

absl::StatusOr<int64_t> ComputeGap(int64_t target, int64_t actual, bool lower_is_better) {
  // a − b as a + (−b); −INT64_MIN does not exist, and targets are >= 0 anyway.
  if (lower_is_better) {
    if (actual == std::numeric_limits<int64_t>::min()) {
      return absl::OutOfRangeError("gap does not fit a 64-bit integer");
    }
    return CheckedAdd(target, -actual);
  }
  if (target == std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("gap does not fit a 64-bit integer");
  }
  return CheckedAdd(actual, -target);
}

absl::StatusOr<int64_t> LinearPoints(const LinearRule& rule, int64_t points, int64_t scored_bp) {
  return CappedShare(points, scored_bp, rule.cap_bp);
}

absl::StatusOr<int64_t> InversePoints(const InverseRule& rule, int64_t points, int64_t scored_bp) {
  return CappedShare(points, scored_bp, rule.cap_bp);
}

absl::StatusOr<int64_t> StepDeductionPoints(const StepDeductionRule& rule, int64_t points,
                                            int64_t scored_bp) {
  RETURN_IF_ERROR(CheckPoints(points));
  if (rule.step_bp <= 0 || rule.deduction < 0) {
    return absl::InvalidArgumentError("step deduction needs a step size > 0 and a deduction >= 0");
  }
  if (scored_bp >= kFullAttainment) return CappedShare(points, scored_bp, rule.cap_bp);
  // Below 0 % deducts as at 0 %: the floor at 0 points is reached by then for
  // any sensible table, and it keeps the shortfall within 0..10000.
  const int64_t shortfall = kFullAttainment - std::max<int64_t>(scored_bp, 0);
  absl::int128 deduction = 0;
  switch (rule.mode) {
    case StepMode::kWholeSteps:
      deduction = absl::int128(shortfall / rule.step_bp) * rule.deduction;
      break;
    case StepMode::kStartedSteps:
      deduction = absl::int128((shortfall + rule.step_bp - 1) / rule.step_bp) * rule.deduction;
      break;
    case StepMode::kProportional: {
      ASSIGN_OR_RETURN(int64_t exact,
                       DivideRoundHalfUp(absl::int128(rule.deduction) * shortfall, rule.step_bp));
      deduction = exact;
      break;
    }
  }
  if (deduction >= points) return 0;
  return points - static_cast<int64_t>(deduction);
}

absl::StatusOr<int64_t> BandPoints(const BandsRule& rule, int64_t points, int64_t scored_bp) {
  RETURN_IF_ERROR(CheckPoints(points));
  const int64_t a = std::max<int64_t>(scored_bp, 0);
  for (size_t i = 0; i < rule.bands.size(); ++i) {
    const AttainmentBand& band = rule.bands[i];
    // Negative attainment belongs to the first band (see BandsRule).
    const bool above_lower = a >= band.lower_bp || i == 0;
    const bool below_upper = !band.upper_bp.has_value() || a < *band.upper_bp;
    if (above_lower && below_upper) {
      return DivideRoundHalfUp(absl::int128(points) * band.fraction_bp, kFullAttainment);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("no band contains attainment ", scored_bp, " bp: the bands leave a gap"));
}

absl::StatusOr<size_t> ScaleLevelForActual(const ScaleRule& rule, int64_t actual) {
  if (rule.levels.empty() || !rule.levels[0].min_actual.has_value()) {
    return absl::InvalidArgumentError(
        "the scale has no thresholds: give the level directly (scale_level)");
  }
  for (size_t i = 0; i < rule.levels.size(); ++i) {
    const std::optional<int64_t>& min = rule.levels[i].min_actual;
    if (!min.has_value() || actual >= *min) return i;
  }
  // Every level has a threshold and the actual is below all of them; a valid
  // scale leaves the last level open, so this is a malformed one.
  return absl::InvalidArgumentError(absl::StrCat(
      "actual ", actual, " is below every level of the scale: leave the last level open"));
}

absl::StatusOr<size_t> ScaleLevelByLabel(const ScaleRule& rule, absl::string_view label) {
  std::vector<std::string> labels;
  for (size_t i = 0; i < rule.levels.size(); ++i) {
    if (rule.levels[i].label == label) return i;
    labels.push_back(rule.levels[i].label);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("scale level \"", label,
                   "\" is not one of the scale's levels: ", absl::StrJoin(labels, ", ")));
}

absl::StatusOr<int64_t> ScalePoints(const ScaleRule& rule, int64_t points, size_t level) {
  RETURN_IF_ERROR(CheckPoints(points));
  if (level >= rule.levels.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scale level ", level, " is out of range: the scale has ", rule.levels.size(), " levels"));
  }
  const int64_t max_value = rule.levels[0].value;
  if (max_value <= 0) {
    return absl::InvalidArgumentError("the scale's best level needs a value > 0");
  }
  const int64_t value = std::clamp<int64_t>(rule.levels[level].value, 0, max_value);
  return DivideRoundHalfUp(absl::int128(points) * value, max_value);
}

}  // namespace attain::eval
