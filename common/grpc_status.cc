#include "common/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace attain {
namespace {

// absl::StatusCode and grpc::StatusCode share numbering 0..16 (both follow
// google.rpc.Code); anything outside it becomes UNKNOWN on either side.
constexpr int kMaxCanonicalCode = 16;  // UNAUTHENTICATED

static_assert(static_cast<int>(absl::StatusCode::kCancelled) == grpc::StatusCode::CANCELLED);
static_assert(static_cast<int>(absl::StatusCode::kInvalidArgument) ==
              grpc::StatusCode::INVALID_ARGUMENT);
static_assert(static_cast<int>(absl::StatusCode::kResourceExhausted) ==
              grpc::StatusCode::RESOURCE_EXHAUSTED);
static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
              grpc::StatusCode::UNAUTHENTICATED);
static_assert(kMaxCanonicalCode == grpc::StatusCode::UNAUTHENTICATED);

bool IsCanonical(int code) { return code >= 0 && code <= kMaxCanonicalCode; }

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  return grpc::Status(
      IsCanonical(code) ? static_cast<grpc::StatusCode>(code) : grpc::StatusCode::UNKNOWN,
      std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int code = static_cast<int>(status.error_code());
  return absl::Status(
      IsCanonical(code) ? static_cast<absl::StatusCode>(code) : absl::StatusCode::kUnknown,
      status.error_message());
}

absl::Status DependencyError(absl::string_view dependency, absl::string_view call,
                             const grpc::Status& status, absl::string_view needed_for) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      // Final: the dependency channel's retry policy has already retried it.
      return FinalFailure(absl::UnavailableError(
          absl::StrCat(dependency, " did not answer ", call, " (", status.error_message(), "); ",
                       needed_for, " needs it: retry later")));
    case grpc::StatusCode::NOT_FOUND:
      return absl::NotFoundError(status.error_message());
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::InvalidArgumentError(status.error_message());
    case grpc::StatusCode::FAILED_PRECONDITION:
      return absl::FailedPreconditionError(status.error_message());
    default:
      return absl::InternalError(
          absl::StrCat(dependency, " refused ", call, ": ", status.error_message()));
  }
}

}  // namespace attain
