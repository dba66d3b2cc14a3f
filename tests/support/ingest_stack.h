// End-to-end support for the ingest service: attain-target and attain-ingest
// (and, when asked, attain-eval) started on free ports over one fresh
// PostgreSQL database and a fresh Redis, plus the small helpers the e2e tests
// share (tokens, org set-up, order events, polling a live board).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/events.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain::testing {

class IngestStack {
 public:
  struct Options {
    std::string target_binary;  // ATTAIN_TARGET_BINARY
    std::string ingest_binary;  // ATTAIN_INGEST_BINARY
    std::string db_prefix;      // name prefix of the fresh database
    std::string jwt_key;        // HS256 key shared by the services and the tokens
  };

  // Starts Redis, creates the database and starts the services (ingest
  // pointed at the target; with `eval_binary` (ATTAIN_EVAL_BINARY) also
  // attain-eval, pointed at the target, ingest and Redis). On failure the
  // message carries the failing log.
  static absl::StatusOr<std::unique_ptr<IngestStack>> Start(Options options,
                                                            const std::string& eval_binary = "");

  ServiceProcess& target() { return *target_; }
  ServiceProcess& ingest() { return *ingest_; }
  // Only when started with an eval binary.
  ServiceProcess& eval() { return *eval_; }
  // For outages: Stop() and Start() the boards' Redis.
  RedisTestServer& redis() { return *redis_; }
  const std::string& redis_url() const { return redis_url_; }
  const std::string& db_url() const { return db_url_; }

  // A token of `tenant` for `subject` in `role`, confined to org unit `scope`
  // ("" = the whole tenant), valid for an hour.
  std::string Token(const std::string& tenant, Role role, const std::string& subject = "tester",
                    const std::string& scope = "") const;

  // Polls ZSCORE `key` `member` until it is `want` (the relay applies the
  // outbox asynchronously) or `timeout` passes; returns the last value seen
  // (-1 while the member is absent).
  int64_t WaitForScore(const std::string& key, const std::string& member, int64_t want,
                       absl::Duration timeout = absl::Seconds(10)) const;

 private:
  IngestStack() = default;

  Options options_;
  std::string db_url_;
  std::string redis_url_;
  std::unique_ptr<RedisTestServer> redis_;
  std::unique_ptr<ServiceProcess> target_;
  std::unique_ptr<ServiceProcess> ingest_;
  std::unique_ptr<ServiceProcess> eval_;
};

// Adds `authorization: Bearer <token>` and a 30 s deadline.
void Authorize(grpc::ClientContext& ctx, const std::string& token);

// Thin synchronous wrappers over attain.target.v1.OrgService for setting up an
// org; they return the call's status (message included).
absl::Status CreateUnit(target::v1::OrgService::Stub& org, const std::string& token,
                        const std::string& unit_id, const std::string& parent_id,
                        target::v1::OrgUnitKind kind);
// A rep hired on `hire_date` in `team_id` from that day.
absl::Status CreateRep(target::v1::OrgService::Stub& org, const std::string& token,
                       const std::string& rep_id, const std::string& team_id,
                       const std::string& hire_date = "2020-01-01");
// Moves `rep_id` to `team_id` from `effective_from` ("YYYY-MM-DD").
absl::Status MoveRep(target::v1::OrgService::Stub& org, const std::string& token,
                     const std::string& rep_id, const std::string& team_id,
                     const std::string& effective_from);

// A signed order event (source "crm", event id "<order_id>-v<version>", one
// product line "a", currency CNY, gross profit a quarter of the amount, for
// customer "cust-<order_id>") signed on `day` ("YYYY-MM-DD").
ingest::v1::Event OrderEvent(const std::string& order_id, int64_t version,
                             const std::string& rep_id, int64_t amount_minor,
                             const std::string& day);

}  // namespace attain::testing
