// PgActionItemStore (services/review/src/store/action_store.h) and migration
// 002_actions.sql against a real PostgreSQL started by the test harness: the
// department split, status changes with their history, progress reports, the
// overdue list (its edges: due today, due yesterday, finished items, a late
// progress report), the person record, idempotency and tenant isolation.
#include "services/review/src/store/action_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/pg.h"
#include "services/review/src/store/meeting_store.h"
#include "tests/support/test_servers.h"

namespace attain::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// 2025-05-10 09:00:00 UTC, the tests' "now"; today is 2025-05-10.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2025, 5, 10, 9, 0, 0), absl::UTCTimeZone());
const absl::CivilDay kToday(2025, 5, 10);

std::unique_ptr<PgPool> MakePool(const std::string& url) {
  PgPool::Options options;
  options.url = url;
  options.size = 4;
  absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? std::move(*pool) : nullptr;
}

ActionItemRecord Item(const std::string& id, ActionStatus status = ActionStatus::kDraft,
                      std::optional<absl::CivilDay> due = absl::CivilDay(2025, 6, 30),
                      const std::string& department = "sales", const std::string& owner = "vp") {
  ActionItemRecord r;
  r.action_id = id;
  r.meeting_id = "m1";
  r.title = "call back every lapsed customer in East";
  r.measures = "weekly calls";
  r.departments = {department};
  r.responsible_department = department;
  r.owner_id = owner;
  r.due = due;
  r.expected.text = "sales +10 %";
  r.expected.metric = "sales_amount";
  r.expected.scope_kind = "rep";
  r.expected.scope_id = "r1";
  r.expected.target_value = 1200000;
  r.expected.period = "2025-Q2";
  r.status = status;
  r.version = 1;
  r.create_time = kNow;
  r.created_by = "sec";
  r.update_time = kNow;
  return r;
}

class ActionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = MakePool(testing::PgTestServer::Shared().CreateDatabase("review_action_store"));
    ASSERT_NE(pool_, nullptr);
    absl::Status migrated = PgMeetingStore::Migrate(*pool_);
    ASSERT_TRUE(migrated.ok()) << migrated;
    meetings_ = std::make_unique<PgMeetingStore>(*pool_);
    store_ = std::make_unique<PgActionItemStore>(*pool_);
    SeedMeeting("acme");
  }

  void SeedMeeting(const std::string& tenant, const std::string& meeting_id = "m1",
                   absl::Time start = kNow) {
    absl::Status st =
        meetings_
            ->Mutate(tenant, "", "Test", "",
                     [&](MeetingTx& tx) -> absl::StatusOr<std::string> {
                       absl::StatusOr<std::optional<CommitteeRecord>> c =
                           tx.FindCommittee("perf", false);
                       if (!c.ok()) return c.status();
                       if (!c->has_value()) {
                         CommitteeRecord rec;
                         rec.committee_id = "perf";
                         rec.name = "Sales performance committee";
                         rec.unit_id = "co";
                         rec.members = {
                             {"gm", "GM", CommitteeRole::kChair, "management", true},
                             {"vp", "VP", CommitteeRole::kSecretaryGeneral, "sales", true}};
                         rec.version = 1;
                         rec.create_time = kNow;
                         rec.update_time = kNow;
                         rec.updated_by = "admin";
                         absl::Status ins = tx.InsertCommittee(rec);
                         if (!ins.ok()) return ins;
                       }
                       MeetingRecord m;
                       m.meeting_id = meeting_id;
                       m.committee_id = "perf";
                       m.title = "2025-Q1 review";
                       m.period = "2025-Q1";
                       m.period_first_day = absl::CivilDay(2025, 1, 1);
                       m.start_time = start;
                       m.duration_minutes = 120;
                       m.minute_taker_id = "vp";
                       m.invitees = {{"gm"}, {"vp"}, {"r1"}};
                       m.status = MeetingStatus::kScheduled;
                       m.version = 1;
                       m.create_time = kNow;
                       m.created_by = "sec";
                       absl::Status ins = tx.InsertMeeting(m);
                       if (!ins.ok()) return ins;
                       return std::string();
                     })
            .status();
    ASSERT_TRUE(st.ok()) << st;
  }

  absl::Status Write(const std::function<absl::Status(ActionTx&)>& fn,
                     const std::string& tenant = "acme") {
    return store_
        ->Mutate(tenant, "", "Test", "",
                 [&](ActionTx& tx) -> absl::StatusOr<std::string> {
                   absl::Status st = fn(tx);
                   if (!st.ok()) return st;
                   return std::string();
                 })
        .status();
  }

  void Insert(const std::vector<ActionItemRecord>& items, const std::string& tenant = "acme") {
    absl::Status st = Write(
        [&](ActionTx& tx) -> absl::Status {
          for (const ActionItemRecord& r : items) {
            absl::Status s = tx.InsertItem(r);
            if (!s.ok()) return s;
          }
          return absl::OkStatus();
        },
        tenant);
    ASSERT_TRUE(st.ok()) << st;
  }

  std::optional<ActionItemRecord> Find(const std::string& id, const std::string& tenant = "acme") {
    std::optional<ActionItemRecord> out;
    absl::Status st = store_->Read(tenant, [&](ActionTx& tx) -> absl::Status {
      absl::StatusOr<std::optional<ActionItemRecord>> r = tx.FindItem(id, false, true);
      if (!r.ok()) return r.status();
      out = *r;
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  std::vector<OverdueRow> Overdue(const OverdueFilter& filter = {},
                                  std::optional<OverduePageKey> after = std::nullopt,
                                  int limit = 100, absl::CivilDay today = kToday) {
    std::vector<OverdueRow> out;
    absl::Status st = store_->Read("acme", [&](ActionTx& tx) -> absl::Status {
      absl::StatusOr<std::vector<OverdueRow>> r = tx.ListOverdue(filter, today, after, limit);
      if (!r.ok()) return r.status();
      out = *r;
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status Sql(const std::string& sql) {
    return pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
      txn.exec(sql);
      return absl::OkStatus();
    });
  }

  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgMeetingStore> meetings_;
  std::unique_ptr<PgActionItemStore> store_;
};

std::vector<std::string> Ids(const std::vector<OverdueRow>& rows) {
  std::vector<std::string> out;
  for (const OverdueRow& r : rows) out.push_back(r.item.action_id);
  return out;
}

std::vector<std::string> Ids(const std::vector<ActionItemRecord>& rows) {
  std::vector<std::string> out;
  for (const ActionItemRecord& r : rows) out.push_back(r.action_id);
  return out;
}

TEST_F(ActionStoreTest, ItemRoundTripsEveryField) {
  ActionItemRecord in = Item("a1");
  in.report_id = "";
  in.resources = "training budget 5,000";
  in.expected.lower_is_better = true;
  Insert({in});
  std::optional<ActionItemRecord> out = Find("a1");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->meeting_id, "m1");
  EXPECT_EQ(out->title, in.title);
  EXPECT_EQ(out->measures, "weekly calls");
  EXPECT_THAT(out->departments, ElementsAre("sales"));
  EXPECT_EQ(out->responsible_department, "sales");
  EXPECT_EQ(out->owner_id, "vp");
  EXPECT_EQ(out->due, absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(out->expected.metric, "sales_amount");
  EXPECT_EQ(out->expected.scope_kind, "rep");
  EXPECT_EQ(out->expected.scope_id, "r1");
  EXPECT_EQ(out->expected.target_value, 1200000);
  EXPECT_EQ(out->expected.period, "2025-Q2");
  EXPECT_TRUE(out->expected.lower_is_better);
  EXPECT_EQ(out->resources, "training budget 5,000");
  EXPECT_EQ(out->status, ActionStatus::kDraft);
  EXPECT_EQ(out->parent_action_id, "");
  EXPECT_FALSE(out->progress_due.has_value());
  EXPECT_FALSE(out->verification.has_value());
  EXPECT_EQ(out->version, 1);
  EXPECT_EQ(out->create_time, kNow);
  EXPECT_THAT(out->child_action_ids, IsEmpty());

  // No due date at all is kept as none.
  Insert({Item("a2", ActionStatus::kDraft, std::nullopt)});
  EXPECT_FALSE(Find("a2")->due.has_value());
  // The id is unique; a meeting must exist.
  absl::Status again = Write([&](ActionTx& tx) { return tx.InsertItem(Item("a1")); });
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  ActionItemRecord orphan = Item("a3");
  orphan.meeting_id = "nope";
  absl::Status fk = Write([&](ActionTx& tx) { return tx.InsertItem(orphan); });
  EXPECT_EQ(fk.code(), absl::StatusCode::kFailedPrecondition) << fk;
}

TEST_F(ActionStoreTest, SplitItemListsItsPartsInDepartmentOrder) {
  ActionItemRecord parent = Item("p", ActionStatus::kDraft, absl::CivilDay(2025, 6, 30), "", "gm");
  parent.departments = {"sales", "marketing", "finance"};
  // Part ids sort differently from the departments' order on purpose.
  ActionItemRecord sales = Item("z-sales", ActionStatus::kDraft, parent.due, "sales", "vp");
  ActionItemRecord marketing = Item("a-mkt", ActionStatus::kDraft, parent.due, "marketing", "mk");
  ActionItemRecord finance = Item("m-fin", ActionStatus::kDraft, parent.due, "finance", "fin");
  for (ActionItemRecord* part : {&sales, &marketing, &finance}) part->parent_action_id = "p";
  Insert({parent, sales, marketing, finance});

  std::optional<ActionItemRecord> p = Find("p");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->responsible_department, "");
  EXPECT_THAT(p->departments, ElementsAre("sales", "marketing", "finance"));
  EXPECT_THAT(p->child_action_ids, ElementsAre("z-sales", "a-mkt", "m-fin"));
  EXPECT_EQ(Find("a-mkt")->parent_action_id, "p");

  std::vector<ActionItemRecord> parts;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](ActionTx& tx) -> absl::Status {
                           absl::StatusOr<std::vector<ActionItemRecord>> r = tx.ListChildren("p");
                           if (!r.ok()) return r.status();
                           parts = *r;
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_THAT(Ids(parts), ElementsAre("z-sales", "a-mkt", "m-fin"));
  EXPECT_EQ(parts[1].owner_id, "mk");

  // A part must name an existing parent.
  ActionItemRecord stray = Item("stray");
  stray.parent_action_id = "missing";
  absl::Status st = Write([&](ActionTx& tx) { return tx.InsertItem(stray); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
}

TEST_F(ActionStoreTest, StatusChangesKeepTheirHistoryWithSmartFailures) {
  Insert({Item("a1")});
  StatusChangeRecord created;
  created.to = ActionStatus::kDraft;
  created.changed_by = "sec";
  created.change_time = kNow;
  created.note = "created";
  ASSERT_TRUE(Write([&](ActionTx& tx) { return tx.AppendHistory("a1", created); }).ok());

  ASSERT_TRUE(Write([&](ActionTx& tx) -> absl::Status {
                absl::StatusOr<std::optional<ActionItemRecord>> r = tx.FindItem("a1", true, false);
                if (!r.ok()) return r.status();
                ActionItemRecord rec = **r;
                StatusChangeRecord submit{ActionStatus::kDraft,
                                          ActionStatus::kSubmitted,
                                          "vp",
                                          kNow + absl::Minutes(1),
                                          "please",
                                          {}};
                StatusChangeRecord back{ActionStatus::kSubmitted,
                                        ActionStatus::kReturned,
                                        "attain-review",
                                        kNow + absl::Minutes(1),
                                        "the SMART check failed (2 reasons)",
                                        {{"specific", "title", "title \"x\" has 1 word"},
                                         {"time_bound", "due_date", "due 2025-05-01 is past"}}};
                absl::Status st = tx.AppendHistory("a1", submit);
                if (st.ok()) st = tx.AppendHistory("a1", back);
                if (!st.ok()) return st;
                rec.status = ActionStatus::kReturned;
                rec.version = 2;
                rec.update_time = kNow + absl::Minutes(1);
                return tx.UpdateItem(rec);
              }).ok());

  std::optional<ActionItemRecord> out = Find("a1");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, ActionStatus::kReturned);
  EXPECT_EQ(out->version, 2);
  EXPECT_EQ(out->update_time, kNow + absl::Minutes(1));
  ASSERT_EQ(out->history.size(), 3u);
  EXPECT_FALSE(out->history[0].from.has_value());
  EXPECT_EQ(out->history[0].to, ActionStatus::kDraft);
  EXPECT_EQ(out->history[1].from, ActionStatus::kDraft);
  EXPECT_EQ(out->history[1].to, ActionStatus::kSubmitted);
  EXPECT_EQ(out->history[1].changed_by, "vp");
  EXPECT_EQ(out->history[1].note, "please");
  EXPECT_THAT(out->history[1].smart_failures, IsEmpty());
  EXPECT_EQ(out->history[2].to, ActionStatus::kReturned);
  EXPECT_EQ(out->history[2].changed_by, "attain-review");
  ASSERT_EQ(out->history[2].smart_failures.size(), 2u);
  EXPECT_EQ(out->history[2].smart_failures[0].criterion, "specific");
  EXPECT_EQ(out->history[2].smart_failures[1].field, "due_date");
  EXPECT_EQ(out->history[2].smart_failures[1].message, "due 2025-05-01 is past");

  // The history is append-only, whoever writes.
  absl::Status edit = Sql("UPDATE review.action_history SET note = 'x'");
  EXPECT_EQ(edit.code(), absl::StatusCode::kFailedPrecondition) << edit;
  EXPECT_THAT(std::string(edit.message()), HasSubstr("append-only"));
}

TEST_F(ActionStoreTest, VerificationRoundTrips) {
  ActionItemRecord rec = Item("a1", ActionStatus::kVerifiedNotAchieved);
  rec.verification = VerificationRecord{false, 950000, "ev-1", "m1", true, kNow};
  Insert({rec});
  ActionItemRecord judged = Item("a2", ActionStatus::kVerifiedAchieved);
  judged.verification = VerificationRecord{true, std::nullopt, "", "", false, kNow};
  Insert({judged});
  std::optional<ActionItemRecord> out = Find("a1");
  ASSERT_TRUE(out && out->verification);
  EXPECT_FALSE(out->verification->achieved);
  EXPECT_EQ(out->verification->actual, 950000);
  EXPECT_EQ(out->verification->evaluation_id, "ev-1");
  EXPECT_EQ(out->verification->meeting_id, "m1");
  EXPECT_TRUE(out->verification->automatic);
  EXPECT_EQ(out->verification->verify_time, kNow);
  out = Find("a2");
  ASSERT_TRUE(out && out->verification);
  EXPECT_TRUE(out->verification->achieved);
  EXPECT_FALSE(out->verification->actual.has_value());
  EXPECT_FALSE(out->verification->automatic);
  // A verified status without its verification is refused by the schema.
  absl::Status st = Write(
      [&](ActionTx& tx) { return tx.InsertItem(Item("a3", ActionStatus::kVerifiedAchieved)); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
}

TEST_F(ActionStoreTest, ProgressReportsAreKeptInOrder) {
  ActionItemRecord rec = Item("a1", ActionStatus::kInProgress);
  rec.progress_due = absl::CivilDay(2025, 5, 15);
  Insert({rec});
  ProgressRecord first{absl::CivilDay(2025, 5, 8), 400000, 3000,
                       "first customers called",   "vp",   kNow};
  ProgressRecord second{absl::CivilDay(2025, 5, 10), std::nullopt, 4500, "no figure yet", "vp",
                        kNow + absl::Hours(1)};
  ASSERT_TRUE(Write([&](ActionTx& tx) -> absl::Status {
                absl::Status st = tx.AppendProgress("a1", first);
                if (st.ok()) st = tx.AppendProgress("a1", second);
                return st;
              }).ok());
  std::optional<ActionItemRecord> out = Find("a1");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->progress_due, absl::CivilDay(2025, 5, 15));
  ASSERT_EQ(out->progress.size(), 2u);
  EXPECT_EQ(out->progress[0].as_of, absl::CivilDay(2025, 5, 8));
  EXPECT_EQ(out->progress[0].value, 400000);
  EXPECT_EQ(out->progress[0].done_bp, 3000);
  EXPECT_EQ(out->progress[0].note, "first customers called");
  EXPECT_FALSE(out->progress[1].value.has_value());
  EXPECT_EQ(out->progress[1].report_time, kNow + absl::Hours(1));
  // done_bp stays within 0..10000.
  ProgressRecord bad = first;
  bad.done_bp = 10001;
  absl::Status st = Write([&](ActionTx& tx) { return tx.AppendProgress("a1", bad); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
}

// Today 2025-05-10. On the list: anything not finished whose due date is
// before today, and anything in progress whose ten-day report was due before
// today — ordered by the day it became late, then id.
TEST_F(ActionStoreTest, OverdueListHasExactlyTheLateItemsMostOverdueFirst) {
  const absl::CivilDay d = kToday;
  ActionItemRecord due_today = Item("due-today", ActionStatus::kAccepted, d);
  ActionItemRecord due_yesterday = Item("due-yesterday", ActionStatus::kAccepted, d - 1);
  ActionItemRecord draft_late = Item("draft-late", ActionStatus::kDraft, d - 5, "marketing", "mk");
  ActionItemRecord returned_late = Item("returned-late", ActionStatus::kReturned, d - 39);
  ActionItemRecord done_late = Item("done-late", ActionStatus::kDone, d - 30);
  ActionItemRecord verified_late =
      Item("verified-late", ActionStatus::kVerifiedNotAchieved, d - 30);
  verified_late.verification = VerificationRecord{false, 1, "ev", "m1", true, kNow};
  ActionItemRecord no_date = Item("no-date", ActionStatus::kDraft, std::nullopt);
  // In progress, due later, its report due 2025-05-01: late since then.
  ActionItemRecord report_late = Item("report-late", ActionStatus::kInProgress, d + 30);
  report_late.progress_due = d - 9;
  // In progress, report due today: on time.
  ActionItemRecord report_today = Item("report-today", ActionStatus::kInProgress, d + 30);
  report_today.progress_due = d;
  // In progress and past its due date, its report not yet due.
  ActionItemRecord in_progress_late = Item("in-progress-late", ActionStatus::kInProgress, d - 5);
  in_progress_late.progress_due = d + 3;
  Insert({due_today, due_yesterday, draft_late, returned_late, done_late, verified_late, no_date,
          report_late, report_today, in_progress_late});

  std::vector<OverdueRow> rows = Overdue();
  EXPECT_THAT(Ids(rows), ElementsAre("returned-late", "report-late", "draft-late",
                                     "in-progress-late", "due-yesterday"));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].late_since, d - 39);
  EXPECT_EQ(rows[1].late_since, d - 9);
  EXPECT_EQ(rows[4].late_since, d - 1);

  // On the due day an item is not late; the next day it is.
  EXPECT_THAT(Ids(Overdue({}, std::nullopt, 100, d + 1)),
              ElementsAre("returned-late", "report-late", "draft-late", "in-progress-late",
                          "due-yesterday", "due-today", "report-today"));

  // Pages continue after the last row's key.
  std::vector<OverdueRow> first = Overdue({}, std::nullopt, 2);
  EXPECT_THAT(Ids(first), ElementsAre("returned-late", "report-late"));
  std::vector<OverdueRow> next =
      Overdue({}, OverduePageKey{first.back().late_since, first.back().item.action_id}, 2);
  EXPECT_THAT(Ids(next), ElementsAre("draft-late", "in-progress-late"));

  // By department and by owner.
  OverdueFilter marketing;
  marketing.department = "marketing";
  EXPECT_THAT(Ids(Overdue(marketing)), ElementsAre("draft-late"));
  OverdueFilter mk;
  mk.owner_id = "mk";
  EXPECT_THAT(Ids(Overdue(mk)), ElementsAre("draft-late"));

  // Finishing an item takes it off the list.
  ASSERT_TRUE(Write([&](ActionTx& tx) -> absl::Status {
                ActionItemRecord rec = due_yesterday;
                rec.status = ActionStatus::kDone;  // (the service goes through in_progress)
                rec.version = 2;
                return tx.UpdateItem(rec);
              }).ok());
  EXPECT_THAT(Ids(Overdue()),
              ElementsAre("returned-late", "report-late", "draft-late", "in-progress-late"));
}

TEST_F(ActionStoreTest, OverdueListUsesItsPartialIndex) {
  std::string plan;
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& txn) -> absl::Status {
                    txn.exec("SET LOCAL enable_seqscan = off");
                    pqxx::result r = txn.exec(
                        "EXPLAIN SELECT action_id FROM review.action_items WHERE tenant_id = "
                        "'acme' AND late_since IS NOT NULL AND late_since < date '2025-05-10' "
                        "ORDER BY late_since, action_id LIMIT 100");
                    for (const pqxx::row& row : r) plan += row[0].as<std::string>() + "\n";
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(plan, HasSubstr("action_items_overdue"));
}

TEST_F(ActionStoreTest, ListsNewestFirstWithFiltersAndPages) {
  SeedMeeting("acme", "m2", kNow + absl::Hours(24 * 30));
  std::vector<ActionItemRecord> items;
  for (int i = 0; i < 5; ++i) {
    ActionItemRecord r =
        Item(absl::StrCat("a", i), i % 2 ? ActionStatus::kAccepted : ActionStatus::kDraft);
    r.create_time = kNow + absl::Minutes(i);
    if (i >= 3) r.meeting_id = "m2";
    if (i == 4) r.owner_id = "mk";
    if (i == 2) r.responsible_department = "finance";
    items.push_back(r);
  }
  Insert(items);
  auto list = [&](const ActionFilter& f, std::optional<ActionPageKey> after = std::nullopt,
                  int limit = 100) {
    std::vector<ActionItemRecord> out;
    EXPECT_TRUE(store_
                    ->Read("acme",
                           [&](ActionTx& tx) -> absl::Status {
                             absl::StatusOr<std::vector<ActionItemRecord>> r =
                                 tx.ListItems(f, after, limit);
                             if (!r.ok()) return r.status();
                             out = *r;
                             return absl::OkStatus();
                           })
                    .ok());
    return out;
  };
  EXPECT_THAT(Ids(list({})), ElementsAre("a4", "a3", "a2", "a1", "a0"));
  ActionFilter by_meeting;
  by_meeting.meeting_id = "m2";
  EXPECT_THAT(Ids(list(by_meeting)), ElementsAre("a4", "a3"));
  ActionFilter by_owner;
  by_owner.owner_id = "mk";
  EXPECT_THAT(Ids(list(by_owner)), ElementsAre("a4"));
  ActionFilter by_status;
  by_status.statuses = {ActionStatus::kAccepted};
  EXPECT_THAT(Ids(list(by_status)), ElementsAre("a3", "a1"));
  ActionFilter by_department;
  by_department.department = "finance";
  EXPECT_THAT(Ids(list(by_department)), ElementsAre("a2"));
  std::vector<ActionItemRecord> page = list({}, std::nullopt, 2);
  EXPECT_THAT(Ids(page), ElementsAre("a4", "a3"));
  EXPECT_THAT(Ids(list({}, ActionPageKey{page.back().create_time, page.back().action_id}, 2)),
              ElementsAre("a2", "a1"));

  // Open items of given meetings, for verification: not the verified ones.
  ActionItemRecord verified = Item("a9", ActionStatus::kVerifiedAchieved);
  verified.verification = VerificationRecord{true, 1, "ev", "m1", true, kNow};
  Insert({verified});
  std::vector<ActionItemRecord> open;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](ActionTx& tx) -> absl::Status {
                           absl::StatusOr<std::vector<ActionItemRecord>> r =
                               tx.ListOpenOfMeetings({"m1"});
                           if (!r.ok()) return r.status();
                           open = *r;
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_THAT(Ids(open), ElementsAre("a0", "a1", "a2"));
}

TEST_F(ActionStoreTest, PersonRecordHasOwnedItemsAndPresentations) {
  ActionItemRecord first = Item("a1");
  ActionItemRecord second = Item("a2");
  second.create_time = kNow + absl::Minutes(1);
  ActionItemRecord other = Item("a3", ActionStatus::kDraft, std::nullopt, "sales", "someone");
  Insert({first, second, other});
  // a1 is handed from vp to r1: both keep it in their record.
  ASSERT_TRUE(Write([&](ActionTx& tx) -> absl::Status {
                ActionItemRecord rec = first;
                rec.owner_id = "r1";
                rec.version = 2;
                return tx.UpdateItem(rec);
              }).ok());
  auto owned = [&](const std::string& person) {
    std::vector<ActionItemRecord> out;
    EXPECT_TRUE(store_
                    ->Read("acme",
                           [&](ActionTx& tx) -> absl::Status {
                             absl::StatusOr<std::vector<ActionItemRecord>> r =
                                 tx.ListOwnedBy(person);
                             if (!r.ok()) return r.status();
                             out = *r;
                             return absl::OkStatus();
                           })
                    .ok());
    return out;
  };
  EXPECT_THAT(Ids(owned("vp")), ElementsAre("a1", "a2"));
  EXPECT_THAT(Ids(owned("r1")), ElementsAre("a1"));
  EXPECT_EQ(owned("r1")[0].owner_id, "r1");

  // r1 presented at m1 (with a report) and at m0 (an earlier meeting,
  // agenda only); r2 at m1 too. A cancelled meeting does not count.
  SeedMeeting("acme", "m0", kNow - absl::Hours(24 * 30));
  SeedMeeting("acme", "mx", kNow - absl::Hours(24 * 60));
  const std::string agenda = R"sql(
    INSERT INTO review.agendas (tenant_id, meeting_id, evaluation_id, presenter_level,
      total_minutes, meeting_minutes, create_time, created_by)
    VALUES ('acme', '%1$s', 'ev-%1$s', 'rep', 30, 120, now(), 'sec');
    INSERT INTO review.agenda_items (tenant_id, meeting_id, item_id, position, kind, title,
      presenter_kind, presenter_id, presenter_name, metric, target, actual, gap, attainment_bp,
      currency_code, minutes, start_offset_minutes)
    VALUES ('acme', '%1$s', 'item-1', 1, 'presentation', 'r1', 'rep', 'r1', 'R1',
            'sales_amount', 1000000, %2$s, %2$s - 1000000, %2$s / 100, 'CNY', 10, 0),
           ('acme', '%1$s', 'item-2', 2, 'presentation', 'r2', 'rep', 'r2', 'R2',
            'sales_amount', 1000000, 500000, -500000, 5000, 'CNY', 10, 10);)sql";
  auto fill = [&](const std::string& meeting, const std::string& actual) {
    std::string sql = agenda;
    for (std::string::size_type at; (at = sql.find("%1$s")) != std::string::npos;) {
      sql.replace(at, 4, meeting);
    }
    for (std::string::size_type at; (at = sql.find("%2$s")) != std::string::npos;) {
      sql.replace(at, 4, actual);
    }
    return sql;
  };
  ASSERT_TRUE(Sql(fill("m1", "800000")).ok());
  ASSERT_TRUE(Sql(fill("m0", "700000")).ok());
  ASSERT_TRUE(Sql(fill("mx", "600000")).ok());
  ASSERT_TRUE(Sql("INSERT INTO review.reports (tenant_id, report_id, meeting_id, agenda_item_id, "
                  "presenter_kind, presenter_id, metric, target, actual, gap, attainment_bp, "
                  "currency_code, status, version, create_time, created_by, update_time) VALUES "
                  "('acme', 'rep-1', 'm1', 'item-1', 'rep', 'r1', 'sales_amount', 1000000, "
                  "800000, -200000, 8000, 'CNY', 'draft', 1, now(), 'r1', now())")
                  .ok());
  ASSERT_TRUE(Sql("UPDATE review.meetings SET status = 'cancelled' WHERE meeting_id = 'mx'").ok());

  std::vector<PresentationRecord> shown;
  std::optional<ReportFigure> figure;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](ActionTx& tx) -> absl::Status {
                           absl::StatusOr<std::vector<PresentationRecord>> r =
                               tx.ListPresentations("r1");
                           if (!r.ok()) return r.status();
                           shown = *r;
                           absl::StatusOr<std::optional<ReportFigure>> f =
                               tx.FindReportFigure("rep-1");
                           if (!f.ok()) return f.status();
                           figure = *f;
                           return absl::OkStatus();
                         })
                  .ok());
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].meeting_id, "m0");
  EXPECT_EQ(shown[0].period, "2025-Q1");
  EXPECT_EQ(shown[0].actual, 700000);
  EXPECT_EQ(shown[0].gap, -300000);
  EXPECT_EQ(shown[0].attainment_bp, 7000);
  EXPECT_EQ(shown[0].report_id, "");
  EXPECT_EQ(shown[1].meeting_id, "m1");
  EXPECT_EQ(shown[1].metric, "sales_amount");
  EXPECT_EQ(shown[1].target, 1000000);
  EXPECT_EQ(shown[1].actual, 800000);
  EXPECT_EQ(shown[1].currency_code, "CNY");
  EXPECT_EQ(shown[1].report_id, "rep-1");
  ASSERT_TRUE(figure.has_value());
  EXPECT_EQ(figure->meeting_id, "m1");
  EXPECT_EQ(figure->presenter_id, "r1");
  EXPECT_EQ(figure->metric, "sales_amount");
  EXPECT_EQ(figure->actual, 800000);
}

