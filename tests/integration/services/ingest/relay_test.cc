// OutboxRelay against a real PostgreSQL and Redis started by the test harness.
// The write pipeline is simulated: each "batch" upserts rollup_daily rows and
// appends one outbox row in one transaction, as ARCHITECTURE.md §8 describes,
// with periods from common/period.h (the relay's rebuild computes them in SQL,
// so comparing the two paths checks that they agree).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/leaderboard.h"
#include "common/period.h"
#include "common/pg.h"
#include "common/redis.h"
#include "services/ingest/src/relay/outbox_relay.h"
#include "tests/support/test_servers.h"

namespace attain::ingest {

// Generated from services/ingest/migrations (attain_embed_migrations).
const std::vector<attain::Migration>& Migrations();

namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// One rollup contribution of an event, as the write pipeline would derive it.
struct Fact {
  absl::CivilDay day = absl::CivilDay(2025, 1, 15);  // 2025-W03, 2025-01, 2025-Q1, 2025
  std::string rep = "r1";
  std::string team = "t1";
  std::string region = "east";
  std::string pl = "";
  std::string customer = "";
  int64_t sales = 0;
  int64_t orders = 0;
  int64_t gross_profit = 0;
  int64_t collected = 0;
  int64_t receivable_due = 0;
  int64_t new_customers = 0;
  int64_t visits = 0;
  int64_t effective_visits = 0;
  int64_t won = 0;
  int64_t lost = 0;
};

constexpr PeriodKind kBoardKinds[] = {PeriodKind::kWeek, PeriodKind::kMonth, PeriodKind::kQuarter,
                                      PeriodKind::kYear};

// The increments of `f` on every board it touches (what the pipeline appends).
std::vector<BoardIncrement> IncrementsOf(const std::string& tenant, const Fact& f) {
  std::vector<BoardIncrement> out;
  std::vector<std::string> scopes = {"company"};
  if (!f.region.empty()) scopes.push_back("region:" + f.region);
  if (!f.team.empty()) scopes.push_back("team:" + f.team);
  if (!f.pl.empty()) scopes.push_back("pl:" + f.pl);
  for (PeriodKind kind : kBoardKinds) {
    const std::string period = Period::Containing(kind, f.day).ToString();
    for (const std::string& scope : scopes) {
      auto add = [&](BoardMetric m, int64_t amount, int64_t n, int64_t d) {
        if (amount == 0 && n == 0 && d == 0) return;
        BoardIncrement inc;
        inc.tenant = tenant;
        inc.period = period;
        inc.metric = m;
        inc.scope = scope;
        inc.member = f.rep;
        inc.amount = amount;
        inc.numerator = n;
        inc.denominator = d;
        out.push_back(std::move(inc));
      };
      add(BoardMetric::kSales, f.sales, 0, 0);
      add(BoardMetric::kCollected, f.collected, 0, 0);
      add(BoardMetric::kGrossProfit, f.gross_profit, 0, 0);
      add(BoardMetric::kOrders, f.orders, 0, 0);
      add(BoardMetric::kNewCustomers, f.new_customers, 0, 0);
      add(BoardMetric::kVisits, f.visits, 0, 0);
      add(BoardMetric::kEffectiveVisits, f.effective_visits, 0, 0);
      add(BoardMetric::kWonOpportunities, f.won, 0, 0);
      add(BoardMetric::kCollectionRate, 0, f.collected, f.receivable_due);
      add(BoardMetric::kConversion, 0, f.won, f.won + f.lost);
    }
  }
  return out;
}

// The deltas of `f` (what the pipeline appends now): one per board period.
std::vector<BoardDelta> DeltasOf(const std::string& tenant, const Fact& f) {
  BoardParts p{};
  p[kBoardPartSales] = f.sales;
  p[kBoardPartCollected] = f.collected;
  p[kBoardPartGrossProfit] = f.gross_profit;
  p[kBoardPartOrders] = f.orders;
  p[kBoardPartNewCustomers] = f.new_customers;
  p[kBoardPartVisits] = f.visits;
  p[kBoardPartEffectiveVisits] = f.effective_visits;
  p[kBoardPartWon] = f.won;
  p[kBoardPartLost] = f.lost;
  p[kBoardPartReceivableDue] = f.receivable_due;
  std::vector<BoardDelta> out;
  for (PeriodKind kind : kBoardKinds) {
    out.push_back(BoardDelta{tenant, Period::Containing(kind, f.day).ToString(), f.rep, f.team,
                             f.region, f.pl, p});
  }
  return out;
}

// How Ingest encodes its outbox row: as deltas ("lb2", what ingest writes) or
// as increments ("lb1", rows left by older ingests).
enum class Encoding { kDeltas, kIncrements };

// One committed batch of `tenant`: rollups + one outbox row. Returns its seq.
int64_t Ingest(PgPool& pool, const std::string& tenant, const std::vector<Fact>& facts,
               Encoding encoding = Encoding::kDeltas) {
  int64_t seq = -1;
  absl::Status s = pool.InTransaction([&](pqxx::work& tx) -> absl::Status {
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('ingest.outbox'))");
    std::vector<BoardIncrement> incs;
    std::vector<BoardDelta> deltas;
    for (const Fact& f : facts) {
      tx.exec_params0(
          "INSERT INTO ingest.rollup_daily (tenant_id, day, rep_id, team_id, region_id, "
          "product_line_id, customer_id, sales_amount, order_count, gross_profit, "
          "collected_amount, receivable_due, new_customers, visits, effective_visits, "
          "opportunities_won, opportunities_lost) VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, "
          "$9, $10, $11, $12, $13, $14, $15, $16, $17) "
          "ON CONFLICT (tenant_id, day, rep_id, team_id, product_line_id, customer_id) DO UPDATE "
          "SET sales_amount = rollup_daily.sales_amount + EXCLUDED.sales_amount, "
          "order_count = rollup_daily.order_count + EXCLUDED.order_count, "
          "gross_profit = rollup_daily.gross_profit + EXCLUDED.gross_profit, "
          "collected_amount = rollup_daily.collected_amount + EXCLUDED.collected_amount, "
          "receivable_due = rollup_daily.receivable_due + EXCLUDED.receivable_due, "
          "new_customers = rollup_daily.new_customers + EXCLUDED.new_customers, "
          "visits = rollup_daily.visits + EXCLUDED.visits, "
          "effective_visits = rollup_daily.effective_visits + EXCLUDED.effective_visits, "
          "opportunities_won = rollup_daily.opportunities_won + EXCLUDED.opportunities_won, "
          "opportunities_lost = rollup_daily.opportunities_lost + EXCLUDED.opportunities_lost",
          tenant, absl::FormatCivilTime(f.day), f.rep, f.team, f.region, f.pl, f.customer, f.sales,
          f.orders, f.gross_profit, f.collected, f.receivable_due, f.new_customers, f.visits,
          f.effective_visits, f.won, f.lost);
      std::vector<BoardIncrement> more = IncrementsOf(tenant, f);
      incs.insert(incs.end(), more.begin(), more.end());
      std::vector<BoardDelta> more_deltas = DeltasOf(tenant, f);
      deltas.insert(deltas.end(), more_deltas.begin(), more_deltas.end());
    }
    const std::string text = encoding == Encoding::kDeltas
                                 ? EncodeBoardDeltas(deltas)
                                 : EncodeIncrements(MergeIncrements(std::move(incs)));
    seq = tx.exec_params1(
                "INSERT INTO ingest.outbox (tenant_id, increments) VALUES ($1, $2) RETURNING seq",
                tenant, text)[0]
              .as<int64_t>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return seq;
}

Fact Sale(std::string rep, int64_t amount, std::string team = "t1") {
  Fact f;
  f.rep = std::move(rep);
  f.team = std::move(team);
  f.sales = amount;
  f.orders = 1;
  return f;
}

class RelayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { redis_server_ = new testing::RedisTestServer(); }
  static void TearDownTestSuite() {
    delete redis_server_;
    redis_server_ = nullptr;
  }

  void SetUp() override {
    if (!redis_server_->running()) redis_server_->Start();
    PgPool::Options po;
    po.url = testing::PgTestServer::Shared().CreateDatabase("relay");
    po.size = 6;
    absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(po);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(RunMigrations(*pool_, "ingest", Migrations()).ok());
    redis_ = NewRedis();
    ASSERT_EQ(Cmd({"FLUSHALL"}).str, "OK");
  }

  static std::unique_ptr<RedisClient> NewRedis() {
    RedisClient::Options ro;
    ro.port = redis_server_->port();
    ro.connect_timeout = absl::Milliseconds(500);
    ro.command_timeout = absl::Seconds(2);
    return std::make_unique<RedisClient>(ro);
  }

  std::unique_ptr<OutboxRelay> NewRelay(OutboxRelay::Options o = {}) {
    return std::make_unique<OutboxRelay>(*pool_, *redis_, std::move(o));
  }

  RedisReply Cmd(const std::vector<std::string>& args) {
    absl::StatusOr<RedisReply> r = redis_->Command(args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : RedisReply{};
  }

  // ZSCORE as an integer; -999999 when the member is absent.
  int64_t Score(const std::string& key, const std::string& member) {
    RedisReply r = Cmd({"ZSCORE", key, member});
    if (r.type == RedisReply::Type::kNil) return -999999;
    return static_cast<int64_t>(std::stod(r.str));
  }

  // Members of a board, best first (ZREVRANGE), as "member=score".
  std::vector<std::string> Board(const std::string& key) {
    RedisReply r = Cmd({"ZREVRANGE", key, "0", "-1", "WITHSCORES"});
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      out.push_back(r.elements[i].str + "=" + r.elements[i + 1].str);
    }
    return out;
  }

  // Every leaderboard key with its type and contents, for whole-keyspace comparisons.
  std::map<std::string, std::string> DumpBoards() {
    std::map<std::string, std::string> out;
    std::string cursor = "0";
    do {
      RedisReply r = Cmd({"SCAN", cursor, "MATCH", "lb:{*", "COUNT", "1000"});
      cursor = r.elements[0].str;
      for (const RedisReply& k : r.elements[1].elements) {
        const std::string type = Cmd({"TYPE", k.str}).str;
        RedisReply content = type == "zset" ? Cmd({"ZRANGE", k.str, "0", "-1", "WITHSCORES"})
                                            : Cmd({"HGETALL", k.str});
        std::vector<std::string> items;
        for (size_t i = 0; i + 1 < content.elements.size(); i += 2) {
          items.push_back(content.elements[i].str + "=" + content.elements[i + 1].str);
        }
        std::sort(items.begin(), items.end());
        out[k.str] = type + " " + absl::StrJoin(items, ",");
      }
    } while (cursor != "0");
    return out;
  }

  int64_t Applied(const std::string& shard = "0") {
    RedisReply r = Cmd({"GET", "lb:applied:" + shard});
    return r.type == RedisReply::Type::kNil ? -1 : std::stoll(r.str);
  }

  std::vector<int64_t> OutboxSeqs() {
    std::vector<int64_t> seqs;
    absl::Status s = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
      for (const auto& row : tx.exec("SELECT seq FROM ingest.outbox ORDER BY seq")) {
        seqs.push_back(row[0].as<int64_t>());
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return seqs;
  }

  std::vector<OutboxRow> OutboxRows() {
    std::vector<OutboxRow> rows;
    absl::Status s = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
      for (const auto& row : tx.exec("SELECT seq, increments FROM ingest.outbox ORDER BY seq")) {
        rows.push_back({row[0].as<int64_t>(), row[1].as<std::string>()});
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  void Sql(const std::string& sql) {
    absl::Status s = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
      tx.exec0(sql);
      return absl::OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s << "\n" << sql;
  }

  // Verify over every board period of `days`: all differences, prefixed.
  std::vector<std::string> VerifyAll(OutboxRelay& relay, const std::string& tenant,
                                     const std::vector<absl::CivilDay>& days) {
    std::set<std::string> periods;
    for (absl::CivilDay d : days) {
      for (PeriodKind k : kBoardKinds) periods.insert(Period::Containing(k, d).ToString());
    }
    std::vector<std::string> all;
    for (const std::string& p : periods) {
      absl::StatusOr<std::vector<std::string>> diffs = relay.Verify(tenant, p);
      EXPECT_TRUE(diffs.ok()) << diffs.status();
      if (!diffs.ok()) continue;
      for (const std::string& d : *diffs) all.push_back(tenant + " " + p + ": " + d);
    }
    return all;
  }

  static testing::RedisTestServer* redis_server_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<RedisClient> redis_;
};

testing::RedisTestServer* RelayTest::redis_server_ = nullptr;

const std::string kSalesCompany = BoardKey("acme", "2025-01", BoardMetric::kSales, "company");

TEST_F(RelayTest, FirstPassOnAnEmptyOutboxRecordsSeqZero) {
  auto relay = NewRelay();
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(Applied(), 0);  // a rebuild of nothing
  EXPECT_EQ(relay->stats().rebuilds, 1);
  EXPECT_THAT(DumpBoards(), IsEmpty());
}

TEST_F(RelayTest, AppliesIncrementsInOrderExactlyOnce) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());  // empty boards, applied seq 0
  const int64_t s1 = Ingest(*pool_, "acme", {Sale("r1", 1000), Sale("r2", 300)});
  Ingest(*pool_, "acme", {Sale("r1", 250)});
  const int64_t s3 = Ingest(*pool_, "acme", {Sale("r2", 2000, "t2"), Sale("r1", -50)});

  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(Applied(), s3);
  // r1: 1000 + 250 - 50; r2: 300 + 2000.
  EXPECT_THAT(Board(kSalesCompany), ElementsAre("r2=2300", "r1=1200"));
  EXPECT_THAT(Board(BoardKey("acme", "2025-01", BoardMetric::kSales, "team:t1")),
              ElementsAre("r1=1200", "r2=300"));
  EXPECT_THAT(Board(BoardKey("acme", "2025-01", BoardMetric::kSales, "team:t2")),
              ElementsAre("r2=2000"));
  EXPECT_THAT(Board(BoardKey("acme", "2025-W03", BoardMetric::kOrders, "region:east")),
              ElementsAre("r1=3", "r2=2"));
  EXPECT_THAT(Board(BoardKey("acme", "2025", BoardMetric::kSales, "company")),
              ElementsAre("r2=2300", "r1=1200"));

  // Again: nothing left to apply, the same scores.
  const std::map<std::string, std::string> before = DumpBoards();
  n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);
  // A relay that re-reads the rows (it crashed after the script ran, before it
  // learnt so) applies nothing either.
  auto replay = NewRelay();
  n = replay->ApplyRows(OutboxRows());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(DumpBoards(), before);
  EXPECT_EQ(Applied(), s3);
  EXPECT_GT(s3, s1);
  EXPECT_THAT(VerifyAll(*relay, "acme", {absl::CivilDay(2025, 1, 15)}), IsEmpty());
  EXPECT_EQ(relay->stats().rows_applied, 3);
}

TEST_F(RelayTest, CrashBetweenRowsNeitherLosesNorRepeats) {
  ASSERT_TRUE(NewRelay()->ApplyPending().ok());
  std::vector<int64_t> seqs;
  for (int i = 1; i <= 5; ++i) seqs.push_back(Ingest(*pool_, "acme", {Sale("r1", 100 * i)}));

  {
    // Applies the first two rows, then "crashes".
    OutboxRelay::Options o;
    o.max_rows_per_pass = 2;
    auto first = NewRelay(o);
    absl::StatusOr<int> n = first->ApplyPending();
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(*n, 2);
    EXPECT_EQ(Applied(), seqs[1]);
    EXPECT_EQ(Score(kSalesCompany, "r1"), 100 + 200);
  }
  // A new relay starts from what Redis recorded.
  auto second = NewRelay();
  absl::StatusOr<int> n = second->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(Score(kSalesCompany, "r1"), 1500);

  // A stale relay holding rows 5..7 where 5 is applied: the script refuses the
  // overlapping batch and the relay retries with 6 and 7 only.
  const int64_t s6 = Ingest(*pool_, "acme", {Sale("r1", 1)});
  const int64_t s7 = Ingest(*pool_, "acme", {Sale("r1", 10)});
  std::vector<OutboxRow> rows = OutboxRows();
  ASSERT_EQ(rows.size(), 7u);
  auto stale = NewRelay();
  n = stale->ApplyRows({rows[4], rows[5], rows[6]});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Applied(), s7);
  EXPECT_GT(s7, s6);
  EXPECT_EQ(Score(kSalesCompany, "r1"), 1511);
  EXPECT_THAT(VerifyAll(*second, "acme", {absl::CivilDay(2025, 1, 15)}), IsEmpty());
}

