// ActionItemService: the handlers decode, authorise and validate, then run
// the domain's rules (domain/split.h, action_status.h, smart.h,
// verification.h) over the store (store/action_store.h) in one transaction.
// Meetings and committees are read from the meeting store before the
// transaction; attain-eval is called before it too, never while it is open.
#include "services/review/src/api/action_service.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/arithmetic.h"
#include "common/metric.h"
#include "common/page.h"
#include "common/status.h"
#include "services/review/src/api/action_convert.h"
#include "services/review/src/api/request_checks.h"
#include "services/review/src/domain/action_status.h"
#include "services/review/src/domain/format.h"
#include "services/review/src/domain/split.h"
#include "services/review/src/domain/verification.h"

namespace attain::review {
namespace {

#define METHOD(name) "attain.review.v1.ActionItemService/" #name

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

// Every role but crm-ingest reaches the service; what each may do is checked
// per item (see action_service.h).
RoleSet ReaderRoles() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kManager,
          Role::kRep,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kFinance,
          Role::kHr,
          Role::kService};
}
// Mutations come from people, never from another service.
RoleSet WriterRoles() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kManager,
          Role::kRep,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kFinance,
          Role::kHr};
}

// Roles that read every item of the tenant; the others read their own.
bool ReadsAll(const Principal& p) {
  switch (p.role) {
    case Role::kAdmin:
    case Role::kDirector:
    case Role::kHr:
    case Role::kCommitteeSecretary:
    case Role::kCommitteeMember:
    case Role::kService:
      return true;
    default:
      return false;
  }
}

absl::Status CheckCanRead(const Principal& p, const ActionItemRecord& item) {
  if (ReadsAll(p) || item.owner_id == p.subject) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "action item \"%s\" is owned by \"%s\": role '%s' reads only the items it owns",
      item.action_id, item.owner_id, RoleName(p.role)));
}

// The owner's moves: edit, submit, start, complete, report progress.
absl::Status CheckIsOwner(const Principal& p, const ActionItemRecord& item,
                          absl::string_view what) {
  if (p.role == Role::kAdmin || item.owner_id == p.subject) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrFormat("only the owner of action item \"%s\" (\"%s\") %s it; \"%s\" is not",
                      item.action_id, item.owner_id, what, p.subject));
}

// The committee's moves: create, accept, return, verify.
absl::Status CheckCommittee(const Principal& p, const CommitteeRecord& committee,
                            absl::string_view what) {
  if (p.role == Role::kAdmin || p.role == Role::kCommitteeSecretary) return absl::OkStatus();
  if (p.role == Role::kCommitteeMember) {
    for (const CommitteeMemberRecord& m : committee.members) {
      if (m.person_id == p.subject &&
          (m.role == CommitteeRole::kChair || m.role == CommitteeRole::kSecretaryGeneral)) {
        return absl::OkStatus();
      }
    }
    return absl::PermissionDeniedError(absl::StrFormat(
        "\"%s\" is not the chair or secretary-general of committee \"%s\": only they (or a "
        "committee secretary or admin) %s action items",
        p.subject, committee.committee_id, what));
  }
  return absl::PermissionDeniedError(absl::StrFormat(
      "role '%s' may not %s action items: admin, committee-secretary and the committee's chair "
      "and secretary-general do",
      RoleName(p.role), what));
}

absl::Status ItemNotFound(const std::string& action_id) {
  return absl::NotFoundError(absl::StrFormat(
      "action item \"%s\" does not exist (ListActionItems shows this tenant's items)", action_id));
}

absl::Status MeetingNotFound(const std::string& meeting_id) {
  return absl::NotFoundError(absl::StrFormat(
      "meeting \"%s\" does not exist (ListMeetings shows this tenant's meetings)", meeting_id));
}

absl::Status CheckVersion(const ActionItemRecord& item, int64_t expected) {
  if (item.version == expected) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrFormat(
      "action item \"%s\" is at version %d, not the expected_version %d: get it again, apply "
      "your change to version %d and send expected_version %d",
      item.action_id, item.version, expected, item.version, item.version));
}

absl::Status RequireVersion(int64_t expected) {
  if (expected >= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "expected_version is required: the version of the item your change was made against (>= 1)");
}

// A metric value for a note: money in major units with two decimals (the
// evaluation gives no currency per indicator), the rest in their unit.
std::string FigureText(const std::string& metric, int64_t value) {
  absl::StatusOr<MetricInfo> info = LookupMetricByName(metric);
  if (!info.ok()) return absl::StrCat(value);
  if (info->unit == MetricUnit::kMoney) return FormatHundredths(value);
  return FormatMetricValue(info->unit, "", value);
}

// Applies one status change to `item` (already checked) and logs it.
absl::Status Move(ActionTx& tx, ActionItemRecord& item, ActionStatus to, const std::string& actor,
                  absl::Time now, std::string note, std::vector<SmartFailureRecord> failures = {}) {
  StatusChangeRecord change;
  change.from = item.status;
  change.to = to;
  change.changed_by = actor;
  change.change_time = now;
  change.note = std::move(note);
  change.smart_failures = std::move(failures);
  item.status = to;
  return tx.AppendHistory(item.action_id, change);
}

