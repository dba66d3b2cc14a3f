// GrpcServer (common/server.h) and ServeUnary (common/rpc.h) against a real
// gRPC server on a loopback port, serving the test-only EchoService
// (tests/support/echo.proto).
#include "common/server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/rpc.h"
#include "common/worker_pool.h"
#include "echo.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/support/service_process.h"

namespace attain {
namespace {

using ::attain::testing::CheckHealth;
using ::attain::testing::v1::EchoRequest;
using ::attain::testing::v1::EchoResponse;
using ::attain::testing::v1::EchoService;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kKey = "0123456789abcdef0123456789abcdef-server-test";
// 2024-09-15T08:00:00Z: the verifier's clock stands still here.
const absl::Time kNow = absl::FromUnixSeconds(1726387200);
constexpr char kEchoMethod[] = "attain.testing.v1.EchoService/Echo";
constexpr int kServing = 1;
constexpr int kNotServing = 2;

// Texts the test service treats specially.
constexpr char kThrow[] = "throw";  // the work throws std::runtime_error("boom")
constexpr char kBlock[] = "block";  // the work waits until the test opens the gate

// Polls `done` until it holds or `timeout` passes; returns whether it held.
bool PollUntil(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// Holds "block" calls until opened. Opens once.
class Gate {
 public:
  void Open() {
    absl::MutexLock l(&mu_);
    open_ = true;
  }
  void Wait() {
    absl::MutexLock l(&mu_);
    mu_.Await(absl::Condition(&open_));
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
};

// EchoService served the way every Attain service serves its RPCs. Records
// each execution of its work (which ServeUnary runs only for calls it admits).
class EchoServiceImpl final : public EchoService::CallbackService {
 public:
  EchoServiceImpl(const RpcEnv& env, Gate* gate) : env_(env), gate_(gate) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* request,
                                 EchoResponse* response) override {
    {
      absl::MutexLock l(&mu_);
      deadlines_[request->text()] = ctx->deadline();
    }
    return ServeUnary(ctx, env_, kEchoMethod, {Role::kAdmin, Role::kDirector},
                      [this, ctx, request, response](const Principal& p) -> absl::Status {
                        {
                          absl::MutexLock l(&mu_);
                          texts_.push_back(request->text());
                          tenants_.push_back(p.tenant);
                          subjects_.push_back(p.subject);
                        }
                        if (request->text() == kThrow) throw std::runtime_error("boom");
                        if (request->text() == kBlock) gate_->Wait();
                        // Sleeps in steps, stopping early when the call is cancelled
                        // (as a long handler should), e.g. by a shutdown past its grace.
                        const absl::Time until =
                            absl::Now() + absl::Milliseconds(request->sleep_ms());
                        while (absl::Now() < until) {
                          if (ctx->IsCancelled()) return absl::CancelledError("call cancelled");
                          absl::SleepFor(std::min(absl::Milliseconds(5), until - absl::Now()));
                        }
                        response->set_text(request->text());
                        return absl::OkStatus();
                      });
  }

  // The texts of the calls whose work ran, in the order it started.
  std::vector<std::string> texts() const {
    absl::MutexLock l(&mu_);
    return texts_;
  }
  int executions() const {
    absl::MutexLock l(&mu_);
    return static_cast<int>(texts_.size());
  }
  std::vector<std::string> tenants() const {
    absl::MutexLock l(&mu_);
    return tenants_;
  }
  std::vector<std::string> subjects() const {
    absl::MutexLock l(&mu_);
    return subjects_;
  }
  // The server's deadline of the last call with `text` that reached the service.
  std::chrono::system_clock::time_point deadline(const std::string& text) const {
    absl::MutexLock l(&mu_);
    auto it = deadlines_.find(text);
    return it == deadlines_.end() ? std::chrono::system_clock::time_point::max() : it->second;
  }

 private:
  const RpcEnv env_;
  Gate* const gate_;
  mutable absl::Mutex mu_;
  std::vector<std::string> texts_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> tenants_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> subjects_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::chrono::system_clock::time_point> deadlines_ ABSL_GUARDED_BY(mu_);
};

struct CallResult {
  grpc::Status status;
  EchoResponse response;
};

// Lists the server's services through
// grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo, with the
// messages encoded by hand (the Debian packages ship no reflection client):
//   ServerReflectionRequest { string list_services = 7; }
//   ServerReflectionResponse { ListServiceResponse list_services_response = 6; }
//   ListServiceResponse { repeated ServiceResponse service = 1; }
//   ServiceResponse { string name = 1; }
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  // Runs one operation to completion; returns its ok.
  int next_tag = 0;
  auto run = [&](const std::function<void(void*)>& start) {
    void* const tag = reinterpret_cast<void*>(static_cast<intptr_t>(++next_tag));
    start(tag);
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, tag);
    return ok;
  };
  const std::string request("\x3a\x01*", 3);  // field 7, length 1, "*"
  grpc::Slice slice(request);
  const grpc::ByteBuffer request_buf(&slice, 1);
  grpc::ByteBuffer response_buf;
  grpc::Status status;
  run([&](void* tag) { call->StartCall(tag); });
  run([&](void* tag) { call->Write(request_buf, tag); });
  run([&](void* tag) { call->WritesDone(tag); });
  const bool got_response = run([&](void* tag) { call->Read(&response_buf, tag); });
  run([&](void* tag) { call->Finish(&status, tag); });
  cq.Shutdown();
  void* ignored_tag;
  bool ignored_ok;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  if (!got_response) return absl::InternalError("no ServerReflectionResponse");

