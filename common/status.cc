#include "common/status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace attain {

namespace {
constexpr char kFinalFailure[] = "type.attain.dev/final-failure";
}  // namespace

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view type, const absl::Cord& payload) { out.SetPayload(type, payload); });
  return out;
}

absl::Status FinalFailure(absl::Status status) {
  if (!status.ok()) status.SetPayload(kFinalFailure, absl::Cord("1"));
  return status;
}

bool IsFinalFailure(const absl::Status& status) {
  return status.GetPayload(kFinalFailure).has_value();
}

}  // namespace attain