// A split item becomes DONE once every department's part is finished (done
// or verified): automatically, through IN_PROGRESS when it was only
// ACCEPTED. A parent that was never accepted is left as it is.
absl::Status CompleteParentIfDone(ActionTx& tx, const std::string& parent_id, absl::Time now) {
  ASSIGN_OR_RETURN(std::optional<ActionItemRecord> parent,
                   tx.FindItem(parent_id, /*for_update=*/true, /*details=*/false));
  if (!parent || IsFinished(parent->status)) return absl::OkStatus();
  std::vector<ActionStatus> steps;
  if (parent->status == ActionStatus::kAccepted) {
    steps = {ActionStatus::kInProgress, ActionStatus::kDone};
  } else if (parent->status == ActionStatus::kInProgress) {
    steps = {ActionStatus::kDone};
  } else {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<ActionItemRecord> children, tx.ListChildren(parent_id));
  if (children.empty()) return absl::OkStatus();
  std::vector<std::string> parts;
  for (const ActionItemRecord& c : children) {
    if (!IsFinished(c.status)) return absl::OkStatus();
    parts.push_back(absl::StrFormat("%s (%s): %s", c.action_id, c.responsible_department,
                                    ActionStatusName(c.status)));
  }
  const std::string note =
      absl::StrCat("every department's part is done: ", absl::StrJoin(parts, "; "));
  for (ActionStatus to : steps) {
    RETURN_IF_ERROR(CheckTransition(parent->status, to));
    RETURN_IF_ERROR(Move(tx, *parent, to, kAutomaticActor, now, note));
  }
  parent->version += 1;
  parent->update_time = now;
  return tx.UpdateItem(*parent);
}

// After `item` changed: its parent may now be done.
absl::Status AfterChange(ActionTx& tx, const ActionItemRecord& item, absl::Time now) {
  if (item.parent_action_id.empty() || !IsFinished(item.status)) return absl::OkStatus();
  return CompleteParentIfDone(tx, item.parent_action_id, now);
}

absl::Status FillItem(ActionTx& tx, const std::string& action_id, absl::CivilDay today,
                      bool details, v1::ActionItem* out) {
  ASSIGN_OR_RETURN(std::optional<ActionItemRecord> rec,
                   tx.FindItem(action_id, /*for_update=*/false, details));
  if (!rec) return ItemNotFound(action_id);
  ItemToProto(*rec, today, details, out);
  return absl::OkStatus();
}

// Page keys: a list's "<create micros>/<action id>", the overdue list's
// "<late since>/<action id>".
std::string ListKey(const ActionItemRecord& r) {
  return absl::StrCat(absl::ToUnixMicros(r.create_time), "/", r.action_id);
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token is not one this server made for this request: start again without it");
}

}  // namespace

absl::CivilDay ActionItemServiceImpl::Today() const {
  return absl::ToCivilDay(clock_.Now(), time_zone_);
}

absl::StatusOr<ActionItemServiceImpl::MeetingContext> ActionItemServiceImpl::LoadMeetingContext(
    const std::string& tenant, const std::string& meeting_id) const {
  MeetingContext ctx;
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(meetings_.Read(tenant, [&](MeetingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<MeetingRecord> m, tx.FindMeeting(meeting_id, false));
    if (!m) return MeetingNotFound(meeting_id);
    ASSIGN_OR_RETURN(std::optional<CommitteeRecord> c, tx.FindCommittee(m->committee_id, false));
    if (!c) {
      return absl::NotFoundError(absl::StrFormat(
          "committee \"%s\" of meeting \"%s\" does not exist", m->committee_id, meeting_id));
    }
    // The next review: the committee's first scheduled meeting after this
    // one that has not started yet.
    MeetingFilter filter;
    filter.committee_id = m->committee_id;
    filter.status = MeetingStatus::kScheduled;
    MeetingPageKey after{m->start_time, m->meeting_id};
    if (now > after.start_time) after = {now, ""};
    ASSIGN_OR_RETURN(std::vector<MeetingRecord> next, tx.ListMeetings(filter, after, 1));
    if (!next.empty()) ctx.next_review = absl::ToCivilDay(next[0].start_time, time_zone_);
    ctx.meeting = *std::move(m);
    ctx.committee = *std::move(c);
    return absl::OkStatus();
  }));
  return ctx;
}

// ------------------------------------------------------------------ create

grpc::ServerUnaryReactor* ActionItemServiceImpl::CreateActionItem(
    grpc::CallbackServerContext* ctx, const v1::CreateActionItemRequest* req,
    v1::CreateActionItemResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CreateActionItem), WriterRoles(),
                    [=](const Principal& p) { return DoCreate(p, *req, resp); });
}

