// End-to-end tests of attainctl against the real attain-target: what an
// operator types, what the service then holds (checked over gRPC), and the
// exit status and messages the operator sees. One service process (its own
// fresh database) for the suite; one tenant per test.
//
// Money is typed in major units ("3,000,000.00") and stored in minor units
// of CNY (300000000).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/json_util.h"
#include "tests/support/run_command.h"
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

constexpr char kJwtKey[] = "target-cli-e2e-test-signing-key-0123456789ab";

using CliResult = ::attain::testing::CommandResult;
using ::attain::testing::ReadFile;

// Runs attainctl with `args`. The environment is the test's without any
// ATTAIN_* variable, plus `env`.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {}) {
  return ::attain::testing::RunCommand(ATTAINCTL_BINARY, args, env, absl::Seconds(60));
}

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  if (!status.ok()) ADD_FAILURE() << "not a " << m.GetTypeName() << " in JSON:\n" << json;
  return m;
}

class TargetCliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServiceProcess::Options options;
    options.binary = ATTAIN_TARGET_BINARY;
    options.args = {"--pg-url", PgTestServer::Shared().CreateDatabase("target_cli_e2e"),
                    "--jwt-key", kJwtKey};
    absl::StatusOr<std::unique_ptr<ServiceProcess>> process = ServiceProcess::Start(options);
    if (!process.ok()) {
      start_error_ = new std::string(process.status().ToString());
      return;
    }
    service_ = process->release();
  }

  static void TearDownTestSuite() {
    if (service_ == nullptr) return;
    const int code = service_->Terminate();
    if (code != 0) ADD_FAILURE() << "attain-target exited with " << code;
    delete service_;
    service_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(service_, nullptr) << "attain-target did not start: "
                                 << (start_error_ ? *start_error_ : "?");
    tenant_ = absl::StrCat(
        "cli-",
        absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    org_ = v1::OrgService::NewStub(service_->NewChannel());
    targets_ = v1::TargetService::NewStub(service_->NewChannel());
  }

  std::string Token(Role role, const std::string& subject) const {
    Principal p;
    p.tenant = tenant_;
    p.subject = subject;
    p.role = role;
    absl::StatusOr<std::string> token = MintToken(kJwtKey, p, absl::Now(), absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  // attainctl --addr <service> --token <admin of this tenant> args…
  CliResult Ctl(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"--addr", service_->address(), "--token",
                                    Token(Role::kAdmin, "operator")};
    all.insert(all.end(), args.begin(), args.end());
    return RunCli(all);
  }

  // Verifies the CLI's effect over gRPC as this tenant's admin.
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + Token(Role::kAdmin, "checker"));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }
  std::vector<v1::Target> ListTargets(const v1::ListTargetsRequest& req = {}) {
    v1::ListTargetsResponse resp;
    grpc::Status st = targets_->ListTargets(Context().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.targets().begin(), resp.targets().end()};
  }

  // company acme → regions east (华东区), north (华北区) → team east-1.
  void BuildOrg() {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"org", "unit", "create", "--id", "acme", "--name", "Acme 销售公司", "--kind",
              "company"},
             {"org", "unit", "create", "--id", "east", "--name", "华东区", "--kind", "region",
              "--parent", "acme"},
             {"org", "unit", "create", "--id", "north", "--name", "华北区", "--kind", "region",
              "--parent", "acme"},
             {"org", "unit", "create", "--id", "east-1", "--name", "销售一部", "--kind", "team",
              "--parent", "east"},
         }) {
      const CliResult r = Ctl(args);
      ASSERT_EQ(r.code, 0) << r;
    }
  }

  static ServiceProcess* service_;
  static std::string* start_error_;
  std::string tenant_;
  std::unique_ptr<v1::OrgService::Stub> org_;
  std::unique_ptr<v1::TargetService::Stub> targets_;
};

ServiceProcess* TargetCliE2eTest::service_ = nullptr;
std::string* TargetCliE2eTest::start_error_ = nullptr;

