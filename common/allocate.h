// Exact splitting of an integer total (minor units or counts) into parts by
// weights with the largest-remainder method: the parts always sum exactly to
// the total (DOMAIN.md §4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

// Splits `total` (>= 0) over `weights` (each >= 0, sum > 0). Each part starts as
// floor(total * w / W); the units left over go one each to the parts with the
// largest remainders, ties to the earlier index. Computed in 128-bit so that
// no product overflows. INVALID_ARGUMENT for an empty list, a negative weight,
// a zero sum or a negative total.
absl::StatusOr<std::vector<int64_t>> AllocateByWeights(int64_t total,
                                                       const std::vector<int64_t>& weights);

// Splits `total` into `n` (>= 1) parts as evenly as possible (the first parts get
// the extra units): 10 over 3 → 4, 3, 3.
absl::StatusOr<std::vector<int64_t>> AllocateEvenly(int64_t total, int n);

// Percentages are exact decimals with up to 4 decimal places ("33.3333", "30",
// "12.5"), held as millionths of the whole: 100 % = 1'000'000.
inline constexpr int64_t kPercentScale = 1'000'000;  // 100 %

// Parses one percentage ("12.5" → 125'000). INVALID_ARGUMENT for more than 4
// decimals, a negative value, a value over 100 or any non-digit, naming the text.
absl::StatusOr<int64_t> ParsePercent(absl::string_view text);

// Parses all and checks that they sum to exactly 100; on failure the message
// gives the actual sum, e.g. `percentages sum to 99.9, not 100`.
absl::StatusOr<std::vector<int64_t>> ParsePercentagesSumTo100(
    const std::vector<std::string>& texts);

// Formats millionths of the whole as a percentage with no trailing zeros:
// 125'000 → "12.5".
std::string FormatPercent(int64_t millionths);

}  // namespace attain
