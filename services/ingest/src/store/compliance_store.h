// Reads behind attain.ingest.v1.ComplianceService (DOMAIN.md §5): each method
// returns every row of one report, in the order the RPC lists them. `unit`
// restricts rows to reps placed in that team or region ("" = the tenant).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/compliance_service.pb.h"
#include "common/period.h"
#include "services/ingest/src/store/query_store.h"

namespace attain::ingest {

class ComplianceStore {
 public:
  virtual ~ComplianceStore() = default;

  // Customers with a grade not followed up within its rule as of the end of `as_of`.
  virtual absl::StatusOr<std::vector<v1::OverdueFollowUp>> OverdueFollowUps(
      const std::string& tenant, const std::string& unit, absl::CivilDay as_of) = 0;
  // Consecutive follow-ups closer than the minimum interval, the later in `period`.
  virtual absl::StatusOr<std::vector<v1::FrequentContact>> FrequentContacts(
      const std::string& tenant, const std::string& unit, const Period& period) = 0;
  // Follow-ups with the contact in `period` recorded more than 24 h later.
  virtual absl::StatusOr<std::vector<v1::LateFollowUpRecord>> LateFollowUpRecords(
      const std::string& tenant, const std::string& unit, const Period& period) = 0;
  // Reports whose deadline is in `period` and not after `as_of`, missing or late.
  virtual absl::StatusOr<std::vector<v1::MissedReport>> MissedReports(const std::string& tenant,
                                                                      const std::string& unit,
                                                                      const Period& period,
                                                                      absl::Time as_of) = 0;
  // Counted orders signed in `period` with no receivable or overpaid.
  virtual absl::StatusOr<std::vector<v1::FinanceMismatch>> FinanceMismatches(
      const std::string& tenant, const std::string& unit, const Period& period) = 0;
  // Counted orders signed in `period` whose amount is above `multiple` (> 0,
  // at most 1000) × the median (PostgreSQL's percentile_cont(0.5) over
  // float8) of the same rep's counted orders signed in the 90 days before the
  // order's day (that day excluded); orders with no such orders are never
  // listed. Only orders within `scope`: the company (every order), a unit
  // (orders whose team_id or region_id is the unit) or a rep; the median is
  // over the rep's orders wherever they were credited.
  virtual absl::StatusOr<std::vector<v1::SpecialContribution>> SpecialContributions(
      const std::string& tenant, const std::string& unit, const QueryScope& scope,
      const Period& period, double multiple) = 0;
};

}  // namespace attain::ingest
