// Structured logging: one JSON object per line on stderr, e.g.
// {"ts":"2024-09-15T08:00:00.123Z","level":"info","msg":"rpc","method":"/attain…",
//  "status":"OK","latency_ms":1.2,"tenant":"acme"}
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
// "debug", "info", "warn" (or "warning"), "error"; case-insensitive.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);
// Lines below `level` are dropped (cheaply: LogEvent does no formatting). Default info.
void SetLogLevel(LogLevel level);
// Replaces the sink (stderr by default); tests capture lines with it. nullptr restores stderr.
// The sink gets one complete JSON object per call, without the trailing newline
// (the stderr sink adds it and writes the line with a single write(2)). Calls are
// serialised under a lock, so the sink must not log itself.
void SetLogSink(std::function<void(absl::string_view line)> sink);

// Builds one log line; emitted (atomically, as one write) by the destructor.
// "ts" is RFC 3339 UTC with milliseconds. Strings are JSON-escaped (control
// characters included; invalid UTF-8 bytes become U+FFFD); non-finite numbers
// are logged as null.
//   LogEvent(LogLevel::kInfo, "rpc").Str("method", m).Num("latency_ms", 1.5);
class LogEvent {
 public:
  LogEvent(LogLevel level, absl::string_view msg);
  ~LogEvent();
  LogEvent(const LogEvent&) = delete;
  LogEvent& operator=(const LogEvent&) = delete;

  LogEvent& Str(absl::string_view key, absl::string_view value);
  LogEvent& Int(absl::string_view key, int64_t value);
  LogEvent& Num(absl::string_view key, double value);

 private:
  bool enabled_;
  std::string line_;
};

}  // namespace attain
