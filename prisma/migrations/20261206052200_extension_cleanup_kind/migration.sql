-- extension.cleanup: the background uninstall after a forceDelete (core/domain/model.ts OPERATION_KINDS), beside the
-- rollback and repair kinds of the migration before.
ALTER TABLE "operations" DROP CONSTRAINT "operations_kind_check";
ALTER TABLE "operations" ADD CONSTRAINT "operations_kind_check"
  CHECK ("kind" IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.rollback', 'extension.repair', 'extension.delete', 'extension.cleanup', 'cluster.delete'));
ALTER TABLE "operation_outbox" DROP CONSTRAINT "operation_outbox_kind_check";
ALTER TABLE "operation_outbox" ADD CONSTRAINT "operation_outbox_kind_check"
  CHECK ("kind" IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.rollback', 'extension.repair', 'extension.delete', 'extension.cleanup', 'cluster.delete'));
