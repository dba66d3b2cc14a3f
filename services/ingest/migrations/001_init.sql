-- The ingest service's schema. Two tables are shared contracts between the
-- write pipeline (store/) and the leaderboard relay (relay/): rollup_daily and
-- outbox. The pipeline's own tables (events, entity states, customers,
-- rejects, …) follow below them.

-- Additive components per (day, rep, team, product line, customer): every
-- metric of DOMAIN.md §3 over any period and scope is a SUM over these rows.
-- team_id/region_id are where the rep sat on `day` (OrgDirectory).
CREATE TABLE rollup_daily (
  tenant_id           text   NOT NULL,
  day                 date   NOT NULL,
  rep_id              text   NOT NULL,
  team_id             text   NOT NULL DEFAULT '',
  region_id           text   NOT NULL DEFAULT '',
  product_line_id     text   NOT NULL DEFAULT '',  -- '' when the event has none
  customer_id         text   NOT NULL DEFAULT '',  -- '' when the event has none
  sales_amount        bigint NOT NULL DEFAULT 0,   -- minor units, signed orders
  order_count         bigint NOT NULL DEFAULT 0,
  gross_profit        bigint NOT NULL DEFAULT 0,   -- minor units
  collected_amount    bigint NOT NULL DEFAULT 0,   -- minor units, payments received
  receivable_due      bigint NOT NULL DEFAULT 0,   -- minor units, receivables due on `day`
  new_customers       bigint NOT NULL DEFAULT 0,   -- customers whose first signed order is on `day`
  visits              bigint NOT NULL DEFAULT 0,   -- follow-ups (by contact day)
  effective_visits    bigint NOT NULL DEFAULT 0,   -- follow-ups with content
  follow_ups_late     bigint NOT NULL DEFAULT 0,   -- recorded > 24 h after the contact
  opportunities_won   bigint NOT NULL DEFAULT 0,   -- by closed day
  opportunities_lost  bigint NOT NULL DEFAULT 0,
  won_cycle_days      bigint NOT NULL DEFAULT 0,   -- sum over won: closed - created, days
  satisfaction_sum    bigint NOT NULL DEFAULT 0,   -- survey scores 0-100
  satisfaction_count  bigint NOT NULL DEFAULT 0,
  collaboration_sum   bigint NOT NULL DEFAULT 0,   -- ratings 1-5
  collaboration_count bigint NOT NULL DEFAULT 0,
  knowledge_sharing   bigint NOT NULL DEFAULT 0,
  reports_on_time     bigint NOT NULL DEFAULT 0,   -- by the reported period's last day
  reports_late        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, rep_id, team_id, product_line_id, customer_id)
);
CREATE INDEX rollup_daily_rep ON rollup_daily (tenant_id, rep_id, day);

-- Leaderboard deltas, applied to Redis by the relay in seq order exactly once.
-- Writers take pg_advisory_xact_lock(hashtext('ingest.outbox')) before
-- inserting, so rows become visible in seq order (no gaps a relay could skip).
-- Not keyed by tenant: the relay's order is global (one row per tenant per
-- committed batch).
CREATE TABLE outbox (
  seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text        NOT NULL,
  increments  text        NOT NULL,  -- attain::EncodeIncrements
  create_time timestamptz NOT NULL DEFAULT now()
);
