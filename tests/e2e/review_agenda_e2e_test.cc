// End to end: the agenda, report and pack RPCs of MeetingService over the
// real attain-review, attain-eval, attain-target and attain-ingest binaries
// with real PostgreSQL and Redis. attain-review runs with --fake-now
// 2025-05-11 10:00 (Asia/Shanghai).
//
// Tenant "acme":
//   org: co (company) → t1 {r1, r2, r3}, t2 {r4}. Template "sales100" (sales
//   against the base target) assigned to co from 2025-01.
//   2025-Q2 targets (CNY minor units): r1..r4 1 000 000 each, t1 3 000 000,
//   t2 1 000 000, co 4 000 000.
//   2025-Q2 orders: r1 1 200 000, r2 800 000, r3 500 000, r4 950 000.
//   So attainment: r1 12000 bp, r2 8000, r3 5000, r4 9500; t1 2 500 000 /
//   3 000 000 = 8333 bp, t2 9500 bp, co 3 450 000 / 4 000 000 = 8625 bp.
//   Deviation order (|10000 − bp|): r3 (5000), r1 (2000) and r2 (2000, tie
//   broken by |gap| 200 000 = 200 000, then id), r4 (500).
//
// Committee "perf" (unit co): gm chair, vp secretary-general, mk, fin
// members. m0 reviews 2025-Q1 (starts 2025-05-12) and has one open action
// item due 2025-04-30 (11 days overdue on 05-11); m1 reviews 2025-Q2 (starts
// 2025-07-05), 60 minutes, so its previous meeting is m0.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "attain/eval/v1/scorecard_service.pb.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "common/auth.h"
#include "tests/support/ingest_stack.h"
#include "tests/support/review_stack.h"

namespace attain::review {
namespace {

namespace ev1 = ::attain::eval::v1;
using ::attain::testing::Fails;
using ::attain::testing::IsOk;
using ::attain::testing::ServiceProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "e2e-review-agenda-signing-key-0123456789";
constexpr char kTenant[] = "acme";
constexpr char kNow[] = "2025-05-11T02:00:00Z";  // 10:00 on 2025-05-11 in Asia/Shanghai
constexpr char kScript[] = "<script>alert(1)</script>";
constexpr char kDrop[] = "'; DROP TABLE x;--";

int64_t UnixAt(int y, int mo, int d, int h) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, 0, 0), absl::UTCTimeZone()));
}

#define ASSERT_OK(expr) ASSERT_TRUE(IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(IsOk(expr))

class Api : public testing::ReviewCaller {
 public:
  using ReviewCaller::ReviewCaller;

#define RPC(stub, Service, Name)                                               \
  grpc::Status Name(const v1::Name##Request& q, v1::Name##Response* r) const { \
    return Call(stub(), &v1::Service::Stub::Name, q, r);                       \
  }
  RPC(actions, ActionItemService, CreateActionItem)
  RPC(committees, CommitteeService, CreateCommittee)
  RPC(meetings, MeetingService, ScheduleMeeting)
  RPC(meetings, MeetingService, ChangeMeetingStatus)
  RPC(meetings, MeetingService, GenerateAgenda)
  RPC(meetings, MeetingService, GetAgenda)
  RPC(meetings, MeetingService, UpdateAgendaItem)
  RPC(meetings, MeetingService, CreateReport)
  RPC(meetings, MeetingService, GetReport)
  RPC(meetings, MeetingService, ListReports)
  RPC(meetings, MeetingService, PutCause)
  RPC(meetings, MeetingService, SubmitReport)
  RPC(meetings, MeetingService, GetMeetingPack)
#undef RPC
};

v1::CommitteeMember Member(const std::string& id, v1::CommitteeRole role,
                           const std::string& department) {
  v1::CommitteeMember m;
  m.set_person_id(id);
  m.set_name(absl::StrCat("Name of ", id));
  m.set_role(role);
  m.set_department(department);
  m.set_department_manager(true);
  return m;
}

struct Row {
  std::string kind;
  std::string presenter;
  int minutes;
  int offset;
};

std::vector<Row> Rows(const v1::Agenda& a) {
  std::vector<Row> out;
  for (const v1::AgendaItem& i : a.items()) {
    out.push_back({v1::AgendaItemKind_Name(i.kind()), i.presenter().id(), i.minutes(),
                   i.start_offset_minutes()});
  }
  return out;
}

