// attain.eval.v1 template messages ↔ the domain model (domain/scorecard_template.h),
// and the request checks TemplateService shares. Validation itself is the
// domain's (ValidateTemplate); this layer adds what the domain type cannot
// express (a oneof left unset, an enum left unspecified) and renames the
// domain's paths to the request's field paths.
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "attain/eval/v1/template.pb.h"
#include "attain/eval/v1/template_service.pb.h"
#include "services/eval/src/domain/scorecard_template.h"
#include "services/eval/src/store/template_store.h"

namespace attain::eval {

// The domain template of a definition, with `template_id` and `version` set
// (the message's own id, version and output-only fields are ignored). A cap
// of 0 reads as 10000 (no bonus) and STEP_MODE_UNSPECIFIED as whole steps.
// INVALID_ARGUMENT unless it passes ValidateTemplate; the message lists every
// problem, each with its field path in the request, which is `prefix` (e.g.
// "template.") followed by the message's field names:
//   "template has 2 problems: template.dimensions: the dimension weights sum
//    to 90 points, not 100; template.dimensions[0].indicators[1].inverse: …"
absl::StatusOr<ScorecardTemplate> TemplateFromProto(const v1::ScorecardTemplate& in,
                                                    const std::string& template_id, int64_t version,
                                                    absl::string_view prefix);

// The definition fields (template_id, version, name, dimensions, grades) of a
// domain template; the output-only fields are left as they are.
void TemplateToProto(const ScorecardTemplate& tmpl, v1::ScorecardTemplate* out);

// A stored version as the API shows it: its definition plus id, version,
// preset, times and author. INTERNAL if the stored definition cannot be read.
absl::Status RecordToProto(const TemplateVersionRecord& rec, v1::ScorecardTemplate* out);

void AssignmentToProto(const AssignmentRecord& rec, v1::TemplateAssignment* out);

// The definition bytes stored for a template: the proto of TemplateToProto
// with id and version cleared (they are columns), serialized deterministically.
std::string DefinitionBytes(const ScorecardTemplate& tmpl);

// Ids of templates and units: 1-64 characters of a-z, 0-9, '-' and '_'.
// INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateId(absl::string_view field, absl::string_view id);

// request_id: empty (no idempotency) or printable ASCII without spaces, at
// most 128 characters.
absl::Status ValidateRequestId(absl::string_view request_id);

// "YYYY-MM-DD" → day; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view field, absl::string_view text);

// A fresh id such as "tpl-3f9a0c1b7d2e".
std::string NewTemplateId();

// Deterministic bytes of a request with its request_id cleared: two calls
// with one request_id must carry the same fingerprint to be the same request.
template <typename Req>
std::string RequestFingerprint(const Req& request) {
  Req copy = request;
  copy.clear_request_id();
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace attain::eval
