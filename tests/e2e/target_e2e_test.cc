// End-to-end tests of attain-target: the real binary on a free port, talking
// gRPC to it with real tokens, over a throwaway PostgreSQL database.
//
// One service process serves the whole suite (its own fresh database); each
// test works in its own tenant, named after the test, so tests cannot see each
// other's data. The shutdown test starts a second, short-lived process.
//
// Money is in minor units of CNY: 300000000 is 3,000,000.00.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain::target {
namespace {

namespace v1 = ::attain::target::v1;
namespace tv1 = ::attain::type::v1;
using ::attain::testing::PgTestServer;
using ::attain::testing::ServiceProcess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// The HS256 key the service under test verifies tokens with (>= 32 bytes).
constexpr char kJwtKey[] = "target-e2e-test-signing-key-0123456789abcdef";
constexpr char kTimeZone[] = "Asia/Shanghai";

// ------------------------------------------------------------------ helpers

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

::testing::AssertionResult IsOk(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << CodeName(status.error_code()) << ": " << status.error_message();
}

// The call failed with `code` and its message mentions every one of `parts`.
::testing::AssertionResult Fails(const grpc::Status& status, grpc::StatusCode code,
                                 const std::vector<std::string>& parts = {}) {
  if (status.ok()) {
    return ::testing::AssertionFailure() << "the call succeeded; expected " << CodeName(code);
  }
  if (status.error_code() != code) {
    return ::testing::AssertionFailure()
           << "got " << CodeName(status.error_code()) << " (" << status.error_message()
           << "); expected " << CodeName(code);
  }
  for (const std::string& part : parts) {
    if (!absl::StrContains(status.error_message(), part)) {
      return ::testing::AssertionFailure()
             << CodeName(code) << " message \"" << status.error_message()
             << "\" does not mention \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

#define ASSERT_OK(expr) ASSERT_TRUE(IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(IsOk(expr))

// A client of both services that sends one `authorization` header value
// (none when empty).
class Api {
 public:
  Api(const std::shared_ptr<grpc::Channel>& channel, std::string authorization)
      : org_(v1::OrgService::NewStub(channel)),
        targets_(v1::TargetService::NewStub(channel)),
        authorization_(std::move(authorization)) {}

  using Org = v1::OrgService::Stub;
  using Tgt = v1::TargetService::Stub;

  grpc::Status CreateOrgUnit(const v1::CreateOrgUnitRequest& q,
                             v1::CreateOrgUnitResponse* r) const {
    return Call(*org_, &Org::CreateOrgUnit, q, r);
  }
  grpc::Status GetOrgUnit(const v1::GetOrgUnitRequest& q, v1::GetOrgUnitResponse* r) const {
    return Call(*org_, &Org::GetOrgUnit, q, r);
  }
  grpc::Status ListOrgUnits(const v1::ListOrgUnitsRequest& q, v1::ListOrgUnitsResponse* r) const {
    return Call(*org_, &Org::ListOrgUnits, q, r);
  }
  grpc::Status UpdateOrgUnit(const v1::UpdateOrgUnitRequest& q,
                             v1::UpdateOrgUnitResponse* r) const {
    return Call(*org_, &Org::UpdateOrgUnit, q, r);
  }
  grpc::Status MoveOrgUnit(const v1::MoveOrgUnitRequest& q, v1::MoveOrgUnitResponse* r) const {
    return Call(*org_, &Org::MoveOrgUnit, q, r);
  }
  grpc::Status ArchiveOrgUnit(const v1::ArchiveOrgUnitRequest& q,
                              v1::ArchiveOrgUnitResponse* r) const {
    return Call(*org_, &Org::ArchiveOrgUnit, q, r);
  }
  grpc::Status CreateRep(const v1::CreateRepRequest& q, v1::CreateRepResponse* r) const {
    return Call(*org_, &Org::CreateRep, q, r);
  }
  grpc::Status GetRep(const v1::GetRepRequest& q, v1::GetRepResponse* r) const {
    return Call(*org_, &Org::GetRep, q, r);
  }
  grpc::Status ListReps(const v1::ListRepsRequest& q, v1::ListRepsResponse* r) const {
    return Call(*org_, &Org::ListReps, q, r);
  }
  grpc::Status UpdateRep(const v1::UpdateRepRequest& q, v1::UpdateRepResponse* r) const {
    return Call(*org_, &Org::UpdateRep, q, r);
  }
  grpc::Status MoveRep(const v1::MoveRepRequest& q, v1::MoveRepResponse* r) const {
    return Call(*org_, &Org::MoveRep, q, r);
  }
  grpc::Status CreateProductLine(const v1::CreateProductLineRequest& q,
                                 v1::CreateProductLineResponse* r) const {
    return Call(*org_, &Org::CreateProductLine, q, r);
  }
  grpc::Status ListProductLines(const v1::ListProductLinesRequest& q,
                                v1::ListProductLinesResponse* r) const {
    return Call(*org_, &Org::ListProductLines, q, r);
  }

  grpc::Status SetTarget(const v1::SetTargetRequest& q, v1::SetTargetResponse* r) const {
    return Call(*targets_, &Tgt::SetTarget, q, r);
  }
  grpc::Status BatchSetTargets(const v1::BatchSetTargetsRequest& q,
                               v1::BatchSetTargetsResponse* r) const {
    return Call(*targets_, &Tgt::BatchSetTargets, q, r);
  }
  grpc::Status GetTarget(const v1::GetTargetRequest& q, v1::GetTargetResponse* r) const {
    return Call(*targets_, &Tgt::GetTarget, q, r);
  }
  grpc::Status ListTargets(const v1::ListTargetsRequest& q, v1::ListTargetsResponse* r) const {
    return Call(*targets_, &Tgt::ListTargets, q, r);
  }
  grpc::Status DecomposeTarget(const v1::DecomposeTargetRequest& q,
                               v1::DecomposeTargetResponse* r) const {
    return Call(*targets_, &Tgt::DecomposeTarget, q, r);
  }
  grpc::Status CheckConsistency(const v1::CheckConsistencyRequest& q,
                                v1::CheckConsistencyResponse* r) const {
    return Call(*targets_, &Tgt::CheckConsistency, q, r);
  }
  grpc::Status ListTargetHistory(const v1::ListTargetHistoryRequest& q,
                                 v1::ListTargetHistoryResponse* r) const {
    return Call(*targets_, &Tgt::ListTargetHistory, q, r);
  }
  grpc::Status LockPeriod(const v1::LockPeriodRequest& q, v1::LockPeriodResponse* r) const {
    return Call(*targets_, &Tgt::LockPeriod, q, r);
  }
  grpc::Status UnlockPeriod(const v1::UnlockPeriodRequest& q, v1::UnlockPeriodResponse* r) const {
    return Call(*targets_, &Tgt::UnlockPeriod, q, r);
  }
  grpc::Status ListPeriodLocks(const v1::ListPeriodLocksRequest& q,
                               v1::ListPeriodLocksResponse* r) const {
    return Call(*targets_, &Tgt::ListPeriodLocks, q, r);
  }

 private:
  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub& stub, grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp) const {
    grpc::ClientContext ctx;
    if (!authorization_.empty()) ctx.AddMetadata("authorization", authorization_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return (stub.*rpc)(&ctx, req, resp);
  }

  std::unique_ptr<v1::OrgService::Stub> org_;
  std::unique_ptr<v1::TargetService::Stub> targets_;
  std::string authorization_;
};

std::string MintOrDie(const std::string& key, const Principal& p, absl::Time now,
                      absl::Duration ttl) {
  absl::StatusOr<std::string> token = MintToken(key, p, now, ttl);
  if (!token.ok()) {
    ADD_FAILURE() << "MintToken: " << token.status();
    return "";
  }
  return *token;
}

bool IsMoney(tv1::Metric m) {
  return m == tv1::METRIC_SALES_AMOUNT || m == tv1::METRIC_GROSS_PROFIT ||
         m == tv1::METRIC_COLLECTED_AMOUNT || m == tv1::METRIC_AVERAGE_ORDER_VALUE ||
         m == tv1::METRIC_NEW_CUSTOMER_FIRST_ORDER_AMOUNT;
}

// A target input; money metrics get currency CNY.
v1::TargetInput Input(tv1::ScopeKind kind, const std::string& id, const std::string& period,
                      tv1::Metric metric, int64_t base, int64_t challenge = 0,
                      const std::string& product_line = "") {
  v1::TargetInput in;
  in.mutable_scope()->set_kind(kind);
  in.mutable_scope()->set_id(id);
  in.set_product_line_id(product_line);
  in.set_period(period);
  in.set_metric(metric);
  in.set_base_value(base);
  in.set_challenge_value(challenge);
  if (IsMoney(metric)) in.set_currency_code("CNY");
  return in;
}
v1::TargetInput UnitInput(const std::string& unit, const std::string& period, tv1::Metric metric,
                          int64_t base, int64_t challenge = 0, const std::string& line = "") {
  return Input(tv1::SCOPE_KIND_UNIT, unit, period, metric, base, challenge, line);
}
v1::TargetInput RepInput(const std::string& rep, const std::string& period, tv1::Metric metric,
                         int64_t base, int64_t challenge = 0) {
  return Input(tv1::SCOPE_KIND_REP, rep, period, metric, base, challenge);
}

// "unit:east/a 2025-Q1 sales_amount": a target's key, for comparing lists.
std::string Label(const v1::Target& t) {
  std::string metric = tv1::Metric_Name(t.metric());
  if (absl::StartsWith(metric, "METRIC_")) metric = metric.substr(7);
  return absl::StrCat(t.scope().kind() == tv1::SCOPE_KIND_REP ? "rep:" : "unit:", t.scope().id(),
                      t.product_line_id().empty() ? "" : "/", t.product_line_id(), " ", t.period(),
                      " ", absl::AsciiStrToLower(metric));
}

std::vector<std::string> UnitIds(const v1::ListOrgUnitsResponse& r) {
  std::vector<std::string> ids;
  for (const v1::OrgUnit& u : r.units()) ids.push_back(u.unit_id());
  return ids;
}

std::vector<std::string> RepIds(const v1::ListRepsResponse& r) {
  std::vector<std::string> ids;
  for (const v1::Rep& rep : r.reps()) ids.push_back(rep.rep_id());
  return ids;
}

std::string TodayInServiceZone() {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(kTimeZone, &tz)) ADD_FAILURE() << "no time zone " << kTimeZone;
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), tz));
}

std::string Base64Url(const std::string& s) { return absl::WebSafeBase64Escape(s); }

// ------------------------------------------------------------------ fixture

