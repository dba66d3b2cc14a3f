// attain-review: reads config, builds the objects, serves until SIGTERM/SIGINT.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/period.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "common/server.h"
#include "common/transport.h"
#include "common/worker_pool.h"
#include "services/review/src/api/action_service.h"
#include "services/review/src/api/committee_service.h"
#include "services/review/src/api/meeting_service.h"
#include "services/review/src/clients/eval_client.h"
#include "services/review/src/clients/evaluation_reader.h"
#include "services/review/src/store/action_store.h"
#include "services/review/src/store/meeting_store.h"

namespace {

// --fake-now: an RFC 3339 instant, e.g. "2025-04-05T09:00:00Z".
absl::StatusOr<absl::Time> ParseInstant(const std::string& text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\" is not an RFC 3339 instant (e.g. 2025-04-05T09:00:00Z): %s", text, err));
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  attain::BlockShutdownSignals();
  attain::ServerOptions opts;
  opts.listen = "127.0.0.1:7404";
  std::string eval_addr = "127.0.0.1:7403";
  std::string target_addr = "127.0.0.1:7401";
  std::string fake_now;
  attain::ConfigParser parser("attain-review");
  attain::AddServerOptions(parser, &opts);
  parser.AddString("eval-addr", &eval_addr,
                   "host:port of attain-eval (the evaluations agendas and reports are built "
                   "from)");
  parser.AddString("target-addr", &target_addr,
                   "host:port of attain-target (the org tree: units and reps presenting)");
  parser.AddString("fake-now", &fake_now,
                   "for tests: the service's \"now\" (start times in the past, record times) is "
                   "this RFC 3339 instant, e.g. 2025-04-05T09:00:00Z, and does not advance; "
                   "tokens are still checked against the real clock");
  parser.AddCheck("fake-now", [](const std::string& value) -> absl::Status {
    if (value.empty()) return absl::OkStatus();
    return ParseInstant(value).status();
  });
  parser.SetVariable("fake-now", "");  // a flag only: never from the environment
  if (std::optional<int> code = attain::ParseFlagsOrExit(parser, "attain-review", argc, argv)) {
    return *code;
  }
  if (opts.pg_url.empty()) {
    std::fprintf(stderr, "attain-review: --pg-url (ATTAIN_PG_URL) is required\n");
    return 2;
  }
  attain::SetLogLevel(*attain::ParseLogLevel(opts.log_level));
  absl::StatusOr<std::string> key = attain::ResolveJwtKey(opts);
  if (!key.ok()) return attain::StartupFailed("attain-review", key.status());
  absl::StatusOr<absl::TimeZone> tz = attain::LoadTimeZone(opts.time_zone);
  if (!tz.ok()) return attain::StartupFailed("attain-review", tz.status());

  absl::StatusOr<attain::Transport> transport = attain::Transport::Load(
      opts.transport,
      {{"--listen", opts.listen}, {"--eval-addr", eval_addr}, {"--target-addr", target_addr}});
  if (!transport.ok()) return attain::StartupFailed("attain-review", transport.status());
  absl::StatusOr<std::unique_ptr<attain::Metrics>> metrics =
      attain::Metrics::Start(opts.metrics_listen);
  if (!metrics.ok()) return attain::StartupFailed("attain-review", metrics.status());

  // Tokens expire by the real clock; the business rules read `clock`, which
  // --fake-now pins.
  attain::SystemClock system_clock;
  std::unique_ptr<attain::FakeClock> fake_clock;
  const attain::Clock* clock = &system_clock;
  if (!fake_now.empty()) {
    fake_clock = std::make_unique<attain::FakeClock>(*ParseInstant(fake_now));
    clock = fake_clock.get();
    attain::LogEvent(attain::LogLevel::kWarn, "fake clock").Str("now", fake_now);
  }
  absl::StatusOr<std::unique_ptr<attain::TokenVerifier>> verifier =
      attain::TokenVerifier::Create(*key, &system_clock);
  if (!verifier.ok()) return attain::StartupFailed("attain-review", verifier.status());

  // Committees, meetings, agendas, reports and minutes live in the review schema.
  attain::PgPool::Options pg_opts;
  pg_opts.url = opts.pg_url;
  pg_opts.size = static_cast<int>(opts.pg_pool_size);
  pg_opts.start_wait = opts.pg_start_wait;
  absl::StatusOr<std::unique_ptr<attain::PgPool>> pg = attain::PgPool::Create(pg_opts);
  if (!pg.ok()) return attain::StartupFailed("attain-review", pg.status());
  if (absl::Status st = attain::review::PgMeetingStore::Migrate(**pg); !st.ok()) {
    return attain::StartupFailed("attain-review", st);
  }
  attain::review::PgMeetingStore meeting_store(**pg);

  // attain-eval (eval_addr) serves the action items, agendas, reports and
  // packs; attain-target (target_addr) the org tree for agendas and packs.
  attain::LogEvent(attain::LogLevel::kInfo, "dependencies")
      .Str("eval_addr", eval_addr)
      .Str("target_addr", target_addr);

  attain::WorkerPool pool(static_cast<int>(opts.workers), static_cast<size_t>(opts.max_queue));
  attain::RpcEnv env{verifier->get(), &pool};
  attain::review::CommitteeServiceImpl committees(env, meeting_store, *clock);
  attain::review::MeetingServiceImpl::Deps meeting_deps;
  meeting_deps.store = &meeting_store;
  meeting_deps.clock = clock;
  meeting_deps.time_zone = *tz;
  // The agenda, report and pack RPCs read attain-eval's evaluations and
  // scorecards and attain-target's org tree (service tokens by the real clock).
  // (DependencyChannel accepts 256 MiB answers: a company's evaluation.)
  std::shared_ptr<grpc::Channel> eval_channel = attain::DependencyChannel(eval_addr, *transport);
  attain::review::GrpcEvaluationReader evaluation_reader(
      eval_channel, attain::DependencyChannel(target_addr, *transport), *key, &system_clock);
  attain::review::PgActionItemStore action_store(**pg);
  meeting_deps.reader = &evaluation_reader;
  meeting_deps.actions = &action_store;
  attain::review::MeetingServiceImpl meetings(env, meeting_deps);

  // Action items: verified against attain-eval's final evaluations (service
  // tokens minted by the real clock, which attain-eval checks them against).
  attain::review::GrpcEvalClient eval_client(eval_channel, *key, &system_clock);
  attain::review::ActionItemServiceImpl::Deps action_deps;
  action_deps.store = &action_store;
  action_deps.meetings = &meeting_store;
  action_deps.eval = &eval_client;
  action_deps.clock = clock;
  action_deps.time_zone = *tz;
  attain::review::ActionItemServiceImpl actions(env, action_deps);

  attain::AddPoolGauges(
      **metrics, pool, [&pg] { return (*pg)->in_use(); }, (*pg)->size());
  absl::StatusOr<std::unique_ptr<attain::GrpcServer>> server =
      attain::GrpcServer::Start(attain::GrpcServer::ConfigFor(opts, *transport, metrics->get()),
                                {&committees, &meetings, &actions});
  if (!server.ok()) return attain::StartupFailed("attain-review", server.status());
  (*server)->MonitorDependencies({{"postgresql", [&pg] { return (*pg)->Ping(); }}},
                                 opts.health_interval, metrics->get());

  int sig = attain::WaitForShutdownSignal();
  attain::LogEvent(attain::LogLevel::kInfo, "signal").Int("signal", sig);
  (*server)->Shutdown();
  pool.Shutdown();
  return 0;
}
