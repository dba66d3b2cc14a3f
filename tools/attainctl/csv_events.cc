#include "tools/attainctl/csv_events.h"

#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/money.h"
#include "google/protobuf/message.h"

namespace attain::ctl {
namespace {

namespace iv1 = ::attain::ingest::v1;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsMoney(const FieldDescriptor* f) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         f->message_type()->full_name() == "attain.type.v1.Money";
}

// "closed-won" / "CLOSED_WON" / "ORDER_STATUS_CLOSED_WON" → the value.
const google::protobuf::EnumValueDescriptor* ParseEnum(const google::protobuf::EnumDescriptor* e,
                                                       absl::string_view text) {
  std::string name = absl::AsciiStrToUpper(text);
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &name);
  if (const auto* v = e->FindValueByName(name); v != nullptr) return v;
  std::string prefix = e->value(0)->name();  // FOO_UNSPECIFIED
  prefix = prefix.substr(0, prefix.size() - std::string("UNSPECIFIED").size());
  return e->FindValueByName(prefix + name);
}

std::string EnumChoices(const google::protobuf::EnumDescriptor* e) {
  std::string prefix = e->value(0)->name();
  prefix = prefix.substr(0, prefix.size() - std::string("UNSPECIFIED").size());
  std::vector<std::string> names;
  for (int i = 1; i < e->value_count(); ++i) {
    names.push_back(absl::AsciiStrToLower(e->value(i)->name().substr(prefix.size())));
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

const std::map<std::string, std::string>& IngestKinds() {
  static const auto* kinds = new std::map<std::string, std::string>{
      {"orders", "order"},
      {"payments", "payment"},
      {"receivables", "receivable"},
      {"follow-ups", "follow_up"},
      {"opportunities", "opportunity"},
      {"customers", "customer"},
      {"surveys", "satisfaction_survey"},
      {"ratings", "collaboration_rating"},
      {"knowledge", "knowledge_sharing"},
      {"reports", "report_submission"},
  };
  return *kinds;
}

std::string IngestKindNames() {
  std::vector<std::string> names;
  for (const auto& [name, field] : IngestKinds()) names.push_back(name);
  return absl::StrJoin(names, "|");
}

absl::StatusOr<RowParser> RowParser::Make(const std::string& kind_field,
                                          const std::vector<std::string>& header) {
  RowParser p;
  p.kind_ = iv1::Event::descriptor()->FindFieldByName(kind_field);
  const Descriptor* d = p.kind_->message_type();
  bool has_money = false;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header[i]));
    if (name == "event_id") {
      p.event_id_ = static_cast<int>(i);
    } else if (name == "occurred_at") {
      p.occurred_at_ = static_cast<int>(i);
    } else if (name == "source") {
      p.source_ = static_cast<int>(i);
    } else if (name == "currency" || name == "currency_code") {
      p.currency_ = static_cast<int>(i);
    } else if (const FieldDescriptor* f = d->FindFieldByName(name); f != nullptr) {
      has_money = has_money || IsMoney(f);
      p.columns_.push_back({static_cast<int>(i), f});
    } else {
      std::vector<std::string> names = {"event_id", "occurred_at", "source", "currency"};
      for (int k = 0; k < d->field_count(); ++k) names.push_back(d->field(k)->name());
      return absl::InvalidArgumentError(
          absl::StrFormat("column \"%s\" of the header is not a field of %s: the columns are %s",
                          header[i], d->name(), absl::StrJoin(names, ", ")));
    }
  }
  if (p.event_id_ < 0 || p.occurred_at_ < 0) {
    return absl::InvalidArgumentError(
        "the header has no event_id or occurred_at column: both are required");
  }
  if (has_money && p.currency_ < 0) {
    return absl::InvalidArgumentError(
        "the file has money columns but no \"currency\" column: add one (e.g. CNY)");
  }
  p.width_ = header.size();
  return p;
}

std::optional<RowError> RowParser::Parse(const CsvRecord& rec, const std::string& default_source,
                                         ParsedRow* out) const {
  out->line = rec.line;
  if (rec.fields.size() != width_) {
    return RowError{
        rec.line, "",
        absl::StrFormat("has %d fields but the header has %d", rec.fields.size(), width_)};
  }
  iv1::Event& e = out->event;
  e.set_source(source_ >= 0 && !rec.fields[source_].empty() ? rec.fields[source_] : default_source);
  e.set_event_id(rec.fields[event_id_]);
  e.set_occurred_at(rec.fields[occurred_at_]);
  Message* m = e.GetReflection()->MutableMessage(&e, kind_);
  const Reflection* r = m->GetReflection();
  const std::string currency = currency_ >= 0 ? absl::AsciiStrToUpper(rec.fields[currency_]) : "";
  for (const auto& column : columns_) {
    // Not a structured binding: the lambda below captures the field (C++17).
    const FieldDescriptor* f = column.second;
    const std::string& cell = rec.fields[column.first];
    if (cell.empty()) continue;
    auto bad = [&](const std::string& why) {
      return RowError{rec.line, f->name(), absl::StrFormat("\"%s\" %s", cell, why)};
    };
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r->SetString(m, f, cell);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_INT32: {
        int64_t v = 0;
        if (!absl::SimpleAtoi(absl::StrReplaceAll(cell, {{",", ""}}), &v)) {
          return bad("is not a whole number");
        }
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
          r->SetInt64(m, f, v);
        } else {
          if (v < INT32_MIN || v > INT32_MAX) return bad("is out of range");
          r->SetInt32(m, f, static_cast<int32_t>(v));
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* v = ParseEnum(f->enum_type(), cell);
        if (v == nullptr || v->number() == 0) {
          return bad(absl::StrCat("is not one of ", EnumChoices(f->enum_type())));
        }
        r->SetEnum(m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (!IsMoney(f)) return bad("cannot be read from CSV");
        absl::StatusOr<int64_t> minor = ParseMinorUnits(cell);
        if (!minor.ok()) return bad(absl::StrCat("is not an amount: ", minor.status().message()));
        if (currency.empty()) {
          return RowError{rec.line, "currency", "is empty but the row has an amount"};
        }
        auto* money = static_cast<::attain::type::v1::Money*>(r->MutableMessage(m, f));
        money->set_currency_code(currency);
        money->set_minor_units(*minor);
        break;
      }
      default:
        return bad("has a type the CSV reader does not handle");
    }
  }
  return std::nullopt;
}

}  // namespace attain::ctl
