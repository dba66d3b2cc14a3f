#include "services/eval/src/scorecards/evaluation_runner.h"

#include <utility>

#include "absl/strings/str_format.h"
#include "common/status.h"
#include "services/eval/src/domain/result_rules.h"

namespace attain::eval {
namespace {

constexpr int kSalesAmount = 1;  // attain.type.v1.METRIC_SALES_AMOUNT

}  // namespace

absl::StatusOr<EvaluationDraft> EvaluationRunner::Run(const std::string& tenant,
                                                      const std::string& unit_id,
                                                      const Period& period,
                                                      const ScorecardTemplate& tmpl,
                                                      const FinalAttainmentsFn& history) {
  ASSIGN_OR_RETURN(UnitInfo unit, org_.Unit(tenant, unit_id));
  const bool is_company = unit.parent_id.empty();
  ASSIGN_OR_RETURN(std::vector<std::string> reps, org_.RepsIn(tenant, unit_id, period.last_day()));
  if (reps.empty()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "unit \"%s\" has no reps on %s (the last day of %s): there is nothing to evaluate", unit_id,
        absl::FormatCivilTime(period.last_day()), period.ToString()));
  }
  EvaluationDraft draft;
  ASSIGN_OR_RETURN(draft.reps, maker_.MakeForReps(UnitRepsQuery{tenant, unit_id, is_company, period,
                                                                tmpl, std::move(reps)}));
  RETURN_IF_ERROR(maker_.Make(
      ScorecardQuery{tenant, Subject{Subject::Kind::kUnit, unit_id}, is_company, period, tmpl, ""},
      &draft.unit_card));
  if (period.kind() != PeriodKind::kQuarter) return draft;

  // Below-target runs: the two quarters before, oldest first.
  const Period before1 = period.Previous();
  const Period before2 = before1.Previous();
  ASSIGN_OR_RETURN(auto older, history(before2));
  ASSIGN_OR_RETURN(auto newer, history(before1));
  auto at = [](const absl::flat_hash_map<std::string, std::optional<int64_t>>& m,
               const std::string& rep) -> std::optional<int64_t> {
    auto it = m.find(rep);
    return it == m.end() ? std::nullopt : it->second;
  };
  int64_t unit_sales = 0;
  for (RepScorecard& rc : draft.reps) {
    const std::string& rep = rc.card.subject().id();
    unit_sales += rc.sales_amount;
    std::vector<QuarterAttainment> quarters = {{before2.ToString(), at(older, rep)},
                                               {before1.ToString(), at(newer, rep)},
                                               {period.ToString(), rc.sales_attainment_bp}};
    ASSIGN_OR_RETURN(QuarterVerdict verdict,
                     JudgeQuarter(quarters, rc.in_top_share, /*outlier_flagged=*/false));
    if (verdict.bonus_eligible) rc.card.add_flags("bonus_eligible");
    if (verdict.below_target.consequence == Consequence::kWarning) rc.card.add_flags("warning");
    if (verdict.below_target.consequence == Consequence::kPenalty) rc.card.add_flags("penalty");
  }

  ASSIGN_OR_RETURN(TargetsByMetric unit_targets,
                   targets_.ForSubject(tenant, Subject{Subject::Kind::kUnit, unit_id}, period));
  if (auto it = unit_targets.find(kSalesAmount); it != unit_targets.end()) {
    ASSIGN_OR_RETURN(TeamFund fund, ComputeTeamFund(it->second.base_value, unit_sales));
    if (fund.eligible) {
      draft.unit_card.add_flags("team_fund");
      draft.unit_card.set_team_fund(fund.fund);
      draft.unit_card.set_currency_code(it->second.currency_code);
    }
  }
  return draft;
}

}  // namespace attain::eval
