// gRPC handlers of attain.ingest.v1.ComplianceService.
#pragma once

#include "absl/time/time.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/ingest/src/store/compliance_store.h"

namespace attain::ingest {

class ComplianceServiceImpl final : public v1::ComplianceService::CallbackService {
 public:
  // Not owned; must outlive the service. `tz` is the tenants' time zone
  // ("today" of ListOverdueFollowUps).
  ComplianceServiceImpl(const RpcEnv& env, ComplianceStore& store, const Clock& clock,
                        absl::TimeZone tz)
      : env_(env), store_(store), clock_(clock), tz_(tz) {}

  grpc::ServerUnaryReactor* ListOverdueFollowUps(grpc::CallbackServerContext* ctx,
                                                 const v1::ListOverdueFollowUpsRequest* req,
                                                 v1::ListOverdueFollowUpsResponse* resp) override;
  grpc::ServerUnaryReactor* ListFrequentContacts(grpc::CallbackServerContext* ctx,
                                                 const v1::ListFrequentContactsRequest* req,
                                                 v1::ListFrequentContactsResponse* resp) override;
  grpc::ServerUnaryReactor* ListLateFollowUpRecords(
      grpc::CallbackServerContext* ctx, const v1::ListLateFollowUpRecordsRequest* req,
      v1::ListLateFollowUpRecordsResponse* resp) override;
  grpc::ServerUnaryReactor* ListMissedReports(grpc::CallbackServerContext* ctx,
                                              const v1::ListMissedReportsRequest* req,
                                              v1::ListMissedReportsResponse* resp) override;
  grpc::ServerUnaryReactor* ListFinanceMismatches(grpc::CallbackServerContext* ctx,
                                                  const v1::ListFinanceMismatchesRequest* req,
                                                  v1::ListFinanceMismatchesResponse* resp) override;
  grpc::ServerUnaryReactor* ListSpecialContributions(
      grpc::CallbackServerContext* ctx, const v1::ListSpecialContributionsRequest* req,
      v1::ListSpecialContributionsResponse* resp) override;

 private:
  const RpcEnv env_;
  ComplianceStore& store_;
  const Clock& clock_;
  const absl::TimeZone tz_;
};

// Roles that read the compliance reports (finance reads only finance mismatches).
RoleSet ComplianceReaders();

}  // namespace attain::ingest
