-- Indexes for the read queries of IngestQueryService (store/pg_query_store.cc).

-- GetActuals over a unit: rows of a team or a region in a day range (the
-- planner ORs the two). The company reads the primary key's (tenant, day)
-- prefix; a rep reads rollup_daily_rep.
CREATE INDEX rollup_daily_team ON rollup_daily (tenant_id, team_id, day);
CREATE INDEX rollup_daily_region ON rollup_daily (tenant_id, region_id, day);

-- ListCustomers (counted orders, kind 1) and GetFunnel (opportunities, kind 5)
-- by day.
CREATE INDEX entity_states_by_day ON entity_states (tenant_id, kind, day);

-- ListCustomers: new customers by their first order's day.
CREATE INDEX customers_first_order ON customers (tenant_id, first_order_day);
