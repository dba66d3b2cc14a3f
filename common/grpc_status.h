// The one place where absl::Status and grpc::Status meet (ARCHITECTURE.md §2).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace attain {

// Same code (the enums share numbering) and message. OK → OK.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// A dependency's failed answer to `call` as the calling service reports it to
// its own caller: no answer in time (UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED) is UNAVAILABLE naming the dependency, the call and what
// needed it ("<dependency> did not answer <call> (<message>); <needed_for>
// needs it: retry later"), marked FinalFailure (common/status.h: the
// dependency channel already retried it, so no layer above retries again); NOT_FOUND,
// INVALID_ARGUMENT and FAILED_PRECONDITION keep their code and message; anything else (a refused
// service token, a bug) is INTERNAL, the caller being unable to fix it.
absl::Status DependencyError(absl::string_view dependency, absl::string_view call,
                             const grpc::Status& status, absl::string_view needed_for);

}  // namespace attain
