// End to end: ScorecardService.GetScorecard over the real attain-target,
// attain-ingest and attain-eval binaries with real PostgreSQL and Redis.
// Targets are set through the target service, activity goes in through
// ingest, templates through TemplateService; every number below is worked out
// by hand in the comments.
//
// The org (tenant "acme"): co → east → t1 {r1, r2, r3}; co → west → t9 {r9}.
// Period 2025-03; MoM base 2025-02; YoY base 2024-03.
//
// r1, 2025-03:
//   orders o1 600 000 (line a, customer cust-o1: grade A, key account) on
//   03-05 and o2 400 000 (line b, cust-o2, no master data) on 03-20:
//   sales 1 000 000, 2 new customers, gross profit 250 000 (a quarter);
//   receivable 500 000 due 03-31, payment 360 000 on 03-25: collection
//   360 000 / 500 000 = 7200 bp;
//   4 follow-ups, 3 with content: visits 4, effective visits 3.
// r1, 2025-02: order o0 800 000 (cust-o0, new), 2 follow-ups.
// r1, 2024-03: order ly1 625 000 (cust-ly1, new), no follow-ups.
// r2, 2025-03: order o21 400 000 (cust-o21). Nothing else.
// r3: nothing at all.
// Targets 2025-03 (all product lines): sales base r1 1 000 000 (set first at
// 900 000, so version 2), r2 500 000, r3 800 000; visits base 4 challenge 5
// for each. No new-customer targets.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/ingest_stack.h"

namespace attain {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using grpc::StatusCode;
using testing::Authorize;
using ::testing::ElementsAre;

constexpr char kKey[] = "e2e-eval-scorecard-signing-key-0123456789";
constexpr char kTenant[] = "acme";

iv1::Event WithLine(iv1::Event e, const std::string& line) {
  e.mutable_order()->set_product_line_id(line);
  return e;
}

iv1::Event FollowUp(const std::string& id, const std::string& rep, const std::string& day,
                    bool with_content) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id("fu-" + id);
  e.set_occurred_at(day + "T18:00:00+08:00");  // recorded the same day: not late
  iv1::FollowUp* f = e.mutable_follow_up();
  f->set_follow_up_id(id);
  f->set_customer_id("cust-o1");
  f->set_rep_id(rep);
  f->set_contact_time(day + "T10:00:00+08:00");
  f->set_method(iv1::CONTACT_METHOD_VISIT);
  if (with_content) f->set_content("asked for a quote on line b");
  return e;
}

iv1::Event Receivable(const std::string& id, const std::string& rep, int64_t due,
                      const std::string& day) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id("rcv-" + id);
  e.set_occurred_at(day + "T09:00:00+08:00");
  iv1::Receivable* r = e.mutable_receivable();
  r->set_receivable_id(id);
  r->set_version(1);
  r->set_order_id("o1");
  r->set_customer_id("cust-o1");
  r->set_rep_id(rep);
  r->mutable_amount_due()->set_currency_code("CNY");
  r->mutable_amount_due()->set_minor_units(due);
  r->set_due_date(day);
  return e;
}

iv1::Event Payment(const std::string& id, const std::string& rep, int64_t amount,
                   const std::string& day) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id("pay-" + id);
  e.set_occurred_at(day + "T09:00:00+08:00");
  iv1::Payment* p = e.mutable_payment();
  p->set_payment_id(id);
  p->set_order_id("o1");
  p->set_customer_id("cust-o1");
  p->set_rep_id(rep);
  p->mutable_amount()->set_currency_code("CNY");
  p->mutable_amount()->set_minor_units(amount);
  p->set_received_date(day);
  return e;
}

iv1::Event CustomerMaster(const std::string& id) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id("cust-" + id + "-v1");
  e.set_occurred_at("2025-03-01T09:00:00+08:00");
  iv1::Customer* c = e.mutable_customer();
  c->set_customer_id(id);
  c->set_version(1);
  c->set_full_name("Customer " + id);
  c->set_grade(iv1::CUSTOMER_GRADE_A);
  c->set_tier(iv1::CUSTOMER_TIER_KEY_ACCOUNT);
  c->set_owner_rep_id("r1");
  return e;
}

