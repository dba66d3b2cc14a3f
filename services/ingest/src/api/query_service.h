// gRPC handlers of attain.ingest.v1.IngestQueryService: validation, roles
// and scope checks in front of QueryStore.
#pragma once

#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "common/period.h"
#include "common/rpc.h"
#include "services/ingest/src/store/query_store.h"

namespace attain::ingest {

class IngestQueryServiceImpl final : public v1::IngestQueryService::CallbackService {
 public:
  // Not owned; must outlive the service.
  IngestQueryServiceImpl(const RpcEnv& env, QueryStore& store) : env_(env), store_(store) {}

  grpc::ServerUnaryReactor* GetActuals(grpc::CallbackServerContext* ctx,
                                       const v1::GetActualsRequest* req,
                                       v1::GetActualsResponse* resp) override;
  grpc::ServerUnaryReactor* GetActualsGroupings(grpc::CallbackServerContext* ctx,
                                                const v1::GetActualsGroupingsRequest* req,
                                                v1::GetActualsGroupingsResponse* resp) override;
  grpc::ServerUnaryReactor* ListCustomers(grpc::CallbackServerContext* ctx,
                                          const v1::ListCustomersRequest* req,
                                          v1::ListCustomersResponse* resp) override;
  grpc::ServerUnaryReactor* GetFunnel(grpc::CallbackServerContext* ctx,
                                      const v1::GetFunnelRequest* req,
                                      v1::GetFunnelResponse* resp) override;
  grpc::ServerUnaryReactor* GetCustomerStats(grpc::CallbackServerContext* ctx,
                                             const v1::GetCustomerStatsRequest* req,
                                             v1::GetCustomerStatsResponse* resp) override;

 private:
  const RpcEnv env_;
  QueryStore& store_;
};

// Roles that may call IngestQueryService (managers and reps within their scope).
RoleSet QueryReaders();

// The period of field "period": INVALID_ARGUMENT naming the field when empty
// or not a canonical period.
absl::StatusOr<Period> ParsePeriodField(const std::string& text);

// The scope of field "scope": unset or SCOPE_KIND_UNSPECIFIED (with no id) is
// the company; a unit or rep needs an id. INVALID_ARGUMENT naming the field.
absl::StatusOr<QueryScope> ParseScopeField(bool has_scope, const attain::type::v1::Scope& scope);

// OK when `group_by` is a grouping GetCustomerStats offers (UNSPECIFIED, NONE
// or REP); INVALID_ARGUMENT naming the field otherwise.
absl::Status CheckCustomerStatsGroupBy(v1::GroupBy group_by);

// OK when `principal` may read `scope`: every reader role but manager and rep
// reads everything; a manager reads their own unit (token scope; "" = the
// whole tenant) and teams and reps the rollups place in it; a rep reads their
// own rep scope only. PERMISSION_DENIED otherwise.
absl::Status CheckScopeAccess(const Principal& principal, const QueryScope& scope,
                              QueryStore& store);

}  // namespace attain::ingest
