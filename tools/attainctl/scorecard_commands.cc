// `attainctl scorecard rep:ID|unit:ID --period P`: a scorecard as a person
// reads it (ScorecardService.GetScorecard): the header with total, grade and
// rank, one table of indicators per dimension in the four columns of seed 000
// (target, actual, gap, attainment) plus points and growth, the breakdowns,
// a rep's special contributions (orders far above their usual) and the
// strongest and weakest indicators.
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
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

// Hundredths as "12.50"; basis points as "104.30 %".
std::string Hundredths(int64_t v) {
  const int64_t a = v < 0 ? -v : v;
  return absl::StrFormat("%s%d.%02d", v < 0 ? "-" : "", a / 100, a % 100);
}
std::string Percent(int64_t bp) { return Hundredths(bp) + " %"; }
std::string SignedPercent(int64_t bp) { return (bp > 0 ? "+" : "") + Percent(bp); }

std::string StatusText(ev1::IndicatorStatus s) {
  switch (s) {
    case ev1::INDICATOR_STATUS_NO_DATA:
      return "no data";
    case ev1::INDICATOR_STATUS_NO_TARGET:
      return "no target";
    default:
      return "";
  }
}

void PrintCard(const ev1::Scorecard& card) {
  std::vector<std::pair<std::string, std::string>> header = {
      {"subject", FormatScope(card.subject())},
      {"period", card.period()},
      {"template", absl::StrCat(card.template_id(), " v", card.template_version())},
      {"total", absl::StrCat(Hundredths(card.total_points()), " points")},
      {"grade", card.grade_note().empty()
                    ? card.grade()
                    : absl::StrCat(card.grade(), " (", card.grade_note(), ")")},
  };
  if (card.rank() > 0) {
    header.emplace_back("rank", absl::StrCat(card.rank(), " of ", card.peer_count()));
  }
  if (!card.flags().empty()) header.emplace_back("flags", absl::StrJoin(card.flags(), ", "));
  PrintFields(header);
  for (const ev1::DimensionRow& d : card.dimensions()) {
    std::cout << "\n"
              << d.name() << ": " << Hundredths(d.points()) << " of " << Hundredths(d.weight())
              << " points\n";
    Table table(
        {"indicator", "target", "actual", "gap", "attainment", "points", "YoY", "MoM", "note"});
    for (size_t c = 1; c <= 7; ++c) table.AlignRight(c);
    for (const ev1::IndicatorRow& r : d.indicators()) {
      const Metric m = r.metric();
      table.AddRow({r.name(), r.has_target() ? FormatMetricValue(m, r.target()) : "",
                    r.has_actual() ? FormatMetricValue(m, r.actual()) : "",
                    r.has_gap() ? FormatMetricValue(m, r.gap()) : "",
                    r.has_attainment_bp() ? Percent(r.attainment_bp()) : "",
                    absl::StrCat(Hundredths(r.points()), " / ", Hundredths(r.max_points())),
                    r.has_yoy_bp() ? SignedPercent(r.yoy_bp()) : "",
                    r.has_mom_bp() ? SignedPercent(r.mom_bp()) : "", StatusText(r.status())});
    }
    table.Print();
  }
  if (!card.breakdowns().empty()) {
    std::cout << "\nbreakdowns\n";
    Table table({"by", "key", "metric", "value", "share"});
    table.AlignRight(3);
    table.AlignRight(4);
    for (const ev1::BreakdownRow& b : card.breakdowns()) {
      table.AddRow({b.dimension(), b.key(), MetricName(b.metric()),
                    FormatMetricValue(b.metric(), b.value()), Percent(b.share_bp())});
    }
    table.Print();
  }
  if (!card.special_contributions().empty()) {
    std::cout << "\nspecial contributions (orders above 5x the rep's median of the 90 days "
                 "before)\n";
    Table table({"order", "customer", "signed", "amount", "median", "multiple"});
    for (size_t c = 3; c <= 5; ++c) table.AlignRight(c);
    for (const ev1::SpecialContributionOrder& o : card.special_contributions()) {
      table.AddRow(
          {o.order_id(), o.customer_id(), o.signed_date(),
           FormatMetricValue(type::v1::METRIC_SALES_AMOUNT, o.amount()),
           FormatMetricValue(type::v1::METRIC_SALES_AMOUNT, std::llround(o.median_amount())),
           absl::StrFormat("%.2fx", o.multiple())});
    }
    table.Print();
  }
  if (!card.strongest_indicator_ids().empty() || !card.weakest_indicator_ids().empty()) {
    std::cout << "\nstrongest: " << absl::StrJoin(card.strongest_indicator_ids(), ", ")
              << "\nweakest:   " << absl::StrJoin(card.weakest_indicator_ids(), ", ") << "\n";
  }
}

int RunScorecard(const Invocation& inv) {
  absl::StatusOr<::attain::type::v1::Scope> subject = ParseScope(inv.args.positional()[0]);
  if (!subject.ok()) return inv.UsageError(subject.status().message());
  if (!inv.args.Has("period")) return inv.UsageError("--period is required, e.g. 2025-Q1");
  ev1::GetScorecardRequest req;
  *req.mutable_subject() = *subject;
  req.set_period(inv.args.Get("period"));
  req.set_template_id(inv.args.Get("template"));
  if (inv.args.Has("version")) {
    int64_t version = 0;
    if (!absl::SimpleAtoi(inv.args.Get("version"), &version) || version < 1) {
      return inv.UsageError("--version takes a template version >= 1");
    }
    req.set_template_version(version);
  }
  Client& client = inv.client;
  ev1::GetScorecardResponse resp;
  grpc::Status st = client.Call(&ev1::ScorecardService::Stub::GetScorecard, req, &resp);
  if (!st.ok()) return client.Fail(st);
  if (client.json()) {
    PrintJson(resp.scorecard());
    return kExitOk;
  }
  PrintCard(resp.scorecard());
  return kExitOk;
}

}  // namespace

std::vector<Command> ScorecardCommands() {
  return {
      {"scorecard",
       "rep:ID|unit:ID --period P [--template ID [--version N]]",
       "shows a scorecard: target, actual, gap, attainment, points and growth per indicator, "
       "dimension subtotals, total, grade, rank among peers and breakdowns (the template "
       "assigned to the subject's unit unless --template)",
       {"period", "template", "version"},
       {},
       1,
       1,
       RunScorecard},
  };
}

}  // namespace attain::ctl
