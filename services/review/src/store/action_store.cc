#include "services/review/src/store/action_store.h"

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/pg.h"
#include "common/pg_requests.h"
#include "common/status.h"
#include "nlohmann/json.hpp"

namespace attain::review {
namespace {

const absl::CivilDay kEpochDay(1970, 1, 1);

const PgRequests& Requests() {
  static const PgRequests* const kRequests = new PgRequests("review.requests");
  return *kRequests;
}

// Times travel as Unix microseconds (`At("$3")` turns the parameter back
// into a timestamptz, exactly); days as "YYYY-MM-DD" in, days since the
// epoch out.
int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
std::string At(absl::string_view param) {
  return absl::StrCat("(timestamptz 'epoch' + ", param, "::bigint * interval '1 microsecond')");
}
std::string MicrosOf(absl::string_view column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000000)::bigint");
}
std::string DaysOf(absl::string_view column) {
  return absl::StrCat("(", column, " - date '1970-01-01')");
}
std::string DayText(const std::optional<absl::CivilDay>& day) {
  return day ? absl::FormatCivilTime(*day) : std::string();
}
std::optional<absl::CivilDay> DayAt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return kEpochDay + f.as<int64_t>();
}
std::optional<int64_t> OptionalAt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<int64_t>();
}

std::string JsonList(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

std::string StatusText(ActionStatus status) { return std::string(ActionStatusName(status)); }

// The columns every item read selects, in the order ItemAt reads them; `a`
// is action_items. The parts of a split come as a JSON array in the parent's
// department order.
const std::string& ItemColumns() {
  static const std::string* const kColumns = new std::string(absl::StrCat(
      "a.action_id, a.meeting_id, a.report_id, a.cause_id, a.title, a.measures, "
      "array_to_json(a.departments)::text, a.responsible_department, a.owner_id, ",
      DaysOf("a.due_date"),
      ", a.expected_text, a.expected_metric, a.expected_scope_kind, a.expected_scope_id, "
      "a.expected_target_value, a.expected_period, a.expected_lower_is_better, a.resources, "
      "a.status, coalesce(a.parent_action_id, ''), ",
      DaysOf("a.progress_due_date"),
      ", a.verified_achieved, a.verified_actual, a.verified_evaluation_id, "
      "a.verified_meeting_id, a.verified_automatic, ",
      MicrosOf("a.verify_time"), ", a.version, ", MicrosOf("a.create_time"), ", a.created_by, ",
      MicrosOf("a.update_time"), ", ",
      "(SELECT coalesce(json_agg(c.action_id ORDER BY "
      "array_position(a.departments, c.responsible_department), c.action_id), '[]') "
      "FROM review.action_items c WHERE c.tenant_id = a.tenant_id "
      "AND c.parent_action_id = a.action_id)::text"));
  return *kColumns;
}
constexpr int kItemColumnCount = 32;

absl::StatusOr<ActionItemRecord> ItemAt(const pqxx::row& row) {
  ActionItemRecord r;
  r.action_id = row[0].as<std::string>();
  r.meeting_id = row[1].as<std::string>();
  r.report_id = row[2].as<std::string>();
  r.cause_id = row[3].as<std::string>();
  r.title = row[4].as<std::string>();
  r.measures = row[5].as<std::string>();
  r.departments = nlohmann::json::parse(row[6].as<std::string>()).get<std::vector<std::string>>();
  r.responsible_department = row[7].as<std::string>();
  r.owner_id = row[8].as<std::string>();
  r.due = DayAt(row[9]);
  r.expected.text = row[10].as<std::string>();
  r.expected.metric = row[11].as<std::string>();
  r.expected.scope_kind = row[12].as<std::string>();
  r.expected.scope_id = row[13].as<std::string>();
  r.expected.target_value = row[14].as<int64_t>();
  r.expected.period = row[15].as<std::string>();
  r.expected.lower_is_better = row[16].as<bool>();
  r.resources = row[17].as<std::string>();
  ASSIGN_OR_RETURN(r.status, ActionStatusFromName(row[18].as<std::string>()));
  r.parent_action_id = row[19].as<std::string>();
  r.progress_due = DayAt(row[20]);
  if (!row[21].is_null()) {
    VerificationRecord v;
    v.achieved = row[21].as<bool>();
    v.actual = OptionalAt(row[22]);
    v.evaluation_id = row[23].as<std::string>();
    v.meeting_id = row[24].as<std::string>();
    v.automatic = row[25].as<bool>();
    if (!row[26].is_null()) v.verify_time = PgTimeAt(row[26]);
    r.verification = std::move(v);
  }
  r.version = row[27].as<int64_t>();
  r.create_time = PgTimeAt(row[28]);
  r.created_by = row[29].as<std::string>();
  r.update_time = PgTimeAt(row[30]);
  r.child_action_ids =
      nlohmann::json::parse(row[31].as<std::string>()).get<std::vector<std::string>>();
  return r;
}

absl::StatusOr<std::vector<ActionItemRecord>> ItemsAt(const pqxx::result& result) {
  std::vector<ActionItemRecord> out;
  out.reserve(result.size());
  for (const pqxx::row& row : result) {
    ASSIGN_OR_RETURN(ActionItemRecord rec, ItemAt(row));
    out.push_back(std::move(rec));
  }
  return out;
}

std::string FailuresJson(const std::vector<SmartFailureRecord>& failures) {
  nlohmann::json out = nlohmann::json::array();
  for (const SmartFailureRecord& f : failures) {
    out.push_back({{"criterion", f.criterion}, {"field", f.field}, {"message", f.message}});
  }
  return out.dump();
}

std::vector<SmartFailureRecord> FailuresFrom(const std::string& text) {
  std::vector<SmartFailureRecord> out;
  for (const nlohmann::json& f : nlohmann::json::parse(text)) {
    out.push_back({f.value("criterion", ""), f.value("field", ""), f.value("message", "")});
  }
  return out;
}

class PgActionTx final : public ActionTx {
 public:
  PgActionTx(pqxx::transaction_base& txn, std::string tenant)
      : txn_(txn), tenant_(std::move(tenant)) {}

  absl::StatusOr<std::optional<ActionItemRecord>> FindItem(const std::string& action_id,
                                                           bool for_update, bool details) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<ActionItemRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", ItemColumns(),
                       " FROM review.action_items a WHERE a.tenant_id = $1 AND a.action_id = $2",
                       for_update ? " FOR UPDATE OF a" : ""),
          tenant_, action_id);
      if (r.empty()) return std::nullopt;
      ASSIGN_OR_RETURN(ActionItemRecord rec, ItemAt(r[0]));
      if (details) RETURN_IF_ERROR(ReadDetails(rec));
      return rec;
    });
  }

  absl::Status InsertItem(const ActionItemRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      const std::optional<VerificationRecord>& v = rec.verification;
      pqxx::result head = txn_.exec_params(
          absl::StrCat(
              "INSERT INTO review.action_items (tenant_id, action_id, meeting_id, report_id, "
              "cause_id, title, measures, departments, responsible_department, owner_id, "
              "due_date, expected_text, expected_metric, expected_scope_kind, expected_scope_id, "
              "expected_target_value, expected_period, expected_lower_is_better, resources, "
              "status, parent_action_id, progress_due_date, verified_achieved, verified_actual, "
              "verified_evaluation_id, verified_meeting_id, verified_automatic, verify_time, "
              "version, create_time, created_by, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, "
              "ARRAY(SELECT json_array_elements_text($8::json)), $9, $10, NULLIF($11, '')::date, "
              "$12, $13, $14, $15, $16, $17, $18, $19, $20, NULLIF($21, ''), "
              "NULLIF($22, '')::date, CASE WHEN $23 THEN $24::boolean END, "
              "CASE WHEN $25 THEN $26::bigint END, $27, $28, $29, CASE WHEN $23 THEN ",
              At("$30"), " END, $31, ", At("$32"), ", $33, ", At("$34"),
              ") ON CONFLICT DO NOTHING RETURNING 1"),
          tenant_, rec.action_id, rec.meeting_id, rec.report_id, rec.cause_id, rec.title,
          rec.measures, JsonList(rec.departments), rec.responsible_department, rec.owner_id,
          DayText(rec.due), rec.expected.text, rec.expected.metric, rec.expected.scope_kind,
          rec.expected.scope_id, rec.expected.target_value, rec.expected.period,
          rec.expected.lower_is_better, rec.resources, StatusText(rec.status), rec.parent_action_id,
          DayText(rec.progress_due), v.has_value(), v.has_value() && v->achieved,
          v.has_value() && v->actual.has_value(), v && v->actual ? *v->actual : int64_t{0},
          v ? v->evaluation_id : std::string(), v ? v->meeting_id : std::string(),
          v.has_value() && v->automatic, Micros(v ? v->verify_time : absl::UnixEpoch()),
          rec.version, Micros(rec.create_time), rec.created_by, Micros(rec.update_time));
      if (head.empty()) {
        return absl::AlreadyExistsError(
            absl::StrFormat("action item \"%s\" already exists", rec.action_id));
      }
      AddOwner(rec.action_id, rec.owner_id);
      return absl::OkStatus();
    });
  }

  absl::Status UpdateItem(const ActionItemRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      const std::optional<VerificationRecord>& v = rec.verification;
      pqxx::result r = txn_.exec_params(
          absl::StrCat(
              "UPDATE review.action_items SET title = $3, measures = $4, owner_id = $5, "
              "due_date = NULLIF($6, '')::date, expected_text = $7, expected_metric = $8, "
              "expected_scope_kind = $9, expected_scope_id = $10, expected_target_value = $11, "
              "expected_period = $12, expected_lower_is_better = $13, resources = $14, "
              "status = $15, progress_due_date = NULLIF($16, '')::date, "
              "verified_achieved = CASE WHEN $17 THEN $18::boolean END, "
              "verified_actual = CASE WHEN $19 THEN $20::bigint END, "
              "verified_evaluation_id = $21, verified_meeting_id = $22, verified_automatic = $23, "
              "verify_time = CASE WHEN $17 THEN ",
              At("$24"), " END, version = $25, update_time = ", At("$26"),
              " WHERE tenant_id = $1 AND action_id = $2 RETURNING 1"),
          tenant_, rec.action_id, rec.title, rec.measures, rec.owner_id, DayText(rec.due),
          rec.expected.text, rec.expected.metric, rec.expected.scope_kind, rec.expected.scope_id,
          rec.expected.target_value, rec.expected.period, rec.expected.lower_is_better,
          rec.resources, StatusText(rec.status), DayText(rec.progress_due), v.has_value(),
          v.has_value() && v->achieved, v.has_value() && v->actual.has_value(),
          v && v->actual ? *v->actual : int64_t{0}, v ? v->evaluation_id : std::string(),
          v ? v->meeting_id : std::string(), v.has_value() && v->automatic,
          Micros(v ? v->verify_time : absl::UnixEpoch()), rec.version, Micros(rec.update_time));
      if (r.empty()) {
        return absl::NotFoundError(
            absl::StrFormat("action item \"%s\" does not exist", rec.action_id));
      }
      AddOwner(rec.action_id, rec.owner_id);
      return absl::OkStatus();
    });
  }

  absl::Status AppendHistory(const std::string& action_id,
                             const StatusChangeRecord& change) override {
    return PgGuard([&]() -> absl::Status {
      txn_.exec_params(
          absl::StrCat("INSERT INTO review.action_history (tenant_id, action_id, seq, "
                       "from_status, to_status, changed_by, change_time, note, smart_failures) "
                       "SELECT $1, $2, coalesce(max(seq), 0) + 1, $3, $4, $5, ",
                       At("$6"),
                       ", $7, $8::jsonb FROM review.action_history "
                       "WHERE tenant_id = $1 AND action_id = $2"),
          tenant_, action_id, change.from ? StatusText(*change.from) : std::string(),
          StatusText(change.to), change.changed_by, Micros(change.change_time), change.note,
          FailuresJson(change.smart_failures));
      return absl::OkStatus();
    });
  }

  absl::Status AppendProgress(const std::string& action_id, const ProgressRecord& report) override {
    return PgGuard([&]() -> absl::Status {
      txn_.exec_params(
          absl::StrCat("INSERT INTO review.action_progress (tenant_id, action_id, seq, "
                       "as_of_date, value, done_bp, note, reported_by, report_time) "
                       "SELECT $1, $2, coalesce(max(seq), 0) + 1, $3::date, "
                       "CASE WHEN $4 THEN $5::bigint END, $6, $7, $8, ",
                       At("$9"),
                       " FROM review.action_progress WHERE tenant_id = $1 AND action_id = $2"),
          tenant_, action_id, absl::FormatCivilTime(report.as_of), report.value.has_value(),
          report.value.value_or(0), report.done_bp, report.note, report.reported_by,
          Micros(report.report_time));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<ActionItemRecord>> ListChildren(
      const std::string& parent_action_id) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<ActionItemRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", ItemColumns(),
                       " FROM review.action_items a JOIN review.action_items p "
                       "ON p.tenant_id = a.tenant_id AND p.action_id = a.parent_action_id "
                       "WHERE a.tenant_id = $1 AND a.parent_action_id = $2 "
                       "ORDER BY array_position(p.departments, a.responsible_department), "
                       "a.action_id"),
          tenant_, parent_action_id);
      return ItemsAt(r);
    });
  }

  absl::StatusOr<std::vector<ActionItemRecord>> ListItems(const ActionFilter& filter,
                                                          const std::optional<ActionPageKey>& after,
                                                          int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<ActionItemRecord>> {
      PgParams params;
      std::string sql =
          absl::StrCat("SELECT ", ItemColumns(),
                       " FROM review.action_items a WHERE a.tenant_id = ", params.Add(tenant_));
      if (!filter.meeting_id.empty()) {
        absl::StrAppend(&sql, " AND a.meeting_id = ", params.Add(filter.meeting_id));
      }
      if (!filter.owner_id.empty()) {
        absl::StrAppend(&sql, " AND a.owner_id = ", params.Add(filter.owner_id));
      }
      if (!filter.department.empty()) {
        absl::StrAppend(&sql, " AND a.responsible_department = ", params.Add(filter.department));
      }
      if (!filter.statuses.empty()) {
        std::vector<std::string> names;
        for (ActionStatus s : filter.statuses) names.push_back(StatusText(s));
        absl::StrAppend(&sql, " AND a.status IN (SELECT json_array_elements_text(",
                        params.Add(JsonList(names)), "::json))");
      }
      if (after) {
        const std::string t = params.Add(absl::StrCat(Micros(after->create_time)));
        absl::StrAppend(&sql, " AND (a.create_time, a.action_id) < (", At(t), ", ",
                        params.Add(after->action_id), ")");
      }
      absl::StrAppend(&sql, " ORDER BY a.create_time DESC, a.action_id DESC LIMIT ",
                      params.Add(absl::StrCat(limit)));
      return ItemsAt(params.Exec(txn_, sql));
    });
  }

  absl::StatusOr<std::vector<OverdueRow>> ListOverdue(const OverdueFilter& filter,
                                                      absl::CivilDay today,
                                                      const std::optional<OverduePageKey>& after,
                                                      int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<OverdueRow>> {
      PgParams params;
      std::string sql =
          absl::StrCat("SELECT ", ItemColumns(), ", ", DaysOf("a.late_since"),
                       " FROM review.action_items a WHERE a.tenant_id = ", params.Add(tenant_),
                       " AND a.late_since IS NOT NULL AND a.late_since < ",
                       params.Add(absl::FormatCivilTime(today)), "::date");
      if (!filter.department.empty()) {
        absl::StrAppend(&sql, " AND a.responsible_department = ", params.Add(filter.department));
      }
      if (!filter.owner_id.empty()) {
        absl::StrAppend(&sql, " AND a.owner_id = ", params.Add(filter.owner_id));
      }
      if (after) {
        absl::StrAppend(&sql, " AND (a.late_since, a.action_id) > (",
                        params.Add(absl::FormatCivilTime(after->late_since)), "::date, ",
                        params.Add(after->action_id), ")");
      }
      absl::StrAppend(&sql, " ORDER BY a.late_since, a.action_id LIMIT ",
                      params.Add(absl::StrCat(limit)));
      pqxx::result r = params.Exec(txn_, sql);
      std::vector<OverdueRow> out;
      out.reserve(r.size());
      for (const pqxx::row& row : r) {
        ASSIGN_OR_RETURN(ActionItemRecord rec, ItemAt(row));
        out.push_back({std::move(rec), kEpochDay + row[kItemColumnCount].as<int64_t>()});
      }
      return out;
    });
  }

  absl::StatusOr<std::vector<ActionItemRecord>> ListOpenOfMeetings(
      const std::vector<std::string>& meeting_ids) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<ActionItemRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", ItemColumns(),
                       " FROM review.action_items a WHERE a.tenant_id = $1 "
                       "AND a.meeting_id IN (SELECT json_array_elements_text($2::json)) "
                       "AND a.status NOT IN ('verified_achieved', 'verified_not_achieved') "
                       "ORDER BY a.action_id"),
          tenant_, JsonList(meeting_ids));
      return ItemsAt(r);
    });
  }

  absl::StatusOr<std::vector<ActionItemRecord>> ListOwnedBy(const std::string& person_id) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<ActionItemRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", ItemColumns(),
                       " FROM review.action_owners o JOIN review.action_items a "
                       "ON a.tenant_id = o.tenant_id AND a.action_id = o.action_id "
                       "WHERE o.tenant_id = $1 AND o.person_id = $2 "
                       "ORDER BY a.create_time, a.action_id"),
          tenant_, person_id);
      return ItemsAt(r);
    });
  }

  absl::StatusOr<std::vector<PresentationRecord>> ListPresentations(
      const std::string& person_id) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<PresentationRecord>> {
      // The report's step 1 (copied from the evaluation when it was written)
      // wins over the agenda's figures where there is one.
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT i.meeting_id, m.period, ", MicrosOf("m.start_time"),
                       ", coalesce(r.metric, i.metric), coalesce(r.target, i.target), "
                       "coalesce(r.actual, i.actual), coalesce(r.gap, i.gap), "
                       "coalesce(r.attainment_bp, i.attainment_bp), "
                       "coalesce(r.currency_code, i.currency_code), coalesce(r.report_id, '') "
                       "FROM review.agenda_items i JOIN review.meetings m "
                       "ON m.tenant_id = i.tenant_id AND m.meeting_id = i.meeting_id "
                       "LEFT JOIN review.reports r ON r.tenant_id = i.tenant_id "
                       "AND r.meeting_id = i.meeting_id AND r.agenda_item_id = i.item_id "
                       "WHERE i.tenant_id = $1 AND i.presenter_id = $2 AND i.kind = 'presentation' "
                       "AND i.presenter_kind = 'rep' AND m.status <> 'cancelled' "
                       "ORDER BY m.start_time, m.meeting_id, i.position"),
          tenant_, person_id);
      std::vector<PresentationRecord> out;
      for (const pqxx::row& row : r) {
        PresentationRecord p;
        p.meeting_id = row[0].as<std::string>();
        p.period = row[1].as<std::string>();
        p.start_time = PgTimeAt(row[2]);
        p.metric = row[3].as<std::string>();
        p.target = OptionalAt(row[4]);
        p.actual = OptionalAt(row[5]);
        p.gap = OptionalAt(row[6]);
        p.attainment_bp = OptionalAt(row[7]);
        p.currency_code = row[8].as<std::string>();
        p.report_id = row[9].as<std::string>();
        out.push_back(std::move(p));
      }
      return out;
    });
  }

  absl::StatusOr<std::optional<ReportFigure>> FindReportFigure(
      const std::string& report_id) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<ReportFigure>> {
      pqxx::result r = txn_.exec_params(
          "SELECT presenter_kind, presenter_id, metric, actual, meeting_id FROM review.reports "
          "WHERE tenant_id = $1 AND report_id = $2",
          tenant_, report_id);
      if (r.empty()) return std::nullopt;
      ReportFigure f;
      f.presenter_kind = r[0][0].as<std::string>();
      f.presenter_id = r[0][1].as<std::string>();
      f.metric = r[0][2].as<std::string>();
      f.actual = r[0][3].as<int64_t>();
      f.meeting_id = r[0][4].as<std::string>();
      return f;
    });
  }

 private:
  void AddOwner(const std::string& action_id, const std::string& owner_id) {
    txn_.exec_params(
        "INSERT INTO review.action_owners (tenant_id, person_id, action_id) "
        "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        tenant_, owner_id, action_id);
  }

  absl::Status ReadDetails(ActionItemRecord& rec) {
    pqxx::result h = txn_.exec_params(
        absl::StrCat("SELECT from_status, to_status, changed_by, ", MicrosOf("change_time"),
                     ", note, smart_failures::text FROM review.action_history "
                     "WHERE tenant_id = $1 AND action_id = $2 ORDER BY seq"),
        tenant_, rec.action_id);
    for (const pqxx::row& row : h) {
      StatusChangeRecord c;
      const std::string from = row[0].as<std::string>();
      if (!from.empty()) {
        ASSIGN_OR_RETURN(ActionStatus f, ActionStatusFromName(from));
        c.from = f;
      }
      ASSIGN_OR_RETURN(c.to, ActionStatusFromName(row[1].as<std::string>()));
      c.changed_by = row[2].as<std::string>();
      c.change_time = PgTimeAt(row[3]);
      c.note = row[4].as<std::string>();
      c.smart_failures = FailuresFrom(row[5].as<std::string>());
      rec.history.push_back(std::move(c));
    }
    pqxx::result p = txn_.exec_params(
        absl::StrCat("SELECT ", DaysOf("as_of_date"), ", value, done_bp, note, reported_by, ",
                     MicrosOf("report_time"),
                     " FROM review.action_progress WHERE tenant_id = $1 AND action_id = $2 "
                     "ORDER BY seq"),
        tenant_, rec.action_id);
    for (const pqxx::row& row : p) {
      ProgressRecord pr;
      pr.as_of = kEpochDay + row[0].as<int64_t>();
      pr.value = OptionalAt(row[1]);
      pr.done_bp = row[2].as<int32_t>();
      pr.note = row[3].as<std::string>();
      pr.reported_by = row[4].as<std::string>();
      pr.report_time = PgTimeAt(row[5]);
      rec.progress.push_back(std::move(pr));
    }
    return absl::OkStatus();
  }

  pqxx::transaction_base& txn_;
  const std::string tenant_;
};

}  // namespace

absl::StatusOr<ActionStatus> ActionStatusFromName(absl::string_view name) {
  for (ActionStatus s : AllActionStatuses()) {
    if (ActionStatusName(s) == name) return s;
  }
  return absl::InternalError(absl::StrFormat("stored action status \"%s\" is unknown", name));
}

absl::StatusOr<std::string> PgActionItemStore::Mutate(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(ActionTx&)>& fn) {
  return Requests().Mutate(pool_, tenant, request_id, method, fingerprint,
                           [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                             PgActionTx tx(txn, tenant);
                             return fn(tx);
                           });
}

absl::StatusOr<std::optional<std::string>> PgActionItemStore::StoredResponse(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint) {
  return Requests().Stored(pool_, tenant, request_id, method, fingerprint);
}

absl::Status PgActionItemStore::Read(const std::string& tenant,
                                     const std::function<absl::Status(ActionTx&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    PgActionTx tx(txn, tenant);
    RETURN_IF_ERROR(fn(tx));
    txn.commit();
    return absl::OkStatus();
  });
}

}  // namespace attain::review
