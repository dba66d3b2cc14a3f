// `attainctl target …`: setting (one or from a CSV file), listing,
// decomposing and checking targets, their history and period locks
// (attain.target.v1.TargetService).
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/period.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/csv.h"
#include "tools/attainctl/table.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

using targetv1::TargetService;
namespace typev1 = ::attain::type::v1;

constexpr int kMaxBatchRows = 10000;

// --- printing ------------------------------------------------------------

std::string ProductLineLabel(const std::string& id) { return id.empty() ? "all" : id; }

std::string ValueOf(const targetv1::Target& t, int64_t v) {
  return FormatMetricValue(t.metric(), v);
}

// A table of targets: id, scope, product line, period, metric, base, challenge,
// currency, parent.
Table TargetTable() {
  Table table(
      {"id", "scope", "product line", "period", "metric", "base", "challenge", "cur", "parent"});
  table.AlignRight(5).AlignRight(6);
  return table;
}

void AddTargetRow(Table* table, const targetv1::Target& t) {
  table->AddRow({t.target_id(), FormatScope(t.scope()), ProductLineLabel(t.product_line_id()),
                 t.period(), MetricName(t.metric()), ValueOf(t, t.base_value()),
                 ValueOf(t, t.challenge_value()), t.currency_code(), t.parent_target_id()});
}

void PrintTarget(const targetv1::Target& t) {
  const std::string cur = t.currency_code().empty() ? "" : absl::StrCat(" ", t.currency_code());
  PrintFields(
      {{"Id", t.target_id()},
       {"Scope", FormatScope(t.scope())},
       {"Product line", ProductLineLabel(t.product_line_id())},
       {"Period", t.period()},
       {"Metric", MetricName(t.metric())},
       {"Base", absl::StrCat(ValueOf(t, t.base_value()), cur)},
       {"Challenge", absl::StrCat(ValueOf(t, t.challenge_value()), cur)},
       {"Parent", t.parent_target_id().empty() ? "-" : t.parent_target_id()},
       {"Version", absl::StrCat(t.version())},
       {"Updated", absl::StrCat(FormatTimestamp(t.update_time()), " by ", t.updated_by())}});
}

// --- target set ----------------------------------------------------------

// The text of one target to set, as typed on the command line or in a CSV row.
struct TargetText {
  std::string scope, product_line, period, metric, base, challenge, currency;
};

absl::StatusOr<targetv1::TargetInput> BuildInput(const TargetText& text) {
  targetv1::TargetInput input;
  absl::StatusOr<typev1::Scope> scope = ParseScope(text.scope);
  if (!scope.ok()) return scope.status();
  *input.mutable_scope() = *scope;
  absl::StatusOr<Metric> metric = ParseMetric(text.metric);
  if (!metric.ok()) return metric.status();
  input.set_metric(*metric);
  input.set_product_line_id(text.product_line);
  if (text.period.empty()) return absl::InvalidArgumentError("the period is empty, e.g. 2026-Q4");
  input.set_period(text.period);
  if (text.base.empty()) return absl::InvalidArgumentError("the base value is empty");
  absl::StatusOr<int64_t> base = ParseMetricValue(*metric, text.base);
  if (!base.ok()) return base.status();
  input.set_base_value(*base);
  if (!text.challenge.empty()) {
    absl::StatusOr<int64_t> challenge = ParseMetricValue(*metric, text.challenge);
    if (!challenge.ok()) return challenge.status();
    input.set_challenge_value(*challenge);
  }
  input.set_currency_code(text.currency.empty() ? DefaultCurrency(*metric) : text.currency);
  return input;
}

// The server's message of a row error without the field it repeats in front.
std::string RowMessage(const targetv1::RowError& e) {
  absl::string_view m = e.message();
  if (!e.field().empty()) absl::ConsumePrefix(&m, absl::StrCat(e.field(), ": "));
  return std::string(m);
}

