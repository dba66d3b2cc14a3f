// `attainctl evaluation …`: run an evaluation of a unit's reps for a period,
// read and list evaluations, finalise, restate, discard, appeal and decide
// appeals (ScorecardService). Mutations carry a request id (--request-id, or a fresh
// one), so re-running the same command line after a lost answer is safe only
// with the same --request-id.
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

namespace ev1 = ::attain::eval::v1;

std::string Hundredths(int64_t v) {
  const int64_t a = v < 0 ? -v : v;
  return absl::StrFormat("%s%d.%02d", v < 0 ? "-" : "", a / 100, a % 100);
}

std::string StateName(ev1::EvaluationState s) {
  switch (s) {
    case ev1::EVALUATION_STATE_DRAFT:
      return "draft";
    case ev1::EVALUATION_STATE_FINAL:
      return "final";
    case ev1::EVALUATION_STATE_RESTATED:
      return "restated";
    case ev1::EVALUATION_STATE_DISCARDED:
      return "discarded";
    default:
      return "?";
  }
}

std::string AppealStateName(ev1::AppealState s) {
  switch (s) {
    case ev1::APPEAL_STATE_OPEN:
      return "open";
    case ev1::APPEAL_STATE_UPHELD:
      return "upheld";
    case ev1::APPEAL_STATE_REJECTED:
      return "rejected";
    default:
      return "?";
  }
}

void PrintEvaluation(const ev1::Evaluation& e) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"evaluation", e.evaluation_id()},
      {"unit", e.unit_id()},
      {"period", e.period()},
      {"template", absl::StrCat(e.template_id(), " v", e.template_version())},
      {"state", StateName(e.state())},
      {"run", FormatTimestamp(e.create_time())},
  };
  if (e.has_finalize_time()) fields.emplace_back("finalised", FormatTimestamp(e.finalize_time()));
  if (!e.restates_id().empty()) fields.emplace_back("restates", e.restates_id());
  if (!e.restated_by_id().empty()) fields.emplace_back("restated by", e.restated_by_id());
  if (!e.restatement_reason().empty()) fields.emplace_back("reason", e.restatement_reason());
  if (!e.appeal_id().empty()) fields.emplace_back("appeal", e.appeal_id());
  if (e.has_discard_time()) {
    fields.emplace_back("discarded",
                        absl::StrCat(FormatTimestamp(e.discard_time()), " by ", e.discarded_by()));
  }
  if (!e.discard_reason().empty()) fields.emplace_back("discard reason", e.discard_reason());
  if (e.has_unit_row() && !e.unit_row().flags().empty()) {
    fields.emplace_back("unit flags", absl::StrJoin(e.unit_row().flags(), ", "));
  }
  PrintFields(fields);
  if (e.rows().empty()) return;
  std::cout << "\n";
  Table table({"rank", "rep", "total", "grade", "flags"});
  table.AlignRight(0);
  table.AlignRight(2);
  for (const ev1::Scorecard& row : e.rows()) {
    table.AddRow({absl::StrCat(row.rank()), row.subject().id(), Hundredths(row.total_points()),
                  row.grade(), absl::StrJoin(row.flags(), ", ")});
  }
  table.Print();
  // The orders behind "special_contribution", rep by rep in row order.
  Table special({"rep", "order", "customer", "signed", "amount", "median", "multiple"});
  for (size_t c = 4; c <= 6; ++c) special.AlignRight(c);
  for (const ev1::Scorecard& row : e.rows()) {
    for (const ev1::SpecialContributionOrder& o : row.special_contributions()) {
      special.AddRow(
          {row.subject().id(), o.order_id(), o.customer_id(), o.signed_date(),
           FormatMetricValue(type::v1::METRIC_SALES_AMOUNT, o.amount()),
           FormatMetricValue(type::v1::METRIC_SALES_AMOUNT, std::llround(o.median_amount())),
           absl::StrFormat("%.2fx", o.multiple())});
    }
  }
  if (special.empty()) return;
  std::cout << "\nspecial contributions (orders above 5x the rep's median of the 90 days "
               "before)\n";
  special.Print();
}

void PrintAppeal(const ev1::Appeal& a) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"appeal", a.appeal_id()}, {"evaluation", a.evaluation_id()},     {"rep", a.rep_id()},
      {"reason", a.reason()},    {"state", AppealStateName(a.state())},
  };
  if (!a.decision_reason().empty()) fields.emplace_back("decision", a.decision_reason());
  if (!a.restatement_id().empty()) fields.emplace_back("restatement", a.restatement_id());
  PrintFields(fields);
}

template <typename Response>
int Show(Client& client, const Response& resp) {
  client.json() ? PrintJson(resp.evaluation()) : PrintEvaluation(resp.evaluation());
  return kExitOk;
}

int RunRun(const Invocation& inv) {
  if (!inv.args.Has("period")) return inv.UsageError("--period is required, e.g. 2025-Q1");
  Client& client = inv.client;
  ev1::RunEvaluationRequest req;
  req.set_unit_id(inv.args.positional()[0]);
  req.set_period(inv.args.Get("period"));
  req.set_template_id(inv.args.Get("template"));
  req.set_request_id(client.NewRequestId());
  ev1::RunEvaluationResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::RunEvaluation, req, &resp);
  if (!st.ok()) return client.Fail(st);
  return Show(client, resp);
}

int RunGet(const Invocation& inv) {
  Client& client = inv.client;
  ev1::GetEvaluationRequest req;
  req.set_evaluation_id(inv.args.positional()[0]);
  ev1::GetEvaluationResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::GetEvaluation, req, &resp);
  if (!st.ok()) return client.Fail(st);
  return Show(client, resp);
}

