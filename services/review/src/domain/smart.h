// The SMART check of an action item on submission (DOMAIN.md §8): specific,
// measurable, assignable, realistic, time-bound. An item that fails is
// returned with every reason, each naming the field to fix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace attain::review {

// What the item should achieve: a metric, a scope, a value, by a period
// (e.g. collection_rate of the East team to 9500 bp by 2025-Q3), or at least
// a quantified text.
struct ExpectedResult {
  std::string text;                     // e.g. "collection rate back to 95 % by September"
  std::optional<std::string> metric;    // metric name (common/metric.h), e.g. "collection_rate"
  std::optional<std::string> scope;     // whose figure: a rep or unit id
  std::optional<int64_t> target_value;  // in the metric's unit (ratios in bp, money in minor units)
  std::optional<std::string> period;    // canonical period (common/period.h), e.g. "2025-Q3"
  // Whether less is better (deal_cycle_days, churn_rate). A catalogue
  // metric's own flag (common/metric.h) wins over this one; it matters for a
  // metric outside the catalogue or a result without a metric.
  bool lower_is_better = false;
};

// An action item as submitted, with the facts the check needs.
struct SmartInput {
  std::string what;                      // the title: what will be done
  std::string measures;                  // how: the concrete measures
  std::vector<std::string> departments;  // responsible department(s)
  std::string owner_id;
  std::optional<absl::CivilDay> due;
  ExpectedResult expected;
  // The current actual of expected.metric over expected.scope, in the
  // metric's unit, when known: the base the REALISTIC bound is measured from.
  std::optional<int64_t> current_actual;
  // The day of the next review meeting, when one is scheduled: the item is
  // reviewed there, so it must be due by then.
  std::optional<absl::CivilDay> next_review;
};

// The bounds of the check; the defaults are the house rules.
struct SmartPolicy {
  // SPECIFIC: the title has at least this many words. A word is a run of
  // ASCII characters between spaces that holds a letter or digit; in text
  // without spaces (Chinese) every 2 characters count as one word, so
  // "提升华东区回款率" (8 characters) is 4 words and "提升回款" is 2.
  int64_t min_title_words = 3;
  // REALISTIC, higher-is-better: the target may be at most this much above a
  // positive current actual (10000 = +100 %, i.e. at most double it).
  int64_t max_increase_bp = 10000;
  // REALISTIC, lower-is-better: the target may be at most this much below a
  // positive current actual (5000 = −50 %, i.e. at least half of it).
  int64_t max_decrease_bp = 5000;
};

enum class SmartCode { kSpecific, kMeasurable, kAssignable, kRealistic, kTimeBound };

// "SPECIFIC", "MEASURABLE", "ASSIGNABLE", "REALISTIC", "TIME_BOUND".
absl::string_view SmartCodeName(SmartCode code);

struct SmartFailure {
  SmartCode code;
  std::string field;    // the field to fix, e.g. "what", "expected_result.target_value"
  std::string message;  // starts with the field, says what is wrong and what to do
};

// Every failing reason, in SMART order (several per letter possible); an
// empty list means the item passes. The rules:
//   SPECIFIC    `what` has fewer than min_title_words words; `measures` is blank.
//   MEASURABLE  with expected.metric: the metric is in the catalogue
//               (common/metric.h) and both target_value and a valid period
//               are given; without a metric: expected.text holds a number
//               (an ASCII or full-width digit), e.g. "回款率提升到95%".
//   ASSIGNABLE  owner_id is blank; no department, or a blank one.
//   REALISTIC   target_value <= 0 for a higher-is-better metric, < 0 for a
//               lower-is-better one; with a positive current_actual, a
//               target more than max_increase_bp above it (higher-is-better)
//               or more than max_decrease_bp below it (lower-is-better). With
//               no current actual, or one <= 0, there is no base to measure
//               a step from and only the sign rule applies.
//   TIME_BOUND  no due date; due before `today` (due today is fine); due
//               after next_review.
std::vector<SmartFailure> CheckSmart(const SmartInput& item, absl::CivilDay today,
                                     const SmartPolicy& policy = {});

// As above with today read from `clock` in the tenant's time zone `tz`.
std::vector<SmartFailure> CheckSmart(const SmartInput& item, const Clock& clock, absl::TimeZone tz,
                                     const SmartPolicy& policy = {});

// The number of words in `text` as SmartPolicy::min_title_words counts them.
int64_t CountWords(absl::string_view text);

}  // namespace attain::review
