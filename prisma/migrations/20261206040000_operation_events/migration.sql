-- Each operation's timeline (GET /admin/operations/{id}): what happened to it and when, for operators following one
-- operation from request to worker. Events are written by triggers on the rows the store already changes, so they
-- ride in the statements that run anyway (an accept stays at its statement count, a worker install at its own):
--   accepted        an operation row is inserted (with its resource change, in the accepting transaction)
--   dispatched      its outbox row is removed while it runs: a worker's claim took its job (operation-claim.ts), or a
--                   dispatcher delivered the job the api left to the outbox (core/store/outbox.ts). The api's own
--                   enqueue right after commit is not recorded: it writes nothing, to keep each request's statements
--                   to what it needs, so a timeline shows when a job reached a worker or a dispatcher, not the queue.
--   attemptStarted  a worker counts an attempt (operation-claim.ts); `attempt` is the count
--   retryScheduled  written by recordRetry (core/store/operations.ts) with the error code as `reason`
--   finished        the status leaves InProgress; `status` and the error's code, never its message
-- Only codes and states are kept, never messages or settings, so no secret can reach the timeline.
CREATE TABLE "operation_events" (
    "id" BIGSERIAL NOT NULL,
    "operation_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "kind" TEXT NOT NULL,
    "attempt" INTEGER,
    "status" TEXT,
    "error_code" TEXT,
    "reason" TEXT,
    CONSTRAINT "operation_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "operation_events_kind_check" CHECK ("kind" IN ('accepted', 'dispatched', 'attemptStarted', 'retryScheduled', 'finished')),
    CONSTRAINT "operation_events_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operations"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "operation_events_operation_id_id_idx" ON "operation_events"("operation_id", "id");

-- The operator list is newest first.
CREATE INDEX "operations_start_time_idx" ON "operations"("start_time");

CREATE FUNCTION "arcext_operation_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "operation_events" ("operation_id", "kind", "status") VALUES (NEW."id", 'accepted', NEW."status");
    RETURN NULL;
  END IF;
  IF NEW."attempts" > OLD."attempts" THEN
    INSERT INTO "operation_events" ("operation_id", "kind", "attempt") VALUES (NEW."id", 'attemptStarted', NEW."attempts");
  END IF;
  IF OLD."status" = 'InProgress' AND NEW."status" <> 'InProgress' THEN
    INSERT INTO "operation_events" ("operation_id", "kind", "attempt", "status", "error_code")
      VALUES (NEW."id", 'finished', NEW."attempts", NEW."status", NEW."error" ->> 'code');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "operation_events_accepted" AFTER INSERT ON "operations"
  FOR EACH ROW EXECUTE FUNCTION "arcext_operation_events"();
CREATE TRIGGER "operation_events_changed" AFTER UPDATE OF "attempts", "status" ON "operations"
  FOR EACH ROW EXECUTE FUNCTION "arcext_operation_events"();

-- Rows of operations that already ended are removed without delivering anything (a dispatcher's clean-up, or
-- POST /admin/reset, which deletes the operations too): no event then.
CREATE FUNCTION "arcext_operation_dispatched"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "operation_events" ("operation_id", "kind")
    SELECT OLD."operation_id", 'dispatched' WHERE EXISTS (SELECT 1 FROM "operations" WHERE "id" = OLD."operation_id" AND "status" = 'InProgress');
  RETURN NULL;
END
$$;

CREATE TRIGGER "operation_events_dispatched" AFTER DELETE ON "operation_outbox"
  FOR EACH ROW EXECUTE FUNCTION "arcext_operation_dispatched"();
