// Calendar periods of DOMAIN.md §2, in a tenant's time zone.
//
// Canonical text forms (used in APIs, keys and logs):
//   year      "2024"            half     "2024-H2"        quarter "2024-Q3"
//   month     "2024-09"         10-day   "2024-09-D2"     (D1 = days 1–10,
//   ISO week  "2024-W37"                                   D2 = 11–20, D3 = 21–end)
//   day       "2024-09-15"
// A Period is a value type: kind + first and last civil day (inclusive).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace attain {

enum class PeriodKind { kDay, kTenDay, kWeek, kMonth, kQuarter, kHalf, kYear };

// "day", "ten_day", "week", "month", "quarter", "half", "year".
absl::string_view PeriodKindName(PeriodKind kind);
absl::StatusOr<PeriodKind> ParsePeriodKind(absl::string_view name);

class Period {
 public:
  // Parses a canonical form. Errors are INVALID_ARGUMENT with a message a person
  // can act on, e.g. `period "2024-13" is not a month: months run 01..12`.
  static absl::StatusOr<Period> Parse(absl::string_view text);

  // The period of `kind` containing `day`.
  static Period Containing(PeriodKind kind, absl::CivilDay day);
  // The period of `kind` containing instant `t` as seen in time zone `tz`
  // (23:30 in Asia/Shanghai belongs to that day there).
  static Period Containing(PeriodKind kind, absl::Time t, absl::TimeZone tz);

  PeriodKind kind() const { return kind_; }
  absl::CivilDay first_day() const { return first_; }
  absl::CivilDay last_day() const { return last_; }
  int days() const;  // number of days, inclusive

  // Canonical text form; Parse(p.ToString()) == p.
  std::string ToString() const;

  bool Contains(absl::CivilDay day) const { return first_ <= day && day <= last_; }
  bool Contains(absl::Time t, absl::TimeZone tz) const;
  // True when `other` lies entirely inside this period.
  bool Contains(const Period& other) const {
    return first_ <= other.first_ && other.last_ <= last_;
  }
  // [start, end) instants of the period in `tz` (midnight to midnight local time).
  absl::Time StartTime(absl::TimeZone tz) const;
  absl::Time EndTime(absl::TimeZone tz) const;

  // The period of the same kind just before (MoM/QoQ/WoW…).
  Period Previous() const;
  Period Next() const;
  // The same period a year earlier (YoY): 2024-Q3 → 2023-Q3, 2024-W37 → 2023-W37
  // (an ISO week 53 maps to week 52 when the earlier year has none), 2024-02-29 →
  // 2023-02-28, 2024-02-D3 → 2023-02-D3.
  Period SameLastYear() const;

  // The periods of `child` kind that exactly tile this one, in order, e.g.
  // 2024-Q1 → months 2024-01, 2024-02, 2024-03. INVALID_ARGUMENT when `child`
  // does not tile this kind (weeks do not tile months; a child must be strictly
  // finer). Allowed: year→half/quarter/month/day, half→quarter/month/day,
  // quarter→month/day, month→ten_day/day, ten_day→day, week→day.
  absl::StatusOr<std::vector<Period>> Split(PeriodKind child) const;

  friend bool operator==(const Period& a, const Period& b) {
    return a.kind_ == b.kind_ && a.first_ == b.first_;
  }
  friend bool operator!=(const Period& a, const Period& b) { return !(a == b); }
  friend bool operator<(const Period& a, const Period& b) {
    return a.first_ != b.first_ ? a.first_ < b.first_ : a.kind_ < b.kind_;
  }

 private:
  Period(PeriodKind kind, absl::CivilDay first, absl::CivilDay last)
      : kind_(kind), first_(first), last_(last) {}
  PeriodKind kind_;
  absl::CivilDay first_;
  absl::CivilDay last_;
};

// Loads a time zone by IANA name ("Asia/Shanghai"); INVALID_ARGUMENT if unknown.
absl::StatusOr<absl::TimeZone> LoadTimeZone(absl::string_view name);

}  // namespace attain
