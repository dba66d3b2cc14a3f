// Starts a real service binary for end-to-end tests: on a free loopback
// port, waits until its health check says SERVING, stops it on destruction.
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace attain::testing {

// grpc.health.v1.Health/Check for `service` ("" = the server). Returns the
// serving status number (1 = SERVING, 2 = NOT_SERVING) or the call's error.
absl::StatusOr<int> CheckHealth(grpc::Channel& channel, const std::string& service,
                                absl::Duration timeout = absl::Seconds(2));

// Polls `done` every 10 ms until it holds (true) or `timeout` passes (false).
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout);

class ServiceProcess {
 public:
  struct Options {
    std::string binary;
    std::vector<std::string> args;           // besides --listen and --port-file, which are added
    std::map<std::string, std::string> env;  // added to the inherited environment
    absl::Duration start_timeout = absl::Seconds(30);
    // How NewChannel (and the start-up health check) connects: null is
    // plaintext, and then `--plaintext` is added unless `args` has --tls-* flags.
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr;
  };

  // Starts the binary and waits until it serves. On failure the message
  // includes the tail of the process's log.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(Options options);
  ~ServiceProcess();  // Terminate() if still running

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  std::shared_ptr<grpc::Channel> NewChannel() const;
  // The process's stderr/stdout so far.
  std::string Log() const;

  // SIGTERM, then waits up to `timeout` (SIGKILL after). Returns the exit code
  // (128 + signal if killed by a signal).
  int Terminate(absl::Duration timeout = absl::Seconds(20));
  // SIGKILL and reap.
  void Kill();
  bool running() const { return pid_ > 0; }

 private:
  ServiceProcess() = default;
  int Reap(absl::Duration timeout);

  Options options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;  // temp dir for port file and log
};

}  // namespace attain::testing
