// Read queries over the ingest rollups, customers and entity states, for
// attain.ingest.v1.IngestQueryService (the evaluation service's source of
// actuals). Results are the API messages themselves: the store only sums.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "attain/ingest/v1/query_service.pb.h"
#include "common/period.h"

namespace attain::ingest {

// Whose rows a query reads.
struct QueryScope {
  enum class Kind {
    kCompany,  // every row of the tenant
    kUnit,     // rows whose team_id or region_id is `id`
    kRep,      // rows whose rep_id is `id`
  };
  Kind kind = Kind::kCompany;
  std::string id;  // unit or rep id; "" for the company
};

class QueryStore {
 public:
  virtual ~QueryStore() = default;

  // Sums rollup_daily over `period` and `scope` (one aggregate query), grouped
  // by `group_by` (UNSPECIFIED = NONE: exactly one row, zeros when nothing
  // matched); only `product_line_id` when not empty. Fills rows and period.
  virtual absl::Status GetActuals(const std::string& tenant, const Period& period,
                                  const QueryScope& scope, v1::GroupBy group_by,
                                  const std::string& product_line_id,
                                  v1::GetActualsResponse* out) = 0;

  // GetActuals for several groupings at once, in one pass over the rows (a
  // grouping set each): one grouping per entry of `groupings`, in that
  // order, with the rows GetActuals would give. INVALID_ARGUMENT when
  // `groupings` is empty, names a grouping twice (UNSPECIFIED and NONE are
  // the same) or holds a value that is not a GroupBy.
  virtual absl::Status GetActualsGroupings(const std::string& tenant, const Period& period,
                                           const QueryScope& scope,
                                           const std::vector<v1::GroupBy>& groupings,
                                           const std::string& product_line_id,
                                           v1::GetActualsGroupingsResponse* out) = 0;

  // Customers selected by `filter` (see CustomerFilter) ordered by id, those
  // after `after` (a customer id; "" from the start), at most `limit`; sets
  // next_page_token to the raw last customer id when more follow (the caller
  // makes it opaque). Fills the counts and previous_period.
  virtual absl::Status ListCustomers(const std::string& tenant, const Period& period,
                                     const QueryScope& scope, v1::CustomerFilter filter,
                                     const std::string& after, int limit,
                                     v1::ListCustomersResponse* out) = 0;

  // Opportunities per stage (see GetFunnelResponse). Fills stages, lost, period.
  virtual absl::Status GetFunnel(const std::string& tenant, const Period& period,
                                 const QueryScope& scope, v1::GetFunnelResponse* out) = 0;

  // Customer movements of `scope` over `period` (see GetCustomerStatsResponse):
  // ListCustomers' counts and the new customers' first-month sales, grouped by
  // `group_by`: UNSPECIFIED or NONE gives exactly one row (zeros when nothing
  // matched), REP a row per rep with any movement, ordered by rep id; any
  // other grouping is INVALID_ARGUMENT. With `include_total`, also the whole
  // scope's row in `total`, from the same pass. One query whatever the number
  // of reps. Fills rows, period and previous_period (and total).
  virtual absl::Status GetCustomerStats(const std::string& tenant, const Period& period,
                                        const QueryScope& scope, v1::GroupBy group_by,
                                        bool include_total, v1::GetCustomerStatsResponse* out) = 0;

  // Whether `scope` lies within org unit `unit` as the rollups show it: a
  // unit scope is a team any of whose rows carry `unit` as region (the unit
  // itself is the caller's check); a rep scope is a rep any of whose rows
  // carry `unit` as team or region. The company is never within a unit.
  virtual absl::StatusOr<bool> ScopeWithinUnit(const std::string& tenant, const QueryScope& scope,
                                               const std::string& unit) = 0;
};

}  // namespace attain::ingest
