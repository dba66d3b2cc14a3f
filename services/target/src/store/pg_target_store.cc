#include "services/target/src/store/pg_target_store.h"

#include <cstddef>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status.h"

namespace attain::target {
namespace pg_internal {

std::string TextArray(const std::vector<std::string>& elements) {
  std::string out = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : elements[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string IntArray(const std::vector<int64_t>& elements) {
  return absl::StrCat("{", absl::StrJoin(elements, ","), "}");
}

}  // namespace pg_internal

namespace {

using pg_internal::IntArray;
using pg_internal::TextArray;

constexpr int kMaxRetries = 3;

// Dates cross the wire as ISO text (accepted whatever the server's DateStyle)
// and come back as days since 1970-01-01; timestamps come back as Unix
// microseconds.
const absl::CivilDay kEpochDay(1970, 1, 1);

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }
absl::CivilDay DayAt(const pqxx::field& f) { return kEpochDay + f.as<int64_t>(); }
absl::Time TimeAt(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

// A timestamp record field as a parameter: Unix microseconds, or "" for the
// zero time (a record nobody stamped), which TimeOrNow() turns into now().
std::string MicrosOrEmpty(absl::Time t) {
  return t == absl::Time() ? "" : absl::StrCat(absl::ToUnixMicros(t));
}
std::string TimeOrNow(absl::string_view param) {
  return absl::StrCat("coalesce(timestamptz 'epoch' + NULLIF(", param,
                      ", '')::bigint * interval '1 microsecond', now())");
}

using Params = PgParams;

// The constraint a violation names, from the server's message (`duplicate key
// value violates unique constraint "org_units_pkey"`); "" if none.
std::string ConstraintName(const std::exception& e) {
  absl::string_view msg = e.what();
  constexpr absl::string_view kMarker = "constraint \"";
  size_t begin = msg.find(kMarker);
  if (begin == absl::string_view::npos) return "";
  begin += kMarker.size();
  size_t end = msg.find('"', begin);
  if (end == absl::string_view::npos) return "";
  return std::string(msg.substr(begin, end - begin));
}

// Runs `f`, turning driver exceptions into a Status.
template <typename F>
auto Guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return StatusFromPqxx(e);
  }
}

// --- columns and row readers ---

constexpr absl::string_view kUnitColumns =
    "unit_id, coalesce(parent_id, ''), name, kind, tier, archived, "
    "(extract(epoch FROM create_time) * 1000000)::bigint";

OrgUnitRecord ReadUnit(const pqxx::row& r) {
  OrgUnitRecord u;
  u.unit_id = r[0].as<std::string>();
  u.parent_id = r[1].as<std::string>();
  u.name = r[2].as<std::string>();
  u.kind = r[3].as<int>();
  u.tier = r[4].as<std::string>();
  u.archived = r[5].as<bool>();
  u.create_time = TimeAt(r[6]);
  return u;
}

// Over alias t; 16 columns read by ReadTarget.
constexpr absl::string_view kTargetColumns =
    "t.target_id, t.scope_kind, t.scope_id, t.product_line_id, t.period, t.metric, "
    "t.period_kind, t.first_day - DATE '1970-01-01', t.last_day - DATE '1970-01-01', "
    "t.base_value, t.challenge_value, t.currency_code, coalesce(t.parent_target_id, ''), "
    "t.version, (extract(epoch FROM t.update_time) * 1000000)::bigint, t.updated_by";
constexpr int kTargetColumnCount = 16;

TargetRecord ReadTarget(const pqxx::row& r, int at = 0) {
  TargetRecord t;
  t.target_id = r[at + 0].as<std::string>();
  t.key.scope_kind = r[at + 1].as<int>();
  t.key.scope_id = r[at + 2].as<std::string>();
  t.key.product_line_id = r[at + 3].as<std::string>();
  t.key.period = r[at + 4].as<std::string>();
  t.key.metric = r[at + 5].as<int>();
  t.period_kind = r[at + 6].as<int>();
  t.first_day = DayAt(r[at + 7]);
  t.last_day = DayAt(r[at + 8]);
  t.base_value = r[at + 9].as<int64_t>();
  t.challenge_value = r[at + 10].as<int64_t>();
  t.currency_code = r[at + 11].as<std::string>();
  t.parent_target_id = r[at + 12].as<std::string>();
  t.version = r[at + 13].as<int64_t>();
  t.update_time = TimeAt(r[at + 14]);
  t.updated_by = r[at + 15].as<std::string>();
  return t;
}

std::string KeyString(int scope_kind, absl::string_view scope_id, absl::string_view product_line,
                      absl::string_view period, int metric) {
  return absl::StrCat(scope_kind, "\x1f", scope_id, "\x1f", product_line, "\x1f", period, "\x1f",
                      metric);
}
std::string KeyString(const TargetKey& k) {
  return KeyString(k.scope_kind, k.scope_id, k.product_line_id, k.period, k.metric);
}
std::string DescribeKey(const TargetKey& k) {
  return absl::StrFormat("scope %s %s, product line \"%s\", period %s, metric %d",
                         k.scope_kind == kScopeRep ? "rep" : "unit", k.scope_id, k.product_line_id,
                         k.period, k.metric);
}

// Arrays of the key columns of `keys`, for unnest(): scope_kind, scope_id,
// product_line_id, period, metric.
struct KeyArrays {
  std::string scope_kinds, scope_ids, product_lines, periods, metrics;
};
KeyArrays KeyColumns(const std::vector<const TargetKey*>& keys) {
  std::vector<int64_t> kinds, metrics;
  std::vector<std::string> ids, lines, periods;
  for (const TargetKey* k : keys) {
    kinds.push_back(k->scope_kind);
    ids.push_back(k->scope_id);
    lines.push_back(k->product_line_id);
    periods.push_back(k->period);
    metrics.push_back(k->metric);
  }
  return {IntArray(kinds), TextArray(ids), TextArray(lines), TextArray(periods), IntArray(metrics)};
}

// A membership covering day `d` (a date parameter), over alias m.
std::string Covers(absl::string_view d) {
  return absl::StrCat("m.effective_from <= ", d,
                      " AND (m.effective_to IS NULL OR m.effective_to >= ", d, ")");
}

// The units of the subtree rooted at parameter `root` (itself included), as
// CTE `sub(unit_id)`; UNION (not ALL) stops at a cycle.
std::string SubtreeCte(absl::string_view tenant, absl::string_view root) {
  return absl::StrCat(
      "sub(unit_id) AS (SELECT unit_id FROM target.org_units WHERE tenant_id = ", tenant,
      " AND unit_id = ", root,
      " UNION SELECT u.unit_id FROM sub JOIN target.org_units u ON u.tenant_id = ", tenant,
      " AND u.parent_id = sub.unit_id)");
}

// The TargetTx of one pqxx transaction (read-write or read-only).
class PgTargetTx : public TargetTx {
 public:
  PgTargetTx(pqxx::transaction_base& txn, std::string tenant)
      : txn_(txn), tenant_(std::move(tenant)) {}

