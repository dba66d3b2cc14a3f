// End to end: action items (ActionItemService) over the real attain-review,
// attain-eval, attain-target and attain-ingest binaries with real PostgreSQL
// and Redis. attain-review runs with --fake-now; a test that needs another
// "today" restarts it over the same database (UseClock).
//
// Tenant "acme" (the verification tenant):
//   org: co (company) → t1 {r1, r2}. Template "sales100" (one indicator,
//   sales against the base target, linear capped at 200 %, 100 points)
//   assigned to co from 2025-01.
//   2025-Q2 targets: r1 1 000 000, r2 1 000 000, co 2 500 000 (CNY minor units).
//   2025-Q2 orders: r1 1 200 000 (05-10), r2 800 000 (06-01) → co 2 000 000.
//   The final evaluation of co for 2025-Q2 gives: r1 actual 1 200 000,
//   r2 actual 800 000, co actual 2 000 000.
//   So an item expecting r1's sales >= 1 000 000 is achieved (1 200 000 >=
//   1 000 000); r2's >= 1 000 000 is not (800 000 < 1 000 000); co's >=
//   2 500 000 is not (2 000 000 < 2 500 000).
//
// Every tenant's committee "perf" (unit co):
//   gm  chair (management, its manager)      vp  secretary-general (sales, manager)
//   mk  member (marketing, manager)          fin member (finance, manager)
//   qa  member (quality, manager)            hrm member (hr, not a manager)
// Meetings: m1 reviews 2025-Q1 on 2025-04-05 and is in progress; m2 reviews
// 2025-Q2 on 2025-07-05 (the next review: items must be due by then).
// Clocks: April 5 (items made), May 11 (overdue), July 4 (verification).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "common/auth.h"
#include "common/pg.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"

namespace attain::review {
namespace {

namespace ev1 = ::attain::eval::v1;
using ::attain::testing::Fails;
using ::attain::testing::IsOk;
using ::attain::testing::ServiceProcess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kKey[] = "e2e-review-action-signing-key-0123456789";
constexpr char kTenant[] = "acme";
// The review service's days (Asia/Shanghai, its default time zone):
constexpr char kApril5[] = "2025-04-05T02:00:00Z";  // 10:00 on 2025-04-05
constexpr char kMay11[] = "2025-05-11T02:00:00Z";   // 10:00 on 2025-05-11
constexpr char kJuly4[] = "2025-07-04T02:00:00Z";   // 10:00 on 2025-07-04, the day before m2
const int64_t kM1Start = absl::ToUnixSeconds(
    absl::FromCivil(absl::CivilSecond(2025, 4, 5, 3, 0, 0), absl::UTCTimeZone()));  // 11:00 local
const int64_t kM2Start = absl::ToUnixSeconds(
    absl::FromCivil(absl::CivilSecond(2025, 7, 5, 2, 0, 0), absl::UTCTimeZone()));  // 10:00 local

#define ASSERT_OK(expr) ASSERT_TRUE(IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(IsOk(expr))

// One caller of attain-review: a token of one tenant, subject and role.
class Api : public testing::ReviewCaller {
 public:
  using ReviewCaller::ReviewCaller;

#define RPC(stub, Service, Name)                                               \
  grpc::Status Name(const v1::Name##Request& q, v1::Name##Response* r) const { \
    return Call(stub(), &v1::Service::Stub::Name, q, r);                       \
  }
  RPC(actions, ActionItemService, CreateActionItem)
  RPC(actions, ActionItemService, GetActionItem)
  RPC(actions, ActionItemService, ListActionItems)
  RPC(actions, ActionItemService, UpdateActionItem)
  RPC(actions, ActionItemService, ChangeActionStatus)
  RPC(actions, ActionItemService, ReportProgress)
  RPC(actions, ActionItemService, ListOverdueActionItems)
  RPC(actions, ActionItemService, VerifyActionItems)
  RPC(actions, ActionItemService, GetPersonRecord)
  RPC(committees, CommitteeService, CreateCommittee)
  RPC(meetings, MeetingService, ScheduleMeeting)
  RPC(meetings, MeetingService, ChangeMeetingStatus)
#undef RPC
};

v1::CommitteeMember Member(const std::string& id, v1::CommitteeRole role,
                           const std::string& department, bool manager) {
  v1::CommitteeMember m;
  m.set_person_id(id);
  m.set_name(id);
  m.set_role(role);
  m.set_department(department);
  m.set_department_manager(manager);
  return m;
}

// A draft's request: `title` (words enough to be specific), the departments,
// due date and expected result as given; measures filled.
struct ItemSpec {
  std::string title = "call back every lapsed key account in East China";
  std::vector<std::string> departments = {"sales"};
  std::string owner;
  std::string due = "2025-06-30";
  type::v1::Metric metric = type::v1::METRIC_UNSPECIFIED;
  type::v1::ScopeKind scope_kind = type::v1::SCOPE_KIND_UNSPECIFIED;
  std::string scope_id;
  int64_t target = 0;
  std::string period;
  std::string text = "sales back to 1,000,000 by 2025-Q2";
  std::string measures = "weekly calls; a visit to each of the 20 largest accounts";
};

std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<v1::ActionItem>& items) {
  std::vector<std::string> out;
  for (const v1::ActionItem& i : items) out.push_back(i.action_id());
  return out;
}

class ReviewActionE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "review_action_e2e", kKey},
        ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    clock_ = new std::string();
    UseClock(kApril5);
    ASSERT_NE(review_, nullptr);
    SeedEvaluation();
    SeedCommittee(kTenant, &m1_, &m2_);
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
    delete stack_;
    stack_ = nullptr;
    delete clock_;
  }

  void SetUp() override {
    ASSERT_NE(stack_, nullptr);
    ASSERT_FALSE(final_evaluation_->empty()) << "seeding failed; see the first failure";
    ASSERT_FALSE(m1_->empty());
  }

  // Starts attain-review with its clock at `now` (restarting it when it runs
  // at another time), pointed at the stack's attain-eval unless `eval_addr`.
  static void UseClock(const std::string& now) {
    if (review_ != nullptr && *clock_ == now) return;
    delete review_;
    review_ = nullptr;
    absl::StatusOr<std::unique_ptr<ServiceProcess>> review = StartReview(now);
    ASSERT_TRUE(review.ok()) << review.status();
    review_ = review->release();
    *clock_ = now;
  }
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> StartReview(const std::string& now,
                                                                     const std::string& eval = "") {
    return testing::StartReview(*stack_, ATTAIN_REVIEW_BINARY, kKey, now, eval);
  }

  // A manager's token names their unit (the company).
  static std::string Token(Role role, const std::string& subject,
                           const std::string& tenant = kTenant) {
    return stack_->Token(tenant, role, subject, role == Role::kManager ? "co" : "");
  }
  static Api As(Role role, const std::string& subject, const std::string& tenant = kTenant) {
    return Api(review_->NewChannel(), Token(role, subject, tenant));
  }
  static Api Admin(const std::string& tenant = kTenant) {
    return As(Role::kAdmin, "admin", tenant);
  }
  static Api Secretary() { return As(Role::kCommitteeSecretary, "sec"); }

  // ---------------------------------------------------------------- seeding

  static void SeedEvaluation() {
    const absl::Status seeded =
        testing::SeedReviewData(*stack_, kTenant, testing::ReviewData::OneTeam());
    ASSERT_TRUE(seeded.ok()) << seeded;
    absl::StatusOr<ev1::Evaluation> evaluation =
        testing::RunAndFinalizeEvaluation(*stack_, kTenant, "co", "2025-Q2", "co-q2");
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    ASSERT_EQ(evaluation->state(), ev1::EVALUATION_STATE_FINAL);
    final_evaluation_ = new std::string(evaluation->evaluation_id());
  }

  // Committee "perf" of `tenant` with m1 (in progress) and m2 (scheduled);
  // at the April 5 clock.
  static void SeedCommittee(const std::string& tenant, std::string** m1, std::string** m2) {
    const Api admin = Admin(tenant);
    v1::CreateCommitteeRequest cq;
    v1::Committee* c = cq.mutable_committee();
    c->set_committee_id("perf");
    c->set_name("Sales performance committee");
    c->set_unit_id("co");
    *c->add_members() = Member("gm", v1::COMMITTEE_ROLE_CHAIR, "management", true);
    *c->add_members() = Member("vp", v1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales", true);
    *c->add_members() = Member("mk", v1::COMMITTEE_ROLE_MEMBER, "marketing", true);
    *c->add_members() = Member("fin", v1::COMMITTEE_ROLE_MEMBER, "finance", true);
    *c->add_members() = Member("qa", v1::COMMITTEE_ROLE_MEMBER, "quality", true);
    *c->add_members() = Member("hrm", v1::COMMITTEE_ROLE_MEMBER, "hr", false);
    v1::CreateCommitteeResponse cr;
    ASSERT_OK(admin.CreateCommittee(cq, &cr));
    for (const auto& [period, start, out] :
         std::vector<std::tuple<std::string, int64_t, std::string**>>{{"2025-Q1", kM1Start, m1},
                                                                      {"2025-Q2", kM2Start, m2}}) {
      v1::ScheduleMeetingRequest q;
      q.set_committee_id("perf");
      q.set_title(period + " review");
      q.set_period(period);
      q.mutable_start_time()->set_seconds(start);
      q.set_duration_minutes(120);
      q.set_minute_taker_id("mk");
      v1::ScheduleMeetingResponse r;
      ASSERT_OK(admin.ScheduleMeeting(q, &r));
      *out = new std::string(r.meeting().meeting_id());
    }
    v1::ChangeMeetingStatusRequest start;
    start.set_meeting_id(**m1);
    start.set_status(v1::MEETING_STATUS_IN_PROGRESS);
    v1::ChangeMeetingStatusResponse started;
    ASSERT_OK(admin.ChangeMeetingStatus(start, &started));
  }

  // ---------------------------------------------------------------- items

  static v1::CreateActionItemRequest Request(const ItemSpec& s, const std::string& meeting) {
    v1::CreateActionItemRequest q;
    v1::ActionItem* i = q.mutable_item();
    i->set_meeting_id(meeting);
    i->set_title(s.title);
    i->set_measures(s.measures);
    for (const std::string& d : s.departments) i->add_departments(d);
    i->set_owner_id(s.owner);
    i->set_due_date(s.due);
    v1::ExpectedResult* e = i->mutable_expected_result();
    e->set_text(s.text);
    e->set_metric(s.metric);
    if (s.scope_kind != type::v1::SCOPE_KIND_UNSPECIFIED) {
      e->mutable_scope()->set_kind(s.scope_kind);
      e->mutable_scope()->set_id(s.scope_id);
    }
    e->set_target_value(s.target);
    e->set_period(s.period);
    return q;
  }

  // Creates a draft (as admin) at `meeting` (m1 of acme by default).
  static v1::ActionItem Create(const ItemSpec& s, const std::string& meeting = "",
                               const Api* api = nullptr) {
    v1::CreateActionItemResponse r;
    grpc::Status st =
        (api ? *api : Admin()).CreateActionItem(Request(s, meeting.empty() ? *m1_ : meeting), &r);
    EXPECT_OK(st);
    return r.item();
  }

  static grpc::Status Change(const Api& api, const v1::ActionItem& item, v1::ActionStatus to,
                             v1::ActionItem* out = nullptr, const std::string& note = "",
                             const std::string& request_id = "") {
    v1::ChangeActionStatusRequest q;
    q.set_request_id(request_id);
    q.set_action_id(item.action_id());
    q.set_status(to);
    q.set_note(note);
    q.set_expected_version(item.version());
    v1::ChangeActionStatusResponse r;
    grpc::Status st = api.ChangeActionStatus(q, &r);
    if (out != nullptr && st.ok()) *out = r.item();
    return st;
  }

  // Moves `item` (as admin, who may make every move) along the usual path
  // to `to`: submitted, accepted, in progress, done.
  static v1::ActionItem Drive(v1::ActionItem item, v1::ActionStatus to,
                              const std::string& tenant = kTenant) {
    const Api admin = Admin(tenant);
    for (v1::ActionStatus step : {v1::ACTION_STATUS_SUBMITTED, v1::ACTION_STATUS_ACCEPTED,
                                  v1::ACTION_STATUS_IN_PROGRESS, v1::ACTION_STATUS_DONE}) {
      if (item.status() >= to || item.status() >= step) continue;
      v1::ActionItem next;
      grpc::Status st = Change(admin, item, step, &next, "on we go");
      EXPECT_OK(st) << " moving " << item.action_id() << " to " << v1::ActionStatus_Name(step);
      if (!st.ok()) return item;
      EXPECT_EQ(next.status(), step) << next.DebugString();
      item = next;
      if (step == to) break;
    }
    return item;
  }

  static v1::ActionItem Get(const std::string& id, const std::string& tenant = kTenant) {
    v1::GetActionItemRequest q;
    q.set_action_id(id);
    v1::GetActionItemResponse r;
    EXPECT_OK(Admin(tenant).GetActionItem(q, &r));
    return r.item();
  }

  static testing::IngestStack* stack_;
  static ServiceProcess* review_;
  static std::string* clock_;
  static std::string* final_evaluation_;
  static std::string* m1_;
  static std::string* m2_;
};

