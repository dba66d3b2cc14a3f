// gRPC handlers of attain.target.v1.OrgService: decode, authorise, validate,
// run against the store, encode.
#pragma once

#include "absl/time/time.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/target/src/store/target_store.h"

namespace attain::target {

class OrgServiceImpl final : public ::attain::target::v1::OrgService::CallbackService {
 public:
  // `store` and `clock` must outlive the service; `tz` is the tenant time zone
  // that turns "today" into a date.
  OrgServiceImpl(const RpcEnv& env, TargetStore& store, const Clock& clock, absl::TimeZone tz)
      : env_(env), store_(store), clock_(clock), tz_(tz) {}

  using ServerContext = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* CreateOrgUnit(ServerContext* ctx, const v1::CreateOrgUnitRequest* req,
                         v1::CreateOrgUnitResponse* resp) override;
  Reactor* GetOrgUnit(ServerContext* ctx, const v1::GetOrgUnitRequest* req,
                      v1::GetOrgUnitResponse* resp) override;
  Reactor* ListOrgUnits(ServerContext* ctx, const v1::ListOrgUnitsRequest* req,
                        v1::ListOrgUnitsResponse* resp) override;
  Reactor* UpdateOrgUnit(ServerContext* ctx, const v1::UpdateOrgUnitRequest* req,
                         v1::UpdateOrgUnitResponse* resp) override;
  Reactor* MoveOrgUnit(ServerContext* ctx, const v1::MoveOrgUnitRequest* req,
                       v1::MoveOrgUnitResponse* resp) override;
  Reactor* ArchiveOrgUnit(ServerContext* ctx, const v1::ArchiveOrgUnitRequest* req,
                          v1::ArchiveOrgUnitResponse* resp) override;
  Reactor* CreateRep(ServerContext* ctx, const v1::CreateRepRequest* req,
                     v1::CreateRepResponse* resp) override;
  Reactor* GetRep(ServerContext* ctx, const v1::GetRepRequest* req,
                  v1::GetRepResponse* resp) override;
  Reactor* ListReps(ServerContext* ctx, const v1::ListRepsRequest* req,
                    v1::ListRepsResponse* resp) override;
  Reactor* UpdateRep(ServerContext* ctx, const v1::UpdateRepRequest* req,
                     v1::UpdateRepResponse* resp) override;
  Reactor* MoveRep(ServerContext* ctx, const v1::MoveRepRequest* req,
                   v1::MoveRepResponse* resp) override;
  Reactor* CreateProductLine(ServerContext* ctx, const v1::CreateProductLineRequest* req,
                             v1::CreateProductLineResponse* resp) override;
  Reactor* ListProductLines(ServerContext* ctx, const v1::ListProductLinesRequest* req,
                            v1::ListProductLinesResponse* resp) override;

 private:
  absl::CivilDay Today() const { return absl::ToCivilDay(clock_.Now(), tz_); }

  const RpcEnv env_;
  TargetStore& store_;
  const Clock& clock_;
  const absl::TimeZone tz_;
};

}  // namespace attain::target
