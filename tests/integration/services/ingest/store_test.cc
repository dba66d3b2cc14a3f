// The ingest write pipeline against a real PostgreSQL started by the test
// harness (PgIngestStore), and the decoding of events it is fed (DecodeEvent).
// Numbers are worked out by hand in each test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/events.pb.h"
#include "common/clock.h"
#include "common/leaderboard.h"
#include "common/period.h"
#include "common/pg.h"
#include "services/ingest/src/api/decode.h"
#include "services/ingest/src/domain/org_directory.h"
#include "services/ingest/src/domain/rollup.h"
#include "services/ingest/src/store/pg_ingest_store.h"
#include "tests/support/test_servers.h"

namespace attain::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

// ---------------------------------------------------------------------------
// Event builders (protos, as the CRM sends them).

v1::Event Base(const std::string& event_id, const std::string& source = "crm") {
  v1::Event e;
  e.set_source(source);
  e.set_event_id(event_id);
  e.set_occurred_at("2025-01-15T10:30:00+08:00");
  return e;
}

void SetMoney(attain::type::v1::Money* m, int64_t minor, const std::string& currency = "CNY") {
  m->set_currency_code(currency);
  m->set_minor_units(minor);
}

struct OrderSpec {
  std::string order_id = "o-1";
  int64_t version = 1;
  int64_t amount = 100'00;
  int64_t gross_profit = 30'00;
  std::string signed_date = "2025-01-15";
  v1::OrderStatus status = v1::ORDER_STATUS_SIGNED;
  std::string rep = "rep-1";
  std::string customer = "cust-1";
  std::string product_line = "pl-a";
};

v1::Event OrderPb(const std::string& event_id, const OrderSpec& s) {
  v1::Event e = Base(event_id);
  v1::Order* o = e.mutable_order();
  o->set_order_id(s.order_id);
  o->set_version(s.version);
  o->set_customer_id(s.customer);
  o->set_rep_id(s.rep);
  o->set_product_line_id(s.product_line);
  SetMoney(o->mutable_amount(), s.amount);
  SetMoney(o->mutable_gross_profit(), s.gross_profit);
  o->set_status(s.status);
  o->set_signed_date(s.signed_date);
  return e;
}

v1::Event PaymentPb(const std::string& event_id, int64_t amount, const std::string& day,
                    const std::string& rep = "rep-1") {
  v1::Event e = Base(event_id, "finance");
  v1::Payment* p = e.mutable_payment();
  p->set_payment_id(event_id);
  p->set_order_id("o-1");
  p->set_customer_id("cust-1");
  p->set_rep_id(rep);
  SetMoney(p->mutable_amount(), amount);
  p->set_received_date(day);
  return e;
}

v1::Event ReceivablePb(const std::string& event_id, int64_t version, int64_t amount,
                       const std::string& due) {
  v1::Event e = Base(event_id, "finance");
  v1::Receivable* r = e.mutable_receivable();
  r->set_receivable_id("ar-1");
  r->set_version(version);
  r->set_order_id("o-1");
  r->set_customer_id("cust-1");
  r->set_rep_id("rep-1");
  SetMoney(r->mutable_amount_due(), amount);
  r->set_due_date(due);
  return e;
}

v1::Event FollowUpPb(const std::string& event_id, const std::string& contact,
                     const std::string& recorded, const std::string& content) {
  v1::Event e = Base(event_id);
  e.set_occurred_at(recorded);
  v1::FollowUp* f = e.mutable_follow_up();
  f->set_follow_up_id(event_id);
  f->set_customer_id("cust-1");
  f->set_rep_id("rep-1");
  f->set_contact_time(contact);
  f->set_method(v1::CONTACT_METHOD_VISIT);
  f->set_content(content);
  return e;
}

v1::Event OpportunityPb(const std::string& event_id, int64_t version, v1::OpportunityStage stage,
                        const std::string& created, const std::string& closed) {
  v1::Event e = Base(event_id);
  v1::Opportunity* o = e.mutable_opportunity();
  o->set_opportunity_id("opp-1");
  o->set_version(version);
  o->set_customer_id("cust-1");
  o->set_rep_id("rep-1");
  o->set_product_line_id("pl-a");
  o->set_stage(stage);
  SetMoney(o->mutable_amount(), 500'00);
  o->set_created_date(created);
  o->set_closed_date(closed);
  return e;
}

v1::Event CustomerPb(const std::string& event_id, int64_t version, const std::string& name) {
  v1::Event e = Base(event_id);
  v1::Customer* c = e.mutable_customer();
  c->set_customer_id("cust-1");
  c->set_version(version);
  c->set_full_name(name);
  c->set_industry("electronics");
  c->set_grade(v1::CUSTOMER_GRADE_A);
  c->set_tier(v1::CUSTOMER_TIER_KEY_ACCOUNT);
  c->set_owner_rep_id("rep-1");
  return e;
}

v1::Event SurveyPb(const std::string& event_id, int score) {
  v1::Event e = Base(event_id, "survey");
  v1::SatisfactionSurvey* s = e.mutable_satisfaction_survey();
  s->set_survey_id(event_id);
  s->set_customer_id("cust-1");
  s->set_rep_id("rep-1");
  s->set_score(score);
  return e;
}

v1::Event RatingPb(const std::string& event_id, int rating) {
  v1::Event e = Base(event_id, "collab");
  v1::CollaborationRating* r = e.mutable_collaboration_rating();
  r->set_rating_id(event_id);
  r->set_rep_id("rep-1");
  r->set_department("marketing");
  r->set_rating(rating);
  return e;
}

v1::Event KnowledgePb(const std::string& event_id, const std::string& day) {
  v1::Event e = Base(event_id);
  v1::KnowledgeSharing* k = e.mutable_knowledge_sharing();
  k->set_entry_id(event_id);
  k->set_rep_id("rep-1");
  k->set_role(v1::KNOWLEDGE_SHARING_ROLE_GAVE);
  k->set_topic("pricing objections");
  k->set_date(day);
  return e;
}

v1::Event ReportPb(const std::string& event_id, v1::ReportCadence cadence,
                   const std::string& period, const std::string& submitted,
                   const std::string& author = "rep-1") {
  v1::Event e = Base(event_id, "reports");
  v1::ReportSubmission* r = e.mutable_report_submission();
  r->set_report_id(event_id);
  r->set_author_id(author);
  r->set_cadence(cadence);
  r->set_period(period);
  r->set_submitted_at(submitted);
  return e;
}

TenantBatch Batch(const std::string& tenant, const std::vector<v1::Event>& events) {
  TenantBatch b;
  b.tenant = tenant;
  for (const v1::Event& e : events) b.events.push_back(DecodeEvent(e));
  return b;
}

// ---------------------------------------------------------------------------
// Decoding.

// The rejection of `e`, or "" when it decodes.
Rejection RejectionOf(const v1::Event& e) {
  IncomingEvent in = DecodeEvent(e);
  if (in.record.has_value()) return Rejection{"", ""};
  return in.rejection;
}

#define EXPECT_REJECTED(event, field_name, reason_part) \
  do {                                                  \
    Rejection r_ = RejectionOf(event);                  \
    EXPECT_EQ(r_.field, field_name) << r_.reason;       \
    EXPECT_THAT(r_.reason, HasSubstr(reason_part));     \
  } while (0)

TEST(DecodeTest, AValidOrderDecodes) {
  IncomingEvent in = DecodeEvent(OrderPb("e1", OrderSpec{}));
  ASSERT_TRUE(in.record.has_value()) << in.rejection.field << ": " << in.rejection.reason;
  EXPECT_EQ(in.source, "crm");
  EXPECT_EQ(in.event_id, "e1");
  EXPECT_FALSE(in.payload.empty());
  const Order& o = std::get<Order>(in.record->body);
  EXPECT_EQ(o.amount, (Money{"CNY", 100'00}));
  EXPECT_EQ(o.gross_profit, 30'00);
  EXPECT_EQ(o.signed_date, absl::CivilDay(2025, 1, 15));
  EXPECT_EQ(in.record->occurred_at,
            absl::FromCivil(absl::CivilSecond(2025, 1, 15, 2, 30, 0), absl::UTCTimeZone()));
}

TEST(DecodeTest, EnvelopeFields) {
  v1::Event e = OrderPb("e1", OrderSpec{});
  e.set_source("");
  EXPECT_REJECTED(e, "source", "is empty");
  e.set_source("CRM");
  EXPECT_REJECTED(e, "source", "[a-z0-9_-]");
  e.set_source(std::string(65, 'a'));
  EXPECT_REJECTED(e, "source", "at most 64");
  e.set_source("crm-2_x");
  EXPECT_TRUE(DecodeEvent(e).record.has_value());

  e.set_event_id("");
  EXPECT_REJECTED(e, "event_id", "is empty");
  e.set_event_id(std::string(129, 'x'));
  EXPECT_REJECTED(e, "event_id", "at most 128");
  e.set_event_id("a\tb");
  EXPECT_REJECTED(e, "event_id", "printable ASCII");
  e.set_event_id(std::string(128, 'x'));
  EXPECT_TRUE(DecodeEvent(e).record.has_value());

  e.set_occurred_at("");
  EXPECT_REJECTED(e, "occurred_at", "is empty");
  e.set_occurred_at("2025-01-15T10:30:00");
  EXPECT_REJECTED(e, "occurred_at", "with an offset");
  e.set_occurred_at(" 2025-01-15T10:30:00Z");
  EXPECT_REJECTED(e, "occurred_at", "RFC 3339");
  e.set_occurred_at("2025-01-15 10:30:00+08:00");
  EXPECT_REJECTED(e, "occurred_at", "RFC 3339");
  e.set_occurred_at("2025-02-30T10:30:00Z");
  EXPECT_REJECTED(e, "occurred_at", "RFC 3339");
  e.set_occurred_at("2025-01-15T10:30:00.123456Z");
  EXPECT_TRUE(DecodeEvent(e).record.has_value());

  v1::Event none = Base("e2");
  EXPECT_REJECTED(none, "kind", "is not set");
}

TEST(DecodeTest, OrderFields) {
  auto with = [](auto mutate) {
    v1::Event e = OrderPb("e1", OrderSpec{});
    mutate(*e.mutable_order());
    return e;
  };
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_order_id(""); }), "order.order_id", "is empty");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_order_id(std::string(129, 'o')); }),
                  "order.order_id", "at most 128");
  // Characters, not bytes: 128 CJK characters are a valid id.
  std::string cjk;
  for (int i = 0; i < 128; ++i) cjk += "订";
  EXPECT_TRUE(DecodeEvent(with([&](v1::Order& o) { o.set_order_id(cjk); })).record.has_value());
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_order_id("a\x01"); }), "order.order_id",
                  "control character");
  EXPECT_REJECTED(with([](v1::Order& o) {
                    o.set_rep_id(
                        "r\xff"
                        "1");
                  }),
                  "order.rep_id", "is not valid UTF-8 at byte 1");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_version(0); }), "order.version",
                  "versions start at 1");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_customer_id(""); }), "order.customer_id",
                  "is empty");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_rep_id(""); }), "order.rep_id", "is empty");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_product_line_id(""); }), "order.product_line_id",
                  "is empty");
  EXPECT_REJECTED(with([](v1::Order& o) { o.clear_amount(); }), "order.amount", "is missing");
  EXPECT_REJECTED(with([](v1::Order& o) { o.mutable_amount()->set_currency_code("cny"); }),
                  "order.amount.currency_code", "three upper-case letters");
  {
    Rejection r = RejectionOf(with([](v1::Order& o) { o.mutable_amount()->set_minor_units(-5); }));
    EXPECT_EQ(r.field, "order.amount.minor_units");
    EXPECT_EQ(r.reason, "is -5: an order amount cannot be negative");
  }
  EXPECT_REJECTED(with([](v1::Order& o) { o.mutable_gross_profit()->set_currency_code("USD"); }),
                  "order.gross_profit.currency_code", "the amount is in \"CNY\"");
  EXPECT_REJECTED(with([](v1::Order& o) { o.mutable_gross_profit()->set_currency_code("US"); }),
                  "order.gross_profit.currency_code", "three upper-case letters");
  // A negative gross profit is allowed; a missing one counts as 0.
  EXPECT_TRUE(DecodeEvent(with([](v1::Order& o) {
                o.mutable_gross_profit()->set_minor_units(-9);
              })).record.has_value());
  EXPECT_TRUE(DecodeEvent(with([](v1::Order& o) { o.clear_gross_profit(); })).record.has_value());
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_status(v1::ORDER_STATUS_UNSPECIFIED); }),
                  "order.status", "is not set: choose one of SIGNED, CLOSED_WON");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_status(static_cast<v1::OrderStatus>(9)); }),
                  "order.status", "is 9, not a known value");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_signed_date(""); }), "order.signed_date",
                  "is empty");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_signed_date("2025-02-30"); }), "order.signed_date",
                  "calendar date");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_signed_date("2025/01/15"); }), "order.signed_date",
                  "YYYY-MM-DD");
  EXPECT_REJECTED(with([](v1::Order& o) { o.set_signed_date("2025-1-15"); }), "order.signed_date",
                  "YYYY-MM-DD");
}

