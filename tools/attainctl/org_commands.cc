// `attainctl org …`: org units, the org tree, reps and product lines
// (attain.target.v1.OrgService).
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"

namespace attain::ctl {
namespace {

using targetv1::OrgService;

std::string KindName(targetv1::OrgUnitKind kind) {
  absl::string_view name = targetv1::OrgUnitKind_Name(kind);
  absl::ConsumePrefix(&name, "ORG_UNIT_KIND_");
  return name.empty() ? absl::StrCat(static_cast<int>(kind)) : absl::AsciiStrToLower(name);
}

bool ParseKind(absl::string_view text, targetv1::OrgUnitKind* kind) {
  const std::string upper = absl::StrCat("ORG_UNIT_KIND_", absl::AsciiStrToUpper(text));
  return !text.empty() && targetv1::OrgUnitKind_Parse(upper, kind) &&
         *kind != targetv1::ORG_UNIT_KIND_UNSPECIFIED;
}

void PrintUnit(const targetv1::OrgUnit& unit) {
  PrintFields({{"Id", unit.unit_id()},
               {"Name", unit.name()},
               {"Kind", KindName(unit.kind())},
               {"Parent", unit.parent_id().empty() ? "-" : unit.parent_id()},
               {"Tier", unit.tier().empty() ? "-" : unit.tier()},
               {"Archived", unit.archived() ? "yes" : "no"},
               {"Created", FormatTimestamp(unit.create_time())}});
}

void PrintRep(const targetv1::Rep& rep) {
  PrintFields({{"Id", rep.rep_id()},
               {"Name", rep.name()},
               {"Hire date", rep.hire_date()},
               {"Team", rep.team_id().empty() ? "-" : rep.team_id()}});
  if (rep.memberships_size() > 0) {
    std::cout << "\n";
    Table table({"team", "from", "to"});
    for (const auto& m : rep.memberships()) {
      table.AddRow({m.team_id(), m.effective_from(), m.effective_to()});
    }
    table.Print();
  }
}

// Output of a call answering with one unit.
template <typename Response>
int ShowUnit(Client& client, const grpc::Status& status, const Response& response) {
  if (!status.ok()) return client.Fail(status);
  if (client.json()) {
    PrintJson(response);
  } else {
    PrintUnit(response.unit());
  }
  return kExitOk;
}

template <typename Response>
int ShowRep(Client& client, const grpc::Status& status, const Response& response) {
  if (!status.ok()) return client.Fail(status);
  if (client.json()) {
    PrintJson(response);
  } else {
    PrintRep(response.rep());
  }
  return kExitOk;
}

// --- units ---------------------------------------------------------------

int UnitCreate(const Invocation& inv) {
  targetv1::CreateOrgUnitRequest request;
  if (!inv.args.Has("name")) return inv.UsageError("--name is required");
  if (!inv.args.Has("kind")) return inv.UsageError("--kind is required");
  targetv1::OrgUnitKind kind;
  if (!ParseKind(inv.args.Get("kind"), &kind)) {
    return inv.UsageError(
        absl::StrCat("--kind \"", inv.args.Get("kind"), "\" is not company, region or team"));
  }
  if (kind == targetv1::ORG_UNIT_KIND_COMPANY && inv.args.Has("parent")) {
    return inv.UsageError("a company has no parent: drop --parent");
  }
  if (kind != targetv1::ORG_UNIT_KIND_COMPANY && !inv.args.Has("parent")) {
    return inv.UsageError(absl::StrCat("a ", KindName(kind), " needs --parent"));
  }
  request.set_request_id(inv.client.NewRequestId());
  request.set_unit_id(inv.args.Get("id"));
  request.set_parent_id(inv.args.Get("parent"));
  request.set_name(inv.args.Get("name"));
  request.set_kind(kind);
  request.set_tier(inv.args.Get("tier"));
  targetv1::CreateOrgUnitResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::CreateOrgUnit, request, &response);
  return ShowUnit(inv.client, status, response);
}

// Every unit (following pages), ordered by id.
grpc::Status ListUnits(Client& client, const std::string& parent, bool include_archived,
                       targetv1::ListOrgUnitsResponse* all) {
  targetv1::ListOrgUnitsRequest request;
  request.set_parent_id(parent);
  request.set_include_archived(include_archived);
  return client.ListAll(&OrgService::Stub::ListOrgUnits, request, all,
                        [](const targetv1::ListOrgUnitsResponse& r) { return r.units_size(); });
}

// Every rep (following pages), with team_id as of `as_of` ("" = today).
grpc::Status ListReps(Client& client, const std::string& unit, const std::string& as_of,
                      targetv1::ListRepsResponse* all) {
  targetv1::ListRepsRequest request;
  request.set_unit_id(unit);
  request.set_as_of(as_of);
  return client.ListAll(&OrgService::Stub::ListReps, request, all,
                        [](const targetv1::ListRepsResponse& r) { return r.reps_size(); });
}

int UnitList(const Invocation& inv) {
  const bool all = inv.args.Has("all");
  targetv1::ListOrgUnitsResponse response;
  const grpc::Status status = ListUnits(inv.client, inv.args.Get("parent"), all, &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  if (response.units().empty()) {
    std::cout << "no org units\n";
    return kExitOk;
  }
  std::vector<std::string> headers = {"id", "name", "kind", "parent", "tier"};
  if (all) headers.push_back("archived");
  Table table(headers);
  for (const auto& u : response.units()) {
    table.AddRow({u.unit_id(), u.name(), KindName(u.kind()), u.parent_id(), u.tier(),
                  u.archived() ? "yes" : ""});
  }
  table.Print();
  return kExitOk;
}

int UnitGet(const Invocation& inv) {
  targetv1::GetOrgUnitRequest request;
  request.set_unit_id(inv.args.positional()[0]);
  targetv1::GetOrgUnitResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::GetOrgUnit, request, &response);
  return ShowUnit(inv.client, status, response);
}

int UnitUpdate(const Invocation& inv, const std::string& field) {
  targetv1::UpdateOrgUnitRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.mutable_unit()->set_unit_id(inv.args.positional()[0]);
  if (field == "name") {
    request.mutable_unit()->set_name(inv.args.positional()[1]);
  } else {
    request.mutable_unit()->set_tier(inv.args.positional()[1]);
  }
  request.mutable_update_mask()->add_paths(field);
  targetv1::UpdateOrgUnitResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::UpdateOrgUnit, request, &response);
  return ShowUnit(inv.client, status, response);
}

