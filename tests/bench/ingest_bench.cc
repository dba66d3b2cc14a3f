// Ingest benchmark (issue: "1,000,000 mixed events over streams from a
// separate client process, durable and on the boards, at >= 50,000 events/s").
//
// This program is the client (a separate process). It starts a throwaway
// PostgreSQL and Redis and the real attain-target and attain-ingest binaries,
// creates an org of 10 teams × 10 reps, then:
//   1. throughput: streams N mixed events (orders, payments, follow-ups,
//      opportunities) over S concurrent StreamIngest streams in batches of B,
//      measuring events/s from the first send to the last acknowledgement,
//      per-batch acknowledgement latency (p50/p99), and the time until the
//      boards show every event;
//   2. visibility: a paced run at R events/s where probe orders for dedicated
//      reps are timed from acknowledgement to their appearance on a board (p50/p99);
//   3. the service's peak memory (VmHWM);
//   4. a plain COPY of the same rows into an equivalent table, as a baseline.
// Usage: ingest_bench [--events 1000000] [--streams 4] [--batch 1000] [--rate 10000]
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "common/leaderboard.h"
#include "common/pg.h"
#include "common/redis.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace {

namespace iv1 = attain::ingest::v1;
namespace tv1 = attain::target::v1;

constexpr char kKey[] = "bench-signing-key-bench-signing-key-0123456789";
constexpr char kTenant[] = "bench";
constexpr int kReps = 100;

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

std::string Token(attain::Role role) {
  attain::Principal p{kTenant, "bench", role, "", {}};
  return *attain::MintToken(kKey, p, absl::Now(), absl::Hours(4));
}

// Event i of the mixed stream: 50 % orders, 20 % payments, 20 % follow-ups,
// 10 % opportunities, spread over reps and the days of 2025-Q1.
iv1::Event MakeEvent(int64_t i, const std::string& prefix) {
  iv1::Event e;
  e.set_source("crm");
  e.set_event_id(absl::StrCat(prefix, i));
  const int rep = static_cast<int>(i % kReps);
  const int day = 1 + static_cast<int>((i / kReps) % 28);
  const std::string date = absl::StrFormat("2025-02-%02d", day);
  e.set_occurred_at(date + "T10:00:00+08:00");
  const std::string rep_id = absl::StrCat("rep", rep);
  const std::string customer = absl::StrCat("c", i % 5000);
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4: {
      iv1::Order* o = e.mutable_order();
      o->set_order_id(absl::StrCat(prefix, "o", i));
      o->set_version(1);
      o->set_customer_id(customer);
      o->set_rep_id(rep_id);
      o->set_product_line_id(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
      o->mutable_amount()->set_currency_code("CNY");
      o->mutable_amount()->set_minor_units(10000 + i % 997);
      o->mutable_gross_profit()->set_currency_code("CNY");
      o->mutable_gross_profit()->set_minor_units(2500);
      o->set_status(iv1::ORDER_STATUS_SIGNED);
      o->set_signed_date(date);
      break;
    }
    case 5:
    case 6: {
      iv1::Payment* p = e.mutable_payment();
      p->set_payment_id(absl::StrCat(prefix, "p", i));
      p->set_customer_id(customer);
      p->set_rep_id(rep_id);
      p->mutable_amount()->set_currency_code("CNY");
      p->mutable_amount()->set_minor_units(5000);
      p->set_received_date(date);
      break;
    }
    case 7:
    case 8: {
      iv1::FollowUp* f = e.mutable_follow_up();
      f->set_follow_up_id(absl::StrCat(prefix, "f", i));
      f->set_customer_id(customer);
      f->set_rep_id(rep_id);
      f->set_contact_time(date + "T09:00:00+08:00");
      f->set_method(iv1::CONTACT_METHOD_PHONE);
      f->set_content(i % 4 == 0 ? "" : "discussed renewal");
      break;
    }
    default: {
      iv1::Opportunity* op = e.mutable_opportunity();
      op->set_opportunity_id(absl::StrCat(prefix, "op", i));
      op->set_version(1);
      op->set_customer_id(customer);
      op->set_rep_id(rep_id);
      op->set_product_line_id("a");
      op->set_stage(i % 20 == 9 ? iv1::OPPORTUNITY_STAGE_WON : iv1::OPPORTUNITY_STAGE_PROPOSAL);
      op->mutable_amount()->set_currency_code("CNY");
      op->mutable_amount()->set_minor_units(100000);
      op->set_created_date("2025-01-02");
      if (i % 20 == 9) op->set_closed_date(date);
      break;
    }
  }
  return e;
}

