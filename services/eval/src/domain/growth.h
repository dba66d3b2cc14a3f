// Growth against a base period (DOMAIN.md §6: YoY and MoM on a scorecard;
// common/period.h gives the base periods: Previous(), SameLastYear()).
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"

namespace attain::eval {

enum class GrowthStatus {
  kOk,        // bp is set
  kNoData,    // the current or the base value is missing
  kZeroBase,  // the base is 0 and the current value is not: growth is undefined ("new")
};

struct Growth {
  GrowthStatus status = GrowthStatus::kOk;
  // (current − base) / |base| in basis points, rounded half up: 12000 → 9000
  // is −2500 (−25.00 %). Dividing by |base| keeps the sign meaning "went up":
  // a loss shrinking from −100 to −50 is +5000. 0 for 0 → 0. nullopt unless kOk.
  std::optional<int64_t> bp;
};

// Growth of `current` over `base` (same unit; nullopt = no data). For YoY
// pass the value of Period::SameLastYear(), for MoM/QoQ of Period::Previous().
// OUT_OF_RANGE when the result does not fit int64.
absl::StatusOr<Growth> ComputeGrowth(std::optional<int64_t> current, std::optional<int64_t> base);

}  // namespace attain::eval
