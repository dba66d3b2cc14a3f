// Board-read benchmark (issue 4: "board reads (top 20) from a separate
// load-generator process — goal >= 15,000 requests/s with p99 under 10 ms —
// beside, in the same run, a minimal gRPC echo server of the same message size
// (ratio ours/echo) and the same ranking computed by SQL over the raw events,
// as a report tool would (ratio)").
//
// This program is the load generator (a separate process). It starts a
// throwaway PostgreSQL and Redis, the real attain-target, attain-ingest and
// attain-eval binaries and bench-echo-server, then (not measured) creates an
// org of T teams × R reps, sets every rep's sales target of 2025-02 and
// ingests a month of orders (2025-02) through StreamIngest until the relay has
// put all of them on the boards. Measured, one after the other, each for a
// warm-up then a fixed window:
//   1. ours: GetLeaderboard (top 20 of the company sales board of 2025-02, as
//      a director, so rows carry targets and attainment) from C calls kept in
//      flight over K channels (completion-queue API, one polling thread per
//      channel): requests/s, p50/p99 latency, the CPU of attain-eval, Redis,
//      attain-target and this process, attain-eval's RSS;
//   2. echo: the same client, concurrency and window against
//      bench-echo-server, with request and response of the same serialized
//      sizes as ours;
//   3. SQL: the same ranking computed by PostgreSQL from the order rows
//      (ingest.entity_states, one row per order) on S connections, each
//      running the query back to back: queries/s, p50/p99.
// Usage: eval_bench [--teams 10] [--reps-per-team 100] [--orders 200000]
//   [--inflight 64] [--channels 4] [--seconds 10] [--warmup 2] [--sql-conns 2]
//   [--eval-flag NAME=VALUE]... (passed to attain-eval as --NAME VALUE)
#include <dirent.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "bench_echo.grpc.pb.h"
#include "common/auth.h"
#include "common/redis.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace {

namespace ev1 = attain::eval::v1;
namespace iv1 = attain::ingest::v1;
namespace tv1 = attain::target::v1;
namespace ty1 = attain::type::v1;
namespace bv1 = attain::bench::v1;

constexpr char kKey[] = "bench-signing-key-bench-signing-key-0123456789";
constexpr char kTenant[] = "bench";
constexpr char kMonth[] = "2025-02";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "eval_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const grpc::Status& st, const std::string& what) {
  if (!st.ok()) Die(absl::StrCat(what, ": ", st.error_message()));
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

std::string Token(attain::Role role, const std::string& subject) {
  attain::Principal p{kTenant, subject, role, "", {}};
  return *attain::MintToken(kKey, p, absl::Now(), absl::Hours(4));
}

std::string RepId(int i) { return absl::StrFormat("rep%04d", i); }

