#include "services/review/src/domain/smart.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/arithmetic.h"
#include "common/metric.h"
#include "common/period.h"
#include "services/review/src/domain/format.h"

namespace attain::review {
namespace {

bool IsBlank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

bool IsGiven(const std::optional<std::string>& s) { return s.has_value() && !IsBlank(*s); }

// True when `text` holds an ASCII digit or a full-width one (U+FF10..U+FF19,
// UTF-8 EF BC 90..99).
bool HasNumber(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') return true;
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBC) {
      const unsigned char d = static_cast<unsigned char>(text[i + 2]);
      if (d >= 0x90 && d <= 0x99) return true;
    }
  }
  return false;
}

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// Quotes user text in a message, shortened to keep the message readable.
std::string Quote(absl::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return absl::StrCat("\"", text, "\"");
  size_t cut = kMax;  // back up to a UTF-8 character boundary
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat("\"", text.substr(0, cut), "…\"");
}

class Failures {
 public:
  void Add(SmartCode code, std::string field, std::string message) {
    list_.push_back({code, std::move(field), std::move(message)});
  }
  std::vector<SmartFailure> Take() { return std::move(list_); }

 private:
  std::vector<SmartFailure> list_;
};

void CheckSpecific(const SmartInput& item, const SmartPolicy& policy, Failures& out) {
  const int64_t words = CountWords(item.what);
  if (words < policy.min_title_words) {
    out.Add(SmartCode::kSpecific, "what",
            absl::StrCat("what ", Quote(item.what), " has ", words, " word", words == 1 ? "" : "s",
                         ", fewer than ", policy.min_title_words,
                         ": say what will be done to what, e.g. \"call back every lapsed "
                         "customer in the East region\""));
  }
  if (IsBlank(item.measures)) {
    out.Add(SmartCode::kSpecific, "measures",
            "measures is empty: list the concrete measures that will be taken");
  }
}

// The catalogue entry of the expected result's metric, when it names a known one.
std::optional<MetricInfo> CheckMeasurable(const SmartInput& item, Failures& out) {
  const ExpectedResult& e = item.expected;
  if (!IsGiven(e.metric)) {
    if (!HasNumber(e.text)) {
      out.Add(SmartCode::kMeasurable, "expected_result",
              absl::StrCat("expected_result has no metric and its text ", Quote(e.text),
                           " holds no number: name a metric with a target value and a "
                           "period, or quantify the text, e.g. \"order value +15 % by "
                           "2025-Q3\""));
    }
    return std::nullopt;
  }
  std::optional<MetricInfo> info;
  absl::StatusOr<MetricInfo> found = LookupMetricByName(*e.metric);
  if (found.ok()) {
    info = *found;
  } else {
    out.Add(SmartCode::kMeasurable, "expected_result.metric",
            absl::StrCat("expected_result.metric: ", found.status().message()));
  }
  if (!e.target_value.has_value()) {
    out.Add(SmartCode::kMeasurable, "expected_result.target_value",
            absl::StrCat("expected_result.target_value is missing: give the value of ", *e.metric,
                         " to reach"));
  }
  if (!IsGiven(e.period)) {
    out.Add(SmartCode::kMeasurable, "expected_result.period",
            absl::StrCat("expected_result.period is missing: give the period by which ", *e.metric,
                         " reaches its value, e.g. 2025-Q3"));
  } else if (absl::StatusOr<Period> p = Period::Parse(*e.period); !p.ok()) {
    out.Add(SmartCode::kMeasurable, "expected_result.period",
            absl::StrCat("expected_result.period: ", p.status().message()));
  }
  return info;
}

void CheckAssignable(const SmartInput& item, Failures& out) {
  if (IsBlank(item.owner_id)) {
    out.Add(SmartCode::kAssignable, "owner_id",
            "owner_id is missing: name the person responsible for the item");
  }
  if (item.departments.empty()) {
    out.Add(SmartCode::kAssignable, "departments",
            "departments is empty: name the responsible department");
  }
  for (size_t i = 0; i < item.departments.size(); ++i) {
    if (IsBlank(item.departments[i])) {
      out.Add(SmartCode::kAssignable, absl::StrCat("departments[", i, "]"),
              absl::StrCat("departments[", i, "] is blank: name the department or remove it"));
    }
  }
}

