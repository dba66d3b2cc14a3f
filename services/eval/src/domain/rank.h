// Ranking peers by a value (DOMAIN.md §6 rank, §7 leaderboards, seed 003's
// top 10 % rule). Deterministic: the same input ranks the same in any order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace attain::eval {

struct RankInput {
  std::string id;     // rep or unit id, non-empty, unique
  int64_t value = 0;  // in the metric's unit or points; leave out peers with no data
};

struct RankedEntry {
  std::string id;
  int64_t value = 0;
  // Competition ranking ("1224"): equal values share the rank and the next
  // distinct value's rank counts everyone above it, so a rank always says how
  // many peers did strictly better (rank − 1).
  int64_t rank = 0;
  // How far the value is from the next better distinct value (always > 0,
  // in the value's unit): what it takes to draw level with the next place.
  // nullopt for rank 1.
  std::optional<int64_t> gap_to_next_place;
  // Within the top share (see TopCount): rank <= TopCount(n, share). Ties at
  // the cut-off are all in, so more than TopCount entries can be flagged.
  bool in_top_share = false;
};

// The number of places a top share of `n` peers covers: ceil(n × share_bp /
// 10000), at least 1 when n >= 1 and share_bp > 0, so the top 10 % of a team
// of 4 is its best one. 0 for n = 0 or share 0. share_bp in 0..10000.
int64_t TopCount(int64_t n, int64_t share_bp);

// Ranks descending by value (ascending when lower_is_better), equal values
// ordered by id (byte order) for display. `top_share_bp` (0..10000, e.g. 1000
// = top 10 %) sets in_top_share. INVALID_ARGUMENT for an empty or duplicate
// id or a share out of range; OUT_OF_RANGE when a gap overflows.
absl::StatusOr<std::vector<RankedEntry>> Rank(std::vector<RankInput> entries, bool lower_is_better,
                                              int64_t top_share_bp = 0);

}  // namespace attain::eval
