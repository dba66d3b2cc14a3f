#include "common/period.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace attain {
namespace {

// Parsed years are limited to four digits; 1900 keeps the Gregorian calendar
// (and its 1900-is-not-leap rule) meaningful for every accepted period.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;

constexpr absl::string_view kForms =
    "2024, 2024-H2, 2024-Q3, 2024-09, 2024-09-D2, 2024-W37, 2024-09-15";

constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};

// Monday = 0 … Sunday = 6. Computed from a known Monday so that it does not
// depend on the numbering of absl::Weekday.
int WeekdayIndex(absl::CivilDay day) {
  const absl::civil_diff_t diff = day - absl::CivilDay(1970, 1, 5);  // a Monday
  return static_cast<int>(((diff % 7) + 7) % 7);
}

absl::CivilDay LastDayOfMonth(absl::CivilYear year, int month) {
  return absl::CivilDay(absl::CivilMonth(year.year(), month) + 1) - 1;
}

int DaysInMonth(int64_t year, int month) {
  return LastDayOfMonth(absl::CivilYear(year), month).day();
}

// Monday of ISO week 1 of ISO year `year` (the week holding January 4th).
absl::CivilDay IsoWeekOneMonday(int64_t year) {
  const absl::CivilDay jan4(year, 1, 4);
  return jan4 - WeekdayIndex(jan4);
}

int IsoWeeksInYear(int64_t year) {
  return static_cast<int>((IsoWeekOneMonday(year + 1) - IsoWeekOneMonday(year)) / 7);
}

struct IsoWeek {
  int64_t year;
  int week;
};

IsoWeek IsoWeekOf(absl::CivilDay day) {
  // The ISO year is the year of the week's Thursday.
  const absl::CivilDay thursday = day - WeekdayIndex(day) + 3;
  const int64_t year = thursday.year();
  const int week = static_cast<int>((thursday - absl::CivilDay(year, 1, 1)) / 7 + 1);
  return {year, week};
}

absl::CivilDay IsoWeekMonday(int64_t year, int week) {
  return IsoWeekOneMonday(year) + 7 * (week - 1);
}

// The text as it appears in a message: escaped and shortened, so that a bad
// request cannot put control characters or megabytes into a log line.
std::string Quote(absl::string_view text) {
  constexpr size_t kMaxShown = 40;
  if (text.size() > kMaxShown) {
    return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxShown)), "...\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

absl::Status Invalid(absl::string_view text, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("period ", Quote(text), " ", problem));
}

absl::Status NotRecognised(absl::string_view text) {
  return Invalid(text, absl::StrCat("is not recognised: use one of ", kForms));
}

// Reads exactly `s.size()` ASCII digits; false on anything else.
bool ParseDigits(absl::string_view s, int* out) {
  if (s.empty()) return false;
  int value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// What a kind is called in messages.
absl::string_view Singular(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return "a day";
    case PeriodKind::kTenDay:
      return "a ten-day period";
    case PeriodKind::kWeek:
      return "a week";
    case PeriodKind::kMonth:
      return "a month";
    case PeriodKind::kQuarter:
      return "a quarter";
    case PeriodKind::kHalf:
      return "a half-year";
    case PeriodKind::kYear:
      return "a year";
  }
  return "a period";
}

absl::string_view Plural(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return "days";
    case PeriodKind::kTenDay:
      return "ten-day periods";
    case PeriodKind::kWeek:
      return "weeks";
    case PeriodKind::kMonth:
      return "months";
    case PeriodKind::kQuarter:
      return "quarters";
    case PeriodKind::kHalf:
      return "half-years";
    case PeriodKind::kYear:
      return "years";
  }
  return "periods";
}

// The kinds that exactly tile `parent`, finest last (the contract in period.h).
std::vector<PeriodKind> AllowedChildren(PeriodKind parent) {
  switch (parent) {
    case PeriodKind::kYear:
      return {PeriodKind::kHalf, PeriodKind::kQuarter, PeriodKind::kMonth, PeriodKind::kDay};
    case PeriodKind::kHalf:
      return {PeriodKind::kQuarter, PeriodKind::kMonth, PeriodKind::kDay};
    case PeriodKind::kQuarter:
      return {PeriodKind::kMonth, PeriodKind::kDay};
    case PeriodKind::kMonth:
      return {PeriodKind::kTenDay, PeriodKind::kDay};
    case PeriodKind::kTenDay:
    case PeriodKind::kWeek:
      return {PeriodKind::kDay};
    case PeriodKind::kDay:
      return {};
  }
  return {};
}