absl::Status ActionItemServiceImpl::DoCreate(const Principal& p,
                                             const v1::CreateActionItemRequest& req,
                                             v1::CreateActionItemResponse* resp) {
  const v1::ActionItem& in = req.item();
  RETURN_IF_ERROR(ValidateId("item.meeting_id", in.meeting_id()));
  if (!in.report_id().empty()) RETURN_IF_ERROR(ValidateId("item.report_id", in.report_id()));
  if (!in.cause_id().empty()) {
    if (in.report_id().empty()) {
      return absl::InvalidArgumentError(
          "item.cause_id needs item.report_id: a cause belongs to a report");
    }
    RETURN_IF_ERROR(ValidateId("item.cause_id", in.cause_id()));
  }
  RETURN_IF_ERROR(ValidateText("item.title", in.title(), 1, kMaxActionTitleChars, false));
  RETURN_IF_ERROR(ValidateText("item.measures", in.measures(), 0, kMaxMeasuresChars, true));
  RETURN_IF_ERROR(ValidateDepartments("item.departments", in.departments()));
  if (!in.owner_id().empty()) RETURN_IF_ERROR(ValidatePersonId("item.owner_id", in.owner_id()));
  ASSIGN_OR_RETURN(std::optional<absl::CivilDay> due, ParseDay("item.due_date", in.due_date()));
  ASSIGN_OR_RETURN(ExpectedResultRecord expected,
                   ExpectedFromProto("item.expected_result", in.expected_result()));
  RETURN_IF_ERROR(ValidateText("item.resources", in.resources(), 0, kMaxResourcesChars, true));
  const std::vector<std::string> departments(in.departments().begin(), in.departments().end());

  MeetingContext mc;
  return RunPrepared<v1::CreateActionItemRequest, v1::CreateActionItemResponse>(
      store_, p, req, METHOD(CreateActionItem), resp,
      [&]() -> absl::Status {
        ASSIGN_OR_RETURN(mc, LoadMeetingContext(p.tenant, in.meeting_id()));
        RETURN_IF_ERROR(CheckCommittee(p, mc.committee, "create"));
        if (mc.meeting.status == MeetingStatus::kCancelled) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "meeting \"%s\" was cancelled: raise the item at a meeting that took place",
              mc.meeting.meeting_id));
        }
        return absl::OkStatus();
      },
      [&](ActionTx& tx, v1::CreateActionItemResponse& out) -> absl::Status {
        if (!in.report_id().empty()) {
          ASSIGN_OR_RETURN(std::optional<ReportFigure> report, tx.FindReportFigure(in.report_id()));
          if (!report) {
            return absl::NotFoundError(
                absl::StrFormat("item.report_id \"%s\": no such report", in.report_id()));
          }
          if (report->meeting_id != in.meeting_id()) {
            return absl::InvalidArgumentError(absl::StrFormat(
                "item.report_id \"%s\" is a report of meeting \"%s\", not of item.meeting_id "
                "\"%s\"",
                in.report_id(), report->meeting_id, in.meeting_id()));
          }
        }
        // Who owns what: the chair (the general manager) a split item, each
        // department's manager their part.
        std::string chair;
        std::map<std::string, std::string> managers;
        for (const CommitteeMemberRecord& m : mc.committee.members) {
          if (m.role == CommitteeRole::kChair) chair = m.person_id;
          if (m.department_manager && !managers.count(m.department)) {
            managers[m.department] = m.person_id;
          }
        }
        std::optional<std::string> owner;
        if (!in.owner_id().empty()) owner = in.owner_id();
        absl::StatusOr<OwnershipPlan> plan = PlanOwnership(departments, owner, chair, managers);
        if (!plan.ok()) return Annotate(plan.status(), "item");

        const absl::Time now = clock_.Now();
        ActionItemRecord base;
        base.meeting_id = in.meeting_id();
        base.report_id = in.report_id();
        base.cause_id = in.cause_id();
        base.title = in.title();
        base.measures = in.measures();
        base.due = due;
        base.expected = expected;
        base.resources = in.resources();
        base.status = ActionStatus::kDraft;
        base.version = 1;
        base.create_time = now;
        base.created_by = p.subject;
        base.update_time = now;

        ActionItemRecord top = base;
        top.action_id = NewId("act");
        top.departments = plan->departments;
        top.owner_id = plan->owner_id;
        if (plan->children.empty()) top.responsible_department = plan->departments[0];
        RETURN_IF_ERROR(tx.InsertItem(top));
        StatusChangeRecord created;
        created.to = ActionStatus::kDraft;
        created.changed_by = p.subject;
        created.change_time = now;
        created.note =
            plan->children.empty()
                ? "created"
                : absl::StrCat("created; split into ", plan->children.size(), " department parts");
        RETURN_IF_ERROR(tx.AppendHistory(top.action_id, created));

        std::vector<std::string> part_ids;
        for (const DepartmentAssignment& a : plan->children) {
          ActionItemRecord part = base;
          part.action_id = NewId("act");
          part.departments = {a.department};
          part.responsible_department = a.department;
          part.owner_id = a.owner_id;
          part.parent_action_id = top.action_id;
          RETURN_IF_ERROR(tx.InsertItem(part));
          StatusChangeRecord c = created;
          c.note = absl::StrFormat("created as the %s part of %s", a.department, top.action_id);
          RETURN_IF_ERROR(tx.AppendHistory(part.action_id, c));
          part_ids.push_back(part.action_id);
        }
        const absl::CivilDay today = absl::ToCivilDay(now, time_zone_);
        RETURN_IF_ERROR(FillItem(tx, top.action_id, today, true, out.mutable_item()));
        for (const std::string& id : part_ids) {
          RETURN_IF_ERROR(FillItem(tx, id, today, true, out.add_parts()));
        }
        return absl::OkStatus();
      });
}

// --------------------------------------------------------------- get / list

grpc::ServerUnaryReactor* ActionItemServiceImpl::GetActionItem(grpc::CallbackServerContext* ctx,
                                                               const v1::GetActionItemRequest* req,
                                                               v1::GetActionItemResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetActionItem), ReaderRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("action_id", req->action_id()));
    std::optional<ActionItemRecord> rec;
    RETURN_IF_ERROR(store_.Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(rec, tx.FindItem(req->action_id(), false, /*details=*/true));
      return absl::OkStatus();
    }));
    if (!rec) return ItemNotFound(req->action_id());
    RETURN_IF_ERROR(CheckCanRead(p, *rec));
    ItemToProto(*rec, Today(), true, resp->mutable_item());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ActionItemServiceImpl::ListActionItems(
    grpc::CallbackServerContext* ctx, const v1::ListActionItemsRequest* req,
    v1::ListActionItemsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListActionItems), ReaderRoles(), [=](const Principal& p) {
    ActionFilter filter;
    if (!req->meeting_id().empty()) {
      RETURN_IF_ERROR(ValidateId("meeting_id", req->meeting_id()));
      filter.meeting_id = req->meeting_id();
    }
    if (!req->owner_id().empty()) {
      RETURN_IF_ERROR(ValidatePersonId("owner_id", req->owner_id()));
      filter.owner_id = req->owner_id();
    }
    if (!ReadsAll(p)) {
      if (!filter.owner_id.empty() && filter.owner_id != p.subject) {
        return absl::PermissionDeniedError(
            absl::StrFormat("role '%s' lists only its own items: owner_id \"%s\" is not \"%s\"",
                            RoleName(p.role), filter.owner_id, p.subject));
      }
      filter.owner_id = p.subject;
    }
    for (int i = 0; i < req->statuses_size(); ++i) {
      std::optional<ActionStatus> s = ActionStatusFromProto(req->statuses(i));
      if (!s) {
        return absl::InvalidArgumentError(
            absl::StrCat("statuses[", i, "] is not a status: leave it out to list every status"));
      }
      filter.statuses.push_back(*s);
    }
    if (!req->department().empty()) {
      RETURN_IF_ERROR(ValidateText("department", req->department(), 1, 100, false));
      filter.department = req->department();
    }
    ASSIGN_OR_RETURN(int page_size,
                     ResolvePageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(std::string key, DecodePageToken(req->page_token(), PageContext(*req)));
    std::optional<ActionPageKey> after;
    if (!key.empty()) {
      std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('/', 1));
      int64_t micros = 0;
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &micros)) return BadToken();
      after = ActionPageKey{absl::FromUnixMicros(micros), parts[1]};
    }
    std::vector<ActionItemRecord> recs;
    RETURN_IF_ERROR(store_.Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(recs, tx.ListItems(filter, after, page_size + 1));
      return absl::OkStatus();
    }));
    const bool more = static_cast<int>(recs.size()) > page_size;
    if (more) recs.resize(page_size);
    const absl::CivilDay today = Today();
    for (const ActionItemRecord& r : recs) ItemToProto(r, today, false, resp->add_items());
    if (more) resp->set_next_page_token(EncodePageToken(ListKey(recs.back()), PageContext(*req)));
    return absl::OkStatus();
  });
}

