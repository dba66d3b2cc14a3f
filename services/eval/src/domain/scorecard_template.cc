#include "services/eval/src/domain/scorecard_template.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/metric.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {
namespace {

// Collects every problem of a template with its path.
class Problems {
 public:
  void Add(absl::string_view path, absl::string_view what) {
    list_.push_back(absl::StrCat(path, ": ", what));
  }
  absl::Status ToStatus() const {
    if (list_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("scorecard template has ", list_.size(),
                     list_.size() == 1 ? " problem: " : " problems: ", absl::StrJoin(list_, "; ")));
  }

 private:
  std::vector<std::string> list_;
};

// Points as "12.5" for messages: hundredths shown as a decimal.
std::string FormatPoints(int64_t hundredths) {
  const char* sign = hundredths < 0 ? "-" : "";
  const uint64_t abs =
      hundredths < 0 ? 0 - static_cast<uint64_t>(hundredths) : static_cast<uint64_t>(hundredths);
  std::string text = absl::StrCat(sign, abs / 100);
  if (abs % 100 != 0) {
    const uint64_t cents = abs % 100;
    absl::StrAppend(&text, ".", cents / 10);
    if (cents % 10 != 0) absl::StrAppend(&text, cents % 10);
  }
  return text;
}

void CheckCap(const std::string& path, int64_t cap_bp, Problems* problems) {
  if (cap_bp < kFullAttainment || cap_bp > kMaxCap) {
    problems->Add(path, absl::StrCat("cap ", cap_bp,
                                     " bp is out of range: a cap runs from 10000 (100 %, no "
                                     "bonus) to ",
                                     kMaxCap, " (10x)"));
  }
}

void CheckBands(const std::string& path, const BandsRule& rule, Problems* problems) {
  if (rule.bands.empty()) {
    problems->Add(path, "bands need at least one band");
    return;
  }
  for (size_t i = 0; i < rule.bands.size(); ++i) {
    const AttainmentBand& band = rule.bands[i];
    const std::string at = absl::StrCat(path, ".bands[", i, "]");
    if (i == 0 && band.lower_bp != 0) {
      problems->Add(at,
                    absl::StrCat("the first band starts at ", band.lower_bp,
                                 " bp: it must start at 0 so that every attainment has a band"));
    }
    if (band.upper_bp.has_value() && *band.upper_bp <= band.lower_bp) {
      problems->Add(at, absl::StrCat("upper bound ", *band.upper_bp,
                                     " bp is not above the lower bound ", band.lower_bp, " bp"));
    }
    if (band.fraction_bp < 0 || band.fraction_bp > kMaxCap) {
      problems->Add(
          at, absl::StrCat("fraction ", band.fraction_bp, " bp is out of range 0..", kMaxCap));
    }
    if (i + 1 < rule.bands.size()) {
      const AttainmentBand& next = rule.bands[i + 1];
      if (!band.upper_bp.has_value()) {
        problems->Add(at, "only the last band may be unbounded above");
      } else if (next.lower_bp > *band.upper_bp) {
        problems->Add(at,
                      absl::StrCat("gap between this band's upper bound ", *band.upper_bp,
                                   " bp and the next band's lower bound ", next.lower_bp, " bp"));
      } else if (next.lower_bp < *band.upper_bp) {
        problems->Add(at, absl::StrCat("overlaps the next band: upper bound ", *band.upper_bp,
                                       " bp is above the next lower bound ", next.lower_bp, " bp"));
      }
    } else if (band.upper_bp.has_value()) {
      problems->Add(at,
                    absl::StrCat("the last band ends at ", *band.upper_bp,
                                 " bp: leave it unbounded so that over-achievement has a band"));
    }
  }
}

void CheckScale(const std::string& path, const ScaleRule& rule, Problems* problems) {
  if (rule.levels.empty()) {
    problems->Add(path, "a scale needs at least one level");
    return;
  }
  const bool thresholds = rule.levels[0].min_actual.has_value();
  std::set<std::string> labels;
  for (size_t i = 0; i < rule.levels.size(); ++i) {
    const ScaleLevel& level = rule.levels[i];
    const std::string at = absl::StrCat(path, ".levels[", i, "]");
    if (level.label.empty()) {
      problems->Add(at, "label is required");
    } else if (!labels.insert(level.label).second) {
      problems->Add(at, absl::StrCat("label \"", level.label, "\" is used twice"));
    }
    if (level.value < 0) problems->Add(at, absl::StrCat("value ", level.value, " is negative"));
    if (i == 0 && level.value <= 0) {
      problems->Add(at, "the best level needs a value > 0 (points are value / best value)");
    }
    if (i > 0 && level.value >= rule.levels[i - 1].value) {
      problems->Add(at, absl::StrCat("value ", level.value, " is not below the previous level's ",
                                     rule.levels[i - 1].value, ": list levels from best to worst"));
    }
    const bool last = i + 1 == rule.levels.size();
    if (thresholds && !last && !level.min_actual.has_value()) {
      problems->Add(at, "min_actual is required: every level but the last has a threshold");
    }
    if (thresholds && last && rule.levels.size() > 1 && level.min_actual.has_value()) {
      problems->Add(at, "the last level takes every lower actual: leave its min_actual unset");
    }
    if (!thresholds && level.min_actual.has_value()) {
      problems->Add(at,
                    "min_actual is set but the best level has none: set thresholds on "
                    "every level but the last, or on none");
    }
    if (thresholds && i > 0 && level.min_actual.has_value() &&
        rule.levels[i - 1].min_actual.has_value() &&
        *level.min_actual >= *rule.levels[i - 1].min_actual) {
      problems->Add(
          at, absl::StrCat("min_actual ", *level.min_actual, " is not below the previous level's ",
                           *rule.levels[i - 1].min_actual));
    }
  }
}

// The rule's own parameters and its fit with the metric.
void CheckRule(const std::string& path, const ScoringRule& rule, const MetricInfo* metric,
               Problems* problems) {
  if (const auto* linear = std::get_if<LinearRule>(&rule)) {
    CheckCap(path, linear->cap_bp, problems);
    if (metric != nullptr && metric->lower_is_better) {
      problems->Add(path, absl::StrCat("linear pays more for a higher actual but ", metric->name,
                                       " is lower-is-better: use inverse"));
    }
  } else if (const auto* step = std::get_if<StepDeductionRule>(&rule)) {
    if (step->step_bp <= 0) problems->Add(path, "step deduction needs a step size > 0");
    if (step->deduction <= 0) problems->Add(path, "step deduction needs a deduction > 0");
    CheckCap(path, step->cap_bp, problems);
  } else if (const auto* bands = std::get_if<BandsRule>(&rule)) {
    CheckBands(path, *bands, problems);
  } else if (const auto* scale = std::get_if<ScaleRule>(&rule)) {
    CheckScale(path, *scale, problems);
    if (metric != nullptr) {
      if (metric->unit == MetricUnit::kMoney || metric->unit == MetricUnit::kDays) {
        problems->Add(path, absl::StrCat("a qualitative scale does not fit ", metric->name,
                                         ": use it for scores, ratios or counts"));
      } else if (metric->lower_is_better) {
        problems->Add(path, absl::StrCat("a scale's thresholds are minimums but ", metric->name,
                                         " is lower-is-better: use inverse or bands"));
      }
    }
  } else if (const auto* inverse = std::get_if<InverseRule>(&rule)) {
    CheckCap(path, inverse->cap_bp, problems);
    if (metric != nullptr && !metric->lower_is_better) {
      problems->Add(path, absl::StrCat("inverse is for lower-is-better metrics but ", metric->name,
                                       " is higher-is-better: use linear or step deduction"));
    }
  }
}

void CheckIndicator(const std::string& path, const Indicator& indicator, std::set<std::string>* ids,
                    Problems* problems) {
  if (indicator.id.empty()) {
    problems->Add(path + ".id", "id is required");
  } else if (!ids->insert(indicator.id).second) {
    problems->Add(path + ".id", absl::StrCat("indicator id \"", indicator.id, "\" is used twice"));
  }
  if (indicator.name.empty()) problems->Add(path + ".name", "name is required");
  if (indicator.points <= 0) {
    problems->Add(path + ".points",
                  absl::StrCat("points ", FormatPoints(indicator.points), " must be above 0"));
  }
  absl::StatusOr<MetricInfo> metric = LookupMetric(indicator.metric);
  if (!metric.ok()) problems->Add(path + ".metric", metric.status().message());

  const bool fixed = indicator.target_source == TargetSource::kFixed;
  if (fixed && !indicator.fixed_target.has_value()) {
    problems->Add(path + ".fixed_target", "a fixed target source needs fixed_target");
  }
  if (!fixed && indicator.fixed_target.has_value()) {
    problems->Add(path + ".fixed_target", "fixed_target is set but the target source is not fixed");
  }
  if (indicator.fixed_target.has_value() && *indicator.fixed_target < 0) {
    problems->Add(path + ".fixed_target",
                  absl::StrCat("fixed_target ", *indicator.fixed_target, " is negative"));
  }
  if (indicator.target_source == TargetSource::kNone &&
      !std::holds_alternative<ScaleRule>(indicator.rule)) {
    problems->Add(path + ".target_source", absl::StrCat("only a scale can score without a target; ",
                                                        RuleName(indicator.rule), " needs one"));
  }
  CheckRule(path + ".rule", indicator.rule, metric.ok() ? &*metric : nullptr, problems);
}

void CheckGrades(const std::vector<GradeBand>& grades, Problems* problems) {
  if (grades.empty()) {
    problems->Add("grades", "at least one grade band is required");
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < grades.size(); ++i) {
    const GradeBand& grade = grades[i];
    const std::string at = absl::StrCat("grades[", i, "]");
    if (grade.name.empty()) {
      problems->Add(at + ".name", "name is required");
    } else if (!names.insert(grade.name).second) {
      problems->Add(at + ".name", absl::StrCat("grade \"", grade.name, "\" is used twice"));
    }
    if (!grade.min_points.has_value()) {
      if (i > 0) problems->Add(at + ".min_points", "only the first band may start at -infinity");
      continue;
    }
    if (i == 0 && *grade.min_points != 0) {
      problems->Add(at + ".min_points",
                    absl::StrCat("the first band starts at ", FormatPoints(*grade.min_points),
                                 " points: start it at 0 (or leave it unbounded) so that "
                                 "every total has a grade"));
    }
    if (i > 0 && grades[i - 1].min_points.has_value() &&
        *grade.min_points <= *grades[i - 1].min_points) {
      problems->Add(at + ".min_points", absl::StrCat(FormatPoints(*grade.min_points),
                                                     " points is not above the previous band's ",
                                                     FormatPoints(*grades[i - 1].min_points),
                                                     ": list grade bands from lowest to highest"));
    }
  }
}

}  // namespace

