#include "services/review/src/api/agenda_convert.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/metric.h"
#include "common/status.h"
#include "services/review/src/api/request_checks.h"
#include "services/review/src/api/review_convert.h"

namespace attain::review {
namespace {

v1::AgendaItemKind ItemKindToProto(const std::string& kind) {
  if (kind == "previous_actions") return v1::AGENDA_ITEM_KIND_PREVIOUS_ACTIONS;
  if (kind == "presentation") return v1::AGENDA_ITEM_KIND_PRESENTATION;
  if (kind == "free_discussion") return v1::AGENDA_ITEM_KIND_FREE_DISCUSSION;
  if (kind == "spare") return v1::AGENDA_ITEM_KIND_SPARE;
  return v1::AGENDA_ITEM_KIND_UNSPECIFIED;
}

void ScopeToProto(const std::string& kind, const std::string& id, type::v1::Scope* out) {
  out->set_kind(kind == "unit" ? type::v1::SCOPE_KIND_UNIT : type::v1::SCOPE_KIND_REP);
  out->set_id(id);
}

v1::CauseKind CauseKindToProto(const std::string& kind) {
  if (kind == "internal") return v1::CAUSE_KIND_INTERNAL;
  if (kind == "external") return v1::CAUSE_KIND_EXTERNAL;
  return v1::CAUSE_KIND_UNSPECIFIED;
}

absl::StatusOr<std::string> CauseKindFromProto(absl::string_view field, v1::CauseKind kind) {
  switch (kind) {
    case v1::CAUSE_KIND_UNSPECIFIED:
      return std::string("unspecified");
    case v1::CAUSE_KIND_INTERNAL:
      return std::string("internal");
    case v1::CAUSE_KIND_EXTERNAL:
      return std::string("external");
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", static_cast<int>(kind),
                       " is not a cause kind: CAUSE_KIND_INTERNAL or CAUSE_KIND_EXTERNAL"));
  }
}

absl::Status ValidateCurrency(absl::string_view field, const std::string& code, int64_t amount) {
  if (code.empty()) {
    if (amount == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is required with an amount: an ISO 4217 code such as CNY"));
  }
  bool ok = code.size() == 3;
  for (char ch : code) ok = ok && absl::ascii_isupper(static_cast<unsigned char>(ch));
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s \"%s\" is not an ISO 4217 code: three capital letters, e.g. CNY", field, code));
  }
  return absl::OkStatus();
}

}  // namespace

void DeviationToProto(const DeviationRecord& rec, v1::Deviation* out) {
  absl::StatusOr<MetricInfo> info = LookupMetricByName(rec.metric);
  if (info.ok()) out->set_metric(static_cast<type::v1::Metric>(info->number));
  out->set_target(rec.target);
  out->set_actual(rec.actual);
  out->set_gap(rec.gap);
  if (rec.attainment_bp) out->set_attainment_bp(*rec.attainment_bp);
  out->set_currency_code(rec.currency_code);
}

void AgendaToProto(const AgendaRecord& rec, int64_t version, v1::Agenda* out) {
  out->set_meeting_id(rec.meeting_id);
  out->set_evaluation_id(rec.evaluation_id);
  for (const AgendaItemRecord& it : rec.items) {
    v1::AgendaItem* item = out->add_items();
    item->set_item_id(it.item_id);
    item->set_kind(ItemKindToProto(it.kind));
    item->set_title(it.title);
    if (!it.presenter_id.empty()) {
      ScopeToProto(it.presenter_kind, it.presenter_id, item->mutable_presenter());
      item->set_presenter_name(it.presenter_name);
    }
    if (it.deviation) DeviationToProto(*it.deviation, item->mutable_deviation());
    item->set_minutes(it.minutes);
    item->set_start_offset_minutes(it.start_offset_minutes);
  }
  out->set_total_minutes(rec.total_minutes);
  out->set_meeting_minutes(rec.meeting_minutes);
  for (const LeftOutRecord& l : rec.left_out) {
    v1::LeftOutPresenter* lo = out->add_left_out();
    ScopeToProto(l.presenter_kind, l.presenter_id, lo->mutable_presenter());
    lo->set_presenter_name(l.presenter_name);
    DeviationToProto(l.deviation, lo->mutable_deviation());
    lo->set_reason(l.reason);
  }
  out->set_version(version);
}

