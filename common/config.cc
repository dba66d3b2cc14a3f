#include "common/config.h"

#include <errno.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/log.h"

namespace attain {

namespace {

// Same minimum as TokenVerifier::Create (common/auth.h): an HS256 secret
// shorter than the hash output weakens the signature.
constexpr size_t kMinJwtKeyBytes = 32;

std::string VariableFor(absl::string_view name) {
  std::string env = absl::StrCat("ATTAIN_", name);
  for (char& c : env) {
    c = c == '-' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return env;
}

std::optional<bool> ParseBool(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return std::nullopt;
}

}  // namespace

struct ConfigParser::Option {
  enum class Kind { kString, kInt, kBool, kDuration };

  Kind kind = Kind::kString;
  std::string name;
  std::string env;
  std::string help;
  bool required = false;
  std::string default_text;  // for Usage()

  std::string* string_out = nullptr;
  int64_t* int_out = nullptr;
  bool* bool_out = nullptr;
  absl::Duration* duration_out = nullptr;
  int64_t int_min = 0;
  int64_t int_max = 0;
  absl::Duration duration_min;
  std::vector<Check> checks;

  // "--workers (ATTAIN_WORKERS)": how every problem line names the option.
  std::string Label() const {
    return env.empty() ? absl::StrCat("--", name) : absl::StrCat("--", name, " (", env, ")");
  }

