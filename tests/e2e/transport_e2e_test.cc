// End-to-end tests of the transport and operability of the real binaries:
// TLS and mutual TLS (certificates made here with openssl by a throwaway CA),
// plaintext refused off loopback, calls between services that answer
// promptly when their dependency hangs or dies, health that follows
// PostgreSQL and Redis, and the Prometheus metrics endpoint.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/run_command.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain {
namespace {

using ::attain::testing::CheckHealth;
using ::attain::testing::FreePort;
using ::attain::testing::PgTestServer;
using ::attain::testing::ReadFile;
using ::attain::testing::RedisTestServer;
using ::attain::testing::RunCommand;
using ::attain::testing::ServiceProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kJwtKey[] = "transport-e2e-test-signing-key-0123456789abcdef";
constexpr int kServing = 1;
constexpr int kNotServing = 2;

std::string Sh(const std::string& script) {
  auto r = RunCommand("/bin/sh", {"-c", script}, {}, absl::Seconds(60));
  EXPECT_EQ(r.code, 0) << r;
  return r.out;
}

// A CA and certificates for localhost/127.0.0.1 in a temporary folder:
// ca.crt, target/ingest/client.{crt,key}, and rogue-ca.crt with
// rogue.{crt,key} (a certificate from a CA the services do not trust).
class Pki {
 public:
  Pki() {
    char tmpl[] = "/tmp/attain-pki-XXXXXX";
    dir_ = mkdtemp(tmpl);
    MakeCa("ca");
    MakeCa("rogue-ca");
    for (const char* name : {"target", "ingest", "client"}) MakeCert(name, "ca");
    MakeCert("rogue", "rogue-ca");
  }
  ~Pki() { Sh("rm -rf '" + dir_ + "'"); }

  std::string Path(const std::string& file) const { return dir_ + "/" + file; }
  std::string Read(const std::string& file) const { return ReadFile(Path(file)); }

  // Channel credentials trusting `ca` and presenting `cert` ("" = none).
  std::shared_ptr<grpc::ChannelCredentials> Credentials(const std::string& ca,
                                                        const std::string& cert) const {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = Read(ca + ".crt");
    if (!cert.empty()) {
      o.pem_cert_chain = Read(cert + ".crt");
      o.pem_private_key = Read(cert + ".key");
    }
    return grpc::SslCredentials(o);
  }

  // The flags of a service presenting `name`'s certificate.
  std::vector<std::string> Flags(const std::string& name) const {
    return {"--tls-cert-file", Path(name + ".crt"), "--tls-key-file",           Path(name + ".key"),
            "--tls-ca-file",   Path("ca.crt"),      "--tls-require-client-cert"};
  }

 private:
  void MakeCa(const std::string& name) {
    Sh(absl::StrCat("cd '", dir_,
                    "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                    "-nodes -days 2 -subj '/CN=",
                    name, "' -keyout ", name, ".key -out ", name, ".crt 2>&1"));
  }
  void MakeCert(const std::string& name, const std::string& ca) {
    Sh(absl::StrCat(
        "cd '", dir_, "' && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 ",
        "-nodes -subj '/CN=", name, "' -keyout ", name, ".key -out ", name, ".csr 2>&1 && ",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth,",
        "clientAuth\\n' > ", name, ".ext && openssl x509 -req -in ", name, ".csr -CA ", ca,
        ".crt -CAkey ", ca, ".key -CAcreateserial -days 2 -sha256 -extfile ", name, ".ext -out ",
        name, ".crt 2>&1"));
  }
  std::string dir_;
};

std::string Token(const std::string& tenant, Role role) {
  Principal p{tenant, "tester", role, "", {}};
  absl::StatusOr<std::string> t = MintToken(kJwtKey, p, absl::Now(), absl::Hours(1));
  return t.ok() ? *t : "";
}

// One order of a rep the org does not know: ingest must ask attain-target
// where the rep works, so the answer tells whether that call got through.
grpc::Status IngestUnknownRepOrder(grpc::Channel& channel, const std::string& order_id,
                                   ingest::v1::IngestBatchResponse* response,
                                   absl::Duration deadline = absl::Seconds(20)) {
  auto stub = ingest::v1::IngestService::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + Token("t1", Role::kCrmIngest));
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  ingest::v1::IngestBatchRequest request;
  *request.add_events() =
      testing::OrderEvent(order_id, 1, "nobody-" + order_id, 1000, "2025-04-02");
  return stub->IngestBatch(&ctx, request, response);
}

