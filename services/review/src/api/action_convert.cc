#include "services/review/src/api/action_convert.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/metric.h"
#include "common/period.h"
#include "common/status.h"
#include "services/review/src/api/request_checks.h"

namespace attain::review {

std::optional<ActionStatus> ActionStatusFromProto(v1::ActionStatus status) {
  switch (status) {
    case v1::ACTION_STATUS_DRAFT:
      return ActionStatus::kDraft;
    case v1::ACTION_STATUS_SUBMITTED:
      return ActionStatus::kSubmitted;
    case v1::ACTION_STATUS_ACCEPTED:
      return ActionStatus::kAccepted;
    case v1::ACTION_STATUS_RETURNED:
      return ActionStatus::kReturned;
    case v1::ACTION_STATUS_IN_PROGRESS:
      return ActionStatus::kInProgress;
    case v1::ACTION_STATUS_DONE:
      return ActionStatus::kDone;
    case v1::ACTION_STATUS_VERIFIED_ACHIEVED:
      return ActionStatus::kVerifiedAchieved;
    case v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED:
      return ActionStatus::kVerifiedNotAchieved;
    default:
      return std::nullopt;
  }
}

v1::ActionStatus ActionStatusToProto(ActionStatus status) {
  switch (status) {
    case ActionStatus::kDraft:
      return v1::ACTION_STATUS_DRAFT;
    case ActionStatus::kSubmitted:
      return v1::ACTION_STATUS_SUBMITTED;
    case ActionStatus::kAccepted:
      return v1::ACTION_STATUS_ACCEPTED;
    case ActionStatus::kReturned:
      return v1::ACTION_STATUS_RETURNED;
    case ActionStatus::kInProgress:
      return v1::ACTION_STATUS_IN_PROGRESS;
    case ActionStatus::kDone:
      return v1::ACTION_STATUS_DONE;
    case ActionStatus::kVerifiedAchieved:
      return v1::ACTION_STATUS_VERIFIED_ACHIEVED;
    case ActionStatus::kVerifiedNotAchieved:
      return v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED;
  }
  return v1::ACTION_STATUS_UNSPECIFIED;
}

std::string ActionStatusLabel(ActionStatus status) {
  return absl::AsciiStrToUpper(ActionStatusName(status));
}

absl::StatusOr<std::optional<absl::CivilDay>> ParseDay(absl::string_view field,
                                                       const std::string& text) {
  if (text.empty()) return std::nullopt;
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s \"%s\" is not a day: give it as YYYY-MM-DD, e.g. 2025-06-30", field, text));
  }
  return day;
}

std::string DayString(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::StatusOr<ExpectedResultRecord> ExpectedFromProto(absl::string_view prefix,
                                                       const v1::ExpectedResult& in) {
  ExpectedResultRecord out;
  RETURN_IF_ERROR(
      ValidateText(absl::StrCat(prefix, ".text"), in.text(), 0, kMaxExpectedTextChars, true));
  out.text = in.text();
  out.lower_is_better = in.lower_is_better();
  if (in.metric() != type::v1::METRIC_UNSPECIFIED) {
    absl::StatusOr<MetricInfo> info = LookupMetric(static_cast<int>(in.metric()));
    if (!info.ok()) return Annotate(info.status(), absl::StrCat(prefix, ".metric"));
    out.metric = std::string(info->name);
    out.target_value = in.target_value();
    const std::string scope = absl::StrCat(prefix, ".scope");
    switch (in.scope().kind()) {
      case type::v1::SCOPE_KIND_UNIT:
        out.scope_kind = "unit";
        RETURN_IF_ERROR(ValidateId(absl::StrCat(scope, ".id"), in.scope().id()));
        break;
      case type::v1::SCOPE_KIND_REP:
        out.scope_kind = "rep";
        RETURN_IF_ERROR(ValidatePersonId(absl::StrCat(scope, ".id"), in.scope().id()));
        break;
      default:
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s is required with a metric: whose %s (SCOPE_KIND_UNIT or SCOPE_KIND_REP with "
            "its id)",
            scope, out.metric));
    }
    out.scope_id = in.scope().id();
  } else if (in.target_value() != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s.target_value is %d without a metric: name the metric it is a value of, or put the "
        "figure in the text",
        prefix, in.target_value()));
  }
  if (!in.period().empty()) {
    absl::StatusOr<Period> period = Period::Parse(in.period());
    if (!period.ok()) return Annotate(period.status(), absl::StrCat(prefix, ".period"));
    if (period->ToString() != in.period()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s.period \"%s\": write it as \"%s\"",
                                                        prefix, in.period(), period->ToString()));
    }
    out.period = in.period();
  }
  return out;
}

void ExpectedToProto(const ExpectedResultRecord& rec, v1::ExpectedResult* out) {
  out->set_text(rec.text);
  if (!rec.metric.empty()) {
    absl::StatusOr<MetricInfo> info = LookupMetricByName(rec.metric);
    if (info.ok()) out->set_metric(static_cast<type::v1::Metric>(info->number));
    out->set_target_value(rec.target_value);
  }
  if (!rec.scope_kind.empty()) {
    out->mutable_scope()->set_kind(rec.scope_kind == "rep" ? type::v1::SCOPE_KIND_REP
                                                           : type::v1::SCOPE_KIND_UNIT);
    out->mutable_scope()->set_id(rec.scope_id);
  }
  out->set_period(rec.period);
  out->set_lower_is_better(LowerIsBetter(rec));
}

bool LowerIsBetter(const ExpectedResultRecord& expected) {
  if (!expected.metric.empty()) {
    absl::StatusOr<MetricInfo> info = LookupMetricByName(expected.metric);
    if (info.ok()) return info->lower_is_better;
  }
  return expected.lower_is_better;
}

