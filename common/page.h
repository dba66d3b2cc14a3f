// Pagination helpers (AIP-158): opaque page tokens and page-size rules.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

// An opaque token for the page after `last_key`. `context` identifies the
// listing (e.g. the request's filters, serialized without page fields): a token
// is only valid for a request with the same context (AIP-158).
std::string EncodePageToken(absl::string_view last_key, absl::string_view context = "");
// The key a token was made from; "" for an empty token. INVALID_ARGUMENT for a
// token this server did not make or one made for a different context.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view context = "");

// The context of a list request: its serialized bytes with page_token and
// page_size cleared. `Req` is a protobuf message with those fields.
template <typename Req>
std::string PageContext(const Req& request) {
  Req copy = request;
  copy.clear_page_token();
  copy.clear_page_size();
  return copy.SerializeAsString();
}

// page_size 0 → `default_size`; above `max_size` → max_size (AIP-158 coerces);
// negative → INVALID_ARGUMENT.
absl::StatusOr<int> ResolvePageSize(int page_size, int default_size, int max_size);

}  // namespace attain
