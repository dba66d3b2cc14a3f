// Decoding of received events (attain.ingest.v1.Event) into the pipeline's
// proto-free EventRecord, enforcing the contract of events.proto. A broken
// event is not an error of the batch: it becomes a Rejection naming the
// field at fault (e.g. "order.amount.minor_units") and what to do about it.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "attain/ingest/v1/events.pb.h"
#include "services/ingest/src/domain/event.h"

namespace attain::ingest {

// Limits of the contract.
inline constexpr int kMaxIdLength = 128;     // ids, in characters
inline constexpr int kMaxSourceLength = 64;  // [a-z0-9_-]
inline constexpr int kMaxContentLength = 4000;
inline constexpr int kMaxNextActionLength = 1000;
inline constexpr int kMaxCustomerNameLength = 200;
inline constexpr int kMaxIndustryLength = 100;
inline constexpr int kMaxTopicLength = 200;

// Validates and normalises `event`. On success the result holds the record;
// otherwise `record` is empty and `rejection` names the first field at fault.
// `source`, `event_id` and `payload` (the event serialized) are always set.
IncomingEvent DecodeEvent(const v1::Event& event);

// The same, with the event's serialized bytes already at hand.
IncomingEvent DecodeEvent(const v1::Event& event, std::string payload);

// The key whose events must commit in the order they arrive (the commit
// lane's key, BatchCommitter::Options::lane_key): the customer for every
// kind that names one — orders, their receivables and payments, follow-ups,
// opportunities, surveys and the customer's own record — else the rep (or
// report author). Events of one customer thus share the customer row, the
// entity rows of its orders and their rollup cells with no other lane.
// Points into `event`.
absl::string_view CommitOrderKey(const v1::Event& event);

}  // namespace attain::ingest
