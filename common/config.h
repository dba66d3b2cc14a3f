// Typed configuration from command-line flags and ATTAIN_* environment
// variables, validated at start (ARCHITECTURE.md §11). Precedence: flag >
// environment > default. A flag `--pg-url` reads the variable `ATTAIN_PG_URL`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace attain {

class ConfigParser {
 public:
  using GetEnv = std::function<const char*(const char*)>;

  explicit ConfigParser(std::string program);

  // Registers an option. `name` is the flag name without dashes (e.g. "pg-url").
  void AddString(std::string name, std::string* out, std::string help, bool required = false);
  void AddInt(std::string name, int64_t* out, int64_t min, int64_t max, std::string help);
  void AddBool(std::string name, bool* out, std::string help);
  // Durations in absl form: "250ms", "5s", "1m".
  void AddDuration(std::string name, absl::Duration* out, absl::Duration min, std::string help);

  // Adds a check of string option `name`'s final value (from the flag, the
  // environment or the default). A non-OK result's message becomes one problem
  // line for that option, so it should say what is wrong with the value and
  // what to use instead, and must not echo secrets. `name` must be registered.
  using Check = std::function<absl::Status(const std::string& value)>;
  void AddCheck(absl::string_view name, Check check);

  // Reads option `name` from the environment variable `env` instead of
  // ATTAIN_<NAME>; an empty `env` makes it a flag only. `name` must be registered.
  void SetVariable(absl::string_view name, std::string env);

  // Parses `--name=value` / `--name value` / `--bool-flag` arguments over the
  // environment. On error returns INVALID_ARGUMENT listing every problem (unknown
  // flag, malformed or out-of-range value, missing required option), one per line,
  // each naming the flag and its variable. `--help` returns CANCELLED with Usage().
  //
  // argv[0] is the program (or command) name and is skipped; `--` ends the
  // options. Bool flags take `--x`, `--x=true|false|1|0`, never a separate
  // argument. An environment variable that is set but empty counts as unset.
  // `getenv` defaults to std::getenv. The outputs are written only on success.
  absl::Status Parse(int argc, const char* const* argv, const GetEnv& getenv = nullptr);

  // Help text: every option with its variable, default and help.
  std::string Usage() const;

  // Arguments that are not options (in order), after Parse.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  struct Option;
  std::string program_;
  std::vector<std::shared_ptr<Option>> options_;
  std::vector<std::string> positional_;
};

// Transport security (common/transport.h loads it).
struct TransportOptions {
  std::string cert_file;  // PEM certificate chain this process presents, as server and as client
  std::string key_file;   // PEM private key of cert_file
  std::string ca_file;    // PEM CA bundle: verifies the servers called and the client certificates
  bool require_client_cert = false;  // refuse clients without a certificate signed by ca_file
  bool plaintext = false;            // no TLS at all: loopback addresses only
};

// Registers --tls-cert-file, --tls-key-file, --tls-ca-file,
// --tls-require-client-cert and --plaintext (ATTAIN_TLS_CERT_FILE, …).
void AddTransportOptions(ConfigParser& parser, TransportOptions* options);

// Options every service has. Register with AddServerOptions.
struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  std::string pg_url;                  // postgresql://… (required for services with a schema)
  std::string redis_url;               // redis://host:port[/db]
  std::string jwt_key;                 // HS256 secret, >= 32 bytes…
  std::string jwt_key_file;            // …or a file holding it
  std::string time_zone = "Asia/Shanghai";  // default tenant time zone
  std::string log_level = "info";           // debug|info|warn|error
  std::string port_file;                    // if set, the bound port is written here once serving
  int64_t workers = 8;                      // worker pool threads for blocking work
  int64_t max_queue = 1000;                 // queued calls before RESOURCE_EXHAUSTED
  int64_t pg_pool_size = 8;
  absl::Duration pg_start_wait = absl::ZeroDuration();  // wait for PostgreSQL at start
  absl::Duration shutdown_grace = absl::Seconds(10);    // in-flight calls get this long
  std::string metrics_listen;  // host:port of the Prometheus /metrics endpoint; "" = off
  absl::Duration health_interval = absl::Seconds(2);  // dependency probes for health
  TransportOptions transport;
};
// Also checks (in Parse) that listen is host:port, log_level is a level,
// time_zone is in the tz database, redis_url starts with redis:// and jwt_key
// is long enough.
void AddServerOptions(ConfigParser& parser, ServerOptions* options);

// Reads a secret (such as a JWT key) from `path`, dropping trailing whitespace
// (the file's final newline). INVALID_ARGUMENT "cannot open \"<path>\": <reason>"
// if it cannot be read; callers prefix the option that named the file.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// Loads the JWT key from jwt_key or jwt_key_file (exactly one must be set;
// trailing whitespace such as the file's final newline is dropped) and checks
// that it is at least 32 bytes. INVALID_ARGUMENT naming the option otherwise.
absl::StatusOr<std::string> ResolveJwtKey(const ServerOptions& options);

// For a service's main(): parses `argv` with `parser`. Returns nullopt to go
// on; otherwise the exit code to return at once: 0 after printing the usage
// for --help, 2 after printing the problems to stderr.
std::optional<int> ParseFlagsOrExit(ConfigParser& parser, const char* program, int argc,
                                    const char* const* argv);

// For a service's main(): logs a start-up failure and prints it to stderr
// ("<program>: <message>"); returns the exit code 1.
int StartupFailed(const char* program, const absl::Status& status);

}  // namespace attain