testing::IngestStack* ReviewActionE2eTest::stack_ = nullptr;
ServiceProcess* ReviewActionE2eTest::review_ = nullptr;
std::string* ReviewActionE2eTest::clock_ = nullptr;
std::string* ReviewActionE2eTest::final_evaluation_ = new std::string();
std::string* ReviewActionE2eTest::m1_ = new std::string();
std::string* ReviewActionE2eTest::m2_ = new std::string();

// ------------------------------------------------------------------ create

TEST_F(ReviewActionE2eTest, CreateSplitsACrossDepartmentItem) {
  UseClock(kApril5);
  ItemSpec s;
  s.departments = {"sales", "marketing", "finance"};
  v1::CreateActionItemResponse r;
  ASSERT_OK(Secretary().CreateActionItem(Request(s, *m1_), &r));
  const v1::ActionItem& parent = r.item();
  EXPECT_EQ(parent.status(), v1::ACTION_STATUS_DRAFT);
  EXPECT_EQ(parent.owner_id(), "gm");  // the chair: the general manager
  EXPECT_EQ(parent.responsible_department(), "");
  EXPECT_EQ(parent.version(), 1);
  EXPECT_EQ(parent.meeting_id(), *m1_);
  ASSERT_EQ(r.parts_size(), 3);
  EXPECT_THAT(parent.child_action_ids(),
              ElementsAre(r.parts(0).action_id(), r.parts(1).action_id(), r.parts(2).action_id()));
  const std::vector<std::pair<std::string, std::string>> want = {
      {"sales", "vp"}, {"marketing", "mk"}, {"finance", "fin"}};
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(r.parts(k).responsible_department(), want[k].first);
    EXPECT_EQ(r.parts(k).owner_id(), want[k].second);
    EXPECT_EQ(r.parts(k).parent_action_id(), parent.action_id());
    EXPECT_EQ(r.parts(k).title(), s.title);
    EXPECT_EQ(r.parts(k).due_date(), "2025-06-30");
    EXPECT_EQ(r.parts(k).status(), v1::ACTION_STATUS_DRAFT);
  }
  ASSERT_EQ(parent.history_size(), 1);
  EXPECT_EQ(parent.history(0).from(), v1::ACTION_STATUS_UNSPECIFIED);
  EXPECT_EQ(parent.history(0).to(), v1::ACTION_STATUS_DRAFT);
  EXPECT_EQ(parent.history(0).changed_by(), "sec");
  EXPECT_EQ(parent.create_time().seconds(), kM1Start - 3600);  // the fake now, 02:00Z

  // One department: its manager, or the owner named.
  s.departments = {"quality"};
  EXPECT_EQ(Create(s).owner_id(), "qa");
  s.owner = "r1";
  v1::ActionItem named = Create(s);
  EXPECT_EQ(named.owner_id(), "r1");
  EXPECT_EQ(named.responsible_department(), "quality");
  EXPECT_THAT(named.child_action_ids(), IsEmpty());

  // Refused: a split item owned by someone other than the chair; a
  // department without a manager; a department named twice; no meeting.
  s.departments = {"sales", "marketing"};
  EXPECT_TRUE(Fails(Admin().CreateActionItem(Request(s, *m1_), &r),
                    grpc::StatusCode::INVALID_ARGUMENT, {"owner_id", "general manager"}));
  s.owner = "";
  s.departments = {"hr"};
  EXPECT_TRUE(Fails(Admin().CreateActionItem(Request(s, *m1_), &r),
                    grpc::StatusCode::INVALID_ARGUMENT, {"\"hr\"", "no manager"}));
  s.departments = {"sales", "sales"};
  EXPECT_TRUE(Fails(Admin().CreateActionItem(Request(s, *m1_), &r),
                    grpc::StatusCode::INVALID_ARGUMENT, {"twice"}));
  s.departments = {"sales"};
  EXPECT_TRUE(Fails(Admin().CreateActionItem(Request(s, "mtg-nope"), &r),
                    grpc::StatusCode::NOT_FOUND, {"mtg-nope"}));
  s.due = "2025-02-30";
  EXPECT_TRUE(Fails(Admin().CreateActionItem(Request(s, *m1_), &r),
                    grpc::StatusCode::INVALID_ARGUMENT, {"item.due_date"}));
  s.due = "2025-06-30";
  s.metric = type::v1::METRIC_SALES_AMOUNT;  // a metric without a scope
  EXPECT_TRUE(Fails(Admin().CreateActionItem(Request(s, *m1_), &r),
                    grpc::StatusCode::INVALID_ARGUMENT, {"item.expected_result.scope"}));
}

