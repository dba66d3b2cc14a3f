#include "services/ingest/src/relay/outbox_relay.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/leaderboard.h"
#include "common/log.h"
#include "common/period.h"
#include "common/status.h"

namespace attain::ingest {
namespace {

// Applies one batch of outbox rows atomically.
//
// KEYS[1]                 lb:applied:<shard>
// KEYS[2 .. 1+nz]         the sorted sets the batch touches
// KEYS[2+nz ..]           the parts hashes of its ratio cells
// ARGV[1], ARGV[2]        the first and last seq of the batch's rows
// ARGV[3]                 nz
// ARGV[4], ARGV[5]        number of cells, number of messages
// then per cell (5 args)  sorted-set key index, parts key index (0: additive),
//                         member, amount or numerator delta, denominator delta
// then per message (2)    channel, payload
//
// Returns {code, applied seq, messages published}: code 1 = applied, 0 = all
// rows were already applied, -1 = the applied seq is missing (rebuild first,
// nothing done), -2 = some but not all rows were already applied (another
// relay got there first; nothing done). Key types are checked before the
// first write, so a wrong-type key fails the script without a partial batch.
constexpr char kApplyScript[] = R"lua(
local applied = tonumber(redis.call('GET', KEYS[1]))
if applied == nil then return {-1, 0, 0} end
local first, last = tonumber(ARGV[1]), tonumber(ARGV[2])
if applied >= last then return {0, applied, 0} end
if applied >= first then return {-2, applied, 0} end
local nz = tonumber(ARGV[3])
for i = 2, #KEYS do
  local t = redis.call('TYPE', KEYS[i])['ok']
  local want = 'hash'
  if i <= nz + 1 then want = 'zset' end
  if t ~= 'none' and t ~= want then
    return redis.error_reply('WRONGTYPE leaderboard key ' .. KEYS[i] .. ' holds a ' .. t ..
                             ', expected a ' .. want)
  end
end
local ncells, nmsgs = tonumber(ARGV[4]), tonumber(ARGV[5])
local p = 6
for c = 1, ncells do
  local zk = KEYS[tonumber(ARGV[p])]
  local pi = tonumber(ARGV[p + 1])
  local member = ARGV[p + 2]
  if pi == 0 then
    local s = redis.call('ZINCRBY', zk, ARGV[p + 3], member)
    if tonumber(s) == 0 then redis.call('ZREM', zk, member) end
  else
    local pk = KEYS[pi]
    local nf, df = member .. ':n', member .. ':d'
    local n = redis.call('HINCRBY', pk, nf, ARGV[p + 3])
    local d = redis.call('HINCRBY', pk, df, ARGV[p + 4])
    if n == 0 and d == 0 then
      redis.call('HDEL', pk, nf, df)
      redis.call('ZREM', zk, member)
    else
      local score = 0
      if d > 0 then score = math.floor(10000 * n / d) end
      redis.call('ZADD', zk, string.format('%.17g', score), member)
    end
  end
  p = p + 5
end
redis.call('SET', KEYS[1], ARGV[2])
for m = 1, nmsgs do
  redis.call('PUBLISH', ARGV[p], ARGV[p + 1])
  p = p + 2
end
return {1, last, nmsgs}
)lua";

// Every board cell of the shard (or, with the filter, of one tenant-period),
// summed from the daily rollups: one row per (tenant, period, scope, rep) with
// the components the board metrics are made of. The period texts are the
// canonical forms of common/period.h; a scope exists only for a non-empty id;
// rows without a rep have no board (as the write pipeline's increments).
constexpr char kBoardsQuery[] = R"sql(
SELECT r.tenant_id, p.period, s.scope, r.rep_id,
       sum(r.sales_amount)::bigint, sum(r.collected_amount)::bigint,
       sum(r.gross_profit)::bigint, sum(r.order_count)::bigint,
       sum(r.new_customers)::bigint, sum(r.visits)::bigint,
       sum(r.effective_visits)::bigint, sum(r.opportunities_won)::bigint,
       sum(r.opportunities_lost)::bigint, sum(r.receivable_due)::bigint
FROM ingest.rollup_daily r
CROSS JOIN LATERAL (VALUES (to_char(r.day, 'IYYY-"W"IW')), (to_char(r.day, 'YYYY-MM')),
                           (to_char(r.day, 'YYYY-"Q"Q')), (to_char(r.day, 'YYYY'))) AS p(period)
CROSS JOIN LATERAL (VALUES ('company'),
                           (CASE WHEN r.region_id <> '' THEN 'region:' || r.region_id END),
                           (CASE WHEN r.team_id <> '' THEN 'team:' || r.team_id END),
                           (CASE WHEN r.product_line_id <> '' THEN 'pl:' || r.product_line_id END))
  AS s(scope)
WHERE s.scope IS NOT NULL AND r.rep_id <> '')sql";
constexpr char kBoardsGroupBy[] = " GROUP BY r.tenant_id, p.period, s.scope, r.rep_id";
constexpr int kBoardsComponentColumn = 4;  // first sum column