absl::Status ValidateDepartments(
    absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& departments) {
  if (departments.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is empty: name the responsible department (several split the item)"));
  }
  if (departments.size() > kMaxDepartments) {
    return absl::InvalidArgumentError(absl::StrCat(field, " names ", departments.size(),
                                                   " departments; at most ", kMaxDepartments));
  }
  for (int i = 0; i < departments.size(); ++i) {
    RETURN_IF_ERROR(ValidateText(absl::StrCat(field, "[", i, "]"), departments[i], 1, 100, false));
  }
  return absl::OkStatus();
}

int64_t DaysOverdueOf(const ActionItemRecord& rec, absl::CivilDay today) {
  return rec.due ? DaysOverdue(rec.status, *rec.due, today) : 0;
}

int64_t ProgressDaysLateOf(const ActionItemRecord& rec, absl::CivilDay today) {
  if (rec.status != ActionStatus::kInProgress || !rec.progress_due) return 0;
  // progress_due is the last report's day (or the acceptance day) plus the
  // interval: ask the domain about that day.
  return NextProgressReport(*rec.progress_due - kProgressIntervalDays, today).days_late;
}

void ItemToProto(const ActionItemRecord& rec, absl::CivilDay today, bool details,
                 v1::ActionItem* out) {
  out->set_action_id(rec.action_id);
  out->set_meeting_id(rec.meeting_id);
  out->set_report_id(rec.report_id);
  out->set_cause_id(rec.cause_id);
  out->set_title(rec.title);
  out->set_measures(rec.measures);
  for (const std::string& d : rec.departments) out->add_departments(d);
  out->set_responsible_department(rec.responsible_department);
  out->set_owner_id(rec.owner_id);
  if (rec.due) out->set_due_date(DayString(*rec.due));
  ExpectedToProto(rec.expected, out->mutable_expected_result());
  out->set_resources(rec.resources);
  out->set_status(ActionStatusToProto(rec.status));
  out->set_parent_action_id(rec.parent_action_id);
  for (const std::string& c : rec.child_action_ids) out->add_child_action_ids(c);
  if (details) {
    for (const StatusChangeRecord& h : rec.history) {
      v1::StatusChange* c = out->add_history();
      c->set_from(h.from ? ActionStatusToProto(*h.from) : v1::ACTION_STATUS_UNSPECIFIED);
      c->set_to(ActionStatusToProto(h.to));
      c->set_changed_by(h.changed_by);
      TimeToProto(h.change_time, c->mutable_change_time());
      c->set_note(h.note);
      for (const SmartFailureRecord& f : h.smart_failures) {
        v1::SmartFailure* sf = c->add_smart_failures();
        sf->set_criterion(f.criterion);
        sf->set_field(f.field);
        sf->set_message(f.message);
      }
    }
    for (const ProgressRecord& p : rec.progress) {
      v1::ProgressReport* r = out->add_progress();
      r->set_as_of_date(DayString(p.as_of));
      if (p.value) r->set_value(*p.value);
      r->set_done_bp(p.done_bp);
      r->set_note(p.note);
      r->set_reported_by(p.reported_by);
      TimeToProto(p.report_time, r->mutable_report_time());
    }
  }
  if (rec.verification) {
    const VerificationRecord& v = *rec.verification;
    v1::Verification* pv = out->mutable_verification();
    pv->set_achieved(v.achieved);
    if (v.actual) pv->set_actual_value(*v.actual);
    pv->set_evaluation_id(v.evaluation_id);
    pv->set_meeting_id(v.meeting_id);
    pv->set_automatic(v.automatic);
    TimeToProto(v.verify_time, pv->mutable_verify_time());
  }
  out->set_overdue(rec.due.has_value() && IsOverdue(rec.status, *rec.due, today));
  if (rec.status == ActionStatus::kInProgress && rec.progress_due) {
    out->set_progress_due_date(DayString(*rec.progress_due));
  }
  out->set_version(rec.version);
  TimeToProto(rec.create_time, out->mutable_create_time());
}

SmartInput SmartInputOf(const ActionItemRecord& rec, std::optional<int64_t> current_actual,
                        std::optional<absl::CivilDay> next_review) {
  SmartInput in;
  in.what = rec.title;
  in.measures = rec.measures;
  in.departments = rec.departments;
  in.owner_id = rec.owner_id;
  in.due = rec.due;
  in.expected.text = rec.expected.text;
  if (!rec.expected.metric.empty()) {
    in.expected.metric = rec.expected.metric;
    in.expected.target_value = rec.expected.target_value;
  }
  if (!rec.expected.scope_id.empty()) in.expected.scope = rec.expected.scope_id;
  if (!rec.expected.period.empty()) in.expected.period = rec.expected.period;
  in.expected.lower_is_better = rec.expected.lower_is_better;
  in.current_actual = current_actual;
  in.next_review = next_review;
  return in;
}

SmartFailureRecord FailureRecordOf(const SmartFailure& failure) {
  // The domain names the title "what" and the due date "due"; the API's
  // fields are title and due_date (the message starts with the field).
  SmartFailureRecord out{absl::AsciiStrToLower(SmartCodeName(failure.code)), failure.field,
                         failure.message};
  for (const auto& [domain, api] :
       {std::pair<absl::string_view, absl::string_view>{"what", "title"}, {"due", "due_date"}}) {
    if (failure.field != domain) continue;
    out.field = std::string(api);
    if (absl::StartsWith(out.message, absl::StrCat(domain, " "))) {
      out.message = absl::StrCat(api, out.message.substr(domain.size()));
    }
  }
  return out;
}

}  // namespace attain::review
