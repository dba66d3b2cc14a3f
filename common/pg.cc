#include "common/pg.h"

#include <openssl/sha.h>
#include <poll.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/log.h"
#include "common/status.h"

namespace attain {
namespace {

// The server's message without libpq's trailing newline.
std::string Message(const std::exception& e) {
  return std::string(absl::StripTrailingAsciiWhitespace(e.what()));
}

// Maps a SQLSTATE (https://www.postgresql.org/docs/15/errcodes-appendix.html)
// to a code; kUnknown when the state says nothing more specific than INTERNAL.
absl::StatusCode CodeFromSqlstate(absl::string_view state) {
  if (state.size() != 5) return absl::StatusCode::kUnknown;
  if (state == "23505") return absl::StatusCode::kAlreadyExists;   // unique_violation
  if (state == "23503" || state == "23514" || state == "23P01" ||  // fk, check, exclusion
      state == "23001") {                                          // restrict_violation
    return absl::StatusCode::kFailedPrecondition;
  }
  if (state == "23502") return absl::StatusCode::kInvalidArgument;       // not_null_violation
  if (state == "40003") return absl::StatusCode::kUnavailable;           // completion unknown
  if (absl::StartsWith(state, "40")) return absl::StatusCode::kAborted;  // rollback, 40001, 40P01
  if (absl::StartsWith(state, "08")) return absl::StatusCode::kUnavailable;  // connection
  if (state == "57014" || state == "55P03") {  // statement/lock timeout, cancel
    return absl::StatusCode::kUnavailable;
  }
  if (absl::StartsWith(state, "57P")) return absl::StatusCode::kUnavailable;     // shutdown
  if (absl::StartsWith(state, "53")) return absl::StatusCode::kUnavailable;      // resources
  if (absl::StartsWith(state, "22")) return absl::StatusCode::kInvalidArgument;  // data
  return absl::StatusCode::kUnknown;
}

// Appends `connect_timeout=N` (whole seconds, at least 1) to a URL or a
// key=value conninfo string.
std::string ConnInfo(const PgPool::Options& options) {
  int64_t seconds = absl::ToInt64Seconds(absl::Ceil(options.connect_timeout, absl::Seconds(1)));
  seconds = std::max<int64_t>(seconds, 1);
  const std::string& url = options.url;
  if (absl::StrContains(url, "://")) {
    return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?", "connect_timeout=", seconds);
  }
  return absl::StrCat(url, url.empty() ? "" : " ", "connect_timeout=", seconds);
}

// Whether an idle connection has been closed by the server (terminated backend,
// restart): an idle session has nothing to read, so readable means EOF or a
// FATAL message before it.
bool LooksClosed(const pqxx::connection& conn) {
  if (!conn.is_open()) return true;
  pollfd pfd{};
  pfd.fd = conn.sock();
  if (pfd.fd < 0) return true;
  pfd.events = POLLIN;
  int n = ::poll(&pfd, 1, 0);
  return n != 0;
}

bool IsConnectionLost(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
         dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string hex;
  hex.reserve(2 * sizeof(digest));
  for (unsigned char b : digest) absl::StrAppendFormat(&hex, "%02x", b);
  return hex;
}

}  // namespace

absl::Status StatusFromPqxx(const std::exception& e) {
  const std::string msg = Message(e);
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr ||
      dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "lost the PostgreSQL connection; the transaction's outcome is unknown: ", msg));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL connection failed: ", msg));
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return absl::AbortedError(absl::StrCat("transaction aborted, retry it: ", msg));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    absl::StatusCode code = CodeFromSqlstate(sql->sqlstate());
    if (code == absl::StatusCode::kUnknown) {
      if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
        code = absl::StatusCode::kAlreadyExists;
      } else if (dynamic_cast<const pqxx::foreign_key_violation*>(&e) != nullptr ||
                 dynamic_cast<const pqxx::check_violation*>(&e) != nullptr) {
        code = absl::StatusCode::kFailedPrecondition;
      } else {
        code = absl::StatusCode::kInternal;
      }
    }
    std::string text =
        sql->sqlstate().empty() ? msg : absl::StrCat(msg, " [SQLSTATE ", sql->sqlstate(), "]");
    return absl::Status(code, text);
  }
  return absl::InternalError(msg);
}

PgPool::PgPool(Options options) : options_(std::move(options)) {}

PgPool::~PgPool() = default;

absl::StatusOr<std::unique_ptr<PgPool>> PgPool::Create(Options options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("PostgreSQL pool size is ", options.size, ": it must be at least 1"));
  }
  if (options.url.empty()) {
    return absl::InvalidArgumentError(
        "PostgreSQL URL is empty: set it to postgresql://user@host:port/db");
  }
  std::unique_ptr<PgPool> pool(new PgPool(std::move(options)));
  const absl::Time give_up = absl::Now() + pool->options_.start_wait;
  for (;;) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = pool->Acquire();
    if (conn.ok()) {
      pool->Release(*std::move(conn), /*broken=*/false);
      return pool;
    }
    if (!absl::IsUnavailable(conn.status()) || absl::Now() + absl::Seconds(1) > give_up) {
      return conn.status();
    }
    LogEvent(LogLevel::kWarn, "waiting for PostgreSQL")
        .Str("error", conn.status().message())
        .Num("give_up_in_s", absl::ToDoubleSeconds(give_up - absl::Now()));
    absl::SleepFor(absl::Seconds(1));
  }
}