// A row of kBoardsQuery.
struct CellRow {
  std::string tenant, period, scope, rep;
  int64_t sales = 0, collected = 0, gross_profit = 0, orders = 0, new_customers = 0, visits = 0,
          effective_visits = 0, won = 0, lost = 0, receivable_due = 0;
};

CellRow ReadCellRow(const pqxx::row& row) {
  CellRow c;
  c.tenant = row[0].as<std::string>();
  c.period = row[1].as<std::string>();
  c.scope = row[2].as<std::string>();
  c.rep = row[3].as<std::string>();
  int64_t* fields[] = {&c.sales,         &c.collected,     &c.gross_profit,     &c.orders,
                       &c.new_customers, &c.visits,        &c.effective_visits, &c.won,
                       &c.lost,          &c.receivable_due};
  for (int i = 0; i < 10; ++i) *fields[i] = row[kBoardsComponentColumn + i].as<int64_t>();
  return c;
}

// The board values of a rollup sum, only those a board holds (see the
// header): the same rule as the incremental path's fan-out.
std::vector<BoardValue> BoardValues(const CellRow& c) {
  BoardParts p{};
  p[kBoardPartSales] = c.sales;
  p[kBoardPartCollected] = c.collected;
  p[kBoardPartGrossProfit] = c.gross_profit;
  p[kBoardPartOrders] = c.orders;
  p[kBoardPartNewCustomers] = c.new_customers;
  p[kBoardPartVisits] = c.visits;
  p[kBoardPartEffectiveVisits] = c.effective_visits;
  p[kBoardPartWon] = c.won;
  p[kBoardPartLost] = c.lost;
  p[kBoardPartReceivableDue] = c.receivable_due;
  return BoardValuesOf(p);
}

// Escapes glob metacharacters for SCAN MATCH.
std::string GlobEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

absl::Status ReplyError(const RedisReply& r, absl::string_view what) {
  return absl::InternalError(absl::StrCat("Redis refused ", what, ": ", r.str));
}

// Sends commands in pipelines of at most `limit`, failing on the first error reply.
class CommandBatch {
 public:
  CommandBatch(RedisClient& redis, int limit) : redis_(redis), limit_(std::max(1, limit)) {}

  absl::Status Add(std::vector<std::string> command) {
    commands_.push_back(std::move(command));
    if (static_cast<int>(commands_.size()) >= limit_) return Flush();
    return absl::OkStatus();
  }

  absl::Status Flush() {
    if (commands_.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_.Pipeline(commands_));
    for (size_t i = 0; i < replies.size(); ++i) {
      if (replies[i].type == RedisReply::Type::kError) {
        return ReplyError(replies[i], absl::StrCat(commands_[i][0], " ", commands_[i][1]));
      }
    }
    commands_.clear();
    return absl::OkStatus();
  }

 private:
  RedisClient& redis_;
  const int limit_;
  std::vector<std::vector<std::string>> commands_;
};

// Iterates SCAN MATCH `pattern`, calling `fn` with each page of keys.
absl::Status ScanKeys(RedisClient& redis, const std::string& pattern,
                      const std::function<absl::Status(const std::vector<std::string>&)>& fn) {
  std::string cursor = "0";
  do {
    ASSIGN_OR_RETURN(RedisReply r,
                     redis.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
    if (r.type == RedisReply::Type::kError) return ReplyError(r, "SCAN");
    if (r.type != RedisReply::Type::kArray || r.elements.size() != 2) {
      return absl::InternalError("Redis answered SCAN with an unexpected reply");
    }
    cursor = r.elements[0].str;
    std::vector<std::string> keys;
    for (const RedisReply& k : r.elements[1].elements) keys.push_back(k.str);
    if (!keys.empty()) RETURN_IF_ERROR(fn(keys));
  } while (cursor != "0");
  return absl::OkStatus();
}

// The version line of an encoding this build does not read ("lb3"), if any.
std::optional<std::string> NewerEncoding(absl::string_view text) {
  absl::string_view first = text.substr(0, text.find('\n'));
  if (first.size() < 3 || first.size() > 8 || !absl::StartsWith(first, "lb") || first == "lb1" ||
      first == "lb2") {
    return std::nullopt;
  }
  for (char c : first.substr(2)) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  return std::string(first);
}

std::string FormatScore(double score) {
  if (score == static_cast<double>(static_cast<int64_t>(score))) {
    return absl::StrCat(static_cast<int64_t>(score));
  }
  return absl::StrCat(score);
}

}  // namespace