  std::vector<grpc::Slice> slices;
  if (!response_buf.Dump(&slices).ok()) return absl::InternalError("cannot read the response");
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // The length-delimited values of field `number` in the message `bytes`.
  auto fields = [](const std::string& message, int number) {
    std::vector<std::string> out;
    google::protobuf::UnknownFieldSet set;
    if (!set.ParseFromString(message)) return out;
    for (int i = 0; i < set.field_count(); ++i) {
      const google::protobuf::UnknownField& f = set.field(i);
      if (f.number() == number &&
          f.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
        out.push_back(f.length_delimited());
      }
    }
    return out;
  };
  std::vector<std::string> names;
  for (const std::string& list : fields(bytes, 6)) {
    for (const std::string& service : fields(list, 1)) {
      for (const std::string& name : fields(service, 1)) names.push_back(name);
    }
  }
  return names;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Create(kKey, &clock_);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    SetLogSink([this](absl::string_view line) {
      absl::MutexLock l(&log_mu_);
      log_lines_.emplace_back(line);
    });
  }

  void TearDown() override {
    gate_.Open();  // a failed test must not leave calls blocked
    // The server first (it waits for every call), then the pool its calls ran on.
    if (server_ != nullptr) server_->Shutdown();
    server_.reset();
    if (pool_ != nullptr) pool_->Shutdown();
    SetLogSink(nullptr);
    if (!port_file_.empty()) std::remove(port_file_.c_str());
  }

