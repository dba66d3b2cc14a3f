#include "services/review/src/domain/agenda.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace attain::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Deviation Rep(std::string id, std::string name, int64_t target, int64_t actual,
              std::optional<int64_t> attainment_bp) {
  return {PresenterKind::kRep, std::move(id), std::move(name), "sales_amount", target, actual,
          attainment_bp};
}

Deviation Unit(std::string id, std::string name, int64_t target, int64_t actual,
               std::optional<int64_t> attainment_bp) {
  Deviation d = Rep(std::move(id), std::move(name), target, actual, attainment_bp);
  d.kind = PresenterKind::kUnit;
  return d;
}

// Presenters in the agenda's order, by id.
std::vector<std::string> PresenterIds(const Agenda& agenda) {
  std::vector<std::string> ids;
  for (const AgendaItem& item : agenda.items) {
    if (item.presenter.has_value()) ids.push_back(item.presenter->id);
  }
  return ids;
}

std::vector<int64_t> Minutes(const Agenda& agenda) {
  std::vector<int64_t> minutes;
  for (const AgendaItem& item : agenda.items) minutes.push_back(item.minutes);
  return minutes;
}

std::vector<AgendaItemKind> Kinds(const Agenda& agenda) {
  std::vector<AgendaItemKind> kinds;
  for (const AgendaItem& item : agenda.items) kinds.push_back(item.kind);
  return kinds;
}

int64_t Total(const Agenda& agenda) {
  int64_t total = 0;
  for (const AgendaItem& item : agenda.items) total += item.minutes;
  return total;
}

// Deviation sizes (|10000 − attainment|) and gaps (|actual − target|):
//   u-c 80 %  → 2000, gap 1000      r-a 80 %  → 2000, gap 200
//   r-b 120 % → 2000, gap 200       r-d 95 %  → 500,  gap 100
//   r-e no target, |actual| 3000    r-f no target, |actual| 500
// Order: u-c (largest gap of the 2000s), r-a, r-b (same gap: by id), r-d,
// then the ones without a target by |actual|: r-e, r-f.
std::vector<Deviation> SixPresenters() {
  return {Rep("r-f", "Fang", 0, 500, std::nullopt), Rep("r-b", "Bai", 1000, 1200, 12000),
          Rep("r-d", "Du", 2000, 1900, 9500),       Rep("r-e", "Er", 0, -3000, std::nullopt),
          Rep("r-a", "An", 1000, 800, 8000),        Unit("u-c", "East team", 5000, 4000, 8000)};
}

TEST(OrderByDeviationTest, LargestDeviationFirstTiesByGapThenId) {
  std::vector<Deviation> presenters = SixPresenters();
  OrderByDeviation(presenters);
  std::vector<std::string> ids;
  for (const Deviation& d : presenters) ids.push_back(d.id);
  EXPECT_THAT(ids, ElementsAre("u-c", "r-a", "r-b", "r-d", "r-e", "r-f"));
}

TEST(OrderByDeviationTest, SameIdRepBeforeUnitAndExtremesAreSafe) {
  // Equal in every figure: a rep comes before a unit of the same id.
  std::vector<Deviation> same = {Unit("x", "X team", 100, 90, 9000), Rep("x", "X", 100, 90, 9000)};
  OrderByDeviation(same);
  EXPECT_EQ(same[0].kind, PresenterKind::kRep);
  // |10000 − INT64_MIN| and |INT64_MIN| do not overflow (128-bit magnitudes).
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::vector<Deviation> extreme = {Rep("a", "A", kMax, kMin, 10000), Rep("b", "B", 0, kMin, kMin),
                                    Rep("c", "C", 0, kMax, kMax),
                                    Rep("d", "D", 0, kMin, std::nullopt)};
  OrderByDeviation(extreme);
  // b: |10000 − INT64_MIN| > c: |10000 − INT64_MAX| > a: 0; d has no target.
  EXPECT_EQ(extreme[0].id, "b");
  EXPECT_EQ(extreme[1].id, "c");
  EXPECT_EQ(extreme[2].id, "a");
  EXPECT_EQ(extreme[3].id, "d");
}