int UnitMove(const Invocation& inv) {
  targetv1::MoveOrgUnitRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_unit_id(inv.args.positional()[0]);
  request.set_new_parent_id(inv.args.positional()[1]);
  targetv1::MoveOrgUnitResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::MoveOrgUnit, request, &response);
  return ShowUnit(inv.client, status, response);
}

int UnitArchive(const Invocation& inv) {
  targetv1::ArchiveOrgUnitRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_unit_id(inv.args.positional()[0]);
  targetv1::ArchiveOrgUnitResponse response;
  const grpc::Status status =
      inv.client.Call(&OrgService::Stub::ArchiveOrgUnit, request, &response);
  return ShowUnit(inv.client, status, response);
}

// --- tree ----------------------------------------------------------------

struct Tree {
  std::map<std::string, const targetv1::OrgUnit*> units;                  // by id
  std::map<std::string, std::vector<const targetv1::OrgUnit*>> children;  // by parent id
  std::map<std::string, std::vector<const targetv1::Rep*>> reps;          // by team id
  std::vector<const targetv1::OrgUnit*> roots;
};

std::string UnitLabel(const targetv1::OrgUnit& u) {
  std::string label = KindName(u.kind());
  if (!u.tier().empty()) absl::StrAppend(&label, ", tier ", u.tier());
  if (u.archived()) absl::StrAppend(&label, ", archived");
  return label;
}

void PrintSubtree(const Tree& tree, const targetv1::OrgUnit& unit, int depth, std::string* out) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  absl::StrAppend(out, indent, unit.unit_id(), "  ", unit.name(), "  (", UnitLabel(unit), ")\n");
  if (auto it = tree.reps.find(unit.unit_id()); it != tree.reps.end()) {
    for (const targetv1::Rep* rep : it->second) {
      absl::StrAppend(out, indent, "  ", rep->rep_id(), "  ", rep->name(), "  (rep, hired ",
                      rep->hire_date(), ")\n");
    }
  }
  if (auto it = tree.children.find(unit.unit_id()); it != tree.children.end()) {
    for (const targetv1::OrgUnit* child : it->second) PrintSubtree(tree, *child, depth + 1, out);
  }
}

nlohmann::ordered_json SubtreeJson(const Tree& tree, const targetv1::OrgUnit& unit) {
  nlohmann::ordered_json node = {{"unit_id", unit.unit_id()},
                                 {"name", unit.name()},
                                 {"kind", KindName(unit.kind())},
                                 {"tier", unit.tier()},
                                 {"archived", unit.archived()},
                                 {"reps", nlohmann::ordered_json::array()},
                                 {"children", nlohmann::ordered_json::array()}};
  if (auto it = tree.reps.find(unit.unit_id()); it != tree.reps.end()) {
    for (const targetv1::Rep* rep : it->second) {
      node["reps"].push_back(
          {{"rep_id", rep->rep_id()}, {"name", rep->name()}, {"hire_date", rep->hire_date()}});
    }
  }
  if (auto it = tree.children.find(unit.unit_id()); it != tree.children.end()) {
    for (const targetv1::OrgUnit* child : it->second) {
      node["children"].push_back(SubtreeJson(tree, *child));
    }
  }
  return node;
}

