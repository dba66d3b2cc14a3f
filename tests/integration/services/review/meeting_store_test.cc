// PgMeetingStore (services/review/src/store/meeting_store.h) and the review
// schema's guards (services/review/migrations/001_meetings.sql) against a
// real PostgreSQL started by the test harness.
#include "services/review/src/store/meeting_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/pg.h"
#include "services/review/src/api/meeting_rules.h"
#include "tests/support/test_servers.h"

namespace attain::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2025-04-05 09:00:00 UTC, the tests' "now".
const absl::Time kNow = absl::FromUnixSeconds(1743843600);

std::unique_ptr<PgPool> MakePool(const std::string& url) {
  PgPool::Options options;
  options.url = url;
  options.size = 4;
  absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? std::move(*pool) : nullptr;
}

CommitteeRecord Committee(const std::string& id) {
  CommitteeRecord c;
  c.committee_id = id;
  c.name = "Sales performance committee";
  c.unit_id = "acme";
  c.members = {
      {"gm", "Wang GM", CommitteeRole::kChair, "management", true},
      {"vp-sales", "Li VP", CommitteeRole::kSecretaryGeneral, "sales", true},
      {"mkt", "Zhao Marketing", CommitteeRole::kMember, "marketing", false},
      {"fin", "Qian Finance", CommitteeRole::kMember, "finance", true},
  };
  c.version = 1;
  c.create_time = kNow;
  c.update_time = kNow;
  c.updated_by = "admin";
  return c;
}

MeetingRecord Meeting(const std::string& id, const std::string& committee, absl::Time start,
                      const std::string& period = "2025-03") {
  MeetingRecord m;
  m.meeting_id = id;
  m.committee_id = committee;
  m.title = absl::StrCat(period, " review");
  m.purpose = "Review the month";
  m.period = period;
  m.period_first_day = absl::CivilDay(2025, 3, 1);
  m.start_time = start;
  m.duration_minutes = 120;
  m.minute_taker_id = "mkt";
  m.invitees = {{"gm"}, {"vp-sales"}, {"mkt"}, {"rep-1"}};
  m.status = MeetingStatus::kScheduled;
  m.version = 1;
  m.create_time = kNow;
  m.created_by = "sec";
  return m;
}

class MeetingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = MakePool(testing::PgTestServer::Shared().CreateDatabase("review_store"));
    ASSERT_NE(pool_, nullptr);
    absl::Status migrated = PgMeetingStore::Migrate(*pool_);
    ASSERT_TRUE(migrated.ok()) << migrated;
    store_ = std::make_unique<PgMeetingStore>(*pool_);
  }

  // Runs `fn` in a transaction without idempotency.
  absl::Status Write(const std::string& tenant, const std::function<absl::Status(MeetingTx&)>& fn) {
    return store_
        ->Mutate(tenant, "", "Test", "",
                 [&](MeetingTx& tx) -> absl::StatusOr<std::string> {
                   absl::Status st = fn(tx);
                   if (!st.ok()) return st;
                   return std::string();
                 })
        .status();
  }

  std::optional<MeetingRecord> Find(const std::string& tenant, const std::string& id) {
    std::optional<MeetingRecord> out;
    absl::Status st = store_->Read(tenant, [&](MeetingTx& tx) -> absl::Status {
      absl::StatusOr<std::optional<MeetingRecord>> m = tx.FindMeeting(id, false);
      if (!m.ok()) return m.status();
      out = *m;
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  // Moves meeting `id` to `status` by the allowed path.
  absl::Status SetStatus(const std::string& tenant, const std::string& id, MeetingStatus status) {
    return Write(tenant, [&](MeetingTx& tx) -> absl::Status {
      absl::StatusOr<std::optional<MeetingRecord>> m = tx.FindMeeting(id, true);
      if (!m.ok()) return m.status();
      MeetingRecord rec = **m;
      rec.status = status;
      rec.version += 1;
      return tx.UpdateMeetingStatus(rec);
    });
  }

  // Runs raw SQL in its own transaction (as any client of the database could).
  absl::Status Sql(const std::string& sql) {
    return pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
      txn.exec(sql);
      return absl::OkStatus();
    });
  }

  void SeedCommitteeAndMeeting(const std::string& tenant = "acme") {
    ASSERT_TRUE(Write(tenant, [&](MeetingTx& tx) -> absl::Status {
                  absl::Status st = tx.InsertCommittee(Committee("perf"));
                  if (!st.ok()) return st;
                  return tx.InsertMeeting(Meeting("m1", "perf", kNow + absl::Hours(24)));
                }).ok());
  }

  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgMeetingStore> store_;
};

