// End to end (attain-target, attain-ingest, attain-eval and attain-review over
// gRPC, real PostgreSQL and Redis): who may call what (ARCHITECTURE.md §10,
// and the Auth paragraph of each service's proto).
//
//  - The authorisation matrix: every RPC of the four services (enumerated from
//    the generated descriptors; an RPC missing from the table fails the test)
//    is called by every role, a manager inside and outside their subtree, a
//    rep on their own and another rep's records, two tokens of a foreign
//    tenant and six kinds of bad token. The table below is the spec: one row
//    per RPC naming the callers that may call it, and of those the ones
//    confined to their own records (their call on someone else's is refused).
//    Refused calls are PERMISSION_DENIED (UNAUTHENTICATED for bad tokens);
//    allowed calls are anything else a caller may get for a minimal request
//    (OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS).
//    A foreign tenant's token never reads or changes the home tenant's data.
//  - Bad tokens refused by every service with a message a person can act on.
//  - Text that looks like SQL or markup is stored and returned verbatim, and
//    the meeting pack escapes it for HTML and Markdown.
//
// Home tenant "home" (attain-review runs with --fake-now 2025-05-11 10:00
// Asia/Shanghai):
//   org: co (company) → east (region) → t1 (team: r1, r2); co → t2 (team: r4).
//   2025-Q2 sales targets r1, r2, r4 1 000 000; t1 2 000 000; t2 1 000 000;
//   east 2 000 000; co 3 000 000 (CNY minor units). Orders o1 r1 1 234 500,
//   o2 r2 800 000, o4 r4 950 000. Template "sales100" assigned to co, east, t1
//   and t2; final 2025-Q2 evaluations of co, t1 and t2.
//   Committee "perf" (unit co): gm chair, vp secretary-general, mk and fin
//   members. Meetings: m0 (2025-Q1, members), m1 (2025-Q2, members and r1,
//   agenda), m2 (2025-Q2, members, agenda, reports for r1 and r4), m_gen and
//   m_status (2025-Q2, for GenerateAgenda and ChangeMeetingStatus). Action
//   items on m0 owned by r1, mia, fay and vp.
// Callers: admin "boss", crm-ingest "crm", director "dir", manager "mia" of
// east, rep "r1", committee-secretary "sec", committee-member "mk" (a plain
// member and m1's minute taker) and "gm" (the chair), finance "fay", hr "hal",
// service "attain-eval".
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/eval/v1/leaderboard_service.grpc.pb.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/compliance_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/ingest/v1/query_service.grpc.pb.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/grpc_status.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"
#include "tests/support/service_process.h"

namespace attain {
namespace {

namespace pb = ::google::protobuf;
namespace ev1 = ::attain::eval::v1;
namespace iv1 = ::attain::ingest::v1;
namespace rv1 = ::attain::review::v1;
namespace tv1 = ::attain::target::v1;
namespace ty1 = ::attain::type::v1;
using grpc::StatusCode;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "e2e-auth-matrix-signing-key-0123456789abcdef";
constexpr char kOtherKey[] = "a-different-signing-key-0123456789abcdef";
constexpr char kHome[] = "home";
constexpr char kAway[] = "away";
constexpr char kNow[] = "2025-05-11T02:00:00Z";
// In every name the home tenant seeds: a foreign caller's answer never holds it.
constexpr char kMark[] = "HOMEMARK";

// Hostile text (part of the hardening issue): SQL, markup, Markdown, unicode.
constexpr char kSql[] = "'); DROP TABLE x; --";
constexpr char kScript[] = "<script>alert(1)</script>";
constexpr char kMarkdown[] = "| pipe | **bold** [link](javascript:x)";
constexpr char kUnicode[] = "业绩 Ünïcödé 🚀 «ok»";

std::string Hostile() { return absl::StrCat(kSql, " ", kScript, " ", kMarkdown, " ", kUnicode); }

int64_t UnixAt(int y, int mo, int d, int h) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, 0, 0), absl::UTCTimeZone()));
}

// A fresh request id per call.
std::string Rid() {
  static std::atomic<int> n{0};
  return absl::StrCat("auth-matrix-", n.fetch_add(1));
}

// ---------------------------------------------------------------------------
// Callers

enum class Who {
  kAdmin,
  kCrmIngest,
  kDirector,
  kManager,
  kRep,
  kSecretary,
  kMember,  // committee-member "mk": a plain member, m1's minute taker
  kChair,   // committee-member "gm": the committee's chair
  kFinance,
  kHr,
  kService,
  kForeignAdmin,  // tenant "away"
  kForeignRep,    // tenant "away", subject "r1" like the home rep
};

struct Caller {
  Who who;
  std::string name;
  std::string tenant;
  Role role;
  std::string subject;
  std::string scope;
};

const std::vector<Caller>& HomeCallers() {
  static const auto* callers = new std::vector<Caller>{
      {Who::kAdmin, "admin", kHome, Role::kAdmin, "boss", ""},
      {Who::kCrmIngest, "crm-ingest", kHome, Role::kCrmIngest, "crm", ""},
      {Who::kDirector, "director", kHome, Role::kDirector, "dir", ""},
      {Who::kManager, "manager of east", kHome, Role::kManager, "mia", "east"},
      {Who::kRep, "rep r1", kHome, Role::kRep, "r1", ""},
      {Who::kSecretary, "committee-secretary", kHome, Role::kCommitteeSecretary, "sec", ""},
      {Who::kMember, "committee-member mk", kHome, Role::kCommitteeMember, "mk", ""},
      {Who::kChair, "committee-member gm (chair)", kHome, Role::kCommitteeMember, "gm", ""},
      {Who::kFinance, "finance", kHome, Role::kFinance, "fay", ""},
      {Who::kHr, "hr", kHome, Role::kHr, "hal", ""},
      {Who::kService, "service", kHome, Role::kService, "attain-eval", ""},
  };
  return *callers;
}

const std::vector<Caller>& ForeignCallers() {
  static const auto* callers = new std::vector<Caller>{
      {Who::kForeignAdmin, "admin of tenant away", kAway, Role::kAdmin, "boss", ""},
      {Who::kForeignRep, "rep r1 of tenant away", kAway, Role::kRep, "r1", ""},
  };
  return *callers;
}

// Which record a call is about: one the caller may reach ("in": t1, r1 and
// the caller's own items) or one beyond a manager's subtree or a rep's own
// records ("out": t2, r4, vp's items, a meeting r1 is not invited to).
enum class Variant { kIn, kOut };

// ---------------------------------------------------------------------------
// What the home tenant was seeded with (ids the requests name).

struct Seeded {
  std::string target_r1, target_r4;  // 2025-Q2 sales targets
  std::string eval_co, eval_t1, eval_t2;
  std::string m0, m1, m2, m_gen, m_status;
  std::string m1_item;                           // an agenda item of m1
  std::string m2_item_r1, m2_item_r4;            // presentation items of m2
  std::string report_r1, report_r4;              // reports on m2
  std::map<std::string, std::string> action_of;  // owner → action item on m0
};
Seeded* seeded = nullptr;

// The action item a caller names: their own, else r1's ("in"); vp's ("out").
std::string ActionFor(Variant v, const Caller& c) {
  if (v == Variant::kOut) return seeded->action_of.at("vp");
  auto it = seeded->action_of.find(c.subject);
  return it != seeded->action_of.end() ? it->second : seeded->action_of.at("r1");
}

// ---------------------------------------------------------------------------
// The table

using WhoSet = std::set<Who>;

const WhoSet kA = {Who::kAdmin};
const WhoSet kAD = {Who::kAdmin, Who::kDirector};
const WhoSet kEveryHome = {Who::kAdmin,   Who::kCrmIngest, Who::kDirector, Who::kManager,
                           Who::kRep,     Who::kSecretary, Who::kMember,   Who::kChair,
                           Who::kFinance, Who::kHr,        Who::kService};
WhoSet Without(WhoSet s, std::initializer_list<Who> out) {
  for (Who w : out) s.erase(w);
  return s;
}
// target: OrgReaders (every role but rep) and TenantWideReaders (nor manager).
const WhoSet kOrgReaders = Without(kEveryHome, {Who::kRep});
const WhoSet kTenantWide = Without(kEveryHome, {Who::kRep, Who::kManager});
// Targets are figures: every role but crm-ingest (it reads the org to map CRM
// activity, nothing more).
const WhoSet kTargetReaders = Without(kEveryHome, {Who::kCrmIngest});
// ingest: IngestQueryService (every role but crm-ingest); ComplianceService.
const WhoSet kQueryReaders = Without(kEveryHome, {Who::kCrmIngest});
const WhoSet kCompliance = {Who::kAdmin,     Who::kDirector, Who::kManager,
                            Who::kSecretary, Who::kMember,   Who::kChair};
// eval: scorecards (no crm-ingest, finance), comparisons (nor rep), templates.
const WhoSet kScorecardReaders = Without(kEveryHome, {Who::kCrmIngest, Who::kFinance});
const WhoSet kUnitReaders = Without(kScorecardReaders, {Who::kRep});
const WhoSet kTemplateReaders = {Who::kAdmin,   Who::kDirector, Who::kHr,
                                 Who::kManager, Who::kRep,      Who::kService};
// review: readers of committees and meetings (no crm-ingest, finance), those
// who manage meetings (admin, secretary, the chair), report writers (admin,
// secretary, committee members, the presenter), action item readers (no
// crm-ingest) and owners' moves.
const WhoSet kMeetingReaders = Without(kEveryHome, {Who::kCrmIngest, Who::kFinance});
const WhoSet kMeetingManagers = {Who::kAdmin, Who::kSecretary, Who::kChair};
const WhoSet kReportWriters = {Who::kAdmin, Who::kSecretary, Who::kMember, Who::kChair, Who::kRep};
const WhoSet kActionReaders = Without(kEveryHome, {Who::kCrmIngest});
const WhoSet kOwnerMoves = {Who::kAdmin, Who::kManager, Who::kRep, Who::kFinance};
const WhoSet kOwnItemsOnly = {Who::kManager, Who::kRep, Who::kFinance};

struct Row {
  std::string method;  // "attain.target.v1.OrgService/GetRep"
  WhoSet allowed;      // callers that may call it
  WhoSet confined;     // of `allowed`: refused on someone else's record (Variant::kOut)
  std::function<void(Variant, const Caller&, pb::Message&)> fill;
  const pb::Descriptor* request_type = nullptr;
};

template <typename Req>
Row R(std::string method, WhoSet allowed, WhoSet confined,
      std::function<void(Variant, const Caller&, Req&)> fill) {
  Row row;
  row.method = std::move(method);
  row.allowed = std::move(allowed);
  row.confined = std::move(confined);
  row.request_type = Req::descriptor();
  row.fill = [fill](Variant v, const Caller& c, pb::Message& m) {
    fill(v, c, static_cast<Req&>(m));
  };
  return row;
}

const char* In(Variant v, const char* in, const char* out) { return v == Variant::kIn ? in : out; }

void SetScope(ty1::Scope* s, ty1::ScopeKind kind, const std::string& id) {
  s->set_kind(kind);
  s->set_id(id);
}

