// Automatic verification of an action item whose expected result is a metric
// (DOMAIN.md §8): the actual figure of the metric over the item's scope and
// period against the expected value. Without data the committee decides.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/review/src/domain/action_status.h"

namespace attain::review {

enum class Verdict {
  kAchieved,      // actual >= target (<= for lower-is-better): exactly on target is achieved
  kNotAchieved,   // actual short of the target
  kUndetermined,  // no actual figure: left to the committee
};

// "achieved", "not_achieved", "undetermined".
absl::string_view VerdictName(Verdict verdict);

// Compares `actual` (nullopt: no data) with `target`, both in the metric's unit.
Verdict Verify(int64_t target, std::optional<int64_t> actual, bool lower_is_better);

// The status a done item moves to on `verdict`: verified_achieved or
// verified_not_achieved; nullopt for undetermined (it stays done).
std::optional<ActionStatus> VerifiedStatus(Verdict verdict);

// The improvement of `actual` over `baseline` in bp of |baseline|, rounded
// half up, positive when better: (actual − baseline) / |baseline| for
// higher-is-better, (baseline − actual) / |baseline| for lower-is-better
// (400 → 500 is +2500; a deal cycle 40 → 30 days is +2500). nullopt when the
// baseline is 0 (no ratio from nothing); OUT_OF_RANGE when the result does
// not fit int64.
absl::StatusOr<std::optional<int64_t>> ImprovementBp(int64_t baseline, int64_t actual,
                                                     bool lower_is_better);

}  // namespace attain::review
