#include "services/eval/src/boards/target_lookup.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/grpc_status.h"

namespace attain::eval {
namespace {

std::string CacheKey(const TargetQuery& q) {
  const char sep = '\0';
  return absl::StrCat(q.tenant, std::string(1, sep), q.period, std::string(1, sep), q.metric,
                      std::string(1, sep), q.product_line, std::string(1, sep), q.under_unit);
}

constexpr int kScopeKindRep = 2;  // attain.type.v1.SCOPE_KIND_REP

}  // namespace

GrpcTargetLookup::GrpcTargetLookup(std::shared_ptr<grpc::Channel> channel, std::string signing_key,
                                   const Clock* clock, Options options)
    : stub_(target::v1::TargetService::NewStub(std::move(channel))),
      tokens_(std::move(signing_key), "attain-eval", clock),
      clock_(clock),
      options_(options) {}

absl::StatusOr<std::shared_ptr<const RepTargets>> GrpcTargetLookup::Find(const TargetQuery& query) {
  const std::string key = CacheKey(query);
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock l(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      const absl::Duration ttl = it->second.targets.ok() ? options_.ttl : options_.failure_ttl;
      if (now - it->second.fetched < ttl) return it->second.targets;
    }
  }
  // Concurrent misses of one key may fetch twice; the answers are the same.
  absl::StatusOr<std::shared_ptr<const RepTargets>> fetched = Fetch(query);
  absl::MutexLock l(&mu_);
  // Expired entries of other keys are dropped on the way, so the cache holds
  // only what was asked for lately.
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (now - it->second.fetched >= options_.ttl) {
      cache_.erase(it++);
    } else {
      ++it;
    }
  }
  cache_[key] = Entry{fetched, now};
  return fetched;
}

absl::StatusOr<std::shared_ptr<const RepTargets>> GrpcTargetLookup::Fetch(const TargetQuery& q) {
  absl::StatusOr<std::string> token = tokens_.For(q.tenant);
  if (!token.ok()) return token.status();
  auto targets = std::make_shared<RepTargets>();
  target::v1::ListTargetsRequest req;
  req.set_scope_kind(static_cast<type::v1::ScopeKind>(kScopeKindRep));
  req.set_period(q.period);
  req.set_metric(static_cast<type::v1::Metric>(q.metric));
  // "*" asks for the targets of all product lines (an empty product line id).
  req.set_product_line_id(q.product_line.empty() ? "*" : q.product_line);
  req.set_under_unit_id(q.under_unit);
  req.set_page_size(10000);
  for (int page = 0; page < options_.max_pages; ++page) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + *token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
    target::v1::ListTargetsResponse resp;
    grpc::Status st = stub_->ListTargets(&ctx, req, &resp);
    if (!st.ok()) {
      return absl::UnavailableError(absl::StrCat("the target service could not list targets: ",
                                                 FromGrpcStatus(st).message()));
    }
    for (const target::v1::Target& t : resp.targets()) {
      (*targets)[t.scope().id()] = t.base_value();
    }
    if (resp.next_page_token().empty()) return std::shared_ptr<const RepTargets>(targets);
    req.set_page_token(resp.next_page_token());
  }
  return absl::UnavailableError(absl::StrCat("more than ", options_.max_pages * 10000,
                                             " rep targets for period ", q.period,
                                             ": too many to show on a board"));
}

}  // namespace attain::eval
