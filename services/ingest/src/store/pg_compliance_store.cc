#include "services/ingest/src/store/pg_compliance_store.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "attain/ingest/v1/events.pb.h"
#include "common/status.h"
#include "services/ingest/src/api/decode.h"
#include "services/ingest/src/domain/delta.h"
#include "services/ingest/src/domain/event.h"

namespace attain::ingest {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string DayText(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// The trailing window of a special contribution's median: the orders of the
// 90 days before the order's day.
constexpr int kSpecialContributionDays = 90;

// percentile_cont(0.5) of `sorted` (ascending, not empty) exactly as
// PostgreSQL computes it over float8 (orderedsetaggs.c): the middle value, or
// for an even count lo + 0.5 × (hi − lo) of the two middle ones (float8_lerp).
double PostgresMedian(const std::vector<double>& sorted) {
  const size_t k = (sorted.size() - 1) / 2;  // floor(0.5 × (n − 1))
  if (sorted.size() % 2 == 1) return sorted[k];
  return sorted[k] + 0.5 * (sorted[k + 1] - sorted[k]);
}

// The follow-up rule (most days between contacts) and minimum interval of a grade.
int RuleDays(int grade) { return grade == 1 ? 7 : grade == 2 ? 14 : 30; }
int MinIntervalDays(int grade) { return grade == 1 ? 3 : grade == 2 ? 7 : 15; }

// The reps placed in `unit` (team or region) on any rollup row; nullopt when
// `unit` is "" (no restriction).
std::optional<absl::flat_hash_set<std::string>> RepsInUnit(pqxx::transaction_base& txn,
                                                           const std::string& tenant,
                                                           const std::string& unit) {
  if (unit.empty()) return std::nullopt;
  absl::flat_hash_set<std::string> reps;
  for (const pqxx::row& row :
       txn.exec_params("SELECT rep_id FROM ingest.rep_units WHERE tenant_id = $1 AND unit_id = $2",
                       tenant, unit)) {
    reps.insert(row[0].as<std::string>());
  }
  return reps;
}

bool InScope(const std::optional<absl::flat_hash_set<std::string>>& reps, const std::string& rep) {
  return !reps.has_value() || reps->contains(rep);
}

// Decoded events of `kind` recorded in [from, to), oldest first. Events that
// no longer decode (a contract change) are skipped.
std::vector<EventRecord> LoadEvents(pqxx::transaction_base& txn, const std::string& tenant,
                                    EventKind kind, absl::Time from, absl::Time to) {
  std::vector<EventRecord> out;
  // The kind is a literal, not a parameter: events_activity_by_time is a
  // partial index on some kinds, usable only when the kind is known at planning.
  pqxx::result r = txn.exec_params(
      absl::StrCat("SELECT payload FROM ingest.events WHERE tenant_id = $1 AND kind = ",
                   static_cast<int>(kind),
                   " AND occurred_at >= to_timestamp($2 / 1000000.0) AND occurred_at < "
                   "to_timestamp($3 / 1000000.0) ORDER BY occurred_at, source, event_id"),
      tenant, Micros(std::max(from, absl::UnixEpoch() - absl::Hours(24 * 365 * 100))),
      Micros(std::min(to, absl::UnixEpoch() + absl::Hours(24 * 365 * 200))));
  for (const pqxx::row& row : r) {
    v1::Event e;
    if (!e.ParseFromString(pqxx::binarystring(row[0]).str())) continue;
    IncomingEvent in = DecodeEvent(e);
    if (in.record.has_value()) out.push_back(std::move(*in.record));
  }
  return out;
}

// Follow-ups recorded in [from, to), by (customer, contact time, id).
std::vector<std::pair<FollowUp, absl::Time>> LoadFollowUps(pqxx::transaction_base& txn,
                                                           const std::string& tenant,
                                                           absl::Time from, absl::Time to) {
  std::vector<std::pair<FollowUp, absl::Time>> out;
  for (EventRecord& e : LoadEvents(txn, tenant, EventKind::kFollowUp, from, to)) {
    out.emplace_back(std::get<FollowUp>(std::move(e.body)), e.occurred_at);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.customer_id, a.first.contact_time, a.first.follow_up_id) <
           std::tie(b.first.customer_id, b.first.contact_time, b.first.follow_up_id);
  });
  return out;
}