rv1::CommitteeMember Member(const std::string& id, rv1::CommitteeRole role,
                            const std::string& department, const std::string& name = "") {
  rv1::CommitteeMember m;
  m.set_person_id(id);
  m.set_name(name.empty() ? absl::StrCat(kMark, " ", id) : name);
  m.set_role(role);
  m.set_department(department);
  m.set_department_manager(true);
  return m;
}

void FillActionItem(rv1::ActionItem* i, const std::string& meeting, const std::string& owner,
                    const std::string& title) {
  i->set_meeting_id(meeting);
  i->set_title(title);
  i->set_measures("weekly calls; a visit to each of the 20 largest accounts");
  i->add_departments("sales");
  i->set_owner_id(owner);
  i->set_due_date("2025-04-30");
  i->mutable_expected_result()->set_text("sales back to 1,000,000 by 2025-Q2");
}

// Order o1 again: a duplicate, which changes nothing, in the home tenant; in
// another tenant an order of another amount (so that its figures never look
// like the home tenant's).
iv1::Event ResentOrder(const Caller& c) {
  return testing::OrderEvent("o1", 1, "r1", c.tenant == kHome ? 1234500 : 4321, "2025-05-10");
}

// One row per RPC of the four services. `allowed` is checked with the "in"
// request; `confined` callers are refused with the "out" one, every other
// allowed caller is allowed with it too.
std::vector<Row> Table() {
  std::vector<Row> t;
  const WhoSet none;
  // ---- attain.target.v1.OrgService
  t.push_back(
      R<tv1::CreateOrgUnitRequest>("attain.target.v1.OrgService/CreateOrgUnit", kAD, none,
                                   [](Variant, const Caller&, tv1::CreateOrgUnitRequest& r) {
                                     r.set_request_id(Rid());
                                     r.set_unit_id(absl::StrCat("u-", Rid()));
                                     r.set_parent_id("co");
                                     r.set_name(absl::StrCat("new ", r.unit_id()));
                                     r.set_kind(tv1::ORG_UNIT_KIND_REGION);
                                   }));
  t.push_back(R<tv1::GetOrgUnitRequest>("attain.target.v1.OrgService/GetOrgUnit", kOrgReaders,
                                        {Who::kManager},
                                        [](Variant v, const Caller&, tv1::GetOrgUnitRequest& r) {
                                          r.set_unit_id(In(v, "t1", "t2"));
                                        }));
  t.push_back(R<tv1::ListOrgUnitsRequest>(
      "attain.target.v1.OrgService/ListOrgUnits", kOrgReaders, {Who::kManager},
      [](Variant v, const Caller&, tv1::ListOrgUnitsRequest& r) {
        r.set_parent_id(In(v, "t1", "t2"));
      }));
  t.push_back(
      R<tv1::UpdateOrgUnitRequest>("attain.target.v1.OrgService/UpdateOrgUnit", kAD, none,
                                   [](Variant, const Caller&, tv1::UpdateOrgUnitRequest& r) {
                                     r.set_request_id(Rid());
                                     r.mutable_unit()->set_unit_id("no-such-unit");
                                     r.mutable_unit()->set_name("renamed");
                                     r.mutable_update_mask()->add_paths("name");
                                   }));
  t.push_back(R<tv1::MoveOrgUnitRequest>("attain.target.v1.OrgService/MoveOrgUnit", kAD, none,
                                         [](Variant, const Caller&, tv1::MoveOrgUnitRequest& r) {
                                           r.set_request_id(Rid());
                                           r.set_unit_id("no-such-unit");
                                           r.set_new_parent_id("co");
                                         }));
  t.push_back(
      R<tv1::ArchiveOrgUnitRequest>("attain.target.v1.OrgService/ArchiveOrgUnit", kAD, none,
                                    [](Variant, const Caller&, tv1::ArchiveOrgUnitRequest& r) {
                                      r.set_request_id(Rid());
                                      r.set_unit_id("no-such-unit");
                                    }));
  t.push_back(R<tv1::CreateRepRequest>("attain.target.v1.OrgService/CreateRep", kAD, none,
                                       [](Variant, const Caller&, tv1::CreateRepRequest& r) {
                                         r.set_request_id(Rid());
                                         r.set_name("new rep");
                                         r.set_team_id("no-such-team");
                                         r.set_hire_date("2025-01-01");
                                       }));
  t.push_back(R<tv1::GetRepRequest>(
      "attain.target.v1.OrgService/GetRep", kEveryHome, {Who::kManager, Who::kRep},
      [](Variant v, const Caller&, tv1::GetRepRequest& r) { r.set_rep_id(In(v, "r1", "r4")); }));
  t.push_back(R<tv1::ListRepsRequest>(
      "attain.target.v1.OrgService/ListReps", kOrgReaders, {Who::kManager},
      [](Variant v, const Caller&, tv1::ListRepsRequest& r) { r.set_unit_id(In(v, "t1", "t2")); }));
  t.push_back(R<tv1::UpdateRepRequest>("attain.target.v1.OrgService/UpdateRep", kAD, none,
                                       [](Variant, const Caller&, tv1::UpdateRepRequest& r) {
                                         r.set_request_id(Rid());
                                         r.mutable_rep()->set_rep_id("no-such-rep");
                                         r.mutable_rep()->set_name("renamed");
                                         r.mutable_update_mask()->add_paths("name");
                                       }));
  t.push_back(R<tv1::MoveRepRequest>("attain.target.v1.OrgService/MoveRep", kAD, none,
                                     [](Variant, const Caller&, tv1::MoveRepRequest& r) {
                                       r.set_request_id(Rid());
                                       r.set_rep_id("no-such-rep");
                                       r.set_team_id("t2");
                                       r.set_effective_from("2025-09-01");
                                     }));
  t.push_back(R<tv1::CreateProductLineRequest>(
      "attain.target.v1.OrgService/CreateProductLine", kAD, none,
      [](Variant, const Caller&, tv1::CreateProductLineRequest& r) {
        r.set_request_id(Rid());
        r.set_product_line_id(absl::StrCat("pl-", Rid()));
        r.set_name(absl::StrCat("line ", r.product_line_id()));
      }));
  t.push_back(R<tv1::ListProductLinesRequest>("attain.target.v1.OrgService/ListProductLines",
                                              kEveryHome, none,
                                              [](Variant, const Caller&, auto&) {}));
  // ---- attain.target.v1.TargetService
  auto q3_target = [](Variant v, tv1::TargetInput* in) {
    SetScope(in->mutable_scope(), ty1::SCOPE_KIND_REP, In(v, "r1", "r4"));
    in->set_period("2025-Q3");
    in->set_metric(ty1::METRIC_SALES_AMOUNT);
    in->set_base_value(1000000);
    in->set_currency_code("CNY");
  };
  t.push_back(R<tv1::SetTargetRequest>(
      "attain.target.v1.TargetService/SetTarget", {Who::kAdmin, Who::kDirector, Who::kManager},
      {Who::kManager}, [q3_target](Variant v, const Caller&, auto& r) {
        r.set_request_id(Rid());
        q3_target(v, r.mutable_target());
      }));
  t.push_back(R<tv1::BatchSetTargetsRequest>("attain.target.v1.TargetService/BatchSetTargets",
                                             {Who::kAdmin, Who::kDirector, Who::kManager},
                                             {Who::kManager},
                                             [q3_target](Variant v, const Caller&, auto& r) {
                                               r.set_request_id(Rid());
                                               r.set_validate_only(true);
                                               q3_target(v, r.add_targets());
                                             }));
  t.push_back(R<tv1::GetTargetRequest>(
      "attain.target.v1.TargetService/GetTarget", kTargetReaders, {Who::kManager, Who::kRep},
      [](Variant v, const Caller&, auto& r) {
        r.set_target_id(v == Variant::kIn ? seeded->target_r1 : seeded->target_r4);
      }));
  t.push_back(R<tv1::ListTargetsRequest>("attain.target.v1.TargetService/ListTargets",
                                         kTargetReaders, {Who::kManager, Who::kRep},
                                         [](Variant v, const Caller& c, auto& r) {
                                           if (v == Variant::kIn || c.role == Role::kRep) {
                                             r.set_scope_kind(ty1::SCOPE_KIND_REP);
                                             r.set_scope_id(In(v, "r1", "r4"));
                                           } else {
                                             r.set_under_unit_id("t2");
                                           }
                                         }));
  t.push_back(R<tv1::DecomposeTargetRequest>(
      "attain.target.v1.TargetService/DecomposeTarget",
      {Who::kAdmin, Who::kDirector, Who::kManager}, {Who::kManager},
      [](Variant v, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_target_id(v == Variant::kIn ? seeded->target_r1 : seeded->target_r4);
        r.set_dimension(tv1::DECOMPOSITION_DIMENSION_TIME);
        r.set_child_period_kind(ty1::PERIOD_KIND_MONTH);
        r.set_validate_only(true);
      }));
  t.push_back(R<tv1::CheckConsistencyRequest>("attain.target.v1.TargetService/CheckConsistency",
                                              Without(kTenantWide, {Who::kCrmIngest}), none,
                                              [](Variant, const Caller&, auto&) {}));
  t.push_back(R<tv1::ListTargetHistoryRequest>(
      "attain.target.v1.TargetService/ListTargetHistory", kTargetReaders,
      {Who::kManager, Who::kRep}, [](Variant v, const Caller&, auto& r) {
        r.set_target_id(v == Variant::kIn ? seeded->target_r1 : seeded->target_r4);
      }));
  t.push_back(R<tv1::LockPeriodRequest>("attain.target.v1.TargetService/LockPeriod", kAD, none,
                                        [](Variant, const Caller&, auto& r) {
                                          r.set_request_id(Rid());
                                          r.set_period("2030-01");
                                          r.set_reason("audit");
                                        }));
  t.push_back(R<tv1::UnlockPeriodRequest>("attain.target.v1.TargetService/UnlockPeriod", kA, none,
                                          [](Variant, const Caller&, auto& r) {
                                            r.set_request_id(Rid());
                                            r.set_period("2031-01");
                                          }));
  t.push_back(R<tv1::ListPeriodLocksRequest>("attain.target.v1.TargetService/ListPeriodLocks",
                                             kTargetReaders, none,
                                             [](Variant, const Caller&, auto&) {}));
  // ---- attain.ingest.v1.IngestService
  t.push_back(R<iv1::IngestBatchRequest>(
      "attain.ingest.v1.IngestService/IngestBatch", {Who::kAdmin, Who::kCrmIngest}, none,
      [](Variant, const Caller& c, auto& r) { *r.add_events() = ResentOrder(c); }));
  t.push_back(R<iv1::StreamIngestRequest>("attain.ingest.v1.IngestService/StreamIngest",
                                          {Who::kAdmin, Who::kCrmIngest}, none,
                                          [](Variant, const Caller& c, auto& r) {
                                            r.set_batch_seq(1);
                                            *r.add_events() = ResentOrder(c);
                                          }));
  t.push_back(R<iv1::ListRejectedEventsRequest>(
      "attain.ingest.v1.IngestService/ListRejectedEvents",
      {Who::kAdmin, Who::kCrmIngest, Who::kDirector, Who::kFinance}, none,
      [](Variant, const Caller&, auto&) {}));
  // ---- attain.ingest.v1.IngestQueryService: a rep reads their own figures, a
  // manager those of reps and units in their subtree.
  const WhoSet rep_and_manager = {Who::kManager, Who::kRep};
  auto rep_scope = [](Variant v, ty1::Scope* s) {
    SetScope(s, ty1::SCOPE_KIND_REP, In(v, "r1", "r4"));
  };
  t.push_back(R<iv1::GetActualsRequest>("attain.ingest.v1.IngestQueryService/GetActuals",
                                        kQueryReaders, rep_and_manager,
                                        [rep_scope](Variant v, const Caller&, auto& r) {
                                          r.set_period("2025-Q2");
                                          rep_scope(v, r.mutable_scope());
                                        }));
  t.push_back(R<iv1::ListCustomersRequest>("attain.ingest.v1.IngestQueryService/ListCustomers",
                                           kQueryReaders, rep_and_manager,
                                           [rep_scope](Variant v, const Caller&, auto& r) {
                                             r.set_period("2025-Q2");
                                             rep_scope(v, r.mutable_scope());
                                           }));
  t.push_back(R<iv1::GetFunnelRequest>("attain.ingest.v1.IngestQueryService/GetFunnel",
                                       kQueryReaders, rep_and_manager,
                                       [rep_scope](Variant v, const Caller&, auto& r) {
                                         r.set_period("2025-Q2");
                                         rep_scope(v, r.mutable_scope());
                                       }));
  t.push_back(R<iv1::GetCustomerStatsRequest>(
      "attain.ingest.v1.IngestQueryService/GetCustomerStats", kQueryReaders, rep_and_manager,
      [rep_scope](Variant v, const Caller&, auto& r) {
        r.set_period("2025-Q2");
        rep_scope(v, r.mutable_scope());
      }));
  t.push_back(R<iv1::GetActualsGroupingsRequest>(
      "attain.ingest.v1.IngestQueryService/GetActualsGroupings", kQueryReaders, rep_and_manager,
      [rep_scope](Variant v, const Caller&, auto& r) {
        r.set_period("2025-Q2");
        rep_scope(v, r.mutable_scope());
        r.add_group_by(iv1::GROUP_BY_PRODUCT_LINE);
      }));
  // ---- attain.ingest.v1.ComplianceService: a manager's rows are narrowed to
  // their unit, so there is no "out" request to refuse.
  t.push_back(R<iv1::ListOverdueFollowUpsRequest>(
      "attain.ingest.v1.ComplianceService/ListOverdueFollowUps", kCompliance, none,
      [](Variant, const Caller&, auto& r) { r.set_as_of_date("2025-06-30"); }));
  t.push_back(R<iv1::ListFrequentContactsRequest>(
      "attain.ingest.v1.ComplianceService/ListFrequentContacts", kCompliance, none,
      [](Variant, const Caller&, auto& r) { r.set_period("2025-Q2"); }));
  t.push_back(R<iv1::ListLateFollowUpRecordsRequest>(
      "attain.ingest.v1.ComplianceService/ListLateFollowUpRecords", kCompliance, none,
      [](Variant, const Caller&, auto& r) { r.set_period("2025-Q2"); }));
  t.push_back(R<iv1::ListMissedReportsRequest>(
      "attain.ingest.v1.ComplianceService/ListMissedReports", kCompliance, none,
      [](Variant, const Caller&, auto& r) { r.set_period("2025-06"); }));
  {
    WhoSet finance = kCompliance;
    finance.insert(Who::kFinance);
    t.push_back(R<iv1::ListFinanceMismatchesRequest>(
        "attain.ingest.v1.ComplianceService/ListFinanceMismatches", finance, none,
        [](Variant, const Caller&, auto& r) { r.set_period("2025-Q2"); }));
  }
  {
    WhoSet special = kCompliance;
    special.insert(Who::kService);
    special.insert(Who::kRep);
    t.push_back(R<iv1::ListSpecialContributionsRequest>(
        "attain.ingest.v1.ComplianceService/ListSpecialContributions", special, rep_and_manager,
        [rep_scope](Variant v, const Caller&, auto& r) {
          r.set_period("2025-Q2");
          rep_scope(v, r.mutable_scope());
        }));
  }
  // ---- attain.eval.v1.LeaderboardService: rankings are shown to everyone
  // who reads results, whatever the board (leaderboard_service.proto).
  auto board = [](Variant v, ev1::Board* b) {
    b->set_period("2025-Q2");
    b->set_metric(ty1::METRIC_SALES_AMOUNT);
    b->set_scope_kind(ev1::BOARD_SCOPE_KIND_TEAM);
    b->set_scope_id(In(v, "t1", "t2"));
  };
  const WhoSet board_readers = Without(kEveryHome, {Who::kCrmIngest});
  t.push_back(R<ev1::GetLeaderboardRequest>("attain.eval.v1.LeaderboardService/GetLeaderboard",
                                            board_readers, none,
                                            [board](Variant v, const Caller&, auto& r) {
                                              board(v, r.mutable_board());
                                              r.set_allow_rollups(true);
                                            }));
  t.push_back(R<ev1::GetRankRequest>("attain.eval.v1.LeaderboardService/GetRank", board_readers,
                                     none, [board](Variant v, const Caller&, auto& r) {
                                       board(v, r.mutable_board());
                                       r.set_rep_id(In(v, "r1", "r4"));
                                       r.set_allow_rollups(true);
                                     }));
  t.push_back(R<ev1::WatchLeaderboardRequest>("attain.eval.v1.LeaderboardService/WatchLeaderboard",
                                              board_readers, none,
                                              [board](Variant v, const Caller&, auto& r) {
                                                board(v, r.mutable_board());
                                                r.set_top_n(5);
                                              }));
  // ---- attain.eval.v1.ScorecardService
  t.push_back(R<ev1::GetScorecardRequest>(
      "attain.eval.v1.ScorecardService/GetScorecard", kScorecardReaders, rep_and_manager,
      [](Variant v, const Caller&, auto& r) {
        SetScope(r.mutable_subject(), ty1::SCOPE_KIND_REP, In(v, "r1", "r4"));
        r.set_period("2025-Q2");
      }));
  t.push_back(R<ev1::RunEvaluationRequest>("attain.eval.v1.ScorecardService/RunEvaluation", kAD,
                                           none, [](Variant, const Caller&, auto& r) {
                                             r.set_request_id(Rid());
                                             r.set_unit_id("no-such-unit");
                                             r.set_period("2025-Q2");
                                           }));
  t.push_back(R<ev1::GetEvaluationRequest>(
      "attain.eval.v1.ScorecardService/GetEvaluation", kScorecardReaders, rep_and_manager,
      [](Variant v, const Caller&, auto& r) {
        r.set_evaluation_id(v == Variant::kIn ? seeded->eval_t1 : seeded->eval_t2);
      }));
  t.push_back(R<ev1::ListEvaluationsRequest>(
      "attain.eval.v1.ScorecardService/ListEvaluations", kScorecardReaders, {Who::kManager},
      [](Variant v, const Caller&, auto& r) { r.set_unit_id(In(v, "t1", "t2")); }));
  t.push_back(
      R<ev1::FinalizeEvaluationRequest>("attain.eval.v1.ScorecardService/FinalizeEvaluation", kAD,
                                        none, [](Variant, const Caller&, auto& r) {
                                          r.set_request_id(Rid());
                                          r.set_evaluation_id("no-such-evaluation");
                                        }));
  t.push_back(R<ev1::RestateEvaluationRequest>(
      "attain.eval.v1.ScorecardService/RestateEvaluation", kAD, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_evaluation_id("no-such-evaluation");
        r.set_reason("a late payment was credited to the wrong rep");
      }));
  t.push_back(R<ev1::AppealEvaluationRequest>(
      "attain.eval.v1.ScorecardService/AppealEvaluation", {Who::kRep}, {Who::kRep},
      [](Variant v, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_evaluation_id(v == Variant::kIn ? seeded->eval_t1 : seeded->eval_t2);
        r.set_reason("order o1 was signed in June, not May");
      }));
  t.push_back(R<ev1::DecideAppealRequest>("attain.eval.v1.ScorecardService/DecideAppeal", kAD, none,
                                          [](Variant, const Caller&, auto& r) {
                                            r.set_request_id(Rid());
                                            r.set_appeal_id("no-such-appeal");
                                            r.set_reason("checked the contract");
                                          }));
  t.push_back(R<ev1::CompareUnitsRequest>("attain.eval.v1.ScorecardService/CompareUnits",
                                          kUnitReaders, {Who::kManager},
                                          [](Variant v, const Caller&, auto& r) {
                                            r.add_unit_ids(In(v, "t1", "t2"));
                                            r.set_period("2025-Q2");
                                          }));
  t.push_back(R<ev1::WhatIfRequest>("attain.eval.v1.ScorecardService/WhatIf", kUnitReaders,
                                    {Who::kManager}, [](Variant v, const Caller&, auto& r) {
                                      r.set_unit_id(In(v, "t1", "t2"));
                                      r.set_period("2025-Q2");
                                      (*r.mutable_dimension_weights())["results"] = 10000;
                                    }));
  t.push_back(R<ev1::DiscardEvaluationRequest>("attain.eval.v1.ScorecardService/DiscardEvaluation",
                                               kAD, none, [](Variant, const Caller&, auto& r) {
                                                 r.set_request_id(Rid());
                                                 r.set_evaluation_id("no-such-evaluation");
                                                 r.set_reason("run by mistake");
                                               }));
  // ---- attain.eval.v1.TemplateService
  t.push_back(R<ev1::CreateTemplateRequest>("attain.eval.v1.TemplateService/CreateTemplate", kAD,
                                            none, [](Variant, const Caller&, auto& r) {
                                              r.set_request_id(Rid());
                                              r.set_template_id(absl::StrCat("tpl-", Rid()));
                                              r.set_preset("seed-001-follow-up");
                                            }));
  t.push_back(R<ev1::GetTemplateRequest>(
      "attain.eval.v1.TemplateService/GetTemplate", kTemplateReaders, none,
      [](Variant, const Caller&, auto& r) { r.set_template_id("sales100"); }));
  t.push_back(R<ev1::ListTemplatesRequest>("attain.eval.v1.TemplateService/ListTemplates",
                                           kTemplateReaders, none,
                                           [](Variant, const Caller&, auto&) {}));
  t.push_back(R<ev1::ListTemplateVersionsRequest>(
      "attain.eval.v1.TemplateService/ListTemplateVersions", kTemplateReaders, none,
      [](Variant, const Caller&, auto& r) { r.set_template_id("sales100"); }));
  t.push_back(R<ev1::UpdateTemplateRequest>("attain.eval.v1.TemplateService/UpdateTemplate", kAD,
                                            none, [](Variant, const Caller&, auto& r) {
                                              r.set_request_id(Rid());
                                              r.mutable_template_()->set_template_id(
                                                  "no-such-template");
                                              r.mutable_template_()->set_name("renamed");
                                              r.set_expected_version(1);
                                            }));
  t.push_back(R<ev1::AssignTemplateRequest>("attain.eval.v1.TemplateService/AssignTemplate", kAD,
                                            none, [](Variant, const Caller&, auto& r) {
                                              r.set_request_id(Rid());
                                              r.set_unit_id("t1");
                                              r.set_template_id("no-such-template");
                                              r.set_effective_period("2030-01");
                                            }));
  t.push_back(R<ev1::ListAssignmentsRequest>("attain.eval.v1.TemplateService/ListAssignments",
                                             kTemplateReaders, none,
                                             [](Variant, const Caller&, auto&) {}));
  t.push_back(R<ev1::GetAssignedTemplateRequest>(
      "attain.eval.v1.TemplateService/GetAssignedTemplate", kTemplateReaders, none,
      [](Variant, const Caller&, auto& r) {
        r.set_unit_id("co");
        r.set_period("2025-Q2");
      }));
  t.push_back(R<ev1::ListPresetsRequest>("attain.eval.v1.TemplateService/ListPresets",
                                         kTemplateReaders, none,
                                         [](Variant, const Caller&, auto&) {}));
  // ---- attain.review.v1.CommitteeService
  const WhoSet committee_writers = {Who::kAdmin, Who::kDirector, Who::kSecretary};
  t.push_back(R<rv1::CreateCommitteeRequest>(
      "attain.review.v1.CommitteeService/CreateCommittee", committee_writers, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        rv1::Committee* c = r.mutable_committee();
        c->set_committee_id(absl::StrCat("c-", Rid()));
        c->set_name("a new committee");
        c->set_unit_id("co");
        *c->add_members() = Member("gm", rv1::COMMITTEE_ROLE_CHAIR, "management", "Gao Min");
        *c->add_members() =
            Member("vp", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales", "Wei Ping");
      }));
  t.push_back(R<rv1::GetCommitteeRequest>(
      "attain.review.v1.CommitteeService/GetCommittee", kMeetingReaders, none,
      [](Variant, const Caller&, auto& r) { r.set_committee_id("perf"); }));
  t.push_back(R<rv1::ListCommitteesRequest>("attain.review.v1.CommitteeService/ListCommittees",
                                            kMeetingReaders, none,
                                            [](Variant, const Caller&, auto&) {}));
  t.push_back(
      R<rv1::UpdateCommitteeRequest>("attain.review.v1.CommitteeService/UpdateCommittee",
                                     committee_writers, none, [](Variant, const Caller&, auto& r) {
                                       r.set_request_id(Rid());
                                       r.mutable_committee()->set_committee_id("no-such-committee");
                                       r.mutable_committee()->set_name("renamed");
                                       r.mutable_update_mask()->add_paths("name");
                                       r.set_expected_version(1);
                                     }));
  // ---- attain.review.v1.MeetingService: a rep reads the meetings they are
  // invited to (m1, not m0) and the reports they present (r1's on m2).
  const WhoSet rep_only = {Who::kRep};
  t.push_back(
      R<rv1::ScheduleMeetingRequest>("attain.review.v1.MeetingService/ScheduleMeeting",
                                     kMeetingManagers, none, [](Variant, const Caller&, auto& r) {
                                       r.set_request_id(Rid());
                                       r.set_committee_id("perf");
                                       r.set_title("extra review");
                                       r.set_period("2025-Q2");
                                       r.mutable_start_time()->set_seconds(UnixAt(2025, 8, 1, 2));
                                       r.set_duration_minutes(60);
                                       r.set_minute_taker_id("mk");
                                     }));
  t.push_back(R<rv1::ScheduleMeetingSeriesRequest>(
      "attain.review.v1.MeetingService/ScheduleMeetingSeries", kMeetingManagers, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_committee_id("perf");
        r.set_cadence(rv1::CADENCE_MONTHLY);
        r.set_first_period("2025-09");
        r.set_count(1);
        r.mutable_first_start_time()->set_seconds(UnixAt(2025, 10, 3, 2));
        r.set_duration_minutes(60);
        r.set_title_template("{period} review");
        r.set_minute_taker_id("mk");
      }));
  t.push_back(
      R<rv1::GetMeetingRequest>("attain.review.v1.MeetingService/GetMeeting", kMeetingReaders,
                                rep_only, [](Variant v, const Caller&, auto& r) {
                                  r.set_meeting_id(v == Variant::kIn ? seeded->m1 : seeded->m0);
                                }));
  t.push_back(R<rv1::ListMeetingsRequest>("attain.review.v1.MeetingService/ListMeetings",
                                          kMeetingReaders, none,
                                          [](Variant, const Caller&, auto&) {}));
  t.push_back(R<rv1::ChangeMeetingStatusRequest>(
      "attain.review.v1.MeetingService/ChangeMeetingStatus", kMeetingManagers, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_meeting_id(seeded->m_status);
        r.set_status(rv1::MEETING_STATUS_IN_PROGRESS);
      }));
  t.push_back(
      R<rv1::RecordAttendanceRequest>("attain.review.v1.MeetingService/RecordAttendance",
                                      kMeetingManagers, none, [](Variant, const Caller&, auto& r) {
                                        r.set_request_id(Rid());
                                        r.set_meeting_id(seeded->m_status);
                                        (*r.mutable_attendance())["gm"] = rv1::ATTENDANCE_PRESENT;
                                      }));
  t.push_back(R<rv1::GenerateAgendaRequest>("attain.review.v1.MeetingService/GenerateAgenda",
                                            kMeetingManagers, none,
                                            [](Variant, const Caller&, auto& r) {
                                              r.set_request_id(Rid());
                                              r.set_meeting_id(seeded->m_gen);
                                            }));
  t.push_back(R<rv1::GetAgendaRequest>("attain.review.v1.MeetingService/GetAgenda", kMeetingReaders,
                                       rep_only, [](Variant v, const Caller&, auto& r) {
                                         r.set_meeting_id(v == Variant::kIn ? seeded->m1
                                                                            : seeded->m0);
                                       }));
  t.push_back(R<rv1::UpdateAgendaItemRequest>(
      "attain.review.v1.MeetingService/UpdateAgendaItem", kMeetingManagers, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_meeting_id(seeded->m1);
        r.set_item_id(seeded->m1_item);
        r.set_minutes(10);
        r.set_expected_version(999);  // stale: refused after the role check, nothing changes
      }));
  t.push_back(R<rv1::CreateReportRequest>(
      "attain.review.v1.MeetingService/CreateReport", kReportWriters, rep_only,
      [](Variant v, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_meeting_id(seeded->m2);
        r.set_agenda_item_id(v == Variant::kIn ? seeded->m2_item_r1 : seeded->m2_item_r4);
      }));
  t.push_back(R<rv1::GetReportRequest>("attain.review.v1.MeetingService/GetReport", kMeetingReaders,
                                       rep_only, [](Variant v, const Caller&, auto& r) {
                                         r.set_report_id(v == Variant::kIn ? seeded->report_r1
                                                                           : seeded->report_r4);
                                       }));
  t.push_back(
      R<rv1::ListReportsRequest>("attain.review.v1.MeetingService/ListReports", kMeetingReaders,
                                 rep_only, [](Variant v, const Caller&, auto& r) {
                                   r.set_meeting_id(v == Variant::kIn ? seeded->m2 : seeded->m0);
                                 }));
  t.push_back(R<rv1::PutCauseRequest>("attain.review.v1.MeetingService/PutCause", kReportWriters,
                                      rep_only, [](Variant v, const Caller&, auto& r) {
                                        r.set_request_id(Rid());
                                        r.set_report_id(v == Variant::kIn ? seeded->report_r1
                                                                          : seeded->report_r4);
                                        rv1::Cause* c = r.mutable_cause();
                                        c->set_cause_id("c1");
                                        c->set_description("a key customer's budget freeze");
                                        c->set_kind(rv1::CAUSE_KIND_EXTERNAL);
                                        r.set_expected_version(999);  // stale
                                      }));
  t.push_back(R<rv1::SubmitReportRequest>(
      "attain.review.v1.MeetingService/SubmitReport", kReportWriters, rep_only,
      [](Variant v, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_report_id(v == Variant::kIn ? seeded->report_r1 : seeded->report_r4);
        r.set_expected_version(999);  // stale
      }));
  t.push_back(R<rv1::AddMinutesEntryRequest>(
      "attain.review.v1.MeetingService/AddMinutesEntry", {Who::kAdmin, Who::kMember}, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        r.set_meeting_id(seeded->m1);  // scheduled, not started: refused after the checks
        r.set_speaker_id("gm");
        r.set_text("we agree");
        r.set_kind(rv1::MINUTES_ENTRY_KIND_NOTE);
      }));
  t.push_back(
      R<rv1::ListMinutesRequest>("attain.review.v1.MeetingService/ListMinutes", kMeetingReaders,
                                 rep_only, [](Variant v, const Caller&, auto& r) {
                                   r.set_meeting_id(v == Variant::kIn ? seeded->m1 : seeded->m0);
                                 }));
  t.push_back(R<rv1::GetMeetingPackRequest>(
      "attain.review.v1.MeetingService/GetMeetingPack", kMeetingReaders, rep_only,
      [](Variant v, const Caller&, auto& r) {
        r.set_meeting_id(v == Variant::kIn ? seeded->m1 : seeded->m0);
        r.set_trend_periods(1);
      }));
  // ---- attain.review.v1.ActionItemService: rep, manager and finance read and
  // move only the items they own; the committee creates and verifies.
  t.push_back(R<rv1::CreateActionItemRequest>(
      "attain.review.v1.ActionItemService/CreateActionItem", kMeetingManagers, none,
      [](Variant, const Caller&, auto& r) {
        r.set_request_id(Rid());
        FillActionItem(r.mutable_item(), seeded->m0, "vp", "call back every lapsed account");
      }));
  t.push_back(R<rv1::GetActionItemRequest>(
      "attain.review.v1.ActionItemService/GetActionItem", kActionReaders, kOwnItemsOnly,
      [](Variant v, const Caller& c, auto& r) { r.set_action_id(ActionFor(v, c)); }));
  t.push_back(R<rv1::ListActionItemsRequest>("attain.review.v1.ActionItemService/ListActionItems",
                                             kActionReaders, kOwnItemsOnly,
                                             [](Variant v, const Caller& c, auto& r) {
                                               r.set_owner_id(v == Variant::kIn ? c.subject : "vp");
                                             }));
  t.push_back(R<rv1::UpdateActionItemRequest>("attain.review.v1.ActionItemService/UpdateActionItem",
                                              kOwnerMoves, kOwnItemsOnly,
                                              [](Variant v, const Caller& c, auto& r) {
                                                r.set_request_id(Rid());
                                                r.mutable_item()->set_action_id(ActionFor(v, c));
                                                r.mutable_item()->set_title("renamed");
                                                r.mutable_update_mask()->add_paths("title");
                                                r.set_expected_version(999);  // stale
                                              }));
  t.push_back(R<rv1::ChangeActionStatusRequest>(
      "attain.review.v1.ActionItemService/ChangeActionStatus", kOwnerMoves, kOwnItemsOnly,
      [](Variant v, const Caller& c, auto& r) {
        r.set_request_id(Rid());
        r.set_action_id(ActionFor(v, c));
        r.set_status(rv1::ACTION_STATUS_SUBMITTED);
        r.set_expected_version(999);  // stale
      }));
  t.push_back(R<rv1::ReportProgressRequest>("attain.review.v1.ActionItemService/ReportProgress",
                                            kOwnerMoves, kOwnItemsOnly,
                                            [](Variant v, const Caller& c, auto& r) {
                                              r.set_request_id(Rid());
                                              r.set_action_id(ActionFor(v, c));
                                              r.mutable_report()->set_done_bp(1000);
                                              r.mutable_report()->set_note("first calls made");
                                            }));
  t.push_back(R<rv1::ListOverdueActionItemsRequest>(
      "attain.review.v1.ActionItemService/ListOverdueActionItems", kActionReaders, none,
      [](Variant, const Caller&, auto&) {}));
  t.push_back(
      R<rv1::VerifyActionItemsRequest>("attain.review.v1.ActionItemService/VerifyActionItems",
                                       kMeetingManagers, none, [](Variant, const Caller&, auto& r) {
                                         r.set_request_id(Rid());
                                         r.set_meeting_id(seeded->m1);
                                       }));
  t.push_back(R<rv1::GetPersonRecordRequest>(
      "attain.review.v1.ActionItemService/GetPersonRecord",
      Without(kEveryHome, {Who::kCrmIngest, Who::kService}),
      {Who::kManager, Who::kRep, Who::kSecretary, Who::kMember, Who::kChair, Who::kFinance},
      [](Variant v, const Caller& c, auto& r) {
        r.set_person_id(v == Variant::kIn ? c.subject : "vp");
      }));
  return t;
}

