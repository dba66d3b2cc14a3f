// Fan-out of independent blocking calls (e.g. a scorecard's queries to other
// services): each task runs on its own short-lived thread so that their
// latencies overlap instead of adding up.
#pragma once

#include <functional>
#include <vector>

#include "absl/status/status.h"

namespace attain {

// Runs every task at once (the first on the calling thread, each other on a
// thread of its own) and waits for all of them. Returns OK if all succeeded,
// else the error of the first failed task in the order given; every task runs
// to its end either way, so what they capture by reference may be read after.
// Meant for a handful of tasks per call (one thread each), not for loops over
// data.
absl::Status RunConcurrently(std::vector<std::function<absl::Status()>> tasks);

}  // namespace attain
