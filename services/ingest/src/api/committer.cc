#include "services/ingest/src/api/committer.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"

namespace attain::ingest {
namespace {

// Gathers the outcomes of a batch split over several lanes and calls its
// `done` once, when the last part has finished.
class SplitBatch {
 public:
  SplitBatch(std::size_t events, int parts, BatchCommitter::Done done)
      : outcomes_(events), parts_left_(parts), done_(std::move(done)) {}

  // One part finished; `origin[k]` is the batch index of the part's event k.
  void PartDone(const std::vector<int>& origin,
                absl::StatusOr<std::vector<v1::EventOutcome>> outcomes) {
    BatchCommitter::Done done;
    absl::StatusOr<std::vector<v1::EventOutcome>> result;
    {
      absl::MutexLock l(&mu_);
      if (outcomes.ok() && outcomes->size() != origin.size()) {
        outcomes = absl::InternalError(absl::StrCat("a part of ", origin.size(), " events got ",
                                                    outcomes->size(), " outcomes"));
      }
      if (!outcomes.ok()) {
        if (error_.ok()) error_ = outcomes.status();
      } else {
        for (std::size_t k = 0; k < origin.size(); ++k) {
          v1::EventOutcome& o = (*outcomes)[k];
          o.set_index(origin[k]);
          outcomes_[origin[k]] = std::move(o);
        }
      }
      if (--parts_left_ > 0) return;
      done = std::move(done_);
      if (error_.ok()) {
        result = std::move(outcomes_);
      } else {
        result = error_;
      }
    }
    done(std::move(result));
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::EventOutcome> outcomes_ ABSL_GUARDED_BY(mu_);
  int parts_left_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  BatchCommitter::Done done_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

BatchCommitter::BatchCommitter(BatchApplier& applier, Options options)
    : applier_(applier),
      options_(std::move(options)),
      lanes_(std::max(1, options_.lanes)),
      queues_(lanes_) {
  for (int lane = 0; lane < lanes_; ++lane) {
    threads_.emplace_back([this, lane] { Loop(lane); });
  }
}

BatchCommitter::~BatchCommitter() { Stop(); }

int BatchCommitter::LaneOf(const v1::Event& event) const {
  if (lanes_ == 1 || !options_.lane_key) return 0;
  const absl::string_view key = options_.lane_key(event);
  if (key.empty()) return 0;
  // FNV-1a: the same lane for a key in every process and run (absl::Hash is
  // seeded per process), which keeps lane placement reproducible.
  uint64_t h = 14695981039346656037ull;
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % static_cast<uint64_t>(lanes_));
}

absl::Status BatchCommitter::Submit(std::unique_ptr<IncomingBatch> batch, Done done) {
  const std::size_t n = batch->events.size();
  std::vector<int> lane_of(n);
  bool one_lane = true;
  for (std::size_t i = 0; i < n; ++i) {
    lane_of[i] = LaneOf(batch->events[i]);
    one_lane = one_lane && lane_of[i] == lane_of[0];
  }
  std::vector<std::pair<int, Item>> parts;  // (lane, part)
  if (one_lane) {
    parts.emplace_back(n == 0 ? 0 : lane_of[0], Item{std::move(batch), std::move(done)});
  } else {
    std::vector<std::vector<int>> origins(lanes_);
    for (std::size_t i = 0; i < n; ++i) origins[lane_of[i]].push_back(static_cast<int>(i));
    const int used = static_cast<int>(
        std::count_if(origins.begin(), origins.end(), [](const auto& o) { return !o.empty(); }));
    auto split = std::make_shared<SplitBatch>(n, used, std::move(done));
    for (int lane = 0; lane < lanes_; ++lane) {
      if (origins[lane].empty()) continue;
      auto part = std::make_unique<IncomingBatch>();
      part->tenant = batch->tenant;
      part->events.reserve(origins[lane].size());
      for (int i : origins[lane]) part->events.push_back(std::move(batch->events[i]));
      parts.emplace_back(
          lane, Item{std::move(part), [split, origin = std::move(origins[lane])](
                                          absl::StatusOr<std::vector<v1::EventOutcome>> o) {
                       split->PartDone(origin, std::move(o));
                     }});
    }
  }

  absl::MutexLock l(&mu_);
  if (stopping_) return absl::UnavailableError("the ingest service is shutting down; resend");
  if (queued_events_ + n > options_.max_queued_events && queued_events_ > 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ingest is overloaded (", queued_events_,
                     " events waiting to be committed); resend this batch after a short pause"));
  }
  queued_events_ += n;
  for (auto& [lane, item] : parts) queues_[lane].push_back(std::move(item));
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

bool BatchCommitter::LaneReady(LaneWait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // Called by Await with mu_ held.
  return w->committer->stopping_ || !w->committer->queues_[w->lane].empty();
}

void BatchCommitter::Loop(int lane) {
  LaneWait wait{this, lane};
  for (;;) {
    std::vector<Item> group;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(&LaneReady, &wait));
      std::deque<Item>& queue = queues_[lane];
      if (queue.empty()) return;  // stopping and drained
      // Take whole batches up to the transaction size (at least one).
      std::size_t events = 0;
      while (!queue.empty() && (group.empty() || events + queue.front().batch->events.size() <=
                                                     options_.max_events_per_transaction)) {
        events += queue.front().batch->events.size();
        group.push_back(std::move(queue.front()));
        queue.pop_front();
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
      if (st.ok() || !(absl::IsUnavailable(st) || absl::IsAborted(st)) || IsFinalFailure(st)) {
        break;
      }
      LogEvent(LogLevel::kWarn, "ingest commit retry")
          .Int("lane", lane)
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