// ------------------------------------------------------------------ update

grpc::ServerUnaryReactor* ActionItemServiceImpl::UpdateActionItem(
    grpc::CallbackServerContext* ctx, const v1::UpdateActionItemRequest* req,
    v1::UpdateActionItemResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(UpdateActionItem), WriterRoles(),
                    [=](const Principal& p) { return DoUpdate(p, *req, resp); });
}

absl::Status ActionItemServiceImpl::DoUpdate(const Principal& p,
                                             const v1::UpdateActionItemRequest& req,
                                             v1::UpdateActionItemResponse* resp) {
  const v1::ActionItem& in = req.item();
  RETURN_IF_ERROR(ValidateId("item.action_id", in.action_id()));
  RETURN_IF_ERROR(RequireVersion(req.expected_version()));
  if (req.update_mask().paths().empty()) {
    return absl::InvalidArgumentError(
        "update_mask is empty: name the fields to change among \"title\", \"measures\", "
        "\"owner_id\", \"due_date\", \"expected_result\" and \"resources\"");
  }
  absl::flat_hash_set<std::string> paths;
  for (const std::string& path : req.update_mask().paths()) {
    if (path != "title" && path != "measures" && path != "owner_id" && path != "due_date" &&
        path != "expected_result" && path != "resources") {
      return absl::InvalidArgumentError(absl::StrFormat(
          "update_mask path \"%s\" cannot be changed: the paths are \"title\", \"measures\", "
          "\"owner_id\", \"due_date\", \"expected_result\" and \"resources\"",
          path));
    }
    paths.insert(path);
  }
  if (paths.contains("title")) {
    RETURN_IF_ERROR(ValidateText("item.title", in.title(), 1, kMaxActionTitleChars, false));
  }
  if (paths.contains("measures")) {
    RETURN_IF_ERROR(ValidateText("item.measures", in.measures(), 0, kMaxMeasuresChars, true));
  }
  if (paths.contains("owner_id")) {
    RETURN_IF_ERROR(ValidatePersonId("item.owner_id", in.owner_id()));
  }
  std::optional<absl::CivilDay> due;
  if (paths.contains("due_date")) {
    ASSIGN_OR_RETURN(due, ParseDay("item.due_date", in.due_date()));
  }
  ExpectedResultRecord expected;
  if (paths.contains("expected_result")) {
    ASSIGN_OR_RETURN(expected, ExpectedFromProto("item.expected_result", in.expected_result()));
  }
  if (paths.contains("resources")) {
    RETURN_IF_ERROR(ValidateText("item.resources", in.resources(), 0, kMaxResourcesChars, true));
  }
  return RunPrepared<v1::UpdateActionItemRequest, v1::UpdateActionItemResponse>(
      store_, p, req, METHOD(UpdateActionItem), resp, [] { return absl::OkStatus(); },
      [&](ActionTx& tx, v1::UpdateActionItemResponse& out) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<ActionItemRecord> item,
                         tx.FindItem(in.action_id(), /*for_update=*/true, false));
        if (!item) return ItemNotFound(in.action_id());
        RETURN_IF_ERROR(CheckCanRead(p, *item));
        RETURN_IF_ERROR(CheckIsOwner(p, *item, "edits"));
        RETURN_IF_ERROR(CheckVersion(*item, req.expected_version()));
        RETURN_IF_ERROR(CheckEditable(item->status));
        if (paths.contains("title")) item->title = in.title();
        if (paths.contains("measures")) item->measures = in.measures();
        if (paths.contains("owner_id") && in.owner_id() != item->owner_id) {
          if (!item->child_action_ids.empty()) {
            return absl::InvalidArgumentError(absl::StrFormat(
                "item.owner_id: action item \"%s\" is split across departments, so the general "
                "manager \"%s\" owns it; change the owner of a department's part instead",
                item->action_id, item->owner_id));
          }
          item->owner_id = in.owner_id();
        }
        if (paths.contains("due_date")) item->due = due;
        if (paths.contains("expected_result")) item->expected = expected;
        if (paths.contains("resources")) item->resources = in.resources();
        const absl::Time now = clock_.Now();
        item->version += 1;
        item->update_time = now;
        RETURN_IF_ERROR(tx.UpdateItem(*item));
        return FillItem(tx, item->action_id, absl::ToCivilDay(now, time_zone_), true,
                        out.mutable_item());
      });
}

// ------------------------------------------------------------ status moves

grpc::ServerUnaryReactor* ActionItemServiceImpl::ChangeActionStatus(
    grpc::CallbackServerContext* ctx, const v1::ChangeActionStatusRequest* req,
    v1::ChangeActionStatusResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ChangeActionStatus), WriterRoles(),
                    [=](const Principal& p) { return DoChangeStatus(p, *req, resp); });
}