TEST(DecodeTest, PaymentAndReceivableFields) {
  v1::Event p = PaymentPb("p1", 100, "2025-01-20");
  p.mutable_payment()->set_order_id("");  // an unallocated payment is fine
  EXPECT_TRUE(DecodeEvent(p).record.has_value());
  p.mutable_payment()->mutable_amount()->set_minor_units(0);
  EXPECT_REJECTED(p, "payment.amount.minor_units", "is 0: a payment must be positive");
  p = PaymentPb("p1", 100, "20250120");
  EXPECT_REJECTED(p, "payment.received_date", "YYYY-MM-DD");
  p = PaymentPb("p1", 100, "2025-01-20");
  p.mutable_payment()->set_payment_id("");
  EXPECT_REJECTED(p, "payment.payment_id", "is empty");

  v1::Event r = ReceivablePb("r1", 0, 100, "2025-02-28");
  EXPECT_REJECTED(r, "receivable.version", "is 0");
  r = ReceivablePb("r1", 1, -1, "2025-02-28");
  EXPECT_REJECTED(r, "receivable.amount_due.minor_units", "cannot be negative");
  r = ReceivablePb("r1", 1, 0, "2025-02-28");  // written off
  EXPECT_TRUE(DecodeEvent(r).record.has_value());
  r = ReceivablePb("r1", 1, 0, "2025-02-29");
  EXPECT_REJECTED(r, "receivable.due_date", "calendar date");
  r = ReceivablePb("r1", 1, 0, "2025-02-28");
  r.mutable_receivable()->set_order_id("");
  EXPECT_REJECTED(r, "receivable.order_id", "is empty");
}

TEST(DecodeTest, FollowUpFields) {
  v1::Event f = FollowUpPb("f1", "2025-01-15T10:00:00+08:00", "2025-01-15T11:00:00+08:00", "ok");
  EXPECT_TRUE(DecodeEvent(f).record.has_value());
  f.mutable_follow_up()->set_contact_time("2025-01-15T10:00:00");
  EXPECT_REJECTED(f, "follow_up.contact_time", "with an offset");
  f = FollowUpPb("f1", "2025-01-15T10:00:00+08:00", "2025-01-15T11:00:00+08:00", "ok");
  f.mutable_follow_up()->set_method(v1::CONTACT_METHOD_UNSPECIFIED);
  EXPECT_REJECTED(f, "follow_up.method", "PHONE, VISIT, EMAIL, VIDEO");
  std::string long_content;
  for (int i = 0; i < 4000; ++i) long_content += "需";
  f = FollowUpPb("f1", "2025-01-15T10:00:00+08:00", "2025-01-15T11:00:00+08:00", long_content);
  EXPECT_TRUE(DecodeEvent(f).record.has_value());  // 4000 characters, 12000 bytes
  f.mutable_follow_up()->set_content(long_content + "x");
  EXPECT_REJECTED(f, "follow_up.content", "is 4001 characters long");
  f.mutable_follow_up()->set_content("");
  f.mutable_follow_up()->set_next_action(std::string(1001, 'n'));
  EXPECT_REJECTED(f, "follow_up.next_action", "at most 1000");
  f.mutable_follow_up()->set_next_action("send quote");
  f.mutable_follow_up()->set_next_action_date("next week");
  EXPECT_REJECTED(f, "follow_up.next_action_date", "YYYY-MM-DD");
  f.mutable_follow_up()->set_next_action_date("2025-01-20");
  f.mutable_follow_up()->set_new_stage(static_cast<v1::OpportunityStage>(42));
  EXPECT_REJECTED(f, "follow_up.new_stage", "is 42");
  f.mutable_follow_up()->set_new_stage(v1::OPPORTUNITY_STAGE_UNSPECIFIED);  // unchanged
  EXPECT_TRUE(DecodeEvent(f).record.has_value());
}

