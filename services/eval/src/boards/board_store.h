// Read access to the live leaderboards (ARCHITECTURE.md §9) that the ingest
// relay keeps; the evaluation service only reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/leaderboard.h"

namespace attain::eval {

// One board: BoardKey(tenant, period, metric, scope).
struct BoardRef {
  std::string tenant;
  std::string period;  // canonical, a week, month, quarter or year
  BoardMetric metric = BoardMetric::kSales;
  std::string scope;  // "company", "region:<id>", "team:<id>" or "pl:<id>"
};

// A rep's place: rank is 1-based in board order (value descending, then rep
// id descending in byte order: the order Redis keeps equal scores in, reversed).
struct BoardEntry {
  int64_t rank = 0;
  std::string rep_id;
  int64_t value = 0;  // in the metric's unit (ratios in basis points)
};

// Entries [start, start + count) of a board in rank order, read atomically.
struct BoardRange {
  int64_t total = 0;  // reps on the board
  std::vector<BoardEntry> entries;
};

// A rep's entry with the entries around it, read atomically.
struct BoardNeighbourhood {
  int64_t total = 0;
  BoardEntry rep;
  std::vector<BoardEntry> above;  // up to `neighbours`, rank order
  std::vector<BoardEntry> below;  // up to `neighbours`, rank order
  // The entry just above the rep (even when neighbours is 0); absent for rank 1.
  std::optional<BoardEntry> next_up;
};

class BoardStore {
 public:
  virtual ~BoardStore() = default;
  // UNAVAILABLE when the store cannot be reached in time.
  virtual absl::StatusOr<BoardRange> Range(const BoardRef& board, int64_t start, int count) = 0;
  // nullopt when the rep is not on the board.
  virtual absl::StatusOr<std::optional<BoardNeighbourhood>> Neighbourhood(const BoardRef& board,
                                                                          const std::string& rep_id,
                                                                          int neighbours) = 0;
};

}  // namespace attain::eval
