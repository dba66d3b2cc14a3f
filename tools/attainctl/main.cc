// attainctl: the command-line client of the Attain target service, for
// operators and demos. Finds the command, parses its options and runs it;
// the commands live beside their RPCs (org_commands.cc, target_commands.cc,
// demo.cc, health.cc, token.cc).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/token.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

std::vector<Command> AllCommands() {
  std::vector<Command> all = HealthCommands();
  // `token mint` is run by RunTokenMint, which parses its own options; the
  // entry is here for usage and dispatch.
  all.push_back({"token mint",
                 "--tenant T --subject S --role R [--scope UNIT] [--ttl 24h] [--key-file F]",
                 "prints a signed bearer token (key from --key-file, ATTAIN_JWT_KEY or "
                 "ATTAIN_JWT_KEY_FILE)",
                 {},
                 {},
                 0,
                 0,
                 nullptr});
  for (auto group :
       {OrgCommands(), TargetCommands(), DemoCommands(), GenerateCommands(), IngestCommands(),
        TemplateCommands(), LeaderboardCommands(), ScorecardCommands(), EvaluationCommands(),
        ReviewCommands(), ActionCommands()}) {
    all.insert(all.end(), group.begin(), group.end());
  }
  return all;
}

std::string Usage(const std::vector<Command>& commands) {
  std::string out =
      "attainctl: command-line client of the Attain target service\n\n"
      "usage: attainctl [global options] COMMAND [options]\n\ncommands:\n";
  for (const Command& c : commands) {
    absl::StrAppend(&out, "  ", c.path, c.synopsis.empty() ? "" : " ", c.synopsis, "\n");
  }
  absl::StrAppend(
      &out,
      "\nglobal options (before or after the command):\n"
      "  --addr HOST:PORT   the target service (env ATTAIN_TARGET_ADDR; default 127.0.0.1:7401)\n"
      "  --ingest-addr HOST:PORT  the ingest service (env ATTAIN_INGEST_ADDR; default "
      "127.0.0.1:7402)\n"
      "  --eval-addr HOST:PORT  the evaluation service (env ATTAIN_EVAL_ADDR; default "
      "127.0.0.1:7403)\n"
      "  --review-addr HOST:PORT  the review service (env ATTAIN_REVIEW_ADDR; default "
      "127.0.0.1:7404)\n"
      "  --token JWT        bearer token (env ATTAIN_TOKEN); see `attainctl token mint`\n"
      "  --json             print one JSON document instead of tables\n"
      "  --timeout 10s      deadline of each call\n"
      "  --request-id ID    idempotency key of a mutation (default: a fresh random one)\n"
      "  --tls-ca-file F    CA of the services' certificates: call them over TLS (env "
      "ATTAIN_TLS_CA_FILE)\n"
      "  --tls-cert-file F, --tls-key-file F  client certificate and key, for services that "
      "require one (env ATTAIN_TLS_CERT_FILE, ATTAIN_TLS_KEY_FILE)\n"
      "  --plaintext        no TLS (loopback services only; the default when no TLS file is "
      "given)\n"
      "\nmetrics: ",
      MetricNames(),
      "\nvalues: money in major units (\"3,000,000.00\"), counts as whole numbers, ratios as "
      "percent (\"95\" or \"95.5%\"),\n        scores and days with up to 2 decimals "
      "(\"4.5\"); money is CNY unless --currency says otherwise\n"
      "\nexit status: 0 ok, 1 the call failed (or the check found a problem), 2 usage error\n"
      "run `attainctl COMMAND --help` for one command's usage\n");
  return out;
}

// Does `words[start…]` begin with the words of `path`?
bool Matches(const std::vector<std::string>& words, std::size_t start, const std::string& path,
             std::size_t* length) {
  std::vector<std::string> parts = absl::StrSplit(path, ' ');
  if (start + parts.size() > words.size()) return false;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (words[start + k] != parts[k]) return false;
  }
  *length = parts.size();
  return true;
}

bool IsHelp(const std::string& word) { return word == "--help" || word == "-h"; }

