// gRPC handlers of attain.target.v1.TargetService.
#pragma once

#include "absl/time/time.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/target/src/store/target_store.h"

namespace attain::target {

class TargetServiceImpl final : public ::attain::target::v1::TargetService::CallbackService {
 public:
  // `store` must outlive the service.
  TargetServiceImpl(const RpcEnv& env, TargetStore& store) : env_(env), store_(store) {}

  using ServerContext = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* SetTarget(ServerContext* ctx, const v1::SetTargetRequest* req,
                     v1::SetTargetResponse* resp) override;
  Reactor* BatchSetTargets(ServerContext* ctx, const v1::BatchSetTargetsRequest* req,
                           v1::BatchSetTargetsResponse* resp) override;
  Reactor* GetTarget(ServerContext* ctx, const v1::GetTargetRequest* req,
                     v1::GetTargetResponse* resp) override;
  Reactor* ListTargets(ServerContext* ctx, const v1::ListTargetsRequest* req,
                       v1::ListTargetsResponse* resp) override;
  Reactor* DecomposeTarget(ServerContext* ctx, const v1::DecomposeTargetRequest* req,
                           v1::DecomposeTargetResponse* resp) override;
  Reactor* CheckConsistency(ServerContext* ctx, const v1::CheckConsistencyRequest* req,
                            v1::CheckConsistencyResponse* resp) override;
  Reactor* ListTargetHistory(ServerContext* ctx, const v1::ListTargetHistoryRequest* req,
                             v1::ListTargetHistoryResponse* resp) override;
  Reactor* LockPeriod(ServerContext* ctx, const v1::LockPeriodRequest* req,
                      v1::LockPeriodResponse* resp) override;
  Reactor* UnlockPeriod(ServerContext* ctx, const v1::UnlockPeriodRequest* req,
                        v1::UnlockPeriodResponse* resp) override;
  Reactor* ListPeriodLocks(ServerContext* ctx, const v1::ListPeriodLocksRequest* req,
                           v1::ListPeriodLocksResponse* resp) override;

 private:
  const RpcEnv env_;
  TargetStore& store_;
};

}  // namespace attain::target
