#include "services/eval/src/scorecards/unit_comparison.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "services/eval/src/domain/arithmetic.h"
#include "services/eval/src/domain/rank.h"
#include "services/eval/src/domain/scorecard.h"
#include "services/eval/src/scorecards/scorecard_maker.h"

namespace attain::eval {
namespace {

// attain.type.v1.Metric number.
constexpr int kSalesAmount = 1;

// One grouped call serves the units when they are all teams or all regions
// (ingest keys rows by the rep's team and its region on the day, which is
// what a unit scope selects); nullopt otherwise.
std::optional<ActualsGrouping> SharedGrouping(const std::vector<ComparedUnit>& units) {
  const UnitLevel level = units.front().unit.level;
  for (const ComparedUnit& u : units) {
    if (u.unit.level != level) return std::nullopt;
  }
  if (level == UnitLevel::kTeam) return ActualsGrouping::kTeam;
  if (level == UnitLevel::kRegion) return ActualsGrouping::kRegion;
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::vector<v1::ComparisonRow>> UnitComparer::Compare(const CompareUnitsQuery& q) {
  if (q.units.empty()) return std::vector<v1::ComparisonRow>();
  // ---- actuals: grouped when the levels allow ----
  absl::flat_hash_map<std::string, ActualsGroup> actuals_of;
  if (std::optional<ActualsGrouping> grouping = SharedGrouping(q.units)) {
    ASSIGN_OR_RETURN(std::vector<ActualsGroup> groups,
                     actuals_.Actuals(q.tenant, std::nullopt, q.period, *grouping));
    for (ActualsGroup& g : groups) {
      std::string key = g.key;
      actuals_of.emplace(std::move(key), std::move(g));
    }
  } else {
    for (const ComparedUnit& u : q.units) {
      std::optional<Subject> scope;
      if (!u.unit.parent_id.empty()) scope = Subject{Subject::Kind::kUnit, u.unit.unit_id};
      ASSIGN_OR_RETURN(std::vector<ActualsGroup> groups,
                       actuals_.Actuals(q.tenant, scope, q.period, ActualsGrouping::kNone));
      actuals_of[u.unit.unit_id] = std::move(groups.front());
    }
  }

  std::vector<v1::ComparisonRow> rows;
  std::vector<RankInput> entries;
  rows.reserve(q.units.size());
  for (const ComparedUnit& u : q.units) {
    const std::string& id = u.unit.unit_id;
    const Subject subject{Subject::Kind::kUnit, id};
    std::optional<Subject> scope;
    if (!u.unit.parent_id.empty()) scope = subject;

    ActualsBundle bundle;
    if (auto it = actuals_of.find(id); it != actuals_of.end()) {
      bundle.components = it->second.components;
      bundle.cell_count = it->second.cell_count;
    }
    // The repurchase column always needs the customer counts; the template
    // may use them too (repurchase or churn indicators).
    ASSIGN_OR_RETURN(std::vector<CustomerStatsGroup> stats,
                     actuals_.CustomerStats(q.tenant, scope, q.period, ActualsGrouping::kNone));
    const CustomerStatsGroup& counts = stats.front();
    SetCustomerExtras(counts, &bundle.extra);
    ASSIGN_OR_RETURN(TargetsByMetric targets, targets_.ForSubject(q.tenant, subject, q.period));
    ASSIGN_OR_RETURN(std::vector<std::string> reps, org_.RepsIn(q.tenant, id, q.period.last_day()));

    ASSIGN_OR_RETURN(std::vector<IndicatorInput> inputs, MakeInputs(u.tmpl, targets, bundle));
    absl::StatusOr<Scorecard> card = ComputeScorecard(u.tmpl, inputs);
    if (!card.ok()) {
      // Stored templates were validated when written: this service's fault.
      return absl::InternalError(absl::StrCat(
          "the scorecard of unit \"", id, "\" could not be computed: ", card.status().message()));
    }

    v1::ComparisonRow row;
    row.set_unit_id(id);
    row.set_name(u.unit.name);
    const Components& c = bundle.components;
    row.set_sales_amount(c.sales_amount);
    if (auto it = targets.find(kSalesAmount); it != targets.end()) {
      row.set_currency_code(it->second.currency_code);
      if (it->second.base_value > 0) {
        ASSIGN_OR_RETURN(int64_t bp,
                         DivideRoundHalfUp(absl::int128(c.sales_amount) * kFullAttainment,
                                           it->second.base_value));
        row.set_attainment_bp(bp);
      }
    }
    row.set_new_customers(c.new_customers);
    if (counts.active > 0) {
      ASSIGN_OR_RETURN(int64_t bp, DivideRoundHalfUp(absl::int128(counts.repeat) * kFullAttainment,
                                                     counts.active));
      row.set_repurchase_rate_bp(bp);
    }
    row.set_rep_count(static_cast<int32_t>(reps.size()));
    if (!reps.empty()) {
      ASSIGN_OR_RETURN(int64_t per_rep, DivideRoundHalfUp(absl::int128(c.visits) * 100,
                                                          static_cast<int64_t>(reps.size())));
      row.set_visits_per_rep(per_rep);
    }
    row.set_total_points(card->total);
    row.set_template_id(u.tmpl.id);
    row.set_template_version(u.tmpl.version);
    entries.push_back(RankInput{id, card->total});
    rows.push_back(std::move(row));
  }

  ASSIGN_OR_RETURN(std::vector<RankedEntry> ranked,
                   Rank(std::move(entries), /*lower_is_better=*/false));
  absl::flat_hash_map<std::string, int64_t> rank_of;
  for (const RankedEntry& e : ranked) rank_of[e.id] = e.rank;
  for (v1::ComparisonRow& row : rows) row.set_rank(static_cast<int32_t>(rank_of.at(row.unit_id())));
  std::sort(rows.begin(), rows.end(), [](const v1::ComparisonRow& a, const v1::ComparisonRow& b) {
    if (a.rank() != b.rank()) return a.rank() < b.rank();
    return a.unit_id() < b.unit_id();
  });
  return rows;
}

}  // namespace attain::eval