int RunList(const Invocation& inv) {
  Client& client = inv.client;
  ev1::ListEvaluationsRequest req;
  req.set_unit_id(inv.args.Get("unit"));
  req.set_period(inv.args.Get("period"));
  req.set_show_discarded(inv.args.Has("discarded"));
  ev1::ListEvaluationsResponse all;
  grpc::Status st =
      client.ListAll(&ev1::ScorecardService::Stub::ListEvaluations, req, &all,
                     [](const ev1::ListEvaluationsResponse& r) { return r.evaluations_size(); });
  if (!st.ok()) return client.Fail(st);
  if (client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  Table table({"evaluation", "unit", "period", "template", "state", "run", "restates"});
  for (const ev1::Evaluation& e : all.evaluations()) {
    table.AddRow({e.evaluation_id(), e.unit_id(), e.period(),
                  absl::StrCat(e.template_id(), " v", e.template_version()), StateName(e.state()),
                  FormatTimestamp(e.create_time()), e.restates_id()});
  }
  table.Print();
  return kExitOk;
}

int RunFinalise(const Invocation& inv) {
  Client& client = inv.client;
  ev1::FinalizeEvaluationRequest req;
  req.set_evaluation_id(inv.args.positional()[0]);
  req.set_request_id(client.NewRequestId());
  ev1::FinalizeEvaluationResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::FinalizeEvaluation, req, &resp);
  if (!st.ok()) return client.Fail(st);
  return Show(client, resp);
}

int RunRestate(const Invocation& inv) {
  if (!inv.args.Has("reason")) return inv.UsageError("--reason is required: why restate it");
  Client& client = inv.client;
  ev1::RestateEvaluationRequest req;
  req.set_evaluation_id(inv.args.positional()[0]);
  req.set_reason(inv.args.Get("reason"));
  req.set_request_id(client.NewRequestId());
  ev1::RestateEvaluationResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::RestateEvaluation, req, &resp);
  if (!st.ok()) return client.Fail(st);
  return Show(client, resp);
}

int RunDiscard(const Invocation& inv) {
  if (!inv.args.Has("reason")) return inv.UsageError("--reason is required: why discard it");
  Client& client = inv.client;
  ev1::DiscardEvaluationRequest req;
  req.set_evaluation_id(inv.args.positional()[0]);
  req.set_reason(inv.args.Get("reason"));
  req.set_request_id(client.NewRequestId());
  ev1::DiscardEvaluationResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::DiscardEvaluation, req, &resp);
  if (!st.ok()) return client.Fail(st);
  return Show(client, resp);
}

int RunAppeal(const Invocation& inv) {
  if (!inv.args.Has("reason")) return inv.UsageError("--reason is required: why you dispute it");
  Client& client = inv.client;
  ev1::AppealEvaluationRequest req;
  req.set_evaluation_id(inv.args.positional()[0]);
  req.set_reason(inv.args.Get("reason"));
  req.set_request_id(client.NewRequestId());
  ev1::AppealEvaluationResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::AppealEvaluation, req, &resp);
  if (!st.ok()) return client.Fail(st);
  client.json() ? PrintJson(resp.appeal()) : PrintAppeal(resp.appeal());
  return kExitOk;
}

int RunDecide(const Invocation& inv) {
  const bool uphold = inv.args.Has("uphold");
  if (uphold == inv.args.Has("reject")) return inv.UsageError("give one of --uphold or --reject");
  if (!inv.args.Has("reason")) return inv.UsageError("--reason is required: why");
  Client& client = inv.client;
  ev1::DecideAppealRequest req;
  req.set_appeal_id(inv.args.positional()[0]);
  req.set_uphold(uphold);
  req.set_reason(inv.args.Get("reason"));
  req.set_request_id(client.NewRequestId());
  ev1::DecideAppealResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::DecideAppeal, req, &resp);
  if (!st.ok()) return client.Fail(st);
  client.json() ? PrintJson(resp.appeal()) : PrintAppeal(resp.appeal());
  return kExitOk;
}

}  // namespace

std::vector<Command> EvaluationCommands() {
  return {
      {"evaluation run",
       "UNIT --period P [--template ID]",
       "evaluates every rep under UNIT for the period and saves a draft (the unit's assigned "
       "template unless --template)",
       {"period", "template"},
       {},
       1,
       1,
       RunRun},
      {"evaluation get", "ID", "shows an evaluation with its rows", {}, {}, 1, 1, RunGet},
      {"evaluation list",
       "[--unit U] [--period P] [--discarded]",
       "lists evaluations, newest first (discarded drafts too with --discarded)",
       {"unit", "period"},
       {"discarded"},
       0,
       0,
       RunList},
      {"evaluation finalise",
       "ID",
       "makes a draft evaluation final (immutable from then on)",
       {},
       {},
       1,
       1,
       RunFinalise},
      {"evaluation restate",
       "ID --reason TEXT",
       "re-runs a final evaluation as a new draft linked to it",
       {"reason"},
       {},
       1,
       1,
       RunRestate},
      {"evaluation discard",
       "ID --reason TEXT",
       "throws a draft evaluation away (kept as history, counted nowhere; a final one is "
       "restated instead)",
       {"reason"},
       {},
       1,
       1,
       RunDiscard},
      {"evaluation appeal",
       "ID --reason TEXT",
       "disputes your row of a final evaluation (as the rep)",
       {"reason"},
       {},
       1,
       1,
       RunAppeal},
      {"evaluation decide",
       "APPEAL_ID --uphold|--reject --reason TEXT",
       "upholds an appeal (restating the evaluation) or rejects it",
       {"reason"},
       {"uphold", "reject"},
       1,
       1,
       RunDecide},
  };
}

}  // namespace attain::ctl
