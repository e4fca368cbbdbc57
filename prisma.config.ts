// Prisma CLI configuration: the wasm schema engine through the pg driver adapter, so `migrate diff`
// works with no native engine download (docs/deployment.md, Prisma without network).
// Migrations are applied at startup by core/db/migrate.ts, not by the CLI.
import { PrismaPg } from '@prisma/adapter-pg'
import { defineConfig } from 'prisma/config'

function connectionConfig() {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/arcext')
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1) || 'arcext'),
  }
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg(connectionConfig()),
})
