// MeetingService: meetings, series, status, attendance and minutes. The
// agenda, report and pack RPCs are in meeting_agenda_rpcs.cc.
#include "services/review/src/api/meeting_service.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/page.h"
#include "common/period.h"
#include "common/status.h"
#include "services/review/src/api/meeting_rules.h"
#include "services/review/src/api/request_checks.h"
#include "services/review/src/api/review_convert.h"

namespace attain::review {
namespace {

#define METHOD(name) "attain.review.v1.MeetingService/" #name

constexpr int kMinDurationMinutes = 15;
constexpr int kMaxDurationMinutes = 480;
constexpr int kMaxSeriesCount = 24;

absl::Status MeetingNotFound(const std::string& meeting_id) {
  return absl::NotFoundError(absl::StrFormat(
      "meeting \"%s\" does not exist (ListMeetings shows this tenant's meetings)", meeting_id));
}

absl::Status CommitteeNotFound(const std::string& committee_id) {
  return absl::NotFoundError(absl::StrFormat(
      "committee \"%s\" does not exist (ListCommittees shows this tenant's committees)",
      committee_id));
}

absl::Status ValidateDuration(int32_t minutes) {
  if (minutes < kMinDurationMinutes || minutes > kMaxDurationMinutes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("duration_minutes is %d: a meeting lasts %d to %d minutes", minutes,
                        kMinDurationMinutes, kMaxDurationMinutes));
  }
  return absl::OkStatus();
}

// A period as the request gives it, in canonical form.
absl::StatusOr<Period> ParsePeriod(absl::string_view field, const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  absl::StatusOr<Period> period = Period::Parse(text);
  if (!period.ok()) return Annotate(period.status(), field);
  return *period;
}

// The invitee ids of a request, checked: each a person id, none twice.
absl::Status ValidateInvitees(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.size() > kMaxInvitees) {
    return absl::InvalidArgumentError(
        absl::StrCat("invitee_ids has ", ids.size(), " people; at most ", kMaxInvitees));
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < ids.size(); ++i) {
    const std::string field = absl::StrCat("invitee_ids[", i, "]");
    RETURN_IF_ERROR(ValidatePersonId(field, ids[i]));
    if (!seen.insert(ids[i]).second) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s \"%s\" is listed twice", field, ids[i]));
    }
  }
  return absl::OkStatus();
}

// The invitees of a new meeting: those the request names, or else every
// member of the committee; the minute taker must be one of them.
absl::StatusOr<std::vector<InviteeRecord>> ResolveInvitees(
    const google::protobuf::RepeatedPtrField<std::string>& ids, const CommitteeRecord& committee,
    const std::string& minute_taker_id) {
  std::vector<InviteeRecord> out;
  if (ids.empty()) {
    for (const CommitteeMemberRecord& m : committee.members) out.push_back({m.person_id});
  } else {
    for (const std::string& id : ids) out.push_back({id});
  }
  for (const InviteeRecord& i : out) {
    if (i.person_id == minute_taker_id) return out;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "minute_taker_id \"%s\" is not invited: the minute taker must be among the invitees (%s)",
      minute_taker_id,
      ids.empty() ? absl::StrFormat("the members of committee \"%s\"", committee.committee_id)
                  : std::string("invitee_ids")));
}

absl::Status CheckNotPast(absl::string_view field, absl::Time start, absl::Time now) {
  if (start >= now) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("%s %s is in the past (now is %s): schedule meetings ahead", field,
                      Rfc3339(start), Rfc3339(now)));
}

// Page keys: a meeting's "<start micros>/<meeting id>", a minutes entry's sequence.
std::string MeetingKey(const MeetingRecord& m) {
  return absl::StrCat(absl::ToUnixMicros(m.start_time), "/", m.meeting_id);
}

absl::StatusOr<std::optional<MeetingPageKey>> DecodeMeetingKey(const std::string& key) {
  if (key.empty()) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('/', 1));
  int64_t micros = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &micros)) {
    return absl::InvalidArgumentError("page_token is not one this server made");
  }
  return MeetingPageKey{absl::FromUnixMicros(micros), parts[1]};
}

}  // namespace

