#include "services/review/src/api/request_checks.h"

#include <cstdint>

#include "absl/base/const_init.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"

namespace attain::review {
namespace {

constexpr size_t kMaxRequestIdLength = 128;
constexpr size_t kMaxIdLength = 64;
constexpr int kMaxPersonIdChars = 128;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (google/protobuf/timestamp.proto).
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

// Code points of valid UTF-8 (protobuf has checked it): every byte but
// continuation bytes.
int CountChars(absl::string_view text) {
  int chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    return absl::InvalidArgumentError(absl::StrCat("request_id has ", request_id.size(),
                                                   " characters; at most ", kMaxRequestIdLength,
                                                   " are allowed"));
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id must be printable ASCII without spaces (e.g. a UUID)");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (id.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", id.size(), " characters long; ids have at most ", kMaxIdLength));
  }
  for (char c : id) {
    if (!(absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-')) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s \"%s\" has the character '%s': ids use only A-Z, a-z, 0-9, '.', '_' and '-'", field,
          absl::CHexEscape(id), absl::CHexEscape(absl::string_view(&c, 1))));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePersonId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  const int chars = CountChars(id);
  if (chars > kMaxPersonIdChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " has ", chars, " characters; person ids have at most ", kMaxPersonIdChars));
  }
  for (char c : id) {
    if (IsControl(static_cast<unsigned char>(c)) || c == ' ') {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s \"%s\" contains white space or a control character: a person id is the "
          "subject of their tokens",
          field, absl::CHexEscape(id)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view text, int min_chars,
                          int max_chars, bool multiline) {
  if (min_chars > 0 && absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  const int chars = CountChars(text);
  if (chars < min_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has ", chars, " characters; at least ", min_chars, " are needed"));
  }
  if (chars > max_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has ", chars, " characters; at most ", max_chars, " are allowed"));
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " contains a NUL character, which cannot be stored"));
    }
    if (IsControl(u) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " contains the control character ", absl::CHexEscape(absl::string_view(&c, 1)),
          multiline ? ": only line breaks and tabs are allowed" : ": it is a single line"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> TimeFromProto(absl::string_view field,
                                         const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s {seconds: %d, nanos: %d} is not a valid timestamp (0001-01-01 to 9999-12-31)", field,
        ts.seconds(), ts.nanos()));
  }
  return absl::FromUnixMicros(ts.seconds() * 1000000 + ts.nanos() / 1000);
}

void TimeToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::string NewId(absl::string_view prefix) {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock l(&mu);
  return absl::StrFormat("%s-%012x", prefix, absl::Uniform<uint64_t>(*gen) & 0xffffffffffffULL);
}

}  // namespace attain::review