  std::string Placeholder() const {
    switch (kind) {
      case Kind::kString:
        return "<string>";
      case Kind::kInt:
        return absl::StrFormat("<int %d..%d>", int_min, int_max);
      case Kind::kBool:
        return "<true|false>";
      case Kind::kDuration:
        return absl::StrCat("<duration >= ", absl::FormatDuration(duration_min), ">");
    }
    return "";
  }
};

ConfigParser::ConfigParser(std::string program) : program_(std::move(program)) {}

void ConfigParser::AddString(std::string name, std::string* out, std::string help, bool required) {
  auto o = std::make_shared<Option>();
  o->kind = Option::Kind::kString;
  o->env = VariableFor(name);
  o->name = std::move(name);
  o->help = std::move(help);
  o->required = required;
  o->string_out = out;
  o->default_text = out->empty() ? "" : absl::StrCat("\"", *out, "\"");
  options_.push_back(std::move(o));
}

void ConfigParser::AddInt(std::string name, int64_t* out, int64_t min, int64_t max,
                          std::string help) {
  auto o = std::make_shared<Option>();
  o->kind = Option::Kind::kInt;
  o->env = VariableFor(name);
  o->name = std::move(name);
  o->help = std::move(help);
  o->int_out = out;
  o->int_min = min;
  o->int_max = max;
  o->default_text = absl::StrCat(*out);
  options_.push_back(std::move(o));
}

void ConfigParser::AddBool(std::string name, bool* out, std::string help) {
  auto o = std::make_shared<Option>();
  o->kind = Option::Kind::kBool;
  o->env = VariableFor(name);
  o->name = std::move(name);
  o->help = std::move(help);
  o->bool_out = out;
  o->default_text = *out ? "true" : "false";
  options_.push_back(std::move(o));
}

void ConfigParser::AddDuration(std::string name, absl::Duration* out, absl::Duration min,
                               std::string help) {
  auto o = std::make_shared<Option>();
  o->kind = Option::Kind::kDuration;
  o->env = VariableFor(name);
  o->name = std::move(name);
  o->help = std::move(help);
  o->duration_out = out;
  o->duration_min = min;
  o->default_text = absl::FormatDuration(*out);
  options_.push_back(std::move(o));
}

void ConfigParser::AddCheck(absl::string_view name, Check check) {
  for (auto& o : options_) {
    if (o->name == name) {
      o->checks.push_back(std::move(check));
      return;
    }
  }
}

void ConfigParser::SetVariable(absl::string_view name, std::string env) {
  for (auto& o : options_) {
    if (o->name == name) {
      o->env = std::move(env);
      return;
    }
  }
}

absl::Status ConfigParser::Parse(int argc, const char* const* argv, const GetEnv& getenv) {
  positional_.clear();
  std::vector<std::string> problems;
  absl::flat_hash_map<std::string, Option*> by_name;
  for (auto& o : options_) by_name[o->name] = o.get();

  // Pass 1: collect raw flag values (the last occurrence wins).
  absl::flat_hash_map<const Option*, std::string> from_flags;
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i] == nullptr ? "" : argv[i];
    if (options_ended || arg == "-" || !absl::StartsWith(arg, "-")) {
      positional_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      return absl::CancelledError(Usage());
    }
    if (!absl::StartsWith(arg, "--")) {
      problems.push_back(
          absl::StrFormat("%s: unknown flag: flags start with \"--\" (see --help)", arg));
      continue;
    }
    absl::string_view body = arg.substr(2);
    absl::string_view name = body;
    std::optional<std::string> value;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      name = body.substr(0, eq);
      value = std::string(body.substr(eq + 1));
    }
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      problems.push_back(absl::StrFormat("--%s: unknown flag (see --help for the options)", name));
      continue;
    }
    Option* o = it->second;
    if (!value.has_value()) {
      if (o->kind == Option::Kind::kBool) {
        value = "true";
      } else if (i + 1 < argc && argv[i + 1] != nullptr && !absl::StartsWith(argv[i + 1], "--")) {
        value = argv[++i];
      } else {
        problems.push_back(
            absl::StrFormat("%s: needs a value: --%s=%s", o->Label(), o->name, o->Placeholder()));
        continue;
      }
    }
    from_flags[o] = std::move(*value);
  }

  // Pass 2: resolve every option (flag > environment > default) into staging
  // values, so that nothing is written unless everything is valid.
  struct Staged {
    Option* option = nullptr;
    std::string s;
    int64_t i = 0;
    bool b = false;
    absl::Duration d;
  };
  std::vector<Staged> staged;
  for (auto& holder : options_) {
    Option* o = holder.get();
    std::optional<std::string> raw;
    if (auto it = from_flags.find(o); it != from_flags.end()) {
      raw = it->second;
    } else if (!o->env.empty()) {
      const char* env = getenv ? getenv(o->env.c_str()) : std::getenv(o->env.c_str());
      if (env != nullptr && *env != '\0') raw = env;
    }
    Staged st;
    st.option = o;
    const std::string label = o->Label();
    switch (o->kind) {
      case Option::Kind::kString: {
        if (!raw.has_value() && o->required) {
          problems.push_back(o->env.empty()
                                 ? absl::StrFormat("%s: required: pass --%s=...", label, o->name)
                                 : absl::StrFormat("%s: required: pass --%s=... or set %s", label,
                                                   o->name, o->env));
          continue;
        }
        st.s = raw.has_value() ? *raw : *o->string_out;
        if (o->required && st.s.empty()) {
          problems.push_back(absl::StrFormat("%s: must not be empty", label));
          continue;
        }
        bool ok = true;
        for (const Check& check : o->checks) {
          if (absl::Status s = check(st.s); !s.ok()) {
            problems.push_back(absl::StrCat(label, ": ", s.message()));
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        break;
      }
      case Option::Kind::kInt: {
        st.i = *o->int_out;
        if (raw.has_value()) {
          if (!absl::SimpleAtoi(*raw, &st.i)) {
            problems.push_back(absl::StrFormat("%s: \"%s\" is not an integer", label,
                                               absl::Utf8SafeCHexEscape(*raw)));
            continue;
          }
          if (st.i < o->int_min || st.i > o->int_max) {
            problems.push_back(absl::StrFormat("%s: %d is out of range: use %d..%d", label, st.i,
                                               o->int_min, o->int_max));
            continue;
          }
        }
        break;
      }
      case Option::Kind::kBool: {
        st.b = *o->bool_out;
        if (raw.has_value()) {
          std::optional<bool> b = ParseBool(*raw);
          if (!b.has_value()) {
            problems.push_back(
                absl::StrFormat("%s: \"%s\" is not a boolean: use true, false, 1 or 0", label,
                                absl::Utf8SafeCHexEscape(*raw)));
            continue;
          }
          st.b = *b;
        }
        break;
      }
      case Option::Kind::kDuration: {
        st.d = *o->duration_out;
        if (raw.has_value()) {
          if (!absl::ParseDuration(*raw, &st.d)) {
            problems.push_back(absl::StrFormat(
                "%s: \"%s\" is not a duration: use a number with a unit, e.g. 250ms, 5s, 1m, 24h",
                label, absl::Utf8SafeCHexEscape(*raw)));
            continue;
          }
          if (st.d < o->duration_min) {
            problems.push_back(absl::StrFormat("%s: %s is too short: use at least %s", label,
                                               absl::FormatDuration(st.d),
                                               absl::FormatDuration(o->duration_min)));
            continue;
          }
        }
        break;
      }
    }
    staged.push_back(std::move(st));
  }

  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  }
  for (Staged& st : staged) {
    Option* o = st.option;
    switch (o->kind) {
      case Option::Kind::kString:
        *o->string_out = std::move(st.s);
        break;
      case Option::Kind::kInt:
        *o->int_out = st.i;
        break;
      case Option::Kind::kBool:
        *o->bool_out = st.b;
        break;
      case Option::Kind::kDuration:
        *o->duration_out = st.d;
        break;
    }
  }
  return absl::OkStatus();
}

