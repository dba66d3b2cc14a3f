#include "services/eval/src/api/scorecard_service.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/period.h"
#include "common/status.h"
#include "services/eval/src/api/template_convert.h"

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
    if (subject.kind == Subject::Kind::kRep) {
      ASSIGN_OR_RETURN(team, org_.TeamOf(p.tenant, subject.id, last_day));
    } else {
      ASSIGN_OR_RETURN(UnitInfo unit, org_.Unit(p.tenant, subject.id));
      is_company = unit.parent_id.empty();
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

    ScorecardQuery query{p.tenant, subject, is_company, *period, std::move(tmpl), team};
    return maker_.Make(query, resp->mutable_scorecard());
  });
}

}  // namespace attain::eval
