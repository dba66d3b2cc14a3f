// gRPC handlers of attain.eval.v1.ScorecardService
// (protos/attain/eval/v1/scorecard_service.proto): GetScorecard and the
// evaluation RPCs (run, read, finalise, restate, appeal, decide, discard),
// CompareUnits and WhatIf.
#pragma once

#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "common/rpc.h"
#include "services/eval/src/scorecards/evaluation_runner.h"
#include "services/eval/src/scorecards/scorecard_maker.h"
#include "services/eval/src/scorecards/sources.h"
#include "services/eval/src/scorecards/unit_comparison.h"
#include "services/eval/src/store/evaluation_store.h"
#include "services/eval/src/store/template_store.h"

namespace attain::eval {

// Who reads scorecards (the proto's Auth): admin, director, hr and the
// committee roles read all; service (the review service preparing a meeting)
// too; a manager the reps and units of their subtree; a rep their own.
RoleSet ScorecardReaders();

class ScorecardServiceImpl final : public ::attain::eval::v1::ScorecardService::CallbackService {
 public:
  // Everything must outlive the service.
  ScorecardServiceImpl(const RpcEnv& env, TemplateStore& templates, EvaluationStore& evaluations,
                       OrgSource& org, ScorecardMaker& maker, EvaluationRunner& runner,
                       UnitComparer& comparer)
      : env_(env),
        templates_(templates),
        evaluations_(evaluations),
        org_(org),
        maker_(maker),
        runner_(runner),
        comparer_(comparer) {}

  // A manager's scope is checked on the org tree of the target service: the
  // subject (a rep's team on the period's last day, or the unit itself) must
  // be the manager's scope unit or lie under it, walking up the parents.
  grpc::ServerUnaryReactor* GetScorecard(grpc::CallbackServerContext* ctx,
                                         const v1::GetScorecardRequest* req,
                                         v1::GetScorecardResponse* resp) override;

  // Evaluations. Run, finalise, restate, discard and decide: admin and
  // director.
  // Read: as GetScorecard's readers; a rep gets only their own row (and only
  // evaluations they have a row in), a manager the evaluations of units in
  // their subtree. Appeal: a rep with a row in a FINAL evaluation.
  // Restatement links: the new draft's restates_id and the old evaluation's
  // restated_by_id are set together when the restatement is created; the old
  // one becomes RESTATED when the restatement is finalised.
  grpc::ServerUnaryReactor* RunEvaluation(grpc::CallbackServerContext* ctx,
                                          const v1::RunEvaluationRequest* req,
                                          v1::RunEvaluationResponse* resp) override;
  grpc::ServerUnaryReactor* GetEvaluation(grpc::CallbackServerContext* ctx,
                                          const v1::GetEvaluationRequest* req,
                                          v1::GetEvaluationResponse* resp) override;
  grpc::ServerUnaryReactor* ListEvaluations(grpc::CallbackServerContext* ctx,
                                            const v1::ListEvaluationsRequest* req,
                                            v1::ListEvaluationsResponse* resp) override;
  grpc::ServerUnaryReactor* FinalizeEvaluation(grpc::CallbackServerContext* ctx,
                                               const v1::FinalizeEvaluationRequest* req,
                                               v1::FinalizeEvaluationResponse* resp) override;
  grpc::ServerUnaryReactor* RestateEvaluation(grpc::CallbackServerContext* ctx,
                                              const v1::RestateEvaluationRequest* req,
                                              v1::RestateEvaluationResponse* resp) override;
  grpc::ServerUnaryReactor* AppealEvaluation(grpc::CallbackServerContext* ctx,
                                             const v1::AppealEvaluationRequest* req,
                                             v1::AppealEvaluationResponse* resp) override;
  grpc::ServerUnaryReactor* DecideAppeal(grpc::CallbackServerContext* ctx,
                                         const v1::DecideAppealRequest* req,
                                         v1::DecideAppealResponse* resp) override;
  // Draft → DISCARDED (EvaluationTx::Discard): kept for GetEvaluation (and
  // ListEvaluations with show_discarded), counted nowhere; a discarded
  // restatement's final evaluation can be restated again. An upheld appeal
  // that led to the draft stays UPHELD and keeps naming it. NOT_FOUND for an
  // unknown id (or another tenant's); FAILED_PRECONDITION unless a draft;
  // INVALID_ARGUMENT without a reason.
  grpc::ServerUnaryReactor* DiscardEvaluation(grpc::CallbackServerContext* ctx,
                                              const v1::DiscardEvaluationRequest* req,
                                              v1::DiscardEvaluationResponse* resp) override;

  // Units side by side (seed 002 table 2). Readers as GetScorecard for
  // units: reps are refused; a manager only units in their subtree.
  // INVALID_ARGUMENT for 0 or more than 50 unit ids or a duplicate; NOT_FOUND
  // naming the first unknown unit; FAILED_PRECONDITION naming a unit without
  // an assigned template when template_id is empty.
  grpc::ServerUnaryReactor* CompareUnits(grpc::CallbackServerContext* ctx,
                                         const v1::CompareUnitsRequest* req,
                                         v1::CompareUnitsResponse* resp) override;

  // Re-scores the reps of a unit (as RunEvaluation would) under a changed
  // template (what_if.h) next to the unchanged one; nothing is saved.
  // Readers: those who may read the unit's evaluations, except reps (who see
  // only their own row): admin, director, hr, committee roles, service; a
  // manager for units in their subtree.
  grpc::ServerUnaryReactor* WhatIf(grpc::CallbackServerContext* ctx, const v1::WhatIfRequest* req,
                                   v1::WhatIfResponse* resp) override;

 private:
  // A RunEvaluation answer stored for replays (without its rows) completed
  // with the evaluation's rows from the store.
  absl::Status AnswerWithStoredRows(const std::string& tenant, const std::string& stored,
                                    v1::RunEvaluationResponse* resp);
  // PERMISSION_DENIED unless a manager `p` has `unit` in their subtree (other
  // roles pass).
  absl::Status CheckManagerScope(const Principal& p, const std::string& unit, const char* what);
  // Whether `unit` is `scope` or lies under it (walking up the org tree).
  absl::StatusOr<bool> InSubtree(const std::string& tenant, const std::string& scope,
                                 const std::string& unit);
  // Computes a new draft restating `old` (same unit, period, template
  // version). The caller stores it with InsertEvaluation and LinkRestatement.
  absl::StatusOr<EvaluationRecord> ComputeRestatement(const Principal& p,
                                                      const EvaluationRecord& old,
                                                      const std::string& reason,
                                                      const std::string& appeal_id);
  // The evaluation of `unit` for `period` with `tmpl`, as a draft record.
  // With `cards`, the reps' scorecards are also moved there, in the record's
  // row order (so that an answer need not parse the rows back).
  absl::StatusOr<EvaluationRecord> Compute(const Principal& p, const std::string& unit,
                                           const Period& period, const ScorecardTemplate& tmpl,
                                           std::vector<v1::Scorecard>* cards = nullptr);

  const RpcEnv env_;
  TemplateStore& templates_;
  EvaluationStore& evaluations_;
  OrgSource& org_;
  ScorecardMaker& maker_;
  EvaluationRunner& runner_;
  UnitComparer& comparer_;
};

}  // namespace attain::eval
