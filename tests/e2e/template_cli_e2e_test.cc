// End-to-end tests of `attainctl template …`, `leaderboard …` and `scorecard`
// against the real attain-eval
// (with attain-target, attain-ingest, PostgreSQL and Redis of the ingest
// stack): what an operator types, what the service then holds (read back over
// the CLI's --json output), and the exit status and messages they see.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "attain/eval/v1/leaderboard_service.pb.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "attain/eval/v1/template_service.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/leaderboard.h"
#include "google/protobuf/util/json_util.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/run_command.h"

namespace attain::eval {
namespace {

namespace ev1 = ::attain::eval::v1;
using ::attain::testing::CommandResult;
using ::attain::testing::IngestStack;
using ::testing::HasSubstr;

constexpr char kJwtKey[] = "template-cli-e2e-test-signing-key-0123456789";
constexpr char kTenant[] = "acme";

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  if (!status.ok()) ADD_FAILURE() << "not a " << m.GetTypeName() << " in JSON:\n" << json;
  return m;
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

class TemplateCliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<IngestStack>> stack = IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "template_cli_e2e", kJwtKey},
        ATTAIN_EVAL_BINARY);
    if (!stack.ok()) {
      start_error_ = new std::string(stack.status().ToString());
      return;
    }
    stack_ = stack->release();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(stack_, nullptr) << "the stack did not start: "
                               << (start_error_ ? *start_error_ : "?");
  }

  // attainctl --eval-addr <attain-eval> --token <role of acme> args…
  CommandResult Ctl(const std::vector<std::string>& args, Role role = Role::kAdmin) const {
    std::vector<std::string> all = {"--eval-addr", stack_->eval().address(), "--token",
                                    stack_->Token(kTenant, role, "operator")};
    all.insert(all.end(), args.begin(), args.end());
    return ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(60));
  }

  std::string WriteFile(const std::string& name, const std::string& text) const {
    const std::string path =
        absl::StrCat(::testing::TempDir(), "/", name, "-", ::getpid(), ".json");
    std::ofstream(path) << text;
    return path;
  }

  // The seed 002 preset's template, from `template presets --json`.
  ev1::ScorecardTemplate Seed002() const {
    CommandResult r = Ctl({"--json", "template", "presets"});
    EXPECT_EQ(r.code, 0) << r;
    auto presets = FromJson<ev1::ListPresetsResponse>(r.out);
    EXPECT_EQ(presets.presets_size(), 2) << r.out;
    for (const ev1::Preset& p : presets.presets()) {
      if (p.template_().dimensions_size() == 4) return p.template_();
    }
    ADD_FAILURE() << "no four-dimension preset in:\n" << r.out;
    return {};
  }

  static IngestStack* stack_;
  static std::string* start_error_;
};

IngestStack* TemplateCliE2eTest::stack_ = nullptr;
std::string* TemplateCliE2eTest::start_error_ = nullptr;

TEST_F(TemplateCliE2eTest, PresetsListTheTwoSeedTemplates) {
  CommandResult r = Ctl({"template", "presets"});
  ASSERT_EQ(r.code, 0) << r;
  // Seed 002's four dimensions 40/30/20/10 and seed 001's 70 + 30, as a table.
  EXPECT_THAT(r.out, HasSubstr("achievement 40 / customer_quality 30 / process 20 / "
                               "collaboration 10"));
  EXPECT_THAT(r.out, HasSubstr("quantitative 70 / qualitative 30"));
}

