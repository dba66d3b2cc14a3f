// Typed configuration from command-line flags and ATTAIN_* environment
// variables, validated at start (ARCHITECTURE.md §11). Precedence: flag >
// environment > default. A flag `--pg-url` reads the variable `ATTAIN_PG_URL`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
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

  // Parses `--name=value` / `--name value` / `--bool-flag` arguments over the
  // environment. On error returns INVALID_ARGUMENT listing every problem (unknown
  // flag, malformed or out-of-range value, missing required option), one per line,
  // each naming the flag and its variable. `--help` returns CANCELLED with Usage().
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

// Options every service has. Register with AddServerOptions.
struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  std::string pg_url;                  // postgresql://… (required for services with a schema)
  std::string redis_url;               // redis://host:port[/db]
  std::string jwt_key;                 // HS256 secret, >= 32 bytes…
  std::string jwt_key_file;            // …or a file holding it
  std::string time_zone = "Asia/Shanghai";  // default tenant time zone
  std::string log_level = "info";           // debug|info|warn|error
  std::string port_file;  // if set, the bound port is written here once serving
  int64_t workers = 8;    // worker pool threads for blocking work
  int64_t max_queue = 1000;  // queued calls before RESOURCE_EXHAUSTED
  int64_t pg_pool_size = 8;
  absl::Duration shutdown_grace = absl::Seconds(10);  // in-flight calls get this long
};
void AddServerOptions(ConfigParser& parser, ServerOptions* options);

// Loads the JWT key from jwt_key or jwt_key_file and checks its length.
absl::StatusOr<std::string> ResolveJwtKey(const ServerOptions& options);

}  // namespace attain
