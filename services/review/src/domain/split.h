// Ownership of an action item by department (DOMAIN.md §8): a
// cross-department item is owned by the general manager and split into one
// child item per department, each owned by that department's manager; a
// single-department item is owned by that department's manager unless the
// submitter names an owner.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace attain::review {

// A child item of a cross-department item: one department's share of the work.
struct DepartmentAssignment {
  std::string department;
  std::string owner_id;  // the department's manager
};

struct OwnershipPlan {
  // The owner of the item itself: the general manager for several
  // departments; the given owner or the department's manager for one.
  std::string owner_id;
  std::vector<std::string> departments;  // as given, in order
  // One per department, in the order given, when there are several; empty
  // for a single-department item (no children).
  std::vector<DepartmentAssignment> children;
};

// Plans the ownership of an item naming `departments`.
// `managers` maps a department to its manager's id. INVALID_ARGUMENT for no
// department, a blank or repeated one, a department whose manager is needed
// but missing from `managers` (naming the department), a cross-department
// item without `general_manager_id`, or one whose `owner_id` is given and is
// not the general manager (a cross-department item is the general manager's).
absl::StatusOr<OwnershipPlan> PlanOwnership(const std::vector<std::string>& departments,
                                            const std::optional<std::string>& owner_id,
                                            const std::string& general_manager_id,
                                            const std::map<std::string, std::string>& managers);

}  // namespace attain::review
