// attain.eval.v1.TemplateService served in-process (common/server.h) over a
// real PostgreSQL: the RPCs, validation messages, idempotency, optimistic
// concurrency, assignments, roles and tenant isolation.
#include "services/eval/src/api/template_service.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/pg.h"
#include "common/server.h"
#include "common/worker_pool.h"
#include "services/eval/src/store/template_store.h"
#include "tests/support/test_servers.h"

namespace attain::eval {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace tv1 = ::attain::type::v1;

const std::string kKey = "0123456789abcdef0123456789abcdef-template-test";

// A valid template: sales (linear, capped at 120 %), deal cycle (inverse
// against a fixed 30.00 days) and collaboration (a scale given directly).
v1::ScorecardTemplate ValidTemplate(const std::string& name = "Field sales") {
  v1::ScorecardTemplate t;
  t.set_name(name);
  v1::Dimension* d = t.add_dimensions();
  d->set_id("results");
  d->set_name("业绩 results");
  d->set_weight(10000);
  v1::Indicator* sales = d->add_indicators();
  sales->set_id("sales");
  sales->set_name("销售额 sales");
  sales->set_metric(tv1::METRIC_SALES_AMOUNT);
  sales->set_target_source(v1::TARGET_SOURCE_BASE);
  sales->set_points(6000);
  sales->mutable_linear()->set_cap_bp(12000);
  v1::Indicator* cycle = d->add_indicators();
  cycle->set_id("cycle");
  cycle->set_name("成交周期 deal cycle");
  cycle->set_metric(tv1::METRIC_DEAL_CYCLE_DAYS);
  cycle->set_target_source(v1::TARGET_SOURCE_FIXED);
  cycle->set_fixed_target(3000);
  cycle->set_points(2000);
  cycle->mutable_inverse();  // cap 0 = 100 %
  v1::Indicator* collab = d->add_indicators();
  collab->set_id("collab");
  collab->set_name("协作 collaboration");
  collab->set_metric(tv1::METRIC_COLLABORATION_SCORE);
  collab->set_target_source(v1::TARGET_SOURCE_NONE);
  collab->set_points(2000);
  int value = 5;
  for (const char* label : {"excellent", "good", "pass", "needs_improvement"}) {
    v1::ScaleLevel* level = collab->mutable_scale()->add_levels();
    level->set_label(label);
    level->set_value(value--);
  }
  v1::GradeBand* low = t.add_grades();
  low->set_name("needs improvement");
  low->set_note("coaching");
  v1::GradeBand* mid = t.add_grades();
  mid->set_name("qualified");
  mid->set_min_points(9000);
  v1::GradeBand* top = t.add_grades();
  top->set_name("excellent");
  top->set_min_points(12000);
  return t;
}

class TemplateServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgPool::Options options;
    options.url = testing::PgTestServer::Shared().CreateDatabase("eval_tmpl_svc");
    options.size = 4;
    absl::StatusOr<std::unique_ptr<PgPool>> pg = PgPool::Create(options);
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
    ASSERT_TRUE(PgTemplateStore::Migrate(*pg_).ok());
    store_ = std::make_unique<PgTemplateStore>(*pg_);
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Create(kKey, &clock_);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    pool_ = std::make_unique<WorkerPool>(4, 64);
    service_ = std::make_unique<TemplateServiceImpl>(RpcEnv{verifier_.get(), pool_.get()}, *store_);
    absl::StatusOr<std::unique_ptr<GrpcServer>> server =
        GrpcServer::Start(GrpcServer::Config{}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::TemplateService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
    if (pool_ != nullptr) pool_->Shutdown();
  }

