// Runs an evaluation (DOMAIN.md §6): the scorecards of every rep under a unit
// for a period, ranked among themselves, the unit's own scorecard, and the
// rules on results (domain/result_rules.h) as flags. Saves nothing: the
// caller stores the draft.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "common/period.h"
#include "services/eval/src/scorecards/scorecard_maker.h"
#include "services/eval/src/scorecards/sources.h"

namespace attain::eval {

// Per rep, the sales attainment (basis points; nullopt = none) in the unit's
// final evaluation of a period; an empty map when there is none.
using FinalAttainmentsFn =
    std::function<absl::StatusOr<absl::flat_hash_map<std::string, std::optional<int64_t>>>(
        const Period&)>;

struct EvaluationDraft {
  std::vector<RepScorecard> reps;  // by rank, then rep id; flags set
  v1::Scorecard unit_card;         // the unit's scorecard; "team_fund" flagged on it
};

class EvaluationRunner {
 public:
  // Everything must outlive the runner.
  EvaluationRunner(ScorecardMaker& maker, TargetRecordSource& targets, OrgSource& org)
      : maker_(maker), targets_(targets), org_(org) {}

  // Flags, for every period:
  //   "special_contribution": the rep's card lists special contributions
  //     (orders of the period credited to the unit above 5 × the rep's
  //     trailing 90-day median, from ingest; MakeForReps fetches them);
  // and for quarters only (the rules speak of quarters):
  //   "bonus_eligible": in the top 10 % of this evaluation's ranking;
  //   "warning" / "penalty": below the base sales target (attainment < 100 %)
  //     this quarter and in the unit's final evaluations of the 1 / 2+
  //     quarters before (read through `history`, oldest needed first);
  //   "team_fund" on the unit card: the unit's sales (Σ of its reps' under
  //     the unit) over its base sales target by more than 20 %; team_fund =
  //     15 % of the excess, in the target's currency.
  // FAILED_PRECONDITION when the unit has no reps on the period's last day.
  absl::StatusOr<EvaluationDraft> Run(const std::string& tenant, const std::string& unit_id,
                                      const Period& period, const ScorecardTemplate& tmpl,
                                      const FinalAttainmentsFn& history);

 private:
  ScorecardMaker& maker_;
  TargetRecordSource& targets_;
  OrgSource& org_;
};

}  // namespace attain::eval