class TargetE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string db = PgTestServer::Shared().CreateDatabase("target_e2e");
    ServiceProcess::Options options;
    options.binary = ATTAIN_TARGET_BINARY;
    options.args = {"--pg-url", db, "--jwt-key", kJwtKey, "--time-zone", kTimeZone};
    absl::StatusOr<std::unique_ptr<ServiceProcess>> process = ServiceProcess::Start(options);
    if (!process.ok()) {
      start_error_ = new std::string(process.status().ToString());
      return;
    }
    service_ = process->release();
    channel_ = new std::shared_ptr<grpc::Channel>(service_->NewChannel());
  }

  static void TearDownTestSuite() {
    if (service_ != nullptr) {
      const int code = service_->Terminate();
      if (code != 0) {
        ADD_FAILURE() << "attain-target exited with " << code << "; log:\n" << service_->Log();
      }
      delete service_;
      service_ = nullptr;
    }
    delete channel_;
    channel_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(service_, nullptr) << "attain-target did not start: "
                                 << (start_error_ ? *start_error_ : "?");
    // One tenant per test: "t-<test name>".
    tenant_ = absl::StrCat(
        "t-",
        absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  }

  void TearDown() override {
    if (HasFailure() && service_ != nullptr) {
      const std::string log = service_->Log();
      std::cerr << "--- tail of the attain-target log ---\n"
                << (log.size() > 6000 ? log.substr(log.size() - 6000) : log) << "\n";
    }
  }

  // "Bearer <token>" for a principal of this test's tenant (or `tenant`).
  std::string Bearer(Role role, const std::string& subject, const std::string& scope = "",
                     const std::string& tenant = "") const {
    Principal p;
    p.tenant = tenant.empty() ? tenant_ : tenant;
    p.subject = subject;
    p.role = role;
    p.scope = scope;
    return "Bearer " + MintOrDie(kJwtKey, p, absl::Now(), absl::Hours(1));
  }
  Api As(Role role, const std::string& subject, const std::string& scope = "") const {
    return Api(*channel_, Bearer(role, subject, scope));
  }
  Api WithHeader(const std::string& authorization) const { return Api(*channel_, authorization); }
  Api Admin() const { return As(Role::kAdmin, "alice"); }
  Api Director() const { return As(Role::kDirector, "dora"); }

  // ---- building blocks; failures are recorded, callers check HasFailure().

  v1::OrgUnit CreateUnit(const Api& api, const std::string& id, const std::string& parent,
                         const std::string& name, v1::OrgUnitKind kind,
                         const std::string& tier = "") {
    v1::CreateOrgUnitRequest req;
    req.set_unit_id(id);
    req.set_parent_id(parent);
    req.set_name(name);
    req.set_kind(kind);
    req.set_tier(tier);
    v1::CreateOrgUnitResponse resp;
    grpc::Status st = api.CreateOrgUnit(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "CreateOrgUnit " << id << ": " << IsOk(st).message();
    return resp.unit();
  }

  // acme (company)
  // ├── east  (region 华东区, strategic): east-1 (销售一部), east-2 (销售二部)
  // └── north (region 华北区, potential): north-1 (销售一部)
  void BuildOrg(const Api& api) {
    CreateUnit(api, "acme", "", "Acme 销售公司", v1::ORG_UNIT_KIND_COMPANY);
    CreateUnit(api, "east", "acme", "华东区", v1::ORG_UNIT_KIND_REGION, "strategic");
    CreateUnit(api, "north", "acme", "华北区", v1::ORG_UNIT_KIND_REGION, "potential");
    CreateUnit(api, "east-1", "east", "销售一部", v1::ORG_UNIT_KIND_TEAM);
    CreateUnit(api, "east-2", "east", "销售二部", v1::ORG_UNIT_KIND_TEAM);
    CreateUnit(api, "north-1", "north", "销售一部", v1::ORG_UNIT_KIND_TEAM);
  }

  v1::Rep CreateRep(const Api& api, const std::string& id, const std::string& team,
                    const std::string& hired, const std::string& from = "") {
    v1::CreateRepRequest req;
    req.set_rep_id(id);
    req.set_name(absl::StrCat("Rep ", id));
    req.set_team_id(team);
    req.set_hire_date(hired);
    req.set_effective_from(from);
    v1::CreateRepResponse resp;
    grpc::Status st = api.CreateRep(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "CreateRep " << id << ": " << IsOk(st).message();
    return resp.rep();
  }

  v1::Rep MoveRep(const Api& api, const std::string& rep, const std::string& team,
                  const std::string& from) {
    v1::MoveRepRequest req;
    req.set_rep_id(rep);
    req.set_team_id(team);
    req.set_effective_from(from);
    v1::MoveRepResponse resp;
    grpc::Status st = api.MoveRep(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "MoveRep " << rep << ": " << IsOk(st).message();
    return resp.rep();
  }

  v1::Rep GetRep(const Api& api, const std::string& rep, const std::string& as_of) {
    v1::GetRepRequest req;
    req.set_rep_id(rep);
    req.set_as_of(as_of);
    v1::GetRepResponse resp;
    grpc::Status st = api.GetRep(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "GetRep " << rep << ": " << IsOk(st).message();
    return resp.rep();
  }

  v1::OrgUnit GetUnit(const Api& api, const std::string& id) {
    v1::GetOrgUnitRequest req;
    req.set_unit_id(id);
    v1::GetOrgUnitResponse resp;
    grpc::Status st = api.GetOrgUnit(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "GetOrgUnit " << id << ": " << IsOk(st).message();
    return resp.unit();
  }

  std::vector<std::string> ListUnitIds(const Api& api, const std::string& parent = "",
                                       bool include_archived = false) {
    v1::ListOrgUnitsRequest req;
    req.set_parent_id(parent);
    req.set_include_archived(include_archived);
    v1::ListOrgUnitsResponse resp;
    grpc::Status st = api.ListOrgUnits(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "ListOrgUnits: " << IsOk(st).message();
    return UnitIds(resp);
  }

  std::vector<std::string> ListRepIds(const Api& api, const std::string& unit,
                                      const std::string& as_of) {
    v1::ListRepsRequest req;
    req.set_unit_id(unit);
    req.set_as_of(as_of);
    v1::ListRepsResponse resp;
    grpc::Status st = api.ListReps(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "ListReps: " << IsOk(st).message();
    return RepIds(resp);
  }

  v1::SetTargetResponse Set(const Api& api, const v1::TargetInput& in,
                            const std::string& request_id = "") {
    v1::SetTargetRequest req;
    req.set_request_id(request_id);
    *req.mutable_target() = in;
    v1::SetTargetResponse resp;
    grpc::Status st = api.SetTarget(req, &resp);
    if (!st.ok())
      ADD_FAILURE() << "SetTarget " << in.ShortDebugString() << ": " << IsOk(st).message();
    return resp;
  }

  v1::Target GetTarget(const Api& api, const std::string& id) {
    v1::GetTargetRequest req;
    req.set_target_id(id);
    v1::GetTargetResponse resp;
    grpc::Status st = api.GetTarget(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "GetTarget " << id << ": " << IsOk(st).message();
    return resp.target();
  }

  // Every target matching `req`, following next_page_token.
  std::vector<v1::Target> ListAll(const Api& api, v1::ListTargetsRequest req) {
    std::vector<v1::Target> all;
    for (int page = 0; page < 1000; ++page) {
      v1::ListTargetsResponse resp;
      grpc::Status st = api.ListTargets(req, &resp);
      if (!st.ok()) {
        ADD_FAILURE() << "ListTargets " << req.ShortDebugString() << ": " << IsOk(st).message();
        break;
      }
      all.insert(all.end(), resp.targets().begin(), resp.targets().end());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return all;
  }
  std::vector<std::string> ListLabels(const Api& api, const v1::ListTargetsRequest& req) {
    std::vector<std::string> labels;
    for (const v1::Target& t : ListAll(api, req)) labels.push_back(Label(t));
    return labels;
  }
  std::vector<std::string> AllLabels(const Api& api) { return ListLabels(api, {}); }

  v1::DecomposeTargetRequest SplitOverTime(const std::string& target_id,
                                           v1::DecompositionMethod method,
                                           const std::vector<std::string>& percentages = {}) {
    v1::DecomposeTargetRequest req;
    req.set_target_id(target_id);
    req.set_dimension(v1::DECOMPOSITION_DIMENSION_TIME);
    req.set_method(method);
    req.set_child_period_kind(tv1::PERIOD_KIND_MONTH);
    for (const std::string& p : percentages) req.add_allocations()->set_percentage(p);
    return req;
  }

  std::vector<v1::Target> ChildrenOf(const Api& api, const std::string& parent_id) {
    v1::ListTargetsRequest req;
    req.set_parent_target_id(parent_id);
    std::vector<v1::Target> children = ListAll(api, req);
    std::sort(children.begin(), children.end(),
              [](const v1::Target& a, const v1::Target& b) { return Label(a) < Label(b); });
    return children;
  }

  std::vector<v1::Inconsistency> Inconsistencies(const Api& api,
                                                 const v1::CheckConsistencyRequest& req = {}) {
    v1::CheckConsistencyResponse resp;
    grpc::Status st = api.CheckConsistency(req, &resp);
    if (!st.ok()) ADD_FAILURE() << "CheckConsistency: " << IsOk(st).message();
    return {resp.inconsistencies().begin(), resp.inconsistencies().end()};
  }

  static ServiceProcess* service_;
  static std::shared_ptr<grpc::Channel>* channel_;
  static std::string* start_error_;
  std::string tenant_;
};

ServiceProcess* TargetE2eTest::service_ = nullptr;
std::shared_ptr<grpc::Channel>* TargetE2eTest::channel_ = nullptr;
std::string* TargetE2eTest::start_error_ = nullptr;

std::vector<int64_t> Bases(const std::vector<v1::Target>& ts) {
  std::vector<int64_t> v;
  for (const v1::Target& t : ts) v.push_back(t.base_value());
  return v;
}
std::vector<int64_t> Bases(const v1::DecomposeTargetResponse& r) {
  return Bases(std::vector<v1::Target>(r.children().begin(), r.children().end()));
}
std::vector<int64_t> Challenges(const v1::DecomposeTargetResponse& r) {
  std::vector<int64_t> v;
  for (const v1::Target& t : r.children()) v.push_back(t.challenge_value());
  return v;
}
std::vector<std::string> Periods(const v1::DecomposeTargetResponse& r) {
  std::vector<std::string> v;
  for (const v1::Target& t : r.children()) v.push_back(t.period());
  return v;
}

// ================================================================= org tree

TEST_F(TargetE2eTest, OrgUnitsAreCreatedReadAndListedPageByPage) {
  const Api admin = Admin();
  const absl::Time before = absl::Now() - absl::Minutes(5);
  CreateUnit(admin, "acme", "", "Acme 销售公司", v1::ORG_UNIT_KIND_COMPANY);
  v1::OrgUnit east =
      CreateUnit(admin, "east", "acme", "华东区", v1::ORG_UNIT_KIND_REGION, "strategic");
  CreateUnit(admin, "north", "acme", "华北区", v1::ORG_UNIT_KIND_REGION);
  CreateUnit(admin, "east-1", "east", "销售一部", v1::ORG_UNIT_KIND_TEAM);
  // The same name under another parent is fine.
  CreateUnit(admin, "north-1", "north", "销售一部", v1::ORG_UNIT_KIND_TEAM);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(east.unit_id(), "east");
  EXPECT_EQ(east.parent_id(), "acme");

  v1::OrgUnit got = GetUnit(admin, "east");
  EXPECT_EQ(got.unit_id(), "east");
  EXPECT_EQ(got.parent_id(), "acme");
  EXPECT_EQ(got.name(), "华东区");
  EXPECT_EQ(got.kind(), v1::ORG_UNIT_KIND_REGION);
  EXPECT_EQ(got.tier(), "strategic");
  EXPECT_FALSE(got.archived());
  EXPECT_GE(got.create_time().seconds(), absl::ToUnixSeconds(before));
  EXPECT_LE(got.create_time().seconds(), absl::ToUnixSeconds(absl::Now() + absl::Minutes(5)));
  v1::OrgUnit company = GetUnit(admin, "acme");
  EXPECT_EQ(company.parent_id(), "");
  EXPECT_EQ(company.kind(), v1::ORG_UNIT_KIND_COMPANY);

  // Five units, two per page, ordered by id: acme east | east-1 north | north-1.
  v1::ListOrgUnitsRequest list;
  list.set_page_size(2);
  v1::ListOrgUnitsResponse page1, page2, page3;
  ASSERT_OK(admin.ListOrgUnits(list, &page1));
  EXPECT_THAT(UnitIds(page1), ElementsAre("acme", "east"));
  ASSERT_FALSE(page1.next_page_token().empty());
  list.set_page_token(page1.next_page_token());
  ASSERT_OK(admin.ListOrgUnits(list, &page2));
  EXPECT_THAT(UnitIds(page2), ElementsAre("east-1", "north"));
  ASSERT_FALSE(page2.next_page_token().empty());
  list.set_page_token(page2.next_page_token());
  ASSERT_OK(admin.ListOrgUnits(list, &page3));
  EXPECT_THAT(UnitIds(page3), ElementsAre("north-1"));
  EXPECT_EQ(page3.next_page_token(), "");

  EXPECT_THAT(ListUnitIds(admin, "acme"), ElementsAre("east", "north"));
  EXPECT_THAT(ListUnitIds(admin, "east"), ElementsAre("east-1"));

  // Refused: a second company, an id taken, a sibling's name (also in other
  // case), a team under a team, an unknown parent, a company with a parent.
  v1::CreateOrgUnitRequest req;
  v1::CreateOrgUnitResponse resp;
  req.set_unit_id("acme-2");
  req.set_name("Acme Two");
  req.set_kind(v1::ORG_UNIT_KIND_COMPANY);
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::ALREADY_EXISTS));
  req.set_unit_id("east");
  req.set_parent_id("acme");
  req.set_name("Another East");
  req.set_kind(v1::ORG_UNIT_KIND_REGION);
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::ALREADY_EXISTS));
  req.set_unit_id("east-dup");
  req.set_name("华东区");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::ALREADY_EXISTS));
  CreateUnit(admin, "west", "acme", "West China", v1::ORG_UNIT_KIND_REGION);
  req.set_unit_id("west-dup");
  req.set_name("WEST CHINA");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::ALREADY_EXISTS));
  req.set_unit_id("east-1-a");
  req.set_parent_id("east-1");
  req.set_name("Sub team");
  req.set_kind(v1::ORG_UNIT_KIND_TEAM);
  EXPECT_TRUE(
      Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"east-1"}));
  req.set_unit_id("lost");
  req.set_parent_id("atlantis");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::NOT_FOUND, {"atlantis"}));
  req.set_unit_id("acme-3");
  req.set_parent_id("acme");
  req.set_kind(v1::ORG_UNIT_KIND_COMPANY);
  EXPECT_TRUE(
      Fails(admin.CreateOrgUnit(req, &resp), grpc::StatusCode::INVALID_ARGUMENT, {"parent_id"}));

  // Nothing but "west" was added; "east" kept its name.
  EXPECT_THAT(ListUnitIds(admin),
              ElementsAre("acme", "east", "east-1", "north", "north-1", "west"));
  EXPECT_EQ(GetUnit(admin, "east").name(), "华东区");
}

TEST_F(TargetE2eTest, UpdateOrgUnitChangesOnlyTheMaskedFields) {
  const Api admin = Admin();
  BuildOrg(admin);
  ASSERT_FALSE(HasFailure());

  v1::UpdateOrgUnitRequest req;
  req.mutable_unit()->set_unit_id("east");
  req.mutable_unit()->set_name("华东大区");
  req.mutable_unit()->set_tier("not-in-the-mask");
  req.mutable_update_mask()->add_paths("name");
  v1::UpdateOrgUnitResponse resp;
  ASSERT_OK(admin.UpdateOrgUnit(req, &resp));
  EXPECT_EQ(resp.unit().name(), "华东大区");
  EXPECT_EQ(resp.unit().tier(), "strategic");
  v1::OrgUnit got = GetUnit(admin, "east");
  EXPECT_EQ(got.name(), "华东大区");
  EXPECT_EQ(got.tier(), "strategic");
  EXPECT_EQ(got.parent_id(), "acme");

  req.mutable_unit()->set_name("not in the mask");
  req.mutable_unit()->set_tier("consolidation");
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("tier");
  ASSERT_OK(admin.UpdateOrgUnit(req, &resp));
  got = GetUnit(admin, "east");
  EXPECT_EQ(got.name(), "华东大区");
  EXPECT_EQ(got.tier(), "consolidation");

  // No mask, a field that cannot change, a sibling's name, an unknown unit.
  req.mutable_update_mask()->clear_paths();
  EXPECT_TRUE(
      Fails(admin.UpdateOrgUnit(req, &resp), grpc::StatusCode::INVALID_ARGUMENT, {"update_mask"}));
  req.mutable_update_mask()->add_paths("parent_id");
  EXPECT_TRUE(
      Fails(admin.UpdateOrgUnit(req, &resp), grpc::StatusCode::INVALID_ARGUMENT, {"parent_id"}));
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("name");
  req.mutable_unit()->set_name("华北区");
  EXPECT_TRUE(Fails(admin.UpdateOrgUnit(req, &resp), grpc::StatusCode::ALREADY_EXISTS));
  req.mutable_unit()->set_unit_id("atlantis");
  req.mutable_unit()->set_name("Atlantis");
  EXPECT_TRUE(Fails(admin.UpdateOrgUnit(req, &resp), grpc::StatusCode::NOT_FOUND, {"atlantis"}));

  got = GetUnit(admin, "east");
  EXPECT_EQ(got.name(), "华东大区");
  EXPECT_EQ(got.tier(), "consolidation");
  EXPECT_EQ(GetUnit(admin, "north").name(), "华北区");
}

