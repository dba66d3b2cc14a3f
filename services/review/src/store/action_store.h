// Storage of action items (改进行动表, DOMAIN.md §8) behind a small interface
// (ARCHITECTURE.md §3): the items with their split, status history, ten-day
// progress reports and verification, plus what the person record reads (the
// meetings a rep presented at). An ActionTx is one transaction of one tenant:
// everything done through it commits together or not at all. No pqxx, grpc
// or proto types here.
//
// Times and days are the caller's (its Clock), so that tests can pin them;
// the store writes them as given. Metric values are in the metric's unit
// (common/metric.h: money in minor units, ratios in basis points).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/review/src/domain/action_status.h"

namespace attain {
class PgPool;  // common/pg.h, kept out of this header (no pqxx here)
}  // namespace attain

namespace attain::review {

// What an item should achieve, as stored. With a metric it is measurable
// against an evaluation; without one, `text` says it.
struct ExpectedResultRecord {
  std::string text;
  std::string metric;      // metric name (common/metric.h), "" when not a metric
  std::string scope_kind;  // "unit", "rep" or "" (none given)
  std::string scope_id;
  int64_t target_value = 0;  // metric unit; meaningful only with a metric
  std::string period;        // canonical period, "" when not given
  bool lower_is_better = false;
};

// One SMART failure kept with a returned submission.
struct SmartFailureRecord {
  std::string criterion;  // "specific", "measurable", "assignable", "realistic", "time_bound"
  std::string field;
  std::string message;
};

// One status change. `from` is nullopt for the creation (the first entry).
struct StatusChangeRecord {
  std::optional<ActionStatus> from;
  ActionStatus to = ActionStatus::kDraft;
  std::string changed_by;  // person id, or "attain-review" for automatic changes
  absl::Time change_time;
  std::string note;
  std::vector<SmartFailureRecord> smart_failures;
};

// One ten-day progress report.
struct ProgressRecord {
  absl::CivilDay as_of;
  std::optional<int64_t> value;  // metric unit; nullopt when not measured
  int32_t done_bp = 0;           // 0..10000
  std::string note;
  std::string reported_by;
  absl::Time report_time;
};

// How an item was verified.
struct VerificationRecord {
  bool achieved = false;
  std::optional<int64_t> actual;  // nullopt when the committee judged it
  std::string evaluation_id;      // "" when judged by the committee
  std::string meeting_id;
  bool automatic = false;
  absl::Time verify_time;
};

struct ActionItemRecord {
  std::string action_id;
  std::string meeting_id;
  std::string report_id;  // "" when raised otherwise
  std::string cause_id;
  std::string title;
  std::string measures;
  std::vector<std::string> departments;  // as given; a part has its one department
  std::string responsible_department;    // a part's or single item's; "" for a parent
  std::string owner_id;
  std::optional<absl::CivilDay> due;
  ExpectedResultRecord expected;
  std::string resources;
  ActionStatus status = ActionStatus::kDraft;
  std::string parent_action_id;  // "" unless a department's part
  // The day the next ten-day progress report is due; set on acceptance.
  std::optional<absl::CivilDay> progress_due;
  std::optional<VerificationRecord> verification;
  int64_t version = 0;  // from 1
  absl::Time create_time;
  std::string created_by;
  absl::Time update_time;

  // Read only (filled by the store on reads).
  std::vector<std::string> child_action_ids;  // the parts, by department order
  // Only from FindItem with details: oldest first.
  std::vector<StatusChangeRecord> history;
  std::vector<ProgressRecord> progress;
};

// Which items ListItems returns; empty fields do not filter.
struct ActionFilter {
  std::string meeting_id;
  std::string owner_id;
  std::vector<ActionStatus> statuses;  // any of them
  std::string department;              // responsible_department
};

// Where a page of ListItems starts: after this (create_time, action_id) in
// newest-first order.
struct ActionPageKey {
  absl::Time create_time;
  std::string action_id;
};

// Which items ListOverdue returns; empty fields do not filter.
struct OverdueFilter {
  std::string department;  // responsible_department
  std::string owner_id;
};

// Where a page of ListOverdue starts: after this (late_since, action_id).
struct OverduePageKey {
  absl::CivilDay late_since;
  std::string action_id;
};

// An item of the overdue list with the first day it counted as late: its
// due date, or, in progress, the earlier of that and its progress report's
// due date (the list's order key).
struct OverdueRow {
  ActionItemRecord item;
  absl::CivilDay late_since;
};

// A meeting at which a rep presented (an agenda item of kind presentation),
// with the deviation the agenda gave and the report written for it, if any.
struct PresentationRecord {
  std::string meeting_id;
  std::string period;
  absl::Time start_time;
  std::string metric;  // metric name; "" when the agenda named none
  std::optional<int64_t> target;
  std::optional<int64_t> actual;
  std::optional<int64_t> gap;
  std::optional<int64_t> attainment_bp;
  std::string currency_code;
  std::string report_id;  // "" when none was written
};

// The figure a presenter's report stated (step 1, from the evaluation): the
// current actual an item answering that report starts from.
struct ReportFigure {
  std::string meeting_id;
  std::string presenter_kind;  // "rep" or "unit"
  std::string presenter_id;
  std::string metric;  // metric name
  int64_t actual = 0;
};

class ActionTx {
 public:
  virtual ~ActionTx() = default;

