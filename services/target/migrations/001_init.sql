-- The target service's schema: org tree, reps, product lines, targets,
-- change history, period locks, idempotency records. Every key starts with
-- tenant_id (ARCHITECTURE.md: ready to distribute by tenant).

CREATE TABLE org_units (
  tenant_id   text        NOT NULL,
  unit_id     text        NOT NULL,
  parent_id   text,                      -- NULL for the company
  name        text        NOT NULL,
  kind        smallint    NOT NULL,      -- attain.target.v1.OrgUnitKind
  tier        text        NOT NULL DEFAULT '',
  archived    boolean     NOT NULL DEFAULT false,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, unit_id),
  CONSTRAINT org_units_parent_fkey
    FOREIGN KEY (tenant_id, parent_id) REFERENCES org_units (tenant_id, unit_id)
);
-- Names are unique among active siblings, case-insensitively.
CREATE UNIQUE INDEX org_units_sibling_name ON org_units
  (tenant_id, coalesce(parent_id, ''), lower(name)) WHERE NOT archived;
-- One company per tenant.
CREATE UNIQUE INDEX org_units_one_company ON org_units (tenant_id) WHERE kind = 1;
CREATE INDEX org_units_parent ON org_units (tenant_id, parent_id);

CREATE TABLE reps (
  tenant_id   text        NOT NULL,
  rep_id      text        NOT NULL,
  name        text        NOT NULL,
  hire_date   date        NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, rep_id)
);

-- A rep's team over time; effective_to is the last day (NULL while current).
CREATE TABLE rep_memberships (
  tenant_id      text NOT NULL,
  rep_id         text NOT NULL,
  effective_from date NOT NULL,
  effective_to   date,
  team_id        text NOT NULL,
  PRIMARY KEY (tenant_id, rep_id, effective_from),
  CONSTRAINT rep_memberships_rep_fkey
    FOREIGN KEY (tenant_id, rep_id) REFERENCES reps (tenant_id, rep_id),
  CONSTRAINT rep_memberships_team_fkey
    FOREIGN KEY (tenant_id, team_id) REFERENCES org_units (tenant_id, unit_id),
  CONSTRAINT rep_memberships_range CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
CREATE INDEX rep_memberships_team ON rep_memberships (tenant_id, team_id, effective_from);

CREATE TABLE product_lines (
  tenant_id       text        NOT NULL,
  product_line_id text        NOT NULL,
  name            text        NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, product_line_id)
);
CREATE UNIQUE INDEX product_lines_name ON product_lines (tenant_id, lower(name));

CREATE TABLE targets (
  tenant_id        text        NOT NULL,
  target_id        text        NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', ''),
  scope_kind       smallint    NOT NULL,          -- attain.type.v1.ScopeKind
  scope_id         text        NOT NULL,
  product_line_id  text        NOT NULL DEFAULT '',  -- '' = all product lines
  period           text        NOT NULL,          -- canonical form
  period_kind      smallint    NOT NULL,          -- attain.type.v1.PeriodKind
  first_day        date        NOT NULL,
  last_day         date        NOT NULL,
  metric           smallint    NOT NULL,          -- attain.type.v1.Metric
  base_value       bigint      NOT NULL,
  challenge_value  bigint      NOT NULL,
  currency_code    text        NOT NULL DEFAULT '',
  parent_target_id text,
  version          bigint      NOT NULL DEFAULT 1,
  update_time      timestamptz NOT NULL DEFAULT now(),
  updated_by       text        NOT NULL,
  PRIMARY KEY (tenant_id, target_id),
  CONSTRAINT targets_base_nonnegative CHECK (base_value >= 0),
  CONSTRAINT targets_challenge_at_least_base CHECK (challenge_value >= base_value)
);
CREATE UNIQUE INDEX targets_key ON targets
  (tenant_id, scope_kind, scope_id, product_line_id, period, metric);
CREATE INDEX targets_period ON targets (tenant_id, first_day, last_day);
CREATE INDEX targets_parent ON targets (tenant_id, parent_target_id)
  WHERE parent_target_id IS NOT NULL;

CREATE TABLE target_history (
  tenant_id           text        NOT NULL,
  target_id           text        NOT NULL,
  version             bigint      NOT NULL,
  change_time         timestamptz NOT NULL DEFAULT now(),
  changed_by          text        NOT NULL,
  old_base_value      bigint      NOT NULL,
  old_challenge_value bigint      NOT NULL,
  new_base_value      bigint      NOT NULL,
  new_challenge_value bigint      NOT NULL,
  source              text        NOT NULL,
  PRIMARY KEY (tenant_id, target_id, version)
);

CREATE TABLE period_locks (
  tenant_id text        NOT NULL,
  period    text        NOT NULL,
  first_day date        NOT NULL,
  last_day  date        NOT NULL,
  reason    text        NOT NULL DEFAULT '',
  locked_by text        NOT NULL,
  lock_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, period)
);

-- Idempotency (AIP-155): the first response to each request_id.
CREATE TABLE requests (
  tenant_id   text        NOT NULL,
  request_id  text        NOT NULL,
  method      text        NOT NULL,
  response    bytea       NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);
