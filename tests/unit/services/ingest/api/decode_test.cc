// Dates and instants of the event contract: DecodeEvent parses them by hand
// (after checking their shape), so they are checked here against absl's
// RFC 3339 parser and against every out-of-range field.
#include "services/ingest/src/api/decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>

#include "absl/time/time.h"

namespace attain::ingest {
namespace {

v1::Event OrderAt(const std::string& occurred_at, const std::string& signed_date) {
  v1::Event e;
  e.set_source("crm");
  e.set_event_id("e1");
  e.set_occurred_at(occurred_at);
  v1::Order* o = e.mutable_order();
  o->set_order_id("o1");
  o->set_version(1);
  o->set_customer_id("c1");
  o->set_rep_id("r1");
  o->set_product_line_id("a");
  o->mutable_amount()->set_currency_code("CNY");
  o->mutable_amount()->set_minor_units(100);
  o->set_status(v1::ORDER_STATUS_SIGNED);
  o->set_signed_date(signed_date);
  return e;
}

TEST(DecodeEvent, InstantsMatchRfc3339) {
  for (const char* text :
       {"2025-01-15T10:30:00+08:00", "2025-01-15T10:30:00Z", "2025-01-15t10:30:00z",
        "2025-01-15T10:30:00.5+08:00", "2025-01-15T10:30:00.123456789-05:30",
        "2024-02-29T23:59:59+14:00", "1999-12-31T00:00:00-12:00", "2025-06-30T23:59:60Z"}) {
    IncomingEvent in = DecodeEvent(OrderAt(text, "2025-01-15"));
    ASSERT_TRUE(in.record.has_value()) << text << ": " << in.rejection.reason;
    absl::Time want;
    std::string err;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &want, &err)) << text << err;
    EXPECT_EQ(in.record->occurred_at, want) << text;
  }
}

TEST(DecodeEvent, InstantsOutOfRangeAreRejectedNamingTheField) {
  for (const char* text :
       {"2025-13-15T10:30:00+08:00", "2025-02-29T10:30:00+08:00", "2025-01-32T10:30:00Z",
        "2025-01-15T24:00:00Z", "2025-01-15T10:60:00Z", "2025-01-15T10:30:61Z",
        "2025-01-15T10:30:00+24:00", "2025-01-15T10:30:00+08:60", "2025-01-15T10:30:00",
        "2025-01-15 10:30:00Z", "2025-01-15T10:30:00.+08:00", "2025-01-15T10:30:00.1234567890Z",
        "2025-00-15T10:30:00Z"}) {
    IncomingEvent in = DecodeEvent(OrderAt(text, "2025-01-15"));
    EXPECT_FALSE(in.record.has_value()) << text;
    EXPECT_EQ(in.rejection.field, "occurred_at") << text;
  }
}

TEST(DecodeEvent, DatesAreCalendarDays) {
  IncomingEvent ok = DecodeEvent(OrderAt("2024-03-01T00:00:00Z", "2024-02-29"));
  ASSERT_TRUE(ok.record.has_value()) << ok.rejection.reason;
  EXPECT_EQ(std::get<Order>(ok.record->body).signed_date, absl::CivilDay(2024, 2, 29));
  for (const char* text : {"2025-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00",
                           "2025-1-15", "20250115", "2025/01/15"}) {
    IncomingEvent in = DecodeEvent(OrderAt("2025-01-15T10:30:00Z", text));
    EXPECT_FALSE(in.record.has_value()) << text;
    EXPECT_EQ(in.rejection.field, "order.signed_date") << text;
  }
}

// Found by tests/fuzz/event_fuzz.cc (regressions/event/signed_date_year_0000):
// absl has a year 0, PostgreSQL's date type does not, so an event dated in it
// was accepted and then failed its commit group in the store.
TEST(DecodeEvent, YearZeroIsNotADate) {
  IncomingEvent in = DecodeEvent(OrderAt("2025-01-15T10:30:00Z", "0000-06-01"));
  EXPECT_FALSE(in.record.has_value());
  EXPECT_EQ(in.rejection.field, "order.signed_date");
  EXPECT_THAT(in.rejection.reason, ::testing::HasSubstr("there is no year 0000"));
  IncomingEvent first = DecodeEvent(OrderAt("2025-01-15T10:30:00Z", "0001-01-01"));
  ASSERT_TRUE(first.record.has_value()) << first.rejection.reason;
  EXPECT_EQ(std::get<Order>(first.record->body).signed_date, absl::CivilDay(1, 1, 1));
}

}  // namespace
}  // namespace attain::ingest