TEST_F(MeetingStoreTest, MigrateTwiceIsANoOp) { EXPECT_TRUE(PgMeetingStore::Migrate(*pool_).ok()); }

TEST_F(MeetingStoreTest, CommitteeRoundTripsWithMembersInOrder) {
  ASSERT_TRUE(
      Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee("perf")); }).ok());
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](MeetingTx& tx) -> absl::Status {
                           absl::StatusOr<std::optional<CommitteeRecord>> c =
                               tx.FindCommittee("perf", false);
                           EXPECT_TRUE(c.ok() && c->has_value());
                           const CommitteeRecord& rec = **c;
                           EXPECT_EQ(rec.name, "Sales performance committee");
                           EXPECT_EQ(rec.unit_id, "acme");
                           EXPECT_EQ(rec.version, 1);
                           EXPECT_EQ(rec.create_time, kNow);
                           EXPECT_EQ(rec.updated_by, "admin");
                           std::vector<std::string> ids;
                           for (const auto& m : rec.members) ids.push_back(m.person_id);
                           EXPECT_THAT(ids, ElementsAre("gm", "vp-sales", "mkt", "fin"));
                           EXPECT_EQ(rec.members[1].role, CommitteeRole::kSecretaryGeneral);
                           EXPECT_EQ(rec.members[1].department, "sales");
                           EXPECT_TRUE(rec.members[3].department_manager);
                           EXPECT_FALSE(rec.members[2].department_manager);
                           return absl::OkStatus();
                         })
                  .ok());
}

TEST_F(MeetingStoreTest, CommitteeIdIsUniquePerTenantOnly) {
  ASSERT_TRUE(
      Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee("perf")); }).ok());
  absl::Status again =
      Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee("perf")); });
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  EXPECT_THAT(std::string(again.message()), HasSubstr("perf"));
  // Another tenant has its own namespace and does not see acme's.
  EXPECT_TRUE(
      Write("globex", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee("perf")); }).ok());
  ASSERT_TRUE(Write("initech", [&](MeetingTx& tx) -> absl::Status {
                absl::StatusOr<std::optional<CommitteeRecord>> c = tx.FindCommittee("perf", false);
                EXPECT_TRUE(c.ok());
                EXPECT_FALSE(c->has_value());
                return absl::OkStatus();
              }).ok());
}

TEST_F(MeetingStoreTest, UpdateReplacesMembersAndKeepsCreateTime) {
  ASSERT_TRUE(
      Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee("perf")); }).ok());
  CommitteeRecord next = Committee("perf");
  next.name = "Renamed";
  next.unit_id = "east";
  next.members = {{"vp-sales", "Li VP", CommitteeRole::kChair, "sales", true},
                  {"gm", "Wang GM", CommitteeRole::kSecretaryGeneral, "management", true}};
  next.version = 2;
  next.update_time = kNow + absl::Minutes(5);
  next.updated_by = "director";
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) { return tx.UpdateCommittee(next); }).ok());
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](MeetingTx& tx) -> absl::Status {
                           absl::StatusOr<std::optional<CommitteeRecord>> c =
                               tx.FindCommittee("perf", false);
                           const CommitteeRecord& rec = **c;
                           EXPECT_EQ(rec.version, 2);
                           EXPECT_EQ(rec.name, "Renamed");
                           EXPECT_EQ(rec.unit_id, "east");
                           EXPECT_EQ(rec.create_time, kNow);
                           EXPECT_EQ(rec.update_time, kNow + absl::Minutes(5));
                           EXPECT_EQ(rec.updated_by, "director");
                           EXPECT_EQ(rec.members.size(), 2u);
                           EXPECT_EQ(rec.members[0].person_id, "vp-sales");
                           EXPECT_EQ(rec.members[0].role, CommitteeRole::kChair);
                           return absl::OkStatus();
                         })
                  .ok());
  CommitteeRecord missing = Committee("nope");
  EXPECT_EQ(Write("acme", [&](MeetingTx& tx) { return tx.UpdateCommittee(missing); }).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(MeetingStoreTest, TheDatabaseAllowsOneChairAndOneSecretaryGeneral) {
  CommitteeRecord two_chairs = Committee("perf");
  two_chairs.members[2].role = CommitteeRole::kChair;
  absl::Status st = Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(two_chairs); });
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
  CommitteeRecord two_secretaries = Committee("perf");
  two_secretaries.members[3].role = CommitteeRole::kSecretaryGeneral;
  st = Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(two_secretaries); });
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
}

