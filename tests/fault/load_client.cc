// attain-fault-load: the steady client load of the fault suite
// (tests/fault/fault_test.cc), a separate process so that it lives through the
// faults the suite causes. Until SIGTERM (or SIGINT) it
//
//  * ingests new orders with IngestBatch and on a StreamIngest stream, each
//    batch retried as it is (same events, same event ids) with back-off until
//    it is acknowledged, and every tenth batch sent once more after its
//    acknowledgement (a client that did not hear the answer);
//  * records review results: minutes entries (AddMinutesEntry) and action
//    items (CreateActionItem), each retried with its request_id until
//    acknowledged, and every third one sent once more;
//  * reads from every service: GetLeaderboard (eval, from Redis; and
//    "eval-fallback" with allow_rollups, from ingest's rollups while Redis is
//    away), GetActuals (ingest), GetRep (target) and ListMinutes (review).
//
// Every acknowledgement is a line of the output file (flushed per line):
//
//   event <event_id> <OUTCOME_…>          one per event of an acknowledged batch
//   minutes <request_id> <meeting>/<seq>  an acknowledged AddMinutesEntry
//   action <request_id> <action_id>       an acknowledged CreateActionItem
//   read <service> ok                     a read that succeeded
//   error <call> <CODE> <message>         a call that failed (retried if a write)
//
// Orders (source "crm", order "<run>-<u|s><n>" version 1, event id
// "<order>-v1") are signed on 2025-03-03..07 (ISO week 2025-W10) by rep
// reps[n % 4] for product line "a" or "b" and customer "c<n % 25>"; the suite
// recomputes what they add up to from PostgreSQL, not from this file.
// A minutes entry's text is "note <request_id>"; an action item's measures
// end in "request <request_id>", so that the suite finds each one's records.
//
// Exits 0 once stopped; 2 on bad arguments.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"

namespace attain::fault {
namespace {

namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace rv1 = ::attain::review::v1;
namespace tv1 = ::attain::target::v1;

constexpr int kBatchEvents = 10;
constexpr int kStreamWindow = 3;       // batches in flight on the stream
constexpr int kBatchesPerStream = 40;  // then the stream is closed and a new one opened
constexpr absl::Duration kCallDeadline = absl::Seconds(5);
constexpr absl::Duration kStreamDeadline = absl::Seconds(20);
constexpr absl::Duration kMinBackoff = absl::Milliseconds(50);
constexpr absl::Duration kMaxBackoff = absl::Seconds(1);
constexpr absl::Duration kIngestPace = absl::Milliseconds(40);
constexpr absl::Duration kReviewPace = absl::Milliseconds(50);
constexpr absl::Duration kReadPace = absl::Milliseconds(25);

struct Args {
  std::string ingest_addr, eval_addr, target_addr, review_addr;
  std::string jwt_key, tenant, out, run, meeting;
  std::vector<std::string> reps;
};

// The output file: one line per call, flushed at once so that the suite sees
// every acknowledgement even if this process is killed.
class Output {
 public:
  explicit Output(FILE* file) : file_(file) {}
  void Line(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fputs(line.c_str(), file_);
    std::fputc('\n', file_);
    std::fflush(file_);
  }

 private:
  std::mutex mu_;
  FILE* file_;
};

// The contexts of calls in flight, so that a stop cancels them at once.
class Calls {
 public:
  bool stopped() const { return stopped_.load(); }
  void Add(grpc::ClientContext* ctx) {
    std::lock_guard<std::mutex> lock(mu_);
    live_.insert(ctx);
    if (stopped_) ctx->TryCancel();
  }
  void Remove(grpc::ClientContext* ctx) {
    std::lock_guard<std::mutex> lock(mu_);
    live_.erase(ctx);
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    for (grpc::ClientContext* ctx : live_) ctx->TryCancel();
  }
  // Sleeps `d`, or less once stopped.
  void Sleep(absl::Duration d) const {
    const absl::Time until = absl::Now() + d;
    while (!stopped() && absl::Now() < until) {
      absl::SleepFor(std::min(until - absl::Now(), absl::Milliseconds(20)));
    }
  }

 private:
  std::mutex mu_;
  std::set<grpc::ClientContext*> live_;
  std::atomic<bool> stopped_{false};
};

// A ClientContext with the token and a deadline, registered with `calls`
// while it lives.
class Call {
 public:
  Call(Calls& calls, const std::string& token, absl::Duration deadline) : calls_(calls) {
    ctx_.AddMetadata("authorization", "Bearer " + token);
    ctx_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    calls_.Add(&ctx_);
  }
  ~Call() { calls_.Remove(&ctx_); }
  grpc::ClientContext* ctx() { return &ctx_; }

