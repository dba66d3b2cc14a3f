// What a scorecard needs from the other services (ARCHITECTURE.md: eval asks
// target and ingest over gRPC, never their schemas), behind small interfaces
// so that the scorecard logic can be read (and faked) without gRPC types.
//
// Errors every source returns: UNAVAILABLE naming the dependency when it
// cannot be reached or does not answer within its deadline (a scorecard is
// never half computed from a missing source); NOT_FOUND / INVALID_ARGUMENT /
// FAILED_PRECONDITION passed through from the dependency with its message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/period.h"
#include "services/eval/src/domain/metric_values.h"

namespace attain::eval {

// A rep or an org unit.
struct Subject {
  enum class Kind { kRep, kUnit };
  Kind kind = Kind::kRep;
  std::string id;
};

// One target record of the target service (all product lines, "*").
struct TargetRecord {
  std::string target_id;
  int64_t version = 0;
  int64_t base_value = 0;       // metric unit
  int64_t challenge_value = 0;  // metric unit, >= base_value
  std::string currency_code;    // ISO 4217 for money metrics; "" otherwise
};

// attain.type.v1.Metric number → the target of that metric.
using TargetsByMetric = absl::flat_hash_map<int, TargetRecord>;

class TargetRecordSource {
 public:
  virtual ~TargetRecordSource() = default;
  // The all-product-lines targets of one subject for exactly `period`.
  virtual absl::StatusOr<TargetsByMetric> ForSubject(const std::string& tenant,
                                                     const Subject& subject,
                                                     const Period& period) = 0;
  // The all-product-lines rep targets of `metrics` (attain.type.v1.Metric
  // numbers) of every rep in `unit`'s subtree (on the period's first day, as
  // the target service scopes them) for exactly `period`, by rep id: a few
  // calls for a whole team of peers (one per metric, at once).
  virtual absl::StatusOr<absl::flat_hash_map<std::string, TargetsByMetric>> ForRepsUnder(
      const std::string& tenant, const std::string& unit, const Period& period,
      const std::vector<int>& metrics) = 0;
};

// The groupings of attain.ingest.v1.GroupBy a scorecard uses.
enum class ActualsGrouping {
  kNone,
  kRep,
  kTeam,  // key: the team the rep sat in on the day (org unit id)
  kProductLine,
  kRegion,  // key: that team's region (org unit id)
  kCustomerGrade,
  kCustomerTier,
};

// Summed components of one group.
struct ActualsGroup {
  std::string key;  // "" for kNone; the rep, product line, region … otherwise
  Components components;
  int64_t cell_count = 0;  // daily rollup cells summed; 0 = nothing counted
};

// Customer movements of one group in a period (ingest's GetCustomerStats).
struct CustomerStatsGroup {
  std::string key;              // "" for kNone; the rep id for kRep
  int64_t active = 0;           // customers with orders in the period
  int64_t repeat = 0;           // with >= 2 orders
  int64_t previous_active = 0;  // with orders in the previous period
  int64_t churned = 0;          // of those, none in this period
  int64_t new_count = 0;        // first order ever in the period
  // Σ over those new customers of their sales in the calendar month of their
  // first order (within the period): the new-customer first-order amount's
  // numerator (DOMAIN.md §3); minor units.
  int64_t new_customer_first_month_sales = 0;
};

// A scope's customer movements per rep and in total (from one pass).
struct CustomerStatsWithTotal {
  std::vector<CustomerStatsGroup> reps;  // as CustomerStats kRep
  CustomerStatsGroup total;              // as CustomerStats kNone
};

// An order far above its rep's usual (特殊贡献, DOMAIN.md §5), as ingest's
// ListSpecialContributions lists it: signed in the period above 5 × the median
// of the rep's counted orders signed in the 90 days before its day.
struct SpecialContribution {
  std::string order_id;
  std::string rep_id;
  std::string customer_id;
  std::string signed_date;      // "YYYY-MM-DD"
  int64_t amount = 0;           // minor units
  double median_amount = 0;     // minor units (a whole or half unit)
  int64_t baseline_orders = 0;  // orders the median is over (>= 1)
  double multiple = 0;          // amount / median_amount
};

class ActualsSource {
 public:
  virtual ~ActualsSource() = default;
  // GetActuals of `subject` (nullopt = the whole company: ingest does not
  // know the company root unit) grouped as asked.
  // kNone always returns exactly one group.
  virtual absl::StatusOr<std::vector<ActualsGroup>> Actuals(const std::string& tenant,
                                                            const std::optional<Subject>& subject,
                                                            const Period& period,
                                                            ActualsGrouping grouping) = 0;
  // Actuals for several groupings (each at most once) in one call, one pass
  // over ingest's rows: one result per entry of `groupings`, in that order.
  virtual absl::StatusOr<std::vector<std::vector<ActualsGroup>>> ActualsGroupings(
      const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
      const std::vector<ActualsGrouping>& groupings) = 0;
  // GetCustomerStats of `scope` (nullopt = the whole company), kNone (exactly
  // one group) or kRep (per rep, over the rep's own orders within the scope;
  // reps without any customer movement left out); INVALID_ARGUMENT for other
  // groupings.
  virtual absl::StatusOr<std::vector<CustomerStatsGroup>> CustomerStats(
      const std::string& tenant, const std::optional<Subject>& scope, const Period& period,
      ActualsGrouping grouping) = 0;
  // CustomerStats kRep and kNone of `scope` in one call (one pass over ingest's
  // orders).
  virtual absl::StatusOr<CustomerStatsWithTotal> CustomerStatsByRepWithTotal(
      const std::string& tenant, const std::optional<Subject>& scope, const Period& period) = 0;
  // The special contributions signed in `period` within `scope` (nullopt =
  // the whole company; a unit: orders credited to it; a rep: all their
  // orders), at ingest's default threshold, every page, ordered by order id.
  // FAILED_PRECONDITION when there are more than the source lists in one call.
  virtual absl::StatusOr<std::vector<SpecialContribution>> SpecialContributions(
      const std::string& tenant, const std::optional<Subject>& scope, const Period& period) = 0;
};

// The level of an org unit in the tree (attain.target.v1.OrgUnitKind).
enum class UnitLevel { kOther, kCompany, kRegion, kTeam };

// An org unit as the scorecard needs it.
struct UnitInfo {
  std::string unit_id;
  std::string parent_id;  // "" for the company
  std::string name;       // display name
  UnitLevel level = UnitLevel::kOther;
};

class OrgSource {
 public:
  virtual ~OrgSource() = default;
  // The team `rep` was in on `day`; "" if none. NOT_FOUND for an unknown rep.
  virtual absl::StatusOr<std::string> TeamOf(const std::string& tenant, const std::string& rep,
                                             absl::CivilDay day) = 0;
  // The reps in `unit`'s subtree on `day`, ordered by id.
  virtual absl::StatusOr<std::vector<std::string>> RepsIn(const std::string& tenant,
                                                          const std::string& unit,
                                                          absl::CivilDay day) = 0;
  // NOT_FOUND for an unknown unit.
  virtual absl::StatusOr<UnitInfo> Unit(const std::string& tenant, const std::string& unit) = 0;
  // The direct children of `parent` that are not archived, ordered by id.
  virtual absl::StatusOr<std::vector<UnitInfo>> Children(const std::string& tenant,
                                                         const std::string& parent) = 0;
};

}  // namespace attain::eval