absl::Status ActionItemServiceImpl::DoChangeStatus(const Principal& p,
                                                   const v1::ChangeActionStatusRequest& req,
                                                   v1::ChangeActionStatusResponse* resp) {
  RETURN_IF_ERROR(ValidateId("action_id", req.action_id()));
  const std::optional<ActionStatus> to = ActionStatusFromProto(req.status());
  if (!to) {
    return absl::InvalidArgumentError(
        "status is required: the status to move to, e.g. ACTION_STATUS_SUBMITTED");
  }
  RETURN_IF_ERROR(RequireVersion(req.expected_version()));
  RETURN_IF_ERROR(ValidateText("note", req.note(), 0, kMaxActionNoteChars, true));
  const bool committee_move = *to == ActionStatus::kAccepted || *to == ActionStatus::kReturned ||
                              *to == ActionStatus::kVerifiedAchieved ||
                              *to == ActionStatus::kVerifiedNotAchieved;
  if (committee_move && *to != ActionStatus::kAccepted &&
      absl::StripAsciiWhitespace(req.note()).empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("note is required to move an item to %s: say why", ActionStatusLabel(*to)));
  }

  MeetingContext mc;
  return RunPrepared<v1::ChangeActionStatusRequest, v1::ChangeActionStatusResponse>(
      store_, p, req, METHOD(ChangeActionStatus), resp,
      [&]() -> absl::Status {
        // The item's meeting: its committee decides, and its next meeting
        // bounds the due date (SMART time-bound).
        std::optional<ActionItemRecord> item;
        RETURN_IF_ERROR(store_.Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(item, tx.FindItem(req.action_id(), false, false));
          return absl::OkStatus();
        }));
        if (!item) return ItemNotFound(req.action_id());
        ASSIGN_OR_RETURN(mc, LoadMeetingContext(p.tenant, item->meeting_id));
        return absl::OkStatus();
      },
      [&](ActionTx& tx, v1::ChangeActionStatusResponse& out) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<ActionItemRecord> item,
                         tx.FindItem(req.action_id(), /*for_update=*/true, false));
        if (!item) return ItemNotFound(req.action_id());
        RETURN_IF_ERROR(CheckCanRead(p, *item));
        if (committee_move) {
          const char* what = *to == ActionStatus::kAccepted   ? "accept"
                             : *to == ActionStatus::kReturned ? "return"
                                                              : "verify";
          RETURN_IF_ERROR(CheckCommittee(p, mc.committee, what));
        } else {
          const char* what = *to == ActionStatus::kSubmitted    ? "submits"
                             : *to == ActionStatus::kInProgress ? "starts"
                                                                : "completes";
          RETURN_IF_ERROR(CheckIsOwner(p, *item, what));
        }
        RETURN_IF_ERROR(CheckVersion(*item, req.expected_version()));
        RETURN_IF_ERROR(CheckTransition(item->status, *to));

        const absl::Time now = clock_.Now();
        const absl::CivilDay today = absl::ToCivilDay(now, time_zone_);
        switch (*to) {
          case ActionStatus::kSubmitted: {
            // The SMART check, from the figure of the report it answers when
            // that is the same metric and scope.
            std::optional<int64_t> current;
            if (!item->report_id.empty() && !item->expected.metric.empty()) {
              ASSIGN_OR_RETURN(std::optional<ReportFigure> f, tx.FindReportFigure(item->report_id));
              if (f && f->metric == item->expected.metric &&
                  f->presenter_kind == item->expected.scope_kind &&
                  f->presenter_id == item->expected.scope_id) {
                current = f->actual;
              }
            }
            const std::vector<SmartFailure> failures =
                CheckSmart(SmartInputOf(*item, current, mc.next_review), today, smart_policy_);
            RETURN_IF_ERROR(Move(tx, *item, ActionStatus::kSubmitted, p.subject, now, req.note()));
            if (!failures.empty()) {
              std::vector<SmartFailureRecord> records;
              for (const SmartFailure& f : failures) records.push_back(FailureRecordOf(f));
              RETURN_IF_ERROR(Move(tx, *item, ActionStatus::kReturned, kAutomaticActor, now,
                                   absl::StrCat("the SMART check failed (", failures.size(),
                                                failures.size() == 1 ? " reason" : " reasons",
                                                "): fix and submit again"),
                                   std::move(records)));
            }
            break;
          }
          case ActionStatus::kAccepted:
            // Ten-day reports are counted from acceptance.
            item->progress_due = NextProgressReport(today, today).next_due;
            RETURN_IF_ERROR(Move(tx, *item, *to, p.subject, now, req.note()));
            break;
          case ActionStatus::kDone: {
            ASSIGN_OR_RETURN(std::vector<ActionItemRecord> parts, tx.ListChildren(item->action_id));
            std::vector<std::string> open;
            for (const ActionItemRecord& c : parts) {
              if (!IsFinished(c.status)) {
                open.push_back(absl::StrFormat("%s (%s) is %s", c.action_id,
                                               c.responsible_department,
                                               ActionStatusLabel(c.status)));
              }
            }
            if (!open.empty()) {
              return absl::FailedPreconditionError(
                  absl::StrFormat("action item \"%s\" is done when every department's part is: %s",
                                  item->action_id, absl::StrJoin(open, "; ")));
            }
            RETURN_IF_ERROR(Move(tx, *item, *to, p.subject, now, req.note()));
            break;
          }
          case ActionStatus::kVerifiedAchieved:
          case ActionStatus::kVerifiedNotAchieved: {
            VerificationRecord v;
            v.achieved = *to == ActionStatus::kVerifiedAchieved;
            v.automatic = false;
            v.verify_time = now;
            item->verification = v;
            RETURN_IF_ERROR(Move(tx, *item, *to, p.subject, now, req.note()));
            break;
          }
          default:
            RETURN_IF_ERROR(Move(tx, *item, *to, p.subject, now, req.note()));
            break;
        }
        item->version += 1;
        item->update_time = now;
        RETURN_IF_ERROR(tx.UpdateItem(*item));
        RETURN_IF_ERROR(AfterChange(tx, *item, now));
        return FillItem(tx, item->action_id, today, true, out.mutable_item());
      });
}

// --------------------------------------------------------------- progress

