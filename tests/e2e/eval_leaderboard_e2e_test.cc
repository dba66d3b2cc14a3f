// End to end: attain-target, attain-ingest and attain-eval binaries over gRPC
// with real PostgreSQL and Redis. Orders go in through ingest; the
// leaderboards come out of eval (GetLeaderboard, GetRank, WatchLeaderboard).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/leaderboard.h"
#include "common/redis.h"
#include "tests/support/board_watcher.h"
#include "tests/support/ingest_stack.h"

namespace attain {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using grpc::StatusCode;
using testing::Authorize;

constexpr char kKey[] = "e2e-eval-leaderboard-signing-key-0123456789";

using ::attain::testing::WaitFor;

ev1::Board CompanyBoard(const std::string& period, type::v1::Metric metric) {
  ev1::Board b;
  b.set_period(period);
  b.set_metric(metric);
  b.set_scope_kind(ev1::BOARD_SCOPE_KIND_COMPANY);
  return b;
}

ev1::Board SalesBoard(const std::string& period = "2025-01",
                      ev1::BoardScopeKind kind = ev1::BOARD_SCOPE_KIND_COMPANY,
                      const std::string& id = "") {
  ev1::Board b = CompanyBoard(period, type::v1::METRIC_SALES_AMOUNT);
  b.set_scope_kind(kind);
  b.set_scope_id(id);
  return b;
}

// The number of threads of process `pid` (/proc/<pid>/status "Threads:").
int ThreadsOf(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

using ::attain::testing::BoardWatcher;

class EvalLeaderboardE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_lb_e2e", kKey}, ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
  }
  static void TearDownTestSuite() { delete stack_; }

  void SetUp() override {
    ASSERT_NE(stack_, nullptr);
    eval_channel_ = stack_->eval().NewChannel();
    boards_ = ev1::LeaderboardService::NewStub(eval_channel_);
    ingest_ = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
  }

  static std::string Token(const std::string& tenant, Role role, const std::string& subject = "t",
                           const std::string& scope = "") {
    return stack_->Token(tenant, role, subject, scope);
  }

  // Company "co", region "east" with teams t1 (r1, r2) and t2 (r3, r4).
  static void MakeOrg(const std::string& tenant) {
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    const std::string admin = Token(tenant, Role::kAdmin);
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "east", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t2", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r1", "t1").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r2", "t1").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r3", "t2").ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r4", "t2").ok());
  }

  // A rep's base sales target for January 2025 (all product lines).
  static void SetSalesTarget(const std::string& tenant, const std::string& rep, int64_t base) {
    auto targets = tv1::TargetService::NewStub(stack_->target().NewChannel());
    tv1::SetTargetRequest req;
    req.set_request_id(absl::StrCat("target-", tenant, "-", rep));
    tv1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(type::v1::SCOPE_KIND_REP);
    t->mutable_scope()->set_id(rep);
    t->set_period("2025-01");
    t->set_metric(type::v1::METRIC_SALES_AMOUNT);
    t->set_base_value(base);
    t->set_currency_code("CNY");
    tv1::SetTargetResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(tenant, Role::kAdmin));
    grpc::Status st = targets->SetTarget(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Ingests one signed order of `amount` minor units on 2025-01-15.
  void Order(const std::string& tenant, const std::string& order_id, const std::string& rep,
             int64_t amount) {
    iv1::IngestBatchRequest req;
    *req.add_events() = testing::OrderEvent(order_id, 1, rep, amount, "2025-01-15");
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(tenant, Role::kCrmIngest));
    grpc::Status st = ingest_->IngestBatch(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.outcomes_size(), 1);
    ASSERT_EQ(resp.outcomes(0).outcome(), iv1::OUTCOME_ACCEPTED) << resp.outcomes(0).reason();
  }

  grpc::Status GetBoard(const std::string& token, const ev1::Board& board, int page_size,
                        const std::string& page_token, ev1::GetLeaderboardResponse* resp) {
    ev1::GetLeaderboardRequest req;
    *req.mutable_board() = board;
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    grpc::ClientContext ctx;
    if (!token.empty()) Authorize(ctx, token);
    return boards_->GetLeaderboard(&ctx, req, resp);
  }

  grpc::Status GetRank(const std::string& token, const ev1::Board& board, const std::string& rep,
                       int neighbours, ev1::GetRankResponse* resp) {
    ev1::GetRankRequest req;
    *req.mutable_board() = board;
    req.set_rep_id(rep);
    req.set_neighbours(neighbours);
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    return boards_->GetRank(&ctx, req, resp);
  }

  // Waits until the board's total of `rep` is `value` (the relay applies the
  // outbox asynchronously).
  void WaitForValue(const std::string& tenant, const ev1::Board& board, const std::string& rep,
                    int64_t value) {
    const std::string token = Token(tenant, Role::kAdmin);
    int64_t seen = -1;
    const bool ok = WaitFor(
        [&] {
          ev1::GetLeaderboardResponse resp;
          if (!GetBoard(token, board, 500, "", &resp).ok()) return false;
          for (const auto& row : resp.rows()) {
            if (row.rep_id() == rep) seen = row.value();
          }
          return seen == value;
        },
        absl::Seconds(15));
    ASSERT_TRUE(ok) << rep << " has " << seen << ", expected " << value;
  }

  static testing::IngestStack* stack_;
  std::shared_ptr<grpc::Channel> eval_channel_;
  std::unique_ptr<ev1::LeaderboardService::Stub> boards_;
  std::unique_ptr<iv1::IngestService::Stub> ingest_;
};

testing::IngestStack* EvalLeaderboardE2eTest::stack_ = nullptr;

struct RowWant {
  int64_t rank;
  std::string rep;
  int64_t value;
  int64_t target;         // -1: absent
  int64_t attainment_bp;  // -1: absent
};