TEST_F(MeetingStoreTest, CommitteesListInIdOrderPageByPage) {
  for (const char* id : {"c", "a", "b", "d"}) {
    ASSERT_TRUE(
        Write("acme", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee(id)); }).ok());
  }
  ASSERT_TRUE(
      Write("other", [&](MeetingTx& tx) { return tx.InsertCommittee(Committee("aa")); }).ok());
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 3; ++page) {
    ASSERT_TRUE(store_
                    ->Read("acme",
                           [&](MeetingTx& tx) -> absl::Status {
                             absl::StatusOr<std::vector<CommitteeRecord>> rows =
                                 tx.ListCommittees(after, 2);
                             for (const auto& c : *rows) seen.push_back(c.committee_id);
                             if (!rows->empty()) after = rows->back().committee_id;
                             return absl::OkStatus();
                           })
                    .ok());
  }
  EXPECT_THAT(seen, ElementsAre("a", "b", "c", "d"));
}

TEST_F(MeetingStoreTest, MeetingRoundTripsWithInviteesInOrder) {
  SeedCommitteeAndMeeting();
  std::optional<MeetingRecord> m = Find("acme", "m1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->committee_id, "perf");
  EXPECT_EQ(m->series_id, "");
  EXPECT_EQ(m->period, "2025-03");
  EXPECT_EQ(m->period_first_day, absl::CivilDay(2025, 3, 1));
  EXPECT_EQ(m->start_time, kNow + absl::Hours(24));
  EXPECT_EQ(m->duration_minutes, 120);
  EXPECT_EQ(m->status, MeetingStatus::kScheduled);
  EXPECT_EQ(m->version, 1);
  EXPECT_EQ(m->create_time, kNow);
  EXPECT_FALSE(m->start_record_time.has_value());
  EXPECT_FALSE(m->end_record_time.has_value());
  std::vector<std::string> ids;
  for (const auto& i : m->invitees) {
    ids.push_back(i.person_id);
    EXPECT_EQ(i.attendance, Attendance::kUnspecified);
  }
  EXPECT_THAT(ids, ElementsAre("gm", "vp-sales", "mkt", "rep-1"));
  EXPECT_EQ(m->previous_meeting_id, "");
  EXPECT_FALSE(Find("globex", "m1").has_value());
}

TEST_F(MeetingStoreTest, AMeetingNeedsItsCommittee) {
  absl::Status st = Write("acme", [&](MeetingTx& tx) {
    return tx.InsertMeeting(Meeting("m1", "nope", kNow + absl::Hours(1)));
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
}

TEST_F(MeetingStoreTest, PreviousMeetingIsTheCommitteesLastNotCancelledOneBefore) {
  ASSERT_TRUE(
      Write("acme", [&](MeetingTx& tx) -> absl::Status {
        for (const char* c : {"perf", "other"}) {
          absl::Status st = tx.InsertCommittee(Committee(c));
          if (!st.ok()) return st;
        }
        const absl::Duration day = absl::Hours(24);
        for (auto [id, committee, days] :
             std::vector<std::tuple<const char*, const char*, int>>{{"jan", "perf", 10},
                                                                    {"feb", "perf", 40},
                                                                    {"feb-x", "perf", 41},
                                                                    {"mar", "perf", 70},
                                                                    {"other-1", "other", 60},
                                                                    {"same-a", "perf", 90},
                                                                    {"same-b", "perf", 90}}) {
          absl::Status st = tx.InsertMeeting(Meeting(id, committee, kNow + days * day));
          if (!st.ok()) return st;
        }
        return absl::OkStatus();
      }).ok());
  ASSERT_TRUE(SetStatus("acme", "feb-x", MeetingStatus::kCancelled).ok());
  EXPECT_EQ(Find("acme", "jan")->previous_meeting_id, "");
  EXPECT_EQ(Find("acme", "feb")->previous_meeting_id, "jan");
  EXPECT_EQ(Find("acme", "feb-x")->previous_meeting_id, "feb");
  // feb-x is cancelled, and another committee's meeting does not count.
  EXPECT_EQ(Find("acme", "mar")->previous_meeting_id, "feb");
  EXPECT_EQ(Find("acme", "other-1")->previous_meeting_id, "");
  // Same start: the meeting id breaks the tie.
  EXPECT_EQ(Find("acme", "same-a")->previous_meeting_id, "mar");
  EXPECT_EQ(Find("acme", "same-b")->previous_meeting_id, "same-a");
}

TEST_F(MeetingStoreTest, ListMeetingsFiltersAndPagesByStartTime) {
  SeriesRecord series{"s1", "perf", "monthly", "2025-04", 2, kNow, "sec"};
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) -> absl::Status {
                for (const char* c : {"perf", "other"}) {
                  absl::Status st = tx.InsertCommittee(Committee(c));
                  if (!st.ok()) return st;
                }
                absl::Status st = tx.InsertSeries(series);
                if (!st.ok()) return st;
                MeetingRecord a = Meeting("a", "perf", kNow + absl::Hours(30), "2025-04");
                a.series_id = "s1";
                MeetingRecord b = Meeting("b", "perf", kNow + absl::Hours(10), "2025-03");
                b.invitees = {{"gm"}, {"mkt"}};
                MeetingRecord c = Meeting("c", "other", kNow + absl::Hours(20), "2025-03");
                MeetingRecord d = Meeting("d", "perf", kNow + absl::Hours(40), "2025-05");
                d.series_id = "s1";
                for (const MeetingRecord* m : {&a, &b, &c, &d}) {
                  st = tx.InsertMeeting(*m);
                  if (!st.ok()) return st;
                }
                return absl::OkStatus();
              }).ok());
  ASSERT_TRUE(SetStatus("acme", "c", MeetingStatus::kInProgress).ok());

  auto list = [&](const MeetingFilter& filter, const std::optional<MeetingPageKey>& after,
                  int limit) {
    std::vector<std::string> ids;
    EXPECT_TRUE(store_
                    ->Read("acme",
                           [&](MeetingTx& tx) -> absl::Status {
                             absl::StatusOr<std::vector<MeetingRecord>> rows =
                                 tx.ListMeetings(filter, after, limit);
                             if (!rows.ok()) return rows.status();
                             for (const auto& m : *rows) ids.push_back(m.meeting_id);
                             return absl::OkStatus();
                           })
                    .ok());
    return ids;
  };
  MeetingFilter all, by_committee, by_status, by_period, by_invitee;
  by_committee.committee_id = "perf";
  by_status.status = MeetingStatus::kInProgress;
  by_period.period = "2025-03";
  by_invitee.invitee_id = "rep-1";
  EXPECT_THAT(list(all, std::nullopt, 10), ElementsAre("b", "c", "a", "d"));
  EXPECT_THAT(list(by_committee, std::nullopt, 10), ElementsAre("b", "a", "d"));
  EXPECT_THAT(list(by_status, std::nullopt, 10), ElementsAre("c"));
  EXPECT_THAT(list(by_period, std::nullopt, 10), ElementsAre("b", "c"));
  // rep-1 is invited to every meeting but b.
  EXPECT_THAT(list(by_invitee, std::nullopt, 10), ElementsAre("c", "a", "d"));
  // Pages continue after (start_time, meeting_id).
  EXPECT_THAT(list(all, std::nullopt, 2), ElementsAre("b", "c"));
  EXPECT_THAT(list(all, MeetingPageKey{kNow + absl::Hours(20), "c"}, 2), ElementsAre("a", "d"));
  EXPECT_EQ(Find("acme", "a")->series_id, "s1");
}

