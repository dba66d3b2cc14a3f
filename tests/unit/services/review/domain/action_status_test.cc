#include "services/review/src/domain/action_status.h"

#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using S = ActionStatus;

// The eight steps of DOMAIN.md §8; every other pair of the 8 × 8 is refused.
const std::set<std::pair<S, S>>& Allowed() {
  static const auto* const kAllowed = new std::set<std::pair<S, S>>{
      {S::kDraft, S::kSubmitted},       {S::kSubmitted, S::kAccepted},
      {S::kSubmitted, S::kReturned},    {S::kReturned, S::kSubmitted},
      {S::kAccepted, S::kInProgress},   {S::kInProgress, S::kDone},
      {S::kDone, S::kVerifiedAchieved}, {S::kDone, S::kVerifiedNotAchieved},
  };
  return *kAllowed;
}

TEST(CheckTransitionTest, EveryPairAllowedOrRefused) {
  ASSERT_EQ(AllActionStatuses().size(), 8u);
  int allowed = 0;
  for (S from : AllActionStatuses()) {
    for (S to : AllActionStatuses()) {
      const absl::Status st = CheckTransition(from, to);
      const std::string pair =
          std::string(ActionStatusName(from)) + " -> " + std::string(ActionStatusName(to));
      if (Allowed().count({from, to}) > 0) {
        EXPECT_TRUE(st.ok()) << pair << ": " << st;
        ++allowed;
      } else {
        EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << pair;
        EXPECT_THAT(st.message(),
                    HasSubstr("cannot go from \"" + std::string(ActionStatusName(from)) +
                              "\" to \"" + std::string(ActionStatusName(to)) + "\""))
            << pair;
      }
    }
  }
  EXPECT_EQ(allowed, 8);
}

TEST(CheckTransitionTest, RefusalNamesTheAllowedNextStatuses) {
  EXPECT_EQ(CheckTransition(S::kSubmitted, S::kDone).message(),
            "an action item cannot go from \"submitted\" to \"done\": from \"submitted\" it can "
            "go to \"accepted\" or \"returned\"");
  EXPECT_EQ(CheckTransition(S::kDraft, S::kAccepted).message(),
            "an action item cannot go from \"draft\" to \"accepted\": from \"draft\" it can go "
            "to \"submitted\"");
  EXPECT_EQ(CheckTransition(S::kVerifiedAchieved, S::kDone).message(),
            "an action item cannot go from \"verified_achieved\" to \"done\": "
            "\"verified_achieved\" is final");
  EXPECT_THAT(CheckTransition(S::kInProgress, S::kInProgress).message(),
              HasSubstr("it can go to \"done\""));
}

TEST(AllowedNextStatusesTest, MatchesTheLife) {
  EXPECT_THAT(AllowedNextStatuses(S::kDraft), ElementsAre(S::kSubmitted));
  EXPECT_THAT(AllowedNextStatuses(S::kSubmitted), ElementsAre(S::kAccepted, S::kReturned));
  EXPECT_THAT(AllowedNextStatuses(S::kReturned), ElementsAre(S::kSubmitted));
  EXPECT_THAT(AllowedNextStatuses(S::kAccepted), ElementsAre(S::kInProgress));
  EXPECT_THAT(AllowedNextStatuses(S::kInProgress), ElementsAre(S::kDone));
  EXPECT_THAT(AllowedNextStatuses(S::kDone),
              ElementsAre(S::kVerifiedAchieved, S::kVerifiedNotAchieved));
  EXPECT_TRUE(AllowedNextStatuses(S::kVerifiedAchieved).empty());
  EXPECT_TRUE(AllowedNextStatuses(S::kVerifiedNotAchieved).empty());
}

TEST(EditableTest, OnlyDraftAndReturned) {
  for (S s : AllActionStatuses()) {
    const bool editable = s == S::kDraft || s == S::kReturned;
    EXPECT_EQ(IsEditable(s), editable) << ActionStatusName(s);
    EXPECT_EQ(CheckEditable(s).ok(), editable) << ActionStatusName(s);
  }
  EXPECT_EQ(CheckEditable(S::kAccepted).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckEditable(S::kAccepted).message(),
            "an action item in status \"accepted\" cannot be edited: only \"draft\" and "
            "\"returned\" items can");
}

