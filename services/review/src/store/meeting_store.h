// Storage of review committees and their meetings (attendance, minutes)
// behind small interfaces (ARCHITECTURE.md §3). A MeetingTx is one
// transaction of one tenant: everything done through it commits together or
// not at all. No pqxx, grpc or proto types here.
//
// Times are the caller's (its Clock), so that tests can pin them; the store
// writes them as given.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace attain {
class PgPool;      // common/pg.h, kept out of this header (no pqxx here)
struct Migration;  // common/pg.h
}  // namespace attain

namespace attain::review {

enum class CommitteeRole { kChair, kViceChair, kSecretaryGeneral, kMember };

// "chair", "vice_chair", "secretary_general", "member" (the stored names).
absl::string_view CommitteeRoleName(CommitteeRole role);

struct CommitteeMemberRecord {
  std::string person_id;
  std::string name;
  CommitteeRole role = CommitteeRole::kMember;
  std::string department;
  bool department_manager = false;
};

struct CommitteeRecord {
  std::string committee_id;
  std::string name;
  std::string unit_id;
  std::vector<CommitteeMemberRecord> members;  // in the order given
  int64_t version = 0;                         // from 1
  absl::Time create_time;
  absl::Time update_time;
  std::string updated_by;  // subject of the last change
};

enum class MeetingStatus { kScheduled, kInProgress, kClosed, kCancelled };

// "scheduled", "in_progress", "closed", "cancelled" (the stored names).
absl::string_view MeetingStatusName(MeetingStatus status);

enum class Attendance { kUnspecified, kPresent, kAbsent, kExcused };

// "unspecified", "present", "absent", "excused" (the stored names).
absl::string_view AttendanceName(Attendance attendance);

struct InviteeRecord {
  std::string person_id;
  Attendance attendance = Attendance::kUnspecified;
};

struct MeetingRecord {
  std::string meeting_id;
  std::string committee_id;
  std::string series_id;  // "" for a one-off meeting
  std::string title;
  std::string purpose;
  std::string period;               // canonical text (common/period.h)
  absl::CivilDay period_first_day;  // its first day
  absl::Time start_time;
  int32_t duration_minutes = 0;
  std::string minute_taker_id;
  std::vector<InviteeRecord> invitees;  // in the order given
  MeetingStatus status = MeetingStatus::kScheduled;
  std::string cancel_reason;
  // Read only (computed by the store): the committee's previous meeting by
  // start time (then meeting id) that is not cancelled; "" for the first.
  std::string previous_meeting_id;
  int64_t version = 0;  // from 1
  absl::Time create_time;
  std::string created_by;
  std::optional<absl::Time> start_record_time;
  std::optional<absl::Time> end_record_time;

  // Whether `person_id` is invited.
  bool IsInvited(absl::string_view person_id) const;
};

// A series of meetings scheduled together.
struct SeriesRecord {
  std::string series_id;
  std::string committee_id;
  std::string cadence;  // "monthly" or "quarterly"
  std::string first_period;
  int32_t count = 0;
  absl::Time create_time;
  std::string created_by;
};

enum class MinutesKind { kNote, kDecision };

// "note", "decision" (the stored names).
absl::string_view MinutesKindName(MinutesKind kind);

struct MinutesEntryRecord {
  int64_t sequence = 0;  // 1, 2, 3 … within the meeting; assigned by the store
  std::string speaker_id;
  std::string text;  // verbatim
  MinutesKind kind = MinutesKind::kNote;
  std::string recorded_by;
  absl::Time record_time;
};

// Which meetings ListMeetings returns; empty / unset fields do not filter.
struct MeetingFilter {
  std::string committee_id;
  std::optional<MeetingStatus> status;
  std::string period;      // canonical
  std::string invitee_id;  // only meetings this person is invited to
};

// Where a page of meetings starts: after this (start_time, meeting_id).
struct MeetingPageKey {
  absl::Time start_time;
  std::string meeting_id;
};

// A deviation of actual from plan as the evaluation gave it (metric values in
// the metric's unit: money in minor units of currency_code).
struct DeviationRecord {
  std::string metric;  // metric name (common/metric.h), e.g. "sales_amount"
  int64_t target = 0;
  int64_t actual = 0;
  int64_t gap = 0;  // actual − target
  std::optional<int64_t> attainment_bp;
  std::string currency_code;
};

// One agenda item as stored. `kind` is "previous_actions", "presentation",
// "free_discussion" or "spare"; a presentation names its presenter
// (presenter_kind "rep" or "unit") and its deviation.
struct AgendaItemRecord {
  std::string item_id;
  int32_t position = 0;  // from 1
  std::string kind;
  std::string title;
  std::string presenter_kind;  // "" unless a presentation
  std::string presenter_id;
  std::string presenter_name;
  std::optional<DeviationRecord> deviation;
  int32_t minutes = 0;
  int32_t start_offset_minutes = 0;
};

// A presenter the agenda could not fit.
struct LeftOutRecord {
  std::string presenter_kind;  // "rep" or "unit"
  std::string presenter_id;
  std::string presenter_name;
  DeviationRecord deviation;
  std::string reason;
};

// A meeting's agenda (one per meeting).
struct AgendaRecord {
  std::string meeting_id;
  std::string evaluation_id;
  std::string presenter_level;  // "rep" or "unit"
  std::string settings_json;    // the settings it was built with, a JSON object
  int32_t total_minutes = 0;
  int32_t meeting_minutes = 0;
  std::vector<LeftOutRecord> left_out;
  std::vector<AgendaItemRecord> items;  // by position
  absl::Time create_time;
  std::string created_by;
};

// The committee's inquiry into a cause.
struct InquiryRecord {
  std::string confirmed_kind;  // "unspecified", "internal", "external"
  std::vector<std::string> related_departments;
  std::string responsible_department;
  std::string responsible_person_id;
  std::string notes;
};

// A cause of a report's deviation (step 2) with its step-3 answer.
struct CauseRecord {
  std::string cause_id;
  std::string description;
  std::string kind;    // "unspecified", "internal", "external"
  int64_t impact = 0;  // the deviation's metric unit
  std::string improvement_proposal;
  std::string resource_description;
  int64_t resource_amount = 0;  // minor units
  std::string resource_currency;
  std::optional<InquiryRecord> inquiry;
  std::vector<std::string> five_whys;
};

// A presenter's three-step report.
struct ReportRecord {
  std::string report_id;
  std::string meeting_id;
  std::string agenda_item_id;
  std::string presenter_kind;  // "rep" or "unit"
  std::string presenter_id;
  DeviationRecord deviation;
  std::vector<CauseRecord> causes;  // in the order first put
  std::string status;               // "draft" or "submitted"
  int64_t version = 0;              // from 1
  absl::Time create_time;
  std::string created_by;
  absl::Time update_time;
  std::optional<absl::Time> submit_time;
  std::string submitted_by;
};

class MeetingTx {
 public:
  virtual ~MeetingTx() = default;

