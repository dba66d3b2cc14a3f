// `attainctl committee …`, `meeting …`, `minutes …`, `agenda …` and
// `report …`: review committees, their meetings, attendance, minutes,
// agendas, presenters' reports and the meeting pack
// (attain.review.v1.CommitteeService and MeetingService at --review-addr),
// plus `demo review`, a demo committee with one scheduled meeting. Mutations
// carry a request id (--request-id, or a fresh one).
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
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
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/period.h"
#include "nlohmann/json.hpp"
#include "tools/attainctl/cli.h"
#include "tools/attainctl/client.h"
#include "tools/attainctl/table.h"
#include "tools/attainctl/values.h"

namespace attain::ctl {
namespace {

namespace rv1 = ::attain::review::v1;
using rv1::CommitteeService;
using rv1::MeetingService;

constexpr char kDefaultTimeZone[] = "Asia/Shanghai";

// Client::Fail, with hints that name the review service and its commands.
int Fail(Client& client, const grpc::Status& status) {
  std::string hint;
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      hint = absl::StrCat("is attain-review running at ", client.options().review_addr,
                          "? (point --review-addr or ATTAIN_REVIEW_ADDR at it; check with "
                          "`attainctl --addr ",
                          client.options().review_addr, " health`)");
      break;
    case grpc::StatusCode::UNIMPLEMENTED:
      hint = absl::StrCat("the server at ", client.options().review_addr,
                          " does not implement this method: is it attain-review, at the same "
                          "API version?");
      break;
    case grpc::StatusCode::NOT_FOUND:
      hint =
          "check the id: `attainctl committee list` and `attainctl meeting list` show what "
          "exists";
      break;
    default:
      return client.Fail(status);
  }
  std::cerr << "error: " << StatusCodeName(status.error_code()) << ": " << status.error_message()
            << "\nhint: " << hint << "\n"
            << std::flush;
  return kExitFailure;
}

// ------------------------------------------------------------------ names

// "chair", "vice_chair"/"vice-chair", "secretary_general"/"secretary-general"/
// "sg", "member", or the enum's own names.
bool ParseRole(std::string text, rv1::CommitteeRole* role) {
  text = absl::AsciiStrToLower(text);
  absl::StrReplaceAll({{"-", "_"}}, &text);
  if (absl::StartsWith(text, "committee_role_")) text = text.substr(15);
  if (text == "chair") {
    *role = rv1::COMMITTEE_ROLE_CHAIR;
  } else if (text == "vice_chair") {
    *role = rv1::COMMITTEE_ROLE_VICE_CHAIR;
  } else if (text == "secretary_general" || text == "sg") {
    *role = rv1::COMMITTEE_ROLE_SECRETARY_GENERAL;
  } else if (text == "member") {
    *role = rv1::COMMITTEE_ROLE_MEMBER;
  } else {
    return false;
  }
  return true;
}

std::string RoleText(rv1::CommitteeRole role) {
  switch (role) {
    case rv1::COMMITTEE_ROLE_CHAIR:
      return "chair";
    case rv1::COMMITTEE_ROLE_VICE_CHAIR:
      return "vice chair";
    case rv1::COMMITTEE_ROLE_SECRETARY_GENERAL:
      return "secretary-general";
    case rv1::COMMITTEE_ROLE_MEMBER:
      return "member";
    default:
      return "?";
  }
}

std::string StatusText(rv1::MeetingStatus status) {
  switch (status) {
    case rv1::MEETING_STATUS_SCHEDULED:
      return "scheduled";
    case rv1::MEETING_STATUS_IN_PROGRESS:
      return "in progress";
    case rv1::MEETING_STATUS_CLOSED:
      return "closed";
    case rv1::MEETING_STATUS_CANCELLED:
      return "cancelled";
    default:
      return "?";
  }
}

std::string AttendanceText(rv1::Attendance a) {
  switch (a) {
    case rv1::ATTENDANCE_PRESENT:
      return "present";
    case rv1::ATTENDANCE_ABSENT:
      return "absent";
    case rv1::ATTENDANCE_EXCUSED:
      return "excused";
    default:
      return "-";
  }
}

// "2025-05-05T09:00:00+08:00" (RFC 3339), or "2025-05-05 09:00" /
// "2025-05-05T09:00" in `tz`.
bool ParseWhen(const std::string& text, absl::TimeZone tz, absl::Time* out) {
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, out, &err)) return true;
  for (const char* format : {"%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"}) {
    if (absl::ParseTime(format, text, tz, out, &err)) return true;
  }
  return false;
}

// Sets `*out` from --NAME (a time), reporting a usage error otherwise.
bool TimeFlag(const Invocation& inv, const std::string& name, google::protobuf::Timestamp* out,
              int* rc) {
  absl::TimeZone tz;
  const std::string zone = inv.args.Get("tz", kDefaultTimeZone);
  if (!absl::LoadTimeZone(zone, &tz)) {
    *rc =
        inv.UsageError(absl::StrCat("--tz \"", zone, "\" is not a time zone (e.g. Asia/Shanghai)"));
    return false;
  }
  absl::Time t;
  if (!ParseWhen(inv.args.Get(name), tz, &t)) {
    *rc = inv.UsageError(
        absl::StrCat("--", name, " \"", inv.args.Get(name),
                     "\" is not a time: write \"2025-05-05 09:00\" (in --tz, default ",
                     kDefaultTimeZone, ") or RFC 3339 \"2025-05-05T09:00:00+08:00\""));
    return false;
  }
  out->set_seconds(absl::ToUnixSeconds(t));
  return true;
}

bool IntFlag(const Invocation& inv, const std::string& name, int64_t* out, int* rc) {
  if (!absl::SimpleAtoi(inv.args.Get(name), out)) {
    *rc = inv.UsageError(absl::StrCat("--", name, " takes a whole number"));
    return false;
  }
  return true;
}

// ------------------------------------------------------------------ output

void PrintCommittee(const rv1::Committee& c) {
  PrintFields({{"Committee", c.committee_id()},
               {"Name", c.name()},
               {"Unit", c.unit_id()},
               {"Version", absl::StrCat(c.version())},
               {"Created", FormatTimestamp(c.create_time())},
               {"Updated", FormatTimestamp(c.update_time())}});
  std::cout << "\n";
  Table table({"person", "name", "role", "department", "dept. manager"});
  for (const rv1::CommitteeMember& m : c.members()) {
    table.AddRow({m.person_id(), m.name(), RoleText(m.role()), m.department(),
                  m.department_manager() ? "yes" : ""});
  }
  table.Print();
}

