-- The customer PI vault (P2.3, P4.1, P2.4, P5.1): customers, their per-customer data keys
-- wrapped by a key-encryption key, field ciphertexts with blind indexes, correction history,
-- system keys (blind index) and key re-wrap jobs.

CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  deleted_at timestamptz,
  deleted_by text
);

-- One data key per customer. Crypto-shredding sets wrapped_key (and kek_version) to NULL: every
-- ciphertext of the customer, wherever a copy went, becomes unreadable.
CREATE TABLE customer_keys (
  customer_id uuid PRIMARY KEY REFERENCES customers(id),
  data_key_version integer NOT NULL DEFAULT 1,
  suite text NOT NULL,
  kek_version integer,
  wrapped_key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz,
  destroyed_at timestamptz,
  CONSTRAINT customer_keys_destroyed_together CHECK ((wrapped_key IS NULL) = (kek_version IS NULL) AND (wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
CREATE INDEX customer_keys_kek_idx ON customer_keys (kek_version, customer_id) WHERE wrapped_key IS NOT NULL;

CREATE TABLE customer_fields (
  customer_id uuid NOT NULL REFERENCES customers(id),
  category_code text NOT NULL REFERENCES data_categories(code),
  pi_type text NOT NULL,
  ciphertext bytea NOT NULL,
  data_key_version integer NOT NULL,
  -- Truncated keyed HMAC of the normalised value, for exact lookup without plaintext.
  blind_index text,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  PRIMARY KEY (customer_id, category_code)
);
CREATE INDEX customer_fields_blind_idx ON customer_fields (pi_type, blind_index) WHERE blind_index IS NOT NULL;

-- P2.4: corrections keep the previous value, still encrypted under the customer's data key.
CREATE TABLE customer_field_history (
  id bigserial PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id),
  category_code text NOT NULL,
  version integer NOT NULL,
  ciphertext bytea NOT NULL,
  data_key_version integer NOT NULL,
  changed_at timestamptz NOT NULL,
  changed_by text NOT NULL,
  reason text
);
CREATE INDEX customer_field_history_idx ON customer_field_history (customer_id, category_code, version);

-- Keys the vault itself needs (the blind-index key), wrapped by a KEK like data keys.
CREATE TABLE vault_system_keys (
  name text PRIMARY KEY,
  kek_version integer NOT NULL,
  wrapped_key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz
);

CREATE TABLE key_rewrap_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  to_version integer NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  total integer NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  started_by text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  error text
);

-- P5.1: the use purposes each department may reveal customer PI for.
CREATE TABLE department_use_purposes (
  department_id uuid NOT NULL REFERENCES departments(id),
  purpose text NOT NULL,
  assigned_by text NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (department_id, purpose)
);
