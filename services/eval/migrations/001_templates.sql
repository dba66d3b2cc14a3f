-- Scorecard templates (DOMAIN.md §6): immutable versions, assignments to org
-- units with their history, and the requests table for idempotency (AIP-155).
-- Runs with search_path = eval. Every key starts with tenant_id.

-- One row per template: the pointer to its latest version. Updates lock this
-- row, so versions of one template are made one at a time.
CREATE TABLE templates (
  tenant_id      text        NOT NULL,
  template_id    text        NOT NULL,
  latest_version bigint      NOT NULL CHECK (latest_version >= 1),
  preset         text        NOT NULL DEFAULT '',
  create_time    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, template_id)
);

-- Every version ever made, never changed (an evaluation names the version it
-- used). The definition is the serialized attain.eval.v1.ScorecardTemplate
-- (definition fields only); name is a searchable copy.
CREATE TABLE template_versions (
  tenant_id   text        NOT NULL,
  template_id text        NOT NULL,
  version     bigint      NOT NULL CHECK (version >= 1),
  name        text        NOT NULL,
  definition  bytea       NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL,
  PRIMARY KEY (tenant_id, template_id, version),
  FOREIGN KEY (tenant_id, template_id) REFERENCES templates (tenant_id, template_id)
);

-- Versions are evidence for finalised evaluations: refuse changes in the
-- database too, not only in the code.
CREATE FUNCTION template_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'template versions are immutable: make a new version'
    USING ERRCODE = 'restrict_violation';
END
$fn$;
CREATE TRIGGER template_versions_immutable
  BEFORE UPDATE OR DELETE ON template_versions
  FOR EACH ROW EXECUTE FUNCTION template_versions_immutable();

-- Assignments: a unit gets a template from effective_from on. Rows are only
-- added; for one (unit, day) the highest assignment_id wins, the others are
-- the history.
CREATE TABLE template_assignments (
  tenant_id        text        NOT NULL,
  assignment_id    bigint      GENERATED ALWAYS AS IDENTITY,
  unit_id          text        NOT NULL,
  template_id      text        NOT NULL,
  effective_from   date        NOT NULL,
  effective_period text        NOT NULL DEFAULT '',
  assign_time      timestamptz NOT NULL DEFAULT now(),
  assigned_by      text        NOT NULL,
  PRIMARY KEY (tenant_id, assignment_id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES templates (tenant_id, template_id)
);
-- "Which template applies to this unit on this day" reads one index range.
CREATE INDEX template_assignments_by_unit
  ON template_assignments (tenant_id, unit_id, effective_from DESC, assignment_id DESC);

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
