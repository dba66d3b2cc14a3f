// Evaluation benchmark (issue 4: "an evaluation of 10,000 reps for a quarter
// (goal under 2 s)").
//
// This program is the client (a separate process). It starts a throwaway
// PostgreSQL and Redis and the real attain-target, attain-ingest and
// attain-eval binaries, then (not measured) creates an org of G regions × T
// teams × R reps over gRPC (on several threads), sets every rep's 2025-Q1
// targets of the template's target-based indicators with BatchSetTargets,
// ingests a quarter of orders (2025-01..03) through StreamIngest until the
// relay has applied them, and creates one template per preset named in
// --templates (seed-001-follow-up: 2 dimensions, 7 indicators, all served by
// the batched per-rep actuals; seed-002-comprehensive: 4 dimensions, 11
// indicators, two of which — repurchase rate and new-customer first-order
// amount — attain-eval fetches with ListCustomers calls per rep). Measured, per
// template: N calls of RunEvaluation(company unit, 2025-Q1, that template),
// each with a new request_id, one after the other: wall time seen by the client
// (median, max), the evaluation's row count (must be every rep), and the CPU
// of attain-eval, attain-target and attain-ingest and attain-eval's RSS over
// the runs.
// The per-template figures are printed as soon as its runs are done.
// Usage: evaluation_bench [--regions 10] [--teams-per-region 10]
//   [--reps-per-team 100] [--orders 300000]
//   [--templates seed-001-follow-up:3]   (PRESET:RUNS,...)
//   [--setup-threads 8] [--deadline 600] (s, per RunEvaluation call)
//   [--eval-log-level warn]
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/redis.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace {

namespace ev1 = attain::eval::v1;
namespace iv1 = attain::ingest::v1;
namespace tv1 = attain::target::v1;
namespace ty1 = attain::type::v1;

constexpr char kKey[] = "bench-signing-key-bench-signing-key-0123456789";
constexpr char kTenant[] = "bench";
constexpr char kQuarter[] = "2025-Q1";
constexpr int kQuarterDays = 90;  // 2025-01-01 .. 2025-03-31

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "evaluation_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const grpc::Status& st, const std::string& what) {
  if (!st.ok()) Die(absl::StrCat(what, ": ", st.error_message()));
}

std::string Token(attain::Role role, const std::string& subject) {
  attain::Principal p{kTenant, subject, role, "", {}};
  return *attain::MintToken(kKey, p, absl::Now(), absl::Hours(4));
}

std::string RepId(int i) { return absl::StrFormat("rep%05d", i); }

// Order i of the quarter: rep i % reps, spread over the quarter's 90 days, a
// customer pool of 4 per rep (so some are new, some repurchase), amounts that
// differ by rep.
iv1::Event OrderEvent(int64_t i, int reps) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id(absl::StrCat("o", i));
  const int rep = static_cast<int>(i % reps);
  const absl::CivilDay day =
      absl::CivilDay(2025, 1, 1) + static_cast<int>((i / reps) % kQuarterDays);
  const std::string date = absl::FormatCivilTime(day);
  e.set_occurred_at(date + "T10:00:00+08:00");
  iv1::Order* o = e.mutable_order();
  o->set_order_id(absl::StrCat("o", i));
  o->set_version(1);
  o->set_customer_id(absl::StrCat("c", rep, "-", (i / reps) % 4));
  o->set_rep_id(RepId(rep));
  o->set_product_line_id(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
  const int64_t amount = 100000 + (i * 7919) % 900001 + rep * 13;
  o->mutable_amount()->set_currency_code("CNY");
  o->mutable_amount()->set_minor_units(amount);
  o->mutable_gross_profit()->set_currency_code("CNY");
  o->mutable_gross_profit()->set_minor_units(amount / 4);
  o->set_status(iv1::ORDER_STATUS_SIGNED);
  o->set_signed_date(date);
  return e;
}

