// PgTargetStore against a real PostgreSQL started by the test harness.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/period.h"
#include "common/pg.h"
#include "services/target/src/store/pg_target_store.h"
#include "tests/support/test_servers.h"

namespace attain::target {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr int kSalesAmount = 1;  // attain.type.v1.Metric
constexpr int kOrderCount = 2;

std::unique_ptr<PgPool> MakePool(const std::string& url, int size = 4) {
  PgPool::Options options;
  options.url = url;
  options.size = size;
  absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? std::move(*pool) : nullptr;
}

OrgUnitRecord Unit(std::string id, std::string parent, std::string name, int kind) {
  OrgUnitRecord u;
  u.unit_id = std::move(id);
  u.parent_id = std::move(parent);
  u.name = std::move(name);
  u.kind = kind;
  return u;
}

MembershipRecord Member(std::string team, absl::CivilDay from,
                        std::optional<absl::CivilDay> to = std::nullopt) {
  return MembershipRecord{std::move(team), from, to};
}

RepRecord Rep(std::string id, std::string name, std::vector<MembershipRecord> memberships) {
  RepRecord r;
  r.rep_id = std::move(id);
  r.name = std::move(name);
  r.hire_date = absl::CivilDay(2023, 1, 1);
  r.memberships = std::move(memberships);
  return r;
}

// A target of `scope` for the canonical `period`, in CNY.
TargetRecord Target(int scope_kind, std::string scope_id, const std::string& period, int64_t base,
                    int64_t challenge, std::string product_line = "", int metric = kSalesAmount) {
  absl::StatusOr<Period> p = Period::Parse(period);
  EXPECT_TRUE(p.ok()) << p.status();
  TargetRecord t;
  t.key = TargetKey{scope_kind, std::move(scope_id), std::move(product_line), period, metric};
  t.period_kind = static_cast<int>(p->kind()) + 1;  // attain.type.v1.PeriodKind
  t.first_day = p->first_day();
  t.last_day = p->last_day();
  t.base_value = base;
  t.challenge_value = challenge;
  t.currency_code = "CNY";
  return t;
}

std::vector<std::string> TargetIds(const std::vector<TargetRecord>& targets) {
  std::vector<std::string> ids;
  for (const TargetRecord& t : targets) ids.push_back(t.target_id);
  return ids;
}

std::vector<std::string> ScopeIds(const std::vector<TargetRecord>& targets) {
  std::vector<std::string> ids;
  for (const TargetRecord& t : targets) ids.push_back(t.key.scope_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// One database for the suite; each test works in its own tenant (named after
// the test), which also keeps the tests honest about tenant filtering.
class TargetStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    url_ = new std::string(attain::testing::PgTestServer::Shared().CreateDatabase("target_store"));
    pool_ = MakePool(*url_, 4).release();
    ASSERT_NE(pool_, nullptr);
    absl::Status migrated = PgTargetStore::Migrate(*pool_);
    ASSERT_TRUE(migrated.ok()) << migrated;
  }
  static void TearDownTestSuite() {
    delete pool_;
    pool_ = nullptr;
    delete url_;
    url_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    store_ = std::make_unique<PgTargetStore>(*pool_);
    tenant_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  // Runs `fn` in a read-write transaction of the test's tenant (no request_id).
  absl::Status Write(const std::function<absl::Status(TargetTx&)>& fn,
                     const std::string& tenant = "") {
    return store_
        ->Mutate(tenant.empty() ? tenant_ : tenant, "", "Test",
                 [&](TargetTx& tx) -> absl::StatusOr<std::string> {
                   absl::Status status = fn(tx);
                   if (!status.ok()) return status;
                   return std::string();
                 })
        .status();
  }
  absl::Status Read(const std::function<absl::Status(TargetTx&)>& fn,
                    const std::string& tenant = "") {
    return store_->Read(tenant.empty() ? tenant_ : tenant, fn);
  }

  // company co ─┬─ region north ─┬─ team n1
  //             │                └─ team n2
  //             └─ region south ─── team s1
  void MakeTree(const std::string& tenant = "") {
    ASSERT_TRUE(Write(
                    [](TargetTx& tx) -> absl::Status {
                      for (const OrgUnitRecord& u : {Unit("co", "", "Acme", kKindCompany),
                                                     Unit("north", "co", "North", kKindRegion),
                                                     Unit("south", "co", "South", kKindRegion),
                                                     Unit("n1", "north", "North One", kKindTeam),
                                                     Unit("n2", "north", "North Two", kKindTeam),
                                                     Unit("s1", "south", "South One", kKindTeam)}) {
                        absl::Status s = tx.InsertUnit(u);
                        if (!s.ok()) return s;
                      }
                      return absl::OkStatus();
                    },
                    tenant)
                    .ok());
  }

  // Upserts `rows` (by value) and returns them filled in.
  std::vector<TargetRecord> Upsert(std::vector<TargetRecord> rows,
                                   std::vector<bool>* created = nullptr,
                                   const std::string& actor = "alice") {
    absl::Status s =
        Write([&](TargetTx& tx) { return tx.UpsertTargets(rows, actor, "test", created); });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  std::vector<TargetRecord> List(const TargetFilter& filter, const std::string& after_id = "",
                                 int limit = 0) {
    std::vector<TargetRecord> out;
    absl::Status s = Read([&](TargetTx& tx) -> absl::Status {
      absl::StatusOr<std::vector<TargetRecord>> r = tx.ListTargets(filter, after_id, limit);
      if (!r.ok()) return r.status();
      out = *std::move(r);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  static std::string* url_;
  static PgPool* pool_;
  std::unique_ptr<PgTargetStore> store_;
  std::string tenant_;
};

std::string* TargetStoreTest::url_ = nullptr;
PgPool* TargetStoreTest::pool_ = nullptr;

// --- migrations and array literals ---

TEST(TargetMigrationsTest, ApplyOnceAndAgainIsANoOp) {
  const std::string url = attain::testing::PgTestServer::Shared().CreateDatabase("target_migrate");
  std::unique_ptr<PgPool> pool = MakePool(url);
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(PgTargetStore::Migrate(*pool).ok());
  absl::Status again = PgTargetStore::Migrate(*pool);
  ASSERT_TRUE(again.ok()) << again;
  int64_t applied = 0, tables = 0;
  ASSERT_TRUE(pool->InTransaction([&](pqxx::work& tx) {
                    applied =
                        tx.exec1("SELECT count(*) FROM target.schema_migrations")[0].as<int64_t>();
                    tables = tx.exec1(
                                   "SELECT count(*) FROM information_schema.tables "
                                   "WHERE table_schema = 'target'")[0]
                                 .as<int64_t>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(applied, static_cast<int64_t>(Migrations().size()));
  // org_units, reps, rep_memberships, product_lines, targets, target_history,
  // period_locks, requests, schema_migrations.
  EXPECT_EQ(tables, 9);
}

TEST_F(TargetStoreTest, ArrayLiteralsRoundTripAnyText) {
  const std::vector<std::string> texts = {
      "plain",      "",     "with, comma", "{braces}", "quote \" inside", "back\\slash", "\\\"",
      "  spaces  ", "NULL", "销售一部",    "a\tb\nc",  "'single'",        "trailing\\",  "}{\",\\"};
  std::vector<std::string> back;
  ASSERT_TRUE(
      pool_
          ->InTransaction([&](pqxx::work& tx) {
            for (const pqxx::row& r : tx.exec_params(
                     "SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS a(v, i) ORDER BY i",
                     pg_internal::TextArray(texts))) {
              back.push_back(r[0].as<std::string>());
            }
            return absl::OkStatus();
          })
          .ok());
  EXPECT_EQ(back, texts);

  const std::vector<int64_t> numbers = {0, -1, INT64_MAX, INT64_MIN, 42};
  std::vector<int64_t> numbers_back;
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    for (const pqxx::row& r : tx.exec_params(
                             "SELECT v FROM unnest($1::bigint[]) WITH ORDINALITY AS a(v, i) "
                             "ORDER BY i",
                             pg_internal::IntArray(numbers))) {
                      numbers_back.push_back(r[0].as<int64_t>());
                    }
                    int64_t empty = tx.exec_params1("SELECT cardinality($1::text[])",
                                                    pg_internal::TextArray({}))[0]
                                        .as<int64_t>();
                    EXPECT_EQ(empty, 0);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(numbers_back, numbers);
}

TEST_F(TargetStoreTest, NamesWithSpecialCharactersSurviveBulkWrites) {
  const std::string name = "Team \"A\", {east} \\ 华东";
  ASSERT_TRUE(Write([&](TargetTx& tx) -> absl::Status {
                return tx.InsertUnit(Unit("co", "", name, kKindCompany));
              }).ok());
  ASSERT_TRUE(Write([&](TargetTx& tx) -> absl::Status {
                return tx.InsertRep(Rep("r\"1", name, {Member("co", absl::CivilDay(2024, 1, 1))}));
              }).ok());
  std::vector<TargetRecord> rows =
      Upsert({Target(kScopeRep, "r\"1", "2024-Q3", 100, 120, "线,{\\")});
  EXPECT_THAT(ScopeIds(List({})), ElementsAre("r\"1"));
  EXPECT_EQ(List({})[0].key.product_line_id, "线,{\\");
  ASSERT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                absl::StatusOr<std::optional<RepRecord>> rep = tx.FindRep("r\"1");
                EXPECT_TRUE(rep.ok() && rep->has_value());
                if (rep.ok() && rep->has_value()) {
                  EXPECT_EQ((*rep)->name, name);
                }
                absl::StatusOr<std::vector<std::string>> existing =
                    tx.ExistingReps({"r\"1", "r1", "r\\\"1"});
                EXPECT_TRUE(existing.ok());
                if (existing.ok()) {
                  EXPECT_THAT(*existing, ElementsAre("r\"1"));
                }
                return absl::OkStatus();
              }).ok());
}

// --- org units ---

TEST_F(TargetStoreTest, UnitsInsertFindUpdateAndList) {
  MakeTree();
  const absl::Time stamped = absl::FromUnixSeconds(1700000000);
  OrgUnitRecord east = Unit("east", "co", "East", kKindRegion);
  east.tier = "A";
  east.create_time = stamped;
  ASSERT_TRUE(Write([&](TargetTx& tx) { return tx.InsertUnit(east); }).ok());

  ASSERT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                absl::StatusOr<std::optional<OrgUnitRecord>> found = tx.FindUnit("east");
                EXPECT_TRUE(found.ok() && found->has_value()) << found.status();
                if (found.ok() && found->has_value()) {
                  const OrgUnitRecord& u = **found;
                  EXPECT_EQ(u.parent_id, "co");
                  EXPECT_EQ(u.name, "East");
                  EXPECT_EQ(u.kind, kKindRegion);
                  EXPECT_EQ(u.tier, "A");
                  EXPECT_FALSE(u.archived);
                  EXPECT_EQ(u.create_time, stamped);
                }
                absl::StatusOr<std::optional<OrgUnitRecord>> company = tx.FindUnit("co");
                EXPECT_TRUE(company.ok() && company->has_value());
                if (company.ok() && company->has_value()) {
                  EXPECT_EQ((*company)->parent_id, "");
                  // Unstamped: the database's now().
                  EXPECT_LT(absl::AbsDuration((*company)->create_time - absl::Now()),
                            absl::Minutes(1));
                }
                absl::StatusOr<std::optional<OrgUnitRecord>> missing = tx.FindUnit("nope");
                EXPECT_TRUE(missing.ok() && !missing->has_value());
                return absl::OkStatus();
              }).ok());

  east.name = "Eastern";
  east.tier = "B";
  east.parent_id = "north";
  east.archived = true;
  ASSERT_TRUE(Write([&](TargetTx& tx) { return tx.UpdateUnit(east); }).ok());
  absl::Status missing =
      Write([&](TargetTx& tx) { return tx.UpdateUnit(Unit("ghost", "co", "Ghost", kKindTeam)); });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);

  auto list = [&](std::optional<std::string> parent, bool archived, std::string after, int limit) {
    std::vector<std::string> ids;
    EXPECT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                  absl::StatusOr<std::vector<OrgUnitRecord>> r =
                      tx.ListUnits(parent, archived, after, limit);
                  if (!r.ok()) return r.status();
                  for (const OrgUnitRecord& u : *r) ids.push_back(u.unit_id);
                  return absl::OkStatus();
                }).ok());
    return ids;
  };
  EXPECT_THAT(list(std::nullopt, false, "", 0),
              ElementsAre("co", "n1", "n2", "north", "s1", "south"));
  EXPECT_THAT(list(std::nullopt, true, "", 0),
              ElementsAre("co", "east", "n1", "n2", "north", "s1", "south"));
  EXPECT_THAT(list(std::string(""), false, "", 0), ElementsAre("co"));
  EXPECT_THAT(list(std::string("north"), false, "", 0), ElementsAre("n1", "n2"));
  EXPECT_THAT(list(std::string("north"), true, "", 0), ElementsAre("east", "n1", "n2"));
  // Pages of two.
  EXPECT_THAT(list(std::nullopt, false, "", 2), ElementsAre("co", "n1"));
  EXPECT_THAT(list(std::nullopt, false, "n1", 2), ElementsAre("n2", "north"));
  EXPECT_THAT(list(std::nullopt, false, "north", 2), ElementsAre("s1", "south"));
  EXPECT_THAT(list(std::nullopt, false, "south", 2), IsEmpty());
}

