#include "tools/attainctl/token.h"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/auth.h"

namespace attain::ctl {
namespace {

constexpr char kCommand[] = "attainctl token mint";
constexpr int kUsageError = 2;

// Prints every line of `message` as a problem, then where to find help.
int Fail(std::ostream& err, absl::string_view message) {
  for (absl::string_view line : absl::StrSplit(message, '\n')) {
    err << kCommand << ": " << line << "\n";
  }
  err << "run '" << kCommand << " --help' for the options\n";
  return kUsageError;
}

// The signing key: --key-file, else ATTAIN_JWT_KEY or ATTAIN_JWT_KEY_FILE
// (not both), so that the CLI uses the same key as the services it talks to.
absl::StatusOr<std::string> ResolveKey(const std::string& key_file_flag,
                                       const ConfigParser::GetEnv& getenv) {
  const auto env = [&](const char* name) -> std::string {
    const char* v = getenv ? getenv(name) : std::getenv(name);
    return v == nullptr ? "" : v;
  };
  std::string source = "--key-file";
  std::string path = key_file_flag;
  std::string key;
  if (path.empty()) {
    const std::string key_env = env("ATTAIN_JWT_KEY");
    const std::string file_env = env("ATTAIN_JWT_KEY_FILE");
    if (!key_env.empty() && !file_env.empty()) {
      return absl::InvalidArgumentError(
          "both ATTAIN_JWT_KEY and ATTAIN_JWT_KEY_FILE are set: unset one, or pass --key-file");
    }
    if (!key_env.empty()) {
      source = "ATTAIN_JWT_KEY";
      key = key_env;
    } else if (!file_env.empty()) {
      source = "ATTAIN_JWT_KEY_FILE";
      path = file_env;
    } else {
      return absl::InvalidArgumentError(
          "no signing key: pass --key-file FILE or set ATTAIN_JWT_KEY or ATTAIN_JWT_KEY_FILE to "
          "the key the services use");
    }
  }
  if (!path.empty()) {
    absl::StatusOr<std::string> from_file = ReadSecretFile(path);
    if (!from_file.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": ", from_file.status().message()));
    }
    key = *std::move(from_file);
  }
  if (key.size() < kMinJwtKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: the key is %d bytes; HS256 keys must be at least %d", source,
                        key.size(), kMinJwtKeyBytes));
  }
  return key;
}

}  // namespace

int RunTokenMint(int argc, const char* const* argv) {
  SystemClock clock;
  return RunTokenMint(argc, argv, nullptr, std::cout, std::cerr, clock);
}

int RunTokenMint(int argc, const char* const* argv, const ConfigParser::GetEnv& getenv,
                 std::ostream& out, std::ostream& err, const Clock& clock) {
  std::string tenant, subject, role_name, scope, key_file;
  absl::Duration ttl = absl::Hours(24);
  ConfigParser parser(kCommand);
  parser.AddString("tenant", &tenant, "tenant id the token is for", /*required=*/true);
  parser.AddString("subject", &subject,
                   "who the token names: the rep id for role rep, else a user or service name",
                   /*required=*/true);
  parser.AddString("role", &role_name,
                   "admin, crm-ingest, director, manager, rep, committee-secretary, "
                   "committee-member, finance, hr or service",
                   /*required=*/true);
  parser.AddCheck("role", [](const std::string& v) { return ParseRole(v).status(); });
  parser.AddString("scope", &scope,
                   "org unit id the principal is confined to (required for manager: the root "
                   "of their subtree); empty = whole tenant");
  parser.AddDuration("ttl", &ttl, absl::Seconds(1), "how long the token is valid, e.g. 1h, 24h");
  parser.AddString("key-file", &key_file,
                   "file holding the HS256 key; without it ATTAIN_JWT_KEY or ATTAIN_JWT_KEY_FILE "
                   "is used");
  // The principal comes from flags only; the key file also from the services'
  // variable, which ResolveKey reads so that an explicit --key-file wins.
  for (const char* name : {"tenant", "subject", "role", "scope", "ttl", "key-file"}) {
    parser.SetVariable(name, "");
  }

  absl::Status parsed = parser.Parse(argc, argv, getenv);
  if (absl::IsCancelled(parsed)) {
    out << parsed.message()
        << "\nThe token goes to stdout; use it as 'authorization: Bearer <token>'.\n";
    return 0;
  }
  if (!parsed.ok()) return Fail(err, parsed.message());
  if (!parser.positional().empty()) {
    return Fail(err, absl::StrFormat("unexpected argument \"%s\": all options are --flags",
                                     parser.positional().front()));
  }

  Principal principal;
  principal.tenant = tenant;
  principal.subject = subject;
  principal.role = *ParseRole(role_name);  // checked by the parser
  principal.scope = scope;
  if (principal.role == Role::kManager && scope.empty()) {
    return Fail(err,
                "--scope: required for role manager: pass the org unit id at the root of the "
                "manager's subtree");
  }

  absl::StatusOr<std::string> key = ResolveKey(key_file, getenv);
  if (!key.ok()) return Fail(err, key.status().message());

  absl::StatusOr<std::string> token = MintToken(*key, principal, clock.Now(), ttl);
  if (!token.ok()) return Fail(err, token.status().message());
  out << *token << "\n";
  return 0;
}

}  // namespace attain::ctl