// CPU time (user + system) of a process so far, in seconds; -1 if it is gone.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int field = 3; field <= 15 && (fields >> f); ++field) {
    if (field == 14) utime = std::atof(f.c_str());
    if (field == 15) stime = std::atof(f.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The machine's busy CPU time so far (all cores), in seconds.
double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double busy = 0;
  for (int i = 0; i < 8; ++i) {
    double v = 0;
    in >> v;
    if (i != 3 && i != 4) busy += v;  // idle and iowait are not busy
  }
  return busy / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A /proc/<pid>/status value in KiB ("VmRSS", "VmHWM"); -1 if absent.
int64_t StatusKb(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1);
  }
  return -1;
}

double LoadAverage1() {
  std::ifstream in("/proc/loadavg");
  double l = -1;
  in >> l;
  return l;
}

// Runs fn(i) for i in [0, n) on `threads` threads.
template <typename Fn>
void ParallelFor(int n, int threads, Fn fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& t : pool) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  int regions = 10, teams_per_region = 10, reps_per_team = 100, setup_threads = 8;
  int deadline_s = 600;  // per RunEvaluation call
  // seed 002 is left out by default: at this size its per-rep customer calls
  // take minutes and its first-order sums hit ingest's 20,000-customer limit
  // (docs/benchmarks.md); ask for it with --templates.
  std::string templates_flag = "seed-001-follow-up:3";
  int64_t orders = 300000;
  std::string eval_log_level = "warn";
  std::vector<std::string> pg_settings;
  bool settle = true;
  int hold_s = 0;    // > 0: keep the servers and data this long after the runs (to inspect)
  int pg_stats = 0;  // > 0: print the top N statements by time (pg_stat_statements)
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pg-setting")) pg_settings.push_back(argv[i + 1]);
    if (!std::strcmp(argv[i], "--pg-stats")) pg_stats = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--hold")) hold_s = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--no-settle")) settle = std::atoi(argv[i + 1]) == 0;
    if (!std::strcmp(argv[i], "--regions")) regions = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--teams-per-region")) teams_per_region = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps-per-team")) reps_per_team = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--orders")) orders = std::atoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--templates")) templates_flag = argv[i + 1];
    if (!std::strcmp(argv[i], "--deadline")) deadline_s = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--setup-threads")) setup_threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--eval-log-level")) eval_log_level = argv[i + 1];
  }
  struct TemplateRuns {
    std::string preset;
    int runs = 3;
  };
  std::vector<TemplateRuns> template_runs;
  for (absl::string_view part : absl::StrSplit(templates_flag, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, ':');
    TemplateRuns tr{kv.first, 3};
    if (!kv.second.empty() && !absl::SimpleAtoi(kv.second, &tr.runs))
      Die("--templates PRESET:RUNS");
    template_runs.push_back(tr);
  }
  const int teams = regions * teams_per_region;
  const int reps = teams * reps_per_team;
  const absl::Time setup_start = absl::Now();

  // --- Set-up (not measured) ---
  if (pg_stats > 0) pg_settings.push_back("shared_preload_libraries=pg_stat_statements");
  attain::testing::PgTestServer::SetExtraSettings(pg_settings);
  attain::testing::RedisTestServer redis;
  const std::string db = attain::testing::PgTestServer::Shared().CreateDatabase("evbench");
  if (pg_stats > 0) {
    pqxx::connection conn(db);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }
  auto start = [](attain::testing::ServiceProcess::Options o) {
    auto p = attain::testing::ServiceProcess::Start(std::move(o));
    if (!p.ok()) Die(p.status().ToString());
    return *std::move(p);
  };
  auto target =
      start({ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kKey, "--log-level", "warn"}, {}});
  auto ingest =
      start({ATTAIN_INGEST_BINARY,
             {"--pg-url", db, "--redis-url", redis.url(), "--jwt-key", kKey, "--target-addr",
              target->address(), "--log-level", "warn", "--pg-pool-size", "4"},
             {}});
  auto eval =
      start({ATTAIN_EVAL_BINARY,
             {"--pg-url", db, "--redis-url", redis.url(), "--jwt-key", kKey, "--target-addr",
              target->address(), "--ingest-addr", ingest->address(), "--log-level", eval_log_level},
             {}});
  const std::string admin = "Bearer " + Token(attain::Role::kAdmin, "bench-admin");
  auto ctx = [&](grpc::ClientContext& c, int seconds) {
    c.AddMetadata("authorization", admin);
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  };

  // The org: company, regions, teams (one thread), then the reps (several).
  absl::Time t0 = absl::Now();
  {
    auto org = tv1::OrgService::NewStub(target->NewChannel());
    auto unit = [&](const std::string& id, const std::string& parent, tv1::OrgUnitKind kind) {
      tv1::CreateOrgUnitRequest r;
      r.set_unit_id(id);
      r.set_parent_id(parent);
      r.set_name(id);
      r.set_kind(kind);
      tv1::CreateOrgUnitResponse resp;
      grpc::ClientContext c;
      ctx(c, 60);
      Check(org->CreateOrgUnit(&c, r, &resp), "CreateOrgUnit " + id);
    };
    unit("co", "", tv1::ORG_UNIT_KIND_COMPANY);
    for (int g = 0; g < regions; ++g) unit(absl::StrCat("g", g), "co", tv1::ORG_UNIT_KIND_REGION);
    for (int t = 0; t < teams; ++t) {
      unit(absl::StrCat("t", t), absl::StrCat("g", t / teams_per_region), tv1::ORG_UNIT_KIND_TEAM);
    }
    ParallelFor(reps, setup_threads, [&](int i) {
      tv1::CreateRepRequest r;
      r.set_rep_id(RepId(i));
      r.set_name(RepId(i));
      r.set_team_id(absl::StrCat("t", i / reps_per_team));
      r.set_hire_date("2020-01-01");
      tv1::CreateRepResponse resp;
      grpc::ClientContext c;
      ctx(c, 60);
      Check(org->CreateRep(&c, r, &resp), "CreateRep " + RepId(i));
    });
  }
  const double org_s = absl::ToDoubleSeconds(absl::Now() - t0);

  // Every rep's quarter targets of the template's target-based indicators
  // (sales, new customers, their first-order amount, effective visits,
  // knowledge sharing; seed 001's collection rate and visits), ≤ 10,000 rows
  // per call.
  t0 = absl::Now();
  struct MetricTarget {
    ty1::Metric metric;
    int64_t base;
    const char* currency;
  };
  const MetricTarget kTargets[] = {
      {ty1::METRIC_SALES_AMOUNT, 1500000000, "CNY"},
      {ty1::METRIC_NEW_CUSTOMERS, 3, ""},
      {ty1::METRIC_NEW_CUSTOMER_FIRST_ORDER_AMOUNT, 150000000, "CNY"},
      {ty1::METRIC_EFFECTIVE_VISITS, 120, ""},
      {ty1::METRIC_KNOWLEDGE_SHARING, 3, ""},
      {ty1::METRIC_COLLECTION_RATE, 9000, ""},
      {ty1::METRIC_VISITS, 150, ""},
  };
  int64_t target_rows = 0;
  {
    auto targets = tv1::TargetService::NewStub(target->NewChannel());
    for (const MetricTarget& mt : kTargets) {
      for (int first = 0; first < reps; first += 10000) {
        tv1::BatchSetTargetsRequest req;
        req.set_request_id(absl::StrCat("evbench-targets-", mt.metric, "-", first));
        for (int i = first; i < std::min(reps, first + 10000); ++i) {
          tv1::TargetInput* t = req.add_targets();
          t->mutable_scope()->set_kind(ty1::SCOPE_KIND_REP);
          t->mutable_scope()->set_id(RepId(i));
          t->set_period(kQuarter);
          t->set_metric(mt.metric);
          t->set_base_value(mt.base + i % 97);
          t->set_challenge_value((mt.base + i % 97) * 6 / 5);
          if (*mt.currency) t->set_currency_code(mt.currency);
        }
        tv1::BatchSetTargetsResponse resp;
        grpc::ClientContext c;
        ctx(c, 300);
        Check(targets->BatchSetTargets(&c, req, &resp),
              absl::StrCat("BatchSetTargets ", ty1::Metric_Name(mt.metric)));
        target_rows += req.targets_size();
      }
    }
  }
  const double targets_s = absl::ToDoubleSeconds(absl::Now() - t0);

  // The quarter's orders over 4 streams in batches of 1000.
  t0 = absl::Now();
  std::atomic<int64_t> accepted{0}, other{0};
  {
    const int kStreams = 4, kBatch = 1000;
    std::vector<std::thread> threads;
    for (int s = 0; s < kStreams; ++s) {
      threads.emplace_back([&, s] {
        auto stub = iv1::IngestService::NewStub(ingest->NewChannel());
        grpc::ClientContext c;
        c.AddMetadata("authorization", "Bearer " + Token(attain::Role::kCrmIngest, "crm"));
        auto stream = stub->StreamIngest(&c);
        std::thread writer([&] {
          for (int64_t first = int64_t{s} * kBatch; first < orders;
               first += int64_t{kStreams} * kBatch) {
            iv1::StreamIngestRequest r;
            r.set_batch_seq(first / kBatch);
            for (int64_t i = first; i < std::min(orders, first + kBatch); ++i) {
              *r.add_events() = OrderEvent(i, reps);
            }
            if (!stream->Write(r)) break;
          }
          stream->WritesDone();
        });
        iv1::StreamIngestResponse ack;
        while (stream->Read(&ack)) {
          for (const auto& o : ack.outcomes()) {
            (o.outcome() == iv1::OUTCOME_ACCEPTED ? accepted : other)++;
          }
        }
        writer.join();
        Check(stream->Finish(), absl::StrCat("stream ", s));
      });
    }
    for (auto& t : threads) t.join();
  }
  // Until the relay has applied the last outbox row.
  {
    attain::RedisClient rc(*attain::RedisClient::ParseUrl(redis.url()));
    pqxx::connection conn(db);
    pqxx::work tx(conn);
    const int64_t max_seq =
        tx.exec1("SELECT coalesce(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();
    const absl::Time deadline = absl::Now() + absl::Minutes(10);
    while (true) {
      auto r = rc.Command({"GET", "lb:applied:0"});
      if (r.ok() && r->type == attain::RedisReply::Type::kString && std::stoll(r->str) >= max_seq) {
        break;
      }
      if (absl::Now() > deadline) Die("the relay did not catch up within 10 minutes");
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  const double ingest_s = absl::ToDoubleSeconds(absl::Now() - t0);

  // The quarter closed: autovacuum would have analysed the freshly loaded
  // tables by the time anyone evaluates it. Done here at once so that the
  // runs do not depend on when it wakes (before it, the planner's row counts
  // are those of near-empty tables). --no-settle 1 skips it.
  t0 = absl::Now();
  if (settle) {
    pqxx::connection conn(db);
    pqxx::nontransaction tx(conn);
    tx.exec("VACUUM (ANALYZE)");
  }
  const double settle_s = absl::ToDoubleSeconds(absl::Now() - t0);

  const double setup_s = absl::ToDoubleSeconds(absl::Now() - setup_start);
  std::printf(
      "evaluation_bench: %d reps (%d regions x %d teams x %d reps), %lld orders of %s ingested "
      "(%lld accepted, %lld other), %lld targets; set-up %.1f s (org %.1f s, targets %.1f s, "
      "orders %.1f s, VACUUM (ANALYZE) %.1f s; not measured)\n",
      reps, regions, teams_per_region, reps_per_team, static_cast<long long>(orders), kQuarter,
      static_cast<long long>(accepted.load()), static_cast<long long>(other.load()),
      static_cast<long long>(target_rows), setup_s, org_s, targets_s, ingest_s, settle_s);
  std::fflush(stdout);

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel =
      grpc::CreateCustomChannel(eval->address(), grpc::InsecureChannelCredentials(), args);
  auto scorecards = ev1::ScorecardService::NewStub(channel);
  // One connection, made before the clock starts.
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  bool all_met = true;
  for (const TemplateRuns& tr : template_runs) {
    const std::string preset = tr.preset;
    const int runs = tr.runs;
    // The template, from the preset.
    const std::string template_id = "bench-" + preset;
    int indicators = 0;
    {
      auto templates = ev1::TemplateService::NewStub(eval->NewChannel());
      ev1::CreateTemplateRequest req;
      req.set_request_id("evbench-template-" + preset);
      req.set_template_id(template_id);
      req.set_preset(preset);
      ev1::CreateTemplateResponse resp;
      grpc::ClientContext c;
      ctx(c, 60);
      Check(templates->CreateTemplate(&c, req, &resp), "CreateTemplate");
      for (const auto& d : resp.template_().dimensions()) indicators += d.indicators_size();
    }
    // --- Measured: RunEvaluation ---

    std::atomic<bool> sampling{true};
    std::atomic<int64_t> max_rss_kb{StatusKb(eval->pid(), "VmRSS")};
    const int64_t rss_before_kb = max_rss_kb.load();
    std::thread sampler([&] {
      while (sampling) {
        const int64_t kb = StatusKb(eval->pid(), "VmRSS");
        if (kb > max_rss_kb) max_rss_kb = kb;
        absl::SleepFor(absl::Milliseconds(20));
      }
    });
    const double load_before = LoadAverage1();
    const pid_t pids[] = {eval->pid(), target->pid(), ingest->pid()};
    double cpu_begin[3];
    for (int i = 0; i < 3; ++i) cpu_begin[i] = ProcessCpuSeconds(pids[i]);
    // The PostgreSQL backends of the benchmark's database (the services'
    // pooled connections).
    std::vector<pid_t> backends;
    {
      pqxx::connection conn(db);
      pqxx::nontransaction tx(conn);
      for (const auto& row : tx.exec("SELECT pid FROM pg_stat_activity WHERE datname = "
                                     "current_database() AND pid <> pg_backend_pid()")) {
        backends.push_back(row[0].as<int>());
      }
    }
    double pg_begin = 0;
    for (pid_t b : backends) pg_begin += std::max(0.0, ProcessCpuSeconds(b));
    if (pg_stats > 0) {
      pqxx::connection conn(db);
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT pg_stat_statements_reset()");
    }
    const double machine_begin = MachineBusySeconds();
    const absl::Time window_begin = absl::Now();
    std::vector<double> wall_s;
    std::vector<int> rows;
    size_t response_bytes = 0;
    std::string evaluation_id;
    for (int r = 0; r < runs; ++r) {
      ev1::RunEvaluationRequest req;
      req.set_unit_id("co");
      req.set_period(kQuarter);
      req.set_template_id(template_id);
      req.set_request_id(absl::StrCat("evbench-run-", r, "-", absl::ToUnixNanos(absl::Now())));
      ev1::RunEvaluationResponse resp;
      grpc::ClientContext c;
      ctx(c, deadline_s);
      const absl::Time a = absl::Now();
      const grpc::Status st = scorecards->RunEvaluation(&c, req, &resp);
      const absl::Time b = absl::Now();
      if (!st.ok()) {  // e.g. the client's deadline, or a limit of the service
        std::printf(
            "run %d: failed after %.1f s: %s: %s; no more runs\n", r + 1,
            absl::ToDoubleSeconds(b - a),
            absl::StatusCodeToString(static_cast<absl::StatusCode>(st.error_code())).c_str(),
            st.error_message().c_str());
        wall_s.push_back(absl::ToDoubleSeconds(b - a));
        rows.push_back(0);
        break;
      }
      wall_s.push_back(absl::ToDoubleSeconds(b - a));
      rows.push_back(resp.evaluation().rows_size());
      response_bytes = resp.ByteSizeLong();
      evaluation_id = resp.evaluation().evaluation_id();
      std::printf("run %d: %.3f s, %d rows, evaluation %s\n", r + 1, wall_s.back(), rows.back(),
                  evaluation_id.c_str());
      std::fflush(stdout);
    }
    const double window_s = absl::ToDoubleSeconds(absl::Now() - window_begin);
    double cpu_s[3];
    for (int i = 0; i < 3; ++i) cpu_s[i] = ProcessCpuSeconds(pids[i]) - cpu_begin[i];
    double pg_s = -pg_begin;
    for (pid_t b : backends) pg_s += std::max(0.0, ProcessCpuSeconds(b));
    const double machine_s = MachineBusySeconds() - machine_begin;
    sampling = false;
    sampler.join();

    // A sample row, to see that rows carry targets and actuals.
    int scored = 0, no_data = 0, no_target = 0;
    {
      ev1::GetEvaluationRequest req;
      req.set_evaluation_id(evaluation_id);
      ev1::GetEvaluationResponse resp;
      grpc::ClientContext c;
      ctx(c, 600);
      if (!evaluation_id.empty()) {
        Check(scorecards->GetEvaluation(&c, req, &resp), "GetEvaluation");
      }
      if (resp.evaluation().rows_size() > 0) {
        for (const auto& d : resp.evaluation().rows(0).dimensions()) {
          for (const auto& ind : d.indicators()) {
            if (ind.status() == ev1::INDICATOR_STATUS_SCORED) ++scored;
            if (ind.status() == ev1::INDICATOR_STATUS_NO_DATA) ++no_data;
            if (ind.status() == ev1::INDICATOR_STATUS_NO_TARGET) ++no_target;
          }
        }
      }
    }

    // --- Report ---
    std::vector<double> sorted = wall_s;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    const double max = sorted.back();
    bool all_rows = true;
    for (int n : rows) all_rows = all_rows && n == reps;
    std::printf(
        "template: %s from preset %s, %d indicators; first rep's row: %d scored, %d no data, "
        "%d no target\n",
        template_id.c_str(), preset.c_str(), indicators, scored, no_data, no_target);
    std::printf(
        "RunEvaluation(co, %s, %s) x %d, one after the other, new request_id each: median %.3f s, "
        "max %.3f s; rows %s (%d expected); response %.1f MiB\n",
        kQuarter, template_id.c_str(), runs, median, max, all_rows ? "all complete" : "INCOMPLETE",
        reps, response_bytes / 1048576.0);
    std::printf(
        "  CPU over the %.1f s of runs, cores busy: attain-eval %.2f (%.2f s per run), "
        "attain-target %.2f, attain-ingest %.2f, the database's %zu PostgreSQL backends %.2f "
        "(%.2f s per run); machine %.2f of %ld; 1-min load before %.2f\n",
        window_s, cpu_s[0] / window_s, cpu_s[0] / runs, cpu_s[1] / window_s, cpu_s[2] / window_s,
        backends.size(), pg_s / window_s, pg_s / runs, machine_s / window_s,
        sysconf(_SC_NPROCESSORS_ONLN), load_before);
    std::printf("  attain-eval RSS %.1f MiB before, max %.1f MiB during the runs (peak %.1f MiB)\n",
                rss_before_kb / 1024.0, max_rss_kb.load() / 1024.0,
                StatusKb(eval->pid(), "VmHWM") / 1024.0);
    if (pg_stats > 0) {
      pqxx::connection conn(db);
      pqxx::nontransaction tx(conn);
      std::printf("  top %d statements of the runs by time (pg_stat_statements):\n", pg_stats);
      for (const auto& row : tx.exec_params(
               "SELECT round(total_exec_time)::bigint, calls, rows, "
               "left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements "
               "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
               "ORDER BY total_exec_time DESC LIMIT $1",
               pg_stats)) {
        std::printf("    %7lld ms %7lld calls %9lld rows  %s\n",
                    static_cast<long long>(row[0].as<int64_t>()),
                    static_cast<long long>(row[1].as<int64_t>()),
                    static_cast<long long>(row[2].as<int64_t>()), row[3].c_str());
      }
    }
    std::printf("goal: under 2 s: %s\n", all_rows && max < 2.0 ? "met" : "MISSED");
    std::fflush(stdout);
    all_met = all_met && all_rows && max < 2.0;
  }
  std::printf("goal, every template: %s\n", all_met ? "met" : "MISSED");
  if (eval_log_level != "warn") std::printf("--- attain-eval log ---\n%s", eval->Log().c_str());
  if (hold_s > 0) {
    std::printf("holding for %d s: database %s, redis %s, target %s, ingest %s, eval %s\n", hold_s,
                db.c_str(), redis.url().c_str(), target->address().c_str(),
                ingest->address().c_str(), eval->address().c_str());
    std::fflush(stdout);
    absl::SleepFor(absl::Seconds(hold_s));
  }
  return 0;
}