// Appends " (line L)" after every "targets[N]" of a server message.
std::string AnnotateRows(absl::string_view message, const std::vector<int>& lines) {
  std::string out;
  constexpr absl::string_view kMarker = "targets[";
  std::size_t pos = 0;
  while (pos < message.size()) {
    const std::size_t at = message.find(kMarker, pos);
    if (at == absl::string_view::npos) break;
    const std::size_t digits = at + kMarker.size();
    std::size_t close = digits;
    while (close < message.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(message[close]))) {
      ++close;
    }
    int index = -1;
    if (close < message.size() && message[close] == ']' && close > digits &&
        absl::SimpleAtoi(message.substr(digits, close - digits), &index) && index >= 0 &&
        index < static_cast<int>(lines.size())) {
      // Keep any ".field" that follows the index with it.
      std::size_t end = close + 1;
      while (end < message.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(message[end])) ||
              message[end] == '_' || message[end] == '.')) {
        ++end;
      }
      if (end > close + 1 && message[end - 1] == '.') --end;
      absl::StrAppend(&out, message.substr(pos, end - pos), " (line ", lines[index], ")");
      pos = end;
    } else {
      absl::StrAppend(&out, message.substr(pos, digits - pos));
      pos = digits;
    }
  }
  absl::StrAppend(&out, message.substr(pos));
  return out;
}

int SetFromFile(const Invocation& inv) {
  for (const char* flag :
       {"scope", "period", "metric", "base", "challenge", "product-line", "currency"}) {
    if (inv.args.Has(flag)) {
      return inv.UsageError(absl::StrCat("--file takes every value from the file: drop --", flag));
    }
  }
  const std::string path = inv.args.Get("file");
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "error: cannot read " << path << ": " << std::strerror(errno) << "\n";
    return kExitFailure;
  }
  std::stringstream content;
  content << file.rdbuf();
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(content.str());
  if (!records.ok()) {
    std::cerr << "error: " << path << ": " << records.status().message() << "\n";
    return kExitFailure;
  }
  if (records->empty()) {
    std::cerr << "error: " << path << " is empty: the first line must be the header "
              << "scope,product_line,period,metric,base,challenge,currency\n";
    return kExitFailure;
  }

  // Header: column name → index. Required and optional columns, any order.
  const std::vector<std::string> known = {"scope", "product_line", "period",  "metric",
                                          "base",  "challenge",    "currency"};
  std::map<std::string, int> column;
  const CsvRecord& header = records->front();
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[i]));
    if (name == "product_line_id") name = "product_line";
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::cerr << "error: " << path << " line " << header.line << ": unknown column \""
                << header.fields[i] << "\": the header is " << absl::StrJoin(known, ",") << "\n";
      return kExitFailure;
    }
    if (column.count(name) > 0) {
      std::cerr << "error: " << path << " line " << header.line << ": column \"" << name
                << "\" appears twice\n";
      return kExitFailure;
    }
    column[name] = static_cast<int>(i);
  }
  for (const char* required : {"scope", "period", "metric", "base"}) {
    if (column.count(required) == 0) {
      std::cerr << "error: " << path << ": the header has no \"" << required
                << "\" column: write it as " << absl::StrJoin(known, ",") << "\n";
      return kExitFailure;
    }
  }

  targetv1::BatchSetTargetsRequest request;
  std::vector<int> lines;  // CSV line of each request row
  std::vector<std::string> errors;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    bool blank = true;
    for (const std::string& f : rec.fields) blank = blank && f.empty();
    if (blank) continue;
    if (rec.fields.size() != header.fields.size()) {
      errors.push_back(
          absl::StrFormat("line %d: has %d fields, the header has %d (quote a "
                          "value that holds a comma, e.g. \"3,000,000\")",
                          rec.line, rec.fields.size(), header.fields.size()));
      continue;
    }
    const auto field = [&](const std::string& name) {
      auto it = column.find(name);
      return it == column.end() ? std::string() : rec.fields[static_cast<std::size_t>(it->second)];
    };
    TargetText text{field("scope"), field("product_line"), field("period"),  field("metric"),
                    field("base"),  field("challenge"),    field("currency")};
    absl::StatusOr<targetv1::TargetInput> input = BuildInput(text);
    if (!input.ok()) {
      errors.push_back(absl::StrCat("line ", rec.line, ": ", input.status().message()));
      continue;
    }
    *request.add_targets() = *std::move(input);
    lines.push_back(rec.line);
  }
  if (!errors.empty()) {
    for (const std::string& e : errors) std::cerr << "error: " << path << " " << e << "\n";
    std::cerr << "error: " << errors.size() << " bad row(s) in " << path << "; nothing was sent\n";
    return kExitFailure;
  }
  if (request.targets().empty()) {
    std::cerr << "error: " << path << " has a header but no rows\n";
    return kExitFailure;
  }
  if (request.targets_size() > kMaxBatchRows) {
    std::cerr << "error: " << path << " has " << request.targets_size()
              << " rows; one batch takes at most " << kMaxBatchRows << ": split the file\n";
    return kExitFailure;
  }

  const bool dry_run = inv.args.Has("dry-run");
  request.set_request_id(inv.client.NewRequestId());
  request.set_validate_only(dry_run);
  targetv1::BatchSetTargetsResponse response;
  grpc::Status status = inv.client.Call(&TargetService::Stub::BatchSetTargets, request, &response);
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      status = grpc::Status(status.error_code(), AnnotateRows(status.error_message(), lines));
    }
    return inv.client.Fail(status);
  }

  if (dry_run) {
    if (inv.client.json()) {
      nlohmann::ordered_json doc = {{"file", path},
                                    {"rows", request.targets_size()},
                                    {"valid", response.row_errors().empty()},
                                    {"row_errors", nlohmann::ordered_json::array()}};
      for (const auto& e : response.row_errors()) {
        const int line = e.index() >= 0 && e.index() < static_cast<int>(lines.size())
                             ? lines[static_cast<std::size_t>(e.index())]
                             : 0;
        doc["row_errors"].push_back({{"line", line},
                                     {"index", e.index()},
                                     {"field", e.field()},
                                     {"message", RowMessage(e)}});
      }
      PrintJson(doc);
    } else if (response.row_errors().empty()) {
      std::cout << "all " << request.targets_size() << " rows of " << path
                << " are valid (dry run: nothing saved)\n";
    } else {
      Table table({"line", "field", "message"});
      table.AlignRight(0);
      for (const auto& e : response.row_errors()) {
        const std::string line = e.index() >= 0 && e.index() < static_cast<int>(lines.size())
                                     ? absl::StrCat(lines[static_cast<std::size_t>(e.index())])
                                     : "?";
        table.AddRow({line, e.field(), RowMessage(e)});
      }
      table.Print();
      std::cout << response.row_errors_size() << " of " << request.targets_size()
                << " rows have errors (dry run: nothing saved)\n";
    }
    return response.row_errors().empty() ? kExitOk : kExitFailure;
  }

  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table = TargetTable();
  for (const auto& t : response.targets()) AddTargetRow(&table, t);
  table.Print();
  std::cout << "set " << response.targets_size() << " targets from " << path << "\n";
  return kExitOk;
}