ev1::Indicator* AddIndicator(ev1::Dimension* d, const std::string& id, type::v1::Metric metric,
                             ev1::TargetSource source, int64_t points) {
  ev1::Indicator* i = d->add_indicators();
  i->set_id(id);
  i->set_name(id);
  i->set_metric(metric);
  i->set_target_source(source);
  i->set_points(points);
  return i;
}

// The small template: results 70 (sales 50 from the base target, linear
// capped at 120 %; collection 20 against a fixed 90 %, linear capped at
// 100 %), activity 30 (visits 20 against the challenge target; new customers
// 10 from the base target). Grades: < 60 needs improvement, 60-89 qualified,
// >= 90 excellent.
ev1::ScorecardTemplate SmallTemplate() {
  ev1::ScorecardTemplate t;
  t.set_name("small two-dimension template");
  ev1::Dimension* results = t.add_dimensions();
  results->set_id("results");
  results->set_name("results");
  results->set_weight(7000);
  AddIndicator(results, "sales", type::v1::METRIC_SALES_AMOUNT, ev1::TARGET_SOURCE_BASE, 5000)
      ->mutable_linear()
      ->set_cap_bp(12000);
  ev1::Indicator* collection = AddIndicator(results, "collection", type::v1::METRIC_COLLECTION_RATE,
                                            ev1::TARGET_SOURCE_FIXED, 2000);
  collection->set_fixed_target(9000);
  collection->mutable_linear()->set_cap_bp(10000);
  ev1::Dimension* activity = t.add_dimensions();
  activity->set_id("activity");
  activity->set_name("activity");
  activity->set_weight(3000);
  AddIndicator(activity, "visits", type::v1::METRIC_VISITS, ev1::TARGET_SOURCE_CHALLENGE, 2000)
      ->mutable_linear()
      ->set_cap_bp(10000);
  AddIndicator(activity, "new_customers", type::v1::METRIC_NEW_CUSTOMERS, ev1::TARGET_SOURCE_BASE,
               1000)
      ->mutable_linear()
      ->set_cap_bp(10000);
  ev1::GradeBand* g = t.add_grades();
  g->set_name("needs_improvement");
  g->set_min_points(0);
  g->set_note("coaching");
  g = t.add_grades();
  g->set_name("qualified");
  g->set_min_points(6000);
  g = t.add_grades();
  g->set_name("excellent");
  g->set_min_points(9000);
  return t;
}

const ev1::IndicatorRow* FindRow(const ev1::Scorecard& card, const std::string& id) {
  for (const ev1::DimensionRow& d : card.dimensions()) {
    for (const ev1::IndicatorRow& r : d.indicators()) {
      if (r.indicator_id() == id) return &r;
    }
  }
  return nullptr;
}

