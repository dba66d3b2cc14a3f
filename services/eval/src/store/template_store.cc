#include "services/eval/src/store/template_store.h"

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/pg.h"
#include "common/status.h"
#include "services/eval/src/store/requests.h"

namespace attain::eval {
namespace {

const absl::CivilDay kEpochDay(1970, 1, 1);

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }
absl::CivilDay DayAt(const pqxx::field& f) { return kEpochDay + f.as<int64_t>(); }

// The columns every version read selects, in the order VersionAt reads them;
// `v` is template_versions and `t` templates.
constexpr char kVersionColumns[] =
    "v.template_id, v.version, v.name, t.preset, v.definition, "
    "(extract(epoch FROM t.create_time) * 1000000)::bigint, "
    "(extract(epoch FROM v.create_time) * 1000000)::bigint, v.created_by";

TemplateVersionRecord VersionAt(const pqxx::row& row) {
  TemplateVersionRecord r;
  r.template_id = row[0].as<std::string>();
  r.version = row[1].as<int64_t>();
  r.name = row[2].as<std::string>();
  r.preset = row[3].as<std::string>();
  r.definition = pqxx::binarystring(row[4]).str();
  r.create_time = PgTimeAt(row[5]);
  r.update_time = PgTimeAt(row[6]);
  r.updated_by = row[7].as<std::string>();
  return r;
}

constexpr char kAssignmentColumns[] =
    "assignment_id, unit_id, template_id, (effective_from - date '1970-01-01')::bigint, "
    "effective_period, (extract(epoch FROM assign_time) * 1000000)::bigint, assigned_by";

AssignmentRecord AssignmentAt(const pqxx::row& row) {
  AssignmentRecord r;
  r.assignment_id = row[0].as<int64_t>();
  r.unit_id = row[1].as<std::string>();
  r.template_id = row[2].as<std::string>();
  r.effective_from = DayAt(row[3]);
  r.effective_period = row[4].as<std::string>();
  r.assign_time = PgTimeAt(row[5]);
  r.assigned_by = row[6].as<std::string>();
  return r;
}

class PgTemplateTx final : public TemplateTx {
 public:
  PgTemplateTx(pqxx::transaction_base& txn, std::string tenant)
      : txn_(txn), tenant_(std::move(tenant)) {}

