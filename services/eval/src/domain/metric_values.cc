#include "services/eval/src/domain/metric_values.h"

#include <cstdint>
#include <optional>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/metric.h"
#include "common/status.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {
namespace {

// numerator × scale / denominator, or no data when the denominator is not
// positive (a net-negative denominator has no meaning as a base).
absl::StatusOr<std::optional<int64_t>> Quotient(absl::int128 numerator, absl::int128 denominator,
                                                int64_t scale) {
  if (denominator <= 0) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t value, DivideRoundHalfUp(numerator * scale, denominator));
  return std::optional<int64_t>(value);
}

absl::StatusOr<int64_t> Need(const std::optional<int64_t>& value, absl::string_view metric,
                             absl::string_view field) {
  if (!value.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(metric, " needs ", field, ", which the components do not carry"));
  }
  return *value;
}

// Unit scales of the quotients.
constexpr int64_t kBasisPoints = 10000;  // ratios
constexpr int64_t kHundredths = 100;     // scores, days
constexpr int64_t kAsIs = 1;             // money per item

}  // namespace

absl::StatusOr<std::optional<int64_t>> MetricValue(int metric, const Components& c,
                                                   const ExtraInputs& extra) {
  ASSIGN_OR_RETURN(MetricInfo info, LookupMetric(metric));
  const absl::string_view name = info.name;
  switch (metric) {
    case 1:  // sales_amount
      return std::optional<int64_t>(c.sales_amount);
    case 2:  // order_count
      return std::optional<int64_t>(c.order_count);
    case 3:  // average_order_value
      return Quotient(c.sales_amount, c.order_count, kAsIs);
    case 4:  // gross_profit
      return std::optional<int64_t>(c.gross_profit);
    case 5:  // profit_contribution_rate
      return Quotient(c.gross_profit, c.sales_amount, kBasisPoints);
    case 6:  // collected_amount
      return std::optional<int64_t>(c.collected_amount);
    case 7:  // collection_rate
      return Quotient(c.collected_amount, c.receivable_due, kBasisPoints);
    case 8: {  // overdue_receivable_share
      ASSIGN_OR_RETURN(int64_t overdue, Need(extra.overdue_receivable, name, "overdue_receivable"));
      ASSIGN_OR_RETURN(int64_t total, Need(extra.total_receivable, name, "total_receivable"));
      return Quotient(overdue, total, kBasisPoints);
    }
    case 9:  // new_customers
      return std::optional<int64_t>(c.new_customers);
    case 10: {  // new_customer_first_order_amount
      ASSIGN_OR_RETURN(int64_t sales, Need(extra.new_customer_first_month_sales, name,
                                           "new_customer_first_month_sales"));
      return Quotient(sales, c.new_customers, kAsIs);
    }
    case 11: {  // repurchase_rate
      ASSIGN_OR_RETURN(int64_t repeat, Need(extra.repeat_customers, name, "repeat_customers"));
      ASSIGN_OR_RETURN(int64_t active, Need(extra.active_customers, name, "active_customers"));
      return Quotient(repeat, active, kBasisPoints);
    }
    case 12:  // visits
      return std::optional<int64_t>(c.visits);
    case 13:  // effective_visits
      return std::optional<int64_t>(c.effective_visits);
    case 14:  // opportunities_won
      return std::optional<int64_t>(c.opportunities_won);
    case 15:  // opportunity_conversion_rate
      return Quotient(c.opportunities_won, absl::int128(c.opportunities_won) + c.opportunities_lost,
                      kBasisPoints);
    case 16:  // deal_cycle_days
      return Quotient(c.won_cycle_days, c.opportunities_won, kHundredths);
    case 17:  // report_timeliness_rate
      return Quotient(c.reports_on_time, absl::int128(c.reports_on_time) + c.reports_late,
                      kBasisPoints);
    case 18:  // follow_up_timeliness_rate
      return Quotient(absl::int128(c.visits) - c.follow_ups_late, c.visits, kBasisPoints);
    case 19:  // customer_satisfaction
      return Quotient(c.satisfaction_sum, c.satisfaction_count, kHundredths);
    case 20:  // collaboration_score
      return Quotient(c.collaboration_sum, c.collaboration_count, kHundredths);
    case 21:  // knowledge_sharing
      return std::optional<int64_t>(c.knowledge_sharing);
    case 22: {  // churn_rate
      ASSIGN_OR_RETURN(int64_t churned, Need(extra.churned_customers, name, "churned_customers"));
      ASSIGN_OR_RETURN(int64_t previous,
                       Need(extra.previous_active_customers, name, "previous_active_customers"));
      return Quotient(churned, previous, kBasisPoints);
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, " has no formula from components yet"));
  }
}

}  // namespace attain::eval
