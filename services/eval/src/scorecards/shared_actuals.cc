#include "services/eval/src/scorecards/shared_actuals.h"

#include <algorithm>
#include <utility>

namespace attain::eval {
namespace {

bool SameScope(const std::optional<Subject>& a, const std::optional<Subject>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->kind == b->kind && a->id == b->id);
}

}  // namespace

SharedActuals::SharedActuals(ActualsSource& inner, std::string tenant,
                             const std::vector<ActualsBatch>& plan)
    : inner_(inner), tenant_(std::move(tenant)) {
  for (const ActualsBatch& b : plan) batches_.push_back(std::make_unique<Batch>(b));
}

SharedActuals::Batch* SharedActuals::Find(const std::string& tenant,
                                          const std::optional<Subject>& scope,
                                          const Period& period) {
  if (tenant != tenant_) return nullptr;
  for (const std::unique_ptr<Batch>& b : batches_) {
    if (SameScope(b->plan.scope, scope) && b->plan.period == period) return b.get();
  }
  return nullptr;
}

absl::StatusOr<std::vector<ActualsGroup>> SharedActuals::Actuals(
    const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
    ActualsGrouping grouping) {
  Batch* b = Find(tenant, subject, period);
  if (b == nullptr) return inner_.Actuals(tenant, subject, period, grouping);
  const std::vector<ActualsGrouping>& gs = b->plan.groupings;
  auto it = std::find(gs.begin(), gs.end(), grouping);
  if (it == gs.end()) return inner_.Actuals(tenant, subject, period, grouping);
  absl::MutexLock lock(&b->mu);
  if (!b->fetched) {
    b->result = inner_.ActualsGroupings(tenant, subject, period, gs);
    b->fetched = true;
  }
  if (!b->result.ok()) return b->result.status();
  return (*b->result)[static_cast<size_t>(it - gs.begin())];
}

absl::StatusOr<std::vector<std::vector<ActualsGroup>>> SharedActuals::ActualsGroupings(
    const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
    const std::vector<ActualsGrouping>& groupings) {
  return inner_.ActualsGroupings(tenant, subject, period, groupings);
}

absl::StatusOr<std::vector<CustomerStatsGroup>> SharedActuals::CustomerStats(
    const std::string& tenant, const std::optional<Subject>& scope, const Period& period,
    ActualsGrouping grouping) {
  Batch* b = Find(tenant, scope, period);
  if (b == nullptr || !b->plan.customer_stats ||
      (grouping != ActualsGrouping::kRep && grouping != ActualsGrouping::kNone)) {
    return inner_.CustomerStats(tenant, scope, period, grouping);
  }
  absl::MutexLock lock(&b->mu);
  if (!b->stats_fetched) {
    b->stats = inner_.CustomerStatsByRepWithTotal(tenant, scope, period);
    b->stats_fetched = true;
  }
  if (!b->stats.ok()) return b->stats.status();
  if (grouping == ActualsGrouping::kRep) return b->stats->reps;
  return std::vector<CustomerStatsGroup>{b->stats->total};
}

absl::StatusOr<CustomerStatsWithTotal> SharedActuals::CustomerStatsByRepWithTotal(
    const std::string& tenant, const std::optional<Subject>& scope, const Period& period) {
  return inner_.CustomerStatsByRepWithTotal(tenant, scope, period);
}

absl::StatusOr<std::vector<SpecialContribution>> SharedActuals::SpecialContributions(
    const std::string& tenant, const std::optional<Subject>& scope, const Period& period) {
  return inner_.SpecialContributions(tenant, scope, period);
}

}  // namespace attain::eval
