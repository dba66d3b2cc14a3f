// PgEvaluationStore (services/eval/src/store/evaluation_store.h) against a
// real PostgreSQL started by the test harness: state transitions (and every
// refused one), the immutability triggers, idempotency, tenant isolation.
#include "services/eval/src/store/evaluation_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"
#include "services/eval/src/store/template_store.h"
#include "tests/support/test_servers.h"

namespace attain::eval {
namespace {

using ::testing::HasSubstr;

EvaluationRecord Draft(const std::string& unit = "t1", const std::string& period = "2025-Q1") {
  EvaluationRecord r;
  r.unit_id = unit;
  r.period = period;
  r.template_id = "small";
  r.template_version = 1;
  r.created_by = "admin-user";
  r.unit_scorecard = std::string("unit\0card", 9);
  for (const auto& [rep, total, rank, att] :
       std::vector<std::tuple<std::string, int64_t, int32_t, std::optional<int64_t>>>{
           {"r1", 9000, 1, 12000}, {"r2", 7000, 2, 8000}, {"r3", 5000, 3, std::nullopt}}) {
    EvaluationRowRecord row;
    row.rep_id = rep;
    row.total_points = total;
    row.rank = rank;
    row.sales_attainment_bp = att;
    row.scorecard = "card-" + rep;
    r.rows.push_back(row);
  }
  return r;
}

class EvaluationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgPool::Options options;
    options.url = testing::PgTestServer::Shared().CreateDatabase("eval_evaluation_store");
    options.size = 4;
    absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    ASSERT_TRUE(PgTemplateStore::Migrate(*pool_).ok());
    store_ = std::make_unique<PgEvaluationStore>(*pool_);
  }

  absl::Status Write(const std::function<absl::Status(EvaluationTx&)>& fn,
                     const std::string& tenant = "acme") {
    return store_
        ->Mutate(tenant, "", "Test", "",
                 [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                   absl::Status st = fn(tx);
                   if (!st.ok()) return st;
                   return std::string();
                 })
        .status();
  }

  std::string Insert(EvaluationRecord rec = Draft()) {
    EXPECT_TRUE(Write([&](EvaluationTx& tx) { return tx.InsertEvaluation(rec); }).ok());
    return rec.evaluation_id;
  }

  std::optional<EvaluationRecord> Find(const std::string& id, const std::string& rows = "*",
                                       const std::string& tenant = "acme") {
    std::optional<EvaluationRecord> out;
    EXPECT_TRUE(store_
                    ->Read(tenant,
                           [&](EvaluationTx& tx) -> absl::Status {
                             absl::StatusOr<std::optional<EvaluationRecord>> r =
                                 tx.FindEvaluation(id, rows, false);
                             if (!r.ok()) return r.status();
                             out = *r;
                             return absl::OkStatus();
                           })
                    .ok());
    return out;
  }

  // Raw SQL, to show the database itself refuses (not only the code).
  absl::Status Sql(const std::string& sql) {
    return pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
      txn.exec(sql);
      return absl::OkStatus();
    });
  }

  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgEvaluationStore> store_;
};

TEST_F(EvaluationStoreTest, DraftIsStoredWithRowsByRank) {
  const std::string id = Insert();
  ASSERT_FALSE(id.empty());
  std::optional<EvaluationRecord> rec = Find(id);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->state, EvaluationState::kDraft);
  EXPECT_EQ(rec->unit_scorecard, std::string("unit\0card", 9));
  ASSERT_EQ(rec->rows.size(), 3u);
  EXPECT_EQ(rec->rows[0].rep_id, "r1");
  EXPECT_EQ(rec->rows[0].sales_attainment_bp, 12000);
  EXPECT_EQ(rec->rows[2].sales_attainment_bp, std::nullopt);
  EXPECT_FALSE(rec->finalize_time.has_value());
  // One rep's row only.
  rec = Find(id, "r2");
  ASSERT_EQ(rec->rows.size(), 1u);
  EXPECT_EQ(rec->rows[0].scorecard, "card-r2");
  // Another tenant does not see it.
  EXPECT_FALSE(Find(id, "*", "globex").has_value());
}

