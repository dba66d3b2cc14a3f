// attain-ingest: reads config, builds the objects, serves until SIGTERM/SIGINT.
#include <cstdio>
#include <memory>

#include "common/config.h"
#include "common/log.h"
#include "common/pg.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "common/server.h"
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

  attain::SystemClock clock;
  absl::StatusOr<std::unique_ptr<attain::TokenVerifier>> verifier =
      attain::TokenVerifier::Create(*key, &clock);
  if (!verifier.ok()) return attain::StartupFailed("attain-ingest", verifier.status());

  attain::PgPool::Options pg_opts;
  pg_opts.url = opts.pg_url;
  pg_opts.size = static_cast<int>(opts.pg_pool_size);
  absl::StatusOr<std::unique_ptr<attain::PgPool>> pg = attain::PgPool::Create(pg_opts);
  if (!pg.ok()) return attain::StartupFailed("attain-ingest", pg.status());
  if (absl::Status st = attain::ingest::PgIngestStore::Migrate(**pg); !st.ok())
    return attain::StartupFailed("attain-ingest", st);

  // Leaderboards: the relay applies the outbox to Redis on its own thread and
  // its own connection; Redis being down never stops ingestion.
  attain::RedisClient redis(*redis_opts);
  attain::ingest::OutboxRelay relay(**pg, redis, {});
  relay.Start();

  attain::ingest::TargetOrgDirectory directory(
      grpc::CreateChannel(target_addr, grpc::InsecureChannelCredentials()), *key, &clock, {});
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

  attain::GrpcServer::Config server_config;
  server_config.listen = opts.listen;
  server_config.port_file = opts.port_file;
  server_config.shutdown_grace = opts.shutdown_grace;
  absl::StatusOr<std::unique_ptr<attain::GrpcServer>> server =
      attain::GrpcServer::Start(server_config, {&service, &compliance, &queries});
  if (!server.ok()) return attain::StartupFailed("attain-ingest", server.status());

  int sig = attain::WaitForShutdownSignal();
  attain::LogEvent(attain::LogLevel::kInfo, "signal").Int("signal", sig);
  (*server)->Shutdown();  // in-flight batches finish (their commits complete)
  committer.Stop();
  relay.Stop();
  pool.Shutdown();
  return 0;
}
