// End to end: evaluations (RunEvaluation … DecideAppeal) over the real
// attain-target, attain-ingest and attain-eval binaries with real PostgreSQL
// and Redis. Every number is worked out by hand below.
//
// Org (tenant "acme"): co → t1 {r1, r2, r3, r4}; co → t9 {r9}.
// Template "sales100": one indicator, sales against the base target, linear
// capped at 200 %, worth 100 points (10000 hundredths): points = attainment
// in basis points. Period 2025-Q1.
//
//   rep  target     sales      attainment  total   rank
//   r1   1 000 000  1 500 000  15000       15000   1   top 10 % of 4 = 1 place → bonus_eligible
//   r2   1 000 000    900 000   9000        9000   2
//   r4     500 000    450 000   9000        9000   2   (tie with r2: 1224 ranking)
//   r3     800 000    600 000   7500        7500   4
// Team t1 target 2 500 000, sales 3 450 000: over by 38 % (> 20 %), excess
// 950 000 → team fund 15 % = 142 500 (CNY).
//
// Restatement after an extra order of r3 (500 000 on 03-20): r3 sales
// 1 100 000 → 13750, rank 2; r2 and r4 rank 3; team sales 3 950 000, excess
// 1 450 000 → fund 217 500.
//
// Discarding (DiscardEvaluation) runs on its own team co → t2 {r5, r6}, same
// template, 2025-Q1: r5 target 1 000 000, sales 1 200 000 → 12000, rank 1
// (top 10 % of 2 = 1 place → bonus_eligible); r6 target 1 000 000, sales
// 800 000 → 8000, rank 2. No team target: no team fund.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"

namespace attain {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using grpc::StatusCode;
using testing::Authorize;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "e2e-eval-evaluation-signing-key-0123456789";
constexpr char kTenant[] = "acme";

class EvalEvaluationE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_ev_e2e", kKey}, ATTAIN_EVAL_BINARY);
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

  static std::string Token(Role role, const std::string& subject = "boss",
                           const std::string& scope = "", const std::string& tenant = kTenant) {
    return stack_->Token(tenant, role, subject, scope);
  }

