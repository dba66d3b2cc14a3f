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

#include <cstdint>
#include <string>
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

// Compact, versioned text encoding of a list of increments (one outbox row).
std::string EncodeIncrements(const std::vector<BoardIncrement>& increments);
absl::StatusOr<std::vector<BoardIncrement>> DecodeIncrements(absl::string_view text);

// Sums increments with the same (tenant, period, metric, scope, member) so that
// a batch sends each board cell once; drops cells whose sums are all zero.
std::vector<BoardIncrement> MergeIncrements(std::vector<BoardIncrement> increments);

}  // namespace attain
