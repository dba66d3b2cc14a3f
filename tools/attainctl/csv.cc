#include "tools/attainctl/csv.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace attain::ctl {
namespace {

// Where `s` stops being UTF-8 as protobuf (and so the services) accept it —
// no overlong forms, surrogates or code points above U+10FFFF — or npos.
std::size_t InvalidUtf8At(absl::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    // The lead byte gives the length and the range of the second byte.
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    const unsigned char second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return i;
    for (int k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return absl::string_view::npos;
}

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  // Text that is not UTF-8 (a spreadsheet's GBK or Latin-1 export) would make
  // requests the services cannot read, failing the whole import: refuse it here.
  if (const std::size_t at = InvalidUtf8At(text); at != absl::string_view::npos) {
    const absl::string_view before = text.substr(0, at);
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column = line_start == absl::string_view::npos ? at + 1 : at - line_start;
    return absl::InvalidArgumentError(absl::StrFormat(
        "line %d: byte 0x%02X at column %d is not UTF-8: save the file as UTF-8 (in a "
        "spreadsheet, as \"CSV UTF-8\")",
        std::count(before.begin(), before.end(), '\n') + 1, static_cast<unsigned char>(text[at]),
        column));
  }
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  bool field_quoted = false;  // the current field was quoted
  bool record_started = false;
  int line = 1;
  record.line = line;

  const auto end_field = [&] {
    record.fields.push_back(field_quoted ? std::move(field)
                                         : std::string(absl::StripAsciiWhitespace(field)));
    field.clear();
    field_quoted = false;
  };
  const auto end_record = [&] {
    end_field();
    const bool blank = record.fields.size() == 1 && record.fields[0].empty() && !record_started;
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord();
    record_started = false;
  };

  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && absl::StripAsciiWhitespace(field).empty() && !field_quoted) {
      // A quoted field: read to the closing quote.
      const int start_line = line;
      field.clear();
      field_quoted = true;
      record_started = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i]);
        ++i;
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "line %d: a quoted field is never closed: end it with '\"' (write a quote inside "
            "a quoted field as \"\")",
            start_line));
      }
      // Only spaces may follow the closing quote before the separator.
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return absl::InvalidArgumentError(absl::StrFormat(
            "line %d: unexpected '%c' after a closing quote: a quoted field must end at ',' or "
            "the end of the line",
            line, text[i]));
      }
      continue;
    }
    if (c == ',') {
      end_field();
      record_started = true;
      ++i;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // the '\n' ends the record
    } else if (c == '\n') {
      end_record();
      ++line;
      record.line = line;
      ++i;
    } else {
      if (field_quoted) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "line %d: unexpected '%c' after a closing quote: a quoted field must end at ',' or "
            "the end of the line",
            line, c));
      }
      field.push_back(c);
      if (c != ' ' && c != '\t') record_started = true;
      ++i;
    }
  }
  if (record_started || !field.empty() || field_quoted) end_record();
  return records;
}

}  // namespace attain::ctl
