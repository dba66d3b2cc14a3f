// End-to-end tests of `attainctl action …` and `person record` against the
// real attain-review over a throwaway PostgreSQL database: what an operator
// types, what the service then holds (read back over --json), and the exit
// status and messages they see. attain-review's clock is pinned at
// 2025-04-05 10:00 (Asia/Shanghai) and moved to 2025-05-11 for the overdue
// list. attain-eval is not running: verify-meeting leaves the items that are
// not metrics without asking it.
//
// Committee "perf" (set up over gRPC): gm chair (management), vp
// secretary-general (sales, manager), mk member (marketing, manager). m1
// reviews 2025-Q1 on 2025-04-05 and is in progress; m2 reviews 2025-Q2 on
// 2025-07-05.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/review/v1/action_service.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/json_util.h"
#include "tests/support/run_command.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain::review {
namespace {

using ::attain::testing::CommandResult;
using ::attain::testing::PgTestServer;
using ::attain::testing::ServiceProcess;
using ::testing::HasSubstr;

constexpr char kJwtKey[] = "review-action-cli-e2e-signing-key-0123456789";
constexpr char kTenant[] = "acme";
constexpr char kApril5[] = "2025-04-05T02:00:00Z";
constexpr char kMay11[] = "2025-05-11T02:00:00Z";

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  if (!status.ok()) ADD_FAILURE() << "not a " << m.GetTypeName() << " in JSON:\n" << json;
  return m;
}

std::string Token(Role role, const std::string& subject) {
  Principal p{kTenant, subject, role, role == Role::kManager ? "co" : "", {}};
  absl::StatusOr<std::string> token = MintToken(kJwtKey, p, absl::Now(), absl::Hours(1));
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

class ReviewActionCliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(PgTestServer::Shared().CreateDatabase("review_action_cli"));
    eval_addr_ = new std::string(absl::StrCat("127.0.0.1:", testing::FreePort()));
    Restart(kApril5);
    ASSERT_NE(review_, nullptr);
    Seed();
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(review_, nullptr);
    ASSERT_FALSE(m1_.empty()) << "seeding failed";
  }

  static void Restart(const std::string& now) {
    delete review_;
    review_ = nullptr;
    absl::StatusOr<std::unique_ptr<ServiceProcess>> review = ServiceProcess::Start(
        {ATTAIN_REVIEW_BINARY,
         {"--pg-url", *db_, "--jwt-key", kJwtKey, "--fake-now", now, "--eval-addr", *eval_addr_},
         {}});
    ASSERT_TRUE(review.ok()) << review.status();
    review_ = review->release();
  }

  static void Seed() {
    auto channel = review_->NewChannel();
    auto committees = v1::CommitteeService::NewStub(channel);
    auto meetings = v1::MeetingService::NewStub(channel);
    auto call = [](auto& stub, auto method, const auto& req, auto* resp) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + Token(Role::kAdmin, "admin"));
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      return ((*stub).*method)(&ctx, req, resp);
    };
    v1::CreateCommitteeRequest cq;
    v1::Committee* c = cq.mutable_committee();
    c->set_committee_id("perf");
    c->set_name("Sales performance committee");
    c->set_unit_id("co");
    for (const auto& [id, role, dept, manager] :
         std::vector<std::tuple<std::string, v1::CommitteeRole, std::string, bool>>{
             {"gm", v1::COMMITTEE_ROLE_CHAIR, "management", true},
             {"vp", v1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales", true},
             {"mk", v1::COMMITTEE_ROLE_MEMBER, "marketing", true}}) {
      v1::CommitteeMember* m = c->add_members();
      m->set_person_id(id);
      m->set_name(id);
      m->set_role(role);
      m->set_department(dept);
      m->set_department_manager(manager);
    }
    v1::CreateCommitteeResponse cr;
    grpc::Status st = call(committees, &v1::CommitteeService::Stub::CreateCommittee, cq, &cr);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& [period, start, out] :
         std::vector<std::tuple<std::string, std::string, std::string*>>{
             {"2025-Q1", "2025-04-05T03:00:00Z", &m1_},
             {"2025-Q2", "2025-07-05T02:00:00Z", &m2_}}) {
      v1::ScheduleMeetingRequest q;
      q.set_committee_id("perf");
      q.set_title(period + " review");
      q.set_period(period);
      absl::Time t;
      std::string err;
      ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, start, &t, &err)) << err;
      q.mutable_start_time()->set_seconds(absl::ToUnixSeconds(t));
      q.set_duration_minutes(120);
      q.set_minute_taker_id("mk");
      v1::ScheduleMeetingResponse r;
      st = call(meetings, &v1::MeetingService::Stub::ScheduleMeeting, q, &r);
      ASSERT_TRUE(st.ok()) << st.error_message();
      *out = r.meeting().meeting_id();
    }
    v1::ChangeMeetingStatusRequest start;
    start.set_meeting_id(m1_);
    start.set_status(v1::MEETING_STATUS_IN_PROGRESS);
    v1::ChangeMeetingStatusResponse started;
    st = call(meetings, &v1::MeetingService::Stub::ChangeMeetingStatus, start, &started);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // attainctl --review-addr <attain-review> --token <role/subject of acme> args…
  static CommandResult Ctl(const std::vector<std::string>& args, Role role = Role::kAdmin,
                           const std::string& subject = "admin") {
    std::vector<std::string> all = {"--review-addr", review_->address(), "--token",
                                    Token(role, subject)};
    all.insert(all.end(), args.begin(), args.end());
    return ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(60));
  }

  // `action create` over the CLI (as the committee secretary), --json.
  static v1::CreateActionItemResponse Create(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"--json", "action", "create", "--meeting", m1_};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = Ctl(args, Role::kCommitteeSecretary, "sec");
    EXPECT_EQ(r.code, 0) << r;
    return FromJson<v1::CreateActionItemResponse>(r.out);
  }

  static v1::ActionItem Get(const std::string& id) {
    CommandResult r = Ctl({"--json", "action", "get", id});
    EXPECT_EQ(r.code, 0) << r;
    return FromJson<v1::ActionItem>(r.out);
  }

  static std::string* db_;
  static std::string* eval_addr_;
  static ServiceProcess* review_;
  static std::string m1_;
  static std::string m2_;
};

