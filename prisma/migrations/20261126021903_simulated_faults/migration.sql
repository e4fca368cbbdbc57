-- CreateTable
CREATE TABLE "simulated_faults" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "cluster_id_key" TEXT,
    "cluster_resource_id" TEXT,
    "extension_type" TEXT,
    "operations" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "transient" BOOLEAN NOT NULL,
    "probability" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "remaining_calls" INTEGER,
    "injected_calls" INTEGER NOT NULL DEFAULT 0,
    "duration_ms" INTEGER,
    "message" TEXT,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_injected_at" TIMESTAMPTZ(3),

    CONSTRAINT "simulated_faults_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "simulated_faults_cluster_id_key_idx" ON "simulated_faults"("cluster_id_key");

