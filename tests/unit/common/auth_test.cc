#include "common/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <jwt.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "nlohmann/json.hpp"

namespace attain {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kKey = "0123456789abcdef0123456789abcdef-test";  // 37 bytes
const std::string kOtherKey = "fedcba9876543210fedcba9876543210-other";
// 2024-09-15T08:00:00Z
const absl::Time kNow = absl::FromUnixSeconds(1726387200);

std::string B64(absl::string_view s) { return absl::WebSafeBase64Escape(s); }

// Signs `claims` with libjwt directly, so that tests can make tokens MintToken
// never would (other algorithms, missing or odd claims).
std::string Sign(const nlohmann::json& claims, jwt_alg_t alg = JWT_ALG_HS256,
                 const std::string& key = kKey) {
  jwt_t* jwt = nullptr;
  EXPECT_EQ(jwt_new(&jwt), 0);
  EXPECT_EQ(jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())),
            0);
  EXPECT_EQ(jwt_add_grants_json(jwt, claims.dump().c_str()), 0);
  char* out = jwt_encode_str(jwt);
  std::string token = out == nullptr ? "" : out;
  std::free(out);
  jwt_free(jwt);
  return token;
}

// Claims of a valid rep token at kNow, for tests to spoil one at a time.
nlohmann::json GoodClaims() {
  return {{"iss", "attain"},
          {"tenant", "acme"},
          {"sub", "rep-007"},
          {"role", "rep"},
          {"scope", ""},
          {"iat", absl::ToUnixSeconds(kNow)},
          {"exp", absl::ToUnixSeconds(kNow + absl::Hours(1))}};
}

// An unsigned token, put together by hand: header.payload. with an empty signature.
std::string Unsigned(absl::string_view alg, const nlohmann::json& claims) {
  return absl::StrCat(B64(absl::StrCat(R"({"alg":")", alg, R"(","typ":"JWT"})")), ".",
                      B64(claims.dump()), ".");
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = TokenVerifier::Create(kKey, &clock_);
    ASSERT_TRUE(v.ok()) << v.status();
    verifier_ = *std::move(v);
  }

  absl::StatusOr<Principal> VerifyToken(absl::string_view token) {
    return verifier_->Verify(absl::StrCat("Bearer ", token));
  }

  // Asserts that `header` is refused as UNAUTHENTICATED with a message containing `why`.
  void ExpectRefused(absl::string_view header, absl::string_view why) {
    absl::StatusOr<Principal> p = verifier_->Verify(header);
    ASSERT_FALSE(p.ok()) << "accepted: " << header;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(std::string(why))) << header;
  }

  std::string MintRep(absl::Duration ttl = absl::Hours(1)) {
    Principal p;
    p.tenant = "acme";
    p.subject = "rep-007";
    p.role = Role::kRep;
    absl::StatusOr<std::string> t = MintToken(kKey, p, kNow, ttl);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : "";
  }

  FakeClock clock_{kNow};
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST(RoleTest, NamesRoundTripAndUnknownNamesListTheKnownOnes) {
  const std::vector<std::pair<Role, std::string>> roles = {
      {Role::kAdmin, "admin"},
      {Role::kCrmIngest, "crm-ingest"},
      {Role::kDirector, "director"},
      {Role::kManager, "manager"},
      {Role::kRep, "rep"},
      {Role::kCommitteeSecretary, "committee-secretary"},
      {Role::kCommitteeMember, "committee-member"},
      {Role::kFinance, "finance"},
      {Role::kHr, "hr"},
      {Role::kService, "service"}};
  for (const auto& [role, name] : roles) {
    EXPECT_EQ(RoleName(role), name);
    absl::StatusOr<Role> parsed = ParseRole(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, role);
  }
  absl::StatusOr<Role> bad = ParseRole("Admin");  // case matters
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("unknown role \"Admin\": use one of admin, crm-ingest, director"));
}

