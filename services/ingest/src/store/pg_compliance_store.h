// The PostgreSQL implementation of ComplianceStore over schema `ingest`.
//
// Follow-ups, payments and report submissions are kept by the pipeline only
// as event payloads (ingest.events.payload, a serialized
// attain.ingest.v1.Event), and receivables' order ids only there too: those
// reports read the events of one kind with one indexed query
// (migrations/003_compliance.sql) and decode them here.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/pg.h"
#include "services/ingest/src/store/compliance_store.h"

namespace attain::ingest {

class PgComplianceStore final : public ComplianceStore {
 public:
  // `pool` must outlive the store. `tz` is the tenants' time zone (days,
  // working days and report deadlines).
  PgComplianceStore(PgPool& pool, absl::TimeZone tz) : pool_(pool), tz_(tz) {}

  absl::StatusOr<std::vector<v1::OverdueFollowUp>> OverdueFollowUps(const std::string& tenant,
                                                                    const std::string& unit,
                                                                    absl::CivilDay as_of) override;
  absl::StatusOr<std::vector<v1::FrequentContact>> FrequentContacts(const std::string& tenant,
                                                                    const std::string& unit,
                                                                    const Period& period) override;
  absl::StatusOr<std::vector<v1::LateFollowUpRecord>> LateFollowUpRecords(
      const std::string& tenant, const std::string& unit, const Period& period) override;
  absl::StatusOr<std::vector<v1::MissedReport>> MissedReports(const std::string& tenant,
                                                              const std::string& unit,
                                                              const Period& period,
                                                              absl::Time as_of) override;
  absl::StatusOr<std::vector<v1::FinanceMismatch>> FinanceMismatches(const std::string& tenant,
                                                                     const std::string& unit,
                                                                     const Period& period) override;
  // One read of the orders of the reps concerned in [period start − 90 days,
  // period end], then the trailing medians in memory: see the .cc.
  absl::StatusOr<std::vector<v1::SpecialContribution>> SpecialContributions(
      const std::string& tenant, const std::string& unit, const QueryScope& scope,
      const Period& period, double multiple) override;

 private:
  PgPool& pool_;
  const absl::TimeZone tz_;
};

}  // namespace attain::ingest
