// bench-echo-server: the baseline server of eval_bench. Serves
// attain.bench.v1.BenchEchoService with the services' server plumbing
// (common/server.h: the same builder settings, health checks and shutdown) but
// answers inline on the gRPC thread: no authentication, no worker pool, no
// storage — what a board read would cost if gRPC were all it did.
// Usage: bench-echo-server --listen HOST:PORT [--port-file PATH]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "bench_echo.grpc.pb.h"
#include "common/server.h"

namespace {

namespace bv1 = attain::bench::v1;

class EchoServiceImpl final : public bv1::BenchEchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const bv1::BenchEchoRequest* req,
                                 bv1::BenchEchoResponse* resp) override {
    resp->mutable_payload()->assign(static_cast<size_t>(std::max(0, req->reply_bytes())), 'x');
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  attain::BlockShutdownSignals();
  attain::GrpcServer::Config config;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--listen")) config.listen = argv[i + 1];
    if (!std::strcmp(argv[i], "--port-file")) config.port_file = argv[i + 1];
  }
  EchoServiceImpl echo;
  absl::StatusOr<std::unique_ptr<attain::GrpcServer>> server =
      attain::GrpcServer::Start(config, {&echo});
  if (!server.ok()) {
    std::fprintf(stderr, "bench-echo-server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  attain::WaitForShutdownSignal();
  (*server)->Shutdown();
  return 0;
}