void PrintMeeting(const rv1::Meeting& m) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Meeting", m.meeting_id()},
      {"Committee", m.committee_id()},
      {"Title", m.title()},
      {"Period", m.period()},
      {"Starts", FormatTimestamp(m.start_time())},
      {"Duration", absl::StrCat(m.duration_minutes(), " min")},
      {"Status", StatusText(m.status())},
      {"Minute taker", m.minute_taker_id()},
      {"Version", absl::StrCat(m.version())},
  };
  if (!m.purpose().empty()) fields.insert(fields.begin() + 3, {"Purpose", m.purpose()});
  if (!m.series_id().empty()) fields.emplace_back("Series", m.series_id());
  if (!m.previous_meeting_id().empty()) fields.emplace_back("Previous", m.previous_meeting_id());
  if (m.has_start_record_time()) {
    fields.emplace_back("Started", FormatTimestamp(m.start_record_time()));
  }
  if (m.has_end_record_time()) {
    fields.emplace_back(m.status() == rv1::MEETING_STATUS_CANCELLED ? "Cancelled" : "Closed",
                        FormatTimestamp(m.end_record_time()));
  }
  if (!m.cancel_reason().empty()) fields.emplace_back("Reason", m.cancel_reason());
  PrintFields(fields);
  std::cout << "\n";
  Table table({"invitee", "attendance"});
  for (const rv1::Invitee& i : m.invitees()) {
    table.AddRow({i.person_id(), AttendanceText(i.attendance())});
  }
  table.Print();
}

void PrintMeetingTable(const google::protobuf::RepeatedPtrField<rv1::Meeting>& meetings) {
  Table table({"meeting", "committee", "period", "starts", "min", "status", "title"});
  table.AlignRight(4);
  for (const rv1::Meeting& m : meetings) {
    table.AddRow({m.meeting_id(), m.committee_id(), m.period(), FormatTimestamp(m.start_time()),
                  absl::StrCat(m.duration_minutes()), StatusText(m.status()), m.title()});
  }
  table.Print();
}

// One entry as a block: a heading line, then its text indented verbatim.
void PrintMinutesEntry(const rv1::MinutesEntry& e) {
  std::cout << "#" << e.sequence() << " "
            << (e.kind() == rv1::MINUTES_ENTRY_KIND_DECISION ? "DECISION" : "note") << "  "
            << e.speaker_id() << "  (recorded by " << e.recorded_by() << ", "
            << FormatTimestamp(e.record_time()) << ")\n";
  for (absl::string_view line : absl::StrSplit(e.text(), '\n')) {
    std::cout << "    " << line << "\n";
  }
}

// ------------------------------------------------------------------ committees

// The members from --members-file (a JSON array, or an object with
// "members"; each {person_id, name, role, department, department_manager})
// and --member PERSON:ROLE:DEPARTMENT:NAME flags; --manager PERSON marks
// department managers. false with a usage error in `*rc`.
bool ReadMembers(const Invocation& inv, rv1::Committee* out, int* rc) {
  if (inv.args.Has("members-file")) {
    const std::string path = inv.args.Get("members-file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *rc = inv.UsageError(absl::StrCat("cannot read ", path));
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.contains("members")) doc = doc["members"];
    if (!doc.is_array()) {
      *rc = inv.UsageError(
          absl::StrCat(path,
                       " is not a JSON array of members: [{\"person_id\": \"gm\", \"name\": \"…\", "
                       "\"role\": \"chair\", \"department\": \"management\"}, …]"));
      return false;
    }
    for (size_t i = 0; i < doc.size(); ++i) {
      const nlohmann::json& m = doc[i];
      auto text_of = [&](const char* snake, const char* camel) -> std::string {
        for (const char* key : {snake, camel}) {
          if (m.is_object() && m.contains(key) && m[key].is_string()) {
            return m[key].get<std::string>();
          }
        }
        return "";
      };
      rv1::CommitteeMember* member = out->add_members();
      member->set_person_id(text_of("person_id", "personId"));
      member->set_name(text_of("name", "name"));
      member->set_department(text_of("department", "department"));
      const std::string role = text_of("role", "role");
      rv1::CommitteeRole parsed;
      if (!ParseRole(role, &parsed)) {
        *rc = inv.UsageError(absl::StrFormat(
            "%s: member %d has role \"%s\": use chair, vice_chair, secretary_general or member",
            path, i, role));
        return false;
      }
      member->set_role(parsed);
      for (const char* key : {"department_manager", "departmentManager"}) {
        if (m.is_object() && m.contains(key) && m[key].is_boolean()) {
          member->set_department_manager(m[key].get<bool>());
        }
      }
    }
  }
  for (const std::string& flag : inv.args.GetAll("member")) {
    std::vector<std::string> parts = absl::StrSplit(flag, absl::MaxSplits(':', 3));
    rv1::CommitteeRole role;
    if (parts.size() != 4 || !ParseRole(parts[1], &role)) {
      *rc = inv.UsageError(absl::StrCat(
          "--member \"", flag,
          "\" is not PERSON:ROLE:DEPARTMENT:NAME (ROLE chair, vice_chair, secretary_general or "
          "member), e.g. gm:chair:management:Wang Wei"));
      return false;
    }
    rv1::CommitteeMember* member = out->add_members();
    member->set_person_id(parts[0]);
    member->set_role(role);
    member->set_department(parts[2]);
    member->set_name(parts[3]);
  }
  for (const std::string& person : inv.args.GetAll("manager")) {
    bool found = false;
    for (rv1::CommitteeMember& m : *out->mutable_members()) {
      if (m.person_id() == person) {
        m.set_department_manager(true);
        found = true;
      }
    }
    if (!found) {
      *rc = inv.UsageError(absl::StrCat("--manager \"", person, "\" is not among the members"));
      return false;
    }
  }
  return true;
}

int RunCommitteeCreate(const Invocation& inv) {
  Client& client = inv.client;
  rv1::CreateCommitteeRequest req;
  rv1::Committee* c = req.mutable_committee();
  c->set_committee_id(inv.args.positional()[0]);
  c->set_name(inv.args.Get("name"));
  c->set_unit_id(inv.args.Get("unit"));
  int rc = kExitOk;
  if (!ReadMembers(inv, c, &rc)) return rc;
  if (c->members().empty()) {
    return inv.UsageError(
        "give the members: --member PERSON:ROLE:DEPARTMENT:NAME (repeat) or "
        "--members-file F.json");
  }
  req.set_request_id(client.NewRequestId());
  rv1::CreateCommitteeResponse resp;
  grpc::Status st = client.Call(&CommitteeService::Stub::CreateCommittee, req, &resp);
  if (!st.ok()) return Fail(client, st);
  client.json() ? PrintJson(resp.committee()) : PrintCommittee(resp.committee());
  return kExitOk;
}

int RunCommitteeGet(const Invocation& inv) {
  Client& client = inv.client;
  rv1::GetCommitteeRequest req;
  req.set_committee_id(inv.args.positional()[0]);
  rv1::GetCommitteeResponse resp;
  grpc::Status st = client.Call(&CommitteeService::Stub::GetCommittee, req, &resp);
  if (!st.ok()) return Fail(client, st);
  client.json() ? PrintJson(resp.committee()) : PrintCommittee(resp.committee());
  return kExitOk;
}

