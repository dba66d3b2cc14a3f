// The scorecard sources over gRPC: attain-target (TargetService, OrgService)
// and attain-ingest (IngestQueryService; ComplianceService for special
// contributions). Each call carries the tenant's service token (common/auth.h
// ServiceTokens) and a deadline, so a dependency that hangs costs at most
// `deadline` per call; an unreachable one answers UNAVAILABLE at once (no
// wait-for-ready). Thread-safe; no caching: a scorecard is computed from what
// the services hold now.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "services/eval/src/scorecards/sources.h"

namespace attain::eval {

struct GrpcSourceOptions {
  absl::Duration deadline = absl::Seconds(3);  // per call
  int max_pages = 20;                          // of any paged list, at the largest page size
};

class GrpcTargetSource final : public TargetRecordSource {
 public:
  GrpcTargetSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                   const Clock* clock, GrpcSourceOptions options = {});
  absl::StatusOr<TargetsByMetric> ForSubject(const std::string& tenant, const Subject& subject,
                                             const Period& period) override;
  absl::StatusOr<absl::flat_hash_map<std::string, TargetsByMetric>> ForRepsUnder(
      const std::string& tenant, const std::string& unit, const Period& period,
      const std::vector<int>& metrics) override;

 private:
  absl::StatusOr<absl::flat_hash_map<std::string, TargetsByMetric>> List(
      const std::string& tenant, target::v1::ListTargetsRequest req);

  std::unique_ptr<target::v1::TargetService::Stub> stub_;
  ServiceTokens tokens_;
  const GrpcSourceOptions options_;
};

class GrpcActualsSource final : public ActualsSource {
 public:
  GrpcActualsSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                    const Clock* clock, GrpcSourceOptions options = {});
  absl::StatusOr<std::vector<ActualsGroup>> Actuals(const std::string& tenant,
                                                    const std::optional<Subject>& subject,
                                                    const Period& period,
                                                    ActualsGrouping grouping) override;
  absl::StatusOr<std::vector<std::vector<ActualsGroup>>> ActualsGroupings(
      const std::string& tenant, const std::optional<Subject>& subject, const Period& period,
      const std::vector<ActualsGrouping>& groupings) override;
  absl::StatusOr<std::vector<CustomerStatsGroup>> CustomerStats(const std::string& tenant,
                                                                const std::optional<Subject>& scope,
                                                                const Period& period,
                                                                ActualsGrouping grouping) override;
  absl::StatusOr<CustomerStatsWithTotal> CustomerStatsByRepWithTotal(
      const std::string& tenant, const std::optional<Subject>& scope,
      const Period& period) override;
  // ListSpecialContributions in pages of 10,000, at most options.max_pages.
  absl::StatusOr<std::vector<SpecialContribution>> SpecialContributions(
      const std::string& tenant, const std::optional<Subject>& scope,
      const Period& period) override;

 private:
  absl::Status GetCustomerStats(const std::string& tenant, const std::optional<Subject>& scope,
                                const Period& period, ActualsGrouping grouping, bool include_total,
                                ingest::v1::GetCustomerStatsResponse* resp);

  std::unique_ptr<ingest::v1::IngestQueryService::Stub> stub_;
  std::unique_ptr<ingest::v1::ComplianceService::Stub> compliance_;
  ServiceTokens tokens_;
  const GrpcSourceOptions options_;
};

class GrpcOrgSource final : public OrgSource {
 public:
  GrpcOrgSource(std::shared_ptr<grpc::Channel> channel, std::string signing_key, const Clock* clock,
                GrpcSourceOptions options = {});
  absl::StatusOr<std::string> TeamOf(const std::string& tenant, const std::string& rep,
                                     absl::CivilDay day) override;
  absl::StatusOr<std::vector<std::string>> RepsIn(const std::string& tenant,
                                                  const std::string& unit,
                                                  absl::CivilDay day) override;
  absl::StatusOr<UnitInfo> Unit(const std::string& tenant, const std::string& unit) override;
  absl::StatusOr<std::vector<UnitInfo>> Children(const std::string& tenant,
                                                 const std::string& parent) override;

 private:
  std::unique_ptr<target::v1::OrgService::Stub> stub_;
  ServiceTokens tokens_;
  const GrpcSourceOptions options_;
};

}  // namespace attain::eval
