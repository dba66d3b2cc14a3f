// Agenda benchmark (issue 5: "agenda generation for a 200-rep organisation").
//
// This program is the client (a separate process). It starts a throwaway
// PostgreSQL and Redis and the real attain-target, attain-ingest, attain-eval
// and attain-review binaries (attain-review with --fake-now 2025-05-11), then
// (not measured) creates an org of G regions × T teams × R reps (default 4 × 5
// × 10 = 200 reps), sets every rep's, team's, region's and the company's
// 2025-Q1 sales target, ingests a few orders per rep (so attainment spreads
// from 40 % to 160 %) until the relay has applied them, creates a one-indicator
// sales template assigned to the company from 2025-01, runs and finalizes the
// company's 2025-Q1 evaluation, creates a committee for the company (chair,
// secretary-general, two members) and schedules a meeting reviewing 2025-Q1
// (--minutes, default 120) on 2025-05-20.
// Measured, one call after the other, each with a new request_id and the
// meeting's current version as expected_version:
//   1. GenerateAgenda(meeting, PRESENTER_LEVEL_REP) × --runs (default 50);
//   2. GenerateAgenda(meeting, PRESENTER_LEVEL_UNIT) × --unit-runs (default 20).
// Printed: wall time per call at the client (median, p90, p99, max), the
// presenters placed and left out, and the CPU of attain-review, attain-eval
// and attain-target per call.
// Usage: review_agenda_bench [--regions 4] [--teams-per-region 5]
//   [--reps-per-team 10] [--orders-per-rep 4] [--runs 50] [--unit-runs 20]
//   [--minutes 120]
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "attain/eval/v1/scorecard_service.grpc.pb.h"
#include "attain/eval/v1/template_service.grpc.pb.h"
#include "attain/ingest/v1/ingest_service.grpc.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "attain/target/v1/target_service.grpc.pb.h"
#include "common/auth.h"
#include "common/redis.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace {

namespace ev1 = attain::eval::v1;
namespace iv1 = attain::ingest::v1;
namespace rv1 = attain::review::v1;
namespace tv1 = attain::target::v1;
namespace ty1 = attain::type::v1;

constexpr char kKey[] = "bench-signing-key-bench-signing-key-0123456789";
constexpr char kTenant[] = "bench";
constexpr char kQuarter[] = "2025-Q1";
constexpr int kQuarterDays = 90;                 // 2025-01-01 .. 2025-03-31
constexpr int64_t kRepTarget = 10000000;         // CNY 100,000.00 per rep
constexpr char kNow[] = "2025-05-11T02:00:00Z";  // 10:00 in Asia/Shanghai

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "review_agenda_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const grpc::Status& st, const std::string& what) {
  if (!st.ok()) Die(absl::StrCat(what, ": ", st.error_code(), " ", st.error_message()));
}

std::string Token(attain::Role role, const std::string& subject) {
  attain::Principal p{kTenant, subject, role, "", {}};
  return *attain::MintToken(kKey, p, absl::Now(), absl::Hours(4));
}

std::string RepId(int i) { return absl::StrFormat("rep%04d", i); }

// Rep i's attainment of the quarter, percent: 40 .. 160, spread over the reps.
int64_t AttainmentPercent(int i) { return 40 + (i * 37) % 121; }

// Order k (of `per_rep`) of rep i: the rep's sales split evenly, the last
// order taking the remainder.
iv1::Event OrderEvent(int rep, int k, int per_rep) {
  const int64_t total = kRepTarget * AttainmentPercent(rep) / 100;
  const int64_t share = total / per_rep;
  const int64_t amount = k + 1 == per_rep ? total - share * (per_rep - 1) : share;
  iv1::Event e;
  e.set_source("crm");
  const std::string id = absl::StrCat("o", rep, "-", k);
  e.set_event_id(id);
  const absl::CivilDay day = absl::CivilDay(2025, 1, 1) + (rep * 7 + k * 19) % kQuarterDays;
  const std::string date = absl::FormatCivilTime(day);
  e.set_occurred_at(date + "T10:00:00+08:00");
  iv1::Order* o = e.mutable_order();
  o->set_order_id(id);
  o->set_version(1);
  o->set_customer_id(absl::StrCat("c", rep, "-", k % 2));
  o->set_rep_id(RepId(rep));
  o->set_product_line_id("a");
  o->mutable_amount()->set_currency_code("CNY");
  o->mutable_amount()->set_minor_units(amount);
  o->mutable_gross_profit()->set_currency_code("CNY");
  o->mutable_gross_profit()->set_minor_units(amount / 4);
  o->set_status(iv1::ORDER_STATUS_SIGNED);
  o->set_signed_date(date);
  return e;
}

