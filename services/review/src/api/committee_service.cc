#include "services/review/src/api/committee_service.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/page.h"
#include "common/status.h"
#include "services/review/src/api/meeting_rules.h"
#include "services/review/src/api/request_checks.h"
#include "services/review/src/api/review_convert.h"

namespace attain::review {
namespace {

#define METHOD(name) "attain.review.v1.CommitteeService/" #name

absl::Status CommitteeNotFound(const std::string& committee_id) {
  return absl::NotFoundError(absl::StrFormat(
      "committee \"%s\" does not exist (ListCommittees shows this tenant's committees)",
      committee_id));
}

}  // namespace

RoleSet CommitteeWriterRoles() {
  return {Role::kAdmin, Role::kDirector, Role::kCommitteeSecretary};
}
RoleSet CommitteeReaderRoles() { return MeetingReaderRoles(); }

grpc::ServerUnaryReactor* CommitteeServiceImpl::CreateCommittee(
    grpc::CallbackServerContext* ctx, const v1::CreateCommitteeRequest* req,
    v1::CreateCommitteeResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(CreateCommittee), CommitteeWriterRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        const v1::Committee& in = req->committee();
        RETURN_IF_ERROR(ValidateId("committee.committee_id", in.committee_id()));
        RETURN_IF_ERROR(ValidateCommitteeName("committee.", in.name()));
        RETURN_IF_ERROR(ValidateUnitId("committee.", in.unit_id()));
        CommitteeRecord rec;
        ASSIGN_OR_RETURN(rec.members, MembersFromProto("committee.members", in.members()));
        rec.committee_id = in.committee_id();
        rec.name = in.name();
        rec.unit_id = in.unit_id();
        rec.version = 1;
        rec.updated_by = p.subject;
        return RunMutation(store_, p, *req, METHOD(CreateCommittee), resp,
                           [&](MeetingTx& tx, v1::CreateCommitteeResponse& out) -> absl::Status {
                             rec.create_time = clock_.Now();
                             rec.update_time = rec.create_time;
                             RETURN_IF_ERROR(tx.InsertCommittee(rec));
                             CommitteeToProto(rec, out.mutable_committee());
                             return absl::OkStatus();
                           });
      });
}

grpc::ServerUnaryReactor* CommitteeServiceImpl::GetCommittee(grpc::CallbackServerContext* ctx,
                                                             const v1::GetCommitteeRequest* req,
                                                             v1::GetCommitteeResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(GetCommittee), CommitteeReaderRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateId("committee_id", req->committee_id()));
        return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(std::optional<CommitteeRecord> rec,
                           tx.FindCommittee(req->committee_id(), /*for_update=*/false));
          if (!rec) return CommitteeNotFound(req->committee_id());
          CommitteeToProto(*rec, resp->mutable_committee());
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* CommitteeServiceImpl::ListCommittees(grpc::CallbackServerContext* ctx,
                                                               const v1::ListCommitteesRequest* req,
                                                               v1::ListCommitteesResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(ListCommittees), CommitteeReaderRoles(), [=](const Principal& p) {
        ASSIGN_OR_RETURN(int limit, ResolvePageSize(req->page_size(), 100, 1000));
        const std::string context = PageContext(*req);
        ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), context));
        return store_.Read(p.tenant, [&](MeetingTx& tx) -> absl::Status {
          // One more row than the page says whether there is a next page.
          ASSIGN_OR_RETURN(std::vector<CommitteeRecord> rows, tx.ListCommittees(after, limit + 1));
          const bool more = static_cast<int>(rows.size()) > limit;
          if (more) rows.resize(limit);
          for (const CommitteeRecord& rec : rows) CommitteeToProto(rec, resp->add_committees());
          if (more) resp->set_next_page_token(EncodePageToken(rows.back().committee_id, context));
          return absl::OkStatus();
        });
      });
}

grpc::ServerUnaryReactor* CommitteeServiceImpl::UpdateCommittee(
    grpc::CallbackServerContext* ctx, const v1::UpdateCommitteeRequest* req,
    v1::UpdateCommitteeResponse* resp) {
  return ServeUnary(
      ctx, env_, METHOD(UpdateCommittee), CommitteeWriterRoles(), [=](const Principal& p) {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        const v1::Committee& in = req->committee();
        RETURN_IF_ERROR(ValidateId("committee.committee_id", in.committee_id()));
        if (req->expected_version() < 1) {
          return absl::InvalidArgumentError(
              "expected_version is required: the version your change was made against (>= 1)");
        }
        if (req->update_mask().paths().empty()) {
          return absl::InvalidArgumentError(
              "update_mask is empty: name the fields to change among \"name\", \"unit_id\" and "
              "\"members\"");
        }
        absl::flat_hash_set<std::string> paths;
        for (const std::string& path : req->update_mask().paths()) {
          if (path != "name" && path != "unit_id" && path != "members") {
            return absl::InvalidArgumentError(absl::StrFormat(
                "update_mask names \"%s\": only \"name\", \"unit_id\" and \"members\" can change",
                path));
          }
          paths.insert(path);
        }
        std::vector<CommitteeMemberRecord> members;
        if (paths.contains("name")) RETURN_IF_ERROR(ValidateCommitteeName("committee.", in.name()));
        if (paths.contains("unit_id")) RETURN_IF_ERROR(ValidateUnitId("committee.", in.unit_id()));
        if (paths.contains("members")) {
          ASSIGN_OR_RETURN(members, MembersFromProto("committee.members", in.members()));
        }
        return RunMutation(
            store_, p, *req, METHOD(UpdateCommittee), resp,
            [&](MeetingTx& tx, v1::UpdateCommitteeResponse& out) -> absl::Status {
              // The lock makes "check the version, then write the next"
              // atomic against a concurrent update.
              ASSIGN_OR_RETURN(std::optional<CommitteeRecord> rec,
                               tx.FindCommittee(in.committee_id(), /*for_update=*/true));
              if (!rec) return CommitteeNotFound(in.committee_id());
              if (rec->version != req->expected_version()) {
                return absl::FailedPreconditionError(absl::StrFormat(
                    "committee \"%s\" is at version %d, not the expected_version %d: get "
                    "version %d, apply your change to it and update with expected_version %d",
                    rec->committee_id, rec->version, req->expected_version(), rec->version,
                    rec->version));
              }
              if (paths.contains("name")) rec->name = in.name();
              if (paths.contains("unit_id")) rec->unit_id = in.unit_id();
              if (paths.contains("members")) rec->members = members;
              rec->version += 1;
              rec->update_time = clock_.Now();
              rec->updated_by = p.subject;
              RETURN_IF_ERROR(tx.UpdateCommittee(*rec));
              CommitteeToProto(*rec, out.mutable_committee());
              return absl::OkStatus();
            });
      });
}

}  // namespace attain::review
