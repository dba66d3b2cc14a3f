#include "services/ingest/src/store/pg_query_store.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "attain/ingest/v1/events.pb.h"
#include "common/status.h"
#include "services/ingest/src/domain/rollup.h"

namespace attain::ingest {
namespace {

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The scope as an SQL condition on columns `<alias>.rep_id`, `.team_id` and
// `.region_id` (or the given column names), comparing with parameter `$param`.
std::string ScopeSql(const QueryScope& scope, const std::string& rep_col,
                     const std::string& team_col, const std::string& region_col, int param) {
  const std::string p = absl::StrCat("$", param);
  switch (scope.kind) {
    case QueryScope::Kind::kCompany:
      return absl::StrCat("(", p, "::text IS NOT NULL)");  // keeps the parameter used
    case QueryScope::Kind::kUnit:
      return absl::StrCat("(", team_col, " = ", p, " OR ", region_col, " = ", p, ")");
    case QueryScope::Kind::kRep:
      return absl::StrCat("(", rep_col, " = ", p, ")");
  }
  return "false";
}

// The scope on rollup_daily `r` (tenant in $1): a unit's rows are found
// through its reps (rep_units, then rollup_daily_rep), the table having no
// index on team_id or region_id.
std::string RollupScopeSql(const QueryScope& scope, int param) {
  const std::string cond = ScopeSql(scope, "r.rep_id", "r.team_id", "r.region_id", param);
  if (scope.kind != QueryScope::Kind::kUnit) return cond;
  return absl::StrCat(
      "(r.rep_id IN (SELECT u.rep_id FROM ingest.rep_units u WHERE u.tenant_id = $1"
      " AND u.unit_id = $",
      param, ") AND ", cond, ")");
}

void SetComponent(v1::Components* c, size_t i, int64_t v) {
  switch (i) {
    case 0:
      c->set_sales_amount(v);
      break;
    case 1:
      c->set_order_count(v);
      break;
    case 2:
      c->set_gross_profit(v);
      break;
    case 3:
      c->set_collected_amount(v);
      break;
    case 4:
      c->set_receivable_due(v);
      break;
    case 5:
      c->set_new_customers(v);
      break;
    case 6:
      c->set_visits(v);
      break;
    case 7:
      c->set_effective_visits(v);
      break;
    case 8:
      c->set_follow_ups_late(v);
      break;
    case 9:
      c->set_opportunities_won(v);
      break;
    case 10:
      c->set_opportunities_lost(v);
      break;
    case 11:
      c->set_won_cycle_days(v);
      break;
    case 12:
      c->set_satisfaction_sum(v);
      break;
    case 13:
      c->set_satisfaction_count(v);
      break;
    case 14:
      c->set_collaboration_sum(v);
      break;
    case 15:
      c->set_collaboration_count(v);
      break;
    case 16:
      c->set_knowledge_sharing(v);
      break;
    case 17:
      c->set_reports_on_time(v);
      break;
    case 18:
      c->set_reports_late(v);
      break;
  }
}

std::string OptionalDay(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }

}  // namespace

absl::Status PgQueryStore::GetActuals(const std::string& tenant, const Period& period,
                                      const QueryScope& scope, v1::GroupBy group_by,
                                      const std::string& product_line_id,
                                      v1::GetActualsResponse* out) {
  v1::GetActualsGroupingsResponse grouped;
  RETURN_IF_ERROR(
      GetActualsGroupings(tenant, period, scope, {group_by}, product_line_id, &grouped));
  out->set_period(grouped.period());
  out->mutable_rows()->Swap(grouped.mutable_groupings(0)->mutable_rows());
  return absl::OkStatus();
}

absl::Status PgQueryStore::GetActualsGroupings(const std::string& tenant, const Period& period,
                                               const QueryScope& scope,
                                               const std::vector<v1::GroupBy>& groupings,
                                               const std::string& product_line_id,
                                               v1::GetActualsGroupingsResponse* out) {
  if (groupings.empty()) return absl::InvalidArgumentError("no grouping asked for");
  // The key expression of each grouping ("" for none), and whether any needs
  // the customers' master data.
  std::vector<std::string> keys;
  bool join_customers = false;
  for (v1::GroupBy group_by : groupings) {
    std::string key;
    switch (group_by) {
      case v1::GROUP_BY_UNSPECIFIED:
      case v1::GROUP_BY_NONE:
        break;
      case v1::GROUP_BY_REP:
        key = "r.rep_id";
        break;
      case v1::GROUP_BY_TEAM:
        key = "r.team_id";
        break;
      case v1::GROUP_BY_REGION:
        key = "r.region_id";
        break;
      case v1::GROUP_BY_PRODUCT_LINE:
        key = "r.product_line_id";
        break;
      case v1::GROUP_BY_CUSTOMER_GRADE:
        key = "COALESCE(c.grade, 0)::text";
        join_customers = true;
        break;
      case v1::GROUP_BY_CUSTOMER_TIER:
        key = "COALESCE(c.tier, 0)::text";
        join_customers = true;
        break;
      case v1::GROUP_BY_DAY:
        key = "to_char(r.day, 'YYYY-MM-DD')";
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("group_by ", static_cast<int>(group_by), " is not a GroupBy"));
    }
    if (!key.empty()) key = absl::StrCat("(", key, ") COLLATE \"C\"");
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("group_by ", v1::GroupBy_Name(group_by), " is asked for twice"));
    }
    keys.push_back(std::move(key));
  }
  // One pass over the rows, every grouping a grouping set. Columns: which set
  // (GROUPING's bit mask over the key expressions: a row of set i has every
  // bit set but key i's; the empty set, all bits), the keys (NULL but the
  // row's own), the cell count, the components.
  std::vector<std::string> exprs;  // the non-empty keys, in request order
  for (const std::string& k : keys) {
    if (!k.empty()) exprs.push_back(k);
  }
  const std::string expr_list = absl::StrJoin(exprs, ", ");
  std::string sql =
      absl::StrCat("SELECT ", exprs.empty() ? "0" : absl::StrCat("GROUPING(", expr_list, ")"));
  for (const std::string& e : exprs) absl::StrAppend(&sql, ", ", e);
  absl::StrAppend(&sql, ", count(*)");
  for (int k = 0; k < kComponentCount; ++k) {
    const absl::string_view col = ComponentColumn(k);
    absl::StrAppend(&sql, ", COALESCE(sum(r.", col, "), 0)::bigint");
  }
  absl::StrAppend(&sql, " FROM ingest.rollup_daily r");
  if (join_customers) {
    absl::StrAppend(&sql,
                    " LEFT JOIN ingest.customers c ON c.tenant_id = r.tenant_id COLLATE \"C\""
                    " AND c.customer_id = r.customer_id COLLATE \"C\"");
  }
  absl::StrAppend(&sql,
                  " WHERE r.tenant_id = $1 AND r.day BETWEEN $2::date AND $3::date"
                  " AND ($4 = '' OR r.product_line_id = $4) AND ",
                  RollupScopeSql(scope, 5));
  if (!exprs.empty()) {
    std::vector<std::string> sets;
    for (const std::string& k : keys) sets.push_back(absl::StrCat("(", k, ")"));
    absl::StrAppend(&sql, " GROUP BY GROUPING SETS (", absl::StrJoin(sets, ", "), ") ORDER BY 1");
    for (size_t i = 0; i < exprs.size(); ++i) absl::StrAppend(&sql, ", ", i + 2);
  }
  // Which grouping a row's mask belongs to.
  const int n = static_cast<int>(exprs.size());
  const int all = (1 << n) - 1;
  std::vector<int> mask_of(keys.size());
  std::vector<int> column_of(keys.size(), -1);
  for (size_t i = 0, e = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) {
      mask_of[i] = all;
    } else {
      mask_of[i] = all & ~(1 << (n - 1 - static_cast<int>(e)));
      column_of[i] = 1 + static_cast<int>(e);
      ++e;
    }
  }

  out->set_period(period.ToString());
  for (v1::GroupBy g : groupings) {
    out->add_groupings()->set_group_by(g == v1::GROUP_BY_UNSPECIFIED ? v1::GROUP_BY_NONE : g);
  }
  const int first_count = 1 + n;
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    // A team's per-rep groups are hashed in memory rather than sorted on
    // disk (the default 4 MB spills 10,000 reps' sums).
    txn.exec("SET LOCAL work_mem = '32MB'");
    pqxx::result r = txn.exec_params(sql, tenant, DayText(period.first_day()),
                                     DayText(period.last_day()), product_line_id, scope.id);
    for (const pqxx::row& row : r) {
      const int mask = row[0].as<int>();
      for (size_t i = 0; i < keys.size(); ++i) {
        if (mask_of[i] != mask) continue;
        v1::ActualsRow* a = out->mutable_groupings(static_cast<int>(i))->add_rows();
        std::string k = column_of[i] < 0 ? "" : row[column_of[i]].as<std::string>();
        if (groupings[i] == v1::GROUP_BY_CUSTOMER_GRADE) {
          int g = std::stoi(k);
          k = v1::CustomerGrade_IsValid(g) ? v1::CustomerGrade_Name(g) : absl::StrCat(g);
        } else if (groupings[i] == v1::GROUP_BY_CUSTOMER_TIER) {
          int t = std::stoi(k);
          k = v1::CustomerTier_IsValid(t) ? v1::CustomerTier_Name(t) : absl::StrCat(t);
        }
        a->set_group_key(std::move(k));
        a->set_cell_count(row[first_count].as<int64_t>());
        v1::Components* c = a->mutable_components();
        for (size_t j = 0; j < static_cast<size_t>(kComponentCount); ++j) {
          SetComponent(c, j, row[first_count + 1 + static_cast<int>(j)].as<int64_t>());
        }
      }
    }
    txn.commit();
    // The whole scope has one row, also when nothing was counted.
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].empty() && out->groupings(static_cast<int>(i)).rows_size() == 0) {
        v1::ActualsRow* a = out->mutable_groupings(static_cast<int>(i))->add_rows();
        a->mutable_components();
      }
    }
    return absl::OkStatus();
  });
}

