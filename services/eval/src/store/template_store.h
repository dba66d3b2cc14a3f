// Storage of scorecard templates and their assignments behind small
// interfaces (ARCHITECTURE.md §3). A TemplateTx is one transaction of one
// tenant: everything done through it commits together or not at all. No pqxx,
// grpc or proto types here: a template's definition travels as bytes (the
// serialized attain.eval.v1.ScorecardTemplate the API layer makes).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace attain {
class PgPool;      // common/pg.h, kept out of this header (no pqxx here)
struct Migration;  // common/pg.h
}  // namespace attain

namespace attain::eval {

// One immutable version of a template.
struct TemplateVersionRecord {
  std::string template_id;
  int64_t version = 0;     // from 1
  std::string name;        // searchable copy of the definition's name
  std::string preset;      // the preset the template was created from; "" if none
  std::string definition;  // serialized attain.eval.v1.ScorecardTemplate (definition only)
  absl::Time create_time;  // of the template (version 1); filled by the store
  absl::Time update_time;  // of this version; filled by the store
  std::string updated_by;  // subject that created this version
};

// A template assigned to an org unit from a day on. Rows are never changed:
// a new assignment for the same unit and day supersedes the older one.
struct AssignmentRecord {
  int64_t assignment_id = 0;  // filled by the store, increasing
  std::string unit_id;
  std::string template_id;
  absl::CivilDay effective_from;
  std::string effective_period;  // the period it was given as; "" for a date
  absl::Time assign_time;        // filled by the store
  std::string assigned_by;
};

struct TemplateFilter {
  std::string preset;         // "" = any
  std::string name_contains;  // "" = any; case-insensitive substring of the latest name
};

class TemplateTx {
 public:
  virtual ~TemplateTx() = default;

  // The latest version of a template; nullopt if there is none. With
  // `for_update`, the template stays locked until the transaction ends, so
  // concurrent updates of one template queue up behind each other.
  virtual absl::StatusOr<std::optional<TemplateVersionRecord>> FindLatest(
      const std::string& template_id, bool for_update) = 0;
  // One version; nullopt if the template or the version does not exist.
  virtual absl::StatusOr<std::optional<TemplateVersionRecord>> FindVersion(
      const std::string& template_id, int64_t version) = 0;
  // Creates a template at `rec.version` (1); ALREADY_EXISTS if the id is
  // taken. Fills create_time and update_time.
  virtual absl::Status InsertTemplate(TemplateVersionRecord& rec) = 0;
  // Adds version `rec.version` of an existing template and makes it the
  // latest; ALREADY_EXISTS if that version exists. Fills the times.
  virtual absl::Status AppendVersion(TemplateVersionRecord& rec) = 0;
  // Latest versions ordered by template_id, after `after_id`.
  virtual absl::StatusOr<std::vector<TemplateVersionRecord>> ListLatest(
      const TemplateFilter& filter, const std::string& after_id, int limit) = 0;
  // Versions of one template, newest first, below `before_version` (0 = from the newest).
  virtual absl::StatusOr<std::vector<TemplateVersionRecord>> ListVersions(
      const std::string& template_id, int64_t before_version, int limit) = 0;

  // Records an assignment (the template must exist: FAILED_PRECONDITION
  // otherwise). Fills assignment_id and assign_time.
  virtual absl::Status InsertAssignment(AssignmentRecord& rec) = 0;
  // Assignments in the order made, after `after_id`; "" filters don't filter.
  virtual absl::StatusOr<std::vector<AssignmentRecord>> ListAssignments(
      const std::string& unit_id, const std::string& template_id, int64_t after_id, int limit) = 0;
  // The assignment of `unit_id` in force on `day`: the latest effective_from
  // on or before it, and among those the one made last.
  virtual absl::StatusOr<std::optional<AssignmentRecord>> FindAssignment(const std::string& unit_id,
                                                                         absl::CivilDay day) = 0;
};

class TemplateStore {
 public:
  virtual ~TemplateStore() = default;

  // Runs `fn` in one read-write transaction for `tenant`; commits if it
  // returns a value. With a non-empty request_id, the first successful call's
  // returned bytes are stored with `method` and `fingerprint` (the request's
  // bytes without its request_id); a later call with the same id returns them
  // without running `fn` if method and fingerprint match, and is
  // ALREADY_EXISTS otherwise (one request_id names one request).
  virtual absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(TemplateTx&)>& fn) = 0;

  // Runs `fn` in a read-only transaction for `tenant`.
  virtual absl::Status Read(const std::string& tenant,
                            const std::function<absl::Status(TemplateTx&)>& fn) = 0;
};

// The migrations of schema `eval`, embedded from services/eval/migrations
// (attain_embed_migrations(eval_lib … attain::eval) in services/eval/CMakeLists.txt).
const std::vector<attain::Migration>& Migrations();

// TemplateStore on PostgreSQL, schema `eval` (services/eval/migrations):
// every statement parameterised and filtered by tenant_id. Thread-safe: each
// call checks out its own connection.
class PgTemplateStore : public TemplateStore {
 public:
  // `pool` must outlive the store.
  explicit PgTemplateStore(PgPool& pool) : pool_(pool) {}

  // Applies the migrations of schema `eval` not yet applied.
  static absl::Status Migrate(PgPool& pool);

  // A call with a request_id takes a transaction-scoped advisory lock on
  // (tenant, request_id), so a concurrent duplicate waits for the first and
  // then returns its stored response. ABORTED (serialization failure,
  // deadlock) is retried up to 3 times, running `fn` again.
  absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(TemplateTx&)>& fn) override;

  absl::Status Read(const std::string& tenant,
                    const std::function<absl::Status(TemplateTx&)>& fn) override;

 private:
  PgPool& pool_;
};

}  // namespace attain::eval
