// A cap on the long-lived streams one server holds at once (ingest streams,
// leaderboard watches; docs/limits.md). A stream holds no thread while idle
// (ARCHITECTURE.md §1), but each one costs memory and, for ingest, commit
// capacity: without a cap, a client that opens streams in a loop grows the
// process without bound. Past the cap a new stream ends at once with
// RESOURCE_EXHAUSTED, and the streams already open carry on.
#pragma once

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace attain {

// Thread-safe. A slot taken by TryAcquire must be given back by Release
// exactly once (when the stream's reactor is done).
class StreamSlots {
 public:
  // `what` names the streams in the refusal ("StreamIngest streams").
  StreamSlots(int max_streams, absl::string_view what) : max_(max_streams), what_(what) {}

  StreamSlots(const StreamSlots&) = delete;
  StreamSlots& operator=(const StreamSlots&) = delete;

  // Takes a slot; RESOURCE_EXHAUSTED naming the limit when all are taken.
  absl::Status TryAcquire() {
    int n = active_.load(std::memory_order_relaxed);
    do {
      if (n >= max_) {
        return absl::ResourceExhaustedError(
            absl::StrCat("this server already serves its limit of ", max_, " concurrent ", what_,
                         ": retry later with backoff (or on another replica)"));
      }
    } while (!active_.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel));
    return absl::OkStatus();
  }
  void Release() { active_.fetch_sub(1, std::memory_order_acq_rel); }

  int active() const { return active_.load(std::memory_order_relaxed); }
  int max() const { return max_; }

 private:
  const int max_;
  const std::string what_;
  std::atomic<int> active_{0};
};

}  // namespace attain
