// The pure rules of the ingest pipeline: rollup deltas of versioned and
// one-off events, deadlines, customer names and first orders, board
// increments, and the in-memory application of a batch.
#include "services/ingest/src/domain/delta.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/leaderboard.h"
#include "common/period.h"
#include "services/ingest/src/domain/apply.h"
#include "services/ingest/src/domain/customer.h"
#include "services/ingest/src/domain/event.h"
#include "services/ingest/src/domain/rollup.h"

namespace attain::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

const absl::TimeZone kShanghai = absl::FixedTimeZone(8 * 3600);
const RepPlacement kTeam1{"team-1", "east"};
const RepPlacement kTeam2{"team-2", "north"};

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << rfc3339 << ": " << err;
  return t;
}

EventRecord OrderEvent(const std::string& id, int64_t version, int64_t amount,
                       absl::CivilDay signed_date, OrderStatus status = OrderStatus::kSigned,
                       const std::string& rep = "rep-1", const std::string& customer = "cust-1",
                       int64_t gross_profit = 0, const std::string& line = "pl-a") {
  Order o;
  o.order_id = id;
  o.version = version;
  o.customer_id = customer;
  o.rep_id = rep;
  o.product_line_id = line;
  o.amount = Money{"CNY", amount};
  o.gross_profit = gross_profit;
  o.status = status;
  o.signed_date = signed_date;
  return EventRecord{At("2025-01-15T10:00:00+08:00"), o};
}

EventRecord OpportunityEvent(int64_t version, OpportunityStage stage, absl::CivilDay created,
                             std::optional<absl::CivilDay> closed) {
  Opportunity o;
  o.opportunity_id = "opp-1";
  o.version = version;
  o.customer_id = "cust-1";
  o.rep_id = "rep-1";
  o.product_line_id = "pl-a";
  o.stage = stage;
  o.created_date = created;
  o.closed_date = closed;
  return EventRecord{At("2025-01-15T10:00:00+08:00"), o};
}

// The rows of `deltas` as (day, rep, team, product line, customer) → the
// non-zero components by column name.
using RowMap = std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>,
                        std::map<std::string, int64_t>>;
RowMap RowsOf(const RollupDeltas& deltas) {
  RowMap out;
  for (const CellDelta& row : deltas.Rows()) {
    auto& m = out[{absl::FormatCivilTime(row.cell.day), row.cell.rep_id, row.cell.team_id,
                   row.cell.product_line_id, row.cell.customer_id}];
    for (int c = 0; c < kComponentCount; ++c) {
      if (row.delta[c] != 0) m[std::string(ComponentColumn(c))] = row.delta[c];
    }
  }
  return out;
}

// --- versioned entities ---