TEST_F(TargetE2eTest, MoveOrgUnitMovesSubtreesAndRefusesCycles) {
  const Api admin = Admin();
  BuildOrg(admin);
  CreateUnit(admin, "east-sub", "east", "华东分区", v1::ORG_UNIT_KIND_REGION);
  CreateUnit(admin, "east-sub-1", "east-sub", "销售五部", v1::ORG_UNIT_KIND_TEAM);
  ASSERT_FALSE(HasFailure());

  v1::MoveOrgUnitRequest req;
  v1::MoveOrgUnitResponse resp;
  // east-1 is called 销售一部 like north-1: not under the same parent.
  req.set_unit_id("east-1");
  req.set_new_parent_id("north");
  EXPECT_TRUE(Fails(admin.MoveOrgUnit(req, &resp), grpc::StatusCode::ALREADY_EXISTS, {"销售一部"}));
  EXPECT_EQ(GetUnit(admin, "east-1").parent_id(), "east");
  req.set_unit_id("east-2");
  ASSERT_OK(admin.MoveOrgUnit(req, &resp));
  EXPECT_EQ(resp.unit().parent_id(), "north");
  EXPECT_EQ(GetUnit(admin, "east-2").parent_id(), "north");
  EXPECT_THAT(ListUnitIds(admin, "north"), ElementsAre("east-2", "north-1"));
  EXPECT_THAT(ListUnitIds(admin, "east"), ElementsAre("east-1", "east-sub"));

  // Under its own descendant, under itself: a cycle.
  req.set_unit_id("east");
  req.set_new_parent_id("east-sub");
  EXPECT_TRUE(Fails(admin.MoveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION,
                    {"east", "east-sub", "cycle"}));
  req.set_new_parent_id("east");
  EXPECT_TRUE(
      Fails(admin.MoveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"cycle"}));
  // Under a team (teams hold reps) and the company itself.
  req.set_new_parent_id("east-sub-1");
  EXPECT_TRUE(Fails(admin.MoveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION));
  req.set_unit_id("acme");
  req.set_new_parent_id("east");
  EXPECT_TRUE(Fails(admin.MoveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(GetUnit(admin, "east").parent_id(), "acme");
  EXPECT_EQ(GetUnit(admin, "east-sub").parent_id(), "east");
  EXPECT_EQ(GetUnit(admin, "acme").parent_id(), "");

  // After east-sub moves under north, north under east-sub-1's parent is a
  // cycle two levels down, and east under east-sub is no longer one.
  req.set_unit_id("east-sub");
  req.set_new_parent_id("north");
  ASSERT_OK(admin.MoveOrgUnit(req, &resp));
  req.set_unit_id("north");
  req.set_new_parent_id("east-sub");
  EXPECT_TRUE(
      Fails(admin.MoveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"cycle"}));
  EXPECT_EQ(GetUnit(admin, "north").parent_id(), "acme");
  req.set_unit_id("east");
  req.set_new_parent_id("east-sub");
  EXPECT_OK(admin.MoveOrgUnit(req, &resp));
  EXPECT_EQ(GetUnit(admin, "east").parent_id(), "east-sub");
}

TEST_F(TargetE2eTest, ArchiveOrgUnitWaitsUntilItHasNoRepsOrChildren) {
  const Api admin = Admin();
  BuildOrg(admin);
  CreateRep(admin, "r1", "east-1", "2024-01-01");
  ASSERT_FALSE(HasFailure());

  v1::ArchiveOrgUnitRequest req;
  v1::ArchiveOrgUnitResponse resp;
  req.set_unit_id("east-1");
  EXPECT_TRUE(Fails(admin.ArchiveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION,
                    {"east-1", "r1"}));
  req.set_unit_id("east");
  EXPECT_TRUE(Fails(admin.ArchiveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION,
                    {"east", "child"}));
  EXPECT_FALSE(GetUnit(admin, "east-1").archived());

  // Once r1 has moved to east-2 (from today), east-1 is empty.
  MoveRep(admin, "r1", "east-2", TodayInServiceZone());
  ASSERT_FALSE(HasFailure());
  req.set_unit_id("east-1");
  ASSERT_OK(admin.ArchiveOrgUnit(req, &resp));
  EXPECT_TRUE(resp.unit().archived());
  EXPECT_TRUE(GetUnit(admin, "east-1").archived());
  EXPECT_THAT(ListUnitIds(admin, "east"), ElementsAre("east-2"));
  EXPECT_THAT(ListUnitIds(admin, "east", /*include_archived=*/true),
              ElementsAre("east-1", "east-2"));

  // An archived team takes no reps; its name is free for a new sibling.
  v1::CreateRepRequest rep;
  rep.set_rep_id("r2");
  rep.set_name("Rep r2");
  rep.set_team_id("east-1");
  rep.set_hire_date("2025-01-01");
  v1::CreateRepResponse rep_resp;
  EXPECT_TRUE(
      Fails(admin.CreateRep(rep, &rep_resp), grpc::StatusCode::FAILED_PRECONDITION, {"archived"}));
  CreateUnit(admin, "east-3", "east", "销售一部", v1::ORG_UNIT_KIND_TEAM);
  EXPECT_FALSE(HasFailure());

  // east-2 now has r1.
  req.set_unit_id("east-2");
  EXPECT_TRUE(
      Fails(admin.ArchiveOrgUnit(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"r1"}));
  EXPECT_FALSE(GetUnit(admin, "east-2").archived());
}

TEST_F(TargetE2eTest, MovingARepMidQuarterKeepsTheHistory) {
  const Api admin = Admin();
  BuildOrg(admin);
  v1::Rep created = CreateRep(admin, "r1", "east-1", "2025-01-01");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(created.hire_date(), "2025-01-01");
  ASSERT_EQ(created.memberships_size(), 1);
  EXPECT_EQ(created.memberships(0).team_id(), "east-1");
  EXPECT_EQ(created.memberships(0).effective_from(), "2025-01-01");
  EXPECT_EQ(created.memberships(0).effective_to(), "");

  v1::Rep moved = MoveRep(admin, "r1", "north-1", "2025-02-15");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(moved.team_id(), "north-1");

  EXPECT_EQ(GetRep(admin, "r1", "2024-12-31").team_id(), "");  // not hired yet
  EXPECT_EQ(GetRep(admin, "r1", "2025-01-01").team_id(), "east-1");
  EXPECT_EQ(GetRep(admin, "r1", "2025-02-14").team_id(), "east-1");
  EXPECT_EQ(GetRep(admin, "r1", "2025-02-15").team_id(), "north-1");
  v1::Rep rep = GetRep(admin, "r1", "2025-03-31");
  EXPECT_EQ(rep.team_id(), "north-1");
  EXPECT_EQ(rep.hire_date(), "2025-01-01");
  ASSERT_EQ(rep.memberships_size(), 2);
  EXPECT_EQ(rep.memberships(0).team_id(), "east-1");
  EXPECT_EQ(rep.memberships(0).effective_from(), "2025-01-01");
  EXPECT_EQ(rep.memberships(0).effective_to(), "2025-02-14");
  EXPECT_EQ(rep.memberships(1).team_id(), "north-1");
  EXPECT_EQ(rep.memberships(1).effective_from(), "2025-02-15");
  EXPECT_EQ(rep.memberships(1).effective_to(), "");

  // Subtree listings follow the date.
  EXPECT_THAT(ListRepIds(admin, "east", "2025-02-14"), ElementsAre("r1"));
  EXPECT_THAT(ListRepIds(admin, "east", "2025-02-15"), IsEmpty());
  EXPECT_THAT(ListRepIds(admin, "north", "2025-03-01"), ElementsAre("r1"));
  EXPECT_THAT(ListRepIds(admin, "acme", "2025-03-01"), ElementsAre("r1"));

  // Refused: a date not after the current membership's start, the same team
  // again, a region instead of a team, joining before being hired.
  v1::MoveRepRequest req;
  v1::MoveRepResponse resp;
  req.set_rep_id("r1");
  req.set_team_id("east-2");
  req.set_effective_from("2025-02-15");
  EXPECT_TRUE(
      Fails(admin.MoveRep(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"2025-02-15"}));
  req.set_team_id("north-1");
  req.set_effective_from("2025-03-01");
  EXPECT_TRUE(Fails(admin.MoveRep(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"north-1"}));
  req.set_team_id("north");
  EXPECT_TRUE(Fails(admin.MoveRep(req, &resp), grpc::StatusCode::FAILED_PRECONDITION, {"north"}));
  v1::CreateRepRequest early;
  early.set_rep_id("r2");
  early.set_name("Rep r2");
  early.set_team_id("east-1");
  early.set_hire_date("2025-03-01");
  early.set_effective_from("2025-02-01");
  v1::CreateRepResponse early_resp;
  EXPECT_TRUE(Fails(admin.CreateRep(early, &early_resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"effective_from"}));
  EXPECT_EQ(GetRep(admin, "r1", "2025-03-31").memberships_size(), 2);

  // UpdateRep renames without touching the memberships.
  v1::UpdateRepRequest update;
  update.mutable_rep()->set_rep_id("r1");
  update.mutable_rep()->set_name("张伟");
  update.mutable_update_mask()->add_paths("name");
  v1::UpdateRepResponse update_resp;
  ASSERT_OK(admin.UpdateRep(update, &update_resp));
  rep = GetRep(admin, "r1", "2025-02-01");
  EXPECT_EQ(rep.name(), "张伟");
  EXPECT_EQ(rep.team_id(), "east-1");
  EXPECT_EQ(rep.memberships_size(), 2);
}

TEST_F(TargetE2eTest, ProductLinesAreCreatedAndListedPageByPage) {
  const Api admin = Admin();
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"a", "A产品"}, {"b", "B产品"}, {"c", "软件产品"}}) {
    v1::CreateProductLineRequest req;
    req.set_product_line_id(id);
    req.set_name(name);
    v1::CreateProductLineResponse resp;
    ASSERT_OK(admin.CreateProductLine(req, &resp));
    EXPECT_EQ(resp.product_line().product_line_id(), id);
    EXPECT_EQ(resp.product_line().name(), name);
  }
  v1::ListProductLinesRequest list;
  list.set_page_size(2);
  v1::ListProductLinesResponse page1, page2;
  ASSERT_OK(admin.ListProductLines(list, &page1));
  ASSERT_EQ(page1.product_lines_size(), 2);
  EXPECT_EQ(page1.product_lines(0).product_line_id(), "a");
  EXPECT_EQ(page1.product_lines(1).product_line_id(), "b");
  ASSERT_FALSE(page1.next_page_token().empty());
  list.set_page_token(page1.next_page_token());
  ASSERT_OK(admin.ListProductLines(list, &page2));
  ASSERT_EQ(page2.product_lines_size(), 1);
  EXPECT_EQ(page2.product_lines(0).product_line_id(), "c");
  EXPECT_EQ(page2.product_lines(0).name(), "软件产品");
  EXPECT_EQ(page2.next_page_token(), "");

  // Names are unique case-insensitively; ids are unique; a name is required.
  v1::CreateProductLineRequest dup;
  v1::CreateProductLineResponse dup_resp;
  dup.set_product_line_id("d");
  dup.set_name("a产品");
  EXPECT_TRUE(Fails(admin.CreateProductLine(dup, &dup_resp), grpc::StatusCode::ALREADY_EXISTS));
  dup.set_product_line_id("a");
  dup.set_name("Another A");
  EXPECT_TRUE(Fails(admin.CreateProductLine(dup, &dup_resp), grpc::StatusCode::ALREADY_EXISTS));
  dup.set_product_line_id("e");
  dup.set_name("  ");
  EXPECT_TRUE(
      Fails(admin.CreateProductLine(dup, &dup_resp), grpc::StatusCode::INVALID_ARGUMENT, {"name"}));
  v1::ListProductLinesResponse all;
  ASSERT_OK(admin.ListProductLines({}, &all));
  EXPECT_EQ(all.product_lines_size(), 3);
}

// ================================================================== targets

