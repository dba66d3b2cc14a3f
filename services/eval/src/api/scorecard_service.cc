#include "services/eval/src/api/scorecard_service.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/concurrent.h"
#include "common/memory.h"
#include "common/page.h"
#include "common/period.h"
#include "common/status.h"
#include "services/eval/src/api/template_convert.h"
#include "services/eval/src/scorecards/what_if.h"

namespace attain::eval {
namespace {

#define METHOD(name) "attain.eval.v1.ScorecardService/" #name

// An org tree deeper than this is taken for a cycle rather than walked on.
constexpr int kMaxOrgDepth = 64;

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The template a request names, parsed: the latest version, or `version`.
absl::StatusOr<ScorecardTemplate> LoadTemplate(TemplateStore& store, const std::string& tenant,
                                               const std::string& template_id, int64_t version) {
  std::optional<TemplateVersionRecord> rec;
  RETURN_IF_ERROR(store.Read(tenant, [&](TemplateTx& tx) -> absl::Status {
    if (version == 0) {
      ASSIGN_OR_RETURN(rec, tx.FindLatest(template_id, /*for_update=*/false));
    } else {
      ASSIGN_OR_RETURN(rec, tx.FindVersion(template_id, version));
    }
    return absl::OkStatus();
  }));
  if (!rec) {
    return absl::NotFoundError(
        version == 0 ? absl::StrFormat("template \"%s\" does not exist", template_id)
                     : absl::StrFormat("template \"%s\" has no version %d (ListTemplateVersions "
                                       "shows its versions)",
                                       template_id, version));
  }
  v1::ScorecardTemplate proto;
  RETURN_IF_ERROR(RecordToProto(*rec, &proto));
  absl::StatusOr<ScorecardTemplate> tmpl =
      TemplateFromProto(proto, rec->template_id, rec->version, "");
  if (!tmpl.ok()) {
    // Stored templates were validated when written.
    return absl::InternalError(absl::StrCat("stored template \"", template_id,
                                            "\" cannot be read: ", tmpl.status().message()));
  }
  return tmpl;
}

// The template assigned to `unit` on `day` (directly, as GetAssignedTemplate
// finds it), at its latest version.
absl::StatusOr<ScorecardTemplate> AssignedTemplate(TemplateStore& store, const std::string& tenant,
                                                   const std::string& unit, absl::CivilDay day) {
  std::optional<AssignmentRecord> assignment;
  RETURN_IF_ERROR(store.Read(tenant, [&](TemplateTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(assignment, tx.FindAssignment(unit, day));
    return absl::OkStatus();
  }));
  if (!assignment) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "no scorecard template is assigned to unit \"%s\" on %s: assign one with "
        "TemplateService.AssignTemplate (unit_id \"%s\"), or name template_id in the request",
        unit, DayText(day), unit));
  }
  return LoadTemplate(store, tenant, assignment->template_id, 0);
}

// Roles that run, finalise, restate and discard evaluations and decide
// appeals.
RoleSet EvaluationAdmins() { return {Role::kAdmin, Role::kDirector}; }

constexpr size_t kMaxReasonBytes = 2000;

// Most units one CompareUnits call compares.
constexpr int kMaxComparedUnits = 50;

// Readers of comparisons and what-ifs: the scorecard readers but reps, who
// read only their own numbers.
RoleSet UnitReaders() {
  return {Role::kAdmin,           Role::kDirector, Role::kHr,     Role::kCommitteeSecretary,
          Role::kCommitteeMember, Role::kService,  Role::kManager};
}

// OrgSource::Unit, its NOT_FOUND naming the request field.
absl::StatusOr<UnitInfo> FindUnit(OrgSource& org, const std::string& tenant,
                                  const std::string& field, const std::string& unit) {
  absl::StatusOr<UnitInfo> info = org.Unit(tenant, unit);
  if (!info.ok() && absl::IsNotFound(info.status())) {
    return absl::NotFoundError(absl::StrFormat(
        "%s: unit \"%s\" does not exist (OrgService.ListOrgUnits shows the org tree)", field,
        unit));
  }
  return info;
}

absl::Status ValidateReason(const char* field, const std::string& reason) {
  if (reason.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is required: say why", field));
  }
  if (reason.size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is %d bytes long: at most %d are kept",
                                                      field, reason.size(), kMaxReasonBytes));
  }
  return absl::OkStatus();
}

// The request without its request_id: what a retry must repeat.
template <typename Req>
std::string Fingerprint(const Req& req) {
  Req copy = req;
  copy.clear_request_id();
  return copy.SerializeAsString();
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t secs = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --secs;
  }
  out->set_seconds(secs);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

v1::EvaluationState ToProto(EvaluationState s) {
  switch (s) {
    case EvaluationState::kDraft:
      return v1::EVALUATION_STATE_DRAFT;
    case EvaluationState::kFinal:
      return v1::EVALUATION_STATE_FINAL;
    case EvaluationState::kRestated:
      return v1::EVALUATION_STATE_RESTATED;
    case EvaluationState::kDiscarded:
      return v1::EVALUATION_STATE_DISCARDED;
  }
  return v1::EVALUATION_STATE_UNSPECIFIED;
}

