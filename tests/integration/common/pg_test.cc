// PgPool and RunMigrations against a real PostgreSQL (started by the harness).
#include "common/pg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "tests/support/test_servers.h"

namespace attain {
namespace {

using ::testing::HasSubstr;

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = attain::testing::PgTestServer::Shared().CreateDatabase("pg_test");
  }

  std::unique_ptr<PgPool> MakePool(int size = 4,
                                   absl::Duration acquire_timeout = absl::Seconds(5)) {
    PgPool::Options options;
    options.url = url_;
    options.size = size;
    options.acquire_timeout = acquire_timeout;
    absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? std::move(*pool) : nullptr;
  }

  // One value from a fresh connection outside any pool.
  std::string QueryOne(const std::string& sql) {
    pqxx::connection conn(url_);
    pqxx::nontransaction tx(conn);
    return tx.exec1(sql)[0].c_str();
  }

  std::string url_;
};

TEST_F(PgTest, CommitsAndReadsBack) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->size(), 4);
  ASSERT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("CREATE TABLE t (k text PRIMARY KEY, v bigint NOT NULL)");
                    tx.exec_params0("INSERT INTO t VALUES ($1, $2), ($3, $4)", "a", 1500, "b", -20);
                    return absl::OkStatus();
                  })
                  .ok());
  int64_t sum = 0;
  ASSERT_TRUE(pool->InTransaction([&](pqxx::work& tx) {
                    sum = tx.exec1("SELECT sum(v) FROM t")[0].as<int64_t>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(sum, 1480);
  EXPECT_EQ(QueryOne("SELECT count(*) FROM t"), "2");
  EXPECT_EQ(pool->in_use(), 0);
}

TEST_F(PgTest, ReusesConnections) {
  auto pool = MakePool(/*size=*/2);
  ASSERT_NE(pool, nullptr);
  std::set<int> pids;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(pool->WithConnection([&](pqxx::connection& conn) {
                      pids.insert(conn.backendpid());
                      return absl::OkStatus();
                    })
                    .ok());
  }
  EXPECT_EQ(pids.size(), 1u);  // sequential use needs only the eagerly opened one
}

TEST_F(PgTest, CreateFailsFastWhenNoServerListens) {
  PgPool::Options options;
  options.url =
      absl::StrCat("postgresql://postgres@127.0.0.1:", attain::testing::FreePort(), "/postgres");
  options.connect_timeout = absl::Seconds(2);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kUnavailable) << pool.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(PgTest, RejectsBadOptions) {
  PgPool::Options options;
  options.url = url_;
  options.size = 0;
  EXPECT_EQ(PgPool::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PgTest, ExhaustedPoolIsUnavailableAfterAcquireTimeout) {
  auto pool = MakePool(/*size=*/1, /*acquire_timeout=*/absl::Milliseconds(300));
  ASSERT_NE(pool, nullptr);
  absl::Notification held, release;
  std::thread holder([&] {
    absl::Status s = pool->WithConnection([&](pqxx::connection&) {
      held.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  held.WaitForNotification();
  EXPECT_EQ(pool->in_use(), 1);

  const absl::Time start = absl::Now();
  bool ran = false;
  absl::Status s = pool->InTransaction([&](pqxx::work&) {
    ran = true;
    return absl::OkStatus();
  });
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_FALSE(ran);
  EXPECT_GE(waited, absl::Milliseconds(290));
  EXPECT_LT(waited, absl::Seconds(3));

  release.Notify();
  holder.join();
  EXPECT_TRUE(pool->InTransaction([](pqxx::work&) { return absl::OkStatus(); }).ok());
  EXPECT_EQ(pool->in_use(), 0);
}

TEST_F(PgTest, WaiterGetsConnectionReleasedWithinTimeout) {
  auto pool = MakePool(/*size=*/1, /*acquire_timeout=*/absl::Seconds(10));
  ASSERT_NE(pool, nullptr);
  absl::Notification held;
  std::thread holder([&] {
    EXPECT_TRUE(pool->WithConnection([&](pqxx::connection&) {
                      held.Notify();
                      absl::SleepFor(absl::Milliseconds(100));
                      return absl::OkStatus();
                    })
                    .ok());
  });
  held.WaitForNotification();
  EXPECT_TRUE(pool->InTransaction([](pqxx::work&) { return absl::OkStatus(); }).ok());
  holder.join();
}

TEST_F(PgTest, UniqueViolationIsAlreadyExists) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("CREATE TABLE t (k text PRIMARY KEY)");
                    tx.exec0("INSERT INTO t VALUES ('a')");
                    return absl::OkStatus();
                  })
                  .ok());
  absl::Status s = pool->InTransaction([](pqxx::work& tx) {
    tx.exec0("INSERT INTO t VALUES ('b')");
    tx.exec0("INSERT INTO t VALUES ('a')");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_THAT(s.message(), HasSubstr("duplicate key"));
  EXPECT_EQ(QueryOne("SELECT string_agg(k, ',') FROM t"), "a");  // 'b' rolled back
  EXPECT_EQ(pool->in_use(), 0);
  // The connection is still good.
  EXPECT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("INSERT INTO t VALUES ('c')");
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(PgTest, ConstraintAndDataErrorsMapToCallerCodes) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("CREATE TABLE p (id int PRIMARY KEY)");
                    tx.exec0("CREATE TABLE c (id int REFERENCES p, n int CHECK (n > 0))");
                    return absl::OkStatus();
                  })
                  .ok());
  auto run = [&](const char* sql) {
    return pool->InTransaction([sql](pqxx::work& tx) {
      tx.exec0(sql);
      return absl::OkStatus();
    });
  };
  EXPECT_EQ(run("INSERT INTO c VALUES (1, 1)").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(run("INSERT INTO p VALUES (1)").code(), absl::StatusCode::kOk);
  EXPECT_EQ(run("INSERT INTO c VALUES (1, 0)").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(run("SELECT 'x'::int").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run("SELECT * FROM no_such_table").code(), absl::StatusCode::kInternal);
}

TEST_F(PgTest, SerializationFailureIsAborted) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("CREATE TABLE t (k int PRIMARY KEY, v int)");
                    tx.exec0("INSERT INTO t VALUES (1, 0)");
                    return absl::OkStatus();
                  })
                  .ok());
  // A REPEATABLE READ transaction updates a row another transaction changed
  // after its snapshot was taken.
  absl::Status s = pool->InTransaction([&](pqxx::work& tx) {
    tx.exec0("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    tx.exec1("SELECT v FROM t WHERE k = 1");
    {
      pqxx::connection other(url_);
      pqxx::work w(other);
      w.exec0("UPDATE t SET v = v + 1 WHERE k = 1");
      w.commit();
    }
    tx.exec0("UPDATE t SET v = v + 10 WHERE k = 1");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_EQ(QueryOne("SELECT v FROM t"), "1");
}

TEST_F(PgTest, NonOkStatusRollsBack) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("CREATE TABLE t (k text PRIMARY KEY)");
                    return absl::OkStatus();
                  })
                  .ok());
  absl::Status s = pool->InTransaction([](pqxx::work& tx) {
    tx.exec0("INSERT INTO t VALUES ('kept?')");
    return absl::InvalidArgumentError("field x is bad");
  });
  EXPECT_EQ(s, absl::InvalidArgumentError("field x is bad"));
  EXPECT_EQ(QueryOne("SELECT count(*) FROM t"), "0");
  EXPECT_EQ(pool->in_use(), 0);
}

