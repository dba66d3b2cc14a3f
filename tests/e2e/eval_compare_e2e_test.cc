// End to end: ScorecardService.CompareUnits and WhatIf over the real
// attain-target, attain-ingest and attain-eval binaries with real PostgreSQL
// and Redis. Every number is worked out by hand below.
//
// Org (tenant "acme"): co → east (region) → t1 {r1, r2}, t2 {r3};
//                      co → west (region) → t3 {r4, r5}.
// Period 2025-03. Each OrderEvent's customer is "cust-<order id>" unless
// given: r1 a1 600 000 (cust-a1) + a2 400 000 (cust-a1 again: a repeat
// customer); r2 b1 200 000 (cust-b1); r3 c1 500 000 (cust-c1) + c2 500 000
// (cust-c2); r4 d1 900 000 (cust-d1); r5 nothing sold.
// Visits: r1 3, r2 0, r3 2, r4 3, r5 2.
// Targets (sales, base, CNY): units t1 1 000 000, t2 1 250 000, t3 1 125 000
// (none for regions); reps r1 1 000 000, r2 100 000, r3 1 000 000.
//
// Template "cmp" (assigned to t1, t2, t3):
//   results 60: sales vs base target, linear capped at 200 %, 6000;
//   activity 40: visits vs fixed 2, linear capped at 100 %, 3000;
//                new customers vs fixed 1, linear capped at 100 %, 1000.
//
// CompareUnits t1, t2, t3 (all teams: one GetActuals grouped by team):
//   unit sales      att.   new  repurchase   visits/rep   total                 rank
//   t1   1 200 000  12000  2    1/2 = 5000   3/2 = 150    7200+3000+1000=11200  1
//   t2   1 000 000   8000  2    0/2 = 0      2/1 = 200    4800+3000+1000= 8800  2
//   t3     900 000   8000  1    0/1 = 0      5/2 = 250    4800+3000+1000= 8800  2 (tie)
// CompareUnits east, west (regions, template_id "cmp"; no region targets, so
// sales scores 0 and attainment is absent):
//   east 2 200 000, new 4, repurchase 1/4 = 2500, visits 5/3 = 166.67 → 167,
//        total 0 + 3000 + 1000 = 4000, rank 1
//   west   900 000, new 1, repurchase 0, visits 5/2 = 250, total 4000, rank 1
// CompareUnits t1, west (mixed levels: per-unit calls): t1 11200 rank 1, west
// 4000 rank 2.
//
// WhatIf on east (reps r1, r2, r3), template "cmp":
//   baseline: r1 6000 + 3000 + 1000 = 10000; r2 sales 200 % → 12000, visits 0
//   → 0, new 1 → 1000: 13000; r3 10000. Ranks r2 1, r1 2, r3 2.
//   results → 30, activity → 70: sales 3000; visits 7000·3000/4000 = 5250,
//   new customers 1750. r1 3000 + 5250 + 1750 = 10000; r2 6000 + 0 + 1750
//   = 7750; r3 10000. Ranks r1 1, r3 1, r2 3.
//   results → 66.67, activity → 33.33: visits 3333·3/4 = 2499.75, new
//   833.25: floors 2499 + 833 = 3332, the hundredth left over goes to the
//   larger remainder (visits): 2500 and 833.
//   sales target overridden to 500 000: r1 200 % → 12000 + 4000 = 16000; r2
//   40 % → 2400 + 0 + 1000 = 3400; r3 16000. Ranks r1 1, r3 1, r2 3.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
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

namespace attain {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using grpc::StatusCode;
using testing::Authorize;
using ::testing::HasSubstr;

constexpr char kKey[] = "e2e-eval-compare-signing-key-0123456789ab";
constexpr char kTenant[] = "acme";
constexpr char kPeriod[] = "2025-03";

iv1::Event Visit(const std::string& id, const std::string& rep, const std::string& customer,
                 const std::string& day) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id("fu-" + id);
  e.set_occurred_at(day + "T18:00:00+08:00");
  iv1::FollowUp* f = e.mutable_follow_up();
  f->set_follow_up_id(id);
  f->set_customer_id(customer);
  f->set_rep_id(rep);
  f->set_contact_time(day + "T10:00:00+08:00");
  f->set_method(iv1::CONTACT_METHOD_VISIT);
  f->set_content("visit");
  return e;
}

iv1::Event ForCustomer(iv1::Event e, const std::string& customer) {
  e.mutable_order()->set_customer_id(customer);
  return e;
}

