#include "tools/attainctl/cli.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace attain::ctl {
namespace {

bool Contains(const std::vector<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Splits "--name=value" into name and value; "--name" gives no value.
void SplitFlag(absl::string_view word, std::string* name, std::string* value, bool* has_value) {
  absl::string_view body = word.substr(2);
  const std::size_t eq = body.find('=');
  *has_value = eq != absl::string_view::npos;
  *name = std::string(body.substr(0, eq));
  *value = *has_value ? std::string(body.substr(eq + 1)) : std::string();
}

}  // namespace

std::string Args::Get(absl::string_view flag, absl::string_view fallback) const {
  auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

std::vector<std::string> Args::GetAll(absl::string_view flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

int Invocation::UsageError(absl::string_view message) const {
  std::cerr << "error: " << message << "\n" << CommandUsage(command) << std::flush;
  return kExitUsage;
}

std::string CommandUsage(const Command& command) {
  return absl::StrCat("usage: attainctl ", command.path, command.synopsis.empty() ? "" : " ",
                      command.synopsis, "\n  ", command.help, "\n");
}

absl::StatusOr<bool> ParseGlobalOption(const std::vector<std::string>& words, std::size_t* i,
                                       GlobalOptions* globals) {
  const std::string& word = words[*i];
  if (!absl::StartsWith(word, "--")) return false;
  std::string name, value;
  bool has_value = false;
  SplitFlag(word, &name, &value, &has_value);
  if (name == "json" || name == "plaintext") {
    if (has_value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    (name == "json" ? globals->json : globals->transport.plaintext) = true;
    return true;
  }
  if (name != "addr" && name != "ingest-addr" && name != "eval-addr" && name != "review-addr" &&
      name != "token" && name != "timeout" && name != "request-id" && name != "tls-cert-file" &&
      name != "tls-key-file" && name != "tls-ca-file") {
    return false;
  }
  if (!has_value) {
    if (*i + 1 >= words.size()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    }
    value = words[++*i];
  }
  if (name == "addr") {
    if (value.empty()) return absl::InvalidArgumentError("--addr is empty: give HOST:PORT");
    globals->addr = value;
  } else if (name == "ingest-addr") {
    if (value.empty()) return absl::InvalidArgumentError("--ingest-addr is empty: give HOST:PORT");
    globals->ingest_addr = value;
  } else if (name == "eval-addr") {
    if (value.empty()) return absl::InvalidArgumentError("--eval-addr is empty: give HOST:PORT");
    globals->eval_addr = value;
  } else if (name == "review-addr") {
    if (value.empty()) return absl::InvalidArgumentError("--review-addr is empty: give HOST:PORT");
    globals->review_addr = value;
  } else if (name == "token") {
    globals->token = value;
  } else if (name == "request-id") {
    globals->request_id = value;
  } else if (name == "tls-cert-file") {
    globals->transport.cert_file = value;
  } else if (name == "tls-key-file") {
    globals->transport.key_file = value;
  } else if (name == "tls-ca-file") {
    globals->transport.ca_file = value;
  } else {
    absl::Duration d;
    if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--timeout \"%s\" is not a positive duration: write e.g. \"10s\", \"1m\", \"500ms\"",
          value));
    }
    globals->timeout = d;
  }
  return true;
}

absl::StatusOr<Args> ParseArgs(const Command& command, const std::vector<std::string>& words,
                               GlobalOptions* globals) {
  Args args;
  bool only_positional = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (only_positional || !absl::StartsWith(word, "--") || word == "-") {
      if (word == "--" && !only_positional) {
        only_positional = true;
        continue;
      }
      args.positional_.push_back(word);
      continue;
    }
    if (word == "--") {
      only_positional = true;
      continue;
    }
    absl::StatusOr<bool> global = ParseGlobalOption(words, &i, globals);
    if (!global.ok()) return global.status();
    if (*global) continue;

    std::string name, value;
    bool has_value = false;
    SplitFlag(word, &name, &value, &has_value);
    if (Contains(command.switch_flags, name)) {
      if (has_value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      args.values_[name].push_back("true");
    } else if (Contains(command.value_flags, name)) {
      if (!has_value) {
        if (i + 1 >= words.size()) {
          return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
        }
        value = words[++i];
      }
      args.values_[name].push_back(value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name));
    }
  }
  const int n = static_cast<int>(args.positional_.size());
  if (n < command.min_args || n > command.max_args) {
    if (command.max_args == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", args.positional_[0], "\""));
    }
    if (n > command.max_args) {
      return absl::InvalidArgumentError(
          absl::StrCat("too many arguments (from \"", args.positional_[command.max_args], "\")"));
    }
    return absl::InvalidArgumentError("missing argument");
  }
  return args;
}

}  // namespace attain::ctl
