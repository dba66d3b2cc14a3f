#include "services/ingest/src/api/ingest_service.h"

#include <deque>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/page.h"
#include "common/status.h"

namespace attain::ingest {

RoleSet IngestWriters() { return {Role::kAdmin, Role::kCrmIngest}; }

absl::Status CheckBatchSize(int n) {
  if (n < 1) return absl::InvalidArgumentError("events is empty: send at least one event");
  if (n > kMaxBatchEvents) {
    return absl::InvalidArgumentError(
        absl::StrCat("events has ", n, " events; send at most ", kMaxBatchEvents, " per batch"));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* IngestServiceImpl::IngestBatch(grpc::CallbackServerContext* ctx,
                                                         const v1::IngestBatchRequest* req,
                                                         v1::IngestBatchResponse* resp) {
  return ServeUnaryAsync(
      ctx, env_, "attain.ingest.v1.IngestService/IngestBatch", IngestWriters(),
      [this, req, resp](const Principal& p, FinishFn finish) {
        if (absl::Status st = CheckBatchSize(req->events_size()); !st.ok()) {
          finish(st);
          return;
        }
        auto batch = std::make_unique<IncomingBatch>();
        batch->tenant = p.tenant;
        batch->events.assign(req->events().begin(), req->events().end());
        absl::Status submitted = committer_.Submit(
            std::move(batch),
            [resp, finish](absl::StatusOr<std::vector<v1::EventOutcome>> outcomes) {
              if (!outcomes.ok()) {
                finish(outcomes.status());
                return;
              }
              for (v1::EventOutcome& o : *outcomes) *resp->add_outcomes() = std::move(o);
              finish(absl::OkStatus());
            });
        if (!submitted.ok()) finish(submitted);
      });
}

namespace {

// One StreamIngest call: reads batches, hands each to the committer and
// writes the acknowledgements in order as they become durable. Holds no
// thread while idle. At most kMaxUnackedBatchesPerStream batches are in
// commit or waiting for their ack write; past that, reading pauses.
//
// The reactor finishes (and may be deleted) only when no commit callback can
// reach it any more: in_commit_ == 0 and no write in flight.
class StreamReactor final
    : public grpc::ServerBidiReactor<v1::StreamIngestRequest, v1::StreamIngestResponse> {
 public:
  StreamReactor(grpc::CallbackServerContext* ctx, const RpcEnv& env, BatchCommitter& committer,
                StreamSlots& slots)
      : committer_(committer), slots_(slots), start_(absl::Now()) {
    absl::StatusOr<Principal> p = Authenticate(*ctx, *env.verifier);
    if (p.ok()) {
      tenant_ = p->tenant;
      if (absl::Status st = CheckRole(*p, IngestWriters(), kMethod); !st.ok()) p = st;
    }
    if (p.ok()) {
      if (absl::Status st = slots_.TryAcquire(); !st.ok()) {
        p = st;
      } else {
        holds_slot_ = true;
      }
    }
    absl::MutexLock l(&mu_);
    if (!p.ok()) {
      FailLocked(p.status());
      return;
    }
    reading_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    absl::MutexLock l(&mu_);
    reading_ = false;
    if (!ok || failed_) {  // the client half-closed, the call broke, or we are failing
      reads_done_ = true;
      MaybeFinishLocked();
      return;
    }
    const int64_t seq = request_.batch_seq();
    if (absl::Status st = CheckBatchSize(request_.events_size()); !st.ok()) {
      FailLocked(Annotate(st, absl::StrCat("batch_seq ", seq)));
      return;
    }
    auto batch = std::make_unique<IncomingBatch>();
    batch->tenant = tenant_;
    // Moved, not copied: request_ is read into afresh for the next batch.
    batch->events.reserve(request_.events_size());
    for (v1::Event& e : *request_.mutable_events()) batch->events.push_back(std::move(e));
    ++in_commit_;
    const int64_t ordinal = next_ordinal_++;
    absl::Status submitted = committer_.Submit(
        std::move(batch),
        [this, seq, ordinal](absl::StatusOr<std::vector<v1::EventOutcome>> outcomes) {
          OnCommitted(seq, ordinal, std::move(outcomes));
        });
    if (!submitted.ok()) {
      --in_commit_;
      FailLocked(Annotate(submitted, absl::StrCat("batch_seq ", seq)));
      return;
    }
    MaybeReadLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock l(&mu_);
    writing_ = false;
    acks_.pop_front();
    if (!ok) {
      FailLocked(absl::CancelledError("the client stopped receiving acknowledgements"));
      return;
    }
    WriteNextLocked();
    MaybeReadLocked();
    MaybeFinishLocked();
  }

  void OnCancel() override {
    absl::MutexLock l(&mu_);
    FailLocked(absl::CancelledError("the stream was cancelled by the client"));
  }

  void OnDone() override {
    if (holds_slot_) slots_.Release();
    LogRpc(kMethod, final_status_, absl::Now() - start_, tenant_);
    delete this;
  }

 private:
  static constexpr char kMethod[] = "attain.ingest.v1.IngestService/StreamIngest";

  // Commits of a stream's batches may complete out of order (several
  // lanes); acknowledgements go out in the order the batches came in.
  void OnCommitted(int64_t seq, int64_t ordinal,
                   absl::StatusOr<std::vector<v1::EventOutcome>> outcomes) {
    absl::MutexLock l(&mu_);
    --in_commit_;
    if (!outcomes.ok()) {
      // Not durable: end the stream; the client resends what was not acknowledged.
      FailLocked(Annotate(outcomes.status(), absl::StrCat("batch_seq ", seq)));
      return;
    }
    if (!failed_) {
      v1::StreamIngestResponse ack;
      ack.set_batch_seq(seq);
      for (v1::EventOutcome& o : *outcomes) *ack.add_outcomes() = std::move(o);
      committed_.emplace(ordinal, std::move(ack));
      // Move every ack that is next in line to the write queue.
      for (auto it = committed_.begin(); it != committed_.end() && it->first == next_to_ack_;
           it = committed_.erase(it), ++next_to_ack_) {
        acks_.push_back(std::move(it->second));
      }
      WriteNextLocked();
    }
    MaybeFinishLocked();
  }

  void MaybeReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reading_ || reads_done_ || failed_) return;
    if (in_commit_ + static_cast<int>(acks_.size() + committed_.size()) >=
        kMaxUnackedBatchesPerStream) {
      return;
    }
    reading_ = true;
    StartRead(&request_);
  }

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || acks_.empty() || failed_) return;
    writing_ = true;
    StartWrite(&acks_.front());
  }