TEST_F(EvaluationStoreTest, FinalizeOnceThenEverythingIsRefused) {
  const std::string id = Insert();
  // Drafts may still change.
  EXPECT_TRUE(Sql("UPDATE eval.evaluation_rows SET total_points = 9100 WHERE rep_id = 'r1'").ok());
  ASSERT_TRUE(Write([&](EvaluationTx& tx) { return tx.Finalize(id).status(); }).ok());
  std::optional<EvaluationRecord> rec = Find(id);
  EXPECT_EQ(rec->state, EvaluationState::kFinal);
  EXPECT_TRUE(rec->finalize_time.has_value());

  absl::Status again = Write([&](EvaluationTx& tx) { return tx.Finalize(id).status(); });
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("is FINAL, not DRAFT"));

  // The triggers: rows, numbers, deletion, state back to draft.
  for (const char* sql : {
           "UPDATE eval.evaluation_rows SET total_points = 1 WHERE rep_id = 'r1'",
           "DELETE FROM eval.evaluation_rows WHERE rep_id = 'r2'",
           "UPDATE eval.evaluations SET unit_scorecard = 'x'::bytea",
           "UPDATE eval.evaluations SET state = 'draft', finalize_time = NULL",
           "UPDATE eval.evaluations SET template_version = 2",
           "DELETE FROM eval.evaluations",
       }) {
    absl::Status st = Sql(sql);
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << sql << ": " << st;
  }
  std::string insert =
      "INSERT INTO eval.evaluation_rows (tenant_id, evaluation_id, rep_id, "
      "unit_id, period, total_points, rank, scorecard) VALUES ('acme', '" +
      id + "', 'r9', 't1', '2025-Q1', 1, 4, 'x'::bytea)";
  EXPECT_EQ(Sql(insert).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Find(id)->rows[0].total_points, 9100);
}

