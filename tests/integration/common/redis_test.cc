// RedisClient against a real redis-server (started by the harness).
#include "common/redis.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tests/support/test_servers.h"

namespace attain {
namespace {

using ::testing::HasSubstr;
using Type = RedisReply::Type;

// The script of the Eval tests and its SHA1, from
// `printf '%s' "<script>" | sha1sum`.
constexpr char kIncrBy[] = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
constexpr char kIncrBySha[] = "8cd00688c05c46bde4a2e60658ef20a2e5c0b248";

class RedisTest : public ::testing::Test {
 protected:
  RedisClient::Options Options(absl::Duration timeout = absl::Seconds(2)) {
    absl::StatusOr<RedisClient::Options> options = RedisClient::ParseUrl(server_.url());
    EXPECT_TRUE(options.ok()) << options.status();
    options->connect_timeout = timeout;
    options->command_timeout = timeout;
    return *options;
  }

  // The reply, failing the test on a transport error.
  RedisReply Must(RedisClient& client, const std::vector<std::string>& args) {
    absl::StatusOr<RedisReply> reply = client.Command(args);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : RedisReply{};
  }

  // `calls` of one command in INFO commandstats (0 if never called).
  int64_t Calls(RedisClient& client, const std::string& command) {
    RedisReply info = Must(client, {"INFO", "commandstats"});
    for (absl::string_view line : absl::StrSplit(info.str, "\r\n")) {
      std::string prefix = "cmdstat_" + command + ":calls=";
      if (absl::StartsWith(line, prefix)) {
        line.remove_prefix(prefix.size());
        int64_t calls = 0;
        EXPECT_TRUE(absl::SimpleAtoi(line.substr(0, line.find(',')), &calls)) << line;
        return calls;
      }
    }
    return 0;
  }

  attain::testing::RedisTestServer server_;
};

TEST(RedisUrlTest, Parses) {
  absl::StatusOr<RedisClient::Options> o = RedisClient::ParseUrl("redis://10.0.0.7:6380/2");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "10.0.0.7");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->db, 2);

  o = RedisClient::ParseUrl("redis://cache");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "cache");
  EXPECT_EQ(o->port, 6379);
  EXPECT_EQ(o->db, 0);

  o = RedisClient::ParseUrl("redis://[::1]:7000/");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 7000);
}

TEST(RedisUrlTest, RejectsMalformed) {
  for (const char* url : {"http://h:1", "redis://:6379", "redis://h:0", "redis://h:70000",
                          "redis://h:x", "redis://h:1/-1", "redis://h:1/db", "redis://u:p@h:1"}) {
    absl::StatusOr<RedisClient::Options> o = RedisClient::ParseUrl(url);
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << url;
    if (!o.ok()) {
      EXPECT_THAT(o.status().message(), HasSubstr(url));
    }
  }
}

