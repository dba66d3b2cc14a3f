#include "tools/attainctl/values.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/metric.h"
#include "common/money.h"

namespace attain::ctl {
namespace {

namespace typev1 = ::attain::type::v1;

constexpr absl::string_view kMetricPrefix = "METRIC_";

// Parses a non-negative or negative decimal with at most `decimals` fraction
// digits into an integer scaled by 10^decimals. ',' may group the integer
// part's digits. `what` and `example` go into the error message.
absl::StatusOr<int64_t> ParseScaled(absl::string_view text, int decimals, absl::string_view what,
                                    absl::string_view example) {
  const auto bad = [&](absl::string_view problem) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s \"%s\" %s: write it like \"%s\"", what, text, problem, example));
  };
  absl::string_view rest = text;
  const bool negative = absl::ConsumePrefix(&rest, "-");
  if (rest.empty()) return bad("is empty");
  uint64_t magnitude = 0;
  constexpr uint64_t kLimit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const auto push = [&](char c) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (kLimit - digit) / 10) return false;
    magnitude = magnitude * 10 + digit;
    return true;
  };
  bool any_digit = false;
  std::size_t i = 0;
  for (; i < rest.size() && rest[i] != '.'; ++i) {
    const char c = rest[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      if (!push(c)) return bad("is too large");
      any_digit = true;
    } else if (c == ',' && any_digit && i + 1 < rest.size() &&
               absl::ascii_isdigit(static_cast<unsigned char>(rest[i + 1]))) {
      continue;
    } else {
      return bad(absl::StrFormat("has an unexpected character '%c'", c));
    }
  }
  int fraction_digits = 0;
  if (i < rest.size()) {  // rest[i] == '.'
    if (decimals == 0) return bad("must be a whole number");
    for (++i; i < rest.size(); ++i) {
      const char c = rest[i];
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return bad(absl::StrFormat("has an unexpected character '%c'", c));
      }
      if (++fraction_digits > decimals) {
        return bad(absl::StrFormat("has more than %d decimals", decimals));
      }
      if (!push(c)) return bad("is too large");
      any_digit = true;
    }
  }
  if (!any_digit) return bad("has no digits");
  for (; fraction_digits < decimals; ++fraction_digits) {
    if (!push('0')) return bad("is too large");
  }
  const int64_t value = static_cast<int64_t>(magnitude);
  return negative ? -value : value;
}

}  // namespace

absl::StatusOr<Metric> ParseMetric(absl::string_view name) {
  const std::string upper = absl::StrCat(kMetricPrefix, absl::AsciiStrToUpper(name));
  Metric metric = typev1::METRIC_UNSPECIFIED;
  if (name.empty() || !typev1::Metric_Parse(upper, &metric) ||
      metric == typev1::METRIC_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown metric \"%s\": use one of %s", name, MetricNames()));
  }
  return metric;
}

std::string MetricName(Metric metric) {
  absl::string_view name = typev1::Metric_Name(metric);
  if (name.empty()) return absl::StrCat("metric_", static_cast<int>(metric));
  absl::ConsumePrefix(&name, kMetricPrefix);
  return absl::AsciiStrToLower(name);
}

std::string MetricNames() {
  std::vector<std::string> names;
  for (int m = typev1::Metric_MIN; m <= typev1::Metric_MAX; ++m) {
    if (m == typev1::METRIC_UNSPECIFIED || !typev1::Metric_IsValid(m)) continue;
    names.push_back(MetricName(static_cast<Metric>(m)));
  }
  return absl::StrJoin(names, ", ");
}

MetricUnit UnitOf(Metric metric) {
  absl::StatusOr<MetricInfo> info = LookupMetric(static_cast<int>(metric));
  return info.ok() ? info->unit : MetricUnit::kCount;
}

std::string DefaultCurrency(Metric metric) {
  return UnitOf(metric) == MetricUnit::kMoney ? "CNY" : "";
}

absl::StatusOr<int64_t> ParseMetricValue(Metric metric, absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  const std::string what = absl::StrCat(MetricName(metric), " value");
  switch (UnitOf(metric)) {
    case MetricUnit::kMoney: {
      absl::StatusOr<int64_t> minor = ParseMinorUnits(text);
      if (!minor.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": ", minor.status().message()));
      }
      return minor;
    }
    case MetricUnit::kCount:
      return ParseScaled(text, 0, what, "1200");
    case MetricUnit::kRatio: {
      absl::string_view number = text;
      absl::ConsumeSuffix(&number, "%");
      return ParseScaled(absl::StripTrailingAsciiWhitespace(number), 2,
                         absl::StrCat(what, " (a percentage)"), "95.5");
    }
    case MetricUnit::kScore:
      return ParseScaled(text, 2, what, "4.5");
    case MetricUnit::kDays:
      return ParseScaled(text, 2, what, "32.5");
  }
  return absl::InternalError("unreachable");
}

std::string FormatMetricValue(Metric metric, int64_t value) {
  switch (UnitOf(metric)) {
    case MetricUnit::kMoney:
      return FormatMinorUnits(value);
    case MetricUnit::kCount:
      return absl::StrCat(value);
    case MetricUnit::kRatio:
      return absl::StrCat(FormatMinorUnits(value), "%");
    case MetricUnit::kScore:
    case MetricUnit::kDays:
      return FormatMinorUnits(value);
  }
  return absl::StrCat(value);
}

absl::StatusOr<typev1::Scope> ParseScope(absl::string_view text) {
  typev1::Scope scope;
  absl::string_view id = absl::StripAsciiWhitespace(text);
  if (absl::ConsumePrefix(&id, "unit:")) {
    scope.set_kind(typev1::SCOPE_KIND_UNIT);
  } else if (absl::ConsumePrefix(&id, "rep:")) {
    scope.set_kind(typev1::SCOPE_KIND_REP);
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "scope \"%s\" names neither a unit nor a rep: write \"unit:ID\" or \"rep:ID\"", text));
  }
  if (id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("scope \"%s\" has no id after the ':', e.g. \"unit:east\"", text));
  }
  scope.set_id(std::string(id));
  return scope;
}

std::string FormatScope(const typev1::Scope& scope) {
  switch (scope.kind()) {
    case typev1::SCOPE_KIND_UNIT:
      return absl::StrCat("unit:", scope.id());
    case typev1::SCOPE_KIND_REP:
      return absl::StrCat("rep:", scope.id());
    default:
      return scope.id();
  }
}

}  // namespace attain::ctl
