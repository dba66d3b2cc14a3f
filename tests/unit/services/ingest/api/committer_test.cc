#include "services/ingest/src/api/committer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"

namespace attain::ingest {
namespace {

// Records each group it is given; fails the first `failures` calls with `error`.
class FakeApplier : public BatchApplier {
 public:
  absl::Status Apply(const std::vector<IncomingBatch*>& batches) override {
    absl::MutexLock l(&mu_);
    gate_.WaitForNotification();
    ++calls_;
    if (failures_ > 0) {
      --failures_;
      return error_;
    }
    std::vector<size_t> sizes;
    for (IncomingBatch* b : batches) {
      sizes.push_back(b->events.size());
      for (size_t i = 0; i < b->events.size(); ++i) {
        v1::EventOutcome o;
        o.set_index(static_cast<int>(i));
        o.set_outcome(v1::OUTCOME_ACCEPTED);
        b->outcomes.push_back(o);
      }
    }
    groups_.push_back(sizes);
    return absl::OkStatus();
  }
  void FailNext(int n, absl::Status error) {
    absl::MutexLock l(&mu_);
    failures_ = n;
    error_ = error;
  }
  int calls() {
    absl::MutexLock l(&mu_);
    return calls_;
  }
  std::vector<std::vector<size_t>> groups() {
    absl::MutexLock l(&mu_);
    return groups_;
  }
  absl::Notification gate_;

 private:
  absl::Mutex mu_;
  int calls_ = 0;
  int failures_ = 0;
  absl::Status error_;
  std::vector<std::vector<size_t>> groups_;
};

std::unique_ptr<IncomingBatch> Batch(size_t n) {
  auto b = std::make_unique<IncomingBatch>();
  b->tenant = "t";
  b->events.resize(n);
  return b;
}

struct Result {
  absl::Notification done;
  absl::StatusOr<std::vector<v1::EventOutcome>> outcomes = absl::UnknownError("not called");
};

BatchCommitter::Done Capture(Result* r) {
  return [r](absl::StatusOr<std::vector<v1::EventOutcome>> o) {
    r->outcomes = std::move(o);
    r->done.Notify();
  };
}

TEST(BatchCommitter, GroupsQueuedBatchesIntoOneTransactionUpToTheLimit) {
  FakeApplier applier;
  BatchCommitter::Options opts;
  opts.committers = 1;
  opts.max_events_per_transaction = 10;
  BatchCommitter committer(applier, opts);
  // The first batch is taken at once and blocks in Apply; the next four queue.
  Result r[5];
  ASSERT_TRUE(committer.Submit(Batch(1), Capture(&r[0])).ok());
  for (int i = 1; i < 5; ++i) ASSERT_TRUE(committer.Submit(Batch(4), Capture(&r[i])).ok());
  applier.gate_.Notify();
  for (Result& x : r) x.done.WaitForNotification();
  for (Result& x : r) ASSERT_TRUE(x.outcomes.ok());
  EXPECT_EQ(r[3].outcomes->size(), 4u);
  // Whatever the first group took, the later groups hold at most 10 events:
  // 4+4 (8), then 4 … never 12.
  for (const auto& g : applier.groups()) {
    size_t events = 0;
    for (size_t n : g) events += n;
    EXPECT_LE(events, 10u);
  }
  EXPECT_LT(applier.groups().size(), 5u);  // some batches shared a transaction
}

TEST(BatchCommitter, RetriesUnavailableThenAcknowledges) {
  FakeApplier applier;
  applier.gate_.Notify();
  applier.FailNext(2, absl::UnavailableError("db down"));
  BatchCommitter::Options opts;
  opts.retry_backoff = absl::Milliseconds(1);
  BatchCommitter committer(applier, opts);
  Result r;
  ASSERT_TRUE(committer.Submit(Batch(3), Capture(&r)).ok());
  r.done.WaitForNotification();
  ASSERT_TRUE(r.outcomes.ok()) << r.outcomes.status();
  EXPECT_EQ(r.outcomes->size(), 3u);
  EXPECT_EQ(applier.calls(), 3);
}

TEST(BatchCommitter, GivesUpAfterMaxAttemptsAndReportsTheError) {
  FakeApplier applier;
  applier.gate_.Notify();
  applier.FailNext(100, absl::UnavailableError("db down"));
  BatchCommitter::Options opts;
  opts.retry_backoff = absl::Milliseconds(1);
  opts.max_attempts = 3;
  BatchCommitter committer(applier, opts);
  Result r;
  ASSERT_TRUE(committer.Submit(Batch(1), Capture(&r)).ok());
  r.done.WaitForNotification();
  EXPECT_EQ(r.outcomes.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(applier.calls(), 3);
}

TEST(BatchCommitter, DoesNotRetryOtherErrors) {
  FakeApplier applier;
  applier.gate_.Notify();
  applier.FailNext(1, absl::InternalError("bug"));
  BatchCommitter::Options opts;
  opts.committers = 1;
  BatchCommitter committer(applier, opts);
  Result r;
  ASSERT_TRUE(committer.Submit(Batch(1), Capture(&r)).ok());
  r.done.WaitForNotification();
  EXPECT_EQ(r.outcomes.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(applier.calls(), 1);
}

TEST(BatchCommitter, RefusesWhenTheQueueIsFullAndAfterStop) {
  FakeApplier applier;  // gate closed: the first group blocks
  BatchCommitter::Options opts;
  opts.committers = 1;
  opts.max_queued_events = 5;
  auto committer = std::make_unique<BatchCommitter>(applier, opts);
  Result a, b, c;
  ASSERT_TRUE(committer->Submit(Batch(5), Capture(&a)).ok());
  // Wait until the committer has taken the first batch (queue empty again).
  while (committer->queued_events() != 0) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_TRUE(committer->Submit(Batch(5), Capture(&b)).ok());
  absl::Status full = committer->Submit(Batch(1), Capture(&c));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  applier.gate_.Notify();
  committer->Stop();  // drains what was queued
  EXPECT_TRUE(a.done.HasBeenNotified());
  EXPECT_TRUE(b.done.HasBeenNotified());
  EXPECT_FALSE(c.done.HasBeenNotified());
  EXPECT_EQ(committer->Submit(Batch(1), Capture(&c)).code(), absl::StatusCode::kUnavailable);
}

TEST(BatchCommitter, SeveralCommittersApplyEveryBatchOnce) {
  FakeApplier applier;
  applier.gate_.Notify();
  BatchCommitter::Options opts;
  opts.committers = 3;
  opts.max_events_per_transaction = 7;
  BatchCommitter committer(applier, opts);
  constexpr int kBatches = 200;
  std::vector<Result> results(kBatches);
  for (int i = 0; i < kBatches; ++i) {
    ASSERT_TRUE(committer.Submit(Batch(1 + i % 5), Capture(&results[i])).ok());
  }
  size_t events = 0;
  for (int i = 0; i < kBatches; ++i) {
    results[i].done.WaitForNotification();
    ASSERT_TRUE(results[i].outcomes.ok());
    EXPECT_EQ(results[i].outcomes->size(), static_cast<size_t>(1 + i % 5));
  }
  for (const auto& g : applier.groups()) {
    for (size_t n : g) events += n;
  }
  EXPECT_EQ(events, 600u);  // 200 batches of 1..5 events: 40 × (1+2+3+4+5)
}

}  // namespace
}  // namespace attain::ingest
