// Bearer-token authentication (ARCHITECTURE.md §10): HS256 JWTs (libjwt) that
// name tenant, subject, role and org scope, with an expiry.
//
// Claims: "iss": "attain", "tenant": tenant id, "sub": subject (a rep id for the
// rep role, a user or service name otherwise), "role": one of RoleName(),
// "scope": org unit id the principal is confined to ("" = whole tenant; a
// manager's subtree root), "iat", "exp" (seconds since the epoch).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace attain {

enum class Role {
  kAdmin,               // everything in the tenant
  kCrmIngest,           // pushes CRM activity; reads org for mapping
  kDirector,            // reads and manages the whole tenant's targets and results
  kManager,             // own subtree (scope) only
  kRep,                 // own records and leaderboards
  kCommitteeSecretary,  // review committee: manages meetings
  kCommitteeMember,     // review committee: minutes and reports
  kFinance,             // finance figures
  kHr,                  // person records
  kService,             // service-to-service calls (read what the caller needs)
};

// "admin", "crm-ingest", "director", "manager", "rep", "committee-secretary",
// "committee-member", "finance", "hr", "service".
absl::string_view RoleName(Role role);
absl::StatusOr<Role> ParseRole(absl::string_view name);

// The shortest HS256 secret TokenVerifier::Create and MintToken accept.
inline constexpr size_t kMinJwtKeyBytes = 32;

// Who is calling, as established from a verified token.
struct Principal {
  std::string tenant;
  std::string subject;
  Role role = Role::kRep;
  std::string scope;  // org unit id; empty = whole tenant
  absl::Time expires_at = absl::InfinitePast();
};

// Verifies tokens. Thread-safe; cheap to call per RPC.
class TokenVerifier {
 public:
  // `key` is the HS256 secret (at least 32 bytes, else INVALID_ARGUMENT from Create).
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(std::string key, const Clock* clock);

  // Verifies the value of an `authorization` header ("Bearer <jwt>").
  // UNAUTHENTICATED with a reason when the header is missing or malformed, the
  // signature does not match, the algorithm is not HS256 (alg "none" included),
  // the token has expired (exp <= clock->Now()) or is not yet valid (nbf), the
  // issuer is not "attain", or a claim is missing or unknown. The scheme is
  // case-insensitive; "scope" may be absent (whole tenant).
  absl::StatusOr<Principal> Verify(absl::string_view authorization_header) const;

 private:
  TokenVerifier(std::string key, const Clock* clock) : key_(std::move(key)), clock_(clock) {}
  std::string key_;
  const Clock* clock_;
};

// Makes a signed HS256 token for `principal`, valid for `ttl` from `now` (whole
// seconds; `principal.expires_at` is ignored). INVALID_ARGUMENT if the key is
// short, tenant or subject is empty, or ttl is under a second.
absl::StatusOr<std::string> MintToken(absl::string_view key, const Principal& principal,
                                      absl::Time now, absl::Duration ttl);

// Service tokens for calls between services (ARCHITECTURE §10): one per
// tenant, minted from the shared signing key with role service, kept and
// renewed ten minutes before it expires. Thread-safe.
class ServiceTokens {
 public:
  // `subject` names the calling service, e.g. "attain-eval".
  ServiceTokens(std::string signing_key, std::string subject, const Clock* clock)
      : key_(std::move(signing_key)), subject_(std::move(subject)), clock_(clock) {}

  absl::StatusOr<std::string> For(const std::string& tenant);

 private:
  const std::string key_;
  const std::string subject_;
  const Clock* clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::pair<std::string, absl::Time>> tokens_
      ABSL_GUARDED_BY(mu_);  // tenant → (token, expiry)
};

}  // namespace attain
