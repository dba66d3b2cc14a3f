#include "common/period.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace attain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Parses `text`, failing the test when it does not parse.
Period P(const std::string& text) {
  absl::StatusOr<Period> p = Period::Parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  return p.ok() ? *p : Period::Containing(PeriodKind::kDay, absl::CivilDay(1970, 1, 1));
}

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// The error message of parsing `text`, or "" when it parses.
std::string ParseError(const std::string& text) {
  absl::StatusOr<Period> p = Period::Parse(text);
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(p.status().message());
}

std::vector<std::string> Strings(const std::vector<Period>& periods) {
  std::vector<std::string> out;
  for (const Period& p : periods) out.push_back(p.ToString());
  return out;
}

absl::TimeZone Zone(const std::string& name) {
  absl::StatusOr<absl::TimeZone> tz = LoadTimeZone(name);
  EXPECT_TRUE(tz.ok()) << tz.status();
  return tz.ok() ? *tz : absl::UTCTimeZone();
}

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

constexpr PeriodKind kAllKinds[] = {PeriodKind::kDay,   PeriodKind::kTenDay,  PeriodKind::kWeek,
                                    PeriodKind::kMonth, PeriodKind::kQuarter, PeriodKind::kHalf,
                                    PeriodKind::kYear};

// --- kinds ---

TEST(PeriodKindTest, NamesRoundTrip) {
  EXPECT_EQ(PeriodKindName(PeriodKind::kDay), "day");
  EXPECT_EQ(PeriodKindName(PeriodKind::kTenDay), "ten_day");
  EXPECT_EQ(PeriodKindName(PeriodKind::kWeek), "week");
  EXPECT_EQ(PeriodKindName(PeriodKind::kMonth), "month");
  EXPECT_EQ(PeriodKindName(PeriodKind::kQuarter), "quarter");
  EXPECT_EQ(PeriodKindName(PeriodKind::kHalf), "half");
  EXPECT_EQ(PeriodKindName(PeriodKind::kYear), "year");
  for (PeriodKind kind : kAllKinds) {
    absl::StatusOr<PeriodKind> parsed = ParsePeriodKind(PeriodKindName(kind));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, kind);
  }
}

