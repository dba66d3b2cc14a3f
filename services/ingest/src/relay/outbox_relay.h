// The leaderboard relay (ARCHITECTURE.md §8, §9): applies the ingest outbox to
// the Redis leaderboards in seq order, exactly once, and rebuilds the boards
// from the daily rollups when Redis has lost them.
//
// Exactly once: a Lua script applies a batch of outbox rows and records the last
// applied seq in `lb:applied:<shard>` in the same atomic step, and does nothing
// for rows at or below the recorded seq. A crash anywhere (relay or Redis) thus
// neither loses nor repeats an increment; a relay restarts from what Redis
// says it has applied, not from memory.
//
// Board contents (the same for the incremental and the rebuilt path, so that
// Verify can compare them): an additive board holds a member while its sum is
// not 0; a ratio board holds a member while its numerator or denominator is not
// 0, with score floor(10000 * numerator / denominator) (0 while the denominator
// is <= 0) and the parts "<member>:n"/"<member>:d" in the parts hash. Scores are
// exact while |10000 * numerator| and the sums stay below 2^53.
//
// A shard owns every `lb:{…}` key of its Redis database: Rebuild deletes them all.
// The script touches keys of many tenant-periods at once, so it needs a single
// Redis (or one Redis Cluster slot per shard), not a cluster spread of boards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"

namespace attain::ingest {

// One row of ingest.outbox.
struct OutboxRow {
  int64_t seq = 0;
  std::string increments;  // attain::EncodeBoardDeltas (or the older EncodeIncrements)
};

class OutboxRelay {
 public:
  struct Options {
    std::string shard = "0";  // names lb:applied:<shard>
    // Outbox rows read per query, and at most per ApplyPending call.
    int fetch_rows = 500;
    int max_rows_per_pass = 10000;
    // Board cells (after merging a batch's rows) per script call: a script
    // takes whole rows until their merged cells reach this, so it holds at
    // most this plus one row's cells. Bounds the time Redis spends in one
    // script (about 2 µs a cell); large enough that a backlog of rows merges
    // into one script instead of paying for every row's cells.
    int max_cells_per_script = 20000;
    // Idle wait between polls of the outbox, and the back-off (doubling from
    // min to max) while PostgreSQL or Redis fails.
    absl::Duration poll_interval = absl::Milliseconds(20);
    absl::Duration min_backoff = absl::Milliseconds(50);
    absl::Duration max_backoff = absl::Seconds(2);
    // Applied rows older than `retention` are deleted every `trim_interval`,
    // `trim_batch` rows per statement.
    absl::Duration retention = absl::Minutes(10);
    absl::Duration trim_interval = absl::Seconds(10);
    int trim_batch = 10000;
    // Rebuild: rows fetched per cursor step and commands per Redis pipeline.
    int rebuild_fetch_rows = 5000;
    int rebuild_pipeline_commands = 2000;
  };

  struct Stats {
    int64_t applied_seq = -1;  // last seen in Redis; -1 before the first pass
    int64_t rows_applied = 0;  // rows this relay applied (skipped ones not counted)
    int64_t scripts = 0;       // script calls that applied rows
    int64_t messages_published = 0;
    int64_t rebuilds = 0;
    int64_t rows_trimmed = 0;
    absl::Status last_error;  // of the Run loop's latest pass
  };

  // `pg` needs the ingest schema migrated. Nothing runs until Start() or a call.
  OutboxRelay(PgPool& pg, RedisClient& redis, Options options);
  ~OutboxRelay();  // Stop()s

  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Applies the outbox rows after the applied seq, in seq order, up to
  // max_rows_per_pass; returns how many were applied. First rebuilds the boards
  // when `lb:applied:<shard>` is missing, or when Redis went back to a seq whose
  // following rows have been trimmed (e.g. restored from an old snapshot). A
  // row that cannot be decoded is skipped by rebuilding past it (the rollups
  // are the truth). UNAVAILABLE when Redis or PostgreSQL is unreachable; the
  // rows stay in the outbox for the next call.
  absl::StatusOr<int> ApplyPending();

  // Applies `rows` (seq ascending) as ApplyPending does: rows at or below the
  // applied seq are skipped. Exposed for tests and repair tools.
  absl::StatusOr<int> ApplyRows(const std::vector<OutboxRow>& rows);

  // Recomputes every board of the shard from ingest.rollup_daily in one
  // REPEATABLE READ snapshot, replaces all boards in Redis and then sets the
  // applied seq to the snapshot's max outbox seq, so that relays continue from
  // exactly there. Serialised between relays by a PostgreSQL advisory lock
  // (UNAVAILABLE if another relay holds it). Relays apply nothing meanwhile;
  // afterwards one message (payload: the snapshot's seq) goes to the channel
  // of every rebuilt tenant-period, so that watchers reload.
  absl::Status Rebuild();

  // Deletes applied outbox rows older than `retention` (keeping the newest
  // applied row, so that a later regression of the applied seq is detected).
  // Returns the number deleted.
  absl::StatusOr<int64_t> Trim();

  // Recomputes the boards of one tenant-period ("2025-W03", "2025-01",
  // "2025-Q1" or "2025") from the rollups and compares them with Redis: returns
  // one line per difference (missing, extra or different board, member, score
  // or part; and the applied seq if the relay is behind). Empty when they agree.
  // Meaningful once the relay has caught up.
  absl::StatusOr<std::vector<std::string>> Verify(absl::string_view tenant,
                                                  absl::string_view period);

  // Runs ApplyPending on a thread of its own, polling every poll_interval,
  // backing off while it fails and trimming every trim_interval. Stop() wakes
  // it and joins. Start after Stop is allowed.
  void Start();
  void Stop();

  Stats stats() const;

  // The Lua script that applies a batch (see outbox_relay.cc for its arguments).
  static const std::string& ApplyScript();

 private:
  // Reads the applied seq, rebuilding first when it is missing or has gone
  // back past trimmed rows.
  absl::StatusOr<int64_t> EnsureApplied() ABSL_EXCLUSIVE_LOCKS_REQUIRED(op_mu_);
  absl::StatusOr<std::vector<OutboxRow>> FetchRows(int64_t after, int limit);
  absl::StatusOr<int> ApplyRowsLocked(const std::vector<OutboxRow>& rows)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(op_mu_);
  // Rebuild; when `only_if_missing`, returns at once if another relay has set
  // the applied seq meanwhile.
  absl::Status RebuildLocked(bool only_if_missing) ABSL_EXCLUSIVE_LOCKS_REQUIRED(op_mu_);
  absl::StatusOr<int64_t> TrimLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(op_mu_);
  absl::StatusOr<std::optional<int64_t>> ReadApplied();
  void Run();

  PgPool& pg_;
  RedisClient& redis_;
  const Options options_;
  const std::string applied_key_;

  // Serialises this relay's operations (the Run thread and direct calls).
  absl::Mutex op_mu_;
  // The applied seq last seen (-1: none yet), to notice Redis going back.
  int64_t last_seen_applied_ ABSL_GUARDED_BY(op_mu_) = -1;

  mutable absl::Mutex mu_;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started/joined by Start/Stop only
};

}  // namespace attain::ingest
