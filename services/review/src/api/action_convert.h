// attain.review.v1 action-item messages ↔ the store's records
// (store/action_store.h) and the domain's inputs (domain/smart.h), with the
// checks of an item's fields as the API states them (action_service.proto).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "attain/review/v1/action_service.pb.h"
#include "services/review/src/domain/action_status.h"
#include "services/review/src/domain/smart.h"
#include "services/review/src/store/action_store.h"

namespace attain::review {

// Limits of the API's texts, in characters.
inline constexpr int kMaxActionTitleChars = 500;
inline constexpr int kMaxMeasuresChars = 4000;
inline constexpr int kMaxExpectedTextChars = 2000;
inline constexpr int kMaxResourcesChars = 2000;
inline constexpr int kMaxActionNoteChars = 2000;
inline constexpr int kMaxProgressNoteChars = 4000;
inline constexpr int kMaxDepartments = 20;

// The person id automatic changes are recorded under.
inline constexpr char kAutomaticActor[] = "attain-review";

// ACTION_STATUS_* ↔ ActionStatus; nullopt for UNSPECIFIED or an unknown value.
std::optional<ActionStatus> ActionStatusFromProto(v1::ActionStatus status);
v1::ActionStatus ActionStatusToProto(ActionStatus status);

// "ACCEPTED", … : the API's names, for messages.
std::string ActionStatusLabel(ActionStatus status);

// A "YYYY-MM-DD" field; nullopt for "". INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<std::optional<absl::CivilDay>> ParseDay(absl::string_view field,
                                                       const std::string& text);
std::string DayString(absl::CivilDay day);

// The expected result as the request gives it, checked (paths under
// `prefix`, e.g. "item.expected_result"): text up to 2000 characters; a
// metric from the catalogue (common/metric.h) or UNSPECIFIED; with a metric,
// a scope (unit or rep with its id); a period, when given, in canonical form.
// Completeness (a target, a period, a number in the text) is the SMART
// check's on submission, not a reason to refuse a draft.
absl::StatusOr<ExpectedResultRecord> ExpectedFromProto(absl::string_view prefix,
                                                       const v1::ExpectedResult& in);
void ExpectedToProto(const ExpectedResultRecord& rec, v1::ExpectedResult* out);

// Whether the expected result is achieved at or below its target: the
// catalogue's flag for a catalogue metric, the item's own otherwise.
bool LowerIsBetter(const ExpectedResultRecord& expected);

// The departments of a request, checked: 1 to 20, each 1-100 characters on
// one line (blank and repeated ones are PlanOwnership's to refuse).
absl::Status ValidateDepartments(
    absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& departments);

// The item as the API shows it on `today`: overdue, progress_due_date (only
// while in progress); history and progress only when `details`.
void ItemToProto(const ActionItemRecord& rec, absl::CivilDay today, bool details,
                 v1::ActionItem* out);

// What the SMART check reads of an item.
SmartInput SmartInputOf(const ActionItemRecord& rec, std::optional<int64_t> current_actual,
                        std::optional<absl::CivilDay> next_review);

// A SMART failure as stored and shown: criterion in lower case
// ("time_bound"), the field, the message.
SmartFailureRecord FailureRecordOf(const SmartFailure& failure);

// Days past the due date of an overdue item, and days its ten-day progress
// report is late (0 when on time or not in progress), on `today`.
int64_t DaysOverdueOf(const ActionItemRecord& rec, absl::CivilDay today);
int64_t ProgressDaysLateOf(const ActionItemRecord& rec, absl::CivilDay today);

}  // namespace attain::review
