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

class ScorecardMaker {
 public:
  // The sources must outlive the maker.
  ScorecardMaker(TargetRecordSource& targets, ActualsSource& actuals, OrgSource& org)
      : targets_(targets), actuals_(actuals), org_(org) {}

  // The scorecard of `query`; errors of the sources pass through (UNAVAILABLE
  // naming the dependency), INTERNAL if the template and inputs disagree.
  absl::Status Make(const ScorecardQuery& query, v1::Scorecard* out);

 private:
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