  // A context carrying a token of `role` in `tenant`.
  std::unique_ptr<grpc::ClientContext> As(Role role, const std::string& tenant = "acme") {
    Principal p;
    p.tenant = tenant;
    p.subject = absl::StrCat(RoleName(role), "-user");
    p.role = role;
    if (role == Role::kManager) p.scope = "region-east";  // managers must carry a unit
    absl::StatusOr<std::string> token = MintToken(kKey, p, clock_.Now(), absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token.value_or("")));
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return ctx;
  }

  grpc::Status Create(const v1::CreateTemplateRequest& req, v1::CreateTemplateResponse* resp,
                      Role role = Role::kAdmin, const std::string& tenant = "acme") {
    return stub_->CreateTemplate(As(role, tenant).get(), req, resp);
  }

  // Creates `tmpl` as `id`; fails the test if that fails.
  v1::ScorecardTemplate MustCreate(const std::string& id, const v1::ScorecardTemplate& tmpl,
                                   const std::string& tenant = "acme") {
    v1::CreateTemplateRequest req;
    req.set_request_id(absl::StrCat("create-", id, "-", tenant));
    req.set_template_id(id);
    *req.mutable_template_() = tmpl;
    v1::CreateTemplateResponse resp;
    grpc::Status st = Create(req, &resp, Role::kAdmin, tenant);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.template_();
  }

  grpc::Status Update(const v1::ScorecardTemplate& tmpl, int64_t expected, const std::string& rid,
                      v1::UpdateTemplateResponse* resp, Role role = Role::kDirector) {
    v1::UpdateTemplateRequest req;
    req.set_request_id(rid);
    *req.mutable_template_() = tmpl;
    req.set_expected_version(expected);
    return stub_->UpdateTemplate(As(role).get(), req, resp);
  }

  FakeClock clock_{absl::Now()};
  std::unique_ptr<PgPool> pg_;
  std::unique_ptr<PgTemplateStore> store_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<TemplateServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::TemplateService::Stub> stub_;
};

TEST_F(TemplateServiceTest, CreateGetListUpdateAndVersions) {
  v1::ScorecardTemplate created = MustCreate("field-sales", ValidTemplate());
  EXPECT_EQ(created.template_id(), "field-sales");
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.updated_by(), "admin-user");
  EXPECT_GT(created.create_time().seconds(), 0);
  // Defaults are stored explicitly: the inverse rule's cap 0 reads back as 100 %.
  EXPECT_EQ(created.dimensions(0).indicators(1).inverse().cap_bp(), 10000);

  v1::ScorecardTemplate changed = ValidTemplate("Field sales 2025");
  changed.set_template_id("field-sales");
  changed.mutable_dimensions(0)->mutable_indicators(0)->mutable_linear()->set_cap_bp(15000);
  v1::UpdateTemplateResponse updated;
  grpc::Status st = Update(changed, 1, "upd-1", &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(updated.template_().version(), 2);
  EXPECT_EQ(updated.template_().updated_by(), "director-user");
  EXPECT_EQ(updated.template_().create_time().seconds(), created.create_time().seconds());

  v1::GetTemplateRequest get;
  get.set_template_id("field-sales");
  v1::GetTemplateResponse got;
  ASSERT_TRUE(stub_->GetTemplate(As(Role::kRep).get(), get, &got).ok());
  EXPECT_EQ(got.template_().version(), 2);
  EXPECT_EQ(got.template_().name(), "Field sales 2025");
  EXPECT_EQ(got.template_().dimensions(0).indicators(0).linear().cap_bp(), 15000);
  get.set_version(1);  // the old version stays as it was
  ASSERT_TRUE(stub_->GetTemplate(As(Role::kHr).get(), get, &got).ok());
  EXPECT_EQ(got.template_().version(), 1);
  EXPECT_EQ(got.template_().name(), "Field sales");
  EXPECT_EQ(got.template_().dimensions(0).indicators(0).linear().cap_bp(), 12000);
  get.set_version(7);
  st = stub_->GetTemplate(As(Role::kHr).get(), get, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("its latest is 2"));

  v1::ListTemplateVersionsRequest versions_req;
  versions_req.set_template_id("field-sales");
  versions_req.set_page_size(1);
  v1::ListTemplateVersionsResponse versions;
  ASSERT_TRUE(stub_->ListTemplateVersions(As(Role::kManager).get(), versions_req, &versions).ok());
  ASSERT_EQ(versions.templates_size(), 1);
  EXPECT_EQ(versions.templates(0).version(), 2);
  ASSERT_FALSE(versions.next_page_token().empty());
  versions_req.set_page_token(versions.next_page_token());
  ASSERT_TRUE(stub_->ListTemplateVersions(As(Role::kManager).get(), versions_req, &versions).ok());
  ASSERT_EQ(versions.templates_size(), 1);
  EXPECT_EQ(versions.templates(0).version(), 1);
  EXPECT_TRUE(versions.next_page_token().empty());

  MustCreate("channel", ValidTemplate("Channel sales"));
  MustCreate("key-account", ValidTemplate("Key account"));
  v1::ListTemplatesRequest list;
  list.set_page_size(2);
  v1::ListTemplatesResponse page;
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kDirector).get(), list, &page).ok());
  ASSERT_EQ(page.templates_size(), 2);
  EXPECT_EQ(page.templates(0).template_id(), "channel");
  EXPECT_EQ(page.templates(1).template_id(), "field-sales");
  EXPECT_EQ(page.templates(1).version(), 2);  // latest versions only
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kDirector).get(), list, &page).ok());
  ASSERT_EQ(page.templates_size(), 1);
  EXPECT_EQ(page.templates(0).template_id(), "key-account");
  EXPECT_TRUE(page.next_page_token().empty());
  // A token is only good for the listing it came from.
  list.set_name_contains("sales");
  EXPECT_EQ(stub_->ListTemplates(As(Role::kDirector).get(), list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  list.clear_page_token();
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kDirector).get(), list, &page).ok());
  ASSERT_EQ(page.templates_size(), 2);  // "Channel sales", "Field sales 2025"
}

