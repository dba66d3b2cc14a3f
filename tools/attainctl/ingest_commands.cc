// `attainctl ingest FILE.csv --kind K`: a CSV export of one kind of event
// (columns as in csv_events.h), streamed over IngestService.StreamIngest with
// up to 8 batches in flight.
// A broken stream is reopened (up to 5 times, with backoff) and every batch
// not yet acknowledged is sent again; the service recognises duplicates.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/csv.h"
#include "tools/attainctl/csv_events.h"
#include "tools/attainctl/table.h"

namespace attain::ctl {
namespace {

namespace iv1 = ::attain::ingest::v1;

constexpr int kMaxInFlight = 8;
constexpr int kMaxReconnects = 5;
constexpr int kMaxShownRejections = 10;

struct Batch {
  iv1::StreamIngestRequest request;
  std::vector<int> lines;  // CSV line of each event
};

struct Rejection {
  int line = 0;
  std::string event_id, field, reason;
};

// Sends the batches and tallies the outcomes.
class Streamer {
 public:
  Streamer(Client& client, std::deque<Batch> batches, int64_t total_events)
      : client_(client), pending_(std::move(batches)), total_(total_events) {
    progress_ = isatty(STDERR_FILENO) == 1;
  }

  // OK when every batch was acknowledged.
  grpc::Status Run() {
    start_ = absl::Now();
    int failures = 0;
    absl::Duration backoff = absl::Milliseconds(500);
    for (;;) {
      const int64_t acked_before = acked_;
      grpc::Status status = OneStream();
      if (status.ok()) break;
      if (acked_ > acked_before) failures = 0;
      const grpc::StatusCode code = status.error_code();
      const bool retryable =
          code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::ABORTED ||
          code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
          code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::INTERNAL ||
          code == grpc::StatusCode::UNKNOWN;
      if (!retryable || ++failures > kMaxReconnects) {
        ClearProgress();
        return status;
      }
      ++reconnects_;
      ClearProgress();
      std::cerr << absl::StrFormat(
          "warning: the stream broke (%s: %s); %d batch(es) unacknowledged, reconnecting in %s "
          "(%d/%d)\n",
          StatusCodeName(code), status.error_message(), inflight_.size() + pending_.size(),
          absl::FormatDuration(backoff), failures, kMaxReconnects);
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(8));
      // What was sent but not acknowledged goes again, first, in order.
      while (!inflight_.empty()) {
        pending_.push_front(std::move(inflight_.back()));
        inflight_.pop_back();
      }
    }
    ClearProgress();
    return grpc::Status::OK;
  }

  absl::Duration elapsed() const { return absl::Now() - start_; }
  int reconnects() const { return reconnects_; }
  const std::map<iv1::Outcome, int64_t>& counts() const { return counts_; }
  const std::vector<Rejection>& rejections() const { return rejections_; }
  int64_t acked() const { return acked_; }

