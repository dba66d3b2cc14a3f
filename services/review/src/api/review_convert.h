// attain.review.v1 committee and meeting messages ↔ the store's records
// (store/meeting_store.h), with the checks of a committee as the API states
// them (committee_service.proto).
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "attain/review/v1/committee_service.pb.h"
#include "attain/review/v1/meeting_service.pb.h"
#include "services/review/src/store/meeting_store.h"

namespace attain::review {

// Limits of the API's texts, in characters.
inline constexpr int kMaxNameChars = 200;        // committee and member names, titles
inline constexpr int kMaxDepartmentChars = 100;  // a member's department
inline constexpr int kMaxPurposeChars = 2000;    // a meeting's purpose, a cancel reason
inline constexpr int kMaxMinutesChars = 8000;    // one minutes entry
inline constexpr int kMaxMembers = 100;          // members of a committee
inline constexpr int kMaxInvitees = 200;         // invitees of a meeting

// The members of a committee as the request gives them, checked:
// `field` is the request's path of the list (e.g. "committee.members"). Each
// member's person_id (1-128 printable characters, distinct), name (1-200),
// role (set), department (1-100); exactly one chair and one
// secretary-general. INVALID_ARGUMENT naming the first problem's path.
absl::StatusOr<std::vector<CommitteeMemberRecord>> MembersFromProto(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::CommitteeMember>& members);

// The committee's name (1-200 characters) and unit_id (an id), checked with
// their paths under `prefix` (e.g. "committee.").
absl::Status ValidateCommitteeName(absl::string_view prefix, const std::string& name);
absl::Status ValidateUnitId(absl::string_view prefix, const std::string& unit_id);

void CommitteeToProto(const CommitteeRecord& rec, v1::Committee* out);

// MEETING_STATUS_* ↔ MeetingStatus; nullopt for UNSPECIFIED or an unknown value.
std::optional<MeetingStatus> StatusFromProto(v1::MeetingStatus status);
v1::MeetingStatus StatusToProto(MeetingStatus status);

// ATTENDANCE_* ↔ Attendance; nullopt for an unknown value.
std::optional<Attendance> AttendanceFromProto(v1::Attendance attendance);
v1::Attendance AttendanceToProto(Attendance attendance);

// MINUTES_ENTRY_KIND_* ↔ MinutesKind; nullopt for UNSPECIFIED or an unknown value.
std::optional<MinutesKind> MinutesKindFromProto(v1::MinutesEntryKind kind);

void MeetingToProto(const MeetingRecord& rec, v1::Meeting* out);
void MinutesEntryToProto(const MinutesEntryRecord& rec, v1::MinutesEntry* out);

}  // namespace attain::review
