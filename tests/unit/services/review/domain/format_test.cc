#include "services/review/src/domain/format.h"

#include <cstdint>
#include <limits>

#include "common/metric.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(FormatTest, Percent) {
  EXPECT_EQ(FormatPercent(9876), "98.76 %");
  EXPECT_EQ(FormatPercent(10000), "100.00 %");
  EXPECT_EQ(FormatPercent(5), "0.05 %");
  EXPECT_EQ(FormatPercent(0), "0.00 %");
  EXPECT_EQ(FormatPercent(-150), "-1.50 %");
  EXPECT_EQ(FormatPercent(1234567), "12,345.67 %");
  // |INT64_MIN| = 9,223,372,036,854,775,808 bp.
  EXPECT_EQ(FormatPercent(kMin), "-92,233,720,368,547,758.08 %");
}

TEST(FormatTest, GroupedAndHundredths) {
  EXPECT_EQ(FormatGrouped(0), "0");
  EXPECT_EQ(FormatGrouped(999), "999");
  EXPECT_EQ(FormatGrouped(1000), "1,000");
  EXPECT_EQ(FormatGrouped(-1234567), "-1,234,567");
  EXPECT_EQ(FormatGrouped(kMax), "9,223,372,036,854,775,807");
  EXPECT_EQ(FormatHundredths(450), "4.50");
  EXPECT_EQ(FormatHundredths(-5), "-0.05");
}

TEST(FormatTest, MoneyWithItsCurrency) {
  EXPECT_EQ(FormatMoney("CNY", 123456), "CNY 1,234.56");
  EXPECT_EQ(FormatMoney("CNY", -5), "CNY -0.05");
  EXPECT_EQ(FormatMoney("USD", 100000000), "USD 1,000,000.00");
}

TEST(FormatTest, MetricValuesInTheirUnit) {
  EXPECT_EQ(FormatMetricValue(MetricUnit::kMoney, "CNY", 123456), "CNY 1,234.56");
  EXPECT_EQ(FormatMetricValue(MetricUnit::kCount, "CNY", 1234567), "1,234,567");
  EXPECT_EQ(FormatMetricValue(MetricUnit::kRatio, "CNY", 9500), "95.00 %");
  EXPECT_EQ(FormatMetricValue(MetricUnit::kScore, "CNY", 450), "4.50");
  EXPECT_EQ(FormatMetricValue(MetricUnit::kDays, "CNY", 1250), "12.50 days");
}

TEST(FormatTest, GapsCarryTheirSign) {
  EXPECT_EQ(FormatMetricGap(MetricUnit::kMoney, "CNY", 100000), "CNY +1,000.00");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kMoney, "CNY", -123456), "CNY -1,234.56");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kMoney, "CNY", 0), "CNY 0.00");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kRatio, "CNY", -350), "-3.50 pp");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kCount, "CNY", 12), "+12");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kCount, "CNY", 0), "0");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kScore, "CNY", -25), "-0.25");
  EXPECT_EQ(FormatMetricGap(MetricUnit::kDays, "CNY", 150), "+1.50 days");
}

}  // namespace
}  // namespace attain::review
