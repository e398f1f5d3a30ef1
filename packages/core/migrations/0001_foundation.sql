-- Foundation: staff register (P1.2), sessions and API tokens, PI catalogue (P1.2), audit log (P2.3).

CREATE TABLE departments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  parent_id uuid REFERENCES departments(id),
  head_user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT departments_name_not_blank CHECK (length(btrim(name)) > 0)
);
CREATE UNIQUE INDEX departments_sibling_name_key ON departments (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL,
  display_name text NOT NULL,
  email text,
  department_id uuid REFERENCES departments(id),
  roles text[] NOT NULL DEFAULT '{}'::text[],
  password_hash text,
  oidc_subject text UNIQUE,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
ALTER TABLE departments ADD CONSTRAINT departments_head_user_fk FOREIGN KEY (head_user_id) REFERENCES users(id);

-- Failed-login throttling is keyed by an HMAC-free hash of the lower-cased username, whether or
-- not such a user exists, so slow-down and lock-out do not reveal which usernames are real.
CREATE TABLE login_throttle (
  username_key text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  last_failed_at timestamptz,
  locked_until timestamptz
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  auth_method text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  name text NOT NULL,
  token_hash text NOT NULL,
  prefix text NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE data_categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,63}$'),
  name_zh text NOT NULL,
  name_en text NOT NULL,
  description text,
  pi_type text NOT NULL,
  sensitivity text NOT NULL CHECK (sensitivity IN ('general', 'sensitive')),
  built_in boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX data_categories_code_key ON data_categories (code);

CREATE TABLE data_category_versions (
  category_id uuid NOT NULL REFERENCES data_categories(id),
  version integer NOT NULL,
  snapshot jsonb NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (category_id, version)
);

CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  seq bigint,
  occurred_at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'system')),
  actor_id uuid,
  actor_name text NOT NULL,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  resource_type text,
  resource_id text,
  clauses text[] NOT NULL,
  purpose_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  details jsonb NOT NULL,
  request_id text,
  prev_hash text,
  hash text,
  CONSTRAINT audit_events_chained_together CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL))
);
CREATE UNIQUE INDEX audit_events_seq_key ON audit_events (seq);
-- The chainer's work queue: only events still waiting for their place in the chain.
CREATE INDEX audit_events_pending_idx ON audit_events (id) WHERE seq IS NULL;
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
CREATE INDEX audit_events_action_idx ON audit_events (action, id);

-- Append-only (P2.3): no DELETE, no TRUNCATE, and UPDATE only to chain a not-yet-chained row once,
-- changing nothing but seq, prev_hash and hash.
CREATE FUNCTION audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND NEW.id = OLD.id
       AND NEW.occurred_at IS NOT DISTINCT FROM OLD.occurred_at
       AND NEW.actor_type IS NOT DISTINCT FROM OLD.actor_type
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
       AND NEW.action IS NOT DISTINCT FROM OLD.action
       AND NEW.resource_type IS NOT DISTINCT FROM OLD.resource_type
       AND NEW.resource_id IS NOT DISTINCT FROM OLD.resource_id
       AND NEW.clauses IS NOT DISTINCT FROM OLD.clauses
       AND NEW.purpose_id IS NOT DISTINCT FROM OLD.purpose_id
       AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome
       AND NEW.details IS NOT DISTINCT FROM OLD.details
       AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_guard();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_guard();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_guard();

-- Catalogue history is append-only too.
CREATE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER data_category_versions_append_only BEFORE UPDATE OR DELETE ON data_category_versions FOR EACH ROW EXECUTE FUNCTION append_only_guard();
