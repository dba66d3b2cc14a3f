-- Review committees and their meetings (DOMAIN.md §8): committees and members,
-- meetings with invitees and attendance, minutes, and — for the agenda and
-- report RPCs — agendas with their items and the presenters' three-step
-- reports with their causes. Plus the requests table for idempotency
-- (AIP-155, common/pg_requests.h). Runs with search_path = review. Every key
-- starts with tenant_id.
--
-- A closed or cancelled meeting's record is read-only: the service refuses
-- such changes (FAILED_PRECONDITION), and the triggers below refuse them in
-- the database too, whoever writes.

-- Idempotency (AIP-155): the first response to each request_id, with the
-- method and a digest of the request, so that one request_id names one request.
CREATE TABLE requests (
  tenant_id   text        NOT NULL,
  request_id  text        NOT NULL,
  method      text        NOT NULL,
  fingerprint bytea       NOT NULL,
  response    bytea       NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);

-- A review committee (业绩跟踪委员会). version counts changes from 1; an
-- update states the version it is based on.
CREATE TABLE committees (
  tenant_id    text        NOT NULL,
  committee_id text        NOT NULL,
  name         text        NOT NULL,
  unit_id      text        NOT NULL,
  version      bigint      NOT NULL CHECK (version >= 1),
  create_time  timestamptz NOT NULL,
  update_time  timestamptz NOT NULL,
  updated_by   text        NOT NULL,
  PRIMARY KEY (tenant_id, committee_id)
);

-- Its members in the order given (position from 0); replaced whole on an
-- update. Exactly one chair and one secretary-general: "at most one" is the
-- partial unique indexes, "at least one" the service's check.
CREATE TABLE committee_members (
  tenant_id          text    NOT NULL,
  committee_id       text    NOT NULL,
  person_id          text    NOT NULL,
  position           integer NOT NULL CHECK (position >= 0),
  name               text    NOT NULL,
  role               text    NOT NULL
    CHECK (role IN ('chair', 'vice_chair', 'secretary_general', 'member')),
  department         text    NOT NULL,
  department_manager boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, committee_id, person_id),
  UNIQUE (tenant_id, committee_id, position),
  FOREIGN KEY (tenant_id, committee_id) REFERENCES committees (tenant_id, committee_id)
    ON DELETE CASCADE
);
CREATE UNIQUE INDEX committee_members_one_chair
  ON committee_members (tenant_id, committee_id) WHERE role = 'chair';
CREATE UNIQUE INDEX committee_members_one_secretary_general
  ON committee_members (tenant_id, committee_id) WHERE role = 'secretary_general';

-- A series of meetings scheduled together (ScheduleMeetingSeries): what was
-- asked for; the meetings name it.
CREATE TABLE meeting_series (
  tenant_id    text        NOT NULL,
  series_id    text        NOT NULL,
  committee_id text        NOT NULL,
  cadence      text        NOT NULL CHECK (cadence IN ('monthly', 'quarterly')),
  first_period text        NOT NULL,
  count        integer     NOT NULL CHECK (count BETWEEN 1 AND 24),
  create_time  timestamptz NOT NULL,
  created_by   text        NOT NULL,
  PRIMARY KEY (tenant_id, series_id),
  FOREIGN KEY (tenant_id, committee_id) REFERENCES committees (tenant_id, committee_id)
);

