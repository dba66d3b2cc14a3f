// `attainctl demo load`: a small, complete demo organisation with targets for
// one quarter, created idempotently. Every call carries a fixed request id
// ("demo-…"), so a rerun is answered from the first run, and ALREADY_EXISTS
// (the thing was made some other way) counts as success.
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/period.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

using targetv1::OrgService;
using targetv1::TargetService;
namespace typev1 = ::attain::type::v1;

constexpr char kTimeZone[] = "Asia/Shanghai";

struct DemoUnit {
  const char* id;
  const char* parent;
  const char* name;
  targetv1::OrgUnitKind kind;
  const char* tier;
};

// Parents before children.
const DemoUnit kUnits[] = {
    {"acme", "", "Acme Trading", targetv1::ORG_UNIT_KIND_COMPANY, ""},
    {"east", "acme", "华东区 East China", targetv1::ORG_UNIT_KIND_REGION, "strategic"},
    {"north", "acme", "华北区 North China", targetv1::ORG_UNIT_KIND_REGION, "potential"},
    {"east-1", "east", "华东销售一部 East Sales 1", targetv1::ORG_UNIT_KIND_TEAM, ""},
    {"east-2", "east", "华东销售二部 East Sales 2", targetv1::ORG_UNIT_KIND_TEAM, ""},
    {"north-1", "north", "华北销售一部 North Sales 1", targetv1::ORG_UNIT_KIND_TEAM, ""},
    {"north-2", "north", "华北销售二部 North Sales 2", targetv1::ORG_UNIT_KIND_TEAM, ""},
};

struct DemoRep {
  const char* id;
  const char* team;
  const char* name;
  const char* hire_date;  // empty: the new hire (hired at the start of this quarter)
};

const DemoRep kReps[] = {
    {"rep-e1-1", "east-1", "张伟 Zhang Wei", "2019-03-18"},
    {"rep-e1-2", "east-1", "王芳 Wang Fang", "2021-07-05"},
    {"rep-e1-3", "east-1", "李娜 Li Na", "2023-02-13"},
    {"rep-e2-1", "east-2", "刘洋 Liu Yang", "2020-05-11"},
    {"rep-e2-2", "east-2", "陈静 Chen Jing", "2022-09-01"},
    {"rep-e2-3", "east-2", "杨磊 Yang Lei", ""},
    {"rep-n1-1", "north-1", "赵敏 Zhao Min", "2018-11-26"},
    {"rep-n1-2", "north-1", "黄强 Huang Qiang", "2021-04-19"},
    {"rep-n1-3", "north-1", "周杰 Zhou Jie", "2024-03-04"},
    {"rep-n2-1", "north-2", "吴婷 Wu Ting", "2020-08-17"},
    {"rep-n2-2", "north-2", "徐明 Xu Ming", "2022-01-10"},
    {"rep-n2-3", "north-2", "孙丽 Sun Li", "2024-06-24"},
};

struct DemoProductLine {
  const char* id;
  const char* name;
};

const DemoProductLine kProductLines[] = {{"a", "A产品"}, {"b", "B产品"}, {"c", "C产品"}};

// Quarter targets of the company, in minor units.
constexpr int64_t kSalesBase = 1'200'000'000;       // 12,000,000.00
constexpr int64_t kSalesChallenge = 1'400'000'000;  // 14,000,000.00
constexpr int64_t kCollectedBase = 1'080'000'000;   // 10,800,000.00 (90 % of sales)
constexpr int64_t kCollectedChallenge = 1'260'000'000;

// A failed step: says what was being done.
int StepFailed(Client& client, const grpc::Status& status, const std::string& what) {
  return client.Fail(
      grpc::Status(status.error_code(), absl::StrCat(what, ": ", status.error_message())));
}

bool OkOrExists(const grpc::Status& status) {
  return status.ok() || status.error_code() == grpc::StatusCode::ALREADY_EXISTS;
}

class DemoLoader {
 public:
  DemoLoader(Client& client, Period period, absl::CivilDay today)
      : client_(client), period_(std::move(period)), today_(today) {}

  int Run() {
    for (const DemoUnit& u : kUnits) {
      if (int rc = CreateUnit(u); rc != kExitOk) return rc;
    }
    for (const DemoRep& r : kReps) {
      if (int rc = CreateRep(r); rc != kExitOk) return rc;
    }
    for (const DemoProductLine& p : kProductLines) {
      if (int rc = CreateProductLine(p); rc != kExitOk) return rc;
    }
    if (int rc = LoadTargets(); rc != kExitOk) return rc;
    Summarise();
    return kExitOk;
  }

 private:
  int CreateUnit(const DemoUnit& u) {
    targetv1::CreateOrgUnitRequest request;
    request.set_request_id(absl::StrCat("demo-unit-", u.id));
    request.set_unit_id(u.id);
    request.set_parent_id(u.parent);
    request.set_name(u.name);
    request.set_kind(u.kind);
    request.set_tier(u.tier);
    targetv1::CreateOrgUnitResponse response;
    const grpc::Status status = client_.Call(&OrgService::Stub::CreateOrgUnit, request, &response);
    if (!OkOrExists(status)) return StepFailed(client_, status, absl::StrCat("org unit ", u.id));
    ++units_;
    return kExitOk;
  }