  // --- committees
  // A committee with its members; nullopt if there is none. With
  // `for_update`, it stays locked until the transaction ends.
  virtual absl::StatusOr<std::optional<CommitteeRecord>> FindCommittee(
      const std::string& committee_id, bool for_update) = 0;
  // Creates a committee as given (version, times and updated_by included);
  // ALREADY_EXISTS if the id is taken.
  virtual absl::Status InsertCommittee(const CommitteeRecord& rec) = 0;
  // Replaces an existing committee's name, unit, members, version,
  // update_time and updated_by with `rec`'s; NOT_FOUND if it does not exist.
  virtual absl::Status UpdateCommittee(const CommitteeRecord& rec) = 0;
  // Committees ordered by committee_id, after `after_id`.
  virtual absl::StatusOr<std::vector<CommitteeRecord>> ListCommittees(const std::string& after_id,
                                                                      int limit) = 0;

  // --- meetings
  // Records a series (its meetings are inserted with InsertMeeting).
  virtual absl::Status InsertSeries(const SeriesRecord& rec) = 0;
  // Creates a meeting with its invitees as given (previous_meeting_id is
  // ignored); ALREADY_EXISTS if the id is taken, FAILED_PRECONDITION if the
  // committee does not exist.
  virtual absl::Status InsertMeeting(const MeetingRecord& rec) = 0;
  // A meeting with its invitees and previous meeting; nullopt if there is
  // none. With `for_update`, the meeting row stays locked until the
  // transaction ends (status changes, attendance and minutes of one meeting
  // queue up behind each other).
  virtual absl::StatusOr<std::optional<MeetingRecord>> FindMeeting(const std::string& meeting_id,
                                                                   bool for_update) = 0;
  // Meetings by start time, then meeting id, after `after` (nullopt: from the
  // first).
  virtual absl::StatusOr<std::vector<MeetingRecord>> ListMeetings(
      const MeetingFilter& filter, const std::optional<MeetingPageKey>& after, int limit) = 0;
  // Writes a meeting's status, cancel_reason, version, start_record_time and
  // end_record_time from `rec`. A closed or cancelled meeting is
  // FAILED_PRECONDITION (the database refuses it too).
  virtual absl::Status UpdateMeetingStatus(const MeetingRecord& rec) = 0;
  // Sets the attendance of invitees (person id → attendance), recorded by
  // `recorded_by` at `when`, and the meeting's version to `version`.
  // INVALID_ARGUMENT naming a person who is not invited.
  virtual absl::Status RecordAttendance(const std::string& meeting_id,
                                        const std::map<std::string, Attendance>& attendance,
                                        const std::string& recorded_by, absl::Time when,
                                        int64_t version) = 0;

