// End to end: the limits a client can hit (docs/limits.md), against the real
// binaries (attain-target, attain-ingest, attain-eval and attain-review over
// one fresh PostgreSQL database and Redis). Each limit is probed on both sides:
// a request exactly at the limit is served, one past it is refused with the
// documented status and a message naming the field and the limit.
//
// The numbers are the documented ones, written out here by hand: a test that
// read them from the code would pass whatever the code said.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/board_watcher.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"

namespace attain {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace rv1 = ::attain::review::v1;
namespace tv1 = ::attain::target::v1;
using ::attain::testing::Fails;
using ::attain::testing::IsOk;
using grpc::StatusCode;

constexpr char kKey[] = "e2e-limits-signing-key-0123456789abcdefghij";

// docs/limits.md, by hand.
constexpr int kMaxMessageBytes = 16 << 20;  // a request message, any service
constexpr int kMaxBatchEvents = 1000;       // IngestBatch / one StreamIngest message
constexpr int kMaxIngestStreams = 64;       // StreamIngest calls per attain-ingest
constexpr int kMaxWatches = 1000;           // WatchLeaderboard calls per attain-eval

// `n` copies of `unit` (one character, possibly several UTF-8 bytes).
std::string Repeat(const std::string& unit, int n) {
  std::string s;
  s.reserve(unit.size() * n);
  for (int i = 0; i < n; ++i) s += unit;
  return s;
}

using ::attain::testing::WaitFor;

using ::attain::testing::BoardWatcher;

// One open StreamIngest call (synchronous API, driven from the test thread).
struct IngestStream {
  std::unique_ptr<grpc::ClientContext> ctx;
  std::unique_ptr<grpc::ClientReaderWriter<iv1::StreamIngestRequest, iv1::StreamIngestResponse>> rw;
};

class LimitsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "limits_e2e", kKey}, ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    absl::StatusOr<std::unique_ptr<testing::ServiceProcess>> review =
        testing::StartReview(*stack_, ATTAIN_REVIEW_BINARY, kKey, "2025-06-01T00:00:00Z");
    ASSERT_TRUE(review.ok()) << review.status();
    review_ = review->release();
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(stack_, nullptr);
    ASSERT_NE(review_, nullptr);
    tenant_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  std::string Token(Role role, const std::string& subject = "tester") const {
    return stack_->Token(tenant_, role, subject);
  }

  // Company "co", region "east", team "t1" with rep "r1".
  void MakeOrg() {
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    const std::string admin = Token(Role::kAdmin);
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "co", "", tv1::ORG_UNIT_KIND_COMPANY).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "east", "co", tv1::ORG_UNIT_KIND_REGION).ok());
    ASSERT_TRUE(testing::CreateUnit(*org, admin, "t1", "east", tv1::ORG_UNIT_KIND_TEAM).ok());
    ASSERT_TRUE(testing::CreateRep(*org, admin, "r1", "t1").ok());
  }

  grpc::Status CreateOrgUnit(const tv1::CreateOrgUnitRequest& req) {
    auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
    tv1::CreateOrgUnitResponse resp;
    grpc::ClientContext ctx;
    testing::Authorize(ctx, Token(Role::kAdmin));
    return org->CreateOrgUnit(&ctx, req, &resp);
  }

  grpc::Status IngestBatch(const iv1::IngestBatchRequest& req, iv1::IngestBatchResponse* resp) {
    auto ingest = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
    grpc::ClientContext ctx;
    testing::Authorize(ctx, Token(Role::kCrmIngest, "crm"));
    return ingest->IngestBatch(&ctx, req, resp);
  }

  // Ingests `events` in one batch and returns its outcomes (none if the call failed).
  std::vector<iv1::EventOutcome> Ingest(const std::vector<iv1::Event>& events) {
    iv1::IngestBatchRequest req;
    for (const iv1::Event& e : events) *req.add_events() = e;
    iv1::IngestBatchResponse resp;
    grpc::Status st = IngestBatch(req, &resp);
    EXPECT_TRUE(IsOk(st));
    return {resp.outcomes().begin(), resp.outcomes().end()};
  }

  // Opens a StreamIngest call on `channel`.
  IngestStream OpenStream(const std::shared_ptr<grpc::Channel>& channel) {
    IngestStream s;
    s.ctx = std::make_unique<grpc::ClientContext>();
    testing::Authorize(*s.ctx, Token(Role::kCrmIngest, "crm"));
    s.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(2));
    s.rw = iv1::IngestService::NewStub(channel)->StreamIngest(s.ctx.get());
    return s;
  }

  // Sends batch `seq` of one order (`order_id`, 100.00 for r1) and waits for
  // its acknowledgement; false if the stream ended instead.
  static bool SendOrder(IngestStream& s, int64_t seq, const std::string& order_id) {
    iv1::StreamIngestRequest req;
    req.set_batch_seq(seq);
    *req.add_events() = testing::OrderEvent(order_id, 1, "r1", 10000, "2025-01-15");
    iv1::StreamIngestResponse ack;
    return s.rw->Write(req) && s.rw->Read(&ack) && ack.batch_seq() == seq &&
           ack.outcomes_size() == 1 && ack.outcomes(0).outcome() == iv1::OUTCOME_ACCEPTED;
  }

  static testing::IngestStack* stack_;
  static testing::ServiceProcess* review_;
  std::string tenant_;
};

