// Review service benchmark (issue 5: "the overdue list over 100,000 action
// items must be fast").
//
// Starts a throwaway PostgreSQL, applies the review schema, seeds one
// committee, one meeting and N action items (default 100,000) through the
// store (PgActionItemStore::InsertItem, 2,000 per transaction), then starts
// the real attain-review with its clock at 2025-05-11 and times
// ListOverdueActionItems through the gRPC API:
//   1. the first page (100 items), repeated;
//   2. every overdue item, page after page (1,000 per page), repeated;
//   3. the first page of one department (100 items), repeated;
//   4. one owner's overdue items (a manager's token: their own only), repeated.
// Of the items, 40 % are late (30 % past their due date, 10 % with a late
// ten-day report), 30 % open and on time, 30 % finished long ago.
// Usage: review_bench [--items N] [--runs N]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "common/auth.h"
#include "common/pg.h"
#include "services/review/src/store/action_store.h"
#include "services/review/src/store/meeting_store.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace {

namespace rv1 = attain::review::v1;
using attain::review::ActionItemRecord;
using attain::review::ActionStatus;

constexpr char kKey[] = "bench-signing-key-bench-signing-key-0123456789";
constexpr char kTenant[] = "bench";
const absl::CivilDay kToday(2025, 5, 11);
const char* const kDepartments[] = {"sales",   "marketing", "production",  "quality",
                                    "finance", "hr",        "procurement", "projects"};
constexpr int kOwners = 500;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "review_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const absl::Status& st, const char* what) {
  if (!st.ok()) Die(absl::StrCat(what, ": ", st.ToString()));
}