TEST_F(RelayTest, BatchesManyRowsPerScriptCallAndSplitsByCells) {
  ASSERT_TRUE(NewRelay()->ApplyPending().ok());
  for (int i = 0; i < 40; ++i) {
    Ingest(*pool_, "acme", {Sale(absl::StrCat("r", i % 7), i + 1, absl::StrCat("t", i % 3))});
  }
  OutboxRelay::Options o;
  o.fetch_rows = 16;
  o.max_cells_per_script = 100;  // a row here has 4 periods x 3 scopes x 2 metrics = 24 cells
  auto relay = NewRelay(o);
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 40);
  // r0 sold in rows 0, 7, 14, 21, 28, 35: 1 + 8 + 15 + 22 + 29 + 36.
  EXPECT_EQ(Score(kSalesCompany, "r0"), 111);
  EXPECT_THAT(VerifyAll(*relay, "acme", {absl::CivilDay(2025, 1, 15)}), IsEmpty());
  // The incremental boards equal the rebuilt ones.
  const std::map<std::string, std::string> incremental = DumpBoards();
  ASSERT_TRUE(relay->Rebuild().ok());
  EXPECT_EQ(DumpBoards(), incremental);
}

TEST_F(RelayTest, ABacklogMergesIntoScriptsBoundedByTheirCells) {
  ASSERT_TRUE(NewRelay()->ApplyPending().ok());
  // 50 rows of one rep in one team: each row has 4 periods x 3 scopes
  // (company, region:east, team:t1) x 2 metrics (sales, orders) = 24 cells,
  // the same 24 in every row.
  for (int i = 0; i < 50; ++i) Ingest(*pool_, "acme", {Sale("r1", 10)});
  OutboxRelay::Options o;
  o.max_cells_per_script = 100;
  auto relay = NewRelay(o);
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 50);
  EXPECT_EQ(relay->stats().scripts, 1);  // 24 merged cells
  EXPECT_EQ(Score(kSalesCompany, "r1"), 500);
  EXPECT_EQ(Score(BoardKey("acme", "2025-01", BoardMetric::kOrders, "team:t1"), "r1"), 50);

  // 50 rows of 50 different reps: 24 new cells each, so a script takes rows
  // until it has 100 or more cells: 5 rows (120 cells), 10 scripts.
  for (int i = 0; i < 50; ++i) Ingest(*pool_, "acme", {Sale(absl::StrCat("s", i), i + 1)});
  n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 50);
  EXPECT_EQ(relay->stats().scripts, 1 + 10);
  EXPECT_EQ(Score(kSalesCompany, "s49"), 50);
  EXPECT_THAT(VerifyAll(*relay, "acme", {absl::CivilDay(2025, 1, 15)}), IsEmpty());
}

