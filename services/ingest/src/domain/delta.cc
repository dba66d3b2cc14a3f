#include "services/ingest/src/domain/delta.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace attain::ingest {

bool operator==(const EntityState& a, const EntityState& b) {
  return std::tie(a.version, a.counted, a.day, a.rep_id, a.team_id, a.region_id, a.product_line_id,
                  a.customer_id, a.amount, a.gross_profit, a.status, a.cycle_days, a.currency) ==
         std::tie(b.version, b.counted, b.day, b.rep_id, b.team_id, b.region_id, b.product_line_id,
                  b.customer_id, b.amount, b.gross_profit, b.status, b.cycle_days, b.currency);
}

namespace {

bool IsClosed(OpportunityStage stage) {
  return stage == OpportunityStage::kWon || stage == OpportunityStage::kLost;
}

Cell MakeCell(const std::string& tenant, absl::CivilDay day, const std::string& rep,
              const RepPlacement& placement, std::string product_line, std::string customer) {
  return Cell{tenant,
              day,
              rep,
              placement.team_id,
              placement.region_id,
              std::move(product_line),
              std::move(customer)};
}

// The visitor of PlacementDay.
struct PlacementDayOf {
  absl::TimeZone tz;
  absl::Time occurred_at;  // surveys and collaboration ratings count on the day given
  std::optional<absl::CivilDay> operator()(const Order& e) const { return e.signed_date; }
  std::optional<absl::CivilDay> operator()(const Payment& e) const { return e.received_date; }
  std::optional<absl::CivilDay> operator()(const Receivable& e) const { return e.due_date; }
  std::optional<absl::CivilDay> operator()(const FollowUp& e) const {
    return absl::ToCivilDay(e.contact_time, tz);
  }
  std::optional<absl::CivilDay> operator()(const Opportunity& e) const {
    if (!IsClosed(e.stage)) return std::nullopt;
    return e.closed_date;
  }
  std::optional<absl::CivilDay> operator()(const Customer&) const { return std::nullopt; }
  std::optional<absl::CivilDay> operator()(const KnowledgeSharing& e) const { return e.date; }
  std::optional<absl::CivilDay> operator()(const ReportSubmission& e) const {
    return e.period.last_day();
  }
  std::optional<absl::CivilDay> operator()(const SatisfactionSurvey&) const {
    return absl::ToCivilDay(occurred_at, tz);
  }
  std::optional<absl::CivilDay> operator()(const CollaborationRating&) const {
    return absl::ToCivilDay(occurred_at, tz);
  }
};

}  // namespace

std::optional<absl::CivilDay> PlacementDay(const EventRecord& event, absl::TimeZone tz) {
  PlacementDayOf visitor{tz, event.occurred_at};
  return std::visit(visitor, event.body);
}

EntityState StateOf(const EventRecord& event, const RepPlacement& placement) {
  EntityState s;
  s.team_id = placement.team_id;
  s.region_id = placement.region_id;
  if (const auto* o = std::get_if<Order>(&event.body)) {
    s.version = o->version;
    s.counted = o->status != OrderStatus::kCancelled && o->status != OrderStatus::kUnspecified;
    s.day = o->signed_date;
    s.rep_id = o->rep_id;
    s.product_line_id = o->product_line_id;
    s.customer_id = o->customer_id;
    s.amount = o->amount.minor;
    s.gross_profit = o->gross_profit;
    s.status = static_cast<int>(o->status);
    s.currency = o->amount.currency;
  } else if (const auto* r = std::get_if<Receivable>(&event.body)) {
    s.version = r->version;
    s.counted = true;
    s.day = r->due_date;
    s.rep_id = r->rep_id;
    s.customer_id = r->customer_id;
    s.amount = r->amount_due.minor;
    s.currency = r->amount_due.currency;
  } else if (const auto* p = std::get_if<Opportunity>(&event.body)) {
    s.version = p->version;
    s.counted = IsClosed(p->stage) && p->closed_date.has_value();
    s.day = s.counted ? *p->closed_date : p->created_date;
    if (!s.counted) {
      s.team_id.clear();
      s.region_id.clear();
    }
    s.rep_id = p->rep_id;
    s.product_line_id = p->product_line_id;
    s.customer_id = p->customer_id;
    s.amount = p->amount.minor;
    s.status = static_cast<int>(p->stage);
    if (s.counted && p->stage == OpportunityStage::kWon) {
      s.cycle_days = *p->closed_date - p->created_date;
    }
    s.currency = p->amount.currency;
  }
  return s;
}

