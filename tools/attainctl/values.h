// How attainctl spells metrics, scopes and metric values on the command line
// and in CSV files, and how it prints them back.
//
// Metrics are the lower-case enum names without the prefix ("sales_amount").
// Values are typed in the metric's natural unit and sent in the API's unit
// (attain/type/v1/metric.proto):
//   money   major units, "3,000,000.00"   → minor units (300000000)
//   count   a whole number, "1,200"       → 1200
//   ratio   a percentage, "95" or "95.5%" → basis points (9500, 9550)
//   score   up to 2 decimals, "4.5"       → hundredths (450)
//   days    up to 2 decimals, "32.5"      → hundredths (3250)
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "attain/type/v1/metric.pb.h"
#include "attain/type/v1/scope.pb.h"
#include "common/metric.h"

namespace attain::ctl {

using Metric = ::attain::type::v1::Metric;

// "sales_amount" → METRIC_SALES_AMOUNT. INVALID_ARGUMENT listing the valid
// names for anything else.
absl::StatusOr<Metric> ParseMetric(absl::string_view name);

// METRIC_SALES_AMOUNT → "sales_amount"; "unspecified" for METRIC_UNSPECIFIED.
std::string MetricName(Metric metric);

// Every metric name, comma-separated (for usage text and errors).
std::string MetricNames();

// The metric's unit, from the shared catalogue (common/metric.h); kCount for
// a metric the catalogue does not know.
MetricUnit UnitOf(Metric metric);

// "CNY" for money metrics, "" for the others.
std::string DefaultCurrency(Metric metric);

// Parses a value typed by a person into the metric's API unit (see above).
// INVALID_ARGUMENT naming the metric, the text and the expected form.
absl::StatusOr<int64_t> ParseMetricValue(Metric metric, absl::string_view text);

// Formats an API value for people: money "12,000,000.00", ratio "95.00%",
// score/days "4.50", count "1200".
std::string FormatMetricValue(Metric metric, int64_t value);

// "unit:east" / "rep:rep-e1-1" → Scope. INVALID_ARGUMENT otherwise.
absl::StatusOr<::attain::type::v1::Scope> ParseScope(absl::string_view text);

// Scope → "unit:east" / "rep:rep-e1-1".
std::string FormatScope(const ::attain::type::v1::Scope& scope);

}  // namespace attain::ctl
