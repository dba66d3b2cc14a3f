// End to end: `attainctl demo generate` writes a small data set, `attainctl
// ingest` streams every file to the real attain-ingest (with attain-target,
// PostgreSQL and Redis): the first run accepts everything, the second finds
// only duplicates. Also: rows that cannot be read are reported by line and
// not sent, and the service's rejections come back with their CSV line.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "nlohmann/json.hpp"
#include "tests/support/run_command.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain {
namespace {

using ::attain::testing::PgTestServer;
using ::attain::testing::RedisTestServer;
using ::attain::testing::ServiceProcess;
using ::testing::HasSubstr;

constexpr char kJwtKey[] = "attainctl-ingest-e2e-signing-key-0123456789";

using CliResult = ::attain::testing::CommandResult;
using ::attain::testing::ReadFile;

// Runs attainctl with `args`, without any ATTAIN_* variable of the test's
// environment.
CliResult RunCli(const std::vector<std::string>& args) {
  return ::attain::testing::RunCommand(ATTAINCTL_BINARY, args);
}

class AttainctlIngestE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_ = new RedisTestServer();
    const std::string db = PgTestServer::Shared().CreateDatabase("attainctl_ingest_e2e");
    auto target =
        ServiceProcess::Start({ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kJwtKey}, {}});
    ASSERT_TRUE(target.ok()) << target.status();
    target_ = target->release();
    auto ingest = ServiceProcess::Start({ATTAIN_INGEST_BINARY,
                                         {"--pg-url", db, "--redis-url", redis_->url(), "--jwt-key",
                                          kJwtKey, "--target-addr", target_->address()},
                                         {}});
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = ingest->release();
  }
  static void TearDownTestSuite() {
    delete ingest_;
    delete target_;
    delete redis_;
    ingest_ = nullptr;
    target_ = nullptr;
    redis_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(target_, nullptr);
    ASSERT_NE(ingest_, nullptr);
    char tmpl[] = "/tmp/attainctl-ingest-data-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  // attainctl --addr … --ingest-addr … --token <admin of `tenant`> args…
  CliResult Ctl(const std::string& tenant, const std::vector<std::string>& args) const {
    Principal p;
    p.tenant = tenant;
    p.subject = "operator";
    p.role = Role::kAdmin;
    absl::StatusOr<std::string> token = MintToken(kJwtKey, p, absl::Now(), absl::Hours(1));
    EXPECT_TRUE(token.ok()) << token.status();
    std::vector<std::string> all = {"--addr",        target_->address(),
                                    "--ingest-addr", ingest_->address(),
                                    "--token",       token.ok() ? *token : ""};
    all.insert(all.end(), args.begin(), args.end());
    return RunCli(all);
  }

  static nlohmann::json Json(const CliResult& r) {
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r;
    return j;
  }

  std::string dir_;
  static RedisTestServer* redis_;
  static ServiceProcess* target_;
  static ServiceProcess* ingest_;
};

RedisTestServer* AttainctlIngestE2eTest::redis_ = nullptr;
ServiceProcess* AttainctlIngestE2eTest::target_ = nullptr;
ServiceProcess* AttainctlIngestE2eTest::ingest_ = nullptr;

const std::vector<std::pair<std::string, std::string>> kFiles = {
    {"customers.csv", "customers"},   {"orders.csv", "orders"},
    {"payments.csv", "payments"},     {"receivables.csv", "receivables"},
    {"follow-ups.csv", "follow-ups"}, {"opportunities.csv", "opportunities"},
    {"surveys.csv", "surveys"},       {"ratings.csv", "ratings"},
    {"knowledge.csv", "knowledge"},   {"reports.csv", "reports"}};