int TargetSet(const Invocation& inv) {
  if (inv.args.Has("file")) return SetFromFile(inv);
  for (const char* flag : {"scope", "period", "metric", "base"}) {
    if (!inv.args.Has(flag)) {
      return inv.UsageError(absl::StrCat("--", flag, " is required (or give --file F.csv)"));
    }
  }
  TargetText text{inv.args.Get("scope"),   inv.args.Get("product-line"), inv.args.Get("period"),
                  inv.args.Get("metric"),  inv.args.Get("base"),         inv.args.Get("challenge"),
                  inv.args.Get("currency")};
  absl::StatusOr<targetv1::TargetInput> input = BuildInput(text);
  if (!input.ok()) return inv.UsageError(input.status().message());

  if (inv.args.Has("dry-run")) {
    targetv1::BatchSetTargetsRequest request;
    request.set_request_id(inv.client.NewRequestId());
    request.set_validate_only(true);
    *request.add_targets() = *input;
    targetv1::BatchSetTargetsResponse response;
    const grpc::Status status =
        inv.client.Call(&TargetService::Stub::BatchSetTargets, request, &response);
    if (!status.ok()) return inv.client.Fail(status);
    if (inv.client.json()) {
      PrintJson(response);
    } else if (response.row_errors().empty()) {
      std::cout << "valid (dry run: nothing saved)\n";
    } else {
      for (const auto& e : response.row_errors()) {
        std::cout << e.field() << ": " << RowMessage(e) << "\n";
      }
    }
    return response.row_errors().empty() ? kExitOk : kExitFailure;
  }

  targetv1::SetTargetRequest request;
  request.set_request_id(inv.client.NewRequestId());
  *request.mutable_target() = *std::move(input);
  targetv1::SetTargetResponse response;
  const grpc::Status status = inv.client.Call(&TargetService::Stub::SetTarget, request, &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  PrintTarget(response.target());
  std::cout << (response.created() ? "created\n" : "updated\n");
  return kExitOk;
}

// --- target list / get ---------------------------------------------------

int TargetList(const Invocation& inv) {
  targetv1::ListTargetsRequest request;
  if (inv.args.Has("scope")) {
    absl::StatusOr<typev1::Scope> scope = ParseScope(inv.args.Get("scope"));
    if (!scope.ok()) return inv.UsageError(scope.status().message());
    request.set_scope_kind(scope->kind());
    request.set_scope_id(scope->id());
  }
  if (inv.args.Has("metric")) {
    absl::StatusOr<Metric> metric = ParseMetric(inv.args.Get("metric"));
    if (!metric.ok()) return inv.UsageError(metric.status().message());
    request.set_metric(*metric);
  }
  int64_t limit = 0;
  if (inv.args.Has("limit") && (!absl::SimpleAtoi(inv.args.Get("limit"), &limit) || limit <= 0)) {
    return inv.UsageError(
        absl::StrCat("--limit \"", inv.args.Get("limit"), "\" is not a positive whole number"));
  }
  request.set_under_unit_id(inv.args.Get("under"));
  request.set_product_line_id(inv.args.Get("product-line"));
  request.set_period(inv.args.Get("period"));
  request.set_within_period(inv.args.Get("within"));
  request.set_parent_target_id(inv.args.Get("parent"));
  targetv1::ListTargetsResponse response;
  const grpc::Status status = inv.client.ListAll(
      &TargetService::Stub::ListTargets, request, &response,
      [](const targetv1::ListTargetsResponse& r) { return r.targets_size(); }, limit);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  if (response.targets().empty()) {
    std::cout << "no targets match\n";
    return kExitOk;
  }
  Table table = TargetTable();
  for (const auto& t : response.targets()) AddTargetRow(&table, t);
  table.Print();
  return kExitOk;
}

grpc::Status GetTarget(Client& client, const std::string& id, targetv1::Target* target) {
  targetv1::GetTargetRequest request;
  request.set_target_id(id);
  targetv1::GetTargetResponse response;
  grpc::Status status = client.Call(&TargetService::Stub::GetTarget, request, &response);
  if (status.ok()) *target = response.target();
  return status;
}

int TargetGet(const Invocation& inv) {
  targetv1::Target target;
  const grpc::Status status = GetTarget(inv.client, inv.args.positional()[0], &target);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    targetv1::GetTargetResponse response;
    *response.mutable_target() = target;
    PrintJson(response);
  } else {
    PrintTarget(target);
  }
  return kExitOk;
}

