// The rules of meetings that the handlers share (no I/O): the status moves,
// the read-only record of a closed or cancelled meeting, who manages and who
// reads a meeting (protos/attain/review/v1/meeting_service.proto, ARCHITECTURE
// §10), and the start times of a series.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/period.h"
#include "common/rpc.h"
#include "services/review/src/store/meeting_store.h"

namespace attain::review {

// "SCHEDULED", "IN_PROGRESS", "CLOSED", "CANCELLED": the API's names, for
// messages.
absl::string_view StatusLabel(MeetingStatus status);

// The statuses a meeting in `from` may move to: SCHEDULED → IN_PROGRESS or
// CANCELLED; IN_PROGRESS → CLOSED or CANCELLED; none from CLOSED/CANCELLED.
std::vector<MeetingStatus> AllowedNextStatuses(MeetingStatus from);

// OK when `from` → `to` is one of those moves; FAILED_PRECONDITION naming the
// meeting, both statuses and the allowed moves otherwise, e.g. `meeting
// "m-1" is SCHEDULED and cannot become CLOSED: from SCHEDULED it can become
// IN_PROGRESS or CANCELLED`.
absl::Status CheckStatusChange(const std::string& meeting_id, MeetingStatus from, MeetingStatus to);

// True for CLOSED and CANCELLED: the meeting's record no longer changes.
bool IsReadOnly(MeetingStatus status);

// FAILED_PRECONDITION when the meeting is closed or cancelled, saying that
// `what` (e.g. "attendance") cannot change.
absl::Status CheckNotReadOnly(const MeetingRecord& meeting, absl::string_view what);

// Roles that may manage meetings at all (the token's role); a committee-member
// token must moreover be the committee's chair or secretary-general
// (CheckCanManage).
RoleSet MeetingManagerRoles();
// Roles that read meetings and committees: every role but crm-ingest and
// finance. A rep reads only the meetings they are invited to (CheckCanRead).
RoleSet MeetingReaderRoles();
// Roles that may add minutes at all: those of a person (no crm-ingest,
// finance or service token); the subject must be the meeting's minute taker
// unless the role is admin (CheckCanTakeMinutes).
RoleSet MinutesWriterRoles();

// OK when `p` may manage the committee's meetings: admin and
// committee-secretary tokens, and a committee-member token whose subject is
// the committee's chair or secretary-general. PERMISSION_DENIED otherwise.
absl::Status CheckCanManage(const Principal& p, const CommitteeRecord& committee);

// OK when `p` may read `meeting`: a rep only when invited. PERMISSION_DENIED
// otherwise.
absl::Status CheckCanRead(const Principal& p, const MeetingRecord& meeting);

// OK when `p` may add minutes to `meeting`: its minute taker, or admin.
absl::Status CheckCanTakeMinutes(const Principal& p, const MeetingRecord& meeting);

// The start of each meeting of a series: meeting k reviews the k-th period
// from `first` on and starts as long after the end of its period as
// `first_start` is after the end of `first`, counted in whole days and the
// time of day in `tz` (so "the 5th of the next month at 09:00" stays that
// across months of different lengths and across daylight saving changes).
struct SeriesSlot {
  Period period;
  absl::Time start;
};
std::vector<SeriesSlot> PlanSeries(const Period& first, int count, absl::Time first_start,
                                   absl::TimeZone tz);

}  // namespace attain::review
