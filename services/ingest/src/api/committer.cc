#include "services/ingest/src/api/committer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace attain::ingest {

BatchCommitter::BatchCommitter(BatchApplier& applier, Options options)
    : applier_(applier), options_(options) {
  for (int i = 0; i < std::max(1, options_.committers); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

BatchCommitter::~BatchCommitter() { Stop(); }

absl::Status BatchCommitter::Submit(std::unique_ptr<IncomingBatch> batch, Done done) {
  absl::MutexLock l(&mu_);
  if (stopping_) return absl::UnavailableError("the ingest service is shutting down; resend");
  const std::size_t n = batch->events.size();
  if (queued_events_ + n > options_.max_queued_events && !queue_.empty()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ingest is overloaded (", queued_events_,
                     " events waiting to be committed); resend this batch after a short pause"));
  }
  queued_events_ += n;
  queue_.push_back({std::move(batch), std::move(done)});
  return absl::OkStatus();
}

void BatchCommitter::Stop() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  // Called from one thread (shutdown or destruction), never concurrently.
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::size_t BatchCommitter::queued_events() const {
  absl::MutexLock l(&mu_);
  return queued_events_;
}

void BatchCommitter::Loop() {
  for (;;) {
    std::vector<Item> group;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(
          +[](BatchCommitter* c)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) { return c->stopping_ || !c->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping and drained
      // Take whole batches up to the transaction size (at least one).
      std::size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front().batch->events.size() <=
                                                      options_.max_events_per_transaction)) {
        events += queue_.front().batch->events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= events;
    }
    std::vector<IncomingBatch*> batches;
    batches.reserve(group.size());
    for (Item& item : group) batches.push_back(item.batch.get());

    absl::Status st;
    absl::Duration backoff = options_.retry_backoff;
    for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
      for (IncomingBatch* b : batches) b->outcomes.clear();
      st = applier_.Apply(batches);
      if (st.ok() || !(absl::IsUnavailable(st) || absl::IsAborted(st))) break;
      LogEvent(LogLevel::kWarn, "ingest commit retry")
          .Int("attempt", attempt)
          .Str("error", st.message());
      if (attempt < options_.max_attempts) {
        absl::SleepFor(backoff);
        backoff *= 2;
      }
    }
    for (Item& item : group) {
      if (st.ok()) {
        item.done(std::move(item.batch->outcomes));
      } else {
        item.done(st);
      }
    }
  }
}

}  // namespace attain::ingest