void ExpectRow(const ev1::LeaderboardRow& row, const RowWant& want) {
  SCOPED_TRACE(row.DebugString());
  EXPECT_EQ(row.rank(), want.rank);
  EXPECT_EQ(row.rep_id(), want.rep);
  EXPECT_EQ(row.value(), want.value);
  EXPECT_EQ(row.has_target_value(), want.target >= 0);
  if (want.target >= 0) {
    EXPECT_EQ(row.target_value(), want.target);
  }
  EXPECT_EQ(row.has_attainment_bp(), want.attainment_bp >= 0);
  if (want.attainment_bp >= 0) {
    EXPECT_EQ(row.attainment_bp(), want.attainment_bp);
  }
}

// January 2025, tenant "lb": r1 sells 500.00, r2 and r3 300.00 each (a tie),
// r4 100.00. Targets: r1 400.00 (attainment 125.00 %), r2 900.00 (33.33 %:
// 30000 * 10000 / 90000 = 3333.3, rounded half up), r3 600.00 (50.00 %), r4 none.
// The tie r2/r3 ranks r3 first (rep id descending).
class SeededBoardTest : public EvalLeaderboardE2eTest {
 protected:
  static void SetUpTestSuite() {
    EvalLeaderboardE2eTest::SetUpTestSuite();
    if (stack_ == nullptr) return;
    MakeOrg("lb");
    SetSalesTarget("lb", "r1", 40000);
    SetSalesTarget("lb", "r2", 90000);
    SetSalesTarget("lb", "r3", 60000);
  }
  void SetUp() override {
    EvalLeaderboardE2eTest::SetUp();
    static bool seeded = false;
    if (!seeded) {
      seeded = true;
      Order("lb", "o1", "r1", 50000);
      Order("lb", "o2", "r2", 30000);
      Order("lb", "o3", "r3", 30000);
      Order("lb", "o4", "r4", 10000);
    }
    WaitForValue("lb", SalesBoard(), "r4", 10000);
    WaitForValue("lb", SalesBoard(), "r1", 50000);
  }
};

TEST_F(SeededBoardTest, TopOfTheBoardHasRanksValuesTargetsAndTieOrder) {
  ev1::GetLeaderboardResponse resp;
  grpc::Status st = GetBoard(Token("lb", Role::kDirector), SalesBoard(), 0, "", &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.total_reps(), 4);
  EXPECT_FALSE(resp.targets_unavailable());
  EXPECT_TRUE(resp.next_page_token().empty());
  ASSERT_EQ(resp.rows_size(), 4);
  ExpectRow(resp.rows(0), {1, "r1", 50000, 40000, 12500});
  ExpectRow(resp.rows(1), {2, "r3", 30000, 60000, 5000});
  ExpectRow(resp.rows(2), {3, "r2", 30000, 90000, 3333});
  ExpectRow(resp.rows(3), {4, "r4", 10000, -1, -1});
}

TEST_F(SeededBoardTest, PagesConcatenateToTheTopN) {
  const std::string token = Token("lb", Role::kAdmin);
  ev1::GetLeaderboardResponse top;
  ASSERT_TRUE(GetBoard(token, SalesBoard(), 4, "", &top).ok());
  std::vector<std::pair<int64_t, std::string>> paged;
  std::string page_token;
  int pages = 0;
  do {
    ev1::GetLeaderboardResponse page;
    grpc::Status st = GetBoard(token, SalesBoard(), 3, page_token, &page);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& row : page.rows()) paged.emplace_back(row.rank(), row.rep_id());
    page_token = page.next_page_token();
    ++pages;
  } while (!page_token.empty() && pages < 10);
  EXPECT_EQ(pages, 2);  // 3 + 1
  ASSERT_EQ(paged.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(paged[i].first, top.rows(i).rank());
    EXPECT_EQ(paged[i].second, top.rows(i).rep_id());
  }
  // A token belongs to its board.
  ev1::GetLeaderboardResponse first;
  ASSERT_TRUE(GetBoard(token, SalesBoard(), 2, "", &first).ok());
  ev1::GetLeaderboardResponse other;
  EXPECT_EQ(GetBoard(token, SalesBoard("2025-02"), 2, first.next_page_token(), &other).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(SeededBoardTest, ScopesAndPeriodsHaveTheirOwnBoards) {
  const std::string token = Token("lb", Role::kAdmin);
  ev1::GetLeaderboardResponse team;
  ASSERT_TRUE(
      GetBoard(token, SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_TEAM, "t1"), 0, "", &team).ok());
  ASSERT_EQ(team.rows_size(), 2);
  ExpectRow(team.rows(0), {1, "r1", 50000, 40000, 12500});
  ExpectRow(team.rows(1), {2, "r2", 30000, 90000, 3333});
  ev1::GetLeaderboardResponse region;
  ASSERT_TRUE(
      GetBoard(token, SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_REGION, "east"), 0, "", &region)
          .ok());
  EXPECT_EQ(region.total_reps(), 4);
  ev1::GetLeaderboardResponse line;
  ASSERT_TRUE(
      GetBoard(token, SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_PRODUCT_LINE, "a"), 0, "", &line)
          .ok());
  ASSERT_EQ(line.rows_size(), 4);
  // Product line targets are per product line: none were set for "a".
  ExpectRow(line.rows(0), {1, "r1", 50000, -1, -1});
  // 2025-01-15 is in ISO week 3; the week, quarter and year boards hold the same.
  for (const char* period : {"2025-W03", "2025-Q1", "2025"}) {
    ev1::GetLeaderboardResponse resp;
    ASSERT_TRUE(GetBoard(token, SalesBoard(period), 0, "", &resp).ok()) << period;
    ASSERT_EQ(resp.rows_size(), 4) << period;
    EXPECT_EQ(resp.rows(1).rep_id(), "r3") << period;
    EXPECT_FALSE(resp.rows(0).has_target_value()) << period;  // targets are for 2025-01
  }
  // Order counts: one each, all tied: rep id descending.
  ev1::GetLeaderboardResponse orders;
  ASSERT_TRUE(
      GetBoard(token, CompanyBoard("2025-01", type::v1::METRIC_ORDER_COUNT), 0, "", &orders).ok());
  ASSERT_EQ(orders.rows_size(), 4);
  ExpectRow(orders.rows(0), {1, "r4", 1, -1, -1});
  ExpectRow(orders.rows(3), {4, "r1", 1, -1, -1});
}

