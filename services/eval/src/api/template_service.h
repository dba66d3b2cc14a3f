// gRPC handlers of attain.eval.v1.TemplateService: scorecard templates,
// their versions and assignments (protos/attain/eval/v1/template_service.proto).
#pragma once

#include "attain/eval/v1/template_service.grpc.pb.h"
#include "common/rpc.h"
#include "services/eval/src/store/template_store.h"

namespace attain::eval {

// Roles (ARCHITECTURE §10): admin and director manage templates and
// assignments; they, hr, manager, rep and service read. A template is a
// rulebook rather than a person's record, so the readers see every template
// and assignment of the tenant (scoping assignments to a manager's subtree
// would need the org tree of the target service for no secret kept);
// targets and actuals stay scoped on the scorecards that use them.
RoleSet TemplateWriters();
RoleSet TemplateReaders();

class TemplateServiceImpl final : public ::attain::eval::v1::TemplateService::CallbackService {
 public:
  // `store` must outlive the service.
  TemplateServiceImpl(const RpcEnv& env, TemplateStore& store) : env_(env), store_(store) {}

  using ServerContext = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* CreateTemplate(ServerContext* ctx, const v1::CreateTemplateRequest* req,
                          v1::CreateTemplateResponse* resp) override;
  Reactor* GetTemplate(ServerContext* ctx, const v1::GetTemplateRequest* req,
                       v1::GetTemplateResponse* resp) override;
  Reactor* ListTemplates(ServerContext* ctx, const v1::ListTemplatesRequest* req,
                         v1::ListTemplatesResponse* resp) override;
  Reactor* ListTemplateVersions(ServerContext* ctx, const v1::ListTemplateVersionsRequest* req,
                                v1::ListTemplateVersionsResponse* resp) override;
  Reactor* UpdateTemplate(ServerContext* ctx, const v1::UpdateTemplateRequest* req,
                          v1::UpdateTemplateResponse* resp) override;
  Reactor* AssignTemplate(ServerContext* ctx, const v1::AssignTemplateRequest* req,
                          v1::AssignTemplateResponse* resp) override;
  Reactor* ListAssignments(ServerContext* ctx, const v1::ListAssignmentsRequest* req,
                           v1::ListAssignmentsResponse* resp) override;
  Reactor* GetAssignedTemplate(ServerContext* ctx, const v1::GetAssignedTemplateRequest* req,
                               v1::GetAssignedTemplateResponse* resp) override;
  Reactor* ListPresets(ServerContext* ctx, const v1::ListPresetsRequest* req,
                       v1::ListPresetsResponse* resp) override;

 private:
  const RpcEnv env_;
  TemplateStore& store_;
};

}  // namespace attain::eval