TEST_F(TargetStoreTest, SiblingNamesAreUniqueAmongActiveUnits) {
  MakeTree();
  // Case-insensitively, under the same parent.
  absl::Status dup = Write(
      [](TargetTx& tx) { return tx.InsertUnit(Unit("n3", "north", "NORTH one", kKindTeam)); });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
  EXPECT_THAT(dup.message(),
              HasSubstr("a unit named \"NORTH one\" already exists under \"north\""));

  absl::Status same_id = Write(
      [](TargetTx& tx) { return tx.InsertUnit(Unit("n1", "south", "Elsewhere", kKindTeam)); });
  EXPECT_EQ(same_id.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(same_id.message(), HasSubstr("unit \"n1\" already exists"));

  absl::Status no_parent =
      Write([](TargetTx& tx) { return tx.InsertUnit(Unit("x1", "nowhere", "X", kKindTeam)); });
  EXPECT_EQ(no_parent.code(), absl::StatusCode::kFailedPrecondition) << no_parent;
  EXPECT_THAT(no_parent.message(), HasSubstr("parent unit \"nowhere\" does not exist"));

  // The same name under another parent is fine.
  EXPECT_TRUE(Write([](TargetTx& tx) {
                return tx.InsertUnit(Unit("s2", "south", "North One", kKindTeam));
              }).ok());

  // Renaming into a clash is refused too.
  OrgUnitRecord n2 = Unit("n2", "north", "north one", kKindTeam);
  EXPECT_EQ(Write([&](TargetTx& tx) { return tx.UpdateUnit(n2); }).code(),
            absl::StatusCode::kAlreadyExists);

  // Once n1 is archived its name is free again. The clash inside the same
  // transaction leaves it usable (the write ran under a savepoint).
  absl::Status archived = Write([](TargetTx& tx) -> absl::Status {
    absl::Status clash = tx.InsertUnit(Unit("n3", "north", "North One", kKindTeam));
    if (clash.code() != absl::StatusCode::kAlreadyExists) {
      return absl::InternalError(absl::StrCat("expected a clash, got ", clash.ToString()));
    }
    OrgUnitRecord n1 = Unit("n1", "north", "North One", kKindTeam);
    n1.archived = true;
    absl::Status s = tx.UpdateUnit(n1);
    if (!s.ok()) return s;
    return tx.InsertUnit(Unit("n3", "north", "North One", kKindTeam));
  });
  EXPECT_TRUE(archived.ok()) << archived;
}

TEST_F(TargetStoreTest, OneCompanyPerTenant) {
  MakeTree();
  absl::Status second =
      Write([](TargetTx& tx) { return tx.InsertUnit(Unit("co2", "", "Other Co", kKindCompany)); });
  EXPECT_EQ(second.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(second.message(), HasSubstr("the tenant already has a company unit"));
  // Another tenant has its own.
  EXPECT_TRUE(
      Write([](TargetTx& tx) { return tx.InsertUnit(Unit("co2", "", "Other Co", kKindCompany)); },
            tenant_ + "-b")
          .ok());
}

TEST_F(TargetStoreTest, SubtreeChildrenAndExistence) {
  MakeTree();
  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                auto in = [&](const std::string& unit, const std::string& ancestor) {
                  absl::StatusOr<bool> r = tx.IsInSubtree(unit, ancestor);
                  EXPECT_TRUE(r.ok()) << r.status();
                  return r.ok() && *r;
                };
                EXPECT_TRUE(in("n1", "co"));
                EXPECT_TRUE(in("n1", "north"));
                EXPECT_TRUE(in("n1", "n1"));
                EXPECT_TRUE(in("co", "co"));
                EXPECT_FALSE(in("n1", "south"));
                EXPECT_FALSE(in("north", "n1"));
                EXPECT_FALSE(in("ghost", "co"));
                EXPECT_EQ(*tx.CountActiveChildren("north"), 2);
                EXPECT_EQ(*tx.CountActiveChildren("co"), 2);
                EXPECT_EQ(*tx.CountActiveChildren("n1"), 0);
                EXPECT_THAT(*tx.ExistingUnits({"s1", "ghost", "co"}), ElementsAre("co", "s1"));
                EXPECT_THAT(*tx.ExistingUnits({}), IsEmpty());
                return absl::OkStatus();
              }).ok());
  OrgUnitRecord n2 = Unit("n2", "north", "North Two", kKindTeam);
  n2.archived = true;
  ASSERT_TRUE(Write([&](TargetTx& tx) { return tx.UpdateUnit(n2); }).ok());
  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                EXPECT_EQ(*tx.CountActiveChildren("north"), 1);
                return absl::OkStatus();
              }).ok());
}

