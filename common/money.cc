#include "common/money.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace attain {
namespace {

// |INT64_MIN| as an unsigned magnitude: the largest magnitude a negative amount may have.
constexpr uint64_t kMaxNegativeMagnitude = uint64_t{1} << 63;
constexpr uint64_t kMaxPositiveMagnitude = kMaxNegativeMagnitude - 1;

absl::Status AmountError(absl::string_view text, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "amount \"%s\" %s: write major units with digits, an optional leading '-', ',' "
      "between thousands and at most 2 decimals after '.', e.g. \"1,234.50\"",
      text, problem));
}

// Adds one decimal digit to `magnitude`; false when the result exceeds `limit`.
bool PushDigit(uint64_t& magnitude, int digit, uint64_t limit) {
  if (magnitude > (limit - static_cast<uint64_t>(digit)) / 10) return false;
  magnitude = magnitude * 10 + static_cast<uint64_t>(digit);
  return true;
}

}  // namespace

absl::Status ValidateCurrency(absl::string_view code) {
  bool ok = code.size() == 3;
  for (char c : code) ok = ok && c >= 'A' && c <= 'Z';
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "currency \"%s\" is not an ISO 4217 code: use three upper-case letters, e.g. \"CNY\"",
      absl::CHexEscape(code)));
}

absl::StatusOr<int64_t> ParseMinorUnits(absl::string_view text) {
  if (text.empty()) return AmountError(text, "is empty");
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative) ++i;
  const uint64_t limit = negative ? kMaxNegativeMagnitude : kMaxPositiveMagnitude;
  const auto too_large = [&] {
    return absl::InvalidArgumentError(absl::StrFormat(
        "amount \"%s\" is too large: amounts must fit in 64-bit minor units (at most "
        "92,233,720,368,547,758.07)",
        text));
  };

  // Integer part: digits, optionally grouped by ',' into threes after the first group.
  uint64_t magnitude = 0;
  int group_digits = 0;  // digits since the start or the last ','
  bool grouped = false;  // a ',' has been seen
  bool any_digit = false;
  for (; i < text.size() && text[i] != '.'; ++i) {
    const char c = text[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      if (!PushDigit(magnitude, c - '0', limit)) return too_large();
      ++group_digits;
      any_digit = true;
      if (grouped && group_digits > 3) {
        return AmountError(text, "has a misplaced thousands separator ','");
      }
    } else if (c == ',') {
      if (!any_digit || group_digits > 3 || (grouped && group_digits != 3)) {
        return AmountError(text, "has a misplaced thousands separator ','");
      }
      grouped = true;
      group_digits = 0;
    } else {
      return AmountError(text, absl::StrFormat("has an unexpected character '%s' at position %d",
                                               absl::CHexEscape(text.substr(i, 1)), i + 1));
    }
  }
  if (!any_digit) return AmountError(text, "has no digits before the decimal point");
  if (grouped && group_digits != 3) {
    return AmountError(text, "has a misplaced thousands separator ','");
  }

  // Fraction: at most 2 digits; the amount is scaled to minor units either way.
  int decimals = 0;
  if (i < text.size()) {  // text[i] == '.'
    for (++i; i < text.size(); ++i) {
      const char c = text[i];
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return AmountError(text, absl::StrFormat("has an unexpected character '%s' at position %d",
                                                 absl::CHexEscape(text.substr(i, 1)), i + 1));
      }
      if (++decimals > 2) return AmountError(text, "has more than 2 decimals");
      if (!PushDigit(magnitude, c - '0', limit)) return too_large();
    }
    if (decimals == 0) return AmountError(text, "has no digits after the decimal point");
  }
  for (; decimals < 2; ++decimals) {
    if (!PushDigit(magnitude, 0, limit)) return too_large();
  }

  if (!negative) return static_cast<int64_t>(magnitude);
  // Negate in unsigned arithmetic so that |INT64_MIN| converts without overflow.
  return static_cast<int64_t>(~magnitude + 1);
}

std::string FormatMinorUnits(int64_t minor) {
  const bool negative = minor < 0;
  // Two's-complement negation in unsigned arithmetic handles INT64_MIN.
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(minor) + 1 : static_cast<uint64_t>(minor);
  const std::string digits = absl::StrCat(magnitude / 100);
  std::string out;
  if (negative) out.push_back('-');
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out.push_back(',');
    out.push_back(digits[k]);
  }
  absl::StrAppend(&out, absl::StrFormat(".%02d", static_cast<int>(magnitude % 100)));
  return out;
}

absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return absl::OutOfRangeError(
        absl::StrFormat("%d + %d overflows: the sum does not fit in 64-bit minor units", a, b));
  }
  return sum;
}

absl::StatusOr<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) {
    return absl::OutOfRangeError(
        absl::StrFormat("%d * %d overflows: the product does not fit in 64-bit minor units", a, b));
  }
  return product;
}

}  // namespace attain
