// Checks every review RPC applies to its input (INVALID_ARGUMENT naming the
// request field, ARCHITECTURE.md §2), and the idempotent-mutation wrapper
// (AIP-155) the handlers share.
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/timestamp.pb.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/status.h"

namespace attain::review {

// request_id: empty (no idempotency) or printable ASCII without spaces, at
// most 128 characters.
absl::Status ValidateRequestId(absl::string_view request_id);

// Ids of committees, units and meetings: 1-64 characters of A-Z, a-z, 0-9,
// '.', '_' and '-'.
absl::Status ValidateId(absl::string_view field, absl::string_view id);

// Person ids (a token's subject): 1-128 characters, none of them white space
// or a control character.
absl::Status ValidatePersonId(absl::string_view field, absl::string_view id);

// Free text of `min_chars`..`max_chars` characters (UTF-8 code points). A
// single-line text has no control characters; a multi-line one may hold
// line breaks and tabs. A NUL is refused either way (PostgreSQL cannot store
// it). A required text (min_chars >= 1) of white space only is missing.
absl::Status ValidateText(absl::string_view field, absl::string_view text, int min_chars,
                          int max_chars, bool multiline);

// A timestamp of the request; INVALID_ARGUMENT naming `field` when it is out
// of 0001-01-01..9999-12-31 or its nanos are out of range. Kept to whole
// microseconds (what is stored).
absl::StatusOr<absl::Time> TimeFromProto(absl::string_view field,
                                         const google::protobuf::Timestamp& ts);
void TimeToProto(absl::Time t, google::protobuf::Timestamp* out);

// RFC 3339 UTC, e.g. "2025-04-05T09:00:00Z" (for messages).
std::string Rfc3339(absl::Time t);

// A fresh id such as "mtg-3f9a0c1b7d2e" for `prefix` "mtg".
std::string NewId(absl::string_view prefix);

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

// Runs a mutation with idempotency on request_id: `fn(tx, fresh)` fills a
// fresh response inside the store's transaction; a retry with the same
// request gets the stored one. `Store` has Mutate(tenant, request_id, method,
// fingerprint, fn(Store::Tx&)) as MeetingStore.
template <typename Store, typename Req, typename Resp, typename Fn>
absl::Status RunMutation(Store& store, const Principal& p, const Req& req, const char* method,
                         Resp* resp, Fn fn) {
  RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  absl::StatusOr<std::string> bytes =
      store.Mutate(p.tenant, req.request_id(), method, RequestFingerprint(req),
                   [&](typename Store::Tx& tx) -> absl::StatusOr<std::string> {
                     Resp fresh;
                     RETURN_IF_ERROR(fn(tx, fresh));
                     return fresh.SerializeAsString();
                   });
  if (!bytes.ok()) return bytes.status();
  if (!resp->ParseFromString(*bytes)) {
    return absl::InternalError("the stored response of this request_id cannot be read");
  }
  return absl::OkStatus();
}

// Answers `req` from the response stored for its request_id, if any: true
// when `resp` holds it. For mutations that read other services first, so that
// a retry gets its first answer even while those services are away.
template <typename Store, typename Req, typename Resp>
absl::StatusOr<bool> ReplayStored(Store& store, const Principal& p, const Req& req,
                                  const char* method, Resp* resp) {
  RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  absl::StatusOr<std::optional<std::string>> stored =
      store.StoredResponse(p.tenant, req.request_id(), method, RequestFingerprint(req));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return false;
  if (!resp->ParseFromString(**stored)) {
    return absl::InternalError("the stored response of this request_id cannot be read");
  }
  return true;
}

// RunMutation for mutations that read outside the transaction first (and may
// call other services): a stored response for the request_id is returned at
// once, before `prepare`; otherwise `prepare` runs, then RunMutation with `fn`
// (possibly more than once: an ABORTED transaction is retried).
template <typename Req, typename Resp, typename Store, typename Fn>
absl::Status RunPrepared(Store& store, const Principal& p, const Req& req, const char* method,
                         Resp* resp, const std::function<absl::Status()>& prepare, Fn fn) {
  ASSIGN_OR_RETURN(bool replayed, ReplayStored(store, p, req, method, resp));
  if (replayed) return absl::OkStatus();
  RETURN_IF_ERROR(prepare());
  return RunMutation(store, p, req, method, resp, std::move(fn));
}

}  // namespace attain::review
