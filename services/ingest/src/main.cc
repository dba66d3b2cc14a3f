// attain-ingest: reads config, builds the objects, serves until SIGTERM/SIGINT.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>

#include "common/config.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "common/server.h"
#include "common/transport.h"
#include "common/worker_pool.h"
#include "services/ingest/src/api/committer.h"
#include "services/ingest/src/api/compliance_service.h"
#include "services/ingest/src/api/decode.h"
#include "services/ingest/src/api/ingest_service.h"
#include "services/ingest/src/api/query_service.h"
#include "services/ingest/src/api/store_adapters.h"
#include "services/ingest/src/api/target_org_directory.h"
#include "services/ingest/src/relay/outbox_relay.h"
#include "services/ingest/src/store/pg_compliance_store.h"
#include "services/ingest/src/store/pg_ingest_store.h"
#include "services/ingest/src/store/pg_query_store.h"

int main(int argc, char** argv) {
  attain::BlockShutdownSignals();
  attain::ServerOptions opts;
  opts.listen = "127.0.0.1:7402";
  std::string target_addr = "127.0.0.1:7401";
  int64_t commit_lanes = 2;
  attain::ConfigParser parser("attain-ingest");
  attain::AddServerOptions(parser, &opts);
  parser.AddString("target-addr", &target_addr,
                   "host:port of attain-target (rep → team/region placement)");
  parser.AddInt("commit-lanes", &commit_lanes, 1, 64,
                "transactions committing ingested batches at once (each holds a PostgreSQL "
                "connection; events of one customer always share a lane)");
  if (std::optional<int> code = attain::ParseFlagsOrExit(parser, "attain-ingest", argc, argv)) {
    return *code;
  }
  if (opts.pg_url.empty() || opts.redis_url.empty()) {
    std::fprintf(stderr,
                 "attain-ingest: --pg-url (ATTAIN_PG_URL) and --redis-url (ATTAIN_REDIS_URL) "
                 "are required\n");
    return 2;
  }
  attain::SetLogLevel(*attain::ParseLogLevel(opts.log_level));
  absl::StatusOr<std::string> key = attain::ResolveJwtKey(opts);
  if (!key.ok()) return attain::StartupFailed("attain-ingest", key.status());
  absl::StatusOr<absl::TimeZone> tz = attain::LoadTimeZone(opts.time_zone);
  if (!tz.ok()) return attain::StartupFailed("attain-ingest", tz.status());
  absl::StatusOr<attain::RedisClient::Options> redis_opts =
      attain::RedisClient::ParseUrl(opts.redis_url);
  if (!redis_opts.ok()) return attain::StartupFailed("attain-ingest", redis_opts.status());

  absl::StatusOr<attain::Transport> transport = attain::Transport::Load(
      opts.transport, {{"--listen", opts.listen}, {"--target-addr", target_addr}});
  if (!transport.ok()) return attain::StartupFailed("attain-ingest", transport.status());
  absl::StatusOr<std::unique_ptr<attain::Metrics>> metrics =
      attain::Metrics::Start(opts.metrics_listen);
  if (!metrics.ok()) return attain::StartupFailed("attain-ingest", metrics.status());

  attain::SystemClock clock;
  absl::StatusOr<std::unique_ptr<attain::TokenVerifier>> verifier =
      attain::TokenVerifier::Create(*key, &clock);
  if (!verifier.ok()) return attain::StartupFailed("attain-ingest", verifier.status());

  attain::PgPool::Options pg_opts;
  pg_opts.url = opts.pg_url;
  pg_opts.size = static_cast<int>(opts.pg_pool_size);
  pg_opts.start_wait = opts.pg_start_wait;
  absl::StatusOr<std::unique_ptr<attain::PgPool>> pg = attain::PgPool::Create(pg_opts);
  if (!pg.ok()) return attain::StartupFailed("attain-ingest", pg.status());
  if (absl::Status st = attain::ingest::PgIngestStore::Migrate(**pg); !st.ok())
    return attain::StartupFailed("attain-ingest", st);

  // Leaderboards: the relay applies the outbox to Redis on its own thread and
  // its own connection; Redis being down never stops ingestion.
  attain::RedisClient redis(*redis_opts);
  attain::ingest::OutboxRelay relay(**pg, redis, {});
  relay.Start();

  attain::ingest::TargetOrgDirectory directory(attain::DependencyChannel(target_addr, *transport),
                                               *key, &clock, {});
  attain::ingest::PgIngestStore::Options store_opts;
  store_opts.time_zone = *tz;
  attain::ingest::PgIngestStore store(**pg, directory, clock, store_opts);
  attain::ingest::StoreBatchApplier applier(store);
  attain::ingest::BatchCommitter::Options commit_opts;
  commit_opts.lanes = static_cast<int>(commit_lanes);
  commit_opts.lane_key = &attain::ingest::CommitOrderKey;
  attain::ingest::BatchCommitter committer(applier, commit_opts);
  attain::ingest::StoreRejectedEventReader rejects(store);
  attain::ingest::PgComplianceStore compliance_store(**pg, *tz);
  attain::ingest::PgQueryStore query_store(**pg);

  attain::WorkerPool pool(static_cast<int>(opts.workers), static_cast<size_t>(opts.max_queue));
  attain::RpcEnv env{verifier->get(), &pool};
  attain::ingest::IngestServiceImpl service(env, committer, rejects);
  attain::ingest::ComplianceServiceImpl compliance(env, compliance_store, query_store, clock, *tz);
  attain::ingest::IngestQueryServiceImpl queries(env, query_store);

  attain::AddPoolGauges(
      **metrics, pool, [&pg] { return (*pg)->in_use(); }, (*pg)->size());
  // Relay lag: outbox rows committed (acknowledged) but not yet on the boards.
  (*metrics)->AddGauge(
      "attain_outbox_lag_rows",
      "ingest outbox rows committed but not yet applied to the Redis leaderboards (NaN while "
      "PostgreSQL or Redis cannot be read)",
      {}, [&pg, &relay]() -> double {
        const int64_t applied = relay.stats().applied_seq;
        int64_t latest = -1;
        absl::Status st = (*pg)->WithConnection([&latest](pqxx::connection& conn) {
          pqxx::nontransaction txn(conn);
          latest = txn.exec1("SELECT coalesce(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();
          return absl::OkStatus();
        });
        if (!st.ok() || applied < 0) return std::numeric_limits<double>::quiet_NaN();
        return static_cast<double>(std::max<int64_t>(0, latest - applied));
      });
  absl::StatusOr<std::unique_ptr<attain::GrpcServer>> server =
      attain::GrpcServer::Start(attain::GrpcServer::ConfigFor(opts, *transport, metrics->get()),
                                {&service, &compliance, &queries});
  if (!server.ok()) return attain::StartupFailed("attain-ingest", server.status());
  // Redis is not among them: ingestion goes on while it is down (the outbox
  // keeps the board increments; see attain_outbox_lag_rows).
  (*server)->MonitorDependencies({{"postgresql", [&pg] { return (*pg)->Ping(); }}},
                                 opts.health_interval, metrics->get());

  int sig = attain::WaitForShutdownSignal();
  attain::LogEvent(attain::LogLevel::kInfo, "signal").Int("signal", sig);
  (*server)->Shutdown();  // in-flight batches finish (their commits complete)
  committer.Stop();
  relay.Stop();
  pool.Shutdown();
  return 0;
}
