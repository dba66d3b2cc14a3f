// Rows of an `attainctl ingest` CSV file → attain.ingest.v1.Event: the header
// names the kind message's proto fields plus `event_id`, `occurred_at` and,
// when there is money, `currency` (and optionally `source` per row). Money is
// typed in major units ("1,234.50"); enums by their name without the prefix
// ("closed_won", "closed-won" or "ORDER_STATUS_CLOSED_WON"). Pure: no I/O.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "attain/ingest/v1/events.pb.h"
#include "google/protobuf/descriptor.h"
#include "tools/attainctl/csv.h"

namespace attain::ctl {

// --kind → the Event oneof field ("orders" → "order", …).
const std::map<std::string, std::string>& IngestKinds();

// The --kind values joined by '|', for usage text and errors.
std::string IngestKindNames();

// A row that could not be turned into an event; `field` is the column ("" for
// the row as a whole).
struct RowError {
  int line = 0;
  std::string field;
  std::string reason;
};

struct ParsedRow {
  int line = 0;
  ::attain::ingest::v1::Event event;
};

// Maps the header to fields of the kind's message; turns rows into events.
class RowParser {
 public:
  // `kind_field` is a value of IngestKinds() ("order"). INVALID_ARGUMENT for a
  // column that is not a field of the kind, or a header without event_id,
  // occurred_at or (with money columns) currency.
  static absl::StatusOr<RowParser> Make(const std::string& kind_field,
                                        const std::vector<std::string>& header);

  // Fills `out` from `rec`, or says what is wrong. The event is not validated
  // beyond what the CSV reading needs: the ingest service decodes it.
  std::optional<RowError> Parse(const CsvRecord& rec, const std::string& default_source,
                                ParsedRow* out) const;

 private:
  const google::protobuf::FieldDescriptor* kind_ = nullptr;
  int event_id_ = -1, occurred_at_ = -1, source_ = -1, currency_ = -1;
  std::size_t width_ = 0;
  std::vector<std::pair<int, const google::protobuf::FieldDescriptor*>> columns_;
};

}  // namespace attain::ctl