grpc::ServerUnaryReactor* ActionItemServiceImpl::ReportProgress(
    grpc::CallbackServerContext* ctx, const v1::ReportProgressRequest* req,
    v1::ReportProgressResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ReportProgress), WriterRoles(),
                    [=](const Principal& p) { return DoReportProgress(p, *req, resp); });
}

absl::Status ActionItemServiceImpl::DoReportProgress(const Principal& p,
                                                     const v1::ReportProgressRequest& req,
                                                     v1::ReportProgressResponse* resp) {
  RETURN_IF_ERROR(ValidateId("action_id", req.action_id()));
  const v1::ProgressReport& r = req.report();
  ASSIGN_OR_RETURN(std::optional<absl::CivilDay> as_of,
                   ParseDay("report.as_of_date", r.as_of_date()));
  if (r.done_bp() < 0 || r.done_bp() > kFullAttainment) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "report.done_bp is %d: the share done runs 0..10000 basis points (10000 = all)",
        r.done_bp()));
  }
  RETURN_IF_ERROR(ValidateText("report.note", r.note(), 1, kMaxProgressNoteChars, true));
  return RunPrepared<v1::ReportProgressRequest, v1::ReportProgressResponse>(
      store_, p, req, METHOD(ReportProgress), resp, [] { return absl::OkStatus(); },
      [&](ActionTx& tx, v1::ReportProgressResponse& out) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<ActionItemRecord> item,
                         tx.FindItem(req.action_id(), /*for_update=*/true, /*details=*/true));
        if (!item) return ItemNotFound(req.action_id());
        RETURN_IF_ERROR(CheckCanRead(p, *item));
        RETURN_IF_ERROR(CheckIsOwner(p, *item, "reports progress on"));
        if (item->status != ActionStatus::kInProgress) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "action item \"%s\" is %s: progress is reported while it is IN_PROGRESS",
              item->action_id, ActionStatusLabel(item->status)));
        }
        const absl::Time now = clock_.Now();
        const absl::CivilDay today = absl::ToCivilDay(now, time_zone_);
        const absl::CivilDay day = as_of.value_or(today);
        if (day > today) {
          return absl::InvalidArgumentError(
              absl::StrFormat("report.as_of_date %s is after today %s: report what is done",
                              DayString(day), DayString(today)));
        }
        if (!item->progress.empty() && day < item->progress.back().as_of) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "report.as_of_date %s is before the last report's %s: reports go forward in time",
              DayString(day), DayString(item->progress.back().as_of)));
        }
        ProgressRecord rec;
        rec.as_of = day;
        if (r.has_value()) rec.value = r.value();
        rec.done_bp = r.done_bp();
        rec.note = r.note();
        rec.reported_by = p.subject;
        rec.report_time = now;
        RETURN_IF_ERROR(tx.AppendProgress(item->action_id, rec));
        const absl::CivilDay next = NextProgressReport(day, today).next_due;
        if (!item->progress_due || next > *item->progress_due) item->progress_due = next;
        item->version += 1;
        item->update_time = now;
        RETURN_IF_ERROR(tx.UpdateItem(*item));
        return FillItem(tx, item->action_id, today, true, out.mutable_item());
      });
}

// ---------------------------------------------------------------- overdue

grpc::ServerUnaryReactor* ActionItemServiceImpl::ListOverdueActionItems(
    grpc::CallbackServerContext* ctx, const v1::ListOverdueActionItemsRequest* req,
    v1::ListOverdueActionItemsResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ListOverdueActionItems), ReaderRoles(), [=](const Principal& p) {
        OverdueFilter filter;
        if (!req->department().empty()) {
          RETURN_IF_ERROR(ValidateText("department", req->department(), 1, 100, false));
          filter.department = req->department();
        }
        if (!ReadsAll(p)) filter.owner_id = p.subject;
        ASSIGN_OR_RETURN(int page_size,
                         ResolvePageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
        ASSIGN_OR_RETURN(std::string key, DecodePageToken(req->page_token(), PageContext(*req)));
        std::optional<OverduePageKey> after;
        if (!key.empty()) {
          std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('/', 1));
          absl::CivilDay day;
          if (parts.size() != 2 || !absl::ParseCivilTime(parts[0], &day)) return BadToken();
          after = OverduePageKey{day, parts[1]};
        }
        const absl::CivilDay today = Today();
        std::vector<OverdueRow> rows;
        RETURN_IF_ERROR(store_.Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(rows, tx.ListOverdue(filter, today, after, page_size + 1));
          return absl::OkStatus();
        }));
        const bool more = static_cast<int>(rows.size()) > page_size;
        if (more) rows.resize(page_size);
        resp->set_as_of_date(DayString(today));
        for (const OverdueRow& row : rows) {
          v1::OverdueActionItem* o = resp->add_items();
          ItemToProto(row.item, today, false, o->mutable_item());
          o->set_days_overdue(static_cast<int32_t>(DaysOverdueOf(row.item, today)));
          o->set_progress_days_late(static_cast<int32_t>(ProgressDaysLateOf(row.item, today)));
        }
        if (more) {
          const OverdueRow& last = rows.back();
          resp->set_next_page_token(
              EncodePageToken(absl::StrCat(DayString(last.late_since), "/", last.item.action_id),
                              PageContext(*req)));
        }
        return absl::OkStatus();
      });
}

// ------------------------------------------------------------ verification

grpc::ServerUnaryReactor* ActionItemServiceImpl::VerifyActionItems(
    grpc::CallbackServerContext* ctx, const v1::VerifyActionItemsRequest* req,
    v1::VerifyActionItemsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(VerifyActionItems), WriterRoles(),
                    [=](const Principal& p) { return DoVerify(p, *req, resp); });
}

namespace {

// What VerifyActionItems decided for one item before its transaction.
struct VerifyPlan {
  std::string action_id;
  int64_t version = 0;
  ActionStatus status = ActionStatus::kDraft;
  std::string left_reason;  // non-empty: left for the committee
  // With a verdict:
  ActionStatus verified = ActionStatus::kVerifiedAchieved;
  int64_t actual = 0;
  std::string evaluation_id;
  std::string note;
};

}  // namespace