TEST_F(TargetE2eTest, SetTargetCreatesThenUpdates) {
  BuildOrg(Admin());
  ASSERT_FALSE(HasFailure());

  // 3,000,000.00 base, 3,600,000.00 challenge for East China in 2025-Q1.
  v1::SetTargetResponse first =
      Set(Director(), UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000, 360000000));
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(first.created());
  const v1::Target& t1 = first.target();
  EXPECT_FALSE(t1.target_id().empty());
  EXPECT_EQ(t1.scope().kind(), tv1::SCOPE_KIND_UNIT);
  EXPECT_EQ(t1.scope().id(), "east");
  EXPECT_EQ(t1.product_line_id(), "");
  EXPECT_EQ(t1.period(), "2025-Q1");
  EXPECT_EQ(t1.metric(), tv1::METRIC_SALES_AMOUNT);
  EXPECT_EQ(t1.base_value(), 300000000);
  EXPECT_EQ(t1.challenge_value(), 360000000);
  EXPECT_EQ(t1.currency_code(), "CNY");
  EXPECT_EQ(t1.parent_target_id(), "");
  EXPECT_EQ(t1.version(), 1);
  EXPECT_EQ(t1.updated_by(), "dora");

  // Same key: an update. challenge 0 means "same as base".
  v1::SetTargetResponse second =
      Set(Admin(), UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 320000000, 0));
  ASSERT_FALSE(HasFailure());
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.target().target_id(), t1.target_id());
  EXPECT_EQ(second.target().version(), 2);
  EXPECT_EQ(second.target().base_value(), 320000000);
  EXPECT_EQ(second.target().challenge_value(), 320000000);
  EXPECT_EQ(second.target().updated_by(), "alice");

  v1::Target got = GetTarget(Admin(), t1.target_id());
  EXPECT_EQ(got.version(), 2);
  EXPECT_EQ(got.base_value(), 320000000);
  EXPECT_EQ(got.challenge_value(), 320000000);
  EXPECT_EQ(got.currency_code(), "CNY");
  EXPECT_EQ(got.updated_by(), "alice");
  EXPECT_THAT(AllLabels(Admin()), ElementsAre("unit:east 2025-Q1 sales_amount"));
}

TEST_F(TargetE2eTest, ListTargetHistoryShowsEveryChangeNewestFirst) {
  BuildOrg(Admin());
  const std::string id =
      Set(Admin(), UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000, 360000000))
          .target()
          .target_id();
  Set(Director(), UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 320000000, 360000000));
  v1::SetTargetResponse third =
      Set(Admin(), UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 320000000, 400000000));
  // Setting the same values again is no change: no new version.
  v1::SetTargetResponse same =
      Set(Admin(), UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 320000000, 400000000));
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(third.target().version(), 3);
  EXPECT_EQ(same.target().version(), 3);

  v1::ListTargetHistoryRequest req;
  req.set_target_id(id);
  v1::ListTargetHistoryResponse resp;
  ASSERT_OK(Admin().ListTargetHistory(req, &resp));
  ASSERT_EQ(resp.changes_size(), 3);
  const v1::TargetChange& c3 = resp.changes(0);
  EXPECT_EQ(c3.version(), 3);
  EXPECT_EQ(c3.changed_by(), "alice");
  EXPECT_EQ(c3.old_base_value(), 320000000);
  EXPECT_EQ(c3.old_challenge_value(), 360000000);
  EXPECT_EQ(c3.new_base_value(), 320000000);
  EXPECT_EQ(c3.new_challenge_value(), 400000000);
  EXPECT_EQ(c3.source(), "SetTarget");
  const v1::TargetChange& c2 = resp.changes(1);
  EXPECT_EQ(c2.version(), 2);
  EXPECT_EQ(c2.changed_by(), "dora");
  EXPECT_EQ(c2.old_base_value(), 300000000);
  EXPECT_EQ(c2.old_challenge_value(), 360000000);
  EXPECT_EQ(c2.new_base_value(), 320000000);
  EXPECT_EQ(c2.new_challenge_value(), 360000000);
  const v1::TargetChange& c1 = resp.changes(2);
  EXPECT_EQ(c1.version(), 1);
  EXPECT_EQ(c1.changed_by(), "alice");
  EXPECT_EQ(c1.old_base_value(), 0);
  EXPECT_EQ(c1.old_challenge_value(), 0);
  EXPECT_EQ(c1.new_base_value(), 300000000);
  EXPECT_EQ(c1.new_challenge_value(), 360000000);
  EXPECT_GE(c3.change_time().seconds(), c1.change_time().seconds());

  // Two per page: versions 3, 2 | 1.
  req.set_page_size(2);
  v1::ListTargetHistoryResponse page1, page2;
  ASSERT_OK(Admin().ListTargetHistory(req, &page1));
  ASSERT_EQ(page1.changes_size(), 2);
  EXPECT_EQ(page1.changes(0).version(), 3);
  EXPECT_EQ(page1.changes(1).version(), 2);
  ASSERT_FALSE(page1.next_page_token().empty());
  req.set_page_token(page1.next_page_token());
  ASSERT_OK(Admin().ListTargetHistory(req, &page2));
  ASSERT_EQ(page2.changes_size(), 1);
  EXPECT_EQ(page2.changes(0).version(), 1);
  EXPECT_EQ(page2.next_page_token(), "");
}

TEST_F(TargetE2eTest, BatchSetTargetsIsAllOrNothing) {
  const Api admin = Admin();
  BuildOrg(admin);
  CreateRep(admin, "r1", "east-1", "2024-01-01");
  CreateRep(admin, "r2", "north-1", "2024-01-01");
  ASSERT_FALSE(HasFailure());

  v1::BatchSetTargetsRequest batch;
  *batch.add_targets() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000);
  *batch.add_targets() = UnitInput("north", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 200000000);
  *batch.add_targets() = UnitInput("east-1", "2025-Q1", tv1::METRIC_SALES_AMOUNT, -100);
  *batch.add_targets() = RepInput("r1", "2025-Q1", tv1::METRIC_ORDER_COUNT, 30);
  *batch.add_targets() = RepInput("ghost", "2025-Q1", tv1::METRIC_ORDER_COUNT, 20);
  v1::BatchSetTargetsResponse resp;
  EXPECT_TRUE(Fails(admin.BatchSetTargets(batch, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"targets[2].base_value", "targets[4].scope.id", "ghost"}));
  EXPECT_THAT(AllLabels(admin), IsEmpty());

  // validate_only reports each bad row and saves nothing, not even good rows.
  batch.set_validate_only(true);
  v1::BatchSetTargetsResponse checked;
  ASSERT_OK(admin.BatchSetTargets(batch, &checked));
  EXPECT_EQ(checked.targets_size(), 0);
  ASSERT_EQ(checked.row_errors_size(), 2);
  EXPECT_EQ(checked.row_errors(0).index(), 2);
  EXPECT_EQ(checked.row_errors(0).field(), "targets[2].base_value");
  EXPECT_THAT(checked.row_errors(0).message(), HasSubstr("-100"));
  EXPECT_EQ(checked.row_errors(1).index(), 4);
  EXPECT_EQ(checked.row_errors(1).field(), "targets[4].scope.id");
  EXPECT_THAT(checked.row_errors(1).message(), HasSubstr("ghost"));
  EXPECT_THAT(AllLabels(admin), IsEmpty());

  // Fixed, the batch saves all five rows, in request order.
  batch.set_validate_only(false);
  *batch.mutable_targets(2) = UnitInput("east-1", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 100000000);
  *batch.mutable_targets(4) = RepInput("r2", "2025-Q1", tv1::METRIC_ORDER_COUNT, 20);
  ASSERT_OK(admin.BatchSetTargets(batch, &resp));
  ASSERT_EQ(resp.targets_size(), 5);
  EXPECT_EQ(Label(resp.targets(0)), "unit:east 2025-Q1 sales_amount");
  EXPECT_EQ(Label(resp.targets(2)), "unit:east-1 2025-Q1 sales_amount");
  EXPECT_EQ(Label(resp.targets(4)), "rep:r2 2025-Q1 order_count");
  for (const v1::Target& t : resp.targets()) {
    EXPECT_FALSE(t.target_id().empty());
    EXPECT_EQ(t.version(), 1);
  }
  EXPECT_EQ(resp.targets(2).base_value(), 100000000);
  EXPECT_EQ(resp.targets(3).base_value(), 30);
  EXPECT_EQ(AllLabels(admin).size(), 5u);
  const std::string east_id = resp.targets(0).target_id();

  // An update of a good row rolls back with the bad row next to it.
  v1::BatchSetTargetsRequest mixed;
  *mixed.add_targets() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 310000000);
  *mixed.add_targets() = UnitInput("east", "2025-Q2", tv1::METRIC_SALES_AMOUNT, 1, 0, "ghost-pl");
  EXPECT_TRUE(Fails(admin.BatchSetTargets(mixed, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"targets[1].product_line_id"}));
  v1::Target east = GetTarget(admin, east_id);
  EXPECT_EQ(east.base_value(), 300000000);
  EXPECT_EQ(east.version(), 1);

  // Two rows with the same key are refused, naming both.
  v1::BatchSetTargetsRequest dup;
  *dup.add_targets() = UnitInput("east", "2025-Q2", tv1::METRIC_SALES_AMOUNT, 100);
  *dup.add_targets() = UnitInput("north", "2025-Q2", tv1::METRIC_SALES_AMOUNT, 200);
  *dup.add_targets() = UnitInput("east", "2025-Q2", tv1::METRIC_SALES_AMOUNT, 300);
  EXPECT_TRUE(Fails(admin.BatchSetTargets(dup, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"targets[2]", "targets[0]"}));
  v1::ListTargetsRequest q2;
  q2.set_period("2025-Q2");
  EXPECT_THAT(ListLabels(admin, q2), IsEmpty());

  v1::BatchSetTargetsRequest empty;
  EXPECT_TRUE(
      Fails(admin.BatchSetTargets(empty, &resp), grpc::StatusCode::INVALID_ARGUMENT, {"targets"}));
  EXPECT_EQ(AllLabels(admin).size(), 5u);
}

TEST_F(TargetE2eTest, ListTargetsFiltersAndPages) {
  const Api admin = Admin();
  BuildOrg(admin);
  // r1 is in east-1 through 2025-Q1 and in north-1 from 2025-04-01.
  CreateRep(admin, "r1", "east-1", "2024-01-01");
  MoveRep(admin, "r1", "north-1", "2025-04-01");
  v1::CreateProductLineRequest line;
  line.set_product_line_id("a");
  line.set_name("A产品");
  v1::CreateProductLineResponse line_resp;
  ASSERT_OK(admin.CreateProductLine(line, &line_resp));
  ASSERT_FALSE(HasFailure());

  const auto kSales = tv1::METRIC_SALES_AMOUNT;
  v1::BatchSetTargetsRequest batch;
  *batch.add_targets() = UnitInput("acme", "2025", kSales, 1000);                    // T1
  *batch.add_targets() = UnitInput("east", "2025-Q1", kSales, 300);                  // T2
  *batch.add_targets() = UnitInput("east-1", "2025-01", kSales, 100);                // T3
  *batch.add_targets() = UnitInput("north", "2025-Q1", kSales, 200);                 // T4
  *batch.add_targets() = RepInput("r1", "2025-Q1", kSales, 50);                      // T5
  *batch.add_targets() = RepInput("r1", "2025-Q2", kSales, 60);                      // T6
  *batch.add_targets() = UnitInput("east", "2025-Q1", kSales, 120, 0, "a");          // T7
  *batch.add_targets() = UnitInput("east", "2025-Q1", tv1::METRIC_ORDER_COUNT, 40);  // T8
  *batch.add_targets() = UnitInput("east", "2024-Q4", kSales, 280);                  // T9
  v1::BatchSetTargetsResponse saved;
  ASSERT_OK(admin.BatchSetTargets(batch, &saved));
  const std::string t1 = "unit:acme 2025 sales_amount", t2 = "unit:east 2025-Q1 sales_amount",
                    t3 = "unit:east-1 2025-01 sales_amount", t4 = "unit:north 2025-Q1 sales_amount",
                    t5 = "rep:r1 2025-Q1 sales_amount", t6 = "rep:r1 2025-Q2 sales_amount",
                    t7 = "unit:east/a 2025-Q1 sales_amount", t8 = "unit:east 2025-Q1 order_count",
                    t9 = "unit:east 2024-Q4 sales_amount";

  v1::ListTargetsRequest q;
  q.set_period("2025-Q1");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t2, t4, t5, t7, t8));
  q = {};
  q.set_within_period("2025-Q1");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t2, t3, t4, t5, t7, t8));
  q = {};
  q.set_within_period("2025");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t1, t2, t3, t4, t5, t6, t7, t8));
  q = {};
  q.set_scope_kind(tv1::SCOPE_KIND_REP);
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t5, t6));
  q = {};
  q.set_scope_kind(tv1::SCOPE_KIND_UNIT);
  q.set_scope_id("east");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t2, t7, t8, t9));
  // Under a unit: its subtree's units, and reps in it on their period's first day.
  q = {};
  q.set_under_unit_id("east");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t2, t3, t5, t7, t8, t9));
  q.set_under_unit_id("north");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t4, t6));
  q.set_under_unit_id("east-1");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t3, t5));
  q = {};
  q.set_metric(tv1::METRIC_ORDER_COUNT);
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t8));
  q = {};
  q.set_product_line_id("a");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t7));
  q.set_product_line_id("*");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t1, t2, t3, t4, t5, t6, t8, t9));
  q = {};
  q.set_under_unit_id("east");
  q.set_period("2025-Q1");
  q.set_metric(kSales);
  q.set_product_line_id("*");
  EXPECT_THAT(ListLabels(admin, q), UnorderedElementsAre(t2, t5));

  // Nine targets, four per page: 4 + 4 + 1, ordered by id, each once.
  q = {};
  q.set_page_size(4);
  std::vector<int> sizes;
  std::vector<std::string> ids, labels;
  for (int page = 0; page < 10; ++page) {
    v1::ListTargetsResponse resp;
    ASSERT_OK(admin.ListTargets(q, &resp));
    sizes.push_back(resp.targets_size());
    for (const v1::Target& t : resp.targets()) {
      ids.push_back(t.target_id());
      labels.push_back(Label(t));
    }
    if (resp.next_page_token().empty()) break;
    q.set_page_token(resp.next_page_token());
  }
  EXPECT_THAT(sizes, ElementsAre(4, 4, 1));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 9u);
  EXPECT_THAT(labels, UnorderedElementsAre(t1, t2, t3, t4, t5, t6, t7, t8, t9));

  v1::ListTargetsRequest bad;
  v1::ListTargetsResponse bad_resp;
  bad.set_scope_id("east");
  EXPECT_TRUE(
      Fails(admin.ListTargets(bad, &bad_resp), grpc::StatusCode::INVALID_ARGUMENT, {"scope_kind"}));
}

