// The compliance reports (PgComplianceStore) against a real PostgreSQL: rows
// are written with SQL into a freshly migrated database, and each report's
// rows are checked against numbers worked out by hand. Time zone UTC+8.
// Special contributions are also compared with their definition as one
// lateral SQL query, and ListSpecialContributions' scope and roles are
// checked through the service served in-process (common/server.h).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "attain/ingest/v1/events.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/period.h"
#include "common/pg.h"
#include "common/server.h"
#include "common/worker_pool.h"
#include "services/ingest/src/api/compliance_service.h"
#include "services/ingest/src/store/pg_compliance_store.h"
#include "services/ingest/src/store/pg_ingest_store.h"
#include "services/ingest/src/store/pg_query_store.h"
#include "tests/support/test_servers.h"

namespace attain::ingest {
namespace {

const absl::TimeZone kTz = absl::FixedTimeZone(8 * 3600);
constexpr char kTenant[] = "t1";

absl::Time At(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), kTz);
}
std::string Rfc(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, kTz); }
std::string Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}
Period P(const std::string& s) { return *Period::Parse(s); }

class ComplianceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgPool::Options options;
    options.url = testing::PgTestServer::Shared().CreateDatabase("compliance");
    options.size = 2;
    absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    ASSERT_TRUE(PgIngestStore::Migrate(*pool_).ok());
    store_ = std::make_unique<PgComplianceStore>(*pool_, kTz);
  }

  void Exec(const std::string& sql) {
    ASSERT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& w) {
                      w.exec(sql);
                      return absl::OkStatus();
                    })
                    .ok())
        << sql;
  }

  // Stores `e` as the pipeline does: kind, entity, version, recorded time.
  void PutEvent(const v1::Event& e, int kind, const std::string& entity, int64_t version,
                absl::Time occurred) {
    const std::string payload = e.SerializeAsString();
    ASSERT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& w) {
                      w.exec_params(
                          "INSERT INTO ingest.events (tenant_id, source, event_id, kind, "
                          "entity_id, version, occurred_at, received_at, payload) VALUES ($1, "
                          "'crm', $2, $3, $4, $5, to_timestamp($6 / 1000000.0), now(), $7)",
                          kTenant, e.event_id(), kind, entity, version,
                          absl::ToUnixMicros(occurred), pqxx::binarystring(payload));
                      return absl::OkStatus();
                    })
                    .ok());
  }

  void FollowUp(const std::string& id, const std::string& customer, absl::Time contact,
                absl::Time recorded) {
    v1::Event e;
    e.set_source("crm");
    e.set_event_id("ev-" + id);
    e.set_occurred_at(Rfc(recorded));
    v1::FollowUp* f = e.mutable_follow_up();
    f->set_follow_up_id(id);
    f->set_customer_id(customer);
    f->set_rep_id("r1");
    f->set_contact_time(Rfc(contact));
    f->set_method(v1::CONTACT_METHOD_PHONE);
    f->set_content("talked");
    PutEvent(e, 4, id, 0, recorded);
  }

  void Customer(const std::string& id, int grade, absl::Time created) {
    Exec(
        "INSERT INTO ingest.customers (tenant_id, customer_id, version, full_name, grade, "
        "owner_rep_id) VALUES ('t1', '" +
        id + "', 1, 'Name " + id + "', " + std::to_string(grade) + ", 'r1')");
    v1::Event e;
    e.set_source("crm");
    e.set_event_id("cust-" + id);
    e.set_occurred_at(Rfc(created));
    v1::Customer* c = e.mutable_customer();
    c->set_customer_id(id);
    c->set_version(1);
    c->set_full_name("Name " + id);
    c->set_grade(static_cast<v1::CustomerGrade>(grade));
    PutEvent(e, 6, id, 1, created);
  }

  void Order(const std::string& id, const std::string& rep, const std::string& day,
             int64_t amount) {
    Exec(
        "INSERT INTO ingest.entity_states (tenant_id, kind, entity_id, version, counted, day, "
        "rep_id, customer_id, amount, status, currency) VALUES ('t1', 1, '" +
        id + "', 1, true, '" + day + "', '" + rep + "', 'c1', " + std::to_string(amount) +
        ", 1, 'CNY')");
  }

  // An entity_states row of `kind` (1 = order) credited to `team` and
  // `region`, for customer "c-<id>".
  void Entity(const std::string& id, const std::string& rep, const std::string& day, int64_t amount,
              const std::string& team = "", const std::string& region = "", bool counted = true,
              int kind = 1, const std::string& tenant = kTenant) {
    ASSERT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& w) {
                      w.exec_params(
                          "INSERT INTO ingest.entity_states (tenant_id, kind, entity_id, version, "
                          "counted, day, rep_id, team_id, region_id, customer_id, amount, status, "
                          "currency) VALUES ($1, $2, $3, 1, $4, $5::date, $6, $7, $8, $9, $10, 1, "
                          "'CNY')",
                          tenant, kind, id, counted, day, rep, team, region, "c-" + id, amount);
                      return absl::OkStatus();
                    })
                    .ok())
        << id;
  }

  // The special contributions by their definition: one lateral median per
  // order of the period (the query PgComplianceStore ran before it computed
  // the medians itself), for the whole tenant, as (order, rep, customer,
  // day, amount, median, baseline orders) ordered by order id.
  using Row =
      std::tuple<std::string, std::string, std::string, std::string, int64_t, double, int64_t>;
  std::vector<Row> LateralDefinition(const Period& period, double multiple) {
    std::vector<Row> out;
    absl::Status st = pool_->WithConnection([&](pqxx::connection& conn) -> absl::Status {
      pqxx::read_transaction txn(conn);
      for (const pqxx::row& row : txn.exec_params(
               "SELECT o.entity_id, o.rep_id, o.customer_id, o.day::text, o.amount, b.median, "
               "b.n FROM ingest.entity_states o CROSS JOIN LATERAL ("
               " SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p.amount) AS median,"
               " count(*) AS n FROM ingest.entity_states p WHERE p.tenant_id = o.tenant_id"
               " AND p.kind = 1 AND p.counted AND p.rep_id = o.rep_id AND p.day >= o.day - 90"
               " AND p.day < o.day) b "
               "WHERE o.tenant_id = $1 AND o.kind = 1 AND o.counted AND o.day >= $2::date "
               "AND o.day <= $3::date AND b.n > 0 AND o.amount > $4::float8 * b.median "
               "ORDER BY o.entity_id",
               kTenant, absl::FormatCivilTime(period.first_day()),
               absl::FormatCivilTime(period.last_day()), multiple)) {
        out.emplace_back(row[0].as<std::string>(), row[1].as<std::string>(),
                         row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<int64_t>(),
                         row[5].as<double>(), row[6].as<int64_t>());
      }
      txn.commit();
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  static std::vector<Row> Rows(const std::vector<v1::SpecialContribution>& list) {
    std::vector<Row> out;
    for (const v1::SpecialContribution& c : list) {
      out.emplace_back(c.order_id(), c.rep_id(), c.customer_id(), c.signed_date(), c.amount(),
                       c.median_amount(), c.baseline_orders());
    }
    return out;
  }

  static std::vector<std::string> Ids(const std::vector<v1::SpecialContribution>& list) {
    std::vector<std::string> out;
    for (const v1::SpecialContribution& c : list) out.push_back(c.order_id());
    return out;
  }

  // The edge cases of the definition, tenant t1, reps placed as their
  // orders are credited (rep_units and one rollup row per placement, which
  // ScopeWithinUnit reads). Worked by hand for March 2025 at 5 ×; an order's
  // frame is the rep's counted orders of [day − 90, day − 1]
  // (2025-03-01 − 90 days = 2024-12-01):
  //
  //  a (team ta, region east): ties, exactly 5 ×, the same day.
  //    a1 01-10 100, a2 01-20 200, a3 02-01 300
  //    a4 03-01 1000  frame {100,200,300}, median 200: 5 × 200 = 1000 is not above
  //    a5 03-01 1001  same day as a4, which is not in its frame: median 200,
  //                   1001 > 1000 → listed, multiple 5.005, 3 orders
  //    a6 03-02 1300  frame {100,200,300,1000,1001}, median 300: 1300 < 1500
  //  b (team tb, region east): the 90-day boundary.
  //    b1 2024-12-01 10, b2 2024-12-02 1000
  //    b3 03-01 3000  frame {10,1000} (b1 is exactly 90 days before: in),
  //                   median 505, 3000 > 2525 → listed, multiple 5.9406, 2
  //                   (without b1 the median would be 1000 and 3000 < 5000)
  //    b4 03-02 5001  frame {1000,3000} (b1 is 91 days before: out), median
  //                   2000, 5001 < 10000 (with b1: median 1000, 5001 > 5000)
  //  c (team tb): no history: c1 03-05 999999 is never listed.
  //  d (team ta): only counted orders (kind 1) are the baseline.
  //    d1 02-10 100; d2 02-11 100000 cancelled (not counted); an opportunity
  //    (kind 5) of 100000 on 02-12; d3 03-10 600: frame {100}, median 100,
  //    600 > 500 → listed, multiple 6, 1 (with d2 or the opportunity the
  //    median would be 50050). d4 03-11 999999 not counted: never listed.
  //  e (team tb): an even count, a median of half a unit.
  //    e1 02-01 101, e2 02-02 102: median 101.5, 5 × = 507.5
  //    e3 03-03 508 → listed (multiple 5.0049), e4 03-03 507 is not.
  //  g moved from team ta to team tb (region east throughout): the median is
  //    over all their orders, the scope over where each was credited.
  //    g1 01-15 100 (ta); g2 03-15 700 (tb): median 100 → listed, multiple 7.
  //  Another tenant's rep with the same id as a never counts: t2's a1 03-01 1.
  //
  // Listed for the company: a5, b3, d3, e3, g2.
  void SeedEdgeCases() {
    Entity("a1", "a", "2025-01-10", 100, "ta", "east");
    Entity("a2", "a", "2025-01-20", 200, "ta", "east");
    Entity("a3", "a", "2025-02-01", 300, "ta", "east");
    Entity("a4", "a", "2025-03-01", 1000, "ta", "east");
    Entity("a5", "a", "2025-03-01", 1001, "ta", "east");
    Entity("a6", "a", "2025-03-02", 1300, "ta", "east");
    Entity("b1", "b", "2024-12-01", 10, "tb", "east");
    Entity("b2", "b", "2024-12-02", 1000, "tb", "east");
    Entity("b3", "b", "2025-03-01", 3000, "tb", "east");
    Entity("b4", "b", "2025-03-02", 5001, "tb", "east");
    Entity("c1", "c", "2025-03-05", 999999, "tb", "east");
    Entity("d1", "d", "2025-02-10", 100, "ta", "east");
    Entity("d2", "d", "2025-02-11", 100000, "ta", "east", /*counted=*/false);
    Entity("dx", "d", "2025-02-12", 100000, "ta", "east", true, /*kind=*/5);
    Entity("d3", "d", "2025-03-10", 600, "ta", "east");
    Entity("d4", "d", "2025-03-11", 999999, "ta", "east", /*counted=*/false);
    Entity("e1", "e", "2025-02-01", 101, "tb", "east");
    Entity("e2", "e", "2025-02-02", 102, "tb", "east");
    Entity("e3", "e", "2025-03-03", 508, "tb", "east");
    Entity("e4", "e", "2025-03-03", 507, "tb", "east");
    Entity("g1", "g", "2025-01-15", 100, "ta", "east");
    Entity("g2", "g", "2025-03-15", 700, "tb", "east");
    Entity("a1", "a", "2025-03-01", 1, "ta", "east", true, 1, "t2");
    for (const auto& [rep, team, day] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"a", "ta", "2025-03-01"},
             {"b", "tb", "2025-03-01"},
             {"c", "tb", "2025-03-05"},
             {"d", "ta", "2025-03-10"},
             {"e", "tb", "2025-03-03"},
             {"g", "ta", "2025-01-15"},
             {"g", "tb", "2025-03-15"}}) {
      Exec(absl::StrCat(
          "INSERT INTO ingest.rollup_daily (tenant_id, day, rep_id, team_id, region_id, "
          "sales_amount, order_count) VALUES ('t1', '",
          day, "', '", rep, "', '", team, "', 'east', 1, 1)"));
      Exec(absl::StrCat("INSERT INTO ingest.rep_units VALUES ('t1', '", team, "', '", rep,
                        "') ON CONFLICT DO NOTHING"));
      Exec(absl::StrCat("INSERT INTO ingest.rep_units VALUES ('t1', 'east', '", rep,
                        "') ON CONFLICT DO NOTHING"));
    }
  }

  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgComplianceStore> store_;
};