absl::Status PgQueryStore::ListCustomers(const std::string& tenant, const Period& period,
                                         const QueryScope& scope, v1::CustomerFilter filter,
                                         const std::string& after, int limit,
                                         v1::ListCustomersResponse* out) {
  if (limit <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("limit is ", limit, ": it must be positive"));
  }
  const Period prev = period.Previous();
  // $1 tenant, $2/$3 the period, $4/$5 the previous period, $6 the scope id.
  const std::string orders_scope = ScopeSql(scope, "e.rep_id", "e.team_id", "e.region_id", 6);
  const std::string ctes = absl::StrCat(
      "WITH cur AS (SELECT e.customer_id, count(*) AS n, sum(e.amount) AS amount"
      " FROM ingest.entity_states e WHERE e.tenant_id = $1 AND e.kind = 1 AND e.counted"
      " AND e.customer_id <> '' AND e.day BETWEEN $2::date AND $3::date AND ",
      orders_scope,
      " GROUP BY e.customer_id),"
      " prev AS (SELECT DISTINCT e.customer_id FROM ingest.entity_states e"
      " WHERE e.tenant_id = $1 AND e.kind = 1 AND e.counted AND e.customer_id <> ''"
      " AND e.day BETWEEN $4::date AND $5::date AND ",
      orders_scope,
      "),"
      " nw AS (SELECT c.customer_id FROM ingest.customers c WHERE c.tenant_id = $1"
      " AND c.first_order_day BETWEEN $2::date AND $3::date AND ",
      ScopeSql(scope, "c.first_rep_id", "c.first_team_id", "c.first_region_id", 6), ") ");
  std::string selected;
  switch (filter) {
    case v1::CUSTOMER_FILTER_UNSPECIFIED:
    case v1::CUSTOMER_FILTER_ACTIVE:
      selected = "SELECT customer_id FROM cur";
      break;
    case v1::CUSTOMER_FILTER_NEW:
      selected = "SELECT customer_id FROM nw";
      break;
    case v1::CUSTOMER_FILTER_REPEAT:
      selected = "SELECT customer_id FROM cur WHERE n >= 2";
      break;
    case v1::CUSTOMER_FILTER_CHURNED:
      selected =
          "SELECT customer_id FROM prev WHERE customer_id NOT IN (SELECT customer_id FROM cur)";
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("filter ", static_cast<int>(filter), " is not a CustomerFilter"));
  }
  const std::string page_sql = absl::StrCat(
      ctes, ", sel AS (", selected,
      ") SELECT s.customer_id, COALESCE(c.full_name, ''), COALESCE(c.grade, 0),"
      " COALESCE(c.tier, 0), c.first_order_day::text, c.last_order_day::text,"
      " COALESCE(cur.n, 0), COALESCE(cur.amount, 0)::bigint FROM sel s"
      " LEFT JOIN ingest.customers c ON c.tenant_id = $1 AND c.customer_id = s.customer_id"
      " LEFT JOIN cur ON cur.customer_id = s.customer_id"
      " WHERE s.customer_id > $7 ORDER BY s.customer_id LIMIT $8");
  const std::string count_sql = absl::StrCat(
      ctes,
      "SELECT (SELECT count(*) FROM cur), (SELECT count(*) FROM nw),"
      " (SELECT count(*) FROM cur WHERE n >= 2), (SELECT count(*) FROM prev),"
      " (SELECT count(*) FROM prev WHERE customer_id NOT IN (SELECT customer_id FROM cur))");

  out->set_previous_period(prev.ToString());
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    const std::string f = DayText(period.first_day()), l = DayText(period.last_day());
    const std::string pf = DayText(prev.first_day()), pl = DayText(prev.last_day());
    pqxx::result counts = txn.exec_params(count_sql, tenant, f, l, pf, pl, scope.id);
    out->set_active_count(counts[0][0].as<int64_t>());
    out->set_new_count(counts[0][1].as<int64_t>());
    out->set_repeat_count(counts[0][2].as<int64_t>());
    out->set_previous_active_count(counts[0][3].as<int64_t>());
    out->set_churned_count(counts[0][4].as<int64_t>());
    pqxx::result r = txn.exec_params(page_sql, tenant, f, l, pf, pl, scope.id, after, limit + 1);
    for (int i = 0; i < static_cast<int>(r.size()) && i < limit; ++i) {
      const pqxx::row row = r[i];
      v1::CustomerActivity* c = out->add_customers();
      c->set_customer_id(row[0].as<std::string>());
      c->set_full_name(row[1].as<std::string>());
      c->set_grade(static_cast<v1::CustomerGrade>(row[2].as<int>()));
      c->set_tier(static_cast<v1::CustomerTier>(row[3].as<int>()));
      c->set_first_order_day(OptionalDay(row[4]));
      c->set_last_order_day(OptionalDay(row[5]));
      c->set_orders_in_period(row[6].as<int64_t>());
      c->set_sales_in_period(row[7].as<int64_t>());
    }
    if (static_cast<int>(r.size()) > limit) {
      out->set_next_page_token(out->customers(limit - 1).customer_id());
    }
    txn.commit();
    return absl::OkStatus();
  });
}

