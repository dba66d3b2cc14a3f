#include "services/review/src/api/review_convert.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/review/src/api/request_checks.h"

namespace attain::review {
namespace {

std::optional<CommitteeRole> RoleFromProto(v1::CommitteeRole role) {
  switch (role) {
    case v1::COMMITTEE_ROLE_CHAIR:
      return CommitteeRole::kChair;
    case v1::COMMITTEE_ROLE_VICE_CHAIR:
      return CommitteeRole::kViceChair;
    case v1::COMMITTEE_ROLE_SECRETARY_GENERAL:
      return CommitteeRole::kSecretaryGeneral;
    case v1::COMMITTEE_ROLE_MEMBER:
      return CommitteeRole::kMember;
    default:
      return std::nullopt;
  }
}

v1::CommitteeRole RoleToProto(CommitteeRole role) {
  switch (role) {
    case CommitteeRole::kChair:
      return v1::COMMITTEE_ROLE_CHAIR;
    case CommitteeRole::kViceChair:
      return v1::COMMITTEE_ROLE_VICE_CHAIR;
    case CommitteeRole::kSecretaryGeneral:
      return v1::COMMITTEE_ROLE_SECRETARY_GENERAL;
    case CommitteeRole::kMember:
      return v1::COMMITTEE_ROLE_MEMBER;
  }
  return v1::COMMITTEE_ROLE_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<std::vector<CommitteeMemberRecord>> MembersFromProto(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::CommitteeMember>& members) {
  if (members.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is empty: a committee needs at least its chair and its secretary-general"));
  }
  if (members.size() > kMaxMembers) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has ", members.size(), " members; at most ", kMaxMembers));
  }
  std::vector<CommitteeMemberRecord> out;
  absl::flat_hash_set<std::string> seen;
  int chairs = 0;
  int secretaries = 0;
  for (int i = 0; i < members.size(); ++i) {
    const v1::CommitteeMember& m = members[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(ValidatePersonId(absl::StrCat(at, ".person_id"), m.person_id()));
    if (!seen.insert(m.person_id()).second) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s.person_id \"%s\" is listed twice: each person sits on a committee once", at,
          m.person_id()));
    }
    RETURN_IF_ERROR(ValidateText(absl::StrCat(at, ".name"), m.name(), 1, kMaxNameChars,
                                 /*multiline=*/false));
    std::optional<CommitteeRole> role = RoleFromProto(m.role());
    if (!role) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".role is ",
          m.role() == v1::COMMITTEE_ROLE_UNSPECIFIED ? "unspecified" : "not a known role",
          ": give CHAIR, VICE_CHAIR, SECRETARY_GENERAL or MEMBER"));
    }
    RETURN_IF_ERROR(ValidateText(absl::StrCat(at, ".department"), m.department(), 1,
                                 kMaxDepartmentChars, /*multiline=*/false));
    chairs += *role == CommitteeRole::kChair;
    secretaries += *role == CommitteeRole::kSecretaryGeneral;
    out.push_back({m.person_id(), m.name(), *role, m.department(), m.department_manager()});
  }
  if (chairs != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, chairs == 0 ? " has no chair" : absl::StrCat(" has ", chairs, " chairs"),
        ": a committee has exactly one member with role CHAIR"));
  }
  if (secretaries != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     secretaries == 0 ? " has no secretary-general"
                                      : absl::StrCat(" has ", secretaries, " secretaries-general"),
                     ": a committee has exactly one member with role SECRETARY_GENERAL"));
  }
  return out;
}

absl::Status ValidateCommitteeName(absl::string_view prefix, const std::string& name) {
  return ValidateText(absl::StrCat(prefix, "name"), name, 1, kMaxNameChars, /*multiline=*/false);
}

absl::Status ValidateUnitId(absl::string_view prefix, const std::string& unit_id) {
  return ValidateId(absl::StrCat(prefix, "unit_id"), unit_id);
}

void CommitteeToProto(const CommitteeRecord& rec, v1::Committee* out) {
  out->set_committee_id(rec.committee_id);
  out->set_name(rec.name);
  out->set_unit_id(rec.unit_id);
  for (const CommitteeMemberRecord& m : rec.members) {
    v1::CommitteeMember* member = out->add_members();
    member->set_person_id(m.person_id);
    member->set_name(m.name);
    member->set_role(RoleToProto(m.role));
    member->set_department(m.department);
    member->set_department_manager(m.department_manager);
  }
  out->set_version(rec.version);
  TimeToProto(rec.create_time, out->mutable_create_time());
  TimeToProto(rec.update_time, out->mutable_update_time());
}

