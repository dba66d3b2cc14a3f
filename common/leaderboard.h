// The leaderboard keyspace (ARCHITECTURE.md §9), shared by the writer (ingest)
// and the readers (evaluation).
//
//   lb:{<tenant>:<period>}:<metric>:<scope>        sorted set: member = rep id,
//                                                  score = value in the metric's unit
//   lb:{<tenant>:<period>}:<metric>:<scope>:parts  hash (ratio metrics only):
//                                                  "<rep>:n" numerator, "<rep>:d" denominator
//   lb:{<tenant>:<period>}:changed                 pub/sub channel: one message per applied
//                                                  outbox entry touching the tenant-period
//   lb:applied:<shard>                             last applied outbox seq (string)
//
// <period> is canonical ("2025-W03", "2025-01", "2025-Q1", "2025"); <scope> is
// "company", "region:<unit id>", "team:<unit id>" or "pl:<product line id>".
// The {tenant:period} hash tag keeps one tenant-period in one Redis Cluster slot.
// Ties rank by member id (Redis orders equal scores lexicographically), which
// is deterministic.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

// The metrics with live boards. Additive ones are sums of increments; ratio
// ones (collection rate = collected / receivable due, conversion = won /
// (won + lost)) keep numerator and denominator and store the ratio in basis points.
enum class BoardMetric {
  kSales,             // "sales": order amount, minor units
  kCollected,         // "collected": payments, minor units
  kGrossProfit,       // "gross_profit": minor units
  kOrders,            // "orders": signed orders, count
  kNewCustomers,      // "new_customers": count
  kVisits,            // "visits": follow-ups, count
  kEffectiveVisits,   // "effective_visits": follow-ups with content, count
  kWonOpportunities,  // "won_opportunities": count
  kCollectionRate,    // "collection_rate": ratio, basis points
  kConversion,        // "conversion": ratio, basis points
};
absl::string_view BoardMetricName(BoardMetric m);
absl::StatusOr<BoardMetric> ParseBoardMetric(absl::string_view name);
bool IsRatio(BoardMetric m);
// A ratio board's score: floor(10000 * numerator / denominator) in basis
// points; 0 while denominator <= 0 (as the relay's Lua script computes it).
int64_t RatioScore(int64_t numerator, int64_t denominator);

std::string BoardKey(absl::string_view tenant, absl::string_view period, BoardMetric metric,
                     absl::string_view scope);
std::string BoardPartsKey(absl::string_view tenant, absl::string_view period, BoardMetric metric,
                          absl::string_view scope);
std::string BoardChannel(absl::string_view tenant, absl::string_view period);

// One change to apply to a board. For additive metrics `amount` is added to
// the member's score. For ratio metrics `numerator`/`denominator` are added
// to the member's parts and the score is recomputed as
// floor(10000 * numerator / denominator) (0 while the denominator is 0).
struct BoardIncrement {
  std::string tenant;
  std::string period;  // canonical
  BoardMetric metric;
  std::string scope;   // "company", "region:<id>", "team:<id>", "pl:<id>"
  std::string member;  // rep id
  int64_t amount = 0;
  int64_t numerator = 0;
  int64_t denominator = 0;
};

// The additive components the boards are made of (the rollups' columns of
// the same names): every board value is one of them or a ratio of two.
enum BoardPart : int {
  kBoardPartSales,            // sales amount, minor units
  kBoardPartCollected,        // payments, minor units
  kBoardPartGrossProfit,      // minor units
  kBoardPartOrders,           // signed orders
  kBoardPartNewCustomers,     // count
  kBoardPartVisits,           // follow-ups
  kBoardPartEffectiveVisits,  // follow-ups with content
  kBoardPartWon,              // won opportunities
  kBoardPartLost,             // lost opportunities
  kBoardPartReceivableDue,    // receivable due, minor units
  kBoardPartCount,
};
using BoardParts = std::array<int64_t, kBoardPartCount>;

// One board value made of parts: `amount` for an additive metric,
// `numerator`/`denominator` for a ratio (collection_rate = collected /
// receivable due, conversion = won / (won + lost)).
struct BoardValue {
  BoardMetric metric;
  int64_t amount = 0;
  int64_t numerator = 0;
  int64_t denominator = 0;
};

// The values of `parts` that are not zero (an additive amount != 0, a ratio
// with numerator or denominator != 0), in BoardMetric order. Applied to a
// delta it gives the increments; applied to a sum, what a board holds.
std::vector<BoardValue> BoardValuesOf(const BoardParts& parts);

// The board scopes of a placement: "company", then "region:<id>", "team:<id>"
// and "pl:<id>" for the ids that are not empty.
std::vector<std::string> BoardScopes(absl::string_view region, absl::string_view team,
                                     absl::string_view product_line);

// A change to the parts of one rep in one period and placement: it stands for
// the increments BoardValuesOf(parts) × BoardScopes(region, team,
// product_line) for member `rep`. About ten times more compact than the
// increments, so that outbox rows stay small and the relay can merge many
// rows before fanning them out.
struct BoardDelta {
  std::string tenant;
  std::string period;  // canonical
  std::string rep;
  std::string team;          // "" if none
  std::string region;        // "" if none
  std::string product_line;  // "" if none
  BoardParts parts{};
};

// Sums board changes per board cell (tenant, period, metric, scope, member),
// fanning deltas out into their increments. Cells keep the order in which they
// were first seen. Not thread-safe.
class BoardCellSum {
 public:
  void Add(const BoardIncrement& increment);
  void Add(const BoardDelta& delta);
  // The number of distinct cells so far (including any that sum to zero).
  size_t size() const { return cells_.size(); }
  // The sums, without the cells whose sums are all zero; leaves this empty.
  std::vector<BoardIncrement> Take();

 private:
  void AddCell(const std::string& tenant, const std::string& period, BoardMetric metric,
               const std::string& scope, const std::string& member, int64_t amount,
               int64_t numerator, int64_t denominator);

  std::unordered_map<std::string, size_t> index_;  // cell identity → position in cells_
  std::vector<BoardIncrement> cells_;
  std::string key_;  // scratch
};

// Outbox rows (one per tenant and transaction) are versioned text:
//   "lb1": a list of increments (EncodeIncrements), written by older ingests;
//   "lb2": a list of deltas (EncodeBoardDeltas), written now.
// A reader accepts both and refuses other versions rather than misreading them.
std::string EncodeIncrements(const std::vector<BoardIncrement>& increments);
std::string EncodeBoardDeltas(const std::vector<BoardDelta>& deltas);

// A decoded outbox row: the increments of an "lb1" row or the deltas of an
// "lb2" row (the other list is empty).
struct BoardChanges {
  std::vector<BoardIncrement> increments;
  std::vector<BoardDelta> deltas;
};
absl::StatusOr<BoardChanges> DecodeBoardChanges(absl::string_view text);

// The increments of an outbox row of either version: an "lb1" row's as
// written, an "lb2" row's fanned out and merged (MergeIncrements).
absl::StatusOr<std::vector<BoardIncrement>> DecodeIncrements(absl::string_view text);

// Sums increments with the same (tenant, period, metric, scope, member) so that
// a batch sends each board cell once; drops cells whose sums are all zero.
std::vector<BoardIncrement> MergeIncrements(std::vector<BoardIncrement> increments);

}  // namespace attain
