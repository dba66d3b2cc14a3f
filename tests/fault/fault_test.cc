// The fault suite: the four services (attain-target, -ingest, -eval, -review)
// over real PostgreSQL and Redis under a steady write and read load from a
// separate process (attain-fault-load, tests/fault/load_client.cc), through
// one fault per test, in this order:
//
//   SIGKILL + restart of attain-ingest, attain-target, attain-eval and
//   attain-review (each on its own port, so clients reconnect);
//   a PostgreSQL restart (immediate shutdown, crash recovery);
//   Redis stopped for 30 s, then started again empty.
//
// Around each fault the load runs until every kind of call has succeeded
// again after it (a bounded wait: a service that does not recover fails the
// test), then the load stops and the whole tenant is checked, cumulatively
// over every test so far:
//
//  * every event the load saw acknowledged is in ingest.events, no event was
//    ACCEPTED twice (a resend after an acknowledgement is a DUPLICATE), and
//    ingest.rollup_daily holds exactly the sums of the events stored (each
//    counted once, in its rep's team and region), with one new customer per
//    distinct customer;
//  * every leaderboard in Redis equals its recomputation from the rollups
//    (polled until the relay has caught up or rebuilt, bounded), and there
//    are no others;
//  * every acknowledged minutes entry and action item exists, exactly one
//    record per request_id, and the same answer (sequence, action id) for
//    every acknowledgement of a request_id;
//  * the load saw only transient errors (UNAVAILABLE, DEADLINE_EXCEEDED,
//    ABORTED, RESOURCE_EXHAUSTED), never a wrong answer.
//
// The tests share one stack and run in declaration order; a test after a
// failed one may fail for the earlier one's reason. Needs a local PostgreSQL
// (skipped with ATTAIN_TEST_PG_URL, which cannot be restarted).
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "attain/ingest/v1/events.pb.h"
#include "attain/review/v1/committee_service.grpc.pb.h"
#include "attain/review/v1/meeting_service.grpc.pb.h"
#include "attain/target/v1/org_service.grpc.pb.h"
#include "common/auth.h"
#include "common/redis.h"
#include "tests/support/service_process.h"
#include "tests/support/test_servers.h"

namespace attain::fault {
namespace {

namespace iv1 = ::attain::ingest::v1;
namespace rv1 = ::attain::review::v1;
namespace tv1 = ::attain::target::v1;
using ::attain::testing::ServiceProcess;

constexpr char kKey[] = "fault-suite-signing-key-0123456789abcdef";
constexpr char kTenant[] = "acme";
constexpr char kRegion[] = "east";
// attain-review's clock: 10:00 on 2025-04-05 in Asia/Shanghai; the meeting
// the load takes minutes of starts an hour later.
constexpr char kReviewNow[] = "2025-04-05T02:00:00Z";
constexpr int64_t kMeetingStart = 1743822000;  // 2025-04-05T03:00:00Z

// Every rep with their team (all teams are in region "east").
const std::map<std::string, std::string>& RepTeams() {
  static const auto* const teams = new std::map<std::string, std::string>{
      {"r1", "t1"}, {"r2", "t1"}, {"r3", "t2"}, {"r4", "t2"}};
  return *teams;
}

// The load's orders are signed on 2025-03-03..07: ISO week 10 of 2025.
constexpr char kFirstDay[] = "2025-03-03";
constexpr char kLastDay[] = "2025-03-07";
const std::vector<std::string>& BoardPeriods() {
  static const auto* const periods =
      new std::vector<std::string>{"2025-W10", "2025-03", "2025-Q1", "2025"};
  return *periods;
}

// How long a service may take to serve again after a fault, and the relay to
// bring the boards level with the rollups once the load has stopped.
constexpr absl::Duration kRecoveryDeadline = absl::Seconds(45);
constexpr absl::Duration kBoardsDeadline = absl::Seconds(60);
// Load before and after each fault.
constexpr absl::Duration kSteadyLoad = absl::Seconds(2);

// Adds `authorization: Bearer <token>` and a 30 s deadline.
void Authorize(grpc::ClientContext& ctx, const std::string& token) {
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
}

// ------------------------------------------------------------------ services

// A service binary that can be killed and restarted on the port it first got,
// so that its clients (the load, the other services) reconnect to it.
class Service {
 public:
  Service(std::string binary, std::vector<std::string> args)
      : binary_(std::move(binary)), args_(std::move(args)) {}

