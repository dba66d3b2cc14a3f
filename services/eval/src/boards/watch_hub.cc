#include "services/eval/src/boards/watch_hub.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "common/log.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace attain::eval {
namespace {

// A snapshot's content without its read time, to tell real changes from
// reloads that found the board as it was (e.g. another metric of the same
// tenant-period changed).
std::string ContentOf(const v1::WatchLeaderboardResponse& snapshot) {
  v1::WatchLeaderboardResponse copy = snapshot;
  copy.clear_read_time();
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  copy.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

}  // namespace

WatchHub::WatchHub(ChangeSource& changes, WorkerPool& pool, Options options)
    : changes_(changes), pool_(pool), options_(options) {}

WatchHub::~WatchHub() { Stop(); }

void WatchHub::Start() {
  absl::MutexLock l(&mu_);
  if (timer_thread_.joinable()) return;
  stop_ = false;
  timer_thread_ = std::thread([this] { RunTimers(); });
}

void WatchHub::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    timers_changed_.SignalAll();
  }
  if (timer_thread_.joinable()) timer_thread_.join();
}

void WatchHub::Add(Watcher* watcher, const std::string& feed_key, const std::string& channel,
                   Loader loader) {
  absl::MutexLock l(&mu_);
  if (closed_with_.has_value()) {
    WatcherState& state = watchers_[watcher];
    state.closed = true;
    state.feed = std::make_shared<Feed>();  // a detached feed, for Remove
    state.feed->key = feed_key;
    state.feed->watchers.push_back(watcher);
    state.feed->dropped = true;
    watcher->OnClose(*closed_with_);
    return;
  }
  std::shared_ptr<Feed>& feed = feeds_[feed_key];
  const bool created = feed == nullptr;
  if (created) {
    feed = std::make_shared<Feed>();
    feed->key = feed_key;
    feed->channel = channel;
    feed->loader = std::move(loader);
    feed->retry = options_.min_retry;
    by_channel_.emplace(channel, feed);
    // The subscription's confirmation (OnChange) reloads the feed once more,
    // so a change between the first read and the subscription is not missed.
    changes_.Subscribe(channel);
  }
  std::shared_ptr<Feed> f = feed;  // `feed` refers into feeds_, which may rehash
  WatcherState& state = watchers_[watcher];
  state.feed = f;
  f->watchers.push_back(watcher);
  if (f->latest != nullptr) {
    OfferLocked(watcher, state, f->latest);
  } else if (!f->loading) {
    // A new feed, or one whose first read failed (its watchers were closed):
    // read now for this watcher.
    MarkDirtyLocked(f);
  }
}

void WatchHub::WriteDone(Watcher* watcher) {
  absl::MutexLock l(&mu_);
  auto it = watchers_.find(watcher);
  if (it == watchers_.end()) return;
  it->second.writing = false;
  TrySendLocked(watcher, it->second);
}

void WatchHub::Remove(Watcher* watcher) {
  absl::MutexLock l(&mu_);
  auto it = watchers_.find(watcher);
  if (it == watchers_.end()) return;
  std::shared_ptr<Feed> feed = std::move(it->second.feed);
  watchers_.erase(it);
  feed->watchers.erase(std::remove(feed->watchers.begin(), feed->watchers.end(), watcher),
                       feed->watchers.end());
  if (!feed->watchers.empty()) return;
  if (feed->dropped) return;  // detached (see Add)
  feed->dropped = true;
  feeds_.erase(feed->key);
  auto [first, last] = by_channel_.equal_range(feed->channel);
  for (auto c = first; c != last; ++c) {
    if (c->second == feed) {
      by_channel_.erase(c);
      break;
    }
  }
  changes_.Unsubscribe(feed->channel);
}

void WatchHub::CloseAll(const absl::Status& status) {
  absl::MutexLock l(&mu_);
  closed_with_ = status;
  for (auto& [watcher, state] : watchers_) {
    if (state.closed) continue;
    state.closed = true;
    state.pending.reset();
    watcher->OnClose(status);
  }
}

void WatchHub::OnChange(const std::string& channel) {
  absl::MutexLock l(&mu_);
  auto [first, last] = by_channel_.equal_range(channel);
  for (auto it = first; it != last; ++it) MarkDirtyLocked(it->second);
}

int WatchHub::feeds() const {
  absl::MutexLock l(&mu_);
  return static_cast<int>(feeds_.size());
}

int WatchHub::watchers() const {
  absl::MutexLock l(&mu_);
  return static_cast<int>(watchers_.size());
}

int64_t WatchHub::loads() const {
  absl::MutexLock l(&mu_);
  return loads_;
}

