#include "common/allocate.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace attain {
namespace {

// One percent in millionths of the whole; a percentage has at most 4 decimals.
constexpr int64_t kOnePercent = kPercentScale / 100;
constexpr int kPercentDecimals = 4;

absl::Status NegativeTotalError(int64_t total) {
  return absl::InvalidArgumentError(
      absl::StrFormat("total %d is negative: only amounts >= 0 can be allocated", total));
}

absl::Status PercentError(absl::string_view text, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "percentage \"%s\" %s: write a number from 0 to 100 with at most 4 decimals, e.g. "
      "\"33.3333\"",
      text, problem));
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> AllocateByWeights(int64_t total,
                                                       const std::vector<int64_t>& weights) {
  if (weights.empty()) {
    return absl::InvalidArgumentError("weights are empty: give at least one weight");
  }
  if (total < 0) return NegativeTotalError(total);
  // A sum of int64 weights fits in 128 bits, and so does total * weight (< 2^126).
  absl::int128 weight_sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("weight %d (index %d) is negative: weights must be >= 0", weights[i], i));
    }
    weight_sum += weights[i];
  }
  if (weight_sum == 0) {
    return absl::InvalidArgumentError(
        "weights sum to 0: at least one weight must be greater than 0");
  }

  std::vector<int64_t> parts(weights.size());
  std::vector<absl::int128> remainders(weights.size());
  int64_t allocated = 0;  // <= total, so no overflow
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const absl::int128 product = absl::int128(total) * weights[i];
    parts[i] = static_cast<int64_t>(product / weight_sum);  // <= total
    remainders[i] = product % weight_sum;
    allocated += parts[i];
  }

  // The units left over (fewer than the number of parts) go one each to the
  // largest remainders; stable_sort keeps ties in index order.
  const int64_t leftover = total - allocated;
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  for (int64_t k = 0; k < leftover; ++k) ++parts[order[static_cast<std::size_t>(k)]];
  return parts;
}

absl::StatusOr<std::vector<int64_t>> AllocateEvenly(int64_t total, int n) {
  if (n < 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("cannot split into %d parts: the number of parts must be >= 1", n));
  }
  if (total < 0) return NegativeTotalError(total);
  const int64_t share = total / n;
  const int64_t extra = total % n;
  std::vector<int64_t> parts(static_cast<std::size_t>(n), share);
  for (int64_t k = 0; k < extra; ++k) ++parts[static_cast<std::size_t>(k)];
  return parts;
}

absl::StatusOr<int64_t> ParsePercent(absl::string_view text) {
  if (text.empty()) return PercentError(text, "is empty");
  if (text[0] == '-') return PercentError(text, "is negative");
  std::size_t i = 0;
  int64_t whole = 0;
  bool any_digit = false;
  for (; i < text.size() && text[i] != '.'; ++i) {
    const char c = text[i];
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return PercentError(text, absl::StrFormat("has an unexpected character '%s' at position %d",
                                                absl::CHexEscape(text.substr(i, 1)), i + 1));
    }
    whole = whole * 10 + (c - '0');
    if (whole > 100) return PercentError(text, "is over 100");
    any_digit = true;
  }
  if (!any_digit) return PercentError(text, "has no digits before the decimal point");

  int64_t fraction = 0;  // in units of 1/10^4 percent
  int decimals = 0;
  if (i < text.size()) {  // text[i] == '.'
    for (++i; i < text.size(); ++i) {
      const char c = text[i];
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return PercentError(text, absl::StrFormat("has an unexpected character '%s' at position %d",
                                                  absl::CHexEscape(text.substr(i, 1)), i + 1));
      }
      if (++decimals > kPercentDecimals) return PercentError(text, "has more than 4 decimals");
      fraction = fraction * 10 + (c - '0');
    }
    if (decimals == 0) return PercentError(text, "has no digits after the decimal point");
  }
  for (; decimals < kPercentDecimals; ++decimals) fraction *= 10;

  const int64_t millionths = whole * kOnePercent + fraction;
  if (millionths > kPercentScale) return PercentError(text, "is over 100");
  return millionths;
}

absl::StatusOr<std::vector<int64_t>> ParsePercentagesSumTo100(
    const std::vector<std::string>& texts) {
  std::vector<int64_t> values;
  values.reserve(texts.size());
  int64_t sum = 0;  // each value <= 10^6, so no realistic list overflows
  for (std::size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<int64_t> value = ParsePercent(texts[i]);
    if (!value.ok()) {
      return absl::Status(
          value.status().code(),
          absl::StrCat("percentage ", i + 1, " of ", texts.size(), ": ", value.status().message()));
    }
    sum += *value;
    values.push_back(*value);
  }
  if (sum != kPercentScale) {
    return absl::InvalidArgumentError(absl::StrCat("percentages sum to ", FormatPercent(sum),
                                                   ", not 100: adjust them so that they add up "
                                                   "to exactly 100"));
  }
  return values;
}

std::string FormatPercent(int64_t millionths) {
  const bool negative = millionths < 0;
  // Two's-complement negation in unsigned arithmetic handles INT64_MIN.
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(millionths) + 1 : static_cast<uint64_t>(millionths);
  const uint64_t one_percent = static_cast<uint64_t>(kOnePercent);
  std::string out = absl::StrCat(negative ? "-" : "", magnitude / one_percent);
  uint64_t fraction = magnitude % one_percent;
  if (fraction != 0) {
    std::string decimals = absl::StrFormat("%04d", fraction);
    decimals.erase(decimals.find_last_not_of('0') + 1);
    absl::StrAppend(&out, ".", decimals);
  }
  return out;
}

}  // namespace attain