// ------------------------------------------------------------- status moves

// Every status against every target: the allowed move works (as the role
// that may make it), every other is FAILED_PRECONDITION naming the allowed
// ones.
TEST_F(ReviewActionE2eTest, EveryAllowedAndRefusedTransition) {
  UseClock(kApril5);
  const std::vector<v1::ActionStatus> all = {v1::ACTION_STATUS_DRAFT,
                                             v1::ACTION_STATUS_SUBMITTED,
                                             v1::ACTION_STATUS_ACCEPTED,
                                             v1::ACTION_STATUS_RETURNED,
                                             v1::ACTION_STATUS_IN_PROGRESS,
                                             v1::ACTION_STATUS_DONE,
                                             v1::ACTION_STATUS_VERIFIED_ACHIEVED,
                                             v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED};
  const std::map<v1::ActionStatus, std::set<v1::ActionStatus>> allowed = {
      {v1::ACTION_STATUS_DRAFT, {v1::ACTION_STATUS_SUBMITTED}},
      {v1::ACTION_STATUS_SUBMITTED, {v1::ACTION_STATUS_ACCEPTED, v1::ACTION_STATUS_RETURNED}},
      {v1::ACTION_STATUS_RETURNED, {v1::ACTION_STATUS_SUBMITTED}},
      {v1::ACTION_STATUS_ACCEPTED, {v1::ACTION_STATUS_IN_PROGRESS}},
      {v1::ACTION_STATUS_IN_PROGRESS, {v1::ACTION_STATUS_DONE}},
      {v1::ACTION_STATUS_DONE,
       {v1::ACTION_STATUS_VERIFIED_ACHIEVED, v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED}},
      {v1::ACTION_STATUS_VERIFIED_ACHIEVED, {}},
      {v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED, {}}};
  const Api owner = As(Role::kManager, "vp");  // the sales item's owner
  const Api committee = Secretary();
  auto mover = [&](v1::ActionStatus to) -> const Api& {
    return to == v1::ACTION_STATUS_ACCEPTED || to == v1::ACTION_STATUS_RETURNED ||
                   to == v1::ACTION_STATUS_VERIFIED_ACHIEVED ||
                   to == v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED
               ? committee
               : owner;
  };
  // draft → submitted → returned → submitted → accepted → in_progress →
  // done → verified_achieved; and a second item ending not achieved.
  for (v1::ActionStatus last :
       {v1::ACTION_STATUS_VERIFIED_ACHIEVED, v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED}) {
    v1::ActionItem item = Create(ItemSpec{});
    const std::vector<v1::ActionStatus> path = {v1::ACTION_STATUS_SUBMITTED,
                                                v1::ACTION_STATUS_RETURNED,
                                                v1::ACTION_STATUS_SUBMITTED,
                                                v1::ACTION_STATUS_ACCEPTED,
                                                v1::ACTION_STATUS_IN_PROGRESS,
                                                v1::ACTION_STATUS_DONE,
                                                last};
    for (v1::ActionStatus next : path) {
      for (v1::ActionStatus to : all) {
        if (allowed.at(item.status()).count(to)) continue;
        SCOPED_TRACE(
            absl::StrCat(v1::ActionStatus_Name(item.status()), " -> ", v1::ActionStatus_Name(to)));
        EXPECT_TRUE(Fails(Change(Admin(), item, to, nullptr, "why not"),
                          grpc::StatusCode::FAILED_PRECONDITION, {"cannot go from"}));
      }
      v1::ActionItem moved;
      ASSERT_OK(Change(mover(next), item, next, &moved, "reason given"))
          << v1::ActionStatus_Name(item.status()) << " -> " << v1::ActionStatus_Name(next);
      EXPECT_EQ(moved.status(), next);
      EXPECT_EQ(moved.version(), item.version() + 1);
      item = moved;
    }
    for (v1::ActionStatus to : all) {
      EXPECT_TRUE(Fails(Change(Admin(), item, to, nullptr, "again"),
                        grpc::StatusCode::FAILED_PRECONDITION, {"is final"}));
    }
    // The history: the creation and every move, oldest first.
    ASSERT_EQ(item.history_size(), 8);
    EXPECT_EQ(item.history(1).from(), v1::ACTION_STATUS_DRAFT);
    EXPECT_EQ(item.history(1).to(), v1::ACTION_STATUS_SUBMITTED);
    EXPECT_EQ(item.history(1).changed_by(), "vp");
    EXPECT_EQ(item.history(2).to(), v1::ACTION_STATUS_RETURNED);
    EXPECT_EQ(item.history(2).changed_by(), "sec");
    EXPECT_EQ(item.history(2).note(), "reason given");
    EXPECT_EQ(item.history(7).to(), last);
    EXPECT_TRUE(item.has_verification());
    EXPECT_EQ(item.verification().achieved(), last == v1::ACTION_STATUS_VERIFIED_ACHIEVED);
    EXPECT_FALSE(item.verification().automatic());
    EXPECT_FALSE(item.verification().has_actual_value());
    // Accepted on April 5: the first ten-day report was due on April 15.
    EXPECT_FALSE(item.overdue());
  }

  // A stale version, a missing note, no status.
  v1::ActionItem item = Drive(Create(ItemSpec{}), v1::ACTION_STATUS_SUBMITTED);
  v1::ActionItem stale = item;
  stale.set_version(item.version() - 1);
  EXPECT_TRUE(Fails(Change(committee, stale, v1::ACTION_STATUS_ACCEPTED),
                    grpc::StatusCode::FAILED_PRECONDITION,
                    {absl::StrCat("version ", item.version())}));
  EXPECT_TRUE(Fails(Change(committee, item, v1::ACTION_STATUS_RETURNED),
                    grpc::StatusCode::INVALID_ARGUMENT, {"note"}));
  EXPECT_TRUE(Fails(Change(committee, item, v1::ACTION_STATUS_UNSPECIFIED),
                    grpc::StatusCode::INVALID_ARGUMENT, {"status"}));
  // Only a draft or a returned item is edited.
  v1::UpdateActionItemRequest edit;
  edit.mutable_item()->set_action_id(item.action_id());
  edit.mutable_item()->set_title("another title with enough words");
  edit.mutable_update_mask()->add_paths("title");
  edit.set_expected_version(item.version());
  v1::UpdateActionItemResponse edited;
  EXPECT_TRUE(Fails(owner.UpdateActionItem(edit, &edited), grpc::StatusCode::FAILED_PRECONDITION,
                    {"\"submitted\"", "cannot be edited"}));
  // Progress only in progress.
  v1::ReportProgressRequest report;
  report.set_action_id(item.action_id());
  report.mutable_report()->set_note("called 5 accounts");
  v1::ReportProgressResponse reported;
  EXPECT_TRUE(Fails(owner.ReportProgress(report, &reported), grpc::StatusCode::FAILED_PRECONDITION,
                    {"IN_PROGRESS"}));
}