TEST(DecodeTest, OpportunityFields) {
  EXPECT_TRUE(DecodeEvent(OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_LEAD, "2025-01-02", ""))
                  .record.has_value());
  EXPECT_REJECTED(OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_UNSPECIFIED, "2025-01-02", ""),
                  "opportunity.stage", "is not set");
  EXPECT_REJECTED(OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_LEAD, "", ""),
                  "opportunity.created_date", "is empty");
  EXPECT_REJECTED(OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_WON, "2025-01-02", ""),
                  "opportunity.closed_date", "is empty but the stage is WON");
  EXPECT_REJECTED(
      OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_NEGOTIATION, "2025-01-02", "2025-01-09"),
      "opportunity.closed_date", "only a won or lost opportunity has a closed date");
  EXPECT_REJECTED(OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_LOST, "2025-01-02", "2025-01-01"),
                  "opportunity.closed_date", "before the created date");
  v1::Event e = OpportunityPb("o1", 1, v1::OPPORTUNITY_STAGE_LEAD, "2025-01-02", "");
  e.mutable_opportunity()->mutable_amount()->set_minor_units(-1);
  EXPECT_REJECTED(e, "opportunity.amount.minor_units", "cannot be negative");
  e.mutable_opportunity()->clear_amount();  // the expected amount is optional
  EXPECT_TRUE(DecodeEvent(e).record.has_value());
}

TEST(DecodeTest, CustomerFieldsAndNameNormalisation) {
  IncomingEvent in =
      DecodeEvent(CustomerPb("c1", 1, "\xE3\x80\x80上海  华东电子（集团）有限公司 "));
  ASSERT_TRUE(in.record.has_value()) << in.rejection.reason;
  EXPECT_EQ(std::get<Customer>(in.record->body).full_name, "上海 华东电子(集团)有限公司");
  EXPECT_REJECTED(CustomerPb("c1", 1, " \xE3\x80\x80 "), "customer.full_name", "is empty");
  EXPECT_REJECTED(CustomerPb("c1", 1, std::string(201, 'n')), "customer.full_name",
                  "at most 200 characters");
  EXPECT_REJECTED(CustomerPb("c1", 0, "A Co."), "customer.version", "is 0");
  EXPECT_REJECTED(CustomerPb("c1", 1, std::string("A\0Co.", 5)), "customer.full_name",
                  "NUL character at byte 1");
  v1::Event e = CustomerPb("c1", 1, "A Co.");
  e.mutable_customer()->set_industry(std::string(101, 'i'));
  EXPECT_REJECTED(e, "customer.industry", "at most 100");
  e = CustomerPb("c1", 1, "A Co.");
  e.mutable_customer()->set_grade(v1::CUSTOMER_GRADE_UNSPECIFIED);
  EXPECT_REJECTED(e, "customer.grade", "A, B, C");
  e = CustomerPb("c1", 1, "A Co.");
  e.mutable_customer()->set_tier(v1::CUSTOMER_TIER_UNSPECIFIED);
  EXPECT_REJECTED(e, "customer.tier", "KEY_ACCOUNT, GROWTH, POTENTIAL");
  e = CustomerPb("c1", 1, "A Co.");
  e.mutable_customer()->set_owner_rep_id("");
  EXPECT_REJECTED(e, "customer.owner_rep_id", "is empty");
}

TEST(DecodeTest, SurveyRatingKnowledgeAndReportFields) {
  EXPECT_TRUE(DecodeEvent(SurveyPb("s1", 0)).record.has_value());
  EXPECT_TRUE(DecodeEvent(SurveyPb("s1", 100)).record.has_value());
  EXPECT_REJECTED(SurveyPb("s1", 101), "satisfaction_survey.score",
                  "is 101: a satisfaction score is 0-100");
  EXPECT_REJECTED(SurveyPb("s1", -1), "satisfaction_survey.score", "is -1");
  EXPECT_REJECTED(RatingPb("r1", 0), "collaboration_rating.rating",
                  "is 0: a collaboration rating is 1-5");
  EXPECT_REJECTED(RatingPb("r1", 6), "collaboration_rating.rating", "is 6");
  v1::Event r = RatingPb("r1", 3);
  r.mutable_collaboration_rating()->set_department("");
  EXPECT_REJECTED(r, "collaboration_rating.department", "is empty");

  v1::Event k = KnowledgePb("k1", "2025-01-17");
  k.mutable_knowledge_sharing()->set_role(v1::KNOWLEDGE_SHARING_ROLE_UNSPECIFIED);
  EXPECT_REJECTED(k, "knowledge_sharing.role", "GAVE, ATTENDED");
  k = KnowledgePb("k1", "2025-01-17");
  k.mutable_knowledge_sharing()->set_topic(std::string(201, 't'));
  EXPECT_REJECTED(k, "knowledge_sharing.topic", "at most 200");
  EXPECT_REJECTED(KnowledgePb("k1", "17.01.2025"), "knowledge_sharing.date", "YYYY-MM-DD");

  EXPECT_TRUE(DecodeEvent(ReportPb("d1", v1::REPORT_CADENCE_DAILY, "2025-01-15",
                                   "2025-01-15T17:00:00+08:00"))
                  .record.has_value());
  EXPECT_TRUE(DecodeEvent(ReportPb("w1", v1::REPORT_CADENCE_WEEKLY, "2025-W03",
                                   "2025-01-20T11:00:00+08:00"))
                  .record.has_value());
  EXPECT_TRUE(DecodeEvent(ReportPb("m1", v1::REPORT_CADENCE_MONTHLY, "2025-01",
                                   "2025-02-03T11:00:00+08:00"))
                  .record.has_value());
  EXPECT_REJECTED(ReportPb("d1", v1::REPORT_CADENCE_DAILY, "2025-W03", "2025-01-20T11:00:00Z"),
                  "report_submission.period", "(a week) but the cadence is DAILY");
  EXPECT_REJECTED(ReportPb("m1", v1::REPORT_CADENCE_MONTHLY, "2025-13", "2025-01-20T11:00:00Z"),
                  "report_submission.period", "2025-13");
  EXPECT_REJECTED(ReportPb("w1", v1::REPORT_CADENCE_WEEKLY, "2025-01", "2025-01-20T11:00:00Z"),
                  "report_submission.period", "(a month) but the cadence is WEEKLY");
  EXPECT_REJECTED(ReportPb("x1", v1::REPORT_CADENCE_UNSPECIFIED, "2025-01", "2025-01-20T11:00:00Z"),
                  "report_submission.cadence", "DAILY, WEEKLY, MONTHLY");
  EXPECT_REJECTED(ReportPb("d1", v1::REPORT_CADENCE_DAILY, "2025-01-15", "2025-01-15T17:00"),
                  "report_submission.submitted_at", "RFC 3339");
  EXPECT_REJECTED(
      ReportPb("d1", v1::REPORT_CADENCE_DAILY, "2025-01-15", "2025-01-15T17:00:00+08:00", ""),
      "report_submission.author_id", "is empty");
}

// ---------------------------------------------------------------------------
// The store.

// Where reps sit: each rep has memberships (from day, team, region); a rep
// not listed is unknown (NOT_FOUND). Counts calls; can be made unavailable.
class FakeDirectory : public OrgDirectory {
 public:
  struct Membership {
    absl::CivilDay from;
    std::string team;
    std::string region;
  };
  void Add(const std::string& tenant, const std::string& rep, std::vector<Membership> m) {
    absl::MutexLock l(&mu_);
    reps_[{tenant, rep}] = std::move(m);
  }
  void SetUnavailable(bool down) {
    absl::MutexLock l(&mu_);
    unavailable_ = down;
  }
  int calls() const {
    absl::MutexLock l(&mu_);
    return calls_;
  }

  absl::StatusOr<RepPlacement> Place(const std::string& tenant, const std::string& rep_id,
                                     absl::CivilDay day) override {
    absl::MutexLock l(&mu_);
    ++calls_;
    if (unavailable_) return absl::UnavailableError("target service is down");
    auto it = reps_.find({tenant, rep_id});
    if (it == reps_.end()) return absl::NotFoundError(absl::StrCat("no rep ", rep_id));
    RepPlacement p;
    for (const Membership& m : it->second) {
      if (m.from <= day) p = RepPlacement{m.team, m.region};
    }
    return p;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, std::vector<Membership>> reps_ ABSL_GUARDED_BY(mu_);
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// (day, rep, team, product line, customer) → non-zero components.
using Cells = std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>,
                       std::map<std::string, int64_t>>;

class IngestStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgPool::Options options;
    options.url = testing::PgTestServer::Shared().CreateDatabase("ingest");
    options.size = 4;
    absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    ASSERT_TRUE(PgIngestStore::Migrate(*pool_).ok());
    for (const char* tenant : {"acme", "globex"}) {
      directory_.Add(tenant, "rep-1", {{absl::CivilDay(2020, 1, 1), "team-1", "east"}});
      directory_.Add(tenant, "rep-2",
                     {{absl::CivilDay(2020, 1, 1), "team-1", "east"},
                      {absl::CivilDay(2025, 2, 15), "team-2", "north"}});  // moves mid-quarter
      directory_.Add(tenant, "rep-3", {{absl::CivilDay(2020, 1, 1), "team-2", "north"}});
    }
    store_ = std::make_unique<PgIngestStore>(*pool_, directory_, clock_);
  }