// Rank by length, used only to explain why a split is refused.
int Coarseness(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return 0;
    case PeriodKind::kWeek:
      return 1;
    case PeriodKind::kTenDay:
      return 2;
    case PeriodKind::kMonth:
      return 3;
    case PeriodKind::kQuarter:
      return 4;
    case PeriodKind::kHalf:
      return 5;
    case PeriodKind::kYear:
      return 6;
  }
  return 0;
}

absl::Status SplitError(PeriodKind parent, PeriodKind child) {
  std::string reason;
  if (parent == PeriodKind::kDay) {
    reason = "a day is the finest period";
  } else if (Coarseness(child) >= Coarseness(parent)) {
    reason = absl::StrCat("a child period must be strictly finer than ", Singular(parent));
  } else if (child == PeriodKind::kWeek) {
    reason = absl::StrCat("ISO weeks do not tile ", Plural(parent));
  } else if (parent == PeriodKind::kWeek) {
    reason = absl::StrCat(Plural(child), " do not tile ISO weeks");
  } else {  // ten_day below a quarter, half or year
    reason = absl::StrCat("split into months first, then each month into ten_day");
  }
  std::string message =
      absl::StrCat(Singular(parent), " cannot be split into ", Plural(child), ": ", reason);
  const std::vector<PeriodKind> allowed = AllowedChildren(parent);
  if (!allowed.empty()) {
    std::vector<std::string> names;
    for (PeriodKind k : allowed) names.emplace_back(PeriodKindName(k));
    absl::StrAppend(&message, "; use ");
    if (names.size() == 1) {
      absl::StrAppend(&message, names[0]);
    } else {
      absl::StrAppend(&message, absl::StrJoin(names.begin(), names.end() - 1, ", "), " or ",
                      names.back());
    }
  }
  return absl::InvalidArgumentError(message);
}

// The start of civil day `day` in `tz`. When local midnight is skipped by a
// clock change, the day starts at the transition.
absl::Time StartOfDay(absl::CivilDay day, absl::TimeZone tz) {
  const absl::TimeZone::TimeInfo info = tz.At(absl::CivilSecond(day));
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

}  // namespace

absl::string_view PeriodKindName(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return "day";
    case PeriodKind::kTenDay:
      return "ten_day";
    case PeriodKind::kWeek:
      return "week";
    case PeriodKind::kMonth:
      return "month";
    case PeriodKind::kQuarter:
      return "quarter";
    case PeriodKind::kHalf:
      return "half";
    case PeriodKind::kYear:
      return "year";
  }
  return "unknown";
}

absl::StatusOr<PeriodKind> ParsePeriodKind(absl::string_view name) {
  for (PeriodKind kind :
       {PeriodKind::kDay, PeriodKind::kTenDay, PeriodKind::kWeek, PeriodKind::kMonth,
        PeriodKind::kQuarter, PeriodKind::kHalf, PeriodKind::kYear}) {
    if (name == PeriodKindName(kind)) return kind;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("period kind ", Quote(name),
                   " is not recognised: use one of day, ten_day, week, month, quarter, half, "
                   "year"));
}

