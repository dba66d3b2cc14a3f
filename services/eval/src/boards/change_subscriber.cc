#include "services/eval/src/boards/change_subscriber.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "common/log.h"

namespace attain::eval {
namespace {

constexpr int kIdlePollMs = 1000;  // bounds how long a lost wake-up could delay anything

void DrainPipe(int fd) {
  char buf[64];
  while (read(fd, buf, sizeof(buf)) > 0) {
  }
}

// Waits until `fd` is readable or `timeout` passes.
void WaitReadable(int fd, absl::Duration timeout) {
  pollfd p{fd, POLLIN, 0};
  poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

}  // namespace

RedisChangeSubscriber::RedisChangeSubscriber(RedisClient::Options redis, Options options,
                                             Listener listener)
    : redis_(std::move(redis)), options_(options), listener_(std::move(listener)) {
  if (pipe2(wake_fds_, O_NONBLOCK | O_CLOEXEC) != 0) {
    wake_fds_[0] = wake_fds_[1] = -1;  // Wake() then does nothing; polls still time out
  }
}

RedisChangeSubscriber::~RedisChangeSubscriber() {
  Stop();
  for (int fd : wake_fds_) {
    if (fd >= 0) close(fd);
  }
}

void RedisChangeSubscriber::Start() {
  absl::MutexLock l(&mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void RedisChangeSubscriber::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
}

void RedisChangeSubscriber::Wake() {
  if (wake_fds_[1] < 0) return;
  const char c = 1;
  // A full pipe already holds a wake-up; nothing else can go wrong worth handling.
  [[maybe_unused]] ssize_t n = write(wake_fds_[1], &c, 1);
}

void RedisChangeSubscriber::Subscribe(const std::string& channel) {
  bool changed;
  {
    absl::MutexLock l(&mu_);
    changed = ++wanted_[channel] == 1;
  }
  if (changed) Wake();
}

void RedisChangeSubscriber::Unsubscribe(const std::string& channel) {
  bool changed = false;
  {
    absl::MutexLock l(&mu_);
    auto it = wanted_.find(channel);
    if (it != wanted_.end() && --it->second <= 0) {
      wanted_.erase(it);
      changed = true;
    }
  }
  if (changed) Wake();
}

bool RedisChangeSubscriber::connected() const {
  absl::MutexLock l(&mu_);
  return connected_;
}

void RedisChangeSubscriber::Run() {
  // The thread only talks to Redis: a write to a closed socket must be an
  // error, not a SIGPIPE that kills the process. A SIGPIPE raised here stays
  // pending on this thread, harmlessly.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  redisContext* ctx = nullptr;
  std::set<std::string> subscribed;  // channels whose SUBSCRIBE was sent on ctx
  absl::Duration backoff = options_.min_backoff;
  auto disconnect = [&](const char* why) {
    if (ctx != nullptr) {
      LogEvent(LogLevel::kWarn, "board changes: Redis connection lost")
          .Str("error", ctx->err != 0 ? ctx->errstr : why);
      redisFree(ctx);
      ctx = nullptr;
    }
    subscribed.clear();
    absl::MutexLock l(&mu_);
    connected_ = false;
  };

  while (true) {
    std::vector<std::string> to_subscribe, to_unsubscribe;
    {
      absl::MutexLock l(&mu_);
      if (stop_) break;
      if (ctx != nullptr) {
        for (const auto& [channel, count] : wanted_) {
          if (subscribed.count(channel) == 0) to_subscribe.push_back(channel);
        }
        for (const std::string& channel : subscribed) {
          if (wanted_.count(channel) == 0) to_unsubscribe.push_back(channel);
        }
      }
    }
    if (ctx == nullptr) {
      ctx = redisConnectWithTimeout(redis_.host.c_str(), redis_.port,
                                    absl::ToTimeval(redis_.connect_timeout));
      if (ctx == nullptr || ctx->err != 0) {
        LogEvent(LogLevel::kWarn, "board changes: cannot connect to Redis")
            .Str("error", ctx != nullptr ? ctx->errstr : "out of memory")
            .Num("retry_ms", absl::ToDoubleMilliseconds(backoff));
        if (ctx != nullptr) redisFree(ctx);
        ctx = nullptr;
        WaitReadable(wake_fds_[0], backoff);
        DrainPipe(wake_fds_[0]);
        backoff = std::min(backoff * 2, options_.max_backoff);
        continue;
      }
      redisEnableKeepAlive(ctx);
      backoff = options_.min_backoff;
      continue;  // the next pass subscribes every wanted channel
    }

    // Pub/sub channels are global to the server (not per database): no SELECT.
    for (const std::string& channel : to_subscribe) {
      redisAppendCommand(ctx, "SUBSCRIBE %b", channel.data(), channel.size());
      subscribed.insert(channel);
    }
    for (const std::string& channel : to_unsubscribe) {
      redisAppendCommand(ctx, "UNSUBSCRIBE %b", channel.data(), channel.size());
      subscribed.erase(channel);
    }
    if (!to_subscribe.empty() || !to_unsubscribe.empty()) {
      int done = 0;
      bool failed = false;
      while (!done && !failed) failed = redisBufferWrite(ctx, &done) != REDIS_OK;
      if (failed) {
        disconnect("write failed");
        continue;
      }
    }
    {
      absl::MutexLock l(&mu_);
      connected_ = true;
    }

    pollfd fds[2] = {{ctx->fd, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    const int n = poll(fds, wake_fds_[0] >= 0 ? 2 : 1, kIdlePollMs);
    if (n <= 0) continue;
    if (wake_fds_[0] >= 0 && (fds[1].revents & POLLIN) != 0) DrainPipe(wake_fds_[0]);
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    if (redisBufferRead(ctx) != REDIS_OK) {
      disconnect("read failed");
      continue;
    }
    void* raw = nullptr;
    while (redisGetReplyFromReader(ctx, &raw) == REDIS_OK && raw != nullptr) {
      const auto* r = static_cast<const redisReply*>(raw);
      // ["message", channel, payload] for a change; ["subscribe", channel,
      // count] when a subscription takes effect: both mean "reload".
      if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
          r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING) {
        const std::string kind(r->element[0]->str, r->element[0]->len);
        if (kind == "message" || kind == "subscribe") {
          listener_(std::string(r->element[1]->str, r->element[1]->len));
        }
      }
      freeReplyObject(raw);
      raw = nullptr;
    }
    if (ctx->err != 0) disconnect("protocol error");
  }
  if (ctx != nullptr) redisFree(ctx);
  absl::MutexLock l(&mu_);
  connected_ = false;
}

}  // namespace attain::eval
