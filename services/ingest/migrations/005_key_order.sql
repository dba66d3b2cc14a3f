-- Primary keys of the write pipeline's dedup and state tables, most selective
-- column first. Their only readers are exact probes of whole keys (a resent
-- event, an entity's or a customer's state), so the column order is free; with
-- the constant tenant (and source, kind) first, every B-tree comparison of
-- every probe and insert walked past them, through the slow path PostgreSQL
-- takes for columns behind a variable-length one.
ALTER TABLE events DROP CONSTRAINT events_pkey,
  ADD CONSTRAINT events_pkey PRIMARY KEY (event_id, source, tenant_id);
ALTER TABLE entity_states DROP CONSTRAINT entity_states_pkey,
  ADD CONSTRAINT entity_states_pkey PRIMARY KEY (entity_id, kind, tenant_id);
ALTER TABLE customers DROP CONSTRAINT customers_pkey,
  ADD CONSTRAINT customers_pkey PRIMARY KEY (customer_id, tenant_id);

-- What the old entity_states key served besides probes: a tenant's
-- receivables (kind 3, finance mismatches).
CREATE INDEX entity_states_receivables ON entity_states (tenant_id) WHERE kind = 3;
