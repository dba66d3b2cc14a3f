// Scorecard template validation as TemplateService does it on Create/Update:
// the input is a serialized attain.eval.v1.ScorecardTemplate, converted by
// TemplateFromProto (services/eval/src/api/template_convert.h), which runs the
// domain's ValidateTemplate. What it accepts must be valid and must survive the
// store's round trip (DefinitionBytes → proto → template) unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "attain/eval/v1/template.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "services/eval/src/api/template_convert.h"
#include "services/eval/src/domain/scorecard_template.h"
#include "tests/fuzz/fuzz_check.h"

namespace v1 = ::attain::eval::v1;
using attain::eval::ScorecardTemplate;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs every string field that is not UTF-8; the fuzzer makes many.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  v1::ScorecardTemplate in;
  if (!in.ParseFromArray(data, static_cast<int>(size))) return 0;
  absl::StatusOr<ScorecardTemplate> tmpl =
      attain::eval::TemplateFromProto(in, "tpl-fuzz", 1, "template.");
  if (!tmpl.ok()) {
    FUZZ_CHECK(tmpl.status().code() == absl::StatusCode::kInvalidArgument) << tmpl.status();
    FUZZ_CHECK(absl::StartsWith(tmpl.status().message(), "template has "))
        << tmpl.status().message();
    return 0;
  }
  FUZZ_CHECK(attain::eval::ValidateTemplate(*tmpl).ok());
  // What the store keeps reads back as the same template.
  const std::string stored = attain::eval::DefinitionBytes(*tmpl);
  v1::ScorecardTemplate reread;
  FUZZ_CHECK(reread.ParseFromString(stored));
  absl::StatusOr<ScorecardTemplate> again =
      attain::eval::TemplateFromProto(reread, "tpl-fuzz", 1, "template.");
  FUZZ_CHECK(again.ok()) << again.status();
  FUZZ_CHECK(attain::eval::DefinitionBytes(*again) == stored);
  return 0;
}