testing::IngestStack* LimitsE2eTest::stack_ = nullptr;
testing::ServiceProcess* LimitsE2eTest::review_ = nullptr;

// ------------------------------------------------------------ message size

TEST_F(LimitsE2eTest, RequestOverTheMaxMessageSizeIsResourceExhausted) {
  MakeOrg();
  // Just under 16 MiB the request reaches the handler, which refuses the
  // name for its length: the cut is at the documented size, not below.
  tv1::CreateOrgUnitRequest unit;
  unit.set_unit_id("big");
  unit.set_parent_id("co");
  unit.set_kind(tv1::ORG_UNIT_KIND_REGION);
  unit.set_name(std::string(kMaxMessageBytes - 1024, 'x'));
  ASSERT_LT(unit.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
  EXPECT_TRUE(Fails(CreateOrgUnit(unit), StatusCode::INVALID_ARGUMENT, {"name", "at most 200"}));
  // Past 16 MiB gRPC refuses it before any handler runs.
  unit.set_name(std::string(kMaxMessageBytes, 'x'));
  ASSERT_GT(unit.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
  EXPECT_TRUE(Fails(CreateOrgUnit(unit), StatusCode::RESOURCE_EXHAUSTED,
                    {"larger than max", absl::StrCat(kMaxMessageBytes)}));

  // The same on attain-ingest, whose batches are the largest messages.
  iv1::IngestBatchRequest batch;
  for (int i = 0; i < 17; ++i) {
    iv1::Event e = testing::OrderEvent(absl::StrCat("big", i), 1, "r1", 100, "2025-01-15");
    e.set_event_id(absl::StrCat(std::string(1 << 20, 'e'), i));  // 1 MiB each
    *batch.add_events() = e;
  }
  ASSERT_GT(batch.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
  iv1::IngestBatchResponse resp;
  EXPECT_TRUE(Fails(IngestBatch(batch, &resp), StatusCode::RESOURCE_EXHAUSTED,
                    {"larger than max", absl::StrCat(kMaxMessageBytes)}));

  // Both still serve.
  unit.set_name("big region");
  EXPECT_TRUE(IsOk(CreateOrgUnit(unit)));
  std::vector<iv1::EventOutcome> out =
      Ingest({testing::OrderEvent("small", 1, "r1", 100, "2025-01-15")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].outcome(), iv1::OUTCOME_ACCEPTED) << out[0].reason();
}

// ------------------------------------------------------------ batch size

TEST_F(LimitsE2eTest, IngestBatchOverTheMaxEventsIsInvalidArgument) {
  MakeOrg();
  iv1::IngestBatchRequest req;
  for (int i = 0; i <= kMaxBatchEvents; ++i) {
    *req.add_events() = testing::OrderEvent(absl::StrCat("o", i), 1, "r1", 100, "2025-01-15");
  }
  iv1::IngestBatchResponse resp;
  EXPECT_TRUE(Fails(IngestBatch(req, &resp), StatusCode::INVALID_ARGUMENT,
                    {"events has 1001 events", "at most 1000"}));

  // Exactly 1000: every one is counted.
  req.mutable_events()->RemoveLast();
  resp.Clear();
  ASSERT_TRUE(IsOk(IngestBatch(req, &resp)));
  ASSERT_EQ(resp.outcomes_size(), kMaxBatchEvents);
  for (const iv1::EventOutcome& o : resp.outcomes()) {
    ASSERT_EQ(o.outcome(), iv1::OUTCOME_ACCEPTED) << o.index() << ": " << o.reason();
  }

  // On a stream, an oversized batch ends the stream, naming its batch_seq.
  IngestStream s = OpenStream(stack_->ingest().NewChannel());
  iv1::StreamIngestRequest big;
  big.set_batch_seq(7);
  for (int i = 0; i <= kMaxBatchEvents; ++i) {
    *big.add_events() = testing::OrderEvent(absl::StrCat("s", i), 1, "r1", 100, "2025-01-15");
  }
  s.rw->Write(big);
  s.rw->WritesDone();
  iv1::StreamIngestResponse ack;
  EXPECT_FALSE(s.rw->Read(&ack));
  EXPECT_TRUE(Fails(s.rw->Finish(), StatusCode::INVALID_ARGUMENT, {"batch_seq 7", "at most 1000"}));
}

// ------------------------------------------------------------ string lengths

TEST_F(LimitsE2eTest, StringsAtTheirMaxAreServedOneMoreIsRefusedNamingTheField) {
  MakeOrg();
  // attain-target: a name counts characters (UTF-8 code points), not bytes.
  tv1::CreateOrgUnitRequest unit;
  unit.set_parent_id("co");
  unit.set_kind(tv1::ORG_UNIT_KIND_REGION);
  unit.set_unit_id("n200");
  unit.set_name(Repeat("区", 200));
  EXPECT_TRUE(IsOk(CreateOrgUnit(unit)));
  unit.set_unit_id("n201");
  unit.set_name(Repeat("区", 201));
  EXPECT_TRUE(Fails(CreateOrgUnit(unit), StatusCode::INVALID_ARGUMENT,
                    {"name has 201 characters", "at most 200"}));
  // Ids: 64.
  unit.set_name("id64");
  unit.set_unit_id(std::string(64, 'u'));
  EXPECT_TRUE(IsOk(CreateOrgUnit(unit)));
  unit.set_unit_id(std::string(65, 'u'));
  EXPECT_TRUE(Fails(CreateOrgUnit(unit), StatusCode::INVALID_ARGUMENT,
                    {"unit_id is 65 characters long", "at most 64"}));
  // request_id: 128.
  unit.set_unit_id("rid128");
  unit.set_name("rid128");
  unit.set_request_id(std::string(128, 'r'));
  EXPECT_TRUE(IsOk(CreateOrgUnit(unit)));
  unit.set_unit_id("rid129");
  unit.set_request_id(std::string(129, 'r'));
  EXPECT_TRUE(Fails(CreateOrgUnit(unit), StatusCode::INVALID_ARGUMENT,
                    {"request_id has 129 characters", "at most 128"}));

  // attain-ingest: an event past a limit is REJECTED naming the field (the
  // batch itself is served). Event ids: 128 characters.
  iv1::Event at_max = testing::OrderEvent("id128", 1, "r1", 100, "2025-01-15");
  at_max.set_event_id(std::string(128, 'e'));
  iv1::Event over = testing::OrderEvent("id129", 1, "r1", 100, "2025-01-15");
  over.set_event_id(std::string(129, 'e'));
  // A customer's full name: 200 characters.
  iv1::Event customer;
  customer.set_source("crm");
  customer.set_event_id("cust-200");
  customer.set_occurred_at("2025-01-15T10:00:00+08:00");
  iv1::Customer* c = customer.mutable_customer();
  c->set_customer_id("c200");
  c->set_version(1);
  c->set_full_name(Repeat("客", 200));
  c->set_grade(iv1::CUSTOMER_GRADE_A);
  c->set_tier(iv1::CUSTOMER_TIER_GROWTH);
  c->set_owner_rep_id("r1");
  iv1::Event customer_over = customer;
  customer_over.set_event_id("cust-201");
  customer_over.mutable_customer()->set_customer_id("c201");
  customer_over.mutable_customer()->set_full_name(Repeat("客", 201));
  std::vector<iv1::EventOutcome> out = Ingest({at_max, over, customer, customer_over});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].outcome(), iv1::OUTCOME_ACCEPTED) << out[0].reason();
  EXPECT_EQ(out[1].outcome(), iv1::OUTCOME_REJECTED);
  EXPECT_EQ(out[1].field(), "event_id");
  EXPECT_NE(out[1].reason().find("at most 128"), std::string::npos) << out[1].reason();
  EXPECT_EQ(out[2].outcome(), iv1::OUTCOME_ACCEPTED) << out[2].reason();
  EXPECT_EQ(out[3].outcome(), iv1::OUTCOME_REJECTED);
  EXPECT_EQ(out[3].field(), "customer.full_name");
  EXPECT_NE(out[3].reason().find("at most 200"), std::string::npos) << out[3].reason();

  // attain-eval: a template's name, 200 characters.
  auto templates = ev1::TemplateService::NewStub(stack_->eval().NewChannel());
  auto create_template = [&](const std::string& id, const std::string& name) {
    ev1::CreateTemplateRequest req;
    req.set_template_id(id);
    *req.mutable_template_() = testing::SalesOnlyTemplate(name, {{"ok", 0}});
    ev1::CreateTemplateResponse resp;
    grpc::ClientContext ctx;
    testing::Authorize(ctx, Token(Role::kAdmin));
    return templates->CreateTemplate(&ctx, req, &resp);
  };
  EXPECT_TRUE(IsOk(create_template("t200", Repeat("模", 200))));
  EXPECT_TRUE(Fails(create_template("t201", Repeat("模", 201)), StatusCode::INVALID_ARGUMENT,
                    {"template.name", "at most 200"}));

  // attain-review: a committee's name, 200 characters; its id, 64.
  auto committees = rv1::CommitteeService::NewStub(review_->NewChannel());
  auto create_committee = [&](const std::string& id, const std::string& name) {
    rv1::CreateCommitteeRequest req;
    rv1::Committee* c = req.mutable_committee();
    c->set_committee_id(id);
    c->set_name(name);
    c->set_unit_id("co");
    for (const auto& [person, role] :
         {std::make_pair("gm", rv1::COMMITTEE_ROLE_CHAIR),
          std::make_pair("vp", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL)}) {
      rv1::CommitteeMember* m = c->add_members();
      m->set_person_id(person);
      m->set_name(person);
      m->set_role(role);
      m->set_department("sales");
      m->set_department_manager(true);
    }
    rv1::CreateCommitteeResponse resp;
    grpc::ClientContext ctx;
    testing::Authorize(ctx, Token(Role::kAdmin));
    return committees->CreateCommittee(&ctx, req, &resp);
  };
  EXPECT_TRUE(IsOk(create_committee("c200", Repeat("委", 200))));
  EXPECT_TRUE(Fails(create_committee("c201", Repeat("委", 201)), StatusCode::INVALID_ARGUMENT,
                    {"committee.name has 201 characters", "at most 200"}));
  EXPECT_TRUE(IsOk(create_committee(std::string(64, 'c'), "committee")));
  EXPECT_TRUE(Fails(create_committee(std::string(65, 'c'), "committee"),
                    StatusCode::INVALID_ARGUMENT,
                    {"committee.committee_id is 65 characters long", "at most 64"}));
}

// ------------------------------------------------------------ page sizes

TEST_F(LimitsE2eTest, PageSizeAboveTheMaxIsCoercedToTheMax) {
  // 1001 rejected events (no kind set) to list.
  std::vector<iv1::Event> broken;
  for (int i = 0; i < 1001; ++i) {
    iv1::Event e;
    e.set_source("crm");
    e.set_event_id(absl::StrCat("bad-", i));
    e.set_occurred_at("2025-01-15T10:00:00+08:00");
    broken.push_back(e);
    if (broken.size() == static_cast<size_t>(kMaxBatchEvents) || i == 1000) {
      std::vector<iv1::EventOutcome> out = Ingest(broken);
      ASSERT_EQ(out.size(), broken.size());
      for (const iv1::EventOutcome& o : out) ASSERT_EQ(o.outcome(), iv1::OUTCOME_REJECTED);
      broken.clear();
    }
  }
  auto ingest = iv1::IngestService::NewStub(stack_->ingest().NewChannel());
  auto list = [&](int page_size, const std::string& token, iv1::ListRejectedEventsResponse* resp) {
    iv1::ListRejectedEventsRequest req;
    req.set_page_size(page_size);
    req.set_page_token(token);
    grpc::ClientContext ctx;
    testing::Authorize(ctx, Token(Role::kAdmin));
    return ingest->ListRejectedEvents(&ctx, req, resp);
  };
  // ListRejectedEvents: default 100, maximum 1000 (AIP-158: a larger size is
  // served as the maximum, not refused).
  iv1::ListRejectedEventsResponse page;
  ASSERT_TRUE(IsOk(list(1000000, "", &page)));
  EXPECT_EQ(page.events_size(), 1000);
  ASSERT_FALSE(page.next_page_token().empty());
  iv1::ListRejectedEventsResponse rest;
  ASSERT_TRUE(IsOk(list(1000000, page.next_page_token(), &rest)));
  EXPECT_EQ(rest.events_size(), 1);
  EXPECT_TRUE(rest.next_page_token().empty());
  iv1::ListRejectedEventsResponse dflt;
  ASSERT_TRUE(IsOk(list(0, "", &dflt)));
  EXPECT_EQ(dflt.events_size(), 100);
  iv1::ListRejectedEventsResponse negative;
  EXPECT_TRUE(Fails(list(-1, "", &negative), StatusCode::INVALID_ARGUMENT, {"page_size"}));

  // The other services coerce the same way (a huge page_size is served).
  MakeOrg();
  auto org = tv1::OrgService::NewStub(stack_->target().NewChannel());
  tv1::ListOrgUnitsRequest units_req;
  units_req.set_page_size(1 << 30);
  tv1::ListOrgUnitsResponse units;
  grpc::ClientContext units_ctx;
  testing::Authorize(units_ctx, Token(Role::kAdmin));
  ASSERT_TRUE(IsOk(org->ListOrgUnits(&units_ctx, units_req, &units)));
  EXPECT_EQ(units.units_size(), 3);  // co, east, t1
  auto boards = ev1::LeaderboardService::NewStub(stack_->eval().NewChannel());
  ev1::GetLeaderboardRequest board_req;
  board_req.mutable_board()->set_period("2025-01");
  board_req.mutable_board()->set_metric(type::v1::METRIC_SALES_AMOUNT);
  board_req.mutable_board()->set_scope_kind(ev1::BOARD_SCOPE_KIND_COMPANY);
  board_req.set_page_size(1 << 30);
  ev1::GetLeaderboardResponse board;
  grpc::ClientContext board_ctx;
  testing::Authorize(board_ctx, Token(Role::kAdmin));
  EXPECT_TRUE(IsOk(boards->GetLeaderboard(&board_ctx, board_req, &board)));
}

// ------------------------------------------------------------ concurrent streams

TEST_F(LimitsE2eTest, StreamIngestPastTheCapIsRefusedWhileOpenStreamsKeepWorking) {
  MakeOrg();
  // Several connections: the per-connection stream limit is not what is tested.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) channels.push_back(stack_->ingest().NewChannel());
  std::vector<IngestStream> open;
  for (int i = 0; i < kMaxIngestStreams; ++i) {
    open.push_back(OpenStream(channels[i % channels.size()]));
    ASSERT_TRUE(SendOrder(open.back(), 1, absl::StrCat("a", i)))
        << "stream " << i << ": " << open.back().rw->Finish().error_message();
  }

  // One more: refused at once, saying what the limit is and what to do.
  IngestStream extra = OpenStream(channels[0]);
  EXPECT_FALSE(SendOrder(extra, 1, "extra"));
  EXPECT_TRUE(Fails(extra.rw->Finish(), StatusCode::RESOURCE_EXHAUSTED,
                    {"limit of 64 concurrent StreamIngest streams", "retry later"}));

  // The open ones still ingest, and finish cleanly.
  for (int i = 0; i < kMaxIngestStreams; ++i) {
    ASSERT_TRUE(SendOrder(open[i], 2, absl::StrCat("b", i))) << "stream " << i;
  }
  for (IngestStream& s : open) {
    s.rw->WritesDone();
    EXPECT_TRUE(IsOk(s.rw->Finish()));
  }
  open.clear();

  // Their slots are free again (released as each call completes on the server).
  int attempt = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        IngestStream s = OpenStream(channels[0]);
        const bool ok = SendOrder(s, 1, absl::StrCat("after-", attempt++));
        s.rw->WritesDone();
        return s.rw->Finish().ok() && ok;
      },
      absl::Seconds(10)));
}

