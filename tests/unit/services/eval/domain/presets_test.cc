#include "services/eval/src/domain/presets.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/eval/src/domain/scorecard.h"

namespace attain::eval {
namespace {

IndicatorInput In(std::string id, std::optional<int64_t> target, std::optional<int64_t> actual) {
  IndicatorInput in;
  in.indicator_id = std::move(id);
  in.target = target;
  in.actual = actual;
  return in;
}

std::map<std::string, IndicatorResult> ById(const Scorecard& card) {
  std::map<std::string, IndicatorResult> by_id;
  for (const IndicatorResult& r : card.indicators) by_id[r.indicator_id] = r;
  return by_id;
}

TEST(PresetsTest, BothValidateWithTheSeedsWeights) {
  const ScorecardTemplate seed002 = *Seed002Template();
  EXPECT_TRUE(ValidateTemplate(seed002).ok());
  ASSERT_EQ(seed002.dimensions.size(), 4u);
  // 业绩达成40% 客户质量30% 过程管理20% 团队协作10%, in hundredths.
  EXPECT_EQ(seed002.dimensions[0].weight, 4000);
  EXPECT_EQ(seed002.dimensions[1].weight, 3000);
  EXPECT_EQ(seed002.dimensions[2].weight, 2000);
  EXPECT_EQ(seed002.dimensions[3].weight, 1000);
  // Sales attainment 20 + collection 12 + profit contribution 8 (DOMAIN.md §6).
  EXPECT_EQ(seed002.dimensions[0].indicators[0].points, 2000);
  EXPECT_EQ(seed002.dimensions[0].indicators[1].points, 1200);
  EXPECT_EQ(seed002.dimensions[0].indicators[2].points, 800);

  const ScorecardTemplate seed001 = *Seed001Template();
  EXPECT_TRUE(ValidateTemplate(seed001).ok());
  ASSERT_EQ(seed001.dimensions.size(), 2u);
  EXPECT_EQ(seed001.dimensions[0].weight, 7000);                // 定量 70 %
  EXPECT_EQ(seed001.dimensions[1].weight, 3000);                // 定性 30 %
  EXPECT_EQ(seed001.dimensions[0].indicators[0].points, 4000);  // 销售额达成率 40
  EXPECT_EQ(seed001.dimensions[0].indicators[1].points, 2000);  // 回款率 20
}

// A seed 002 rep for 2023-Q3 (the seed's table 1 targets), every sum by hand.
TEST(PresetsTest, Seed002QualifiedExample) {
  const std::vector<IndicatorInput> inputs = {
      // 1,200,000.00 of 1,000,000.00 = 120 % ≥ 100 %: 2000 × min(1.2, 1.5) = 2400.
      In("sales_attainment", 100000000, 120000000),
      // 85.50 % against the fixed 90 %: 8550/9000 = 95.00 % → one whole 5 %
      // step: 1200 − 200 = 1000.
      In("collection_rate", std::nullopt, 8550),
      // 20 % against 25 %: 80 % → linear 800 × 0.8 = 640.
      In("profit_contribution", std::nullopt, 2000),
      // 12 of 10 new customers (the seed's 12个(目标10个)): 1200 × 1.2 = 1440.
      In("new_customers", 10, 12),
      // 60,000.00 against 50,000.00: 120 % → 800 × 1.2 = 960.
      In("first_order_amount", 5000000, 6000000),
      // 42 % against 40 %: 4200/4000 = 105 % → 1000 × 1.05 = 1050.
      In("repurchase_rate", std::nullopt, 4200),
      // 45 of 40 visits (seed: 45次(目标40次)): 112.5 % → 800 × 1.125 = 900.
      In("effective_visits", 40, 45),
      // 20 % against 25 %: 80 % → 700 × 0.8 = 560.
      In("opportunity_conversion", std::nullopt, 2000),
      // 96 % on time: band [95 %, 100 %) pays 80 % of 500 = 400.
      In("report_timeliness", std::nullopt, 9600),
      // 4.20 mean rating: good (≥ 3.50, < 4.50) → 600 × 4/5 = 480.
      In("collaboration_score", std::nullopt, 420),
      // 3 of 2 talks: 150 % = the cap → 400 × 1.5 = 600.
      In("knowledge_sharing", 2, 3),
  };
  const Scorecard card = *ComputeScorecard(*Seed002Template(), inputs);
  auto r = ById(card);
  EXPECT_EQ(r["sales_attainment"].points, 2400);
  EXPECT_EQ(r["collection_rate"].attainment_bp, 9500);
  EXPECT_EQ(r["collection_rate"].gap, -450);  // 85.50 − 90.00 percentage points
  EXPECT_EQ(r["collection_rate"].points, 1000);
  EXPECT_EQ(r["profit_contribution"].points, 640);
  EXPECT_EQ(r["new_customers"].points, 1440);
  EXPECT_EQ(r["first_order_amount"].points, 960);
  EXPECT_EQ(r["repurchase_rate"].points, 1050);
  EXPECT_EQ(r["effective_visits"].points, 900);
  EXPECT_EQ(r["opportunity_conversion"].points, 560);
  EXPECT_EQ(r["report_timeliness"].points, 400);
  EXPECT_EQ(r["collaboration_score"].scale_level, "good");
  EXPECT_EQ(r["collaboration_score"].attainment_bp, 10500);  // 4.20 / 4.00
  EXPECT_EQ(r["collaboration_score"].points, 480);
  EXPECT_EQ(r["knowledge_sharing"].points, 600);

  ASSERT_EQ(card.dimensions.size(), 4u);
  EXPECT_EQ(card.dimensions[0].points, 4040);  // 2400 + 1000 + 640
  EXPECT_EQ(card.dimensions[1].points, 3450);  // 1440 + 960 + 1050
  EXPECT_EQ(card.dimensions[2].points, 1860);  // 900 + 560 + 400
  EXPECT_EQ(card.dimensions[3].points, 1080);  // 480 + 600
  EXPECT_EQ(card.total, 10430);                // 104.30 points: 90 ≤ 104.30 < 120
  EXPECT_EQ(card.grade, "qualified");
  EXPECT_EQ(card.grade_note, "standard bonus");
  EXPECT_EQ(card.strongest_indicator_id, "knowledge_sharing");  // 150 %
  // profit contribution and opportunity conversion both at 80 %: the earlier wins.
  EXPECT_EQ(card.weakest_indicator_id, "profit_contribution");
}

TEST(PresetsTest, Seed002NeedsImprovementWithMissingData) {
  IndicatorInput collab = In("collaboration_score", std::nullopt, std::nullopt);
  collab.scale_level = "pass";  // rated directly by the committee: 600 × 3/5 = 360
  const std::vector<IndicatorInput> inputs = {
      // 88 %: 12 % short → two whole steps → 2000 − 400 = 1600.
      In("sales_attainment", 100000000, 88000000),
      // No receivable was due: no data → 0.
      In("collection_rate", std::nullopt, std::nullopt),
      In("profit_contribution", std::nullopt, 2500),  // 100 % → 800
      In("new_customers", 10, 0),                     // 0 % → 0
      // No new customers, so no first-order amount: no data → 0.
      In("first_order_amount", 5000000, std::nullopt),
      In("repurchase_rate", std::nullopt, 4000),         // 100 % → 1000
      In("effective_visits", 40, 40),                    // 100 % → 800
      In("opportunity_conversion", std::nullopt, 2500),  // 100 % → 700
      In("report_timeliness", std::nullopt, 8900),       // band [0, 90 %) → 0
      collab,
      // The target service has no knowledge-sharing target: no target → 0.
      In("knowledge_sharing", std::nullopt, 1),
  };
  const Scorecard card = *ComputeScorecard(*Seed002Template(), inputs);
  auto r = ById(card);
  EXPECT_EQ(r["sales_attainment"].points, 1600);
  EXPECT_EQ(r["collection_rate"].status, IndicatorStatus::kNoData);
  EXPECT_EQ(r["first_order_amount"].status, IndicatorStatus::kNoData);
  EXPECT_EQ(r["knowledge_sharing"].status, IndicatorStatus::kNoTarget);
  EXPECT_EQ(r["collaboration_score"].points, 360);
  EXPECT_EQ(r["report_timeliness"].points, 0);
  // 1600 + 0 + 800 + 0 + 0 + 1000 + 800 + 700 + 0 + 360 + 0 = 5260.
  EXPECT_EQ(card.total, 5260);
  EXPECT_EQ(card.grade, "needs_improvement");
  EXPECT_EQ(card.grade_note, "coaching");
  EXPECT_EQ(card.strongest_indicator_id, "profit_contribution");  // first at 100 %
  EXPECT_EQ(card.weakest_indicator_id, "new_customers");          // 0 %
}

TEST(PresetsTest, Seed002ExcellentNeedsOverAchievement) {
  // Everything at its cap: 3000 + 1440 + 1200 + 2400 + 1200 + 1500 + 1200 +
  // 1050 + 500 + 600 + 600 = 14690 ≥ 12000.
  const Scorecard card = *ComputeScorecard(
      *Seed002Template(),
      {In("sales_attainment", 100, 150), In("collection_rate", std::nullopt, 10800),
       In("profit_contribution", std::nullopt, 3750), In("new_customers", 10, 20),
       In("first_order_amount", 100, 150), In("repurchase_rate", std::nullopt, 6000),
       In("effective_visits", 40, 60), In("opportunity_conversion", std::nullopt, 3750),
       In("report_timeliness", std::nullopt, 10000), In("collaboration_score", std::nullopt, 480),
       In("knowledge_sharing", 2, 3)});
  EXPECT_EQ(card.total, 14690);
  EXPECT_EQ(card.grade, "excellent");
  EXPECT_EQ(card.grade_note, "extra bonus");
}

// Seed 001 模板2 (月度销售绩效评估表, 2024年3月), first row: target 500,000,
// actual 550,000 (110 %), 3 new customers, 25 visits, collection 95 %,
// satisfaction 92 — graded 优秀 (excellent) by the seed.
TEST(PresetsTest, Seed001ExcellentRow) {
  const std::vector<IndicatorInput> inputs = {
      In("sales_attainment", 50000000, 55000000),  // 110 % → 4000 × 1.1 = 4400
      // Collection target 90 % (the target service's): 9500/9000 = 105.56 %
      // → 10556 bp, capped at 100 % → 2000.
      In("collection_rate", 9000, 9500), In("new_customers", 3, 3),  // 100 % → 500
      // 25 of 30: 83.33 % → 8333 bp → 500 × 0.8333 = 416.65 → 417.
      In("visits", 30, 25),
      In("customer_satisfaction", std::nullopt, 9200),  // 92 ≥ 90: excellent → 1200
      // 93 % of follow-ups within 24 h: band [90 %, 100 %) → 80 % of 800 = 640.
      In("process_compliance", std::nullopt, 9300),
      In("collaboration_score", std::nullopt, 380),  // 3.80: good → 1000 × 4/5 = 800
  };
  const Scorecard card = *ComputeScorecard(*Seed001Template(), inputs);
  auto r = ById(card);
  EXPECT_EQ(r["sales_attainment"].points, 4400);
  EXPECT_EQ(r["collection_rate"].attainment_bp, 10556);
  EXPECT_EQ(r["collection_rate"].points, 2000);
  EXPECT_EQ(r["new_customers"].points, 500);
  EXPECT_EQ(r["visits"].attainment_bp, 8333);
  EXPECT_EQ(r["visits"].points, 417);
  EXPECT_EQ(r["customer_satisfaction"].scale_level, "excellent");
  EXPECT_EQ(r["customer_satisfaction"].points, 1200);
  EXPECT_EQ(r["process_compliance"].points, 640);
  EXPECT_EQ(r["collaboration_score"].points, 800);
  EXPECT_EQ(card.dimensions[0].points, 7317);  // 4400 + 2000 + 500 + 417
  EXPECT_EQ(card.dimensions[1].points, 2640);  // 1200 + 640 + 800
  EXPECT_EQ(card.total, 9957);                 // 99.57 ≥ 90
  EXPECT_EQ(card.grade, "excellent");
}

// The second row: target 450,000, actual 360,000 (80 %), 2 new customers,
// 18 visits, collection 88 %, satisfaction 85 — graded 待改进 by the seed.
TEST(PresetsTest, Seed001NeedsImprovementRow) {
  const std::vector<IndicatorInput> inputs = {
      In("sales_attainment", 45000000, 36000000),  // 80 % → 3200
      // 8800/9000 = 97.78 % → 9778 bp → 2000 × 0.9778 = 1955.6 → 1956.
      In("collection_rate", 9000, 8800),
      // 2 of 3: 66.67 % → 6667 bp → 500 × 0.6667 = 333.35 → 333.
      In("new_customers", 3, 2), In("visits", 30, 18),  // 60 % → 300
      In("customer_satisfaction", std::nullopt, 8500),  // 85: good → 960
      In("process_compliance", std::nullopt, 8500),     // band [80 %, 90 %) → 50 % → 400
      In("collaboration_score", std::nullopt, 300),     // 3.00: pass → 600
  };
  const Scorecard card = *ComputeScorecard(*Seed001Template(), inputs);
  auto r = ById(card);
  EXPECT_EQ(r["collection_rate"].points, 1956);
  EXPECT_EQ(r["new_customers"].points, 333);
  EXPECT_EQ(r["customer_satisfaction"].scale_level, "good");
  // 3200 + 1956 + 333 + 300 + 960 + 400 + 600 = 7749: 77.49 < 80.
  EXPECT_EQ(card.total, 7749);
  EXPECT_EQ(card.grade, "needs_improvement");
  EXPECT_EQ(card.weakest_indicator_id, "visits");  // 60 %
}

}  // namespace
}  // namespace attain::eval