// --- reps ---

TEST_F(TargetStoreTest, RepsWithMembershipsAcrossAMidQuarterMove) {
  MakeTree();
  // r1 moves from n1 to s1 on 2024-08-16; r2 stays in n2; r3 joins n1 in September.
  ASSERT_TRUE(Write([](TargetTx& tx) -> absl::Status {
                for (const RepRecord& r :
                     {Rep("r1", "Li Lei",
                          {Member("n1", absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 8, 15)),
                           Member("s1", absl::CivilDay(2024, 8, 16))}),
                      Rep("r2", "Han Meimei", {Member("n2", absl::CivilDay(2023, 6, 1))}),
                      Rep("r3", "Zhang San", {Member("n1", absl::CivilDay(2024, 9, 1))})}) {
                  absl::Status s = tx.InsertRep(r);
                  if (!s.ok()) return s;
                }
                return absl::OkStatus();
              }).ok());

  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                absl::StatusOr<std::optional<RepRecord>> r1 = tx.FindRep("r1");
                EXPECT_TRUE(r1.ok() && r1->has_value());
                if (r1.ok() && r1->has_value()) {
                  const RepRecord& rep = **r1;
                  EXPECT_EQ(rep.name, "Li Lei");
                  EXPECT_EQ(rep.hire_date, absl::CivilDay(2023, 1, 1));
                  EXPECT_EQ(rep.memberships.size(), 2u);
                  if (rep.memberships.size() == 2) {
                    EXPECT_EQ(rep.memberships[0].team_id, "n1");
                    EXPECT_EQ(rep.memberships[0].effective_to, absl::CivilDay(2024, 8, 15));
                    EXPECT_EQ(rep.memberships[1].team_id, "s1");
                    EXPECT_EQ(rep.memberships[1].effective_from, absl::CivilDay(2024, 8, 16));
                    EXPECT_FALSE(rep.memberships[1].effective_to.has_value());
                  }
                }
                EXPECT_FALSE(tx.FindRep("ghost")->has_value());

                const std::vector<std::string> all = {"r1", "r2", "r3", "ghost"};
                EXPECT_THAT(*tx.TeamsOn(all, absl::CivilDay(2024, 8, 15)),
                            ElementsAre(Pair("r1", "n1"), Pair("r2", "n2")));
                EXPECT_THAT(*tx.TeamsOn(all, absl::CivilDay(2024, 8, 16)),
                            ElementsAre(Pair("r1", "s1"), Pair("r2", "n2")));
                EXPECT_THAT(*tx.TeamsOn(all, absl::CivilDay(2024, 9, 1)),
                            ElementsAre(Pair("r1", "s1"), Pair("r2", "n2"), Pair("r3", "n1")));
                EXPECT_THAT(*tx.RepsInTeamOn("n1", absl::CivilDay(2024, 8, 15)), ElementsAre("r1"));
                EXPECT_THAT(*tx.RepsInTeamOn("n1", absl::CivilDay(2024, 8, 16)), IsEmpty());
                EXPECT_THAT(*tx.RepsInTeamOn("n1", absl::CivilDay(2024, 9, 30)), ElementsAre("r3"));
                EXPECT_THAT(*tx.ExistingReps({"r3", "ghost", "r1"}), ElementsAre("r1", "r3"));

                auto under = [&](const std::string& unit, absl::CivilDay day,
                                 std::string after = "", int limit = 0) {
                  std::vector<std::string> ids;
                  absl::StatusOr<std::vector<RepRecord>> r = tx.ListReps(unit, day, after, limit);
                  EXPECT_TRUE(r.ok()) << r.status();
                  if (r.ok()) {
                    for (const RepRecord& rep : *r) {
                      ids.push_back(rep.rep_id);
                      EXPECT_FALSE(rep.memberships.empty()) << rep.rep_id;
                    }
                  }
                  return ids;
                };
                EXPECT_THAT(under("north", absl::CivilDay(2024, 7, 1)), ElementsAre("r1", "r2"));
                EXPECT_THAT(under("north", absl::CivilDay(2024, 9, 1)), ElementsAre("r2", "r3"));
                EXPECT_THAT(under("south", absl::CivilDay(2024, 7, 1)), IsEmpty());
                EXPECT_THAT(under("south", absl::CivilDay(2024, 9, 1)), ElementsAre("r1"));
                EXPECT_THAT(under("co", absl::CivilDay(2024, 9, 1)), ElementsAre("r1", "r2", "r3"));
                EXPECT_THAT(under("n1", absl::CivilDay(2024, 9, 1)), ElementsAre("r3"));
                // Without a unit: every rep, paged.
                EXPECT_THAT(under("", absl::CivilDay(2000, 1, 1), "", 2), ElementsAre("r1", "r2"));
                EXPECT_THAT(under("", absl::CivilDay(2000, 1, 1), "r2", 2), ElementsAre("r3"));
                return absl::OkStatus();
              }).ok());

  // UpdateRep replaces the memberships.
  RepRecord r3 = Rep("r3", "Zhang San (Sr)",
                     {Member("n2", absl::CivilDay(2024, 9, 1), absl::CivilDay(2024, 9, 30)),
                      Member("s1", absl::CivilDay(2024, 10, 1))});
  ASSERT_TRUE(Write([&](TargetTx& tx) { return tx.UpdateRep(r3); }).ok());
  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                RepRecord rep = **tx.FindRep("r3");
                EXPECT_EQ(rep.name, "Zhang San (Sr)");
                EXPECT_EQ(rep.memberships.size(), 2u);
                EXPECT_THAT(*tx.RepsInTeamOn("n1", absl::CivilDay(2024, 9, 30)), IsEmpty());
                EXPECT_THAT(*tx.RepsInTeamOn("n2", absl::CivilDay(2024, 9, 30)),
                            ElementsAre("r2", "r3"));
                return absl::OkStatus();
              }).ok());

  absl::Status dup = Write([](TargetTx& tx) { return tx.InsertRep(Rep("r1", "Again", {})); });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("rep \"r1\" already exists"));
  absl::Status no_team = Write([](TargetTx& tx) {
    return tx.InsertRep(Rep("r9", "Nobody", {Member("ghost", absl::CivilDay(2024, 1, 1))}));
  });
  EXPECT_EQ(no_team.code(), absl::StatusCode::kFailedPrecondition) << no_team;
  absl::Status missing = Write([](TargetTx& tx) { return tx.UpdateRep(Rep("r9", "Nobody", {})); });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  // The failed InsertRep left nothing behind.
  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                EXPECT_FALSE(tx.FindRep("r9")->has_value());
                return absl::OkStatus();
              }).ok());
}

