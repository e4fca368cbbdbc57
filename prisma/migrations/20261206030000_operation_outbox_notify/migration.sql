-- Wakes idle workers' outbox dispatchers (workers/dispatcher.ts) when operations are accepted, so they wait on
-- LISTEN instead of polling. One notification per inserting statement, delivered at commit; the payload is empty
-- because the dispatcher reads the table anyway. The channel name is OUTBOX_CHANNEL in core/store/outbox.ts.
CREATE FUNCTION "arcext_operation_outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('arcext_operation_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "operation_outbox_notify" AFTER INSERT ON "operation_outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION "arcext_operation_outbox_notify"();
