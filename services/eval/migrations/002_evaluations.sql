-- Evaluations (DOMAIN.md §6): the scorecards of every rep under a unit for a
-- period, saved as a draft, then finalised and immutable; restatements linked
-- both ways; appeals of finalised rows. Runs with search_path = eval. Every
-- key starts with tenant_id.

-- One row per evaluation. seq orders them (newest first) for listing.
-- States: 'draft' → 'final' → 'restated' (once its restatement is finalised).
CREATE TABLE evaluations (
  tenant_id          text        NOT NULL,
  evaluation_id      text        NOT NULL,
  seq                bigint      GENERATED ALWAYS AS IDENTITY,
  unit_id            text        NOT NULL,
  period             text        NOT NULL,
  template_id        text        NOT NULL,
  template_version   bigint      NOT NULL CHECK (template_version >= 1),
  state              text        NOT NULL CHECK (state IN ('draft', 'final', 'restated')),
  restates_id        text        NOT NULL DEFAULT '',
  restated_by_id     text        NOT NULL DEFAULT '',
  restatement_reason text        NOT NULL DEFAULT '',
  appeal_id          text        NOT NULL DEFAULT '',
  -- The unit's own scorecard (serialized attain.eval.v1.Scorecard, team fund
  -- on it); empty when the unit itself was not scored.
  unit_scorecard     bytea       NOT NULL DEFAULT ''::bytea,
  created_by         text        NOT NULL,
  create_time        timestamptz NOT NULL DEFAULT now(),
  finalize_time      timestamptz,
  PRIMARY KEY (tenant_id, evaluation_id),
  CHECK ((state = 'draft') = (finalize_time IS NULL)),
  CHECK (state <> 'restated' OR restated_by_id <> '')
);
CREATE INDEX evaluations_newest ON evaluations (tenant_id, seq DESC);
-- The finalised evaluation of a unit and period (warning/penalty history).
CREATE INDEX evaluations_by_unit_period ON evaluations (tenant_id, unit_id, period, seq DESC);

-- One row per rep: the scorecard as proto bytes plus searchable columns.
CREATE TABLE evaluation_rows (
  tenant_id           text    NOT NULL,
  evaluation_id       text    NOT NULL,
  rep_id              text    NOT NULL,
  unit_id             text    NOT NULL,
  period              text    NOT NULL,
  total_points        bigint  NOT NULL,
  rank                integer NOT NULL,
  -- Attainment of the rep's base sales target, basis points; NULL without a
  -- target or data. The below-target history of later quarters reads it.
  sales_attainment_bp bigint,
  scorecard           bytea   NOT NULL,
  PRIMARY KEY (tenant_id, evaluation_id, rep_id),
  FOREIGN KEY (tenant_id, evaluation_id) REFERENCES evaluations (tenant_id, evaluation_id)
);
CREATE INDEX evaluation_rows_by_rep ON evaluation_rows (tenant_id, rep_id);

-- A finalised evaluation is evidence: the database refuses to change it, not
-- only the code. The one change allowed is its link to the restatement that
-- replaces it (restated_by_id and the reason, set once) and, when that
-- restatement is finalised, the move from 'final' to 'restated'.
CREATE FUNCTION evaluations_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state <> 'draft' THEN
      RAISE EXCEPTION 'evaluation % is %: a finalised evaluation cannot be deleted',
        OLD.evaluation_id, OLD.state USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.state = 'draft' THEN
    RETURN NEW;
  END IF;
  IF NEW.tenant_id <> OLD.tenant_id OR NEW.evaluation_id <> OLD.evaluation_id
     OR NEW.seq <> OLD.seq OR NEW.unit_id <> OLD.unit_id OR NEW.period <> OLD.period
     OR NEW.template_id <> OLD.template_id OR NEW.template_version <> OLD.template_version
     OR NEW.restates_id <> OLD.restates_id OR NEW.appeal_id <> OLD.appeal_id
     OR NEW.unit_scorecard <> OLD.unit_scorecard OR NEW.created_by <> OLD.created_by
     OR NEW.create_time <> OLD.create_time
     OR NEW.finalize_time IS DISTINCT FROM OLD.finalize_time
     OR (OLD.restated_by_id <> '' AND (NEW.restated_by_id <> OLD.restated_by_id
                                       OR NEW.restatement_reason <> OLD.restatement_reason))
     OR NOT (NEW.state = OLD.state OR (OLD.state = 'final' AND NEW.state = 'restated')) THEN
    RAISE EXCEPTION 'evaluation % is % and immutable: only its restatement link may be set',
      OLD.evaluation_id, OLD.state USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER evaluations_guard
  BEFORE UPDATE OR DELETE ON evaluations
  FOR EACH ROW EXECUTE FUNCTION evaluations_guard();

-- Rows of an evaluation that is no longer a draft never change, and none are
-- added to it.
CREATE FUNCTION evaluation_rows_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  st  text;
  ten text;
  ev  text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    ten := NEW.tenant_id; ev := NEW.evaluation_id;
  ELSE
    ten := OLD.tenant_id; ev := OLD.evaluation_id;
  END IF;
  -- Qualified: a trigger runs with the caller's search_path.
  SELECT state INTO st FROM eval.evaluations WHERE tenant_id = ten AND evaluation_id = ev;
  IF st IS DISTINCT FROM 'draft' THEN
    RAISE EXCEPTION 'evaluation % is %: its rows are immutable', ev, st
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER evaluation_rows_guard
  BEFORE INSERT OR UPDATE OR DELETE ON evaluation_rows
  FOR EACH ROW EXECUTE FUNCTION evaluation_rows_guard();

-- Appeals (异议/复核): a rep disputes their row of a final evaluation.
CREATE TABLE appeals (
  tenant_id       text        NOT NULL,
  appeal_id       text        NOT NULL,
  evaluation_id   text        NOT NULL,
  rep_id          text        NOT NULL,
  reason          text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
  decision_reason text        NOT NULL DEFAULT '',
  restatement_id  text        NOT NULL DEFAULT '',
  decided_by      text        NOT NULL DEFAULT '',
  create_time     timestamptz NOT NULL DEFAULT now(),
  decide_time     timestamptz,
  PRIMARY KEY (tenant_id, appeal_id),
  FOREIGN KEY (tenant_id, evaluation_id) REFERENCES evaluations (tenant_id, evaluation_id),
  CHECK ((state = 'open') = (decide_time IS NULL))
);
-- One open appeal per rep per evaluation.
CREATE UNIQUE INDEX appeals_one_open
  ON appeals (tenant_id, evaluation_id, rep_id) WHERE state = 'open';

-- A decided appeal is final too.
CREATE FUNCTION appeals_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF OLD.state <> 'open' THEN
    RAISE EXCEPTION 'appeal % is already %', OLD.appeal_id, OLD.state
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER appeals_guard
  BEFORE UPDATE OR DELETE ON appeals
  FOR EACH ROW EXECUTE FUNCTION appeals_guard();
