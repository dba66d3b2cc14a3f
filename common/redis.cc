#include "common/redis.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace attain {
namespace {

timeval TimevalOf(absl::Duration d) {
  if (d < absl::Milliseconds(1)) d = absl::Milliseconds(1);
  return absl::ToTimeval(d);
}

// hiredis writes with write(2), which raises SIGPIPE when the server has gone
// away; like libpq, block it on this thread for the duration of the I/O and
// swallow one raised meanwhile, so a dead server is an error, not a dead process.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    // If SIGPIPE was already blocked or pending, it is not ours to consume.
    active_ = !sigismember(&old_, SIGPIPE) && !sigismember(&pending, SIGPIPE);
  }
  ~ScopedSigpipeBlock() {
    if (active_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE)) {
        timespec zero{};
        int saved_errno = errno;
        sigtimedwait(&pipe_, nullptr, &zero);
        errno = saved_errno;
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool active_ = false;
};

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(void* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

// argv/argvlen views over `args` for the hiredis *Argv functions.
struct ArgvView {
  explicit ArgvView(const std::vector<std::string>& args) {
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  int argc() const { return static_cast<int>(argv.size()); }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
};

absl::Status CheckArgs(const std::vector<std::string>& args) {
  if (args.empty()) return absl::InvalidArgumentError("Redis command is empty");
  if (args.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("Redis command has too many arguments");
  }
  return absl::OkStatus();
}

std::string Sha1Hex(const std::string& data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string hex;
  hex.reserve(2 * sizeof(digest));
  for (unsigned char b : digest) absl::StrAppendFormat(&hex, "%02x", b);
  return hex;
}

}  // namespace

absl::StatusOr<RedisClient::Options> RedisClient::ParseUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "redis://";
  const std::string quoted = absl::StrCat("\"", url, "\"");
  if (!absl::StartsWith(url, kScheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Redis URL ", quoted, " must start with redis:// (redis://host:port[/db])"));
  }
  absl::string_view rest = url.substr(kScheme.size());
  if (absl::StrContains(rest, "@")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Redis URL ", quoted, " has a user or password, which is not supported"));
  }
  absl::string_view hostport = rest;
  absl::string_view db;
  bool has_db = false;
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
    has_db = true;
  }
  Options options;
  absl::string_view host = hostport;
  absl::string_view port;
  bool has_port = false;
  if (absl::StartsWith(hostport, "[")) {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("Redis URL ", quoted, " has an unclosed ["));
    }
    host = hostport.substr(1, close - 1);
    absl::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        return absl::InvalidArgumentError(
            absl::StrCat("Redis URL ", quoted, " has text after the IPv6 address"));
      }
      port = after.substr(1);
      has_port = true;
    }
  } else if (size_t colon = hostport.rfind(':'); colon != absl::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("Redis URL ", quoted, " has no host"));
  }
  options.host = std::string(host);
  if (has_port) {
    int p = 0;
    if (!absl::SimpleAtoi(port, &p) || p < 1 || p > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("Redis URL ", quoted, " has port \"", port,
                                                     "\": it must be a number in 1..65535"));
    }
    options.port = p;
  }
  if (has_db && !db.empty()) {
    int d = 0;
    if (!absl::SimpleAtoi(db, &d) || d < 0) {
      return absl::InvalidArgumentError(absl::StrCat("Redis URL ", quoted, " has database \"", db,
                                                     "\": it must be a number >= 0"));
    }
    options.db = d;
  }
  return options;
}

RedisClient::RedisClient(Options options) : options_(std::move(options)) {}

RedisClient::~RedisClient() {
  absl::MutexLock lock(&mu_);
  DisconnectLocked();
}

void RedisClient::DisconnectLocked() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

