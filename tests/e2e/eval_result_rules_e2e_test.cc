// End to end: the rules on results over consecutive quarters (DOMAIN.md §6,
// seed 003) through the real attain-target, attain-ingest and attain-eval
// binaries. A quarterly evaluation flags a rep below their base sales target
// (attainment < 100.00 %) this quarter and in the unit's FINAL evaluation of
// the quarter before with "warning", and also below in the final one of the
// quarter before that with "penalty"; the top 10 % of the quarter's ranking is
// "bonus_eligible" (evaluation_runner.h, domain/result_rules.h). Every number
// is worked out by hand below.
//
// Template "sales100": one indicator, sales against the base target, linear
// capped at 200 %, worth 100 points (10000 hundredths): a rep's total in
// hundredths equals their sales attainment in basis points. Every rep's base
// sales target is 1 000 000 (CNY minor units) in each of 2025-Q1, Q2 and Q3,
// so attainment_bp = sales / 100.
//
// Team "tq" {ra, rb, rc, rd, re}: the four-pattern team, every quarter
// finalised in order.
//
//   sales      Q1          Q2          Q3
//   ra (A)     800 000     700 000     600 000    below, below, below
//   rb (B)     900 000   1 200 000     850 000    below, above, below
//   rc (C)   1 100 000     950 000     999 900    above, below, below (99.99 %)
//   rd (D)   1 500 000   1 300 000   1 400 000    above every quarter, the best
//   re (E)   1 000 000   1 000 000   1 000 000    exactly 100.00 %: on target, never below
//
// Attainment (bp) = total (hundredths), rank (competition ranking by total):
//   Q1: rd 15000 #1, rc 11000 #2, re 10000 #3, rb 9000 #4, ra 8000 #5
//   Q2: rd 13000 #1, rb 12000 #2, re 10000 #3, rc 9500 #4, ra 7000 #5
//   Q3: rd 14000 #1, re 10000 #2, rc 9999 #3, rb 8500 #4, ra 6000 #5
// Top 10 % of 5 reps = ceil(0.5) = 1 place, and rd is alone at #1 each
// quarter: rd is bonus_eligible every quarter, nobody else.
// Quarters below target in a row, ending with the quarter evaluated (a
// quarter without a final evaluation ends the run, and 2024-Q3/Q4 have none):
//   Q1: ra 1, rb 1, others 0                → no warning or penalty
//   Q2: ra 2 (Q1, Q2) → warning; rc 1; rb 0 → ra "warning"
//   Q3: ra 3 → penalty; rc 2 (Q2, Q3) → warning; rb 1 (Q2 was above) → none;
//       re 0 (10000 is not below) → none
//
// Team "tu" {sa, sc}: a quarter that is only a draft (or discarded) is not
// history.
//
//   sales      Q1          Q2          Q3
//   sa       500 000     600 000     700 000    below every quarter
//   sc     1 200 000     900 000     800 000    above, below, below
//
//   Q1: sc 12000 #1, sa 5000 #2;  Q2: sc 9000 #1, sa 6000 #2;
//   Q3: sc 8000 #1, sa 7000 #2.   Top 10 % of 2 = 1 place: sc each quarter
//   (bonus eligibility is about rank, not target: sc is below in Q2 and Q3).
//
// Team "ts" {sp, sn}: special contributions (特殊贡献, DOMAIN.md §5): an order
// above 5 × the median of the rep's orders signed in the 90 days before its
// day (ingest's ListSpecialContributions), flagged "special_contribution" on
// the rep's card with the order listed, for any period.
//
//   sp: 01-10 80 000, 01-24 100 000, 02-07 150 000, then 03-10 600 000.
//       The frame of 03-10 is [2024-12-10, 03-09]: {80 000, 100 000,
//       150 000}, median 100 000; 600 000 > 5 × 100 000 = 500 000 → special,
//       multiple 600 000 / 100 000 = 6. The earlier ones are not: 01-24 vs
//       {80 000} (100 000 < 400 000), 02-07 vs median 90 000 (150 000 <
//       450 000).
//   sn: 01-15 100 000, 02-15 120 000, 03-12 300 000: median of {100 000,
//       120 000} = 110 000, 300 000 < 550 000 → nothing special.
//   Q1 targets 1 000 000 each: sp sold 930 000 → 9300 bp, #1 (top 10 % of 2
//   = 1 place: bonus_eligible); sn 520 000 → 5200, #2.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"