// --- target decompose ----------------------------------------------------

// "60", "33.3333", "25%": a share rather than a key ("2026-10", "east").
bool IsNumber(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '%') return false;
  }
  return true;
}

// The natural child kind when --into is not given.
absl::StatusOr<typev1::PeriodKind> DefaultChildKind(const std::string& period) {
  absl::StatusOr<Period> p = Period::Parse(period);
  if (!p.ok()) return p.status();
  switch (p->kind()) {
    case PeriodKind::kYear:
    case PeriodKind::kHalf:
      return typev1::PERIOD_KIND_QUARTER;
    case PeriodKind::kQuarter:
      return typev1::PERIOD_KIND_MONTH;
    case PeriodKind::kMonth:
      return typev1::PERIOD_KIND_TEN_DAY;
    case PeriodKind::kTenDay:
    case PeriodKind::kWeek:
      return typev1::PERIOD_KIND_DAY;
    case PeriodKind::kDay:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("target period ", period, " is a day: it cannot be split over time"));
}

int TargetDecompose(const Invocation& inv) {
  const std::string id = inv.args.positional()[0];
  targetv1::DecomposeTargetRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_target_id(id);
  request.set_validate_only(inv.args.Has("dry-run"));

  const std::string over = absl::AsciiStrToLower(inv.args.Get("over"));
  if (over == "time") {
    request.set_dimension(targetv1::DECOMPOSITION_DIMENSION_TIME);
  } else if (over == "org") {
    request.set_dimension(targetv1::DECOMPOSITION_DIMENSION_ORG);
  } else if (over == "product-line" || over == "product_line") {
    request.set_dimension(targetv1::DECOMPOSITION_DIMENSION_PRODUCT_LINE);
  } else {
    return inv.UsageError(
        over.empty() ? "--over is required: time, org or product-line"
                     : absl::StrCat("--over \"", over, "\" is not time, org or product-line"));
  }
  if (inv.args.Has("into") && over != "time") {
    return inv.UsageError("--into applies only to --over time");
  }

  // --alloc KEY=VALUE,… (repeatable): a bare item is a key (even) or a value (time).
  struct Item {
    std::string key, value;
  };
  std::vector<Item> items;
  bool any_value = false, any_percent = false;
  for (const std::string& list : inv.args.GetAll("alloc")) {
    for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
      part = absl::StripAsciiWhitespace(part);
      Item item;
      const std::size_t eq = part.find('=');
      if (eq != absl::string_view::npos) {
        item.key = std::string(absl::StripAsciiWhitespace(part.substr(0, eq)));
        item.value = std::string(absl::StripAsciiWhitespace(part.substr(eq + 1)));
        if (item.value.empty()) {
          return inv.UsageError(absl::StrCat("--alloc item \"", part, "\" has no value after '='"));
        }
      } else if (over == "time" && IsNumber(part)) {
        item.value = std::string(part);
      } else {
        item.key = std::string(part);
      }
      any_value = any_value || !item.value.empty();
      any_percent = any_percent || absl::EndsWith(item.value, "%");
      items.push_back(std::move(item));
    }
  }

  std::string method = absl::AsciiStrToLower(inv.args.Get("method"));
  if (method.empty()) method = !any_value ? "even" : any_percent ? "percent" : "weights";
  if (method == "even") {
    request.set_method(targetv1::DECOMPOSITION_METHOD_EVEN);
    if (any_value) {
      return inv.UsageError(
          "--method even takes no values: name the children only (--alloc east,north) or use "
          "--method weights|percent");
    }
  } else if (method == "weights" || method == "weight") {
    request.set_method(targetv1::DECOMPOSITION_METHOD_WEIGHTS);
  } else if (method == "percent" || method == "percentages" || method == "percentage") {
    request.set_method(targetv1::DECOMPOSITION_METHOD_PERCENTAGES);
  } else {
    return inv.UsageError(
        absl::StrCat("--method \"", method, "\" is not even, weights or percent"));
  }
  for (const Item& item : items) {
    targetv1::Allocation* a = request.add_allocations();
    a->set_key(item.key);
    if (request.method() == targetv1::DECOMPOSITION_METHOD_EVEN) continue;
    if (item.value.empty()) {
      return inv.UsageError(absl::StrCat("--alloc item \"", item.key, "\" needs a value: ",
                                         item.key, "=", method == "weights" ? "60" : "25.5"));
    }
    if (request.method() == targetv1::DECOMPOSITION_METHOD_WEIGHTS) {
      int64_t weight = 0;
      if (!absl::SimpleAtoi(item.value, &weight) || weight <= 0) {
        return inv.UsageError(absl::StrCat(
            "weight \"", item.value,
            "\" is not a positive whole number (for decimal shares use --method percent)"));
      }
      a->set_weight(weight);
    } else {
      absl::string_view pct = item.value;
      absl::ConsumeSuffix(&pct, "%");
      a->set_percentage(std::string(pct));
    }
  }
  if (request.method() != targetv1::DECOMPOSITION_METHOD_EVEN && items.empty()) {
    return inv.UsageError(absl::StrCat("--method ", method, " needs --alloc KEY=VALUE,…"));
  }

  if (over == "time") {
    if (inv.args.Has("into")) {
      std::string kind = absl::AsciiStrToUpper(inv.args.Get("into"));
      absl::StrReplaceAll({{"-", "_"}}, &kind);
      typev1::PeriodKind k = typev1::PERIOD_KIND_UNSPECIFIED;
      if (!typev1::PeriodKind_Parse(absl::StrCat("PERIOD_KIND_", kind), &k) ||
          k == typev1::PERIOD_KIND_UNSPECIFIED) {
        return inv.UsageError(absl::StrCat("--into \"", inv.args.Get("into"),
                                           "\" is not day, ten_day, week, month, quarter or half"));
      }
      request.set_child_period_kind(k);
    } else {
      targetv1::Target parent;
      const grpc::Status status = GetTarget(inv.client, id, &parent);
      if (!status.ok()) return inv.client.Fail(status);
      absl::StatusOr<typev1::PeriodKind> k = DefaultChildKind(parent.period());
      if (!k.ok()) return inv.UsageError(k.status().message());
      request.set_child_period_kind(*k);
    }
  }

  targetv1::DecomposeTargetResponse response;
  const grpc::Status status =
      inv.client.Call(&TargetService::Stub::DecomposeTarget, request, &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  const targetv1::Target& p = response.parent();
  std::cout << "parent " << p.target_id() << ": " << FormatScope(p.scope()) << " " << p.period()
            << " " << MetricName(p.metric()) << " base " << ValueOf(p, p.base_value())
            << " challenge " << ValueOf(p, p.challenge_value()) << "\n\n";
  Table table = TargetTable();
  for (const auto& t : response.children()) AddTargetRow(&table, t);
  table.Print();
  std::cout << "\n"
            << response.children_size() << " children"
            << (request.validate_only() ? " (dry run: nothing saved)" : "") << "\n";
  return kExitOk;
}

