// A bounded pool of threads for blocking work (PostgreSQL, Redis) so that gRPC
// callback threads never block (ARCHITECTURE.md §1).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace attain {

class WorkerPool {
 public:
  // `threads` workers; at most `max_queue` tasks wait (beyond that Submit refuses).
  WorkerPool(int threads, std::size_t max_queue);
  ~WorkerPool();  // Runs every queued task, then joins.

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`. Returns RESOURCE_EXHAUSTED when the queue is full and
  // UNAVAILABLE after Shutdown(); the task is then not run.
  absl::Status Submit(std::function<void()> task);

  // Stops accepting tasks, runs what is queued and joins the threads. Idempotent.
  void Shutdown();

  std::size_t queued() const;
  // Tasks running now, and the number of threads.
  std::size_t busy() const;
  std::size_t threads() const { return threads_.size(); }

 private:
  void Loop();

  const std::size_t max_queue_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::size_t busy_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_;
};

}  // namespace attain
