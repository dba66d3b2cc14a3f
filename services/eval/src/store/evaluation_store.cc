#include "services/eval/src/store/evaluation_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/period.h"
#include "common/pg.h"
#include "common/status.h"
#include "services/eval/src/store/requests.h"

namespace attain::eval {
namespace {

EvaluationState StateFrom(const std::string& s) {
  if (s == "final") return EvaluationState::kFinal;
  if (s == "restated") return EvaluationState::kRestated;
  if (s == "discarded") return EvaluationState::kDiscarded;
  return EvaluationState::kDraft;
}

std::string AppealStateText(AppealState s) {
  switch (s) {
    case AppealState::kOpen:
      return "open";
    case AppealState::kUpheld:
      return "upheld";
    case AppealState::kRejected:
      return "rejected";
  }
  return "open";
}

AppealState AppealStateFrom(const std::string& s) {
  if (s == "upheld") return AppealState::kUpheld;
  if (s == "rejected") return AppealState::kRejected;
  return AppealState::kOpen;
}

constexpr char kEvaluationColumns[] =
    "evaluation_id, seq, unit_id, period, template_id, template_version, state, restates_id, "
    "restated_by_id, restatement_reason, appeal_id, unit_scorecard, created_by, "
    "(extract(epoch FROM create_time) * 1000000)::bigint, "
    "(extract(epoch FROM finalize_time) * 1000000)::bigint, discard_reason, discarded_by, "
    "(extract(epoch FROM discard_time) * 1000000)::bigint";

EvaluationRecord EvaluationAt(const pqxx::row& row) {
  EvaluationRecord r;
  r.evaluation_id = row[0].as<std::string>();
  r.seq = row[1].as<int64_t>();
  r.unit_id = row[2].as<std::string>();
  r.period = row[3].as<std::string>();
  r.template_id = row[4].as<std::string>();
  r.template_version = row[5].as<int64_t>();
  r.state = StateFrom(row[6].as<std::string>());
  r.restates_id = row[7].as<std::string>();
  r.restated_by_id = row[8].as<std::string>();
  r.restatement_reason = row[9].as<std::string>();
  r.appeal_id = row[10].as<std::string>();
  r.unit_scorecard = pqxx::binarystring(row[11]).str();
  r.created_by = row[12].as<std::string>();
  r.create_time = PgTimeAt(row[13]);
  if (!row[14].is_null()) r.finalize_time = PgTimeAt(row[14]);
  r.discard_reason = row[15].as<std::string>();
  r.discarded_by = row[16].as<std::string>();
  if (!row[17].is_null()) r.discard_time = PgTimeAt(row[17]);
  return r;
}

constexpr char kAppealColumns[] =
    "appeal_id, evaluation_id, rep_id, reason, state, decision_reason, restatement_id, "
    "decided_by, (extract(epoch FROM create_time) * 1000000)::bigint, "
    "(extract(epoch FROM decide_time) * 1000000)::bigint";

AppealRecord AppealAt(const pqxx::row& row) {
  AppealRecord r;
  r.appeal_id = row[0].as<std::string>();
  r.evaluation_id = row[1].as<std::string>();
  r.rep_id = row[2].as<std::string>();
  r.reason = row[3].as<std::string>();
  r.state = AppealStateFrom(row[4].as<std::string>());
  r.decision_reason = row[5].as<std::string>();
  r.restatement_id = row[6].as<std::string>();
  r.decided_by = row[7].as<std::string>();
  r.create_time = PgTimeAt(row[8]);
  if (!row[9].is_null()) r.decide_time = PgTimeAt(row[9]);
  return r;
}

class PgEvaluationTx final : public EvaluationTx {
 public:
  PgEvaluationTx(pqxx::transaction_base& txn, std::string tenant)
      : txn_(txn), tenant_(std::move(tenant)) {}