// Every pair of statuses, as the database's guard sees it (the service
// refuses the same moves first, with the allowed moves in the message).
class StatusMoveTest
    : public MeetingStoreTest,
      public ::testing::WithParamInterface<std::tuple<MeetingStatus, MeetingStatus>> {};

// The path from SCHEDULED to each status.
std::vector<MeetingStatus> PathTo(MeetingStatus s) {
  switch (s) {
    case MeetingStatus::kScheduled:
      return {};
    case MeetingStatus::kInProgress:
      return {MeetingStatus::kInProgress};
    case MeetingStatus::kClosed:
      return {MeetingStatus::kInProgress, MeetingStatus::kClosed};
    case MeetingStatus::kCancelled:
      return {MeetingStatus::kCancelled};
  }
  return {};
}

bool Allowed(MeetingStatus from, MeetingStatus to) {
  return (from == MeetingStatus::kScheduled &&
          (to == MeetingStatus::kInProgress || to == MeetingStatus::kCancelled)) ||
         (from == MeetingStatus::kInProgress &&
          (to == MeetingStatus::kClosed || to == MeetingStatus::kCancelled));
}

TEST_P(StatusMoveTest, OnlyTheAllowedMovesHappen) {
  const auto [from, to] = GetParam();
  SeedCommitteeAndMeeting();
  for (MeetingStatus step : PathTo(from)) ASSERT_TRUE(SetStatus("acme", "m1", step).ok());
  // The rules the service applies.
  absl::Status rule = CheckStatusChange("m1", from, to);
  EXPECT_EQ(rule.ok(), Allowed(from, to)) << rule;
  if (!rule.ok()) {
    EXPECT_EQ(rule.code(), absl::StatusCode::kFailedPrecondition);
    for (MeetingStatus next : AllowedNextStatuses(from)) {
      EXPECT_THAT(std::string(rule.message()), HasSubstr(StatusLabel(next)));
    }
  }
  // The database's guard (a same-status write is not a move: it only
  // matters for a final status, which refuses every write).
  if (from == to && !IsReadOnly(from)) return;
  absl::Status stored = SetStatus("acme", "m1", to);
  EXPECT_EQ(stored.ok(), Allowed(from, to)) << stored;
  if (!stored.ok()) {
    EXPECT_EQ(stored.code(), absl::StatusCode::kFailedPrecondition) << stored;
  }
  EXPECT_EQ(Find("acme", "m1")->status, Allowed(from, to) ? to : from);
}