// `with_unit_row`: false for a rep, who sees only their own numbers.
// Everything of `r` but its rows and unit row.
void EvaluationHeaderToProto(const EvaluationRecord& r, v1::Evaluation* out) {
  out->set_evaluation_id(r.evaluation_id);
  out->set_unit_id(r.unit_id);
  out->set_period(r.period);
  out->set_template_id(r.template_id);
  out->set_template_version(r.template_version);
  out->set_state(ToProto(r.state));
  out->set_restates_id(r.restates_id);
  out->set_restated_by_id(r.restated_by_id);
  out->set_restatement_reason(r.restatement_reason);
  out->set_appeal_id(r.appeal_id);
  out->set_created_by(r.created_by);
  SetTimestamp(r.create_time, out->mutable_create_time());
  if (r.finalize_time) SetTimestamp(*r.finalize_time, out->mutable_finalize_time());
  out->set_discard_reason(r.discard_reason);
  out->set_discarded_by(r.discarded_by);
  if (r.discard_time) SetTimestamp(*r.discard_time, out->mutable_discard_time());
}

absl::Status EvaluationToProto(const EvaluationRecord& r, bool with_unit_row, v1::Evaluation* out) {
  EvaluationHeaderToProto(r, out);
  for (const EvaluationRowRecord& row : r.rows) {
    if (!out->add_rows()->ParseFromString(row.scorecard)) {
      return absl::InternalError(
          absl::StrFormat("stored row of rep \"%s\" in evaluation \"%s\" cannot be read",
                          row.rep_id, r.evaluation_id));
    }
  }
  if (with_unit_row && !r.unit_scorecard.empty() &&
      !out->mutable_unit_row()->ParseFromString(r.unit_scorecard)) {
    return absl::InternalError(
        absl::StrFormat("stored unit row of evaluation \"%s\" cannot be read", r.evaluation_id));
  }
  return absl::OkStatus();
}

v1::AppealState ToProto(AppealState s) {
  switch (s) {
    case AppealState::kOpen:
      return v1::APPEAL_STATE_OPEN;
    case AppealState::kUpheld:
      return v1::APPEAL_STATE_UPHELD;
    case AppealState::kRejected:
      return v1::APPEAL_STATE_REJECTED;
  }
  return v1::APPEAL_STATE_UNSPECIFIED;
}

void AppealToProto(const AppealRecord& r, v1::Appeal* out) {
  out->set_appeal_id(r.appeal_id);
  out->set_evaluation_id(r.evaluation_id);
  out->set_rep_id(r.rep_id);
  out->set_reason(r.reason);
  out->set_state(ToProto(r.state));
  out->set_decision_reason(r.decision_reason);
  out->set_restatement_id(r.restatement_id);
  SetTimestamp(r.create_time, out->mutable_create_time());
  if (r.decide_time) SetTimestamp(*r.decide_time, out->mutable_decide_time());
}

absl::Status EvaluationNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrFormat(
      "evaluation \"%s\" does not exist (ListEvaluations shows this tenant's evaluations)", id));
}

// Parses a stored or fresh response into `resp`.
template <typename Resp>
absl::Status ParseResponse(const std::string& bytes, Resp* resp) {
  if (!resp->ParseFromString(bytes)) {
    return absl::InternalError("the stored response of this request_id cannot be read");
  }
  return absl::OkStatus();
}

}  // namespace