TEST_F(TemplateCliE2eTest, ImportGetUpdateAndList) {
  const ev1::ScorecardTemplate seed = Seed002();
  ASSERT_EQ(seed.dimensions_size(), 4);
  const std::string file = WriteFile("seed002", ToJson(seed));

  CommandResult created = Ctl({"--json", "template", "import", file, "--id", "kam-2025"});
  ASSERT_EQ(created.code, 0) << created;
  auto t = FromJson<ev1::ScorecardTemplate>(created.out);
  EXPECT_EQ(t.template_id(), "kam-2025");
  EXPECT_EQ(t.version(), 1);

  CommandResult got = Ctl({"--json", "template", "get", "kam-2025"});
  ASSERT_EQ(got.code, 0) << got;
  t = FromJson<ev1::ScorecardTemplate>(got.out);
  ASSERT_EQ(t.dimensions_size(), 4);
  EXPECT_EQ(t.dimensions(0).weight(), 4000);  // hundredths of a point
  EXPECT_EQ(t.dimensions(1).weight(), 3000);
  EXPECT_EQ(t.dimensions(2).weight(), 2000);
  EXPECT_EQ(t.dimensions(3).weight(), 1000);

  // A new version with another name; a stale expected version is refused.
  ev1::ScorecardTemplate renamed = seed;
  renamed.set_name("KAM 2025 H2");
  const std::string file2 = WriteFile("seed002-h2", ToJson(renamed));
  CommandResult updated =
      Ctl({"--json", "template", "import", file2, "--id", "kam-2025", "--expected-version", "1"});
  ASSERT_EQ(updated.code, 0) << updated;
  EXPECT_EQ(FromJson<ev1::ScorecardTemplate>(updated.out).version(), 2);
  CommandResult stale =
      Ctl({"template", "import", file2, "--id", "kam-2025", "--expected-version", "1"});
  EXPECT_EQ(stale.code, 1) << stale;
  EXPECT_THAT(stale.err, HasSubstr("version 2"));

  CommandResult v1 = Ctl({"--json", "template", "get", "kam-2025", "--version", "1"});
  ASSERT_EQ(v1.code, 0) << v1;
  EXPECT_EQ(FromJson<ev1::ScorecardTemplate>(v1.out).name(), seed.name());

  CommandResult list = Ctl({"template", "list"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr("kam-2025"));
  EXPECT_THAT(list.out, HasSubstr("KAM 2025 H2"));
}

TEST_F(TemplateCliE2eTest, AnInvalidTemplateIsRefusedWithItsReasons) {
  ev1::ScorecardTemplate bad = Seed002();
  ASSERT_EQ(bad.dimensions_size(), 4);
  // 40/30/20/10 → 45/30/20/10: the weights no longer sum to 100 points, and
  // the first dimension's weight no longer equals its indicators' points.
  bad.mutable_dimensions(0)->set_weight(4500);
  const std::string file = WriteFile("bad", ToJson(bad));
  CommandResult r = Ctl({"template", "import", file, "--id", "bad"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("template.dimensions[0]"));
  EXPECT_THAT(r.err, HasSubstr("100"));
  // Nothing was created.
  EXPECT_EQ(Ctl({"template", "get", "bad"}).code, 1);
}

TEST_F(TemplateCliE2eTest, OnlyAdminsAndDirectorsImport) {
  const std::string file = WriteFile("by-rep", ToJson(Seed002()));
  CommandResult r = Ctl({"template", "import", file, "--id", "by-rep"}, Role::kHr);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Ctl({"template", "import", file, "--id", "by-director"}, Role::kDirector).code, 0);
}

// Leaderboards: r1 700.00, r2 500.00, r3 500.00 in 2025-02 (r2/r3 tie: Redis
// order, rep id descending, puts r3 first).
class LeaderboardCliE2eTest : public TemplateCliE2eTest {
 protected:
  static constexpr char kBoardTenant[] = "boards";

  void SetUp() override {
    TemplateCliE2eTest::SetUp();
    if (seeded_) return;
    seeded_ = true;
    const std::string admin = stack_->Token(kBoardTenant, Role::kAdmin, "setup");
    auto org = target::v1::OrgService::NewStub(stack_->target().NewChannel());
    namespace tv1 = ::attain::target::v1;
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "east", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    for (const char* rep : {"r1", "r2", "r3"}) {
      ASSERT_TRUE(testing::CreateRep(*org, admin, rep, "t1").ok());
    }
    auto ingest = ingest::v1::IngestService::NewStub(stack_->ingest().NewChannel());
    ingest::v1::IngestBatchRequest req;
    *req.add_events() = testing::OrderEvent("o1", 1, "r1", 70000, "2025-02-03");
    *req.add_events() = testing::OrderEvent("o2", 1, "r2", 50000, "2025-02-04");
    *req.add_events() = testing::OrderEvent("o3", 1, "r3", 50000, "2025-02-05");
    grpc::ClientContext ctx;
    testing::Authorize(ctx, stack_->Token(kBoardTenant, Role::kCrmIngest, "crm"));
    ingest::v1::IngestBatchResponse resp;
    ASSERT_TRUE(ingest->IngestBatch(&ctx, req, &resp).ok());
    const std::string key = BoardKey(kBoardTenant, "2025-02", BoardMetric::kSales, "company");
    // The batch may commit on two lanes (two outbox rows): wait for each rep.
    ASSERT_EQ(stack_->WaitForScore(key, "r1", 70000), 70000);
    ASSERT_EQ(stack_->WaitForScore(key, "r2", 50000), 50000);
    ASSERT_EQ(stack_->WaitForScore(key, "r3", 50000), 50000);
  }

  CommandResult Board(const std::vector<std::string>& args, Role role = Role::kDirector,
                      const std::string& subject = "dir") const {
    std::vector<std::string> all = {"--eval-addr", stack_->eval().address(), "--token",
                                    stack_->Token(kBoardTenant, role, subject)};
    all.insert(all.end(), args.begin(), args.end());
    return ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(60));
  }

  // The rep's base sales target for 2025-02 (challenge 120 % of it), in minor units.
  void SetSalesTarget(const std::string& rep, int64_t base) const {
    auto targets = target::v1::TargetService::NewStub(stack_->target().NewChannel());
    target::v1::SetTargetRequest req;
    req.set_request_id(absl::StrCat("t-", rep, "-feb-", base));
    target::v1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(::attain::type::v1::SCOPE_KIND_REP);
    t->mutable_scope()->set_id(rep);
    t->set_period("2025-02");
    t->set_metric(::attain::type::v1::METRIC_SALES_AMOUNT);
    t->set_base_value(base);
    t->set_challenge_value(base * 6 / 5);
    t->set_currency_code("CNY");
    grpc::ClientContext ctx;
    testing::Authorize(ctx, stack_->Token(kBoardTenant, Role::kAdmin, "setup"));
    target::v1::SetTargetResponse resp;
    grpc::Status st = targets->SetTarget(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // One linear sales indicator worth 100 points (no bonus above 100 %).
  std::string SmallTemplateFile() const {
    return WriteFile("small", R"({
    "name": "sales only",
    "dimensions": [{"id": "achievement", "name": "achievement", "weight": "10000",
      "indicators": [{"id": "sales", "name": "sales attainment",
        "metric": "METRIC_SALES_AMOUNT", "target_source": "TARGET_SOURCE_BASE",
        "points": "10000", "linear": {"cap_bp": "10000"}}]}],
    "grades": [{"name": "needs improvement"}, {"name": "qualified", "min_points": "6000"}]
  })");
  }

  static bool seeded_;
};
bool LeaderboardCliE2eTest::seeded_ = false;

TEST_F(LeaderboardCliE2eTest, ShowPrintsTheBoard) {
  CommandResult json = Board({"--json", "leaderboard", "show", "--period", "2025-02"});
  ASSERT_EQ(json.code, 0) << json;
  auto board = FromJson<ev1::GetLeaderboardResponse>(json.out);
  ASSERT_EQ(board.rows_size(), 3) << json.out;
  EXPECT_EQ(board.rows(0).rep_id(), "r1");
  EXPECT_EQ(board.rows(0).value(), 70000);
  EXPECT_EQ(board.rows(1).rep_id(), "r3");
  EXPECT_EQ(board.rows(2).rep_id(), "r2");
  EXPECT_EQ(board.rows(2).rank(), 3);

  CommandResult table = Board({"leaderboard", "show", "--period", "2025-02", "--top", "2"});
  ASSERT_EQ(table.code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("700.00"));
  EXPECT_THAT(table.out, HasSubstr("r3"));
  EXPECT_THAT(table.out, ::testing::Not(HasSubstr("r2")));

  CommandResult bad = Board({"leaderboard", "show", "--period", "2025-02", "--scope", "floor:3"});
  EXPECT_EQ(bad.code, 2) << bad;
  EXPECT_THAT(bad.err, HasSubstr("region:ID"));
}

TEST_F(LeaderboardCliE2eTest, RankShowsNeighboursAndTheGap) {
  CommandResult r =
      Board({"--json", "leaderboard", "rank", "r3", "--period", "2025-02", "--neighbours", "1"});
  ASSERT_EQ(r.code, 0) << r;
  auto rank = FromJson<ev1::GetRankResponse>(r.out);
  EXPECT_EQ(rank.row().rank(), 2);
  ASSERT_EQ(rank.above_size(), 1);
  EXPECT_EQ(rank.above(0).rep_id(), "r1");
  ASSERT_EQ(rank.below_size(), 1);
  EXPECT_EQ(rank.below(0).rep_id(), "r2");
  EXPECT_EQ(rank.gap_to_next(), 20000);  // 700.00 − 500.00
}

TEST_F(LeaderboardCliE2eTest, WatchPrintsTheBoardThenChanges) {
  // Two boards: the first as it is; an order ingested meanwhile brings the
  // second.
  std::thread later([&] {
    absl::SleepFor(absl::Milliseconds(1500));
    auto ingest = ingest::v1::IngestService::NewStub(stack_->ingest().NewChannel());
    ingest::v1::IngestBatchRequest req;
    *req.add_events() = testing::OrderEvent("o4", 1, "r2", 90000, "2025-02-06");
    grpc::ClientContext ctx;
    testing::Authorize(ctx, stack_->Token(kBoardTenant, Role::kCrmIngest, "crm"));
    ingest::v1::IngestBatchResponse resp;
    EXPECT_TRUE(ingest->IngestBatch(&ctx, req, &resp).ok());
  });
  std::vector<std::string> all = {"--eval-addr", stack_->eval().address(), "--token",
                                  stack_->Token(kBoardTenant, Role::kDirector, "dir")};
  for (const char* arg :
       {"--json", "leaderboard", "show", "--period", "2025-02", "--watch", "--updates", "2"}) {
    all.push_back(arg);
  }
  CommandResult r = ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(30));
  later.join();
  EXPECT_EQ(r.code, 0) << r;
  // The first board has r1 on top; a later one has r2 with 1,400.00.
  EXPECT_THAT(r.out, HasSubstr("\"rep_id\": \"r1\""));
  EXPECT_THAT(r.out, HasSubstr("\"value\": \"140000\""));
}

