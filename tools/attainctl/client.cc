#include "tools/attainctl/client.h"

#include <cstdint>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace attain::ctl {

std::unique_ptr<grpc::ClientContext> Client::NewContext(bool with_token) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  if (with_token && !options_.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  return context;
}

std::string Client::NewRequestId() const {
  if (!options_.request_id.empty()) return options_.request_id;
  std::random_device device;
  std::uniform_int_distribution<uint32_t> dist;
  uint32_t w[4];
  for (uint32_t& x : w) x = dist(device);
  w[1] = (w[1] & 0xFFFF0FFFu) | 0x00004000u;  // version 4
  w[2] = (w[2] & 0x3FFFFFFFu) | 0x80000000u;  // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%04x%08x", w[0], w[1] >> 16, w[1] & 0xFFFF,
                         w[2] >> 16, w[2] & 0xFFFF, w[3]);
}

// Answers may be as large as the service sends: an evaluation of 10,000
// reps is about 11 MiB, past gRPC's 4 MiB default.
std::shared_ptr<grpc::Channel> Client::OpenChannel(const std::string& addr) const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(addr, transport_.ChannelCredentials(), args);
}

std::shared_ptr<grpc::Channel> Client::channel() {
  if (channel_ == nullptr) channel_ = OpenChannel(options_.addr);
  return channel_;
}

targetv1::OrgService::Stub& Client::org() {
  if (org_ == nullptr) org_ = targetv1::OrgService::NewStub(channel());
  return *org_;
}

targetv1::TargetService::Stub& Client::target() {
  if (target_ == nullptr) target_ = targetv1::TargetService::NewStub(channel());
  return *target_;
}

::attain::ingest::v1::IngestService::Stub& Client::ingest() {
  if (ingest_ == nullptr) {
    ingest_channel_ = OpenChannel(options_.ingest_addr);
    ingest_ = ::attain::ingest::v1::IngestService::NewStub(ingest_channel_);
  }
  return *ingest_;
}

std::shared_ptr<grpc::Channel> Client::EvalChannel() {
  if (eval_channel_ == nullptr) eval_channel_ = OpenChannel(options_.eval_addr);
  return eval_channel_;
}

::attain::eval::v1::TemplateService::Stub& Client::templates() {
  if (templates_ == nullptr)
    templates_ = ::attain::eval::v1::TemplateService::NewStub(EvalChannel());
  return *templates_;
}

::attain::eval::v1::ScorecardService::Stub& Client::scorecards() {
  if (scorecards_ == nullptr) {
    scorecards_ = ::attain::eval::v1::ScorecardService::NewStub(EvalChannel());
  }
  return *scorecards_;
}

::attain::eval::v1::LeaderboardService::Stub& Client::leaderboards() {
  if (leaderboards_ == nullptr) {
    leaderboards_ = ::attain::eval::v1::LeaderboardService::NewStub(EvalChannel());
  }
  return *leaderboards_;
}

std::shared_ptr<grpc::Channel> Client::ReviewChannel() {
  if (review_channel_ == nullptr) review_channel_ = OpenChannel(options_.review_addr);
  return review_channel_;
}

::attain::review::v1::CommitteeService::Stub& Client::committees() {
  if (committees_ == nullptr) {
    committees_ = ::attain::review::v1::CommitteeService::NewStub(ReviewChannel());
  }
  return *committees_;
}

::attain::review::v1::MeetingService::Stub& Client::meetings() {
  if (meetings_ == nullptr) {
    meetings_ = ::attain::review::v1::MeetingService::NewStub(ReviewChannel());
  }
  return *meetings_;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

int Client::Fail(const grpc::Status& status) const {
  std::string hint;
  const std::string& addr = options_.addr;
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      hint = absl::StrCat(
          options_.token.empty() ? "no token was sent: " : "the token was refused: ",
          "mint a token with `attainctl token mint --tenant T --subject S --role admin "
          "--key-file F` (the service's key) and pass --token or set ATTAIN_TOKEN");
      break;
    case grpc::StatusCode::PERMISSION_DENIED:
      hint =
          "the token's role or scope does not allow this: use a token with a role that may "
          "(e.g. mint one with --role admin)";
      break;
    case grpc::StatusCode::UNAVAILABLE:
      hint = absl::StrCat("is the service running at ", addr,
                          "? (point --addr or ATTAIN_TARGET_ADDR at it; check with "
                          "`attainctl health`)",
                          transport_.plaintext()
                              ? "; if it serves TLS, give --tls-ca-file (and --tls-cert-file and "
                                "--tls-key-file when it requires a client certificate), or "
                                "source the local runtime's .attain/env"
                              : "; or the TLS handshake failed: check --tls-ca-file, "
                                "--tls-cert-file and --tls-key-file");
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      hint = absl::StrCat("no answer within ", absl::FormatDuration(options_.timeout),
                          ": is the service at ", addr,
                          " overloaded or stuck? raise --timeout to wait longer");
      break;
    case grpc::StatusCode::UNIMPLEMENTED:
      hint = absl::StrCat("the server at ", addr,
                          " does not implement this method: is it the target service, at the "
                          "same API version?");
      break;
    case grpc::StatusCode::INVALID_ARGUMENT:
      hint = "fix the value named above and run the command again";
      break;
    case grpc::StatusCode::NOT_FOUND:
      hint =
          "check the id: `attainctl org unit list`, `attainctl org rep list`, `attainctl "
          "target list` show what exists";
      break;
    case grpc::StatusCode::ALREADY_EXISTS:
      hint = "choose another id or name, or use the existing one";
      break;
    case grpc::StatusCode::FAILED_PRECONDITION:
      hint = absl::StrContains(status.error_message(), "lock")
                 ? "the period is locked: see `attainctl target locks`; an admin can run "
                   "`attainctl target unlock PERIOD`"
                 : "the current state does not allow this: change what the message names first";
      break;
    case grpc::StatusCode::ABORTED:
      hint = "a concurrent change got in the way: run the command again";
      break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      hint = "the service is overloaded or the request too large: retry later or send less";
      break;
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
      hint = "the service failed: its log has the details";
      break;
    default:
      break;
  }
  std::cerr << "error: " << StatusCodeName(status.error_code()) << ": " << status.error_message()
            << "\n";
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  std::cerr << std::flush;
  return kExitFailure;
}

}  // namespace attain::ctl
