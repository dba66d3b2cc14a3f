#include "common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace attain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// An environment for ConfigParser::Parse that reads only this map.
class FakeEnv {
 public:
  FakeEnv(std::initializer_list<std::pair<const std::string, std::string>> vars) : vars_(vars) {}
  ConfigParser::GetEnv Fn() const {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }

 private:
  std::map<std::string, std::string> vars_;
};

// Runs parser.Parse over "prog" followed by `args`.
absl::Status ParseArgs(ConfigParser& parser, std::vector<const char*> args,
                       const FakeEnv& env = FakeEnv({})) {
  args.insert(args.begin(), "prog");
  return parser.Parse(static_cast<int>(args.size()), args.data(), env.Fn());
}

std::vector<std::string> Lines(const absl::Status& s) {
  return absl::StrSplit(std::string(s.message()), '\n');
}

// A small parser with one option of each kind.
struct Demo {
  std::string name = "default-name";
  std::string pg_url;
  int64_t workers = 8;
  bool verbose = false;
  absl::Duration grace = absl::Seconds(10);
  ConfigParser parser{"demo"};

  explicit Demo(bool pg_required = false) {
    parser.AddString("name", &name, "a name");
    parser.AddString("pg-url", &pg_url, "database URL", pg_required);
    parser.AddInt("workers", &workers, 1, 64, "worker threads");
    parser.AddBool("verbose", &verbose, "talk more");
    parser.AddDuration("grace", &grace, absl::ZeroDuration(), "shutdown grace");
  }
};

TEST(ConfigParserTest, DefaultsStandWhenNothingIsSet) {
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {}).ok());
  EXPECT_EQ(d.name, "default-name");
  EXPECT_EQ(d.pg_url, "");
  EXPECT_EQ(d.workers, 8);
  EXPECT_FALSE(d.verbose);
  EXPECT_EQ(d.grace, absl::Seconds(10));
}

TEST(ConfigParserTest, EnvironmentBeatsDefaultAndFlagBeatsEnvironment) {
  FakeEnv env({{"ATTAIN_PG_URL", "postgresql://env/db"},
               {"ATTAIN_WORKERS", "3"},
               {"ATTAIN_VERBOSE", "true"},
               {"ATTAIN_GRACE", "250ms"},
               {"ATTAIN_NAME", "from-env"}});
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {"--pg-url=postgresql://flag/db", "--workers", "5"}, env).ok());
  EXPECT_EQ(d.pg_url, "postgresql://flag/db");  // flag
  EXPECT_EQ(d.workers, 5);                      // flag, separate-argument form
  EXPECT_TRUE(d.verbose);                       // environment
  EXPECT_EQ(d.grace, absl::Milliseconds(250));  // environment
  EXPECT_EQ(d.name, "from-env");                // environment
}

TEST(ConfigParserTest, EmptyEnvironmentVariableCountsAsUnset) {
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {}, FakeEnv({{"ATTAIN_WORKERS", ""}, {"ATTAIN_NAME", ""}})).ok());
  EXPECT_EQ(d.workers, 8);
  EXPECT_EQ(d.name, "default-name");
}

TEST(ConfigParserTest, LastOccurrenceOfAFlagWins) {
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {"--workers=2", "--workers=7"}).ok());
  EXPECT_EQ(d.workers, 7);
}

TEST(ConfigParserTest, BoolFlagForms) {
  struct Case {
    std::vector<const char*> args;
    bool want;
  };
  for (const Case& c : std::vector<Case>{{{"--verbose"}, true},
                                         {{"--verbose=true"}, true},
                                         {{"--verbose=1"}, true},
                                         {{"--verbose=TRUE"}, true},
                                         {{"--verbose=false"}, false},
                                         {{"--verbose=0"}, false}}) {
    Demo d;
    d.verbose = !c.want;
    ASSERT_TRUE(ParseArgs(d.parser, c.args).ok()) << c.args[0];
    EXPECT_EQ(d.verbose, c.want) << c.args[0];
  }
  // The flag `--verbose=false` beats the environment's true.
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {"--verbose=false"}, FakeEnv({{"ATTAIN_VERBOSE", "1"}})).ok());
  EXPECT_FALSE(d.verbose);
  // A bare bool flag does not swallow the next argument.
  Demo d2;
  ASSERT_TRUE(ParseArgs(d2.parser, {"--verbose", "false"}).ok());
  EXPECT_TRUE(d2.verbose);
  EXPECT_THAT(d2.parser.positional(), ElementsAre("false"));
}