TEST_F(RelayTest, OldIncrementRowsAndDeltaRowsApplyAlike) {
  // The same facts, once as rows of increments (left by an older ingest) then
  // deltas interleaved, once all as deltas: the same boards, equal to the
  // rebuilt ones.
  const std::vector<std::vector<Fact>> batches = [] {
    Fact a = Sale("r1", 700, "t1");
    a.pl = "p1";
    Fact b;  // collected 300 of 1000 due, won 1, lost 2
    b.rep = "r2";
    b.collected = 300;
    b.receivable_due = 1000;
    b.won = 1;
    b.lost = 2;
    b.day = absl::CivilDay(2025, 2, 3);
    Fact c = Sale("r1", -200, "t2");  // a reversal in another team
    c.region = "";
    return std::vector<std::vector<Fact>>{{a}, {b, c}, {a, b}, {c}};
  }();
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  for (size_t i = 0; i < batches.size(); ++i) {
    Ingest(*pool_, "acme", batches[i], i % 2 == 0 ? Encoding::kIncrements : Encoding::kDeltas);
  }
  for (const auto& batch : batches) Ingest(*pool_, "beta", batch);
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 8);
  // r1: 700 + 700 - 200 - 200 on the company board.
  EXPECT_EQ(Score(kSalesCompany, "r1"), 1000);
  EXPECT_EQ(Score(BoardKey("acme", "2025-01", BoardMetric::kSales, "pl:p1"), "r1"), 1400);
  // r2: collected 600 of 2000 due = 3000 basis points; won 2 of 6 = 3333.
  EXPECT_EQ(Score(BoardKey("acme", "2025", BoardMetric::kCollectionRate, "company"), "r2"), 3000);
  EXPECT_EQ(Score(BoardKey("acme", "2025-02", BoardMetric::kConversion, "region:east"), "r2"),
            3333);
  const std::vector<absl::CivilDay> days = {absl::CivilDay(2025, 1, 15),
                                            absl::CivilDay(2025, 2, 3)};
  EXPECT_THAT(VerifyAll(*relay, "acme", days), IsEmpty());
  EXPECT_THAT(VerifyAll(*relay, "beta", days), IsEmpty());
  std::map<std::string, std::string> acme, beta;
  for (const auto& [key, content] : DumpBoards()) {
    const bool is_acme = key.rfind("lb:{acme:", 0) == 0;
    (is_acme ? acme : beta)[key.substr(9)] = content;  // after "lb:{acme:" or "lb:{beta:"
  }
  EXPECT_EQ(acme, beta);
  const std::map<std::string, std::string> incremental = DumpBoards();
  ASSERT_TRUE(relay->Rebuild().ok());
  EXPECT_EQ(DumpBoards(), incremental);
}

