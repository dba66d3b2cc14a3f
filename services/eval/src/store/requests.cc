#include "services/eval/src/store/requests.h"

#include "absl/strings/str_format.h"
#include "common/status.h"

namespace attain::eval {
namespace {

constexpr int kMaxRetries = 3;

}  // namespace

absl::StatusOr<std::optional<std::string>> LookupRequest(pqxx::transaction_base& txn,
                                                         const std::string& tenant,
                                                         const std::string& request_id,
                                                         const std::string& method,
                                                         const std::string& fingerprint) {
  pqxx::result found = txn.exec_params(
      "SELECT method, fingerprint = sha256($3::bytea), response FROM eval.requests "
      "WHERE tenant_id = $1 AND request_id = $2",
      tenant, request_id, pqxx::binarystring(fingerprint));
  if (found.empty()) return std::nullopt;
  const std::string used = found[0][0].as<std::string>();
  if (used != method) {
    return absl::AlreadyExistsError(
        absl::StrFormat("request_id \"%s\" was already used for %s: use a new request_id for %s",
                        request_id, used, method));
  }
  if (!found[0][1].as<bool>()) {
    return absl::AlreadyExistsError(absl::StrFormat(
        "request_id \"%s\" was already used for a different %s request: a retry must repeat "
        "the request unchanged; use a new request_id for a new request",
        request_id, method));
  }
  return pqxx::binarystring(found[0][2]).str();
}

absl::StatusOr<std::string> IdempotentMutation(
    PgPool& pool, const std::string& tenant, const std::string& request_id,
    const std::string& method, const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(pqxx::work&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  absl::Status last;
  for (int attempt = 0; attempt <= kMaxRetries; ++attempt) {
    absl::StatusOr<std::string> result = absl::InternalError("the transaction did not run");
    absl::Status status = pool.InTransaction([&](pqxx::work& txn) -> absl::Status {
      if (!request_id.empty()) {
        // A concurrent duplicate waits here, then finds the first response.
        txn.exec_params(
            "SELECT pg_advisory_xact_lock(hashtext('eval.requests'), hashtext($1 || '/' || $2))",
            tenant, request_id);
        absl::StatusOr<std::optional<std::string>> stored =
            LookupRequest(txn, tenant, request_id, method, fingerprint);
        if (!stored.ok() || stored->has_value()) {
          if (stored.ok()) {
            result = **stored;
          } else {
            result = stored.status();
          }
          return absl::OkStatus();
        }
      }
      result = fn(txn);
      if (!result.ok()) return result.status();
      if (!request_id.empty()) {
        pqxx::result stored = txn.exec_params(
            "INSERT INTO eval.requests (tenant_id, request_id, method, fingerprint, response) "
            "VALUES ($1, $2, $3, sha256($4::bytea), $5) ON CONFLICT DO NOTHING RETURNING 1",
            tenant, request_id, method, pqxx::binarystring(fingerprint),
            pqxx::binarystring(*result));
        if (stored.empty()) {
          // Lost a race the advisory lock should have prevented: roll back
          // and retry, which returns the winner's response.
          return absl::AbortedError(
              absl::StrFormat("request_id \"%s\" was stored concurrently", request_id));
        }
      }
      return absl::OkStatus();
    });
    if (status.ok()) return result;
    if (status.code() != absl::StatusCode::kAborted) return status;
    last = status;
  }
  return Annotate(last, absl::StrFormat("gave up after %d attempts", kMaxRetries + 1));
}

}  // namespace attain::eval