absl::Status RedisClient::EnsureConnectedLocked() {
  if (ctx_ != nullptr && ctx_->err == 0) return absl::OkStatus();
  DisconnectLocked();
  const std::string where = absl::StrCat("Redis at ", options_.host, ":", options_.port);
  redisContext* ctx = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                              TimevalOf(options_.connect_timeout));
  if (ctx == nullptr) return absl::UnavailableError(where + ": cannot allocate a connection");
  if (ctx->err != 0) {
    absl::Status status = absl::UnavailableError(absl::StrCat(where, ": ", ctx->errstr));
    redisFree(ctx);
    return status;
  }
  if (redisSetTimeout(ctx, TimevalOf(options_.command_timeout)) != REDIS_OK) {
    absl::Status status =
        absl::UnavailableError(absl::StrCat(where, ": cannot set the timeout: ", ctx->errstr));
    redisFree(ctx);
    return status;
  }
  redisEnableKeepAlive(ctx);
  ctx_ = ctx;
  if (options_.db != 0) {
    const std::string db = absl::StrCat(options_.db);
    const char* argv[] = {"SELECT", db.c_str()};
    const size_t lens[] = {6, db.size()};
    ReplyPtr reply(redisCommandArgv(ctx_, 2, argv, lens));
    if (reply == nullptr) {
      absl::Status status = absl::UnavailableError(absl::StrCat(where, ": ", ctx_->errstr));
      DisconnectLocked();
      return status;
    }
    const auto* r = static_cast<const redisReply*>(reply.get());
    if (r->type == REDIS_REPLY_ERROR) {
      absl::Status status = absl::FailedPreconditionError(absl::StrFormat(
          "%s: cannot select database %d: %s", where, options_.db, std::string(r->str, r->len)));
      DisconnectLocked();
      return status;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (absl::Status s = CheckArgs(args); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  ScopedSigpipeBlock no_sigpipe;
  if (absl::Status s = EnsureConnectedLocked(); !s.ok()) return s;
  ArgvView view(args);
  ReplyPtr reply(redisCommandArgv(ctx_, view.argc(), view.argv.data(), view.lens.data()));
  if (reply == nullptr) {
    absl::Status status = absl::UnavailableError(absl::StrFormat(
        "Redis at %s:%d: %s failed: %s", options_.host, options_.port, args[0], ctx_->errstr));
    DisconnectLocked();
    return status;
  }
  return Convert(static_cast<const redisReply*>(reply.get()));
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  for (const auto& args : commands) {
    if (absl::Status s = CheckArgs(args); !s.ok()) return s;
  }
  absl::MutexLock lock(&mu_);
  ScopedSigpipeBlock no_sigpipe;
  if (absl::Status s = EnsureConnectedLocked(); !s.ok()) return s;
  auto fail = [&](absl::string_view what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Status status = absl::UnavailableError(
        absl::StrFormat("Redis at %s:%d: pipeline of %d commands %s: %s", options_.host,
                        options_.port, commands.size(), what, ctx_->errstr));
    DisconnectLocked();  // replies still in flight would desynchronise the stream
    return status;
  };
  for (const auto& args : commands) {
    ArgvView view(args);
    if (redisAppendCommandArgv(ctx_, view.argc(), view.argv.data(), view.lens.data()) != REDIS_OK) {
      return fail("could not be queued");
    }
  }
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      ReplyPtr discard(raw);
      return fail("failed");
    }
    ReplyPtr reply(raw);
    replies.push_back(Convert(static_cast<const redisReply*>(reply.get())));
  }
  return replies;
}

absl::StatusOr<RedisReply> RedisClient::Eval(const std::string& script,
                                             const std::vector<std::string>& keys,
                                             const std::vector<std::string>& args) {
  std::vector<std::string> command;
  command.reserve(3 + keys.size() + args.size());
  command.push_back("EVALSHA");
  command.push_back(Sha1Hex(script));
  command.push_back(absl::StrCat(keys.size()));
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  absl::StatusOr<RedisReply> reply = Command(command);
  if (!reply.ok() || reply->type != RedisReply::Type::kError ||
      !absl::StartsWith(reply->str, "NOSCRIPT")) {
    return reply;
  }
  // Not in the server's script cache (first use, restart or SCRIPT FLUSH):
  // EVAL runs it and caches it for the next EVALSHA.
  command[0] = "EVAL";
  command[1] = script;
  return Command(command);
}

}  // namespace attain
