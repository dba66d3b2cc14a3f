#include "services/eval/src/scorecards/grpc_sources.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/concurrent.h"
#include "common/grpc_status.h"
#include "common/status.h"

namespace attain::eval {
namespace {

namespace tv1 = ::attain::target::v1;
namespace iv1 = ::attain::ingest::v1;

constexpr char kTarget[] = "the target service (attain-target)";
constexpr char kIngest[] = "the ingest service (attain-ingest)";
// What a dependency's answer is for, in the UNAVAILABLE message.
constexpr char kNeededFor[] = "the scorecard";

void Prepare(grpc::ClientContext& ctx, const std::string& token, absl::Duration deadline) {
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

type::v1::Scope ToScope(const Subject& s) {
  type::v1::Scope scope;
  scope.set_kind(s.kind == Subject::Kind::kRep ? type::v1::SCOPE_KIND_REP
                                               : type::v1::SCOPE_KIND_UNIT);
  scope.set_id(s.id);
  return scope;
}

Components FromProto(const iv1::Components& c) {
  Components out;
  out.sales_amount = c.sales_amount();
  out.order_count = c.order_count();
  out.gross_profit = c.gross_profit();
  out.collected_amount = c.collected_amount();
  out.receivable_due = c.receivable_due();
  out.new_customers = c.new_customers();
  out.visits = c.visits();
  out.effective_visits = c.effective_visits();
  out.follow_ups_late = c.follow_ups_late();
  out.opportunities_won = c.opportunities_won();
  out.opportunities_lost = c.opportunities_lost();
  out.won_cycle_days = c.won_cycle_days();
  out.satisfaction_sum = c.satisfaction_sum();
  out.satisfaction_count = c.satisfaction_count();
  out.collaboration_sum = c.collaboration_sum();
  out.collaboration_count = c.collaboration_count();
  out.knowledge_sharing = c.knowledge_sharing();
  out.reports_on_time = c.reports_on_time();
  out.reports_late = c.reports_late();
  return out;
}

iv1::GroupBy ToGroupBy(ActualsGrouping g) {
  switch (g) {
    case ActualsGrouping::kNone:
      return iv1::GROUP_BY_NONE;
    case ActualsGrouping::kRep:
      return iv1::GROUP_BY_REP;
    case ActualsGrouping::kTeam:
      return iv1::GROUP_BY_TEAM;
    case ActualsGrouping::kProductLine:
      return iv1::GROUP_BY_PRODUCT_LINE;
    case ActualsGrouping::kRegion:
      return iv1::GROUP_BY_REGION;
    case ActualsGrouping::kCustomerGrade:
      return iv1::GROUP_BY_CUSTOMER_GRADE;
    case ActualsGrouping::kCustomerTier:
      return iv1::GROUP_BY_CUSTOMER_TIER;
  }
  return iv1::GROUP_BY_NONE;
}

CustomerStatsGroup FromProto(const iv1::CustomerStatsRow& row) {
  return CustomerStatsGroup{row.group_key(),
                            row.active_count(),
                            row.repeat_count(),
                            row.previous_active_count(),
                            row.churned_count(),
                            row.new_count(),
                            row.new_customer_first_month_sales()};
}

// Ingest's rows of one grouping; exactly one for kNone.
absl::StatusOr<std::vector<ActualsGroup>> FromRows(
    const google::protobuf::RepeatedPtrField<iv1::ActualsRow>& rows, ActualsGrouping grouping,
    const char* call) {
  std::vector<ActualsGroup> out;
  out.reserve(rows.size());
  for (const iv1::ActualsRow& row : rows) {
    out.push_back(ActualsGroup{row.group_key(), FromProto(row.components()), row.cell_count()});
  }
  if (grouping == ActualsGrouping::kNone && out.size() != 1) {
    return absl::InternalError(absl::StrCat(kIngest, " answered ", call, " without grouping with ",
                                            out.size(), " rows instead of one"));
  }
  return out;
}

}  // namespace

// ---- targets ----

GrpcTargetSource::GrpcTargetSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                                   const Clock* clock, GrpcSourceOptions options)
    : stub_(tv1::TargetService::NewStub(std::move(channel))),
      tokens_(std::move(signing_key), "attain-eval", clock),
      options_(options) {}

absl::StatusOr<absl::flat_hash_map<std::string, TargetsByMetric>> GrpcTargetSource::List(
    const std::string& tenant, tv1::ListTargetsRequest req) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  // "*": the targets of all product lines; a scorecard scores the subject's
  // whole business, product-line targets are for breakdowns and boards.
  req.set_product_line_id("*");
  req.set_page_size(10000);
  absl::flat_hash_map<std::string, TargetsByMetric> out;
  for (int page = 0; page < options_.max_pages; ++page) {
    grpc::ClientContext ctx;
    Prepare(ctx, token, options_.deadline);
    tv1::ListTargetsResponse resp;
    grpc::Status st = stub_->ListTargets(&ctx, req, &resp);
    if (!st.ok()) return DependencyError(kTarget, "ListTargets", st, kNeededFor);
    for (const tv1::Target& t : resp.targets()) {
      TargetRecord& rec = out[t.scope().id()][static_cast<int>(t.metric())];
      rec.target_id = t.target_id();
      rec.version = t.version();
      rec.base_value = t.base_value();
      rec.currency_code = t.currency_code();
      // The target service stores challenge >= base; a 0 never reaches us
      // ("0 means same as base" is resolved when it is set), but be safe.
      rec.challenge_value = t.challenge_value() > 0 ? t.challenge_value() : t.base_value();
    }
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
  return absl::FailedPreconditionError(absl::StrCat("more than ", options_.max_pages * 10000,
                                                    " targets for period ", req.period(),
                                                    ": too many to score in one call"));
}

absl::StatusOr<TargetsByMetric> GrpcTargetSource::ForSubject(const std::string& tenant,
                                                             const Subject& subject,
                                                             const Period& period) {
  tv1::ListTargetsRequest req;
  req.set_scope_kind(ToScope(subject).kind());
  req.set_scope_id(subject.id);
  req.set_period(period.ToString());
  ASSIGN_OR_RETURN(auto by_scope, List(tenant, std::move(req)));
  auto it = by_scope.find(subject.id);
  if (it == by_scope.end()) return TargetsByMetric{};
  return std::move(it->second);
}

absl::StatusOr<absl::flat_hash_map<std::string, TargetsByMetric>> GrpcTargetSource::ForRepsUnder(
    const std::string& tenant, const std::string& unit, const Period& period,
    const std::vector<int>& metrics) {
  // One call per metric, at once: the target service walks the subtree for
  // each, but sorts and pages only that metric's rows.
  std::vector<absl::flat_hash_map<std::string, TargetsByMetric>> parts(metrics.size());
  std::vector<std::function<absl::Status()>> calls;
  for (size_t i = 0; i < metrics.size(); ++i) {
    calls.push_back([&, i]() -> absl::Status {
      tv1::ListTargetsRequest req;
      req.set_scope_kind(type::v1::SCOPE_KIND_REP);
      req.set_under_unit_id(unit);
      req.set_period(period.ToString());
      req.set_metric(static_cast<type::v1::Metric>(metrics[i]));
      ASSIGN_OR_RETURN(parts[i], List(tenant, std::move(req)));
      return absl::OkStatus();
    });
  }
  RETURN_IF_ERROR(RunConcurrently(std::move(calls)));
  if (parts.empty()) return absl::flat_hash_map<std::string, TargetsByMetric>{};
  absl::flat_hash_map<std::string, TargetsByMetric> out = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    for (auto& [rep, by_metric] : parts[i]) {
      TargetsByMetric& into = out[rep];
      for (auto& [metric, rec] : by_metric) into[metric] = std::move(rec);
    }
  }
  return out;
}