// --- product lines ---

TEST_F(TargetStoreTest, ProductLines) {
  ASSERT_TRUE(Write([](TargetTx& tx) -> absl::Status {
                for (const ProductLineRecord& l :
                     {ProductLineRecord{"pl-b", "Software"}, ProductLineRecord{"pl-a", "Hardware"},
                      ProductLineRecord{"pl-c", "服务"}}) {
                  absl::Status s = tx.InsertProductLine(l);
                  if (!s.ok()) return s;
                }
                return absl::OkStatus();
              }).ok());
  absl::Status same_id = Write([](TargetTx& tx) {
    return tx.InsertProductLine({"pl-a", "Other"});
  });
  EXPECT_EQ(same_id.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(same_id.message(), HasSubstr("product line \"pl-a\" already exists"));
  absl::Status same_name = Write([](TargetTx& tx) {
    return tx.InsertProductLine({"pl-d", "SOFTWARE"});
  });
  EXPECT_EQ(same_name.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(same_name.message(), HasSubstr("a product line named \"SOFTWARE\" already exists"));

  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                absl::StatusOr<std::vector<ProductLineRecord>> page = tx.ListProductLines("", 2);
                EXPECT_TRUE(page.ok());
                EXPECT_EQ(page->size(), 2u);
                EXPECT_EQ((*page)[0].product_line_id, "pl-a");
                EXPECT_EQ((*page)[0].name, "Hardware");
                EXPECT_EQ((*page)[1].product_line_id, "pl-b");
                absl::StatusOr<std::vector<ProductLineRecord>> rest =
                    tx.ListProductLines("pl-b", 2);
                EXPECT_EQ(rest->size(), 1u);
                EXPECT_EQ((*rest)[0].name, "服务");
                EXPECT_THAT(*tx.ExistingProductLines({"pl-c", "pl-x", "pl-a"}),
                            ElementsAre("pl-a", "pl-c"));
                return absl::OkStatus();
              }).ok());
}

// --- targets ---

TEST_F(TargetStoreTest, UpsertCreatesThenVersionsChanges) {
  MakeTree();
  std::vector<bool> created;
  std::vector<TargetRecord> first = Upsert({Target(kScopeUnit, "north", "2024-Q3", 1000, 1200),
                                            Target(kScopeUnit, "south", "2024-Q3", 800, 900)},
                                           &created, "alice");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_THAT(created, ElementsAre(true, true));
  EXPECT_FALSE(first[0].target_id.empty());
  EXPECT_NE(first[0].target_id, first[1].target_id);
  EXPECT_EQ(first[0].version, 1);
  EXPECT_EQ(first[0].updated_by, "alice");
  EXPECT_LT(absl::AbsDuration(first[0].update_time - absl::Now()), absl::Minutes(1));

  // north changes, south is sent unchanged.
  std::vector<TargetRecord> second = Upsert({Target(kScopeUnit, "north", "2024-Q3", 1100, 1300),
                                             Target(kScopeUnit, "south", "2024-Q3", 800, 900)},
                                            &created, "bob");
  EXPECT_THAT(created, ElementsAre(false, false));
  EXPECT_EQ(second[0].target_id, first[0].target_id);
  EXPECT_EQ(second[0].version, 2);
  EXPECT_EQ(second[0].updated_by, "bob");
  EXPECT_EQ(second[1].target_id, first[1].target_id);
  EXPECT_EQ(second[1].version, 1);
  EXPECT_EQ(second[1].update_time, first[1].update_time);
  EXPECT_EQ(second[1].updated_by, "alice");

  // A changed currency or parent link is a change too.
  TargetRecord relinked = Target(kScopeUnit, "south", "2024-Q3", 800, 900);
  relinked.parent_target_id = first[0].target_id;
  std::vector<TargetRecord> third = Upsert({relinked}, &created, "carol");
  EXPECT_EQ(third[0].version, 2);

  ASSERT_TRUE(
      Read([&](TargetTx& tx) -> absl::Status {
        absl::StatusOr<std::optional<TargetRecord>> north = tx.FindTarget(first[0].target_id);
        EXPECT_TRUE(north.ok() && north->has_value());
        if (north.ok() && north->has_value()) {
          const TargetRecord& t = **north;
          EXPECT_EQ(t.key.scope_kind, kScopeUnit);
          EXPECT_EQ(t.key.scope_id, "north");
          EXPECT_EQ(t.key.product_line_id, "");
          EXPECT_EQ(t.key.period, "2024-Q3");
          EXPECT_EQ(t.key.metric, kSalesAmount);
          EXPECT_EQ(t.period_kind, 5);
          EXPECT_EQ(t.first_day, absl::CivilDay(2024, 7, 1));
          EXPECT_EQ(t.last_day, absl::CivilDay(2024, 9, 30));
          EXPECT_EQ(t.base_value, 1100);
          EXPECT_EQ(t.challenge_value, 1300);
          EXPECT_EQ(t.currency_code, "CNY");
          EXPECT_EQ(t.version, 2);
          EXPECT_EQ(t.updated_by, "bob");
        }
        EXPECT_EQ((*tx.FindTarget(first[1].target_id))->parent_target_id, first[0].target_id);

        absl::StatusOr<std::vector<HistoryRecord>> history = tx.History(first[0].target_id, 0, 10);
        EXPECT_TRUE(history.ok());
        EXPECT_EQ(history->size(), 2u);
        if (history->size() == 2) {
          const HistoryRecord& newest = (*history)[0];
          EXPECT_EQ(newest.version, 2);
          EXPECT_EQ(newest.changed_by, "bob");
          EXPECT_EQ(newest.old_base, 1000);
          EXPECT_EQ(newest.old_challenge, 1200);
          EXPECT_EQ(newest.new_base, 1100);
          EXPECT_EQ(newest.new_challenge, 1300);
          EXPECT_EQ(newest.source, "test");
          const HistoryRecord& oldest = (*history)[1];
          EXPECT_EQ(oldest.version, 1);
          EXPECT_EQ(oldest.changed_by, "alice");
          EXPECT_EQ(oldest.old_base, 0);
          EXPECT_EQ(oldest.old_challenge, 0);
          EXPECT_EQ(oldest.new_base, 1000);
          EXPECT_EQ(oldest.new_challenge, 1200);
        }
        absl::StatusOr<std::vector<HistoryRecord>> older = tx.History(first[0].target_id, 2, 10);
        EXPECT_EQ(older->size(), 1u);
        EXPECT_EQ(tx.History(first[1].target_id, 0, 10)->size(), 2u);

        std::vector<TargetKey> keys = {first[1].key, first[0].key,
                                       Target(kScopeUnit, "s1", "2024-Q3", 1, 1).key};
        absl::StatusOr<std::vector<TargetRecord>> by_key = tx.FindTargetsByKey(keys);
        EXPECT_TRUE(by_key.ok());
        EXPECT_THAT(ScopeIds(*by_key), ElementsAre("north", "south"));
        return absl::OkStatus();
      }).ok());
}

