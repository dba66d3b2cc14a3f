// PostgreSQL access (ARCHITECTURE.md §4): a pool of connections, transactions
// with driver exceptions mapped to Status, and a per-service migration runner.
// Store code includes this; domain code never does.
#pragma once

#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace attain {

// One schema migration, applied once in name order.
struct Migration {
  std::string name;  // "001_init.sql"
  std::string sql;
};

// Maps a libpqxx/libpq exception to a Status (by SQLSTATE where there is one):
// unique_violation → ALREADY_EXISTS; foreign_key / check / exclusion / restrict
// violation → FAILED_PRECONDITION; not_null_violation and data exceptions
// (22xxx, e.g. a malformed number) → INVALID_ARGUMENT; serialization_failure /
// deadlock / other rollbacks (40xxx) → ABORTED; broken_connection, commit
// outcome unknown, connection errors (08xxx), server shutdown (57P0x),
// statement/lock timeout (57014, 55P03) and insufficient resources (53xxx) →
// UNAVAILABLE; anything else → INTERNAL (with the server's message).
absl::Status StatusFromPqxx(const std::exception& e);

// The parameters of a statement assembled at run time: Add returns the
// placeholder ("$3") to splice into the SQL text; values travel separately,
// so the SQL stays parameterised.
class PgParams {
 public:
  std::string Add(std::string value) {
    values_.push_back(std::move(value));
    return "$" + std::to_string(values_.size());
  }
  pqxx::result Exec(pqxx::transaction_base& txn, const std::string& sql) const {
    return txn.exec_params(sql, pqxx::prepare::make_dynamic_params(values_));
  }

 private:
  std::vector<std::string> values_;
};

class PgPool {
 public:
  struct Options {
    std::string url;                                    // postgresql://user@host:port/db
    int size = 8;                                       // connections kept open at most
    absl::Duration acquire_timeout = absl::Seconds(5);  // wait for a free connection
    absl::Duration connect_timeout = absl::Seconds(5);
    // Create keeps trying a server it cannot reach (UNAVAILABLE) this long,
    // once a second, logging each failure: services started before their
    // database (a first install on Kubernetes) wait instead of exiting.
    absl::Duration start_wait = absl::ZeroDuration();
  };
  // Connects one connection eagerly to fail fast on a bad URL/down server
  // (after `start_wait`).
  static absl::StatusOr<std::unique_ptr<PgPool>> Create(Options options);
  ~PgPool();

  // Runs `fn` in a read-write transaction on a checked-out connection and
  // commits when it returns OK (rolls back otherwise). Exceptions become Status
  // via StatusFromPqxx. A broken connection is discarded and replaced later.
  // UNAVAILABLE when no connection frees up within acquire_timeout.
  absl::Status InTransaction(const std::function<absl::Status(pqxx::work&)>& fn);

  // Runs `fn` with a connection outside any transaction (e.g. COPY, LISTEN).
  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn);

  // A health probe: "SELECT 1" on a pooled connection. UNAVAILABLE when
  // PostgreSQL does not answer (within the pool's timeouts).
  absl::Status Ping();

  int size() const { return options_.size; }
  int in_use() const;

 private:
  explicit PgPool(Options options);
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire();
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

  Options options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;    // idle + checked out
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;  // checked out
};

// Creates `schema` if missing and applies the migrations not yet recorded in
// `<schema>.schema_migrations`, each in its own transaction, under a
// PostgreSQL advisory lock keyed by the schema name (so concurrent starts of
// replicas apply each migration once). A recorded migration whose SQL has
// changed since it was applied is FAILED_PRECONDITION (and nothing is applied).
// The SQL runs with search_path set to `schema` and must not contain its own
// BEGIN/COMMIT. The checksum is the SHA-256 of the SQL text.
absl::Status RunMigrations(PgPool& pool, const std::string& schema,
                           const std::vector<Migration>& migrations);

}  // namespace attain