// ---- actuals ----

GrpcActualsSource::GrpcActualsSource(std::shared_ptr<grpc::Channel> channel,
                                     std::string signing_key, const Clock* clock,
                                     GrpcSourceOptions options)
    : stub_(iv1::IngestQueryService::NewStub(channel)),
      compliance_(iv1::ComplianceService::NewStub(std::move(channel))),
      tokens_(std::move(signing_key), "attain-eval", clock),
      options_(options) {}

absl::StatusOr<std::vector<ActualsGroup>> GrpcActualsSource::Actuals(
    const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
    ActualsGrouping grouping) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  iv1::GetActualsRequest req;
  req.set_period(period.ToString());
  if (subject) *req.mutable_scope() = ToScope(*subject);
  req.set_group_by(ToGroupBy(grouping));
  grpc::ClientContext ctx;
  Prepare(ctx, token, options_.deadline);
  iv1::GetActualsResponse resp;
  grpc::Status st = stub_->GetActuals(&ctx, req, &resp);
  if (!st.ok()) return DependencyError(kIngest, "GetActuals", st, kNeededFor);
  return FromRows(resp.rows(), grouping, "GetActuals");
}

absl::StatusOr<std::vector<std::vector<ActualsGroup>>> GrpcActualsSource::ActualsGroupings(
    const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
    const std::vector<ActualsGrouping>& groupings) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  iv1::GetActualsGroupingsRequest req;
  req.set_period(period.ToString());
  if (subject) *req.mutable_scope() = ToScope(*subject);
  for (ActualsGrouping g : groupings) req.add_group_by(ToGroupBy(g));
  grpc::ClientContext ctx;
  Prepare(ctx, token, options_.deadline);
  iv1::GetActualsGroupingsResponse resp;
  grpc::Status st = stub_->GetActualsGroupings(&ctx, req, &resp);
  if (!st.ok()) return DependencyError(kIngest, "GetActualsGroupings", st, kNeededFor);
  if (resp.groupings_size() != static_cast<int>(groupings.size())) {
    return absl::InternalError(absl::StrCat(kIngest, " answered GetActualsGroupings with ",
                                            resp.groupings_size(), " groupings instead of ",
                                            groupings.size()));
  }
  std::vector<std::vector<ActualsGroup>> out;
  out.reserve(groupings.size());
  for (size_t i = 0; i < groupings.size(); ++i) {
    ASSIGN_OR_RETURN(
        std::vector<ActualsGroup> rows,
        FromRows(resp.groupings(static_cast<int>(i)).rows(), groupings[i], "GetActualsGroupings"));
    out.push_back(std::move(rows));
  }
  return out;
}

