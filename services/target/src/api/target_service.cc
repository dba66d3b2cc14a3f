#include "services/target/src/api/target_service.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/metric.h"
#include "common/page.h"
#include "common/period.h"
#include "common/status.h"
#include "services/target/src/api/convert.h"
#include "services/target/src/domain/decompose.h"
#include "services/target/src/domain/validate.h"

namespace attain::target {
namespace {

#define METHOD(name) "attain.target.v1.TargetService/" #name

namespace tv1 = ::attain::type::v1;

RoleSet TargetWriters() { return {Role::kAdmin, Role::kDirector, Role::kManager}; }
// Targets are figures: crm-ingest, which pushes CRM activity and reads the org
// only to map it (common/auth.h), reads none (as IngestQueryService).
RoleSet TargetReaders() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kService,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kFinance,
          Role::kHr,
          Role::kManager,
          Role::kRep};
}

// One invalid row: the request field at fault and what is wrong.
struct RowProblem {
  int index;
  std::string field;
  std::string message;
};

std::string KeyString(const TargetKey& k) {
  return absl::StrCat(k.scope_kind, "/", k.scope_id, "/", k.product_line_id, "/", k.period, "/",
                      k.metric);
}

// Checks one TargetInput without I/O and turns it into a record. On failure
// `field` names the request field at fault (the message starts with it).
absl::StatusOr<TargetRecord> ParseInput(const std::string& prefix, const v1::TargetInput& in,
                                        std::string* field) {
  auto fail = [&](absl::string_view f, const absl::Status& st) {
    *field = absl::StrCat(prefix, f);
    return st;
  };
  TargetRecord r;
  if (in.scope().kind() != tv1::SCOPE_KIND_UNIT && in.scope().kind() != tv1::SCOPE_KIND_REP) {
    return fail("scope.kind",
                absl::InvalidArgumentError(absl::StrCat(prefix, "scope.kind must be UNIT or REP")));
  }
  if (absl::Status st = ValidateId(prefix + "scope.id", in.scope().id()); !st.ok()) {
    return fail("scope.id", st);
  }
  if (absl::Status st = ValidateOptionalId(prefix + "product_line_id", in.product_line_id());
      !st.ok()) {
    return fail("product_line_id", st);
  }
  absl::StatusOr<Period> period = Period::Parse(in.period());
  if (!period.ok()) return fail("period", Annotate(period.status(), prefix + "period"));
  absl::StatusOr<MetricInfo> metric = LookupMetric(in.metric());
  if (!metric.ok()) return fail("metric", Annotate(metric.status(), prefix + "metric"));
  int64_t challenge = in.challenge_value();
  if (absl::Status st =
          ValidateTargetValues(prefix, *metric, in.base_value(), &challenge, in.currency_code());
      !st.ok()) {
    std::string f = in.base_value() < 0                            ? "base_value"
                    : absl::StrContains(st.message(), "currency")  ? "currency_code"
                    : absl::StrContains(st.message(), "challenge") ? "challenge_value"
                                                                   : "base_value";
    return fail(f, st);
  }
  r.key = {in.scope().kind(), in.scope().id(), in.product_line_id(), period->ToString(),
           in.metric()};
  r.period_kind = static_cast<int>(period->kind()) + 1;  // PeriodKind enum order matches
  r.first_day = period->first_day();
  r.last_day = period->last_day();
  r.base_value = in.base_value();
  r.challenge_value = challenge;
  r.currency_code = in.currency_code();
  return r;
}

// The lock (if any) whose period contains [first, last].
const LockRecord* FindLock(const std::vector<LockRecord>& locks, absl::CivilDay first,
                           absl::CivilDay last) {
  for (const LockRecord& l : locks) {
    if (l.first_day <= first && last <= l.last_day) return &l;
  }
  return nullptr;
}

absl::Status LockedError(const std::string& period, const LockRecord& lock) {
  return absl::FailedPreconditionError(
      absl::StrCat("period ", period, " lies within locked period ", lock.period,
                   lock.reason.empty() ? "" : absl::StrCat(" (", lock.reason, ")"),
                   ": its targets cannot change until an admin unlocks it"));
}

