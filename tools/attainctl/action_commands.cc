// `attainctl action …` and `person record`: action items (改进行动表) of the
// review service (attain.review.v1.ActionItemService at --review-addr) from
// creation through submission, acceptance, progress reports and the overdue
// list to verification, and a person's record. Mutations carry a request id
// (--request-id, or a fresh one); status changes and edits take --version N,
// or read the item's current version first when it is not given.
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "attain/review/v1/action_service.grpc.pb.h"
#include "common/metric.h"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

namespace rv1 = ::attain::review::v1;
using Stub = rv1::ActionItemService::Stub;

// The action-item service on its own channel to --review-addr, calls made
// with the client's contexts (deadline, token).
class Actions {
 public:
  explicit Actions(Client& client) : client_(client) {
    stub_ = rv1::ActionItemService::NewStub(client.OpenChannel(client.options().review_addr));
  }

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    std::unique_ptr<grpc::ClientContext> context = client_.NewContext();
    return (stub_.get()->*method)(context.get(), request, response);
  }

  // Reports a failed call (with a hint naming the review service when it
  // cannot be reached); returns kExitFailure.
  int Fail(const grpc::Status& status) const {
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return client_.Fail(status);
    std::cerr << "error: " << StatusCodeName(status.error_code()) << ": " << status.error_message()
              << "\nhint: is attain-review running at " << client_.options().review_addr
              << "? (point --review-addr or ATTAIN_REVIEW_ADDR at it)\n"
              << std::flush;
    return kExitFailure;
  }

 private:
  Client& client_;
  std::unique_ptr<Stub> stub_;
};

// ------------------------------------------------------------------ names

std::string StatusText(rv1::ActionStatus s) {
  std::string name = rv1::ActionStatus_Name(s);
  if (absl::StartsWith(name, "ACTION_STATUS_")) name = name.substr(14);
  return absl::AsciiStrToLower(name);
}

// "draft", "in-progress", "IN_PROGRESS", "ACTION_STATUS_DONE" …
bool ParseStatus(std::string text, rv1::ActionStatus* out) {
  text = absl::AsciiStrToUpper(text);
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &text);
  if (!absl::StartsWith(text, "ACTION_STATUS_")) text = "ACTION_STATUS_" + text;
  return rv1::ActionStatus_Parse(text, out) && *out != rv1::ACTION_STATUS_UNSPECIFIED;
}

std::string MetricText(type::v1::Metric m) {
  absl::StatusOr<MetricInfo> info = LookupMetric(static_cast<int>(m));
  return info.ok() ? std::string(info->name) : "";
}

std::string ExpectedText(const rv1::ExpectedResult& e) {
  if (e.metric() == type::v1::METRIC_UNSPECIFIED) return e.text();
  return absl::StrFormat("%s of %s %s %s %s by %s", MetricText(e.metric()),
                         e.scope().kind() == type::v1::SCOPE_KIND_REP ? "rep" : "unit",
                         e.scope().id(), e.lower_is_better() ? "<=" : ">=",
                         FormatMetricValue(e.metric(), e.target_value()), e.period());
}

// ------------------------------------------------------------------ output

