// Metric values from additive components (DOMAIN.md §3): every metric is a
// component or a quotient of summed components, never an average of ratios.
// Quotients are rounded half up (arithmetic.h) into the metric's unit: money
// in minor units, ratios in basis points, scores and days in hundredths.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"

namespace attain::eval {

// The components of attain.ingest.v1.Components (GetActualsResponse rows),
// summed over a period and scope. Money in minor units of the tenant currency.
struct Components {
  int64_t sales_amount = 0;         // Σ signed, not cancelled order amounts; minor units
  int64_t order_count = 0;          // those orders
  int64_t gross_profit = 0;         // Σ their gross profit; minor units
  int64_t collected_amount = 0;     // Σ payments received; minor units
  int64_t receivable_due = 0;       // Σ receivables due in the period; minor units
  int64_t new_customers = 0;        // customers whose first signed order is in the period
  int64_t visits = 0;               // follow-ups
  int64_t effective_visits = 0;     // follow-ups with content or feedback
  int64_t follow_ups_late = 0;      // follow-ups recorded more than 24 h after the contact
  int64_t opportunities_won = 0;    // won, by closed day
  int64_t opportunities_lost = 0;   // lost, by closed day
  int64_t won_cycle_days = 0;       // Σ (closed day − created day) of won ones; whole days
  int64_t satisfaction_sum = 0;     // Σ survey scores, each 0-100
  int64_t satisfaction_count = 0;   // surveys
  int64_t collaboration_sum = 0;    // Σ collaboration ratings, each 1-5
  int64_t collaboration_count = 0;  // ratings
  int64_t knowledge_sharing = 0;    // trainings/talks given or attended
  int64_t reports_on_time = 0;      // reports submitted by their deadline
  int64_t reports_late = 0;         // reports submitted after it
};

// Inputs that the components do not carry (ListCustomers counts, finance
// figures). nullopt = not fetched; a metric that needs one refuses to guess.
struct ExtraInputs {
  std::optional<int64_t> active_customers;  // customers with orders (repurchase denominator)
  std::optional<int64_t> repeat_customers;  // with >= 2 orders (repurchase numerator)
  std::optional<int64_t>
      previous_active_customers;             // active in the previous period (churn denominator)
  std::optional<int64_t> churned_customers;  // of those, no order now (churn numerator)
  std::optional<int64_t>
      new_customer_first_month_sales;         // new customers' first-month sales; minor units
  std::optional<int64_t> overdue_receivable;  // minor units
  std::optional<int64_t> total_receivable;    // minor units (overdue share denominator)
};

// The value of attain.type.v1.Metric `metric` in its unit, or nullopt for
// "no data": a quotient whose denominator is 0 or negative (no orders, no
// receivable due, no closed opportunities, no reports, no ratings …). Sums
// and counts are always values (0 is a value). INVALID_ARGUMENT for an
// unknown metric or when a needed ExtraInputs field is nullopt (naming it);
// OUT_OF_RANGE on overflow.
//
//   average_order_value       sales_amount / order_count               minor units
//   profit_contribution_rate  gross_profit / sales_amount              bp
//   collection_rate           collected_amount / receivable_due        bp
//   overdue_receivable_share  overdue_receivable / total_receivable    bp
//   new_customer_first_order_amount
//                             first_month_sales / new_customers        minor units
//   repurchase_rate           repeat_customers / active_customers      bp
//   opportunity_conversion_rate  won / (won + lost)                    bp
//   deal_cycle_days           won_cycle_days / won                     hundredths of a day
//   report_timeliness_rate    on_time / (on_time + late)               bp
//   follow_up_timeliness_rate (visits − follow_ups_late) / visits      bp
//   customer_satisfaction     satisfaction_sum / count                 hundredths (0-100 → 0-10000)
//   collaboration_score       collaboration_sum / count                hundredths (1-5 → 100-500)
//   churn_rate                churned / previous_active                bp
absl::StatusOr<std::optional<int64_t>> MetricValue(int metric, const Components& components,
                                                   const ExtraInputs& extra = {});

}  // namespace attain::eval