std::string Describe(const grpc::Status& st) {
  return absl::StrCat(st.error_code(), ": ", st.error_message());
}

// GET http://127.0.0.1:port/metrics; "" if it cannot be read.
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) body.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return body;
}

// Scrapes until the exposition contains `line` or `timeout` passes; returns the last one.
std::string WaitForMetric(int port, const std::string& line,
                          absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time end = absl::Now() + timeout;
  std::string metrics;
  while (absl::Now() < end) {
    metrics = Scrape(port);
    if (absl::StrContains(metrics, line)) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return metrics;
}

// SIGSTOP takes effect asynchronously: waits until /proc says the process is stopped.
bool WaitUntilStopped(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    const std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
    const size_t paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'T') {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

// Polls `channel`'s health of `service` until it is `want` or `timeout` passes.
int WaitForHealth(grpc::Channel& channel, const std::string& service, int want,
                  absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time end = absl::Now() + timeout;
  int last = -1;
  while (absl::Now() < end) {
    absl::StatusOr<int> h = CheckHealth(channel, service, absl::Milliseconds(500));
    last = h.ok() ? *h : -1;
    if (last == want) return last;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return last;
}

// -------------------------------------------------------------- TLS, mTLS

TEST(TransportE2eTest, MutualTlsBetweenClientsAndServices) {
  Pki pki;
  const std::string db = PgTestServer::Shared().CreateDatabase("transport_tls");
  RedisTestServer redis;

  ServiceProcess::Options to;
  to.binary = ATTAIN_TARGET_BINARY;
  to.args = {"--pg-url", db, "--jwt-key", kJwtKey};
  for (const std::string& f : pki.Flags("target")) to.args.push_back(f);
  to.credentials = pki.Credentials("ca", "client");
  auto target = ServiceProcess::Start(to);  // its health answered over mTLS
  ASSERT_TRUE(target.ok()) << target.status();

  // Callers that do not speak TLS, present no certificate or one from another
  // CA, or do not trust the service's CA, are refused.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  const std::string addr = (*target)->address();
  struct Case {
    std::string name;
    std::shared_ptr<grpc::ChannelCredentials> creds;
    int want;  // health, or -1 for a failed call
  };
  const std::vector<Case> cases = {
      {"mutual TLS", pki.Credentials("ca", "client"), kServing},
      {"plaintext", grpc::InsecureChannelCredentials(), -1},
      {"TLS without a client certificate", pki.Credentials("ca", ""), -1},
      {"a client certificate of another CA", pki.Credentials("ca", "rogue"), -1},
      {"a client that does not trust the service's CA", pki.Credentials("rogue-ca", "client"), -1},
  };
  for (const Case& c : cases) {
    auto channel = grpc::CreateCustomChannel(addr, c.creds, args);
    absl::StatusOr<int> h = CheckHealth(*channel, "", absl::Seconds(3));
    EXPECT_EQ(h.ok() ? *h : -1, c.want) << c.name << ": " << h.status();
  }

  // attain-ingest calls attain-target over mutual TLS: the unknown rep is
  // reported by the target service (the call got through).
  ServiceProcess::Options io;
  io.binary = ATTAIN_INGEST_BINARY;
  io.args = {"--pg-url",  db,      "--redis-url",   redis.url(),
             "--jwt-key", kJwtKey, "--target-addr", addr};
  for (const std::string& f : pki.Flags("ingest")) io.args.push_back(f);
  io.credentials = pki.Credentials("ca", "client");
  auto ingest = ServiceProcess::Start(io);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ingest::v1::IngestBatchResponse resp;
  grpc::Status st = IngestUnknownRepOrder(*(*ingest)->NewChannel(), "tls-1", &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.outcomes_size(), 1);
  EXPECT_EQ(resp.outcomes(0).outcome(), ingest::v1::OUTCOME_REJECTED);
  EXPECT_THAT(resp.outcomes(0).reason(), HasSubstr("is not known"));

  // An ingest that presents a certificate the target does not trust cannot
  // place the rep: the caller gets a prompt UNAVAILABLE, nothing is stored.
  ServiceProcess::Options ro = io;
  ro.args = {"--pg-url",        db,
             "--redis-url",     redis.url(),
             "--jwt-key",       kJwtKey,
             "--target-addr",   addr,
             "--tls-cert-file", pki.Path("rogue.crt"),
             "--tls-key-file",  pki.Path("rogue.key"),
             "--tls-ca-file",   pki.Path("ca.crt")};
  ro.credentials = pki.Credentials("rogue-ca", "");
  auto rogue = ServiceProcess::Start(ro);
  ASSERT_TRUE(rogue.ok()) << rogue.status();
  const absl::Time start = absl::Now();
  st = IngestUnknownRepOrder(*(*rogue)->NewChannel(), "tls-2", &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(st);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(TransportE2eTest, PlaintextOnlyWhenAskedAndOnlyOnLoopback) {
  Pki pki;
  const std::string pg = "postgresql://nobody@127.0.0.1:1/none";
  struct Case {
    std::string name;
    std::string binary;
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no TLS and no --plaintext", ATTAIN_TARGET_BINARY, {}, "no transport security configured"},
      {"--plaintext on all interfaces",
       ATTAIN_TARGET_BINARY,
       {"--plaintext", "--listen", "0.0.0.0:0"},
       "allowed only on loopback, but --listen=0.0.0.0:0"},
      {"--plaintext to a remote dependency",
       ATTAIN_INGEST_BINARY,
       {"--plaintext", "--target-addr", "10.1.2.3:7401", "--redis-url", "redis://127.0.0.1:1"},
       "--target-addr=10.1.2.3:7401"},
      {"--plaintext with TLS files",
       ATTAIN_TARGET_BINARY,
       {"--plaintext", "--tls-ca-file", pki.Path("ca.crt")},
       "choose one"},
      {"a certificate without its key",
       ATTAIN_TARGET_BINARY,
       {"--tls-cert-file", pki.Path("target.crt")},
       "--tls-key-file (ATTAIN_TLS_KEY_FILE) is missing"},
      {"a key that is not PEM",
       ATTAIN_TARGET_BINARY,
       {"--tls-cert-file", pki.Path("target.crt"), "--tls-key-file", pki.Path("target.ext")},
       "is not PEM"},
      {"client certificates required without a CA",
       ATTAIN_TARGET_BINARY,
       {"--tls-cert-file", pki.Path("target.crt"), "--tls-key-file", pki.Path("target.key"),
        "--tls-require-client-cert"},
       "needs --tls-ca-file"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--pg-url", pg, "--jwt-key", kJwtKey};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = RunCommand(c.binary, args, {}, absl::Seconds(30));
    EXPECT_EQ(r.code, 1) << c.name << ": " << r;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.name;
  }
}

// ------------------------------------------------ deadlines between services

TEST(TransportE2eTest, HungOrDeadDependencyGivesAPromptAnswer) {
  const std::string db = PgTestServer::Shared().CreateDatabase("transport_deadline");
  RedisTestServer redis;
  ServiceProcess::Options to;
  to.binary = ATTAIN_TARGET_BINARY;
  to.args = {"--pg-url", db, "--jwt-key", kJwtKey};
  auto target = ServiceProcess::Start(to);
  ASSERT_TRUE(target.ok()) << target.status();
  ServiceProcess::Options io;
  io.binary = ATTAIN_INGEST_BINARY;
  const int metrics_port = FreePort();
  io.args = {"--pg-url",         db,
             "--redis-url",      redis.url(),
             "--jwt-key",        kJwtKey,
             "--target-addr",    (*target)->address(),
             "--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port)};
  auto ingest = ServiceProcess::Start(io);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  auto channel = (*ingest)->NewChannel();
  ingest::v1::IngestBatchResponse resp;
  ASSERT_TRUE(IngestUnknownRepOrder(*channel, "dl-0", &resp).ok());
  // The relay has nothing to apply: no lag (NaN until its first pass).
  EXPECT_THAT(WaitForMetric(metrics_port, "attain_outbox_lag_rows 0"),
              HasSubstr("attain_outbox_lag_rows 0"));

  // Hung: the target accepts connections but never answers. Ingest's call
  // to it has a 2 s deadline; the client's 20 s deadline is not reached.
  ASSERT_EQ(kill((*target)->pid(), SIGSTOP), 0);
  ASSERT_TRUE(WaitUntilStopped((*target)->pid()));
  absl::Time start = absl::Now();
  grpc::Status st = IngestUnknownRepOrder(*channel, "dl-1", &resp);
  absl::Duration took = absl::Now() - start;
  kill((*target)->pid(), SIGCONT);
  EXPECT_THAT(st.error_code(),
              ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED))
      << Describe(st);
  EXPECT_THAT(st.error_message(), HasSubstr("target service"));
  EXPECT_LT(took, absl::Seconds(5)) << Describe(st) << "\n" << (*ingest)->Log();

  // Dead: connections are refused; the retries (UNAVAILABLE only, with
  // backoff) give up within the deadline.
  (*target)->Kill();
  start = absl::Now();
  st = IngestUnknownRepOrder(*channel, "dl-2", &resp);
  took = absl::Now() - start;
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(st);
  EXPECT_LT(took, absl::Seconds(5));
}

// ----------------------------------------------- PostgreSQL late at start

TEST(TransportE2eTest, WaitsForPostgresAtStartWhenAsked) {
  const std::string db = PgTestServer::Shared().CreateDatabase("transport_late_pg");
  PgTestServer::Shared().Stop();
  // Without a wait: exits 1 at once, naming the problem.
  const absl::Time start = absl::Now();
  auto r =
      RunCommand(ATTAIN_TARGET_BINARY,
                 {"--plaintext", "--pg-url", db, "--jwt-key", kJwtKey, "--listen", "127.0.0.1:0"},
                 {}, absl::Seconds(60));
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  // With --pg-start-wait: serves once PostgreSQL is up (3 s later).
  std::thread later([] {
    absl::SleepFor(absl::Seconds(3));
    PgTestServer::Shared().Start();
  });
  ServiceProcess::Options to;
  to.binary = ATTAIN_TARGET_BINARY;
  to.args = {"--pg-url", db, "--jwt-key", kJwtKey, "--pg-start-wait", "60s"};
  to.start_timeout = absl::Seconds(60);
  auto target = ServiceProcess::Start(to);
  later.join();
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_THAT((*target)->Log(), HasSubstr("waiting for PostgreSQL"));
}

// ---------------------------------------------------- health and metrics

TEST(TransportE2eTest, HealthFollowsTheStoresAndMetricsAreServed) {
  const std::string db = PgTestServer::Shared().CreateDatabase("transport_health");
  RedisTestServer redis;
  const int metrics_port = FreePort();
  ServiceProcess::Options eo;
  eo.binary = ATTAIN_EVAL_BINARY;
  eo.args = {"--pg-url",          db,
             "--redis-url",       redis.url(),
             "--jwt-key",         kJwtKey,
             "--target-addr",     "127.0.0.1:1",
             "--ingest-addr",     "127.0.0.1:1",
             "--health-interval", "200ms",
             "--metrics-listen",  absl::StrCat("127.0.0.1:", metrics_port)};
  auto eval = ServiceProcess::Start(eo);
  ASSERT_TRUE(eval.ok()) << eval.status();
  auto channel = (*eval)->NewChannel();
  const std::string boards = "attain.eval.v1.LeaderboardService";
  const std::string cards = "attain.eval.v1.ScorecardService";
  EXPECT_EQ(WaitForHealth(*channel, boards, kServing), kServing);

  // A call of a method that does not exist must not add a label.
  grpc::GenericStub generic(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::ByteBuffer req, resp;
  grpc::Slice empty("");
  req = grpc::ByteBuffer(&empty, 1);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  generic.UnaryCall(&ctx, "/no.such.Service/Method", grpc::StubOptions(), &req, &resp,
                    [&](grpc::Status) {
                      std::lock_guard<std::mutex> lock(mu);
                      done = true;
                      cv.notify_one();
                    });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }

  // The probes' first round sets the dependency gauges.
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = Scrape(metrics_port);
    if (absl::StrContains(metrics, "attain_dependency_up{dependency=\"redis\"}")) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(metrics, HasSubstr("attain_rpc_requests_total{code=\"OK\",method=\"/grpc.health."
                                 "v1.Health/Check\"}"));
  EXPECT_THAT(metrics, HasSubstr("attain_rpc_duration_seconds_bucket{method=\"/grpc.health.v1."
                                 "Health/Check\",le=\"0.001\"}"));
  EXPECT_THAT(metrics, HasSubstr("attain_dependency_up{dependency=\"postgresql\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("attain_dependency_up{dependency=\"redis\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("attain_worker_pool_threads"));
  EXPECT_THAT(metrics, HasSubstr("attain_pg_pool_size"));
  EXPECT_THAT(metrics, Not(HasSubstr("no.such.Service")));

  // Redis down: the boards (and the server as a whole) are NOT_SERVING, the
  // scorecards still serve.
  redis.Stop();
  EXPECT_EQ(WaitForHealth(*channel, "", kNotServing), kNotServing);
  EXPECT_EQ(WaitForHealth(*channel, boards, kNotServing), kNotServing);
  EXPECT_EQ(WaitForHealth(*channel, cards, kServing), kServing);
  EXPECT_THAT(WaitForMetric(metrics_port, "attain_dependency_up{dependency=\"redis\"} 0"),
              HasSubstr("attain_dependency_up{dependency=\"redis\"} 0"));
  redis.Start();
  EXPECT_EQ(WaitForHealth(*channel, "", kServing), kServing);
  EXPECT_EQ(WaitForHealth(*channel, boards, kServing), kServing);

  // PostgreSQL down: everything is NOT_SERVING until it is back.
  PgTestServer::Shared().Stop();
  EXPECT_EQ(WaitForHealth(*channel, "", kNotServing, absl::Seconds(20)), kNotServing);
  EXPECT_EQ(WaitForHealth(*channel, cards, kNotServing, absl::Seconds(20)), kNotServing);
  EXPECT_THAT(Scrape(metrics_port), HasSubstr("attain_dependency_up{dependency=\"postgresql\"} 0"));
  PgTestServer::Shared().Start();
  EXPECT_EQ(WaitForHealth(*channel, "", kServing, absl::Seconds(20)), kServing);
  EXPECT_EQ(WaitForHealth(*channel, cards, kServing), kServing);

  // SIGTERM: NOT_SERVING, then a clean exit.
  EXPECT_EQ((*eval)->Terminate(), 0);
}

}  // namespace
}  // namespace attain