absl::StatusOr<std::vector<CustomerStatsGroup>> GrpcActualsSource::CustomerStats(
    const std::string& tenant, const std::optional<Subject>& scope, const Period& period,
    ActualsGrouping grouping) {
  if (grouping != ActualsGrouping::kNone && grouping != ActualsGrouping::kRep) {
    return absl::InvalidArgumentError("customer stats are kept for a whole scope or per rep only");
  }
  iv1::GetCustomerStatsResponse resp;
  RETURN_IF_ERROR(GetCustomerStats(tenant, scope, period, grouping, false, &resp));
  std::vector<CustomerStatsGroup> out;
  out.reserve(resp.rows_size());
  for (const iv1::CustomerStatsRow& row : resp.rows()) out.push_back(FromProto(row));
  if (grouping == ActualsGrouping::kNone && out.size() != 1) {
    return absl::InternalError(absl::StrCat(kIngest,
                                            " answered GetCustomerStats without grouping with ",
                                            out.size(), " rows instead of one"));
  }
  return out;
}

absl::StatusOr<CustomerStatsWithTotal> GrpcActualsSource::CustomerStatsByRepWithTotal(
    const std::string& tenant, const std::optional<Subject>& scope, const Period& period) {
  iv1::GetCustomerStatsResponse resp;
  RETURN_IF_ERROR(GetCustomerStats(tenant, scope, period, ActualsGrouping::kRep, true, &resp));
  if (!resp.has_total()) {
    return absl::InternalError(
        absl::StrCat(kIngest, " answered GetCustomerStats without the total asked for"));
  }
  CustomerStatsWithTotal out;
  out.reps.reserve(resp.rows_size());
  for (const iv1::CustomerStatsRow& row : resp.rows()) out.reps.push_back(FromProto(row));
  out.total = FromProto(resp.total());
  return out;
}

absl::Status GrpcActualsSource::GetCustomerStats(const std::string& tenant,
                                                 const std::optional<Subject>& scope,
                                                 const Period& period, ActualsGrouping grouping,
                                                 bool include_total,
                                                 iv1::GetCustomerStatsResponse* resp) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  iv1::GetCustomerStatsRequest req;
  req.set_period(period.ToString());
  if (scope) *req.mutable_scope() = ToScope(*scope);
  req.set_group_by(ToGroupBy(grouping));
  req.set_include_total(include_total);
  grpc::ClientContext ctx;
  Prepare(ctx, token, options_.deadline);
  grpc::Status st = stub_->GetCustomerStats(&ctx, req, resp);
  if (!st.ok()) return DependencyError(kIngest, "GetCustomerStats", st, kNeededFor);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SpecialContribution>> GrpcActualsSource::SpecialContributions(
    const std::string& tenant, const std::optional<Subject>& scope, const Period& period) {
  // Ingest's largest: it recomputes the list for every page.
  constexpr int kPageSize = 10000;
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  iv1::ListSpecialContributionsRequest req;
  req.set_period(period.ToString());
  if (scope) *req.mutable_scope() = ToScope(*scope);
  req.set_page_size(kPageSize);
  std::vector<SpecialContribution> out;
  for (int page = 0; page < options_.max_pages; ++page) {
    grpc::ClientContext ctx;
    Prepare(ctx, token, options_.deadline);
    iv1::ListSpecialContributionsResponse resp;
    grpc::Status st = compliance_->ListSpecialContributions(&ctx, req, &resp);
    if (!st.ok()) return DependencyError(kIngest, "ListSpecialContributions", st, kNeededFor);
    for (const iv1::SpecialContribution& c : resp.special_contributions()) {
      out.push_back(SpecialContribution{c.order_id(), c.rep_id(), c.customer_id(), c.signed_date(),
                                        c.amount(), c.median_amount(), c.baseline_orders(),
                                        c.multiple()});
    }
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "more than ", options_.max_pages * kPageSize, " special contributions in period ",
      period.ToString(), ": too many to flag on scorecards in one call"));
}