 private:
  grpc::Status OneStream() {
    if (pending_.empty() && inflight_.empty()) return grpc::Status::OK;
    std::unique_ptr<grpc::ClientContext> context = client_.NewContext();
    // A bulk load can take long: no deadline on the stream as a whole.
    context->set_deadline(std::chrono::system_clock::time_point::max());
    auto stream = client_.ingest().StreamIngest(context.get());
    bool writes_done = false;
    iv1::StreamIngestResponse response;
    while (!pending_.empty() || !inflight_.empty()) {
      bool write_failed = false;
      while (static_cast<int>(inflight_.size()) < kMaxInFlight && !pending_.empty()) {
        if (!stream->Write(pending_.front().request)) {
          write_failed = true;
          break;
        }
        inflight_.push_back(std::move(pending_.front()));
        pending_.pop_front();
        ShowProgress();
      }
      if (write_failed) break;
      if (pending_.empty() && !writes_done) {
        stream->WritesDone();
        writes_done = true;
      }
      if (!stream->Read(&response)) break;
      if (!Acknowledge(response)) {
        context->TryCancel();
        stream->Finish();
        return grpc::Status(grpc::StatusCode::INTERNAL,
                            absl::StrCat("the service acknowledged batch ", response.batch_seq(),
                                         " which is not in flight"));
      }
    }
    // Acknowledgements that arrived before the stream ended still count.
    while (!inflight_.empty() && stream->Read(&response)) {
      if (!Acknowledge(response)) break;
    }
    if (!writes_done) stream->WritesDone();
    grpc::Status status = stream->Finish();
    if (status.ok() && !(pending_.empty() && inflight_.empty())) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "the service ended the stream before acknowledging every batch");
    }
    return status;
  }

  bool Acknowledge(const iv1::StreamIngestResponse& response) {
    auto it = std::find_if(inflight_.begin(), inflight_.end(), [&](const Batch& b) {
      return b.request.batch_seq() == response.batch_seq();
    });
    if (it == inflight_.end()) return false;
    for (const iv1::EventOutcome& o : response.outcomes()) {
      ++counts_[o.outcome()];
      if (o.outcome() == iv1::OUTCOME_REJECTED) {
        const int i = o.index();
        Rejection rej;
        if (i >= 0 && i < static_cast<int>(it->lines.size())) {
          rej.line = it->lines[i];
          rej.event_id = it->request.events(i).event_id();
        }
        rej.field = o.field();
        rej.reason = o.reason();
        rejections_.push_back(std::move(rej));
      }
    }
    acked_ += it->request.events_size();
    inflight_.erase(it);
    ShowProgress();
    return true;
  }

  void ShowProgress() {
    if (!progress_) return;
    const absl::Time now = absl::Now();
    if (now - last_draw_ < absl::Milliseconds(100) && acked_ < total_) return;
    last_draw_ = now;
    int64_t sent = acked_;
    for (const Batch& b : inflight_) sent += b.request.events_size();
    constexpr int kWidth = 30;
    const int done = total_ > 0 ? static_cast<int>(acked_ * kWidth / total_) : kWidth;
    const int in_air = total_ > 0 ? static_cast<int>(sent * kWidth / total_) - done : 0;
    const double secs = absl::ToDoubleSeconds(now - start_);
    std::cerr << absl::StrFormat("\r[%s%s%s] sent %d  acked %d/%d  %.0f events/s ",
                                 std::string(done, '#'), std::string(in_air, '>'),
                                 std::string(std::max(0, kWidth - done - in_air), ' '), sent,
                                 acked_, total_, secs > 0 ? acked_ / secs : 0.0)
              << std::flush;
    drawn_ = true;
  }

  void ClearProgress() {
    if (!drawn_) return;
    std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
  }

  Client& client_;
  std::deque<Batch> pending_, inflight_;
  const int64_t total_;
  int64_t acked_ = 0;
  int reconnects_ = 0;
  std::map<iv1::Outcome, int64_t> counts_;
  std::vector<Rejection> rejections_;
  bool progress_ = false, drawn_ = false;
  absl::Time start_, last_draw_ = absl::InfinitePast();
};

// Like Client::Fail, but a connection problem names the ingest service.
int IngestFailed(Client& client, const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  if (code != grpc::StatusCode::UNAVAILABLE && code != grpc::StatusCode::DEADLINE_EXCEEDED &&
      code != grpc::StatusCode::UNIMPLEMENTED) {
    return client.Fail(status);
  }
  std::cerr << "error: " << StatusCodeName(code) << ": " << status.error_message()
            << "\nhint: is the ingest service running at " << client.options().ingest_addr
            << "? (point --ingest-addr or ATTAIN_INGEST_ADDR at it); the stream did not "
               "complete: run the command again, events already taken come back as duplicates\n"
            << std::flush;
  return kExitFailure;
}

