#include "services/eval/src/domain/metric_values.h"

#include <optional>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::eval {
namespace {

using ::testing::HasSubstr;

// attain.type.v1.Metric numbers.
enum : int {
  kSalesAmount = 1,
  kOrderCount = 2,
  kAverageOrderValue = 3,
  kGrossProfit = 4,
  kProfitContributionRate = 5,
  kCollectedAmount = 6,
  kCollectionRate = 7,
  kOverdueReceivableShare = 8,
  kNewCustomers = 9,
  kNewCustomerFirstOrderAmount = 10,
  kRepurchaseRate = 11,
  kVisits = 12,
  kEffectiveVisits = 13,
  kOpportunitiesWon = 14,
  kOpportunityConversionRate = 15,
  kDealCycleDays = 16,
  kReportTimelinessRate = 17,
  kFollowUpTimelinessRate = 18,
  kCustomerSatisfaction = 19,
  kCollaborationScore = 20,
  kKnowledgeSharing = 21,
  kChurnRate = 22,
};

std::optional<int64_t> Value(int metric, const Components& c, const ExtraInputs& e = {}) {
  absl::StatusOr<std::optional<int64_t>> v = MetricValue(metric, c, e);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : std::nullopt;
}

Components Month() {
  Components c;
  c.sales_amount = 55000000;  // 550,000.00
  c.order_count = 4;
  c.gross_profit = 13750000;
  c.collected_amount = 8550000;
  c.receivable_due = 9000000;
  c.new_customers = 3;
  c.visits = 40;
  c.effective_visits = 31;
  c.follow_ups_late = 2;
  c.opportunities_won = 3;
  c.opportunities_lost = 9;
  c.won_cycle_days = 100;
  c.satisfaction_sum = 276;  // 92 + 90 + 94
  c.satisfaction_count = 3;
  c.collaboration_sum = 13;  // 4 + 4 + 5
  c.collaboration_count = 3;
  c.knowledge_sharing = 2;
  c.reports_on_time = 19;
  c.reports_late = 1;
  return c;
}

TEST(MetricValueTest, SumsAndCountsAreTheComponents) {
  const Components c = Month();
  EXPECT_EQ(Value(kSalesAmount, c), 55000000);
  EXPECT_EQ(Value(kOrderCount, c), 4);
  EXPECT_EQ(Value(kGrossProfit, c), 13750000);
  EXPECT_EQ(Value(kCollectedAmount, c), 8550000);
  EXPECT_EQ(Value(kNewCustomers, c), 3);
  EXPECT_EQ(Value(kVisits, c), 40);
  EXPECT_EQ(Value(kEffectiveVisits, c), 31);
  EXPECT_EQ(Value(kOpportunitiesWon, c), 3);
  EXPECT_EQ(Value(kKnowledgeSharing, c), 2);
  // Zero is a value for sums and counts, never "no data".
  EXPECT_EQ(Value(kSalesAmount, Components{}), 0);
  EXPECT_EQ(Value(kVisits, Components{}), 0);
}

TEST(MetricValueTest, QuotientsInTheirUnits) {
  const Components c = Month();
  EXPECT_EQ(Value(kAverageOrderValue, c), 13750000);      // 55,000,000 / 4 minor units
  EXPECT_EQ(Value(kProfitContributionRate, c), 2500);     // 13.75M / 55M = 25.00 %
  EXPECT_EQ(Value(kCollectionRate, c), 9500);             // 8.55M / 9M = 95.00 %
  EXPECT_EQ(Value(kOpportunityConversionRate, c), 2500);  // 3 / (3 + 9)
  EXPECT_EQ(Value(kDealCycleDays, c), 3333);              // 100 / 3 = 33.33 days
  EXPECT_EQ(Value(kReportTimelinessRate, c), 9500);       // 19 / 20
  EXPECT_EQ(Value(kFollowUpTimelinessRate, c), 9500);     // (40 − 2) / 40
  EXPECT_EQ(Value(kCustomerSatisfaction, c), 9200);       // 276 / 3 = 92.00
  EXPECT_EQ(Value(kCollaborationScore, c), 433);          // 13 / 3 = 4.333 → 4.33
}

TEST(MetricValueTest, RoundsHalfUp) {
  Components c;
  c.collaboration_sum = 9;  // 4.5 exactly → 450
  c.collaboration_count = 2;
  c.won_cycle_days = 5;  // 2.5 days → 250 hundredths
  c.opportunities_won = 2;
  c.sales_amount = 5;  // 5 / 2 = 2.5 minor units → 3
  c.order_count = 2;
  EXPECT_EQ(Value(kCollaborationScore, c), 450);
  EXPECT_EQ(Value(kDealCycleDays, c), 250);
  EXPECT_EQ(Value(kAverageOrderValue, c), 3);
  Components two_thirds;
  two_thirds.collaboration_sum = 14;  // 14 / 3 = 4.6667 → 467
  two_thirds.collaboration_count = 3;
  EXPECT_EQ(Value(kCollaborationScore, two_thirds), 467);
}

TEST(MetricValueTest, ZeroOrNegativeDenominatorsAreNoData) {
  const Components none;
  EXPECT_EQ(Value(kAverageOrderValue, none), std::nullopt);
  EXPECT_EQ(Value(kProfitContributionRate, none), std::nullopt);
  EXPECT_EQ(Value(kCollectionRate, none), std::nullopt);
  EXPECT_EQ(Value(kOpportunityConversionRate, none), std::nullopt);
  EXPECT_EQ(Value(kDealCycleDays, none), std::nullopt);
  EXPECT_EQ(Value(kReportTimelinessRate, none), std::nullopt);
  EXPECT_EQ(Value(kFollowUpTimelinessRate, none), std::nullopt);
  EXPECT_EQ(Value(kCustomerSatisfaction, none), std::nullopt);
  EXPECT_EQ(Value(kCollaborationScore, none), std::nullopt);
  // Cancellations left sales net negative: no meaningful profit rate.
  Components negative;
  negative.sales_amount = -100;
  negative.gross_profit = 10;
  EXPECT_EQ(Value(kProfitContributionRate, negative), std::nullopt);
  // But a zero numerator over a real denominator is a value: 0 %.
  Components lost;
  lost.opportunities_lost = 4;
  EXPECT_EQ(Value(kOpportunityConversionRate, lost), 0);
}

TEST(MetricValueTest, ExtraInputs) {
  ExtraInputs e;
  e.active_customers = 10;
  e.repeat_customers = 3;
  e.previous_active_customers = 8;
  e.churned_customers = 2;
  e.new_customer_first_month_sales = 1000000;
  e.overdue_receivable = 1;
  e.total_receivable = 3;
  const Components c = Month();                                  // 3 new customers
  EXPECT_EQ(Value(kRepurchaseRate, c, e), 3000);                 // 3 / 10
  EXPECT_EQ(Value(kChurnRate, c, e), 2500);                      // 2 / 8
  EXPECT_EQ(Value(kNewCustomerFirstOrderAmount, c, e), 333333);  // 1,000,000 / 3
  EXPECT_EQ(Value(kOverdueReceivableShare, c, e), 3333);         // 1 / 3
  ExtraInputs empty_base = e;
  empty_base.active_customers = 0;
  EXPECT_EQ(Value(kRepurchaseRate, c, empty_base), std::nullopt);
  EXPECT_EQ(Value(kNewCustomerFirstOrderAmount, Components{}, e), std::nullopt);
}

TEST(MetricValueTest, MissingExtraInputsAndUnknownMetricsAreErrors) {
  const Components c = Month();
  EXPECT_THAT(MetricValue(kRepurchaseRate, c).status().message(),
              HasSubstr("repurchase_rate needs repeat_customers"));
  EXPECT_THAT(MetricValue(kChurnRate, c).status().message(),
              HasSubstr("churn_rate needs churned_customers"));
  EXPECT_THAT(MetricValue(kNewCustomerFirstOrderAmount, c).status().message(),
              HasSubstr("new_customer_first_month_sales"));
  EXPECT_THAT(MetricValue(kOverdueReceivableShare, c).status().message(),
              HasSubstr("overdue_receivable"));
  EXPECT_EQ(MetricValue(0, c).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricValue(99, c).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace attain::eval
