#include "common/rpc.h"

#include <chrono>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/log.h"

namespace attain {

absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& ctx,
                                       const TokenVerifier& verifier) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return absl::UnauthenticatedError(
        "missing authorization metadata: send 'authorization: Bearer <token>'");
  }
  return verifier.Verify(absl::string_view(it->second.data(), it->second.size()));
}

absl::Status CheckRole(const Principal& principal, RoleSet roles, absl::string_view method) {
  if (roles.Has(principal.role)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("role '", RoleName(principal.role), "' may not call ", method));
}

void LogRpc(const char* method, const absl::Status& status, absl::Duration latency,
            absl::string_view tenant) {
  const bool failed = !status.ok() && status.code() != absl::StatusCode::kNotFound &&
                      status.code() != absl::StatusCode::kInvalidArgument &&
                      status.code() != absl::StatusCode::kAlreadyExists &&
                      status.code() != absl::StatusCode::kFailedPrecondition &&
                      status.code() != absl::StatusCode::kPermissionDenied &&
                      status.code() != absl::StatusCode::kUnauthenticated;
  LogEvent ev(failed ? LogLevel::kWarn : LogLevel::kInfo, "rpc");
  ev.Str("method", method)
      .Str("status", absl::StatusCodeToString(status.code()))
      .Num("latency_ms", absl::ToDoubleMilliseconds(latency))
      .Str("tenant", tenant);
  if (!status.ok()) ev.Str("error", status.message());
}

grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* ctx, const RpcEnv& env,
                                     const char* method, RoleSet roles,
                                     std::function<absl::Status(const Principal&)> work) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto finish = [reactor, method, start](const absl::Status& status, absl::string_view tenant) {
    LogRpc(method, status, absl::Now() - start, tenant);
    reactor->Finish(ToGrpcStatus(status));
  };

  absl::StatusOr<Principal> principal = Authenticate(*ctx, *env.verifier);
  if (!principal.ok()) {
    finish(principal.status(), "");
    return reactor;
  }
  if (absl::Status st = CheckRole(*principal, roles, method); !st.ok()) {
    finish(st, principal->tenant);
    return reactor;
  }
  const std::string tenant = principal->tenant;  // `principal` is moved into the task
  absl::Status submitted =
      env.pool->Submit([ctx, finish, p = *std::move(principal), work = std::move(work)]() mutable {
        // The deadline is checked as well: gRPC marks the call cancelled a
        // little after its deadline, and work must not start past it.
        if (ctx->IsCancelled() || ctx->deadline() <= std::chrono::system_clock::now()) {
          finish(absl::DeadlineExceededError("the call was cancelled or its deadline passed "
                                             "while it waited for a worker"),
                 p.tenant);
          return;
        }
        absl::Status st;
        try {
          st = work(p);
        } catch (const std::exception& e) {
          // Stores map driver exceptions; anything reaching here is a bug, but
          // it must not take the process down.
          st = absl::InternalError(absl::StrCat("unexpected error: ", e.what()));
        }
        finish(st, p.tenant);
      });
  if (!submitted.ok()) finish(submitted, tenant);
  return reactor;
}

grpc::ServerUnaryReactor* ServeUnaryAsync(
    grpc::CallbackServerContext* ctx, const RpcEnv& env, const char* method, RoleSet roles,
    std::function<void(const Principal&, FinishFn finish)> work) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Principal> principal = Authenticate(*ctx, *env.verifier);
  const std::string tenant = principal.ok() ? principal->tenant : "";
  FinishFn finish = [reactor, method, start, tenant](const absl::Status& status) {
    LogRpc(method, status, absl::Now() - start, tenant);
    reactor->Finish(ToGrpcStatus(status));
  };
  if (!principal.ok()) {
    finish(principal.status());
    return reactor;
  }
  if (absl::Status st = CheckRole(*principal, roles, method); !st.ok()) {
    finish(st);
    return reactor;
  }
  work(*principal, std::move(finish));
  return reactor;
}

}  // namespace attain