  // Starts it (on a free port the first time, then on the same one) and waits
  // until it serves. A port briefly still held is retried for a few seconds.
  absl::Status Start() {
    std::vector<std::string> args = args_;
    if (port_ != 0) {  // the last --listen wins
      args.push_back("--listen");
      args.push_back(absl::StrCat("127.0.0.1:", port_));
    }
    absl::Status last;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    do {
      ServiceProcess::Options options;
      options.binary = binary_;
      options.args = args;
      absl::StatusOr<std::unique_ptr<ServiceProcess>> started = ServiceProcess::Start(options);
      if (started.ok()) {
        process_ = *std::move(started);
        port_ = process_->port();
        return absl::OkStatus();
      }
      last = started.status();
      absl::SleepFor(absl::Milliseconds(200));
    } while (port_ != 0 && absl::Now() < deadline);
    return last;
  }
  void Kill() {
    if (process_ != nullptr) process_->Kill();
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  ServiceProcess* process() const { return process_.get(); }
  std::string Log() const { return process_ != nullptr ? process_->Log() : ""; }

 private:
  std::string binary_;
  std::vector<std::string> args_;
  int port_ = 0;
  std::unique_ptr<ServiceProcess> process_;
};

// --------------------------------------------------------------- the load

// What the load's output file says (see load_client.cc): acknowledgements,
// successful reads and errors.
struct LoadRecord {
  std::map<std::string, std::vector<std::string>> event_outcomes;  // event id → outcomes
  std::map<std::string, std::set<std::string>> minutes;  // request id → "<meeting>/<seq>"s
  std::map<std::string, std::set<std::string>> actions;  // request id → action ids
  std::map<std::string, int64_t> reads;                  // service → successful reads
  std::vector<std::string> errors;                       // "<call> <CODE> <message>"
  int64_t event_acks = 0;                                // event lines
  int64_t review_acks = 0;                               // minutes and action lines

  // Adds the complete lines of `path`.
  void Add(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const size_t end = text.rfind('\n');
    if (end == std::string::npos) return;
    for (absl::string_view line : absl::StrSplit(text.substr(0, end), '\n')) {
      const std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 2));
      if (f.size() < 3) continue;
      if (f[0] == "event") {
        event_outcomes[f[1]].push_back(f[2]);
        ++event_acks;
      } else if (f[0] == "minutes") {
        minutes[f[1]].insert(f[2]);
        ++review_acks;
      } else if (f[0] == "action") {
        actions[f[1]].insert(f[2]);
        ++review_acks;
      } else if (f[0] == "read") {
        ++reads[f[1]];
      } else if (f[0] == "error") {
        errors.push_back(absl::StrCat(f[1], " ", f[2]));
      }
    }
  }
};

// The load client process: started with PR_SET_PDEATHSIG so that it dies
// with the test process, stopped with SIGTERM.
class LoadProcess {
 public:
  static absl::StatusOr<std::unique_ptr<LoadProcess>> Start(std::vector<std::string> argv,
                                                            const std::string& log) {
    std::unique_ptr<LoadProcess> p(new LoadProcess());
    const pid_t parent = getpid();
    p->pid_ = fork();
    if (p->pid_ < 0) return absl::InternalError("fork failed");
    if (p->pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
      sigset_t all;
      sigfillset(&all);
      pthread_sigmask(SIG_UNBLOCK, &all, nullptr);
      std::vector<char*> cargv;
      for (std::string& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      execv(cargv[0], cargv.data());
      _exit(127);
    }
    return p;
  }
  ~LoadProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Whether it has exited by itself (it should not before Stop).
  bool Exited() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return pid_ <= 0;
  }

  // SIGTERM and wait up to `timeout`; returns the exit code (128 + signal
  // when killed, -1 if it had to be killed after the timeout).
  int Stop(absl::Duration timeout = absl::Seconds(20)) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
  }

 private:
  LoadProcess() = default;
  pid_t pid_ = -1;
};

// How far the load has got.
struct Progress {
  int64_t events = 0;
  int64_t review = 0;
  std::map<std::string, int64_t> reads;
};

Progress ProgressOf(const std::string& path) {
  LoadRecord r;
  r.Add(path);
  return {r.event_acks, r.review_acks, r.reads};
}

// The services the load reads from.
const std::vector<std::string>& ReadServices() {
  static const auto* const services =
      new std::vector<std::string>{"ingest", "target", "eval", "eval-fallback", "review"};
  return *services;
}

// --------------------------------------------------------------------- checks

bool TransientCode(absl::string_view code) {
  return code == "UNAVAILABLE" || code == "DEADLINE_EXCEEDED" || code == "ABORTED" ||
         code == "RESOURCE_EXHAUSTED";
}