TEST_F(RedisTest, Commands) {
  RedisClient client(Options());
  EXPECT_EQ(Must(client, {"SET", "k", std::string("a\0b", 3)}).type, Type::kStatus);
  RedisReply got = Must(client, {"GET", "k"});
  EXPECT_EQ(got.type, Type::kString);
  EXPECT_EQ(got.str, std::string("a\0b", 3));  // binary safe

  EXPECT_EQ(Must(client, {"GET", "missing"}).type, Type::kNil);

  RedisReply n = Must(client, {"INCRBY", "counter", "1500"});
  EXPECT_EQ(n.type, Type::kInteger);
  EXPECT_EQ(n.integer, 1500);
  EXPECT_EQ(Must(client, {"INCRBY", "counter", "-20"}).integer, 1480);

  Must(client, {"ZADD", "board", "30", "ann", "20", "bob"});
  RedisReply range = Must(client, {"ZREVRANGE", "board", "0", "-1", "WITHSCORES"});
  ASSERT_EQ(range.type, Type::kArray);
  ASSERT_EQ(range.elements.size(), 4u);
  EXPECT_EQ(range.elements[0].str, "ann");
  EXPECT_EQ(range.elements[1].str, "30");
  EXPECT_EQ(range.elements[2].str, "bob");
  EXPECT_EQ(range.elements[3].str, "20");

  // A server error is a reply, not a failed call; the connection stays usable.
  RedisReply err = Must(client, {"INCR", "k"});
  EXPECT_EQ(err.type, Type::kError);
  EXPECT_THAT(err.str, HasSubstr("not an integer"));
  EXPECT_EQ(Must(client, {"PING"}).str, "PONG");

  EXPECT_EQ(client.Command({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisTest, SelectsDatabaseFromUrl) {
  absl::StatusOr<RedisClient::Options> db3 = RedisClient::ParseUrl(server_.url() + "/3");
  ASSERT_TRUE(db3.ok());
  RedisClient in3(*db3);
  RedisClient in0(Options());
  Must(in3, {"SET", "where", "three"});
  EXPECT_EQ(Must(in3, {"GET", "where"}).str, "three");
  EXPECT_EQ(Must(in0, {"GET", "where"}).type, Type::kNil);
}

TEST_F(RedisTest, PipelineRepliesInOrder) {
  RedisClient client(Options());
  absl::StatusOr<std::vector<RedisReply>> replies = client.Pipeline({
      {"SET", "a", "1"},
      {"INCRBY", "a", "5"},
      {"HINCRBY", "a", "f", "1"},  // wrong type: an error reply in its place
      {"GET", "a"},
      {"HGETALL", "none"},
  });
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 5u);
  EXPECT_EQ((*replies)[0].str, "OK");
  EXPECT_EQ((*replies)[1].integer, 6);
  EXPECT_EQ((*replies)[2].type, Type::kError);
  EXPECT_EQ((*replies)[3].str, "6");
  EXPECT_EQ((*replies)[4].type, Type::kArray);
  EXPECT_TRUE((*replies)[4].elements.empty());

  absl::StatusOr<std::vector<RedisReply>> none = client.Pipeline({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(client.Pipeline({{"PING"}, {}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisTest, EvalUsesShaAndFallsBackAfterScriptFlush) {
  RedisClient client(Options());
  Must(client, {"SCRIPT", "FLUSH"});
  Must(client, {"CONFIG", "RESETSTAT"});

  // Not cached yet: EVALSHA fails with NOSCRIPT and the client sends the body once.
  absl::StatusOr<RedisReply> r = client.Eval(kIncrBy, {"total"}, {"40"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, 40);
  EXPECT_EQ(Calls(client, "eval"), 1);
  RedisReply exists = Must(client, {"SCRIPT", "EXISTS", kIncrBySha});
  ASSERT_EQ(exists.elements.size(), 1u);
  EXPECT_EQ(exists.elements[0].integer, 1);  // the client's SHA1 is the server's

  // Cached: only EVALSHA.
  r = client.Eval(kIncrBy, {"total"}, {"2"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, 42);
  EXPECT_EQ(Calls(client, "eval"), 1);
  EXPECT_GE(Calls(client, "evalsha"), 2);

  // After SCRIPT FLUSH the fallback runs again.
  Must(client, {"SCRIPT", "FLUSH"});
  r = client.Eval(kIncrBy, {"total"}, {"-2"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, 40);
  EXPECT_EQ(Calls(client, "eval"), 2);
  EXPECT_EQ(Must(client, {"SCRIPT", "LOAD", kIncrBy}).str, kIncrBySha);
}

TEST_F(RedisTest, ScriptErrorIsAnErrorReply) {
  RedisClient client(Options());
  absl::StatusOr<RedisReply> r = client.Eval("return redis.error_reply('no such rep')", {}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, Type::kError);
  EXPECT_THAT(r->str, HasSubstr("no such rep"));
}

TEST_F(RedisTest, ConcurrentCallsAreSerialised) {
  RedisClient client(Options());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(client.Command({"INCR", "n"}).ok());
        EXPECT_TRUE(client.Pipeline({{"INCR", "n"}, {"INCR", "n"}}).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Must(client, {"GET", "n"}).str, "600");  // 4 threads × 50 × 3
}

TEST_F(RedisTest, SlowReplyTimesOutAndNextCallReconnects) {
  RedisClient client(Options(/*timeout=*/absl::Milliseconds(300)));
  const absl::Time start = absl::Now();
  // BLPOP on an empty list blocks for 5 s on the server.
  absl::StatusOr<RedisReply> r = client.Command({"BLPOP", "empty", "5"});
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_GE(took, absl::Milliseconds(250));
  EXPECT_LT(took, absl::Seconds(3));
  // A fresh connection, not the one still waiting for the BLPOP reply.
  EXPECT_EQ(Must(client, {"ECHO", "fresh"}).str, "fresh");
}

TEST_F(RedisTest, ServerDownIsUnavailableAndClientRecoversAfterRestart) {
  RedisClient client(Options(/*timeout=*/absl::Milliseconds(500)));
  Must(client, {"SET", "before", "1"});

  server_.Stop();
  for (int i = 0; i < 3; ++i) {  // the dropped connection, then refused reconnects
    const absl::Time start = absl::Now();
    absl::StatusOr<RedisReply> r = client.Command({"GET", "before"});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  }
  EXPECT_EQ(client.Pipeline({{"PING"}}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client.Eval(kIncrBy, {"x"}, {"1"}).status().code(), absl::StatusCode::kUnavailable);

  server_.Start();
  RedisReply r = Must(client, {"GET", "before"});
  EXPECT_EQ(r.type, Type::kNil);  // the restarted server is empty: Redis is only a cache
  absl::StatusOr<RedisReply> e = client.Eval(kIncrBy, {"x"}, {"7"});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->integer, 7);
}

TEST_F(RedisTest, RestartBetweenCallsFailsAtMostOneCall) {
  RedisClient client(Options(/*timeout=*/absl::Milliseconds(500)));
  Must(client, {"PING"});
  server_.Stop();
  server_.Start();
  // The old connection is dead; the first call may find out, the next one reconnects.
  absl::StatusOr<RedisReply> first = client.Command({"PING"});
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(Must(client, {"PING"}).str, "PONG");
}

}  // namespace
}  // namespace attain