TEST_F(RelayTest, RatioBoardsKeepPartsAndScoreInBasisPoints) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  Fact a;  // r1: collected 300 of 1000 due, won 1 lost 2
  a.rep = "r1";
  a.collected = 300;
  a.receivable_due = 1000;
  a.won = 1;
  a.lost = 2;
  Fact b;  // r2: collected 2 of 3 due
  b.rep = "r2";
  b.collected = 2;
  b.receivable_due = 3;
  Fact c;  // r3: a payment with nothing due this period
  c.rep = "r3";
  c.collected = 50;
  Ingest(*pool_, "acme", {a, b, c});
  ASSERT_TRUE(relay->ApplyPending().ok());

  const std::string rate = BoardKey("acme", "2025-01", BoardMetric::kCollectionRate, "company");
  const std::string parts =
      BoardPartsKey("acme", "2025-01", BoardMetric::kCollectionRate, "company");
  // 300/1000 = 3000 bp; 2/3 = 6666.67 → 6666; r3 has no denominator → 0.
  EXPECT_THAT(Board(rate), ElementsAre("r2=6666", "r1=3000", "r3=0"));
  RedisReply h = Cmd({"HGETALL", parts});
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < h.elements.size(); i += 2) {
    fields[h.elements[i].str] = h.elements[i + 1].str;
  }
  EXPECT_THAT(fields,
              UnorderedElementsAre(Pair("r1:n", "300"), Pair("r1:d", "1000"), Pair("r2:n", "2"),
                                   Pair("r2:d", "3"), Pair("r3:n", "50"), Pair("r3:d", "0")));
  // Conversion: won 1 of 3 closed → 3333.
  EXPECT_THAT(Board(BoardKey("acme", "2025-Q1", BoardMetric::kConversion, "team:t1")),
              ElementsAre("r1=3333"));

  // More collected for r1 (+700 of +0 due → 1000/1000) and r2's rows reversed
  // to nothing: r2 leaves the board and its parts go.
  Fact more = a;
  more.collected = 700;
  more.receivable_due = 0;
  more.won = 0;
  more.lost = 0;
  Fact undo = b;
  undo.collected = -2;
  undo.receivable_due = -3;
  Ingest(*pool_, "acme", {more, undo});
  ASSERT_TRUE(relay->ApplyPending().ok());
  EXPECT_THAT(Board(rate), ElementsAre("r1=10000", "r3=0"));
  EXPECT_EQ(Cmd({"HEXISTS", parts, "r2:n"}).integer, 0);
  EXPECT_EQ(Cmd({"HGET", parts, "r1:n"}).str, "1000");
  EXPECT_THAT(Board(BoardKey("acme", "2025-01", BoardMetric::kCollected, "company")),
              ElementsAre("r1=1000", "r3=50"));
  EXPECT_THAT(VerifyAll(*relay, "acme", {absl::CivilDay(2025, 1, 15)}), IsEmpty());
  const std::map<std::string, std::string> incremental = DumpBoards();
  ASSERT_TRUE(relay->Rebuild().ok());
  EXPECT_EQ(DumpBoards(), incremental);
}