// Database checks of rows that passed ParseInput: scopes and product lines
// exist, the caller may change them, their periods are not locked.
absl::Status CheckRowsInStore(TargetTx& tx, const Principal& p,
                              const std::vector<TargetRecord>& rows,
                              const std::vector<std::string>& prefixes,
                              std::vector<RowProblem>* problems) {
  std::set<std::string> units, reps, lines;
  for (const TargetRecord& r : rows) {
    (r.key.scope_kind == kScopeRep ? reps : units).insert(r.key.scope_id);
    if (!r.key.product_line_id.empty()) lines.insert(r.key.product_line_id);
  }
  auto to_set =
      [](absl::StatusOr<std::vector<std::string>> v) -> absl::StatusOr<std::set<std::string>> {
    if (!v.ok()) return v.status();
    return std::set<std::string>(v->begin(), v->end());
  };
  ASSIGN_OR_RETURN(auto known_units, to_set(tx.ExistingUnits({units.begin(), units.end()})));
  ASSIGN_OR_RETURN(auto known_reps, to_set(tx.ExistingReps({reps.begin(), reps.end()})));
  ASSIGN_OR_RETURN(auto known_lines, to_set(tx.ExistingProductLines({lines.begin(), lines.end()})));
  ASSIGN_OR_RETURN(std::vector<LockRecord> locks, tx.ListLocks());
  const bool check_access = p.role == Role::kManager;
  for (size_t i = 0; i < rows.size(); ++i) {
    const TargetRecord& r = rows[i];
    const std::string& pre = prefixes[i];
    const bool is_rep = r.key.scope_kind == kScopeRep;
    if (!(is_rep ? known_reps : known_units).count(r.key.scope_id)) {
      problems->push_back({static_cast<int>(i), pre + "scope.id",
                           absl::StrCat(pre, "scope.id: ", is_rep ? "rep" : "unit", " \"",
                                        r.key.scope_id, "\" does not exist")});
      continue;
    }
    if (!r.key.product_line_id.empty() && !known_lines.count(r.key.product_line_id)) {
      problems->push_back({static_cast<int>(i), pre + "product_line_id",
                           absl::StrCat(pre, "product_line_id: product line \"",
                                        r.key.product_line_id, "\" does not exist")});
      continue;
    }
    if (const LockRecord* lock = FindLock(locks, r.first_day, r.last_day)) {
      absl::Status st = LockedError(r.key.period, *lock);
      problems->push_back(
          {static_cast<int>(i), pre + "period", absl::StrCat(pre, "period: ", st.message())});
      continue;
    }
    if (check_access) {
      absl::Status st =
          CheckScopeAccess(tx, p, r.key.scope_kind, r.key.scope_id, r.first_day, /*write=*/true);
      if (absl::IsPermissionDenied(st)) return st;  // the whole call is not allowed
      RETURN_IF_ERROR(st);
    }
  }
  return absl::OkStatus();
}

absl::Status ProblemsToStatus(const std::vector<RowProblem>& problems, size_t rows) {
  if (problems.empty()) return absl::OkStatus();
  // A locked period is a state problem, not a malformed request.
  bool all_locked = true;
  for (const RowProblem& pr : problems) {
    if (!absl::StrContains(pr.message, "locked period")) all_locked = false;
  }
  std::vector<std::string> lines;
  for (size_t i = 0; i < problems.size() && i < 20; ++i) lines.push_back(problems[i].message);
  std::string msg = absl::StrCat(rows == 1 ? ""
                                           : absl::StrCat(problems.size(), " of ", rows,
                                                          " rows are invalid; nothing was saved: "),
                                 absl::StrJoin(lines, "; "), problems.size() > 20 ? "; …" : "");
  return all_locked ? absl::FailedPreconditionError(msg) : absl::InvalidArgumentError(msg);
}

}  // namespace