absl::StatusOr<Period> Period::Parse(absl::string_view text) {
  // Every form starts with a four-digit year; the rest is told apart by length
  // and the letter after the first dash.
  int year = 0;
  if (text.size() < 4 || !ParseDigits(text.substr(0, 4), &year)) return NotRecognised(text);
  if (text.size() > 4 && text[4] != '-') return NotRecognised(text);
  const absl::string_view rest = text.size() > 4 ? text.substr(5) : absl::string_view();

  enum class Form { kYear, kHalf, kQuarter, kWeek, kMonth, kTenDay, kDay };
  Form form;
  int a = 0;  // half, quarter, week or month number
  int b = 0;  // ten-day index or day of month
  if (text.size() == 4) {
    form = Form::kYear;
  } else if (rest.size() == 2 && (rest[0] == 'H' || rest[0] == 'Q') &&
             ParseDigits(rest.substr(1), &a)) {
    form = rest[0] == 'H' ? Form::kHalf : Form::kQuarter;
  } else if (rest.size() == 3 && rest[0] == 'W' && ParseDigits(rest.substr(1), &a)) {
    form = Form::kWeek;
  } else if (rest.size() == 2 && ParseDigits(rest, &a)) {
    form = Form::kMonth;
  } else if (rest.size() == 5 && rest[2] == '-' && rest[3] == 'D' &&
             ParseDigits(rest.substr(0, 2), &a) && ParseDigits(rest.substr(4), &b)) {
    form = Form::kTenDay;
  } else if (rest.size() == 5 && rest[2] == '-' && ParseDigits(rest.substr(0, 2), &a) &&
             ParseDigits(rest.substr(3), &b)) {
    form = Form::kDay;
  } else {
    return NotRecognised(text);
  }

  if (year < kMinYear || year > kMaxYear) {
    return Invalid(text, absl::StrFormat("is out of range: years run %d..%d", kMinYear, kMaxYear));
  }

  switch (form) {
    case Form::kYear:
      return Containing(PeriodKind::kYear, absl::CivilDay(year, 1, 1));
    case Form::kHalf:
      if (a < 1 || a > 2) return Invalid(text, "is not a half-year: halves run H1..H2");
      return Containing(PeriodKind::kHalf, absl::CivilDay(year, 6 * (a - 1) + 1, 1));
    case Form::kQuarter:
      if (a < 1 || a > 4) return Invalid(text, "is not a quarter: quarters run Q1..Q4");
      return Containing(PeriodKind::kQuarter, absl::CivilDay(year, 3 * (a - 1) + 1, 1));
    case Form::kWeek: {
      const int weeks = IsoWeeksInYear(year);
      if (a == 53 && weeks == 52) {
        return Invalid(text, absl::StrFormat("does not exist: %d has 52 ISO weeks", year));
      }
      if (a < 1 || a > weeks) {
        return Invalid(
            text, absl::StrFormat("is not an ISO week: weeks of %d run W01..W%02d", year, weeks));
      }
      return Containing(PeriodKind::kWeek, IsoWeekMonday(year, a));
    }
    case Form::kMonth:
      if (a < 1 || a > 12) return Invalid(text, "is not a month: months run 01..12");
      return Containing(PeriodKind::kMonth, absl::CivilDay(year, a, 1));
    case Form::kTenDay:
      if (a < 1 || a > 12) return Invalid(text, "is not a ten-day period: months run 01..12");
      if (b < 1 || b > 3) {
        return Invalid(text,
                       "is not a ten-day period: D1 is days 01..10, D2 is 11..20 and D3 is "
                       "21..end of month");
      }
      return Containing(PeriodKind::kTenDay, absl::CivilDay(year, a, 10 * (b - 1) + 1));
    case Form::kDay: {
      if (a < 1 || a > 12) return Invalid(text, "is not a day: months run 01..12");
      const int days = DaysInMonth(year, a);
      if (b < 1 || b > days) {
        return Invalid(text, absl::StrFormat("is not a day: %s %d has %d days", kMonthNames[a - 1],
                                             year, days));
      }
      return Containing(PeriodKind::kDay, absl::CivilDay(year, a, b));
    }
  }
  return NotRecognised(text);
}

Period Period::Containing(PeriodKind kind, absl::CivilDay day) {
  const int64_t y = day.year();
  const int m = day.month();
  switch (kind) {
    case PeriodKind::kDay:
      return Period(kind, day, day);
    case PeriodKind::kTenDay: {
      const int index = std::min((day.day() - 1) / 10, 2);
      const absl::CivilDay first(y, m, 10 * index + 1);
      const absl::CivilDay last = index < 2 ? first + 9 : LastDayOfMonth(absl::CivilYear(y), m);
      return Period(kind, first, last);
    }
    case PeriodKind::kWeek: {
      const absl::CivilDay monday = day - WeekdayIndex(day);
      return Period(kind, monday, monday + 6);
    }
    case PeriodKind::kMonth:
      return Period(kind, absl::CivilDay(y, m, 1), LastDayOfMonth(absl::CivilYear(y), m));
    case PeriodKind::kQuarter:
    case PeriodKind::kHalf: {
      const int months = kind == PeriodKind::kQuarter ? 3 : 6;
      const int first_month = (m - 1) / months * months + 1;
      const absl::CivilMonth start(y, first_month);
      return Period(kind, absl::CivilDay(start), absl::CivilDay(start + months) - 1);
    }
    case PeriodKind::kYear:
      return Period(kind, absl::CivilDay(y, 1, 1), absl::CivilDay(y, 12, 31));
  }
  return Period(PeriodKind::kDay, day, day);
}

