// Storage of the ingest write pipeline behind a small interface
// (ARCHITECTURE.md §3 and §8). No pqxx or grpc types here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/ingest/src/domain/event.h"

namespace attain::ingest {

// The events of one batch of one tenant, in the order received.
struct TenantBatch {
  std::string tenant;
  std::vector<IncomingEvent> events;
};

// A rejected event kept for inspection.
struct RejectRecord {
  int64_t reject_id = 0;  // increasing; newest is largest
  std::string source;
  std::string event_id;
  std::string field;
  std::string reason;
  std::string payload;  // the serialized attain.ingest.v1.Event as received
  absl::Time received_at;
};

class IngestStore {
 public:
  virtual ~IngestStore() = default;

  // Applies a group of batches, possibly of several tenants, in ONE
  // transaction and returns, per batch, one outcome per event in its order:
  //   kDuplicate     (tenant, source, event_id) was ingested before, or
  //                  earlier in the same call;
  //   kStaleVersion  a versioned entity's version <= the one counted;
  //   kRejected      broke the contract (decoding, or an unknown rep), with
  //                  field and reason; kept in the rejects table;
  //   kAccepted      counted in the rollups and the leaderboard outbox.
  // Outcomes are returned only after commit. On error nothing is applied and
  // the whole group is to be retried: UNAVAILABLE (PostgreSQL or the org
  // directory unreachable), ABORTED (serialization failure, deadlock).
  // INVALID_ARGUMENT when a batch has no tenant.
  virtual absl::StatusOr<std::vector<std::vector<EventOutcome>>> ApplyBatches(
      const std::vector<TenantBatch>& batches) = 0;

  // The tenant's rejected events, newest first: only those of `source` when
  // it is not empty, only those with reject_id < `before_id` when it is > 0,
  // at most `limit` (> 0).
  virtual absl::StatusOr<std::vector<RejectRecord>> ListRejects(const std::string& tenant,
                                                                const std::string& source,
                                                                int64_t before_id, int limit) = 0;
};

}  // namespace attain::ingest