TEST_F(ComplianceTest, LateFollowUpsExactly24HoursIsOnTime) {
  Customer("c1", 1, At(2025, 1, 1));
  FollowUp("f1", "c1", At(2025, 3, 10, 9), At(2025, 3, 11, 9));      // exactly 24 h
  FollowUp("f2", "c1", At(2025, 3, 14, 9), At(2025, 3, 15, 9, 30));  // 24 h 30 min
  FollowUp("f3", "c1", At(2025, 2, 28, 9), At(2025, 3, 5, 9));       // contact not in March
  auto rows = store_->LateFollowUpRecords(kTenant, "", P("2025-03"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].follow_up_id(), "f2");
  EXPECT_EQ((*rows)[0].minutes_late(), 30);
  EXPECT_EQ((*rows)[0].recorded_time(), Utc(At(2025, 3, 15, 9, 30)));
}

TEST_F(ComplianceTest, FrequentContactsExactlyMinimumIsAllowed) {
  Customer("a", 1, At(2025, 1, 1));  // A: >= 3 days
  FollowUp("a1", "a", At(2025, 3, 1, 10), At(2025, 3, 1, 11));
  FollowUp("a2", "a", At(2025, 3, 4, 10), At(2025, 3, 4, 11));  // exactly 3 days: allowed
  FollowUp("a3", "a", At(2025, 3, 7, 9), At(2025, 3, 7, 11));   // 2 d 23 h: too soon
  Customer("b", 2, At(2025, 1, 1));                             // B: >= 7 days
  FollowUp("b1", "b", At(2025, 2, 25, 10), At(2025, 2, 25, 11));
  FollowUp("b2", "b", At(2025, 3, 2, 10), At(2025, 3, 2, 11));  // 5 days, later one in March
  auto rows = store_->FrequentContacts(kTenant, "", P("2025-03"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].follow_up_id(), "a3");
  EXPECT_EQ((*rows)[0].previous_follow_up_id(), "a2");
  EXPECT_EQ((*rows)[0].interval_minutes(), 3 * 24 * 60 - 60);
  EXPECT_EQ((*rows)[0].min_interval_days(), 3);
  EXPECT_EQ((*rows)[1].follow_up_id(), "b2");
  EXPECT_EQ((*rows)[1].interval_minutes(), 5 * 24 * 60);
  EXPECT_EQ((*rows)[1].min_interval_days(), 7);
}