  // Applies batches of one tenant as one group; returns the outcomes' codes.
  std::vector<std::vector<Outcome>> Apply(std::vector<TenantBatch> batches) {
    absl::StatusOr<std::vector<std::vector<EventOutcome>>> r = store_->ApplyBatches(batches);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::vector<Outcome>> codes;
    if (!r.ok()) return codes;
    for (const auto& batch : *r) {
      codes.emplace_back();
      for (const EventOutcome& o : batch) codes.back().push_back(o.outcome);
    }
    return codes;
  }
  std::vector<Outcome> Apply(const std::string& tenant, const std::vector<v1::Event>& events) {
    std::vector<std::vector<Outcome>> r = Apply(std::vector<TenantBatch>{Batch(tenant, events)});
    return r.empty() ? std::vector<Outcome>{} : r[0];
  }

  Cells RollupCells(const std::string& tenant) {
    Cells out;
    std::string columns;
    for (int c = 0; c < kComponentCount; ++c) {
      absl::StrAppend(&columns, ", ", ComponentColumn(c));
    }
    EXPECT_TRUE(
        pool_
            ->InTransaction([&](pqxx::work& tx) {
              for (const auto& row : tx.exec_params(
                       absl::StrCat("SELECT day::text, rep_id, team_id, product_line_id, "
                                    "customer_id",
                                    columns, " FROM ingest.rollup_daily WHERE tenant_id = $1"),
                       tenant)) {
                std::map<std::string, int64_t> m;
                for (int c = 0; c < kComponentCount; ++c) {
                  const int64_t v = row[5 + c].as<int64_t>();
                  if (v != 0) m[std::string(ComponentColumn(c))] = v;
                }
                if (m.empty()) continue;
                out[{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::string>(), row[4].as<std::string>()}] = m;
              }
              return absl::OkStatus();
            })
            .ok());
    return out;
  }

  int64_t Sum(const std::string& tenant, const std::string& column) {
    int64_t sum = 0;
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      sum = tx.exec_params1(absl::StrCat("SELECT coalesce(sum(", column,
                                                         "), 0)::bigint FROM ingest.rollup_daily "
                                                         "WHERE tenant_id = $1"),
                                            tenant)[0]
                                .as<int64_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    return sum;
  }

  struct OutboxRow {
    int64_t seq;
    std::string tenant;
    std::vector<BoardIncrement> increments;
  };
  std::vector<OutboxRow> Outbox() {
    std::vector<OutboxRow> rows;
    EXPECT_TRUE(
        pool_
            ->InTransaction([&](pqxx::work& tx) {
              for (const auto& row : tx.exec("SELECT seq, tenant_id, increments FROM ingest.outbox "
                                             "ORDER BY seq")) {
                auto decoded = DecodeIncrements(row[2].as<std::string>());
                EXPECT_TRUE(decoded.ok()) << decoded.status();
                rows.push_back(OutboxRow{row[0].as<int64_t>(), row[1].as<std::string>(),
                                         decoded.ok() ? *decoded : std::vector<BoardIncrement>{}});
              }
              return absl::OkStatus();
            })
            .ok());
    return rows;
  }

