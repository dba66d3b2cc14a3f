// End to end (attain-target + attain-ingest over gRPC, real PostgreSQL and
// Redis): who may call each RPC of IngestQueryService and ComplianceService
// (ARCHITECTURE §10; the rules are spelled out in query_service.proto and
// compliance_service.proto), and what each caller sees. Every RPC is called
// by every role, with the scopes a manager or a rep may and may not ask for,
// and with tokens of another tenant.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/ingest_stack.h"

namespace attain {
namespace {

namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using grpc::StatusCode;

constexpr char kKey[] = "e2e-query-roles-signing-key-0123456789abcdef";
constexpr char kTenant[] = "roles";
constexpr char kOtherTenant[] = "other";

// Who calls: a token's claims.
struct Caller {
  std::string name;  // for failure messages
  std::string tenant;
  Role role;
  std::string subject;
  std::string scope;  // "" = whole tenant
};

// Whose figures are asked for.
struct Scope {
  std::string name;
  attain::type::v1::ScopeKind kind;  // UNSPECIFIED = unset (the company)
  std::string id;
};

const std::vector<Scope>& Scopes() {
  static const auto* scopes = new std::vector<Scope>{
      {"company", attain::type::v1::SCOPE_KIND_UNSPECIFIED, ""},
      {"east", attain::type::v1::SCOPE_KIND_UNIT, "east"},
      {"ta", attain::type::v1::SCOPE_KIND_UNIT, "ta"},
      {"tb", attain::type::v1::SCOPE_KIND_UNIT, "tb"},
      {"r1", attain::type::v1::SCOPE_KIND_REP, "r1"},
      {"r3", attain::type::v1::SCOPE_KIND_REP, "r3"},
  };
  return *scopes;
}

// The org: company "co"; region "east" with team "ta" (rep r1), region "west"
// with team "tb" (rep r3). March 2025: r1 sells 1,000.00 (order q1), r3 400.00
// (order q3); neither order has a receivable (both are finance mismatches).
// Per scope: sales and active customers.
const std::map<std::string, std::pair<int64_t, int64_t>>& Figures() {
  static const auto* figures = new std::map<std::string, std::pair<int64_t, int64_t>>{
      {"company", {140000, 2}}, {"east", {100000, 1}}, {"ta", {100000, 1}},
      {"tb", {40000, 1}},       {"r1", {100000, 1}},   {"r3", {40000, 1}},
  };
  return *figures;
}

class IngestQueryRolesE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "ingest_query_roles_e2e", kKey});
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();

    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    const std::string admin = stack_->Token(kTenant, Role::kAdmin);
    for (const auto& [unit, parent, kind] :
         std::vector<std::tuple<const char*, const char*, tv1::OrgUnitKind>>{
             {"co", "", tv1::ORG_UNIT_KIND_COMPANY},
             {"east", "co", tv1::ORG_UNIT_KIND_REGION},
             {"west", "co", tv1::ORG_UNIT_KIND_REGION},
             {"ta", "east", tv1::ORG_UNIT_KIND_TEAM},
             {"tb", "west", tv1::ORG_UNIT_KIND_TEAM}}) {
      absl::Status st = testing::CreateUnit(*org, admin, unit, parent, kind);
      ASSERT_TRUE(st.ok()) << st;
    }
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r1", "ta").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r3", "tb").ok());

    auto ingest = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
    iv1::IngestBatchRequest req;
    *req.add_events() = testing::OrderEvent("q1", 1, "r1", 100000, "2025-03-10");
    *req.add_events() = testing::OrderEvent("q3", 1, "r3", 40000, "2025-03-12");
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    testing::Authorize(ctx, stack_->Token(kTenant, Role::kCrmIngest, "crm"));
    grpc::Status st = ingest->IngestBatch(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& o : resp.outcomes()) ASSERT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED);
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr) << "the services did not start"; }

  // The bearer token of `c`; "" for the unauthenticated caller, a token
  // signed with another key for "forged".
  static std::string TokenOf(const Caller& c) {
    if (c.name == "no token") return "";
    if (c.name == "forged") {
      Principal p{c.tenant, c.subject, c.role, c.scope, {}};
      return *MintToken("a-different-signing-key-0123456789abcdef", p, absl::Now(), absl::Hours(1));
    }
    return stack_->Token(c.tenant, c.role, c.subject, c.scope);
  }
  static void Prepare(grpc::ClientContext& ctx, const Caller& c) {
    const std::string token = TokenOf(c);
    if (token.empty()) {
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    } else {
      testing::Authorize(ctx, token);
    }
  }

  static testing::IngestStack* stack_;
};

