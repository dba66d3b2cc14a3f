// Reps' targets for the leaderboard rows, from the target service
// (attain.target.v1.TargetService/ListTargets), cached briefly.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"

namespace attain::eval {

// Which reps' targets to fetch: rep-scope targets of one period and metric.
struct TargetQuery {
  std::string tenant;
  std::string period;        // canonical
  int metric = 0;            // attain.type.v1.Metric number
  std::string product_line;  // a product line id, or "" for the all-product-lines targets
  std::string under_unit;    // only reps in this unit's subtree (period's first day); "" = all
};

// rep id → base target, in the metric's unit.
using RepTargets = absl::flat_hash_map<std::string, int64_t>;

class TargetLookup {
 public:
  virtual ~TargetLookup() = default;
  // UNAVAILABLE when the targets cannot be fetched.
  virtual absl::StatusOr<std::shared_ptr<const RepTargets>> Find(const TargetQuery& query) = 0;
};

// Asks the target service with a per-tenant service token (minted from the
// shared signing key, ARCHITECTURE §10) and keeps each answer for `ttl`, so a
// target change shows on the boards within ttl. A failure is remembered for
// `failure_ttl` so that a target service outage does not add its deadline to
// every board read.
class GrpcTargetLookup final : public TargetLookup {
 public:
  struct Options {
    absl::Duration ttl = absl::Seconds(30);
    absl::Duration failure_ttl = absl::Seconds(5);
    absl::Duration deadline = absl::Seconds(2);
    // Pages of ListTargets (10000 targets each) read per query at most.
    int max_pages = 20;
  };
  GrpcTargetLookup(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                   const Clock* clock, Options options);

  absl::StatusOr<std::shared_ptr<const RepTargets>> Find(const TargetQuery& query) override;

 private:
  struct Entry {
    absl::StatusOr<std::shared_ptr<const RepTargets>> targets;
    absl::Time fetched;
  };
  absl::StatusOr<std::shared_ptr<const RepTargets>> Fetch(const TargetQuery& query);

  std::unique_ptr<target::v1::TargetService::Stub> stub_;
  ServiceTokens tokens_;
  const Clock* clock_;
  const Options options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace attain::eval