  int CreateRep(const DemoRep& r) {
    std::string hire_date = r.hire_date;
    if (hire_date.empty()) {
      // The new hire joined on the first day of the current quarter: within
      // the last 3 months, and in the team for the whole of it.
      hire_date =
          absl::FormatCivilTime(Period::Containing(PeriodKind::kQuarter, today_).first_day());
      new_hire_ = absl::StrCat(r.id, " (hired ", hire_date, ")");
    }
    targetv1::CreateRepRequest request;
    // The hire date is part of the key: a rerun on a later day asks again,
    // and the existing rep answers ALREADY_EXISTS.
    request.set_request_id(absl::StrCat("demo-rep-", r.id, "-", hire_date));
    request.set_rep_id(r.id);
    request.set_name(r.name);
    request.set_team_id(r.team);
    request.set_hire_date(hire_date);
    targetv1::CreateRepResponse response;
    const grpc::Status status = client_.Call(&OrgService::Stub::CreateRep, request, &response);
    if (!OkOrExists(status)) return StepFailed(client_, status, absl::StrCat("rep ", r.id));
    ++reps_;
    return kExitOk;
  }

  int CreateProductLine(const DemoProductLine& p) {
    targetv1::CreateProductLineRequest request;
    request.set_request_id(absl::StrCat("demo-product-line-", p.id));
    request.set_product_line_id(p.id);
    request.set_name(p.name);
    targetv1::CreateProductLineResponse response;
    const grpc::Status status =
        client_.Call(&OrgService::Stub::CreateProductLine, request, &response);
    if (!OkOrExists(status)) {
      return StepFailed(client_, status, absl::StrCat("product line ", p.id));
    }
    ++product_lines_;
    return kExitOk;
  }

  // Sets the company's quarter target of `metric`.
  int SetCompanyTarget(Metric metric, int64_t base, int64_t challenge, targetv1::Target* out) {
    targetv1::SetTargetRequest request;
    request.set_request_id(
        absl::StrCat("demo-target-acme-", MetricName(metric), "-", period_.ToString()));
    targetv1::TargetInput* t = request.mutable_target();
    t->mutable_scope()->set_kind(typev1::SCOPE_KIND_UNIT);
    t->mutable_scope()->set_id("acme");
    t->set_period(period_.ToString());
    t->set_metric(metric);
    t->set_base_value(base);
    t->set_challenge_value(challenge);
    t->set_currency_code("CNY");
    targetv1::SetTargetResponse response;
    const grpc::Status status = client_.Call(&TargetService::Stub::SetTarget, request, &response);
    if (!status.ok()) {
      return StepFailed(
          client_, status,
          absl::StrCat(MetricName(metric), " target of acme for ", period_.ToString()));
    }
    *out = response.target();
    return kExitOk;
  }

  // Splits `parent` (whose scope is `name`) over the org or time.
  int Decompose(const targetv1::Target& parent, const std::string& name,
                targetv1::DecompositionDimension dimension, targetv1::DecompositionMethod method,
                const std::vector<std::pair<std::string, int64_t>>& weights,
                std::vector<targetv1::Target>* children) {
    const bool over_time = dimension == targetv1::DECOMPOSITION_DIMENSION_TIME;
    targetv1::DecomposeTargetRequest request;
    request.set_request_id(absl::StrCat("demo-decompose-", over_time ? "time-" : "org-", name, "-",
                                        MetricName(parent.metric()), "-", period_.ToString()));
    request.set_target_id(parent.target_id());
    request.set_dimension(dimension);
    request.set_method(method);
    if (over_time) request.set_child_period_kind(typev1::PERIOD_KIND_MONTH);
    for (const auto& [key, weight] : weights) {
      targetv1::Allocation* a = request.add_allocations();
      a->set_key(key);
      a->set_weight(weight);
    }
    targetv1::DecomposeTargetResponse response;
    const grpc::Status status =
        client_.Call(&TargetService::Stub::DecomposeTarget, request, &response);
    if (!status.ok()) {
      return StepFailed(client_, status,
                        absl::StrCat("decomposing the target of ", name, " over ",
                                     over_time ? "time" : "the org"));
    }
    children->assign(response.children().begin(), response.children().end());
    return kExitOk;
  }

