// Rollup deltas: changes to the additive components of table rollup_daily
// (migrations/001_init.sql), one cell per (tenant, day, rep, team, product
// line, customer) -- the table's key. Pure data, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace attain::ingest {

// The additive components, in the column order of rollup_daily.
enum Component : int {
  kSalesAmount,
  kOrderCount,
  kGrossProfit,
  kCollectedAmount,
  kReceivableDue,
  kNewCustomers,
  kVisits,
  kEffectiveVisits,
  kFollowUpsLate,
  kOpportunitiesWon,
  kOpportunitiesLost,
  kWonCycleDays,
  kSatisfactionSum,
  kSatisfactionCount,
  kCollaborationSum,
  kCollaborationCount,
  kKnowledgeSharing,
  kReportsOnTime,
  kReportsLate,
  kComponentCount,
};

// The rollup_daily column of a component, e.g. "sales_amount".
absl::string_view ComponentColumn(int component);

// A hash of tuples of strings and civil days, for std::unordered_map keys
// (the domain library depends on no hashing library).
struct TupleHash {
  template <typename... T>
  size_t operator()(const std::tuple<T...>& t) const {
    return std::apply([](const auto&... v) { return Combine(0, v...); }, t);
  }

 private:
  static size_t One(const std::string& s) { return std::hash<std::string>()(s); }
  static size_t One(absl::CivilDay d) {
    return std::hash<int64_t>()(static_cast<int64_t>(d - absl::CivilDay()));
  }
  static size_t Combine(size_t seed) { return seed; }
  template <typename V, typename... Rest>
  static size_t Combine(size_t seed, const V& v, const Rest&... rest) {
    seed ^= One(v) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    return Combine(seed, rest...);
  }
};

// Values of every component (minor units or counts, as the columns say).
using Components = std::array<int64_t, kComponentCount>;

bool IsZero(const Components& c);

// Where a change counts. team_id/region_id are where the rep sat on `day`;
// product_line_id and customer_id are "" when the event has none.
struct Cell {
  std::string tenant;
  absl::CivilDay day;
  std::string rep_id;
  std::string team_id;
  std::string region_id;
  std::string product_line_id;
  std::string customer_id;

  // rollup_daily's key: everything but region_id (a function of team and day).
  auto Key() const { return std::tie(tenant, day, rep_id, team_id, product_line_id, customer_id); }
  friend bool operator==(const Cell& a, const Cell& b) {
    return a.Key() == b.Key() && a.region_id == b.region_id;
  }
  friend bool operator!=(const Cell& a, const Cell& b) { return !(a == b); }
};

// One row of summed changes.
struct CellDelta {
  Cell cell;
  Components delta{};
};

// Sums changes per cell.
class RollupDeltas {
 public:
  // Adds sign * `c` to `cell`.
  void Add(const Cell& cell, const Components& c, int64_t sign = 1);
  // Adds `amount` to one component of `cell`.
  void Add(const Cell& cell, Component component, int64_t amount);

  // The cells whose sums are not all zero, ordered by key.
  std::vector<CellDelta> Rows() const;

  bool empty() const { return cells_.empty(); }

 private:
  using Key =
      std::tuple<std::string, absl::CivilDay, std::string, std::string, std::string, std::string>;
  std::unordered_map<Key, CellDelta, TupleHash> cells_;
};

}  // namespace attain::ingest
