#include "common/stream_slots.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "absl/strings/match.h"

namespace attain {
namespace {

TEST(StreamSlotsTest, RefusesPastTheCapNamingItAndFreesOnRelease) {
  StreamSlots slots(2, "test streams");
  EXPECT_TRUE(slots.TryAcquire().ok());
  EXPECT_TRUE(slots.TryAcquire().ok());
  EXPECT_EQ(slots.active(), 2);
  absl::Status refused = slots.TryAcquire();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(refused.message(), "limit of 2 concurrent test streams"))
      << refused.message();
  EXPECT_TRUE(absl::StrContains(refused.message(), "retry later")) << refused.message();
  EXPECT_EQ(slots.active(), 2);  // a refusal takes nothing
  slots.Release();
  EXPECT_TRUE(slots.TryAcquire().ok());
  EXPECT_EQ(slots.active(), 2);
}

TEST(StreamSlotsTest, NeverGrantsMoreThanTheCapUnderContention) {
  StreamSlots slots(100, "streams");
  std::vector<std::thread> threads;
  std::vector<int> granted(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&slots, &granted, t] {
      for (int i = 0; i < 1000; ++i) granted[t] += slots.TryAcquire().ok();
    });
  }
  for (std::thread& th : threads) th.join();
  int total = 0;
  for (int g : granted) total += g;
  EXPECT_EQ(total, 100);
  EXPECT_EQ(slots.active(), 100);
}

}  // namespace
}  // namespace attain
