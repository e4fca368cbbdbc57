-- CreateTable
CREATE TABLE "operation_outbox" (
    "id" BIGSERIAL NOT NULL,
    "operation_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "operation_outbox_operation_id_key" ON "operation_outbox"("operation_id");

-- CreateIndex
CREATE INDEX "operation_outbox_created_at_idx" ON "operation_outbox"("created_at");

-- CreateIndex
CREATE INDEX "operations_cluster_id_status_idx" ON "operations"("cluster_id", "status");