void PrintItem(const rv1::ActionItem& i) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Action", i.action_id()},
      {"Meeting", i.meeting_id()},
      {"Title", i.title()},
      {"Status", StatusText(i.status())},
      {"Owner", i.owner_id()},
      {"Departments", absl::StrJoin(i.departments(), ", ")},
      {"Due", i.due_date().empty() ? "-" : i.due_date() + (i.overdue() ? "  (OVERDUE)" : "")},
      {"Expected", ExpectedText(i.expected_result())},
      {"Version", absl::StrCat(i.version())},
      {"Created", FormatTimestamp(i.create_time())},
  };
  if (!i.measures().empty()) fields.insert(fields.begin() + 3, {"Measures", i.measures()});
  if (!i.responsible_department().empty()) {
    fields.emplace_back("Responsible", i.responsible_department());
  }
  if (!i.resources().empty()) fields.emplace_back("Resources", i.resources());
  if (!i.parent_action_id().empty()) fields.emplace_back("Part of", i.parent_action_id());
  if (!i.child_action_ids().empty()) {
    fields.emplace_back("Parts", absl::StrJoin(i.child_action_ids(), ", "));
  }
  if (!i.progress_due_date().empty()) fields.emplace_back("Progress due", i.progress_due_date());
  if (i.has_verification()) {
    const rv1::Verification& v = i.verification();
    std::string text = v.achieved() ? "achieved" : "not achieved";
    if (v.has_actual_value()) absl::StrAppend(&text, ", actual ", v.actual_value());
    absl::StrAppend(&text, v.automatic() ? " (automatic" : " (by the committee");
    if (!v.evaluation_id().empty()) absl::StrAppend(&text, ", evaluation ", v.evaluation_id());
    absl::StrAppend(&text, ")");
    fields.emplace_back("Verified", text);
  }
  PrintFields(fields);
  if (!i.history().empty()) {
    std::cout << "\n";
    Table table({"when", "from", "to", "by", "note"});
    for (const rv1::StatusChange& c : i.history()) {
      table.AddRow({FormatTimestamp(c.change_time()),
                    c.from() == rv1::ACTION_STATUS_UNSPECIFIED ? "-" : StatusText(c.from()),
                    StatusText(c.to()), c.changed_by(), c.note()});
      for (const rv1::SmartFailure& f : c.smart_failures()) {
        table.AddRow(
            {"", "", "", "", absl::StrCat("  ", f.criterion(), " ", f.field(), ": ", f.message())});
      }
    }
    table.Print();
  }
  if (!i.progress().empty()) {
    std::cout << "\n";
    Table table({"as of", "value", "done", "by", "note"});
    table.AlignRight(1).AlignRight(2);
    for (const rv1::ProgressReport& p : i.progress()) {
      const type::v1::Metric metric = i.expected_result().metric();
      table.AddRow({p.as_of_date(),
                    !p.has_value()                           ? "-"
                    : metric == type::v1::METRIC_UNSPECIFIED ? absl::StrCat(p.value())
                                                             : FormatMetricValue(metric, p.value()),
                    absl::StrFormat("%d.%02d %%", p.done_bp() / 100, p.done_bp() % 100),
                    p.reported_by(), p.note()});
    }
    table.Print();
  }
}

void PrintItemTable(const google::protobuf::RepeatedPtrField<rv1::ActionItem>& items) {
  Table table({"action", "status", "owner", "department", "due", "title"});
  for (const rv1::ActionItem& i : items) {
    table.AddRow({i.action_id(), StatusText(i.status()), i.owner_id(),
                  i.responsible_department().empty() ? absl::StrJoin(i.departments(), "+")
                                                     : i.responsible_department(),
                  i.due_date() + (i.overdue() ? " !" : ""), i.title()});
  }
  table.Print();
}

// The SMART reasons of a submission that came back RETURNED, on stderr.
int ReportReturned(const rv1::ActionItem& item) {
  std::cerr << "returned: " << item.action_id() << " failed the SMART check:\n";
  if (!item.history().empty()) {
    for (const rv1::SmartFailure& f : item.history(item.history_size() - 1).smart_failures()) {
      std::cerr << "  " << f.criterion() << " (" << f.field() << "): " << f.message() << "\n";
    }
  }
  std::cerr << "fix it with `attainctl action update " << item.action_id()
            << " …` and submit again\n"
            << std::flush;
  return kExitFailure;
}

// ------------------------------------------------------------------ input

bool IntFlag(const Invocation& inv, const std::string& name, int64_t* out, int* rc) {
  if (!absl::SimpleAtoi(inv.args.Get(name), out)) {
    *rc = inv.UsageError(absl::StrCat("--", name, " takes a whole number"));
    return false;
  }
  return true;
}

bool HasExpectedFlags(const Invocation& inv) {
  for (const char* f : {"expect", "metric", "scope", "target", "period"}) {
    if (inv.args.Has(f)) return true;
  }
  return inv.args.Has("lower-is-better");
}