  // Records the first error; the stream ends with it once nothing is in flight.
  void FailLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!failed_) {
      failed_ = true;
      final_status_ = status;
    }
    MaybeFinishLocked();
  }

  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // A pending read may stay outstanding: gRPC completes it (ok = false)
    // after Finish and calls OnDone only then.
    if (finished_ || in_commit_ > 0 || writing_) return;
    if (failed_) {
      finished_ = true;
      Finish(ToGrpcStatus(final_status_));
    } else if (reads_done_ && acks_.empty() && committed_.empty() && !reading_) {
      finished_ = true;
      Finish(grpc::Status::OK);
    }
  }

  BatchCommitter& committer_;
  StreamSlots& slots_;
  const absl::Time start_;
  std::string tenant_;
  bool holds_slot_ = false;  // written in the constructor only
  v1::StreamIngestRequest request_;
  absl::Mutex mu_;
  std::deque<v1::StreamIngestResponse> acks_ ABSL_GUARDED_BY(mu_);  // ready to write, in order
  std::map<int64_t, v1::StreamIngestResponse> committed_ ABSL_GUARDED_BY(mu_);  // waiting for
                                                                                // earlier ones
  int64_t next_ordinal_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_to_ack_ ABSL_GUARDED_BY(mu_) = 0;
  int in_commit_ ABSL_GUARDED_BY(mu_) = 0;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status final_status_;  // written under mu_ before Finish; read in OnDone
};

}  // namespace

grpc::ServerBidiReactor<v1::StreamIngestRequest, v1::StreamIngestResponse>*
IngestServiceImpl::StreamIngest(grpc::CallbackServerContext* ctx) {
  return new StreamReactor(ctx, env_, committer_, stream_slots_);
}

grpc::ServerUnaryReactor* IngestServiceImpl::ListRejectedEvents(
    grpc::CallbackServerContext* ctx, const v1::ListRejectedEventsRequest* req,
    v1::ListRejectedEventsResponse* resp) {
  return ServeUnary(
      ctx, env_, "attain.ingest.v1.IngestService/ListRejectedEvents",
      {Role::kAdmin, Role::kCrmIngest, Role::kDirector, Role::kFinance},
      [this, req, resp](const Principal& p) -> absl::Status {
        ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
        ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
        RETURN_IF_ERROR(rejects_.List(p.tenant, req->source(), after, limit, resp));
        if (!resp->next_page_token().empty()) {
          resp->set_next_page_token(EncodePageToken(resp->next_page_token(), PageContext(*req)));
        }
        return absl::OkStatus();
      });
}

}  // namespace attain::ingest