Cell CellOf(const std::string& tenant, const EntityState& state) {
  return Cell{tenant,           state.day,       state.rep_id,
              state.team_id,    state.region_id, state.product_line_id,
              state.customer_id};
}

Components ContributionOf(EventKind kind, const EntityState& state) {
  Components c{};
  if (!state.counted) return c;
  switch (kind) {
    case EventKind::kOrder:
      c[kSalesAmount] = state.amount;
      c[kOrderCount] = 1;
      c[kGrossProfit] = state.gross_profit;
      break;
    case EventKind::kReceivable:
      c[kReceivableDue] = state.amount;
      break;
    case EventKind::kOpportunity:
      if (state.status == static_cast<int>(OpportunityStage::kWon)) {
        c[kOpportunitiesWon] = 1;
        c[kWonCycleDays] = state.cycle_days;
      } else if (state.status == static_cast<int>(OpportunityStage::kLost)) {
        c[kOpportunitiesLost] = 1;
      }
      break;
    default:
      break;
  }
  return c;
}

void AddStateChange(const std::string& tenant, EventKind kind, const EntityState& before,
                    const EntityState& after, RollupDeltas* deltas) {
  deltas->Add(CellOf(tenant, before), ContributionOf(kind, before), -1);
  deltas->Add(CellOf(tenant, after), ContributionOf(kind, after), +1);
}

bool FollowUpIsLate(absl::Time contact_time, absl::Time recorded_at) {
  return recorded_at - contact_time > absl::Hours(24);
}

absl::Time ReportDeadline(ReportCadence cadence, const Period& period, absl::TimeZone tz) {
  const absl::CivilDay last = period.last_day();
  switch (cadence) {
    case ReportCadence::kDaily:
      return absl::FromCivil(absl::CivilHour(last.year(), last.month(), last.day(), 18), tz);
    case ReportCadence::kWeekly: {
      const absl::CivilDay monday = last + 1;
      return absl::FromCivil(absl::CivilHour(monday.year(), monday.month(), monday.day(), 12), tz);
    }
    case ReportCadence::kMonthly:
      // The end of the 3rd of the next month is 00:00 of the 4th.
      return absl::FromCivil(last + 4, tz);
    case ReportCadence::kUnspecified:
      break;
  }
  return absl::InfiniteFuture();
}

bool ReportOnTime(const ReportSubmission& report, absl::TimeZone tz) {
  return report.submitted_at <= ReportDeadline(report.cadence, report.period, tz);
}

void AddOneOff(const std::string& tenant, const EventRecord& event, const RepPlacement& placement,
               absl::TimeZone tz, RollupDeltas* deltas) {
  const std::string& rep = event.rep_id();
  if (const auto* p = std::get_if<Payment>(&event.body)) {
    deltas->Add(MakeCell(tenant, p->received_date, rep, placement, "", p->customer_id),
                kCollectedAmount, p->amount.minor);
  } else if (const auto* f = std::get_if<FollowUp>(&event.body)) {
    Components c{};
    c[kVisits] = 1;
    c[kEffectiveVisits] = absl::StripAsciiWhitespace(f->content).empty() ? 0 : 1;
    c[kFollowUpsLate] = FollowUpIsLate(f->contact_time, event.occurred_at) ? 1 : 0;
    deltas->Add(
        MakeCell(tenant, absl::ToCivilDay(f->contact_time, tz), rep, placement, "", f->customer_id),
        c);
  } else if (const auto* s = std::get_if<SatisfactionSurvey>(&event.body)) {
    Components c{};
    c[kSatisfactionSum] = s->score;
    c[kSatisfactionCount] = 1;
    deltas->Add(MakeCell(tenant, absl::ToCivilDay(event.occurred_at, tz), rep, placement, "",
                         s->customer_id),
                c);
  } else if (std::holds_alternative<CollaborationRating>(event.body)) {
    const auto& r = std::get<CollaborationRating>(event.body);
    Components c{};
    c[kCollaborationSum] = r.rating;
    c[kCollaborationCount] = 1;
    deltas->Add(MakeCell(tenant, absl::ToCivilDay(event.occurred_at, tz), rep, placement, "", ""),
                c);
  } else if (const auto* k = std::get_if<KnowledgeSharing>(&event.body)) {
    deltas->Add(MakeCell(tenant, k->date, rep, placement, "", ""), kKnowledgeSharing, 1);
  } else if (const auto* r = std::get_if<ReportSubmission>(&event.body)) {
    deltas->Add(MakeCell(tenant, r->period.last_day(), rep, placement, "", ""),
                ReportOnTime(*r, tz) ? kReportsOnTime : kReportsLate, 1);
  }
}

