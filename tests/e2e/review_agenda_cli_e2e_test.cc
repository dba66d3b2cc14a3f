// End-to-end tests of `attainctl agenda …`, `report …` and `meeting pack`
// against the real attain-review, attain-eval, attain-target and
// attain-ingest (support/ingest_stack.h), attain-review's clock pinned at
// 2025-05-11 10:00 (Asia/Shanghai).
//
// Tenant "acme" (as in review_agenda_e2e_test.cc): co (company) → t1 {r1,
// r2, r3}, t2 {r4}; template "sales100" on co; 2025-Q2 targets 10,000.00 per
// rep, orders r1 12,000.00, r2 8,000.00, r3 5,000.00, r4 9,500.00; the
// evaluation of co for 2025-Q2 is FINAL. Deviation order: r3, r1, r2, r4.
// Committee "perf" (unit co) meets once for 2025-Q2, 60 minutes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "attain/review/v1/meeting_service.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"
#include "tests/support/run_command.h"

namespace attain::review {
namespace {

namespace ev1 = ::attain::eval::v1;
using ::attain::testing::CommandResult;
using ::attain::testing::ServiceProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "e2e-review-agenda-cli-signing-key-0123456789";
constexpr char kTenant[] = "acme";
constexpr char kNow[] = "2025-05-11T02:00:00Z";  // 10:00 on 2025-05-11 in Asia/Shanghai

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  if (!status.ok()) ADD_FAILURE() << "not a " << m.GetTypeName() << " in JSON:\n" << json;
  return m;
}

class ReviewAgendaCliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "review_agenda_cli_e2e", kKey},
        ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    absl::StatusOr<std::unique_ptr<ServiceProcess>> review =
        testing::StartReview(*stack_, ATTAIN_REVIEW_BINARY, kKey, kNow);
    ASSERT_TRUE(review.ok()) << review.status();
    review_ = review->release();
    SeedEvaluation();
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(review_, nullptr);
    ASSERT_TRUE(seeded_) << "seeding failed; see the first failure";
  }

  static std::string Token(Role role, const std::string& subject) {
    return stack_->Token(kTenant, role, subject);
  }

  // attainctl --review-addr <attain-review> --token <admin of acme> args…
  static std::vector<std::string> CtlArgs(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--review-addr", review_->address(), "--token",
                                    Token(Role::kAdmin, "admin")};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }
  static CommandResult Ctl(const std::vector<std::string>& args) {
    return testing::RunCommand(ATTAINCTL_BINARY, CtlArgs(args), {}, absl::Seconds(60));
  }

  // The same as a shell would run it with stdout sent to `path`.
  static CommandResult CtlTo(const std::vector<std::string>& args, const std::string& path) {
    std::string line = ATTAINCTL_BINARY;
    for (const std::string& a : CtlArgs(args)) absl::StrAppend(&line, " '", a, "'");
    absl::StrAppend(&line, " > '", path, "'");
    return testing::RunCommand("/bin/sh", {"-c", line}, {}, absl::Seconds(60));
  }

  static void SeedEvaluation() {
    const absl::Status seeded =
        testing::SeedReviewData(*stack_, kTenant, testing::ReviewData::TwoTeams());
    ASSERT_TRUE(seeded.ok()) << seeded;
    absl::StatusOr<ev1::Evaluation> evaluation =
        testing::RunAndFinalizeEvaluation(*stack_, kTenant, "co", "2025-Q2", "co-q2");
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    ASSERT_EQ(evaluation->state(), ev1::EVALUATION_STATE_FINAL);
    seeded_ = true;
  }

  // Committee `id` (unit co) and its 60-minute meeting reviewing 2025-Q2;
  // returns the meeting's id.
  static std::string ScheduleMeeting(const std::string& id) {
    CommandResult r =
        Ctl({"committee", "create", id, "--name", "业绩跟踪委员会", "--unit", "co", "--member",
             "gm:chair:management:王总 Wang", "--member", "vp:secretary_general:sales:李总 Li",
             "--member", "mk:member:marketing:赵敏 Zhao", "--member", "fin:member:finance:钱进"});
    EXPECT_EQ(r.code, 0) << r;
    r = Ctl({"--json", "meeting", "schedule", "--committee", id, "--title", "Q2 review", "--period",
             "2025-Q2", "--start", "2025-07-05 09:00", "--duration", "60", "--minute-taker", "mk"});
    EXPECT_EQ(r.code, 0) << r;
    return FromJson<v1::Meeting>(r.out).meeting_id();
  }

  static testing::IngestStack* stack_;
  static ServiceProcess* review_;
  static bool seeded_;
};

