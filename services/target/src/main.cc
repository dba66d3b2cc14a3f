// attain-target: reads config, builds the objects, serves until SIGTERM/SIGINT.
#include <cstdio>
#include <memory>

#include "common/config.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "common/server.h"
#include "common/transport.h"
#include "common/worker_pool.h"
#include "services/target/src/api/org_service.h"
#include "services/target/src/api/target_service.h"
#include "services/target/src/store/pg_target_store.h"

int main(int argc, char** argv) {
  attain::BlockShutdownSignals();
  attain::ServerOptions opts;
  opts.listen = "127.0.0.1:7401";
  attain::ConfigParser parser("attain-target");
  attain::AddServerOptions(parser, &opts);
  if (std::optional<int> code = attain::ParseFlagsOrExit(parser, "attain-target", argc, argv)) {
    return *code;
  }
  if (opts.pg_url.empty()) {
    std::fprintf(stderr, "attain-target: --pg-url (ATTAIN_PG_URL) is required\n");
    return 2;
  }
  attain::SetLogLevel(*attain::ParseLogLevel(opts.log_level));
  absl::StatusOr<std::string> key = attain::ResolveJwtKey(opts);
  if (!key.ok()) return attain::StartupFailed("attain-target", key.status());
  absl::StatusOr<absl::TimeZone> tz = attain::LoadTimeZone(opts.time_zone);
  if (!tz.ok()) return attain::StartupFailed("attain-target", tz.status());

  absl::StatusOr<attain::Transport> transport =
      attain::Transport::Load(opts.transport, {{"--listen", opts.listen}});
  if (!transport.ok()) return attain::StartupFailed("attain-target", transport.status());
  absl::StatusOr<std::unique_ptr<attain::Metrics>> metrics =
      attain::Metrics::Start(opts.metrics_listen);
  if (!metrics.ok()) return attain::StartupFailed("attain-target", metrics.status());

  attain::SystemClock clock;
  absl::StatusOr<std::unique_ptr<attain::TokenVerifier>> verifier =
      attain::TokenVerifier::Create(*key, &clock);
  if (!verifier.ok()) return attain::StartupFailed("attain-target", verifier.status());

  attain::PgPool::Options pg_opts;
  pg_opts.url = opts.pg_url;
  pg_opts.size = static_cast<int>(opts.pg_pool_size);
  pg_opts.start_wait = opts.pg_start_wait;
  absl::StatusOr<std::unique_ptr<attain::PgPool>> pg = attain::PgPool::Create(pg_opts);
  if (!pg.ok()) return attain::StartupFailed("attain-target", pg.status());
  if (absl::Status st = attain::target::PgTargetStore::Migrate(**pg); !st.ok())
    return attain::StartupFailed("attain-target", st);
  attain::target::PgTargetStore store(**pg);

  attain::WorkerPool pool(static_cast<int>(opts.workers), static_cast<size_t>(opts.max_queue));
  attain::RpcEnv env{verifier->get(), &pool};
  attain::target::OrgServiceImpl org(env, store, clock, *tz);
  attain::target::TargetServiceImpl targets(env, store);

  attain::AddPoolGauges(
      **metrics, pool, [&pg] { return (*pg)->in_use(); }, (*pg)->size());
  absl::StatusOr<std::unique_ptr<attain::GrpcServer>> server = attain::GrpcServer::Start(
      attain::GrpcServer::ConfigFor(opts, *transport, metrics->get()), {&org, &targets});
  if (!server.ok()) return attain::StartupFailed("attain-target", server.status());
  (*server)->MonitorDependencies({{"postgresql", [&pg] { return (*pg)->Ping(); }}},
                                 opts.health_interval, metrics->get());

  int sig = attain::WaitForShutdownSignal();
  attain::LogEvent(attain::LogLevel::kInfo, "signal").Int("signal", sig);
  (*server)->Shutdown();
  pool.Shutdown();
  return 0;
}
