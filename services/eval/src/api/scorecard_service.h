// gRPC handlers of attain.eval.v1.ScorecardService
// (protos/attain/eval/v1/scorecard_service.proto). GetScorecard only; the
// evaluation RPCs answer UNIMPLEMENTED until they are built.
#pragma once

#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "common/rpc.h"
#include "services/eval/src/scorecards/scorecard_maker.h"
#include "services/eval/src/scorecards/sources.h"
#include "services/eval/src/store/template_store.h"

namespace attain::eval {

// Who reads scorecards (the proto's Auth): admin, director, hr and the
// committee roles read all; service (the review service preparing a meeting)
// too; a manager the reps and units of their subtree; a rep their own.
RoleSet ScorecardReaders();

class ScorecardServiceImpl final : public ::attain::eval::v1::ScorecardService::CallbackService {
 public:
  // Everything must outlive the service.
  ScorecardServiceImpl(const RpcEnv& env, TemplateStore& templates, OrgSource& org,
                       ScorecardMaker& maker)
      : env_(env), templates_(templates), org_(org), maker_(maker) {}

  // A manager's scope is checked on the org tree of the target service: the
  // subject (a rep's team on the period's last day, or the unit itself) must
  // be the manager's scope unit or lie under it, walking up the parents.
  grpc::ServerUnaryReactor* GetScorecard(grpc::CallbackServerContext* ctx,
                                         const v1::GetScorecardRequest* req,
                                         v1::GetScorecardResponse* resp) override;

 private:
  const RpcEnv env_;
  TemplateStore& templates_;
  OrgSource& org_;
  ScorecardMaker& maker_;
};

}  // namespace attain::eval
