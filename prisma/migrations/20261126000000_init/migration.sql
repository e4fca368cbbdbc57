-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "clusters" (
    "id" UUID NOT NULL,
    "id_key" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "subscription_key" TEXT NOT NULL,
    "resource_group_key" TEXT NOT NULL,
    "type_key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "tags" JSONB NOT NULL DEFAULT '{}',
    "identity" JSONB,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "provisioning_state" TEXT NOT NULL,
    "driver" TEXT NOT NULL DEFAULT 'simulated',
    "kubeconfig_sealed" TEXT,
    "etag" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_by_type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_modified_by" TEXT NOT NULL,
    "last_modified_by_type" TEXT NOT NULL,
    "last_modified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "extensions" (
    "id" UUID NOT NULL,
    "id_key" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "cluster_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "extension_type" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "protected_settings_sealed" TEXT,
    "current_version" TEXT,
    "provisioning_state" TEXT NOT NULL,
    "statuses" JSONB NOT NULL DEFAULT '[]',
    "error_info" JSONB,
    "active_operation_id" UUID,
    "etag" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_by_type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_modified_by" TEXT NOT NULL,
    "last_modified_by_type" TEXT NOT NULL,
    "last_modified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "extensions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operations" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "resource_id_key" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "extension_id" UUID,
    "cluster_id" UUID,
    "status" TEXT NOT NULL,
    "percent_complete" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "api_version" TEXT NOT NULL,
    "error" JSONB,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "start_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "end_time" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "simulated_releases" (
    "cluster_id" UUID NOT NULL,
    "release_name" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "extension_type" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL,
    "values_digest" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "simulated_releases_pkey" PRIMARY KEY ("cluster_id","release_name")
);

-- CreateIndex
CREATE UNIQUE INDEX "clusters_id_key_key" ON "clusters"("id_key");

-- CreateIndex
CREATE INDEX "clusters_subscription_key_resource_group_key_type_key_name__idx" ON "clusters"("subscription_key", "resource_group_key", "type_key", "name_key");

-- CreateIndex
CREATE INDEX "clusters_subscription_key_type_key_name_key_idx" ON "clusters"("subscription_key", "type_key", "name_key");

-- CreateIndex
CREATE UNIQUE INDEX "extensions_id_key_key" ON "extensions"("id_key");

-- CreateIndex
CREATE UNIQUE INDEX "extensions_cluster_id_name_key_key" ON "extensions"("cluster_id", "name_key");

-- CreateIndex
CREATE INDEX "operations_resource_id_key_idx" ON "operations"("resource_id_key");

-- CreateIndex
CREATE INDEX "operations_status_updated_at_idx" ON "operations"("status", "updated_at");

-- AddForeignKey
ALTER TABLE "extensions" ADD CONSTRAINT "extensions_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "simulated_releases" ADD CONSTRAINT "simulated_releases_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

