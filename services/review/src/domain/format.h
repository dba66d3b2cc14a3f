// Text forms of the review domain's numbers, shared by the agenda's titles
// and the meeting pack: basis points as percent, integers with thousands
// separators, money from minor units with its currency code, metric values
// in their unit. Exact (no floating point); defined for the whole int64 range.
#pragma once

#include <cstdint>
#include <string>

#include "common/metric.h"

namespace attain::review {

// Basis points as a percentage with 2 decimals: 9876 → "98.76 %", -150 →
// "-1.50 %", 1234567 → "12,345.67 %".
std::string FormatPercent(int64_t bp);

// An integer with thousands separators: 1234567 → "1,234,567", -5 → "-5".
std::string FormatGrouped(int64_t value);

// Hundredths with 2 decimals and thousands separators: 450 → "4.50".
std::string FormatHundredths(int64_t hundredths);

// Money from minor units with its ISO currency code: ("CNY", 123456) →
// "CNY 1,234.56"; ("CNY", -5) → "CNY -0.05".
std::string FormatMoney(const std::string& currency, int64_t minor);

// A metric value in its unit: money as FormatMoney, counts grouped, ratios as
// percent, scores in hundredths ("4.50"), days in hundredths ("12.50 days").
std::string FormatMetricValue(MetricUnit unit, const std::string& currency, int64_t value);

// A difference of two metric values (actual − target) with an explicit sign,
// zero without one: money "CNY +1,000.00", ratios in percentage points
// ("-3.50 pp"), counts "+12", scores "-0.25", days "+1.50 days".
std::string FormatMetricGap(MetricUnit unit, const std::string& currency, int64_t gap);

}  // namespace attain::review
