// The PostgreSQL implementation of TargetStore (ARCHITECTURE.md §3–4): tables
// of schema `target` (services/target/migrations), every statement
// parameterised and filtered by tenant_id, bulk writes as a few statements over
// unnest()ed arrays whatever the number of rows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pg.h"
#include "services/target/src/store/target_store.h"

namespace attain::target {

// The migrations of schema `target`, embedded at configure time from
// services/target/migrations (attain_embed_migrations in CMakeLists.txt).
const std::vector<attain::Migration>& Migrations();

class PgTargetStore : public TargetStore {
 public:
  // `pool` must outlive the store. Thread-safe: each call checks out its own
  // connection.
  explicit PgTargetStore(PgPool& pool) : pool_(pool) {}

  // Applies the migrations of schema `target` not yet applied.
  static absl::Status Migrate(PgPool& pool);

  // Idempotency: a call with a request_id takes a transaction-scoped advisory
  // lock on (tenant, request_id), so a concurrent call with the same id waits
  // for the first one and then returns its stored response. ABORTED
  // (serialization failure, deadlock, a concurrent creation detected by
  // UpsertTargets) is retried up to 3 times, running `fn` again.
  absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::function<absl::StatusOr<std::string>(TargetTx&)>& fn) override;

  absl::Status Read(const std::string& tenant,
                    const std::function<absl::Status(TargetTx&)>& fn) override;

 private:
  PgPool& pool_;
};

namespace pg_internal {

// A PostgreSQL array literal of text elements, each double-quoted with
// backslashes and double quotes escaped: {"a","b \"c\""}. Pass it as one
// parameter and cast it (`$2::text[]`); it round-trips any text, including
// commas, braces, quotes, backslashes, spaces and the word NULL.
std::string TextArray(const std::vector<std::string>& elements);

// An array literal of integers: {1,-2,3}.
std::string IntArray(const std::vector<int64_t>& elements);

}  // namespace pg_internal
}  // namespace attain::target
