// Exact top-down decomposition of a target's values (DOMAIN.md §4): the
// children's base and challenge values each sum exactly to the parent's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metric.h"

namespace attain::target {

enum class SplitMethod { kEven, kWeights, kPercentages };

// One child's share: `weight` (> 0) for kWeights, `percentage` (exact decimal,
// up to 4 places) for kPercentages; ignored for kEven.
struct Share {
  int64_t weight = 0;
  std::string percentage;
};

struct SplitValues {
  std::vector<int64_t> base;
  std::vector<int64_t> challenge;
};

// Refuses (INVALID_ARGUMENT) to split a metric that is not additive: a ratio or
// a mean of the parent is not the sum of the children's.
absl::Status CheckSplittable(const MetricInfo& metric);

// Splits `base` and `challenge` over `n` children by `method` with
// largest-remainder rounding. For kWeights/kPercentages `shares` has one entry
// per child (else INVALID_ARGUMENT giving both counts); percentages must sum to
// exactly 100; weights must be positive. Each child's challenge stays >= its base.
absl::StatusOr<SplitValues> SplitTarget(int64_t base, int64_t challenge, SplitMethod method,
                                        const std::vector<Share>& shares, size_t n);

}  // namespace attain::target