// ---------------------------------------------------------------------------
// Calling any RPC by its descriptor

// The RPCs of every attain service in the generated descriptor pool, by
// "package.Service/Method".
std::map<std::string, const pb::MethodDescriptor*> AllRpcs() {
  std::map<std::string, const pb::MethodDescriptor*> out;
  std::vector<std::string> files;
  pb::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, "attain/")) continue;
    const pb::FileDescriptor* file = pb::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        out[absl::StrCat(service->full_name(), "/", service->method(m)->name())] =
            service->method(m);
      }
    }
  }
  return out;
}

// The .proto files under protos/ that declare a service.
std::vector<std::string> ServiceProtosInTree() {
  std::vector<std::string> out;
  const std::filesystem::path root(ATTAIN_PROTO_DIR);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".proto") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
      if (absl::StartsWith(line, "service ")) {
        out.push_back(std::filesystem::relative(entry.path(), root).generic_string());
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

struct Outcome {
  grpc::Status status;
  std::string response;   // the (first) response message's bytes
  bool answered = false;  // a response message arrived
};

// A streaming call through the generic stub: writes one request, half-closes,
// reads one response and then cancels (a watch never ends by itself).
class StreamCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamCall(grpc::GenericStub& stub, grpc::ClientContext* ctx, const std::string& path,
             const std::string& request)
      : ctx_(ctx) {
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
    stub.PrepareBidiStreamingCall(ctx, path, grpc::StubOptions(), this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnWriteDone(bool ok) override {
    if (ok) StartWritesDone();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    outcome_.answered = true;
    outcome_.response = Flatten(response_);
    ctx_->TryCancel();
  }
  void OnDone(const grpc::Status& status) override {
    outcome_.status = status;
    done_.Notify();
  }
  Outcome Wait() {
    done_.WaitForNotification();
    return outcome_;
  }

 private:
  grpc::ClientContext* ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  Outcome outcome_;
  absl::Notification done_;  // safe to destroy once waited for, unlike std::promise
};

// Calls `method` on `channel` with `request`, sending `authorization` as the
// authorization header (none when empty).
Outcome Invoke(const std::shared_ptr<grpc::Channel>& channel, const pb::MethodDescriptor& method,
               const pb::Message& request, const std::string& authorization) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  const bool streaming = method.client_streaming() || method.server_streaming();
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(streaming ? 10 : 30));
  const std::string path = absl::StrCat("/", method.service()->full_name(), "/", method.name());
  const std::string bytes = request.SerializeAsString();
  if (streaming) {
    StreamCall call(stub, &ctx, path, bytes);
    return call.Wait();
  }
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  Outcome o;
  absl::Notification done;
  stub.UnaryCall(&ctx, path, grpc::StubOptions(), &in, &out, [&o, &done](grpc::Status s) {
    o.status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  if (o.status.ok()) {
    o.answered = true;
    o.response = Flatten(out);
  }
  return o;
}

std::string CodeName(StatusCode code) { return testing::CodeName(code); }

// The response as text, for failure messages and the leak check.
std::string ResponseText(const pb::MethodDescriptor& method, const std::string& bytes) {
  std::unique_ptr<pb::Message> m(
      pb::MessageFactory::generated_factory()->GetPrototype(method.output_type())->New());
  if (!m->ParseFromString(bytes)) return "<unparsable response>";
  std::string text;
  pb::TextFormat::PrintToString(*m, &text);
  return text;
}

// ---------------------------------------------------------------------------
// Tokens

std::string Bearer(const std::string& token) { return absl::StrCat("Bearer ", token); }

std::string MintAt(const std::string& key, const Caller& c, absl::Time now, absl::Duration ttl) {
  Principal p{c.tenant, c.subject, c.role, c.scope, {}};
  absl::StatusOr<std::string> t = MintToken(key, p, now, ttl);
  return t.ok() ? *t : "";
}

std::string B64(absl::string_view s) { return absl::WebSafeBase64Escape(s); }

// An unsigned ("alg": "none") token claiming admin of the home tenant.
std::string UnsignedAdminToken() {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  return absl::StrCat(B64(R"({"alg":"none","typ":"JWT"})"), ".",
                      B64(absl::StrFormat(R"({"iss":"attain","tenant":"%s","sub":"boss",)"
                                          R"("role":"admin","iat":%d,"exp":%d})",
                                          kHome, now, now + 3600)),
                      ".");
}

// A bad authorization header, what it is, and what the refusal must say.
struct BadToken {
  std::string name;
  std::string header;  // "" = no authorization header at all
  std::string says;    // a part of the UNAUTHENTICATED message
};

std::vector<BadToken> BadTokens() {
  const Caller admin = HomeCallers()[0];
  return {
      {"no authorization header", "", "missing authorization metadata"},
      {"not a Bearer scheme", "Basic Ym9zczpzZWNyZXQ=", "not Bearer"},
      {"malformed token", "Bearer not-a-jwt", "malformed bearer token"},
      {"unsigned (alg none)", Bearer(UnsignedAdminToken()), "algorithm \"none\""},
      {"signed with another key", Bearer(MintAt(kOtherKey, admin, absl::Now(), absl::Hours(1))),
       "signature does not verify"},
      // Expired in 2020: before the real clock and attain-review's fake one.
      {"expired", Bearer(MintAt(kKey, admin, absl::FromUnixSeconds(1577836800), absl::Hours(1))),
       "expired"},
  };
}

// ---------------------------------------------------------------------------
// The fixture: the four services over one database, seeded once.

class AuthMatrixE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Loopback plaintext, as every e2e test runs the services (the binaries
    // inherit it; a value ServiceProcess sets itself wins).
    setenv("ATTAIN_PLAINTEXT", "true", /*overwrite=*/0);
    auto stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "auth_matrix_e2e", kKey}, ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    auto review = testing::StartReview(*stack_, ATTAIN_REVIEW_BINARY, kKey, kNow);
    ASSERT_TRUE(review.ok()) << review.status();
    review_ = review->release();
    seeded = new Seeded();
    const absl::Status st = Seed();
    ASSERT_TRUE(st.ok()) << st;
    seeded_ok_ = true;
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
    delete stack_;
    stack_ = nullptr;
    delete seeded;
    seeded = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(seeded_ok_) << "the services did not start or seed"; }

  static std::shared_ptr<grpc::Channel> ChannelFor(const pb::MethodDescriptor& m) {
    const std::string& pkg = m.service()->file()->package();
    if (pkg == "attain.target.v1") return stack_->target().NewChannel();
    if (pkg == "attain.ingest.v1") return stack_->ingest().NewChannel();
    if (pkg == "attain.eval.v1") return stack_->eval().NewChannel();
    return review_->NewChannel();
  }

  static std::string TokenOf(const Caller& c) {
    return stack_->Token(c.tenant, c.role, c.subject, c.scope);
  }

  // Calls `method` ("attain.x.v1.Service/Method") as `c`, parsing the answer
  // into `resp`; the status names the step on failure.
  static absl::Status Call(const std::string& method, const Caller& c, const pb::Message& req,
                           pb::Message* resp) {
    const auto rpcs = AllRpcs();
    auto it = rpcs.find(method);
    if (it == rpcs.end()) return absl::NotFoundError(absl::StrCat("no RPC ", method));
    Outcome o = Invoke(ChannelFor(*it->second), *it->second, req, Bearer(TokenOf(c)));
    if (!o.status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(o.status.error_code()),
                          absl::StrCat(method, " as ", c.name, ": ", o.status.error_message()));
    }
    if (resp != nullptr && !resp->ParseFromString(o.response)) {
      return absl::InternalError(absl::StrCat(method, ": unparsable response"));
    }
    return absl::OkStatus();
  }
  static const Caller& Admin() { return HomeCallers()[0]; }

  static absl::Status Seed();
  static absl::Status SeedOrgAndData();
  static absl::Status SeedReview();

  static inline testing::IngestStack* stack_ = nullptr;
  static inline testing::ServiceProcess* review_ = nullptr;
  static inline bool seeded_ok_ = false;
};