TEST_F(ComplianceTest, OverdueFollowUps) {
  Customer("a", 1, At(2025, 1, 1));  // last contact 03-03: 7 days by 03-10, on the rule
  FollowUp("a1", "a", At(2025, 3, 3, 10), At(2025, 3, 3, 11));
  Customer("b", 2, At(2025, 1, 1));  // last contact 02-20: 18 days > 14
  FollowUp("b1", "b", At(2025, 2, 20, 10), At(2025, 2, 20, 11));
  Customer("c", 3, At(2025, 2, 1, 12));  // never contacted, created 02-01: 37 days > 30
  Customer("d", 3, At(2025, 2, 20));     // never contacted, 18 days: fine
  auto rows = store_->OverdueFollowUps(kTenant, "", absl::CivilDay(2025, 3, 10));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].customer_id(), "b");
  EXPECT_EQ((*rows)[0].days_since(), 18);
  EXPECT_EQ((*rows)[0].rule_days(), 14);
  EXPECT_EQ((*rows)[0].last_contact_time(), Utc(At(2025, 2, 20, 10)));
  EXPECT_EQ((*rows)[1].customer_id(), "c");
  EXPECT_EQ((*rows)[1].days_since(), 37);
  EXPECT_EQ((*rows)[1].last_contact_time(), "");
  // One day later A is 8 days past its contact.
  rows = store_->OverdueFollowUps(kTenant, "", absl::CivilDay(2025, 3, 11));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].customer_id(), "a");
  EXPECT_EQ((*rows)[0].days_since(), 8);
}