const std::string& OutboxRelay::ApplyScript() {
  static const std::string* const kScript = new std::string(kApplyScript);
  return *kScript;
}

OutboxRelay::OutboxRelay(PgPool& pg, RedisClient& redis, Options options)
    : pg_(pg),
      redis_(redis),
      options_(std::move(options)),
      applied_key_(absl::StrCat("lb:applied:", options_.shard)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

OutboxRelay::Stats OutboxRelay::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::StatusOr<std::optional<int64_t>> OutboxRelay::ReadApplied() {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"GET", applied_key_}));
  if (r.type == RedisReply::Type::kError) return ReplyError(r, "GET " + applied_key_);
  if (r.type == RedisReply::Type::kNil) return std::optional<int64_t>();
  int64_t seq = 0;
  if (!absl::SimpleAtoi(r.str, &seq)) {
    // Not written by a relay: as good as missing (the script agrees).
    LogEvent(LogLevel::kWarn, "relay: applied seq is not a number; rebuilding")
        .Str("key", applied_key_)
        .Str("value", r.str.substr(0, 64));
    return std::optional<int64_t>();
  }
  return std::optional<int64_t>(seq);
}

absl::StatusOr<std::vector<OutboxRow>> OutboxRelay::FetchRows(int64_t after, int limit) {
  std::vector<OutboxRow> rows;
  RETURN_IF_ERROR(pg_.InTransaction([&](pqxx::work& tx) -> absl::Status {
    pqxx::result r = tx.exec_params(
        "SELECT seq, increments FROM ingest.outbox WHERE seq > $1 ORDER BY seq LIMIT $2", after,
        limit);
    rows.reserve(r.size());
    for (const auto& row : r) {
      rows.push_back(OutboxRow{row[0].as<int64_t>(), row[1].as<std::string>()});
    }
    return absl::OkStatus();
  }));
  return rows;
}

absl::StatusOr<int64_t> OutboxRelay::EnsureApplied() {
  for (int attempt = 0; attempt < 4; ++attempt) {
    // After a restart or when Redis went back (restored from an older
    // snapshot), check that the rows after the applied seq are still in the
    // outbox. The oldest seq is read before the applied seq: Trim keeps the
    // newest applied row, so a concurrent trim cannot make this check fire.
    const bool check_gap = last_seen_applied_ < 0;
    std::optional<int64_t> oldest;
    if (check_gap) {
      RETURN_IF_ERROR(pg_.InTransaction([&](pqxx::work& tx) -> absl::Status {
        pqxx::row row = tx.exec1("SELECT min(seq) FROM ingest.outbox");
        if (!row[0].is_null()) oldest = row[0].as<int64_t>();
        return absl::OkStatus();
      }));
    }
    ASSIGN_OR_RETURN(std::optional<int64_t> applied, ReadApplied());
    if (!applied.has_value()) {
      RETURN_IF_ERROR(RebuildLocked(/*only_if_missing=*/true));
      continue;
    }
    if (*applied < last_seen_applied_) {
      LogEvent(LogLevel::kWarn, "relay: applied seq went back")
          .Str("key", applied_key_)
          .Int("was", last_seen_applied_)
          .Int("now", *applied);
      last_seen_applied_ = -1;
      continue;
    }
    if (check_gap && oldest.has_value() && *applied < *oldest - 1) {
      LogEvent(LogLevel::kWarn, "relay: rows after the applied seq were trimmed; rebuilding")
          .Str("key", applied_key_)
          .Int("applied", *applied)
          .Int("oldest_in_outbox", *oldest);
      RETURN_IF_ERROR(RebuildLocked(/*only_if_missing=*/false));
      continue;
    }
    last_seen_applied_ = *applied;
    absl::MutexLock lock(&mu_);
    stats_.applied_seq = *applied;
    return *applied;
  }
  return absl::UnavailableError(
      absl::StrCat(applied_key_, " keeps changing under the relay (repeated FLUSHALL?); retry"));
}

