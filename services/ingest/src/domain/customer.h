// Customers: name normalisation and the bookkeeping of each customer's first
// and last counted signed order, which credits the new_customers component
// (DOMAIN.md §3: a customer is new in the period of its first signed order).
// Pure, no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/ingest/src/domain/rollup.h"

namespace attain::ingest {

// A customer's full legal name in one canonical form (seed 000: full names,
// de-duplicated): full-width ASCII (U+FF01–U+FF5E) folded to ASCII, every run
// of white space (ASCII, U+3000 ideographic space, U+00A0) made one ASCII
// space, leading and trailing space trimmed. Invalid UTF-8 is kept as is.
std::string NormalizeCustomerName(absl::string_view name);

// A counted (signed, not cancelled) order as it bears on its customer.
struct OrderRef {
  std::string order_id;
  absl::CivilDay day;  // signed date
  std::string rep_id;
  std::string team_id;
  std::string region_id;
  std::string product_line_id;

  friend bool operator==(const OrderRef& a, const OrderRef& b) {
    return a.order_id == b.order_id && a.day == b.day && a.rep_id == b.rep_id &&
           a.team_id == b.team_id && a.region_id == b.region_id &&
           a.product_line_id == b.product_line_id;
  }
  friend bool operator!=(const OrderRef& a, const OrderRef& b) { return !(a == b); }
};

// Orders are ordered by (signed day, order id): the first is the earliest,
// ties going to the smaller id.
bool OrderedBefore(const OrderRef& a, const OrderRef& b);

// A customer's first and last counted orders; both empty when it has none.
// The first one is credited with the customer's new_customers +1.
struct CustomerOrders {
  std::optional<OrderRef> first;
  std::optional<OrderRef> last;
};

// How one order of a customer changed in a batch: its counted state before
// and after (nullopt when it was/is not a counted order of this customer).
struct OrderChange {
  std::string order_id;
  std::optional<OrderRef> before;
  std::optional<OrderRef> after;
};

// The customer's first and last orders after `changes`, or nullopt when they
// cannot be known from `before` and the changes alone (the first order was
// cancelled or moved later, or the last one earlier): then the caller looks
// them up among all the customer's counted orders.
std::optional<CustomerOrders> AdvanceCustomerOrders(const CustomerOrders& before,
                                                    const std::vector<OrderChange>& changes);

// Moves the customer's new_customers credit from the cell of `before` to the
// cell of `after` (−1 / +1); nothing when both are the same cell.
void AddNewCustomerMove(const std::string& tenant, const std::string& customer_id,
                        const std::optional<OrderRef>& before, const std::optional<OrderRef>& after,
                        RollupDeltas* deltas);

}  // namespace attain::ingest