RoleSet ScorecardReaders() {
  return {Role::kAdmin,           Role::kDirector, Role::kHr,      Role::kCommitteeSecretary,
          Role::kCommitteeMember, Role::kService,  Role::kManager, Role::kRep};
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::GetScorecard(grpc::CallbackServerContext* ctx,
                                                             const v1::GetScorecardRequest* req,
                                                             v1::GetScorecardResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetScorecard), ScorecardReaders(), [=](const Principal& p) {
    // ---- the request ----
    Subject subject;
    switch (req->subject().kind()) {
      case type::v1::SCOPE_KIND_REP:
        subject.kind = Subject::Kind::kRep;
        break;
      case type::v1::SCOPE_KIND_UNIT:
        subject.kind = Subject::Kind::kUnit;
        break;
      default:
        return absl::InvalidArgumentError(
            "subject.kind must be SCOPE_KIND_REP or SCOPE_KIND_UNIT: a scorecard is of a rep or "
            "an org unit");
    }
    subject.id = req->subject().id();
    RETURN_IF_ERROR(ValidateId("subject.id", subject.id));
    absl::StatusOr<Period> period = Period::Parse(req->period());
    if (!period.ok()) return Annotate(period.status(), "period");
    if (req->template_version() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("template_version ", req->template_version(),
                                                     " is negative; 0 means the latest"));
    }
    if (req->template_version() > 0 && req->template_id().empty()) {
      return absl::InvalidArgumentError(
          "template_version needs template_id: the assigned template is always used at its "
          "latest version");
    }
    if (!req->template_id().empty()) RETURN_IF_ERROR(ValidateId("template_id", req->template_id()));

    // ---- who may read it ----
    if (p.role == Role::kRep && (subject.kind != Subject::Kind::kRep || subject.id != p.subject)) {
      return absl::PermissionDeniedError(
          "a rep reads only their own scorecard (subject: the rep's own id)");
    }
    // A period is scored with the placement and template of its last day.
    const absl::CivilDay last_day = period->last_day();
    std::string team;  // a rep's team, or "" for a unit
    bool is_company = false;
    std::string parent;  // a unit's parent ("" for the company and for reps)
    if (subject.kind == Subject::Kind::kRep) {
      ASSIGN_OR_RETURN(team, org_.TeamOf(p.tenant, subject.id, last_day));
    } else {
      ASSIGN_OR_RETURN(UnitInfo unit, org_.Unit(p.tenant, subject.id));
      is_company = unit.parent_id.empty();
      parent = unit.parent_id;
    }
    if (p.role == Role::kManager) {
      if (p.scope.empty()) {
        return absl::PermissionDeniedError(
            "this manager token names no org unit (scope): a manager reads the scorecards of "
            "their own subtree only");
      }
      std::string at = subject.kind == Subject::Kind::kRep ? team : subject.id;
      bool inside = false;
      for (int depth = 0; depth < kMaxOrgDepth && !at.empty(); ++depth) {
        if (at == p.scope) {
          inside = true;
          break;
        }
        ASSIGN_OR_RETURN(UnitInfo unit, org_.Unit(p.tenant, at));
        at = unit.parent_id;
      }
      if (!inside) {
        return absl::PermissionDeniedError(absl::StrFormat(
            "%s \"%s\" is not in unit \"%s\" on %s: a manager reads the scorecards of their own "
            "subtree only",
            subject.kind == Subject::Kind::kRep ? "rep" : "unit", subject.id, p.scope,
            DayText(last_day)));
      }
    }

    // ---- the template ----
    ScorecardTemplate tmpl;
    if (!req->template_id().empty()) {
      ASSIGN_OR_RETURN(
          tmpl, LoadTemplate(templates_, p.tenant, req->template_id(), req->template_version()));
    } else {
      if (subject.kind == Subject::Kind::kRep && team.empty()) {
        return absl::FailedPreconditionError(absl::StrFormat(
            "rep \"%s\" is in no team on %s, so no template is assigned to them: name "
            "template_id in the request",
            subject.id, DayText(last_day)));
      }
      const std::string& unit = subject.kind == Subject::Kind::kRep ? team : subject.id;
      ASSIGN_OR_RETURN(tmpl, AssignedTemplate(templates_, p.tenant, unit, last_day));
    }

    ScorecardQuery query{p.tenant, subject, is_company, *period, tmpl, team};
    if (parent.empty()) return maker_.Make(query, resp->mutable_scorecard());
    // A unit is ranked among the units under the same parent, each scored
    // with this scorecard's template (as CompareUnits does), at the same time.
    absl::StatusOr<std::vector<v1::ComparisonRow>> siblings_ranked;
    RETURN_IF_ERROR(RunConcurrently({
        [&] { return maker_.Make(query, resp->mutable_scorecard()); },
        [&]() -> absl::Status {
          ASSIGN_OR_RETURN(std::vector<UnitInfo> siblings, org_.Children(p.tenant, parent));
          CompareUnitsQuery compare{p.tenant, *period, {}};
          for (UnitInfo& u : siblings) compare.units.push_back(ComparedUnit{std::move(u), tmpl});
          siblings_ranked = comparer_.Compare(compare);
          return siblings_ranked.status();
        },
    }));
    for (const v1::ComparisonRow& row : *siblings_ranked) {
      if (row.unit_id() != subject.id) continue;
      resp->mutable_scorecard()->set_rank(row.rank());
      resp->mutable_scorecard()->set_peer_count(static_cast<int32_t>(siblings_ranked->size()));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> ScorecardServiceImpl::InSubtree(const std::string& tenant,
                                                     const std::string& scope,
                                                     const std::string& unit) {
  std::string at = unit;
  for (int depth = 0; depth < kMaxOrgDepth && !at.empty(); ++depth) {
    if (at == scope) return true;
    ASSIGN_OR_RETURN(UnitInfo info, org_.Unit(tenant, at));
    at = info.parent_id;
  }
  return false;
}

absl::StatusOr<EvaluationRecord> ScorecardServiceImpl::Compute(const Principal& p,
                                                               const std::string& unit,
                                                               const Period& period,
                                                               const ScorecardTemplate& tmpl,
                                                               std::vector<v1::Scorecard>* cards) {
  FinalAttainmentsFn history = [&](const Period& earlier) {
    absl::flat_hash_map<std::string, std::optional<int64_t>> out;
    absl::Status st = evaluations_.Read(p.tenant, [&](EvaluationTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(out, tx.FinalAttainments(unit, earlier.ToString()));
      return absl::OkStatus();
    });
    if (!st.ok()) return absl::StatusOr<decltype(out)>(st);
    return absl::StatusOr<decltype(out)>(std::move(out));
  };
  ASSIGN_OR_RETURN(EvaluationDraft draft, runner_.Run(p.tenant, unit, period, tmpl, history));
  EvaluationRecord rec;
  rec.unit_id = unit;
  rec.period = period.ToString();
  rec.template_id = tmpl.id;
  rec.template_version = tmpl.version;
  rec.created_by = p.subject;
  rec.unit_scorecard = draft.unit_card.SerializeAsString();
  for (const RepScorecard& rc : draft.reps) {
    EvaluationRowRecord row;
    row.rep_id = rc.card.subject().id();
    row.total_points = rc.card.total_points();
    row.rank = rc.card.rank();
    row.sales_attainment_bp = rc.sales_attainment_bp;
    row.scorecard = rc.card.SerializeAsString();
    rec.rows.push_back(std::move(row));
  }
  if (cards != nullptr) {
    cards->reserve(draft.reps.size());
    for (RepScorecard& rc : draft.reps) cards->push_back(std::move(rc.card));
  }
  return rec;
}

absl::StatusOr<EvaluationRecord> ScorecardServiceImpl::ComputeRestatement(
    const Principal& p, const EvaluationRecord& old, const std::string& reason,
    const std::string& appeal_id) {
  if (old.state != EvaluationState::kFinal) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "evaluation \"%s\" is %s, not FINAL: only a final evaluation can be restated%s",
        old.evaluation_id, EvaluationStateName(old.state),
        old.state == EvaluationState::kRestated
            ? absl::StrFormat(" (restate its restatement \"%s\" instead)", old.restated_by_id)
        : old.state == EvaluationState::kDiscarded ? " (it was discarded)"
                                                   : ""));
  }
  if (!old.restated_by_id.empty()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "evaluation \"%s\" already has a restatement in draft, \"%s\": finalise that one first, "
        "or discard it with DiscardEvaluation to restate afresh",
        old.evaluation_id, old.restated_by_id));
  }
  absl::StatusOr<Period> period = Period::Parse(old.period);
  if (!period.ok()) return Annotate(period.status(), "stored period");
  ASSIGN_OR_RETURN(ScorecardTemplate tmpl,
                   LoadTemplate(templates_, p.tenant, old.template_id, old.template_version));
  ASSIGN_OR_RETURN(EvaluationRecord rec, Compute(p, old.unit_id, *period, tmpl));
  rec.restates_id = old.evaluation_id;
  rec.restatement_reason = reason;
  rec.appeal_id = appeal_id;
  return rec;
}