absl::Status MeetingServiceImpl::LoadMeeting(MeetingTx& tx, const std::string& meeting_id,
                                             bool for_update, MeetingRecord* meeting,
                                             CommitteeRecord* committee) const {
  ASSIGN_OR_RETURN(std::optional<MeetingRecord> m, tx.FindMeeting(meeting_id, for_update));
  if (!m) return MeetingNotFound(meeting_id);
  ASSIGN_OR_RETURN(std::optional<CommitteeRecord> c,
                   tx.FindCommittee(m->committee_id, /*for_update=*/false));
  if (!c) return CommitteeNotFound(m->committee_id);
  *meeting = *std::move(m);
  *committee = *std::move(c);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ScheduleMeeting(grpc::CallbackServerContext* ctx,
                                                              const v1::ScheduleMeetingRequest* req,
                                                              v1::ScheduleMeetingResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ScheduleMeeting), MeetingManagerRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("committee_id", req->committee_id()));
        RETURN_IF_ERROR(ValidateText("title", req->title(), 1, kMaxNameChars, false));
        RETURN_IF_ERROR(ValidateText("purpose", req->purpose(), 0, kMaxPurposeChars, true));
        ASSIGN_OR_RETURN(Period period, ParsePeriod("period", req->period()));
        if (!req->has_start_time()) return absl::InvalidArgumentError("start_time is required");
        ASSIGN_OR_RETURN(absl::Time start, TimeFromProto("start_time", req->start_time()));
        RETURN_IF_ERROR(ValidateDuration(req->duration_minutes()));
        RETURN_IF_ERROR(ValidatePersonId("minute_taker_id", req->minute_taker_id()));
        RETURN_IF_ERROR(ValidateInvitees(req->invitee_ids()));
        return RunMutation(
            store_, p, *req, METHOD(ScheduleMeeting), resp,
            [&](MeetingTx& tx, v1::ScheduleMeetingResponse& out) -> absl::Status {
              // Inside the transaction: a retry after the start has passed
              // still gets its first answer.
              const absl::Time now = clock_.Now();
              RETURN_IF_ERROR(CheckNotPast("start_time", start, now));
              ASSIGN_OR_RETURN(std::optional<CommitteeRecord> committee,
                               tx.FindCommittee(req->committee_id(), /*for_update=*/false));
              if (!committee) return CommitteeNotFound(req->committee_id());
              RETURN_IF_ERROR(CheckCanManage(p, *committee));
              MeetingRecord rec;
              ASSIGN_OR_RETURN(rec.invitees, ResolveInvitees(req->invitee_ids(), *committee,
                                                             req->minute_taker_id()));
              rec.meeting_id = NewId("mtg");
              rec.committee_id = committee->committee_id;
              rec.title = req->title();
              rec.purpose = req->purpose();
              rec.period = period.ToString();
              rec.period_first_day = period.first_day();
              rec.start_time = start;
              rec.duration_minutes = req->duration_minutes();
              rec.minute_taker_id = req->minute_taker_id();
              rec.status = MeetingStatus::kScheduled;
              rec.version = 1;
              rec.create_time = now;
              rec.created_by = p.subject;
              RETURN_IF_ERROR(tx.InsertMeeting(rec));
              ASSIGN_OR_RETURN(std::optional<MeetingRecord> stored,
                               tx.FindMeeting(rec.meeting_id, /*for_update=*/false));
              if (!stored) return MeetingNotFound(rec.meeting_id);
              MeetingToProto(*stored, out.mutable_meeting());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ScheduleMeetingSeries(
    grpc::CallbackServerContext* ctx, const v1::ScheduleMeetingSeriesRequest* req,
    v1::ScheduleMeetingSeriesResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ScheduleMeetingSeries), MeetingManagerRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("committee_id", req->committee_id()));
        PeriodKind kind;
        std::string cadence;
        switch (req->cadence()) {
          case v1::CADENCE_MONTHLY:
            kind = PeriodKind::kMonth;
            cadence = "monthly";
            break;
          case v1::CADENCE_QUARTERLY:
            kind = PeriodKind::kQuarter;
            cadence = "quarterly";
            break;
          default:
            return absl::InvalidArgumentError(
                "cadence is required: CADENCE_MONTHLY or CADENCE_QUARTERLY");
        }
        ASSIGN_OR_RETURN(Period first, ParsePeriod("first_period", req->first_period()));
        if (first.kind() != kind) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "first_period \"%s\" is a %s: a %s series starts with a %s, e.g. \"%s\"",
              req->first_period(), PeriodKindName(first.kind()), cadence, PeriodKindName(kind),
              kind == PeriodKind::kMonth ? "2025-01" : "2025-Q1"));
        }
        if (req->count() < 1 || req->count() > kMaxSeriesCount) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "count is %d: a series has 1 to %d meetings", req->count(), kMaxSeriesCount));
        }
        if (!req->has_first_start_time()) {
          return absl::InvalidArgumentError("first_start_time is required");
        }
        ASSIGN_OR_RETURN(absl::Time first_start,
                         TimeFromProto("first_start_time", req->first_start_time()));
        RETURN_IF_ERROR(ValidateDuration(req->duration_minutes()));
        RETURN_IF_ERROR(
            ValidateText("title_template", req->title_template(), 1, kMaxNameChars, false));
        RETURN_IF_ERROR(ValidateText("purpose", req->purpose(), 0, kMaxPurposeChars, true));
        RETURN_IF_ERROR(ValidatePersonId("minute_taker_id", req->minute_taker_id()));
        RETURN_IF_ERROR(ValidateInvitees(req->invitee_ids()));
        const std::vector<SeriesSlot> slots =
            PlanSeries(first, req->count(), first_start, time_zone_);
        std::vector<std::string> titles;
        for (const SeriesSlot& slot : slots) {
          titles.push_back(
              absl::StrReplaceAll(req->title_template(), {{"{period}", slot.period.ToString()}}));
          RETURN_IF_ERROR(
              ValidateText(absl::StrFormat("title_template (for %s)", slot.period.ToString()),
                           titles.back(), 1, kMaxNameChars, false));
        }
        return RunMutation(
            store_, p, *req, METHOD(ScheduleMeetingSeries), resp,
            [&](MeetingTx& tx, v1::ScheduleMeetingSeriesResponse& out) -> absl::Status {
              const absl::Time now = clock_.Now();
              RETURN_IF_ERROR(CheckNotPast("first_start_time", first_start, now));
              ASSIGN_OR_RETURN(std::optional<CommitteeRecord> committee,
                               tx.FindCommittee(req->committee_id(), /*for_update=*/false));
              if (!committee) return CommitteeNotFound(req->committee_id());
              RETURN_IF_ERROR(CheckCanManage(p, *committee));
              ASSIGN_OR_RETURN(
                  std::vector<InviteeRecord> invitees,
                  ResolveInvitees(req->invitee_ids(), *committee, req->minute_taker_id()));
              SeriesRecord series;
              series.series_id = NewId("ser");
              series.committee_id = committee->committee_id;
              series.cadence = cadence;
              series.first_period = first.ToString();
              series.count = req->count();
              series.create_time = now;
              series.created_by = p.subject;
              RETURN_IF_ERROR(tx.InsertSeries(series));
              std::vector<std::string> ids;
              for (size_t k = 0; k < slots.size(); ++k) {
                MeetingRecord rec;
                rec.meeting_id = NewId("mtg");
                rec.committee_id = committee->committee_id;
                rec.series_id = series.series_id;
                rec.title = titles[k];
                rec.purpose = req->purpose();
                rec.period = slots[k].period.ToString();
                rec.period_first_day = slots[k].period.first_day();
                rec.start_time = slots[k].start;
                rec.duration_minutes = req->duration_minutes();
                rec.minute_taker_id = req->minute_taker_id();
                rec.invitees = invitees;
                rec.status = MeetingStatus::kScheduled;
                rec.version = 1;
                rec.create_time = now;
                rec.created_by = p.subject;
                RETURN_IF_ERROR(tx.InsertMeeting(rec));
                ids.push_back(rec.meeting_id);
              }
              out.set_series_id(series.series_id);
              for (const std::string& id : ids) {
                ASSIGN_OR_RETURN(std::optional<MeetingRecord> stored,
                                 tx.FindMeeting(id, /*for_update=*/false));
                if (!stored) return MeetingNotFound(id);
                MeetingToProto(*stored, out.add_meetings());
              }
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::GetMeeting(grpc::CallbackServerContext* ctx,
                                                         const v1::GetMeetingRequest* req,
                                                         v1::GetMeetingResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetMeeting), MeetingReaderRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
    return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<MeetingRecord> m,
                       tx.FindMeeting(req->meeting_id(), /*for_update=*/false));
      if (!m) return MeetingNotFound(req->meeting_id());
      RETURN_IF_ERROR(CheckCanRead(p, *m));
      MeetingToProto(*m, resp->mutable_meeting());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ListMeetings(grpc::CallbackServerContext* ctx,
                                                           const v1::ListMeetingsRequest* req,
                                                           v1::ListMeetingsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListMeetings), MeetingReaderRoles(), [=](const Principal& p) {
    MeetingFilter filter;
    if (!req->committee_id().empty()) {
      RETURN_IF_ERROR(ValidateId("committee_id", req->committee_id()));
      filter.committee_id = req->committee_id();
    }
    if (req->status() != v1::MEETING_STATUS_UNSPECIFIED) {
      filter.status = StatusFromProto(req->status());
      if (!filter.status) {
        return absl::InvalidArgumentError(
            absl::StrCat("status ", static_cast<int>(req->status()), " is not a meeting status"));
      }
    }
    if (!req->period().empty()) {
      ASSIGN_OR_RETURN(Period period, ParsePeriod("period", req->period()));
      filter.period = period.ToString();
    }
    // A rep sees the meetings they are invited to, and only those.
    if (p.role == Role::kRep) filter.invitee_id = p.subject;
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    const std::string context = PageContext(*req);
    ASSIGN_OR_RETURN(std::string key, DecodePageToken(req->page_token(), context));
    ASSIGN_OR_RETURN(std::optional<MeetingPageKey> after, DecodeMeetingKey(key));
    return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<MeetingRecord> rows, tx.ListMeetings(filter, after, limit + 1));
      const bool more = static_cast<int>(rows.size()) > limit;
      if (more) rows.resize(limit);
      for (const MeetingRecord& m : rows) MeetingToProto(m, resp->add_meetings());
      if (more) resp->set_next_page_token(EncodePageToken(MeetingKey(rows.back()), context));
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ChangeMeetingStatus(
    grpc::CallbackServerContext* ctx, const v1::ChangeMeetingStatusRequest* req,
    v1::ChangeMeetingStatusResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ChangeMeetingStatus), MeetingManagerRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
        if (req->status() == v1::MEETING_STATUS_UNSPECIFIED) {
          return absl::InvalidArgumentError(
              "status is required: IN_PROGRESS (start), CLOSED (close) or CANCELLED (cancel)");
        }
        std::optional<MeetingStatus> to = StatusFromProto(req->status());
        if (!to) {
          return absl::InvalidArgumentError(
              absl::StrCat("status ", static_cast<int>(req->status()), " is not a meeting status"));
        }
        RETURN_IF_ERROR(ValidateText("reason", req->reason(),
                                     *to == MeetingStatus::kCancelled ? 1 : 0, kMaxPurposeChars,
                                     true));
        return RunMutation(
            store_, p, *req, METHOD(ChangeMeetingStatus), resp,
            [&](MeetingTx& tx, v1::ChangeMeetingStatusResponse& out) -> absl::Status {
              MeetingRecord m;
              CommitteeRecord c;
              RETURN_IF_ERROR(LoadMeeting(tx, req->meeting_id(), /*for_update=*/true, &m, &c));
              RETURN_IF_ERROR(CheckCanManage(p, c));
              RETURN_IF_ERROR(CheckStatusChange(m.meeting_id, m.status, *to));
              const absl::Time now = clock_.Now();
              m.status = *to;
              m.version += 1;
              if (*to == MeetingStatus::kInProgress) m.start_record_time = now;
              if (*to == MeetingStatus::kClosed || *to == MeetingStatus::kCancelled) {
                m.end_record_time = now;
              }
              if (*to == MeetingStatus::kCancelled) m.cancel_reason = req->reason();
              RETURN_IF_ERROR(tx.UpdateMeetingStatus(m));
              ASSIGN_OR_RETURN(std::optional<MeetingRecord> stored,
                               tx.FindMeeting(m.meeting_id, /*for_update=*/false));
              if (!stored) return MeetingNotFound(m.meeting_id);
              MeetingToProto(*stored, out.mutable_meeting());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::RecordAttendance(
    grpc::CallbackServerContext* ctx, const v1::RecordAttendanceRequest* req,
    v1::RecordAttendanceResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(RecordAttendance), MeetingManagerRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
        if (req->attendance().empty()) {
          return absl::InvalidArgumentError(
              "attendance is empty: give each invitee's PRESENT, ABSENT or EXCUSED");
        }
        // Ordered, so that the first problem reported does not depend on
        // the map's iteration order.
        std::map<std::string, Attendance> attendance;
        for (const auto& [person, value] : req->attendance()) {
          const std::string field = absl::StrFormat("attendance[\"%s\"]", person);
          RETURN_IF_ERROR(ValidatePersonId(absl::StrCat(field, " (its person id)"), person));
          std::optional<Attendance> a = AttendanceFromProto(value);
          if (!a || *a == Attendance::kUnspecified) {
            return absl::InvalidArgumentError(
                absl::StrCat(field, " is ", a ? "unspecified" : "not an attendance",
                             ": give ATTENDANCE_PRESENT, ATTENDANCE_ABSENT or ATTENDANCE_EXCUSED"));
          }
          attendance[person] = *a;
        }
        return RunMutation(
            store_, p, *req, METHOD(RecordAttendance), resp,
            [&](MeetingTx& tx, v1::RecordAttendanceResponse& out) -> absl::Status {
              MeetingRecord m;
              CommitteeRecord c;
              RETURN_IF_ERROR(LoadMeeting(tx, req->meeting_id(), /*for_update=*/true, &m, &c));
              RETURN_IF_ERROR(CheckCanManage(p, c));
              RETURN_IF_ERROR(CheckNotReadOnly(m, "attendance"));
              for (const auto& [person, value] : attendance) {
                if (!m.IsInvited(person)) {
                  return absl::InvalidArgumentError(absl::StrFormat(
                      "attendance[\"%s\"]: \"%s\" is not invited to meeting \"%s\": attendance "
                      "is recorded for invitees only",
                      person, person, m.meeting_id));
                }
              }
              RETURN_IF_ERROR(tx.RecordAttendance(m.meeting_id, attendance, p.subject, clock_.Now(),
                                                  m.version + 1));
              ASSIGN_OR_RETURN(std::optional<MeetingRecord> stored,
                               tx.FindMeeting(m.meeting_id, /*for_update=*/false));
              if (!stored) return MeetingNotFound(m.meeting_id);
              MeetingToProto(*stored, out.mutable_meeting());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::AddMinutesEntry(grpc::CallbackServerContext* ctx,
                                                              const v1::AddMinutesEntryRequest* req,
                                                              v1::AddMinutesEntryResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(AddMinutesEntry), MinutesWriterRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
        RETURN_IF_ERROR(ValidatePersonId("speaker_id", req->speaker_id()));
        RETURN_IF_ERROR(ValidateText("text", req->text(), 1, kMaxMinutesChars, true));
        std::optional<MinutesKind> kind = MinutesKindFromProto(req->kind());
        if (!kind) {
          return absl::InvalidArgumentError(
              "kind is required: MINUTES_ENTRY_KIND_NOTE or MINUTES_ENTRY_KIND_DECISION");
        }
        return RunMutation(
            store_, p, *req, METHOD(AddMinutesEntry), resp,
            [&](MeetingTx& tx, v1::AddMinutesEntryResponse& out) -> absl::Status {
              // Locked: entries of one meeting are numbered one at a time,
              // and the meeting cannot close under them.
              ASSIGN_OR_RETURN(std::optional<MeetingRecord> m,
                               tx.FindMeeting(req->meeting_id(), /*for_update=*/true));
              if (!m) return MeetingNotFound(req->meeting_id());
              RETURN_IF_ERROR(CheckCanTakeMinutes(p, *m));
              RETURN_IF_ERROR(CheckNotReadOnly(*m, "minutes"));
              if (m->status != MeetingStatus::kInProgress) {
                return absl::FailedPreconditionError(absl::StrFormat(
                    "meeting \"%s\" is %s: minutes are taken while it is IN_PROGRESS (start it "
                    "first)",
                    m->meeting_id, StatusLabel(m->status)));
              }
              MinutesEntryRecord entry;
              entry.speaker_id = req->speaker_id();
              entry.text = req->text();
              entry.kind = *kind;
              entry.recorded_by = p.subject;
              entry.record_time = clock_.Now();
              RETURN_IF_ERROR(tx.AppendMinutes(m->meeting_id, entry));
              MinutesEntryToProto(entry, out.mutable_entry());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ListMinutes(grpc::CallbackServerContext* ctx,
                                                          const v1::ListMinutesRequest* req,
                                                          v1::ListMinutesResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListMinutes), MeetingReaderRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    const std::string context = PageContext(*req);
    ASSIGN_OR_RETURN(std::string key, DecodePageToken(req->page_token(), context));
    int64_t after = 0;
    if (!key.empty() && !absl::SimpleAtoi(key, &after)) {
      return absl::InvalidArgumentError("page_token is not one this server made");
    }
    return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<MeetingRecord> m,
                       tx.FindMeeting(req->meeting_id(), /*for_update=*/false));
      if (!m) return MeetingNotFound(req->meeting_id());
      RETURN_IF_ERROR(CheckCanRead(p, *m));
      ASSIGN_OR_RETURN(std::vector<MinutesEntryRecord> rows,
                       tx.ListMinutes(m->meeting_id, after, limit + 1));
      const bool more = static_cast<int>(rows.size()) > limit;
      if (more) rows.resize(limit);
      for (const MinutesEntryRecord& e : rows) MinutesEntryToProto(e, resp->add_entries());
      if (more) {
        resp->set_next_page_token(EncodePageToken(absl::StrCat(rows.back().sequence), context));
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace attain::review
