#include "services/ingest/src/api/store_adapters.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/ingest/src/api/decode.h"

namespace attain::ingest {

absl::Status StoreBatchApplier::Apply(const std::vector<IncomingBatch*>& batches) {
  std::vector<TenantBatch> group;
  group.reserve(batches.size());
  for (const IncomingBatch* b : batches) {
    TenantBatch tb;
    tb.tenant = b->tenant;
    tb.events.reserve(b->events.size());
    for (const v1::Event& e : b->events) tb.events.push_back(DecodeEvent(e));
    group.push_back(std::move(tb));
  }
  absl::StatusOr<std::vector<std::vector<EventOutcome>>> outcomes = store_.ApplyBatches(group);
  if (!outcomes.ok()) return outcomes.status();
  if (outcomes->size() != batches.size()) {
    return absl::InternalError("the store returned outcomes for the wrong number of batches");
  }
  for (size_t i = 0; i < batches.size(); ++i) {
    const std::vector<EventOutcome>& in = (*outcomes)[i];
    std::vector<v1::EventOutcome>& out = batches[i]->outcomes;
    out.clear();
    out.reserve(in.size());
    for (size_t k = 0; k < in.size(); ++k) {
      v1::EventOutcome o;
      o.set_index(static_cast<int32_t>(k));
      o.set_outcome(static_cast<v1::Outcome>(in[k].outcome));
      o.set_field(in[k].field);
      o.set_reason(in[k].reason);
      out.push_back(std::move(o));
    }
  }
  return absl::OkStatus();
}

absl::Status StoreRejectedEventReader::List(const std::string& tenant, const std::string& source,
                                            const std::string& after, int limit,
                                            v1::ListRejectedEventsResponse* out) {
  int64_t before_id = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &before_id)) {
    return absl::InvalidArgumentError("page_token is not valid for ListRejectedEvents");
  }
  absl::StatusOr<std::vector<RejectRecord>> rows =
      store_.ListRejects(tenant, source, before_id, limit + 1);
  if (!rows.ok()) return rows.status();
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
    const RejectRecord& r = (*rows)[i];
    v1::RejectedEvent* e = out->add_events();
    e->set_source(r.source);
    e->set_event_id(r.event_id);
    e->set_field(r.field);
    e->set_reason(r.reason);
    e->set_received_at(absl::FormatTime(absl::RFC3339_full, r.received_at, absl::UTCTimeZone()));
    e->mutable_event()->ParseFromString(r.payload);
  }
  if (rows->size() > static_cast<size_t>(limit)) {
    out->set_next_page_token(absl::StrCat((*rows)[limit - 1].reject_id));
  }
  return absl::OkStatus();
}

}  // namespace attain::ingest