int RunIngest(const Invocation& inv) {
  const std::string path = inv.args.positional()[0];
  const std::string kind = inv.args.Get("kind");
  if (kind.empty()) return inv.UsageError(absl::StrCat("--kind is required: ", IngestKindNames()));
  auto kind_it = IngestKinds().find(kind);
  if (kind_it == IngestKinds().end()) {
    return inv.UsageError(absl::StrCat("--kind \"", kind, "\" is not one of ", IngestKindNames()));
  }
  const std::string source = inv.args.Get("source", "crm");
  int batch_size = 500;
  if (inv.args.Has("batch") && (!absl::SimpleAtoi(inv.args.Get("batch"), &batch_size) ||
                                batch_size < 1 || batch_size > 1000)) {
    return inv.UsageError(
        absl::StrCat("--batch \"", inv.args.Get("batch"), "\" is not a number from 1 to 1000"));
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << path << "\n";
    return kExitFailure;
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text.str());
  if (!records.ok()) {
    std::cerr << "error: " << path << ": " << records.status().message() << "\n";
    return kExitFailure;
  }
  if (records->empty()) {
    std::cerr << "error: " << path << " is empty: it needs a header row\n";
    return kExitFailure;
  }
  absl::StatusOr<RowParser> parser = RowParser::Make(kind_it->second, records->front().fields);
  if (!parser.ok()) {
    std::cerr << "error: " << path << ": " << parser.status().message() << "\n";
    return kExitFailure;
  }

  std::vector<RowError> parse_errors;
  std::deque<Batch> batches;
  int64_t events = 0;
  for (std::size_t i = 1; i < records->size(); ++i) {
    ParsedRow row;
    if (auto err = parser->Parse((*records)[i], source, &row); err.has_value()) {
      parse_errors.push_back(*err);
      continue;
    }
    if (batches.empty() || batches.back().request.events_size() >= batch_size) {
      batches.emplace_back();
      batches.back().request.set_batch_seq(static_cast<int64_t>(batches.size()));
    }
    *batches.back().request.add_events() = std::move(row.event);
    batches.back().lines.push_back(row.line);
    ++events;
  }
  const std::size_t batch_count = batches.size();

  Streamer streamer(inv.client, std::move(batches), events);
  const grpc::Status status = streamer.Run();
  const double secs = absl::ToDoubleSeconds(streamer.elapsed());
  const double rate = secs > 0 ? streamer.acked() / secs : 0.0;
  auto count = [&](iv1::Outcome o) {
    auto it = streamer.counts().find(o);
    return it == streamer.counts().end() ? int64_t{0} : it->second;
  };

  if (inv.client.json()) {
    nlohmann::ordered_json doc = {{"file", path},
                                  {"kind", kind},
                                  {"source", source},
                                  {"completed", status.ok()},
                                  {"events", events},
                                  {"batches", batch_count},
                                  {"acknowledged", streamer.acked()},
                                  {"accepted", count(iv1::OUTCOME_ACCEPTED)},
                                  {"duplicate", count(iv1::OUTCOME_DUPLICATE)},
                                  {"stale_version", count(iv1::OUTCOME_STALE_VERSION)},
                                  {"rejected", count(iv1::OUTCOME_REJECTED)},
                                  {"unparsable_rows", parse_errors.size()},
                                  {"reconnects", streamer.reconnects()},
                                  {"seconds", secs},
                                  {"events_per_second", rate}};
    if (!status.ok()) {
      doc["error"] = {{"code", StatusCodeName(status.error_code())},
                      {"message", status.error_message()}};
    }
    nlohmann::ordered_json rejections = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < streamer.rejections().size() && i < kMaxShownRejections; ++i) {
      const Rejection& r = streamer.rejections()[i];
      rejections.push_back(
          {{"line", r.line}, {"event_id", r.event_id}, {"field", r.field}, {"reason", r.reason}});
    }
    doc["rejections"] = rejections;
    nlohmann::ordered_json unparsable = nlohmann::ordered_json::array();
    for (const RowError& e : parse_errors) {
      unparsable.push_back({{"line", e.line}, {"field", e.field}, {"reason", e.reason}});
    }
    doc["unparsable"] = unparsable;
    PrintJson(doc);
    if (!status.ok()) return IngestFailed(inv.client, status);
    return kExitOk;
  }

  if (!parse_errors.empty()) {
    std::cout << parse_errors.size() << " row(s) could not be read and were not sent:\n";
    Table t({"line", "column", "problem"});
    t.AlignRight(0);
    for (const RowError& e : parse_errors) t.AddRow({absl::StrCat(e.line), e.field, e.reason});
    t.Print();
    std::cout << "\n";
  }
  std::cout << absl::StrFormat(
      "%s %s (%s, source %s): %d of %d events acknowledged in %d batch(es), %.1fs (%.0f "
      "events/s)%s\n",
      status.ok() ? "ingested" : "FAILED ingesting", path, kind, source, streamer.acked(), events,
      batch_count, secs, rate,
      streamer.reconnects() > 0 ? absl::StrCat(", ", streamer.reconnects(), " reconnect(s)") : "");
  Table t({"outcome", "events"});
  t.AlignRight(1);
  t.AddRow({"accepted", absl::StrCat(count(iv1::OUTCOME_ACCEPTED))});
  t.AddRow({"duplicate", absl::StrCat(count(iv1::OUTCOME_DUPLICATE))});
  t.AddRow({"stale_version", absl::StrCat(count(iv1::OUTCOME_STALE_VERSION))});
  t.AddRow({"rejected", absl::StrCat(count(iv1::OUTCOME_REJECTED))});
  if (!parse_errors.empty()) t.AddRow({"not sent", absl::StrCat(parse_errors.size())});
  t.Print();
  if (!streamer.rejections().empty()) {
    const std::size_t shown =
        std::min<std::size_t>(streamer.rejections().size(), kMaxShownRejections);
    std::cout << "\nrejections (first " << shown << " of " << streamer.rejections().size()
              << "; all are kept by the service for inspection):\n";
    Table r({"line", "event_id", "field", "reason"});
    r.AlignRight(0);
    for (std::size_t i = 0; i < shown; ++i) {
      const Rejection& x = streamer.rejections()[i];
      r.AddRow({absl::StrCat(x.line), x.event_id, x.field, x.reason});
    }
    r.Print();
  }
  if (!status.ok()) return IngestFailed(inv.client, status);
  return kExitOk;
}

}  // namespace

std::vector<Command> IngestCommands() {
  return {{"ingest",
           absl::StrCat("FILE.csv --kind ", IngestKindNames(), " [--source crm] [--batch 500]"),
           "streams a CSV export (header: the kind's proto field names plus event_id, "
           "occurred_at and currency; money in major units) to the ingest service and counts "
           "the outcomes",
           {"kind", "source", "batch"},
           {},
           1,
           1,
           RunIngest}};
}

}  // namespace attain::ctl