TEST(ConfigParserTest, MalformedValuesNameFlagAndVariable) {
  Demo d;
  absl::Status s = ParseArgs(d.parser, {"--workers=abc"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), R"(--workers (ATTAIN_WORKERS): "abc" is not an integer)");

  s = ParseArgs(d.parser, {"--verbose=maybe"});
  EXPECT_EQ(s.message(),
            R"(--verbose (ATTAIN_VERBOSE): "maybe" is not a boolean: use true, false, 1 or 0)");

  s = ParseArgs(d.parser, {}, FakeEnv({{"ATTAIN_GRACE", "10"}}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(s.message()),
      HasSubstr(R"(--grace (ATTAIN_GRACE): "10" is not a duration: use a number with a unit)"));

  s = ParseArgs(d.parser, {"--workers=65"});
  EXPECT_EQ(s.message(), "--workers (ATTAIN_WORKERS): 65 is out of range: use 1..64");
  s = ParseArgs(d.parser, {"--workers=0"});
  EXPECT_EQ(s.message(), "--workers (ATTAIN_WORKERS): 0 is out of range: use 1..64");
  s = ParseArgs(d.parser, {"--workers=99999999999999999999"});
  EXPECT_EQ(s.message(), R"(--workers (ATTAIN_WORKERS): "99999999999999999999" is not an integer)");

  s = ParseArgs(d.parser, {"--grace=-1s"});
  EXPECT_EQ(s.message(), "--grace (ATTAIN_GRACE): -1s is too short: use at least 0");
}

TEST(ConfigParserTest, BoundsAreInclusive) {
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {"--workers=64", "--grace=0"}).ok());
  EXPECT_EQ(d.workers, 64);
  EXPECT_EQ(d.grace, absl::ZeroDuration());
  ASSERT_TRUE(ParseArgs(d.parser, {"--workers=1"}).ok());
  EXPECT_EQ(d.workers, 1);
}

TEST(ConfigParserTest, CollectsEveryProblemAndWritesNothing) {
  Demo d(/*pg_required=*/true);
  absl::Status s = ParseArgs(d.parser, {"--workers=abc", "--bogus=1", "--name"},
                             FakeEnv({{"ATTAIN_GRACE", "soon"}, {"ATTAIN_VERBOSE", "yes!"}}));
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Lines(s),
      UnorderedElementsAre(
          "--bogus: unknown flag (see --help for the options)",
          "--name (ATTAIN_NAME): needs a value: --name=<string>",
          "--pg-url (ATTAIN_PG_URL): required: pass --pg-url=... or set ATTAIN_PG_URL",
          R"(--workers (ATTAIN_WORKERS): "abc" is not an integer)",
          R"(--verbose (ATTAIN_VERBOSE): "yes!" is not a boolean: use true, false, 1 or 0)",
          R"(--grace (ATTAIN_GRACE): "soon" is not a duration: use a number with a unit, e.g. 250ms, 5s, 1m, 24h)"));
  // Nothing half-applied.
  EXPECT_EQ(d.workers, 8);
  EXPECT_EQ(d.name, "default-name");
  EXPECT_FALSE(d.verbose);
}

TEST(ConfigParserTest, RequiredOptionFromEnvironmentOrFlag) {
  {
    Demo d(/*pg_required=*/true);
    ASSERT_TRUE(ParseArgs(d.parser, {}, FakeEnv({{"ATTAIN_PG_URL", "postgresql://e/db"}})).ok());
    EXPECT_EQ(d.pg_url, "postgresql://e/db");
  }
  {
    Demo d(/*pg_required=*/true);
    absl::Status s = ParseArgs(d.parser, {"--pg-url="});
    EXPECT_EQ(s.message(), "--pg-url (ATTAIN_PG_URL): must not be empty");
  }
}

TEST(ConfigParserTest, PositionalArgumentsAndDoubleDash) {
  Demo d;
  ASSERT_TRUE(ParseArgs(d.parser, {"mint", "--workers=2", "-", "--", "--verbose", "x"}).ok());
  EXPECT_THAT(d.parser.positional(), ElementsAre("mint", "-", "--verbose", "x"));
  EXPECT_EQ(d.workers, 2);
  EXPECT_FALSE(d.verbose);
}

TEST(ConfigParserTest, SingleDashFlagIsRejectedWithAHint) {
  Demo d;
  absl::Status s = ParseArgs(d.parser, {"-workers=2"});
  EXPECT_EQ(s.message(), R"(-workers=2: unknown flag: flags start with "--" (see --help))");
}