std::string* ReviewActionCliE2eTest::db_ = nullptr;
std::string* ReviewActionCliE2eTest::eval_addr_ = nullptr;
ServiceProcess* ReviewActionCliE2eTest::review_ = nullptr;
std::string ReviewActionCliE2eTest::m1_;
std::string ReviewActionCliE2eTest::m2_;

const std::vector<std::string> kGood = {
    "--title",    "call back every lapsed key account in East China",
    "--measures", "two calls a week",
    "--due",      "2025-06-30",
    "--expect",   "sales back to 1,000,000 by 2025-Q2"};

std::vector<std::string> Plus(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(ReviewActionCliE2eTest, CreateSplitAndMetricItems) {
  v1::CreateActionItemResponse split =
      Create(Plus(kGood, {"--department", "sales", "--department", "marketing"}));
  EXPECT_EQ(split.item().owner_id(), "gm");
  ASSERT_EQ(split.parts_size(), 2);
  EXPECT_EQ(split.parts(0).owner_id(), "vp");
  EXPECT_EQ(split.parts(1).owner_id(), "mk");

  v1::CreateActionItemResponse metric =
      Create(Plus(kGood, {"--department", "sales", "--metric", "sales_amount", "--scope", "rep:r1",
                          "--target", "10,000.00", "--period", "2025-Q2"}));
  const v1::ExpectedResult& e = metric.item().expected_result();
  EXPECT_EQ(e.metric(), type::v1::METRIC_SALES_AMOUNT);
  EXPECT_EQ(e.scope().kind(), type::v1::SCOPE_KIND_REP);
  EXPECT_EQ(e.scope().id(), "r1");
  EXPECT_EQ(e.target_value(), 1000000);  // CNY 10,000.00 in minor units
  EXPECT_EQ(e.period(), "2025-Q2");
  // A target is in its metric's unit: without --metric it means nothing.
  const std::vector<std::string> create = Plus({"action", "create", "--meeting", m1_}, kGood);
  CommandResult no_metric = Ctl(Plus(create, {"--department", "sales", "--scope", "rep:r1",
                                              "--target", "10,000.00", "--period", "2025-Q2"}),
                                Role::kCommitteeSecretary, "sec");
  EXPECT_EQ(no_metric.code, 2) << no_metric;
  EXPECT_THAT(no_metric.err, HasSubstr("--target needs --metric"));
  CommandResult bad =
      Ctl(Plus(create, {"--department", "sales", "--metric", "sales_amount", "--scope", "rep:r1",
                        "--target", "ten", "--period", "2025-Q2"}),
          Role::kCommitteeSecretary, "sec");
  EXPECT_EQ(bad.code, 2) << bad;
  EXPECT_THAT(bad.err, HasSubstr("--target"));

  // The text form shows the split.
  CommandResult r = Ctl(Plus({"action", "create", "--meeting", m1_, "--department", "sales",
                              "--department", "marketing"},
                             kGood),
                        Role::kCommitteeSecretary, "sec");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("Split into 2 department parts"));
  EXPECT_THAT(r.out, HasSubstr("marketing"));

  // Usage and service errors.
  r = Ctl({"action", "create", "--meeting", m1_, "--title", "x"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--department is required"));
  r = Ctl(
      Plus({"action", "create", "--meeting", m1_, "--department", "sales", "--metric", "happiness"},
           kGood));
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--metric"));
  r = Ctl(Plus({"action", "create", "--meeting", m1_, "--department", "sales"}, kGood), Role::kRep,
          "r1");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
  std::vector<std::string> down = {"--review-addr", absl::StrCat("127.0.0.1:", testing::FreePort()),
                                   "--token",       Token(Role::kAdmin, "admin"),
                                   "action",        "get",
                                   "act-x"};
  r = ::attain::testing::RunCommand(ATTAINCTL_BINARY, down, {}, absl::Seconds(60));
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("is attain-review running"));
}

// A metric item's progress figure is typed in the metric's unit, as its
// target is: money in major units.
TEST_F(ReviewActionCliE2eTest, ProgressValueInTheMetricsUnit) {
  const std::string id =
      Create(Plus(kGood, {"--department", "sales", "--metric", "sales_amount", "--scope", "rep:r1",
                          "--target", "10,000.00", "--period", "2025-Q2"}))
          .item()
          .action_id();
  CommandResult r = Ctl({"action", "submit", id}, Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"action", "accept", id, "--note", "agreed"}, Role::kCommitteeMember, "gm");
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"action", "start", id}, Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"--json", "action", "progress", id, "--note", "half way", "--value", "8,500.00"},
          Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  v1::ActionItem item = FromJson<v1::ActionItem>(r.out);
  ASSERT_EQ(item.progress_size(), 1);
  EXPECT_EQ(item.progress(0).value(), 850000);  // minor units
  r = Ctl({"action", "get", id});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("8,500.00"));
  EXPECT_THAT(r.out, HasSubstr(">= 10,000.00 by 2025-Q2"));
  r = Ctl({"action", "progress", id, "--note", "x", "--value", "lots"}, Role::kManager, "vp");
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--value"));
}