// ============================================================ decomposition

TEST_F(TargetE2eTest, DecomposeAQuarterIntoMonthsSplitsExactly) {
  const Api admin = Admin();
  BuildOrg(admin);
  // Seed 000: 3,000,000.00 per quarter → 1,000,000.00 per month.
  const v1::Target east =
      Set(admin, UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000)).target();
  ASSERT_FALSE(HasFailure());

  v1::DecomposeTargetResponse resp;
  ASSERT_OK(
      admin.DecomposeTarget(SplitOverTime(east.target_id(), v1::DECOMPOSITION_METHOD_EVEN), &resp));
  EXPECT_EQ(resp.parent().target_id(), east.target_id());
  EXPECT_EQ(resp.parent().base_value(), 300000000);
  EXPECT_THAT(Periods(resp), ElementsAre("2025-01", "2025-02", "2025-03"));
  EXPECT_THAT(Bases(resp), ElementsAre(100000000, 100000000, 100000000));
  EXPECT_THAT(Challenges(resp), ElementsAre(100000000, 100000000, 100000000));
  for (const v1::Target& c : resp.children()) {
    EXPECT_FALSE(c.target_id().empty());
    EXPECT_EQ(c.scope().id(), "east");
    EXPECT_EQ(c.metric(), tv1::METRIC_SALES_AMOUNT);
    EXPECT_EQ(c.currency_code(), "CNY");
    EXPECT_EQ(c.parent_target_id(), east.target_id());
    EXPECT_EQ(c.version(), 1);
  }
  EXPECT_THAT(Bases(ChildrenOf(admin, east.target_id())),
              ElementsAre(100000000, 100000000, 100000000));
  v1::Target parent = GetTarget(admin, east.target_id());
  EXPECT_EQ(parent.base_value(), 300000000);
  EXPECT_EQ(parent.version(), 1);

  // 1,000,000.00 base and 1,200,000.00 challenge over 3 months: 100000000 =
  // 3 × 33333333 + 1, the first month takes the extra cent; the 20000000
  // between challenge and base = 3 × 6666666 + 2, the first two take one each.
  const v1::Target north =
      Set(admin, UnitInput("north", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 100000000, 120000000))
          .target();
  ASSERT_OK(admin.DecomposeTarget(SplitOverTime(north.target_id(), v1::DECOMPOSITION_METHOD_EVEN),
                                  &resp));
  EXPECT_THAT(Bases(resp), ElementsAre(33333334, 33333333, 33333333));
  EXPECT_THAT(Challenges(resp), ElementsAre(40000001, 40000000, 39999999));

  // Splitting again by 30/30/40 % replaces the same three children.
  ASSERT_OK(admin.DecomposeTarget(
      SplitOverTime(east.target_id(), v1::DECOMPOSITION_METHOD_PERCENTAGES, {"30", "30", "40"}),
      &resp));
  EXPECT_THAT(Bases(resp), ElementsAre(90000000, 90000000, 120000000));
  const std::vector<v1::Target> children = ChildrenOf(admin, east.target_id());
  ASSERT_EQ(children.size(), 3u);
  EXPECT_THAT(Bases(children), ElementsAre(90000000, 90000000, 120000000));
  for (const v1::Target& c : children) EXPECT_EQ(c.version(), 2);
  v1::ListTargetsRequest all_east;
  all_east.set_scope_kind(tv1::SCOPE_KIND_UNIT);
  all_east.set_scope_id("east");
  EXPECT_EQ(ListAll(admin, all_east).size(), 4u);  // the quarter and three months
}

TEST_F(TargetE2eTest, DecomposeByPercentagesNeedsExactly100) {
  const Api admin = Admin();
  BuildOrg(admin);
  const v1::Target q2 =
      Set(admin, UnitInput("east", "2025-Q2", tv1::METRIC_SALES_AMOUNT, 300000000)).target();
  ASSERT_FALSE(HasFailure());

  v1::DecomposeTargetResponse resp;
  EXPECT_TRUE(Fails(
      admin.DecomposeTarget(SplitOverTime(q2.target_id(), v1::DECOMPOSITION_METHOD_PERCENTAGES,
                                          {"33.33", "33.33", "33.33"}),
                            &resp),
      grpc::StatusCode::INVALID_ARGUMENT, {"99.99", "100"}));
  EXPECT_THAT(ChildrenOf(admin, q2.target_id()), IsEmpty());
  // Two shares for three months.
  EXPECT_TRUE(Fails(
      admin.DecomposeTarget(
          SplitOverTime(q2.target_id(), v1::DECOMPOSITION_METHOD_PERCENTAGES, {"50", "50"}), &resp),
      grpc::StatusCode::INVALID_ARGUMENT, {"allocations"}));
  // Keys out of order.
  v1::DecomposeTargetRequest keyed =
      SplitOverTime(q2.target_id(), v1::DECOMPOSITION_METHOD_PERCENTAGES, {"30", "30", "40"});
  keyed.mutable_allocations(0)->set_key("2025-05");
  keyed.mutable_allocations(1)->set_key("2025-04");
  keyed.mutable_allocations(2)->set_key("2025-06");
  EXPECT_TRUE(Fails(admin.DecomposeTarget(keyed, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"allocations[0].key", "2025-04"}));
  EXPECT_THAT(ChildrenOf(admin, q2.target_id()), IsEmpty());
  v1::ListTargetsRequest within;
  within.set_within_period("2025-Q2");
  EXPECT_EQ(ListAll(admin, within).size(), 1u);

  // 30 / 30 / 40 % of 3,000,000.00, keyed in order.
  keyed.mutable_allocations(0)->set_key("2025-04");
  keyed.mutable_allocations(1)->set_key("2025-05");
  ASSERT_OK(admin.DecomposeTarget(keyed, &resp));
  EXPECT_THAT(Periods(resp), ElementsAre("2025-04", "2025-05", "2025-06"));
  EXPECT_THAT(Bases(resp), ElementsAre(90000000, 90000000, 120000000));
}

