// The PostgreSQL implementation of IngestStore (ARCHITECTURE.md §4 and §8):
// tables of schema `ingest` (services/ingest/migrations). Each ApplyBatches
// call is one transaction of a fixed number of statements whatever the
// number of events: bulk reads and writes go through unnest()ed arrays.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/pg.h"
#include "services/ingest/src/domain/org_directory.h"
#include "services/ingest/src/store/ingest_store.h"

namespace attain::ingest {

// The migrations of schema `ingest`, embedded at configure time from
// services/ingest/migrations (attain_embed_migrations in CMakeLists.txt).
const std::vector<attain::Migration>& Migrations();

class PgIngestStore : public IngestStore {
 public:
  struct Options {
    // The tenants' time zone: the day of an instant (a follow-up's contact,
    // a survey) and report deadlines are taken in it.
    absl::TimeZone time_zone = DefaultTimeZone();
  };

  // Asia/Shanghai (UTC+8 without daylight saving, used when tzdata lacks it).
  static absl::TimeZone DefaultTimeZone();

  // `pool`, `directory` and `clock` must outlive the store. Thread-safe: each
  // call checks out its own connection; `directory` must be thread-safe.
  PgIngestStore(PgPool& pool, OrgDirectory& directory, const Clock& clock);
  PgIngestStore(PgPool& pool, OrgDirectory& directory, const Clock& clock, Options options);

  // Applies the migrations of schema `ingest` not yet applied.
  static absl::Status Migrate(PgPool& pool);

  // Rep placement: OrgDirectory::Place is called once per (tenant, rep, day)
  // per call, before the transaction starts. NOT_FOUND rejects the event
  // (field "<kind>.rep_id"), except for weekly and monthly reports, whose
  // author may be a unit: they count with no team. Any other error fails the
  // call (UNAVAILABLE: retry later).
  //
  // Concurrency: the events' keys, then the entities' and customers' rows are
  // locked in key order, so concurrent calls serialise per entity and do not
  // deadlock in the common case; a deadlock or serialization failure is
  // ABORTED and the caller retries.
  absl::StatusOr<std::vector<std::vector<EventOutcome>>> ApplyBatches(
      const std::vector<TenantBatch>& batches) override;

  absl::StatusOr<std::vector<RejectRecord>> ListRejects(const std::string& tenant,
                                                        const std::string& source,
                                                        int64_t before_id, int limit) override;

 private:
  PgPool& pool_;
  OrgDirectory& directory_;
  const Clock& clock_;
  const Options options_;
};

}  // namespace attain::ingest