// --- target check --------------------------------------------------------

int TargetCheck(const Invocation& inv) {
  targetv1::CheckConsistencyRequest request;
  request.set_within_period(inv.args.Get("within"));
  if (inv.args.Has("metric")) {
    absl::StatusOr<Metric> metric = ParseMetric(inv.args.Get("metric"));
    if (!metric.ok()) return inv.UsageError(metric.status().message());
    request.set_metric(*metric);
  }
  targetv1::CheckConsistencyResponse response;
  const grpc::Status status = inv.client.ListAll(
      &TargetService::Stub::CheckConsistency, request, &response,
      [](const targetv1::CheckConsistencyResponse& r) { return r.inconsistencies_size(); });
  if (!status.ok()) return inv.client.Fail(status);
  const bool consistent = response.inconsistencies().empty();
  if (inv.client.json()) {
    PrintJson(response);
  } else if (consistent) {
    std::cout << "consistent: every decomposed target equals the sum of its children\n";
  } else {
    Table table({"parent", "scope", "period", "metric", "split over", "children", "base",
                 "children base", "base diff", "challenge diff"});
    for (std::size_t c : {5, 6, 7, 8, 9}) table.AlignRight(c);
    for (const auto& i : response.inconsistencies()) {
      const targetv1::Target& p = i.parent();
      const char* over = i.dimension() == targetv1::DECOMPOSITION_DIMENSION_TIME  ? "time"
                         : i.dimension() == targetv1::DECOMPOSITION_DIMENSION_ORG ? "org"
                                                                                  : "product line";
      table.AddRow({p.target_id(), FormatScope(p.scope()), p.period(), MetricName(p.metric()), over,
                    absl::StrCat(i.child_count()), ValueOf(p, p.base_value()),
                    ValueOf(p, i.children_base_sum()), ValueOf(p, i.base_difference()),
                    ValueOf(p, i.challenge_difference())});
    }
    table.Print();
    std::cout << response.inconsistencies_size()
              << " parent target(s) disagree with their children (diff = parent - children)\n";
  }
  return consistent ? kExitOk : kExitFailure;
}