class EvalScorecardE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_sc_e2e", kKey}, ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    Seed();
  }
  static void TearDownTestSuite() { delete stack_; }

  void SetUp() override {
    ASSERT_NE(stack_, nullptr);
    ASSERT_TRUE(seeded_) << "seeding failed; see the first failure";
    scorecards_ = ev1::ScorecardService::NewStub(stack_->eval().NewChannel());
  }

  static std::string Token(Role role, const std::string& subject = "t",
                           const std::string& scope = "", const std::string& tenant = kTenant) {
    return stack_->Token(tenant, role, subject, scope);
  }

  static void Seed() {
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    const std::string admin = Token(Role::kAdmin);
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "east", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "west", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t9", "west", tv1::ORG_UNIT_KIND_TEAM).ok());
    for (const char* rep : {"r1", "r2", "r3"}) {
      ASSERT_TRUE(testing::CreateRep(*org, admin, rep, "t1").ok());
    }
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r9", "t9").ok());

    SetTarget("r1-sales-a", "r1", type::v1::METRIC_SALES_AMOUNT, 900000, 0);
    r1_sales_target_id_ = SetTarget("r1-sales-b", "r1", type::v1::METRIC_SALES_AMOUNT, 1000000, 0);
    SetTarget("r2-sales", "r2", type::v1::METRIC_SALES_AMOUNT, 500000, 0);
    SetTarget("r3-sales", "r3", type::v1::METRIC_SALES_AMOUNT, 800000, 0);
    for (const char* rep : {"r1", "r2", "r3"}) {
      SetTarget(absl::StrCat(rep, "-visits"), rep, type::v1::METRIC_VISITS, 4, 5);
    }

    auto ingest = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
    iv1::IngestBatchRequest req;
    *req.add_events() = CustomerMaster("cust-o1");
    *req.add_events() = testing::OrderEvent("o1", 1, "r1", 600000, "2025-03-05");
    *req.add_events() = WithLine(testing::OrderEvent("o2", 1, "r1", 400000, "2025-03-20"), "b");
    *req.add_events() = Receivable("rc1", "r1", 500000, "2025-03-31");
    *req.add_events() = Payment("p1", "r1", 360000, "2025-03-25");
    *req.add_events() = FollowUp("f1", "r1", "2025-03-03", true);
    *req.add_events() = FollowUp("f2", "r1", "2025-03-10", true);
    *req.add_events() = FollowUp("f3", "r1", "2025-03-17", true);
    *req.add_events() = FollowUp("f4", "r1", "2025-03-24", false);
    *req.add_events() = testing::OrderEvent("o0", 1, "r1", 800000, "2025-02-10");
    *req.add_events() = FollowUp("f5", "r1", "2025-02-03", true);
    *req.add_events() = FollowUp("f6", "r1", "2025-02-04", true);
    *req.add_events() = testing::OrderEvent("ly1", 1, "r1", 625000, "2024-03-15");
    *req.add_events() = testing::OrderEvent("o21", 1, "r2", 400000, "2025-03-10");
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kCrmIngest));
    grpc::Status st = ingest->IngestBatch(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.outcomes_size(), req.events_size());
    for (const auto& o : resp.outcomes()) {
      ASSERT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED) << o.reason();
    }

    auto templates = ev1::TemplateService::NewStub(stack_->eval().NewChannel());
    {
      ev1::CreateTemplateRequest creq;
      creq.set_request_id("create-small");
      creq.set_template_id("small");
      *creq.mutable_template_() = SmallTemplate();
      ev1::CreateTemplateResponse cresp;
      grpc::ClientContext cctx;
      Authorize(cctx, admin);
      grpc::Status cst = templates->CreateTemplate(&cctx, creq, &cresp);
      ASSERT_TRUE(cst.ok()) << cst.error_message();
    }
    {
      ev1::CreateTemplateRequest creq;
      creq.set_request_id("create-seed002");
      creq.set_template_id("seed002");
      creq.set_preset("seed-002-comprehensive");
      ev1::CreateTemplateResponse cresp;
      grpc::ClientContext cctx;
      Authorize(cctx, admin);
      grpc::Status cst = templates->CreateTemplate(&cctx, creq, &cresp);
      ASSERT_TRUE(cst.ok()) << cst.error_message();
    }
    {
      // t1 is scored with seed 002 from 2025-01; t9 has no template.
      ev1::AssignTemplateRequest areq;
      areq.set_request_id("assign-t1");
      areq.set_unit_id("t1");
      areq.set_template_id("seed002");
      areq.set_effective_period("2025-01");
      ev1::AssignTemplateResponse aresp;
      grpc::ClientContext actx;
      Authorize(actx, admin);
      grpc::Status ast = templates->AssignTemplate(&actx, areq, &aresp);
      ASSERT_TRUE(ast.ok()) << ast.error_message();
    }
    seeded_ = true;
  }

  // Sets a rep's all-product-lines target for 2025-03; returns its id.
  static std::string SetTarget(const std::string& request_id, const std::string& rep,
                               type::v1::Metric metric, int64_t base, int64_t challenge) {
    auto targets = tv1::TargetService::NewStub(stack_->target().NewChannel());
    tv1::SetTargetRequest req;
    req.set_request_id(request_id);
    tv1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(type::v1::SCOPE_KIND_REP);
    t->mutable_scope()->set_id(rep);
    t->set_period("2025-03");
    t->set_metric(metric);
    t->set_base_value(base);
    t->set_challenge_value(challenge);
    if (metric == type::v1::METRIC_SALES_AMOUNT) t->set_currency_code("CNY");
    tv1::SetTargetResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kAdmin));
    grpc::Status st = targets->SetTarget(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.target().target_id();
  }

  grpc::Status Get(const std::string& token, type::v1::ScopeKind kind, const std::string& id,
                   const std::string& template_id, ev1::Scorecard* out,
                   const std::string& period = "2025-03") {
    ev1::GetScorecardRequest req;
    req.mutable_subject()->set_kind(kind);
    req.mutable_subject()->set_id(id);
    req.set_period(period);
    req.set_template_id(template_id);
    ev1::GetScorecardResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = scorecards_->GetScorecard(&ctx, req, &resp);
    if (out != nullptr) *out = resp.scorecard();
    return st;
  }
  grpc::Status GetRep(const std::string& token, const std::string& rep,
                      const std::string& template_id, ev1::Scorecard* out) {
    return Get(token, type::v1::SCOPE_KIND_REP, rep, template_id, out);
  }

  static testing::IngestStack* stack_;
  static bool seeded_;
  static std::string r1_sales_target_id_;
  std::unique_ptr<ev1::ScorecardService::Stub> scorecards_;
};

