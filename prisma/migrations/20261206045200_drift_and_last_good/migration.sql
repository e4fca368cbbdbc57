-- Issue 18: last known good, drift detection, rollback and repair.
-- last_good: the version and spec of the last successful install, update, upgrade, rollback or repair, written by
-- the statement that finishes the operation (core/store/operations.ts finishExtensionOperation); its protected
-- settings stay sealed, in their own column so key rotation re-seals them (core/store/sealed-values.ts).
-- drift: what the drift observer (workers/jobs/drift-check.ts) last found different from last_good, and since when;
-- drift_checked_at orders the observer's bounded passes (the least recently checked first).
ALTER TABLE "extensions" ADD COLUMN "last_good" JSONB;
ALTER TABLE "extensions" ADD COLUMN "last_good_protected_settings_sealed" TEXT;
ALTER TABLE "extensions" ADD COLUMN "drift" JSONB;
ALTER TABLE "extensions" ADD COLUMN "drift_checked_at" TIMESTAMPTZ(3);

-- Extensions installed before this migration start from what they run now.
UPDATE "extensions"
   SET "last_good" = jsonb_build_object('version', "current_version", 'spec', "spec", 'recordedAt', to_jsonb(now())),
       "last_good_protected_settings_sealed" = "protected_settings_sealed"
 WHERE "provisioning_state" = 'Succeeded' AND "current_version" IS NOT NULL;

CREATE INDEX "extensions_drift_checked_at_idx" ON "extensions" ("drift_checked_at" NULLS FIRST, "id");

-- Two operation kinds more: extension.rollback (POST …/rollback) and extension.repair (drift repair).
ALTER TABLE "operations" DROP CONSTRAINT "operations_kind_check";
ALTER TABLE "operations" ADD CONSTRAINT "operations_kind_check"
  CHECK ("kind" IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.rollback', 'extension.repair', 'extension.delete', 'cluster.delete'));
ALTER TABLE "operation_outbox" DROP CONSTRAINT "operation_outbox_kind_check";
ALTER TABLE "operation_outbox" ADD CONSTRAINT "operation_outbox_kind_check"
  CHECK ("kind" IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.rollback', 'extension.repair', 'extension.delete', 'cluster.delete'));
