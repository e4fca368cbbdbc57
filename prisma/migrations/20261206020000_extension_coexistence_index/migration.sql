-- An accepted extension write checks only the extensions on its cluster whose types the catalog's coexistence rules
-- judge (core/store/extension-statements.ts), compared trimmed and case-insensitively as the rules compare them; this
-- index keeps that check one lookup however many extensions the cluster has. Prisma has no expression indexes, so
-- it lives only here.
CREATE INDEX "extensions_cluster_id_extension_type_key_idx" ON "extensions" ("cluster_id", lower(btrim("extension_type")));
