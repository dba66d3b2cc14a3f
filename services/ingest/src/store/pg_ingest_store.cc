#include "services/ingest/src/store/pg_ingest_store.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/leaderboard.h"
#include "common/period.h"
#include "common/status.h"
#include "services/ingest/src/domain/apply.h"
#include "services/ingest/src/domain/delta.h"
#include "services/ingest/src/domain/rollup.h"

namespace attain::ingest {
namespace {

// Dates cross the wire as ISO text and come back as days since 1970-01-01;
// timestamps cross as Unix microseconds.
const absl::CivilDay kEpochDay(1970, 1, 1);

absl::CivilDay DayAt(const pqxx::field& f) { return kEpochDay + f.as<int64_t>(); }

// Text PostgreSQL accepts: valid UTF-8 without NUL. Anything else (only ever
// in the source/event_id of a rejected event) is stored C-escaped.
bool IsStorableText(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b == 0) return false;
    int len = b < 0x80             ? 1
              : (b & 0xE0) == 0xC0 ? 2
              : (b & 0xF0) == 0xE0 ? 3
              : (b & 0xF8) == 0xF0 ? 4
                                   : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}
std::string StorableText(absl::string_view s) {
  return IsStorableText(s) ? std::string(s) : absl::CHexEscape(s);
}

// A PostgreSQL array literal, built element by element; pass it as one
// parameter and cast it (`$2::text[]`).
class ArrayLiteral {
 public:
  ArrayLiteral() { out_.push_back('{'); }
  // A text element: double-quoted, backslashes and quotes escaped, so any
  // text round-trips (commas, braces, spaces, the word NULL).
  void Text(absl::string_view s) {
    Sep();
    out_.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out_.push_back('\\');
      out_.push_back(c);
    }
    out_.push_back('"');
  }
  // An element that needs no quoting: a number, a date, a boolean.
  void Raw(absl::string_view s) {
    Sep();
    out_.append(s.data(), s.size());
  }
  void Int(int64_t v) {
    Sep();
    absl::StrAppend(&out_, v);
  }
  void Bool(bool v) { Raw(v ? "t" : "f"); }
  void Day(absl::CivilDay d) {
    Sep();
    absl::StrAppendFormat(&out_, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  }
  void Null() { Raw("NULL"); }
  const std::string& str() {
    if (!closed_) {
      out_.push_back('}');
      closed_ = true;
    }
    return out_;
  }

 private:
  void Sep() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
  bool closed_ = false;
};

// A bytea[] parameter in PostgreSQL's binary array format (array_recv): no
// hex encoding on either side. Cast it as `$n::bytea[]`.
pqxx::binarystring ByteaArray(const std::vector<const std::string*>& elements) {
  std::string out;
  size_t total = 20;
  for (const std::string* e : elements) total += 4 + e->size();
  out.reserve(total);
  auto put32 = [&out](uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
    out.append(b, 4);
  };
  constexpr uint32_t kByteaOid = 17;
  put32(elements.empty() ? 0 : 1);  // dimensions
  put32(0);                         // no NULLs
  put32(kByteaOid);
  if (!elements.empty()) {
    put32(static_cast<uint32_t>(elements.size()));
    put32(1);  // lower bound
  }
  for (const std::string* e : elements) {
    put32(static_cast<uint32_t>(e->size()));
    out.append(*e);
  }
  return pqxx::binarystring(out);
}

using Params = PgParams;

std::string Micros(absl::Time t) { return absl::StrCat(absl::ToUnixMicros(t)); }

constexpr absl::string_view kFromMicros = "timestamptz 'epoch' + %s * interval '1 microsecond'";

std::string TimestampFrom(absl::string_view micros_expr) {
  return absl::StrFormat(kFromMicros, micros_expr);
}

// One event of the call, flattened out of its batch.
struct Item {
  size_t batch = 0;
  size_t index = 0;
  const std::string* tenant = nullptr;
  const IncomingEvent* in = nullptr;
  RepPlacement placement;
  std::optional<Rejection> unknown_rep;  // the rep is not known: rejected unless a duplicate
};

// A rejected event on its way to the rejects table.
struct RejectRow {
  const std::string* tenant;
  const IncomingEvent* in;
  Rejection why;
};

// --- statements ---

// Inserts the events of `items[candidates]` not seen before, idempotently on
// (tenant, source, event_id), in key order (so that concurrent writers of the
// same keys queue rather than deadlock); those with an unknown rep are only
// looked up. Returns which candidates are new (not duplicates).
std::vector<bool> InsertEvents(pqxx::work& txn, const std::vector<Item>& items,
                               const std::vector<size_t>& candidates, absl::Time now) {
  using Key = std::tuple<absl::string_view, absl::string_view, absl::string_view>;
  auto key_of = [&](size_t n) {
    const Item& item = items[candidates[n]];
    return Key(*item.tenant, item.in->source, item.in->event_id);
  };
  // Any fixed total order will do; event ids nearly always differ, so they
  // go first and most comparisons end there.
  std::vector<std::pair<Key, size_t>> sorted;
  sorted.reserve(candidates.size());
  for (size_t n = 0; n < candidates.size(); ++n) {
    const Key k = key_of(n);
    sorted.emplace_back(Key(std::get<2>(k), std::get<1>(k), std::get<0>(k)), n);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<size_t> order;  // positions in `candidates`, in that order
  order.reserve(sorted.size());
  for (const auto& entry : sorted) order.push_back(entry.second);

  std::vector<bool> fresh(candidates.size(), false);
  absl::flat_hash_map<Key, size_t> position;  // key → position in `candidates`
  ArrayLiteral tenants, sources, event_ids, kinds, entity_ids, versions, occurred;
  ArrayLiteral lookup_tenants, lookup_sources, lookup_ids;
  std::vector<size_t> lookups;
  std::vector<const std::string*> payloads;
  payloads.reserve(candidates.size());
  for (size_t n : order) {
    const Item& item = items[candidates[n]];
    if (item.unknown_rep.has_value()) {
      lookups.push_back(n);
      lookup_tenants.Text(*item.tenant);
      lookup_sources.Text(item.in->source);
      lookup_ids.Text(item.in->event_id);
      continue;
    }
    const EventRecord& r = *item.in->record;
    position.emplace(key_of(n), n);
    tenants.Text(*item.tenant);
    sources.Text(item.in->source);
    event_ids.Text(item.in->event_id);
    kinds.Int(static_cast<int>(r.kind()));
    entity_ids.Text(r.entity_id());
    versions.Int(r.version());
    occurred.Int(absl::ToUnixMicros(r.occurred_at));
    payloads.push_back(&item.in->payload);
  }
  if (!payloads.empty()) {
    pqxx::result r = txn.exec_params(
        absl::StrCat("INSERT INTO ingest.events (tenant_id, source, event_id, kind, entity_id, "
                     "version, occurred_at, received_at, payload) SELECT t, s, e, k, ent, v, ",
                     TimestampFrom("occ"), ", ", TimestampFrom("$9::bigint"),
                     ", p FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], "
                     "$5::text[], $6::bigint[], $7::bigint[], $8::bytea[]) "
                     "AS u(t, s, e, k, ent, v, occ, p) "
                     "ON CONFLICT (tenant_id, source, event_id) DO NOTHING "
                     "RETURNING tenant_id, source, event_id"),
        tenants.str(), sources.str(), event_ids.str(), kinds.str(), entity_ids.str(),
        versions.str(), occurred.str(), ByteaArray(payloads), Micros(now));
    for (const pqxx::row& row : r) {
      auto it = position.find(Key(row[0].c_str(), row[1].c_str(), row[2].c_str()));
      if (it != position.end()) fresh[it->second] = true;
    }
  }
  if (!lookups.empty()) {
    for (size_t n : lookups) fresh[n] = true;
    pqxx::result r = txn.exec_params(
        "SELECT u.ord FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
        "AS u(t, s, e, ord) JOIN ingest.events x ON x.tenant_id = u.t COLLATE \"C\" "
        "AND x.source = u.s COLLATE \"C\" AND x.event_id = u.e COLLATE \"C\"",
        lookup_tenants.str(), lookup_sources.str(), lookup_ids.str());
    for (const pqxx::row& row : r) fresh[lookups[row[0].as<int64_t>() - 1]] = false;
  }
  return fresh;
}

constexpr absl::string_view kEntityColumns =
    "s.tenant_id, s.kind, s.entity_id, s.version, s.counted, "
    "coalesce(s.day - DATE '1970-01-01', 0), s.rep_id, s.team_id, s.region_id, "
    "s.product_line_id, s.customer_id, s.amount, s.gross_profit, s.status, s.cycle_days, "
    "s.currency";

// Reads the entities' rows that exist, locking them in key order (FOR
// UPDATE waits for a concurrent writer and returns its committed version).
// Entities without a row are new: WriteEntities inserts them and fails with
// ABORTED if a concurrent transaction created one meanwhile.
EntityStates LoadEntities(pqxx::work& txn, const std::vector<EntityKey>& keys) {
  EntityStates states;
  if (keys.empty()) return states;
  ArrayLiteral tenants, kinds, ids;
  for (const EntityKey& k : keys) {
    tenants.Text(k.tenant);
    kinds.Int(static_cast<int>(k.kind));
    ids.Text(k.id);
  }
  pqxx::result r = txn.exec_params(
      absl::StrCat(
          "SELECT ", kEntityColumns,
          " FROM unnest($1::text[], $2::smallint[], $3::text[]) WITH ORDINALITY "
          "AS u(t, k, id, ord) "
          "JOIN ingest.entity_states s ON s.tenant_id = u.t COLLATE \"C\" AND s.kind = u.k "
          "AND s.entity_id = u.id COLLATE \"C\" ORDER BY u.ord FOR UPDATE OF s"),
      tenants.str(), kinds.str(), ids.str());
  for (const pqxx::row& row : r) {
    EntityKey key{row[0].as<std::string>(), static_cast<EventKind>(row[1].as<int>()),
                  row[2].as<std::string>()};
    EntityState s;
    s.version = row[3].as<int64_t>();
    s.counted = row[4].as<bool>();
    s.day = DayAt(row[5]);
    s.rep_id = row[6].as<std::string>();
    s.team_id = row[7].as<std::string>();
    s.region_id = row[8].as<std::string>();
    s.product_line_id = row[9].as<std::string>();
    s.customer_id = row[10].as<std::string>();
    s.amount = row[11].as<int64_t>();
    s.gross_profit = row[12].as<int64_t>();
    s.status = row[13].as<int>();
    s.cycle_days = row[14].as<int64_t>();
    s.currency = row[15].as<std::string>();
    states.emplace(std::move(key), std::move(s));
  }
  return states;
}

// Reads an optional order reference from columns id, day (days since epoch)
// and, with `cell`, rep, team, region, product line.
std::optional<OrderRef> OrderRefAt(const pqxx::row& row, int at, bool cell) {
  if (row[at].is_null()) return std::nullopt;
  OrderRef ref;
  ref.order_id = row[at].as<std::string>();
  ref.day = DayAt(row[at + 1]);
  if (cell) {
    ref.rep_id = row[at + 2].as<std::string>();
    ref.team_id = row[at + 3].as<std::string>();
    ref.region_id = row[at + 4].as<std::string>();
    ref.product_line_id = row[at + 5].as<std::string>();
  }
  return ref;
}

// Reads the customers' rows that exist, locking them in key order; like
// LoadEntities, customers without a row are inserted by WriteCustomers.
CustomerStates LoadCustomers(pqxx::work& txn, const std::vector<CustomerKey>& keys) {
  CustomerStates states;
  if (keys.empty()) return states;
  ArrayLiteral tenants, ids;
  for (const CustomerKey& k : keys) {
    tenants.Text(k.tenant);
    ids.Text(k.id);
  }
  pqxx::result r = txn.exec_params(
      "SELECT c.tenant_id, c.customer_id, c.version, c.full_name, c.industry, c.grade, c.tier, "
      "c.owner_rep_id, c.first_order_id, c.first_order_day - DATE '1970-01-01', c.first_rep_id, "
      "c.first_team_id, c.first_region_id, c.first_product_line_id, c.last_order_id, "
      "c.last_order_day - DATE '1970-01-01' "
      "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, id, ord) "
      "JOIN ingest.customers c ON c.tenant_id = u.t COLLATE \"C\" "
      "AND c.customer_id = u.id COLLATE \"C\" ORDER BY u.ord FOR UPDATE OF c",
      tenants.str(), ids.str());
  for (const pqxx::row& row : r) {
    CustomerKey key{row[0].as<std::string>(), row[1].as<std::string>()};
    CustomerState s;
    s.version = row[2].as<int64_t>();
    s.full_name = row[3].as<std::string>();
    s.industry = row[4].as<std::string>();
    s.grade = static_cast<CustomerGrade>(row[5].as<int>());
    s.tier = static_cast<CustomerTier>(row[6].as<int>());
    s.owner_rep_id = row[7].as<std::string>();
    s.orders.first = OrderRefAt(row, 8, /*cell=*/true);
    s.orders.last = OrderRefAt(row, 14, /*cell=*/false);
    states.emplace(std::move(key), std::move(s));
  }
  return states;
}

// Writes the new states: UPDATE for rows LoadEntities found, INSERT for the
// others. ABORTED when one of those was created by a concurrent transaction
// (its deltas were computed against nothing): the caller retries.
absl::Status WriteEntities(pqxx::work& txn, const std::map<EntityKey, EntityState>& entities,
                           const EntityStates& loaded, absl::Time now) {
  constexpr absl::string_view kArrays =
      "unnest($1::text[], $2::smallint[], $3::text[], $4::bigint[], $5::bool[], $6::date[], "
      "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], "
      "$13::bigint[], $14::smallint[], $15::bigint[], $16::text[]) AS u(t, k, id, version, "
      "counted, day, rep_id, team_id, region_id, product_line_id, customer_id, amount, "
      "gross_profit, status, cycle_days, currency)";
  for (const bool existing : {true, false}) {
    ArrayLiteral tenants, kinds, ids, versions, counted, days, reps, teams, regions, lines,
        customers, amounts, profits, statuses, cycles, currencies;
    size_t n = 0;
    for (const auto& [k, s] : entities) {
      if ((loaded.count(k) > 0) != existing) continue;
      ++n;
      tenants.Text(k.tenant);
      kinds.Int(static_cast<int>(k.kind));
      ids.Text(k.id);
      versions.Int(s.version);
      counted.Bool(s.counted);
      days.Day(s.day);
      reps.Text(s.rep_id);
      teams.Text(s.team_id);
      regions.Text(s.region_id);
      lines.Text(s.product_line_id);
      customers.Text(s.customer_id);
      amounts.Int(s.amount);
      profits.Int(s.gross_profit);
      statuses.Int(s.status);
      cycles.Int(s.cycle_days);
      currencies.Text(s.currency);
    }
    if (n == 0) continue;
    const std::string sql =
        existing
            ? absl::StrCat(
                  "UPDATE ingest.entity_states s SET version = u.version, counted = u.counted, "
                  "day = u.day, rep_id = u.rep_id, team_id = u.team_id, region_id = u.region_id, "
                  "product_line_id = u.product_line_id, customer_id = u.customer_id, "
                  "amount = u.amount, gross_profit = u.gross_profit, status = u.status, "
                  "cycle_days = u.cycle_days, currency = u.currency, update_time = ",
                  TimestampFrom("$17::bigint"), " FROM ", kArrays,
                  " WHERE s.tenant_id = u.t COLLATE \"C\" AND s.kind = u.k "
                  "AND s.entity_id = u.id COLLATE \"C\"")
            : absl::StrCat(
                  "INSERT INTO ingest.entity_states (tenant_id, kind, entity_id, version, counted, "
                  "day, rep_id, team_id, region_id, product_line_id, customer_id, amount, "
                  "gross_profit, status, cycle_days, currency, update_time) "
                  "SELECT u.*, ",
                  TimestampFrom("$17::bigint"), " FROM ", kArrays,
                  " ON CONFLICT (tenant_id, kind, entity_id) DO NOTHING");
    pqxx::result r = txn.exec_params(
        sql, tenants.str(), kinds.str(), ids.str(), versions.str(), counted.str(), days.str(),
        reps.str(), teams.str(), regions.str(), lines.str(), customers.str(), amounts.str(),
        profits.str(), statuses.str(), cycles.str(), currencies.str(), Micros(now));
    if (r.affected_rows() != n) {
      return absl::AbortedError(absl::StrFormat(
          "%d of %d new orders, receivables or opportunities were created concurrently; retry",
          n - r.affected_rows(), n));
    }
  }
  return absl::OkStatus();
}

// The first and last counted orders of `keys`, from entity_states.
std::map<CustomerKey, CustomerOrders> FindCustomerOrders(pqxx::work& txn,
                                                         const std::vector<CustomerKey>& keys) {
  std::map<CustomerKey, CustomerOrders> found;
  if (keys.empty()) return found;
  ArrayLiteral tenants, ids;
  for (const CustomerKey& k : keys) {
    tenants.Text(k.tenant);
    ids.Text(k.id);
  }
  constexpr absl::string_view kOrders =
      "FROM ingest.entity_states o WHERE o.tenant_id = u.t COLLATE \"C\" AND o.kind = 1 "
      "AND o.counted AND o.customer_id = u.id COLLATE \"C\" ";
  pqxx::result r = txn.exec_params(
      absl::StrCat(
          "SELECT u.ord, f.entity_id, f.day - DATE '1970-01-01', f.rep_id, f.team_id, f.region_id, "
          "f.product_line_id, l.entity_id, l.day - DATE '1970-01-01' "
          "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, id, ord) "
          "LEFT JOIN LATERAL (SELECT o.entity_id, o.day, o.rep_id, o.team_id, o.region_id, "
          "o.product_line_id ",
          kOrders,
          "ORDER BY o.day, o.entity_id LIMIT 1) f ON true "
          "LEFT JOIN LATERAL (SELECT o.entity_id, o.day ",
          kOrders, "ORDER BY o.day DESC, o.entity_id DESC LIMIT 1) l ON true"),
      tenants.str(), ids.str());
  for (const pqxx::row& row : r) {
    CustomerOrders orders;
    orders.first = OrderRefAt(row, 1, /*cell=*/true);
    orders.last = OrderRefAt(row, 7, /*cell=*/false);
    found.emplace(keys[row[0].as<int64_t>() - 1], std::move(orders));
  }
  return found;
}

// Writes the customers' new states: UPDATE for rows LoadCustomers found,
// INSERT for the others (ABORTED when one was created concurrently).
absl::Status WriteCustomers(pqxx::work& txn, const std::map<CustomerKey, CustomerState>& customers,
                            const CustomerStates& loaded, absl::Time now) {
  constexpr absl::string_view kArrays =
      "unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::smallint[], "
      "$7::smallint[], $8::text[], $9::text[], $10::date[], $11::text[], $12::text[], "
      "$13::text[], $14::text[], $15::text[], $16::date[]) AS u(t, id, version, full_name, "
      "industry, grade, tier, owner, first_id, first_day, first_rep, first_team, first_region, "
      "first_line, last_id, last_day)";
  for (const bool existing : {true, false}) {
    ArrayLiteral tenants, ids, versions, names, industries, grades, tiers, owners, first_ids,
        first_days, first_reps, first_teams, first_regions, first_lines, last_ids, last_days;
    size_t n = 0;
    for (const auto& [k, s] : customers) {
      if ((loaded.count(k) > 0) != existing) continue;
      ++n;
      tenants.Text(k.tenant);
      ids.Text(k.id);
      versions.Int(s.version);
      names.Text(s.full_name);
      industries.Text(s.industry);
      grades.Int(static_cast<int>(s.grade));
      tiers.Int(static_cast<int>(s.tier));
      owners.Text(s.owner_rep_id);
      if (s.orders.first.has_value()) {
        const OrderRef& f = *s.orders.first;
        first_ids.Text(f.order_id);
        first_days.Day(f.day);
        first_reps.Text(f.rep_id);
        first_teams.Text(f.team_id);
        first_regions.Text(f.region_id);
        first_lines.Text(f.product_line_id);
      } else {
        first_ids.Null();
        first_days.Null();
        first_reps.Text("");
        first_teams.Text("");
        first_regions.Text("");
        first_lines.Text("");
      }
      if (s.orders.last.has_value()) {
        last_ids.Text(s.orders.last->order_id);
        last_days.Day(s.orders.last->day);
      } else {
        last_ids.Null();
        last_days.Null();
      }
    }
    if (n == 0) continue;
    const std::string sql =
        existing
            ? absl::StrCat(
                  "UPDATE ingest.customers c SET version = u.version, full_name = u.full_name, "
                  "industry = u.industry, grade = u.grade, tier = u.tier, "
                  "owner_rep_id = u.owner, first_order_id = u.first_id, "
                  "first_order_day = u.first_day, first_rep_id = u.first_rep, "
                  "first_team_id = u.first_team, first_region_id = u.first_region, "
                  "first_product_line_id = u.first_line, last_order_id = u.last_id, "
                  "last_order_day = u.last_day, update_time = ",
                  TimestampFrom("$17::bigint"), " FROM ", kArrays,
                  " WHERE c.tenant_id = u.t COLLATE \"C\" AND c.customer_id = u.id COLLATE \"C\"")
            : absl::StrCat(
                  "INSERT INTO ingest.customers (tenant_id, customer_id, version, full_name, "
                  "industry, grade, tier, owner_rep_id, first_order_id, first_order_day, "
                  "first_rep_id, first_team_id, first_region_id, first_product_line_id, "
                  "last_order_id, last_order_day, update_time) SELECT u.*, ",
                  TimestampFrom("$17::bigint"), " FROM ", kArrays,
                  " ON CONFLICT (tenant_id, customer_id) DO NOTHING");
    pqxx::result r =
        txn.exec_params(sql, tenants.str(), ids.str(), versions.str(), names.str(),
                        industries.str(), grades.str(), tiers.str(), owners.str(), first_ids.str(),
                        first_days.str(), first_reps.str(), first_teams.str(), first_regions.str(),
                        first_lines.str(), last_ids.str(), last_days.str(), Micros(now));
    if (r.affected_rows() != n) {
      return absl::AbortedError(absl::StrFormat(
          "%d of %d new customers were created concurrently; retry", n - r.affected_rows(), n));
    }
  }
  return absl::OkStatus();
}

// Adds the summed deltas to rollup_daily in one statement.
// Records the (team or region, rep) pairs of `rows` in rep_units (what unit
// queries reach rollup rows through), in one statement. Pairs are sorted so
// that lanes inserting the same new pair queue on it rather than deadlock.
void RecordRepUnits(pqxx::work& txn, const std::vector<CellDelta>& rows) {
  std::set<std::tuple<absl::string_view, absl::string_view, absl::string_view>> pairs;
  for (const CellDelta& row : rows) {
    const Cell& c = row.cell;
    if (!c.team_id.empty()) pairs.emplace(c.tenant, c.team_id, c.rep_id);
    if (!c.region_id.empty()) pairs.emplace(c.tenant, c.region_id, c.rep_id);
  }
  if (pairs.empty()) return;
  ArrayLiteral tenants, units, reps;
  for (const auto& [tenant, unit, rep] : pairs) {
    tenants.Text(tenant);
    units.Text(unit);
    reps.Text(rep);
  }
  txn.exec_params(
      "INSERT INTO ingest.rep_units (tenant_id, unit_id, rep_id) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING",
      tenants.str(), units.str(), reps.str());
}

void UpsertRollups(pqxx::work& txn, const std::vector<CellDelta>& rows) {
  if (rows.empty()) return;
  ArrayLiteral tenants, days, reps, teams, regions, lines, customers;
  std::vector<ArrayLiteral> components(kComponentCount);
  for (const CellDelta& row : rows) {
    tenants.Text(row.cell.tenant);
    days.Day(row.cell.day);
    reps.Text(row.cell.rep_id);
    teams.Text(row.cell.team_id);
    regions.Text(row.cell.region_id);
    lines.Text(row.cell.product_line_id);
    customers.Text(row.cell.customer_id);
    for (int c = 0; c < kComponentCount; ++c) components[c].Int(row.delta[c]);
  }
  Params p;
  std::string arrays = absl::StrCat(
      p.Add(tenants.str()), "::text[], ", p.Add(days.str()), "::date[], ", p.Add(reps.str()),
      "::text[], ", p.Add(teams.str()), "::text[], ", p.Add(regions.str()), "::text[], ",
      p.Add(lines.str()), "::text[], ", p.Add(customers.str()), "::text[]");
  std::string columns = "tenant_id, day, rep_id, team_id, region_id, product_line_id, customer_id";
  std::string updates;
  for (int c = 0; c < kComponentCount; ++c) {
    const absl::string_view col = ComponentColumn(c);
    absl::StrAppend(&arrays, ", ", p.Add(components[c].str()), "::bigint[]");
    absl::StrAppend(&columns, ", ", col);
    absl::StrAppend(&updates, c == 0 ? "" : ", ", col, " = rollup_daily.", col, " + excluded.",
                    col);
  }
  p.Exec(txn, absl::StrCat("INSERT INTO ingest.rollup_daily (", columns, ") SELECT * FROM unnest(",
                           arrays,
                           ") ON CONFLICT (tenant_id, day, rep_id, team_id, product_line_id, "
                           "customer_id) DO UPDATE SET ",
                           updates));
}

void InsertRejects(pqxx::work& txn, const std::vector<RejectRow>& rejects, absl::Time now) {
  if (rejects.empty()) return;
  ArrayLiteral tenants, sources, event_ids, fields, reasons;
  std::vector<const std::string*> payloads;
  for (const RejectRow& r : rejects) {
    tenants.Text(*r.tenant);
    sources.Text(StorableText(r.in->source));
    event_ids.Text(StorableText(r.in->event_id));
    fields.Text(StorableText(r.why.field));
    reasons.Text(StorableText(r.why.reason));
    payloads.push_back(&r.in->payload);
  }
  txn.exec_params(
      absl::StrCat("INSERT INTO ingest.rejects (tenant_id, source, event_id, field, reason, "
                   "payload, received_at) SELECT t, s, e, f, r, p, ",
                   TimestampFrom("$7::bigint"),
                   " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
                   "$6::bytea[]) WITH ORDINALITY AS u(t, s, e, f, r, p, ord) ORDER BY ord"),
      tenants.str(), sources.str(), event_ids.str(), fields.str(), reasons.str(),
      ByteaArray(payloads), Micros(now));
}

// One outbox row per tenant (in the compact "lb2" form, which the relay fans
// out), appended under the outbox lock so that rows become visible in seq order.
void AppendOutbox(pqxx::work& txn, const std::map<std::string, std::vector<BoardDelta>>& deltas) {
  if (deltas.empty()) return;
  ArrayLiteral tenants, texts;
  for (const auto& [tenant, list] : deltas) {
    tenants.Text(tenant);
    texts.Text(EncodeBoardDeltas(list));
  }
  txn.exec("SELECT pg_advisory_xact_lock(hashtext('ingest.outbox'))");
  txn.exec_params(
      "INSERT INTO ingest.outbox (tenant_id, increments) "
      "SELECT t, i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, i, ord) "
      "ORDER BY ord",
      tenants.str(), texts.str());
}

bool IsSummaryReport(const EventRecord& r) {
  const auto* report = std::get_if<ReportSubmission>(&r.body);
  return report != nullptr && report->cadence != ReportCadence::kDaily;
}

}  // namespace

absl::TimeZone PgIngestStore::DefaultTimeZone() {
  absl::StatusOr<absl::TimeZone> tz = LoadTimeZone("Asia/Shanghai");
  return tz.ok() ? *tz : absl::FixedTimeZone(8 * 60 * 60);
}

PgIngestStore::PgIngestStore(PgPool& pool, OrgDirectory& directory, const Clock& clock)
    : PgIngestStore(pool, directory, clock, Options{}) {}

PgIngestStore::PgIngestStore(PgPool& pool, OrgDirectory& directory, const Clock& clock,
                             Options options)
    : pool_(pool), directory_(directory), clock_(clock), options_(std::move(options)) {}

absl::Status PgIngestStore::Migrate(PgPool& pool) {
  return RunMigrations(pool, "ingest", Migrations());
}

absl::StatusOr<std::vector<std::vector<EventOutcome>>> PgIngestStore::ApplyBatches(
    const std::vector<TenantBatch>& batches) {
  std::vector<std::vector<EventOutcome>> outcomes(batches.size());
  std::vector<Item> items;
  std::vector<RejectRow> rejects;
  std::vector<size_t> candidates;  // into items: decoded, first of their key in the call
  {
    absl::flat_hash_set<std::tuple<absl::string_view, absl::string_view, absl::string_view>> seen;
    for (size_t b = 0; b < batches.size(); ++b) {
      const TenantBatch& batch = batches[b];
      if (batch.tenant.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("batch ", b, " has no tenant"));
      }
      outcomes[b].resize(batch.events.size());
      for (size_t i = 0; i < batch.events.size(); ++i) {
        const IncomingEvent& in = batch.events[i];
        if (!in.record.has_value()) {
          outcomes[b][i] =
              EventOutcome{Outcome::kRejected, in.rejection.field, in.rejection.reason};
          rejects.push_back(RejectRow{&batch.tenant, &in, in.rejection});
          continue;
        }
        if (!seen.emplace(batch.tenant, in.source, in.event_id).second) {
          outcomes[b][i].outcome = Outcome::kDuplicate;
          continue;
        }
        candidates.push_back(items.size());
        items.push_back(Item{b, i, &batch.tenant, &in, {}, std::nullopt});
      }
    }
  }

