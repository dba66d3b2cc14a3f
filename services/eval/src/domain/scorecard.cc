#include "services/eval/src/domain/scorecard.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/metric.h"
#include "common/status.h"
#include "services/eval/src/domain/scoring.h"

namespace attain::eval {
namespace {

// Points for the non-scale rules, which read the attainment.
absl::StatusOr<int64_t> RulePoints(const ScoringRule& rule, int64_t points, int64_t scored_bp) {
  if (const auto* r = std::get_if<LinearRule>(&rule)) return LinearPoints(*r, points, scored_bp);
  if (const auto* r = std::get_if<StepDeductionRule>(&rule)) {
    return StepDeductionPoints(*r, points, scored_bp);
  }
  if (const auto* r = std::get_if<BandsRule>(&rule)) return BandPoints(*r, points, scored_bp);
  if (const auto* r = std::get_if<InverseRule>(&rule)) return InversePoints(*r, points, scored_bp);
  return absl::InternalError("a scale is scored from its level, not from attainment");
}

absl::StatusOr<IndicatorResult> ScoreIndicator(const Dimension& dim, const Indicator& indicator,
                                               const IndicatorInput& input) {
  ASSIGN_OR_RETURN(MetricInfo metric, LookupMetric(indicator.metric));
  IndicatorResult r;
  r.dimension_id = dim.id;
  r.indicator_id = indicator.id;
  r.name = indicator.name;
  r.metric = indicator.metric;
  r.actual = input.actual;
  r.points_possible = indicator.points;
  r.explanation = input.explanation;

  const bool from_service = indicator.target_source == TargetSource::kBase ||
                            indicator.target_source == TargetSource::kChallenge;
  if (!from_service && input.target.has_value()) {
    return absl::InvalidArgumentError(
        "a target was given but the template fixes the target (or needs none): leave it unset");
  }
  r.target =
      indicator.target_source == TargetSource::kFixed ? indicator.fixed_target : input.target;
  if (r.target.has_value() && *r.target < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", *r.target, " is negative: targets are >= 0"));
  }

  if (r.target.has_value() && r.actual.has_value()) {
    ASSIGN_OR_RETURN(Attainment a, ComputeAttainment(*r.target, *r.actual, metric.lower_is_better));
    ASSIGN_OR_RETURN(int64_t gap, ComputeGap(*r.target, *r.actual, metric.lower_is_better));
    r.gap = gap;
    r.attainment_bp = a.shown_bp;
    r.scored_attainment_bp = a.scored_bp;
  }

  if (const auto* scale = std::get_if<ScaleRule>(&indicator.rule)) {
    // A scale reads its level, not the attainment: a level given directly,
    // else the one the actual falls in; a target only adds the gap and
    // attainment columns.
    std::optional<size_t> level;
    if (input.scale_level.has_value()) {
      ASSIGN_OR_RETURN(level, ScaleLevelByLabel(*scale, *input.scale_level));
    } else if (r.actual.has_value() && scale->levels[0].min_actual.has_value()) {
      ASSIGN_OR_RETURN(level, ScaleLevelForActual(*scale, *r.actual));
    }
    if (!level.has_value()) {
      // Nobody rated it, or nothing to read a level from.
      r.status = IndicatorStatus::kNoData;
      return r;
    }
    r.scale_level = scale->levels[*level].label;
    ASSIGN_OR_RETURN(r.points, ScalePoints(*scale, indicator.points, *level));
    return r;
  }
  if (input.scale_level.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a scale level was given but the rule is ", RuleName(indicator.rule)));
  }
  if (!r.actual.has_value()) {
    r.status = IndicatorStatus::kNoData;
    return r;
  }
  if (!r.target.has_value()) {
    r.status = IndicatorStatus::kNoTarget;
    return r;
  }
  ASSIGN_OR_RETURN(r.points, RulePoints(indicator.rule, indicator.points, *r.scored_attainment_bp));
  return r;
}

}  // namespace

absl::StatusOr<size_t> GradeIndexFor(const std::vector<GradeBand>& grades, int64_t total) {
  std::optional<size_t> found;
  for (size_t i = 0; i < grades.size(); ++i) {
    if (!grades[i].min_points.has_value() || *grades[i].min_points <= total) found = i;
  }
  if (!found.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("total ", total, " (hundredths) is below every grade band"));
  }
  return *found;
}

absl::StatusOr<Scorecard> ComputeScorecard(const ScorecardTemplate& tmpl,
                                           const std::vector<IndicatorInput>& inputs) {
  RETURN_IF_ERROR(ValidateTemplate(tmpl));

  std::map<std::string, const IndicatorInput*> by_id;
  for (const IndicatorInput& input : inputs) {
    if (FindIndicator(tmpl, input.indicator_id) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("input for indicator \"", input.indicator_id,
                                                     "\" which the template does not have"));
    }
    if (!by_id.emplace(input.indicator_id, &input).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two inputs for indicator \"", input.indicator_id, "\""));
    }
  }
  std::vector<std::string> missing;
  for (const Dimension& dim : tmpl.dimensions) {
    for (const Indicator& indicator : dim.indicators) {
      if (by_id.count(indicator.id) == 0) missing.push_back(indicator.id);
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no input for indicators ", absl::StrJoin(missing, ", "),
                     ": give every indicator an input (actual unset for no data)"));
  }

  Scorecard card;
  card.template_id = tmpl.id;
  card.template_version = tmpl.version;
  for (const Dimension& dim : tmpl.dimensions) {
    DimensionResult subtotal;
    subtotal.dimension_id = dim.id;
    subtotal.name = dim.name;
    subtotal.weight = dim.weight;
    for (const Indicator& indicator : dim.indicators) {
      absl::StatusOr<IndicatorResult> result =
          ScoreIndicator(dim, indicator, *by_id.at(indicator.id));
      if (!result.ok()) {
        return Annotate(result.status(), absl::StrCat("indicator \"", indicator.id, "\""));
      }
      // Each indicator earns at most kMaxCap × its points and the points sum
      // to 100, so these sums stay far from overflow.
      subtotal.points += result->points;
      card.indicators.push_back(*std::move(result));
    }
    card.total += subtotal.points;
    card.dimensions.push_back(subtotal);
  }
  ASSIGN_OR_RETURN(size_t grade, GradeIndexFor(tmpl.grades, card.total));
  card.grade = tmpl.grades[grade].name;
  card.grade_note = tmpl.grades[grade].note;

  const IndicatorResult* strongest = nullptr;
  const IndicatorResult* weakest = nullptr;
  for (const IndicatorResult& r : card.indicators) {
    if (r.status != IndicatorStatus::kScored || !r.scored_attainment_bp.has_value()) continue;
    // Strict comparisons keep the earlier indicator on a tie.
    if (strongest == nullptr || *r.scored_attainment_bp > *strongest->scored_attainment_bp) {
      strongest = &r;
    }
    if (weakest == nullptr || *r.scored_attainment_bp < *weakest->scored_attainment_bp) {
      weakest = &r;
    }
  }
  if (strongest != nullptr) card.strongest_indicator_id = strongest->indicator_id;
  if (weakest != nullptr) card.weakest_indicator_id = weakest->indicator_id;
  return card;
}

}  // namespace attain::eval