int OrgTree(const Invocation& inv) {
  targetv1::ListOrgUnitsResponse units;
  grpc::Status status = ListUnits(inv.client, "", inv.args.Has("all"), &units);
  if (!status.ok()) return inv.client.Fail(status);
  targetv1::ListRepsResponse reps;
  status = ListReps(inv.client, "", inv.args.Get("as-of"), &reps);
  if (!status.ok()) return inv.client.Fail(status);

  Tree tree;
  for (const auto& u : units.units()) tree.units[u.unit_id()] = &u;
  for (const auto& u : units.units()) {
    if (u.parent_id().empty() || tree.units.count(u.parent_id()) == 0) {
      tree.roots.push_back(&u);
    } else {
      tree.children[u.parent_id()].push_back(&u);
    }
  }
  std::vector<const targetv1::Rep*> unplaced;
  for (const auto& r : reps.reps()) {
    if (!r.team_id().empty() && tree.units.count(r.team_id()) > 0) {
      tree.reps[r.team_id()].push_back(&r);
    } else {
      unplaced.push_back(&r);
    }
  }

  if (inv.client.json()) {
    nlohmann::ordered_json doc = {{"units", nlohmann::ordered_json::array()},
                                  {"reps_without_team", nlohmann::ordered_json::array()}};
    for (const targetv1::OrgUnit* root : tree.roots)
      doc["units"].push_back(SubtreeJson(tree, *root));
    for (const targetv1::Rep* rep : unplaced) {
      doc["reps_without_team"].push_back({{"rep_id", rep->rep_id()},
                                          {"name", rep->name()},
                                          {"team_id", rep->team_id()},
                                          {"hire_date", rep->hire_date()}});
    }
    PrintJson(doc);
    return kExitOk;
  }
  if (tree.roots.empty() && unplaced.empty()) {
    std::cout << "no org units: create the company with `attainctl org unit create --kind "
                 "company --name NAME`\n";
    return kExitOk;
  }
  std::string out;
  for (const targetv1::OrgUnit* root : tree.roots) PrintSubtree(tree, *root, 0, &out);
  if (!unplaced.empty()) {
    absl::StrAppend(&out, "reps in no listed team:\n");
    for (const targetv1::Rep* rep : unplaced) {
      absl::StrAppend(&out, "  ", rep->rep_id(), "  ", rep->name(), "  (team ",
                      rep->team_id().empty() ? "none" : rep->team_id(), ")\n");
    }
  }
  std::cout << out << std::flush;
  return kExitOk;
}

// --- reps ----------------------------------------------------------------

int RepCreate(const Invocation& inv) {
  for (const char* flag : {"name", "team", "hire-date"}) {
    if (!inv.args.Has(flag)) return inv.UsageError(absl::StrCat("--", flag, " is required"));
  }
  targetv1::CreateRepRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_rep_id(inv.args.Get("id"));
  request.set_name(inv.args.Get("name"));
  request.set_team_id(inv.args.Get("team"));
  request.set_hire_date(inv.args.Get("hire-date"));
  request.set_effective_from(inv.args.Get("from"));
  targetv1::CreateRepResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::CreateRep, request, &response);
  return ShowRep(inv.client, status, response);
}

int RepList(const Invocation& inv) {
  targetv1::ListRepsResponse response;
  const grpc::Status status =
      ListReps(inv.client, inv.args.Get("unit"), inv.args.Get("as-of"), &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  if (response.reps().empty()) {
    std::cout << "no reps\n";
    return kExitOk;
  }
  Table table({"id", "name", "team", "hire date", "in team since"});
  for (const auto& r : response.reps()) {
    std::string since;
    for (const auto& m : r.memberships()) {
      if (m.team_id() == r.team_id()) since = m.effective_from();
    }
    table.AddRow({r.rep_id(), r.name(), r.team_id(), r.hire_date(), since});
  }
  table.Print();
  return kExitOk;
}

int RepGet(const Invocation& inv) {
  targetv1::GetRepRequest request;
  request.set_rep_id(inv.args.positional()[0]);
  request.set_as_of(inv.args.Get("as-of"));
  targetv1::GetRepResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::GetRep, request, &response);
  return ShowRep(inv.client, status, response);
}

int RepMove(const Invocation& inv) {
  if (!inv.args.Has("team")) return inv.UsageError("--team is required");
  if (!inv.args.Has("from")) return inv.UsageError("--from is required");
  targetv1::MoveRepRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_rep_id(inv.args.positional()[0]);
  request.set_team_id(inv.args.Get("team"));
  request.set_effective_from(inv.args.Get("from"));
  targetv1::MoveRepResponse response;
  const grpc::Status status = inv.client.Call(&OrgService::Stub::MoveRep, request, &response);
  return ShowRep(inv.client, status, response);
}

