// attainctl's CSV import: ParseCsv (tools/attainctl/csv.h) on arbitrary text,
// then the rows' conversion the way `attainctl ingest` and `attainctl target
// set --file` do it. The input's first line picks the conversion:
//   - an `attainctl ingest --kind` value ("orders", …): the rest is an ingest
//     file; its rows become events (csv_events.h), which are then validated as
//     the ingest service would (services/ingest/src/api/decode.h);
//   - "targets": the rest is a target file with the columns
//     scope,period,metric,base[,challenge], read with values.h and period.h;
//   - anything else: the whole input is only parsed as CSV.
// Whatever parses must read back the same when written out again quoted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/period.h"
#include "google/protobuf/stubs/logging.h"
#include "services/ingest/src/api/decode.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/attainctl/csv.h"
#include "tools/attainctl/csv_events.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

// The records as a CSV file with every field quoted.
std::string WriteQuoted(const std::vector<CsvRecord>& records) {
  std::string out;
  for (const CsvRecord& rec : records) {
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.push_back('"');
      for (char c : rec.fields[i]) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
    out.push_back('\n');
  }
  return out;
}

void CheckRecords(const std::vector<CsvRecord>& records) {
  int line = 0;
  for (const CsvRecord& rec : records) {
    FUZZ_CHECK(rec.line > line) << "record on line " << rec.line << " after line " << line;
    FUZZ_CHECK(!rec.fields.empty()) << "line " << rec.line;
    line = rec.line;
  }
  absl::StatusOr<std::vector<CsvRecord>> again = ParseCsv(WriteQuoted(records));
  FUZZ_CHECK(again.ok()) << again.status();
  FUZZ_CHECK(again->size() == records.size()) << again->size() << " vs " << records.size();
  for (size_t r = 0; r < records.size(); ++r) {
    FUZZ_CHECK((*again)[r].fields == records[r].fields) << "record " << r;
  }
}

void IngestRows(const std::string& kind_field, const std::vector<CsvRecord>& records) {
  if (records.empty()) return;
  absl::StatusOr<RowParser> parser = RowParser::Make(kind_field, records.front().fields);
  if (!parser.ok()) return;
  for (size_t i = 1; i < records.size(); ++i) {
    ParsedRow row;
    if (parser->Parse(records[i], "crm", &row).has_value()) continue;
    FUZZ_CHECK(row.line == records[i].line);
    // What attainctl sends, the ingest service must be able to read.
    const std::string wire = row.event.SerializeAsString();
    ingest::v1::Event received;
    FUZZ_CHECK(received.ParseFromString(wire))
        << "line " << row.line << " makes an unreadable event";
    const ingest::IncomingEvent in = ingest::DecodeEvent(received, wire);
    FUZZ_CHECK(in.record.has_value() || !in.rejection.field.empty());
  }
}

void TargetRows(const std::vector<CsvRecord>& records) {
  for (const CsvRecord& rec : records) {
    const std::vector<std::string>& f = rec.fields;
    if (f.size() < 4) continue;
    (void)ParseScope(f[0]);
    (void)Period::Parse(f[1]);
    absl::StatusOr<Metric> metric = ParseMetric(f[2]);
    if (!metric.ok()) continue;
    for (size_t i = 3; i < f.size() && i < 5; ++i) {
      absl::StatusOr<int64_t> value = ParseMetricValue(*metric, f[i]);
      // What attainctl reads it prints back in a form it reads again.
      if (value.ok()) {
        const std::string shown = FormatMetricValue(*metric, *value);
        absl::StatusOr<int64_t> reread = ParseMetricValue(*metric, shown);
        FUZZ_CHECK(reread.ok() && *reread == *value)
            << "\"" << f[i] << "\" → " << *value << " → \"" << shown << "\"";
      }
    }
  }
}

}  // namespace
}  // namespace attain::ctl

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attain::ctl;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view first = input.substr(0, newline);
  const absl::string_view rest =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);

  const auto kind = IngestKinds().find(std::string(first));
  const bool targets = first == "targets";
  const absl::string_view text = kind != IngestKinds().end() || targets ? rest : input;
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text);
  if (!records.ok()) return 0;
  CheckRecords(*records);
  if (kind != IngestKinds().end()) IngestRows(kind->second, *records);
  if (targets) TargetRows(*records);
  return 0;
}
