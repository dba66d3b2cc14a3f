#include "common/money.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace attain {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();  // 9223372036854775807
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();  // -9223372036854775808

// Parses `text`, expecting success.
int64_t Parse(const std::string& text) {
  absl::StatusOr<int64_t> v = ParseMinorUnits(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.ok() ? *v : -1;
}

// The message of a refused parse, after checking that it is INVALID_ARGUMENT and
// names the text.
std::string ParseError(const std::string& text) {
  absl::StatusOr<int64_t> v = ParseMinorUnits(text);
  EXPECT_FALSE(v.ok()) << text << " parsed as " << (v.ok() ? *v : 0);
  if (v.ok()) return "";
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("\"" + text + "\""));
  return std::string(v.status().message());
}

TEST(MoneyTest, EqualityComparesCurrencyAndAmount) {
  EXPECT_EQ((Money{"CNY", 100}), (Money{"CNY", 100}));
  EXPECT_FALSE((Money{"CNY", 100}) == (Money{"USD", 100}));
  EXPECT_FALSE((Money{"CNY", 100}) == (Money{"CNY", 101}));
  EXPECT_EQ(Money{}.minor, 0);
}

TEST(ValidateCurrencyTest, AcceptsThreeUpperCaseLetters) {
  EXPECT_TRUE(ValidateCurrency("CNY").ok());
  EXPECT_TRUE(ValidateCurrency("USD").ok());
  EXPECT_TRUE(ValidateCurrency("EUR").ok());
  EXPECT_TRUE(ValidateCurrency("AAA").ok());
  EXPECT_TRUE(ValidateCurrency("ZZZ").ok());
}

TEST(ValidateCurrencyTest, RefusesAnythingElseNamingTheCode) {
  for (const char* bad : {"usd", "Usd", "US", "USDX", "", "U1D", "U D", "US-", "@AB", "AB["}) {
    absl::Status s = ValidateCurrency(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.message()),
                AllOf(HasSubstr("currency \"" + std::string(bad) + "\""), HasSubstr("ISO 4217"),
                      HasSubstr("three upper-case letters")))
        << bad;
  }
  // Non-ASCII letters are refused too ("ÉUR" is 4 bytes in UTF-8; "\xC9UR" is 3).
  EXPECT_EQ(ValidateCurrency("\xC3\x89UR").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCurrency("\xC9UR").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseMinorUnitsTest, ParsesMajorUnitsIntoMinorUnits) {
  EXPECT_EQ(Parse("1234.5"), 123450);
  EXPECT_EQ(Parse("1234.50"), 123450);
  EXPECT_EQ(Parse("-3"), -300);
  EXPECT_EQ(Parse("0"), 0);
  EXPECT_EQ(Parse("-0"), 0);
  EXPECT_EQ(Parse("0.05"), 5);
  EXPECT_EQ(Parse("-0.05"), -5);
  EXPECT_EQ(Parse("0.5"), 50);
  EXPECT_EQ(Parse("12.34"), 1234);
  EXPECT_EQ(Parse("999"), 99900);
  EXPECT_EQ(Parse("007.10"), 710);
}

TEST(ParseMinorUnitsTest, AcceptsThousandsSeparators) {
  EXPECT_EQ(Parse("1,000,000.00"), 100000000);
  EXPECT_EQ(Parse("3,000,000.00"), 300000000);  // seed 000: a quarter's target
  EXPECT_EQ(Parse("1,234,567.89"), 123456789);
  EXPECT_EQ(Parse("-1,234,567.89"), -123456789);
  EXPECT_EQ(Parse("12,345"), 1234500);
  EXPECT_EQ(Parse("123,456"), 12345600);
  EXPECT_EQ(Parse("1,000.5"), 100050);
  // Separators are optional: the same amount without them.
  EXPECT_EQ(Parse("1000000.00"), 100000000);
}

