// What the agenda, report and pack RPCs read from attain-eval and
// attain-target: a unit's evaluation of a period reduced to the sales figures
// a review meeting discusses (target, actual, attainment of each rep and of
// the unit), the units directly under a unit with their sales figures, and
// display names.
//
// Kept apart from clients/eval_client.h (the action items' reader of actuals)
// because the agenda needs targets and attainment, which that interface does
// not carry. No grpc or proto types here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace attain::review {

// One subject's sales figures for a period: the indicator whose metric is
// METRIC_SALES_AMOUNT on their scorecard (the first one when a template has
// several). Money in minor units of `currency_code`.
struct SalesFigure {
  std::string id;    // rep or unit id
  std::string name;  // display name; the id when none is known
  std::optional<int64_t> target;
  int64_t actual = 0;                    // 0 when the scorecard has no actual
  std::optional<int64_t> attainment_bp;  // nullopt without a target
  std::string currency_code;
  bool has_sales_indicator = false;  // false: the scorecard has no sales indicator
};

// An evaluation reduced to its sales figures.
struct SalesEvaluation {
  std::string evaluation_id;
  std::string unit_id;
  std::string period;
  std::string template_id;              // the template it was scored with
  bool final = false;                   // FINAL (not draft, restated or discarded)
  std::optional<SalesFigure> unit_row;  // the unit's own scorecard
  std::vector<SalesFigure> reps;        // the rows, in the evaluation's order
};

class EvaluationReader {
 public:
  virtual ~EvaluationReader() = default;

  // An evaluation by id; NOT_FOUND as attain-eval answers it.
  virtual absl::StatusOr<SalesEvaluation> GetEvaluation(const std::string& tenant,
                                                        const std::string& evaluation_id) = 0;
  // The newest FINAL evaluation of `unit_id` for `period`; nullopt if none.
  virtual absl::StatusOr<std::optional<SalesEvaluation>> NewestFinalEvaluation(
      const std::string& tenant, const std::string& unit_id, const std::string& period) = 0;
  // The units directly under `unit_id` (not archived), each with the sales
  // figures of its scorecard for `period` under `template_id` (attain-eval
  // GetScorecard; "" = each unit's assigned template), by unit id.
  virtual absl::StatusOr<std::vector<SalesFigure>> ChildUnitSales(
      const std::string& tenant, const std::string& unit_id, const std::string& period,
      const std::string& template_id) = 0;
  // Rep id → name of the reps in `unit_id`'s subtree on `as_of`
  // ("YYYY-MM-DD").
  virtual absl::StatusOr<std::map<std::string, std::string>> RepNames(const std::string& tenant,
                                                                      const std::string& unit_id,
                                                                      const std::string& as_of) = 0;
};

struct GrpcEvaluationReaderOptions {
  absl::Duration deadline = absl::Seconds(5);  // per call
  int max_pages = 20;                          // of a list call
};

// EvaluationReader over gRPC (attain-eval ScorecardService, attain-target
// OrgService) with the tenant's service token (subject "attain-review").
// Errors: UNAVAILABLE when a service does not answer in time (nothing is
// changed: retry later); NOT_FOUND / INVALID_ARGUMENT / FAILED_PRECONDITION as
// answered; INTERNAL otherwise. Thread-safe.
class GrpcEvaluationReader final : public EvaluationReader {
 public:
  // `clock` mints the service tokens: the real clock. It must outlive this.
  GrpcEvaluationReader(std::shared_ptr<grpc::Channel> eval, std::shared_ptr<grpc::Channel> target,
                       std::string signing_key, const Clock* clock,
                       GrpcEvaluationReaderOptions options = {});
  ~GrpcEvaluationReader() override;

  absl::StatusOr<SalesEvaluation> GetEvaluation(const std::string& tenant,
                                                const std::string& evaluation_id) override;
  absl::StatusOr<std::optional<SalesEvaluation>> NewestFinalEvaluation(
      const std::string& tenant, const std::string& unit_id, const std::string& period) override;
  absl::StatusOr<std::vector<SalesFigure>> ChildUnitSales(const std::string& tenant,
                                                          const std::string& unit_id,
                                                          const std::string& period,
                                                          const std::string& template_id) override;
  absl::StatusOr<std::map<std::string, std::string>> RepNames(const std::string& tenant,
                                                              const std::string& unit_id,
                                                              const std::string& as_of) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attain::review
