#include "common/grpc_status.h"

#include <gtest/gtest.h>

#include <string>

#include "common/status.h"

namespace attain {
namespace {

TEST(ToGrpcStatusTest, OkIsOk) {
  grpc::Status s = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(s.error_message(), "");
}

TEST(ToGrpcStatusTest, KeepsCodeAndMessage) {
  grpc::Status s =
      ToGrpcStatus(absl::InvalidArgumentError("period \"2024-13\" is not a month: months run "
                                              "01..12"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "period \"2024-13\" is not a month: months run 01..12");

  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("rep 7")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(absl::AlreadyExistsError("x")).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("x")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatus(absl::AbortedError("x")).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatus(absl::PermissionDeniedError("x")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ToGrpcStatus(absl::DeadlineExceededError("x")).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("x")).error_code(), grpc::StatusCode::INTERNAL);
}

TEST(ToGrpcStatusTest, EveryCodeKeepsItsNumber) {
  for (int c = 1; c <= 16; ++c) {
    grpc::Status s = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(c), "m"));
    EXPECT_EQ(static_cast<int>(s.error_code()), c);
    EXPECT_EQ(s.error_message(), "m");
  }
}

TEST(ToGrpcStatusTest, ErrorWithEmptyMessageStaysAnError) {
  grpc::Status s = ToGrpcStatus(absl::InternalError(""));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
}

TEST(ToGrpcStatusTest, NonCanonicalCodeBecomesUnknown) {
  grpc::Status s = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd code"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(s.error_message(), "odd code");
}

TEST(FromGrpcStatusTest, OkIsOk) {
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status()).ok());
}

TEST(FromGrpcStatusTest, KeepsCodeAndMessage) {
  absl::Status s =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "target service is down"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "target service is down");

  absl::Status denied = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "role rep cannot read team 3"));
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "role rep cannot read team 3");
}

TEST(FromGrpcStatusTest, EveryCodeKeepsItsNumber) {
  for (int c = 1; c <= 16; ++c) {
    absl::Status s = FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(c), "m"));
    EXPECT_EQ(static_cast<int>(s.code()), c);
    EXPECT_EQ(s.message(), "m");
  }
}

TEST(FromGrpcStatusTest, NonCanonicalCodeBecomesUnknown) {
  absl::Status s = FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(99), "odd"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(s.message(), "odd");
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::DO_NOT_USE, "x")).code(),
            absl::StatusCode::kUnknown);
}

TEST(GrpcStatusTest, RoundTripsBothWays) {
  const absl::Status original = absl::ResourceExhaustedError("work queue full; retry");
  EXPECT_EQ(FromGrpcStatus(ToGrpcStatus(original)), original);
  const grpc::Status wire(grpc::StatusCode::ABORTED, "serialization failure; retry");
  const grpc::Status back = ToGrpcStatus(FromGrpcStatus(wire));
  EXPECT_EQ(back.error_code(), wire.error_code());
  EXPECT_EQ(back.error_message(), wire.error_message());
}

// A dependency's failure as the caller reports it: a missing answer is
// UNAVAILABLE naming who, what and why; the caller's own mistakes keep their
// code; the rest is INTERNAL.
TEST(DependencyErrorTest, MapsCodesForTheCaller) {
  const char* kEval = "the evaluation service (attain-eval)";
  for (grpc::StatusCode c : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
                             grpc::StatusCode::RESOURCE_EXHAUSTED}) {
    absl::Status s =
        DependencyError(kEval, "GetScorecard", grpc::Status(c, "connection refused"), "the agenda");
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(IsFinalFailure(s)) << "the channel retried it already";
    EXPECT_EQ(s.message(),
              "the evaluation service (attain-eval) did not answer GetScorecard (connection "
              "refused); the agenda needs it: retry later");
  }
  EXPECT_EQ(DependencyError(kEval, "X", grpc::Status(grpc::StatusCode::NOT_FOUND, "no unit"), "y"),
            absl::NotFoundError("no unit"));
  EXPECT_EQ(
      DependencyError(kEval, "X", grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad"), "y"),
      absl::InvalidArgumentError("bad"));
  EXPECT_EQ(DependencyError(kEval, "X",
                            grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "draft"), "y"),
            absl::FailedPreconditionError("draft"));
  absl::Status refused = DependencyError(
      kEval, "ListEvaluations", grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "role"), "y");
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(refused.message(),
            "the evaluation service (attain-eval) refused ListEvaluations: role");
}

}  // namespace
}  // namespace attain
