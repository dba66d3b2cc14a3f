#include "services/review/src/domain/verification.h"

#include <cstdint>
#include <optional>

#include "absl/numeric/int128.h"
#include "common/arithmetic.h"

namespace attain::review {

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAchieved:
      return "achieved";
    case Verdict::kNotAchieved:
      return "not_achieved";
    case Verdict::kUndetermined:
      return "undetermined";
  }
  return "unknown";
}

Verdict Verify(int64_t target, std::optional<int64_t> actual, bool lower_is_better) {
  if (!actual.has_value()) return Verdict::kUndetermined;
  const bool achieved = lower_is_better ? *actual <= target : *actual >= target;
  return achieved ? Verdict::kAchieved : Verdict::kNotAchieved;
}

std::optional<ActionStatus> VerifiedStatus(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAchieved:
      return ActionStatus::kVerifiedAchieved;
    case Verdict::kNotAchieved:
      return ActionStatus::kVerifiedNotAchieved;
    case Verdict::kUndetermined:
      break;
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<int64_t>> ImprovementBp(int64_t baseline, int64_t actual,
                                                     bool lower_is_better) {
  if (baseline == 0) return std::optional<int64_t>();
  absl::int128 change = absl::int128(actual) - baseline;
  if (lower_is_better) change = -change;
  const absl::int128 base = baseline < 0 ? -absl::int128(baseline) : absl::int128(baseline);
  absl::StatusOr<int64_t> bp = DivideRoundHalfUp(change * kFullAttainment, base);
  if (!bp.ok()) return bp.status();
  return std::optional<int64_t>(*bp);
}

}  // namespace attain::review
