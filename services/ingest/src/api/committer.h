// Group commit (ARCHITECTURE §8): batches from every caller and stream are
// queued and applied together, many batches in one store transaction, by a
// few committer threads (Options::committers). A batch's callback runs after its transaction
// committed (or failed for good), so an acknowledgement always means "durable".
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/ingest_service.pb.h"

namespace attain::ingest {

// One client batch on its way to the store.
struct IncomingBatch {
  std::string tenant;
  std::vector<v1::Event> events;
  // Filled by the applier: one outcome per event, in order.
  std::vector<v1::EventOutcome> outcomes;
};

// Applies a group of batches in one transaction: all of them commit or none.
class BatchApplier {
 public:
  virtual ~BatchApplier() = default;
  // Fills each batch's outcomes. A non-OK status means nothing was applied;
  // UNAVAILABLE and ABORTED are worth retrying.
  virtual absl::Status Apply(const std::vector<IncomingBatch*>& batches) = 0;
};

class BatchCommitter {
 public:
  using Done = std::function<void(absl::StatusOr<std::vector<v1::EventOutcome>>)>;
  struct Options {
    std::size_t max_events_per_transaction = 20000;
    std::size_t max_queued_events = 200000;                 // beyond: RESOURCE_EXHAUSTED
    int max_attempts = 5;                                   // per group, on UNAVAILABLE/ABORTED
    absl::Duration retry_backoff = absl::Milliseconds(50);  // doubles per attempt
    // Transactions in flight at once. Groups commit independently, so with
    // more than one a later version of an entity (sent in a later batch of the
    // same stream) can commit first and the earlier one then comes back
    // STALE_VERSION: totals stay exact but outcomes depend on timing. Keep 1
    // until groups are partitioned by entity.
    int committers = 1;
  };

  BatchCommitter(BatchApplier& applier, Options options);
  ~BatchCommitter();  // Stop()

  // Queues `batch`; `done` runs on a committer thread once it is durable
  // (or has failed). With several committers, `done` of a later batch may run
  // before that of an earlier one. RESOURCE_EXHAUSTED when the queue is full, UNAVAILABLE
  // after Stop(); `done` is then not called.
  absl::Status Submit(std::unique_ptr<IncomingBatch> batch, Done done);

  // Applies what is queued, then stops the thread. Idempotent.
  void Stop();

  std::size_t queued_events() const;

 private:
  struct Item {
    std::unique_ptr<IncomingBatch> batch;
    Done done;
  };
  void Loop();

  BatchApplier& applier_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  std::size_t queued_events_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace attain::ingest
