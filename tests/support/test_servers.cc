#include "tests/support/test_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/redis.h"

extern char** environ;

namespace attain::testing {
namespace {

constexpr absl::Duration kStartDeadline = absl::Seconds(60);
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);
constexpr int kStartAttempts = 3;  // a free port can be taken before the server binds it

[[noreturn]] void Fatal(const std::string& message) {
  std::fprintf(stderr, "attain test servers: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string ReadTail(const std::string& path, size_t max_bytes = 4000) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "(no log at " + path + ")";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

// The account a server runs as: PostgreSQL refuses to run as root, so when we
// are root it runs as `postgres`.
struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Account PostgresAccount() {
  Account account;
  if (geteuid() != 0) return account;
  struct passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    Fatal("running as root, but there is no `postgres` user to run PostgreSQL as");
  }
  account.switch_user = true;
  account.uid = pw->pw_uid;
  account.gid = pw->pw_gid;
  return account;
}

std::string MakeTempDir(const std::string& stem, const Account& account) {
  // The postgres user must be able to reach the folder, so under root use /tmp
  // rather than a TMPDIR that may sit in root's home.
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (account.switch_user || tmp == nullptr || *tmp == '\0') ? "/tmp" : tmp;
  std::string templ = base + "/" + stem + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    Fatal(
        absl::StrCat("cannot create a temporary folder under ", base, ": ", std::strerror(errno)));
  }
  std::string dir(buf.data());
  if (account.switch_user && chown(dir.c_str(), account.uid, account.gid) != 0) {
    Fatal(absl::StrCat("cannot give ", dir, " to the postgres user: ", std::strerror(errno)));
  }
  return dir;
}

void RemoveDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/bin"}) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  Fatal(absl::StrCat(name, " is not installed (not found in PATH)"));
}

