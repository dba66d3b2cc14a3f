// Group commit (ARCHITECTURE §8): batches from every caller and stream are
// queued and applied together, many batches in one store transaction, on
// one or more commit lanes (Options::lanes). A batch's callback runs after its transaction
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
#include "absl/strings/string_view.h"
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
  // UNAVAILABLE and ABORTED are worth retrying, unless IsFinalFailure (a
  // dependency that gRPC already retried or that ran out of its deadline).
  virtual absl::Status Apply(const std::vector<IncomingBatch*>& batches) = 0;
};

class BatchCommitter {
 public:
  using Done = std::function<void(absl::StatusOr<std::vector<v1::EventOutcome>>)>;
  // Which lane an event commits on: events with the same key commit in the
  // order they were submitted. Empty keys all share one lane.
  using LaneKey = std::function<absl::string_view(const v1::Event&)>;
  struct Options {
    std::size_t max_events_per_transaction = 20000;         // per lane
    std::size_t max_queued_events = 200000;                 // beyond: RESOURCE_EXHAUSTED
    int max_attempts = 5;                                   // per group, on UNAVAILABLE/ABORTED
    absl::Duration retry_backoff = absl::Milliseconds(50);  // doubles per attempt
    // Commit lanes. Each lane has its own queue and thread and commits one
    // transaction at a time, concurrently with the other lanes. An event goes
    // to the lane of its key, so events with the same key commit in the order
    // they came in: with the key of CommitOrderKey (the customer, else the
    // rep), every version of an order and the customer's own record keep
    // their order, and an outcome such as STALE_VERSION never depends on
    // which lane was faster.
    int lanes = 1;
    LaneKey lane_key;  // unset: every event on lane 0
  };

  BatchCommitter(BatchApplier& applier, Options options);
  ~BatchCommitter();  // Stop()

  // Queues `batch`; `done` runs on a committer thread once every event of it
  // is durable (or a part has failed for good). A batch whose events fall on
  // several lanes is split, and its parts commit in separate transactions:
  // when one part fails, the others may have committed, and resending the
  // batch finds their events as duplicates. `done` of a later batch may run
  // before that of an earlier one. RESOURCE_EXHAUSTED when the queue is full,
  // UNAVAILABLE after Stop(); `done` is then not called.
  absl::Status Submit(std::unique_ptr<IncomingBatch> batch, Done done);

  // Applies what is queued, then stops the threads. Idempotent.
  void Stop();

  std::size_t queued_events() const;

 private:
  struct Item {
    std::unique_ptr<IncomingBatch> batch;
    Done done;
  };
  struct LaneWait {
    BatchCommitter* committer;
    int lane;
  };
  static bool LaneReady(LaneWait* w);
  int LaneOf(const v1::Event& event) const;
  void Loop(int lane);

  BatchApplier& applier_;
  const Options options_;
  const int lanes_;
  mutable absl::Mutex mu_;
  std::vector<std::deque<Item>> queues_ ABSL_GUARDED_BY(mu_);  // one per lane
  std::size_t queued_events_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace attain::ingest