absl::Status PgQueryStore::GetFunnel(const std::string& tenant, const Period& period,
                                     const QueryScope& scope, v1::GetFunnelResponse* out) {
  std::string scope_sql = ScopeSql(scope, "e.rep_id", "e.team_id", "e.region_id", 4);
  if (scope.kind == QueryScope::Kind::kUnit) {
    // An open opportunity records no team: take it by its rep's rows in the period.
    scope_sql = absl::StrCat(
        "(", scope_sql,
        " OR (NOT e.counted AND e.team_id = '' AND e.rep_id IN (SELECT r.rep_id COLLATE \"C\""
        " FROM ingest.rollup_daily r WHERE r.tenant_id = $1 AND r.day BETWEEN $2::date AND"
        " $3::date AND ",
        RollupScopeSql(scope, 4), ")))");
  }
  const std::string sql = absl::StrCat(
      "SELECT e.status, count(*) FROM ingest.entity_states e WHERE e.tenant_id = $1"
      " AND e.kind = 5 AND e.day BETWEEN $2::date AND $3::date AND ",
      scope_sql, " GROUP BY e.status");
  out->set_period(period.ToString());
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    pqxx::result r = txn.exec_params(sql, tenant, DayText(period.first_day()),
                                     DayText(period.last_day()), scope.id);
    std::array<int64_t, 8> by_status{};  // index: OpportunityStage number
    for (const pqxx::row& row : r) {
      const int s = row[0].as<int>();
      if (s >= 0 && s < static_cast<int>(by_status.size())) by_status[s] += row[1].as<int64_t>();
    }
    txn.commit();
    // Reached stage s: current stage in [s, WON]; every lost one was a lead.
    for (int s = v1::OPPORTUNITY_STAGE_LEAD; s <= v1::OPPORTUNITY_STAGE_WON; ++s) {
      int64_t entered = 0;
      for (int t = s; t <= v1::OPPORTUNITY_STAGE_WON; ++t) entered += by_status[t];
      if (s == v1::OPPORTUNITY_STAGE_LEAD) entered += by_status[v1::OPPORTUNITY_STAGE_LOST];
      v1::FunnelStage* st = out->add_stages();
      st->set_stage(static_cast<v1::OpportunityStage>(s));
      st->set_entered(entered);
    }
    out->set_lost(by_status[v1::OPPORTUNITY_STAGE_LOST]);
    return absl::OkStatus();
  });
}