absl::StatusOr<int> OutboxRelay::ApplyPending() {
  absl::MutexLock op(&op_mu_);
  int total = 0;
  while (total < options_.max_rows_per_pass) {
    ASSIGN_OR_RETURN(int64_t applied, EnsureApplied());
    const int limit = std::min(options_.fetch_rows, options_.max_rows_per_pass - total);
    ASSIGN_OR_RETURN(std::vector<OutboxRow> rows, FetchRows(applied, std::max(1, limit)));
    if (rows.empty()) break;
    ASSIGN_OR_RETURN(int n, ApplyRowsLocked(rows));
    total += n;
    if (static_cast<int>(rows.size()) < limit) break;
  }
  return total;
}

absl::StatusOr<int> OutboxRelay::ApplyRows(const std::vector<OutboxRow>& rows) {
  absl::MutexLock op(&op_mu_);
  return ApplyRowsLocked(rows);
}

absl::StatusOr<int> OutboxRelay::ApplyRowsLocked(const std::vector<OutboxRow>& rows) {
  std::vector<absl::StatusOr<BoardChanges>> decoded;
  decoded.reserve(rows.size());
  for (const OutboxRow& row : rows) {
    decoded.push_back(DecodeBoardChanges(row.increments));
    if (!decoded.back().ok()) {
      if (std::optional<std::string> version = NewerEncoding(row.increments)) {
        // Written by a newer ingest: wait for a relay that reads it rather than
        // rebuilding past every such row.
        return absl::FailedPreconditionError(absl::StrFormat(
            "outbox row %d is encoded as %s, which this relay cannot read: upgrade it", row.seq,
            *version));
      }
    }
  }

  int applied_rows = 0;
  size_t i = 0;
  while (i < rows.size()) {
    // A batch: consecutive decodable rows, summed per board cell, until the
    // cells reach max_cells_per_script. Rows mostly touch the same cells (a
    // rep's month, quarter and year), so a backlog merges into about as many
    // cells as one row has and the cost of a pass stays bounded however many
    // rows are pending.
    BoardCellSum sum;
    std::vector<std::string> messages;  // channel, payload, …
    size_t j = i;
    while (j < rows.size() && decoded[j].ok()) {
      if (j > i && sum.size() >= static_cast<size_t>(options_.max_cells_per_script)) break;
      std::set<std::pair<std::string, std::string>> periods;  // of this row
      for (const BoardIncrement& inc : decoded[j]->increments) {
        periods.emplace(inc.tenant, inc.period);
        sum.Add(inc);
      }
      for (const BoardDelta& d : decoded[j]->deltas) {
        periods.emplace(d.tenant, d.period);
        sum.Add(d);
      }
      for (const auto& [tenant, period] : periods) {
        messages.push_back(BoardChannel(tenant, period));
        messages.push_back(absl::StrCat(rows[j].seq));
      }
      ++j;
    }
    if (j == i) {
      // rows[i] cannot be decoded. Its increments are in the rollups, which
      // are the truth: rebuild from them, which moves the applied seq past it.
      LogEvent(LogLevel::kError, "relay: cannot decode an outbox row; rebuilding past it")
          .Int("seq", rows[i].seq)
          .Str("error", decoded[i].status().message());
      RETURN_IF_ERROR(RebuildLocked(/*only_if_missing=*/false));
      ++i;
      continue;
    }

    // Keys and cells of the batch: each cell names its keys by position.
    const std::vector<BoardIncrement> merged = sum.Take();
    std::unordered_map<std::string, int> zset_index, parts_index;  // key → position in its kind
    std::vector<std::string> zsets, parts;
    std::vector<std::pair<int, int>> cell_keys;  // per merged cell: zset, parts (-1: none)
    cell_keys.reserve(merged.size());
    for (const BoardIncrement& inc : merged) {
      std::string z = BoardKey(inc.tenant, inc.period, inc.metric, inc.scope);
      auto zi = zset_index.try_emplace(z, static_cast<int>(zsets.size()));
      if (zi.second) zsets.push_back(std::move(z));
      int pi = -1;
      if (IsRatio(inc.metric)) {
        std::string p = BoardPartsKey(inc.tenant, inc.period, inc.metric, inc.scope);
        auto it = parts_index.try_emplace(p, static_cast<int>(parts.size()));
        if (it.second) parts.push_back(std::move(p));
        pi = it.first->second;
      }
      cell_keys.emplace_back(zi.first->second, pi);
    }
    for (const std::string& p : parts) {
      if (zset_index.count(p) > 0) {
        return absl::InternalError(
            absl::StrCat("leaderboard key ", p,
                         " would be both a board and a parts hash: a scope id ends in "
                         "\":parts\""));
      }
    }
    std::vector<std::string> keys;
    keys.reserve(1 + zsets.size() + parts.size());
    keys.push_back(applied_key_);
    keys.insert(keys.end(), zsets.begin(), zsets.end());
    keys.insert(keys.end(), parts.begin(), parts.end());
    const int first_parts_key = 2 + static_cast<int>(zsets.size());
    std::vector<std::string> args = {absl::StrCat(rows[i].seq), absl::StrCat(rows[j - 1].seq),
                                     absl::StrCat(zsets.size()), absl::StrCat(merged.size()),
                                     absl::StrCat(messages.size() / 2)};
    args.reserve(args.size() + 5 * merged.size() + messages.size());
    for (size_t c = 0; c < merged.size(); ++c) {
      const BoardIncrement& inc = merged[c];
      args.push_back(absl::StrCat(2 + cell_keys[c].first));
      if (cell_keys[c].second >= 0) {
        args.push_back(absl::StrCat(first_parts_key + cell_keys[c].second));
        args.push_back(inc.member);
        args.push_back(absl::StrCat(inc.numerator));
        args.push_back(absl::StrCat(inc.denominator));
      } else {
        args.push_back("0");
        args.push_back(inc.member);
        args.push_back(absl::StrCat(inc.amount));
        args.push_back("0");
      }
    }
    args.insert(args.end(), messages.begin(), messages.end());

    ASSIGN_OR_RETURN(RedisReply reply, redis_.Eval(ApplyScript(), keys, args));
    if (reply.type == RedisReply::Type::kError) {
      return ReplyError(reply,
                        absl::StrFormat("the outbox rows %d..%d", rows[i].seq, rows[j - 1].seq));
    }
    if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 3) {
      return absl::InternalError("the relay script returned an unexpected reply");
    }
    const int64_t code = reply.elements[0].integer;
    const int64_t applied = reply.elements[1].integer;
    if (code == 1) {
      applied_rows += static_cast<int>(j - i);
      last_seen_applied_ = applied;
      absl::MutexLock lock(&mu_);
      stats_.applied_seq = applied;
      stats_.rows_applied += static_cast<int64_t>(j - i);
      stats_.scripts += 1;
      stats_.messages_published += reply.elements[2].integer;
      i = j;
    } else if (code == 0) {
      last_seen_applied_ = std::max(last_seen_applied_, applied);
      i = j;
    } else if (code == -2) {
      // Another relay applied a prefix of the batch: retry with the rest.
      last_seen_applied_ = std::max(last_seen_applied_, applied);
      while (i < j && rows[i].seq <= applied) ++i;
    } else if (code == -1) {
      RETURN_IF_ERROR(RebuildLocked(/*only_if_missing=*/true));  // then retry the batch
    } else {
      return absl::InternalError(absl::StrCat("the relay script returned code ", code));
    }
  }
  return applied_rows;
}

