#include "services/eval/src/domain/rank.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::eval {
namespace {

using ::testing::HasSubstr;

TEST(RankTest, CompetitionRanksWithTiesOrderedById) {
  // Given in scrambled order; c and b tie at 90.
  const std::vector<RankedEntry> r =
      *Rank({{"e", 70}, {"c", 90}, {"a", 100}, {"d", 80}, {"b", 90}}, false);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].id, "a");
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[0].gap_to_next_place, std::nullopt);
  EXPECT_EQ(r[1].id, "b");  // tie: byte order of ids
  EXPECT_EQ(r[1].rank, 2);
  EXPECT_EQ(r[1].gap_to_next_place, 10);  // 100 − 90
  EXPECT_EQ(r[2].id, "c");
  EXPECT_EQ(r[2].rank, 2);
  EXPECT_EQ(r[2].gap_to_next_place, 10);
  EXPECT_EQ(r[3].id, "d");
  EXPECT_EQ(r[3].rank, 4);                // three did better: 1224 ranking
  EXPECT_EQ(r[3].gap_to_next_place, 10);  // 90 − 80
  EXPECT_EQ(r[4].rank, 5);
}

TEST(RankTest, LowerIsBetterRanksAscending) {
  // Deal cycle days in hundredths.
  const std::vector<RankedEntry> r = *Rank({{"x", 3000}, {"z", 2000}, {"y", 2000}}, true);
  EXPECT_EQ(r[0].id, "y");
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[1].id, "z");
  EXPECT_EQ(r[1].rank, 1);
  EXPECT_EQ(r[1].gap_to_next_place, std::nullopt);
  EXPECT_EQ(r[2].id, "x");
  EXPECT_EQ(r[2].rank, 3);
  EXPECT_EQ(r[2].gap_to_next_place, 1000);  // 10 days slower than the next place
}

TEST(RankTest, TopCountRoundsUpWithAtLeastOne) {
  EXPECT_EQ(TopCount(0, 1000), 0);
  EXPECT_EQ(TopCount(1, 1000), 1);   // ceil(0.1)
  EXPECT_EQ(TopCount(4, 1000), 1);   // ceil(0.4)
  EXPECT_EQ(TopCount(10, 1000), 1);  // exactly 1
  EXPECT_EQ(TopCount(11, 1000), 2);  // ceil(1.1)
  EXPECT_EQ(TopCount(20, 1000), 2);
  EXPECT_EQ(TopCount(21, 1000), 3);
  EXPECT_EQ(TopCount(5, 0), 0);
  EXPECT_EQ(TopCount(3, 10000), 3);
}

TEST(RankTest, TopShareIncludesTiesAtTheCutOff) {
  // 10 reps, top 10 % = 1 place; two share first place, both qualify.
  std::vector<RankInput> reps = {{"r01", 500}, {"r02", 500}};
  for (int i = 3; i <= 10; ++i)
    reps.push_back({"r" + std::string(i < 10 ? "0" : "") + std::to_string(i), 100 - i});
  const std::vector<RankedEntry> r = *Rank(reps, false, 1000);
  EXPECT_TRUE(r[0].in_top_share);
  EXPECT_TRUE(r[1].in_top_share);
  EXPECT_FALSE(r[2].in_top_share);
  // 11 reps: 2 places; no ties → exactly two.
  reps.push_back({"r11", 1});
  reps[1].value = 400;
  const std::vector<RankedEntry> s = *Rank(reps, false, 1000);
  EXPECT_TRUE(s[0].in_top_share);
  EXPECT_TRUE(s[1].in_top_share);
  EXPECT_FALSE(s[2].in_top_share);
}

TEST(RankTest, RefusesBadInput) {
  EXPECT_THAT(Rank({{"a", 1}, {"a", 2}}, false).status().message(),
              HasSubstr("\"a\" is ranked twice"));
  EXPECT_EQ(Rank({{"", 1}}, false).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rank({{"a", 1}}, false, 10001).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Rank({}, false, 1000)->empty());
  EXPECT_EQ(Rank({{"a", INT64_MAX}, {"b", INT64_MIN}}, false).status().code(),
            absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace attain::eval