int Main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  const std::vector<Command> commands = AllCommands();

  GlobalOptions globals;
  if (const char* addr = std::getenv("ATTAIN_TARGET_ADDR"); addr != nullptr && *addr != '\0') {
    globals.addr = addr;
  }
  if (const char* addr = std::getenv("ATTAIN_INGEST_ADDR"); addr != nullptr && *addr != '\0') {
    globals.ingest_addr = addr;
  }
  if (const char* addr = std::getenv("ATTAIN_EVAL_ADDR"); addr != nullptr && *addr != '\0') {
    globals.eval_addr = addr;
  }
  if (const char* addr = std::getenv("ATTAIN_REVIEW_ADDR"); addr != nullptr && *addr != '\0') {
    globals.review_addr = addr;
  }
  if (const char* token = std::getenv("ATTAIN_TOKEN"); token != nullptr) globals.token = token;
  for (auto [env, out] : {std::pair{"ATTAIN_TLS_CERT_FILE", &globals.transport.cert_file},
                          std::pair{"ATTAIN_TLS_KEY_FILE", &globals.transport.key_file},
                          std::pair{"ATTAIN_TLS_CA_FILE", &globals.transport.ca_file}}) {
    if (const char* v = std::getenv(env); v != nullptr) *out = v;
  }
  if (const char* v = std::getenv("ATTAIN_PLAINTEXT"); v != nullptr) {
    globals.transport.plaintext = std::string(v) == "true" || std::string(v) == "1";
  }

  // Global options before the command.
  std::size_t i = 0;
  while (i < words.size() && absl::StartsWith(words[i], "-")) {
    if (IsHelp(words[i])) {
      std::cout << Usage(commands);
      return kExitOk;
    }
    absl::StatusOr<bool> global = ParseGlobalOption(words, &i, &globals);
    if (!global.ok() || !*global) {
      std::cerr << "error: "
                << (global.ok() ? absl::StrCat("unknown option ", words[i])
                                : std::string(global.status().message()))
                << "\nrun `attainctl --help` for the commands and options\n";
      return kExitUsage;
    }
    ++i;
  }
  if (i == words.size()) {
    std::cerr << Usage(commands);
    return kExitUsage;
  }
  if (words[i] == "help") {
    std::cout << Usage(commands);
    return kExitOk;
  }

  const Command* command = nullptr;
  std::size_t length = 0;
  for (const Command& c : commands) {
    std::size_t n = 0;
    if (Matches(words, i, c.path, &n) && n > length) {
      command = &c;
      length = n;
    }
  }
  if (command == nullptr) {
    // Show the commands that start with what was typed, if any.
    std::string prefix;
    for (std::size_t k = i; k < words.size() && !absl::StartsWith(words[k], "-"); ++k) {
      const std::string candidate = absl::StrCat(prefix, prefix.empty() ? "" : " ", words[k]);
      bool any = false;
      for (const Command& c : commands) {
        any = any || absl::StartsWith(absl::StrCat(c.path, " "), absl::StrCat(candidate, " "));
      }
      if (!any) break;
      prefix = candidate;
    }
    if (prefix.empty()) {
      std::cerr << "error: unknown command \"" << words[i]
                << "\"\nrun `attainctl --help` for the commands and options\n";
      return kExitUsage;
    }
    const bool help = std::any_of(words.begin() + static_cast<std::ptrdiff_t>(i), words.end(),
                                  [](const std::string& w) { return IsHelp(w); });
    std::ostream& out = help ? std::cout : std::cerr;
    if (!help) out << "error: \"" << prefix << "\" needs a subcommand:\n";
    for (const Command& c : commands) {
      if (absl::StartsWith(absl::StrCat(c.path, " "), absl::StrCat(prefix, " "))) {
        out << "  attainctl " << c.path << (c.synopsis.empty() ? "" : " ") << c.synopsis << "\n";
      }
    }
    return help ? kExitOk : kExitUsage;
  }

  const std::size_t first_arg = i + length;
  if (command->path == "token mint") {
    // argv as for main(): "mint" first, then its options.
    std::vector<const char*> token_argv;
    for (std::size_t k = first_arg - 1; k < words.size(); ++k) {
      token_argv.push_back(words[k].c_str());
    }
    return RunTokenMint(static_cast<int>(token_argv.size()), token_argv.data());
  }

  const std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(first_arg),
                                      words.end());
  for (const std::string& w : rest) {
    if (w == "--") break;
    if (IsHelp(w)) {
      std::cout << CommandUsage(*command);
      return kExitOk;
    }
  }
  absl::StatusOr<Args> args = ParseArgs(*command, rest, &globals);
  if (!args.ok()) {
    std::cerr << "error: " << args.status().message() << "\n" << CommandUsage(*command);
    return kExitUsage;
  }
  absl::StatusOr<Transport> transport =
      Transport::LoadClient(globals.transport, {{"--addr", globals.addr},
                                                {"--ingest-addr", globals.ingest_addr},
                                                {"--eval-addr", globals.eval_addr},
                                                {"--review-addr", globals.review_addr}});
  if (!transport.ok()) {
    std::cerr << "error: " << transport.status().message() << "\n";
    return kExitUsage;
  }
  Client client(globals, *std::move(transport));
  return command->run(Invocation{*command, *args, client});
}

}  // namespace
}  // namespace attain::ctl

int main(int argc, char** argv) { return attain::ctl::Main(argc, argv); }