TEST_F(ReviewActionCliE2eTest, LifeOfAnItem) {
  // A submission failing SMART: exit 1 with every reason.
  const std::string id = Create({"--department", "sales", "--title", "Fix it", "--due",
                                 "2025-06-30", "--expect", "do better"})
                             .item()
                             .action_id();
  CommandResult r = Ctl({"action", "submit", id}, Role::kManager, "vp");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("failed the SMART check"));
  EXPECT_THAT(r.err, HasSubstr("specific (title)"));
  EXPECT_THAT(r.err, HasSubstr("specific (measures)"));
  EXPECT_THAT(r.err, HasSubstr("measurable (expected_result)"));
  EXPECT_EQ(Get(id).status(), v1::ACTION_STATUS_RETURNED);

  // The owner fixes it and submits again; the committee accepts.
  r = Ctl({"--json", "action", "update", id, "--title",
           "visit the 20 largest lapsed accounts in East China", "--measures", "two a week",
           "--expect", "10 of them order again"},
          Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(FromJson<v1::ActionItem>(r.out).measures(), "two a week");
  r = Ctl({"action", "submit", id}, Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"action", "return", id});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--note is required"));
  r = Ctl({"action", "accept", id}, Role::kManager, "vp");  // the owner is not the committee
  EXPECT_EQ(r.code, 1) << r;
  r = Ctl({"--json", "action", "accept", id, "--note", "agreed"}, Role::kCommitteeMember, "gm");
  ASSERT_EQ(r.code, 0) << r;
  v1::ActionItem item = FromJson<v1::ActionItem>(r.out);
  EXPECT_EQ(item.status(), v1::ACTION_STATUS_ACCEPTED);
  // A stale --version is refused.
  r = Ctl({"action", "start", id, "--version", "1"}, Role::kManager, "vp");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  r = Ctl({"action", "start", id}, Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("in_progress"));
  EXPECT_THAT(r.out, HasSubstr("2025-04-15"));  // the first ten-day report is due

  r = Ctl({"--json", "action", "progress", id, "--note", "8 accounts visited", "--done", "37.5",
           "--value", "8"},
          Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  item = FromJson<v1::ActionItem>(r.out);
  ASSERT_EQ(item.progress_size(), 1);
  EXPECT_EQ(item.progress(0).done_bp(), 3750);
  EXPECT_EQ(item.progress(0).value(), 8);
  EXPECT_EQ(item.progress(0).as_of_date(), "2025-04-05");
  EXPECT_EQ(item.progress_due_date(), "2025-04-15");
  r = Ctl({"action", "progress", id, "--note", "x", "--done", "150"}, Role::kManager, "vp");
  EXPECT_EQ(r.code, 2) << r;

  r = Ctl({"action", "done", id}, Role::kManager, "vp");
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"action", "verify", id, "--note", "x"}, Role::kCommitteeSecretary, "sec");
  EXPECT_EQ(r.code, 2) << r;  // neither --achieved nor --not-achieved
  r = Ctl({"action", "get", id});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("submitted"));
  EXPECT_THAT(r.out, HasSubstr("specific title"));  // the returned submission's reasons
  EXPECT_THAT(r.out, HasSubstr("8 accounts visited"));

  // The listing by status; verify-meeting (attain-eval is not needed for an
  // item that is not a metric) leaves it for the committee, which judges it.
  r = Ctl({"action", "list", "--meeting", m1_, "--status", "done"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(id));
  r = Ctl({"action", "verify-meeting", m2_}, Role::kCommitteeSecretary, "sec");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("not a metric"));
  EXPECT_THAT(r.out, HasSubstr(id));
  r = Ctl({"--json", "action", "verify", id, "--achieved", "--note", "12 accounts came back"},
          Role::kCommitteeSecretary, "sec");
  ASSERT_EQ(r.code, 0) << r;
  item = FromJson<v1::ActionItem>(r.out);
  EXPECT_EQ(item.status(), v1::ACTION_STATUS_VERIFIED_ACHIEVED);
  EXPECT_FALSE(item.verification().automatic());

  r = Ctl({"--json", "person", "record", "vp"}, Role::kHr, "hr");
  ASSERT_EQ(r.code, 0) << r;
  v1::GetPersonRecordResponse record = FromJson<v1::GetPersonRecordResponse>(r.out);
  EXPECT_GE(record.achieved_count(), 1);
  r = Ctl({"person", "record", "vp"}, Role::kRep, "r1");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
}

