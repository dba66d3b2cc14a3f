// The changed template of a what-if (WhatIf): other dimension weights and
// fixed replacement targets, applied to a copy of a stored template. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/eval/src/domain/scorecard_template.h"

namespace attain::eval {

struct TargetReplacement {
  std::string indicator_id;
  int64_t target = 0;  // the metric's unit
};

// `base` with:
//   - each dimension of `weights` (id → hundredths of a point) set to its new
//     weight, its indicators' points scaled in proportion to their current
//     points by the largest-remainder method (floor(weight · points / old
//     weight) each, the hundredths left over one each to the largest
//     remainders, ties to the earlier indicator), so they sum exactly to the
//     weight;
//   - each replaced indicator scored against a fixed target (the same value
//     for every subject).
// INVALID_ARGUMENT listing every problem, each prefixed by its request field
// path: an unknown dimension or indicator, a negative weight or target, an
// indicator replaced twice, and everything ValidateTemplate finds in the
// changed template (e.g. weights not summing to 100 points, an indicator
// scaled down to 0 points).
absl::StatusOr<ScorecardTemplate> ChangeTemplate(const ScorecardTemplate& base,
                                                 const std::map<std::string, int64_t>& weights,
                                                 const std::vector<TargetReplacement>& targets);

}  // namespace attain::eval