TEST_F(ComplianceTest, SpecialContributionsAboveFiveTimesMedian) {
  Order("o1", "r1", "2025-01-10", 100);
  Order("o2", "r1", "2025-01-20", 200);
  Order("o3", "r1", "2025-02-01", 300);   // median of o1..o3 = 200
  Order("o4", "r1", "2025-03-01", 1000);  // = 5 × 200: not above
  Order("o5", "r1", "2025-03-02", 1300);  // median of 100,200,300,1000 = 250; 1300 > 1250
  Order("o6", "r2", "2025-03-05", 9999);  // no baseline: not flagged
  auto rows = store_->SpecialContributions(kTenant, "", QueryScope{}, P("2025-03"), 5);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].order_id(), "o5");
  EXPECT_DOUBLE_EQ((*rows)[0].median_amount(), 250);
  EXPECT_EQ((*rows)[0].baseline_orders(), 4);
  EXPECT_DOUBLE_EQ((*rows)[0].multiple(), 5.2);
}

TEST_F(ComplianceTest, SpecialContributionsEdgeCasesWorkedByHand) {
  ASSERT_NO_FATAL_FAILURE(SeedEdgeCases());
  auto rows = store_->SpecialContributions(kTenant, "", QueryScope{}, P("2025-03"), 5);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(Ids(*rows), (std::vector<std::string>{"a5", "b3", "d3", "e3", "g2"}));
  const v1::SpecialContribution& a5 = (*rows)[0];
  EXPECT_EQ(a5.rep_id(), "a");
  EXPECT_EQ(a5.customer_id(), "c-a5");
  EXPECT_EQ(a5.signed_date(), "2025-03-01");
  EXPECT_EQ(a5.amount(), 1001);
  EXPECT_EQ(a5.median_amount(), 200);
  EXPECT_EQ(a5.baseline_orders(), 3);
  EXPECT_DOUBLE_EQ(a5.multiple(), 5.005);
  EXPECT_EQ((*rows)[1].median_amount(), 505);
  EXPECT_EQ((*rows)[1].baseline_orders(), 2);
  EXPECT_DOUBLE_EQ((*rows)[1].multiple(), 3000.0 / 505);
  EXPECT_EQ((*rows)[2].median_amount(), 100);
  EXPECT_EQ((*rows)[2].baseline_orders(), 1);
  EXPECT_DOUBLE_EQ((*rows)[2].multiple(), 6);
  EXPECT_EQ((*rows)[3].median_amount(), 101.5);
  EXPECT_EQ((*rows)[3].amount(), 508);
  EXPECT_EQ((*rows)[4].median_amount(), 100);
  EXPECT_EQ((*rows)[4].signed_date(), "2025-03-15");
  EXPECT_DOUBLE_EQ((*rows)[4].multiple(), 7);
  // The definition as one lateral query gives the same rows, to the bit.
  EXPECT_EQ(Rows(*rows), LateralDefinition(P("2025-03"), 5));
  // The day 03-01 alone: a5 and b3; the frames reach back before the period.
  rows = store_->SpecialContributions(kTenant, "", QueryScope{}, P("2025-03-01"), 5);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"a5", "b3"}));
  // At 4 ×: a4 (1000 > 800) and a6 (1300 > 1200) too, b4 not (5001 < 8000).
  rows = store_->SpecialContributions(kTenant, "", QueryScope{}, P("2025-03"), 4);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"a4", "a5", "a6", "b3", "d3", "e3", "e4", "g2"}));
  EXPECT_EQ(Rows(*rows), LateralDefinition(P("2025-03"), 4));
}

