// gRPC handlers of attain.review.v1.MeetingService
// (protos/attain/review/v1/meeting_service.proto).
//
// The class's members are defined in two files, so that each part can grow
// without touching the other:
//   meeting_service.cc       meetings, series, status, attendance, minutes
//   meeting_agenda_rpcs.cc   agenda, reports, inquiry and the meeting pack
#pragma once

#include "absl/time/time.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "services/review/src/store/meeting_store.h"

namespace attain::review {

// attain-eval's results for action items (services/review/src/clients/eval_client.h).
class EvalClient;
class EvaluationReader;  // clients/evaluation_reader.h: targets, attainment, child units
class ActionItemStore;   // store/action_store.h: open items of a meeting

class MeetingServiceImpl final : public v1::MeetingService::CallbackService {
 public:
  struct Deps {
    MeetingStore* store = nullptr;  // required
    const Clock* clock = nullptr;   // required: "now" for start times and record times
    // The tenants' time zone: a series' meetings keep their day and time of
    // day in it.
    absl::TimeZone time_zone = absl::UTCTimeZone();
    // attain-eval's results for the agenda, report and pack RPCs; may be
    // null (those RPCs are not built yet).
    EvalClient* eval = nullptr;
    // What the agenda, report and pack RPCs read (attain-eval and
    // attain-target); null: those RPCs answer UNAVAILABLE.
    EvaluationReader* reader = nullptr;
    // The action items: the previous meeting's open items (agenda) and the
    // pack's open and overdue items; null: none are counted.
    ActionItemStore* actions = nullptr;
  };
  // Everything in `deps` must outlive the service.
  MeetingServiceImpl(const RpcEnv& env, const Deps& deps)
      : env_(env),
        store_(*deps.store),
        clock_(*deps.clock),
        time_zone_(deps.time_zone),
        eval_(deps.eval),
        reader_(deps.reader),
        actions_(deps.actions) {}

  using ServerContext = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  // --- meeting_service.cc
  Reactor* ScheduleMeeting(ServerContext* ctx, const v1::ScheduleMeetingRequest* req,
                           v1::ScheduleMeetingResponse* resp) override;
  Reactor* ScheduleMeetingSeries(ServerContext* ctx, const v1::ScheduleMeetingSeriesRequest* req,
                                 v1::ScheduleMeetingSeriesResponse* resp) override;
  Reactor* GetMeeting(ServerContext* ctx, const v1::GetMeetingRequest* req,
                      v1::GetMeetingResponse* resp) override;
  Reactor* ListMeetings(ServerContext* ctx, const v1::ListMeetingsRequest* req,
                        v1::ListMeetingsResponse* resp) override;
  Reactor* ChangeMeetingStatus(ServerContext* ctx, const v1::ChangeMeetingStatusRequest* req,
                               v1::ChangeMeetingStatusResponse* resp) override;
  Reactor* RecordAttendance(ServerContext* ctx, const v1::RecordAttendanceRequest* req,
                            v1::RecordAttendanceResponse* resp) override;
  Reactor* AddMinutesEntry(ServerContext* ctx, const v1::AddMinutesEntryRequest* req,
                           v1::AddMinutesEntryResponse* resp) override;
  Reactor* ListMinutes(ServerContext* ctx, const v1::ListMinutesRequest* req,
                       v1::ListMinutesResponse* resp) override;

  // --- meeting_agenda_rpcs.cc
  Reactor* GenerateAgenda(ServerContext* ctx, const v1::GenerateAgendaRequest* req,
                          v1::GenerateAgendaResponse* resp) override;
  Reactor* GetAgenda(ServerContext* ctx, const v1::GetAgendaRequest* req,
                     v1::GetAgendaResponse* resp) override;
  Reactor* UpdateAgendaItem(ServerContext* ctx, const v1::UpdateAgendaItemRequest* req,
                            v1::UpdateAgendaItemResponse* resp) override;
  Reactor* CreateReport(ServerContext* ctx, const v1::CreateReportRequest* req,
                        v1::CreateReportResponse* resp) override;
  Reactor* GetReport(ServerContext* ctx, const v1::GetReportRequest* req,
                     v1::GetReportResponse* resp) override;
  Reactor* ListReports(ServerContext* ctx, const v1::ListReportsRequest* req,
                       v1::ListReportsResponse* resp) override;
  Reactor* PutCause(ServerContext* ctx, const v1::PutCauseRequest* req,
                    v1::PutCauseResponse* resp) override;
  Reactor* SubmitReport(ServerContext* ctx, const v1::SubmitReportRequest* req,
                        v1::SubmitReportResponse* resp) override;
  Reactor* GetMeetingPack(ServerContext* ctx, const v1::GetMeetingPackRequest* req,
                          v1::GetMeetingPackResponse* resp) override;

 private:
  // Loads a meeting (locked with `for_update`) and its committee, NOT_FOUND
  // naming whichever is missing. Shared by both files.
  absl::Status LoadMeeting(MeetingTx& tx, const std::string& meeting_id, bool for_update,
                           MeetingRecord* meeting, CommitteeRecord* committee) const;

  const RpcEnv env_;
  MeetingStore& store_;
  const Clock& clock_;
  const absl::TimeZone time_zone_;
  EvalClient* const eval_;          // not owned; may be null
  EvaluationReader* const reader_;  // not owned; may be null
  ActionItemStore* const actions_;  // not owned; may be null
};

}  // namespace attain::review