testing::IngestStack* EvalScorecardE2eTest::stack_ = nullptr;
bool EvalScorecardE2eTest::seeded_ = false;
std::string EvalScorecardE2eTest::r1_sales_target_id_;

TEST_F(EvalScorecardE2eTest, SmallTemplateEveryNumberOfR1) {
  ev1::Scorecard card;
  grpc::Status st = GetRep(Token(Role::kDirector), "r1", "small", &card);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(card.subject().kind(), type::v1::SCOPE_KIND_REP);
  EXPECT_EQ(card.subject().id(), "r1");
  EXPECT_EQ(card.period(), "2025-03");
  EXPECT_EQ(card.template_id(), "small");
  EXPECT_EQ(card.template_version(), 1);

  // sales: target 1 000 000 (base, version 2), actual 1 000 000: gap 0,
  // exactly 100 % = 10000 bp, 50 points × 1.0 = 5000.
  // MoM: (1 000 000 − 800 000) / 800 000 = +25 % = 2500 bp.
  // YoY: (1 000 000 − 625 000) / 625 000 = +60 % = 6000 bp.
  const ev1::IndicatorRow* sales = FindRow(card, "sales");
  ASSERT_NE(sales, nullptr);
  EXPECT_EQ(sales->status(), ev1::INDICATOR_STATUS_SCORED);
  EXPECT_EQ(sales->metric(), type::v1::METRIC_SALES_AMOUNT);
  EXPECT_EQ(sales->target(), 1000000);
  EXPECT_EQ(sales->actual(), 1000000);
  EXPECT_EQ(sales->gap(), 0);
  EXPECT_EQ(sales->attainment_bp(), 10000);
  EXPECT_EQ(sales->points(), 5000);
  EXPECT_EQ(sales->max_points(), 5000);
  EXPECT_EQ(sales->mom_bp(), 2500);
  EXPECT_EQ(sales->yoy_bp(), 6000);
  EXPECT_EQ(sales->explanation().target_id(), r1_sales_target_id_);
  EXPECT_FALSE(r1_sales_target_id_.empty());
  EXPECT_EQ(sales->explanation().target_version(), 2);
  EXPECT_FALSE(sales->explanation().fixed_target());
  EXPECT_THAT(sales->explanation().components(), ElementsAre("sales_amount=1000000"));
  EXPECT_GT(sales->explanation().rollup_rows(), 0);
  EXPECT_EQ(sales->currency_code(), "CNY");  // the sales target's

  // collection: 360 000 / 500 000 = 7200 bp against the fixed 9000 bp:
  // gap −1800, attainment 7200/9000 = 8000 bp, 20 points × 0.8 = 1600.
  // No receivable in Feb 2025 or Mar 2024: no growth either way.
  const ev1::IndicatorRow* collection = FindRow(card, "collection");
  ASSERT_NE(collection, nullptr);
  EXPECT_EQ(collection->status(), ev1::INDICATOR_STATUS_SCORED);
  EXPECT_EQ(collection->target(), 9000);
  EXPECT_EQ(collection->actual(), 7200);
  EXPECT_EQ(collection->gap(), -1800);
  EXPECT_EQ(collection->attainment_bp(), 8000);
  EXPECT_EQ(collection->points(), 1600);
  EXPECT_FALSE(collection->has_mom_bp());
  EXPECT_FALSE(collection->has_yoy_bp());
  EXPECT_TRUE(collection->explanation().fixed_target());
  EXPECT_TRUE(collection->explanation().target_id().empty());
  EXPECT_TRUE(collection->currency_code().empty());  // a ratio, against a fixed target
  EXPECT_THAT(collection->explanation().components(),
              ElementsAre("collected_amount=360000", "receivable_due=500000"));

  // visits: 4 against the challenge level 5: gap −1, 8000 bp, 20 × 0.8 = 1600.
  // MoM (4 − 2) / 2 = +100 % = 10000 bp; YoY from 0 visits: undefined, absent.
  const ev1::IndicatorRow* visits = FindRow(card, "visits");
  ASSERT_NE(visits, nullptr);
  EXPECT_EQ(visits->target(), 5);
  EXPECT_EQ(visits->actual(), 4);
  EXPECT_EQ(visits->gap(), -1);
  EXPECT_EQ(visits->attainment_bp(), 8000);
  EXPECT_EQ(visits->points(), 1600);
  EXPECT_EQ(visits->mom_bp(), 10000);
  EXPECT_FALSE(visits->has_yoy_bp());

  // new customers: 2 (cust-o1, cust-o2) but no target was set: NO_TARGET,
  // 0 of 10 points, no gap or attainment. MoM (2 − 1) / 1 = 10000 bp; YoY
  // (2 − 1) / 1 = 10000 bp.
  const ev1::IndicatorRow* fresh = FindRow(card, "new_customers");
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->status(), ev1::INDICATOR_STATUS_NO_TARGET);
  EXPECT_FALSE(fresh->has_target());
  EXPECT_EQ(fresh->actual(), 2);
  EXPECT_FALSE(fresh->has_gap());
  EXPECT_FALSE(fresh->has_attainment_bp());
  EXPECT_EQ(fresh->points(), 0);
  EXPECT_EQ(fresh->max_points(), 1000);
  EXPECT_EQ(fresh->mom_bp(), 10000);
  EXPECT_EQ(fresh->yoy_bp(), 10000);

  // Subtotals: results 5000 + 1600 = 6600 of 7000; activity 1600 + 0 = 1600
  // of 3000. Total 8200 → qualified (60 ≤ 82 < 90).
  ASSERT_EQ(card.dimensions_size(), 2);
  EXPECT_EQ(card.dimensions(0).dimension_id(), "results");
  EXPECT_EQ(card.dimensions(0).points(), 6600);
  EXPECT_EQ(card.dimensions(0).weight(), 7000);
  EXPECT_EQ(card.dimensions(1).points(), 1600);
  EXPECT_EQ(card.dimensions(1).weight(), 3000);
  EXPECT_EQ(card.total_points(), 8200);
  EXPECT_EQ(card.grade(), "qualified");
  // Strongest: sales (10000 bp); weakest: collection and visits tie at 8000
  // bp, collection comes first in the template.
  EXPECT_THAT(card.strongest_indicator_ids(), ElementsAre("sales"));
  EXPECT_THAT(card.weakest_indicator_ids(), ElementsAre("collection"));

  // Rank in t1 by total under the same template: r1 8200; r2: sales 400 000
  // / 500 000 = 80 % → 4000, collection no data, visits 0 / 5 → 0: 4000;
  // r3: nothing → 0. r1 is 1st of 3.
  EXPECT_EQ(card.rank(), 1);
  EXPECT_EQ(card.peer_count(), 3);

  // Breakdowns of sales 1 000 000: line a 600 000 (60 %), b 400 000 (40 %);
  // region east 100 %; grade A (cust-o1) 60 %, no grade 40 %; tier key
  // account 60 %, none 40 %.
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> rows;
  for (const ev1::BreakdownRow& b : card.breakdowns()) {
    EXPECT_EQ(b.metric(), type::v1::METRIC_SALES_AMOUNT);
    rows[{b.dimension(), b.key()}] = {b.value(), b.share_bp()};
  }
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(rows.size(), 7u);
  EXPECT_EQ((rows[{"product_line", "a"}]), P(600000, 6000));
  EXPECT_EQ((rows[{"product_line", "b"}]), P(400000, 4000));
  EXPECT_EQ((rows[{"region", "east"}]), P(1000000, 10000));
  EXPECT_EQ((rows[{"customer_grade", "A"}]), P(600000, 6000));
  EXPECT_EQ((rows[{"customer_grade", "UNSPECIFIED"}]), P(400000, 4000));
  EXPECT_EQ((rows[{"customer_tier", "key_account"}]), P(600000, 6000));
  EXPECT_EQ((rows[{"customer_tier", "unspecified"}]), P(400000, 4000));
  // Flags are not computed on a scorecard (they belong to evaluations).
  EXPECT_EQ(card.flags_size(), 0);
}