-- A meeting reviewing one period (canonical text, common/period.h; its first
-- day kept for range filters). version counts changes of the meeting, its
-- attendance and its agenda.
CREATE TABLE meetings (
  tenant_id         text        NOT NULL,
  meeting_id        text        NOT NULL,
  committee_id      text        NOT NULL,
  series_id         text,
  title             text        NOT NULL,
  purpose           text        NOT NULL DEFAULT '',
  period            text        NOT NULL,
  period_first_day  date        NOT NULL,
  start_time        timestamptz NOT NULL,
  duration_minutes  integer     NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
  minute_taker_id   text        NOT NULL,
  status            text        NOT NULL
    CHECK (status IN ('scheduled', 'in_progress', 'closed', 'cancelled')),
  cancel_reason     text        NOT NULL DEFAULT '',
  version           bigint      NOT NULL CHECK (version >= 1),
  create_time       timestamptz NOT NULL,
  created_by        text        NOT NULL,
  start_record_time timestamptz,
  end_record_time   timestamptz,
  PRIMARY KEY (tenant_id, meeting_id),
  FOREIGN KEY (tenant_id, committee_id) REFERENCES committees (tenant_id, committee_id),
  FOREIGN KEY (tenant_id, series_id) REFERENCES meeting_series (tenant_id, series_id)
);
-- ListMeetings (by start time, then id) and a committee's previous meeting.
CREATE INDEX meetings_by_start ON meetings (tenant_id, start_time, meeting_id);
CREATE INDEX meetings_by_committee ON meetings (tenant_id, committee_id, start_time, meeting_id);

-- Who is invited, in the order given, and whether they came.
CREATE TABLE meeting_invitees (
  tenant_id   text        NOT NULL,
  meeting_id  text        NOT NULL,
  person_id   text        NOT NULL,
  position    integer     NOT NULL CHECK (position >= 0),
  attendance  text        NOT NULL DEFAULT 'unspecified'
    CHECK (attendance IN ('unspecified', 'present', 'absent', 'excused')),
  record_time timestamptz,
  recorded_by text        NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, meeting_id, person_id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, meeting_id)
);
-- A rep's meetings: those they are invited to.
CREATE INDEX meeting_invitees_by_person ON meeting_invitees (tenant_id, person_id, meeting_id);

-- The minutes (会议记录), numbered 1, 2, 3 … within the meeting, verbatim.
-- Append-only.
CREATE TABLE minutes (
  tenant_id   text        NOT NULL,
  meeting_id  text        NOT NULL,
  sequence    bigint      NOT NULL CHECK (sequence >= 1),
  speaker_id  text        NOT NULL,
  text        text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('note', 'decision')),
  recorded_by text        NOT NULL,
  record_time timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, meeting_id, sequence),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, meeting_id)
);

-- A meeting's agenda (GenerateAgenda; one per meeting, replaced whole): the
-- evaluation it was built from, the settings it was built with (the
-- request's numbers, as JSON) and the presenters left out (JSON array of
-- {presenter_kind, presenter_id, presenter_name, deviation, reason}).
CREATE TABLE agendas (
  tenant_id       text        NOT NULL,
  meeting_id      text        NOT NULL,
  evaluation_id   text        NOT NULL,
  presenter_level text        NOT NULL CHECK (presenter_level IN ('rep', 'unit')),
  settings        jsonb       NOT NULL DEFAULT '{}',
  total_minutes   integer     NOT NULL CHECK (total_minutes >= 0),
  meeting_minutes integer     NOT NULL CHECK (meeting_minutes > 0),
  left_out        jsonb       NOT NULL DEFAULT '[]',
  create_time     timestamptz NOT NULL,
  created_by      text        NOT NULL,
  PRIMARY KEY (tenant_id, meeting_id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, meeting_id),
  CHECK (total_minutes <= meeting_minutes)
);