TEST_F(TargetStoreTest, UpsertRefusesTheSameKeyTwiceAndBadValues) {
  std::vector<TargetRecord> rows = {Target(kScopeUnit, "north", "2024-Q3", 1, 2),
                                    Target(kScopeUnit, "north", "2024-Q3", 3, 4)};
  absl::Status twice =
      Write([&](TargetTx& tx) { return tx.UpsertTargets(rows, "alice", "test", nullptr); });
  EXPECT_EQ(twice.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(twice.message(), HasSubstr("rows 0 and 1"));

  std::vector<TargetRecord> below = {Target(kScopeUnit, "north", "2024-Q3", 10, 5)};
  absl::Status check =
      Write([&](TargetTx& tx) { return tx.UpsertTargets(below, "alice", "test", nullptr); });
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition) << check;
  EXPECT_THAT(List({}), IsEmpty());
}

TEST_F(TargetStoreTest, BulkUpsertOfTenThousandRowsIsFast) {
  constexpr int kRows = 10000;
  std::vector<TargetRecord> rows;
  rows.reserve(kRows);
  for (int i = 0; i < kRows; ++i) {
    rows.push_back(Target(kScopeRep, absl::StrFormat("rep-%05d", i), "2024-Q3", 1000 + i, 2000 + i,
                          i % 2 == 0 ? "" : "pl-1"));
  }
  std::vector<bool> created;
  absl::Time start = absl::Now();
  std::vector<TargetRecord> written = Upsert(rows, &created);
  absl::Duration create_time = absl::Now() - start;
  ASSERT_EQ(written.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(std::count(created.begin(), created.end(), true), kRows);

  // Half changed, half unchanged.
  for (int i = 0; i < kRows; i += 2) rows[i].base_value += 1;
  start = absl::Now();
  std::vector<TargetRecord> again = Upsert(rows, &created);
  absl::Duration update_time = absl::Now() - start;
  EXPECT_EQ(std::count(created.begin(), created.end(), true), 0);
  for (int i = 0; i < kRows; ++i) {
    ASSERT_EQ(again[i].target_id, written[i].target_id) << i;
    ASSERT_EQ(again[i].version, i % 2 == 0 ? 2 : 1) << i;
  }
  std::printf("UpsertTargets of %d rows: create %s, update (half changed) %s\n", kRows,
              absl::FormatDuration(create_time).c_str(), absl::FormatDuration(update_time).c_str());
  EXPECT_LT(create_time, absl::Seconds(5));
  EXPECT_LT(update_time, absl::Seconds(5));

  int64_t history_rows = 0;
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    history_rows = tx.exec_params1(
                                         "SELECT count(*) FROM target.target_history "
                                         "WHERE tenant_id = $1",
                                         tenant_)[0]
                                       .as<int64_t>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(history_rows, kRows + kRows / 2);
}

TEST_F(TargetStoreTest, ListTargetsFilters) {
  MakeTree();
  // r1 moves from n1 (north) to s1 (south) on 2024-08-16.
  ASSERT_TRUE(
      Write([](TargetTx& tx) -> absl::Status {
        absl::Status s =
            tx.InsertRep(Rep("r1", "Li Lei",
                             {Member("n1", absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 8, 15)),
                              Member("s1", absl::CivilDay(2024, 8, 16))}));
        if (!s.ok()) return s;
        return tx.InsertRep(Rep("r2", "Han Meimei", {Member("n2", absl::CivilDay(2024, 1, 1))}));
      }).ok());
  std::vector<TargetRecord> t = Upsert({
      Target(kScopeUnit, "north", "2024-Q3", 1000, 1200),              // 0
      Target(kScopeUnit, "n1", "2024-Q3", 500, 600),                   // 1
      Target(kScopeUnit, "south", "2024-Q3", 700, 800),                // 2
      Target(kScopeRep, "r1", "2024-Q3", 300, 400),                    // 3: r1 in n1 on 07-01
      Target(kScopeRep, "r1", "2024-09", 100, 150),                    // 4: r1 in s1 on 09-01
      Target(kScopeRep, "r1", "2024-08", 90, 100),                     // 5: r1 in n1 on 08-01
      Target(kScopeRep, "r2", "2024-Q3", 200, 250, "pl-1"),            // 6
      Target(kScopeRep, "r2", "2024-Q4", 200, 250),                    // 7
      Target(kScopeUnit, "north", "2024-Q3", 50, 60, "", kOrderCount)  // 8
  });
  auto ids_of = [&](std::initializer_list<int> indexes) {
    std::vector<std::string> ids;
    for (int i : indexes) ids.push_back(t[i].target_id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };

  TargetFilter all;
  EXPECT_EQ(List(all).size(), t.size());
  std::vector<std::string> listed = TargetIds(List(all));
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));

  TargetFilter north;
  north.under_unit_id = "north";
  EXPECT_EQ(TargetIds(List(north)), ids_of({0, 1, 3, 5, 6, 7, 8}));
  TargetFilter south;
  south.under_unit_id = "south";
  EXPECT_EQ(TargetIds(List(south)), ids_of({2, 4}));
  TargetFilter company;
  company.under_unit_id = "co";
  EXPECT_EQ(List(company).size(), t.size());

  TargetFilter q3 = north;
  q3.within = *Period::Parse("2024-Q3");
  EXPECT_EQ(TargetIds(List(q3)), ids_of({0, 1, 3, 5, 6, 8}));
  q3.metric = kSalesAmount;
  EXPECT_EQ(TargetIds(List(q3)), ids_of({0, 1, 3, 5, 6}));
  q3.product_line_id = "";
  EXPECT_EQ(TargetIds(List(q3)), ids_of({0, 1, 3, 5}));
  q3.product_line_id = "pl-1";
  EXPECT_EQ(TargetIds(List(q3)), ids_of({6}));

  TargetFilter september;
  september.within = *Period::Parse("2024-09");
  EXPECT_EQ(TargetIds(List(september)), ids_of({4}));

  TargetFilter by_period;
  by_period.period = "2024-Q3";
  by_period.scope_kind = kScopeRep;
  EXPECT_EQ(TargetIds(List(by_period)), ids_of({3, 6}));
  by_period.scope_id = "r2";
  EXPECT_EQ(TargetIds(List(by_period)), ids_of({6}));

  // Parent links.
  std::vector<TargetRecord> linked = {t[1]};
  linked[0].parent_target_id = t[0].target_id;
  Upsert(linked);
  TargetFilter children;
  children.parent_target_id = t[0].target_id;
  EXPECT_EQ(TargetIds(List(children)), ids_of({1}));

  // Pages of three under north cover the same rows once each.
  std::vector<std::string> paged;
  std::string after;
  for (;;) {
    std::vector<TargetRecord> page = List(north, after, 3);
    ASSERT_LE(page.size(), 3u);
    if (page.empty()) break;
    for (const TargetRecord& r : page) paged.push_back(r.target_id);
    after = page.back().target_id;
  }
  EXPECT_EQ(paged, ids_of({0, 1, 3, 5, 6, 7, 8}));
}

