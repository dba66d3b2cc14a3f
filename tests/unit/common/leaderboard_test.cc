// The leaderboard keyspace, the outbox encodings of increments and deltas, and
// the fan-out of deltas into board cells (common/leaderboard.h).
#include "common/leaderboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace attain {

// For the matchers (found by argument-dependent lookup, so not in the anonymous namespace).
bool operator==(const BoardIncrement& a, const BoardIncrement& b) {
  return a.tenant == b.tenant && a.period == b.period && a.metric == b.metric &&
         a.scope == b.scope && a.member == b.member && a.amount == b.amount &&
         a.numerator == b.numerator && a.denominator == b.denominator;
}

void PrintTo(const BoardIncrement& i, std::ostream* os) {
  *os << "{" << i.tenant << "|" << i.period << "|" << BoardMetricName(i.metric) << "|" << i.scope
      << "|" << i.member << "|" << i.amount << "|" << i.numerator << "/" << i.denominator << "}";
}

namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

BoardIncrement Add(std::string tenant, std::string period, BoardMetric metric, std::string scope,
                   std::string member, int64_t amount) {
  BoardIncrement inc;
  inc.tenant = std::move(tenant);
  inc.period = std::move(period);
  inc.metric = metric;
  inc.scope = std::move(scope);
  inc.member = std::move(member);
  inc.amount = amount;
  return inc;
}

BoardIncrement Ratio(std::string tenant, std::string period, BoardMetric metric, std::string scope,
                     std::string member, int64_t numerator, int64_t denominator) {
  BoardIncrement inc =
      Add(std::move(tenant), std::move(period), metric, std::move(scope), std::move(member), 0);
  inc.numerator = numerator;
  inc.denominator = denominator;
  return inc;
}

constexpr BoardMetric kAll[] = {
    BoardMetric::kSales,           BoardMetric::kCollected,        BoardMetric::kGrossProfit,
    BoardMetric::kOrders,          BoardMetric::kNewCustomers,     BoardMetric::kVisits,
    BoardMetric::kEffectiveVisits, BoardMetric::kWonOpportunities, BoardMetric::kCollectionRate,
    BoardMetric::kConversion,
};

TEST(BoardMetricTest, NamesRoundTripAndOnlyTwoAreRatios) {
  std::vector<std::string> names;
  int ratios = 0;
  for (BoardMetric m : kAll) {
    names.emplace_back(BoardMetricName(m));
    absl::StatusOr<BoardMetric> parsed = ParseBoardMetric(BoardMetricName(m));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, m);
    ratios += IsRatio(m) ? 1 : 0;
  }
  EXPECT_THAT(names, ::testing::ElementsAre("sales", "collected", "gross_profit", "orders",
                                            "new_customers", "visits", "effective_visits",
                                            "won_opportunities", "collection_rate", "conversion"));
  EXPECT_EQ(ratios, 2);
  EXPECT_TRUE(IsRatio(BoardMetric::kCollectionRate));
  EXPECT_TRUE(IsRatio(BoardMetric::kConversion));
  EXPECT_FALSE(IsRatio(BoardMetric::kSales));
}

TEST(BoardMetricTest, UnknownNameListsTheValidOnes) {
  absl::StatusOr<BoardMetric> m = ParseBoardMetric("Sales");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("\"Sales\""));
  EXPECT_THAT(m.status().message(), HasSubstr("sales, collected"));
}

TEST(BoardKeyTest, KeysShareTheTenantPeriodHashTag) {
  EXPECT_EQ(BoardKey("acme", "2025-W03", BoardMetric::kSales, "company"),
            "lb:{acme:2025-W03}:sales:company");
  EXPECT_EQ(BoardKey("acme", "2025-Q1", BoardMetric::kWonOpportunities, "team:t-1"),
            "lb:{acme:2025-Q1}:won_opportunities:team:t-1");
  EXPECT_EQ(BoardPartsKey("acme", "2025-01", BoardMetric::kCollectionRate, "region:east"),
            "lb:{acme:2025-01}:collection_rate:region:east:parts");
  EXPECT_EQ(BoardChannel("acme", "2025"), "lb:{acme:2025}:changed");
}

TEST(EncodeIncrementsTest, KnownText) {
  std::vector<BoardIncrement> incs = {
      Add("acme", "2025-01", BoardMetric::kSales, "team:t1", "r1", 1250000),
      Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r1", 1, 3),
      Add("acme", "2025-W03", BoardMetric::kVisits, "pl:p|1", "r%2", -2),
  };
  EXPECT_EQ(EncodeIncrements(incs),
            "lb1\n"
            "acme|2025-01|sales|team:t1|r1|1250000\n"
            "acme|2025-01|conversion|company|r1|1/3\n"
            "acme|2025-W03|visits|pl:p%7C1|r%252|-2\n");
  EXPECT_EQ(EncodeIncrements({}), "lb1\n");
}

