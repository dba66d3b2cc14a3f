// `attainctl token mint`: prints a signed bearer token for a principal, for
// operators, demos and tests (ARCHITECTURE.md §10).
#pragma once

#include <ostream>

#include "common/clock.h"
#include "common/config.h"

namespace attain::ctl {

// Runs `attainctl token mint --tenant T --subject S --role R [--scope UNIT]
// [--ttl 24h] [--key-file F]`; without --key-file the key comes from
// ATTAIN_JWT_KEY or ATTAIN_JWT_KEY_FILE (the services' variables). `argv` is
// as for main(): argv[0] names the command ("mint") and is skipped.
// Prints the token and a newline to stdout and returns 0; on a usage or key
// problem prints what to fix to stderr and returns 2; `--help` prints the
// usage to stdout and returns 0.
int RunTokenMint(int argc, const char* const* argv);

// The same with the environment, the output streams and the clock injected.
int RunTokenMint(int argc, const char* const* argv, const ConfigParser::GetEnv& getenv,
                 std::ostream& out, std::ostream& err, const Clock& clock);

}  // namespace attain::ctl
