#include "services/review/src/clients/evaluation_reader.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "common/concurrent.h"
#include "common/grpc_status.h"
#include "common/status.h"

namespace attain::review {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace tv1 = ::attain::target::v1;

constexpr char kEval[] = "the evaluation service (attain-eval)";
constexpr char kTarget[] = "the target service (attain-target)";

SalesFigure SalesOf(const ev1::Scorecard& card) {
  SalesFigure f;
  f.id = card.subject().id();
  f.name = f.id;
  f.currency_code = card.currency_code();
  for (const ev1::DimensionRow& d : card.dimensions()) {
    for (const ev1::IndicatorRow& row : d.indicators()) {
      if (row.metric() != type::v1::METRIC_SALES_AMOUNT) continue;
      f.has_sales_indicator = true;
      if (row.has_target()) f.target = row.target();
      if (row.has_actual()) f.actual = row.actual();
      if (row.has_attainment_bp()) f.attainment_bp = row.attainment_bp();
      if (!row.currency_code().empty()) f.currency_code = row.currency_code();
      return f;
    }
  }
  return f;
}

SalesEvaluation EvaluationOf(const ev1::Evaluation& e) {
  SalesEvaluation out;
  out.evaluation_id = e.evaluation_id();
  out.unit_id = e.unit_id();
  out.period = e.period();
  out.template_id = e.template_id();
  out.final = e.state() == ev1::EVALUATION_STATE_FINAL;
  if (e.has_unit_row()) out.unit_row = SalesOf(e.unit_row());
  for (const ev1::Scorecard& row : e.rows()) {
    if (row.subject().kind() != type::v1::SCOPE_KIND_REP) continue;
    SalesFigure f = SalesOf(row);
    // A rep's row may leave the currency to the unit's (one currency per
    // evaluation).
    if (f.currency_code.empty() && out.unit_row) f.currency_code = out.unit_row->currency_code;
    out.reps.push_back(std::move(f));
  }
  return out;
}

}  // namespace

struct GrpcEvaluationReader::Impl {
  Impl(std::shared_ptr<grpc::Channel> eval, std::shared_ptr<grpc::Channel> target, std::string key,
       const Clock* clock, GrpcEvaluationReaderOptions opts)
      : eval_stub(ev1::ScorecardService::NewStub(std::move(eval))),
        org_stub(tv1::OrgService::NewStub(std::move(target))),
        tokens(std::move(key), "attain-review", clock),
        options(opts) {}

  void Prepare(grpc::ClientContext& ctx, const std::string& token) const {
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + options.deadline));
  }

  std::unique_ptr<ev1::ScorecardService::Stub> eval_stub;
  std::unique_ptr<tv1::OrgService::Stub> org_stub;
  ServiceTokens tokens;
  const GrpcEvaluationReaderOptions options;
};

GrpcEvaluationReader::GrpcEvaluationReader(std::shared_ptr<grpc::Channel> eval,
                                           std::shared_ptr<grpc::Channel> target,
                                           std::string signing_key, const Clock* clock,
                                           GrpcEvaluationReaderOptions options)
    : impl_(std::make_unique<Impl>(std::move(eval), std::move(target), std::move(signing_key),
                                   clock, options)) {}

GrpcEvaluationReader::~GrpcEvaluationReader() = default;

absl::StatusOr<SalesEvaluation> GrpcEvaluationReader::GetEvaluation(
    const std::string& tenant, const std::string& evaluation_id) {
  ASSIGN_OR_RETURN(std::string token, impl_->tokens.For(tenant));
  grpc::ClientContext ctx;
  impl_->Prepare(ctx, token);
  ev1::GetEvaluationRequest req;
  req.set_evaluation_id(evaluation_id);
  ev1::GetEvaluationResponse resp;
  grpc::Status st = impl_->eval_stub->GetEvaluation(&ctx, req, &resp);
  if (!st.ok()) return DependencyError(kEval, "GetEvaluation", st, "the agenda and reports");
  return EvaluationOf(resp.evaluation());
}