// Order i of the month: rep i % reps, spread over the month's 28 days, with
// amounts that differ by rep so that the ranking has few ties.
iv1::Event OrderEvent(int64_t i, int reps) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id(absl::StrCat("o", i));
  const int rep = static_cast<int>(i % reps);
  const std::string date = absl::StrFormat("2025-02-%02d", 1 + static_cast<int>((i / reps) % 28));
  e.set_occurred_at(date + "T10:00:00+08:00");
  iv1::Order* o = e.mutable_order();
  o->set_order_id(absl::StrCat("o", i));
  o->set_version(1);
  o->set_customer_id(absl::StrCat("c", i % 20000));
  o->set_rep_id(RepId(rep));
  o->set_product_line_id(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
  o->mutable_amount()->set_currency_code("CNY");
  o->mutable_amount()->set_minor_units(100000 + (i * 7919) % 900001 + rep * 13);
  o->mutable_gross_profit()->set_currency_code("CNY");
  o->mutable_gross_profit()->set_minor_units(25000);
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
  // Fields after the command: state is field 3; utime and stime are 14 and 15.
  for (int field = 3; field <= 15 && (fields >> f); ++field) {
    if (field == 14) utime = std::atof(f.c_str());
    if (field == 15) stime = std::atof(f.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The machine's busy and total CPU time so far (all cores), in seconds.
struct MachineCpu {
  double busy = 0;
  double total = 0;
};
MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  MachineCpu out;
  for (int i = 0; i < 8; ++i) {
    double v = 0;
    in >> v;
    out.total += v;
    if (i != 3 && i != 4) out.busy += v;  // idle and iowait are not busy
  }
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  out.busy /= tick;
  out.total /= tick;
  return out;
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

// Context switches (voluntary and not) of all the threads of a process so
// far, and how many threads it has.
struct Switches {
  int64_t count = 0;
  int threads = 0;
};
Switches ContextSwitches(pid_t pid) {
  Switches out;
  const std::string dir = absl::StrCat("/proc/", pid, "/task");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    ++out.threads;
    std::ifstream in(absl::StrCat(dir, "/", e->d_name, "/status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0)
        out.count += std::atoll(line.c_str() + 24);
      if (line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        out.count += std::atoll(line.c_str() + 27);
      }
    }
  }
  closedir(d);
  return out;
}

// CPU and context switches of a set of processes over a measured window.
class CpuWindow {
 public:
  explicit CpuWindow(std::vector<pid_t> pids) : pids_(std::move(pids)) {}
  void Begin() {
    begin_.clear();
    switches_begin_.clear();
    for (pid_t p : pids_) {
      begin_.push_back(ProcessCpuSeconds(p));
      switches_begin_.push_back(ContextSwitches(p).count);
    }
    machine_begin_ = ReadMachineCpu();
    t0_ = absl::Now();
  }
  void End() {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - t0_);
    cores_.clear();
    switches_.clear();
    threads_.clear();
    for (size_t i = 0; i < pids_.size(); ++i) {
      cores_.push_back((ProcessCpuSeconds(pids_[i]) - begin_[i]) / seconds);
      const Switches s = ContextSwitches(pids_[i]);
      switches_.push_back(s.count - switches_begin_[i]);
      threads_.push_back(s.threads);
    }
    const MachineCpu m = ReadMachineCpu();
    machine_cores_ = (m.busy - machine_begin_.busy) / seconds;
  }
  // Cores busy (CPU seconds per second) of the i-th process.
  double cores(size_t i) const { return cores_[i]; }
  // Context switches of the i-th process in the window, and its threads at the end.
  int64_t switches(size_t i) const { return switches_[i]; }
  int threads(size_t i) const { return threads_[i]; }
  double machine_cores() const { return machine_cores_; }

 private:
  std::vector<pid_t> pids_;
  std::vector<double> begin_;
  std::vector<double> cores_;
  std::vector<int64_t> switches_begin_, switches_;
  std::vector<int> threads_;
  MachineCpu machine_begin_;
  double machine_cores_ = 0;
  absl::Time t0_;
};

// What one closed-loop phase measured.
struct PhaseResult {
  int64_t ok = 0;      // calls that succeeded within the window
  int64_t failed = 0;  // calls that failed within the window
  double seconds = 0;  // the window
  std::vector<double> latency_ms;
  std::string first_error;
  double per_s() const { return ok / seconds; }
};

// Keeps `inflight` unary calls in flight over `channels` channels (one
// completion queue and polling thread each) for `warmup` + `window`: a call
// that finishes is replaced at once. Calls that finish within the window are
// counted, and their latency (start to completion) recorded. `on_window` is
// called when the window opens and when it closes (for CPU samples).
template <typename Resp>
class ClosedLoop {
 public:
  using StartFn = std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<Resp>>(
      grpc::ClientContext*, grpc::CompletionQueue*, int channel)>;

  ClosedLoop(int inflight, int channels, StartFn start)
      : slots_(inflight), cqs_(channels), start_(std::move(start)) {}

  PhaseResult Run(absl::Duration warmup, absl::Duration window,
                  const std::function<void(bool begin)>& on_window) {
    window_begin_ = absl::Now() + warmup;
    window_end_ = window_begin_ + window;
    left_ = static_cast<int>(slots_.size());
    for (size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].channel = static_cast<int>(i % cqs_.size());
      Issue(slots_[i]);
    }
    std::vector<std::thread> pollers;
    for (size_t c = 0; c < cqs_.size(); ++c) pollers.emplace_back([this, c] { Poll(cqs_[c]); });
    absl::SleepFor(window_begin_ - absl::Now());
    on_window(true);
    absl::SleepFor(window_end_ - absl::Now());
    on_window(false);
    for (auto& t : pollers) t.join();
    PhaseResult out;
    out.seconds = absl::ToDoubleSeconds(window);
    for (Slot& s : slots_) {
      out.ok += s.ok;
      out.failed += s.failed;
      out.latency_ms.insert(out.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
      if (out.first_error.empty()) out.first_error = s.first_error;
    }
    return out;
  }

 private:
  struct Slot {
    int channel = 0;
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientAsyncResponseReader<Resp>> reader;
    Resp resp;
    grpc::Status status;
    absl::Time started;
    int64_t ok = 0, failed = 0;
    std::vector<double> latency_ms;
    std::string first_error;
  };

  void Issue(Slot& s) {
    s.reader.reset();  // before the context whose call it belongs to
    s.ctx = std::make_unique<grpc::ClientContext>();
    s.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    s.resp.Clear();
    s.started = absl::Now();
    s.reader = start_(s.ctx.get(), &cqs_[s.channel], s.channel);
    s.reader->StartCall();
    s.reader->Finish(&s.resp, &s.status, &s);
  }

  void Poll(grpc::CompletionQueue& cq) {
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
      Slot& s = *static_cast<Slot*>(tag);
      const absl::Time now = absl::Now();
      if (now >= window_begin_ && now < window_end_) {
        if (s.status.ok()) {
          ++s.ok;
          s.latency_ms.push_back(absl::ToDoubleMilliseconds(now - s.started));
        } else {
          ++s.failed;
          if (s.first_error.empty()) s.first_error = s.status.error_message();
        }
      }
      if (now < window_end_) {
        Issue(s);
      } else if (--left_ == 0) {
        for (grpc::CompletionQueue& q : cqs_) q.Shutdown();
      }
    }
  }

  std::vector<Slot> slots_;
  std::vector<grpc::CompletionQueue> cqs_;
  StartFn start_;
  absl::Time window_begin_, window_end_;
  std::atomic<int> left_{0};
};

// `n` channels to `address`, each with its own connection.
std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& address, int n) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("attain.bench.channel", i);
    out.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

