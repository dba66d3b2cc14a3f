// Target service benchmark (issue: "set 100,000 targets in batches and fetch
// the targets of 10,000 reps for a quarter in one call").
//
// Starts a throwaway PostgreSQL and the real attain-target binary, builds an
// org of 10 regions × 10 teams × 100 reps, then
//   1. sets 100,000 targets with BatchSetTargets in batches of 10,000 rows,
//   2. fetches the quarter's sales target of all 10,000 reps with one
//      ListTargets call (under the company, page_size 10000), repeated.
// Usage: target_bench [--reps N] [--fetch-runs N]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace {

namespace v1 = attain::target::v1;
namespace tv1 = attain::type::v1;

constexpr char kKey[] = "bench-signing-key-bench-signing-key-0123456789";

void Check(const grpc::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s failed: %d %s\n", what, st.error_code(), st.error_message().c_str());
    std::exit(1);
  }
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 10000;
  int fetch_runs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--fetch-runs") == 0) fetch_runs = std::atoi(argv[i + 1]);
  }
  const int teams = std::max(1, reps / 100);
  const int regions = std::max(1, teams / 10);

  std::string db = attain::testing::PgTestServer::Shared().CreateDatabase("bench");
  auto svc = attain::testing::ServiceProcess::Start(
      {ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kKey, "--log-level", "warn"}, {}});
  if (!svc.ok()) {
    std::fprintf(stderr, "%s\n", std::string(svc.status().message()).c_str());
    return 1;
  }
  attain::Principal admin{"bench", "bench-admin", attain::Role::kAdmin, "", {}};
  std::string token = *attain::MintToken(kKey, admin, absl::Now(), absl::Hours(2));
  auto channel = (*svc)->NewChannel();
  auto org = v1::OrgService::NewStub(channel);
  auto targets = v1::TargetService::NewStub(channel);
  auto ctx = [&](grpc::ClientContext& c) {
    c.AddMetadata("authorization", "Bearer " + token);
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  };

  // Org set-up (not measured).
  const absl::Time setup_start = absl::Now();
  auto create_unit = [&](const std::string& id, const std::string& parent, v1::OrgUnitKind kind) {
    v1::CreateOrgUnitRequest req;
    req.set_unit_id(id);
    req.set_parent_id(parent);
    req.set_name(id);
    req.set_kind(kind);
    v1::CreateOrgUnitResponse resp;
    grpc::ClientContext c;
    ctx(c);
    Check(org->CreateOrgUnit(&c, req, &resp), "CreateOrgUnit");
  };
  create_unit("co", "", v1::ORG_UNIT_KIND_COMPANY);
  for (int r = 0; r < regions; ++r)
    create_unit(absl::StrCat("r", r), "co", v1::ORG_UNIT_KIND_REGION);
  for (int t = 0; t < teams; ++t) {
    create_unit(absl::StrCat("t", t), absl::StrCat("r", t % regions), v1::ORG_UNIT_KIND_TEAM);
  }
  for (int i = 0; i < reps; ++i) {
    v1::CreateRepRequest req;
    req.set_rep_id(absl::StrCat("rep", i));
    req.set_name(absl::StrCat("Rep ", i));
    req.set_team_id(absl::StrCat("t", i % teams));
    req.set_hire_date("2020-01-01");
    v1::CreateRepResponse resp;
    grpc::ClientContext c;
    ctx(c);
    Check(org->CreateRep(&c, req, &resp), "CreateRep");
  }
  const double setup_s = absl::ToDoubleSeconds(absl::Now() - setup_start);

  // 1. 10 targets per rep: sales and collected for the quarter and its 3
  // months, gross profit for the quarter, order count for the quarter.
  std::vector<v1::TargetInput> rows;
  const char* periods[] = {"2025-Q1", "2025-01", "2025-02", "2025-03"};
  for (int i = 0; i < reps; ++i) {
    auto add = [&](const char* period, tv1::Metric metric, int64_t value, const char* cur) {
      v1::TargetInput t;
      t.mutable_scope()->set_kind(tv1::SCOPE_KIND_REP);
      t.mutable_scope()->set_id(absl::StrCat("rep", i));
      t.set_period(period);
      t.set_metric(metric);
      t.set_base_value(value);
      t.set_challenge_value(value + value / 5);
      t.set_currency_code(cur);
      rows.push_back(t);
    };
    for (const char* p : periods) {
      add(p, tv1::METRIC_SALES_AMOUNT, 100000000 + i, "CNY");
      add(p, tv1::METRIC_COLLECTED_AMOUNT, 90000000 + i, "CNY");
    }
    add("2025-Q1", tv1::METRIC_GROSS_PROFIT, 30000000 + i, "CNY");
    add("2025-Q1", tv1::METRIC_ORDER_COUNT, 40 + i % 7, "");
  }
  const int kBatch = 10000;
  std::vector<double> batch_ms;
  const absl::Time set_start = absl::Now();
  for (size_t off = 0; off < rows.size(); off += kBatch) {
    v1::BatchSetTargetsRequest req;
    req.set_request_id(absl::StrCat("bench-batch-", off));
    for (size_t i = off; i < std::min(rows.size(), off + kBatch); ++i) *req.add_targets() = rows[i];
    v1::BatchSetTargetsResponse resp;
    grpc::ClientContext c;
    ctx(c);
    const absl::Time t0 = absl::Now();
    Check(targets->BatchSetTargets(&c, req, &resp), "BatchSetTargets");
    batch_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  const double set_s = absl::ToDoubleSeconds(absl::Now() - set_start);

  // 2. One call: the quarter's sales target of every rep under the company.
  std::vector<double> fetch_ms;
  size_t fetched = 0;
  for (int run = 0; run < fetch_runs; ++run) {
    v1::ListTargetsRequest req;
    req.set_under_unit_id("co");
    req.set_scope_kind(tv1::SCOPE_KIND_REP);
    req.set_period("2025-Q1");
    req.set_metric(tv1::METRIC_SALES_AMOUNT);
    req.set_page_size(10000);
    v1::ListTargetsResponse resp;
    grpc::ClientContext c;
    ctx(c);
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    const absl::Time t0 = absl::Now();
    Check(targets->ListTargets(&c, req, &resp), "ListTargets");
    fetch_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    fetched = resp.targets_size();
  }

  std::printf("target_bench: %d reps in %d teams, %d regions (org set-up %.1f s, not measured)\n",
              reps, teams, regions, setup_s);
  std::printf(
      "set %zu targets in %zu BatchSetTargets calls of <= %d rows: %.2f s, %.0f targets/s; "
      "per batch p50 %.0f ms, max %.0f ms\n",
      rows.size(), batch_ms.size(), kBatch, set_s, rows.size() / set_s, Percentile(batch_ms, 0.5),
      Percentile(batch_ms, 1.0));
  std::printf(
      "fetch one quarter's sales target of %zu reps in one ListTargets call, %d runs: "
      "p50 %.1f ms, p90 %.1f ms, max %.1f ms\n",
      fetched, fetch_runs, Percentile(fetch_ms, 0.5), Percentile(fetch_ms, 0.9),
      Percentile(fetch_ms, 1.0));
  if (fetched != static_cast<size_t>(reps)) {
    std::fprintf(stderr, "expected %d targets, got %zu\n", reps, fetched);
    return 1;
  }
  return 0;
}
