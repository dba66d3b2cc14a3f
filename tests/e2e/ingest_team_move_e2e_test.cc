// End to end (attain-target + attain-ingest, real PostgreSQL and Redis): a
// rep's team move takes effect from its date. Ingest places each sale through
// the target service (TargetOrgDirectory, cached) on the sale's day, so the
// actuals by team and region and the team and region boards split the rep's
// sales at the move — also when the move is recorded after ingest has cached
// the rep.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "common/leaderboard.h"
#include "common/period.h"
#include "tests/support/ingest_stack.h"

namespace attain {
namespace {

namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kKey[] = "e2e-team-move-signing-key-0123456789abcdef";

class IngestTeamMoveE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "ingest_team_move_e2e", kKey});
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr) << "the services did not start"; }

  std::unique_ptr<tv1::OrgService::Stub> Org() {
    return tv1::OrgService::NewStub(stack_->target().NewChannel());
  }

  // Company "co" with regions "east" (team "ta") and "west" (team "tb"); reps
  // "r1" and "r2" hired into "ta" on 2020-01-01.
  void MakeOrg(const std::string& tenant) {
    auto org = Org();
    const std::string admin = stack_->Token(tenant, Role::kAdmin);
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "east", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "west", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "ta", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "tb", "west", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r1", "ta").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r2", "ta").ok());
  }

  void Move(const std::string& tenant, const std::string& rep, const std::string& team,
            const std::string& from) {
    auto org = Org();
    absl::Status st = testing::MoveRep(*org, stack_->Token(tenant, Role::kAdmin), rep, team, from);
    ASSERT_TRUE(st.ok()) << st;
  }

  // Ingests one batch; every event must be accepted.
  void Ingest(const std::string& tenant, const std::vector<iv1::Event>& events) {
    auto stub = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
    iv1::IngestBatchRequest req;
    for (const auto& e : events) *req.add_events() = e;
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    testing::Authorize(ctx, stack_->Token(tenant, Role::kCrmIngest, "crm"));
    grpc::Status st = stub->IngestBatch(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.outcomes_size(), static_cast<int>(events.size()));
    for (const auto& o : resp.outcomes()) {
      EXPECT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED) << o.ShortDebugString();
    }
  }

  // GetActuals over `period` (whole company), grouped: group key → (sales,
  // orders) for every row with a sale.
  std::map<std::string, std::pair<int64_t, int64_t>> Actuals(const std::string& tenant,
                                                             const std::string& period,
                                                             iv1::GroupBy group_by) {
    auto stub = iv1::IngestQueryService::NewStub(stack_->ingest().NewChannel());
    iv1::GetActualsRequest req;
    req.set_period(period);
    req.set_group_by(group_by);
    iv1::GetActualsResponse resp;
    grpc::ClientContext ctx;
    testing::Authorize(ctx, stack_->Token(tenant, Role::kDirector, "boss"));
    grpc::Status st = stub->GetActuals(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    for (const auto& row : resp.rows()) {
      if (row.components().order_count() == 0) continue;
      out[row.group_key()] = {row.components().sales_amount(), row.components().order_count()};
    }
    return out;
  }

  // The score of `rep` on the sales board of `scope` ("team:ta", …), once the
  // relay has applied it: waits for `want`, returns what is there.
  int64_t Board(const std::string& tenant, const std::string& period, const std::string& scope,
                const std::string& rep, int64_t want) {
    return stack_->WaitForScore(BoardKey(tenant, period, BoardMetric::kSales, scope), rep, want);
  }
  // The score as it is now (-1 = not on the board).
  int64_t BoardNow(const std::string& tenant, const std::string& period, const std::string& scope,
                   const std::string& rep) {
    return stack_->WaitForScore(BoardKey(tenant, period, BoardMetric::kSales, scope), rep, -2,
                                absl::ZeroDuration());
  }

  static testing::IngestStack* stack_;
};

testing::IngestStack* IngestTeamMoveE2eTest::stack_ = nullptr;

