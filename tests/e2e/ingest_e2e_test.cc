// End to end: attain-target and attain-ingest binaries over gRPC, with real
// PostgreSQL and Redis: events in, outcomes out, live boards in Redis.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "common/leaderboard.h"
#include "common/pg.h"
#include "common/redis.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain {
namespace {

namespace iv1 = ::attain::ingest::v1;
namespace tv1 = ::attain::target::v1;
using ::testing::HasSubstr;

constexpr char kKey[] = "e2e-ingest-signing-key-0123456789abcdef";

class IngestE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_ = new testing::RedisTestServer();
    db_ = testing::PgTestServer::Shared().CreateDatabase("ingest_e2e");
    const std::string& db = db_;
    auto target = testing::ServiceProcess::Start(
        {ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kKey}, {}});
    ASSERT_TRUE(target.ok()) << target.status();
    target_ = target->release();
    auto ingest =
        testing::ServiceProcess::Start({ATTAIN_INGEST_BINARY,
                                        {"--pg-url", db, "--redis-url", redis_->url(), "--jwt-key",
                                         kKey, "--target-addr", target_->address()},
                                        {}});
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = ingest->release();
  }
  static void TearDownTestSuite() {
    delete ingest_;
    delete target_;
    delete redis_;
  }

  static std::string Token(const std::string& tenant, Role role) {
    Principal p{tenant, "tester", role, "", {}};
    return *MintToken(kKey, p, absl::Now(), absl::Hours(1));
  }
  static void Auth(grpc::ClientContext& ctx, const std::string& token) {
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  // A company with one region, two teams and three reps.
  void MakeOrg(const std::string& tenant) {
    auto org = tv1::OrgService::NewStub(target_->NewChannel());
    const std::string token = Token(tenant, Role::kAdmin);
    auto unit = [&](const char* id, const char* parent, tv1::OrgUnitKind kind) {
      tv1::CreateOrgUnitRequest req;
      req.set_unit_id(id);
      req.set_parent_id(parent);
      req.set_name(id);
      req.set_kind(kind);
      tv1::CreateOrgUnitResponse resp;
      grpc::ClientContext ctx;
      Auth(ctx, token);
      ASSERT_TRUE(org->CreateOrgUnit(&ctx, req, &resp).ok());
    };
    unit("co", "", tv1::ORG_UNIT_KIND_COMPANY);
    unit("east", "co", tv1::ORG_UNIT_KIND_REGION);
    unit("t1", "east", tv1::ORG_UNIT_KIND_TEAM);
    unit("t2", "east", tv1::ORG_UNIT_KIND_TEAM);
    for (const auto& [rep, team] : std::vector<std::pair<const char*, const char*>>{
             {"r1", "t1"}, {"r2", "t1"}, {"r3", "t2"}}) {
      tv1::CreateRepRequest req;
      req.set_rep_id(rep);
      req.set_name(rep);
      req.set_team_id(team);
      req.set_hire_date("2020-01-01");
      tv1::CreateRepResponse resp;
      grpc::ClientContext ctx;
      Auth(ctx, token);
      ASSERT_TRUE(org->CreateRep(&ctx, req, &resp).ok());
    }
  }

  static iv1::Event Order(const std::string& id, int64_t version, const std::string& rep,
                          int64_t amount, iv1::OrderStatus status = iv1::ORDER_STATUS_SIGNED,
                          const std::string& day = "2025-01-15") {
    iv1::Event e;
    e.set_source("crm");
    e.set_event_id(absl::StrCat(id, "-v", version));
    e.set_occurred_at(day + "T10:00:00+08:00");
    iv1::Order* o = e.mutable_order();
    o->set_order_id(id);
    o->set_version(version);
    o->set_customer_id("cust-" + id);
    o->set_rep_id(rep);
    o->set_product_line_id("a");
    o->mutable_amount()->set_currency_code("CNY");
    o->mutable_amount()->set_minor_units(amount);
    o->mutable_gross_profit()->set_currency_code("CNY");
    o->mutable_gross_profit()->set_minor_units(amount / 4);
    o->set_status(status);
    o->set_signed_date(day);
    return e;
  }

  std::vector<iv1::Outcome> Ingest(const std::string& tenant, std::vector<iv1::Event> events,
                                   iv1::IngestBatchResponse* out = nullptr) {
    auto stub = iv1::IngestService::NewStub(ingest_->NewChannel());
    iv1::IngestBatchRequest req;
    for (auto& e : events) *req.add_events() = e;
    iv1::IngestBatchResponse resp;
    grpc::ClientContext ctx;
    Auth(ctx, Token(tenant, Role::kCrmIngest));
    grpc::Status st = stub->IngestBatch(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<iv1::Outcome> outcomes;
    for (const auto& o : resp.outcomes()) outcomes.push_back(o.outcome());
    if (out != nullptr) *out = resp;
    return outcomes;
  }

  // Polls the board until `member` has `want` (the relay applies
  // asynchronously) and returns the last value seen.
  int64_t WaitForScore(const std::string& key, const std::string& member, int64_t want) {
    RedisClient redis(*RedisClient::ParseUrl(redis_->url()));
    int64_t got = -1;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      auto r = redis.Command({"ZSCORE", key, member});
      if (r.ok() && r->type == RedisReply::Type::kString) got = std::stoll(r->str);
      if (got == want) return got;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return got;
  }

  static std::unique_ptr<testing::ServiceProcess> StartIngest() {
    auto ingest =
        testing::ServiceProcess::Start({ATTAIN_INGEST_BINARY,
                                        {"--pg-url", db_, "--redis-url", redis_->url(), "--jwt-key",
                                         kKey, "--target-addr", target_->address()},
                                        {}});
    EXPECT_TRUE(ingest.ok()) << ingest.status();
    return ingest.ok() ? *std::move(ingest) : nullptr;
  }

  static std::string db_;
  static testing::RedisTestServer* redis_;
  static testing::ServiceProcess* target_;
  static testing::ServiceProcess* ingest_;
};

std::string IngestE2eTest::db_;
testing::RedisTestServer* IngestE2eTest::redis_ = nullptr;
testing::ServiceProcess* IngestE2eTest::target_ = nullptr;
testing::ServiceProcess* IngestE2eTest::ingest_ = nullptr;

TEST_F(IngestE2eTest, DuplicatesStaleVersionsDifferencesAndCancellationsOnTheBoards) {
  MakeOrg("acme");
  using O = iv1::Outcome;
  // r1 sells 1,000.00 and 500.00; r2 sells 300.00.
  EXPECT_THAT(
      Ingest("acme", {Order("o1", 1, "r1", 100000), Order("o2", 1, "r1", 50000),
                      Order("o3", 1, "r2", 30000)}),
      ::testing::ElementsAre(O::OUTCOME_ACCEPTED, O::OUTCOME_ACCEPTED, O::OUTCOME_ACCEPTED));
  const std::string month = BoardKey("acme", "2025-01", BoardMetric::kSales, "company");
  EXPECT_EQ(WaitForScore(month, "r1", 150000), 150000);
  // The CRM resends o1 v1: a duplicate. o1 v3 raises it to 1,200.00
  // (+200.00); o2 is cancelled: −500.00. Then v2 of o1 arrives late: stale.
  EXPECT_THAT(
      Ingest("acme", {Order("o1", 1, "r1", 100000), Order("o1", 3, "r1", 120000),
                      Order("o2", 2, "r1", 50000, iv1::ORDER_STATUS_CANCELLED)}),
      ::testing::ElementsAre(O::OUTCOME_DUPLICATE, O::OUTCOME_ACCEPTED, O::OUTCOME_ACCEPTED));
  EXPECT_THAT(Ingest("acme", {Order("o1", 2, "r1", 110000)}),
              ::testing::ElementsAre(O::OUTCOME_STALE_VERSION));
  // Versions of one order inside one batch count in version order, whatever
  // their order in the batch: o4 ends at v2's 400.00 for r2.
  EXPECT_THAT(Ingest("acme", {Order("o4", 2, "r2", 40000), Order("o4", 1, "r2", 90000)}),
              ::testing::Each(O::OUTCOME_ACCEPTED));
  EXPECT_EQ(WaitForScore(month, "r2", 70000), 70000);
  EXPECT_EQ(WaitForScore(month, "r1", 120000), 120000);
  // The same figures on the quarter, year, region, team and product line boards.
  EXPECT_EQ(
      WaitForScore(BoardKey("acme", "2025-Q1", BoardMetric::kSales, "region:east"), "r1", 120000),
      120000);
  EXPECT_EQ(WaitForScore(BoardKey("acme", "2025", BoardMetric::kSales, "team:t1"), "r2", 70000),
            70000);
  EXPECT_EQ(WaitForScore(BoardKey("acme", "2025-01", BoardMetric::kSales, "pl:a"), "r1", 120000),
            120000);
  EXPECT_EQ(WaitForScore(BoardKey("acme", "2025-01", BoardMetric::kOrders, "company"), "r1", 1), 1);
}

TEST_F(IngestE2eTest, BadEventsAreRejectedWithTheirFieldAndGoodOnesKept) {
  MakeOrg("bad");
  iv1::Event negative = Order("n1", 1, "r1", -5);
  iv1::Event unknown_rep = Order("n2", 1, "nobody", 100);
  iv1::IngestBatchResponse resp;
  std::vector<iv1::Outcome> outcomes =
      Ingest("bad", {Order("g1", 1, "r1", 700), negative, unknown_rep}, &resp);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0], iv1::OUTCOME_ACCEPTED);
  EXPECT_EQ(outcomes[1], iv1::OUTCOME_REJECTED);
  EXPECT_EQ(resp.outcomes(1).field(), "order.amount.minor_units");
  EXPECT_EQ(outcomes[2], iv1::OUTCOME_REJECTED);
  EXPECT_EQ(resp.outcomes(2).field(), "order.rep_id");
  EXPECT_EQ(WaitForScore(BoardKey("bad", "2025-01", BoardMetric::kSales, "company"), "r1", 700),
            700);

  auto stub = iv1::IngestService::NewStub(ingest_->NewChannel());
  iv1::ListRejectedEventsRequest req;
  iv1::ListRejectedEventsResponse list;
  grpc::ClientContext ctx;
  Auth(ctx, Token("bad", Role::kAdmin));
  ASSERT_TRUE(stub->ListRejectedEvents(&ctx, req, &list).ok());
  ASSERT_EQ(list.events_size(), 2);
  EXPECT_EQ(list.events(0).event_id(), "n2-v1");  // newest first
  EXPECT_EQ(list.events(1).field(), "order.amount.minor_units");
  EXPECT_EQ(list.events(1).event().order().amount().minor_units(), -5);  // kept as received
}

