#include "common/log.h"

#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace attain {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

// Serialises lines (and sink replacement) so that lines never interleave, even
// through a sink that makes several calls.
absl::Mutex g_sink_mu(absl::kConstInit);
// Owned for the life of the process; never destroyed, so logging from static
// destructors stays safe.
std::function<void(absl::string_view)>* g_sink ABSL_GUARDED_BY(g_sink_mu) = nullptr;

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Writes `line` and a newline to stderr in one write(2), so that lines from
// several processes sharing the descriptor do not interleave.
void WriteToStderr(absl::string_view line) {
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line.data(), line.size());
  buf.push_back('\n');
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report to.
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

// Appends `s` as a JSON string literal. Quotes, backslashes and control
// characters are escaped; bytes that are not valid UTF-8 become U+FFFD so that
// the line is always valid JSON whatever the caller logged.
void AppendJsonString(std::string& out, absl::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            absl::StrAppendFormat(&out, "\\u%04x", c);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  out.push_back('"');
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrFormat("log level \"%s\" is not one of debug, info, warn, error", name));
}

void SetLogLevel(LogLevel level) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

void SetLogSink(std::function<void(absl::string_view line)> sink) {
  absl::MutexLock lock(&g_sink_mu);
  if (sink == nullptr) {
    delete g_sink;
    g_sink = nullptr;
  } else if (g_sink == nullptr) {
    g_sink = new std::function<void(absl::string_view)>(std::move(sink));
  } else {
    *g_sink = std::move(sink);
  }
}

LogEvent::LogEvent(LogLevel level, absl::string_view msg)
    : enabled_(static_cast<int>(level) >= g_level.load(std::memory_order_relaxed)) {
  if (!enabled_) return;
  line_.reserve(160);
  line_.append("{\"ts\":\"");
  line_.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  line_.append("\",\"level\":\"");
  line_.append(LevelName(level).data(), LevelName(level).size());
  line_.append("\",\"msg\":");
  AppendJsonString(line_, msg);
}

LogEvent::~LogEvent() {
  if (!enabled_) return;
  line_.push_back('}');
  absl::MutexLock lock(&g_sink_mu);
  if (g_sink != nullptr) {
    (*g_sink)(line_);
  } else {
    WriteToStderr(line_);
  }
}

LogEvent& LogEvent::Str(absl::string_view key, absl::string_view value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(line_, key);
  line_.push_back(':');
  AppendJsonString(line_, value);
  return *this;
}

LogEvent& LogEvent::Int(absl::string_view key, int64_t value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(line_, key);
  line_.push_back(':');
  absl::StrAppend(&line_, value);
  return *this;
}

LogEvent& LogEvent::Num(absl::string_view key, double value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(line_, key);
  line_.push_back(':');
  if (std::isfinite(value)) {
    // 15 significant digits: exact for any decimal a human would log (1.2 stays 1.2).
    absl::StrAppendFormat(&line_, "%.15g", value);
  } else {
    line_.append("null");  // JSON has no NaN or infinity
  }
  return *this;
}

}  // namespace attain
