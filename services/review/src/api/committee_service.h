// gRPC handlers of attain.review.v1.CommitteeService: review committees and
// their members (protos/attain/review/v1/committee_service.proto).
#pragma once

#include "attain/review/v1/committee_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/review/src/store/meeting_store.h"

namespace attain::review {

// Roles (ARCHITECTURE §10): admin, director and committee-secretary create
// and change committees; every role but crm-ingest and finance reads them.
RoleSet CommitteeWriterRoles();
RoleSet CommitteeReaderRoles();

class CommitteeServiceImpl final : public v1::CommitteeService::CallbackService {
 public:
  // `store` and `clock` (the times recorded) must outlive the service.
  CommitteeServiceImpl(const RpcEnv& env, MeetingStore& store, const Clock& clock)
      : env_(env), store_(store), clock_(clock) {}

  using ServerContext = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* CreateCommittee(ServerContext* ctx, const v1::CreateCommitteeRequest* req,
                           v1::CreateCommitteeResponse* resp) override;
  Reactor* GetCommittee(ServerContext* ctx, const v1::GetCommitteeRequest* req,
                        v1::GetCommitteeResponse* resp) override;
  Reactor* ListCommittees(ServerContext* ctx, const v1::ListCommitteesRequest* req,
                          v1::ListCommitteesResponse* resp) override;
  Reactor* UpdateCommittee(ServerContext* ctx, const v1::UpdateCommitteeRequest* req,
                           v1::UpdateCommitteeResponse* resp) override;

 private:
  const RpcEnv env_;
  MeetingStore& store_;
  const Clock& clock_;
};

}  // namespace attain::review
