// Prometheus metrics of a service (ARCHITECTURE §12), served over HTTP at
// /metrics by prometheus-cpp's exposer (Debian's prometheus-cpp-dev):
//   attain_rpc_requests_total{method,code}   calls finished, by gRPC status code
//   attain_rpc_duration_seconds{method}      call latency (a stream's whole life)
//   attain_dependency_up{dependency}         1 while PostgreSQL/Redis answer, else 0
//   gauges the service adds (pool use, outbox lag), read at each scrape.
// `method` is the full gRPC method ("/attain.target.v1.OrgService/GetUnit");
// a name that is not a method of this build's protos counts as "unknown", so
// callers cannot grow the label set.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace attain {

class Metrics {
 public:
  // Serves /metrics on `listen` (host:port; port 0 picks a free one). An
  // empty `listen` keeps the metrics without serving them. UNAVAILABLE if the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& listen);
  ~Metrics();

  // The HTTP port, or 0 when not served.
  int port() const { return port_; }

  // Counts and times every call of the server it is installed in
  // (GrpcServer::Config::interceptors).
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

  // A gauge whose value `read` returns at each scrape. `read` runs on the
  // HTTP thread and must be quick and thread-safe; it must outlive Metrics.
  void AddGauge(const std::string& name, const std::string& help,
                const std::map<std::string, std::string>& labels, std::function<double()> read);

  // attain_dependency_up{dependency=`name`}.
  void SetDependencyUp(const std::string& name, bool up);

  // The text exposition, as a scrape would see it (for tests and logs).
  std::string Render() const;

  prometheus::Registry& registry() { return *registry_; }

  // The per-call series (metrics.cc); public so that the interceptor can name it.
  class Recorder;
  // gRPC status codes 0..16.
  static constexpr int kCodes = 17;

 private:
  class Sampled;
  Metrics();

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<Sampled> sampled_;
  std::shared_ptr<Recorder> recorder_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

class WorkerPool;

// attain_worker_pool_{queued,busy,threads} of `pool` and, when `pg_in_use`
// is set, attain_pg_pool_{in_use,size}: how full the service's pools are.
void AddPoolGauges(Metrics& metrics, const WorkerPool& pool, std::function<int()> pg_in_use,
                   int pg_size);

}  // namespace attain
