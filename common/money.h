// Money as integer minor units (分/cents) plus an ISO 4217 currency code.
// Never a float (ARCHITECTURE.md §5).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

struct Money {
  std::string currency;  // ISO 4217, three upper-case letters, e.g. "CNY"
  int64_t minor = 0;     // amount in minor units (1/100 of the unit for CNY, USD, EUR)

  friend bool operator==(const Money& a, const Money& b) {
    return a.currency == b.currency && a.minor == b.minor;
  }
};

// INVALID_ARGUMENT unless `code` is three upper-case ASCII letters.
absl::Status ValidateCurrency(absl::string_view code);

// Parses a decimal amount in major units with at most 2 decimals ("1234.5",
// "-3", "1,000,000.00" with thousands separators) into minor units. Refuses
// more than 2 decimals, overflow of int64 and any other character, naming it.
absl::StatusOr<int64_t> ParseMinorUnits(absl::string_view text);

// Formats minor units as major units with exactly 2 decimals and thousands
// separators: 123456789 → "1,234,567.89"; -5 → "-0.05".
std::string FormatMinorUnits(int64_t minor);

// Overflow-checked arithmetic: OUT_OF_RANGE when the result does not fit int64.
absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b);
absl::StatusOr<int64_t> CheckedMul(int64_t a, int64_t b);

}  // namespace attain