  // Rep placement, once per (tenant, rep, day), before the transaction.
  absl::flat_hash_map<std::tuple<std::string, std::string, absl::CivilDay>,
                      absl::StatusOr<RepPlacement>>
      placements;
  for (size_t c : candidates) {
    Item& item = items[c];
    const EventRecord& record = *item.in->record;
    std::optional<absl::CivilDay> day = PlacementDay(record, options_.time_zone);
    if (!day.has_value()) continue;
    auto key = std::make_tuple(*item.tenant, record.rep_id(), *day);
    auto it = placements.find(key);
    if (it == placements.end()) {
      it = placements.emplace(key, directory_.Place(*item.tenant, record.rep_id(), *day)).first;
    }
    const absl::StatusOr<RepPlacement>& placed = it->second;
    if (placed.ok()) {
      item.placement = *placed;
    } else if (placed.status().code() == absl::StatusCode::kNotFound) {
      if (!IsSummaryReport(record)) {
        item.unknown_rep = Rejection{
            record.rep_field(),
            absl::StrFormat("rep \"%s\" is not known on %s: create the rep (and its team "
                            "membership) in the target service, then send the event again",
                            record.rep_id(), absl::FormatCivilTime(*day))};
      }
    } else {
      return Annotate(placed.status(),
                      absl::StrFormat("placing rep \"%s\" of tenant \"%s\" on %s", record.rep_id(),
                                      *item.tenant, absl::FormatCivilTime(*day)));
    }
  }