  int64_t Count(const std::string& table) {
    int64_t n = 0;
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      n = tx.exec1("SELECT count(*) FROM ingest." + table)[0].as<int64_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  FakeClock clock_{absl::FromUnixSeconds(1736900000)};  // 2025-01-15
  FakeDirectory directory_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgIngestStore> store_;
};

using Row = std::map<std::string, int64_t>;
auto Key(const char* day, const char* rep, const char* team, const char* line,
         const char* customer) {
  return std::make_tuple(std::string(day), std::string(rep), std::string(team), std::string(line),
                         std::string(customer));
}

TEST_F(IngestStoreTest, AResentEventIsADuplicateAndChangesNothing) {
  const v1::Event order = OrderPb("e-1", OrderSpec{});
  EXPECT_THAT(Apply("acme", {order}), ElementsAre(Outcome::kAccepted));
  const Cells once = RollupCells("acme");
  EXPECT_THAT(once, ElementsAre(Pair(Key("2025-01-15", "rep-1", "team-1", "pl-a", "cust-1"),
                                     (Row{{"sales_amount", 100'00},
                                          {"order_count", 1},
                                          {"gross_profit", 30'00},
                                          {"new_customers", 1}}))));
  // Resent alone, and twice within one batch.
  EXPECT_THAT(Apply("acme", {order}), ElementsAre(Outcome::kDuplicate));
  const v1::Event pay = PaymentPb("pay-1", 40'00, "2025-01-16");
  EXPECT_THAT(Apply("acme", {pay, pay, order}),
              ElementsAre(Outcome::kAccepted, Outcome::kDuplicate, Outcome::kDuplicate));
  EXPECT_EQ(Sum("acme", "sales_amount"), 100'00);
  EXPECT_EQ(Sum("acme", "collected_amount"), 40'00);
  EXPECT_EQ(Count("events"), 2);
  // The same event id from another source or tenant is another event.
  v1::Event other_source = pay;
  other_source.set_source("bank");
  EXPECT_THAT(Apply("acme", {other_source}), ElementsAre(Outcome::kAccepted));
  EXPECT_THAT(Apply("globex", {pay}), ElementsAre(Outcome::kAccepted));
  EXPECT_EQ(Sum("acme", "collected_amount"), 80'00);
  EXPECT_EQ(Sum("globex", "collected_amount"), 40'00);
}

TEST_F(IngestStoreTest, VersionsOfAnOrder) {
  OrderSpec v2;
  v2.version = 2;  // 100.00, gross profit 30.00
  EXPECT_THAT(Apply("acme", {OrderPb("e-v2", v2)}), ElementsAre(Outcome::kAccepted));

  // An older version (and the same version under another event id) is stale.
  OrderSpec v1 = v2;
  v1.version = 1;
  v1.amount = 999'00;
  OrderSpec v2_again = v2;
  v2_again.amount = 555'00;
  EXPECT_THAT(Apply("acme", {OrderPb("e-v1", v1), OrderPb("e-v2b", v2_again)}),
              ElementsAre(Outcome::kStaleVersion, Outcome::kStaleVersion));
  EXPECT_EQ(Sum("acme", "sales_amount"), 100'00);

  // A newer one applies only the difference: 100 → 120, profit 30 → 35.
  OrderSpec v3 = v2;
  v3.version = 3;
  v3.amount = 120'00;
  v3.gross_profit = 35'00;
  v3.status = v1::ORDER_STATUS_CLOSED_WON;
  EXPECT_THAT(Apply("acme", {OrderPb("e-v3", v3)}), ElementsAre(Outcome::kAccepted));
  EXPECT_THAT(RollupCells("acme"),
              ElementsAre(Pair(Key("2025-01-15", "rep-1", "team-1", "pl-a", "cust-1"),
                               (Row{{"sales_amount", 120'00},
                                    {"order_count", 1},
                                    {"gross_profit", 35'00},
                                    {"new_customers", 1}}))));

  // Signed date moves from 2025-01-15 to 2025-02-20, and rep-2 takes it over:
  // rep-2 sits in team-2 from 2025-02-15.
  OrderSpec v4 = v3;
  v4.version = 4;
  v4.signed_date = "2025-02-20";
  v4.rep = "rep-2";
  EXPECT_THAT(Apply("acme", {OrderPb("e-v4", v4)}), ElementsAre(Outcome::kAccepted));
  EXPECT_THAT(RollupCells("acme"),
              ElementsAre(Pair(Key("2025-02-20", "rep-2", "team-2", "pl-a", "cust-1"),
                               (Row{{"sales_amount", 120'00},
                                    {"order_count", 1},
                                    {"gross_profit", 35'00},
                                    {"new_customers", 1}}))));

  // Cancellation reverses everything the order had added.
  OrderSpec v5 = v4;
  v5.version = 5;
  v5.status = v1::ORDER_STATUS_CANCELLED;
  EXPECT_THAT(Apply("acme", {OrderPb("e-v5", v5)}), ElementsAre(Outcome::kAccepted));
  EXPECT_THAT(RollupCells("acme"), IsEmpty());
  // A late version 4 resent under a new id stays stale.
  EXPECT_THAT(Apply("acme", {OrderPb("e-v4-late", v4)}), ElementsAre(Outcome::kStaleVersion));
  EXPECT_THAT(RollupCells("acme"), IsEmpty());
}

TEST_F(IngestStoreTest, SeveralVersionsInOneBatchApplyInVersionOrder) {
  OrderSpec s;
  std::vector<v1::Event> events;
  // v3 = 300, v1 = 100, v2 = 200, arriving 3, 1, 2: all newer than nothing,
  // applied 1 → 2 → 3.
  for (int v : {3, 1, 2}) {
    s.version = v;
    s.amount = v * 100'00;
    events.push_back(OrderPb(absl::StrCat("e-", v), s));
  }
  EXPECT_THAT(Apply("acme", events),
              ElementsAre(Outcome::kAccepted, Outcome::kAccepted, Outcome::kAccepted));
  EXPECT_EQ(Sum("acme", "sales_amount"), 300'00);
  EXPECT_EQ(Sum("acme", "order_count"), 1);
}

TEST_F(IngestStoreTest, OneBadEventIsRejectedAndTheGoodOnesKept) {
  OrderSpec bad;
  bad.order_id = "o-bad";
  bad.amount = -5;
  OrderSpec unknown_rep;
  unknown_rep.order_id = "o-x";
  unknown_rep.rep = "rep-ghost";
  clock_.Set(absl::FromUnixSeconds(1736935200));  // 2025-01-15T10:00:00Z
  auto r = store_->ApplyBatches(
      {Batch("acme", {OrderPb("e-1", OrderSpec{}), OrderPb("e-2", bad),
                      PaymentPb("p-1", 50'00, "2025-01-16"), OrderPb("e-3", unknown_rep)})});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_THAT(*r, SizeIs(1));
  const std::vector<EventOutcome>& o = (*r)[0];
  ASSERT_THAT(o, SizeIs(4));
  EXPECT_EQ(o[0].outcome, Outcome::kAccepted);
  EXPECT_EQ(o[1].outcome, Outcome::kRejected);
  EXPECT_EQ(o[1].field, "order.amount.minor_units");
  EXPECT_EQ(o[1].reason, "is -5: an order amount cannot be negative");
  EXPECT_EQ(o[2].outcome, Outcome::kAccepted);
  EXPECT_EQ(o[3].outcome, Outcome::kRejected);
  EXPECT_EQ(o[3].field, "order.rep_id");
  EXPECT_THAT(o[3].reason, HasSubstr("rep \"rep-ghost\" is not known on 2025-01-15"));
  EXPECT_EQ(Sum("acme", "sales_amount"), 100'00);
  EXPECT_EQ(Sum("acme", "collected_amount"), 50'00);

  // Rejects are listed newest first, with the event as received.
  auto rejects = store_->ListRejects("acme", "", 0, 10);
  ASSERT_TRUE(rejects.ok()) << rejects.status();
  ASSERT_THAT(*rejects, SizeIs(2));
  EXPECT_EQ((*rejects)[0].event_id, "e-3");
  EXPECT_EQ((*rejects)[0].field, "order.rep_id");
  EXPECT_EQ((*rejects)[1].event_id, "e-2");
  EXPECT_EQ((*rejects)[1].source, "crm");
  EXPECT_EQ((*rejects)[1].field, "order.amount.minor_units");
  EXPECT_EQ((*rejects)[1].received_at, absl::FromUnixSeconds(1736935200));
  v1::Event as_received;
  ASSERT_TRUE(as_received.ParseFromString((*rejects)[1].payload));
  EXPECT_EQ(as_received.order().amount().minor_units(), -5);

  // Paging and the source filter.
  auto page = store_->ListRejects("acme", "", (*rejects)[0].reject_id, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(*page, SizeIs(1));
  EXPECT_EQ((*page)[0].event_id, "e-2");
  v1::Event bad_payment = PaymentPb("p-2", 0, "2025-01-16");
  EXPECT_THAT(Apply("acme", {bad_payment}), ElementsAre(Outcome::kRejected));
  auto finance = store_->ListRejects("acme", "finance", 0, 10);
  ASSERT_TRUE(finance.ok());
  ASSERT_THAT(*finance, SizeIs(1));
  EXPECT_EQ((*finance)[0].field, "payment.amount.minor_units");
  auto other_tenant = store_->ListRejects("globex", "", 0, 10);
  ASSERT_TRUE(other_tenant.ok());
  EXPECT_THAT(*other_tenant, IsEmpty());

  // A rejected event is not remembered as ingested: fixed and resent, it counts.
  bad.amount = 5'00;
  EXPECT_THAT(Apply("acme", {OrderPb("e-2", bad)}), ElementsAre(Outcome::kAccepted));
  EXPECT_EQ(Sum("acme", "sales_amount"), 105'00);
  // A rejected event whose id was ingested before is a duplicate.
  EXPECT_THAT(Apply("acme", {OrderPb("e-1", unknown_rep)}), ElementsAre(Outcome::kDuplicate));
}

TEST_F(IngestStoreTest, UnreachableDirectoryFailsTheWholeGroupAndAppliesNothing) {
  directory_.SetUnavailable(true);
  auto r = store_->ApplyBatches({Batch("acme", {PaymentPb("p-1", 10'00, "2025-01-16")}),
                                 Batch("globex", {OrderPb("e-1", OrderSpec{})})});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_EQ(Count("events"), 0);
  EXPECT_EQ(Count("rejects"), 0);
  EXPECT_EQ(Count("rollup_daily"), 0);
  EXPECT_EQ(Count("outbox"), 0);
  directory_.SetUnavailable(false);
  EXPECT_THAT(Apply("acme", {PaymentPb("p-1", 10'00, "2025-01-16")}),
              ElementsAre(Outcome::kAccepted));
}

TEST_F(IngestStoreTest, PlacesEachRepDayOncePerCall) {
  std::vector<v1::Event> events;
  for (int i = 0; i < 50; ++i) events.push_back(PaymentPb(absl::StrCat("p-", i), 1, "2025-01-16"));
  events.push_back(PaymentPb("p-other-day", 1, "2025-01-17"));
  const int before = directory_.calls();
  Apply("acme", events);
  EXPECT_EQ(directory_.calls() - before, 2);
}

TEST_F(IngestStoreTest, OneOffKindsAddTheirComponents) {
  EXPECT_THAT(
      Apply("acme",
            {PaymentPb("p-1", 250'00, "2025-01-20"),
             // Contact 23:30 in Shanghai, recorded 25 h later: late, effective.
             FollowUpPb("f-1", "2025-01-15T23:30:00+08:00", "2025-01-17T00:30:00+08:00",
                        "asked for a quote"),
             // Contact 2025-01-15T16:00Z = 2025-01-16 00:00 in Shanghai; blank content.
             FollowUpPb("f-2", "2025-01-15T16:00:00Z", "2025-01-16T01:00:00+08:00", "  "),
             SurveyPb("s-1", 90), RatingPb("r-1", 4), KnowledgePb("k-1", "2025-01-15"),
             ReportPb("d-1", v1::REPORT_CADENCE_DAILY, "2025-01-15", "2025-01-15T18:00:00+08:00"),
             ReportPb("d-2", v1::REPORT_CADENCE_DAILY, "2025-01-16", "2025-01-16T18:00:01+08:00"),
             // A regional manager's summary: the author is a unit, not a rep.
             ReportPb("w-1", v1::REPORT_CADENCE_WEEKLY, "2025-W03", "2025-01-20T12:00:00+08:00",
                      "east")}),
      ElementsAre(Outcome::kAccepted, Outcome::kAccepted, Outcome::kAccepted, Outcome::kAccepted,
                  Outcome::kAccepted, Outcome::kAccepted, Outcome::kAccepted, Outcome::kAccepted,
                  Outcome::kAccepted));
  // Surveys and ratings count on the day they were given (occurred_at
  // 2025-01-15T10:30+08:00).
  EXPECT_THAT(
      RollupCells("acme"),
      ElementsAre(
          Pair(Key("2025-01-15", "rep-1", "team-1", "", ""), (Row{{"collaboration_sum", 4},
                                                                  {"collaboration_count", 1},
                                                                  {"knowledge_sharing", 1},
                                                                  {"reports_on_time", 1}})),
          Pair(Key("2025-01-15", "rep-1", "team-1", "", "cust-1"),
               (Row{{"visits", 1},
                    {"effective_visits", 1},
                    {"follow_ups_late", 1},
                    {"satisfaction_sum", 90},
                    {"satisfaction_count", 1}})),
          Pair(Key("2025-01-16", "rep-1", "team-1", "", ""), (Row{{"reports_late", 1}})),
          Pair(Key("2025-01-16", "rep-1", "team-1", "", "cust-1"), (Row{{"visits", 1}})),
          Pair(Key("2025-01-19", "east", "", "", ""), (Row{{"reports_on_time", 1}})),
          Pair(Key("2025-01-20", "rep-1", "team-1", "", "cust-1"),
               (Row{{"collected_amount", 250'00}}))));
}

TEST_F(IngestStoreTest, ReceivablesAndOpportunitiesByVersion) {
  EXPECT_THAT(
      Apply("acme", {ReceivablePb("ar-v1", 1, 300'00, "2025-02-28"),
                     OpportunityPb("op-v1", 1, v1::OPPORTUNITY_STAGE_PROPOSAL, "2025-01-02", "")}),
      ElementsAre(Outcome::kAccepted, Outcome::kAccepted));
  EXPECT_EQ(Sum("acme", "receivable_due"), 300'00);
  EXPECT_EQ(Sum("acme", "opportunities_won"), 0);
  // Partly written off; the opportunity is won on 2025-01-22 (20 days).
  EXPECT_THAT(Apply("acme", {ReceivablePb("ar-v2", 2, 120'00, "2025-02-28"),
                             OpportunityPb("op-v2", 2, v1::OPPORTUNITY_STAGE_WON, "2025-01-02",
                                           "2025-01-22")}),
              ElementsAre(Outcome::kAccepted, Outcome::kAccepted));
  EXPECT_THAT(RollupCells("acme"),
              ElementsAre(Pair(Key("2025-01-22", "rep-1", "team-1", "pl-a", "cust-1"),
                               (Row{{"opportunities_won", 1}, {"won_cycle_days", 20}})),
                          Pair(Key("2025-02-28", "rep-1", "team-1", "", "cust-1"),
                               (Row{{"receivable_due", 120'00}}))));
  // Moving back out of WON reverses the win.
  EXPECT_THAT(Apply("acme", {OpportunityPb("op-v3", 3, v1::OPPORTUNITY_STAGE_NEGOTIATION,
                                           "2025-01-02", "")}),
              ElementsAre(Outcome::kAccepted));
  EXPECT_EQ(Sum("acme", "opportunities_won"), 0);
  EXPECT_EQ(Sum("acme", "won_cycle_days"), 0);
}

TEST_F(IngestStoreTest, OneOutboxRowPerTenantPerTransactionWithTheMergedIncrements) {
  // One group: two acme batches and one globex batch.
  OrderSpec a1;  // rep-1, 2025-01-15, 100.00
  OrderSpec a2;
  a2.order_id = "o-2";
  a2.customer = "cust-2";
  a2.amount = 50'00;
  a2.gross_profit = 10'00;
  a2.signed_date = "2025-01-16";
  std::vector<std::vector<Outcome>> r =
      Apply({Batch("acme", {OrderPb("e-1", a1)}),
             Batch("acme", {OrderPb("e-2", a2), PaymentPb("p-1", 60'00, "2025-01-16")}),
             Batch("globex", {PaymentPb("p-1", 70'00, "2025-03-31")})});
  ASSERT_THAT(r, ElementsAre(ElementsAre(Outcome::kAccepted),
                             ElementsAre(Outcome::kAccepted, Outcome::kAccepted),
                             ElementsAre(Outcome::kAccepted)));
  std::vector<OutboxRow> outbox = Outbox();
  ASSERT_THAT(outbox, SizeIs(2));
  EXPECT_EQ(outbox[0].tenant, "acme");
  EXPECT_EQ(outbox[1].tenant, "globex");
  EXPECT_LT(outbox[0].seq, outbox[1].seq);

  // acme: sales 150.00 = 100 + 50 (both orders in 2025-W03 and January),
  // orders 2, gross profit 40.00, new customers 2, collected 60.00, and a
  // collection rate of 60.00 / 0 due. Every increment is a single merged
  // cell: (period, metric, scope) appears once.
  std::map<std::tuple<std::string, std::string, std::string>, BoardIncrement> acme;
  for (const BoardIncrement& inc : outbox[0].increments) {
    EXPECT_EQ(inc.tenant, "acme");
    EXPECT_EQ(inc.member, "rep-1");
    auto [it, inserted] = acme.emplace(
        std::make_tuple(inc.period, std::string(BoardMetricName(inc.metric)), inc.scope), inc);
    EXPECT_TRUE(inserted) << "not merged: " << inc.period << " " << inc.scope;
  }
  for (const char* period : {"2025-W03", "2025-01", "2025-Q1", "2025"}) {
    for (const char* scope : {"company", "region:east", "team:team-1"}) {
      EXPECT_EQ((acme.at({period, "sales", scope}).amount), 150'00) << period << " " << scope;
      EXPECT_EQ((acme.at({period, "orders", scope}).amount), 2);
      EXPECT_EQ((acme.at({period, "gross_profit", scope}).amount), 40'00);
      EXPECT_EQ((acme.at({period, "new_customers", scope}).amount), 2);
      EXPECT_EQ((acme.at({period, "collected", scope}).amount), 60'00);
      EXPECT_EQ((acme.at({period, "collection_rate", scope}).numerator), 60'00);
      EXPECT_EQ((acme.at({period, "collection_rate", scope}).denominator), 0);
    }
    // Product-line boards see the orders only (payments have no product line).
    EXPECT_EQ((acme.at({period, "sales", "pl:pl-a"}).amount), 150'00);
    EXPECT_EQ(acme.count({period, "collected", "pl:pl-a"}), 0u);
  }
  // 4 periods × (3 scopes × 6 metrics + pl scope × 4 metrics).
  EXPECT_EQ(acme.size(), 4u * (3 * 6 + 4));

  // globex: 2025-03-31 is in ISO week 2025-W14.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> globex;
  for (const BoardIncrement& inc : outbox[1].increments) {
    if (inc.metric == BoardMetric::kCollected)
      globex[{inc.period, "collected", inc.scope}] = inc.amount;
  }
  EXPECT_EQ((globex[{"2025-W14", "collected", "company"}]), 70'00);
  EXPECT_EQ((globex[{"2025-03", "collected", "team:team-1"}]), 70'00);
  EXPECT_EQ((globex[{"2025-Q1", "collected", "region:east"}]), 70'00);

  // A transaction that changes no board (a duplicate) appends nothing.
  Apply("acme", {OrderPb("e-1", a1)});
  EXPECT_THAT(Outbox(), SizeIs(2));
  // A cancellation sends negative increments.
  OrderSpec cancel = a2;
  cancel.version = 2;
  cancel.status = v1::ORDER_STATUS_CANCELLED;
  Apply("acme", {OrderPb("e-3", cancel)});
  outbox = Outbox();
  ASSERT_THAT(outbox, SizeIs(3));
  bool found = false;
  for (const BoardIncrement& inc : outbox[2].increments) {
    if (inc.metric == BoardMetric::kSales && inc.period == "2025-01" && inc.scope == "company") {
      EXPECT_EQ(inc.amount, -50'00);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(IngestStoreTest, GroupCommitOfTwoTenantsKeepsThemApart) {
  OrderSpec s;
  std::vector<std::vector<Outcome>> r =
      Apply({Batch("acme", {OrderPb("e-1", s)}), Batch("globex", {OrderPb("e-1", s)}),
             Batch("acme", {OrderPb("e-1", s)})});
  // The same event id twice for acme in one group: the second is a duplicate.
  EXPECT_THAT(r, ElementsAre(ElementsAre(Outcome::kAccepted), ElementsAre(Outcome::kAccepted),
                             ElementsAre(Outcome::kDuplicate)));
  s.version = 2;
  s.amount = 130'00;
  r = Apply(
      {Batch("globex", {OrderPb("e-2", s)}), Batch("acme", {PaymentPb("p", 1'00, "2025-01-15")})});
  EXPECT_THAT(r, ElementsAre(ElementsAre(Outcome::kAccepted), ElementsAre(Outcome::kAccepted)));
  EXPECT_EQ(Sum("acme", "sales_amount"), 100'00);
  EXPECT_EQ(Sum("globex", "sales_amount"), 130'00);
  EXPECT_EQ(Sum("acme", "collected_amount"), 1'00);
  EXPECT_EQ(Sum("globex", "collected_amount"), 0);
  EXPECT_EQ(Sum("acme", "new_customers"), 1);
  EXPECT_EQ(Sum("globex", "new_customers"), 1);
}

TEST_F(IngestStoreTest, NewCustomerMovesWithTheFirstOrder) {
  // First order of cust-1: 2025-03-10 by rep-3 (team-2).
  OrderSpec march;
  march.order_id = "o-march";
  march.signed_date = "2025-03-10";
  march.rep = "rep-3";
  Apply("acme", {OrderPb("e-1", march)});
  EXPECT_EQ(RollupCells("acme")
                .at(Key("2025-03-10", "rep-3", "team-2", "pl-a", "cust-1"))
                .at("new_customers"),
            1);

  // An earlier order arrives (2025-01-05, rep-1): the credit moves to it.
  OrderSpec jan;
  jan.order_id = "o-jan";
  jan.signed_date = "2025-01-05";
  Apply("acme", {OrderPb("e-2", jan)});
  Cells cells = RollupCells("acme");
  EXPECT_EQ(cells.at(Key("2025-01-05", "rep-1", "team-1", "pl-a", "cust-1")).at("new_customers"),
            1);
  EXPECT_EQ(cells.at(Key("2025-03-10", "rep-3", "team-2", "pl-a", "cust-1")).count("new_customers"),
            0u);
  EXPECT_EQ(Sum("acme", "new_customers"), 1);

  // A third order in February; then the January one is cancelled: the first
  // order is now February's (looked up among the customer's orders).
  OrderSpec feb;
  feb.order_id = "o-feb";
  feb.signed_date = "2025-02-20";
  feb.rep = "rep-2";  // team-2 from 2025-02-15
  Apply("acme", {OrderPb("e-3", feb)});
  EXPECT_EQ(Sum("acme", "new_customers"), 1);
  OrderSpec jan_cancel = jan;
  jan_cancel.version = 2;
  jan_cancel.status = v1::ORDER_STATUS_CANCELLED;
  Apply("acme", {OrderPb("e-4", jan_cancel)});
  cells = RollupCells("acme");
  EXPECT_EQ(cells.count(Key("2025-01-05", "rep-1", "team-1", "pl-a", "cust-1")), 0u);
  EXPECT_EQ(cells.at(Key("2025-02-20", "rep-2", "team-2", "pl-a", "cust-1")).at("new_customers"),
            1);
  EXPECT_EQ(Sum("acme", "new_customers"), 1);

  // All orders cancelled: no new customer at all.
  for (OrderSpec* o : {&march, &feb}) {
    o->version = 2;
    o->status = v1::ORDER_STATUS_CANCELLED;
  }
  Apply("acme", {OrderPb("e-5", march), OrderPb("e-6", feb)});
  EXPECT_THAT(RollupCells("acme"), IsEmpty());

  // The customers table keeps first/last order days and the master data.
  Apply("acme", {OrderPb("e-7", OrderSpec{}), CustomerPb("c-1", 1, " 上海　华东电子有限公司 ")});
  EXPECT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    pqxx::row row = tx.exec1(
                        "SELECT full_name, grade, first_order_id, first_order_day::text, "
                        "last_order_day::text FROM ingest.customers WHERE tenant_id = 'acme' AND "
                        "customer_id = 'cust-1'");
                    EXPECT_EQ(row[0].as<std::string>(), "上海 华东电子有限公司");
                    EXPECT_EQ(row[1].as<int>(), 1);
                    EXPECT_EQ(row[2].as<std::string>(), "o-1");
                    EXPECT_EQ(row[3].as<std::string>(), "2025-01-15");
                    EXPECT_EQ(row[4].as<std::string>(), "2025-01-15");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(Apply("acme", {CustomerPb("c-0", 1, "stale")}), ElementsAre(Outcome::kStaleVersion));
}

// ---------------------------------------------------------------------------
// Randomized: any order of arrival, duplicates and batch splits end in the
// totals of the highest version of each order.

struct Version {
  OrderSpec spec;
  std::string event_id;
};

class Recompute {
 public:
  explicit Recompute(FakeDirectory& dir) : dir_(dir) {}
  // Expected rollup cells (sales, orders, gross profit, new customers) from
  // the highest version of each order.
  Cells Expected(const std::string& tenant, const std::map<std::string, OrderSpec>& latest) {
    Cells out;
    // customer → (day, order id, cell key)
    std::map<
        std::string,
        std::tuple<std::string, std::string,
                   std::tuple<std::string, std::string, std::string, std::string, std::string>>>
        first;
    for (const auto& [id, s] : latest) {
      if (s.status == v1::ORDER_STATUS_CANCELLED) continue;
      absl::CivilDay day;
      EXPECT_TRUE(absl::ParseCivilTime(s.signed_date, &day));
      RepPlacement p = *dir_.Place(tenant, s.rep, day);
      auto key = std::make_tuple(s.signed_date, s.rep, p.team_id, s.product_line, s.customer);
      Row& row = out[key];
      row["sales_amount"] += s.amount;
      row["order_count"] += 1;
      row["gross_profit"] += s.gross_profit;
      auto it = first.find(s.customer);
      if (it == first.end() ||
          std::make_tuple(s.signed_date, id) <
              std::make_tuple(std::get<0>(it->second), std::get<1>(it->second))) {
        first[s.customer] = std::make_tuple(s.signed_date, id, key);
      }
    }
    for (const auto& [customer, f] : first) out[std::get<2>(f)]["new_customers"] += 1;
    for (auto it = out.begin(); it != out.end();) {
      for (auto c = it->second.begin(); c != it->second.end();) {
        c = c->second == 0 ? it->second.erase(c) : std::next(c);
      }
      it = it->second.empty() ? out.erase(it) : std::next(it);
    }
    return out;
  }

 private:
  FakeDirectory& dir_;
};

TEST_F(IngestStoreTest, RandomStreamOfVersionsEndsInTheHighestVersionsTotals) {
  std::mt19937 rng(20250115);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const std::vector<std::string> days = {"2025-01-03", "2025-01-31", "2025-02-01", "2025-02-14",
                                         "2025-02-15", "2025-03-31", "2025-04-01"};
  const std::vector<std::string> reps = {"rep-1", "rep-2", "rep-3"};
  const std::vector<std::string> customers = {"c-1", "c-2", "c-3", "c-4", "c-5"};

  std::vector<Version> versions;
  std::map<std::string, OrderSpec> latest;
  for (int n = 0; n < 60; ++n) {
    const std::string order_id = absl::StrCat("o-", n);
    const int count = 1 + pick(6);
    for (int v = 1; v <= count; ++v) {
      OrderSpec s;
      s.order_id = order_id;
      s.version = v;
      s.amount = (1 + pick(1000)) * 100;
      s.gross_profit = (pick(400) - 100) * 100;
      s.signed_date = days[pick(days.size())];
      s.rep = reps[pick(reps.size())];
      s.customer = customers[pick(customers.size())];
      s.product_line = pick(2) == 0 ? "pl-a" : "pl-b";
      s.status = pick(5) == 0 ? v1::ORDER_STATUS_CANCELLED : v1::ORDER_STATUS_SIGNED;
      versions.push_back(Version{s, absl::StrCat("e-", order_id, "-v", v)});
      latest[order_id] = s;
      // Sometimes the CRM resends the same version under a new event id.
      if (pick(6) == 0) versions.push_back(Version{s, absl::StrCat("e-", order_id, "-v", v, "-r")});
    }
  }
  // Duplicates: a third of the events are sent twice.
  std::vector<Version> stream = versions;
  for (const Version& v : versions) {
    if (pick(3) == 0) stream.push_back(v);
  }
  std::shuffle(stream.begin(), stream.end(), rng);

  // Random batch sizes (1-40), grouped 1-3 batches per transaction.
  size_t at = 0;
  int accepted = 0, duplicate = 0, stale = 0;
  while (at < stream.size()) {
    std::vector<TenantBatch> group;
    const int batches = 1 + pick(3);
    for (int b = 0; b < batches && at < stream.size(); ++b) {
      std::vector<v1::Event> events;
      const size_t size = 1 + pick(40);
      for (size_t i = 0; i < size && at < stream.size(); ++i, ++at) {
        events.push_back(OrderPb(stream[at].event_id, stream[at].spec));
      }
      group.push_back(Batch("acme", events));
    }
    for (const auto& outcomes : Apply(group)) {
      for (Outcome o : outcomes) {
        accepted += o == Outcome::kAccepted;
        duplicate += o == Outcome::kDuplicate;
        stale += o == Outcome::kStaleVersion;
        EXPECT_NE(o, Outcome::kRejected);
      }
    }
  }
  EXPECT_EQ(accepted + duplicate + stale, static_cast<int>(stream.size()));
  EXPECT_EQ(duplicate, static_cast<int>(stream.size() - versions.size()));

  Recompute recompute(directory_);
  const Cells expected = recompute.Expected("acme", latest);
  EXPECT_EQ(RollupCells("acme"), expected);

  // The outbox carries the same totals: summed over every transaction, the
  // monthly company-wide sales and new customers per rep equal the rollups.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> from_outbox, from_rollups;
  for (const OutboxRow& row : Outbox()) {
    for (const BoardIncrement& inc : row.increments) {
      absl::StatusOr<Period> period = Period::Parse(inc.period);
      ASSERT_TRUE(period.ok()) << inc.period;
      if (inc.scope != "company" || period->kind() != PeriodKind::kMonth) continue;
      if (inc.metric == BoardMetric::kSales || inc.metric == BoardMetric::kNewCustomers) {
        from_outbox[{inc.period, std::string(BoardMetricName(inc.metric)), inc.member}] +=
            inc.amount;
      }
    }
  }
  for (const auto& [key, row] : expected) {
    const std::string month = std::get<0>(key).substr(0, 7);
    for (const auto& [column, metric] :
         {std::pair<std::string, std::string>{"sales_amount", "sales"},
          {"new_customers", "new_customers"}}) {
      auto it = row.find(column);
      if (it != row.end()) from_rollups[{month, metric, std::get<1>(key)}] += it->second;
    }
  }
  for (auto it = from_outbox.begin(); it != from_outbox.end();) {
    it = it->second == 0 ? from_outbox.erase(it) : std::next(it);
  }
  EXPECT_EQ(from_outbox, from_rollups);
}

TEST_F(IngestStoreTest, ConcurrentWritersOfTheSameOrdersCountEachVersionOnce) {
  // Four writers apply interleaved versions of the same 20 orders at once;
  // row locks serialise them per order. ABORTED (a deadlock) is retried as a
  // caller would.
  std::map<std::string, OrderSpec> latest;
  std::vector<std::vector<v1::Event>> per_writer(4);
  std::mt19937 rng(7);
  for (int n = 0; n < 20; ++n) {
    for (int v = 1; v <= 8; ++v) {
      OrderSpec s;
      s.order_id = absl::StrCat("o-", n);
      s.version = v;
      s.amount = (1 + rng() % 500) * 100;
      s.signed_date = v % 2 == 0 ? "2025-01-15" : "2025-02-20";
      s.rep = v % 3 == 0 ? "rep-2" : "rep-1";
      s.customer = absl::StrCat("c-", n % 3);
      per_writer[rng() % 4].push_back(OrderPb(absl::StrCat("e-", n, "-", v), s));
      latest[s.order_id] = s;
    }
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      std::vector<v1::Event>& events = per_writer[w];
      for (size_t at = 0; at < events.size(); at += 5) {
        std::vector<v1::Event> chunk(events.begin() + at,
                                     events.begin() + std::min(events.size(), at + 5));
        for (int attempt = 0;; ++attempt) {
          auto r = store_->ApplyBatches({Batch("acme", chunk)});
          if (r.ok()) break;
          if (r.status().code() != absl::StatusCode::kAborted || attempt > 20) {
            ++failures;
            ADD_FAILURE() << r.status();
            break;
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  Recompute recompute(directory_);
  EXPECT_EQ(RollupCells("acme"), recompute.Expected("acme", latest));
}

// ---------------------------------------------------------------------------
// A quick throughput measurement: groups of 20 batches × 1000 mixed events,
// decoded and applied in one process (printed, not asserted).

TEST_F(IngestStoreTest, Throughput) {
  std::mt19937 rng(1);
  const int kGroups = 5, kBatches = 20, kEvents = 1000;
  int order_seq = 0;
  std::vector<std::vector<std::vector<v1::Event>>> groups(kGroups);
  for (int g = 0; g < kGroups; ++g) {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<v1::Event> events;
      for (int i = 0; i < kEvents; ++i) {
        const std::string id = absl::StrCat("g", g, "b", b, "i", i);
        const std::string day = absl::StrFormat("2025-%02d-%02d", 1 + rng() % 3, 1 + rng() % 28);
        const std::string rep = absl::StrCat("rep-", 1 + rng() % 3);
        const int kind = rng() % 10;
        if (kind < 4) {  // orders: new ones and new versions of recent ones
          OrderSpec s;
          const bool update = order_seq > 100 && rng() % 3 == 0;
          s.order_id = absl::StrCat("o-", update ? order_seq - 1 - rng() % 100 : order_seq++);
          s.version = update ? 2 + rng() % 5 : 1;
          s.amount = (1 + rng() % 10000) * 100;
          s.signed_date = day;
          s.rep = rep;
          s.customer = absl::StrCat("c-", rng() % 2000);
          events.push_back(OrderPb(id, s));
        } else if (kind < 6) {
          events.push_back(PaymentPb(id, (1 + rng() % 1000) * 100, day, rep));
        } else if (kind < 8) {
          events.push_back(FollowUpPb(id, absl::StrCat(day, "T10:00:00+08:00"),
                                      absl::StrCat(day, "T12:00:00+08:00"),
                                      "customer asked about delivery times and pricing tiers"));
        } else if (kind < 9) {
          v1::Event e = ReceivablePb(id, 1 + rng() % 3, (1 + rng() % 1000) * 100, day);
          e.mutable_receivable()->set_receivable_id(absl::StrCat("ar-", rng() % 3000));
          events.push_back(e);
        } else {
          events.push_back(SurveyPb(id, rng() % 101));
        }
      }
      groups[g].push_back(std::move(events));
    }
  }
  // Warm up (connection, caches), then measure wall time, this thread's CPU
  // time and the CPU time of this database's server backends (/proc).
  ASSERT_TRUE(store_->ApplyBatches({Batch("acme", {PaymentPb("warm-up", 1, "2025-01-02")})}).ok());
  auto backend_cpu = [&]() -> absl::Duration {
    std::vector<int> pids;
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      for (const auto& row : tx.exec("SELECT pid FROM pg_stat_activity WHERE "
                                                     "datname = current_database()")) {
                        pids.push_back(row[0].as<int>());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    int64_t ticks = 0;
    for (int pid : pids) {
      std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
      std::string line;
      std::getline(stat, line);
      // Fields after the ")" of the command: state is field 3; utime 14, stime 15.
      std::vector<std::string> fields = absl::StrSplit(line.substr(line.rfind(')') + 2), ' ');
      if (fields.size() > 12) ticks += std::stoll(fields[11]) + std::stoll(fields[12]);
    }
    return absl::Seconds(1) * ticks / sysconf(_SC_CLK_TCK);
  };
  auto thread_cpu = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return absl::DurationFromTimespec(ts);
  };
  absl::Duration total, decode_cpu, store_cpu;
  const absl::Duration server_before = backend_cpu();
  int64_t events = 0;
  for (int g = 0; g < kGroups; ++g) {
    const absl::Time start = absl::Now();
    const absl::Duration cpu0 = thread_cpu();
    std::vector<TenantBatch> batches;
    for (const auto& events_of_batch : groups[g]) batches.push_back(Batch("acme", events_of_batch));
    const absl::Duration cpu1 = thread_cpu();
    auto r = store_->ApplyBatches(batches);
    ASSERT_TRUE(r.ok()) << r.status();
    decode_cpu += cpu1 - cpu0;
    store_cpu += thread_cpu() - cpu1;
    total += absl::Now() - start;
    events += kBatches * kEvents;
  }
  const absl::Duration server_cpu = backend_cpu() - server_before;
  const double per_second = events / absl::ToDoubleSeconds(total);
  auto us_per_event = [&](absl::Duration d) { return absl::ToDoubleMicroseconds(d) / events; };
  std::printf(
      "ingest throughput: %lld events, %d x %d per transaction: wall %s = %.0f events/s; CPU per "
      "event: decode %.1f us, store (client) %.1f us, PostgreSQL %.1f us => on two idle cores "
      "with decoding beside the committer ~%.0f events/s\n",
      static_cast<long long>(events), kBatches, kEvents, absl::FormatDuration(total).c_str(),
      per_second, us_per_event(decode_cpu), us_per_event(store_cpu), us_per_event(server_cpu),
      1e6 / std::max(us_per_event(decode_cpu), us_per_event(store_cpu) + us_per_event(server_cpu)));
  EXPECT_GT(per_second, 0);
}

}  // namespace
}  // namespace attain::ingest