// ---- org ----

GrpcOrgSource::GrpcOrgSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                             const Clock* clock, GrpcSourceOptions options)
    : stub_(tv1::OrgService::NewStub(std::move(channel))),
      tokens_(std::move(signing_key), "attain-eval", clock),
      options_(options) {}

absl::StatusOr<std::string> GrpcOrgSource::TeamOf(const std::string& tenant, const std::string& rep,
                                                  absl::CivilDay day) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  tv1::GetRepRequest req;
  req.set_rep_id(rep);
  req.set_as_of(DayText(day));
  grpc::ClientContext ctx;
  Prepare(ctx, token, options_.deadline);
  tv1::GetRepResponse resp;
  grpc::Status st = stub_->GetRep(&ctx, req, &resp);
  if (!st.ok()) return DependencyError(kTarget, "GetRep", st, kNeededFor);
  return resp.rep().team_id();
}

absl::StatusOr<std::vector<std::string>> GrpcOrgSource::RepsIn(const std::string& tenant,
                                                               const std::string& unit,
                                                               absl::CivilDay day) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  tv1::ListRepsRequest req;
  req.set_unit_id(unit);
  req.set_as_of(DayText(day));
  req.set_page_size(10000);
  std::vector<std::string> out;
  for (int page = 0; page < options_.max_pages; ++page) {
    grpc::ClientContext ctx;
    Prepare(ctx, token, options_.deadline);
    tv1::ListRepsResponse resp;
    grpc::Status st = stub_->ListReps(&ctx, req, &resp);
    if (!st.ok()) return DependencyError(kTarget, "ListReps", st, kNeededFor);
    for (const tv1::Rep& r : resp.reps()) out.push_back(r.rep_id());
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
  return absl::FailedPreconditionError(
      absl::StrCat("more than ", options_.max_pages * 10000, " reps under unit ", unit));
}

namespace {

UnitInfo FromProto(const tv1::OrgUnit& u) {
  UnitLevel level = UnitLevel::kOther;
  switch (u.kind()) {
    case tv1::ORG_UNIT_KIND_COMPANY:
      level = UnitLevel::kCompany;
      break;
    case tv1::ORG_UNIT_KIND_REGION:
      level = UnitLevel::kRegion;
      break;
    case tv1::ORG_UNIT_KIND_TEAM:
      level = UnitLevel::kTeam;
      break;
    default:
      break;
  }
  return UnitInfo{u.unit_id(), u.parent_id(), u.name(), level};
}

}  // namespace

absl::StatusOr<UnitInfo> GrpcOrgSource::Unit(const std::string& tenant, const std::string& unit) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  tv1::GetOrgUnitRequest req;
  req.set_unit_id(unit);
  grpc::ClientContext ctx;
  Prepare(ctx, token, options_.deadline);
  tv1::GetOrgUnitResponse resp;
  grpc::Status st = stub_->GetOrgUnit(&ctx, req, &resp);
  if (!st.ok()) return DependencyError(kTarget, "GetOrgUnit", st, kNeededFor);
  return FromProto(resp.unit());
}

absl::StatusOr<std::vector<UnitInfo>> GrpcOrgSource::Children(const std::string& tenant,
                                                              const std::string& parent) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(tenant));
  tv1::ListOrgUnitsRequest req;
  req.set_parent_id(parent);
  req.set_page_size(1000);
  std::vector<UnitInfo> out;
  for (int page = 0; page < options_.max_pages; ++page) {
    grpc::ClientContext ctx;
    Prepare(ctx, token, options_.deadline);
    tv1::ListOrgUnitsResponse resp;
    grpc::Status st = stub_->ListOrgUnits(&ctx, req, &resp);
    if (!st.ok()) return DependencyError(kTarget, "ListOrgUnits", st, kNeededFor);
    for (const tv1::OrgUnit& u : resp.units()) out.push_back(FromProto(u));
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
  return absl::FailedPreconditionError(
      absl::StrCat("more than ", options_.max_pages * 1000, " units under unit ", parent));
}

}  // namespace attain::eval