  static void Ingest(const std::vector<iv1::Event>& events) {
    auto ingest = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
    iv1::IngestBatchRequest req;
    for (const auto& e : events) *req.add_events() = e;
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kCrmIngest));
    grpc::Status st = ingest->IngestBatch(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& o : resp.outcomes()) {
      ASSERT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED) << o.reason();
    }
  }

  static void SetTarget(type::v1::ScopeKind kind, const std::string& id, int64_t base) {
    auto targets = tv1::TargetService::NewStub(stack_->target().NewChannel());
    tv1::SetTargetRequest req;
    req.set_request_id("target-" + id);
    tv1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(kind);
    t->mutable_scope()->set_id(id);
    t->set_period("2025-Q1");
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
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t9", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
    for (const char* rep : {"r1", "r2", "r3", "r4"}) {
      ASSERT_TRUE(testing::CreateRep(*org, admin, rep, "t1").ok());
    }
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r9", "t9").ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t2", "co", tv1::ORG_UNIT_KIND_TEAM).ok());
    for (const char* rep : {"r5", "r6"}) {
      ASSERT_TRUE(testing::CreateRep(*org, admin, rep, "t2").ok());
    }
    SetTarget(type::v1::SCOPE_KIND_REP, "r1", 1000000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r2", 1000000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r3", 800000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r4", 500000);
    SetTarget(type::v1::SCOPE_KIND_UNIT, "t1", 2500000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r5", 1000000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r6", 1000000);
    Ingest({testing::OrderEvent("a1", 1, "r1", 1000000, "2025-01-15"),
            testing::OrderEvent("a2", 1, "r1", 500000, "2025-02-15"),
            testing::OrderEvent("b1", 1, "r2", 900000, "2025-03-01"),
            testing::OrderEvent("c1", 1, "r3", 600000, "2025-02-01"),
            testing::OrderEvent("d1", 1, "r4", 450000, "2025-01-20"),
            testing::OrderEvent("z1", 1, "r9", 700000, "2025-01-20"),
            testing::OrderEvent("e1", 1, "r5", 1200000, "2025-02-10"),
            testing::OrderEvent("f1", 1, "r6", 800000, "2025-03-10")});

    absl::Status st = testing::CreateSales100Template(
        *stack_, admin, {{"needs_improvement", 0}, {"qualified", 9000}});
    ASSERT_TRUE(st.ok()) << st;
    for (const char* unit : {"t1", "t2"}) {
      st = testing::AssignTemplate(*stack_, admin, unit, "sales100", "2025-01");
      ASSERT_TRUE(st.ok()) << st;
    }
    seeded_ = true;
  }

  grpc::Status Run(const std::string& token, const std::string& request_id, ev1::Evaluation* out,
                   const std::string& unit = "t1") {
    ev1::RunEvaluationRequest req;
    req.set_unit_id(unit);
    req.set_period("2025-Q1");
    req.set_request_id(request_id);
    ev1::RunEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = svc_->RunEvaluation(&ctx, req, &resp);
    *out = resp.evaluation();
    return st;
  }
  grpc::Status Get(const std::string& token, const std::string& id, ev1::Evaluation* out) {
    ev1::GetEvaluationRequest req;
    req.set_evaluation_id(id);
    ev1::GetEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = svc_->GetEvaluation(&ctx, req, &resp);
    *out = resp.evaluation();
    return st;
  }
  grpc::Status Finalize(const std::string& id, ev1::Evaluation* out,
                        const std::string& request_id = "") {
    ev1::FinalizeEvaluationRequest req;
    req.set_evaluation_id(id);
    req.set_request_id(request_id);
    ev1::FinalizeEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->FinalizeEvaluation(&ctx, req, &resp);
    *out = resp.evaluation();
    return st;
  }
  grpc::Status Discard(const std::string& token, const std::string& id, const std::string& reason,
                       const std::string& request_id, ev1::Evaluation* out) {
    ev1::DiscardEvaluationRequest req;
    req.set_evaluation_id(id);
    req.set_reason(reason);
    req.set_request_id(request_id);
    ev1::DiscardEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = svc_->DiscardEvaluation(&ctx, req, &resp);
    *out = resp.evaluation();
    return st;
  }
  grpc::Status Restate(const std::string& id, const std::string& reason, ev1::Evaluation* out) {
    ev1::RestateEvaluationRequest req;
    req.set_evaluation_id(id);
    req.set_reason(reason);
    req.set_request_id("restate-" + id + reason);
    ev1::RestateEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kAdmin));
    grpc::Status st = svc_->RestateEvaluation(&ctx, req, &resp);
    *out = resp.evaluation();
    return st;
  }
  grpc::Status Appeal(const std::string& token, const std::string& id, ev1::Appeal* out,
                      const std::string& request_id) {
    ev1::AppealEvaluationRequest req;
    req.set_evaluation_id(id);
    req.set_reason("my March order is missing");
    req.set_request_id(request_id);
    ev1::AppealEvaluationResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = svc_->AppealEvaluation(&ctx, req, &resp);
    *out = resp.appeal();
    return st;
  }
  grpc::Status Decide(const std::string& appeal_id, bool uphold, const std::string& reason,
                      ev1::Appeal* out) {
    ev1::DecideAppealRequest req;
    req.set_appeal_id(appeal_id);
    req.set_uphold(uphold);
    req.set_reason(reason);
    req.set_request_id("decide-" + appeal_id + (uphold ? "-u" : "-r"));
    ev1::DecideAppealResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kDirector));
    grpc::Status st = svc_->DecideAppeal(&ctx, req, &resp);
    *out = resp.appeal();
    return st;
  }
  std::vector<std::string> List(const std::string& token, const std::string& unit = "",
                                bool show_discarded = false) {
    ev1::ListEvaluationsRequest req;
    req.set_unit_id(unit);
    req.set_show_discarded(show_discarded);
    ev1::ListEvaluationsResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = svc_->ListEvaluations(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> ids;
    for (const auto& e : resp.evaluations()) {
      EXPECT_EQ(e.rows_size(), 0);
      ids.push_back(e.evaluation_id());
    }
    return ids;
  }

  // (rep, total, rank) of each row, in order.
  static std::vector<std::tuple<std::string, int64_t, int32_t>> Rows(const ev1::Evaluation& e) {
    std::vector<std::tuple<std::string, int64_t, int32_t>> out;
    for (const auto& r : e.rows()) out.emplace_back(r.subject().id(), r.total_points(), r.rank());
    return out;
  }

  static testing::IngestStack* stack_;
  static bool seeded_;
  std::unique_ptr<ev1::ScorecardService::Stub> svc_;
};

