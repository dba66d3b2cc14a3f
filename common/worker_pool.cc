#include "common/worker_pool.h"

#include <utility>

namespace attain {

WorkerPool::WorkerPool(int threads, std::size_t max_queue) : max_queue_(max_queue) {
  if (threads < 1) threads = 1;
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

absl::Status WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock l(&mu_);
  if (stopping_) return absl::UnavailableError("the server is shutting down");
  if (queue_.size() >= max_queue_) {
    return absl::ResourceExhaustedError(
        "the server is overloaded (work queue full); retry with backoff");
  }
  queue_.push_back(std::move(task));
  return absl::OkStatus();
}

void WorkerPool::Shutdown() {
  // The first caller takes the threads under the lock and joins them; a later or
  // concurrent caller finds none, so no thread is joined twice and threads_ is
  // never read while another caller modifies it.
  std::vector<std::thread> threads;
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

std::size_t WorkerPool::queued() const {
  absl::MutexLock l(&mu_);
  return queue_.size();
}

std::size_t WorkerPool::busy() const {
  absl::MutexLock l(&mu_);
  return busy_;
}

void WorkerPool::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkerPool* p)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return p->stopping_ || !p->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    task();
    task = nullptr;  // whatever the task captured goes before it counts as done
    absl::MutexLock l(&mu_);
    --busy_;
  }
}

}  // namespace attain