// Customers' grades: customer id → grade (1-3); ungraded customers are absent.
std::map<std::string, int> Grades(pqxx::transaction_base& txn, const std::string& tenant) {
  std::map<std::string, int> grades;
  for (const pqxx::row& row : txn.exec_params(
           "SELECT customer_id, grade FROM ingest.customers WHERE tenant_id = $1 AND grade "
           "BETWEEN 1 AND 3",
           tenant)) {
    grades[row[0].as<std::string>()] = row[1].as<int>();
  }
  return grades;
}

}  // namespace

absl::StatusOr<std::vector<v1::OverdueFollowUp>> PgComplianceStore::OverdueFollowUps(
    const std::string& tenant, const std::string& unit, absl::CivilDay as_of) {
  std::vector<v1::OverdueFollowUp> out;
  const absl::Time end = absl::FromCivil(as_of + 1, tz_);
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    const auto reps = RepsInUnit(txn, tenant, unit);
    // The last contact per customer known by the end of as_of.
    std::map<std::string, absl::Time> last;
    for (const auto& [f, recorded] : LoadFollowUps(txn, tenant, absl::InfinitePast(), end)) {
      if (f.contact_time >= end) continue;
      auto [it, inserted] = last.emplace(f.customer_id, f.contact_time);
      if (!inserted) it->second = std::max(it->second, f.contact_time);
    }
    // Graded customers and when they were created: their first master-data
    // event, else their first counted order's day.
    pqxx::result r = txn.exec_params(
        "SELECT c.customer_id, c.full_name, c.owner_rep_id, c.grade, "
        "(SELECT (extract(epoch FROM min(e.occurred_at)) * 1000000)::bigint FROM ingest.events e "
        " WHERE e.tenant_id = c.tenant_id AND e.kind = 6 AND e.entity_id = c.customer_id), "
        "c.first_order_day::text "
        "FROM ingest.customers c WHERE c.tenant_id = $1 AND c.grade BETWEEN 1 AND 3 "
        "ORDER BY c.customer_id",
        tenant);
    for (const pqxx::row& row : r) {
      const std::string id = row[0].as<std::string>();
      const std::string owner = row[2].as<std::string>();
      if (!InScope(reps, owner)) continue;
      const int grade = row[3].as<int>();
      std::optional<absl::CivilDay> since;
      std::string last_text;
      if (auto it = last.find(id); it != last.end()) {
        since = absl::ToCivilDay(it->second, tz_);
        last_text = Rfc3339(it->second);
      } else if (!row[4].is_null()) {
        const absl::Time created = absl::FromUnixMicros(row[4].as<int64_t>());
        if (created >= end) continue;  // not yet created as of then
        since = absl::ToCivilDay(created, tz_);
      } else if (!row[5].is_null()) {
        absl::CivilDay d;
        if (absl::ParseCivilTime(row[5].as<std::string>(), &d)) since = d;
      }
      if (!since.has_value()) continue;
      const int64_t days = as_of - *since;
      if (days <= RuleDays(grade)) continue;
      v1::OverdueFollowUp& o = out.emplace_back();
      o.set_customer_id(id);
      o.set_customer_name(row[1].as<std::string>());
      o.set_owner_rep_id(owner);
      o.set_grade(static_cast<v1::CustomerGrade>(grade));
      o.set_last_contact_time(last_text);
      o.set_days_since(static_cast<int32_t>(days));
      o.set_rule_days(RuleDays(grade));
    }
    txn.commit();
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::FrequentContact>> PgComplianceStore::FrequentContacts(
    const std::string& tenant, const std::string& unit, const Period& period) {
  std::vector<v1::FrequentContact> out;
  const absl::Time start = period.StartTime(tz_);
  const absl::Time end = period.EndTime(tz_);
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    const auto reps = RepsInUnit(txn, tenant, unit);
    const std::map<std::string, int> grades = Grades(txn, tenant);
    // A contact is recorded at or after it happens: the earlier contact of a
    // pair ending in the period was recorded at most 15 days (C's interval)
    // before the period.
    const auto follow_ups =
        LoadFollowUps(txn, tenant, start - absl::Hours(24 * 16), absl::InfiniteFuture());
    for (size_t i = 1; i < follow_ups.size(); ++i) {
      const FollowUp& prev = follow_ups[i - 1].first;
      const FollowUp& cur = follow_ups[i].first;
      if (prev.customer_id != cur.customer_id) continue;
      if (cur.contact_time < start || cur.contact_time >= end) continue;
      auto g = grades.find(cur.customer_id);
      if (g == grades.end()) continue;
      const absl::Duration gap = cur.contact_time - prev.contact_time;
      if (gap >= absl::Hours(24 * MinIntervalDays(g->second))) continue;
      if (!InScope(reps, cur.rep_id)) continue;
      v1::FrequentContact& c = out.emplace_back();
      c.set_customer_id(cur.customer_id);
      c.set_grade(static_cast<v1::CustomerGrade>(g->second));
      c.set_previous_follow_up_id(prev.follow_up_id);
      c.set_previous_contact_time(Rfc3339(prev.contact_time));
      c.set_follow_up_id(cur.follow_up_id);
      c.set_contact_time(Rfc3339(cur.contact_time));
      c.set_rep_id(cur.rep_id);
      c.set_interval_minutes(absl::ToInt64Minutes(gap));
      c.set_min_interval_days(MinIntervalDays(g->second));
    }
    txn.commit();
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::LateFollowUpRecord>> PgComplianceStore::LateFollowUpRecords(
    const std::string& tenant, const std::string& unit, const Period& period) {
  std::vector<v1::LateFollowUpRecord> out;
  const absl::Time start = period.StartTime(tz_);
  const absl::Time end = period.EndTime(tz_);
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    const auto reps = RepsInUnit(txn, tenant, unit);
    // Late records of contacts in the period were recorded after its start.
    for (const auto& [f, recorded] : LoadFollowUps(txn, tenant, start, absl::InfiniteFuture())) {
      if (f.contact_time < start || f.contact_time >= end) continue;
      if (!FollowUpIsLate(f.contact_time, recorded) || !InScope(reps, f.rep_id)) continue;
      v1::LateFollowUpRecord& l = out.emplace_back();
      l.set_follow_up_id(f.follow_up_id);
      l.set_customer_id(f.customer_id);
      l.set_rep_id(f.rep_id);
      l.set_contact_time(Rfc3339(f.contact_time));
      l.set_recorded_time(Rfc3339(recorded));
      l.set_minutes_late(absl::ToInt64Minutes(recorded - f.contact_time - absl::Hours(24)));
    }
    txn.commit();
    return absl::OkStatus();
  }));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.follow_up_id() < b.follow_up_id(); });
  return out;
}