std::string Describe(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& r : rows) {
    absl::StrAppend(&out, r.kind, ":", r.presenter, ":", r.minutes, "@", r.offset, " ");
  }
  return out;
}

class ReviewAgendaE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<testing::IngestStack>> stack = testing::IngestStack::Start(
        {ATTAIN_TARGET_BINARY, ATTAIN_INGEST_BINARY, "review_agenda_e2e", kKey},
        ATTAIN_EVAL_BINARY);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();
    absl::StatusOr<std::unique_ptr<ServiceProcess>> review = StartReview(stack_->eval().address());
    ASSERT_TRUE(review.ok()) << review.status();
    review_ = review->release();
    SeedEvaluation();
  }
  static void TearDownTestSuite() {
    delete review_;
    review_ = nullptr;
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(stack_, nullptr);
    ASSERT_FALSE(evaluation_id_.empty()) << "seeding failed; see the first failure";
  }

  static absl::StatusOr<std::unique_ptr<ServiceProcess>> StartReview(const std::string& eval) {
    return testing::StartReview(*stack_, ATTAIN_REVIEW_BINARY, kKey, kNow, eval);
  }

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

  static void SeedEvaluation() {
    const absl::Status seeded =
        testing::SeedReviewData(*stack_, kTenant, testing::ReviewData::TwoTeams());
    ASSERT_TRUE(seeded.ok()) << seeded;
    absl::StatusOr<ev1::Evaluation> evaluation =
        testing::RunAndFinalizeEvaluation(*stack_, kTenant, "co", "2025-Q2", "co-q2");
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    ASSERT_EQ(evaluation->state(), ev1::EVALUATION_STATE_FINAL);
    evaluation_id_ = evaluation->evaluation_id();
    for (const ev1::Scorecard& row : evaluation->rows()) {
      for (const ev1::DimensionRow& dim : row.dimensions()) {
        for (const ev1::IndicatorRow& ind : dim.indicators()) {
          eval_rows_[row.subject().id()] = ind;
        }
      }
    }
  }

  struct Meetings {
    std::string m0, m1;
  };

  // Committee `id` (unit co) with m0 (2025-Q1, one open action item due
  // 2025-04-30) and m1 (2025-Q2, 60 minutes, titled `title`).
  static Meetings SeedCommittee(const std::string& id, const std::string& title = "Q2 review",
                                const std::string& tenant = kTenant) {
    Meetings out;
    const Api admin = Admin(tenant);
    v1::CreateCommitteeRequest cq;
    v1::Committee* c = cq.mutable_committee();
    c->set_committee_id(id);
    c->set_name("Sales performance committee");
    c->set_unit_id("co");
    *c->add_members() = Member("gm", v1::COMMITTEE_ROLE_CHAIR, "management");
    *c->add_members() = Member("vp", v1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales");
    *c->add_members() = Member("mk", v1::COMMITTEE_ROLE_MEMBER, "marketing");
    *c->add_members() = Member("fin", v1::COMMITTEE_ROLE_MEMBER, "finance");
    v1::CreateCommitteeResponse cr;
    EXPECT_OK(admin.CreateCommittee(cq, &cr));
    for (const auto& [period, start, minutes, t, dest] :
         std::vector<std::tuple<std::string, int64_t, int, std::string, std::string*>>{
             {"2025-Q1", UnixAt(2025, 5, 12, 2), 90, "Q1 review", &out.m0},
             {"2025-Q2", UnixAt(2025, 7, 5, 2), 60, title, &out.m1}}) {
      v1::ScheduleMeetingRequest q;
      q.set_committee_id(id);
      q.set_title(t);
      q.set_period(period);
      q.mutable_start_time()->set_seconds(start);
      q.set_duration_minutes(minutes);
      q.set_minute_taker_id("mk");
      v1::ScheduleMeetingResponse r;
      EXPECT_OK(admin.ScheduleMeeting(q, &r));
      *dest = r.meeting().meeting_id();
    }
    v1::CreateActionItemRequest aq;
    v1::ActionItem* i = aq.mutable_item();
    i->set_meeting_id(out.m0);
    i->set_title(absl::StrCat(kScript, " call back every lapsed key account"));
    i->set_measures("weekly calls; a visit to each of the 20 largest accounts");
    i->add_departments("sales");
    i->set_owner_id("vp");
    i->set_due_date("2025-04-30");
    i->mutable_expected_result()->set_text("sales back to 1,000,000 by 2025-Q2");
    v1::CreateActionItemResponse ar;
    EXPECT_OK(admin.CreateActionItem(aq, &ar));
    return out;
  }

  static v1::Agenda Generate(const std::string& meeting, int max_presenters = 0,
                             int64_t expected_version = 0) {
    v1::GenerateAgendaRequest q;
    q.set_meeting_id(meeting);
    q.set_max_presenters(max_presenters);
    q.set_expected_version(expected_version);
    v1::GenerateAgendaResponse r;
    EXPECT_OK(Admin().GenerateAgenda(q, &r));
    return r.agenda();
  }

  static inline testing::IngestStack* stack_ = nullptr;
  static inline ServiceProcess* review_ = nullptr;
  static inline std::string evaluation_id_;
  static inline std::map<std::string, ev1::IndicatorRow> eval_rows_;
};

