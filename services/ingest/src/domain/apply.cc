#include "services/ingest/src/domain/apply.h"

#include <algorithm>
#include <optional>

namespace attain::ingest {
namespace {

bool HasEntityState(EventKind kind) {
  return kind == EventKind::kOrder || kind == EventKind::kReceivable ||
         kind == EventKind::kOpportunity;
}

template <typename T>
void SortUnique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The order as its customer sees it, when it is a counted order.
std::optional<OrderRef> RefOf(const std::string& order_id, const EntityState& s) {
  if (!s.counted || s.customer_id.empty()) return std::nullopt;
  return OrderRef{order_id, s.day, s.rep_id, s.team_id, s.region_id, s.product_line_id};
}

// Orders of `events` by version, ties by arrival.
void SortByVersion(std::vector<const PendingEvent*>& events) {
  std::sort(events.begin(), events.end(), [](const PendingEvent* a, const PendingEvent* b) {
    const int64_t va = a->record->version(), vb = b->record->version();
    return va != vb ? va < vb : a->ref < b->ref;
  });
}

}  // namespace

std::vector<EntityKey> EntitiesTouched(const std::vector<PendingEvent>& events) {
  std::vector<EntityKey> keys;
  for (const PendingEvent& e : events) {
    const EventKind kind = e.record->kind();
    if (HasEntityState(kind)) keys.push_back(EntityKey{e.tenant, kind, e.record->entity_id()});
  }
  SortUnique(keys);
  return keys;
}

std::vector<CustomerKey> CustomersTouched(const std::vector<PendingEvent>& events,
                                          const EntityStates& entities) {
  std::vector<CustomerKey> keys;
  for (const PendingEvent& e : events) {
    if (const auto* c = std::get_if<Customer>(&e.record->body)) {
      keys.push_back(CustomerKey{e.tenant, c->customer_id});
    } else if (const auto* o = std::get_if<Order>(&e.record->body)) {
      keys.push_back(CustomerKey{e.tenant, o->customer_id});
      auto it = entities.find(EntityKey{e.tenant, EventKind::kOrder, o->order_id});
      if (it != entities.end() && !it->second.customer_id.empty()) {
        keys.push_back(CustomerKey{e.tenant, it->second.customer_id});
      }
    }
  }
  SortUnique(keys);
  return keys;
}

BatchEffects ApplyEvents(const std::vector<PendingEvent>& events, const EntityStates& entities,
                         const CustomerStates& customers, absl::TimeZone tz) {
  BatchEffects fx;
  fx.outcomes.reserve(events.size());
  std::map<EntityKey, std::vector<const PendingEvent*>> by_entity;
  std::map<CustomerKey, std::vector<const PendingEvent*>> by_customer;
  for (const PendingEvent& e : events) {
    const EventKind kind = e.record->kind();
    if (HasEntityState(kind)) {
      by_entity[EntityKey{e.tenant, kind, e.record->entity_id()}].push_back(&e);
    } else if (kind == EventKind::kCustomer) {
      by_customer[CustomerKey{e.tenant, e.record->entity_id()}].push_back(&e);
    } else {
      AddOneOff(e.tenant, *e.record, e.placement, tz, &fx.deltas);
      fx.outcomes.emplace_back(e.ref, Outcome::kAccepted);
    }
  }

  // Versions of one entity apply in version order, each against the last
  // counted one.
  std::map<CustomerKey, std::vector<OrderChange>> order_changes;
  for (auto& [key, list] : by_entity) {
    SortByVersion(list);
    auto found = entities.find(key);
    const EntityState start = found != entities.end() ? found->second : EntityState{};
    EntityState current = start;
    bool changed = false;
    for (const PendingEvent* e : list) {
      if (e->record->version() <= current.version) {
        fx.outcomes.emplace_back(e->ref, Outcome::kStaleVersion);
        continue;
      }
      EntityState next = StateOf(*e->record, e->placement);
      AddStateChange(key.tenant, key.kind, current, next, &fx.deltas);
      current = std::move(next);
      changed = true;
      fx.outcomes.emplace_back(e->ref, Outcome::kAccepted);
    }
    if (!changed) continue;
    if (key.kind == EventKind::kOrder) {
      std::optional<OrderRef> before = RefOf(key.id, start);
      std::optional<OrderRef> after = RefOf(key.id, current);
      if (start.customer_id == current.customer_id) {
        if (before != after) {
          order_changes[CustomerKey{key.tenant, start.customer_id}].push_back(
              OrderChange{key.id, before, after});
        }
      } else {
        if (before.has_value()) {
          order_changes[CustomerKey{key.tenant, start.customer_id}].push_back(
              OrderChange{key.id, before, std::nullopt});
        }
        if (after.has_value()) {
          order_changes[CustomerKey{key.tenant, current.customer_id}].push_back(
              OrderChange{key.id, std::nullopt, after});
        }
      }
    }
    fx.entities.emplace(key, std::move(current));
  }

  auto loaded_customer = [&](const CustomerKey& key) {
    auto it = customers.find(key);
    return it != customers.end() ? it->second : CustomerState{};
  };

  // Customer master data: the newest version wins.
  for (auto& [key, list] : by_customer) {
    SortByVersion(list);
    CustomerState state = loaded_customer(key);
    bool changed = false;
    for (const PendingEvent* e : list) {
      const auto& c = std::get<Customer>(e->record->body);
      if (c.version <= state.version) {
        fx.outcomes.emplace_back(e->ref, Outcome::kStaleVersion);
        continue;
      }
      state.version = c.version;
      state.full_name = c.full_name;
      state.industry = c.industry;
      state.grade = c.grade;
      state.tier = c.tier;
      state.owner_rep_id = c.owner_rep_id;
      changed = true;
      fx.outcomes.emplace_back(e->ref, Outcome::kAccepted);
    }
    if (changed) fx.customers.emplace(key, std::move(state));
  }

  // First and last orders, and the new-customer credit that follows the first.
  for (const auto& [key, changes] : order_changes) {
    auto it = fx.customers.find(key);
    if (it == fx.customers.end()) it = fx.customers.emplace(key, loaded_customer(key)).first;
    CustomerState& state = it->second;
    std::optional<CustomerOrders> advanced = AdvanceCustomerOrders(state.orders, changes);
    if (!advanced.has_value()) {
      fx.lookup.push_back(key);
      continue;
    }
    AddNewCustomerMove(key.tenant, key.id, state.orders.first, advanced->first, &fx.deltas);
    state.orders = std::move(*advanced);
  }
  return fx;
}

void FinishCustomers(const std::map<CustomerKey, CustomerOrders>& found, BatchEffects* effects) {
  for (const CustomerKey& key : effects->lookup) {
    CustomerState& state = effects->customers[key];
    auto it = found.find(key);
    CustomerOrders orders = it != found.end() ? it->second : CustomerOrders{};
    AddNewCustomerMove(key.tenant, key.id, state.orders.first, orders.first, &effects->deltas);
    state.orders = std::move(orders);
  }
  effects->lookup.clear();
}

}  // namespace attain::ingest
