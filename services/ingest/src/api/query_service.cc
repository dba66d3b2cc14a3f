#include "services/ingest/src/api/query_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/page.h"
#include "common/status.h"

namespace attain::ingest {

namespace tv1 = ::attain::type::v1;

RoleSet QueryReaders() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kService,
          Role::kFinance,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kHr,
          Role::kManager,
          Role::kRep};
}

absl::StatusOr<Period> ParsePeriodField(const std::string& text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("period is empty: give a canonical period, e.g. \"2025-Q1\"");
  }
  absl::StatusOr<Period> p = Period::Parse(text);
  if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("period: ", p.status().message()));
  return *p;
}

absl::StatusOr<QueryScope> ParseScopeField(bool has_scope, const tv1::Scope& scope) {
  QueryScope q;
  if (!has_scope) return q;
  switch (scope.kind()) {
    case tv1::SCOPE_KIND_UNSPECIFIED:
      if (!scope.id().empty()) {
        return absl::InvalidArgumentError(
            "scope.kind is unset but scope.id is given: set kind UNIT or REP");
      }
      return q;
    case tv1::SCOPE_KIND_UNIT:
      q.kind = QueryScope::Kind::kUnit;
      break;
    case tv1::SCOPE_KIND_REP:
      q.kind = QueryScope::Kind::kRep;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("scope.kind ", static_cast<int>(scope.kind()), " is not a ScopeKind"));
  }
  if (scope.id().empty()) return absl::InvalidArgumentError("scope.id is empty");
  q.id = scope.id();
  return q;
}

absl::Status CheckCustomerStatsGroupBy(v1::GroupBy group_by) {
  switch (group_by) {
    case v1::GROUP_BY_UNSPECIFIED:
    case v1::GROUP_BY_NONE:
    case v1::GROUP_BY_REP:
      return absl::OkStatus();
    default:
      break;
  }
  const std::string name =
      v1::GroupBy_IsValid(group_by) ? v1::GroupBy_Name(group_by) : absl::StrCat(group_by);
  return absl::InvalidArgumentError(absl::StrCat(
      "group_by ", name,
      " is not offered by GetCustomerStats: use GROUP_BY_NONE (the whole scope) or GROUP_BY_REP"));
}

absl::Status CheckScopeAccess(const Principal& principal, const QueryScope& scope,
                              QueryStore& store) {
  if (principal.role == Role::kRep) {
    if (scope.kind != QueryScope::Kind::kRep || scope.id != principal.subject) {
      return absl::PermissionDeniedError(
          "a rep may read only their own actuals: set scope to kind REP with their rep id");
    }
    return absl::OkStatus();
  }
  if (principal.role != Role::kManager) return absl::OkStatus();  // tokens name their unit
  if (scope.kind == QueryScope::Kind::kCompany) {
    return absl::PermissionDeniedError(absl::StrCat("a manager may read only their unit \"",
                                                    principal.scope, "\": set scope to it"));
  }
  ASSIGN_OR_RETURN(bool within, store.ScopeWithinUnit(principal.tenant, scope, principal.scope));
  if (!within) {
    return absl::PermissionDeniedError(absl::StrCat(
        "scope \"", scope.id, "\" is outside the manager's unit \"", principal.scope, "\""));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* IngestQueryServiceImpl::GetActuals(grpc::CallbackServerContext* ctx,
                                                             const v1::GetActualsRequest* req,
                                                             v1::GetActualsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.IngestQueryService/GetActuals", QueryReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ParsePeriodField(req->period()));
        ASSIGN_OR_RETURN(QueryScope scope, ParseScopeField(req->has_scope(), req->scope()));
        if (!v1::GroupBy_IsValid(req->group_by())) {
          return absl::InvalidArgumentError(
              absl::StrCat("group_by ", static_cast<int>(req->group_by()), " is not a GroupBy"));
        }
        RETURN_IF_ERROR(CheckScopeAccess(p, scope, store_));
        return store_.GetActuals(p.tenant, period, scope, req->group_by(), req->product_line_id(),
                                 resp);
      });
}