TEST_F(EvaluationStoreTest, RestatementLinksBothWaysAndRestatesOnFinalize) {
  const std::string old_id = Insert();
  // A draft cannot be restated.
  absl::Status st =
      Write([&](EvaluationTx& tx) { return tx.LinkRestatement(old_id, "x", "because"); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("is DRAFT, not FINAL"));
  ASSERT_TRUE(Write([&](EvaluationTx& tx) { return tx.Finalize(old_id).status(); }).ok());

  EvaluationRecord next = Draft();
  next.restates_id = old_id;
  next.restatement_reason = "order o9 was booked late";
  ASSERT_TRUE(Write([&](EvaluationTx& tx) -> absl::Status {
                absl::Status s = tx.InsertEvaluation(next);
                if (!s.ok()) return s;
                return tx.LinkRestatement(old_id, next.evaluation_id, next.restatement_reason);
              }).ok());
  std::optional<EvaluationRecord> old = Find(old_id, "");
  EXPECT_EQ(old->state, EvaluationState::kFinal);  // until the restatement is finalised
  EXPECT_EQ(old->restated_by_id, next.evaluation_id);
  EXPECT_EQ(old->restatement_reason, "order o9 was booked late");
  // One restatement at a time.
  st = Write([&](EvaluationTx& tx) { return tx.LinkRestatement(old_id, "other", "again"); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("already has a restatement in draft"));
  // The link cannot be rewritten behind the code's back either.
  EXPECT_EQ(Sql("UPDATE eval.evaluations SET restated_by_id = 'zzz' WHERE evaluation_id = '" +
                old_id + "'")
                .code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(
      Write([&](EvaluationTx& tx) { return tx.Finalize(next.evaluation_id).status(); }).ok());
  old = Find(old_id, "");
  EXPECT_EQ(old->state, EvaluationState::kRestated);
  EXPECT_EQ(Find(next.evaluation_id, "")->restates_id, old_id);
  st = Write([&](EvaluationTx& tx) { return tx.LinkRestatement(old_id, "x", "again"); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("is RESTATED, not FINAL"));
  st = Write([&](EvaluationTx& tx) { return tx.Finalize(old_id).status(); });
  EXPECT_THAT(st.message(), HasSubstr("is RESTATED, not DRAFT"));

  // The history of later quarters reads the final one, not the restated one.
  absl::flat_hash_map<std::string, std::optional<int64_t>> att;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](EvaluationTx& tx) -> absl::Status {
                           auto r = tx.FinalAttainments("t1", "2025-Q1");
                           if (!r.ok()) return r.status();
                           att = *r;
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_EQ(att.size(), 3u);
  EXPECT_EQ(att["r2"], 8000);
}

// Discard: draft → discarded, kept with its rows and who/when/why; counted
// nowhere; a discarded restatement unlinks itself from the final evaluation,
// which can be restated again. The database refuses every other way of
// undoing a link, and any change to a discarded evaluation.
TEST_F(EvaluationStoreTest, DiscardKeepsTheDraftAndUnlinksItsRestatement) {
  const std::string draft = Insert();
  ASSERT_TRUE(Write([&](EvaluationTx& tx) {
                return tx.Discard(draft, "run before the CRM back-fill", "director-1").status();
              }).ok());
  std::optional<EvaluationRecord> rec = Find(draft);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->state, EvaluationState::kDiscarded);
  EXPECT_EQ(rec->discard_reason, "run before the CRM back-fill");
  EXPECT_EQ(rec->discarded_by, "director-1");
  EXPECT_TRUE(rec->discard_time.has_value());
  EXPECT_FALSE(rec->finalize_time.has_value());
  EXPECT_EQ(rec->rows.size(), 3u);  // kept as history
  // Once only; never finalised, restated, changed or deleted.
  absl::Status st =
      Write([&](EvaluationTx& tx) { return tx.Discard(draft, "again", "director-1").status(); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("is DISCARDED, not DRAFT"));
  st = Write([&](EvaluationTx& tx) { return tx.Finalize(draft).status(); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("is DISCARDED, not DRAFT"));
  st = Write([&](EvaluationTx& tx) { return tx.LinkRestatement(draft, "x", "because"); });
  EXPECT_THAT(st.message(), HasSubstr("is DISCARDED, not FINAL"));
  for (const char* sql : {
           "UPDATE eval.evaluations SET state = 'draft', discard_time = NULL, discard_reason = ''",
           "UPDATE eval.evaluations SET discard_reason = 'other'",
           "UPDATE eval.evaluation_rows SET total_points = 1",
           "DELETE FROM eval.evaluations",
       }) {
    EXPECT_EQ(Sql(sql).code(), absl::StatusCode::kFailedPrecondition) << sql;
  }
  // A discarded state needs its reason and time (the constraint, not only the
  // code).
  const std::string other = Insert();
  st = Sql("UPDATE eval.evaluations SET state = 'discarded' WHERE evaluation_id = '" + other + "'");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("evaluations_discard_check"));

  // A final Q1 and a restatement of it, then discarded.
  const std::string q1 = Insert();
  ASSERT_TRUE(Write([&](EvaluationTx& tx) { return tx.Finalize(q1).status(); }).ok());
  EvaluationRecord next = Draft();
  next.restates_id = q1;
  next.restatement_reason = "order o9 was booked late";
  next.rows[1].sales_attainment_bp = 10500;  // r2 would no longer be below target
  ASSERT_TRUE(Write([&](EvaluationTx& tx) -> absl::Status {
                absl::Status s = tx.InsertEvaluation(next);
                if (!s.ok()) return s;
                return tx.LinkRestatement(q1, next.evaluation_id, next.restatement_reason);
              }).ok());
  // While it is a draft the link cannot be undone.
  EXPECT_EQ(Sql("UPDATE eval.evaluations SET restated_by_id = '', restatement_reason = '' "
                "WHERE evaluation_id = '" +
                q1 + "'")
                .code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Write([&](EvaluationTx& tx) {
                return tx.Discard(next.evaluation_id, "o9 belongs to Q2", "director-1").status();
              }).ok());
  std::optional<EvaluationRecord> old = Find(q1, "");
  EXPECT_EQ(old->state, EvaluationState::kFinal);
  EXPECT_EQ(old->restated_by_id, "");
  EXPECT_EQ(old->restatement_reason, "");
  EXPECT_EQ(Find(next.evaluation_id, "")->restates_id, q1);  // its own link stays
  // Q1's history is still the final one (r2 at 8000), not the discarded draft.
  absl::flat_hash_map<std::string, std::optional<int64_t>> att;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](EvaluationTx& tx) -> absl::Status {
                           auto r = tx.FinalAttainments("t1", "2025-Q1");
                           if (!r.ok()) return r.status();
                           att = *r;
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_EQ(att["r2"], 8000);
  // Restated anew: linked to the new draft.
  EvaluationRecord again = Draft();
  again.restates_id = q1;
  again.restatement_reason = "o9 once more";
  ASSERT_TRUE(Write([&](EvaluationTx& tx) -> absl::Status {
                absl::Status s = tx.InsertEvaluation(again);
                if (!s.ok()) return s;
                return tx.LinkRestatement(q1, again.evaluation_id, again.restatement_reason);
              }).ok());
  EXPECT_EQ(Find(q1, "")->restated_by_id, again.evaluation_id);

  // Unknown id; another tenant's id.
  st = Write([&](EvaluationTx& tx) { return tx.Discard("missing", "x", "d").status(); });
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  st = Write([&](EvaluationTx& tx) { return tx.Discard(other, "x", "d").status(); }, "globex");
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  // Listing leaves discarded ones out unless asked.
  std::vector<std::string> ids;
  auto list = [&](bool include_discarded) {
    ids.clear();
    EvaluationFilter f;
    f.include_discarded = include_discarded;
    EXPECT_TRUE(store_
                    ->Read("acme",
                           [&](EvaluationTx& tx) -> absl::Status {
                             auto r = tx.ListEvaluations(f, 0, 10);
                             if (!r.ok()) return r.status();
                             for (const auto& e : *r) ids.push_back(e.evaluation_id);
                             return absl::OkStatus();
                           })
                    .ok());
    return ids;
  };
  EXPECT_THAT(list(false), ::testing::ElementsAre(again.evaluation_id, q1, other));
  EXPECT_THAT(list(true),
              ::testing::ElementsAre(again.evaluation_id, next.evaluation_id, q1, other, draft));
}

TEST_F(EvaluationStoreTest, ListIsNewestFirstWithFilters) {
  const std::string a = Insert(Draft("t1", "2025-Q1"));
  const std::string b = Insert(Draft("t2", "2025-Q1"));
  const std::string c = Insert(Draft("t1", "2025-Q2"));
  std::vector<EvaluationRecord> out;
  auto list = [&](EvaluationFilter f, int64_t before) {
    out.clear();
    EXPECT_TRUE(store_
                    ->Read("acme",
                           [&](EvaluationTx& tx) -> absl::Status {
                             auto r = tx.ListEvaluations(f, before, 10);
                             if (!r.ok()) return r.status();
                             out = *r;
                             return absl::OkStatus();
                           })
                    .ok());
    std::vector<std::string> ids;
    for (const auto& e : out) ids.push_back(e.evaluation_id);
    return ids;
  };
  EXPECT_THAT(list({}, 0), ::testing::ElementsAre(c, b, a));
  EXPECT_THAT(list({"t1", "", ""}, 0), ::testing::ElementsAre(c, a));
  EXPECT_THAT(list({"", "2025-Q1", ""}, 0), ::testing::ElementsAre(b, a));
  EXPECT_THAT(list({}, out.empty() ? 0 : 0), ::testing::ElementsAre(c, b, a));
  const int64_t seq_b = out[1].seq;
  EXPECT_THAT(list({}, seq_b), ::testing::ElementsAre(a));
  EXPECT_THAT(list({"", "", "r9"}, 0), ::testing::ElementsAre());
  EXPECT_THAT(list({"", "", "r1"}, 0), ::testing::ElementsAre(c, b, a));
}

TEST_F(EvaluationStoreTest, RequestIdHasOneEffect) {
  int runs = 0;
  auto run = [&](const std::string& fp) {
    return store_->Mutate("acme", "req-1", "Run", fp,
                          [&](EvaluationTx& tx) -> absl::StatusOr<std::string> {
                            ++runs;
                            EvaluationRecord rec = Draft();
                            absl::Status st = tx.InsertEvaluation(rec);
                            if (!st.ok()) return st;
                            return rec.evaluation_id;
                          });
  };
  absl::StatusOr<std::string> first = run("fp");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::string> second = run("fp");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(runs, 1);
  absl::StatusOr<std::optional<std::string>> stored =
      store_->StoredResponse("acme", "req-1", "Run", "fp");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(**stored, *first);
  EXPECT_EQ(run("other").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->StoredResponse("acme", "req-1", "Finalize", "fp").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(store_->StoredResponse("globex", "req-1", "Run", "fp")->has_value());
  std::vector<EvaluationRecord> all;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](EvaluationTx& tx) -> absl::Status {
                           auto r = tx.ListEvaluations({}, 0, 10);
                           if (!r.ok()) return r.status();
                           all = *r;
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_EQ(all.size(), 1u);
}

TEST_F(EvaluationStoreTest, AppealsOneOpenPerRepAndDecidedOnce) {
  const std::string id = Insert();
  AppealRecord a;
  a.evaluation_id = id;
  a.rep_id = "r2";
  a.reason = "order o7 is missing";
  ASSERT_TRUE(Write([&](EvaluationTx& tx) { return tx.InsertAppeal(a); }).ok());
  AppealRecord dup = a;
  absl::Status st = Write([&](EvaluationTx& tx) { return tx.InsertAppeal(dup); });
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(st.message(), HasSubstr(a.appeal_id));

  a.state = AppealState::kRejected;
  a.decision_reason = "o7 was signed in April";
  a.decided_by = "director-1";
  ASSERT_TRUE(Write([&](EvaluationTx& tx) { return tx.DecideAppeal(a); }).ok());
  std::optional<AppealRecord> got;
  ASSERT_TRUE(store_
                  ->Read("acme",
                         [&](EvaluationTx& tx) -> absl::Status {
                           auto r = tx.FindAppeal(a.appeal_id, false);
                           if (!r.ok()) return r.status();
                           got = *r;
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_EQ(got->state, AppealState::kRejected);
  EXPECT_EQ(got->decision_reason, "o7 was signed in April");
  EXPECT_TRUE(got->decide_time.has_value());
  // Decided once; the database refuses a change too.
  a.state = AppealState::kUpheld;
  st = Write([&](EvaluationTx& tx) { return tx.DecideAppeal(a); });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("already rejected"));
  EXPECT_EQ(Sql("UPDATE eval.appeals SET decision_reason = 'x'").code(),
            absl::StatusCode::kFailedPrecondition);
  // After the decision, the rep may appeal again.
  AppealRecord second = dup;
  EXPECT_TRUE(Write([&](EvaluationTx& tx) { return tx.InsertAppeal(second); }).ok());
}

}  // namespace
}  // namespace attain::eval
