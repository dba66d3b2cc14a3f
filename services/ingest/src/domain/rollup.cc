#include "services/ingest/src/domain/rollup.h"

#include <algorithm>

namespace attain::ingest {

absl::string_view ComponentColumn(int component) {
  static constexpr absl::string_view kColumns[kComponentCount] = {
      "sales_amount",
      "order_count",
      "gross_profit",
      "collected_amount",
      "receivable_due",
      "new_customers",
      "visits",
      "effective_visits",
      "follow_ups_late",
      "opportunities_won",
      "opportunities_lost",
      "won_cycle_days",
      "satisfaction_sum",
      "satisfaction_count",
      "collaboration_sum",
      "collaboration_count",
      "knowledge_sharing",
      "reports_on_time",
      "reports_late",
  };
  return component >= 0 && component < kComponentCount ? kColumns[component] : "";
}

bool IsZero(const Components& c) {
  return std::all_of(c.begin(), c.end(), [](int64_t v) { return v == 0; });
}

void RollupDeltas::Add(const Cell& cell, const Components& c, int64_t sign) {
  if (IsZero(c)) return;
  CellDelta& row = cells_[Key(cell.tenant, cell.day, cell.rep_id, cell.team_id,
                              cell.product_line_id, cell.customer_id)];
  if (row.cell.tenant.empty()) row.cell = cell;
  for (int i = 0; i < kComponentCount; ++i) row.delta[i] += sign * c[i];
}

void RollupDeltas::Add(const Cell& cell, Component component, int64_t amount) {
  Components c{};
  c[component] = amount;
  Add(cell, c);
}

std::vector<CellDelta> RollupDeltas::Rows() const {
  std::vector<CellDelta> rows;
  rows.reserve(cells_.size());
  for (const auto& [key, row] : cells_) {
    if (!IsZero(row.delta)) rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(),
            [](const CellDelta& a, const CellDelta& b) { return a.cell.Key() < b.cell.Key(); });
  return rows;
}

}  // namespace attain::ingest
