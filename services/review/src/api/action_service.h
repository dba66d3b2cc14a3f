// gRPC handlers of attain.review.v1.ActionItemService
// (protos/attain/review/v1/action_service.proto): action items from creation
// (split per department) through the SMART check, acceptance, progress
// reports and the overdue list to verification against attain-eval's final
// evaluation, and each person's record.
//
// Access (the proto's Auth paragraph, as implemented):
//   - create, accept/return (SUBMITTED → ACCEPTED | RETURNED), verify
//     (DONE → VERIFIED_*, VerifyActionItems): admin, committee-secretary, and
//     a committee-member token whose subject is the chair or the
//     secretary-general of the item's meeting's committee;
//   - edit (UpdateActionItem), submit, start, complete (→ SUBMITTED,
//     IN_PROGRESS, DONE) and ReportProgress: the item's owner (token subject
//     = owner_id) with any person role, and admin;
//   - read every item (Get, List, overdue): admin, director, hr, the
//     committee roles (they review every open item) and service tokens;
//     every other role (rep, manager, finance) only the items it owns — a
//     List or overdue list is narrowed to them, another's item is
//     PERMISSION_DENIED;
//   - person records: admin, director and hr for anyone; everyone else only
//     their own;
//   - crm-ingest: nothing. The tenant is always the token's.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/review/src/clients/eval_client.h"
#include "services/review/src/domain/smart.h"
#include "services/review/src/store/action_store.h"
#include "services/review/src/store/meeting_store.h"

namespace attain::review {

class ActionItemServiceImpl final : public v1::ActionItemService::CallbackService {
 public:
  struct Deps {
    ActionItemStore* store = nullptr;  // required
    MeetingStore* meetings = nullptr;  // required: the items' meetings and committees
    // attain-eval's final evaluations for VerifyActionItems; null: that RPC
    // answers UNAVAILABLE.
    EvalClient* eval = nullptr;
    const Clock* clock = nullptr;  // required: "today" and the times recorded
    // The tenants' time zone: "today" is the clock's day there.
    absl::TimeZone time_zone = absl::UTCTimeZone();
    SmartPolicy smart_policy;  // the bounds of the SMART check
  };
  // Everything in `deps` must outlive the service.
  ActionItemServiceImpl(const RpcEnv& env, const Deps& deps)
      : env_(env),
        store_(*deps.store),
        meetings_(*deps.meetings),
        eval_(deps.eval),
        clock_(*deps.clock),
        time_zone_(deps.time_zone),
        smart_policy_(deps.smart_policy) {}

  using ServerContext = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateActionItem(ServerContext* ctx, const v1::CreateActionItemRequest* req,
                            v1::CreateActionItemResponse* resp) override;
  Reactor* GetActionItem(ServerContext* ctx, const v1::GetActionItemRequest* req,
                         v1::GetActionItemResponse* resp) override;
  Reactor* ListActionItems(ServerContext* ctx, const v1::ListActionItemsRequest* req,
                           v1::ListActionItemsResponse* resp) override;
  Reactor* UpdateActionItem(ServerContext* ctx, const v1::UpdateActionItemRequest* req,
                            v1::UpdateActionItemResponse* resp) override;
  Reactor* ChangeActionStatus(ServerContext* ctx, const v1::ChangeActionStatusRequest* req,
                              v1::ChangeActionStatusResponse* resp) override;
  Reactor* ReportProgress(ServerContext* ctx, const v1::ReportProgressRequest* req,
                          v1::ReportProgressResponse* resp) override;
  Reactor* ListOverdueActionItems(ServerContext* ctx, const v1::ListOverdueActionItemsRequest* req,
                                  v1::ListOverdueActionItemsResponse* resp) override;
  Reactor* VerifyActionItems(ServerContext* ctx, const v1::VerifyActionItemsRequest* req,
                             v1::VerifyActionItemsResponse* resp) override;
  Reactor* GetPersonRecord(ServerContext* ctx, const v1::GetPersonRecordRequest* req,
                           v1::GetPersonRecordResponse* resp) override;

 private:
  // A meeting, its committee and the day of the committee's next scheduled
  // meeting after it (and after now), if any.
  struct MeetingContext {
    MeetingRecord meeting;
    CommitteeRecord committee;
    std::optional<absl::CivilDay> next_review;
  };
  absl::StatusOr<MeetingContext> LoadMeetingContext(const std::string& tenant,
                                                    const std::string& meeting_id) const;

  // The clock's day in the tenants' time zone.
  absl::CivilDay Today() const;

  absl::Status DoCreate(const Principal& p, const v1::CreateActionItemRequest& req,
                        v1::CreateActionItemResponse* resp);
  absl::Status DoUpdate(const Principal& p, const v1::UpdateActionItemRequest& req,
                        v1::UpdateActionItemResponse* resp);
  absl::Status DoChangeStatus(const Principal& p, const v1::ChangeActionStatusRequest& req,
                              v1::ChangeActionStatusResponse* resp);
  absl::Status DoReportProgress(const Principal& p, const v1::ReportProgressRequest& req,
                                v1::ReportProgressResponse* resp);
  absl::Status DoVerify(const Principal& p, const v1::VerifyActionItemsRequest& req,
                        v1::VerifyActionItemsResponse* resp);

  const RpcEnv env_;
  ActionItemStore& store_;
  MeetingStore& meetings_;
  EvalClient* const eval_;  // not owned; may be null
  const Clock& clock_;
  const absl::TimeZone time_zone_;
  const SmartPolicy smart_policy_;
};

}  // namespace attain::review
