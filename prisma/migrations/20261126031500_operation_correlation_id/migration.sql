-- AlterTable
ALTER TABLE "operations" ADD COLUMN     "correlation_id" TEXT;

