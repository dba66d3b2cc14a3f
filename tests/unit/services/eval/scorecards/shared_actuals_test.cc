// SharedActuals: planned groupings of one period and scope come from one call
// to the source however many callers ask, at once or not; the rest passes
// through; a failed batch fails every share of it.
#include "services/eval/src/scorecards/shared_actuals.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::eval {
namespace {

using ::testing::ElementsAre;

// A source whose groups say which call made them: key "<grouping>@<period>",
// sales = the call's number.
class CountingSource final : public ActualsSource {
 public:
  std::atomic<int> actuals_calls{0}, grouping_calls{0}, stats_calls{0}, stats_total_calls{0};
  absl::Status fail = absl::OkStatus();

  static std::string Key(ActualsGrouping g, const Period& p) {
    return std::to_string(static_cast<int>(g)) + "@" + p.ToString();
  }

  absl::StatusOr<std::vector<ActualsGroup>> Actuals(const std::string&,
                                                    const std::optional<Subject>&,
                                                    const Period& period,
                                                    ActualsGrouping grouping) override {
    const int n = ++actuals_calls;
    ActualsGroup g{Key(grouping, period), {}, 1};
    g.components.sales_amount = 1000 + n;
    return std::vector<ActualsGroup>{g};
  }
  absl::StatusOr<std::vector<std::vector<ActualsGroup>>> ActualsGroupings(
      const std::string&, const std::optional<Subject>&, const Period& period,
      const std::vector<ActualsGrouping>& groupings) override {
    const int n = ++grouping_calls;
    absl::SleepFor(absl::Milliseconds(20));  // long enough for the others to queue
    if (!fail.ok()) return fail;
    std::vector<std::vector<ActualsGroup>> out;
    for (ActualsGrouping g : groupings) {
      ActualsGroup group{Key(g, period), {}, 1};
      group.components.sales_amount = n;
      out.push_back({group});
    }
    return out;
  }
  absl::StatusOr<std::vector<CustomerStatsGroup>> CustomerStats(const std::string&,
                                                                const std::optional<Subject>&,
                                                                const Period&,
                                                                ActualsGrouping) override {
    ++stats_calls;
    return std::vector<CustomerStatsGroup>{CustomerStatsGroup{"alone", 1}};
  }
  absl::StatusOr<CustomerStatsWithTotal> CustomerStatsByRepWithTotal(const std::string&,
                                                                     const std::optional<Subject>&,
                                                                     const Period&) override {
    ++stats_total_calls;
    CustomerStatsWithTotal out;
    out.reps = {CustomerStatsGroup{"r1", 3}, CustomerStatsGroup{"r2", 4}};
    out.total = CustomerStatsGroup{"", 6};
    return out;
  }
  absl::StatusOr<std::vector<SpecialContribution>> SpecialContributions(
      const std::string&, const std::optional<Subject>&, const Period&) override {
    return std::vector<SpecialContribution>{};
  }
};

Period P(const std::string& s) { return *Period::Parse(s); }

const std::optional<Subject> kTeam = Subject{Subject::Kind::kUnit, "team-1"};

TEST(SharedActualsTest, PlannedGroupingsComeFromOneCall) {
  CountingSource source;
  SharedActuals shared(
      source, "acme",
      {ActualsBatch{kTeam,
                    P("2025-Q1"),
                    {ActualsGrouping::kRep, ActualsGrouping::kNone, ActualsGrouping::kRegion},
                    false},
       ActualsBatch{kTeam, P("2024-Q4"), {ActualsGrouping::kRep}, false}});
  // Eight callers at once, over the first batch's three groupings.
  std::vector<std::thread> callers;
  std::vector<std::string> keys(8);
  const ActualsGrouping asked[] = {ActualsGrouping::kRep, ActualsGrouping::kNone,
                                   ActualsGrouping::kRegion};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&, i] {
      auto got = shared.Actuals("acme", kTeam, P("2025-Q1"), asked[i % 3]);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->size(), 1u);
      EXPECT_EQ((*got)[0].components.sales_amount, 1);  // the first (and only) batched call
      keys[i] = (*got)[0].key;
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(source.grouping_calls.load(), 1);
  EXPECT_EQ(source.actuals_calls.load(), 0);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(keys[i], CountingSource::Key(asked[i % 3], P("2025-Q1")));
  }
  // The second batch: its own call.
  auto q4 = shared.Actuals("acme", kTeam, P("2024-Q4"), ActualsGrouping::kRep);
  ASSERT_TRUE(q4.ok());
  EXPECT_EQ((*q4)[0].key, CountingSource::Key(ActualsGrouping::kRep, P("2024-Q4")));
  EXPECT_EQ(source.grouping_calls.load(), 2);
}

