#include "services/eval/src/boards/rollup_board_store.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status.h"

namespace attain::eval {
namespace {

namespace iv1 = ::attain::ingest::v1;

constexpr char kIngest[] = "the ingest service (attain-ingest)";

BoardParts PartsOf(const iv1::Components& c) {
  BoardParts p{};
  p[kBoardPartSales] = c.sales_amount();
  p[kBoardPartCollected] = c.collected_amount();
  p[kBoardPartGrossProfit] = c.gross_profit();
  p[kBoardPartOrders] = c.order_count();
  p[kBoardPartNewCustomers] = c.new_customers();
  p[kBoardPartVisits] = c.visits();
  p[kBoardPartEffectiveVisits] = c.effective_visits();
  p[kBoardPartWon] = c.opportunities_won();
  p[kBoardPartLost] = c.opportunities_lost();
  p[kBoardPartReceivableDue] = c.receivable_due();
  return p;
}

iv1::GroupBy ToGroupBy(RollupQuery::GroupBy g) {
  switch (g) {
    case RollupQuery::GroupBy::kRep:
      return iv1::GROUP_BY_REP;
    case RollupQuery::GroupBy::kTeam:
      return iv1::GROUP_BY_TEAM;
    case RollupQuery::GroupBy::kRegion:
      return iv1::GROUP_BY_REGION;
  }
  return iv1::GROUP_BY_REP;
}

// Board order: value descending, then rep id descending in byte order.
bool Before(const BoardEntry& a, const BoardEntry& b) {
  if (a.value != b.value) return a.value > b.value;
  return a.rep_id > b.rep_id;  // std::string compares bytes as unsigned char
}

}  // namespace

GrpcRollupSource::GrpcRollupSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                                   const Clock* clock, absl::Duration deadline)
    : stub_(iv1::IngestQueryService::NewStub(std::move(channel))),
      tokens_(std::move(signing_key), "attain-eval", clock),
      deadline_(deadline) {}

absl::StatusOr<std::vector<RollupGroup>> GrpcRollupSource::Sums(const RollupQuery& query) {
  ASSIGN_OR_RETURN(std::string token, tokens_.For(query.tenant));
  iv1::GetActualsRequest req;
  req.set_period(query.period);
  if (!query.unit.empty()) {
    req.mutable_scope()->set_kind(type::v1::SCOPE_KIND_UNIT);
    req.mutable_scope()->set_id(query.unit);
  }
  req.set_group_by(ToGroupBy(query.group_by));
  req.set_product_line_id(query.product_line);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  iv1::GetActualsResponse resp;
  grpc::Status st = stub_->GetActuals(&ctx, req, &resp);
  if (!st.ok()) {
    switch (st.error_code()) {
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::DEADLINE_EXCEEDED:
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        return absl::UnavailableError(
            absl::StrCat(kIngest, " did not answer GetActuals (", st.error_message(), ")"));
      case grpc::StatusCode::INVALID_ARGUMENT:
        return absl::InvalidArgumentError(st.error_message());
      default:  // a refused service token, a bug: nothing the caller can fix
        return absl::InternalError(
            absl::StrCat(kIngest, " refused GetActuals: ", st.error_message()));
    }
  }
  std::vector<RollupGroup> out;
  out.reserve(resp.rows_size());
  for (const iv1::ActualsRow& row : resp.rows()) {
    out.push_back(RollupGroup{row.group_key(), PartsOf(row.components())});
  }
  return out;
}

std::optional<int64_t> BoardValueOf(BoardMetric metric, const BoardParts& parts) {
  // BoardValuesOf holds the relay's rules: which metric is made of which
  // parts, and which values a board holds.
  for (const BoardValue& v : BoardValuesOf(parts)) {
    if (v.metric != metric) continue;
    return IsRatio(metric) ? RatioScore(v.numerator, v.denominator) : v.amount;
  }
  return std::nullopt;
}

std::vector<BoardEntry> RankEntries(std::vector<BoardEntry> entries) {
  std::sort(entries.begin(), entries.end(), Before);
  for (size_t i = 0; i < entries.size(); ++i) entries[i].rank = static_cast<int64_t>(i) + 1;
  return entries;
}