// Runs last: it moves the clock to May 11.
TEST_F(ReviewActionCliE2eTest, ZOverdueOnALaterDay) {
  const v1::ActionItem late = Create({"--department", "marketing", "--title",
                                      "refresh the product sheets for the East region", "--due",
                                      "2025-05-01", "--expect", "3 new sheets"})
                                  .item();
  Restart(kMay11);
  CommandResult r = Ctl({"action", "overdue", "--department", "marketing"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("Overdue as of 2025-05-11"));
  EXPECT_THAT(r.out, HasSubstr(late.action_id()));
  r = Ctl({"--json", "action", "overdue", "--department", "marketing"}, Role::kManager, "mk");
  ASSERT_EQ(r.code, 0) << r;
  auto overdue = FromJson<v1::ListOverdueActionItemsResponse>(r.out);
  ASSERT_EQ(overdue.items_size(), 1);
  EXPECT_EQ(overdue.items(0).item().action_id(), late.action_id());
  EXPECT_EQ(overdue.items(0).days_overdue(), 10);              // 05-11 − 05-01
  r = Ctl({"--json", "action", "overdue"}, Role::kRep, "r1");  // owns nothing
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(FromJson<v1::ListOverdueActionItemsResponse>(r.out).items_size(), 0);
}

}  // namespace
}  // namespace attain::review
