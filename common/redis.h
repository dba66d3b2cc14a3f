// A small synchronous Redis client over hiredis 0.14: connect with a timeout,
// commands, pipelines and Lua scripts, reconnecting after a failure.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace attain {

// A decoded reply.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray, kError };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString, kStatus and kError
  std::vector<RedisReply> elements;
};

class RedisClient {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    absl::Duration connect_timeout = absl::Seconds(2);
    absl::Duration command_timeout = absl::Seconds(2);
  };
  // Parses "redis://host:port[/db]"; INVALID_ARGUMENT naming what is wrong.
  static absl::StatusOr<Options> ParseUrl(absl::string_view url);

  explicit RedisClient(Options options);  // connects lazily
  ~RedisClient();

  // Runs one command. A server error reply is returned as a reply of type
  // kError (not a Status); a connection failure or timeout is UNAVAILABLE and
  // the next call reconnects. Thread-safe (calls are serialised).
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);

  // Sends all commands in one round trip and returns their replies in order.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA with the script's SHA1 (loading it on NOSCRIPT), so repeated calls
  // do not resend the script body.
  absl::StatusOr<RedisReply> Eval(const std::string& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

 private:
  absl::Status EnsureConnectedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DisconnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Options options_;
  absl::Mutex mu_;
  redisContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace attain