void WatchHub::MarkDirtyLocked(const std::shared_ptr<Feed>& feed) {
  feed->dirty = true;
  // A load in progress reschedules when it is done (LoadDone), so that one
  // feed never has two reads in flight.
  if (!feed->loading) ScheduleFeedLocked(feed);
}

void WatchHub::ScheduleFeedLocked(const std::shared_ptr<Feed>& feed) {
  if (feed->dropped || !feed->dirty || feed->loading) return;
  const absl::Time due =
      std::max({absl::Now(), feed->last_published + options_.min_interval, feed->not_before});
  if (due <= absl::Now()) {
    StartLoadLocked(feed);
  } else if (!feed->timer_set) {
    feed->timer_set = true;
    AddTimerLocked({due, feed, nullptr});
  }
}

void WatchHub::StartLoadLocked(const std::shared_ptr<Feed>& feed) {
  feed->loading = true;
  feed->dirty = false;
  ++loads_;
  absl::Status submitted = pool_.Submit([this, feed] {
    absl::StatusOr<BoardSnapshot> result = feed->loader();
    LoadDone(feed, std::move(result));
  });
  if (!submitted.ok()) {
    // The pool is full (or shutting down): try again a little later.
    feed->loading = false;
    feed->dirty = true;
    feed->not_before = absl::Now() + options_.min_retry;
    ScheduleFeedLocked(feed);
  }
}

void WatchHub::LoadDone(const std::shared_ptr<Feed>& feed, absl::StatusOr<BoardSnapshot> result) {
  absl::MutexLock l(&mu_);
  feed->loading = false;
  if (feed->dropped) return;
  if (result.ok()) {
    feed->retry = options_.min_retry;
    feed->not_before = absl::InfinitePast();
    std::string content = ContentOf(**result);
    if (feed->latest == nullptr || content != feed->latest_content) {
      feed->latest = *std::move(result);
      feed->latest_content = std::move(content);
      feed->last_published = absl::Now();
      for (Watcher* w : feed->watchers) OfferLocked(w, watchers_[w], feed->latest);
    }
  } else if (feed->latest == nullptr) {
    // The first read failed: the watchers have nothing to show; end their
    // streams (the clients retry) rather than leave them waiting silently.
    for (Watcher* w : feed->watchers) {
      WatcherState& state = watchers_[w];
      if (state.closed) continue;
      state.closed = true;
      w->OnClose(result.status());
    }
    feed->dirty = false;
  } else {
    // The watchers keep the last snapshot; retry with back-off.
    LogEvent(LogLevel::kWarn, "watch: board reload failed")
        .Str("feed", feed->key)
        .Str("error", result.status().message());
    feed->dirty = true;
    feed->not_before = absl::Now() + feed->retry;
    feed->retry = std::min(feed->retry * 2, options_.max_retry);
  }
  ScheduleFeedLocked(feed);
}

void WatchHub::OfferLocked(Watcher* watcher, WatcherState& state, const BoardSnapshot& snapshot) {
  if (state.closed) return;
  state.pending = snapshot;  // latest wins over one still waiting
  TrySendLocked(watcher, state);
}

void WatchHub::TrySendLocked(Watcher* watcher, WatcherState& state) {
  if (state.closed || state.writing || state.pending == nullptr) return;
  const absl::Time now = absl::Now();
  const absl::Time allowed = state.last_sent + options_.min_interval;
  if (now < allowed) {
    if (!state.timer_set) {
      state.timer_set = true;
      AddTimerLocked({allowed, nullptr, watcher});
    }
    return;
  }
  state.writing = true;
  state.last_sent = now;
  BoardSnapshot snapshot = std::move(state.pending);
  state.pending.reset();
  watcher->OnSnapshot(std::move(snapshot));
}

void WatchHub::AddTimerLocked(Timer timer) {
  const bool earliest = timers_.empty() || timer.at < timers_.top().at;
  timers_.push(std::move(timer));
  if (earliest) timers_changed_.Signal();
}

void WatchHub::RunTimers() {
  absl::MutexLock l(&mu_);
  while (!stop_) {
    const absl::Time now = absl::Now();
    while (!timers_.empty() && timers_.top().at <= now) {
      Timer t = timers_.top();
      timers_.pop();
      if (t.feed != nullptr) {
        t.feed->timer_set = false;
        ScheduleFeedLocked(t.feed);
      } else if (auto it = watchers_.find(t.watcher); it != watchers_.end()) {
        // A watcher removed meanwhile is not found (or is another watcher at
        // the same address, for which an early TrySend is harmless).
        it->second.timer_set = false;
        TrySendLocked(t.watcher, it->second);
      }
    }
    const absl::Duration wait = timers_.empty() ? absl::Seconds(1) : timers_.top().at - absl::Now();
    if (wait > absl::ZeroDuration()) timers_changed_.WaitWithTimeout(&mu_, wait);
  }
}

}  // namespace attain::eval