TEST_F(EvalScorecardE2eTest, AssignedSeed002TemplateWhenNoneIsNamed) {
  ev1::Scorecard card;
  // r1 reads their own scorecard; t1's assigned template is seed 002.
  grpc::Status st = GetRep(Token(Role::kRep, "r1"), "r1", "", &card);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(card.template_id(), "seed002");
  ASSERT_EQ(card.dimensions_size(), 4);
  // sales attainment: 100 % → the step deduction pays full 20 points.
  EXPECT_EQ(FindRow(card, "sales_attainment")->points(), 2000);
  // collection 7200 bp vs fixed 9000: 80 % is 20 % below, 4 whole steps of
  // 5 % × 2 points = 8 off 12 → 4 points.
  EXPECT_EQ(FindRow(card, "collection_rate")->attainment_bp(), 8000);
  EXPECT_EQ(FindRow(card, "collection_rate")->points(), 400);
  // profit contribution 250 000 / 1 000 000 = 2500 bp vs fixed 25 %: 8 points.
  EXPECT_EQ(FindRow(card, "profit_contribution")->actual(), 2500);
  EXPECT_EQ(FindRow(card, "profit_contribution")->points(), 800);
  // new-customer first-order amount: (600 000 + 400 000) / 2 = 500 000; no
  // target set → NO_TARGET.
  const ev1::IndicatorRow* first_order = FindRow(card, "first_order_amount");
  EXPECT_EQ(first_order->actual(), 500000);
  EXPECT_EQ(first_order->status(), ev1::INDICATOR_STATUS_NO_TARGET);
  // repurchase: 2 active customers, none with 2 orders: 0 bp → 0 points.
  EXPECT_EQ(FindRow(card, "repurchase_rate")->actual(), 0);
  EXPECT_EQ(FindRow(card, "repurchase_rate")->points(), 0);
  // effective visits 3 (no target); opportunity conversion: none closed.
  EXPECT_EQ(FindRow(card, "effective_visits")->actual(), 3);
  EXPECT_EQ(FindRow(card, "opportunity_conversion")->status(), ev1::INDICATOR_STATUS_NO_DATA);
  EXPECT_FALSE(FindRow(card, "opportunity_conversion")->has_actual());
  // Total 2000 + 400 + 800 = 3200 → needs improvement (coaching).
  EXPECT_EQ(card.total_points(), 3200);
  EXPECT_EQ(card.grade(), "needs_improvement");
  EXPECT_EQ(card.grade_note(), "coaching");
  // Peers under seed 002: r2's sales 80 % is 4 steps below, 20 − 8 = 12
  // points, profit 2500 bp → 8, repurchase 0: 2000; r3: 0. r1 is first.
  EXPECT_EQ(card.rank(), 1);
  EXPECT_EQ(card.peer_count(), 3);
}

