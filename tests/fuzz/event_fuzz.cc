// ingest's validation of received events (services/ingest/src/api/decode.h):
// the input is a serialized attain.ingest.v1.Event, as IngestService receives
// it. An event either decodes into a record of its kind or is rejected with a
// field and a reason; it never crashes the service.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/civil_time.h"
#include "attain/ingest/v1/events.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "services/ingest/src/api/decode.h"
#include "services/ingest/src/domain/event.h"
#include "tests/fuzz/fuzz_check.h"

namespace v1 = ::attain::ingest::v1;
using attain::ingest::EventKindName;
using attain::ingest::IncomingEvent;

namespace {

// Whether PostgreSQL takes `s` as text: UTF-8 without overlong forms,
// surrogates, code points above U+10FFFF or NUL.
bool IsPostgresText(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b == 0) return false;
    if (b < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

// Every string field set in `m` and its submessages is PostgreSQL text.
void CheckStrings(const google::protobuf::Message& m) {
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const google::protobuf::FieldDescriptor* f : fields) {
    if (f->is_repeated()) continue;  // events have no repeated fields
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      const std::string value = m.GetReflection()->GetString(m, f);
      FUZZ_CHECK(IsPostgresText(value)) << f->full_name() << " is not PostgreSQL text";
    } else if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      CheckStrings(m.GetReflection()->GetMessage(m, f));
    }
  }
}

// The store writes days as "YYYY-MM-DD" into PostgreSQL date columns, which
// take years 0001..9999.
void CheckDay(absl::CivilDay day) {
  FUZZ_CHECK(day.year() >= 1 && day.year() <= 9999) << "day " << day << " is not a PostgreSQL date";
}

struct CheckDays {
  void operator()(const attain::ingest::Order& e) const { CheckDay(e.signed_date); }
  void operator()(const attain::ingest::Payment& e) const { CheckDay(e.received_date); }
  void operator()(const attain::ingest::Receivable& e) const { CheckDay(e.due_date); }
  void operator()(const attain::ingest::FollowUp& e) const {
    if (e.next_action_date.has_value()) CheckDay(*e.next_action_date);
  }
  void operator()(const attain::ingest::Opportunity& e) const {
    CheckDay(e.created_date);
    if (e.closed_date.has_value()) CheckDay(*e.closed_date);
  }
  void operator()(const attain::ingest::KnowledgeSharing& e) const { CheckDay(e.date); }
  void operator()(const attain::ingest::ReportSubmission& e) const {
    CheckDay(e.period.first_day());
    CheckDay(e.period.last_day());
  }
  template <typename T>
  void operator()(const T&) const {}
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs every string field that is not UTF-8; the fuzzer makes many.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  v1::Event event;
  if (!event.ParseFromArray(data, static_cast<int>(size))) return 0;
  const std::string payload(reinterpret_cast<const char*>(data), size);
  const IncomingEvent in = attain::ingest::DecodeEvent(event, payload);
  FUZZ_CHECK(in.source == event.source());
  FUZZ_CHECK(in.event_id == event.event_id());
  FUZZ_CHECK(in.payload == payload);
  (void)attain::ingest::CommitOrderKey(event);
  if (!in.record.has_value()) {
    FUZZ_CHECK(!in.rejection.field.empty()) << in.rejection.reason;
    FUZZ_CHECK(!in.rejection.reason.empty()) << in.rejection.field;
    return 0;
  }
  const attain::ingest::EventRecord& r = *in.record;
  const google::protobuf::FieldDescriptor* kind_field =
      v1::Event::descriptor()->FindFieldByNumber(event.kind_case());
  FUZZ_CHECK(kind_field != nullptr && kind_field->name() == EventKindName(r.kind()))
      << "decoded a " << EventKindName(r.kind()) << " from oneof case " << event.kind_case();
  FUZZ_CHECK(!r.entity_id().empty());
  FUZZ_CHECK(r.version() >= 0);
  FUZZ_CHECK(attain::ingest::IsVersioned(r.kind()) == (r.version() > 0));
  FUZZ_CHECK(!r.rep_field().empty());
  if (r.kind() != attain::ingest::EventKind::kCustomer) FUZZ_CHECK(!r.rep_id().empty());
  // What the store writes must be what PostgreSQL takes.
  CheckStrings(event);
  std::visit(CheckDays(), r.body);
  // The one-argument form serializes the event itself and decides the same.
  const IncomingEvent again = attain::ingest::DecodeEvent(event);
  FUZZ_CHECK(again.record.has_value());
  return 0;
}