TEST(EncodeIncrementsTest, RoundTripsAwkwardIds) {
  const std::string nasty[] = {
      "",
      "a:b:c",
      "pipe|pipe||",
      "line\nbreak\r\n",
      "100%",
      "%7C",
      std::string("nul\0byte", 8),
      "销售一部",
      "华东区:上海|浦东\n",
      "emoji 🚀",
      "tab\there",
      "\x7f",
      "bad utf8 \xff\xfe \xc0\xaf \xed\xa0\x80 \xe4\xb8",  // invalid sequences
  };
  std::vector<BoardIncrement> incs;
  int64_t v = 1;
  for (const std::string& id : nasty) {
    incs.push_back(Add(id, "2025-01", BoardMetric::kSales, "team:" + id, id, v++));
    incs.push_back(Ratio("t", id, BoardMetric::kCollectionRate, id, "m" + id, v, -v));
    ++v;
  }
  incs.push_back(Add("t", "2025", BoardMetric::kGrossProfit, "company", "r",
                     std::numeric_limits<int64_t>::min()));
  incs.push_back(Ratio("t", "2025", BoardMetric::kConversion, "company", "r",
                       std::numeric_limits<int64_t>::max(), 0));
  const std::string text = EncodeIncrements(incs);
  // One line per increment plus the version line: no id leaks a line break.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<int>(incs.size()) + 1);
  EXPECT_EQ(text.find('\0'), std::string::npos);
  EXPECT_NE(text.find("销售一部"), std::string::npos);  // readable, not escaped
  absl::StatusOr<std::vector<BoardIncrement>> back = DecodeIncrements(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, incs);
}

TEST(DecodeIncrementsTest, AcceptsAMissingFinalNewline) {
  absl::StatusOr<std::vector<BoardIncrement>> d =
      DecodeIncrements("lb1\nacme|2025|orders|company|r1|3");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0], Add("acme", "2025", BoardMetric::kOrders, "company", "r1", 3));
  d = DecodeIncrements("lb1\n");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(*d, IsEmpty());
}

