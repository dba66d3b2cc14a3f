// Adapters between the gRPC layer and the store: decode events and apply
// groups of batches (BatchApplier), list rejected events (RejectedEventReader).
#pragma once

#include "services/ingest/src/api/committer.h"
#include "services/ingest/src/api/ingest_service.h"
#include "services/ingest/src/store/ingest_store.h"

namespace attain::ingest {

class StoreBatchApplier final : public BatchApplier {
 public:
  explicit StoreBatchApplier(IngestStore& store) : store_(store) {}
  absl::Status Apply(const std::vector<IncomingBatch*>& batches) override;

 private:
  IngestStore& store_;
};

class StoreRejectedEventReader final : public RejectedEventReader {
 public:
  explicit StoreRejectedEventReader(IngestStore& store) : store_(store) {}
  absl::Status List(const std::string& tenant, const std::string& source, const std::string& after,
                    int limit, v1::ListRejectedEventsResponse* out) override;

 private:
  IngestStore& store_;
};

}  // namespace attain::ingest
