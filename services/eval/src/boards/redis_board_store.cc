#include "services/eval/src/boards/redis_board_store.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace attain::eval {
namespace {

// KEYS[1] board; ARGV[1], ARGV[2] first and last position (0-based, inclusive).
// Returns {board size, {member, score, member, score, ...}}.
constexpr char kRangeScript[] = R"lua(
local n = redis.call('ZCARD', KEYS[1])
return {n, redis.call('ZREVRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')}
)lua";

// KEYS[1] board; ARGV[1] member; ARGV[2] neighbours.
// Returns {board size, member's position or -1, position of the first entry
// returned, {member, score, ...}}: the entries from max(neighbours, 1) above
// the member (one above at least, for the gap to the next place) to
// `neighbours` below.
constexpr char kNeighbourhoodScript[] = R"lua(
local n = redis.call('ZCARD', KEYS[1])
local r = redis.call('ZREVRANK', KEYS[1], ARGV[1])
if not r then return {n, -1, 0, {}} end
local k = tonumber(ARGV[2])
local up = k
if up < 1 then up = 1 end
local from = r - up
if from < 0 then from = 0 end
return {n, r, from, redis.call('ZREVRANGE', KEYS[1], from, r + k, 'WITHSCORES')}
)lua";

absl::Status Unexpected(const BoardRef& board, absl::string_view what) {
  return absl::InternalError(
      absl::StrCat("leaderboard ", BoardKey(board.tenant, board.period, board.metric, board.scope),
                   " in Redis: ", what));
}

absl::StatusOr<RedisReply> Run(RedisClient& redis, const std::string& script, const BoardRef& board,
                               std::vector<std::string> args) {
  absl::StatusOr<RedisReply> reply = redis.Eval(
      script, {BoardKey(board.tenant, board.period, board.metric, board.scope)}, std::move(args));
  if (!reply.ok()) return reply.status();
  if (reply->type == RedisReply::Type::kError) return Unexpected(board, reply->str);
  if (reply->type != RedisReply::Type::kArray) return Unexpected(board, "unexpected reply");
  return reply;
}

// Scores are integers below 2^53 (outbox_relay.h), written with %.17g, so the
// double is exact and rounding only removes the representation.
absl::StatusOr<int64_t> ParseScore(const BoardRef& board, const std::string& text) {
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(d)) {
    return Unexpected(board, absl::StrCat("score \"", text, "\" is not a number"));
  }
  return static_cast<int64_t>(std::llround(d));
}

// Appends the entries of a WITHSCORES array whose first element is at
// position `first` (0-based).
absl::Status AppendEntries(const BoardRef& board, const RedisReply& pairs, int64_t first,
                           std::vector<BoardEntry>* out) {
  if (pairs.type != RedisReply::Type::kArray || pairs.elements.size() % 2 != 0) {
    return Unexpected(board, "range reply is not member/score pairs");
  }
  for (size_t i = 0; i + 1 < pairs.elements.size(); i += 2) {
    BoardEntry e;
    e.rank = first + static_cast<int64_t>(i / 2) + 1;
    e.rep_id = pairs.elements[i].str;
    absl::StatusOr<int64_t> value = ParseScore(board, pairs.elements[i + 1].str);
    if (!value.ok()) return value.status();
    e.value = *value;
    out->push_back(std::move(e));
  }
  return absl::OkStatus();
}

}  // namespace

RedisBoardStore::RedisBoardStore(const RedisClient::Options& options, int connections) {
  if (connections < 1) connections = 1;
  for (int i = 0; i < connections; ++i) clients_.push_back(std::make_unique<RedisClient>(options));
}

RedisClient& RedisBoardStore::Next() {
  return *clients_[next_.fetch_add(1, std::memory_order_relaxed) % clients_.size()];
}

absl::StatusOr<BoardRange> RedisBoardStore::Range(const BoardRef& board, int64_t start, int count) {
  BoardRange out;
  if (count < 1) return out;
  absl::StatusOr<RedisReply> reply =
      Run(Next(), kRangeScript, board, {absl::StrCat(start), absl::StrCat(start + count - 1)});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) return Unexpected(board, "range reply has the wrong shape");
  out.total = reply->elements[0].integer;
  if (absl::Status st = AppendEntries(board, reply->elements[1], start, &out.entries); !st.ok()) {
    return st;
  }
  return out;
}

absl::StatusOr<std::optional<BoardNeighbourhood>> RedisBoardStore::Neighbourhood(
    const BoardRef& board, const std::string& rep_id, int neighbours) {
  absl::StatusOr<RedisReply> reply =
      Run(Next(), kNeighbourhoodScript, board, {rep_id, absl::StrCat(neighbours)});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 4) return Unexpected(board, "rank reply has the wrong shape");
  const int64_t position = reply->elements[1].integer;
  if (position < 0) return std::optional<BoardNeighbourhood>();
  const int64_t first = reply->elements[2].integer;
  std::vector<BoardEntry> entries;
  if (absl::Status st = AppendEntries(board, reply->elements[3], first, &entries); !st.ok()) {
    return st;
  }
  BoardNeighbourhood out;
  out.total = reply->elements[0].integer;
  bool found = false;
  for (BoardEntry& e : entries) {
    const int64_t pos = e.rank - 1;
    if (pos == position) {
      out.rep = e;
      found = true;
    } else if (pos == position - 1) {
      out.next_up = e;
    }
    if (pos < position && position - pos <= neighbours) out.above.push_back(e);
    if (pos > position) out.below.push_back(std::move(e));
  }
  if (!found) return Unexpected(board, "the rep's entry is missing from its range");
  return std::optional<BoardNeighbourhood>(std::move(out));
}

}  // namespace attain::eval
