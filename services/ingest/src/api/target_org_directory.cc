#include "services/ingest/src/api/target_org_directory.h"

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/grpc_status.h"
#include "common/status.h"

namespace attain::ingest {
namespace {

// A failed call to attain-target, for the caller of the ingest RPC: DEADLINE_EXCEEDED
// when it ran out of its deadline (hung), else UNAVAILABLE; final either way, since the
// channel's retry policy has already retried what was worth it.
absl::Status DependencyFailure(const grpc::Status& st, std::string message) {
  return FinalFailure(st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                          ? absl::DeadlineExceededError(std::move(message))
                          : absl::UnavailableError(std::move(message)));
}

std::string CacheKey(const std::string& tenant, const std::string& id) {
  return absl::StrCat(tenant, std::string(1, '\0'), id);
}

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::InternalError(absl::StrCat("target service sent a bad date \"", text, "\""));
  }
  return day;
}

constexpr int kRegionKind = 2;  // attain.target.v1.ORG_UNIT_KIND_REGION

}  // namespace

TargetOrgDirectory::TargetOrgDirectory(std::shared_ptr<grpc::Channel> channel,
                                       std::string signing_key, const Clock* clock, Options options)
    : stub_(target::v1::OrgService::NewStub(std::move(channel))),
      tokens_(std::move(signing_key), "attain-ingest", clock),
      clock_(clock),
      options_(options) {}

absl::StatusOr<std::string> TargetOrgDirectory::Token(const std::string& tenant) {
  return tokens_.For(tenant);
}

void TargetOrgDirectory::Prepare(grpc::ClientContext& ctx, const std::string& token) const {
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
}

absl::StatusOr<TargetOrgDirectory::RepEntry> TargetOrgDirectory::FetchRep(const std::string& tenant,
                                                                          const std::string& rep_id,
                                                                          absl::CivilDay day) {
  const std::string key = CacheKey(tenant, rep_id);
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock l(&mu_);
    auto it = reps_.find(key);
    if (it != reps_.end() && now - it->second.fetched < options_.ttl &&
        day <= it->second.fetch_day) {
      return it->second;
    }
  }
  ASSIGN_OR_RETURN(std::string token, Token(tenant));
  grpc::ClientContext ctx;
  Prepare(ctx, token);
  target::v1::GetRepRequest req;
  req.set_rep_id(rep_id);
  target::v1::GetRepResponse resp;
  grpc::Status st = stub_->GetRep(&ctx, req, &resp);
  if (!st.ok()) {
    absl::Status s = FromGrpcStatus(st);
    if (absl::IsNotFound(s) || absl::IsInvalidArgument(s)) {
      return absl::NotFoundError(absl::StrCat("rep \"", rep_id, "\" is not known to the org"));
    }
    return DependencyFailure(
        st, absl::StrCat("the target service could not place rep \"", rep_id, "\": ", s.message()));
  }
  RepEntry entry;
  entry.fetched = now;
  entry.fetch_day = absl::ToCivilDay(now, options_.time_zone);
  for (const auto& m : resp.rep().memberships()) {
    Membership mm;
    mm.team_id = m.team_id();
    ASSIGN_OR_RETURN(mm.from, ParseDay(m.effective_from()));
    if (m.effective_to().empty()) {
      mm.to = absl::CivilDay::max();
    } else {
      ASSIGN_OR_RETURN(mm.to, ParseDay(m.effective_to()));
    }
    entry.memberships.push_back(std::move(mm));
  }
  absl::MutexLock l(&mu_);
  reps_[key] = entry;
  return entry;
}

absl::StatusOr<TargetOrgDirectory::UnitEntry> TargetOrgDirectory::FetchUnit(
    const std::string& tenant, const std::string& unit_id) {
  const std::string key = CacheKey(tenant, unit_id);
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock l(&mu_);
    auto it = units_.find(key);
    if (it != units_.end() && now - it->second.fetched < options_.ttl) return it->second;
  }
  ASSIGN_OR_RETURN(std::string token, Token(tenant));
  grpc::ClientContext ctx;
  Prepare(ctx, token);
  target::v1::GetOrgUnitRequest req;
  req.set_unit_id(unit_id);
  target::v1::GetOrgUnitResponse resp;
  grpc::Status st = stub_->GetOrgUnit(&ctx, req, &resp);
  if (!st.ok()) {
    return DependencyFailure(st, absl::StrCat("the target service could not return unit \"",
                                              unit_id, "\": ", st.error_message()));
  }
  UnitEntry entry{resp.unit().parent_id(), resp.unit().kind(), now};
  absl::MutexLock l(&mu_);
  units_[key] = entry;
  return entry;
}

absl::StatusOr<std::string> TargetOrgDirectory::RegionOf(const std::string& tenant,
                                                         const std::string& team_id) {
  std::string unit = team_id;
  for (int depth = 0; depth < 32 && !unit.empty(); ++depth) {
    ASSIGN_OR_RETURN(UnitEntry entry, FetchUnit(tenant, unit));
    if (entry.kind == kRegionKind) return unit;
    unit = entry.parent_id;
  }
  return std::string();
}

absl::StatusOr<RepPlacement> TargetOrgDirectory::Place(const std::string& tenant,
                                                       const std::string& rep_id,
                                                       absl::CivilDay day) {
  ASSIGN_OR_RETURN(RepEntry rep, FetchRep(tenant, rep_id, day));
  RepPlacement placement;
  for (const Membership& m : rep.memberships) {
    if (m.from <= day && day <= m.to) placement.team_id = m.team_id;
  }
  if (!placement.team_id.empty()) {
    ASSIGN_OR_RETURN(placement.region_id, RegionOf(tenant, placement.team_id));
  }
  return placement;
}

}  // namespace attain::ingest
