// The boards computed from the rollups (services/eval/src/boards/rollup_board_store.h):
// the same values as the relay writes, the same order and ranks as Redis
// presents, and the scope rules, over a fake RollupSource.
#include "services/eval/src/boards/rollup_board_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/leaderboard.h"

namespace attain::eval {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

BoardParts Sales(int64_t amount) {
  BoardParts p{};
  p[kBoardPartSales] = amount;
  p[kBoardPartOrders] = amount == 0 ? 0 : 1;
  return p;
}

std::vector<std::string> Reps(const std::vector<BoardEntry>& entries) {
  std::vector<std::string> out;
  for (const BoardEntry& e : entries) out.push_back(e.rep_id);
  return out;
}

std::vector<int64_t> Ranks(const std::vector<BoardEntry>& entries) {
  std::vector<int64_t> out;
  for (const BoardEntry& e : entries) out.push_back(e.rank);
  return out;
}

TEST(BoardValueOfTest, AdditiveMetricsAreTheirSumWhileNotZero) {
  BoardParts p{};
  p[kBoardPartSales] = 50000;
  p[kBoardPartGrossProfit] = -300;  // a correction: negative sums stay on the board
  EXPECT_EQ(BoardValueOf(BoardMetric::kSales, p), 50000);
  EXPECT_EQ(BoardValueOf(BoardMetric::kGrossProfit, p), -300);
  EXPECT_EQ(BoardValueOf(BoardMetric::kOrders, p), std::nullopt);  // 0: not on the board
  EXPECT_EQ(BoardValueOf(BoardMetric::kVisits, p), std::nullopt);
}

TEST(BoardValueOfTest, RatiosAreFlooredBasisPoints) {
  BoardParts p{};
  p[kBoardPartCollected] = 1;
  p[kBoardPartReceivableDue] = 3;  // 10000 / 3 = 3333.3 → 3333
  p[kBoardPartWon] = 2;
  p[kBoardPartLost] = 1;  // 2 / 3 → 6666
  EXPECT_EQ(BoardValueOf(BoardMetric::kCollectionRate, p), 3333);
  EXPECT_EQ(BoardValueOf(BoardMetric::kConversion, p), 6666);
  // Collected without anything due: on the board with 0.
  BoardParts no_due{};
  no_due[kBoardPartCollected] = 500;
  EXPECT_EQ(BoardValueOf(BoardMetric::kCollectionRate, no_due), 0);
  // Negative numerators floor downwards: -1 / 3 → -3333.3 → -3334.
  BoardParts negative{};
  negative[kBoardPartCollected] = -1;
  negative[kBoardPartReceivableDue] = 3;
  EXPECT_EQ(BoardValueOf(BoardMetric::kCollectionRate, negative), -3334);
  // Neither part: not on the board.
  EXPECT_EQ(BoardValueOf(BoardMetric::kConversion, BoardParts{}), std::nullopt);
}

// The relay's incremental path fans a delta out with BoardCellSum; a rep's
// cells summed from zero are what the board holds. BoardValueOf must give the
// same value (through the relay's ratio rule) for every metric.
TEST(BoardValueOfTest, AgreesWithTheRelaysFanOut) {
  const std::vector<BoardParts> cases = [] {
    std::vector<BoardParts> out;
    BoardParts a{};
    for (int k = 0; k < kBoardPartCount; ++k) a[k] = 7 * k + 1;
    out.push_back(a);
    BoardParts b{};
    b[kBoardPartWon] = 3;
    b[kBoardPartLost] = 4;
    b[kBoardPartCollected] = 12345;
    b[kBoardPartReceivableDue] = 67890;
    out.push_back(b);
    BoardParts c{};
    c[kBoardPartSales] = -20;
    c[kBoardPartLost] = 2;
    out.push_back(c);
    return out;
  }();
  for (const BoardParts& parts : cases) {
    BoardDelta d;
    d.tenant = "t";
    d.period = "2025-01";
    d.rep = "r1";
    d.parts = parts;
    BoardCellSum sum;
    sum.Add(d);
    std::map<BoardMetric, BoardIncrement> cells;
    for (BoardIncrement& inc : sum.Take()) {
      if (inc.scope == "company") cells[inc.metric] = inc;
    }
    for (BoardMetric m : {BoardMetric::kSales, BoardMetric::kCollected, BoardMetric::kGrossProfit,
                          BoardMetric::kOrders, BoardMetric::kNewCustomers, BoardMetric::kVisits,
                          BoardMetric::kEffectiveVisits, BoardMetric::kWonOpportunities,
                          BoardMetric::kCollectionRate, BoardMetric::kConversion}) {
      SCOPED_TRACE(std::string(BoardMetricName(m)));
      auto it = cells.find(m);
      const std::optional<int64_t> value = BoardValueOf(m, parts);
      ASSERT_EQ(value.has_value(), it != cells.end());
      if (it == cells.end()) continue;
      if (!IsRatio(m)) {
        EXPECT_EQ(*value, it->second.amount);
      } else {
        const int64_t n = it->second.numerator, den = it->second.denominator;
        // The relay's Lua: math.floor(10000 * n / d) while d > 0, else 0.
        const int64_t want = den > 0 ? static_cast<int64_t>(std::floor(10000.0 * n / den)) : 0;
        EXPECT_EQ(*value, want);
      }
    }
  }
}

TEST(RankEntriesTest, ValueDescendingThenRepIdDescendingInByteOrder) {
  // Redis keeps equal scores by member in byte order; ZREVRANGE reverses it:
  // "r9" > "r10" > "r1" (and "b" > "B", "é" (0xC3…) > "z").
  const std::vector<BoardEntry> ranked = RankEntries({{0, "r1", 300},
                                                      {0, "r10", 300},
                                                      {0, "r9", 300},
                                                      {0, "a", 500},
                                                      {0, "z", 100},
                                                      {0, "\xC3\xA9", 100},
                                                      {0, "B", 100},
                                                      {0, "b", 100}});
  EXPECT_THAT(Reps(ranked), ElementsAre("a", "r9", "r10", "r1", "\xC3\xA9", "z", "b", "B"));
  EXPECT_THAT(Ranks(ranked), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
}

TEST(RangeOfTest, PagesByPosition) {
  const std::vector<BoardEntry> ranked =
      RankEntries({{0, "r1", 500}, {0, "r2", 300}, {0, "r3", 300}, {0, "r4", 100}});
  BoardRange first = RangeOf(ranked, 0, 3);
  EXPECT_EQ(first.total, 4);
  EXPECT_THAT(Reps(first.entries), ElementsAre("r1", "r3", "r2"));
  BoardRange second = RangeOf(ranked, 3, 3);
  EXPECT_EQ(second.total, 4);
  EXPECT_THAT(Reps(second.entries), ElementsAre("r4"));
  EXPECT_THAT(Ranks(second.entries), ElementsAre(4));
  EXPECT_THAT(RangeOf(ranked, 9, 3).entries, IsEmpty());
}

TEST(NeighbourhoodOfTest, AsTheRedisScriptReadsIt) {
  const std::vector<BoardEntry> ranked =
      RankEntries({{0, "r1", 500}, {0, "r2", 300}, {0, "r3", 300}, {0, "r4", 100}});
  std::optional<BoardNeighbourhood> r2 = NeighbourhoodOf(ranked, "r2", 1);
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->total, 4);
  EXPECT_EQ(r2->rep.rank, 3);
  EXPECT_THAT(Reps(r2->above), ElementsAre("r3"));
  EXPECT_THAT(Reps(r2->below), ElementsAre("r4"));
  ASSERT_TRUE(r2->next_up.has_value());
  EXPECT_EQ(r2->next_up->rep_id, "r3");
  // No neighbours asked: still the next place up, for the gap.
  std::optional<BoardNeighbourhood> r3 = NeighbourhoodOf(ranked, "r3", 0);
  ASSERT_TRUE(r3.has_value());
  EXPECT_THAT(r3->above, IsEmpty());
  EXPECT_THAT(r3->below, IsEmpty());
  ASSERT_TRUE(r3->next_up.has_value());
  EXPECT_EQ(r3->next_up->rep_id, "r1");
  // The top has no next place; neighbours stop at the ends.
  std::optional<BoardNeighbourhood> r1 = NeighbourhoodOf(ranked, "r1", 5);
  ASSERT_TRUE(r1.has_value());
  EXPECT_FALSE(r1->next_up.has_value());
  EXPECT_THAT(Reps(r1->below), ElementsAre("r3", "r2", "r4"));
  EXPECT_FALSE(NeighbourhoodOf(ranked, "r9", 1).has_value());
}

// Answers Sums from a table keyed by (unit, product line, grouping) and
// records the queries.
class FakeRollups final : public RollupSource {
 public:
  using Key = std::tuple<std::string, std::string, RollupQuery::GroupBy>;
  absl::StatusOr<std::vector<RollupGroup>> Sums(const RollupQuery& q) override {
    queries.push_back(q);
    if (!status.ok()) return status;
    auto it = groups.find({q.unit, q.product_line, q.group_by});
    if (it == groups.end()) return std::vector<RollupGroup>();
    return it->second;
  }
  std::map<Key, std::vector<RollupGroup>> groups;
  std::vector<RollupQuery> queries;
  absl::Status status;
};

constexpr auto kRep = RollupQuery::GroupBy::kRep;
constexpr auto kTeam = RollupQuery::GroupBy::kTeam;
constexpr auto kRegion = RollupQuery::GroupBy::kRegion;

BoardRef Ref(std::string scope, BoardMetric metric = BoardMetric::kSales) {
  return BoardRef{"acme", "2025-01", metric, std::move(scope)};
}

TEST(RollupBoardStoreTest, CompanyBoardSkipsRowsWithoutARepAndReposWithNothingCounted) {
  FakeRollups source;
  source.groups[{"", "", kRep}] = {{"", Sales(999)},  // rows without a rep
                                   {"r1", Sales(500)},
                                   {"r2", Sales(0)},  // cells, but they sum to 0
                                   {"r3", Sales(300)}};
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> range = store.Range(Ref("company"), 0, 20);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->total, 2);
  EXPECT_THAT(Reps(range->entries), ElementsAre("r1", "r3"));
  ASSERT_EQ(source.queries.size(), 1u);
  EXPECT_EQ(source.queries[0].tenant, "acme");
  EXPECT_EQ(source.queries[0].period, "2025-01");
}

