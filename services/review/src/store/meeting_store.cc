#include "services/review/src/store/meeting_store.h"

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/pg.h"
#include "common/pg_requests.h"
#include "common/status.h"
#include "nlohmann/json.hpp"

namespace attain::review {
namespace {

const absl::CivilDay kEpochDay(1970, 1, 1);

const PgRequests& Requests() {
  static const PgRequests* const kRequests = new PgRequests("review.requests");
  return *kRequests;
}

// A time as Unix microseconds, the form every statement takes times in
// (`At("$3")` turns the parameter back into a timestamptz, exactly).
int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
std::string At(absl::string_view param) {
  return absl::StrCat("(timestamptz 'epoch' + ", param, "::bigint * interval '1 microsecond')");
}
std::string MicrosOf(absl::string_view column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000000)::bigint");
}

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseName(const std::string& text, const Enum (&all)[N],
                               absl::string_view (*name)(Enum), absl::string_view what) {
  for (Enum e : all) {
    if (name(e) == text) return e;
  }
  return absl::InternalError(absl::StrFormat("stored %s \"%s\" is unknown", what, text));
}

constexpr CommitteeRole kRoles[] = {CommitteeRole::kChair, CommitteeRole::kViceChair,
                                    CommitteeRole::kSecretaryGeneral, CommitteeRole::kMember};
constexpr MeetingStatus kStatuses[] = {MeetingStatus::kScheduled, MeetingStatus::kInProgress,
                                       MeetingStatus::kClosed, MeetingStatus::kCancelled};
constexpr Attendance kAttendances[] = {Attendance::kUnspecified, Attendance::kPresent,
                                       Attendance::kAbsent, Attendance::kExcused};
constexpr MinutesKind kMinutesKinds[] = {MinutesKind::kNote, MinutesKind::kDecision};

// The columns every committee read selects, in the order CommitteeAt reads
// them; `c` is committees. Members come as one JSON array in position order.
const std::string& CommitteeColumns() {
  static const std::string* const kColumns = new std::string(absl::StrCat(
      "c.committee_id, c.name, c.unit_id, c.version, ", MicrosOf("c.create_time"), ", ",
      MicrosOf("c.update_time"), ", c.updated_by, ",
      "(SELECT coalesce(json_agg(json_build_array(m.person_id, m.name, m.role, m.department, "
      "m.department_manager) ORDER BY m.position), '[]') FROM review.committee_members m "
      "WHERE m.tenant_id = c.tenant_id AND m.committee_id = c.committee_id)::text"));
  return *kColumns;
}

absl::StatusOr<CommitteeRecord> CommitteeAt(const pqxx::row& row) {
  CommitteeRecord r;
  r.committee_id = row[0].as<std::string>();
  r.name = row[1].as<std::string>();
  r.unit_id = row[2].as<std::string>();
  r.version = row[3].as<int64_t>();
  r.create_time = PgTimeAt(row[4]);
  r.update_time = PgTimeAt(row[5]);
  r.updated_by = row[6].as<std::string>();
  const nlohmann::json members = nlohmann::json::parse(row[7].as<std::string>());
  for (const nlohmann::json& m : members) {
    CommitteeMemberRecord member;
    member.person_id = m.at(0).get<std::string>();
    member.name = m.at(1).get<std::string>();
    ASSIGN_OR_RETURN(member.role, ParseName(m.at(2).get<std::string>(), kRoles, &CommitteeRoleName,
                                            "committee role"));
    member.department = m.at(3).get<std::string>();
    member.department_manager = m.at(4).get<bool>();
    r.members.push_back(std::move(member));
  }
  return r;
}

// The columns every meeting read selects, in the order MeetingAt reads them;
// `m` is meetings. Invitees come as one JSON array in position order; the
// previous meeting is the committee's latest not-cancelled one before it.
const std::string& MeetingColumns() {
  static const std::string* const kColumns = new std::string(absl::StrCat(
      "m.meeting_id, m.committee_id, coalesce(m.series_id, ''), m.title, m.purpose, m.period, "
      "(m.period_first_day - date '1970-01-01')::bigint, ",
      MicrosOf("m.start_time"), ", m.duration_minutes, m.minute_taker_id, m.status, ",
      "m.cancel_reason, m.version, ", MicrosOf("m.create_time"), ", m.created_by, ",
      MicrosOf("m.start_record_time"), ", ", MicrosOf("m.end_record_time"), ", ",
      "(SELECT coalesce(json_agg(json_build_array(i.person_id, i.attendance) "
      "ORDER BY i.position), '[]') FROM review.meeting_invitees i "
      "WHERE i.tenant_id = m.tenant_id AND i.meeting_id = m.meeting_id)::text, ",
      "coalesce((SELECT p.meeting_id FROM review.meetings p "
      "WHERE p.tenant_id = m.tenant_id AND p.committee_id = m.committee_id "
      "AND p.status <> 'cancelled' AND (p.start_time, p.meeting_id) < (m.start_time, m.meeting_id) "
      "ORDER BY p.start_time DESC, p.meeting_id DESC LIMIT 1), '')"));
  return *kColumns;
}

absl::StatusOr<MeetingRecord> MeetingAt(const pqxx::row& row) {
  MeetingRecord r;
  r.meeting_id = row[0].as<std::string>();
  r.committee_id = row[1].as<std::string>();
  r.series_id = row[2].as<std::string>();
  r.title = row[3].as<std::string>();
  r.purpose = row[4].as<std::string>();
  r.period = row[5].as<std::string>();
  r.period_first_day = kEpochDay + row[6].as<int64_t>();
  r.start_time = PgTimeAt(row[7]);
  r.duration_minutes = row[8].as<int32_t>();
  r.minute_taker_id = row[9].as<std::string>();
  ASSIGN_OR_RETURN(r.status,
                   ParseName(row[10].as<std::string>(), kStatuses, &MeetingStatusName, "status"));
  r.cancel_reason = row[11].as<std::string>();
  r.version = row[12].as<int64_t>();
  r.create_time = PgTimeAt(row[13]);
  r.created_by = row[14].as<std::string>();
  if (!row[15].is_null()) r.start_record_time = PgTimeAt(row[15]);
  if (!row[16].is_null()) r.end_record_time = PgTimeAt(row[16]);
  const nlohmann::json invitees = nlohmann::json::parse(row[17].as<std::string>());
  for (const nlohmann::json& i : invitees) {
    InviteeRecord invitee;
    invitee.person_id = i.at(0).get<std::string>();
    ASSIGN_OR_RETURN(invitee.attendance, ParseName(i.at(1).get<std::string>(), kAttendances,
                                                   &AttendanceName, "attendance"));
    r.invitees.push_back(std::move(invitee));
  }
  r.previous_meeting_id = row[18].as<std::string>();
  return r;
}

// Optional int64 columns: NULL ↔ nullopt.
std::optional<int64_t> OptInt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<int64_t>();
}

