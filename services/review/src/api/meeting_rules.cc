#include "services/review/src/api/meeting_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

namespace attain::review {

absl::string_view StatusLabel(MeetingStatus status) {
  switch (status) {
    case MeetingStatus::kScheduled:
      return "SCHEDULED";
    case MeetingStatus::kInProgress:
      return "IN_PROGRESS";
    case MeetingStatus::kClosed:
      return "CLOSED";
    case MeetingStatus::kCancelled:
      return "CANCELLED";
  }
  return "UNSPECIFIED";
}

std::vector<MeetingStatus> AllowedNextStatuses(MeetingStatus from) {
  switch (from) {
    case MeetingStatus::kScheduled:
      return {MeetingStatus::kInProgress, MeetingStatus::kCancelled};
    case MeetingStatus::kInProgress:
      return {MeetingStatus::kClosed, MeetingStatus::kCancelled};
    case MeetingStatus::kClosed:
    case MeetingStatus::kCancelled:
      return {};
  }
  return {};
}

absl::Status CheckStatusChange(const std::string& meeting_id, MeetingStatus from,
                               MeetingStatus to) {
  const std::vector<MeetingStatus> allowed = AllowedNextStatuses(from);
  for (MeetingStatus s : allowed) {
    if (s == to) return absl::OkStatus();
  }
  std::string moves;
  if (allowed.empty()) {
    moves = absl::StrCat(StatusLabel(from), " is final: its record is read-only");
  } else {
    moves = absl::StrCat("from ", StatusLabel(from), " it can become ",
                         absl::StrJoin(allowed, " or ", [](std::string* out, MeetingStatus s) {
                           absl::StrAppend(out, StatusLabel(s));
                         }));
  }
  if (from == to) {
    return absl::FailedPreconditionError(
        absl::StrFormat("meeting \"%s\" is already %s: %s", meeting_id, StatusLabel(from), moves));
  }
  return absl::FailedPreconditionError(
      absl::StrFormat("meeting \"%s\" is %s and cannot become %s: %s", meeting_id,
                      StatusLabel(from), StatusLabel(to), moves));
}

bool IsReadOnly(MeetingStatus status) {
  return status == MeetingStatus::kClosed || status == MeetingStatus::kCancelled;
}

absl::Status CheckNotReadOnly(const MeetingRecord& meeting, absl::string_view what) {
  if (!IsReadOnly(meeting.status)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrFormat("meeting \"%s\" is %s: its record is read-only, so its %s cannot change",
                      meeting.meeting_id, StatusLabel(meeting.status), what));
}

RoleSet MeetingManagerRoles() {
  return {Role::kAdmin, Role::kCommitteeSecretary, Role::kCommitteeMember};
}

RoleSet MeetingReaderRoles() {
  return {Role::kAdmin, Role::kDirector,           Role::kManager,         Role::kRep,
          Role::kHr,    Role::kCommitteeSecretary, Role::kCommitteeMember, Role::kService};
}

RoleSet MinutesWriterRoles() {
  return {Role::kAdmin, Role::kDirector,           Role::kManager,        Role::kRep,
          Role::kHr,    Role::kCommitteeSecretary, Role::kCommitteeMember};
}

absl::Status CheckCanManage(const Principal& p, const CommitteeRecord& committee) {
  if (p.role == Role::kAdmin || p.role == Role::kCommitteeSecretary) return absl::OkStatus();
  if (p.role == Role::kCommitteeMember) {
    for (const CommitteeMemberRecord& m : committee.members) {
      if (m.person_id == p.subject &&
          (m.role == CommitteeRole::kChair || m.role == CommitteeRole::kSecretaryGeneral)) {
        return absl::OkStatus();
      }
    }
    return absl::PermissionDeniedError(absl::StrFormat(
        "\"%s\" is not the chair or secretary-general of committee \"%s\": a committee member "
        "manages meetings only in one of those roles",
        p.subject, committee.committee_id));
  }
  return absl::PermissionDeniedError(
      absl::StrFormat("role '%s' may not manage meetings of committee \"%s\"", RoleName(p.role),
                      committee.committee_id));
}

absl::Status CheckCanRead(const Principal& p, const MeetingRecord& meeting) {
  if (p.role != Role::kRep || meeting.IsInvited(p.subject)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "rep \"%s\" is not invited to meeting \"%s\": a rep reads only the meetings they are "
      "invited to",
      p.subject, meeting.meeting_id));
}

absl::Status CheckCanTakeMinutes(const Principal& p, const MeetingRecord& meeting) {
  if (p.role == Role::kAdmin || p.subject == meeting.minute_taker_id) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "\"%s\" is not the minute taker of meeting \"%s\" (\"%s\" is): only the minute taker "
      "(or an admin) adds minutes",
      p.subject, meeting.meeting_id, meeting.minute_taker_id));
}

std::vector<SeriesSlot> PlanSeries(const Period& first, int count, absl::Time first_start,
                                   absl::TimeZone tz) {
  const absl::CivilSecond local = absl::ToCivilSecond(first_start, tz);
  const absl::Duration fraction = first_start - absl::FromCivil(local, tz);
  const absl::CivilDay local_day(local);
  const absl::CivilDay after_first = first.last_day() + 1;
  const absl::civil_diff_t day_offset = local_day - after_first;
  const absl::civil_diff_t time_of_day = local - absl::CivilSecond(local_day);

  std::vector<SeriesSlot> out;
  Period period = first;
  for (int k = 0; k < count; ++k) {
    const absl::CivilDay day = period.last_day() + 1 + day_offset;
    const absl::Time start = absl::FromCivil(absl::CivilSecond(day) + time_of_day, tz) + fraction;
    out.push_back({period, start});
    period = period.Next();
  }
  return out;
}

}  // namespace attain::review
