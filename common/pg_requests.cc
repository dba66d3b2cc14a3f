#include "common/pg_requests.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"

namespace attain {
namespace {

constexpr int kMaxRetries = 3;

bool IsQualifiedName(absl::string_view name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return dots == 1 && name.front() != '.' && name.back() != '.';
}

}  // namespace

PgRequests::PgRequests(std::string table) : table_(std::move(table)) {
  if (table_.empty() || !IsQualifiedName(table_)) {
    std::fprintf(stderr, "PgRequests: \"%s\" is not a schema-qualified table name\n",
                 table_.c_str());
    std::abort();
  }
}

absl::StatusOr<std::optional<std::string>> PgRequests::Lookup(
    pqxx::transaction_base& txn, const std::string& tenant, const std::string& request_id,
    const std::string& method, const std::string& fingerprint) const {
  pqxx::result found =
      txn.exec_params(absl::StrCat("SELECT method, fingerprint = sha256($3::bytea), response FROM ",
                                   table_, " WHERE tenant_id = $1 AND request_id = $2"),
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

absl::StatusOr<std::optional<std::string>> PgRequests::Stored(
    PgPool& pool, const std::string& tenant, const std::string& request_id,
    const std::string& method, const std::string& fingerprint) const {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  if (request_id.empty()) return std::nullopt;
  absl::StatusOr<std::optional<std::string>> out = std::nullopt;
  RETURN_IF_ERROR(pool.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    out = Lookup(txn, tenant, request_id, method, fingerprint);
    txn.commit();
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::string> PgRequests::Mutate(
    PgPool& pool, const std::string& tenant, const std::string& request_id,
    const std::string& method, const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(pqxx::work&)>& fn) const {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  absl::Status last;
  for (int attempt = 0; attempt <= kMaxRetries; ++attempt) {
    absl::StatusOr<std::string> result = absl::InternalError("the transaction did not run");
    absl::Status status = pool.InTransaction([&](pqxx::work& txn) -> absl::Status {
      if (!request_id.empty()) {
        // A concurrent duplicate waits here, then finds the first response.
        // The lock's first key is the table's name, so schemas never share
        // a lock.
        txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($3), hashtext($1 || '/' || $2))",
                        tenant, request_id, table_);
        absl::StatusOr<std::optional<std::string>> stored =
            Lookup(txn, tenant, request_id, method, fingerprint);
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
            absl::StrCat("INSERT INTO ", table_,
                         " (tenant_id, request_id, method, fingerprint, response) "
                         "VALUES ($1, $2, $3, sha256($4::bytea), $5) ON CONFLICT DO NOTHING "
                         "RETURNING 1"),
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

}  // namespace attain