TEST_F(SeededBoardTest, RankHasNeighboursAndTheGapToTheNextPlace) {
  const std::string token = Token("lb", Role::kAdmin);
  ev1::GetRankResponse r2;
  grpc::Status st = GetRank(token, SalesBoard(), "r2", 1, &r2);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ExpectRow(r2.row(), {3, "r2", 30000, 90000, 3333});
  ASSERT_EQ(r2.above_size(), 1);
  ExpectRow(r2.above(0), {2, "r3", 30000, 60000, 5000});
  ASSERT_EQ(r2.below_size(), 1);
  ExpectRow(r2.below(0), {4, "r4", 10000, -1, -1});
  ASSERT_TRUE(r2.has_gap_to_next());
  EXPECT_EQ(r2.gap_to_next(), 0);  // tied with r3
  EXPECT_EQ(r2.total_reps(), 4);

  ev1::GetRankResponse r3;
  ASSERT_TRUE(GetRank(token, SalesBoard(), "r3", 0, &r3).ok());
  EXPECT_EQ(r3.row().rank(), 2);
  EXPECT_EQ(r3.gap_to_next(), 20000);  // 50000 - 30000
  EXPECT_EQ(r3.above_size(), 0);
  EXPECT_EQ(r3.below_size(), 0);

  ev1::GetRankResponse r1;
  ASSERT_TRUE(GetRank(token, SalesBoard(), "r1", 5, &r1).ok());
  EXPECT_EQ(r1.row().rank(), 1);
  EXPECT_FALSE(r1.has_gap_to_next());
  EXPECT_EQ(r1.above_size(), 0);
  ASSERT_EQ(r1.below_size(), 3);
  EXPECT_EQ(r1.below(2).rep_id(), "r4");

  ev1::GetRankResponse nobody;
  EXPECT_EQ(GetRank(token, SalesBoard(), "r9", 1, &nobody).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(SeededBoardTest, TargetsShowOnlyWhereTheCallerMaySeeThem) {
  // A rep sees the whole board but only their own target; an empty rep_id is
  // the rep themself.
  ev1::GetLeaderboardResponse as_rep;
  ASSERT_TRUE(GetBoard(Token("lb", Role::kRep, "r2"), SalesBoard(), 0, "", &as_rep).ok());
  ASSERT_EQ(as_rep.rows_size(), 4);
  ExpectRow(as_rep.rows(0), {1, "r1", 50000, -1, -1});
  ExpectRow(as_rep.rows(2), {3, "r2", 30000, 90000, 3333});
  ev1::GetRankResponse own;
  ASSERT_TRUE(GetRank(Token("lb", Role::kRep, "r2"), SalesBoard(), "", 1, &own).ok());
  ExpectRow(own.row(), {3, "r2", 30000, 90000, 3333});
  ExpectRow(own.above(0), {2, "r3", 30000, -1, -1});

  // The manager of t2 sees t2's reps' targets (r3), not t1's.
  ev1::GetLeaderboardResponse as_manager;
  ASSERT_TRUE(
      GetBoard(Token("lb", Role::kManager, "m2", "t2"), SalesBoard(), 0, "", &as_manager).ok());
  ASSERT_EQ(as_manager.rows_size(), 4);
  ExpectRow(as_manager.rows(0), {1, "r1", 50000, -1, -1});
  ExpectRow(as_manager.rows(1), {2, "r3", 30000, 60000, 5000});
}

TEST_F(SeededBoardTest, CallersAreAuthenticatedAndConfinedToTheirTenant) {
  ev1::GetLeaderboardResponse resp;
  EXPECT_EQ(GetBoard("", SalesBoard(), 0, "", &resp).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetBoard(Token("lb", Role::kCrmIngest), SalesBoard(), 0, "", &resp).error_code(),
            StatusCode::PERMISSION_DENIED);
  Principal forged{"lb", "x", Role::kAdmin, "", {}};
  const std::string other_key =
      *MintToken("another-signing-key-0123456789abcdef", forged, absl::Now(), absl::Hours(1));
  EXPECT_EQ(GetBoard(other_key, SalesBoard(), 0, "", &resp).error_code(),
            StatusCode::UNAUTHENTICATED);
  // Another tenant's token reads that tenant's (empty) board, never this one.
  ev1::GetLeaderboardResponse other;
  ASSERT_TRUE(GetBoard(Token("elsewhere", Role::kAdmin), SalesBoard(), 0, "", &other).ok());
  EXPECT_EQ(other.total_reps(), 0);
  EXPECT_EQ(other.rows_size(), 0);
  ev1::GetRankResponse rank;
  EXPECT_EQ(GetRank(Token("elsewhere", Role::kAdmin), SalesBoard(), "r1", 0, &rank).error_code(),
            StatusCode::NOT_FOUND);
  // The stream checks the same.
  ev1::WatchLeaderboardRequest req;
  *req.mutable_board() = SalesBoard();
  BoardWatcher anonymous(*boards_, "", req);
  ASSERT_TRUE(anonymous.WaitDone(absl::Seconds(10)));
  EXPECT_EQ(anonymous.status().error_code(), StatusCode::UNAUTHENTICATED);
  BoardWatcher ingester(*boards_, Token("lb", Role::kCrmIngest), req);
  ASSERT_TRUE(ingester.WaitDone(absl::Seconds(10)));
  EXPECT_EQ(ingester.status().error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(anonymous.count() + ingester.count(), 0u);
}

TEST_F(SeededBoardTest, BadBoardsAreInvalidArguments) {
  const std::string token = Token("lb", Role::kAdmin);
  ev1::GetLeaderboardResponse resp;
  for (const char* period : {"2025-13", "2025-01-15", ""}) {
    grpc::Status st = GetBoard(token, SalesBoard(period), 0, "", &resp);
    EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT) << period;
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr("board.period"));
  }
  EXPECT_EQ(GetBoard(token, CompanyBoard("2025-01", type::v1::METRIC_CHURN_RATE), 0, "", &resp)
                .error_code(),
            StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetBoard(token, SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_TEAM, ""), 0, "", &resp)
                .error_code(),
            StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetBoard(token, SalesBoard(), -1, "", &resp).error_code(),
            StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetBoard(token, SalesBoard(), 0, "garbage", &resp).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

// Watches: the first message is the current board; an ingested order shows
// within a bounded time; a burst of ingests is coalesced (at most one message
// per 100 ms).
TEST_F(EvalLeaderboardE2eTest, WatchSendsTheBoardThenCoalescedUpdates) {
  MakeOrg("watch");
  Order("watch", "w1", "r1", 10000);
  WaitForValue("watch", SalesBoard(), "r1", 10000);
  ev1::WatchLeaderboardRequest req;
  *req.mutable_board() = SalesBoard();
  req.set_top_n(10);
  BoardWatcher watcher(*boards_, Token("watch", Role::kRep, "r2"), req);
  ASSERT_TRUE(WaitFor([&] { return watcher.count() >= 1; }, absl::Seconds(10)));
  {
    const auto first = watcher.received()[0].snapshot;
    ASSERT_EQ(first.rows_size(), 1);
    EXPECT_EQ(first.rows(0).rep_id(), "r1");
    EXPECT_EQ(first.rows(0).value(), 10000);
    EXPECT_EQ(first.total_reps(), 1);
  }

  const absl::Time sent = absl::Now();
  Order("watch", "w2", "r2", 20000);
  ASSERT_TRUE(WaitFor([&] { return watcher.LatestValue("r2") == 20000; }, absl::Seconds(5)));
  const absl::Duration latency = absl::Now() - sent;
  std::printf("update latency after ingest ack: %.0f ms\n", absl::ToDoubleMilliseconds(latency));
  {
    const auto latest = watcher.received().back().snapshot;
    ASSERT_EQ(latest.rows_size(), 2);
    EXPECT_EQ(latest.rows(0).rep_id(), "r2");  // 20000 > 10000
    EXPECT_EQ(latest.rows(0).rank(), 1);
    EXPECT_EQ(latest.rows(1).rank(), 2);
  }

  // A burst: 40 orders of 1.00 for r3, one call each, as fast as ingest takes them.
  const size_t before = watcher.count();
  const absl::Time burst_start = absl::Now();
  for (int i = 0; i < 40; ++i) Order("watch", absl::StrCat("b", i), "r3", 100);
  ASSERT_TRUE(WaitFor([&] { return watcher.LatestValue("r3") == 4000; }, absl::Seconds(10)));
  absl::SleepFor(absl::Milliseconds(300));  // let any trailing message arrive
  const auto all = watcher.received();
  const absl::Duration span = all.back().at - burst_start;
  const size_t burst_messages = all.size() - before;
  absl::Duration min_gap = absl::InfiniteDuration();
  for (size_t i = before + 1; i < all.size(); ++i)
    min_gap = std::min(min_gap, all[i].at - all[i - 1].at);
  std::printf("burst: 40 ingests in %.0f ms -> %zu messages (min gap %.0f ms)\n",
              absl::ToDoubleMilliseconds(span), burst_messages,
              absl::ToDoubleMilliseconds(min_gap));
  EXPECT_LE(static_cast<double>(burst_messages), span / absl::Milliseconds(100) + 1);
  EXPECT_LT(burst_messages, 40u);
  // Every message is a different board: unchanged reloads are not sent.
  auto content = [](ev1::WatchLeaderboardResponse snapshot) {
    snapshot.clear_read_time();
    return snapshot.SerializeAsString();
  };
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_NE(content(all[i].snapshot), content(all[i - 1].snapshot)) << i;
  }
}

// 200 watchers of one board on one process: all get the board and the next
// change, and the server does not add a thread per stream.
TEST_F(EvalLeaderboardE2eTest, ManyWatchersHoldNoThreadEach) {
  MakeOrg("many");
  Order("many", "m1", "r1", 10000);
  WaitForValue("many", SalesBoard(), "r1", 10000);
  const pid_t pid = stack_->eval().pid();
  const int threads_before = ThreadsOf(pid);
  ev1::WatchLeaderboardRequest req;
  *req.mutable_board() = SalesBoard();
  const std::string token = Token("many", Role::kDirector);
  constexpr int kWatchers = 200;
  std::vector<std::unique_ptr<BoardWatcher>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    watchers.push_back(std::make_unique<BoardWatcher>(*boards_, token, req));
  }
  auto all_see = [&](const std::string& rep, int64_t value) {
    for (auto& w : watchers) {
      if (w->LatestValue(rep) != value) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor([&] { return all_see("r1", 10000); }, absl::Seconds(20)));
  const int threads_with = ThreadsOf(pid);
  const absl::Time sent = absl::Now();
  Order("many", "m2", "r2", 30000);
  ASSERT_TRUE(WaitFor([&] { return all_see("r2", 30000); }, absl::Seconds(10)));
  const absl::Duration latency = absl::Now() - sent;
  std::printf("threads of attain-eval: %d before, %d with %d watchers; all updated in %.0f ms\n",
              threads_before, threads_with, kWatchers, absl::ToDoubleMilliseconds(latency));
  EXPECT_LT(threads_with - threads_before, 20);
  for (auto& w : watchers) EXPECT_EQ(w->received().back().snapshot.rows(0).rep_id(), "r2");
}

// A client that never reads does not hold up the others watching the same
// board: they keep receiving snapshots and see the last change promptly.
// (The board is written straight into Redis, in the relay's keyspace, so that
// snapshots are large and frequent enough to fill the stalled stream's window.)
TEST_F(EvalLeaderboardE2eTest, AStalledWatcherDoesNotDelayTheOthers) {
  absl::StatusOr<RedisClient::Options> opts = RedisClient::ParseUrl(stack_->redis_url());
  ASSERT_TRUE(opts.ok());
  RedisClient redis(*opts);
  const std::string key = BoardKey("slow", "2025-01", BoardMetric::kSales, "company");
  const std::string channel = BoardChannel("slow", "2025-01");
  std::vector<std::string> zadd = {"ZADD", key};
  for (int i = 0; i < 100; ++i) {
    zadd.push_back(absl::StrCat(1000 + i));
    zadd.push_back(absl::StrCat("rep-with-a-long-identifier-to-make-snapshots-large-", 100 + i));
  }
  ASSERT_TRUE(redis.Command(zadd).ok());

  ev1::WatchLeaderboardRequest req;
  *req.mutable_board() = SalesBoard();
  req.set_top_n(100);
  const std::string token = Token("slow", Role::kAdmin);
  // The stalled client: a synchronous stream that is never read.
  grpc::ClientContext stalled_ctx;
  stalled_ctx.AddMetadata("authorization", "Bearer " + token);
  std::unique_ptr<grpc::ClientReader<ev1::WatchLeaderboardResponse>> stalled =
      boards_->WatchLeaderboard(&stalled_ctx, req);
  BoardWatcher reader(*boards_, token, req);
  ASSERT_TRUE(WaitFor([&] { return reader.count() >= 1; }, absl::Seconds(10)));

  const std::string leader = "rep-with-a-long-identifier-to-make-snapshots-large-100";
  int64_t score = 1000;
  for (int i = 0; i < 60; ++i) {
    score += 1000;
    ASSERT_TRUE(redis.Command({"ZADD", key, absl::StrCat(score), leader}).ok());
    ASSERT_TRUE(redis.Command({"PUBLISH", channel, absl::StrCat(i)}).ok());
    absl::SleepFor(absl::Milliseconds(50));
  }
  const absl::Time last = absl::Now();
  ASSERT_TRUE(WaitFor([&] { return reader.LatestValue(leader) == score; }, absl::Seconds(3)));
  std::printf("reader: %zu snapshots; last change seen after %.0f ms\n", reader.count(),
              absl::ToDoubleMilliseconds(absl::Now() - last));
  EXPECT_GE(reader.count(), 10u);
  stalled_ctx.TryCancel();
  EXPECT_EQ(stalled->Finish().error_code(), StatusCode::CANCELLED);
}

// Redis down, reads that allow the rollups (allow_rollups): the board is
// computed from ingest's rollups and is the same as the live one was.
//
// January 2025, tenant "fb"; region east with teams t1 (r1, r2) and t2 (r3, r4,
// r5). Orders on 2025-01-15: r1 500.00 (line a), r2 300.00 (a), r3 300.00 (b),
// r4 100.00 (a) + 200.00 (b) = 300.00, r5 400.00 (a) then cancelled (its
// rollup cells stay, summing to 0: on no sales board). Sales board: r1 500.00,
// then the three-way tie at 300.00 by rep id descending: r4, r3, r2. Targets
// (all lines): r1 400.00 (125.00 %), r2 900.00 (33.33 %), r3 600.00 (50.00 %);
// r3 on line b: 200.00 (300.00 / 200.00 = 150.00 %).
class RollupsFallbackTest : public EvalLeaderboardE2eTest {
 protected:
  struct BoardCase {
    std::string name;
    std::string token;
    ev1::GetLeaderboardRequest request;
  };
  struct RankCase {
    std::string name;
    std::string token;
    ev1::GetRankRequest request;
  };

  static void SetUpTestSuite() {
    EvalLeaderboardE2eTest::SetUpTestSuite();
    if (stack_ == nullptr) return;
    MakeOrg("fb");
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    ASSERT_TRUE(testing::CreateRep(*org, Token("fb", Role::kAdmin), "r5", "t2").ok());
    {
      tv1::CreateProductLineRequest req;
      req.set_request_id("fb-line-b");
      req.set_product_line_id("b");
      req.set_name("line b");
      tv1::CreateProductLineResponse resp;
      grpc::ClientContext ctx;
      Authorize(ctx, Token("fb", Role::kAdmin));
      grpc::Status st = org->CreateProductLine(&ctx, req, &resp);
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
    SetSalesTarget("fb", "r1", 40000);
    SetSalesTarget("fb", "r2", 90000);
    SetSalesTarget("fb", "r3", 60000);
    SetTarget("fb", "r3", "b", 20000);
  }

  void SetUp() override {
    EvalLeaderboardE2eTest::SetUp();
    if (seeded_) {
      ASSERT_TRUE(ready_) << "seeding the boards failed (see the first test)";
      return;
    }
    seeded_ = true;
    Orders({testing::OrderEvent("o1", 1, "r1", 50000, "2025-01-15"),
            testing::OrderEvent("o2", 1, "r2", 30000, "2025-01-15"),
            OnLine(testing::OrderEvent("o3", 1, "r3", 30000, "2025-01-15"), "b"),
            testing::OrderEvent("o4", 1, "r4", 10000, "2025-01-15"),
            OnLine(testing::OrderEvent("o5", 1, "r4", 20000, "2025-01-15"), "b"),
            testing::OrderEvent("o6", 1, "r5", 40000, "2025-01-15")});
    WaitForValue("fb", SalesBoard(), "r1", 50000);
    WaitForValue("fb", SalesBoard(), "r4", 30000);
    WaitForValue("fb", SalesBoard(), "r5", 40000);
    iv1::Event cancel = testing::OrderEvent("o6", 2, "r5", 40000, "2025-01-15");
    cancel.mutable_order()->set_status(iv1::ORDER_STATUS_CANCELLED);
    Orders({cancel});
    const std::string admin = Token("fb", Role::kAdmin);
    ASSERT_TRUE(WaitFor(
        [&] {
          ev1::GetLeaderboardResponse resp;
          return GetBoard(admin, SalesBoard(), 0, "", &resp).ok() && resp.total_reps() == 4;
        },
        absl::Seconds(15)));

    // The live answers, then the outage.
    for (const BoardCase& c : BoardCases()) {
      ev1::GetLeaderboardResponse resp;
      grpc::Status st = Read(c, false, &resp);
      ASSERT_TRUE(st.ok()) << c.name << ": " << st.error_message();
      EXPECT_EQ(resp.source(), ev1::BOARD_SOURCE_LIVE) << c.name;
      (*live_boards_)[c.name] = resp;
    }
    for (const RankCase& c : RankCases()) {
      ev1::GetRankResponse resp;
      grpc::Status st = Read(c, false, &resp);
      ASSERT_TRUE(st.ok()) << c.name << ": " << st.error_message();
      EXPECT_EQ(resp.source(), ev1::BOARD_SOURCE_LIVE) << c.name;
      (*live_ranks_)[c.name] = resp;
    }
    stack_->redis().Stop();
    ready_ = true;
  }

  static void SetTarget(const std::string& tenant, const std::string& rep,
                        const std::string& product_line, int64_t base) {
    auto targets = tv1::TargetService::NewStub(stack_->target().NewChannel());
    tv1::SetTargetRequest req;
    req.set_request_id(absl::StrCat("target-", tenant, "-", rep, "-", product_line));
    tv1::TargetInput* t = req.mutable_target();
    t->mutable_scope()->set_kind(type::v1::SCOPE_KIND_REP);
    t->mutable_scope()->set_id(rep);
    t->set_product_line_id(product_line);
    t->set_period("2025-01");
    t->set_metric(type::v1::METRIC_SALES_AMOUNT);
    t->set_base_value(base);
    t->set_currency_code("CNY");
    tv1::SetTargetResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token(tenant, Role::kAdmin));
    grpc::Status st = targets->SetTarget(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static iv1::Event OnLine(iv1::Event e, const std::string& product_line) {
    e.mutable_order()->set_product_line_id(product_line);
    return e;
  }

  void Orders(const std::vector<iv1::Event>& events) {
    iv1::IngestBatchRequest req;
    for (const iv1::Event& e : events) *req.add_events() = e;
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, Token("fb", Role::kCrmIngest));
    grpc::Status st = ingest_->IngestBatch(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& o : resp.outcomes()) {
      ASSERT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED) << o.reason();
    }
  }

  static std::vector<BoardCase> BoardCases() {
    const std::string admin = Token("fb", Role::kAdmin);
    auto board = [&](std::string name, ev1::Board b, int page_size = 0,
                     std::string token = "") -> BoardCase {
      BoardCase c{std::move(name), token.empty() ? admin : std::move(token), {}};
      *c.request.mutable_board() = std::move(b);
      c.request.set_page_size(page_size);
      return c;
    };
    return {
        board("company", SalesBoard()),
        board("company, first page of 2", SalesBoard(), 2),
        board("team t1", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_TEAM, "t1")),
        board("team t2", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_TEAM, "t2")),
        board("region east", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_REGION, "east")),
        board("product line a", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_PRODUCT_LINE, "a")),
        board("product line b", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_PRODUCT_LINE, "b")),
        board("a team board named after a region",
              SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_TEAM, "east")),
        board("order count", CompanyBoard("2025-01", type::v1::METRIC_ORDER_COUNT)),
        board("new customers", CompanyBoard("2025-01", type::v1::METRIC_NEW_CUSTOMERS)),
        board("gross profit, week", CompanyBoard("2025-W03", type::v1::METRIC_GROSS_PROFIT)),
        board("sales, quarter", SalesBoard("2025-Q1")),
        board("an empty month", SalesBoard("2025-02")),
        board("as rep r2", SalesBoard(), 0, Token("fb", Role::kRep, "r2")),
        board("as the manager of t2", SalesBoard(), 0, Token("fb", Role::kManager, "m2", "t2")),
        board("as the manager of t2, line b",
              SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_PRODUCT_LINE, "b"), 0,
              Token("fb", Role::kManager, "m2", "t2")),
    };
  }

  static std::vector<RankCase> RankCases() {
    const std::string admin = Token("fb", Role::kAdmin);
    auto rank = [&](std::string name, ev1::Board b, std::string rep, int neighbours,
                    std::string token = "") -> RankCase {
      RankCase c{std::move(name), token.empty() ? admin : std::move(token), {}};
      *c.request.mutable_board() = std::move(b);
      c.request.set_rep_id(std::move(rep));
      c.request.set_neighbours(neighbours);
      return c;
    };
    return {
        rank("r2 in a tie, 1 around", SalesBoard(), "r2", 1),
        rank("r3 in a tie, 2 around", SalesBoard(), "r3", 2),
        rank("r4 first of a tie, none around", SalesBoard(), "r4", 0),
        rank("r1 on top", SalesBoard(), "r1", 5),
        rank("r4 in team t2", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_TEAM, "t2"), "r4", 1),
        rank("r3 on line b", SalesBoard("2025-01", ev1::BOARD_SCOPE_KIND_PRODUCT_LINE, "b"), "r3",
             1),
        rank("r2's own, as rep r2", SalesBoard(), "", 1, Token("fb", Role::kRep, "r2")),
        rank("r3 as the manager of t2", SalesBoard(), "r3", 1,
             Token("fb", Role::kManager, "m2", "t2")),
    };
  }

  grpc::Status Read(const BoardCase& c, bool allow_rollups, ev1::GetLeaderboardResponse* resp) {
    ev1::GetLeaderboardRequest req = c.request;
    req.set_allow_rollups(allow_rollups);
    grpc::ClientContext ctx;
    Authorize(ctx, c.token);
    return boards_->GetLeaderboard(&ctx, req, resp);
  }

  grpc::Status Read(const RankCase& c, bool allow_rollups, ev1::GetRankResponse* resp) {
    ev1::GetRankRequest req = c.request;
    req.set_allow_rollups(allow_rollups);
    grpc::ClientContext ctx;
    Authorize(ctx, c.token);
    return boards_->GetRank(&ctx, req, resp);
  }

  // A response without what differs between two reads of the same board.
  template <typename Response>
  static std::string Content(Response resp) {
    resp.clear_read_time();
    resp.clear_source();
    return resp.DebugString();
  }

  static bool seeded_;
  static bool ready_;
  static std::map<std::string, ev1::GetLeaderboardResponse>* live_boards_;
  static std::map<std::string, ev1::GetRankResponse>* live_ranks_;
};

