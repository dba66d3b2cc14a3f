// Storage of the target service behind small interfaces (ARCHITECTURE.md §3).
// A TargetTx is one transaction: everything done through it commits together
// or not at all. No pqxx or grpc types here.
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
#include "common/period.h"

namespace attain::target {

// Numbers of the proto enums, kept as ints in records.
inline constexpr int kKindCompany = 1, kKindRegion = 2, kKindTeam = 3;
inline constexpr int kScopeUnit = 1, kScopeRep = 2;

struct OrgUnitRecord {
  std::string unit_id;
  std::string parent_id;  // "" for the company
  std::string name;
  int kind = 0;
  std::string tier;
  bool archived = false;
  absl::Time create_time;
};

struct MembershipRecord {
  std::string team_id;
  absl::CivilDay effective_from;
  std::optional<absl::CivilDay> effective_to;  // last day; nullopt while current
};

struct RepRecord {
  std::string rep_id;
  std::string name;
  absl::CivilDay hire_date;
  std::vector<MembershipRecord> memberships;  // oldest first
};

struct ProductLineRecord {
  std::string product_line_id;
  std::string name;
};

// The key of a target: (scope, product line, period, metric).
struct TargetKey {
  int scope_kind = 0;
  std::string scope_id;
  std::string product_line_id;  // "" = all
  std::string period;           // canonical
  int metric = 0;
};

struct TargetRecord {
  std::string target_id;
  TargetKey key;
  int period_kind = 0;  // attain.type.v1.PeriodKind
  absl::CivilDay first_day, last_day;
  int64_t base_value = 0;
  int64_t challenge_value = 0;
  std::string currency_code;
  std::string parent_target_id;
  int64_t version = 0;
  absl::Time update_time;
  std::string updated_by;
};

struct TargetFilter {
  int scope_kind = 0;
  std::string scope_id;
  std::string under_unit_id;
  std::optional<std::string> product_line_id;  // nullopt = any; "" = all-lines targets
  std::string period;
  std::optional<Period> within;
  int metric = 0;
  std::string parent_target_id;
};

struct HistoryRecord {
  int64_t version = 0;
  absl::Time change_time;
  std::string changed_by;
  int64_t old_base = 0, old_challenge = 0, new_base = 0, new_challenge = 0;
  std::string source;
};

struct LockRecord {
  std::string period;
  absl::CivilDay first_day, last_day;
  std::string reason;
  std::string locked_by;
  absl::Time lock_time;
};

struct InconsistencyRecord {
  TargetRecord parent;
  int32_t child_count = 0;
  int64_t children_base_sum = 0;
  int64_t children_challenge_sum = 0;
  int dimension = 0;  // attain.target.v1.DecompositionDimension of this group of children
};

// One transaction over one tenant's data. Methods return UNAVAILABLE when the
// database is unreachable and map constraint violations as ARCHITECTURE §2 says.
class TargetTx {
 public:
  virtual ~TargetTx() = default;

  // --- org units ---
  virtual absl::StatusOr<std::optional<OrgUnitRecord>> FindUnit(const std::string& unit_id) = 0;
  // ALREADY_EXISTS when the id, an active sibling's name or a second company exists.
  virtual absl::Status InsertUnit(const OrgUnitRecord& unit) = 0;
  // Writes name, tier, parent and archived of an existing unit.
  virtual absl::Status UpdateUnit(const OrgUnitRecord& unit) = 0;
  // Units ordered by id after `after_id`; `parent_id` nullopt = any parent.
  virtual absl::StatusOr<std::vector<OrgUnitRecord>> ListUnits(
      const std::optional<std::string>& parent_id, bool include_archived,
      const std::string& after_id, int limit) = 0;
  // True if `unit_id` is `ancestor_id` or lies below it.
  virtual absl::StatusOr<bool> IsInSubtree(const std::string& unit_id,
                                           const std::string& ancestor_id) = 0;
  virtual absl::StatusOr<int> CountActiveChildren(const std::string& unit_id) = 0;
  // Reps whose membership of `unit_id` covers `day`.
  virtual absl::StatusOr<std::vector<std::string>> RepsInTeamOn(const std::string& unit_id,
                                                                absl::CivilDay day) = 0;
  // Of `ids`, those that are existing units (any state).
  virtual absl::StatusOr<std::vector<std::string>> ExistingUnits(
      const std::vector<std::string>& ids) = 0;

