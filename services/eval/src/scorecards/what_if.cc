#include "services/eval/src/scorecards/what_if.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/allocate.h"

namespace attain::eval {

absl::StatusOr<ScorecardTemplate> ChangeTemplate(const ScorecardTemplate& base,
                                                 const std::map<std::string, int64_t>& weights,
                                                 const std::vector<TargetReplacement>& targets) {
  ScorecardTemplate out = base;
  std::vector<std::string> problems;
  for (const auto& [dimension_id, weight] : weights) {
    const std::string path = absl::StrCat("dimension_weights[\"", dimension_id, "\"]");
    Dimension* dim = nullptr;
    for (Dimension& d : out.dimensions) {
      if (d.id == dimension_id) dim = &d;
    }
    if (dim == nullptr) {
      problems.push_back(
          absl::StrCat(path, ": template \"", base.id, "\" has no dimension with this id"));
      continue;
    }
    if (weight < 0) {
      problems.push_back(absl::StrCat(path, ": weight ", weight, " is negative"));
      continue;
    }
    std::vector<int64_t> points;
    int64_t old_weight = 0;
    for (const Indicator& i : dim->indicators) {
      points.push_back(i.points);
      old_weight += i.points;
    }
    if (points.empty() || old_weight <= 0) {
      problems.push_back(absl::StrCat(path, ": the dimension has no points to scale"));
      continue;
    }
    absl::StatusOr<std::vector<int64_t>> scaled = AllocateByWeights(weight, points);
    if (!scaled.ok()) {
      problems.push_back(absl::StrCat(path, ": ", scaled.status().message()));
      continue;
    }
    for (size_t k = 0; k < dim->indicators.size(); ++k) dim->indicators[k].points = (*scaled)[k];
    dim->weight = weight;
  }

  absl::flat_hash_set<std::string> replaced;
  for (size_t k = 0; k < targets.size(); ++k) {
    const TargetReplacement& t = targets[k];
    const std::string path = absl::StrCat("target_overrides[", k, "]");
    if (!replaced.insert(t.indicator_id).second) {
      problems.push_back(absl::StrCat(path, ".indicator_id: indicator \"", t.indicator_id,
                                      "\" is replaced more than once"));
      continue;
    }
    if (t.target < 0) {
      problems.push_back(absl::StrCat(path, ".target: ", t.target, " is negative"));
      continue;
    }
    Indicator* ind = nullptr;
    for (Dimension& d : out.dimensions) {
      for (Indicator& i : d.indicators) {
        if (i.id == t.indicator_id) ind = &i;
      }
    }
    if (ind == nullptr) {
      problems.push_back(absl::StrCat(path, ".indicator_id: template \"", base.id,
                                      "\" has no indicator \"", t.indicator_id, "\""));
      continue;
    }
    ind->target_source = TargetSource::kFixed;
    ind->fixed_target = t.target;
  }

  if (absl::Status st = ValidateTemplate(out); !st.ok()) {
    problems.push_back(absl::StrCat("the changed template: ", st.message()));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the what-if template is not valid: ", absl::StrJoin(problems, "; ")));
  }
  return out;
}

}  // namespace attain::eval