// argv as the exec* functions want it; owns the strings.
class Argv {
 public:
  explicit Argv(std::vector<std::string> args) : args_(std::move(args)) {
    for (std::string& a : args_) ptrs_.push_back(a.data());
    ptrs_.push_back(nullptr);
  }
  char* const* get() const { return ptrs_.data(); }
  const char* path() const { return args_[0].c_str(); }
  std::string ToString() const { return absl::StrJoin(args_, " "); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> ptrs_;
};

// Runs in a freshly forked child: only async-signal-safe calls from here on.
// Redirects stdin from /dev/null and stdout/stderr to `log_fd`, switches user
// and execs. Never returns.
[[noreturn]] void ExecChild(const Argv& argv, int log_fd, const Account& account) {
  // The server starts with default signal handling, whatever the forking thread had.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGTERM, SIGQUIT, SIGINT, SIGHUP, SIGPIPE}) sigaction(sig, &dfl, nullptr);
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  if (account.switch_user) {
    gid_t groups[] = {account.gid};
    if (setgroups(1, groups) != 0 || setgid(account.gid) != 0 || setuid(account.uid) != 0) {
      _exit(126);
    }
  }
  execve(argv.path(), argv.get(), environ);
  _exit(127);
}

int OpenLog(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) Fatal(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  return fd;
}

// Runs a command to completion; returns its exit status (-1 if killed).
int RunToCompletion(const Argv& argv, const std::string& log_path, const Account& account) {
  int log_fd = OpenLog(log_path);
  pid_t pid = fork();
  if (pid < 0) Fatal(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) ExecChild(argv, log_fd, account);
  close(log_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

// A server process run under a watchdog: the watchdog (a forked copy of this
// process in its own session, using only async-signal-safe calls) starts the
// server and waits on a pipe; when Stop() closes the pipe -- or this process
// dies, which closes it too -- the watchdog sends the server `stop_signal`,
// waits for it to exit, deletes `remove_dir` and exits itself.
class SupervisedProcess {
 public:
  SupervisedProcess(const Argv& argv, const std::string& log_path, const Account& account,
                    int stop_signal, const std::string& remove_dir) {
    int log_fd = OpenLog(log_path);
    int ctl[2];
    if (pipe2(ctl, O_CLOEXEC) != 0) Fatal(absl::StrCat("pipe: ", std::strerror(errno)));
    Argv rm({"/bin/rm", "-rf", remove_dir});
    const bool remove = !remove_dir.empty();
    long max_fd = sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 65536) max_fd = 65536;
    watchdog_ = fork();
    if (watchdog_ < 0) Fatal(absl::StrCat("fork: ", std::strerror(errno)));
    if (watchdog_ == 0) {
      close(ctl[1]);
      RunWatchdog(argv, log_fd, account, stop_signal, ctl[0], remove ? &rm : nullptr,
                  static_cast<int>(max_fd));
    }
    close(ctl[0]);
    close(log_fd);
    ctl_fd_ = ctl[1];
  }

  ~SupervisedProcess() { Stop(); }

  // Whether the server exited by itself (the watchdog exits with it).
  bool Exited() {
    if (watchdog_ <= 0) return true;
    int status = 0;
    if (waitpid(watchdog_, &status, WNOHANG) == watchdog_) {
      watchdog_ = -1;
      return true;
    }
    return false;
  }

  // Stops the server and waits until it and the watchdog are gone; with
  // `keep_dir` the watchdog leaves `remove_dir` in place (for a restart over
  // the same data).
  void Stop(bool keep_dir = false) {
    if (ctl_fd_ >= 0) {
      if (keep_dir) {
        const char keep = kKeepDir;
        while (write(ctl_fd_, &keep, 1) < 0 && errno == EINTR) {
        }
      }
      close(ctl_fd_);
      ctl_fd_ = -1;
    }
    if (watchdog_ > 0) {
      int status = 0;
      while (waitpid(watchdog_, &status, 0) < 0 && errno == EINTR) {
      }
      watchdog_ = -1;
    }
  }

 private:
  [[noreturn]] static void RunWatchdog(const Argv& argv, int log_fd, const Account& account,
                                       int stop_signal, int ctl_fd, const Argv* rm, int max_fd) {
    setsid();  // Ctrl-C on the test does not reach the server before cleanup
    // Keep only stdio, the log and the control pipe, so that this watchdog does
    // not hold other watchdogs' pipes open.
    for (int fd = 3; fd < max_fd; ++fd) {
      if (fd != log_fd && fd != ctl_fd) close(fd);
    }
    pid_t child = fork();
    if (child < 0) _exit(2);
    if (child == 0) ExecChild(argv, log_fd, account);
    close(log_fd);

    bool exited = false;
    bool keep_dir = false;
    int status = 0;
    for (;;) {
      pollfd pfd{ctl_fd, POLLIN, 0};
      int n = poll(&pfd, 1, 100);
      if (n > 0) {  // EOF (stop requested or the test process is gone), or kKeepDir first
        char byte = 0;
        keep_dir = read(ctl_fd, &byte, 1) == 1 && byte == kKeepDir;
        break;
      }
      if (waitpid(child, &status, WNOHANG) == child) {
        exited = true;
        break;
      }
    }
    if (!exited) {
      kill(child, stop_signal);
      // Up to 30 s for a clean exit, then SIGKILL.
      for (int i = 0; i < 3000; ++i) {
        if (waitpid(child, &status, WNOHANG) == child) {
          exited = true;
          break;
        }
        timespec ts{0, 10 * 1000 * 1000};
        nanosleep(&ts, nullptr);
      }
      if (!exited) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
      }
      if (rm != nullptr && !keep_dir) {
        pid_t rm_pid = fork();
        if (rm_pid == 0) {
          execve(rm->path(), rm->get(), environ);
          _exit(127);
        }
        if (rm_pid > 0) waitpid(rm_pid, &status, 0);
      }
    }
    _exit(0);
  }

  // Written to the control pipe before closing it: stop, but keep the folder.
  static constexpr char kKeepDir = 'K';

  pid_t watchdog_ = -1;
  int ctl_fd_ = -1;
};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fatal(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    Fatal(absl::StrCat("cannot bind a free port on 127.0.0.1: ", std::strerror(err)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// ---------------------------------------------------------------- PostgreSQL

namespace {

std::mutex g_databases_mu;
std::vector<std::string>* g_databases = nullptr;  // created on an external server
PgTestServer* g_shared = nullptr;

// `url` with its database (path) replaced by `db`, keeping any ?parameters.
std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) Fatal("ATTAIN_TEST_PG_URL must be a postgresql:// URL");
  size_t authority_end = url.find_first_of("/?", scheme + 3);
  std::string base = url.substr(0, authority_end);
  std::string query;
  if (authority_end != std::string::npos) {
    size_t q = url.find('?', authority_end);
    if (q != std::string::npos) query = url.substr(q);
  }
  return base + "/" + db + query;
}

std::string WithConnectTimeout(const std::string& url, int seconds) {
  return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?", "connect_timeout=", seconds);
}

std::vector<std::string>& ExtraPgSettings() {
  static auto* const settings = new std::vector<std::string>();
  return *settings;
}

}  // namespace

void PgTestServer::SetExtraSettings(std::vector<std::string> settings) {
  ExtraPgSettings() = std::move(settings);
}

PgTestServer& PgTestServer::Shared() {
  static PgTestServer* const server = [] {
    auto* s = new PgTestServer();
    g_shared = s;
    std::atexit(&PgTestServer::ShutdownShared);
    return s;
  }();
  return *server;
}

PgTestServer::PgTestServer() {
  if (const char* env = std::getenv("ATTAIN_TEST_PG_URL"); env != nullptr && *env != '\0') {
    url_ = env;
    external_ = true;
    return;
  }
  std::string errors;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::string error;
    if (TryStartLocal(&error)) return;
    absl::StrAppend(&errors, "\n--- attempt ", attempt + 1, ": ", error);
  }
  Fatal("PostgreSQL did not start:" + errors);
}

PgTestServer::~PgTestServer() = default;

bool PgTestServer::TryStartLocal(std::string* error) {
  const char* bin_env = std::getenv("ATTAIN_TEST_PG_BIN");
  const std::string bin =
      bin_env != nullptr && *bin_env != '\0' ? bin_env : "/usr/lib/postgresql/15/bin";
  const Account account = PostgresAccount();
  dir_ = MakeTempDir("attain-pg", account);
  const std::string data = dir_ + "/data";
  const std::string sock = dir_ + "/sock";
  const std::string log = dir_ + "/postgres.log";
  if (mkdir(sock.c_str(), 0700) != 0 ||
      (account.switch_user && chown(sock.c_str(), account.uid, account.gid) != 0)) {
    Fatal(absl::StrCat("cannot create ", sock, ": ", std::strerror(errno)));
  }

  Argv initdb({bin + "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
               "--locale=C", "--no-sync", "--no-instructions"});
  if (int rc = RunToCompletion(initdb, log, account); rc != 0) {
    *error = absl::StrFormat("%s exited with %d:\n%s", initdb.ToString(), rc, ReadTail(log));
    RemoveDir(dir_);
    return false;
  }

  const int port = FreePort();
  std::vector<std::string> postgres_args({bin + "/postgres",
                                          "-D",
                                          data,
                                          "-p",
                                          absl::StrCat(port),
                                          "-k",
                                          sock,
                                          "-c",
                                          "listen_addresses=127.0.0.1",
                                          "-c",
                                          "fsync=off",
                                          "-c",
                                          "synchronous_commit=off",
                                          "-c",
                                          "full_page_writes=off",
                                          "-c",
                                          "max_connections=200",
                                          "-c",
                                          "shared_buffers=32MB",
                                          "-c",
                                          "logging_collector=off"});
  for (const std::string& setting : ExtraPgSettings()) {  // a later -c wins
    postgres_args.push_back("-c");
    postgres_args.push_back(setting);
  }
  server_args_ = std::move(postgres_args);
  url_ = absl::StrFormat("postgresql://postgres@127.0.0.1:%d/postgres", port);
  if (StartProcess(error)) return true;
  if (process_ == nullptr) {
    RemoveDir(dir_);
  } else {
    process_.reset();  // stops it and deletes the folder
  }
  return false;
}

bool PgTestServer::StartProcess(std::string* error) {
  const std::string log = dir_ + "/postgres.log";
  // SIGQUIT: immediate shutdown, nothing of a throwaway server is worth a checkpoint.
  process_ = std::make_unique<SupervisedProcess>(Argv(server_args_), log, PostgresAccount(),
                                                 SIGQUIT, dir_);
  const absl::Time deadline = absl::Now() + kStartDeadline;
  std::string last_error;
  while (absl::Now() < deadline) {
    if (process_->Exited()) {
      *error = absl::StrFormat("postgres exited during start-up:\n%s", ReadTail(log));
      process_.reset();
      return false;
    }
    try {
      pqxx::connection conn(WithConnectTimeout(url_, 2));
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT 1");
      return true;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    absl::SleepFor(kPollInterval);
  }
  *error = absl::StrFormat("postgres did not accept connections within %s (last error: %s):\n%s",
                           absl::FormatDuration(kStartDeadline), last_error, ReadTail(log));
  return false;
}

void PgTestServer::Stop() {
  std::lock_guard<std::mutex> lock(restart_mu_);
  if (external_) Fatal("PgTestServer::Stop: cannot stop a server given by ATTAIN_TEST_PG_URL");
  if (process_ == nullptr) return;
  process_->Stop(/*keep_dir=*/true);
  process_.reset();
}

void PgTestServer::Start() {
  std::lock_guard<std::mutex> lock(restart_mu_);
  if (external_) Fatal("PgTestServer::Start: cannot start a server given by ATTAIN_TEST_PG_URL");
  if (process_ != nullptr) return;
  std::string error;
  if (!StartProcess(&error)) Fatal("PostgreSQL did not restart: " + error);
}

void PgTestServer::ShutdownShared() {
  PgTestServer* s = g_shared;
  if (s == nullptr) return;
  if (s->external_) {
    std::lock_guard<std::mutex> lock(g_databases_mu);
    if (g_databases != nullptr) {
      for (const std::string& db : *g_databases) {
        try {
          pqxx::connection conn(WithConnectTimeout(s->url_, 5));
          pqxx::nontransaction tx(conn);
          tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(db) + " WITH (FORCE)");
        } catch (const std::exception& e) {
          std::fprintf(stderr, "attain test servers: could not drop test database %s: %s\n",
                       db.c_str(), e.what());
        }
      }
    }
    return;
  }
  if (s->process_ != nullptr) {
    s->process_->Stop();  // the watchdog deletes the folder
  } else if (!s->dir_.empty()) {
    RemoveDir(s->dir_);  // left stopped by Stop()
  }
}

std::string PgTestServer::CreateDatabase(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const uint32_t run_id = std::random_device{}();
  std::string clean;
  for (char c : prefix.substr(0, 30)) {
    c = absl::ascii_tolower(c);
    clean.push_back(absl::ascii_isalnum(c) ? c : '_');
  }
  if (clean.empty()) clean = "test";
  const std::string name =
      absl::StrFormat("%s_%d_%08x_%d", clean, getpid(), run_id, counter.fetch_add(1));
  try {
    pqxx::connection conn(WithConnectTimeout(url_, 10));
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + tx.quote_name(name) + " TEMPLATE template0 ENCODING 'UTF8'");
  } catch (const std::exception& e) {
    Fatal(absl::StrCat("cannot create test database ", name, " on ", url_, ": ", e.what()));
  }
  if (external_) {
    std::lock_guard<std::mutex> lock(g_databases_mu);
    if (g_databases == nullptr) g_databases = new std::vector<std::string>();
    g_databases->push_back(name);
  }
  return WithDatabase(url_, name);
}