TEST_F(TargetE2eTest, DecomposeOverTheOrgByWeightsAndEvenlyOverReps) {
  const Api admin = Admin();
  BuildOrg(admin);
  CreateRep(admin, "r1", "east-1", "2024-01-01");
  CreateRep(admin, "r2", "east-1", "2024-06-01");
  CreateRep(admin, "r3", "east-1", "2024-12-01");
  // r4 joins on 2025-01-02, after the quarter's first day: not one of its reps.
  CreateRep(admin, "r4", "east-1", "2025-01-02");
  // r5 left east-1 before the quarter.
  CreateRep(admin, "r5", "east-1", "2024-01-01");
  MoveRep(admin, "r5", "north-1", "2024-12-01");
  const v1::Target company =
      Set(admin, UnitInput("acme", "2025", tv1::METRIC_SALES_AMOUNT, 500000000)).target();
  const v1::Target team =
      Set(admin, UnitInput("east-1", "2025-Q1", tv1::METRIC_ORDER_COUNT, 100)).target();
  ASSERT_FALSE(HasFailure());

  // 5,000,000.00 by weights 60 : 40 over the two regions.
  v1::DecomposeTargetRequest req;
  req.set_target_id(company.target_id());
  req.set_dimension(v1::DECOMPOSITION_DIMENSION_ORG);
  req.set_method(v1::DECOMPOSITION_METHOD_WEIGHTS);
  v1::Allocation* a = req.add_allocations();
  a->set_key("east");
  a->set_weight(60);
  a = req.add_allocations();
  a->set_key("north");
  a->set_weight(40);
  v1::DecomposeTargetResponse resp;
  ASSERT_OK(admin.DecomposeTarget(req, &resp));
  ASSERT_EQ(resp.children_size(), 2);
  EXPECT_EQ(Label(resp.children(0)), "unit:east 2025 sales_amount");
  EXPECT_EQ(resp.children(0).base_value(), 300000000);
  EXPECT_EQ(Label(resp.children(1)), "unit:north 2025 sales_amount");
  EXPECT_EQ(resp.children(1).base_value(), 200000000);
  EXPECT_EQ(resp.children(1).parent_target_id(), company.target_id());

  // A grandchild is not a child of the company.
  req.mutable_allocations(0)->set_key("east-1");
  EXPECT_TRUE(Fails(admin.DecomposeTarget(req, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"allocations[0].key", "east-1"}));

  // 100 orders evenly over the team's three reps on 2025-01-01: 34 + 33 + 33.
  v1::DecomposeTargetRequest even;
  even.set_target_id(team.target_id());
  even.set_dimension(v1::DECOMPOSITION_DIMENSION_ORG);
  even.set_method(v1::DECOMPOSITION_METHOD_EVEN);
  ASSERT_OK(admin.DecomposeTarget(even, &resp));
  ASSERT_EQ(resp.children_size(), 3);
  std::set<std::string> reps;
  for (const v1::Target& c : resp.children()) {
    EXPECT_EQ(c.scope().kind(), tv1::SCOPE_KIND_REP);
    EXPECT_EQ(c.period(), "2025-Q1");
    EXPECT_EQ(c.currency_code(), "");
    reps.insert(c.scope().id());
  }
  EXPECT_THAT(reps, UnorderedElementsAre("r1", "r2", "r3"));
  EXPECT_THAT(Bases(resp), ElementsAre(34, 33, 33));
  EXPECT_EQ(ChildrenOf(admin, team.target_id()).size(), 3u);

  // A rep's target has nothing under it.
  even.set_target_id(resp.children(0).target_id());
  EXPECT_TRUE(Fails(admin.DecomposeTarget(even, &resp), grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(TargetE2eTest, DecomposeOverProductLines) {
  const Api admin = Admin();
  BuildOrg(admin);
  for (const std::string id : {"a", "b", "c"}) {
    v1::CreateProductLineRequest line;
    line.set_product_line_id(id);
    line.set_name(absl::StrCat(absl::AsciiStrToUpper(id), "产品"));
    v1::CreateProductLineResponse line_resp;
    ASSERT_OK(admin.CreateProductLine(line, &line_resp));
  }
  const v1::Target q1 =
      Set(admin, UnitInput("acme", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 10000001, 12000000))
          .target();
  ASSERT_FALSE(HasFailure());

  // 10000001 = 3 × 3333333 + 2: lines a and b take one more cent. The
  // 1999999 above base = 3 × 666666 + 1: line a takes one more.
  v1::DecomposeTargetRequest req;
  req.set_target_id(q1.target_id());
  req.set_dimension(v1::DECOMPOSITION_DIMENSION_PRODUCT_LINE);
  req.set_method(v1::DECOMPOSITION_METHOD_EVEN);
  v1::DecomposeTargetResponse resp;
  ASSERT_OK(admin.DecomposeTarget(req, &resp));
  ASSERT_EQ(resp.children_size(), 3);
  EXPECT_EQ(Label(resp.children(0)), "unit:acme/a 2025-Q1 sales_amount");
  EXPECT_EQ(Label(resp.children(1)), "unit:acme/b 2025-Q1 sales_amount");
  EXPECT_EQ(Label(resp.children(2)), "unit:acme/c 2025-Q1 sales_amount");
  EXPECT_THAT(Bases(resp), ElementsAre(3333334, 3333334, 3333333));
  EXPECT_THAT(Challenges(resp), ElementsAre(4000001, 4000000, 3999999));

  // By weights c 5 : a 3 of 10000001: 6250000.625 and 3750000.375, the
  // leftover cent to c.
  const v1::Target q2 =
      Set(admin, UnitInput("acme", "2025-Q2", tv1::METRIC_SALES_AMOUNT, 10000001)).target();
  req.set_target_id(q2.target_id());
  req.set_method(v1::DECOMPOSITION_METHOD_WEIGHTS);
  v1::Allocation* a = req.add_allocations();
  a->set_key("c");
  a->set_weight(5);
  a = req.add_allocations();
  a->set_key("a");
  a->set_weight(3);
  ASSERT_OK(admin.DecomposeTarget(req, &resp));
  ASSERT_EQ(resp.children_size(), 2);
  EXPECT_EQ(resp.children(0).product_line_id(), "c");
  EXPECT_EQ(resp.children(0).base_value(), 6250001);
  EXPECT_EQ(resp.children(1).product_line_id(), "a");
  EXPECT_EQ(resp.children(1).base_value(), 3750000);

  // A target of one product line cannot be split over product lines.
  req.set_target_id(resp.children(0).target_id());
  req.clear_allocations();
  req.set_method(v1::DECOMPOSITION_METHOD_EVEN);
  EXPECT_TRUE(Fails(admin.DecomposeTarget(req, &resp), grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(TargetE2eTest, DecomposeRefusesNonAdditiveMetrics) {
  const Api admin = Admin();
  BuildOrg(admin);
  // 回款率 95.00 %: a ratio; the months' rates do not sum to the quarter's.
  const v1::Target rate =
      Set(admin, UnitInput("east", "2025-Q1", tv1::METRIC_COLLECTION_RATE, 9500)).target();
  ASSERT_FALSE(HasFailure());
  v1::DecomposeTargetResponse resp;
  EXPECT_TRUE(Fails(
      admin.DecomposeTarget(SplitOverTime(rate.target_id(), v1::DECOMPOSITION_METHOD_EVEN), &resp),
      grpc::StatusCode::INVALID_ARGUMENT, {"collection_rate", "additive"}));
  v1::DecomposeTargetRequest org;
  org.set_target_id(rate.target_id());
  org.set_dimension(v1::DECOMPOSITION_DIMENSION_ORG);
  org.set_method(v1::DECOMPOSITION_METHOD_EVEN);
  EXPECT_TRUE(Fails(admin.DecomposeTarget(org, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                    {"collection_rate"}));
  EXPECT_THAT(AllLabels(admin), ElementsAre("unit:east 2025-Q1 collection_rate"));
}

TEST_F(TargetE2eTest, DecomposeValidateOnlyComputesWithoutSaving) {
  const Api admin = Admin();
  BuildOrg(admin);
  const v1::Target q3 =
      Set(admin, UnitInput("east", "2025-Q3", tv1::METRIC_SALES_AMOUNT, 300000000)).target();
  ASSERT_FALSE(HasFailure());

  v1::DecomposeTargetRequest req = SplitOverTime(q3.target_id(), v1::DECOMPOSITION_METHOD_EVEN);
  req.set_validate_only(true);
  v1::DecomposeTargetResponse preview;
  ASSERT_OK(admin.DecomposeTarget(req, &preview));
  EXPECT_THAT(Periods(preview), ElementsAre("2025-07", "2025-08", "2025-09"));
  EXPECT_THAT(Bases(preview), ElementsAre(100000000, 100000000, 100000000));
  EXPECT_THAT(ChildrenOf(admin, q3.target_id()), IsEmpty());
  EXPECT_EQ(AllLabels(admin).size(), 1u);

  req.set_validate_only(false);
  req.set_request_id("split-q3");
  v1::DecomposeTargetResponse saved, again;
  ASSERT_OK(admin.DecomposeTarget(req, &saved));
  EXPECT_THAT(Bases(saved), ElementsAre(100000000, 100000000, 100000000));
  EXPECT_EQ(ChildrenOf(admin, q3.target_id()).size(), 3u);
  // A retry with the same request_id answers the same and changes nothing.
  ASSERT_OK(admin.DecomposeTarget(req, &again));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(saved, again));
  for (const v1::Target& c : ChildrenOf(admin, q3.target_id())) EXPECT_EQ(c.version(), 1);
}

// ============================================================== consistency

TEST_F(TargetE2eTest, CheckConsistencyListsParentsWhoseChildrenDisagree) {
  const Api admin = Admin();
  BuildOrg(admin);
  const v1::Target q1 =
      Set(admin, UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000)).target();
  ASSERT_FALSE(HasFailure());
  v1::DecomposeTargetResponse split;
  ASSERT_OK(
      admin.DecomposeTarget(SplitOverTime(q1.target_id(), v1::DECOMPOSITION_METHOD_EVEN), &split));
  EXPECT_THAT(Inconsistencies(admin), IsEmpty());
  // Also split over the org: east-1 and east-2 get 150000000 each. Each group
  // of children sums to the quarter on its own.
  v1::DecomposeTargetRequest over_org;
  over_org.set_target_id(q1.target_id());
  over_org.set_dimension(v1::DECOMPOSITION_DIMENSION_ORG);
  over_org.set_method(v1::DECOMPOSITION_METHOD_EVEN);
  ASSERT_OK(admin.DecomposeTarget(over_org, &split));
  EXPECT_THAT(Bases(split), ElementsAre(150000000, 150000000));
  EXPECT_EQ(ChildrenOf(admin, q1.target_id()).size(), 5u);
  EXPECT_THAT(Inconsistencies(admin), IsEmpty());

  // February lowered from 1,000,000.00 to 900,000.00: the months now sum to
  // 2,900,000.00, 100,000.00 (10000000) short of the quarter.
  v1::SetTargetResponse feb =
      Set(admin, UnitInput("east", "2025-02", tv1::METRIC_SALES_AMOUNT, 90000000));
  ASSERT_FALSE(HasFailure());
  EXPECT_FALSE(feb.created());
  EXPECT_EQ(GetTarget(admin, feb.target().target_id()).parent_target_id(), q1.target_id());

  std::vector<v1::Inconsistency> found = Inconsistencies(admin);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].parent().target_id(), q1.target_id());
  EXPECT_EQ(found[0].parent().base_value(), 300000000);
  EXPECT_EQ(found[0].dimension(), v1::DECOMPOSITION_DIMENSION_TIME);
  EXPECT_EQ(found[0].child_count(), 3);
  EXPECT_EQ(found[0].children_base_sum(), 290000000);
  EXPECT_EQ(found[0].base_difference(), 10000000);
  EXPECT_EQ(found[0].children_challenge_sum(), 290000000);
  EXPECT_EQ(found[0].challenge_difference(), 10000000);

  v1::CheckConsistencyRequest filtered;
  filtered.set_within_period("2025");
  EXPECT_EQ(Inconsistencies(admin, filtered).size(), 1u);
  filtered.set_within_period("2025-Q2");
  EXPECT_THAT(Inconsistencies(admin, filtered), IsEmpty());
  filtered.clear_within_period();
  filtered.set_metric(tv1::METRIC_ORDER_COUNT);
  EXPECT_THAT(Inconsistencies(admin, filtered), IsEmpty());

  // Put back, the parent is consistent again.
  Set(admin, UnitInput("east", "2025-02", tv1::METRIC_SALES_AMOUNT, 100000000));
  EXPECT_THAT(Inconsistencies(admin), IsEmpty());
}

// ==================================================================== locks

TEST_F(TargetE2eTest, LockedPeriodsRefuseChangesUntilAnAdminUnlocks) {
  const Api admin = Admin();
  BuildOrg(admin);
  const v1::Target feb =
      Set(admin, UnitInput("east", "2025-02", tv1::METRIC_SALES_AMOUNT, 100000000)).target();
  const v1::Target q1 =
      Set(admin, UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000)).target();
  ASSERT_FALSE(HasFailure());

  v1::LockPeriodRequest lock;
  lock.set_period("2025-Q1");
  lock.set_reason("Q1 closed");
  v1::LockPeriodResponse lock_resp;
  ASSERT_OK(admin.LockPeriod(lock, &lock_resp));
  EXPECT_EQ(lock_resp.lock().period(), "2025-Q1");
  EXPECT_EQ(lock_resp.lock().reason(), "Q1 closed");
  EXPECT_EQ(lock_resp.lock().locked_by(), "alice");
  EXPECT_TRUE(Fails(admin.LockPeriod(lock, &lock_resp), grpc::StatusCode::ALREADY_EXISTS));
  v1::ListPeriodLocksResponse locks;
  ASSERT_OK(admin.ListPeriodLocks({}, &locks));
  ASSERT_EQ(locks.locks_size(), 1);
  EXPECT_EQ(locks.locks(0).period(), "2025-Q1");

  // February lies in the locked quarter: refused, nothing changed.
  v1::SetTargetRequest set;
  *set.mutable_target() = UnitInput("east", "2025-02", tv1::METRIC_SALES_AMOUNT, 120000000);
  v1::SetTargetResponse set_resp;
  EXPECT_TRUE(Fails(admin.SetTarget(set, &set_resp), grpc::StatusCode::FAILED_PRECONDITION,
                    {"2025-02", "2025-Q1", "locked"}));
  v1::Target got = GetTarget(admin, feb.target_id());
  EXPECT_EQ(got.base_value(), 100000000);
  EXPECT_EQ(got.version(), 1);
  // A new target in the locked quarter is refused too, also in a batch.
  *set.mutable_target() = UnitInput("east-1", "2025-03", tv1::METRIC_SALES_AMOUNT, 5);
  EXPECT_TRUE(Fails(admin.SetTarget(set, &set_resp), grpc::StatusCode::FAILED_PRECONDITION));
  v1::BatchSetTargetsRequest batch;
  *batch.add_targets() = UnitInput("east", "2025-04", tv1::METRIC_SALES_AMOUNT, 7);
  *batch.add_targets() = UnitInput("east", "2025-01", tv1::METRIC_SALES_AMOUNT, 7);
  v1::BatchSetTargetsResponse batch_resp;
  EXPECT_TRUE(Fails(admin.BatchSetTargets(batch, &batch_resp),
                    grpc::StatusCode::FAILED_PRECONDITION, {"targets[1]"}));
  // So is a split of the quarter into its (locked) months.
  v1::DecomposeTargetResponse split;
  EXPECT_TRUE(Fails(
      admin.DecomposeTarget(SplitOverTime(q1.target_id(), v1::DECOMPOSITION_METHOD_EVEN), &split),
      grpc::StatusCode::FAILED_PRECONDITION, {"locked"}));
  EXPECT_THAT(ChildrenOf(admin, q1.target_id()), IsEmpty());
  EXPECT_THAT(AllLabels(admin), UnorderedElementsAre("unit:east 2025-02 sales_amount",
                                                     "unit:east 2025-Q1 sales_amount"));
  // Outside the quarter all is open.
  Set(admin, UnitInput("east", "2025-04", tv1::METRIC_SALES_AMOUNT, 7));
  EXPECT_FALSE(HasFailure());

  // Only an admin unlocks.
  v1::UnlockPeriodRequest unlock;
  unlock.set_period("2025-Q1");
  v1::UnlockPeriodResponse unlock_resp;
  EXPECT_TRUE(
      Fails(Director().UnlockPeriod(unlock, &unlock_resp), grpc::StatusCode::PERMISSION_DENIED));
  ASSERT_OK(admin.ListPeriodLocks({}, &locks));
  EXPECT_EQ(locks.locks_size(), 1);
  ASSERT_OK(admin.UnlockPeriod(unlock, &unlock_resp));
  ASSERT_OK(admin.ListPeriodLocks({}, &locks));
  EXPECT_EQ(locks.locks_size(), 0);
  EXPECT_TRUE(
      Fails(admin.UnlockPeriod(unlock, &unlock_resp), grpc::StatusCode::NOT_FOUND, {"2025-Q1"}));

  *set.mutable_target() = UnitInput("east", "2025-02", tv1::METRIC_SALES_AMOUNT, 120000000);
  ASSERT_OK(admin.SetTarget(set, &set_resp));
  EXPECT_EQ(set_resp.target().base_value(), 120000000);
  EXPECT_EQ(set_resp.target().version(), 2);
}

// ================================================================ bad input

TEST_F(TargetE2eTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  const Api admin = Admin();
  BuildOrg(admin);
  CreateRep(admin, "r1", "east-1", "2024-01-01");
  const v1::Target seed =
      Set(admin, UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000)).target();
  ASSERT_FALSE(HasFailure());

  auto set_fails = [&](const v1::TargetInput& in, grpc::StatusCode code,
                       const std::vector<std::string>& parts) {
    v1::SetTargetRequest req;
    *req.mutable_target() = in;
    v1::SetTargetResponse resp;
    return Fails(admin.SetTarget(req, &resp), code, parts);
  };
  const auto kSales = tv1::METRIC_SALES_AMOUNT;
  const auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
  EXPECT_TRUE(
      set_fails(UnitInput("east", "2025-13", kSales, 1), kInvalid, {"target.period", "2025-13"}));
  EXPECT_TRUE(
      set_fails(UnitInput("east", "2025-Q1", kSales, -1), kInvalid, {"target.base_value", "-1"}));
  EXPECT_TRUE(set_fails(UnitInput("east", "2025-Q1", kSales, 300000000, 299999999), kInvalid,
                        {"target.challenge_value", "299999999"}));
  v1::TargetInput in = UnitInput("east", "2025-Q1", kSales, 1);
  in.set_currency_code("cny");
  EXPECT_TRUE(set_fails(in, kInvalid, {"target.currency_code", "cny"}));
  in.set_currency_code("");
  EXPECT_TRUE(set_fails(in, kInvalid, {"target.currency_code"}));
  in = UnitInput("east", "2025-Q1", tv1::METRIC_ORDER_COUNT, 1);
  in.set_currency_code("CNY");
  EXPECT_TRUE(set_fails(in, kInvalid, {"target.currency_code"}));
  in = UnitInput("east", "2025-Q1", tv1::METRIC_UNSPECIFIED, 1);
  EXPECT_TRUE(set_fails(in, kInvalid, {"target.metric"}));
  in = UnitInput("east", "2025-Q1", kSales, 1);
  in.mutable_scope()->set_kind(tv1::SCOPE_KIND_UNSPECIFIED);
  EXPECT_TRUE(set_fails(in, kInvalid, {"target.scope.kind"}));
  EXPECT_TRUE(set_fails(UnitInput("East", "2025-Q1", kSales, 1), kInvalid, {"target.scope.id"}));
  EXPECT_TRUE(set_fails(UnitInput("atlantis", "2025-Q1", kSales, 1), kInvalid,
                        {"target.scope.id", "atlantis"}));
  EXPECT_TRUE(
      set_fails(RepInput("nobody", "2025-Q1", kSales, 1), kInvalid, {"target.scope.id", "nobody"}));
  EXPECT_TRUE(set_fails(UnitInput("east", "2025-Q1", kSales, 1, 0, "ghost-line"), kInvalid,
                        {"target.product_line_id", "ghost-line"}));

  // Reads: unknown ids are NOT_FOUND naming the id; malformed ones INVALID_ARGUMENT.
  v1::GetTargetRequest get;
  v1::GetTargetResponse get_resp;
  get.set_target_id("no-such-target");
  EXPECT_TRUE(
      Fails(admin.GetTarget(get, &get_resp), grpc::StatusCode::NOT_FOUND, {"no-such-target"}));
  get.set_target_id("Not An Id");
  EXPECT_TRUE(Fails(admin.GetTarget(get, &get_resp), kInvalid, {"target_id"}));
  v1::GetOrgUnitRequest get_unit;
  v1::GetOrgUnitResponse get_unit_resp;
  get_unit.set_unit_id("atlantis");
  EXPECT_TRUE(
      Fails(admin.GetOrgUnit(get_unit, &get_unit_resp), grpc::StatusCode::NOT_FOUND, {"atlantis"}));
  v1::GetRepRequest get_rep;
  v1::GetRepResponse get_rep_resp;
  get_rep.set_rep_id("nobody");
  EXPECT_TRUE(Fails(admin.GetRep(get_rep, &get_rep_resp), grpc::StatusCode::NOT_FOUND, {"nobody"}));
  get_rep.set_rep_id("r1");
  get_rep.set_as_of("2025-02-30");
  EXPECT_TRUE(Fails(admin.GetRep(get_rep, &get_rep_resp), kInvalid, {"as_of", "2025-02-30"}));
  v1::DecomposeTargetResponse split;
  EXPECT_TRUE(Fails(
      admin.DecomposeTarget(SplitOverTime("no-such-target", v1::DECOMPOSITION_METHOD_EVEN), &split),
      grpc::StatusCode::NOT_FOUND, {"no-such-target"}));
  v1::ListTargetHistoryRequest history;
  v1::ListTargetHistoryResponse history_resp;
  history.set_target_id("no-such-target");
  EXPECT_TRUE(Fails(admin.ListTargetHistory(history, &history_resp), grpc::StatusCode::NOT_FOUND,
                    {"no-such-target"}));

  // Lists: a page token this server did not make, bad periods, a negative size.
  v1::ListTargetsRequest list;
  v1::ListTargetsResponse list_resp;
  list.set_page_token("garbage!!");
  EXPECT_TRUE(Fails(admin.ListTargets(list, &list_resp), kInvalid, {"page_token"}));
  list.set_page_token("Z2FyYmFnZQ");  // base64url of "garbage"
  EXPECT_TRUE(Fails(admin.ListTargets(list, &list_resp), kInvalid, {"page_token"}));
  list = {};
  list.set_period("2025-Q5");
  EXPECT_TRUE(Fails(admin.ListTargets(list, &list_resp), kInvalid, {"period", "2025-Q5"}));
  list = {};
  list.set_within_period("soon");
  EXPECT_TRUE(Fails(admin.ListTargets(list, &list_resp), kInvalid, {"within_period", "soon"}));
  list = {};
  list.set_page_size(-1);
  EXPECT_TRUE(Fails(admin.ListTargets(list, &list_resp), kInvalid, {"page_size"}));
  v1::ListOrgUnitsRequest list_units;
  v1::ListOrgUnitsResponse list_units_resp;
  list_units.set_page_token("garbage!!");
  EXPECT_TRUE(Fails(admin.ListOrgUnits(list_units, &list_units_resp), kInvalid, {"page_token"}));

  // Org input.
  v1::CreateOrgUnitRequest unit;
  v1::CreateOrgUnitResponse unit_resp;
  unit.set_unit_id("south");
  unit.set_parent_id("acme");
  unit.set_name("华南区");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(unit, &unit_resp), kInvalid, {"kind"}));
  unit.set_kind(v1::ORG_UNIT_KIND_REGION);
  unit.set_unit_id("South Region");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(unit, &unit_resp), kInvalid, {"unit_id"}));
  unit.set_unit_id("south");
  unit.set_name("");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(unit, &unit_resp), kInvalid, {"name"}));
  unit.set_name("华南区");
  unit.set_request_id("has a space");
  EXPECT_TRUE(Fails(admin.CreateOrgUnit(unit, &unit_resp), kInvalid, {"request_id"}));
  v1::LockPeriodRequest lock;
  v1::LockPeriodResponse lock_resp;
  lock.set_period("Q1-2025");
  EXPECT_TRUE(Fails(admin.LockPeriod(lock, &lock_resp), kInvalid, {"period", "Q1-2025"}));

  // Nothing changed.
  EXPECT_THAT(AllLabels(admin), ElementsAre("unit:east 2025-Q1 sales_amount"));
  v1::Target after = GetTarget(admin, seed.target_id());
  EXPECT_EQ(after.base_value(), 300000000);
  EXPECT_EQ(after.version(), 1);
  EXPECT_THAT(ListUnitIds(admin),
              ElementsAre("acme", "east", "east-1", "east-2", "north", "north-1"));
  v1::ListPeriodLocksResponse locks;
  ASSERT_OK(admin.ListPeriodLocks({}, &locks));
  EXPECT_EQ(locks.locks_size(), 0);
}

