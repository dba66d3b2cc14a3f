-- Action items (改进行动表, DOMAIN.md §8; protos/attain/review/v1/action_service.proto):
-- the items with their department split, expected result, status and
-- verification; every status change; the ten-day progress reports (旬报);
-- everyone who ever owned an item (the person record). Runs with
-- search_path = review. Every key starts with tenant_id.
--
-- The status moves (services/review/src/domain/action_status.h) are the
-- service's; the CHECKs below keep the stored values within the vocabulary.

-- An action item. A cross-department item is a parent (responsible_department
-- '', owned by the committee's chair) with one child per department
-- (parent_action_id set, owned by that department's manager).
--
-- The expected result: expected_metric is a metric name of common/metric.h
-- ('' when the result is not a metric); expected_target_value is in that
-- metric's unit (money in minor units, ratios in bp) and is meaningful only
-- with a metric; expected_period is a canonical period ('' when not given).
--
-- progress_due_date: the day the next ten-day progress report is due, set
-- when the item is accepted and moved on by each report (NULL before).
--
-- late_since: the first day the item counts as late, for the overdue list —
-- its due date while open, or, while in progress, the earlier of the due date
-- and the progress report's due date; NULL once finished (done, verified) or
-- without a date. The item is on the overdue list of day D when
-- late_since < D, and the list is ordered by late_since (most overdue first).
--
-- verified_*: set once verified (VERIFIED_ACHIEVED / VERIFIED_NOT_ACHIEVED):
-- the actual (metric unit; NULL when the committee judged it), the evaluation
-- it came from ('' when judged by the committee), the meeting.
CREATE TABLE action_items (
  tenant_id                text        NOT NULL,
  action_id                text        NOT NULL,
  meeting_id               text        NOT NULL,
  report_id                text        NOT NULL DEFAULT '',
  cause_id                 text        NOT NULL DEFAULT '',
  title                    text        NOT NULL,
  measures                 text        NOT NULL,
  departments              text[]      NOT NULL CHECK (cardinality(departments) >= 1),
  responsible_department   text        NOT NULL DEFAULT '',
  owner_id                 text        NOT NULL,
  due_date                 date,
  expected_text            text        NOT NULL DEFAULT '',
  expected_metric          text        NOT NULL DEFAULT '',
  expected_scope_kind      text        NOT NULL DEFAULT ''
    CHECK (expected_scope_kind IN ('', 'unit', 'rep')),
  expected_scope_id        text        NOT NULL DEFAULT '',
  expected_target_value    bigint      NOT NULL DEFAULT 0,
  expected_period          text        NOT NULL DEFAULT '',
  expected_lower_is_better boolean     NOT NULL DEFAULT false,
  resources                text        NOT NULL DEFAULT '',
  status                   text        NOT NULL CHECK (status IN ('draft', 'submitted',
    'accepted', 'returned', 'in_progress', 'done', 'verified_achieved', 'verified_not_achieved')),
  parent_action_id         text,
  progress_due_date        date,
  verified_achieved        boolean,
  verified_actual          bigint,
  verified_evaluation_id   text        NOT NULL DEFAULT '',
  verified_meeting_id      text        NOT NULL DEFAULT '',
  verified_automatic       boolean     NOT NULL DEFAULT false,
  verify_time              timestamptz,
  version                  bigint      NOT NULL CHECK (version >= 1),
  create_time              timestamptz NOT NULL,
  created_by               text        NOT NULL,
  update_time              timestamptz NOT NULL,
  late_since               date GENERATED ALWAYS AS (
    CASE
      WHEN status = 'in_progress' THEN least(due_date, progress_due_date)
      WHEN status IN ('draft', 'submitted', 'accepted', 'returned') THEN due_date
    END) STORED,
  PRIMARY KEY (tenant_id, action_id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, meeting_id),
  FOREIGN KEY (tenant_id, parent_action_id) REFERENCES action_items (tenant_id, action_id),
  CHECK ((status IN ('verified_achieved', 'verified_not_achieved')) =
         (verified_achieved IS NOT NULL))
);

-- ListActionItems, newest first: all, by meeting, by owner, by department.
CREATE INDEX action_items_by_time
  ON action_items (tenant_id, create_time DESC, action_id DESC);
CREATE INDEX action_items_by_meeting
  ON action_items (tenant_id, meeting_id, create_time DESC, action_id DESC);
CREATE INDEX action_items_by_owner
  ON action_items (tenant_id, owner_id, create_time DESC, action_id DESC);
CREATE INDEX action_items_by_department
  ON action_items (tenant_id, responsible_department, create_time DESC, action_id DESC);
-- The parts of a split item.
CREATE INDEX action_items_by_parent
  ON action_items (tenant_id, parent_action_id) WHERE parent_action_id IS NOT NULL;
-- ListOverdueActionItems: only late-able items (open, with a date) are in
-- these, so the list is a range scan of late_since < today in list order,
-- however many finished items there are; per department too.
CREATE INDEX action_items_overdue
  ON action_items (tenant_id, late_since, action_id) WHERE late_since IS NOT NULL;
CREATE INDEX action_items_overdue_by_department
  ON action_items (tenant_id, responsible_department, late_since, action_id)
  WHERE late_since IS NOT NULL;
-- VerifyActionItems: the open (not yet verified) items of given meetings.
CREATE INDEX action_items_open_by_meeting
  ON action_items (tenant_id, meeting_id, action_id)
  WHERE status NOT IN ('verified_achieved', 'verified_not_achieved');

-- Every status change, numbered 1, 2, 3 … per item (1 is the creation, from
-- ''). smart_failures: the SMART check's reasons when a submission was
-- returned, a JSON array of {"criterion", "field", "message"}. Append-only.
CREATE TABLE action_history (
  tenant_id      text        NOT NULL,
  action_id      text        NOT NULL,
  seq            integer     NOT NULL CHECK (seq >= 1),
  from_status    text        NOT NULL,
  to_status      text        NOT NULL,
  changed_by     text        NOT NULL,
  change_time    timestamptz NOT NULL,
  note           text        NOT NULL DEFAULT '',
  smart_failures jsonb       NOT NULL DEFAULT '[]',
  PRIMARY KEY (tenant_id, action_id, seq),
  FOREIGN KEY (tenant_id, action_id) REFERENCES action_items (tenant_id, action_id)
);

-- The ten-day progress reports (旬报), numbered per item. value in the
-- expected result's metric unit (NULL when not measured); done_bp 0..10000.
-- Append-only.
CREATE TABLE action_progress (
  tenant_id   text        NOT NULL,
  action_id   text        NOT NULL,
  seq         integer     NOT NULL CHECK (seq >= 1),
  as_of_date  date        NOT NULL,
  value       bigint,
  done_bp     integer     NOT NULL CHECK (done_bp BETWEEN 0 AND 10000),
  note        text        NOT NULL,
  reported_by text        NOT NULL,
  report_time timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, action_id, seq),
  FOREIGN KEY (tenant_id, action_id) REFERENCES action_items (tenant_id, action_id)
);

-- Everyone who owns or owned an item (an owner changed by UpdateActionItem
-- keeps it in their record): GetPersonRecord.
CREATE TABLE action_owners (
  tenant_id text NOT NULL,
  person_id text NOT NULL,
  action_id text NOT NULL,
  PRIMARY KEY (tenant_id, person_id, action_id),
  FOREIGN KEY (tenant_id, action_id) REFERENCES action_items (tenant_id, action_id)
);

-- Append-only history and progress, whoever writes.
CREATE FUNCTION action_log_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '% is append-only: entry % of action item % cannot be changed',
    TG_TABLE_NAME, OLD.seq, OLD.action_id USING ERRCODE = 'restrict_violation';
END
$fn$;
CREATE TRIGGER action_history_guard
  BEFORE UPDATE OR DELETE ON action_history
  FOR EACH ROW EXECUTE FUNCTION action_log_guard();
CREATE TRIGGER action_progress_guard
  BEFORE UPDATE OR DELETE ON action_progress
  FOR EACH ROW EXECUTE FUNCTION action_log_guard();

-- GetPersonRecord: the meetings a rep presented at (agenda_items of
-- migration 001, read by presenter).
CREATE INDEX agenda_items_by_presenter
  ON agenda_items (tenant_id, presenter_id, meeting_id) WHERE kind = 'presentation';