std::string MoveName(const ::testing::TestParamInfo<std::tuple<MeetingStatus, MeetingStatus>>& p) {
  return absl::StrCat(MeetingStatusName(std::get<0>(p.param)), "_to_",
                      MeetingStatusName(std::get<1>(p.param)));
}

INSTANTIATE_TEST_SUITE_P(
    EveryPair, StatusMoveTest,
    ::testing::Combine(::testing::Values(MeetingStatus::kScheduled, MeetingStatus::kInProgress,
                                         MeetingStatus::kClosed, MeetingStatus::kCancelled),
                       ::testing::Values(MeetingStatus::kScheduled, MeetingStatus::kInProgress,
                                         MeetingStatus::kClosed, MeetingStatus::kCancelled)),
    MoveName);

TEST_F(MeetingStoreTest, StatusTimesAndReasonAreStored) {
  SeedCommitteeAndMeeting();
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) -> absl::Status {
                MeetingRecord m = **tx.FindMeeting("m1", true);
                m.status = MeetingStatus::kInProgress;
                m.version = 2;
                m.start_record_time = kNow + absl::Minutes(1);
                return tx.UpdateMeetingStatus(m);
              }).ok());
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) -> absl::Status {
                MeetingRecord m = **tx.FindMeeting("m1", true);
                m.status = MeetingStatus::kCancelled;
                m.version = 3;
                m.cancel_reason = "the GM is travelling";
                m.end_record_time = kNow + absl::Minutes(2);
                return tx.UpdateMeetingStatus(m);
              }).ok());
  std::optional<MeetingRecord> m = Find("acme", "m1");
  EXPECT_EQ(m->status, MeetingStatus::kCancelled);
  EXPECT_EQ(m->version, 3);
  EXPECT_EQ(m->cancel_reason, "the GM is travelling");
  EXPECT_EQ(m->start_record_time, kNow + absl::Minutes(1));
  EXPECT_EQ(m->end_record_time, kNow + absl::Minutes(2));
}

