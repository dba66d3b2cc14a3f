// PgTemplateStore (services/eval/src/store/template_store.h) against a real
// PostgreSQL started by the test harness.
#include "services/eval/src/store/template_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/pg.h"
#include "tests/support/test_servers.h"

namespace attain::eval {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<PgPool> MakePool(const std::string& url) {
  PgPool::Options options;
  options.url = url;
  options.size = 4;
  absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? std::move(*pool) : nullptr;
}

TemplateVersionRecord Version(const std::string& id, int64_t version, const std::string& name,
                              const std::string& preset = "") {
  TemplateVersionRecord r;
  r.template_id = id;
  r.version = version;
  r.name = name;
  r.preset = preset;
  r.definition = absl::StrCat("def-", id, "-", version, std::string(1, '\0'), "bytes");
  r.updated_by = "admin-user";
  return r;
}

class TemplateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = MakePool(testing::PgTestServer::Shared().CreateDatabase("eval_tmpl_store"));
    ASSERT_NE(pool_, nullptr);
    ASSERT_TRUE(PgTemplateStore::Migrate(*pool_).ok());
    store_ = std::make_unique<PgTemplateStore>(*pool_);
  }

  // Runs `fn` in a transaction without idempotency.
  absl::Status Write(const std::string& tenant,
                     const std::function<absl::Status(TemplateTx&)>& fn) {
    return store_
        ->Mutate(tenant, "", "Test", "",
                 [&](TemplateTx& tx) -> absl::StatusOr<std::string> {
                   absl::Status st = fn(tx);
                   if (!st.ok()) return st;
                   return std::string();
                 })
        .status();
  }

  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgTemplateStore> store_;
};

TEST_F(TemplateStoreTest, MigrateTwiceIsANoOp) {
  EXPECT_TRUE(PgTemplateStore::Migrate(*pool_).ok());
}

TEST_F(TemplateStoreTest, VersionsAreKeptAndTheLatestMoves) {
  TemplateVersionRecord v1 = Version("t1", 1, "Field sales", "seed-002-comprehensive");
  ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.InsertTemplate(v1); }).ok());
  EXPECT_GT(absl::ToUnixSeconds(v1.create_time), 0);
  EXPECT_EQ(v1.update_time, v1.create_time);

  TemplateVersionRecord again = Version("t1", 1, "Other");
  absl::Status dup = Write("acme", [&](TemplateTx& tx) { return tx.InsertTemplate(again); });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;

  TemplateVersionRecord v2 = Version("t1", 2, "Field sales 2");
  v2.updated_by = "director-user";
  ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.AppendVersion(v2); }).ok());
  EXPECT_EQ(v2.preset, "seed-002-comprehensive");  // kept from the template
  EXPECT_EQ(v2.create_time, v1.create_time);
  // The same version twice is refused (the head only moves forward).
  TemplateVersionRecord v2b = Version("t1", 2, "x");
  EXPECT_EQ(Write("acme", [&](TemplateTx& tx) { return tx.AppendVersion(v2b); }).code(),
            absl::StatusCode::kAlreadyExists);

  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](TemplateTx& tx) -> absl::Status {
                           auto latest = tx.FindLatest("t1", false);
                           EXPECT_TRUE(latest.ok() && latest->has_value());
                           EXPECT_EQ((*latest)->version, 2);
                           EXPECT_EQ((*latest)->name, "Field sales 2");
                           EXPECT_EQ((*latest)->updated_by, "director-user");
                           EXPECT_EQ((*latest)->definition, v2.definition);
                           auto first = tx.FindVersion("t1", 1);
                           EXPECT_TRUE(first.ok() && first->has_value());
                           EXPECT_EQ((*first)->name, "Field sales");
                           EXPECT_EQ((*first)->definition, v1.definition);  // bytes round-trip
                           EXPECT_EQ(tx.FindVersion("t1", 3)->has_value(), false);
                           auto versions = tx.ListVersions("t1", 0, 10);
                           EXPECT_EQ(versions->size(), 2u);
                           EXPECT_EQ((*versions)[0].version, 2);
                           auto older = tx.ListVersions("t1", 2, 10);
                           EXPECT_EQ(older->size(), 1u);
                           EXPECT_EQ((*older)[0].version, 1);
                           return absl::OkStatus();
                         })
                  .ok());
}

