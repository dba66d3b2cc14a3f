// Output for people (aligned tables, key/value blocks) and for programs (one
// JSON document on stdout).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "nlohmann/json.hpp"

namespace attain::ctl {

// Columns of text aligned by display width (CJK characters count as two
// columns), separated by two spaces, with an upper-case header line.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Right-aligns a column (numbers). 0-based.
  Table& AlignRight(std::size_t column);
  // Adds a row; missing cells are empty, extra cells are ignored.
  void AddRow(std::vector<std::string> cells);

  bool empty() const { return rows_.empty(); }
  std::string Render() const;
  // Writes Render() to stdout.
  void Print() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// Prints "Label:  value" lines with the values aligned.
void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields);

// Number of terminal columns `utf8` takes: East Asian wide characters count 2,
// combining marks 0, everything else 1.
int DisplayWidth(absl::string_view utf8);

// Prints a message as proto3 JSON (snake_case field names, default values
// included, int64 as strings) followed by a newline.
void PrintJson(const google::protobuf::Message& message);
void PrintJson(const nlohmann::ordered_json& json);

// A timestamp in the local time zone, "2026-11-23 19:30:45 CST"; "" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace attain::ctl
