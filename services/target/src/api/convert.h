// Records of the store ↔ messages of attain.target.v1, and the access rules
// of ARCHITECTURE §10 as they apply to org units, reps and targets.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "attain/target/v1/org_service.pb.h"
#include "attain/target/v1/target_service.pb.h"
#include "common/auth.h"
#include "common/rpc.h"
#include "services/target/src/store/target_store.h"

namespace attain::target {

namespace v1 = ::attain::target::v1;

void ToProto(const OrgUnitRecord& r, v1::OrgUnit* out);
// `as_of` picks Rep.team_id.
void ToProto(const RepRecord& r, absl::CivilDay as_of, v1::Rep* out);
void ToProto(const ProductLineRecord& r, v1::ProductLine* out);
void ToProto(const TargetRecord& r, v1::Target* out);
void ToProto(const HistoryRecord& r, v1::TargetChange* out);
void ToProto(const LockRecord& r, v1::PeriodLock* out);

// The team a rep was in on `day`, "" if none.
std::string TeamOn(const RepRecord& rep, absl::CivilDay day);

// request_id rules (see domain/validate.h), for RunMutation.
absl::Status ValidateRequestIdForMutation(const std::string& request_id);

// A fresh id such as "u-3f9a0c1b7d2e" for server-generated ids.
std::string NewId(absl::string_view prefix);

// Roles that see the whole tenant's org and targets.
RoleSet TenantWideReaders();

// May `p` read (write = false) or change (write = true) things of unit
// `unit_id`? Tenant-wide roles: yes. A manager: within the subtree of their
// scope (a change: strictly below their own unit). A rep: no unit access.
// PERMISSION_DENIED otherwise.
absl::Status CheckUnitAccess(TargetTx& tx, const Principal& p, const std::string& unit_id,
                             bool write);
// Same for a rep: a manager if the rep's team on `day` lies in the subtree; a
// rep only for themselves and only to read.
absl::Status CheckRepAccess(TargetTx& tx, const Principal& p, const std::string& rep_id,
                            absl::CivilDay day, bool write);
// Dispatches on the scope kind (kScopeUnit / kScopeRep).
absl::Status CheckScopeAccess(TargetTx& tx, const Principal& p, int scope_kind,
                              const std::string& scope_id, absl::CivilDay day, bool write);

}  // namespace attain::target

namespace attain::target {

// Runs a mutation through the store with idempotency on `request_id`: `fn`
// fills a fresh response inside the transaction; a retry gets the stored one.
template <typename Resp, typename Fn>
absl::Status RunMutation(TargetStore& store, const Principal& p, const std::string& request_id,
                         const char* method, Resp* resp, Fn fn) {
  if (absl::Status st = ValidateRequestIdForMutation(request_id); !st.ok()) return st;
  absl::StatusOr<std::string> bytes =
      store.Mutate(p.tenant, request_id, method, [&](TargetTx& tx) -> absl::StatusOr<std::string> {
        Resp fresh;
        if (absl::Status st = fn(tx, fresh); !st.ok()) return st;
        return fresh.SerializeAsString();
      });
  if (!bytes.ok()) return bytes.status();
  if (!resp->ParseFromString(*bytes)) {
    return absl::InternalError("the stored response of this request_id cannot be read");
  }
  return absl::OkStatus();
}

}  // namespace attain::target