int64_t PeakRssKb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t events = 1000000;
  int streams = 4, batch = 1000, rate = 10000;
  std::vector<std::string> pg_settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pg-setting")) pg_settings.push_back(argv[i + 1]);
    if (!std::strcmp(argv[i], "--events")) events = std::atoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--streams")) streams = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rate")) rate = std::atoi(argv[i + 1]);
  }
  attain::testing::PgTestServer::SetExtraSettings(pg_settings);
  attain::testing::RedisTestServer redis;
  const std::string db = attain::testing::PgTestServer::Shared().CreateDatabase("ibench");
  auto target = attain::testing::ServiceProcess::Start(
      {ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kKey, "--log-level", "warn"}, {}});
  if (!target.ok()) return std::fprintf(stderr, "%s\n", target.status().ToString().c_str()), 1;
  auto ingest = attain::testing::ServiceProcess::Start(
      {ATTAIN_INGEST_BINARY,
       {"--pg-url", db, "--redis-url", redis.url(), "--jwt-key", kKey, "--target-addr",
        (*target)->address(), "--log-level", "warn", "--pg-pool-size", "4"},
       {}});
  if (!ingest.ok()) return std::fprintf(stderr, "%s\n", ingest.status().ToString().c_str()), 1;

  // Org: company, 1 region, 10 teams × 10 reps, plus probe reps.
  {
    auto org = tv1::OrgService::NewStub((*target)->NewChannel());
    const std::string token = Token(attain::Role::kAdmin);
    auto call = [&](auto fn) {
      grpc::ClientContext c;
      c.AddMetadata("authorization", "Bearer " + token);
      grpc::Status st = fn(c);
      if (!st.ok()) std::fprintf(stderr, "org set-up: %s\n", st.error_message().c_str());
    };
    auto unit = [&](std::string id, std::string parent, tv1::OrgUnitKind kind) {
      tv1::CreateOrgUnitRequest r;
      r.set_unit_id(id);
      r.set_parent_id(parent);
      r.set_name(id);
      r.set_kind(kind);
      tv1::CreateOrgUnitResponse resp;
      call([&](grpc::ClientContext& c) { return org->CreateOrgUnit(&c, r, &resp); });
    };
    unit("co", "", tv1::ORG_UNIT_KIND_COMPANY);
    unit("region", "co", tv1::ORG_UNIT_KIND_REGION);
    for (int t = 0; t < 10; ++t) unit(absl::StrCat("t", t), "region", tv1::ORG_UNIT_KIND_TEAM);
    auto rep = [&](std::string id, int team) {
      tv1::CreateRepRequest r;
      r.set_rep_id(id);
      r.set_name(id);
      r.set_team_id(absl::StrCat("t", team));
      r.set_hire_date("2020-01-01");
      tv1::CreateRepResponse resp;
      call([&](grpc::ClientContext& c) { return org->CreateRep(&c, r, &resp); });
    };
    for (int i = 0; i < kReps; ++i) rep(absl::StrCat("rep", i), i / 10);
    for (int i = 0; i < 200; ++i) rep(absl::StrCat("probe", i), 0);
  }

  // Pre-build the requests so that the client measures the service, not protobuf building.
  std::vector<iv1::StreamIngestRequest> requests;
  for (int64_t first = 0; first < events; first += batch) {
    iv1::StreamIngestRequest r;
    r.set_batch_seq(first / batch);
    for (int64_t i = first; i < std::min(events, first + batch); ++i) {
      *r.add_events() = MakeEvent(i, "e");
    }
    requests.push_back(std::move(r));
  }
  // Warm up the org cache (one small batch).
  {
    auto stub = iv1::IngestService::NewStub((*ingest)->NewChannel());
    iv1::IngestBatchRequest r;
    for (int i = 0; i < kReps; ++i) *r.add_events() = MakeEvent(i, "warm");
    iv1::IngestBatchResponse resp;
    grpc::ClientContext c;
    c.AddMetadata("authorization", "Bearer " + Token(attain::Role::kCrmIngest));
    grpc::Status st = stub->IngestBatch(&c, r, &resp);
    if (!st.ok()) return std::fprintf(stderr, "warm-up: %s\n", st.error_message().c_str()), 1;
  }

  // 1. Throughput over `streams` streams, each sending every streams-th batch.
  std::mutex mu;
  std::vector<double> ack_ms;
  std::atomic<int64_t> accepted{0}, other{0};
  const absl::Time t0 = absl::Now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      auto stub = iv1::IngestService::NewStub((*ingest)->NewChannel());
      grpc::ClientContext c;
      c.AddMetadata("authorization", "Bearer " + Token(attain::Role::kCrmIngest));
      auto stream = stub->StreamIngest(&c);
      std::vector<absl::Time> sent(requests.size());
      std::thread writer([&] {
        for (size_t b = s; b < requests.size(); b += streams) {
          sent[b] = absl::Now();
          if (!stream->Write(requests[b])) break;
        }
        stream->WritesDone();
      });
      iv1::StreamIngestResponse ack;
      std::vector<double> local;
      while (stream->Read(&ack)) {
        local.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent[ack.batch_seq()]));
        for (const auto& o : ack.outcomes()) {
          (o.outcome() == iv1::OUTCOME_ACCEPTED ? accepted : other)++;
        }
      }
      writer.join();
      grpc::Status st = stream->Finish();
      if (!st.ok()) std::fprintf(stderr, "stream %d: %s\n", s, st.error_message().c_str());
      std::lock_guard<std::mutex> l(mu);
      ack_ms.insert(ack_ms.end(), local.begin(), local.end());
    });
  }
  for (auto& t : threads) t.join();
  const double durable_s = absl::ToDoubleSeconds(absl::Now() - t0);

  // When are all events on the boards? Wait for the relay to reach the last outbox seq.
  attain::PgPool::Options po;
  po.url = db;
  po.size = 1;
  auto pool = attain::PgPool::Create(po);
  attain::RedisClient rc(*attain::RedisClient::ParseUrl(redis.url()));
  int64_t max_seq = 0;
  (void)(*pool)->InTransaction([&](pqxx::work& tx) {
    max_seq = tx.exec1("SELECT coalesce(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();
    return absl::OkStatus();
  });
  const absl::Time board_deadline = absl::Now() + absl::Minutes(5);
  while (absl::Now() < board_deadline) {
    auto r = rc.Command({"GET", "lb:applied:0"});
    if (r.ok() && r->type == attain::RedisReply::Type::kString && std::stoll(r->str) >= max_seq) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  const double boards_s = absl::ToDoubleSeconds(absl::Now() - t0);

  // 2. Visibility at a paced rate: one stream at `rate` events/s for ~10 s;
  // the first event of every 10th batch is a probe order for its own rep.
  // A probe counts as lost if it is not on the board 30 s after its
  // acknowledgement. The deadline runs from each probe's acknowledgement, not
  // from the start: when the service acknowledges slower than the pace, the
  // run takes longer than planned, and a deadline from the start would
  // silently drop the late probes. The achieved rate is printed too, since
  // visibility at a rate the service did not sustain means little.
  std::vector<double> visible_ms;
  std::vector<double> paced_ack_ms;  // Write → ack of each paced batch
  int probes_lost = 0, probes_unacked = 0;
  double paced_events_per_s = 0;
  {
    auto stub = iv1::IngestService::NewStub((*ingest)->NewChannel());
    grpc::ClientContext c;
    c.AddMetadata("authorization", "Bearer " + Token(attain::Role::kCrmIngest));
    auto stream = stub->StreamIngest(&c);
    const int paced_batch = std::max(1, rate / 100);  // 100 batches/s
    const int batches = 1000;                         // ~10 s
    std::vector<absl::Time> acked(batches, absl::InfiniteFuture());
    std::vector<absl::Time> sent(batches, absl::InfiniteFuture());
    absl::Time last_ack = absl::InfinitePast();
    std::mutex ack_mu;
    std::atomic<bool> reading_done{false};
    std::thread reader([&] {
      iv1::StreamIngestResponse ack;
      while (stream->Read(&ack)) {
        std::lock_guard<std::mutex> l(ack_mu);
        last_ack = acked[ack.batch_seq()] = absl::Now();
      }
      reading_done = true;
    });
    // Polls the board for every acknowledged, not yet seen probe while the
    // paced run goes on: visibility = first seen − acknowledged.
    const std::string key =
        attain::BoardKey(kTenant, "2025-02", attain::BoardMetric::kSales, "company");
    const absl::Duration probe_deadline = absl::Seconds(30);
    std::thread poller([&] {
      attain::RedisClient prc(*attain::RedisClient::ParseUrl(redis.url()));
      enum class State { kWaiting, kSeen, kLost };
      std::vector<State> state(batches, State::kWaiting);
      int left = (batches + 9) / 10;
      while (left > 0) {
        // Read before the acks: once the reader is done, no probe gets acked later.
        const bool no_more_acks = reading_done;
        for (int b = 0; b < batches; b += 10) {
          absl::Time at;
          {
            std::lock_guard<std::mutex> l(ack_mu);
            at = acked[b];
          }
          if (state[b] != State::kWaiting) continue;
          if (at == absl::InfiniteFuture()) {
            if (no_more_acks) {  // the stream ended without acknowledging it
              state[b] = State::kLost;
              ++probes_unacked;
              --left;
            }
            continue;
          }
          auto r = prc.Command({"ZSCORE", key, absl::StrCat("probe", b / 10)});
          const absl::Time now = absl::Now();
          if (r.ok() && r->type == attain::RedisReply::Type::kString) {
            state[b] = State::kSeen;
            visible_ms.push_back(std::max(0.0, absl::ToDoubleMilliseconds(now - at)));
            --left;
          } else if (now - at > probe_deadline) {
            state[b] = State::kLost;
            ++probes_lost;
            --left;
          }
        }
        absl::SleepFor(absl::Milliseconds(1));
      }
    });
    const absl::Time start = absl::Now();
    for (int b = 0; b < batches; ++b) {
      absl::Time due = start + absl::Milliseconds(10) * b;
      if (absl::Now() < due) absl::SleepFor(due - absl::Now());
      iv1::StreamIngestRequest r;
      r.set_batch_seq(b);
      for (int i = 0; i < paced_batch; ++i) {
        iv1::Event e = MakeEvent(int64_t{b} * paced_batch + i, "v");
        if (i == 0 && b % 10 == 0) {
          e = MakeEvent(0, absl::StrCat("vp", b));  // event 0 is an order
          e.mutable_order()->set_rep_id(absl::StrCat("probe", b / 10));
        }
        *r.add_events() = e;
      }
      {
        std::lock_guard<std::mutex> l(ack_mu);
        sent[b] = absl::Now();
      }
      if (!stream->Write(r)) break;
    }
    stream->WritesDone();
    reader.join();
    grpc::Status st = stream->Finish();
    if (!st.ok()) std::fprintf(stderr, "paced stream: %s\n", st.error_message().c_str());
    poller.join();
    for (int b = 0; b < batches; ++b) {
      if (acked[b] != absl::InfiniteFuture() && sent[b] != absl::InfiniteFuture()) {
        paced_ack_ms.push_back(absl::ToDoubleMilliseconds(acked[b] - sent[b]));
      }
    }
    if (last_ack > start) {
      paced_events_per_s = int64_t{batches} * paced_batch / absl::ToDoubleSeconds(last_ack - start);
    }
  }
  const int64_t peak_kb = PeakRssKb((*ingest)->pid());

  // 4. Baseline: COPY the same rows (tenant, source, event id, kind, rep, day,
  // amount, payload) into an equivalent table.
  double copy_s = 0;
  (void)(*pool)->WithConnection([&](pqxx::connection& conn) {
    {
      pqxx::work tx(conn);
      tx.exec(
          "CREATE TABLE copy_baseline (tenant_id text, source text, event_id text, kind "
          "smallint, rep_id text, day date, amount bigint, payload bytea, "
          "PRIMARY KEY (tenant_id, source, event_id))");
      tx.commit();
    }
    const absl::Time c0 = absl::Now();
    pqxx::work tx(conn);
    pqxx::stream_to copy(tx, "copy_baseline",
                         std::vector<std::string>{"tenant_id", "source", "event_id", "kind",
                                                  "rep_id", "day", "amount", "payload"});
    for (const auto& r : requests) {
      for (const auto& e : r.events()) {
        std::string payload = e.SerializeAsString();
        copy << std::make_tuple(std::string(kTenant), e.source(), e.event_id(),
                                static_cast<int>(e.kind_case()), std::string("rep"),
                                std::string("2025-02-01"), int64_t{100},
                                absl::StrCat("\\x", absl::BytesToHexString(payload)));
      }
    }
    copy.complete();
    tx.commit();
    copy_s = absl::ToDoubleSeconds(absl::Now() - c0);
    return absl::OkStatus();
  });

  const double rate_ours = events / durable_s;
  const double rate_copy = events / copy_s;
  std::printf("ingest_bench: %lld mixed events, %d streams, batches of %d, %d reps\n",
              static_cast<long long>(events), streams, batch, kReps);
  std::printf("durable (all acknowledged): %.2f s = %.0f events/s; accepted %lld, other %lld\n",
              durable_s, rate_ours, static_cast<long long>(accepted.load()),
              static_cast<long long>(other.load()));
  std::printf("on the boards (relay caught up): %.2f s = %.0f events/s\n", boards_s,
              events / boards_s);
  std::printf(
      "ack latency per batch, all queued at once (includes waiting on flow control): "
      "p50 %.1f ms, p99 %.1f ms\n",
      Pct(ack_ms, 0.5), Pct(ack_ms, 0.99));
  std::printf(
      "ack -> board visibility at %d events/s (achieved %.0f): p50 %.1f ms, p99 %.1f ms "
      "(%zu probes seen, %d not seen within 30 s of their ack, %d not acknowledged)\n",
      rate, paced_events_per_s, Pct(visible_ms, 0.5), Pct(visible_ms, 0.99), visible_ms.size(),
      probes_lost, probes_unacked);
  std::printf("ack latency per batch at %d events/s (Write → ack): p50 %.1f ms, p99 %.1f ms\n",
              rate, Pct(paced_ack_ms, 0.5), Pct(paced_ack_ms, 0.99));
  std::printf("attain-ingest peak RSS: %.1f MiB\n", peak_kb / 1024.0);
  std::printf("plain COPY of the same %lld rows: %.2f s = %.0f rows/s; ours/COPY = %.2f\n",
              static_cast<long long>(events), copy_s, rate_copy, rate_ours / rate_copy);
  return 0;
}
