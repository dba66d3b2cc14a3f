// Units side by side (DOMAIN.md §6, seed 002 table 2): per unit sales,
// attainment of its base sales target, new customers, repurchase rate,
// visits per rep, its scorecard total, and the rank by total. Saves nothing.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "common/period.h"
#include "services/eval/src/domain/scorecard_template.h"
#include "services/eval/src/scorecards/sources.h"

namespace attain::eval {

struct ComparedUnit {
  UnitInfo unit;           // as OrgSource::Unit returned it
  ScorecardTemplate tmpl;  // the template its total is scored with
};

struct CompareUnitsQuery {
  std::string tenant;
  Period period;
  std::vector<ComparedUnit> units;  // distinct, non-empty
};

class UnitComparer {
 public:
  // The sources must outlive the comparer.
  UnitComparer(TargetRecordSource& targets, ActualsSource& actuals, OrgSource& org)
      : targets_(targets), actuals_(actuals), org_(org) {}

  // The rows of `query`, by rank (competition ranking by total), then unit id.
  // Calls: one GetActuals grouped by team (all units teams) or by region (all
  // regions) with no scope, else one GetActuals per unit; per unit one
  // ListTargets (its own targets), one ListCustomers (repurchase rate; that
  // API cannot be grouped), one ListReps (visits per rep), and the
  // new-customer first-month sales only when its template uses that metric.
  // Errors of the sources pass through.
  absl::StatusOr<std::vector<v1::ComparisonRow>> Compare(const CompareUnitsQuery& query);

 private:
  TargetRecordSource& targets_;
  ActualsSource& actuals_;
  OrgSource& org_;
};

}  // namespace attain::eval