absl::Status PgQueryStore::GetCustomerStats(const std::string& tenant, const Period& period,
                                            const QueryScope& scope, v1::GroupBy group_by,
                                            bool include_total, v1::GetCustomerStatsResponse* out) {
  bool by_rep = false;
  switch (group_by) {
    case v1::GROUP_BY_UNSPECIFIED:
    case v1::GROUP_BY_NONE:
      break;
    case v1::GROUP_BY_REP:
      by_rep = true;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("group_by ", static_cast<int>(group_by),
                       " is not offered by GetCustomerStats: use GROUP_BY_NONE or GROUP_BY_REP"));
  }
  // The group key of an order of entity_states alias `e`.
  const std::string order_key = by_rep ? "e.rep_id" : "''::text COLLATE \"C\"";
  // A new customer's group: its first order's rep. customers.first_rep_id has
  // the database's collation, entity_states.rep_id "C": compared as "C".
  const std::string customer_key =
      by_rep ? "c.first_rep_id COLLATE \"C\"" : "''::text COLLATE \"C\"";
  const std::string new_customer =
      absl::StrCat("c.first_order_day BETWEEN $2::date AND $3::date AND ",
                   ScopeSql(scope, "c.first_rep_id", "c.first_team_id", "c.first_region_id", 6));
  const Period prev = period.Previous();
  // $1 tenant, $2/$3 the period, $4/$5 the previous period, $6 the scope id.
  // o: one pass over the counted orders of both periods within the scope
  // (orders_by_day), each with its customer's master data (hashed), per group
  // and customer: n orders in the period, n_prev in the previous one (what
  // ListCustomers counts), whether the customer is new (first order ever in
  // the period, credited within the scope: ListCustomers' new), its group
  // (first_k) and fm, the period's orders in the month of its first order
  // (is_new and first_k are the customer's: aggregated rather than grouped
  // by, so that the planner expects as many groups as customers and hashes).
  // g: the counts per group, and the first-month sales of the group's own new
  // customers through its own orders. nw: the new customers per group (one
  // may have no order within the scope). With include_total, the total's
  // counts come from o summed per customer (a customer who bought from two
  // reps is one customer) and its first-month sales are all of fm.
  const std::string counts =
      " count(*) FILTER (WHERE n > 0) AS active_n,"
      " count(*) FILTER (WHERE n >= 2) AS repeat_n,"
      " count(*) FILTER (WHERE n_prev > 0) AS previous_n,"
      " count(*) FILTER (WHERE n_prev > 0 AND n = 0) AS churned_n";
  std::string sql = absl::StrCat(
      "WITH o AS (SELECT ", order_key, " AS k, e.customer_id, bool_or(COALESCE(", new_customer,
      ", false)) AS is_new, min(", customer_key,
      ") AS first_k,"
      " count(*) FILTER (WHERE e.day BETWEEN $2::date AND $3::date) AS n,"
      " count(*) FILTER (WHERE e.day BETWEEN $4::date AND $5::date) AS n_prev,"
      " sum(e.amount) FILTER (WHERE e.day BETWEEN $2::date AND $3::date AND"
      " date_trunc('month', e.day::timestamp) = date_trunc('month', c.first_order_day::timestamp))"
      " AS fm"
      " FROM ingest.entity_states e LEFT JOIN ingest.customers c ON c.tenant_id = e.tenant_id"
      " AND c.customer_id = e.customer_id"
      " WHERE e.tenant_id = $1 AND e.kind = 1 AND e.counted AND e.customer_id <> ''"
      " AND (e.day BETWEEN $2::date AND $3::date OR e.day BETWEEN $4::date AND $5::date) AND ",
      ScopeSql(scope, "e.rep_id", "e.team_id", "e.region_id", 6),
      " GROUP BY 1, 2),"
      " g AS (SELECT k,",
      counts,
      ", sum(fm) FILTER (WHERE is_new AND first_k = k) AS sales FROM o GROUP BY k),"
      " nw AS (SELECT ",
      customer_key, " AS k, count(*) AS new_n FROM ingest.customers c WHERE c.tenant_id = $1 AND ",
      new_customer,
      " GROUP BY 1)"
      " SELECT false, COALESCE(g.k, nw.k) AS k, COALESCE(g.active_n, 0), COALESCE(g.repeat_n, 0),"
      " COALESCE(g.previous_n, 0), COALESCE(g.churned_n, 0), COALESCE(nw.new_n, 0),"
      " COALESCE(g.sales, 0)::bigint FROM g FULL JOIN nw ON nw.k = g.k");
  if (by_rep && include_total) {
    absl::StrAppend(
        &sql,
        " UNION ALL SELECT true, ''::text COLLATE \"C\", t.active_n, t.repeat_n, t.previous_n,"
        " t.churned_n, (SELECT count(*) FROM ingest.customers c WHERE c.tenant_id = $1 AND ",
        new_customer, "), COALESCE(t.sales, 0)::bigint FROM (SELECT", counts,
        ", sum(fm) FILTER (WHERE is_new) AS sales FROM (SELECT customer_id, bool_or(is_new) AS"
        " is_new, sum(n) AS n, sum(n_prev) AS n_prev, sum(fm) AS fm FROM o GROUP BY customer_id)"
        " per_customer) t");
  }
  absl::StrAppend(&sql, " ORDER BY 1, 2");

  out->set_period(period.ToString());
  out->set_previous_period(prev.ToString());
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    // 10,000 reps' customers are hashed in memory rather than sorted on disk.
    txn.exec("SET LOCAL work_mem = '32MB'");
    pqxx::result r =
        txn.exec_params(sql, tenant, DayText(period.first_day()), DayText(period.last_day()),
                        DayText(prev.first_day()), DayText(prev.last_day()), scope.id);
    for (const pqxx::row& row : r) {
      v1::CustomerStatsRow* s = row[0].as<bool>() ? out->mutable_total() : out->add_rows();
      s->set_group_key(row[1].as<std::string>());
      s->set_active_count(row[2].as<int64_t>());
      s->set_repeat_count(row[3].as<int64_t>());
      s->set_previous_active_count(row[4].as<int64_t>());
      s->set_churned_count(row[5].as<int64_t>());
      s->set_new_count(row[6].as<int64_t>());
      s->set_new_customer_first_month_sales(row[7].as<int64_t>());
    }
    txn.commit();
    // The whole scope has one row, also when nothing moved.
    if (!by_rep) {
      if (out->rows_size() == 0) out->add_rows();
      if (include_total) *out->mutable_total() = out->rows(0);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> PgQueryStore::ScopeWithinUnit(const std::string& tenant,
                                                   const QueryScope& scope,
                                                   const std::string& unit) {
  std::string sql;
  switch (scope.kind) {
    case QueryScope::Kind::kCompany:
      return false;
    case QueryScope::Kind::kUnit:
      if (scope.id == unit) return true;
      // A team of the region: a rollup row names both (reached through the
      // team's reps; rollup_daily has no team index).
      sql =
          "SELECT EXISTS (SELECT 1 FROM ingest.rollup_daily WHERE tenant_id = $1"
          " AND rep_id IN (SELECT u.rep_id FROM ingest.rep_units u WHERE u.tenant_id = $1"
          " AND u.unit_id = $2) AND team_id = $2 AND region_id = $3)";
      break;
    case QueryScope::Kind::kRep:
      sql =
          "SELECT EXISTS (SELECT 1 FROM ingest.rep_units WHERE tenant_id = $1"
          " AND rep_id = $2 AND unit_id = $3)";
      break;
  }
  bool within = false;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    within = txn.exec_params(sql, tenant, scope.id, unit)[0][0].as<bool>();
    txn.commit();
    return absl::OkStatus();
  }));
  return within;
}

}  // namespace attain::ingest
