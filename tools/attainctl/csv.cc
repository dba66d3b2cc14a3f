#include "tools/attainctl/csv.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace attain::ctl {

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
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