TEST_F(RelayTest, TiesAreOrderedByMember) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  Ingest(*pool_, "acme", {Sale("r-b", 500), Sale("r-c", 900), Sale("r-a", 500)});
  ASSERT_TRUE(relay->ApplyPending().ok());
  // Equal scores sort by member: ascending in ZRANGE, so descending in ZREVRANGE.
  EXPECT_THAT(Board(kSalesCompany), ElementsAre("r-c=900", "r-b=500", "r-a=500"));
  RedisReply asc = Cmd({"ZRANGE", kSalesCompany, "0", "-1"});
  ASSERT_EQ(asc.elements.size(), 3u);
  EXPECT_EQ(asc.elements[0].str, "r-a");
  EXPECT_EQ(asc.elements[1].str, "r-b");
  // The same after a rebuild.
  ASSERT_TRUE(relay->Rebuild().ok());
  EXPECT_THAT(Board(kSalesCompany), ElementsAre("r-c=900", "r-b=500", "r-a=500"));
}

TEST_F(RelayTest, PublishesOneMessagePerAppliedRowAndTenantPeriod) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());

  redisContext* sub = redisConnect("127.0.0.1", redis_server_->port());
  ASSERT_NE(sub, nullptr);
  ASSERT_EQ(sub->err, 0) << sub->errstr;
  timeval tv{5, 0};
  redisSetTimeout(sub, tv);
  const std::string month = BoardChannel("acme", "2025-01");
  const std::string year = BoardChannel("acme", "2025");
  const std::string other = BoardChannel("beta", "2025-01");
  auto* r =
      static_cast<redisReply*>(redisCommand(sub, "SUBSCRIBE %b %b %b", month.data(), month.size(),
                                            year.data(), year.size(), other.data(), other.size()));
  ASSERT_NE(r, nullptr);
  freeReplyObject(r);
  for (int i = 0; i < 2; ++i) {  // the other two subscription confirmations
    void* raw = nullptr;
    ASSERT_EQ(redisGetReply(sub, &raw), REDIS_OK);
    freeReplyObject(raw);
  }

  const int64_t s1 = Ingest(*pool_, "acme", {Sale("r1", 10), Sale("r2", 20)});
  Fact feb = Sale("r1", 5);
  feb.day = absl::CivilDay(2025, 2, 3);
  const int64_t s2 = Ingest(*pool_, "acme", {feb});
  const int64_t s3 = Ingest(*pool_, "beta", {Sale("x", 1)});
  ASSERT_TRUE(relay->ApplyPending().ok());

  // Row s1 touches 4 tenant-periods, s2 4 more (W06, 02, Q1, 2025), s3 4 of beta.
  EXPECT_EQ(relay->stats().messages_published, 12);
  std::vector<std::string> got;
  for (int i = 0; i < 4; ++i) {  // month (s1), year (s1), year (s2), beta month (s3)
    void* raw = nullptr;
    ASSERT_EQ(redisGetReply(sub, &raw), REDIS_OK) << sub->errstr;
    auto* m = static_cast<redisReply*>(raw);
    ASSERT_EQ(m->type, REDIS_REPLY_ARRAY);
    ASSERT_EQ(m->elements, 3u);
    got.push_back(std::string(m->element[1]->str, m->element[1]->len) + " " +
                  std::string(m->element[2]->str, m->element[2]->len));
    freeReplyObject(raw);
  }
  EXPECT_THAT(got, UnorderedElementsAre(absl::StrCat(month, " ", s1), absl::StrCat(year, " ", s1),
                                        absl::StrCat(year, " ", s2), absl::StrCat(other, " ", s3)));
  redisFree(sub);
}

