// Status helpers used across the suite: RETURN_IF_ERROR / ASSIGN_OR_RETURN and
// small constructors for the error model of ARCHITECTURE.md §2.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ATTAIN_STATUS_CONCAT_INNER_(a, b) a##b
#define ATTAIN_STATUS_CONCAT_(a, b) ATTAIN_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status _attain_st = (expr);      \
    if (!_attain_st.ok()) return _attain_st; \
  } while (0)

// `ASSIGN_OR_RETURN(T x, StatusOrExpr)`: declares/assigns `x` from the value or
// returns the error from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ATTAIN_ASSIGN_OR_RETURN_IMPL_(ATTAIN_STATUS_CONCAT_(_attain_so_, __LINE__), lhs, expr)
#define ATTAIN_ASSIGN_OR_RETURN_IMPL_(so, lhs, expr) \
  auto so = (expr);                                  \
  if (!so.ok()) return std::move(so).status();       \
  lhs = std::move(so).value()

namespace attain {

// Prefixes the message of a non-OK status with `context: ` (keeps the code
// and the payloads, so a FinalFailure stays final).
absl::Status Annotate(const absl::Status& status, absl::string_view context);

// Marks a failure that must not be retried again on its way up: a call to
// another service that gRPC's retry policy already retried, or that ran out
// of its deadline. Callers that retry transient errors (UNAVAILABLE, ABORTED)
// skip statuses for which IsFinalFailure is true, so a dead or hung dependency
// costs the client one deadline, not one per retry layer.
absl::Status FinalFailure(absl::Status status);
bool IsFinalFailure(const absl::Status& status);

}  // namespace attain