  void StartServer(int threads = 4, std::size_t max_queue = 64,
                   absl::Duration grace = absl::Seconds(20)) {
    pool_ = std::make_unique<WorkerPool>(threads, max_queue);
    service_ = std::make_unique<EchoServiceImpl>(RpcEnv{verifier_.get(), pool_.get()}, &gate_);
    GrpcServer::Config config;
    config.listen = "127.0.0.1:0";
    config.port_file = port_file_ =
        absl::StrCat(::testing::TempDir(), "server_test_", getpid(), ".port");
    config.shutdown_grace = grace;
    absl::StatusOr<std::unique_ptr<GrpcServer>> server =
        GrpcServer::Start(config, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = EchoService::NewStub(channel_);
  }

  // "Bearer <token>" for a principal of `tenant` with `role`, valid for an hour
  // from `issued` and signed with `key`.
  std::string Bearer(Role role, const std::string& tenant = "acme", absl::Time issued = kNow,
                     const std::string& key = kKey) {
    Principal p;
    p.tenant = tenant;
    p.subject = absl::StrCat(RoleName(role), "-user");
    p.role = role;
    absl::StatusOr<std::string> token = MintToken(key, p, issued, absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    return absl::StrCat("Bearer ", token.value_or(""));
  }

  // Calls Echo with `authorization` ("" = no metadata).
  CallResult Echo(const std::string& text, int sleep_ms, const std::string& authorization,
                  absl::Duration timeout = absl::Seconds(20)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    EchoRequest request;
    request.set_text(text);
    request.set_sleep_ms(sleep_ms);
    CallResult result;
    result.status = stub_->Echo(&ctx, request, &result.response);
    return result;
  }
  CallResult EchoAsAdmin(const std::string& text, int sleep_ms = 0,
                         absl::Duration timeout = absl::Seconds(20)) {
    return Echo(text, sleep_ms, Bearer(Role::kAdmin), timeout);
  }

  // The "rpc" log lines written so far, parsed.
  std::vector<nlohmann::json> RpcLogLines() {
    std::vector<nlohmann::json> out;
    absl::MutexLock l(&log_mu_);
    for (const std::string& line : log_lines_) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_TRUE(j.is_object()) << "not a JSON object: " << line;
      if (j.is_object() && j.value("msg", "") == "rpc") out.push_back(std::move(j));
    }
    return out;
  }
  std::vector<std::string> RpcLogStatuses() {
    std::vector<std::string> out;
    for (const nlohmann::json& j : RpcLogLines()) out.push_back(j.value("status", "?"));
    return out;
  }

  FakeClock clock_{kNow};
  std::unique_ptr<TokenVerifier> verifier_;
  Gate gate_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<EchoServiceImpl> service_;
  std::string port_file_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<EchoService::Stub> stub_;
  absl::Mutex log_mu_;
  std::vector<std::string> log_lines_ ABSL_GUARDED_BY(log_mu_);
};

TEST_F(ServerTest, WritesThePortFileAndReportsHealth) {
  StartServer();
  std::ifstream in(port_file_);
  int port_in_file = 0;
  ASSERT_TRUE(in >> port_in_file) << "no port in " << port_file_;
  EXPECT_EQ(port_in_file, server_->port());

  // Reached through the port from the file.
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port_in_file), grpc::InsecureChannelCredentials());
  EXPECT_EQ(CheckHealth(*channel, "").value_or(-1), kServing);
  EXPECT_EQ(CheckHealth(*channel, "attain.testing.v1.EchoService").value_or(-1), kServing);

  server_->SetServing(false);
  EXPECT_EQ(CheckHealth(*channel, "").value_or(-1), kNotServing);
  EXPECT_EQ(CheckHealth(*channel, "attain.testing.v1.EchoService").value_or(-1), kNotServing);

  server_->SetServing(true);
  EXPECT_EQ(CheckHealth(*channel, "").value_or(-1), kServing);
  EXPECT_TRUE(EchoAsAdmin("hi").status.ok());
}

TEST_F(ServerTest, StartFailsWithUnavailableWhenThePortIsTaken) {
  // A plain listening socket holds a port.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int taken = ntohs(addr.sin_port);

  GrpcServer::Config config;
  config.listen = absl::StrCat("127.0.0.1:", taken);
  pool_ = std::make_unique<WorkerPool>(1, 1);
  service_ = std::make_unique<EchoServiceImpl>(RpcEnv{verifier_.get(), pool_.get()}, &gate_);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(config, {service_.get()});
  close(fd);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(server.status().message(), HasSubstr(config.listen));
}