absl::Status OutboxRelay::Rebuild() {
  absl::MutexLock op(&op_mu_);
  return RebuildLocked(/*only_if_missing=*/false);
}

absl::Status OutboxRelay::RebuildLocked(bool only_if_missing) {
  const absl::Time start = absl::Now();
  int64_t snapshot_seq = -1;
  int64_t cells = 0;
  bool skipped = false;
  absl::Status status = pg_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    const std::string lock_key = absl::StrCat("attain.ingest.relay.rebuild:", options_.shard);
    {
      pqxx::nontransaction n(conn);
      if (!n.exec_params1("SELECT pg_try_advisory_lock(hashtext($1))", lock_key)[0].as<bool>()) {
        return absl::UnavailableError(absl::StrCat(
            "another relay is rebuilding the leaderboards of shard ", options_.shard, "; retry"));
      }
    }
    absl::Status result = [&]() -> absl::Status {
      try {
        if (only_if_missing) {
          ASSIGN_OR_RETURN(std::optional<int64_t> applied, ReadApplied());
          if (applied.has_value()) {  // another relay rebuilt meanwhile
            skipped = true;
            return absl::OkStatus();
          }
        } else {
          // Relays stop applying until the rebuilt boards are in place.
          ASSIGN_OR_RETURN(RedisReply del, redis_.Command({"DEL", applied_key_}));
          if (del.type == RedisReply::Type::kError) return ReplyError(del, "DEL " + applied_key_);
        }
        // The snapshot starts at its first query: after the applied seq is gone.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn, "relay_rebuild");
        snapshot_seq = tx.exec1("SELECT COALESCE(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();

        RETURN_IF_ERROR(ScanKeys(redis_, "lb:{*", [&](const std::vector<std::string>& keys) {
          std::vector<std::string> unlink = {"UNLINK"};
          unlink.insert(unlink.end(), keys.begin(), keys.end());
          ASSIGN_OR_RETURN(RedisReply r, redis_.Command(unlink));
          if (r.type == RedisReply::Type::kError) return ReplyError(r, "UNLINK");
          return absl::OkStatus();
        }));

        tx.exec0(absl::StrCat("DECLARE relay_rebuild NO SCROLL CURSOR FOR ", kBoardsQuery,
                              kBoardsGroupBy));
        const std::string fetch = absl::StrCat(
            "FETCH FORWARD ", std::max(1, options_.rebuild_fetch_rows), " FROM relay_rebuild");
        CommandBatch batch(redis_, options_.rebuild_pipeline_commands);
        std::set<std::pair<std::string, std::string>> periods;  // (tenant, period) rebuilt
        for (;;) {
          pqxx::result r = tx.exec(fetch);
          if (r.empty()) break;
          for (const auto& row : r) {
            const CellRow c = ReadCellRow(row);
            periods.emplace(c.tenant, c.period);
            for (const BoardValue& v : BoardValues(c)) {
              ++cells;
              const std::string key = BoardKey(c.tenant, c.period, v.metric, c.scope);
              if (!IsRatio(v.metric)) {
                RETURN_IF_ERROR(batch.Add({"ZADD", key, absl::StrCat(v.amount), c.rep}));
                continue;
              }
              RETURN_IF_ERROR(batch.Add(
                  {"HSET", BoardPartsKey(c.tenant, c.period, v.metric, c.scope), c.rep + ":n",
                   absl::StrCat(v.numerator), c.rep + ":d", absl::StrCat(v.denominator)}));
              RETURN_IF_ERROR(batch.Add(
                  {"ZADD", key, absl::StrCat(RatioScore(v.numerator, v.denominator)), c.rep}));
            }
          }
        }
        // Last: relays continue from exactly the snapshot.
        RETURN_IF_ERROR(batch.Add({"SET", applied_key_, absl::StrCat(snapshot_seq)}));
        RETURN_IF_ERROR(batch.Flush());
        // Watchers of a rebuilt board reload it (payload: the snapshot's seq).
        for (const auto& [tenant, period] : periods) {
          RETURN_IF_ERROR(
              batch.Add({"PUBLISH", BoardChannel(tenant, period), absl::StrCat(snapshot_seq)}));
        }
        RETURN_IF_ERROR(batch.Flush());
        tx.commit();
        return absl::OkStatus();
      } catch (const std::exception& e) {
        return StatusFromPqxx(e);
      }
    }();
    // Throws on a lost connection, which the pool then discards (and the
    // server releases the lock with the session).
    pqxx::nontransaction n(conn);
    n.exec_params("SELECT pg_advisory_unlock(hashtext($1))", lock_key);
    return result;
  });
  if (!status.ok()) return Annotate(status, "rebuilding the leaderboards");
  if (skipped) return absl::OkStatus();
  last_seen_applied_ = snapshot_seq;
  {
    absl::MutexLock lock(&mu_);
    stats_.rebuilds += 1;
    stats_.applied_seq = snapshot_seq;
  }
  LogEvent(LogLevel::kInfo, "relay: rebuilt the leaderboards from the rollups")
      .Str("shard", options_.shard)
      .Int("applied_seq", snapshot_seq)
      .Int("cells", cells)
      .Num("seconds", absl::ToDoubleSeconds(absl::Now() - start));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> OutboxRelay::Trim() {
  absl::MutexLock op(&op_mu_);
  return TrimLocked();
}