TEST_F(ReviewAgendaE2eTest, AgendaFromFinalEvaluationOrderedByDeviation) {
  const Meetings m = SeedCommittee("perf-agenda");
  // 60 minutes: previous review 10 + free discussion 15 + spare 5 = 30
  // fixed; 30 left for 4 presenters: 7 each, the remainder 2 to the two
  // largest deviations (r3, r1) → 8, 8, 7, 7.
  v1::Agenda a = Generate(m.m1);
  EXPECT_EQ(a.evaluation_id(), evaluation_id_);
  EXPECT_EQ(a.total_minutes(), 60);
  EXPECT_EQ(a.meeting_minutes(), 60);
  EXPECT_EQ(a.version(), 2);
  EXPECT_EQ(Describe(Rows(a)),
            "AGENDA_ITEM_KIND_PREVIOUS_ACTIONS::10@0 AGENDA_ITEM_KIND_PRESENTATION:r3:8@10 "
            "AGENDA_ITEM_KIND_PRESENTATION:r1:8@18 AGENDA_ITEM_KIND_PRESENTATION:r2:7@26 "
            "AGENDA_ITEM_KIND_PRESENTATION:r4:7@33 AGENDA_ITEM_KIND_FREE_DISCUSSION::15@40 "
            "AGENDA_ITEM_KIND_SPARE::5@55 ");
  const v1::Deviation& r3 = a.items(1).deviation();
  EXPECT_EQ(r3.target(), 1000000);
  EXPECT_EQ(r3.actual(), 500000);
  EXPECT_EQ(r3.gap(), -500000);
  EXPECT_EQ(r3.attainment_bp(), 5000);
  EXPECT_EQ(r3.metric(), type::v1::METRIC_SALES_AMOUNT);
  EXPECT_EQ(r3.currency_code(), "CNY");  // the currency of r3's sales target
  EXPECT_TRUE(a.left_out().empty());

  // Regenerated with at most 3 presenters: r4 (smallest deviation) left out;
  // 30 minutes for 3 → 10 each.
  a = Generate(m.m1, 3, 2);
  EXPECT_EQ(a.version(), 3);
  EXPECT_EQ(Describe(Rows(a)),
            "AGENDA_ITEM_KIND_PREVIOUS_ACTIONS::10@0 AGENDA_ITEM_KIND_PRESENTATION:r3:10@10 "
            "AGENDA_ITEM_KIND_PRESENTATION:r1:10@20 AGENDA_ITEM_KIND_PRESENTATION:r2:10@30 "
            "AGENDA_ITEM_KIND_FREE_DISCUSSION::15@40 AGENDA_ITEM_KIND_SPARE::5@55 ");
  ASSERT_EQ(a.left_out_size(), 1);
  EXPECT_EQ(a.left_out(0).presenter().id(), "r4");
  EXPECT_EQ(a.left_out(0).deviation().attainment_bp(), 9500);
  EXPECT_THAT(a.left_out(0).reason(), HasSubstr("max_presenters"));

  // A stale version is refused and changes nothing.
  v1::GenerateAgendaRequest stale;
  stale.set_meeting_id(m.m1);
  stale.set_expected_version(2);
  v1::GenerateAgendaResponse ignored;
  EXPECT_TRUE(Fails(Admin().GenerateAgenda(stale, &ignored), grpc::StatusCode::FAILED_PRECONDITION,
                    {"version 3", "version 2"}));

  // An edit that overflows the meeting: r3 10 → 11 makes 61 minutes.
  v1::UpdateAgendaItemRequest up;
  up.set_meeting_id(m.m1);
  up.set_item_id("item-2");
  up.set_minutes(11);
  up.set_expected_version(3);
  v1::UpdateAgendaItemResponse ur;
  EXPECT_TRUE(Fails(Admin().UpdateAgendaItem(up, &ur), grpc::StatusCode::FAILED_PRECONDITION,
                    {"61 minutes", "1 more than the meeting's 60"}));
  // Spare 5 → 4, then r3 10 → 11: 60 again.
  v1::UpdateAgendaItemRequest spare;
  spare.set_meeting_id(m.m1);
  spare.set_item_id("item-6");
  spare.set_minutes(4);
  spare.set_expected_version(3);
  ASSERT_OK(Admin().UpdateAgendaItem(spare, &ur));
  EXPECT_EQ(ur.agenda().total_minutes(), 59);
  up.set_expected_version(4);
  ASSERT_OK(Admin().UpdateAgendaItem(up, &ur));
  // r2 (item-4) to position 2: offsets recomputed.
  v1::UpdateAgendaItemRequest move;
  move.set_meeting_id(m.m1);
  move.set_item_id("item-4");
  move.set_position(2);
  move.set_expected_version(5);
  ASSERT_OK(Admin().UpdateAgendaItem(move, &ur));
  EXPECT_EQ(Describe(Rows(ur.agenda())),
            "AGENDA_ITEM_KIND_PREVIOUS_ACTIONS::10@0 AGENDA_ITEM_KIND_PRESENTATION:r2:10@10 "
            "AGENDA_ITEM_KIND_PRESENTATION:r3:11@20 AGENDA_ITEM_KIND_PRESENTATION:r1:10@31 "
            "AGENDA_ITEM_KIND_FREE_DISCUSSION::15@41 AGENDA_ITEM_KIND_SPARE::4@56 ");
  EXPECT_EQ(ur.agenda().version(), 6);
  // The previous-actions review stays first.
  move.set_position(1);
  move.set_expected_version(6);
  EXPECT_TRUE(Fails(Admin().UpdateAgendaItem(move, &ur), grpc::StatusCode::FAILED_PRECONDITION,
                    {"stays first"}));
  v1::GetAgendaRequest gq;
  gq.set_meeting_id(m.m1);
  v1::GetAgendaResponse gr;
  ASSERT_OK(As(Role::kCommitteeMember, "fin").GetAgenda(gq, &gr));
  EXPECT_EQ(gr.agenda().version(), 6);
  EXPECT_EQ(gr.agenda().items(1).presenter().id(), "r2");
  // A plain member may not manage the agenda.
  move.set_position(3);
  EXPECT_TRUE(Fails(As(Role::kCommitteeMember, "fin").UpdateAgendaItem(move, &ur),
                    grpc::StatusCode::PERMISSION_DENIED));
}