const char* RuleName(const ScoringRule& rule) {
  switch (rule.index()) {
    case 0:
      return "linear";
    case 1:
      return "step deduction";
    case 2:
      return "bands";
    case 3:
      return "scale";
    default:
      return "inverse";
  }
}

absl::Status ValidateTemplate(const ScorecardTemplate& tmpl) {
  Problems problems;
  if (tmpl.id.empty()) problems.Add("id", "id is required");
  if (tmpl.name.empty()) problems.Add("name", "name is required");
  if (tmpl.version < 1) {
    problems.Add("version", absl::StrCat("version ", tmpl.version, " must be >= 1"));
  }
  if (tmpl.dimensions.empty()) problems.Add("dimensions", "at least one dimension is required");

  std::set<std::string> dimension_ids;
  std::set<std::string> indicator_ids;
  int64_t weight_sum = 0;
  for (size_t d = 0; d < tmpl.dimensions.size(); ++d) {
    const Dimension& dim = tmpl.dimensions[d];
    const std::string at = absl::StrCat("dimensions[", d, "]");
    if (dim.id.empty()) {
      problems.Add(at + ".id", "id is required");
    } else if (!dimension_ids.insert(dim.id).second) {
      problems.Add(at + ".id", absl::StrCat("dimension id \"", dim.id, "\" is used twice"));
    }
    if (dim.name.empty()) problems.Add(at + ".name", "name is required");
    if (dim.indicators.empty()) problems.Add(at + ".indicators", "at least one indicator");
    int64_t points_sum = 0;
    for (size_t i = 0; i < dim.indicators.size(); ++i) {
      const Indicator& indicator = dim.indicators[i];
      CheckIndicator(absl::StrCat(at, ".indicators[", i, "]"), indicator, &indicator_ids,
                     &problems);
      // Clamped so that absurd inputs cannot overflow the sum; they are
      // reported above and by the comparison below.
      points_sum += std::clamp<int64_t>(indicator.points, -kMaxCap * kTemplatePoints,
                                        kMaxCap * kTemplatePoints);
    }
    if (dim.weight != points_sum) {
      problems.Add(at + ".weight", absl::StrCat("weight ", FormatPoints(dim.weight),
                                                " is not the sum of its indicators' points ",
                                                FormatPoints(points_sum)));
    }
    weight_sum +=
        std::clamp<int64_t>(dim.weight, -kMaxCap * kTemplatePoints, kMaxCap * kTemplatePoints);
  }
  if (!tmpl.dimensions.empty() && weight_sum != kTemplatePoints) {
    problems.Add("dimensions", absl::StrCat("the dimension weights sum to ",
                                            FormatPoints(weight_sum), " points, not 100"));
  }
  CheckGrades(tmpl.grades, &problems);
  return problems.ToStatus();
}

const Indicator* FindIndicator(const ScorecardTemplate& tmpl, const std::string& id) {
  for (const Dimension& dim : tmpl.dimensions) {
    for (const Indicator& indicator : dim.indicators) {
      if (indicator.id == id) return &indicator;
    }
  }
  return nullptr;
}

}  // namespace attain::eval