// --- target history ------------------------------------------------------

int TargetHistory(const Invocation& inv) {
  const std::string id = inv.args.positional()[0];
  targetv1::Target target;
  grpc::Status status = GetTarget(inv.client, id, &target);
  if (!status.ok()) return inv.client.Fail(status);
  targetv1::ListTargetHistoryRequest request;
  request.set_target_id(id);
  targetv1::ListTargetHistoryResponse response;
  status = inv.client.ListAll(
      &TargetService::Stub::ListTargetHistory, request, &response,
      [](const targetv1::ListTargetHistoryResponse& r) { return r.changes_size(); });
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  std::cout << "target " << id << ": " << FormatScope(target.scope()) << " "
            << ProductLineLabel(target.product_line_id()) << " " << target.period() << " "
            << MetricName(target.metric()) << "\n\n";
  Table table({"version", "time", "by", "source", "base", "challenge"});
  table.AlignRight(0);
  const auto change = [&](int64_t version, int64_t before, int64_t after) {
    if (version <= 1) return ValueOf(target, after);
    if (before == after) return ValueOf(target, after);
    return absl::StrCat(ValueOf(target, before), " → ", ValueOf(target, after));
  };
  for (const auto& c : response.changes()) {
    table.AddRow({absl::StrCat(c.version()), FormatTimestamp(c.change_time()), c.changed_by(),
                  c.source(), change(c.version(), c.old_base_value(), c.new_base_value()),
                  change(c.version(), c.old_challenge_value(), c.new_challenge_value())});
  }
  table.Print();
  return kExitOk;
}

