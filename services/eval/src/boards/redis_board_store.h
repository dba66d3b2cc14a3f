// BoardStore over Redis: each read is one Lua script, so that ranks, values and
// the board's size come from one instant even while the relay writes.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "common/redis.h"
#include "services/eval/src/boards/board_store.h"

namespace attain::eval {

class RedisBoardStore final : public BoardStore {
 public:
  // `connections` clients to `options`' server, used in turn: a RedisClient
  // serialises its calls, so several let concurrent reads overlap. Reads fail
  // with UNAVAILABLE within the options' connect/command timeouts.
  RedisBoardStore(const RedisClient::Options& options, int connections);

  absl::StatusOr<BoardRange> Range(const BoardRef& board, int64_t start, int count) override;
  absl::StatusOr<std::optional<BoardNeighbourhood>> Neighbourhood(const BoardRef& board,
                                                                  const std::string& rep_id,
                                                                  int neighbours) override;

 private:
  RedisClient& Next();

  std::vector<std::unique_ptr<RedisClient>> clients_;
  std::atomic<size_t> next_{0};
};

}  // namespace attain::eval