TEST(ConfigParserTest, HelpReturnsCancelledWithUsage) {
  Demo d(/*pg_required=*/true);
  // --help wins even over other problems: the user asked how to fix them.
  absl::Status s = ParseArgs(d.parser, {"--workers=abc", "--help"});
  ASSERT_EQ(s.code(), absl::StatusCode::kCancelled);
  std::string usage(s.message());
  EXPECT_EQ(usage, d.parser.Usage());
  EXPECT_THAT(usage, HasSubstr("Usage: demo [options]"));
  EXPECT_THAT(usage, HasSubstr("--workers=<int 1..64>  (env ATTAIN_WORKERS, default 8)"));
  EXPECT_THAT(usage, HasSubstr("worker threads"));
  EXPECT_THAT(usage, HasSubstr("--pg-url=<string>  (env ATTAIN_PG_URL, required)"));
  EXPECT_THAT(usage, HasSubstr("--name=<string>  (env ATTAIN_NAME, default \"default-name\")"));
  EXPECT_THAT(usage, HasSubstr("--grace=<duration >= 0>  (env ATTAIN_GRACE, default 10s)"));
  EXPECT_THAT(usage, HasSubstr("--verbose=<true|false>  (env ATTAIN_VERBOSE, default false)"));
  EXPECT_EQ(ParseArgs(d.parser, {"-h"}).code(), absl::StatusCode::kCancelled);
}

TEST(ConfigParserTest, ChecksRunOnTheFinalValue) {
  std::string color = "red";
  ConfigParser p("p");
  p.AddString("color", &color, "a color");
  p.AddCheck("color", [](const std::string& v) {
    return v == "red" || v == "blue"
               ? absl::OkStatus()
               : absl::InvalidArgumentError("\"" + v + "\" is not a color: use red or blue");
  });
  EXPECT_TRUE(ParseArgs(p, {"--color=blue"}).ok());
  EXPECT_EQ(color, "blue");
  absl::Status s = ParseArgs(p, {}, FakeEnv({{"ATTAIN_COLOR", "green"}}));
  EXPECT_EQ(s.message(), R"(--color (ATTAIN_COLOR): "green" is not a color: use red or blue)");
  EXPECT_EQ(color, "blue");
}

TEST(ConfigParserTest, SetVariableRenamesOrRemovesTheVariable) {
  std::string key_file, secret;
  ConfigParser p("p");
  p.AddString("key-file", &key_file, "key file");
  p.SetVariable("key-file", "ATTAIN_JWT_KEY_FILE");
  p.AddString("secret", &secret, "flag only");
  p.SetVariable("secret", "");
  FakeEnv env(
      {{"ATTAIN_JWT_KEY_FILE", "/k"}, {"ATTAIN_KEY_FILE", "/wrong"}, {"ATTAIN_SECRET", "s"}});
  ASSERT_TRUE(ParseArgs(p, {}, env).ok());
  EXPECT_EQ(key_file, "/k");
  EXPECT_EQ(secret, "");
  EXPECT_THAT(p.Usage(), HasSubstr("--key-file=<string>  (env ATTAIN_JWT_KEY_FILE)"));
  EXPECT_THAT(p.Usage(), Not(HasSubstr("ATTAIN_SECRET")));
}

// --- ServerOptions ---

TEST(ServerOptionsTest, DefaultsAreValid) {
  ServerOptions o;
  ConfigParser p("attain-target");
  AddServerOptions(p, &o);
  ASSERT_TRUE(ParseArgs(p, {}).ok());
  EXPECT_EQ(o.listen, "127.0.0.1:0");
  EXPECT_EQ(o.time_zone, "Asia/Shanghai");
  EXPECT_EQ(o.log_level, "info");
  EXPECT_EQ(o.workers, 8);
  EXPECT_EQ(o.shutdown_grace, absl::Seconds(10));
}

TEST(ServerOptionsTest, ReadsEveryOptionFromItsVariable) {
  ServerOptions o;
  ConfigParser p("attain-target");
  AddServerOptions(p, &o);
  const std::string key(40, 'k');
  FakeEnv env({{"ATTAIN_LISTEN", "[::1]:50051"},
               {"ATTAIN_PG_URL", "postgresql://u@localhost:5432/attain"},
               {"ATTAIN_REDIS_URL", "redis://localhost:6379/1"},
               {"ATTAIN_JWT_KEY", key},
               {"ATTAIN_TIME_ZONE", "UTC"},
               {"ATTAIN_LOG_LEVEL", "debug"},
               {"ATTAIN_PORT_FILE", "/tmp/port"},
               {"ATTAIN_WORKERS", "4"},
               {"ATTAIN_MAX_QUEUE", "50"},
               {"ATTAIN_PG_POOL_SIZE", "2"},
               {"ATTAIN_SHUTDOWN_GRACE", "1m"}});
  ASSERT_TRUE(ParseArgs(p, {}, env).ok());
  EXPECT_EQ(o.listen, "[::1]:50051");
  EXPECT_EQ(o.pg_url, "postgresql://u@localhost:5432/attain");
  EXPECT_EQ(o.redis_url, "redis://localhost:6379/1");
  EXPECT_EQ(o.jwt_key, key);
  EXPECT_EQ(o.time_zone, "UTC");
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_EQ(o.port_file, "/tmp/port");
  EXPECT_EQ(o.workers, 4);
  EXPECT_EQ(o.max_queue, 50);
  EXPECT_EQ(o.pg_pool_size, 2);
  EXPECT_EQ(o.shutdown_grace, absl::Minutes(1));
}