absl::Status ScorecardServiceImpl::AnswerWithStoredRows(const std::string& tenant,
                                                        const std::string& stored,
                                                        v1::RunEvaluationResponse* resp) {
  RETURN_IF_ERROR(ParseResponse(stored, resp));
  if (resp->evaluation().rows_size() > 0) return absl::OkStatus();  // stored whole (older rows)
  const std::string& id = resp->evaluation().evaluation_id();
  std::optional<EvaluationRecord> rec;
  RETURN_IF_ERROR(evaluations_.Read(tenant, [&](EvaluationTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(rec, tx.FindEvaluation(id, "*", /*for_update=*/false));
    return absl::OkStatus();
  }));
  if (!rec) {
    return absl::InternalError(
        absl::StrFormat("the stored answer names evaluation \"%s\", which is not stored", id));
  }
  // Rows never change once inserted (a trigger refuses it): these are the
  // rows of the first answer.
  for (const EvaluationRowRecord& row : rec->rows) {
    if (!resp->mutable_evaluation()->add_rows()->ParseFromString(row.scorecard)) {
      return absl::InternalError(absl::StrFormat(
          "stored row of rep \"%s\" in evaluation \"%s\" cannot be read", row.rep_id, id));
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::RunEvaluation(grpc::CallbackServerContext* ctx,
                                                              const v1::RunEvaluationRequest* req,
                                                              v1::RunEvaluationResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(RunEvaluation), EvaluationAdmins(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
    absl::StatusOr<Period> period = Period::Parse(req->period());
    if (!period.ok()) return Annotate(period.status(), "period");
    if (!req->template_id().empty()) RETURN_IF_ERROR(ValidateId("template_id", req->template_id()));
    const std::string fp = Fingerprint(*req);
    ASSIGN_OR_RETURN(
        std::optional<std::string> stored,
        evaluations_.StoredResponse(p.tenant, req->request_id(), METHOD(RunEvaluation), fp));
    if (stored) return AnswerWithStoredRows(p.tenant, *stored, resp);

    RETURN_IF_ERROR(org_.Unit(p.tenant, req->unit_id()).status());  // NOT_FOUND first
    ScorecardTemplate tmpl;
    if (!req->template_id().empty()) {
      ASSIGN_OR_RETURN(tmpl, LoadTemplate(templates_, p.tenant, req->template_id(), 0));
    } else {
      ASSIGN_OR_RETURN(tmpl,
                       AssignedTemplate(templates_, p.tenant, req->unit_id(), period->last_day()));
    }
    absl::Status st = [&]() -> absl::Status {
      std::vector<v1::Scorecard> cards;
      ASSIGN_OR_RETURN(EvaluationRecord rec, Compute(p, req->unit_id(), *period, tmpl, &cards));
      // The answer is stored for request_id replays without its rows (they
      // are in eval.evaluation_rows already, and 10,000 of them are 10+ MiB
      // to write twice). The answer built here is the one stored unless a
      // concurrent retry with the same request_id stored its own first; its
      // rows are the computed cards themselves, not parsed back from bytes.
      v1::RunEvaluationResponse built;
      std::string stub_bytes;
      ASSIGN_OR_RETURN(
          std::string bytes,
          evaluations_.Mutate(p.tenant, req->request_id(), METHOD(RunEvaluation), fp,
                              [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                                // Sets the id, times and state
                                // afresh on every attempt.
                                RETURN_IF_ERROR(tx.InsertEvaluation(rec));
                                built.Clear();
                                v1::Evaluation* e = built.mutable_evaluation();
                                EvaluationHeaderToProto(rec, e);
                                if (!rec.unit_scorecard.empty() &&
                                    !e->mutable_unit_row()->ParseFromString(rec.unit_scorecard)) {
                                  return absl::InternalError(
                                      "the unit row just computed cannot be read");
                                }
                                stub_bytes = built.SerializeAsString();
                                return stub_bytes;
                              }));
      if (bytes == stub_bytes) {
        google::protobuf::RepeatedPtrField<v1::Scorecard>* rows =
            built.mutable_evaluation()->mutable_rows();
        rows->Reserve(static_cast<int>(cards.size()));
        for (v1::Scorecard& card : cards) rows->Add(std::move(card));
        resp->Swap(&built);
        return absl::OkStatus();
      }
      return AnswerWithStoredRows(p.tenant, bytes, resp);
    }();
    // The run's scorecards and copies are freed by now: hand the memory back
    // (otherwise RSS stays at the run's peak, hundreds of MiB for 10,000 reps).
    ReleaseFreeMemory();
    return st;
  });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::GetEvaluation(grpc::CallbackServerContext* ctx,
                                                              const v1::GetEvaluationRequest* req,
                                                              v1::GetEvaluationResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetEvaluation), ScorecardReaders(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("evaluation_id", req->evaluation_id()));
    const bool is_rep = p.role == Role::kRep;
    std::optional<EvaluationRecord> rec;
    RETURN_IF_ERROR(evaluations_.Read(p.tenant, [&](EvaluationTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(rec, tx.FindEvaluation(req->evaluation_id(), is_rep ? p.subject : "*",
                                              /*for_update=*/false));
      return absl::OkStatus();
    }));
    if (!rec) return EvaluationNotFound(req->evaluation_id());
    if (is_rep && rec->rows.empty()) {
      return absl::PermissionDeniedError(absl::StrFormat(
          "rep \"%s\" has no row in evaluation \"%s\": a rep reads only the evaluations they "
          "were evaluated in",
          p.subject, req->evaluation_id()));
    }
    if (p.role == Role::kManager) {
      ASSIGN_OR_RETURN(bool inside, InSubtree(p.tenant, p.scope, rec->unit_id));
      if (p.scope.empty() || !inside) {
        return absl::PermissionDeniedError(absl::StrFormat(
            "evaluation \"%s\" is of unit \"%s\", outside this manager's unit \"%s\": a manager "
            "reads the evaluations of their own subtree only",
            rec->evaluation_id, rec->unit_id, p.scope));
      }
    }
    return EvaluationToProto(*rec, !is_rep, resp->mutable_evaluation());
  });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::ListEvaluations(
    grpc::CallbackServerContext* ctx, const v1::ListEvaluationsRequest* req,
    v1::ListEvaluationsResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ListEvaluations), ScorecardReaders(), [=](const Principal& p) {
        if (!req->unit_id().empty()) RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
        if (!req->period().empty()) {
          absl::StatusOr<Period> period = Period::Parse(req->period());
          if (!period.ok()) return Annotate(period.status(), "period");
        }
        ASSIGN_OR_RETURN(int page_size, ResolvePageSize(req->page_size(), 50, 500));
        ASSIGN_OR_RETURN(std::string key, DecodePageToken(req->page_token(), PageContext(*req)));
        int64_t before_seq = 0;
        if (!key.empty() && !absl::SimpleAtoi(key, &before_seq)) {
          return absl::InvalidArgumentError("page_token is not one this server made");
        }
        EvaluationFilter filter{req->unit_id(), req->period(), "", req->show_discarded()};
        if (p.role == Role::kRep) filter.rep_id = p.subject;
        if (p.role == Role::kManager) {
          if (req->unit_id().empty() || p.scope.empty()) {
            return absl::PermissionDeniedError(
                "a manager lists the evaluations of their own subtree: name unit_id (your unit or "
                "one under it)");
          }
          ASSIGN_OR_RETURN(bool inside, InSubtree(p.tenant, p.scope, req->unit_id()));
          if (!inside) {
            return absl::PermissionDeniedError(
                absl::StrFormat("unit \"%s\" is outside this manager's unit \"%s\": a manager "
                                "lists the evaluations "
                                "of their own subtree only",
                                req->unit_id(), p.scope));
          }
        }
        std::vector<EvaluationRecord> recs;
        RETURN_IF_ERROR(evaluations_.Read(p.tenant, [&](EvaluationTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(recs, tx.ListEvaluations(filter, before_seq, page_size + 1));
          return absl::OkStatus();
        }));
        const bool more = static_cast<int>(recs.size()) > page_size;
        if (more) recs.resize(page_size);
        for (const EvaluationRecord& r : recs) {
          RETURN_IF_ERROR(EvaluationToProto(r, false, resp->add_evaluations()));
        }
        if (more) {
          resp->set_next_page_token(
              EncodePageToken(absl::StrCat(recs.back().seq), PageContext(*req)));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::FinalizeEvaluation(
    grpc::CallbackServerContext* ctx, const v1::FinalizeEvaluationRequest* req,
    v1::FinalizeEvaluationResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(FinalizeEvaluation), EvaluationAdmins(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateId("evaluation_id", req->evaluation_id()));
        ASSIGN_OR_RETURN(
            std::string bytes,
            evaluations_.Mutate(
                p.tenant, req->request_id(), METHOD(FinalizeEvaluation), Fingerprint(*req),
                [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                  RETURN_IF_ERROR(tx.Finalize(req->evaluation_id()).status());
                  ASSIGN_OR_RETURN(std::optional<EvaluationRecord> rec,
                                   tx.FindEvaluation(req->evaluation_id(), "*", false));
                  if (!rec) return EvaluationNotFound(req->evaluation_id());
                  v1::FinalizeEvaluationResponse out;
                  RETURN_IF_ERROR(EvaluationToProto(*rec, true, out.mutable_evaluation()));
                  return out.SerializeAsString();
                }));
        return ParseResponse(bytes, resp);
      });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::RestateEvaluation(
    grpc::CallbackServerContext* ctx, const v1::RestateEvaluationRequest* req,
    v1::RestateEvaluationResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(RestateEvaluation), EvaluationAdmins(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateId("evaluation_id", req->evaluation_id()));
        RETURN_IF_ERROR(ValidateReason("reason", req->reason()));
        const std::string fp = Fingerprint(*req);
        ASSIGN_OR_RETURN(std::optional<std::string> stored,
                         evaluations_.StoredResponse(p.tenant, req->request_id(),
                                                     METHOD(RestateEvaluation), fp));
        if (stored) return ParseResponse(*stored, resp);
        std::optional<EvaluationRecord> old;
        RETURN_IF_ERROR(evaluations_.Read(p.tenant, [&](EvaluationTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(old, tx.FindEvaluation(req->evaluation_id(), "", false));
          return absl::OkStatus();
        }));
        if (!old) return EvaluationNotFound(req->evaluation_id());
        ASSIGN_OR_RETURN(EvaluationRecord rec, ComputeRestatement(p, *old, req->reason(), ""));
        ASSIGN_OR_RETURN(
            std::string bytes,
            evaluations_.Mutate(p.tenant, req->request_id(), METHOD(RestateEvaluation), fp,
                                [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                                  EvaluationRecord copy = rec;
                                  RETURN_IF_ERROR(tx.InsertEvaluation(copy));
                                  RETURN_IF_ERROR(tx.LinkRestatement(
                                      old->evaluation_id, copy.evaluation_id, req->reason()));
                                  v1::RestateEvaluationResponse out;
                                  RETURN_IF_ERROR(
                                      EvaluationToProto(copy, true, out.mutable_evaluation()));
                                  return out.SerializeAsString();
                                }));
        return ParseResponse(bytes, resp);
      });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::AppealEvaluation(
    grpc::CallbackServerContext* ctx, const v1::AppealEvaluationRequest* req,
    v1::AppealEvaluationResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(AppealEvaluation), {Role::kRep}, [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("evaluation_id", req->evaluation_id()));
    RETURN_IF_ERROR(ValidateReason("reason", req->reason()));
    ASSIGN_OR_RETURN(
        std::string bytes,
        evaluations_.Mutate(
            p.tenant, req->request_id(), METHOD(AppealEvaluation), Fingerprint(*req),
            [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
              ASSIGN_OR_RETURN(std::optional<EvaluationRecord> rec,
                               tx.FindEvaluation(req->evaluation_id(), p.subject, false));
              if (!rec) return EvaluationNotFound(req->evaluation_id());
              if (rec->rows.empty()) {
                return absl::PermissionDeniedError(absl::StrFormat(
                    "rep \"%s\" has no row in evaluation \"%s\": a rep appeals only their own "
                    "row",
                    p.subject, req->evaluation_id()));
              }
              if (rec->state != EvaluationState::kFinal) {
                return absl::FailedPreconditionError(absl::StrFormat(
                    "evaluation \"%s\" is %s, not FINAL: only a final evaluation can be "
                    "appealed%s",
                    req->evaluation_id(), EvaluationStateName(rec->state),
                    rec->state == EvaluationState::kRestated
                        ? absl::StrFormat(" (appeal its restatement \"%s\")", rec->restated_by_id)
                    : rec->state == EvaluationState::kDiscarded ? " (it was discarded)"
                                                                : " (wait until it is finalised)"));
              }
              AppealRecord appeal;
              appeal.evaluation_id = req->evaluation_id();
              appeal.rep_id = p.subject;
              appeal.reason = req->reason();
              RETURN_IF_ERROR(tx.InsertAppeal(appeal));
              v1::AppealEvaluationResponse out;
              AppealToProto(appeal, out.mutable_appeal());
              return out.SerializeAsString();
            }));
    return ParseResponse(bytes, resp);
  });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::DecideAppeal(grpc::CallbackServerContext* ctx,
                                                             const v1::DecideAppealRequest* req,
                                                             v1::DecideAppealResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(DecideAppeal), EvaluationAdmins(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("appeal_id", req->appeal_id()));
    RETURN_IF_ERROR(ValidateReason("reason", req->reason()));
    const std::string fp = Fingerprint(*req);
    ASSIGN_OR_RETURN(
        std::optional<std::string> stored,
        evaluations_.StoredResponse(p.tenant, req->request_id(), METHOD(DecideAppeal), fp));
    if (stored) return ParseResponse(*stored, resp);
    std::optional<AppealRecord> appeal;
    std::optional<EvaluationRecord> evaluation;
    RETURN_IF_ERROR(evaluations_.Read(p.tenant, [&](EvaluationTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(appeal, tx.FindAppeal(req->appeal_id(), false));
      if (appeal) {
        ASSIGN_OR_RETURN(evaluation, tx.FindEvaluation(appeal->evaluation_id, "", false));
      }
      return absl::OkStatus();
    }));
    if (!appeal) {
      return absl::NotFoundError(absl::StrFormat("appeal \"%s\" does not exist", req->appeal_id()));
    }
    if (appeal->state != AppealState::kOpen) {
      return absl::FailedPreconditionError(
          absl::StrFormat("appeal \"%s\" is already %s: a decision is final", req->appeal_id(),
                          appeal->state == AppealState::kUpheld ? "UPHELD" : "REJECTED"));
    }
    if (!evaluation) return EvaluationNotFound(appeal->evaluation_id);
    std::optional<EvaluationRecord> restatement;
    if (req->uphold()) {
      ASSIGN_OR_RETURN(restatement,
                       ComputeRestatement(p, *evaluation, req->reason(), appeal->appeal_id));
    }
    ASSIGN_OR_RETURN(
        std::string bytes,
        evaluations_.Mutate(p.tenant, req->request_id(), METHOD(DecideAppeal), fp,
                            [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                              AppealRecord decided = *appeal;
                              decided.state =
                                  req->uphold() ? AppealState::kUpheld : AppealState::kRejected;
                              decided.decision_reason = req->reason();
                              decided.decided_by = p.subject;
                              if (restatement) {
                                EvaluationRecord copy = *restatement;
                                RETURN_IF_ERROR(tx.InsertEvaluation(copy));
                                RETURN_IF_ERROR(tx.LinkRestatement(
                                    evaluation->evaluation_id, copy.evaluation_id, req->reason()));
                                decided.restatement_id = copy.evaluation_id;
                              }
                              RETURN_IF_ERROR(tx.DecideAppeal(decided));
                              v1::DecideAppealResponse out;
                              AppealToProto(decided, out.mutable_appeal());
                              return out.SerializeAsString();
                            }));
    return ParseResponse(bytes, resp);
  });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::DiscardEvaluation(
    grpc::CallbackServerContext* ctx, const v1::DiscardEvaluationRequest* req,
    v1::DiscardEvaluationResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(DiscardEvaluation), EvaluationAdmins(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateId("evaluation_id", req->evaluation_id()));
        RETURN_IF_ERROR(ValidateReason("reason", req->reason()));
        ASSIGN_OR_RETURN(
            std::string bytes,
            evaluations_.Mutate(
                p.tenant, req->request_id(), METHOD(DiscardEvaluation), Fingerprint(*req),
                [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                  ASSIGN_OR_RETURN(EvaluationRecord rec,
                                   tx.Discard(req->evaluation_id(), req->reason(), p.subject));
                  v1::DiscardEvaluationResponse out;
                  RETURN_IF_ERROR(EvaluationToProto(rec, true, out.mutable_evaluation()));
                  return out.SerializeAsString();
                }));
        return ParseResponse(bytes, resp);
      });
}

}  // namespace attain::eval

