// TokenVerifier::Verify (common/auth.h) on the value of an `authorization`
// header. Two forms of input:
//   - anything: the header value as a client sends it;
//   - "claims:" followed by JSON: the JSON is signed as HS256 claims with the
//     verifier's key (and, separately, with another key), so that the claim
//     checks behind the signature are fuzzed too.
// A token is accepted only with a valid signature and complete, unexpired claims.
#include <jwt.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/clock.h"
#include "tests/fuzz/fuzz_check.h"

namespace attain {
namespace {

// The seeds in corpus/token/ are signed with kKey and expire after kNow.
constexpr absl::string_view kKey = "attain-fuzz-key-0123456789abcdef";
constexpr absl::string_view kOtherKey = "attain-fuzz-other-key-0123456789";
// 2025-01-15T00:00:00Z
const absl::Time kNow = absl::FromUnixSeconds(1736899200);

const TokenVerifier& Verifier() {
  static const FakeClock* clock = new FakeClock(kNow);
  static const TokenVerifier* verifier = TokenVerifier::Create(std::string(kKey), clock)->release();
  return *verifier;
}

// `claims` signed as an HS256 JWT with `key`; "" when libjwt refuses the JSON.
std::string Sign(const std::string& claims, absl::string_view key) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) return "";
  std::string token;
  if (jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) == 0 &&
      jwt_add_grants_json(jwt, claims.c_str()) == 0) {
    if (char* out = jwt_encode_str(jwt); out != nullptr) {
      token = out;
      std::free(out);
    }
  }
  jwt_free(jwt);
  return token;
}

void CheckVerdict(const absl::StatusOr<Principal>& p, absl::string_view header) {
  if (!p.ok()) {
    FUZZ_CHECK(p.status().code() == absl::StatusCode::kUnauthenticated) << p.status();
    FUZZ_CHECK(!p.status().message().empty());
    return;
  }
  FUZZ_CHECK(!p->tenant.empty()) << header;
  FUZZ_CHECK(!p->subject.empty()) << header;
  FUZZ_CHECK(RoleName(p->role) != "unknown") << header;
  FUZZ_CHECK(p->expires_at > kNow) << header;
  FUZZ_CHECK(p->role != Role::kManager || !p->scope.empty()) << header;
}

}  // namespace
}  // namespace attain

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using attain::Verifier;
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  if (absl::ConsumePrefix(&input, "claims:")) {
    const std::string claims(input);
    if (claims.find('\0') != std::string::npos) return 0;  // not a C string for libjwt
    const std::string token = attain::Sign(claims, attain::kKey);
    if (token.empty()) return 0;
    const std::string header = absl::StrCat("Bearer ", token);
    attain::CheckVerdict(Verifier().Verify(header), header);
    const std::string forged = absl::StrCat("Bearer ", attain::Sign(claims, attain::kOtherKey));
    FUZZ_CHECK(!Verifier().Verify(forged).ok()) << "accepted a token signed with another key";
    return 0;
  }
  attain::CheckVerdict(Verifier().Verify(input), input);
  return 0;
}
