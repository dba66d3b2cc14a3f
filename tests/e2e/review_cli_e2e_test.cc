// End-to-end tests of `attainctl committee …`, `meeting …`, `minutes …` and
// `demo review` against the real attain-review (over a throwaway PostgreSQL
// database, its clock pinned at 2025-04-05T09:00:00Z): what an operator
// types, what the service then holds (read back over --json), and the exit
// status and messages they see.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/review/v1/committee_service.pb.h"
#include "attain/review/v1/meeting_service.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "tests/support/run_command.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain::review {
namespace {

using ::attain::testing::CommandResult;
using ::attain::testing::PgTestServer;
using ::attain::testing::ServiceProcess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kJwtKey[] = "review-cli-e2e-test-signing-key-0123456789";
constexpr char kTenant[] = "acme";

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  if (!status.ok()) ADD_FAILURE() << "not a " << m.GetTypeName() << " in JSON:\n" << json;
  return m;
}

class ReviewCliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string db = PgTestServer::Shared().CreateDatabase("review_cli_e2e");
    absl::StatusOr<std::unique_ptr<ServiceProcess>> review = ServiceProcess::Start(
        {ATTAIN_REVIEW_BINARY,
         {"--pg-url", db, "--jwt-key", kJwtKey, "--fake-now", "2025-04-05T09:00:00Z"},
         {}});
    if (!review.ok()) {
      start_error_ = new std::string(review.status().ToString());
      return;
    }
    review_ = review->release();
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(review_, nullptr) << "attain-review did not start: "
                                << (start_error_ ? *start_error_ : "?");
  }

  static std::string Token(Role role, const std::string& subject,
                           const std::string& tenant = kTenant) {
    Principal p{tenant, subject, role, "", {}};
    absl::StatusOr<std::string> token = MintToken(kJwtKey, p, absl::Now(), absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  // attainctl --review-addr <attain-review> --token <role/subject of acme> args…
  CommandResult Ctl(const std::vector<std::string>& args, Role role = Role::kAdmin,
                    const std::string& subject = "admin") const {
    std::vector<std::string> all = {"--review-addr", review_->address(), "--token",
                                    Token(role, subject)};
    all.insert(all.end(), args.begin(), args.end());
    return ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(60));
  }

  std::string WriteFile(const std::string& name, const std::string& text) const {
    const std::string path = absl::StrCat(::testing::TempDir(), "/", name, "-", ::getpid());
    std::ofstream(path) << text;
    return path;
  }

  // Creates committee `id` over the CLI (gm chair, vp secretary-general,
  // mkt member and minute taker, fin member).
  void CreateCommittee(const std::string& id) {
    CommandResult r =
        Ctl({"committee", "create", id, "--name", "业绩跟踪委员会", "--unit", "acme", "--member",
             "gm:chair:management:王总 Wang", "--member", "vp:secretary_general:sales:李总 Li",
             "--member", "mkt:member:marketing:赵敏 Zhao: minutes", "--member",
             "fin:member:finance:钱进 Qian", "--manager", "gm", "--manager", "fin"});
    ASSERT_EQ(r.code, 0) << r;
  }

  static ServiceProcess* review_;
  static std::string* start_error_;
};

ServiceProcess* ReviewCliE2eTest::review_ = nullptr;
std::string* ReviewCliE2eTest::start_error_ = nullptr;