// ============================================================== idempotency

TEST_F(TargetE2eTest, RequestIdMakesMutationsIdempotent) {
  const Api admin = Admin();
  BuildOrg(admin);
  ASSERT_FALSE(HasFailure());

  // A unit with a server-generated id, sent twice: one unit.
  v1::CreateOrgUnitRequest unit;
  unit.set_request_id("create-south-7f3a");
  unit.set_parent_id("acme");
  unit.set_name("华南区");
  unit.set_kind(v1::ORG_UNIT_KIND_REGION);
  v1::CreateOrgUnitResponse first_unit, second_unit;
  ASSERT_OK(admin.CreateOrgUnit(unit, &first_unit));
  ASSERT_OK(admin.CreateOrgUnit(unit, &second_unit));
  EXPECT_FALSE(first_unit.unit().unit_id().empty());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first_unit, second_unit))
      << first_unit.ShortDebugString() << " vs " << second_unit.ShortDebugString();
  EXPECT_THAT(ListUnitIds(admin, "acme"),
              UnorderedElementsAre("east", "north", first_unit.unit().unit_id()));

  // SetTarget: the retry answers as the first time, even with other values.
  v1::SetTargetRequest set;
  set.set_request_id("set-east-q1");
  *set.mutable_target() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 100000000);
  v1::SetTargetResponse first, second;
  ASSERT_OK(admin.SetTarget(set, &first));
  EXPECT_TRUE(first.created());
  *set.mutable_target() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 200000000);
  ASSERT_OK(admin.SetTarget(set, &second));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second))
      << first.ShortDebugString() << " vs " << second.ShortDebugString();
  v1::Target got = GetTarget(admin, first.target().target_id());
  EXPECT_EQ(got.base_value(), 100000000);
  EXPECT_EQ(got.version(), 1);
  v1::ListTargetHistoryRequest history;
  history.set_target_id(got.target_id());
  v1::ListTargetHistoryResponse history_resp;
  ASSERT_OK(admin.ListTargetHistory(history, &history_resp));
  EXPECT_EQ(history_resp.changes_size(), 1);

  // A new request_id does change it.
  set.set_request_id("set-east-q1-v2");
  ASSERT_OK(admin.SetTarget(set, &second));
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.target().version(), 2);
  EXPECT_EQ(GetTarget(admin, got.target_id()).base_value(), 200000000);

  // A failed call does not use up its request_id: fixed, the retry runs.
  set.set_request_id("set-south");
  *set.mutable_target() = UnitInput("south", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 5);
  EXPECT_TRUE(Fails(admin.SetTarget(set, &second), grpc::StatusCode::INVALID_ARGUMENT, {"south"}));
  *set.mutable_target() =
      UnitInput(first_unit.unit().unit_id(), "2025-Q1", tv1::METRIC_SALES_AMOUNT, 5);
  ASSERT_OK(admin.SetTarget(set, &second));
  EXPECT_TRUE(second.created());
  EXPECT_EQ(second.target().base_value(), 5);

  // A batch sent twice saves once.
  v1::BatchSetTargetsRequest batch;
  batch.set_request_id("batch-north");
  *batch.add_targets() = UnitInput("north", "2025-Q1", tv1::METRIC_ORDER_COUNT, 10);
  *batch.add_targets() = UnitInput("north", "2025-Q2", tv1::METRIC_ORDER_COUNT, 11);
  v1::BatchSetTargetsResponse b1, b2;
  ASSERT_OK(admin.BatchSetTargets(batch, &b1));
  ASSERT_OK(admin.BatchSetTargets(batch, &b2));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(b1, b2));
  EXPECT_EQ(GetTarget(admin, b1.targets(0).target_id()).version(), 1);
  EXPECT_EQ(AllLabels(admin).size(), 4u);
}

// ===================================================================== auth