TEST_F(MeetingStoreTest, AttendanceIsRecordedForInviteesOnly) {
  SeedCommitteeAndMeeting();
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) {
                return tx.RecordAttendance(
                    "m1", {{"gm", Attendance::kPresent}, {"rep-1", Attendance::kExcused}}, "sec",
                    kNow, 2);
              }).ok());
  std::optional<MeetingRecord> m = Find("acme", "m1");
  EXPECT_EQ(m->version, 2);
  std::map<std::string, Attendance> got;
  for (const auto& i : m->invitees) got[i.person_id] = i.attendance;
  EXPECT_EQ(got["gm"], Attendance::kPresent);
  EXPECT_EQ(got["rep-1"], Attendance::kExcused);
  EXPECT_EQ(got["mkt"], Attendance::kUnspecified);

  absl::Status st = Write("acme", [&](MeetingTx& tx) {
    return tx.RecordAttendance("m1", {{"stranger", Attendance::kPresent}}, "sec", kNow, 3);
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("stranger"));
  EXPECT_EQ(Find("acme", "m1")->version, 2);  // rolled back
}

TEST_F(MeetingStoreTest, MinutesAreNumberedInOrderPerMeeting) {
  SeedCommitteeAndMeeting();
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) {
                return tx.InsertMeeting(Meeting("m2", "perf", kNow + absl::Hours(48)));
              }).ok());
  ASSERT_TRUE(SetStatus("acme", "m1", MeetingStatus::kInProgress).ok());
  ASSERT_TRUE(SetStatus("acme", "m2", MeetingStatus::kInProgress).ok());
  std::vector<int64_t> sequences;
  for (auto [meeting, text] : std::vector<std::pair<const char*, const char*>>{
           {"m1", "first"}, {"m1", "second"}, {"m2", "other meeting"}, {"m1", "third"}}) {
    MinutesEntryRecord e;
    e.speaker_id = "gm";
    e.text = text;
    e.kind = std::string(text) == "second" ? MinutesKind::kDecision : MinutesKind::kNote;
    e.recorded_by = "mkt";
    e.record_time = kNow;
    ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) -> absl::Status {
                  (void)tx.FindMeeting(meeting, true);
                  return tx.AppendMinutes(meeting, e);
                }).ok());
    sequences.push_back(e.sequence);
  }
  EXPECT_THAT(sequences, ElementsAre(1, 2, 1, 3));
  std::vector<std::string> texts;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](MeetingTx& tx) -> absl::Status {
                           auto rows = tx.ListMinutes("m1", 1, 10);
                           for (const auto& e : *rows) texts.push_back(e.text);
                           EXPECT_EQ((*rows)[0].kind, MinutesKind::kDecision);
                           EXPECT_EQ((*rows)[0].sequence, 2);
                           EXPECT_EQ((*rows)[0].recorded_by, "mkt");
                           EXPECT_EQ((*rows)[0].record_time, kNow);
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_THAT(texts, ElementsAre("second", "third"));
}

