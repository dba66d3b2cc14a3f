// `attainctl leaderboard …`: a live board as a table (LeaderboardService),
// a rep's place with neighbours, and `--watch`, which redraws the table in
// the terminal each time the service streams a change (WatchLeaderboard).
// `--allow-rollups` lets show and rank answer from ingest's rollups while
// Redis is down; the title says where the answer came from.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

namespace ev1 = ::attain::eval::v1;

// --period, --metric and --scope into a Board; "" on success, else the problem.
std::string ParseBoard(const Args& args, ev1::Board* board) {
  if (!args.Has("period")) return "--period is required, e.g. --period 2025-02";
  board->set_period(args.Get("period"));
  absl::StatusOr<Metric> metric = ParseMetric(args.Get("metric", "sales_amount"));
  if (!metric.ok()) return std::string(metric.status().message());
  board->set_metric(*metric);
  const std::string scope = args.Get("scope", "company");
  if (scope == "company") {
    board->set_scope_kind(ev1::BOARD_SCOPE_KIND_COMPANY);
    return "";
  }
  std::pair<std::string, std::string> kind_id = absl::StrSplit(scope, absl::MaxSplits(':', 1));
  if (kind_id.second.empty()) {
    return absl::StrCat("--scope \"", scope,
                        "\": give company, region:ID, team:ID or product-line:ID");
  }
  if (kind_id.first == "region") {
    board->set_scope_kind(ev1::BOARD_SCOPE_KIND_REGION);
  } else if (kind_id.first == "team") {
    board->set_scope_kind(ev1::BOARD_SCOPE_KIND_TEAM);
  } else if (kind_id.first == "product-line") {
    board->set_scope_kind(ev1::BOARD_SCOPE_KIND_PRODUCT_LINE);
  } else {
    return absl::StrCat("--scope \"", scope,
                        "\": give company, region:ID, team:ID or product-line:ID");
  }
  board->set_scope_id(kind_id.second);
  return "";
}

// "--top N" / "--neighbours N" as a non-negative number; -1 when malformed.
int CountFlag(const Args& args, const char* flag, int fallback) {
  if (!args.Has(flag)) return fallback;
  int n = 0;
  if (!absl::SimpleAtoi(args.Get(flag), &n) || n < 0) return -1;
  return n;
}

std::string Percent(int64_t bp) {
  return absl::StrFormat("%s%d.%02d %%", bp < 0 ? "-" : "", (bp < 0 ? -bp : bp) / 100,
                         (bp < 0 ? -bp : bp) % 100);
}

void AddRow(Table& table, Metric metric, const ev1::LeaderboardRow& row, bool mark) {
  table.AddRow({absl::StrCat(mark ? "> " : "", row.rank()), row.rep_id(),
                FormatMetricValue(metric, row.value()),
                row.has_target_value() ? FormatMetricValue(metric, row.target_value()) : "",
                row.has_attainment_bp() ? Percent(row.attainment_bp()) : ""});
}

Table RowsTable() {
  Table table({"rank", "rep", "value", "target", "attainment"});
  table.AlignRight(0);
  table.AlignRight(2);
  table.AlignRight(3);
  table.AlignRight(4);
  return table;
}

// Where an answer came from, for the title; "" when the service did not say.
std::string SourceText(ev1::BoardSource source) {
  switch (source) {
    case ev1::BOARD_SOURCE_LIVE:
      return " · live";
    case ev1::BOARD_SOURCE_ROLLUPS:
      return " · from the rollups (the live board could not be read)";
    default:
      return "";
  }
}

std::string Title(const ev1::Board& board, int64_t total_reps,
                  ev1::BoardSource source = ev1::BOARD_SOURCE_UNSPECIFIED) {
  return absl::StrCat(MetricName(board.metric()), " · ", board.period(), " · ",
                      board.scope_id().empty() ? "company" : board.scope_id(), " · ", total_reps,
                      " reps", SourceText(source));
}

// Reports a failed read; when the live board could not be read and the
// rollups were not allowed, says how to read them instead.
int FailRead(const Invocation& inv, const grpc::Status& st) {
  const int code = inv.client.Fail(st);
  if (st.error_code() == grpc::StatusCode::UNAVAILABLE && !inv.args.Has("allow-rollups") &&
      absl::StrContains(st.error_message(), "Redis")) {
    std::cerr << "hint: the live board (Redis) could not be read: --allow-rollups computes the "
                 "board from ingest's rollups instead\n"
              << std::flush;
  }
  return code;
}