absl::StatusOr<int64_t> OutboxRelay::TrimLocked() {
  ASSIGN_OR_RETURN(std::optional<int64_t> applied, ReadApplied());
  if (!applied.has_value()) return 0;  // nothing is known to be applied
  // Deletes the rows below the newest row that is both applied and older than
  // the retention (and older than every row within it), in batches.
  static constexpr char kTrim[] = R"sql(
WITH keep AS (
  SELECT max(seq) AS seq FROM ingest.outbox
  WHERE seq <= $1
    AND seq < COALESCE((SELECT min(seq) FROM ingest.outbox
                        WHERE create_time >= now() - $2::bigint * interval '1 microsecond'),
                       9223372036854775807))
DELETE FROM ingest.outbox
WHERE seq < (SELECT seq FROM keep)
  AND seq < (SELECT min(seq) FROM ingest.outbox) + $3)sql";
  const int batch = std::max(1, options_.trim_batch);
  int64_t total = 0;
  for (;;) {
    int64_t deleted = 0;
    RETURN_IF_ERROR(pg_.InTransaction([&](pqxx::work& tx) -> absl::Status {
      deleted =
          tx.exec_params(kTrim, *applied, absl::ToInt64Microseconds(options_.retention), batch)
              .affected_rows();
      return absl::OkStatus();
    }));
    total += deleted;
    if (deleted == 0) break;
  }
  absl::MutexLock lock(&mu_);
  stats_.rows_trimmed += total;
  return total;
}