TEST_F(TemplateStoreTest, VersionRowsAreImmutableInTheDatabase) {
  TemplateVersionRecord v1 = Version("t1", 1, "A");
  ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.InsertTemplate(v1); }).ok());
  absl::Status st = pool_->InTransaction([](pqxx::work& txn) {
    txn.exec("UPDATE eval.template_versions SET name = 'B'");
    return absl::OkStatus();
  });
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("immutable"));
}

TEST_F(TemplateStoreTest, ListLatestFiltersAndPages) {
  for (const auto& [id, name, preset] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"a", "Key Account sales", ""},
           {"b", "Channel sales", "seed-001-follow-up"},
           {"c", "Key account (2025)", "seed-002-comprehensive"}}) {
    TemplateVersionRecord r = Version(id, 1, name, preset);
    ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.InsertTemplate(r); }).ok());
  }
  TemplateVersionRecord other = Version("z", 1, "Key account elsewhere");
  ASSERT_TRUE(Write("globex", [&](TemplateTx& tx) { return tx.InsertTemplate(other); }).ok());

  auto ids = [&](const TemplateFilter& f, const std::string& after, int limit) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_
                    ->Read("acme",
                           [&](TemplateTx& tx) -> absl::Status {
                             auto rows = tx.ListLatest(f, after, limit);
                             if (!rows.ok()) return rows.status();
                             for (const auto& r : *rows) out.push_back(r.template_id);
                             return absl::OkStatus();
                           })
                    .ok());
    return out;
  };
  EXPECT_THAT(ids({}, "", 10), ElementsAre("a", "b", "c"));
  EXPECT_THAT(ids({}, "", 2), ElementsAre("a", "b"));
  EXPECT_THAT(ids({}, "b", 2), ElementsAre("c"));
  EXPECT_THAT(ids({"", "KEY ACCOUNT"}, "", 10), ElementsAre("a", "c"));
  EXPECT_THAT(ids({"seed-001-follow-up", ""}, "", 10), ElementsAre("b"));
  // '%' and '_' are plain text, not patterns.
  EXPECT_THAT(ids({"", "%"}, "", 10), ElementsAre());
}

TEST_F(TemplateStoreTest, TenantsDoNotSeeEachOther) {
  TemplateVersionRecord r = Version("shared-id", 1, "acme's");
  ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.InsertTemplate(r); }).ok());
  // The same id in another tenant is another template.
  TemplateVersionRecord g = Version("shared-id", 1, "globex's");
  ASSERT_TRUE(Write("globex", [&](TemplateTx& tx) { return tx.InsertTemplate(g); }).ok());
  ASSERT_TRUE(store_
                  ->Read("initech",
                         [&](TemplateTx& tx) -> absl::Status {
                           EXPECT_FALSE(tx.FindLatest("shared-id", false)->has_value());
                           EXPECT_FALSE(tx.FindVersion("shared-id", 1)->has_value());
                           EXPECT_TRUE(tx.ListVersions("shared-id", 0, 5)->empty());
                           return absl::OkStatus();
                         })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read("globex",
                         [&](TemplateTx& tx) -> absl::Status {
                           EXPECT_EQ((*tx.FindLatest("shared-id", false))->name, "globex's");
                           return absl::OkStatus();
                         })
                  .ok());
  // An assignment cannot name another tenant's template.
  AssignmentRecord a{0, "team-1", "shared-id", absl::CivilDay(2025, 1, 1), "", {}, "admin-user"};
  EXPECT_EQ(Write("initech", [&](TemplateTx& tx) { return tx.InsertAssignment(a); }).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TemplateStoreTest, AssignmentsKeepHistoryAndResolveByDay) {
  for (const char* id : {"t1", "t2", "t3"}) {
    TemplateVersionRecord r = Version(id, 1, id);
    ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.InsertTemplate(r); }).ok());
  }
  std::vector<AssignmentRecord> made;
  for (const auto& [unit, tmpl, day] :
       std::vector<std::tuple<std::string, std::string, absl::CivilDay>>{
           {"team-1", "t1", absl::CivilDay(2025, 1, 1)},
           {"team-1", "t2", absl::CivilDay(2025, 4, 1)},
           {"team-1", "t3", absl::CivilDay(2025, 4, 1)},  // same day, made later: wins
           {"team-2", "t1", absl::CivilDay(2025, 2, 1)}}) {
    AssignmentRecord a;
    a.unit_id = unit;
    a.template_id = tmpl;
    a.effective_from = day;
    a.assigned_by = "admin-user";
    ASSERT_TRUE(Write("acme", [&](TemplateTx& tx) { return tx.InsertAssignment(a); }).ok());
    made.push_back(a);
  }
  EXPECT_LT(made[0].assignment_id, made[1].assignment_id);
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](TemplateTx& tx) -> absl::Status {
                           auto on = [&](const std::string& unit,
                                         absl::CivilDay day) -> std::string {
                             auto a = tx.FindAssignment(unit, day);
                             EXPECT_TRUE(a.ok()) << a.status();
                             return a.ok() && a->has_value() ? (*a)->template_id : "none";
                           };
                           EXPECT_EQ(on("team-1", absl::CivilDay(2024, 12, 31)), "none");
                           EXPECT_EQ(on("team-1", absl::CivilDay(2025, 1, 1)), "t1");
                           EXPECT_EQ(on("team-1", absl::CivilDay(2025, 3, 31)), "t1");
                           EXPECT_EQ(on("team-1", absl::CivilDay(2025, 4, 1)), "t3");
                           EXPECT_EQ(on("team-2", absl::CivilDay(2025, 6, 30)), "t1");
                           EXPECT_EQ(on("team-3", absl::CivilDay(2025, 6, 30)), "none");
                           auto all = tx.ListAssignments("", "", 0, 10);
                           EXPECT_EQ(all->size(), 4u);
                           EXPECT_EQ((*all)[1].effective_from, absl::CivilDay(2025, 4, 1));
                           EXPECT_EQ((*all)[1].assigned_by, "admin-user");
                           EXPECT_EQ(tx.ListAssignments("team-1", "", 0, 10)->size(), 3u);
                           EXPECT_EQ(tx.ListAssignments("", "t1", 0, 10)->size(), 2u);
                           auto page = tx.ListAssignments("", "", made[1].assignment_id, 10);
                           EXPECT_EQ(page->size(), 2u);
                           return absl::OkStatus();
                         })
                  .ok());
}