TEST_F(EvalScorecardE2eTest, RepWithNoDataScoresZeroAndRanksLast) {
  ev1::Scorecard card;
  grpc::Status st = GetRep(Token(Role::kManager, "m-east", "east"), "r3", "small", &card);
  ASSERT_TRUE(st.ok()) << st.error_message();
  // Sums are values even when nothing happened: sales 0 of 800 000 → 0 bp,
  // gap −800 000, 0 points; the collection rate has no receivable: NO_DATA.
  const ev1::IndicatorRow* sales = FindRow(card, "sales");
  EXPECT_EQ(sales->status(), ev1::INDICATOR_STATUS_SCORED);
  EXPECT_EQ(sales->actual(), 0);
  EXPECT_EQ(sales->gap(), -800000);
  EXPECT_EQ(sales->attainment_bp(), 0);
  EXPECT_EQ(sales->points(), 0);
  EXPECT_EQ(sales->explanation().rollup_rows(), 0);
  const ev1::IndicatorRow* collection = FindRow(card, "collection");
  EXPECT_EQ(collection->status(), ev1::INDICATOR_STATUS_NO_DATA);
  EXPECT_FALSE(collection->has_actual());
  EXPECT_FALSE(collection->has_gap());
  EXPECT_EQ(card.total_points(), 0);
  EXPECT_EQ(card.grade(), "needs_improvement");
  EXPECT_EQ(card.rank(), 3);
  EXPECT_EQ(card.peer_count(), 3);
  EXPECT_EQ(card.breakdowns_size(), 0);
}