TEST(BuildAgendaTest, SectionsInOrderAndTheRemainderToTheLargestDeviations) {
  // 94 minutes − (previous 10 + free 15 + spare 5 = 30) = 64 for 6 presenters:
  // 64 / 6 = 10 remainder 4, so the 4 largest deviations get 11, the others 10.
  AgendaSettings s;
  s.meeting_minutes = 94;
  s.previous_review_minutes = 10;
  s.free_discussion_minutes = 15;
  s.spare_minutes = 5;
  s.min_minutes_per_presenter = 5;
  Agenda agenda = *BuildAgenda(SixPresenters(), s);
  EXPECT_THAT(Kinds(agenda),
              ElementsAre(AgendaItemKind::kPreviousActions, AgendaItemKind::kPresentation,
                          AgendaItemKind::kPresentation, AgendaItemKind::kPresentation,
                          AgendaItemKind::kPresentation, AgendaItemKind::kPresentation,
                          AgendaItemKind::kPresentation, AgendaItemKind::kFreeDiscussion,
                          AgendaItemKind::kSpare));
  EXPECT_THAT(PresenterIds(agenda), ElementsAre("u-c", "r-a", "r-b", "r-d", "r-e", "r-f"));
  EXPECT_THAT(Minutes(agenda), ElementsAre(10, 11, 11, 11, 11, 10, 10, 15, 5));
  EXPECT_EQ(Total(agenda), 94);
  EXPECT_TRUE(agenda.left_out.empty());
  EXPECT_EQ(agenda.items[0].title, "Review of the previous meeting's open action items");
  EXPECT_EQ(agenda.items[1].title, "East team: sales_amount at 80.00 % of target");
  EXPECT_EQ(agenda.items[5].title, "Er: sales_amount, no target");
  EXPECT_EQ(agenda.items[1].presenter->kind, PresenterKind::kUnit);
  EXPECT_EQ(agenda.items[7].title, "Free discussion");
  EXPECT_EQ(agenda.items[8].title, "Spare time");
  EXPECT_TRUE(CheckFits(agenda.items, 94).ok());
}

TEST(BuildAgendaTest, CapPerPresenterAndTheRestToSpareTime) {
  // 60 − free 10 = 50 for 2 presenters: 25 each, capped at 15; the 20 freed
  // minutes become spare time (spare_minutes 0 + 20). No open items: no review.
  AgendaSettings s;
  s.meeting_minutes = 60;
  s.free_discussion_minutes = 10;
  s.min_minutes_per_presenter = 5;
  s.max_minutes_per_presenter = 15;
  Agenda agenda =
      *BuildAgenda({Rep("r-1", "One", 100, 50, 5000), Rep("r-2", "Two", 100, 90, 9000)}, s);
  EXPECT_THAT(Kinds(agenda),
              ElementsAre(AgendaItemKind::kPresentation, AgendaItemKind::kPresentation,
                          AgendaItemKind::kFreeDiscussion, AgendaItemKind::kSpare));
  EXPECT_THAT(Minutes(agenda), ElementsAre(15, 15, 10, 20));
  EXPECT_EQ(Total(agenda), 60);
}

TEST(BuildAgendaTest, CapAppliesAfterTheRemainder) {
  // 31 for 2: 16 + 15; with a cap of 15 both get 15 and spare is 2 + 1 = 3.
  AgendaSettings s;
  s.meeting_minutes = 33;
  s.spare_minutes = 2;
  s.min_minutes_per_presenter = 5;
  s.max_minutes_per_presenter = 15;
  Agenda agenda =
      *BuildAgenda({Rep("r-1", "One", 100, 50, 5000), Rep("r-2", "Two", 100, 90, 9000)}, s);
  EXPECT_THAT(Minutes(agenda), ElementsAre(15, 15, 3));
  s.max_minutes_per_presenter = 16;  // 16 + 15 fit: spare stays 2
  EXPECT_THAT(Minutes(*BuildAgenda(
                  {Rep("r-1", "One", 100, 50, 5000), Rep("r-2", "Two", 100, 90, 9000)}, s)),
              ElementsAre(16, 15, 2));
}

TEST(BuildAgendaTest, LeavesOutTheSmallestDeviationsWhenTimeRunsShort) {
  // 60 − (10 + 10 + 5) = 35 minutes; at 10 minutes each 35 / 10 = 3 fit.
  // The 3 largest of the six (u-c, r-a, r-b) share 35: 11 r 2 → 12, 12, 11.
  AgendaSettings s;
  s.meeting_minutes = 60;
  s.previous_review_minutes = 10;
  s.free_discussion_minutes = 10;
  s.spare_minutes = 5;
  s.min_minutes_per_presenter = 10;
  Agenda agenda = *BuildAgenda(SixPresenters(), s);
  EXPECT_THAT(PresenterIds(agenda), ElementsAre("u-c", "r-a", "r-b"));
  EXPECT_THAT(Minutes(agenda), ElementsAre(10, 12, 12, 11, 10, 5));
  EXPECT_EQ(Total(agenda), 60);
  ASSERT_EQ(agenda.left_out.size(), 3u);
  EXPECT_EQ(agenda.left_out[0].presenter.id, "r-d");
  EXPECT_EQ(agenda.left_out[1].presenter.id, "r-e");
  EXPECT_EQ(agenda.left_out[2].presenter.id, "r-f");
  EXPECT_THAT(agenda.left_out[0].reason,
              HasSubstr("the 35 minutes left for presentations fit 3 presenters at 10 minutes "
                        "each (min_minutes_per_presenter)"));
}