TEST_F(TargetCliE2eTest, TokenMintMakesTokensTheServiceAccepts) {
  const CliResult minted = RunCli({"token", "mint", "--tenant", tenant_, "--subject", "alice",
                                   "--role", "director", "--ttl", "1h"},
                                  {{"ATTAIN_JWT_KEY", kJwtKey}});
  ASSERT_EQ(minted.code, 0) << minted;
  const std::string token(absl::StripAsciiWhitespace(minted.out));
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;

  // The service takes it: a director lists the (empty) org; from the
  // environment too.
  CliResult listed =
      RunCli({"--addr", service_->address(), "--token", token, "org", "unit", "list"});
  EXPECT_EQ(listed.code, 0) << listed;
  listed = RunCli({"org", "unit", "list"},
                  {{"ATTAIN_TARGET_ADDR", service_->address()}, {"ATTAIN_TOKEN", token}});
  EXPECT_EQ(listed.code, 0) << listed;

  // A token signed with another key is refused by the service.
  const CliResult foreign =
      RunCli({"token", "mint", "--tenant", tenant_, "--subject", "alice", "--role", "admin"},
             {{"ATTAIN_JWT_KEY", "some-other-signing-key-0123456789abcdef"}});
  ASSERT_EQ(foreign.code, 0) << foreign;
  const CliResult refused =
      RunCli({"--addr", service_->address(), "--token",
              std::string(absl::StripAsciiWhitespace(foreign.out)), "org", "unit", "list"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("UNAUTHENTICATED"));

  // No token at all; an unknown role.
  const CliResult anonymous = RunCli({"--addr", service_->address(), "org", "unit", "list"});
  EXPECT_EQ(anonymous.code, 1) << anonymous;
  EXPECT_THAT(anonymous.err, HasSubstr("UNAUTHENTICATED"));
  const CliResult bad_role =
      RunCli({"token", "mint", "--tenant", tenant_, "--subject", "x", "--role", "emperor"},
             {{"ATTAIN_JWT_KEY", kJwtKey}});
  EXPECT_EQ(bad_role.code, 2) << bad_role;
  EXPECT_THAT(bad_role.err, HasSubstr("emperor"));
}

TEST_F(TargetCliE2eTest, OperatorBuildsTheOrgThenSetsAndSplitsATarget) {
  ASSERT_NO_FATAL_FAILURE(BuildOrg());
  CliResult r = Ctl({"org", "rep", "create", "--id", "r1", "--name", "张伟", "--team", "east-1",
                     "--hire-date", "2024-01-01"});
  ASSERT_EQ(r.code, 0) << r;

  v1::GetOrgUnitRequest get_unit;
  get_unit.set_unit_id("east");
  v1::GetOrgUnitResponse unit;
  ASSERT_TRUE(org_->GetOrgUnit(Context().get(), get_unit, &unit).ok());
  EXPECT_EQ(unit.unit().name(), "华东区");
  EXPECT_EQ(unit.unit().parent_id(), "acme");
  EXPECT_EQ(unit.unit().kind(), v1::ORG_UNIT_KIND_REGION);
  v1::GetRepRequest get_rep;
  get_rep.set_rep_id("r1");
  get_rep.set_as_of("2025-01-01");
  v1::GetRepResponse rep;
  ASSERT_TRUE(org_->GetRep(Context().get(), get_rep, &rep).ok());
  EXPECT_EQ(rep.rep().name(), "张伟");
  EXPECT_EQ(rep.rep().team_id(), "east-1");
  r = Ctl({"org", "unit", "get", "east"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("华东区"));

  // 3,000,000.00 base and 3,600,000.00 challenge, typed in major units.
  r = Ctl({"--json", "target", "set", "--scope", "unit:east", "--period", "2025-Q1", "--metric",
           "sales_amount", "--base", "3,000,000.00", "--challenge", "3,600,000.00"});
  ASSERT_EQ(r.code, 0) << r;
  const v1::SetTargetResponse set = FromJson<v1::SetTargetResponse>(r.out);
  EXPECT_TRUE(set.created());
  EXPECT_EQ(set.target().base_value(), 300000000);
  EXPECT_EQ(set.target().challenge_value(), 360000000);
  EXPECT_EQ(set.target().currency_code(), "CNY");
  const std::string id = set.target().target_id();
  ASSERT_FALSE(id.empty());

  // Split into months: evenly, then 30 / 30 / 40 %.
  r = Ctl({"--json", "target", "decompose", id, "--over", "time", "--into", "month"});
  ASSERT_EQ(r.code, 0) << r;
  v1::DecomposeTargetResponse split = FromJson<v1::DecomposeTargetResponse>(r.out);
  ASSERT_EQ(split.children_size(), 3);
  EXPECT_EQ(split.children(0).period(), "2025-01");
  EXPECT_EQ(split.children(0).base_value(), 100000000);
  EXPECT_EQ(split.children(1).base_value(), 100000000);
  EXPECT_EQ(split.children(2).base_value(), 100000000);
  // The challenge's 60,000,000 above base splits 20,000,000 each.
  EXPECT_EQ(split.children(2).challenge_value(), 120000000);
  r = Ctl({"--json", "target", "decompose", id, "--over", "time", "--alloc", "30%,30%,40%"});
  ASSERT_EQ(r.code, 0) << r;
  split = FromJson<v1::DecomposeTargetResponse>(r.out);
  ASSERT_EQ(split.children_size(), 3);
  EXPECT_EQ(split.children(0).base_value(), 90000000);
  EXPECT_EQ(split.children(1).base_value(), 90000000);
  EXPECT_EQ(split.children(2).base_value(), 120000000);
  v1::ListTargetsRequest children;
  children.set_parent_target_id(id);
  EXPECT_EQ(ListTargets(children).size(), 3u);

  // Consistent until February is lowered to 800,000.00: 100,000.00 short.
  r = Ctl({"target", "check"});
  EXPECT_EQ(r.code, 0) << r;
  r = Ctl({"target", "set", "--scope", "unit:east", "--period", "2025-02", "--metric",
           "sales_amount", "--base", "800,000.00", "--challenge", "1,000,000.00"});
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"target", "check"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr(id));
  EXPECT_THAT(r.out, HasSubstr("100,000.00"));
  r = Ctl({"--json", "target", "check"});
  EXPECT_EQ(r.code, 1) << r;
  const v1::CheckConsistencyResponse check = FromJson<v1::CheckConsistencyResponse>(r.out);
  ASSERT_EQ(check.inconsistencies_size(), 1);
  EXPECT_EQ(check.inconsistencies(0).base_difference(), 10000000);

  // The history names the operator.
  r = Ctl({"--json", "target", "history", id});
  ASSERT_EQ(r.code, 0) << r;
  const v1::ListTargetHistoryResponse history = FromJson<v1::ListTargetHistoryResponse>(r.out);
  ASSERT_EQ(history.changes_size(), 1);
  EXPECT_EQ(history.changes(0).changed_by(), "operator");
  EXPECT_EQ(history.changes(0).new_base_value(), 300000000);
}

TEST_F(TargetCliE2eTest, FailuresExitNonZeroWithTheServicesReason) {
  ASSERT_NO_FATAL_FAILURE(BuildOrg());

  CliResult r = Ctl({"target", "set", "--scope", "unit:east", "--period", "2025-13", "--metric",
                     "sales_amount", "--base", "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(r.err, HasSubstr("2025-13"));
  r = Ctl({"target", "set", "--scope", "unit:atlantis", "--period", "2025-Q1", "--metric",
           "sales_amount", "--base", "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("atlantis"));
  r = Ctl({"target", "get", "no-such-target"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  r = Ctl({"org", "unit", "move", "east", "east-1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));

  // A rep may not set targets.
  r = RunCli({"--addr", service_->address(), "--token", Token(Role::kRep, "r1"), "target", "set",
              "--scope", "unit:east", "--period", "2025-Q1", "--metric", "sales_amount", "--base",
              "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));

  // Usage errors are 2 and send nothing.
  r = Ctl({"target", "frobnicate"});
  EXPECT_EQ(r.code, 2) << r;
  r = Ctl(
      {"target", "set", "--scope", "unit:east", "--period", "2025-Q1", "--metric", "sales_amount"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--base"));
  r = Ctl({"target", "set", "--scope", "unit:east", "--period", "2025-Q1", "--metric",
           "no_such_metric", "--base", "1"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("no_such_metric"));

  EXPECT_THAT(ListTargets(), IsEmpty());
}

TEST_F(TargetCliE2eTest, CsvBatchIsAllOrNothingAndNamesTheBadLines) {
  ASSERT_NO_FATAL_FAILURE(BuildOrg());
  char tmpl[] = "/tmp/attainctl-csv-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/targets.csv";
  auto write = [&](const std::string& text) {
    std::ofstream out(path);
    out << text;
  };
  // Line 4 names a rep that does not exist.
  write(
      "scope,period,metric,base,challenge\n"
      "unit:east,2025-Q1,sales_amount,\"3,000,000.00\",\"3,600,000.00\"\n"
      "unit:north,2025-Q1,sales_amount,\"2,000,000.00\",\n"
      "rep:ghost,2025-Q1,order_count,30,\n");

  CliResult r = Ctl({"target", "set", "--file", path, "--dry-run"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.out + r.err, HasSubstr("ghost"));
  r = Ctl({"target", "set", "--file", path});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("ghost"));
  EXPECT_THAT(r.err, HasSubstr("line 4"));
  EXPECT_THAT(ListTargets(), IsEmpty());

  write(
      "scope,period,metric,base,challenge\n"
      "unit:east,2025-Q1,sales_amount,\"3,000,000.00\",\"3,600,000.00\"\n"
      "unit:north,2025-Q1,sales_amount,\"2,000,000.00\",\n"
      "unit:east-1,2025-Q1,order_count,30,\n");
  r = Ctl({"target", "set", "--file", path, "--dry-run"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_THAT(ListTargets(), IsEmpty());
  r = Ctl({"--json", "target", "set", "--file", path});
  ASSERT_EQ(r.code, 0) << r;
  const v1::BatchSetTargetsResponse saved = FromJson<v1::BatchSetTargetsResponse>(r.out);
  ASSERT_EQ(saved.targets_size(), 3);
  EXPECT_EQ(saved.targets(0).base_value(), 300000000);
  EXPECT_EQ(saved.targets(0).challenge_value(), 360000000);
  EXPECT_EQ(saved.targets(1).base_value(), 200000000);
  EXPECT_EQ(saved.targets(1).challenge_value(), 200000000);
  EXPECT_EQ(saved.targets(2).base_value(), 30);
  EXPECT_EQ(saved.targets(2).currency_code(), "");
  EXPECT_EQ(ListTargets().size(), 3u);
  std::remove(path.c_str());
  rmdir(tmpl);
}

TEST_F(TargetCliE2eTest, RequestIdMakesARetryHarmless) {
  ASSERT_NO_FATAL_FAILURE(BuildOrg());
  CliResult r = Ctl({"--request-id", "plan-2025-q1-east", "target", "set", "--scope", "unit:east",
                     "--period", "2025-Q1", "--metric", "order_count", "--base", "100"});
  ASSERT_EQ(r.code, 0) << r;
  // The same request id with another value: answered as before, not applied.
  r = Ctl({"--request-id", "plan-2025-q1-east", "target", "set", "--scope", "unit:east", "--period",
           "2025-Q1", "--metric", "order_count", "--base", "150"});
  ASSERT_EQ(r.code, 0) << r;
  std::vector<v1::Target> all = ListTargets();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].base_value(), 100);
  EXPECT_EQ(all[0].version(), 1);
  // Without it, every run is a new request.
  r = Ctl({"target", "set", "--scope", "unit:east", "--period", "2025-Q1", "--metric",
           "order_count", "--base", "150"});
  ASSERT_EQ(r.code, 0) << r;
  all = ListTargets();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].base_value(), 150);
  EXPECT_EQ(all[0].version(), 2);
}

}  // namespace
}  // namespace attain::target