TEST_F(ReviewAgendaE2eTest, UnitPresentersFromChildUnits) {
  const Meetings m = SeedCommittee("perf-units");
  v1::GenerateAgendaRequest q;
  q.set_meeting_id(m.m1);
  q.set_presenter_level(v1::PRESENTER_LEVEL_UNIT);
  q.set_below_plan_only(true);
  v1::GenerateAgendaResponse r;
  ASSERT_OK(Admin().GenerateAgenda(q, &r));
  // t1 2 500 000 / 3 000 000 = 8333 bp, t2 9500 bp: t1 first; 30 minutes
  // for 2 → 15 each (the cap).
  EXPECT_EQ(Describe(Rows(r.agenda())),
            "AGENDA_ITEM_KIND_PREVIOUS_ACTIONS::10@0 AGENDA_ITEM_KIND_PRESENTATION:t1:15@10 "
            "AGENDA_ITEM_KIND_PRESENTATION:t2:15@25 AGENDA_ITEM_KIND_FREE_DISCUSSION::15@40 "
            "AGENDA_ITEM_KIND_SPARE::5@55 ");
  EXPECT_EQ(r.agenda().items(1).deviation().attainment_bp(), 8333);
  EXPECT_EQ(r.agenda().items(1).deviation().gap(), -500000);
}

