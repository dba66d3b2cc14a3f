// End-to-end support for the review service: attain-review started over an
// IngestStack that runs attain-eval, the evaluation data the review e2e tests
// review (an org under the company "co", 2025-Q2 sales targets and orders,
// template "sales100" assigned to co), running and finalizing an evaluation,
// and gtest predicates on gRPC call statuses.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "attain/eval/v1/template.pb.h"
#include "attain/ingest/v1/events.pb.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "attain/type/v1/scope.pb.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/service_process.h"

namespace attain::testing {

// The code's name as absl spells it ("NOT_FOUND").
std::string CodeName(grpc::StatusCode code);
// The call succeeded; on failure the message is "<CODE>: <message>".
::testing::AssertionResult IsOk(const grpc::Status& status);
// The call failed with `code` and its message mentions every one of `parts`.
::testing::AssertionResult Fails(const grpc::Status& status, grpc::StatusCode code,
                                 const std::vector<std::string>& parts = {});

// One caller of attain-review with one token: the base of the e2e tests'
// clients, which name the RPCs they use and send them through Call.
class ReviewCaller {
 public:
  ReviewCaller(const std::shared_ptr<grpc::Channel>& channel, std::string token);

 protected:
  // `rpc` of `stub` with `authorization: Bearer <token>` (none when the token
  // is empty) and a 30 s deadline.
  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub& stub, grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp) const {
    grpc::ClientContext ctx;
    if (!token_.empty()) ctx.AddMetadata("authorization", "Bearer " + token_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return (stub.*rpc)(&ctx, req, resp);
  }
  review::v1::ActionItemService::Stub& actions() const { return *actions_; }
  review::v1::CommitteeService::Stub& committees() const { return *committees_; }
  review::v1::MeetingService::Stub& meetings() const { return *meetings_; }

 private:
  std::shared_ptr<review::v1::ActionItemService::Stub> actions_;
  std::shared_ptr<review::v1::CommitteeService::Stub> committees_;
  std::shared_ptr<review::v1::MeetingService::Stub> meetings_;
  std::string token_;
};

// Starts `review_binary` (ATTAIN_REVIEW_BINARY) over `stack`'s database with
// 4 workers, verifying tokens with `jwt_key` (the stack's), its clock pinned
// at `fake_now` (RFC 3339), pointed at the stack's attain-target and at
// `eval_addr` ("" = the stack's attain-eval).
absl::StatusOr<std::unique_ptr<ServiceProcess>> StartReview(IngestStack& stack,
                                                            const std::string& review_binary,
                                                            const std::string& jwt_key,
                                                            const std::string& fake_now,
                                                            const std::string& eval_addr = "");

// The org, targets and orders SeedReviewData sets up below the company "co".
// Amounts are CNY minor units.
struct ReviewData {
  struct Target {
    type::v1::ScopeKind kind;
    std::string id;
    int64_t base;  // 2025-Q2 sales amount
  };
  std::vector<std::string> teams;                         // teams directly below co
  std::vector<std::pair<std::string, std::string>> reps;  // (rep, team), hired 2020-01-01
  std::vector<Target> targets;                            // set in this order
  std::vector<ingest::v1::Event> orders;                  // ingested in one batch

  // co → t1 {r1, r2}. Targets r1 1 000 000, r2 1 000 000, co 2 500 000.
  // Orders o1 r1 1 200 000 (2025-05-10), o2 r2 800 000 (2025-06-01).
  static ReviewData OneTeam();
  // co → t1 {r1, r2, r3}, t2 {r4}. Targets r1..r4 1 000 000 each,
  // t1 3 000 000, t2 1 000 000, co 4 000 000. Orders those of OneTeam and
  // o3 r3 500 000 (2025-04-20), o4 r4 950 000 (2025-06-10).
  static ReviewData TwoTeams();
};

// In `tenant`: the company "co" with `data`'s teams and reps, its 2025-Q2
// sales targets (requests "target-<id>") and its orders (every one must be
// accepted), template "sales100" (CreateSales100Template) assigned to co from
// 2025-01. Calls as admin "boss" (ingest as crm-ingest "crm"). Returns the
// first failure, naming the step.
absl::Status SeedReviewData(IngestStack& stack, const std::string& tenant, const ReviewData& data);

// A scorecard template's grade bands as (name, minimum points).
using GradeBands = std::vector<std::pair<std::string, int64_t>>;

// A template named `name`: one dimension "results" (weight 10000) with one
// indicator "sales", the sales amount against the base target, linear capped
// at 200 % (20000 bp), worth 100 points (10000), with grade bands `grades`.
eval::v1::ScorecardTemplate SalesOnlyTemplate(const std::string& name, const GradeBands& grades);

// CreateTemplate "sales100" (request "create-sales100"): SalesOnlyTemplate
// named "sales only" with grade bands `grades`.
absl::Status CreateSales100Template(IngestStack& stack, const std::string& token,
                                    const GradeBands& grades = {{"needs_improvement", 0}});

// AssignTemplate `template_id` to `unit_id` from `effective_period` (a month,
// "YYYY-MM"); request "assign-<unit_id>".
absl::Status AssignTemplate(IngestStack& stack, const std::string& token,
                            const std::string& unit_id, const std::string& template_id,
                            const std::string& effective_period);

// RunEvaluation of `unit_id` for `period` (request "run-<request_key>") and
// FinalizeEvaluation of the evaluation it made (request
// "finalize-<request_key>"), both as director "dir" of `tenant`. Returns the
// evaluation FinalizeEvaluation answers with.
absl::StatusOr<eval::v1::Evaluation> RunAndFinalizeEvaluation(IngestStack& stack,
                                                              const std::string& tenant,
                                                              const std::string& unit_id,
                                                              const std::string& period,
                                                              const std::string& request_key);

}  // namespace attain::testing