TEST_F(TargetStoreTest, ListTargetsUnderAUnitScalesToTenThousandReps) {
  // 10 regions × 10 teams × 100 reps, one quarterly target each, seeded in SQL.
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec_params(
                        "INSERT INTO target.org_units (tenant_id, unit_id, parent_id, name, kind) "
                        "VALUES ($1, 'co', NULL, 'Co', 1)",
                        tenant_);
                    tx.exec_params(
                        "INSERT INTO target.org_units (tenant_id, unit_id, parent_id, name, kind) "
                        "SELECT $1, 'g' || g, 'co', 'G' || g, 2 FROM generate_series(0, 9) g",
                        tenant_);
                    tx.exec_params(
                        "INSERT INTO target.org_units (tenant_id, unit_id, parent_id, name, kind) "
                        "SELECT $1, 't' || t, 'g' || (t / 10), 'T' || t, 3 "
                        "FROM generate_series(0, 99) t",
                        tenant_);
                    tx.exec_params(
                        "INSERT INTO target.reps (tenant_id, rep_id, name, hire_date) "
                        "SELECT $1, 'r' || r, 'R' || r, DATE '2020-01-01' "
                        "FROM generate_series(0, 9999) r",
                        tenant_);
                    tx.exec_params(
                        "INSERT INTO target.rep_memberships (tenant_id, rep_id, effective_from, "
                        "effective_to, team_id) SELECT $1, 'r' || r, DATE '2020-01-01', "
                        "DATE '2024-06-30', 't' || ((r + 1) % 100) FROM generate_series(0, 9999) r",
                        tenant_);
                    tx.exec_params(
                        "INSERT INTO target.rep_memberships (tenant_id, rep_id, effective_from, "
                        "team_id) SELECT $1, 'r' || r, DATE '2024-07-01', 't' || (r / 100) "
                        "FROM generate_series(0, 9999) r",
                        tenant_);
                    tx.exec("ANALYZE target.org_units, target.reps, target.rep_memberships");
                    return absl::OkStatus();
                  })
                  .ok());
  std::vector<TargetRecord> rows;
  for (int r = 0; r < 10000; ++r) {
    rows.push_back(Target(kScopeRep, absl::StrCat("r", r), "2024-Q3", 100, 120));
    rows.push_back(Target(kScopeRep, absl::StrCat("r", r), "2024-07", 30, 40));
  }
  for (int g = 0; g < 10; ++g)
    rows.push_back(Target(kScopeUnit, absl::StrCat("g", g), "2024-Q3", 1, 2));
  Upsert(rows);
  ASSERT_TRUE(pool_
                  ->InTransaction([](pqxx::work& tx) {
                    tx.exec("ANALYZE target.targets");
                    return absl::OkStatus();
                  })
                  .ok());

  TargetFilter filter;
  filter.under_unit_id = "g3";  // teams t30..t39, reps r3000..r3999 since 07-01
  filter.period = "2024-Q3";
  absl::Time start = absl::Now();
  std::vector<TargetRecord> page = List(filter, "", 500);
  std::vector<TargetRecord> all = List(filter, "", 0);
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(page.size(), 500u);
  ASSERT_EQ(all.size(), 1001u);  // 1000 reps + the region
  for (const TargetRecord& r : all) {
    if (r.key.scope_kind == kScopeRep) {
      int n = std::stoi(r.key.scope_id.substr(1));
      EXPECT_TRUE(n >= 3000 && n < 4000) << r.key.scope_id;
    }
  }
  std::printf("ListTargets under a region of 1000 of 10000 reps: two calls in %s\n",
              absl::FormatDuration(took).c_str());
  EXPECT_LT(took, absl::Seconds(1));
}