// Scopes list the orders credited to a unit (team or region, where the rep
// sat on the order's day) or of a rep; the median stays over all the rep's
// orders. `unit` (a manager without a scope) keeps reps placed in the unit.
TEST_F(ComplianceTest, SpecialContributionsByScope) {
  ASSERT_NO_FATAL_FAILURE(SeedEdgeCases());
  auto ids = [&](const std::string& unit, QueryScope::Kind kind, const std::string& id) {
    auto rows = store_->SpecialContributions(kTenant, unit, QueryScope{kind, id}, P("2025-03"), 5);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? Ids(*rows) : std::vector<std::string>{"error"};
  };
  using K = QueryScope::Kind;
  using V = std::vector<std::string>;
  // Team ta: a5 and d3; g2 was credited to tb (g moved), though its median
  // (100) is g1's, credited to ta.
  EXPECT_EQ(ids("", K::kUnit, "ta"), (V{"a5", "d3"}));
  EXPECT_EQ(ids("", K::kUnit, "tb"), (V{"b3", "e3", "g2"}));
  EXPECT_EQ(ids("", K::kUnit, "east"), (V{"a5", "b3", "d3", "e3", "g2"}));
  EXPECT_EQ(ids("", K::kUnit, "west"), V{});
  // A rep: all their orders, wherever credited.
  EXPECT_EQ(ids("", K::kRep, "g"), V{"g2"});
  EXPECT_EQ(ids("", K::kRep, "c"), V{});
  // A manager of ta without a scope reads the reps placed in ta (a, d and g,
  // who sat there in January): g2 too, as before scopes existed.
  EXPECT_EQ(ids("ta", K::kCompany, ""), (V{"a5", "d3", "g2"}));
  EXPECT_EQ(ids("nowhere", K::kCompany, ""), V{});
  // The same rows as the definition's, restricted to the scope.
  auto rows =
      store_->SpecialContributions(kTenant, "", QueryScope{K::kUnit, "tb"}, P("2025-03"), 5);
  ASSERT_TRUE(rows.ok());
  std::vector<Row> want;
  for (const Row& r : LateralDefinition(P("2025-03"), 5)) {
    if (std::get<1>(r) == "b" || std::get<1>(r) == "e" || std::get<0>(r) == "g2") {
      want.push_back(r);
    }
  }
  EXPECT_EQ(Rows(*rows), want);
}

