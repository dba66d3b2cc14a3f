// A scorecard (DOMAIN.md §6): a template applied to one rep's or unit's
// targets and actuals for one period — per indicator the four columns of
// seed 000 (目标值-实际值-差额-完成率) plus points, then dimension subtotals,
// total, grade, strongest and weakest indicator. Pure: the caller fetches
// targets and actuals (metric_values.h turns components into actuals).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/eval/src/domain/scorecard_template.h"

namespace attain::eval {

// Where an indicator's numbers came from, carried through untouched so that
// every number on a scorecard can be explained (DOMAIN.md §6).
struct Explanation {
  std::string target_record_id;  // the target service's record; "" for fixed or none
  std::vector<std::pair<std::string, int64_t>> components;  // e.g. {"sales_amount", 550000},
                                                            // in the components' units
  int64_t cell_count = 0;                                   // rollup cells summed for the actual
  int64_t event_count = 0;                                  // events behind the actual, when known
};

// One indicator's inputs.
struct IndicatorInput {
  std::string indicator_id;
  // Metric unit, >= 0. From the target service for kBase/kChallenge sources
  // (nullopt: no target was set); must be nullopt for kFixed (the template's
  // value is used) and kNone.
  std::optional<int64_t> target;
  // Metric unit; nullopt = no data in the period (e.g. a ratio whose
  // denominator is 0, a mean of no ratings).
  std::optional<int64_t> actual;
  // For a scale rule: the level's label when the level is given directly
  // (a rating by a committee); it wins over a level chosen from the actual.
  std::optional<std::string> scale_level;
  Explanation explanation;
};

enum class IndicatorStatus {
  kScored,    // points computed by the rule
  kNoData,    // no actual (and no level given): 0 points
  kNoTarget,  // the target service had no target for a rule that needs one: 0 points
};

struct IndicatorResult {
  std::string dimension_id;
  std::string indicator_id;
  std::string name;
  int metric = 0;                 // attain.type.v1.Metric number
  std::optional<int64_t> target;  // metric unit; the fixed target for kFixed
  std::optional<int64_t> actual;  // metric unit
  // Metric unit, positive = better than target for either direction
  // (actual − target, or target − actual for lower-is-better); nullopt
  // without a target or an actual.
  std::optional<int64_t> gap;
  // Basis points as shown (Attainment::shown_bp); nullopt without a ratio.
  std::optional<int64_t> attainment_bp;
  // What the rule read (Attainment::scored_bp); nullopt when no attainment
  // was computed (no data, no target, a scale without a target).
  std::optional<int64_t> scored_attainment_bp;
  std::optional<std::string> scale_level;  // the level's label for scale rules
  int64_t points_possible = 0;             // hundredths: the indicator's points
  int64_t points = 0;                      // hundredths earned, >= 0 (above
                                           // points_possible when a cap rewards)
  IndicatorStatus status = IndicatorStatus::kScored;
  Explanation explanation;
};

struct DimensionResult {
  std::string dimension_id;
  std::string name;
  int64_t weight = 0;  // hundredths of a point
  int64_t points = 0;  // hundredths: Σ its indicators' points
};

struct Scorecard {
  std::string template_id;
  int64_t template_version = 0;
  std::vector<IndicatorResult> indicators;  // template order
  std::vector<DimensionResult> dimensions;  // template order
  int64_t total = 0;                        // hundredths: Σ dimension points
  std::string grade;                        // the grade band's name
  std::string grade_note;                   // its note ("extra bonus", "coaching")
  // Among indicators with a scored attainment, the highest and the lowest;
  // ties go to the one earlier in the template. nullopt when none has one.
  std::optional<std::string> strongest_indicator_id;
  std::optional<std::string> weakest_indicator_id;
};

// The index of the grade band a total (hundredths) falls in: the last band
// whose min_points <= total. INVALID_ARGUMENT when the total is below every band.
absl::StatusOr<size_t> GradeIndexFor(const std::vector<GradeBand>& grades, int64_t total);

// Computes the scorecard. The template is validated first (its errors are
// returned as they are). Every indicator needs exactly one input;
// INVALID_ARGUMENT names inputs for unknown indicators, duplicates, missing
// ones, a target given for a fixed or no-target source, a negative target,
// a negative lower-is-better actual, an unknown scale level.
absl::StatusOr<Scorecard> ComputeScorecard(const ScorecardTemplate& tmpl,
                                           const std::vector<IndicatorInput>& inputs);

}  // namespace attain::eval