// r1 sold 700.00 in 2025-02 against a base target of 1,000.00: with one
// linear indicator worth 100 points, attainment 70.00 % earns 70.00 points,
// grade "qualified" (from 60).
TEST_F(LeaderboardCliE2eTest, ScorecardPrintsTheCard) {
  SetSalesTarget("r1", 100000);
  const std::string small = SmallTemplateFile();
  CommandResult created = Board({"template", "import", small, "--id", "small"});
  ASSERT_EQ(created.code, 0) << created;

  CommandResult json =
      Board({"--json", "scorecard", "rep:r1", "--period", "2025-02", "--template", "small"});
  ASSERT_EQ(json.code, 0) << json;
  auto card = FromJson<ev1::Scorecard>(json.out);
  EXPECT_EQ(card.total_points(), 7000);
  EXPECT_EQ(card.grade(), "qualified");
  ASSERT_EQ(card.dimensions_size(), 1);
  ASSERT_EQ(card.dimensions(0).indicators_size(), 1);
  const ev1::IndicatorRow& sales = card.dimensions(0).indicators(0);
  EXPECT_EQ(sales.target(), 100000);
  EXPECT_EQ(sales.actual(), 70000);
  EXPECT_EQ(sales.gap(), -30000);
  EXPECT_EQ(sales.attainment_bp(), 7000);
  EXPECT_EQ(sales.points(), 7000);

  CommandResult text = Board({"scorecard", "rep:r1", "--period", "2025-02", "--template", "small"});
  ASSERT_EQ(text.code, 0) << text;
  EXPECT_THAT(text.out, HasSubstr("70.00 points"));
  EXPECT_THAT(text.out, HasSubstr("qualified"));
  EXPECT_THAT(text.out, HasSubstr("1,000.00"));
  EXPECT_THAT(text.out, HasSubstr("70.00 %"));

  CommandResult bad = Board({"scorecard", "r1", "--period", "2025-02"});
  EXPECT_EQ(bad.code, 2) << bad;
  EXPECT_THAT(bad.err, HasSubstr("rep:ID"));
}