TEST_F(AttainctlIngestE2eTest, GeneratedDataIsAcceptedOnceAndDuplicateTheSecondTime) {
  const std::string tenant = "acme-gen";
  CliResult load = Ctl(tenant, {"demo", "load", "--period", "2026-Q4"});
  ASSERT_EQ(load.code, 0) << load;

  CliResult gen = Ctl(tenant, {"demo", "generate", "--out", dir_, "--customers", "30", "--days",
                               "21", "--start", "2026-10-01", "--seed", "3", "--json"});
  ASSERT_EQ(gen.code, 0) << gen;
  const nlohmann::json files = Json(gen)["files"];
  ASSERT_EQ(files.size(), kFiles.size()) << gen;
  // Same seed, same files.
  const std::string again = dir_ + "/again";
  ASSERT_EQ(Ctl(tenant, {"demo", "generate", "--out", again, "--customers", "30", "--days", "21",
                         "--start", "2026-10-01", "--seed", "3"})
                .code,
            0);
  for (const auto& [file, kind] : kFiles) {
    EXPECT_EQ(ReadFile(dir_ + "/" + file), ReadFile(again + "/" + file)) << file;
  }

  std::map<std::string, int64_t> first_accepted;
  for (int run = 1; run <= 2; ++run) {
    for (const auto& [file, kind] : kFiles) {
      SCOPED_TRACE(absl::StrCat("run ", run, ", ", file));
      CliResult r =
          Ctl(tenant, {"ingest", dir_ + "/" + file, "--kind", kind, "--batch", "50", "--json"});
      ASSERT_EQ(r.code, 0) << r;
      const nlohmann::json j = Json(r);
      const int64_t events = j["events"].get<int64_t>();
      EXPECT_TRUE(j["completed"].get<bool>()) << r;
      EXPECT_EQ(j["acknowledged"].get<int64_t>(), events) << r;
      EXPECT_EQ(j["unparsable_rows"].get<int64_t>(), 0) << r;
      EXPECT_EQ(j["rejected"].get<int64_t>(), 0) << r;
      EXPECT_EQ(j["stale_version"].get<int64_t>(), 0) << r;
      if (run == 1) {
        EXPECT_GT(events, 0) << r;
        EXPECT_EQ(j["accepted"].get<int64_t>(), events) << r;
        first_accepted[file] = events;
      } else {
        EXPECT_EQ(j["accepted"].get<int64_t>(), 0) << r;
        EXPECT_EQ(j["duplicate"].get<int64_t>(), events) << r;
        EXPECT_EQ(events, first_accepted[file]);
      }
    }
  }
}

TEST_F(AttainctlIngestE2eTest, BadRowsAreNotSentAndRejectionsNameTheirLine) {
  const std::string tenant = "acme-bad";
  ASSERT_EQ(Ctl(tenant, {"demo", "load", "--period", "2026-Q4"}).code, 0);
  const std::string path = dir_ + "/orders.csv";
  std::ofstream(path)
      << "event_id,occurred_at,order_id,version,customer_id,rep_id,product_line_id,amount,"
         "gross_profit,currency,status,signed_date\n"
         "o-1,2026-10-02T10:00:00+08:00,o-1,1,c-1,rep-e1-1,a,\"1,234.50\",100,CNY,signed,"
         "2026-10-02\n"
         "o-2,2026-10-02T10:00:00+08:00,o-2,1,c-1,rep-e1-1,a,12.345,1,CNY,signed,2026-10-02\n"
         "o-3,2026-10-02T10:00:00+08:00,o-3,1,c-1,rep-e1-1,a,-5,1,CNY,signed,2026-10-02\n"
         "o-1,2026-10-02T10:00:00+08:00,o-1,1,c-1,rep-e1-1,a,\"1,234.50\",100,CNY,signed,"
         "2026-10-02\n";
  CliResult r = Ctl(tenant, {"ingest", path, "--kind", "orders", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = Json(r);
  EXPECT_EQ(j["events"].get<int64_t>(), 3) << r;
  EXPECT_EQ(j["accepted"].get<int64_t>(), 1) << r;
  EXPECT_EQ(j["duplicate"].get<int64_t>(), 1) << r;
  EXPECT_EQ(j["rejected"].get<int64_t>(), 1) << r;
  ASSERT_EQ(j["unparsable"].size(), 1u) << r;
  EXPECT_EQ(j["unparsable"][0]["line"].get<int>(), 3) << r;
  EXPECT_EQ(j["unparsable"][0]["field"].get<std::string>(), "amount") << r;
  ASSERT_EQ(j["rejections"].size(), 1u) << r;
  EXPECT_EQ(j["rejections"][0]["line"].get<int>(), 4) << r;
  EXPECT_EQ(j["rejections"][0]["field"].get<std::string>(), "order.amount.minor_units") << r;

  // A file of another kind's columns is refused before anything is sent.
  CliResult wrong = Ctl(tenant, {"ingest", path, "--kind", "payments"});
  EXPECT_EQ(wrong.code, 1) << wrong;
  EXPECT_THAT(wrong.err, HasSubstr("not a field of Payment")) << wrong;
}

TEST_F(AttainctlIngestE2eTest, NoServiceFailsAfterRetries) {
  const std::string path = dir_ + "/k.csv";
  std::ofstream(path) << "event_id,occurred_at,entry_id,rep_id,role,topic,date\n"
                         "k-1,2026-10-02T10:00:00+08:00,k-1,rep-e1-1,gave,t,2026-10-02\n";
  // Port 1 on loopback: nothing listens there.
  CliResult r = RunCli({"--ingest-addr", "127.0.0.1:1", "ingest", path, "--kind", "knowledge"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("UNAVAILABLE")) << r;
  EXPECT_THAT(r.err, HasSubstr("reconnecting")) << r;
}

}  // namespace
}  // namespace attain
