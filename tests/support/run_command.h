// Runs a command-line program to completion for tests and captures its exit
// code, stdout and stderr.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace attain::testing {

struct CommandResult {
  int code = -1;  // exit status; 128 + signal if killed
  std::string out;
  std::string err;
};
std::ostream& operator<<(std::ostream& os, const CommandResult& r);

// Runs `binary` with `args`. The environment is the test's without any
// ATTAIN_* variable, plus `env`. A run longer than `timeout` is killed and
// reported as a test failure.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         absl::Duration timeout = absl::Seconds(120));

// The whole content of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

}  // namespace attain::testing
