// gRPC handlers of attain.eval.v1.LeaderboardService: live boards from Redis
// (boards/), or from ingest's rollups when Redis cannot be read and a request
// allows it, targets from the target service, Watch streams fanned out by the
// WatchHub.
#pragma once

#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "common/rpc.h"
#include "common/stream_slots.h"
#include "services/eval/src/boards/board_store.h"
#include "services/eval/src/boards/target_lookup.h"
#include "services/eval/src/boards/watch_hub.h"

namespace attain::eval {

// GetLeaderboard's page size: default and maximum.
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 500;
// GetRank's neighbours: maximum.
inline constexpr int kMaxNeighbours = 20;
// WatchLeaderboard's top_n: default and maximum.
inline constexpr int kDefaultWatchTop = 20;
inline constexpr int kMaxWatchTop = 100;
// WatchLeaderboard streams one server serves at once; past it a new watch
// ends at once with RESOURCE_EXHAUSTED (docs/limits.md).
inline constexpr int kMaxConcurrentWatches = 1000;

// The roles that may read boards: every role that reads results (reps
// included: they see leaderboards, ARCHITECTURE §10), not crm-ingest.
RoleSet LeaderboardReaders();

class LeaderboardServiceImpl final : public v1::LeaderboardService::CallbackService {
 public:
  // Not owned; must outlive the service and any call in flight. `boards` is
  // the live board store; `rollups` (may be null: then requests that allow
  // rollups get UNAVAILABLE like the others) is read by GetLeaderboard and
  // GetRank instead when `boards` answers UNAVAILABLE and the request sets
  // allow_rollups. At most `max_watches` WatchLeaderboard calls are served at once.
  LeaderboardServiceImpl(const RpcEnv& env, BoardStore& boards, TargetLookup& targets,
                         WatchHub& hub, BoardStore* rollups = nullptr,
                         int max_watches = kMaxConcurrentWatches)
      : env_(env),
        boards_(boards),
        targets_(targets),
        hub_(hub),
        rollups_(rollups),
        watch_slots_(max_watches, "WatchLeaderboard streams") {}

  grpc::ServerUnaryReactor* GetLeaderboard(grpc::CallbackServerContext* ctx,
                                           const v1::GetLeaderboardRequest* req,
                                           v1::GetLeaderboardResponse* resp) override;
  grpc::ServerUnaryReactor* GetRank(grpc::CallbackServerContext* ctx, const v1::GetRankRequest* req,
                                    v1::GetRankResponse* resp) override;
  grpc::ServerWriteReactor<v1::WatchLeaderboardResponse>* WatchLeaderboard(
      grpc::CallbackServerContext* ctx, const v1::WatchLeaderboardRequest* req) override;

  // Ends every Watch stream (and any opened later) with UNAVAILABLE, so that
  // clients reconnect elsewhere; call before shutting the server down.
  void CloseWatches();

 private:
  class WatchReactor;

  const RpcEnv env_;
  BoardStore& boards_;
  TargetLookup& targets_;
  WatchHub& hub_;
  BoardStore* const rollups_;
  StreamSlots watch_slots_;
};

}  // namespace attain::eval