// Team t1 in 2025-02 against base targets r1 1,000.00, r2 500.00, r3
// 1,000.00, one linear sales indicator (100 points, capped at 100 %): r2 sold
// at least 500.00 → 100.00 points; r1 700.00 → 70.00; r3 500.00 → 50.00.
TEST_F(LeaderboardCliE2eTest, EvaluationRunFinaliseAppealDecide) {
  SetSalesTarget("r1", 100000);
  SetSalesTarget("r2", 50000);
  SetSalesTarget("r3", 100000);
  ASSERT_EQ(Board({"template", "import", SmallTemplateFile(), "--id", "eval-small"}).code, 0);

  CommandResult run = Board(
      {"--json", "evaluation", "run", "t1", "--period", "2025-02", "--template", "eval-small"});
  ASSERT_EQ(run.code, 0) << run;
  auto e = FromJson<ev1::Evaluation>(run.out);
  EXPECT_EQ(e.state(), ev1::EVALUATION_STATE_DRAFT);
  ASSERT_EQ(e.rows_size(), 3) << run.out;
  EXPECT_EQ(e.rows(0).subject().id(), "r2");
  EXPECT_EQ(e.rows(0).total_points(), 10000);
  EXPECT_EQ(e.rows(0).rank(), 1);
  EXPECT_EQ(e.rows(1).subject().id(), "r1");
  EXPECT_EQ(e.rows(1).total_points(), 7000);
  EXPECT_EQ(e.rows(2).subject().id(), "r3");
  EXPECT_EQ(e.rows(2).total_points(), 5000);
  EXPECT_EQ(e.rows(2).grade(), "needs improvement");
  const std::string id = e.evaluation_id();

  CommandResult table = Board({"evaluation", "get", id});
  ASSERT_EQ(table.code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("draft"));
  EXPECT_THAT(table.out, HasSubstr("100.00"));

  ASSERT_EQ(Board({"evaluation", "finalise", id}).code, 0);
  CommandResult again = Board({"evaluation", "finalise", id});
  EXPECT_EQ(again.code, 1) << again;
  EXPECT_THAT(again.err, HasSubstr("FAILED_PRECONDITION"));

  CommandResult list = Board({"evaluation", "list", "--unit", "t1"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr(id));
  EXPECT_THAT(list.out, HasSubstr("final"));

  CommandResult appeal = Board(
      {"--json", "evaluation", "appeal", id, "--reason", "a 300.00 order of 2025-02-27 is missing"},
      Role::kRep, "r3");
  ASSERT_EQ(appeal.code, 0) << appeal;
  auto a = FromJson<ev1::Appeal>(appeal.out);
  EXPECT_EQ(a.state(), ev1::APPEAL_STATE_OPEN);
  EXPECT_EQ(a.rep_id(), "r3");

  CommandResult usage = Board({"evaluation", "decide", a.appeal_id(), "--reason", "x"});
  EXPECT_EQ(usage.code, 2) << usage;
  CommandResult decided = Board({"--json", "evaluation", "decide", a.appeal_id(), "--reject",
                                 "--reason", "the order was signed in March"});
  ASSERT_EQ(decided.code, 0) << decided;
  a = FromJson<ev1::Appeal>(decided.out);
  EXPECT_EQ(a.state(), ev1::APPEAL_STATE_REJECTED);
  EXPECT_EQ(a.decision_reason(), "the order was signed in March");
}

// `evaluation discard`: the same team and targets as above under its own
// template copy (r2 100.00, r1 70.00, r3 50.00 points). A draft is discarded
// with a reason (kept, listed only with --discarded); a final one is refused.
TEST_F(LeaderboardCliE2eTest, EvaluationDiscard) {
  SetSalesTarget("r1", 100000);
  SetSalesTarget("r2", 50000);
  SetSalesTarget("r3", 100000);
  ASSERT_EQ(Board({"template", "import", SmallTemplateFile(), "--id", "discard-small"}).code, 0);
  auto run = [&]() {
    CommandResult r = Board({"--json", "evaluation", "run", "t1", "--period", "2025-02",
                             "--template", "discard-small"});
    EXPECT_EQ(r.code, 0) << r;
    return FromJson<ev1::Evaluation>(r.out);
  };
  const ev1::Evaluation draft = run();
  ASSERT_EQ(draft.rows_size(), 3);
  EXPECT_EQ(draft.rows(0).total_points(), 10000);
  const std::string id = draft.evaluation_id();

  CommandResult usage = Board({"evaluation", "discard", id});
  EXPECT_EQ(usage.code, 2) << usage;
  EXPECT_THAT(usage.err, HasSubstr("--reason"));
  CommandResult by_hr =
      Board({"evaluation", "discard", id, "--reason", "not mine"}, Role::kHr, "hr1");
  EXPECT_EQ(by_hr.code, 1) << by_hr;
  EXPECT_THAT(by_hr.err, HasSubstr("PERMISSION_DENIED"));

  CommandResult discarded =
      Board({"--json", "evaluation", "discard", id, "--reason",
             "the February targets were not final", "--request-id", "cli-discard-1"});
  ASSERT_EQ(discarded.code, 0) << discarded;
  auto e = FromJson<ev1::Evaluation>(discarded.out);
  EXPECT_EQ(e.evaluation_id(), id);
  EXPECT_EQ(e.state(), ev1::EVALUATION_STATE_DISCARDED);
  EXPECT_EQ(e.discard_reason(), "the February targets were not final");
  EXPECT_EQ(e.discarded_by(), "dir");
  // The same --request-id again: the same answer.
  CommandResult replay =
      Board({"--json", "evaluation", "discard", id, "--reason",
             "the February targets were not final", "--request-id", "cli-discard-1"});
  ASSERT_EQ(replay.code, 0) << replay;
  EXPECT_EQ(replay.out, discarded.out);

  CommandResult text = Board({"evaluation", "get", id});
  ASSERT_EQ(text.code, 0) << text;
  EXPECT_THAT(text.out, HasSubstr("discarded"));
  EXPECT_THAT(text.out, HasSubstr("the February targets were not final"));
  EXPECT_THAT(text.out, HasSubstr("100.00"));  // its rows are kept
  CommandResult list = Board({"evaluation", "list", "--unit", "t1"});
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr(id)));
  CommandResult all = Board({"evaluation", "list", "--unit", "t1", "--discarded"});
  ASSERT_EQ(all.code, 0) << all;
  EXPECT_THAT(all.out, HasSubstr(id));
  EXPECT_THAT(all.out, HasSubstr("discarded"));

  const ev1::Evaluation other = run();
  ASSERT_EQ(Board({"evaluation", "finalise", other.evaluation_id()}).code, 0);
  CommandResult final_refused =
      Board({"evaluation", "discard", other.evaluation_id(), "--reason", "too late"});
  EXPECT_EQ(final_refused.code, 1) << final_refused;
  EXPECT_THAT(final_refused.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(final_refused.err, HasSubstr("RestateEvaluation"));
}