  // --- reps ---
  virtual absl::StatusOr<std::optional<RepRecord>> FindRep(const std::string& rep_id) = 0;
  virtual absl::Status InsertRep(const RepRecord& rep) = 0;  // with its memberships
  virtual absl::Status UpdateRep(const RepRecord& rep) = 0;  // name, hire date, memberships
  // Reps ordered by id after `after_id`; with `under_unit_id`, those whose
  // team on `as_of` lies in that subtree.
  virtual absl::StatusOr<std::vector<RepRecord>> ListReps(const std::string& under_unit_id,
                                                          absl::CivilDay as_of,
                                                          const std::string& after_id,
                                                          int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ExistingReps(
      const std::vector<std::string>& ids) = 0;
  // The team of each rep on `day` (reps in no team then are absent).
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> TeamsOn(
      const std::vector<std::string>& rep_ids, absl::CivilDay day) = 0;

  // --- product lines ---
  virtual absl::Status InsertProductLine(const ProductLineRecord& line) = 0;
  virtual absl::StatusOr<std::vector<ProductLineRecord>> ListProductLines(
      const std::string& after_id, int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ExistingProductLines(
      const std::vector<std::string>& ids) = 0;

  // --- targets ---
  virtual absl::StatusOr<std::optional<TargetRecord>> FindTarget(const std::string& target_id) = 0;
  // Existing targets with these keys (any order).
  virtual absl::StatusOr<std::vector<TargetRecord>> FindTargetsByKey(
      const std::vector<TargetKey>& keys) = 0;
  // Creates or updates each row by key in bulk (a few statements for any
  // number of rows): values, currency, parent link; bumps the version and
  // writes a history entry for each row whose values changed. A row with an
  // empty parent_target_id keeps the existing target's parent link (so
  // setting a decomposed target's values does not unlink it). Fills
  // target_id, version, update_time of `rows`. `created[i]` says whether row i is new.
  virtual absl::Status UpsertTargets(std::vector<TargetRecord>& rows, const std::string& actor,
                                     const std::string& source, std::vector<bool>* created) = 0;
  virtual absl::StatusOr<std::vector<TargetRecord>> ListTargets(const TargetFilter& filter,
                                                                const std::string& after_id,
                                                                int limit) = 0;
  // Parents whose linked children, grouped by the dimension they differ from
  // the parent in, sum to something else; ordered by (parent id, dimension).
  // `after_id` is "" or "<parent id>/<dimension>" of the last row of a page.
  virtual absl::StatusOr<std::vector<InconsistencyRecord>> Inconsistencies(
      const std::optional<Period>& within, int metric, const std::string& after_id, int limit) = 0;
  // Newest first, versions below `before_version` (0 = from the newest).
  virtual absl::StatusOr<std::vector<HistoryRecord>> History(const std::string& target_id,
                                                             int64_t before_version, int limit) = 0;

  // --- period locks ---
  virtual absl::StatusOr<std::vector<LockRecord>> ListLocks() = 0;
  virtual absl::Status InsertLock(const LockRecord& lock) = 0;  // ALREADY_EXISTS if locked
  virtual absl::StatusOr<bool> DeleteLock(const std::string& period) = 0;
};

class TargetStore {
 public:
  virtual ~TargetStore() = default;

  // Runs `fn` in one read-write transaction for `tenant`; commits if it
  // returns a value. With a non-empty request_id, the first successful call's
  // returned bytes are stored and every later call with the same id returns
  // them without running `fn` (a different `method` with a used id is
  // ALREADY_EXISTS). Serialization conflicts are retried.
  virtual absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::function<absl::StatusOr<std::string>(TargetTx&)>& fn) = 0;

  // Runs `fn` in a read-only transaction for `tenant`.
  virtual absl::Status Read(const std::string& tenant,
                            const std::function<absl::Status(TargetTx&)>& fn) = 0;
};

}  // namespace attain::target
