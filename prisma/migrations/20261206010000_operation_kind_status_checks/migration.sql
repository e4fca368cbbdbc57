-- Operation kind and status are checked unions: the same lists as OPERATION_KINDS and OperationStatus in
-- core/domain/model.ts. Prisma has no CHECK constraints, so they live only here.
ALTER TABLE "operations" ADD CONSTRAINT "operations_kind_check"
  CHECK ("kind" IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.delete', 'cluster.delete'));
ALTER TABLE "operations" ADD CONSTRAINT "operations_status_check"
  CHECK ("status" IN ('InProgress', 'Succeeded', 'Failed', 'Canceled'));
ALTER TABLE "operation_outbox" ADD CONSTRAINT "operation_outbox_kind_check"
  CHECK ("kind" IN ('extension.install', 'extension.update', 'extension.upgrade', 'extension.delete', 'cluster.delete'));
