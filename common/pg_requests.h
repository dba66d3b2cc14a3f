// Store-layer helpers shared by the services' PostgreSQL stores: statement
// guards, time columns, and idempotent mutations (AIP-155, ARCHITECTURE.md
// §7): a mutation and the row recording its response under (tenant,
// request_id) commit in one transaction, so a retry with the same request_id
// returns the first response and changes nothing.
//
// Each service schema has its own requests table (one per schema, so a
// request_id cannot be reused across the schema's methods), created by the
// service's migrations with these columns:
//
//   CREATE TABLE requests (
//     tenant_id   text        NOT NULL,
//     request_id  text        NOT NULL,
//     method      text        NOT NULL,
//     fingerprint bytea       NOT NULL,  -- sha256 of the request without its id
//     response    bytea       NOT NULL,  -- the serialized first response
//     create_time timestamptz NOT NULL DEFAULT now(),
//     PRIMARY KEY (tenant_id, request_id));
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/pg.h"

namespace attain {

// Runs one statement group, mapping driver exceptions to a Status
// (StatusFromPqxx); `fn` returns a Status or StatusOr.
template <typename Fn>
auto PgGuard(Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return StatusFromPqxx(e);
  }
}

// A timestamp column selected as Unix microseconds
// (`(extract(epoch FROM t) * 1000000)::bigint`).
inline absl::Time PgTimeAt(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

// The requests table of one schema, e.g. PgRequests("eval.requests").
// Immutable and thread-safe.
class PgRequests {
 public:
  // `table` is the schema-qualified table name, a constant of the calling
  // store (it is spliced into the SQL): lower-case letters, digits and '_',
  // one '.'. Anything else is a programming error and aborts.
  explicit PgRequests(std::string table);

  const std::string& table() const { return table_; }

  // The response stored for (tenant, request_id), checked against `method`
  // and the request's `fingerprint` (its bytes without the request_id);
  // nullopt if none. ALREADY_EXISTS when the id was used for another method
  // or another request.
  absl::StatusOr<std::optional<std::string>> Lookup(pqxx::transaction_base& txn,
                                                    const std::string& tenant,
                                                    const std::string& request_id,
                                                    const std::string& method,
                                                    const std::string& fingerprint) const;

  // Lookup in a read-only transaction of its own; nullopt for an empty
  // request_id. INVALID_ARGUMENT for an empty tenant.
  absl::StatusOr<std::optional<std::string>> Stored(PgPool& pool, const std::string& tenant,
                                                    const std::string& request_id,
                                                    const std::string& method,
                                                    const std::string& fingerprint) const;

  // Runs `fn` in a transaction and returns its response (serialized). With a
  // request_id, calls with the same id are serialised by a transaction-scoped
  // advisory lock, a stored response is returned without running `fn`, and
  // `fn`'s response is stored in the same transaction. ABORTED transactions
  // (serialisation, a lost race) are retried a few times, running `fn` again.
  // INVALID_ARGUMENT for an empty tenant.
  absl::StatusOr<std::string> Mutate(
      PgPool& pool, const std::string& tenant, const std::string& request_id,
      const std::string& method, const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(pqxx::work&)>& fn) const;

 private:
  std::string table_;
};

}  // namespace attain
