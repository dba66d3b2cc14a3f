#include "services/ingest/src/domain/customer.h"

#include <cstdint>
#include <tuple>

namespace attain::ingest {
namespace {

// Decodes one UTF-8 sequence at `s[i]`; returns the code point and advances
// `i`, or returns -1 (advancing by one byte) when the sequence is invalid.
int32_t NextCodePoint(absl::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  int len = 0;
  int32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++i;
    return -1;
  }
  if (i + len > s.size()) {
    ++i;
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

bool IsSpace(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
         cp == 0x00A0 || cp == 0x3000;
}

// (signed day, order id)
auto OrderKey(const OrderRef& r) { return std::tie(r.day, r.order_id); }

bool SameCell(const OrderRef& a, const OrderRef& b) {
  return a.day == b.day && a.rep_id == b.rep_id && a.team_id == b.team_id &&
         a.region_id == b.region_id && a.product_line_id == b.product_line_id;
}

const OrderChange* FindChange(const std::vector<OrderChange>& changes, const std::string& id) {
  for (const OrderChange& c : changes) {
    if (c.order_id == id) return &c;
  }
  return nullptr;
}

}  // namespace

std::string NormalizeCustomerName(absl::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool pending_space = false;
  size_t i = 0;
  while (i < name.size()) {
    const size_t start = i;
    int32_t cp = NextCodePoint(name, i);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
    if (cp >= 0 && IsSpace(cp)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    if (cp >= 0 && cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else {
      out.append(name.data() + start, i - start);
    }
  }
  return out;
}

bool OrderedBefore(const OrderRef& a, const OrderRef& b) { return OrderKey(a) < OrderKey(b); }

std::optional<CustomerOrders> AdvanceCustomerOrders(const CustomerOrders& before,
                                                    const std::vector<OrderChange>& changes) {
  CustomerOrders after;
  // Every order not among `changes` sorts at or after before.first (and at or
  // before before.last), so the new extreme is among the changed orders and
  // the old extreme -- unless the old extreme itself left or moved inwards.
  if (before.first.has_value()) {
    const OrderChange* c = FindChange(changes, before.first->order_id);
    if (c == nullptr) {
      after.first = before.first;
    } else if (!c->after.has_value() || OrderedBefore(*before.first, *c->after)) {
      return std::nullopt;
    } else {
      after.first = c->after;
    }
  }
  if (before.last.has_value()) {
    const OrderChange* c = FindChange(changes, before.last->order_id);
    if (c == nullptr) {
      after.last = before.last;
    } else if (!c->after.has_value() || OrderedBefore(*c->after, *before.last)) {
      return std::nullopt;
    } else {
      after.last = c->after;
    }
  }
  for (const OrderChange& c : changes) {
    if (!c.after.has_value()) continue;
    if (!after.first.has_value() || OrderedBefore(*c.after, *after.first)) after.first = c.after;
    if (!after.last.has_value() || OrderedBefore(*after.last, *c.after)) after.last = c.after;
  }
  return after;
}

void AddNewCustomerMove(const std::string& tenant, const std::string& customer_id,
                        const std::optional<OrderRef>& before, const std::optional<OrderRef>& after,
                        RollupDeltas* deltas) {
  if (before.has_value() && after.has_value() && SameCell(*before, *after)) return;
  if (before.has_value()) {
    deltas->Add(Cell{tenant, before->day, before->rep_id, before->team_id, before->region_id,
                     before->product_line_id, customer_id},
                kNewCustomers, -1);
  }
  if (after.has_value()) {
    deltas->Add(Cell{tenant, after->day, after->rep_id, after->team_id, after->region_id,
                     after->product_line_id, customer_id},
                kNewCustomers, +1);
  }
}

}  // namespace attain::ingest
