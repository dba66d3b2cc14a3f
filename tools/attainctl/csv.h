// A small RFC 4180 CSV reader for target files: comma-separated fields,
// optional double quotes around a field (a quote inside is written twice; a
// quoted field may hold commas and line breaks), LF or CRLF line ends. The text
// is UTF-8; a byte-order mark at the start (as spreadsheets write it) is skipped.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace attain::ctl {

struct CsvRecord {
  int line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// Parses every record of `text`. Unquoted fields lose surrounding spaces and
// tabs; quoted fields are kept exactly. Empty lines are skipped. INVALID_ARGUMENT
// naming the line for text that is not UTF-8, an unterminated quote or text
// after a closing quote.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text);

}  // namespace attain::ctl