std::optional<MeetingStatus> StatusFromProto(v1::MeetingStatus status) {
  switch (status) {
    case v1::MEETING_STATUS_SCHEDULED:
      return MeetingStatus::kScheduled;
    case v1::MEETING_STATUS_IN_PROGRESS:
      return MeetingStatus::kInProgress;
    case v1::MEETING_STATUS_CLOSED:
      return MeetingStatus::kClosed;
    case v1::MEETING_STATUS_CANCELLED:
      return MeetingStatus::kCancelled;
    default:
      return std::nullopt;
  }
}

v1::MeetingStatus StatusToProto(MeetingStatus status) {
  switch (status) {
    case MeetingStatus::kScheduled:
      return v1::MEETING_STATUS_SCHEDULED;
    case MeetingStatus::kInProgress:
      return v1::MEETING_STATUS_IN_PROGRESS;
    case MeetingStatus::kClosed:
      return v1::MEETING_STATUS_CLOSED;
    case MeetingStatus::kCancelled:
      return v1::MEETING_STATUS_CANCELLED;
  }
  return v1::MEETING_STATUS_UNSPECIFIED;
}

std::optional<Attendance> AttendanceFromProto(v1::Attendance attendance) {
  switch (attendance) {
    case v1::ATTENDANCE_UNSPECIFIED:
      return Attendance::kUnspecified;
    case v1::ATTENDANCE_PRESENT:
      return Attendance::kPresent;
    case v1::ATTENDANCE_ABSENT:
      return Attendance::kAbsent;
    case v1::ATTENDANCE_EXCUSED:
      return Attendance::kExcused;
    default:
      return std::nullopt;
  }
}

v1::Attendance AttendanceToProto(Attendance attendance) {
  switch (attendance) {
    case Attendance::kUnspecified:
      return v1::ATTENDANCE_UNSPECIFIED;
    case Attendance::kPresent:
      return v1::ATTENDANCE_PRESENT;
    case Attendance::kAbsent:
      return v1::ATTENDANCE_ABSENT;
    case Attendance::kExcused:
      return v1::ATTENDANCE_EXCUSED;
  }
  return v1::ATTENDANCE_UNSPECIFIED;
}

std::optional<MinutesKind> MinutesKindFromProto(v1::MinutesEntryKind kind) {
  switch (kind) {
    case v1::MINUTES_ENTRY_KIND_NOTE:
      return MinutesKind::kNote;
    case v1::MINUTES_ENTRY_KIND_DECISION:
      return MinutesKind::kDecision;
    default:
      return std::nullopt;
  }
}

void MeetingToProto(const MeetingRecord& rec, v1::Meeting* out) {
  out->set_meeting_id(rec.meeting_id);
  out->set_committee_id(rec.committee_id);
  out->set_title(rec.title);
  out->set_purpose(rec.purpose);
  out->set_period(rec.period);
  TimeToProto(rec.start_time, out->mutable_start_time());
  out->set_duration_minutes(rec.duration_minutes);
  out->set_minute_taker_id(rec.minute_taker_id);
  for (const InviteeRecord& i : rec.invitees) {
    v1::Invitee* invitee = out->add_invitees();
    invitee->set_person_id(i.person_id);
    invitee->set_attendance(AttendanceToProto(i.attendance));
  }
  out->set_status(StatusToProto(rec.status));
  out->set_cancel_reason(rec.cancel_reason);
  out->set_series_id(rec.series_id);
  out->set_previous_meeting_id(rec.previous_meeting_id);
  out->set_version(rec.version);
  TimeToProto(rec.create_time, out->mutable_create_time());
  if (rec.start_record_time) TimeToProto(*rec.start_record_time, out->mutable_start_record_time());
  if (rec.end_record_time) TimeToProto(*rec.end_record_time, out->mutable_end_record_time());
}

void MinutesEntryToProto(const MinutesEntryRecord& rec, v1::MinutesEntry* out) {
  out->set_sequence(rec.sequence);
  out->set_speaker_id(rec.speaker_id);
  out->set_text(rec.text);
  out->set_kind(rec.kind == MinutesKind::kDecision ? v1::MINUTES_ENTRY_KIND_DECISION
                                                   : v1::MINUTES_ENTRY_KIND_NOTE);
  out->set_recorded_by(rec.recorded_by);
  TimeToProto(rec.record_time, out->mutable_record_time());
}

}  // namespace attain::review