TEST_F(ActionStoreTest, RequestIdReturnsTheFirstResponseAndRunsOnce) {
  int runs = 0;
  auto create = [&](ActionTx& tx) -> absl::StatusOr<std::string> {
    ++runs;
    absl::Status st = tx.InsertItem(Item(absl::StrCat("a", runs)));
    if (!st.ok()) return st;
    return absl::StrCat("created a", runs);
  };
  absl::StatusOr<std::string> first = store_->Mutate("acme", "req-1", "M", "fp", create);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::string> again = store_->Mutate("acme", "req-1", "M", "fp", create);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, "created a1");
  EXPECT_EQ(runs, 1);
  absl::StatusOr<std::optional<std::string>> stored =
      store_->StoredResponse("acme", "req-1", "M", "fp");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "created a1");
  EXPECT_FALSE(store_->StoredResponse("acme", "req-2", "M", "fp")->has_value());
  // The same id for another request is refused.
  absl::StatusOr<std::string> other = store_->Mutate("acme", "req-1", "M", "other", create);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->StoredResponse("acme", "req-1", "M", "other").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(ActionStoreTest, TenantsDoNotSeeEachOther) {
  SeedMeeting("globex");
  Insert({Item("a1")});
  Insert({Item("a1")}, "globex");  // the same id in another tenant
  EXPECT_FALSE(Find("a1", "initech").has_value());
  ASSERT_TRUE(store_
                  ->Read("initech",
                         [&](ActionTx& tx) -> absl::Status {
                           absl::StatusOr<std::vector<OverdueRow>> r =
                               tx.ListOverdue({}, kToday + 365, std::nullopt, 100);
                           EXPECT_TRUE(r.ok() && r->empty());
                           absl::StatusOr<std::vector<ActionItemRecord>> l =
                               tx.ListItems({}, std::nullopt, 100);
                           EXPECT_TRUE(l.ok() && l->empty());
                           return absl::OkStatus();
                         })
                  .ok());
}

}  // namespace
}  // namespace attain::review
