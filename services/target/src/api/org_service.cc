#include "services/target/src/api/org_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/page.h"
#include "common/status.h"
#include "services/target/src/api/convert.h"
#include "services/target/src/domain/validate.h"

namespace attain::target {
namespace {

#define METHOD(name) "attain.target.v1.OrgService/" #name

RoleSet OrgWriters() { return {Role::kAdmin, Role::kDirector}; }
RoleSet OrgReaders() {
  return {Role::kAdmin,
          Role::kDirector,
          Role::kService,
          Role::kCrmIngest,
          Role::kCommitteeSecretary,
          Role::kCommitteeMember,
          Role::kFinance,
          Role::kHr,
          Role::kManager};
}

absl::StatusOr<OrgUnitRecord> MustFindUnit(TargetTx& tx, const std::string& id,
                                           absl::string_view what) {
  ASSIGN_OR_RETURN(std::optional<OrgUnitRecord> u, tx.FindUnit(id));
  if (!u) return absl::NotFoundError(absl::StrCat(what, " \"", id, "\" does not exist"));
  return *std::move(u);
}

absl::StatusOr<RepRecord> MustFindRep(TargetTx& tx, const std::string& id) {
  ASSIGN_OR_RETURN(std::optional<RepRecord> r, tx.FindRep(id));
  if (!r) return absl::NotFoundError(absl::StrCat("rep \"", id, "\" does not exist"));
  return *std::move(r);
}

// A unit that can take children: exists, active, not a team.
absl::StatusOr<OrgUnitRecord> FindParent(TargetTx& tx, const std::string& id) {
  ASSIGN_OR_RETURN(OrgUnitRecord parent, MustFindUnit(tx, id, "parent unit"));
  if (parent.archived) {
    return absl::FailedPreconditionError(
        absl::StrCat("parent unit \"", id, "\" is archived and takes no new units"));
  }
  if (parent.kind == kKindTeam) {
    return absl::FailedPreconditionError(absl::StrCat(
        "unit \"", id, "\" is a team; teams hold reps, not units: pick a region or the company"));
  }
  return parent;
}

// A team a rep can join: exists, active, of kind TEAM.
absl::Status CheckJoinableTeam(TargetTx& tx, const std::string& id) {
  ASSIGN_OR_RETURN(OrgUnitRecord team, MustFindUnit(tx, id, "team"));
  if (team.kind != kKindTeam) {
    return absl::FailedPreconditionError(
        absl::StrCat("unit \"", id, "\" is not a team: reps belong to units of kind TEAM"));
  }
  if (team.archived) {
    return absl::FailedPreconditionError(absl::StrCat("team \"", id, "\" is archived"));
  }
  return absl::OkStatus();
}

absl::Status CheckMask(const google::protobuf::FieldMask& mask,
                       const std::set<std::string>& allowed) {
  if (mask.paths_size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask is required: name the fields to "
                     "change (",
                     absl::StrJoin(allowed, ", "), ")"));
  }
  for (const std::string& path : mask.paths()) {
    if (allowed.count(path) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask path \"", path,
                       "\" cannot be changed; allowed: ", absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

bool MaskHas(const google::protobuf::FieldMask& mask, absl::string_view path) {
  for (const std::string& p : mask.paths()) {
    if (p == path) return true;
  }
  return false;
}

}  // namespace

grpc::ServerUnaryReactor* OrgServiceImpl::CreateOrgUnit(grpc::CallbackServerContext* ctx,
                                                        const v1::CreateOrgUnitRequest* req,
                                                        v1::CreateOrgUnitResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CreateOrgUnit), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateOptionalId("unit_id", req->unit_id()));
    RETURN_IF_ERROR(ValidateName("name", req->name()));
    RETURN_IF_ERROR(ValidateText("tier", req->tier(), kMaxTierLength));
    if (req->kind() == v1::ORG_UNIT_KIND_UNSPECIFIED || !v1::OrgUnitKind_IsValid(req->kind())) {
      return absl::InvalidArgumentError("kind is required: COMPANY, REGION or TEAM");
    }
    if (req->kind() == v1::ORG_UNIT_KIND_COMPANY && !req->parent_id().empty()) {
      return absl::InvalidArgumentError("parent_id must be empty for a company: it is the root");
    }
    if (req->kind() != v1::ORG_UNIT_KIND_COMPANY) {
      RETURN_IF_ERROR(ValidateId("parent_id", req->parent_id()));
    }
    return RunMutation(store_, p, req->request_id(), "CreateOrgUnit", resp,
                       [&](TargetTx& tx, v1::CreateOrgUnitResponse& out) -> absl::Status {
                         if (!req->parent_id().empty()) {
                           RETURN_IF_ERROR(FindParent(tx, req->parent_id()).status());
                         }
                         OrgUnitRecord unit;
                         unit.unit_id = req->unit_id().empty() ? NewId("u") : req->unit_id();
                         unit.parent_id = req->parent_id();
                         unit.name = req->name();
                         unit.kind = req->kind();
                         unit.tier = req->tier();
                         RETURN_IF_ERROR(tx.InsertUnit(unit));
                         ASSIGN_OR_RETURN(OrgUnitRecord stored,
                                          MustFindUnit(tx, unit.unit_id, "unit"));
                         ToProto(stored, out.mutable_unit());
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::GetOrgUnit(grpc::CallbackServerContext* ctx,
                                                     const v1::GetOrgUnitRequest* req,
                                                     v1::GetOrgUnitResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(GetOrgUnit), OrgReaders(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(OrgUnitRecord unit, MustFindUnit(tx, req->unit_id(), "unit"));
      RETURN_IF_ERROR(CheckUnitAccess(tx, p, unit.unit_id, /*write=*/false));
      ToProto(unit, resp->mutable_unit());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::ListOrgUnits(grpc::CallbackServerContext* ctx,
                                                       const v1::ListOrgUnitsRequest* req,
                                                       v1::ListOrgUnitsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListOrgUnits), OrgReaders(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateOptionalId("parent_id", req->parent_id()));
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
    std::optional<std::string> parent;
    if (!req->parent_id().empty()) parent = req->parent_id();
    // A manager lists within their subtree: the children of their unit by default.
    if (p.role == Role::kManager && !parent) parent = p.scope;
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      if (parent) {
        ASSIGN_OR_RETURN(OrgUnitRecord unit, MustFindUnit(tx, *parent, "parent unit"));
        RETURN_IF_ERROR(CheckUnitAccess(tx, p, unit.unit_id, /*write=*/false));
      }
      ASSIGN_OR_RETURN(std::vector<OrgUnitRecord> units,
                       tx.ListUnits(parent, req->include_archived(), after, limit + 1));
      for (size_t i = 0; i < units.size() && i < static_cast<size_t>(limit); ++i) {
        ToProto(units[i], resp->add_units());
      }
      if (units.size() > static_cast<size_t>(limit)) {
        resp->set_next_page_token(EncodePageToken(units[limit - 1].unit_id, PageContext(*req)));
      }
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::UpdateOrgUnit(grpc::CallbackServerContext* ctx,
                                                        const v1::UpdateOrgUnitRequest* req,
                                                        v1::UpdateOrgUnitResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(UpdateOrgUnit), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("unit.unit_id", req->unit().unit_id()));
    RETURN_IF_ERROR(CheckMask(req->update_mask(), {"name", "tier"}));
    const bool set_name = MaskHas(req->update_mask(), "name");
    const bool set_tier = MaskHas(req->update_mask(), "tier");
    if (set_name) RETURN_IF_ERROR(ValidateName("unit.name", req->unit().name()));
    if (set_tier) RETURN_IF_ERROR(ValidateText("unit.tier", req->unit().tier(), kMaxTierLength));
    return RunMutation(store_, p, req->request_id(), "UpdateOrgUnit", resp,
                       [&](TargetTx& tx, v1::UpdateOrgUnitResponse& out) -> absl::Status {
                         ASSIGN_OR_RETURN(OrgUnitRecord unit,
                                          MustFindUnit(tx, req->unit().unit_id(), "unit"));
                         if (set_name) unit.name = req->unit().name();
                         if (set_tier) unit.tier = req->unit().tier();
                         RETURN_IF_ERROR(tx.UpdateUnit(unit));
                         ToProto(unit, out.mutable_unit());
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::MoveOrgUnit(grpc::CallbackServerContext* ctx,
                                                      const v1::MoveOrgUnitRequest* req,
                                                      v1::MoveOrgUnitResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(MoveOrgUnit), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
    RETURN_IF_ERROR(ValidateId("new_parent_id", req->new_parent_id()));
    return RunMutation(
        store_, p, req->request_id(), "MoveOrgUnit", resp,
        [&](TargetTx& tx, v1::MoveOrgUnitResponse& out) -> absl::Status {
          ASSIGN_OR_RETURN(OrgUnitRecord unit, MustFindUnit(tx, req->unit_id(), "unit"));
          if (unit.kind == kKindCompany) {
            return absl::FailedPreconditionError("the company is the root and cannot be moved");
          }
          ASSIGN_OR_RETURN(OrgUnitRecord parent, FindParent(tx, req->new_parent_id()));
          ASSIGN_OR_RETURN(bool cycle, tx.IsInSubtree(parent.unit_id, unit.unit_id));
          if (cycle) {
            return absl::FailedPreconditionError(absl::StrCat(
                "cannot move unit \"", unit.unit_id, "\" under \"", parent.unit_id,
                "\": that is the unit itself or one of its descendants, which would make a cycle"));
          }
          unit.parent_id = parent.unit_id;
          RETURN_IF_ERROR(tx.UpdateUnit(unit));
          ToProto(unit, out.mutable_unit());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::ArchiveOrgUnit(grpc::CallbackServerContext* ctx,
                                                         const v1::ArchiveOrgUnitRequest* req,
                                                         v1::ArchiveOrgUnitResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ArchiveOrgUnit), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("unit_id", req->unit_id()));
    const absl::CivilDay today = Today();
    return RunMutation(
        store_, p, req->request_id(), "ArchiveOrgUnit", resp,
        [&](TargetTx& tx, v1::ArchiveOrgUnitResponse& out) -> absl::Status {
          ASSIGN_OR_RETURN(OrgUnitRecord unit, MustFindUnit(tx, req->unit_id(), "unit"));
          if (!unit.archived) {
            ASSIGN_OR_RETURN(int children, tx.CountActiveChildren(unit.unit_id));
            if (children > 0) {
              return absl::FailedPreconditionError(
                  absl::StrCat("unit \"", unit.unit_id, "\" still has ", children,
                               " active child unit(s): move or archive them first"));
            }
            ASSIGN_OR_RETURN(std::vector<std::string> reps, tx.RepsInTeamOn(unit.unit_id, today));
            if (!reps.empty()) {
              return absl::FailedPreconditionError(absl::StrCat(
                  "unit \"", unit.unit_id, "\" still has ", reps.size(), " rep(s) (e.g. \"",
                  reps.front(), "\"): move them to another team first"));
            }
            unit.archived = true;
            RETURN_IF_ERROR(tx.UpdateUnit(unit));
          }
          ToProto(unit, out.mutable_unit());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::CreateRep(grpc::CallbackServerContext* ctx,
                                                    const v1::CreateRepRequest* req,
                                                    v1::CreateRepResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CreateRep), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateOptionalId("rep_id", req->rep_id()));
    RETURN_IF_ERROR(ValidateName("name", req->name()));
    RETURN_IF_ERROR(ValidateId("team_id", req->team_id()));
    ASSIGN_OR_RETURN(absl::CivilDay hired, ParseDate("hire_date", req->hire_date()));
    absl::CivilDay from = hired;
    if (!req->effective_from().empty()) {
      ASSIGN_OR_RETURN(from, ParseDate("effective_from", req->effective_from()));
      if (from < hired) {
        return absl::InvalidArgumentError(
            absl::StrCat("effective_from ", req->effective_from(), " is before hire_date ",
                         req->hire_date(), ": a rep joins a team on or after being hired"));
      }
    }
    return RunMutation(store_, p, req->request_id(), "CreateRep", resp,
                       [&](TargetTx& tx, v1::CreateRepResponse& out) -> absl::Status {
                         RETURN_IF_ERROR(CheckJoinableTeam(tx, req->team_id()));
                         RepRecord rep;
                         rep.rep_id = req->rep_id().empty() ? NewId("r") : req->rep_id();
                         rep.name = req->name();
                         rep.hire_date = hired;
                         rep.memberships.push_back({req->team_id(), from, std::nullopt});
                         RETURN_IF_ERROR(tx.InsertRep(rep));
                         ToProto(rep, std::max(from, Today()), out.mutable_rep());
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::GetRep(grpc::CallbackServerContext* ctx,
                                                 const v1::GetRepRequest* req,
                                                 v1::GetRepResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(GetRep),
      {Role::kAdmin, Role::kDirector, Role::kService, Role::kCrmIngest, Role::kCommitteeSecretary,
       Role::kCommitteeMember, Role::kFinance, Role::kHr, Role::kManager, Role::kRep},
      [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateId("rep_id", req->rep_id()));
        absl::CivilDay as_of = Today();
        if (!req->as_of().empty()) {
          ASSIGN_OR_RETURN(as_of, ParseDate("as_of", req->as_of()));
        }
        return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(RepRecord rep, MustFindRep(tx, req->rep_id()));
          RETURN_IF_ERROR(CheckRepAccess(tx, p, rep.rep_id, as_of, /*write=*/false));
          ToProto(rep, as_of, resp->mutable_rep());
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* OrgServiceImpl::ListReps(grpc::CallbackServerContext* ctx,
                                                   const v1::ListRepsRequest* req,
                                                   v1::ListRepsResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListReps), OrgReaders(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateOptionalId("unit_id", req->unit_id()));
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 10000));
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
    absl::CivilDay as_of = Today();
    if (!req->as_of().empty()) {
      ASSIGN_OR_RETURN(as_of, ParseDate("as_of", req->as_of()));
    }
    std::string unit = req->unit_id();
    if (p.role == Role::kManager && unit.empty()) unit = p.scope;
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      if (!unit.empty()) {
        RETURN_IF_ERROR(MustFindUnit(tx, unit, "unit").status());
        RETURN_IF_ERROR(CheckUnitAccess(tx, p, unit, /*write=*/false));
      }
      ASSIGN_OR_RETURN(std::vector<RepRecord> reps, tx.ListReps(unit, as_of, after, limit + 1));
      for (size_t i = 0; i < reps.size() && i < static_cast<size_t>(limit); ++i) {
        ToProto(reps[i], as_of, resp->add_reps());
      }
      if (reps.size() > static_cast<size_t>(limit)) {
        resp->set_next_page_token(EncodePageToken(reps[limit - 1].rep_id, PageContext(*req)));
      }
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::UpdateRep(grpc::CallbackServerContext* ctx,
                                                    const v1::UpdateRepRequest* req,
                                                    v1::UpdateRepResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(UpdateRep), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("rep.rep_id", req->rep().rep_id()));
    RETURN_IF_ERROR(CheckMask(req->update_mask(), {"hire_date", "name"}));
    const bool set_name = MaskHas(req->update_mask(), "name");
    const bool set_hired = MaskHas(req->update_mask(), "hire_date");
    if (set_name) RETURN_IF_ERROR(ValidateName("rep.name", req->rep().name()));
    absl::CivilDay hired;
    if (set_hired) {
      ASSIGN_OR_RETURN(hired, ParseDate("rep.hire_date", req->rep().hire_date()));
    }
    return RunMutation(
        store_, p, req->request_id(), "UpdateRep", resp,
        [&](TargetTx& tx, v1::UpdateRepResponse& out) -> absl::Status {
          ASSIGN_OR_RETURN(RepRecord rep, MustFindRep(tx, req->rep().rep_id()));
          if (set_name) rep.name = req->rep().name();
          if (set_hired) {
            if (!rep.memberships.empty() && rep.memberships.front().effective_from < hired) {
              return absl::InvalidArgumentError(
                  absl::StrCat("rep.hire_date ", req->rep().hire_date(),
                               " is after the rep joined team \"", rep.memberships.front().team_id,
                               "\" on ", FormatDate(rep.memberships.front().effective_from)));
            }
            rep.hire_date = hired;
          }
          RETURN_IF_ERROR(tx.UpdateRep(rep));
          ToProto(rep, Today(), out.mutable_rep());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::MoveRep(grpc::CallbackServerContext* ctx,
                                                  const v1::MoveRepRequest* req,
                                                  v1::MoveRepResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(MoveRep), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateId("rep_id", req->rep_id()));
    RETURN_IF_ERROR(ValidateId("team_id", req->team_id()));
    ASSIGN_OR_RETURN(absl::CivilDay from, ParseDate("effective_from", req->effective_from()));
    return RunMutation(
        store_, p, req->request_id(), "MoveRep", resp,
        [&](TargetTx& tx, v1::MoveRepResponse& out) -> absl::Status {
          ASSIGN_OR_RETURN(RepRecord rep, MustFindRep(tx, req->rep_id()));
          RETURN_IF_ERROR(CheckJoinableTeam(tx, req->team_id()));
          if (!rep.memberships.empty()) {
            MembershipRecord& last = rep.memberships.back();
            if (from <= last.effective_from) {
              return absl::FailedPreconditionError(absl::StrCat(
                  "effective_from ", req->effective_from(), " must be after ",
                  FormatDate(last.effective_from), ", when the current membership (team \"",
                  last.team_id, "\") began"));
            }
            if (last.team_id == req->team_id() && !last.effective_to) {
              return absl::FailedPreconditionError(
                  absl::StrCat("rep \"", rep.rep_id, "\" is already in team \"", last.team_id,
                               "\" since ", FormatDate(last.effective_from)));
            }
            if (!last.effective_to || *last.effective_to >= from) last.effective_to = from - 1;
          }
          rep.memberships.push_back({req->team_id(), from, std::nullopt});
          RETURN_IF_ERROR(tx.UpdateRep(rep));
          ToProto(rep, from, out.mutable_rep());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::CreateProductLine(grpc::CallbackServerContext* ctx,
                                                            const v1::CreateProductLineRequest* req,
                                                            v1::CreateProductLineResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(CreateProductLine), OrgWriters(), [=](const Principal& p) {
    RETURN_IF_ERROR(ValidateOptionalId("product_line_id", req->product_line_id()));
    RETURN_IF_ERROR(ValidateName("name", req->name()));
    return RunMutation(store_, p, req->request_id(), "CreateProductLine", resp,
                       [&](TargetTx& tx, v1::CreateProductLineResponse& out) -> absl::Status {
                         ProductLineRecord line;
                         line.product_line_id =
                             req->product_line_id().empty() ? NewId("pl") : req->product_line_id();
                         line.name = req->name();
                         RETURN_IF_ERROR(tx.InsertProductLine(line));
                         ToProto(line, out.mutable_product_line());
                         return absl::OkStatus();
                       });
  });
}

grpc::ServerUnaryReactor* OrgServiceImpl::ListProductLines(grpc::CallbackServerContext* ctx,
                                                           const v1::ListProductLinesRequest* req,
                                                           v1::ListProductLinesResponse* resp) {
  return ServeUnary(ctx, env_, METHOD(ListProductLines), RoleSet::All(), [=](const Principal& p) {
    ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
    ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), PageContext(*req)));
    return store_.Read(p.tenant, [&](TargetTx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<ProductLineRecord> lines, tx.ListProductLines(after, limit + 1));
      for (size_t i = 0; i < lines.size() && i < static_cast<size_t>(limit); ++i) {
        ToProto(lines[i], resp->add_product_lines());
      }
      if (lines.size() > static_cast<size_t>(limit)) {
        resp->set_next_page_token(
            EncodePageToken(lines[limit - 1].product_line_id, PageContext(*req)));
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace attain::target