TEST_F(IngestE2eTest, StreamAcknowledgesEveryBatchInOrderOnceDurable) {
  MakeOrg("stream");
  auto stub = iv1::IngestService::NewStub(ingest_->NewChannel());
  grpc::ClientContext ctx;
  Auth(ctx, Token("stream", Role::kCrmIngest));
  auto stream = stub->StreamIngest(&ctx);
  // 30 batches of 20 orders of 1.00 each for r3: 600 orders, 600.00.
  for (int b = 0; b < 30; ++b) {
    iv1::StreamIngestRequest req;
    req.set_batch_seq(b);
    for (int i = 0; i < 20; ++i) {
      *req.add_events() = Order(absl::StrCat("s", b, "-", i), 1, "r3", 100);
    }
    ASSERT_TRUE(stream->Write(req));
  }
  stream->WritesDone();
  iv1::StreamIngestResponse ack;
  int64_t expected = 0;
  int accepted = 0;
  while (stream->Read(&ack)) {
    EXPECT_EQ(ack.batch_seq(), expected++);
    for (const auto& o : ack.outcomes()) accepted += o.outcome() == iv1::OUTCOME_ACCEPTED;
  }
  grpc::Status st = stream->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(expected, 30);
  EXPECT_EQ(accepted, 600);
  EXPECT_EQ(
      WaitForScore(BoardKey("stream", "2025-01", BoardMetric::kSales, "company"), "r3", 60000),
      60000);
}