// r1 moves from team "ta" (region east) to "tb" (region west) from 2025-02-01,
// recorded before anything is ingested. r2 stays in "ta".
TEST_F(IngestTeamMoveE2eTest, SalesBeforeTheMoveDateCountForTheOldTeamFromItForTheNew) {
  const std::string t = "move";
  MakeOrg(t);
  Move(t, "r1", "tb", "2025-02-01");
  ASSERT_NO_FATAL_FAILURE(Ingest(t, {
                                        // r1, the day before the move: ta / east.
                                        testing::OrderEvent("m1", 1, "r1", 100000, "2025-01-31"),
                                        // r1, on the move's day and after it: tb / west.
                                        testing::OrderEvent("m2", 1, "r1", 30000, "2025-02-01"),
                                        testing::OrderEvent("m3", 1, "r1", 5000, "2025-02-14"),
                                        // r2 on the same day in ta: the move is r1's only.
                                        testing::OrderEvent("m4", 1, "r2", 700, "2025-02-01"),
                                    }));

  // Actuals: ta = 1,000.00 (m1) + 7.00 (m4); tb = 300.00 + 50.00.
  EXPECT_THAT(Actuals(t, "2025-Q1", iv1::GROUP_BY_TEAM),
              UnorderedElementsAre(Pair("ta", Pair(100700, 2)), Pair("tb", Pair(35000, 2))));
  EXPECT_THAT(Actuals(t, "2025-Q1", iv1::GROUP_BY_REGION),
              UnorderedElementsAre(Pair("east", Pair(100700, 2)), Pair("west", Pair(35000, 2))));
  EXPECT_THAT(Actuals(t, "2025-01", iv1::GROUP_BY_TEAM), ElementsAre(Pair("ta", Pair(100000, 1))));
  EXPECT_THAT(Actuals(t, "2025-02", iv1::GROUP_BY_TEAM),
              UnorderedElementsAre(Pair("ta", Pair(700, 1)), Pair("tb", Pair(35000, 2))));
  // The day of the move belongs to the new team; the day before to the old.
  EXPECT_THAT(Actuals(t, "2025-01-31", iv1::GROUP_BY_TEAM),
              ElementsAre(Pair("ta", Pair(100000, 1))));
  EXPECT_THAT(Actuals(t, "2025-02-01", iv1::GROUP_BY_TEAM),
              UnorderedElementsAre(Pair("ta", Pair(700, 1)), Pair("tb", Pair(30000, 1))));
  // The rep's own total is unchanged by the move.
  EXPECT_THAT(Actuals(t, "2025-Q1", iv1::GROUP_BY_REP),
              UnorderedElementsAre(Pair("r1", Pair(135000, 3)), Pair("r2", Pair(700, 1))));

  // The boards agree. The whole batch is one outbox entry, applied at once:
  // once one figure is there, all are.
  EXPECT_EQ(Board(t, "2025-Q1", "company", "r1", 135000), 135000);
  EXPECT_EQ(Board(t, "2025-01", "team:ta", "r1", 100000), 100000);
  EXPECT_EQ(Board(t, "2025-02", "team:tb", "r1", 35000), 35000);
  EXPECT_EQ(Board(t, "2025-Q1", "team:ta", "r1", 100000), 100000);
  EXPECT_EQ(Board(t, "2025-Q1", "team:tb", "r1", 35000), 35000);
  EXPECT_EQ(Board(t, "2025-Q1", "region:east", "r1", 100000), 100000);
  EXPECT_EQ(Board(t, "2025-Q1", "region:west", "r1", 35000), 35000);
  EXPECT_EQ(Board(t, "2025-02", "team:ta", "r2", 700), 700);
  // No February sale of r1 on the old team's or region's boards, no January
  // sale on the new ones.
  EXPECT_EQ(BoardNow(t, "2025-02", "team:ta", "r1"), -1);
  EXPECT_EQ(BoardNow(t, "2025-02", "region:east", "r1"), -1);
  EXPECT_EQ(BoardNow(t, "2025-01", "team:tb", "r1"), -1);
  EXPECT_EQ(BoardNow(t, "2025-01", "region:west", "r1"), -1);
}