absl::StatusOr<std::vector<v1::MissedReport>> PgComplianceStore::MissedReports(
    const std::string& tenant, const std::string& unit, const Period& period, absl::Time as_of) {
  std::vector<v1::MissedReport> out;
  const absl::Time start = period.StartTime(tz_);
  const absl::Time end = std::min(period.EndTime(tz_), as_of + absl::Nanoseconds(1));
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    const auto reps = RepsInUnit(txn, tenant, unit);
    // Authors per cadence, and each (cadence, author, period)'s first submission by as_of.
    std::map<ReportCadence, std::set<std::string>> authors;
    std::map<std::tuple<int, std::string, std::string>, absl::Time> first;
    for (EventRecord& e : LoadEvents(txn, tenant, EventKind::kReportSubmission,
                                     absl::InfinitePast(), absl::InfiniteFuture())) {
      const auto& s = std::get<ReportSubmission>(e.body);
      authors[s.cadence].insert(s.author_id);
      if (s.submitted_at > as_of) continue;
      auto key = std::make_tuple(static_cast<int>(s.cadence), s.author_id, s.period.ToString());
      auto [it, inserted] = first.emplace(key, s.submitted_at);
      if (!inserted) it->second = std::min(it->second, s.submitted_at);
    }
    // Reps owe daily reports: every rep with rollup rows in the period.
    for (const pqxx::row& row : txn.exec_params(
             "SELECT DISTINCT rep_id FROM ingest.rollup_daily WHERE tenant_id = $1 AND day >= "
             "$2::date AND day <= $3::date AND rep_id <> ''",
             tenant, DayText(period.first_day()), DayText(period.last_day()))) {
      authors[ReportCadence::kDaily].insert(row[0].as<std::string>());
    }
    // The reported periods whose deadline is in [start, end): scan the days
    // from a month before the period (the monthly deadline is on the 3rd).
    for (ReportCadence cadence :
         {ReportCadence::kDaily, ReportCadence::kWeekly, ReportCadence::kMonthly}) {
      const PeriodKind kind = cadence == ReportCadence::kDaily    ? PeriodKind::kDay
                              : cadence == ReportCadence::kWeekly ? PeriodKind::kWeek
                                                                  : PeriodKind::kMonth;
      std::vector<std::pair<Period, absl::Time>> due;
      for (Period p = Period::Containing(kind, period.first_day() - 40);
           p.first_day() <= period.last_day(); p = p.Next()) {
        if (cadence == ReportCadence::kDaily &&
            absl::GetWeekday(p.first_day()) >= absl::Weekday::saturday) {
          continue;
        }
        const absl::Time deadline = ReportDeadline(cadence, p, tz_);
        if (deadline >= start && deadline < end) due.emplace_back(p, deadline);
      }
      for (const std::string& author : authors[cadence]) {
        if (!InScope(reps, author) && author != unit) continue;
        for (const auto& [p, deadline] : due) {
          auto it = first.find(std::make_tuple(static_cast<int>(cadence), author, p.ToString()));
          if (it != first.end() && it->second <= deadline) continue;
          v1::MissedReport& m = out.emplace_back();
          m.set_author_id(author);
          m.set_cadence(static_cast<v1::ReportCadence>(cadence));
          m.set_report_period(p.ToString());
          m.set_deadline(Rfc3339(deadline));
          if (it != first.end()) {
            m.set_submitted_time(Rfc3339(it->second));
            m.set_minutes_late(absl::ToInt64Minutes(it->second - deadline));
          }
        }
      }
    }
    txn.commit();
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::FinanceMismatch>> PgComplianceStore::FinanceMismatches(
    const std::string& tenant, const std::string& unit, const Period& period) {
  std::vector<v1::FinanceMismatch> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    const auto reps = RepsInUnit(txn, tenant, unit);
    // Receivables' amount due per order, from each receivable's counted version.
    std::map<std::string, int64_t> due;
    for (const pqxx::row& row :
         txn.exec_params("SELECT DISTINCT ON (s.entity_id) e.payload FROM ingest.entity_states s "
                         "JOIN ingest.events e ON e.tenant_id = s.tenant_id AND e.kind = 3 "
                         "AND e.entity_id = s.entity_id AND e.version = s.version "
                         "WHERE s.tenant_id = $1 AND s.kind = 3 AND s.counted ORDER BY s.entity_id",
                         tenant)) {
      v1::Event e;
      if (!e.ParseFromString(pqxx::binarystring(row[0]).str())) continue;
      IncomingEvent in = DecodeEvent(e);
      if (!in.record.has_value()) continue;
      const auto& rcv = std::get<Receivable>(in.record->body);
      due[rcv.order_id] += rcv.amount_due.minor;
    }
    std::map<std::string, int64_t> paid;
    for (EventRecord& e : LoadEvents(txn, tenant, EventKind::kPayment, absl::InfinitePast(),
                                     absl::InfiniteFuture())) {
      const auto& p = std::get<Payment>(e.body);
      if (!p.order_id.empty()) paid[p.order_id] += p.amount.minor;
    }
    for (const pqxx::row& row : txn.exec_params(
             "SELECT entity_id, customer_id, rep_id, day::text, amount FROM ingest.entity_states "
             "WHERE tenant_id = $1 AND kind = 1 AND counted AND day >= $2::date AND day <= "
             "$3::date ORDER BY entity_id",
             tenant, DayText(period.first_day()), DayText(period.last_day()))) {
      const std::string order = row[0].as<std::string>();
      const std::string rep = row[2].as<std::string>();
      if (!InScope(reps, rep)) continue;
      const int64_t amount = row[4].as<int64_t>();
      auto d = due.find(order);
      const int64_t receivable = d == due.end() ? 0 : d->second;
      auto pd = paid.find(order);
      const int64_t payments = pd == paid.end() ? 0 : pd->second;
      auto add = [&](v1::FinanceMismatchKind kind) {
        v1::FinanceMismatch& m = out.emplace_back();
        m.set_order_id(order);
        m.set_customer_id(row[1].as<std::string>());
        m.set_rep_id(rep);
        m.set_signed_date(row[3].as<std::string>());
        m.set_kind(kind);
        m.set_order_amount(amount);
        m.set_receivable_due(receivable);
        m.set_paid_amount(payments);
      };
      if (d == due.end()) add(v1::FINANCE_MISMATCH_KIND_NO_RECEIVABLE);
      if (payments > (d == due.end() ? amount : receivable))
        add(v1::FINANCE_MISMATCH_KIND_OVERPAID);
    }
    txn.commit();
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::SpecialContribution>> PgComplianceStore::SpecialContributions(
    const std::string& tenant, const std::string& unit, const QueryScope& scope,
    const Period& period, double multiple) {
  // The definition is a median per order over the rep's orders of the 90
  // days before it. Asked of PostgreSQL per order (a lateral percentile_cont)
  // that is an index scan and a sort per order of the period: 6.7 s for a
  // quarter of 300,000 orders of 10,000 reps (2-core dev machine); with a
  // window min() pre-filter over the range and the lateral for candidates
  // only, 2.0 s, most of it the WindowAgg recomputing every frame. Here the
  // orders of the reps concerned in [period start − 90 days, period end] are
  // read once, unordered (one scan, ~0.18 s of ~0.35 s in an optimised build
  // on that data), and each rep's orders are walked by day with the frame
  // kept sorted, so each median is read off its middle. The median and
  // the comparison are computed as PostgreSQL computes them over float8, so
  // the rows are exactly those of the lateral query (compliance_test.cc in
  // tests/integration/services/ingest compares the two).
  //
  // $1 tenant, $2/$3 the period's first and last day, $4 the manager's unit
  // ("" = any rep), $5 the scope id ("" for the company). Orders of the
  // period within the scope carry their ids (they may be listed); the others
  // are only the frames.
  std::string reps_read;  // whose orders are read
  std::string listed;     // which of them may be listed
  switch (scope.kind) {
    case QueryScope::Kind::kCompany:
      reps_read = "$5 = ''";
      listed = "true";
      break;
    case QueryScope::Kind::kUnit:
      // The reps with rows credited to the unit (rep_units) and, of their
      // orders, those credited to it.
      reps_read =
          "e.rep_id IN (SELECT u.rep_id COLLATE \"C\" FROM ingest.rep_units u"
          " WHERE u.tenant_id = $1 AND u.unit_id = $5)";
      listed = "(e.team_id = $5 OR e.region_id = $5)";
      break;
    case QueryScope::Kind::kRep:
      reps_read = "e.rep_id = $5";
      listed = "true";
      break;
  }
  const std::string is_listed = absl::StrCat("e.day >= $2::date AND ", listed);
  const std::string sql = absl::StrCat(
      "SELECT e.rep_id, e.day - $2::date, e.amount, CASE WHEN ", is_listed,
      " THEN e.entity_id END, CASE WHEN ", is_listed,
      " THEN e.customer_id END FROM ingest.entity_states e"
      " WHERE e.tenant_id = $1 AND e.kind = 1 AND e.counted"
      " AND e.day >= $2::date - 90 AND e.day <= $3::date"
      " AND ($4 = '' OR e.rep_id IN (SELECT u.rep_id COLLATE \"C\" FROM ingest.rep_units u"
      " WHERE u.tenant_id = $1 AND u.unit_id = $4)) AND ",
      reps_read);

  std::vector<v1::SpecialContribution> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    // One plain scan: JIT compilation (chosen by cost on a large tenant) takes
    // longer than it saves.
    txn.exec("SET LOCAL jit = off");
    const pqxx::result r = txn.exec_params(sql, tenant, DayText(period.first_day()),
                                           DayText(period.last_day()), unit, scope.id);
    txn.commit();

    // Each rep's orders: day (from the period's first day), amount, and the
    // result row when the order may be listed (-1 otherwise).
    struct Order {
      int day;
      int64_t amount;
      int row;
    };
    absl::flat_hash_map<std::string_view, std::vector<Order>> by_rep;
    for (const pqxx::row& row : r) {
      Order o{0, 0, row[3].is_null() ? -1 : static_cast<int>(row.rownumber())};
      if (!absl::SimpleAtoi(row[1].c_str(), &o.day) ||
          !absl::SimpleAtoi(row[2].c_str(), &o.amount)) {
        return absl::InternalError("special contributions: an order's day or amount did not parse");
      }
      by_rep[std::string_view(row[0].c_str(), row[0].size())].push_back(o);
    }
    // The frame of an order on day d is the rep's orders signed in
    // [d − 90, d − 1]: orders[first, last) of the rep's orders sorted by day,
    // both ends moving only forward as d grows; `window` holds their amounts
    // (as float8) sorted, so the median is read off its middle.
    std::vector<double> window;
    for (auto& [rep, orders] : by_rep) {
      std::sort(orders.begin(), orders.end(),
                [](const Order& a, const Order& b) { return a.day < b.day; });
      window.clear();
      size_t first = 0, last = 0;
      for (const Order& o : orders) {
        if (o.row < 0) continue;
        for (; orders[last].day < o.day; ++last) {  // stops at o itself
          const double a = static_cast<double>(orders[last].amount);
          window.insert(std::upper_bound(window.begin(), window.end(), a), a);
        }
        for (; orders[first].day < o.day - kSpecialContributionDays; ++first) {
          const double a = static_cast<double>(orders[first].amount);
          window.erase(std::lower_bound(window.begin(), window.end(), a));
        }
        if (window.empty()) continue;  // no orders before it: no baseline
        const double median = PostgresMedian(window);
        // amount > multiple × median, in float8 (the int8 compared as float8).
        if (!(static_cast<double>(o.amount) > multiple * median)) continue;
        const pqxx::row row = r[o.row];
        v1::SpecialContribution& s = out.emplace_back();
        s.set_order_id(row[3].as<std::string>());
        s.set_rep_id(std::string(rep));
        s.set_customer_id(row[4].as<std::string>());
        s.set_signed_date(DayText(period.first_day() + o.day));
        s.set_amount(o.amount);
        s.set_median_amount(median);
        s.set_baseline_orders(static_cast<int64_t>(window.size()));
        s.set_multiple(median > 0 ? static_cast<double>(o.amount) / median : 0);
      }
    }
    return absl::OkStatus();
  }));
  // Order ids are COLLATE "C" in the table: byte order, as std::string compares.
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.order_id() < b.order_id(); });
  return out;
}

}  // namespace attain::ingest