bool RollupsFallbackTest::seeded_ = false;
bool RollupsFallbackTest::ready_ = false;
std::map<std::string, ev1::GetLeaderboardResponse>* RollupsFallbackTest::live_boards_ =
    new std::map<std::string, ev1::GetLeaderboardResponse>();
std::map<std::string, ev1::GetRankResponse>* RollupsFallbackTest::live_ranks_ =
    new std::map<std::string, ev1::GetRankResponse>();

TEST_F(RollupsFallbackTest, TheLiveBoardsWereTheWorkedOutOnes) {
  const auto& company = live_boards_->at("company");
  EXPECT_EQ(company.total_reps(), 4);
  ASSERT_EQ(company.rows_size(), 4);
  ExpectRow(company.rows(0), {1, "r1", 50000, 40000, 12500});
  ExpectRow(company.rows(1), {2, "r4", 30000, -1, -1});
  ExpectRow(company.rows(2), {3, "r3", 30000, 60000, 5000});
  ExpectRow(company.rows(3), {4, "r2", 30000, 90000, 3333});
  const auto& line_b = live_boards_->at("product line b");
  ASSERT_EQ(line_b.rows_size(), 2);
  ExpectRow(line_b.rows(0), {1, "r3", 30000, 20000, 15000});
  ExpectRow(line_b.rows(1), {2, "r4", 20000, -1, -1});
  const auto& team_t2 = live_boards_->at("team t2");
  ASSERT_EQ(team_t2.rows_size(), 2);  // not r5: cancelled
  EXPECT_EQ(team_t2.rows(0).rep_id(), "r4");
  EXPECT_EQ(live_boards_->at("a team board named after a region").total_reps(), 0);
  const auto& as_rep = live_boards_->at("as rep r2");
  EXPECT_FALSE(as_rep.rows(0).has_target_value());
  ExpectRow(as_rep.rows(3), {4, "r2", 30000, 90000, 3333});
  const auto& r2 = live_ranks_->at("r2 in a tie, 1 around");
  EXPECT_EQ(r2.gap_to_next(), 0);
  EXPECT_EQ(r2.above(0).rep_id(), "r3");
  EXPECT_EQ(live_ranks_->at("r4 first of a tie, none around").gap_to_next(), 20000);
}