testing::IngestStack* EvalEvaluationE2eTest::stack_ = nullptr;
bool EvalEvaluationE2eTest::seeded_ = false;

using Row = std::tuple<std::string, int64_t, int32_t>;

TEST_F(EvalEvaluationE2eTest, RunFinalizeRestateAppeal) {
  ev1::Evaluation ev;
  // Only admin and director run evaluations.
  EXPECT_EQ(Run(Token(Role::kManager, "m1", "t1"), "run-m", &ev).error_code(),
            StatusCode::PERMISSION_DENIED);

  grpc::Status st = Run(Token(Role::kAdmin), "run-1", &ev);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(ev.state(), ev1::EVALUATION_STATE_DRAFT);
  EXPECT_EQ(ev.template_id(), "sales100");
  EXPECT_EQ(ev.template_version(), 1);
  EXPECT_THAT(Rows(ev), ElementsAre(Row{"r1", 15000, 1}, Row{"r2", 9000, 2}, Row{"r4", 9000, 2},
                                    Row{"r3", 7500, 4}));
  EXPECT_EQ(ev.rows(0).peer_count(), 4);
  EXPECT_THAT(ev.rows(0).flags(), ElementsAre("bonus_eligible"));
  for (int i = 1; i < 4; ++i) EXPECT_EQ(ev.rows(i).flags_size(), 0) << i;
  EXPECT_EQ(ev.rows(0).grade(), "qualified");
  EXPECT_EQ(ev.rows(3).grade(), "needs_improvement");
  EXPECT_THAT(ev.unit_row().flags(), ElementsAre("team_fund"));
  EXPECT_EQ(ev.unit_row().team_fund(), 142500);
  EXPECT_EQ(ev.unit_row().currency_code(), "CNY");
  const std::string first = ev.evaluation_id();

  // Idempotent: the same request_id returns the same evaluation, one saved.
  // The answer is stored without its rows and completed from the stored rows:
  // the replay must still be the first answer, field for field.
  ev1::Evaluation again;
  ASSERT_TRUE(Run(Token(Role::kAdmin), "run-1", &again).ok());
  EXPECT_EQ(again.evaluation_id(), first);
  EXPECT_EQ(again.rows_size(), 4);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(again, ev))
      << again.DebugString() << "\n---\n"
      << ev.DebugString();
  EXPECT_THAT(List(Token(Role::kAdmin), "t1"), ElementsAre(first));

  // Roles: a rep sees only their own row; a rep without a row nothing; a
  // manager their subtree only; another tenant nothing.
  ev1::Evaluation seen;
  ASSERT_TRUE(Get(Token(Role::kRep, "r2"), first, &seen).ok());
  EXPECT_THAT(Rows(seen), ElementsAre(Row{"r2", 9000, 2}));
  EXPECT_FALSE(seen.has_unit_row());
  EXPECT_EQ(Get(Token(Role::kRep, "r9"), first, &seen).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(List(Token(Role::kRep, "r9")), ElementsAre());
  EXPECT_THAT(List(Token(Role::kRep, "r2")), ElementsAre(first));
  ASSERT_TRUE(Get(Token(Role::kManager, "m1", "t1"), first, &seen).ok());
  EXPECT_EQ(seen.rows_size(), 4);
  EXPECT_EQ(Get(Token(Role::kManager, "m9", "t9"), first, &seen).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Get(Token(Role::kHr, "hr1"), first, &seen).ok());
  EXPECT_EQ(seen.rows_size(), 4);
  EXPECT_EQ(Get(Token(Role::kAdmin, "boss", "", "globex"), first, &seen).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_THAT(List(Token(Role::kAdmin, "boss", "", "globex")), ElementsAre());

  // A draft cannot be appealed or restated.
  ev1::Appeal appeal;
  st = Appeal(Token(Role::kRep, "r2"), first, &appeal, "appeal-draft");
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("DRAFT"));
  st = Restate(first, "too early", &seen);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);

  // Finalise once.
  ASSERT_TRUE(Finalize(first, &ev).ok());
  EXPECT_EQ(ev.state(), ev1::EVALUATION_STATE_FINAL);
  EXPECT_TRUE(ev.has_finalize_time());
  st = Finalize(first, &seen);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("is FINAL"));

  // Restate after an extra order of r3.
  EXPECT_EQ(Restate(first, "", &seen).error_code(), StatusCode::INVALID_ARGUMENT);
  Ingest({testing::OrderEvent("c2", 1, "r3", 500000, "2025-03-20")});
  ev1::Evaluation restated;
  st = Restate(first, "order c2 was booked late", &restated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(restated.state(), ev1::EVALUATION_STATE_DRAFT);
  EXPECT_EQ(restated.restates_id(), first);
  EXPECT_EQ(restated.restatement_reason(), "order c2 was booked late");
  EXPECT_EQ(restated.template_version(), 1);
  EXPECT_THAT(Rows(restated), ElementsAre(Row{"r1", 15000, 1}, Row{"r3", 13750, 2},
                                          Row{"r2", 9000, 3}, Row{"r4", 9000, 3}));
  EXPECT_EQ(restated.unit_row().team_fund(), 217500);
  ASSERT_TRUE(Get(Token(Role::kAdmin), first, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_FINAL);  // until the restatement is final
  EXPECT_EQ(seen.restated_by_id(), restated.evaluation_id());
  EXPECT_THAT(Rows(seen), ElementsAre(Row{"r1", 15000, 1}, Row{"r2", 9000, 2}, Row{"r4", 9000, 2},
                                      Row{"r3", 7500, 4}));  // unchanged
  st = Restate(first, "a second one", &seen);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("already has a restatement"));
  ASSERT_TRUE(Finalize(restated.evaluation_id(), &ev).ok());
  ASSERT_TRUE(Get(Token(Role::kAdmin), first, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_RESTATED);
  const std::string second = restated.evaluation_id();

  // Appeals of the final restatement.
  ASSERT_TRUE(Appeal(Token(Role::kRep, "r2"), second, &appeal, "appeal-r2").ok());
  EXPECT_EQ(appeal.state(), ev1::APPEAL_STATE_OPEN);
  EXPECT_EQ(appeal.rep_id(), "r2");
  const std::string r2_appeal = appeal.appeal_id();
  ev1::Appeal same;
  ASSERT_TRUE(Appeal(Token(Role::kRep, "r2"), second, &same, "appeal-r2").ok());  // retry
  EXPECT_EQ(same.appeal_id(), r2_appeal);
  st = Appeal(Token(Role::kRep, "r2"), second, &same, "appeal-r2-again");
  EXPECT_EQ(st.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr(r2_appeal));
  EXPECT_EQ(Appeal(Token(Role::kRep, "r9"), second, &same, "appeal-r9").error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Appeal(Token(Role::kAdmin), second, &same, "appeal-admin").error_code(),
            StatusCode::PERMISSION_DENIED);
  st = Appeal(Token(Role::kRep, "r2"), first, &same, "appeal-restated");
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("RESTATED"));

  // Reject: the reason is kept; decided once.
  ev1::Appeal decided;
  ASSERT_TRUE(Decide(r2_appeal, false, "b1 is counted in March", &decided).ok());
  EXPECT_EQ(decided.state(), ev1::APPEAL_STATE_REJECTED);
  EXPECT_EQ(decided.decision_reason(), "b1 is counted in March");
  EXPECT_TRUE(decided.restatement_id().empty());
  EXPECT_EQ(Decide(r2_appeal, true, "changed my mind", &decided).error_code(),
            StatusCode::FAILED_PRECONDITION);

  // Uphold: a restatement exists, linked to the appeal and both ways.
  ASSERT_TRUE(Appeal(Token(Role::kRep, "r4"), second, &appeal, "appeal-r4").ok());
  ASSERT_TRUE(Decide(appeal.appeal_id(), true, "r4's target was wrong", &decided).ok());
  EXPECT_EQ(decided.state(), ev1::APPEAL_STATE_UPHELD);
  ASSERT_FALSE(decided.restatement_id().empty());
  ev1::Evaluation third;
  ASSERT_TRUE(Get(Token(Role::kAdmin), decided.restatement_id(), &third).ok());
  EXPECT_EQ(third.state(), ev1::EVALUATION_STATE_DRAFT);
  EXPECT_EQ(third.restates_id(), second);
  EXPECT_EQ(third.appeal_id(), appeal.appeal_id());
  EXPECT_EQ(third.restatement_reason(), "r4's target was wrong");
  ASSERT_TRUE(Get(Token(Role::kAdmin), second, &seen).ok());
  EXPECT_EQ(seen.restated_by_id(), third.evaluation_id());

  // Newest first.
  EXPECT_THAT(List(Token(Role::kDirector), "t1"),
              ElementsAre(third.evaluation_id(), second, first));

  // The appeal's restatement is discarded (say, r4's corrected target is not
  // in the target service yet). It stays as history with its links
  // (restates_id, appeal_id); `second` has no pending restatement any more
  // and can be restated again. The appeal stays UPHELD and keeps naming the
  // discarded draft: a decision is final (the replayed decision shows it).
  ev1::Evaluation discarded;
  st = Discard(Token(Role::kDirector, "dir1"), third.evaluation_id(),
               "r4's corrected target is not entered yet", "discard-third", &discarded);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(discarded.state(), ev1::EVALUATION_STATE_DISCARDED);
  EXPECT_EQ(discarded.restates_id(), second);
  EXPECT_EQ(discarded.appeal_id(), appeal.appeal_id());
  EXPECT_EQ(discarded.discard_reason(), "r4's corrected target is not entered yet");
  EXPECT_EQ(discarded.discarded_by(), "dir1");
  EXPECT_TRUE(discarded.has_discard_time());
  EXPECT_FALSE(discarded.has_finalize_time());
  ASSERT_TRUE(Get(Token(Role::kAdmin), second, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_FINAL);
  EXPECT_EQ(seen.restated_by_id(), "");
  EXPECT_EQ(seen.restatement_reason(), "");
  ev1::Appeal replayed;
  ASSERT_TRUE(Decide(appeal.appeal_id(), true, "r4's target was wrong", &replayed).ok());
  EXPECT_EQ(replayed.state(), ev1::APPEAL_STATE_UPHELD);
  EXPECT_EQ(replayed.restatement_id(), third.evaluation_id());
  // A discarded draft is listed only when asked for.
  EXPECT_THAT(List(Token(Role::kDirector), "t1"), ElementsAre(second, first));
  EXPECT_THAT(List(Token(Role::kDirector), "t1", /*show_discarded=*/true),
              ElementsAre(third.evaluation_id(), second, first));

  // Restated again, now that the target is right: a new draft linked both ways.
  ev1::Evaluation fourth;
  st = Restate(second, "r4's target corrected (appeal " + appeal.appeal_id() + ")", &fourth);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(fourth.state(), ev1::EVALUATION_STATE_DRAFT);
  EXPECT_EQ(fourth.restates_id(), second);
  EXPECT_EQ(fourth.appeal_id(), "");
  ASSERT_TRUE(Get(Token(Role::kAdmin), second, &seen).ok());
  EXPECT_EQ(seen.restated_by_id(), fourth.evaluation_id());
  ASSERT_TRUE(Finalize(fourth.evaluation_id(), &ev).ok());
  ASSERT_TRUE(Get(Token(Role::kAdmin), second, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_RESTATED);
  EXPECT_EQ(seen.restated_by_id(), fourth.evaluation_id());
}

// DiscardEvaluation on team t2 (see the top of the file): a draft is thrown
// away once, idempotently, by admin or director only, and then counts nowhere;
// a final one is refused; a pending restatement is discarded and the final
// evaluation restated again.
TEST_F(EvalEvaluationE2eTest, DiscardDrafts) {
  ev1::Evaluation draft;
  grpc::Status st = Run(Token(Role::kAdmin), "run-t2-a", &draft, "t2");
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_THAT(Rows(draft), ElementsAre(Row{"r5", 12000, 1}, Row{"r6", 8000, 2}));
  EXPECT_THAT(draft.rows(0).flags(), ElementsAre("bonus_eligible"));
  const std::string id = draft.evaluation_id();

  // Roles: admin and director only (as RunEvaluation and FinalizeEvaluation);
  // a manager of t2 and a rep of t2 included.
  ev1::Evaluation out;
  for (Role role : {Role::kCrmIngest, Role::kManager, Role::kRep, Role::kCommitteeSecretary,
                    Role::kCommitteeMember, Role::kFinance, Role::kHr, Role::kService}) {
    const std::string token = role == Role::kManager ? Token(role, "m2", "t2") : Token(role, "r5");
    st = Discard(token, id, "not mine to discard", absl::StrCat("discard-role-", RoleName(role)),
                 &out);
    EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << RoleName(role);
  }
  // The request: a reason is required; unknown ids and other tenants' ids
  // are not found.
  st = Discard(Token(Role::kAdmin), id, "", "discard-no-reason", &out);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("reason"));
  st = Discard(Token(Role::kAdmin), "no-such-evaluation", "typo", "discard-missing", &out);
  EXPECT_EQ(st.error_code(), StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("no-such-evaluation"));
  st = Discard(Token(Role::kAdmin, "boss", "", "globex"), id, "not ours", "discard-globex", &out);
  EXPECT_EQ(st.error_code(), StatusCode::NOT_FOUND);
  ev1::Evaluation seen;
  ASSERT_TRUE(Get(Token(Role::kAdmin), id, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_DRAFT);  // nothing above changed it

  // Discarded by a director.
  ev1::Evaluation discarded;
  st = Discard(Token(Role::kDirector, "dir1"), id, "run before the CRM back-fill", "discard-a",
               &discarded);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(discarded.evaluation_id(), id);
  EXPECT_EQ(discarded.state(), ev1::EVALUATION_STATE_DISCARDED);
  EXPECT_EQ(discarded.discard_reason(), "run before the CRM back-fill");
  EXPECT_EQ(discarded.discarded_by(), "dir1");
  EXPECT_TRUE(discarded.has_discard_time());
  EXPECT_FALSE(discarded.has_finalize_time());
  EXPECT_EQ(discarded.rows_size(), 0);  // the response leaves the rows out
  // Replayed with the same request_id: the same answer, nothing more done.
  ev1::Evaluation replay;
  ASSERT_TRUE(Discard(Token(Role::kDirector, "dir1"), id, "run before the CRM back-fill",
                      "discard-a", &replay)
                  .ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(replay, discarded))
      << replay.DebugString() << " vs " << discarded.DebugString();
  // The same request_id for another request; a new request to discard again.
  st = Discard(Token(Role::kDirector, "dir1"), id, "another reason", "discard-a", &out);
  EXPECT_EQ(st.error_code(), StatusCode::ALREADY_EXISTS);
  st = Discard(Token(Role::kAdmin), id, "once more", "discard-a-again", &out);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("is DISCARDED"));

  // Kept as history (Get, with its rows), but out of the default list, not
  // finalisable, not appealable.
  ASSERT_TRUE(Get(Token(Role::kHr, "hr1"), id, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_DISCARDED);
  EXPECT_EQ(seen.discard_reason(), "run before the CRM back-fill");
  EXPECT_THAT(Rows(seen), ElementsAre(Row{"r5", 12000, 1}, Row{"r6", 8000, 2}));
  EXPECT_THAT(List(Token(Role::kAdmin), "t2"), Not(Contains(id)));
  EXPECT_THAT(List(Token(Role::kAdmin), "t2", /*show_discarded=*/true), Contains(id));
  EXPECT_THAT(List(Token(Role::kRep, "r5")), Not(Contains(id)));
  st = Finalize(id, &out);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("is DISCARDED"));
  ev1::Appeal appeal;
  st = Appeal(Token(Role::kRep, "r6"), id, &appeal, "appeal-discarded");
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("DISCARDED"));

  // A final evaluation cannot be discarded: it is restated instead.
  ev1::Evaluation final_ev;
  ASSERT_TRUE(Run(Token(Role::kAdmin), "run-t2-b", &final_ev, "t2").ok());
  const std::string final_id = final_ev.evaluation_id();
  ASSERT_TRUE(Finalize(final_id, &final_ev).ok());
  st = Discard(Token(Role::kAdmin), final_id, "wrong numbers", "discard-final", &out);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("is FINAL"));
  EXPECT_THAT(st.error_message(), HasSubstr("RestateEvaluation"));

  // A pending restatement blocks a second one until it is discarded.
  ev1::Evaluation first_restatement;
  ASSERT_TRUE(Restate(final_id, "check r6's March order", &first_restatement).ok());
  st = Restate(final_id, "another correction", &out);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("DiscardEvaluation"));
  ASSERT_TRUE(Discard(Token(Role::kAdmin), first_restatement.evaluation_id(),
                      "nothing to correct after all", "discard-restatement", &out)
                  .ok());
  EXPECT_EQ(out.restates_id(), final_id);
  ASSERT_TRUE(Get(Token(Role::kAdmin), final_id, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_FINAL);
  EXPECT_EQ(seen.restated_by_id(), "");
  EXPECT_EQ(seen.restatement_reason(), "");
  ev1::Evaluation second_restatement;
  st = Restate(final_id, "another correction", &second_restatement);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(second_restatement.restates_id(), final_id);
  EXPECT_EQ(second_restatement.restatement_reason(), "another correction");
  EXPECT_THAT(Rows(second_restatement), ElementsAre(Row{"r5", 12000, 1}, Row{"r6", 8000, 2}));
  ASSERT_TRUE(Finalize(second_restatement.evaluation_id(), &out).ok());
  ASSERT_TRUE(Get(Token(Role::kAdmin), final_id, &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_RESTATED);
  EXPECT_EQ(seen.restated_by_id(), second_restatement.evaluation_id());
  ASSERT_TRUE(Get(Token(Role::kAdmin), first_restatement.evaluation_id(), &seen).ok());
  EXPECT_EQ(seen.state(), ev1::EVALUATION_STATE_DISCARDED);
  EXPECT_EQ(seen.restates_id(), final_id);

  // Newest first; the discarded ones only on request.
  EXPECT_THAT(List(Token(Role::kDirector), "t2"),
              ElementsAre(second_restatement.evaluation_id(), final_id));
  EXPECT_THAT(List(Token(Role::kDirector), "t2", /*show_discarded=*/true),
              ElementsAre(second_restatement.evaluation_id(), first_restatement.evaluation_id(),
                          final_id, id));
}

TEST_F(EvalEvaluationE2eTest, RefusalsNameTheProblem) {
  ev1::Evaluation ev;
  grpc::Status st = Run(Token(Role::kAdmin), "run-t9", &ev, "t9");
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);  // no template assigned
  EXPECT_THAT(st.error_message(), HasSubstr("AssignTemplate"));
  st = Run(Token(Role::kAdmin), "run-nope", &ev, "nope");
  EXPECT_EQ(st.error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(Token(Role::kAdmin), "missing", &ev).error_code(), StatusCode::NOT_FOUND);
  ev1::Appeal a;
  EXPECT_EQ(Decide("missing", true, "x", &a).error_code(), StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace attain
