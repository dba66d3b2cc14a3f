// The PostgreSQL implementation of QueryStore over schema `ingest`
// (services/ingest/migrations; 002_query_indexes.sql has its indexes). Each
// call is one read-only transaction.
#pragma once

#include <string>
#include <vector>

#include "common/pg.h"
#include "services/ingest/src/store/query_store.h"

namespace attain::ingest {

class PgQueryStore : public QueryStore {
 public:
  // `pool` must outlive the store. Thread-safe.
  explicit PgQueryStore(PgPool& pool) : pool_(pool) {}

  absl::Status GetActuals(const std::string& tenant, const Period& period, const QueryScope& scope,
                          v1::GroupBy group_by, const std::string& product_line_id,
                          v1::GetActualsResponse* out) override;
  absl::Status GetActualsGroupings(const std::string& tenant, const Period& period,
                                   const QueryScope& scope,
                                   const std::vector<v1::GroupBy>& groupings,
                                   const std::string& product_line_id,
                                   v1::GetActualsGroupingsResponse* out) override;
  absl::Status ListCustomers(const std::string& tenant, const Period& period,
                             const QueryScope& scope, v1::CustomerFilter filter,
                             const std::string& after, int limit,
                             v1::ListCustomersResponse* out) override;
  absl::Status GetFunnel(const std::string& tenant, const Period& period, const QueryScope& scope,
                         v1::GetFunnelResponse* out) override;
  absl::Status GetCustomerStats(const std::string& tenant, const Period& period,
                                const QueryScope& scope, v1::GroupBy group_by, bool include_total,
                                v1::GetCustomerStatsResponse* out) override;
  absl::StatusOr<bool> ScopeWithinUnit(const std::string& tenant, const QueryScope& scope,
                                       const std::string& unit) override;

 private:
  PgPool& pool_;
};

}  // namespace attain::ingest
