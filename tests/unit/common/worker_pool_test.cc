#include "common/worker_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace attain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kDeadline = absl::Seconds(30);

// Polls `condition` until it holds or the deadline passes; returns whether it held.
bool PollUntil(const std::function<bool()>& condition, absl::Duration timeout = kDeadline) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// Occupies one worker until Release(): Started() tells that a worker took it.
class Blocker {
 public:
  std::function<void()> Task() {
    return [this] {
      started_.Notify();
      release_.WaitForNotification();
    };
  }
  bool WaitStarted() { return started_.WaitForNotificationWithTimeout(kDeadline); }
  void Release() { release_.Notify(); }

 private:
  absl::Notification started_;
  absl::Notification release_;
};

// Records the order in which tasks ran.
class Journal {
 public:
  std::function<void()> Task(int id) {
    return [this, id] {
      absl::MutexLock l(&mu_);
      ids_.push_back(id);
    };
  }
  std::vector<int> ids() const {
    absl::MutexLock l(&mu_);
    return ids_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<int> ids_ ABSL_GUARDED_BY(mu_);
};

TEST(WorkerPoolTest, RunsTasksOffTheCallerThread) {
  WorkerPool pool(2, 10);
  absl::Notification done;
  std::thread::id ran_on;
  ASSERT_TRUE(pool.Submit([&] {
                    ran_on = std::this_thread::get_id();
                    done.Notify();
                  })
                  .ok());
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kDeadline));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(WorkerPoolTest, OneThreadRunsTasksInSubmissionOrder) {
  Journal journal;
  {
    WorkerPool pool(1, 10);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(pool.Submit(journal.Task(i)).ok());
  }
  EXPECT_THAT(journal.ids(), ElementsAre(1, 2, 3, 4, 5));
}

TEST(WorkerPoolTest, QueueBoundGivesResourceExhausted) {
  WorkerPool pool(1, 2);
  Blocker blocker;
  Journal journal;
  ASSERT_TRUE(pool.Submit(blocker.Task()).ok());
  ASSERT_TRUE(blocker.WaitStarted());  // the worker is busy; the queue is empty
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_TRUE(pool.Submit(journal.Task(1)).ok());
  EXPECT_TRUE(pool.Submit(journal.Task(2)).ok());
  EXPECT_EQ(pool.queued(), 2u);

  absl::Status full = pool.Submit(journal.Task(3));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(full.message()), HasSubstr("queue full"));
  EXPECT_THAT(std::string(full.message()), HasSubstr("retry with backoff"));
  EXPECT_EQ(pool.queued(), 2u);

  blocker.Release();
  pool.Shutdown();
  EXPECT_THAT(journal.ids(), ElementsAre(1, 2));  // the refused task never ran
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(WorkerPoolTest, QueueAcceptsAgainOnceItDrains) {
  WorkerPool pool(1, 1);
  Blocker blocker;
  ASSERT_TRUE(pool.Submit(blocker.Task()).ok());
  ASSERT_TRUE(blocker.WaitStarted());
  ASSERT_TRUE(pool.Submit([] {}).ok());
  EXPECT_EQ(pool.Submit([] {}).code(), absl::StatusCode::kResourceExhausted);
  blocker.Release();
  EXPECT_TRUE(PollUntil([&] { return pool.queued() == 0; }));
  EXPECT_TRUE(pool.Submit([] {}).ok());
}

TEST(WorkerPoolTest, SubmitAfterShutdownIsUnavailableAndDoesNotRun) {
  WorkerPool pool(2, 10);
  pool.Shutdown();
  std::atomic<bool> ran{false};
  absl::Status s = pool.Submit([&] { ran = true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr("shutting down"));
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_FALSE(ran);
}

TEST(WorkerPoolTest, ShutdownRunsWhatIsQueuedBeforeReturning) {
  WorkerPool pool(1, 5);
  Blocker blocker;
  Journal journal;
  ASSERT_TRUE(pool.Submit(blocker.Task()).ok());
  ASSERT_TRUE(blocker.WaitStarted());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(pool.Submit(journal.Task(i)).ok());

  // Shut down while all five still wait; the pool stops accepting (a full queue
  // turns from RESOURCE_EXHAUSTED into UNAVAILABLE, so the probe never queues).
  std::thread stopper([&] { pool.Shutdown(); });
  EXPECT_TRUE(
      PollUntil([&] { return pool.Submit([] {}).code() == absl::StatusCode::kUnavailable; }));
  EXPECT_EQ(pool.queued(), 5u);
  EXPECT_TRUE(journal.ids().empty());

  blocker.Release();
  stopper.join();
  EXPECT_THAT(journal.ids(), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(WorkerPoolTest, DestructorRunsWhatIsQueued) {
  Journal journal;
  Blocker blocker;
  {
    WorkerPool pool(1, 10);
    ASSERT_TRUE(pool.Submit(blocker.Task()).ok());
    ASSERT_TRUE(blocker.WaitStarted());
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(pool.Submit(journal.Task(i)).ok());
    blocker.Release();
  }
  EXPECT_THAT(journal.ids(), ElementsAre(1, 2, 3));
}

TEST(WorkerPoolTest, ConcurrencyEqualsThreadCount) {
  constexpr int kThreads = 3;
  WorkerPool pool(kThreads, 100);
  absl::Notification release;
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  std::atomic<int> finished{0};
  auto task = [&] {
    const int now = ++running;
    int seen = max_running.load();
    while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
    }
    release.WaitForNotification();
    --running;
    ++finished;
  };
  for (int i = 0; i < 2 * kThreads; ++i) ASSERT_TRUE(pool.Submit(task).ok());

  // Exactly kThreads run at once; the rest wait in the queue.
  ASSERT_TRUE(PollUntil([&] { return running.load() == kThreads; }));
  EXPECT_EQ(pool.queued(), static_cast<std::size_t>(kThreads));
  EXPECT_EQ(running.load(), kThreads);

  release.Notify();
  ASSERT_TRUE(PollUntil([&] { return finished.load() == 2 * kThreads; }));
  EXPECT_EQ(max_running.load(), kThreads);
}

TEST(WorkerPoolTest, FewerThanOneThreadMeansOne) {
  WorkerPool pool(0, 10);
  absl::Notification done;
  ASSERT_TRUE(pool.Submit([&] { done.Notify(); }).ok());
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(kDeadline));
}

TEST(WorkerPoolTest, ShutdownIsIdempotent) {
  Journal journal;
  WorkerPool pool(2, 10);
  ASSERT_TRUE(pool.Submit(journal.Task(1)).ok());
  pool.Shutdown();
  pool.Shutdown();
  EXPECT_EQ(pool.Submit(journal.Task(2)).code(), absl::StatusCode::kUnavailable);
  pool.Shutdown();
  EXPECT_THAT(journal.ids(), ElementsAre(1));
  // The destructor shuts down a third time.
}

TEST(WorkerPoolTest, ConcurrentShutdownsJoinEachThreadOnce) {
  for (int round = 0; round < 20; ++round) {
    Journal journal;
    WorkerPool pool(4, 100);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.Submit(journal.Task(i)).ok());
    std::vector<std::thread> stoppers;
    for (int k = 0; k < 4; ++k) stoppers.emplace_back([&] { pool.Shutdown(); });
    for (auto& t : stoppers) t.join();
    pool.Shutdown();  // every thread is joined by now
    EXPECT_EQ(journal.ids().size(), 20u);
    EXPECT_EQ(pool.Submit([] {}).code(), absl::StatusCode::kUnavailable);
  }
}

}  // namespace
}  // namespace attain