grpc::ServerUnaryReactor* TargetServiceImpl::SetTarget(grpc::CallbackServerContext* ctx,
                                                       const v1::SetTargetRequest* req,
                                                       v1::SetTargetResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(SetTarget), TargetWriters(), [=](const Principal& p) {
    std::string field;
    ASSIGN_OR_RETURN(TargetRecord row, ParseInput("target.", req->target(), &field));
    return RunMutation(store_, p, req->request_id(), "SetTarget", resp,
                       [&](TargetTx& tx, v1::SetTargetResponse& out) -> absl::Status {
                         std::vector<TargetRecord> rows = {row};
                         std::vector<RowProblem> problems;
                         RETURN_IF_ERROR(CheckRowsInStore(tx, p, rows, {"target."}, &problems));
                         RETURN_IF_ERROR(ProblemsToStatus(problems, 1));
                         std::vector<bool> created;
                         RETURN_IF_ERROR(tx.UpsertTargets(rows, p.subject, "SetTarget", &created));
                         ToProto(rows[0], out.mutable_target());
                         out.set_created(created[0]);
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::BatchSetTargets(grpc::CallbackServerContext* ctx,
                                                             const v1::BatchSetTargetsRequest* req,
                                                             v1::BatchSetTargetsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(BatchSetTargets), TargetWriters(), [=](const Principal& p) {
    if (req->targets_size() == 0) {
      return absl::InvalidArgumentError("targets is empty: send at least one row");
    }
    if (req->targets_size() > kMaxBatchRows) {
      return absl::InvalidArgumentError(absl::StrCat(
          "targets has ", req->targets_size(), " rows; send at most ", kMaxBatchRows, " per call"));
    }
    std::vector<RowProblem> problems;
    std::vector<TargetRecord> rows;
    std::vector<std::string> prefixes;
    std::vector<int> row_index;
    std::map<std::string, int> seen;
    for (int i = 0; i < req->targets_size(); ++i) {
      std::string prefix = absl::StrCat("targets[", i, "].");
      std::string field;
      absl::StatusOr<TargetRecord> row = ParseInput(prefix, req->targets(i), &field);
      if (!row.ok()) {
        problems.push_back({i, field, std::string(row.status().message())});
        continue;
      }
      auto [it, inserted] = seen.emplace(KeyString(row->key), i);
      if (!inserted) {
        problems.push_back({i, prefix + "scope",
                            absl::StrCat(prefix, "scope: the same target as targets[", it->second,
                                         "] (scope, product line, period and metric)")});
        continue;
      }
      rows.push_back(*std::move(row));
      prefixes.push_back(prefix);
      row_index.push_back(i);
    }
    auto check_store = [&](TargetTx& tx) -> absl::Status {
      std::vector<RowProblem> store_problems;
      RETURN_IF_ERROR(CheckRowsInStore(tx, p, rows, prefixes, &store_problems));
      for (RowProblem& pr : store_problems) {
        pr.index = row_index[pr.index];
        problems.push_back(std::move(pr));
      }
      std::sort(problems.begin(), problems.end(),
                [](const RowProblem& a, const RowProblem& b) { return a.index < b.index; });
      return absl::OkStatus();
    };
    if (req->validate_only()) {
      RETURN_IF_ERROR(store_.Read(p.tenant, check_store));
      for (const RowProblem& pr : problems) {
        v1::RowError* e = resp->add_row_errors();
        e->set_index(pr.index);
        e->set_field(pr.field);
        e->set_message(pr.message);
      }
      return absl::OkStatus();
    }
    if (!problems.empty()) {
      // Name every bad row, also those only the store can judge, then refuse.
      RETURN_IF_ERROR(store_.Read(p.tenant, check_store));
      return ProblemsToStatus(problems, req->targets_size());
    }
    return RunMutation(
        store_, p, req->request_id(), "BatchSetTargets", resp,
        [&](TargetTx& tx, v1::BatchSetTargetsResponse& out) -> absl::Status {
          problems.clear();
          RETURN_IF_ERROR(check_store(tx));
          RETURN_IF_ERROR(ProblemsToStatus(problems, req->targets_size()));
          std::vector<bool> created;
          RETURN_IF_ERROR(tx.UpsertTargets(rows, p.subject, "BatchSetTargets", &created));
          for (const TargetRecord& r : rows) ToProto(r, out.add_targets());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::GetTarget(grpc::CallbackServerContext* ctx,
                                                       const v1::GetTargetRequest* req,
                                                       v1::GetTargetResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetTarget), TargetReaders(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("target_id", req->target_id()));
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<TargetRecord> t, tx.FindTarget(req->target_id()));
      if (!t)
        return absl::NotFoundError(
            absl::StrCat("target \"", req->target_id(), "\" does not exist"));
      RETURN_IF_ERROR(CheckScopeAccess(tx, p, t->key.scope_kind, t->key.scope_id, t->first_day,
                                       /*write=*/false));
      ToProto(*t, resp->mutable_target());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::ListTargets(grpc::CallbackServerContext* ctx,
                                                         const v1::ListTargetsRequest* req,
                                                         v1::ListTargetsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListTargets), TargetReaders(), [=](const Principal& p) {
    TargetFilter f;
    f.scope_kind = req->scope_kind();
    if (f.scope_kind != 0 && f.scope_kind != kScopeUnit && f.scope_kind != kScopeRep) {
      return absl::InvalidArgumentError("scope_kind must be UNIT, REP or unspecified");
    }
    RETURN_IF_ERROR(ValidateOptionalId("scope_id", req->scope_id()));
    if (!req->scope_id().empty() && f.scope_kind == 0) {
      return absl::InvalidArgumentError("scope_id needs scope_kind (UNIT or REP)");
    }
    f.scope_id = req->scope_id();
    RETURN_IF_ERROR(ValidateOptionalId("under_unit_id", req->under_unit_id()));
    f.under_unit_id = req->under_unit_id();
    if (req->product_line_id() == "*") {
      f.product_line_id = "";
    } else if (!req->product_line_id().empty()) {
      RETURN_IF_ERROR(ValidateId("product_line_id", req->product_line_id()));
      f.product_line_id = req->product_line_id();
    }
    if (!req->period().empty()) {
      absl::StatusOr<Period> period = Period::Parse(req->period());
      if (!period.ok()) return Annotate(period.status(), "period");
      f.period = period->ToString();
    }
    if (!req->within_period().empty()) {
      absl::StatusOr<Period> within = Period::Parse(req->within_period());
      if (!within.ok()) return Annotate(within.status(), "within_period");
      f.within = *within;
    }
    if (req->metric() != 0)
      RETURN_IF_ERROR(Annotate(LookupMetric(req->metric()).status(), "metric"));
    f.metric = req->metric();
    RETURN_IF_ERROR(ValidateOptionalId("parent_target_id", req->parent_target_id()));
    f.parent_target_id = req->parent_target_id();
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 10000));
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));

    // Narrow the filter to what the caller may see.
    if (p.role == Role::kRep) {
      if ((f.scope_kind != 0 && f.scope_kind != kScopeRep) ||
          (!f.scope_id.empty() && f.scope_id != p.subject) || !f.under_unit_id.empty()) {
        return absl::PermissionDeniedError("reps see only their own targets");
      }
      f.scope_kind = kScopeRep;
      f.scope_id = p.subject;
    }
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      if (p.role == Role::kManager) {
        if (f.under_unit_id.empty()) f.under_unit_id = p.scope;
        RETURN_IF_ERROR(CheckUnitAccess(tx, p, f.under_unit_id, /*write=*/false));
      }
      ASSIGN_OR_RETURN(std::vector<TargetRecord> rows, tx.ListTargets(f, after, limit + 1));
      for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
        ToProto(rows[i], resp->add_targets());
      }
      if (rows.size() > static_cast<size_t>(limit)) {
        resp->set_next_page_token(EncodePageToken(rows[limit - 1].target_id, PageContext(*req)));
      }
      return absl::OkStatus();
    });
  });
}