TEST_F(ReviewCliE2eTest, CommitteeCreateGetListUpdate) {
  CreateCommittee("perf");
  CommandResult r = Ctl({"committee", "get", "perf"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("业绩跟踪委员会"));
  EXPECT_THAT(r.out, HasSubstr("secretary-general"));
  EXPECT_THAT(r.out, HasSubstr("赵敏 Zhao: minutes"));  // the name keeps its colon

  r = Ctl({"--json", "committee", "get", "perf"});
  ASSERT_EQ(r.code, 0) << r;
  auto c = FromJson<v1::Committee>(r.out);
  EXPECT_EQ(c.version(), 1);
  ASSERT_EQ(c.members_size(), 4);
  EXPECT_EQ(c.members(0).role(), v1::COMMITTEE_ROLE_CHAIR);
  EXPECT_TRUE(c.members(0).department_manager());
  EXPECT_FALSE(c.members(2).department_manager());
  EXPECT_TRUE(c.members(3).department_manager());

  // Members replaced from a file (the proto JSON names work too).
  const std::string file = WriteFile("members.json", R"([
    {"person_id": "vp", "name": "李总 Li", "role": "chair", "department": "sales",
     "department_manager": true},
    {"personId": "gm", "name": "王总 Wang", "role": "COMMITTEE_ROLE_SECRETARY_GENERAL",
     "department": "management"}
  ])");
  r = Ctl({"--json", "committee", "update", "perf", "--version", "1", "--members-file", file,
           "--name", "Renamed"});
  ASSERT_EQ(r.code, 0) << r;
  c = FromJson<v1::Committee>(r.out);
  EXPECT_EQ(c.version(), 2);
  EXPECT_EQ(c.name(), "Renamed");
  ASSERT_EQ(c.members_size(), 2);
  EXPECT_EQ(c.members(1).role(), v1::COMMITTEE_ROLE_SECRETARY_GENERAL);
  EXPECT_TRUE(c.members(0).department_manager());

  // Stale version: the service's message, exit 1.
  r = Ctl({"committee", "update", "perf", "--version", "1", "--name", "Again"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(r.err, HasSubstr("version 2"));
  // Usage errors: exit 2, nothing sent.
  r = Ctl({"committee", "update", "perf", "--name", "Again"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--version"));
  r = Ctl({"committee", "create", "x", "--name", "X", "--unit", "acme", "--member", "gm-chair"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("PERSON:ROLE:DEPARTMENT:NAME"));
  // The service's validation: exit 1 naming the field.
  r = Ctl({"committee", "create", "x", "--name", "X", "--unit", "acme", "--member",
           "gm:member:sales:G"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(r.err, HasSubstr("no chair"));

  CreateCommittee("east");
  r = Ctl({"--json", "committee", "list"});
  ASSERT_EQ(r.code, 0) << r;
  auto list = FromJson<v1::ListCommitteesResponse>(r.out);
  std::vector<std::string> ids;
  for (const auto& x : list.committees()) ids.push_back(x.committee_id());
  EXPECT_THAT(ids, ElementsAre("east", "perf"));
  r = Ctl({"committee", "list"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("SECRETARY-GENERAL"));
  // A finance token may not read committees.
  r = Ctl({"committee", "list"}, Role::kFinance, "cfo");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(ReviewCliE2eTest, MeetingFromScheduleToMinutesAndClose) {
  CreateCommittee("board");
  // 09:00 in Asia/Shanghai is 01:00Z.
  CommandResult r = Ctl({"--json", "meeting", "schedule", "--committee", "board", "--title",
                         "2025-04 review", "--period", "2025-04", "--start", "2025-05-05 09:00",
                         "--duration", "90", "--minute-taker", "mkt", "--purpose", "Review April"},
                        Role::kCommitteeMember, "gm");
  ASSERT_EQ(r.code, 0) << r;
  auto m = FromJson<v1::Meeting>(r.out);
  const std::string id = m.meeting_id();
  EXPECT_EQ(m.start_time().seconds(), 1746406800);
  EXPECT_EQ(m.duration_minutes(), 90);
  EXPECT_EQ(m.status(), v1::MEETING_STATUS_SCHEDULED);
  EXPECT_EQ(m.invitees_size(), 4);

  r = Ctl({"meeting", "get", id});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("2025-04 review"));
  EXPECT_THAT(r.out, HasSubstr("scheduled"));
  EXPECT_THAT(r.out, HasSubstr("Review April"));

  r = Ctl({"meeting", "list", "--status", "scheduled", "--committee", "board"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(id));
  r = Ctl({"meeting", "list", "--status", "later"});
  EXPECT_EQ(r.code, 2) << r;

  r = Ctl({"meeting", "start", id}, Role::kCommitteeSecretary, "sec");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("in progress"));
  r = Ctl({"--json", "meeting", "attend", id, "--present", "gm,vp", "--excused", "fin"});
  ASSERT_EQ(r.code, 0) << r;
  m = FromJson<v1::Meeting>(r.out);
  std::map<std::string, v1::Attendance> attendance;
  for (const auto& i : m.invitees()) attendance[i.person_id()] = i.attendance();
  EXPECT_EQ(attendance["gm"], v1::ATTENDANCE_PRESENT);
  EXPECT_EQ(attendance["vp"], v1::ATTENDANCE_PRESENT);
  EXPECT_EQ(attendance["fin"], v1::ATTENDANCE_EXCUSED);
  EXPECT_EQ(attendance["mkt"], v1::ATTENDANCE_UNSPECIFIED);

  // Minutes by the minute taker; a file's lines are kept verbatim.
  r = Ctl({"minutes", "add", id, "--speaker", "gm", "--text", "East is 18 % below plan"},
          Role::kCommitteeMember, "mkt");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("#1 note"));
  const std::string text =
      "Decided:\n  1. retrain East; DROP TABLE x; --\n  2. <b>budget</b> 5,000";
  const std::string file = WriteFile("decision.txt", text);
  r = Ctl({"--json", "minutes", "add", id, "--speaker", "vp", "--text-file", file, "--decision"},
          Role::kCommitteeMember, "mkt");
  ASSERT_EQ(r.code, 0) << r;
  auto entry = FromJson<v1::MinutesEntry>(r.out);
  EXPECT_EQ(entry.sequence(), 2);
  EXPECT_EQ(entry.kind(), v1::MINUTES_ENTRY_KIND_DECISION);
  EXPECT_EQ(entry.text(), text);
  // Not the minute taker.
  r = Ctl({"minutes", "add", id, "--speaker", "gm", "--text", "x"}, Role::kCommitteeMember, "gm");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));

  r = Ctl({"minutes", "list", id}, Role::kHr, "hr");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("#2 DECISION  vp  (recorded by mkt"));
  EXPECT_THAT(r.out, HasSubstr("\n      1. retrain East; DROP TABLE x; --\n"));
  r = Ctl({"--json", "minutes", "list", id});
  ASSERT_EQ(r.code, 0) << r;
  auto minutes = FromJson<v1::ListMinutesResponse>(r.out);
  ASSERT_EQ(minutes.entries_size(), 2);
  EXPECT_EQ(minutes.entries(1).text(), text);

  r = Ctl({"meeting", "close", id});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("closed"));
  r = Ctl({"minutes", "add", id, "--speaker", "gm", "--text", "too late"}, Role::kCommitteeMember,
          "mkt");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(r.err, HasSubstr("read-only"));
  r = Ctl({"meeting", "attend", id, "--absent", "gm"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("read-only"));
  r = Ctl({"meeting", "cancel", id});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--reason"));
  r = Ctl({"meeting", "cancel", id, "--reason", "late"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("CLOSED is final"));
  r = Ctl({"meeting", "get", "mtg-nope"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  EXPECT_THAT(r.err, HasSubstr("attainctl meeting list"));
}

TEST_F(ReviewCliE2eTest, SeriesAndCancel) {
  CreateCommittee("quarterly");
  CommandResult r =
      Ctl({"--json", "meeting", "series", "--committee", "quarterly", "--cadence", "quarterly",
           "--first-period", "2025-Q2", "--count", "2", "--first-start",
           "2025-07-10T10:00:00+08:00", "--minute-taker", "mkt", "--title", "{period} 季度质询会"});
  ASSERT_EQ(r.code, 0) << r;
  auto series = FromJson<v1::ScheduleMeetingSeriesResponse>(r.out);
  ASSERT_EQ(series.meetings_size(), 2);
  EXPECT_EQ(series.meetings(0).start_time().seconds(), 1752112800);  // 2025-07-10 02:00Z
  EXPECT_EQ(series.meetings(1).start_time().seconds(), 1760061600);  // 2025-10-10 02:00Z
  EXPECT_EQ(series.meetings(1).title(), "2025-Q3 季度质询会");
  EXPECT_EQ(series.meetings(1).previous_meeting_id(), series.meetings(0).meeting_id());

  r = Ctl({"meeting", "cancel", series.meetings(0).meeting_id(), "--reason", "merged into Q3"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("cancelled"));
  EXPECT_THAT(r.out, HasSubstr("merged into Q3"));

  r = Ctl({"meeting", "series", "--committee", "quarterly", "--cadence", "weekly", "--first-period",
           "2025-Q2", "--count", "2", "--first-start", "2025-07-10 10:00", "--minute-taker",
           "mkt"});
  EXPECT_EQ(r.code, 2) << r;
  r = Ctl({"meeting", "series", "--committee", "quarterly", "--cadence", "monthly",
           "--first-period", "2025-Q2", "--count", "2", "--first-start", "next tuesday",
           "--minute-taker", "mkt"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--first-start"));
  r = Ctl({"meeting", "series", "--committee", "quarterly", "--cadence", "monthly",
           "--first-period", "2025-Q2", "--count", "2", "--first-start", "2025-07-10 10:00",
           "--minute-taker", "mkt"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("first_period"));
}

TEST_F(ReviewCliE2eTest, AddressFromTheEnvironmentAndAClearHintWhenDown) {
  CreateCommittee("env");
  CommandResult r = ::attain::testing::RunCommand(
      ATTAINCTL_BINARY, {"committee", "get", "env"},
      {{"ATTAIN_REVIEW_ADDR", review_->address()}, {"ATTAIN_TOKEN", Token(Role::kHr, "hr")}});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("业绩跟踪委员会"));

  const std::string nowhere = absl::StrCat("127.0.0.1:", ::attain::testing::FreePort());
  r = ::attain::testing::RunCommand(ATTAINCTL_BINARY,
                                    {"--review-addr", nowhere, "--timeout", "2s", "--token",
                                     Token(Role::kAdmin, "admin"), "committee", "list"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("attain-review running at " + nowhere));
}

TEST_F(ReviewCliE2eTest, DemoReviewIsRepeatable) {
  const std::vector<std::string> demo = {"--review-addr", review_->address(),
                                         "--token",       Token(Role::kAdmin, "admin", "demo"),
                                         "--json",        "demo",
                                         "review"};
  CommandResult first = ::attain::testing::RunCommand(ATTAINCTL_BINARY, demo);
  ASSERT_EQ(first.code, 0) << first;
  CommandResult again = ::attain::testing::RunCommand(ATTAINCTL_BINARY, demo);
  ASSERT_EQ(again.code, 0) << again;
  const auto a = nlohmann::json::parse(first.out);
  const auto b = nlohmann::json::parse(again.out);
  EXPECT_EQ(a["meeting_id"], b["meeting_id"]);
  CommandResult listed = ::attain::testing::RunCommand(
      ATTAINCTL_BINARY, {"--review-addr", review_->address(), "--token",
                         Token(Role::kDirector, "dir", "demo"), "--json", "meeting", "list"});
  ASSERT_EQ(listed.code, 0) << listed;
  auto meetings = FromJson<v1::ListMeetingsResponse>(listed.out);
  ASSERT_EQ(meetings.meetings_size(), 1);
  EXPECT_EQ(meetings.meetings(0).committee_id(), "perf");
  EXPECT_EQ(meetings.meetings(0).minute_taker_id(), "mkt-lead");
  EXPECT_THAT(meetings.meetings(0).title(), Not(HasSubstr("{period}")));
}

}  // namespace
}  // namespace attain::review