testing::IngestStack* IngestQueryRolesE2eTest::stack_ = nullptr;

// Roles that read every scope of the tenant (query_service.proto).
const std::vector<Caller>& WholeTenantReaders() {
  static const auto* callers = new std::vector<Caller>{
      {"admin", kTenant, Role::kAdmin, "ann", ""},
      {"director", kTenant, Role::kDirector, "dan", ""},
      {"service", kTenant, Role::kService, "attain-eval", ""},
      {"finance", kTenant, Role::kFinance, "fay", ""},
      {"committee-secretary", kTenant, Role::kCommitteeSecretary, "sam", ""},
      {"committee-member", kTenant, Role::kCommitteeMember, "meg", ""},
      {"hr", kTenant, Role::kHr, "hal", ""},
  };
  return *callers;
}

// One query case: the caller, and per scope name the expected code.
struct QueryCase {
  Caller caller;
  std::map<std::string, StatusCode> codes;  // by Scope::name; every scope listed
  bool own_tenant_figures = true;           // OK answers carry Figures(); else zeros
};

std::map<std::string, StatusCode> AllScopes(StatusCode code) {
  std::map<std::string, StatusCode> m;
  for (const Scope& s : Scopes()) m[s.name] = code;
  return m;
}
std::map<std::string, StatusCode> OnlyScopes(std::set<std::string> ok) {
  std::map<std::string, StatusCode> m;
  for (const Scope& s : Scopes()) {
    m[s.name] = ok.count(s.name) ? StatusCode::OK : StatusCode::PERMISSION_DENIED;
  }
  return m;
}

std::vector<QueryCase> QueryCases() {
  std::vector<QueryCase> cases;
  for (const Caller& c : WholeTenantReaders()) cases.push_back({c, AllScopes(StatusCode::OK)});
  // crm-ingest pushes activity; it reads no figures.
  cases.push_back({{"crm-ingest", kTenant, Role::kCrmIngest, "crm", ""},
                   AllScopes(StatusCode::PERMISSION_DENIED)});
  // A manager reads their unit, the units under it and the reps credited to it.
  cases.push_back(
      {{"manager of team ta", kTenant, Role::kManager, "mia", "ta"}, OnlyScopes({"ta", "r1"})});
  cases.push_back({{"manager of region east", kTenant, Role::kManager, "max", "east"},
                   OnlyScopes({"east", "ta", "r1"})});
  cases.push_back({{"manager of region west", kTenant, Role::kManager, "moe", "west"},
                   OnlyScopes({"tb", "r3"})});
  // A rep reads their own rep scope only.
  cases.push_back({{"rep r1", kTenant, Role::kRep, "r1", ""}, OnlyScopes({"r1"})});
  cases.push_back({{"rep r3", kTenant, Role::kRep, "r3", ""}, OnlyScopes({"r3"})});
  // Another tenant's tokens: the tenant comes from the token, so they read
  // their own (empty) tenant, never this one's figures.
  cases.push_back({{"admin of another tenant", kOtherTenant, Role::kAdmin, "ann", ""},
                   AllScopes(StatusCode::OK),
                   false});
  cases.push_back({{"manager of another tenant's ta", kOtherTenant, Role::kManager, "mia", "ta"},
                   OnlyScopes({"ta"}),
                   false});
  cases.push_back({{"rep r1 of another tenant", kOtherTenant, Role::kRep, "r1", ""},
                   OnlyScopes({"r1"}),
                   false});
  // No token, or one signed with another key.
  cases.push_back(
      {{"no token", kTenant, Role::kAdmin, "ann", ""}, AllScopes(StatusCode::UNAUTHENTICATED)});
  cases.push_back(
      {{"forged", kTenant, Role::kAdmin, "ann", ""}, AllScopes(StatusCode::UNAUTHENTICATED)});
  return cases;
}