// The Redis server's pid (INFO server: process_id), for its CPU time.
pid_t RedisPid(attain::RedisClient& redis) {
  absl::StatusOr<attain::RedisReply> r = redis.Command({"INFO", "server"});
  if (!r.ok()) return -1;
  const size_t at = r->str.find("process_id:");
  return at == std::string::npos ? -1 : std::atoi(r->str.c_str() + at + 11);
}

void PrintPhase(const char* name, const PhaseResult& r) {
  std::printf("%s: %lld ok, %lld failed in %.1f s = %.0f /s; latency p50 %.2f ms, p99 %.2f ms\n",
              name, static_cast<long long>(r.ok), static_cast<long long>(r.failed), r.seconds,
              r.per_s(), Pct(r.latency_ms, 0.5), Pct(r.latency_ms, 0.99));
  if (r.failed > 0) std::printf("  first error: %s\n", r.first_error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int teams = 10, reps_per_team = 100, inflight = 64, channels = 4, sql_conns = 2;
  int64_t orders = 200000;
  double seconds = 10, warmup = 2;
  std::vector<std::string> eval_flags;  // --eval-flag NAME=VALUE, passed as --NAME VALUE
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--teams")) teams = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps-per-team")) reps_per_team = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--orders")) orders = std::atoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--inflight")) inflight = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--channels")) channels = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--warmup")) warmup = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--sql-conns")) sql_conns = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--eval-flag")) {
      const std::string f = argv[i + 1];
      const size_t eq = f.find('=');
      if (eq == std::string::npos) Die("--eval-flag takes NAME=VALUE");
      eval_flags.push_back("--" + f.substr(0, eq));
      eval_flags.push_back(f.substr(eq + 1));
    }
  }
  const int reps = teams * reps_per_team;
  const absl::Time setup_start = absl::Now();

  // --- Set-up (not measured) ---
  attain::testing::RedisTestServer redis;
  const std::string db = attain::testing::PgTestServer::Shared().CreateDatabase("ebench");
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
              target->address(), "--ingest-addr", ingest->address(), "--log-level", "warn"},
             {}});
  auto echo = start({BENCH_ECHO_SERVER_BINARY, {}, {}});

  {
    auto org = tv1::OrgService::NewStub(target->NewChannel());
    auto targets = tv1::TargetService::NewStub(target->NewChannel());
    const std::string token = Token(attain::Role::kAdmin, "bench-admin");
    auto ctx = [&](grpc::ClientContext& c) {
      c.AddMetadata("authorization", "Bearer " + token);
      c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    };
    auto unit = [&](const std::string& id, const std::string& parent, tv1::OrgUnitKind kind) {
      tv1::CreateOrgUnitRequest r;
      r.set_unit_id(id);
      r.set_parent_id(parent);
      r.set_name(id);
      r.set_kind(kind);
      tv1::CreateOrgUnitResponse resp;
      grpc::ClientContext c;
      ctx(c);
      Check(org->CreateOrgUnit(&c, r, &resp), "CreateOrgUnit " + id);
    };
    unit("co", "", tv1::ORG_UNIT_KIND_COMPANY);
    unit("region", "co", tv1::ORG_UNIT_KIND_REGION);
    for (int t = 0; t < teams; ++t) unit(absl::StrCat("t", t), "region", tv1::ORG_UNIT_KIND_TEAM);
    for (int i = 0; i < reps; ++i) {
      tv1::CreateRepRequest r;
      r.set_rep_id(RepId(i));
      r.set_name(RepId(i));
      r.set_team_id(absl::StrCat("t", i / reps_per_team));
      r.set_hire_date("2020-01-01");
      tv1::CreateRepResponse resp;
      grpc::ClientContext c;
      ctx(c);
      Check(org->CreateRep(&c, r, &resp), "CreateRep");
    }
    // Every rep's sales target of the month, so that the rows carry targets.
    tv1::BatchSetTargetsRequest req;
    req.set_request_id("ebench-targets");
    for (int i = 0; i < reps; ++i) {
      tv1::TargetInput* t = req.add_targets();
      t->mutable_scope()->set_kind(ty1::SCOPE_KIND_REP);
      t->mutable_scope()->set_id(RepId(i));
      t->set_period(kMonth);
      t->set_metric(ty1::METRIC_SALES_AMOUNT);
      t->set_base_value(100000000 + i);
      t->set_challenge_value(120000000 + i);
      t->set_currency_code("CNY");
    }
    tv1::BatchSetTargetsResponse resp;
    grpc::ClientContext c;
    ctx(c);
    Check(targets->BatchSetTargets(&c, req, &resp), "BatchSetTargets");
  }

  // The month's orders over 4 streams in batches of 1000.
  std::atomic<int64_t> accepted{0}, other{0};
  {
    const int kStreams = 4, kBatch = 1000;
    std::vector<iv1::StreamIngestRequest> requests;
    for (int64_t first = 0; first < orders; first += kBatch) {
      iv1::StreamIngestRequest r;
      r.set_batch_seq(first / kBatch);
      for (int64_t i = first; i < std::min(orders, first + kBatch); ++i) {
        *r.add_events() = OrderEvent(i, reps);
      }
      requests.push_back(std::move(r));
    }
    std::vector<std::thread> threads;
    for (int s = 0; s < kStreams; ++s) {
      threads.emplace_back([&, s] {
        auto stub = iv1::IngestService::NewStub(ingest->NewChannel());
        grpc::ClientContext c;
        c.AddMetadata("authorization", "Bearer " + Token(attain::Role::kCrmIngest, "crm"));
        auto stream = stub->StreamIngest(&c);
        std::thread writer([&] {
          for (size_t b = s; b < requests.size(); b += kStreams) {
            if (!stream->Write(requests[b])) break;
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
  attain::RedisClient rc(*attain::RedisClient::ParseUrl(redis.url()));
  {
    pqxx::connection conn(db);
    pqxx::work tx(conn);
    const int64_t max_seq =
        tx.exec1("SELECT coalesce(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();
    const absl::Time deadline = absl::Now() + absl::Minutes(5);
    while (true) {
      auto r = rc.Command({"GET", "lb:applied:0"});
      if (r.ok() && r->type == attain::RedisReply::Type::kString && std::stoll(r->str) >= max_seq) {
        break;
      }
      if (absl::Now() > deadline) Die("the relay did not catch up within 5 minutes");
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  const double setup_s = absl::ToDoubleSeconds(absl::Now() - setup_start);

  // --- 1. Ours ---
  ev1::GetLeaderboardRequest board_req;
  board_req.mutable_board()->set_period(kMonth);
  board_req.mutable_board()->set_metric(ty1::METRIC_SALES_AMOUNT);
  board_req.mutable_board()->set_scope_kind(ev1::BOARD_SCOPE_KIND_COMPANY);
  board_req.set_page_size(20);
  const std::string auth = "Bearer " + Token(attain::Role::kDirector, "bench-director");
  auto eval_channels = Channels(eval->address(), channels);
  std::vector<std::unique_ptr<ev1::LeaderboardService::Stub>> eval_stubs;
  for (auto& ch : eval_channels) eval_stubs.push_back(ev1::LeaderboardService::NewStub(ch));
  // One call to see what is served: the sizes the echo baseline copies, and
  // the top 20 that the SQL baseline must reproduce.
  ev1::GetLeaderboardResponse sample;
  {
    grpc::ClientContext c;
    c.AddMetadata("authorization", auth);
    Check(eval_stubs[0]->GetLeaderboard(&c, board_req, &sample), "GetLeaderboard");
  }
  int with_targets = 0;
  for (const auto& row : sample.rows()) with_targets += row.has_target_value() ? 1 : 0;

  const pid_t redis_pid = RedisPid(rc);
  CpuWindow eval_cpu({eval->pid(), redis_pid, target->pid(), getpid()});
  ClosedLoop<ev1::GetLeaderboardResponse> ours(
      inflight, channels, [&](grpc::ClientContext* c, grpc::CompletionQueue* cq, int ch) {
        c->AddMetadata("authorization", auth);
        return eval_stubs[ch]->PrepareAsyncGetLeaderboard(c, board_req, cq);
      });
  int64_t eval_rss_kb = 0;
  const PhaseResult ours_r =
      ours.Run(absl::Seconds(warmup), absl::Seconds(seconds), [&](bool begin) {
        if (begin) {
          eval_cpu.Begin();
        } else {
          eval_cpu.End();
          eval_rss_kb = StatusKb(eval->pid(), "VmRSS");
        }
      });
  const int64_t eval_hwm_kb = StatusKb(eval->pid(), "VmHWM");

  // --- 2. Echo, the same sizes both ways ---
  bv1::BenchEchoRequest echo_req;
  {
    const size_t want_req = board_req.ByteSizeLong();
    const size_t want_resp = sample.ByteSizeLong();
    bv1::BenchEchoResponse probe;
    for (int n = static_cast<int>(want_resp); n >= 0; --n) {
      probe.mutable_payload()->assign(n, 'x');
      if (probe.ByteSizeLong() <= want_resp) break;
    }
    echo_req.set_reply_bytes(static_cast<int32_t>(probe.payload().size()));
    for (int n = static_cast<int>(want_req); n >= 0; --n) {
      echo_req.mutable_padding()->assign(n, 'x');
      if (echo_req.ByteSizeLong() <= want_req) break;
    }
  }
  auto echo_channels = Channels(echo->address(), channels);
  std::vector<std::unique_ptr<bv1::BenchEchoService::Stub>> echo_stubs;
  for (auto& ch : echo_channels) echo_stubs.push_back(bv1::BenchEchoService::NewStub(ch));
  bv1::BenchEchoResponse echo_sample;
  {
    grpc::ClientContext c;
    Check(echo_stubs[0]->Echo(&c, echo_req, &echo_sample), "Echo");
  }
  CpuWindow echo_cpu({echo->pid(), getpid()});
  ClosedLoop<bv1::BenchEchoResponse> echo_loop(
      inflight, channels, [&](grpc::ClientContext* c, grpc::CompletionQueue* cq, int ch) {
        c->AddMetadata("authorization", auth);  // the same metadata as ours
        return echo_stubs[ch]->PrepareAsyncEcho(c, echo_req, cq);
      });
  const PhaseResult echo_r =
      echo_loop.Run(absl::Seconds(warmup), absl::Seconds(seconds),
                    [&](bool begin) { begin ? echo_cpu.Begin() : echo_cpu.End(); });

  // --- 3. SQL over the order rows ---
  const std::string sql =
      "SELECT rep_id, sum(amount) AS sales FROM ingest.entity_states "
      "WHERE tenant_id = $1 AND kind = 1 AND counted "
      "AND day >= DATE '2025-02-01' AND day < DATE '2025-03-01' "
      "GROUP BY rep_id ORDER BY sales DESC, rep_id DESC LIMIT 20";
  bool sql_matches = true;
  std::string plan;
  {
    pqxx::connection conn(db);
    pqxx::work tx(conn);
    tx.exec0("ANALYZE ingest.entity_states");
    pqxx::result r = tx.exec_params(sql, kTenant);
    sql_matches = static_cast<int>(r.size()) == sample.rows_size();
    for (int i = 0; sql_matches && i < sample.rows_size(); ++i) {
      sql_matches = r[i][0].as<std::string>() == sample.rows(i).rep_id() &&
                    r[i][1].as<int64_t>() == sample.rows(i).value();
    }
    for (const auto& row : tx.exec_params("EXPLAIN " + sql, kTenant)) {
      if (!plan.empty()) plan += "\n";
      plan += "  " + row[0].as<std::string>();
    }
  }
  PhaseResult sql_r;
  std::vector<pid_t> backends;
  {
    std::vector<std::unique_ptr<pqxx::connection>> conns;
    for (int i = 0; i < sql_conns; ++i) {
      conns.push_back(std::make_unique<pqxx::connection>(db));
      conns.back()->prepare("rank", sql);
      backends.push_back(static_cast<pid_t>(conns.back()->backendpid()));
    }
    std::vector<pid_t> pids = backends;
    pids.push_back(getpid());
    CpuWindow sql_cpu(pids);
    const absl::Time begin = absl::Now() + absl::Seconds(warmup);
    const absl::Time end = begin + absl::Seconds(seconds);
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int i = 0; i < sql_conns; ++i) {
      threads.emplace_back([&, i] {
        std::vector<double> local;
        int64_t ok = 0;
        while (true) {
          const absl::Time t0 = absl::Now();
          if (t0 >= end) break;
          pqxx::nontransaction tx(*conns[i]);
          pqxx::result r = tx.exec_prepared("rank", kTenant);
          const absl::Time t1 = absl::Now();
          if (t1 >= begin && t1 < end && r.size() == 20) {
            ++ok;
            local.push_back(absl::ToDoubleMilliseconds(t1 - t0));
          }
        }
        std::lock_guard<std::mutex> l(mu);
        sql_r.ok += ok;
        sql_r.latency_ms.insert(sql_r.latency_ms.end(), local.begin(), local.end());
      });
    }
    absl::SleepFor(begin - absl::Now());
    sql_cpu.Begin();
    absl::SleepFor(end - absl::Now());
    sql_cpu.End();
    for (auto& t : threads) t.join();
    sql_r.seconds = seconds;
    double backend_cores = 0;
    for (size_t i = 0; i < backends.size(); ++i) backend_cores += sql_cpu.cores(i);
    // --- Report ---
    std::printf(
        "eval_bench: %d reps in %d teams, %lld orders of %s ingested (%lld accepted, %lld "
        "other), set-up %.1f s (not measured)\n",
        reps, teams, static_cast<long long>(orders), kMonth,
        static_cast<long long>(accepted.load()), static_cast<long long>(other.load()), setup_s);
    std::printf(
        "board: company SALES_AMOUNT %s, %lld reps on it; top %d as a director: %d of %d rows "
        "carry targets\n",
        kMonth, static_cast<long long>(sample.total_reps()), sample.rows_size(), with_targets,
        sample.rows_size());
    std::printf(
        "load: %d calls in flight over %d channels, %.0f s warm-up then %.0f s measured; "
        "GetLeaderboardRequest %zu B, response %zu B; echo request %zu B, response %zu B\n",
        inflight, channels, warmup, seconds, board_req.ByteSizeLong(), sample.ByteSizeLong(),
        echo_req.ByteSizeLong(), echo_sample.ByteSizeLong());
    std::string flags;
    for (const std::string& f : eval_flags) absl::StrAppend(&flags, " ", f);
    std::printf("attain-eval flags:%s\n", flags.empty() ? " (defaults)" : flags.c_str());
    PrintPhase("ours (GetLeaderboard top 20)", ours_r);
    std::printf(
        "  CPU, cores busy: attain-eval %.2f, redis %.2f, attain-target %.2f, load generator "
        "%.2f; machine %.2f of %ld\n",
        eval_cpu.cores(0), eval_cpu.cores(1), eval_cpu.cores(2), eval_cpu.cores(3),
        eval_cpu.machine_cores(), sysconf(_SC_NPROCESSORS_ONLN));
    std::printf(
        "  per call: attain-eval %.1f us CPU, %.2f context switches (%d threads); redis %.1f us; "
        "load generator %.1f us\n",
        1e6 * eval_cpu.cores(0) / ours_r.per_s(),
        static_cast<double>(eval_cpu.switches(0)) / (ours_r.per_s() * seconds), eval_cpu.threads(0),
        1e6 * eval_cpu.cores(1) / ours_r.per_s(), 1e6 * eval_cpu.cores(3) / ours_r.per_s());
    std::printf("  attain-eval RSS %.1f MiB at the window's end (peak %.1f MiB)\n",
                eval_rss_kb / 1024.0, eval_hwm_kb / 1024.0);
    PrintPhase("echo (bench-echo-server)", echo_r);
    std::printf("  CPU, cores busy: echo server %.2f, load generator %.2f; machine %.2f\n",
                echo_cpu.cores(0), echo_cpu.cores(1), echo_cpu.machine_cores());
    std::printf(
        "  per call: echo server %.1f us CPU, %.2f context switches (%d threads); load "
        "generator %.1f us\n",
        1e6 * echo_cpu.cores(0) / echo_r.per_s(),
        static_cast<double>(echo_cpu.switches(0)) / (echo_r.per_s() * seconds), echo_cpu.threads(0),
        1e6 * echo_cpu.cores(1) / echo_r.per_s());
    std::printf("sql (%d connections, back to back, prepared; top 20 %s the board's):\n%s\n",
                sql_conns, sql_matches ? "equals" : "DIFFERS FROM", plan.c_str());
    PrintPhase("sql (rank by SUM over the month's order rows)", sql_r);
    std::printf("  CPU, cores busy: PostgreSQL backends %.2f, client %.2f; machine %.2f\n",
                backend_cores, sql_cpu.cores(backends.size()), sql_cpu.machine_cores());
    std::printf(
        "ratios: requests/s ours/echo = %.3f, ours/SQL = %.1f; p99 ours/echo = %.2f, "
        "ours/SQL = %.4f\n",
        ours_r.per_s() / echo_r.per_s(), ours_r.per_s() / sql_r.per_s(),
        Pct(ours_r.latency_ms, 0.99) / Pct(echo_r.latency_ms, 0.99),
        Pct(ours_r.latency_ms, 0.99) / Pct(sql_r.latency_ms, 0.99));
    std::printf("goal: >= 15000 requests/s with p99 < 10 ms: %s\n",
                ours_r.per_s() >= 15000 && Pct(ours_r.latency_ms, 0.99) < 10 ? "met" : "MISSED");
  }
  return 0;
}