// Applies --expect TEXT, --metric NAME, --scope rep:ID|unit:ID, --target N,
// --period P and --lower-is-better to `e`.
bool ReadExpected(const Invocation& inv, rv1::ExpectedResult* e, int* rc) {
  if (inv.args.Has("expect")) e->set_text(inv.args.Get("expect"));
  if (inv.args.Has("metric")) {
    const std::string name = inv.args.Get("metric");
    if (name.empty() || name == "none") {
      e->set_metric(type::v1::METRIC_UNSPECIFIED);
    } else {
      absl::StatusOr<MetricInfo> info = LookupMetricByName(name);
      if (!info.ok()) {
        *rc = inv.UsageError(absl::StrCat("--metric: ", info.status().message()));
        return false;
      }
      e->set_metric(static_cast<type::v1::Metric>(info->number));
    }
  }
  if (inv.args.Has("scope")) {
    std::vector<std::string> parts = absl::StrSplit(inv.args.Get("scope"), absl::MaxSplits(':', 1));
    if (parts.size() != 2 || (parts[0] != "rep" && parts[0] != "unit") || parts[1].empty()) {
      *rc = inv.UsageError("--scope is rep:ID or unit:ID, e.g. rep:r1");
      return false;
    }
    e->mutable_scope()->set_kind(parts[0] == "rep" ? type::v1::SCOPE_KIND_REP
                                                   : type::v1::SCOPE_KIND_UNIT);
    e->mutable_scope()->set_id(parts[1]);
  }
  if (inv.args.Has("target")) {
    // In the metric's unit as people write it (money in major units,
    // "1,300,000.00"; ratios in %), like the targets' and reports' figures.
    if (e->metric() == type::v1::METRIC_UNSPECIFIED) {
      *rc = inv.UsageError("--target needs --metric (the target is in the metric's unit)");
      return false;
    }
    absl::StatusOr<int64_t> target = ParseMetricValue(e->metric(), inv.args.Get("target"));
    if (!target.ok()) {
      *rc = inv.UsageError(absl::StrCat("--target: ", target.status().message()));
      return false;
    }
    e->set_target_value(*target);
  }
  if (inv.args.Has("period")) e->set_period(inv.args.Get("period"));
  if (inv.args.Has("lower-is-better")) e->set_lower_is_better(true);
  return true;
}

// The item as it is now (for its version, or to edit part of it).
bool Fetch(Actions& actions, const std::string& id, rv1::ActionItem* out, int* rc) {
  rv1::GetActionItemRequest req;
  req.set_action_id(id);
  rv1::GetActionItemResponse resp;
  grpc::Status st = actions.Call(&Stub::GetActionItem, req, &resp);
  if (!st.ok()) {
    *rc = actions.Fail(st);
    return false;
  }
  *out = resp.item();
  return true;
}

// --version N, or the item's current version.
bool Version(const Invocation& inv, Actions& actions, const std::string& id, int64_t* out,
             int* rc) {
  if (inv.args.Has("version")) return IntFlag(inv, "version", out, rc);
  rv1::ActionItem item;
  if (!Fetch(actions, id, &item, rc)) return false;
  *out = item.version();
  return true;
}

// ------------------------------------------------------------------ commands

