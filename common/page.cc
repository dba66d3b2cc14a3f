#include "common/page.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace attain {
namespace {
constexpr absl::string_view kPrefix = "p1:";
}

std::string EncodePageToken(absl::string_view last_key) {
  return absl::WebSafeBase64Escape(absl::StrCat(kPrefix, last_key));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, kPrefix)) {
    return absl::InvalidArgumentError(
        "page_token is not valid: pass the next_page_token of the previous response unchanged");
  }
  return raw.substr(kPrefix.size());
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
