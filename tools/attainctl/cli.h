// The command table of attainctl and its argument parsing: every command is a
// path of words ("org unit create"), positional arguments and `--flag value` /
// `--flag=value` / `--switch` options; global options may come before or after
// the command words.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/config.h"

namespace attain::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the call failed or the answer is "no"
inline constexpr int kExitUsage = 2;    // the command line is wrong

struct Command;
class Client;

// Options every command takes (flag > environment > default).
struct GlobalOptions {
  std::string addr = "127.0.0.1:7401";         // --addr, ATTAIN_TARGET_ADDR
  std::string ingest_addr = "127.0.0.1:7402";  // --ingest-addr, ATTAIN_INGEST_ADDR
  std::string eval_addr = "127.0.0.1:7403";    // --eval-addr, ATTAIN_EVAL_ADDR
  std::string review_addr = "127.0.0.1:7404";  // --review-addr, ATTAIN_REVIEW_ADDR
  std::string token;                           // --token, ATTAIN_TOKEN
  bool json = false;                           // --json
  absl::Duration timeout = absl::Seconds(10);  // --timeout: deadline of each call
  std::string request_id;                      // --request-id for mutations
  // --tls-cert-file, --tls-key-file, --tls-ca-file, --plaintext (env ATTAIN_TLS_…,
  // ATTAIN_PLAINTEXT)
  TransportOptions transport;
};

// The parsed options and positional arguments of one command.
class Args {
 public:
  bool Has(absl::string_view flag) const { return values_.find(flag) != values_.end(); }
  // The last value of `--flag`, or `fallback` when it is absent.
  std::string Get(absl::string_view flag, absl::string_view fallback = "") const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> GetAll(absl::string_view flag) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend absl::StatusOr<Args> ParseArgs(const Command& command,
                                        const std::vector<std::string>& words,
                                        GlobalOptions* globals);
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// What a command's handler gets.
struct Invocation {
  const Command& command;
  const Args& args;
  Client& client;

  // Prints `error: <message>` and the command's usage to stderr; returns kExitUsage.
  int UsageError(absl::string_view message) const;
};

struct Command {
  std::string path;      // the command words, e.g. "org unit create"
  std::string synopsis;  // what follows the words, e.g. "--name N --kind company|region|team"
  std::string help;      // one line saying what it does
  std::vector<std::string> value_flags;   // options taking a value, without "--"
  std::vector<std::string> switch_flags;  // options without a value
  int min_args = 0;                       // positional arguments
  int max_args = 0;
  std::function<int(const Invocation&)> run;
};

// "usage: attainctl <path> <synopsis>" plus the help line.
std::string CommandUsage(const Command& command);

// Parses what follows the command words: the command's own options, the
// global options (into `globals`) and positional arguments. INVALID_ARGUMENT
// naming the problem for an unknown option, a missing value or a wrong number
// of positional arguments.
absl::StatusOr<Args> ParseArgs(const Command& command, const std::vector<std::string>& words,
                               GlobalOptions* globals);

// Applies one global option at words[*i] (advancing past its value). Returns
// false when words[*i] is not a global option; INVALID_ARGUMENT for a bad value.
absl::StatusOr<bool> ParseGlobalOption(const std::vector<std::string>& words, std::size_t* i,
                                       GlobalOptions* globals);

// The command groups (defined beside their handlers).
std::vector<Command> HealthCommands();
std::vector<Command> OrgCommands();
std::vector<Command> TargetCommands();
std::vector<Command> DemoCommands();
std::vector<Command> IngestCommands();       // ingest_commands.cc
std::vector<Command> TemplateCommands();     // template_commands.cc
std::vector<Command> LeaderboardCommands();  // leaderboard_commands.cc
std::vector<Command> ScorecardCommands();    // scorecard_commands.cc
std::vector<Command> EvaluationCommands();   // evaluation_commands.cc
std::vector<Command> GenerateCommands();     // generate.cc ("demo generate")
std::vector<Command> ReviewCommands();       // review_commands.cc (committee … report)
std::vector<Command> ActionCommands();       // action_commands.cc (action items, person record)

}  // namespace attain::ctl