TEST(ParseMinorUnitsTest, ReachesBothEndsOfInt64) {
  EXPECT_EQ(Parse("92233720368547758.07"), kMax);
  EXPECT_EQ(Parse("92,233,720,368,547,758.07"), kMax);
  EXPECT_EQ(Parse("-92233720368547758.08"), kMin);
  EXPECT_EQ(Parse("-92233720368547758.07"), kMin + 1);
}

TEST(ParseMinorUnitsTest, RefusesOverflowOfInt64) {
  EXPECT_THAT(ParseError("92233720368547758.08"), HasSubstr("too large"));
  EXPECT_THAT(ParseError("92233720368547758.1"), HasSubstr("too large"));
  EXPECT_THAT(ParseError("92233720368547759"), HasSubstr("too large"));
  EXPECT_THAT(ParseError("-92233720368547758.09"), HasSubstr("too large"));
  EXPECT_THAT(ParseError("100000000000000000000000000000"), HasSubstr("too large"));
  EXPECT_THAT(ParseError("-100000000000000000000000000000.00"), HasSubstr("too large"));
}

TEST(ParseMinorUnitsTest, RefusesMoreThanTwoDecimals) {
  EXPECT_THAT(ParseError("12.345"), HasSubstr("more than 2 decimals"));
  EXPECT_THAT(ParseError("0.001"), HasSubstr("more than 2 decimals"));
  EXPECT_THAT(ParseError("1.000"), HasSubstr("more than 2 decimals"));
}

TEST(ParseMinorUnitsTest, RefusesOtherCharactersNamingThem) {
  EXPECT_THAT(ParseError("12a"), HasSubstr("unexpected character 'a' at position 3"));
  EXPECT_THAT(ParseError(" 12"), HasSubstr("unexpected character ' ' at position 1"));
  EXPECT_THAT(ParseError("12 "), HasSubstr("unexpected character ' ' at position 3"));
  EXPECT_THAT(ParseError("+5"), HasSubstr("unexpected character '+' at position 1"));
  EXPECT_THAT(ParseError("--5"), HasSubstr("unexpected character '-' at position 2"));
  EXPECT_THAT(ParseError("1e5"), HasSubstr("unexpected character 'e' at position 2"));
  EXPECT_THAT(ParseError("1.2.3"), HasSubstr("unexpected character '.' at position 4"));
  EXPECT_THAT(ParseError("1.-5"), HasSubstr("unexpected character '-' at position 3"));
  EXPECT_THAT(ParseError("1.5,0"), HasSubstr("unexpected character ',' at position 4"));
  EXPECT_THAT(ParseError("$5"), HasSubstr("unexpected character '$' at position 1"));
  EXPECT_THAT(ParseError("5-"), HasSubstr("unexpected character '-' at position 2"));
}

TEST(ParseMinorUnitsTest, RefusesMisplacedThousandsSeparators) {
  for (const char* bad : {"1,00", "1,0000", "1234,567", ",123", "1,,000", "1,000,", "1,000,00",
                          "1,00.00", "-,100", "12,34,567"}) {
    EXPECT_THAT(ParseError(bad), HasSubstr("misplaced thousands separator")) << bad;
  }
}

TEST(ParseMinorUnitsTest, RefusesMissingDigits) {
  EXPECT_THAT(ParseError(""), HasSubstr("is empty"));
  EXPECT_THAT(ParseError("-"), HasSubstr("no digits before the decimal point"));
  EXPECT_THAT(ParseError(".5"), HasSubstr("no digits before the decimal point"));
  EXPECT_THAT(ParseError("-.5"), HasSubstr("no digits before the decimal point"));
  EXPECT_THAT(ParseError("12."), HasSubstr("no digits after the decimal point"));
}

TEST(ParseMinorUnitsTest, ErrorSaysHowToWriteAnAmount) {
  EXPECT_THAT(ParseError("12.345"), AllOf(HasSubstr("at most 2 decimals"), HasSubstr("1,234.50")));
}