Period Period::Containing(PeriodKind kind, absl::Time t, absl::TimeZone tz) {
  return Containing(kind, absl::ToCivilDay(t, tz));
}

int Period::days() const { return static_cast<int>(last_ - first_ + 1); }

std::string Period::ToString() const {
  const int64_t y = first_.year();
  const int m = first_.month();
  switch (kind_) {
    case PeriodKind::kDay:
      return absl::StrFormat("%04d-%02d-%02d", y, m, first_.day());
    case PeriodKind::kTenDay:
      return absl::StrFormat("%04d-%02d-D%d", y, m, (first_.day() - 1) / 10 + 1);
    case PeriodKind::kWeek: {
      const IsoWeek w = IsoWeekOf(first_);
      return absl::StrFormat("%04d-W%02d", w.year, w.week);
    }
    case PeriodKind::kMonth:
      return absl::StrFormat("%04d-%02d", y, m);
    case PeriodKind::kQuarter:
      return absl::StrFormat("%04d-Q%d", y, (m - 1) / 3 + 1);
    case PeriodKind::kHalf:
      return absl::StrFormat("%04d-H%d", y, (m - 1) / 6 + 1);
    case PeriodKind::kYear:
      return absl::StrFormat("%04d", y);
  }
  return "";
}

bool Period::Contains(absl::Time t, absl::TimeZone tz) const {
  return Contains(absl::ToCivilDay(t, tz));
}

absl::Time Period::StartTime(absl::TimeZone tz) const { return StartOfDay(first_, tz); }

absl::Time Period::EndTime(absl::TimeZone tz) const { return StartOfDay(last_ + 1, tz); }

Period Period::Previous() const { return Containing(kind_, first_ - 1); }

Period Period::Next() const { return Containing(kind_, last_ + 1); }

Period Period::SameLastYear() const {
  const int64_t y = first_.year() - 1;
  const int m = first_.month();
  switch (kind_) {
    case PeriodKind::kDay:
      // February 29th maps to February 28th of a common year.
      return Containing(kind_, absl::CivilDay(y, m, std::min(first_.day(), DaysInMonth(y, m))));
    case PeriodKind::kWeek: {
      const IsoWeek w = IsoWeekOf(first_);
      const int week = std::min(w.week, IsoWeeksInYear(w.year - 1));
      return Containing(kind_, IsoWeekMonday(w.year - 1, week));
    }
    case PeriodKind::kTenDay:  // first day is 1, 11 or 21: valid in every month
    case PeriodKind::kMonth:
    case PeriodKind::kQuarter:
    case PeriodKind::kHalf:
    case PeriodKind::kYear:
      return Containing(kind_, absl::CivilDay(y, m, first_.day()));
  }
  return *this;
}

absl::StatusOr<std::vector<Period>> Period::Split(PeriodKind child) const {
  const std::vector<PeriodKind> allowed = AllowedChildren(kind_);
  if (std::find(allowed.begin(), allowed.end(), child) == allowed.end()) {
    return SplitError(kind_, child);
  }
  std::vector<Period> parts;
  for (absl::CivilDay day = first_; day <= last_;) {
    parts.push_back(Containing(child, day));
    day = parts.back().last_ + 1;
  }
  return parts;
}

absl::StatusOr<absl::TimeZone> LoadTimeZone(absl::string_view name) {
  absl::TimeZone tz;
  if (name.empty() || !absl::LoadTimeZone(name, &tz)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time zone ", Quote(name), " is not known: use an IANA name such as \"Asia/Shanghai\""));
  }
  return tz;
}

}  // namespace attain
