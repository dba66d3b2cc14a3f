#include "services/ingest/src/api/committer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
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
    for (IncomingBatch* b : batches) {
      for (const v1::Event& e : b->events) {
        if (!poison_.empty() && e.source() == poison_) return absl::InternalError("poisoned");
      }
    }
    std::vector<size_t> sizes;
    for (IncomingBatch* b : batches) {
      sizes.push_back(b->events.size());
      for (const v1::Event& e : b->events) applied_.push_back(e.event_id());
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
  std::vector<std::string> applied() {
    absl::MutexLock l(&mu_);
    return applied_;
  }
  void Poison(std::string source) {
    absl::MutexLock l(&mu_);
    poison_ = std::move(source);
  }
  absl::Notification gate_;

 private:
  std::vector<std::string> applied_;  // event ids in the order applied
  std::string poison_;                // a group with an event of this source fails
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
  opts.lanes = 1;
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
  opts.lanes = 1;
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
  opts.lanes = 1;
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

// Events keyed by source: "k<key>"; ids "<key>/<n>".
std::unique_ptr<IncomingBatch> KeyedBatch(const std::vector<std::pair<int, int>>& key_and_n) {
  auto b = std::make_unique<IncomingBatch>();
  b->tenant = "t";
  for (const auto& [key, n] : key_and_n) {
    v1::Event e;
    e.set_source(absl::StrCat("k", key));
    e.set_event_id(absl::StrCat(key, "/", n));
    b->events.push_back(e);
  }
  return b;
}

BatchCommitter::Options Lanes(int lanes) {
  BatchCommitter::Options opts;
  opts.lanes = lanes;
  opts.lane_key = [](const v1::Event& e) -> absl::string_view { return e.source(); };
  return opts;
}

TEST(BatchCommitter, SeveralLanesApplyEveryBatchOnceAndKeepEachKeysOrder) {
  FakeApplier applier;
  applier.gate_.Notify();
  BatchCommitter::Options opts = Lanes(3);
  opts.max_events_per_transaction = 7;
  BatchCommitter committer(applier, opts);
  constexpr int kBatches = 200;
  constexpr int kKeys = 10;
  std::vector<Result> results(kBatches);
  std::vector<int> next(kKeys, 0);
  for (int i = 0; i < kBatches; ++i) {
    std::vector<std::pair<int, int>> events;
    for (int k = 0; k < 1 + i % 5; ++k) {
      const int key = (i * 7 + k * 3) % kKeys;
      events.emplace_back(key, next[key]++);
    }
    ASSERT_TRUE(committer.Submit(KeyedBatch(events), Capture(&results[i])).ok());
  }
  for (int i = 0; i < kBatches; ++i) {
    results[i].done.WaitForNotification();
    ASSERT_TRUE(results[i].outcomes.ok()) << results[i].outcomes.status();
    ASSERT_EQ(results[i].outcomes->size(), static_cast<size_t>(1 + i % 5));
    // Outcomes come back in the batch's order, indexed by position.
    for (int k = 0; k < 1 + i % 5; ++k) EXPECT_EQ((*results[i].outcomes)[k].index(), k);
  }
  const std::vector<std::string> applied = applier.applied();
  EXPECT_EQ(applied.size(), 600u);  // 200 batches of 1..5 events: 40 × (1+2+3+4+5)
  // Every key's events were applied exactly once, in the order submitted.
  std::vector<int> seen(kKeys, 0);
  for (const std::string& id : applied) {
    const size_t slash = id.find('/');
    const int key = std::stoi(id.substr(0, slash));
    EXPECT_EQ(std::stoi(id.substr(slash + 1)), seen[key]++) << id;
  }
  EXPECT_EQ(seen, next);
}

TEST(BatchCommitter, ABatchSplitOverLanesFailsAsAWholeWhenAPartFails) {
  FakeApplier applier;
  applier.gate_.Notify();
  applier.Poison("k1");
  BatchCommitter committer(applier, Lanes(2));
  // Keys 0..5 land on both lanes; the part holding k1 fails (INTERNAL, not retried).
  Result r;
  ASSERT_TRUE(
      committer.Submit(KeyedBatch({{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}}), Capture(&r))
          .ok());
  r.done.WaitForNotification();
  EXPECT_EQ(r.outcomes.status().code(), absl::StatusCode::kInternal);
  // The other lane's part committed: a resend would find those as duplicates.
  EXPECT_GT(applier.applied().size(), 0u);
  EXPECT_LT(applier.applied().size(), 6u);
  // Stop drains and joins: `done` was called exactly once (Notify twice aborts).
  committer.Stop();
}
}  // namespace
}  // namespace attain::ingest