namespace attain {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using testing::Authorize;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kKey[] = "e2e-eval-result-rules-signing-key-0123456789";
constexpr char kTenant[] = "acme";

// Per rep: (total hundredths, rank, sales attainment bp, flags).
using RepResult = std::tuple<int64_t, int32_t, int64_t, std::vector<std::string>>;
using Results = std::map<std::string, RepResult>;

class EvalResultRulesE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_rules_e2e", kKey}, ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    Seed();
  }
  static void TearDownTestSuite() { delete stack_; }

  void SetUp() override {
    ASSERT_NE(stack_, nullptr);
    ASSERT_TRUE(seeded_) << "seeding failed; see the first failure";
    svc_ = ev1::ScorecardService::NewStub(stack_->eval().NewChannel());
  }

  static std::string Token(Role role) { return stack_->Token(kTenant, role, "boss"); }

  static void SetRepTarget(const std::string& rep, const std::string& period, int64_t base) {
    auto targets = tv1::TargetService::NewStub(stack_->target().NewChannel());
    tv1::SetTargetRequest req;
    req.set_request_id(absl::StrCat("target-", rep, "-", period));
    tv1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(type::v1::SCOPE_KIND_REP);
    t->mutable_scope()->set_id(rep);
    t->set_period(period);
    t->set_metric(type::v1::METRIC_SALES_AMOUNT);
    t->set_base_value(base);
    t->set_currency_code("CNY");
    tv1::SetTargetResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kAdmin));
    grpc::Status st = targets->SetTarget(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static void Seed() {
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    const std::string admin = Token(Role::kAdmin);
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "tq", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "tu", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "ts", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
    // Sales per rep and quarter (see the table at the top).
    const std::map<std::string, std::pair<std::string, std::vector<int64_t>>> sales = {
        {"ra", {"tq", {800000, 700000, 600000}}},    {"rb", {"tq", {900000, 1200000, 850000}}},
        {"rc", {"tq", {1100000, 950000, 999900}}},   {"rd", {"tq", {1500000, 1300000, 1400000}}},
        {"re", {"tq", {1000000, 1000000, 1000000}}}, {"sa", {"tu", {500000, 600000, 700000}}},
        {"sc", {"tu", {1200000, 900000, 800000}}},
    };
    // One order per rep and quarter, in the quarter's middle month.
    const std::vector<std::pair<std::string, std::string>> quarters = {
        {"2025-Q1", "2025-02-14"}, {"2025-Q2", "2025-05-14"}, {"2025-Q3", "2025-08-14"}};
    auto ingest = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
    iv1::IngestBatchRequest batch;
    for (const auto& [rep, team_and_sales] : sales) {
      ASSERT_TRUE(testing::CreateRep(*org, admin, rep, team_and_sales.first).ok());
      for (size_t q = 0; q < quarters.size(); ++q) {
        SetRepTarget(rep, quarters[q].first, 1000000);
        *batch.add_events() = testing::OrderEvent(absl::StrCat(rep, "-q", q + 1), 1, rep,
                                                  team_and_sales.second[q], quarters[q].second);
      }
    }
    // Team ts (see the table at the top): orders by day, amounts in CNY fen.
    const std::map<std::string, std::vector<std::pair<std::string, int64_t>>> ts_orders = {
        {"sp",
         {{"2025-01-10", 80000},
          {"2025-01-24", 100000},
          {"2025-02-07", 150000},
          {"2025-03-10", 600000}}},
        {"sn", {{"2025-01-15", 100000}, {"2025-02-15", 120000}, {"2025-03-12", 300000}}},
    };
    for (const auto& [rep, orders] : ts_orders) {
      ASSERT_TRUE(testing::CreateRep(*org, admin, rep, "ts").ok());
      SetRepTarget(rep, "2025-Q1", 1000000);
      for (const auto& [day, amount] : orders) {
        *batch.add_events() = testing::OrderEvent(absl::StrCat(rep, "-", day), 1, rep, amount, day);
      }
    }
    iv1::IngestBatchResponse batch_resp;
    grpc::ClientContext ictx;
    Authorize(ictx, Token(Role::kCrmIngest));
    grpc::Status ist = ingest->IngestBatch(&ictx, batch, &batch_resp);
    ASSERT_TRUE(ist.ok()) << ist.error_message();
    for (const auto& o : batch_resp.outcomes()) {
      ASSERT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED) << o.reason();
    }

    absl::Status cst = testing::CreateSales100Template(
        *stack_, admin, {{"needs_improvement", 0}, {"qualified", 9000}});
    ASSERT_TRUE(cst.ok()) << cst;
    for (const char* unit : {"tq", "tu", "ts"}) {
      absl::Status ast = testing::AssignTemplate(*stack_, admin, unit, "sales100", "2025-01");
      ASSERT_TRUE(ast.ok()) << ast;
    }
    seeded_ = true;
  }

  // Runs the unit's evaluation of `period` (a fresh request id each call).
  ev1::Evaluation Run(const std::string& unit, const std::string& period) {
    ev1::RunEvaluationRequest req;
    req.set_unit_id(unit);
    req.set_period(period);
    req.set_request_id(absl::StrCat("run-", unit, "-", period, "-", ++runs_));
    ev1::RunEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->RunEvaluation(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << unit << " " << period << ": " << st.error_message();
    EXPECT_EQ(resp.evaluation().state(), ev1::EVALUATION_STATE_DRAFT);
    return resp.evaluation();
  }

  void Finalize(const ev1::Evaluation& e) {
    ev1::FinalizeEvaluationRequest req;
    req.set_evaluation_id(e.evaluation_id());
    req.set_request_id("finalize-" + e.evaluation_id());
    ev1::FinalizeEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->FinalizeEvaluation(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.evaluation().state(), ev1::EVALUATION_STATE_FINAL);
  }

  void Discard(const ev1::Evaluation& e, const std::string& reason) {
    ev1::DiscardEvaluationRequest req;
    req.set_evaluation_id(e.evaluation_id());
    req.set_reason(reason);
    req.set_request_id("discard-" + e.evaluation_id());
    ev1::DiscardEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->DiscardEvaluation(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.evaluation().state(), ev1::EVALUATION_STATE_DISCARDED);
  }

  // Every row of `e` by rep: total, rank, the sales indicator's attainment
  // and the flags, in the order the evaluation gives them.
  static Results ResultsOf(const ev1::Evaluation& e) {
    Results out;
    for (const ev1::Scorecard& row : e.rows()) {
      int64_t attainment = -1;
      for (const ev1::DimensionRow& dim : row.dimensions()) {
        for (const ev1::IndicatorRow& ind : dim.indicators()) {
          if (ind.indicator_id() == "sales" && ind.has_attainment_bp()) {
            attainment = ind.attainment_bp();
          }
        }
      }
      out[row.subject().id()] = RepResult{
          row.total_points(), row.rank(), attainment, {row.flags().begin(), row.flags().end()}};
    }
    return out;
  }

  static testing::IngestStack* stack_;
  static bool seeded_;
  std::unique_ptr<ev1::ScorecardService::Stub> svc_;
  int runs_ = 0;
};

