#include "common/auth.h"

#include <jwt.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace attain {
namespace {

constexpr char kIssuer[] = "attain";
// Refuse absurdly long headers before doing any work on them.
constexpr size_t kMaxTokenBytes = 8192;
constexpr absl::string_view kHowToSend = "send 'authorization: Bearer <token>'";

struct RoleEntry {
  Role role;
  absl::string_view name;
};
constexpr RoleEntry kRoles[] = {
    {Role::kAdmin, "admin"},
    {Role::kCrmIngest, "crm-ingest"},
    {Role::kDirector, "director"},
    {Role::kManager, "manager"},
    {Role::kRep, "rep"},
    {Role::kCommitteeSecretary, "committee-secretary"},
    {Role::kCommitteeMember, "committee-member"},
    {Role::kFinance, "finance"},
    {Role::kHr, "hr"},
    {Role::kService, "service"},
};

std::string RoleList() {
  std::vector<absl::string_view> names;
  for (const RoleEntry& e : kRoles) names.push_back(e.name);
  return absl::StrJoin(names, ", ");
}

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

absl::Status Unauthenticated(absl::string_view why) { return absl::UnauthenticatedError(why); }

absl::Status CheckKeyLength(absl::string_view key) {
  if (key.size() >= kMinJwtKeyBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "JWT key is %d bytes; HS256 keys must be at least %d (e.g. `openssl rand -base64 48`)",
      key.size(), kMinJwtKeyBytes));
}

bool IsBase64UrlOrDot(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// Reads the token's header without trusting it, to say precisely why a token
// with the wrong algorithm is refused. The signature is checked by libjwt.
absl::Status CheckHeaderAlgorithm(absl::string_view token) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return Unauthenticated(absl::StrFormat(
        "malformed bearer token: a JWT has 3 dot-separated parts, this one has %d; %s",
        parts.size(), kHowToSend));
  }
  std::string header_json;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_json)) {
    return Unauthenticated("malformed bearer token: its header is not base64url");
  }
  nlohmann::json header = nlohmann::json::parse(header_json, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object() || !header.contains("alg") || !header["alg"].is_string()) {
    return Unauthenticated("malformed bearer token: its header is not a JSON object with \"alg\"");
  }
  const std::string alg = header["alg"].get<std::string>();
  if (alg != "HS256") {
    return Unauthenticated(absl::StrFormat(
        "bearer token uses algorithm \"%s\"; only HS256 tokens are accepted: mint one with "
        "`attainctl token mint`",
        absl::Utf8SafeCHexEscape(alg)));
  }
  return absl::OkStatus();
}

// A required string claim, or UNAUTHENTICATED naming it.
absl::StatusOr<std::string> RequiredString(const nlohmann::json& claims, const char* claim) {
  auto it = claims.find(claim);
  if (it == claims.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Unauthenticated(absl::StrFormat(
        "bearer token lacks the \"%s\" claim (a non-empty string): mint a new one with "
        "`attainctl token mint`",
        claim));
  }
  return it->get<std::string>();
}