TEST(TokenVerifierTest, KeyMustBeAtLeast32Bytes) {
  FakeClock clock(kNow);
  absl::StatusOr<std::unique_ptr<TokenVerifier>> v =
      TokenVerifier::Create(std::string(31, 'k'), &clock);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("JWT key is 31 bytes; HS256 keys must be at least 32"));
  EXPECT_TRUE(TokenVerifier::Create(std::string(32, 'k'), &clock).ok());

  Principal p{"acme", "rep-007", Role::kRep, "", absl::InfinitePast()};
  EXPECT_EQ(MintToken(std::string(31, 'k'), p, kNow, absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MintTokenTest, RefusesIncompletePrincipalsAndNonPositiveTtl) {
  Principal p{"acme", "rep-007", Role::kRep, "", absl::InfinitePast()};
  EXPECT_TRUE(MintToken(kKey, p, kNow, absl::Seconds(1)).ok());
  EXPECT_EQ(MintToken(kKey, p, kNow, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(kKey, p, kNow, absl::Milliseconds(500)).status().code(),
            absl::StatusCode::kInvalidArgument);
  Principal no_tenant = p;
  no_tenant.tenant = "";
  EXPECT_EQ(MintToken(kKey, no_tenant, kNow, absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  Principal no_subject = p;
  no_subject.subject = "";
  EXPECT_EQ(MintToken(kKey, no_subject, kNow, absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AuthTest, ManagerTokensMustNameTheirUnit) {
  Principal manager{"acme", "m1", Role::kManager, "", {}};
  EXPECT_EQ(MintToken(kKey, manager, kNow, absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Signed elsewhere without a scope (or an empty one): refused, not read as
  // "the whole tenant".
  nlohmann::json claims = GoodClaims();
  claims["role"] = "manager";
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "no \"scope\" claim");
  claims.erase("scope");
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "no \"scope\" claim");
}

TEST_F(AuthTest, ServiceTokensArePerTenantKeptAndRenewedBeforeExpiry) {
  ServiceTokens tokens(kKey, "attain-eval", &clock_);
  absl::StatusOr<std::string> a = tokens.For("acme");
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<Principal> p = VerifyToken(*a);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_EQ(p->subject, "attain-eval");
  EXPECT_EQ(p->role, Role::kService);
  EXPECT_EQ(p->expires_at, kNow + absl::Hours(1));
  EXPECT_EQ(*tokens.For("acme"), *a);  // kept
  absl::StatusOr<std::string> other = tokens.For("globex");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(VerifyToken(*other)->tenant, "globex");
  // 49 minutes on (11 left): still kept; at 50 (10 left): renewed.
  clock_.Set(kNow + absl::Minutes(49));
  EXPECT_EQ(*tokens.For("acme"), *a);
  clock_.Set(kNow + absl::Minutes(50));
  absl::StatusOr<std::string> renewed = tokens.For("acme");
  ASSERT_TRUE(renewed.ok());
  EXPECT_NE(*renewed, *a);
  EXPECT_EQ(VerifyToken(*renewed)->expires_at, kNow + absl::Minutes(110));
}

TEST_F(AuthTest, MintedTokenVerifiesForEveryRole) {
  for (Role role : {Role::kAdmin, Role::kCrmIngest, Role::kDirector, Role::kManager, Role::kRep,
                    Role::kCommitteeSecretary, Role::kCommitteeMember, Role::kFinance, Role::kHr,
                    Role::kService}) {
    Principal in;
    in.tenant = "acme";
    in.subject = absl::StrCat("who-", RoleName(role));
    in.role = role;
    in.scope = role == Role::kManager ? "unit-east" : "";
    absl::StatusOr<std::string> token = MintToken(kKey, in, kNow, absl::Hours(24));
    ASSERT_TRUE(token.ok()) << token.status();
    absl::StatusOr<Principal> out = VerifyToken(*token);
    ASSERT_TRUE(out.ok()) << RoleName(role) << ": " << out.status();
    EXPECT_EQ(out->tenant, "acme");
    EXPECT_EQ(out->subject, in.subject);
    EXPECT_EQ(out->role, role);
    EXPECT_EQ(out->scope, in.scope);
    EXPECT_EQ(out->expires_at, kNow + absl::Hours(24));
  }
}

TEST_F(AuthTest, MintedTokenCarriesTheDocumentedClaims) {
  const std::string token = MintRep();
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string header, payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[0], &header));
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  EXPECT_EQ(nlohmann::json::parse(header)["alg"], "HS256");
  nlohmann::json claims = nlohmann::json::parse(payload);
  EXPECT_EQ(claims["iss"], "attain");
  EXPECT_EQ(claims["tenant"], "acme");
  EXPECT_EQ(claims["sub"], "rep-007");
  EXPECT_EQ(claims["role"], "rep");
  EXPECT_EQ(claims["scope"], "");
  EXPECT_EQ(claims["iat"], 1726387200);
  EXPECT_EQ(claims["exp"], 1726387200 + 3600);
}

TEST_F(AuthTest, ExpiryIsExclusiveAtExp) {
  const std::string token = MintRep(absl::Hours(1));
  clock_.Set(kNow + absl::Hours(1) - absl::Seconds(1));
  EXPECT_TRUE(VerifyToken(token).ok());
  clock_.Set(kNow + absl::Hours(1));  // exp == now: expired
  absl::StatusOr<Principal> p = VerifyToken(token);
  ASSERT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(p.status().message()),
              StartsWith("token expired at 2024-09-15T09:00:00Z (now 2024-09-15T09:00:00Z): "
                         "mint a new one"));
  clock_.Advance(absl::Hours(48));
  ExpectRefused(absl::StrCat("Bearer ", token), "token expired at 2024-09-15T09:00:00Z");
}

TEST_F(AuthTest, NotBeforeInTheFutureIsRefused) {
  nlohmann::json claims = GoodClaims();
  claims["nbf"] = absl::ToUnixSeconds(kNow + absl::Minutes(5));
  const std::string token = Sign(claims);
  ExpectRefused(absl::StrCat("Bearer ", token),
                "token is not valid before 2024-09-15T08:05:00Z (now 2024-09-15T08:00:00Z)");
  clock_.Advance(absl::Minutes(5));
  EXPECT_TRUE(VerifyToken(token).ok());
}

TEST_F(AuthTest, TokenSignedWithAnotherKeyIsRefused) {
  Principal p{"acme", "root", Role::kAdmin, "", absl::InfinitePast()};
  absl::StatusOr<std::string> token = MintToken(kOtherKey, p, kNow, absl::Hours(1));
  ASSERT_TRUE(token.ok());
  ExpectRefused(absl::StrCat("Bearer ", *token), "signature does not verify");
}

TEST_F(AuthTest, UnsignedAlgNoneTokenIsRefused) {
  // The attack: a token with "alg":"none" and no signature, claiming admin.
  nlohmann::json claims = GoodClaims();
  claims["role"] = "admin";
  const std::string forged = Unsigned("none", claims);
  // libjwt 1.10 on its own accepts such a token when asked to decode without
  // a key: the verifier must not rely on jwt_decode alone.
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_decode(&raw, forged.c_str(), nullptr, 0), 0);
  EXPECT_EQ(jwt_get_alg(raw), JWT_ALG_NONE);
  EXPECT_STREQ(jwt_get_grant(raw, "role"), "admin");
  jwt_free(raw);

  ExpectRefused(absl::StrCat("Bearer ", forged), "algorithm \"none\"");
  for (absl::string_view alg : {"None", "NONE", "nOnE"}) {
    ExpectRefused(absl::StrCat("Bearer ", Unsigned(alg, claims)), "only HS256");
  }
  // Unsigned, but with a real token's signature pasted on.
  std::vector<std::string> real = absl::StrSplit(MintRep(), '.');
  ExpectRefused(absl::StrCat("Bearer ", forged, real[2]), "only HS256");
  // Header tricks: a duplicate "alg" (JSON parsers keep the last) and spacing.
  const std::string payload = B64(claims.dump());
  ExpectRefused(absl::StrCat("Bearer ", B64(R"({"alg":"HS256","alg":"none"})"), ".", payload, "."),
                "only HS256");
  ExpectRefused(absl::StrCat("Bearer ", B64(R"({ "alg" : "none" })"), ".", payload, "."),
                "only HS256");
  // Without the trailing dot.
  ExpectRefused(absl::StrCat("Bearer ", forged.substr(0, forged.size() - 1)), "3 dot-separated");
}

TEST_F(AuthTest, OtherAlgorithmsAreRefusedEvenWithTheRightKey) {
  for (jwt_alg_t alg : {JWT_ALG_HS512, JWT_ALG_HS384}) {
    const std::string token = Sign(GoodClaims(), alg, kKey);
    ASSERT_FALSE(token.empty());
    // libjwt verifies this signature happily with our key...
    jwt_t* raw = nullptr;
    ASSERT_EQ(jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(kKey.data()),
                         static_cast<int>(kKey.size())),
              0);
    jwt_free(raw);
    // ...but we only accept HS256.
    ExpectRefused(absl::StrCat("Bearer ", token),
                  absl::StrCat("algorithm \"", jwt_alg_str(alg), "\"; only HS256"));
  }
}

TEST_F(AuthTest, TamperedTokensAreRefused) {
  const std::string token = MintRep();
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);

  // Promote the rep to admin, keep the signature.
  nlohmann::json claims = GoodClaims();
  claims["role"] = "admin";
  ExpectRefused(absl::StrCat("Bearer ", parts[0], ".", B64(claims.dump()), ".", parts[2]),
                "signature does not verify");
  // Extend the expiry by a year.
  claims = GoodClaims();
  claims["exp"] = absl::ToUnixSeconds(kNow + absl::Hours(24 * 365));
  ExpectRefused(absl::StrCat("Bearer ", parts[0], ".", B64(claims.dump()), ".", parts[2]),
                "signature does not verify");
  // Flip one character of the signature.
  std::string sig = parts[2];
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  ExpectRefused(absl::StrCat("Bearer ", parts[0], ".", parts[1], ".", sig),
                "signature does not verify");
  // Drop the signature.
  ExpectRefused(absl::StrCat("Bearer ", parts[0], ".", parts[1], "."), "signature does not verify");
  // The untouched token still verifies.
  EXPECT_TRUE(VerifyToken(token).ok());
}