// Sets the request's scope; leaves it unset for the company.
template <typename Request>
void SetScope(const Scope& s, Request& req) {
  if (s.kind == attain::type::v1::SCOPE_KIND_UNSPECIFIED) return;
  req.mutable_scope()->set_kind(s.kind);
  req.mutable_scope()->set_id(s.id);
}

TEST_F(IngestQueryRolesE2eTest, QueryServiceRpcsByRoleAndScope) {
  auto stub = iv1::IngestQueryService::NewStub(stack_->ingest().NewChannel());
  int calls = 0;
  const std::vector<QueryCase> cases = QueryCases();
  for (const QueryCase& qc : cases) {
    for (const Scope& scope : Scopes()) {
      SCOPED_TRACE(absl::StrCat(qc.caller.name, " asking for scope ", scope.name));
      const StatusCode want = qc.codes.at(scope.name);
      const int64_t want_sales = qc.own_tenant_figures ? Figures().at(scope.name).first : 0;
      const int64_t want_customers = qc.own_tenant_figures ? Figures().at(scope.name).second : 0;
      {
        iv1::GetActualsRequest req;
        req.set_period("2025-03");
        req.set_group_by(iv1::GROUP_BY_NONE);
        SetScope(scope, req);
        iv1::GetActualsResponse resp;
        grpc::ClientContext ctx;
        Prepare(ctx, qc.caller);
        grpc::Status st = stub->GetActuals(&ctx, req, &resp);
        ++calls;
        EXPECT_EQ(st.error_code(), want) << "GetActuals: " << st.error_message();
        if (st.ok() && want == StatusCode::OK) {
          ASSERT_EQ(resp.rows_size(), 1);
          EXPECT_EQ(resp.rows(0).components().sales_amount(), want_sales) << "GetActuals";
          // One order per customer.
          EXPECT_EQ(resp.rows(0).components().order_count(), want_customers) << "GetActuals";
        }
      }
      {
        iv1::GetActualsGroupingsRequest req;
        req.set_period("2025-03");
        req.add_group_by(iv1::GROUP_BY_REP);
        req.add_group_by(iv1::GROUP_BY_NONE);
        SetScope(scope, req);
        iv1::GetActualsGroupingsResponse resp;
        grpc::ClientContext ctx;
        Prepare(ctx, qc.caller);
        grpc::Status st = stub->GetActualsGroupings(&ctx, req, &resp);
        ++calls;
        EXPECT_EQ(st.error_code(), want) << "GetActualsGroupings: " << st.error_message();
        if (st.ok() && want == StatusCode::OK) {
          ASSERT_EQ(resp.groupings_size(), 2);
          int64_t by_rep = 0;
          for (const auto& row : resp.groupings(0).rows())
            by_rep += row.components().sales_amount();
          EXPECT_EQ(by_rep, want_sales) << "GetActualsGroupings by rep";
          ASSERT_EQ(resp.groupings(1).rows_size(), 1);
          EXPECT_EQ(resp.groupings(1).rows(0).components().sales_amount(), want_sales)
              << "GetActualsGroupings";
        }
      }
      {
        iv1::ListCustomersRequest req;
        req.set_period("2025-03");
        SetScope(scope, req);
        iv1::ListCustomersResponse resp;
        grpc::ClientContext ctx;
        Prepare(ctx, qc.caller);
        grpc::Status st = stub->ListCustomers(&ctx, req, &resp);
        ++calls;
        EXPECT_EQ(st.error_code(), want) << "ListCustomers: " << st.error_message();
        if (st.ok() && want == StatusCode::OK) {
          EXPECT_EQ(resp.active_count(), want_customers) << "ListCustomers";
          EXPECT_EQ(resp.customers_size(), want_customers) << "ListCustomers";
          int64_t sales = 0;
          for (const auto& c : resp.customers()) sales += c.sales_in_period();
          EXPECT_EQ(sales, want_sales) << "ListCustomers";
        }
      }
      {
        iv1::GetFunnelRequest req;
        req.set_period("2025-03");
        SetScope(scope, req);
        iv1::GetFunnelResponse resp;
        grpc::ClientContext ctx;
        Prepare(ctx, qc.caller);
        grpc::Status st = stub->GetFunnel(&ctx, req, &resp);
        ++calls;
        EXPECT_EQ(st.error_code(), want) << "GetFunnel: " << st.error_message();
        if (st.ok()) {
          EXPECT_EQ(resp.lost(), 0) << "GetFunnel";  // no opportunities were ingested
        }
      }
      {
        iv1::GetCustomerStatsRequest req;
        req.set_period("2025-03");
        req.set_group_by(iv1::GROUP_BY_NONE);
        SetScope(scope, req);
        iv1::GetCustomerStatsResponse resp;
        grpc::ClientContext ctx;
        Prepare(ctx, qc.caller);
        grpc::Status st = stub->GetCustomerStats(&ctx, req, &resp);
        ++calls;
        EXPECT_EQ(st.error_code(), want) << "GetCustomerStats: " << st.error_message();
        if (st.ok() && want == StatusCode::OK) {
          ASSERT_EQ(resp.rows_size(), 1);
          // Each order is its customer's first: every active customer is new,
          // and the sales are all first-month sales.
          EXPECT_EQ(resp.rows(0).active_count(), want_customers) << "GetCustomerStats";
          EXPECT_EQ(resp.rows(0).new_count(), want_customers) << "GetCustomerStats";
          EXPECT_EQ(resp.rows(0).new_customer_first_month_sales(), want_sales)
              << "GetCustomerStats";
        }
      }
    }
  }
  EXPECT_EQ(calls, static_cast<int>(5 * Scopes().size() * cases.size()));
}