int RunCommitteeList(const Invocation& inv) {
  Client& client = inv.client;
  rv1::ListCommitteesResponse all;
  grpc::Status st =
      client.ListAll(&CommitteeService::Stub::ListCommittees, rv1::ListCommitteesRequest(), &all,
                     [](const rv1::ListCommitteesResponse& r) { return r.committees_size(); });
  if (!st.ok()) return Fail(client, st);
  if (client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  Table table({"committee", "name", "unit", "members", "chair", "secretary-general", "version"});
  table.AlignRight(3).AlignRight(6);
  for (const rv1::Committee& c : all.committees()) {
    std::string chair, sg;
    for (const rv1::CommitteeMember& m : c.members()) {
      if (m.role() == rv1::COMMITTEE_ROLE_CHAIR) chair = m.person_id();
      if (m.role() == rv1::COMMITTEE_ROLE_SECRETARY_GENERAL) sg = m.person_id();
    }
    table.AddRow({c.committee_id(), c.name(), c.unit_id(), absl::StrCat(c.members_size()), chair,
                  sg, absl::StrCat(c.version())});
  }
  table.Print();
  return kExitOk;
}

int RunCommitteeUpdate(const Invocation& inv) {
  Client& client = inv.client;
  int rc = kExitOk;
  int64_t version = 0;
  if (!inv.args.Has("version")) {
    return inv.UsageError(
        "--version is required: the version your change is based on "
        "(`attainctl committee get ID` shows it)");
  }
  if (!IntFlag(inv, "version", &version, &rc)) return rc;
  rv1::UpdateCommitteeRequest req;
  rv1::Committee* c = req.mutable_committee();
  c->set_committee_id(inv.args.positional()[0]);
  if (inv.args.Has("name")) {
    c->set_name(inv.args.Get("name"));
    req.mutable_update_mask()->add_paths("name");
  }
  if (inv.args.Has("unit")) {
    c->set_unit_id(inv.args.Get("unit"));
    req.mutable_update_mask()->add_paths("unit_id");
  }
  if (inv.args.Has("member") || inv.args.Has("members-file")) {
    if (!ReadMembers(inv, c, &rc)) return rc;
    req.mutable_update_mask()->add_paths("members");
  } else if (inv.args.Has("manager")) {
    return inv.UsageError("--manager goes with the new members (--member or --members-file)");
  }
  if (req.update_mask().paths().empty()) {
    return inv.UsageError("nothing to change: give --name, --unit and/or the members");
  }
  req.set_expected_version(version);
  req.set_request_id(client.NewRequestId());
  rv1::UpdateCommitteeResponse resp;
  grpc::Status st = client.Call(&CommitteeService::Stub::UpdateCommittee, req, &resp);
  if (!st.ok()) return Fail(client, st);
  client.json() ? PrintJson(resp.committee()) : PrintCommittee(resp.committee());
  return kExitOk;
}

// ------------------------------------------------------------------ meetings

template <typename Response>
int ShowMeeting(Client& client, const Response& resp) {
  client.json() ? PrintJson(resp.meeting()) : PrintMeeting(resp.meeting());
  return kExitOk;
}

int RunSchedule(const Invocation& inv) {
  Client& client = inv.client;
  for (const char* flag : {"committee", "title", "period", "start", "minute-taker"}) {
    if (!inv.args.Has(flag)) return inv.UsageError(absl::StrCat("--", flag, " is required"));
  }
  int rc = kExitOk;
  rv1::ScheduleMeetingRequest req;
  req.set_committee_id(inv.args.Get("committee"));
  req.set_title(inv.args.Get("title"));
  req.set_purpose(inv.args.Get("purpose"));
  req.set_period(inv.args.Get("period"));
  if (!TimeFlag(inv, "start", req.mutable_start_time(), &rc)) return rc;
  int64_t duration = 120;
  if (inv.args.Has("duration") && !IntFlag(inv, "duration", &duration, &rc)) return rc;
  req.set_duration_minutes(static_cast<int32_t>(duration));
  req.set_minute_taker_id(inv.args.Get("minute-taker"));
  for (const std::string& id : inv.args.GetAll("invitee")) req.add_invitee_ids(id);
  req.set_request_id(client.NewRequestId());
  rv1::ScheduleMeetingResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::ScheduleMeeting, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowMeeting(client, resp);
}

int RunSeries(const Invocation& inv) {
  Client& client = inv.client;
  for (const char* flag :
       {"committee", "cadence", "first-period", "count", "first-start", "minute-taker"}) {
    if (!inv.args.Has(flag)) return inv.UsageError(absl::StrCat("--", flag, " is required"));
  }
  int rc = kExitOk;
  rv1::ScheduleMeetingSeriesRequest req;
  req.set_committee_id(inv.args.Get("committee"));
  const std::string cadence = absl::AsciiStrToLower(inv.args.Get("cadence"));
  if (cadence == "monthly") {
    req.set_cadence(rv1::CADENCE_MONTHLY);
  } else if (cadence == "quarterly") {
    req.set_cadence(rv1::CADENCE_QUARTERLY);
  } else {
    return inv.UsageError("--cadence is monthly or quarterly");
  }
  req.set_first_period(inv.args.Get("first-period"));
  int64_t count = 0;
  if (!IntFlag(inv, "count", &count, &rc)) return rc;
  req.set_count(static_cast<int32_t>(count));
  if (!TimeFlag(inv, "first-start", req.mutable_first_start_time(), &rc)) return rc;
  int64_t duration = 120;
  if (inv.args.Has("duration") && !IntFlag(inv, "duration", &duration, &rc)) return rc;
  req.set_duration_minutes(static_cast<int32_t>(duration));
  req.set_title_template(inv.args.Get("title", "{period} performance review"));
  req.set_purpose(inv.args.Get("purpose"));
  req.set_minute_taker_id(inv.args.Get("minute-taker"));
  for (const std::string& id : inv.args.GetAll("invitee")) req.add_invitee_ids(id);
  req.set_request_id(client.NewRequestId());
  rv1::ScheduleMeetingSeriesResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::ScheduleMeetingSeries, req, &resp);
  if (!st.ok()) return Fail(client, st);
  if (client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  std::cout << "Series " << resp.series_id() << ": " << resp.meetings_size() << " meetings\n\n";
  PrintMeetingTable(resp.meetings());
  return kExitOk;
}

int RunMeetingGet(const Invocation& inv) {
  Client& client = inv.client;
  rv1::GetMeetingRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  rv1::GetMeetingResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::GetMeeting, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowMeeting(client, resp);
}

int RunMeetingList(const Invocation& inv) {
  Client& client = inv.client;
  rv1::ListMeetingsRequest req;
  req.set_committee_id(inv.args.Get("committee"));
  req.set_period(inv.args.Get("period"));
  if (inv.args.Has("status")) {
    std::string s = absl::AsciiStrToLower(inv.args.Get("status"));
    absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &s);
    const std::map<std::string, rv1::MeetingStatus> names = {
        {"scheduled", rv1::MEETING_STATUS_SCHEDULED},
        {"in_progress", rv1::MEETING_STATUS_IN_PROGRESS},
        {"closed", rv1::MEETING_STATUS_CLOSED},
        {"cancelled", rv1::MEETING_STATUS_CANCELLED}};
    auto it = names.find(s);
    if (it == names.end()) {
      return inv.UsageError("--status is scheduled, in_progress, closed or cancelled");
    }
    req.set_status(it->second);
  }
  rv1::ListMeetingsResponse all;
  grpc::Status st =
      client.ListAll(&MeetingService::Stub::ListMeetings, req, &all,
                     [](const rv1::ListMeetingsResponse& r) { return r.meetings_size(); });
  if (!st.ok()) return Fail(client, st);
  if (client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  PrintMeetingTable(all.meetings());
  return kExitOk;
}

int ChangeStatus(const Invocation& inv, rv1::MeetingStatus status) {
  Client& client = inv.client;
  rv1::ChangeMeetingStatusRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_status(status);
  req.set_reason(inv.args.Get("reason"));
  req.set_request_id(client.NewRequestId());
  rv1::ChangeMeetingStatusResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::ChangeMeetingStatus, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowMeeting(client, resp);
}

int RunStart(const Invocation& inv) { return ChangeStatus(inv, rv1::MEETING_STATUS_IN_PROGRESS); }
int RunClose(const Invocation& inv) { return ChangeStatus(inv, rv1::MEETING_STATUS_CLOSED); }
int RunCancel(const Invocation& inv) {
  if (!inv.args.Has("reason")) return inv.UsageError("--reason is required: why it is called off");
  return ChangeStatus(inv, rv1::MEETING_STATUS_CANCELLED);
}

int RunAttend(const Invocation& inv) {
  Client& client = inv.client;
  rv1::RecordAttendanceRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  for (auto [flag, value] :
       std::vector<std::pair<const char*, rv1::Attendance>>{{"present", rv1::ATTENDANCE_PRESENT},
                                                            {"absent", rv1::ATTENDANCE_ABSENT},
                                                            {"excused", rv1::ATTENDANCE_EXCUSED}}) {
    for (const std::string& list : inv.args.GetAll(flag)) {
      for (absl::string_view person : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
        (*req.mutable_attendance())[std::string(absl::StripAsciiWhitespace(person))] = value;
      }
    }
  }
  if (req.attendance().empty()) {
    return inv.UsageError("say who came: --present P[,P…] --absent P --excused P");
  }
  req.set_request_id(client.NewRequestId());
  rv1::RecordAttendanceResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::RecordAttendance, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowMeeting(client, resp);
}

// ------------------------------------------------------------------ minutes

int RunMinutesAdd(const Invocation& inv) {
  Client& client = inv.client;
  if (!inv.args.Has("speaker")) return inv.UsageError("--speaker is required: who spoke");
  if (inv.args.Has("text") == inv.args.Has("text-file")) {
    return inv.UsageError("give the words with --text TEXT or --text-file FILE");
  }
  rv1::AddMinutesEntryRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_speaker_id(inv.args.Get("speaker"));
  if (inv.args.Has("text-file")) {
    const std::string path = inv.args.Get("text-file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return inv.UsageError(absl::StrCat("cannot read ", path));
    std::stringstream text;
    text << in.rdbuf();
    req.set_text(text.str());
  } else {
    req.set_text(inv.args.Get("text"));
  }
  req.set_kind(inv.args.Has("decision") ? rv1::MINUTES_ENTRY_KIND_DECISION
                                        : rv1::MINUTES_ENTRY_KIND_NOTE);
  req.set_request_id(client.NewRequestId());
  rv1::AddMinutesEntryResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::AddMinutesEntry, req, &resp);
  if (!st.ok()) return Fail(client, st);
  client.json() ? PrintJson(resp.entry()) : PrintMinutesEntry(resp.entry());
  return kExitOk;
}

int RunMinutesList(const Invocation& inv) {
  Client& client = inv.client;
  rv1::ListMinutesRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  rv1::ListMinutesResponse all;
  grpc::Status st =
      client.ListAll(&MeetingService::Stub::ListMinutes, req, &all,
                     [](const rv1::ListMinutesResponse& r) { return r.entries_size(); });
  if (!st.ok()) return Fail(client, st);
  if (client.json()) {
    PrintJson(all);
    return kExitOk;
  }
  if (all.entries().empty()) std::cout << "(no minutes yet)\n";
  for (const rv1::MinutesEntry& e : all.entries()) PrintMinutesEntry(e);
  return kExitOk;
}

// ------------------------------------------------------------------ agenda

std::string Percent(int64_t bp) {
  const int64_t abs = bp < 0 ? -bp : bp;
  return absl::StrFormat("%s%d.%02d %%", bp < 0 ? "-" : "", abs / 100, abs % 100);
}

std::string KindText(rv1::AgendaItemKind kind) {
  switch (kind) {
    case rv1::AGENDA_ITEM_KIND_PREVIOUS_ACTIONS:
      return "previous actions";
    case rv1::AGENDA_ITEM_KIND_PRESENTATION:
      return "presentation";
    case rv1::AGENDA_ITEM_KIND_FREE_DISCUSSION:
      return "free discussion";
    case rv1::AGENDA_ITEM_KIND_SPARE:
      return "spare";
    default:
      return "?";
  }
}

std::string CauseKindText(rv1::CauseKind kind) {
  switch (kind) {
    case rv1::CAUSE_KIND_INTERNAL:
      return "internal";
    case rv1::CAUSE_KIND_EXTERNAL:
      return "external";
    default:
      return "undecided";
  }
}

bool ParseCauseKind(std::string text, rv1::CauseKind* kind) {
  text = absl::AsciiStrToLower(text);
  if (text == "internal") {
    *kind = rv1::CAUSE_KIND_INTERNAL;
  } else if (text == "external") {
    *kind = rv1::CAUSE_KIND_EXTERNAL;
  } else {
    return false;
  }
  return true;
}

// "0:15": minutes from the meeting's start.
std::string Offset(int32_t minutes) {
  return absl::StrFormat("%d:%02d", minutes / 60, minutes % 60);
}

// "Team East (unit:t1)"; "" without a presenter.
std::string PresenterText(const std::string& name, const ::attain::type::v1::Scope& scope) {
  if (scope.id().empty()) return name;
  const std::string id = FormatScope(scope);
  return name.empty() || name == scope.id() ? id : absl::StrCat(name, " (", id, ")");
}

// target, actual, gap, attainment as people read them; four empty cells
// without a deviation.
std::vector<std::string> DeviationCells(const rv1::Deviation& d, bool present) {
  if (!present) return {"", "", "", ""};
  return {FormatMetricValue(d.metric(), d.target()), FormatMetricValue(d.metric(), d.actual()),
          FormatMetricValue(d.metric(), d.gap()),
          d.has_attainment_bp() ? Percent(d.attainment_bp()) : ""};
}

void PrintAgenda(const rv1::Agenda& a) {
  PrintFields({{"Meeting", a.meeting_id()},
               {"Evaluation", a.evaluation_id()},
               {"Total", absl::StrCat(a.total_minutes(), " of ", a.meeting_minutes(), " min")},
               {"Version", absl::StrCat(a.version())}});
  std::cout << "\n";
  Table table(
      {"#", "item", "start", "min", "kind", "presenter", "target", "actual", "gap", "attainment"});
  table.AlignRight(0)
      .AlignRight(2)
      .AlignRight(3)
      .AlignRight(6)
      .AlignRight(7)
      .AlignRight(8)
      .AlignRight(9);
  int position = 0;
  for (const rv1::AgendaItem& i : a.items()) {
    const bool presentation = i.kind() == rv1::AGENDA_ITEM_KIND_PRESENTATION;
    std::vector<std::string> row = {
        absl::StrCat(++position),
        i.item_id(),
        Offset(i.start_offset_minutes()),
        absl::StrCat(i.minutes()),
        KindText(i.kind()),
        presentation ? PresenterText(i.presenter_name(), i.presenter()) : i.title()};
    for (std::string& cell : DeviationCells(i.deviation(), presentation && i.has_deviation())) {
      row.push_back(std::move(cell));
    }
    table.AddRow(std::move(row));
  }
  table.Print();
  if (a.left_out().empty()) return;
  std::cout << "\nLeft out (" << a.left_out_size() << "):\n";
  Table left({"presenter", "target", "actual", "gap", "attainment", "reason"});
  left.AlignRight(1).AlignRight(2).AlignRight(3).AlignRight(4);
  for (const rv1::LeftOutPresenter& l : a.left_out()) {
    std::vector<std::string> row = {PresenterText(l.presenter_name(), l.presenter())};
    for (std::string& cell : DeviationCells(l.deviation(), l.has_deviation())) {
      row.push_back(std::move(cell));
    }
    row.push_back(l.reason());
    left.AddRow(std::move(row));
  }
  left.Print();
}

int ShowAgenda(Client& client, const rv1::Agenda& agenda) {
  client.json() ? PrintJson(agenda) : PrintAgenda(agenda);
  return kExitOk;
}

int RunAgendaGenerate(const Invocation& inv) {
  Client& client = inv.client;
  int rc = kExitOk;
  rv1::GenerateAgendaRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_evaluation_id(inv.args.Get("evaluation"));
  if (inv.args.Has("level")) {
    const std::string level = absl::AsciiStrToLower(inv.args.Get("level"));
    if (level == "rep") {
      req.set_presenter_level(rv1::PRESENTER_LEVEL_REP);
    } else if (level == "unit") {
      req.set_presenter_level(rv1::PRESENTER_LEVEL_UNIT);
    } else {
      return inv.UsageError("--level is rep or unit");
    }
  }
  req.set_below_plan_only(inv.args.Has("below-plan-only"));
  const std::vector<std::pair<const char*, void (rv1::GenerateAgendaRequest::*)(int32_t)>> ints = {
      {"max-presenters", &rv1::GenerateAgendaRequest::set_max_presenters},
      {"min-minutes", &rv1::GenerateAgendaRequest::set_min_presenter_minutes},
      {"max-minutes", &rv1::GenerateAgendaRequest::set_max_presenter_minutes},
      {"free-discussion", &rv1::GenerateAgendaRequest::set_free_discussion_minutes},
      {"spare", &rv1::GenerateAgendaRequest::set_spare_minutes},
      {"previous-review", &rv1::GenerateAgendaRequest::set_previous_review_minutes}};
  for (const auto& [flag, setter] : ints) {
    if (!inv.args.Has(flag)) continue;
    int64_t value = 0;
    if (!IntFlag(inv, flag, &value, &rc)) return rc;
    (req.*setter)(static_cast<int32_t>(value));
  }
  if (inv.args.Has("version")) {
    int64_t version = 0;
    if (!IntFlag(inv, "version", &version, &rc)) return rc;
    req.set_expected_version(version);
  }
  req.set_request_id(client.NewRequestId());
  rv1::GenerateAgendaResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::GenerateAgenda, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowAgenda(client, resp.agenda());
}

int RunAgendaGet(const Invocation& inv) {
  Client& client = inv.client;
  rv1::GetAgendaRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  rv1::GetAgendaResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::GetAgenda, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowAgenda(client, resp.agenda());
}

// set-minutes (`minutes` true) or move: the third positional argument is the
// new minutes or position; the version is --version or the agenda's current.
int UpdateItem(const Invocation& inv, bool minutes) {
  Client& client = inv.client;
  int rc = kExitOk;
  rv1::UpdateAgendaItemRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_item_id(inv.args.positional()[1]);
  int64_t value = 0;
  if (!absl::SimpleAtoi(inv.args.positional()[2], &value) || value < 1) {
    return inv.UsageError(absl::StrCat(minutes ? "MINUTES" : "POSITION", " \"",
                                       inv.args.positional()[2],
                                       "\" is not a whole number of at least 1"));
  }
  minutes ? req.set_minutes(static_cast<int32_t>(value))
          : req.set_position(static_cast<int32_t>(value));
  if (inv.args.Has("version")) {
    int64_t version = 0;
    if (!IntFlag(inv, "version", &version, &rc)) return rc;
    req.set_expected_version(version);
  } else {
    rv1::GetAgendaRequest get;
    get.set_meeting_id(req.meeting_id());
    rv1::GetAgendaResponse current;
    grpc::Status st = client.Call(&MeetingService::Stub::GetAgenda, get, &current);
    if (!st.ok()) return Fail(client, st);
    req.set_expected_version(current.agenda().version());
  }
  req.set_request_id(client.NewRequestId());
  rv1::UpdateAgendaItemResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::UpdateAgendaItem, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowAgenda(client, resp.agenda());
}

int RunAgendaSetMinutes(const Invocation& inv) { return UpdateItem(inv, /*minutes=*/true); }
int RunAgendaMove(const Invocation& inv) { return UpdateItem(inv, /*minutes=*/false); }

// ------------------------------------------------------------------ reports

std::string ReportStatusText(rv1::ReportStatus status) {
  switch (status) {
    case rv1::REPORT_STATUS_DRAFT:
      return "draft";
    case rv1::REPORT_STATUS_SUBMITTED:
      return "submitted";
    default:
      return "?";
  }
}

void PrintReport(const rv1::Report& r) {
  const rv1::Deviation& d = r.deviation();
  std::vector<std::string> dev = DeviationCells(d, true);
  PrintFields({{"Report", r.report_id()},
               {"Meeting", r.meeting_id()},
               {"Agenda item", r.agenda_item_id()},
               {"Presenter", FormatScope(r.presenter())},
               {"Status", ReportStatusText(r.status())},
               {"Version", absl::StrCat(r.version())},
               {"Target", dev[0]},
               {"Actual", dev[1]},
               {"Gap", dev[2]},
               {"Attainment", dev[3]},
               {"Explained", FormatMetricValue(d.metric(), r.explained_impact())}});
  if (r.causes().empty()) {
    std::cout << "\n(no causes yet)\n";
    return;
  }
  for (const rv1::Cause& c : r.causes()) {
    std::cout << "\ncause " << c.cause_id() << " (" << CauseKindText(c.kind()) << ", impact "
              << FormatMetricValue(d.metric(), c.impact()) << ")\n";
    for (absl::string_view line : absl::StrSplit(c.description(), '\n')) {
      std::cout << "    " << line << "\n";
    }
    if (!c.improvement_proposal().empty()) {
      std::cout << "  proposal: " << c.improvement_proposal() << "\n";
    }
    if (!c.resource_request().description().empty()) {
      const rv1::ResourceRequest& rr = c.resource_request();
      std::cout << "  resource: " << rr.description();
      if (rr.amount() != 0) {
        std::cout << ", " << FormatMetricValue(::attain::type::v1::METRIC_SALES_AMOUNT, rr.amount())
                  << " " << rr.currency_code();
      }
      std::cout << "\n";
    }
    for (int i = 0; i < c.five_whys_size(); ++i) {
      std::cout << "  why " << i + 1 << ": " << c.five_whys(i) << "\n";
    }
    if (c.has_inquiry()) {
      const rv1::Inquiry& q = c.inquiry();
      std::cout << "  inquiry: confirmed " << CauseKindText(q.confirmed_kind());
      if (!q.responsible_department().empty() || !q.responsible_person_id().empty()) {
        std::cout << "; responsible " << q.responsible_department() << " / "
                  << q.responsible_person_id();
      }
      if (!q.related_departments().empty()) {
        std::cout << "; related " << absl::StrJoin(q.related_departments(), ", ");
      }
      std::cout << "\n";
      if (!q.notes().empty()) std::cout << "  notes: " << q.notes() << "\n";
    }
  }
}

int ShowReport(Client& client, const rv1::Report& report) {
  client.json() ? PrintJson(report) : PrintReport(report);
  return kExitOk;
}

int RunReportCreate(const Invocation& inv) {
  Client& client = inv.client;
  rv1::CreateReportRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_agenda_item_id(inv.args.positional()[1]);
  req.set_request_id(client.NewRequestId());
  rv1::CreateReportResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::CreateReport, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowReport(client, resp.report());
}

grpc::Status GetReport(Client& client, const std::string& id, rv1::Report* out) {
  rv1::GetReportRequest req;
  req.set_report_id(id);
  rv1::GetReportResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::GetReport, req, &resp);
  if (st.ok()) *out = resp.report();
  return st;
}