TEST(OverdueTest, FromTheDayAfterTheDueDayUntilDone) {
  const absl::CivilDay due(2025, 4, 10);
  // On the due day: not yet overdue.
  EXPECT_FALSE(IsOverdue(S::kInProgress, due, absl::CivilDay(2025, 4, 10)));
  EXPECT_EQ(DaysOverdue(S::kInProgress, due, absl::CivilDay(2025, 4, 10)), 0);
  // The day after: 1 day overdue; 2025-05-01 is 21 days after 2025-04-10.
  EXPECT_TRUE(IsOverdue(S::kInProgress, due, absl::CivilDay(2025, 4, 11)));
  EXPECT_EQ(DaysOverdue(S::kInProgress, due, absl::CivilDay(2025, 4, 11)), 1);
  EXPECT_EQ(DaysOverdue(S::kAccepted, due, absl::CivilDay(2025, 5, 1)), 21);
  // Not yet finished in any earlier status counts too.
  for (S s : {S::kDraft, S::kSubmitted, S::kReturned, S::kAccepted}) {
    EXPECT_TRUE(IsOverdue(s, due, absl::CivilDay(2025, 4, 11))) << ActionStatusName(s);
  }
  // Done or verified: never overdue.
  for (S s : {S::kDone, S::kVerifiedAchieved, S::kVerifiedNotAchieved}) {
    EXPECT_FALSE(IsOverdue(s, due, absl::CivilDay(2025, 6, 1))) << ActionStatusName(s);
    EXPECT_EQ(DaysOverdue(s, due, absl::CivilDay(2025, 6, 1)), 0);
    EXPECT_TRUE(IsFinished(s));
  }
}

TEST(ProgressTest, DueTenDaysAfterTheLastReportLateFromTheDayAfter) {
  const absl::CivilDay accepted(2025, 4, 1);
  // 2025-04-01 + 10 = 2025-04-11.
  ProgressSchedule on_day = NextProgressReport(accepted, absl::CivilDay(2025, 4, 11));
  EXPECT_EQ(on_day.next_due, absl::CivilDay(2025, 4, 11));
  EXPECT_FALSE(on_day.late);
  EXPECT_EQ(on_day.days_late, 0);
  ProgressSchedule early = NextProgressReport(accepted, absl::CivilDay(2025, 4, 2));
  EXPECT_FALSE(early.late);
  ProgressSchedule day_after = NextProgressReport(accepted, absl::CivilDay(2025, 4, 12));
  EXPECT_TRUE(day_after.late);
  EXPECT_EQ(day_after.days_late, 1);
  // Across month and year ends: 2025-01-25 + 10 = 2025-02-04; 2024-12-25 + 10 = 2025-01-04;
  // 2024-02-25 + 10 = 2024-03-06 (leap year: Feb has 29 days).
  EXPECT_EQ(NextProgressReport(absl::CivilDay(2025, 1, 25), absl::CivilDay(2025, 1, 26)).next_due,
            absl::CivilDay(2025, 2, 4));
  EXPECT_EQ(NextProgressReport(absl::CivilDay(2024, 12, 25), absl::CivilDay(2025, 1, 1)).next_due,
            absl::CivilDay(2025, 1, 4));
  ProgressSchedule leap =
      NextProgressReport(absl::CivilDay(2024, 2, 25), absl::CivilDay(2024, 3, 9));
  EXPECT_EQ(leap.next_due, absl::CivilDay(2024, 3, 6));
  EXPECT_EQ(leap.days_late, 3);
}

TEST(ActionStatusNameTest, Names) {
  EXPECT_EQ(ActionStatusName(S::kDraft), "draft");
  EXPECT_EQ(ActionStatusName(S::kSubmitted), "submitted");
  EXPECT_EQ(ActionStatusName(S::kAccepted), "accepted");
  EXPECT_EQ(ActionStatusName(S::kReturned), "returned");
  EXPECT_EQ(ActionStatusName(S::kInProgress), "in_progress");
  EXPECT_EQ(ActionStatusName(S::kDone), "done");
  EXPECT_EQ(ActionStatusName(S::kVerifiedAchieved), "verified_achieved");
  EXPECT_EQ(ActionStatusName(S::kVerifiedNotAchieved), "verified_not_achieved");
}

}  // namespace
}  // namespace attain::review