TEST_F(AuthTest, MissingClaimsAreNamed) {
  for (const char* claim : {"tenant", "sub", "role"}) {
    nlohmann::json claims = GoodClaims();
    claims.erase(claim);
    ExpectRefused(absl::StrCat("Bearer ", Sign(claims)),
                  absl::StrCat("lacks the \"", claim, "\" claim"));
    claims[claim] = "";
    ExpectRefused(absl::StrCat("Bearer ", Sign(claims)),
                  absl::StrCat("lacks the \"", claim, "\" claim"));
    claims[claim] = 42;  // not a string
    ExpectRefused(absl::StrCat("Bearer ", Sign(claims)),
                  absl::StrCat("lacks the \"", claim, "\" claim"));
  }
  nlohmann::json claims = GoodClaims();
  claims.erase("exp");
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "no \"exp\" claim");
  claims["exp"] = "tomorrow";
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)),
                "\"exp\" claim is not a number of seconds since the epoch");
  // NumericDate may have a fraction: it is dropped.
  claims["exp"] = absl::ToUnixSeconds(kNow) + 0.75;
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "token expired at 2024-09-15T08:00:00Z");
  claims["exp"] = 1e300;  // far beyond any time: refused, not overflowed
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "\"exp\" claim is not a number");
  claims["exp"] = absl::ToUnixSeconds(kNow) + 1.5;
  absl::StatusOr<Principal> p = VerifyToken(Sign(claims));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->expires_at, kNow + absl::Seconds(1));

  claims = GoodClaims();
  claims.erase("iss");
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "not issued by \"attain\" (iss is missing)");
  claims["iss"] = "someone-else";
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)),
                "not issued by \"attain\" (iss is \"someone-else\")");
}

