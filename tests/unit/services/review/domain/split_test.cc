#include "services/review/src/domain/split.h"

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::map<std::string, std::string> kManagers = {
    {"Sales", "m-sales"}, {"Marketing", "m-mkt"}, {"Finance", "m-fin"}, {"Logistics", "m-log"}};

TEST(PlanOwnershipTest, OneDepartmentIsItsManagersUnlessAnOwnerIsGiven) {
  OwnershipPlan plan = *PlanOwnership({"Sales"}, std::nullopt, "gm-1", kManagers);
  EXPECT_EQ(plan.owner_id, "m-sales");
  EXPECT_THAT(plan.departments, ElementsAre("Sales"));
  EXPECT_THAT(plan.children, IsEmpty());
  // A named owner wins; a blank one does not count.
  EXPECT_EQ(PlanOwnership({"Sales"}, std::string("u-7"), "gm-1", kManagers)->owner_id, "u-7");
  EXPECT_EQ(PlanOwnership({"Sales"}, std::string(" "), "gm-1", kManagers)->owner_id, "m-sales");
  // With a named owner the manager is not needed, nor is a general manager.
  EXPECT_EQ(PlanOwnership({"R&D"}, std::string("u-7"), "", kManagers)->owner_id, "u-7");
}

TEST(PlanOwnershipTest, ThreeDepartmentsGoToTheGeneralManagerWithAChildEach) {
  OwnershipPlan plan =
      *PlanOwnership({"Sales", "Finance", "Logistics"}, std::nullopt, "gm-1", kManagers);
  EXPECT_EQ(plan.owner_id, "gm-1");
  EXPECT_THAT(plan.departments, ElementsAre("Sales", "Finance", "Logistics"));
  ASSERT_EQ(plan.children.size(), 3u);
  EXPECT_EQ(plan.children[0].department, "Sales");
  EXPECT_EQ(plan.children[0].owner_id, "m-sales");
  EXPECT_EQ(plan.children[1].department, "Finance");
  EXPECT_EQ(plan.children[1].owner_id, "m-fin");
  EXPECT_EQ(plan.children[2].department, "Logistics");
  EXPECT_EQ(plan.children[2].owner_id, "m-log");
  // Naming the general manager as owner is the same plan.
  EXPECT_EQ(PlanOwnership({"Sales", "Finance"}, std::string("gm-1"), "gm-1", kManagers)->owner_id,
            "gm-1");
}

TEST(PlanOwnershipTest, AMissingManagerIsNamed) {
  absl::StatusOr<OwnershipPlan> plan =
      PlanOwnership({"Sales", "R&D", "Finance"}, std::nullopt, "gm-1", kManagers);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(),
              HasSubstr("department \"R&D\" has no manager on record: record its manager"));
  EXPECT_THAT(PlanOwnership({"R&D"}, std::nullopt, "gm-1", kManagers).status().message(),
              HasSubstr("department \"R&D\" has no manager"));
  // A blank manager id is no manager.
  EXPECT_EQ(PlanOwnership({"Sales"}, std::nullopt, "gm-1", {{"Sales", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PlanOwnershipTest, RefusesBadDepartmentsAndOwners) {
  EXPECT_THAT(PlanOwnership({}, std::nullopt, "gm-1", kManagers).status().message(),
              HasSubstr("departments is empty"));
  EXPECT_THAT(PlanOwnership({"Sales", ""}, std::nullopt, "gm-1", kManagers).status().message(),
              HasSubstr("departments[1] is blank"));
  EXPECT_THAT(PlanOwnership({"Sales", "Finance", "Sales"}, std::nullopt, "gm-1", kManagers)
                  .status()
                  .message(),
              HasSubstr("departments[2]: \"Sales\" is named twice"));
  EXPECT_THAT(PlanOwnership({"Sales", "Finance"}, std::nullopt, "", kManagers).status().message(),
              HasSubstr("no general manager is on record"));
  absl::StatusOr<OwnershipPlan> other =
      PlanOwnership({"Sales", "Finance"}, std::string("u-7"), "gm-1", kManagers);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other.status().message(),
              HasSubstr("owner_id \"u-7\": an item naming 2 departments is owned by the general "
                        "manager \"gm-1\""));
}

}  // namespace
}  // namespace attain::review