TEST(StateChangeTest, NewerOrderVersionAddsOnlyTheDifference) {
  const absl::CivilDay day(2025, 1, 15);
  EntityState v1 = StateOf(
      OrderEvent("o-1", 1, 100'00, day, OrderStatus::kSigned, "rep-1", "cust-1", 30'00), kTeam1);
  EntityState v2 = StateOf(
      OrderEvent("o-1", 2, 120'00, day, OrderStatus::kClosedWon, "rep-1", "cust-1", 35'00), kTeam1);
  RollupDeltas deltas;
  AddStateChange("t", EventKind::kOrder, EntityState{}, v1, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(
                  std::make_tuple("2025-01-15", "rep-1", "team-1", "pl-a", "cust-1"),
                  (std::map<std::string, int64_t>{
                      {"sales_amount", 100'00}, {"order_count", 1}, {"gross_profit", 30'00}}))));
  RollupDeltas diff;
  AddStateChange("t", EventKind::kOrder, v1, v2, &diff);
  // 100 → 120: +20 sales, +5 gross profit, the order still counted once.
  EXPECT_THAT(RowsOf(diff),
              ElementsAre(Pair(std::make_tuple("2025-01-15", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"sales_amount", 20'00},
                                                               {"gross_profit", 5'00}}))));
}

TEST(StateChangeTest, SignedDateChangeMovesTheAmountBetweenDays) {
  EntityState v1 = StateOf(OrderEvent("o-1", 1, 500'00, absl::CivilDay(2025, 1, 31)), kTeam1);
  EntityState v2 = StateOf(OrderEvent("o-1", 2, 500'00, absl::CivilDay(2025, 2, 3)), kTeam1);
  RollupDeltas deltas;
  AddStateChange("t", EventKind::kOrder, v1, v2, &deltas);
  EXPECT_THAT(
      RowsOf(deltas),
      ElementsAre(
          Pair(std::make_tuple("2025-01-31", "rep-1", "team-1", "pl-a", "cust-1"),
               (std::map<std::string, int64_t>{{"sales_amount", -500'00}, {"order_count", -1}})),
          Pair(std::make_tuple("2025-02-03", "rep-1", "team-1", "pl-a", "cust-1"),
               (std::map<std::string, int64_t>{{"sales_amount", 500'00}, {"order_count", 1}}))));
}

TEST(StateChangeTest, RepAndProductLineChangeMovesTheAmountToTheNewCell) {
  const absl::CivilDay day(2025, 3, 3);
  EntityState v1 = StateOf(OrderEvent("o-1", 1, 80'00, day, OrderStatus::kSigned, "rep-1"), kTeam1);
  EntityState v2 = StateOf(
      OrderEvent("o-1", 2, 80'00, day, OrderStatus::kSigned, "rep-2", "cust-1", 0, "pl-b"), kTeam2);
  RollupDeltas deltas;
  AddStateChange("t", EventKind::kOrder, v1, v2, &deltas);
  EXPECT_THAT(
      RowsOf(deltas),
      ElementsAre(
          Pair(std::make_tuple("2025-03-03", "rep-1", "team-1", "pl-a", "cust-1"),
               (std::map<std::string, int64_t>{{"sales_amount", -80'00}, {"order_count", -1}})),
          Pair(std::make_tuple("2025-03-03", "rep-2", "team-2", "pl-b", "cust-1"),
               (std::map<std::string, int64_t>{{"sales_amount", 80'00}, {"order_count", 1}}))));
}

TEST(StateChangeTest, CancellationReversesEverythingTheOrderAdded) {
  const absl::CivilDay day(2025, 1, 15);
  EntityState v2 = StateOf(
      OrderEvent("o-1", 2, 120'00, day, OrderStatus::kClosedWon, "rep-1", "cust-1", 35'00), kTeam1);
  EntityState v3 = StateOf(
      OrderEvent("o-1", 3, 120'00, day, OrderStatus::kCancelled, "rep-1", "cust-1", 35'00), kTeam1);
  EXPECT_FALSE(v3.counted);
  RollupDeltas deltas;
  AddStateChange("t", EventKind::kOrder, v2, v3, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(
                  std::make_tuple("2025-01-15", "rep-1", "team-1", "pl-a", "cust-1"),
                  (std::map<std::string, int64_t>{
                      {"sales_amount", -120'00}, {"order_count", -1}, {"gross_profit", -35'00}}))));
  // Cancelled to cancelled changes nothing.
  RollupDeltas none;
  AddStateChange("t", EventKind::kOrder, v3, v3, &none);
  EXPECT_TRUE(none.Rows().empty());
}

TEST(StateChangeTest, ReceivableDueFollowsItsVersions) {
  Receivable r;
  r.receivable_id = "ar-1";
  r.version = 1;
  r.order_id = "o-1";
  r.customer_id = "cust-1";
  r.rep_id = "rep-1";
  r.amount_due = Money{"CNY", 300'00};
  r.due_date = absl::CivilDay(2025, 2, 28);
  EntityState v1 = StateOf(EventRecord{At("2025-01-01T00:00:00Z"), r}, kTeam1);
  r.version = 2;
  r.amount_due = Money{"CNY", 0};  // written off
  EntityState v2 = StateOf(EventRecord{At("2025-01-02T00:00:00Z"), r}, kTeam1);
  RollupDeltas deltas;
  AddStateChange("t", EventKind::kReceivable, EntityState{}, v1, &deltas);
  AddStateChange("t", EventKind::kReceivable, v1, v2, &deltas);
  EXPECT_TRUE(deltas.Rows().empty());  // +300 then -300
  RollupDeltas first;
  AddStateChange("t", EventKind::kReceivable, EntityState{}, v1, &first);
  EXPECT_THAT(RowsOf(first),
              ElementsAre(Pair(std::make_tuple("2025-02-28", "rep-1", "team-1", "", "cust-1"),
                               (std::map<std::string, int64_t>{{"receivable_due", 300'00}}))));
}

TEST(StateChangeTest, OpportunityCountsWhenWonOrLostAndReversesWhenReopened) {
  const absl::CivilDay created(2025, 1, 2), closed(2025, 1, 22);
  EntityState open =
      StateOf(OpportunityEvent(1, OpportunityStage::kNegotiation, created, std::nullopt), kTeam1);
  EntityState won = StateOf(OpportunityEvent(2, OpportunityStage::kWon, created, closed), kTeam1);
  EntityState lost = StateOf(OpportunityEvent(3, OpportunityStage::kLost, created, closed), kTeam1);
  EntityState reopened =
      StateOf(OpportunityEvent(4, OpportunityStage::kProposal, created, std::nullopt), kTeam1);
  EXPECT_EQ(won.cycle_days, 20);

  RollupDeltas to_won;
  AddStateChange("t", EventKind::kOpportunity, open, won, &to_won);
  EXPECT_THAT(RowsOf(to_won),
              ElementsAre(Pair(std::make_tuple("2025-01-22", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"opportunities_won", 1},
                                                               {"won_cycle_days", 20}}))));
  RollupDeltas to_lost;
  AddStateChange("t", EventKind::kOpportunity, won, lost, &to_lost);
  EXPECT_THAT(RowsOf(to_lost),
              ElementsAre(Pair(std::make_tuple("2025-01-22", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"opportunities_won", -1},
                                                               {"won_cycle_days", -20},
                                                               {"opportunities_lost", 1}}))));
  RollupDeltas to_open;
  AddStateChange("t", EventKind::kOpportunity, lost, reopened, &to_open);
  EXPECT_THAT(RowsOf(to_open),
              ElementsAre(Pair(std::make_tuple("2025-01-22", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"opportunities_lost", -1}}))));
}

TEST(PlacementDayTest, IsTheDayTheEventCountsOn) {
  EXPECT_EQ(PlacementDay(OrderEvent("o", 1, 1, absl::CivilDay(2025, 4, 1)), kShanghai),
            absl::CivilDay(2025, 4, 1));
  EXPECT_EQ(PlacementDay(OpportunityEvent(1, OpportunityStage::kLead, absl::CivilDay(2025, 1, 2),
                                          std::nullopt),
                         kShanghai),
            std::nullopt);
  FollowUp f;
  f.rep_id = "rep-1";
  f.contact_time = At("2025-01-15T15:30:00Z");  // 23:30 in Shanghai
  EXPECT_EQ(PlacementDay(EventRecord{At("2025-01-15T16:00:00Z"), f}, kShanghai),
            absl::CivilDay(2025, 1, 15));
  f.contact_time = At("2025-01-15T16:30:00Z");  // 00:30 the next day in Shanghai
  EXPECT_EQ(PlacementDay(EventRecord{At("2025-01-15T17:00:00Z"), f}, kShanghai),
            absl::CivilDay(2025, 1, 16));
}

// --- one-off kinds ---

TEST(OneOffTest, PaymentCountsAsCollectedOnItsDay) {
  Payment p;
  p.payment_id = "pay-1";
  p.customer_id = "cust-1";
  p.rep_id = "rep-1";
  p.amount = Money{"CNY", 250'00};
  p.received_date = absl::CivilDay(2025, 1, 20);
  RollupDeltas deltas;
  AddOneOff("t", EventRecord{At("2025-01-20T09:00:00+08:00"), p}, kTeam1, kShanghai, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(std::make_tuple("2025-01-20", "rep-1", "team-1", "", "cust-1"),
                               (std::map<std::string, int64_t>{{"collected_amount", 250'00}}))));
}

TEST(OneOffTest, FollowUpCountsVisitsEffectiveAndLateOnTheContactDay) {
  FollowUp f;
  f.follow_up_id = "fu-1";
  f.customer_id = "cust-1";
  f.rep_id = "rep-1";
  f.method = ContactMethod::kVisit;
  f.contact_time = At("2025-01-15T23:30:00+08:00");
  f.content = "needs a quote for 200 units";
  RollupDeltas deltas;
  // Recorded exactly 24 h later: on time.
  AddOneOff("t", EventRecord{At("2025-01-16T23:30:00+08:00"), f}, kTeam1, kShanghai, &deltas);
  // Recorded 24 h and 1 s later with blank content: late, not effective.
  f.content = " \n ";
  AddOneOff("t", EventRecord{At("2025-01-16T23:30:01+08:00"), f}, kTeam1, kShanghai, &deltas);
  EXPECT_THAT(
      RowsOf(deltas),
      ElementsAre(Pair(std::make_tuple("2025-01-15", "rep-1", "team-1", "", "cust-1"),
                       (std::map<std::string, int64_t>{
                           {"visits", 2}, {"effective_visits", 1}, {"follow_ups_late", 1}}))));
  EXPECT_FALSE(FollowUpIsLate(At("2025-01-15T10:00:00Z"), At("2025-01-16T10:00:00Z")));
  EXPECT_TRUE(FollowUpIsLate(At("2025-01-15T10:00:00Z"), At("2025-01-16T10:00:00.000001Z")));
}

TEST(OneOffTest, SurveysRatingsAndKnowledgeSharing) {
  SatisfactionSurvey s{"sv-1", "cust-1", "rep-1", 92};
  CollaborationRating r{"cr-1", "rep-1", "marketing", 4};
  KnowledgeSharing k{"ks-1", "rep-1", KnowledgeSharingRole::kGave, "pricing",
                     absl::CivilDay(2025, 1, 17)};
  RollupDeltas deltas;
  // 2025-01-16T20:00Z is 2025-01-17 04:00 in Shanghai.
  AddOneOff("t", EventRecord{At("2025-01-16T20:00:00Z"), s}, kTeam1, kShanghai, &deltas);
  AddOneOff("t", EventRecord{At("2025-01-16T20:00:00Z"), r}, kTeam1, kShanghai, &deltas);
  AddOneOff("t", EventRecord{At("2025-01-16T20:00:00Z"), k}, kTeam1, kShanghai, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(std::make_tuple("2025-01-17", "rep-1", "team-1", "", ""),
                               (std::map<std::string, int64_t>{{"collaboration_sum", 4},
                                                               {"collaboration_count", 1},
                                                               {"knowledge_sharing", 1}})),
                          Pair(std::make_tuple("2025-01-17", "rep-1", "team-1", "", "cust-1"),
                               (std::map<std::string, int64_t>{{"satisfaction_sum", 92},
                                                               {"satisfaction_count", 1}}))));
}

TEST(ReportDeadlineTest, FollowsTheCadenceRulesInTheTenantTimeZone) {
  const Period day = *Period::Parse("2025-01-15");
  const Period week = *Period::Parse("2025-W03");  // Mon 2025-01-13 .. Sun 2025-01-19
  const Period month = *Period::Parse("2025-01");
  EXPECT_EQ(ReportDeadline(ReportCadence::kDaily, day, kShanghai), At("2025-01-15T18:00:00+08:00"));
  EXPECT_EQ(ReportDeadline(ReportCadence::kWeekly, week, kShanghai),
            At("2025-01-20T12:00:00+08:00"));
  EXPECT_EQ(ReportDeadline(ReportCadence::kMonthly, month, kShanghai),
            At("2025-02-04T00:00:00+08:00"));

  ReportSubmission r;
  r.author_id = "rep-1";
  r.cadence = ReportCadence::kDaily;
  r.period = day;
  r.submitted_at = At("2025-01-15T18:00:00+08:00");
  EXPECT_TRUE(ReportOnTime(r, kShanghai));
  r.submitted_at = At("2025-01-15T10:00:01Z");  // 18:00:01 in Shanghai
  EXPECT_FALSE(ReportOnTime(r, kShanghai));
  r.cadence = ReportCadence::kMonthly;
  r.period = month;
  r.submitted_at = At("2025-02-03T23:59:59+08:00");
  EXPECT_TRUE(ReportOnTime(r, kShanghai));
  r.submitted_at = At("2025-02-04T00:00:01+08:00");
  EXPECT_FALSE(ReportOnTime(r, kShanghai));

  // Counted on the reported period's last day.
  RollupDeltas deltas;
  r.cadence = ReportCadence::kWeekly;
  r.period = week;
  r.submitted_at = At("2025-01-20T11:59:00+08:00");
  AddOneOff("t", EventRecord{r.submitted_at, r}, kTeam1, kShanghai, &deltas);
  r.submitted_at = At("2025-01-20T12:01:00+08:00");
  AddOneOff("t", EventRecord{r.submitted_at, r}, kTeam1, kShanghai, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(
                  std::make_tuple("2025-01-19", "rep-1", "team-1", "", ""),
                  (std::map<std::string, int64_t>{{"reports_on_time", 1}, {"reports_late", 1}}))));
}

// --- customers ---

TEST(CustomerNameTest, TrimsCollapsesAndFoldsFullWidth) {
  EXPECT_EQ(NormalizeCustomerName("  上海\t\t华东  电子有限公司 "), "上海 华东 电子有限公司");
  EXPECT_EQ(NormalizeCustomerName("\xE3\x80\x80北京华为\xE3\x80\x80技术有限公司\xE3\x80\x80"),
            "北京华为 技术有限公司");  // U+3000 ideographic spaces
  EXPECT_EQ(NormalizeCustomerName("ＡＢＣ（中国）有限公司"), "ABC(中国)有限公司");
  EXPECT_EQ(NormalizeCustomerName("Ｓｉｎｏ　Ｔｅｃｈ  Ｃｏ．，Ｌｔｄ．"), "Sino Tech Co.,Ltd.");
  EXPECT_EQ(NormalizeCustomerName("   "), "");
}

OrderRef Ref(const std::string& id, absl::CivilDay day, const std::string& rep = "rep-1") {
  return OrderRef{id, day, rep, "team-1", "east", "pl-a"};
}

TEST(CustomerOrdersTest, AnEarlierOrderBecomesTheFirst) {
  CustomerOrders before{Ref("o-2", absl::CivilDay(2025, 3, 1)),
                        Ref("o-2", absl::CivilDay(2025, 3, 1))};
  auto after = AdvanceCustomerOrders(
      before, {OrderChange{"o-1", std::nullopt, Ref("o-1", absl::CivilDay(2025, 2, 1))}});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->first->order_id, "o-1");
  EXPECT_EQ(after->last->order_id, "o-2");

  RollupDeltas deltas;
  AddNewCustomerMove("t", "cust-1", before.first, after->first, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(std::make_tuple("2025-02-01", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"new_customers", 1}})),
                          Pair(std::make_tuple("2025-03-01", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"new_customers", -1}}))));
}

TEST(CustomerOrdersTest, SameDayTiesGoToTheSmallerOrderId) {
  CustomerOrders before{Ref("o-5", absl::CivilDay(2025, 3, 1)),
                        Ref("o-5", absl::CivilDay(2025, 3, 1))};
  auto after = AdvanceCustomerOrders(
      before, {OrderChange{"o-4", std::nullopt, Ref("o-4", absl::CivilDay(2025, 3, 1), "rep-9")}});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->first->order_id, "o-4");
  EXPECT_EQ(after->last->order_id, "o-5");
}

TEST(CustomerOrdersTest, LosingTheFirstOrLastOrderNeedsALookup) {
  CustomerOrders before{Ref("o-1", absl::CivilDay(2025, 1, 1)),
                        Ref("o-3", absl::CivilDay(2025, 3, 1))};
  // The first is cancelled: who is first now depends on orders not in the batch.
  EXPECT_FALSE(
      AdvanceCustomerOrders(
          before, {OrderChange{"o-1", Ref("o-1", absl::CivilDay(2025, 1, 1)), std::nullopt}})
          .has_value());
  // The first moves later.
  EXPECT_FALSE(
      AdvanceCustomerOrders(before, {OrderChange{"o-1", Ref("o-1", absl::CivilDay(2025, 1, 1)),
                                                 Ref("o-1", absl::CivilDay(2025, 4, 1))}})
          .has_value());
  // The last moves earlier.
  EXPECT_FALSE(
      AdvanceCustomerOrders(before, {OrderChange{"o-3", Ref("o-3", absl::CivilDay(2025, 3, 1)),
                                                 Ref("o-3", absl::CivilDay(2025, 2, 1))}})
          .has_value());
  // A middle order cancelled changes neither.
  auto after = AdvanceCustomerOrders(
      before, {OrderChange{"o-2", Ref("o-2", absl::CivilDay(2025, 2, 1)), std::nullopt}});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->first->order_id, "o-1");
  EXPECT_EQ(after->last->order_id, "o-3");
  // The first moving earlier, with a new rep, stays first and takes the credit along.
  after = AdvanceCustomerOrders(before,
                                {OrderChange{"o-1", Ref("o-1", absl::CivilDay(2025, 1, 1)),
                                             Ref("o-1", absl::CivilDay(2024, 12, 30), "rep-2")}});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->first->day, absl::CivilDay(2024, 12, 30));
  RollupDeltas deltas;
  AddNewCustomerMove("t", "cust-1", before.first, after->first, &deltas);
  EXPECT_THAT(RowsOf(deltas),
              ElementsAre(Pair(std::make_tuple("2024-12-30", "rep-2", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"new_customers", 1}})),
                          Pair(std::make_tuple("2025-01-01", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"new_customers", -1}}))));
}

// --- a batch in memory ---

PendingEvent Pending(size_t ref, const EventRecord& r, RepPlacement p = kTeam1) {
  return PendingEvent{ref, "t", &r, std::move(p)};
}

TEST(ApplyEventsTest, VersionsApplyInVersionOrderAndStaleOnesChangeNothing) {
  const absl::CivilDay day(2025, 1, 15);
  // Counted before: version 2 at 100.
  EntityStates entities;
  entities[EntityKey{"t", EventKind::kOrder, "o-1"}] =
      StateOf(OrderEvent("o-1", 2, 100'00, day), kTeam1);
  CustomerStates customers;
  customers[CustomerKey{"t", "cust-1"}].orders = CustomerOrders{Ref("o-1", day), Ref("o-1", day)};

  // Arriving out of order: v4 (150), v1 (stale), v3 (130), v2 (equal: stale).
  const EventRecord v4 = OrderEvent("o-1", 4, 150'00, day);
  const EventRecord v1 = OrderEvent("o-1", 1, 10'00, day);
  const EventRecord v3 = OrderEvent("o-1", 3, 130'00, day);
  const EventRecord v2 = OrderEvent("o-1", 2, 999'00, day);
  std::vector<PendingEvent> events = {Pending(0, v4), Pending(1, v1), Pending(2, v3),
                                      Pending(3, v2)};
  BatchEffects fx = ApplyEvents(events, entities, customers, kShanghai);
  EXPECT_THAT(fx.outcomes,
              UnorderedElementsAre(Pair(0, Outcome::kAccepted), Pair(1, Outcome::kStaleVersion),
                                   Pair(2, Outcome::kAccepted), Pair(3, Outcome::kStaleVersion)));
  // 100 → 130 → 150: +50 in all.
  EXPECT_THAT(RowsOf(fx.deltas),
              ElementsAre(Pair(std::make_tuple("2025-01-15", "rep-1", "team-1", "pl-a", "cust-1"),
                               (std::map<std::string, int64_t>{{"sales_amount", 50'00}}))));
  ASSERT_EQ(fx.entities.size(), 1u);
  EXPECT_EQ(fx.entities.begin()->second.version, 4);
  EXPECT_EQ(fx.entities.begin()->second.amount, 150'00);
  EXPECT_THAT(fx.customers, IsEmpty());  // the first order did not move
  EXPECT_THAT(fx.lookup, IsEmpty());
}

TEST(ApplyEventsTest, NewCustomerIsCreditedToTheFirstOrderAndMovesWhenItIsCancelled) {
  const absl::CivilDay jan(2025, 1, 10), feb(2025, 2, 10);
  // Two new orders of a new customer: January by rep-1, February by rep-2.
  const EventRecord a = OrderEvent("o-a", 1, 100'00, jan, OrderStatus::kSigned, "rep-1");
  const EventRecord b = OrderEvent("o-b", 1, 200'00, feb, OrderStatus::kSigned, "rep-2");
  BatchEffects fx = ApplyEvents({Pending(0, a), Pending(1, b, kTeam2)}, {}, {}, kShanghai);
  EXPECT_THAT(fx.lookup, IsEmpty());
  RowMap rows = RowsOf(fx.deltas);
  EXPECT_EQ((rows[{"2025-01-10", "rep-1", "team-1", "pl-a", "cust-1"}]["new_customers"]), 1);
  EXPECT_EQ((rows[{"2025-02-10", "rep-2", "team-2", "pl-a", "cust-1"}].count("new_customers")), 0u);
  const CustomerState& c = fx.customers.at(CustomerKey{"t", "cust-1"});
  EXPECT_EQ(c.orders.first->order_id, "o-a");
  EXPECT_EQ(c.orders.last->order_id, "o-b");

  // Next batch: o-a is cancelled. The first order must be looked up (o-b
  // here), then the credit moves from January/rep-1 to February/rep-2.
  EntityStates entities;
  for (const auto& [k, s] : fx.entities) entities[k] = s;
  CustomerStates customers;
  for (const auto& [k, s] : fx.customers) customers[k] = s;
  const EventRecord cancel = OrderEvent("o-a", 2, 100'00, jan, OrderStatus::kCancelled, "rep-1");
  BatchEffects fx2 = ApplyEvents({Pending(0, cancel)}, entities, customers, kShanghai);
  ASSERT_THAT(fx2.lookup, ElementsAre(CustomerKey{"t", "cust-1"}));
  std::map<CustomerKey, CustomerOrders> found;
  found[CustomerKey{"t", "cust-1"}] =
      CustomerOrders{OrderRef{"o-b", feb, "rep-2", "team-2", "north", "pl-a"},
                     OrderRef{"o-b", feb, "", "", "", ""}};
  FinishCustomers(found, &fx2);
  EXPECT_THAT(
      RowsOf(fx2.deltas),
      ElementsAre(Pair(std::make_tuple("2025-01-10", "rep-1", "team-1", "pl-a", "cust-1"),
                       (std::map<std::string, int64_t>{
                           {"sales_amount", -100'00}, {"order_count", -1}, {"new_customers", -1}})),
                  Pair(std::make_tuple("2025-02-10", "rep-2", "team-2", "pl-a", "cust-1"),
                       (std::map<std::string, int64_t>{{"new_customers", 1}}))));
  EXPECT_EQ(fx2.customers.at(CustomerKey{"t", "cust-1"}).orders.first->order_id, "o-b");
}

TEST(ApplyEventsTest, CustomerMasterDataTakesTheNewestVersion) {
  Customer c;
  c.customer_id = "cust-1";
  c.full_name = "上海华东电子有限公司";
  c.grade = CustomerGrade::kA;
  c.tier = CustomerTier::kKeyAccount;
  c.owner_rep_id = "rep-1";
  c.version = 3;
  const EventRecord v3{At("2025-01-01T00:00:00Z"), c};
  c.version = 2;
  c.grade = CustomerGrade::kC;
  const EventRecord v2{At("2025-01-01T00:00:00Z"), c};
  BatchEffects fx = ApplyEvents({Pending(0, v3), Pending(1, v2)}, {}, {}, kShanghai);
  EXPECT_THAT(fx.outcomes,
              UnorderedElementsAre(Pair(0, Outcome::kAccepted), Pair(1, Outcome::kAccepted)));
  const CustomerState& s = fx.customers.at(CustomerKey{"t", "cust-1"});
  EXPECT_EQ(s.version, 3);
  EXPECT_EQ(s.grade, CustomerGrade::kA);
  EXPECT_TRUE(fx.deltas.empty());

  CustomerStates loaded;
  loaded[CustomerKey{"t", "cust-1"}] = s;
  BatchEffects again = ApplyEvents({Pending(0, v2)}, {}, loaded, kShanghai);
  EXPECT_THAT(again.outcomes, ElementsAre(Pair(0, Outcome::kStaleVersion)));
  EXPECT_THAT(again.customers, IsEmpty());
}

// --- leaderboard increments ---

std::map<std::tuple<std::string, std::string, std::string>, std::tuple<int64_t, int64_t, int64_t>>
IncrementMap(const std::vector<BoardIncrement>& incs) {
  std::map<std::tuple<std::string, std::string, std::string>, std::tuple<int64_t, int64_t, int64_t>>
      out;
  for (const BoardIncrement& i : incs) {
    EXPECT_EQ(i.member, "rep-1");
    out[{i.period, std::string(BoardMetricName(i.metric)), i.scope}] =
        std::make_tuple(i.amount, i.numerator, i.denominator);
  }
  return out;
}

TEST(BoardIncrementsTest, OneCellFeedsEveryPeriodScopeAndMetric) {
  RollupDeltas deltas;
  Components order{};
  order[kSalesAmount] = 100'00;
  order[kOrderCount] = 1;
  order[kGrossProfit] = 30'00;
  deltas.Add(Cell{"t", absl::CivilDay(2025, 1, 15), "rep-1", "team-1", "east", "pl-a", "cust-1"},
             order);
  // Same rep and cells of the same week on another day and customer: summed.
  deltas.Add(Cell{"t", absl::CivilDay(2025, 1, 16), "rep-1", "team-1", "east", "pl-a", "cust-2"},
             order);
  auto by_tenant = BoardIncrementsOf(deltas.Rows());
  ASSERT_EQ(by_tenant.size(), 1u);
  const auto incs = IncrementMap(by_tenant.at("t"));
  // 4 periods × 4 scopes × 3 metrics.
  EXPECT_EQ(incs.size(), 48u);
  for (const char* period : {"2025-W03", "2025-01", "2025-Q1", "2025"}) {
    for (const char* scope : {"company", "region:east", "team:team-1", "pl:pl-a"}) {
      EXPECT_EQ(incs.at({period, "sales", scope}), std::make_tuple(200'00, 0, 0))
          << period << scope;
      EXPECT_EQ(incs.at({period, "orders", scope}), std::make_tuple(2, 0, 0));
      EXPECT_EQ(incs.at({period, "gross_profit", scope}), std::make_tuple(60'00, 0, 0));
    }
  }
}

TEST(BoardIncrementsTest, RatioMetricsCarryNumeratorAndDenominator) {
  RollupDeltas deltas;
  // No team, no region, no product line: company scope only.
  deltas.Add(Cell{"t", absl::CivilDay(2025, 12, 31), "rep-1", "", "", "", "cust-1"},
             kCollectedAmount, 40'00);
  deltas.Add(Cell{"t", absl::CivilDay(2025, 12, 31), "rep-1", "", "", "", "cust-1"}, kReceivableDue,
             100'00);
  Components won_lost{};
  won_lost[kOpportunitiesWon] = 1;
  won_lost[kOpportunitiesLost] = 2;
  won_lost[kWonCycleDays] = 12;  // no board
  deltas.Add(Cell{"t", absl::CivilDay(2025, 12, 31), "rep-1", "", "", "", ""}, won_lost);
  const auto incs = IncrementMap(BoardIncrementsOf(deltas.Rows()).at("t"));
  // 2025-12-31 is in ISO week 2026-W01.
  for (const char* period : {"2026-W01", "2025-12", "2025-Q4", "2025"}) {
    EXPECT_EQ(incs.at({period, "collected", "company"}), std::make_tuple(40'00, 0, 0));
    EXPECT_EQ(incs.at({period, "collection_rate", "company"}), std::make_tuple(0, 40'00, 100'00));
    EXPECT_EQ(incs.at({period, "won_opportunities", "company"}), std::make_tuple(1, 0, 0));
    EXPECT_EQ(incs.at({period, "conversion", "company"}), std::make_tuple(0, 1, 3));
  }
  EXPECT_EQ(incs.size(), 16u);
}

TEST(BoardIncrementsTest, ChangesThatCancelOutSendNothing) {
  RollupDeltas deltas;
  deltas.Add(Cell{"t", absl::CivilDay(2025, 1, 6), "rep-1", "team-1", "east", "pl-a", "c"},
             kSalesAmount, 50'00);
  deltas.Add(Cell{"t", absl::CivilDay(2025, 1, 7), "rep-1", "team-1", "east", "pl-a", "c"},
             kSalesAmount, -50'00);
  // Rollup rows differ (two days) but every board period holds both days.
  EXPECT_EQ(deltas.Rows().size(), 2u);
  EXPECT_THAT(BoardIncrementsOf(deltas.Rows()), IsEmpty());
}

TEST(RollupDeltasTest, SumsPerKeyAndDropsZeroRows) {
  RollupDeltas deltas;
  const Cell a{"t", absl::CivilDay(2025, 1, 1), "rep-1", "team-1", "east", "", ""};
  deltas.Add(a, kVisits, 1);
  deltas.Add(a, kVisits, -1);
  EXPECT_TRUE(deltas.Rows().empty());
  deltas.Add(a, kVisits, 2);
  ASSERT_EQ(deltas.Rows().size(), 1u);
  EXPECT_EQ(deltas.Rows()[0].delta[kVisits], 2);
}

}  // namespace
}  // namespace attain::ingest