TEST_F(ReviewActionE2eTest, SplitParentIsDoneWhenEveryPartIs) {
  UseClock(kApril5);
  ItemSpec s;
  s.departments = {"sales", "marketing"};
  v1::CreateActionItemResponse r;
  ASSERT_OK(Admin().CreateActionItem(Request(s, *m1_), &r));
  v1::ActionItem parent = Drive(r.item(), v1::ACTION_STATUS_IN_PROGRESS);
  v1::ActionItem sales = Drive(r.parts(0), v1::ACTION_STATUS_IN_PROGRESS);
  v1::ActionItem marketing = Drive(r.parts(1), v1::ACTION_STATUS_IN_PROGRESS);
  // The general manager cannot close the parent while a part is open.
  EXPECT_TRUE(Fails(Change(As(Role::kCommitteeMember, "gm"), parent, v1::ACTION_STATUS_DONE),
                    grpc::StatusCode::FAILED_PRECONDITION,
                    {sales.action_id(), "(sales) is IN_PROGRESS", marketing.action_id()}));
  ASSERT_OK(Change(As(Role::kManager, "vp"), sales, v1::ACTION_STATUS_DONE, &sales));
  EXPECT_EQ(Get(parent.action_id()).status(), v1::ACTION_STATUS_IN_PROGRESS);
  ASSERT_OK(Change(As(Role::kManager, "mk"), marketing, v1::ACTION_STATUS_DONE, &marketing));
  parent = Get(parent.action_id());
  EXPECT_EQ(parent.status(), v1::ACTION_STATUS_DONE);
  const v1::StatusChange& last = parent.history(parent.history_size() - 1);
  EXPECT_EQ(last.from(), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(last.to(), v1::ACTION_STATUS_DONE);
  EXPECT_EQ(last.changed_by(), "attain-review");
  EXPECT_THAT(last.note(), HasSubstr("every department's part is done"));
}

// ------------------------------------------------------------------- SMART

TEST_F(ReviewActionE2eTest, SubmissionFailingSmartIsReturnedWithEveryReason) {
  UseClock(kApril5);
  ItemSpec s;
  s.title = "Fix it";    // 2 words: not specific
  s.measures = "";       // no measures: not specific
  s.text = "do better";  // no metric, no number: not measurable
  s.due = "2025-07-31";  // after the next review on 2025-07-05
  v1::ActionItem item = Create(s);
  const Api owner = As(Role::kManager, "vp");
  v1::ActionItem returned;
  ASSERT_OK(Change(owner, item, v1::ACTION_STATUS_SUBMITTED, &returned));
  EXPECT_EQ(returned.status(), v1::ACTION_STATUS_RETURNED);
  ASSERT_EQ(returned.history_size(), 3);
  EXPECT_EQ(returned.history(1).to(), v1::ACTION_STATUS_SUBMITTED);
  EXPECT_EQ(returned.history(1).changed_by(), "vp");
  const v1::StatusChange& back = returned.history(2);
  EXPECT_EQ(back.from(), v1::ACTION_STATUS_SUBMITTED);
  EXPECT_EQ(back.to(), v1::ACTION_STATUS_RETURNED);
  EXPECT_EQ(back.changed_by(), "attain-review");
  std::vector<std::pair<std::string, std::string>> got;
  for (const v1::SmartFailure& f : back.smart_failures()) got.push_back({f.criterion(), f.field()});
  EXPECT_THAT(
      got, ElementsAre(std::make_pair("specific", "title"), std::make_pair("specific", "measures"),
                       std::make_pair("measurable", "expected_result"),
                       std::make_pair("time_bound", "due_date")));
  EXPECT_THAT(back.smart_failures(0).message(), HasSubstr("has 2 words"));
  EXPECT_THAT(back.smart_failures(3).message(), HasSubstr("2025-07-05"));

  // The owner fixes it (a returned item is editable) and submits again.
  v1::UpdateActionItemRequest edit;
  v1::ActionItem* in = edit.mutable_item();
  in->set_action_id(item.action_id());
  in->set_title("visit the 20 largest lapsed accounts in East China");
  in->set_measures("two visits a week");
  in->set_due_date("2025-06-30");
  in->mutable_expected_result()->set_text("10 of them order again by 2025-Q2");
  for (const char* p : {"title", "measures", "due_date", "expected_result"}) {
    edit.mutable_update_mask()->add_paths(p);
  }
  edit.set_expected_version(returned.version());
  v1::UpdateActionItemResponse edited;
  EXPECT_TRUE(Fails(As(Role::kCommitteeMember, "mk").UpdateActionItem(edit, &edited),
                    grpc::StatusCode::PERMISSION_DENIED, {"owner"}));
  ASSERT_OK(owner.UpdateActionItem(edit, &edited));
  EXPECT_EQ(edited.item().version(), returned.version() + 1);
  EXPECT_EQ(edited.item().title(), in->title());
  v1::ActionItem submitted;
  ASSERT_OK(Change(owner, edited.item(), v1::ACTION_STATUS_SUBMITTED, &submitted));
  EXPECT_EQ(submitted.status(), v1::ACTION_STATUS_SUBMITTED);

  // Realistic and time-bound with a metric: a target of 0 and a due date
  // before today (2025-04-05).
  ItemSpec m;
  m.metric = type::v1::METRIC_SALES_AMOUNT;
  m.scope_kind = type::v1::SCOPE_KIND_REP;
  m.scope_id = "r1";
  m.target = 0;
  m.period = "2025-Q2";
  m.due = "2025-04-04";
  v1::ActionItem metric_item = Create(m);
  ASSERT_OK(Change(owner, metric_item, v1::ACTION_STATUS_SUBMITTED, &returned));
  EXPECT_EQ(returned.status(), v1::ACTION_STATUS_RETURNED);
  got.clear();
  for (const v1::SmartFailure& f : returned.history(2).smart_failures()) {
    got.push_back({f.criterion(), f.field()});
  }
  EXPECT_THAT(got, ElementsAre(std::make_pair("realistic", "expected_result.target_value"),
                               std::make_pair("time_bound", "due_date")));
  EXPECT_THAT(returned.history(2).smart_failures(1).message(),
              HasSubstr("before today 2025-04-05"));
}

// ---------------------------------------------------------------- overdue

// Tenant "late-co": items made on April 5, listed on May 11 (today).
//   due-today      accepted, due 05-11               not overdue
//   due-yesterday  accepted, due 05-10               1 day overdue
//   done-early     done, due 05-01                   finished: not listed
//   report-late    in progress since 04-05 (accepted then: report due
//                  04-15), due 06-30                 report 26 days late
//   draft-late     draft of rep r9, due 04-20        21 days overdue
// Most overdue first: report-late (late since 04-15), draft-late (04-20),
// due-yesterday (05-10).
TEST_F(ReviewActionE2eTest, OverdueListAsOfTheFakeToday) {
  UseClock(kApril5);
  const std::string tenant = "late-co";
  std::string* m1 = nullptr;
  std::string* m2 = nullptr;
  SeedCommittee(tenant, &m1, &m2);
  ASSERT_NE(m1, nullptr);
  const Api admin = Admin(tenant);
  auto make = [&](const std::string& due, const std::string& department = "quality",
                  const std::string& owner = "") {
    ItemSpec s;
    s.due = due;
    s.departments = {department};
    s.owner = owner;
    v1::CreateActionItemResponse r;
    EXPECT_OK(admin.CreateActionItem(Request(s, *m1), &r));
    return r.item();
  };
  const v1::ActionItem due_today = Drive(make("2025-05-11"), v1::ACTION_STATUS_ACCEPTED, tenant);
  const v1::ActionItem due_yesterday =
      Drive(make("2025-05-10", "sales"), v1::ACTION_STATUS_ACCEPTED, tenant);
  const v1::ActionItem done_early = Drive(make("2025-05-01"), v1::ACTION_STATUS_DONE, tenant);
  const v1::ActionItem report_late =
      Drive(make("2025-06-30"), v1::ACTION_STATUS_IN_PROGRESS, tenant);
  EXPECT_EQ(report_late.progress_due_date(), "2025-04-15");
  const v1::ActionItem draft_late = make("2025-04-20", "quality", "r9");
  delete m1;
  delete m2;

  UseClock(kMay11);
  v1::ListOverdueActionItemsRequest q;
  v1::ListOverdueActionItemsResponse r;
  ASSERT_OK(As(Role::kDirector, "dir", tenant).ListOverdueActionItems(q, &r));
  EXPECT_EQ(r.as_of_date(), "2025-05-11");
  std::vector<std::tuple<std::string, int, int>> rows;
  for (const v1::OverdueActionItem& o : r.items()) {
    rows.emplace_back(o.item().action_id(), o.days_overdue(), o.progress_days_late());
  }
  EXPECT_THAT(rows, ElementsAre(std::make_tuple(report_late.action_id(), 0, 26),
                                std::make_tuple(draft_late.action_id(), 21, 0),
                                std::make_tuple(due_yesterday.action_id(), 1, 0)));
  EXPECT_TRUE(r.next_page_token().empty());
  EXPECT_FALSE(r.items(0).item().overdue());  // only its report is late
  EXPECT_TRUE(r.items(1).item().overdue());
  EXPECT_EQ(r.items(0).item().progress_due_date(), "2025-04-15");
  (void)due_today;
  (void)done_early;

  // Page by page.
  q.set_page_size(2);
  ASSERT_OK(As(Role::kHr, "hr", tenant).ListOverdueActionItems(q, &r));
  ASSERT_EQ(r.items_size(), 2);
  ASSERT_FALSE(r.next_page_token().empty());
  q.set_page_token(r.next_page_token());
  v1::ListOverdueActionItemsResponse page2;
  ASSERT_OK(As(Role::kHr, "hr", tenant).ListOverdueActionItems(q, &page2));
  ASSERT_EQ(page2.items_size(), 1);
  EXPECT_EQ(page2.items(0).item().action_id(), due_yesterday.action_id());
  // A token from another listing is refused.
  q.set_department("sales");
  EXPECT_TRUE(Fails(As(Role::kHr, "hr", tenant).ListOverdueActionItems(q, &page2),
                    grpc::StatusCode::INVALID_ARGUMENT, {"page_token"}));
  q.clear_page_token();
  q.clear_page_size();
  ASSERT_OK(As(Role::kHr, "hr", tenant).ListOverdueActionItems(q, &r));
  ASSERT_EQ(r.items_size(), 1);
  EXPECT_EQ(r.items(0).item().action_id(), due_yesterday.action_id());

  // A rep sees only their own.
  q.clear_department();
  ASSERT_OK(As(Role::kRep, "r9", tenant).ListOverdueActionItems(q, &r));
  ASSERT_EQ(r.items_size(), 1);
  EXPECT_EQ(r.items(0).item().action_id(), draft_late.action_id());

  // A progress report today (owner qa) puts the late report right: due 05-21.
  v1::ReportProgressRequest report;
  report.set_action_id(report_late.action_id());
  report.mutable_report()->set_value(120);
  report.mutable_report()->set_done_bp(4000);
  report.mutable_report()->set_note("8 of 20 accounts visited");
  v1::ReportProgressResponse reported;
  ASSERT_OK(As(Role::kManager, "qa", tenant).ReportProgress(report, &reported));
  EXPECT_EQ(reported.item().progress_due_date(), "2025-05-21");
  ASSERT_EQ(reported.item().progress_size(), 1);
  EXPECT_EQ(reported.item().progress(0).as_of_date(), "2025-05-11");
  EXPECT_EQ(reported.item().progress(0).value(), 120);
  EXPECT_EQ(reported.item().progress(0).reported_by(), "qa");
  ASSERT_OK(As(Role::kDirector, "dir", tenant).ListOverdueActionItems(q, &r));
  rows.clear();
  for (const v1::OverdueActionItem& o : r.items()) {
    rows.emplace_back(o.item().action_id(), o.days_overdue(), o.progress_days_late());
  }
  EXPECT_THAT(rows, ElementsAre(std::make_tuple(draft_late.action_id(), 21, 0),
                                std::make_tuple(due_yesterday.action_id(), 1, 0)));
  // A report from the future, or before the last one, is refused.
  report.mutable_report()->set_as_of_date("2025-05-12");
  EXPECT_TRUE(Fails(As(Role::kManager, "qa", tenant).ReportProgress(report, &reported),
                    grpc::StatusCode::INVALID_ARGUMENT, {"after today 2025-05-11"}));
  report.mutable_report()->set_as_of_date("2025-05-01");
  EXPECT_TRUE(Fails(As(Role::kManager, "qa", tenant).ReportProgress(report, &reported),
                    grpc::StatusCode::INVALID_ARGUMENT, {"before the last report"}));

  // The person record of r9 counts the overdue item.
  v1::GetPersonRecordRequest pr;
  pr.set_person_id("r9");
  v1::GetPersonRecordResponse record;
  ASSERT_OK(As(Role::kRep, "r9", tenant).GetPersonRecord(pr, &record));
  EXPECT_THAT(Ids(record.action_items()), ElementsAre(draft_late.action_id()));
  EXPECT_EQ(record.overdue_count(), 1);
}

// ------------------------------------------------------------ verification

// Items of m1 verified at m2 against the final evaluation of co for 2025-Q2.
TEST_F(ReviewActionE2eTest, VerifiesMetricItemsAgainstTheFinalEvaluation) {
  UseClock(kApril5);
  auto metric_item = [](type::v1::Metric metric, type::v1::ScopeKind kind, const std::string& id,
                        int64_t target, const std::string& period = "2025-Q2") {
    ItemSpec s;
    s.metric = metric;
    s.scope_kind = kind;
    s.scope_id = id;
    s.target = target;
    s.period = period;
    return s;
  };
  using type::v1::METRIC_COLLECTION_RATE;
  using type::v1::METRIC_SALES_AMOUNT;
  using type::v1::SCOPE_KIND_REP;
  using type::v1::SCOPE_KIND_UNIT;
  const v1::ActionItem r1_sales =
      Drive(Create(metric_item(METRIC_SALES_AMOUNT, SCOPE_KIND_REP, "r1", 1000000)),
            v1::ACTION_STATUS_DONE);
  const v1::ActionItem r2_sales =
      Drive(Create(metric_item(METRIC_SALES_AMOUNT, SCOPE_KIND_REP, "r2", 1000000)),
            v1::ACTION_STATUS_DONE);
  const v1::ActionItem co_sales =
      Drive(Create(metric_item(METRIC_SALES_AMOUNT, SCOPE_KIND_UNIT, "co", 2500000)),
            v1::ACTION_STATUS_IN_PROGRESS);  // due 06-30: closed at the verification
  const v1::ActionItem words = Drive(Create(ItemSpec{}), v1::ACTION_STATUS_DONE);
  const v1::ActionItem collection =
      Drive(Create(metric_item(METRIC_COLLECTION_RATE, SCOPE_KIND_REP, "r1", 9000)),
            v1::ACTION_STATUS_DONE);
  const v1::ActionItem q3 =
      Drive(Create(metric_item(METRIC_SALES_AMOUNT, SCOPE_KIND_REP, "r1", 1000000, "2025-Q3")),
            v1::ACTION_STATUS_DONE);
  ItemSpec later = metric_item(METRIC_SALES_AMOUNT, SCOPE_KIND_REP, "r1", 1000000);
  later.due = "2025-07-05";
  const v1::ActionItem not_due = Drive(Create(later), v1::ACTION_STATUS_IN_PROGRESS);
  const v1::ActionItem accepted = Drive(Create(ItemSpec{}), v1::ACTION_STATUS_ACCEPTED);
  // An item of m2 itself is not reviewed at m2.
  const v1::ActionItem own = Drive(Create(ItemSpec{}, *m2_), v1::ACTION_STATUS_DONE);

  UseClock(kJuly4);
  v1::VerifyActionItemsRequest q;
  q.set_request_id("verify-m2");
  q.set_meeting_id(*m2_);
  v1::VerifyActionItemsResponse r;

  // attain-eval unreachable: UNAVAILABLE and nothing changes.
  {
    absl::StatusOr<std::unique_ptr<ServiceProcess>> cut =
        StartReview(kJuly4, absl::StrCat("127.0.0.1:", testing::FreePort()));
    ASSERT_TRUE(cut.ok()) << cut.status();
    Api cut_api((*cut)->NewChannel(), Token(Role::kCommitteeSecretary, "sec"));
    EXPECT_TRUE(
        Fails(cut_api.VerifyActionItems(q, &r), grpc::StatusCode::UNAVAILABLE, {"attain-eval"}));
    EXPECT_EQ(Get(r1_sales.action_id()).status(), v1::ACTION_STATUS_DONE);
    EXPECT_EQ(Get(r1_sales.action_id()).version(), r1_sales.version());
    EXPECT_EQ(Get(co_sales.action_id()).status(), v1::ACTION_STATUS_IN_PROGRESS);
  }

  // Refused: not the committee; a meeting that is not open.
  EXPECT_TRUE(Fails(As(Role::kDirector, "dir").VerifyActionItems(q, &r),
                    grpc::StatusCode::PERMISSION_DENIED));
  v1::VerifyActionItemsRequest closed = q;
  closed.set_request_id("verify-m1");
  closed.set_meeting_id(*m1_);  // in progress: allowed, but it has no earlier meetings
  v1::VerifyActionItemsResponse none;
  ASSERT_OK(Secretary().VerifyActionItems(closed, &none));
  EXPECT_THAT(none.items(), IsEmpty());

  ASSERT_OK(Secretary().VerifyActionItems(q, &r));
  std::map<std::string, v1::VerifiedItem> by_id;
  std::vector<std::string> order;
  for (const v1::VerifiedItem& v : r.items()) {
    by_id[v.item().action_id()] = v;
    order.push_back(v.item().action_id());
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(by_id.count(own.action_id()), 0u);

  // r1: 1 200 000 >= 1 000 000: achieved.
  const v1::VerifiedItem& a = by_id[r1_sales.action_id()];
  EXPECT_TRUE(a.verified());
  EXPECT_EQ(a.left_reason(), "");
  EXPECT_EQ(a.item().status(), v1::ACTION_STATUS_VERIFIED_ACHIEVED);
  EXPECT_TRUE(a.item().verification().achieved());
  EXPECT_EQ(a.item().verification().actual_value(), 1200000);
  EXPECT_EQ(a.item().verification().evaluation_id(), *final_evaluation_);
  EXPECT_EQ(a.item().verification().meeting_id(), *m2_);
  EXPECT_TRUE(a.item().verification().automatic());
  const v1::StatusChange& a_last = a.item().history(a.item().history_size() - 1);
  EXPECT_EQ(a_last.changed_by(), "attain-review");
  EXPECT_THAT(a_last.note(), HasSubstr("actual 12,000.00 against the expected at least 10,000.00"));
  EXPECT_THAT(a_last.note(), HasSubstr(*final_evaluation_));

  // r2: 800 000 < 1 000 000: not achieved.
  const v1::VerifiedItem& b = by_id[r2_sales.action_id()];
  EXPECT_TRUE(b.verified());
  EXPECT_EQ(b.item().status(), v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED);
  EXPECT_FALSE(b.item().verification().achieved());
  EXPECT_EQ(b.item().verification().actual_value(), 800000);

  // co: 2 000 000 < 2 500 000: not achieved; it was in progress and due, so
  // it was closed first.
  const v1::VerifiedItem& c = by_id[co_sales.action_id()];
  EXPECT_TRUE(c.verified());
  EXPECT_EQ(c.item().status(), v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED);
  EXPECT_EQ(c.item().verification().actual_value(), 2000000);
  const int n = c.item().history_size();
  ASSERT_GE(n, 2);
  EXPECT_EQ(c.item().history(n - 2).from(), v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_EQ(c.item().history(n - 2).to(), v1::ACTION_STATUS_DONE);
  EXPECT_EQ(c.item().history(n - 1).to(), v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED);

  // Left for the committee, each with its reason.
  const std::vector<std::pair<v1::ActionItem, std::string>> left = {
      {words, "not a metric"},
      {collection, "collection_rate is not on the scorecard"},
      {q3, "no final evaluation of unit co for 2025-Q3"},
      {not_due, "not due until 2025-07-05"},
      {accepted, "status ACCEPTED"}};
  for (const auto& [item, reason] : left) {
    const v1::VerifiedItem& v = by_id[item.action_id()];
    EXPECT_FALSE(v.verified()) << item.action_id();
    EXPECT_THAT(v.left_reason(), HasSubstr(reason));
    EXPECT_EQ(v.item().status(), item.status());
    EXPECT_EQ(v.item().version(), item.version());
  }

  // The same request again: the first answer, nothing changed.
  v1::VerifyActionItemsResponse again;
  ASSERT_OK(Secretary().VerifyActionItems(q, &again));
  EXPECT_EQ(again.SerializeAsString(), r.SerializeAsString());
  EXPECT_EQ(Get(r1_sales.action_id()).version(), a.item().version());
  v1::VerifyActionItemsRequest other = q;
  other.set_meeting_id(*m1_);
  EXPECT_TRUE(Fails(Secretary().VerifyActionItems(other, &again), grpc::StatusCode::ALREADY_EXISTS,
                    {"verify-m2"}));
  // A fresh run: nothing left to verify automatically; the verified ones are
  // no longer open.
  q.set_request_id("verify-m2-again");
  ASSERT_OK(Secretary().VerifyActionItems(q, &again));
  for (const v1::VerifiedItem& v : again.items()) {
    EXPECT_FALSE(v.verified()) << v.item().action_id();
    EXPECT_NE(v.item().action_id(), r1_sales.action_id());
  }

  // The committee judges the words item.
  v1::ActionItem judged;
  ASSERT_OK(Change(As(Role::kCommitteeMember, "vp"), Get(words.action_id()),
                   v1::ACTION_STATUS_VERIFIED_ACHIEVED, &judged, "12 accounts ordered again"));
  EXPECT_FALSE(judged.verification().automatic());

  // The owner vp's record: achieved 2 (r1's sales, the words item), not
  // achieved 2 (r2's, co's).
  v1::GetPersonRecordRequest pr;
  pr.set_person_id("vp");
  v1::GetPersonRecordResponse record;
  ASSERT_OK(As(Role::kHr, "hr").GetPersonRecord(pr, &record));
  int achieved = 0;
  int not_achieved = 0;
  for (const v1::ActionItem& i : record.action_items()) {
    achieved += i.status() == v1::ACTION_STATUS_VERIFIED_ACHIEVED;
    not_achieved += i.status() == v1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED;
  }
  EXPECT_GE(record.achieved_count(), 2);
  EXPECT_EQ(record.achieved_count(), achieved);
  EXPECT_EQ(record.not_achieved_count(), not_achieved);
  EXPECT_GE(not_achieved, 2);
}

// ------------------------------------------------------------------ roles

// Who may call what, on items of their tenant. The item under test is
// finance's (owner fin, a manager token); rep r7 owns one item of their own.
TEST_F(ReviewActionE2eTest, RolesAndRpcs) {
  UseClock(kApril5);
  ItemSpec fin_spec;
  fin_spec.departments = {"finance"};
  ItemSpec rep_spec;
  rep_spec.owner = "r7";
  const v1::ActionItem rep_item = Create(rep_spec);

  const Api admin = Admin();
  const Api sec = Secretary();
  const Api chair = As(Role::kCommitteeMember, "gm");
  const Api sg = As(Role::kCommitteeMember, "vp");
  const Api member = As(Role::kCommitteeMember, "mk");
  const Api owner = As(Role::kManager, "fin");
  const Api director = As(Role::kDirector, "dir");
  const Api hr = As(Role::kHr, "hr");
  const Api rep = As(Role::kRep, "r7");
  const Api other_manager = As(Role::kManager, "boss2");
  const Api finance = As(Role::kFinance, "fin-clerk");
  const Api crm = As(Role::kCrmIngest, "crm");
  const Api foreign = Admin("globex");

  using C = grpc::StatusCode;
  struct Row {
    std::string who;
    const Api* api;
    C create, get, update, submit, accept, start, done, verify, progress, person;
  };
  const C OK = C::OK, PD = C::PERMISSION_DENIED, NF = C::NOT_FOUND;
  const std::vector<Row> rows = {
      //  who          api          create get  update submit accept start done verify progress
      //  person
      {"admin", &admin, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK},
      {"secretary", &sec, OK, OK, PD, PD, OK, PD, PD, OK, PD, PD},
      {"chair", &chair, OK, OK, PD, PD, OK, PD, PD, OK, PD, PD},
      {"secretary-general", &sg, OK, OK, PD, PD, OK, PD, PD, OK, PD, PD},
      {"member", &member, PD, OK, PD, PD, PD, PD, PD, PD, PD, PD},
      {"owner", &owner, PD, OK, OK, OK, PD, OK, OK, PD, OK, OK},
      {"director", &director, PD, OK, PD, PD, PD, PD, PD, PD, PD, OK},
      {"hr", &hr, PD, OK, PD, PD, PD, PD, PD, PD, PD, OK},
      {"rep", &rep, PD, PD, PD, PD, PD, PD, PD, PD, PD, PD},
      {"other manager", &other_manager, PD, PD, PD, PD, PD, PD, PD, PD, PD, PD},
      {"finance", &finance, PD, PD, PD, PD, PD, PD, PD, PD, PD, PD},
      {"crm-ingest", &crm, PD, PD, PD, PD, PD, PD, PD, PD, PD, PD},
      {"foreign tenant", &foreign, NF, NF, NF, NF, NF, NF, NF, NF, NF, OK},
  };
  auto expect = [](const grpc::Status& st, C want, const std::string& what) {
    if (want == C::OK) {
      EXPECT_OK(st) << what;
    } else {
      EXPECT_TRUE(Fails(st, want)) << what;
    }
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.who);
    const Api& api = *row.api;
    v1::CreateActionItemResponse created;
    expect(api.CreateActionItem(Request(fin_spec, *m1_), &created), row.create, "create");

    const v1::ActionItem draft = Create(fin_spec);
    EXPECT_EQ(draft.owner_id(), "fin");
    v1::GetActionItemRequest get;
    get.set_action_id(draft.action_id());
    v1::GetActionItemResponse got;
    expect(api.GetActionItem(get, &got), row.get, "get");

    v1::UpdateActionItemRequest edit;
    edit.mutable_item()->set_action_id(draft.action_id());
    edit.mutable_item()->set_resources("training budget 5,000");
    edit.mutable_update_mask()->add_paths("resources");
    edit.set_expected_version(draft.version());
    v1::UpdateActionItemResponse edited;
    expect(api.UpdateActionItem(edit, &edited), row.update, "update");

    expect(Change(api, Get(draft.action_id()), v1::ACTION_STATUS_SUBMITTED), row.submit, "submit");
    const v1::ActionItem submitted = Drive(Get(draft.action_id()), v1::ACTION_STATUS_SUBMITTED);
    expect(Change(api, submitted, v1::ACTION_STATUS_ACCEPTED), row.accept, "accept");
    const v1::ActionItem accepted = Drive(Get(draft.action_id()), v1::ACTION_STATUS_ACCEPTED);
    expect(Change(api, accepted, v1::ACTION_STATUS_IN_PROGRESS), row.start, "start");
    const v1::ActionItem started = Drive(Get(draft.action_id()), v1::ACTION_STATUS_IN_PROGRESS);
    v1::ReportProgressRequest report;
    report.set_action_id(draft.action_id());
    report.mutable_report()->set_done_bp(5000);
    report.mutable_report()->set_note("half the invoices chased");
    v1::ReportProgressResponse reported;
    expect(api.ReportProgress(report, &reported), row.progress, "progress");
    expect(Change(api, Get(draft.action_id()), v1::ACTION_STATUS_DONE), row.done, "done");
    const v1::ActionItem done = Drive(Get(draft.action_id()), v1::ACTION_STATUS_DONE);
    expect(Change(api, done, v1::ACTION_STATUS_VERIFIED_ACHIEVED, nullptr, "well done"), row.verify,
           "verify");
    (void)started;

    v1::GetPersonRecordRequest pr;
    pr.set_person_id("fin");
    v1::GetPersonRecordResponse record;
    expect(api.GetPersonRecord(pr, &record), row.person, "person record");
    if (row.api == &foreign) {
      EXPECT_THAT(record.action_items(), IsEmpty());
    }
  }

  // A rep lists only their own items, and may not ask for another's.
  v1::ListActionItemsRequest list;
  list.set_meeting_id(*m1_);
  v1::ListActionItemsResponse listed;
  ASSERT_OK(rep.ListActionItems(list, &listed));
  EXPECT_THAT(Ids(listed.items()), ElementsAre(rep_item.action_id()));
  v1::GetActionItemRequest get;
  get.set_action_id(rep_item.action_id());
  v1::GetActionItemResponse got;
  EXPECT_OK(rep.GetActionItem(get, &got));
  list.set_owner_id("fin");
  EXPECT_TRUE(Fails(rep.ListActionItems(list, &listed), C::PERMISSION_DENIED));
  // Director sees everyone's; the foreign tenant nothing.
  ASSERT_OK(director.ListActionItems(list, &listed));
  EXPECT_GE(listed.items_size(), 13);
  for (const v1::ActionItem& i : listed.items()) EXPECT_EQ(i.owner_id(), "fin");
  list.clear_owner_id();
  ASSERT_OK(foreign.ListActionItems(list, &listed));
  EXPECT_THAT(listed.items(), IsEmpty());
  // Overdue and verification by role.
  v1::ListOverdueActionItemsRequest overdue;
  v1::ListOverdueActionItemsResponse late;
  EXPECT_OK(rep.ListOverdueActionItems(overdue, &late));
  EXPECT_TRUE(Fails(crm.ListOverdueActionItems(overdue, &late), C::PERMISSION_DENIED));
  v1::VerifyActionItemsRequest verify;
  verify.set_meeting_id(*m1_);
  v1::VerifyActionItemsResponse verified;
  EXPECT_OK(chair.VerifyActionItems(verify, &verified));
  EXPECT_TRUE(Fails(member.VerifyActionItems(verify, &verified), C::PERMISSION_DENIED));
  EXPECT_TRUE(Fails(owner.VerifyActionItems(verify, &verified), C::PERMISSION_DENIED));
  EXPECT_TRUE(Fails(foreign.VerifyActionItems(verify, &verified), C::NOT_FOUND));
}

// ---------------------------------------------------------- person record

// The review outcomes come from the meetings' agendas and reports (written
// here the way the agenda RPCs store them): r1 presented at m1, 800 000
// against a plan of 1 000 000 (gap -200 000, 80.00 %), with a report.
TEST_F(ReviewActionE2eTest, PersonRecordShowsPresentations) {
  UseClock(kApril5);
  PgPool::Options options;
  options.url = stack_->db_url();
  options.size = 1;
  absl::StatusOr<std::unique_ptr<PgPool>> pool = PgPool::Create(options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::Status st = (*pool)->InTransaction([&](pqxx::work& txn) -> absl::Status {
    txn.exec_params(
        "INSERT INTO review.agendas (tenant_id, meeting_id, evaluation_id, presenter_level, "
        "total_minutes, meeting_minutes, create_time, created_by) "
        "VALUES ($1, $2, 'ev-q1', 'rep', 10, 120, now(), 'sec')",
        kTenant, *m1_);
    txn.exec_params(
        "INSERT INTO review.agenda_items (tenant_id, meeting_id, item_id, position, kind, title, "
        "presenter_kind, presenter_id, presenter_name, metric, target, actual, gap, "
        "attainment_bp, currency_code, minutes, start_offset_minutes) VALUES ($1, $2, 'item-1', "
        "1, 'presentation', 'r1', 'rep', 'r1', 'R1', 'sales_amount', 1000000, 800000, -200000, "
        "8000, 'CNY', 10, 0)",
        kTenant, *m1_);
    txn.exec_params(
        "INSERT INTO review.reports (tenant_id, report_id, meeting_id, agenda_item_id, "
        "presenter_kind, presenter_id, metric, target, actual, gap, attainment_bp, "
        "currency_code, status, version, create_time, created_by, update_time) VALUES ($1, "
        "'rpt-r1', $2, 'item-1', 'rep', 'r1', 'sales_amount', 1000000, 800000, -200000, 8000, "
        "'CNY', 'draft', 1, now(), 'r1', now())",
        kTenant, *m1_);
    return absl::OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st;

  v1::GetPersonRecordRequest q;
  q.set_person_id("r1");
  v1::GetPersonRecordResponse r;
  ASSERT_OK(As(Role::kRep, "r1").GetPersonRecord(q, &r));  // their own
  ASSERT_EQ(r.outcomes_size(), 1);
  const v1::ReviewOutcome& o = r.outcomes(0);
  EXPECT_EQ(o.meeting_id(), *m1_);
  EXPECT_EQ(o.period(), "2025-Q1");
  EXPECT_EQ(o.start_time().seconds(), kM1Start);
  EXPECT_EQ(o.report_id(), "rpt-r1");
  EXPECT_EQ(o.deviation().metric(), type::v1::METRIC_SALES_AMOUNT);
  EXPECT_EQ(o.deviation().target(), 1000000);
  EXPECT_EQ(o.deviation().actual(), 800000);
  EXPECT_EQ(o.deviation().gap(), -200000);
  EXPECT_EQ(o.deviation().attainment_bp(), 8000);
  EXPECT_EQ(o.deviation().currency_code(), "CNY");
  ASSERT_OK(As(Role::kDirector, "dir").GetPersonRecord(q, &r));
  EXPECT_TRUE(Fails(As(Role::kRep, "r2").GetPersonRecord(q, &r),
                    grpc::StatusCode::PERMISSION_DENIED, {"own record"}));

  // An item answering that report starts from its figure: a target of
  // 1 700 000 is +112.50 % over 800 000, more than the +100 % the SMART
  // check allows in one step.
  ItemSpec s;
  s.metric = type::v1::METRIC_SALES_AMOUNT;
  s.scope_kind = type::v1::SCOPE_KIND_REP;
  s.scope_id = "r1";
  s.target = 1700000;
  s.period = "2025-Q2";
  v1::CreateActionItemRequest cq = Request(s, *m1_);
  cq.mutable_item()->set_report_id("rpt-r1");
  v1::CreateActionItemResponse created;
  ASSERT_OK(Admin().CreateActionItem(cq, &created));
  EXPECT_EQ(created.item().report_id(), "rpt-r1");
  v1::ActionItem returned;
  ASSERT_OK(
      Change(As(Role::kManager, "vp"), created.item(), v1::ACTION_STATUS_SUBMITTED, &returned));
  EXPECT_EQ(returned.status(), v1::ACTION_STATUS_RETURNED);
  ASSERT_EQ(returned.history(2).smart_failures_size(), 1);
  EXPECT_EQ(returned.history(2).smart_failures(0).criterion(), "realistic");
  EXPECT_THAT(returned.history(2).smart_failures(0).message(), HasSubstr("+112.50 %"));
  // 1 600 000 is +100.00 %: within the bound.
  v1::UpdateActionItemRequest edit;
  edit.mutable_item()->set_action_id(returned.action_id());
  *edit.mutable_item()->mutable_expected_result() = returned.expected_result();
  edit.mutable_item()->mutable_expected_result()->set_target_value(1600000);
  edit.mutable_update_mask()->add_paths("expected_result");
  edit.set_expected_version(returned.version());
  v1::UpdateActionItemResponse edited;
  ASSERT_OK(As(Role::kManager, "vp").UpdateActionItem(edit, &edited));
  v1::ActionItem submitted;
  ASSERT_OK(
      Change(As(Role::kManager, "vp"), edited.item(), v1::ACTION_STATUS_SUBMITTED, &submitted));
  EXPECT_EQ(submitted.status(), v1::ACTION_STATUS_SUBMITTED);
  // A report of another meeting is refused.
  cq.mutable_item()->set_meeting_id(*m2_);
  EXPECT_TRUE(Fails(Admin().CreateActionItem(cq, &created), grpc::StatusCode::INVALID_ARGUMENT,
                    {"rpt-r1"}));
}

// ------------------------------------------------------------ request ids

TEST_F(ReviewActionE2eTest, RequestIdReplaysTheFirstAnswer) {
  UseClock(kApril5);
  ItemSpec s;
  s.title = "replayed item with a unique title for this test";
  v1::CreateActionItemRequest q = Request(s, *m1_);
  q.set_request_id("create-replayed");
  v1::CreateActionItemResponse first, second;
  ASSERT_OK(Admin().CreateActionItem(q, &first));
  ASSERT_OK(Admin().CreateActionItem(q, &second));
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  v1::ListActionItemsRequest list;
  list.set_meeting_id(*m1_);
  list.set_page_size(1000);
  v1::ListActionItemsResponse listed;
  ASSERT_OK(Admin().ListActionItems(list, &listed));
  int copies = 0;
  for (const v1::ActionItem& i : listed.items()) copies += i.title() == s.title;
  EXPECT_EQ(copies, 1);
  q.mutable_item()->set_title("something else entirely here");
  EXPECT_TRUE(Fails(Admin().CreateActionItem(q, &second), grpc::StatusCode::ALREADY_EXISTS,
                    {"create-replayed"}));

  // A status change replayed: the same answer, the version moved once.
  v1::ActionItem moved, again;
  ASSERT_OK(Change(As(Role::kManager, "vp"), first.item(), v1::ACTION_STATUS_SUBMITTED, &moved, "",
                   "submit-replayed"));
  ASSERT_OK(Change(As(Role::kManager, "vp"), first.item(), v1::ACTION_STATUS_SUBMITTED, &again, "",
                   "submit-replayed"));
  EXPECT_EQ(moved.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(Get(first.item().action_id()).version(), first.item().version() + 1);
  EXPECT_EQ(Get(first.item().action_id()).history_size(), 2);
}

}  // namespace
}  // namespace attain::review
