// `attainctl template …`: scorecard templates of the evaluation service
// (attain.eval.v1.TemplateService at --eval-addr).
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"

namespace attain::ctl {
namespace {

namespace ev1 = ::attain::eval::v1;

// Hundredths of a point as "12.5".
std::string Points(int64_t hundredths) {
  std::string text = absl::StrFormat("%d.%02d", hundredths / 100,
                                     (hundredths < 0 ? -hundredths : hundredths) % 100);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string RuleText(const ev1::Indicator& ind) {
  switch (ind.rule_case()) {
    case ev1::Indicator::kLinear:
      return absl::StrCat("linear, cap ", ind.linear().cap_bp() / 100, "%");
    case ev1::Indicator::kStepDeduction:
      return absl::StrCat("step: -", Points(ind.step_deduction().deduction()), " per ",
                          Points(ind.step_deduction().step_bp()), "% below 100%");
    case ev1::Indicator::kBands:
      return absl::StrCat("bands (", ind.bands().bands_size(), ")");
    case ev1::Indicator::kScale:
      return absl::StrCat("scale (", ind.scale().levels_size(), " levels)");
    case ev1::Indicator::kInverse:
      return absl::StrCat("inverse, cap ", ind.inverse().cap_bp() / 100, "%");
    case ev1::Indicator::RULE_NOT_SET:
      break;
  }
  return "-";
}

void PrintTemplate(const ev1::ScorecardTemplate& t) {
  PrintFields({{"Template", t.template_id()},
               {"Version", absl::StrCat(t.version())},
               {"Name", t.name()},
               {"Preset", t.preset()},
               {"Updated", FormatTimestamp(t.update_time())},
               {"Updated by", t.updated_by()}});
  Table table({"dimension", "weight", "indicator", "metric", "target", "points", "rule"});
  table.AlignRight(1).AlignRight(5);
  for (const ev1::Dimension& d : t.dimensions()) {
    for (const ev1::Indicator& ind : d.indicators()) {
      std::string target = ev1::TargetSource_Name(ind.target_source()).substr(14);
      if (ind.has_fixed_target()) absl::StrAppend(&target, " ", ind.fixed_target());
      table.AddRow({d.id(), Points(d.weight()), ind.id(),
                    ::attain::type::v1::Metric_Name(ind.metric()).substr(7), target,
                    Points(ind.points()), RuleText(ind)});
    }
  }
  std::cout << "\n";
  table.Print();
  Table grades({"grade", "from points", "note"});
  for (const ev1::GradeBand& g : t.grades()) {
    grades.AddRow({g.name(), g.has_min_points() ? Points(g.min_points()) : "-", g.note()});
  }
  std::cout << "\n";
  grades.Print();
}

int RunImport(const Invocation& inv) {
  const std::string& path = inv.args.positional()[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) return inv.UsageError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  ev1::ScorecardTemplate definition;
  google::protobuf::util::JsonParseOptions options;
  if (auto st = google::protobuf::util::JsonStringToMessage(text.str(), &definition, options);
      !st.ok()) {
    std::cerr << "error: " << path << " is not a ScorecardTemplate in proto JSON: " << st.message()
              << "\n";
    return kExitUsage;
  }
  Client& client = inv.client;
  // With --expected-version it is a new version of an existing template.
  if (inv.args.Has("expected-version")) {
    int64_t expected = 0;
    if (!absl::SimpleAtoi(inv.args.Get("expected-version"), &expected)) {
      return inv.UsageError("--expected-version takes a number");
    }
    ev1::UpdateTemplateRequest req;
    req.set_request_id(client.NewRequestId());
    *req.mutable_template_() = definition;
    if (inv.args.Has("id")) req.mutable_template_()->set_template_id(inv.args.Get("id"));
    req.set_expected_version(expected);
    ev1::UpdateTemplateResponse resp;
    grpc::Status st = client.Call(&ev1::TemplateService::Stub::UpdateTemplate, req, &resp);
    if (!st.ok()) return client.Fail(st);
    client.json() ? PrintJson(resp.template_()) : PrintTemplate(resp.template_());
    return kExitOk;
  }
  ev1::CreateTemplateRequest req;
  req.set_request_id(client.NewRequestId());
  req.set_template_id(inv.args.Get("id"));
  *req.mutable_template_() = definition;
  ev1::CreateTemplateResponse resp;
  grpc::Status st = client.Call(&ev1::TemplateService::Stub::CreateTemplate, req, &resp);
  if (!st.ok()) return client.Fail(st);
  client.json() ? PrintJson(resp.template_()) : PrintTemplate(resp.template_());
  return kExitOk;
}

int RunList(const Invocation& inv) {
  Client& client = inv.client;
  ev1::ListTemplatesRequest req;
  req.set_preset(inv.args.Get("preset"));
  req.set_name_contains(inv.args.Get("name"));
  ev1::ListTemplatesResponse all;
  grpc::Status st =
      client.ListAll(&ev1::TemplateService::Stub::ListTemplates, req, &all,
                     [](const ev1::ListTemplatesResponse& r) { return r.templates_size(); });
  if (!st.ok()) return client.Fail(st);
  if (client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  Table table({"template", "version", "name", "preset", "updated"});
  table.AlignRight(1);
  for (const ev1::ScorecardTemplate& t : all.templates()) {
    table.AddRow({t.template_id(), absl::StrCat(t.version()), t.name(), t.preset(),
                  FormatTimestamp(t.update_time())});
  }
  table.Print();
  return kExitOk;
}

int RunGet(const Invocation& inv) {
  Client& client = inv.client;
  ev1::GetTemplateRequest req;
  req.set_template_id(inv.args.positional()[0]);
  if (inv.args.Has("version")) {
    int64_t version = 0;
    if (!absl::SimpleAtoi(inv.args.Get("version"), &version) || version < 1) {
      return inv.UsageError("--version takes a version number >= 1");
    }
    req.set_version(version);
  }
  ev1::GetTemplateResponse resp;
  grpc::Status st = client.Call(&ev1::TemplateService::Stub::GetTemplate, req, &resp);
  if (!st.ok()) return client.Fail(st);
  client.json() ? PrintJson(resp.template_()) : PrintTemplate(resp.template_());
  return kExitOk;
}

int RunPresets(const Invocation& inv) {
  Client& client = inv.client;
  ev1::ListPresetsResponse resp;
  grpc::Status st =
      client.Call(&ev1::TemplateService::Stub::ListPresets, ev1::ListPresetsRequest(), &resp);
  if (!st.ok()) return client.Fail(st);
  if (client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  Table table({"preset", "dimensions", "description"});
  for (const ev1::Preset& p : resp.presets()) {
    std::string dims;
    for (const ev1::Dimension& d : p.template_().dimensions()) {
      absl::StrAppend(&dims, dims.empty() ? "" : " / ", d.id(), " ", Points(d.weight()));
    }
    table.AddRow({p.name(), dims, p.description()});
  }
  table.Print();
  return kExitOk;
}

}  // namespace

std::vector<Command> TemplateCommands() {
  return {
      {"template import",
       "FILE.json [--id ID] [--expected-version N]",
       "creates a scorecard template from its proto JSON (attain.eval.v1.ScorecardTemplate); "
       "with --expected-version, makes the next version of template --id (or the file's "
       "template_id)",
       {"id", "expected-version"},
       {},
       1,
       1,
       RunImport},
      {"template list",
       "[--preset NAME] [--name TEXT]",
       "lists scorecard templates at their latest versions",
       {"preset", "name"},
       {},
       0,
       0,
       RunList},
      {"template get",
       "ID [--version N]",
       "shows a scorecard template (the latest version unless --version)",
       {"version"},
       {},
       1,
       1,
       RunGet},
      {"template presets",
       "",
       "lists the preset templates of the seed documents",
       {},
       {},
       0,
       0,
       RunPresets},
  };
}

}  // namespace attain::ctl
