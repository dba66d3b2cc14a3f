// Where a rep sits in the org on a day (team and region), as the target
// service knows it. Ingest credits a sale to the team the rep was in on the
// day of the sale (a team move takes effect from its date).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace attain::ingest {

struct RepPlacement {
  std::string team_id;    // "" if the rep was in no team that day
  std::string region_id;  // the team's nearest ancestor of kind REGION; "" if none
};

class OrgDirectory {
 public:
  virtual ~OrgDirectory() = default;
  // NOT_FOUND if the tenant has no such rep; UNAVAILABLE if the target service
  // cannot be reached (the caller retries; events are not rejected for it).
  virtual absl::StatusOr<RepPlacement> Place(const std::string& tenant, const std::string& rep_id,
                                             absl::CivilDay day) = 0;
};

}  // namespace attain::ingest