grpc::ServerUnaryReactor* IngestQueryServiceImpl::GetActualsGroupings(
    grpc::CallbackServerContext* ctx, const v1::GetActualsGroupingsRequest* req,
    v1::GetActualsGroupingsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.IngestQueryService/GetActualsGroupings", QueryReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ParsePeriodField(req->period()));
        ASSIGN_OR_RETURN(QueryScope scope, ParseScopeField(req->has_scope(), req->scope()));
        constexpr int kMaxGroupings = 8;
        if (req->group_by_size() == 0 || req->group_by_size() > kMaxGroupings) {
          return absl::InvalidArgumentError(absl::StrCat("group_by has ", req->group_by_size(),
                                                         " entries: ask for 1 to ", kMaxGroupings,
                                                         " groupings"));
        }
        std::vector<v1::GroupBy> groupings;
        for (int g : req->group_by()) {
          if (!v1::GroupBy_IsValid(g)) {
            return absl::InvalidArgumentError(absl::StrCat("group_by ", g, " is not a GroupBy"));
          }
          groupings.push_back(static_cast<v1::GroupBy>(g));
        }
        RETURN_IF_ERROR(CheckScopeAccess(p, scope, store_));
        return store_.GetActualsGroupings(p.tenant, period, scope, groupings,
                                          req->product_line_id(), resp);
      });
}

grpc::ServerUnaryReactor* IngestQueryServiceImpl::ListCustomers(grpc::CallbackServerContext* ctx,
                                                                const v1::ListCustomersRequest* req,
                                                                v1::ListCustomersResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.IngestQueryService/ListCustomers", QueryReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(Period period, ParsePeriodField(req->period()));
        ASSIGN_OR_RETURN(QueryScope scope, ParseScopeField(req->has_scope(), req->scope()));
        if (!v1::CustomerFilter_IsValid(req->filter())) {
          return absl::InvalidArgumentError(
              absl::StrCat("filter ", static_cast<int>(req->filter()), " is not a CustomerFilter"));
        }
        ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
        ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
        RETURN_IF_ERROR(CheckScopeAccess(p, scope, store_));
        RETURN_IF_ERROR(
            store_.ListCustomers(p.tenant, period, scope, req->filter(), after, limit, resp));
        if (!resp->next_page_token().empty()) {
          resp->set_next_page_token(EncodePageToken(resp->next_page_token(), PageContext(*req)));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* IngestQueryServiceImpl::GetFunnel(grpc::CallbackServerContext* ctx,
                                                            const v1::GetFunnelRequest* req,
                                                            v1::GetFunnelResponse* resp) {
  return ServeUnary(ctx, env_, "attain.ingest.v1.IngestQueryService/GetFunnel", QueryReaders(),
                    [this, req, resp](const Principal& p) -> absl::Status {
                      ASSIGN_OR_RETURN(Period period, ParsePeriodField(req->period()));
                      ASSIGN_OR_RETURN(QueryScope scope,
                                       ParseScopeField(req->has_scope(), req->scope()));
                      RETURN_IF_ERROR(CheckScopeAccess(p, scope, store_));
                      return store_.GetFunnel(p.tenant, period, scope, resp);
                    });
}

grpc::ServerUnaryReactor* IngestQueryServiceImpl::GetCustomerStats(
    grpc::CallbackServerContext* ctx, const v1::GetCustomerStatsRequest* req,
    v1::GetCustomerStatsResponse* resp) {
  return ServeUnary(ctx, env_, "attain.ingest.v1.IngestQueryService/GetCustomerStats",
                    QueryReaders(), [this, req, resp](const Principal& p) -> absl::Status {
                      ASSIGN_OR_RETURN(Period period, ParsePeriodField(req->period()));
                      ASSIGN_OR_RETURN(QueryScope scope,
                                       ParseScopeField(req->has_scope(), req->scope()));
                      RETURN_IF_ERROR(CheckCustomerStatsGroupBy(req->group_by()));
                      RETURN_IF_ERROR(CheckScopeAccess(p, scope, store_));
                      return store_.GetCustomerStats(p.tenant, period, scope, req->group_by(),
                                                     req->include_total(), resp);
                    });
}

}  // namespace attain::ingest