TEST_F(TemplateServiceTest, StaleUpdateIsRefusedWithTheVersions) {
  MustCreate("t", ValidTemplate());
  v1::ScorecardTemplate next = ValidTemplate("v2");
  next.set_template_id("t");
  v1::UpdateTemplateResponse resp;
  ASSERT_TRUE(Update(next, 1, "u1", &resp).ok());
  // A second editor who also started from version 1.
  next.set_name("v2 by someone else");
  grpc::Status st = Update(next, 1, "u2", &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("is at version 2, not the expected_version 1"));
  // Without expected_version, and for a template that does not exist.
  EXPECT_EQ(Update(next, 0, "u3", &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  next.set_template_id("nope");
  EXPECT_EQ(Update(next, 1, "u4", &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TemplateServiceTest, CreateIsIdempotentOnRequestId) {
  v1::CreateTemplateRequest req;
  req.set_request_id("req-7");
  *req.mutable_template_() = ValidTemplate();  // no id: one is generated
  v1::CreateTemplateResponse first, second;
  ASSERT_TRUE(Create(req, &first).ok());
  EXPECT_THAT(first.template_().template_id(), HasSubstr("tpl-"));
  ASSERT_TRUE(Create(req, &second).ok());
  EXPECT_EQ(second.template_().template_id(), first.template_().template_id());
  v1::ListTemplatesResponse all;
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kAdmin).get(), {}, &all).ok());
  EXPECT_EQ(all.templates_size(), 1);  // one effect

  req.mutable_template_()->set_name("Another body");
  grpc::Status st = Create(req, &second);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("different"));
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kAdmin).get(), {}, &all).ok());
  EXPECT_EQ(all.templates_size(), 1);

  // An id that exists, under a new request_id.
  req.set_request_id("req-8");
  req.set_template_id(first.template_().template_id());
  EXPECT_EQ(Create(req, &second).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(TemplateServiceTest, InvalidTemplateIsRefusedWithEveryReason) {
  v1::ScorecardTemplate t = ValidTemplate();
  v1::Dimension* d = t.mutable_dimensions(0);
  // Inverse on sales (higher is better).
  d->mutable_indicators(0)->mutable_inverse();
  // Linear on deal cycle (lower is better).
  d->mutable_indicators(1)->mutable_linear();
  // A scale on money.
  v1::Indicator* aov = d->add_indicators();
  aov->set_id("aov");
  aov->set_name("客单价 order value");
  aov->set_metric(tv1::METRIC_AVERAGE_ORDER_VALUE);
  aov->set_target_source(v1::TARGET_SOURCE_NONE);
  aov->set_points(500);
  *aov->mutable_scale() = d->indicators(2).scale();
  // Bands with an overlap and a gap.
  v1::Indicator* visits = d->add_indicators();
  visits->set_id("visits");
  visits->set_name("拜访 visits");
  visits->set_metric(tv1::METRIC_VISITS);
  visits->set_target_source(v1::TARGET_SOURCE_BASE);
  visits->set_points(500);
  for (auto [lower, upper, fraction] :
       std::vector<std::tuple<int64_t, int64_t, int64_t>>{{0, 8000, 5000}, {7000, 10000, 8000}}) {
    v1::AttainmentBand* band = visits->mutable_bands()->add_bands();
    band->set_lower_bp(lower);
    band->set_upper_bp(upper);
    band->set_fraction_bp(fraction);
  }
  v1::AttainmentBand* last = visits->mutable_bands()->add_bands();
  last->set_lower_bp(11000);
  last->set_fraction_bp(10000);
  // No rule at all.
  v1::Indicator* none = d->add_indicators();
  none->set_id("none");
  none->set_name("no rule");
  none->set_metric(tv1::METRIC_VISITS);
  none->set_target_source(v1::TARGET_SOURCE_BASE);
  none->set_points(1000);
  d->set_weight(12000);  // = the points, but the template's weights sum to 120
  // Grades out of order.
  t.mutable_grades(2)->set_min_points(8000);

  v1::CreateTemplateRequest req;
  req.set_template_id("bad");
  *req.mutable_template_() = t;
  v1::CreateTemplateResponse resp;
  grpc::Status st = Create(req, &resp);
  ASSERT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::string& m = st.error_message();
  EXPECT_THAT(m, HasSubstr("template has 8 problems"));
  EXPECT_THAT(m,
              HasSubstr("template.dimensions: the dimension weights sum to 120 points, not 100"));
  EXPECT_THAT(m, HasSubstr("template.dimensions[0].indicators[0].inverse: inverse is for "
                           "lower-is-better metrics but sales_amount"));
  EXPECT_THAT(m, HasSubstr("template.dimensions[0].indicators[1].linear: linear pays more for a "
                           "higher actual but deal_cycle_days"));
  EXPECT_THAT(m, HasSubstr("template.dimensions[0].indicators[3].scale: a qualitative scale does "
                           "not fit average_order_value"));
  EXPECT_THAT(m, HasSubstr("template.dimensions[0].indicators[4].bands.bands[0]: overlaps the "
                           "next band"));
  EXPECT_THAT(m, HasSubstr("template.dimensions[0].indicators[4].bands.bands[1]: gap between"));
  EXPECT_THAT(m,
              HasSubstr("template.dimensions[0].indicators[5].rule: a scoring rule is required"));
  EXPECT_THAT(m, HasSubstr("template.grades[2].min_points: 80 points is not above"));

  // Update validates the same way, and nothing was stored.
  t.set_template_id("bad");
  v1::UpdateTemplateResponse updated;
  EXPECT_EQ(Update(t, 1, "u", &updated).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetTemplateRequest get;
  get.set_template_id("bad");
  v1::GetTemplateResponse got;
  EXPECT_EQ(stub_->GetTemplate(As(Role::kAdmin).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  MustCreate("good", ValidTemplate());
  t.set_template_id("good");
  st = Update(t, 1, "u2", &updated);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("template has 8 problems"));

  // Ids are checked before anything else.
  req.set_template_id("Bad Id");
  EXPECT_EQ(Create(req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TemplateServiceTest, PresetsAreListedValidAndCreatable) {
  v1::ListPresetsResponse presets;
  ASSERT_TRUE(stub_->ListPresets(As(Role::kRep).get(), {}, &presets).ok());
  ASSERT_EQ(presets.presets_size(), 2);
  EXPECT_EQ(presets.presets(0).name(), "seed-002-comprehensive");
  EXPECT_EQ(presets.presets(1).name(), "seed-001-follow-up");
  const v1::ScorecardTemplate& seed002 = presets.presets(0).template_();
  ASSERT_EQ(seed002.dimensions_size(), 4);
  std::vector<int64_t> weights;
  for (const auto& d : seed002.dimensions()) weights.push_back(d.weight());
  EXPECT_THAT(weights, ElementsAre(4000, 3000, 2000, 1000));
  ASSERT_EQ(seed002.grades_size(), 3);
  EXPECT_EQ(seed002.grades(1).min_points(), 9000);
  EXPECT_EQ(seed002.grades(2).min_points(), 12000);

  // By name…
  v1::CreateTemplateRequest req;
  req.set_template_id("comprehensive");
  req.set_preset("seed-002-comprehensive");
  v1::CreateTemplateResponse resp;
  ASSERT_TRUE(Create(req, &resp).ok());
  EXPECT_EQ(resp.template_().preset(), "seed-002-comprehensive");
  EXPECT_EQ(resp.template_().dimensions_size(), 4);
  // …and from the listed definition (a client's copy passes validation).
  for (const v1::Preset& preset : presets.presets()) {
    MustCreate(absl::StrCat("copy-", preset.name()), preset.template_());
  }
  v1::ListTemplatesRequest list;
  list.set_preset("seed-002-comprehensive");
  v1::ListTemplatesResponse listed;
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kAdmin).get(), list, &listed).ok());
  ASSERT_EQ(listed.templates_size(), 1);
  EXPECT_EQ(listed.templates(0).template_id(), "comprehensive");

  req.set_preset("seed-999");
  grpc::Status st = Create(req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("seed-001-follow-up"));
}

TEST_F(TemplateServiceTest, AssignmentsResolveByPeriodOrDate) {
  MustCreate("a", ValidTemplate("A"));
  MustCreate("b", ValidTemplate("B"));
  auto assign = [&](const std::string& unit, const std::string& tmpl, const std::string& period,
                    const std::string& date, v1::AssignTemplateResponse* resp) {
    v1::AssignTemplateRequest req;
    req.set_request_id(absl::StrCat("asg-", unit, tmpl, period, date));
    req.set_unit_id(unit);
    req.set_template_id(tmpl);
    if (!period.empty()) req.set_effective_period(period);
    if (!date.empty()) req.set_effective_date(date);
    return stub_->AssignTemplate(As(Role::kDirector).get(), req, resp);
  };
  v1::AssignTemplateResponse resp;
  ASSERT_TRUE(assign("team-1", "a", "2025-Q1", "", &resp).ok());
  EXPECT_EQ(resp.assignment().effective_from(), "2025-01-01");
  EXPECT_EQ(resp.assignment().effective_period(), "2025-Q1");
  EXPECT_EQ(resp.assignment().assigned_by(), "director-user");
  ASSERT_TRUE(assign("team-1", "b", "", "2025-05-15", &resp).ok());
  EXPECT_EQ(resp.assignment().effective_from(), "2025-05-15");
  EXPECT_EQ(assign("team-1", "zzz", "2025-Q1", "", &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(assign("team-1", "a", "", "", &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(assign("team-1", "a", "", "2025-02-30", &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(assign("team-1", "a", "2025-Q9", "", &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto assigned = [&](const std::string& period, const std::string& date,
                      v1::GetAssignedTemplateResponse* out) {
    v1::GetAssignedTemplateRequest req;
    req.set_unit_id("team-1");
    if (!period.empty()) req.set_period(period);
    if (!date.empty()) req.set_date(date);
    return stub_->GetAssignedTemplate(As(Role::kRep).get(), req, out);
  };
  v1::GetAssignedTemplateResponse got;
  ASSERT_TRUE(assigned("2025-03", "", &got).ok());
  EXPECT_EQ(got.template_().template_id(), "a");
  // Q2 is evaluated with the template in force at its end.
  ASSERT_TRUE(assigned("2025-Q2", "", &got).ok());
  EXPECT_EQ(got.template_().template_id(), "b");
  ASSERT_TRUE(assigned("", "2025-05-14", &got).ok());
  EXPECT_EQ(got.template_().template_id(), "a");
  EXPECT_EQ(assigned("2024", "", &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // The assignment pins the template, not a version: an update shows through.
  v1::ScorecardTemplate next = ValidTemplate("A v2");
  next.set_template_id("a");
  v1::UpdateTemplateResponse updated;
  ASSERT_TRUE(Update(next, 1, "a-v2", &updated).ok());
  ASSERT_TRUE(assigned("2025-03", "", &got).ok());
  EXPECT_EQ(got.template_().version(), 2);
  EXPECT_EQ(got.assignment().template_id(), "a");

  v1::ListAssignmentsRequest list;
  list.set_unit_id("team-1");
  v1::ListAssignmentsResponse history;
  ASSERT_TRUE(stub_->ListAssignments(As(Role::kHr).get(), list, &history).ok());
  ASSERT_EQ(history.assignments_size(), 2);
  EXPECT_EQ(history.assignments(0).template_id(), "a");
  EXPECT_EQ(history.assignments(1).template_id(), "b");
}

// Every role × every RPC: PERMISSION_DENIED exactly for the roles the RPC
// does not allow; the others get past the role check (OK or a data error).
TEST_F(TemplateServiceTest, RolesTable) {
  MustCreate("t", ValidTemplate());
  const std::vector<Role> roles = {
      Role::kAdmin,           Role::kCrmIngest, Role::kDirector,
      Role::kManager,         Role::kRep,       Role::kCommitteeSecretary,
      Role::kCommitteeMember, Role::kFinance,   Role::kHr,
      Role::kService};
  const std::set<Role> writers = {Role::kAdmin, Role::kDirector};
  const std::set<Role> readers = {Role::kAdmin,   Role::kDirector, Role::kHr,
                                  Role::kManager, Role::kRep,      Role::kService};
  int n = 0;
  for (Role role : roles) {
    ++n;
    std::map<std::string, grpc::Status> got;
    {
      v1::CreateTemplateRequest req;
      req.set_template_id(absl::StrCat("r", n));
      req.set_preset("seed-001-follow-up");
      v1::CreateTemplateResponse resp;
      got["CreateTemplate"] = stub_->CreateTemplate(As(role).get(), req, &resp);
    }
    {
      v1::ScorecardTemplate t = ValidTemplate();
      t.set_template_id("t");
      v1::UpdateTemplateRequest req;
      *req.mutable_template_() = t;
      req.set_expected_version(1);
      v1::UpdateTemplateResponse resp;
      got["UpdateTemplate"] = stub_->UpdateTemplate(As(role).get(), req, &resp);
    }
    {
      v1::AssignTemplateRequest req;
      req.set_unit_id("team-1");
      req.set_template_id("t");
      req.set_effective_period("2025");
      v1::AssignTemplateResponse resp;
      got["AssignTemplate"] = stub_->AssignTemplate(As(role).get(), req, &resp);
    }
    {
      v1::GetTemplateRequest req;
      req.set_template_id("t");
      v1::GetTemplateResponse resp;
      got["GetTemplate"] = stub_->GetTemplate(As(role).get(), req, &resp);
    }
    {
      v1::ListTemplatesResponse resp;
      got["ListTemplates"] = stub_->ListTemplates(As(role).get(), {}, &resp);
    }
    {
      v1::ListTemplateVersionsRequest req;
      req.set_template_id("t");
      v1::ListTemplateVersionsResponse resp;
      got["ListTemplateVersions"] = stub_->ListTemplateVersions(As(role).get(), req, &resp);
    }
    {
      v1::ListAssignmentsResponse resp;
      got["ListAssignments"] = stub_->ListAssignments(As(role).get(), {}, &resp);
    }
    {
      v1::GetAssignedTemplateRequest req;
      req.set_unit_id("team-1");
      req.set_period("2025");
      v1::GetAssignedTemplateResponse resp;
      got["GetAssignedTemplate"] = stub_->GetAssignedTemplate(As(role).get(), req, &resp);
    }
    {
      v1::ListPresetsResponse resp;
      got["ListPresets"] = stub_->ListPresets(As(role).get(), {}, &resp);
    }
    for (const auto& [method, status] : got) {
      const bool write =
          method == "CreateTemplate" || method == "UpdateTemplate" || method == "AssignTemplate";
      const bool allowed = write ? writers.count(role) > 0 : readers.count(role) > 0;
      SCOPED_TRACE(absl::StrCat(RoleName(role), " ", method, ": ", status.error_message()));
      if (allowed) {
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      }
    }
  }
  // No token at all.
  grpc::ClientContext anonymous;
  v1::ListTemplatesResponse resp;
  EXPECT_EQ(stub_->ListTemplates(&anonymous, {}, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TemplateServiceTest, AnotherTenantsTemplatesAreNotFound) {
  MustCreate("acme-only", ValidTemplate());
  v1::AssignTemplateRequest assign;
  assign.set_request_id("asg-1");
  assign.set_unit_id("team-1");
  assign.set_template_id("acme-only");
  assign.set_effective_period("2025");
  v1::AssignTemplateResponse assigned;
  ASSERT_TRUE(stub_->AssignTemplate(As(Role::kAdmin).get(), assign, &assigned).ok());

  v1::GetTemplateRequest get;
  get.set_template_id("acme-only");
  v1::GetTemplateResponse got;
  EXPECT_EQ(stub_->GetTemplate(As(Role::kAdmin, "globex").get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListTemplateVersionsRequest versions;
  versions.set_template_id("acme-only");
  v1::ListTemplateVersionsResponse listed_versions;
  EXPECT_EQ(
      stub_->ListTemplateVersions(As(Role::kAdmin, "globex").get(), versions, &listed_versions)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::ScorecardTemplate t = ValidTemplate();
  t.set_template_id("acme-only");
  v1::UpdateTemplateRequest update;
  *update.mutable_template_() = t;
  update.set_expected_version(1);
  v1::UpdateTemplateResponse updated;
  EXPECT_EQ(stub_->UpdateTemplate(As(Role::kAdmin, "globex").get(), update, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The same request_id in globex is globex's own request.
  EXPECT_EQ(stub_->AssignTemplate(As(Role::kAdmin, "globex").get(), assign, &assigned).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::GetAssignedTemplateRequest which;
  which.set_unit_id("team-1");
  which.set_period("2025-Q3");
  v1::GetAssignedTemplateResponse resolved;
  EXPECT_EQ(
      stub_->GetAssignedTemplate(As(Role::kAdmin, "globex").get(), which, &resolved).error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::ListTemplatesResponse listed;
  ASSERT_TRUE(stub_->ListTemplates(As(Role::kAdmin, "globex").get(), {}, &listed).ok());
  EXPECT_EQ(listed.templates_size(), 0);
  v1::ListAssignmentsResponse assignments;
  ASSERT_TRUE(stub_->ListAssignments(As(Role::kAdmin, "globex").get(), {}, &assignments).ok());
  EXPECT_EQ(assignments.assignments_size(), 0);
  // globex may use the same id for a template of its own.
  MustCreate("acme-only", ValidTemplate("globex's"), "globex");
}

}  // namespace
}  // namespace attain::eval
