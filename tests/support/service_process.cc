#include "tests/support/service_process.h"

#include <fcntl.h>
#include <grpcpp/generic/generic_stub.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace attain::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Tail(const std::string& s, size_t n = 4000) {
  return s.size() <= n ? s : s.substr(s.size() - n);
}

}  // namespace

absl::StatusOr<int> CheckHealth(grpc::Channel& channel, const std::string& service,
                                absl::Duration timeout) {
  // HealthCheckRequest { string service = 1; } encoded by hand.
  std::string request;
  if (!service.empty()) {
    request.push_back(0x0a);
    request.push_back(static_cast<char>(service.size()));
    request += service;
  }
  grpc::Slice slice(request);
  grpc::ByteBuffer req_buf(&slice, 1);
  grpc::ByteBuffer resp_buf;
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  absl::Mutex mu;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &req_buf, &resp_buf,
                 [&](grpc::Status s) {
                   absl::MutexLock l(&mu);
                   status = std::move(s);
                   done = true;
                 });
  {
    absl::MutexLock l(&mu);
    mu.Await(absl::Condition(&done));
  }
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  std::vector<grpc::Slice> slices;
  (void)resp_buf.Dump(&slices);
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse { ServingStatus status = 1; }: 0x08 <varint>.
  if (bytes.size() >= 2 && bytes[0] == 0x08) return static_cast<int>(bytes[1]);
  return 0;  // UNKNOWN (field absent)
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(Options options) {
  std::unique_ptr<ServiceProcess> p(new ServiceProcess());
  p->options_ = options;
  char tmpl[] = "/tmp/attain-svc-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  p->dir_ = tmpl;
  const std::string port_file = p->dir_ + "/port";
  const std::string log_file = p->dir_ + "/log";

  std::vector<std::string> argv = {options.binary, "--listen", "127.0.0.1:0", "--port-file",
                                   port_file};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  // Tests talk plaintext on loopback unless they configure TLS themselves.
  const bool tls = std::any_of(options.args.begin(), options.args.end(), [](const std::string& a) {
    return a.rfind("--tls-", 0) == 0 || a.rfind("--plaintext", 0) == 0;
  });
  if (!tls) argv.push_back("--plaintext");
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    // Unblock signals the test process may have blocked.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_UNBLOCK, &all, nullptr);
    for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  p->pid_ = pid;

  const absl::Time deadline = absl::Now() + options.start_timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      return absl::InternalError(
          absl::StrCat(options.binary, " exited during start-up:\n", Tail(ReadFile(log_file))));
    }
    if (p->port_ == 0) {
      std::string text = ReadFile(port_file);
      if (!text.empty()) p->port_ = std::atoi(text.c_str());
    }
    if (p->port_ != 0) {
      auto channel = p->NewChannel();
      absl::StatusOr<int> health = CheckHealth(*channel, "", absl::Milliseconds(500));
      if (health.ok() && *health == 1) return p;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  std::string log = ReadFile(log_file);
  p->Kill();
  return absl::DeadlineExceededError(
      absl::StrCat(options.binary, " did not become healthy in time:\n", Tail(log)));
}

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) Terminate();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);  // port file and log
}

std::shared_ptr<grpc::Channel> ServiceProcess::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(
      address(),
      options_.credentials != nullptr ? options_.credentials : grpc::InsecureChannelCredentials(),
      args);
}

std::string ServiceProcess::Log() const { return ReadFile(dir_ + "/log"); }

int ServiceProcess::Reap(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (r < 0) {
      pid_ = -1;
      return -1;
    }
    if (absl::Now() >= deadline) return -2;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

int ServiceProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = Reap(timeout);
  if (code == -2) {
    kill(pid_, SIGKILL);
    code = Reap(absl::Seconds(10));
  }
  return code;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(absl::Seconds(10));
}

}  // namespace attain::testing