absl::Status ActionItemServiceImpl::DoVerify(const Principal& p,
                                             const v1::VerifyActionItemsRequest& req,
                                             v1::VerifyActionItemsResponse* resp) {
  RETURN_IF_ERROR(ValidateId("meeting_id", req.meeting_id()));
  std::vector<VerifyPlan> plans;
  return RunPrepared<v1::VerifyActionItemsRequest, v1::VerifyActionItemsResponse>(
      store_, p, req, METHOD(VerifyActionItems), resp,
      [&]() -> absl::Status {
        ASSIGN_OR_RETURN(MeetingContext mc, LoadMeetingContext(p.tenant, req.meeting_id()));
        RETURN_IF_ERROR(CheckCommittee(p, mc.committee, "verify"));
        if (mc.meeting.status != MeetingStatus::kScheduled &&
            mc.meeting.status != MeetingStatus::kInProgress) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "meeting \"%s\" is %s: items are verified at a meeting that is scheduled or in "
              "progress",
              mc.meeting.meeting_id, MeetingStatusName(mc.meeting.status)));
        }
        if (eval_ == nullptr) {
          return absl::UnavailableError(
              "the evaluation service (attain-eval) is not configured: verification needs it");
        }
        // The committee's earlier meetings.
        std::vector<std::string> earlier;
        RETURN_IF_ERROR(meetings_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
          MeetingFilter filter;
          filter.committee_id = mc.committee.committee_id;
          std::optional<MeetingPageKey> after;
          for (;;) {
            ASSIGN_OR_RETURN(std::vector<MeetingRecord> page, tx.ListMeetings(filter, after, 500));
            for (const MeetingRecord& m : page) {
              if (std::make_pair(m.start_time, m.meeting_id) <
                  std::make_pair(mc.meeting.start_time, mc.meeting.meeting_id)) {
                earlier.push_back(m.meeting_id);
              }
            }
            if (page.size() < 500) return absl::OkStatus();
            after = MeetingPageKey{page.back().start_time, page.back().meeting_id};
          }
        }));
        std::vector<ActionItemRecord> items;
        if (!earlier.empty()) {
          RETURN_IF_ERROR(store_.Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
            ASSIGN_OR_RETURN(items, tx.ListOpenOfMeetings(earlier));
            return absl::OkStatus();
          }));
        }
        // Ask attain-eval once per (unit, period), before any change: when it
        // cannot be reached the call fails and nothing is changed.
        std::map<std::pair<std::string, std::string>,
                 absl::StatusOr<std::optional<EvaluationFigures>>>
            evaluations;
        const absl::CivilDay today = Today();
        for (const ActionItemRecord& item : items) {
          VerifyPlan plan;
          plan.action_id = item.action_id;
          plan.version = item.version;
          plan.status = item.status;
          const ExpectedResultRecord& e = item.expected;
          const bool due = item.due.has_value() && *item.due <= today;
          if (item.status != ActionStatus::kDone &&
              !(item.status == ActionStatus::kInProgress && due)) {
            plan.left_reason =
                item.status == ActionStatus::kInProgress
                    ? absl::StrCat("in progress and not due until ",
                                   item.due ? DayString(*item.due) : std::string("(no due date)"))
                    : absl::StrCat("status ", ActionStatusLabel(item.status),
                                   ": an item is verified once it is done");
          } else if (e.metric.empty()) {
            plan.left_reason =
                "not a metric: the committee judges it (ChangeActionStatus to VERIFIED_ACHIEVED "
                "or VERIFIED_NOT_ACHIEVED)";
          } else if (e.scope_id.empty() || e.period.empty()) {
            plan.left_reason = "the expected result names no scope or no period to measure";
          } else {
            const std::string unit = e.scope_kind == "unit" ? e.scope_id : mc.committee.unit_id;
            auto key = std::make_pair(unit, e.period);
            auto it = evaluations.find(key);
            if (it == evaluations.end()) {
              it = evaluations.emplace(key, eval_->NewestFinalEvaluation(p.tenant, unit, e.period))
                       .first;
            }
            const absl::StatusOr<std::optional<EvaluationFigures>>& found = it->second;
            const ScorecardFigures* card = nullptr;
            if (!found.ok()) {
              const absl::StatusCode code = found.status().code();
              if (code != absl::StatusCode::kNotFound &&
                  code != absl::StatusCode::kInvalidArgument &&
                  code != absl::StatusCode::kFailedPrecondition) {
                return found.status();  // attain-eval down or refusing: change nothing
              }
              plan.left_reason = absl::StrCat("attain-eval: ", found.status().message());
            } else if (!found->has_value()) {
              plan.left_reason =
                  absl::StrFormat("no final evaluation of unit %s for %s yet", unit, e.period);
            } else {
              const EvaluationFigures& ev = **found;
              plan.evaluation_id = ev.evaluation_id;
              if (e.scope_kind == "unit") {
                if (ev.unit_row)
                  card = &*ev.unit_row;
                else {
                  plan.left_reason = absl::StrFormat("evaluation %s has no scorecard of unit %s",
                                                     ev.evaluation_id, unit);
                }
              } else {
                auto row = ev.reps.find(e.scope_id);
                if (row != ev.reps.end()) {
                  card = &row->second;
                } else {
                  plan.left_reason =
                      absl::StrFormat("rep %s has no row in evaluation %s of unit %s for %s",
                                      e.scope_id, ev.evaluation_id, unit, e.period);
                }
              }
            }
            if (card != nullptr) {
              const IndicatorFigure* indicator = nullptr;
              for (const IndicatorFigure& f : card->indicators) {
                if (f.metric == e.metric) {
                  indicator = &f;
                  break;
                }
              }
              if (indicator == nullptr) {
                plan.left_reason = absl::StrFormat(
                    "%s is not on the scorecard of evaluation %s (template %s v%d): the "
                    "committee judges it",
                    e.metric, plan.evaluation_id, card->template_id, card->template_version);
              } else if (!indicator->actual) {
                plan.left_reason =
                    absl::StrFormat("evaluation %s has no data for %s of %s %s", plan.evaluation_id,
                                    e.metric, e.scope_kind, e.scope_id);
              } else {
                const bool lower = LowerIsBetter(e);
                const Verdict verdict = Verify(e.target_value, indicator->actual, lower);
                plan.verified = *VerifiedStatus(verdict);
                plan.actual = *indicator->actual;
                plan.note = absl::StrFormat(
                    "%s of %s %s in %s: actual %s against the expected %s %s (evaluation %s): %s",
                    e.metric, e.scope_kind, e.scope_id, e.period, FigureText(e.metric, plan.actual),
                    lower ? "at most" : "at least", FigureText(e.metric, e.target_value),
                    plan.evaluation_id,
                    verdict == Verdict::kAchieved ? "achieved" : "not achieved");
              }
            }
          }
          plans.push_back(std::move(plan));
        }
        // Verify in action-id order (the list's order): locks are taken in it.
        std::sort(plans.begin(), plans.end(), [](const VerifyPlan& a, const VerifyPlan& b) {
          return a.action_id < b.action_id;
        });
        return absl::OkStatus();
      },
      [&](ActionTx& tx, v1::VerifyActionItemsResponse& out) -> absl::Status {
        const absl::Time now = clock_.Now();
        const absl::CivilDay today = absl::ToCivilDay(now, time_zone_);
        for (const VerifyPlan& plan : plans) {
          v1::VerifiedItem* vi = out.add_items();
          std::string left = plan.left_reason;
          if (left.empty()) {
            ASSIGN_OR_RETURN(std::optional<ActionItemRecord> item,
                             tx.FindItem(plan.action_id, /*for_update=*/true, false));
            if (!item || item->version != plan.version || item->status != plan.status) {
              left = "it changed while being verified: run VerifyActionItems again";
            } else {
              if (item->status == ActionStatus::kInProgress) {
                RETURN_IF_ERROR(
                    Move(tx, *item, ActionStatus::kDone, kAutomaticActor, now,
                         absl::StrFormat("due %s has passed: closed at meeting %s for verification",
                                         DayString(*item->due), req.meeting_id())));
              }
              RETURN_IF_ERROR(CheckTransition(item->status, plan.verified));
              VerificationRecord v;
              v.achieved = plan.verified == ActionStatus::kVerifiedAchieved;
              v.actual = plan.actual;
              v.evaluation_id = plan.evaluation_id;
              v.meeting_id = req.meeting_id();
              v.automatic = true;
              v.verify_time = now;
              item->verification = v;
              RETURN_IF_ERROR(Move(tx, *item, plan.verified, kAutomaticActor, now, plan.note));
              item->version += 1;
              item->update_time = now;
              RETURN_IF_ERROR(tx.UpdateItem(*item));
              RETURN_IF_ERROR(AfterChange(tx, *item, now));
              vi->set_verified(true);
            }
          }
          vi->set_left_reason(left);
          RETURN_IF_ERROR(FillItem(tx, plan.action_id, today, true, vi->mutable_item()));
        }
        return absl::OkStatus();
      });
}

