// attain-eval: reads config, builds the objects, serves until SIGTERM/SIGINT.
#include <cstdio>
#include <memory>

#include "common/config.h"
#include "common/log.h"
#include "common/memory.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "common/server.h"
#include "common/transport.h"
#include "common/worker_pool.h"
#include "services/eval/src/api/leaderboard_service.h"
#include "services/eval/src/api/scorecard_service.h"
#include "services/eval/src/api/template_service.h"
#include "services/eval/src/boards/change_subscriber.h"
#include "services/eval/src/boards/redis_board_store.h"
#include "services/eval/src/boards/rollup_board_store.h"
#include "services/eval/src/boards/target_lookup.h"
#include "services/eval/src/boards/watch_hub.h"
#include "services/eval/src/scorecards/evaluation_runner.h"
#include "services/eval/src/scorecards/grpc_sources.h"
#include "services/eval/src/scorecards/scorecard_maker.h"
#include "services/eval/src/store/evaluation_store.h"
#include "services/eval/src/store/template_store.h"

int main(int argc, char** argv) {
  attain::TuneAllocator();  // before any thread: evaluations build large proto graphs
  attain::BlockShutdownSignals();
  attain::ServerOptions opts;
  opts.listen = "127.0.0.1:7403";
  std::string target_addr = "127.0.0.1:7401";
  std::string ingest_addr = "127.0.0.1:7402";
  absl::Duration redis_timeout = absl::Seconds(1);
  int64_t redis_connections = 4;
  absl::Duration dependency_deadline = absl::Seconds(3);
  attain::ConfigParser parser("attain-eval");
  attain::AddServerOptions(parser, &opts);
  parser.AddString("target-addr", &target_addr,
                   "host:port of attain-target (targets for attainment on the boards)");
  parser.AddString("ingest-addr", &ingest_addr,
                   "host:port of attain-ingest (actuals for scorecards, and the rollups boards "
                   "are computed from while Redis is down, for requests that allow it)");
  parser.AddDuration("redis-timeout", &redis_timeout, absl::Milliseconds(10),
                     "connect and command timeout of Redis reads: how long a board read may "
                     "wait before it answers UNAVAILABLE");
  parser.AddInt("redis-connections", &redis_connections, 1, 64,
                "Redis connections for board reads (each serves one read at a time)");
  parser.AddDuration("dependency-deadline", &dependency_deadline, absl::Milliseconds(50),
                     "deadline of each call to attain-target and attain-ingest while computing a "
                     "scorecard or a board from the rollups: how long a silent dependency may "
                     "hold a GetScorecard (or a board read with allow_rollups) before it "
                     "answers UNAVAILABLE");
  if (std::optional<int> code = attain::ParseFlagsOrExit(parser, "attain-eval", argc, argv)) {
    return *code;
  }
  if (opts.pg_url.empty() || opts.redis_url.empty()) {
    std::fprintf(stderr,
                 "attain-eval: --pg-url (ATTAIN_PG_URL) and --redis-url (ATTAIN_REDIS_URL) "
                 "are required\n");
    return 2;
  }
  attain::SetLogLevel(*attain::ParseLogLevel(opts.log_level));
  absl::StatusOr<std::string> key = attain::ResolveJwtKey(opts);
  if (!key.ok()) return attain::StartupFailed("attain-eval", key.status());
  absl::StatusOr<attain::RedisClient::Options> redis_opts =
      attain::RedisClient::ParseUrl(opts.redis_url);
  if (!redis_opts.ok()) return attain::StartupFailed("attain-eval", redis_opts.status());
  redis_opts->connect_timeout = redis_timeout;
  redis_opts->command_timeout = redis_timeout;

  absl::StatusOr<attain::Transport> transport = attain::Transport::Load(
      opts.transport,
      {{"--listen", opts.listen}, {"--target-addr", target_addr}, {"--ingest-addr", ingest_addr}});
  if (!transport.ok()) return attain::StartupFailed("attain-eval", transport.status());
  absl::StatusOr<std::unique_ptr<attain::Metrics>> metrics =
      attain::Metrics::Start(opts.metrics_listen);
  if (!metrics.ok()) return attain::StartupFailed("attain-eval", metrics.status());

  attain::SystemClock clock;
  absl::StatusOr<std::unique_ptr<attain::TokenVerifier>> verifier =
      attain::TokenVerifier::Create(*key, &clock);
  if (!verifier.ok()) return attain::StartupFailed("attain-eval", verifier.status());

  // Templates and evaluations live in the eval schema.
  attain::PgPool::Options pg_opts;
  pg_opts.url = opts.pg_url;
  pg_opts.size = static_cast<int>(opts.pg_pool_size);
  pg_opts.start_wait = opts.pg_start_wait;
  absl::StatusOr<std::unique_ptr<attain::PgPool>> pg = attain::PgPool::Create(pg_opts);
  if (!pg.ok()) return attain::StartupFailed("attain-eval", pg.status());
  if (absl::Status st = attain::eval::PgTemplateStore::Migrate(**pg); !st.ok()) {
    return attain::StartupFailed("attain-eval", st);
  }
  attain::eval::PgTemplateStore template_store(**pg);
  attain::eval::PgEvaluationStore evaluation_store(**pg);

  attain::WorkerPool pool(static_cast<int>(opts.workers), static_cast<size_t>(opts.max_queue));
  attain::eval::RedisBoardStore boards(*redis_opts, static_cast<int>(redis_connections));
  // A whole company's targets or per-rep actuals come in one answer (about
  // 1.2 MiB per 10,000 reps): past gRPC's 4 MiB default from ~35,000 reps.
  // (DependencyChannel accepts 256 MiB answers.)
  std::shared_ptr<grpc::Channel> target_channel =
      attain::DependencyChannel(target_addr, *transport);
  std::shared_ptr<grpc::Channel> ingest_channel =
      attain::DependencyChannel(ingest_addr, *transport);
  attain::eval::GrpcTargetLookup targets(target_channel, *key, &clock, {});
  // The boards computed from ingest's rollups, for reads that allow them while
  // Redis cannot be read.
  attain::eval::GrpcRollupSource rollup_source(ingest_channel, *key, &clock, dependency_deadline);
  attain::eval::RollupBoardStore rollup_boards(rollup_source);

  // Scorecards: targets and the org tree from attain-target, actuals from
  // attain-ingest, each call with a service token and a deadline.
  attain::eval::GrpcSourceOptions source_opts;
  source_opts.deadline = dependency_deadline;
  attain::eval::GrpcTargetSource scorecard_targets(target_channel, *key, &clock, source_opts);
  attain::eval::GrpcOrgSource scorecard_org(target_channel, *key, &clock, source_opts);
  attain::eval::GrpcActualsSource scorecard_actuals(ingest_channel, *key, &clock, source_opts);
  attain::eval::ScorecardMaker scorecard_maker(scorecard_targets, scorecard_actuals, scorecard_org);
  attain::eval::EvaluationRunner evaluation_runner(scorecard_maker, scorecard_targets,
                                                   scorecard_org);

  // One pub/sub connection for the process; the hub fans its changes out to
  // every Watch stream.
  attain::eval::WatchHub* hub_ptr = nullptr;
  attain::eval::RedisChangeSubscriber changes(
      *redis_opts, {}, [&hub_ptr](const std::string& ch) { hub_ptr->OnChange(ch); });
  attain::eval::WatchHub hub(changes, pool, {});
  hub_ptr = &hub;
  hub.Start();
  changes.Start();

  attain::RpcEnv env{verifier->get(), &pool};
  attain::eval::LeaderboardServiceImpl leaderboards(env, boards, targets, hub, &rollup_boards);
  attain::eval::TemplateServiceImpl templates(env, template_store);
  attain::eval::UnitComparer unit_comparer(scorecard_targets, scorecard_actuals, scorecard_org);
  attain::eval::ScorecardServiceImpl scorecards(env, template_store, evaluation_store,
                                                scorecard_org, scorecard_maker, evaluation_runner,
                                                unit_comparer);

  attain::AddPoolGauges(
      **metrics, pool, [&pg] { return (*pg)->in_use(); }, (*pg)->size());
  absl::StatusOr<std::unique_ptr<attain::GrpcServer>> server =
      attain::GrpcServer::Start(attain::GrpcServer::ConfigFor(opts, *transport, metrics->get()),
                                {&leaderboards, &templates, &scorecards});
  if (!server.ok()) return attain::StartupFailed("attain-eval", server.status());
  // The boards need Redis (reads with allow_rollups excepted); templates,
  // scorecards and evaluations only PostgreSQL (and the other services).
  attain::RedisClient redis_probe(*redis_opts);
  (*server)->MonitorDependencies(
      {{"postgresql", [&pg] { return (*pg)->Ping(); }},
       {"redis",
        [&redis_probe] { return redis_probe.Command({"PING"}).status(); },
        {"attain.eval.v1.LeaderboardService"}}},
      opts.health_interval, metrics->get());

  int sig = attain::WaitForShutdownSignal();
  attain::LogEvent(attain::LogLevel::kInfo, "signal").Int("signal", sig);
  leaderboards.CloseWatches();  // streams would otherwise hold the shutdown for its grace
  (*server)->Shutdown();
  changes.Stop();
  hub.Stop();
  pool.Shutdown();
  return 0;
}
