// Storage of evaluations, their rows and appeals (services/eval/migrations/
// 002_evaluations.sql) behind small interfaces (ARCHITECTURE.md §3). An
// EvaluationTx is one transaction of one tenant. No pqxx, grpc or proto types
// here: scorecards travel as bytes (serialized attain.eval.v1.Scorecard).
//
// State transitions are checked here, in the transaction that makes them,
// and again by the database's triggers (a final evaluation's rows and
// numbers cannot change whatever the code does):
//   draft → final (Finalize); final → restated (Finalize of its restatement);
//   draft → discarded (Discard; a discarded restatement's final evaluation
//   drops its link to it); appeal open → upheld | rejected (DecideAppeal).
// A refused transition is FAILED_PRECONDITION naming the current state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace attain {
class PgPool;  // common/pg.h
}  // namespace attain

namespace attain::eval {

enum class EvaluationState { kDraft, kFinal, kRestated, kDiscarded };
// "DRAFT", "FINAL", "RESTATED", "DISCARDED": as the API names them, for
// messages.
const char* EvaluationStateName(EvaluationState state);

// One rep's row.
struct EvaluationRowRecord {
  std::string rep_id;
  int64_t total_points = 0;  // hundredths of a point
  int32_t rank = 0;
  std::optional<int64_t> sales_attainment_bp;  // of the base sales target
  std::string scorecard;                       // serialized attain.eval.v1.Scorecard
};

struct EvaluationRecord {
  std::string evaluation_id;  // filled by the store on insert
  int64_t seq = 0;            // filled by the store: larger is newer
  std::string unit_id;
  std::string period;
  std::string template_id;
  int64_t template_version = 0;
  EvaluationState state = EvaluationState::kDraft;
  std::string restates_id;
  std::string restated_by_id;
  std::string restatement_reason;
  std::string appeal_id;       // the upheld appeal a restatement came from
  std::string unit_scorecard;  // serialized attain.eval.v1.Scorecard; "" = none
  std::string created_by;
  absl::Time create_time;                   // filled by the store
  std::optional<absl::Time> finalize_time;  // set once final
  std::string discard_reason;               // set when discarded
  std::string discarded_by;                 // set when discarded
  std::optional<absl::Time> discard_time;   // set when discarded
  std::vector<EvaluationRowRecord> rows;    // by rank, then rep id; only when read with rows
};

struct EvaluationFilter {
  std::string unit_id;             // "" = any
  std::string period;              // "" = any
  std::string rep_id;              // "" = any; else only evaluations with a row of this rep
  bool include_discarded = false;  // false: DISCARDED evaluations are left out
};

enum class AppealState { kOpen, kUpheld, kRejected };

struct AppealRecord {
  std::string appeal_id;  // filled by the store on insert
  std::string evaluation_id;
  std::string rep_id;
  std::string reason;
  AppealState state = AppealState::kOpen;
  std::string decision_reason;
  std::string restatement_id;
  std::string decided_by;
  absl::Time create_time;  // filled by the store
  std::optional<absl::Time> decide_time;
};

class EvaluationTx {
 public:
  virtual ~EvaluationTx() = default;

  // Inserts a draft with its rows; fills evaluation_id, seq, create_time.
  virtual absl::Status InsertEvaluation(EvaluationRecord& rec) = 0;
  // One evaluation; nullopt if there is none. `rows_of`: "" = no rows, "*" =
  // every row, a rep id = that rep's row only. `for_update` locks it until
  // the transaction ends.
  virtual absl::StatusOr<std::optional<EvaluationRecord>> FindEvaluation(
      const std::string& evaluation_id, const std::string& rows_of, bool for_update) = 0;
  // Without rows, newest first, with seq below `before_seq` (0 = from the newest).
  virtual absl::StatusOr<std::vector<EvaluationRecord>> ListEvaluations(
      const EvaluationFilter& filter, int64_t before_seq, int limit) = 0;
  // draft → final; if it restates another evaluation, that one goes final →
  // restated in the same transaction. FAILED_PRECONDITION when not a draft.
  virtual absl::StatusOr<EvaluationRecord> Finalize(const std::string& evaluation_id) = 0;
  // draft → discarded with `reason` and `discarded_by`; fills the discard
  // fields of the returned record (without rows). If it restates another
  // evaluation, that one's link to it (restated_by_id and the reason) is
  // cleared in the same transaction, so it can be restated again; an upheld
  // appeal that led to it is left as decided. NOT_FOUND for an unknown id;
  // FAILED_PRECONDITION when not a draft.
  virtual absl::StatusOr<EvaluationRecord> Discard(const std::string& evaluation_id,
                                                   const std::string& reason,
                                                   const std::string& discarded_by) = 0;
  // Links a final evaluation to its (draft) restatement. FAILED_PRECONDITION
  // unless it is final and not yet linked (one restatement at a time).
  virtual absl::Status LinkRestatement(const std::string& evaluation_id,
                                       const std::string& restatement_id,
                                       const std::string& reason) = 0;
  // Per rep, the sales attainment in the final (not restated) evaluation of
  // `unit_id` for `period`; empty when there is none (drafts, discarded and
  // restated evaluations never count).
  virtual absl::StatusOr<absl::flat_hash_map<std::string, std::optional<int64_t>>> FinalAttainments(
      const std::string& unit_id, const std::string& period) = 0;

  // Files an open appeal; fills appeal_id and create_time. ALREADY_EXISTS
  // when the rep already has an open appeal of that evaluation.
  virtual absl::Status InsertAppeal(AppealRecord& rec) = 0;
  virtual absl::StatusOr<std::optional<AppealRecord>> FindAppeal(const std::string& appeal_id,
                                                                 bool for_update) = 0;
  // open → upheld | rejected with the decision fields of `rec`; fills
  // decide_time. FAILED_PRECONDITION when the appeal is not open.
  virtual absl::Status DecideAppeal(AppealRecord& rec) = 0;
};

class EvaluationStore {
 public:
  virtual ~EvaluationStore() = default;

  // Runs `fn` in one read-write transaction for `tenant`, idempotent on
  // `request_id` as TemplateStore::Mutate (same requests table).
  virtual absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(EvaluationTx&)>& fn) = 0;

  // The stored response of an earlier call with `request_id`; nullopt if
  // there was none; ALREADY_EXISTS if it was another method or request. Lets
  // a caller skip expensive work before Mutate (which checks again).
  virtual absl::StatusOr<std::optional<std::string>> StoredResponse(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint) = 0;

  // Runs `fn` in a read-only transaction for `tenant`.
  virtual absl::Status Read(const std::string& tenant,
                            const std::function<absl::Status(EvaluationTx&)>& fn) = 0;
};

// EvaluationStore on PostgreSQL, schema `eval` (migrate with
// PgTemplateStore::Migrate: one schema, one list of migrations).
// Thread-safe: each call checks out its own connection.
class PgEvaluationStore : public EvaluationStore {
 public:
  explicit PgEvaluationStore(PgPool& pool) : pool_(pool) {}

  absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(EvaluationTx&)>& fn) override;
  absl::StatusOr<std::optional<std::string>> StoredResponse(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint) override;
  absl::Status Read(const std::string& tenant,
                    const std::function<absl::Status(EvaluationTx&)>& fn) override;

 private:
  PgPool& pool_;
};

}  // namespace attain::eval