  // The rows in a few statements of up to kRowsPerStatement rows each (five
  // parameters a row), not one round trip per rep: an evaluation of a big
  // unit has ten thousand rows.
  // The rows by COPY: one stream, the scorecards as bytea in hex ("\x…").
  void InsertRows(const EvaluationRecord& rec) {
    if (rec.rows.empty()) return;
    pqxx::stream_to copy(
        txn_, "eval.evaluation_rows",
        std::vector<std::string>{"tenant_id", "evaluation_id", "rep_id", "unit_id", "period",
                                 "total_points", "rank", "sales_attainment_bp", "scorecard"});
    std::string hex;
    for (const EvaluationRowRecord& row : rec.rows) {
      hex = absl::StrCat("\\x", absl::BytesToHexString(row.scorecard));
      if (row.sales_attainment_bp) {
        copy << std::make_tuple(tenant_, rec.evaluation_id, row.rep_id, rec.unit_id, rec.period,
                                row.total_points, row.rank, *row.sales_attainment_bp, hex);
      } else {
        copy << std::make_tuple(tenant_, rec.evaluation_id, row.rep_id, rec.unit_id, rec.period,
                                row.total_points, row.rank, nullptr, hex);
      }
    }
    copy.complete();
  }

  absl::Status InsertEvaluation(EvaluationRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result r = txn_.exec_params(
          "INSERT INTO eval.evaluations (tenant_id, evaluation_id, unit_id, period, template_id, "
          "template_version, state, restates_id, restatement_reason, appeal_id, unit_scorecard, "
          "created_by) VALUES ($1, replace(gen_random_uuid()::text, '-', ''), $2, $3, $4, $5, "
          "'draft', $6, $7, $8, $9, $10) "
          "RETURNING evaluation_id, seq, (extract(epoch FROM create_time) * 1000000)::bigint",
          tenant_, rec.unit_id, rec.period, rec.template_id, rec.template_version, rec.restates_id,
          rec.restatement_reason, rec.appeal_id, pqxx::binarystring(rec.unit_scorecard),
          rec.created_by);
      rec.evaluation_id = r[0][0].as<std::string>();
      rec.seq = r[0][1].as<int64_t>();
      rec.create_time = PgTimeAt(r[0][2]);
      rec.state = EvaluationState::kDraft;
      rec.finalize_time.reset();
      InsertRows(rec);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<EvaluationRecord>> FindEvaluation(const std::string& evaluation_id,
                                                                 const std::string& rows_of,
                                                                 bool for_update) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<EvaluationRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kEvaluationColumns,
                       " FROM eval.evaluations WHERE tenant_id = $1 AND evaluation_id = $2",
                       for_update ? " FOR UPDATE" : ""),
          tenant_, evaluation_id);
      if (r.empty()) return std::nullopt;
      EvaluationRecord rec = EvaluationAt(r[0]);
      if (!rows_of.empty()) {
        pqxx::result rows = txn_.exec_params(
            "SELECT rep_id, total_points, rank, sales_attainment_bp, scorecard "
            "FROM eval.evaluation_rows WHERE tenant_id = $1 AND evaluation_id = $2 "
            "AND ($3 = '*' OR rep_id = $3) ORDER BY rank, rep_id COLLATE \"C\"",
            tenant_, evaluation_id, rows_of);
        for (const pqxx::row& row : rows) {
          EvaluationRowRecord out;
          out.rep_id = row[0].as<std::string>();
          out.total_points = row[1].as<int64_t>();
          out.rank = row[2].as<int32_t>();
          if (!row[3].is_null()) out.sales_attainment_bp = row[3].as<int64_t>();
          out.scorecard = pqxx::binarystring(row[4]).str();
          rec.rows.push_back(std::move(out));
        }
      }
      return rec;
    });
  }

  absl::StatusOr<std::vector<EvaluationRecord>> ListEvaluations(const EvaluationFilter& filter,
                                                                int64_t before_seq,
                                                                int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<EvaluationRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kEvaluationColumns,
                       " FROM eval.evaluations e WHERE tenant_id = $1"
                       " AND ($2::bigint = 0 OR seq < $2::bigint)"
                       " AND ($3 = '' OR unit_id = $3) AND ($4 = '' OR period = $4)"
                       " AND ($5 = '' OR EXISTS (SELECT 1 FROM eval.evaluation_rows w"
                       " WHERE w.tenant_id = e.tenant_id AND w.evaluation_id = e.evaluation_id"
                       " AND w.rep_id = $5))"
                       " AND ($7 OR state <> 'discarded')"
                       " ORDER BY seq DESC LIMIT $6"),
          tenant_, before_seq, filter.unit_id, filter.period, filter.rep_id, limit,
          filter.include_discarded);
      std::vector<EvaluationRecord> out;
      for (const pqxx::row& row : r) out.push_back(EvaluationAt(row));
      return out;
    });
  }

  absl::StatusOr<EvaluationRecord> Finalize(const std::string& evaluation_id) override {
    ASSIGN_OR_RETURN(std::optional<EvaluationRecord> rec,
                     FindEvaluation(evaluation_id, "", /*for_update=*/true));
    if (!rec) return NotFound(evaluation_id);
    if (rec->state != EvaluationState::kDraft) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "evaluation \"%s\" is %s, not DRAFT: only a draft can be finalised%s", evaluation_id,
          EvaluationStateName(rec->state),
          rec->state == EvaluationState::kFinal
              ? " (to correct a final evaluation, restate it with RestateEvaluation)"
          : rec->state == EvaluationState::kDiscarded
              ? " (a discarded draft stays discarded: run the evaluation again with RunEvaluation)"
              : ""));
    }
    RETURN_IF_ERROR(CheckHistoryUnchanged(*rec));
    return PgGuard([&]() -> absl::StatusOr<EvaluationRecord> {
      pqxx::result r = txn_.exec_params(
          "UPDATE eval.evaluations SET state = 'final', finalize_time = now() "
          "WHERE tenant_id = $1 AND evaluation_id = $2 "
          "RETURNING (extract(epoch FROM finalize_time) * 1000000)::bigint",
          tenant_, evaluation_id);
      rec->state = EvaluationState::kFinal;
      rec->finalize_time = PgTimeAt(r[0][0]);
      if (!rec->restates_id.empty()) {
        pqxx::result old = txn_.exec_params(
            "UPDATE eval.evaluations SET state = 'restated' "
            "WHERE tenant_id = $1 AND evaluation_id = $2 AND state = 'final' "
            "AND restated_by_id = $3 RETURNING 1",
            tenant_, rec->restates_id, evaluation_id);
        if (old.empty()) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "evaluation \"%s\" restates \"%s\", which is no longer FINAL and linked to it",
              evaluation_id, rec->restates_id));
        }
      }
      return *rec;
    });
  }

  // A quarter's warnings and penalties were judged, when the draft was run,
  // from the unit's final evaluations of the two quarters before. Finalising
  // it must not freeze flags judged on a history that has changed since (a
  // quarter finalised or restated after the run) or that is still to come
  // (a quarter with a draft and no final evaluation).
  absl::Status CheckHistoryUnchanged(const EvaluationRecord& rec) {
    absl::StatusOr<Period> period = Period::Parse(rec.period);
    if (!period.ok() || period->kind() != PeriodKind::kQuarter) return absl::OkStatus();
    const Period before1 = period->Previous();
    const Period before2 = before1.Previous();
    return PgGuard([&]() -> absl::Status {
      pqxx::result r = txn_.exec_params(
          "SELECT q.period, bool_or(q.state IN ('final', 'restated')),"
          " bool_or(q.state IN ('final', 'restated') AND q.finalize_time > e.create_time),"
          " bool_or(q.state = 'draft') "
          "FROM eval.evaluations e JOIN eval.evaluations q ON q.tenant_id = e.tenant_id"
          " AND q.unit_id = e.unit_id AND q.period IN ($3, $4) "
          "WHERE e.tenant_id = $1 AND e.evaluation_id = $2 GROUP BY q.period ORDER BY q.period",
          tenant_, rec.evaluation_id, before2.ToString(), before1.ToString());
      for (const pqxx::row& row : r) {
        const std::string quarter = row[0].as<std::string>();
        const bool has_final = row[1].as<bool>();
        const bool final_after_run = row[2].as<bool>();
        const bool has_draft = row[3].as<bool>();
        if (final_after_run) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "the evaluation of %s for unit \"%s\" was finalised after this draft was run, so "
              "its warnings and penalties do not count it: run the evaluation of %s again and "
              "finalise the new draft",
              quarter, rec.unit_id, rec.period));
        }
        if (has_draft && !has_final) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "%s has a draft evaluation of unit \"%s\" and no final one, and the warnings and "
              "penalties of %s depend on it: finalise or discard that draft first, then run the "
              "evaluation of %s again",
              quarter, rec.unit_id, rec.period, rec.period));
        }
      }
      return absl::OkStatus();
    });
  }

  absl::Status LinkRestatement(const std::string& evaluation_id, const std::string& restatement_id,
                               const std::string& reason) override {
    ASSIGN_OR_RETURN(std::optional<EvaluationRecord> rec,
                     FindEvaluation(evaluation_id, "", /*for_update=*/true));
    if (!rec) return NotFound(evaluation_id);
    if (rec->state != EvaluationState::kFinal) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "evaluation \"%s\" is %s, not FINAL: only a final evaluation can be restated%s",
          evaluation_id, EvaluationStateName(rec->state),
          rec->state == EvaluationState::kDraft ? " (a draft can simply be run again or finalised)"
          : rec->state == EvaluationState::kDiscarded
              ? " (it was discarded)"
              : absl::StrFormat(" (restate its restatement \"%s\" instead)", rec->restated_by_id)));
    }
    if (!rec->restated_by_id.empty()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "evaluation \"%s\" already has a restatement in draft, \"%s\": finalise that one "
          "(or restate it once final), or discard it with DiscardEvaluation",
          evaluation_id, rec->restated_by_id));
    }
    return PgGuard([&]() -> absl::Status {
      txn_.exec_params(
          "UPDATE eval.evaluations SET restated_by_id = $3, restatement_reason = $4 "
          "WHERE tenant_id = $1 AND evaluation_id = $2",
          tenant_, evaluation_id, restatement_id, reason);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<EvaluationRecord> Discard(const std::string& evaluation_id,
                                           const std::string& reason,
                                           const std::string& discarded_by) override {
    ASSIGN_OR_RETURN(std::optional<EvaluationRecord> rec,
                     FindEvaluation(evaluation_id, "", /*for_update=*/true));
    if (!rec) return NotFound(evaluation_id);
    if (rec->state != EvaluationState::kDraft) {
      return absl::FailedPreconditionError(
          absl::StrFormat("evaluation \"%s\" is %s, not DRAFT: only a draft can be discarded%s",
                          evaluation_id, EvaluationStateName(rec->state),
                          rec->state == EvaluationState::kDiscarded
                              ? " (it already is)"
                              : " (a finalised evaluation is final: to correct it, restate it with "
                                "RestateEvaluation)"));
    }
    return PgGuard([&]() -> absl::StatusOr<EvaluationRecord> {
      pqxx::result r = txn_.exec_params(
          "UPDATE eval.evaluations SET state = 'discarded', discard_reason = $3, "
          "discarded_by = $4, discard_time = now() WHERE tenant_id = $1 AND evaluation_id = $2 "
          "RETURNING (extract(epoch FROM discard_time) * 1000000)::bigint",
          tenant_, evaluation_id, reason, discarded_by);
      rec->state = EvaluationState::kDiscarded;
      rec->discard_reason = reason;
      rec->discarded_by = discarded_by;
      rec->discard_time = PgTimeAt(r[0][0]);
      if (!rec->restates_id.empty()) {
        // The final evaluation it was to replace has no pending restatement
        // any more (the trigger allows clearing the link now that the draft
        // it names is discarded).
        pqxx::result old = txn_.exec_params(
            "UPDATE eval.evaluations SET restated_by_id = '', restatement_reason = '' "
            "WHERE tenant_id = $1 AND evaluation_id = $2 AND state = 'final' "
            "AND restated_by_id = $3 RETURNING 1",
            tenant_, rec->restates_id, evaluation_id);
        if (old.empty()) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "evaluation \"%s\" restates \"%s\", which is no longer FINAL and linked to it",
              evaluation_id, rec->restates_id));
        }
      }
      return *rec;
    });
  }

  absl::StatusOr<absl::flat_hash_map<std::string, std::optional<int64_t>>> FinalAttainments(
      const std::string& unit_id, const std::string& period) override {
    return PgGuard(
        [&]() -> absl::StatusOr<absl::flat_hash_map<std::string, std::optional<int64_t>>> {
          pqxx::result r = txn_.exec_params(
              "SELECT w.rep_id, w.sales_attainment_bp FROM eval.evaluation_rows w "
              "WHERE w.tenant_id = $1 AND w.evaluation_id = ("
              "  SELECT evaluation_id FROM eval.evaluations WHERE tenant_id = $1 AND unit_id = $2"
              "  AND period = $3 AND state = 'final' ORDER BY seq DESC LIMIT 1)",
              tenant_, unit_id, period);
          absl::flat_hash_map<std::string, std::optional<int64_t>> out;
          for (const pqxx::row& row : r) {
            std::optional<int64_t> v;
            if (!row[1].is_null()) v = row[1].as<int64_t>();
            out[row[0].as<std::string>()] = v;
          }
          return out;
        });
  }

  absl::Status InsertAppeal(AppealRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result open = txn_.exec_params(
          "SELECT appeal_id FROM eval.appeals WHERE tenant_id = $1 AND evaluation_id = $2 "
          "AND rep_id = $3 AND state = 'open'",
          tenant_, rec.evaluation_id, rec.rep_id);
      if (!open.empty()) {
        return absl::AlreadyExistsError(absl::StrFormat(
            "rep \"%s\" already has an open appeal of evaluation \"%s\": \"%s\"; wait for its "
            "decision",
            rec.rep_id, rec.evaluation_id, open[0][0].as<std::string>()));
      }
      pqxx::result r = txn_.exec_params(
          "INSERT INTO eval.appeals (tenant_id, appeal_id, evaluation_id, rep_id, reason, state) "
          "VALUES ($1, replace(gen_random_uuid()::text, '-', ''), $2, $3, $4, 'open') "
          "RETURNING appeal_id, (extract(epoch FROM create_time) * 1000000)::bigint",
          tenant_, rec.evaluation_id, rec.rep_id, rec.reason);
      rec.appeal_id = r[0][0].as<std::string>();
      rec.create_time = PgTimeAt(r[0][1]);
      rec.state = AppealState::kOpen;
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<AppealRecord>> FindAppeal(const std::string& appeal_id,
                                                         bool for_update) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<AppealRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kAppealColumns,
                       " FROM eval.appeals WHERE tenant_id = $1 AND appeal_id = $2",
                       for_update ? " FOR UPDATE" : ""),
          tenant_, appeal_id);
      if (r.empty()) return std::nullopt;
      return AppealAt(r[0]);
    });
  }

  absl::Status DecideAppeal(AppealRecord& rec) override {
    if (rec.state == AppealState::kOpen) {
      return absl::InvalidArgumentError("a decision upholds or rejects the appeal");
    }
    return PgGuard([&]() -> absl::Status {
      pqxx::result cur = txn_.exec_params(
          "SELECT state FROM eval.appeals WHERE tenant_id = $1 AND appeal_id = $2 FOR UPDATE",
          tenant_, rec.appeal_id);
      if (cur.empty()) {
        return absl::NotFoundError(absl::StrFormat("appeal \"%s\" does not exist", rec.appeal_id));
      }
      const std::string state = cur[0][0].as<std::string>();
      if (state != "open") {
        return absl::FailedPreconditionError(absl::StrFormat(
            "appeal \"%s\" is already %s: a decision is final", rec.appeal_id, state));
      }
      pqxx::result r = txn_.exec_params(
          "UPDATE eval.appeals SET state = $3, decision_reason = $4, restatement_id = $5, "
          "decided_by = $6, decide_time = now() WHERE tenant_id = $1 AND appeal_id = $2 "
          "RETURNING (extract(epoch FROM decide_time) * 1000000)::bigint",
          tenant_, rec.appeal_id, AppealStateText(rec.state), rec.decision_reason,
          rec.restatement_id, rec.decided_by);
      rec.decide_time = PgTimeAt(r[0][0]);
      return absl::OkStatus();
    });
  }

 private:
  static absl::Status NotFound(const std::string& evaluation_id) {
    return absl::NotFoundError(absl::StrFormat(
        "evaluation \"%s\" does not exist (ListEvaluations shows this tenant's evaluations)",
        evaluation_id));
  }

  pqxx::transaction_base& txn_;
  const std::string tenant_;
};

}  // namespace

const char* EvaluationStateName(EvaluationState state) {
  switch (state) {
    case EvaluationState::kDraft:
      return "DRAFT";
    case EvaluationState::kFinal:
      return "FINAL";
    case EvaluationState::kRestated:
      return "RESTATED";
    case EvaluationState::kDiscarded:
      return "DISCARDED";
  }
  return "UNSPECIFIED";
}

absl::StatusOr<std::string> PgEvaluationStore::Mutate(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(EvaluationTx&)>& fn) {
  return EvalRequests().Mutate(pool_, tenant, request_id, method, fingerprint,
                               [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                                 PgEvaluationTx tx(txn, tenant);
                                 return fn(tx);
                               });
}

absl::StatusOr<std::optional<std::string>> PgEvaluationStore::StoredResponse(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint) {
  return EvalRequests().Stored(pool_, tenant, request_id, method, fingerprint);
}

absl::Status PgEvaluationStore::Read(const std::string& tenant,
                                     const std::function<absl::Status(EvaluationTx&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    PgEvaluationTx tx(txn, tenant);
    RETURN_IF_ERROR(fn(tx));
    txn.commit();
    return absl::OkStatus();
  });
}

}  // namespace attain::eval