TEST_F(RollupsFallbackTest, WithoutTheFlagReadsAreUnavailablePromptly) {
  for (int i = 0; i < 3; ++i) {  // broken connections first, then refused ones
    const BoardCase c = BoardCases()[0];
    ev1::GetLeaderboardResponse resp;
    const absl::Time start = absl::Now();
    grpc::Status st = Read(c, false, &resp);
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(st.error_code(), StatusCode::UNAVAILABLE) << st.error_message();
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr("Redis"));
    EXPECT_LT(took, absl::Seconds(2));
  }
  const RankCase c = RankCases()[0];
  ev1::GetRankResponse rank;
  const absl::Time start = absl::Now();
  EXPECT_EQ(Read(c, false, &rank).error_code(), StatusCode::UNAVAILABLE);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(RollupsFallbackTest, BoardsFromTheRollupsAreTheLiveBoards) {
  for (const BoardCase& c : BoardCases()) {
    SCOPED_TRACE(c.name);
    ev1::GetLeaderboardResponse resp;
    const absl::Time start = absl::Now();
    grpc::Status st = Read(c, true, &resp);
    const absl::Duration took = absl::Now() - start;
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.source(), ev1::BOARD_SOURCE_ROLLUPS);
    EXPECT_FALSE(resp.targets_unavailable());
    EXPECT_EQ(Content(resp), Content(live_boards_->at(c.name)));
    EXPECT_LT(took, absl::Seconds(5));
    std::printf("%s from the rollups: %zu rows in %.0f ms\n", c.name.c_str(),
                static_cast<size_t>(resp.rows_size()), absl::ToDoubleMilliseconds(took));
  }
}

