#include "common/transport.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace attain {
namespace {

// Reads a PEM file named by `option`; INVALID_ARGUMENT naming the option.
absl::StatusOr<std::string> ReadPem(const std::string& option, const std::string& path,
                                    absl::string_view what) {
  absl::StatusOr<std::string> text = ReadSecretFile(path);
  if (!text.ok())
    return absl::InvalidArgumentError(absl::StrCat(option, ": ", text.status().message()));
  if (!absl::StrContains(*text, "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not PEM (no \"-----BEGIN\" line); give the %s in PEM form",
                        option, path, what));
  }
  return absl::StrCat(*text, "\n");
}

bool IsLoopbackHost(absl::string_view host) {
  const std::string h = absl::AsciiStrToLower(host);
  if (h == "localhost" || absl::EndsWith(h, ".localhost") || h == "::1" || h == "0:0:0:0:0:0:0:1") {
    return true;
  }
  std::vector<absl::string_view> octets = absl::StrSplit(h, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view o : octets) {
    int v = 0;
    if (o.empty() || !absl::SimpleAtoi(o, &v) || v < 0 || v > 255) return false;
  }
  return true;
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  absl::string_view a = address;
  if (absl::ConsumePrefix(&a, "unix:") || absl::ConsumePrefix(&a, "unix-abstract:")) return true;
  if (!absl::ConsumePrefix(&a, "dns:///") && !absl::ConsumePrefix(&a, "dns:")) {
    if (!absl::ConsumePrefix(&a, "ipv4:")) absl::ConsumePrefix(&a, "ipv6:");
  }
  if (a.empty()) return false;
  // ipv4:/ipv6: targets may list several addresses: all must be loopback.
  for (absl::string_view one : absl::StrSplit(a, ',')) {
    absl::string_view host;
    if (absl::StartsWith(one, "[")) {
      size_t close = one.find(']');
      if (close == absl::string_view::npos) return false;
      host = one.substr(1, close - 1);
    } else {
      size_t colon = one.rfind(':');
      host = colon == absl::string_view::npos ? one : one.substr(0, colon);
    }
    if (!IsLoopbackHost(host)) return false;
  }
  return true;
}

absl::StatusOr<Transport> Transport::Load(const TransportOptions& options,
                                          const std::vector<Endpoint>& endpoints) {
  const bool any_tls =
      !options.cert_file.empty() || !options.key_file.empty() || !options.ca_file.empty();
  if (options.plaintext) {
    if (any_tls) {
      return absl::InvalidArgumentError(
          "--plaintext (ATTAIN_PLAINTEXT) is set together with --tls-* files: choose one");
    }
    std::vector<std::string> remote;
    for (const auto& [option, address] : endpoints) {
      if (!IsLoopbackAddress(address)) remote.push_back(absl::StrCat(option, "=", address));
    }
    if (!remote.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--plaintext (ATTAIN_PLAINTEXT) is allowed only on loopback, but ",
                       absl::StrJoin(remote, ", "),
                       " is not: give --tls-cert-file, --tls-key-file and --tls-ca-file instead"));
    }
    return Plaintext();
  }
  if (options.cert_file.empty() || options.key_file.empty()) {
    if (!any_tls) {
      return absl::InvalidArgumentError(
          "no transport security configured: give --tls-cert-file, --tls-key-file and "
          "--tls-ca-file (ATTAIN_TLS_CERT_FILE, ATTAIN_TLS_KEY_FILE, ATTAIN_TLS_CA_FILE), or "
          "--plaintext (ATTAIN_PLAINTEXT) for a loopback-only development setup");
    }
    return absl::InvalidArgumentError(
        absl::StrCat(options.cert_file.empty() ? "--tls-cert-file (ATTAIN_TLS_CERT_FILE)"
                                               : "--tls-key-file (ATTAIN_TLS_KEY_FILE)",
                     " is missing: a certificate and its key go together"));
  }
  if (options.require_client_cert && options.ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-require-client-cert needs --tls-ca-file (ATTAIN_TLS_CA_FILE), the CA that signs "
        "the client certificates");
  }
  return FromFiles(options);
}

