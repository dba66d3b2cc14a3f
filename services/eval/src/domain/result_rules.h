// Rules on evaluation results (DOMAIN.md §6, seeds 003 and 004): warnings
// and penalties for quarters below target, the team fund for a team well
// over its quarterly target, bonus eligibility from the top share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace attain::eval {

// One quarter of a rep's history.
struct QuarterAttainment {
  std::string period;  // canonical quarter, e.g. "2025-Q1"
  // Attainment of the quarter's target, basis points; nullopt when there is
  // no attainment (no target, no data). Below target means < 10000: exactly
  // 100.00 % is on target.
  std::optional<int64_t> attainment_bp;
};

enum class Consequence {
  kNone,
  kWarning,  // 2 consecutive quarters below target: written warning (书面警告)
  kPenalty,  // 3 or more: penalty (处罚)
};

struct BelowTargetOutcome {
  // Consecutive quarters below target ending with the last one in the
  // history; a quarter without attainment ends the run (a consequence needs
  // figures behind it).
  int64_t quarters_below = 0;
  Consequence consequence = Consequence::kNone;
};

// `history` is consecutive quarters, oldest first, ending with the quarter
// under review (an empty history has no consequence). INVALID_ARGUMENT for a
// period that is not a quarter or a history with a gap or out of order.
absl::StatusOr<BelowTargetOutcome> BelowTargetConsequence(
    const std::vector<QuarterAttainment>& history);

// Seed 004: 当团队季度业绩超额20%时,提取超额部分的15%作为"团队发展基金".
struct TeamFundPolicy {
  int64_t threshold_bp = 2000;  // over target by strictly more than this share of it
  int64_t share_bp = 1500;      // share of the excess (actual − target) paid into the fund
};

struct TeamFund {
  bool eligible = false;  // actual > target × (1 + threshold), target > 0
  int64_t excess = 0;     // actual − target when eligible, else 0; minor units
  int64_t fund = 0;       // excess × share, rounded half up to the minor unit; 0 if not eligible
};

// The team fund of one quarter; money in minor units. A target of 0 never
// qualifies (there is no "20 % over nothing"). INVALID_ARGUMENT for a
// negative target or a policy with a negative threshold or a share outside
// 0..10000; OUT_OF_RANGE on overflow.
absl::StatusOr<TeamFund> ComputeTeamFund(int64_t quarterly_target, int64_t actual,
                                         const TeamFundPolicy& policy = {});

// The quarter's verdict for one rep.
struct QuarterVerdict {
  bool bonus_eligible = false;  // in the top share of the quarter's ranking (seed 003: top 10 %)
  BelowTargetOutcome below_target;
  // Passed through from ingestion: the quarter holds an outlier flagged as a
  // special contribution (特殊贡献). It changes nothing here; the committee
  // decides, so the flag travels with the verdict.
  bool outlier_flagged = false;
};

// Combines the rules: `in_top_share` from Rank (RankedEntry::in_top_share
// with top_share_bp = 1000), the history as for BelowTargetConsequence.
absl::StatusOr<QuarterVerdict> JudgeQuarter(const std::vector<QuarterAttainment>& history,
                                            bool in_top_share, bool outlier_flagged);

}  // namespace attain::eval