TEST(DecodeIncrementsTest, RejectsMalformedText) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "expected the version line \"lb1\""},
      {"lb3\nacme|2025|sales|company|r1|1\n", "start with \"lb3\""},
      {"lb1\nacme|2025|sales|company|r1\n", "line 2: has 5 fields"},
      {"lb1\nacme|2025|sales|company|r1|1|2\n", "line 2: has 7 fields"},
      {"lb1\nacme|2025|revenue|company|r1|1\n", "metric \"revenue\" has no leaderboard"},
      {"lb1\nacme|2025|sales|company|r1|1.5\n", "value \"1.5\" of metric sales is not an integer"},
      {"lb1\nacme|2025|sales|company|r1|1/2\n", "is not an integer"},
      {"lb1\nacme|2025|conversion|company|r1|1\n", "is not <numerator>/<denominator>"},
      {"lb1\nacme|2025|conversion|company|r1|1/x\n", "is not <numerator>/<denominator>"},
      {"lb1\nacme|2025|sales|company|r1|99999999999999999999\n", "is not an integer"},
      {"lb1\nac%G1me|2025|sales|company|r1|1\n", "bad escape at \"%G1\""},
      {"lb1\nacme|2025|sales|company|r%4|1\n", "bad escape at \"%4\""},
      {"lb1\nacme|2025|sales|company|r1|1\n\nacme|2025|sales|company|r1|1\n", "line 3"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<BoardIncrement>> d = DecodeIncrements(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(d.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(MergeIncrementsTest, SumsEachCellOnceInFirstSeenOrder) {
  std::vector<BoardIncrement> merged = MergeIncrements({
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", 100),
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r2", 7),
      Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r1", 1, 1),
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", 250),
      Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r1", 0, 1),
      // Each part of the cell's key tells cells apart.
      Add("beta", "2025-01", BoardMetric::kSales, "company", "r1", 1),
      Add("acme", "2025-02", BoardMetric::kSales, "company", "r1", 2),
      Add("acme", "2025-01", BoardMetric::kOrders, "company", "r1", 3),
      Add("acme", "2025-01", BoardMetric::kSales, "team:t1", "r1", 4),
  });
  EXPECT_THAT(merged, ::testing::ElementsAre(
                          Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", 350),
                          Add("acme", "2025-01", BoardMetric::kSales, "company", "r2", 7),
                          Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r1", 1, 2),
                          Add("beta", "2025-01", BoardMetric::kSales, "company", "r1", 1),
                          Add("acme", "2025-02", BoardMetric::kSales, "company", "r1", 2),
                          Add("acme", "2025-01", BoardMetric::kOrders, "company", "r1", 3),
                          Add("acme", "2025-01", BoardMetric::kSales, "team:t1", "r1", 4)));
}

TEST(MergeIncrementsTest, DropsCellsThatCancelOut) {
  std::vector<BoardIncrement> merged = MergeIncrements({
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", 100),
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r2", 0),
      Ratio("acme", "2025-01", BoardMetric::kCollectionRate, "company", "r1", 5, 10),
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", -100),
      Ratio("acme", "2025-01", BoardMetric::kCollectionRate, "company", "r1", -5, -10),
      // A ratio cell whose numerator cancels but denominator does not stays.
      Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r3", 1, 1),
      Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r3", -1, 0),
  });
  EXPECT_THAT(merged, ::testing::ElementsAre(Ratio("acme", "2025-01", BoardMetric::kConversion,
                                                   "company", "r3", 0, 1)));
  EXPECT_THAT(MergeIncrements({}), IsEmpty());
}

BoardDelta Delta(std::string period, std::string rep, std::string team, std::string region,
                 std::string product_line, BoardParts parts) {
  return BoardDelta{"acme",
                    std::move(period),
                    std::move(rep),
                    std::move(team),
                    std::move(region),
                    std::move(product_line),
                    parts};
}

BoardParts Parts(std::initializer_list<std::pair<BoardPart, int64_t>> values) {
  BoardParts p{};
  for (const auto& [part, v] : values) p[part] = v;
  return p;
}

TEST(BoardValuesOfTest, AdditiveWhenNotZeroRatioWhenEitherPartIsNot) {
  // sales 500, won 1, lost 3: conversion 1 / (1 + 3); receivable due alone
  // makes a collection rate of 0 / 200.
  std::vector<BoardValue> v = BoardValuesOf(Parts({{kBoardPartSales, 500},
                                                   {kBoardPartWon, 1},
                                                   {kBoardPartLost, 3},
                                                   {kBoardPartReceivableDue, 200}}));
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].metric, BoardMetric::kSales);
  EXPECT_EQ(v[0].amount, 500);
  EXPECT_EQ(v[1].metric, BoardMetric::kWonOpportunities);
  EXPECT_EQ(v[1].amount, 1);
  EXPECT_EQ(v[2].metric, BoardMetric::kCollectionRate);
  EXPECT_EQ(v[2].numerator, 0);
  EXPECT_EQ(v[2].denominator, 200);
  EXPECT_EQ(v[3].metric, BoardMetric::kConversion);
  EXPECT_EQ(v[3].numerator, 1);
  EXPECT_EQ(v[3].denominator, 4);
  // won 1, lost -1: conversion 1 / 0 is still a cell (the numerator is not 0).
  v = BoardValuesOf(Parts({{kBoardPartWon, 1}, {kBoardPartLost, -1}}));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].metric, BoardMetric::kConversion);
  EXPECT_EQ(v[1].denominator, 0);
  EXPECT_THAT(BoardValuesOf(BoardParts{}), IsEmpty());
}

TEST(BoardScopesTest, CompanyThenTheNonEmptyIds) {
  EXPECT_THAT(BoardScopes("east", "t1", "p1"),
              ::testing::ElementsAre("company", "region:east", "team:t1", "pl:p1"));
  EXPECT_THAT(BoardScopes("", "t1", ""), ::testing::ElementsAre("company", "team:t1"));
  EXPECT_THAT(BoardScopes("", "", ""), ::testing::ElementsAre("company"));
}

TEST(EncodeBoardDeltasTest, KnownText) {
  std::vector<BoardDelta> deltas = {
      Delta("2025-01", "r1", "t1", "east", "", Parts({{kBoardPartSales, 1250000}})),
      Delta("2025-W03", "r%2", "t|1", "", "p1",
            Parts({{kBoardPartVisits, -2}, {kBoardPartReceivableDue, 7}})),
  };
  EXPECT_EQ(EncodeBoardDeltas(deltas),
            "lb2\n"
            "acme|2025-01|r1|t1|east||1250000|0|0|0|0|0|0|0|0|0\n"
            "acme|2025-W03|r%252|t%7C1||p1|0|0|0|0|0|-2|0|0|0|7\n");
  EXPECT_EQ(EncodeBoardDeltas({}), "lb2\n");
}