TEST_F(TargetE2eTest, CallsWithoutAValidTokenAreUnauthenticated) {
  BuildOrg(Admin());
  ASSERT_FALSE(HasFailure());

  Principal admin;
  admin.tenant = tenant_;
  admin.subject = "mallory";
  admin.role = Role::kAdmin;
  const std::string expired =
      MintOrDie(kJwtKey, admin, absl::Now() - absl::Hours(2), absl::Hours(1));
  const std::string other_key = MintOrDie("a-completely-different-signing-key-0123456789", admin,
                                          absl::Now(), absl::Hours(1));
  // An unsigned token: {"alg":"none"} header, admin claims, empty signature.
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string claims = absl::StrCat(R"({"iss":"attain","tenant":")", tenant_,
                                          R"(","sub":"mallory","role":"admin","scope":"",)",
                                          R"("iat":)", now, R"(,"exp":)", now + 3600, "}");
  const std::string unsigned_token =
      absl::StrCat(Base64Url(R"({"alg":"none","typ":"JWT"})"), ".", Base64Url(claims), ".");
  // A rep's valid signature under a payload rewritten to make them admin.
  const std::string rep_token = Bearer(Role::kRep, "r1").substr(7);
  const std::vector<std::string> parts = absl::StrSplit(rep_token, '.');
  ASSERT_EQ(parts.size(), 3u);
  const std::string forged = absl::StrCat(parts[0], ".", Base64Url(claims), ".", parts[2]);

  const std::vector<std::pair<std::string, std::string>> headers = {
      {"no token", ""},
      {"not Bearer", "Basic YWxpY2U6c2VjcmV0"},
      {"empty bearer", "Bearer "},
      {"not a JWT", "Bearer not/a:jwt"},
      {"two parts", "Bearer abc.def"},
      {"expired", "Bearer " + expired},
      {"signed with another key", "Bearer " + other_key},
      {"alg none", "Bearer " + unsigned_token},
      {"forged payload", "Bearer " + forged},
  };
  for (const auto& [what, header] : headers) {
    SCOPED_TRACE(what);
    const Api api = WithHeader(header);
    v1::GetOrgUnitRequest get;
    get.set_unit_id("east");
    v1::GetOrgUnitResponse get_resp;
    EXPECT_TRUE(Fails(api.GetOrgUnit(get, &get_resp), grpc::StatusCode::UNAUTHENTICATED));
    EXPECT_FALSE(get_resp.has_unit());
    v1::ListTargetsResponse list_resp;
    EXPECT_TRUE(Fails(api.ListTargets({}, &list_resp), grpc::StatusCode::UNAUTHENTICATED));
    v1::CreateOrgUnitRequest create;
    create.set_unit_id("intruder");
    create.set_parent_id("acme");
    create.set_name("Intruder");
    create.set_kind(v1::ORG_UNIT_KIND_REGION);
    v1::CreateOrgUnitResponse create_resp;
    EXPECT_TRUE(Fails(api.CreateOrgUnit(create, &create_resp), grpc::StatusCode::UNAUTHENTICATED));
    v1::SetTargetRequest set;
    *set.mutable_target() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 1);
    v1::SetTargetResponse set_resp;
    EXPECT_TRUE(Fails(api.SetTarget(set, &set_resp), grpc::StatusCode::UNAUTHENTICATED));
  }
  // The expired-token message says so.
  v1::ListTargetsResponse expired_resp;
  EXPECT_TRUE(Fails(WithHeader("Bearer " + expired).ListTargets({}, &expired_resp),
                    grpc::StatusCode::UNAUTHENTICATED, {"expired"}));

  // The same calls with a valid token work, and nothing was created.
  v1::GetOrgUnitRequest get;
  get.set_unit_id("intruder");
  v1::GetOrgUnitResponse get_resp;
  EXPECT_TRUE(Fails(Admin().GetOrgUnit(get, &get_resp), grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(GetUnit(Admin(), "east").name(), "华东区");
  EXPECT_THAT(AllLabels(Admin()), IsEmpty());
}

TEST_F(TargetE2eTest, RolesAndScopesLimitWhatACallerMayDo) {
  const Api admin = Admin();
  BuildOrg(admin);
  CreateRep(admin, "r1", "east-1", "2024-01-01");
  CreateRep(admin, "r2", "north-1", "2024-01-01");
  const v1::Target r1_target =
      Set(admin, RepInput("r1", "2025-Q1", tv1::METRIC_ORDER_COUNT, 30)).target();
  const v1::Target r2_target =
      Set(admin, RepInput("r2", "2025-Q1", tv1::METRIC_ORDER_COUNT, 20)).target();
  const v1::Target north_target =
      Set(admin, UnitInput("north", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 200000000)).target();
  ASSERT_FALSE(HasFailure());
  const auto kDenied = grpc::StatusCode::PERMISSION_DENIED;

  // A rep reads only their own targets and changes nothing.
  const Api rep = As(Role::kRep, "r1");
  v1::SetTargetRequest set;
  *set.mutable_target() = RepInput("r1", "2025-Q1", tv1::METRIC_ORDER_COUNT, 1);
  v1::SetTargetResponse set_resp;
  EXPECT_TRUE(Fails(rep.SetTarget(set, &set_resp), kDenied));
  v1::CreateOrgUnitRequest unit;
  unit.set_unit_id("east-9");
  unit.set_parent_id("east");
  unit.set_name("Team 9");
  unit.set_kind(v1::ORG_UNIT_KIND_TEAM);
  v1::CreateOrgUnitResponse unit_resp;
  EXPECT_TRUE(Fails(rep.CreateOrgUnit(unit, &unit_resp), kDenied));
  v1::GetTargetRequest get;
  v1::GetTargetResponse get_resp;
  get.set_target_id(r2_target.target_id());
  EXPECT_TRUE(Fails(rep.GetTarget(get, &get_resp), kDenied));
  EXPECT_FALSE(get_resp.has_target());
  get.set_target_id(r1_target.target_id());
  ASSERT_OK(rep.GetTarget(get, &get_resp));
  EXPECT_EQ(get_resp.target().base_value(), 30);
  EXPECT_THAT(ListLabels(rep, {}), ElementsAre("rep:r1 2025-Q1 order_count"));
  v1::ListTargetsRequest others;
  others.set_scope_kind(tv1::SCOPE_KIND_REP);
  others.set_scope_id("r2");
  v1::ListTargetsResponse others_resp;
  EXPECT_TRUE(Fails(rep.ListTargets(others, &others_resp), kDenied));
  EXPECT_EQ(GetRep(rep, "r1", "2025-01-01").team_id(), "east-1");
  v1::GetRepRequest other_rep;
  other_rep.set_rep_id("r2");
  v1::GetRepResponse other_rep_resp;
  EXPECT_TRUE(Fails(rep.GetRep(other_rep, &other_rep_resp), kDenied));

  // A manager of East China sets targets below East China only.
  const Api manager = As(Role::kManager, "mia", "east");
  *set.mutable_target() = UnitInput("east-1", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 50000000);
  ASSERT_OK(manager.SetTarget(set, &set_resp));
  EXPECT_TRUE(set_resp.created());
  EXPECT_EQ(set_resp.target().updated_by(), "mia");
  *set.mutable_target() = UnitInput("north-1", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 50000000);
  EXPECT_TRUE(Fails(manager.SetTarget(set, &set_resp), kDenied, {"north-1"}));
  *set.mutable_target() = RepInput("r1", "2025-Q1", tv1::METRIC_ORDER_COUNT, 31);
  EXPECT_OK(manager.SetTarget(set, &set_resp));
  *set.mutable_target() = RepInput("r2", "2025-Q1", tv1::METRIC_ORDER_COUNT, 21);
  EXPECT_TRUE(Fails(manager.SetTarget(set, &set_resp), kDenied, {"r2"}));
  v1::BatchSetTargetsRequest batch;
  *batch.add_targets() = UnitInput("east-2", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 1);
  *batch.add_targets() = UnitInput("north-1", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 1);
  v1::BatchSetTargetsResponse batch_resp;
  EXPECT_TRUE(Fails(manager.BatchSetTargets(batch, &batch_resp), kDenied));
  get.set_target_id(north_target.target_id());
  EXPECT_TRUE(Fails(manager.GetTarget(get, &get_resp), kDenied));
  EXPECT_TRUE(Fails(manager.CreateOrgUnit(unit, &unit_resp), kDenied));
  v1::DecomposeTargetResponse split;
  EXPECT_TRUE(
      Fails(manager.DecomposeTarget(
                SplitOverTime(north_target.target_id(), v1::DECOMPOSITION_METHOD_EVEN), &split),
            kDenied));
  v1::UnlockPeriodRequest unlock;
  unlock.set_period("2025-Q1");
  v1::UnlockPeriodResponse unlock_resp;
  EXPECT_TRUE(Fails(manager.UnlockPeriod(unlock, &unlock_resp), kDenied));
  EXPECT_TRUE(Fails(Director().UnlockPeriod(unlock, &unlock_resp), kDenied));
  v1::LockPeriodRequest lock;
  lock.set_period("2025-Q1");
  v1::LockPeriodResponse lock_resp;
  EXPECT_TRUE(Fails(manager.LockPeriod(lock, &lock_resp), kDenied));

  // What the denied calls would have written is not there.
  EXPECT_EQ(GetTarget(admin, r1_target.target_id()).base_value(), 31);
  EXPECT_EQ(GetTarget(admin, r2_target.target_id()).base_value(), 20);
  EXPECT_THAT(
      AllLabels(admin),
      UnorderedElementsAre("rep:r1 2025-Q1 order_count", "rep:r2 2025-Q1 order_count",
                           "unit:north 2025-Q1 sales_amount", "unit:east-1 2025-Q1 sales_amount"));
  EXPECT_THAT(ChildrenOf(admin, north_target.target_id()), IsEmpty());
  EXPECT_THAT(ListUnitIds(admin, "east"), ElementsAre("east-1", "east-2"));
  v1::ListPeriodLocksResponse locks;
  ASSERT_OK(admin.ListPeriodLocks({}, &locks));
  EXPECT_EQ(locks.locks_size(), 0);
}

TEST_F(TargetE2eTest, TenantsAreIsolated) {
  const Api a = Admin();
  BuildOrg(a);
  CreateRep(a, "r1", "east-1", "2024-01-01");
  v1::CreateProductLineRequest line;
  line.set_product_line_id("a");
  line.set_name("A产品");
  v1::CreateProductLineResponse line_resp;
  ASSERT_OK(a.CreateProductLine(line, &line_resp));
  v1::SetTargetRequest set;
  set.set_request_id("shared-request-id");
  *set.mutable_target() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 300000000);
  v1::SetTargetResponse a_target;
  ASSERT_OK(a.SetTarget(set, &a_target));
  v1::DecomposeTargetResponse split;
  ASSERT_OK(a.DecomposeTarget(
      SplitOverTime(a_target.target().target_id(), v1::DECOMPOSITION_METHOD_EVEN), &split));
  Set(a, UnitInput("east", "2025-02", tv1::METRIC_SALES_AMOUNT, 1));  // A is inconsistent
  v1::LockPeriodRequest lock;
  lock.set_period("2024-Q4");
  v1::LockPeriodResponse lock_resp;
  ASSERT_OK(a.LockPeriod(lock, &lock_resp));
  ASSERT_FALSE(HasFailure());

  const std::string tenant_b = tenant_ + "-b";
  const Api b(*channel_, Bearer(Role::kAdmin, "bob", "", tenant_b));

  // B cannot read A's things by id, and the answer gives nothing away.
  v1::GetOrgUnitRequest get_unit;
  get_unit.set_unit_id("east");
  v1::GetOrgUnitResponse get_unit_resp;
  grpc::Status st = b.GetOrgUnit(get_unit, &get_unit_resp);
  EXPECT_TRUE(Fails(st, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(st.error_message(), Not(HasSubstr("华东区")));
  EXPECT_THAT(st.error_message(), Not(HasSubstr(tenant_)));
  EXPECT_FALSE(get_unit_resp.has_unit());
  v1::GetRepRequest get_rep;
  get_rep.set_rep_id("r1");
  v1::GetRepResponse get_rep_resp;
  st = b.GetRep(get_rep, &get_rep_resp);
  EXPECT_TRUE(Fails(st, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(st.error_message(), Not(HasSubstr("east-1")));
  v1::GetTargetRequest get_target;
  get_target.set_target_id(a_target.target().target_id());
  v1::GetTargetResponse get_target_resp;
  st = b.GetTarget(get_target, &get_target_resp);
  EXPECT_TRUE(Fails(st, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(st.error_message(), Not(HasSubstr("300000000")));
  EXPECT_THAT(st.error_message(), Not(HasSubstr("east")));
  v1::ListTargetHistoryRequest history;
  history.set_target_id(a_target.target().target_id());
  v1::ListTargetHistoryResponse history_resp;
  EXPECT_TRUE(Fails(b.ListTargetHistory(history, &history_resp), grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(Fails(
      b.DecomposeTarget(SplitOverTime(a_target.target().target_id(), v1::DECOMPOSITION_METHOD_EVEN),
                        &split),
      grpc::StatusCode::NOT_FOUND));

  // B's lists are empty.
  EXPECT_THAT(ListUnitIds(b), IsEmpty());
  EXPECT_THAT(ListRepIds(b, "", "2025-01-01"), IsEmpty());
  EXPECT_THAT(AllLabels(b), IsEmpty());
  v1::ListProductLinesResponse lines;
  ASSERT_OK(b.ListProductLines({}, &lines));
  EXPECT_EQ(lines.product_lines_size(), 0);
  EXPECT_THAT(Inconsistencies(b), IsEmpty());
  v1::ListPeriodLocksResponse locks;
  ASSERT_OK(b.ListPeriodLocks({}, &locks));
  EXPECT_EQ(locks.locks_size(), 0);

  // B builds the same ids on its own, A's lock does not bind B, and A's
  // request_id means nothing in B.
  CreateUnit(b, "acme", "", "Beta Corp", v1::ORG_UNIT_KIND_COMPANY);
  CreateUnit(b, "east", "acme", "East (B)", v1::ORG_UNIT_KIND_REGION);
  CreateUnit(b, "east-1", "east", "Team (B)", v1::ORG_UNIT_KIND_TEAM);
  CreateRep(b, "r1", "east-1", "2023-05-01");
  ASSERT_OK(b.CreateProductLine(line, &line_resp));
  v1::SetTargetResponse b_target;
  *set.mutable_target() = UnitInput("east", "2025-Q1", tv1::METRIC_SALES_AMOUNT, 7);
  ASSERT_OK(b.SetTarget(set, &b_target));
  EXPECT_TRUE(b_target.created());
  EXPECT_EQ(b_target.target().base_value(), 7);
  EXPECT_NE(b_target.target().target_id(), a_target.target().target_id());
  Set(b, UnitInput("east", "2024-12", tv1::METRIC_SALES_AMOUNT, 9));
  ASSERT_FALSE(HasFailure());

  // A is untouched.
  EXPECT_EQ(GetUnit(a, "east").name(), "华东区");
  EXPECT_EQ(GetRep(a, "r1", "2025-01-01").hire_date(), "2024-01-01");
  EXPECT_EQ(GetTarget(a, a_target.target().target_id()).base_value(), 300000000);
  EXPECT_EQ(AllLabels(a).size(), 4u);
  EXPECT_EQ(Inconsistencies(a).size(), 1u);
  EXPECT_THAT(AllLabels(b), UnorderedElementsAre("unit:east 2025-Q1 sales_amount",
                                                 "unit:east 2024-12 sales_amount"));
  EXPECT_EQ(GetRep(b, "r1", "2025-01-01").hire_date(), "2023-05-01");
  // And A cannot see B's target.
  get_target.set_target_id(b_target.target().target_id());
  EXPECT_TRUE(Fails(a.GetTarget(get_target, &get_target_resp), grpc::StatusCode::NOT_FOUND));
}

// ================================================================= shutdown

// SIGTERM while calls are in flight: they complete, then the process exits 0
// without waiting out its whole grace period. Its own process and database.
TEST(TargetShutdownE2eTest, SigtermLetsCallsInFlightFinishAndExitsZero) {
  const std::string db = PgTestServer::Shared().CreateDatabase("target_e2e_shutdown");
  // One worker: the calls queue behind each other, so several are in flight
  // (received, waiting or running) when the signal comes.
  ServiceProcess::Options options;
  options.binary = ATTAIN_TARGET_BINARY;
  options.args = {"--pg-url",  db,  "--jwt-key",        kJwtKey,
                  "--workers", "1", "--shutdown-grace", "60s"};
  absl::StatusOr<std::unique_ptr<ServiceProcess>> started = ServiceProcess::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServiceProcess> service = *std::move(started);
  Principal p;
  p.tenant = "t-shutdown";
  p.subject = "alice";
  p.role = Role::kAdmin;
  const Api admin(service->NewChannel(),
                  "Bearer " + MintOrDie(kJwtKey, p, absl::Now(), absl::Hours(1)));

  v1::CreateOrgUnitRequest unit;
  unit.set_unit_id("co");
  unit.set_name("Co");
  unit.set_kind(v1::ORG_UNIT_KIND_COMPANY);
  v1::CreateOrgUnitResponse unit_resp;
  ASSERT_OK(admin.CreateOrgUnit(unit, &unit_resp));
  // 365 days of 2025 × 8 metrics = 2920 targets.
  const std::vector<tv1::Metric> metrics = {
      tv1::METRIC_SALES_AMOUNT,     tv1::METRIC_ORDER_COUNT,      tv1::METRIC_GROSS_PROFIT,
      tv1::METRIC_COLLECTED_AMOUNT, tv1::METRIC_NEW_CUSTOMERS,    tv1::METRIC_VISITS,
      tv1::METRIC_EFFECTIVE_VISITS, tv1::METRIC_OPPORTUNITIES_WON};
  v1::BatchSetTargetsRequest batch;
  for (absl::CivilDay d(2025, 1, 1); d.year() == 2025; ++d) {
    for (tv1::Metric m : metrics) {
      *batch.add_targets() = UnitInput("co", absl::FormatCivilTime(d), m, 100 + d.day());
    }
  }
  ASSERT_EQ(batch.targets_size(), 2920);
  v1::BatchSetTargetsResponse batch_resp;
  ASSERT_OK(admin.BatchSetTargets(batch, &batch_resp));

  constexpr int kCalls = 6;
  std::vector<grpc::Status> statuses(kCalls);
  std::vector<int> counts(kCalls, -1);
  absl::Mutex mu;
  int finished = 0;
  int started_calls = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      v1::ListTargetsRequest req;
      req.set_page_size(10000);
      v1::ListTargetsResponse resp;
      {
        absl::MutexLock l(&mu);
        ++started_calls;
      }
      grpc::Status st = admin.ListTargets(req, &resp);
      absl::MutexLock l(&mu);
      statuses[i] = st;
      counts[i] = resp.targets_size();
      ++finished;
    });
  }
  // Once one call has come back the server has all of them (they went out
  // together on one connection); the others are queued or running.
  {
    absl::MutexLock l(&mu);
    auto one_done = [&]() { return started_calls == kCalls && finished >= 1; };
    mu.AwaitWithTimeout(absl::Condition(&one_done), absl::Seconds(60));
  }
  const absl::Time signalled = absl::Now();
  const int code = service->Terminate(absl::Seconds(90));
  const absl::Duration took = absl::Now() - signalled;
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(code, 0) << service->Log();
  EXPECT_LT(took, absl::Seconds(30)) << "shutdown waited out the grace period";
  for (int i = 0; i < kCalls; ++i) {
    SCOPED_TRACE(absl::StrCat("call ", i));
    EXPECT_TRUE(IsOk(statuses[i]));
    EXPECT_EQ(counts[i], 2920);
  }
}

}  // namespace
}  // namespace attain::target