// The computed medians against the lateral definition on random orders:
// many ties (amounts from a short list), several orders a day, cancelled
// orders and opportunities, reps with and without history, periods of every
// kind and several multiples. Every row is compared, medians to the bit.
TEST_F(ComplianceTest, SpecialContributionsEqualTheLateralDefinition) {
  std::mt19937 rng(20250301);
  const int64_t kAmounts[] = {50,  100, 100,  100,  150,  200,  200,   250,
                              300, 500, 1000, 1001, 2500, 5000, 12345, 99999};
  std::string values;
  int n = 0;
  for (int rep = 0; rep < 40; ++rep) {
    const int orders = static_cast<int>(rng() % 45);  // some reps have none
    // Reps 30+ only sell from March: no history for their first orders.
    const int first_day = rep >= 30 ? 120 : 0;
    for (int i = 0; i < orders; ++i) {
      const absl::CivilDay day =
          absl::CivilDay(2024, 11, 1) + first_day + static_cast<int>(rng() % (181 - first_day));
      const int64_t amount = kAmounts[rng() % (sizeof(kAmounts) / sizeof(kAmounts[0]))];
      const bool counted = rng() % 10 != 0;
      const int kind = rng() % 20 == 0 ? 5 : 1;
      absl::StrAppend(&values, n == 0 ? "" : ", ", "('t1', ", kind, ", 'o", n, "', 1, ",
                      counted ? "true" : "false", ", '", absl::FormatCivilTime(day), "', 'r", rep,
                      "', 'c", n % 7, "', ", amount, ", 1, 'CNY')");
      ++n;
    }
  }
  Exec(
      "INSERT INTO ingest.entity_states (tenant_id, kind, entity_id, version, counted, day, "
      "rep_id, customer_id, amount, status, currency) VALUES " +
      values);
  int listed = 0;
  for (const char* period : {"2025-03", "2025-Q1", "2025-02", "2025-W10", "2025-03-15", "2025"}) {
    for (double multiple : {1.0, 1.5, 2.0, 5.0}) {
      SCOPED_TRACE(absl::StrCat(period, " at ", multiple, " x"));
      auto rows = store_->SpecialContributions(kTenant, "", QueryScope{}, P(period), multiple);
      ASSERT_TRUE(rows.ok()) << rows.status();
      EXPECT_EQ(Rows(*rows), LateralDefinition(P(period), multiple));
      listed += static_cast<int>(rows->size());
    }
  }
  EXPECT_GT(listed, 500);  // the comparison is about real rows
}

TEST_F(ComplianceTest, FinanceMismatches) {
  Order("o1", "r1", "2025-03-01", 1000);  // receivable 1000, paid 1000: fine
  Order("o2", "r1", "2025-03-02", 500);   // no receivable, paid 600: both kinds
  Order("o3", "r1", "2025-03-03", 800);   // receivable 700, paid 750: overpaid
  auto receivable = [&](const std::string& id, const std::string& order, int64_t due) {
    Exec(
        "INSERT INTO ingest.entity_states (tenant_id, kind, entity_id, version, counted, day, "
        "rep_id, amount) VALUES ('t1', 3, '" +
        id + "', 2, true, '2025-04-01', 'r1', " + std::to_string(due) + ")");
    v1::Event e;
    e.set_source("finance");
    e.set_event_id("ev-" + id);
    v1::Receivable* r = e.mutable_receivable();
    r->set_receivable_id(id);
    r->set_version(2);
    r->set_order_id(order);
    r->set_customer_id("c1");
    r->set_rep_id("r1");
    r->mutable_amount_due()->set_currency_code("CNY");
    r->mutable_amount_due()->set_minor_units(due);
    r->set_due_date("2025-04-01");
    e.set_occurred_at(Rfc(At(2025, 3, 5)));
    PutEvent(e, 3, id, 2, At(2025, 3, 5));
  };
  receivable("rc1", "o1", 1000);
  receivable("rc3", "o3", 700);
  int n = 0;
  auto payment = [&](const std::string& order, int64_t amount) {
    v1::Event e;
    e.set_source("finance");
    e.set_event_id("pay" + std::to_string(++n));
    v1::Payment* p = e.mutable_payment();
    p->set_payment_id(e.event_id());
    p->set_order_id(order);
    p->set_customer_id("c1");
    p->set_rep_id("r1");
    p->mutable_amount()->set_currency_code("CNY");
    p->mutable_amount()->set_minor_units(amount);
    p->set_received_date("2025-03-20");
    e.set_occurred_at(Rfc(At(2025, 3, 20)));
    PutEvent(e, 2, e.event_id(), 0, At(2025, 3, 20));
  };
  payment("o1", 1000);
  payment("o2", 600);
  payment("o3", 400);
  payment("o3", 350);
  auto rows = store_->FinanceMismatches(kTenant, "", P("2025-03"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].order_id(), "o2");
  EXPECT_EQ((*rows)[0].kind(), v1::FINANCE_MISMATCH_KIND_NO_RECEIVABLE);
  EXPECT_EQ((*rows)[1].order_id(), "o2");
  EXPECT_EQ((*rows)[1].kind(), v1::FINANCE_MISMATCH_KIND_OVERPAID);
  EXPECT_EQ((*rows)[1].paid_amount(), 600);
  EXPECT_EQ((*rows)[2].order_id(), "o3");
  EXPECT_EQ((*rows)[2].receivable_due(), 700);
  EXPECT_EQ((*rows)[2].paid_amount(), 750);
}