// --- period locks --------------------------------------------------------

int TargetLock(const Invocation& inv) {
  targetv1::LockPeriodRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_period(inv.args.positional()[0]);
  request.set_reason(inv.args.Get("reason"));
  targetv1::LockPeriodResponse response;
  const grpc::Status status = inv.client.Call(&TargetService::Stub::LockPeriod, request, &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
  } else {
    const targetv1::PeriodLock& l = response.lock();
    PrintFields({{"Locked", l.period()},
                 {"Reason", l.reason()},
                 {"By", l.locked_by()},
                 {"At", FormatTimestamp(l.lock_time())}});
  }
  return kExitOk;
}

int TargetUnlock(const Invocation& inv) {
  targetv1::UnlockPeriodRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_period(inv.args.positional()[0]);
  targetv1::UnlockPeriodResponse response;
  const grpc::Status status =
      inv.client.Call(&TargetService::Stub::UnlockPeriod, request, &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(nlohmann::ordered_json{{"unlocked", request.period()}});
  } else {
    std::cout << "unlocked " << request.period() << "\n";
  }
  return kExitOk;
}

int TargetLocks(const Invocation& inv) {
  targetv1::ListPeriodLocksResponse response;
  const grpc::Status status = inv.client.Call(&TargetService::Stub::ListPeriodLocks,
                                              targetv1::ListPeriodLocksRequest(), &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  if (response.locks().empty()) {
    std::cout << "no locked periods\n";
    return kExitOk;
  }
  Table table({"period", "reason", "locked by", "locked at"});
  for (const auto& l : response.locks()) {
    table.AddRow({l.period(), l.reason(), l.locked_by(), FormatTimestamp(l.lock_time())});
  }
  table.Print();
  return kExitOk;
}

}  // namespace

std::vector<Command> TargetCommands() {
  std::vector<Command> c;
  c.push_back(
      {"target set",
       "--scope unit:ID|rep:ID --period P --metric M --base V [--challenge V] "
       "[--product-line ID] [--currency CNY] [--dry-run]\n       attainctl target set --file "
       "F.csv [--dry-run]",
       "sets one target, or every row of a CSV file (header "
       "scope,product_line,period,metric,base,challenge,currency) in one all-or-nothing "
       "batch; --dry-run only validates",
       {"scope", "period", "metric", "base", "challenge", "product-line", "currency", "file"},
       {"dry-run"},
       0,
       0,
       TargetSet});
  c.push_back({"target list",
               "[--scope unit:ID|rep:ID] [--under UNIT] [--period P] [--within P] [--metric M] "
               "[--product-line ID|*] [--parent TARGET_ID] [--limit N]",
               "lists targets matching every filter given (all pages, or the first --limit)",
               {"scope", "under", "period", "within", "metric", "product-line", "parent", "limit"},
               {},
               0,
               0,
               TargetList});
  c.push_back({"target get", "ID", "shows one target", {}, {}, 1, 1, TargetGet});
  c.push_back({"target decompose",
               "ID --over time|org|product-line [--method even|weights|percent] "
               "[--into month|ten_day|day|week|quarter|half] [--alloc KEY=VALUE,…] [--dry-run]",
               "splits a target into children that sum to it exactly; VALUE is a weight or a "
               "percentage; --into defaults to the next finer period; --dry-run saves nothing",
               {"over", "method", "into", "alloc"},
               {"dry-run"},
               1,
               1,
               TargetDecompose});
  c.push_back({"target check",
               "[--within P] [--metric M]",
               "lists parent targets whose children do not sum to them; exit 1 if any",
               {"within", "metric"},
               {},
               0,
               0,
               TargetCheck});
  c.push_back({"target history",
               "ID",
               "shows a target's changes, newest first",
               {},
               {},
               1,
               1,
               TargetHistory});
  c.push_back({"target lock",
               "PERIOD [--reason TEXT]",
               "locks a period: targets within it refuse changes",
               {"reason"},
               {},
               1,
               1,
               TargetLock});
  c.push_back({"target unlock", "PERIOD", "unlocks a period (admin)", {}, {}, 1, 1, TargetUnlock});
  c.push_back({"target locks", "", "lists the locked periods", {}, {}, 0, 0, TargetLocks});
  return c;
}

}  // namespace attain::ctl
