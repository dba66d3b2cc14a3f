// An ActualsSource that fetches planned groupings together. An evaluation
// asks ingest for the same period and scope several ways (its reps' rows, the
// unit's total, the unit card's four breakdowns) from code paths that run at
// once; with a plan, the first of them fetches every planned grouping of that
// period and scope in one GetActualsGroupings call (one pass over the rows)
// and the others take their share of it. Anything not planned passes through.
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
  absl::StatusOr<std::vector<CustomerStatsGroup>> CustomerStats(const std::string& tenant,
                                                                const std::optional<Subject>& scope,
                                                                const Period& period,
                                                                ActualsGrouping grouping) override;
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
  };

  ActualsSource& inner_;
  const std::string tenant_;
  std::vector<std::unique_ptr<Batch>> batches_;
};

}  // namespace attain::eval