TEST_F(ComplianceTest, MissedDailyReports) {
  // Week 2025-03-10 (Mon) .. 03-14 (Fri); as of Wed 03-12 20:00 three deadlines passed.
  auto report = [&](const std::string& id, const std::string& day, absl::Time at) {
    v1::Event e;
    e.set_source("crm");
    e.set_event_id(id);
    e.set_occurred_at(Rfc(at));
    v1::ReportSubmission* r = e.mutable_report_submission();
    r->set_report_id(id);
    r->set_author_id("r1");
    r->set_cadence(v1::REPORT_CADENCE_DAILY);
    r->set_period(day);
    r->set_submitted_at(Rfc(at));
    PutEvent(e, 10, id, 0, at);
  };
  report("d10", "2025-03-10", At(2025, 3, 10, 18));      // exactly at the deadline: on time
  report("d11", "2025-03-11", At(2025, 3, 11, 18, 45));  // 45 min late
  auto rows = store_->MissedReports(kTenant, "", P("2025-W11"), At(2025, 3, 12, 20));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].report_period(), "2025-03-11");
  EXPECT_EQ((*rows)[0].minutes_late(), 45);
  EXPECT_EQ((*rows)[1].report_period(), "2025-03-12");
  EXPECT_EQ((*rows)[1].submitted_time(), "");
  EXPECT_EQ((*rows)[1].deadline(), Utc(At(2025, 3, 12, 18)));
}

// ListSpecialContributions served in-process with the edge cases above:
// scopes are checked as IngestQueryService checks them (a manager within
// their unit, a rep only themselves), and the evaluation service's token
// (role service) reads any scope.
class SpecialContributionsServiceTest : public ComplianceTest {
 protected:
  static constexpr char kKey[] = "compliance-test-signing-key-0123456789abcdef";

  void SetUp() override {
    ComplianceTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(SeedEdgeCases());
    query_store_ = std::make_unique<PgQueryStore>(*pool_);
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Create(kKey, &clock_);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    workers_ = std::make_unique<WorkerPool>(2, 16);
    service_ = std::make_unique<ComplianceServiceImpl>(RpcEnv{verifier_.get(), workers_.get()},
                                                       *store_, *query_store_, clock_, kTz);
    absl::StatusOr<std::unique_ptr<GrpcServer>> server =
        GrpcServer::Start(GrpcServer::Config{}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::ComplianceService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
    if (workers_ != nullptr) workers_->Shutdown();
  }

  // Calls ListSpecialContributions for March 2025 as `role` `subject` with
  // token scope `unit`; `kind`/`id` the request's scope (kind 0 and "" =
  // unset). On OK, `ids` are the listed order ids.
  grpc::Status List(Role role, const std::string& subject, const std::string& unit,
                    type::v1::ScopeKind kind, const std::string& id,
                    std::vector<std::string>* ids = nullptr, double multiple = 0) {
    Principal p;
    p.tenant = kTenant;
    p.subject = subject;
    p.role = role;
    p.scope = unit;
    absl::StatusOr<std::string> token = MintToken(kKey, p, clock_.Now(), absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token.value_or("")));
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::ListSpecialContributionsRequest req;
    req.set_period("2025-03");
    req.set_threshold_multiple(multiple);
    if (kind != type::v1::SCOPE_KIND_UNSPECIFIED || !id.empty()) {
      req.mutable_scope()->set_kind(kind);
      req.mutable_scope()->set_id(id);
    }
    v1::ListSpecialContributionsResponse resp;
    grpc::Status st = stub_->ListSpecialContributions(&ctx, req, &resp);
    if (ids != nullptr) {
      ids->clear();
      for (const auto& c : resp.special_contributions()) ids->push_back(c.order_id());
    }
    return st;
  }

  SystemClock clock_;
  std::unique_ptr<PgQueryStore> query_store_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<ComplianceServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::ComplianceService::Stub> stub_;
};