int PgPool::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> PgPool::Acquire() {
  const absl::Time deadline = absl::Now() + options_.acquire_timeout;
  for (;;) {
    std::unique_ptr<pqxx::connection> conn;
    {
      absl::MutexLock lock(&mu_);
      auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < options_.size;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
        return absl::UnavailableError(
            absl::StrFormat("no PostgreSQL connection free within %s (all %d in use)",
                            absl::FormatDuration(options_.acquire_timeout), options_.size));
      }
      ++in_use_;
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;
      }
    }
    if (conn != nullptr) {
      if (!LooksClosed(*conn)) return conn;
      Release(std::move(conn), /*broken=*/true);  // and try the next one
      continue;
    }
    try {
      return std::make_unique<pqxx::connection>(ConnInfo(options_));
    } catch (const std::exception& e) {
      absl::MutexLock lock(&mu_);
      --open_;
      --in_use_;
      absl::Status status = StatusFromPqxx(e);
      return absl::UnavailableError(
          absl::StrCat("cannot connect to PostgreSQL: ", status.message()));
    }
  }
}

void PgPool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  broken = broken || conn == nullptr || !conn->is_open();
  {
    absl::MutexLock lock(&mu_);
    --in_use_;
    if (!broken) {
      idle_.push_back(std::move(conn));
      return;
    }
    --open_;
  }
  conn.reset();  // closes outside the lock
}

absl::Status PgPool::WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn) {
  ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> conn, Acquire());
  absl::Status status;
  bool broken = false;
  try {
    status = fn(*conn);
  } catch (const std::exception& e) {
    status = StatusFromPqxx(e);
    broken = IsConnectionLost(e);
  }
  Release(std::move(conn), broken);
  return status;
}

absl::Status PgPool::Ping() {
  return WithConnection([](pqxx::connection& conn) -> absl::Status {
    pqxx::nontransaction txn(conn);
    txn.exec("SELECT 1");
    return absl::OkStatus();
  });
}

absl::Status PgPool::InTransaction(const std::function<absl::Status(pqxx::work&)>& fn) {
  return WithConnection([&fn](pqxx::connection& conn) -> absl::Status {
    pqxx::work txn(conn);
    absl::Status status = fn(txn);
    if (!status.ok()) {
      try {
        txn.abort();
      } catch (const std::exception&) {
        // The connection is gone; the server rolls back and Release discards it.
      }
      return status;
    }
    txn.commit();
    return absl::OkStatus();
  });
}

namespace {

// Applies the pending migrations; the caller holds the advisory lock.
absl::Status ApplyMigrationsLocked(pqxx::connection& conn, const std::string& schema,
                                   const std::vector<Migration>& migrations) {
  const std::string quoted = conn.quote_name(schema);
  const std::string table = quoted + ".schema_migrations";
  std::map<std::string, std::string> applied;  // name → checksum
  {
    pqxx::work txn(conn);
    txn.exec0("CREATE SCHEMA IF NOT EXISTS " + quoted);
    txn.exec0("CREATE TABLE IF NOT EXISTS " + table +
              " (name text PRIMARY KEY, checksum text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const auto& row : txn.exec("SELECT name, checksum FROM " + table)) {
      applied[row[0].as<std::string>()] = row[1].as<std::string>();
    }
    txn.commit();
  }

  std::vector<const Migration*> pending;
  for (const Migration& m : migrations) {
    const std::string checksum = Sha256Hex(m.sql);
    auto it = applied.find(m.name);
    if (it == applied.end()) {
      pending.push_back(&m);
    } else if (it->second != checksum) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "migration %s of schema %s was changed after it was applied (recorded checksum %s, "
          "now %s): restore its original text and put the change in a new migration",
          m.name, schema, it->second, checksum));
    }
  }
  for (const Migration* m : pending) {
    try {
      pqxx::work txn(conn);
      txn.exec0("SET LOCAL search_path TO " + quoted);
      txn.exec(m->sql);
      txn.exec_params0(
          "INSERT INTO " + table + " (name, checksum, applied_at) VALUES ($1, $2, now())", m->name,
          Sha256Hex(m->sql));
      txn.commit();
    } catch (const std::exception& e) {
      return Annotate(StatusFromPqxx(e),
                      absl::StrFormat("migration %s of schema %s failed", m->name, schema));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunMigrations(PgPool& pool, const std::string& schema,
                           const std::vector<Migration>& migrations) {
  if (schema.empty()) return absl::InvalidArgumentError("migration schema name is empty");
  std::vector<Migration> sorted = migrations;
  std::sort(sorted.begin(), sorted.end(),
            [](const Migration& a, const Migration& b) { return a.name < b.name; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i].name.empty()) {
      return absl::InvalidArgumentError("a migration of schema " + schema + " has an empty name");
    }
    if (i > 0 && sorted[i].name == sorted[i - 1].name) {
      return absl::InvalidArgumentError(
          absl::StrFormat("migration %s of schema %s is listed twice", sorted[i].name, schema));
    }
  }

  return pool.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    // A session-level lock: held across the per-migration transactions and
    // released on unlock or, if the session dies, by the server.
    {
      pqxx::nontransaction tx(conn);
      tx.exec_params("SELECT pg_advisory_lock(hashtext($1))", schema);
    }
    absl::Status status;
    try {
      status = ApplyMigrationsLocked(conn, schema, sorted);
    } catch (const std::exception& e) {
      if (IsConnectionLost(e)) throw;  // the server dropped the lock with the session
      status = StatusFromPqxx(e);
    }
    pqxx::nontransaction tx(conn);
    tx.exec_params("SELECT pg_advisory_unlock(hashtext($1))", schema);
    return status;
  });
}

}  // namespace attain