BoardRange RangeOf(const std::vector<BoardEntry>& ranked, int64_t start, int count) {
  BoardRange out;
  out.total = static_cast<int64_t>(ranked.size());
  if (count < 1 || start < 0 || start >= out.total) return out;
  const int64_t end = std::min(out.total, start + count);
  out.entries.assign(ranked.begin() + start, ranked.begin() + end);
  return out;
}

std::optional<BoardNeighbourhood> NeighbourhoodOf(const std::vector<BoardEntry>& ranked,
                                                  const std::string& rep_id, int neighbours) {
  auto it = std::find_if(ranked.begin(), ranked.end(),
                         [&](const BoardEntry& e) { return e.rep_id == rep_id; });
  if (it == ranked.end()) return std::nullopt;
  const int64_t position = it - ranked.begin();
  const int64_t total = static_cast<int64_t>(ranked.size());
  const int64_t k = std::max(neighbours, 0);
  BoardNeighbourhood out;
  out.total = total;
  out.rep = *it;
  if (position > 0) out.next_up = ranked[position - 1];
  for (int64_t p = std::max<int64_t>(0, position - k); p < position; ++p) {
    out.above.push_back(ranked[p]);
  }
  for (int64_t p = position + 1; p < std::min(total, position + 1 + k); ++p) {
    out.below.push_back(ranked[p]);
  }
  return out;
}

absl::StatusOr<std::vector<BoardEntry>> RollupBoardStore::Compute(const BoardRef& board) {
  RollupQuery query;
  query.tenant = board.tenant;
  query.period = board.period;
  // A region or team board: the unit's rows must all be the board's (see the header).
  std::optional<RollupQuery::GroupBy> check;
  if (board.scope == "company") {
    // every row
  } else if (absl::StartsWith(board.scope, "pl:")) {
    query.product_line = board.scope.substr(3);
  } else if (absl::StartsWith(board.scope, "team:")) {
    query.unit = board.scope.substr(5);
    check = RollupQuery::GroupBy::kTeam;
  } else if (absl::StartsWith(board.scope, "region:")) {
    query.unit = board.scope.substr(7);
    check = RollupQuery::GroupBy::kRegion;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("board scope \"", board.scope, "\" is not one the rollups know"));
  }
  if (check.has_value()) {
    RollupQuery by_kind = query;
    by_kind.group_by = *check;
    ASSIGN_OR_RETURN(std::vector<RollupGroup> groups, source_.Sums(by_kind));
    const bool any_in = std::any_of(groups.begin(), groups.end(),
                                    [&](const RollupGroup& g) { return g.key == query.unit; });
    const bool any_out = std::any_of(groups.begin(), groups.end(),
                                     [&](const RollupGroup& g) { return g.key != query.unit; });
    if (!any_in) return std::vector<BoardEntry>();  // a unit of the other kind
    if (any_out) {
      return absl::UnavailableError(absl::StrCat(
          "the rollups cannot give board ", board.scope, " exactly: unit ", query.unit,
          " also holds rows whose ", *check == RollupQuery::GroupBy::kTeam ? "team" : "region",
          " is another unit"));
    }
  }
  query.group_by = RollupQuery::GroupBy::kRep;
  ASSIGN_OR_RETURN(std::vector<RollupGroup> reps, source_.Sums(query));
  std::vector<BoardEntry> entries;
  entries.reserve(reps.size());
  for (const RollupGroup& g : reps) {
    if (g.key.empty()) continue;  // rows without a rep are on no board
    std::optional<int64_t> value = BoardValueOf(board.metric, g.parts);
    if (!value.has_value()) continue;
    BoardEntry e;
    e.rep_id = g.key;
    e.value = *value;
    entries.push_back(std::move(e));
  }
  return RankEntries(std::move(entries));
}

absl::StatusOr<BoardRange> RollupBoardStore::Range(const BoardRef& board, int64_t start,
                                                   int count) {
  ASSIGN_OR_RETURN(std::vector<BoardEntry> ranked, Compute(board));
  return RangeOf(ranked, start, count);
}

absl::StatusOr<std::optional<BoardNeighbourhood>> RollupBoardStore::Neighbourhood(
    const BoardRef& board, const std::string& rep_id, int neighbours) {
  ASSIGN_OR_RETURN(std::vector<BoardEntry> ranked, Compute(board));
  return NeighbourhoodOf(ranked, rep_id, neighbours);
}

}  // namespace attain::eval
