#include "common/page.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace attain {
namespace {

constexpr absl::string_view kPrefix = "p2:";

// 64-bit FNV-1a of the context, as 16 hex digits: a token carries it so that
// it cannot be replayed against another listing.
std::string Fingerprint(absl::string_view context) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : context) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", h);
}

}  // namespace

std::string EncodePageToken(absl::string_view last_key, absl::string_view context) {
  return absl::WebSafeBase64Escape(absl::StrCat(kPrefix, Fingerprint(context), ":", last_key));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view context) {
  if (token.empty()) return std::string();
  std::string raw;
  const std::string fp = Fingerprint(context);
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, kPrefix) ||
      raw.size() < kPrefix.size() + fp.size() + 1 || raw[kPrefix.size() + fp.size()] != ':') {
    return absl::InvalidArgumentError(
        "page_token is not valid: pass the next_page_token of the previous response unchanged");
  }
  if (raw.compare(kPrefix.size(), fp.size(), fp) != 0) {
    return absl::InvalidArgumentError(
        "page_token belongs to a different listing: keep the other request fields as they were "
        "when the token was issued, or start again without a page_token");
  }
  return raw.substr(kPrefix.size() + fp.size() + 1);
}

absl::StatusOr<int> ResolvePageSize(int page_size, int default_size, int max_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size is ", page_size, ": it must be 0 (default) or positive"));
  }
  if (page_size == 0) return default_size;
  return page_size > max_size ? max_size : page_size;
}

}  // namespace attain