TEST_F(RollupsFallbackTest, RanksFromTheRollupsAreTheLiveRanks) {
  for (const RankCase& c : RankCases()) {
    SCOPED_TRACE(c.name);
    ev1::GetRankResponse resp;
    grpc::Status st = Read(c, true, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.source(), ev1::BOARD_SOURCE_ROLLUPS);
    EXPECT_EQ(Content(resp), Content(live_ranks_->at(c.name)));
  }
  // Reps not on the board: r5 (its order was cancelled) and a stranger.
  for (const char* rep : {"r5", "r9"}) {
    RankCase c = RankCases()[0];
    c.request.set_rep_id(rep);
    ev1::GetRankResponse resp;
    EXPECT_EQ(Read(c, true, &resp).error_code(), StatusCode::NOT_FOUND) << rep;
  }
}

TEST_F(RollupsFallbackTest, APageTokenOfTheLiveBoardContinuesOnTheRollups) {
  const ev1::GetLeaderboardResponse& first = live_boards_->at("company, first page of 2");
  ASSERT_FALSE(first.next_page_token().empty());
  BoardCase c = BoardCases()[1];
  c.request.set_page_token(first.next_page_token());
  ev1::GetLeaderboardResponse second;
  grpc::Status st = Read(c, true, &second);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(second.source(), ev1::BOARD_SOURCE_ROLLUPS);
  ASSERT_EQ(second.rows_size(), 2);
  ExpectRow(second.rows(0), {3, "r3", 30000, 60000, 5000});
  ExpectRow(second.rows(1), {4, "r2", 30000, 90000, 3333});
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(RollupsFallbackTest, RolesAreCheckedAsForTheLiveBoard) {
  BoardCase c = BoardCases()[0];
  ev1::GetLeaderboardResponse resp;
  c.token = Token("fb", Role::kCrmIngest);
  EXPECT_EQ(Read(c, true, &resp).error_code(), StatusCode::PERMISSION_DENIED);
  c.token = "";
  grpc::ClientContext ctx;
  ev1::GetLeaderboardRequest req = c.request;
  req.set_allow_rollups(true);
  EXPECT_EQ(boards_->GetLeaderboard(&ctx, req, &resp).error_code(), StatusCode::UNAUTHENTICATED);
  // Another tenant reads its own (empty) board from the rollups too.
  c.token = Token("elsewhere", Role::kAdmin);
  ASSERT_TRUE(Read(c, true, &resp).ok());
  EXPECT_EQ(resp.total_reps(), 0);
  EXPECT_EQ(resp.source(), ev1::BOARD_SOURCE_ROLLUPS);
}

// Redis down: reads fail with UNAVAILABLE promptly, and recover with it.
class EvalRedisOutageE2eTest : public ::testing::Test {};

TEST_F(EvalRedisOutageE2eTest, ReadsAnswerUnavailableWhileRedisIsDown) {
  absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
      {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_outage_e2e", kKey}, ATTAIN_EVAL_BINARY);
  ASSERT_TRUE(stack.ok()) << stack.status();
  auto boards = ev1::LeaderboardService::NewStub((*stack)->eval().NewChannel());
  const std::string token = (*stack)->Token("down", Role::kAdmin, "t");
  auto get = [&](ev1::GetLeaderboardResponse* resp) {
    ev1::GetLeaderboardRequest req;
    *req.mutable_board() = SalesBoard();
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    return boards->GetLeaderboard(&ctx, req, resp);
  };
  ev1::GetLeaderboardResponse resp;
  ASSERT_TRUE(get(&resp).ok());

  (*stack)->redis().Stop();
  for (int i = 0; i < 2; ++i) {  // a broken connection, then a refused one
    const absl::Time start = absl::Now();
    grpc::Status st = get(&resp);
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(st.error_code(), StatusCode::UNAVAILABLE) << st.error_message();
    EXPECT_LT(took, absl::Seconds(2));
    std::printf("GetLeaderboard with Redis down: %s in %.0f ms\n", st.error_message().c_str(),
                absl::ToDoubleMilliseconds(took));
  }
  ev1::GetRankRequest rank_req;
  *rank_req.mutable_board() = SalesBoard();
  rank_req.set_rep_id("r1");
  ev1::GetRankResponse rank;
  grpc::ClientContext rank_ctx;
  Authorize(rank_ctx, token);
  EXPECT_EQ(boards->GetRank(&rank_ctx, rank_req, &rank).error_code(), StatusCode::UNAVAILABLE);
  ev1::WatchLeaderboardRequest watch_req;
  *watch_req.mutable_board() = SalesBoard();
  BoardWatcher watcher(*boards, token, watch_req);
  ASSERT_TRUE(watcher.WaitDone(absl::Seconds(5)));
  EXPECT_EQ(watcher.status().error_code(), StatusCode::UNAVAILABLE);

  (*stack)->redis().Start();
  EXPECT_TRUE(WaitFor([&] { return get(&resp).ok(); }, absl::Seconds(10)));
}

// Redis and ingest both down: a read that allows the rollups is UNAVAILABLE
// too, promptly, naming both.
TEST_F(EvalRedisOutageE2eTest, WithRedisAndIngestDownTheRollupsCannotHelp) {
  absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
      {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "eval_outage2_e2e", kKey}, ATTAIN_EVAL_BINARY);
  ASSERT_TRUE(stack.ok()) << stack.status();
  auto boards = ev1::LeaderboardService::NewStub((*stack)->eval().NewChannel());
  const std::string token = (*stack)->Token("down", Role::kAdmin, "t");
  (*stack)->redis().Stop();
  {
    // Ingest up: the (empty) board from the rollups.
    ev1::GetLeaderboardRequest req;
    *req.mutable_board() = SalesBoard();
    req.set_allow_rollups(true);
    ev1::GetLeaderboardResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    grpc::Status st = boards->GetLeaderboard(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.source(), ev1::BOARD_SOURCE_ROLLUPS);
  }
  (*stack)->ingest().Terminate();
  for (int i = 0; i < 2; ++i) {
    ev1::GetLeaderboardRequest req;
    *req.mutable_board() = SalesBoard();
    req.set_allow_rollups(true);
    ev1::GetLeaderboardResponse resp;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    const absl::Time start = absl::Now();
    grpc::Status st = boards->GetLeaderboard(&ctx, req, &resp);
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(st.error_code(), StatusCode::UNAVAILABLE) << st.error_message();
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr("Redis at 127.0.0.1"));
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr("attain-ingest"));
    EXPECT_LT(took, absl::Seconds(2));
    std::printf("GetLeaderboard with Redis and ingest down: %s in %.0f ms\n",
                st.error_message().c_str(), absl::ToDoubleMilliseconds(took));
  }
  ev1::GetRankRequest rank_req;
  *rank_req.mutable_board() = SalesBoard();
  rank_req.set_rep_id("r1");
  rank_req.set_allow_rollups(true);
  ev1::GetRankResponse rank;
  grpc::ClientContext rank_ctx;
  Authorize(rank_ctx, token);
  grpc::Status st = boards->GetRank(&rank_ctx, rank_req, &rank);
  EXPECT_EQ(st.error_code(), StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("attain-ingest"));
}

}  // namespace
}  // namespace attain
