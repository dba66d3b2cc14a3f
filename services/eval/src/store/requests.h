// Shared by the eval schema's stores: statement guards, time columns, and
// idempotent mutations (AIP-155): a mutation and the row
// recording its response under (tenant, request_id) commit in one
// transaction, so a retry with the same request_id returns the first response
// and changes nothing. Shared by the template and evaluation stores (one
// `eval.requests` table, so a request_id cannot be reused across methods).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"

namespace attain::eval {

// Runs one statement group, mapping driver exceptions to a Status
// (StatusFromPqxx); `fn` returns a Status or StatusOr.
template <typename Fn>
auto Guard(Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return StatusFromPqxx(e);
  }
}

// A timestamp column selected as Unix microseconds
// (`(extract(epoch FROM t) * 1000000)::bigint`).
inline absl::Time TimeAt(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

// The response stored for (tenant, request_id), checked against `method` and
// the request's `fingerprint` (its bytes without the request_id); nullopt if
// none. ALREADY_EXISTS when the id was used for another method or another
// request.
absl::StatusOr<std::optional<std::string>> LookupRequest(pqxx::transaction_base& txn,
                                                         const std::string& tenant,
                                                         const std::string& request_id,
                                                         const std::string& method,
                                                         const std::string& fingerprint);

// Runs `fn` in a transaction and returns its response (serialized). With a
// request_id, calls with the same id are serialised by a transaction-scoped
// advisory lock, a stored response is returned without running `fn`, and
// `fn`'s response is stored in the same transaction. ABORTED transactions
// (serialisation, a lost race) are retried a few times.
absl::StatusOr<std::string> IdempotentMutation(
    PgPool& pool, const std::string& tenant, const std::string& request_id,
    const std::string& method, const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(pqxx::work&)>& fn);

}  // namespace attain::eval