absl::StatusOr<std::optional<SalesEvaluation>> GrpcEvaluationReader::NewestFinalEvaluation(
    const std::string& tenant, const std::string& unit_id, const std::string& period) {
  ASSIGN_OR_RETURN(std::string token, impl_->tokens.For(tenant));
  ev1::ListEvaluationsRequest list;
  list.set_unit_id(unit_id);
  list.set_period(period);
  list.set_page_size(50);
  std::string final_id;
  for (int page = 0; page < impl_->options.max_pages && final_id.empty(); ++page) {
    grpc::ClientContext ctx;
    impl_->Prepare(ctx, token);
    ev1::ListEvaluationsResponse resp;
    grpc::Status st = impl_->eval_stub->ListEvaluations(&ctx, list, &resp);
    if (!st.ok()) return DependencyError(kEval, "ListEvaluations", st, "the agenda and reports");
    // Newest first: the first FINAL one is the figure of record.
    for (const ev1::Evaluation& e : resp.evaluations()) {
      if (e.state() == ev1::EVALUATION_STATE_FINAL) {
        final_id = e.evaluation_id();
        break;
      }
    }
    if (resp.next_page_token().empty()) break;
    list.set_page_token(resp.next_page_token());
  }
  if (final_id.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(SalesEvaluation e, GetEvaluation(tenant, final_id));
  return e;
}

absl::StatusOr<std::vector<SalesFigure>> GrpcEvaluationReader::ChildUnitSales(
    const std::string& tenant, const std::string& unit_id, const std::string& period,
    const std::string& template_id) {
  ASSIGN_OR_RETURN(std::string token, impl_->tokens.For(tenant));
  std::vector<tv1::OrgUnit> units;
  tv1::ListOrgUnitsRequest list;
  list.set_parent_id(unit_id);
  list.set_page_size(1000);
  for (int page = 0; page < impl_->options.max_pages; ++page) {
    grpc::ClientContext ctx;
    impl_->Prepare(ctx, token);
    tv1::ListOrgUnitsResponse resp;
    grpc::Status st = impl_->org_stub->ListOrgUnits(&ctx, list, &resp);
    if (!st.ok()) return DependencyError(kTarget, "ListOrgUnits", st, "the agenda and reports");
    for (const tv1::OrgUnit& u : resp.units()) {
      if (!u.archived() && u.parent_id() == unit_id) units.push_back(u);
    }
    if (resp.next_page_token().empty()) break;
    list.set_page_token(resp.next_page_token());
  }
  std::sort(units.begin(), units.end(),
            [](const tv1::OrgUnit& a, const tv1::OrgUnit& b) { return a.unit_id() < b.unit_id(); });
  // One scorecard per unit, asked for at once (each is a whole scorecard with
  // the unit's rank among its siblings: one after the other they added up).
  std::vector<SalesFigure> out(units.size());
  std::vector<std::function<absl::Status()>> calls;
  for (size_t i = 0; i < units.size(); ++i) {
    calls.push_back([&, i]() -> absl::Status {
      const tv1::OrgUnit& u = units[i];
      grpc::ClientContext ctx;
      impl_->Prepare(ctx, token);
      ev1::GetScorecardRequest req;
      req.mutable_subject()->set_kind(type::v1::SCOPE_KIND_UNIT);
      req.mutable_subject()->set_id(u.unit_id());
      req.set_period(period);
      req.set_template_id(template_id);
      ev1::GetScorecardResponse resp;
      grpc::Status st = impl_->eval_stub->GetScorecard(&ctx, req, &resp);
      if (!st.ok()) return DependencyError(kEval, "GetScorecard", st, "the agenda and reports");
      out[i] = SalesOf(resp.scorecard());
      out[i].id = u.unit_id();
      out[i].name = u.name().empty() ? u.unit_id() : u.name();
      return absl::OkStatus();
    });
  }
  RETURN_IF_ERROR(RunConcurrently(std::move(calls)));
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> GrpcEvaluationReader::RepNames(
    const std::string& tenant, const std::string& unit_id, const std::string& as_of) {
  ASSIGN_OR_RETURN(std::string token, impl_->tokens.For(tenant));
  std::map<std::string, std::string> out;
  tv1::ListRepsRequest list;
  list.set_unit_id(unit_id);
  list.set_as_of(as_of);
  list.set_page_size(10000);
  for (int page = 0; page < impl_->options.max_pages; ++page) {
    grpc::ClientContext ctx;
    impl_->Prepare(ctx, token);
    tv1::ListRepsResponse resp;
    grpc::Status st = impl_->org_stub->ListReps(&ctx, list, &resp);
    if (!st.ok()) return DependencyError(kTarget, "ListReps", st, "the agenda and reports");
    for (const tv1::Rep& r : resp.reps()) out[r.rep_id()] = r.name();
    if (resp.next_page_token().empty()) break;
    list.set_page_token(resp.next_page_token());
  }
  return out;
}

}  // namespace attain::review
