#include "services/eval/src/api/leaderboard_service.h"

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/leaderboard.h"
#include "common/log.h"
#include "common/page.h"
#include "common/period.h"
#include "common/status.h"
#include "services/eval/src/domain/scoring.h"

namespace attain::eval {
namespace {

// attain.type.v1.Metric numbers of the metrics with live boards.
struct BoardMetricNumber {
  int number;
  BoardMetric metric;
};
constexpr BoardMetricNumber kBoardMetrics[] = {
    {1, BoardMetric::kSales},              // METRIC_SALES_AMOUNT
    {2, BoardMetric::kOrders},             // METRIC_ORDER_COUNT
    {4, BoardMetric::kGrossProfit},        // METRIC_GROSS_PROFIT
    {6, BoardMetric::kCollected},          // METRIC_COLLECTED_AMOUNT
    {7, BoardMetric::kCollectionRate},     // METRIC_COLLECTION_RATE
    {9, BoardMetric::kNewCustomers},       // METRIC_NEW_CUSTOMERS
    {12, BoardMetric::kVisits},            // METRIC_VISITS
    {13, BoardMetric::kEffectiveVisits},   // METRIC_EFFECTIVE_VISITS
    {14, BoardMetric::kWonOpportunities},  // METRIC_OPPORTUNITIES_WON
    {15, BoardMetric::kConversion},        // METRIC_OPPORTUNITY_CONVERSION_RATE
};

// A validated board of a request, with what its targets are looked up by.
struct ResolvedBoard {
  BoardRef ref;
  int metric_number = 0;
  std::string product_line;  // the targets' product line: "" = all product lines
};

absl::Status CheckId(absl::string_view field, const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is empty: name it"));
  if (id.size() > 128) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is longer than 128 bytes"));
  }
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7F) {
      return absl::InvalidArgumentError(absl::StrCat(field, " contains a control character"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedBoard> Resolve(const Principal& p, const v1::Board& b) {
  ResolvedBoard out;
  out.ref.tenant = p.tenant;
  if (b.period().empty()) {
    return absl::InvalidArgumentError(
        "board.period is empty: give a week, month, quarter or year, e.g. \"2025-Q1\"");
  }
  absl::StatusOr<Period> period = Period::Parse(b.period());
  if (!period.ok()) return Annotate(period.status(), "board.period");
  if (period->kind() != PeriodKind::kWeek && period->kind() != PeriodKind::kMonth &&
      period->kind() != PeriodKind::kQuarter && period->kind() != PeriodKind::kYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("board.period \"", b.period(), "\" is a ", PeriodKindName(period->kind()),
                     ": boards are kept for weeks, months, quarters and years"));
  }
  out.ref.period = period->ToString();
  const BoardMetricNumber* found = nullptr;
  for (const BoardMetricNumber& m : kBoardMetrics) {
    if (m.number == b.metric()) found = &m;
  }
  if (found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "board.metric ", type::v1::Metric_Name(b.metric()),
        " has no leaderboard: use SALES_AMOUNT, COLLECTED_AMOUNT, GROSS_PROFIT, ORDER_COUNT, "
        "NEW_CUSTOMERS, VISITS, EFFECTIVE_VISITS, OPPORTUNITIES_WON, COLLECTION_RATE or "
        "OPPORTUNITY_CONVERSION_RATE"));
  }
  out.ref.metric = found->metric;
  out.metric_number = found->number;
  switch (b.scope_kind()) {
    case v1::BOARD_SCOPE_KIND_COMPANY:
      if (!b.scope_id().empty()) {
        return absl::InvalidArgumentError(
            "board.scope_id must be empty for BOARD_SCOPE_KIND_COMPANY");
      }
      out.ref.scope = "company";
      break;
    case v1::BOARD_SCOPE_KIND_REGION:
      RETURN_IF_ERROR(CheckId("board.scope_id (the region)", b.scope_id()));
      out.ref.scope = absl::StrCat("region:", b.scope_id());
      break;
    case v1::BOARD_SCOPE_KIND_TEAM:
      RETURN_IF_ERROR(CheckId("board.scope_id (the team)", b.scope_id()));
      out.ref.scope = absl::StrCat("team:", b.scope_id());
      break;
    case v1::BOARD_SCOPE_KIND_PRODUCT_LINE:
      RETURN_IF_ERROR(CheckId("board.scope_id (the product line)", b.scope_id()));
      out.ref.scope = absl::StrCat("pl:", b.scope_id());
      out.product_line = b.scope_id();
      break;
    default:
      return absl::InvalidArgumentError(
          "board.scope_kind is not set: use COMPANY, REGION, TEAM or PRODUCT_LINE");
  }
  return out;
}

// Whose targets the caller may see (as the target service decides for
// ListTargets): every rep's, a manager's subtree's, or a rep's own.
struct TargetView {
  enum class Kind { kAll, kSubtree, kSelf };
  Kind kind = Kind::kAll;
  std::string id;  // the manager's unit or the rep
};

TargetView ViewOf(const Principal& p) {
  if (p.role == Role::kManager) return {TargetView::Kind::kSubtree, p.scope};
  if (p.role == Role::kRep) return {TargetView::Kind::kSelf, p.subject};
  return {TargetView::Kind::kAll, ""};
}

// The targets rows are decorated with; `map` is null when none could be had.
struct RowTargets {
  TargetView view;
  std::shared_ptr<const RepTargets> map;
  bool unavailable = false;
};

RowTargets LoadTargets(TargetLookup& lookup, const ResolvedBoard& board, const TargetView& view) {
  RowTargets out;
  out.view = view;
  TargetQuery q;
  q.tenant = board.ref.tenant;
  q.period = board.ref.period;
  q.metric = board.metric_number;
  q.product_line = board.product_line;
  // Reps see their own target only; fetching the tenant's list (shared by
  // every caller of the board) costs no more than fetching one rep's.
  if (view.kind == TargetView::Kind::kSubtree) q.under_unit = view.id;
  absl::StatusOr<std::shared_ptr<const RepTargets>> map = lookup.Find(q);
  if (map.ok()) {
    out.map = *std::move(map);
  } else {
    out.unavailable = true;
    LogEvent(LogLevel::kWarn, "leaderboard: targets unavailable")
        .Str("tenant", board.ref.tenant)
        .Str("error", map.status().message());
  }
  return out;
}

// The scorecards' attainment (domain/scoring.h: value / target in basis
// points, rounded half up), so a board row and a scorecard never disagree.
// Every board metric is higher-is-better. nullopt without a ratio.
std::optional<int64_t> AttainmentBp(int64_t value, int64_t target) {
  absl::StatusOr<Attainment> a = ComputeAttainment(target, value, /*lower_is_better=*/false);
  if (!a.ok()) return std::nullopt;
  return a->shown_bp;
}

void FillRow(const BoardEntry& e, const RowTargets& targets, v1::LeaderboardRow* row) {
  row->set_rank(e.rank);
  row->set_rep_id(e.rep_id);
  row->set_value(e.value);
  if (targets.map == nullptr) return;
  if (targets.view.kind == TargetView::Kind::kSelf && e.rep_id != targets.view.id) return;
  auto it = targets.map->find(e.rep_id);
  if (it == targets.map->end()) return;
  row->set_target_value(it->second);
  if (std::optional<int64_t> bp = AttainmentBp(e.value, it->second); bp.has_value()) {
    row->set_attainment_bp(*bp);
  }
}

void SetNow(google::protobuf::Timestamp* ts) {
  const absl::Time now = absl::Now();
  const int64_t nanos = absl::ToUnixNanos(now);
  ts->set_seconds(nanos / 1000000000);
  ts->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

// The snapshot of a watched board's top `top` rows.
absl::StatusOr<BoardSnapshot> ReadSnapshot(BoardStore& boards, TargetLookup& lookup,
                                           const ResolvedBoard& board, int top,
                                           const TargetView& view) {
  ASSIGN_OR_RETURN(BoardRange range, boards.Range(board.ref, 0, top));
  auto snapshot = std::make_shared<v1::WatchLeaderboardResponse>();
  SetNow(snapshot->mutable_read_time());
  snapshot->set_total_reps(range.total);
  RowTargets targets;
  if (!range.entries.empty()) targets = LoadTargets(lookup, board, view);
  snapshot->set_targets_unavailable(targets.unavailable);
  for (const BoardEntry& e : range.entries) FillRow(e, targets, snapshot->add_rows());
  return BoardSnapshot(std::move(snapshot));
}

// Runs `read` on `live`; when that is UNAVAILABLE (Redis unreachable or
// silent for its timeout) and `allow_rollups`, on `rollups` instead. Sets
// `*source` to where the answer came from. Other errors of `live` are
// returned as they are: only an unreachable board is worth the slower read.
template <typename T>
absl::StatusOr<T> ReadBoard(BoardStore& live, BoardStore* rollups, const BoardRef& board,
                            bool allow_rollups,
                            const std::function<absl::StatusOr<T>(BoardStore&)>& read,
                            v1::BoardSource* source) {
  *source = v1::BOARD_SOURCE_LIVE;
  absl::StatusOr<T> got = read(live);
  if (got.ok() || !allow_rollups || !absl::IsUnavailable(got.status())) return got;
  if (rollups == nullptr) {
    return Annotate(got.status(),
                    "the live board could not be read (this server cannot read "
                    "the rollups instead)");
  }
  absl::StatusOr<T> fallback = read(*rollups);
  if (!fallback.ok()) {
    const absl::StatusCode code = absl::IsUnavailable(fallback.status())
                                      ? absl::StatusCode::kUnavailable
                                      : fallback.status().code();
    return absl::Status(code,
                        absl::StrCat("the live board could not be read (", got.status().message(),
                                     ") and the rollups could not be read instead (",
                                     fallback.status().message(), "); retry later"));
  }
  *source = v1::BOARD_SOURCE_ROLLUPS;
  LogEvent(LogLevel::kWarn, "leaderboard: read from the rollups")
      .Str("tenant", board.tenant)
      .Str("board", BoardKey(board.tenant, board.period, board.metric, board.scope))
      .Str("live_error", got.status().message());
  return fallback;
}

// A GetLeaderboard request's page context: without the page fields, and
// without allow_rollups, since a page starts at the same rank in either source.
std::string LeaderboardPageContext(const v1::GetLeaderboardRequest& req) {
  v1::GetLeaderboardRequest copy = req;
  copy.clear_allow_rollups();
  return PageContext(copy);
}

constexpr char kGetLeaderboard[] = "attain.eval.v1.LeaderboardService/GetLeaderboard";
constexpr char kGetRank[] = "attain.eval.v1.LeaderboardService/GetRank";
constexpr char kWatchLeaderboard[] = "attain.eval.v1.LeaderboardService/WatchLeaderboard";

}  // namespace

RoleSet LeaderboardReaders() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kManager,
          Role::kRep,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kFinance,
          Role::kHr,
          Role::kService};
}

