// The scorecard template (评估表, DOMAIN.md §6): dimensions with weights,
// indicators with a metric, a target source, points and a scoring rule, and
// grade bands over the total. Units as in arithmetic.h: points in hundredths
// of a point, attainment and fractions in basis points (10000 = 100.00 %).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {

// The largest cap or band fraction a template may use: 10× the points. A
// larger one is taken for a typo; it also bounds every product in scoring.
inline constexpr int64_t kMaxCap = 10 * kFullAttainment;

// Where an indicator's target comes from.
enum class TargetSource {
  kBase,       // the target service's base level (基础目标)
  kChallenge,  // the target service's challenge level (挑战目标)
  kFixed,      // Indicator::fixed_target, in the metric's unit
  kNone,       // no target: only for a scale read from the actual alone
};

// points × attainment, attainment capped at `cap_bp`; for higher-is-better
// metrics. Negative attainment earns 0.
struct LinearRule {
  int64_t cap_bp = kFullAttainment;  // basis points, 10000..kMaxCap; 12000 = up to 120 % of points
};

// How a step deduction counts steps below 100 %.
enum class StepMode {
  kWholeSteps,    // only completed steps: 97 % loses nothing, 94 % loses one step (default)
  kStartedSteps,  // every started step: 97 % loses one step
  kProportional,  // exactly pro rata: 97 % loses 3/5 of a step
};

// Seed 002 (步骤四: 销售额达成率≥100%得满分,每低5%扣2分,最低0分): full points at
// attainment >= 100 %, minus `deduction` for every `step_bp` below, never
// below 0. Above 100 % it pays points × min(attainment, cap_bp) / 10000, so a
// cap above 10000 rewards over-achievement like a linear rule does.
struct StepDeductionRule {
  int64_t deduction = 2 * 100;  // hundredths of a point per step; > 0
  int64_t step_bp = 500;        // basis points of attainment per step; > 0
  StepMode mode = StepMode::kWholeSteps;
  int64_t cap_bp = kFullAttainment;  // basis points, 10000..kMaxCap
};

// One row of a bands table: attainment in [lower_bp, upper_bp) earns
// fraction_bp of the indicator's points.
struct AttainmentBand {
  int64_t lower_bp = 0;             // basis points, inclusive
  std::optional<int64_t> upper_bp;  // basis points, exclusive; nullopt = no upper bound
  int64_t fraction_bp = 0;          // basis points of the indicator's points, 0..kMaxCap
};

// A table of attainment ranges → points. Valid tables list the bands in
// ascending order starting at 0, each starting where the previous ends, the
// last unbounded; negative attainment falls into the first band.
struct BandsRule {
  std::vector<AttainmentBand> bands;
};

// One level of a qualitative scale, e.g. {"excellent", 5, 450}.
struct ScaleLevel {
  std::string label;                  // unique within the scale, e.g. "excellent"
  int64_t value = 0;                  // the level's value (5, 4, 3, 2), >= 0
  std::optional<int64_t> min_actual;  // the lowest actual (metric unit) at this
                                      // level, inclusive; nullopt on the lowest
                                      // level (it takes everything below) or on
                                      // every level of a scale given directly
};

// Qualitative scale (seed 002 步骤三: 优秀=5分,良好=4分,合格=3分,需改进=2分).
// Levels run from best to worst with strictly decreasing values; the earned
// points are points × value / (the first level's value). A level is either
// given directly (IndicatorInput::scale_level) or chosen from the actual: the
// first level whose min_actual <= actual. A scale has thresholds on every
// level but the last, or on none (then the level must be given).
struct ScaleRule {
  std::vector<ScaleLevel> levels;
};

// For lower-is-better metrics (deal cycle, churn): attainment = target /
// actual, capped at `cap_bp`; points × attainment.
struct InverseRule {
  int64_t cap_bp = kFullAttainment;  // basis points, 10000..kMaxCap
};

using ScoringRule = std::variant<LinearRule, StepDeductionRule, BandsRule, ScaleRule, InverseRule>;

// The rule's name in messages: "linear", "step deduction", "bands", "scale", "inverse".
const char* RuleName(const ScoringRule& rule);

struct Indicator {
  std::string id;    // unique within the template, non-empty
  std::string name;  // display name, e.g. "销售额达成率 sales attainment"
  int metric = 0;    // attain.type.v1.Metric number (common/metric.h)
  TargetSource target_source = TargetSource::kBase;
  std::optional<int64_t> fixed_target;  // metric's unit, >= 0; only with kFixed
  int64_t points = 0;                   // hundredths of a point, > 0
  ScoringRule rule;
};

struct Dimension {
  std::string id;      // unique within the template, non-empty
  std::string name;    // e.g. "业绩达成 achievement"
  int64_t weight = 0;  // hundredths of a point; = Σ its indicators' points
  std::vector<Indicator> indicators;
};

// A grade applies to totals >= min_points up to the next band's min_points.
struct GradeBand {
  std::string name;                   // e.g. "excellent 优秀", non-empty
  std::optional<int64_t> min_points;  // hundredths of a point; nullopt = −infinity
                                      // (only on the first band)
  std::string note;                   // e.g. "extra bonus", "coaching"; may be empty
};

struct ScorecardTemplate {
  std::string id;       // non-empty
  int64_t version = 1;  // >= 1; a change makes a new version
  std::string name;
  std::vector<Dimension> dimensions;
  std::vector<GradeBand> grades;  // ascending by min_points, the first from 0 or −infinity
};

// Checks everything a template must satisfy and returns INVALID_ARGUMENT
// listing every problem (not only the first), each prefixed by its path, e.g.
// `dimensions[1].indicators[0].rule: step deduction needs a step size > 0`:
//   - ids non-empty and unique (dimensions among dimensions, indicators across
//     the template), version >= 1, at least one dimension and one grade;
//   - the dimension weights sum to 100 points and each equals the sum of its
//     indicators' points; every indicator has points > 0;
//   - grade bands: names non-empty, min_points strictly ascending, the first
//     at 0 or −infinity, only the first unbounded;
//   - the metric is known; fixed_target is set (and >= 0) exactly when the
//     source is kFixed; kNone only with a scale;
//   - the rule's own parameters (caps >= 100 %, step and deduction > 0, band
//     coverage, scale levels) and its fit with the metric: linear not on a
//     lower-is-better metric, inverse only on one, a scale not on money, days
//     or a lower-is-better metric.
absl::Status ValidateTemplate(const ScorecardTemplate& tmpl);

// The indicator with `id`, or nullptr.
const Indicator* FindIndicator(const ScorecardTemplate& tmpl, const std::string& id);

}  // namespace attain::eval
