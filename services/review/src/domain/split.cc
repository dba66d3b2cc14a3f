#include "services/review/src/domain/split.h"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace attain::review {
namespace {

bool IsBlank(const std::string& s) { return absl::StripAsciiWhitespace(s).empty(); }

absl::StatusOr<std::string> ManagerOf(const std::string& department,
                                      const std::map<std::string, std::string>& managers) {
  auto it = managers.find(department);
  if (it == managers.end() || IsBlank(it->second)) {
    return absl::InvalidArgumentError(
        absl::StrCat("department \"", department,
                     "\" has no manager on record: record its manager or name an owner"));
  }
  return it->second;
}

}  // namespace

absl::StatusOr<OwnershipPlan> PlanOwnership(const std::vector<std::string>& departments,
                                            const std::optional<std::string>& owner_id,
                                            const std::string& general_manager_id,
                                            const std::map<std::string, std::string>& managers) {
  if (departments.empty()) {
    return absl::InvalidArgumentError("departments is empty: name the responsible department");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < departments.size(); ++i) {
    if (IsBlank(departments[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("departments[", i, "] is blank: name the department or remove it"));
    }
    if (!seen.insert(departments[i]).second) {
      return absl::InvalidArgumentError(absl::StrCat("departments[", i, "]: \"", departments[i],
                                                     "\" is named twice: name it once"));
    }
  }
  const bool owner_given = owner_id.has_value() && !IsBlank(*owner_id);

  OwnershipPlan plan;
  plan.departments = departments;
  if (departments.size() == 1) {
    if (owner_given) {
      plan.owner_id = *owner_id;
      return plan;
    }
    absl::StatusOr<std::string> manager = ManagerOf(departments[0], managers);
    if (!manager.ok()) return manager.status();
    plan.owner_id = *manager;
    return plan;
  }

  if (IsBlank(general_manager_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the item names ", departments.size(),
        " departments, so the general manager owns it, and no general manager is on record: "
        "record the general manager"));
  }
  if (owner_given && *owner_id != general_manager_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner_id \"", *owner_id, "\": an item naming ", departments.size(),
                     " departments is owned by the general manager \"", general_manager_id,
                     "\": leave owner_id empty or name a single department"));
  }
  plan.owner_id = general_manager_id;
  for (const std::string& department : departments) {
    absl::StatusOr<std::string> manager = ManagerOf(department, managers);
    if (!manager.ok()) return manager.status();
    plan.children.push_back({department, *manager});
  }
  return plan;
}

}  // namespace attain::review
