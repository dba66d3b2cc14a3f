// The read queries of IngestQueryService (PgQueryStore) against a real
// PostgreSQL, over rollup_daily, customers and entity_states rows written
// directly with SQL; and the handlers' validation and scope checks. Numbers
// are worked out by hand in each test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "attain/ingest/v1/query_service.pb.h"
#include "common/period.h"
#include "common/pg.h"
#include "services/ingest/src/api/query_service.h"
#include "services/ingest/src/store/pg_ingest_store.h"
#include "services/ingest/src/store/pg_query_store.h"
#include "tests/support/test_servers.h"

namespace attain::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

// A rollup_daily row: placement and the components the tests use.
struct Cell {
  std::string day;
  std::string rep;
  std::string team;
  std::string region;
  std::string product_line;
  std::string customer;
  int64_t sales = 0;
  int64_t orders = 0;
  int64_t gross_profit = 0;
  int64_t new_customers = 0;
  int64_t visits = 0;
  int64_t won = 0;
  std::string tenant = "acme";
};

// An entity_states row (an order, kind 1, or an opportunity, kind 5).
struct Entity {
  int kind = 1;
  std::string id;
  bool counted = true;
  std::string day;
  std::string rep;
  std::string team;
  std::string region;
  std::string customer;
  int64_t amount = 0;
  int status = 0;
};

// A customers row.
struct CustomerRow {
  std::string id;
  std::string name;
  int grade = 0;
  int tier = 0;
  std::string first_day = "";  // "" = NULL
  std::string first_rep = "";
  std::string first_team = "";
  std::string first_region = "";
  std::string last_day = "";  // "" = NULL
};

Period P(const std::string& text) { return *Period::Parse(text); }

QueryScope Company() { return {}; }
QueryScope Unit(const std::string& id) { return {QueryScope::Kind::kUnit, id}; }
QueryScope Rep(const std::string& id) { return {QueryScope::Kind::kRep, id}; }

class QueryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgPool::Options options;
    options.url = testing::PgTestServer::Shared().CreateDatabase("ingest_query");
    options.size = 2;
    absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    ASSERT_TRUE(PgIngestStore::Migrate(*pool_).ok());
    store_ = std::make_unique<PgQueryStore>(*pool_);
  }

  void Exec(const std::function<void(pqxx::work&)>& fn) {
    absl::Status st = pool_->InTransaction([&](pqxx::work& txn) {
      fn(txn);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  void AddCells(const std::vector<Cell>& cells) {
    Exec([&](pqxx::work& txn) {
      for (const Cell& c : cells) {
        txn.exec_params(
            "INSERT INTO ingest.rollup_daily (tenant_id, day, rep_id, team_id, region_id,"
            " product_line_id, customer_id, sales_amount, order_count, gross_profit,"
            " new_customers, visits, opportunities_won)"
            " VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            c.tenant, c.day, c.rep, c.team, c.region, c.product_line, c.customer, c.sales, c.orders,
            c.gross_profit, c.new_customers, c.visits, c.won);
        // As the pipeline does with every rollup row (RecordRepUnits): unit
        // queries reach a unit's rows through its reps.
        for (const std::string& unit : {c.team, c.region}) {
          if (unit.empty()) continue;
          txn.exec_params(
              "INSERT INTO ingest.rep_units (tenant_id, unit_id, rep_id) VALUES ($1, $2, $3)"
              " ON CONFLICT DO NOTHING",
              c.tenant, unit, c.rep);
        }
      }
    });
  }

  void AddEntities(const std::vector<Entity>& entities) {
    Exec([&](pqxx::work& txn) {
      for (const Entity& e : entities) {
        txn.exec_params(
            "INSERT INTO ingest.entity_states (tenant_id, kind, entity_id, version, counted, day,"
            " rep_id, team_id, region_id, customer_id, amount, status)"
            " VALUES ('acme', $1, $2, 1, $3, $4::date, $5, $6, $7, $8, $9, $10)",
            e.kind, e.id, e.counted, e.day, e.rep, e.team, e.region, e.customer, e.amount,
            e.status);
      }
    });
  }

  void AddCustomers(const std::vector<CustomerRow>& customers) {
    Exec([&](pqxx::work& txn) {
      for (const CustomerRow& c : customers) {
        txn.exec_params(
            "INSERT INTO ingest.customers (tenant_id, customer_id, full_name, grade, tier,"
            " first_order_day, first_rep_id, first_team_id, first_region_id, last_order_day)"
            " VALUES ('acme', $1, $2, $3, $4, NULLIF($5, '')::date, $6, $7, $8,"
            " NULLIF($9, '')::date)",
            c.id, c.name, c.grade, c.tier, c.first_day, c.first_rep, c.first_team, c.first_region,
            c.last_day);
      }
    });
  }

  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgQueryStore> store_;
};

// ---------------------------------------------------------------------------
// GetActuals

// east: team-1 (rep-1; rep-2 until January); west: team-2 (rep-3; rep-2 from
// February). Q1 2025 has four sales cells and one activity-only cell.
class ActualsTest : public QueryStoreTest {
 protected:
  void SetUp() override {
    QueryStoreTest::SetUp();
    AddCells({
        {"2025-01-10", "rep-1", "team-1", "east", "pl-a", "cust-1", 100'00, 1, 30'00, 1},
        {"2025-01-10", "rep-1", "team-1", "east", "pl-b", "cust-2", 50'00, 1, 10'00, 1},
        {"2025-01-20", "rep-2", "team-1", "east", "pl-a", "cust-1", 200'00, 1, 60'00, 0},
        {"2025-02-05", "rep-2", "team-2", "west", "pl-a", "cust-3", 400'00, 2, 100'00, 1},
        {"2025-03-31", "rep-3", "team-2", "west", "pl-b", "", 0, 0, 0, 0, 5, 1},
        // Outside Q1, on both sides of it.
        {"2024-12-31", "rep-1", "team-1", "east", "pl-a", "cust-4", 1000'00, 1},
        {"2025-04-01", "rep-1", "team-1", "east", "pl-a", "cust-4", 7000'00, 1},
        // Another tenant.
        {"2025-01-10", "rep-1", "team-1", "east", "pl-a", "cust-1", 9999'00, 1, 0, 0, 0, 0,
         "globex"},
    });
    AddCustomers({{"cust-1", "Acme Trading Co., Ltd.", 1, 1},
                  {"cust-2", "Beta Industrial Co., Ltd.", 2, 2},
                  {"cust-3", "Gamma Software Co., Ltd.", 1, 3}});
  }

  v1::GetActualsResponse Get(const std::string& period, const QueryScope& scope,
                             v1::GroupBy group_by, const std::string& product_line = "") {
    v1::GetActualsResponse resp;
    absl::Status st = store_->GetActuals("acme", P(period), scope, group_by, product_line, &resp);
    EXPECT_TRUE(st.ok()) << st;
    return resp;
  }

  // group_key → sales amount.
  static std::map<std::string, int64_t> Sales(const v1::GetActualsResponse& resp) {
    std::map<std::string, int64_t> m;
    for (const v1::ActualsRow& r : resp.rows()) m[r.group_key()] = r.components().sales_amount();
    return m;
  }
  static std::vector<std::string> Keys(const v1::GetActualsResponse& resp) {
    std::vector<std::string> keys;
    for (const v1::ActualsRow& r : resp.rows()) keys.push_back(r.group_key());
    return keys;
  }
};

TEST_F(ActualsTest, CompanyTotalsOverAQuarter) {
  v1::GetActualsResponse resp = Get("2025-Q1", Company(), v1::GROUP_BY_NONE);
  EXPECT_EQ(resp.period(), "2025-Q1");
  ASSERT_EQ(resp.rows_size(), 1);
  const v1::ActualsRow& row = resp.rows(0);
  EXPECT_EQ(row.group_key(), "");
  EXPECT_EQ(row.cell_count(), 5);
  EXPECT_EQ(row.components().sales_amount(), 750'00);
  EXPECT_EQ(row.components().order_count(), 5);
  EXPECT_EQ(row.components().gross_profit(), 200'00);
  EXPECT_EQ(row.components().new_customers(), 3);
  EXPECT_EQ(row.components().visits(), 5);
  EXPECT_EQ(row.components().opportunities_won(), 1);
  EXPECT_EQ(row.components().collected_amount(), 0);
  // UNSPECIFIED is NONE.
  EXPECT_EQ(Get("2025-Q1", Company(), v1::GROUP_BY_UNSPECIFIED).rows(0).components().sales_amount(),
            750'00);
}

TEST_F(ActualsTest, NothingCountedIsOneRowOfZeros) {
  v1::GetActualsResponse resp = Get("2026-Q1", Company(), v1::GROUP_BY_NONE);
  ASSERT_EQ(resp.rows_size(), 1);
  EXPECT_EQ(resp.rows(0).cell_count(), 0);
  EXPECT_EQ(resp.rows(0).components().sales_amount(), 0);
  EXPECT_THAT(Get("2026-Q1", Company(), v1::GROUP_BY_REP).rows(), IsEmpty());
}

TEST_F(ActualsTest, Groupings) {
  EXPECT_THAT(Sales(Get("2025-Q1", Company(), v1::GROUP_BY_REP)),
              ElementsAre(Pair("rep-1", 150'00), Pair("rep-2", 600'00), Pair("rep-3", 0)));
  // rep-2's February sale counts in team-2 / west, where rep-2 sat that day.
  EXPECT_THAT(Sales(Get("2025-Q1", Company(), v1::GROUP_BY_TEAM)),
              ElementsAre(Pair("team-1", 350'00), Pair("team-2", 400'00)));
  EXPECT_THAT(Sales(Get("2025-Q1", Company(), v1::GROUP_BY_REGION)),
              ElementsAre(Pair("east", 350'00), Pair("west", 400'00)));
  EXPECT_THAT(Sales(Get("2025-Q1", Company(), v1::GROUP_BY_PRODUCT_LINE)),
              ElementsAre(Pair("pl-a", 700'00), Pair("pl-b", 50'00)));
  v1::GetActualsResponse days = Get("2025-Q1", Company(), v1::GROUP_BY_DAY);
  EXPECT_THAT(Keys(days), ElementsAre("2025-01-10", "2025-01-20", "2025-02-05", "2025-03-31"));
  EXPECT_EQ(days.rows(0).components().sales_amount(), 150'00);
  EXPECT_EQ(days.rows(0).cell_count(), 2);
  EXPECT_EQ(days.rows(3).components().visits(), 5);
  EXPECT_THAT(Sales(Get("2025-Q1", Company(), v1::GROUP_BY_CUSTOMER_GRADE)),
              ElementsAre(Pair("CUSTOMER_GRADE_A", 700'00), Pair("CUSTOMER_GRADE_B", 50'00),
                          Pair("CUSTOMER_GRADE_UNSPECIFIED", 0)));
  EXPECT_THAT(
      Sales(Get("2025-Q1", Company(), v1::GROUP_BY_CUSTOMER_TIER)),
      ElementsAre(Pair("CUSTOMER_TIER_GROWTH", 50'00), Pair("CUSTOMER_TIER_KEY_ACCOUNT", 300'00),
                  Pair("CUSTOMER_TIER_POTENTIAL", 400'00), Pair("CUSTOMER_TIER_UNSPECIFIED", 0)));
}

TEST_F(ActualsTest, ScopesAndProductLineFilter) {
  auto total = [&](const QueryScope& scope, const std::string& period = "2025-Q1",
                   const std::string& pl = "") {
    return Get(period, scope, v1::GROUP_BY_NONE, pl).rows(0).components().sales_amount();
  };
  EXPECT_EQ(total(Unit("team-1")), 350'00);
  EXPECT_EQ(total(Unit("east")), 350'00);
  EXPECT_EQ(total(Unit("west")), 400'00);
  EXPECT_EQ(total(Unit("nowhere")), 0);
  EXPECT_EQ(total(Rep("rep-2")), 600'00);
  EXPECT_EQ(total(Rep("rep-2"), "2025-01"), 200'00);
  EXPECT_EQ(total(Unit("team-1"), "2025-Q1", "pl-a"), 300'00);
  EXPECT_EQ(total(Company(), "2025-Q1", "pl-b"), 50'00);
  EXPECT_EQ(total(Company(), "2024-Q4"), 1000'00);
  EXPECT_EQ(total(Company(), "2025-04-01"), 7000'00);
  EXPECT_EQ(total(Company(), "2025"), 7750'00);
  EXPECT_THAT(Sales(Get("2025-Q1", Unit("west"), v1::GROUP_BY_REP)),
              ElementsAre(Pair("rep-2", 400'00), Pair("rep-3", 0)));
  EXPECT_EQ(Get("2025-Q1", Unit("west"), v1::GROUP_BY_NONE).rows(0).components().visits(), 5);
}

// Every grouping of GetActualsGroupings is GetActuals' answer for it, whatever
// the others asked with it, in every scope, also where nothing was counted.
TEST_F(ActualsTest, GroupingsInOnePassEqualGetActuals) {
  const std::vector<v1::GroupBy> all = {v1::GROUP_BY_REP,          v1::GROUP_BY_NONE,
                                        v1::GROUP_BY_TEAM,         v1::GROUP_BY_REGION,
                                        v1::GROUP_BY_PRODUCT_LINE, v1::GROUP_BY_CUSTOMER_GRADE,
                                        v1::GROUP_BY_DAY,          v1::GROUP_BY_CUSTOMER_TIER};
  const std::vector<std::vector<v1::GroupBy>> asks = {
      all,
      {v1::GROUP_BY_NONE},
      {v1::GROUP_BY_UNSPECIFIED},
      {v1::GROUP_BY_REP},
      {v1::GROUP_BY_CUSTOMER_TIER, v1::GROUP_BY_NONE},
      {v1::GROUP_BY_NONE, v1::GROUP_BY_REP, v1::GROUP_BY_CUSTOMER_GRADE},
  };
  for (const QueryScope& scope : {Company(), Unit("west"), Unit("team-1"), Rep("rep-2")}) {
    for (const std::string period : {"2025-Q1", "2026-Q1", "2025-02"}) {
      for (const std::string pl : {"", "pl-a"}) {
        for (const std::vector<v1::GroupBy>& ask : asks) {
          SCOPED_TRACE(absl::StrCat(scope.id, " ", period, " pl=", pl, " asked ", ask.size(),
                                    " first ", v1::GroupBy_Name(ask[0])));
          v1::GetActualsGroupingsResponse got;
          absl::Status st = store_->GetActualsGroupings("acme", P(period), scope, ask, pl, &got);
          ASSERT_TRUE(st.ok()) << st;
          EXPECT_EQ(got.period(), period);
          ASSERT_EQ(got.groupings_size(), static_cast<int>(ask.size()));
          for (size_t i = 0; i < ask.size(); ++i) {
            const v1::ActualsGrouping& g = got.groupings(static_cast<int>(i));
            EXPECT_EQ(g.group_by(),
                      ask[i] == v1::GROUP_BY_UNSPECIFIED ? v1::GROUP_BY_NONE : ask[i]);
            v1::GetActualsResponse alone = Get(period, scope, ask[i], pl);
            ASSERT_EQ(g.rows_size(), alone.rows_size()) << v1::GroupBy_Name(ask[i]);
            for (int r = 0; r < g.rows_size(); ++r) {
              EXPECT_EQ(g.rows(r).SerializeAsString(), alone.rows(r).SerializeAsString())
                  << v1::GroupBy_Name(ask[i]) << " row " << r << ": " << g.rows(r).DebugString()
                  << " vs " << alone.rows(r).DebugString();
            }
          }
        }
      }
    }
  }
  // Worked by hand: the company's quarter, per rep and in total, at once.
  v1::GetActualsGroupingsResponse both;
  ASSERT_TRUE(store_
                  ->GetActualsGroupings("acme", P("2025-Q1"), Company(),
                                        {v1::GROUP_BY_REP, v1::GROUP_BY_NONE}, "", &both)
                  .ok());
  ASSERT_EQ(both.groupings_size(), 2);
  ASSERT_EQ(both.groupings(0).rows_size(), 3);
  EXPECT_EQ(both.groupings(0).rows(1).group_key(), "rep-2");
  EXPECT_EQ(both.groupings(0).rows(1).components().sales_amount(), 600'00);
  ASSERT_EQ(both.groupings(1).rows_size(), 1);
  EXPECT_EQ(both.groupings(1).rows(0).components().sales_amount(), 750'00);
  EXPECT_EQ(both.groupings(1).rows(0).cell_count(), 5);
}

TEST_F(ActualsTest, GroupingsRefusesNoneTwiceOrUnknown) {
  auto refused = [&](const std::vector<v1::GroupBy>& ask) {
    v1::GetActualsGroupingsResponse resp;
    absl::Status st = store_->GetActualsGroupings("acme", P("2025-Q1"), Company(), ask, "", &resp);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
    return std::string(st.message());
  };
  EXPECT_THAT(refused({}), HasSubstr("no grouping"));
  EXPECT_THAT(refused({v1::GROUP_BY_REP, v1::GROUP_BY_REP}),
              HasSubstr("GROUP_BY_REP is asked for twice"));
  EXPECT_THAT(refused({v1::GROUP_BY_NONE, v1::GROUP_BY_UNSPECIFIED}), HasSubstr("twice"));
  EXPECT_THAT(refused({static_cast<v1::GroupBy>(42)}), HasSubstr("42 is not a GroupBy"));
}

TEST_F(ActualsTest, ScopeWithinUnit) {
  auto within = [&](const QueryScope& scope, const std::string& unit) {
    absl::StatusOr<bool> b = store_->ScopeWithinUnit("acme", scope, unit);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.value_or(false);
  };
  EXPECT_TRUE(within(Unit("east"), "east"));
  EXPECT_TRUE(within(Unit("team-1"), "east"));
  EXPECT_FALSE(within(Unit("team-2"), "east"));
  EXPECT_FALSE(within(Unit("west"), "east"));
  EXPECT_TRUE(within(Rep("rep-1"), "east"));
  EXPECT_TRUE(within(Rep("rep-1"), "team-1"));
  EXPECT_TRUE(within(Rep("rep-2"), "west"));  // moved there in February
  EXPECT_FALSE(within(Rep("rep-3"), "east"));
  EXPECT_FALSE(within(Company(), "east"));
}

// ---------------------------------------------------------------------------
// ListCustomers

// Orders around the 2024-Q4 / 2025-Q1 / 2025-Q2 boundaries:
//   cust-1: Q4 (rep-1), Jan ×2 (rep-1, rep-2; team-1)      active, repeat
//   cust-2: 2024-12-31 only (rep-1)                        churned in Q1
//   cust-3: first ever 2025-02-05 ×2 (rep-2, team-2/west)  new, repeat
//   cust-4: a cancelled March order only                   nothing
//   cust-5: 2024-10-01 and 2025-03-31 (rep-3, west)        active once
//   cust-6: first ever 2025-04-01 (rep-1)                  new in Q2
class CustomersTest : public QueryStoreTest {
 protected:
  void SetUp() override {
    QueryStoreTest::SetUp();
    AddEntities({
        {1, "o1", true, "2024-11-05", "rep-1", "team-1", "east", "cust-1", 100'00},
        {1, "o2", true, "2025-01-10", "rep-1", "team-1", "east", "cust-1", 100'00},
        {1, "o3", true, "2025-01-20", "rep-2", "team-1", "east", "cust-1", 200'00},
        {1, "o4", true, "2024-12-31", "rep-1", "team-1", "east", "cust-2", 50'00},
        {1, "o5", true, "2025-02-05", "rep-2", "team-2", "west", "cust-3", 150'00},
        {1, "o6", true, "2025-02-05", "rep-2", "team-2", "west", "cust-3", 250'00},
        {1, "o7", false, "2025-03-01", "rep-3", "team-2", "west", "cust-4", 80'00},
        {1, "o8", true, "2024-10-01", "rep-3", "team-2", "west", "cust-5", 10'00},
        {1, "o9", true, "2025-03-31", "rep-3", "team-2", "west", "cust-5", 10'00},
        {1, "o10", true, "2025-04-01", "rep-1", "team-1", "east", "cust-6", 60'00},
        // An opportunity is not an order.
        {5, "p1", true, "2025-01-15", "rep-1", "team-1", "east", "cust-2", 999'00, 6},
    });
    AddCustomers({
        {"cust-1", "Acme Trading Co., Ltd.", 1, 1, "2024-11-05", "rep-1", "team-1", "east",
         "2025-01-20"},
        {"cust-2", "Beta Industrial Co., Ltd.", 2, 2, "2024-12-31", "rep-1", "team-1", "east",
         "2024-12-31"},
        {"cust-3", "Gamma Software Co., Ltd.", 1, 3, "2025-02-05", "rep-2", "team-2", "west",
         "2025-02-05"},
        {"cust-4", "", 0, 0, "", "", "", "", ""},
        {"cust-5", "Epsilon Logistics Co., Ltd.", 3, 3, "2024-10-01", "rep-3", "team-2", "west",
         "2025-03-31"},
        {"cust-6", "Zeta Foods Co., Ltd.", 0, 0, "2025-04-01", "rep-1", "team-1", "east",
         "2025-04-01"},
    });
  }

  v1::ListCustomersResponse List(const std::string& period, const QueryScope& scope,
                                 v1::CustomerFilter filter, const std::string& after = "",
                                 int limit = 100) {
    v1::ListCustomersResponse resp;
    absl::Status st = store_->ListCustomers("acme", P(period), scope, filter, after, limit, &resp);
    EXPECT_TRUE(st.ok()) << st;
    return resp;
  }
  static std::vector<std::string> Ids(const v1::ListCustomersResponse& resp) {
    std::vector<std::string> ids;
    for (const v1::CustomerActivity& c : resp.customers()) ids.push_back(c.customer_id());
    return ids;
  }
  // active, new, repeat, previous active, churned.
  static std::vector<int64_t> Counts(const v1::ListCustomersResponse& r) {
    return {r.active_count(), r.new_count(), r.repeat_count(), r.previous_active_count(),
            r.churned_count()};
  }
};

TEST_F(CustomersTest, CompanyQuarter) {
  v1::ListCustomersResponse active = List("2025-Q1", Company(), v1::CUSTOMER_FILTER_ACTIVE);
  EXPECT_EQ(active.previous_period(), "2024-Q4");
  EXPECT_THAT(Counts(active), ElementsAre(3, 1, 2, 3, 1));
  EXPECT_THAT(Ids(active), ElementsAre("cust-1", "cust-3", "cust-5"));
  EXPECT_EQ(active.next_page_token(), "");
  const v1::CustomerActivity& c1 = active.customers(0);
  EXPECT_EQ(c1.full_name(), "Acme Trading Co., Ltd.");
  EXPECT_EQ(c1.grade(), v1::CUSTOMER_GRADE_A);
  EXPECT_EQ(c1.tier(), v1::CUSTOMER_TIER_KEY_ACCOUNT);
  EXPECT_EQ(c1.first_order_day(), "2024-11-05");
  EXPECT_EQ(c1.last_order_day(), "2025-01-20");
  EXPECT_EQ(c1.orders_in_period(), 2);
  EXPECT_EQ(c1.sales_in_period(), 300'00);
  EXPECT_EQ(active.customers(2).orders_in_period(), 1);

  EXPECT_THAT(Ids(List("2025-Q1", Company(), v1::CUSTOMER_FILTER_UNSPECIFIED)),
              ElementsAre("cust-1", "cust-3", "cust-5"));
  EXPECT_THAT(Ids(List("2025-Q1", Company(), v1::CUSTOMER_FILTER_NEW)), ElementsAre("cust-3"));
  EXPECT_THAT(Ids(List("2025-Q1", Company(), v1::CUSTOMER_FILTER_REPEAT)),
              ElementsAre("cust-1", "cust-3"));
  v1::ListCustomersResponse churned = List("2025-Q1", Company(), v1::CUSTOMER_FILTER_CHURNED);
  EXPECT_THAT(Ids(churned), ElementsAre("cust-2"));
  EXPECT_EQ(churned.customers(0).orders_in_period(), 0);
  EXPECT_EQ(churned.customers(0).last_order_day(), "2024-12-31");
}

TEST_F(CustomersTest, NextQuarterAndMonth) {
  // Q2: only cust-6 (new); everyone active in Q1 churned.
  v1::ListCustomersResponse q2 = List("2025-Q2", Company(), v1::CUSTOMER_FILTER_CHURNED);
  EXPECT_EQ(q2.previous_period(), "2025-Q1");
  EXPECT_THAT(Counts(q2), ElementsAre(1, 1, 0, 3, 3));
  EXPECT_THAT(Ids(q2), ElementsAre("cust-1", "cust-3", "cust-5"));
  // January against December.
  v1::ListCustomersResponse jan = List("2025-01", Company(), v1::CUSTOMER_FILTER_ACTIVE);
  EXPECT_EQ(jan.previous_period(), "2024-12");
  EXPECT_THAT(Counts(jan), ElementsAre(1, 0, 1, 1, 1));
}

TEST_F(CustomersTest, Scopes) {
  // team-1: cust-1's January orders; cust-2 (Q4, team-1) churned; cust-3 is west's.
  EXPECT_THAT(Counts(List("2025-Q1", Unit("team-1"), v1::CUSTOMER_FILTER_ACTIVE)),
              ElementsAre(1, 0, 1, 2, 1));
  EXPECT_THAT(Counts(List("2025-Q1", Unit("west"), v1::CUSTOMER_FILTER_ACTIVE)),
              ElementsAre(2, 1, 1, 1, 0));
  EXPECT_THAT(Ids(List("2025-Q1", Unit("west"), v1::CUSTOMER_FILTER_NEW)), ElementsAre("cust-3"));
  // rep-1 had one January order of cust-1.
  v1::ListCustomersResponse rep1 = List("2025-Q1", Rep("rep-1"), v1::CUSTOMER_FILTER_ACTIVE);
  EXPECT_THAT(Counts(rep1), ElementsAre(1, 0, 0, 2, 1));
  ASSERT_EQ(rep1.customers_size(), 1);
  EXPECT_EQ(rep1.customers(0).orders_in_period(), 1);
  EXPECT_EQ(rep1.customers(0).sales_in_period(), 100'00);
}

TEST_F(CustomersTest, Pages) {
  v1::ListCustomersResponse first = List("2025-Q1", Company(), v1::CUSTOMER_FILTER_ACTIVE, "", 2);
  EXPECT_THAT(Ids(first), ElementsAre("cust-1", "cust-3"));
  EXPECT_EQ(first.next_page_token(), "cust-3");
  EXPECT_EQ(first.active_count(), 3);
  v1::ListCustomersResponse second =
      List("2025-Q1", Company(), v1::CUSTOMER_FILTER_ACTIVE, first.next_page_token(), 2);
  EXPECT_THAT(Ids(second), ElementsAre("cust-5"));
  EXPECT_EQ(second.next_page_token(), "");
}

// ---------------------------------------------------------------------------
// GetCustomerStats

// Orders of Q4 2024 and Q1 2025 (and one of April). team-1 (east) has rep-a
// and rep-b; rep-c sells in team-2 (west).
//   k1: Q4 rep-a; Jan rep-a, Feb rep-b          ordered by both reps
//   k2: Q4 rep-a; Feb and Mar rep-a             rep-a's repeat customer
//   k3: Q4 rep-b only                           rep-b's churned customer
//   k4: first ever Jan 20 rep-a; Jan 25, Jan 28 (same month), Feb 3 (next);
//       a cancelled Jan 22 order
//   k5: first ever Feb 14 rep-b; Feb 20 rep-b, Feb 27 rep-a (same month),
//       Feb 16 rep-c in team-2 (outside team-1), Mar 2 rep-b (next month)
//   k6: first ever Mar 30 rep-b; Apr 2 rep-b (next month and quarter)
//   k7: first ever Jan 5 rep-c (team-2); Jan 10 rep-a (team-1)
class CustomerStatsTest : public QueryStoreTest {
 protected:
  void SetUp() override {
    QueryStoreTest::SetUp();
    AddEntities({
        {1, "o1", true, "2024-11-10", "rep-a", "team-1", "east", "k1", 100},
        {1, "o2", true, "2025-01-15", "rep-a", "team-1", "east", "k1", 200},
        {1, "o3", true, "2025-02-10", "rep-b", "team-1", "east", "k1", 300},
        {1, "o4", true, "2024-12-01", "rep-a", "team-1", "east", "k2", 10},
        {1, "o5", true, "2025-02-01", "rep-a", "team-1", "east", "k2", 50},
        {1, "o6", true, "2025-03-01", "rep-a", "team-1", "east", "k2", 70},
        {1, "o7", true, "2024-10-05", "rep-b", "team-1", "east", "k3", 40},
        {1, "o8", true, "2025-01-20", "rep-a", "team-1", "east", "k4", 1000},
        {1, "o9", true, "2025-01-25", "rep-a", "team-1", "east", "k4", 500},
        {1, "o10", true, "2025-01-28", "rep-a", "team-1", "east", "k4", 60},
        {1, "o11", true, "2025-02-03", "rep-a", "team-1", "east", "k4", 700},
        {1, "o12", true, "2025-02-14", "rep-b", "team-1", "east", "k5", 800},
        {1, "o13", true, "2025-02-20", "rep-b", "team-1", "east", "k5", 200},
        {1, "o14", true, "2025-02-27", "rep-a", "team-1", "east", "k5", 300},
        {1, "o15", true, "2025-03-02", "rep-b", "team-1", "east", "k5", 400},
        {1, "o16", true, "2025-02-16", "rep-c", "team-2", "west", "k5", 900},
        {1, "o17", true, "2025-01-05", "rep-c", "team-2", "west", "k7", 100},
        {1, "o18", true, "2025-01-10", "rep-a", "team-1", "east", "k7", 50},
        {1, "o19", true, "2025-03-30", "rep-b", "team-1", "east", "k6", 250},
        {1, "o20", true, "2025-04-02", "rep-b", "team-1", "east", "k6", 999},
        // Cancelled: not counted.
        {1, "o21", false, "2025-01-22", "rep-a", "team-1", "east", "k4", 5000},
        // An opportunity is not an order.
        {5, "p1", true, "2025-01-21", "rep-a", "team-1", "east", "k4", 7000, 6},
    });
    AddCustomers({
        {"k1", "", 0, 0, "2024-11-10", "rep-a", "team-1", "east", "2025-02-10"},
        {"k2", "", 0, 0, "2024-12-01", "rep-a", "team-1", "east", "2025-03-01"},
        {"k3", "", 0, 0, "2024-10-05", "rep-b", "team-1", "east", "2024-10-05"},
        {"k4", "", 0, 0, "2025-01-20", "rep-a", "team-1", "east", "2025-02-03"},
        {"k5", "", 0, 0, "2025-02-14", "rep-b", "team-1", "east", "2025-03-02"},
        {"k6", "", 0, 0, "2025-03-30", "rep-b", "team-1", "east", "2025-04-02"},
        {"k7", "", 0, 0, "2025-01-05", "rep-c", "team-2", "west", "2025-01-10"},
    });
  }

  v1::GetCustomerStatsResponse Stats(const std::string& period, const QueryScope& scope,
                                     v1::GroupBy group_by, bool include_total = false) {
    v1::GetCustomerStatsResponse resp;
    absl::Status st =
        store_->GetCustomerStats("acme", P(period), scope, group_by, include_total, &resp);
    EXPECT_TRUE(st.ok()) << st;
    return resp;
  }
  // active, repeat, previous active, churned, new, new customers' first-month sales.
  static std::vector<int64_t> Numbers(const v1::CustomerStatsRow& r) {
    return {r.active_count(),  r.repeat_count(), r.previous_active_count(),
            r.churned_count(), r.new_count(),    r.new_customer_first_month_sales()};
  }
  // group_key → Numbers.
  static std::map<std::string, std::vector<int64_t>> ByKey(const v1::GetCustomerStatsResponse& r) {
    std::map<std::string, std::vector<int64_t>> m;
    for (const v1::CustomerStatsRow& row : r.rows()) m[row.group_key()] = Numbers(row);
    return m;
  }
  static std::vector<std::string> Keys(const v1::GetCustomerStatsResponse& r) {
    std::vector<std::string> keys;
    for (const v1::CustomerStatsRow& row : r.rows()) keys.push_back(row.group_key());
    return keys;
  }
  // The one row of GROUP_BY_NONE.
  std::vector<int64_t> Total(const std::string& period, const QueryScope& scope) {
    v1::GetCustomerStatsResponse resp = Stats(period, scope, v1::GROUP_BY_NONE);
    EXPECT_EQ(resp.rows_size(), 1);
    if (resp.rows_size() != 1) return {};
    EXPECT_EQ(resp.rows(0).group_key(), "");
    return Numbers(resp.rows(0));
  }
};

TEST_F(CustomerStatsTest, WholeScopeEqualsListCustomers) {
  for (const std::string period : {"2025-Q1", "2025-Q2", "2025-01", "2025-02", "2025-W04"}) {
    for (const QueryScope& scope : {Company(), Unit("team-1"), Unit("east"), Unit("west"),
                                    Rep("rep-a"), Rep("rep-b"), Rep("rep-c"), Rep("nobody")}) {
      SCOPED_TRACE(absl::StrCat(period, " scope ", scope.id));
      v1::ListCustomersResponse list;
      absl::Status st = store_->ListCustomers("acme", P(period), scope, v1::CUSTOMER_FILTER_ACTIVE,
                                              "", 100, &list);
      ASSERT_TRUE(st.ok()) << st;
      v1::GetCustomerStatsResponse stats = Stats(period, scope, v1::GROUP_BY_NONE);
      EXPECT_EQ(stats.period(), period);
      EXPECT_EQ(stats.previous_period(), list.previous_period());
      ASSERT_EQ(stats.rows_size(), 1);
      const v1::CustomerStatsRow& row = stats.rows(0);
      EXPECT_EQ(row.active_count(), list.active_count());
      EXPECT_EQ(row.repeat_count(), list.repeat_count());
      EXPECT_EQ(row.previous_active_count(), list.previous_active_count());
      EXPECT_EQ(row.churned_count(), list.churned_count());
      EXPECT_EQ(row.new_count(), list.new_count());
    }
  }
}

TEST_F(CustomerStatsTest, WholeScopeByHand) {
  // Company, Q1: active k1 (o2, o3), k2 (o5, o6), k4 (o8–o11), k5 (o12–o16),
  // k6 (o19), k7 (o17, o18) = 6, all but k6 twice or more = 5 repeat; Q4 had
  // k1, k2, k3 = 3, of which k3 churned = 1; new k4, k5, k6, k7 = 4.
  // First-month sales: k4 in January 1000 + 500 + 60 = 1560 (o11 is
  // February, o21 cancelled); k5 in February 800 + 200 + 300 + 900 = 2200
  // (o15 is March); k6 in March 250; k7 in January 100 + 50 = 150;
  // 1560 + 2200 + 250 + 150 = 4160.
  EXPECT_THAT(Total("2025-Q1", Company()), ElementsAre(6, 5, 3, 1, 4, 4160));
  // team-1, Q1: o16 and o17 are team-2's, so k5 has 4 orders and k7 one:
  // active 6, repeat k1, k2, k4, k5 = 4; Q4 k1, k2, k3 = 3, k3 churned; new
  // k4, k5, k6 (k7's first order is team-2's) = 3. First-month sales: k4
  // 1560, k5 800 + 200 + 300 = 1300 (without o16), k6 250: 3110.
  EXPECT_THAT(Total("2025-Q1", Unit("team-1")), ElementsAre(6, 4, 3, 1, 3, 3110));
  // west, Q1: k5 (o16) and k7 (o17) once each; nothing in Q4; new k7 with
  // o17 = 100 in January.
  EXPECT_THAT(Total("2025-Q1", Unit("west")), ElementsAre(2, 0, 0, 0, 1, 100));
  // 2025-W04 (Jan 20–26) against W03 (Jan 13–19): k4's o8 and o9, so
  // active 1, repeat 1; W03 had k1 (o2), churned; new k4 with 1000 + 500 =
  // 1500: o10 (Jan 28) is in k4's first month but not in the week.
  EXPECT_THAT(Total("2025-W04", Company()), ElementsAre(1, 1, 1, 1, 1, 1500));
  // Q2: k6's April order is not in its first month (March).
  EXPECT_THAT(Total("2025-Q2", Company()), ElementsAre(1, 0, 6, 5, 0, 0));
  // Nothing at all: one row of zeros.
  v1::GetCustomerStatsResponse none = Stats("2026-Q1", Company(), v1::GROUP_BY_UNSPECIFIED);
  EXPECT_EQ(none.period(), "2026-Q1");
  EXPECT_EQ(none.previous_period(), "2025-Q4");
  ASSERT_EQ(none.rows_size(), 1);
  EXPECT_EQ(none.rows(0).group_key(), "");
  EXPECT_THAT(Numbers(none.rows(0)), ElementsAre(0, 0, 0, 0, 0, 0));
}

// With include_total, the rows are those asked for and `total` is the whole
// scope's row, as GROUP_BY_NONE gives it, from the same statement.
TEST_F(CustomerStatsTest, RowsWithTotalEqualSeparateCalls) {
  for (const std::string period :
       {"2025-Q1", "2025-Q2", "2025-01", "2025-02", "2025-W04", "2026-Q1"}) {
    for (const QueryScope& scope : {Company(), Unit("team-1"), Unit("east"), Unit("west"),
                                    Rep("rep-a"), Rep("rep-b"), Rep("nobody")}) {
      for (v1::GroupBy g : {v1::GROUP_BY_REP, v1::GROUP_BY_NONE}) {
        SCOPED_TRACE(absl::StrCat(period, " scope ", scope.id, " ", v1::GroupBy_Name(g)));
        v1::GetCustomerStatsResponse both = Stats(period, scope, g, /*include_total=*/true);
        v1::GetCustomerStatsResponse rows = Stats(period, scope, g);
        EXPECT_FALSE(rows.has_total());
        ASSERT_EQ(both.rows_size(), rows.rows_size());
        for (int i = 0; i < rows.rows_size(); ++i) {
          EXPECT_EQ(both.rows(i).group_key(), rows.rows(i).group_key());
          EXPECT_EQ(Numbers(both.rows(i)), Numbers(rows.rows(i))) << rows.rows(i).group_key();
        }
        ASSERT_TRUE(both.has_total());
        EXPECT_EQ(both.total().group_key(), "");
        EXPECT_EQ(Numbers(both.total()), Total(period, scope));
      }
    }
  }
  // By hand: the company's Q1 per rep and in total (WholeScopeByHand): k1
  // and k5 bought from two or three reps and count once in the total.
  v1::GetCustomerStatsResponse q1 = Stats("2025-Q1", Company(), v1::GROUP_BY_REP, true);
  EXPECT_THAT(Numbers(q1.total()), ElementsAre(6, 5, 3, 1, 4, 4160));
  EXPECT_THAT(Keys(q1), ElementsAre("rep-a", "rep-b", "rep-c"));
}

TEST_F(CustomerStatsTest, ByRep) {
  v1::GetCustomerStatsResponse team = Stats("2025-Q1", Unit("team-1"), v1::GROUP_BY_REP);
  EXPECT_EQ(team.period(), "2025-Q1");
  EXPECT_EQ(team.previous_period(), "2024-Q4");
  // rep-c has neither orders in team-1 nor a new customer credited to it.
  EXPECT_THAT(Keys(team), ElementsAre("rep-a", "rep-b"));
  // rep-a, Q1 in team-1: k1 (o2), k2 (o5, o6), k4 (o8–o11), k5 (o14), k7
  // (o18) = 5 active, repeat k2 and k4 = 2; Q4: k1 (o1), k2 (o4) = 2, both
  // active again, 0 churned; new: k4 (k5 is rep-b's, k7 rep-c's) = 1 with
  // January's o8 + o9 + o10 = 1000 + 500 + 60 = 1560.
  EXPECT_THAT(ByKey(team).at("rep-a"), ElementsAre(5, 2, 2, 0, 1, 1560));
  // rep-b, Q1: k1 (o3), k5 (o12, o13, o15), k6 (o19) = 3 active, repeat k5
  // = 1; Q4: k3 (o7) = 1, churned = 1; new k5 and k6 = 2: k5's February
  // orders of rep-b o12 + o13 = 800 + 200 (o14 is rep-a's, o16 rep-c's and
  // outside team-1, o15 is March) plus k6's o19 = 250 (o20 is April):
  // 1000 + 250 = 1250.
  EXPECT_THAT(ByKey(team).at("rep-b"), ElementsAre(3, 1, 1, 1, 2, 1250));

  // The company adds rep-c: k5 (o16) and k7 (o17) = 2 active, none twice,
  // nothing in Q4; new k7 with rep-c's January o17 = 100 (o18 is rep-a's).
  v1::GetCustomerStatsResponse company = Stats("2025-Q1", Company(), v1::GROUP_BY_REP);
  EXPECT_THAT(Keys(company), ElementsAre("rep-a", "rep-b", "rep-c"));
  EXPECT_THAT(ByKey(company).at("rep-a"), ElementsAre(5, 2, 2, 0, 1, 1560));
  EXPECT_THAT(ByKey(company).at("rep-b"), ElementsAre(3, 1, 1, 1, 2, 1250));
  EXPECT_THAT(ByKey(company).at("rep-c"), ElementsAre(2, 0, 0, 0, 1, 100));

  // Each rep's row is what the rep scope gives.
  for (const std::string rep : {"rep-a", "rep-b", "rep-c"}) {
    EXPECT_EQ(Total("2025-Q1", Rep(rep)), ByKey(company).at(rep)) << rep;
    v1::GetCustomerStatsResponse own = Stats("2025-Q1", Rep(rep), v1::GROUP_BY_REP);
    EXPECT_THAT(Keys(own), ElementsAre(rep));
  }

  // Q2: rep-a and rep-b only had customers in Q1 (previous active, churned);
  // rep-b's k6 orders in April (o20), not a new customer of Q2. rep-c: k5,
  // k7 in Q1, both churned.
  EXPECT_THAT(ByKey(Stats("2025-Q2", Company(), v1::GROUP_BY_REP)),
              ElementsAre(Pair("rep-a", ElementsAre(0, 0, 5, 5, 0, 0)),
                          Pair("rep-b", ElementsAre(1, 0, 3, 2, 0, 0)),
                          Pair("rep-c", ElementsAre(0, 0, 2, 2, 0, 0))));
  // No movement: no rows.
  EXPECT_THAT(Stats("2026-Q1", Company(), v1::GROUP_BY_REP).rows(), IsEmpty());
}

TEST_F(CustomerStatsTest, OtherGroupingsAreInvalid) {
  for (v1::GroupBy g : {v1::GROUP_BY_TEAM, v1::GROUP_BY_DAY, static_cast<v1::GroupBy>(99)}) {
    v1::GetCustomerStatsResponse resp;
    absl::Status st = store_->GetCustomerStats("acme", P("2025-Q1"), Company(), g, false, &resp);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << g;
    EXPECT_THAT(st.message(), HasSubstr("group_by")) << g;
    absl::Status checked = CheckCustomerStatsGroupBy(g);
    EXPECT_EQ(checked.code(), absl::StatusCode::kInvalidArgument) << g;
    EXPECT_THAT(checked.message(), HasSubstr("GROUP_BY_REP")) << g;
  }
  EXPECT_THAT(CheckCustomerStatsGroupBy(v1::GROUP_BY_TEAM).message(), HasSubstr("GROUP_BY_TEAM"));
  for (v1::GroupBy g : {v1::GROUP_BY_UNSPECIFIED, v1::GROUP_BY_NONE, v1::GROUP_BY_REP}) {
    EXPECT_TRUE(CheckCustomerStatsGroupBy(g).ok()) << g;
  }
}

// ---------------------------------------------------------------------------
// GetFunnel

class FunnelTest : public QueryStoreTest {
 protected:
  void SetUp() override {
    QueryStoreTest::SetUp();
    AddCells({
        {"2025-01-10", "rep-1", "team-1", "east", "pl-a", "", 1},
        {"2025-01-20", "rep-2", "team-1", "east", "pl-a", "", 1},
        {"2025-02-05", "rep-2", "team-2", "west", "pl-a", "", 1},
        {"2025-02-06", "rep-3", "team-2", "west", "pl-a", "", 1},
    });
    // Open opportunities carry no team (kept by created day); closed ones do
    // (kept by closed day).
    AddEntities({
        {5, "p1", false, "2025-01-05", "rep-1", "", "", "", 0, 2},            // initial contact
        {5, "p2", false, "2025-02-01", "rep-3", "", "", "", 0, 4},            // proposal
        {5, "p3", true, "2025-03-01", "rep-1", "team-1", "east", "", 0, 6},   // won
        {5, "p4", true, "2025-03-02", "rep-3", "team-2", "west", "", 0, 7},   // lost
        {5, "p5", true, "2024-12-20", "rep-1", "team-1", "east", "", 0, 6},   // Q4
        {5, "p6", false, "2025-03-10", "rep-2", "", "", "", 0, 1},            // lead
        {1, "o1", true, "2025-03-10", "rep-2", "team-1", "east", "c", 0, 1},  // an order
    });
  }

  // entered per stage (lead … won), then lost.
  std::vector<int64_t> Funnel(const std::string& period, const QueryScope& scope) {
    v1::GetFunnelResponse resp;
    absl::Status st = store_->GetFunnel("acme", P(period), scope, &resp);
    EXPECT_TRUE(st.ok()) << st;
    std::vector<int64_t> v;
    int want = v1::OPPORTUNITY_STAGE_LEAD;
    for (const v1::FunnelStage& s : resp.stages()) {
      EXPECT_EQ(s.stage(), want++);
      v.push_back(s.entered());
    }
    v.push_back(resp.lost());
    return v;
  }
};

TEST_F(FunnelTest, ByCurrentStageReached) {
  EXPECT_THAT(Funnel("2025-Q1", Company()), ElementsAre(5, 3, 2, 2, 1, 1, 1));
  EXPECT_THAT(Funnel("2024-Q4", Company()), ElementsAre(1, 1, 1, 1, 1, 1, 0));
  EXPECT_THAT(Funnel("2025-Q2", Company()), ElementsAre(0, 0, 0, 0, 0, 0, 0));
}

TEST_F(FunnelTest, Scopes) {
  // team-1: p3 by its team; open p1 (rep-1) and p6 (rep-2, in team-1 in January).
  EXPECT_THAT(Funnel("2025-Q1", Unit("team-1")), ElementsAre(3, 2, 1, 1, 1, 1, 0));
  // west: p4 by its region; open p2 (rep-3) and p6 (rep-2, in west from February).
  EXPECT_THAT(Funnel("2025-Q1", Unit("west")), ElementsAre(3, 1, 1, 1, 0, 0, 1));
  EXPECT_THAT(Funnel("2025-Q1", Rep("rep-3")), ElementsAre(2, 1, 1, 1, 0, 0, 1));
  EXPECT_THAT(Funnel("2025-03", Rep("rep-1")), ElementsAre(1, 1, 1, 1, 1, 1, 0));
}

// ---------------------------------------------------------------------------
// Handler checks (query_service.h)

TEST(QueryValidationTest, Period) {
  EXPECT_EQ(ParsePeriodField("2025-Q1")->ToString(), "2025-Q1");
  for (const char* bad : {"", "2025-Q5", "Q1-2025", "2025-13"}) {
    absl::StatusOr<Period> p = ParsePeriodField(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr("period")) << bad;
  }
}

TEST(QueryValidationTest, Scope) {
  attain::type::v1::Scope s;
  EXPECT_EQ(ParseScopeField(false, s)->kind, QueryScope::Kind::kCompany);
  EXPECT_EQ(ParseScopeField(true, s)->kind, QueryScope::Kind::kCompany);
  s.set_id("x");
  EXPECT_THAT(ParseScopeField(true, s).status().message(), HasSubstr("scope.kind"));
  s.set_kind(attain::type::v1::SCOPE_KIND_REP);
  EXPECT_EQ(ParseScopeField(true, s)->kind, QueryScope::Kind::kRep);
  s.clear_id();
  EXPECT_THAT(ParseScopeField(true, s).status().message(), HasSubstr("scope.id"));
  s.set_kind(static_cast<attain::type::v1::ScopeKind>(9));
  s.set_id("x");
  EXPECT_EQ(ParseScopeField(true, s).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ActualsTest, Access) {
  auto check = [&](Role role, const std::string& subject, const std::string& unit,
                   const QueryScope& scope) {
    Principal p;
    p.tenant = "acme";
    p.subject = subject;
    p.role = role;
    p.scope = unit;
    return CheckScopeAccess(p, scope, *store_).code();
  };
  const auto kOk = absl::StatusCode::kOk;
  const auto kDenied = absl::StatusCode::kPermissionDenied;
  EXPECT_EQ(check(Role::kDirector, "d", "", Company()), kOk);
  EXPECT_EQ(check(Role::kService, "evaluation", "", Rep("rep-3")), kOk);
  EXPECT_EQ(check(Role::kRep, "rep-1", "", Rep("rep-1")), kOk);
  EXPECT_EQ(check(Role::kRep, "rep-1", "", Rep("rep-2")), kDenied);
  EXPECT_EQ(check(Role::kRep, "rep-1", "", Company()), kDenied);
  EXPECT_EQ(check(Role::kRep, "rep-1", "", Unit("team-1")), kDenied);
  EXPECT_EQ(check(Role::kManager, "m", "east", Unit("east")), kOk);
  EXPECT_EQ(check(Role::kManager, "m", "east", Unit("team-1")), kOk);
  EXPECT_EQ(check(Role::kManager, "m", "east", Rep("rep-1")), kOk);
  EXPECT_EQ(check(Role::kManager, "m", "east", Unit("team-2")), kDenied);
  EXPECT_EQ(check(Role::kManager, "m", "east", Rep("rep-3")), kDenied);
  EXPECT_EQ(check(Role::kManager, "m", "east", Company()), kDenied);
  // Tokens never carry a manager without a unit (common/auth refuses them);
  // should one get here, it reads nothing.
  EXPECT_EQ(check(Role::kManager, "m", "", Company()), kDenied);
}

}  // namespace
}  // namespace attain::ingest
