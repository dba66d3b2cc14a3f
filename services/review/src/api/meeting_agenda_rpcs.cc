// MeetingService: the agenda, the presenters' reports with their causes and
// the committee's inquiry, and the meeting pack.
//
// Where the figures come from (clients/evaluation_reader.h):
//   - rep presenters: the rows of the unit's evaluation of the meeting's
//     period (the sales indicator's target, actual and attainment);
//   - unit presenters (PRESENTER_LEVEL_UNIT) and the pack's
//     attainment-by-unit chart: the units directly under the committee's
//     unit (attain-target ListOrgUnits), each from attain-eval GetScorecard
//     for the period under the evaluation's template (an evaluation has rows
//     for reps only); the agenda still records the evaluation;
//   - the pack's trend: the unit's row of its newest FINAL evaluation of each
//     period (a period without one is a gap).
// Calls to attain-eval/attain-target happen before the transaction, so that
// a service that is down answers UNAVAILABLE with nothing changed.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/metric.h"
#include "common/period.h"
#include "common/status.h"
#include "nlohmann/json.hpp"
#include "services/review/src/api/agenda_convert.h"
#include "services/review/src/api/meeting_rules.h"
#include "services/review/src/api/meeting_service.h"
#include "services/review/src/api/request_checks.h"
#include "services/review/src/clients/evaluation_reader.h"
#include "services/review/src/domain/agenda.h"
#include "services/review/src/domain/pack.h"
#include "services/review/src/store/action_store.h"

namespace attain::review {
namespace {

#define METHOD(name) "attain.review.v1.MeetingService/" #name

constexpr char kSalesMetric[] = "sales_amount";

absl::Status MeetingNotFound(const std::string& meeting_id) {
  return absl::NotFoundError(absl::StrFormat(
      "meeting \"%s\" does not exist (ListMeetings shows this tenant's meetings)", meeting_id));
}

absl::Status ReportNotFound(const std::string& report_id) {
  return absl::NotFoundError(absl::StrFormat(
      "report \"%s\" does not exist (ListReports shows a meeting's reports)", report_id));
}

absl::Status NoReader() {
  return absl::UnavailableError(
      "attain-review has no connection to attain-eval configured (--eval-addr): the agenda, "
      "reports and pack need it");
}

absl::Status CheckVersion(absl::string_view what, const std::string& id, int64_t current,
                          int64_t expected) {
  if (expected == current) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrFormat(
      "%s \"%s\" is at version %d, the request is based on version %d: read it again and "
      "redo the change",
      what, id, current, expected));
}

absl::Status CheckScheduled(const MeetingRecord& m, absl::string_view what) {
  RETURN_IF_ERROR(CheckNotReadOnly(m, what));
  if (m.status == MeetingStatus::kScheduled) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrFormat("meeting \"%s\" is %s: its %s is generated while it is SCHEDULED (edit "
                      "items with UpdateAgendaItem instead)",
                      m.meeting_id, StatusLabel(m.status), what));
}

// A minutes setting of GenerateAgenda: 0 is the default; negative or longer
// than the meeting is INVALID_ARGUMENT.
absl::StatusOr<int64_t> MinutesSetting(absl::string_view field, int32_t value, int64_t dflt) {
  if (value < 0 || value > kMaxMeetingMinutes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s is %d: give whole minutes 0..%d (0 = the default, %d)", field, value,
                        kMaxMeetingMinutes, dflt));
  }
  return value == 0 ? dflt : value;
}

// Reports are written by the committee's members, the presenter themselves,
// admin and committee-secretary tokens.
absl::Status CheckCanWriteReport(const Principal& p, const CommitteeRecord& committee,
                                 const std::string& presenter_id) {
  if (p.role == Role::kAdmin || p.role == Role::kCommitteeSecretary) return absl::OkStatus();
  if (p.subject == presenter_id) return absl::OkStatus();
  for (const CommitteeMemberRecord& m : committee.members) {
    if (m.person_id == p.subject) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrFormat(
      "\"%s\" is neither a member of committee \"%s\" nor the presenter (\"%s\"): reports are "
      "written by the committee's members and the presenter",
      p.subject, committee.committee_id, presenter_id));
}

// A rep reads a report when invited to its meeting or presenting it.
absl::Status CheckCanReadReport(const Principal& p, const MeetingRecord& m, const ReportRecord& r) {
  if (p.role == Role::kRep && p.subject == r.presenter_id) return absl::OkStatus();
  return CheckCanRead(p, m);
}

// Item ids, positions and start offsets of an agenda in its order.
void Renumber(std::vector<AgendaItemRecord>& items, int32_t* total) {
  int32_t offset = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].position = static_cast<int32_t>(i + 1);
    items[i].start_offset_minutes = offset;
    offset += items[i].minutes;
  }
  *total = offset;
}

