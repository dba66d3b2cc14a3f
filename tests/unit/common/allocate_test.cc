#include "common/allocate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"

namespace attain {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::vector<int64_t> ByWeights(int64_t total, const std::vector<int64_t>& weights) {
  absl::StatusOr<std::vector<int64_t>> parts = AllocateByWeights(total, weights);
  EXPECT_TRUE(parts.ok()) << parts.status();
  return parts.ok() ? *parts : std::vector<int64_t>{};
}

std::vector<int64_t> Evenly(int64_t total, int n) {
  absl::StatusOr<std::vector<int64_t>> parts = AllocateEvenly(total, n);
  EXPECT_TRUE(parts.ok()) << parts.status();
  return parts.ok() ? *parts : std::vector<int64_t>{};
}

// The message of an INVALID_ARGUMENT status (fails the test on any other code).
std::string InvalidArgumentMessage(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

// --- AllocateByWeights ------------------------------------------------------

TEST(AllocateByWeightsTest, QuarterOverItsThreeMonthsEvenly) {
  // Seed 000: 3,000,000.00 per quarter → 1,000,000.00 per month.
  EXPECT_THAT(ByWeights(300000000, {1, 1, 1}), ElementsAre(100000000, 100000000, 100000000));
}

TEST(AllocateByWeightsTest, LeftoverGoesToLargestRemainderTiesToEarlierIndex) {
  // 100/3 = 33 r 1 each: the one unit left over goes to index 0.
  EXPECT_THAT(ByWeights(100, {1, 1, 1}), ElementsAre(34, 33, 33));
  // 2/3 each: floors 0,0,0, two units left, equal remainders → first two.
  EXPECT_THAT(ByWeights(2, {1, 1, 1}), ElementsAre(1, 1, 0));
  // 5/4 = 1 r 1 each → 2,1,1,1.
  EXPECT_THAT(ByWeights(5, {1, 1, 1, 1}), ElementsAre(2, 1, 1, 1));
}

TEST(AllocateByWeightsTest, ExactSharesNeedNoRounding) {
  EXPECT_THAT(ByWeights(10, {1, 2, 3, 4}), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(ByWeights(1000, {1, 2, 3, 4}), ElementsAre(100, 200, 300, 400));
  EXPECT_THAT(ByWeights(0, {1, 2, 3}), ElementsAre(0, 0, 0));
  EXPECT_THAT(ByWeights(777, {5}), ElementsAre(777));
}

TEST(AllocateByWeightsTest, LeftoverFollowsTheRemainderNotTheIndex) {
  // 7 over {3,1}: 21/4 = 5 r 1, 7/4 = 1 r 3 → the unit goes to index 1.
  EXPECT_THAT(ByWeights(7, {3, 1}), ElementsAre(5, 2));
  // 7 over {1,3}: 7/4 = 1 r 3, 21/4 = 5 r 1 → the unit goes to index 0.
  EXPECT_THAT(ByWeights(7, {1, 3}), ElementsAre(2, 5));
  // 100 over {1,2,3} (W=6): 16 r 4, 33 r 2, 50 r 0 → one unit to index 0.
  EXPECT_THAT(ByWeights(100, {1, 2, 3}), ElementsAre(17, 33, 50));
  // 1000 over 33.3333 %, 33.3333 %, 33.3334 % (millionths): 333 r 333000,
  // 333 r 333000, 333 r 334000 → the unit goes to index 2.
  EXPECT_THAT(ByWeights(1000, {333333, 333333, 333334}), ElementsAre(333, 333, 334));
  // 100 over the same: 33 r 333300, 33 r 333300, 33 r 333400 → 33, 33, 34.
  EXPECT_THAT(ByWeights(100, {333333, 333333, 333334}), ElementsAre(33, 33, 34));
}

TEST(AllocateByWeightsTest, ZeroWeightGetsNothing) {
  EXPECT_THAT(ByWeights(100, {0, 1, 1}), ElementsAre(0, 50, 50));
  EXPECT_THAT(ByWeights(101, {0, 1, 1}), ElementsAre(0, 51, 50));
  EXPECT_THAT(ByWeights(1, {0, 0, 1}), ElementsAre(0, 0, 1));
  EXPECT_THAT(ByWeights(3, {1, 0, 1, 0}), ElementsAre(2, 0, 1, 0));
}

TEST(AllocateByWeightsTest, HugeTotalsAndWeightsDoNotOverflow) {
  // INT64_MAX/2 = 4611686018427387903 over two INT64_MAX weights: the weights sum
  // past int64; each share is 2305843009213693951.5 → ...952 and ...951.
  EXPECT_THAT(ByWeights(kMax / 2, {kMax, kMax}),
              ElementsAre(2305843009213693952, 2305843009213693951));
  // INT64_MAX over {INT64_MAX, 1} (W = 2^63): (2^63-1)²/2^63 = 2^63 - 2 + 2^-63
  // → floor INT64_MAX-1 r 1; (2^63-1)/2^63 → 0 r 2^63-1, which takes the unit.
  EXPECT_THAT(ByWeights(kMax, {kMax, 1}), ElementsAre(kMax - 1, 1));
  EXPECT_THAT(ByWeights(300, {kMax, kMax, kMax}), ElementsAre(100, 100, 100));
  EXPECT_THAT(ByWeights(kMax, {1, 1}), ElementsAre(kMax / 2 + 1, kMax / 2));
  EXPECT_THAT(ByWeights(kMax, {kMax}), ElementsAre(kMax));
}

TEST(AllocateByWeightsTest, RefusesBadInputNamingIt) {
  EXPECT_THAT(InvalidArgumentMessage(AllocateByWeights(100, {}).status()),
              HasSubstr("weights are empty"));
  EXPECT_THAT(InvalidArgumentMessage(AllocateByWeights(100, {1, -2, 3}).status()),
              AllOf(HasSubstr("weight -2 (index 1) is negative"), HasSubstr(">= 0")));
  EXPECT_THAT(InvalidArgumentMessage(AllocateByWeights(100, {0, 0}).status()),
              HasSubstr("weights sum to 0"));
  EXPECT_THAT(InvalidArgumentMessage(AllocateByWeights(-5, {1, 1}).status()),
              HasSubstr("total -5 is negative"));
}

// Checks every promise of AllocateByWeights for one input: the parts sum to the
// total, each is floor(total*w/W) or one more (so within 1 of the exact share),
// and the extra units went to the largest remainders, ties to the earlier index.
void CheckAllocation(int64_t total, const std::vector<int64_t>& weights) {
  SCOPED_TRACE(testing::Message() << "total " << total << " over " << weights.size()
                                  << " weights, first " << weights[0]);
  absl::StatusOr<std::vector<int64_t>> parts = AllocateByWeights(total, weights);
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), weights.size());
  absl::int128 w_sum = 0;
  for (int64_t w : weights) w_sum += w;
  absl::int128 part_sum = 0;
  std::vector<bool> got_extra(weights.size());
  std::vector<absl::int128> remainder(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const absl::int128 product = absl::int128(total) * weights[i];
    const absl::int128 floor = product / w_sum;
    remainder[i] = product % w_sum;
    const int64_t part = (*parts)[i];
    part_sum += part;
    ASSERT_GE(part, 0);
    ASSERT_TRUE(part == floor || (part == floor + 1 && remainder[i] > 0))
        << "part " << i << " = " << part << " is not within 1 of the exact share";
    got_extra[i] = part == floor + 1;
  }
  ASSERT_TRUE(part_sum == total) << "parts do not sum to the total";
  for (std::size_t i = 0; i < weights.size(); ++i) {
    for (std::size_t j = 0; j < weights.size(); ++j) {
      if (got_extra[i] && !got_extra[j]) {
        ASSERT_TRUE(remainder[i] > remainder[j] || (remainder[i] == remainder[j] && i < j))
            << "part " << i << " got an extra unit ahead of part " << j;
      }
    }
  }
}

TEST(AllocateByWeightsTest, PropertyPartsSumToTotalAndStayWithinOneOfTheShare) {
  std::mt19937_64 rng(20240601);  // fixed seed: a failure reproduces
  auto up_to = [&](int64_t max) { return std::uniform_int_distribution<int64_t>(0, max)(rng); };
  // Magnitudes from 1 to INT64_MAX so that small, medium and huge values all occur.
  auto magnitude = [&] {
    const int64_t digits = up_to(19);
    int64_t max = 1;
    for (int64_t d = 0; d < digits && max <= kMax / 10; ++d) max *= 10;
    return digits == 19 ? kMax : max;
  };
  for (int iter = 0; iter < 3000; ++iter) {
    const std::size_t n = static_cast<std::size_t>(1 + up_to(iter % 10 == 0 ? 200 : 12));
    std::vector<int64_t> weights(n);
    const int64_t w_max = magnitude();
    for (auto& w : weights) w = up_to(w_max);
    if (up_to(3) == 0)
      weights[static_cast<std::size_t>(up_to(static_cast<int64_t>(n) - 1))] = 0;  // zero weights
    if (std::all_of(weights.begin(), weights.end(), [](int64_t w) { return w == 0; })) {
      weights[0] = 1;
    }
    const int64_t total = up_to(magnitude());
    CheckAllocation(total, weights);
    if (HasFatalFailure()) return;
  }
}

// --- AllocateEvenly ---------------------------------------------------------

TEST(AllocateEvenlyTest, FirstPartsGetTheExtraUnits) {
  EXPECT_THAT(Evenly(300000000, 3), ElementsAre(100000000, 100000000, 100000000));
  EXPECT_THAT(Evenly(10, 3), ElementsAre(4, 3, 3));
  EXPECT_THAT(Evenly(11, 3), ElementsAre(4, 4, 3));
  EXPECT_THAT(Evenly(100, 3), ElementsAre(34, 33, 33));
  EXPECT_THAT(Evenly(2, 5), ElementsAre(1, 1, 0, 0, 0));
  EXPECT_THAT(Evenly(0, 3), ElementsAre(0, 0, 0));
  EXPECT_THAT(Evenly(7, 1), ElementsAre(7));
  EXPECT_THAT(Evenly(kMax, 2), ElementsAre(kMax / 2 + 1, kMax / 2));
}

TEST(AllocateEvenlyTest, AgreesWithEqualWeights) {
  for (int64_t total :
       {int64_t{0}, int64_t{1}, int64_t{99}, int64_t{100}, int64_t{12345678}, kMax}) {
    for (int n = 1; n <= 13; ++n) {
      EXPECT_EQ(Evenly(total, n), ByWeights(total, std::vector<int64_t>(n, 1)))
          << total << " over " << n;
    }
  }
}

TEST(AllocateEvenlyTest, RefusesBadInput) {
  EXPECT_THAT(InvalidArgumentMessage(AllocateEvenly(10, 0).status()),
              AllOf(HasSubstr("0 parts"), HasSubstr(">= 1")));
  EXPECT_THAT(InvalidArgumentMessage(AllocateEvenly(10, -2).status()), HasSubstr("-2 parts"));
  EXPECT_THAT(InvalidArgumentMessage(AllocateEvenly(-10, 3).status()),
              HasSubstr("total -10 is negative"));
}

// --- Percentages --------------------------------------------------------------

int64_t Percent(const std::string& text) {
  absl::StatusOr<int64_t> v = ParsePercent(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.ok() ? *v : -1;
}

std::string PercentError(const std::string& text) {
  absl::StatusOr<int64_t> v = ParsePercent(text);
  EXPECT_FALSE(v.ok()) << text << " parsed as " << (v.ok() ? *v : 0);
  if (v.ok()) return "";
  EXPECT_THAT(InvalidArgumentMessage(v.status()), HasSubstr("\"" + text + "\""));
  return std::string(v.status().message());
}

TEST(ParsePercentTest, ParsesIntoMillionthsOfTheWhole) {
  EXPECT_EQ(kPercentScale, 1000000);
  EXPECT_EQ(Percent("12.5"), 125000);
  EXPECT_EQ(Percent("30"), 300000);
  EXPECT_EQ(Percent("33.3333"), 333333);
  EXPECT_EQ(Percent("33.3334"), 333334);
  EXPECT_EQ(Percent("99.99"), 999900);
  EXPECT_EQ(Percent("100"), 1000000);
  EXPECT_EQ(Percent("100.0000"), 1000000);
  EXPECT_EQ(Percent("0"), 0);
  EXPECT_EQ(Percent("0.0001"), 1);
  EXPECT_EQ(Percent("1"), 10000);
  EXPECT_EQ(Percent("007.5"), 75000);
}

TEST(ParsePercentTest, RefusesBadTextNamingIt) {
  EXPECT_THAT(PercentError("12.34567"), HasSubstr("more than 4 decimals"));
  EXPECT_THAT(PercentError("0.00001"), HasSubstr("more than 4 decimals"));
  EXPECT_THAT(PercentError("-1"), HasSubstr("is negative"));
  EXPECT_THAT(PercentError("-0"), HasSubstr("is negative"));
  EXPECT_THAT(PercentError("100.0001"), HasSubstr("over 100"));
  EXPECT_THAT(PercentError("101"), HasSubstr("over 100"));
  EXPECT_THAT(PercentError("100000000000000000000000"), HasSubstr("over 100"));
  EXPECT_THAT(PercentError("12.5%"), HasSubstr("unexpected character '%' at position 5"));
  EXPECT_THAT(PercentError("abc"), HasSubstr("unexpected character 'a' at position 1"));
  EXPECT_THAT(PercentError(" 5"), HasSubstr("unexpected character ' ' at position 1"));
  EXPECT_THAT(PercentError("1,5"), HasSubstr("unexpected character ',' at position 2"));
  EXPECT_THAT(PercentError("1.2.3"), HasSubstr("unexpected character '.' at position 4"));
  EXPECT_THAT(PercentError(""), HasSubstr("is empty"));
  EXPECT_THAT(PercentError(".5"), HasSubstr("no digits before the decimal point"));
  EXPECT_THAT(PercentError("5."), HasSubstr("no digits after the decimal point"));
  EXPECT_THAT(PercentError("5.x"), AllOf(HasSubstr("from 0 to 100"), HasSubstr("4 decimals")));
}

TEST(ParsePercentagesSumTo100Test, AcceptsListsThatSumToExactly100) {
  absl::StatusOr<std::vector<int64_t>> thirds =
      ParsePercentagesSumTo100({"33.3333", "33.3333", "33.3334"});
  ASSERT_TRUE(thirds.ok()) << thirds.status();
  EXPECT_THAT(*thirds, ElementsAre(333333, 333333, 333334));
  absl::StatusOr<std::vector<int64_t>> months = ParsePercentagesSumTo100({"30", "30", "40"});
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_THAT(*months, ElementsAre(300000, 300000, 400000));
  absl::StatusOr<std::vector<int64_t>> whole = ParsePercentagesSumTo100({"100"});
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_THAT(*whole, ElementsAre(1000000));
  absl::StatusOr<std::vector<int64_t>> with_zero = ParsePercentagesSumTo100({"0", "12.5", "87.5"});
  ASSERT_TRUE(with_zero.ok()) << with_zero.status();
  EXPECT_THAT(*with_zero, ElementsAre(0, 125000, 875000));
}

TEST(ParsePercentagesSumTo100Test, RefusesAnotherSumGivingIt) {
  EXPECT_THAT(
      InvalidArgumentMessage(ParsePercentagesSumTo100({"33.33", "33.33", "33.33"}).status()),
      HasSubstr("percentages sum to 99.99, not 100"));
  EXPECT_THAT(InvalidArgumentMessage(ParsePercentagesSumTo100({"50", "50.1"}).status()),
              HasSubstr("percentages sum to 100.1, not 100"));
  EXPECT_THAT(InvalidArgumentMessage(ParsePercentagesSumTo100({"60", "60"}).status()),
              HasSubstr("percentages sum to 120, not 100"));
  EXPECT_THAT(InvalidArgumentMessage(ParsePercentagesSumTo100({"99.9999"}).status()),
              HasSubstr("percentages sum to 99.9999, not 100"));
  EXPECT_THAT(InvalidArgumentMessage(ParsePercentagesSumTo100({}).status()),
              HasSubstr("percentages sum to 0, not 100"));
}

TEST(ParsePercentagesSumTo100Test, NamesWhichPercentageIsBad) {
  EXPECT_THAT(InvalidArgumentMessage(ParsePercentagesSumTo100({"40", "x", "60"}).status()),
              AllOf(HasSubstr("percentage 2 of 3"), HasSubstr("\"x\""),
                    HasSubstr("unexpected character 'x'")));
}

TEST(ParsePercentagesSumTo100Test, QuarterSplitByADistributionKeepsTheTotal) {
  // Seed 000: 3,000,000.00 per quarter split 30 / 30 / 40 over its months.
  absl::StatusOr<std::vector<int64_t>> shares = ParsePercentagesSumTo100({"30", "30", "40"});
  ASSERT_TRUE(shares.ok()) << shares.status();
  EXPECT_THAT(ByWeights(300000000, *shares), ElementsAre(90000000, 90000000, 120000000));
}

TEST(FormatPercentTest, FormatsWithoutTrailingZeros) {
  EXPECT_EQ(FormatPercent(125000), "12.5");
  EXPECT_EQ(FormatPercent(1000000), "100");
  EXPECT_EQ(FormatPercent(999900), "99.99");
  EXPECT_EQ(FormatPercent(333333), "33.3333");
  EXPECT_EQ(FormatPercent(300000), "30");
  EXPECT_EQ(FormatPercent(10000), "1");
  EXPECT_EQ(FormatPercent(1), "0.0001");
  EXPECT_EQ(FormatPercent(10), "0.001");
  EXPECT_EQ(FormatPercent(0), "0");
  EXPECT_EQ(FormatPercent(1001000), "100.1");
  EXPECT_EQ(FormatPercent(-5000), "-0.5");
  EXPECT_EQ(FormatPercent(std::numeric_limits<int64_t>::min()), "-922337203685477.5808");
}

TEST(FormatPercentTest, ParseReadsBackWhatFormatWrites) {
  for (int64_t v : {0, 1, 10, 9999, 10000, 125000, 333333, 999999, 1000000}) {
    EXPECT_EQ(Percent(FormatPercent(v)), v) << FormatPercent(v);
  }
}

}  // namespace
}  // namespace attain