TEST_F(IngestE2eTest, OnlyIngestRolesMayWrite) {
  auto stub = iv1::IngestService::NewStub(ingest_->NewChannel());
  iv1::IngestBatchRequest req;
  *req.add_events() = Order("x", 1, "r1", 1);
  iv1::IngestBatchResponse resp;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->IngestBatch(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    Auth(ctx, Token("acme", Role::kRep));
    EXPECT_EQ(stub->IngestBatch(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    iv1::IngestBatchRequest empty;
    grpc::ClientContext ctx;
    Auth(ctx, Token("acme", Role::kCrmIngest));
    grpc::Status st = stub->IngestBatch(&ctx, empty, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("at least one event"));
  }
}

TEST_F(IngestE2eTest, RedisDownKeepsIngestingAndTheBoardsCatchUpWhenItReturnsEmpty) {
  MakeOrg("outage");
  const std::string key = BoardKey("outage", "2025-01", BoardMetric::kSales, "company");
  Ingest("outage", {Order("p1", 1, "r1", 1000)});
  ASSERT_EQ(WaitForScore(key, "r1", 1000), 1000);
  redis_->Stop();
  // Ingestion goes on: the batch is durable in PostgreSQL.
  EXPECT_THAT(Ingest("outage", {Order("p2", 1, "r1", 2000)}),
              ::testing::ElementsAre(iv1::OUTCOME_ACCEPTED));
  redis_->Start();  // empty: the relay rebuilds the boards from the rollups
  EXPECT_EQ(WaitForScore(key, "r1", 3000), 3000);
}

// The ingest process is killed with SIGKILL in the middle of a stream and
// restarted; the client resends every batch it had no acknowledgement for.
// Every event must count exactly once: on the boards and in the rollups.
TEST_F(IngestE2eTest, SigkillMidStreamThenResendingUnacknowledgedBatchesCountsEachEventOnce) {
  MakeOrg("crash");
  constexpr int kBatches = 200, kPerBatch = 50;  // 10,000 orders of 1.00 for r1
  auto batch = [](int b) {
    iv1::StreamIngestRequest req;
    req.set_batch_seq(b);
    for (int i = 0; i < kPerBatch; ++i) {
      *req.add_events() = Order(absl::StrCat("k", b, "-", i), 1, "r1", 100);
    }
    return req;
  };
  std::unique_ptr<testing::ServiceProcess> ingest = StartIngest();
  ASSERT_NE(ingest, nullptr);
  std::set<int64_t> acked;
  {
    auto stub = iv1::IngestService::NewStub(ingest->NewChannel());
    grpc::ClientContext ctx;
    Auth(ctx, Token("crash", Role::kCrmIngest));
    auto stream = stub->StreamIngest(&ctx);
    std::thread writer([&] {
      for (int b = 0; b < kBatches; ++b) {
        if (!stream->Write(batch(b))) break;
      }
      stream->WritesDone();
    });
    iv1::StreamIngestResponse ack;
    while (stream->Read(&ack)) {
      acked.insert(ack.batch_seq());
      if (acked.size() == 40) ingest->Kill();  // SIGKILL mid-stream
    }
    writer.join();
    (void)stream->Finish();
  }
  ASSERT_GE(acked.size(), 40u);
  ASSERT_LT(acked.size(), static_cast<size_t>(kBatches)) << "the kill came too late to matter";

  // Restart and resend what was not acknowledged (some of it was committed
  // before the kill: those events come back as duplicates).
  ingest = StartIngest();
  ASSERT_NE(ingest, nullptr);
  int accepted_again = 0, duplicates = 0;
  {
    auto stub = iv1::IngestService::NewStub(ingest->NewChannel());
    grpc::ClientContext ctx;
    Auth(ctx, Token("crash", Role::kCrmIngest));
    auto stream = stub->StreamIngest(&ctx);
    int sent = 0;
    for (int b = 0; b < kBatches; ++b) {
      if (acked.count(b) == 0) {
        ASSERT_TRUE(stream->Write(batch(b)));
        ++sent;
      }
    }
    stream->WritesDone();
    iv1::StreamIngestResponse ack;
    int acks = 0;
    while (stream->Read(&ack)) {
      ++acks;
      for (const auto& o : ack.outcomes()) {
        accepted_again += o.outcome() == iv1::OUTCOME_ACCEPTED;
        duplicates += o.outcome() == iv1::OUTCOME_DUPLICATE;
      }
    }
    ASSERT_TRUE(stream->Finish().ok());
    EXPECT_EQ(acks, sent);
    EXPECT_EQ(accepted_again + duplicates, sent * kPerBatch);
  }
  // Each of the 10,000 orders of 1.00 (100 minor units) counted exactly once.
  const int64_t total = int64_t{kBatches} * kPerBatch * 100;
  EXPECT_EQ(WaitForScore(BoardKey("crash", "2025-01", BoardMetric::kSales, "company"), "r1", total),
            total);
  EXPECT_EQ(WaitForScore(BoardKey("crash", "2025-01", BoardMetric::kOrders, "team:t1"), "r1",
                         kBatches * kPerBatch),
            kBatches * kPerBatch);
  // And the rollups agree with a recomputation from the accepted events.
  auto pool = PgPool::Create({db_, 1});
  ASSERT_TRUE(pool.ok());
  int64_t sum = -1, count = -1;
  ASSERT_TRUE((*pool)
                  ->InTransaction([&](pqxx::work& tx) {
                    pqxx::row r = tx.exec1(
                        "SELECT coalesce(sum(sales_amount), 0), coalesce(sum(order_count), 0) "
                        "FROM ingest.rollup_daily WHERE tenant_id = 'crash'");
                    sum = r[0].as<int64_t>();
                    count = r[1].as<int64_t>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(sum, total);
  EXPECT_EQ(count, kBatches * kPerBatch);
}

// The queries evaluation relies on, over gRPC: actuals summed from the
// rollups, grouped by rep, and the roles that may read them.
TEST_F(IngestE2eTest, ActualsOverGrpcAndWhoMayReadThem) {
  MakeOrg("query");
  // r1: 1,000.00 + 250.00 in January; r3: 400.00 in February; all 2025-Q1.
  Ingest("query", {Order("q1", 1, "r1", 100000), Order("q2", 1, "r1", 25000),
                   Order("q3", 1, "r3", 40000, iv1::ORDER_STATUS_SIGNED, "2025-02-03")});
  auto stub = iv1::IngestQueryService::NewStub(ingest_->NewChannel());
  auto actuals = [&](Role role, const std::string& subject, iv1::GroupBy group_by,
                     const std::string& rep, iv1::GetActualsResponse* out) {
    iv1::GetActualsRequest req;
    req.set_period("2025-Q1");
    req.set_group_by(group_by);
    if (!rep.empty()) {
      req.mutable_scope()->set_kind(attain::type::v1::SCOPE_KIND_REP);
      req.mutable_scope()->set_id(rep);
    }
    Principal p{"query", subject, role, "", {}};
    grpc::ClientContext ctx;
    Auth(ctx, *MintToken(kKey, p, absl::Now(), absl::Hours(1)));
    return stub->GetActuals(&ctx, req, out);
  };
  iv1::GetActualsResponse company;
  ASSERT_TRUE(actuals(Role::kDirector, "boss", iv1::GROUP_BY_NONE, "", &company).ok());
  ASSERT_EQ(company.rows_size(), 1);
  EXPECT_EQ(company.rows(0).components().sales_amount(), 165000);
  EXPECT_EQ(company.rows(0).components().order_count(), 3);
  EXPECT_EQ(company.rows(0).components().gross_profit(), 25000 + 6250 + 10000);

  iv1::GetActualsResponse by_rep;
  ASSERT_TRUE(actuals(Role::kService, "attain-eval", iv1::GROUP_BY_REP, "", &by_rep).ok());
  std::map<std::string, int64_t> sales;
  for (const auto& row : by_rep.rows()) sales[row.group_key()] = row.components().sales_amount();
  EXPECT_EQ(sales, (std::map<std::string, int64_t>{{"r1", 125000}, {"r3", 40000}}));

  // A rep reads their own figures, not another rep's.
  iv1::GetActualsResponse own;
  ASSERT_TRUE(actuals(Role::kRep, "r3", iv1::GROUP_BY_NONE, "r3", &own).ok());
  EXPECT_EQ(own.rows(0).components().sales_amount(), 40000);
  EXPECT_EQ(actuals(Role::kRep, "r3", iv1::GROUP_BY_NONE, "r1", &own).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Another tenant sees nothing of this one.
  Principal other{"elsewhere", "boss", Role::kDirector, "", {}};
  iv1::GetActualsRequest req;
  req.set_period("2025-Q1");
  iv1::GetActualsResponse none;
  grpc::ClientContext ctx;
  Auth(ctx, *MintToken(kKey, other, absl::Now(), absl::Hours(1)));
  ASSERT_TRUE(stub->GetActuals(&ctx, req, &none).ok());
  for (const auto& row : none.rows()) EXPECT_EQ(row.components().sales_amount(), 0);

  // Bad input names the field.
  iv1::GetActualsResponse bad;
  iv1::GetActualsRequest bad_req;
  bad_req.set_period("2025-Q5");
  grpc::ClientContext bad_ctx;
  Auth(bad_ctx, Token("query", Role::kDirector));
  grpc::Status st = stub->GetActuals(&bad_ctx, bad_req, &bad);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("period"));
}

TEST_F(IngestE2eTest, ComplianceReportsAreForManagementNotReps) {
  auto stub = iv1::ComplianceService::NewStub(ingest_->NewChannel());
  iv1::ListLateFollowUpRecordsRequest req;
  req.set_period("2025-01");
  iv1::ListLateFollowUpRecordsResponse resp;
  {
    grpc::ClientContext ctx;
    Auth(ctx, Token("acme", Role::kRep));
    EXPECT_EQ(stub->ListLateFollowUpRecords(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    Auth(ctx, Token("acme", Role::kDirector));
    grpc::Status st = stub->ListLateFollowUpRecords(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
}

}  // namespace
}  // namespace attain
