#include "services/target/src/domain/validate.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/money.h"

namespace attain::target {
namespace {

// Counts UTF-8 code points; -1 if `s` is not valid UTF-8.
int Utf8Length(absl::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return -1;
    }
    i += len;
    ++n;
  }
  return n;
}

bool HasControl(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (id.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", id.size(), " characters long; ids have at most 64"));
  }
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s \"%s\" has the character '%c': ids use only a-z, 0-9, '-' and '_'",
                          field, absl::CEscape(id), c));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOptionalId(absl::string_view field, absl::string_view id) {
  return id.empty() ? absl::OkStatus() : ValidateId(field, id);
}

absl::Status ValidateName(absl::string_view field, absl::string_view name) {
  if (absl::StripAsciiWhitespace(name).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return ValidateText(field, name, kMaxNameLength);
}

absl::Status ValidateText(absl::string_view field, absl::string_view text, int max_chars) {
  int len = Utf8Length(text);
  if (len < 0) return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
  if (len > max_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has ", len, " characters; at most ", max_chars, " are allowed"));
  }
  if (HasControl(text)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " contains control characters"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > static_cast<size_t>(kMaxRequestIdLength)) {
    return absl::InvalidArgumentError(absl::StrCat("request_id has ", request_id.size(),
                                                   " characters; at most ", kMaxRequestIdLength,
                                                   " are allowed"));
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id must be printable ASCII without spaces (e.g. a UUID)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view field, absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !absl::SimpleAtoi(text.substr(0, 4), &y) || !absl::SimpleAtoi(text.substr(5, 2), &m) ||
      !absl::SimpleAtoi(text.substr(8, 2), &d) || !absl::ascii_isdigit(text[5]) ||
      !absl::ascii_isdigit(text[8])) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", absl::CEscape(text), "\" is not a date: use YYYY-MM-DD"));
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d || y < 1900 || y > 9999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\" is not a real calendar date"));
  }
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::Status ValidateTargetValues(absl::string_view field_prefix, const MetricInfo& metric,
                                  int64_t base, int64_t* challenge, absl::string_view currency) {
  if (base < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_prefix, "base_value is ", base, ": targets cannot be negative"));
  }
  if (*challenge == 0) *challenge = base;
  if (*challenge < base) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_prefix, "challenge_value ", *challenge, " is below base_value ", base,
                     ": the challenge level must be at least the base level"));
  }
  if (metric.unit == MetricUnit::kMoney) {
    if (currency.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field_prefix, "currency_code is required for the money metric ", metric.name));
    }
    if (absl::Status st = ValidateCurrency(currency); !st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_prefix, "currency_code: ", st.message()));
    }
  } else if (!currency.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field_prefix, "currency_code must be empty: ", metric.name, " is not a money metric"));
  }
  if (metric.unit == MetricUnit::kRatio && *challenge > 1'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_prefix, "value ", *challenge,
                     " basis points is over 10000 %: ratios are in basis points (9500 = 95 %)"));
  }
  return absl::OkStatus();
}

}  // namespace attain::target