TEST(FormatMinorUnitsTest, FormatsWithTwoDecimalsAndSeparators) {
  EXPECT_EQ(FormatMinorUnits(123456789), "1,234,567.89");
  EXPECT_EQ(FormatMinorUnits(-5), "-0.05");
  EXPECT_EQ(FormatMinorUnits(0), "0.00");
  EXPECT_EQ(FormatMinorUnits(5), "0.05");
  EXPECT_EQ(FormatMinorUnits(10), "0.10");
  EXPECT_EQ(FormatMinorUnits(99), "0.99");
  EXPECT_EQ(FormatMinorUnits(100), "1.00");
  EXPECT_EQ(FormatMinorUnits(-100), "-1.00");
  EXPECT_EQ(FormatMinorUnits(99999), "999.99");
  EXPECT_EQ(FormatMinorUnits(100000), "1,000.00");
  EXPECT_EQ(FormatMinorUnits(-100000), "-1,000.00");
  EXPECT_EQ(FormatMinorUnits(12345600), "123,456.00");
  EXPECT_EQ(FormatMinorUnits(300000000), "3,000,000.00");
  EXPECT_EQ(FormatMinorUnits(-123456789), "-1,234,567.89");
}

TEST(FormatMinorUnitsTest, FormatsTheEndsOfInt64) {
  EXPECT_EQ(FormatMinorUnits(kMax), "92,233,720,368,547,758.07");
  EXPECT_EQ(FormatMinorUnits(kMin), "-92,233,720,368,547,758.08");
}

TEST(FormatMinorUnitsTest, ParseReadsBackWhatFormatWrites) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{99}, int64_t{100},
                    int64_t{123456789}, int64_t{-987654321012}, kMax, kMin, kMin + 1}) {
    EXPECT_EQ(Parse(FormatMinorUnits(v)), v) << FormatMinorUnits(v);
  }
}

TEST(CheckedAddTest, AddsWhenTheSumFits) {
  EXPECT_EQ(*CheckedAdd(2, 3), 5);
  EXPECT_EQ(*CheckedAdd(100000000, -300000000), -200000000);
  EXPECT_EQ(*CheckedAdd(kMax, 0), kMax);
  EXPECT_EQ(*CheckedAdd(kMax - 1, 1), kMax);
  EXPECT_EQ(*CheckedAdd(kMin, kMax), -1);
  EXPECT_EQ(*CheckedAdd(kMin + 1, -1), kMin);
}

TEST(CheckedAddTest, OutOfRangeWhenTheSumOverflows) {
  absl::StatusOr<int64_t> up = CheckedAdd(kMax, 1);
  EXPECT_EQ(up.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(up.status().message()),
              AllOf(HasSubstr("9223372036854775807 + 1"), HasSubstr("overflows")));
  absl::StatusOr<int64_t> down = CheckedAdd(kMin, -1);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(down.status().message()), HasSubstr("-9223372036854775808 + -1"));
  EXPECT_EQ(CheckedAdd(kMax / 2 + 1, kMax / 2 + 1).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(CheckedMulTest, MultipliesWhenTheProductFits) {
  EXPECT_EQ(*CheckedMul(300000000, 3), 900000000);
  EXPECT_EQ(*CheckedMul(-7, 6), -42);
  EXPECT_EQ(*CheckedMul(kMax, 1), kMax);
  EXPECT_EQ(*CheckedMul(kMax, -1), -kMax);
  EXPECT_EQ(*CheckedMul(kMin, 1), kMin);
  EXPECT_EQ(*CheckedMul(0, kMin), 0);
  // 3037000499² = 9223372030926249001 ≤ 2^63 - 1 < 3037000500².
  EXPECT_EQ(*CheckedMul(3037000499, 3037000499), 9223372030926249001);
}

TEST(CheckedMulTest, OutOfRangeWhenTheProductOverflows) {
  absl::StatusOr<int64_t> big = CheckedMul(3037000500, 3037000500);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(big.status().message()),
              AllOf(HasSubstr("3037000500 * 3037000500"), HasSubstr("overflows")));
  EXPECT_EQ(CheckedMul(kMax, 2).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CheckedMul(kMin, -1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CheckedMul(-kMax, 2).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace attain