int RunReportGet(const Invocation& inv) {
  Client& client = inv.client;
  rv1::Report report;
  grpc::Status st = GetReport(client, inv.args.positional()[0], &report);
  if (!st.ok()) return Fail(client, st);
  return ShowReport(client, report);
}

int RunReportList(const Invocation& inv) {
  Client& client = inv.client;
  rv1::ListReportsRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  rv1::ListReportsResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::ListReports, req, &resp);
  if (!st.ok()) return Fail(client, st);
  if (client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  Table table({"report", "item", "presenter", "status", "gap", "explained", "causes", "version"});
  table.AlignRight(4).AlignRight(5).AlignRight(6).AlignRight(7);
  for (const rv1::Report& r : resp.reports()) {
    const Metric metric = r.deviation().metric();
    table.AddRow({r.report_id(), r.agenda_item_id(), FormatScope(r.presenter()),
                  ReportStatusText(r.status()), FormatMetricValue(metric, r.deviation().gap()),
                  FormatMetricValue(metric, r.explained_impact()), absl::StrCat(r.causes_size()),
                  absl::StrCat(r.version())});
  }
  if (table.empty()) {
    std::cout << "(no reports yet)\n";
  } else {
    table.Print();
  }
  return kExitOk;
}

int RunReportCause(const Invocation& inv) {
  Client& client = inv.client;
  for (const char* flag : {"id", "description", "kind", "impact"}) {
    if (!inv.args.Has(flag)) return inv.UsageError(absl::StrCat("--", flag, " is required"));
  }
  int rc = kExitOk;
  rv1::PutCauseRequest req;
  req.set_report_id(inv.args.positional()[0]);
  // The report: its metric (the unit of --impact) and, without --version, its version.
  rv1::Report report;
  grpc::Status st = GetReport(client, req.report_id(), &report);
  if (!st.ok()) return Fail(client, st);
  if (inv.args.Has("version")) {
    int64_t version = 0;
    if (!IntFlag(inv, "version", &version, &rc)) return rc;
    req.set_expected_version(version);
  } else {
    req.set_expected_version(report.version());
  }
  rv1::Cause* c = req.mutable_cause();
  c->set_cause_id(inv.args.Get("id"));
  c->set_description(inv.args.Get("description"));
  rv1::CauseKind kind;
  if (!ParseCauseKind(inv.args.Get("kind"), &kind)) {
    return inv.UsageError("--kind is internal or external");
  }
  c->set_kind(kind);
  absl::StatusOr<int64_t> impact =
      ParseMetricValue(report.deviation().metric(), inv.args.Get("impact"));
  if (!impact.ok()) return inv.UsageError(absl::StrCat("--impact: ", impact.status().message()));
  c->set_impact(*impact);
  c->set_improvement_proposal(inv.args.Get("proposal"));
  if (inv.args.Has("resource")) {
    rv1::ResourceRequest* rr = c->mutable_resource_request();
    rr->set_description(inv.args.Get("resource"));
    if (inv.args.Has("resource-amount")) {
      absl::StatusOr<int64_t> amount = ParseMetricValue(::attain::type::v1::METRIC_SALES_AMOUNT,
                                                        inv.args.Get("resource-amount"));
      if (!amount.ok()) {
        return inv.UsageError(absl::StrCat("--resource-amount: ", amount.status().message()));
      }
      rr->set_amount(*amount);
      rr->set_currency_code(inv.args.Get("currency", "CNY"));
    }
  } else if (inv.args.Has("resource-amount")) {
    return inv.UsageError("--resource-amount needs --resource TEXT: what the amount is for");
  }
  for (const std::string& why : inv.args.GetAll("why")) c->add_five_whys(why);
  if (inv.args.Has("confirmed") || inv.args.Has("responsible-department") ||
      inv.args.Has("responsible-person") || inv.args.Has("related") || inv.args.Has("notes")) {
    rv1::Inquiry* q = c->mutable_inquiry();
    if (inv.args.Has("confirmed")) {
      rv1::CauseKind confirmed;
      if (!ParseCauseKind(inv.args.Get("confirmed"), &confirmed)) {
        return inv.UsageError("--confirmed is internal or external");
      }
      q->set_confirmed_kind(confirmed);
    }
    q->set_responsible_department(inv.args.Get("responsible-department"));
    q->set_responsible_person_id(inv.args.Get("responsible-person"));
    for (const std::string& list : inv.args.GetAll("related")) {
      for (absl::string_view d : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
        q->add_related_departments(std::string(absl::StripAsciiWhitespace(d)));
      }
    }
    q->set_notes(inv.args.Get("notes"));
  }
  req.set_request_id(client.NewRequestId());
  rv1::PutCauseResponse resp;
  st = client.Call(&MeetingService::Stub::PutCause, req, &resp);
  if (!st.ok()) return Fail(client, st);
  return ShowReport(client, resp.report());
}