#define RETURN_IF_NOT_OK(expr)       \
  do {                               \
    const absl::Status _st = (expr); \
    if (!_st.ok()) return _st;       \
  } while (false)

absl::Status AuthMatrixE2eTest::SeedOrgAndData() {
  const Caller& admin = Admin();
  for (const auto& [id, parent, kind] :
       std::vector<std::tuple<std::string, std::string, tv1::OrgUnitKind>>{
           {"co", "", tv1::ORG_UNIT_KIND_COMPANY},
           {"east", "co", tv1::ORG_UNIT_KIND_REGION},
           {"t1", "east", tv1::ORG_UNIT_KIND_TEAM},
           {"t2", "co", tv1::ORG_UNIT_KIND_TEAM}}) {
    tv1::CreateOrgUnitRequest q;
    q.set_request_id("unit-" + id);
    q.set_unit_id(id);
    q.set_parent_id(parent);
    q.set_name(absl::StrCat(kMark, " ", id));
    q.set_kind(kind);
    tv1::CreateOrgUnitResponse r;
    RETURN_IF_NOT_OK(Call("attain.target.v1.OrgService/CreateOrgUnit", admin, q, &r));
  }
  // r2's name is hostile text: it reaches the agenda and the meeting pack.
  for (const auto& [id, team, name] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"r1", "t1", absl::StrCat(kMark, " r1")},
           {"r2", "t1", Hostile()},
           {"r4", "t2", absl::StrCat(kMark, " r4")}}) {
    tv1::CreateRepRequest q;
    q.set_request_id("rep-" + id);
    q.set_rep_id(id);
    q.set_name(name);
    q.set_team_id(team);
    q.set_hire_date("2020-01-01");
    tv1::CreateRepResponse r;
    RETURN_IF_NOT_OK(Call("attain.target.v1.OrgService/CreateRep", admin, q, &r));
  }
  for (const auto& [kind, id, base] : std::vector<std::tuple<ty1::ScopeKind, std::string, int64_t>>{
           {ty1::SCOPE_KIND_REP, "r1", 1000000},
           {ty1::SCOPE_KIND_REP, "r2", 1000000},
           {ty1::SCOPE_KIND_REP, "r4", 1000000},
           {ty1::SCOPE_KIND_UNIT, "t1", 2000000},
           {ty1::SCOPE_KIND_UNIT, "t2", 1000000},
           {ty1::SCOPE_KIND_UNIT, "east", 2000000},
           {ty1::SCOPE_KIND_UNIT, "co", 3000000}}) {
    tv1::SetTargetRequest q;
    q.set_request_id("target-" + id);
    SetScope(q.mutable_target()->mutable_scope(), kind, id);
    q.mutable_target()->set_period("2025-Q2");
    q.mutable_target()->set_metric(ty1::METRIC_SALES_AMOUNT);
    q.mutable_target()->set_base_value(base);
    q.mutable_target()->set_currency_code("CNY");
    tv1::SetTargetResponse r;
    RETURN_IF_NOT_OK(Call("attain.target.v1.TargetService/SetTarget", admin, q, &r));
    if (id == "r1") seeded->target_r1 = r.target().target_id();
    if (id == "r4") seeded->target_r4 = r.target().target_id();
  }
  iv1::IngestBatchRequest batch;
  *batch.add_events() = testing::OrderEvent("o1", 1, "r1", 1234500, "2025-05-10");
  *batch.add_events() = testing::OrderEvent("o2", 1, "r2", 800000, "2025-06-01");
  *batch.add_events() = testing::OrderEvent("o4", 1, "r4", 950000, "2025-06-10");
  iv1::IngestBatchResponse batch_resp;
  RETURN_IF_NOT_OK(
      Call("attain.ingest.v1.IngestService/IngestBatch", HomeCallers()[1], batch, &batch_resp));
  for (const iv1::EventOutcome& o : batch_resp.outcomes()) {
    if (o.outcome() != iv1::OUTCOME_ACCEPTED) {
      return absl::InternalError(absl::StrCat("an order was not accepted: ", o.ShortDebugString()));
    }
  }
  const std::string admin_token = TokenOf(admin);
  RETURN_IF_NOT_OK(testing::CreateSales100Template(*stack_, admin_token));
  for (const char* unit : {"co", "east", "t1", "t2"}) {
    RETURN_IF_NOT_OK(testing::AssignTemplate(*stack_, admin_token, unit, "sales100", "2025-01"));
  }
  for (const auto& [unit, dest] : std::vector<std::pair<std::string, std::string*>>{
           {"co", &seeded->eval_co}, {"t1", &seeded->eval_t1}, {"t2", &seeded->eval_t2}}) {
    absl::StatusOr<ev1::Evaluation> e =
        testing::RunAndFinalizeEvaluation(*stack_, kHome, unit, "2025-Q2", unit + "-q2");
    if (!e.ok()) return e.status();
    *dest = e->evaluation_id();
  }
  return absl::OkStatus();
}