std::string ConfigParser::Usage() const {
  bool any_env = false;
  for (const auto& o : options_) any_env = any_env || !o->env.empty();
  std::string out = absl::StrFormat(
      "Usage: %s [options]\n\nOptions%s:\n", program_,
      any_env ? " (a flag beats its environment variable, which beats the default)" : "");
  for (const auto& o : options_) {
    std::vector<std::string> notes;
    if (!o->env.empty()) notes.push_back(absl::StrCat("env ", o->env));
    if (o->required) {
      notes.push_back("required");
    } else if (!o->default_text.empty()) {
      notes.push_back(absl::StrCat("default ", o->default_text));
    }
    absl::StrAppend(&out, "  --", o->name, "=", o->Placeholder());
    if (!notes.empty()) absl::StrAppend(&out, "  (", absl::StrJoin(notes, ", "), ")");
    absl::StrAppend(&out, "\n      ", o->help, "\n");
  }
  absl::StrAppend(&out, "  --help\n      print this help and exit\n");
  return out;
}

namespace {

absl::Status CheckListen(const std::string& value) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\" is not host:port: use e.g. 127.0.0.1:50051, [::1]:50051 or 0.0.0.0:0 "
        "(port 0 picks a free port)",
        absl::Utf8SafeCHexEscape(value)));
  };
  absl::string_view host, port;
  absl::string_view v = value;
  if (absl::StartsWith(v, "[")) {
    size_t close = v.find("]:");
    if (close == absl::string_view::npos) return bad();
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else {
    size_t colon = v.rfind(':');
    if (colon == absl::string_view::npos) return bad();
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
    if (absl::StrContains(host, ':')) return bad();  // IPv6 needs brackets
  }
  if (host.empty() || port.empty() || port.size() > 5) return bad();
  for (char c : port) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad();
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number > 65535) return bad();
  return absl::OkStatus();
}

absl::Status CheckLogLevel(const std::string& value) {
  if (ParseLogLevel(value).ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("\"%s\" is not a log level: use debug, info, warn or error",
                      absl::Utf8SafeCHexEscape(value)));
}

absl::Status CheckTimeZone(const std::string& value) {
  absl::TimeZone tz;
  if (!value.empty() && absl::LoadTimeZone(value, &tz)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("\"%s\" is not a time zone: use an IANA name such as Asia/Shanghai or UTC "
                      "(and check that tzdata is installed)",
                      absl::Utf8SafeCHexEscape(value)));
}

absl::Status CheckRedisUrl(const std::string& value) {
  if (value.empty() || absl::StartsWith(value, "redis://")) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "\"%s\" is not a Redis URL: use redis://host:port[/db]", absl::Utf8SafeCHexEscape(value)));
}

absl::Status CheckJwtKey(const std::string& value) {
  // Never echo the key: it is a secret.
  if (value.empty() || value.size() >= kMinJwtKeyBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "the key is %d bytes; HS256 keys must be at least %d (e.g. `openssl rand -base64 48`)",
      value.size(), kMinJwtKeyBytes));
}

}  // namespace

void AddTransportOptions(ConfigParser& parser, TransportOptions* options) {
  parser.AddString("tls-cert-file", &options->cert_file,
                   "PEM certificate chain this process presents (as server and, to the services "
                   "it calls, as client)");
  parser.AddString("tls-key-file", &options->key_file, "PEM private key of --tls-cert-file");
  parser.AddString("tls-ca-file", &options->ca_file,
                   "PEM CA bundle that verifies the services this one calls and client "
                   "certificates");
  parser.AddBool("tls-require-client-cert", &options->require_client_cert,
                 "refuse clients that present no certificate signed by --tls-ca-file (mutual "
                 "TLS)");
  parser.AddBool("plaintext", &options->plaintext,
                 "serve and call without TLS; allowed only when every address is loopback "
                 "(development and tests)");
}