AgendaItemKind ItemKindOf(const std::string& stored) {
  if (stored == "previous_actions") return AgendaItemKind::kPreviousActions;
  if (stored == "free_discussion") return AgendaItemKind::kFreeDiscussion;
  if (stored == "spare") return AgendaItemKind::kSpare;
  return AgendaItemKind::kPresentation;
}

std::string StoredItemKind(AgendaItemKind kind) {
  switch (kind) {
    case AgendaItemKind::kPreviousActions:
      return "previous_actions";
    case AgendaItemKind::kPresentation:
      return "presentation";
    case AgendaItemKind::kFreeDiscussion:
      return "free_discussion";
    case AgendaItemKind::kSpare:
      return "spare";
  }
  return "presentation";
}

// The domain's view of stored items (for CheckFits and the pack).
std::vector<AgendaItem> DomainItems(const std::vector<AgendaItemRecord>& items) {
  std::vector<AgendaItem> out;
  for (const AgendaItemRecord& it : items) {
    AgendaItem d;
    d.kind = ItemKindOf(it.kind);
    d.title = it.title;
    d.minutes = it.minutes;
    if (it.deviation) {
      Deviation dev;
      dev.kind = it.presenter_kind == "unit" ? PresenterKind::kUnit : PresenterKind::kRep;
      dev.id = it.presenter_id;
      dev.name = it.presenter_name;
      dev.metric = it.deviation->metric;
      dev.target = it.deviation->target;
      dev.actual = it.deviation->actual;
      dev.attainment_bp = it.deviation->attainment_bp;
      d.presenter = std::move(dev);
    }
    out.push_back(std::move(d));
  }
  return out;
}

DeviationRecord DeviationRecordOf(const Deviation& d, const std::string& currency) {
  DeviationRecord r;
  r.metric = d.metric;
  r.target = d.target;
  r.actual = d.actual;
  r.gap = d.actual - d.target;
  r.attainment_bp = d.attainment_bp;
  r.currency_code = currency;
  return r;
}

// The gaps that keep a report from being submitted, each a sentence.
std::vector<std::string> ReportGaps(const ReportRecord& r) {
  std::vector<std::string> gaps;
  if (r.causes.empty()) {
    gaps.push_back("no cause is given: step 2 names at least one cause (PutCause)");
  }
  for (const CauseRecord& c : r.causes) {
    if (c.impact == 0) {
      gaps.push_back(absl::StrFormat(
          "cause \"%s\" is not quantified (impact 0): give its share of the deviation",
          c.cause_id));
    }
    if (c.kind == "unspecified") {
      gaps.push_back(absl::StrFormat(
          "cause \"%s\" is neither internal nor external: decide its kind", c.cause_id));
    } else if (c.kind == "internal" && c.improvement_proposal.empty()) {
      gaps.push_back(absl::StrFormat("internal cause \"%s\" has no improvement proposal (step 3)",
                                     c.cause_id));
    } else if (c.kind == "external" && c.resource_description.empty()) {
      gaps.push_back(
          absl::StrFormat("external cause \"%s\" has no resource request (step 3)", c.cause_id));
    }
  }
  return gaps;
}

}  // namespace