// --------------------------------------------------------------------- Redis

RedisTestServer::RedisTestServer() {
  std::string errors;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = FreePort();
    std::string error;
    if (TryStart(&error)) return;
    absl::StrAppend(&errors, "\n--- attempt ", attempt + 1, ": ", error);
  }
  Fatal("redis-server did not start:" + errors);
}

RedisTestServer::~RedisTestServer() { Stop(); }

std::string RedisTestServer::url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

void RedisTestServer::Stop() { process_.reset(); }

void RedisTestServer::Start() {
  if (process_ != nullptr) return;
  std::string error;
  if (!TryStart(&error)) Fatal("redis-server did not restart: " + error);
}

bool RedisTestServer::TryStart(std::string* error) {
  static const std::string binary = FindExecutable("redis-server");
  const Account me;  // redis-server runs fine as root
  const std::string dir = MakeTempDir("attain-redis", me);
  const std::string log = dir + "/redis.log";
  Argv argv({binary, "--port", absl::StrCat(port_), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--logfile", ""});
  process_ = std::make_unique<SupervisedProcess>(argv, log, me, SIGTERM, dir);

  RedisClient::Options options;
  options.port = port_;
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Milliseconds(500);
  RedisClient client(options);
  const absl::Time deadline = absl::Now() + kStartDeadline;
  std::string last_error;
  while (absl::Now() < deadline) {
    if (process_->Exited()) {
      *error = absl::StrFormat("redis-server exited during start-up:\n%s", ReadTail(log));
      process_.reset();
      RemoveDir(dir);
      return false;
    }
    absl::StatusOr<RedisReply> pong = client.Command({"PING"});
    if (pong.ok() && pong->type == RedisReply::Type::kStatus && pong->str == "PONG") return true;
    last_error = pong.ok() ? pong->str : pong.status().ToString();
    absl::SleepFor(kPollInterval);
  }
  *error = absl::StrFormat("redis-server did not answer PING within %s (last error: %s):\n%s",
                           absl::FormatDuration(kStartDeadline), last_error, ReadTail(log));
  process_.reset();  // stops it and deletes the folder
  return false;
}

}  // namespace attain::testing