TEST_F(AuthTest, ScopeIsOptionalButMustBeAString) {
  nlohmann::json claims = GoodClaims();
  claims.erase("scope");
  absl::StatusOr<Principal> p = VerifyToken(Sign(claims));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->scope, "");
  claims["scope"] = "unit-42";
  p = VerifyToken(Sign(claims));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->scope, "unit-42");
  claims["scope"] = 42;
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "\"scope\" claim is not a string");
}

TEST_F(AuthTest, UnknownRoleIsRefused) {
  nlohmann::json claims = GoodClaims();
  claims["role"] = "superuser";
  ExpectRefused(absl::StrCat("Bearer ", Sign(claims)), "unknown role \"superuser\"");
}

TEST_F(AuthTest, HeaderForms) {
  const std::string token = MintRep();
  const std::string how = "send 'authorization: Bearer <token>'";
  // Accepted: any case of the scheme, extra spaces around.
  for (const std::string& ok : {"Bearer " + token, "bearer " + token, "BEARER " + token,
                                "Bearer   " + token, "  Bearer " + token + "  "}) {
    absl::StatusOr<Principal> p = verifier_->Verify(ok);
    EXPECT_TRUE(p.ok()) << ok << ": " << p.status();
  }
  // Refused, each with a reason that says what to send.
  absl::StatusOr<Principal> missing = verifier_->Verify("");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(missing.status().message(),
            "missing authorization metadata: send 'authorization: Bearer <token>'");
  ExpectRefused("   ", "missing authorization metadata");
  ExpectRefused(token, "authorization scheme is not Bearer: " + how);
  ExpectRefused("Basic dXNlcjpwYXNz", "authorization scheme is not Bearer");
  ExpectRefused("Token " + token, "authorization scheme is not Bearer");
  ExpectRefused("Bearer", "empty bearer token: " + how);
  ExpectRefused("Bearer    ", "empty bearer token: " + how);
  ExpectRefused("Bearer abc.def", "3 dot-separated parts, this one has 2");
  ExpectRefused("Bearer a.b.c.d", "3 dot-separated parts, this one has 4");
  ExpectRefused("Bearer " + token + " extra", "malformed bearer token");
  ExpectRefused("Bearer " + token + "=", "malformed bearer token");
  ExpectRefused("Bearer \"" + token + "\"", "malformed bearer token");
  ExpectRefused("Bearer !!!.x.y", "malformed bearer token");
  ExpectRefused("Bearer " + B64("not json") + ".e30.", "header is not a JSON object");
  ExpectRefused("Bearer " + std::string(10000, 'a'), "over the limit");
}

TEST_F(AuthTest, VerifiesConcurrently) {
  const std::string good = MintRep();
  const std::string bad = Unsigned("none", GoodClaims());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!VerifyToken(good).ok()) ++failures;
        if (VerifyToken(bad).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace attain