void ReportToProto(const ReportRecord& rec, v1::Report* out) {
  out->set_report_id(rec.report_id);
  out->set_meeting_id(rec.meeting_id);
  out->set_agenda_item_id(rec.agenda_item_id);
  ScopeToProto(rec.presenter_kind, rec.presenter_id, out->mutable_presenter());
  DeviationToProto(rec.deviation, out->mutable_deviation());
  int64_t explained = 0;
  for (const CauseRecord& c : rec.causes) {
    explained += c.impact;
    v1::Cause* cause = out->add_causes();
    cause->set_cause_id(c.cause_id);
    cause->set_description(c.description);
    cause->set_kind(CauseKindToProto(c.kind));
    cause->set_impact(c.impact);
    cause->set_improvement_proposal(c.improvement_proposal);
    if (!c.resource_description.empty() || c.resource_amount != 0) {
      cause->mutable_resource_request()->set_description(c.resource_description);
      cause->mutable_resource_request()->set_amount(c.resource_amount);
      cause->mutable_resource_request()->set_currency_code(c.resource_currency);
    }
    if (c.inquiry) {
      v1::Inquiry* inq = cause->mutable_inquiry();
      inq->set_confirmed_kind(CauseKindToProto(c.inquiry->confirmed_kind));
      for (const std::string& d : c.inquiry->related_departments) inq->add_related_departments(d);
      inq->set_responsible_department(c.inquiry->responsible_department);
      inq->set_responsible_person_id(c.inquiry->responsible_person_id);
      inq->set_notes(c.inquiry->notes);
    }
    for (const std::string& w : c.five_whys) cause->add_five_whys(w);
  }
  out->set_explained_impact(explained);
  out->set_status(rec.status == "submitted" ? v1::REPORT_STATUS_SUBMITTED
                                            : v1::REPORT_STATUS_DRAFT);
  out->set_version(rec.version);
}

absl::StatusOr<CauseRecord> CauseFromProto(absl::string_view field, const v1::Cause& cause) {
  const std::string f(field);
  CauseRecord out;
  RETURN_IF_ERROR(ValidateId(f + ".cause_id", cause.cause_id()));
  out.cause_id = cause.cause_id();
  RETURN_IF_ERROR(ValidateText(f + ".description", cause.description(), 1, kMaxCauseChars, true));
  out.description = cause.description();
  ASSIGN_OR_RETURN(out.kind, CauseKindFromProto(f + ".kind", cause.kind()));
  out.impact = cause.impact();
  RETURN_IF_ERROR(ValidateText(f + ".improvement_proposal", cause.improvement_proposal(), 0,
                               kMaxCauseChars, true));
  out.improvement_proposal = cause.improvement_proposal();
  if (cause.has_resource_request()) {
    const v1::ResourceRequest& rr = cause.resource_request();
    RETURN_IF_ERROR(ValidateText(f + ".resource_request.description", rr.description(), 0,
                                 kMaxResourceChars, true));
    if (rr.amount() < 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s.resource_request.amount is %d: give minor units >= 0", f, rr.amount()));
    }
    RETURN_IF_ERROR(
        ValidateCurrency(f + ".resource_request.currency_code", rr.currency_code(), rr.amount()));
    out.resource_description = rr.description();
    out.resource_amount = rr.amount();
    out.resource_currency = rr.currency_code();
  }
  if (cause.has_inquiry()) {
    const v1::Inquiry& in = cause.inquiry();
    InquiryRecord inq;
    ASSIGN_OR_RETURN(inq.confirmed_kind,
                     CauseKindFromProto(f + ".inquiry.confirmed_kind", in.confirmed_kind()));
    if (in.related_departments_size() > kMaxRelatedDepartments) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s.inquiry.related_departments has %d departments; at most %d", f,
                          in.related_departments_size(), kMaxRelatedDepartments));
    }
    for (int i = 0; i < in.related_departments_size(); ++i) {
      RETURN_IF_ERROR(ValidateText(absl::StrCat(f, ".inquiry.related_departments[", i, "]"),
                                   in.related_departments(i), 1, kMaxDepartmentChars, false));
      inq.related_departments.push_back(in.related_departments(i));
    }
    RETURN_IF_ERROR(ValidateText(f + ".inquiry.responsible_department", in.responsible_department(),
                                 0, kMaxDepartmentChars, false));
    inq.responsible_department = in.responsible_department();
    if (!in.responsible_person_id().empty()) {
      RETURN_IF_ERROR(
          ValidatePersonId(f + ".inquiry.responsible_person_id", in.responsible_person_id()));
    }
    inq.responsible_person_id = in.responsible_person_id();
    RETURN_IF_ERROR(ValidateText(f + ".inquiry.notes", in.notes(), 0, kMaxCauseChars, true));
    inq.notes = in.notes();
    out.inquiry = std::move(inq);
  }
  if (cause.five_whys_size() > kMaxFiveWhys) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s.five_whys has %d answers; a chain has at most %d", f,
                        cause.five_whys_size(), kMaxFiveWhys));
  }
  for (int i = 0; i < cause.five_whys_size(); ++i) {
    RETURN_IF_ERROR(ValidateText(absl::StrCat(f, ".five_whys[", i, "]"), cause.five_whys(i), 1,
                                 kMaxWhyChars, true));
    out.five_whys.push_back(cause.five_whys(i));
  }
  return out;
}

}  // namespace attain::review
