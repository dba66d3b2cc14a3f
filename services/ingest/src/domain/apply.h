// The in-memory part of ingesting a group of batches (ARCHITECTURE.md §8):
// given the new events (not duplicates, decoded, placed) and the last
// counted state of every entity and customer they touch, decides each event's
// outcome (accepted or stale), the entities' and customers' new states and
// the rollup deltas. The store loads and locks the states, calls these
// functions and writes the results in the same transaction. Pure, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "services/ingest/src/domain/customer.h"
#include "services/ingest/src/domain/delta.h"
#include "services/ingest/src/domain/event.h"
#include "services/ingest/src/domain/org_directory.h"
#include "services/ingest/src/domain/rollup.h"

namespace attain::ingest {

// An order, receivable or opportunity of a tenant.
struct EntityKey {
  std::string tenant;
  EventKind kind = EventKind::kOrder;
  std::string id;

  // The order in which the store locks rows: any fixed order avoids
  // deadlocks; the id first makes comparisons short.
  auto Tie() const { return std::tie(id, kind, tenant); }
  friend bool operator==(const EntityKey& a, const EntityKey& b) { return a.Tie() == b.Tie(); }
  friend bool operator<(const EntityKey& a, const EntityKey& b) { return a.Tie() < b.Tie(); }
};

// A customer of a tenant.
struct CustomerKey {
  std::string tenant;
  std::string id;

  auto Tie() const { return std::tie(id, tenant); }  // id first, as EntityKey
  friend bool operator==(const CustomerKey& a, const CustomerKey& b) { return a.Tie() == b.Tie(); }
  friend bool operator<(const CustomerKey& a, const CustomerKey& b) { return a.Tie() < b.Tie(); }
};

// A customer's master data (of its last counted version) and orders.
struct CustomerState {
  int64_t version = 0;  // 0: no master data received yet
  std::string full_name;
  std::string industry;
  CustomerGrade grade = CustomerGrade::kUnspecified;
  CustomerTier tier = CustomerTier::kUnspecified;
  std::string owner_rep_id;
  CustomerOrders orders;
};

using EntityStates = std::map<EntityKey, EntityState>;
using CustomerStates = std::map<CustomerKey, CustomerState>;

// A new event to apply.
struct PendingEvent {
  size_t ref = 0;  // the caller's handle, echoed in the outcomes
  std::string tenant;
  const EventRecord* record = nullptr;  // outlives the call
  RepPlacement placement;               // of record->rep_id() on PlacementDay()
};

// The orders, receivables and opportunities `events` touch, sorted by
// EntityKey's order (the order in which the store locks them).
std::vector<EntityKey> EntitiesTouched(const std::vector<PendingEvent>& events);

// The customers `events` touch: those of customer events, and those of
// order events before (per `entities`, the loaded states) and after. Sorted.
std::vector<CustomerKey> CustomersTouched(const std::vector<PendingEvent>& events,
                                          const EntityStates& entities);

struct BatchEffects {
  // Accepted or stale, per PendingEvent::ref, in the order of `events`.
  std::vector<std::pair<size_t, Outcome>> outcomes;
  // The new state of every entity an accepted event changed.
  std::map<EntityKey, EntityState> entities;
  // The new state of every customer whose master data or orders changed.
  // Customers in `lookup` still hold their orders from before the batch.
  std::map<CustomerKey, CustomerState> customers;
  // Customers whose first/last orders must be looked up among all their
  // counted orders (after `entities` are written), then FinishCustomers().
  std::vector<CustomerKey> lookup;
  RollupDeltas deltas;
};

// Applies `events`: versions of one entity in version order (an event whose
// version is <= the counted one is stale and changes nothing), one-off kinds
// once. `entities` and `customers` hold the last counted states of everything
// touched (missing = nothing counted yet). Days of instants are taken in `tz`.
BatchEffects ApplyEvents(const std::vector<PendingEvent>& events, const EntityStates& entities,
                         const CustomerStates& customers, absl::TimeZone tz);

// Completes the customers of effects->lookup with their first/last counted
// orders as found in the store, moving new-customer credits as needed.
void FinishCustomers(const std::map<CustomerKey, CustomerOrders>& found, BatchEffects* effects);

}  // namespace attain::ingest