void AddServerOptions(ConfigParser& parser, ServerOptions* options) {
  parser.AddString("listen", &options->listen,
                   "address to serve gRPC on, host:port; port 0 picks a free port");
  parser.AddCheck("listen", CheckListen);
  parser.AddString("pg-url", &options->pg_url,
                   "PostgreSQL connection URL, postgresql://user@host:port/db");
  parser.AddString("redis-url", &options->redis_url, "Redis URL, redis://host:port[/db]");
  parser.AddCheck("redis-url", CheckRedisUrl);
  parser.AddString("jwt-key", &options->jwt_key,
                   "HS256 secret for bearer tokens, at least 32 bytes (or use --jwt-key-file)");
  parser.AddCheck("jwt-key", CheckJwtKey);
  parser.AddString("jwt-key-file", &options->jwt_key_file,
                   "file holding the HS256 secret (instead of --jwt-key)");
  parser.AddString("time-zone", &options->time_zone,
                   "default tenant time zone (IANA name) for period boundaries");
  parser.AddCheck("time-zone", CheckTimeZone);
  parser.AddString("log-level", &options->log_level,
                   "least severe log level: debug|info|warn|error");
  parser.AddCheck("log-level", CheckLogLevel);
  parser.AddString("port-file", &options->port_file,
                   "if set, the bound port is written to this file once serving");
  parser.AddInt("workers", &options->workers, 1, 1024,
                "worker pool threads for blocking (PostgreSQL/Redis) work");
  parser.AddInt("max-queue", &options->max_queue, 1, 1000000,
                "calls queued for the workers before RESOURCE_EXHAUSTED");
  parser.AddInt("pg-pool-size", &options->pg_pool_size, 1, 1000,
                "PostgreSQL connections in the pool");
  parser.AddDuration("pg-start-wait", &options->pg_start_wait, absl::ZeroDuration(),
                     "how long to keep trying an unreachable PostgreSQL at start before exiting "
                     "(0: exit at once)");
  parser.AddDuration("shutdown-grace", &options->shutdown_grace, absl::ZeroDuration(),
                     "how long in-flight calls may finish at shutdown");
  parser.AddString("metrics-listen", &options->metrics_listen,
                   "address to serve Prometheus metrics on (HTTP, path /metrics), host:port; "
                   "empty: not served");
  parser.AddCheck("metrics-listen", [](const std::string& value) {
    return value.empty() ? absl::OkStatus() : CheckListen(value);
  });
  parser.AddDuration("health-interval", &options->health_interval, absl::Milliseconds(100),
                     "how often PostgreSQL/Redis are probed for the health status");
  AddTransportOptions(parser, &options->transport);
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrFormat("cannot open \"%s\": %s", path, std::strerror(errno)));
  }
  std::string content;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) content.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    return absl::InvalidArgumentError(
        absl::StrFormat("cannot read \"%s\": %s", path, std::strerror(err)));
  }
  return std::string(absl::StripTrailingAsciiWhitespace(content));
}

absl::StatusOr<std::string> ResolveJwtKey(const ServerOptions& options) {
  if (!options.jwt_key.empty() && !options.jwt_key_file.empty()) {
    return absl::InvalidArgumentError(
        "both --jwt-key (ATTAIN_JWT_KEY) and --jwt-key-file (ATTAIN_JWT_KEY_FILE) are set: "
        "set only one");
  }
  if (options.jwt_key.empty() && options.jwt_key_file.empty()) {
    return absl::InvalidArgumentError(
        "no JWT key: set --jwt-key (ATTAIN_JWT_KEY) or --jwt-key-file (ATTAIN_JWT_KEY_FILE) to "
        "a secret of at least 32 bytes (e.g. `openssl rand -base64 48`)");
  }
  std::string key;
  std::string source;
  if (!options.jwt_key.empty()) {
    key = options.jwt_key;
    source = "--jwt-key (ATTAIN_JWT_KEY)";
  } else {
    source = "--jwt-key-file (ATTAIN_JWT_KEY_FILE)";
    absl::StatusOr<std::string> from_file = ReadSecretFile(options.jwt_key_file);
    if (!from_file.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": ", from_file.status().message()));
    }
    key = *std::move(from_file);
  }
  if (key.size() < kMinJwtKeyBytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the key is %d bytes; HS256 keys must be at least %d (e.g. `openssl rand -base64 48`)",
        source, key.size(), kMinJwtKeyBytes));
  }
  return key;
}

std::optional<int> ParseFlagsOrExit(ConfigParser& parser, const char* program, int argc,
                                    const char* const* argv) {
  absl::Status st = parser.Parse(argc, argv);
  if (st.ok()) return std::nullopt;
  if (absl::IsCancelled(st)) {
    std::fputs(parser.Usage().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "%s: %s\n", program, std::string(st.message()).c_str());
  return 2;
}

int StartupFailed(const char* program, const absl::Status& status) {
  LogEvent(LogLevel::kError, "start-up failed").Str("error", status.message());
  std::fprintf(stderr, "%s: %s\n", program, std::string(status.message()).c_str());
  return 1;
}

}  // namespace attain
