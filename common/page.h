// Pagination helpers (AIP-158): opaque page tokens and page-size rules.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

// An opaque token for the page after `last_key`.
std::string EncodePageToken(absl::string_view last_key);
// The key a token was made from; "" for an empty token. INVALID_ARGUMENT for a
// token this server did not make.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token);

// page_size 0 → `default_size`; above `max_size` → max_size (AIP-158 coerces);
// negative → INVALID_ARGUMENT.
absl::StatusOr<int> ResolvePageSize(int page_size, int default_size, int max_size);

}  // namespace attain
