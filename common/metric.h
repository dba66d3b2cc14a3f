// The metric catalogue (DOMAIN.md §3): for each attain.type.v1.Metric number,
// its name, unit and whether it is additive. Pure; shared by every service.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

// The unit a metric's int64 values are in (see protos/attain/type/v1/metric.proto).
enum class MetricUnit {
  kMoney,  // minor units
  kCount,  // a count
  kRatio,  // basis points: 9500 = 95.00 %
  kScore,  // hundredths: 450 = 4.50
  kDays,   // hundredths of a day
};

struct MetricInfo {
  int number;              // attain.type.v1.Metric value
  absl::string_view name;  // lower-case, e.g. "sales_amount"
  MetricUnit unit;
  bool additive;         // sums/counts: can be split and summed
  bool lower_is_better;  // deal cycle, churn, overdue share
};

// INVALID_ARGUMENT for 0 (unspecified) or an unknown number.
absl::StatusOr<MetricInfo> LookupMetric(int number);
// By lower-case name ("sales_amount"); INVALID_ARGUMENT listing a few names if unknown.
absl::StatusOr<MetricInfo> LookupMetricByName(absl::string_view name);

}  // namespace attain
