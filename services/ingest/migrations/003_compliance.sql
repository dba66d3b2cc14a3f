-- Indexes for the compliance reports (store/pg_compliance_store.cc). Indexes
-- only: the pipeline's writes are unchanged.

-- Follow-ups (kind 4), payments (2), report submissions (10) by recording
-- time: the reports read one kind's payloads in a time range.
CREATE INDEX events_by_kind_time ON events (tenant_id, kind, occurred_at);

-- Receivables (kind 3): the payload of an entity's counted version; customers
-- (kind 6): their first event (creation).
CREATE INDEX events_by_entity ON events (tenant_id, kind, entity_id, version);

-- Special contributions: a rep's counted orders over a day range.
CREATE INDEX entity_states_rep_orders ON entity_states (tenant_id, rep_id, day)
  WHERE kind = 1 AND counted;
