-- Purposes, notices, collection channels, the consent ledger and its current-state projection,
-- idempotency keys, the notifier outbox and the customer portal (P2.1, P2.2, P3.1-P3.4).

-- Customers (through the widget's channel and the portal) act too; their events are audited.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_type_check CHECK (actor_type IN ('user', 'system', 'channel', 'customer'));

-- P3.1, P2.1, P3.2: the written purpose of a collection. A purpose (code) has versions; only one
-- version is active at a time and only an active version accepts collection.
CREATE TABLE purposes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,63}$'),
  version integer NOT NULL CHECK (version > 0),
  status text NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'active', 'retired')),
  name jsonb NOT NULL,
  description jsonb NOT NULL,
  business_line text NOT NULL,
  owner_department_id uuid NOT NULL REFERENCES departments(id),
  legal_basis text NOT NULL CHECK (legal_basis IN ('consent', 'contract', 'hr_management', 'legal_duty', 'public_health', 'news_reporting', 'public_information', 'other_law')),
  fields text[] NOT NULL,
  necessity jsonb NOT NULL,
  scenarios jsonb NOT NULL,
  retention_days integer NOT NULL CHECK (retention_days > 0),
  retention_trigger text NOT NULL CHECK (retention_trigger IN ('collection', 'relationship_end', 'last_activity', 'consent_withdrawal')),
  -- Consents given to versions older than this do not count for this version (its purpose changed).
  consent_baseline integer NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  submitted_by text,
  submitted_at timestamptz,
  approved_by text,
  approved_at timestamptz,
  review_comment text,
  activated_at timestamptz,
  retired_at timestamptz,
  UNIQUE (code, version)
);
CREATE UNIQUE INDEX purposes_one_active ON purposes (code) WHERE status = 'active';
CREATE UNIQUE INDEX purposes_one_open ON purposes (code) WHERE status IN ('draft', 'submitted', 'approved');

-- P2.2, P3.4: versioned privacy notices. A published notice is immutable and carries the hash of
-- its canonical content; consents record which hash was shown.
CREATE TABLE notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose_id uuid NOT NULL REFERENCES purposes(id),
  purpose_code text NOT NULL,
  version integer NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
  content jsonb NOT NULL,
  content_hash text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_by text,
  published_at timestamptz,
  UNIQUE (purpose_code, version),
  CONSTRAINT notices_published_hashed CHECK ((status = 'draft') = (content_hash IS NULL))
);
CREATE UNIQUE INDEX notices_one_published ON notices (purpose_id) WHERE status = 'published';

CREATE FUNCTION notices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'a published notice cannot be deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
  END IF;
  -- A published notice changes only from published to superseded; nothing else about it changes.
  IF OLD.status <> 'draft' AND (NEW.content IS DISTINCT FROM OLD.content OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
      OR NEW.purpose_id IS DISTINCT FROM OLD.purpose_id OR NEW.version IS DISTINCT FROM OLD.version
      OR NEW.published_at IS DISTINCT FROM OLD.published_at OR NEW.status = 'draft') THEN
    RAISE EXCEPTION 'a published notice is immutable' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER notices_immutable BEFORE UPDATE OR DELETE ON notices FOR EACH ROW EXECUTE FUNCTION notices_guard();

-- P3.3: registered collection channels. Web channels get a publishable key for the widget.
CREATE TABLE channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,63}$'),
  name jsonb NOT NULL,
  type text NOT NULL CHECK (type IN ('web_form', 'online_registration', 'contract_signing', 'in_branch', 'phone', 'bulk_import')),
  owner_department_id uuid NOT NULL REFERENCES departments(id),
  allowed_origins text[] NOT NULL DEFAULT '{}',
  public_key text UNIQUE,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- P3.4: the consent ledger, append-only. A grant or a withdrawal per row; a separate consent
-- (sensitive category, sharing, disclosure, cross-border) is a row of its own.
CREATE TABLE consent_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigserial NOT NULL UNIQUE,
  customer_id uuid NOT NULL REFERENCES customers(id),
  kind text NOT NULL CHECK (kind IN ('grant', 'withdrawal')),
  purpose_id uuid NOT NULL REFERENCES purposes(id),
  purpose_code text NOT NULL,
  purpose_version integer NOT NULL,
  notice_id uuid REFERENCES notices(id),
  notice_hash text,
  scope text[] NOT NULL,
  separate_type text CHECK (separate_type IN ('sensitive', 'sharing', 'disclosure', 'cross_border')),
  separate_target text,
  method text NOT NULL CHECK (method IN ('checkbox', 'click', 'e_signature', 'paper_signature', 'recorded_call', 'portal', 'import')),
  channel_id uuid REFERENCES channels(id),
  -- Hashes only: the form snapshot or signed document, and keyed hashes of IP and user agent.
  evidence jsonb NOT NULL DEFAULT '{}',
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  -- Kept at least 3 years after it stops applying (P3.4); retention sets this, never earlier.
  keep_until timestamptz,
  CONSTRAINT consent_grant_has_notice CHECK (kind = 'withdrawal' OR method = 'import' OR notice_hash IS NOT NULL)
);
CREATE INDEX consent_records_customer_idx ON consent_records (customer_id, seq);
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- The current state per customer, purpose and category: a projection of the ledger, written in
-- the same transaction as each ledger row. `separate` is true when a separate consent covers it.
CREATE TABLE consent_state (
  customer_id uuid NOT NULL REFERENCES customers(id),
  purpose_code text NOT NULL,
  category text NOT NULL,
  status text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
  separate boolean NOT NULL,
  purpose_version integer NOT NULL,
  consent_id uuid NOT NULL REFERENCES consent_records(id),
  given_at timestamptz NOT NULL,
  withdrawn_at timestamptz,
  expires_at timestamptz,
  PRIMARY KEY (customer_id, purpose_code, category)
);
CREATE INDEX consent_state_purpose_idx ON consent_state (purpose_code, status);

-- Retries with the same key return the first response instead of repeating the work.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Bulk imports (P3.3): the declared lawful source and the counts; rejected rows by index and reason only.
CREATE TABLE collection_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel_id uuid NOT NULL REFERENCES channels(id),
  purpose_id uuid NOT NULL REFERENCES purposes(id),
  lawful_source jsonb NOT NULL,
  total integer NOT NULL,
  accepted integer NOT NULL,
  rejected integer NOT NULL,
  rejected_rows jsonb NOT NULL,
  imported_by text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- The notifier's outbox, written in the same transaction as the event it announces and
-- delivered at least once. Recipients are references (a customer's field, a user), never plain PI.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  transport text NOT NULL CHECK (transport IN ('email', 'sms', 'webhook', 'log')),
  recipient jsonb NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';

-- The customer portal: one-time codes (hashed) and customer sessions (hashed tokens).
CREATE TABLE portal_challenges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid REFERENCES customers(id),
  code_hash text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE portal_sessions (
  token_hash text PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);

-- P5.1 now names registered purposes: department_use_purposes.purpose holds a purpose code.