  // --- org units ---

  absl::StatusOr<std::optional<OrgUnitRecord>> FindUnit(const std::string& unit_id) override {
    return Guard([&]() -> absl::StatusOr<std::optional<OrgUnitRecord>> {
      pqxx::result r = txn_.exec_params(absl::StrCat("SELECT ", kUnitColumns,
                                                     " FROM target.org_units WHERE tenant_id = $1 "
                                                     "AND unit_id = $2"),
                                        tenant_, unit_id);
      if (r.empty()) return std::nullopt;
      return ReadUnit(r[0]);
    });
  }

  absl::Status InsertUnit(const OrgUnitRecord& unit) override {
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          tx.exec_params(absl::StrFormat("INSERT INTO target.org_units (tenant_id, unit_id, "
                                         "parent_id, name, kind, tier, archived, create_time) "
                                         "VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, %s)",
                                         TimeOrNow("$8")),
                         tenant_, unit.unit_id, unit.parent_id, unit.name, unit.kind, unit.tier,
                         unit.archived, MicrosOrEmpty(unit.create_time));
          return absl::OkStatus();
        },
        [&](const std::string& constraint) { return ExplainUnit(constraint, unit); });
  }

  absl::Status UpdateUnit(const OrgUnitRecord& unit) override {
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          pqxx::result r = tx.exec_params(
              "UPDATE target.org_units SET name = $3, tier = $4, parent_id = NULLIF($5, ''), "
              "archived = $6 WHERE tenant_id = $1 AND unit_id = $2",
              tenant_, unit.unit_id, unit.name, unit.tier, unit.parent_id, unit.archived);
          if (r.affected_rows() == 0) {
            return absl::NotFoundError(absl::StrFormat("unit \"%s\" does not exist", unit.unit_id));
          }
          return absl::OkStatus();
        },
        [&](const std::string& constraint) { return ExplainUnit(constraint, unit); });
  }

  absl::StatusOr<std::vector<OrgUnitRecord>> ListUnits(const std::optional<std::string>& parent_id,
                                                       bool include_archived,
                                                       const std::string& after_id,
                                                       int limit) override {
    return Guard([&]() -> absl::StatusOr<std::vector<OrgUnitRecord>> {
      Params p;
      std::string sql = absl::StrCat("SELECT ", kUnitColumns,
                                     " FROM target.org_units WHERE tenant_id = ", p.Add(tenant_),
                                     " AND unit_id > ", p.Add(after_id));
      if (parent_id.has_value()) {
        if (parent_id->empty()) {
          sql += " AND parent_id IS NULL";
        } else {
          absl::StrAppend(&sql, " AND parent_id = ", p.Add(*parent_id));
        }
      }
      if (!include_archived) sql += " AND NOT archived";
      sql += " ORDER BY unit_id";
      if (limit > 0) absl::StrAppend(&sql, " LIMIT ", p.Add(absl::StrCat(limit)));
      std::vector<OrgUnitRecord> out;
      for (const pqxx::row& r : p.Exec(txn_, sql)) out.push_back(ReadUnit(r));
      return out;
    });
  }

  absl::StatusOr<bool> IsInSubtree(const std::string& unit_id,
                                   const std::string& ancestor_id) override {
    return Guard([&]() -> absl::StatusOr<bool> {
      // Walks up from unit_id; the depth bound stops at a cycle.
      pqxx::row r = txn_.exec_params1(
          "WITH RECURSIVE up(unit_id, parent_id, depth) AS ("
          " SELECT unit_id, parent_id, 0 FROM target.org_units"
          " WHERE tenant_id = $1 AND unit_id = $2"
          " UNION ALL"
          " SELECT u.unit_id, u.parent_id, up.depth + 1 FROM up"
          " JOIN target.org_units u ON u.tenant_id = $1 AND u.unit_id = up.parent_id"
          " WHERE up.unit_id <> $3 AND up.depth < 10000)"
          " SELECT EXISTS (SELECT 1 FROM up WHERE unit_id = $3)",
          tenant_, unit_id, ancestor_id);
      return r[0].as<bool>();
    });
  }

  absl::StatusOr<int> CountActiveChildren(const std::string& unit_id) override {
    return Guard([&]() -> absl::StatusOr<int> {
      pqxx::row r = txn_.exec_params1(
          "SELECT count(*) FROM target.org_units WHERE tenant_id = $1 AND parent_id = $2 "
          "AND NOT archived",
          tenant_, unit_id);
      return r[0].as<int>();
    });
  }

  absl::StatusOr<std::vector<std::string>> RepsInTeamOn(const std::string& unit_id,
                                                        absl::CivilDay day) override {
    return Guard([&]() -> absl::StatusOr<std::vector<std::string>> {
      pqxx::result r =
          txn_.exec_params(absl::StrCat("SELECT DISTINCT m.rep_id FROM target.rep_memberships m "
                                        "WHERE m.tenant_id = $1 AND m.team_id = $2 AND ",
                                        Covers("$3::date"), " ORDER BY m.rep_id"),
                           tenant_, unit_id, Day(day));
      return Column(r);
    });
  }

  absl::StatusOr<std::vector<std::string>> ExistingUnits(
      const std::vector<std::string>& ids) override {
    return Existing("org_units", "unit_id", ids);
  }

  // --- reps ---

  absl::StatusOr<std::optional<RepRecord>> FindRep(const std::string& rep_id) override {
    return Guard([&]() -> absl::StatusOr<std::optional<RepRecord>> {
      pqxx::result r = txn_.exec_params(
          "SELECT rep_id, name, hire_date - DATE '1970-01-01' FROM target.reps "
          "WHERE tenant_id = $1 AND rep_id = $2",
          tenant_, rep_id);
      if (r.empty()) return std::nullopt;
      std::vector<RepRecord> reps = {ReadRep(r[0])};
      LoadMemberships(reps);
      return std::move(reps[0]);
    });
  }

  absl::Status InsertRep(const RepRecord& rep) override {
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          tx.exec_params(
              "INSERT INTO target.reps (tenant_id, rep_id, name, hire_date) "
              "VALUES ($1, $2, $3, $4::date)",
              tenant_, rep.rep_id, rep.name, Day(rep.hire_date));
          WriteMemberships(tx, rep);
          return absl::OkStatus();
        },
        [&](const std::string& constraint) { return ExplainRep(constraint, rep); });
  }

  absl::Status UpdateRep(const RepRecord& rep) override {
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          pqxx::result r = tx.exec_params(
              "UPDATE target.reps SET name = $3, hire_date = $4::date "
              "WHERE tenant_id = $1 AND rep_id = $2",
              tenant_, rep.rep_id, rep.name, Day(rep.hire_date));
          if (r.affected_rows() == 0) {
            return absl::NotFoundError(absl::StrFormat("rep \"%s\" does not exist", rep.rep_id));
          }
          tx.exec_params("DELETE FROM target.rep_memberships WHERE tenant_id = $1 AND rep_id = $2",
                         tenant_, rep.rep_id);
          WriteMemberships(tx, rep);
          return absl::OkStatus();
        },
        [&](const std::string& constraint) { return ExplainRep(constraint, rep); });
  }

  absl::StatusOr<std::vector<RepRecord>> ListReps(const std::string& under_unit_id,
                                                  absl::CivilDay as_of, const std::string& after_id,
                                                  int limit) override {
    return Guard([&]() -> absl::StatusOr<std::vector<RepRecord>> {
      Params p;
      const std::string tenant = p.Add(tenant_);
      std::string sql;
      if (under_unit_id.empty()) {
        sql = absl::StrCat(
            "SELECT r.rep_id, r.name, r.hire_date - DATE '1970-01-01' FROM target.reps r "
            "WHERE r.tenant_id = ",
            tenant, " AND r.rep_id > ", p.Add(after_id));
      } else {
        const std::string root = p.Add(under_unit_id);
        const std::string day = p.Add(Day(as_of)) + "::date";
        sql = absl::StrCat(
            "WITH RECURSIVE ", SubtreeCte(tenant, root),
            " SELECT r.rep_id, r.name, r.hire_date - DATE '1970-01-01' FROM target.reps r "
            "WHERE r.tenant_id = ",
            tenant, " AND r.rep_id > ", p.Add(after_id),
            " AND EXISTS (SELECT 1 FROM target.rep_memberships m JOIN sub ON m.team_id = "
            "sub.unit_id WHERE m.tenant_id = ",
            tenant, " AND m.rep_id = r.rep_id AND ", Covers(day), ")");
      }
      sql += " ORDER BY r.rep_id";
      if (limit > 0) absl::StrAppend(&sql, " LIMIT ", p.Add(absl::StrCat(limit)));
      std::vector<RepRecord> reps;
      for (const pqxx::row& r : p.Exec(txn_, sql)) reps.push_back(ReadRep(r));
      LoadMemberships(reps);
      return reps;
    });
  }

  absl::StatusOr<std::vector<std::string>> ExistingReps(
      const std::vector<std::string>& ids) override {
    return Existing("reps", "rep_id", ids);
  }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> TeamsOn(
      const std::vector<std::string>& rep_ids, absl::CivilDay day) override {
    return Guard([&]() -> absl::StatusOr<std::vector<std::pair<std::string, std::string>>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT DISTINCT ON (m.rep_id) m.rep_id, m.team_id "
                       "FROM target.rep_memberships m "
                       "WHERE m.tenant_id = $1 AND m.rep_id = ANY ($2::text[]) AND ",
                       Covers("$3::date"), " ORDER BY m.rep_id, m.effective_from DESC"),
          tenant_, TextArray(rep_ids), Day(day));
      std::vector<std::pair<std::string, std::string>> out;
      out.reserve(r.size());
      for (const pqxx::row& row : r) {
        out.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
      }
      return out;
    });
  }

  // --- product lines ---

  absl::Status InsertProductLine(const ProductLineRecord& line) override {
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          tx.exec_params(
              "INSERT INTO target.product_lines (tenant_id, product_line_id, name) "
              "VALUES ($1, $2, $3)",
              tenant_, line.product_line_id, line.name);
          return absl::OkStatus();
        },
        [&](const std::string& constraint) -> absl::Status {
          if (constraint == "product_lines_pkey") {
            return absl::AlreadyExistsError(
                absl::StrFormat("product line \"%s\" already exists", line.product_line_id));
          }
          if (constraint == "product_lines_name") {
            return absl::AlreadyExistsError(
                absl::StrFormat("a product line named \"%s\" already exists", line.name));
          }
          return absl::OkStatus();
        });
  }

  absl::StatusOr<std::vector<ProductLineRecord>> ListProductLines(const std::string& after_id,
                                                                  int limit) override {
    return Guard([&]() -> absl::StatusOr<std::vector<ProductLineRecord>> {
      Params p;
      std::string sql = absl::StrCat(
          "SELECT product_line_id, name FROM target.product_lines WHERE tenant_id = ",
          p.Add(tenant_), " AND product_line_id > ", p.Add(after_id), " ORDER BY product_line_id");
      if (limit > 0) absl::StrAppend(&sql, " LIMIT ", p.Add(absl::StrCat(limit)));
      std::vector<ProductLineRecord> out;
      for (const pqxx::row& r : p.Exec(txn_, sql)) {
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
      }
      return out;
    });
  }

  absl::StatusOr<std::vector<std::string>> ExistingProductLines(
      const std::vector<std::string>& ids) override {
    return Existing("product_lines", "product_line_id", ids);
  }

  // --- targets ---

  absl::StatusOr<std::optional<TargetRecord>> FindTarget(const std::string& target_id) override {
    return Guard([&]() -> absl::StatusOr<std::optional<TargetRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kTargetColumns,
                       " FROM target.targets t WHERE t.tenant_id = $1 AND t.target_id = $2"),
          tenant_, target_id);
      if (r.empty()) return std::nullopt;
      return ReadTarget(r[0]);
    });
  }

  absl::StatusOr<std::vector<TargetRecord>> FindTargetsByKey(
      const std::vector<TargetKey>& keys) override {
    return Guard([&]() -> absl::StatusOr<std::vector<TargetRecord>> {
      std::vector<const TargetKey*> ptrs;
      ptrs.reserve(keys.size());
      for (const TargetKey& k : keys) ptrs.push_back(&k);
      KeyArrays a = KeyColumns(ptrs);
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kTargetColumns, " FROM ", kKeysUnnest, kKeysJoin), tenant_,
          a.scope_kinds, a.scope_ids, a.product_lines, a.periods, a.metrics);
      std::vector<TargetRecord> out;
      out.reserve(r.size());
      for (const pqxx::row& row : r) out.push_back(ReadTarget(row));
      return out;
    });
  }

  absl::Status UpsertTargets(std::vector<TargetRecord>& rows, const std::string& actor,
                             const std::string& source, std::vector<bool>* created) override {
    if (created != nullptr) created->assign(rows.size(), false);
    if (rows.empty()) return absl::OkStatus();
    absl::flat_hash_map<std::string, size_t> index_of;
    index_of.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      auto [it, inserted] = index_of.emplace(KeyString(rows[i].key), i);
      if (!inserted) {
        return absl::InvalidArgumentError(
            absl::StrFormat("rows %d and %d write the same target (%s): send each key once",
                            it->second, i, DescribeKey(rows[i].key)));
      }
    }
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          return UpsertLocked(tx, rows, actor, source, index_of, created);
        },
        [&](const std::string& constraint) -> absl::Status {
          if (constraint == "targets_pkey") {
            return absl::AlreadyExistsError(
                "a target id given for a new target is already used by another target");
          }
          return absl::OkStatus();
        });
  }

  absl::StatusOr<std::vector<TargetRecord>> ListTargets(const TargetFilter& filter,
                                                        const std::string& after_id,
                                                        int limit) override {
    return Guard([&]() -> absl::StatusOr<std::vector<TargetRecord>> {
      Params p;
      const std::string tenant = p.Add(tenant_);
      std::string where;  // conditions on alias t, each starting with " AND "
      if (filter.scope_kind != 0) {
        absl::StrAppend(&where, " AND t.scope_kind = ", p.Add(absl::StrCat(filter.scope_kind)),
                        "::smallint");
      }
      if (!filter.scope_id.empty()) {
        absl::StrAppend(&where, " AND t.scope_id = ", p.Add(filter.scope_id));
      }
      if (filter.product_line_id.has_value()) {
        absl::StrAppend(&where, " AND t.product_line_id = ", p.Add(*filter.product_line_id));
      }
      if (!filter.period.empty()) absl::StrAppend(&where, " AND t.period = ", p.Add(filter.period));
      if (filter.within.has_value()) {
        absl::StrAppend(&where, " AND t.first_day >= ", p.Add(Day(filter.within->first_day())),
                        "::date AND t.last_day <= ", p.Add(Day(filter.within->last_day())),
                        "::date");
      }
      if (filter.metric != 0) {
        absl::StrAppend(&where, " AND t.metric = ", p.Add(absl::StrCat(filter.metric)),
                        "::smallint");
      }
      if (!filter.parent_target_id.empty()) {
        absl::StrAppend(&where, " AND t.parent_target_id = ", p.Add(filter.parent_target_id));
      }
      if (!after_id.empty()) absl::StrAppend(&where, " AND t.target_id > ", p.Add(after_id));

      std::string sql;
      if (filter.under_unit_id.empty()) {
        sql = absl::StrCat("SELECT ", kTargetColumns,
                           " FROM target.targets t WHERE t.tenant_id = ", tenant, where);
      } else {
        // Unit targets of the subtree, plus rep targets whose rep was in a
        // team of the subtree on the target's first day (a rep who moved
        // mid-period counts where the period began).
        const std::string root = p.Add(filter.under_unit_id);
        sql = absl::StrCat(
            "WITH RECURSIVE ", SubtreeCte(tenant, root), " SELECT ", kTargetColumns,
            " FROM (SELECT t.* FROM sub JOIN target.targets t ON t.tenant_id = ", tenant,
            " AND t.scope_kind = ", kScopeUnit, " AND t.scope_id = sub.unit_id WHERE true", where,
            // The OFFSET 0 fences keep the rep branch a nested loop driven
            // by the subtree (memberships by team, then targets by rep, both
            // by index) whatever the planner guesses for the recursive CTE:
            // its cost follows the subtree, not the tenant's size.
            " UNION ALL SELECT t.* FROM sub CROSS JOIN LATERAL (SELECT m.rep_id, "
            "m.effective_from, m.effective_to FROM target.rep_memberships m WHERE m.tenant_id = ",
            tenant, " AND m.team_id = sub.unit_id OFFSET 0) m CROSS JOIN LATERAL (SELECT t.* ",
            "FROM target.targets t WHERE t.tenant_id = ", tenant, " AND t.scope_kind = ", kScopeRep,
            " AND t.scope_id = m.rep_id AND ", Covers("t.first_day"), where, " OFFSET 0) t) t");
      }
      sql += " ORDER BY t.target_id";
      if (limit > 0) absl::StrAppend(&sql, " LIMIT ", p.Add(absl::StrCat(limit)));
      std::vector<TargetRecord> out;
      for (const pqxx::row& r : p.Exec(txn_, sql)) out.push_back(ReadTarget(r));
      return out;
    });
  }

  absl::StatusOr<std::vector<InconsistencyRecord>> Inconsistencies(
      const std::optional<Period>& within, int metric, const std::string& after_id,
      int limit) override {
    return Guard([&]() -> absl::StatusOr<std::vector<InconsistencyRecord>> {
      Params p;
      const std::string tenant = p.Add(tenant_);
      std::string where;
      if (within.has_value()) {
        absl::StrAppend(&where, " AND t.first_day >= ", p.Add(Day(within->first_day())),
                        "::date AND t.last_day <= ", p.Add(Day(within->last_day())), "::date");
      }
      if (metric != 0) {
        absl::StrAppend(&where, " AND t.metric = ", p.Add(absl::StrCat(metric)), "::smallint");
      }
      // after_id is "<parent target id>/<dimension>" (a parent can have a group
      // of children per dimension).
      std::string after_target;
      int after_dim = 0;
      if (!after_id.empty()) {
        std::vector<std::string> parts = absl::StrSplit(after_id, '/');
        if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &after_dim)) {
          return absl::InvalidArgumentError("page_token is not valid for CheckConsistency");
        }
        after_target = parts[0];
        absl::StrAppend(&where, " AND t.target_id >= ", p.Add(after_target));
      }
      // Children are summed only for the parents that pass the filters, in one
      // group per dimension: TIME (1) differs in period, ORG (2) in scope,
      // PRODUCT_LINE (3) in product line.
      std::string sql = absl::StrCat(
          "WITH parents AS (SELECT t.* FROM target.targets t WHERE t.tenant_id = ", tenant, where,
          "), sums AS (SELECT c.parent_target_id, CASE WHEN c.period <> pa.period THEN 1 "
          "WHEN c.scope_kind <> pa.scope_kind OR c.scope_id <> pa.scope_id THEN 2 ELSE 3 END "
          "AS dim, count(*) AS n, sum(c.base_value) AS base_sum, "
          "sum(c.challenge_value) AS challenge_sum FROM target.targets c "
          "JOIN parents pa ON c.parent_target_id = pa.target_id WHERE c.tenant_id = ",
          tenant, " AND c.parent_target_id IS NOT NULL GROUP BY 1, 2) SELECT ", kTargetColumns,
          ", s.n, s.base_sum::bigint, s.challenge_sum::bigint, s.dim FROM parents t "
          "JOIN sums s ON s.parent_target_id = t.target_id "
          "WHERE (t.base_value <> s.base_sum OR t.challenge_value <> s.challenge_sum)");
      if (!after_id.empty()) {
        absl::StrAppend(&sql, " AND (t.target_id, s.dim) > (", p.Add(after_target), ", ",
                        p.Add(absl::StrCat(after_dim)), "::int)");
      }
      sql += " ORDER BY t.target_id, s.dim";
      if (limit > 0) absl::StrAppend(&sql, " LIMIT ", p.Add(absl::StrCat(limit)));
      std::vector<InconsistencyRecord> out;
      for (const pqxx::row& r : p.Exec(txn_, sql)) {
        InconsistencyRecord rec;
        rec.parent = ReadTarget(r);
        rec.child_count = r[kTargetColumnCount].as<int32_t>();
        rec.children_base_sum = r[kTargetColumnCount + 1].as<int64_t>();
        rec.children_challenge_sum = r[kTargetColumnCount + 2].as<int64_t>();
        rec.dimension = r[kTargetColumnCount + 3].as<int>();
        out.push_back(std::move(rec));
      }
      return out;
    });
  }

  absl::StatusOr<std::vector<HistoryRecord>> History(const std::string& target_id,
                                                     int64_t before_version, int limit) override {
    return Guard([&]() -> absl::StatusOr<std::vector<HistoryRecord>> {
      Params p;
      std::string sql = absl::StrCat(
          "SELECT version, (extract(epoch FROM change_time) * 1000000)::bigint, changed_by, "
          "old_base_value, old_challenge_value, new_base_value, new_challenge_value, source "
          "FROM target.target_history WHERE tenant_id = ",
          p.Add(tenant_), " AND target_id = ", p.Add(target_id));
      if (before_version > 0) {
        absl::StrAppend(&sql, " AND version < ", p.Add(absl::StrCat(before_version)), "::bigint");
      }
      sql += " ORDER BY version DESC";
      if (limit > 0) absl::StrAppend(&sql, " LIMIT ", p.Add(absl::StrCat(limit)));
      std::vector<HistoryRecord> out;
      for (const pqxx::row& r : p.Exec(txn_, sql)) {
        HistoryRecord h;
        h.version = r[0].as<int64_t>();
        h.change_time = TimeAt(r[1]);
        h.changed_by = r[2].as<std::string>();
        h.old_base = r[3].as<int64_t>();
        h.old_challenge = r[4].as<int64_t>();
        h.new_base = r[5].as<int64_t>();
        h.new_challenge = r[6].as<int64_t>();
        h.source = r[7].as<std::string>();
        out.push_back(std::move(h));
      }
      return out;
    });
  }

  // --- period locks ---

  absl::StatusOr<std::vector<LockRecord>> ListLocks() override {
    return Guard([&]() -> absl::StatusOr<std::vector<LockRecord>> {
      pqxx::result r = txn_.exec_params(
          "SELECT period, first_day - DATE '1970-01-01', last_day - DATE '1970-01-01', reason, "
          "locked_by, (extract(epoch FROM lock_time) * 1000000)::bigint "
          "FROM target.period_locks WHERE tenant_id = $1 ORDER BY first_day, last_day, period",
          tenant_);
      std::vector<LockRecord> out;
      out.reserve(r.size());
      for (const pqxx::row& row : r) {
        LockRecord l;
        l.period = row[0].as<std::string>();
        l.first_day = DayAt(row[1]);
        l.last_day = DayAt(row[2]);
        l.reason = row[3].as<std::string>();
        l.locked_by = row[4].as<std::string>();
        l.lock_time = TimeAt(row[5]);
        out.push_back(std::move(l));
      }
      return out;
    });
  }

  absl::Status InsertLock(const LockRecord& lock) override {
    return Write(
        [&](pqxx::transaction_base& tx) -> absl::Status {
          tx.exec_params(absl::StrFormat("INSERT INTO target.period_locks (tenant_id, period, "
                                         "first_day, last_day, reason, locked_by, lock_time) "
                                         "VALUES ($1, $2, $3::date, $4::date, $5, $6, %s)",
                                         TimeOrNow("$7")),
                         tenant_, lock.period, Day(lock.first_day), Day(lock.last_day), lock.reason,
                         lock.locked_by, MicrosOrEmpty(lock.lock_time));
          return absl::OkStatus();
        },
        [&](const std::string& constraint) -> absl::Status {
          if (constraint == "period_locks_pkey") {
            return absl::AlreadyExistsError(
                absl::StrFormat("period %s is already locked", lock.period));
          }
          return absl::OkStatus();
        });
  }

  absl::StatusOr<bool> DeleteLock(const std::string& period) override {
    return Guard([&]() -> absl::StatusOr<bool> {
      pqxx::result r = txn_.exec_params(
          "DELETE FROM target.period_locks WHERE tenant_id = $1 AND period = $2", tenant_, period);
      return r.affected_rows() > 0;
    });
  }

 private:
  // The keys of parameters $2..$6 (scope_kind, scope_id, product_line_id,
  // period, metric arrays) as rows k(…, ord), joined to their targets.
  static constexpr absl::string_view kKeysUnnest =
      "unnest($2::smallint[], $3::text[], $4::text[], $5::text[], $6::smallint[]) "
      "WITH ORDINALITY AS k(scope_kind, scope_id, product_line_id, period, metric, ord)";
  static constexpr absl::string_view kKeysJoin =
      " JOIN target.targets t ON t.tenant_id = $1 AND t.scope_kind = k.scope_kind "
      "AND t.scope_id = k.scope_id AND t.product_line_id = k.product_line_id "
      "AND t.period = k.period AND t.metric = k.metric";

  // Runs `body` under a savepoint, so that a failed write leaves the
  // transaction usable. (Explicit SQL: pqxx 6.4's subtransaction only sends
  // SAVEPOINT on exec(), not on exec_params().) A driver exception naming a
  // constraint is explained by `explain`, which returns OK when it has nothing
  // better to say than StatusFromPqxx.
  absl::Status Write(const std::function<absl::Status(pqxx::transaction_base&)>& body,
                     const std::function<absl::Status(const std::string&)>& explain) {
    try {
      txn_.exec("SAVEPOINT attain_write");
    } catch (const std::exception& e) {
      return StatusFromPqxx(e);
    }
    absl::Status status;
    try {
      status = body(txn_);
    } catch (const std::exception& e) {
      status = StatusFromPqxx(e);
      const std::string constraint = ConstraintName(e);
      if (!constraint.empty()) {
        absl::Status better = explain(constraint);
        if (!better.ok()) status = better;
      }
    }
    try {
      txn_.exec(status.ok() ? "RELEASE SAVEPOINT attain_write"
                            : "ROLLBACK TO SAVEPOINT attain_write");
    } catch (const std::exception& e) {
      if (status.ok()) return StatusFromPqxx(e);  // else keep the first error
    }
    return status;
  }

  absl::Status ExplainUnit(const std::string& constraint, const OrgUnitRecord& unit) {
    if (constraint == "org_units_pkey") {
      return absl::AlreadyExistsError(absl::StrFormat("unit \"%s\" already exists", unit.unit_id));
    }
    if (constraint == "org_units_sibling_name") {
      if (unit.parent_id.empty()) {
        return absl::AlreadyExistsError(absl::StrFormat(
            "a unit named \"%s\" already exists at the top of the tree", unit.name));
      }
      return absl::AlreadyExistsError(absl::StrFormat(
          "a unit named \"%s\" already exists under \"%s\"", unit.name, unit.parent_id));
    }
    if (constraint == "org_units_one_company") {
      return absl::AlreadyExistsError("the tenant already has a company unit");
    }
    if (constraint == "org_units_parent_fkey") {
      return absl::FailedPreconditionError(
          absl::StrFormat("parent unit \"%s\" does not exist", unit.parent_id));
    }
    return absl::OkStatus();
  }

  absl::Status ExplainRep(const std::string& constraint, const RepRecord& rep) {
    if (constraint == "reps_pkey") {
      return absl::AlreadyExistsError(absl::StrFormat("rep \"%s\" already exists", rep.rep_id));
    }
    if (constraint == "rep_memberships_pkey") {
      return absl::InvalidArgumentError(
          absl::StrFormat("rep \"%s\" has two memberships starting on the same day", rep.rep_id));
    }
    if (constraint == "rep_memberships_team_fkey") {
      return absl::FailedPreconditionError(
          absl::StrFormat("a team of rep \"%s\" does not exist", rep.rep_id));
    }
    if (constraint == "rep_memberships_range") {
      return absl::InvalidArgumentError(
          absl::StrFormat("a membership of rep \"%s\" ends before it starts", rep.rep_id));
    }
    return absl::OkStatus();
  }

  // Inserts all memberships of `rep` in one statement.
  void WriteMemberships(pqxx::transaction_base& tx, const RepRecord& rep) {
    if (rep.memberships.empty()) return;
    std::vector<std::string> from, to, team;
    for (const MembershipRecord& m : rep.memberships) {
      from.push_back(Day(m.effective_from));
      to.push_back(m.effective_to.has_value() ? Day(*m.effective_to) : "");
      team.push_back(m.team_id);
    }
    tx.exec_params(
        "INSERT INTO target.rep_memberships (tenant_id, rep_id, effective_from, effective_to, "
        "team_id) SELECT $1, $2, m.f, NULLIF(m.t, '')::date, m.team "
        "FROM unnest($3::date[], $4::text[], $5::text[]) AS m(f, t, team)",
        tenant_, rep.rep_id, TextArray(from), TextArray(to), TextArray(team));
  }

  static RepRecord ReadRep(const pqxx::row& r) {
    RepRecord rep;
    rep.rep_id = r[0].as<std::string>();
    rep.name = r[1].as<std::string>();
    rep.hire_date = DayAt(r[2]);
    return rep;
  }

  // Fills the memberships of `reps` with one query.
  void LoadMemberships(std::vector<RepRecord>& reps) {
    if (reps.empty()) return;
    std::map<std::string, RepRecord*> by_id;
    std::vector<std::string> ids;
    for (RepRecord& rep : reps) {
      by_id[rep.rep_id] = &rep;
      ids.push_back(rep.rep_id);
    }
    pqxx::result r = txn_.exec_params(
        "SELECT rep_id, team_id, effective_from - DATE '1970-01-01', "
        "effective_to - DATE '1970-01-01' FROM target.rep_memberships "
        "WHERE tenant_id = $1 AND rep_id = ANY ($2::text[]) ORDER BY rep_id, effective_from",
        tenant_, TextArray(ids));
    for (const pqxx::row& row : r) {
      MembershipRecord m;
      m.team_id = row[1].as<std::string>();
      m.effective_from = DayAt(row[2]);
      if (!row[3].is_null()) m.effective_to = DayAt(row[3]);
      by_id[row[0].as<std::string>()]->memberships.push_back(std::move(m));
    }
  }

  absl::StatusOr<std::vector<std::string>> Existing(absl::string_view table,
                                                    absl::string_view id_column,
                                                    const std::vector<std::string>& ids) {
    if (ids.empty()) return std::vector<std::string>();
    return Guard([&]() -> absl::StatusOr<std::vector<std::string>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", id_column, " FROM target.", table, " WHERE tenant_id = $1 AND ",
                       id_column, " = ANY ($2::text[]) ORDER BY ", id_column),
          tenant_, TextArray(ids));
      return Column(r);
    });
  }

  static std::vector<std::string> Column(const pqxx::result& r) {
    std::vector<std::string> out;
    out.reserve(r.size());
    for (const pqxx::row& row : r) out.push_back(row[0].as<std::string>());
    return out;
  }

  // UpsertTargets inside its savepoint: (1) lock the existing rows of the
  // keys, (2) one INSERT … ON CONFLICT DO UPDATE for the new and changed
  // rows, (3) one history INSERT for them. Unchanged rows are not written.
  absl::Status UpsertLocked(pqxx::transaction_base& tx, std::vector<TargetRecord>& rows,
                            const std::string& actor, const std::string& source,
                            const absl::flat_hash_map<std::string, size_t>& index_of,
                            std::vector<bool>* created) {
    std::vector<const TargetKey*> keys;
    keys.reserve(rows.size());
    for (const TargetRecord& row : rows) keys.push_back(&row.key);
    KeyArrays a = KeyColumns(keys);
    // Locking in target_id order keeps concurrent bulk writes from deadlocking.
    pqxx::result existing =
        tx.exec_params(absl::StrCat("SELECT k.ord, ", kTargetColumns, " FROM ", kKeysUnnest,
                                    kKeysJoin, " ORDER BY t.target_id FOR UPDATE OF t"),
                       tenant_, a.scope_kinds, a.scope_ids, a.product_lines, a.periods, a.metrics);
    std::vector<std::optional<TargetRecord>> old(rows.size());
    for (const pqxx::row& r : existing) old[r[0].as<size_t>() - 1] = ReadTarget(r, 1);

    std::vector<size_t> write;
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::optional<TargetRecord>& o = old[i];
      TargetRecord& row = rows[i];
      // Setting a target's values leaves its place in a decomposition alone.
      if (o.has_value() && row.parent_target_id.empty()) row.parent_target_id = o->parent_target_id;
      if (o.has_value() && o->base_value == row.base_value &&
          o->challenge_value == row.challenge_value && o->currency_code == row.currency_code &&
          o->parent_target_id == row.parent_target_id) {
        row.target_id = o->target_id;
        row.version = o->version;
        row.update_time = o->update_time;
        row.updated_by = o->updated_by;
        continue;
      }
      write.push_back(i);
    }
    if (write.empty()) return absl::OkStatus();

    std::vector<std::string> ids, scope_ids, lines, periods, first_days, last_days, currencies,
        parents;
    std::vector<int64_t> kinds, period_kinds, metrics, bases, challenges;
    for (size_t i : write) {
      const TargetRecord& row = rows[i];
      ids.push_back(old[i].has_value() ? "" : row.target_id);
      kinds.push_back(row.key.scope_kind);
      scope_ids.push_back(row.key.scope_id);
      lines.push_back(row.key.product_line_id);
      periods.push_back(row.key.period);
      period_kinds.push_back(row.period_kind);
      first_days.push_back(Day(row.first_day));
      last_days.push_back(Day(row.last_day));
      metrics.push_back(row.key.metric);
      bases.push_back(row.base_value);
      challenges.push_back(row.challenge_value);
      currencies.push_back(row.currency_code);
      parents.push_back(row.parent_target_id);
    }
    pqxx::result written = tx.exec_params(
        "INSERT INTO target.targets AS t (tenant_id, target_id, scope_kind, scope_id, "
        "product_line_id, period, period_kind, first_day, last_day, metric, base_value, "
        "challenge_value, currency_code, parent_target_id, version, update_time, updated_by) "
        "SELECT $1, coalesce(NULLIF(k.target_id, ''), replace(gen_random_uuid()::text, '-', '')), "
        "k.scope_kind, k.scope_id, k.product_line_id, k.period, k.period_kind, k.first_day, "
        "k.last_day, k.metric, k.base_value, k.challenge_value, k.currency_code, "
        "NULLIF(k.parent_target_id, ''), 1, now(), $2 "
        "FROM unnest($3::text[], $4::smallint[], $5::text[], $6::text[], $7::text[], "
        "$8::smallint[], $9::date[], $10::date[], $11::smallint[], $12::bigint[], $13::bigint[], "
        "$14::text[], $15::text[]) AS k(target_id, scope_kind, scope_id, product_line_id, period, "
        "period_kind, first_day, last_day, metric, base_value, challenge_value, currency_code, "
        "parent_target_id) "
        "ON CONFLICT (tenant_id, scope_kind, scope_id, product_line_id, period, metric) "
        "DO UPDATE SET base_value = EXCLUDED.base_value, "
        "challenge_value = EXCLUDED.challenge_value, currency_code = EXCLUDED.currency_code, "
        "parent_target_id = EXCLUDED.parent_target_id, version = t.version + 1, "
        "update_time = EXCLUDED.update_time, updated_by = EXCLUDED.updated_by "
        "RETURNING t.target_id, t.scope_kind, t.scope_id, t.product_line_id, t.period, t.metric, "
        "t.version, t.xmax = 0, (extract(epoch FROM t.update_time) * 1000000)::bigint",
        tenant_, actor, TextArray(ids), IntArray(kinds), TextArray(scope_ids), TextArray(lines),
        TextArray(periods), IntArray(period_kinds), TextArray(first_days), TextArray(last_days),
        IntArray(metrics), IntArray(bases), IntArray(challenges), TextArray(currencies),
        TextArray(parents));
    if (written.size() != write.size()) {
      return absl::InternalError(
          absl::StrFormat("wrote %d targets of %d", written.size(), write.size()));
    }

    std::vector<std::string> h_ids;
    std::vector<int64_t> h_versions, h_old_base, h_old_challenge, h_new_base, h_new_challenge;
    for (const pqxx::row& r : written) {
      auto it =
          index_of.find(KeyString(r[1].as<int>(), r[2].as<std::string>(), r[3].as<std::string>(),
                                  r[4].as<std::string>(), r[5].as<int>()));
      if (it == index_of.end()) return absl::InternalError("a written target matches no row");
      const size_t i = it->second;
      const bool inserted = r[7].as<bool>();
      if (inserted == old[i].has_value()) {
        // Another transaction created this key after our lookup.
        return absl::AbortedError(absl::StrFormat("target (%s) was created concurrently; retry",
                                                  DescribeKey(rows[i].key)));
      }
      TargetRecord& row = rows[i];
      row.target_id = r[0].as<std::string>();
      row.version = r[6].as<int64_t>();
      row.update_time = TimeAt(r[8]);
      row.updated_by = actor;
      if (created != nullptr) (*created)[i] = inserted;
      h_ids.push_back(row.target_id);
      h_versions.push_back(row.version);
      h_old_base.push_back(inserted ? 0 : old[i]->base_value);
      h_old_challenge.push_back(inserted ? 0 : old[i]->challenge_value);
      h_new_base.push_back(row.base_value);
      h_new_challenge.push_back(row.challenge_value);
    }
    tx.exec_params(
        "INSERT INTO target.target_history (tenant_id, target_id, version, change_time, "
        "changed_by, old_base_value, old_challenge_value, new_base_value, new_challenge_value, "
        "source) SELECT $1, h.target_id, h.version, now(), $2, h.old_base, h.old_challenge, "
        "h.new_base, h.new_challenge, $3 FROM unnest($4::text[], $5::bigint[], $6::bigint[], "
        "$7::bigint[], $8::bigint[], $9::bigint[]) AS h(target_id, version, old_base, "
        "old_challenge, new_base, new_challenge)",
        tenant_, actor, source, TextArray(h_ids), IntArray(h_versions), IntArray(h_old_base),
        IntArray(h_old_challenge), IntArray(h_new_base), IntArray(h_new_challenge));
    return absl::OkStatus();
  }

  pqxx::transaction_base& txn_;
  const std::string tenant_;
};

}  // namespace