absl::Status AuthMatrixE2eTest::SeedReview() {
  const Caller& admin = Admin();
  rv1::CreateCommitteeRequest cq;
  cq.set_request_id("committee-perf");
  rv1::Committee* c = cq.mutable_committee();
  c->set_committee_id("perf");
  c->set_name(absl::StrCat(kMark, " sales performance committee"));
  c->set_unit_id("co");
  *c->add_members() = Member("gm", rv1::COMMITTEE_ROLE_CHAIR, "management");
  *c->add_members() = Member("vp", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales");
  *c->add_members() = Member("mk", rv1::COMMITTEE_ROLE_MEMBER, "marketing");
  *c->add_members() = Member("fin", rv1::COMMITTEE_ROLE_MEMBER, "finance");
  rv1::CreateCommitteeResponse cr;
  RETURN_IF_NOT_OK(Call("attain.review.v1.CommitteeService/CreateCommittee", admin, cq, &cr));
  const std::vector<std::string> members = {"gm", "vp", "mk", "fin"};
  for (const auto& [period, day, invite_r1, dest] :
       std::vector<std::tuple<std::string, int, bool, std::string*>>{
           {"2025-Q1", 12, false, &seeded->m0},
           {"2025-Q2", 5, true, &seeded->m1},
           {"2025-Q2", 6, false, &seeded->m2},
           {"2025-Q2", 7, false, &seeded->m_gen},
           {"2025-Q2", 8, false, &seeded->m_status}}) {
    rv1::ScheduleMeetingRequest q;
    q.set_request_id(absl::StrCat("meeting-", period, "-", day));
    q.set_committee_id("perf");
    q.set_title(absl::StrCat(kMark, " ", period, " review"));
    q.set_period(period);
    q.mutable_start_time()->set_seconds(UnixAt(2025, period == "2025-Q1" ? 5 : 7, day, 2));
    q.set_duration_minutes(90);
    q.set_minute_taker_id("mk");
    for (const std::string& m : members) q.add_invitee_ids(m);
    if (invite_r1) q.add_invitee_ids("r1");
    rv1::ScheduleMeetingResponse r;
    RETURN_IF_NOT_OK(Call("attain.review.v1.MeetingService/ScheduleMeeting", admin, q, &r));
    *dest = r.meeting().meeting_id();
  }
  for (const std::string& owner :
       {std::string("r1"), std::string("mia"), std::string("fay"), std::string("vp")}) {
    rv1::CreateActionItemRequest q;
    q.set_request_id("item-" + owner);
    FillActionItem(q.mutable_item(), seeded->m0, owner,
                   absl::StrCat(kMark, " call back every lapsed key account (", owner, ")"));
    rv1::CreateActionItemResponse r;
    RETURN_IF_NOT_OK(Call("attain.review.v1.ActionItemService/CreateActionItem", admin, q, &r));
    seeded->action_of[owner] = r.item().action_id();
  }
  for (const auto& [meeting, tag] :
       std::vector<std::pair<std::string, std::string>>{{seeded->m1, "m1"}, {seeded->m2, "m2"}}) {
    rv1::GenerateAgendaRequest q;
    q.set_request_id("agenda-" + tag);
    q.set_meeting_id(meeting);
    q.set_evaluation_id(seeded->eval_co);
    rv1::GenerateAgendaResponse r;
    RETURN_IF_NOT_OK(Call("attain.review.v1.MeetingService/GenerateAgenda", admin, q, &r));
    for (const rv1::AgendaItem& item : r.agenda().items()) {
      if (tag == "m1" && seeded->m1_item.empty()) seeded->m1_item = item.item_id();
      if (tag != "m2" || item.kind() != rv1::AGENDA_ITEM_KIND_PRESENTATION) continue;
      if (item.presenter().id() == "r1") seeded->m2_item_r1 = item.item_id();
      if (item.presenter().id() == "r4") seeded->m2_item_r4 = item.item_id();
    }
  }
  if (seeded->m2_item_r1.empty() || seeded->m2_item_r4.empty()) {
    return absl::InternalError("m2's agenda has no presentation by r1 or r4");
  }
  for (const auto& [item, dest] : std::vector<std::pair<std::string, std::string*>>{
           {seeded->m2_item_r1, &seeded->report_r1}, {seeded->m2_item_r4, &seeded->report_r4}}) {
    rv1::CreateReportRequest q;
    q.set_request_id("report-" + item);
    q.set_meeting_id(seeded->m2);
    q.set_agenda_item_id(item);
    rv1::CreateReportResponse r;
    RETURN_IF_NOT_OK(Call("attain.review.v1.MeetingService/CreateReport", admin, q, &r));
    *dest = r.report().report_id();
  }
  return absl::OkStatus();
}

absl::Status AuthMatrixE2eTest::Seed() {
  RETURN_IF_NOT_OK(SeedOrgAndData());
  return SeedReview();
}

// What the home tenant holds, read by its admin: compared before and after
// the foreign tenant's calls.
std::vector<std::unique_ptr<pb::Message>> Snapshot(
    const std::function<absl::Status(const std::string&, const pb::Message&, pb::Message*)>& call) {
  std::vector<std::pair<std::string, std::function<void(pb::Message&)>>> reads = {
      {"attain.target.v1.OrgService/ListOrgUnits", [](pb::Message&) {}},
      {"attain.target.v1.OrgService/ListReps", [](pb::Message&) {}},
      {"attain.target.v1.OrgService/ListProductLines", [](pb::Message&) {}},
      {"attain.target.v1.TargetService/ListTargets", [](pb::Message&) {}},
      {"attain.target.v1.TargetService/ListPeriodLocks", [](pb::Message&) {}},
      {"attain.ingest.v1.IngestQueryService/ListCustomers",
       [](pb::Message& m) { static_cast<iv1::ListCustomersRequest&>(m).set_period("2025-Q2"); }},
      {"attain.ingest.v1.IngestQueryService/GetActuals",
       [](pb::Message& m) { static_cast<iv1::GetActualsRequest&>(m).set_period("2025-Q2"); }},
      {"attain.eval.v1.ScorecardService/ListEvaluations", [](pb::Message&) {}},
      {"attain.eval.v1.TemplateService/ListTemplates", [](pb::Message&) {}},
      {"attain.eval.v1.TemplateService/ListAssignments", [](pb::Message&) {}},
      {"attain.review.v1.CommitteeService/ListCommittees", [](pb::Message&) {}},
      {"attain.review.v1.MeetingService/ListMeetings", [](pb::Message&) {}},
      {"attain.review.v1.ActionItemService/ListActionItems", [](pb::Message&) {}},
      {"attain.review.v1.MeetingService/GetAgenda",
       [](pb::Message& m) { static_cast<rv1::GetAgendaRequest&>(m).set_meeting_id(seeded->m1); }},
      {"attain.review.v1.MeetingService/ListReports",
       [](pb::Message& m) { static_cast<rv1::ListReportsRequest&>(m).set_meeting_id(seeded->m2); }},
  };
  const auto rpcs = AllRpcs();
  std::vector<std::unique_ptr<pb::Message>> out;
  for (const auto& [method, fill] : reads) {
    const pb::MethodDescriptor* m = rpcs.at(method);
    auto* factory = pb::MessageFactory::generated_factory();
    std::unique_ptr<pb::Message> req(factory->GetPrototype(m->input_type())->New());
    fill(*req);
    std::unique_ptr<pb::Message> resp(factory->GetPrototype(m->output_type())->New());
    const absl::Status st = call(method, *req, resp.get());
    EXPECT_TRUE(st.ok()) << st;
    out.push_back(std::move(resp));
  }
  return out;
}

TEST_F(AuthMatrixE2eTest, EveryRpcAgainstEveryRole) {
  const std::map<std::string, const pb::MethodDescriptor*> rpcs = AllRpcs();
  const std::vector<Row> table = Table();

  // Every service proto in the tree is linked in, every RPC has a row and
  // every row names an RPC with the request type it fills.
  for (const std::string& file : ServiceProtosInTree()) {
    EXPECT_NE(pb::DescriptorPool::generated_pool()->FindFileByName(file), nullptr)
        << file << " declares a service the matrix does not know: include its .grpc.pb.h here "
        << "and add its RPCs to Table()";
  }
  std::set<std::string> in_table;
  for (const Row& row : table) {
    EXPECT_TRUE(in_table.insert(row.method).second) << row.method << " has two rows";
    auto it = rpcs.find(row.method);
    if (it == rpcs.end()) {
      ADD_FAILURE() << "the table names " << row.method << ", which no service has";
      continue;
    }
    EXPECT_EQ(it->second->input_type(), row.request_type) << row.method;
    for (Who w : row.confined) {
      EXPECT_TRUE(row.allowed.count(w)) << row.method << ": a confined caller must be allowed";
    }
  }
  for (const auto& [name, method] : rpcs) {
    EXPECT_TRUE(in_table.count(name))
        << name << " is not in the authorisation table: add a row to Table() saying who may "
        << "call it (ARCHITECTURE.md §10)";
  }
  EXPECT_GE(rpcs.size(), 90u) << "fewer RPCs than the four services had when this was written";

  auto* factory = pb::MessageFactory::generated_factory();
  auto run = [&](const Row& row, Variant v, const Caller& c, const std::string& header) {
    const pb::MethodDescriptor& m = *rpcs.at(row.method);
    std::unique_ptr<pb::Message> req(factory->GetPrototype(m.input_type())->New());
    row.fill(v, c, *req);
    return Invoke(ChannelFor(m), m, *req, header);
  };

  int calls = 0;
  // 1. Home callers: the table.
  for (const Row& row : table) {
    if (!rpcs.count(row.method)) continue;
    for (const Caller& c : HomeCallers()) {
      for (Variant v : {Variant::kIn, Variant::kOut}) {
        const bool allowed =
            row.allowed.count(c.who) && !(v == Variant::kOut && row.confined.count(c.who));
        const Outcome o = run(row, v, c, Bearer(TokenOf(c)));
        ++calls;
        const StatusCode code = o.status.error_code();
        const std::string what = absl::StrCat(row.method, " as ", c.name,
                                              v == Variant::kIn ? "" : " on another's record", ": ",
                                              CodeName(code), " ", o.status.error_message());
        if (!allowed) {
          EXPECT_EQ(code, StatusCode::PERMISSION_DENIED) << what << " (expected PERMISSION_DENIED)";
          if (code == StatusCode::PERMISSION_DENIED) {
            EXPECT_GE(o.status.error_message().size(), 20u) << what << ": say why";
          }
          continue;
        }
        // Allowed: anything but a refusal, and never a server fault for a
        // caller's request. A watch or stream we cancel after its first
        // answer ends CANCELLED.
        const bool fine =
            code == StatusCode::OK || code == StatusCode::INVALID_ARGUMENT ||
            code == StatusCode::NOT_FOUND || code == StatusCode::FAILED_PRECONDITION ||
            code == StatusCode::ALREADY_EXISTS || (code == StatusCode::CANCELLED && o.answered);
        EXPECT_TRUE(fine) << what << " (expected the call to be allowed)";
      }
    }
  }

  // 2. A foreign tenant's tokens: whatever they may call, they neither see nor
  // change the home tenant's data.
  auto home_read = [](const std::string& method, const pb::Message& req, pb::Message* resp) {
    return Call(method, Admin(), req, resp);
  };
  const auto before = Snapshot(home_read);
  std::vector<std::string> markers = {kMark, "1234500"};
  for (const std::string* id :
       {&seeded->eval_co, &seeded->eval_t1, &seeded->eval_t2, &seeded->m0, &seeded->m1, &seeded->m2,
        &seeded->report_r1, &seeded->report_r4, &seeded->target_r1}) {
    markers.push_back(*id);
  }
  for (const Row& row : table) {
    if (!rpcs.count(row.method)) continue;
    const pb::MethodDescriptor& m = *rpcs.at(row.method);
    for (const Caller& c : ForeignCallers()) {
      for (Variant v : {Variant::kIn, Variant::kOut}) {
        const Outcome o = run(row, v, c, Bearer(TokenOf(c)));
        ++calls;
        EXPECT_NE(o.status.error_code(), StatusCode::UNAUTHENTICATED)
            << row.method << " as " << c.name << ": a valid token of another tenant";
        if (!o.answered) continue;
        const std::string text = ResponseText(m, o.response);
        for (const std::string& marker : markers) {
          EXPECT_THAT(text, Not(HasSubstr(marker)))
              << row.method << " as " << c.name << " answered with the home tenant's data";
        }
      }
    }
  }
  const auto after = Snapshot(home_read);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*before[i], *after[i]))
        << "the foreign tenant's calls changed what the home admin reads:\nbefore: "
        << before[i]->ShortDebugString() << "\nafter: " << after[i]->ShortDebugString();
  }

  // 3. Bad tokens: every RPC refuses them as UNAUTHENTICATED.
  for (const Row& row : table) {
    if (!rpcs.count(row.method)) continue;
    for (const BadToken& bad : BadTokens()) {
      const Outcome o = run(row, Variant::kIn, Admin(), bad.header);
      ++calls;
      EXPECT_EQ(o.status.error_code(), StatusCode::UNAUTHENTICATED)
          << row.method << " with " << bad.name << ": " << CodeName(o.status.error_code()) << " "
          << o.status.error_message();
    }
  }
  std::cout << "auth matrix: " << table.size() << " RPCs x " << HomeCallers().size()
            << " home callers (x2 records) + " << ForeignCallers().size() << " foreign callers + "
            << BadTokens().size() << " bad tokens = " << calls << " calls\n";
}

