// gRPC handlers of attain.ingest.v1.IngestService.
#pragma once

#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "common/rpc.h"
#include "common/stream_slots.h"
#include "services/ingest/src/api/committer.h"

namespace attain::ingest {

// The most events one batch (unary or one stream message) may carry.
inline constexpr int kMaxBatchEvents = 1000;
// Batches a stream may have waiting for acknowledgement; beyond, the server
// stops reading that stream until acknowledgements catch up (flow control).
inline constexpr int kMaxUnackedBatchesPerStream = 8;
// StreamIngest streams one server serves at once; past it a new stream ends
// at once with RESOURCE_EXHAUSTED (docs/limits.md). Each can hold
// kMaxUnackedBatchesPerStream batches in memory.
inline constexpr int kMaxConcurrentStreams = 64;

// Lists rejected events for ListRejectedEvents.
class RejectedEventReader {
 public:
  virtual ~RejectedEventReader() = default;
  // Newest first; `after` is the page token's key ("" for the first page).
  virtual absl::Status List(const std::string& tenant, const std::string& source,
                            const std::string& after, int limit,
                            v1::ListRejectedEventsResponse* out) = 0;
};

class IngestServiceImpl final : public v1::IngestService::CallbackService {
 public:
  // Not owned; must outlive the service. At most `max_streams` StreamIngest
  // calls are served at once.
  IngestServiceImpl(const RpcEnv& env, BatchCommitter& committer, RejectedEventReader& rejects,
                    int max_streams = kMaxConcurrentStreams)
      : env_(env),
        committer_(committer),
        rejects_(rejects),
        stream_slots_(max_streams, "StreamIngest streams") {}

  grpc::ServerUnaryReactor* IngestBatch(grpc::CallbackServerContext* ctx,
                                        const v1::IngestBatchRequest* req,
                                        v1::IngestBatchResponse* resp) override;
  grpc::ServerBidiReactor<v1::StreamIngestRequest, v1::StreamIngestResponse>* StreamIngest(
      grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* ListRejectedEvents(grpc::CallbackServerContext* ctx,
                                               const v1::ListRejectedEventsRequest* req,
                                               v1::ListRejectedEventsResponse* resp) override;

 private:
  const RpcEnv env_;
  BatchCommitter& committer_;
  RejectedEventReader& rejects_;
  StreamSlots stream_slots_;
};

// Roles that may write events.
RoleSet IngestWriters();

// INVALID_ARGUMENT unless 1 <= n <= kMaxBatchEvents.
absl::Status CheckBatchSize(int n);

}  // namespace attain::ingest
