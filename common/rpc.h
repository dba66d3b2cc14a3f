// Serving a unary RPC the same way in every service (ARCHITECTURE.md §1, §2,
// §10, §12): the call is authenticated from its bearer token, its role checked,
// its work run on the worker pool (never on a gRPC thread), its reactor
// finished from there with the mapped status, and one log line written.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/worker_pool.h"

namespace attain {

// A set of roles.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  static RoleSet All() {
    RoleSet s;
    s.bits_ = ~uint32_t{0};
    return s;
  }
  bool Has(Role r) const { return (bits_ & Bit(r)) != 0; }

 private:
  static uint32_t Bit(Role r) { return uint32_t{1} << static_cast<int>(r); }
  uint32_t bits_ = 0;
};

// What every handler needs to serve calls. Not owned.
struct RpcEnv {
  const TokenVerifier* verifier = nullptr;
  WorkerPool* pool = nullptr;
};

// Reads the bearer token from the call's metadata and verifies it.
absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& ctx,
                                       const TokenVerifier& verifier);

// PERMISSION_DENIED naming the role and the method unless `roles` has it.
absl::Status CheckRole(const Principal& principal, RoleSet roles, absl::string_view method);

// Serves one unary call. `work(principal)` runs on the pool; it fills the
// response (captured by the caller) and returns the call's status. Auth
// failures finish the call at once with UNAUTHENTICATED/PERMISSION_DENIED;
// a full pool with RESOURCE_EXHAUSTED; a call whose deadline passed while it
// waited in the queue with DEADLINE_EXCEEDED, without running `work`.
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* ctx, const RpcEnv& env,
                                     const char* method, RoleSet roles,
                                     std::function<absl::Status(const Principal&)> work);

// Like ServeUnary, but `work` runs inline on the gRPC thread (so it must not
// block: it hands the call to something asynchronous) and receives `finish`,
// which it or that something must call exactly once, from any thread.
using FinishFn = std::function<void(const absl::Status&)>;
grpc::ServerUnaryReactor* ServeUnaryAsync(
    grpc::CallbackServerContext* ctx, const RpcEnv& env, const char* method, RoleSet roles,
    std::function<void(const Principal&, FinishFn finish)> work);

// Writes the one log line of a finished call.
void LogRpc(const char* method, const absl::Status& status, absl::Duration latency,
            absl::string_view tenant);

}  // namespace attain