grpc::ServerUnaryReactor* MeetingServiceImpl::GenerateAgenda(grpc::CallbackServerContext* ctx,
                                                             const v1::GenerateAgendaRequest* req,
                                                             v1::GenerateAgendaResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(GenerateAgenda), MeetingManagerRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
        if (!req->evaluation_id().empty()) {
          RETURN_IF_ERROR(ValidateId("evaluation_id", req->evaluation_id()));
        }
        PresenterKind level = PresenterKind::kRep;
        switch (req->presenter_level()) {
          case v1::PRESENTER_LEVEL_UNSPECIFIED:
          case v1::PRESENTER_LEVEL_REP:
            break;
          case v1::PRESENTER_LEVEL_UNIT:
            level = PresenterKind::kUnit;
            break;
          default:
            return absl::InvalidArgumentError(absl::StrCat(
                "presenter_level ", static_cast<int>(req->presenter_level()),
                " is not a presenter level: PRESENTER_LEVEL_REP or PRESENTER_LEVEL_UNIT"));
        }
        if (req->max_presenters() < 0) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "max_presenters is %d: give 0 (as many as fit) or more", req->max_presenters()));
        }
        if (req->expected_version() < 0) {
          return absl::InvalidArgumentError(
              "expected_version is negative: give 0 (any) or a version");
        }
        AgendaSettings settings;
        ASSIGN_OR_RETURN(settings.min_minutes_per_presenter,
                         MinutesSetting("min_presenter_minutes", req->min_presenter_minutes(), 5));
        ASSIGN_OR_RETURN(settings.max_minutes_per_presenter,
                         MinutesSetting("max_presenter_minutes", req->max_presenter_minutes(), 15));
        if (settings.max_minutes_per_presenter < settings.min_minutes_per_presenter) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "max_presenter_minutes (%d) is less than min_presenter_minutes (%d)",
              settings.max_minutes_per_presenter, settings.min_minutes_per_presenter));
        }
        ASSIGN_OR_RETURN(
            settings.free_discussion_minutes,
            MinutesSetting("free_discussion_minutes", req->free_discussion_minutes(), 15));
        ASSIGN_OR_RETURN(settings.spare_minutes,
                         MinutesSetting("spare_minutes", req->spare_minutes(), 5));
        ASSIGN_OR_RETURN(
            int64_t previous_minutes,
            MinutesSetting("previous_review_minutes", req->previous_review_minutes(), 10));
        settings.max_presenters = req->max_presenters();
        // A retry of an agenda already generated gets that answer, even while
        // attain-eval is away.
        ASSIGN_OR_RETURN(bool replayed,
                         ReplayStored(store_, p, *req, METHOD(GenerateAgenda), resp));
        if (replayed) return absl::OkStatus();
        if (reader_ == nullptr) return NoReader();

        // 1. What the agenda depends on, read before calling other services.
        MeetingRecord meeting;
        CommitteeRecord committee;
        RETURN_IF_ERROR(store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
          RETURN_IF_ERROR(
              LoadMeeting(tx, req->meeting_id(), /*for_update=*/false, &meeting, &committee));
          RETURN_IF_ERROR(CheckCanManage(p, committee));
          RETURN_IF_ERROR(CheckScheduled(meeting, "agenda"));
          if (req->expected_version() != 0) {
            RETURN_IF_ERROR(CheckVersion("meeting", meeting.meeting_id, meeting.version,
                                         req->expected_version()));
          }
          return absl::OkStatus();
        }));
        int64_t open_previous = 0;
        if (!meeting.previous_meeting_id.empty() && actions_ != nullptr) {
          RETURN_IF_ERROR(actions_->Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
            ASSIGN_OR_RETURN(std::vector<ActionItemRecord> open,
                             tx.ListOpenOfMeetings({meeting.previous_meeting_id}));
            open_previous = static_cast<int64_t>(open.size());
            return absl::OkStatus();
          }));
        }
        settings.previous_review_minutes = open_previous > 0 ? previous_minutes : 0;
        settings.meeting_minutes = meeting.duration_minutes;

        // 2. The evaluation and the presenters' figures (attain-eval, attain-target).
        SalesEvaluation evaluation;
        if (!req->evaluation_id().empty()) {
          ASSIGN_OR_RETURN(evaluation, reader_->GetEvaluation(p.tenant, req->evaluation_id()));
          if (evaluation.unit_id != committee.unit_id || evaluation.period != meeting.period) {
            return absl::InvalidArgumentError(absl::StrFormat(
                "evaluation_id \"%s\" evaluates unit \"%s\" for %s, but meeting \"%s\" reviews "
                "unit "
                "\"%s\" (committee \"%s\") for %s",
                evaluation.evaluation_id, evaluation.unit_id, evaluation.period, meeting.meeting_id,
                committee.unit_id, committee.committee_id, meeting.period));
          }
          if (!evaluation.final) {
            return absl::FailedPreconditionError(absl::StrFormat(
                "evaluation \"%s\" is not FINAL: an agenda is built from the figures of record "
                "(finalise it, or leave evaluation_id empty for the newest final one)",
                evaluation.evaluation_id));
          }
        } else {
          ASSIGN_OR_RETURN(
              std::optional<SalesEvaluation> newest,
              reader_->NewestFinalEvaluation(p.tenant, committee.unit_id, meeting.period));
          if (!newest) {
            return absl::FailedPreconditionError(absl::StrFormat(
                "unit \"%s\" (committee \"%s\") has no FINAL evaluation for %s: run and finalise "
                "one in attain-eval first",
                committee.unit_id, committee.committee_id, meeting.period));
          }
          evaluation = *std::move(newest);
        }
        std::vector<SalesFigure> figures;
        if (level == PresenterKind::kRep) {
          ASSIGN_OR_RETURN(Period period, Period::Parse(meeting.period));
          using NameMap = std::map<std::string, std::string>;
          ASSIGN_OR_RETURN(NameMap names,
                           reader_->RepNames(p.tenant, committee.unit_id,
                                             absl::FormatCivilTime(period.last_day())));
          figures = evaluation.reps;
          for (SalesFigure& f : figures) {
            auto it = names.find(f.id);
            if (it != names.end() && !it->second.empty()) f.name = it->second;
          }
        } else {
          ASSIGN_OR_RETURN(figures,
                           reader_->ChildUnitSales(p.tenant, committee.unit_id, meeting.period,
                                                   evaluation.template_id));
        }
        std::vector<Deviation> presenters;
        std::map<std::string, std::string> currency;
        for (const SalesFigure& f : figures) {
          if (!f.has_sales_indicator || !f.target.has_value() || !f.attainment_bp.has_value())
            continue;
          if (req->below_plan_only() && *f.attainment_bp >= 10000) continue;
          Deviation d;
          d.kind = level;
          d.id = f.id;
          d.name = f.name;
          d.metric = kSalesMetric;
          d.target = *f.target;
          d.actual = f.actual;
          d.attainment_bp = f.attainment_bp;
          presenters.push_back(std::move(d));
          currency[f.id] = f.currency_code;
        }
        ASSIGN_OR_RETURN(Agenda built, BuildAgenda(std::move(presenters), settings));

        AgendaRecord rec;
        rec.meeting_id = meeting.meeting_id;
        rec.evaluation_id = evaluation.evaluation_id;
        rec.presenter_level = std::string(PresenterKindName(level));
        rec.settings_json = nlohmann::json{
            {"below_plan_only", req->below_plan_only()},
            {"max_presenters", settings.max_presenters},
            {"min_presenter_minutes", settings.min_minutes_per_presenter},
            {"max_presenter_minutes", settings.max_minutes_per_presenter},
            {"free_discussion_minutes", settings.free_discussion_minutes},
            {"spare_minutes", settings.spare_minutes},
            {"previous_review_minutes", settings.previous_review_minutes},
            {"previous_open_items",
             open_previous}}.dump();
        rec.meeting_minutes = meeting.duration_minutes;
        rec.created_by = p.subject;
        for (size_t i = 0; i < built.items.size(); ++i) {
          const AgendaItem& item = built.items[i];
          AgendaItemRecord r;
          r.item_id = absl::StrCat("item-", i + 1);
          r.kind = StoredItemKind(item.kind);
          r.title = item.title;
          r.minutes = static_cast<int32_t>(item.minutes);
          if (item.presenter) {
            r.presenter_kind = std::string(PresenterKindName(item.presenter->kind));
            r.presenter_id = item.presenter->id;
            r.presenter_name = item.presenter->name;
            r.deviation = DeviationRecordOf(*item.presenter, currency[item.presenter->id]);
          }
          rec.items.push_back(std::move(r));
        }
        Renumber(rec.items, &rec.total_minutes);
        for (const LeftOutPresenter& l : built.left_out) {
          rec.left_out.push_back(
              {std::string(PresenterKindName(l.presenter.kind)), l.presenter.id, l.presenter.name,
               DeviationRecordOf(l.presenter, currency[l.presenter.id]), l.reason});
        }

        // 3. Stored under the meeting's lock, re-checked there.
        return RunMutation(
            store_, p, *req, METHOD(GenerateAgenda), resp,
            [&](MeetingTx& tx, v1::GenerateAgendaResponse& out) -> absl::Status {
              MeetingRecord m;
              CommitteeRecord c;
              RETURN_IF_ERROR(LoadMeeting(tx, req->meeting_id(), /*for_update=*/true, &m, &c));
              RETURN_IF_ERROR(CheckCanManage(p, c));
              RETURN_IF_ERROR(CheckScheduled(m, "agenda"));
              if (req->expected_version() != 0) {
                RETURN_IF_ERROR(
                    CheckVersion("meeting", m.meeting_id, m.version, req->expected_version()));
              }
              if (m.duration_minutes != meeting.duration_minutes ||
                  c.unit_id != committee.unit_id) {
                return absl::AbortedError("the meeting changed while its agenda was built: retry");
              }
              ASSIGN_OR_RETURN(int64_t reports, tx.CountReports(m.meeting_id));
              if (reports > 0) {
                return absl::FailedPreconditionError(
                    absl::StrFormat("meeting \"%s\" already has %d report(s) on its agenda's "
                                    "items: the agenda can no "
                                    "longer be regenerated (edit items with UpdateAgendaItem)",
                                    m.meeting_id, reports));
              }
              rec.create_time = clock_.Now();
              RETURN_IF_ERROR(tx.ReplaceAgenda(rec));
              RETURN_IF_ERROR(tx.SetMeetingVersion(m.meeting_id, m.version + 1));
              AgendaToProto(rec, m.version + 1, out.mutable_agenda());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::GetAgenda(grpc::CallbackServerContext* ctx,
                                                        const v1::GetAgendaRequest* req,
                                                        v1::GetAgendaResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetAgenda), MeetingReaderRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
    return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<MeetingRecord> m,
                       tx.FindMeeting(req->meeting_id(), /*for_update=*/false));
      if (!m) return MeetingNotFound(req->meeting_id());
      RETURN_IF_ERROR(CheckCanRead(p, *m));
      ASSIGN_OR_RETURN(std::optional<AgendaRecord> a, tx.FindAgenda(m->meeting_id));
      if (!a) {
        return absl::NotFoundError(absl::StrFormat(
            "meeting \"%s\" has no agenda yet (GenerateAgenda builds it)", m->meeting_id));
      }
      AgendaToProto(*a, m->version, resp->mutable_agenda());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::UpdateAgendaItem(
    grpc::CallbackServerContext* ctx, const v1::UpdateAgendaItemRequest* req,
    v1::UpdateAgendaItemResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(UpdateAgendaItem), MeetingManagerRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
        RETURN_IF_ERROR(ValidateId("item_id", req->item_id()));
        if (req->minutes() < 0 || req->minutes() > kMaxMeetingMinutes) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "minutes is %d: give 1..%d (0 = unchanged)", req->minutes(), kMaxMeetingMinutes));
        }
        if (req->position() < 0) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "position is %d: give a 1-based position (0 = unchanged)", req->position()));
        }
        if (req->minutes() == 0 && req->position() == 0) {
          return absl::InvalidArgumentError("nothing to change: give minutes, position or both");
        }
        if (req->expected_version() <= 0) {
          return absl::InvalidArgumentError(
              "expected_version is required: the meeting version the edit is based on "
              "(Agenda.version)");
        }
        return RunMutation(
            store_, p, *req, METHOD(UpdateAgendaItem), resp,
            [&](MeetingTx& tx, v1::UpdateAgendaItemResponse& out) -> absl::Status {
              MeetingRecord m;
              CommitteeRecord c;
              RETURN_IF_ERROR(LoadMeeting(tx, req->meeting_id(), /*for_update=*/true, &m, &c));
              RETURN_IF_ERROR(CheckCanManage(p, c));
              RETURN_IF_ERROR(CheckNotReadOnly(m, "agenda"));
              RETURN_IF_ERROR(
                  CheckVersion("meeting", m.meeting_id, m.version, req->expected_version()));
              ASSIGN_OR_RETURN(std::optional<AgendaRecord> a, tx.FindAgenda(m.meeting_id));
              if (!a) {
                return absl::NotFoundError(absl::StrFormat(
                    "meeting \"%s\" has no agenda yet (GenerateAgenda builds it)", m.meeting_id));
              }
              std::vector<AgendaItemRecord>& items = a->items;
              auto it = std::find_if(items.begin(), items.end(), [&](const AgendaItemRecord& i) {
                return i.item_id == req->item_id();
              });
              if (it == items.end()) {
                return absl::NotFoundError(absl::StrFormat(
                    "meeting \"%s\"'s agenda has no item \"%s\" (GetAgenda lists them)",
                    m.meeting_id, req->item_id()));
              }
              if (req->minutes() > 0) it->minutes = req->minutes();
              if (req->position() > 0) {
                const int n = static_cast<int>(items.size());
                if (req->position() > n) {
                  return absl::InvalidArgumentError(absl::StrFormat(
                      "position is %d: the agenda has %d items", req->position(), n));
                }
                const bool has_previous = items.front().kind == "previous_actions";
                if (it->kind == "previous_actions" && req->position() != 1) {
                  return absl::FailedPreconditionError(
                      "the review of the previous meeting's open action items stays first");
                }
                if (has_previous && it->kind != "previous_actions" && req->position() == 1) {
                  return absl::FailedPreconditionError(absl::StrFormat(
                      "position 1 is the review of the previous meeting's open action items, "
                      "which stays first: give a position from 2 to %d",
                      n));
                }
                AgendaItemRecord moved = *it;
                items.erase(it);
                items.insert(items.begin() + (req->position() - 1), std::move(moved));
              }
              RETURN_IF_ERROR(CheckFits(DomainItems(items), m.duration_minutes));
              Renumber(items, &a->total_minutes);
              RETURN_IF_ERROR(tx.UpdateAgendaItems(m.meeting_id, items, a->total_minutes));
              RETURN_IF_ERROR(tx.SetMeetingVersion(m.meeting_id, m.version + 1));
              AgendaToProto(*a, m.version + 1, out.mutable_agenda());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::CreateReport(grpc::CallbackServerContext* ctx,
                                                           const v1::CreateReportRequest* req,
                                                           v1::CreateReportResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CreateReport), MinutesWriterRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
    RETURN_IF_ERROR(ValidateId("agenda_item_id", req->agenda_item_id()));
    return RunMutation(
        store_, p, *req, METHOD(CreateReport), resp,
        [&](MeetingTx& tx, v1::CreateReportResponse& out) -> absl::Status {
          MeetingRecord m;
          CommitteeRecord c;
          RETURN_IF_ERROR(LoadMeeting(tx, req->meeting_id(), /*for_update=*/true, &m, &c));
          ASSIGN_OR_RETURN(std::optional<AgendaRecord> a, tx.FindAgenda(m.meeting_id));
          if (!a) {
            return absl::FailedPreconditionError(absl::StrFormat(
                "meeting \"%s\" has no agenda yet: reports are on its presentation items "
                "(GenerateAgenda first)",
                m.meeting_id));
          }
          const AgendaItemRecord* item = nullptr;
          for (const AgendaItemRecord& i : a->items) {
            if (i.item_id == req->agenda_item_id()) item = &i;
          }
          if (item == nullptr) {
            return absl::NotFoundError(
                absl::StrFormat("meeting \"%s\"'s agenda has no item \"%s\" (GetAgenda lists them)",
                                m.meeting_id, req->agenda_item_id()));
          }
          RETURN_IF_ERROR(CheckCanWriteReport(p, c, item->presenter_id));
          RETURN_IF_ERROR(CheckNotReadOnly(m, "reports"));
          if (item->kind != "presentation" || !item->deviation) {
            return absl::InvalidArgumentError(absl::StrFormat(
                "agenda_item_id \"%s\" is not a presentation: reports are on presenters' items",
                item->item_id));
          }
          ReportRecord r;
          r.report_id = NewId("rpt");
          r.meeting_id = m.meeting_id;
          r.agenda_item_id = item->item_id;
          r.presenter_kind = item->presenter_kind;
          r.presenter_id = item->presenter_id;
          r.deviation = *item->deviation;
          r.status = "draft";
          r.version = 1;
          r.create_time = r.update_time = clock_.Now();
          r.created_by = p.subject;
          RETURN_IF_ERROR(tx.InsertReport(r));
          ReportToProto(r, out.mutable_report());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::GetReport(grpc::CallbackServerContext* ctx,
                                                        const v1::GetReportRequest* req,
                                                        v1::GetReportResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetReport), MeetingReaderRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("report_id", req->report_id()));
    return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<ReportRecord> r,
                       tx.FindReport(req->report_id(), /*for_update=*/false));
      if (!r) return ReportNotFound(req->report_id());
      ASSIGN_OR_RETURN(std::optional<MeetingRecord> m,
                       tx.FindMeeting(r->meeting_id, /*for_update=*/false));
      if (!m) return MeetingNotFound(r->meeting_id);
      RETURN_IF_ERROR(CheckCanReadReport(p, *m, *r));
      ReportToProto(*r, resp->mutable_report());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::ListReports(grpc::CallbackServerContext* ctx,
                                                          const v1::ListReportsRequest* req,
                                                          v1::ListReportsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListReports), MeetingReaderRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
    return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<MeetingRecord> m,
                       tx.FindMeeting(req->meeting_id(), /*for_update=*/false));
      if (!m) return MeetingNotFound(req->meeting_id());
      ASSIGN_OR_RETURN(std::vector<ReportRecord> reports, tx.ListReports(m->meeting_id));
      if (p.role == Role::kRep && !m->IsInvited(p.subject)) {
        // A rep who is not invited sees the reports they present, and only those.
        bool presents = false;
        for (const ReportRecord& r : reports) presents = presents || r.presenter_id == p.subject;
        if (!presents) return CheckCanRead(p, *m);
        for (const ReportRecord& r : reports) {
          if (r.presenter_id == p.subject) ReportToProto(r, resp->add_reports());
        }
        return absl::OkStatus();
      }
      RETURN_IF_ERROR(CheckCanRead(p, *m));
      for (const ReportRecord& r : reports) ReportToProto(r, resp->add_reports());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::PutCause(grpc::CallbackServerContext* ctx,
                                                       const v1::PutCauseRequest* req,
                                                       v1::PutCauseResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(PutCause), MinutesWriterRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    RETURN_IF_ERROR(ValidateId("report_id", req->report_id()));
    if (!req->has_cause()) return absl::InvalidArgumentError("cause is required");
    ASSIGN_OR_RETURN(CauseRecord cause, CauseFromProto("cause", req->cause()));
    if (req->expected_version() <= 0) {
      return absl::InvalidArgumentError(
          "expected_version is required: the report version the change is based on");
    }
    return RunMutation(
        store_, p, *req, METHOD(PutCause), resp,
        [&](MeetingTx& tx, v1::PutCauseResponse& out) -> absl::Status {
          ASSIGN_OR_RETURN(std::optional<ReportRecord> r,
                           tx.FindReport(req->report_id(), /*for_update=*/true));
          if (!r) return ReportNotFound(req->report_id());
          MeetingRecord m;
          CommitteeRecord c;
          RETURN_IF_ERROR(LoadMeeting(tx, r->meeting_id, /*for_update=*/false, &m, &c));
          RETURN_IF_ERROR(CheckCanWriteReport(p, c, r->presenter_id));
          RETURN_IF_ERROR(CheckNotReadOnly(m, "reports"));
          RETURN_IF_ERROR(
              CheckVersion("report", r->report_id, r->version, req->expected_version()));
          // A submitted report stays complete: the committee may add its
          // inquiry, but not leave a gap.
          if (r->status == "submitted") {
            ReportRecord after = *r;
            bool replaced = false;
            for (CauseRecord& existing : after.causes) {
              if (existing.cause_id == cause.cause_id) {
                existing = cause;
                replaced = true;
              }
            }
            if (!replaced) after.causes.push_back(cause);
            std::vector<std::string> gaps = ReportGaps(after);
            if (!gaps.empty()) {
              return absl::FailedPreconditionError(
                  absl::StrCat("report \"", r->report_id,
                               "\" is submitted and must stay complete; this cause would leave: ",
                               absl::StrJoin(gaps, "; ")));
            }
          }
          RETURN_IF_ERROR(tx.PutCause(r->report_id, cause));
          r->version += 1;
          r->update_time = clock_.Now();
          RETURN_IF_ERROR(tx.UpdateReport(*r));
          ASSIGN_OR_RETURN(std::optional<ReportRecord> stored,
                           tx.FindReport(r->report_id, /*for_update=*/false));
          if (!stored) return ReportNotFound(r->report_id);
          ReportToProto(*stored, out.mutable_report());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::SubmitReport(grpc::CallbackServerContext* ctx,
                                                           const v1::SubmitReportRequest* req,
                                                           v1::SubmitReportResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(SubmitReport), MinutesWriterRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    RETURN_IF_ERROR(ValidateId("report_id", req->report_id()));
    if (req->expected_version() <= 0) {
      return absl::InvalidArgumentError(
          "expected_version is required: the report version being submitted");
    }
    return RunMutation(
        store_, p, *req, METHOD(SubmitReport), resp,
        [&](MeetingTx& tx, v1::SubmitReportResponse& out) -> absl::Status {
          ASSIGN_OR_RETURN(std::optional<ReportRecord> r,
                           tx.FindReport(req->report_id(), /*for_update=*/true));
          if (!r) return ReportNotFound(req->report_id());
          MeetingRecord m;
          CommitteeRecord c;
          RETURN_IF_ERROR(LoadMeeting(tx, r->meeting_id, /*for_update=*/false, &m, &c));
          RETURN_IF_ERROR(CheckCanWriteReport(p, c, r->presenter_id));
          RETURN_IF_ERROR(CheckNotReadOnly(m, "reports"));
          RETURN_IF_ERROR(
              CheckVersion("report", r->report_id, r->version, req->expected_version()));
          if (r->status == "submitted") {
            return absl::FailedPreconditionError(
                absl::StrFormat("report \"%s\" is already submitted", r->report_id));
          }
          std::vector<std::string> gaps = ReportGaps(*r);
          if (!gaps.empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat("report \"", r->report_id, "\" cannot be submitted: ", gaps.size(),
                             " gap(s): ", absl::StrJoin(gaps, "; ")));
          }
          const absl::Time now = clock_.Now();
          r->status = "submitted";
          r->version += 1;
          r->update_time = now;
          r->submit_time = now;
          r->submitted_by = p.subject;
          RETURN_IF_ERROR(tx.UpdateReport(*r));
          ReportToProto(*r, out.mutable_report());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* MeetingServiceImpl::GetMeetingPack(grpc::CallbackServerContext* ctx,
                                                             const v1::GetMeetingPackRequest* req,
                                                             v1::GetMeetingPackResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(GetMeetingPack), MeetingReaderRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
        bool markdown = false;
        switch (req->format()) {
          case v1::PACK_FORMAT_UNSPECIFIED:
          case v1::PACK_FORMAT_HTML:
            break;
          case v1::PACK_FORMAT_MARKDOWN:
            markdown = true;
            break;
          default:
            return absl::InvalidArgumentError(
                absl::StrCat("format ", static_cast<int>(req->format()),
                             " is not a pack format: PACK_FORMAT_HTML or PACK_FORMAT_MARKDOWN"));
        }
        int trend_periods = req->trend_periods() == 0 ? 6 : req->trend_periods();
        if (trend_periods < 1 || trend_periods > 24) {
          return absl::InvalidArgumentError(
              absl::StrFormat("trend_periods is %d: give 1..24 (0 = 6)", req->trend_periods()));
        }
        if (reader_ == nullptr) return NoReader();

        MeetingRecord m;
        CommitteeRecord c;
        AgendaRecord agenda;
        RETURN_IF_ERROR(store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
          RETURN_IF_ERROR(LoadMeeting(tx, req->meeting_id(), /*for_update=*/false, &m, &c));
          RETURN_IF_ERROR(CheckCanRead(p, m));
          ASSIGN_OR_RETURN(std::optional<AgendaRecord> a, tx.FindAgenda(m.meeting_id));
          if (!a) {
            return absl::FailedPreconditionError(absl::StrFormat(
                "meeting \"%s\" has no agenda yet: the pack is made from it (GenerateAgenda)",
                m.meeting_id));
          }
          agenda = *std::move(a);
          return absl::OkStatus();
        }));

        MeetingPack pack;
        pack.title = m.title;
        pack.committee = c.name;
        pack.period = m.period;
        pack.purpose = m.purpose;
        pack.start = absl::ToCivilMinute(m.start_time, time_zone_);
        pack.duration_minutes = m.duration_minutes;
        std::map<std::string, const CommitteeMemberRecord*> members;
        for (const CommitteeMemberRecord& mem : c.members) members[mem.person_id] = &mem;
        for (const InviteeRecord& inv : m.invitees) {
          Attendee a;
          auto it = members.find(inv.person_id);
          a.name = it != members.end() ? it->second->name : inv.person_id;
          a.role = it != members.end() ? std::string(CommitteeRoleName(it->second->role))
                                       : std::string("invitee");
          a.attendance = inv.attendance == Attendance::kUnspecified
                             ? "not recorded"
                             : std::string(AttendanceName(inv.attendance));
          pack.attendance.push_back(std::move(a));
        }
        pack.agenda = DomainItems(agenda.items);
        for (const AgendaItemRecord& it : agenda.items) {
          if (!it.deviation) continue;
          if (!it.deviation->currency_code.empty()) pack.currency = it.deviation->currency_code;
          DeviationRow row;
          row.presenter = it.presenter_name;
          row.metric = it.deviation->metric;
          absl::StatusOr<MetricInfo> info = LookupMetricByName(it.deviation->metric);
          if (info.ok()) row.unit = info->unit;
          row.target = it.deviation->target;
          row.actual = it.deviation->actual;
          row.attainment_bp = it.deviation->attainment_bp;
          pack.deviations.push_back(std::move(row));
        }

        // Attainment by unit: the units directly under the committee's unit,
        // scored with the template of the agenda's evaluation.
        ASSIGN_OR_RETURN(SalesEvaluation evaluation,
                         reader_->GetEvaluation(p.tenant, agenda.evaluation_id));
        ASSIGN_OR_RETURN(
            std::vector<SalesFigure> units,
            reader_->ChildUnitSales(p.tenant, c.unit_id, m.period, evaluation.template_id));
        for (const SalesFigure& u : units)
          pack.attainment_by_unit.push_back({u.name, u.attainment_bp});
        // The trend: the unit's sales attainment in its newest final
        // evaluation of each period, oldest first.
        ASSIGN_OR_RETURN(Period period, Period::Parse(m.period));
        std::vector<Period> periods{period};
        for (int i = 1; i < trend_periods; ++i) periods.push_back(periods.back().Previous());
        std::reverse(periods.begin(), periods.end());
        for (const Period& per : periods) {
          ASSIGN_OR_RETURN(std::optional<SalesEvaluation> e,
                           reader_->NewestFinalEvaluation(p.tenant, c.unit_id, per.ToString()));
          ChartPoint point{per.ToString(), std::nullopt};
          if (e && e->unit_row) point.attainment_bp = e->unit_row->attainment_bp;
          pack.trend.push_back(std::move(point));
        }

        // Open and overdue action items of this meeting and the previous one.
        if (actions_ != nullptr) {
          std::vector<std::string> ids{m.meeting_id};
          if (!m.previous_meeting_id.empty()) ids.push_back(m.previous_meeting_id);
          const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), time_zone_);
          RETURN_IF_ERROR(actions_->Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
            ASSIGN_OR_RETURN(std::vector<ActionItemRecord> open, tx.ListOpenOfMeetings(ids));
            for (const ActionItemRecord& a : open) {
              PackActionItem item;
              item.what = a.title;
              auto it = members.find(a.owner_id);
              item.owner = it != members.end() ? it->second->name : a.owner_id;
              item.department = a.responsible_department.empty()
                                    ? absl::StrJoin(a.departments, ", ")
                                    : a.responsible_department;
              item.due = a.due;
              item.status = a.status;
              item.days_overdue = a.due ? DaysOverdue(a.status, *a.due, today) : 0;
              pack.action_items.push_back(std::move(item));
            }
            return absl::OkStatus();
          }));
        }
        if (markdown) {
          resp->set_content(RenderMarkdown(pack));
          resp->set_content_type("text/markdown; charset=utf-8");
        } else {
          resp->set_content(RenderHtml(pack));
          resp->set_content_type("text/html; charset=utf-8");
        }
        return absl::OkStatus();
      });
}

}  // namespace attain::review