// CPU time (user + system) of a process so far, in seconds; -1 if it is gone.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int field = 3; field <= 15 && (fields >> f); ++field) {
    if (field == 14) utime = std::atof(f.c_str());
    if (field == 15) stime = std::atof(f.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double LoadAverage1() {
  std::ifstream in("/proc/loadavg");
  double l = -1;
  in >> l;
  return l;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int regions = 4, teams_per_region = 5, reps_per_team = 10, orders_per_rep = 4;
  int runs = 50, unit_runs = 20, minutes = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--regions")) regions = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--teams-per-region")) teams_per_region = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps-per-team")) reps_per_team = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--orders-per-rep")) orders_per_rep = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--unit-runs")) unit_runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--minutes")) minutes = std::atoi(argv[i + 1]);
  }
  if (regions < 1 || teams_per_region < 1 || reps_per_team < 1 || orders_per_rep < 1 || runs < 1 ||
      unit_runs < 1 || minutes < 1) {
    Die("usage: review_agenda_bench [--regions N] [--teams-per-region N] [--reps-per-team N] "
        "[--orders-per-rep N] [--runs N] [--unit-runs N] [--minutes N] (all >= 1)");
  }
  const int teams = regions * teams_per_region;
  const int reps = teams * reps_per_team;
  const absl::Time setup_start = absl::Now();

  // --- Set-up (not measured) ---
  attain::testing::RedisTestServer redis;
  const std::string db = attain::testing::PgTestServer::Shared().CreateDatabase("agendabench");
  auto start = [](attain::testing::ServiceProcess::Options o) {
    auto p = attain::testing::ServiceProcess::Start(std::move(o));
    if (!p.ok()) Die(p.status().ToString());
    return *std::move(p);
  };
  auto target =
      start({ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kKey, "--log-level", "warn"}, {}});
  auto ingest = start({ATTAIN_INGEST_BINARY,
                       {"--pg-url", db, "--redis-url", redis.url(), "--jwt-key", kKey,
                        "--target-addr", target->address(), "--log-level", "warn"},
                       {}});
  auto eval =
      start({ATTAIN_EVAL_BINARY,
             {"--pg-url", db, "--redis-url", redis.url(), "--jwt-key", kKey, "--target-addr",
              target->address(), "--ingest-addr", ingest->address(), "--log-level", "warn"},
             {}});
  auto review = start(
      {ATTAIN_REVIEW_BINARY,
       {"--pg-url", db, "--jwt-key", kKey, "--log-level", "warn", "--fake-now", kNow, "--time-zone",
        "Asia/Shanghai", "--eval-addr", eval->address(), "--target-addr", target->address()},
       {}});
  const std::string admin = "Bearer " + Token(attain::Role::kAdmin, "bench-admin");
  const std::string director = "Bearer " + Token(attain::Role::kDirector, "bench-dir");
  auto ctx = [](grpc::ClientContext& c, const std::string& token, int seconds) {
    c.AddMetadata("authorization", token);
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  };

  // The org: company, regions, teams, reps.
  {
    auto org = tv1::OrgService::NewStub(target->NewChannel());
    auto unit = [&](const std::string& id, const std::string& parent, tv1::OrgUnitKind kind) {
      tv1::CreateOrgUnitRequest r;
      r.set_unit_id(id);
      r.set_parent_id(parent);
      r.set_name(id);
      r.set_kind(kind);
      tv1::CreateOrgUnitResponse resp;
      grpc::ClientContext c;
      ctx(c, admin, 60);
      Check(org->CreateOrgUnit(&c, r, &resp), "CreateOrgUnit " + id);
    };
    unit("co", "", tv1::ORG_UNIT_KIND_COMPANY);
    for (int g = 0; g < regions; ++g) unit(absl::StrCat("g", g), "co", tv1::ORG_UNIT_KIND_REGION);
    for (int t = 0; t < teams; ++t) {
      unit(absl::StrCat("t", t), absl::StrCat("g", t / teams_per_region), tv1::ORG_UNIT_KIND_TEAM);
    }
    for (int i = 0; i < reps; ++i) {
      tv1::CreateRepRequest r;
      r.set_rep_id(RepId(i));
      r.set_name(absl::StrCat("Rep ", i));
      r.set_team_id(absl::StrCat("t", i / reps_per_team));
      r.set_hire_date("2020-01-01");
      tv1::CreateRepResponse resp;
      grpc::ClientContext c;
      ctx(c, admin, 60);
      Check(org->CreateRep(&c, r, &resp), "CreateRep " + RepId(i));
    }
  }

  // 2025-Q1 sales targets: every rep kRepTarget, every unit the sum of its reps'.
  {
    auto targets = tv1::TargetService::NewStub(target->NewChannel());
    tv1::BatchSetTargetsRequest req;
    req.set_request_id("agendabench-targets");
    auto add = [&](ty1::ScopeKind kind, const std::string& id, int64_t base) {
      tv1::TargetInput* t = req.add_targets();
      t->mutable_scope()->set_kind(kind);
      t->mutable_scope()->set_id(id);
      t->set_period(kQuarter);
      t->set_metric(ty1::METRIC_SALES_AMOUNT);
      t->set_base_value(base);
      t->set_currency_code("CNY");
    };
    for (int i = 0; i < reps; ++i) add(ty1::SCOPE_KIND_REP, RepId(i), kRepTarget);
    for (int t = 0; t < teams; ++t) {
      add(ty1::SCOPE_KIND_UNIT, absl::StrCat("t", t), kRepTarget * reps_per_team);
    }
    for (int g = 0; g < regions; ++g) {
      add(ty1::SCOPE_KIND_UNIT, absl::StrCat("g", g),
          kRepTarget * reps_per_team * teams_per_region);
    }
    add(ty1::SCOPE_KIND_UNIT, "co", kRepTarget * reps);
    tv1::BatchSetTargetsResponse resp;
    grpc::ClientContext c;
    ctx(c, admin, 300);
    Check(targets->BatchSetTargets(&c, req, &resp), "BatchSetTargets");
  }

  // The orders, in batches of 200, then until the relay has applied them.
  int64_t accepted = 0, other = 0;
  {
    auto stub = iv1::IngestService::NewStub(ingest->NewChannel());
    const std::string crm = "Bearer " + Token(attain::Role::kCrmIngest, "crm");
    const int orders = reps * orders_per_rep;
    for (int first = 0; first < orders; first += 200) {
      iv1::IngestBatchRequest batch;
      for (int n = first; n < std::min(orders, first + 200); ++n) {
        *batch.add_events() = OrderEvent(n / orders_per_rep, n % orders_per_rep, orders_per_rep);
      }
      iv1::IngestBatchResponse resp;
      grpc::ClientContext c;
      ctx(c, crm, 120);
      Check(stub->IngestBatch(&c, batch, &resp), "IngestBatch");
      for (const auto& o : resp.outcomes()) {
        (o.outcome() == iv1::OUTCOME_ACCEPTED ? accepted : other)++;
      }
    }
    attain::RedisClient rc(*attain::RedisClient::ParseUrl(redis.url()));
    pqxx::connection conn(db);
    pqxx::work tx(conn);
    const int64_t max_seq =
        tx.exec1("SELECT coalesce(max(seq), 0) FROM ingest.outbox")[0].as<int64_t>();
    const absl::Time deadline = absl::Now() + absl::Minutes(5);
    while (true) {
      auto r = rc.Command({"GET", "lb:applied:0"});
      if (r.ok() && r->type == attain::RedisReply::Type::kString && std::stoll(r->str) >= max_seq) {
        break;
      }
      if (absl::Now() > deadline) Die("the relay did not catch up within 5 minutes");
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

  // The template (sales against the base target), assigned to co; the
  // company's final 2025-Q1 evaluation.
  std::string evaluation_id;
  int evaluation_rows = 0;
  {
    auto templates = ev1::TemplateService::NewStub(eval->NewChannel());
    ev1::CreateTemplateRequest creq;
    creq.set_request_id("agendabench-template");
    creq.set_template_id("sales100");
    ev1::ScorecardTemplate* t = creq.mutable_template_();
    t->set_name("sales only");
    ev1::Dimension* d = t->add_dimensions();
    d->set_id("results");
    d->set_name("results");
    d->set_weight(10000);
    ev1::Indicator* ind = d->add_indicators();
    ind->set_id("sales");
    ind->set_name("sales");
    ind->set_metric(ty1::METRIC_SALES_AMOUNT);
    ind->set_target_source(ev1::TARGET_SOURCE_BASE);
    ind->set_points(10000);
    ind->mutable_linear()->set_cap_bp(20000);
    ev1::GradeBand* g = t->add_grades();
    g->set_name("needs_improvement");
    g->set_min_points(0);
    ev1::CreateTemplateResponse cresp;
    grpc::ClientContext cctx;
    ctx(cctx, admin, 60);
    Check(templates->CreateTemplate(&cctx, creq, &cresp), "CreateTemplate");
    ev1::AssignTemplateRequest areq;
    areq.set_request_id("agendabench-assign");
    areq.set_unit_id("co");
    areq.set_template_id("sales100");
    areq.set_effective_period("2025-01");
    ev1::AssignTemplateResponse aresp;
    grpc::ClientContext actx;
    ctx(actx, admin, 60);
    Check(templates->AssignTemplate(&actx, areq, &aresp), "AssignTemplate");

    auto scorecards = ev1::ScorecardService::NewStub(eval->NewChannel());
    ev1::RunEvaluationRequest run;
    run.set_unit_id("co");
    run.set_period(kQuarter);
    run.set_request_id("agendabench-run");
    ev1::RunEvaluationResponse ran;
    grpc::ClientContext rctx;
    ctx(rctx, director, 300);
    Check(scorecards->RunEvaluation(&rctx, run, &ran), "RunEvaluation");
    ev1::FinalizeEvaluationRequest fin;
    fin.set_evaluation_id(ran.evaluation().evaluation_id());
    fin.set_request_id("agendabench-finalize");
    ev1::FinalizeEvaluationResponse fresp;
    grpc::ClientContext fctx;
    ctx(fctx, director, 300);
    Check(scorecards->FinalizeEvaluation(&fctx, fin, &fresp), "FinalizeEvaluation");
    if (fresp.evaluation().state() != ev1::EVALUATION_STATE_FINAL) Die("evaluation not final");
    evaluation_id = fresp.evaluation().evaluation_id();
    evaluation_rows = fresp.evaluation().rows_size();
  }

  // The committee (unit co) and the meeting reviewing 2025-Q1.
  std::string meeting_id;
  auto committees = rv1::CommitteeService::NewStub(review->NewChannel());
  auto meetings = rv1::MeetingService::NewStub(review->NewChannel());
  {
    rv1::CreateCommitteeRequest cq;
    cq.set_request_id("agendabench-committee");
    rv1::Committee* c = cq.mutable_committee();
    c->set_committee_id("perf");
    c->set_name("Sales performance committee");
    c->set_unit_id("co");
    auto member = [&](const std::string& id, rv1::CommitteeRole role, const std::string& dept) {
      rv1::CommitteeMember* m = c->add_members();
      m->set_person_id(id);
      m->set_name(absl::StrCat("Name of ", id));
      m->set_role(role);
      m->set_department(dept);
      m->set_department_manager(true);
    };
    member("gm", rv1::COMMITTEE_ROLE_CHAIR, "management");
    member("vp", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales");
    member("mk", rv1::COMMITTEE_ROLE_MEMBER, "marketing");
    member("fin", rv1::COMMITTEE_ROLE_MEMBER, "finance");
    rv1::CreateCommitteeResponse cr;
    grpc::ClientContext cctx;
    ctx(cctx, admin, 60);
    Check(committees->CreateCommittee(&cctx, cq, &cr), "CreateCommittee");

    rv1::ScheduleMeetingRequest q;
    q.set_request_id("agendabench-meeting");
    q.set_committee_id("perf");
    q.set_title("Q1 review");
    q.set_period(kQuarter);
    q.mutable_start_time()->set_seconds(absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilSecond(2025, 5, 20, 2, 0, 0), absl::UTCTimeZone())));
    q.set_duration_minutes(minutes);
    q.set_minute_taker_id("mk");
    rv1::ScheduleMeetingResponse r;
    grpc::ClientContext mctx;
    ctx(mctx, admin, 60);
    Check(meetings->ScheduleMeeting(&mctx, q, &r), "ScheduleMeeting");
    meeting_id = r.meeting().meeting_id();
  }
  const double setup_s = absl::ToDoubleSeconds(absl::Now() - setup_start);
  std::printf(
      "review_agenda_bench: %d reps (%d regions x %d teams x %d reps), %lld orders of %s "
      "(%lld accepted, %lld other), evaluation %s final with %d rows, meeting %s of %d minutes; "
      "set-up %.1f s (not measured)\n",
      reps, regions, teams_per_region, reps_per_team, static_cast<long long>(reps) * orders_per_rep,
      kQuarter, static_cast<long long>(accepted), static_cast<long long>(other),
      evaluation_id.c_str(), evaluation_rows, meeting_id.c_str(), minutes, setup_s);
  std::fflush(stdout);

  // --- Measured: GenerateAgenda ---
  int64_t version = 0;
  auto generate = [&](rv1::PresenterLevel level, int n, const char* label) {
    // One warm-up call (connections, caches), not counted.
    std::vector<double> ms;
    rv1::Agenda last;
    const pid_t pids[] = {review->pid(), eval->pid(), target->pid()};
    double cpu_begin[3] = {0, 0, 0};
    const double load_before = LoadAverage1();
    for (int r = -1; r < n; ++r) {
      if (r == 0) {
        for (int i = 0; i < 3; ++i) cpu_begin[i] = ProcessCpuSeconds(pids[i]);
      }
      rv1::GenerateAgendaRequest q;
      q.set_request_id(
          absl::StrCat("agendabench-", label, "-", r, "-", absl::ToUnixNanos(absl::Now())));
      q.set_meeting_id(meeting_id);
      q.set_presenter_level(level);
      q.set_expected_version(version);
      rv1::GenerateAgendaResponse resp;
      grpc::ClientContext c;
      ctx(c, admin, 120);
      const absl::Time a = absl::Now();
      Check(meetings->GenerateAgenda(&c, q, &resp), absl::StrCat("GenerateAgenda ", label));
      const double t = absl::ToDoubleMilliseconds(absl::Now() - a);
      if (r >= 0) ms.push_back(t);
      version = resp.agenda().version();
      last = resp.agenda();
    }
    double cpu[3];
    for (int i = 0; i < 3; ++i) cpu[i] = (ProcessCpuSeconds(pids[i]) - cpu_begin[i]) / n * 1000;
    int placed = 0;
    for (const rv1::AgendaItem& i : last.items()) {
      placed += i.kind() == rv1::AGENDA_ITEM_KIND_PRESENTATION;
    }
    std::printf(
        "GenerateAgenda(%s) x %d, one after the other (new request_id, expected_version the "
        "current one): median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        label, n, Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99),
        Percentile(ms, 1.0));
    std::printf(
        "  agenda: %d items, %d presenters placed, %d left out, %d of %d minutes; version %lld\n",
        last.items_size(), placed, last.left_out_size(), last.total_minutes(),
        last.meeting_minutes(), static_cast<long long>(last.version()));
    std::printf(
        "  CPU per call: attain-review %.2f ms, attain-eval %.2f ms, attain-target %.2f ms; "
        "1-min load before %.2f\n",
        cpu[0], cpu[1], cpu[2], load_before);
    std::fflush(stdout);
  };
  generate(rv1::PRESENTER_LEVEL_REP, runs, "PRESENTER_LEVEL_REP");
  generate(rv1::PRESENTER_LEVEL_UNIT, unit_runs, "PRESENTER_LEVEL_UNIT");
  std::printf("machine: %ld cores\n", sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}