// GetActualsGroupings takes 1 to 8 distinct groupings, each a GroupBy.
TEST_F(IngestQueryRolesE2eTest, GetActualsGroupingsRefusals) {
  auto stub = iv1::IngestQueryService::NewStub(stack_->ingest().NewChannel());
  const Caller director{"director", kTenant, Role::kDirector, "dan", ""};
  auto call = [&](const std::vector<int>& group_by, const std::string& period = "2025-03") {
    iv1::GetActualsGroupingsRequest req;
    req.set_period(period);
    for (int g : group_by) req.add_group_by(static_cast<iv1::GroupBy>(g));
    iv1::GetActualsGroupingsResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx, director);
    return stub->GetActualsGroupings(&ctx, req, &resp);
  };
  struct Refusal {
    std::vector<int> group_by;
    std::string period;
    std::string says;
  };
  const std::vector<Refusal> refusals = {
      {{}, "2025-03", "group_by has 0 entries: ask for 1 to 8"},
      {{1, 2, 3, 4, 5, 6, 7, 8, 1}, "2025-03", "group_by has 9 entries"},
      {{2, 42}, "2025-03", "group_by 42 is not a GroupBy"},
      {{2, 2}, "2025-03", "GROUP_BY_REP is asked for twice"},
      {{2}, "2025-13", "period"},
  };
  for (const Refusal& r : refusals) {
    grpc::Status st = call(r.group_by, r.period);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << r.says;
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr(r.says));
  }
  // All eight at once.
  grpc::Status st = call({1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_TRUE(st.ok()) << st.error_message();
}

// GetCustomerStats groups by rep or not at all; a manager's rep rows stay
// within their unit.
TEST_F(IngestQueryRolesE2eTest, GetCustomerStatsGroupings) {
  auto stub = iv1::IngestQueryService::NewStub(stack_->ingest().NewChannel());
  auto call = [&](const Caller& caller, const Scope& scope, iv1::GroupBy group_by,
                  iv1::GetCustomerStatsResponse* resp) {
    iv1::GetCustomerStatsRequest req;
    req.set_period("2025-03");
    req.set_group_by(group_by);
    SetScope(scope, req);
    grpc::ClientContext ctx;
    Prepare(ctx, caller);
    return stub->GetCustomerStats(&ctx, req, resp);
  };
  const Caller director{"director", kTenant, Role::kDirector, "dan", ""};
  const Scope company{"company", attain::type::v1::SCOPE_KIND_UNSPECIFIED, ""};
  for (iv1::GroupBy g :
       {iv1::GROUP_BY_TEAM, iv1::GROUP_BY_PRODUCT_LINE, static_cast<iv1::GroupBy>(42)}) {
    iv1::GetCustomerStatsResponse resp;
    grpc::Status st = call(director, company, g, &resp);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << g;
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr("group_by")) << g;
  }
  // r1 sold 1,000.00 and r3 400.00 to one new customer each.
  iv1::GetCustomerStatsResponse all;
  grpc::Status st = call(director, company, iv1::GROUP_BY_REP, &all);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(all.period(), "2025-03");
  EXPECT_EQ(all.previous_period(), "2025-02");
  ASSERT_EQ(all.rows_size(), 2);
  EXPECT_EQ(all.rows(0).group_key(), "r1");
  EXPECT_EQ(all.rows(0).new_customer_first_month_sales(), 100000);
  EXPECT_EQ(all.rows(1).group_key(), "r3");
  EXPECT_EQ(all.rows(1).new_customer_first_month_sales(), 40000);
  // The manager of team ta asks for ta by rep: r1 only.
  iv1::GetCustomerStatsResponse ta;
  st = call({"manager of team ta", kTenant, Role::kManager, "mia", "ta"},
            {"ta", attain::type::v1::SCOPE_KIND_UNIT, "ta"}, iv1::GROUP_BY_REP, &ta);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(ta.rows_size(), 1);
  EXPECT_EQ(ta.rows(0).group_key(), "r1");
  EXPECT_EQ(ta.rows(0).active_count(), 1);
}