void CheckRealistic(const SmartInput& item, const std::optional<MetricInfo>& info,
                    const SmartPolicy& policy, Failures& out) {
  const ExpectedResult& e = item.expected;
  if (!e.target_value.has_value()) return;
  const int64_t target = *e.target_value;
  const bool lower_is_better = info.has_value() ? info->lower_is_better : e.lower_is_better;
  if (!lower_is_better && target <= 0) {
    out.Add(SmartCode::kRealistic, "expected_result.target_value",
            absl::StrCat("expected_result.target_value is ", target,
                         ": a higher-is-better result needs a target above 0"));
    return;
  }
  if (lower_is_better && target < 0) {
    out.Add(SmartCode::kRealistic, "expected_result.target_value",
            absl::StrCat("expected_result.target_value is ", target,
                         ": a lower-is-better result cannot go below 0"));
    return;
  }
  if (!item.current_actual.has_value() || *item.current_actual <= 0) return;
  const int64_t actual = *item.current_actual;
  // The step from the current actual in bp, for the messages ("far" when
  // even that does not fit int64: a target of trillions of times the actual).
  const absl::StatusOr<int64_t> step_bp =
      DivideRoundHalfUp((absl::int128(target) - actual) * kFullAttainment, actual);
  const std::string step = step_bp.ok() ? (*step_bp > 0 ? absl::StrCat("+", FormatPercent(*step_bp))
                                                        : FormatPercent(*step_bp))
                                        : "far";
  if (!lower_is_better &&
      absl::int128(target) * kFullAttainment >
          absl::int128(actual) * (absl::int128(kFullAttainment) + policy.max_increase_bp)) {
    out.Add(SmartCode::kRealistic, "expected_result.target_value",
            absl::StrCat("expected_result.target_value ", target, " is ", step,
                         " over the current actual ", actual, ": more than +",
                         FormatPercent(policy.max_increase_bp),
                         " in one step is not realistic; aim lower or split it into steps"));
  }
  if (lower_is_better &&
      absl::int128(target) * kFullAttainment <
          absl::int128(actual) * (absl::int128(kFullAttainment) - policy.max_decrease_bp)) {
    out.Add(SmartCode::kRealistic, "expected_result.target_value",
            absl::StrCat("expected_result.target_value ", target, " is ", step,
                         " under the current actual ", actual, ": more than -",
                         FormatPercent(policy.max_decrease_bp),
                         " in one step is not realistic; aim higher or split it into steps"));
  }
}

void CheckTimeBound(const SmartInput& item, absl::CivilDay today, Failures& out) {
  if (!item.due.has_value()) {
    out.Add(SmartCode::kTimeBound, "due",
            "due is missing: give the date by which the item will be done");
    return;
  }
  if (*item.due < today) {
    out.Add(SmartCode::kTimeBound, "due",
            absl::StrCat("due ", Day(*item.due), " is before today ", Day(today),
                         ": give a date from today on"));
  }
  if (item.next_review.has_value() && *item.due > *item.next_review) {
    out.Add(SmartCode::kTimeBound, "due",
            absl::StrCat("due ", Day(*item.due), " is after the next review meeting on ",
                         Day(*item.next_review),
                         ": the item is reviewed there, so make it due by then"));
  }
}

}  // namespace

absl::string_view SmartCodeName(SmartCode code) {
  switch (code) {
    case SmartCode::kSpecific:
      return "SPECIFIC";
    case SmartCode::kMeasurable:
      return "MEASURABLE";
    case SmartCode::kAssignable:
      return "ASSIGNABLE";
    case SmartCode::kRealistic:
      return "REALISTIC";
    case SmartCode::kTimeBound:
      return "TIME_BOUND";
  }
  return "UNKNOWN";
}

int64_t CountWords(absl::string_view text) {
  int64_t ascii_words = 0;
  int64_t wide_chars = 0;
  bool in_token = false;
  bool token_has_alnum = false;
  auto end_token = [&] {
    if (in_token && token_has_alnum) ++ascii_words;
    in_token = false;
    token_has_alnum = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (absl::ascii_isspace(c)) {
        end_token();
      } else {
        in_token = true;
        token_has_alnum = token_has_alnum || absl::ascii_isalnum(c);
      }
      continue;
    }
    end_token();
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte of a character counted already
    // U+3000 (ideographic space, E3 80 80) separates like a space.
    if (c == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x80) {
      continue;
    }
    ++wide_chars;
  }
  end_token();
  return ascii_words + wide_chars / 2;
}

std::vector<SmartFailure> CheckSmart(const SmartInput& item, absl::CivilDay today,
                                     const SmartPolicy& policy) {
  Failures failures;
  CheckSpecific(item, policy, failures);
  const std::optional<MetricInfo> info = CheckMeasurable(item, failures);
  CheckAssignable(item, failures);
  CheckRealistic(item, info, policy, failures);
  CheckTimeBound(item, today, failures);
  return failures.Take();
}

std::vector<SmartFailure> CheckSmart(const SmartInput& item, const Clock& clock, absl::TimeZone tz,
                                     const SmartPolicy& policy) {
  return CheckSmart(item, absl::ToCivilDay(clock.Now(), tz), policy);
}

}  // namespace attain::review