std::string JsonArray(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

nlohmann::json DeviationJson(const DeviationRecord& d) {
  nlohmann::json j = {{"metric", d.metric},
                      {"target", d.target},
                      {"actual", d.actual},
                      {"gap", d.gap},
                      {"currency", d.currency_code}};
  if (d.attainment_bp) j["attainment_bp"] = *d.attainment_bp;
  return j;
}

DeviationRecord DeviationOfJson(const nlohmann::json& j) {
  DeviationRecord d;
  d.metric = j.value("metric", "");
  d.target = j.value("target", int64_t{0});
  d.actual = j.value("actual", int64_t{0});
  d.gap = j.value("gap", int64_t{0});
  d.currency_code = j.value("currency", "");
  if (j.contains("attainment_bp")) d.attainment_bp = j.at("attainment_bp").get<int64_t>();
  return d;
}

// The columns a report read selects, in the order ReportAt reads them; `r` is
// reports. Causes come as one JSON array in position order.
const std::string& ReportColumns() {
  static const std::string* const kColumns = new std::string(absl::StrCat(
      "r.report_id, r.meeting_id, r.agenda_item_id, r.presenter_kind, r.presenter_id, r.metric, "
      "r.target, r.actual, r.gap, r.attainment_bp, r.currency_code, r.status, r.version, ",
      MicrosOf("r.create_time"), ", r.created_by, ", MicrosOf("r.update_time"), ", ",
      MicrosOf("r.submit_time"), ", r.submitted_by, ",
      "(SELECT coalesce(json_agg(json_build_array(c.cause_id, c.description, c.kind, c.impact, "
      "c.improvement_proposal, c.resource_description, c.resource_amount, c.resource_currency, "
      "c.inquiry_confirmed_kind, c.inquiry_related_departments, "
      "c.inquiry_responsible_department, c.inquiry_responsible_person_id, c.inquiry_notes, "
      "c.five_whys) ORDER BY c.position), '[]') FROM review.report_causes c "
      "WHERE c.tenant_id = r.tenant_id AND c.report_id = r.report_id)::text"));
  return *kColumns;
}

ReportRecord ReportAt(const pqxx::row& row) {
  ReportRecord r;
  r.report_id = row[0].as<std::string>();
  r.meeting_id = row[1].as<std::string>();
  r.agenda_item_id = row[2].as<std::string>();
  r.presenter_kind = row[3].as<std::string>();
  r.presenter_id = row[4].as<std::string>();
  r.deviation.metric = row[5].as<std::string>();
  r.deviation.target = row[6].as<int64_t>();
  r.deviation.actual = row[7].as<int64_t>();
  r.deviation.gap = row[8].as<int64_t>();
  r.deviation.attainment_bp = OptInt(row[9]);
  r.deviation.currency_code = row[10].as<std::string>();
  r.status = row[11].as<std::string>();
  r.version = row[12].as<int64_t>();
  r.create_time = PgTimeAt(row[13]);
  r.created_by = row[14].as<std::string>();
  r.update_time = PgTimeAt(row[15]);
  if (!row[16].is_null()) r.submit_time = PgTimeAt(row[16]);
  r.submitted_by = row[17].as<std::string>();
  for (const nlohmann::json& c : nlohmann::json::parse(row[18].as<std::string>())) {
    CauseRecord cause;
    cause.cause_id = c.at(0).get<std::string>();
    cause.description = c.at(1).get<std::string>();
    cause.kind = c.at(2).get<std::string>();
    cause.impact = c.at(3).get<int64_t>();
    cause.improvement_proposal = c.at(4).get<std::string>();
    cause.resource_description = c.at(5).get<std::string>();
    cause.resource_amount = c.at(6).get<int64_t>();
    cause.resource_currency = c.at(7).get<std::string>();
    if (!c.at(8).is_null()) {
      InquiryRecord inq;
      inq.confirmed_kind = c.at(8).get<std::string>();
      if (!c.at(9).is_null()) inq.related_departments = c.at(9).get<std::vector<std::string>>();
      if (!c.at(10).is_null()) inq.responsible_department = c.at(10).get<std::string>();
      if (!c.at(11).is_null()) inq.responsible_person_id = c.at(11).get<std::string>();
      if (!c.at(12).is_null()) inq.notes = c.at(12).get<std::string>();
      cause.inquiry = std::move(inq);
    }
    if (!c.at(13).is_null()) cause.five_whys = c.at(13).get<std::vector<std::string>>();
    r.causes.push_back(std::move(cause));
  }
  return r;
}

absl::Status CommitteeNotFound(const std::string& committee_id) {
  return absl::NotFoundError(absl::StrFormat(
      "committee \"%s\" does not exist (ListCommittees shows this tenant's committees)",
      committee_id));
}

class PgMeetingTx final : public MeetingTx {
 public:
  PgMeetingTx(pqxx::transaction_base& txn, std::string tenant)
      : txn_(txn), tenant_(std::move(tenant)) {}

  absl::StatusOr<std::optional<CommitteeRecord>> FindCommittee(const std::string& committee_id,
                                                               bool for_update) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<CommitteeRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", CommitteeColumns(),
                       " FROM review.committees c WHERE c.tenant_id = $1 AND c.committee_id = $2",
                       for_update ? " FOR UPDATE OF c" : ""),
          tenant_, committee_id);
      if (r.empty()) return std::nullopt;
      ASSIGN_OR_RETURN(CommitteeRecord rec, CommitteeAt(r[0]));
      return rec;
    });
  }

  absl::Status InsertCommittee(const CommitteeRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result head = txn_.exec_params(
          absl::StrCat(
              "INSERT INTO review.committees (tenant_id, committee_id, name, unit_id, "
              "version, create_time, update_time, updated_by) VALUES ($1, $2, $3, $4, $5, ",
              At("$6"), ", ", At("$7"), ", $8) ON CONFLICT DO NOTHING RETURNING 1"),
          tenant_, rec.committee_id, rec.name, rec.unit_id, rec.version, Micros(rec.create_time),
          Micros(rec.update_time), rec.updated_by);
      if (head.empty()) {
        return absl::AlreadyExistsError(
            absl::StrFormat("committee \"%s\" already exists: update it (UpdateCommittee) or "
                            "choose another committee_id",
                            rec.committee_id));
      }
      return InsertMembers(rec);
    });
  }

  absl::Status UpdateCommittee(const CommitteeRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result head = txn_.exec_params(
          absl::StrCat("UPDATE review.committees SET name = $3, unit_id = $4, version = $5, "
                       "update_time = ",
                       At("$6"), ", updated_by = $7 WHERE tenant_id = $1 AND committee_id = $2 ",
                       "RETURNING 1"),
          tenant_, rec.committee_id, rec.name, rec.unit_id, rec.version, Micros(rec.update_time),
          rec.updated_by);
      if (head.empty()) return CommitteeNotFound(rec.committee_id);
      txn_.exec_params(
          "DELETE FROM review.committee_members WHERE tenant_id = $1 AND committee_id = $2",
          tenant_, rec.committee_id);
      return InsertMembers(rec);
    });
  }

  absl::StatusOr<std::vector<CommitteeRecord>> ListCommittees(const std::string& after_id,
                                                              int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<CommitteeRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", CommitteeColumns(),
                       " FROM review.committees c WHERE c.tenant_id = $1 AND c.committee_id > $2"
                       " ORDER BY c.committee_id LIMIT $3"),
          tenant_, after_id, limit);
      std::vector<CommitteeRecord> out;
      for (const pqxx::row& row : r) {
        ASSIGN_OR_RETURN(CommitteeRecord rec, CommitteeAt(row));
        out.push_back(std::move(rec));
      }
      return out;
    });
  }

  absl::Status InsertSeries(const SeriesRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      txn_.exec_params(
          absl::StrCat("INSERT INTO review.meeting_series (tenant_id, series_id, committee_id, "
                       "cadence, first_period, count, create_time, created_by) "
                       "VALUES ($1, $2, $3, $4, $5, $6, ",
                       At("$7"), ", $8)"),
          tenant_, rec.series_id, rec.committee_id, rec.cadence, rec.first_period, rec.count,
          Micros(rec.create_time), rec.created_by);
      return absl::OkStatus();
    });
  }

  absl::Status InsertMeeting(const MeetingRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result head = txn_.exec_params(
          absl::StrCat(
              "INSERT INTO review.meetings (tenant_id, meeting_id, committee_id, series_id, title, "
              "purpose, period, period_first_day, start_time, duration_minutes, minute_taker_id, "
              "status, cancel_reason, version, create_time, created_by) "
              "VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8::date, ",
              At("$9"), ", $10, $11, $12, $13, $14, ", At("$15"),
              ", $16) ON CONFLICT DO NOTHING RETURNING 1"),
          tenant_, rec.meeting_id, rec.committee_id, rec.series_id, rec.title, rec.purpose,
          rec.period, absl::FormatCivilTime(rec.period_first_day), Micros(rec.start_time),
          rec.duration_minutes, rec.minute_taker_id, std::string(MeetingStatusName(rec.status)),
          rec.cancel_reason, rec.version, Micros(rec.create_time), rec.created_by);
      if (head.empty()) {
        return absl::AlreadyExistsError(
            absl::StrFormat("meeting \"%s\" already exists", rec.meeting_id));
      }
      for (size_t i = 0; i < rec.invitees.size(); ++i) {
        txn_.exec_params(
            "INSERT INTO review.meeting_invitees (tenant_id, meeting_id, person_id, position, "
            "attendance) VALUES ($1, $2, $3, $4, $5)",
            tenant_, rec.meeting_id, rec.invitees[i].person_id, static_cast<int>(i),
            std::string(AttendanceName(rec.invitees[i].attendance)));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<MeetingRecord>> FindMeeting(const std::string& meeting_id,
                                                           bool for_update) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<MeetingRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", MeetingColumns(),
                       " FROM review.meetings m WHERE m.tenant_id = $1 AND m.meeting_id = $2",
                       for_update ? " FOR UPDATE OF m" : ""),
          tenant_, meeting_id);
      if (r.empty()) return std::nullopt;
      ASSIGN_OR_RETURN(MeetingRecord rec, MeetingAt(r[0]));
      return rec;
    });
  }

  absl::StatusOr<std::vector<MeetingRecord>> ListMeetings(
      const MeetingFilter& filter, const std::optional<MeetingPageKey>& after, int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<MeetingRecord>> {
      // An empty filter value matches everything, so one statement serves all.
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", MeetingColumns(),
                       " FROM review.meetings m WHERE m.tenant_id = $1"
                       " AND ($2 = '' OR m.committee_id = $2)"
                       " AND ($3 = '' OR m.status = $3)"
                       " AND ($4 = '' OR m.period = $4)"
                       " AND ($5 = '' OR EXISTS (SELECT 1 FROM review.meeting_invitees i"
                       " WHERE i.tenant_id = m.tenant_id AND i.meeting_id = m.meeting_id"
                       " AND i.person_id = $5))"
                       " AND (NOT $6 OR (m.start_time, m.meeting_id) > (",
                       At("$7"), ", $8))", " ORDER BY m.start_time, m.meeting_id LIMIT $9"),
          tenant_, filter.committee_id,
          filter.status ? std::string(MeetingStatusName(*filter.status)) : std::string(),
          filter.period, filter.invitee_id, after.has_value(),
          after ? Micros(after->start_time) : int64_t{0}, after ? after->meeting_id : std::string(),
          limit);
      std::vector<MeetingRecord> out;
      for (const pqxx::row& row : r) {
        ASSIGN_OR_RETURN(MeetingRecord rec, MeetingAt(row));
        out.push_back(std::move(rec));
      }
      return out;
    });
  }

  absl::Status UpdateMeetingStatus(const MeetingRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("UPDATE review.meetings SET status = $3, cancel_reason = $4, version = $5, "
                       "start_record_time = CASE WHEN $6 THEN ",
                       At("$7"), " END, end_record_time = CASE WHEN $8 THEN ", At("$9"),
                       " END WHERE tenant_id = $1 AND meeting_id = $2 RETURNING 1"),
          tenant_, rec.meeting_id, std::string(MeetingStatusName(rec.status)), rec.cancel_reason,
          rec.version, rec.start_record_time.has_value(),
          Micros(rec.start_record_time.value_or(absl::UnixEpoch())),
          rec.end_record_time.has_value(), Micros(rec.end_record_time.value_or(absl::UnixEpoch())));
      if (r.empty()) {
        return absl::NotFoundError(
            absl::StrFormat("meeting \"%s\" does not exist", rec.meeting_id));
      }
      return absl::OkStatus();
    });
  }

  absl::Status RecordAttendance(const std::string& meeting_id,
                                const std::map<std::string, Attendance>& attendance,
                                const std::string& recorded_by, absl::Time when,
                                int64_t version) override {
    return PgGuard([&]() -> absl::Status {
      for (const auto& [person, value] : attendance) {
        pqxx::result r = txn_.exec_params(
            absl::StrCat(
                "UPDATE review.meeting_invitees SET attendance = $4, record_time = ", At("$5"),
                ", recorded_by = $6 "
                "WHERE tenant_id = $1 AND meeting_id = $2 AND person_id = $3 RETURNING 1"),
            tenant_, meeting_id, person, std::string(AttendanceName(value)), Micros(when),
            recorded_by);
        if (r.empty()) {
          return absl::InvalidArgumentError(
              absl::StrFormat("attendance[\"%s\"]: \"%s\" is not invited to meeting \"%s\"", person,
                              person, meeting_id));
        }
      }
      pqxx::result r = txn_.exec_params(
          "UPDATE review.meetings SET version = $3 WHERE tenant_id = $1 AND meeting_id = $2 "
          "RETURNING 1",
          tenant_, meeting_id, version);
      if (r.empty()) {
        return absl::NotFoundError(absl::StrFormat("meeting \"%s\" does not exist", meeting_id));
      }
      return absl::OkStatus();
    });
  }

  absl::Status AppendMinutes(const std::string& meeting_id, MinutesEntryRecord& entry) override {
    return PgGuard([&]() -> absl::Status {
      // The meeting row is locked by the caller, so max + 1 cannot race.
      pqxx::result r = txn_.exec_params(
          absl::StrCat("INSERT INTO review.minutes (tenant_id, meeting_id, sequence, speaker_id, "
                       "text, kind, recorded_by, record_time) "
                       "SELECT $1, $2, coalesce(max(sequence), 0) + 1, $3, $4, $5, $6, ",
                       At("$7"),
                       " FROM review.minutes WHERE tenant_id = $1 AND meeting_id = $2 "
                       "RETURNING sequence"),
          tenant_, meeting_id, entry.speaker_id, entry.text,
          std::string(MinutesKindName(entry.kind)), entry.recorded_by, Micros(entry.record_time));
      entry.sequence = r[0][0].as<int64_t>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<MinutesEntryRecord>> ListMinutes(const std::string& meeting_id,
                                                              int64_t after_sequence,
                                                              int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<MinutesEntryRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT sequence, speaker_id, text, kind, recorded_by, ",
                       MicrosOf("record_time"),
                       " FROM review.minutes WHERE tenant_id = $1 AND meeting_id = $2 "
                       "AND sequence > $3 ORDER BY sequence LIMIT $4"),
          tenant_, meeting_id, after_sequence, limit);
      std::vector<MinutesEntryRecord> out;
      for (const pqxx::row& row : r) {
        MinutesEntryRecord e;
        e.sequence = row[0].as<int64_t>();
        e.speaker_id = row[1].as<std::string>();
        e.text = row[2].as<std::string>();
        ASSIGN_OR_RETURN(e.kind, ParseName(row[3].as<std::string>(), kMinutesKinds,
                                           &MinutesKindName, "minutes kind"));
        e.recorded_by = row[4].as<std::string>();
        e.record_time = PgTimeAt(row[5]);
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  absl::StatusOr<std::optional<AgendaRecord>> FindAgenda(const std::string& meeting_id) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<AgendaRecord>> {
      pqxx::result head = txn_.exec_params(
          absl::StrCat("SELECT evaluation_id, presenter_level, settings::text, total_minutes, "
                       "meeting_minutes, left_out::text, ",
                       MicrosOf("create_time"),
                       ", created_by FROM review.agendas WHERE tenant_id = $1 AND meeting_id = $2"),
          tenant_, meeting_id);
      if (head.empty()) return std::nullopt;
      AgendaRecord a;
      a.meeting_id = meeting_id;
      a.evaluation_id = head[0][0].as<std::string>();
      a.presenter_level = head[0][1].as<std::string>();
      a.settings_json = head[0][2].as<std::string>();
      a.total_minutes = head[0][3].as<int32_t>();
      a.meeting_minutes = head[0][4].as<int32_t>();
      for (const nlohmann::json& j : nlohmann::json::parse(head[0][5].as<std::string>())) {
        LeftOutRecord l;
        l.presenter_kind = j.value("presenter_kind", "");
        l.presenter_id = j.value("presenter_id", "");
        l.presenter_name = j.value("presenter_name", "");
        l.deviation = DeviationOfJson(j.at("deviation"));
        l.reason = j.value("reason", "");
        a.left_out.push_back(std::move(l));
      }
      a.create_time = PgTimeAt(head[0][6]);
      a.created_by = head[0][7].as<std::string>();
      pqxx::result items = txn_.exec_params(
          "SELECT item_id, position, kind, title, presenter_kind, presenter_id, presenter_name, "
          "metric, target, actual, gap, attainment_bp, currency_code, minutes, "
          "start_offset_minutes FROM review.agenda_items WHERE tenant_id = $1 AND meeting_id = $2 "
          "ORDER BY position",
          tenant_, meeting_id);
      for (const pqxx::row& row : items) {
        AgendaItemRecord it;
        it.item_id = row[0].as<std::string>();
        it.position = row[1].as<int32_t>();
        it.kind = row[2].as<std::string>();
        it.title = row[3].as<std::string>();
        it.presenter_kind = row[4].as<std::string>();
        it.presenter_id = row[5].as<std::string>();
        it.presenter_name = row[6].as<std::string>();
        if (!row[8].is_null()) {
          DeviationRecord d;
          d.metric = row[7].as<std::string>();
          d.target = row[8].as<int64_t>();
          d.actual = row[9].is_null() ? 0 : row[9].as<int64_t>();
          d.gap = row[10].is_null() ? d.actual - d.target : row[10].as<int64_t>();
          d.attainment_bp = OptInt(row[11]);
          d.currency_code = row[12].as<std::string>();
          it.deviation = std::move(d);
        }
        it.minutes = row[13].as<int32_t>();
        it.start_offset_minutes = row[14].as<int32_t>();
        a.items.push_back(std::move(it));
      }
      return a;
    });
  }

  absl::Status ReplaceAgenda(const AgendaRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      nlohmann::json left_out = nlohmann::json::array();
      for (const LeftOutRecord& l : rec.left_out) {
        left_out.push_back({{"presenter_kind", l.presenter_kind},
                            {"presenter_id", l.presenter_id},
                            {"presenter_name", l.presenter_name},
                            {"deviation", DeviationJson(l.deviation)},
                            {"reason", l.reason}});
      }
      txn_.exec_params("DELETE FROM review.agenda_items WHERE tenant_id = $1 AND meeting_id = $2",
                       tenant_, rec.meeting_id);
      txn_.exec_params(
          absl::StrCat("INSERT INTO review.agendas (tenant_id, meeting_id, evaluation_id, "
                       "presenter_level, settings, total_minutes, meeting_minutes, left_out, "
                       "create_time, created_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, "
                       "$8::jsonb, ",
                       At("$9"),
                       ", $10) ON CONFLICT (tenant_id, meeting_id) DO UPDATE SET "
                       "evaluation_id = EXCLUDED.evaluation_id, presenter_level = "
                       "EXCLUDED.presenter_level, settings = EXCLUDED.settings, total_minutes = "
                       "EXCLUDED.total_minutes, meeting_minutes = EXCLUDED.meeting_minutes, "
                       "left_out = EXCLUDED.left_out, create_time = EXCLUDED.create_time, "
                       "created_by = EXCLUDED.created_by"),
          tenant_, rec.meeting_id, rec.evaluation_id, rec.presenter_level,
          rec.settings_json.empty() ? std::string("{}") : rec.settings_json, rec.total_minutes,
          rec.meeting_minutes, left_out.dump(), Micros(rec.create_time), rec.created_by);
      for (const AgendaItemRecord& it : rec.items) {
        const bool dev = it.deviation.has_value();
        const DeviationRecord d = it.deviation.value_or(DeviationRecord{});
        txn_.exec_params(
            "INSERT INTO review.agenda_items (tenant_id, meeting_id, item_id, position, kind, "
            "title, presenter_kind, presenter_id, presenter_name, metric, target, actual, gap, "
            "attainment_bp, currency_code, minutes, start_offset_minutes) VALUES ($1, $2, $3, $4, "
            "$5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN $12::bigint END, CASE WHEN $11 THEN "
            "$13::bigint END, CASE WHEN $11 THEN $14::bigint END, CASE WHEN $15 THEN $16::bigint "
            "END, $17, $18, $19)",
            tenant_, rec.meeting_id, it.item_id, it.position, it.kind, it.title, it.presenter_kind,
            it.presenter_id, it.presenter_name, d.metric, dev, d.target, d.actual, d.gap,
            d.attainment_bp.has_value(), d.attainment_bp.value_or(0), d.currency_code, it.minutes,
            it.start_offset_minutes);
      }
      return absl::OkStatus();
    });
  }

  absl::Status UpdateAgendaItems(const std::string& meeting_id,
                                 const std::vector<AgendaItemRecord>& items,
                                 int32_t total_minutes) override {
    return PgGuard([&]() -> absl::Status {
      // Positions are unique at commit (deferred), so items may swap here.
      for (const AgendaItemRecord& it : items) {
        txn_.exec_params(
            "UPDATE review.agenda_items SET position = $4, minutes = $5, start_offset_minutes = $6 "
            "WHERE tenant_id = $1 AND meeting_id = $2 AND item_id = $3",
            tenant_, meeting_id, it.item_id, it.position, it.minutes, it.start_offset_minutes);
      }
      txn_.exec_params(
          "UPDATE review.agendas SET total_minutes = $3 WHERE tenant_id = $1 AND meeting_id = $2",
          tenant_, meeting_id, total_minutes);
      return absl::OkStatus();
    });
  }

  absl::Status SetMeetingVersion(const std::string& meeting_id, int64_t version) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result r = txn_.exec_params(
          "UPDATE review.meetings SET version = $3 WHERE tenant_id = $1 AND meeting_id = $2 "
          "RETURNING 1",
          tenant_, meeting_id, version);
      if (r.empty()) {
        return absl::NotFoundError(absl::StrFormat("meeting \"%s\" does not exist", meeting_id));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> CountReports(const std::string& meeting_id) override {
    return PgGuard([&]() -> absl::StatusOr<int64_t> {
      pqxx::result r = txn_.exec_params(
          "SELECT count(*) FROM review.reports WHERE tenant_id = $1 AND meeting_id = $2", tenant_,
          meeting_id);
      return r[0][0].as<int64_t>();
    });
  }

  absl::Status InsertReport(const ReportRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result existing = txn_.exec_params(
          "SELECT report_id FROM review.reports WHERE tenant_id = $1 AND meeting_id = $2 AND "
          "agenda_item_id = $3",
          tenant_, rec.meeting_id, rec.agenda_item_id);
      if (!existing.empty()) {
        return absl::AlreadyExistsError(absl::StrFormat(
            "agenda item \"%s\" of meeting \"%s\" already has report \"%s\": add causes to it",
            rec.agenda_item_id, rec.meeting_id, existing[0][0].as<std::string>()));
      }
      const DeviationRecord& d = rec.deviation;
      txn_.exec_params(
          absl::StrCat("INSERT INTO review.reports (tenant_id, report_id, meeting_id, "
                       "agenda_item_id, presenter_kind, presenter_id, metric, target, actual, gap, "
                       "attainment_bp, currency_code, status, version, create_time, created_by, "
                       "update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN "
                       "$11 THEN $12::bigint END, $13, $14, $15, ",
                       At("$16"), ", $17, ", At("$18"), ")"),
          tenant_, rec.report_id, rec.meeting_id, rec.agenda_item_id, rec.presenter_kind,
          rec.presenter_id, d.metric, d.target, d.actual, d.gap, d.attainment_bp.has_value(),
          d.attainment_bp.value_or(0), d.currency_code, rec.status, rec.version,
          Micros(rec.create_time), rec.created_by, Micros(rec.update_time));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<ReportRecord>> FindReport(const std::string& report_id,
                                                         bool for_update) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<ReportRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", ReportColumns(),
                       " FROM review.reports r WHERE r.tenant_id = $1 AND r.report_id = $2",
                       for_update ? " FOR UPDATE OF r" : ""),
          tenant_, report_id);
      if (r.empty()) return std::nullopt;
      return ReportAt(r[0]);
    });
  }

  absl::StatusOr<std::vector<ReportRecord>> ListReports(const std::string& meeting_id) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<ReportRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", ReportColumns(),
                       " FROM review.reports r LEFT JOIN review.agenda_items a ON a.tenant_id = "
                       "r.tenant_id AND a.meeting_id = r.meeting_id AND a.item_id = "
                       "r.agenda_item_id WHERE r.tenant_id = $1 AND r.meeting_id = $2 "
                       "ORDER BY a.position NULLS LAST, r.report_id"),
          tenant_, meeting_id);
      std::vector<ReportRecord> out;
      for (const pqxx::row& row : r) out.push_back(ReportAt(row));
      return out;
    });
  }

  absl::Status PutCause(const std::string& report_id, const CauseRecord& c) override {
    return PgGuard([&]() -> absl::Status {
      const bool inq = c.inquiry.has_value();
      const InquiryRecord i = c.inquiry.value_or(InquiryRecord{});
      // The report is locked by the caller, so max + 1 cannot race.
      txn_.exec_params(
          "INSERT INTO review.report_causes (tenant_id, report_id, cause_id, position, "
          "description, kind, impact, improvement_proposal, resource_description, "
          "resource_amount, resource_currency, inquiry_confirmed_kind, "
          "inquiry_related_departments, inquiry_responsible_department, "
          "inquiry_responsible_person_id, inquiry_notes, five_whys) "
          "SELECT $1, $2, $3, coalesce((SELECT max(position) + 1 FROM review.report_causes "
          "WHERE tenant_id = $1 AND report_id = $2), 0), $4, $5, $6, $7, $8, $9, $10, "
          "CASE WHEN $11 THEN $12 END, CASE WHEN $11 THEN ARRAY(SELECT "
          "json_array_elements_text($13::json)) END, CASE WHEN $11 THEN $14 END, "
          "CASE WHEN $11 THEN $15 END, CASE WHEN $11 THEN $16 END, "
          "ARRAY(SELECT json_array_elements_text($17::json)) "
          "ON CONFLICT (tenant_id, report_id, cause_id) DO UPDATE SET "
          "description = EXCLUDED.description, kind = EXCLUDED.kind, impact = EXCLUDED.impact, "
          "improvement_proposal = EXCLUDED.improvement_proposal, resource_description = "
          "EXCLUDED.resource_description, resource_amount = EXCLUDED.resource_amount, "
          "resource_currency = EXCLUDED.resource_currency, inquiry_confirmed_kind = "
          "EXCLUDED.inquiry_confirmed_kind, inquiry_related_departments = "
          "EXCLUDED.inquiry_related_departments, inquiry_responsible_department = "
          "EXCLUDED.inquiry_responsible_department, inquiry_responsible_person_id = "
          "EXCLUDED.inquiry_responsible_person_id, inquiry_notes = EXCLUDED.inquiry_notes, "
          "five_whys = EXCLUDED.five_whys",
          tenant_, report_id, c.cause_id, c.description, c.kind, c.impact, c.improvement_proposal,
          c.resource_description, c.resource_amount, c.resource_currency, inq, i.confirmed_kind,
          JsonArray(i.related_departments), i.responsible_department, i.responsible_person_id,
          i.notes, JsonArray(c.five_whys));
      return absl::OkStatus();
    });
  }

  absl::Status UpdateReport(const ReportRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("UPDATE review.reports SET status = $3, version = $4, update_time = ",
                       At("$5"), ", submit_time = CASE WHEN $6 THEN ", At("$7"),
                       " END, submitted_by = $8 WHERE tenant_id = $1 AND report_id = $2 "
                       "RETURNING 1"),
          tenant_, rec.report_id, rec.status, rec.version, Micros(rec.update_time),
          rec.submit_time.has_value(), Micros(rec.submit_time.value_or(absl::UnixEpoch())),
          rec.submitted_by);
      if (r.empty()) {
        return absl::NotFoundError(absl::StrFormat("report \"%s\" does not exist", rec.report_id));
      }
      return absl::OkStatus();
    });
  }

 private:
  absl::Status InsertMembers(const CommitteeRecord& rec) {
    for (size_t i = 0; i < rec.members.size(); ++i) {
      const CommitteeMemberRecord& m = rec.members[i];
      txn_.exec_params(
          "INSERT INTO review.committee_members (tenant_id, committee_id, person_id, position, "
          "name, role, department, department_manager) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          tenant_, rec.committee_id, m.person_id, static_cast<int>(i), m.name,
          std::string(CommitteeRoleName(m.role)), m.department, m.department_manager);
    }
    return absl::OkStatus();
  }

  pqxx::transaction_base& txn_;
  const std::string tenant_;
};

}  // namespace

