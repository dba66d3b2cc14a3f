#include "common/concurrent.h"

#include <cstddef>
#include <thread>
#include <utility>

namespace attain {

absl::Status RunConcurrently(std::vector<std::function<absl::Status()>> tasks) {
  std::vector<absl::Status> results(tasks.size());
  std::vector<std::thread> threads;
  if (tasks.size() > 1) threads.reserve(tasks.size() - 1);
  for (std::size_t i = 1; i < tasks.size(); ++i) {
    threads.emplace_back([&tasks, &results, i] { results[i] = tasks[i](); });
  }
  if (!tasks.empty()) results[0] = tasks[0]();
  for (std::thread& t : threads) t.join();
  for (absl::Status& st : results) {
    if (!st.ok()) return std::move(st);
  }
  return absl::OkStatus();
}

}  // namespace attain
