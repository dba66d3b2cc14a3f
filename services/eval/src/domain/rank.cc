#include "services/eval/src/domain/rank.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/eval/src/domain/arithmetic.h"

namespace attain::eval {

int64_t TopCount(int64_t n, int64_t share_bp) {
  if (n <= 0 || share_bp <= 0) return 0;
  const absl::int128 product = absl::int128(n) * share_bp;
  const int64_t count =
      static_cast<int64_t>((product + kFullAttainment - 1) / kFullAttainment);  // ceiling
  return std::clamp<int64_t>(count, 1, n);
}

absl::StatusOr<std::vector<RankedEntry>> Rank(std::vector<RankInput> entries, bool lower_is_better,
                                              int64_t top_share_bp) {
  if (top_share_bp < 0 || top_share_bp > kFullAttainment) {
    return absl::InvalidArgumentError(
        absl::StrCat("top share ", top_share_bp, " bp is out of range 0..10000"));
  }
  std::set<std::string> ids;
  for (const RankInput& e : entries) {
    if (e.id.empty()) return absl::InvalidArgumentError("an entry to rank has no id");
    if (!ids.insert(e.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("id \"", e.id, "\" is ranked twice"));
    }
  }
  std::sort(entries.begin(), entries.end(), [&](const RankInput& a, const RankInput& b) {
    if (a.value != b.value) return lower_is_better ? a.value < b.value : a.value > b.value;
    return a.id < b.id;
  });

  const int64_t top = TopCount(static_cast<int64_t>(entries.size()), top_share_bp);
  std::vector<RankedEntry> ranked;
  ranked.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    RankedEntry r;
    r.id = std::move(entries[i].id);
    r.value = entries[i].value;
    if (i > 0 && ranked[i - 1].value == r.value) {
      r.rank = ranked[i - 1].rank;
      r.gap_to_next_place = ranked[i - 1].gap_to_next_place;
    } else {
      r.rank = static_cast<int64_t>(i) + 1;
      if (i > 0) {
        const absl::int128 gap = lower_is_better ? absl::int128(r.value) - ranked[i - 1].value
                                                 : absl::int128(ranked[i - 1].value) - r.value;
        if (gap > std::numeric_limits<int64_t>::max()) {
          return absl::OutOfRangeError("the gap to the next place does not fit 64 bits");
        }
        r.gap_to_next_place = static_cast<int64_t>(gap);
      }
    }
    r.in_top_share = r.rank <= top;
    ranked.push_back(std::move(r));
  }
  return ranked;
}

}  // namespace attain::eval