absl::string_view CommitteeRoleName(CommitteeRole role) {
  switch (role) {
    case CommitteeRole::kChair:
      return "chair";
    case CommitteeRole::kViceChair:
      return "vice_chair";
    case CommitteeRole::kSecretaryGeneral:
      return "secretary_general";
    case CommitteeRole::kMember:
      return "member";
  }
  return "member";
}

absl::string_view MeetingStatusName(MeetingStatus status) {
  switch (status) {
    case MeetingStatus::kScheduled:
      return "scheduled";
    case MeetingStatus::kInProgress:
      return "in_progress";
    case MeetingStatus::kClosed:
      return "closed";
    case MeetingStatus::kCancelled:
      return "cancelled";
  }
  return "scheduled";
}

absl::string_view AttendanceName(Attendance attendance) {
  switch (attendance) {
    case Attendance::kUnspecified:
      return "unspecified";
    case Attendance::kPresent:
      return "present";
    case Attendance::kAbsent:
      return "absent";
    case Attendance::kExcused:
      return "excused";
  }
  return "unspecified";
}

absl::string_view MinutesKindName(MinutesKind kind) {
  switch (kind) {
    case MinutesKind::kNote:
      return "note";
    case MinutesKind::kDecision:
      return "decision";
  }
  return "note";
}

bool MeetingRecord::IsInvited(absl::string_view person_id) const {
  for (const InviteeRecord& i : invitees) {
    if (i.person_id == person_id) return true;
  }
  return false;
}

absl::Status PgMeetingStore::Migrate(PgPool& pool) {
  return RunMigrations(pool, "review", Migrations());
}

absl::StatusOr<std::string> PgMeetingStore::Mutate(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(MeetingTx&)>& fn) {
  return Requests().Mutate(pool_, tenant, request_id, method, fingerprint,
                           [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                             PgMeetingTx tx(txn, tenant);
                             return fn(tx);
                           });
}

absl::StatusOr<std::optional<std::string>> PgMeetingStore::StoredResponse(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint) {
  return Requests().Stored(pool_, tenant, request_id, method, fingerprint);
}

absl::Status PgMeetingStore::Read(const std::string& tenant,
                                  const std::function<absl::Status(MeetingTx&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    PgMeetingTx tx(txn, tenant);
    RETURN_IF_ERROR(fn(tx));
    txn.commit();
    return absl::OkStatus();
  });
}

}  // namespace attain::review
