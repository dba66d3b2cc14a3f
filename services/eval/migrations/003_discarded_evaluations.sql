-- Discarded drafts (DiscardEvaluation): a draft that is thrown away is kept as
-- history in state 'discarded', with who discarded it, when and why, and never
-- changes again. It counts nowhere: only 'final' evaluations feed the
-- below-target history of later quarters. If it was a restatement, the final
-- evaluation it was to replace drops its link to it (restated_by_id and the
-- reason) in the same transaction, so that one can be restated anew; the
-- discarded draft keeps its own links (restates_id, appeal_id) as the record
-- of what it was for. Runs with search_path = eval.

ALTER TABLE evaluations
  ADD COLUMN discard_reason text NOT NULL DEFAULT '',
  ADD COLUMN discarded_by   text NOT NULL DEFAULT '',
  ADD COLUMN discard_time   timestamptz;

-- 002's constraints, by the names PostgreSQL gave them, widened to the new
-- state: finalize_time belongs to the final states only (a discarded draft
-- was never final).
ALTER TABLE evaluations DROP CONSTRAINT evaluations_state_check;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_state_check
  CHECK (state IN ('draft', 'final', 'restated', 'discarded'));
ALTER TABLE evaluations DROP CONSTRAINT evaluations_check;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_finalize_time_check
  CHECK ((state IN ('final', 'restated')) = (finalize_time IS NOT NULL));
-- A discarded draft has its time and reason, and nothing else has them; it
-- was never restated.
ALTER TABLE evaluations ADD CONSTRAINT evaluations_discard_check
  CHECK ((state = 'discarded') = (discard_time IS NOT NULL)
         AND (state = 'discarded') = (discard_reason <> '')
         AND (state <> 'discarded' OR restated_by_id = ''));

-- As 002's guard, plus: a discarded evaluation never changes; the discard
-- columns of a final one never change; and a final evaluation's restatement
-- link may be cleared (restated_by_id and restatement_reason back to '') once
-- the restatement it names is discarded, which is the one way a link set
-- once is undone.
CREATE OR REPLACE FUNCTION evaluations_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state <> 'draft' THEN
      RAISE EXCEPTION 'evaluation % is %: only a draft can be deleted', OLD.evaluation_id,
        OLD.state USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.state = 'draft' THEN
    RETURN NEW;
  END IF;
  IF OLD.state = 'discarded' THEN
    RAISE EXCEPTION 'evaluation % is discarded and immutable', OLD.evaluation_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.tenant_id <> OLD.tenant_id OR NEW.evaluation_id <> OLD.evaluation_id
     OR NEW.seq <> OLD.seq OR NEW.unit_id <> OLD.unit_id OR NEW.period <> OLD.period
     OR NEW.template_id <> OLD.template_id OR NEW.template_version <> OLD.template_version
     OR NEW.restates_id <> OLD.restates_id OR NEW.appeal_id <> OLD.appeal_id
     OR NEW.unit_scorecard <> OLD.unit_scorecard OR NEW.created_by <> OLD.created_by
     OR NEW.create_time <> OLD.create_time
     OR NEW.finalize_time IS DISTINCT FROM OLD.finalize_time
     OR NEW.discard_reason <> OLD.discard_reason OR NEW.discarded_by <> OLD.discarded_by
     OR NEW.discard_time IS DISTINCT FROM OLD.discard_time
     OR (OLD.restated_by_id <> ''
         AND (NEW.restated_by_id <> OLD.restated_by_id
              OR NEW.restatement_reason <> OLD.restatement_reason)
         AND NOT (OLD.state = 'final' AND NEW.state = 'final'
                  AND NEW.restated_by_id = '' AND NEW.restatement_reason = ''
                  -- Qualified: a trigger runs with the caller's search_path.
                  AND EXISTS (SELECT 1 FROM eval.evaluations d
                              WHERE d.tenant_id = OLD.tenant_id
                                AND d.evaluation_id = OLD.restated_by_id
                                AND d.state = 'discarded')))
     OR NOT (NEW.state = OLD.state OR (OLD.state = 'final' AND NEW.state = 'restated')) THEN
    RAISE EXCEPTION 'evaluation % is % and immutable: only its restatement link may change',
      OLD.evaluation_id, OLD.state USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$fn$;