// The six compliance reports. Each is called with March 2025 and the defaults.
struct ComplianceRpc {
  std::string name;
  // Calls the RPC as `ctx`'s caller; on OK, sets `rows` to the order ids of
  // the report's rows where the report lists orders (finance mismatches),
  // else to nothing.
  std::function<grpc::Status(iv1::ComplianceService::Stub&, grpc::ClientContext&,
                             std::set<std::string>& rows)>
      call;
};

std::vector<ComplianceRpc> ComplianceRpcs() {
  using Stub = iv1::ComplianceService::Stub;
  using Rows = std::set<std::string>;
  return {
      {"ListOverdueFollowUps",
       [](Stub& s, grpc::ClientContext& ctx, Rows&) {
         iv1::ListOverdueFollowUpsRequest req;
         req.set_as_of_date("2025-03-31");
         iv1::ListOverdueFollowUpsResponse resp;
         return s.ListOverdueFollowUps(&ctx, req, &resp);
       }},
      {"ListFrequentContacts",
       [](Stub& s, grpc::ClientContext& ctx, Rows&) {
         iv1::ListFrequentContactsRequest req;
         req.set_period("2025-03");
         iv1::ListFrequentContactsResponse resp;
         return s.ListFrequentContacts(&ctx, req, &resp);
       }},
      {"ListLateFollowUpRecords",
       [](Stub& s, grpc::ClientContext& ctx, Rows&) {
         iv1::ListLateFollowUpRecordsRequest req;
         req.set_period("2025-03");
         iv1::ListLateFollowUpRecordsResponse resp;
         return s.ListLateFollowUpRecords(&ctx, req, &resp);
       }},
      {"ListMissedReports",
       [](Stub& s, grpc::ClientContext& ctx, Rows&) {
         iv1::ListMissedReportsRequest req;
         req.set_period("2025-03");
         iv1::ListMissedReportsResponse resp;
         return s.ListMissedReports(&ctx, req, &resp);
       }},
      {"ListFinanceMismatches",
       [](Stub& s, grpc::ClientContext& ctx, Rows& rows) {
         iv1::ListFinanceMismatchesRequest req;
         req.set_period("2025-03");
         iv1::ListFinanceMismatchesResponse resp;
         grpc::Status st = s.ListFinanceMismatches(&ctx, req, &resp);
         for (const auto& m : resp.finance_mismatches()) {
           rows.insert(absl::StrCat(m.order_id(), "/", m.rep_id()));
         }
         return st;
       }},
      {"ListSpecialContributions",
       [](Stub& s, grpc::ClientContext& ctx, Rows&) {
         iv1::ListSpecialContributionsRequest req;
         req.set_period("2025-03");
         iv1::ListSpecialContributionsResponse resp;
         return s.ListSpecialContributions(&ctx, req, &resp);
       }},
  };
}

