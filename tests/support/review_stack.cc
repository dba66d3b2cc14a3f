#include "tests/support/review_stack.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/grpc_status.h"

namespace attain::testing {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;

// `status` with `step` in front of its message (OK stays OK).
absl::Status During(const std::string& step, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(step, ": ", status.message()));
}
absl::Status During(const std::string& step, const grpc::Status& status) {
  return During(step, FromGrpcStatus(status));
}

}  // namespace

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

::testing::AssertionResult IsOk(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << CodeName(status.error_code()) << ": " << status.error_message();
}

::testing::AssertionResult Fails(const grpc::Status& status, grpc::StatusCode code,
                                 const std::vector<std::string>& parts) {
  if (status.ok()) {
    return ::testing::AssertionFailure() << "the call succeeded; expected " << CodeName(code);
  }
  if (status.error_code() != code) {
    return ::testing::AssertionFailure()
           << "got " << CodeName(status.error_code()) << " (" << status.error_message()
           << "); expected " << CodeName(code);
  }
  for (const std::string& part : parts) {
    if (!absl::StrContains(status.error_message(), part)) {
      return ::testing::AssertionFailure()
             << CodeName(code) << " message \"" << status.error_message()
             << "\" does not mention \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

ReviewCaller::ReviewCaller(const std::shared_ptr<grpc::Channel>& channel, std::string token)
    : actions_(review::v1::ActionItemService::NewStub(channel)),
      committees_(review::v1::CommitteeService::NewStub(channel)),
      meetings_(review::v1::MeetingService::NewStub(channel)),
      token_(std::move(token)) {}

absl::StatusOr<std::unique_ptr<ServiceProcess>> StartReview(IngestStack& stack,
                                                            const std::string& review_binary,
                                                            const std::string& jwt_key,
                                                            const std::string& fake_now,
                                                            const std::string& eval_addr) {
  return ServiceProcess::Start(
      {review_binary,
       {"--pg-url", stack.db_url(), "--jwt-key", jwt_key, "--fake-now", fake_now, "--eval-addr",
        eval_addr.empty() ? stack.eval().address() : eval_addr, "--target-addr",
        stack.target().address(), "--workers", "4"},
       {}});
}

ReviewData ReviewData::OneTeam() {
  ReviewData data;
  data.teams = {"t1"};
  data.reps = {{"r1", "t1"}, {"r2", "t1"}};
  data.targets = {
      {type::v1::SCOPE_KIND_REP, "r1", 1000000},
      {type::v1::SCOPE_KIND_REP, "r2", 1000000},
      {type::v1::SCOPE_KIND_UNIT, "co", 2500000},
  };
  data.orders = {OrderEvent("o1", 1, "r1", 1200000, "2025-05-10"),
                 OrderEvent("o2", 1, "r2", 800000, "2025-06-01")};
  return data;
}

ReviewData ReviewData::TwoTeams() {
  ReviewData data;
  data.teams = {"t1", "t2"};
  data.reps = {{"r1", "t1"}, {"r2", "t1"}, {"r3", "t1"}, {"r4", "t2"}};
  data.targets = {
      {type::v1::SCOPE_KIND_REP, "r1", 1000000},  {type::v1::SCOPE_KIND_REP, "r2", 1000000},
      {type::v1::SCOPE_KIND_REP, "r3", 1000000},  {type::v1::SCOPE_KIND_REP, "r4", 1000000},
      {type::v1::SCOPE_KIND_UNIT, "t1", 3000000}, {type::v1::SCOPE_KIND_UNIT, "t2", 1000000},
      {type::v1::SCOPE_KIND_UNIT, "co", 4000000},
  };
  data.orders = {OrderEvent("o1", 1, "r1", 1200000, "2025-05-10"),
                 OrderEvent("o2", 1, "r2", 800000, "2025-06-01"),
                 OrderEvent("o3", 1, "r3", 500000, "2025-04-20"),
                 OrderEvent("o4", 1, "r4", 950000, "2025-06-10")};
  return data;
}

absl::Status SeedReviewData(IngestStack& stack, const std::string& tenant, const ReviewData& data) {
  const std::string admin = stack.Token(tenant, Role::kAdmin, "boss");
  auto org = target::v1::OrgService::NewStub(stack.target().NewChannel());
  absl::Status st =
      During("CreateOrgUnit co", CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY));
  if (!st.ok()) return st;
  for (const std::string& team : data.teams) {
    st = During("CreateOrgUnit " + team,
                CreateUnit(*org, admin, team, "co", tv1::ORG_UNIT_KIND_TEAM));
    if (!st.ok()) return st;
  }
  for (const auto& [rep, team] : data.reps) {
    st = During("CreateRep " + rep, CreateRep(*org, admin, rep, team));
    if (!st.ok()) return st;
  }

  auto targets = tv1::TargetService::NewStub(stack.target().NewChannel());
  for (const ReviewData::Target& target : data.targets) {
    tv1::SetTargetRequest req;
    req.set_request_id("target-" + target.id);
    tv1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(target.kind);
    t->mutable_scope()->set_id(target.id);
    t->set_period("2025-Q2");
    t->set_metric(type::v1::METRIC_SALES_AMOUNT);
    t->set_base_value(target.base);
    t->set_currency_code("CNY");
    tv1::SetTargetResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, admin);
    st = During("SetTarget " + target.id, targets->SetTarget(&ctx, req, &resp));
    if (!st.ok()) return st;
  }

  auto ingest = iv1::IngestService::NewStub(stack.ingest().NewChannel());
  iv1::IngestBatchRequest batch;
  for (const iv1::Event& order : data.orders) *batch.add_events() = order;
  iv1::IngestBatchResponse batch_resp;
  grpc::ClientContext ictx;
  Authorize(ictx, stack.Token(tenant, Role::kCrmIngest, "crm"));
  st = During("IngestBatch", ingest->IngestBatch(&ictx, batch, &batch_resp));
  if (!st.ok()) return st;
  for (const iv1::EventOutcome& o : batch_resp.outcomes()) {
    if (o.outcome() != iv1::OUTCOME_ACCEPTED) {
      return absl::FailedPreconditionError(
          absl::StrCat("IngestBatch: an order was not accepted: ", o.ShortDebugString()));
    }
  }

  st = CreateSales100Template(stack, admin);
  if (!st.ok()) return st;
  return AssignTemplate(stack, admin, "co", "sales100", "2025-01");
}

ev1::ScorecardTemplate SalesOnlyTemplate(const std::string& name, const GradeBands& grades) {
  ev1::ScorecardTemplate t;
  t.set_name(name);
  ev1::Dimension* d = t.add_dimensions();
  d->set_id("results");
  d->set_name("results");
  d->set_weight(10000);
  ev1::Indicator* i = d->add_indicators();
  i->set_id("sales");
  i->set_name("sales");
  i->set_metric(type::v1::METRIC_SALES_AMOUNT);
  i->set_target_source(ev1::TARGET_SOURCE_BASE);
  i->set_points(10000);
  i->mutable_linear()->set_cap_bp(20000);
  for (const auto& [band, min_points] : grades) {
    ev1::GradeBand* g = t.add_grades();
    g->set_name(band);
    g->set_min_points(min_points);
  }
  return t;
}

absl::Status CreateSales100Template(IngestStack& stack, const std::string& token,
                                    const GradeBands& grades) {
  ev1::CreateTemplateRequest req;
  req.set_request_id("create-sales100");
  req.set_template_id("sales100");
  *req.mutable_template_() = SalesOnlyTemplate("sales only", grades);
  auto templates = ev1::TemplateService::NewStub(stack.eval().NewChannel());
  ev1::CreateTemplateResponse resp;
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  return During("CreateTemplate sales100", templates->CreateTemplate(&ctx, req, &resp));
}

absl::Status AssignTemplate(IngestStack& stack, const std::string& token,
                            const std::string& unit_id, const std::string& template_id,
                            const std::string& effective_period) {
  ev1::AssignTemplateRequest req;
  req.set_request_id("assign-" + unit_id);
  req.set_unit_id(unit_id);
  req.set_template_id(template_id);
  req.set_effective_period(effective_period);
  auto templates = ev1::TemplateService::NewStub(stack.eval().NewChannel());
  ev1::AssignTemplateResponse resp;
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  return During(absl::StrCat("AssignTemplate ", template_id, " to ", unit_id),
                templates->AssignTemplate(&ctx, req, &resp));
}

absl::StatusOr<eval::v1::Evaluation> RunAndFinalizeEvaluation(IngestStack& stack,
                                                              const std::string& tenant,
                                                              const std::string& unit_id,
                                                              const std::string& period,
                                                              const std::string& request_key) {
  const std::string director = stack.Token(tenant, Role::kDirector, "dir");
  auto scorecards = ev1::ScorecardService::NewStub(stack.eval().NewChannel());
  ev1::RunEvaluationRequest run;
  run.set_unit_id(unit_id);
  run.set_period(period);
  run.set_request_id("run-" + request_key);
  ev1::RunEvaluationResponse ran;
  grpc::ClientContext rctx;
  Authorize(rctx, director);
  absl::Status st = During(absl::StrCat("RunEvaluation ", unit_id, " ", period),
                           scorecards->RunEvaluation(&rctx, run, &ran));
  if (!st.ok()) return st;
  ev1::FinalizeEvaluationRequest fin;
  fin.set_evaluation_id(ran.evaluation().evaluation_id());
  fin.set_request_id("finalize-" + request_key);
  ev1::FinalizeEvaluationResponse finalized;
  grpc::ClientContext fctx;
  Authorize(fctx, director);
  st = During("FinalizeEvaluation " + ran.evaluation().evaluation_id(),
              scorecards->FinalizeEvaluation(&fctx, fin, &finalized));
  if (!st.ok()) return st;
  return finalized.evaluation();
}

}  // namespace attain::testing
