#include "services/review/src/clients/eval_client.h"

#include <grpcpp/grpcpp.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "common/auth.h"
#include "common/grpc_status.h"
#include "common/metric.h"
#include "common/status.h"

namespace attain::review {
namespace {

namespace ev1 = ::attain::eval::v1;

constexpr char kEval[] = "the evaluation service (attain-eval)";

ScorecardFigures FiguresOf(const ev1::Scorecard& card) {
  ScorecardFigures out;
  out.template_id = card.template_id();
  out.template_version = card.template_version();
  for (const ev1::DimensionRow& d : card.dimensions()) {
    for (const ev1::IndicatorRow& row : d.indicators()) {
      IndicatorFigure f;
      f.indicator_id = row.indicator_id();
      absl::StatusOr<MetricInfo> info = LookupMetric(static_cast<int>(row.metric()));
      if (info.ok()) f.metric = std::string(info->name);
      if (row.has_actual()) f.actual = row.actual();
      out.indicators.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

struct GrpcEvalClient::Impl {
  Impl(std::shared_ptr<grpc::Channel> channel, std::string key, const Clock* clock,
       GrpcEvalClientOptions opts)
      : stub(ev1::ScorecardService::NewStub(std::move(channel))),
        tokens(std::move(key), "attain-review", clock),
        options(opts) {}

  void Prepare(grpc::ClientContext& ctx, const std::string& token) const {
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + options.deadline));
  }

  std::unique_ptr<ev1::ScorecardService::Stub> stub;
  ServiceTokens tokens;
  const GrpcEvalClientOptions options;
};

GrpcEvalClient::GrpcEvalClient(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                               const Clock* clock, GrpcEvalClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(channel), std::move(signing_key), clock, options)) {}

GrpcEvalClient::~GrpcEvalClient() = default;

absl::StatusOr<std::optional<EvaluationFigures>> GrpcEvalClient::NewestFinalEvaluation(
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
    grpc::Status st = impl_->stub->ListEvaluations(&ctx, list, &resp);
    if (!st.ok()) return DependencyError(kEval, "ListEvaluations", st, "verification");
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

  grpc::ClientContext ctx;
  impl_->Prepare(ctx, token);
  ev1::GetEvaluationRequest get;
  get.set_evaluation_id(final_id);
  ev1::GetEvaluationResponse resp;
  grpc::Status st = impl_->stub->GetEvaluation(&ctx, get, &resp);
  if (!st.ok()) return DependencyError(kEval, "GetEvaluation", st, "verification");
  const ev1::Evaluation& e = resp.evaluation();
  EvaluationFigures out;
  out.evaluation_id = e.evaluation_id();
  out.unit_id = e.unit_id();
  out.period = e.period();
  if (e.has_unit_row()) out.unit_row = FiguresOf(e.unit_row());
  for (const ev1::Scorecard& row : e.rows()) {
    if (row.subject().kind() == type::v1::SCOPE_KIND_REP) {
      out.reps[row.subject().id()] = FiguresOf(row);
    }
  }
  return out;
}

}  // namespace attain::review
