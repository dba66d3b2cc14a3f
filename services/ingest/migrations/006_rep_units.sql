-- Which reps have rollup rows in which team or region. A query for a unit
-- reaches the unit's rollup rows through its reps (rollup_daily_rep) instead
-- of through indexes on team_id and region_id: those two indexes were half of
-- rollup_daily's index maintenance, paid on nearly every ingested event,
-- while a unit's reps are a few rows written once.
-- Written in the pipeline's transaction with the rollups it describes.
CREATE TABLE rep_units (
  tenant_id text NOT NULL,
  unit_id   text NOT NULL,  -- a team or region id that a rollup row of the rep carries
  rep_id    text NOT NULL,
  PRIMARY KEY (tenant_id, unit_id, rep_id)
);
INSERT INTO rep_units
  SELECT DISTINCT tenant_id, team_id, rep_id FROM rollup_daily WHERE team_id <> ''
  UNION
  SELECT DISTINCT tenant_id, region_id, rep_id FROM rollup_daily WHERE region_id <> '';

DROP INDEX rollup_daily_team;
DROP INDEX rollup_daily_region;
