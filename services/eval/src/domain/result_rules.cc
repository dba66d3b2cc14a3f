#include "services/eval/src/domain/result_rules.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/period.h"
#include "common/status.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {

absl::StatusOr<BelowTargetOutcome> BelowTargetConsequence(
    const std::vector<QuarterAttainment>& history) {
  std::optional<Period> previous;
  for (size_t i = 0; i < history.size(); ++i) {
    absl::StatusOr<Period> period = Period::Parse(history[i].period);
    if (!period.ok()) return Annotate(period.status(), absl::StrCat("history[", i, "]"));
    if (period->kind() != PeriodKind::kQuarter) {
      return absl::InvalidArgumentError(absl::StrCat(
          "history[", i, "]: period \"", history[i].period, "\" is not a quarter, e.g. 2025-Q1"));
    }
    if (previous.has_value() && *period != previous->Next()) {
      return absl::InvalidArgumentError(absl::StrCat("history[", i, "]: ", history[i].period,
                                                     " does not follow ", previous->ToString(),
                                                     ": give consecutive quarters, oldest first"));
    }
    previous = *period;
  }

  BelowTargetOutcome outcome;
  for (size_t i = history.size(); i > 0; --i) {
    const std::optional<int64_t>& a = history[i - 1].attainment_bp;
    if (!a.has_value() || *a >= kFullAttainment) break;
    ++outcome.quarters_below;
  }
  if (outcome.quarters_below >= 3) {
    outcome.consequence = Consequence::kPenalty;
  } else if (outcome.quarters_below == 2) {
    outcome.consequence = Consequence::kWarning;
  }
  return outcome;
}

absl::StatusOr<TeamFund> ComputeTeamFund(int64_t quarterly_target, int64_t actual,
                                         const TeamFundPolicy& policy) {
  if (quarterly_target < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("quarterly target ", quarterly_target, " is negative"));
  }
  if (policy.threshold_bp < 0 || policy.share_bp < 0 || policy.share_bp > kFullAttainment) {
    return absl::InvalidArgumentError(
        "team fund policy needs a threshold >= 0 and a share in 0..10000 bp");
  }
  TeamFund fund;
  // actual > target × (1 + threshold) ⇔ actual × 10000 > target × (10000 + threshold),
  // exact in 128 bits.
  const absl::int128 lhs = absl::int128(actual) * kFullAttainment;
  const absl::int128 rhs =
      absl::int128(quarterly_target) * (absl::int128(kFullAttainment) + policy.threshold_bp);
  if (quarterly_target == 0 || lhs <= rhs) return fund;
  fund.eligible = true;
  // actual > target >= 0 here, so the difference is positive and fits.
  fund.excess = actual - quarterly_target;
  ASSIGN_OR_RETURN(fund.fund,
                   DivideRoundHalfUp(absl::int128(fund.excess) * policy.share_bp, kFullAttainment));
  return fund;
}

absl::StatusOr<QuarterVerdict> JudgeQuarter(const std::vector<QuarterAttainment>& history,
                                            bool in_top_share, bool outlier_flagged) {
  QuarterVerdict verdict;
  ASSIGN_OR_RETURN(verdict.below_target, BelowTargetConsequence(history));
  verdict.bonus_eligible = in_top_share;
  verdict.outlier_flagged = outlier_flagged;
  return verdict;
}

}  // namespace attain::eval
