#include "common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>
#include <grpcpp/resource_quota.h>
#include <signal.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/transport.h"

namespace attain {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Reports the names of the services a ServerBuilder registers (grpc::Service
// does not expose its name), so that each can be given a health status.
class ServiceNamesPlugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceNamesPlugin(std::vector<std::string>* names) : names_(names) {}
  std::string name() override { return "attain_service_names"; }
  void InitServer(grpc::ServerInitializer*) override {}
  void Finish(grpc::ServerInitializer* si) override { *names_ = *si->GetServiceList(); }
  void ChangeArguments(const std::string&, void*) override {}

 private:
  std::vector<std::string>* names_;
};

class ServiceNamesOption final : public grpc::ServerBuilderOption {
 public:
  explicit ServiceNamesOption(std::vector<std::string>* names) : names_(names) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<ServiceNamesPlugin>(names_));
  }

 private:
  std::vector<std::string>* names_;
};

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write port file ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  sigset_t set = ShutdownSignals();
  siginfo_t info;
  int sig = -1;
  while ((sig = sigwaitinfo(&set, &info)) < 0) {
  }
  // Who asked: an unexpected stop is traced to its sender.
  LogEvent(LogLevel::kInfo, "shutdown signal")
      .Int("signal", sig)
      .Int("sender_pid", info.si_pid)
      .Int("sender_uid", info.si_uid);
  return sig;
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const Config& config, const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<GrpcServer> s(new GrpcServer());
  s->config_ = config;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      config.listen,
      config.credentials != nullptr ? config.credentials : grpc::InsecureServerCredentials(),
      &s->port_);
  builder.SetMaxReceiveMessageSize(config.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.max_concurrent_streams);
  // Clients re-resolve a headless service's addresses (new replicas) when a
  // connection ends: end each after a while. Calls in flight, streams too,
  // keep their connection until they finish.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, INT_MAX);
  grpc::ResourceQuota quota("attain-server");
  quota.Resize(static_cast<size_t>(config.memory_quota_bytes));
  builder.SetResourceQuota(quota);
  if (config.metrics != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(config.metrics->NewInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  // gRPC sets SO_REUSEPORT by default, which lets a second server bind a port
  // that is in use and silently share its connections: refuse instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<std::string> service_names;
  builder.SetOption(std::make_unique<ServiceNamesOption>(&service_names));
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen,
                     ": the address is in use or invalid; pick another with --listen"));
  }
  // The default health service knows only "" until a service is named to it;
  // SetServing then updates them all.
  if (grpc::HealthCheckServiceInterface* health = s->server_->GetHealthCheckService()) {
    for (const std::string& name : service_names) health->SetServingStatus(name, true);
  }
  s->service_names_ = service_names;
  s->SetServing(true);
  if (!config.port_file.empty()) {
    if (absl::Status st = WritePortFile(config.port_file, s->port_); !st.ok()) return st;
  }
  LogEvent(LogLevel::kInfo, "serving")
      .Str("listen", config.listen)
      .Int("port", s->port_)
      .Str("transport", config.credentials == nullptr ? "plaintext" : "configured");
  return s;
}

GrpcServer::Config GrpcServer::ConfigFor(const ServerOptions& options, const Transport& transport,
                                         Metrics* metrics) {
  Config config;
  config.listen = options.listen;
  config.port_file = options.port_file;
  config.shutdown_grace = options.shutdown_grace;
  config.credentials = transport.ServerCredentials();
  config.metrics = metrics;
  return config;
}

GrpcServer::~GrpcServer() { Shutdown(); }

void GrpcServer::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  SetServingLocked(serving);
}

void GrpcServer::SetServingLocked(bool serving) {
  if (server_ != nullptr && server_->GetHealthCheckService() != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(serving);
  }
}

void GrpcServer::MonitorDependencies(std::vector<DependencyProbe> probes, absl::Duration interval,
                                     Metrics* metrics) {
  monitor_ = std::thread([this, probes = std::move(probes), interval, metrics] {
    std::string last_failing = "";  // "" while all pass (also before the first round)
    bool first = true;
    do {
      std::vector<std::string> failing;
      std::vector<const DependencyProbe*> failing_probes;
      std::string reasons;
      for (const DependencyProbe& probe : probes) {
        absl::Status st = probe.check();
        if (metrics != nullptr) metrics->SetDependencyUp(probe.name, st.ok());
        if (!st.ok()) {
          failing.push_back(probe.name);
          failing_probes.push_back(&probe);
          absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", probe.name, ": ", st.message());
        }
      }
      const std::string now_failing = absl::StrJoin(failing, ",");
      if (first || now_failing != last_failing) {
        if (failing.empty()) {
          if (!first) LogEvent(LogLevel::kInfo, "dependencies back: serving");
        } else {
          LogEvent(LogLevel::kWarn, "dependency down: not serving")
              .Str("dependencies", now_failing)
              .Str("error", reasons);
        }
        SetHealthFor(failing_probes);
      }
      last_failing = now_failing;
      first = false;
    } while (!stop_monitor_.WaitForNotificationWithTimeout(interval));
  });
}

void GrpcServer::SetHealthFor(const std::vector<const DependencyProbe*>& failing) {
  absl::MutexLock lock(&mu_);
  if (shut_down_ || server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", failing.empty());
  for (const std::string& service : service_names_) {
    bool serving = true;
    for (const DependencyProbe* probe : failing) {
      for (const std::string& needed : probe->needed_by) {
        if (needed == "*" || needed == service) serving = false;
      }
    }
    health->SetServingStatus(service, serving);
  }
}

void GrpcServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_ || server_ == nullptr) return;
    shut_down_ = true;
    SetServingLocked(false);
  }
  stop_monitor_.Notify();
  if (monitor_.joinable()) monitor_.join();
  LogEvent(LogLevel::kInfo, "shutting down")
      .Num("grace_s", absl::ToDoubleSeconds(config_.shutdown_grace));
  server_->Shutdown(absl::ToChronoTime(absl::Now() + config_.shutdown_grace));
  server_->Wait();
}

}  // namespace attain
