-- Driver steps on the operation timeline: each phase a driver went through in an attempt (read the release, resolve
-- the chart, install or upgrade, uninstall), with its outcome, error code and duration. A worker keeps an attempt's
-- steps in memory and writes them in the statement that ends the attempt (finishExtensionOperation, recordRetry in
-- core/store/operations.ts), so they cost no statement of their own. `at` is when the step started, `status` is
-- Succeeded or Failed, `error_code` the driver's code when it failed; as everywhere on the timeline, never a message.
ALTER TABLE "operation_events" ADD COLUMN "driver" TEXT, ADD COLUMN "step" TEXT, ADD COLUMN "duration_ms" INTEGER;

ALTER TABLE "operation_events" DROP CONSTRAINT "operation_events_kind_check";
ALTER TABLE "operation_events" ADD CONSTRAINT "operation_events_kind_check"
  CHECK ("kind" IN ('accepted', 'dispatched', 'attemptStarted', 'driverStep', 'retryScheduled', 'finished'));
