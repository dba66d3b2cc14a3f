// The one place where absl::Status and grpc::Status meet (ARCHITECTURE.md §2).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace attain {

// Same code (the enums share numbering) and message. OK → OK.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace attain
