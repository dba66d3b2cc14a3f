// Fan-out of board snapshots to WatchLeaderboard streams (ARCHITECTURE.md §1,
// §9). Watchers of the same view of a board share one *feed*: one change
// subscription per channel for the process, one read per change burst per
// feed, whatever the number of watchers.
//
// Pacing: a feed reloads when its channel reports a change, at most once per
// `min_interval` (bursts coalesce into one reload); a snapshot equal in content
// to the previous one is not sent. Each watcher is sent at most one snapshot
// per `min_interval`, and at most one at a time: while its previous write is
// in flight, newer snapshots replace the one waiting (latest wins), so a slow
// client receives fewer snapshots and never holds up the others.
//
// Threads: the hub runs one timer thread; reloads run on the WorkerPool. No
// thread is held per watcher.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "attain/eval/v1/leaderboard_service.pb.h"
#include "common/worker_pool.h"
#include "services/eval/src/boards/change_subscriber.h"

namespace attain::eval {

using BoardSnapshot = std::shared_ptr<const v1::WatchLeaderboardResponse>;

class WatchHub {
 public:
  struct Options {
    absl::Duration min_interval = absl::Milliseconds(100);
    // Back-off of a feed's reloads while they fail (after its first success).
    absl::Duration min_retry = absl::Milliseconds(200);
    absl::Duration max_retry = absl::Seconds(2);
  };

  // Receives a feed's snapshots. The hub calls these with its lock held: they
  // must not block or call the hub. After Remove(watcher) returns, the hub
  // calls it no more.
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // Send `snapshot`; call WriteDone once it is written (or failed).
    virtual void OnSnapshot(BoardSnapshot snapshot) = 0;
    // The feed's first read failed, or CloseAll: end the stream with `status`.
    virtual void OnClose(const absl::Status& status) = 0;
  };

  // Reads a feed's snapshot (blocking; runs on the pool).
  using Loader = std::function<absl::StatusOr<BoardSnapshot>()>;

  // `changes` must call OnChange for its channels (see ChangeSource::Listener).
  WatchHub(ChangeSource& changes, WorkerPool& pool, Options options);
  ~WatchHub();  // Stop()s

  void Start();
  void Stop();  // joins the timer thread; idempotent

  // Adds `watcher` to the feed `feed_key` (created with `loader`, listening on
  // `channel`, if new). The watcher receives the feed's current snapshot at
  // once if it has one, else after the first read.
  void Add(Watcher* watcher, const std::string& feed_key, const std::string& channel,
           Loader loader);
  // The watcher's last OnSnapshot write has completed.
  void WriteDone(Watcher* watcher);
  // Forgets the watcher (no-op if unknown). Feeds without watchers are dropped.
  void Remove(Watcher* watcher);
  // Closes every watcher with `status`, and those added later (server shutdown).
  void CloseAll(const absl::Status& status);

  // The listener for the ChangeSource.
  void OnChange(const std::string& channel);

  // For tests and metrics.
  int feeds() const;
  int watchers() const;
  int64_t loads() const;

 private:
  struct Feed;
  struct WatcherState {
    std::shared_ptr<Feed> feed;
    BoardSnapshot pending;  // waiting to be sent
    bool writing = false;
    bool closed = false;
    absl::Time last_sent = absl::InfinitePast();
    bool timer_set = false;
  };
  struct Feed {
    std::string key;
    std::string channel;
    Loader loader;
    std::vector<Watcher*> watchers;
    BoardSnapshot latest;
    std::string latest_content;  // latest without read_time, serialized
    bool dirty = false;
    bool loading = false;
    bool timer_set = false;
    absl::Time not_before = absl::InfinitePast();  // retry back-off
    absl::Time last_published = absl::InfinitePast();
    absl::Duration retry;
    bool dropped = false;
  };
  struct Timer {
    absl::Time at;
    std::shared_ptr<Feed> feed;  // a feed's reload, or …
    Watcher* watcher = nullptr;  // … a watcher's delayed send
    bool operator>(const Timer& o) const { return at > o.at; }
  };

  void MarkDirtyLocked(const std::shared_ptr<Feed>& feed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleFeedLocked(const std::shared_ptr<Feed>& feed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StartLoadLocked(const std::shared_ptr<Feed>& feed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LoadDone(const std::shared_ptr<Feed>& feed, absl::StatusOr<BoardSnapshot> result);
  void OfferLocked(Watcher* watcher, WatcherState& state, const BoardSnapshot& snapshot)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TrySendLocked(Watcher* watcher, WatcherState& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddTimerLocked(Timer timer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunTimers();

  ChangeSource& changes_;
  WorkerPool& pool_;
  const Options options_;
  std::thread timer_thread_;

  mutable absl::Mutex mu_;
  absl::CondVar timers_changed_;
  absl::flat_hash_map<std::string, std::shared_ptr<Feed>> feeds_ ABSL_GUARDED_BY(mu_);
  std::multimap<std::string, std::shared_ptr<Feed>> by_channel_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Watcher*, WatcherState> watchers_ ABSL_GUARDED_BY(mu_);
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // Set by CloseAll: watchers added later are closed at once.
  std::optional<absl::Status> closed_with_ ABSL_GUARDED_BY(mu_);
  int64_t loads_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace attain::eval
