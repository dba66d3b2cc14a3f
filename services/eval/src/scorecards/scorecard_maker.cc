#include "services/eval/src/scorecards/scorecard_maker.h"

#include <algorithm>
#include <functional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/concurrent.h"
#include "common/status.h"
#include "services/eval/src/domain/arithmetic.h"
#include "services/eval/src/domain/growth.h"
#include "services/eval/src/domain/rank.h"

namespace attain::eval {
namespace {

// attain.type.v1.Metric numbers whose inputs are not components.
constexpr int kSalesAmount = 1;
constexpr int kOverdueReceivableShare = 8;
constexpr int kNewCustomerFirstOrderAmount = 10;
constexpr int kRepurchaseRate = 11;
constexpr int kChurnRate = 22;

bool UsesMetric(const ScorecardTemplate& tmpl, int metric) {
  for (const Dimension& d : tmpl.dimensions) {
    for (const Indicator& i : d.indicators) {
      if (i.metric == metric) return true;
    }
  }
  return false;
}

// Whether the template needs ingest's customer stats (repurchase, churn,
// new-customer first-order amount).
bool UsesCustomerStats(const ScorecardTemplate& tmpl) {
  return UsesMetric(tmpl, kRepurchaseRate) || UsesMetric(tmpl, kChurnRate) ||
         UsesMetric(tmpl, kNewCustomerFirstOrderAmount);
}

// The metrics whose target-service records an evaluation reads: those of the
// indicators scored against the base or challenge level, and sales (the
// rules on results judge sales attainment).
std::vector<int> TargetMetrics(const ScorecardTemplate& tmpl) {
  std::vector<int> metrics = {kSalesAmount};
  for (const Dimension& d : tmpl.dimensions) {
    for (const Indicator& i : d.indicators) {
      if ((i.target_source == TargetSource::kBase || i.target_source == TargetSource::kChallenge) &&
          std::find(metrics.begin(), metrics.end(), i.metric) == metrics.end()) {
        metrics.push_back(i.metric);
      }
    }
  }
  return metrics;
}

v1::IndicatorStatus ToProto(IndicatorStatus s) {
  switch (s) {
    case IndicatorStatus::kScored:
      return v1::INDICATOR_STATUS_SCORED;
    case IndicatorStatus::kNoData:
      return v1::INDICATOR_STATUS_NO_DATA;
    case IndicatorStatus::kNoTarget:
      return v1::INDICATOR_STATUS_NO_TARGET;
  }
  return v1::INDICATOR_STATUS_UNSPECIFIED;
}

// Breakdown keys as the proto documents them: a customer grade's letter
// ("A"), a tier's lower-case name ("key_account"); other keys as ingest
// gives them ("" = none given).
std::string BreakdownKey(ActualsGrouping g, const std::string& key) {
  if (g == ActualsGrouping::kCustomerGrade && absl::StartsWith(key, "CUSTOMER_GRADE_")) {
    return key.substr(sizeof("CUSTOMER_GRADE_") - 1);
  }
  if (g == ActualsGrouping::kCustomerTier && absl::StartsWith(key, "CUSTOMER_TIER_")) {
    return absl::AsciiStrToLower(key.substr(sizeof("CUSTOMER_TIER_") - 1));
  }
  return key;
}

// Lists `orders` on `card`, in their order.
void AddSpecialContributions(const std::vector<SpecialContribution>& orders, v1::Scorecard* card) {
  for (const SpecialContribution& c : orders) {
    v1::SpecialContributionOrder* o = card->add_special_contributions();
    o->set_order_id(c.order_id);
    o->set_customer_id(c.customer_id);
    o->set_signed_date(c.signed_date);
    o->set_amount(c.amount);
    o->set_median_amount(c.median_amount);
    o->set_multiple(c.multiple);
  }
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> ActualOf(int metric, const ActualsBundle& bundle) {
  // No service holds overdue receivables yet (finance figures): the
  // indicator shows as no data rather than failing the whole scorecard.
  if (metric == kOverdueReceivableShare && !bundle.extra.overdue_receivable) {
    return std::optional<int64_t>();
  }
  return MetricValue(metric, bundle.components, bundle.extra);
}

std::vector<std::pair<std::string, int64_t>> ComponentsUsed(int metric,
                                                            const ActualsBundle& bundle) {
  const Components& c = bundle.components;
  const ExtraInputs& e = bundle.extra;
  using Row = std::pair<std::string, int64_t>;
  switch (metric) {
    case 1:
      return {Row{"sales_amount", c.sales_amount}};
    case 2:
      return {Row{"order_count", c.order_count}};
    case 3:
      return {Row{"sales_amount", c.sales_amount}, Row{"order_count", c.order_count}};
    case 4:
      return {Row{"gross_profit", c.gross_profit}};
    case 5:
      return {Row{"gross_profit", c.gross_profit}, Row{"sales_amount", c.sales_amount}};
    case 6:
      return {Row{"collected_amount", c.collected_amount}};
    case 7:
      return {Row{"collected_amount", c.collected_amount}, Row{"receivable_due", c.receivable_due}};
    case 9:
      return {Row{"new_customers", c.new_customers}};
    case 10:
      return {Row{"new_customer_first_month_sales", e.new_customer_first_month_sales.value_or(0)},
              Row{"new_customers", c.new_customers}};
    case 11:
      return {Row{"repeat_customers", e.repeat_customers.value_or(0)},
              Row{"active_customers", e.active_customers.value_or(0)}};
    case 12:
      return {Row{"visits", c.visits}};
    case 13:
      return {Row{"effective_visits", c.effective_visits}};
    case 14:
      return {Row{"opportunities_won", c.opportunities_won}};
    case 15:
      return {Row{"opportunities_won", c.opportunities_won},
              Row{"opportunities_lost", c.opportunities_lost}};
    case 16:
      return {Row{"won_cycle_days", c.won_cycle_days},
              Row{"opportunities_won", c.opportunities_won}};
    case 17:
      return {Row{"reports_on_time", c.reports_on_time}, Row{"reports_late", c.reports_late}};
    case 18:
      return {Row{"visits", c.visits}, Row{"follow_ups_late", c.follow_ups_late}};
    case 19:
      return {Row{"satisfaction_sum", c.satisfaction_sum},
              Row{"satisfaction_count", c.satisfaction_count}};
    case 20:
      return {Row{"collaboration_sum", c.collaboration_sum},
              Row{"collaboration_count", c.collaboration_count}};
    case 21:
      return {Row{"knowledge_sharing", c.knowledge_sharing}};
    case 22:
      return {Row{"churned_customers", e.churned_customers.value_or(0)},
              Row{"previous_active_customers", e.previous_active_customers.value_or(0)}};
    default:
      return {};  // overdue share: no source yet
  }
}

absl::StatusOr<std::vector<IndicatorInput>> MakeInputs(const ScorecardTemplate& tmpl,
                                                       const TargetsByMetric& targets,
                                                       const ActualsBundle& actuals) {
  std::vector<IndicatorInput> inputs;
  for (const Dimension& d : tmpl.dimensions) {
    for (const Indicator& ind : d.indicators) {
      IndicatorInput in;
      in.indicator_id = ind.id;
      if (ind.target_source == TargetSource::kBase ||
          ind.target_source == TargetSource::kChallenge) {
        auto it = targets.find(ind.metric);
        if (it != targets.end()) {
          in.target = ind.target_source == TargetSource::kBase ? it->second.base_value
                                                               : it->second.challenge_value;
          in.explanation.target_record_id = it->second.target_id;
        }
      }
      ASSIGN_OR_RETURN(in.actual, ActualOf(ind.metric, actuals));
      in.explanation.components = ComponentsUsed(ind.metric, actuals);
      in.explanation.cell_count = actuals.cell_count;
      inputs.push_back(std::move(in));
    }
  }
  return inputs;
}

void SetCustomerExtras(const CustomerStatsGroup& stats, ExtraInputs* extra) {
  extra->active_customers = stats.active;
  extra->repeat_customers = stats.repeat;
  extra->previous_active_customers = stats.previous_active;
  extra->churned_customers = stats.churned;
  extra->new_customer_first_month_sales = stats.new_customer_first_month_sales;
}

absl::StatusOr<ExtraInputs> ScorecardMaker::FetchExtras(const ScorecardTemplate& tmpl,
                                                        const std::string& tenant,
                                                        const std::optional<Subject>& scope,
                                                        const Period& period) {
  ExtraInputs extra;
  // Only when an indicator needs them: one more call to ingest.
  if (UsesCustomerStats(tmpl)) {
    ASSIGN_OR_RETURN(std::vector<CustomerStatsGroup> stats,
                     actuals_.CustomerStats(tenant, scope, period, ActualsGrouping::kNone));
    SetCustomerExtras(stats.front(), &extra);
  }
  return extra;
}

absl::StatusOr<ActualsBundle> ScorecardMaker::FetchActuals(const ScorecardQuery& q,
                                                           const Period& period) {
  std::optional<Subject> scope;
  if (!q.subject_is_company) scope = q.subject;
  ASSIGN_OR_RETURN(std::vector<ActualsGroup> groups,
                   actuals_.Actuals(q.tenant, scope, period, ActualsGrouping::kNone));
  ActualsBundle bundle;
  bundle.components = groups.front().components;
  bundle.cell_count = groups.front().cell_count;
  ASSIGN_OR_RETURN(bundle.extra, FetchExtras(q.tmpl, q.tenant, scope, period));
  return bundle;
}

absl::StatusOr<std::pair<int64_t, int64_t>> ScorecardMaker::RankAmongPeers(const ScorecardQuery& q,
                                                                           int64_t subject_total) {
  // Every rep's rows wherever they sat, as the subject's own scorecard counts
  // them (a rep scope), in grouped calls rather than some per peer, at once.
  std::vector<std::string> peers;
  absl::flat_hash_map<std::string, ActualsGroup> actuals_of;
  absl::flat_hash_map<std::string, CustomerStatsGroup> stats_of;
  absl::flat_hash_map<std::string, TargetsByMetric> targets_of;
  const bool customer_stats = UsesCustomerStats(q.tmpl);
  RETURN_IF_ERROR(RunConcurrently({
      [&]() -> absl::Status {
        ASSIGN_OR_RETURN(peers, org_.RepsIn(q.tenant, q.peer_team, q.period.last_day()));
        return absl::OkStatus();
      },
      [&]() -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<ActualsGroup> by_rep,
                         actuals_.Actuals(q.tenant, std::nullopt, q.period, ActualsGrouping::kRep));
        for (ActualsGroup& g : by_rep) {
          std::string key = g.key;
          actuals_of.emplace(std::move(key), std::move(g));
        }
        return absl::OkStatus();
      },
      [&]() -> absl::Status {
        if (!customer_stats) return absl::OkStatus();
        ASSIGN_OR_RETURN(
            std::vector<CustomerStatsGroup> by_rep,
            actuals_.CustomerStats(q.tenant, std::nullopt, q.period, ActualsGrouping::kRep));
        for (CustomerStatsGroup& g : by_rep) {
          std::string key = g.key;
          stats_of.emplace(std::move(key), std::move(g));
        }
        return absl::OkStatus();
      },
      [&]() -> absl::Status {
        ASSIGN_OR_RETURN(targets_of, targets_.ForRepsUnder(q.tenant, q.peer_team, q.period,
                                                           TargetMetrics(q.tmpl)));
        return absl::OkStatus();
      },
  }));

