#include "services/eval/src/domain/growth.h"

#include <cstdint>
#include <optional>

#include "absl/numeric/int128.h"
#include "common/status.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {

absl::StatusOr<Growth> ComputeGrowth(std::optional<int64_t> current, std::optional<int64_t> base) {
  Growth g;
  if (!current.has_value() || !base.has_value()) {
    g.status = GrowthStatus::kNoData;
    return g;
  }
  if (*base == 0) {
    if (*current == 0) {
      g.bp = 0;
    } else {
      g.status = GrowthStatus::kZeroBase;
    }
    return g;
  }
  const absl::int128 change = absl::int128(*current) - *base;
  const absl::int128 magnitude = *base < 0 ? -absl::int128(*base) : absl::int128(*base);
  ASSIGN_OR_RETURN(int64_t bp, DivideRoundHalfUp(change * kFullAttainment, magnitude));
  g.bp = bp;
  return g;
}

}  // namespace attain::eval
