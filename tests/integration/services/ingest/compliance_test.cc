// The compliance reports (PgComplianceStore) against a real PostgreSQL: rows
// are written with SQL into a freshly migrated database, and each report's
// rows are checked against numbers worked out by hand. Time zone UTC+8.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/events.pb.h"
#include "common/period.h"
#include "common/pg.h"
#include "services/ingest/src/store/pg_compliance_store.h"
#include "services/ingest/src/store/pg_ingest_store.h"
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
  auto rows = store_->SpecialContributions(kTenant, "", P("2025-03"), 5);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].order_id(), "o5");
  EXPECT_DOUBLE_EQ((*rows)[0].median_amount(), 250);
  EXPECT_EQ((*rows)[0].baseline_orders(), 4);
  EXPECT_DOUBLE_EQ((*rows)[0].multiple(), 5.2);
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

}  // namespace
}  // namespace attain::ingest