TEST_F(TemplateStoreTest, RequestIdReturnsTheFirstResponseForTheSameRequestOnly) {
  int runs = 0;
  auto create = [&](const std::string& id, const std::string& method,
                    const std::string& fingerprint) {
    return store_->Mutate("acme", "req-1", method, fingerprint,
                          [&](TemplateTx& tx) -> absl::StatusOr<std::string> {
                            ++runs;
                            TemplateVersionRecord r = Version(id, 1, id);
                            absl::Status st = tx.InsertTemplate(r);
                            if (!st.ok()) return st;
                            return std::string("response-") + id;
                          });
  };
  absl::StatusOr<std::string> first = create("t1", "CreateTemplate", "body-1");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::string> retry = create("t1", "CreateTemplate", "body-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(*retry, "response-t1");
  EXPECT_EQ(runs, 1);  // the retry changed nothing

  absl::StatusOr<std::string> other_body = create("t2", "CreateTemplate", "body-2");
  EXPECT_EQ(other_body.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(other_body.status().message(), HasSubstr("different CreateTemplate request"));
  absl::StatusOr<std::string> other_method = create("t2", "UpdateTemplate", "body-1");
  EXPECT_EQ(other_method.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(runs, 1);

  // The same request_id in another tenant is another request.
  absl::StatusOr<std::string> elsewhere = store_->Mutate(
      "globex", "req-1", "CreateTemplate", "body-1",
      [&](TemplateTx&) -> absl::StatusOr<std::string> { return std::string("globex"); });
  EXPECT_EQ(elsewhere.value_or(""), "globex");

  // A failed mutation stores nothing: the id can be used again.
  absl::StatusOr<std::string> failed = store_->Mutate(
      "acme", "req-2", "CreateTemplate", "x",
      [&](TemplateTx&) -> absl::StatusOr<std::string> { return absl::InvalidArgumentError("no"); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> then =
      store_->Mutate("acme", "req-2", "CreateTemplate", "x",
                     [&](TemplateTx&) -> absl::StatusOr<std::string> { return std::string("ok"); });
  EXPECT_EQ(then.value_or(""), "ok");
}

}  // namespace
}  // namespace attain::eval
