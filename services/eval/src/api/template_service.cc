#include "services/eval/src/api/template_service.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/page.h"
#include "common/period.h"
#include "common/status.h"
#include "services/eval/src/api/template_convert.h"
#include "services/eval/src/domain/presets.h"

namespace attain::eval {
namespace {

#define METHOD(name) "attain.eval.v1.TemplateService/" #name

constexpr int kMaxNameChars = 200;

// The presets of ListPresets / CreateTemplateRequest.preset, seed 002 first.
struct PresetDef {
  const char* description;
  absl::StatusOr<ScorecardTemplate> (*make)();
};
const PresetDef kPresets[] = {
    {"Seed 002 综合型销售业绩评估分析模型: achievement 40 / customer quality 30 / process 20 / "
     "collaboration 10; grades >= 120 excellent (extra bonus), 90-119 qualified, < 90 needs "
     "improvement (coaching).",
     &Seed002Template},
    {"Seed 001 销售业务跟进与绩效评估模板: quantitative 70 (sales attainment 40, collection 20, "
     "others 10) + qualitative 30; grades >= 90 excellent, 80-89 good, < 80 needs improvement.",
     &Seed001Template},
};

// The preset named `name` (its domain id), or NOT_FOUND listing the names.
absl::StatusOr<ScorecardTemplate> FindPreset(const std::string& name) {
  std::string names;
  for (const PresetDef& def : kPresets) {
    ASSIGN_OR_RETURN(ScorecardTemplate tmpl, def.make());
    if (tmpl.id == name) return tmpl;
    absl::StrAppend(&names, names.empty() ? "" : ", ", tmpl.id);
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("preset \"%s\" does not exist; the presets are: %s", name, names));
}

// Checks that are not the domain's: the name's length, which the domain
// does not limit but a database row and a screen do.
absl::Status CheckName(const std::string& field, const std::string& name) {
  int chars = 0;  // UTF-8 code points: every byte but continuation bytes
  for (char c : name) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars > kMaxNameChars) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is too long: at most ", kMaxNameChars, " characters"));
  }
  return absl::OkStatus();
}

absl::Status TemplateNotFound(const std::string& template_id) {
  return absl::NotFoundError(absl::StrFormat("template \"%s\" does not exist", template_id));
}

// Runs a mutation with idempotency on request_id: `fn` fills a fresh
// response inside the transaction; a retry with the same request gets the
// stored one.
template <typename Req, typename Resp, typename Fn>
absl::Status RunMutation(TemplateStore& store, const Principal& p, const Req& req,
                         const char* method, Resp* resp, Fn fn) {
  RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  absl::StatusOr<std::string> bytes =
      store.Mutate(p.tenant, req.request_id(), method, RequestFingerprint(req),
                   [&](TemplateTx& tx) -> absl::StatusOr<std::string> {
                     Resp fresh;
                     RETURN_IF_ERROR(fn(tx, fresh));
                     return fresh.SerializeAsString();
                   });
  if (!bytes.ok()) return bytes.status();
  if (!resp->ParseFromString(*bytes)) {
    return absl::InternalError("the stored response of this request_id cannot be read");
  }
  return absl::OkStatus();
}

// The day an AssignTemplate / GetAssignedTemplate request names: a period's
// first (`first` = true) or last day, or a date.
absl::StatusOr<absl::CivilDay> DayOf(const std::string& period_field, const std::string& period,
                                     const std::string& date_field, const std::string& date,
                                     bool first) {
  if (!period.empty()) {
    absl::StatusOr<Period> parsed = Period::Parse(period);
    if (!parsed.ok()) return Annotate(parsed.status(), period_field);
    return first ? parsed->first_day() : parsed->last_day();
  }
  if (!date.empty()) return ParseDay(date_field, date);
  return absl::InvalidArgumentError(
      absl::StrCat("one of ", period_field, " or ", date_field, " is required"));
}

absl::StatusOr<int64_t> DecodeIntToken(const std::string& token, const std::string& context) {
  ASSIGN_OR_RETURN(std::string key, DecodePageToken(token, context));
  if (key.empty()) return 0;
  int64_t value = 0;
  if (!absl::SimpleAtoi(key, &value)) return absl::InvalidArgumentError("page_token is invalid");
  return value;
}

}  // namespace

