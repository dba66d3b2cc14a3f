// A WatchLeaderboard client for e2e tests on the callback API (no thread per
// stream): records every snapshot with the time it arrived; cancels the
// watch when destroyed.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"

namespace attain::testing {

class BoardWatcher final : public grpc::ClientReadReactor<eval::v1::WatchLeaderboardResponse> {
 public:
  struct Received {
    absl::Time at;
    eval::v1::WatchLeaderboardResponse snapshot;
  };

  BoardWatcher(eval::v1::LeaderboardService::Stub& stub, const std::string& token,
               eval::v1::WatchLeaderboardRequest request)
      : request_(std::move(request)) {
    if (!token.empty()) ctx_.AddMetadata("authorization", "Bearer " + token);
    stub.async()->WatchLeaderboard(&ctx_, &request_, this);
    StartRead(&message_);
    StartCall();
  }
  ~BoardWatcher() override {
    ctx_.TryCancel();
    WaitDone(absl::Seconds(30));
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    {
      absl::MutexLock l(&mu_);
      received_.push_back({absl::Now(), message_});
    }
    StartRead(&message_);
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock l(&mu_);
    status_ = status;
    done_ = true;
  }

  bool done() {
    absl::MutexLock l(&mu_);
    return done_;
  }
  bool WaitDone(absl::Duration timeout) {
    absl::MutexLock l(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
  }
  grpc::Status status() {
    absl::MutexLock l(&mu_);
    return status_;
  }
  std::vector<Received> received() {
    absl::MutexLock l(&mu_);
    return received_;
  }
  size_t count() {
    absl::MutexLock l(&mu_);
    return received_.size();
  }
  // The value of `rep` in the latest snapshot (-1 if absent or none yet).
  int64_t LatestValue(const std::string& rep) {
    absl::MutexLock l(&mu_);
    if (received_.empty()) return -1;
    for (const auto& row : received_.back().snapshot.rows()) {
      if (row.rep_id() == rep) return row.value();
    }
    return -1;
  }

 private:
  grpc::ClientContext ctx_;
  eval::v1::WatchLeaderboardRequest request_;
  eval::v1::WatchLeaderboardResponse message_;
  absl::Mutex mu_;
  std::vector<Received> received_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace attain::testing
