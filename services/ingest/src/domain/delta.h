// Pure rules that turn events into rollup deltas and leaderboard increments
// (ARCHITECTURE.md §8, DOMAIN.md §3 and §5). No I/O.
//
// Versioned entities (orders, receivables, opportunities) are kept as the
// EntityState of their last counted version; a newer version adds
// ContributionOf(new) − ContributionOf(old), so the rollups always hold
// exactly the contribution of each entity's newest counted version. One-off
// kinds (payments, follow-ups, surveys, ratings, knowledge sharing, reports)
// add their contribution once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/leaderboard.h"
#include "common/period.h"
#include "services/ingest/src/domain/event.h"
#include "services/ingest/src/domain/org_directory.h"
#include "services/ingest/src/domain/rollup.h"

namespace attain::ingest {

// What a versioned entity (order, receivable, opportunity) last counted.
// team_id/region_id are the rep's placement on `day` when the version was
// counted, so that a reversal hits exactly the cell the version added to.
struct EntityState {
  int64_t version = 0;   // 0: nothing counted yet
  bool counted = false;  // contributes: an order not cancelled, any receivable,
                         // an opportunity won or lost
  absl::CivilDay day;    // signed / due / closed date (created date while open)
  std::string rep_id;
  std::string team_id;
  std::string region_id;
  std::string product_line_id;
  std::string customer_id;
  int64_t amount = 0;        // order amount, receivable amount due, opportunity expected amount
  int64_t gross_profit = 0;  // orders
  int status = 0;            // OrderStatus or OpportunityStage number
  int64_t cycle_days = 0;    // won opportunities: closed − created, days
  std::string currency;

  friend bool operator==(const EntityState& a, const EntityState& b);
  friend bool operator!=(const EntityState& a, const EntityState& b) { return !(a == b); }
};

// The day on which the event's rep placement (OrgDirectory::Place) matters,
// or nullopt when the event counts nowhere (a customer, an open opportunity).
// The rep is EventRecord::rep_id().
std::optional<absl::CivilDay> PlacementDay(const EventRecord& event, absl::TimeZone tz);

// The state an order, receivable or opportunity event states, placed at `placement`.
EntityState StateOf(const EventRecord& event, const RepPlacement& placement);

// The rollup cell of a counted state.
Cell CellOf(const std::string& tenant, const EntityState& state);

// What a state contributes (all zero when not counted).
Components ContributionOf(EventKind kind, const EntityState& state);

// Adds ContributionOf(after) at after's cell minus ContributionOf(before) at
// before's cell: a change of amount adds the difference, a change of day,
// rep or product line moves the amount, a cancellation reverses it.
void AddStateChange(const std::string& tenant, EventKind kind, const EntityState& before,
                    const EntityState& after, RollupDeltas* deltas);

// Adds the contribution of a one-off event (payment, follow-up, survey,
// collaboration rating, knowledge sharing, report submission) credited to
// event.rep_id() placed at `placement`. Days of instants are taken in `tz`.
void AddOneOff(const std::string& tenant, const EventRecord& event, const RepPlacement& placement,
               absl::TimeZone tz, RollupDeltas* deltas);

// A follow-up recorded more than 24 h after the contact is late.
bool FollowUpIsLate(absl::Time contact_time, absl::Time recorded_at);

// The last on-time instant of a report on `period` (events.proto, seed 000),
// in the tenant's time zone: daily 18:00 that day; weekly 12:00 on the Monday
// after the week; monthly the end of the 3rd of the next month (00:00 of the 4th).
absl::Time ReportDeadline(ReportCadence cadence, const Period& period, absl::TimeZone tz);

// Submitted not after the deadline.
bool ReportOnTime(const ReportSubmission& report, absl::TimeZone tz);

// The leaderboard increments of rollup changes (common/leaderboard.h), per
// tenant and merged: for each changed cell with a rep, each period of kind
// week, month, quarter and year containing its day, each board metric whose
// delta is not zero, and scopes "company", "region:<id>", "team:<id>",
// "pl:<id>" (skipping empty ids). Ratio metrics carry numerator/denominator:
// collection_rate = collected / receivable due, conversion = won / (won + lost).
std::map<std::string, std::vector<BoardIncrement>> BoardIncrementsOf(
    const std::vector<CellDelta>& rows);

// The same changes in the compact form the outbox stores (common/leaderboard.h):
// per tenant, one delta per changed (period, rep, team, region, product line),
// sorted; fanning them out (BoardCellSum) gives BoardIncrementsOf(rows).
std::map<std::string, std::vector<BoardDelta>> BoardDeltasOf(const std::vector<CellDelta>& rows);

}  // namespace attain::ingest
