// Board change notifications (ARCHITECTURE.md §9): the ingest relay publishes a
// message on `lb:{<tenant>:<period>}:changed` for every applied outbox row that
// touches that tenant-period, and once per rebuilt tenant-period.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis.h"

namespace attain::eval {

// Tells the listener when a channel's boards may have changed.
class ChangeSource {
 public:
  // Called with a channel name, from a thread of the source, with none of the
  // source's locks held. Also called when a subscription takes effect (also
  // after a reconnect): changes made before then were not seen, so the
  // listener must reload whatever depends on the channel.
  using Listener = std::function<void(const std::string& channel)>;

  virtual ~ChangeSource() = default;
  // Subscriptions are counted: a channel is listened to while Subscribe calls
  // outnumber Unsubscribe calls. Non-blocking; thread-safe.
  virtual void Subscribe(const std::string& channel) = 0;
  virtual void Unsubscribe(const std::string& channel) = 0;
};

// One Redis pub/sub connection for the whole process, on a thread of its own,
// fanned out by the listener. Subscribes and unsubscribes channels as their
// counts change; reconnects with back-off after Redis fails and subscribes
// again (each renewed subscription is reported to the listener).
class RedisChangeSubscriber final : public ChangeSource {
 public:
  struct Options {
    absl::Duration min_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(2);
  };
  // Nothing runs until Start().
  RedisChangeSubscriber(RedisClient::Options redis, Options options, Listener listener);
  ~RedisChangeSubscriber() override;  // Stop()s

  void Start();
  void Stop();  // joins the thread; idempotent

  void Subscribe(const std::string& channel) override;
  void Unsubscribe(const std::string& channel) override;

  // True while connected and every wanted channel's subscription was sent.
  bool connected() const;

 private:
  void Run();
  void Wake();

  const RedisClient::Options redis_;
  const Options options_;
  const Listener listener_;
  int wake_fds_[2] = {-1, -1};  // a pipe: Subscribe/Unsubscribe/Stop wake the thread
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::map<std::string, int> wanted_ ABSL_GUARDED_BY(mu_);  // channel → subscribers
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace attain::eval