TEST_F(SpecialContributionsServiceTest, ScopesAndRoles) {
  using V = std::vector<std::string>;
  constexpr auto kNone = type::v1::SCOPE_KIND_UNSPECIFIED;
  constexpr auto kUnit = type::v1::SCOPE_KIND_UNIT;
  constexpr auto kRep = type::v1::SCOPE_KIND_REP;
  const auto denied = grpc::StatusCode::PERMISSION_DENIED;
  V ids;

  // The evaluation service's token reads the company and any unit or rep.
  ASSERT_TRUE(List(Role::kService, "attain-eval", "", kNone, "", &ids).ok());
  EXPECT_EQ(ids, (V{"a5", "b3", "d3", "e3", "g2"}));
  ASSERT_TRUE(List(Role::kService, "attain-eval", "", kUnit, "tb", &ids).ok());
  EXPECT_EQ(ids, (V{"b3", "e3", "g2"}));
  ASSERT_TRUE(List(Role::kService, "attain-eval", "", kRep, "g", &ids).ok());
  EXPECT_EQ(ids, V{"g2"});
  // A director names any scope.
  ASSERT_TRUE(List(Role::kDirector, "dan", "", kUnit, "ta", &ids).ok());
  EXPECT_EQ(ids, (V{"a5", "d3"}));

  // A manager of team ta: without a scope, the reps placed in ta (as
  // before); their own unit; a rep placed in it. Another team, a rep never
  // in ta, or the company: refused.
  ASSERT_TRUE(List(Role::kManager, "mia", "ta", kNone, "", &ids).ok());
  EXPECT_EQ(ids, (V{"a5", "d3", "g2"}));
  ASSERT_TRUE(List(Role::kManager, "mia", "ta", kUnit, "ta", &ids).ok());
  EXPECT_EQ(ids, (V{"a5", "d3"}));
  ASSERT_TRUE(List(Role::kManager, "mia", "ta", kRep, "g", &ids).ok());
  EXPECT_EQ(ids, V{"g2"});
  grpc::Status st = List(Role::kManager, "mia", "ta", kUnit, "tb");
  EXPECT_EQ(st.error_code(), denied) << st.error_message();
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("outside the manager's unit"));
  EXPECT_EQ(List(Role::kManager, "mia", "ta", kRep, "b").error_code(), denied);
  EXPECT_EQ(List(Role::kManager, "mia", "ta", kUnit, "east").error_code(), denied);
  // A manager of region east reads its teams.
  ASSERT_TRUE(List(Role::kManager, "max", "east", kUnit, "tb", &ids).ok());
  EXPECT_EQ(ids, (V{"b3", "e3", "g2"}));

  // A rep reads their own orders only, and must say so.
  ASSERT_TRUE(List(Role::kRep, "a", "", kRep, "a", &ids).ok());
  EXPECT_EQ(ids, V{"a5"});
  st = List(Role::kRep, "a", "", kRep, "b");
  EXPECT_EQ(st.error_code(), denied) << st.error_message();
  EXPECT_EQ(List(Role::kRep, "a", "", kUnit, "ta").error_code(), denied);
  st = List(Role::kRep, "a", "", kNone, "");
  EXPECT_EQ(st.error_code(), denied) << st.error_message();
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("set scope to kind REP"));

  // Roles without the report.
  EXPECT_EQ(List(Role::kFinance, "fay", "", kNone, "").error_code(), denied);
  EXPECT_EQ(List(Role::kHr, "hal", "", kRep, "a").error_code(), denied);

  // Validation: a scope without an id, a kind that is not one, a multiple
  // out of range (0 is the default 5).
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  EXPECT_EQ(List(Role::kDirector, "dan", "", kUnit, "").error_code(), invalid);
  EXPECT_EQ(List(Role::kDirector, "dan", "", static_cast<type::v1::ScopeKind>(7), "x").error_code(),
            invalid);
  EXPECT_EQ(List(Role::kDirector, "dan", "", kNone, "", nullptr, 0.5).error_code(), invalid);
  EXPECT_EQ(List(Role::kDirector, "dan", "", kNone, "", nullptr, 1001).error_code(), invalid);
  EXPECT_EQ(
      List(Role::kDirector, "dan", "", kNone, "", nullptr, std::numeric_limits<double>::quiet_NaN())
          .error_code(),
      invalid);
  ASSERT_TRUE(List(Role::kDirector, "dan", "", kNone, "", &ids, 4).ok());
  EXPECT_EQ(ids, (V{"a4", "a5", "a6", "b3", "d3", "e3", "e4", "g2"}));
}

// Pages of a scoped list, as the evaluation service reads them: 2 + 1 rows.
TEST_F(SpecialContributionsServiceTest, PagesOfAScope) {
  Principal p;
  p.tenant = kTenant;
  p.subject = "attain-eval";
  p.role = Role::kService;
  absl::StatusOr<std::string> token = MintToken(kKey, p, clock_.Now(), absl::Hours(1));
  ASSERT_TRUE(token.ok()) << token.status();
  v1::ListSpecialContributionsRequest req;
  req.set_period("2025-03");
  req.mutable_scope()->set_kind(type::v1::SCOPE_KIND_UNIT);
  req.mutable_scope()->set_id("tb");
  req.set_page_size(2);
  std::vector<std::string> ids;
  int pages = 0;
  do {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
    v1::ListSpecialContributionsResponse resp;
    grpc::Status st = stub_->ListSpecialContributions(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& c : resp.special_contributions()) ids.push_back(c.order_id());
    req.set_page_token(resp.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 5);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(ids, (std::vector<std::string>{"b3", "e3", "g2"}));
}

}  // namespace
}  // namespace attain::ingest
