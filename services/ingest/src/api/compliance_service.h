// gRPC handlers of attain.ingest.v1.ComplianceService.
#pragma once

#include "absl/time/time.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/ingest/src/store/compliance_store.h"
#include "services/ingest/src/store/query_store.h"

namespace attain::ingest {

class ComplianceServiceImpl final : public v1::ComplianceService::CallbackService {
 public:
  // Not owned; must outlive the service. `scopes` answers whether a scope
  // lies within a manager's unit (as for IngestQueryService). `tz` is the
  // tenants' time zone ("today" of ListOverdueFollowUps).
  ComplianceServiceImpl(const RpcEnv& env, ComplianceStore& store, QueryStore& scopes,
                        const Clock& clock, absl::TimeZone tz)
      : env_(env), store_(store), scopes_(scopes), clock_(clock), tz_(tz) {}

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
  QueryStore& scopes_;
  const Clock& clock_;
  const absl::TimeZone tz_;
};

// Roles that read the compliance reports (finance reads only finance mismatches).
RoleSet ComplianceReaders();

// Roles that read ListSpecialContributions: the compliance readers, services
// (the evaluation service) and reps (their own orders, with a rep scope).
RoleSet SpecialContributionReaders();

// threshold_multiple of ListSpecialContributions: 0 → 5; from 1 to 1000 as
// given; INVALID_ARGUMENT naming the field otherwise (also NaN and infinity).
absl::StatusOr<double> ResolveThresholdMultiple(double multiple);

}  // namespace attain::ingest