TEST_F(RelayTest, RedisDownIsUnavailablePromptlyAndRowsWait) {
  auto relay = NewRelay();
  Ingest(*pool_, "acme", {Sale("r1", 100)});
  ASSERT_TRUE(relay->ApplyPending().ok());
  EXPECT_EQ(Score(kSalesCompany, "r1"), 100);

  redis_server_->Stop();
  const int64_t s2 = Ingest(*pool_, "acme", {Sale("r1", 20)});  // ingest keeps accepting
  const absl::Time start = absl::Now();
  absl::StatusOr<int> n = relay->ApplyPending();
  EXPECT_EQ(n.status().code(), absl::StatusCode::kUnavailable) << n.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_THAT(OutboxSeqs(), Contains(s2));

  // Redis comes back empty: the boards are rebuilt from the rollups, which
  // already include the row that waited.
  redis_server_->Start();
  n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(Score(kSalesCompany, "r1"), 120);
  EXPECT_EQ(Applied(), s2);
  EXPECT_EQ(relay->stats().rebuilds, 2);  // the first pass, and after the restart
  EXPECT_THAT(VerifyAll(*relay, "acme", {absl::CivilDay(2025, 1, 15)}), IsEmpty());
}

TEST_F(RelayTest, FlushAllIsDetectedAndRebuiltExactlyThenLaterRowsApplyOnTop) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  std::vector<absl::CivilDay> days = {absl::CivilDay(2025, 1, 15), absl::CivilDay(2025, 3, 31),
                                      absl::CivilDay(2025, 4, 1), absl::CivilDay(2024, 12, 30)};
  std::mt19937 rng(7);
  for (int i = 0; i < 30; ++i) {
    Fact f;
    f.day = days[i % days.size()];
    f.rep = absl::StrCat("r", rng() % 5);
    f.team = absl::StrCat("t", rng() % 3);
    f.region = f.team == "t2" ? "" : "east";  // where the team sits (t2: no region)
    f.pl = i % 2 == 0 ? "pl-1" : "";
    f.sales = rng() % 1000;
    f.orders = 1;
    f.gross_profit = rng() % 300;
    f.collected = rng() % 500;
    f.receivable_due = rng() % 700;
    f.visits = rng() % 3;
    f.effective_visits = rng() % 2;
    f.won = rng() % 2;
    f.lost = rng() % 2;
    f.new_customers = rng() % 2;
    Ingest(*pool_, i % 4 == 0 ? "beta" : "acme", {f});
  }
  ASSERT_TRUE(relay->ApplyPending().ok());
  const std::map<std::string, std::string> incremental = DumpBoards();
  ASSERT_GT(incremental.size(), 100u);
  const int64_t applied = Applied();

  ASSERT_EQ(Cmd({"FLUSHALL"}).str, "OK");
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(DumpBoards(), incremental);  // the rebuilt boards are exactly the applied ones
  EXPECT_EQ(Applied(), applied);

  // Later rows apply on top of the rebuilt boards.
  const int64_t before = Score(kSalesCompany, "r9");
  EXPECT_EQ(before, -999999);
  Ingest(*pool_, "acme", {Sale("r9", 77)});
  n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Score(kSalesCompany, "r9"), 77);
  for (const char* tenant : {"acme", "beta"}) {
    EXPECT_THAT(VerifyAll(*relay, tenant, days), IsEmpty());
  }
}

TEST_F(RelayTest, RebuildUsesTheCanonicalPeriodTexts) {
  // Days on ISO-week-year and quarter boundaries: the SQL periods of the
  // rebuild must be the ones common/period.h gives the writer.
  const std::vector<absl::CivilDay> days = {
      absl::CivilDay(2021, 1, 3),  absl::CivilDay(2024, 12, 30), absl::CivilDay(2026, 12, 31),
      absl::CivilDay(2027, 1, 1),  absl::CivilDay(2025, 9, 30),  absl::CivilDay(2025, 10, 1),
      absl::CivilDay(2024, 2, 29), absl::CivilDay(2025, 1, 5),   absl::CivilDay(2025, 1, 6)};
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  for (absl::CivilDay d : days) {
    Fact f = Sale("r1", 1);
    f.day = d;
    Ingest(*pool_, "acme", {f});
  }
  ASSERT_TRUE(relay->ApplyPending().ok());
  const std::map<std::string, std::string> incremental = DumpBoards();
  EXPECT_EQ(incremental.count(BoardKey("acme", "2020-W53", BoardMetric::kSales, "company")), 1u);
  EXPECT_EQ(incremental.count(BoardKey("acme", "2025-W01", BoardMetric::kSales, "company")), 1u);
  EXPECT_EQ(incremental.count(BoardKey("acme", "2026-W53", BoardMetric::kSales, "company")), 1u);
  ASSERT_TRUE(relay->Rebuild().ok());
  EXPECT_EQ(DumpBoards(), incremental);
}

TEST_F(RelayTest, TrimKeepsUnappliedRecentAndTheNewestAppliedRow) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  std::vector<int64_t> s;
  for (int i = 0; i < 6; ++i) s.push_back(Ingest(*pool_, "acme", {Sale("r1", 1)}));
  Sql(absl::StrCat("UPDATE ingest.outbox SET create_time = now() - interval '1 hour' WHERE seq <= ",
                   s[3]));

  OutboxRelay::Options o;
  o.max_rows_per_pass = 3;
  auto partial = NewRelay(o);
  ASSERT_TRUE(partial->ApplyPending().ok());  // rows 1..3 applied
  ASSERT_EQ(Applied(), s[2]);
  absl::StatusOr<int64_t> trimmed = partial->Trim();
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 2);  // rows 1, 2; row 3 stays as the newest applied, 4 is unapplied
  EXPECT_THAT(OutboxSeqs(), ElementsAre(s[2], s[3], s[4], s[5]));

  ASSERT_TRUE(relay->ApplyPending().ok());
  trimmed = relay->Trim();
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 1);  // row 3; row 4 is the newest old applied row, 5 and 6 are recent
  EXPECT_THAT(OutboxSeqs(), ElementsAre(s[3], s[4], s[5]));
  trimmed = relay->Trim();
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 0);

  // In batches of trim_batch rows.
  for (int i = 0; i < 25; ++i) Ingest(*pool_, "acme", {Sale("r2", 1)});
  Sql("UPDATE ingest.outbox SET create_time = now() - interval '1 hour'");
  ASSERT_TRUE(relay->ApplyPending().ok());
  o = {};
  o.trim_batch = 4;
  auto small = NewRelay(o);
  trimmed = small->Trim();
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 27);
  EXPECT_EQ(OutboxSeqs().size(), 1u);
  EXPECT_EQ(Score(kSalesCompany, "r1"), 6);
  EXPECT_EQ(Score(kSalesCompany, "r2"), 25);
}