namespace {

// The children of a decomposition before values are assigned: their keys and
// periods, in allocation order.
absl::StatusOr<std::vector<TargetRecord>> ChildSkeletons(TargetTx& tx,
                                                         const v1::DecomposeTargetRequest& req,
                                                         const TargetRecord& parent) {
  std::vector<TargetRecord> children;
  auto child_of = [&parent]() {
    TargetRecord c;
    c.key = parent.key;
    c.period_kind = parent.period_kind;
    c.first_day = parent.first_day;
    c.last_day = parent.last_day;
    c.currency_code = parent.currency_code;
    c.parent_target_id = parent.target_id;
    return c;
  };
  const auto& allocs = req.allocations();
  switch (req.dimension()) {
    case v1::DECOMPOSITION_DIMENSION_TIME: {
      if (req.child_period_kind() == tv1::PERIOD_KIND_UNSPECIFIED ||
          !tv1::PeriodKind_IsValid(req.child_period_kind())) {
        return absl::InvalidArgumentError(
            "child_period_kind is required to split over time (e.g. MONTH for a quarter)");
      }
      ASSIGN_OR_RETURN(Period period, Period::Parse(parent.key.period));
      ASSIGN_OR_RETURN(std::vector<Period> parts,
                       period.Split(static_cast<PeriodKind>(req.child_period_kind() - 1)));
      for (size_t i = 0; i < parts.size(); ++i) {
        TargetRecord c = child_of();
        c.key.period = parts[i].ToString();
        c.period_kind = req.child_period_kind();
        c.first_day = parts[i].first_day();
        c.last_day = parts[i].last_day();
        if (static_cast<int>(i) < allocs.size() && !allocs[i].key().empty() &&
            allocs[i].key() != c.key.period) {
          return absl::InvalidArgumentError(absl::StrCat(
              "allocations[", i, "].key is \"", allocs[i].key(), "\" but child ", i + 1, " of ",
              parent.key.period, " is ", c.key.period, ": list the periods in order"));
        }
        children.push_back(std::move(c));
      }
      return children;
    }
    case v1::DECOMPOSITION_DIMENSION_ORG: {
      if (parent.key.scope_kind != kScopeUnit) {
        return absl::FailedPreconditionError(
            "a rep's target cannot be split over the org: reps have no children");
      }
      ASSIGN_OR_RETURN(std::optional<OrgUnitRecord> unit, tx.FindUnit(parent.key.scope_id));
      if (!unit) return absl::NotFoundError("the target's unit no longer exists");
      const bool into_reps = unit->kind == kKindTeam;
      std::vector<std::string> ids;
      if (allocs.empty() || allocs[0].key().empty()) {
        if (into_reps) {
          ASSIGN_OR_RETURN(ids, tx.RepsInTeamOn(unit->unit_id, parent.first_day));
        } else {
          ASSIGN_OR_RETURN(std::vector<OrgUnitRecord> units,
                           tx.ListUnits(unit->unit_id, /*include_archived=*/false, "", 100000));
          for (const OrgUnitRecord& u : units) ids.push_back(u.unit_id);
        }
        if (ids.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "unit \"", unit->unit_id, "\" has no ", into_reps ? "reps on " : "active child units",
              into_reps ? FormatDate(parent.first_day) : "", " to split the target into"));
        }
        if (!allocs.empty() && static_cast<size_t>(allocs.size()) != ids.size()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "allocations has ", allocs.size(), " entries without keys but unit \"", unit->unit_id,
              "\" has ", ids.size(), " children: give each allocation a key"));
        }
      } else {
        std::set<std::string> valid;
        if (into_reps) {
          ASSIGN_OR_RETURN(std::vector<std::string> reps,
                           tx.RepsInTeamOn(unit->unit_id, parent.first_day));
          valid.insert(reps.begin(), reps.end());
        } else {
          ASSIGN_OR_RETURN(std::vector<OrgUnitRecord> units,
                           tx.ListUnits(unit->unit_id, false, "", 100000));
          for (const OrgUnitRecord& u : units) valid.insert(u.unit_id);
        }
        std::set<std::string> dup;
        for (int i = 0; i < allocs.size(); ++i) {
          const std::string& key = allocs[i].key();
          if (!valid.count(key)) {
            return absl::InvalidArgumentError(absl::StrCat(
                "allocations[", i, "].key \"", key, "\" is not ",
                into_reps ? "a rep of team \"" : "an active child unit of \"", unit->unit_id,
                into_reps ? absl::StrCat("\" on ", FormatDate(parent.first_day)) : "\""));
          }
          if (!dup.insert(key).second) {
            return absl::InvalidArgumentError(
                absl::StrCat("allocations[", i, "].key \"", key, "\" appears twice"));
          }
          ids.push_back(key);
        }
      }
      for (const std::string& id : ids) {
        TargetRecord c = child_of();
        c.key.scope_kind = into_reps ? kScopeRep : kScopeUnit;
        c.key.scope_id = id;
        children.push_back(std::move(c));
      }
      return children;
    }
    case v1::DECOMPOSITION_DIMENSION_PRODUCT_LINE: {
      if (!parent.key.product_line_id.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the target is for product line \"", parent.key.product_line_id,
            "\"; only a target for all product lines can be split over product lines"));
      }
      std::vector<std::string> ids;
      if (allocs.empty() || allocs[0].key().empty()) {
        ASSIGN_OR_RETURN(std::vector<ProductLineRecord> lines, tx.ListProductLines("", 100000));
        for (const ProductLineRecord& l : lines) ids.push_back(l.product_line_id);
        if (ids.empty()) return absl::FailedPreconditionError("the tenant has no product lines");
        if (!allocs.empty() && static_cast<size_t>(allocs.size()) != ids.size()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "allocations has ", allocs.size(), " entries without keys but there are ", ids.size(),
              " product lines: give each allocation a key"));
        }
      } else {
        std::vector<std::string> keys;
        for (const auto& a : allocs) keys.push_back(a.key());
        ASSIGN_OR_RETURN(std::vector<std::string> known, tx.ExistingProductLines(keys));
        std::set<std::string> valid(known.begin(), known.end()), dup;
        for (int i = 0; i < allocs.size(); ++i) {
          if (!valid.count(keys[i])) {
            return absl::InvalidArgumentError(absl::StrCat(
                "allocations[", i, "].key: product line \"", keys[i], "\" does not exist"));
          }
          if (!dup.insert(keys[i]).second) {
            return absl::InvalidArgumentError(
                absl::StrCat("allocations[", i, "].key \"", keys[i], "\" appears twice"));
          }
          ids.push_back(keys[i]);
        }
      }
      for (const std::string& id : ids) {
        TargetRecord c = child_of();
        c.key.product_line_id = id;
        children.push_back(std::move(c));
      }
      return children;
    }
    default:
      return absl::InvalidArgumentError("dimension is required: TIME, ORG or PRODUCT_LINE");
  }
}

}  // namespace