// Board cell values: key → member → score.
using Boards = std::map<std::string, std::map<std::string, int64_t>>;

std::string BoardKeyOf(const std::string& period, const std::string& metric,
                       const std::string& scope) {
  return absl::StrCat("lb:{", kTenant, ":", period, "}:", metric, ":", scope);
}

// The differences between the boards Redis holds for the tenant and `want`
// (at most `max` lines; empty when they agree).
std::vector<std::string> BoardDifferences(RedisClient& redis, const Boards& want, size_t max = 20) {
  std::vector<std::string> diffs;
  Boards have;
  std::string cursor = "0";
  do {
    absl::StatusOr<RedisReply> r = redis.Command(
        {"SCAN", cursor, "MATCH", absl::StrCat("lb:{", kTenant, ":*"), "COUNT", "1000"});
    if (!r.ok() || r->type != RedisReply::Type::kArray || r->elements.size() != 2) {
      return {absl::StrCat("SCAN failed: ", r.ok() ? r->str : r.status().ToString())};
    }
    cursor = r->elements[0].str;
    for (const RedisReply& key : r->elements[1].elements) have[key.str];
  } while (cursor != "0");
  for (auto& [key, members] : have) {
    absl::StatusOr<RedisReply> r = redis.Command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
    if (!r.ok() || r->type != RedisReply::Type::kArray) {
      diffs.push_back(
          absl::StrCat(key, ": not a sorted set (", r.ok() ? r->str : r.status().ToString(), ")"));
      continue;
    }
    for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
      double score = 0;
      if (!absl::SimpleAtod(r->elements[i + 1].str, &score)) score = -1;
      members[r->elements[i].str] = static_cast<int64_t>(score);
    }
  }
  for (const auto& [key, members] : want) {
    auto it = have.find(key);
    if (it == have.end()) {
      diffs.push_back(absl::StrCat(key, ": missing"));
      continue;
    }
    for (const auto& [member, score] : members) {
      auto m = it->second.find(member);
      if (m == it->second.end()) {
        diffs.push_back(absl::StrCat(key, " ", member, ": missing, want ", score));
      } else if (m->second != score) {
        diffs.push_back(absl::StrCat(key, " ", member, ": ", m->second, ", want ", score));
      }
    }
    for (const auto& [member, score] : it->second) {
      if (members.count(member) == 0) {
        diffs.push_back(absl::StrCat(key, " ", member, ": ", score, ", want none"));
      }
    }
  }
  for (const auto& [key, members] : have) {
    if (want.count(key) == 0) diffs.push_back(absl::StrCat(key, ": not expected"));
  }
  if (diffs.size() > max) {
    const size_t more = diffs.size() - max;
    diffs.resize(max);
    diffs.push_back(absl::StrCat("… and ", more, " more"));
  }
  return diffs;
}

// ---------------------------------------------------------------------- suite

class FaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (const char* url = std::getenv("ATTAIN_TEST_PG_URL"); url != nullptr && *url != '\0') {
      return;  // SetUp skips: an external PostgreSQL cannot be restarted
    }
    // An immediate shutdown must not lose acknowledged commits.
    testing::PgTestServer::SetExtraSettings({"synchronous_commit=on"});
    redis_ = new testing::RedisTestServer();
    db_ = new std::string(testing::PgTestServer::Shared().CreateDatabase("fault"));
    work_dir_ = new std::string(MakeWorkDir());
    ASSERT_FALSE(work_dir_->empty()) << "cannot create a folder under /tmp";
    const std::string& db = *db_;

    target_ = new Service(ATTAIN_TARGET_BINARY, {"--pg-url", db, "--jwt-key", kKey});
    absl::Status st = target_->Start();
    ASSERT_TRUE(st.ok()) << st;
    ingest_ =
        new Service(ATTAIN_INGEST_BINARY, {"--pg-url", db, "--redis-url", redis_->url(),
                                           "--jwt-key", kKey, "--target-addr", target_->address()});
    st = ingest_->Start();
    ASSERT_TRUE(st.ok()) << st;
    eval_ = new Service(ATTAIN_EVAL_BINARY,
                        {"--pg-url", db, "--redis-url", redis_->url(), "--jwt-key", kKey,
                         "--target-addr", target_->address(), "--ingest-addr", ingest_->address()});
    st = eval_->Start();
    ASSERT_TRUE(st.ok()) << st;
    review_ =
        new Service(ATTAIN_REVIEW_BINARY,
                    {"--pg-url", db, "--jwt-key", kKey, "--fake-now", kReviewNow, "--eval-addr",
                     eval_->address(), "--target-addr", target_->address(), "--workers", "4"});
    st = review_->Start();
    ASSERT_TRUE(st.ok()) << st;

    SeedOrg();
    SeedMeeting();
  }

  static void TearDownTestSuite() {
    for (Service** s : {&review_, &eval_, &ingest_, &target_}) {
      delete *s;
      *s = nullptr;
    }
    delete redis_;
    redis_ = nullptr;
    if (work_dir_ != nullptr && !work_dir_->empty()) {
      // The load's output and log help to explain a failure; kept then.
      if (::testing::UnitTest::GetInstance()->Failed()) {
        std::fprintf(stderr, "fault suite: the load's output is in %s\n", work_dir_->c_str());
      } else {
        std::error_code ec;
        std::filesystem::remove_all(*work_dir_, ec);
      }
    }
  }

  void SetUp() override {
    if (redis_ == nullptr) GTEST_SKIP() << "needs a local PostgreSQL (ATTAIN_TEST_PG_URL is set)";
    ASSERT_NE(meeting_, nullptr) << "the stack did not start; see the first failure";
  }

  static std::string MakeWorkDir() {
    char tmpl[] = "/tmp/attain-fault-XXXXXX";
    return mkdtemp(tmpl) != nullptr ? std::string(tmpl) : std::string();
  }

  static std::string Token(Role role) {
    Principal p{kTenant, "admin", role, "", {}};
    return *MintToken(kKey, p, absl::Now(), absl::Hours(2));
  }

  // co (company) → east (region) → t1 {r1, r2}, t2 {r3, r4}, hired 2020-01-01.
  static void SeedOrg() {
    auto org = tv1::OrgService::NewStub(target_->process()->NewChannel());
    const std::string admin = Token(Role::kAdmin);
    for (const auto& [unit, parent, kind] :
         std::vector<std::tuple<std::string, std::string, tv1::OrgUnitKind>>{
             {"co", "", tv1::ORG_UNIT_KIND_COMPANY},
             {kRegion, "co", tv1::ORG_UNIT_KIND_REGION},
             {"t1", kRegion, tv1::ORG_UNIT_KIND_TEAM},
             {"t2", kRegion, tv1::ORG_UNIT_KIND_TEAM}}) {
      tv1::CreateOrgUnitRequest req;
      req.set_request_id("create-unit-" + unit);
      req.set_unit_id(unit);
      req.set_parent_id(parent);
      req.set_name(unit);
      req.set_kind(kind);
      tv1::CreateOrgUnitResponse resp;
      grpc::ClientContext ctx;
      Authorize(ctx, admin);
      const grpc::Status st = org->CreateOrgUnit(&ctx, req, &resp);
      ASSERT_TRUE(st.ok()) << unit << ": " << st.error_message();
    }
    for (const auto& [rep, team] : RepTeams()) {
      tv1::CreateRepRequest req;
      req.set_request_id("create-rep-" + rep);
      req.set_rep_id(rep);
      req.set_name(rep);
      req.set_team_id(team);
      req.set_hire_date("2020-01-01");
      tv1::CreateRepResponse resp;
      grpc::ClientContext ctx;
      Authorize(ctx, admin);
      const grpc::Status st = org->CreateRep(&ctx, req, &resp);
      ASSERT_TRUE(st.ok()) << rep << ": " << st.error_message();
    }
  }

  // Committee "perf" of co and a meeting in progress that the load records.
  static void SeedMeeting() {
    const std::string admin = Token(Role::kAdmin);
    auto channel = review_->process()->NewChannel();
    auto committees = rv1::CommitteeService::NewStub(channel);
    auto meetings = rv1::MeetingService::NewStub(channel);
    rv1::CreateCommitteeRequest cq;
    cq.set_request_id("create-perf");
    rv1::Committee* c = cq.mutable_committee();
    c->set_committee_id("perf");
    c->set_name("Sales performance committee");
    c->set_unit_id("co");
    for (const auto& [id, role, department] :
         std::vector<std::tuple<std::string, rv1::CommitteeRole, std::string>>{
             {"gm", rv1::COMMITTEE_ROLE_CHAIR, "management"},
             {"vp", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales"},
             {"mk", rv1::COMMITTEE_ROLE_MEMBER, "marketing"}}) {
      rv1::CommitteeMember* m = c->add_members();
      m->set_person_id(id);
      m->set_name(id);
      m->set_role(role);
      m->set_department(department);
      m->set_department_manager(true);
    }
    rv1::CreateCommitteeResponse cr;
    grpc::ClientContext cctx;
    Authorize(cctx, admin);
    grpc::Status gs = committees->CreateCommittee(&cctx, cq, &cr);
    ASSERT_TRUE(gs.ok()) << gs.error_message();

    rv1::ScheduleMeetingRequest sq;
    sq.set_request_id("schedule-q1");
    sq.set_committee_id("perf");
    sq.set_title("2025-Q1 review");
    sq.set_period("2025-Q1");
    sq.mutable_start_time()->set_seconds(kMeetingStart);
    sq.set_duration_minutes(120);
    sq.set_minute_taker_id("mk");
    rv1::ScheduleMeetingResponse sr;
    grpc::ClientContext sctx;
    Authorize(sctx, admin);
    gs = meetings->ScheduleMeeting(&sctx, sq, &sr);
    ASSERT_TRUE(gs.ok()) << gs.error_message();

    rv1::ChangeMeetingStatusRequest start;
    start.set_request_id("start-q1");
    start.set_meeting_id(sr.meeting().meeting_id());
    start.set_status(rv1::MEETING_STATUS_IN_PROGRESS);
    rv1::ChangeMeetingStatusResponse started;
    grpc::ClientContext xctx;
    Authorize(xctx, admin);
    gs = meetings->ChangeMeetingStatus(&xctx, start, &started);
    ASSERT_TRUE(gs.ok()) << gs.error_message();
    meeting_ = new std::string(sr.meeting().meeting_id());
  }

  // Starts the load for this test (its ids start with `run`), lets it run
  // until every kind of call has succeeded and then kSteadyLoad more, runs
  // `fault`, waits until every kind of call has succeeded again (bounded),
  // lets it run kSteadyLoad more, stops it and checks the tenant.
  void UnderLoad(const std::string& run, const std::function<void(const std::string& out)>& fault) {
    const std::string out = absl::StrCat(*work_dir_, "/load-", run, ".txt");
    outputs_.push_back(out);
    absl::StatusOr<std::unique_ptr<LoadProcess>> load = LoadProcess::Start(
        {ATTAIN_FAULT_LOAD_BINARY, "--ingest-addr=" + ingest_->address(),
         "--eval-addr=" + eval_->address(), "--target-addr=" + target_->address(),
         "--review-addr=" + review_->address(), absl::StrCat("--jwt-key=", kKey),
         absl::StrCat("--tenant=", kTenant), "--out=" + out, "--run=" + run,
         "--meeting=" + *meeting_, "--reps=r1,r2,r3,r4"},
        absl::StrCat(*work_dir_, "/load-", run, ".log"));
    ASSERT_TRUE(load.ok()) << load.status();

    ASSERT_TRUE(WaitForProgress(out, {}, "before the fault", **load));
    absl::SleepFor(kSteadyLoad);
    fault(out);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(WaitForProgress(out, ProgressOf(out), "after the fault", **load));
    absl::SleepFor(kSteadyLoad);
    EXPECT_EQ((*load)->Stop(), 0) << "the load client did not stop cleanly";
    CheckTenant();
  }

  // Polls `out` until, beyond `since`, events and review records have been
  // acknowledged and every service has answered a read.
  static ::testing::AssertionResult WaitForProgress(const std::string& out, const Progress& since,
                                                    const std::string& when, LoadProcess& load) {
    const absl::Time deadline = absl::Now() + kRecoveryDeadline;
    Progress now;
    while (true) {
      now = ProgressOf(out);
      std::vector<std::string> missing;
      if (now.events < since.events + 50) missing.push_back("events");
      if (now.review < since.review + 2) missing.push_back("review records");
      for (const std::string& s : ReadServices()) {
        auto it = since.reads.find(s);
        if (now.reads[s] <= (it == since.reads.end() ? 0 : it->second)) {
          missing.push_back("reads of " + s);
        }
      }
      if (missing.empty()) return ::testing::AssertionSuccess();
      if (load.Exited()) return ::testing::AssertionFailure() << "the load client exited";
      if (absl::Now() >= deadline) {
        LoadRecord r;
        r.Add(out);
        const size_t n = r.errors.size();
        std::vector<std::string> last(r.errors.begin() + (n > 10 ? n - 10 : 0), r.errors.end());
        return ::testing::AssertionFailure()
               << when << ": no progress within " << absl::FormatDuration(kRecoveryDeadline)
               << " in " << absl::StrJoin(missing, ", ") << "; last errors:\n  "
               << absl::StrJoin(last, "\n  ");
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  // SIGKILL, a second down, restart on the same port.
  static void KillAndRestart(Service& service) {
    service.Kill();
    absl::SleepFor(absl::Seconds(1));
    const absl::Status st = service.Start();
    ASSERT_TRUE(st.ok()) << st;
  }

  // Every check of the file comment over everything the load has done so far.
  void CheckTenant() {
    LoadRecord load;
    for (const std::string& out : outputs_) load.Add(out);
    pqxx::connection conn(*db_);
    pqxx::read_transaction tx(conn);
    CheckEvents(load, tx);
    CheckReview(load, tx);

    // Errors the load saw: transient ones only.
    std::map<std::string, int64_t> unexpected;
    std::map<std::string, int64_t> by_call;
    for (const std::string& e : load.errors) {
      const std::vector<std::string> f = absl::StrSplit(e, absl::MaxSplits(' ', 2));
      if (f.size() < 2 || !TransientCode(f[1])) ++unexpected[e.substr(0, 300)];
      if (f.size() >= 2) ++by_call[f[0] + " " + f[1]];
    }
    int64_t resent = 0;  // events answered DUPLICATE only: committed, acknowledgement lost
    for (const auto& [id, outcomes] : load.event_outcomes) {
      if (std::find(outcomes.begin(), outcomes.end(), "OUTCOME_ACCEPTED") == outcomes.end()) {
        ++resent;
      }
    }
    std::printf(
        "fault suite, after %s: %zu events acknowledged (%lld of them only as DUPLICATE), %zu "
        "minutes entries, %zu action items; errors the load retried or read through: %s\n",
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), load.event_outcomes.size(),
        static_cast<long long>(resent), load.minutes.size(), load.actions.size(),
        by_call.empty() ? "none"
                        : absl::StrJoin(by_call, ", ", absl::PairFormatter(" × ")).c_str());
    std::fflush(stdout);
    EXPECT_TRUE(unexpected.empty())
        << "errors other than transient ones:\n  "
        << absl::StrJoin(unexpected, "\n  ", absl::PairFormatter(" × "));
  }

  // Events, rollups and boards.
  static void CheckEvents(const LoadRecord& load, pqxx::read_transaction& tx) {
    // Outcomes: ACCEPTED at most once per event, otherwise DUPLICATE.
    int64_t bad = 0;
    for (const auto& [id, outcomes] : load.event_outcomes) {
      int accepted = 0;
      bool other = false;
      for (const std::string& o : outcomes) {
        if (o == "OUTCOME_ACCEPTED") {
          ++accepted;
        } else if (o != "OUTCOME_DUPLICATE") {
          other = true;
        }
      }
      if ((accepted > 1 || other) && ++bad <= 10) {
        ADD_FAILURE() << "event " << id << " acknowledged as " << absl::StrJoin(outcomes, ", ");
      }
    }
    EXPECT_EQ(bad, 0) << "events acknowledged twice as ACCEPTED or with a wrong outcome";

    // The events stored: each acknowledged one, and the sums they make.
    struct Sums {
      int64_t sales = 0, gross_profit = 0, orders = 0;
      bool operator==(const Sums& o) const {
        return sales == o.sales && gross_profit == o.gross_profit && orders == o.orders;
      }
    };
    using Cell = std::tuple<std::string, std::string, std::string>;  // day, rep, product line
    std::map<Cell, Sums> from_events;
    std::set<std::string> stored;
    std::set<std::string> customers;
    for (const auto& row : tx.exec_params(
             "SELECT event_id, payload FROM ingest.events WHERE tenant_id = $1", kTenant)) {
      const std::string id = row[0].as<std::string>();
      stored.insert(id);
      iv1::Event e;
      ASSERT_TRUE(e.ParseFromString(pqxx::binarystring(row[1]).str())) << id;
      ASSERT_TRUE(e.has_order()) << id;
      Sums& s =
          from_events[{e.order().signed_date(), e.order().rep_id(), e.order().product_line_id()}];
      s.sales += e.order().amount().minor_units();
      s.gross_profit += e.order().gross_profit().minor_units();
      s.orders += 1;
      customers.insert(e.order().customer_id());
    }
    int64_t lost = 0;
    for (const auto& [id, outcomes] : load.event_outcomes) {
      if (stored.count(id) == 0 && ++lost <= 10) ADD_FAILURE() << "acknowledged event lost: " << id;
    }
    EXPECT_EQ(lost, 0) << "acknowledged events missing from ingest.events";
    EXPECT_GE(stored.size(), load.event_outcomes.size());

    // The rollups: exactly those sums, in each rep's own team and region.
    std::map<Cell, Sums> from_rollups;
    int64_t new_customers = 0;
    Boards boards;
    for (const auto& row : tx.exec_params(
             "SELECT day::text, rep_id, team_id, region_id, product_line_id, sum(sales_amount), "
             "sum(gross_profit), sum(order_count), sum(new_customers) FROM ingest.rollup_daily "
             "WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5",
             kTenant)) {
      const std::string day = row[0].as<std::string>(), rep = row[1].as<std::string>(),
                        team = row[2].as<std::string>(), region = row[3].as<std::string>(),
                        pl = row[4].as<std::string>();
      const Sums s{row[5].as<int64_t>(), row[6].as<int64_t>(), row[7].as<int64_t>()};
      const int64_t customers_new = row[8].as<int64_t>();
      if (s == Sums{} && customers_new == 0) continue;
      Sums& sum = from_rollups[{day, rep, pl}];
      sum.sales += s.sales;
      sum.gross_profit += s.gross_profit;
      sum.orders += s.orders;
      new_customers += customers_new;
      auto placement = RepTeams().find(rep);
      EXPECT_TRUE(placement != RepTeams().end() && placement->second == team && region == kRegion)
          << "rollup row of " << rep << " on " << day << " in team \"" << team << "\", region \""
          << region << "\"";
      EXPECT_TRUE(day >= kFirstDay && day <= kLastDay) << day;
      // The boards this row adds to.
      const std::vector<std::string> scopes = {"company", "region:" + region, "team:" + team,
                                               "pl:" + pl};
      const std::vector<std::pair<std::string, int64_t>> values = {
          {"sales", s.sales},
          {"gross_profit", s.gross_profit},
          {"orders", s.orders},
          {"new_customers", customers_new}};
      for (const std::string& period : BoardPeriods()) {
        for (const std::string& scope : scopes) {
          for (const auto& [metric, value] : values) {
            if (value != 0) boards[BoardKeyOf(period, metric, scope)][rep] += value;
          }
        }
      }
    }
    int64_t wrong = 0;
    for (const auto& [cell, want] : from_events) {
      auto it = from_rollups.find(cell);
      const Sums have = it == from_rollups.end() ? Sums{} : it->second;
      if (!(have == want) && ++wrong <= 10) {
        ADD_FAILURE() << "rollups of " << std::get<0>(cell) << " " << std::get<1>(cell) << " "
                      << std::get<2>(cell) << ": sales " << have.sales << " (events " << want.sales
                      << "), gross profit " << have.gross_profit << " (events " << want.gross_profit
                      << "), orders " << have.orders << " (events " << want.orders << ")";
      }
    }
    for (const auto& [cell, have] : from_rollups) {
      if (from_events.count(cell) == 0 && ++wrong <= 10) {
        ADD_FAILURE() << "rollups of " << std::get<0>(cell) << " " << std::get<1>(cell) << " "
                      << std::get<2>(cell) << " without events: sales " << have.sales;
      }
    }
    EXPECT_EQ(wrong, 0) << "rollup cells that differ from the events stored";
    EXPECT_EQ(new_customers, static_cast<int64_t>(customers.size()))
        << "new customers in the rollups vs distinct customers of the events";

    // Every board equals the recomputation once the relay has caught up.
    RedisClient redis(*RedisClient::ParseUrl(redis_->url()));
    const absl::Time deadline = absl::Now() + kBoardsDeadline;
    std::vector<std::string> diffs;
    while (true) {
      diffs = BoardDifferences(redis, boards);
      if (diffs.empty() || absl::Now() >= deadline) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_TRUE(diffs.empty()) << "the boards differ from the rollups after "
                               << absl::FormatDuration(kBoardsDeadline) << ":\n  "
                               << absl::StrJoin(diffs, "\n  ");
  }

  // Minutes and action items: one record per request_id, each acknowledged
  // one present, every acknowledgement of a request_id the same answer.
  void CheckReview(const LoadRecord& load, pqxx::read_transaction& tx) {
    std::map<std::string, std::vector<std::string>> minutes;  // request id → records
    for (const auto& row : tx.exec_params(
             "SELECT text, meeting_id, sequence FROM review.minutes WHERE tenant_id = $1",
             kTenant)) {
      const std::string text = row[0].as<std::string>();
      if (!absl::StartsWith(text, "note ")) continue;
      minutes[text.substr(5)].push_back(
          absl::StrCat(row[1].as<std::string>(), "/", row[2].as<int64_t>()));
    }
    std::map<std::string, std::vector<std::string>> actions;
    for (const auto& row : tx.exec_params(
             "SELECT measures, action_id FROM review.action_items WHERE tenant_id = $1", kTenant)) {
      const std::string measures = row[0].as<std::string>();
      const size_t at = measures.rfind("request ");
      if (at == std::string::npos) continue;
      actions[measures.substr(at + 8)].push_back(row[1].as<std::string>());
    }
    for (const auto& [kind, acked, stored] :
         std::vector<std::tuple<std::string, const std::map<std::string, std::set<std::string>>*,
                                const std::map<std::string, std::vector<std::string>>*>>{
             {"minutes entry", &load.minutes, &minutes},
             {"action item", &load.actions, &actions}}) {
      int64_t bad = 0;
      for (const auto& [request_id, answers] : *acked) {
        auto it = stored->find(request_id);
        const std::vector<std::string> records =
            it == stored->end() ? std::vector<std::string>{} : it->second;
        const bool ok =
            records.size() == 1 && answers.size() == 1 && *answers.begin() == records[0];
        if (!ok && ++bad <= 10) {
          ADD_FAILURE() << kind << " " << request_id << ": answered "
                        << absl::StrJoin(answers, ", ") << "; stored ["
                        << absl::StrJoin(records, ", ") << "]";
        }
      }
      for (const auto& [request_id, records] : *stored) {
        if (records.size() > 1 && ++bad <= 10) {
          ADD_FAILURE() << kind << " " << request_id << " stored " << records.size()
                        << " times: " << absl::StrJoin(records, ", ");
        }
      }
      EXPECT_EQ(bad, 0) << kind << "s lost, duplicated or answered differently";
    }
    const pqxx::result meeting = tx.exec_params(
        "SELECT status FROM review.meetings WHERE tenant_id = $1 AND meeting_id = $2", kTenant,
        *meeting_);
    EXPECT_EQ(meeting.size(), 1u) << "meeting " << *meeting_ << " lost";
  }

  static testing::RedisTestServer* redis_;
  static std::string* db_;
  static std::string* work_dir_;
  static std::string* meeting_;
  static Service* target_;
  static Service* ingest_;
  static Service* eval_;
  static Service* review_;
  static std::vector<std::string> outputs_;
};

testing::RedisTestServer* FaultTest::redis_ = nullptr;
std::string* FaultTest::db_ = nullptr;
std::string* FaultTest::work_dir_ = nullptr;
std::string* FaultTest::meeting_ = nullptr;
Service* FaultTest::target_ = nullptr;
Service* FaultTest::ingest_ = nullptr;
Service* FaultTest::eval_ = nullptr;
Service* FaultTest::review_ = nullptr;
std::vector<std::string> FaultTest::outputs_;

TEST_F(FaultTest, IngestKilledAndRestarted) {
  UnderLoad("k-ingest", [](const std::string&) { KillAndRestart(*ingest_); });
}

TEST_F(FaultTest, TargetKilledAndRestarted) {
  UnderLoad("k-target", [](const std::string&) { KillAndRestart(*target_); });
}

TEST_F(FaultTest, EvalKilledAndRestarted) {
  UnderLoad("k-eval", [](const std::string&) { KillAndRestart(*eval_); });
}

TEST_F(FaultTest, ReviewKilledAndRestarted) {
  UnderLoad("k-review", [](const std::string&) { KillAndRestart(*review_); });
}

TEST_F(FaultTest, PostgresRestarted) {
  UnderLoad("pg-restart", [](const std::string&) {
    testing::PgTestServer::Shared().Stop();
    absl::SleepFor(absl::Seconds(3));
    testing::PgTestServer::Shared().Start();
  });
}

// Redis is a cache: while it is down ingest keeps acknowledging (the outbox
// keeps the board changes); when it comes back empty the relay rebuilds the
// boards from the rollups and goes on from there.
TEST_F(FaultTest, RedisDownThirtySecondsThenBackEmpty) {
  UnderLoad("redis-outage", [](const std::string& out) {
    const absl::Time back = absl::Now() + absl::Seconds(30);
    redis_->Stop();
    Progress at_stop = ProgressOf(out);
    absl::SleepFor(absl::Seconds(10));
    Progress now = ProgressOf(out);
    EXPECT_GE(now.events, at_stop.events + 50)
        << "ingest stopped acknowledging while Redis was down";
    EXPECT_GE(now.review, at_stop.review + 2) << "review stopped while Redis was down";
    for (const std::string service : {"ingest", "target", "review", "eval-fallback"}) {
      EXPECT_GT(now.reads[service], at_stop.reads[service])
          << "no successful read of " << service << " while Redis was down";
    }
    absl::SleepFor(back - absl::Now());
    redis_->Start();
  });
}

}  // namespace
}  // namespace attain::fault