  absl::StatusOr<std::optional<TemplateVersionRecord>> FindLatest(const std::string& template_id,
                                                                  bool for_update) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<TemplateVersionRecord>> {
      // FOR UPDATE OF t: lock the head row only; the version rows never change.
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kVersionColumns,
                       " FROM eval.templates t JOIN eval.template_versions v"
                       " ON v.tenant_id = t.tenant_id AND v.template_id = t.template_id"
                       " AND v.version = t.latest_version"
                       " WHERE t.tenant_id = $1 AND t.template_id = $2",
                       for_update ? " FOR UPDATE OF t" : ""),
          tenant_, template_id);
      if (r.empty()) return std::nullopt;
      return VersionAt(r[0]);
    });
  }

  absl::StatusOr<std::optional<TemplateVersionRecord>> FindVersion(const std::string& template_id,
                                                                   int64_t version) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<TemplateVersionRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kVersionColumns,
                       " FROM eval.templates t JOIN eval.template_versions v"
                       " ON v.tenant_id = t.tenant_id AND v.template_id = t.template_id"
                       " WHERE t.tenant_id = $1 AND t.template_id = $2 AND v.version = $3"),
          tenant_, template_id, version);
      if (r.empty()) return std::nullopt;
      return VersionAt(r[0]);
    });
  }

  absl::Status InsertTemplate(TemplateVersionRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result head = txn_.exec_params(
          "INSERT INTO eval.templates (tenant_id, template_id, latest_version, preset) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING "
          "RETURNING (extract(epoch FROM create_time) * 1000000)::bigint",
          tenant_, rec.template_id, rec.version, rec.preset);
      if (head.empty()) {
        return absl::AlreadyExistsError(
            absl::StrFormat("template \"%s\" already exists: update it (UpdateTemplate) or "
                            "choose another template_id",
                            rec.template_id));
      }
      rec.create_time = PgTimeAt(head[0][0]);
      return InsertVersion(rec);
    });
  }

  absl::Status AppendVersion(TemplateVersionRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      pqxx::result head = txn_.exec_params(
          "UPDATE eval.templates SET latest_version = $3 "
          "WHERE tenant_id = $1 AND template_id = $2 AND latest_version < $3 "
          "RETURNING (extract(epoch FROM create_time) * 1000000)::bigint, preset",
          tenant_, rec.template_id, rec.version);
      if (head.empty()) {
        return absl::AlreadyExistsError(
            absl::StrFormat("template \"%s\" does not exist or already has version %d",
                            rec.template_id, rec.version));
      }
      rec.create_time = PgTimeAt(head[0][0]);
      rec.preset = head[0][1].as<std::string>();
      return InsertVersion(rec);
    });
  }

  absl::StatusOr<std::vector<TemplateVersionRecord>> ListLatest(const TemplateFilter& filter,
                                                                const std::string& after_id,
                                                                int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<TemplateVersionRecord>> {
      // An empty filter value matches everything, so one statement serves all.
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kVersionColumns,
                       " FROM eval.templates t JOIN eval.template_versions v"
                       " ON v.tenant_id = t.tenant_id AND v.template_id = t.template_id"
                       " AND v.version = t.latest_version"
                       " WHERE t.tenant_id = $1 AND t.template_id > $2"
                       " AND ($3 = '' OR t.preset = $3)"
                       " AND ($4 = '' OR strpos(lower(v.name), lower($4)) > 0)"
                       " ORDER BY t.template_id LIMIT $5"),
          tenant_, after_id, filter.preset, filter.name_contains, limit);
      std::vector<TemplateVersionRecord> out;
      for (const pqxx::row& row : r) out.push_back(VersionAt(row));
      return out;
    });
  }

  absl::StatusOr<std::vector<TemplateVersionRecord>> ListVersions(const std::string& template_id,
                                                                  int64_t before_version,
                                                                  int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<TemplateVersionRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kVersionColumns,
                       " FROM eval.templates t JOIN eval.template_versions v"
                       " ON v.tenant_id = t.tenant_id AND v.template_id = t.template_id"
                       " WHERE t.tenant_id = $1 AND t.template_id = $2"
                       " AND ($3::bigint = 0 OR v.version < $3::bigint)"
                       " ORDER BY v.version DESC LIMIT $4"),
          tenant_, template_id, before_version, limit);
      std::vector<TemplateVersionRecord> out;
      for (const pqxx::row& row : r) out.push_back(VersionAt(row));
      return out;
    });
  }

  absl::Status InsertAssignment(AssignmentRecord& rec) override {
    return PgGuard([&]() -> absl::Status {
      // The existence check is the foreign key; it is done first only to
      // name the template in the error.
      pqxx::result exists =
          txn_.exec_params("SELECT 1 FROM eval.templates WHERE tenant_id = $1 AND template_id = $2",
                           tenant_, rec.template_id);
      if (exists.empty()) {
        return absl::FailedPreconditionError(
            absl::StrFormat("template \"%s\" does not exist", rec.template_id));
      }
      pqxx::result r = txn_.exec_params(
          "INSERT INTO eval.template_assignments (tenant_id, unit_id, template_id, "
          "effective_from, effective_period, assigned_by) "
          "VALUES ($1, $2, $3, $4::date, $5, $6) "
          "RETURNING assignment_id, (extract(epoch FROM assign_time) * 1000000)::bigint",
          tenant_, rec.unit_id, rec.template_id, Day(rec.effective_from), rec.effective_period,
          rec.assigned_by);
      rec.assignment_id = r[0][0].as<int64_t>();
      rec.assign_time = PgTimeAt(r[0][1]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<AssignmentRecord>> ListAssignments(const std::string& unit_id,
                                                                const std::string& template_id,
                                                                int64_t after_id,
                                                                int limit) override {
    return PgGuard([&]() -> absl::StatusOr<std::vector<AssignmentRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kAssignmentColumns,
                       " FROM eval.template_assignments"
                       " WHERE tenant_id = $1 AND assignment_id > $2"
                       " AND ($3 = '' OR unit_id = $3) AND ($4 = '' OR template_id = $4)"
                       " ORDER BY assignment_id LIMIT $5"),
          tenant_, after_id, unit_id, template_id, limit);
      std::vector<AssignmentRecord> out;
      for (const pqxx::row& row : r) out.push_back(AssignmentAt(row));
      return out;
    });
  }

  absl::StatusOr<std::optional<AssignmentRecord>> FindAssignment(const std::string& unit_id,
                                                                 absl::CivilDay day) override {
    return PgGuard([&]() -> absl::StatusOr<std::optional<AssignmentRecord>> {
      pqxx::result r = txn_.exec_params(
          absl::StrCat("SELECT ", kAssignmentColumns,
                       " FROM eval.template_assignments"
                       " WHERE tenant_id = $1 AND unit_id = $2 AND effective_from <= $3::date"
                       " ORDER BY effective_from DESC, assignment_id DESC LIMIT 1"),
          tenant_, unit_id, Day(day));
      if (r.empty()) return std::nullopt;
      return AssignmentAt(r[0]);
    });
  }

 private:
  absl::Status InsertVersion(TemplateVersionRecord& rec) {
    pqxx::result r = txn_.exec_params(
        "INSERT INTO eval.template_versions (tenant_id, template_id, version, name, definition, "
        "created_by) VALUES ($1, $2, $3, $4, $5, $6) "
        "RETURNING (extract(epoch FROM create_time) * 1000000)::bigint",
        tenant_, rec.template_id, rec.version, rec.name, pqxx::binarystring(rec.definition),
        rec.updated_by);
    rec.update_time = PgTimeAt(r[0][0]);
    return absl::OkStatus();
  }

  pqxx::transaction_base& txn_;
  const std::string tenant_;
};

}  // namespace

absl::Status PgTemplateStore::Migrate(PgPool& pool) {
  return RunMigrations(pool, "eval", Migrations());
}

absl::StatusOr<std::string> PgTemplateStore::Mutate(
    const std::string& tenant, const std::string& request_id, const std::string& method,
    const std::string& fingerprint,
    const std::function<absl::StatusOr<std::string>(TemplateTx&)>& fn) {
  return EvalRequests().Mutate(pool_, tenant, request_id, method, fingerprint,
                               [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
                                 PgTemplateTx tx(txn, tenant);
                                 return fn(tx);
                               });
}

absl::Status PgTemplateStore::Read(const std::string& tenant,
                                   const std::function<absl::Status(TemplateTx&)>& fn) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant is empty");
  return pool_.WithConnection([&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction txn(conn);
    PgTemplateTx tx(txn, tenant);
    RETURN_IF_ERROR(fn(tx));
    txn.commit();
    return absl::OkStatus();
  });
}

}  // namespace attain::eval
