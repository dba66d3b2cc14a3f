#include "services/review/src/domain/action_status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace attain::review {
namespace {

// "\"a\"", "\"a\" or \"b\"", "\"a\", \"b\" or \"c\"".
std::string QuotedAlternatives(const std::vector<ActionStatus>& statuses) {
  std::string out;
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (i > 0) absl::StrAppend(&out, i + 1 == statuses.size() ? " or " : ", ");
    absl::StrAppend(&out, "\"", ActionStatusName(statuses[i]), "\"");
  }
  return out;
}

}  // namespace

const std::vector<ActionStatus>& AllActionStatuses() {
  static const auto* const kAll = new std::vector<ActionStatus>{
      ActionStatus::kDraft,
      ActionStatus::kSubmitted,
      ActionStatus::kAccepted,
      ActionStatus::kReturned,
      ActionStatus::kInProgress,
      ActionStatus::kDone,
      ActionStatus::kVerifiedAchieved,
      ActionStatus::kVerifiedNotAchieved,
  };
  return *kAll;
}

absl::string_view ActionStatusName(ActionStatus status) {
  switch (status) {
    case ActionStatus::kDraft:
      return "draft";
    case ActionStatus::kSubmitted:
      return "submitted";
    case ActionStatus::kAccepted:
      return "accepted";
    case ActionStatus::kReturned:
      return "returned";
    case ActionStatus::kInProgress:
      return "in_progress";
    case ActionStatus::kDone:
      return "done";
    case ActionStatus::kVerifiedAchieved:
      return "verified_achieved";
    case ActionStatus::kVerifiedNotAchieved:
      return "verified_not_achieved";
  }
  return "unknown";
}

std::vector<ActionStatus> AllowedNextStatuses(ActionStatus from) {
  switch (from) {
    case ActionStatus::kDraft:
    case ActionStatus::kReturned:
      return {ActionStatus::kSubmitted};
    case ActionStatus::kSubmitted:
      return {ActionStatus::kAccepted, ActionStatus::kReturned};
    case ActionStatus::kAccepted:
      return {ActionStatus::kInProgress};
    case ActionStatus::kInProgress:
      return {ActionStatus::kDone};
    case ActionStatus::kDone:
      return {ActionStatus::kVerifiedAchieved, ActionStatus::kVerifiedNotAchieved};
    case ActionStatus::kVerifiedAchieved:
    case ActionStatus::kVerifiedNotAchieved:
      break;
  }
  return {};
}

absl::Status CheckTransition(ActionStatus from, ActionStatus to) {
  const std::vector<ActionStatus> next = AllowedNextStatuses(from);
  for (ActionStatus allowed : next) {
    if (allowed == to) return absl::OkStatus();
  }
  const std::string prefix =
      absl::StrCat("an action item cannot go from \"", ActionStatusName(from), "\" to \"",
                   ActionStatusName(to), "\": ");
  if (next.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(prefix, "\"", ActionStatusName(from), "\" is final"));
  }
  return absl::FailedPreconditionError(absl::StrCat(prefix, "from \"", ActionStatusName(from),
                                                    "\" it can go to ", QuotedAlternatives(next)));
}

bool IsEditable(ActionStatus status) {
  return status == ActionStatus::kDraft || status == ActionStatus::kReturned;
}

absl::Status CheckEditable(ActionStatus status) {
  if (IsEditable(status)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("an action item in status \"", ActionStatusName(status),
                   "\" cannot be edited: only \"draft\" and \"returned\" items can"));
}

bool IsFinished(ActionStatus status) {
  return status == ActionStatus::kDone || status == ActionStatus::kVerifiedAchieved ||
         status == ActionStatus::kVerifiedNotAchieved;
}

bool IsOverdue(ActionStatus status, absl::CivilDay due, absl::CivilDay today) {
  return today > due && !IsFinished(status);
}

int64_t DaysOverdue(ActionStatus status, absl::CivilDay due, absl::CivilDay today) {
  return IsOverdue(status, due, today) ? static_cast<int64_t>(today - due) : 0;
}

ProgressSchedule NextProgressReport(absl::CivilDay last_report, absl::CivilDay today) {
  ProgressSchedule schedule;
  schedule.next_due = last_report + kProgressIntervalDays;
  if (today > schedule.next_due) {
    schedule.late = true;
    schedule.days_late = static_cast<int64_t>(today - schedule.next_due);
  }
  return schedule;
}

}  // namespace attain::review
