// The life of an action item (改进行动表, DOMAIN.md §8):
//
//   draft → submitted → accepted → in_progress → done → verified_achieved
//               │   ▲                                 └──→ verified_not_achieved
//               ▼   │ (after edits)
//             returned
//
// A submitted item that fails the SMART check (smart.h) is returned with the
// reasons; only a draft or a returned item may be edited. While in progress a
// progress report (旬报) is due every 10 days; an item is overdue once past
// its due date and not yet done.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace attain::review {

enum class ActionStatus {
  kDraft,
  kSubmitted,
  kAccepted,
  kReturned,
  kInProgress,
  kDone,
  kVerifiedAchieved,
  kVerifiedNotAchieved,
};

// Every status, in the order above (for tables and tests).
const std::vector<ActionStatus>& AllActionStatuses();

// "draft", "submitted", "accepted", "returned", "in_progress", "done",
// "verified_achieved", "verified_not_achieved".
absl::string_view ActionStatusName(ActionStatus status);

// The statuses `from` may move to, in the order above; empty for the final
// verified statuses.
std::vector<ActionStatus> AllowedNextStatuses(ActionStatus from);

// OK when `from` → `to` is a step of the life above; otherwise
// FAILED_PRECONDITION naming both statuses and the allowed next ones, e.g.
// `an action item cannot go from "submitted" to "done": from "submitted" it
// can go to "accepted" or "returned"`. Staying in the same status is not a
// transition and is refused too.
absl::Status CheckTransition(ActionStatus from, ActionStatus to);

// True for draft and returned: the only statuses whose content may change.
bool IsEditable(ActionStatus status);

// OK for an editable status; FAILED_PRECONDITION naming the status otherwise.
absl::Status CheckEditable(ActionStatus status);

// True once the work is finished: done or verified (achieved or not).
bool IsFinished(ActionStatus status);

// Past its due date and not finished: `today` > `due` (on the due day itself
// an item is not yet overdue) and !IsFinished(status).
bool IsOverdue(ActionStatus status, absl::CivilDay due, absl::CivilDay today);

// Whole days past the due date of an overdue item (1 on the day after the
// due day); 0 when it is not overdue.
int64_t DaysOverdue(ActionStatus status, absl::CivilDay due, absl::CivilDay today);

// Progress reports are due every 10 days while an item is in progress.
inline constexpr int64_t kProgressIntervalDays = 10;

struct ProgressSchedule {
  absl::CivilDay next_due;  // the day the next progress report is due
  bool late = false;        // today is after next_due
  int64_t days_late = 0;    // today − next_due when late, else 0
};

// The next progress report of an item in progress: due kProgressIntervalDays
// after `last_report` (the day of the last progress report, or the day the
// item was accepted when none has been filed yet). A report filed on the due
// day is on time; it is late from the day after.
ProgressSchedule NextProgressReport(absl::CivilDay last_report, absl::CivilDay today);

}  // namespace attain::review
