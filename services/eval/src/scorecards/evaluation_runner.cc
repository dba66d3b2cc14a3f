#include "services/eval/src/scorecards/evaluation_runner.h"

#include <functional>
#include <utility>

#include "absl/strings/str_format.h"
#include "common/concurrent.h"
#include "common/status.h"
#include "services/eval/src/domain/result_rules.h"
#include "services/eval/src/scorecards/shared_actuals.h"

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
  const bool quarter = period.kind() == PeriodKind::kQuarter;
  // Below-target runs look at the two quarters before, oldest first.
  const Period before1 = period.Previous();
  const Period before2 = before1.Previous();
  // The reps' cards and the unit's card read the same period and scope
  // several ways: each period's groupings in one call to ingest, the first
  // of them fetching for all (for the period itself, the unit card's
  // breakdowns too), and each period's customer stats per rep and in total
  // in another (made only if the template needs them).
  std::optional<Subject> scope;
  if (!is_company) scope = Subject{Subject::Kind::kUnit, unit_id};
  const std::vector<ActualsGrouping> totals = {ActualsGrouping::kRep, ActualsGrouping::kNone};
  const std::vector<ActualsGrouping> all = {
      ActualsGrouping::kRep,    ActualsGrouping::kNone,          ActualsGrouping::kProductLine,
      ActualsGrouping::kRegion, ActualsGrouping::kCustomerGrade, ActualsGrouping::kCustomerTier};
  SharedActuals actuals(maker_.actuals(), tenant,
                        {ActualsBatch{scope, period, all, /*customer_stats=*/true},
                         ActualsBatch{scope, period.Previous(), totals, /*customer_stats=*/true},
                         ActualsBatch{scope, period.SameLastYear(), totals,
                                      /*customer_stats=*/true}});
  ScorecardMaker maker = maker_.WithActuals(actuals);
  // The reps' cards, the unit's card, the history and the unit's targets are
  // independent: fetched and computed at once.
  EvaluationDraft draft;
  absl::flat_hash_map<std::string, std::optional<int64_t>> older, newer;
  TargetsByMetric unit_targets;
  std::vector<std::function<absl::Status()>> tasks;
  tasks.push_back([&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<std::string> reps,
                     org_.RepsIn(tenant, unit_id, period.last_day()));
    if (reps.empty()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "unit \"%s\" has no reps on %s (the last day of %s): there is nothing to evaluate",
          unit_id, absl::FormatCivilTime(period.last_day()), period.ToString()));
    }
    ASSIGN_OR_RETURN(draft.reps, maker.MakeForReps(UnitRepsQuery{tenant, unit_id, is_company,
                                                                 period, tmpl, std::move(reps)}));
    return absl::OkStatus();
  });
  tasks.push_back([&] {
    return maker.Make(ScorecardQuery{tenant, Subject{Subject::Kind::kUnit, unit_id}, is_company,
                                     period, tmpl, ""},
                      &draft.unit_card);
  });
  if (quarter) {
    tasks.push_back([&]() -> absl::Status {
      ASSIGN_OR_RETURN(older, history(before2));
      ASSIGN_OR_RETURN(newer, history(before1));
      return absl::OkStatus();
    });
    tasks.push_back([&]() -> absl::Status {
      ASSIGN_OR_RETURN(unit_targets,
                       targets_.ForSubject(tenant, Subject{Subject::Kind::kUnit, unit_id}, period));
      return absl::OkStatus();
    });
  }
  RETURN_IF_ERROR(RunConcurrently(std::move(tasks)));
  if (!quarter) {
    // The one rule that is not about quarters.
    for (RepScorecard& rc : draft.reps) {
      if (!rc.card.special_contributions().empty()) rc.card.add_flags("special_contribution");
    }
    return draft;
  }

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
                     JudgeQuarter(quarters, rc.in_top_share,
                                  /*outlier_flagged=*/!rc.card.special_contributions().empty()));
    if (verdict.bonus_eligible) rc.card.add_flags("bonus_eligible");
    if (verdict.below_target.consequence == Consequence::kWarning) rc.card.add_flags("warning");
    if (verdict.below_target.consequence == Consequence::kPenalty) rc.card.add_flags("penalty");
    if (verdict.outlier_flagged) rc.card.add_flags("special_contribution");
  }

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