RoleSet TemplateWriters() { return {Role::kAdmin, Role::kDirector}; }
RoleSet TemplateReaders() {
  return {Role::kAdmin, Role::kDirector, Role::kHr, Role::kManager, Role::kRep, Role::kService};
}

grpc::ServerUnaryReactor* TemplateServiceImpl::CreateTemplate(grpc::CallbackServerContext* ctx,
                                                              const v1::CreateTemplateRequest* req,
                                                              v1::CreateTemplateResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CreateTemplate), TemplateWriters(), [=](const Principal& p) {
    ScorecardTemplate tmpl;
    std::string preset;
    switch (req->source_case()) {
      case v1::CreateTemplateRequest::kTemplate: {
        std::string id =
            req->template_id().empty() ? req->template_().template_id() : req->template_id();
        if (id.empty()) id = NewTemplateId();
        RETURN_IF_ERROR(ValidateId("template_id", id));
        RETURN_IF_ERROR(CheckName("template.name", req->template_().name()));
        ASSIGN_OR_RETURN(tmpl, TemplateFromProto(req->template_(), id, 1, "template."));
        break;
      }
      case v1::CreateTemplateRequest::kPreset: {
        ASSIGN_OR_RETURN(tmpl, FindPreset(req->preset()));
        preset = req->preset();
        // The preset's name is its id; a tenant may create it several times
        // under ids of its own (e.g. one per sales role).
        tmpl.id = req->template_id().empty() ? NewTemplateId() : req->template_id();
        tmpl.version = 1;
        RETURN_IF_ERROR(ValidateId("template_id", tmpl.id));
        RETURN_IF_ERROR(ValidateTemplate(tmpl));
        break;
      }
      case v1::CreateTemplateRequest::SOURCE_NOT_SET:
        return absl::InvalidArgumentError("one of template or preset is required");
    }
    TemplateVersionRecord rec;
    rec.template_id = tmpl.id;
    rec.version = 1;
    rec.name = tmpl.name;
    rec.preset = preset;
    rec.definition = DefinitionBytes(tmpl);
    rec.updated_by = p.subject;
    return RunMutation(store_, p, *req, METHOD(CreateTemplate), resp,
                       [&](TemplateTx& tx, v1::CreateTemplateResponse& out) -> absl::Status {
                         RETURN_IF_ERROR(tx.InsertTemplate(rec));
                         return RecordToProto(rec, out.mutable_template_());
                       });
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::GetTemplate(grpc::CallbackServerContext* ctx,
                                                           const v1::GetTemplateRequest* req,
                                                           v1::GetTemplateResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetTemplate), TemplateReaders(), [=](const Principal& p) {
    if (req->template_id().empty()) return absl::InvalidArgumentError("template_id is required");
    if (req->version() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("version ", req->version(), " is negative; 0 means the latest"));
    }
    return store_.Read(p.tenant, [&](TemplateTx& tx) -> absl::Status {
      std::optional<TemplateVersionRecord> rec;
      if (req->version() == 0) {
        ASSIGN_OR_RETURN(rec, tx.FindLatest(req->template_id(), /*for_update=*/false));
        if (!rec) return TemplateNotFound(req->template_id());
      } else {
        ASSIGN_OR_RETURN(rec, tx.FindVersion(req->template_id(), req->version()));
        if (!rec) {
          ASSIGN_OR_RETURN(std::optional<TemplateVersionRecord> latest,
                           tx.FindLatest(req->template_id(), /*for_update=*/false));
          if (!latest) return TemplateNotFound(req->template_id());
          return absl::NotFoundError(
              absl::StrFormat("template \"%s\" has no version %d; its latest is %d",
                              req->template_id(), req->version(), latest->version));
        }
      }
      return RecordToProto(*rec, resp->mutable_template_());
    });
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ListTemplates(grpc::CallbackServerContext* ctx,
                                                             const v1::ListTemplatesRequest* req,
                                                             v1::ListTemplatesResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListTemplates), TemplateReaders(), [=](const Principal& p) {
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 50, 500));
    const std::string context = PageContext(*req);
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), context));
    TemplateFilter filter{req->preset(), req->name_contains()};
    return store_.Read(p.tenant, [&](TemplateTx& tx) -> absl::Status {
      // One more row than the page says whether there is a next page.
      ASSIGN_OR_RETURN(std::vector<TemplateVersionRecord> rows,
                       tx.ListLatest(filter, after, limit + 1));
      const bool more = static_cast<int>(rows.size()) > limit;
      if (more) rows.resize(limit);
      for (const TemplateVersionRecord& rec : rows) {
        RETURN_IF_ERROR(RecordToProto(rec, resp->add_templates()));
      }
      if (more) resp->set_next_page_token(EncodePageToken(rows.back().template_id, context));
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ListTemplateVersions(
    grpc::CallbackServerContext* ctx, const v1::ListTemplateVersionsRequest* req,
    v1::ListTemplateVersionsResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ListTemplateVersions), TemplateReaders(), [=](const Principal& p) {
        if (req->template_id().empty()) {
          return absl::InvalidArgumentError("template_id is required");
        }
        ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 50, 500));
        const std::string context = PageContext(*req);
        ASSIGN_OR_RETURN(int64_t before, DecodeIntToken(req->page_token(), context));
        return store_.Read(p.tenant, [&](TemplateTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(std::vector<TemplateVersionRecord> rows,
                           tx.ListVersions(req->template_id(), before, limit + 1));
          if (rows.empty() && before == 0) return TemplateNotFound(req->template_id());
          const bool more = static_cast<int>(rows.size()) > limit;
          if (more) rows.resize(limit);
          for (const TemplateVersionRecord& rec : rows) {
            RETURN_IF_ERROR(RecordToProto(rec, resp->add_templates()));
          }
          if (more) {
            resp->set_next_page_token(EncodePageToken(absl::StrCat(rows.back().version), context));
          }
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::UpdateTemplate(grpc::CallbackServerContext* ctx,
                                                              const v1::UpdateTemplateRequest* req,
                                                              v1::UpdateTemplateResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(UpdateTemplate), TemplateWriters(), [=](const Principal& p) {
    const std::string& id = req->template_().template_id();
    RETURN_IF_ERROR(ValidateId("template.template_id", id));
    if (req->expected_version() < 1) {
      return absl::InvalidArgumentError(
          "expected_version is required: the version your change was made against (>= 1)");
    }
    RETURN_IF_ERROR(CheckName("template.name", req->template_().name()));
    ASSIGN_OR_RETURN(
        ScorecardTemplate tmpl,
        TemplateFromProto(req->template_(), id, req->expected_version() + 1, "template."));
    TemplateVersionRecord rec;
    rec.template_id = id;
    rec.version = tmpl.version;
    rec.name = tmpl.name;
    rec.definition = DefinitionBytes(tmpl);
    rec.updated_by = p.subject;
    return RunMutation(
        store_, p, *req, METHOD(UpdateTemplate), resp,
        [&](TemplateTx& tx, v1::UpdateTemplateResponse& out) -> absl::Status {
          // The lock makes "check the version, then add the next" atomic
          // against a concurrent update of the same template.
          ASSIGN_OR_RETURN(std::optional<TemplateVersionRecord> latest,
                           tx.FindLatest(id, /*for_update=*/true));
          if (!latest) return TemplateNotFound(id);
          if (latest->version != req->expected_version()) {
            return absl::FailedPreconditionError(absl::StrFormat(
                "template \"%s\" is at version %d, not the expected_version %d: get version %d, "
                "apply your change to it and update with expected_version %d",
                id, latest->version, req->expected_version(), latest->version, latest->version));
          }
          RETURN_IF_ERROR(tx.AppendVersion(rec));
          return RecordToProto(rec, out.mutable_template_());
        });
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::AssignTemplate(grpc::CallbackServerContext* ctx,
                                                              const v1::AssignTemplateRequest* req,
                                                              v1::AssignTemplateResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(AssignTemplate), TemplateWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
    RETURN_IF_ERROR(ValidateId("template_id", req->template_id()));
    AssignmentRecord rec;
    rec.unit_id = req->unit_id();
    rec.template_id = req->template_id();
    ASSIGN_OR_RETURN(rec.effective_from,
                     DayOf("effective_period", req->effective_period(), "effective_date",
                           req->effective_date(), /*first=*/true));
    if (!req->effective_period().empty()) {
      // Canonical, so that "2025-q1" and "2025-Q1" read back the same.
      ASSIGN_OR_RETURN(Period period, Period::Parse(req->effective_period()));
      rec.effective_period = period.ToString();
    }
    rec.assigned_by = p.subject;
    return RunMutation(store_, p, *req, METHOD(AssignTemplate), resp,
                       [&](TemplateTx& tx, v1::AssignTemplateResponse& out) -> absl::Status {
                         absl::Status st = tx.InsertAssignment(rec);
                         // A template of another tenant is simply not there.
                         if (absl::IsFailedPrecondition(st))
                           return TemplateNotFound(rec.template_id);
                         RETURN_IF_ERROR(st);
                         AssignmentToProto(rec, out.mutable_assignment());
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ListAssignments(
    grpc::CallbackServerContext* ctx, const v1::ListAssignmentsRequest* req,
    v1::ListAssignmentsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListAssignments), TemplateReaders(), [=](const Principal& p) {
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    const std::string context = PageContext(*req);
    ASSIGN_OR_RETURN(int64_t after, DecodeIntToken(req->page_token(), context));
    return store_.Read(p.tenant, [&](TemplateTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<AssignmentRecord> rows,
                       tx.ListAssignments(req->unit_id(), req->template_id(), after, limit + 1));
      const bool more = static_cast<int>(rows.size()) > limit;
      if (more) rows.resize(limit);
      for (const AssignmentRecord& rec : rows) AssignmentToProto(rec, resp->add_assignments());
      if (more) {
        resp->set_next_page_token(
            EncodePageToken(absl::StrCat(rows.back().assignment_id), context));
      }
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::GetAssignedTemplate(
    grpc::CallbackServerContext* ctx, const v1::GetAssignedTemplateRequest* req,
    v1::GetAssignedTemplateResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(GetAssignedTemplate), TemplateReaders(), [=](const Principal& p) {
        if (req->unit_id().empty()) return absl::InvalidArgumentError("unit_id is required");
        // A period is evaluated with the template in force at its end.
        ASSIGN_OR_RETURN(absl::CivilDay day,
                         DayOf("period", req->period(), "date", req->date(), /*first=*/false));
        return store_.Read(p.tenant, [&](TemplateTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(std::optional<AssignmentRecord> assignment,
                           tx.FindAssignment(req->unit_id(), day));
          if (!assignment) {
            return absl::NotFoundError(absl::StrFormat(
                "unit \"%s\" has no template assigned on %s (assignments are looked up for the "
                "unit itself, not inherited from its parent units)",
                req->unit_id(), absl::FormatCivilTime(day)));
          }
          ASSIGN_OR_RETURN(std::optional<TemplateVersionRecord> tmpl,
                           tx.FindLatest(assignment->template_id, /*for_update=*/false));
          if (!tmpl) return TemplateNotFound(assignment->template_id);
          AssignmentToProto(*assignment, resp->mutable_assignment());
          return RecordToProto(*tmpl, resp->mutable_template_());
        });
      });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ListPresets(grpc::CallbackServerContext* ctx,
                                                           const v1::ListPresetsRequest* /*req*/,
                                                           v1::ListPresetsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListPresets), TemplateReaders(), [=](const Principal&) {
    for (const PresetDef& def : kPresets) {
      ASSIGN_OR_RETURN(ScorecardTemplate tmpl, def.make());
      v1::Preset* preset = resp->add_presets();
      preset->set_name(tmpl.id);
      preset->set_description(def.description);
      TemplateToProto(tmpl, preset->mutable_template_());
      preset->mutable_template_()->set_preset(tmpl.id);
    }
    return absl::OkStatus();
  });
}

}  // namespace attain::eval
