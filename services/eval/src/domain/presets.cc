#include "services/eval/src/domain/presets.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {
namespace {

// attain.type.v1.Metric numbers (common/metric.h).
constexpr int kSalesAmount = 1;
constexpr int kProfitContributionRate = 5;
constexpr int kCollectionRate = 7;
constexpr int kNewCustomers = 9;
constexpr int kNewCustomerFirstOrderAmount = 10;
constexpr int kRepurchaseRate = 11;
constexpr int kVisits = 12;
constexpr int kEffectiveVisits = 13;
constexpr int kOpportunityConversionRate = 15;
constexpr int kReportTimelinessRate = 17;
constexpr int kFollowUpTimelinessRate = 18;
constexpr int kCustomerSatisfaction = 19;
constexpr int kCollaborationScore = 20;
constexpr int kKnowledgeSharing = 21;

constexpr int64_t Points(int64_t whole) { return whole * kOnePoint; }
constexpr int64_t Percent(int64_t whole) { return whole * 100; }  // → basis points

Indicator Make(std::string id, std::string name, int metric, TargetSource source,
               std::optional<int64_t> fixed_target, int64_t points, ScoringRule rule) {
  Indicator indicator;
  indicator.id = std::move(id);
  indicator.name = std::move(name);
  indicator.metric = metric;
  indicator.target_source = source;
  indicator.fixed_target = fixed_target;
  indicator.points = points;
  indicator.rule = std::move(rule);
  return indicator;
}

Dimension MakeDimension(std::string id, std::string name, std::vector<Indicator> indicators) {
  Dimension dim;
  dim.id = std::move(id);
  dim.name = std::move(name);
  for (const Indicator& indicator : indicators) dim.weight += indicator.points;
  dim.indicators = std::move(indicators);
  return dim;
}

// Seed 002 步骤三: 优秀=5分,良好=4分,合格=3分,需改进=2分. A mean of 1-5
// ratings (hundredths) takes the nearest level: 4.50 and up is excellent.
ScaleRule CollaborationScale() {
  return ScaleRule{{{"excellent", 5, 450},
                    {"good", 4, 350},
                    {"pass", 3, 250},
                    {"needs_improvement", 2, std::nullopt}}};
}

// Seed 002 步骤四: 销售额达成率≥100%得满分,每低5%扣2分,最低0分 — in whole steps
// (DOMAIN.md §6), with over-achievement paid up to `cap_bp`.
StepDeductionRule SeedStepDeduction(int64_t cap_bp) {
  StepDeductionRule rule;
  rule.deduction = Points(2);
  rule.step_bp = Percent(5);
  rule.mode = StepMode::kWholeSteps;
  rule.cap_bp = cap_bp;
  return rule;
}

LinearRule Linear(int64_t cap_bp) { return LinearRule{cap_bp}; }

}  // namespace

absl::StatusOr<ScorecardTemplate> Seed002Template() {
  ScorecardTemplate t;
  t.id = "seed-002-comprehensive";
  t.version = 1;
  t.name = "综合型销售业绩评估 comprehensive sales evaluation";
  // Fixed targets are the seed's table 1 (销售业绩综合评估表) values: 回款率 90%,
  // 利润贡献率 25%, 老客户复购率 40%, 商机转化率 25%, 跨部门协作评分 4分(良好).
  // Counts and amounts (新客户数量 10家, 有效拜访量 40次) differ per rep, so
  // they come from the target service.
  t.dimensions.push_back(MakeDimension(
      "achievement", "业绩达成 achievement",
      {Make("sales_attainment", "销售额达成率 sales attainment", kSalesAmount, TargetSource::kBase,
            std::nullopt, Points(20), SeedStepDeduction(Percent(150))),
       Make("collection_rate", "回款率 collection rate", kCollectionRate, TargetSource::kFixed,
            Percent(90), Points(12), SeedStepDeduction(Percent(120))),
       Make("profit_contribution", "利润贡献率 profit contribution", kProfitContributionRate,
            TargetSource::kFixed, Percent(25), Points(8), Linear(Percent(150)))}));
  t.dimensions.push_back(
      MakeDimension("customer_quality", "客户质量 customer quality",
                    {Make("new_customers", "新客户数量 new customers", kNewCustomers,
                          TargetSource::kBase, std::nullopt, Points(12), Linear(Percent(200))),
                     Make("first_order_amount", "新客户首单金额 new-customer first-order amount",
                          kNewCustomerFirstOrderAmount, TargetSource::kBase, std::nullopt,
                          Points(8), Linear(Percent(150))),
                     Make("repurchase_rate", "老客户复购率 repurchase rate", kRepurchaseRate,
                          TargetSource::kFixed, Percent(40), Points(10), Linear(Percent(150)))}));
  // Report timeliness is all-or-nothing per report, so a bands table pays a
  // nearly-on-time rep part of the points instead of a linear slope.
  BandsRule timeliness{{{0, Percent(90), 0},
                        {Percent(90), Percent(95), Percent(50)},
                        {Percent(95), Percent(100), Percent(80)},
                        {Percent(100), std::nullopt, Percent(100)}}};
  t.dimensions.push_back(MakeDimension(
      "process", "过程管理 process",
      {Make("effective_visits", "有效拜访量 effective visits", kEffectiveVisits,
            TargetSource::kBase, std::nullopt, Points(8), Linear(Percent(150))),
       Make("opportunity_conversion", "商机转化率 opportunity conversion",
            kOpportunityConversionRate, TargetSource::kFixed, Percent(25), Points(7),
            Linear(Percent(150))),
       Make("report_timeliness", "报单提交及时率 report timeliness", kReportTimelinessRate,
            TargetSource::kFixed, Percent(100), Points(5), std::move(timeliness))}));
  t.dimensions.push_back(MakeDimension(
      "collaboration", "团队协作 collaboration",
      {Make("collaboration_score", "跨部门协作评分 collaboration score", kCollaborationScore,
            TargetSource::kFixed, 400, Points(6), CollaborationScale()),
       Make("knowledge_sharing", "知识分享次数 knowledge sharing", kKnowledgeSharing,
            TargetSource::kBase, std::nullopt, Points(4), Linear(Percent(150)))}));
  // Seed 002 步骤六: 总分≥120分评为"优秀",给予额外奖金;90-119分"合格",达标奖金;
  // <90分"待改进",需参加辅导培训.
  t.grades = {{"needs_improvement", 0, "coaching"},
              {"qualified", Points(90), "standard bonus"},
              {"excellent", Points(120), "extra bonus"}};
  RETURN_IF_ERROR(ValidateTemplate(t));
  return t;
}

