// The connection to the target service: channel, bearer token, per-call
// deadline, request ids and how failed calls are reported.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/transport.h"
#include "tools/attainctl/cli.h"

namespace attain::ctl {

namespace targetv1 = ::attain::target::v1;

class Client {
 public:
  Client(GlobalOptions options, Transport transport)
      : options_(std::move(options)), transport_(std::move(transport)) {}

  // A channel to `addr` with the client's transport (TLS or plaintext),
  // accepting answers of any size.
  std::shared_ptr<grpc::Channel> OpenChannel(const std::string& addr) const;

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }

  // A context with the --timeout deadline and, when `with_token`, the
  // `authorization: Bearer …` metadata.
  std::unique_ptr<grpc::ClientContext> NewContext(bool with_token = true) const;

  // --request-id when given, else a fresh random UUID.
  std::string NewRequestId() const;

  std::shared_ptr<grpc::Channel> channel();
  targetv1::OrgService::Stub& org();
  targetv1::TargetService::Stub& target();
  // The ingest service, on its own channel to --ingest-addr.
  ::attain::ingest::v1::IngestService::Stub& ingest();
  // The evaluation service's templates, on its own channel to --eval-addr.
  ::attain::eval::v1::TemplateService::Stub& templates();
  // The evaluation service's leaderboards, on the same channel.
  ::attain::eval::v1::LeaderboardService::Stub& leaderboards();
  // The evaluation service's scorecards, on the same channel.
  ::attain::eval::v1::ScorecardService::Stub& scorecards();

  // The review service's committees and meetings, on their own channel to
  // --review-addr.
  ::attain::review::v1::CommitteeService::Stub& committees();
  ::attain::review::v1::MeetingService::Stub& meetings();

  // Calls one unary method of either service with a fresh context, e.g.
  // `client.Call(&targetv1::OrgService::Stub::GetOrgUnit, request, &response)`.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    return (StubFor(static_cast<Stub*>(nullptr)).*method)(context.get(), request, response);
  }

  // Calls a List method page after page, merging every page into `all`
  // (repeated fields appended, next_page_token cleared). Stops after `limit`
  // items when `limit` > 0; `count` tells how many items `all` holds.
  template <typename Stub, typename Request, typename Response, typename Count>
  grpc::Status ListAll(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                    Response*),
                       Request request, Response* all, Count count, int64_t limit = 0) {
    constexpr int64_t kPageSize = 1000;
    for (;;) {
      const int64_t remaining = limit > 0 ? limit - static_cast<int64_t>(count(*all)) : kPageSize;
      request.set_page_size(static_cast<int32_t>(std::min(remaining, kPageSize)));
      Response page;
      grpc::Status status = Call(method, request, &page);
      if (!status.ok()) return status;
      all->MergeFrom(page);
      const bool done = page.next_page_token().empty() ||
                        page.next_page_token() == request.page_token() ||
                        (limit > 0 && count(*all) >= limit);
      if (done) break;
      request.set_page_token(page.next_page_token());
    }
    all->clear_next_page_token();
    return grpc::Status::OK;
  }

  // Prints `error: <CODE>: <message>` and a hint of what to do to stderr;
  // returns kExitFailure.
  int Fail(const grpc::Status& status) const;

 private:
  targetv1::OrgService::Stub& StubFor(targetv1::OrgService::Stub*) { return org(); }
  targetv1::TargetService::Stub& StubFor(targetv1::TargetService::Stub*) { return target(); }
  ::attain::eval::v1::TemplateService::Stub& StubFor(::attain::eval::v1::TemplateService::Stub*) {
    return templates();
  }
  ::attain::eval::v1::LeaderboardService::Stub& StubFor(
      ::attain::eval::v1::LeaderboardService::Stub*) {
    return leaderboards();
  }
  ::attain::eval::v1::ScorecardService::Stub& StubFor(::attain::eval::v1::ScorecardService::Stub*) {
    return scorecards();
  }
  ::attain::review::v1::CommitteeService::Stub& StubFor(
      ::attain::review::v1::CommitteeService::Stub*) {
    return committees();
  }
  ::attain::review::v1::MeetingService::Stub& StubFor(::attain::review::v1::MeetingService::Stub*) {
    return meetings();
  }
  std::shared_ptr<grpc::Channel> EvalChannel();
  std::shared_ptr<grpc::Channel> ReviewChannel();

  GlobalOptions options_;
  Transport transport_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<targetv1::OrgService::Stub> org_;
  std::unique_ptr<targetv1::TargetService::Stub> target_;
  std::shared_ptr<grpc::Channel> ingest_channel_;
  std::unique_ptr<::attain::ingest::v1::IngestService::Stub> ingest_;
  std::shared_ptr<grpc::Channel> eval_channel_;
  std::unique_ptr<::attain::eval::v1::TemplateService::Stub> templates_;
  std::unique_ptr<::attain::eval::v1::LeaderboardService::Stub> leaderboards_;
  std::unique_ptr<::attain::eval::v1::ScorecardService::Stub> scorecards_;
  std::shared_ptr<grpc::Channel> review_channel_;
  std::unique_ptr<::attain::review::v1::CommitteeService::Stub> committees_;
  std::unique_ptr<::attain::review::v1::MeetingService::Stub> meetings_;
};

// "INVALID_ARGUMENT" for grpc::StatusCode::INVALID_ARGUMENT, and so on.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace attain::ctl
