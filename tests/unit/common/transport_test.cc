// Pure parts of common/transport.h: which addresses are loopback, the
// dependency channels' service config, and the client's plaintext rule.
#include "common/transport.h"

#include <gtest/gtest.h>

#include <string>

#include "nlohmann/json.hpp"

namespace attain {
namespace {

TEST(TransportTest, LoopbackAddresses) {
  for (const char* a : {"127.0.0.1:7401", "127.8.9.10:1", "localhost:7401", "[::1]:7401",
                        "dns:///localhost:7401", "dns:localhost:1", "ipv4:127.0.0.1:1,127.0.0.2:2",
                        "ipv6:[::1]:5", "unix:/tmp/x.sock", "LOCALHOST:1"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a : {"0.0.0.0:7401", "10.1.2.3:7401", "[::]:1", "example.com:1",
                        "dns:///attain-target.attain.svc:7401", "ipv4:127.0.0.1:1,10.0.0.1:2",
                        "127.0.0.256:1", "127.0.0:1", "localhost.example.com:1", "", "[::1:5"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

TEST(TransportTest, ServiceConfigRetriesOnlyUnavailableAndBalances) {
  DependencyChannelOptions o;
  o.default_timeout = absl::Milliseconds(2500);
  o.max_attempts = 3;
  nlohmann::json config = nlohmann::json::parse(DependencyServiceConfig(o));
  EXPECT_EQ(config["loadBalancingConfig"][0].begin().key(), "round_robin");
  const nlohmann::json& method = config["methodConfig"][0];
  EXPECT_EQ(method["timeout"], "2.500s");
  EXPECT_EQ(method["retryPolicy"]["maxAttempts"], 3);
  EXPECT_EQ(method["retryPolicy"]["retryableStatusCodes"], nlohmann::json::array({"UNAVAILABLE"}));
}

TEST(TransportTest, ClientPlaintextOnlyToLoopback) {
  TransportOptions none;
  absl::StatusOr<Transport> local = Transport::LoadClient(none, {{"--addr", "127.0.0.1:7401"}});
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_TRUE(local->plaintext());
  absl::StatusOr<Transport> remote =
      Transport::LoadClient(none, {{"--addr", "127.0.0.1:7401"}, {"--eval-addr", "10.0.0.5:1"}});
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find("--eval-addr=10.0.0.5:1"), std::string::npos)
      << remote.status();
  TransportOptions missing;
  missing.ca_file = "/nonexistent/ca.crt";
  absl::StatusOr<Transport> bad = Transport::LoadClient(missing, {{"--addr", "10.0.0.5:1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--tls-ca-file"), std::string::npos) << bad.status();
}

TEST(TransportTest, ServerNeedsTlsOrExplicitLoopbackPlaintext) {
  TransportOptions none;
  EXPECT_FALSE(Transport::Load(none, {{"--listen", "127.0.0.1:0"}}).ok());
  TransportOptions plain;
  plain.plaintext = true;
  EXPECT_TRUE(Transport::Load(plain, {{"--listen", "127.0.0.1:0"}}).ok());
  EXPECT_FALSE(Transport::Load(plain, {{"--listen", "0.0.0.0:7401"}}).ok());
}

}  // namespace
}  // namespace attain