testing::IngestStack* EvalResultRulesE2eTest::stack_ = nullptr;
bool EvalResultRulesE2eTest::seeded_ = false;

using Flags = std::vector<std::string>;

// Team tq, each quarter run and finalised in order: the warning comes in the
// second quarter below target running, the penalty in the third; one quarter
// above target breaks the run; exactly 100.00 % is not below.
TEST_F(EvalResultRulesE2eTest, WarningThenPenaltyOverConsecutiveFinalQuarters) {
  // Q1: no earlier final evaluation, so one quarter below at most: no
  // warning. rd is the top 10 %.
  ev1::Evaluation q1 = Run("tq", "2025-Q1");
  EXPECT_EQ(ResultsOf(q1), (Results{
                               {"rd", {15000, 1, 15000, Flags{"bonus_eligible"}}},
                               {"rc", {11000, 2, 11000, Flags{}}},
                               {"re", {10000, 3, 10000, Flags{}}},
                               {"rb", {9000, 4, 9000, Flags{}}},
                               {"ra", {8000, 5, 8000, Flags{}}},
                           }));
  ASSERT_NO_FATAL_FAILURE(Finalize(q1));

  // Q2: ra below in Q1 (8000) and Q2 (7000) → warning. rb above now (12000).
  // rc below for the first time (9500) → nothing yet.
  ev1::Evaluation q2 = Run("tq", "2025-Q2");
  EXPECT_EQ(ResultsOf(q2), (Results{
                               {"rd", {13000, 1, 13000, Flags{"bonus_eligible"}}},
                               {"rb", {12000, 2, 12000, Flags{}}},
                               {"re", {10000, 3, 10000, Flags{}}},
                               {"rc", {9500, 4, 9500, Flags{}}},
                               {"ra", {7000, 5, 7000, Flags{"warning"}}},
                           }));
  ASSERT_NO_FATAL_FAILURE(Finalize(q2));

  // Q3: ra's third quarter below (8000, 7000, 6000) → penalty; rc's second
  // (9500, 9999) → warning; rb below in Q1 and Q3 but above in Q2 → nothing;
  // re exactly on target (10000) → nothing.
  ev1::Evaluation q3 = Run("tq", "2025-Q3");
  EXPECT_EQ(ResultsOf(q3), (Results{
                               {"rd", {14000, 1, 14000, Flags{"bonus_eligible"}}},
                               {"re", {10000, 2, 10000, Flags{}}},
                               {"rc", {9999, 3, 9999, Flags{"warning"}}},
                               {"rb", {8500, 4, 8500, Flags{}}},
                               {"ra", {6000, 5, 6000, Flags{"penalty"}}},
                           }));
  // Rows come by rank.
  std::vector<std::string> order;
  for (const auto& row : q3.rows()) order.push_back(row.subject().id());
  EXPECT_THAT(order, ElementsAre("rd", "re", "rc", "rb", "ra"));
  ASSERT_NO_FATAL_FAILURE(Finalize(q3));
}