absl::StatusOr<Transport> Transport::LoadClient(const TransportOptions& options,
                                                const std::vector<Endpoint>& endpoints) {
  if (options.plaintext ||
      (options.cert_file.empty() && options.key_file.empty() && options.ca_file.empty())) {
    // With nothing configured, a client on this machine talks plaintext to
    // loopback services (a development setup); anywhere else it must say.
    TransportOptions plaintext = options;
    plaintext.plaintext = true;
    absl::StatusOr<Transport> t = Load(plaintext, endpoints);
    if (!t.ok() && !options.plaintext) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no transport security configured for a service that is not on loopback: give "
          "--tls-ca-file (ATTAIN_TLS_CA_FILE), the CA of the services' certificates (and "
          "--tls-cert-file/--tls-key-file when they require a client certificate). ",
          t.status().message()));
    }
    return t;
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert-file and --tls-key-file go together: give both or neither");
  }
  return FromFiles(options);
}

absl::StatusOr<Transport> Transport::FromFiles(const TransportOptions& options) {
  Transport t;
  t.plaintext_ = false;
  t.require_client_cert_ = options.require_client_cert;
  for (auto [option, path, out, what] :
       {std::tuple{"--tls-cert-file (ATTAIN_TLS_CERT_FILE)", &options.cert_file, &t.cert_,
                   "certificate"},
        std::tuple{"--tls-key-file (ATTAIN_TLS_KEY_FILE)", &options.key_file, &t.key_,
                   "private key"},
        std::tuple{"--tls-ca-file (ATTAIN_TLS_CA_FILE)", &options.ca_file, &t.ca_,
                   "CA certificate(s)"}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> pem = ReadPem(option, *path, what);
    if (!pem.ok()) return pem.status();
    *out = *std::move(pem);
  }
  return t;
}

Transport Transport::Plaintext() { return Transport(); }

std::shared_ptr<grpc::ServerCredentials> Transport::ServerCredentials() const {
  if (plaintext_) return grpc::InsecureServerCredentials();
  grpc_ssl_client_certificate_request_type request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  if (require_client_cert_) {
    request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else if (!ca_.empty()) {
    // A client certificate, when sent, must be valid; clients without one
    // (apps that authenticate by token only) are still served.
    request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  grpc::SslServerCredentialsOptions options(request);
  options.pem_root_certs = ca_;
  options.pem_key_cert_pairs.push_back({key_, cert_});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> Transport::ChannelCredentials() const {
  if (plaintext_) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_;  // empty: the system's roots
  options.pem_private_key = key_;
  options.pem_cert_chain = cert_;
  return grpc::SslCredentials(options);
}

std::string DependencyServiceConfig(const DependencyChannelOptions& options) {
  // Every method: round robin over the resolved addresses; UNAVAILABLE (the
  // call never reached a server that could act on it, or a replica went away)
  // is retried with exponential backoff inside the call's deadline. The calls
  // between services are reads, so a retry repeats no effect.
  return absl::StrFormat(
      R"json({
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [{}],
    "timeout": "%.3fs",
    "retryPolicy": {
      "maxAttempts": %d,
      "initialBackoff": "0.1s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})json",
      absl::ToDoubleSeconds(options.default_timeout), options.max_attempts);
}

std::shared_ptr<grpc::Channel> DependencyChannel(const std::string& address,
                                                 const Transport& transport,
                                                 const DependencyChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  args.SetServiceConfigJSON(DependencyServiceConfig(options));
  // A restarted dependency is found again within about a second instead of
  // gRPC's default back-off of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // A peer that vanished without closing its connections is noticed.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  return grpc::CreateCustomChannel(address, transport.ChannelCredentials(), args);
}

}  // namespace attain