ev1::Indicator* AddIndicator(ev1::Dimension* d, const std::string& id, type::v1::Metric metric,
                             int64_t points, int64_t cap_bp) {
  ev1::Indicator* i = d->add_indicators();
  i->set_id(id);
  i->set_name(id);
  i->set_metric(metric);
  i->set_points(points);
  i->mutable_linear()->set_cap_bp(cap_bp);
  return i;
}

class EvalCompareE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_cmp_e2e", kKey}, ATTAIN_EVAL_BINARY);
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
                           const std::string& scope = "") {
    return stack_->Token(kTenant, role, subject, scope);
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
    t->set_period(kPeriod);
    t->set_metric(type::v1::METRIC_SALES_AMOUNT);
    t->set_base_value(base);
    t->set_currency_code("CNY");
    tv1::SetTargetResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kAdmin));
    grpc::Status st = targets->SetTarget(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static void Assign(ev1::TemplateService::Stub& templates, const std::string& unit) {
    ev1::AssignTemplateRequest req;
    req.set_request_id("assign-" + unit);
    req.set_unit_id(unit);
    req.set_template_id("cmp");
    req.set_effective_period("2025-01");
    ev1::AssignTemplateResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kAdmin));
    grpc::Status st = templates.AssignTemplate(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static void Seed() {
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    const std::string admin = Token(Role::kAdmin);
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "east", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "west", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t2", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t3", "west", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r1", "t1").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r2", "t1").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r3", "t2").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r4", "t3").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r5", "t3").ok());
    SetTarget(type::v1::SCOPE_KIND_UNIT, "t1", 1000000);
    SetTarget(type::v1::SCOPE_KIND_UNIT, "t2", 1250000);
    SetTarget(type::v1::SCOPE_KIND_UNIT, "t3", 1125000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r1", 1000000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r2", 100000);
    SetTarget(type::v1::SCOPE_KIND_REP, "r3", 1000000);
    Ingest({testing::OrderEvent("a1", 1, "r1", 600000, "2025-03-05"),
            ForCustomer(testing::OrderEvent("a2", 1, "r1", 400000, "2025-03-10"), "cust-a1"),
            testing::OrderEvent("b1", 1, "r2", 200000, "2025-03-07"),
            testing::OrderEvent("c1", 1, "r3", 500000, "2025-03-08"),
            testing::OrderEvent("c2", 1, "r3", 500000, "2025-03-09"),
            testing::OrderEvent("d1", 1, "r4", 900000, "2025-03-11")});
    Ingest({Visit("v1", "r1", "cust-a1", "2025-03-03"), Visit("v2", "r1", "cust-a1", "2025-03-04"),
            Visit("v3", "r1", "cust-a1", "2025-03-12"), Visit("v4", "r3", "cust-c1", "2025-03-13"),
            Visit("v5", "r3", "cust-c2", "2025-03-14"), Visit("v6", "r4", "cust-d1", "2025-03-15"),
            Visit("v7", "r4", "cust-d1", "2025-03-16"), Visit("v8", "r4", "cust-d1", "2025-03-17"),
            Visit("v9", "r5", "cust-d1", "2025-03-18"),
            Visit("v10", "r5", "cust-d1", "2025-03-19")});

    auto templates = ev1::TemplateService::NewStub(stack_->eval().NewChannel());
    ev1::CreateTemplateRequest creq;
    creq.set_request_id("create-cmp");
    creq.set_template_id("cmp");
    ev1::ScorecardTemplate* t = creq.mutable_template_();
    t->set_name("comparison");
    ev1::Dimension* results = t->add_dimensions();
    results->set_id("results");
    results->set_name("results");
    results->set_weight(6000);
    AddIndicator(results, "sales", type::v1::METRIC_SALES_AMOUNT, 6000, 20000)
        ->set_target_source(ev1::TARGET_SOURCE_BASE);
    ev1::Dimension* activity = t->add_dimensions();
    activity->set_id("activity");
    activity->set_name("activity");
    activity->set_weight(4000);
    ev1::Indicator* visits = AddIndicator(activity, "visits", type::v1::METRIC_VISITS, 3000, 10000);
    visits->set_target_source(ev1::TARGET_SOURCE_FIXED);
    visits->set_fixed_target(2);
    ev1::Indicator* fresh =
        AddIndicator(activity, "new_customers", type::v1::METRIC_NEW_CUSTOMERS, 1000, 10000);
    fresh->set_target_source(ev1::TARGET_SOURCE_FIXED);
    fresh->set_fixed_target(1);
    ev1::GradeBand* g = t->add_grades();
    g->set_name("needs_improvement");
    g->set_min_points(0);
    ev1::CreateTemplateResponse cresp;
    grpc::ClientContext cctx;
    Authorize(cctx, admin);
    grpc::Status cst = templates->CreateTemplate(&cctx, creq, &cresp);
    ASSERT_TRUE(cst.ok()) << cst.error_message();
    for (const char* unit : {"t1", "t2", "t3"}) Assign(*templates, unit);
    seeded_ = true;
  }

  grpc::Status Compare(const std::string& token, const std::vector<std::string>& units,
                       ev1::CompareUnitsResponse* resp, const std::string& template_id = "") {
    ev1::CompareUnitsRequest req;
    for (const std::string& u : units) req.add_unit_ids(u);
    req.set_period(kPeriod);
    req.set_template_id(template_id);
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    return svc_->CompareUnits(&ctx, req, resp);
  }

  grpc::Status WhatIf(const std::string& token, const std::string& unit,
                      const std::map<std::string, int64_t>& weights,
                      const std::vector<std::pair<std::string, int64_t>>& overrides,
                      ev1::WhatIfResponse* resp) {
    ev1::WhatIfRequest req;
    req.set_unit_id(unit);
    req.set_period(kPeriod);
    req.set_template_id("cmp");
    for (const auto& [id, w] : weights) (*req.mutable_dimension_weights())[id] = w;
    for (const auto& [id, target] : overrides) {
      ev1::TargetOverride* o = req.add_target_overrides();
      o->set_indicator_id(id);
      o->set_target(target);
    }
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    return svc_->WhatIf(&ctx, req, resp);
  }

  // "rep:rank:total" per row, in response order.
  static std::vector<std::string> Ranking(
      const google::protobuf::RepeatedPtrField<ev1::Scorecard>& rows) {
    std::vector<std::string> out;
    for (const ev1::Scorecard& c : rows) {
      out.push_back(absl::StrCat(c.subject().id(), ":", c.rank(), ":", c.total_points()));
    }
    return out;
  }

  static const ev1::IndicatorRow* FindIndicator(const ev1::Scorecard& card, const std::string& id) {
    for (const ev1::DimensionRow& d : card.dimensions()) {
      for (const ev1::IndicatorRow& i : d.indicators()) {
        if (i.indicator_id() == id) return &i;
      }
    }
    return nullptr;
  }

  int ListedEvaluations() {
    ev1::ListEvaluationsRequest req;
    ev1::ListEvaluationsResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(Role::kAdmin));
    grpc::Status st = svc_->ListEvaluations(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.evaluations_size();
  }

  static testing::IngestStack* stack_;
  static bool seeded_;
  std::unique_ptr<ev1::ScorecardService::Stub> svc_;
};

