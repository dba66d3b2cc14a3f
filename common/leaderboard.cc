#include "common/leaderboard.h"

#include <cstddef>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"

namespace attain {
namespace {

struct MetricInfo {
  BoardMetric metric;
  absl::string_view name;
  bool ratio;
};

constexpr MetricInfo kMetrics[] = {
    {BoardMetric::kSales, "sales", false},
    {BoardMetric::kCollected, "collected", false},
    {BoardMetric::kGrossProfit, "gross_profit", false},
    {BoardMetric::kOrders, "orders", false},
    {BoardMetric::kNewCustomers, "new_customers", false},
    {BoardMetric::kVisits, "visits", false},
    {BoardMetric::kEffectiveVisits, "effective_visits", false},
    {BoardMetric::kWonOpportunities, "won_opportunities", false},
    {BoardMetric::kCollectionRate, "collection_rate", true},
    {BoardMetric::kConversion, "conversion", true},
};

const MetricInfo* FindMetric(BoardMetric m) {
  for (const MetricInfo& info : kMetrics) {
    if (info.metric == m) return &info;
  }
  return nullptr;
}

// The encodings' version lines (see the header).
constexpr absl::string_view kIncrementsVersion = "lb1";
constexpr absl::string_view kDeltasVersion = "lb2";

// The length of the valid UTF-8 sequence starting at s[i] (1-4), or 0 when
// s[i] does not start one (stray continuation byte, overlong form, surrogate,
// beyond U+10FFFF or truncated).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // > U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

// Escapes a field so that it contains no '|' or line break and the whole text
// is valid UTF-8 without NUL (storable in a PostgreSQL text column): '%',
// '|', control characters, DEL and bytes that are not valid UTF-8 become
// %XX; everything else (including ':' and any valid non-ASCII text) is kept.
void AppendEscaped(std::string* out, absl::string_view field) {
  for (size_t i = 0; i < field.size();) {
    const unsigned char c = static_cast<unsigned char>(field[i]);
    if (c >= 0x80) {
      if (size_t len = Utf8SequenceLength(field, i); len > 0) {
        out->append(field.data() + i, len);
        i += len;
        continue;
      }
      absl::StrAppendFormat(out, "%%%02X", c);
    } else if (c < 0x20 || c == 0x7F || c == '%' || c == '|') {
      absl::StrAppendFormat(out, "%%%02X", c);
    } else {
      out->push_back(static_cast<char>(c));
    }
    ++i;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::StatusOr<std::string> Unescape(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out.push_back(field[i]);
      continue;
    }
    const bool complete = i + 2 < field.size();
    const int hi = complete ? HexValue(field[i + 1]) : -1;
    const int lo = complete ? HexValue(field[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad escape at \"", field.substr(i, 3),
                                                     "\": '%' must be followed by two hex digits"));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Appends `field` to `key` so that different field lists give different keys.
void AppendKeyField(std::string* key, absl::string_view field) {
  absl::StrAppend(key, field.size(), ":", field);
}

absl::StatusOr<std::vector<BoardIncrement>> DecodeIncrementLines(
    const std::vector<absl::string_view>& lines) {
  std::vector<BoardIncrement> out;
  out.reserve(lines.size() - 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrFormat("leaderboard increments, line %d: %s", i + 1, why));
    };
    std::vector<absl::string_view> f = absl::StrSplit(lines[i], '|');
    if (f.size() != 6) {
      return fail(absl::StrFormat(
          "has %d fields; expected 6 (tenant|period|metric|scope|member|value)", f.size()));
    }
    BoardIncrement inc;
    absl::StatusOr<BoardMetric> metric = ParseBoardMetric(f[2]);
    if (!metric.ok()) return fail(metric.status().message());
    inc.metric = *metric;
    std::string* text_fields[] = {&inc.tenant, &inc.period, &inc.scope, &inc.member};
    const absl::string_view raw[] = {f[0], f[1], f[3], f[4]};
    for (int k = 0; k < 4; ++k) {
      absl::StatusOr<std::string> s = Unescape(raw[k]);
      if (!s.ok()) return fail(s.status().message());
      *text_fields[k] = *std::move(s);
    }
    if (IsRatio(inc.metric)) {
      std::pair<absl::string_view, absl::string_view> nd =
          absl::StrSplit(f[5], absl::MaxSplits('/', 1));
      if (f[5].find('/') == absl::string_view::npos ||
          !absl::SimpleAtoi(nd.first, &inc.numerator) ||
          !absl::SimpleAtoi(nd.second, &inc.denominator)) {
        return fail(absl::StrCat("value \"", f[5], "\" of ratio metric ", f[2],
                                 " is not <numerator>/<denominator> (integers)"));
      }
    } else if (!absl::SimpleAtoi(f[5], &inc.amount)) {
      return fail(absl::StrCat("value \"", f[5], "\" of metric ", f[2], " is not an integer"));
    }
    out.push_back(std::move(inc));
  }
  return out;
}

constexpr size_t kDeltaTextFields = 6;  // tenant|period|rep|team|region|product line

absl::StatusOr<std::vector<BoardDelta>> DecodeDeltaLines(
    const std::vector<absl::string_view>& lines) {
  std::vector<BoardDelta> out;
  out.reserve(lines.size() - 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrFormat("leaderboard deltas, line %d: %s", i + 1, why));
    };
    std::vector<absl::string_view> f = absl::StrSplit(lines[i], '|');
    if (f.size() != kDeltaTextFields + kBoardPartCount) {
      return fail(absl::StrFormat(
          "has %d fields; expected %d (tenant|period|rep|team|region|product line and %d parts)",
          f.size(), kDeltaTextFields + kBoardPartCount, static_cast<int>(kBoardPartCount)));
    }
    BoardDelta d;
    std::string* text_fields[] = {&d.tenant, &d.period, &d.rep,
                                  &d.team,   &d.region, &d.product_line};
    for (size_t k = 0; k < kDeltaTextFields; ++k) {
      absl::StatusOr<std::string> s = Unescape(f[k]);
      if (!s.ok()) return fail(s.status().message());
      *text_fields[k] = *std::move(s);
    }
    for (int k = 0; k < kBoardPartCount; ++k) {
      if (!absl::SimpleAtoi(f[kDeltaTextFields + k], &d.parts[k])) {
        return fail(
            absl::StrCat("part ", k + 1, " \"", f[kDeltaTextFields + k], "\" is not an integer"));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

absl::string_view BoardMetricName(BoardMetric m) {
  const MetricInfo* info = FindMetric(m);
  return info != nullptr ? info->name : "unknown";
}

absl::StatusOr<BoardMetric> ParseBoardMetric(absl::string_view name) {
  for (const MetricInfo& info : kMetrics) {
    if (info.name == name) return info.metric;
  }
  std::vector<absl::string_view> names;
  for (const MetricInfo& info : kMetrics) names.push_back(info.name);
  return absl::InvalidArgumentError(absl::StrCat(
      "metric \"", name, "\" has no leaderboard: use one of ", absl::StrJoin(names, ", ")));
}

bool IsRatio(BoardMetric m) {
  const MetricInfo* info = FindMetric(m);
  return info != nullptr && info->ratio;
}

int64_t RatioScore(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return 0;
  const absl::int128 num = absl::int128(numerator) * 10000;
  absl::int128 q = num / denominator;
  if (num % denominator != 0 && num < 0) q -= 1;
  return static_cast<int64_t>(q);
}

std::string BoardKey(absl::string_view tenant, absl::string_view period, BoardMetric metric,
                     absl::string_view scope) {
  return absl::StrCat("lb:{", tenant, ":", period, "}:", BoardMetricName(metric), ":", scope);
}

std::string BoardPartsKey(absl::string_view tenant, absl::string_view period, BoardMetric metric,
                          absl::string_view scope) {
  return absl::StrCat(BoardKey(tenant, period, metric, scope), ":parts");
}

std::string BoardChannel(absl::string_view tenant, absl::string_view period) {
  return absl::StrCat("lb:{", tenant, ":", period, "}:changed");
}

// Format (version lb1): the line "lb1", then one line per increment:
//   <tenant>|<period>|<metric>|<scope>|<member>|<value>
// where <value> is the amount for an additive metric and "<numerator>/<denominator>"
// for a ratio metric (the other fields of the increment are not stored), numbers
// in decimal. Text fields are escaped by AppendEscaped. Every line ends in '\n'.
std::string EncodeIncrements(const std::vector<BoardIncrement>& increments) {
  std::string out(kIncrementsVersion);
  out.push_back('\n');
  for (const BoardIncrement& inc : increments) {
    AppendEscaped(&out, inc.tenant);
    out.push_back('|');
    AppendEscaped(&out, inc.period);
    out.push_back('|');
    out.append(BoardMetricName(inc.metric).data(), BoardMetricName(inc.metric).size());
    out.push_back('|');
    AppendEscaped(&out, inc.scope);
    out.push_back('|');
    AppendEscaped(&out, inc.member);
    out.push_back('|');
    if (IsRatio(inc.metric)) {
      absl::StrAppend(&out, inc.numerator, "/", inc.denominator);
    } else {
      absl::StrAppend(&out, inc.amount);
    }
    out.push_back('\n');
  }
  return out;
}

// Format (version lb2): the line "lb2", then one line per delta:
//   <tenant>|<period>|<rep>|<team>|<region>|<product line>|<part 1>|...|<part 10>
// with the parts in BoardPart order, in decimal; text fields escaped as in lb1.
std::string EncodeBoardDeltas(const std::vector<BoardDelta>& deltas) {
  std::string out(kDeltasVersion);
  out.push_back('\n');
  for (const BoardDelta& d : deltas) {
    for (const std::string* field :
         {&d.tenant, &d.period, &d.rep, &d.team, &d.region, &d.product_line}) {
      AppendEscaped(&out, *field);
      out.push_back('|');
    }
    for (int k = 0; k < kBoardPartCount; ++k) {
      absl::StrAppend(&out, d.parts[k]);
      out.push_back(k + 1 < kBoardPartCount ? '|' : '\n');
    }
  }
  return out;
}

absl::StatusOr<BoardChanges> DecodeBoardChanges(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final '\n'
  BoardChanges out;
  if (!lines.empty() && lines[0] == kIncrementsVersion) {
    ASSIGN_OR_RETURN(out.increments, DecodeIncrementLines(lines));
    return out;
  }
  if (!lines.empty() && lines[0] == kDeltasVersion) {
    ASSIGN_OR_RETURN(out.deltas, DecodeDeltaLines(lines));
    return out;
  }
  absl::string_view first = lines.empty() ? absl::string_view() : lines[0];
  return absl::InvalidArgumentError(absl::StrCat(
      "leaderboard changes start with \"", first.substr(0, 16), "\": expected the version line \"",
      kIncrementsVersion, "\" or \"", kDeltasVersion, "\""));
}

absl::StatusOr<std::vector<BoardIncrement>> DecodeIncrements(absl::string_view text) {
  ASSIGN_OR_RETURN(BoardChanges changes, DecodeBoardChanges(text));
  if (changes.deltas.empty()) return std::move(changes.increments);
  BoardCellSum sum;
  for (const BoardDelta& d : changes.deltas) sum.Add(d);
  return sum.Take();
}

std::vector<BoardValue> BoardValuesOf(const BoardParts& p) {
  std::vector<BoardValue> out;
  auto additive = [&](BoardMetric m, int64_t v) {
    if (v != 0) out.push_back({m, v, 0, 0});
  };
  auto ratio = [&](BoardMetric m, int64_t n, int64_t d) {
    if (n != 0 || d != 0) out.push_back({m, 0, n, d});
  };
  additive(BoardMetric::kSales, p[kBoardPartSales]);
  additive(BoardMetric::kCollected, p[kBoardPartCollected]);
  additive(BoardMetric::kGrossProfit, p[kBoardPartGrossProfit]);
  additive(BoardMetric::kOrders, p[kBoardPartOrders]);
  additive(BoardMetric::kNewCustomers, p[kBoardPartNewCustomers]);
  additive(BoardMetric::kVisits, p[kBoardPartVisits]);
  additive(BoardMetric::kEffectiveVisits, p[kBoardPartEffectiveVisits]);
  additive(BoardMetric::kWonOpportunities, p[kBoardPartWon]);
  ratio(BoardMetric::kCollectionRate, p[kBoardPartCollected], p[kBoardPartReceivableDue]);
  ratio(BoardMetric::kConversion, p[kBoardPartWon], p[kBoardPartWon] + p[kBoardPartLost]);
  return out;
}

std::vector<std::string> BoardScopes(absl::string_view region, absl::string_view team,
                                     absl::string_view product_line) {
  std::vector<std::string> scopes = {"company"};
  if (!region.empty()) scopes.push_back(absl::StrCat("region:", region));
  if (!team.empty()) scopes.push_back(absl::StrCat("team:", team));
  if (!product_line.empty()) scopes.push_back(absl::StrCat("pl:", product_line));
  return scopes;
}

void BoardCellSum::AddCell(const std::string& tenant, const std::string& period, BoardMetric metric,
                           const std::string& scope, const std::string& member, int64_t amount,
                           int64_t numerator, int64_t denominator) {
  key_.clear();
  AppendKeyField(&key_, tenant);
  AppendKeyField(&key_, period);
  AppendKeyField(&key_, BoardMetricName(metric));
  AppendKeyField(&key_, scope);
  AppendKeyField(&key_, member);
  auto [it, inserted] = index_.try_emplace(key_, cells_.size());
  if (inserted) {
    BoardIncrement inc;
    inc.tenant = tenant;
    inc.period = period;
    inc.metric = metric;
    inc.scope = scope;
    inc.member = member;
    cells_.push_back(std::move(inc));
  }
  BoardIncrement& into = cells_[it->second];
  into.amount += amount;
  into.numerator += numerator;
  into.denominator += denominator;
}

void BoardCellSum::Add(const BoardIncrement& inc) {
  AddCell(inc.tenant, inc.period, inc.metric, inc.scope, inc.member, inc.amount, inc.numerator,
          inc.denominator);
}

void BoardCellSum::Add(const BoardDelta& d) {
  const std::vector<BoardValue> values = BoardValuesOf(d.parts);
  if (values.empty()) return;
  for (const std::string& scope : BoardScopes(d.region, d.team, d.product_line)) {
    for (const BoardValue& v : values) {
      AddCell(d.tenant, d.period, v.metric, scope, d.rep, v.amount, v.numerator, v.denominator);
    }
  }
}

std::vector<BoardIncrement> BoardCellSum::Take() {
  std::vector<BoardIncrement> out;
  out.reserve(cells_.size());
  for (BoardIncrement& inc : cells_) {
    if (inc.amount != 0 || inc.numerator != 0 || inc.denominator != 0) {
      out.push_back(std::move(inc));
    }
  }
  cells_.clear();
  index_.clear();
  return out;
}

std::vector<BoardIncrement> MergeIncrements(std::vector<BoardIncrement> increments) {
  BoardCellSum sum;
  for (const BoardIncrement& inc : increments) sum.Add(inc);
  return sum.Take();
}

}  // namespace attain