// Ingest caches r1 (the rep's membership history) with a first sale; then a
// move dated two days ahead is recorded in the target service. Sales dated
// before the move still count for "ta", sales from its date for "tb" — the
// cache must not keep answering "ta, open-ended" for days after the move.
TEST_F(IngestTeamMoveE2eTest, MoveRecordedAfterIngestCachedTheRepCountsFromItsDate) {
  const std::string t = "movelater";
  MakeOrg(t);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  const absl::CivilDay yesterday = today - 1;
  const absl::CivilDay move_day = today + 2;
  auto text = [](absl::CivilDay d) { return absl::FormatCivilTime(d); };

  // The first sale makes ingest fetch and cache r1: "ta" from 2020-01-01.
  ASSERT_NO_FATAL_FAILURE(Ingest(t, {testing::OrderEvent("c1", 1, "r1", 1000, text(yesterday))}));
  EXPECT_EQ(
      Board(t, Period::Containing(PeriodKind::kYear, yesterday).ToString(), "team:ta", "r1", 1000),
      1000);

  Move(t, "r1", "tb", text(move_day));
  // Well inside the cache's lifetime (60 s), later sales of r1:
  struct Sale {
    const char* order;
    absl::CivilDay day;
    int64_t amount;
    const char* team;
    const char* region;
  };
  const std::vector<Sale> sales = {
      {"c2", move_day - 1, 20000, "ta", "east"},    // the day before the move
      {"c3", move_day, 300000, "tb", "west"},       // the move's first day
      {"c4", move_day + 5, 4000000, "tb", "west"},  // later
      {"c5", yesterday, 5, "ta", "east"},           // before, and cached
  };
  std::vector<iv1::Event> events;
  for (const Sale& s : sales)
    events.push_back(testing::OrderEvent(s.order, 1, "r1", s.amount, text(s.day)));
  ASSERT_NO_FATAL_FAILURE(Ingest(t, events));

  // Per day: the team and region each sale counts for.
  for (const Sale& s : sales) {
    SCOPED_TRACE(absl::StrCat("sale ", s.order, " on ", text(s.day)));
    const int64_t same_day_c1 = s.day == yesterday ? 1000 : 0;
    const int64_t orders = s.day == yesterday ? 2 : 1;
    EXPECT_THAT(Actuals(t, text(s.day), iv1::GROUP_BY_TEAM),
                ElementsAre(Pair(s.team, Pair(s.amount + same_day_c1, orders))));
    EXPECT_THAT(Actuals(t, text(s.day), iv1::GROUP_BY_REGION),
                ElementsAre(Pair(s.region, Pair(s.amount + same_day_c1, orders))));
  }

  // The monthly team and region boards: sums worked out from the table (the
  // days may straddle a month's end).
  std::map<std::pair<std::string, std::string>, int64_t> want;  // (month, scope) → sales
  want[{Period::Containing(PeriodKind::kMonth, yesterday).ToString(), "team:ta"}] += 1000;
  want[{Period::Containing(PeriodKind::kMonth, yesterday).ToString(), "region:east"}] += 1000;
  std::set<std::string> months;
  for (const Sale& s : sales) {
    const std::string month = Period::Containing(PeriodKind::kMonth, s.day).ToString();
    months.insert(month);
    want[{month, absl::StrCat("team:", s.team)}] += s.amount;
    want[{month, absl::StrCat("region:", s.region)}] += s.amount;
  }
  // The last sale is the largest: wait for the batch on its board first.
  const Sale& last = sales[2];
  const std::string last_month = Period::Containing(PeriodKind::kMonth, last.day).ToString();
  const int64_t last_board = want[{last_month, "team:tb"}];
  ASSERT_EQ(Board(t, last_month, "team:tb", "r1", last_board), last_board);
  for (const std::string& month : months) {
    for (const char* scope : {"team:ta", "team:tb", "region:east", "region:west"}) {
      SCOPED_TRACE(absl::StrCat(month, " ", scope));
      auto it = want.find({month, scope});
      EXPECT_EQ(BoardNow(t, month, scope, "r1"), it == want.end() ? -1 : it->second);
    }
  }
}

}  // namespace
}  // namespace attain
