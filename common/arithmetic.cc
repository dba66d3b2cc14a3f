#include "common/arithmetic.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"

namespace attain {
namespace {

// floor(a / b) for b > 0; C++ division truncates toward zero.
absl::int128 FloorDivide(absl::int128 a, absl::int128 b) {
  absl::int128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

}  // namespace

absl::StatusOr<int64_t> DivideRoundHalfUp(absl::int128 numerator, absl::int128 denominator) {
  if (denominator == 0) return absl::InvalidArgumentError("division by zero");
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  // round(n / d) half up = floor((2n + d) / 2d); below 2^126, doubling stays
  // within 128 bits.
  const absl::int128 q = FloorDivide(2 * numerator + denominator, 2 * denominator);
  if (q > std::numeric_limits<int64_t>::max() || q < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("the result does not fit a 64-bit integer");
  }
  return static_cast<int64_t>(q);
}

}  // namespace attain