int RunCreate(const Invocation& inv) {
  Actions actions(inv.client);
  for (const char* flag : {"meeting", "title", "department"}) {
    if (!inv.args.Has(flag)) return inv.UsageError(absl::StrCat("--", flag, " is required"));
  }
  int rc = kExitOk;
  rv1::CreateActionItemRequest req;
  rv1::ActionItem* i = req.mutable_item();
  i->set_meeting_id(inv.args.Get("meeting"));
  i->set_title(inv.args.Get("title"));
  i->set_measures(inv.args.Get("measures"));
  for (const std::string& d : inv.args.GetAll("department")) i->add_departments(d);
  i->set_owner_id(inv.args.Get("owner"));
  i->set_due_date(inv.args.Get("due"));
  i->set_resources(inv.args.Get("resources"));
  i->set_report_id(inv.args.Get("report"));
  i->set_cause_id(inv.args.Get("cause"));
  if (!ReadExpected(inv, i->mutable_expected_result(), &rc)) return rc;
  req.set_request_id(inv.client.NewRequestId());
  rv1::CreateActionItemResponse resp;
  grpc::Status st = actions.Call(&Stub::CreateActionItem, req, &resp);
  if (!st.ok()) return actions.Fail(st);
  if (inv.client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  PrintItem(resp.item());
  if (!resp.parts().empty()) {
    std::cout << "\nSplit into " << resp.parts_size() << " department parts:\n\n";
    PrintItemTable(resp.parts());
  }
  return kExitOk;
}

int RunGet(const Invocation& inv) {
  Actions actions(inv.client);
  int rc = kExitOk;
  rv1::ActionItem item;
  if (!Fetch(actions, inv.args.positional()[0], &item, &rc)) return rc;
  inv.client.json() ? PrintJson(item) : PrintItem(item);
  return kExitOk;
}

int RunList(const Invocation& inv) {
  Actions actions(inv.client);
  int rc = kExitOk;
  rv1::ListActionItemsRequest req;
  req.set_meeting_id(inv.args.Get("meeting"));
  req.set_owner_id(inv.args.Get("owner"));
  req.set_department(inv.args.Get("department"));
  for (const std::string& s : inv.args.GetAll("status")) {
    rv1::ActionStatus status;
    if (!ParseStatus(s, &status)) {
      return inv.UsageError(absl::StrCat(
          "--status \"", s,
          "\" is not a status: draft, submitted, accepted, returned, in_progress, done, "
          "verified_achieved or verified_not_achieved"));
    }
    req.add_statuses(status);
  }
  int64_t limit = 0;
  if (inv.args.Has("limit") && !IntFlag(inv, "limit", &limit, &rc)) return rc;
  rv1::ListActionItemsResponse all;
  for (;;) {
    req.set_page_size(1000);
    rv1::ListActionItemsResponse page;
    grpc::Status st = actions.Call(&Stub::ListActionItems, req, &page);
    if (!st.ok()) return actions.Fail(st);
    for (const rv1::ActionItem& i : page.items()) {
      if (limit > 0 && all.items_size() >= limit) break;
      *all.add_items() = i;
    }
    if (page.next_page_token().empty() || (limit > 0 && all.items_size() >= limit)) break;
    req.set_page_token(page.next_page_token());
  }
  if (inv.client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  PrintItemTable(all.items());
  return kExitOk;
}

int RunUpdate(const Invocation& inv) {
  Actions actions(inv.client);
  const std::string id = inv.args.positional()[0];
  int rc = kExitOk;
  rv1::ActionItem current;
  if (!Fetch(actions, id, &current, &rc)) return rc;
  rv1::UpdateActionItemRequest req;
  rv1::ActionItem* i = req.mutable_item();
  i->set_action_id(id);
  const std::vector<std::pair<std::string, std::string>> simple = {{"title", "title"},
                                                                   {"measures", "measures"},
                                                                   {"owner", "owner_id"},
                                                                   {"due", "due_date"},
                                                                   {"resources", "resources"}};
  for (const auto& [flag, path] : simple) {
    if (!inv.args.Has(flag)) continue;
    const std::string value = inv.args.Get(flag);
    if (path == "title") i->set_title(value);
    if (path == "measures") i->set_measures(value);
    if (path == "owner_id") i->set_owner_id(value);
    if (path == "due_date") i->set_due_date(value);
    if (path == "resources") i->set_resources(value);
    req.mutable_update_mask()->add_paths(path);
  }
  if (HasExpectedFlags(inv)) {
    // The expected result is replaced whole: start from the current one.
    *i->mutable_expected_result() = current.expected_result();
    if (!ReadExpected(inv, i->mutable_expected_result(), &rc)) return rc;
    req.mutable_update_mask()->add_paths("expected_result");
  }
  if (req.update_mask().paths().empty()) {
    return inv.UsageError(
        "nothing to change: give --title, --measures, --owner, --due, --resources or the "
        "expected result (--expect, --metric, --scope, --target, --period)");
  }
  int64_t version = current.version();
  if (inv.args.Has("version") && !IntFlag(inv, "version", &version, &rc)) return rc;
  req.set_expected_version(version);
  req.set_request_id(inv.client.NewRequestId());
  rv1::UpdateActionItemResponse resp;
  grpc::Status st = actions.Call(&Stub::UpdateActionItem, req, &resp);
  if (!st.ok()) return actions.Fail(st);
  inv.client.json() ? PrintJson(resp.item()) : PrintItem(resp.item());
  return kExitOk;
}

int ChangeStatus(const Invocation& inv, rv1::ActionStatus to) {
  Actions actions(inv.client);
  const std::string id = inv.args.positional()[0];
  int rc = kExitOk;
  rv1::ChangeActionStatusRequest req;
  req.set_action_id(id);
  req.set_status(to);
  req.set_note(inv.args.Get("note"));
  int64_t version = 0;
  if (!Version(inv, actions, id, &version, &rc)) return rc;
  req.set_expected_version(version);
  req.set_request_id(inv.client.NewRequestId());
  rv1::ChangeActionStatusResponse resp;
  grpc::Status st = actions.Call(&Stub::ChangeActionStatus, req, &resp);
  if (!st.ok()) return actions.Fail(st);
  inv.client.json() ? PrintJson(resp.item()) : PrintItem(resp.item());
  if (to == rv1::ACTION_STATUS_SUBMITTED && resp.item().status() == rv1::ACTION_STATUS_RETURNED) {
    return ReportReturned(resp.item());
  }
  return kExitOk;
}

int RunVerify(const Invocation& inv) {
  const bool achieved = inv.args.Has("achieved");
  if (achieved == inv.args.Has("not-achieved")) {
    return inv.UsageError("give one of --achieved and --not-achieved");
  }
  if (!inv.args.Has("note")) return inv.UsageError("--note is required: what the committee found");
  return ChangeStatus(inv, achieved ? rv1::ACTION_STATUS_VERIFIED_ACHIEVED
                                    : rv1::ACTION_STATUS_VERIFIED_NOT_ACHIEVED);
}

int RunReturn(const Invocation& inv) {
  if (!inv.args.Has("note")) return inv.UsageError("--note is required: why it is returned");
  return ChangeStatus(inv, rv1::ACTION_STATUS_RETURNED);
}

int RunProgress(const Invocation& inv) {
  Actions actions(inv.client);
  if (!inv.args.Has("note")) return inv.UsageError("--note is required: what was done");
  int rc = kExitOk;
  rv1::ReportProgressRequest req;
  req.set_action_id(inv.args.positional()[0]);
  rv1::ProgressReport* r = req.mutable_report();
  r->set_note(inv.args.Get("note"));
  r->set_as_of_date(inv.args.Get("as-of"));
  if (inv.args.Has("value")) {
    // In the unit of the item's metric, as people write it ("850,000.00"
    // for money); a plain whole number for an item without one.
    rv1::ActionItem item;
    if (!Fetch(actions, req.action_id(), &item, &rc)) return rc;
    const type::v1::Metric metric = item.expected_result().metric();
    if (metric == type::v1::METRIC_UNSPECIFIED) {
      int64_t value = 0;
      if (!IntFlag(inv, "value", &value, &rc)) return rc;
      r->set_value(value);
    } else {
      absl::StatusOr<int64_t> value = ParseMetricValue(metric, inv.args.Get("value"));
      if (!value.ok()) return inv.UsageError(absl::StrCat("--value: ", value.status().message()));
      r->set_value(*value);
    }
  }
  if (inv.args.Has("done")) {
    // Percent with up to two decimals: "40", "37.5".
    const std::string text = inv.args.Get("done");
    std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('.', 1));
    int64_t whole = 0, cents = 0;
    std::string frac = parts.size() == 2 ? parts[1] : "";
    if (frac.size() == 1) frac += "0";
    if (!absl::SimpleAtoi(parts[0], &whole) || frac.size() > 2 ||
        (!frac.empty() && !absl::SimpleAtoi(frac, &cents)) || whole < 0 || whole > 100) {
      return inv.UsageError("--done is a percentage 0..100, e.g. 40 or 37.5");
    }
    r->set_done_bp(static_cast<int32_t>(whole * 100 + cents));
  }
  req.set_request_id(inv.client.NewRequestId());
  rv1::ReportProgressResponse resp;
  grpc::Status st = actions.Call(&Stub::ReportProgress, req, &resp);
  if (!st.ok()) return actions.Fail(st);
  inv.client.json() ? PrintJson(resp.item()) : PrintItem(resp.item());
  return kExitOk;
}

int RunOverdue(const Invocation& inv) {
  Actions actions(inv.client);
  int rc = kExitOk;
  rv1::ListOverdueActionItemsRequest req;
  req.set_department(inv.args.Get("department"));
  int64_t limit = 0;
  if (inv.args.Has("limit") && !IntFlag(inv, "limit", &limit, &rc)) return rc;
  rv1::ListOverdueActionItemsResponse all;
  for (;;) {
    req.set_page_size(1000);
    rv1::ListOverdueActionItemsResponse page;
    grpc::Status st = actions.Call(&Stub::ListOverdueActionItems, req, &page);
    if (!st.ok()) return actions.Fail(st);
    all.set_as_of_date(page.as_of_date());
    for (const rv1::OverdueActionItem& o : page.items()) {
      if (limit > 0 && all.items_size() >= limit) break;
      *all.add_items() = o;
    }
    if (page.next_page_token().empty() || (limit > 0 && all.items_size() >= limit)) break;
    req.set_page_token(page.next_page_token());
  }
  if (inv.client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  std::cout << "Overdue as of " << all.as_of_date() << ": " << all.items_size() << " items\n\n";
  Table table(
      {"action", "status", "owner", "department", "due", "days late", "report late", "title"});
  table.AlignRight(5).AlignRight(6);
  for (const rv1::OverdueActionItem& o : all.items()) {
    const rv1::ActionItem& i = o.item();
    table.AddRow({i.action_id(), StatusText(i.status()), i.owner_id(), i.responsible_department(),
                  i.due_date(), absl::StrCat(o.days_overdue()),
                  absl::StrCat(o.progress_days_late()), i.title()});
  }
  table.Print();
  return kExitOk;
}

int RunVerifyMeeting(const Invocation& inv) {
  Actions actions(inv.client);
  rv1::VerifyActionItemsRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_request_id(inv.client.NewRequestId());
  rv1::VerifyActionItemsResponse resp;
  grpc::Status st = actions.Call(&Stub::VerifyActionItems, req, &resp);
  if (!st.ok()) return actions.Fail(st);
  if (inv.client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  int verified = 0;
  Table table({"action", "status", "owner", "actual", "verified", "left because"});
  table.AlignRight(3);
  for (const rv1::VerifiedItem& v : resp.items()) {
    verified += v.verified();
    const rv1::ActionItem& i = v.item();
    table.AddRow(
        {i.action_id(), StatusText(i.status()), i.owner_id(),
         i.verification().has_actual_value()
             ? FormatMetricValue(i.expected_result().metric(), i.verification().actual_value())
             : "",
         v.verified() ? "yes" : "", v.left_reason()});
  }
  std::cout << verified << " of " << resp.items_size()
            << " open items verified automatically; the rest are left for the committee\n\n";
  table.Print();
  return kExitOk;
}

int RunPersonRecord(const Invocation& inv) {
  Actions actions(inv.client);
  rv1::GetPersonRecordRequest req;
  req.set_person_id(inv.args.positional()[0]);
  rv1::GetPersonRecordResponse resp;
  grpc::Status st = actions.Call(&Stub::GetPersonRecord, req, &resp);
  if (!st.ok()) return actions.Fail(st);
  if (inv.client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  PrintFields({{"Person", resp.person_id()},
               {"Presentations", absl::StrCat(resp.outcomes_size())},
               {"Action items", absl::StrCat(resp.action_items_size())},
               {"Achieved", absl::StrCat(resp.achieved_count())},
               {"Not achieved", absl::StrCat(resp.not_achieved_count())},
               {"Overdue", absl::StrCat(resp.overdue_count())}});
  if (!resp.outcomes().empty()) {
    std::cout << "\n";
    Table table({"meeting", "period", "metric", "target", "actual", "gap", "report"});
    table.AlignRight(3).AlignRight(4).AlignRight(5);
    for (const rv1::ReviewOutcome& o : resp.outcomes()) {
      table.AddRow({o.meeting_id(), o.period(), MetricText(o.deviation().metric()),
                    FormatMetricValue(o.deviation().metric(), o.deviation().target()),
                    FormatMetricValue(o.deviation().metric(), o.deviation().actual()),
                    FormatMetricValue(o.deviation().metric(), o.deviation().gap()), o.report_id()});
    }
    table.Print();
  }
  if (!resp.action_items().empty()) {
    std::cout << "\n";
    PrintItemTable(resp.action_items());
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> ActionCommands() {
  const std::string expected =
      "[--expect TEXT] [--metric NAME --scope rep:ID|unit:ID --target N --period P "
      "[--lower-is-better]]";
  const std::vector<std::string> expected_flags = {"expect", "metric", "scope", "target", "period"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  auto change = [](const char* path, const char* help, rv1::ActionStatus to) {
    return Command{path, "ID [--note TEXT] [--version N]",
                   help, {"note", "version"},
                   {},   1,
                   1,    [to](const Invocation& inv) { return ChangeStatus(inv, to); }};
  };
  return {
      {"action create",
       absl::StrCat("--meeting M --title T --department D [--department D2 …] [--owner P] "
                    "[--due YYYY-MM-DD] [--measures TEXT] ",
                    expected, " [--resources TEXT] [--report R [--cause C]]"),
       "creates a draft action item (several departments split it: the chair owns it, each "
       "department's manager a part)",
       with({"meeting", "title", "department", "owner", "due", "measures", "resources", "report",
             "cause"},
            expected_flags),
       {"lower-is-better"},
       0,
       0,
       RunCreate},
      {"action get",
       "ID",
       "shows an item with its history and progress reports",
       {},
       {},
       1,
       1,
       RunGet},
      {"action list",
       "[--meeting M] [--owner P] [--status S …] [--department D] [--limit N]",
       "lists items, newest first",
       {"meeting", "owner", "status", "department", "limit"},
       {},
       0,
       0,
       RunList},
      {"action update",
       absl::StrCat("ID [--version N] [--title T] [--measures TEXT] [--owner P] [--due DAY] "
                    "[--resources TEXT] ",
                    expected),
       "edits a draft or returned item (the expected result is changed from the current one)",
       with({"version", "title", "measures", "owner", "due", "resources"}, expected_flags),
       {"lower-is-better"},
       1,
       1,
       RunUpdate},
      change("action submit",
             "submits an item: the SMART check runs; a failing one comes back returned with "
             "every reason (exit 1)",
             rv1::ACTION_STATUS_SUBMITTED),
      change("action accept", "accepts a submitted item (the committee)",
             rv1::ACTION_STATUS_ACCEPTED),
      {"action return",
       "ID --note TEXT [--version N]",
       "returns a submitted item to its owner with the reason (the committee)",
       {"note", "version"},
       {},
       1,
       1,
       RunReturn},
      change("action start", "starts an accepted item (its owner)", rv1::ACTION_STATUS_IN_PROGRESS),
      change("action done", "marks an item in progress done (its owner)", rv1::ACTION_STATUS_DONE),
      {"action verify",
       "ID --achieved|--not-achieved --note TEXT [--version N]",
       "records the committee's verdict on a done item",
       {"note", "version"},
       {"achieved", "not-achieved"},
       1,
       1,
       RunVerify},
      {"action progress",
       "ID --note TEXT [--done PERCENT] [--value N] [--as-of YYYY-MM-DD]",
       "files a ten-day progress report (旬报) on an item in progress; --value in the unit of the "
       "item's metric (money in major units, e.g. 850,000.00)",
       {"note", "done", "value", "as-of"},
       {},
       1,
       1,
       RunProgress},
      {"action overdue",
       "[--department D] [--limit N]",
       "lists items past their due date and late progress reports, most overdue first",
       {"department", "limit"},
       {},
       0,
       0,
       RunOverdue},
      {"action verify-meeting",
       "MEETING",
       "verifies the open items of the committee's earlier meetings against attain-eval's final "
       "evaluations; lists what is left for the committee and why",
       {},
       {},
       1,
       1,
       RunVerifyMeeting},
      {"person record",
       "ID",
       "shows a person's review record: presentations, action items and their outcomes",
       {},
       {},
       1,
       1,
       RunPersonRecord},
  };
}

}  // namespace attain::ctl
