// OrgDirectory backed by the target service over gRPC, with a cache: a rep's
// memberships and the units' parents are fetched once per `ttl` and reused.
// A cached membership history answers only for days that had already begun
// when it was fetched: a move for a later day may be recorded at any time
// before that day (moves are planned ahead), so a sale dated after the fetch
// day asks the target service again. A move dated on or before the fetch day
// but recorded after the fetch is seen once the entry expires (up to `ttl`).
// Calls carry a service token minted per tenant from the shared signing key
// (ARCHITECTURE §10) and a deadline.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "services/ingest/src/domain/org_directory.h"

namespace attain::ingest {

class TargetOrgDirectory final : public OrgDirectory {
 public:
  struct Options {
    absl::Duration ttl = absl::Seconds(60);
    absl::Duration deadline = absl::Seconds(2);
    // The zone in which "the day had begun" is judged: the tenants' zone, or
    // by default the easternmost one (UTC+14), so that no day that had begun
    // in any tenant's zone is refetched.
    absl::TimeZone time_zone = absl::FixedTimeZone(14 * 60 * 60);
  };
  TargetOrgDirectory(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                     const Clock* clock, Options options);

  absl::StatusOr<RepPlacement> Place(const std::string& tenant, const std::string& rep_id,
                                     absl::CivilDay day) override;

 private:
  struct Membership {
    std::string team_id;
    absl::CivilDay from;
    absl::CivilDay to;  // inclusive; CivilDay::max() while current
  };
  struct RepEntry {
    std::vector<Membership> memberships;
    absl::Time fetched;
    absl::CivilDay fetch_day;  // the day it was in options_.time_zone at `fetched`
  };
  struct UnitEntry {
    std::string parent_id;
    int kind = 0;
    absl::Time fetched;
  };

  absl::StatusOr<std::string> Token(const std::string& tenant);
  void Prepare(grpc::ClientContext& ctx, const std::string& token) const;
  // The rep's memberships, from the cache if they were fetched less than
  // options_.ttl ago and `day` had begun by then.
  absl::StatusOr<RepEntry> FetchRep(const std::string& tenant, const std::string& rep_id,
                                    absl::CivilDay day);
  absl::StatusOr<UnitEntry> FetchUnit(const std::string& tenant, const std::string& unit_id);
  absl::StatusOr<std::string> RegionOf(const std::string& tenant, const std::string& team_id);

  std::unique_ptr<target::v1::OrgService::Stub> stub_;
  ServiceTokens tokens_;
  const Clock* clock_;
  const Options options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, RepEntry> reps_ ABSL_GUARDED_BY(mu_);    // tenant \0 rep
  absl::flat_hash_map<std::string, UnitEntry> units_ ABSL_GUARDED_BY(mu_);  // tenant \0 unit
};

}  // namespace attain::ingest