  const absl::Time now = clock_.Now();
  const absl::TimeZone tz = options_.time_zone;
  std::vector<std::vector<EventOutcome>> result;
  absl::Status status = pool_.InTransaction([&](pqxx::work& txn) -> absl::Status {
    std::vector<std::vector<EventOutcome>> out = outcomes;
    std::vector<RejectRow> rejected = rejects;
    // Every statement below probes big tables with at most a group's keys.
    // Told the array sizes, the planner would hash-join them against a scan
    // of the whole table (entity_states, customers, events), a cost that
    // grows with the table; index lookups cost the same at any size.
    txn.exec("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off");

    // (1) the events, idempotently; duplicates drop out here.
    std::vector<PendingEvent> pending;
    if (!candidates.empty()) {
      const std::vector<bool> fresh = InsertEvents(txn, items, candidates, now);
      for (size_t n = 0; n < candidates.size(); ++n) {
        const Item& item = items[candidates[n]];
        EventOutcome& o = out[item.batch][item.index];
        if (!fresh[n]) {
          o.outcome = Outcome::kDuplicate;
        } else if (item.unknown_rep.has_value()) {
          o = EventOutcome{Outcome::kRejected, item.unknown_rep->field, item.unknown_rep->reason};
          rejected.push_back(RejectRow{item.tenant, item.in, *item.unknown_rep});
        } else {
          pending.push_back(
              PendingEvent{candidates[n], *item.tenant, &*item.in->record, item.placement});
        }
      }
    }

    // (2)-(3) last counted states, locked; versions and one-off kinds applied.
    const EntityStates entities = LoadEntities(txn, EntitiesTouched(pending));
    const CustomerStates customers = LoadCustomers(txn, CustomersTouched(pending, entities));
    BatchEffects fx = ApplyEvents(pending, entities, customers, tz);
    RETURN_IF_ERROR(WriteEntities(txn, fx.entities, entities, now));
    if (!fx.lookup.empty()) FinishCustomers(FindCustomerOrders(txn, fx.lookup), &fx);
    RETURN_IF_ERROR(WriteCustomers(txn, fx.customers, customers, now));
    for (const auto& [ref, outcome] : fx.outcomes) {
      out[items[ref].batch][items[ref].index].outcome = outcome;
    }

    // (4) the rollups, (5) the leaderboard outbox, (6) the rejects.
    const std::vector<CellDelta> rows = fx.deltas.Rows();
    UpsertRollups(txn, rows);
    RecordRepUnits(txn, rows);
    InsertRejects(txn, rejected, now);
    AppendOutbox(txn, BoardDeltasOf(rows));
    result = std::move(out);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<std::vector<RejectRecord>> PgIngestStore::ListRejects(const std::string& tenant,
                                                                     const std::string& source,
                                                                     int64_t before_id, int limit) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  if (limit <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("limit is ", limit, ": it must be positive"));
  }
  std::vector<RejectRecord> records;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    pqxx::result r = txn.exec_params(
        "SELECT reject_id, source, event_id, field, reason, payload, "
        "(extract(epoch FROM received_at) * 1000000)::bigint FROM ingest.rejects "
        "WHERE tenant_id = $1 AND ($2 = '' OR source = $2) AND ($3 <= 0 OR reject_id < $3) "
        "ORDER BY reject_id DESC LIMIT $4",
        tenant, source, before_id, limit);
    for (const pqxx::row& row : r) {
      RejectRecord rec;
      rec.reject_id = row[0].as<int64_t>();
      rec.source = row[1].as<std::string>();
      rec.event_id = row[2].as<std::string>();
      rec.field = row[3].as<std::string>();
      rec.reason = row[4].as<std::string>();
      rec.payload = pqxx::binarystring(row[5]).str();
      rec.received_at = absl::FromUnixMicros(row[6].as<int64_t>());
      records.push_back(std::move(rec));
    }
    txn.commit();
    return absl::OkStatus();
  }));
  return records;
}

}  // namespace attain::ingest
