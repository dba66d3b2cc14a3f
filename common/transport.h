// Transport security and the channels between services (ARCHITECTURE §10):
// TLS on every listener, mutual TLS between services, certificates from PEM
// files; plaintext only when asked for with --plaintext and only on loopback.
// Dependency channels carry gRPC's service config: round robin over every
// address the name resolves to, retries of UNAVAILABLE only (with backoff),
// and a quick reconnect after a dependency restarts.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/config.h"

namespace attain {

// Whether `address` (host:port, [v6]:port, or a dns:/// or ipv4:/ipv6: target)
// names this machine only: localhost, 127.0.0.0/8 or ::1.
bool IsLoopbackAddress(absl::string_view address);

// The credentials for one process's listener and outgoing channels, loaded
// once at start.
class Transport {
 public:
  // A named address the process listens on or calls, e.g. {"--listen", "0.0.0.0:7401"}.
  using Endpoint = std::pair<std::string, std::string>;

  // Reads the files and checks the combination. INVALID_ARGUMENT, naming the
  // option, when: plaintext is asked for while an endpoint is not loopback;
  // neither TLS files nor --plaintext are given; only one of cert and key is
  // given; require_client_cert without a CA; a file cannot be read or is not PEM.
  static absl::StatusOr<Transport> Load(const TransportOptions& options,
                                        const std::vector<Endpoint>& endpoints);
  // For clients (attainctl, tests), which present a certificate only when
  // given one: TLS when any TLS file is set; plaintext when asked for or when
  // nothing is set, and then only to loopback endpoints.
  static absl::StatusOr<Transport> LoadClient(const TransportOptions& options,
                                              const std::vector<Endpoint>& endpoints);
  // Plaintext (tests and tools on loopback).
  static Transport Plaintext();

  bool plaintext() const { return plaintext_; }
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials() const;
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;

 private:
  // TLS from the files `options` names (those that are set).
  static absl::StatusOr<Transport> FromFiles(const TransportOptions& options);

  bool plaintext_ = true;
  bool require_client_cert_ = false;
  std::string cert_;
  std::string key_;
  std::string ca_;
};

struct DependencyChannelOptions {
  // Largest answer accepted (a company's evaluation or actuals can be large).
  int max_receive_message_bytes = 256 << 20;
  // Default deadline of a call that sets none (callers normally set their own).
  absl::Duration default_timeout = absl::Seconds(30);
  // Attempts of a call answered UNAVAILABLE, the first included.
  int max_attempts = 4;
};

// The service config of dependency channels, as JSON (exposed for tests).
std::string DependencyServiceConfig(const DependencyChannelOptions& options);

// A channel to another Attain service at `address` ("host:port" or
// "dns:///name:port" to balance over every address of a headless service).
std::shared_ptr<grpc::Channel> DependencyChannel(const std::string& address,
                                                 const Transport& transport,
                                                 const DependencyChannelOptions& options = {});

}  // namespace attain