testing::IngestStack* EvalCompareE2eTest::stack_ = nullptr;
bool EvalCompareE2eTest::seeded_ = false;

TEST_F(EvalCompareE2eTest, TeamsSideBySideWithSharedRank) {
  ev1::CompareUnitsResponse resp;
  grpc::Status st = Compare(Token(Role::kDirector), {"t3", "t1", "t2"}, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.rows_size(), 3);
  const ev1::ComparisonRow& t1 = resp.rows(0);
  EXPECT_EQ(t1.unit_id(), "t1");
  EXPECT_EQ(t1.name(), "t1");
  EXPECT_EQ(t1.sales_amount(), 1200000);
  EXPECT_EQ(t1.currency_code(), "CNY");
  ASSERT_TRUE(t1.has_attainment_bp());
  EXPECT_EQ(t1.attainment_bp(), 12000);
  EXPECT_EQ(t1.new_customers(), 2);
  ASSERT_TRUE(t1.has_repurchase_rate_bp());
  EXPECT_EQ(t1.repurchase_rate_bp(), 5000);
  EXPECT_EQ(t1.rep_count(), 2);
  EXPECT_EQ(t1.visits_per_rep(), 150);
  EXPECT_EQ(t1.total_points(), 11200);
  EXPECT_EQ(t1.rank(), 1);
  EXPECT_EQ(t1.template_id(), "cmp");
  EXPECT_EQ(t1.template_version(), 1);

  const ev1::ComparisonRow& t2 = resp.rows(1);
  EXPECT_EQ(t2.unit_id(), "t2");
  EXPECT_EQ(t2.sales_amount(), 1000000);
  EXPECT_EQ(t2.attainment_bp(), 8000);
  EXPECT_EQ(t2.new_customers(), 2);
  ASSERT_TRUE(t2.has_repurchase_rate_bp());
  EXPECT_EQ(t2.repurchase_rate_bp(), 0);
  EXPECT_EQ(t2.rep_count(), 1);
  EXPECT_EQ(t2.visits_per_rep(), 200);
  EXPECT_EQ(t2.total_points(), 8800);
  EXPECT_EQ(t2.rank(), 2);

  const ev1::ComparisonRow& t3 = resp.rows(2);
  EXPECT_EQ(t3.unit_id(), "t3");
  EXPECT_EQ(t3.sales_amount(), 900000);
  EXPECT_EQ(t3.attainment_bp(), 8000);
  EXPECT_EQ(t3.new_customers(), 1);
  EXPECT_EQ(t3.repurchase_rate_bp(), 0);
  EXPECT_EQ(t3.rep_count(), 2);
  EXPECT_EQ(t3.visits_per_rep(), 250);
  EXPECT_EQ(t3.total_points(), 8800);
  EXPECT_EQ(t3.rank(), 2);  // shares rank 2 with t2
}

