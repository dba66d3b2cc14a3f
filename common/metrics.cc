#include "common/metrics.h"

#include <google/protobuf/descriptor.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <atomic>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/worker_pool.h"

namespace attain {

// Gauges read at scrape time.
class Metrics::Sampled final : public prometheus::Collectable {
 public:
  void Add(std::string name, std::string help, std::map<std::string, std::string> labels,
           std::function<double()> read) {
    absl::MutexLock lock(&mu_);
    gauges_.push_back({std::move(name), std::move(help), std::move(labels), std::move(read)});
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> families;
    for (const Gauge& g : gauges_) {
      prometheus::MetricFamily* family = nullptr;
      for (prometheus::MetricFamily& f : families) {
        if (f.name == g.name) family = &f;
      }
      if (family == nullptr) {
        families.push_back({g.name, g.help, prometheus::MetricType::Gauge, {}});
        family = &families.back();
      }
      prometheus::ClientMetric m;
      for (const auto& [k, v] : g.labels) m.label.push_back({k, v});
      m.gauge.value = g.read();
      family->metric.push_back(std::move(m));
    }
    return families;
  }

 private:
  struct Gauge {
    std::string name;
    std::string help;
    std::map<std::string, std::string> labels;
    std::function<double()> read;
  };
  mutable absl::Mutex mu_;
  std::vector<Gauge> gauges_ ABSL_GUARDED_BY(mu_);
};

// The per-call counters and histograms. A call costs one map lookup under a
// reader lock (its method's series, made on first use) and two atomic updates.
class Metrics::Recorder {
 public:
  // The series of one method ("unknown" for names that are not methods).
  struct MethodSeries {
    std::string label;
    prometheus::Histogram* duration = nullptr;
    std::array<std::atomic<prometheus::Counter*>, kCodes> by_code{};
  };

  explicit Recorder(prometheus::Registry& registry)
      : requests_(prometheus::BuildCounter()
                      .Name("attain_rpc_requests_total")
                      .Help("gRPC calls finished, by method and status code")
                      .Register(registry)),
        duration_(prometheus::BuildHistogram()
                      .Name("attain_rpc_duration_seconds")
                      .Help("gRPC call latency in seconds, from its start to its status (a "
                            "stream's whole life)")
                      .Register(registry)),
        up_(prometheus::BuildGauge()
                .Name("attain_dependency_up")
                .Help("1 while the dependency (postgresql, redis) answers its health probe")
                .Register(registry)) {}

  // The series of `method` ("/pkg.Service/Method"); those of "unknown" unless
  // it is a method of this build's protos (or health/reflection).
  MethodSeries* For(const char* method) {
    absl::string_view m = method == nullptr ? "" : method;
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = series_.find(m);
      if (it != series_.end()) return it->second.get();
    }
    bool known =
        absl::StartsWith(m, "/grpc.health.v1.Health/") || absl::StartsWith(m, "/grpc.reflection.");
    if (!known && absl::StartsWith(m, "/")) {
      const std::string full = absl::StrReplaceAll(m.substr(1), {{"/", "."}});
      known = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full) != nullptr;
    }
    // Unknown names share one entry and are not remembered, so the map and the
    // label set stay as small as the protos.
    const std::string key = known ? std::string(m) : "unknown";
    absl::MutexLock lock(&mu_);
    std::unique_ptr<MethodSeries>& entry = series_[key];
    if (entry == nullptr) {
      entry = std::make_unique<MethodSeries>();
      entry->label = key;
      entry->duration = &duration_.Add({{"method", key}}, Buckets());
    }
    return entry.get();
  }

  void Record(MethodSeries& series, grpc::StatusCode code, absl::Duration latency) {
    const int c = static_cast<int>(code);
    if (c >= 0 && c < kCodes) {
      prometheus::Counter* counter = series.by_code[c].load(std::memory_order_acquire);
      if (counter == nullptr) {  // Family::Add returns the same series for the same labels
        counter = &requests_.Add(
            {{"method", series.label},
             {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}});
        series.by_code[c].store(counter, std::memory_order_release);
      }
      counter->Increment();
    }
    series.duration->Observe(absl::ToDoubleSeconds(latency));
  }

  void SetUp(const std::string& dependency, bool up) {
    up_.Add({{"dependency", dependency}}).Set(up ? 1 : 0);
  }

 private:
  static const prometheus::Histogram::BucketBoundaries& Buckets() {
    static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    return *buckets;
  }

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Gauge>& up_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> series_ ABSL_GUARDED_BY(mu_);
};

namespace {

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(std::shared_ptr<Metrics::Recorder> recorder,
                     Metrics::Recorder::MethodSeries* series)
      : recorder_(std::move(recorder)), series_(series), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      recorder_->Record(*series_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<Metrics::Recorder> recorder_;
  Metrics::Recorder::MethodSeries* series_;
  absl::Time start_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(std::shared_ptr<Metrics::Recorder> recorder)
      : recorder_(std::move(recorder)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(recorder_, recorder_->For(info->method()));
  }

 private:
  std::shared_ptr<Metrics::Recorder> recorder_;
};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      sampled_(std::make_shared<Sampled>()),
      recorder_(std::make_shared<Recorder>(*registry_)) {}

Metrics::~Metrics() = default;

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen) {
  std::unique_ptr<Metrics> m(new Metrics());
  if (listen.empty()) return m;
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what(),
                                               "; pick another address with --metrics-listen"));
  }
  m->exposer_->RegisterCollectable(m->registry_);
  m->exposer_->RegisterCollectable(m->sampled_);
  std::vector<int> ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  return m;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(recorder_);
}

void Metrics::AddGauge(const std::string& name, const std::string& help,
                       const std::map<std::string, std::string>& labels,
                       std::function<double()> read) {
  sampled_->Add(name, help, labels, std::move(read));
}

void Metrics::SetDependencyUp(const std::string& name, bool up) { recorder_->SetUp(name, up); }

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (prometheus::MetricFamily& f : sampled_->Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

void AddPoolGauges(Metrics& metrics, const WorkerPool& pool, std::function<int()> pg_in_use,
                   int pg_size) {
  metrics.AddGauge("attain_worker_pool_queued",
                   "calls waiting for a worker (RESOURCE_EXHAUSTED past --max-queue)", {},
                   [&pool] { return static_cast<double>(pool.queued()); });
  metrics.AddGauge("attain_worker_pool_busy", "workers running a call now", {},
                   [&pool] { return static_cast<double>(pool.busy()); });
  metrics.AddGauge("attain_worker_pool_threads", "worker threads (--workers)", {},
                   [&pool] { return static_cast<double>(pool.threads()); });
  if (pg_in_use) {
    metrics.AddGauge("attain_pg_pool_in_use", "PostgreSQL connections checked out now", {},
                     [pg_in_use] { return static_cast<double>(pg_in_use()); });
    metrics.AddGauge("attain_pg_pool_size", "PostgreSQL connections the pool may open", {},
                     [pg_size] { return static_cast<double>(pg_size); });
  }
}

}  // namespace attain