TEST_F(MeetingStoreTest, MinutesNeedAMeetingInProgress) {
  SeedCommitteeAndMeeting();
  MinutesEntryRecord e{0, "gm", "too early", MinutesKind::kNote, "mkt", kNow};
  absl::Status st = Write("acme", [&](MeetingTx& tx) { return tx.AppendMinutes("m1", e); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("in progress"));
}

TEST_F(MeetingStoreTest, IdempotentMutationsUseReviewRequests) {
  SeedCommitteeAndMeeting();
  int runs = 0;
  auto mutate = [&](const std::string& method, const std::string& fingerprint) {
    return store_->Mutate("acme", "req-1", method, fingerprint,
                          [&](MeetingTx&) -> absl::StatusOr<std::string> {
                            ++runs;
                            return std::string("answer-") + std::to_string(runs);
                          });
  };
  absl::StatusOr<std::string> first = mutate("M/Do", "body");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "answer-1");
  absl::StatusOr<std::string> retry = mutate("M/Do", "body");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(*retry, "answer-1");
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(mutate("M/Do", "other body").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(mutate("M/Other", "body").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(runs, 1);
  absl::StatusOr<std::string> other_tenant =
      store_->Mutate("globex", "req-1", "M/Do", "body",
                     [&](MeetingTx&) -> absl::StatusOr<std::string> { return std::string("g"); });
  ASSERT_TRUE(other_tenant.ok());
  EXPECT_EQ(*other_tenant, "g");
}

// The read-only guard in the database: once a meeting is closed (or
// cancelled), no client can change its record, whatever SQL it sends.
class ReadOnlyGuardTest : public MeetingStoreTest,
                          public ::testing::WithParamInterface<MeetingStatus> {};

TEST_P(ReadOnlyGuardTest, RefusesEveryWriteToTheRecord) {
  SeedCommitteeAndMeeting();
  ASSERT_TRUE(SetStatus("acme", "m1", MeetingStatus::kInProgress).ok());
  // While open: an agenda, a report with a cause and a minutes entry.
  ASSERT_TRUE(Sql("INSERT INTO review.agendas (tenant_id, meeting_id, evaluation_id, "
                  "presenter_level, total_minutes, meeting_minutes, create_time, created_by) "
                  "VALUES ('acme', 'm1', 'ev-1', 'rep', 30, 120, now(), 'sec')")
                  .ok());
  ASSERT_TRUE(Sql("INSERT INTO review.agenda_items (tenant_id, meeting_id, item_id, position, "
                  "kind, title, minutes, start_offset_minutes) "
                  "VALUES ('acme', 'm1', 'item-1', 1, 'free_discussion', 'Talk', 30, 0)")
                  .ok());
  ASSERT_TRUE(Sql("INSERT INTO review.reports (tenant_id, report_id, meeting_id, agenda_item_id, "
                  "presenter_kind, presenter_id, metric, target, actual, gap, status, version, "
                  "create_time, created_by, update_time) VALUES ('acme', 'r1', 'm1', 'item-1', "
                  "'rep', 'rep-1', 'sales_amount', 100, 80, -20, 'draft', 1, now(), 'rep-1', "
                  "now())")
                  .ok());
  ASSERT_TRUE(Sql("INSERT INTO review.report_causes (tenant_id, report_id, cause_id, position, "
                  "description, kind) VALUES ('acme', 'r1', 'c1', 0, 'late deliveries', "
                  "'internal')")
                  .ok());
  ASSERT_TRUE(Sql("INSERT INTO review.minutes (tenant_id, meeting_id, sequence, speaker_id, text, "
                  "kind, recorded_by, record_time) VALUES ('acme', 'm1', 1, 'gm', 'hello', "
                  "'note', 'mkt', now())")
                  .ok());
  // Minutes never change, even while the meeting is open.
  EXPECT_EQ(Sql("UPDATE review.minutes SET text = 'edited'").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Sql("DELETE FROM review.minutes").code(), absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(SetStatus("acme", "m1", GetParam()).ok());
  const std::vector<std::string> writes = {
      "INSERT INTO review.minutes (tenant_id, meeting_id, sequence, speaker_id, text, kind, "
      "recorded_by, record_time) VALUES ('acme', 'm1', 2, 'gm', 'late', 'note', 'mkt', now())",
      "UPDATE review.meeting_invitees SET attendance = 'present' WHERE meeting_id = 'm1'",
      "INSERT INTO review.meeting_invitees (tenant_id, meeting_id, person_id, position) "
      "VALUES ('acme', 'm1', 'late-guest', 9)",
      "DELETE FROM review.meeting_invitees WHERE meeting_id = 'm1'",
      "UPDATE review.agendas SET total_minutes = 40 WHERE meeting_id = 'm1'",
      "DELETE FROM review.agendas WHERE meeting_id = 'm1'",
      "UPDATE review.agenda_items SET minutes = 5 WHERE meeting_id = 'm1'",
      "INSERT INTO review.agenda_items (tenant_id, meeting_id, item_id, position, kind, title, "
      "minutes, start_offset_minutes) VALUES ('acme', 'm1', 'item-2', 2, 'spare', 'Spare', 5, "
      "30)",
      "UPDATE review.reports SET status = 'submitted' WHERE report_id = 'r1'",
      "UPDATE review.report_causes SET impact = -10 WHERE report_id = 'r1'",
      "INSERT INTO review.report_causes (tenant_id, report_id, cause_id, position, description, "
      "kind) VALUES ('acme', 'r1', 'c2', 1, 'market', 'external')",
      "DELETE FROM review.report_causes WHERE report_id = 'r1'",
      "UPDATE review.meetings SET title = 'rewritten' WHERE meeting_id = 'm1'",
      "UPDATE review.meetings SET status = 'scheduled' WHERE meeting_id = 'm1'",
      "DELETE FROM review.meetings WHERE meeting_id = 'm1'",
  };
  for (const std::string& sql : writes) {
    absl::Status st = Sql(sql);
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << sql << "\n" << st;
    if (!st.ok() && !absl::StrContains(sql, "DELETE FROM review.meetings")) {
      EXPECT_THAT(std::string(st.message()),
                  ::testing::AnyOf(HasSubstr("read-only"), HasSubstr("in progress")))
          << sql;
    }
  }
  std::optional<MeetingRecord> m = Find("acme", "m1");
  EXPECT_EQ(m->status, GetParam());
  EXPECT_EQ(m->title, "2025-03 review");
  EXPECT_EQ(m->invitees.size(), 4u);
  // Another meeting of the same committee is not affected.
  ASSERT_TRUE(Write("acme", [&](MeetingTx& tx) {
                return tx.InsertMeeting(Meeting("m2", "perf", kNow + absl::Hours(48)));
              }).ok());
  EXPECT_TRUE(Sql("UPDATE review.meeting_invitees SET attendance = 'absent' "
                  "WHERE meeting_id = 'm2' AND person_id = 'gm'")
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(ClosedOrCancelled, ReadOnlyGuardTest,
                         ::testing::Values(MeetingStatus::kClosed, MeetingStatus::kCancelled),
                         [](const ::testing::TestParamInfo<MeetingStatus>& p) {
                           return std::string(MeetingStatusName(p.param));
                         });

// The series plan is pure logic (meeting_rules.h); checked here beside the
// store's series, with a zone that has daylight saving time.
TEST(PlanSeriesTest, KeepsTheDayAfterThePeriodAndTheLocalTimeAcrossDst) {
  absl::TimeZone ny;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  absl::StatusOr<Period> feb = Period::Parse("2025-02");
  ASSERT_TRUE(feb.ok());
  // 2025-03-05 09:00 EST (14:00Z): 4 days after February's end. DST starts
  // on 2025-03-09, so April's meeting is 09:00 EDT (13:00Z).
  const absl::Time first = absl::FromCivil(absl::CivilSecond(2025, 3, 5, 9, 0, 0), ny);
  EXPECT_EQ(first, absl::FromUnixSeconds(1741183200));
  std::vector<SeriesSlot> slots = PlanSeries(*feb, 3, first, ny);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].period.ToString(), "2025-02");
  EXPECT_EQ(slots[0].start, first);
  EXPECT_EQ(slots[1].period.ToString(), "2025-03");
  EXPECT_EQ(slots[1].start, absl::FromUnixSeconds(1743858000));  // 2025-04-05T13:00:00Z
  EXPECT_EQ(slots[2].period.ToString(), "2025-04");
  EXPECT_EQ(slots[2].start, absl::FromUnixSeconds(1746450000));  // 2025-05-05T13:00:00Z
}

TEST(PlanSeriesTest, ADayBeforeThePeriodEndsFollowsMonthLengths) {
  absl::StatusOr<Period> jan = Period::Parse("2025-01");
  ASSERT_TRUE(jan.ok());
  // The last day of each month at 10:00 UTC: Jan 31, Feb 28, Mar 31.
  std::vector<SeriesSlot> slots =
      PlanSeries(*jan, 3, absl::FromUnixSeconds(1738317600), absl::UTCTimeZone());
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[1].start, absl::FromUnixSeconds(1740736800));  // 2025-02-28T10:00:00Z
  EXPECT_EQ(slots[2].start, absl::FromUnixSeconds(1743415200));  // 2025-03-31T10:00:00Z
  absl::StatusOr<Period> q4 = Period::Parse("2024-Q4");
  ASSERT_TRUE(q4.ok());
  slots = PlanSeries(*q4, 2, absl::FromUnixSeconds(1736503200), absl::UTCTimeZone());  // 01-10
  EXPECT_EQ(slots[1].period.ToString(), "2025-Q1");
  EXPECT_EQ(slots[1].start, absl::FromUnixSeconds(1744279200));  // 2025-04-10T10:00:00Z
}

}  // namespace
}  // namespace attain::review