TEST(PeriodKindTest, UnknownNameIsInvalidArgumentListingTheNames) {
  for (const char* bad : {"", "Month", "tenday", "ten-day", " month", "fortnight"}) {
    absl::StatusOr<PeriodKind> parsed = ParsePeriodKind(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ParsePeriodKind("fortnight").status().message(),
            "period kind \"fortnight\" is not recognised: use one of day, ten_day, week, month, "
            "quarter, half, year");
}

// --- parsing each canonical form ---

TEST(PeriodParseTest, Year) {
  Period p = P("2024");
  EXPECT_EQ(p.kind(), PeriodKind::kYear);
  EXPECT_EQ(p.first_day(), D(2024, 1, 1));
  EXPECT_EQ(p.last_day(), D(2024, 12, 31));
  EXPECT_EQ(p.days(), 366);
  EXPECT_EQ(P("2023").days(), 365);
}

TEST(PeriodParseTest, Half) {
  Period h1 = P("2024-H1");
  EXPECT_EQ(h1.kind(), PeriodKind::kHalf);
  EXPECT_EQ(h1.first_day(), D(2024, 1, 1));
  EXPECT_EQ(h1.last_day(), D(2024, 6, 30));
  EXPECT_EQ(h1.days(), 31 + 29 + 31 + 30 + 31 + 30);  // 182
  Period h2 = P("2024-H2");
  EXPECT_EQ(h2.first_day(), D(2024, 7, 1));
  EXPECT_EQ(h2.last_day(), D(2024, 12, 31));
  EXPECT_EQ(h2.days(), 184);
}

TEST(PeriodParseTest, Quarter) {
  Period q3 = P("2024-Q3");
  EXPECT_EQ(q3.kind(), PeriodKind::kQuarter);
  EXPECT_EQ(q3.first_day(), D(2024, 7, 1));
  EXPECT_EQ(q3.last_day(), D(2024, 9, 30));
  EXPECT_EQ(q3.days(), 92);
  EXPECT_EQ(P("2024-Q1").days(), 31 + 29 + 31);
  EXPECT_EQ(P("2023-Q1").days(), 31 + 28 + 31);
  EXPECT_EQ(P("2024-Q4").last_day(), D(2024, 12, 31));
}

TEST(PeriodParseTest, Month) {
  Period sep = P("2024-09");
  EXPECT_EQ(sep.kind(), PeriodKind::kMonth);
  EXPECT_EQ(sep.first_day(), D(2024, 9, 1));
  EXPECT_EQ(sep.last_day(), D(2024, 9, 30));
  EXPECT_EQ(sep.days(), 30);
  EXPECT_EQ(P("2024-01").days(), 31);
  EXPECT_EQ(P("2024-12").last_day(), D(2024, 12, 31));
}

TEST(PeriodParseTest, TenDay) {
  Period d2 = P("2024-09-D2");
  EXPECT_EQ(d2.kind(), PeriodKind::kTenDay);
  EXPECT_EQ(d2.first_day(), D(2024, 9, 11));
  EXPECT_EQ(d2.last_day(), D(2024, 9, 20));
  EXPECT_EQ(d2.days(), 10);
  Period d1 = P("2024-09-D1");
  EXPECT_EQ(d1.first_day(), D(2024, 9, 1));
  EXPECT_EQ(d1.last_day(), D(2024, 9, 10));
}

TEST(PeriodParseTest, Week) {
  // 2024-01-01 is a Monday, so week 1 starts on it and week 37 starts 36*7 = 252
  // days later: September 9th.
  Period w37 = P("2024-W37");
  EXPECT_EQ(w37.kind(), PeriodKind::kWeek);
  EXPECT_EQ(w37.first_day(), D(2024, 9, 9));
  EXPECT_EQ(w37.last_day(), D(2024, 9, 15));
  EXPECT_EQ(w37.days(), 7);
  EXPECT_EQ(absl::GetWeekday(w37.first_day()), absl::Weekday::monday);
  EXPECT_EQ(P("2024-W01").first_day(), D(2024, 1, 1));
}

TEST(PeriodParseTest, Day) {
  Period d = P("2024-09-15");
  EXPECT_EQ(d.kind(), PeriodKind::kDay);
  EXPECT_EQ(d.first_day(), D(2024, 9, 15));
  EXPECT_EQ(d.last_day(), D(2024, 9, 15));
  EXPECT_EQ(d.days(), 1);
}

TEST(PeriodParseTest, YearRangeIs1900To9999) {
  EXPECT_EQ(P("1900").first_day(), D(1900, 1, 1));
  EXPECT_EQ(P("9999-12-31").first_day(), D(9999, 12, 31));
  // 9999-12-31 is a Friday, so the last week of 9999 starts on Monday the 27th.
  EXPECT_EQ(P("9999-W52").first_day(), D(9999, 12, 27));
  EXPECT_EQ(ParseError("1899"), "period \"1899\" is out of range: years run 1900..9999");
  EXPECT_EQ(ParseError("0000-01"), "period \"0000-01\" is out of range: years run 1900..9999");
  EXPECT_EQ(ParseError("1899-12-31"),
            "period \"1899-12-31\" is out of range: years run 1900..9999");
}

// --- strictness and error messages ---

TEST(PeriodParseTest, UnrecognisedShapesNameTheTextAndTheForms) {
  EXPECT_EQ(ParseError("24-Q1"),
            "period \"24-Q1\" is not recognised: use one of 2024, 2024-H2, 2024-Q3, 2024-09, "
            "2024-09-D2, 2024-W37, 2024-09-15");
  for (const char* bad : {"",
                          " 2024",
                          "2024 ",
                          "2024\n",
                          "20240",
                          "2024-",
                          "2024-9",
                          "2024-009",
                          "2024-9-15",
                          "2024-09-5",
                          "2024-09-150",
                          "2024/09",
                          "2024-q3",
                          "2024-h1",
                          "2024-w37",
                          "2024-W5",
                          "2024-W037",
                          "2024-Q",
                          "2024-Q10",
                          "2024-H",
                          "2024-09-D",
                          "2024-09-D12",
                          "2024-09-d2",
                          "2024-09-X2",
                          "+024",
                          "-2024",
                          "2024-+9",
                          "2024-09-15T00:00",
                          "2024-09-15 ",
                          "Q3-2024",
                          "2024Q3",
                          "2024-S1",
                          "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94"}) {
    std::string message = ParseError(bad);
    EXPECT_THAT(message, HasSubstr("is not recognised: use one of 2024, 2024-H2")) << bad;
  }
}

TEST(PeriodParseTest, MonthOutOfRange) {
  EXPECT_EQ(ParseError("2024-13"), "period \"2024-13\" is not a month: months run 01..12");
  EXPECT_EQ(ParseError("2024-00"), "period \"2024-00\" is not a month: months run 01..12");
  EXPECT_EQ(ParseError("2024-13-01"), "period \"2024-13-01\" is not a day: months run 01..12");
  EXPECT_EQ(ParseError("2024-00-D1"),
            "period \"2024-00-D1\" is not a ten-day period: months run 01..12");
}

TEST(PeriodParseTest, DayOutOfRangeNamesTheMonthLength) {
  EXPECT_EQ(ParseError("2024-02-30"),
            "period \"2024-02-30\" is not a day: February 2024 has 29 days");
  EXPECT_EQ(ParseError("2023-02-29"),
            "period \"2023-02-29\" is not a day: February 2023 has 28 days");
  EXPECT_EQ(ParseError("2024-04-31"), "period \"2024-04-31\" is not a day: April 2024 has 30 days");
  EXPECT_EQ(ParseError("2024-12-32"),
            "period \"2024-12-32\" is not a day: December 2024 has 31 days");
  EXPECT_EQ(ParseError("2024-09-00"),
            "period \"2024-09-00\" is not a day: September 2024 has 30 days");
}

TEST(PeriodParseTest, HalfQuarterAndTenDayOutOfRange) {
  EXPECT_EQ(ParseError("2024-H3"), "period \"2024-H3\" is not a half-year: halves run H1..H2");
  EXPECT_EQ(ParseError("2024-H0"), "period \"2024-H0\" is not a half-year: halves run H1..H2");
  EXPECT_EQ(ParseError("2024-Q5"), "period \"2024-Q5\" is not a quarter: quarters run Q1..Q4");
  EXPECT_EQ(ParseError("2024-Q0"), "period \"2024-Q0\" is not a quarter: quarters run Q1..Q4");
  EXPECT_EQ(ParseError("2024-09-D4"),
            "period \"2024-09-D4\" is not a ten-day period: D1 is days 01..10, D2 is 11..20 and "
            "D3 is 21..end of month");
  EXPECT_THAT(ParseError("2024-09-D0"), HasSubstr("is not a ten-day period: D1 is days 01..10"));
}

TEST(PeriodParseTest, WeekOutOfRange) {
  EXPECT_EQ(ParseError("2023-W53"), "period \"2023-W53\" does not exist: 2023 has 52 ISO weeks");
  EXPECT_EQ(ParseError("2021-W53"), "period \"2021-W53\" does not exist: 2021 has 52 ISO weeks");
  EXPECT_EQ(ParseError("2024-W00"),
            "period \"2024-W00\" is not an ISO week: weeks of 2024 run W01..W52");
  EXPECT_EQ(ParseError("2020-W54"),
            "period \"2020-W54\" is not an ISO week: weeks of 2020 run W01..W53");
}

TEST(PeriodParseTest, MessagesEscapeAndShortenTheText) {
  EXPECT_EQ(ParseError("2024\t"),
            "period \"2024\\t\" is not recognised: use one of 2024, 2024-H2, 2024-Q3, 2024-09, "
            "2024-09-D2, 2024-W37, 2024-09-15");
  std::string message = ParseError(std::string(1000, 'x'));
  EXPECT_THAT(message, HasSubstr("period \"" + std::string(40, 'x') + "...\" is not recognised"));
  EXPECT_LT(message.size(), 200u);
}

// --- leap years and ten-day boundaries ---

TEST(PeriodLeapYearTest, GregorianRules) {
  EXPECT_EQ(P("1900-02").days(), 28);  // divisible by 100, not by 400
  EXPECT_EQ(P("2000-02").days(), 29);  // divisible by 400
  EXPECT_EQ(P("2024-02").days(), 29);
  EXPECT_EQ(P("2023-02").days(), 28);
  EXPECT_EQ(P("1900").days(), 365);
  EXPECT_EQ(P("2000").days(), 366);
  EXPECT_EQ(ParseError("1900-02-29"),
            "period \"1900-02-29\" is not a day: February 1900 has 28 days");
  EXPECT_EQ(P("2000-02-29").first_day(), D(2000, 2, 29));
}

TEST(PeriodTenDayTest, ThirdTenDayRunsToTheEndOfTheMonth) {
  Period leap = P("2024-02-D3");
  EXPECT_EQ(leap.first_day(), D(2024, 2, 21));
  EXPECT_EQ(leap.last_day(), D(2024, 2, 29));
  EXPECT_EQ(leap.days(), 9);
  Period common = P("2023-02-D3");
  EXPECT_EQ(common.first_day(), D(2023, 2, 21));
  EXPECT_EQ(common.last_day(), D(2023, 2, 28));
  EXPECT_EQ(common.days(), 8);
  Period long_month = P("2024-01-D3");
  EXPECT_EQ(long_month.last_day(), D(2024, 1, 31));
  EXPECT_EQ(long_month.days(), 11);
  EXPECT_EQ(P("2024-04-D3").days(), 10);
  EXPECT_EQ(P("1900-02-D3").days(), 8);
}

TEST(PeriodTenDayTest, ContainingUsesDays1To10And11To20And21ToEnd) {
  auto ten_day = [](absl::CivilDay d) {
    return Period::Containing(PeriodKind::kTenDay, d).ToString();
  };
  EXPECT_EQ(ten_day(D(2024, 3, 1)), "2024-03-D1");
  EXPECT_EQ(ten_day(D(2024, 3, 10)), "2024-03-D1");
  EXPECT_EQ(ten_day(D(2024, 3, 11)), "2024-03-D2");
  EXPECT_EQ(ten_day(D(2024, 3, 20)), "2024-03-D2");
  EXPECT_EQ(ten_day(D(2024, 3, 21)), "2024-03-D3");
  EXPECT_EQ(ten_day(D(2024, 3, 31)), "2024-03-D3");
  EXPECT_EQ(ten_day(D(2024, 2, 29)), "2024-02-D3");
}

// --- ISO weeks ---

TEST(PeriodWeekTest, WeeksCrossingYearBoundaries) {
  auto week = [](absl::CivilDay d) { return Period::Containing(PeriodKind::kWeek, d); };
  // 2025-01-01 is a Wednesday, so the week of Monday 2024-12-30 holds 2025's first
  // Thursday.
  EXPECT_EQ(week(D(2024, 12, 30)).ToString(), "2025-W01");
  EXPECT_EQ(week(D(2024, 12, 29)).ToString(), "2024-W52");
  EXPECT_EQ(P("2025-W01").first_day(), D(2024, 12, 30));
  EXPECT_EQ(P("2025-W01").last_day(), D(2025, 1, 5));
  // 2021-01-01 is a Friday: its week belongs to 2020, which has 53 weeks.
  EXPECT_EQ(week(D(2021, 1, 3)).ToString(), "2020-W53");
  EXPECT_EQ(week(D(2021, 1, 4)).ToString(), "2021-W01");
  Period w53 = P("2020-W53");
  EXPECT_EQ(w53.first_day(), D(2020, 12, 28));
  EXPECT_EQ(w53.last_day(), D(2021, 1, 3));
  // 2026 starts on a Thursday, so it has 53 weeks and 2027-01-01 (a Friday) is in
  // the last one.
  EXPECT_EQ(week(D(2027, 1, 1)).ToString(), "2026-W53");
  EXPECT_EQ(P("2026-W53").first_day(), D(2026, 12, 28));
  EXPECT_EQ(P("2026-W53").last_day(), D(2027, 1, 3));
  // 2008-12-29 (Monday) is already in 2009-W01.
  EXPECT_EQ(week(D(2008, 12, 29)).ToString(), "2009-W01");
}

TEST(PeriodWeekTest, YearsWith53Weeks) {
  // A year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday in a
  // leap year.
  for (const char* ok : {"2004-W53", "2009-W53", "2015-W53", "2020-W53", "2026-W53"}) {
    absl::StatusOr<Period> p = Period::Parse(ok);
    EXPECT_TRUE(p.ok()) << ok << ": " << p.status();
  }
  for (const char* bad : {"2016-W53", "2019-W53", "2021-W53", "2023-W53", "2024-W53"}) {
    EXPECT_THAT(ParseError(bad), HasSubstr("has 52 ISO weeks")) << bad;
  }
}

TEST(PeriodWeekTest, WeekStartsOnMonday) {
  // 2024-09-15 is a Sunday: the last day of W37.
  Period w = Period::Containing(PeriodKind::kWeek, D(2024, 9, 15));
  EXPECT_EQ(w.ToString(), "2024-W37");
  Period next = Period::Containing(PeriodKind::kWeek, D(2024, 9, 16));
  EXPECT_EQ(next.ToString(), "2024-W38");
}

// --- Containing ---

TEST(PeriodContainingTest, EveryKindForOneDay) {
  absl::CivilDay day = D(2024, 9, 15);
  EXPECT_EQ(Period::Containing(PeriodKind::kDay, day).ToString(), "2024-09-15");
  EXPECT_EQ(Period::Containing(PeriodKind::kTenDay, day).ToString(), "2024-09-D2");
  EXPECT_EQ(Period::Containing(PeriodKind::kWeek, day).ToString(), "2024-W37");
  EXPECT_EQ(Period::Containing(PeriodKind::kMonth, day).ToString(), "2024-09");
  EXPECT_EQ(Period::Containing(PeriodKind::kQuarter, day).ToString(), "2024-Q3");
  EXPECT_EQ(Period::Containing(PeriodKind::kHalf, day).ToString(), "2024-H2");
  EXPECT_EQ(Period::Containing(PeriodKind::kYear, day).ToString(), "2024");
}

TEST(PeriodContainingTest, QuarterAndHalfBoundaries) {
  EXPECT_EQ(Period::Containing(PeriodKind::kQuarter, D(2024, 3, 31)).ToString(), "2024-Q1");
  EXPECT_EQ(Period::Containing(PeriodKind::kQuarter, D(2024, 4, 1)).ToString(), "2024-Q2");
  EXPECT_EQ(Period::Containing(PeriodKind::kQuarter, D(2024, 12, 31)).ToString(), "2024-Q4");
  EXPECT_EQ(Period::Containing(PeriodKind::kHalf, D(2024, 6, 30)).ToString(), "2024-H1");
  EXPECT_EQ(Period::Containing(PeriodKind::kHalf, D(2024, 7, 1)).ToString(), "2024-H2");
}

TEST(PeriodContainingTest, ContainsDaysAndPeriods) {
  Period q3 = P("2024-Q3");
  EXPECT_TRUE(q3.Contains(D(2024, 7, 1)));
  EXPECT_TRUE(q3.Contains(D(2024, 9, 30)));
  EXPECT_FALSE(q3.Contains(D(2024, 6, 30)));
  EXPECT_FALSE(q3.Contains(D(2024, 10, 1)));
  EXPECT_TRUE(q3.Contains(P("2024-09")));
  EXPECT_TRUE(q3.Contains(P("2024-09-D3")));
  EXPECT_TRUE(q3.Contains(q3));
  EXPECT_FALSE(q3.Contains(P("2024-H2")));
  // W40 runs 2024-09-30..10-06: it straddles Q3 and Q4.
  EXPECT_FALSE(q3.Contains(P("2024-W40")));
  EXPECT_FALSE(P("2024-Q4").Contains(P("2024-W40")));
  EXPECT_TRUE(q3.Contains(P("2024-W39")));
}

// --- round trips and walking ---

TEST(PeriodRoundTripTest, ParseOfToStringIsIdentityForEveryKindAndDay) {
  // 2019-12-01 .. 2027-01-31 covers 53-week years (2020, 2026), leap years and
  // every ten-day shape.
  for (absl::CivilDay day = D(2019, 12, 1); day <= D(2027, 1, 31); ++day) {
    for (PeriodKind kind : kAllKinds) {
      Period p = Period::Containing(kind, day);
      ASSERT_TRUE(p.Contains(day)) << p.ToString();
      absl::StatusOr<Period> back = Period::Parse(p.ToString());
      ASSERT_TRUE(back.ok()) << p.ToString() << ": " << back.status();
      ASSERT_EQ(*back, p) << p.ToString();
      ASSERT_EQ(back->last_day(), p.last_day()) << p.ToString();
      ASSERT_EQ(p.days(), p.last_day() - p.first_day() + 1);
    }
  }
}

TEST(PeriodRoundTripTest, NextAndPreviousTileTheCalendar) {
  for (PeriodKind kind : kAllKinds) {
    Period p = Period::Containing(kind, D(2019, 12, 25));
    for (int i = 0; i < 200; ++i) {
      Period next = p.Next();
      ASSERT_EQ(next.kind(), kind);
      ASSERT_EQ(next.first_day(), p.last_day() + 1) << p.ToString();
      ASSERT_EQ(next.Previous(), p) << p.ToString();
      ASSERT_TRUE(p < next);
      p = next;
    }
  }
}

TEST(PeriodRoundTripTest, EqualityAndOrdering) {
  EXPECT_EQ(P("2024-09"), Period::Containing(PeriodKind::kMonth, D(2024, 9, 30)));
  EXPECT_NE(P("2024-09"), P("2024-09-D1"));  // same first day, different kinds
  EXPECT_NE(P("2024-09"), P("2024-10"));
  EXPECT_TRUE(P("2024-09") < P("2024-10"));
  EXPECT_TRUE(P("2024-09-01") < P("2024-09"));  // same first day: finer kind first
  EXPECT_FALSE(P("2024-09") < P("2024-09"));
}

// --- Previous / Next ---

TEST(PeriodPreviousTest, CrossesYearBoundaries) {
  EXPECT_EQ(P("2024-Q1").Previous().ToString(), "2023-Q4");
  EXPECT_EQ(P("2024-01-D1").Previous().ToString(), "2023-12-D3");
  EXPECT_EQ(P("2025-W01").Previous().ToString(), "2024-W52");
  EXPECT_EQ(P("2021-W01").Previous().ToString(), "2020-W53");
  EXPECT_EQ(P("2024-01").Previous().ToString(), "2023-12");
  EXPECT_EQ(P("2024-H1").Previous().ToString(), "2023-H2");
  EXPECT_EQ(P("2024").Previous().ToString(), "2023");
  EXPECT_EQ(P("2024-01-01").Previous().ToString(), "2023-12-31");
  EXPECT_EQ(P("2024-03-01").Previous().ToString(), "2024-02-29");
  EXPECT_EQ(P("2024-03-D1").Previous().ToString(), "2024-02-D3");
  EXPECT_EQ(P("2024-09-D2").Previous().ToString(), "2024-09-D1");
}

TEST(PeriodNextTest, CrossesYearBoundaries) {
  EXPECT_EQ(P("2023-Q4").Next().ToString(), "2024-Q1");
  EXPECT_EQ(P("2023-12-D3").Next().ToString(), "2024-01-D1");
  EXPECT_EQ(P("2024-W52").Next().ToString(), "2025-W01");
  EXPECT_EQ(P("2020-W53").Next().ToString(), "2021-W01");
  EXPECT_EQ(P("2026-W52").Next().ToString(), "2026-W53");
  EXPECT_EQ(P("2024-02-28").Next().ToString(), "2024-02-29");
  EXPECT_EQ(P("2023-02-28").Next().ToString(), "2023-03-01");
  EXPECT_EQ(P("2024-H2").Next().ToString(), "2025-H1");
}

// --- SameLastYear ---

TEST(PeriodSameLastYearTest, CalendarKinds) {
  EXPECT_EQ(P("2024-Q3").SameLastYear().ToString(), "2023-Q3");
  EXPECT_EQ(P("2024-H1").SameLastYear().ToString(), "2023-H1");
  EXPECT_EQ(P("2024-09").SameLastYear().ToString(), "2023-09");
  EXPECT_EQ(P("2024").SameLastYear().ToString(), "2023");
  EXPECT_EQ(P("2024-09-15").SameLastYear().ToString(), "2023-09-15");
}

TEST(PeriodSameLastYearTest, LeapDayMapsToFebruary28) {
  EXPECT_EQ(P("2024-02-29").SameLastYear().ToString(), "2023-02-28");
  EXPECT_EQ(P("2025-02-28").SameLastYear().ToString(), "2024-02-28");
  EXPECT_EQ(P("2025-03-01").SameLastYear().ToString(), "2024-03-01");
}

TEST(PeriodSameLastYearTest, TenDayKeepsItsIndexAndTakesTheEarlierMonthLength) {
  Period p = P("2024-02-D3").SameLastYear();
  EXPECT_EQ(p.ToString(), "2023-02-D3");
  EXPECT_EQ(p.first_day(), D(2023, 2, 21));
  EXPECT_EQ(p.last_day(), D(2023, 2, 28));
  EXPECT_EQ(P("2025-02-D3").SameLastYear().last_day(), D(2024, 2, 29));
  EXPECT_EQ(P("2024-01-D1").SameLastYear().ToString(), "2023-01-D1");
}

TEST(PeriodSameLastYearTest, WeeksKeepTheirNumber) {
  Period p = P("2024-W37").SameLastYear();
  EXPECT_EQ(p.ToString(), "2023-W37");
  // 2023's week 1 starts Monday 2023-01-02; + 36 weeks = 2023-09-11.
  EXPECT_EQ(p.first_day(), D(2023, 9, 11));
  EXPECT_EQ(P("2025-W01").SameLastYear().ToString(), "2024-W01");
  EXPECT_EQ(P("2021-W01").SameLastYear().first_day(), D(2019, 12, 30));  // 2020-W01
}

TEST(PeriodSameLastYearTest, Week53MapsToWeek52WhenTheEarlierYearHasNone) {
  EXPECT_EQ(P("2020-W53").SameLastYear().ToString(), "2019-W52");
  EXPECT_EQ(P("2020-W53").SameLastYear().first_day(), D(2019, 12, 23));
  EXPECT_EQ(P("2026-W53").SameLastYear().ToString(), "2025-W52");
  // 2015 has 53 weeks, 2014 does not.
  EXPECT_EQ(P("2015-W53").SameLastYear().ToString(), "2014-W52");
  EXPECT_EQ(P("2021-W52").SameLastYear().ToString(), "2020-W52");
}

// --- Split ---

TEST(PeriodSplitTest, QuarterIntoMonths) {
  absl::StatusOr<std::vector<Period>> months = P("2024-Q1").Split(PeriodKind::kMonth);
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_THAT(Strings(*months), ElementsAre("2024-01", "2024-02", "2024-03"));
}

TEST(PeriodSplitTest, FebruaryIntoTenDays) {
  absl::StatusOr<std::vector<Period>> parts = P("2024-02").Split(PeriodKind::kTenDay);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_THAT(Strings(*parts), ElementsAre("2024-02-D1", "2024-02-D2", "2024-02-D3"));
  EXPECT_EQ((*parts)[2].first_day(), D(2024, 2, 21));
  EXPECT_EQ((*parts)[2].last_day(), D(2024, 2, 29));
}

TEST(PeriodSplitTest, AllowedPairsTileTheParentExactly) {
  struct Case {
    const char* parent;
    PeriodKind child;
    size_t count;
  };
  const Case cases[] = {
      {"2024", PeriodKind::kHalf, 2},      {"2024", PeriodKind::kQuarter, 4},
      {"2024", PeriodKind::kMonth, 12},    {"2024", PeriodKind::kDay, 366},
      {"2023", PeriodKind::kDay, 365},     {"2024-H2", PeriodKind::kQuarter, 2},
      {"2024-H2", PeriodKind::kMonth, 6},  {"2024-H2", PeriodKind::kDay, 184},
      {"2024-Q3", PeriodKind::kMonth, 3},  {"2024-Q3", PeriodKind::kDay, 92},
      {"2024-09", PeriodKind::kTenDay, 3}, {"2024-09", PeriodKind::kDay, 30},
      {"2024-02-D3", PeriodKind::kDay, 9}, {"2024-01-D3", PeriodKind::kDay, 11},
      {"2020-W53", PeriodKind::kDay, 7},
  };
  for (const Case& c : cases) {
    Period parent = P(c.parent);
    absl::StatusOr<std::vector<Period>> parts = parent.Split(c.child);
    ASSERT_TRUE(parts.ok()) << c.parent << ": " << parts.status();
    ASSERT_EQ(parts->size(), c.count) << c.parent << " into " << PeriodKindName(c.child);
    EXPECT_EQ(parts->front().first_day(), parent.first_day()) << c.parent;
    EXPECT_EQ(parts->back().last_day(), parent.last_day()) << c.parent;
    for (size_t i = 0; i < parts->size(); ++i) {
      EXPECT_EQ((*parts)[i].kind(), c.child);
      if (i > 0) {
        EXPECT_EQ((*parts)[i].first_day(), (*parts)[i - 1].last_day() + 1);
      }
    }
  }
  absl::StatusOr<std::vector<Period>> halves = P("2024").Split(PeriodKind::kHalf);
  ASSERT_TRUE(halves.ok());
  EXPECT_THAT(Strings(*halves), ElementsAre("2024-H1", "2024-H2"));
  absl::StatusOr<std::vector<Period>> week = P("2025-W01").Split(PeriodKind::kDay);
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(week->front().ToString(), "2024-12-30");
  EXPECT_EQ(week->back().ToString(), "2025-01-05");
}

TEST(PeriodSplitTest, ExactlyTheDocumentedPairsAreAllowed) {
  auto allowed = [](PeriodKind parent, PeriodKind child) {
    switch (parent) {
      case PeriodKind::kYear:
        return child == PeriodKind::kHalf || child == PeriodKind::kQuarter ||
               child == PeriodKind::kMonth || child == PeriodKind::kDay;
      case PeriodKind::kHalf:
        return child == PeriodKind::kQuarter || child == PeriodKind::kMonth ||
               child == PeriodKind::kDay;
      case PeriodKind::kQuarter:
        return child == PeriodKind::kMonth || child == PeriodKind::kDay;
      case PeriodKind::kMonth:
        return child == PeriodKind::kTenDay || child == PeriodKind::kDay;
      case PeriodKind::kTenDay:
      case PeriodKind::kWeek:
        return child == PeriodKind::kDay;
      case PeriodKind::kDay:
        return false;
    }
    return false;
  };
  int allowed_count = 0;
  for (PeriodKind parent : kAllKinds) {
    Period p = Period::Containing(parent, D(2024, 9, 15));
    for (PeriodKind child : kAllKinds) {
      absl::StatusOr<std::vector<Period>> parts = p.Split(child);
      EXPECT_EQ(parts.ok(), allowed(parent, child))
          << PeriodKindName(parent) << " into " << PeriodKindName(child);
      if (parts.ok()) {
        ++allowed_count;
      } else {
        EXPECT_EQ(parts.status().code(), absl::StatusCode::kInvalidArgument);
      }
    }
  }
  EXPECT_EQ(allowed_count, 4 + 3 + 2 + 2 + 1 + 1);
}

TEST(PeriodSplitTest, RefusalsNameBothKindsAndWhatToUse) {
  EXPECT_EQ(P("2024-09").Split(PeriodKind::kWeek).status().message(),
            "a month cannot be split into weeks: ISO weeks do not tile months; use ten_day or "
            "day");
  EXPECT_EQ(P("2024").Split(PeriodKind::kWeek).status().message(),
            "a year cannot be split into weeks: ISO weeks do not tile years; use half, quarter, "
            "month or day");
  EXPECT_EQ(P("2024-Q1").Split(PeriodKind::kYear).status().message(),
            "a quarter cannot be split into years: a child period must be strictly finer than a "
            "quarter; use month or day");
  EXPECT_EQ(P("2024-09").Split(PeriodKind::kMonth).status().message(),
            "a month cannot be split into months: a child period must be strictly finer than a "
            "month; use ten_day or day");
  EXPECT_EQ(P("2024-Q1").Split(PeriodKind::kTenDay).status().message(),
            "a quarter cannot be split into ten-day periods: split into months first, then each "
            "month into ten_day; use month or day");
  EXPECT_EQ(P("2024-09-D2").Split(PeriodKind::kWeek).status().message(),
            "a ten-day period cannot be split into weeks: ISO weeks do not tile ten-day periods; "
            "use day");
  EXPECT_EQ(P("2024-W37").Split(PeriodKind::kTenDay).status().message(),
            "a week cannot be split into ten-day periods: a child period must be strictly finer "
            "than a week; use day");
  EXPECT_EQ(P("2024-09-15").Split(PeriodKind::kDay).status().message(),
            "a day cannot be split into days: a day is the finest period");
}

// --- time zones ---

TEST(PeriodTimeZoneTest, InstantBelongsToTheLocalDay) {
  absl::TimeZone shanghai = Zone("Asia/Shanghai");
  absl::TimeZone utc = absl::UTCTimeZone();
  // 16:30 UTC is 00:30 the next day in Shanghai (UTC+8).
  absl::Time t = Utc(2024, 9, 30, 16, 30);
  EXPECT_EQ(Period::Containing(PeriodKind::kDay, t, shanghai).ToString(), "2024-10-01");
  EXPECT_EQ(Period::Containing(PeriodKind::kDay, t, utc).ToString(), "2024-09-30");
  EXPECT_EQ(Period::Containing(PeriodKind::kQuarter, t, shanghai).ToString(), "2024-Q4");
  EXPECT_EQ(Period::Containing(PeriodKind::kQuarter, t, utc).ToString(), "2024-Q3");
  EXPECT_TRUE(P("2024-Q4").Contains(t, shanghai));
  EXPECT_FALSE(P("2024-Q4").Contains(t, utc));
  EXPECT_TRUE(P("2024-Q3").Contains(t, utc));
  EXPECT_FALSE(P("2024-Q3").Contains(t, shanghai));
  // 23:30 in Shanghai (15:30 UTC) still belongs to that day there.
  EXPECT_EQ(Period::Containing(PeriodKind::kDay, Utc(2024, 9, 15, 15, 30), shanghai).ToString(),
            "2024-09-15");
}

TEST(PeriodTimeZoneTest, StartAndEndAreLocalMidnights) {
  absl::TimeZone shanghai = Zone("Asia/Shanghai");
  Period q4 = P("2024-Q4");
  EXPECT_EQ(q4.StartTime(shanghai), Utc(2024, 9, 30, 16, 0));
  EXPECT_EQ(q4.EndTime(shanghai), Utc(2024, 12, 31, 16, 0));
  EXPECT_EQ(q4.StartTime(absl::UTCTimeZone()), Utc(2024, 10, 1, 0, 0));
  EXPECT_EQ(q4.EndTime(absl::UTCTimeZone()), Utc(2025, 1, 1, 0, 0));
  // [start, end) is half open: the end instant belongs to the next period.
  EXPECT_TRUE(q4.Contains(q4.EndTime(shanghai) - absl::Seconds(1), shanghai));
  EXPECT_FALSE(q4.Contains(q4.EndTime(shanghai), shanghai));
  EXPECT_TRUE(q4.Contains(q4.StartTime(shanghai), shanghai));
  EXPECT_FALSE(q4.Contains(q4.StartTime(shanghai) - absl::Seconds(1), shanghai));
}

TEST(PeriodTimeZoneTest, DaylightSavingDaysAreShorterOrLonger) {
  absl::TimeZone new_york = Zone("America/New_York");
  // 2024-03-10: clocks jump 02:00 EST → 03:00 EDT, a 23-hour day.
  Period spring = P("2024-03-10");
  EXPECT_EQ(spring.StartTime(new_york), Utc(2024, 3, 10, 5, 0));
  EXPECT_EQ(spring.EndTime(new_york), Utc(2024, 3, 11, 4, 0));
  EXPECT_EQ(spring.EndTime(new_york) - spring.StartTime(new_york), absl::Hours(23));
  // 2024-11-03: clocks fall back, a 25-hour day.
  Period fall = P("2024-11-03");
  EXPECT_EQ(fall.EndTime(new_york) - fall.StartTime(new_york), absl::Hours(25));
}

TEST(PeriodTimeZoneTest, SkippedMidnightStartsTheDayAtTheTransition) {
  // Santiago moved from -04 to -03 at local midnight on 2024-09-08: the day began
  // at 01:00 local, 04:00 UTC, and lasted 23 hours.
  absl::TimeZone santiago = Zone("America/Santiago");
  Period day = P("2024-09-08");
  EXPECT_EQ(day.StartTime(santiago), Utc(2024, 9, 8, 4, 0));
  EXPECT_EQ(day.EndTime(santiago), Utc(2024, 9, 9, 3, 0));
  EXPECT_EQ(P("2024-09-07").EndTime(santiago), day.StartTime(santiago));
  EXPECT_TRUE(day.Contains(day.StartTime(santiago), santiago));
  EXPECT_FALSE(day.Contains(day.StartTime(santiago) - absl::Seconds(1), santiago));
}

TEST(LoadTimeZoneTest, KnownAndUnknownNames) {
  absl::StatusOr<absl::TimeZone> tz = LoadTimeZone("Asia/Shanghai");
  ASSERT_TRUE(tz.ok()) << tz.status();
  EXPECT_EQ(tz->name(), "Asia/Shanghai");
  EXPECT_TRUE(LoadTimeZone("UTC").ok());
  for (const char* bad : {"", "Mars/Olympus_Mons", "asia/shanghai "}) {
    absl::StatusOr<absl::TimeZone> unknown = LoadTimeZone(bad);
    ASSERT_FALSE(unknown.ok()) << bad;
    EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(LoadTimeZone("Mars/Olympus_Mons").status().message(),
            "time zone \"Mars/Olympus_Mons\" is not known: use an IANA name such as "
            "\"Asia/Shanghai\"");
}

}  // namespace
}  // namespace attain
