// Server start-up shared by every service: binds, registers the services with
// health checking (grpc.health.v1) and reflection, and shuts down cleanly on
// SIGTERM/SIGINT: health turns NOT_SERVING, new calls are refused, in-flight
// calls get a grace period to finish.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/config.h"

namespace attain {

class Metrics;
class Transport;

// A check of a store the service uses (PostgreSQL, Redis): OK while it
// answers. Runs on the monitor's thread; must return within a few seconds (use
// the client's own timeouts).
struct DependencyProbe {
  std::string name;  // "postgresql", "redis"
  std::function<absl::Status()> check;
  // The gRPC services ("attain.eval.v1.LeaderboardService") that cannot answer
  // without it; {"*"}: all of them. The whole server ("") is NOT_SERVING while
  // any probe fails, whatever this says.
  std::vector<std::string> needed_by = {"*"};
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// later. Call first thing in main(), then WaitForShutdownSignal() picks them up.
void BlockShutdownSignals();
// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

class GrpcServer {
 public:
  struct Config {
    std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
    std::string port_file;               // if set, the bound port is written here
    absl::Duration shutdown_grace = absl::Seconds(10);
    int max_receive_message_bytes = 16 << 20;
    // Concurrent calls (streams) per client connection; more wait for a slot.
    int max_concurrent_streams = 1024;
    // Memory gRPC may use for the server's connections and calls; past it new
    // calls are refused (RESOURCE_EXHAUSTED) instead of growing the process.
    int64_t memory_quota_bytes = int64_t{512} << 20;
    // TLS or plaintext (common/transport.h); null: plaintext.
    std::shared_ptr<grpc::ServerCredentials> credentials;
    // If set, counts and times every call (not owned; must outlive the server).
    Metrics* metrics = nullptr;
  };

  // The Config of a service's options: listen, port file, grace, credentials.
  static Config ConfigFor(const ServerOptions& options, const Transport& transport,
                          Metrics* metrics);

  // Builds and starts the server. `services` are not owned and must outlive it.
  // UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const Config& config, const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Health status of the whole server ("" service) and each registered one.
  // Ignored once Shutdown has begun.
  void SetServing(bool serving);

  // Runs every probe now and then every `interval` on a thread of its own:
  // the server ("") reports SERVING only while all pass, each gRPC service
  // only while those it needs pass; a change is logged, naming the failing
  // dependency. With `metrics`, sets attain_dependency_up for each. Stops at
  // Shutdown. Call at most once.
  void MonitorDependencies(std::vector<DependencyProbe> probes, absl::Duration interval,
                           Metrics* metrics);
  // NOT_SERVING, then refuses new calls and waits up to the grace period for
  // in-flight ones, cancelling what is left (their callers get UNAVAILABLE on
  // time). Work already running on a worker pool owns its call until it
  // returns, so Shutdown returns when such work does. Idempotent.
  void Shutdown();

 private:
  GrpcServer() = default;
  void SetServingLocked(bool serving) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Health by the failing probes' needs (see MonitorDependencies).
  void SetHealthFor(const std::vector<const DependencyProbe*>& failing);

  Config config_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::vector<std::string> service_names_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stop_monitor_;
  std::thread monitor_;
};

}  // namespace attain
