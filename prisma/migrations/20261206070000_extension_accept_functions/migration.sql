-- An accepted extension PUT in one round trip (core/store/extension-statements.ts): the api reads the cluster and the
-- extension without a lock, judges the request, then calls one of these functions, which re-checks under the cluster
-- lock what the judgement relied on and writes the extension, its operation and the operation's outbox row. They are
-- functions, not one statement, because under READ COMMITTED a statement's snapshot is taken before it waits for a
-- lock: a coexistence check in the statement that locks could miss a create committed while it waited. Each statement
-- of a (volatile) PL/pgSQL function takes a fresh snapshot, so the check after the lock sees every create that held
-- the lock before.
--
-- p_cluster_etag is the cluster's etag when the request was judged, which the call re-checks; null from a caller that
-- judged under the cluster lock in its own transaction (nothing to re-check).
--
-- outcome:
--   written  extension and operation hold the rows written (to_jsonb), blocking is null
--   blocked  nothing written: blocking lists the extensions of the guarded types (the caller's rules judge them)
--   exists   (create) nothing written: the extension exists, as `extension` holds it; judge again as a change of it
--   stale    nothing written: the cluster is gone, Deleting or changed (another etag), or (update) the extension is
--            no longer the version judged or has an operation in flight; judge again

-- Creates on one cluster serialise on its row (FOR NO KEY UPDATE), so of two creates the rules forbid together the
-- second sees the first in its coexistence check.
CREATE FUNCTION "arcext_accept_extension_create"(
  p_cluster_id UUID, p_cluster_etag TEXT, p_types TEXT[], p_name_key TEXT,
  p_id UUID, p_id_key TEXT, p_resource_id TEXT, p_name TEXT, p_extension_type TEXT, p_spec JSONB, p_sealed TEXT, p_etag TEXT,
  p_caller_id TEXT, p_caller_type TEXT,
  p_operation_id UUID, p_api_version TEXT, p_correlation_id TEXT,
  OUT outcome TEXT, OUT extension JSONB, OUT operation JSONB, OUT blocking JSONB
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  e "extensions"%ROWTYPE;
  o "operations"%ROWTYPE;
BEGIN
  PERFORM 1 FROM "clusters" WHERE "id" = p_cluster_id AND (p_cluster_etag IS NULL OR "etag" = p_cluster_etag) AND "provisioning_state" <> 'Deleting' FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    outcome := 'stale';
    RETURN;
  END IF;
  -- Creates of one extension hold the same cluster lock, so what this finds stays so until commit.
  SELECT to_jsonb(x) INTO extension FROM "extensions" x WHERE x."id_key" = p_id_key;
  IF extension IS NOT NULL THEN
    outcome := 'exists';
    RETURN;
  END IF;
  IF cardinality(p_types) > 0 THEN
    -- A query of its own (not an expression), so it runs with a snapshot taken after the lock was granted.
    SELECT jsonb_agg(jsonb_build_object('name', x."name", 'extensionType', x."extension_type")) INTO blocking
      FROM "extensions" x
      WHERE x."cluster_id" = p_cluster_id AND lower(btrim(x."extension_type")) = ANY(p_types) AND x."name_key" <> p_name_key;
    IF blocking IS NOT NULL THEN
      outcome := 'blocked';
      RETURN;
    END IF;
  END IF;
  INSERT INTO "extensions" ("id", "id_key", "resource_id", "cluster_id", "name", "name_key", "extension_type", "spec", "protected_settings_sealed",
                            "provisioning_state", "active_operation_id", "etag", "created_by", "created_by_type", "last_modified_by", "last_modified_by_type")
    VALUES (p_id, p_id_key, p_resource_id, p_cluster_id, p_name, p_name_key, p_extension_type, p_spec, p_sealed,
            'Creating', p_operation_id, p_etag, p_caller_id, p_caller_type, p_caller_id, p_caller_type)
    ON CONFLICT DO NOTHING
    RETURNING * INTO e;
  IF NOT FOUND THEN
    outcome := 'stale';
    RETURN;
  END IF;
  INSERT INTO "operations" ("id", "kind", "resource_id_key", "resource_id", "extension_id", "cluster_id", "status", "api_version", "correlation_id", "properties")
    VALUES (p_operation_id, 'extension.install', e."id_key", e."resource_id", e."id", e."cluster_id", 'InProgress', p_api_version, p_correlation_id, '{}'::jsonb)
    RETURNING * INTO o;
  INSERT INTO "operation_outbox" ("operation_id", "kind") VALUES (o."id", o."kind");
  outcome := 'written';
  extension := to_jsonb(e);
  operation := to_jsonb(o);
END
$$;

-- A change only waits for a cluster delete being accepted (FOR KEY SHARE); the extension row's etag and free
-- operation slot guard it against other changes (docs/arm-rules.md rule 48).
CREATE FUNCTION "arcext_accept_extension_change"(
  p_cluster_id UUID, p_cluster_etag TEXT, p_types TEXT[], p_name_key TEXT,
  p_id UUID, p_current_etag TEXT, p_etag TEXT, p_spec JSONB, p_replace_secrets BOOLEAN, p_sealed TEXT,
  p_modified_by TEXT, p_modified_by_type TEXT,
  p_operation_id UUID, p_kind TEXT, p_api_version TEXT, p_correlation_id TEXT, p_properties JSONB,
  OUT outcome TEXT, OUT extension JSONB, OUT operation JSONB, OUT blocking JSONB
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  e "extensions"%ROWTYPE;
  o "operations"%ROWTYPE;
BEGIN
  PERFORM 1 FROM "clusters" WHERE "id" = p_cluster_id AND (p_cluster_etag IS NULL OR "etag" = p_cluster_etag) AND "provisioning_state" <> 'Deleting' FOR KEY SHARE;
  IF NOT FOUND THEN
    outcome := 'stale';
    RETURN;
  END IF;
  IF cardinality(p_types) > 0 THEN
    -- A query of its own (not an expression), so it runs with a snapshot taken after the lock was granted.
    SELECT jsonb_agg(jsonb_build_object('name', x."name", 'extensionType', x."extension_type")) INTO blocking
      FROM "extensions" x
      WHERE x."cluster_id" = p_cluster_id AND lower(btrim(x."extension_type")) = ANY(p_types) AND x."name_key" <> p_name_key;
    IF blocking IS NOT NULL THEN
      outcome := 'blocked';
      RETURN;
    END IF;
  END IF;
  UPDATE "extensions" SET
      "provisioning_state" = 'Updating',
      "active_operation_id" = p_operation_id,
      "etag" = p_etag,
      "spec" = coalesce(p_spec, "spec"),
      "protected_settings_sealed" = CASE WHEN p_replace_secrets THEN p_sealed ELSE "protected_settings_sealed" END,
      "last_modified_by" = coalesce(p_modified_by, "last_modified_by"),
      "last_modified_by_type" = coalesce(p_modified_by_type, "last_modified_by_type"),
      "last_modified_at" = CASE WHEN p_modified_by IS NOT NULL THEN now() ELSE "last_modified_at" END,
      "error_info" = NULL
    WHERE "id" = p_id AND "etag" = p_current_etag AND "active_operation_id" IS NULL
    RETURNING * INTO e;
  IF NOT FOUND THEN
    outcome := 'stale';
    RETURN;
  END IF;
  INSERT INTO "operations" ("id", "kind", "resource_id_key", "resource_id", "extension_id", "cluster_id", "status", "api_version", "correlation_id", "properties")
    VALUES (p_operation_id, p_kind, e."id_key", e."resource_id", e."id", e."cluster_id", 'InProgress', p_api_version, p_correlation_id, p_properties)
    RETURNING * INTO o;
  INSERT INTO "operation_outbox" ("operation_id", "kind") VALUES (o."id", o."kind");
  outcome := 'written';
  extension := to_jsonb(e);
  operation := to_jsonb(o);
END
$$;
