#include "common/metric.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace attain {
namespace {

constexpr std::array<MetricInfo, 22> kMetrics = {{
    {1, "sales_amount", MetricUnit::kMoney, true, false},
    {2, "order_count", MetricUnit::kCount, true, false},
    {3, "average_order_value", MetricUnit::kMoney, false, false},
    {4, "gross_profit", MetricUnit::kMoney, true, false},
    {5, "profit_contribution_rate", MetricUnit::kRatio, false, false},
    {6, "collected_amount", MetricUnit::kMoney, true, false},
    {7, "collection_rate", MetricUnit::kRatio, false, false},
    {8, "overdue_receivable_share", MetricUnit::kRatio, false, true},
    {9, "new_customers", MetricUnit::kCount, true, false},
    {10, "new_customer_first_order_amount", MetricUnit::kMoney, false, false},
    {11, "repurchase_rate", MetricUnit::kRatio, false, false},
    {12, "visits", MetricUnit::kCount, true, false},
    {13, "effective_visits", MetricUnit::kCount, true, false},
    {14, "opportunities_won", MetricUnit::kCount, true, false},
    {15, "opportunity_conversion_rate", MetricUnit::kRatio, false, false},
    {16, "deal_cycle_days", MetricUnit::kDays, false, true},
    {17, "report_timeliness_rate", MetricUnit::kRatio, false, false},
    {18, "follow_up_timeliness_rate", MetricUnit::kRatio, false, false},
    {19, "customer_satisfaction", MetricUnit::kScore, false, false},
    {20, "collaboration_score", MetricUnit::kScore, false, false},
    {21, "knowledge_sharing", MetricUnit::kCount, true, false},
    {22, "churn_rate", MetricUnit::kRatio, false, true},
}};

}  // namespace

absl::StatusOr<MetricInfo> LookupMetric(int number) {
  for (const MetricInfo& m : kMetrics) {
    if (m.number == number) return m;
  }
  if (number == 0) return absl::InvalidArgumentError("metric is required");
  return absl::InvalidArgumentError(absl::StrCat("unknown metric ", number));
}

absl::StatusOr<MetricInfo> LookupMetricByName(absl::string_view name) {
  for (const MetricInfo& m : kMetrics) {
    if (m.name == name) return m;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown metric \"", name,
                   "\": use a name like sales_amount, collected_amount, gross_profit, "
                   "order_count, new_customers, visits, collection_rate"));
}

}  // namespace attain