absl::StatusOr<std::vector<std::string>> OutboxRelay::Verify(absl::string_view tenant,
                                                             absl::string_view period) {
  ASSIGN_OR_RETURN(Period p, Period::Parse(period));
  if (p.kind() != PeriodKind::kWeek && p.kind() != PeriodKind::kMonth &&
      p.kind() != PeriodKind::kQuarter && p.kind() != PeriodKind::kYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("period \"", period,
                     "\" has no leaderboards: they exist for weeks, months, quarters "
                     "and years"));
  }

  // Expected, from the rollups.
  std::map<std::string, std::map<std::string, int64_t>> want_zsets;  // key → member → score
  std::map<std::string, std::map<std::string, int64_t>> want_parts;  // key → field → value
  int64_t max_seq = 0;
  RETURN_IF_ERROR(pg_.InTransaction([&](pqxx::work& tx) -> absl::Status {
    tx.exec0("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    max_seq = tx.exec1("SELECT COALESCE(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();
    pqxx::result r =
        tx.exec_params(absl::StrCat(kBoardsQuery,
                                    " AND r.tenant_id = $1 AND r.day BETWEEN $2::date AND $3::date"
                                    " AND p.period = $4",
                                    kBoardsGroupBy),
                       std::string(tenant), absl::FormatCivilTime(p.first_day()),
                       absl::FormatCivilTime(p.last_day()), std::string(period));
    for (const auto& row : r) {
      const CellRow c = ReadCellRow(row);
      for (const BoardValue& v : BoardValues(c)) {
        const std::string key = BoardKey(c.tenant, c.period, v.metric, c.scope);
        if (!IsRatio(v.metric)) {
          want_zsets[key][c.rep] = v.amount;
          continue;
        }
        want_zsets[key][c.rep] = RatioScore(v.numerator, v.denominator);
        auto& parts = want_parts[BoardPartsKey(c.tenant, c.period, v.metric, c.scope)];
        parts[c.rep + ":n"] = v.numerator;
        parts[c.rep + ":d"] = v.denominator;
      }
    }
    return absl::OkStatus();
  }));

  std::vector<std::string> diffs;
  ASSIGN_OR_RETURN(std::optional<int64_t> applied, ReadApplied());
  if (!applied.has_value()) {
    diffs.push_back(absl::StrCat(applied_key_, " is missing (the boards need a rebuild)"));
  } else if (*applied < max_seq) {
    diffs.push_back(absl::StrFormat("the relay is behind: applied seq %d, outbox max seq %d",
                                    *applied, max_seq));
  }

  // Actual, from Redis.
  std::map<std::string, std::map<std::string, double>> got_zsets;
  std::map<std::string, std::map<std::string, std::string>> got_parts;
  const std::string prefix = absl::StrCat("lb:{", tenant, ":", period, "}:");
  RETURN_IF_ERROR(
      ScanKeys(redis_, GlobEscape(prefix) + "*", [&](const std::vector<std::string>& keys) {
        for (const std::string& key : keys) {
          ASSIGN_OR_RETURN(RedisReply type, redis_.Command({"TYPE", key}));
          if (type.str == "zset") {
            ASSIGN_OR_RETURN(RedisReply r,
                             redis_.Command({"ZRANGE", key, "0", "-1", "WITHSCORES"}));
            auto& members = got_zsets[key];
            for (size_t k = 0; k + 1 < r.elements.size(); k += 2) {
              double score = 0;
              if (!absl::SimpleAtod(r.elements[k + 1].str, &score)) {
                score = std::numeric_limits<double>::quiet_NaN();
              }
              members[r.elements[k].str] = score;
            }
          } else if (type.str == "hash") {
            ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"HGETALL", key}));
            auto& fields = got_parts[key];
            for (size_t k = 0; k + 1 < r.elements.size(); k += 2) {
              fields[r.elements[k].str] = r.elements[k + 1].str;
            }
          } else if (type.type != RedisReply::Type::kError && type.str != "none") {
            diffs.push_back(absl::StrCat(key, ": is a ", type.str, ", not a board"));
          }
        }
        return absl::OkStatus();
      }));

  for (const auto& [key, want] : want_zsets) {
    auto it = got_zsets.find(key);
    if (it == got_zsets.end()) {
      diffs.push_back(
          absl::StrFormat("%s: missing in Redis (%d members in the rollups)", key, want.size()));
      continue;
    }
    for (const auto& [member, score] : want) {
      auto m = it->second.find(member);
      if (m == it->second.end()) {
        diffs.push_back(absl::StrFormat("%s: member %s missing in Redis (%d in the rollups)", key,
                                        member, score));
      } else if (m->second != static_cast<double>(score)) {
        diffs.push_back(absl::StrFormat("%s: member %s is %s in Redis, %d in the rollups", key,
                                        member, FormatScore(m->second), score));
      }
    }
    for (const auto& [member, score] : it->second) {
      if (want.count(member) == 0) {
        diffs.push_back(absl::StrFormat("%s: member %s is %s in Redis, absent from the rollups",
                                        key, member, FormatScore(score)));
      }
    }
  }
  for (const auto& [key, got] : got_zsets) {
    if (want_zsets.count(key) == 0) {
      diffs.push_back(
          absl::StrFormat("%s: in Redis (%d members), absent from the rollups", key, got.size()));
    }
  }
  for (const auto& [key, want] : want_parts) {
    auto it = got_parts.find(key);
    if (it == got_parts.end()) {
      diffs.push_back(absl::StrCat(key, ": missing in Redis"));
      continue;
    }
    for (const auto& [field, value] : want) {
      auto f = it->second.find(field);
      if (f == it->second.end()) {
        diffs.push_back(absl::StrFormat("%s: field %s missing in Redis (%d in the rollups)", key,
                                        field, value));
      } else if (f->second != absl::StrCat(value)) {
        diffs.push_back(absl::StrFormat("%s: field %s is %s in Redis, %d in the rollups", key,
                                        field, f->second, value));
      }
    }
    for (const auto& [field, value] : it->second) {
      if (want.count(field) == 0) {
        diffs.push_back(absl::StrFormat("%s: field %s is %s in Redis, absent from the rollups", key,
                                        field, value));
      }
    }
  }
  for (const auto& [key, got] : got_parts) {
    if (want_parts.count(key) == 0) {
      diffs.push_back(absl::StrCat(key, ": in Redis, absent from the rollups"));
    }
  }
  return diffs;
}