  // --- minutes
  // Appends an entry to a meeting's minutes, filling its sequence (one more
  // than the last). The meeting must be locked (FindMeeting for_update) and
  // in progress; FAILED_PRECONDITION otherwise (the database refuses it too).
  virtual absl::Status AppendMinutes(const std::string& meeting_id, MinutesEntryRecord& entry) = 0;
  // Entries by sequence, after `after_sequence`.
  virtual absl::StatusOr<std::vector<MinutesEntryRecord>> ListMinutes(const std::string& meeting_id,
                                                                      int64_t after_sequence,
                                                                      int limit) = 0;

  // --- agendas and reports (migration 001's agendas, agenda_items, reports,
  // report_causes). A closed or cancelled meeting's are FAILED_PRECONDITION
  // to change (the database refuses it too).
  // The meeting's agenda with its items; nullopt before one is generated.
  virtual absl::StatusOr<std::optional<AgendaRecord>> FindAgenda(const std::string& meeting_id) = 0;
  // Stores `rec` as the meeting's agenda, replacing an earlier one and its
  // items whole.
  virtual absl::Status ReplaceAgenda(const AgendaRecord& rec) = 0;
  // Rewrites the minutes, positions and start offsets of the agenda's items
  // (matched by item_id) and its total_minutes.
  virtual absl::Status UpdateAgendaItems(const std::string& meeting_id,
                                         const std::vector<AgendaItemRecord>& items,
                                         int32_t total_minutes) = 0;
  // Sets the meeting's version (an agenda change counts as a change of the
  // meeting); NOT_FOUND if it does not exist.
  virtual absl::Status SetMeetingVersion(const std::string& meeting_id, int64_t version) = 0;
  // How many reports the meeting has.
  virtual absl::StatusOr<int64_t> CountReports(const std::string& meeting_id) = 0;
  // Creates a report (with no causes); ALREADY_EXISTS naming the report that
  // an agenda item already has.
  virtual absl::Status InsertReport(const ReportRecord& rec) = 0;
  // A report with its causes; nullopt if none. With `for_update` the report
  // stays locked until the transaction ends.
  virtual absl::StatusOr<std::optional<ReportRecord>> FindReport(const std::string& report_id,
                                                                 bool for_update) = 0;
  // A meeting's reports with their causes, in agenda order (then report id).
  virtual absl::StatusOr<std::vector<ReportRecord>> ListReports(const std::string& meeting_id) = 0;
  // Adds a cause at the end of the report's causes, or replaces the one with
  // the same cause_id in place.
  virtual absl::Status PutCause(const std::string& report_id, const CauseRecord& cause) = 0;
  // Writes the report's status, version, update_time, submit_time and
  // submitted_by.
  virtual absl::Status UpdateReport(const ReportRecord& rec) = 0;
};

class MeetingStore {
 public:
  using Tx = MeetingTx;
  virtual ~MeetingStore() = default;

  // Runs `fn` in one read-write transaction for `tenant`; commits if it
  // returns a value. With a non-empty request_id, the first successful call's
  // returned bytes are stored with `method` and `fingerprint` (the request's
  // bytes without its request_id); a later call with the same id returns them
  // without running `fn` if method and fingerprint match, and is
  // ALREADY_EXISTS otherwise (one request_id names one request).
  virtual absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(MeetingTx&)>& fn) = 0;

  // Runs `fn` in a read-only transaction for `tenant`.
  virtual absl::Status Read(const std::string& tenant,
                            const std::function<absl::Status(MeetingTx&)>& fn) = 0;

  // The bytes Mutate stored for `request_id` (nullopt if none, or for an
  // empty id), checked as Mutate checks them: ALREADY_EXISTS when the id
  // named another method or request. For calls that read other services
  // before mutating: a retry is answered without them.
  virtual absl::StatusOr<std::optional<std::string>> StoredResponse(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint) = 0;
};

// The migrations of schema `review`, embedded from services/review/migrations
// (attain_embed_migrations(review_lib … attain::review) in
// services/review/CMakeLists.txt).
const std::vector<attain::Migration>& Migrations();

// MeetingStore on PostgreSQL, schema `review` (services/review/migrations):
// every statement parameterised and filtered by tenant_id. Thread-safe: each
// call checks out its own connection.
class PgMeetingStore : public MeetingStore {
 public:
  // `pool` must outlive the store.
  explicit PgMeetingStore(PgPool& pool) : pool_(pool) {}

  // Applies the migrations of schema `review` not yet applied.
  static absl::Status Migrate(PgPool& pool);

  // Idempotency through review.requests (common/pg_requests.h): a call with
  // a request_id takes a transaction-scoped advisory lock on (tenant,
  // request_id); ABORTED is retried up to 3 times, running `fn` again.
  absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(MeetingTx&)>& fn) override;

  absl::Status Read(const std::string& tenant,
                    const std::function<absl::Status(MeetingTx&)>& fn) override;

  absl::StatusOr<std::optional<std::string>> StoredResponse(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint) override;

 private:
  PgPool& pool_;
};

}  // namespace attain::review
