#include "common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace attain {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;

// Captures emitted lines for the duration of a test and restores stderr and
// the default level afterwards.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kInfo);
    SetLogSink([this](absl::string_view line) {
      absl::MutexLock l(&mu_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogLevel(LogLevel::kInfo);
  }

  std::vector<std::string> Lines() {
    absl::MutexLock l(&mu_);
    return lines_;
  }

  // The only captured line, parsed; fails the test if it is not valid JSON.
  nlohmann::json OnlyLine() {
    std::vector<std::string> lines = Lines();
    EXPECT_THAT(lines, SizeIs(1));
    if (lines.empty()) return nullptr;
    return nlohmann::json::parse(lines.back());
  }

  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

TEST_F(LogTest, EmitsOneJsonObjectWithStandardAndExtraFields) {
  LogEvent(LogLevel::kInfo, "rpc")
      .Str("method", "/attain.target.v1.TargetService/GetTarget")
      .Str("status", "OK")
      .Num("latency_ms", 1.2)
      .Int("rows", -42)
      .Str("tenant", "acme");
  nlohmann::json j = OnlyLine();
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "rpc");
  EXPECT_EQ(j["method"], "/attain.target.v1.TargetService/GetTarget");
  EXPECT_EQ(j["status"], "OK");
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), 1.2);
  EXPECT_EQ(j["rows"].get<int64_t>(), -42);
  EXPECT_EQ(j["tenant"], "acme");
  // The sink gets the line without its newline; stderr adds it.
  EXPECT_THAT(Lines()[0], Not(HasSubstr("\n")));
  // Field order is stable: ts, level, msg, then the caller's fields.
  EXPECT_THAT(Lines()[0], MatchesRegex(R"(\{"ts":"[^"]+","level":"info","msg":"rpc",.*\})"));
}

TEST_F(LogTest, TimestampIsRfc3339UtcWithMillisecondsAndCurrent) {
  absl::Time before = absl::Now();
  LogEvent(LogLevel::kWarn, "x");
  absl::Time after = absl::Now();
  nlohmann::json j = OnlyLine();
  std::string ts = j["ts"];
  EXPECT_THAT(ts,
              MatchesRegex(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)"));
  absl::Time parsed;
  std::string err;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, ts, &parsed, &err)) << err;
  // Milliseconds are truncated, so the stamp is within [before - 1ms, after].
  EXPECT_GE(parsed, before - absl::Milliseconds(1));
  EXPECT_LE(parsed, after);
  EXPECT_EQ(j["level"], "warn");
}

TEST_F(LogTest, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string nasty = std::string("say \"hi\"\\ \n\r\t\b\f") + '\x01' + '\x1f' + '\x7f' +
                            std::string(1, '\0') + "end";
  LogEvent(LogLevel::kError, nasty).Str("k\"ey\n", nasty);
  std::string line = Lines().at(0);
  // Raw control characters never reach the line.
  for (char c : line) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control byte in: " << line;
  }
  EXPECT_THAT(line, HasSubstr(R"(\u0001)"));
  EXPECT_THAT(line, HasSubstr(R"(\u0000)"));
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], nasty);
  EXPECT_EQ(j["k\"ey\n"], nasty);
  EXPECT_EQ(j["level"], "error");
}

TEST_F(LogTest, KeepsUtf8AndReplacesInvalidBytes) {
  LogEvent(LogLevel::kInfo, "Zhōngwén 中文 🎯").Str("bad", "a\xff\xc3(b\xed\xa0\x80");
  nlohmann::json j = OnlyLine();  // parse would throw on invalid UTF-8
  EXPECT_EQ(j["msg"], "Zhōngwén 中文 🎯");
  // 0xFF, a truncated 2-byte sequence, and an encoded surrogate (3 bytes) are
  // each replaced byte by byte.
  EXPECT_EQ(j["bad"], "a\uFFFD\uFFFD(b\uFFFD\uFFFD\uFFFD");
}

TEST_F(LogTest, NonFiniteNumbersBecomeNull) {
  LogEvent(LogLevel::kInfo, "n")
      .Num("nan", std::numeric_limits<double>::quiet_NaN())
      .Num("inf", std::numeric_limits<double>::infinity())
      .Num("big", 1e300)
      .Num("tiny", 0.001);
  nlohmann::json j = OnlyLine();
  EXPECT_TRUE(j["nan"].is_null());
  EXPECT_TRUE(j["inf"].is_null());
  EXPECT_DOUBLE_EQ(j["big"].get<double>(), 1e300);
  EXPECT_DOUBLE_EQ(j["tiny"].get<double>(), 0.001);
}

TEST_F(LogTest, FiltersBelowTheLevel) {
  SetLogLevel(LogLevel::kWarn);
  LogEvent(LogLevel::kDebug, "debug");
  LogEvent(LogLevel::kInfo, "info").Str("k", "v");
  LogEvent(LogLevel::kWarn, "warn");
  LogEvent(LogLevel::kError, "error");
  std::vector<std::string> lines = Lines();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "warn");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["msg"], "error");

  SetLogLevel(LogLevel::kDebug);
  LogEvent(LogLevel::kDebug, "now visible");
  ASSERT_THAT(Lines(), SizeIs(3));
  EXPECT_EQ(nlohmann::json::parse(Lines()[2])["level"], "debug");
}

TEST_F(LogTest, ConcurrentLinesNeverInterleave) {
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) {
        LogEvent(LogLevel::kInfo, "tick")
            .Int("thread", t)
            .Int("i", i)
            .Str("pad", std::string(100, 'x'));
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::string> lines = Lines();
  ASSERT_THAT(lines, SizeIs(kThreads * kPerThread));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    nlohmann::json j = nlohmann::json::parse(line);
    int t = j["thread"];
    // Each thread's lines arrive whole and in its own order.
    EXPECT_EQ(j["i"].get<int>(), next[t]++);
  }
}

// The default sink: one newline-terminated line on file descriptor 2 (an
// in-memory pipe here, in place of stderr for the duration of the test).
TEST(LogStderrTest, DefaultSinkWritesNewlineTerminatedLinesToStderr) {
  SetLogSink(nullptr);
  SetLogLevel(LogLevel::kInfo);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int saved = dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_GE(dup2(fds[1], STDERR_FILENO), 0);
  LogEvent(LogLevel::kInfo, "first").Str("k", "v");
  LogEvent(LogLevel::kDebug, "dropped");
  LogEvent(LogLevel::kError, "second");
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  std::vector<std::string> lines = absl::StrSplit(out, '\n');
  ASSERT_THAT(lines, SizeIs(3)) << out;  // two lines and the empty rest after the last \n
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "first");
  EXPECT_EQ(nlohmann::json::parse(lines[0])["k"], "v");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["msg"], "second");
  EXPECT_EQ(lines[2], "");
}

TEST(ParseLogLevelTest, AcceptsTheFourLevelsAndNamesThemOnError) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("WARN"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  absl::StatusOr<LogLevel> bad = ParseLogLevel("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("\"verbose\" is not one of debug, info, warn, error"));
}

}  // namespace
}  // namespace attain