TEST(SharedActualsTest, UnplannedPassesThrough) {
  CountingSource source;
  SharedActuals shared(source, "acme",
                       {ActualsBatch{kTeam, P("2025-Q1"), {ActualsGrouping::kRep}, false}});
  // Another grouping, period, scope (the company) or tenant: asked alone.
  ASSERT_TRUE(shared.Actuals("acme", kTeam, P("2025-Q1"), ActualsGrouping::kNone).ok());
  ASSERT_TRUE(shared.Actuals("acme", kTeam, P("2025-Q2"), ActualsGrouping::kRep).ok());
  ASSERT_TRUE(shared.Actuals("acme", std::nullopt, P("2025-Q1"), ActualsGrouping::kRep).ok());
  ASSERT_TRUE(shared
                  .Actuals("acme", Subject{Subject::Kind::kRep, "team-1"}, P("2025-Q1"),
                           ActualsGrouping::kRep)
                  .ok());
  ASSERT_TRUE(shared.Actuals("globex", kTeam, P("2025-Q1"), ActualsGrouping::kRep).ok());
  EXPECT_EQ(source.actuals_calls.load(), 5);
  EXPECT_EQ(source.grouping_calls.load(), 0);
  // Customer stats of a batch without customer_stats: asked alone too.
  ASSERT_TRUE(shared.CustomerStats("acme", kTeam, P("2025-Q1"), ActualsGrouping::kRep).ok());
  EXPECT_EQ(source.stats_calls.load(), 1);
  EXPECT_EQ(source.stats_total_calls.load(), 0);
}

TEST(SharedActualsTest, ABatchThatFailedFailsEveryShare) {
  CountingSource source;
  source.fail = absl::UnavailableError("the ingest service (attain-ingest) is unavailable");
  SharedActuals shared(
      source, "acme",
      {ActualsBatch{
          std::nullopt, P("2025-Q1"), {ActualsGrouping::kRep, ActualsGrouping::kNone}, false}});
  for (ActualsGrouping g : {ActualsGrouping::kRep, ActualsGrouping::kNone}) {
    auto got = shared.Actuals("acme", std::nullopt, P("2025-Q1"), g);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(got.status().message(), "the ingest service (attain-ingest) is unavailable");
  }
  EXPECT_EQ(source.grouping_calls.load(), 1);  // not retried per share
}

TEST(SharedActualsTest, CustomerStatsPerRepAndInTotalFromOneCall) {
  CountingSource source;
  SharedActuals shared(source, "acme",
                       {ActualsBatch{kTeam, P("2025-Q1"), {ActualsGrouping::kRep}, true}});
  auto reps = shared.CustomerStats("acme", kTeam, P("2025-Q1"), ActualsGrouping::kRep);
  auto total = shared.CustomerStats("acme", kTeam, P("2025-Q1"), ActualsGrouping::kNone);
  ASSERT_TRUE(reps.ok() && total.ok());
  std::vector<std::string> keys;
  for (const CustomerStatsGroup& g : *reps) keys.push_back(g.key);
  EXPECT_THAT(keys, ElementsAre("r1", "r2"));
  ASSERT_EQ(total->size(), 1u);
  EXPECT_EQ((*total)[0].key, "");
  EXPECT_EQ((*total)[0].active, 6);
  EXPECT_EQ(source.stats_total_calls.load(), 1);
  EXPECT_EQ(source.stats_calls.load(), 0);
}

}  // namespace
}  // namespace attain::eval