// Team tu: the history is the unit's FINAL evaluations only (the runner's and
// the proto's rule). While Q2 is a draft — or was discarded — Q3 sees no Q2
// figures, so the run of quarters below target ends at Q3 itself: sa, below
// in all three quarters, gets neither penalty nor warning, and sc no
// warning. Once Q2 is finalised, a re-run of Q3 flags them.
TEST_F(EvalResultRulesE2eTest, AQuarterNotFinalisedIsNotHistory) {
  ev1::Evaluation q1 = Run("tu", "2025-Q1");
  EXPECT_EQ(ResultsOf(q1), (Results{
                               {"sc", {12000, 1, 12000, Flags{"bonus_eligible"}}},
                               {"sa", {5000, 2, 5000, Flags{}}},
                           }));
  ASSERT_NO_FATAL_FAILURE(Finalize(q1));

  // Q2 drafts read the final Q1: sa below twice → warning (in the draft).
  ev1::Evaluation q2_discarded = Run("tu", "2025-Q2");
  EXPECT_EQ(ResultsOf(q2_discarded), (Results{
                                         {"sc", {9000, 1, 9000, Flags{"bonus_eligible"}}},
                                         {"sa", {6000, 2, 6000, Flags{"warning"}}},
                                     }));
  ASSERT_NO_FATAL_FAILURE(Discard(q2_discarded, "run before the quarter closed"));
  ev1::Evaluation q2_draft = Run("tu", "2025-Q2");
  EXPECT_EQ(ResultsOf(q2_draft), ResultsOf(q2_discarded));

  // Q3 with Q2 only a draft (and a discarded one): no Q2 history. sa's run
  // is Q3 alone (7000) → no flag; sc (8000) likewise; sc still tops the
  // ranking → bonus_eligible.
  ev1::Evaluation q3_early = Run("tu", "2025-Q3");
  EXPECT_EQ(ResultsOf(q3_early), (Results{
                                     {"sc", {8000, 1, 8000, Flags{"bonus_eligible"}}},
                                     {"sa", {7000, 2, 7000, Flags{}}},
                                 }));

  // That Q3 draft cannot be finalised while Q2 waits as a draft: its flags
  // would be frozen without Q2.
  {
    ev1::FinalizeEvaluationRequest req;
    req.set_evaluation_id(q3_early.evaluation_id());
    req.set_request_id("finalize-early-" + q3_early.evaluation_id());
    ev1::FinalizeEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->FinalizeEvaluation(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
    EXPECT_THAT(st.error_message(),
                HasSubstr("2025-Q2 has a draft evaluation of unit \"tu\" and no final one"));
  }

  // Q2 finalised: Q3 run again counts it. sa below in Q1, Q2, Q3 → penalty;
  // sc below in Q2 (9000) and Q3 (8000), above in Q1 → warning, and still
  // the top 10 %.
  ASSERT_NO_FATAL_FAILURE(Finalize(q2_draft));
  ev1::Evaluation q3 = Run("tu", "2025-Q3");
  EXPECT_EQ(ResultsOf(q3), (Results{
                               {"sc", {8000, 1, 8000, Flags{"bonus_eligible", "warning"}}},
                               {"sa", {7000, 2, 7000, Flags{"penalty"}}},
                           }));
  // The earlier Q3 draft is unchanged: flags are fixed when an evaluation is
  // run.
  ev1::GetEvaluationRequest get;
  get.set_evaluation_id(q3_early.evaluation_id());
  ev1::GetEvaluationResponse got;
  grpc::ClientContext ctx;
  Authorize(ctx, Token(Role::kDirector));
  grpc::Status st = svc_->GetEvaluation(&ctx, get, &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_THAT(std::get<3>(ResultsOf(got.evaluation())["sa"]), IsEmpty());
  // … and it can no longer be finalised: Q2 was finalised after it was run.
  {
    ev1::FinalizeEvaluationRequest req;
    req.set_evaluation_id(q3_early.evaluation_id());
    req.set_request_id("finalize-stale-" + q3_early.evaluation_id());
    ev1::FinalizeEvaluationResponse resp;
    grpc::ClientContext fctx;
    Authorize(fctx, Token(Role::kDirector));
    grpc::Status fst = svc_->FinalizeEvaluation(&fctx, req, &resp);
    EXPECT_EQ(fst.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << fst.error_message();
    EXPECT_THAT(fst.error_message(), HasSubstr("2025-Q2 for unit \"tu\" was finalised after "
                                               "this draft was run"));
  }
  // The fresh Q3 run is finalised.
  ASSERT_NO_FATAL_FAILURE(Finalize(q3));
}

// The special contribution of team ts: on the evaluation of a month and of
// a quarter (with the quarter's other rules), on GetScorecard of the rep and
// kept with the saved evaluation; nothing for the rep without one, nor on the
// unit's card.
TEST_F(EvalResultRulesE2eTest, SpecialContributionFlaggedWithItsOrder) {
  auto check_order = [](const ev1::Scorecard& card) {
    ASSERT_EQ(card.special_contributions_size(), 1) << card.DebugString();
    const ev1::SpecialContributionOrder& o = card.special_contributions(0);
    EXPECT_EQ(o.order_id(), "sp-2025-03-10");
    EXPECT_EQ(o.customer_id(), "cust-sp-2025-03-10");
    EXPECT_EQ(o.signed_date(), "2025-03-10");
    EXPECT_EQ(o.amount(), 600000);
    EXPECT_EQ(o.median_amount(), 100000);  // of 80 000, 100 000, 150 000
    EXPECT_DOUBLE_EQ(o.multiple(), 6.0);   // 600 000 / 100 000
  };
  auto row_of = [](const ev1::Evaluation& e, const std::string& rep) {
    for (const ev1::Scorecard& row : e.rows()) {
      if (row.subject().id() == rep) return row;
    }
    ADD_FAILURE() << "no row of " << rep;
    return ev1::Scorecard();
  };

  // A month: not a quarter, so no other rule; the special contribution
  // still is one.
  ev1::Evaluation march = Run("ts", "2025-03");
  ASSERT_EQ(march.rows_size(), 2);
  ev1::Scorecard sp = row_of(march, "sp");
  EXPECT_THAT(sp.flags(), ElementsAre("special_contribution"));
  check_order(sp);
  ev1::Scorecard sn = row_of(march, "sn");
  EXPECT_THAT(sn.flags(), IsEmpty());
  EXPECT_EQ(sn.special_contributions_size(), 0);
  EXPECT_EQ(march.unit_row().special_contributions_size(), 0);
  // Saved with the evaluation.
  ev1::GetEvaluationRequest get;
  get.set_evaluation_id(march.evaluation_id());
  ev1::GetEvaluationResponse got;
  grpc::ClientContext gctx;
  Authorize(gctx, Token(Role::kDirector));
  grpc::Status st = svc_->GetEvaluation(&gctx, get, &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  check_order(row_of(got.evaluation(), "sp"));

  // The quarter: the order is in Q1 too; sp tops the ranking (9300 vs 5200).
  ev1::Evaluation q1 = Run("ts", "2025-Q1");
  EXPECT_EQ(ResultsOf(q1),
            (Results{
                {"sp", {9300, 1, 9300, Flags{"bonus_eligible", "special_contribution"}}},
                {"sn", {5200, 2, 5200, Flags{}}},
            }));
  check_order(row_of(q1, "sp"));

  // GetScorecard of the rep lists it and flags it; of the other rep and of
  // the team, nothing.
  auto scorecard = [&](type::v1::ScopeKind kind, const std::string& id) {
    ev1::GetScorecardRequest req;
    req.mutable_subject()->set_kind(kind);
    req.mutable_subject()->set_id(id);
    req.set_period("2025-03");
    ev1::GetScorecardResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->GetScorecard(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
    return resp.scorecard();
  };
  ev1::Scorecard card = scorecard(type::v1::SCOPE_KIND_REP, "sp");
  EXPECT_THAT(card.flags(), ElementsAre("special_contribution"));
  check_order(card);
  card = scorecard(type::v1::SCOPE_KIND_REP, "sn");
  EXPECT_THAT(card.flags(), IsEmpty());
  EXPECT_EQ(card.special_contributions_size(), 0);
  card = scorecard(type::v1::SCOPE_KIND_UNIT, "ts");
  EXPECT_EQ(card.special_contributions_size(), 0);
  EXPECT_THAT(card.flags(), IsEmpty());
}

}  // namespace
}  // namespace attain