TEST_F(RelayTest, RedisGoingBackPastTrimmedRowsRebuilds) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  std::vector<int64_t> s;
  for (int i = 0; i < 5; ++i) s.push_back(Ingest(*pool_, "acme", {Sale("r1", 10)}));
  ASSERT_TRUE(relay->ApplyPending().ok());
  Sql("UPDATE ingest.outbox SET create_time = now() - interval '1 hour'");
  absl::StatusOr<int64_t> trimmed = relay->Trim();
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 4);

  // Redis "restored from an old snapshot": boards and applied seq of after row 1.
  ASSERT_EQ(Cmd({"SET", "lb:applied:0", absl::StrCat(s[0])}).str, "OK");
  ASSERT_EQ(Cmd({"ZADD", kSalesCompany, "10", "r1"}).type, RedisReply::Type::kInteger);
  // Rows 2..4 are gone from the outbox: the same relay notices the seq went back
  // and rebuilds rather than applying row 5 on top of a stale board.
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(Score(kSalesCompany, "r1"), 50);
  EXPECT_EQ(Applied(), s[4]);
  EXPECT_EQ(relay->stats().rebuilds, 2);

  // A fresh relay checks too.
  ASSERT_EQ(Cmd({"SET", "lb:applied:0", absl::StrCat(s[1])}).str, "OK");
  ASSERT_EQ(Cmd({"ZADD", kSalesCompany, "20", "r1"}).type, RedisReply::Type::kInteger);
  auto fresh = NewRelay();
  n = fresh->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(Score(kSalesCompany, "r1"), 50);
  EXPECT_EQ(fresh->stats().rebuilds, 1);

  // Going back to a seq whose successors are all still there only catches up.
  ASSERT_EQ(Cmd({"SET", "lb:applied:0", absl::StrCat(s[3])}).str, "OK");
  ASSERT_EQ(Cmd({"ZADD", kSalesCompany, "40", "r1"}).type, RedisReply::Type::kInteger);
  n = fresh->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Score(kSalesCompany, "r1"), 50);
  EXPECT_EQ(fresh->stats().rebuilds, 1);
}

TEST_F(RelayTest, VerifyReportsEveryKindOfDifference) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  Fact f = Sale("r1", 100);
  f.collected = 5;
  f.receivable_due = 10;
  Ingest(*pool_, "acme", {f, Sale("r2", 40)});
  ASSERT_TRUE(relay->ApplyPending().ok());
  absl::StatusOr<std::vector<std::string>> diffs = relay->Verify("acme", "2025-01");
  ASSERT_TRUE(diffs.ok()) << diffs.status();
  EXPECT_THAT(*diffs, IsEmpty());

  const std::string parts =
      BoardPartsKey("acme", "2025-01", BoardMetric::kCollectionRate, "company");
  Cmd({"ZINCRBY", kSalesCompany, "1", "r1"});
  Cmd({"ZADD", kSalesCompany, "7", "ghost"});
  Cmd({"ZREM", kSalesCompany, "r2"});
  Cmd({"HSET", parts, "r1:d", "11"});
  Cmd({"DEL", BoardKey("acme", "2025-01", BoardMetric::kOrders, "team:t1")});
  Cmd({"ZADD", BoardKey("acme", "2025-01", BoardMetric::kVisits, "company"), "1", "r1"});
  diffs = relay->Verify("acme", "2025-01");
  ASSERT_TRUE(diffs.ok()) << diffs.status();
  EXPECT_THAT(*diffs, UnorderedElementsAre(
                          AllOf(HasSubstr(kSalesCompany),
                                HasSubstr("member r1 is 101 in Redis, 100 in the rollups")),
                          HasSubstr("member ghost is 7 in Redis, absent from the rollups"),
                          HasSubstr("member r2 missing in Redis (40 in the rollups)"),
                          HasSubstr("field r1:d is 11 in Redis, 10 in the rollups"),
                          HasSubstr(":orders:team:t1: missing in Redis (2 members"),
                          HasSubstr(":visits:company: in Redis (1 members), absent")));
  // Other periods are untouched; a row not yet applied shows as the relay being behind.
  diffs = relay->Verify("acme", "2025-W03");
  ASSERT_TRUE(diffs.ok()) << diffs.status();
  EXPECT_THAT(*diffs, IsEmpty());
  Ingest(*pool_, "acme", {Sale("r3", 1)});
  diffs = relay->Verify("acme", "2025-W03");
  ASSERT_TRUE(diffs.ok()) << diffs.status();
  EXPECT_THAT(*diffs, Contains(HasSubstr("the relay is behind: applied seq 1, outbox max seq 2")));
  EXPECT_EQ(relay->Verify("acme", "2025-01-15").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(relay->Verify("acme", "2025-13").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RelayTest, AnUndecodableRowIsSkippedByRebuildingFromTheRollups) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  Ingest(*pool_, "acme", {Sale("r1", 100)});
  // A corrupt row whose rollups did land (as the pipeline writes both).
  Sql("INSERT INTO ingest.rollup_daily (tenant_id, day, rep_id, team_id, sales_amount) "
      "VALUES ('acme', '2025-01-16', 'r2', 't1', 30)");
  Sql("INSERT INTO ingest.outbox (tenant_id, increments) VALUES ('acme', 'garbage')");
  const int64_t s3 = Ingest(*pool_, "acme", {Sale("r1", 1)});
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(relay->stats().rebuilds, 2);
  EXPECT_EQ(Applied(), s3);
  EXPECT_THAT(Board(kSalesCompany), ElementsAre("r1=101", "r2=30"));

  // A row from a newer encoding stops the relay instead (rows wait for an upgraded one).
  Sql("INSERT INTO ingest.outbox (tenant_id, increments) VALUES ('acme', 'lb3\nwhatever\n')");
  Ingest(*pool_, "acme", {Sale("r1", 1)});
  n = relay->ApplyPending();
  EXPECT_EQ(n.status().code(), absl::StatusCode::kFailedPrecondition) << n.status();
  EXPECT_THAT(n.status().message(), HasSubstr("lb3"));
  EXPECT_EQ(Applied(), s3);
  EXPECT_EQ(relay->stats().rebuilds, 2);
}