TEST_F(ReviewAgendaE2eTest, EvalDownIsUnavailableAndChangesNothing) {
  const Meetings m = SeedCommittee("perf-down");
  absl::StatusOr<std::unique_ptr<ServiceProcess>> down = StartReview("127.0.0.1:1");
  ASSERT_TRUE(down.ok()) << down.status();
  Api api((*down)->NewChannel(), Token(Role::kAdmin, "admin"));
  v1::GenerateAgendaRequest q;
  q.set_meeting_id(m.m1);
  v1::GenerateAgendaResponse r;
  EXPECT_TRUE(Fails(api.GenerateAgenda(q, &r), grpc::StatusCode::UNAVAILABLE, {"attain-eval"}));
  v1::GetAgendaRequest gq;
  gq.set_meeting_id(m.m1);
  v1::GetAgendaResponse gr;
  EXPECT_TRUE(Fails(Admin().GetAgenda(gq, &gr), grpc::StatusCode::NOT_FOUND));

  // A retry of an agenda generated while attain-eval answered gets that
  // answer without it; a new request still needs it.
  v1::GenerateAgendaRequest once;
  once.set_meeting_id(m.m1);
  once.set_request_id("agenda-perf-down");
  v1::GenerateAgendaResponse first;
  ASSERT_OK(Admin().GenerateAgenda(once, &first));
  ASSERT_GT(first.agenda().items_size(), 0);
  v1::GenerateAgendaResponse again;
  ASSERT_OK(api.GenerateAgenda(once, &again));
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  once.set_request_id("agenda-perf-down-2");
  EXPECT_TRUE(Fails(api.GenerateAgenda(once, &r), grpc::StatusCode::UNAVAILABLE, {"attain-eval"}));
}