TEST_F(EvalCompareE2eTest, RegionsWithoutTargetsAndMixedLevels) {
  ev1::CompareUnitsResponse resp;
  grpc::Status st = Compare(Token(Role::kHr), {"west", "east"}, &resp, "cmp");
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.rows_size(), 2);
  const ev1::ComparisonRow& east = resp.rows(0);
  EXPECT_EQ(east.unit_id(), "east");
  EXPECT_EQ(east.sales_amount(), 2200000);
  EXPECT_EQ(east.currency_code(), "");
  EXPECT_FALSE(east.has_attainment_bp());
  EXPECT_EQ(east.new_customers(), 4);
  EXPECT_EQ(east.repurchase_rate_bp(), 2500);
  EXPECT_EQ(east.rep_count(), 3);
  EXPECT_EQ(east.visits_per_rep(), 167);  // 5 / 3 = 1.6667, half up
  EXPECT_EQ(east.total_points(), 4000);
  EXPECT_EQ(east.rank(), 1);
  const ev1::ComparisonRow& west = resp.rows(1);
  EXPECT_EQ(west.unit_id(), "west");
  EXPECT_EQ(west.sales_amount(), 900000);
  EXPECT_EQ(west.visits_per_rep(), 250);
  EXPECT_EQ(west.total_points(), 4000);
  EXPECT_EQ(west.rank(), 1);

  // Without template_id the regions have no assigned template.
  ev1::CompareUnitsResponse none;
  st = Compare(Token(Role::kHr), {"east"}, &none);
  EXPECT_EQ(st.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("east"));

  ev1::CompareUnitsResponse mixed;
  st = Compare(Token(Role::kHr), {"west", "t1"}, &mixed, "cmp");
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(mixed.rows_size(), 2);
  EXPECT_EQ(mixed.rows(0).unit_id(), "t1");
  EXPECT_EQ(mixed.rows(0).total_points(), 11200);
  EXPECT_EQ(mixed.rows(0).sales_amount(), 1200000);
  EXPECT_EQ(mixed.rows(0).rank(), 1);
  EXPECT_EQ(mixed.rows(1).unit_id(), "west");
  EXPECT_EQ(mixed.rows(1).total_points(), 4000);
  EXPECT_EQ(mixed.rows(1).sales_amount(), 900000);
  EXPECT_EQ(mixed.rows(1).rank(), 2);
}