TEST_F(ServerTest, StartFailsWhenAnotherServerHasThePort) {
  StartServer();
  GrpcServer::Config config;
  config.listen = absl::StrCat("127.0.0.1:", server_->port());
  EchoServiceImpl other(RpcEnv{verifier_.get(), pool_.get()}, &gate_);
  absl::StatusOr<std::unique_ptr<GrpcServer>> second = GrpcServer::Start(config, {&other});
  ASSERT_FALSE(second.ok()) << "two servers share port " << server_->port();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ServerTest, ReflectionListsTheServices) {
  StartServer();
  absl::StatusOr<std::vector<std::string>> services = ListServicesByReflection(channel_);
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services, Contains("attain.testing.v1.EchoService"));
  EXPECT_THAT(*services, Contains("grpc.health.v1.Health"));
}

TEST_F(ServerTest, RejectsCallsWithoutAValidToken) {
  StartServer();
  const CallResult none = Echo("x", 0, "");
  EXPECT_EQ(none.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(none.status.error_message(), HasSubstr("authorization"));

  EXPECT_EQ(Echo("x", 0, "Bearer not-a-jwt").status.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Echo("x", 0, Bearer(Role::kAdmin, "acme", kNow, "another-key-of-at-least-32-bytes!!"))
                .status.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Issued two hours ago for one hour.
  const CallResult expired = Echo("x", 0, Bearer(Role::kAdmin, "acme", kNow - absl::Hours(2)));
  EXPECT_EQ(expired.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(expired.status.error_message(), HasSubstr("expired"));

  EXPECT_EQ(service_->executions(), 0);
}

TEST_F(ServerTest, RejectsARoleOutsideTheMethodsSet) {
  StartServer();
  const CallResult rep = Echo("x", 0, Bearer(Role::kRep));
  EXPECT_EQ(rep.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(rep.status.error_message(), HasSubstr("'rep'"));
  EXPECT_THAT(rep.status.error_message(), HasSubstr(kEchoMethod));
  EXPECT_EQ(Echo("x", 0, Bearer(Role::kFinance)).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service_->executions(), 0);
}

TEST_F(ServerTest, ServesAnAllowedRoleWithItsPrincipal) {
  StartServer();
  const CallResult director = Echo("hello", 0, Bearer(Role::kDirector, "globex"));
  ASSERT_TRUE(director.status.ok()) << director.status.error_message();
  EXPECT_EQ(director.response.text(), "hello");
  const CallResult admin = Echo("again", 0, Bearer(Role::kAdmin, "acme"));
  ASSERT_TRUE(admin.status.ok()) << admin.status.error_message();
  EXPECT_EQ(admin.response.text(), "again");

  EXPECT_THAT(service_->tenants(), ElementsAre("globex", "acme"));
  EXPECT_THAT(service_->subjects(), ElementsAre("director-user", "admin-user"));
}

TEST_F(ServerTest, RefusesWorkBeyondAFullQueue) {
  // One worker, one queue slot: "block" occupies the worker, "queued" the slot.
  StartServer(/*threads=*/1, /*max_queue=*/1);
  CallResult running, queued;
  std::thread a([&] { running = EchoAsAdmin(kBlock); });
  ASSERT_TRUE(PollUntil([&] { return service_->executions() == 1; }));
  std::thread b([&] { queued = EchoAsAdmin("queued"); });
  ASSERT_TRUE(PollUntil([&] { return pool_->queued() == 1; }));

  for (int i = 0; i < 3; ++i) {
    const CallResult refused = EchoAsAdmin("refused");
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(refused.status.error_message(), HasSubstr("overloaded"));
  }
  gate_.Open();
  a.join();
  b.join();
  EXPECT_TRUE(running.status.ok()) << running.status.error_message();
  EXPECT_TRUE(queued.status.ok()) << queued.status.error_message();
  EXPECT_THAT(service_->texts(), ElementsAre(kBlock, "queued"));

  // Refused calls are logged with the caller's tenant too.
  int refused_lines = 0;
  for (const nlohmann::json& j : RpcLogLines()) {
    if (j.value("status", "") != "RESOURCE_EXHAUSTED") continue;
    ++refused_lines;
    EXPECT_EQ(j.value("tenant", "?"), "acme") << j.dump();
  }
  EXPECT_EQ(refused_lines, 3);
}

TEST_F(ServerTest, AConcurrentBurstIsServedOrRefusedAndNothingHangs) {
  StartServer(/*threads=*/1, /*max_queue=*/1);
  constexpr int kCalls = 8;
  std::vector<CallResult> results(kCalls);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const std::string token = Bearer(Role::kAdmin);
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = Echo(absl::StrCat("call-", i), /*sleep_ms=*/300, token, absl::Seconds(20));
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();  // every call ends well before its 20 s deadline

  int ok = 0, refused = 0;
  for (const CallResult& r : results) {
    if (r.status.ok()) {
      ++ok;
    } else if (r.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
    } else {
      ADD_FAILURE() << "unexpected status " << r.status.error_code() << ": "
                    << r.status.error_message();
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(refused, 1);
  EXPECT_EQ(ok + refused, kCalls);
  EXPECT_EQ(service_->executions(), ok);  // refused calls never ran
}

TEST_F(ServerTest, ACallWhoseDeadlinePassesInTheQueueNeverRuns) {
  StartServer(/*threads=*/1, /*max_queue=*/4);
  CallResult first, late;
  std::thread a([&] { first = EchoAsAdmin(kBlock); });
  ASSERT_TRUE(PollUntil([&] { return service_->executions() == 1; }));
  std::thread b([&] { late = EchoAsAdmin("late", 0, absl::Milliseconds(300)); });
  ASSERT_TRUE(PollUntil([&] { return pool_->queued() == 1; }));
  b.join();  // its deadline passes while "block" holds the only worker
  EXPECT_EQ(late.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server's deadline (from the grpc-timeout header) can trail the client's
  // by a little: the worker must only reach the call once it has passed there too.
  ASSERT_TRUE(
      PollUntil([&] { return std::chrono::system_clock::now() > service_->deadline("late"); }));

  gate_.Open();
  a.join();
  EXPECT_TRUE(first.status.ok()) << first.status.error_message();
  // The server finishes the late call when the worker reaches it.
  ASSERT_TRUE(PollUntil([&] { return RpcLogLines().size() == 2; }));
  EXPECT_THAT(RpcLogStatuses(), ::testing::UnorderedElementsAre("OK", "DEADLINE_EXCEEDED"));
  EXPECT_THAT(service_->texts(), ElementsAre(kBlock));
}

TEST_F(ServerTest, AThrowingHandlerIsInternalAndTheServerStaysUp) {
  StartServer(/*threads=*/1);
  const CallResult thrown = EchoAsAdmin(kThrow);
  EXPECT_EQ(thrown.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(thrown.status.error_message(), HasSubstr("boom"));

  const CallResult after = EchoAsAdmin("still here");
  ASSERT_TRUE(after.status.ok()) << after.status.error_message();
  EXPECT_EQ(after.response.text(), "still here");
  EXPECT_EQ(CheckHealth(*channel_, "").value_or(-1), kServing);
}

TEST_F(ServerTest, LogsOneJsonLinePerRpc) {
  StartServer();
  EXPECT_TRUE(Echo("ok", /*sleep_ms=*/50, Bearer(Role::kAdmin, "acme")).status.ok());
  EXPECT_FALSE(Echo("denied", 0, Bearer(Role::kRep, "globex")).status.ok());
  EXPECT_FALSE(Echo("anonymous", 0, "").status.ok());
  EXPECT_FALSE(Echo(kThrow, 0, Bearer(Role::kDirector, "initech")).status.ok());
  ASSERT_EQ(CheckHealth(*channel_, "").value_or(-1), kServing);  // not a ServeUnary call

  const std::vector<nlohmann::json> lines = RpcLogLines();
  ASSERT_EQ(lines.size(), 4u);
  const struct {
    const char* status;
    const char* tenant;
    const char* level;
  } want[] = {{"OK", "acme", "info"},
              {"PERMISSION_DENIED", "globex", "info"},
              {"UNAUTHENTICATED", "", "info"},
              {"INTERNAL", "initech", "warn"}};
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i].dump());
    EXPECT_EQ(lines[i].value("method", ""), kEchoMethod);
    EXPECT_EQ(lines[i].value("status", ""), want[i].status);
    EXPECT_EQ(lines[i].value("tenant", "?"), want[i].tenant);
    EXPECT_EQ(lines[i].value("level", ""), want[i].level);
    ASSERT_TRUE(lines[i].contains("latency_ms") && lines[i]["latency_ms"].is_number());
    EXPECT_GE(lines[i]["latency_ms"].get<double>(), 0.0);
  }
  // The first call slept 50 ms in its handler.
  EXPECT_GE(lines[0]["latency_ms"].get<double>(), 50.0);
  EXPECT_LT(lines[1]["latency_ms"].get<double>(), lines[0]["latency_ms"].get<double>());
}

TEST_F(ServerTest, ShutdownFinishesInFlightCallsAndRefusesNewOnes) {
  StartServer(/*threads=*/2, /*max_queue=*/8, /*grace=*/absl::Seconds(20));
  CallResult in_flight;
  std::thread a([&] { in_flight = EchoAsAdmin(kBlock); });
  ASSERT_TRUE(PollUntil([&] { return service_->executions() == 1; }));

  std::atomic<bool> shutdown_returned{false};
  std::thread stopper([&] {
    server_->Shutdown();
    shutdown_returned = true;
  });
  // Once shutdown has begun the server takes no new calls, health checks included.
  ASSERT_TRUE(PollUntil([&] { return !CheckHealth(*channel_, "", absl::Seconds(1)).ok(); }));
  const CallResult refused = EchoAsAdmin("too late", 0, absl::Seconds(5));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.status.error_message();
  EXPECT_FALSE(shutdown_returned.load()) << "Shutdown did not wait for the call in flight";

  gate_.Open();
  a.join();
  stopper.join();
  EXPECT_TRUE(in_flight.status.ok()) << in_flight.status.error_message();
  EXPECT_THAT(service_->texts(), ElementsAre(kBlock));
}

TEST_F(ServerTest, ShutdownCancelsWhatOutlastsTheGracePeriod) {
  const absl::Duration grace = absl::Milliseconds(300);
  StartServer(/*threads=*/2, /*max_queue=*/8, grace);
  CallResult slow;
  std::thread a([&] { slow = EchoAsAdmin("slow", /*sleep_ms=*/30000); });
  ASSERT_TRUE(PollUntil([&] { return service_->executions() == 1; }));

  const absl::Time start = absl::Now();
  server_->Shutdown();
  const absl::Duration took = absl::Now() - start;
  a.join();
  EXPECT_GE(took, grace);
  EXPECT_LT(took, grace + absl::Seconds(1));
  EXPECT_EQ(slow.status.error_code(), grpc::StatusCode::UNAVAILABLE) << slow.status.error_message();
}

// Work on the pool cannot be interrupted: Shutdown waits for a handler that
// ignores cancellation, but its caller is answered when the grace period ends.
TEST_F(ServerTest, AHandlerIgnoringCancellationHoldsShutdownButNotItsCaller) {
  const absl::Duration grace = absl::Milliseconds(300);
  StartServer(/*threads=*/2, /*max_queue=*/8, grace);
  CallResult stuck;
  std::thread a([&] { stuck = EchoAsAdmin(kBlock); });
  ASSERT_TRUE(PollUntil([&] { return service_->executions() == 1; }));

  const absl::Time start = absl::Now();
  std::atomic<bool> shutdown_returned{false};
  std::thread stopper([&] {
    server_->Shutdown();
    shutdown_returned = true;
  });
  a.join();
  const absl::Duration answered_after = absl::Now() - start;
  EXPECT_EQ(stuck.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << stuck.status.error_message();
  EXPECT_GE(answered_after, grace);
  EXPECT_LT(answered_after, grace + absl::Seconds(1));
  EXPECT_FALSE(shutdown_returned.load());

  gate_.Open();
  stopper.join();
}

}  // namespace
}  // namespace attain