absl::Status PgTargetStore::Migrate(PgPool& pool) {
  return RunMigrations(pool, "target", Migrations());
}

absl::StatusOr<std::string> PgTargetStore::Mutate(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::function<absl::StatusOr<std::string>(TargetTx&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  absl::Status last;
  for (int attempt = 0; attempt <= kMaxRetries; ++attempt) {
    absl::StatusOr<std::string> result = absl::InternalError("the transaction did not run");
    absl::Status status = pool_.InTransaction([&](pqxx::work& txn) -> absl::Status {
      if (!request_id.empty()) {
        // Serialises calls with the same request_id: a concurrent duplicate
        // waits here, then finds the first call's response.
        txn.exec_params(
            "SELECT pg_advisory_xact_lock(hashtext('target.requests'), hashtext($1 || '/' || $2))",
            tenant, request_id);
        pqxx::result found = txn.exec_params(
            "SELECT method, response FROM target.requests WHERE tenant_id = $1 AND request_id = $2",
            tenant, request_id);
        if (!found.empty()) {
          const std::string used = found[0][0].as<std::string>();
          if (used != method) {
            result = absl::AlreadyExistsError(absl::StrFormat(
                "request_id \"%s\" was already used for %s: use a new request_id for %s",
                request_id, used, method));
          } else {
            result = pqxx::binarystring(found[0][1]).str();
          }
          return absl::OkStatus();
        }
      }
      PgTargetTx tx(txn, tenant);
      result = fn(tx);
      if (!result.ok()) return result.status();
      if (!request_id.empty()) {
        pqxx::result stored = txn.exec_params(
            "INSERT INTO target.requests (tenant_id, request_id, method, response) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
            tenant, request_id, method, pqxx::binarystring(*result));
        if (stored.empty()) {
          // Lost a race the advisory lock should have prevented (a hash
          // collision cannot cause this): roll back and return the winner's.
          return absl::AbortedError(
              absl::StrFormat("request_id \"%s\" was stored concurrently", request_id));
        }
      }
      return absl::OkStatus();
    });
    if (status.ok()) return result;
    if (status.code() != absl::StatusCode::kAborted) return status;
    last = status;
  }
  return Annotate(last, absl::StrFormat("gave up after %d attempts", kMaxRetries + 1));
}

absl::Status PgTargetStore::Read(const std::string& tenant,
                                 const std::function<absl::Status(TargetTx&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    PgTargetTx tx(txn, tenant);
    RETURN_IF_ERROR(fn(tx));
    txn.commit();
    return absl::OkStatus();
  });
}

}  // namespace attain::target
