#include "tests/support/ingest_stack.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/redis.h"

namespace attain::testing {

absl::StatusOr<std::unique_ptr<IngestStack>> IngestStack::Start(Options options,
                                                                const std::string& eval_binary) {
  std::unique_ptr<IngestStack> stack(new IngestStack());
  stack->options_ = std::move(options);
  stack->redis_ = std::make_unique<RedisTestServer>();
  stack->redis_url_ = stack->redis_->url();
  stack->db_url_ = PgTestServer::Shared().CreateDatabase(stack->options_.db_prefix);
  const std::string& key = stack->options_.jwt_key;
  absl::StatusOr<std::unique_ptr<ServiceProcess>> target = ServiceProcess::Start(
      {stack->options_.target_binary, {"--pg-url", stack->db_url_, "--jwt-key", key}, {}});
  if (!target.ok()) return target.status();
  stack->target_ = *std::move(target);
  absl::StatusOr<std::unique_ptr<ServiceProcess>> ingest =
      ServiceProcess::Start({stack->options_.ingest_binary,
                             {"--pg-url", stack->db_url_, "--redis-url", stack->redis_url_,
                              "--jwt-key", key, "--target-addr", stack->target_->address()},
                             {}});
  if (!ingest.ok()) return ingest.status();
  stack->ingest_ = *std::move(ingest);
  if (!eval_binary.empty()) {
    absl::StatusOr<std::unique_ptr<ServiceProcess>> eval = ServiceProcess::Start(
        {eval_binary,
         {"--pg-url", stack->db_url_, "--redis-url", stack->redis_url_, "--jwt-key", key,
          "--target-addr", stack->target_->address(), "--ingest-addr", stack->ingest_->address()},
         {}});
    if (!eval.ok()) return eval.status();
    stack->eval_ = *std::move(eval);
  }
  return stack;
}

std::string IngestStack::Token(const std::string& tenant, Role role, const std::string& subject,
                               const std::string& scope) const {
  Principal p{tenant, subject, role, scope, {}};
  absl::StatusOr<std::string> token = MintToken(options_.jwt_key, p, absl::Now(), absl::Hours(1));
  return token.ok() ? *token : "";
}

int64_t IngestStack::WaitForScore(const std::string& key, const std::string& member, int64_t want,
                                  absl::Duration timeout) const {
  absl::StatusOr<RedisClient::Options> opts = RedisClient::ParseUrl(redis_url_);
  if (!opts.ok()) return -1;
  RedisClient redis(*opts);
  int64_t got = -1;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<RedisReply> r = redis.Command({"ZSCORE", key, member});
    got = r.ok() && r->type == RedisReply::Type::kString ? std::stoll(r->str) : -1;
    if (got == want || absl::Now() >= deadline) return got;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

void Authorize(grpc::ClientContext& ctx, const std::string& token) {
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

absl::Status CreateUnit(target::v1::OrgService::Stub& org, const std::string& token,
                        const std::string& unit_id, const std::string& parent_id,
                        target::v1::OrgUnitKind kind) {
  target::v1::CreateOrgUnitRequest req;
  req.set_request_id("create-unit-" + unit_id);
  req.set_unit_id(unit_id);
  req.set_parent_id(parent_id);
  req.set_name(unit_id);
  req.set_kind(kind);
  target::v1::CreateOrgUnitResponse resp;
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  return FromGrpcStatus(org.CreateOrgUnit(&ctx, req, &resp));
}

absl::Status CreateRep(target::v1::OrgService::Stub& org, const std::string& token,
                       const std::string& rep_id, const std::string& team_id,
                       const std::string& hire_date) {
  target::v1::CreateRepRequest req;
  req.set_request_id("create-rep-" + rep_id);
  req.set_rep_id(rep_id);
  req.set_name(rep_id);
  req.set_team_id(team_id);
  req.set_hire_date(hire_date);
  target::v1::CreateRepResponse resp;
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  return FromGrpcStatus(org.CreateRep(&ctx, req, &resp));
}

absl::Status MoveRep(target::v1::OrgService::Stub& org, const std::string& token,
                     const std::string& rep_id, const std::string& team_id,
                     const std::string& effective_from) {
  target::v1::MoveRepRequest req;
  req.set_request_id(absl::StrCat("move-rep-", rep_id, "-", team_id, "-", effective_from));
  req.set_rep_id(rep_id);
  req.set_team_id(team_id);
  req.set_effective_from(effective_from);
  target::v1::MoveRepResponse resp;
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  return FromGrpcStatus(org.MoveRep(&ctx, req, &resp));
}

ingest::v1::Event OrderEvent(const std::string& order_id, int64_t version,
                             const std::string& rep_id, int64_t amount_minor,
                             const std::string& day) {
  ingest::v1::Event e;
  e.set_source("crm");
  e.set_event_id(absl::StrCat(order_id, "-v", version));
  e.set_occurred_at(day + "T10:00:00+08:00");
  ingest::v1::Order* o = e.mutable_order();
  o->set_order_id(order_id);
  o->set_version(version);
  o->set_customer_id("cust-" + order_id);
  o->set_rep_id(rep_id);
  o->set_product_line_id("a");
  o->mutable_amount()->set_currency_code("CNY");
  o->mutable_amount()->set_minor_units(amount_minor);
  o->mutable_gross_profit()->set_currency_code("CNY");
  o->mutable_gross_profit()->set_minor_units(amount_minor / 4);
  o->set_status(ingest::v1::ORDER_STATUS_SIGNED);
  o->set_signed_date(day);
  return e;
}

}  // namespace attain::testing