TEST_F(RelayTest, AWrongTypeKeyFailsTheBatchBeforeAnyWrite) {
  auto relay = NewRelay();
  ASSERT_TRUE(relay->ApplyPending().ok());
  Ingest(*pool_, "acme", {Sale("r1", 100)});
  ASSERT_TRUE(relay->ApplyPending().ok());
  const int64_t applied = Applied();
  const std::string team = BoardKey("acme", "2025-01", BoardMetric::kSales, "team:t1");
  Cmd({"DEL", team});
  Cmd({"SET", team, "not a board"});
  Ingest(*pool_, "acme", {Sale("r1", 5)});
  absl::StatusOr<int> n = relay->ApplyPending();
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.status().message(), HasSubstr("WRONGTYPE"));
  EXPECT_EQ(Score(kSalesCompany, "r1"), 100);  // untouched
  EXPECT_EQ(Applied(), applied);
  // Repaired (the key removed), the batch applies once.
  Cmd({"DEL", team});
  n = relay->ApplyPending();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Score(kSalesCompany, "r1"), 105);
}

TEST_F(RelayTest, ShardsKeepTheirOwnAppliedSeq) {
  OutboxRelay::Options o;
  o.shard = "blue";
  auto relay = NewRelay(o);
  Ingest(*pool_, "acme", {Sale("r1", 3)});
  ASSERT_TRUE(relay->ApplyPending().ok());
  EXPECT_EQ(Applied("blue"), 1);
  EXPECT_EQ(Applied("0"), -1);
}

// The relay's own thread: catches up continuously, survives a Redis outage
// and a FLUSHALL under a concurrent writer, and ends with exact boards.
TEST_F(RelayTest, RunLoopCatchesUpThroughOutagesUnderConcurrentWrites) {
  OutboxRelay::Options o;
  o.poll_interval = absl::Milliseconds(5);
  o.min_backoff = absl::Milliseconds(10);
  o.max_backoff = absl::Milliseconds(100);
  o.trim_interval = absl::Milliseconds(50);
  o.retention = absl::Milliseconds(200);
  auto relay = NewRelay(o);
  relay->Start();

  // A first row shows up promptly.
  Ingest(*pool_, "acme", {Sale("r0", 1)});
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Score(kSalesCompany, "r0") != 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(Score(kSalesCompany, "r0"), 1);

  const std::vector<absl::CivilDay> days = {absl::CivilDay(2025, 1, 15),
                                            absl::CivilDay(2025, 2, 20)};
  std::atomic<int> written{0};
  std::thread writer([&] {
    std::mt19937 rng(11);
    for (int i = 0; i < 300; ++i) {
      Fact f = Sale(absl::StrCat("r", rng() % 6), 1 + rng() % 100, absl::StrCat("t", rng() % 2));
      f.day = days[rng() % days.size()];
      f.collected = rng() % 50;
      f.receivable_due = rng() % 80;
      f.won = rng() % 2;
      f.lost = rng() % 2;
      Ingest(*pool_, i % 3 == 0 ? "beta" : "acme", {f});
      written.fetch_add(1);
      if (i % 10 == 0) absl::SleepFor(absl::Milliseconds(1));
    }
  });
  auto wait_written = [&](int n) {
    while (written.load() < n) absl::SleepFor(absl::Milliseconds(1));
  };
  wait_written(60);
  ASSERT_EQ(Cmd({"FLUSHALL"}).str, "OK");
  wait_written(120);
  redis_server_->Stop();
  wait_written(200);
  redis_server_->Start();  // empty; the relay's client reconnects by itself
  writer.join();

  // Caught up: the applied seq reaches the outbox's last seq and the boards agree.
  int64_t last = 0;
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) -> absl::Status {
                    last = tx.exec1("SELECT max(seq) FROM ingest.outbox")[0].as<int64_t>();
                    return absl::OkStatus();
                  })
                  .ok());
  deadline = absl::Now() + absl::Seconds(20);
  while (Applied() != last && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(Applied(), last);
  // Applied rows older than the retention are trimmed by the loop.
  deadline = absl::Now() + absl::Seconds(10);
  while (relay->stats().rows_trimmed == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GT(relay->stats().rows_trimmed, 0);
  const absl::Time stop_start = absl::Now();
  relay->Stop();
  EXPECT_LT(absl::Now() - stop_start, absl::Seconds(1));
  EXPECT_GE(relay->stats().rebuilds, 2);  // after the FLUSHALL and after the restart
  for (const char* tenant : {"acme", "beta"}) {
    EXPECT_THAT(VerifyAll(*relay, tenant, days), IsEmpty());
  }
  // And the boards are exactly what a rebuild makes of the rollups.
  const std::map<std::string, std::string> live = DumpBoards();
  ASSERT_TRUE(relay->Rebuild().ok());
  EXPECT_EQ(DumpBoards(), live);
}

}  // namespace
}  // namespace attain::ingest
