#include "common/concurrent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <vector>

#include "absl/synchronization/barrier.h"

namespace attain {
namespace {

TEST(RunConcurrently, NoTasksIsOk) { EXPECT_TRUE(RunConcurrently({}).ok()); }

TEST(RunConcurrently, TasksOverlap) {
  // Each task waits at a barrier for all the others: this only finishes if
  // the four run at the same time.
  auto* barrier = new absl::Barrier(4);  // deleted by the last to pass
  std::atomic<int> ran{0};
  std::vector<std::function<absl::Status()>> tasks;
  for (int i = 0; i < 4; ++i) {
    tasks.push_back([&] {
      if (barrier->Block()) delete barrier;
      ++ran;
      return absl::OkStatus();
    });
  }
  EXPECT_TRUE(RunConcurrently(std::move(tasks)).ok());
  EXPECT_EQ(ran.load(), 4);
}

TEST(RunConcurrently, FirstErrorInTaskOrderAndAllRunToTheEnd) {
  std::atomic<int> ran{0};
  std::vector<std::function<absl::Status()>> tasks = {
      [&] {
        ++ran;
        return absl::OkStatus();
      },
      [&] {
        ++ran;
        return absl::NotFoundError("second");
      },
      [&] {
        ++ran;
        return absl::UnavailableError("third");
      },
  };
  absl::Status st = RunConcurrently(std::move(tasks));
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "second");
  EXPECT_EQ(ran.load(), 3);
}

TEST(RunConcurrently, ResultsWrittenByReferenceAreVisibleAfter) {
  std::vector<int> out(8, 0);
  std::vector<std::function<absl::Status()>> tasks;
  for (int i = 0; i < 8; ++i) {
    tasks.push_back([&out, i] {
      out[i] = i * i;
      return absl::OkStatus();
    });
  }
  ASSERT_TRUE(RunConcurrently(std::move(tasks)).ok());
  EXPECT_THAT(out, ::testing::ElementsAre(0, 1, 4, 9, 16, 25, 36, 49));
}

}  // namespace
}  // namespace attain