TEST(RollupBoardStoreTest, ProductLineBoardFiltersByTheLine) {
  FakeRollups source;
  source.groups[{"", "a", kRep}] = {{"r1", Sales(100)}};
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> range = store.Range(Ref("pl:a"), 0, 20);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_THAT(Reps(range->entries), ElementsAre("r1"));
}

TEST(RollupBoardStoreTest, TeamAndRegionBoardsAreTheUnitsRowsWhenAllAreTheBoards) {
  FakeRollups source;
  source.groups[{"t1", "", kTeam}] = {{"t1", Sales(800)}};
  source.groups[{"t1", "", kRep}] = {{"r1", Sales(500)}, {"r2", Sales(300)}};
  source.groups[{"east", "", kRegion}] = {{"east", Sales(900)}};
  source.groups[{"east", "", kRep}] = {{"r1", Sales(500)}, {"r3", Sales(400)}};
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> team = store.Range(Ref("team:t1"), 0, 20);
  ASSERT_TRUE(team.ok()) << team.status();
  EXPECT_THAT(Reps(team->entries), ElementsAre("r1", "r2"));
  absl::StatusOr<std::optional<BoardNeighbourhood>> r3 =
      store.Neighbourhood(Ref("region:east"), "r3", 1);
  ASSERT_TRUE(r3.ok()) << r3.status();
  ASSERT_TRUE(r3->has_value());
  EXPECT_EQ((*r3)->rep.rank, 2);
  EXPECT_EQ((*r3)->next_up->value - (*r3)->rep.value, 100);
}

