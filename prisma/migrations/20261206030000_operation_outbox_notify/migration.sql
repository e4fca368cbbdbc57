-- Wakes idle workers' outbox dispatchers (workers/dispatcher.ts), so they wait on LISTEN instead of polling. Only
-- an insert into an outbox holding no other visible row notifies: a dispatcher keeps looking for as long as rows are
-- there (core/store/outbox.ts), so only the step from empty to not empty needs to wake it. Notifying on every insert
-- would cost every accepting transaction Postgres's cluster-wide notify lock, held through its commit: measured
-- with pgbench on the 2-core machine, 16 clients inserting rows fell from about 3,200 to 330-420 commits a second;
-- with this condition the trigger's cost was within the noise, and about 5-15% when every row was deleted at once
-- (an outbox often empty, the case that notifies most).
-- The channel name is OUTBOX_CHANNEL in core/store/outbox.ts; the payload is empty (the dispatcher reads the table).
CREATE FUNCTION "arcext_operation_outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "operation_outbox" WHERE "id" <> NEW."id") THEN
    PERFORM pg_notify('arcext_operation_outbox', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "operation_outbox_notify" AFTER INSERT ON "operation_outbox"
  FOR EACH ROW EXECUTE FUNCTION "arcext_operation_outbox_notify"();
