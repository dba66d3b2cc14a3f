// `attainctl health`: grpc.health.v1.Health/Check through a generic stub, so
// that the client needs no generated health code. The request for the
// server's overall health (service "") encodes to zero bytes; the response is
// field 1 (a varint: 0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"

namespace attain::ctl {
namespace {

constexpr int kServing = 1;

bool ReadVarint(const std::string& bytes, std::size_t* pos, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && *pos < bytes.size(); shift += 7) {
    const auto b = static_cast<unsigned char>(bytes[(*pos)++]);
    *value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Field 1 of a HealthCheckResponse; other fields are skipped. -1 if malformed.
int DecodeServingStatus(const std::string& bytes) {
  int status = 0;  // proto3 default: UNKNOWN
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t tag = 0, value = 0;
    if (!ReadVarint(bytes, &pos, &tag)) return -1;
    switch (tag & 7) {
      case 0:  // varint
        if (!ReadVarint(bytes, &pos, &value)) return -1;
        if ((tag >> 3) == 1) status = static_cast<int>(value);
        break;
      case 1:  // 64-bit
        pos += 8;
        break;
      case 2:  // length-delimited
        if (!ReadVarint(bytes, &pos, &value) || value > bytes.size() - pos) return -1;
        pos += value;
        break;
      case 5:  // 32-bit
        pos += 4;
        break;
      default:
        return -1;
    }
  }
  return pos == bytes.size() ? status : -1;
}

std::string ServingStatusName(int status) {
  switch (status) {
    case 0:
      return "UNKNOWN";
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return absl::StrCat("STATUS_", status);
  }
}

int RunHealth(const Invocation& inv) {
  Client& client = inv.client;
  grpc::GenericStub stub(client.channel());
  std::unique_ptr<grpc::ClientContext> context = client.NewContext(/*with_token=*/false);
  // HealthCheckRequest: field 1, the service name ("" = the whole server).
  const std::string service = inv.args.Get("service");
  if (service.size() > 127) return inv.UsageError("--service is too long (at most 127 bytes)");
  std::string encoded;
  if (!service.empty()) {
    encoded.push_back('\x0a');
    encoded.push_back(static_cast<char>(service.size()));
    encoded += service;
  }
  grpc::Slice slice(encoded);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(context.get(), "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &response, [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   status = std::move(s);
                   done = true;
                   cv.notify_one();
                 });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
  if (!status.ok()) return client.Fail(status);

  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  const int serving = DecodeServingStatus(bytes);
  if (serving < 0) {
    std::cerr << "error: the health response from " << client.options().addr << " is malformed\n";
    return kExitFailure;
  }
  const std::string name = ServingStatusName(serving);
  if (client.json()) {
    PrintJson(nlohmann::ordered_json{
        {"addr", client.options().addr}, {"service", service}, {"status", name}});
  } else {
    std::cout << client.options().addr << (service.empty() ? "" : " ") << service << ": " << name
              << "\n";
  }
  return serving == kServing ? kExitOk : kExitFailure;
}

}  // namespace

std::vector<Command> HealthCommands() {
  return {{"health",
           "[--service attain.eval.v1.LeaderboardService]",
           "asks the service whether it is serving (grpc.health.v1), as a whole or one gRPC "
           "service of it (NOT_SERVING while a store it needs is down); exit 0 if SERVING, 1 "
           "otherwise; needs no token",
           {"service"},
           {},
           0,
           0,
           RunHealth}};
}

}  // namespace attain::ctl