// An optional NumericDate claim (seconds since the epoch; fractions are
// dropped); nullopt if absent.
absl::StatusOr<std::optional<absl::Time>> OptionalTime(const nlohmann::json& claims,
                                                       const char* claim) {
  auto it = claims.find(claim);
  if (it == claims.end()) return std::optional<absl::Time>();
  if (it->is_number_integer()) {
    return std::optional<absl::Time>(absl::FromUnixSeconds(it->get<int64_t>()));
  }
  // Within ±10^15 s (some 30 million years) the conversion to int64 is exact.
  if (it->is_number_float() && std::abs(it->get<double>()) < 1e15) {
    return std::optional<absl::Time>(
        absl::FromUnixSeconds(static_cast<int64_t>(std::floor(it->get<double>()))));
  }
  return Unauthenticated(absl::StrFormat(
      "bearer token's \"%s\" claim is not a number of seconds since the epoch", claim));
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

absl::string_view RoleName(Role role) {
  for (const RoleEntry& e : kRoles) {
    if (e.role == role) return e.name;
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (const RoleEntry& e : kRoles) {
    if (e.name == name) return e.role;
  }
  return absl::InvalidArgumentError(absl::StrFormat("unknown role \"%s\": use one of %s",
                                                    absl::Utf8SafeCHexEscape(name), RoleList()));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(std::string key,
                                                                     const Clock* clock) {
  if (absl::Status s = CheckKeyLength(key); !s.ok()) return s;
  if (clock == nullptr) return absl::InvalidArgumentError("TokenVerifier needs a clock");
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(key), clock));
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view authorization_header) const {
  absl::string_view header = absl::StripAsciiWhitespace(authorization_header);
  if (header.empty()) {
    return Unauthenticated(absl::StrCat("missing authorization metadata: ", kHowToSend));
  }
  // "Bearer <token>": the scheme is case-insensitive (RFC 7235), separated by spaces.
  const size_t space = header.find(' ');
  absl::string_view scheme = header.substr(0, space);
  if (!absl::EqualsIgnoreCase(scheme, "bearer")) {
    return Unauthenticated(absl::StrFormat("authorization scheme is not Bearer: %s", kHowToSend));
  }
  absl::string_view token = space == absl::string_view::npos
                                ? ""
                                : absl::StripLeadingAsciiWhitespace(header.substr(space));
  if (token.empty()) {
    return Unauthenticated(absl::StrCat("empty bearer token: ", kHowToSend));
  }
  if (token.size() > kMaxTokenBytes) {
    return Unauthenticated(absl::StrFormat("bearer token is %d bytes, over the limit of %d",
                                           token.size(), kMaxTokenBytes));
  }
  for (char c : token) {
    if (!IsBase64UrlOrDot(c)) {
      return Unauthenticated(absl::StrCat(
          "malformed bearer token: a JWT is three base64url parts joined by dots; ", kHowToSend));
    }
  }
  if (absl::Status s = CheckHeaderAlgorithm(token); !s.ok()) return s;

  jwt_t* raw = nullptr;
  const std::string token_str(token);
  const int rc =
      jwt_decode(&raw, token_str.c_str(), reinterpret_cast<const unsigned char*>(key_.data()),
                 static_cast<int>(key_.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || jwt == nullptr) {
    return Unauthenticated(
        "bearer token signature does not verify (signed with another key, or altered): mint a "
        "new one with `attainctl token mint`");
  }
  // libjwt 1.10 decodes unsigned ("alg": "none") tokens when given no key, and
  // which algorithms it lets through has varied between releases: insist on the
  // one we sign with, whatever the header check above said.
  if (const jwt_alg_t alg = jwt_get_alg(jwt.get()); alg != JWT_ALG_HS256) {
    const char* name = jwt_alg_str(alg);
    return Unauthenticated(
        absl::StrFormat("bearer token uses algorithm \"%s\"; only HS256 tokens are accepted",
                        name == nullptr ? "?" : name));
  }

  // libjwt has checked the signature; read the claims with their JSON types.
  std::unique_ptr<char, FreeDeleter> claims_text(jwt_get_grants_json(jwt.get(), nullptr));
  const nlohmann::json claims =
      claims_text == nullptr
          ? nlohmann::json()
          : nlohmann::json::parse(claims_text.get(), nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) {
    return Unauthenticated("malformed bearer token: its payload is not a JSON object");
  }

  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get_ref<const std::string&>() != kIssuer) {
    return Unauthenticated(absl::StrFormat(
        "bearer token was not issued by \"%s\" (iss is %s): mint one with `attainctl token mint`",
        kIssuer,
        iss == claims.end() ? "missing"
        : iss->is_string()
            ? absl::StrCat("\"", absl::Utf8SafeCHexEscape(iss->get<std::string>()), "\"")
            : iss->dump()));
  }

  const absl::Time now = clock_->Now();
  absl::StatusOr<std::optional<absl::Time>> exp = OptionalTime(claims, "exp");
  if (!exp.ok()) return exp.status();
  if (!exp->has_value()) {
    return Unauthenticated(
        "bearer token has no \"exp\" claim: tokens must expire; mint one with `attainctl token "
        "mint`");
  }
  const absl::Time expires_at = **exp;
  if (expires_at <= now) {
    return Unauthenticated(
        absl::StrFormat("token expired at %s (now %s): mint a new one with `attainctl token mint`",
                        FormatUtc(expires_at), FormatUtc(now)));
  }
  absl::StatusOr<std::optional<absl::Time>> nbf = OptionalTime(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  if (nbf->has_value() && **nbf > now) {
    return Unauthenticated(
        absl::StrFormat("token is not valid before %s (now %s)", FormatUtc(**nbf), FormatUtc(now)));
  }

  Principal p;
  p.expires_at = expires_at;
  absl::StatusOr<std::string> tenant = RequiredString(claims, "tenant");
  if (!tenant.ok()) return tenant.status();
  p.tenant = *std::move(tenant);
  absl::StatusOr<std::string> subject = RequiredString(claims, "sub");
  if (!subject.ok()) return subject.status();
  p.subject = *std::move(subject);
  absl::StatusOr<std::string> role_name = RequiredString(claims, "role");
  if (!role_name.ok()) return role_name.status();
  absl::StatusOr<Role> role = ParseRole(*role_name);
  if (!role.ok()) {
    return Unauthenticated(absl::StrFormat("bearer token names an unknown role \"%s\" (known: %s)",
                                           absl::Utf8SafeCHexEscape(*role_name), RoleList()));
  }
  p.role = *role;

  // "scope" is optional (absent = whole tenant) but, when present, a string.
  if (auto scope = claims.find("scope"); scope != claims.end()) {
    if (!scope->is_string()) {
      return Unauthenticated("bearer token's \"scope\" claim is not a string (an org unit id)");
    }
    p.scope = scope->get<std::string>();
  }
  // A manager reads and writes their own subtree only: a manager token
  // without its unit would otherwise be read as "the whole tenant".
  if (p.role == Role::kManager && p.scope.empty()) {
    return Unauthenticated(
        "bearer token has role manager but no \"scope\" claim: a manager token must name the "
        "org unit at the root of the manager's subtree");
  }
  return p;
}

absl::StatusOr<std::string> MintToken(absl::string_view key, const Principal& principal,
                                      absl::Time now, absl::Duration ttl) {
  if (absl::Status s = CheckKeyLength(key); !s.ok()) return s;
  if (principal.tenant.empty()) return absl::InvalidArgumentError("token needs a tenant");
  if (principal.subject.empty()) return absl::InvalidArgumentError("token needs a subject");
  if (RoleName(principal.role) == "unknown") {
    return absl::InvalidArgumentError("token needs a known role");
  }
  if (principal.role == Role::kManager && principal.scope.empty()) {
    return absl::InvalidArgumentError("a manager token needs a scope (the unit they manage)");
  }
  if (ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("token lifetime %s is not positive", absl::FormatDuration(ttl)));
  }
  const int64_t iat = absl::ToUnixSeconds(now);
  const int64_t exp = absl::ToUnixSeconds(now + ttl);
  if (exp <= iat) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "token lifetime %s is under a second: use at least 1s", absl::FormatDuration(ttl)));
  }

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || raw == nullptr) {
    return absl::ResourceExhaustedError("jwt_new failed: out of memory");
  }
  JwtPtr jwt(raw);
  const std::string role(RoleName(principal.role));
  int rc = jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()),
                       static_cast<int>(key.size()));
  if (rc == 0) rc = jwt_add_grant(jwt.get(), "iss", kIssuer);
  if (rc == 0) rc = jwt_add_grant(jwt.get(), "tenant", principal.tenant.c_str());
  if (rc == 0) rc = jwt_add_grant(jwt.get(), "sub", principal.subject.c_str());
  if (rc == 0) rc = jwt_add_grant(jwt.get(), "role", role.c_str());
  if (rc == 0) rc = jwt_add_grant(jwt.get(), "scope", principal.scope.c_str());
  if (rc == 0) rc = jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(iat));
  if (rc == 0) rc = jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(exp));
  if (rc != 0) {
    return absl::InternalError(absl::StrFormat("building the token failed: errno %d", rc));
  }
  std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt.get()));
  if (encoded == nullptr) {
    return absl::InternalError("signing the token failed (jwt_encode_str)");
  }
  return std::string(encoded.get());
}

absl::StatusOr<std::string> ServiceTokens::For(const std::string& tenant) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock l(&mu_);
    auto it = tokens_.find(tenant);
    if (it != tokens_.end() && it->second.second - now > absl::Minutes(10)) {
      return it->second.first;
    }
  }
  constexpr absl::Duration kLifetime = absl::Hours(1);
  Principal service{tenant, subject_, Role::kService, "", {}};
  absl::StatusOr<std::string> token = MintToken(key_, service, now, kLifetime);
  if (!token.ok()) return token.status();
  absl::MutexLock l(&mu_);
  tokens_[tenant] = {*token, now + kLifetime};
  return token;
}

}  // namespace attain