TEST_F(LimitsE2eTest, WatchesPastTheCapAreRefusedWhileOpenWatchesKeepWorking) {
  MakeOrg();
  std::vector<std::unique_ptr<ev1::LeaderboardService::Stub>> stubs;
  for (int i = 0; i < 20; ++i) {
    stubs.push_back(ev1::LeaderboardService::NewStub(stack_->eval().NewChannel()));
  }
  ev1::WatchLeaderboardRequest req;
  req.mutable_board()->set_period("2025-01");
  req.mutable_board()->set_metric(type::v1::METRIC_SALES_AMOUNT);
  req.mutable_board()->set_scope_kind(ev1::BOARD_SCOPE_KIND_COMPANY);
  const std::string token = Token(Role::kDirector);
  std::vector<std::unique_ptr<BoardWatcher>> watchers;
  for (int i = 0; i < kMaxWatches; ++i) {
    watchers.push_back(std::make_unique<BoardWatcher>(*stubs[i % stubs.size()], token, req));
  }
  // Every one is served: it has its first snapshot and is still open.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (auto& w : watchers) {
          if (w->count() == 0 && !w->done()) return false;
        }
        return true;
      },
      absl::Seconds(60)));
  for (size_t i = 0; i < watchers.size(); ++i) {
    ASSERT_FALSE(watchers[i]->done()) << "watch " << i << ": " << watchers[i]->status().error_code()
                                      << " " << watchers[i]->status().error_message();
  }

  // One more: refused at once.
  BoardWatcher extra(*stubs[0], token, req);
  ASSERT_TRUE(extra.WaitDone(absl::Seconds(10)));
  EXPECT_TRUE(Fails(extra.status(), StatusCode::RESOURCE_EXHAUSTED,
                    {"limit of 1000 concurrent WatchLeaderboard streams", "retry later"}));

  // The open ones still receive the board's changes.
  ASSERT_EQ(Ingest({testing::OrderEvent("w1", 1, "r1", 123400, "2025-01-15")})[0].outcome(),
            iv1::OUTCOME_ACCEPTED);
  EXPECT_TRUE(WaitFor(
      [&] {
        for (auto& w : watchers) {
          if (w->LatestValue("r1") != 123400) return false;
        }
        return true;
      },
      absl::Seconds(30)));
  for (auto& w : watchers) EXPECT_FALSE(w->done());

  // Closing them frees their slots.
  watchers.clear();
  EXPECT_TRUE(WaitFor(
      [&] {
        BoardWatcher again(*stubs[0], token, req);
        return WaitFor([&] { return again.count() > 0 || again.done(); }, absl::Seconds(5)) &&
               !again.done();
      },
      absl::Seconds(10)));
}

}  // namespace
}  // namespace attain