TEST(BuildAgendaTest, MaxPresentersThenTimeLeftOutInDeviationOrder) {
  // max_presenters 4 keeps u-c, r-a, r-b, r-d and leaves out r-e, r-f; then
  // 30 − 5 = 25 minutes at 8 each fit 25 / 8 = 3, leaving out r-d too.
  // 25 / 3 = 8 r 1 → 9, 8, 8.
  AgendaSettings s;
  s.meeting_minutes = 30;
  s.free_discussion_minutes = 5;
  s.min_minutes_per_presenter = 8;
  s.max_presenters = 4;
  Agenda agenda = *BuildAgenda(SixPresenters(), s);
  EXPECT_THAT(PresenterIds(agenda), ElementsAre("u-c", "r-a", "r-b"));
  EXPECT_THAT(Minutes(agenda), ElementsAre(9, 8, 8, 5));
  ASSERT_EQ(agenda.left_out.size(), 3u);
  EXPECT_EQ(agenda.left_out[0].presenter.id, "r-d");
  EXPECT_THAT(agenda.left_out[0].reason, HasSubstr("fit 3 presenters at 8 minutes"));
  EXPECT_EQ(agenda.left_out[1].presenter.id, "r-e");
  EXPECT_THAT(agenda.left_out[1].reason,
              HasSubstr("at most 4 presenters (max_presenters) and 6 have deviations"));
  EXPECT_EQ(agenda.left_out[2].presenter.id, "r-f");
}

TEST(BuildAgendaTest, NoPresentersOrNoTimeForThemGivesTheRestToSpare) {
  AgendaSettings s;
  s.meeting_minutes = 60;
  s.previous_review_minutes = 10;
  s.free_discussion_minutes = 20;
  // 60 − 30 = 30 minutes with nobody to present: all spare.
  Agenda none = *BuildAgenda({}, s);
  EXPECT_THAT(Kinds(none), ElementsAre(AgendaItemKind::kPreviousActions,
                                       AgendaItemKind::kFreeDiscussion, AgendaItemKind::kSpare));
  EXPECT_THAT(Minutes(none), ElementsAre(10, 20, 30));
  // The fixed sections fill the meeting exactly: 0 minutes fit nobody at 5.
  s.spare_minutes = 30;
  s.min_minutes_per_presenter = 5;
  Agenda full = *BuildAgenda({Rep("r-1", "One", 100, 50, 5000)}, s);
  EXPECT_THAT(Minutes(full), ElementsAre(10, 20, 30));
  ASSERT_EQ(full.left_out.size(), 1u);
  EXPECT_THAT(full.left_out[0].reason, HasSubstr("the 0 minutes left for presentations fit 0"));
}

TEST(BuildAgendaTest, FixedSectionsLongerThanTheMeetingAreRefusedWithTheNumbers) {
  AgendaSettings s;
  s.meeting_minutes = 90;
  s.previous_review_minutes = 30;
  s.free_discussion_minutes = 50;
  s.spare_minutes = 20;
  absl::StatusOr<Agenda> agenda = BuildAgenda({}, s);
  EXPECT_EQ(agenda.status().code(), absl::StatusCode::kInvalidArgument);
  // 30 + 50 + 20 = 100 = 90 + 10.
  EXPECT_EQ(agenda.status().message(),
            "the fixed sections take 100 minutes (previous review 30 + free discussion 50 + "
            "spare 20), 10 more than the meeting's 90: shorten a section or lengthen the meeting");
}