// --- product lines -------------------------------------------------------

int ProductLineCreate(const Invocation& inv) {
  if (!inv.args.Has("name")) return inv.UsageError("--name is required");
  targetv1::CreateProductLineRequest request;
  request.set_request_id(inv.client.NewRequestId());
  request.set_product_line_id(inv.args.Get("id"));
  request.set_name(inv.args.Get("name"));
  targetv1::CreateProductLineResponse response;
  const grpc::Status status =
      inv.client.Call(&OrgService::Stub::CreateProductLine, request, &response);
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
  } else {
    PrintFields({{"Id", response.product_line().product_line_id()},
                 {"Name", response.product_line().name()}});
  }
  return kExitOk;
}

int ProductLineList(const Invocation& inv) {
  targetv1::ListProductLinesResponse response;
  const grpc::Status status = inv.client.ListAll(
      &OrgService::Stub::ListProductLines, targetv1::ListProductLinesRequest(), &response,
      [](const targetv1::ListProductLinesResponse& r) { return r.product_lines_size(); });
  if (!status.ok()) return inv.client.Fail(status);
  if (inv.client.json()) {
    PrintJson(response);
    return kExitOk;
  }
  if (response.product_lines().empty()) {
    std::cout << "no product lines\n";
    return kExitOk;
  }
  Table table({"id", "name"});
  for (const auto& p : response.product_lines()) table.AddRow({p.product_line_id(), p.name()});
  table.Print();
  return kExitOk;
}

}  // namespace

std::vector<Command> OrgCommands() {
  std::vector<Command> c;
  c.push_back({"org unit create",
               "--name N --kind company|region|team [--parent ID] [--id ID] [--tier T]",
               "creates an org unit (a company has no parent; regions and teams need one)",
               {"name", "kind", "parent", "id", "tier"},
               {},
               0,
               0,
               UnitCreate});
  c.push_back({"org unit list",
               "[--parent ID] [--all]",
               "lists org units (only the children of --parent; --all includes archived ones)",
               {"parent"},
               {"all"},
               0,
               0,
               UnitList});
  c.push_back({"org unit get", "ID", "shows one org unit", {}, {}, 1, 1, UnitGet});
  c.push_back({"org unit rename",
               "ID NEW_NAME",
               "renames an org unit",
               {},
               {},
               2,
               2,
               [](const Invocation& inv) { return UnitUpdate(inv, "name"); }});
  c.push_back({"org unit set-tier",
               "ID TIER",
               "sets an org unit's tier label (e.g. strategic, consolidation, potential)",
               {},
               {},
               2,
               2,
               [](const Invocation& inv) { return UnitUpdate(inv, "tier"); }});
  c.push_back({"org unit move",
               "ID NEW_PARENT",
               "moves an org unit with its subtree",
               {},
               {},
               2,
               2,
               UnitMove});
  c.push_back({"org unit archive",
               "ID",
               "archives an org unit (it must have no active child units or current reps)",
               {},
               {},
               1,
               1,
               UnitArchive});
  c.push_back({"org tree",
               "[--all] [--as-of YYYY-MM-DD]",
               "prints the org tree with each team's reps (on --as-of, default today)",
               {"as-of"},
               {"all"},
               0,
               0,
               OrgTree});
  c.push_back({"org rep create",
               "--name N --team ID --hire-date YYYY-MM-DD [--id ID] [--from YYYY-MM-DD]",
               "creates a rep in a team from --from (default: the hire date)",
               {"name", "team", "hire-date", "id", "from"},
               {},
               0,
               0,
               RepCreate});
  c.push_back({"org rep list",
               "[--unit ID] [--as-of YYYY-MM-DD]",
               "lists reps (only those in --unit's subtree on --as-of, default today)",
               {"unit", "as-of"},
               {},
               0,
               0,
               RepList});
  c.push_back({"org rep get",
               "ID [--as-of YYYY-MM-DD]",
               "shows a rep with the team history",
               {"as-of"},
               {},
               1,
               1,
               RepGet});
  c.push_back({"org rep move",
               "ID --team ID --from YYYY-MM-DD",
               "moves a rep to another team from a date (results before it stay with the old "
               "team)",
               {"team", "from"},
               {},
               1,
               1,
               RepMove});
  c.push_back({"org product-line create",
               "--name N [--id ID]",
               "creates a product line",
               {"name", "id"},
               {},
               0,
               0,
               ProductLineCreate});
  c.push_back({"org product-line list", "", "lists product lines", {}, {}, 0, 0, ProductLineList});
  return c;
}

}  // namespace attain::ctl