int RunReportSubmit(const Invocation& inv) {
  Client& client = inv.client;
  int rc = kExitOk;
  rv1::SubmitReportRequest req;
  req.set_report_id(inv.args.positional()[0]);
  if (inv.args.Has("version")) {
    int64_t version = 0;
    if (!IntFlag(inv, "version", &version, &rc)) return rc;
    req.set_expected_version(version);
  } else {
    rv1::Report report;
    grpc::Status st = GetReport(client, req.report_id(), &report);
    if (!st.ok()) return Fail(client, st);
    req.set_expected_version(report.version());
  }
  req.set_request_id(client.NewRequestId());
  rv1::SubmitReportResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::SubmitReport, req, &resp);
  if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    // "… cannot be submitted: N gap(s): a; b; c": one gap a line.
    const std::string& message = st.error_message();
    const size_t at = message.find(" gap(s): ");
    if (at != std::string::npos) {
      std::cerr << "error: FAILED_PRECONDITION: " << message.substr(0, at + 8) << "\n";
      for (absl::string_view gap : absl::StrSplit(message.substr(at + 9), "; ")) {
        std::cerr << "  - " << gap << "\n";
      }
      std::cerr << "hint: fill the gaps with `attainctl report cause " << req.report_id()
                << " …`, then submit again\n"
                << std::flush;
      return kExitFailure;
    }
  }
  if (!st.ok()) return Fail(client, st);
  return ShowReport(client, resp.report());
}

