// attain.review.v1 agenda and report messages ↔ the store's records
// (store/meeting_store.h), with the checks of a cause as the API states them
// (meeting_service.proto).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "attain/review/v1/meeting_service.pb.h"
#include "services/review/src/store/meeting_store.h"

namespace attain::review {

// Limits of a cause's texts, in characters.
inline constexpr int kMaxCauseChars = 4000;        // description, proposal, inquiry notes
inline constexpr int kMaxResourceChars = 2000;     // a resource request's description
inline constexpr int kMaxWhyChars = 2000;          // one answer of a 5-whys chain
inline constexpr int kMaxFiveWhys = 10;            // answers of a 5-whys chain
inline constexpr int kMaxRelatedDepartments = 20;  // an inquiry's related departments

void DeviationToProto(const DeviationRecord& rec, v1::Deviation* out);

// The agenda with the meeting's `version` (after the agenda was stored).
void AgendaToProto(const AgendaRecord& rec, int64_t version, v1::Agenda* out);

// The report; explained_impact is the sum of its causes' impact.
void ReportToProto(const ReportRecord& rec, v1::Report* out);

// A cause as the request gives it, checked, with paths under `field` (e.g.
// "cause"): cause_id an id; description 1-4000 characters; kind a CauseKind;
// improvement proposal ≤ 4000; resource request description ≤ 2000, amount
// ≥ 0 with a 3-letter currency when not 0; inquiry kind a CauseKind, related
// departments ≤ 20 of 1-100 characters, responsible person a person id,
// notes ≤ 4000; at most 10 whys of 1-2000 characters. INVALID_ARGUMENT
// naming the first problem's path.
absl::StatusOr<CauseRecord> CauseFromProto(absl::string_view field, const v1::Cause& cause);

}  // namespace attain::review
