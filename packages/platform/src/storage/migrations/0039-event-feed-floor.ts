import type { Migration } from "./migration.js";

/**
 * The feed's floor (ADR 0037, "No event skipped"). Every event is appended by
 * `quanta_append_event`, which first takes a shared transaction-level advisory lock keyed by the
 * lowest id the transaction can take (the sequence's next value), once per transaction, and only
 * then takes its id. While the transaction runs, `pg_locks` shows that key: the feed never moves
 * past an id at or above the lowest key held, so no event of a transaction still running can be
 * committed behind a reader. The lock conflicts with nothing: it is shared, and in the two-key form
 * (`objsubid` 2 in `pg_locks`, which Quanta uses for nothing else) with a first key from 0x51450000
 * (the high bits of the id added) and the id's low 32 bits as the second. Migration 36's `xid` column stays but the feed no longer reads it: a transaction's
 * xid says when it started, not which ids it holds.
 */
export const eventFeedFloorMigration: Migration = {
  id: 39,
  name: "event-feed-floor",
  sql: /* sql */ `
CREATE FUNCTION quanta_append_event(p_type text, p_subject text, p_actor text, p_payload jsonb, p_audience text[])
RETURNS SETOF events LANGUAGE plpgsql AS $$
DECLARE
  lowest bigint;
  appended events;
BEGIN
  -- Before the id is taken: a reader that sees any later id committed also sees this lock.
  -- The setting is local to the transaction (and undone with a rolled-back savepoint, as the lock is).
  IF current_setting('quanta.event_floor', true) IS DISTINCT FROM '1' THEN
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO lowest FROM events_id_seq;
    PERFORM pg_advisory_xact_lock_shared(
      (1363476480 + (lowest >> 32))::int,
      ((lowest & 4294967295) - CASE WHEN (lowest & 4294967295) >= 2147483648 THEN 4294967296 ELSE 0 END)::int);
    PERFORM set_config('quanta.event_floor', '1', true);
  END IF;
  INSERT INTO events (type, subject, actor, payload, audience)
    VALUES (p_type, p_subject, p_actor, p_payload, p_audience)
    RETURNING * INTO appended;
  RETURN NEXT appended;
END $$;
`,
};