TEST(ServerOptionsTest, ListenMustBeHostColonPort) {
  for (const char* good :
       {"127.0.0.1:0", "0.0.0.0:50051", "localhost:65535", "[::]:80", "[::1]:50051"}) {
    ServerOptions o;
    ConfigParser p("svc");
    AddServerOptions(p, &o);
    EXPECT_TRUE(ParseArgs(p, {"--listen", good}).ok()) << good;
    EXPECT_EQ(o.listen, good);
  }
  for (const char* bad : {"localhost", "50051", ":50051", "host:", "host:65536", "host:port",
                          "::1:50051", "[::1]", "host:12x", "host:-1"}) {
    ServerOptions o;
    ConfigParser p("svc");
    AddServerOptions(p, &o);
    absl::Status s = ParseArgs(p, {"--listen", bad});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr(std::string("--listen (ATTAIN_LISTEN): \"") + bad +
                          "\" is not host:port: use e.g. 127.0.0.1:50051"))
        << bad;
  }
}

TEST(ServerOptionsTest, ReportsBadLevelZoneRedisAndShortKeyTogether) {
  ServerOptions o;
  ConfigParser p("svc");
  AddServerOptions(p, &o);
  absl::Status s =
      ParseArgs(p, {"--log-level=verbose", "--time-zone=Mars/Olympus_Mons", "--workers=0"},
                FakeEnv({{"ATTAIN_REDIS_URL", "localhost:6379"}, {"ATTAIN_JWT_KEY", "hunter2"}}));
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Lines(s),
      UnorderedElementsAre(
          R"(--log-level (ATTAIN_LOG_LEVEL): "verbose" is not a log level: use debug, info, warn or error)",
          R"(--time-zone (ATTAIN_TIME_ZONE): "Mars/Olympus_Mons" is not a time zone: use an IANA name such as Asia/Shanghai or UTC (and check that tzdata is installed))",
          R"(--redis-url (ATTAIN_REDIS_URL): "localhost:6379" is not a Redis URL: use redis://host:port[/db])",
          "--jwt-key (ATTAIN_JWT_KEY): the key is 7 bytes; HS256 keys must be at least 32 (e.g. "
          "`openssl rand -base64 48`)",
          "--workers (ATTAIN_WORKERS): 0 is out of range: use 1..1024"));
  // The secret never appears in a message.
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("hunter2")));
}

// --- ResolveJwtKey ---

TEST(ResolveJwtKeyTest, KeyFromOption) {
  ServerOptions o;
  o.jwt_key = std::string(32, 'a');
  absl::StatusOr<std::string> key = ResolveJwtKey(o);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, std::string(32, 'a'));
}

TEST(ResolveJwtKeyTest, NeitherOrBothIsAnError) {
  ServerOptions o;
  absl::StatusOr<std::string> key = ResolveJwtKey(o);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(key.status().message()),
              HasSubstr("no JWT key: set --jwt-key (ATTAIN_JWT_KEY) or --jwt-key-file "
                        "(ATTAIN_JWT_KEY_FILE)"));
  o.jwt_key = std::string(32, 'a');
  o.jwt_key_file = "/some/file";
  key = ResolveJwtKey(o);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(key.status().message()), HasSubstr("set only one"));
}

TEST(ResolveJwtKeyTest, ShortKeyIsRefused) {
  ServerOptions o;
  o.jwt_key = std::string(31, 'a');
  absl::StatusOr<std::string> key = ResolveJwtKey(o);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(key.status().message(),
            "--jwt-key (ATTAIN_JWT_KEY): the key is 31 bytes; HS256 keys must be at least 32 "
            "(e.g. `openssl rand -base64 48`)");
}

TEST(ResolveJwtKeyTest, KeyFileIsReadAndItsTrailingNewlineDropped) {
  const std::string path = ::testing::TempDir() + "/config_test_jwt_key";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string secret = "0123456789abcdef0123456789abcdef!";
  std::fputs((secret + "\n").c_str(), f);
  std::fclose(f);
  ServerOptions o;
  o.jwt_key_file = path;
  absl::StatusOr<std::string> key = ResolveJwtKey(o);
  std::remove(path.c_str());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, secret);

  o.jwt_key_file = path + ".missing";
  key = ResolveJwtKey(o);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(key.status().message()),
              HasSubstr("--jwt-key-file (ATTAIN_JWT_KEY_FILE): cannot open \"" + path +
                        ".missing\": No such file or directory"));
}

}  // namespace
}  // namespace attain
