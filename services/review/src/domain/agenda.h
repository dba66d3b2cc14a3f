// The agenda of a review meeting (DOMAIN.md §8): the review of the previous
// meeting's open action items first, then one presentation per presenter in
// order of the size of their deviation, then free discussion, then spare
// time; every item with its allotted whole minutes, the total exactly the
// meeting's length. Edits are checked against the meeting's length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain::review {

// The longest meeting (and so the longest section) an agenda is built for: a day.
inline constexpr int64_t kMaxMeetingMinutes = 24 * 60;

enum class PresenterKind {
  kRep,   // a sales rep
  kUnit,  // a team or department
};

// "rep" or "unit".
absl::string_view PresenterKindName(PresenterKind kind);

// One presenter's deviation of actual from plan on the metric under review
// (step 1 of the three-step report, filled from the evaluation).
struct Deviation {
  PresenterKind kind = PresenterKind::kRep;
  std::string id;      // rep or unit id; unique per kind within one agenda
  std::string name;    // display name
  std::string metric;  // metric name (common/metric.h), e.g. "sales_amount"
  int64_t target = 0;  // in the metric's unit (money in minor units, ratios in bp, …)
  int64_t actual = 0;  // in the metric's unit
  // actual / target in basis points (10000 = 100.00 %); nullopt when there is
  // no target.
  std::optional<int64_t> attainment_bp;
};

// How the meeting's time is laid out. All durations are whole minutes in
// 0..kMaxMeetingMinutes.
struct AgendaSettings {
  int64_t meeting_minutes = 0;          // the meeting's length, > 0
  int64_t previous_review_minutes = 0;  // review of open action items; 0 when there are none
  int64_t free_discussion_minutes = 0;
  int64_t spare_minutes = 0;              // at least this much spare time at the end
  int64_t min_minutes_per_presenter = 1;  // >= 1
  int64_t max_minutes_per_presenter = 0;  // 0 = no cap; else >= min_minutes_per_presenter
  int64_t max_presenters = 0;             // 0 = no limit
};

enum class AgendaItemKind {
  kPreviousActions,  // review of the previous meeting's open action items
  kPresentation,     // one presenter's report
  kFreeDiscussion,
  kSpare,  // spare time (备用时间) at the end
};

// "PREVIOUS_ACTIONS", "PRESENTATION", "FREE_DISCUSSION", "SPARE".
absl::string_view AgendaItemKindName(AgendaItemKind kind);

struct AgendaItem {
  AgendaItemKind kind = AgendaItemKind::kPresentation;
  std::string title;
  std::optional<Deviation> presenter;  // set for presentations only
  int64_t minutes = 0;                 // allotted whole minutes, >= 0
};

// A presenter the meeting has no room for, and why.
struct LeftOutPresenter {
  Deviation presenter;
  std::string reason;
};

struct Agenda {
  // In meeting order. Sections of 0 minutes are not listed (no previous
  // review when there are no open items, no spare item when no time is
  // spare). The minutes add up to exactly AgendaSettings::meeting_minutes.
  std::vector<AgendaItem> items;
  // Presenters without a slot, smallest deviations (the order above) last.
  std::vector<LeftOutPresenter> left_out;
};

// Orders presenters by the size of their deviation, largest first: those
// with a target by |10000 − attainment_bp| descending (a shortfall of 20 %
// and an excess of 20 % weigh the same), then those without a target by
// |actual| descending; ties by |actual − target| descending, then by id, then
// reps before units. Stable and total for distinct (kind, id).
void OrderByDeviation(std::vector<Deviation>& presenters);

// Builds the agenda. The time left after the fixed sections (previous
// review, free discussion, spare) is shared among the presenters in deviation
// order: every presenter gets ⌊left / n⌋ whole minutes and the remainder
// goes one extra minute each to the largest deviations first; a share above
// max_minutes_per_presenter is capped and the minutes so freed are added to
// the spare time. Presenters beyond max_presenters, or beyond the number
// that fit at min_minutes_per_presenter each, are left out (smallest
// deviations first) with the reason; the agenda never overflows the meeting.
//
// INVALID_ARGUMENT, naming the field and the numbers, for settings out of
// range, a presenter without an id or a (kind, id) given twice, and when the
// fixed sections alone are longer than the meeting ("the fixed sections take
// 100 minutes (previous review 30 + free discussion 50 + spare 20), 10 more
// than the meeting's 90").
absl::StatusOr<Agenda> BuildAgenda(std::vector<Deviation> presenters,
                                   const AgendaSettings& settings);

// The check on an edited agenda: OK when the items' minutes add up to at most
// `meeting_minutes`; otherwise FAILED_PRECONDITION with the numbers, e.g.
// "the agenda would take 95 minutes (6 items), 5 more than the meeting's 90:
// shorten an item or lengthen the meeting". INVALID_ARGUMENT for an item with
// minutes outside 0..kMaxMeetingMinutes (naming it) or meeting_minutes <= 0.
absl::Status CheckFits(const std::vector<AgendaItem>& items, int64_t meeting_minutes);

}  // namespace attain::review
