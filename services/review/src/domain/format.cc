#include "services/review/src/domain/format.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/arithmetic.h"

namespace attain::review {
namespace {

// `magnitude` with a comma every three digits.
std::string GroupDigits(uint64_t magnitude) {
  const std::string digits = absl::StrCat(magnitude);
  std::string out;
  for (size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out.push_back(',');
    out.push_back(digits[k]);
  }
  return out;
}

// Hundredths without the sign: 12345 → "123.45".
std::string UnsignedHundredths(uint64_t magnitude) {
  return absl::StrCat(GroupDigits(magnitude / 100),
                      absl::StrFormat(".%02d", static_cast<int>(magnitude % 100)));
}

absl::string_view Sign(int64_t value, bool explicit_plus) {
  if (value < 0) return "-";
  if (value > 0 && explicit_plus) return "+";
  return "";
}

// The number (no currency, no suffix) of a metric value, signed.
std::string Number(MetricUnit unit, int64_t value, bool explicit_plus) {
  const uint64_t m = Magnitude(value);
  const absl::string_view sign = Sign(value, explicit_plus);
  switch (unit) {
    case MetricUnit::kCount:
      return absl::StrCat(sign, GroupDigits(m));
    case MetricUnit::kMoney:
    case MetricUnit::kRatio:
    case MetricUnit::kScore:
    case MetricUnit::kDays:
      break;
  }
  return absl::StrCat(sign, UnsignedHundredths(m));
}

std::string WithUnit(MetricUnit unit, const std::string& currency, std::string number,
                     bool is_gap) {
  switch (unit) {
    case MetricUnit::kMoney:
      return absl::StrCat(currency, " ", number);
    case MetricUnit::kRatio:
      return absl::StrCat(number, is_gap ? " pp" : " %");
    case MetricUnit::kDays:
      return absl::StrCat(number, " days");
    case MetricUnit::kCount:
    case MetricUnit::kScore:
      break;
  }
  return number;
}

}  // namespace

std::string FormatPercent(int64_t bp) {
  return absl::StrCat(Sign(bp, false), UnsignedHundredths(Magnitude(bp)), " %");
}

std::string FormatGrouped(int64_t value) {
  return absl::StrCat(Sign(value, false), GroupDigits(Magnitude(value)));
}

std::string FormatHundredths(int64_t hundredths) {
  return absl::StrCat(Sign(hundredths, false), UnsignedHundredths(Magnitude(hundredths)));
}

std::string FormatMoney(const std::string& currency, int64_t minor) {
  return absl::StrCat(currency, " ", FormatHundredths(minor));
}

std::string FormatMetricValue(MetricUnit unit, const std::string& currency, int64_t value) {
  return WithUnit(unit, currency, Number(unit, value, false), false);
}

std::string FormatMetricGap(MetricUnit unit, const std::string& currency, int64_t gap) {
  return WithUnit(unit, currency, Number(unit, gap, true), true);
}

}  // namespace attain::review
