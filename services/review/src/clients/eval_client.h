// What the review service reads from the evaluation service (attain-eval,
// protos/attain/eval/v1/scorecard_service.proto) to verify action items: the
// newest FINAL evaluation of a unit for a period, with the actual of every
// indicator on the unit's own scorecard and on each rep's row.
//
// Why evaluations, not GetScorecard: an action item is verified against the
// figures the company signed off (a final evaluation is immutable; a
// correction is a restatement that becomes the newest final one), not against
// a scorecard computed now from data that may still move. The interface
// keeps grpc and proto types out of the service's logic.
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

// One indicator row of a scorecard.
struct IndicatorFigure {
  std::string indicator_id;
  std::string metric;             // metric name (common/metric.h)
  std::optional<int64_t> actual;  // metric unit; nullopt: no data for the period
};

// A scorecard's indicators, in template order.
struct ScorecardFigures {
  std::string template_id;
  int64_t template_version = 0;
  std::vector<IndicatorFigure> indicators;
};

// A final evaluation of a unit for a period.
struct EvaluationFigures {
  std::string evaluation_id;
  std::string unit_id;
  std::string period;
  std::optional<ScorecardFigures> unit_row;      // the unit's own scorecard
  std::map<std::string, ScorecardFigures> reps;  // rep id → their row
};

class EvalClient {
 public:
  virtual ~EvalClient() = default;

  // The newest evaluation of `unit_id` for `period` that is FINAL (a
  // restated one is replaced by its finalised restatement), with its rows;
  // nullopt when there is none. UNAVAILABLE when attain-eval does not answer
  // in time; INTERNAL when it refuses the call (a misconfigured service
  // token); INVALID_ARGUMENT / NOT_FOUND as attain-eval answers them.
  virtual absl::StatusOr<std::optional<EvaluationFigures>> NewestFinalEvaluation(
      const std::string& tenant, const std::string& unit_id, const std::string& period) = 0;
};

struct GrpcEvalClientOptions {
  absl::Duration deadline = absl::Seconds(5);  // per call
  int max_pages = 20;                          // of ListEvaluations, 50 evaluations each
};

// EvalClient over gRPC: each call carries the tenant's service token
// (common/auth.h ServiceTokens, subject "attain-review") and a deadline; an
// unreachable attain-eval answers UNAVAILABLE at once (no wait-for-ready).
// Thread-safe.
class GrpcEvalClient final : public EvalClient {
 public:
  // `clock` times the service tokens: the real clock (a test's fake "now"
  // would mint tokens attain-eval considers expired). It must outlive this.
  GrpcEvalClient(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                 const Clock* clock, GrpcEvalClientOptions options = {});
  ~GrpcEvalClient() override;

  absl::StatusOr<std::optional<EvaluationFigures>> NewestFinalEvaluation(
      const std::string& tenant, const std::string& unit_id, const std::string& period) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attain::review