grpc::ServerUnaryReactor* TargetServiceImpl::DecomposeTarget(grpc::CallbackServerContext* ctx,
                                                             const v1::DecomposeTargetRequest* req,
                                                             v1::DecomposeTargetResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(DecomposeTarget), TargetWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("target_id", req->target_id()));
    if (req->dimension() == v1::DECOMPOSITION_DIMENSION_UNSPECIFIED ||
        !v1::DecompositionDimension_IsValid(req->dimension())) {
      return absl::InvalidArgumentError("dimension is required: TIME, ORG or PRODUCT_LINE");
    }
    SplitMethod method = SplitMethod::kEven;
    switch (req->method()) {
      case v1::DECOMPOSITION_METHOD_UNSPECIFIED:
      case v1::DECOMPOSITION_METHOD_EVEN:
        break;
      case v1::DECOMPOSITION_METHOD_WEIGHTS:
        method = SplitMethod::kWeights;
        break;
      case v1::DECOMPOSITION_METHOD_PERCENTAGES:
        method = SplitMethod::kPercentages;
        break;
      default:
        return absl::InvalidArgumentError("method must be EVEN, WEIGHTS or PERCENTAGES");
    }
    if (method != SplitMethod::kEven && req->allocations_size() == 0) {
      return absl::InvalidArgumentError(
          "allocations is empty: WEIGHTS and PERCENTAGES need one allocation per child");
    }
    std::vector<Share> shares;
    for (const v1::Allocation& a : req->allocations())
      shares.push_back({a.weight(), a.percentage()});

    auto compute = [&](TargetTx& tx, v1::DecomposeTargetResponse& out, bool save) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<TargetRecord> parent, tx.FindTarget(req->target_id()));
      if (!parent) {
        return absl::NotFoundError(
            absl::StrCat("target \"", req->target_id(), "\" does not exist"));
      }
      RETURN_IF_ERROR(CheckScopeAccess(tx, p, parent->key.scope_kind, parent->key.scope_id,
                                       parent->first_day, /*write=*/false));
      ASSIGN_OR_RETURN(MetricInfo metric, LookupMetric(parent->key.metric));
      RETURN_IF_ERROR(CheckSplittable(metric));
      ASSIGN_OR_RETURN(std::vector<TargetRecord> children, ChildSkeletons(tx, *req, *parent));
      ASSIGN_OR_RETURN(SplitValues values, SplitTarget(parent->base_value, parent->challenge_value,
                                                       method, shares, children.size()));
      std::vector<std::string> prefixes;
      for (size_t i = 0; i < children.size(); ++i) {
        children[i].base_value = values.base[i];
        children[i].challenge_value = values.challenge[i];
        prefixes.push_back(absl::StrCat("children[", i, "] ", children[i].key.scope_id, " ",
                                        children[i].key.period, " "));
      }
      std::vector<RowProblem> problems;
      RETURN_IF_ERROR(CheckRowsInStore(tx, p, children, prefixes, &problems));
      RETURN_IF_ERROR(ProblemsToStatus(problems, 1));
      if (save) {
        std::vector<bool> created;
        RETURN_IF_ERROR(tx.UpsertTargets(children, p.subject, "DecomposeTarget", &created));
      }
      ToProto(*parent, out.mutable_parent());
      for (const TargetRecord& c : children) ToProto(c, out.add_children());
      return absl::OkStatus();
    };
    if (req->validate_only()) {
      return store_.Read(p.tenant, [&](TargetTx& tx) { return compute(tx, *resp, false); });
    }
    return RunMutation(
        store_, p, req->request_id(), "DecomposeTarget", resp,
        [&](TargetTx& tx, v1::DecomposeTargetResponse& out) { return compute(tx, out, true); });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::CheckConsistency(
    grpc::CallbackServerContext* ctx, const v1::CheckConsistencyRequest* req,
    v1::CheckConsistencyResponse* resp) {
  // The tenant-wide readers of targets: not crm-ingest (see TargetReaders).
  const RoleSet roles = {
      Role::kAdmin,           Role::kDirector, Role::kService, Role::kCommitteeSecretary,
      Role::kCommitteeMember, Role::kFinance,  Role::kHr};
  return ServeUnary(ctx, env_, METHOD(CheckConsistency), roles, [=](const Principal& p) {
    std::optional<Period> within;
    if (!req->within_period().empty()) {
      absl::StatusOr<Period> w = Period::Parse(req->within_period());
      if (!w.ok()) return Annotate(w.status(), "within_period");
      within = *w;
    }
    if (req->metric() != 0)
      RETURN_IF_ERROR(Annotate(LookupMetric(req->metric()).status(), "metric"));
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<InconsistencyRecord> rows,
                       tx.Inconsistencies(within, req->metric(), after, limit + 1));
      for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
        const InconsistencyRecord& r = rows[i];
        v1::Inconsistency* out = resp->add_inconsistencies();
        ToProto(r.parent, out->mutable_parent());
        out->set_child_count(r.child_count);
        out->set_children_base_sum(r.children_base_sum);
        out->set_children_challenge_sum(r.children_challenge_sum);
        out->set_base_difference(r.parent.base_value - r.children_base_sum);
        out->set_challenge_difference(r.parent.challenge_value - r.children_challenge_sum);
        out->set_dimension(static_cast<v1::DecompositionDimension>(r.dimension));
      }
      if (rows.size() > static_cast<size_t>(limit)) {
        resp->set_next_page_token(EncodePageToken(
            absl::StrCat(rows[limit - 1].parent.target_id, "/", rows[limit - 1].dimension),
            PageContext(*req)));
      }
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::ListTargetHistory(
    grpc::CallbackServerContext* ctx, const v1::ListTargetHistoryRequest* req,
    v1::ListTargetHistoryResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListTargetHistory), TargetReaders(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("target_id", req->target_id()));
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
    int64_t before = 0;
    if (!after.empty() && !absl::SimpleAtoi(after, &before)) {
      return absl::InvalidArgumentError("page_token is not valid for ListTargetHistory");
    }
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<TargetRecord> t, tx.FindTarget(req->target_id()));
      if (!t)
        return absl::NotFoundError(
            absl::StrCat("target \"", req->target_id(), "\" does not exist"));
      RETURN_IF_ERROR(CheckScopeAccess(tx, p, t->key.scope_kind, t->key.scope_id, t->first_day,
                                       /*write=*/false));
      ASSIGN_OR_RETURN(std::vector<HistoryRecord> rows,
                       tx.History(t->target_id, before, limit + 1));
      for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
        ToProto(rows[i], resp->add_changes());
      }
      if (rows.size() > static_cast<size_t>(limit)) {
        resp->set_next_page_token(
            EncodePageToken(absl::StrCat(rows[limit - 1].version), PageContext(*req)));
      }
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::LockPeriod(grpc::CallbackServerContext* ctx,
                                                        const v1::LockPeriodRequest* req,
                                                        v1::LockPeriodResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(LockPeriod), {Role::kAdmin, Role::kDirector}, [=](const Principal& p) {
        absl::StatusOr<Period> period = Period::Parse(req->period());
        if (!period.ok()) return Annotate(period.status(), "period");
        RETURN_IF_ERROR(ValidateText("reason", req->reason(), kMaxReasonLength));
        return RunMutation(store_, p, req->request_id(), "LockPeriod", resp,
                           [&](TargetTx& tx, v1::LockPeriodResponse& out) -> absl::Status {
                             LockRecord lock;
                             lock.period = period->ToString();
                             lock.first_day = period->first_day();
                             lock.last_day = period->last_day();
                             lock.reason = req->reason();
                             lock.locked_by = p.subject;
                             lock.lock_time = absl::Now();
                             RETURN_IF_ERROR(tx.InsertLock(lock));
                             ToProto(lock, out.mutable_lock());
                             return absl::OkStatus();
                           });
      });
}