// Every service refuses bad tokens with a message that says what to do, on
// unary and streaming RPCs alike.
TEST_F(AuthMatrixE2eTest, BadTokensAreRefusedWithAnActionableMessage) {
  const auto rpcs = AllRpcs();
  // One unary RPC per service, and the two streaming ones.
  const std::vector<std::string> methods = {
      "attain.target.v1.OrgService/ListProductLines",
      "attain.ingest.v1.IngestService/ListRejectedEvents",
      "attain.ingest.v1.IngestService/StreamIngest",
      "attain.eval.v1.TemplateService/ListPresets",
      "attain.eval.v1.LeaderboardService/WatchLeaderboard",
      "attain.review.v1.CommitteeService/ListCommittees",
  };
  const std::vector<Row> table = Table();
  for (const std::string& name : methods) {
    const pb::MethodDescriptor& m = *rpcs.at(name);
    const Row& row =
        *std::find_if(table.begin(), table.end(), [&](const Row& r) { return r.method == name; });
    std::unique_ptr<pb::Message> req(
        pb::MessageFactory::generated_factory()->GetPrototype(m.input_type())->New());
    row.fill(Variant::kIn, Admin(), *req);
    for (const BadToken& bad : BadTokens()) {
      const Outcome o = Invoke(ChannelFor(m), m, *req, bad.header);
      EXPECT_EQ(o.status.error_code(), StatusCode::UNAUTHENTICATED) << name << ", " << bad.name;
      EXPECT_THAT(o.status.error_message(), HasSubstr(bad.says)) << name << ", " << bad.name;
      // Each message says how to get it right: the header to send or how to
      // mint a token.
      EXPECT_TRUE(absl::StrContains(o.status.error_message(), "Bearer <token>") ||
                  absl::StrContains(o.status.error_message(), "attainctl token mint"))
          << name << ", " << bad.name << ": \"" << o.status.error_message()
          << "\" does not say what to do";
    }
  }
  // The tenant is the token's: another tenant's admin asking for the home
  // tenant's records by name is told they do not exist.
  const Caller& away = ForeignCallers()[0];
  tv1::GetRepRequest rep;
  rep.set_rep_id("r1");
  tv1::GetRepResponse rep_resp;
  EXPECT_TRUE(absl::IsNotFound(Call("attain.target.v1.OrgService/GetRep", away, rep, &rep_resp)));
  rv1::GetMeetingRequest meeting;
  meeting.set_meeting_id(seeded->m1);
  rv1::GetMeetingResponse meeting_resp;
  EXPECT_TRUE(absl::IsNotFound(
      Call("attain.review.v1.MeetingService/GetMeeting", away, meeting, &meeting_resp)));
  ev1::GetEvaluationRequest evaluation;
  evaluation.set_evaluation_id(seeded->eval_co);
  ev1::GetEvaluationResponse evaluation_resp;
  EXPECT_TRUE(absl::IsNotFound(
      Call("attain.eval.v1.ScorecardService/GetEvaluation", away, evaluation, &evaluation_resp)));
}

