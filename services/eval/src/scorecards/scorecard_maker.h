// Computes a scorecard (DOMAIN.md §6) from the sources: targets from the
// target service, actuals from ingest's additive components, the template's
// rules (domain/scorecard.h) for points, growth against the previous period
// and the same period a year earlier, the rank among the rep's team-mates,
// and breakdowns of sales. Computes and saves nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "services/eval/src/domain/scorecard.h"
#include "services/eval/src/domain/scorecard_template.h"
#include "services/eval/src/scorecards/sources.h"

namespace attain::eval {

// What ingest counted for a subject and period, plus the customer counts the
// template's indicators need (others stay nullopt: not fetched).
struct ActualsBundle {
  Components components;
  int64_t cell_count = 0;
  ExtraInputs extra;
};

// The actual of `metric` from a bundle, in the metric's unit; nullopt = no
// data (a quotient over 0, or a metric no source provides: the overdue
// receivable share needs finance figures ingest does not hold).
absl::StatusOr<std::optional<int64_t>> ActualOf(int metric, const ActualsBundle& bundle);

// The components (and extra inputs) `metric` is computed from, as
// (name, value) for the Explanation, in their units.
std::vector<std::pair<std::string, int64_t>> ComponentsUsed(int metric,
                                                            const ActualsBundle& bundle);

// The domain inputs of `tmpl` for one subject: targets by source (base or
// challenge level of the target service's record of the indicator's metric;
// fixed and none from the template), actuals via ActualOf, explanations.
absl::StatusOr<std::vector<IndicatorInput>> MakeInputs(const ScorecardTemplate& tmpl,
                                                       const TargetsByMetric& targets,
                                                       const ActualsBundle& actuals);

// Sets the customer inputs of `extra` (repurchase, churn, new-customer
// first-month sales) from ingest's customer stats of the subject.
void SetCustomerExtras(const CustomerStatsGroup& stats, ExtraInputs* extra);

struct ScorecardQuery {
  std::string tenant;
  Subject subject;
  // Ingest does not know the company's root unit: a company's actuals are
  // asked for with no scope.
  bool subject_is_company = false;
  Period period;
  ScorecardTemplate tmpl;
  // For a rep: their team on the period's last day, whose reps are the peers
  // ranked; "" = not ranked (no team, or a unit subject).
  std::string peer_team;
};

// Every rep of a unit for an evaluation (RunEvaluation).
struct UnitRepsQuery {
  std::string tenant;
  std::string unit_id;
  bool unit_is_company = false;  // ingest is asked with no scope
  Period period;
  ScorecardTemplate tmpl;
  std::vector<std::string> reps;  // the unit's subtree on the period's last day
  // Whether the cards list the reps' special contributions (the orders of
  // the period credited to the unit — every order for the company — far
  // above the rep's usual): one more call to ingest. The flag is the
  // caller's (EvaluationRunner).
  bool special_contributions = true;
};

// One rep's scorecard in an evaluation, with what the rules on results need.
struct RepScorecard {
  v1::Scorecard card;  // rank and peer_count among the query's reps; no breakdowns
  // Attainment of the rep's base sales target (metric 1) in basis points,
  // rounded half up; nullopt without a target above 0 or without data.
  std::optional<int64_t> sales_attainment_bp;
  bool in_top_share = false;  // in the top 10 % of the ranking (ties at the cut-off in)
  int64_t sales_amount = 0;   // minor units, counted under the unit
};

// Top share of a ranking that is bonus eligible (seed 003: top 10 %).
inline constexpr int64_t kBonusTopShareBp = 1000;

class ScorecardMaker {
 public:
  // The sources must outlive the maker.
  ScorecardMaker(TargetRecordSource& targets, ActualsSource& actuals, OrgSource& org)
      : targets_(targets), actuals_(actuals), org_(org) {}

  ActualsSource& actuals() const { return actuals_; }
  // The same maker reading actuals from `actuals` (which must outlive it).
  ScorecardMaker WithActuals(ActualsSource& actuals) const {
    return ScorecardMaker(targets_, actuals, org_);
  }

  // The scorecard of `query`; errors of the sources pass through (UNAVAILABLE
  // naming the dependency), INTERNAL if the template and inputs disagree. A
  // rep's card lists their special contributions of the period (all their
  // orders, one more call made at once with the others) and is flagged
  // "special_contribution" when there is any; a unit's card lists none.
  absl::Status Make(const ScorecardQuery& query, v1::Scorecard* out);

  // The scorecards of every rep of `query.reps`, ranked among themselves
  // (1224 ranking by total), in rank order. Batched, the calls made at once:
  // one ListTargets under the unit per metric with targets (plus one per rep
  // who joined after the period's first day, whom the target service does not
  // list under the unit), and one GetActuals grouped by rep under the unit
  // (and one GetCustomerStats grouped by rep when the template needs customer
  // counts) for each of the period, the previous one and the same one a year
  // earlier, and one ListSpecialContributions of the unit for the period
  // (unless query.special_contributions is false). A rep's actuals are what
  // they did while in the unit. Breakdowns are left out (GetScorecard shows
  // them); so are flags (EvaluationRunner sets them).
  absl::StatusOr<std::vector<RepScorecard>> MakeForReps(const UnitRepsQuery& query);

 private:
  // Fills `out` (everything but rank and breakdowns) from fetched inputs.
  absl::Status Fill(const ScorecardTemplate& tmpl, const Subject& subject, const Period& period,
                    const TargetsByMetric& targets, const ActualsBundle& current,
                    const ActualsBundle& previous, const ActualsBundle& last_year,
                    v1::Scorecard* out);
  absl::StatusOr<ActualsBundle> FetchActuals(const ScorecardQuery& q, const Period& period);
  absl::StatusOr<ExtraInputs> FetchExtras(const ScorecardTemplate& tmpl, const std::string& tenant,
                                          const std::optional<Subject>& scope,
                                          const Period& period);
  // Rank of the subject (whose total is `subject_total`) among the reps of
  // q.peer_team: (rank, peer count).
  absl::StatusOr<std::pair<int64_t, int64_t>> RankAmongPeers(const ScorecardQuery& q,
                                                             int64_t subject_total);
  absl::Status AddBreakdowns(const ScorecardQuery& q, v1::Scorecard* out);

  TargetRecordSource& targets_;
  ActualsSource& actuals_;
  OrgSource& org_;
};

}  // namespace attain::eval