TEST(DecodeBoardChangesTest, RoundTripsDeltasAndReadsOldIncrementRows) {
  BoardDelta awkward = Delta("2025", "销售|一部\n", "%7C", "", std::string("nul\0", 4),
                             Parts({{kBoardPartGrossProfit, std::numeric_limits<int64_t>::min()},
                                    {kBoardPartLost, std::numeric_limits<int64_t>::max()}}));
  awkward.tenant = "t:1";
  const std::vector<BoardDelta> deltas = {
      awkward, Delta("2025-01", "r1", "t1", "", "", Parts({{kBoardPartOrders, 1}}))};
  absl::StatusOr<BoardChanges> back = DecodeBoardChanges(EncodeBoardDeltas(deltas));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_THAT(back->increments, IsEmpty());
  ASSERT_EQ(back->deltas.size(), 2u);
  for (size_t i = 0; i < deltas.size(); ++i) {
    const BoardDelta& a = back->deltas[i];
    const BoardDelta& b = deltas[i];
    EXPECT_EQ(std::tie(a.tenant, a.period, a.rep, a.team, a.region, a.product_line, a.parts),
              std::tie(b.tenant, b.period, b.rep, b.team, b.region, b.product_line, b.parts));
  }

  const std::vector<BoardIncrement> old = {
      Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", 5)};
  back = DecodeBoardChanges(EncodeIncrements(old));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->increments, old);
  EXPECT_THAT(back->deltas, IsEmpty());
}

TEST(DecodeBoardChangesTest, RejectsMalformedDeltas) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"lb9\n", "expected the version line \"lb1\" or \"lb2\""},
      {"lb2\nacme|2025|r1|t1|||1|0|0|0|0|0|0|0|0\n", "line 2: has 15 fields; expected 16"},
      {"lb2\nacme|2025|r1|t1|||1|0|0|0|0|0|0|0|0|0|0\n", "line 2: has 17 fields"},
      {"lb2\nacme|2025|r1|t1|||1|0|0|0|0|0|0|0|0|x\n", "part 10 \"x\" is not an integer"},
      {"lb2\nacme|2025|r%Z|t1|||1|0|0|0|0|0|0|0|0|0\n", "bad escape at \"%Z\""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<BoardChanges> d = DecodeBoardChanges(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(d.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(DecodeIncrementsTest, FansDeltasOutIntoMergedCells) {
  // r1 in team t1 (no region, no product line): sales 100 and won 1, lost 1
  // on 2025-01; a second delta for the same cells in another product line
  // adds sales 50 (its own pl:p1 board aside).
  const std::string text = EncodeBoardDeltas({
      Delta("2025-01", "r1", "t1", "", "",
            Parts({{kBoardPartSales, 100}, {kBoardPartWon, 1}, {kBoardPartLost, 1}})),
      Delta("2025-01", "r1", "t1", "", "p1", Parts({{kBoardPartSales, 50}})),
  });
  absl::StatusOr<std::vector<BoardIncrement>> d = DecodeIncrements(text);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(*d, ::testing::ElementsAre(
                      Add("acme", "2025-01", BoardMetric::kSales, "company", "r1", 150),
                      Add("acme", "2025-01", BoardMetric::kWonOpportunities, "company", "r1", 1),
                      Ratio("acme", "2025-01", BoardMetric::kConversion, "company", "r1", 1, 2),
                      Add("acme", "2025-01", BoardMetric::kSales, "team:t1", "r1", 150),
                      Add("acme", "2025-01", BoardMetric::kWonOpportunities, "team:t1", "r1", 1),
                      Ratio("acme", "2025-01", BoardMetric::kConversion, "team:t1", "r1", 1, 2),
                      Add("acme", "2025-01", BoardMetric::kSales, "pl:p1", "r1", 50)));
}

TEST(BoardCellSumTest, MergesDeltasWithIncrementsAndDropsWhatCancels) {
  BoardCellSum sum;
  sum.Add(Delta("2025", "r1", "", "", "", Parts({{kBoardPartSales, 30}, {kBoardPartOrders, 1}})));
  EXPECT_EQ(sum.size(), 2u);
  // The same cells from an old-style row, and an order cancelled.
  sum.Add(Add("acme", "2025", BoardMetric::kSales, "company", "r1", 12));
  sum.Add(Delta("2025", "r1", "", "", "", Parts({{kBoardPartOrders, -1}})));
  EXPECT_EQ(sum.size(), 2u);
  // Fields that only differ in where one ends and the next begins are different cells.
  BoardDelta shifted = Delta("2025", "r1", "", "", "", Parts({{kBoardPartSales, 1}}));
  shifted.tenant = "acme2";
  shifted.period = "025";
  sum.Add(shifted);
  EXPECT_EQ(sum.size(), 3u);
  EXPECT_THAT(sum.Take(),
              ::testing::ElementsAre(Add("acme", "2025", BoardMetric::kSales, "company", "r1", 42),
                                     Add("acme2", "025", BoardMetric::kSales, "company", "r1", 1)));
  EXPECT_EQ(sum.size(), 0u);
  EXPECT_THAT(sum.Take(), IsEmpty());
}

}  // namespace
}  // namespace attain