// ---------------------------------------------------------------------------
// Hostile text

// The lines of `md`'s tables (those starting with '|') have as many
// unescaped pipes as their table's header: user text added no cell.
void ExpectTablesKeepTheirShape(const std::string& md) {
  int header_pipes = -1;
  for (absl::string_view line : absl::StrSplit(md, '\n')) {
    if (!absl::StartsWith(line, "|")) {
      header_pipes = -1;
      continue;
    }
    int pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;  // an escaped character
        continue;
      }
      pipes += line[i] == '|';
    }
    if (header_pipes < 0) {
      header_pipes = pipes;
    } else {
      EXPECT_EQ(pipes, header_pipes) << "a table row with a cell too many: " << line;
    }
  }
}

TEST_F(AuthMatrixE2eTest, HostileTextIsStoredVerbatimAndEscapedInThePack) {
  const std::string hostile = Hostile();
  const Caller& admin = Admin();

  // attain-target: unit and product line names (r2's name was seeded hostile).
  tv1::CreateOrgUnitRequest unit;
  unit.set_request_id("hostile-unit");
  unit.set_unit_id("hostile");
  unit.set_parent_id("co");
  unit.set_name(hostile);
  unit.set_kind(tv1::ORG_UNIT_KIND_REGION);
  tv1::CreateOrgUnitResponse unit_resp;
  ASSERT_TRUE(Call("attain.target.v1.OrgService/CreateOrgUnit", admin, unit, &unit_resp).ok());
  tv1::GetOrgUnitRequest get_unit;
  get_unit.set_unit_id("hostile");
  tv1::GetOrgUnitResponse got_unit;
  ASSERT_TRUE(Call("attain.target.v1.OrgService/GetOrgUnit", admin, get_unit, &got_unit).ok());
  EXPECT_EQ(got_unit.unit().name(), hostile);
  tv1::GetRepRequest get_rep;
  get_rep.set_rep_id("r2");
  tv1::GetRepResponse got_rep;
  ASSERT_TRUE(Call("attain.target.v1.OrgService/GetRep", admin, get_rep, &got_rep).ok());
  EXPECT_EQ(got_rep.rep().name(), hostile);
  tv1::CreateProductLineRequest line;
  line.set_request_id("hostile-line");
  line.set_product_line_id("hostile-line");
  line.set_name(hostile);
  tv1::CreateProductLineResponse line_resp;
  ASSERT_TRUE(Call("attain.target.v1.OrgService/CreateProductLine", admin, line, &line_resp).ok());
  EXPECT_EQ(line_resp.product_line().name(), hostile);

  // attain-ingest: a customer's name.
  iv1::IngestBatchRequest batch;
  iv1::Event* e = batch.add_events();
  e->set_source("crm");
  e->set_event_id("cust-o1-hostile");
  e->set_occurred_at("2025-05-10T10:00:00+08:00");
  e->mutable_customer()->set_customer_id("cust-o1");
  e->mutable_customer()->set_version(1);
  e->mutable_customer()->set_full_name(hostile);
  e->mutable_customer()->set_owner_rep_id("r1");
  e->mutable_customer()->set_grade(iv1::CUSTOMER_GRADE_A);
  e->mutable_customer()->set_tier(iv1::CUSTOMER_TIER_KEY_ACCOUNT);
  iv1::IngestBatchResponse batch_resp;
  ASSERT_TRUE(Call("attain.ingest.v1.IngestService/IngestBatch", admin, batch, &batch_resp).ok());
  ASSERT_EQ(batch_resp.outcomes_size(), 1);
  EXPECT_EQ(batch_resp.outcomes(0).outcome(), iv1::OUTCOME_ACCEPTED)
      << batch_resp.outcomes(0).ShortDebugString();
  iv1::ListCustomersRequest customers;
  customers.set_period("2025-Q2");
  SetScope(customers.mutable_scope(), ty1::SCOPE_KIND_REP, "r1");
  iv1::ListCustomersResponse customers_resp;
  ASSERT_TRUE(
      Call("attain.ingest.v1.IngestQueryService/ListCustomers", admin, customers, &customers_resp)
          .ok());
  ASSERT_EQ(customers_resp.customers_size(), 1);
  EXPECT_EQ(customers_resp.customers(0).full_name(), hostile);

  // attain-eval: a template's name.
  ev1::GetTemplateRequest get_template;
  get_template.set_template_id("sales100");
  ev1::GetTemplateResponse got_template;
  ASSERT_TRUE(
      Call("attain.eval.v1.TemplateService/GetTemplate", admin, get_template, &got_template).ok());
  ev1::UpdateTemplateRequest update_template;
  update_template.set_request_id("hostile-template");
  *update_template.mutable_template_() = got_template.template_();
  update_template.mutable_template_()->set_name(hostile);
  update_template.set_expected_version(got_template.template_().version());
  ev1::UpdateTemplateResponse updated_template;
  ASSERT_TRUE(Call("attain.eval.v1.TemplateService/UpdateTemplate", admin, update_template,
                   &updated_template)
                  .ok());
  ASSERT_TRUE(
      Call("attain.eval.v1.TemplateService/GetTemplate", admin, get_template, &got_template).ok());
  EXPECT_EQ(got_template.template_().name(), hostile);

  // attain-review: a committee, its members, a meeting, its minutes, an action
  // item and a report's cause.
  rv1::CreateCommitteeRequest cq;
  cq.set_request_id("hostile-committee");
  rv1::Committee* c = cq.mutable_committee();
  c->set_committee_id("hostile");
  c->set_name(hostile);
  c->set_unit_id("co");
  *c->add_members() = Member("gm", rv1::COMMITTEE_ROLE_CHAIR, "management", hostile);
  *c->add_members() = Member("vp", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales");
  *c->add_members() = Member("mk", rv1::COMMITTEE_ROLE_MEMBER, "marketing");
  rv1::CreateCommitteeResponse cr;
  ASSERT_TRUE(Call("attain.review.v1.CommitteeService/CreateCommittee", admin, cq, &cr).ok());
  rv1::GetCommitteeRequest get_committee;
  get_committee.set_committee_id("hostile");
  rv1::GetCommitteeResponse got_committee;
  ASSERT_TRUE(
      Call("attain.review.v1.CommitteeService/GetCommittee", admin, get_committee, &got_committee)
          .ok());
  EXPECT_EQ(got_committee.committee().name(), hostile);
  EXPECT_EQ(got_committee.committee().members(0).name(), hostile);

  std::string meetings[2];
  for (int k = 0; k < 2; ++k) {
    rv1::ScheduleMeetingRequest q;
    q.set_request_id(absl::StrCat("hostile-meeting-", k));
    q.set_committee_id("hostile");
    q.set_title(hostile);
    q.set_purpose(absl::StrCat(hostile, "\nsecond line | with a pipe"));
    q.set_period(k == 0 ? "2025-Q1" : "2025-Q2");
    q.mutable_start_time()->set_seconds(UnixAt(2025, k == 0 ? 5 : 7, k == 0 ? 20 : 20, 2));
    q.set_duration_minutes(90);
    q.set_minute_taker_id("mk");
    rv1::ScheduleMeetingResponse r;
    ASSERT_TRUE(Call("attain.review.v1.MeetingService/ScheduleMeeting", admin, q, &r).ok());
    EXPECT_EQ(r.meeting().title(), hostile);
    meetings[k] = r.meeting().meeting_id();
  }
  rv1::GetMeetingRequest get_meeting;
  get_meeting.set_meeting_id(meetings[1]);
  rv1::GetMeetingResponse got_meeting;
  ASSERT_TRUE(
      Call("attain.review.v1.MeetingService/GetMeeting", admin, get_meeting, &got_meeting).ok());
  EXPECT_EQ(got_meeting.meeting().title(), hostile);
  EXPECT_EQ(got_meeting.meeting().purpose(), absl::StrCat(hostile, "\nsecond line | with a pipe"));

  // An open action item of the previous meeting shows in the pack.
  rv1::CreateActionItemRequest aq;
  aq.set_request_id("hostile-item");
  FillActionItem(aq.mutable_item(), meetings[0], "vp", hostile);
  aq.mutable_item()->set_measures(hostile);
  aq.mutable_item()->mutable_expected_result()->set_text(hostile);
  rv1::CreateActionItemResponse ar;
  ASSERT_TRUE(Call("attain.review.v1.ActionItemService/CreateActionItem", admin, aq, &ar).ok());
  rv1::GetActionItemRequest get_item;
  get_item.set_action_id(ar.item().action_id());
  rv1::GetActionItemResponse got_item;
  ASSERT_TRUE(
      Call("attain.review.v1.ActionItemService/GetActionItem", admin, get_item, &got_item).ok());
  EXPECT_EQ(got_item.item().title(), hostile);
  EXPECT_EQ(got_item.item().measures(), hostile);
  EXPECT_EQ(got_item.item().expected_result().text(), hostile);

  rv1::GenerateAgendaRequest agenda;
  agenda.set_request_id("hostile-agenda");
  agenda.set_meeting_id(meetings[1]);
  agenda.set_evaluation_id(seeded->eval_co);
  rv1::GenerateAgendaResponse agenda_resp;
  ASSERT_TRUE(
      Call("attain.review.v1.MeetingService/GenerateAgenda", admin, agenda, &agenda_resp).ok());
  bool r2_presents = false;
  for (const rv1::AgendaItem& item : agenda_resp.agenda().items()) {
    if (item.presenter().id() != "r2") continue;
    r2_presents = true;
    EXPECT_EQ(item.presenter_name(), hostile);
  }
  EXPECT_TRUE(r2_presents) << agenda_resp.ShortDebugString();

  // Minutes: taken while the meeting is in progress, by its minute taker.
  const Caller& mk = HomeCallers()[6];
  ASSERT_EQ(mk.subject, "mk");
  rv1::ChangeMeetingStatusRequest start;
  start.set_request_id("hostile-start");
  start.set_meeting_id(meetings[1]);
  start.set_status(rv1::MEETING_STATUS_IN_PROGRESS);
  rv1::ChangeMeetingStatusResponse started;
  ASSERT_TRUE(
      Call("attain.review.v1.MeetingService/ChangeMeetingStatus", admin, start, &started).ok());
  rv1::AddMinutesEntryRequest minutes;
  minutes.set_request_id("hostile-minutes");
  minutes.set_meeting_id(meetings[1]);
  minutes.set_speaker_id("gm");
  minutes.set_text(hostile);
  minutes.set_kind(rv1::MINUTES_ENTRY_KIND_DECISION);
  rv1::AddMinutesEntryResponse added;
  ASSERT_TRUE(Call("attain.review.v1.MeetingService/AddMinutesEntry", mk, minutes, &added).ok());
  rv1::ListMinutesRequest list_minutes;
  list_minutes.set_meeting_id(meetings[1]);
  rv1::ListMinutesResponse listed;
  ASSERT_TRUE(
      Call("attain.review.v1.MeetingService/ListMinutes", admin, list_minutes, &listed).ok());
  ASSERT_EQ(listed.entries_size(), 1);
  EXPECT_EQ(listed.entries(0).text(), hostile);

  // The pack, as HTML: every piece of hostile text escaped, no markup of its own.
  rv1::GetMeetingPackRequest pack;
  pack.set_meeting_id(meetings[1]);
  pack.set_trend_periods(2);
  rv1::GetMeetingPackResponse html;
  ASSERT_TRUE(Call("attain.review.v1.MeetingService/GetMeetingPack", admin, pack, &html).ok());
  EXPECT_EQ(html.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(html.content(), Not(HasSubstr("<script")));
  EXPECT_THAT(html.content(), Not(HasSubstr(kSql)));
  EXPECT_THAT(html.content(), Not(HasSubstr("href")));
  const std::string escaped_html =
      "&#39;); DROP TABLE x; -- &lt;script&gt;alert(1)&lt;/script&gt; | pipe | **bold** "
      "[link](javascript:x) 业绩 Ünïcödé 🚀 «ok»";
  EXPECT_THAT(html.content(), HasSubstr(absl::StrCat("<h1>", escaped_html, "</h1>")));
  EXPECT_THAT(html.content(), HasSubstr(absl::StrCat("<title>", escaped_html, "</title>")));
  // The committee, the chair, the open item and r2 as presenter.
  EXPECT_THAT(html.content(), HasSubstr(absl::StrCat("<dd>", escaped_html, "</dd>")));
  EXPECT_THAT(html.content(), HasSubstr(absl::StrCat("<td>", escaped_html, "</td>")));

  // As Markdown: punctuation escaped, tables keep their cells, no links.
  pack.set_format(rv1::PACK_FORMAT_MARKDOWN);
  rv1::GetMeetingPackResponse md;
  ASSERT_TRUE(Call("attain.review.v1.MeetingService/GetMeetingPack", admin, pack, &md).ok());
  EXPECT_EQ(md.content_type(), "text/markdown; charset=utf-8");
  const std::string escaped_md =
      "'\\); DROP TABLE x; -- \\<script\\>alert\\(1\\)\\</script\\> \\| pipe \\| \\*\\*bold\\*\\* "
      "\\[link\\]\\(javascript:x\\) 业绩 Ünïcödé 🚀 «ok»";
  EXPECT_THAT(md.content(), HasSubstr(absl::StrCat("# ", escaped_md, "\n")));
  EXPECT_THAT(md.content(), HasSubstr(absl::StrCat("| ", escaped_md, " |")));
  EXPECT_THAT(md.content(), HasSubstr(absl::StrCat("- **Purpose:** ", escaped_md,
                                                   "<br>second line \\| with a pipe\n")));
  // Every "<" of user text is escaped (the "<br>" of a line break is the pack's own).
  for (size_t at = md.content().find('<'); at != std::string::npos;
       at = md.content().find('<', at + 1)) {
    EXPECT_TRUE(md.content().compare(at, 4, "<br>") == 0 ||
                (at > 0 && md.content()[at - 1] == '\\'))
        << "an unescaped '<' at " << at << ": " << md.content().substr(at, 20);
  }
  EXPECT_THAT(md.content(), Not(HasSubstr("](javascript")));
  EXPECT_THAT(md.content(), Not(HasSubstr(" **bold**")));
  ExpectTablesKeepTheirShape(md.content());
}

}  // namespace
}  // namespace attain