// ------------------------------------------------------------------ pack

int RunMeetingPack(const Invocation& inv) {
  Client& client = inv.client;
  int rc = kExitOk;
  rv1::GetMeetingPackRequest req;
  req.set_meeting_id(inv.args.positional()[0]);
  req.set_format(inv.args.Has("markdown") ? rv1::PACK_FORMAT_MARKDOWN : rv1::PACK_FORMAT_HTML);
  if (inv.args.Has("trend-periods")) {
    int64_t periods = 0;
    if (!IntFlag(inv, "trend-periods", &periods, &rc)) return rc;
    req.set_trend_periods(static_cast<int32_t>(periods));
  }
  rv1::GetMeetingPackResponse resp;
  grpc::Status st = client.Call(&MeetingService::Stub::GetMeetingPack, req, &resp);
  if (!st.ok()) return Fail(client, st);
  if (client.json()) {
    PrintJson(resp);
    return kExitOk;
  }
  std::cout.write(resp.content().data(), static_cast<std::streamsize>(resp.content().size()));
  std::cout.flush();
  return std::cout.good() ? kExitOk : kExitFailure;
}

// ------------------------------------------------------------------ demo

// The demo committee reviews the demo company ("acme", `demo load`); its
// meeting reviews this month and starts on the 5th of the next at 09:00
// (Asia/Shanghai). Fixed request ids make a rerun harmless.
int RunDemoReview(const Invocation& inv) {
  Client& client = inv.client;
  rv1::CreateCommitteeRequest create;
  create.set_request_id("demo-committee-perf");
  rv1::Committee* c = create.mutable_committee();
  c->set_committee_id("perf");
  c->set_name("业绩跟踪委员会 Sales performance committee");
  c->set_unit_id("acme");
  struct DemoMember {
    const char* id;
    const char* name;
    rv1::CommitteeRole role;
    const char* department;
    bool manager;
  };
  const DemoMember members[] = {
      {"gm", "王总 Wang (general manager)", rv1::COMMITTEE_ROLE_CHAIR, "management", true},
      {"vp-sales", "李总 Li (sales VP)", rv1::COMMITTEE_ROLE_SECRETARY_GENERAL, "sales", true},
      {"hr-head", "周婷 Zhou (HR)", rv1::COMMITTEE_ROLE_VICE_CHAIR, "hr", true},
      {"mkt-lead", "赵敏 Zhao (marketing)", rv1::COMMITTEE_ROLE_MEMBER, "marketing", true},
      {"fin-lead", "钱进 Qian (finance)", rv1::COMMITTEE_ROLE_MEMBER, "finance", true},
  };
  for (const DemoMember& m : members) {
    rv1::CommitteeMember* member = c->add_members();
    member->set_person_id(m.id);
    member->set_name(m.name);
    member->set_role(m.role);
    member->set_department(m.department);
    member->set_department_manager(m.manager);
  }
  rv1::CreateCommitteeResponse created;
  grpc::Status st = client.Call(&CommitteeService::Stub::CreateCommittee, create, &created);
  if (!st.ok() && st.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
    return Fail(client, grpc::Status(st.error_code(), absl::StrCat("creating committee perf: ",
                                                                   st.error_message())));
  }

  absl::TimeZone tz;
  absl::LoadTimeZone(kDefaultTimeZone, &tz);
  // The current quarter: the demo's reps have quarterly targets, so that an
  // agenda generated from the quarter's evaluation has presenters.
  const Period quarter = Period::Containing(PeriodKind::kQuarter, absl::Now(), tz);
  const absl::CivilDay fifth = quarter.last_day() + 5;  // the 5th after the quarter
  rv1::ScheduleMeetingRequest req;
  req.set_request_id(absl::StrCat("demo-meeting-", quarter.ToString()));
  req.set_committee_id("perf");
  req.set_title(absl::StrCat(quarter.ToString(), " 季度业绩质询会 quarterly performance review"));
  req.set_purpose("Review the quarter's deviations, their causes and the improvement actions");
  req.set_period(quarter.ToString());
  req.mutable_start_time()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(fifth) + 9 * 3600, tz)));
  req.set_duration_minutes(120);
  req.set_minute_taker_id("mkt-lead");
  rv1::ScheduleMeetingResponse scheduled;
  st = client.Call(&MeetingService::Stub::ScheduleMeeting, req, &scheduled);
  if (!st.ok()) {
    return Fail(client, grpc::Status(st.error_code(),
                                     absl::StrCat("scheduling the meeting: ", st.error_message())));
  }
  if (client.json()) {
    PrintJson(nlohmann::ordered_json{{"committee_id", "perf"},
                                     {"meeting_id", scheduled.meeting().meeting_id()}});
  } else {
    std::cout << "committee perf (" << c->members_size() << " members) and meeting "
              << scheduled.meeting().meeting_id() << " (" << quarter.ToString() << ", "
              << FormatTimestamp(scheduled.meeting().start_time()) << ") are ready\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> ReviewCommands() {
  const std::string members_synopsis =
      "--member PERSON:ROLE:DEPARTMENT:NAME … | --members-file F.json [--manager PERSON …]";
  return {
      {"committee create",
       absl::StrCat("ID --name NAME --unit UNIT ", members_synopsis),
       "creates a review committee: exactly one chair and one secretary-general among its "
       "members (ROLE chair, vice_chair, secretary_general or member; --manager marks a "
       "department's manager)",
       {"name", "unit", "member", "members-file", "manager"},
       {},
       1,
       1,
       RunCommitteeCreate},
      {"committee get", "ID", "shows a committee and its members", {}, {}, 1, 1, RunCommitteeGet},
      {"committee list", "", "lists the committees", {}, {}, 0, 0, RunCommitteeList},
      {"committee update",
       absl::StrCat("ID --version N [--name NAME] [--unit UNIT] [", members_synopsis, "]"),
       "changes a committee's name, unit or members (replaced whole) from version N",
       {"version", "name", "unit", "member", "members-file", "manager"},
       {},
       1,
       1,
       RunCommitteeUpdate},
      {"meeting schedule",
       "--committee C --title T --period P --start \"2025-05-05 09:00\" --minute-taker PERSON "
       "[--duration 120] [--purpose TEXT] [--invitee PERSON …] [--tz ZONE]",
       "schedules a meeting reviewing period P (invitees: the committee's members unless "
       "--invitee)",
       {"committee", "title", "period", "start", "minute-taker", "duration", "purpose", "invitee",
        "tz"},
       {},
       0,
       0,
       RunSchedule},
      {"meeting series",
       "--committee C --cadence monthly|quarterly --first-period P --count N --first-start TIME "
       "--minute-taker PERSON [--duration 120] [--title \"{period} review\"] [--purpose TEXT] "
       "[--invitee PERSON …] [--tz ZONE]",
       "schedules one meeting per period from P on, each as long after its period's end as the "
       "first",
       {"committee", "cadence", "first-period", "count", "first-start", "minute-taker", "duration",
        "title", "purpose", "invitee", "tz"},
       {},
       0,
       0,
       RunSeries},
      {"meeting get",
       "ID",
       "shows a meeting with its invitees' attendance",
       {},
       {},
       1,
       1,
       RunMeetingGet},
      {"meeting list",
       "[--committee C] [--status scheduled|in_progress|closed|cancelled] [--period P]",
       "lists meetings by start time",
       {"committee", "status", "period"},
       {},
       0,
       0,
       RunMeetingList},
      {"meeting start",
       "ID",
       "starts a scheduled meeting (minutes may be taken)",
       {},
       {},
       1,
       1,
       RunStart},
      {"meeting close",
       "ID",
       "closes a meeting in progress (its record becomes read-only)",
       {},
       {},
       1,
       1,
       RunClose},
      {"meeting cancel",
       "ID --reason TEXT",
       "calls off a scheduled meeting or one in progress",
       {"reason"},
       {},
       1,
       1,
       RunCancel},
      {"meeting attend",
       "ID [--present P[,P…]] [--absent P[,P…]] [--excused P[,P…]]",
       "records who attended (invitees only)",
       {"present", "absent", "excused"},
       {},
       1,
       1,
       RunAttend},
      {"meeting pack",
       "ID [--markdown] [--trend-periods N]",
       "writes the meeting pack (agenda, deviations, charts, open action items) to stdout as "
       "received: a self-contained HTML page, or Markdown with --markdown (e.g. `> pack.html`)",
       {"trend-periods"},
       {"markdown"},
       1,
       1,
       RunMeetingPack},
      {"minutes add",
       "MEETING --speaker PERSON --text TEXT|--text-file FILE [--decision]",
       "appends an entry to a meeting's minutes (the minute taker, while it is in progress)",
       {"speaker", "text", "text-file"},
       {"decision"},
       1,
       1,
       RunMinutesAdd},
      {"minutes list",
       "MEETING",
       "shows a meeting's minutes in order",
       {},
       {},
       1,
       1,
       RunMinutesList},
      {"agenda generate",
       "MEETING [--evaluation ID] [--level rep|unit] [--below-plan-only] [--max-presenters N] "
       "[--min-minutes N] [--max-minutes N] [--free-discussion N] [--spare N] "
       "[--previous-review N] [--version N]",
       "builds a scheduled meeting's agenda from the period's FINAL evaluation (default the "
       "newest): presenters by size of deviation with their minutes, then the left-out ones",
       {"evaluation", "level", "max-presenters", "min-minutes", "max-minutes", "free-discussion",
        "spare", "previous-review", "version"},
       {"below-plan-only"},
       1,
       1,
       RunAgendaGenerate},
      {"agenda get", "MEETING", "shows a meeting's agenda", {}, {}, 1, 1, RunAgendaGet},
      {"agenda set-minutes",
       "MEETING ITEM MINUTES [--version N]",
       "changes an agenda item's minutes (refused when the agenda would outgrow the meeting; "
       "the version defaults to the agenda's current one)",
       {"version"},
       {},
       3,
       3,
       RunAgendaSetMinutes},
      {"agenda move",
       "MEETING ITEM POSITION [--version N]",
       "moves an agenda item to a 1-based position (the previous-actions review stays first)",
       {"version"},
       {},
       3,
       3,
       RunAgendaMove},
      {"report create",
       "MEETING ITEM",
       "starts a presenter's report on an agenda presentation (step 1 from the evaluation)",
       {},
       {},
       2,
       2,
       RunReportCreate},
      {"report get", "ID", "shows a report with its causes", {}, {}, 1, 1, RunReportGet},
      {"report list",
       "MEETING",
       "lists a meeting's reports in agenda order",
       {},
       {},
       1,
       1,
       RunReportList},
      {"report cause",
       "REPORT --id C --description TEXT --kind internal|external --impact N "
       "[--proposal TEXT] [--resource TEXT [--resource-amount N] [--currency CNY]] "
       "[--why TEXT …] [--confirmed internal|external] [--responsible-department D] "
       "[--responsible-person P] [--related D[,D…]] [--notes TEXT] [--version N]",
       "adds or replaces a cause (step 2) with its proposal or resource request (step 3), "
       "5 whys and the committee's inquiry; --impact in the deviation's unit (money: major "
       "units, e.g. -2,000.00)",
       {"id", "description", "kind", "impact", "proposal", "resource", "resource-amount",
        "currency", "why", "confirmed", "responsible-department", "responsible-person", "related",
        "notes", "version"},
       {},
       1,
       1,
       RunReportCause},
      {"report submit",
       "REPORT [--version N]",
       "submits a report; when refused prints every gap and exits 1",
       {"version"},
       {},
       1,
       1,
       RunReportSubmit},
      {"demo review",
       "",
       "creates the demo committee (perf, of unit acme) and schedules its meeting reviewing "
       "this month",
       {},
       {},
       0,
       0,
       RunDemoReview},
  };
}

}  // namespace attain::ctl
