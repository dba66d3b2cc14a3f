-- Secondary indexes only where their readers look, as partial indexes with a
-- constant kind. Two reasons:
--  * the write pipeline probes events, entity_states and customers with a
--    group's keys; an index sharing the key's leading columns (tenant, kind)
--    could be picked for those probes while the table's statistics lag its
--    growth, turning every probe into a scan of a whole kind. A partial
--    index cannot serve a probe whose kind is not a constant, so the probes
--    stay on the primary keys;
--  * every index is maintained on every insert: orders and opportunities
--    (most events) no longer pay for indexes only activity reports read.

-- Read by ListCustomers (kind 1) and GetFunnel (kind 5) by day.
DROP INDEX entity_states_by_day;
CREATE INDEX entity_states_orders_by_day ON entity_states (tenant_id, day)
  WHERE kind = 1 AND counted;
CREATE INDEX entity_states_opportunities_by_day ON entity_states (tenant_id, day)
  WHERE kind = 5;

-- Read by the compliance reports: payments (2), follow-ups (4) and report
-- submissions (10) by time; receivables (3) and customers (6) by entity.
DROP INDEX events_by_kind_time;
CREATE INDEX events_activity_by_time ON events (tenant_id, kind, occurred_at)
  WHERE kind IN (2, 4, 10);
DROP INDEX events_by_entity;
CREATE INDEX events_entities ON events (tenant_id, kind, entity_id, version)
  WHERE kind IN (3, 6);