 private:
  Calls& calls_;
  grpc::ClientContext ctx_;
};

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::shared_ptr<grpc::Channel> Connect(const std::string& addr) {
  // Reconnect quickly once a restarted server is back on its port.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

class Load {
 public:
  Load(Args args, Output& out)
      : args_(std::move(args)),
        out_(out),
        ingest_(iv1::IngestService::NewStub(Connect(args_.ingest_addr))),
        query_(iv1::IngestQueryService::NewStub(Connect(args_.ingest_addr))),
        boards_(ev1::LeaderboardService::NewStub(Connect(args_.eval_addr))),
        org_(tv1::OrgService::NewStub(Connect(args_.target_addr))),
        meetings_(rv1::MeetingService::NewStub(Connect(args_.review_addr))),
        actions_(rv1::ActionItemService::NewStub(Connect(args_.review_addr))) {
    const absl::Time now = absl::Now();
    admin_ = *MintToken(args_.jwt_key, {args_.tenant, "admin", Role::kAdmin, "", {}}, now,
                        absl::Hours(2));
    crm_ = *MintToken(args_.jwt_key, {args_.tenant, "crm", Role::kCrmIngest, "", {}}, now,
                      absl::Hours(2));
  }

  void Run() {
    std::vector<std::thread> threads;
    threads.emplace_back([this] { IngestUnary(); });
    threads.emplace_back([this] { IngestStream(); });
    threads.emplace_back([this] { Review(); });
    threads.emplace_back([this] { Read(); });
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    calls_.Stop();
    for (std::thread& t : threads) t.join();
  }

 private:
  // Order n of kind `kind` ('u' unary, 's' stream).
  iv1::Event Order(char kind, int64_t n) const {
    const std::string order_id = absl::StrCat(args_.run, "-", std::string(1, kind), n);
    const std::string day = absl::StrCat("2025-03-0", 3 + n % 5);
    const int64_t amount = 10000 + (n % 37) * 100;
    iv1::Event e;
    e.set_source("crm");
    e.set_event_id(order_id + "-v1");
    e.set_occurred_at(day + "T10:00:00+08:00");
    iv1::Order* o = e.mutable_order();
    o->set_order_id(order_id);
    o->set_version(1);
    o->set_customer_id(absl::StrCat("c", n % 25));
    o->set_rep_id(args_.reps[n % args_.reps.size()]);
    o->set_product_line_id(n % 3 == 0 ? "b" : "a");
    o->mutable_amount()->set_currency_code("CNY");
    o->mutable_amount()->set_minor_units(amount);
    o->mutable_gross_profit()->set_currency_code("CNY");
    o->mutable_gross_profit()->set_minor_units(amount / 4);
    o->set_status(iv1::ORDER_STATUS_SIGNED);
    o->set_signed_date(day);
    return e;
  }

  void Error(const std::string& call, const grpc::Status& st) {
    if (calls_.stopped()) return;  // cancelled by the stop
    out_.Line(absl::StrCat("error ", call, " ", CodeName(st.error_code()), " ",
                           absl::StrReplaceAll(st.error_message(), {{"\n", " "}})));
  }

  void Acknowledged(const google::protobuf::RepeatedPtrField<iv1::Event>& events,
                    const google::protobuf::RepeatedPtrField<iv1::EventOutcome>& outcomes) {
    if (outcomes.size() != events.size()) {
      out_.Line(absl::StrCat("error ack INTERNAL ", outcomes.size(), " outcomes for ",
                             events.size(), " events"));
    }
    for (const iv1::EventOutcome& o : outcomes) {
      if (o.index() < 0 || o.index() >= events.size()) continue;
      out_.Line(absl::StrCat("event ", events[o.index()].event_id(), " ",
                             iv1::Outcome_Name(o.outcome())));
    }
  }

  // Calls `rpc` until it succeeds (false: stopped first), backing off while
  // it fails.
  bool UntilAcknowledged(const std::string& name, const std::string& token,
                         const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
    absl::Duration backoff = kMinBackoff;
    while (!calls_.stopped()) {
      grpc::Status st;
      {
        Call call(calls_, token, kCallDeadline);
        st = rpc(call.ctx());
      }
      if (st.ok()) return true;
      Error(name, st);
      calls_.Sleep(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    return false;
  }

  void IngestUnary() {
    for (int64_t n = 0; !calls_.stopped(); ++n) {
      iv1::IngestBatchRequest req;
      for (int i = 0; i < kBatchEvents; ++i) *req.add_events() = Order('u', n * kBatchEvents + i);
      for (int send = 0; send < (n % 10 == 0 ? 2 : 1); ++send) {
        iv1::IngestBatchResponse resp;
        if (!UntilAcknowledged("IngestBatch", crm_, [&](grpc::ClientContext* ctx) {
              resp.Clear();
              return ingest_->IngestBatch(ctx, req, &resp);
            })) {
          return;
        }
        Acknowledged(req.events(), resp.outcomes());
      }
      calls_.Sleep(kIngestPace);
    }
  }

  // Batches in flight on the stream; those not acknowledged when a stream
  // breaks are sent again first on the next one.
  struct Pending {
    int64_t seq = 0;
    iv1::StreamIngestRequest req;
  };

  void IngestStream() {
    std::deque<Pending> unacked;
    int64_t next = 0;  // next batch number (and seq)
    absl::Duration backoff = kMinBackoff;
    while (!calls_.stopped()) {
      Call call(calls_, crm_, kStreamDeadline);
      std::unique_ptr<grpc::ClientReaderWriter<iv1::StreamIngestRequest, iv1::StreamIngestResponse>>
          stream = ingest_->StreamIngest(call.ctx());
      bool broken = false;
      for (const Pending& p : unacked) {
        if (!stream->Write(p.req)) {
          broken = true;
          break;
        }
      }
      int sent = static_cast<int>(unacked.size());
      while (!broken && !calls_.stopped()) {
        while (unacked.size() < kStreamWindow && sent < kBatchesPerStream) {
          Pending p;
          p.seq = next++;
          p.req.set_batch_seq(p.seq);
          for (int i = 0; i < kBatchEvents; ++i) {
            *p.req.add_events() = Order('s', p.seq * kBatchEvents + i);
          }
          unacked.push_back(p);
          ++sent;
          if (!stream->Write(unacked.back().req)) {
            broken = true;
            break;
          }
        }
        if (broken || unacked.empty()) break;
        iv1::StreamIngestResponse ack;
        if (!stream->Read(&ack)) {
          broken = true;
          break;
        }
        if (ack.batch_seq() != unacked.front().seq) {
          out_.Line(absl::StrCat("error StreamIngest INTERNAL acknowledged batch ", ack.batch_seq(),
                                 " while batch ", unacked.front().seq, " was the oldest sent"));
          call.ctx()->TryCancel();  // the server would wait for more
          broken = true;
          break;
        }
        Acknowledged(unacked.front().req.events(), ack.outcomes());
        unacked.pop_front();
        backoff = kMinBackoff;
        calls_.Sleep(kIngestPace);
      }
      if (!broken) stream->WritesDone();
      const grpc::Status st = stream->Finish();
      if (!st.ok() || broken) {
        if (!st.ok()) Error("StreamIngest", st);
        calls_.Sleep(backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
      }
    }
  }

  void Review() {
    for (int64_t n = 0; !calls_.stopped(); ++n) {
      const bool again = n % 3 == 0;
      if (n % 2 == 0) {
        rv1::AddMinutesEntryRequest req;
        req.set_request_id(absl::StrCat(args_.run, "-m", n));
        req.set_meeting_id(args_.meeting);
        req.set_speaker_id("gm");
        req.set_text("note " + req.request_id());
        req.set_kind(rv1::MINUTES_ENTRY_KIND_NOTE);
        for (int send = 0; send < (again ? 2 : 1); ++send) {
          rv1::AddMinutesEntryResponse resp;
          if (!UntilAcknowledged("AddMinutesEntry", admin_, [&](grpc::ClientContext* ctx) {
                resp.Clear();
                return meetings_->AddMinutesEntry(ctx, req, &resp);
              })) {
            return;
          }
          out_.Line(absl::StrCat("minutes ", req.request_id(), " ", args_.meeting, "/",
                                 resp.entry().sequence()));
        }
      } else {
        rv1::CreateActionItemRequest req;
        req.set_request_id(absl::StrCat(args_.run, "-a", n));
        rv1::ActionItem* item = req.mutable_item();
        item->set_meeting_id(args_.meeting);
        item->set_title("call back every lapsed key account in East China");
        item->set_measures("weekly calls; a visit to each of the 20 largest accounts; request " +
                           req.request_id());
        item->add_departments("sales");
        item->set_due_date("2025-06-30");
        item->mutable_expected_result()->set_text("sales back to 1,000,000 by 2025-Q2");
        for (int send = 0; send < (again ? 2 : 1); ++send) {
          rv1::CreateActionItemResponse resp;
          if (!UntilAcknowledged("CreateActionItem", admin_, [&](grpc::ClientContext* ctx) {
                resp.Clear();
                return actions_->CreateActionItem(ctx, req, &resp);
              })) {
            return;
          }
          out_.Line(absl::StrCat("action ", req.request_id(), " ", resp.item().action_id()));
        }
      }
      calls_.Sleep(kReviewPace);
    }
  }

  void Read() {
    for (int64_t n = 0; !calls_.stopped(); ++n) {
      grpc::Status st;
      std::string service;
      Call call(calls_, admin_, kCallDeadline);
      switch (n % 5) {
        case 0:
        case 4: {
          // The live board; and the same with allow_rollups, which answers
          // from ingest's rollups while Redis is away.
          const bool fallback = n % 5 == 4;
          service = fallback ? "eval-fallback" : "eval";
          ev1::GetLeaderboardRequest req;
          req.mutable_board()->set_period("2025-03");
          req.mutable_board()->set_metric(type::v1::METRIC_SALES_AMOUNT);
          req.mutable_board()->set_scope_kind(ev1::BOARD_SCOPE_KIND_COMPANY);
          req.set_allow_rollups(fallback);
          ev1::GetLeaderboardResponse resp;
          st = boards_->GetLeaderboard(call.ctx(), req, &resp);
          break;
        }
        case 1: {
          service = "ingest";
          iv1::GetActualsRequest req;
          req.set_period("2025-03");
          iv1::GetActualsResponse resp;
          st = query_->GetActuals(call.ctx(), req, &resp);
          break;
        }
        case 2: {
          service = "target";
          tv1::GetRepRequest req;
          req.set_rep_id(args_.reps[0]);
          tv1::GetRepResponse resp;
          st = org_->GetRep(call.ctx(), req, &resp);
          break;
        }
        default: {
          service = "review";
          rv1::ListMinutesRequest req;
          req.set_meeting_id(args_.meeting);
          req.set_page_size(10);
          rv1::ListMinutesResponse resp;
          st = meetings_->ListMinutes(call.ctx(), req, &resp);
          break;
        }
      }
      if (st.ok()) {
        out_.Line("read " + service + " ok");
      } else {
        Error("read-" + service, st);
      }
      calls_.Sleep(kReadPace);
    }
  }

  const Args args_;
  Output& out_;
  Calls calls_;
  std::string admin_, crm_;
  std::unique_ptr<iv1::IngestService::Stub> ingest_;
  std::unique_ptr<iv1::IngestQueryService::Stub> query_;
  std::unique_ptr<ev1::LeaderboardService::Stub> boards_;
  std::unique_ptr<tv1::OrgService::Stub> org_;
  std::unique_ptr<rv1::MeetingService::Stub> meetings_;
  std::unique_ptr<rv1::ActionItemService::Stub> actions_;
};

int Main(int argc, char** argv) {
  // Handled by sigwait in Run; blocked before any thread starts so that every
  // thread (gRPC's too) inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Args args;
  const std::map<std::string, std::string*> flags = {{"--ingest-addr", &args.ingest_addr},
                                                     {"--eval-addr", &args.eval_addr},
                                                     {"--target-addr", &args.target_addr},
                                                     {"--review-addr", &args.review_addr},
                                                     {"--jwt-key", &args.jwt_key},
                                                     {"--tenant", &args.tenant},
                                                     {"--out", &args.out},
                                                     {"--run", &args.run},
                                                     {"--meeting", &args.meeting}};
  std::string reps;
  for (int i = 1; i < argc; ++i) {
    const std::vector<std::string> kv = absl::StrSplit(argv[i], absl::MaxSplits('=', 1));
    if (kv.size() == 2 && kv[0] == "--reps") {
      reps = kv[1];
      continue;
    }
    auto it = flags.find(kv[0]);
    if (kv.size() != 2 || it == flags.end()) {
      std::fprintf(stderr, "attain-fault-load: unknown argument %s (flags take --name=value)\n",
                   argv[i]);
      return 2;
    }
    *it->second = kv[1];
  }
  args.reps = absl::StrSplit(reps, ',', absl::SkipEmpty());
  for (const auto& [name, value] : flags) {
    if (value->empty()) {
      std::fprintf(stderr, "attain-fault-load: %s is required\n", name.c_str());
      return 2;
    }
  }
  if (args.reps.empty()) {
    std::fprintf(stderr, "attain-fault-load: --reps=r1,r2,… is required\n");
    return 2;
  }
  FILE* file = std::fopen(args.out.c_str(), "a");
  if (file == nullptr) {
    std::fprintf(stderr, "attain-fault-load: cannot open %s\n", args.out.c_str());
    return 2;
  }
  Output out(file);
  {
    Load load(args, out);
    load.Run();
  }
  std::fclose(file);
  return 0;
}

}  // namespace
}  // namespace attain::fault

int main(int argc, char** argv) { return attain::fault::Main(argc, argv); }
