#include "common/page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/metric.h"

namespace attain {
namespace {

using ::testing::HasSubstr;

TEST(PageToken, RoundTripsAndRejectsForeignTokens) {
  EXPECT_EQ(*DecodePageToken(EncodePageToken("unit-42")), "unit-42");
  EXPECT_EQ(*DecodePageToken(""), "");
  EXPECT_NE(EncodePageToken("unit-42"), "unit-42");  // opaque
  EXPECT_THAT(DecodePageToken("garbage!").status().message(), HasSubstr("page_token is not valid"));
  EXPECT_FALSE(DecodePageToken("dW5pdC00Mg").ok());  // base64 of "unit-42" without our prefix
}

TEST(PageToken, IsValidOnlyForTheListingThatIssuedIt) {
  const std::string token = EncodePageToken("t-9", "period=2025-Q1");
  EXPECT_EQ(*DecodePageToken(token, "period=2025-Q1"), "t-9");
  absl::StatusOr<std::string> other = DecodePageToken(token, "period=2025-Q2");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other.status().message(), HasSubstr("different listing"));
}

TEST(ResolvePageSize, DefaultsClampsAndRejectsNegative) {
  EXPECT_EQ(*ResolvePageSize(0, 100, 1000), 100);
  EXPECT_EQ(*ResolvePageSize(5, 100, 1000), 5);
  EXPECT_EQ(*ResolvePageSize(5000, 100, 1000), 1000);
  EXPECT_EQ(ResolvePageSize(-1, 100, 1000).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Metric, CatalogueKnowsUnitsAndAdditivity) {
  EXPECT_EQ(LookupMetric(1)->name, "sales_amount");
  EXPECT_TRUE(LookupMetric(1)->additive);
  EXPECT_EQ(LookupMetric(7)->unit, MetricUnit::kRatio);
  EXPECT_FALSE(LookupMetric(7)->additive);
  EXPECT_TRUE(LookupMetric(16)->lower_is_better);  // deal cycle
  EXPECT_EQ(LookupMetricByName("visits")->number, 12);
  EXPECT_THAT(LookupMetric(0).status().message(), HasSubstr("metric is required"));
  EXPECT_FALSE(LookupMetric(99).ok());
  EXPECT_FALSE(LookupMetricByName("sales").ok());
}

}  // namespace
}  // namespace attain
