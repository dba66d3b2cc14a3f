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

-- ---------------------------------------------------------------------------
-- The write pipeline's own tables (store/pg_ingest_store.cc). Key columns are
-- COLLATE "C": byte order, the order the pipeline sorts and locks in, and
-- cheaper comparisons.

-- Every event counted or found stale, idempotent on (tenant, source, event_id):
-- a resend finds its row and is a duplicate. `kind` is EventKind (1 order,
-- 2 payment, 3 receivable, 4 follow-up, 5 opportunity, 6 customer,
-- 7 satisfaction survey, 8 collaboration rating, 9 knowledge sharing,
-- 10 report submission); entity_id/version are the entity's for versioned kinds.
CREATE TABLE events (
  tenant_id   text COLLATE "C" NOT NULL,
  source      text COLLATE "C" NOT NULL,
  event_id    text COLLATE "C" NOT NULL,
  kind        smallint    NOT NULL,
  entity_id   text        NOT NULL,
  version     bigint      NOT NULL DEFAULT 0,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  payload     bytea       NOT NULL,  -- the serialized attain.ingest.v1.Event
  PRIMARY KEY (tenant_id, source, event_id)
);

-- The last counted version of every order (kind 1), receivable (3) and
-- opportunity (5), and what it contributes to rollup_daily: a newer version
-- adds the difference, so the rollups hold exactly each entity's newest
-- counted version. team_id/region_id are the placement it was counted with,
-- so a reversal subtracts from the very row it added to.
CREATE TABLE entity_states (
  tenant_id       text COLLATE "C" NOT NULL,
  kind            smallint NOT NULL,
  entity_id       text COLLATE "C" NOT NULL,
  version         bigint   NOT NULL,                -- last counted, >= 1
  counted         boolean  NOT NULL DEFAULT false,  -- contributes (order not cancelled,
                                                    -- any receivable, won/lost opportunity)
  day             date,                             -- signed / due / closed (created while open)
  rep_id          text COLLATE "C" NOT NULL DEFAULT '',
  team_id         text COLLATE "C" NOT NULL DEFAULT '',
  region_id       text COLLATE "C" NOT NULL DEFAULT '',
  product_line_id text COLLATE "C" NOT NULL DEFAULT '',
  customer_id     text COLLATE "C" NOT NULL DEFAULT '',
  amount          bigint   NOT NULL DEFAULT 0,      -- minor units: order amount, amount due,
                                                    -- expected amount
  gross_profit    bigint   NOT NULL DEFAULT 0,      -- minor units, orders
  status          smallint NOT NULL DEFAULT 0,      -- OrderStatus / OpportunityStage number
  cycle_days      bigint   NOT NULL DEFAULT 0,      -- won opportunities: closed - created
  currency        text     NOT NULL DEFAULT '',
  update_time     timestamptz,
  PRIMARY KEY (tenant_id, kind, entity_id)
) WITH (fillfactor = 80);  -- room for HOT updates of a new version in place
-- A customer's counted orders: finds its first and last order when the one on
-- record was cancelled or moved (rare). Only (tenant, customer) is indexed so
-- that a new version changing amount, day or rep is a HOT update.
CREATE INDEX entity_states_customer_orders ON entity_states (tenant_id, customer_id)
  WHERE kind = 1 AND counted;

-- Customers: master data of the last counted version (version 0 while only
-- orders have named the customer) and the first and last counted signed
-- orders. The first order's cell (day, rep, team, region, product line) holds
-- the customer's new_customers +1 in rollup_daily.
CREATE TABLE customers (
  tenant_id             text COLLATE "C" NOT NULL,
  customer_id           text COLLATE "C" NOT NULL,
  version               bigint   NOT NULL DEFAULT 0,
  full_name             text     NOT NULL DEFAULT '',  -- normalised full legal name
  industry              text     NOT NULL DEFAULT '',
  grade                 smallint NOT NULL DEFAULT 0,   -- CustomerGrade: 1 A, 2 B, 3 C
  tier                  smallint NOT NULL DEFAULT 0,   -- CustomerTier: 1 KA, 2 growth, 3 potential
  owner_rep_id          text     NOT NULL DEFAULT '',
  first_order_id        text COLLATE "C",              -- NULL: no counted order
  first_order_day       date,
  first_rep_id          text NOT NULL DEFAULT '',
  first_team_id         text NOT NULL DEFAULT '',
  first_region_id       text NOT NULL DEFAULT '',
  first_product_line_id text NOT NULL DEFAULT '',
  last_order_id         text COLLATE "C",
  last_order_day        date,
  update_time           timestamptz,
  PRIMARY KEY (tenant_id, customer_id)
) WITH (fillfactor = 80);
CREATE INDEX customers_name ON customers (tenant_id, full_name);

-- Events that broke the contract, kept for inspection (ListRejectedEvents),
-- newest first by reject_id.
CREATE TABLE rejects (
  tenant_id   text COLLATE "C" NOT NULL,
  reject_id   bigint GENERATED ALWAYS AS IDENTITY,
  source      text COLLATE "C" NOT NULL,
  event_id    text        NOT NULL,
  field       text        NOT NULL,
  reason      text        NOT NULL,
  payload     bytea       NOT NULL,  -- the event as received
  received_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, reject_id)
);
CREATE INDEX rejects_by_source ON rejects (tenant_id, source, reject_id);