TEST_F(ReviewAgendaE2eTest, ReportsThreeStepsRolesAndReadOnly) {
  const Meetings m = SeedCommittee("perf-reports");
  v1::Agenda a = Generate(m.m1);
  // item-4 is r2's presentation.
  ASSERT_EQ(a.items(3).presenter().id(), "r2");
  v1::CreateReportRequest cq;
  cq.set_meeting_id(m.m1);
  cq.set_agenda_item_id("item-4");
  v1::CreateReportResponse cr;
  // Another rep may not write r2's report; the presenter may.
  EXPECT_TRUE(Fails(As(Role::kRep, "r1").CreateReport(cq, &cr), grpc::StatusCode::PERMISSION_DENIED,
                    {"r1"}));
  ASSERT_OK(As(Role::kRep, "r2").CreateReport(cq, &cr));
  const v1::Report& rep = cr.report();
  // Step 1 is the evaluation's row for r2.
  EXPECT_EQ(rep.deviation().target(), 1000000);
  EXPECT_EQ(rep.deviation().actual(), 800000);
  EXPECT_EQ(rep.deviation().gap(), -200000);
  EXPECT_EQ(rep.deviation().attainment_bp(), 8000);
  EXPECT_EQ(rep.deviation().target(), eval_rows_["r2"].target());
  EXPECT_EQ(rep.deviation().actual(), eval_rows_["r2"].actual());
  EXPECT_EQ(rep.deviation().attainment_bp(), eval_rows_["r2"].attainment_bp());
  EXPECT_EQ(rep.status(), v1::REPORT_STATUS_DRAFT);
  EXPECT_EQ(rep.version(), 1);

  auto put = [&](const Api& api, const v1::Cause& cause, int64_t version,
                 v1::PutCauseResponse* out) {
    v1::PutCauseRequest q;
    q.set_report_id(rep.report_id());
    *q.mutable_cause() = cause;
    q.set_expected_version(version);
    return api.PutCause(q, out);
  };
  v1::Cause c1;
  c1.set_cause_id("c1");
  c1.set_description(kDrop);
  c1.set_kind(v1::CAUSE_KIND_INTERNAL);
  v1::Cause c2;
  c2.set_cause_id("c2");
  c2.set_description("a key customer's budget freeze");
  c2.set_kind(v1::CAUSE_KIND_EXTERNAL);
  c2.set_impact(-50000);
  v1::PutCauseResponse pr;
  ASSERT_OK(put(As(Role::kRep, "r2"), c1, 1, &pr));
  ASSERT_OK(put(As(Role::kCommitteeMember, "fin"), c2, 2, &pr));
  EXPECT_TRUE(Fails(put(As(Role::kRep, "r1"), c2, 3, &pr), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(Fails(put(Admin(), c2, 2, &pr), grpc::StatusCode::FAILED_PRECONDITION,
                    {"version 3", "version 2"}));
  v1::Cause too_many = c2;
  for (int i = 0; i < 11; ++i) too_many.add_five_whys("why?");
  EXPECT_TRUE(Fails(put(Admin(), too_many, 3, &pr), grpc::StatusCode::INVALID_ARGUMENT,
                    {"cause.five_whys", "at most 10"}));
  v1::Cause bad_id = c2;
  bad_id.set_cause_id("bad id");
  EXPECT_TRUE(
      Fails(put(Admin(), bad_id, 3, &pr), grpc::StatusCode::INVALID_ARGUMENT, {"cause.cause_id"}));

  // Every gap is listed: c1 unquantified and without a proposal, c2 without
  // a resource request.
  v1::SubmitReportRequest sq;
  sq.set_report_id(rep.report_id());
  sq.set_expected_version(3);
  v1::SubmitReportResponse sr;
  EXPECT_TRUE(Fails(As(Role::kRep, "r2").SubmitReport(sq, &sr),
                    grpc::StatusCode::FAILED_PRECONDITION,
                    {"3 gap(s)", "cause \"c1\" is not quantified",
                     "internal cause \"c1\" has no "
                     "improvement proposal",
                     "external cause \"c2\" has no resource request"}));
  c1.set_impact(-150000);
  c1.set_improvement_proposal("weekly pipeline review with the team lead");
  c1.add_five_whys("deals slipped");
  c1.add_five_whys("no follow-up after quotes");
  ASSERT_OK(put(As(Role::kRep, "r2"), c1, 3, &pr));
  c2.mutable_resource_request()->set_description("training budget");
  c2.mutable_resource_request()->set_amount(500000);
  c2.mutable_resource_request()->set_currency_code("CNY");
  ASSERT_OK(put(As(Role::kRep, "r2"), c2, 4, &pr));
  EXPECT_EQ(pr.report().explained_impact(), -200000);  // -150 000 + -50 000
  EXPECT_EQ(pr.report().causes(0).description(), kDrop);
  EXPECT_EQ(pr.report().causes(0).five_whys_size(), 2);
  sq.set_expected_version(5);
  ASSERT_OK(As(Role::kRep, "r2").SubmitReport(sq, &sr));
  EXPECT_EQ(sr.report().status(), v1::REPORT_STATUS_SUBMITTED);
  EXPECT_EQ(sr.report().version(), 6);

  // Reads: the presenter, members; another tenant sees nothing.
  v1::GetReportRequest gq;
  gq.set_report_id(rep.report_id());
  v1::GetReportResponse gr;
  EXPECT_OK(As(Role::kRep, "r2").GetReport(gq, &gr));
  EXPECT_TRUE(Fails(As(Role::kRep, "r1").GetReport(gq, &gr), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(Fails(Admin("globex").GetReport(gq, &gr), grpc::StatusCode::NOT_FOUND));
  // A second report (r3, item-2) lists before r2's: agenda order.
  cq.set_agenda_item_id("item-2");
  ASSERT_OK(As(Role::kCommitteeMember, "mk").CreateReport(cq, &cr));
  v1::ListReportsRequest lq;
  lq.set_meeting_id(m.m1);
  v1::ListReportsResponse lr;
  ASSERT_OK(As(Role::kCommitteeMember, "gm").ListReports(lq, &lr));
  ASSERT_EQ(lr.reports_size(), 2);
  EXPECT_EQ(lr.reports(0).presenter().id(), "r3");
  EXPECT_EQ(lr.reports(1).presenter().id(), "r2");
  // The agenda cannot be regenerated under reports.
  v1::GenerateAgendaRequest again;
  again.set_meeting_id(m.m1);
  v1::GenerateAgendaResponse ignored;
  EXPECT_TRUE(Fails(Admin().GenerateAgenda(again, &ignored), grpc::StatusCode::FAILED_PRECONDITION,
                    {"2 report(s)"}));

  // Closed: agenda and reports are read-only.
  for (v1::MeetingStatus s : {v1::MEETING_STATUS_IN_PROGRESS, v1::MEETING_STATUS_CLOSED}) {
    v1::ChangeMeetingStatusRequest q;
    q.set_meeting_id(m.m1);
    q.set_status(s);
    v1::ChangeMeetingStatusResponse r;
    ASSERT_OK(Admin().ChangeMeetingStatus(q, &r));
  }
  v1::GetAgendaRequest agq;
  agq.set_meeting_id(m.m1);
  v1::GetAgendaResponse agr;
  ASSERT_OK(Admin().GetAgenda(agq, &agr));
  v1::UpdateAgendaItemRequest up;
  up.set_meeting_id(m.m1);
  up.set_item_id("item-7");
  up.set_minutes(1);
  up.set_expected_version(agr.agenda().version());
  v1::UpdateAgendaItemResponse ur;
  EXPECT_TRUE(Fails(Admin().UpdateAgendaItem(up, &ur), grpc::StatusCode::FAILED_PRECONDITION,
                    {"CLOSED", "read-only"}));
  EXPECT_TRUE(Fails(put(Admin(), c2, 6, &pr), grpc::StatusCode::FAILED_PRECONDITION,
                    {"CLOSED", "read-only"}));
  cq.set_agenda_item_id("item-3");
  EXPECT_TRUE(
      Fails(Admin().CreateReport(cq, &cr), grpc::StatusCode::FAILED_PRECONDITION, {"CLOSED"}));
}

TEST_F(ReviewAgendaE2eTest, MeetingPackHtmlAndMarkdownEscapeUserText) {
  const std::string hostile = absl::StrCat(kScript, " ", kDrop);
  const Meetings m = SeedCommittee("perf-pack", hostile);
  Generate(m.m1);
  v1::GetMeetingPackRequest q;
  q.set_meeting_id(m.m1);
  q.set_trend_periods(3);
  v1::GetMeetingPackResponse r;
  ASSERT_OK(As(Role::kCommitteeMember, "fin").GetMeetingPack(q, &r));
  EXPECT_EQ(r.content_type(), "text/html; charset=utf-8");
  const std::string& html = r.content();
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, Not(HasSubstr(kScript)));
  EXPECT_THAT(html, Not(HasSubstr(kDrop)));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&#39;; DROP TABLE x;--"));
  // Agenda rows and deviation numbers: r3 5 000.00 of 10 000.00, 50.00 %.
  EXPECT_THAT(html, HasSubstr("r3"));
  EXPECT_THAT(html, HasSubstr("CNY 10,000.00"));
  EXPECT_THAT(html, HasSubstr("CNY 5,000.00"));
  EXPECT_THAT(html, HasSubstr("50.00 %"));
  EXPECT_THAT(html, HasSubstr("-5,000.00"));
  // Attainment by unit: t1 83.33 %, t2 95.00 %; the trend's 2025-Q2 86.25 %.
  EXPECT_THAT(html, HasSubstr("83.33 %"));
  EXPECT_THAT(html, HasSubstr("95.00 %"));
  EXPECT_THAT(html, HasSubstr("86.25 %"));
  EXPECT_THAT(html, HasSubstr("2025-Q1"));
  // m0's open item, 11 days overdue on 2025-05-11 (due 2025-04-30).
  EXPECT_THAT(html, HasSubstr("call back every lapsed key account"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"overdue\">"));
  EXPECT_THAT(html, HasSubstr(">11<"));

  q.set_format(v1::PACK_FORMAT_MARKDOWN);
  ASSERT_OK(Admin().GetMeetingPack(q, &r));
  EXPECT_EQ(r.content_type(), "text/markdown; charset=utf-8");
  EXPECT_THAT(r.content(), Not(HasSubstr(kScript)));
  EXPECT_THAT(r.content(), HasSubstr("\\<script\\>"));
  EXPECT_THAT(r.content(), HasSubstr("CNY 10,000.00"));
  EXPECT_THAT(r.content(), HasSubstr("| 11 |"));

  // A rep not invited may not read the pack.
  EXPECT_TRUE(
      Fails(As(Role::kRep, "r1").GetMeetingPack(q, &r), grpc::StatusCode::PERMISSION_DENIED));
}

}  // namespace
}  // namespace attain::review
