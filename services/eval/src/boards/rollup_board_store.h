// The leaderboards computed from ingest's daily rollups instead of read from
// Redis: the fallback of GetLeaderboard and GetRank when Redis cannot be read
// and the request allows it (allow_rollups). Slower than Redis (a query over
// the rollups on every read) but the same board: each rep's value comes from
// the same components by the same rule as the ingest relay's
// (common/leaderboard.h BoardValuesOf, the relay's ratio rule), and the
// entries are ordered and ranked as RedisBoardStore presents them.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/leaderboard.h"
#include "services/eval/src/boards/board_store.h"

namespace attain::eval {

// Which rollup rows to sum and how to group them: ingest's GetActuals.
struct RollupQuery {
  enum class GroupBy { kRep, kTeam, kRegion };
  std::string tenant;
  std::string period;        // canonical
  std::string unit;          // "" = the whole company; else the rows whose team or region it is
  std::string product_line;  // "" = every product line
  GroupBy group_by = GroupBy::kRep;
};

// The board parts summed over one group's rows.
struct RollupGroup {
  std::string key;  // the rep, team or region id ("" for rows without one)
  BoardParts parts{};
};

class RollupSource {
 public:
  virtual ~RollupSource() = default;
  // Only the groups with rows. UNAVAILABLE naming ingest when it cannot be
  // reached or does not answer in time.
  virtual absl::StatusOr<std::vector<RollupGroup>> Sums(const RollupQuery& query) = 0;
};

// RollupSource over attain-ingest's IngestQueryService.GetActuals, with the
// tenant's service token (a service reads every scope) and a deadline per
// call; an unreachable ingest answers UNAVAILABLE at once. Thread-safe.
class GrpcRollupSource final : public RollupSource {
 public:
  GrpcRollupSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                   const Clock* clock, absl::Duration deadline);
  absl::StatusOr<std::vector<RollupGroup>> Sums(const RollupQuery& query) override;

 private:
  std::unique_ptr<ingest::v1::IngestQueryService::Stub> stub_;
  ServiceTokens tokens_;
  const absl::Duration deadline_;
};

// The value `parts` give a rep on a `metric` board, as the ingest relay
// writes it: an additive metric's sum; a ratio's floor(10000 * numerator /
// denominator), 0 while the denominator is <= 0. nullopt when the board
// does not hold the rep (an additive sum of 0; a ratio whose numerator and
// denominator are both 0).
std::optional<int64_t> BoardValueOf(BoardMetric metric, const BoardParts& parts);

// `entries` (rep id and value) in board order, ranked: value descending, then
// rep id descending in byte order (the order of Redis' ZREVRANGE), rank = 1 +
// position.
std::vector<BoardEntry> RankEntries(std::vector<BoardEntry> entries);

// What RedisBoardStore's reads return, taken from a whole ranked board.
BoardRange RangeOf(const std::vector<BoardEntry>& ranked, int64_t start, int count);
std::optional<BoardNeighbourhood> NeighbourhoodOf(const std::vector<BoardEntry>& ranked,
                                                  const std::string& rep_id, int neighbours);

// BoardStore over a RollupSource: every read computes the whole board (one
// or two GetActuals calls). Thread-safe (it keeps no state).
//
// Scopes: the company board sums every row with a rep; a product line board
// the rows of that product line; region and team boards ask ingest for the
// unit's rows (whose team or region is the unit) and first check that all of
// them belong to the board (a team board: their team is the unit; a region
// board: their region is): none do when the id names a unit of the other
// kind (the live board is then empty, and so is this one); a mix, which the
// org tree does not produce (reps belong to teams, a team's region is a
// region), is UNAVAILABLE rather than a wrong board.
class RollupBoardStore final : public BoardStore {
 public:
  // `source` is not owned and must outlive the store.
  explicit RollupBoardStore(RollupSource& source) : source_(source) {}

  absl::StatusOr<BoardRange> Range(const BoardRef& board, int64_t start, int count) override;
  absl::StatusOr<std::optional<BoardNeighbourhood>> Neighbourhood(const BoardRef& board,
                                                                  const std::string& rep_id,
                                                                  int neighbours) override;

 private:
  // The whole board, ranked.
  absl::StatusOr<std::vector<BoardEntry>> Compute(const BoardRef& board);

  RollupSource& source_;
};

}  // namespace attain::eval
