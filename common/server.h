// Server start-up shared by every service: binds, registers the services with
// health checking (grpc.health.v1) and reflection, and shuts down cleanly on
// SIGTERM/SIGINT: health turns NOT_SERVING, new calls are refused, in-flight
// calls get a grace period to finish.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace attain {

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
  };

  // Builds and starts the server. `services` are not owned and must outlive it.
  // UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const Config& config, const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Health status of the whole server ("" service) and each registered one.
  void SetServing(bool serving);
  // NOT_SERVING, then refuses new calls and waits up to the grace period for
  // in-flight ones, cancelling what is left (their callers get UNAVAILABLE on
  // time). Work already running on a worker pool owns its call until it
  // returns, so Shutdown returns when such work does. Idempotent.
  void Shutdown();

 private:
  GrpcServer() = default;
  Config config_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace attain