absl::StatusOr<ScorecardTemplate> Seed001Template() {
  ScorecardTemplate t;
  t.id = "seed-001-follow-up";
  t.version = 1;
  t.name = "销售业务跟进与绩效评估 follow-up and performance evaluation";
  // Seed 001 (三)1: 定量指标权重建议70%(销售额达成率占比40%,回款率20%,其他10%).
  // "Others" are its remaining quantitative indicators, new customers and
  // visits, 5 each; caps stay at 100 % except sales, where the seed's
  // challenge level (挑战目标) makes over-achievement worth up to 120 %.
  t.dimensions.push_back(
      MakeDimension("quantitative", "定量指标 quantitative",
                    {Make("sales_attainment", "销售额达成率 sales attainment", kSalesAmount,
                          TargetSource::kBase, std::nullopt, Points(40), Linear(Percent(120))),
                     Make("collection_rate", "回款率 collection rate", kCollectionRate,
                          TargetSource::kBase, std::nullopt, Points(20), Linear(Percent(100))),
                     Make("new_customers", "新客户开发数量 new customers", kNewCustomers,
                          TargetSource::kBase, std::nullopt, Points(5), Linear(Percent(100))),
                     Make("visits", "客户拜访次数 visits", kVisits, TargetSource::kBase,
                          std::nullopt, Points(5), Linear(Percent(100)))}));
  // 定性指标 30%: 客户满意度, 销售流程规范性 (follow-ups recorded within 24 h,
  // seed 001 (二)), 团队协作评分. Satisfaction: 客户满意度90分以上为优秀,80-89分
  // 为良好 (四)(三); "pass" from 70 completes the seed's scale.
  ScaleRule satisfaction{{{"excellent", 5, 9000},
                          {"good", 4, 8000},
                          {"pass", 3, 7000},
                          {"needs_improvement", 2, std::nullopt}}};
  BandsRule compliance{{{0, Percent(80), 0},
                        {Percent(80), Percent(90), Percent(50)},
                        {Percent(90), Percent(100), Percent(80)},
                        {Percent(100), std::nullopt, Percent(100)}}};
  t.dimensions.push_back(MakeDimension(
      "qualitative", "定性指标 qualitative",
      {Make("customer_satisfaction", "客户满意度 customer satisfaction", kCustomerSatisfaction,
            TargetSource::kNone, std::nullopt, Points(12), std::move(satisfaction)),
       Make("process_compliance", "销售流程规范性 follow-up timeliness", kFollowUpTimelinessRate,
            TargetSource::kFixed, Percent(100), Points(8), std::move(compliance)),
       Make("collaboration_score", "团队协作评分 collaboration score", kCollaborationScore,
            TargetSource::kNone, std::nullopt, Points(10), CollaborationScale())}));
  // Seed 001 模板2 grades 92 优秀 and 78 待改进; the bands mirror its
  // satisfaction scale (90 excellent, 80-89 good).
  t.grades = {{"needs_improvement", 0, "improvement plan and training"},
              {"good", Points(80), ""},
              {"excellent", Points(90), "promotion candidate"}};
  RETURN_IF_ERROR(ValidateTemplate(t));
  return t;
}

}  // namespace attain::eval