TEST_F(EvalCompareE2eTest, CompareValidation) {
  ev1::CompareUnitsResponse resp;
  grpc::Status st = Compare(Token(Role::kDirector), {}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  st = Compare(Token(Role::kDirector), {"t1", "t2", "t1"}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("unit_ids[2]"));
  std::vector<std::string> many;
  for (int k = 0; k < 51; ++k) many.push_back(absl::StrCat("u", k));
  st = Compare(Token(Role::kDirector), many, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("51"));
  st = Compare(Token(Role::kDirector), {"t1", "nope"}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("\"nope\""));
}

TEST_F(EvalCompareE2eTest, CompareRoles) {
  ev1::CompareUnitsResponse resp;
  grpc::Status st = Compare(Token(Role::kRep, "r1"), {"t1"}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED);
  st = Compare(Token(Role::kManager, "m-east", "east"), {"t1", "t2"}, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.rows_size(), 2);
  ev1::CompareUnitsResponse outside;
  st = Compare(Token(Role::kManager, "m-east", "east"), {"t1", "t3"}, &outside);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("t3"));
  st = Compare(Token(Role::kCommitteeMember), {"t1"}, &outside);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(EvalCompareE2eTest, WhatIfMovesWeightAndChangesRanking) {
  const int before = ListedEvaluations();
  ev1::WhatIfResponse resp;
  grpc::Status st =
      WhatIf(Token(Role::kDirector), "east", {{"results", 3000}, {"activity", 7000}}, {}, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_THAT(Ranking(resp.baseline_rows()),
              ::testing::ElementsAre("r2:1:13000", "r1:2:10000", "r3:2:10000"));
  EXPECT_THAT(Ranking(resp.rows()),
              ::testing::ElementsAre("r1:1:10000", "r3:1:10000", "r2:3:7750"));
  const ev1::Scorecard& r2 = resp.rows(2);
  ASSERT_NE(FindIndicator(r2, "sales"), nullptr);
  EXPECT_EQ(FindIndicator(r2, "sales")->max_points(), 3000);
  EXPECT_EQ(FindIndicator(r2, "sales")->points(), 6000);  // 200 % of 3000
  EXPECT_EQ(FindIndicator(r2, "visits")->max_points(), 5250);
  EXPECT_EQ(FindIndicator(r2, "new_customers")->max_points(), 1750);

  // A split with a remainder: largest remainder, sum kept at the weight.
  ev1::WhatIfResponse odd;
  st = WhatIf(Token(Role::kDirector), "east", {{"results", 6667}, {"activity", 3333}}, {}, &odd);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(FindIndicator(odd.rows(0), "visits")->max_points(), 2500);
  EXPECT_EQ(FindIndicator(odd.rows(0), "new_customers")->max_points(), 833);
  EXPECT_EQ(FindIndicator(odd.rows(0), "sales")->max_points(), 6667);

  // Nothing saved.
  EXPECT_EQ(ListedEvaluations(), before);
  EXPECT_EQ(before, 0);
}

TEST_F(EvalCompareE2eTest, WhatIfTargetOverride) {
  ev1::WhatIfResponse resp;
  grpc::Status st = WhatIf(Token(Role::kHr), "east", {}, {{"sales", 500000}}, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_THAT(Ranking(resp.rows()),
              ::testing::ElementsAre("r1:1:16000", "r3:1:16000", "r2:3:3400"));
  EXPECT_EQ(FindIndicator(resp.rows(2), "sales")->target(), 500000);
  EXPECT_EQ(FindIndicator(resp.rows(2), "sales")->attainment_bp(), 4000);
  EXPECT_THAT(Ranking(resp.baseline_rows()),
              ::testing::ElementsAre("r2:1:13000", "r1:2:10000", "r3:2:10000"));
  EXPECT_EQ(ListedEvaluations(), 0);
}

TEST_F(EvalCompareE2eTest, WhatIfRefusesAnInvalidTemplateWithEveryReason) {
  ev1::WhatIfResponse resp;
  grpc::Status st =
      WhatIf(Token(Role::kDirector), "east", {{"results", 5000}, {"activity", 4000}, {"ghost", 1}},
             {{"nosuch", 5}}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("dimension_weights[\"ghost\"]"));
  EXPECT_THAT(st.error_message(), HasSubstr("target_overrides[0].indicator_id"));
  EXPECT_THAT(st.error_message(), HasSubstr("the dimension weights sum to"));
  // A dimension scaled to 0 leaves indicators without points.
  st = WhatIf(Token(Role::kDirector), "east", {{"results", 10000}, {"activity", 0}}, {}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("points"));
}

TEST_F(EvalCompareE2eTest, WhatIfRoles) {
  ev1::WhatIfResponse resp;
  grpc::Status st = WhatIf(Token(Role::kRep, "r1"), "t1", {}, {{"sales", 1}}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED);
  st = WhatIf(Token(Role::kManager, "m-east", "east"), "t1", {}, {{"sales", 1}}, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = WhatIf(Token(Role::kManager, "m-east", "east"), "t3", {}, {{"sales", 1}}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED);
  st = WhatIf(Token(Role::kDirector), "nope", {}, {{"sales", 1}}, &resp);
  EXPECT_EQ(st.error_code(), StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace attain