// ---------------------------------------------------------- person record

grpc::ServerUnaryReactor* ActionItemServiceImpl::GetPersonRecord(
    grpc::CallbackServerContext* ctx, const v1::GetPersonRecordRequest* req,
    v1::GetPersonRecordResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetPersonRecord), WriterRoles(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidatePersonId("person_id", req->person_id()));
    const bool any = p.role == Role::kAdmin || p.role == Role::kDirector || p.role == Role::kHr;
    if (!any && req->person_id() != p.subject) {
      return absl::PermissionDeniedError(absl::StrFormat(
          "role '%s' reads only its own record (\"%s\"), not \"%s\": hr, director and admin read "
          "everyone's",
          RoleName(p.role), p.subject, req->person_id()));
    }
    std::vector<PresentationRecord> outcomes;
    std::vector<ActionItemRecord> items;
    RETURN_IF_ERROR(store_.Read(p.tenant, [&](ActionTx& tx) -> absl::Status {
      // Review outcomes come from the agendas (a rep presenting, with the
      // deviation the evaluation gave) and the reports written for them.
      ASSIGN_OR_RETURN(outcomes, tx.ListPresentations(req->person_id()));
      ASSIGN_OR_RETURN(items, tx.ListOwnedBy(req->person_id()));
      return absl::OkStatus();
    }));
    resp->set_person_id(req->person_id());
    for (const PresentationRecord& o : outcomes) {
      v1::ReviewOutcome* out = resp->add_outcomes();
      out->set_meeting_id(o.meeting_id);
      out->set_period(o.period);
      TimeToProto(o.start_time, out->mutable_start_time());
      out->set_report_id(o.report_id);
      v1::Deviation* d = out->mutable_deviation();
      absl::StatusOr<MetricInfo> info = LookupMetricByName(o.metric);
      if (info.ok()) d->set_metric(static_cast<type::v1::Metric>(info->number));
      d->set_target(o.target.value_or(0));
      d->set_actual(o.actual.value_or(0));
      d->set_gap(o.gap.value_or(0));
      if (o.attainment_bp) d->set_attainment_bp(*o.attainment_bp);
      d->set_currency_code(o.currency_code);
    }
    const absl::CivilDay today = Today();
    int32_t achieved = 0, not_achieved = 0, overdue = 0;
    for (const ActionItemRecord& item : items) {
      ItemToProto(item, today, false, resp->add_action_items());
      if (item.status == ActionStatus::kVerifiedAchieved) ++achieved;
      if (item.status == ActionStatus::kVerifiedNotAchieved) ++not_achieved;
      if (item.due && IsOverdue(item.status, *item.due, today)) ++overdue;
    }
    resp->set_achieved_count(achieved);
    resp->set_not_achieved_count(not_achieved);
    resp->set_overdue_count(overdue);
    return absl::OkStatus();
  });
}

}  // namespace attain::review