grpc::ServerUnaryReactor* TargetServiceImpl::UnlockPeriod(grpc::CallbackServerContext* ctx,
                                                          const v1::UnlockPeriodRequest* req,
                                                          v1::UnlockPeriodResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(UnlockPeriod), {Role::kAdmin}, [=](const Principal& p) {
    absl::StatusOr<Period> period = Period::Parse(req->period());
    if (!period.ok()) return Annotate(period.status(), "period");
    return RunMutation(store_, p, req->request_id(), "UnlockPeriod", resp,
                       [&](TargetTx& tx, v1::UnlockPeriodResponse&) -> absl::Status {
                         ASSIGN_OR_RETURN(bool deleted, tx.DeleteLock(period->ToString()));
                         if (!deleted) {
                           return absl::NotFoundError(
                               absl::StrCat("period ", period->ToString(), " is not locked"));
                         }
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* TargetServiceImpl::ListPeriodLocks(grpc::CallbackServerContext* ctx,
                                                             const v1::ListPeriodLocksRequest* req,
                                                             v1::ListPeriodLocksResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListPeriodLocks), TargetReaders(), [=](const Principal& p) {
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<LockRecord> locks, tx.ListLocks());
      for (const LockRecord& l : locks) ToProto(l, resp->add_locks());
      return absl::OkStatus();
    });
  });
}

}  // namespace attain::target