  // An item; nullopt if there is none. With `for_update`, it stays locked
  // until the transaction ends. With `details`, its history and progress
  // reports are read too.
  virtual absl::StatusOr<std::optional<ActionItemRecord>> FindItem(const std::string& action_id,
                                                                   bool for_update,
                                                                   bool details) = 0;
  // Creates an item as given (the read-only fields are ignored) and records
  // its owner in the owners' list; ALREADY_EXISTS if the id is taken,
  // FAILED_PRECONDITION if its meeting or parent does not exist.
  virtual absl::Status InsertItem(const ActionItemRecord& rec) = 0;
  // Writes every changeable field of an existing item from `rec` (content,
  // owner, status, progress_due, verification, version, update_time) and adds
  // a new owner to the owners' list; NOT_FOUND if it does not exist.
  virtual absl::Status UpdateItem(const ActionItemRecord& rec) = 0;
  // Appends a status change / a progress report to an item's log (numbered
  // after the last). The item must be locked (FindItem for_update).
  virtual absl::Status AppendHistory(const std::string& action_id,
                                     const StatusChangeRecord& change) = 0;
  virtual absl::Status AppendProgress(const std::string& action_id,
                                      const ProgressRecord& report) = 0;

  // The parts of a split item, by department order (without details).
  virtual absl::StatusOr<std::vector<ActionItemRecord>> ListChildren(
      const std::string& parent_action_id) = 0;
  // Items newest first (create_time, then action_id, descending), after
  // `after` (nullopt: from the newest), without details.
  virtual absl::StatusOr<std::vector<ActionItemRecord>> ListItems(
      const ActionFilter& filter, const std::optional<ActionPageKey>& after, int limit) = 0;
  // Items late on `today` (late_since < today), most overdue first
  // (late_since, then action_id), after `after`, without details.
  virtual absl::StatusOr<std::vector<OverdueRow>> ListOverdue(
      const OverdueFilter& filter, absl::CivilDay today, const std::optional<OverduePageKey>& after,
      int limit) = 0;
  // The items of the given meetings not yet verified, by action id.
  virtual absl::StatusOr<std::vector<ActionItemRecord>> ListOpenOfMeetings(
      const std::vector<std::string>& meeting_ids) = 0;
  // The items `person_id` owns or owned, oldest first (create_time, then
  // action_id), without details.
  virtual absl::StatusOr<std::vector<ActionItemRecord>> ListOwnedBy(
      const std::string& person_id) = 0;
  // The meetings (not cancelled) at which rep `person_id` presented, oldest
  // first (start time, then meeting id).
  virtual absl::StatusOr<std::vector<PresentationRecord>> ListPresentations(
      const std::string& person_id) = 0;
  // The figure of a report; nullopt if there is no such report.
  virtual absl::StatusOr<std::optional<ReportFigure>> FindReportFigure(
      const std::string& report_id) = 0;
};

class ActionItemStore {
 public:
  using Tx = ActionTx;
  virtual ~ActionItemStore() = default;

  // Runs `fn` in one read-write transaction for `tenant`; commits if it
  // returns a value. With a non-empty request_id, the first successful call's
  // returned bytes are stored with `method` and `fingerprint` (the request's
  // bytes without its request_id); a later call with the same id returns them
  // without running `fn` if method and fingerprint match, and is
  // ALREADY_EXISTS otherwise (one request_id names one request). `fn` may run
  // more than once (an ABORTED transaction is retried).
  virtual absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(ActionTx&)>& fn) = 0;

  // The response stored for a request_id, checked as Mutate checks it;
  // nullopt if none (or request_id is empty). Lets a caller skip work done
  // outside the transaction (calls to other services) on a retry.
  virtual absl::StatusOr<std::optional<std::string>> StoredResponse(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint) = 0;

  // Runs `fn` in a read-only transaction for `tenant`.
  virtual absl::Status Read(const std::string& tenant,
                            const std::function<absl::Status(ActionTx&)>& fn) = 0;
};

// "draft", … (action_status.h ActionStatusName) back to the status;
// INTERNAL for an unknown name.
absl::StatusOr<ActionStatus> ActionStatusFromName(absl::string_view name);

// ActionItemStore on PostgreSQL, schema `review` (migration 002_actions.sql;
// applied with the others by PgMeetingStore::Migrate): every statement
// parameterised and filtered by tenant_id. Thread-safe: each call checks out
// its own connection.
class PgActionItemStore : public ActionItemStore {
 public:
  // `pool` must outlive the store.
  explicit PgActionItemStore(PgPool& pool) : pool_(pool) {}

  // Idempotency through review.requests (common/pg_requests.h), shared with
  // the meeting store: a request_id names one request across the schema.
  absl::StatusOr<std::string> Mutate(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint,
      const std::function<absl::StatusOr<std::string>(ActionTx&)>& fn) override;
  absl::StatusOr<std::optional<std::string>> StoredResponse(
      const std::string& tenant, const std::string& request_id, const std::string& method,
      const std::string& fingerprint) override;
  absl::Status Read(const std::string& tenant,
                    const std::function<absl::Status(ActionTx&)>& fn) override;

 private:
  PgPool& pool_;
};

}  // namespace attain::review