namespace {

BoardParts PartsOf(const Components& c) {
  BoardParts p{};
  p[kBoardPartSales] = c[kSalesAmount];
  p[kBoardPartCollected] = c[kCollectedAmount];
  p[kBoardPartGrossProfit] = c[kGrossProfit];
  p[kBoardPartOrders] = c[kOrderCount];
  p[kBoardPartNewCustomers] = c[kNewCustomers];
  p[kBoardPartVisits] = c[kVisits];
  p[kBoardPartEffectiveVisits] = c[kEffectiveVisits];
  p[kBoardPartWon] = c[kOpportunitiesWon];
  p[kBoardPartLost] = c[kOpportunitiesLost];
  p[kBoardPartReceivableDue] = c[kReceivableDue];
  return p;
}

// (tenant, period, rep, team, region, product line)
using BoardCellKey =
    std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;

constexpr PeriodKind kBoardPeriods[] = {PeriodKind::kWeek, PeriodKind::kMonth, PeriodKind::kQuarter,
                                        PeriodKind::kYear};

}  // namespace

std::map<std::string, std::vector<BoardDelta>> BoardDeltasOf(const std::vector<CellDelta>& rows) {
  // Sum over customers and over the days of each period first: a batch
  // touches few (period, rep, team, product line) cells.
  std::unordered_map<int64_t, std::array<std::string, 4>> periods;  // by day number
  std::unordered_map<BoardCellKey, BoardParts, TupleHash> cells;
  for (const CellDelta& row : rows) {
    if (row.cell.rep_id.empty()) continue;
    const BoardParts parts = PartsOf(row.delta);
    bool any = false;
    for (int64_t v : parts) any = any || v != 0;
    if (!any) continue;
    auto [it, inserted] = periods.try_emplace(row.cell.day - absl::CivilDay());
    if (inserted) {
      for (int i = 0; i < 4; ++i) {
        it->second[i] = Period::Containing(kBoardPeriods[i], row.cell.day).ToString();
      }
    }
    for (const std::string& period : it->second) {
      BoardParts& sum =
          cells[BoardCellKey(row.cell.tenant, period, row.cell.rep_id, row.cell.team_id,
                             row.cell.region_id, row.cell.product_line_id)];
      for (int i = 0; i < kBoardPartCount; ++i) sum[i] += parts[i];
    }
  }

  std::map<std::string, std::vector<BoardDelta>> out;
  for (const auto& [key, parts] : cells) {
    // A cell whose changes cancelled out changes no board.
    if (BoardValuesOf(parts).empty()) continue;
    const auto& [tenant, period, rep, team, region, product_line] = key;
    out[tenant].push_back(BoardDelta{tenant, period, rep, team, region, product_line, parts});
  }
  // The order of an unordered map depends on the library: sort, so that the
  // outbox text of the same changes is always the same.
  for (auto& [tenant, list] : out) {
    std::sort(list.begin(), list.end(), [](const BoardDelta& a, const BoardDelta& b) {
      return std::tie(a.period, a.rep, a.team, a.region, a.product_line) <
             std::tie(b.period, b.rep, b.team, b.region, b.product_line);
    });
  }
  return out;
}

std::map<std::string, std::vector<BoardIncrement>> BoardIncrementsOf(
    const std::vector<CellDelta>& rows) {
  std::map<std::string, std::vector<BoardIncrement>> out;
  for (const auto& [tenant, deltas] : BoardDeltasOf(rows)) {
    BoardCellSum sum;
    for (const BoardDelta& d : deltas) sum.Add(d);
    std::vector<BoardIncrement> increments = sum.Take();
    // A tenant whose increments all cancelled out has nothing to send.
    if (!increments.empty()) out[tenant] = std::move(increments);
  }
  return out;
}

}  // namespace attain::ingest