TEST_F(TargetStoreTest, InconsistenciesFindParentsWhoseChildrenDiffer) {
  MakeTree();
  std::vector<TargetRecord> parent = Upsert({Target(kScopeUnit, "north", "2024-Q3", 1000, 1200),
                                             Target(kScopeUnit, "south", "2024-Q3", 500, 600)});
  TargetRecord n1 = Target(kScopeUnit, "n1", "2024-Q3", 600, 700);
  TargetRecord n2 = Target(kScopeUnit, "n2", "2024-Q3", 400, 500);
  TargetRecord s1 = Target(kScopeUnit, "s1", "2024-Q3", 500, 600);
  n1.parent_target_id = n2.parent_target_id = parent[0].target_id;
  s1.parent_target_id = parent[1].target_id;
  Upsert({n1, n2, s1});

  auto find = [&](std::optional<Period> within, int metric) {
    std::vector<InconsistencyRecord> out;
    EXPECT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                  absl::StatusOr<std::vector<InconsistencyRecord>> r =
                      tx.Inconsistencies(within, metric, "", 0);
                  if (!r.ok()) return r.status();
                  out = *std::move(r);
                  return absl::OkStatus();
                }).ok());
    return out;
  };
  EXPECT_THAT(find(std::nullopt, 0), IsEmpty());

  // n1 goes up by 50: north's children now sum to 1050 / 1200.
  n1.base_value = 650;
  Upsert({n1});
  std::vector<InconsistencyRecord> found = find(std::nullopt, 0);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].parent.target_id, parent[0].target_id);
  EXPECT_EQ(found[0].parent.base_value, 1000);
  EXPECT_EQ(found[0].child_count, 2);
  EXPECT_EQ(found[0].children_base_sum, 1050);
  EXPECT_EQ(found[0].children_challenge_sum, 1200);
  EXPECT_EQ(found[0].dimension, 2);  // ORG: the children differ in scope

  // North is also split over time into its three months, exactly: the time
  // group agrees and is checked apart from the org group.
  TargetRecord jul = Target(kScopeUnit, "north", "2024-07", 300, 400);
  TargetRecord aug = Target(kScopeUnit, "north", "2024-08", 300, 400);
  TargetRecord sep = Target(kScopeUnit, "north", "2024-09", 400, 400);
  jul.parent_target_id = aug.parent_target_id = sep.parent_target_id = parent[0].target_id;
  Upsert({jul, aug, sep});
  found = find(std::nullopt, 0);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].dimension, 2);
  EXPECT_EQ(found[0].children_base_sum, 1050);
  // Off by 10 over time too: both groups are reported, time (1) first.
  sep.base_value = 390;
  Upsert({sep});
  found = find(std::nullopt, 0);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].dimension, 1);
  EXPECT_EQ(found[0].child_count, 3);
  EXPECT_EQ(found[0].children_base_sum, 990);
  EXPECT_EQ(found[1].dimension, 2);
  // The page after the time group holds the org group.
  ASSERT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                auto next = *tx.Inconsistencies(std::nullopt, 0, parent[0].target_id + "/1", 10);
                EXPECT_EQ(next.size(), 1u);
                if (!next.empty()) {
                  EXPECT_EQ(next[0].dimension, 2);
                }
                return absl::OkStatus();
              }).ok());
  sep.base_value = 400;
  Upsert({sep});

  EXPECT_EQ(find(*Period::Parse("2024"), kSalesAmount).size(), 1u);
  EXPECT_THAT(find(*Period::Parse("2024-Q4"), 0), IsEmpty());
  EXPECT_THAT(find(std::nullopt, kOrderCount), IsEmpty());
  ASSERT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                EXPECT_THAT(*tx.Inconsistencies(std::nullopt, 0, parent[0].target_id + "/2", 10),
                            IsEmpty());
                return absl::OkStatus();
              }).ok());
}

// --- period locks ---

TEST_F(TargetStoreTest, PeriodLocks) {
  LockRecord q3{"2024-Q3", absl::CivilDay(2024, 7, 1),       absl::CivilDay(2024, 9, 30), "closed",
                "finance", absl::FromUnixSeconds(1730000000)};
  LockRecord june{"2024-06",   absl::CivilDay(2024, 6, 1), absl::CivilDay(2024, 6, 30), "", "hr",
                  absl::Time()};
  ASSERT_TRUE(Write([&](TargetTx& tx) -> absl::Status {
                absl::Status s = tx.InsertLock(q3);
                return s.ok() ? tx.InsertLock(june) : s;
              }).ok());
  absl::Status again = Write([&](TargetTx& tx) { return tx.InsertLock(q3); });
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("period 2024-Q3 is already locked"));
  ASSERT_TRUE(Read([&](TargetTx& tx) -> absl::Status {
                std::vector<LockRecord> locks = *tx.ListLocks();
                EXPECT_EQ(locks.size(), 2u);
                if (locks.size() == 2) {
                  EXPECT_EQ(locks[0].period, "2024-06");
                  EXPECT_EQ(locks[1].period, "2024-Q3");
                  EXPECT_EQ(locks[1].first_day, absl::CivilDay(2024, 7, 1));
                  EXPECT_EQ(locks[1].last_day, absl::CivilDay(2024, 9, 30));
                  EXPECT_EQ(locks[1].reason, "closed");
                  EXPECT_EQ(locks[1].locked_by, "finance");
                  EXPECT_EQ(locks[1].lock_time, absl::FromUnixSeconds(1730000000));
                }
                return absl::OkStatus();
              }).ok());
  bool deleted = false, deleted_again = true;
  ASSERT_TRUE(Write([&](TargetTx& tx) -> absl::Status {
                deleted = *tx.DeleteLock("2024-Q3");
                deleted_again = *tx.DeleteLock("2024-Q3");
                return absl::OkStatus();
              }).ok());
  EXPECT_TRUE(deleted);
  EXPECT_FALSE(deleted_again);
}

// --- Mutate / Read ---

TEST_F(TargetStoreTest, MutateIsIdempotentOnRequestId) {
  int runs = 0;
  const std::string bytes("resp\0\x01\xff", 7);
  auto create = [&](TargetTx& tx) -> absl::StatusOr<std::string> {
    ++runs;
    absl::Status s = tx.InsertUnit(Unit("co", "", "Acme", kKindCompany));
    if (!s.ok()) return s;
    return bytes;
  };
  absl::StatusOr<std::string> first = store_->Mutate(tenant_, "req-1", "CreateOrgUnit", create);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, bytes);
  absl::StatusOr<std::string> second = store_->Mutate(tenant_, "req-1", "CreateOrgUnit", create);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, bytes);
  EXPECT_EQ(runs, 1);

  absl::StatusOr<std::string> other = store_->Mutate(tenant_, "req-1", "UpdateOrgUnit", create);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(other.status().message(),
              HasSubstr("request_id \"req-1\" was already used for CreateOrgUnit"));
  EXPECT_EQ(runs, 1);

  // The same request_id in another tenant is another request.
  absl::StatusOr<std::string> elsewhere =
      store_->Mutate(tenant_ + "-b", "req-1", "CreateOrgUnit", create);
  EXPECT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_EQ(runs, 2);

  // Without a request_id nothing is remembered: the second run clashes.
  EXPECT_EQ(store_->Mutate(tenant_, "", "CreateOrgUnit", create).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(runs, 3);
}

TEST_F(TargetStoreTest, ConcurrentDuplicatesRunOnceAndShareTheResponse) {
  std::atomic<int> runs{0};
  absl::Notification first_started;
  // True once a session waits for an advisory lock (the duplicate call).
  auto duplicate_waiting = [&] {
    int64_t waiting = 0;
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      waiting = tx.exec1(
                                      "SELECT count(*) FROM pg_locks "
                                      "WHERE locktype = 'advisory' AND NOT granted")[0]
                                    .as<int64_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    return waiting > 0;
  };
  auto create = [&](TargetTx& tx) -> absl::StatusOr<std::string> {
    const int n = ++runs;
    if (n == 1) {
      // Keep the first call's transaction open until the duplicate is
      // blocked behind it.
      first_started.Notify();
      const absl::Time deadline = absl::Now() + absl::Seconds(10);
      while (!duplicate_waiting()) {
        if (absl::Now() > deadline) return absl::DeadlineExceededError("no duplicate arrived");
        absl::SleepFor(absl::Milliseconds(10));
      }
    }
    absl::Status s = tx.InsertUnit(Unit("co", "", "Acme", kKindCompany));
    if (!s.ok()) return s;
    return absl::StrCat("run ", n);
  };
  absl::StatusOr<std::string> a, b;
  std::thread ta([&] { a = store_->Mutate(tenant_, "req-race", "CreateOrgUnit", create); });
  first_started.WaitForNotification();
  std::thread tb([&] { b = store_->Mutate(tenant_, "req-race", "CreateOrgUnit", create); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, "run 1");
  EXPECT_EQ(*b, "run 1");
  EXPECT_EQ(runs.load(), 1);
}

TEST_F(TargetStoreTest, AFailingFnRollsBackEverything) {
  int runs = 0;
  auto fail = [&](TargetTx& tx) -> absl::StatusOr<std::string> {
    ++runs;
    absl::Status s = tx.InsertUnit(Unit("co", "", "Acme", kKindCompany));
    if (!s.ok()) return s;
    std::vector<TargetRecord> rows = {Target(kScopeUnit, "co", "2024-Q3", 1, 2)};
    s = tx.UpsertTargets(rows, "alice", "test", nullptr);
    if (!s.ok()) return s;
    return absl::FailedPreconditionError("period 2024-Q3 is locked");
  };
  absl::StatusOr<std::string> r = store_->Mutate(tenant_, "req-f", "CreateOrgUnit", fail);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                EXPECT_FALSE(tx.FindUnit("co")->has_value());
                return absl::OkStatus();
              }).ok());
  EXPECT_THAT(List({}), IsEmpty());
  // Nothing was remembered for the request_id: a retry runs again.
  r = store_->Mutate(tenant_, "req-f", "CreateOrgUnit", fail);
  EXPECT_EQ(runs, 2);
}