// Streams the board until interrupted, the service ends the stream, or
// `updates` (> 0) boards have been printed.
int RunWatch(const Invocation& inv, const ev1::Board& board, int top, int updates) {
  Client& client = inv.client;
  ev1::WatchLeaderboardRequest req;
  *req.mutable_board() = board;
  req.set_top_n(top);
  // No deadline: a watch runs until interrupted or the service ends it.
  std::unique_ptr<grpc::ClientContext> context = client.NewContext();
  context->set_deadline(std::chrono::system_clock::time_point::max());
  std::unique_ptr<grpc::ClientReader<ev1::WatchLeaderboardResponse>> reader =
      client.leaderboards().WatchLeaderboard(context.get(), req);
  const bool tty = isatty(STDOUT_FILENO) != 0;
  ev1::WatchLeaderboardResponse update;
  int printed = 0;
  while ((updates == 0 || printed < updates) && reader->Read(&update)) {
    ++printed;
    if (client.json()) {
      PrintJson(update);  // one JSON document per update
      std::cout.flush();
      continue;
    }
    if (tty) std::cout << "\x1b[H\x1b[2J";  // home and clear: redraw in place
    std::cout << Title(board, update.total_reps()) << "  (updated "
              << FormatTimestamp(update.read_time()) << ")\n";
    Table table = RowsTable();
    for (const ev1::LeaderboardRow& row : update.rows()) AddRow(table, board.metric(), row, false);
    table.Print();
    if (update.targets_unavailable()) std::cout << "(targets unavailable)\n";
    std::cout.flush();
  }
  if (updates > 0 && printed == updates) {
    context->TryCancel();  // enough: end the stream from this side
    (void)reader->Finish();
    return kExitOk;
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return client.Fail(st);
  return kExitOk;
}

int RunShow(const Invocation& inv) {
  ev1::Board board;
  if (std::string problem = ParseBoard(inv.args, &board); !problem.empty()) {
    return inv.UsageError(problem);
  }
  const int top = CountFlag(inv.args, "top", 20);
  if (top < 0) return inv.UsageError("--top takes a number of rows >= 0");
  const int updates = CountFlag(inv.args, "updates", 0);
  if (updates < 0) return inv.UsageError("--updates takes a number of boards >= 0");
  if (inv.args.Has("watch")) {
    if (inv.args.Has("allow-rollups")) {
      return inv.UsageError("--allow-rollups is for a single read: a watch needs the live board");
    }
    return RunWatch(inv, board, top, updates);
  }
  Client& client = inv.client;
  ev1::GetLeaderboardRequest req;
  *req.mutable_board() = board;
  req.set_page_size(top);
  req.set_allow_rollups(inv.args.Has("allow-rollups"));
  ev1::GetLeaderboardResponse resp;
  grpc::Status st = client.Call(&ev1::LeaderboardService::Stub::GetLeaderboard, req, &resp);
  if (!st.ok()) return FailRead(inv, st);
  if (client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  std::cout << Title(board, resp.total_reps(), resp.source()) << "\n";
  Table table = RowsTable();
  for (const ev1::LeaderboardRow& row : resp.rows()) AddRow(table, board.metric(), row, false);
  table.Print();
  if (resp.targets_unavailable()) std::cout << "(targets unavailable)\n";
  return kExitOk;
}

int RunRank(const Invocation& inv) {
  ev1::Board board;
  if (std::string problem = ParseBoard(inv.args, &board); !problem.empty()) {
    return inv.UsageError(problem);
  }
  const int neighbours = CountFlag(inv.args, "neighbours", 2);
  if (neighbours < 0) return inv.UsageError("--neighbours takes a number >= 0");
  Client& client = inv.client;
  ev1::GetRankRequest req;
  *req.mutable_board() = board;
  req.set_rep_id(inv.args.positional()[0]);
  req.set_neighbours(neighbours);
  req.set_allow_rollups(inv.args.Has("allow-rollups"));
  ev1::GetRankResponse resp;
  grpc::Status st = client.Call(&ev1::LeaderboardService::Stub::GetRank, req, &resp);
  if (!st.ok()) return FailRead(inv, st);
  if (client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  std::cout << Title(board, resp.total_reps(), resp.source()) << "\n";
  Table table = RowsTable();
  for (const ev1::LeaderboardRow& row : resp.above()) AddRow(table, board.metric(), row, false);
  AddRow(table, board.metric(), resp.row(), true);
  for (const ev1::LeaderboardRow& row : resp.below()) AddRow(table, board.metric(), row, false);
  table.Print();
  if (resp.has_gap_to_next()) {
    std::cout << "gap to the next place: " << FormatMetricValue(board.metric(), resp.gap_to_next())
              << "\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> LeaderboardCommands() {
  return {
      {"leaderboard show",
       "--period P [--metric NAME] [--scope company|region:ID|team:ID|product-line:ID] "
       "[--top N] [--allow-rollups | --watch [--updates N]]",
       "shows the top of a live board (default: sales_amount, company, top 20); "
       "--allow-rollups computes it from ingest's rollups if Redis cannot be read (the title "
       "says which); --watch redraws it as it changes until interrupted (or after N boards "
       "with --updates)",
       {"period", "metric", "scope", "top", "updates"},
       {"watch", "allow-rollups"},
       0,
       0,
       RunShow},
      {"leaderboard rank",
       "REP --period P [--metric NAME] [--scope …] [--neighbours N] [--allow-rollups]",
       "shows a rep's place on a board with N neighbours above and below (default 2) and the "
       "gap to the next place; --allow-rollups computes the board from ingest's rollups if "
       "Redis cannot be read (the title says which)",
       {"period", "metric", "scope", "neighbours"},
       {"allow-rollups"},
       1,
       1,
       RunRank},
  };
}

}  // namespace attain::ctl