TEST(BuildAgendaTest, RefusesBadSettingsAndPresenters) {
  AgendaSettings ok;
  ok.meeting_minutes = 60;
  ok.min_minutes_per_presenter = 5;
  ASSERT_TRUE(BuildAgenda({}, ok).ok());

  AgendaSettings s = ok;
  s.meeting_minutes = 0;
  EXPECT_THAT(BuildAgenda({}, s).status().message(),
              HasSubstr("settings.meeting_minutes is 0 minutes: it must be in 1..1440"));
  s = ok;
  s.meeting_minutes = 1441;
  EXPECT_EQ(BuildAgenda({}, s).status().code(), absl::StatusCode::kInvalidArgument);
  s = ok;
  s.min_minutes_per_presenter = 0;
  EXPECT_THAT(BuildAgenda({}, s).status().message(),
              HasSubstr("settings.min_minutes_per_presenter is 0"));
  s = ok;
  s.spare_minutes = -1;
  EXPECT_THAT(BuildAgenda({}, s).status().message(), HasSubstr("settings.spare_minutes is -1"));
  s = ok;
  s.max_minutes_per_presenter = 4;
  EXPECT_THAT(BuildAgenda({}, s).status().message(),
              HasSubstr("max_minutes_per_presenter 4 is below min_minutes_per_presenter 5"));
  s = ok;
  s.max_presenters = -2;
  EXPECT_THAT(BuildAgenda({}, s).status().message(), HasSubstr("settings.max_presenters is -2"));

  EXPECT_THAT(BuildAgenda({Rep("", "Nobody", 1, 1, 10000)}, ok).status().message(),
              HasSubstr("presenters[0] (\"Nobody\") has no id"));
  EXPECT_THAT(BuildAgenda({Rep("r-1", "A", 1, 1, 10000), Rep("r-1", "A again", 1, 1, 10000)}, ok)
                  .status()
                  .message(),
              HasSubstr("presenters[1]: rep \"r-1\" is listed twice"));
  // The same id as a rep and as a unit is two presenters.
  EXPECT_TRUE(BuildAgenda({Rep("x", "X", 1, 1, 10000), Unit("x", "X team", 1, 1, 10000)}, ok).ok());
}

TEST(BuildAgendaTest, AlwaysFillsTheMeetingExactly) {
  for (int64_t meeting : {30, 45, 61, 90, 120}) {
    for (int64_t min : {1, 4, 7}) {
      for (int64_t max : {0, 9, 20}) {
        if (max != 0 && max < min) continue;
        AgendaSettings s;
        s.meeting_minutes = meeting;
        s.previous_review_minutes = 5;
        s.free_discussion_minutes = 7;
        s.spare_minutes = 3;
        s.min_minutes_per_presenter = min;
        s.max_minutes_per_presenter = max;
        Agenda agenda = *BuildAgenda(SixPresenters(), s);
        EXPECT_EQ(Total(agenda), meeting) << meeting << " " << min << " " << max;
        EXPECT_EQ(PresenterIds(agenda).size() + agenda.left_out.size(), 6u);
        EXPECT_TRUE(CheckFits(agenda.items, meeting).ok());
      }
    }
  }
}

std::vector<AgendaItem> Items(std::vector<int64_t> minutes) {
  std::vector<AgendaItem> items;
  for (int64_t m : minutes)
    items.push_back({AgendaItemKind::kPresentation, "Item", std::nullopt, m});
  return items;
}

TEST(CheckFitsTest, OverflowIsRefusedWithTheNumbers) {
  // 10 + 30 + 30 + 15 + 10 = 95 = 90 + 5.
  absl::Status st = CheckFits(Items({10, 30, 30, 15, 10}), 90);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "the agenda would take 95 minutes (5 items), 5 more than the meeting's 90: shorten an "
            "item or lengthen the meeting");
  EXPECT_THAT(CheckFits(Items({91}), 90).message(),
              HasSubstr("91 minutes (1 item), 1 more than the meeting's 90"));
}

TEST(CheckFitsTest, ExactlyTheMeetingOrLessFits) {
  EXPECT_TRUE(CheckFits(Items({10, 30, 30, 10, 10}), 90).ok());  // 90
  EXPECT_TRUE(CheckFits(Items({10, 30}), 90).ok());              // 40: the rest is unplanned
  EXPECT_TRUE(CheckFits({}, 90).ok());
}

TEST(CheckFitsTest, RefusesNegativeMinutesAndNoMeeting) {
  std::vector<AgendaItem> items = Items({10, -5});
  items[1].title = "Free discussion";
  absl::Status st = CheckFits(items, 90);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("items[1] (\"Free discussion\") has -5 minutes"));
  EXPECT_EQ(CheckFits(Items({std::numeric_limits<int64_t>::max()}), 90).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckFits(Items({10}), 0).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AgendaNamesTest, KindsHaveStableNames) {
  EXPECT_EQ(AgendaItemKindName(AgendaItemKind::kPreviousActions), "PREVIOUS_ACTIONS");
  EXPECT_EQ(AgendaItemKindName(AgendaItemKind::kPresentation), "PRESENTATION");
  EXPECT_EQ(AgendaItemKindName(AgendaItemKind::kFreeDiscussion), "FREE_DISCUSSION");
  EXPECT_EQ(AgendaItemKindName(AgendaItemKind::kSpare), "SPARE");
  EXPECT_EQ(PresenterKindName(PresenterKind::kRep), "rep");
  EXPECT_EQ(PresenterKindName(PresenterKind::kUnit), "unit");
}

}  // namespace
}  // namespace attain::review