TEST_F(PgTest, OtherExceptionIsInternalAndRollsBack) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->InTransaction([](pqxx::work& tx) {
                    tx.exec0("CREATE TABLE t (k text PRIMARY KEY)");
                    return absl::OkStatus();
                  })
                  .ok());
  absl::Status s = pool->InTransaction([](pqxx::work& tx) -> absl::Status {
    tx.exec0("INSERT INTO t VALUES ('x')");
    throw std::runtime_error("bug in the store");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("bug in the store"));
  EXPECT_EQ(QueryOne("SELECT count(*) FROM t"), "0");
  EXPECT_EQ(pool->in_use(), 0);
}

// Terminates the backend of `pid` from a connection outside the pool and waits
// until it is gone.
void TerminateBackend(const std::string& url, int pid) {
  pqxx::connection admin(url);
  pqxx::nontransaction tx(admin);
  ASSERT_TRUE(tx.exec_params1("SELECT pg_terminate_backend($1, 5000)", pid)[0].as<bool>());
}

TEST_F(PgTest, IdleConnectionKilledByServerIsReplaced) {
  auto pool = MakePool(/*size=*/1);
  ASSERT_NE(pool, nullptr);
  int first_pid = 0;
  ASSERT_TRUE(pool->WithConnection([&](pqxx::connection& conn) {
                    first_pid = conn.backendpid();
                    return absl::OkStatus();
                  })
                  .ok());
  TerminateBackend(url_, first_pid);

  int second_pid = 0;
  absl::Status s = pool->InTransaction([&](pqxx::work& tx) {
    second_pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_NE(second_pid, 0);
  EXPECT_NE(second_pid, first_pid);
  EXPECT_EQ(pool->in_use(), 0);
}

TEST_F(PgTest, ConnectionLostMidTransactionIsUnavailableThenRecovers) {
  auto pool = MakePool(/*size=*/1);
  ASSERT_NE(pool, nullptr);
  int killed_pid = 0;
  absl::Status s = pool->InTransaction([&](pqxx::work& tx) {
    killed_pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    TerminateBackend(url_, killed_pid);
    tx.exec0("SELECT 1");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(pool->in_use(), 0);

  int pid = 0;
  s = pool->InTransaction([&](pqxx::work& tx) {
    pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_NE(pid, killed_pid);
}

TEST(StatusFromPqxxTest, MapsExceptionTypesAndSqlstates) {
  EXPECT_EQ(StatusFromPqxx(pqxx::unique_violation("dup", "INSERT", "23505")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusFromPqxx(pqxx::sql_error("dup", "INSERT", "23505")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusFromPqxx(pqxx::foreign_key_violation("fk", "INSERT", "23503")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromPqxx(pqxx::check_violation("check", "INSERT", "23514")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromPqxx(pqxx::sql_error("ser", "UPDATE", "40001")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromPqxx(pqxx::serialization_failure("ser")).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromPqxx(pqxx::deadlock_detected("deadlock")).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromPqxx(pqxx::broken_connection("gone")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromPqxx(pqxx::in_doubt_error("commit?")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromPqxx(pqxx::sql_error("timeout", "SELECT", "57014")).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromPqxx(pqxx::sql_error("syntax", "SELEC", "42601")).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(StatusFromPqxx(std::runtime_error("other")).code(), absl::StatusCode::kInternal);
  EXPECT_THAT(StatusFromPqxx(pqxx::sql_error("ERROR:  boom\n", "q", "XX000")).message(),
              HasSubstr("ERROR:  boom"));
}

// --- migrations ---

const std::vector<Migration> kTwo = {
    {"001_init.sql",
     "CREATE TABLE widget (tenant_id text, id bigint, PRIMARY KEY (tenant_id, id));"},
    {"002_seed.sql", "INSERT INTO widget VALUES ('t1', 1); INSERT INTO widget VALUES ('t1', 2);"},
};

TEST_F(PgTest, MigrationsApplyOnceAndAreRecorded) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  // Listed out of order on purpose: they run in name order.
  std::vector<Migration> reversed = {kTwo[1], kTwo[0]};
  ASSERT_TRUE(RunMigrations(*pool, "svc", reversed).ok());
  ASSERT_TRUE(RunMigrations(*pool, "svc", kTwo).ok());  // again: nothing to do

  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.widget"), "2");  // seeded once
  EXPECT_EQ(QueryOne("SELECT string_agg(name, ',' ORDER BY name) FROM svc.schema_migrations"),
            "001_init.sql,002_seed.sql");
  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.schema_migrations WHERE length(checksum) = 64 "
                     "AND applied_at <= now()"),
            "2");
  // search_path pointed at the schema: nothing landed in public.
  EXPECT_EQ(QueryOne("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");

  // A new migration is applied on the next run, the old ones are not repeated.
  std::vector<Migration> three = kTwo;
  three.push_back({"003_more.sql", "INSERT INTO widget VALUES ('t1', 3);"});
  ASSERT_TRUE(RunMigrations(*pool, "svc", three).ok());
  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.widget"), "3");
  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.schema_migrations"), "3");
  EXPECT_EQ(pool->in_use(), 0);
}

TEST_F(PgTest, ConcurrentMigrationRunsApplyOnce) {
  const std::vector<Migration> migrations = {
      kTwo[0],
      {"002_slow_seed.sql", "SELECT pg_sleep(0.2); INSERT INTO widget VALUES ('t1', 1);"},
  };
  auto pool_a = MakePool();
  auto pool_b = MakePool();
  ASSERT_NE(pool_a, nullptr);
  ASSERT_NE(pool_b, nullptr);
  absl::Status a, b;
  std::thread ta([&] { a = RunMigrations(*pool_a, "race", migrations); });
  std::thread tb([&] { b = RunMigrations(*pool_b, "race", migrations); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_EQ(QueryOne("SELECT count(*) FROM race.widget"), "1");
  EXPECT_EQ(QueryOne("SELECT count(*) FROM race.schema_migrations"), "2");
}

TEST_F(PgTest, ChangedMigrationIsFailedPrecondition) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(RunMigrations(*pool, "svc", kTwo).ok());

  std::vector<Migration> edited = kTwo;
  edited[1].sql += " INSERT INTO widget VALUES ('t1', 99);";
  edited.push_back({"003_more.sql", "INSERT INTO widget VALUES ('t1', 3);"});
  absl::Status s = RunMigrations(*pool, "svc", edited);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("002_seed.sql"));
  // Nothing ran: neither the edit nor the new migration after it.
  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.widget"), "2");
  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.schema_migrations"), "2");
  // The advisory lock was released: another run can take it.
  EXPECT_TRUE(RunMigrations(*pool, "svc", kTwo).ok());
}

TEST_F(PgTest, FailedMigrationRollsBackAndIsNotRecorded) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  std::vector<Migration> migrations = {
      kTwo[0],
      {"002_broken.sql", "CREATE TABLE gadget (id int); INSERT INTO nowhere VALUES (1);"},
  };
  absl::Status s = RunMigrations(*pool, "svc", migrations);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("002_broken.sql"));
  EXPECT_EQ(QueryOne("SELECT string_agg(name, ',') FROM svc.schema_migrations"), "001_init.sql");
  EXPECT_EQ(QueryOne("SELECT count(*) FROM pg_tables WHERE tablename = 'gadget'"), "0");

  migrations[1].sql = "CREATE TABLE gadget (id int);";
  EXPECT_TRUE(RunMigrations(*pool, "svc", migrations).ok());
  EXPECT_EQ(QueryOne("SELECT count(*) FROM svc.gadget"), "0");
}

TEST_F(PgTest, SchemaNameIsQuoted) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  const std::string schema = "odd\"; DROP TABLE x; --";
  ASSERT_TRUE(RunMigrations(*pool, schema, kTwo).ok());
  EXPECT_EQ(QueryOne("SELECT count(*) FROM \"odd\"\"; DROP TABLE x; --\".widget"), "2");
}

TEST_F(PgTest, DuplicateMigrationNamesAreRejected) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  std::vector<Migration> dup = {kTwo[0], kTwo[0]};
  absl::Status s = RunMigrations(*pool, "svc", dup);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("001_init.sql"));
}

}  // namespace
}  // namespace attain
