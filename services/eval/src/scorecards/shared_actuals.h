// An ActualsSource that fetches planned groupings together. An evaluation
// asks ingest for the same period and scope several ways (its reps' rows, the
// unit's total, the unit card's four breakdowns) from code paths that run at
// once; with a plan, the first of them fetches every planned grouping of that
// period and scope in one GetActualsGroupings call (one pass over the rows)
// and the others take their share of it; so for the customer stats per rep
// and in total. Anything not planned passes through.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/eval/src/scorecards/sources.h"

namespace attain::eval {

// The groupings of one period and scope to fetch together.
struct ActualsBatch {
  std::optional<Subject> scope;  // nullopt: the whole company
  Period period;
  std::vector<ActualsGrouping> groupings;  // each at most once
  // Also CustomerStats kRep and kNone of this period and scope, in one call.
  bool customer_stats = false;
};

class SharedActuals final : public ActualsSource {
 public:
  // `inner` must outlive this source. Thread-safe.
  SharedActuals(ActualsSource& inner, std::string tenant, const std::vector<ActualsBatch>& plan);

  // A planned grouping: the batch's (fetched by the first caller; the others
  // wait for it); its error if the batch failed. Otherwise `inner`'s.
  absl::StatusOr<std::vector<ActualsGroup>> Actuals(const std::string& tenant,
                                                    const std::optional<Subject>& subject,
                                                    const Period& period,
                                                    ActualsGrouping grouping) override;
  absl::StatusOr<std::vector<std::vector<ActualsGroup>>> ActualsGroupings(
      const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
      const std::vector<ActualsGrouping>& groupings) override;
  // kRep or kNone of a batch with customer_stats: shared as above.
  absl::StatusOr<std::vector<CustomerStatsGroup>> CustomerStats(const std::string& tenant,
                                                                const std::optional<Subject>& scope,
                                                                const Period& period,
                                                                ActualsGrouping grouping) override;
  absl::StatusOr<CustomerStatsWithTotal> CustomerStatsByRepWithTotal(
      const std::string& tenant, const std::optional<Subject>& scope,
      const Period& period) override;
  absl::StatusOr<std::vector<SpecialContribution>> SpecialContributions(
      const std::string& tenant, const std::optional<Subject>& scope,
      const Period& period) override;

 private:
  struct Batch {
    explicit Batch(ActualsBatch b) : plan(std::move(b)) {}
    const ActualsBatch plan;
    absl::Mutex mu;
    bool fetched ABSL_GUARDED_BY(mu) = false;
    absl::StatusOr<std::vector<std::vector<ActualsGroup>>> result ABSL_GUARDED_BY(mu);
    bool stats_fetched ABSL_GUARDED_BY(mu) = false;
    absl::StatusOr<CustomerStatsWithTotal> stats ABSL_GUARDED_BY(mu);
  };

  // The batch of `tenant`, `scope` and `period`; nullptr if none.
  Batch* Find(const std::string& tenant, const std::optional<Subject>& scope, const Period& period);

  ActualsSource& inner_;
  const std::string tenant_;
  std::vector<std::unique_ptr<Batch>> batches_;
};

}  // namespace attain::eval