-- Its items in order (position from 1). A presentation names its presenter
-- and the deviation it reports on (metric values in the metric's unit).
-- Positions are unique at commit, so a reorder may swap them in between.
CREATE TABLE agenda_items (
  tenant_id            text    NOT NULL,
  meeting_id           text    NOT NULL,
  item_id              text    NOT NULL,
  position             integer NOT NULL CHECK (position >= 1),
  kind                 text    NOT NULL
    CHECK (kind IN ('previous_actions', 'presentation', 'free_discussion', 'spare')),
  title                text    NOT NULL,
  presenter_kind       text    NOT NULL DEFAULT '' CHECK (presenter_kind IN ('', 'rep', 'unit')),
  presenter_id         text    NOT NULL DEFAULT '',
  presenter_name       text    NOT NULL DEFAULT '',
  metric               text    NOT NULL DEFAULT '',
  target               bigint,
  actual               bigint,
  gap                  bigint,
  attainment_bp        bigint,
  currency_code        text    NOT NULL DEFAULT '',
  minutes              integer NOT NULL CHECK (minutes >= 1),
  start_offset_minutes integer NOT NULL CHECK (start_offset_minutes >= 0),
  PRIMARY KEY (tenant_id, meeting_id, item_id),
  CONSTRAINT agenda_items_position UNIQUE (tenant_id, meeting_id, position)
    DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES agendas (tenant_id, meeting_id)
    ON DELETE CASCADE,
  CHECK (kind <> 'presentation' OR (presenter_kind <> '' AND presenter_id <> ''))
);

-- A presenter's three-step report (业绩汇报三步曲) on an agenda item: step 1,
-- the deviation, copied from the evaluation when it was created.
CREATE TABLE reports (
  tenant_id      text        NOT NULL,
  report_id      text        NOT NULL,
  meeting_id     text        NOT NULL,
  agenda_item_id text        NOT NULL,
  presenter_kind text        NOT NULL CHECK (presenter_kind IN ('rep', 'unit')),
  presenter_id   text        NOT NULL,
  metric         text        NOT NULL,
  target         bigint      NOT NULL,
  actual         bigint      NOT NULL,
  gap            bigint      NOT NULL,
  attainment_bp  bigint,
  currency_code  text        NOT NULL DEFAULT '',
  status         text        NOT NULL CHECK (status IN ('draft', 'submitted')),
  version        bigint      NOT NULL CHECK (version >= 1),
  create_time    timestamptz NOT NULL,
  created_by     text        NOT NULL,
  update_time    timestamptz NOT NULL,
  submit_time    timestamptz,
  submitted_by   text        NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, report_id),
  UNIQUE (tenant_id, meeting_id, agenda_item_id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, meeting_id)
);

-- Its causes (step 2) with their step-3 answer: an improvement proposal for
-- an internal cause, a resource request for an external one; the
-- committee's inquiry (业绩质询三步曲, inquiry_* columns, all NULL before
-- it); the 5-whys chain. impact and resource_amount in the deviation's
-- metric unit / minor units.
CREATE TABLE report_causes (
  tenant_id                     text    NOT NULL,
  report_id                     text    NOT NULL,
  cause_id                      text    NOT NULL,
  position                      integer NOT NULL CHECK (position >= 0),
  description                   text    NOT NULL,
  kind                          text    NOT NULL
    CHECK (kind IN ('unspecified', 'internal', 'external')),
  impact                        bigint  NOT NULL DEFAULT 0,
  improvement_proposal          text    NOT NULL DEFAULT '',
  resource_description          text    NOT NULL DEFAULT '',
  resource_amount               bigint  NOT NULL DEFAULT 0,
  resource_currency             text    NOT NULL DEFAULT '',
  inquiry_confirmed_kind        text
    CHECK (inquiry_confirmed_kind IN ('unspecified', 'internal', 'external')),
  inquiry_related_departments   text[],
  inquiry_responsible_department text,
  inquiry_responsible_person_id text,
  inquiry_notes                 text,
  five_whys                     text[]  NOT NULL DEFAULT '{}'
    CHECK (cardinality(five_whys) <= 10),
  PRIMARY KEY (tenant_id, report_id, cause_id),
  FOREIGN KEY (tenant_id, report_id) REFERENCES reports (tenant_id, report_id)
    ON DELETE CASCADE
);

