// Input rules of the target service that need no I/O: ids, names, dates and
// target values. Errors are INVALID_ARGUMENT naming the request field.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/metric.h"

namespace attain::target {

inline constexpr int kMaxNameLength = 200;
inline constexpr int kMaxTierLength = 64;
inline constexpr int kMaxRequestIdLength = 128;
inline constexpr int kMaxReasonLength = 500;
inline constexpr int kMaxBatchRows = 10000;

// Ids: 1-64 of [a-z0-9_-]. `field` names the request field in the message.
absl::Status ValidateId(absl::string_view field, absl::string_view id);
// Like ValidateId but an empty id is allowed (the server generates one).
absl::Status ValidateOptionalId(absl::string_view field, absl::string_view id);
// Display names: 1..kMaxNameLength characters (UTF-8 code points), not blank,
// no control characters.
absl::Status ValidateName(absl::string_view field, absl::string_view name);
// Free text up to `max_chars` code points (may be empty).
absl::Status ValidateText(absl::string_view field, absl::string_view text, int max_chars);
// request_id: empty or up to kMaxRequestIdLength printable ASCII characters.
absl::Status ValidateRequestId(absl::string_view request_id);
// "YYYY-MM-DD".
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view field, absl::string_view text);
std::string FormatDate(absl::CivilDay day);

// The values of one target: base >= 0, challenge >= base (0 = same as base,
// resolved into `challenge`), currency required for money metrics (three
// upper-case letters) and empty for the others.
absl::Status ValidateTargetValues(absl::string_view field_prefix, const MetricInfo& metric,
                                  int64_t base, int64_t* challenge, absl::string_view currency);

}  // namespace attain::target