namespace attain::eval {

absl::Status ScorecardServiceImpl::CheckManagerScope(const Principal& p, const std::string& unit,
                                                     const char* what) {
  if (p.role != Role::kManager) return absl::OkStatus();
  if (p.scope.empty()) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "this manager token names no org unit (scope): a manager %s their own subtree only", what));
  }
  ASSIGN_OR_RETURN(bool inside, InSubtree(p.tenant, p.scope, unit));
  if (!inside) {
    return absl::PermissionDeniedError(
        absl::StrFormat("unit \"%s\" is not in unit \"%s\": a manager %s their own subtree only",
                        unit, p.scope, what));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::CompareUnits(grpc::CallbackServerContext* ctx,
                                                             const v1::CompareUnitsRequest* req,
                                                             v1::CompareUnitsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CompareUnits), UnitReaders(), [=](const Principal& p) {
    // ---- the request ----
    const int n = req->unit_ids_size();
    if (n == 0 || n > kMaxComparedUnits) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "unit_ids has %d ids: compare 1 to %d units per call", n, kMaxComparedUnits));
    }
    absl::flat_hash_set<std::string> seen;
    for (int k = 0; k < n; ++k) {
      const std::string field = absl::StrCat("unit_ids[", k, "]");
      RETURN_IF_ERROR(ValidateId(field.c_str(), req->unit_ids(k)));
      if (!seen.insert(req->unit_ids(k)).second) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s: unit \"%s\" is listed twice: name each unit once", field, req->unit_ids(k)));
      }
    }
    absl::StatusOr<Period> period = Period::Parse(req->period());
    if (!period.ok()) return Annotate(period.status(), "period");
    if (!req->template_id().empty()) RETURN_IF_ERROR(ValidateId("template_id", req->template_id()));

    // ---- the units, and who may read them ----
    CompareUnitsQuery query{p.tenant, *period, {}};
    for (int k = 0; k < n; ++k) {
      ComparedUnit u;
      ASSIGN_OR_RETURN(
          u.unit, FindUnit(org_, p.tenant, absl::StrCat("unit_ids[", k, "]"), req->unit_ids(k)));
      query.units.push_back(std::move(u));
    }
    for (const ComparedUnit& u : query.units) {
      RETURN_IF_ERROR(CheckManagerScope(p, u.unit.unit_id, "compares the units of"));
    }

    // ---- the templates ----
    if (!req->template_id().empty()) {
      ASSIGN_OR_RETURN(ScorecardTemplate tmpl,
                       LoadTemplate(templates_, p.tenant, req->template_id(), 0));
      for (ComparedUnit& u : query.units) u.tmpl = tmpl;
    } else {
      for (ComparedUnit& u : query.units) {
        ASSIGN_OR_RETURN(
            u.tmpl, AssignedTemplate(templates_, p.tenant, u.unit.unit_id, period->last_day()));
      }
    }

    ASSIGN_OR_RETURN(std::vector<v1::ComparisonRow> rows, comparer_.Compare(query));
    for (v1::ComparisonRow& row : rows) *resp->add_rows() = std::move(row);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ScorecardServiceImpl::WhatIf(grpc::CallbackServerContext* ctx,
                                                       const v1::WhatIfRequest* req,
                                                       v1::WhatIfResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(WhatIf), UnitReaders(), [=](const Principal& p) {
    // ---- the request ----
    RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
    absl::StatusOr<Period> period = Period::Parse(req->period());
    if (!period.ok()) return Annotate(period.status(), "period");
    if (!req->template_id().empty()) RETURN_IF_ERROR(ValidateId("template_id", req->template_id()));
    if (req->dimension_weights().empty() && req->target_overrides().empty()) {
      return absl::InvalidArgumentError(
          "nothing to change: give dimension_weights and/or target_overrides");
    }

    // ---- the unit, and who may read it ----
    ASSIGN_OR_RETURN(UnitInfo unit, FindUnit(org_, p.tenant, "unit_id", req->unit_id()));
    RETURN_IF_ERROR(CheckManagerScope(p, unit.unit_id, "reads the evaluations of"));

    // ---- the templates ----
    ScorecardTemplate base;
    if (!req->template_id().empty()) {
      ASSIGN_OR_RETURN(base, LoadTemplate(templates_, p.tenant, req->template_id(), 0));
    } else {
      ASSIGN_OR_RETURN(base,
                       AssignedTemplate(templates_, p.tenant, unit.unit_id, period->last_day()));
    }
    std::map<std::string, int64_t> weights;
    for (const auto& [dimension, weight] : req->dimension_weights()) weights[dimension] = weight;
    std::vector<TargetReplacement> replacements;
    for (const v1::TargetOverride& o : req->target_overrides()) {
      replacements.push_back(TargetReplacement{o.indicator_id(), o.target()});
    }
    ASSIGN_OR_RETURN(ScorecardTemplate changed, ChangeTemplate(base, weights, replacements));

    // ---- the reps, scored twice; nothing stored ----
    ASSIGN_OR_RETURN(std::vector<std::string> reps,
                     org_.RepsIn(p.tenant, unit.unit_id, period->last_day()));
    if (reps.empty()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "unit \"%s\" has no reps on %s (the last day of %s): there is nothing to re-score",
          unit.unit_id, DayText(period->last_day()), period->ToString()));
    }
    const bool is_company = unit.parent_id.empty();
    ASSIGN_OR_RETURN(std::vector<RepScorecard> baseline,
                     maker_.MakeForReps(UnitRepsQuery{p.tenant, unit.unit_id, is_company, *period,
                                                      std::move(base), reps,
                                                      /*special_contributions=*/false}));
    ASSIGN_OR_RETURN(std::vector<RepScorecard> rows,
                     maker_.MakeForReps(UnitRepsQuery{p.tenant, unit.unit_id, is_company, *period,
                                                      std::move(changed), std::move(reps),
                                                      /*special_contributions=*/false}));
    for (RepScorecard& rc : rows) *resp->add_rows() = std::move(rc.card);
    for (RepScorecard& rc : baseline) *resp->add_baseline_rows() = std::move(rc.card);
    return absl::OkStatus();
  });
}

}  // namespace attain::eval