TEST_F(TargetStoreTest, AbortedIsRetriedThreeTimes) {
  int runs = 0;
  absl::StatusOr<std::string> r =
      store_->Mutate(tenant_, "req-a", "M", [&](TargetTx&) -> absl::StatusOr<std::string> {
        if (++runs < 3) return absl::AbortedError("could not serialize access");
        return std::string("ok");
      });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "ok");
  EXPECT_EQ(runs, 3);

  runs = 0;
  r = store_->Mutate(tenant_, "", "M", [&](TargetTx&) -> absl::StatusOr<std::string> {
    ++runs;
    return absl::AbortedError("could not serialize access");
  });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(runs, 4);
}

TEST_F(TargetStoreTest, ReadIsReadOnly) {
  absl::Status s =
      Read([](TargetTx& tx) { return tx.InsertUnit(Unit("co", "", "Acme", kKindCompany)); });
  EXPECT_FALSE(s.ok());
  ASSERT_TRUE(Read([](TargetTx& tx) -> absl::Status {
                EXPECT_FALSE(tx.FindUnit("co")->has_value());
                return absl::OkStatus();
              }).ok());
}

TEST_F(TargetStoreTest, TenantsAreIsolated) {
  const std::string a = tenant_ + "-a", b = tenant_ + "-b";
  MakeTree(a);
  ASSERT_TRUE(
      Write(
          [](TargetTx& tx) -> absl::Status {
            absl::Status s =
                tx.InsertRep(Rep("r1", "Li Lei", {Member("n1", absl::CivilDay(2024, 1, 1))}));
            if (s.ok()) s = tx.InsertProductLine({"pl-1", "Hardware"});
            if (s.ok())
              s = tx.InsertLock({"2024-Q3", absl::CivilDay(2024, 7, 1), absl::CivilDay(2024, 9, 30),
                                 "", "fin", absl::Time()});
            std::vector<TargetRecord> rows = {Target(kScopeUnit, "north", "2024-Q3", 10, 20),
                                              Target(kScopeRep, "r1", "2024-Q3", 5, 6)};
            if (s.ok()) s = tx.UpsertTargets(rows, "alice", "test", nullptr);
            return s;
          },
          a)
          .ok());
  std::string a_target;
  ASSERT_TRUE(Read(
                  [&](TargetTx& tx) -> absl::Status {
                    a_target = (*tx.ListTargets({}, "", 1))[0].target_id;
                    return absl::OkStatus();
                  },
                  a)
                  .ok());

  ASSERT_TRUE(Read(
                  [&](TargetTx& tx) -> absl::Status {
                    EXPECT_FALSE(tx.FindUnit("co")->has_value());
                    EXPECT_THAT(*tx.ListUnits(std::nullopt, true, "", 0), IsEmpty());
                    EXPECT_FALSE(*tx.IsInSubtree("n1", "co"));
                    EXPECT_EQ(*tx.CountActiveChildren("north"), 0);
                    EXPECT_THAT(*tx.ExistingUnits({"co", "n1"}), IsEmpty());
                    EXPECT_FALSE(tx.FindRep("r1")->has_value());
                    EXPECT_THAT(*tx.ListReps("", absl::CivilDay(2024, 7, 1), "", 0), IsEmpty());
                    EXPECT_THAT(*tx.ListReps("co", absl::CivilDay(2024, 7, 1), "", 0), IsEmpty());
                    EXPECT_THAT(*tx.TeamsOn({"r1"}, absl::CivilDay(2024, 7, 1)), IsEmpty());
                    EXPECT_THAT(*tx.RepsInTeamOn("n1", absl::CivilDay(2024, 7, 1)), IsEmpty());
                    EXPECT_THAT(*tx.ListProductLines("", 0), IsEmpty());
                    EXPECT_FALSE(tx.FindTarget(a_target)->has_value());
                    EXPECT_THAT(*tx.ListTargets({}, "", 0), IsEmpty());
                    TargetFilter under;
                    under.under_unit_id = "co";
                    EXPECT_THAT(*tx.ListTargets(under, "", 0), IsEmpty());
                    EXPECT_THAT(
                        *tx.FindTargetsByKey({Target(kScopeUnit, "north", "2024-Q3", 10, 20).key}),
                        IsEmpty());
                    EXPECT_THAT(*tx.History(a_target, 0, 0), IsEmpty());
                    EXPECT_THAT(*tx.ListLocks(), IsEmpty());
                    EXPECT_THAT(*tx.Inconsistencies(std::nullopt, 0, "", 0), IsEmpty());
                    return absl::OkStatus();
                  },
                  b)
                  .ok());

  // B reuses every id and key of A.
  MakeTree(b);
  absl::Status reuse = Write(
      [](TargetTx& tx) -> absl::Status {
        absl::Status s =
            tx.InsertRep(Rep("r1", "Other", {Member("n1", absl::CivilDay(2024, 1, 1))}));
        if (s.ok()) s = tx.InsertProductLine({"pl-1", "Hardware"});
        if (s.ok())
          s = tx.InsertLock({"2024-Q3", absl::CivilDay(2024, 7, 1), absl::CivilDay(2024, 9, 30), "",
                             "fin", absl::Time()});
        std::vector<bool> created;
        std::vector<TargetRecord> rows = {Target(kScopeUnit, "north", "2024-Q3", 1, 2)};
        if (s.ok()) s = tx.UpsertTargets(rows, "bob", "test", &created);
        if (s.ok() && !created[0]) s = absl::InternalError("B's target should be new");
        return s;
      },
      b);
  EXPECT_TRUE(reuse.ok()) << reuse;
  // A's target is untouched.
  ASSERT_TRUE(Read(
                  [&](TargetTx& tx) -> absl::Status {
                    std::vector<TargetRecord> rows =
                        *tx.FindTargetsByKey({Target(kScopeUnit, "north", "2024-Q3", 0, 0).key});
                    EXPECT_EQ(rows.size(), 1u);
                    if (!rows.empty()) {
                      EXPECT_EQ(rows[0].base_value, 10);
                      EXPECT_EQ(rows[0].version, 1);
                    }
                    return absl::OkStatus();
                  },
                  a)
                  .ok());
}

}  // namespace
}  // namespace attain::target
