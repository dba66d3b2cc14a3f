#include "services/target/src/api/convert.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "services/target/src/domain/validate.h"

namespace attain::target {
namespace {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t s = absl::ToUnixSeconds(t);
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
}

bool IsTenantWide(Role r) { return TenantWideReaders().Has(r); }

absl::Status RequireManagerScope(const Principal& p) {
  if (p.scope.empty()) {
    return absl::PermissionDeniedError(
        "this manager token names no org scope; mint one with --scope <unit id>");
  }
  return absl::OkStatus();
}

}  // namespace

void ToProto(const OrgUnitRecord& r, v1::OrgUnit* out) {
  out->set_unit_id(r.unit_id);
  out->set_parent_id(r.parent_id);
  out->set_name(r.name);
  out->set_kind(static_cast<v1::OrgUnitKind>(r.kind));
  out->set_tier(r.tier);
  out->set_archived(r.archived);
  SetTimestamp(r.create_time, out->mutable_create_time());
}

std::string TeamOn(const RepRecord& rep, absl::CivilDay day) {
  for (const MembershipRecord& m : rep.memberships) {
    if (m.effective_from <= day && (!m.effective_to || day <= *m.effective_to)) return m.team_id;
  }
  return "";
}

void ToProto(const RepRecord& r, absl::CivilDay as_of, v1::Rep* out) {
  out->set_rep_id(r.rep_id);
  out->set_name(r.name);
  out->set_hire_date(FormatDate(r.hire_date));
  out->set_team_id(TeamOn(r, as_of));
  for (const MembershipRecord& m : r.memberships) {
    v1::TeamMembership* pm = out->add_memberships();
    pm->set_team_id(m.team_id);
    pm->set_effective_from(FormatDate(m.effective_from));
    if (m.effective_to) pm->set_effective_to(FormatDate(*m.effective_to));
  }
}

void ToProto(const ProductLineRecord& r, v1::ProductLine* out) {
  out->set_product_line_id(r.product_line_id);
  out->set_name(r.name);
}

void ToProto(const TargetRecord& r, v1::Target* out) {
  out->set_target_id(r.target_id);
  out->mutable_scope()->set_kind(static_cast<attain::type::v1::ScopeKind>(r.key.scope_kind));
  out->mutable_scope()->set_id(r.key.scope_id);
  out->set_product_line_id(r.key.product_line_id);
  out->set_period(r.key.period);
  out->set_metric(static_cast<attain::type::v1::Metric>(r.key.metric));
  out->set_base_value(r.base_value);
  out->set_challenge_value(r.challenge_value);
  out->set_currency_code(r.currency_code);
  out->set_parent_target_id(r.parent_target_id);
  out->set_version(r.version);
  SetTimestamp(r.update_time, out->mutable_update_time());
  out->set_updated_by(r.updated_by);
}

void ToProto(const HistoryRecord& r, v1::TargetChange* out) {
  out->set_version(r.version);
  SetTimestamp(r.change_time, out->mutable_change_time());
  out->set_changed_by(r.changed_by);
  out->set_old_base_value(r.old_base);
  out->set_old_challenge_value(r.old_challenge);
  out->set_new_base_value(r.new_base);
  out->set_new_challenge_value(r.new_challenge);
  out->set_source(r.source);
}

void ToProto(const LockRecord& r, v1::PeriodLock* out) {
  out->set_period(r.period);
  out->set_reason(r.reason);
  out->set_locked_by(r.locked_by);
  SetTimestamp(r.lock_time, out->mutable_lock_time());
}

absl::Status ValidateRequestIdForMutation(const std::string& request_id) {
  return ValidateRequestId(request_id);
}

std::string NewId(absl::string_view prefix) {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock l(&mu);
  return absl::StrFormat("%s-%012x", prefix, absl::Uniform<uint64_t>(*gen) & 0xffffffffffffULL);
}

RoleSet TenantWideReaders() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kService,
          Role::kCrmIngest,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kFinance,
          Role::kHr};
}

absl::Status CheckUnitAccess(TargetTx& tx, const Principal& p, const std::string& unit_id,
                             bool write) {
  if (IsTenantWide(p.role)) return absl::OkStatus();
  if (p.role == Role::kManager) {
    RETURN_IF_ERROR(RequireManagerScope(p));
    ASSIGN_OR_RETURN(bool inside, tx.IsInSubtree(unit_id, p.scope));
    if (inside && (!write || unit_id != p.scope)) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat("unit \"", unit_id, "\" is outside your scope (",
                     write ? "strictly below " : "", "unit \"", p.scope, "\")"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role '", RoleName(p.role), "' may not access org unit \"", unit_id, "\""));
}

absl::Status CheckRepAccess(TargetTx& tx, const Principal& p, const std::string& rep_id,
                            absl::CivilDay day, bool write) {
  if (IsTenantWide(p.role)) return absl::OkStatus();
  if (p.role == Role::kRep) {
    if (!write && p.subject == rep_id) return absl::OkStatus();
    return absl::PermissionDeniedError(
        write ? "reps may not change targets or org data"
              : absl::StrCat("reps see only their own records, not rep \"", rep_id, "\""));
  }
  if (p.role == Role::kManager) {
    RETURN_IF_ERROR(RequireManagerScope(p));
    ASSIGN_OR_RETURN(auto teams, tx.TeamsOn({rep_id}, day));
    for (const auto& [rep, team] : teams) {
      ASSIGN_OR_RETURN(bool inside, tx.IsInSubtree(team, p.scope));
      if (inside) return absl::OkStatus();
    }
    return absl::PermissionDeniedError(absl::StrCat(
        "rep \"", rep_id, "\" is not in your scope (unit \"", p.scope, "\") on ", FormatDate(day)));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role '", RoleName(p.role), "' may not access rep \"", rep_id, "\""));
}

absl::Status CheckScopeAccess(TargetTx& tx, const Principal& p, int scope_kind,
                              const std::string& scope_id, absl::CivilDay day, bool write) {
  if (scope_kind == kScopeRep) return CheckRepAccess(tx, p, scope_id, day, write);
  return CheckUnitAccess(tx, p, scope_id, write);
}

}  // namespace attain::target