TEST(RollupBoardStoreTest, AUnitOfTheOtherKindHasAnEmptyBoard) {
  // "east" is a region: a team board named after it is empty in Redis.
  FakeRollups source;
  source.groups[{"east", "", kTeam}] = {{"t1", Sales(800)}, {"t2", Sales(100)}};
  source.groups[{"east", "", kRep}] = {{"r1", Sales(800)}, {"r3", Sales(100)}};
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> range = store.Range(Ref("team:east"), 0, 20);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->total, 0);
  absl::StatusOr<std::optional<BoardNeighbourhood>> r1 =
      store.Neighbourhood(Ref("team:east"), "r1", 1);
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(r1->has_value());
}

TEST(RollupBoardStoreTest, AMixedUnitIsUnavailableRatherThanWrong) {
  FakeRollups source;
  source.groups[{"x", "", kTeam}] = {{"t9", Sales(1)}, {"x", Sales(2)}};
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> range = store.Range(Ref("team:x"), 0, 20);
  EXPECT_EQ(range.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(range.status().message(), HasSubstr("team:x"));
}

TEST(RollupBoardStoreTest, SourceErrorsPassThrough) {
  FakeRollups source;
  source.status = absl::UnavailableError("the ingest service (attain-ingest) did not answer");
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> range = store.Range(Ref("company"), 0, 20);
  EXPECT_EQ(range.status(), source.status);
}

TEST(RollupBoardStoreTest, RatioBoardsRankTheirBasisPoints) {
  FakeRollups source;
  BoardParts half{};
  half[kBoardPartWon] = 1;
  half[kBoardPartLost] = 1;
  BoardParts third{};
  third[kBoardPartWon] = 1;
  third[kBoardPartLost] = 2;
  BoardParts lost_only{};
  lost_only[kBoardPartLost] = 4;  // on the board with 0
  source.groups[{"", "", kRep}] = {
      {"r1", third}, {"r2", half}, {"r3", lost_only}, {"r4", Sales(100)}};
  RollupBoardStore store(source);
  absl::StatusOr<BoardRange> range = store.Range(Ref("company", BoardMetric::kConversion), 0, 20);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_THAT(Reps(range->entries), ElementsAre("r2", "r1", "r3"));
  EXPECT_EQ(range->entries[0].value, 5000);
  EXPECT_EQ(range->entries[1].value, 3333);
  EXPECT_EQ(range->entries[2].value, 0);
}

}  // namespace
}  // namespace attain::eval