grpc::ServerUnaryReactor* LeaderboardServiceImpl::GetLeaderboard(
    grpc::CallbackServerContext* ctx, const v1::GetLeaderboardRequest* req,
    v1::GetLeaderboardResponse* resp) {
  return ServeUnary(
      ctx, env_, kGetLeaderboard, LeaderboardReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(ResolvedBoard board, Resolve(p, req->board()));
        ASSIGN_OR_RETURN(int size,
                         ResolvePageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
        ASSIGN_OR_RETURN(std::string after,
                         DecodePageToken(req->page_token(), LeaderboardPageContext(*req)));
        // A page token holds the position (0-based) the page starts at.
        int64_t start = 0;
        if (!after.empty() && (!absl::SimpleAtoi(after, &start) || start < 0)) {
          return absl::InvalidArgumentError("page_token is not one this server made");
        }
        v1::BoardSource source = v1::BOARD_SOURCE_UNSPECIFIED;
        ASSIGN_OR_RETURN(
            BoardRange range,
            ReadBoard<BoardRange>(
                boards_, rollups_, board.ref, req->allow_rollups(),
                [&](BoardStore& store) { return store.Range(board.ref, start, size); }, &source));
        SetNow(resp->mutable_read_time());
        resp->set_source(source);
        resp->set_total_reps(range.total);
        RowTargets targets;
        if (!range.entries.empty()) targets = LoadTargets(targets_, board, ViewOf(p));
        resp->set_targets_unavailable(targets.unavailable);
        for (const BoardEntry& e : range.entries) FillRow(e, targets, resp->add_rows());
        const int64_t next = start + static_cast<int64_t>(range.entries.size());
        if (static_cast<int>(range.entries.size()) == size && next < range.total) {
          resp->set_next_page_token(
              EncodePageToken(absl::StrCat(next), LeaderboardPageContext(*req)));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* LeaderboardServiceImpl::GetRank(grpc::CallbackServerContext* ctx,
                                                          const v1::GetRankRequest* req,
                                                          v1::GetRankResponse* resp) {
  return ServeUnary(
      ctx, env_, kGetRank, LeaderboardReaders(),
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(ResolvedBoard board, Resolve(p, req->board()));
        std::string rep_id = req->rep_id();
        if (rep_id.empty()) {
          if (p.role != Role::kRep) {
            return absl::InvalidArgumentError(
                "rep_id is empty: name the rep (only a rep's own token may leave it empty)");
          }
          rep_id = p.subject;
        }
        RETURN_IF_ERROR(CheckId("rep_id", rep_id));
        if (req->neighbours() < 0) {
          return absl::InvalidArgumentError("neighbours is negative: give 0..20");
        }
        const int neighbours = std::min(req->neighbours(), kMaxNeighbours);
        v1::BoardSource source = v1::BOARD_SOURCE_UNSPECIFIED;
        ASSIGN_OR_RETURN(std::optional<BoardNeighbourhood> hood,
                         ReadBoard<std::optional<BoardNeighbourhood>>(
                             boards_, rollups_, board.ref, req->allow_rollups(),
                             [&](BoardStore& store) {
                               return store.Neighbourhood(board.ref, rep_id, neighbours);
                             },
                             &source));
        if (!hood.has_value()) {
          return absl::NotFoundError(
              absl::StrCat("rep \"", rep_id, "\" is not on the ", req->board().period(), " board (",
                           board.ref.scope, "): nothing has been counted for them yet"));
        }
        SetNow(resp->mutable_read_time());
        resp->set_source(source);
        resp->set_total_reps(hood->total);
        const RowTargets targets = LoadTargets(targets_, board, ViewOf(p));
        resp->set_targets_unavailable(targets.unavailable);
        FillRow(hood->rep, targets, resp->mutable_row());
        for (const BoardEntry& e : hood->above) FillRow(e, targets, resp->add_above());
        for (const BoardEntry& e : hood->below) FillRow(e, targets, resp->add_below());
        if (hood->next_up.has_value()) {
          resp->set_gap_to_next(hood->next_up->value - hood->rep.value);
        }
        return absl::OkStatus();
      });
}

// One WatchLeaderboard call: registered with the hub, which hands it
// snapshots; writes one at a time and holds no thread while idle.
//
// Lock order: the hub calls OnSnapshot/OnClose with its lock held, and they
// take mu_; so this class never calls the hub while holding mu_.
class LeaderboardServiceImpl::WatchReactor final
    : public grpc::ServerWriteReactor<v1::WatchLeaderboardResponse>,
      public WatchHub::Watcher {
 public:
  WatchReactor(grpc::CallbackServerContext* ctx, LeaderboardServiceImpl& service,
               const v1::WatchLeaderboardRequest& req)
      : hub_(service.hub_), slots_(service.watch_slots_), start_(absl::Now()) {
    absl::StatusOr<Principal> p = Authenticate(*ctx, *service.env_.verifier);
    absl::Status st = p.status();
    if (p.ok()) {
      tenant_ = p->tenant;
      st = CheckRole(*p, LeaderboardReaders(), kWatchLeaderboard);
    }
    absl::StatusOr<ResolvedBoard> board =
        st.ok() ? Resolve(*p, req.board()) : absl::StatusOr<ResolvedBoard>(st);
    int top = req.top_n() == 0 ? kDefaultWatchTop : std::min(req.top_n(), kMaxWatchTop);
    if (board.ok() && req.top_n() < 0) {
      board = absl::InvalidArgumentError("top_n is negative: give 1..100, or 0 for 20");
    }
    if (board.ok()) {
      if (absl::Status taken = slots_.TryAcquire(); !taken.ok()) {
        board = taken;
      } else {
        holds_slot_ = true;
      }
    }
    if (!board.ok()) {
      absl::MutexLock l(&mu_);
      FailLocked(board.status());
      return;
    }
    const TargetView view = ViewOf(*p);
    // Watchers of the same board, size and target view share one feed.
    const char sep = '\0';
    const std::string key =
        absl::StrCat(board->ref.tenant, std::string(1, sep), board->ref.period, std::string(1, sep),
                     BoardMetricName(board->ref.metric), std::string(1, sep), board->ref.scope,
                     std::string(1, sep), top, std::string(1, sep), static_cast<int>(view.kind),
                     std::string(1, sep), view.id);
    BoardStore* boards = &service.boards_;
    TargetLookup* lookup = &service.targets_;
    registered_ = true;
    hub_.Add(this, key, BoardChannel(board->ref.tenant, board->ref.period),
             [boards, lookup, b = *board, top, view]() {
               return ReadSnapshot(*boards, *lookup, b, top, view);
             });
  }

  void OnSnapshot(BoardSnapshot snapshot) override {
    absl::MutexLock l(&mu_);
    if (failed_ || finished_) return;
    current_ = std::move(snapshot);  // kept alive until the write is done
    writing_ = true;
    StartWrite(current_.get());
  }

  void OnClose(const absl::Status& status) override {
    absl::MutexLock l(&mu_);
    FailLocked(status);
  }

  void OnWriteDone(bool ok) override {
    bool more;
    {
      absl::MutexLock l(&mu_);
      writing_ = false;
      current_.reset();
      if (!ok) FailLocked(absl::CancelledError("the client stopped receiving snapshots"));
      MaybeFinishLocked();
      more = !failed_;
    }
    if (more) hub_.WriteDone(this);
  }

  void OnCancel() override {
    absl::MutexLock l(&mu_);
    FailLocked(absl::CancelledError("the stream was cancelled by the client"));
  }

  void OnDone() override {
    if (registered_) hub_.Remove(this);
    if (holds_slot_) slots_.Release();
    LogRpc(kWatchLeaderboard, final_status_, absl::Now() - start_, tenant_);
    delete this;
  }

 private:
  // A watch ends only with an error (the client's cancel included): records
  // the first and finishes once no write is in flight.
  void FailLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!failed_) {
      failed_ = true;
      final_status_ = status;
    }
    MaybeFinishLocked();
  }

  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !failed_ || writing_) return;
    finished_ = true;
    Finish(ToGrpcStatus(final_status_));
  }

  WatchHub& hub_;
  StreamSlots& slots_;
  const absl::Time start_;
  std::string tenant_;
  bool registered_ = false;  // written in the constructor only
  bool holds_slot_ = false;  // written in the constructor only
  absl::Mutex mu_;
  BoardSnapshot current_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status final_status_;  // written under mu_ before Finish; read in OnDone
};

grpc::ServerWriteReactor<v1::WatchLeaderboardResponse>* LeaderboardServiceImpl::WatchLeaderboard(
    grpc::CallbackServerContext* ctx, const v1::WatchLeaderboardRequest* req) {
  return new WatchReactor(ctx, *this, *req);
}

void LeaderboardServiceImpl::CloseWatches() {
  hub_.CloseAll(absl::UnavailableError("the server is shutting down: watch again to reconnect"));
}

}  // namespace attain::eval