testing::IngestStack* ReviewAgendaCliE2eTest::stack_ = nullptr;
ServiceProcess* ReviewAgendaCliE2eTest::review_ = nullptr;
bool ReviewAgendaCliE2eTest::seeded_ = false;

// The line of `text` mentioning `needle` ("" if none).
std::string LineWith(const std::string& text, const std::string& needle) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, needle)) return std::string(line);
  }
  return "";
}

TEST_F(ReviewAgendaCliE2eTest, AgendaGenerateGetSetMinutesMove) {
  const std::string meeting = ScheduleMeeting("perf-agenda");
  ASSERT_FALSE(meeting.empty());

  CommandResult r = Ctl({"agenda", "generate", meeting});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("60 of 60 min"));
  for (const char* header : {"START", "MIN", "KIND", "PRESENTER", "TARGET", "ACTUAL", "GAP"}) {
    EXPECT_THAT(r.out, HasSubstr(header));
  }
  // Presenters by size of deviation: r3, r1, r2, r4.
  const size_t r3 = r.out.find("rep:r3"), r1 = r.out.find("rep:r1"), r2 = r.out.find("rep:r2"),
               r4 = r.out.find("rep:r4");
  ASSERT_NE(r3, std::string::npos) << r.out;
  ASSERT_NE(r4, std::string::npos) << r.out;
  EXPECT_LT(r3, r1);
  EXPECT_LT(r1, r2);
  EXPECT_LT(r2, r4);
  EXPECT_THAT(LineWith(r.out, "rep:r3"), HasSubstr("10,000.00"));  // target
  EXPECT_THAT(LineWith(r.out, "rep:r3"), HasSubstr("-5,000.00"));  // gap
  EXPECT_THAT(LineWith(r.out, "rep:r3"), HasSubstr("50.00 %"));
  EXPECT_THAT(r.out, HasSubstr("free discussion"));

  // --json parses, and each presenter's minutes are on its text row.
  r = Ctl({"--json", "agenda", "get", meeting});
  ASSERT_EQ(r.code, 0) << r;
  const v1::Agenda agenda = FromJson<v1::Agenda>(r.out);
  ASSERT_GE(agenda.items_size(), 5);
  EXPECT_EQ(agenda.items(0).presenter().id(), "r3");
  EXPECT_EQ(agenda.total_minutes(), 60);
  CommandResult text = Ctl({"agenda", "get", meeting});
  ASSERT_EQ(text.code, 0) << text;
  for (const v1::AgendaItem& item : agenda.items()) {
    if (item.kind() != v1::AGENDA_ITEM_KIND_PRESENTATION) continue;
    EXPECT_THAT(LineWith(text.out, absl::StrCat("rep:", item.presenter().id())),
                HasSubstr(absl::StrCat("  ", item.minutes(), "  ")))
        << text.out;
  }

  // Overflow: refused with the numbers, exit 1.
  const std::string first = agenda.items(0).item_id();
  r = Ctl({"agenda", "set-minutes", meeting, first, "200"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(r.err, HasSubstr("more than the meeting's 60"));

  // Shorter is fine (the version fetched first); then a move with --version.
  r = Ctl({"--json", "agenda", "set-minutes", meeting, first, "5"});
  ASSERT_EQ(r.code, 0) << r;
  const v1::Agenda shorter = FromJson<v1::Agenda>(r.out);
  EXPECT_EQ(shorter.items(0).minutes(), 5);
  EXPECT_EQ(shorter.total_minutes(), agenda.total_minutes() - agenda.items(0).minutes() + 5);
  r = Ctl({"--json", "agenda", "move", meeting, first, "2", "--version",
           absl::StrCat(shorter.version())});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(FromJson<v1::Agenda>(r.out).items(1).item_id(), first);
  // A stale version is refused.
  r = Ctl({"agenda", "move", meeting, first, "1", "--version", absl::StrCat(shorter.version())});
  EXPECT_EQ(r.code, 1) << r;

  r = Ctl({"agenda", "generate", meeting, "--level", "team"});
  EXPECT_EQ(r.code, 2) << r;
}

TEST_F(ReviewAgendaCliE2eTest, ReportsCauseSubmitAndPack) {
  const std::string meeting = ScheduleMeeting("perf-report");
  ASSERT_FALSE(meeting.empty());
  CommandResult r = Ctl({"--json", "agenda", "generate", meeting, "--below-plan-only"});
  ASSERT_EQ(r.code, 0) << r;
  const v1::Agenda agenda = FromJson<v1::Agenda>(r.out);
  ASSERT_FALSE(agenda.items().empty());
  ASSERT_EQ(agenda.items(0).presenter().id(), "r3");
  for (const v1::AgendaItem& item : agenda.items()) EXPECT_NE(item.presenter().id(), "r1");

  r = Ctl({"report", "create", meeting, agenda.items(0).item_id()});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("draft"));
  EXPECT_THAT(r.out, HasSubstr("-5,000.00"));
  r = Ctl({"--json", "report", "list", meeting});
  ASSERT_EQ(r.code, 0) << r;
  const v1::ListReportsResponse list = FromJson<v1::ListReportsResponse>(r.out);
  ASSERT_EQ(list.reports_size(), 1);
  const std::string report = list.reports(0).report_id();
  EXPECT_EQ(list.reports(0).deviation().gap(), -500000);

  // An internal cause without a proposal and an unquantified external one.
  r = Ctl({"report", "cause", report, "--id", "c1", "--description", "two deals slipped", "--kind",
           "internal", "--impact", "-3,000.00"});
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"report", "cause", report, "--id", "c2", "--description", "a customer froze budgets",
           "--kind", "external", "--impact", "0"});
  ASSERT_EQ(r.code, 0) << r;
  r = Ctl({"report", "submit", report});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("gap(s)"));
  EXPECT_THAT(r.err, HasSubstr("  - internal cause \"c1\" has no improvement proposal"));
  EXPECT_THAT(r.err, HasSubstr("  - cause \"c2\" is not quantified"));
  EXPECT_THAT(r.err, HasSubstr("  - external cause \"c2\" has no resource request"));

  // Filled in: accepted.
  r = Ctl({"report", "cause", report, "--id", "c1", "--description", "two deals slipped", "--kind",
           "internal", "--impact", "-3,000.00", "--proposal", "weekly pipeline review", "--why",
           "late quotes", "--why", "no pricing owner"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("why 2: no pricing owner"));
  r = Ctl({"--json",
           "report",
           "cause",
           report,
           "--id",
           "c2",
           "--description",
           "a customer froze budgets",
           "--kind",
           "external",
           "--impact",
           "-2,000.00",
           "--resource",
           "key-account budget",
           "--resource-amount",
           "5,000.00",
           "--currency",
           "CNY",
           "--confirmed",
           "external",
           "--responsible-department",
           "sales",
           "--responsible-person",
           "vp",
           "--related",
           "marketing,finance"});
  ASSERT_EQ(r.code, 0) << r;
  const v1::Report put = FromJson<v1::Report>(r.out);
  ASSERT_EQ(put.causes_size(), 2);
  EXPECT_EQ(put.explained_impact(), -500000);
  EXPECT_EQ(put.causes(1).resource_request().amount(), 500000);
  EXPECT_EQ(put.causes(1).inquiry().related_departments_size(), 2);
  r = Ctl({"report", "submit", report});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("submitted"));
  r = Ctl({"--json", "report", "get", report});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(FromJson<v1::Report>(r.out).status(), v1::REPORT_STATUS_SUBMITTED);

  // The pack, redirected to a file: an HTML page with a chart and the rows.
  const std::string html = absl::StrCat(::testing::TempDir(), "/pack-", ::getpid(), ".html");
  r = CtlTo({"meeting", "pack", meeting}, html);
  ASSERT_EQ(r.code, 0) << r;
  const std::string page = testing::ReadFile(html);
  EXPECT_THAT(page, HasSubstr("<html"));
  EXPECT_THAT(page, HasSubstr("<svg"));
  EXPECT_THAT(page, HasSubstr("r3"));
  EXPECT_THAT(page, HasSubstr("r4"));
  r = Ctl({"meeting", "pack", meeting});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, page);  // exactly as received, nothing added

  r = Ctl({"meeting", "pack", meeting, "--markdown", "--trend-periods", "3"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("<html")));
  EXPECT_THAT(r.out, HasSubstr("# "));
  EXPECT_THAT(r.out, HasSubstr("|"));
  EXPECT_THAT(r.out, HasSubstr("r3"));

  r = Ctl({"--json", "meeting", "pack", meeting, "--markdown"});
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_THAT(doc.value("content_type", ""), HasSubstr("text/markdown"));

  // Regenerating is refused once a report exists.
  r = Ctl({"agenda", "generate", meeting});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("report"));
}

}  // namespace
}  // namespace attain::review