struct ComplianceCase {
  Caller caller;
  std::set<std::string> allowed;       // RPC names answered OK; the rest as `denied`
  StatusCode denied;                   // PERMISSION_DENIED or UNAUTHENTICATED
  std::set<std::string> finance_rows;  // "order/rep" rows of ListFinanceMismatches
};

TEST_F(IngestQueryRolesE2eTest, ComplianceServiceRpcsByRole) {
  std::set<std::string> all;
  for (const ComplianceRpc& rpc : ComplianceRpcs()) all.insert(rpc.name);
  const std::set<std::string> both = {"q1/r1", "q3/r3"};
  const StatusCode kDenied = StatusCode::PERMISSION_DENIED;
  const std::vector<ComplianceCase> cases = {
      // Management and the committee read every report of the whole tenant.
      {{"admin", kTenant, Role::kAdmin, "ann", ""}, all, kDenied, both},
      {{"director", kTenant, Role::kDirector, "dan", ""}, all, kDenied, both},
      {{"committee-secretary", kTenant, Role::kCommitteeSecretary, "sam", ""}, all, kDenied, both},
      {{"committee-member", kTenant, Role::kCommitteeMember, "meg", ""}, all, kDenied, both},
      // Finance reads the finance cross-check only.
      {{"finance", kTenant, Role::kFinance, "fay", ""}, {"ListFinanceMismatches"}, kDenied, both},
      // A manager reads every report, confined to reps placed in their unit.
      {{"manager of team ta", kTenant, Role::kManager, "mia", "ta"}, all, kDenied, {"q1/r1"}},
      {{"manager of region east", kTenant, Role::kManager, "max", "east"}, all, kDenied, {"q1/r1"}},
      {{"manager of region west", kTenant, Role::kManager, "moe", "west"}, all, kDenied, {"q3/r3"}},
      {{"manager of an empty unit", kTenant, Role::kManager, "nia", "nowhere"}, all, kDenied, {}},
      // Reps, the CRM feed and HR read no compliance report (a rep may ask
      // for their own special contributions, naming themselves as the scope:
      // without one, refused). Services read the special contributions only
      // (the evaluation service flags them on scorecards).
      {{"rep r1", kTenant, Role::kRep, "r1", ""}, {}, kDenied, {}},
      {{"crm-ingest", kTenant, Role::kCrmIngest, "crm", ""}, {}, kDenied, {}},
      {{"hr", kTenant, Role::kHr, "hal", ""}, {}, kDenied, {}},
      {{"service", kTenant, Role::kService, "attain-eval", ""},
       {"ListSpecialContributions"},
       kDenied,
       {}},
      // Another tenant's admin sees only their own (empty) tenant.
      {{"admin of another tenant", kOtherTenant, Role::kAdmin, "ann", ""}, all, kDenied, {}},
      {{"manager of another tenant's ta", kOtherTenant, Role::kManager, "mia", "ta"},
       all,
       kDenied,
       {}},
      {{"no token", kTenant, Role::kAdmin, "ann", ""}, {}, StatusCode::UNAUTHENTICATED, {}},
      {{"forged", kTenant, Role::kAdmin, "ann", ""}, {}, StatusCode::UNAUTHENTICATED, {}},
  };
  auto stub = iv1::ComplianceService::NewStub(stack_->ingest().NewChannel());
  int calls = 0;
  for (const ComplianceCase& cc : cases) {
    for (const ComplianceRpc& rpc : ComplianceRpcs()) {
      SCOPED_TRACE(absl::StrCat(cc.caller.name, " calling ", rpc.name));
      const StatusCode want = cc.allowed.count(rpc.name) ? StatusCode::OK : cc.denied;
      grpc::ClientContext ctx;
      Prepare(ctx, cc.caller);
      std::set<std::string> rows;
      grpc::Status st = rpc.call(*stub, ctx, rows);
      ++calls;
      EXPECT_EQ(st.error_code(), want) << st.error_message();
      if (st.ok() && rpc.name == "ListFinanceMismatches") {
        EXPECT_EQ(rows, cc.finance_rows);
      }
    }
  }
  EXPECT_EQ(calls, static_cast<int>(ComplianceRpcs().size() * cases.size()));
}

}  // namespace
}  // namespace attain