void OutboxRelay::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void OutboxRelay::Run() {
  absl::Duration backoff = options_.min_backoff;
  absl::Time next_trim = absl::Now() + options_.trim_interval;
  bool failing = false;
  for (;;) {
    absl::Duration wait = options_.poll_interval;
    absl::StatusOr<int> applied = ApplyPending();
    absl::Status status = applied.status();
    if (applied.ok()) {
      if (*applied >= options_.max_rows_per_pass) wait = absl::ZeroDuration();  // more pending
      if (absl::Now() >= next_trim) {
        absl::StatusOr<int64_t> trimmed = Trim();
        if (!trimmed.ok()) status = trimmed.status();
        next_trim = absl::Now() + options_.trim_interval;
      }
    }
    if (!status.ok()) {
      if (!failing) {  // one line per outage, not one per retry
        LogEvent(LogLevel::kWarn, "relay: failing; retrying with back-off")
            .Str("shard", options_.shard)
            .Str("error", status.ToString());
      }
      failing = true;
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      if (failing) {
        LogEvent(LogLevel::kInfo, "relay: recovered").Str("shard", options_.shard);
      }
      failing = false;
      backoff = options_.min_backoff;
    }
    absl::MutexLock lock(&mu_);
    stats_.last_error = status;
    if (mu_.AwaitWithTimeout(absl::Condition(&stop_), wait)) return;
  }
}

}  // namespace attain::ingest