TEST_F(EvalScorecardE2eTest, UnitScorecardSumsItsRepsAndIsRankedAmongSiblings) {
  ev1::Scorecard card;
  grpc::Status st = Get(Token(Role::kHr), type::v1::SCOPE_KIND_UNIT, "t1", "small", &card);
  ASSERT_TRUE(st.ok()) << st.error_message();
  // t1's sales: r1 1 000 000 + r2 400 000; no unit target → NO_TARGET.
  const ev1::IndicatorRow* sales = FindRow(card, "sales");
  EXPECT_EQ(sales->actual(), 1400000);
  EXPECT_EQ(sales->status(), ev1::INDICATOR_STATUS_NO_TARGET);
  // t1 is the only unit under east: first of one.
  EXPECT_EQ(card.rank(), 1);
  EXPECT_EQ(card.peer_count(), 1);

  // east and west are the units under co, both scored with "small":
  //   east: collection 360 000 / 500 000 = 7 200 bp against the fixed 9 000 →
  //   80 % of 20.00 points = 16.00 (1600); sales, visits and new customers
  //   have no unit targets → 0. Total 1600.
  //   west: r9 has no data at all → 0.
  // So east is 1st and west 2nd of 2.
  ev1::Scorecard east;
  st = Get(Token(Role::kHr), type::v1::SCOPE_KIND_UNIT, "east", "small", &east);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(east.total_points(), 1600);
  EXPECT_EQ(east.rank(), 1);
  EXPECT_EQ(east.peer_count(), 2);
  ev1::Scorecard west;
  st = Get(Token(Role::kHr), type::v1::SCOPE_KIND_UNIT, "west", "small", &west);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(west.total_points(), 0);
  EXPECT_EQ(west.rank(), 2);
  EXPECT_EQ(west.peer_count(), 2);

  // The company has no peers: not ranked.
  ev1::Scorecard company;
  st = Get(Token(Role::kHr), type::v1::SCOPE_KIND_UNIT, "co", "small", &company);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(company.rank(), 0);
  EXPECT_EQ(company.peer_count(), 0);
}

TEST_F(EvalScorecardE2eTest, RolesAndTenants) {
  // A rep for another rep.
  grpc::Status st = GetRep(Token(Role::kRep, "r2"), "r1", "small", nullptr);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << st.error_message();
  // A manager of west for a rep of east's t1.
  st = GetRep(Token(Role::kManager, "m-west", "west"), "r1", "small", nullptr);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("west"));
  // The manager of t1 itself reads it.
  st = GetRep(Token(Role::kManager, "m-t1", "t1"), "r1", "small", nullptr);
  EXPECT_TRUE(st.ok()) << st.error_message();
  // Finance has no reading role for scorecards.
  st = GetRep(Token(Role::kFinance), "r1", "small", nullptr);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << st.error_message();
  // Another tenant knows no r1.
  st = GetRep(Token(Role::kAdmin, "t", "", "other-tenant"), "r1", "", nullptr);
  EXPECT_EQ(st.error_code(), StatusCode::NOT_FOUND) << st.error_message();
  // No template named and none assigned to t9.
  st = GetRep(Token(Role::kAdmin), "r9", "", nullptr);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("AssignTemplate"));
  // Bad input names the field.
  ev1::Scorecard card;
  st = Get(Token(Role::kAdmin), type::v1::SCOPE_KIND_REP, "r1", "small", &card, "2025-13");
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("period"));
}

// Last: it stops the target service for the rest of the suite.
TEST_F(EvalScorecardE2eTest, ZzTargetServiceDownIsUnavailableAtOnce) {
  stack_->target().Kill();
  const absl::Time start = absl::Now();
  grpc::Status st = GetRep(Token(Role::kAdmin), "r1", "small", nullptr);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(st.error_code(), StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("target service"));
  EXPECT_LT(took, absl::Seconds(5));
}

}  // namespace
}  // namespace attain