// `--allow-rollups`: with Redis down, `leaderboard show` and `rank` answer
// from ingest's rollups (the title says so) with the same rows as the live
// board; without the flag they fail and say how to get the board anyway.
// Redis comes back at the end (the relay rebuilds the boards), for any test
// that runs later.
TEST_F(LeaderboardCliE2eTest, ShowAndRankFallBackToTheRollupsWithAllowRollups) {
  auto content = [](auto message) {
    message.clear_read_time();
    message.clear_source();
    return message.DebugString();
  };
  CommandResult live_show = Board({"--json", "leaderboard", "show", "--period", "2025-02"});
  ASSERT_EQ(live_show.code, 0) << live_show;
  const auto live_board = FromJson<ev1::GetLeaderboardResponse>(live_show.out);
  EXPECT_EQ(live_board.source(), ev1::BOARD_SOURCE_LIVE);
  CommandResult live_rank =
      Board({"--json", "leaderboard", "rank", "r3", "--period", "2025-02", "--neighbours", "1"});
  ASSERT_EQ(live_rank.code, 0) << live_rank;
  const auto live_place = FromJson<ev1::GetRankResponse>(live_rank.out);
  CommandResult live_table =
      Board({"leaderboard", "show", "--period", "2025-02", "--allow-rollups"});
  ASSERT_EQ(live_table.code, 0) << live_table;
  EXPECT_THAT(live_table.out, HasSubstr("· live"));

  stack_->redis().Stop();
  CommandResult refused = Board({"leaderboard", "show", "--period", "2025-02"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(refused.err, HasSubstr("--allow-rollups"));

  CommandResult table = Board({"leaderboard", "show", "--period", "2025-02", "--allow-rollups"});
  EXPECT_EQ(table.code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("from the rollups"));
  EXPECT_THAT(table.out, HasSubstr("700.00"));
  CommandResult json =
      Board({"--json", "leaderboard", "show", "--period", "2025-02", "--allow-rollups"});
  EXPECT_EQ(json.code, 0) << json;
  const auto board = FromJson<ev1::GetLeaderboardResponse>(json.out);
  EXPECT_EQ(board.source(), ev1::BOARD_SOURCE_ROLLUPS);
  EXPECT_EQ(content(board), content(live_board));

  CommandResult rank_table = Board(
      {"leaderboard", "rank", "r3", "--period", "2025-02", "--neighbours", "1", "--allow-rollups"});
  EXPECT_EQ(rank_table.code, 0) << rank_table;
  EXPECT_THAT(rank_table.out, HasSubstr("from the rollups"));
  EXPECT_THAT(rank_table.out, HasSubstr("gap to the next place"));
  CommandResult rank_json = Board({"--json", "leaderboard", "rank", "r3", "--period", "2025-02",
                                   "--neighbours", "1", "--allow-rollups"});
  EXPECT_EQ(rank_json.code, 0) << rank_json;
  const auto place = FromJson<ev1::GetRankResponse>(rank_json.out);
  EXPECT_EQ(place.source(), ev1::BOARD_SOURCE_ROLLUPS);
  EXPECT_EQ(content(place), content(live_place));

  CommandResult watch =
      Board({"leaderboard", "show", "--period", "2025-02", "--watch", "--allow-rollups"});
  EXPECT_EQ(watch.code, 2) << watch;
  EXPECT_THAT(watch.err, HasSubstr("--allow-rollups"));

  stack_->redis().Start();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  ev1::GetLeaderboardResponse back;
  do {
    CommandResult r = Board({"--json", "leaderboard", "show", "--period", "2025-02"});
    if (r.code == 0) back = FromJson<ev1::GetLeaderboardResponse>(r.out);
    if (r.code == 0 && content(back) == content(live_board)) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  EXPECT_EQ(back.source(), ev1::BOARD_SOURCE_LIVE);
  EXPECT_EQ(content(back), content(live_board));
}

// `attainctl scorecard` and `evaluation get` show a special contribution
// (an order above 5 × the median of the rep's orders of the 90 days before):
// the flag and the order. Tenant "specials", team t1: s1 sold 800.00 on
// 01-10, 1,000.00 on 01-24, 1,500.00 on 02-07, then 6,000.00 on 03-10:
// median of the three 1,000.00, 6,000.00 > 5,000.00 → special, 6.00x. s2's
// one order has no history: never special.
TEST_F(TemplateCliE2eTest, SpecialContributionsAreShown) {
  constexpr char kSpecials[] = "specials";
  const std::string admin = stack_->Token(kSpecials, Role::kAdmin, "setup");
  auto org = target::v1::OrgService::NewStub(stack_->target().NewChannel());
  namespace tv1 = ::attain::target::v1;
  ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
  ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
  ASSERT_TRUE(testing::CreateRep(*org, admin, "s1", "t1").ok());
  ASSERT_TRUE(testing::CreateRep(*org, admin, "s2", "t1").ok());
  auto ingest = ingest::v1::IngestService::NewStub(stack_->ingest().NewChannel());
  ingest::v1::IngestBatchRequest req;
  *req.add_events() = testing::OrderEvent("h1", 1, "s1", 80000, "2025-01-10");
  *req.add_events() = testing::OrderEvent("h2", 1, "s1", 100000, "2025-01-24");
  *req.add_events() = testing::OrderEvent("h3", 1, "s1", 150000, "2025-02-07");
  *req.add_events() = testing::OrderEvent("big", 1, "s1", 600000, "2025-03-10");
  *req.add_events() = testing::OrderEvent("first", 1, "s2", 900000, "2025-03-05");
  grpc::ClientContext ctx;
  testing::Authorize(ctx, stack_->Token(kSpecials, Role::kCrmIngest, "crm"));
  ingest::v1::IngestBatchResponse resp;
  ASSERT_TRUE(ingest->IngestBatch(&ctx, req, &resp).ok());
  for (const auto& o : resp.outcomes()) {
    ASSERT_EQ(o.outcome(), ingest::v1::OUTCOME_ACCEPTED) << o.reason();
  }
  auto ctl = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--eval-addr", stack_->eval().address(), "--token",
                                    stack_->Token(kSpecials, Role::kDirector, "dir")};
    all.insert(all.end(), args.begin(), args.end());
    return ::attain::testing::RunCommand(ATTAINCTL_BINARY, all, {}, absl::Seconds(60));
  };
  const std::string tmpl = WriteFile("specials", R"({
    "name": "sales only",
    "dimensions": [{"id": "achievement", "name": "achievement", "weight": "10000",
      "indicators": [{"id": "sales", "name": "sales attainment",
        "metric": "METRIC_SALES_AMOUNT", "target_source": "TARGET_SOURCE_BASE",
        "points": "10000", "linear": {"cap_bp": "10000"}}]}],
    "grades": [{"name": "needs improvement"}, {"name": "qualified", "min_points": "6000"}]
  })");
  CommandResult created = ctl({"template", "import", tmpl, "--id", "small"});
  ASSERT_EQ(created.code, 0) << created;

  CommandResult card = ctl({"scorecard", "rep:s1", "--period", "2025-03", "--template", "small"});
  ASSERT_EQ(card.code, 0) << card;
  EXPECT_THAT(card.out, HasSubstr("special_contribution"));
  EXPECT_THAT(card.out, HasSubstr("special contributions"));
  EXPECT_THAT(card.out, HasSubstr("big"));
  EXPECT_THAT(card.out, HasSubstr("cust-big"));
  EXPECT_THAT(card.out, HasSubstr("2025-03-10"));
  EXPECT_THAT(card.out, HasSubstr("6,000.00"));  // the order
  EXPECT_THAT(card.out, HasSubstr("1,000.00"));  // the median
  EXPECT_THAT(card.out, HasSubstr("6.00x"));
  CommandResult plain = ctl({"scorecard", "rep:s2", "--period", "2025-03", "--template", "small"});
  ASSERT_EQ(plain.code, 0) << plain;
  EXPECT_THAT(plain.out, ::testing::Not(HasSubstr("special")));

  CommandResult run =
      ctl({"--json", "evaluation", "run", "t1", "--period", "2025-03", "--template", "small"});
  ASSERT_EQ(run.code, 0) << run;
  const auto e = FromJson<ev1::Evaluation>(run.out);
  CommandResult table = ctl({"evaluation", "get", e.evaluation_id()});
  ASSERT_EQ(table.code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("special_contribution"));
  EXPECT_THAT(table.out, HasSubstr("special contributions"));
  EXPECT_THAT(table.out, HasSubstr("cust-big"));
  EXPECT_THAT(table.out, HasSubstr("6,000.00"));
  EXPECT_THAT(table.out, HasSubstr("6.00x"));
  EXPECT_THAT(table.out, ::testing::Not(HasSubstr("first")));
}

}  // namespace
}  // namespace attain::eval