  int LoadTargets() {
    if (int rc = SetCompanyTarget(typev1::METRIC_SALES_AMOUNT, kSalesBase, kSalesChallenge,
                                  &company_sales_);
        rc != kExitOk) {
      return rc;
    }
    if (int rc = Decompose(company_sales_, "acme", targetv1::DECOMPOSITION_DIMENSION_ORG,
                           targetv1::DECOMPOSITION_METHOD_WEIGHTS, {{"east", 60}, {"north", 40}},
                           &regions_);
        rc != kExitOk) {
      return rc;
    }
    for (const targetv1::Target& region : regions_) {
      std::vector<targetv1::Target> teams;
      if (int rc = Decompose(region, region.scope().id(), targetv1::DECOMPOSITION_DIMENSION_ORG,
                             targetv1::DECOMPOSITION_METHOD_EVEN, {}, &teams);
          rc != kExitOk) {
        return rc;
      }
      teams_.insert(teams_.end(), teams.begin(), teams.end());
    }
    for (const targetv1::Target& team : teams_) {
      std::vector<targetv1::Target> reps;
      if (int rc = Decompose(team, team.scope().id(), targetv1::DECOMPOSITION_DIMENSION_ORG,
                             targetv1::DECOMPOSITION_METHOD_EVEN, {}, &reps);
          rc != kExitOk) {
        return rc;
      }
      rep_targets_ += static_cast<int>(reps.size());
    }
    if (int rc = Decompose(company_sales_, "acme", targetv1::DECOMPOSITION_DIMENSION_TIME,
                           targetv1::DECOMPOSITION_METHOD_EVEN, {}, &months_);
        rc != kExitOk) {
      return rc;
    }
    return SetCompanyTarget(typev1::METRIC_COLLECTED_AMOUNT, kCollectedBase, kCollectedChallenge,
                            &company_collected_);
  }

  static std::string Levels(const targetv1::Target& t) {
    return absl::StrCat(FormatMetricValue(t.metric(), t.base_value()), " / ",
                        FormatMetricValue(t.metric(), t.challenge_value()), " ", t.currency_code());
  }

  void Summarise() const {
    const std::string p = period_.ToString();
    const int sales_targets = 1 + static_cast<int>(regions_.size() + teams_.size()) + rep_targets_ +
                              static_cast<int>(months_.size());
    if (client_.json()) {
      nlohmann::ordered_json doc = {
          {"period", p},
          {"org_units", units_},
          {"reps", reps_},
          {"product_lines", product_lines_},
          {"sales_amount",
           {{"company_target_id", company_sales_.target_id()},
            {"regions", regions_.size()},
            {"teams", teams_.size()},
            {"reps", rep_targets_},
            {"months", months_.size()},
            {"targets", sales_targets}}},
          {"collected_amount", {{"company_target_id", company_collected_.target_id()}}}};
      PrintJson(doc);
      return;
    }
    Table table({"item", "count", "detail"});
    table.AlignRight(1);
    table.AddRow({"org units", absl::StrCat(units_),
                  "acme > east (strategic), north (potential) > east-1, east-2, north-1, north-2"});
    table.AddRow({"reps", absl::StrCat(reps_), absl::StrCat("3 per team; new hire ", new_hire_)});
    table.AddRow({"product lines", absl::StrCat(product_lines_), "a A产品, b B产品, c C产品"});
    table.AddRow({absl::StrCat("sales_amount ", p), absl::StrCat(sales_targets),
                  absl::StrCat("company ", Levels(company_sales_), " (base / challenge); ",
                               regions_.size(), " regions 60:40, ", teams_.size(), " teams, ",
                               rep_targets_, " reps, ", months_.size(), " months")});
    table.AddRow({absl::StrCat("collected_amount ", p), "1",
                  absl::StrCat("company ", Levels(company_collected_))});
    table.Print();
    std::cout << "\ndemo loaded (running it again changes nothing). Try: attainctl org tree; "
                 "attainctl target list --period "
              << p << "; attainctl target check\n";
  }

  Client& client_;
  const Period period_;
  const absl::CivilDay today_;
  int units_ = 0, reps_ = 0, product_lines_ = 0, rep_targets_ = 0;
  std::string new_hire_;
  targetv1::Target company_sales_, company_collected_;
  std::vector<targetv1::Target> regions_, teams_, months_;
};

int RunDemoLoad(const Invocation& inv) {
  absl::StatusOr<absl::TimeZone> tz = LoadTimeZone(kTimeZone);
  const absl::TimeZone zone = tz.ok() ? *tz : absl::FixedTimeZone(8 * 60 * 60);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), zone);
  Period period = Period::Containing(PeriodKind::kQuarter, today);
  if (inv.args.Has("period")) {
    absl::StatusOr<Period> p = Period::Parse(inv.args.Get("period"));
    if (!p.ok()) return inv.UsageError(p.status().message());
    if (p->kind() != PeriodKind::kQuarter) {
      return inv.UsageError(absl::StrCat("--period ", inv.args.Get("period"),
                                         " is not a quarter: write e.g. 2026-Q4"));
    }
    period = *p;
  }
  return DemoLoader(inv.client, period, today).Run();
}

}  // namespace

std::vector<Command> DemoCommands() {
  return {{"demo load",
           "[--period YYYY-Qn]",
           "creates (idempotently) a demo org (acme: 2 regions, 4 teams, 12 reps, 3 product "
           "lines) and its quarter targets (default: the current quarter in Asia/Shanghai)",
           {"period"},
           {},
           0,
           0,
           RunDemoLoad}};
}

}  // namespace attain::ctl