  std::vector<RankInput> entries;
  entries.push_back(RankInput{q.subject.id, subject_total});
  for (const std::string& peer : peers) {
    if (peer == q.subject.id) continue;
    ActualsBundle bundle;
    if (auto it = actuals_of.find(peer); it != actuals_of.end()) {
      bundle.components = it->second.components;
      bundle.cell_count = it->second.cell_count;
    }
    if (customer_stats) {
      auto it = stats_of.find(peer);
      SetCustomerExtras(it != stats_of.end() ? it->second : CustomerStatsGroup{}, &bundle.extra);
    }
    const Subject peer_subject{Subject::Kind::kRep, peer};
    TargetsByMetric peer_targets;
    if (auto it = targets_of.find(peer); it != targets_of.end()) {
      peer_targets = it->second;
    } else {
      // The target service scopes "under a unit" by the period's first day:
      // a rep who joined the team later is asked for alone.
      ASSIGN_OR_RETURN(peer_targets, targets_.ForSubject(q.tenant, peer_subject, q.period));
    }
    ASSIGN_OR_RETURN(std::vector<IndicatorInput> inputs, MakeInputs(q.tmpl, peer_targets, bundle));
    ASSIGN_OR_RETURN(Scorecard card, ComputeScorecard(q.tmpl, inputs));
    entries.push_back(RankInput{peer, card.total});
  }
  const int64_t count = static_cast<int64_t>(entries.size());
  ASSIGN_OR_RETURN(std::vector<RankedEntry> ranked,
                   Rank(std::move(entries), /*lower_is_better=*/false));
  for (const RankedEntry& e : ranked) {
    if (e.id == q.subject.id) return std::make_pair(e.rank, count);
  }
  return absl::InternalError("the subject fell out of its own ranking");
}

absl::Status ScorecardMaker::AddBreakdowns(const ScorecardQuery& q, v1::Scorecard* out) {
  std::optional<Subject> scope;
  if (!q.subject_is_company) scope = q.subject;
  struct Kind {
    ActualsGrouping grouping;
    const char* name;
  };
  static constexpr Kind kKinds[] = {{ActualsGrouping::kProductLine, "product_line"},
                                    {ActualsGrouping::kRegion, "region"},
                                    {ActualsGrouping::kCustomerGrade, "customer_grade"},
                                    {ActualsGrouping::kCustomerTier, "customer_tier"}};
  constexpr size_t kKindCount = sizeof(kKinds) / sizeof(kKinds[0]);
  std::vector<ActualsGroup> groups_of[kKindCount];
  std::vector<std::function<absl::Status()>> calls;
  for (size_t k = 0; k < kKindCount; ++k) {
    calls.push_back([&, k]() -> absl::Status {
      ASSIGN_OR_RETURN(groups_of[k],
                       actuals_.Actuals(q.tenant, scope, q.period, kKinds[k].grouping));
      return absl::OkStatus();
    });
  }
  RETURN_IF_ERROR(RunConcurrently(std::move(calls)));
  for (size_t k = 0; k < kKindCount; ++k) {
    const Kind& kind = kKinds[k];
    const std::vector<ActualsGroup>& groups = groups_of[k];
    int64_t total = 0;
    for (const ActualsGroup& g : groups) total += g.components.sales_amount;
    // Shares of sales; groups that only carry visits or payments have no
    // share of sales and are left out, as is everything when nothing sold.
    if (total <= 0) continue;
    for (const ActualsGroup& g : groups) {
      if (g.components.sales_amount == 0) continue;
      v1::BreakdownRow* row = out->add_breakdowns();
      row->set_dimension(kind.name);
      row->set_key(BreakdownKey(kind.grouping, g.key));
      row->set_metric(static_cast<type::v1::Metric>(kSalesAmount));
      row->set_value(g.components.sales_amount);
      ASSIGN_OR_RETURN(
          int64_t share,
          DivideRoundHalfUp(absl::int128(g.components.sales_amount) * kFullAttainment, total));
      row->set_share_bp(share);
    }
  }
  return absl::OkStatus();
}

absl::Status ScorecardMaker::Make(const ScorecardQuery& q, v1::Scorecard* out) {
  // The inputs at once: the target service and ingest answer in parallel.
  TargetsByMetric targets;
  const Period periods[3] = {q.period, q.period.Previous(), q.period.SameLastYear()};
  ActualsBundle bundles[3];  // current, previous, last year
  std::vector<std::function<absl::Status()>> calls;
  calls.push_back([&]() -> absl::Status {
    ASSIGN_OR_RETURN(targets, targets_.ForSubject(q.tenant, q.subject, q.period));
    return absl::OkStatus();
  });
  for (int i = 0; i < 3; ++i) {
    calls.push_back([&, i]() -> absl::Status {
      ASSIGN_OR_RETURN(bundles[i], FetchActuals(q, periods[i]));
      return absl::OkStatus();
    });
  }
  v1::Scorecard breakdowns;
  calls.push_back([&] { return AddBreakdowns(q, &breakdowns); });
  // A rep's special contributions: all their orders of the period, wherever
  // credited (a unit's card lists none: its reps' cards in an evaluation do).
  const bool is_rep = q.subject.kind == Subject::Kind::kRep;
  std::vector<SpecialContribution> special;
  if (is_rep) {
    calls.push_back([&]() -> absl::Status {
      ASSIGN_OR_RETURN(special, actuals_.SpecialContributions(q.tenant, q.subject, q.period));
      return absl::OkStatus();
    });
  }
  RETURN_IF_ERROR(RunConcurrently(std::move(calls)));
  RETURN_IF_ERROR(
      Fill(q.tmpl, q.subject, q.period, targets, bundles[0], bundles[1], bundles[2], out));
  const int64_t total = out->total_points();
  if (!q.peer_team.empty()) {
    ASSIGN_OR_RETURN(auto ranked, RankAmongPeers(q, total));
    out->set_rank(static_cast<int32_t>(ranked.first));
    out->set_peer_count(static_cast<int32_t>(ranked.second));
  }
  // Flags (bonus eligible, warnings, team fund) need the results of earlier
  // periods and of the whole unit: they belong to evaluations (MakeForReps
  // and the evaluation rules), not to a scorecard computed on the fly. A
  // special contribution needs nothing more than its orders.
  out->mutable_breakdowns()->Swap(breakdowns.mutable_breakdowns());
  AddSpecialContributions(special, out);
  if (!special.empty()) out->add_flags("special_contribution");
  return absl::OkStatus();
}

absl::Status ScorecardMaker::Fill(const ScorecardTemplate& tmpl, const Subject& subject,
                                  const Period& period, const TargetsByMetric& targets,
                                  const ActualsBundle& current, const ActualsBundle& previous,
                                  const ActualsBundle& last_year, v1::Scorecard* out) {
  const ScorecardTemplate& qt = tmpl;
  ASSIGN_OR_RETURN(std::vector<IndicatorInput> inputs, MakeInputs(qt, targets, current));
  absl::StatusOr<Scorecard> card = ComputeScorecard(qt, inputs);
  // The template was validated when stored and the inputs are built from it:
  // a refusal here is this service's fault, not the caller's.
  if (!card.ok()) {
    return absl::InternalError(
        absl::StrCat("the scorecard could not be computed: ", card.status().message()));
  }

  out->mutable_subject()->set_kind(subject.kind == Subject::Kind::kRep ? type::v1::SCOPE_KIND_REP
                                                                       : type::v1::SCOPE_KIND_UNIT);
  out->mutable_subject()->set_id(subject.id);
  out->set_period(period.ToString());
  out->set_template_id(card->template_id);
  out->set_template_version(card->template_version);
  out->set_total_points(card->total);
  out->set_grade(card->grade);
  out->set_grade_note(card->grade_note);
  if (card->strongest_indicator_id) out->add_strongest_indicator_ids(*card->strongest_indicator_id);
  if (card->weakest_indicator_id) out->add_weakest_indicator_ids(*card->weakest_indicator_id);

  absl::flat_hash_map<std::string, const IndicatorResult*> results;
  for (const IndicatorResult& r : card->indicators) results[r.indicator_id] = &r;
  for (size_t di = 0; di < qt.dimensions.size(); ++di) {
    const Dimension& dim = qt.dimensions[di];
    const DimensionResult& dres = card->dimensions[di];
    v1::DimensionRow* drow = out->add_dimensions();
    drow->set_dimension_id(dres.dimension_id);
    drow->set_name(dres.name);
    drow->set_points(dres.points);
    drow->set_weight(dres.weight);
    for (const Indicator& ind : dim.indicators) {
      const IndicatorResult& r = *results.at(ind.id);
      v1::IndicatorRow* row = drow->add_indicators();
      row->set_indicator_id(r.indicator_id);
      row->set_name(r.name);
      row->set_metric(static_cast<type::v1::Metric>(r.metric));
      row->set_status(ToProto(r.status));
      if (r.target) row->set_target(*r.target);
      if (r.actual) row->set_actual(*r.actual);
      if (r.gap) row->set_gap(*r.gap);
      if (r.attainment_bp) row->set_attainment_bp(*r.attainment_bp);
      row->set_points(r.points);
      row->set_max_points(r.points_possible);

      ASSIGN_OR_RETURN(std::optional<int64_t> prev_value, ActualOf(ind.metric, previous));
      ASSIGN_OR_RETURN(std::optional<int64_t> ly_value, ActualOf(ind.metric, last_year));
      ASSIGN_OR_RETURN(Growth mom, ComputeGrowth(r.actual, prev_value));
      ASSIGN_OR_RETURN(Growth yoy, ComputeGrowth(r.actual, ly_value));
      if (mom.bp) row->set_mom_bp(*mom.bp);
      if (yoy.bp) row->set_yoy_bp(*yoy.bp);

      v1::Explanation* ex = row->mutable_explanation();
      ex->set_target_id(r.explanation.target_record_id);
      if (auto it = targets.find(ind.metric);
          it != targets.end() && !r.explanation.target_record_id.empty()) {
        ex->set_target_version(it->second.version);
        row->set_currency_code(it->second.currency_code);
      }
      ex->set_fixed_target(ind.target_source == TargetSource::kFixed);
      for (const auto& [name, value] : r.explanation.components) {
        ex->add_components(absl::StrCat(name, "=", value));
      }
      ex->set_rollup_rows(r.explanation.cell_count);
    }
  }

  return absl::OkStatus();
}

absl::StatusOr<std::vector<RepScorecard>> ScorecardMaker::MakeForReps(const UnitRepsQuery& q) {
  std::optional<Subject> scope;
  if (!q.unit_is_company) scope = Subject{Subject::Kind::kUnit, q.unit_id};
  // Every input of every rep in a few grouped calls, at once.
  absl::flat_hash_map<std::string, TargetsByMetric> targets_of;
  const Period periods[3] = {q.period, q.period.Previous(), q.period.SameLastYear()};
  absl::flat_hash_map<std::string, ActualsGroup> by_rep[3];
  const bool customer_stats = UsesCustomerStats(q.tmpl);
  absl::flat_hash_map<std::string, CustomerStatsGroup> stats_by_rep[3];
  std::vector<std::function<absl::Status()>> calls;
  calls.push_back([&]() -> absl::Status {
    ASSIGN_OR_RETURN(targets_of,
                     targets_.ForRepsUnder(q.tenant, q.unit_id, q.period, TargetMetrics(q.tmpl)));
    return absl::OkStatus();
  });
  for (int i = 0; i < 3; ++i) {
    calls.push_back([&, i]() -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<ActualsGroup> groups,
                       actuals_.Actuals(q.tenant, scope, periods[i], ActualsGrouping::kRep));
      for (ActualsGroup& g : groups) {
        std::string key = g.key;
        by_rep[i].emplace(std::move(key), std::move(g));
      }
      return absl::OkStatus();
    });
    if (!customer_stats) continue;
    calls.push_back([&, i]() -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<CustomerStatsGroup> groups,
                       actuals_.CustomerStats(q.tenant, scope, periods[i], ActualsGrouping::kRep));
      for (CustomerStatsGroup& g : groups) {
        std::string key = g.key;
        stats_by_rep[i].emplace(std::move(key), std::move(g));
      }
      return absl::OkStatus();
    });
  }
  // The special contributions credited to the unit, by rep.
  absl::flat_hash_map<std::string, std::vector<SpecialContribution>> special_of;
  if (q.special_contributions) {
    calls.push_back([&]() -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<SpecialContribution> special,
                       actuals_.SpecialContributions(q.tenant, scope, q.period));
      for (SpecialContribution& c : special) {
        std::string rep = c.rep_id;
        special_of[rep].push_back(std::move(c));
      }
      return absl::OkStatus();
    });
  }
  RETURN_IF_ERROR(RunConcurrently(std::move(calls)));

  // Each rep's card from the fetched inputs, into its own slot.
  std::vector<RepScorecard> cards(q.reps.size());
  auto make_card = [&](size_t index) -> absl::Status {
    const std::string& rep = q.reps[index];
    const Subject subject{Subject::Kind::kRep, rep};
    ActualsBundle bundles[3];
    for (int i = 0; i < 3; ++i) {
      if (auto it = by_rep[i].find(rep); it != by_rep[i].end()) {
        bundles[i].components = it->second.components;
        bundles[i].cell_count = it->second.cell_count;
      }
      if (customer_stats) {
        auto it = stats_by_rep[i].find(rep);
        SetCustomerExtras(it != stats_by_rep[i].end() ? it->second : CustomerStatsGroup{},
                          &bundles[i].extra);
      }
    }
    const TargetsByMetric* targets = nullptr;
    TargetsByMetric asked_alone;
    if (auto it = targets_of.find(rep); it != targets_of.end()) {
      targets = &it->second;
    } else {
      // Listed "under a unit" by the period's first day: a rep who joined
      // later is asked for alone.
      ASSIGN_OR_RETURN(asked_alone, targets_.ForSubject(q.tenant, subject, q.period));
      targets = &asked_alone;
    }
    RepScorecard& rc = cards[index];
    RETURN_IF_ERROR(
        Fill(q.tmpl, subject, q.period, *targets, bundles[0], bundles[1], bundles[2], &rc.card));
    if (auto it = special_of.find(rep); it != special_of.end()) {
      AddSpecialContributions(it->second, &rc.card);
    }
    if (auto it = targets->find(kSalesAmount);
        it != targets->end() && it->second.base_value > 0 && bundles[0].cell_count > 0) {
      ASSIGN_OR_RETURN(
          rc.sales_attainment_bp,
          DivideRoundHalfUp(absl::int128(bundles[0].components.sales_amount) * kFullAttainment,
                            it->second.base_value));
    }
    rc.sales_amount = bundles[0].components.sales_amount;
    return absl::OkStatus();
  };
  // A large team's cards in a few slices at once (10,000 reps take a core
  // ~0.2 s); the inputs are only read.
  constexpr size_t kRepsPerSlice = 2500;
  const size_t slices = std::min<size_t>(std::max<size_t>(1, std::thread::hardware_concurrency()),
                                         (q.reps.size() + kRepsPerSlice - 1) / kRepsPerSlice);
  if (slices <= 1) {
    for (size_t i = 0; i < q.reps.size(); ++i) RETURN_IF_ERROR(make_card(i));
  } else {
    std::vector<std::function<absl::Status()>> work;
    const size_t per_slice = (q.reps.size() + slices - 1) / slices;
    for (size_t from = 0; from < q.reps.size(); from += per_slice) {
      const size_t to = std::min(q.reps.size(), from + per_slice);
      work.push_back([&make_card, from, to]() -> absl::Status {
        for (size_t i = from; i < to; ++i) RETURN_IF_ERROR(make_card(i));
        return absl::OkStatus();
      });
    }
    RETURN_IF_ERROR(RunConcurrently(std::move(work)));
  }
  std::vector<RankInput> entries;
  entries.reserve(cards.size());
  for (size_t i = 0; i < cards.size(); ++i) {
    entries.push_back(RankInput{q.reps[i], cards[i].card.total_points()});
  }
  ASSIGN_OR_RETURN(std::vector<RankedEntry> ranked,
                   Rank(std::move(entries), /*lower_is_better=*/false, kBonusTopShareBp));
  absl::flat_hash_map<std::string, const RankedEntry*> rank_of;
  for (const RankedEntry& e : ranked) rank_of[e.id] = &e;
  const int32_t count = static_cast<int32_t>(cards.size());
  for (RepScorecard& rc : cards) {
    const RankedEntry& e = *rank_of.at(rc.card.subject().id());
    rc.card.set_rank(static_cast<int32_t>(e.rank));
    rc.card.set_peer_count(count);
    rc.in_top_share = e.in_top_share;
  }
  std::sort(cards.begin(), cards.end(), [](const RepScorecard& a, const RepScorecard& b) {
    if (a.card.rank() != b.card.rank()) return a.card.rank() < b.card.rank();
    return a.card.subject().id() < b.card.subject().id();
  });
  return cards;
}

}  // namespace attain::eval
