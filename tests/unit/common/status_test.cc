#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace attain {
namespace {

// --- RETURN_IF_ERROR ----------------------------------------------------------

// Runs `first` then, unless it failed, `second`; counts the steps reached.
absl::Status TwoSteps(absl::Status first, absl::Status second, int& steps) {
  RETURN_IF_ERROR(first);
  ++steps;
  RETURN_IF_ERROR(second);
  ++steps;
  return absl::OkStatus();
}

TEST(ReturnIfErrorTest, ContinuesPastOk) {
  int steps = 0;
  EXPECT_TRUE(TwoSteps(absl::OkStatus(), absl::OkStatus(), steps).ok());
  EXPECT_EQ(steps, 2);
}

TEST(ReturnIfErrorTest, ReturnsTheFirstErrorUnchanged) {
  int steps = 0;
  absl::Status s =
      TwoSteps(absl::NotFoundError("rep 7 not found"), absl::InternalError("never reached"), steps);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "rep 7 not found");
  EXPECT_EQ(steps, 0);

  steps = 0;
  s = TwoSteps(absl::OkStatus(), absl::FailedPreconditionError("period is closed"), steps);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "period is closed");
  EXPECT_EQ(steps, 1);
}

TEST(ReturnIfErrorTest, EvaluatesTheExpressionOnce) {
  int calls = 0;
  auto check = [&]() -> absl::Status {
    ++calls;
    return absl::InvalidArgumentError("bad");
  };
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(check());
    return absl::OkStatus();
  };
  EXPECT_EQ(run().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
}

TEST(ReturnIfErrorTest, WorksInAFunctionReturningStatusOr) {
  auto run = [](absl::Status s) -> absl::StatusOr<int> {
    RETURN_IF_ERROR(s);
    return 42;
  };
  EXPECT_EQ(*run(absl::OkStatus()), 42);
  absl::StatusOr<int> failed = run(absl::UnavailableError("database is down"));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "database is down");
}

TEST(ReturnIfErrorTest, IsOneStatementInAnUnbracedIf) {
  auto run = [](bool check, absl::Status s) -> absl::Status {
    if (check)
      RETURN_IF_ERROR(s);
    else
      return absl::AbortedError("not checked");
    return absl::OkStatus();
  };
  EXPECT_TRUE(run(true, absl::OkStatus()).ok());
  EXPECT_EQ(run(true, absl::InternalError("x")).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(run(false, absl::OkStatus()).code(), absl::StatusCode::kAborted);
}

// --- ASSIGN_OR_RETURN -----------------------------------------------------------

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

// Halves twice, declaring each result; counts the steps reached.
absl::StatusOr<int> Quarter(int x, int& steps) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ++steps;
  ASSIGN_OR_RETURN(int quarter, Half(half));
  ++steps;
  return quarter;
}

TEST(AssignOrReturnTest, DeclaresTheValue) {
  int steps = 0;
  absl::StatusOr<int> q = Quarter(12, steps);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, 3);
  EXPECT_EQ(steps, 2);
}

TEST(AssignOrReturnTest, ReturnsTheErrorUnchanged) {
  int steps = 0;
  absl::StatusOr<int> q = Quarter(7, steps);
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(q.status().message(), "odd");
  EXPECT_EQ(steps, 0);

  steps = 0;
  q = Quarter(6, steps);  // 6 → 3 → odd
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(steps, 1);
}

TEST(AssignOrReturnTest, AssignsToAnExistingVariable) {
  auto run = [](int x) -> absl::Status {
    int value = -1;
    ASSIGN_OR_RETURN(value, Half(x));
    return value == 5 ? absl::OkStatus() : absl::InternalError("wrong value");
  };
  EXPECT_TRUE(run(10).ok());
  EXPECT_EQ(run(3).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AssignOrReturnTest, MovesMoveOnlyValues) {
  auto make = [](bool ok) -> absl::StatusOr<std::unique_ptr<std::string>> {
    if (!ok) return absl::NotFoundError("no such meeting");
    return std::make_unique<std::string>("minutes");
  };
  auto run = [&](bool ok) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::unique_ptr<std::string> p, make(ok));
    return *p + " taken";
  };
  EXPECT_EQ(*run(true), "minutes taken");
  absl::StatusOr<std::string> failed = run(false);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(failed.status().message(), "no such meeting");
}

TEST(AssignOrReturnTest, EvaluatesTheExpressionOnce) {
  int calls = 0;
  auto source = [&]() -> absl::StatusOr<int> {
    ++calls;
    return 8;
  };
  auto run = [&]() -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(auto v, source());
    return v + 1;
  };
  EXPECT_EQ(*run(), 9);
  EXPECT_EQ(calls, 1);
}

// --- Annotate -------------------------------------------------------------------

TEST(AnnotateTest, PrefixesTheMessageAndKeepsTheCode) {
  absl::Status s = Annotate(absl::NotFoundError("rep 7 not found"), "loading team 3");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "loading team 3: rep 7 not found");
}

TEST(AnnotateTest, NestsOutermostFirst) {
  absl::Status s = Annotate(
      Annotate(absl::InvalidArgumentError("months run 01..12"), "period \"2024-13\""), "target 12");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "target 12: period \"2024-13\": months run 01..12");
}

TEST(AnnotateTest, LeavesOkAlone) {
  absl::Status s = Annotate(absl::OkStatus(), "loading team 3");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(AnnotateTest, KeepsEveryCode) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    absl::Status s = Annotate(absl::Status(code, "m"), "ctx");
    EXPECT_EQ(s.code(), code);
    EXPECT_EQ(s.message(), "ctx: m");
  }
}

}  // namespace
}  // namespace attain