-- ---------------------------------------------------------------- read-only
-- Refuses a change to the record of meeting (ten, mtg) once it is closed or
-- cancelled. Qualified names: a trigger runs with the caller's search_path.
CREATE FUNCTION check_meeting_open(ten text, mtg text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  st text;
BEGIN
  SELECT status INTO st FROM review.meetings WHERE tenant_id = ten AND meeting_id = mtg;
  IF st IN ('closed', 'cancelled') THEN
    RAISE EXCEPTION 'meeting % is %: its record is read-only', mtg, st
      USING ERRCODE = 'restrict_violation';
  END IF;
END
$fn$;

-- For tables with (tenant_id, meeting_id): attendance, agendas and their
-- items, reports. Checks the row's meeting before and after an update.
CREATE FUNCTION meeting_record_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM review.check_meeting_open(OLD.tenant_id, OLD.meeting_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM review.check_meeting_open(NEW.tenant_id, NEW.meeting_id);
    RETURN NEW;
  END IF;
  RETURN OLD;
END
$fn$;
CREATE TRIGGER meeting_invitees_guard
  BEFORE INSERT OR UPDATE OR DELETE ON meeting_invitees
  FOR EACH ROW EXECUTE FUNCTION meeting_record_guard();
CREATE TRIGGER agendas_guard
  BEFORE INSERT OR UPDATE OR DELETE ON agendas
  FOR EACH ROW EXECUTE FUNCTION meeting_record_guard();
CREATE TRIGGER agenda_items_guard
  BEFORE INSERT OR UPDATE OR DELETE ON agenda_items
  FOR EACH ROW EXECUTE FUNCTION meeting_record_guard();
CREATE TRIGGER reports_guard
  BEFORE INSERT OR UPDATE OR DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION meeting_record_guard();

-- Causes reach their meeting through their report.
CREATE FUNCTION report_causes_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  mtg text;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT meeting_id INTO mtg FROM review.reports
      WHERE tenant_id = OLD.tenant_id AND report_id = OLD.report_id;
    PERFORM review.check_meeting_open(OLD.tenant_id, mtg);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT meeting_id INTO mtg FROM review.reports
      WHERE tenant_id = NEW.tenant_id AND report_id = NEW.report_id;
    PERFORM review.check_meeting_open(NEW.tenant_id, mtg);
    RETURN NEW;
  END IF;
  RETURN OLD;
END
$fn$;
CREATE TRIGGER report_causes_guard
  BEFORE INSERT OR UPDATE OR DELETE ON report_causes
  FOR EACH ROW EXECUTE FUNCTION report_causes_guard();

-- Minutes are appended while the meeting is in progress and never changed.
CREATE FUNCTION minutes_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  st text;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'minutes are append-only: entry % of meeting % cannot be changed',
      OLD.sequence, OLD.meeting_id USING ERRCODE = 'restrict_violation';
  END IF;
  SELECT status INTO st FROM review.meetings
    WHERE tenant_id = NEW.tenant_id AND meeting_id = NEW.meeting_id;
  IF st IS DISTINCT FROM 'in_progress' THEN
    RAISE EXCEPTION 'meeting % is %: minutes are taken only while it is in progress',
      NEW.meeting_id, st USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER minutes_guard
  BEFORE INSERT OR UPDATE OR DELETE ON minutes
  FOR EACH ROW EXECUTE FUNCTION minutes_guard();

-- A meeting moves scheduled → in_progress → closed, or scheduled/in_progress
-- → cancelled; a closed or cancelled meeting never changes again and no
-- meeting is deleted.
CREATE FUNCTION meetings_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'meeting % cannot be deleted: cancel it instead', OLD.meeting_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.status IN ('closed', 'cancelled') THEN
    RAISE EXCEPTION 'meeting % is %: its record is read-only', OLD.meeting_id, OLD.status
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
      ('scheduled', 'in_progress'), ('in_progress', 'closed'),
      ('scheduled', 'cancelled'), ('in_progress', 'cancelled')) THEN
    RAISE EXCEPTION 'meeting % cannot go from % to %', OLD.meeting_id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER meetings_guard
  BEFORE UPDATE OR DELETE ON meetings
  FOR EACH ROW EXECUTE FUNCTION meetings_guard();