void Check(const grpc::Status& st, const char* what) {
  if (!st.ok()) Die(absl::StrCat(what, ": ", st.error_code(), " ", st.error_message()));
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void PrintTimes(const char* what, const std::vector<double>& ms) {
  std::printf("  %-44s p50 %8.2f ms  p95 %8.2f ms  max %8.2f ms  (%zu runs)\n", what,
              Percentile(ms, 0.5), Percentile(ms, 0.95), Percentile(ms, 1.0), ms.size());
}

// Item i of the seed: its status and dates (see the header).
ActionItemRecord SeedItem(int i, absl::Time now) {
  ActionItemRecord r;
  r.action_id = absl::StrFormat("act-%07d", i);
  r.meeting_id = "mtg-bench";
  r.title = absl::StrCat("improvement item ", i, " for the East region");
  r.measures = "weekly calls";
  const std::string department = kDepartments[i % 8];
  r.departments = {department};
  r.responsible_department = department;
  r.owner_id = absl::StrCat("owner-", i % kOwners);
  r.expected.text = "sales +10 % by 2025-Q2";
  r.version = 1;
  r.create_time = now - absl::Seconds(i);
  r.created_by = "bench";
  r.update_time = r.create_time;
  switch (i % 10) {
    case 0:
    case 1:
    case 2: {  // open, past its due date by 1..60 days
      const ActionStatus open[] = {ActionStatus::kDraft, ActionStatus::kAccepted,
                                   ActionStatus::kReturned};
      r.status = open[(i / 10) % 3];
      r.due = kToday - (1 + i % 60);
      if (r.status == ActionStatus::kAccepted) r.progress_due = kToday - 20;
      break;
    }
    case 3:  // in progress, due later, its ten-day report late by 1..30 days
      r.status = ActionStatus::kInProgress;
      r.due = kToday + 30;
      r.progress_due = kToday - (1 + i % 30);
      break;
    case 4:  // in progress, on time
      r.status = ActionStatus::kInProgress;
      r.due = kToday + 30;
      r.progress_due = kToday + 5;
      break;
    case 5:
    case 6:  // open, due later
      r.status = ActionStatus::kSubmitted;
      r.due = kToday + (i % 50);
      break;
    default: {  // finished long ago
      r.status = i % 10 == 7 ? ActionStatus::kDone : ActionStatus::kVerifiedAchieved;
      r.due = kToday - 90;
      if (r.status == ActionStatus::kVerifiedAchieved) {
        r.verification = attain::review::VerificationRecord{true, 1, "ev", "mtg-bench", true, now};
      }
      break;
    }
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int items = 100000;
  int runs = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--items") == 0) items = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
  }
  if (items < 10 || runs < 1) Die("usage: review_bench [--items N (>= 10)] [--runs N]");
  const absl::Time now = absl::FromCivil(
      absl::CivilSecond(kToday.year(), kToday.month(), kToday.day(), 1, 0, 0), absl::UTCTimeZone());

  // --- Set-up: schema, committee, meeting, items through the store.
  attain::testing::PgTestServer::SetExtraSettings({"shared_buffers=256MB"});
  const std::string db = attain::testing::PgTestServer::Shared().CreateDatabase("review_bench");
  attain::PgPool::Options pool_options;
  pool_options.url = db;
  pool_options.size = 2;
  absl::StatusOr<std::unique_ptr<attain::PgPool>> pool = attain::PgPool::Create(pool_options);
  Check(pool.status(), "connecting");
  Check(attain::review::PgMeetingStore::Migrate(**pool), "migrating");
  attain::review::PgMeetingStore meetings(**pool);
  Check(meetings
            .Mutate(kTenant, "", "bench", "",
                    [&](attain::review::MeetingTx& tx) -> absl::StatusOr<std::string> {
                      attain::review::CommitteeRecord c;
                      c.committee_id = "perf";
                      c.name = "bench committee";
                      c.unit_id = "co";
                      c.members = {
                          {"gm", "GM", attain::review::CommitteeRole::kChair, "management", true},
                          {"vp", "VP", attain::review::CommitteeRole::kSecretaryGeneral, "sales",
                           true}};
                      c.version = 1;
                      c.create_time = now;
                      c.update_time = now;
                      c.updated_by = "bench";
                      absl::Status st = tx.InsertCommittee(c);
                      if (!st.ok()) return st;
                      attain::review::MeetingRecord m;
                      m.meeting_id = "mtg-bench";
                      m.committee_id = "perf";
                      m.title = "bench";
                      m.period = "2025-Q1";
                      m.period_first_day = absl::CivilDay(2025, 1, 1);
                      m.start_time = now - absl::Hours(24 * 30);
                      m.duration_minutes = 120;
                      m.minute_taker_id = "vp";
                      m.invitees = {{"gm"}, {"vp"}};
                      m.version = 1;
                      m.create_time = now;
                      m.created_by = "bench";
                      st = tx.InsertMeeting(m);
                      if (!st.ok()) return st;
                      return std::string();
                    })
            .status(),
        "seeding the committee");
  attain::review::PgActionItemStore store(**pool);
  const absl::Time seed_start = absl::Now();
  constexpr int kBatch = 2000;
  int expected_overdue = 0;
  for (int first = 0; first < items; first += kBatch) {
    const int last = std::min(items, first + kBatch);
    Check(store
              .Mutate(kTenant, "", "bench", "",
                      [&](attain::review::ActionTx& tx) -> absl::StatusOr<std::string> {
                        for (int i = first; i < last; ++i) {
                          absl::Status st = tx.InsertItem(SeedItem(i, now));
                          if (!st.ok()) return st;
                        }
                        return std::string();
                      })
              .status(),
          "seeding items");
  }
  for (int i = 0; i < items; ++i) expected_overdue += i % 10 <= 3;
  const double seed_s = absl::ToDoubleSeconds(absl::Now() - seed_start);
  Check((*pool)->InTransaction([](pqxx::work& txn) -> absl::Status {
    txn.exec("ANALYZE review.action_items");
    return absl::OkStatus();
  }),
        "analyzing");

  auto svc = attain::testing::ServiceProcess::Start(
      {ATTAIN_REVIEW_BINARY,
       {"--pg-url", db, "--jwt-key", kKey, "--log-level", "warn", "--fake-now",
        "2025-05-11T02:00:00Z", "--time-zone", "Asia/Shanghai"},
       {}});
  if (!svc.ok()) Die(std::string(svc.status().message()));
  auto token = [](attain::Role role, const std::string& subject) {
    attain::Principal p{kTenant, subject, role, role == attain::Role::kManager ? "co" : "", {}};
    return *attain::MintToken(kKey, p, absl::Now(), absl::Hours(2));
  };
  const std::string director = token(attain::Role::kDirector, "dir");
  const std::string owner = token(attain::Role::kManager, "owner-1");  // 200 items, all late
  auto channel = (*svc)->NewChannel();
  auto stub = rv1::ActionItemService::NewStub(channel);
  auto list = [&](const std::string& tok, const rv1::ListOverdueActionItemsRequest& req,
                  rv1::ListOverdueActionItemsResponse* resp) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + tok);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return stub->ListOverdueActionItems(&ctx, req, resp);
  };
  auto timed = [&](const std::string& tok, const rv1::ListOverdueActionItemsRequest& req,
                   rv1::ListOverdueActionItemsResponse* resp) {
    const absl::Time t0 = absl::Now();
    Check(list(tok, req, resp), "ListOverdueActionItems");
    return absl::ToDoubleMilliseconds(absl::Now() - t0);
  };

  std::printf("review_bench: %d action items (%d overdue), %d runs each\n", items, expected_overdue,
              runs);
  std::printf("  seeding through the store:                   %.1f s (%.0f items/s)\n", seed_s,
              items / seed_s);

  // Warm-up, and the correctness of what is timed.
  rv1::ListOverdueActionItemsRequest first_page;
  first_page.set_page_size(100);
  rv1::ListOverdueActionItemsResponse resp;
  timed(director, first_page, &resp);
  if (resp.items_size() != std::min(100, expected_overdue)) Die("the first page is not full");
  if (resp.as_of_date() != "2025-05-11") Die("as_of_date is not the fake today");

  std::vector<double> first_ms;
  for (int r = 0; r < runs; ++r) first_ms.push_back(timed(director, first_page, &resp));
  PrintTimes("first page, 100 items (director)", first_ms);

  std::vector<double> pass_ms, page_ms;
  int pages = 0;
  for (int r = 0; r < std::max(1, runs / 10); ++r) {
    rv1::ListOverdueActionItemsRequest req;
    req.set_page_size(1000);
    int seen = 0;
    pages = 0;
    int32_t last_days = INT32_MAX;
    const absl::Time t0 = absl::Now();
    for (;;) {
      page_ms.push_back(timed(director, req, &resp));
      ++pages;
      for (const rv1::OverdueActionItem& o : resp.items()) {
        const int32_t late = std::max(o.days_overdue(), o.progress_days_late());
        if (late > last_days) Die("the list is not most overdue first");
        last_days = late;
      }
      seen += resp.items_size();
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    pass_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    if (seen != expected_overdue) {
      Die(absl::StrCat("the full pass saw ", seen, " items, not ", expected_overdue));
    }
  }
  PrintTimes(absl::StrFormat("every overdue item, %d pages of 1000", pages).c_str(), pass_ms);
  PrintTimes("  one page of 1000 (any depth)", page_ms);

  std::vector<double> dept_ms;
  rv1::ListOverdueActionItemsRequest dept = first_page;
  dept.set_department("quality");
  for (int r = 0; r < runs; ++r) dept_ms.push_back(timed(director, dept, &resp));
  PrintTimes("first page of one department (quality)", dept_ms);

  std::vector<double> owner_ms;
  for (int r = 0; r < runs; ++r) owner_ms.push_back(timed(owner, first_page, &resp));
  PrintTimes(absl::StrFormat("one owner's overdue items (%d)", resp.items_size()).c_str(),
             owner_ms);

  // The plan of the first page's scan (the store selects the same rows with
  // more columns, and each row's parts).
  Check((*pool)->InTransaction([](pqxx::work& txn) -> absl::Status {
    pqxx::result plan = txn.exec(
        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT a.* FROM "
        "review.action_items a WHERE a.tenant_id = 'bench' AND a.late_since IS NOT NULL AND "
        "a.late_since < date '2025-05-11' ORDER BY a.late_since, a.action_id LIMIT 101");
    std::printf("  plan of the first page's scan:\n");
    for (const pqxx::row& row : plan) std::printf("    %s\n", row[0].c_str());
    return absl::OkStatus();
  }),
        "explaining");
  return 0;
}
