-- P4.2 retention: rules (per purpose and/or data category: duration, what starts the clock, delete
-- or anonymise), the end of a customer relationship (one of the clock's triggers), legal holds,
-- sweep runs (resumable, one at a time), one destruction record per customer and run, and the
-- statistics rows that anonymisation keeps.

-- A rule for a purpose (all its fields), a category (under any purpose, and for fields no purpose
-- of the customer names), or a purpose and one category. The most specific active rule wins; a
-- purpose's own retention (purposes.retention_days/trigger, action delete) applies where no rule does.
CREATE TABLE retention_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose_code text,
  category_code text REFERENCES data_categories(code),
  retention_days integer NOT NULL CHECK (retention_days BETWEEN 1 AND 36500),
  retention_trigger text NOT NULL CHECK (retention_trigger IN ('collection', 'relationship_end', 'last_activity', 'consent_withdrawal')),
  action text NOT NULL CHECK (action IN ('delete', 'anonymise')),
  description text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_by text,
  retired_at timestamptz,
  CONSTRAINT retention_rules_target CHECK (purpose_code IS NOT NULL OR category_code IS NOT NULL)
);
CREATE UNIQUE INDEX retention_rules_one_active ON retention_rules (coalesce(purpose_code, ''), coalesce(category_code, '')) WHERE status = 'active';

-- The end of the customer relationship (trigger 'relationship_end'). A later consent restarts the clock.
CREATE TABLE customer_relationships (
  customer_id uuid PRIMARY KEY REFERENCES customers(id),
  ended_at timestamptz NOT NULL,
  reason text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Legal holds stop the retention clock: on one customer, one rule, or one purpose's own retention.
-- While a hold is active nothing it covers is destroyed; a released hold extends the clock by the
-- time it was in force.
CREATE TABLE legal_holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid REFERENCES customers(id),
  rule_id uuid REFERENCES retention_rules(id),
  purpose_code text,
  reason text NOT NULL,
  legal_basis text NOT NULL,
  placed_by text NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now(),
  released_by text,
  released_at timestamptz,
  release_reason text,
  CONSTRAINT legal_holds_one_target CHECK (num_nonnulls(customer_id, rule_id, purpose_code) = 1),
  CONSTRAINT legal_holds_released_together CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE INDEX legal_holds_customer_idx ON legal_holds (customer_id) WHERE customer_id IS NOT NULL;

-- Sweep runs. At most one is running (a crashed one is resumed by the next sweep, from its cursor,
-- against the same as_of); a scheduled tick runs at most once.
CREATE TABLE retention_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule')),
  scheduled_for timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  as_of timestamptz NOT NULL,
  batch_size integer NOT NULL,
  cursor uuid,
  batches integer NOT NULL DEFAULT 0,
  scanned integer NOT NULL DEFAULT 0,
  deleted integer NOT NULL DEFAULT 0,
  anonymised integer NOT NULL DEFAULT 0,
  fields_removed integer NOT NULL DEFAULT 0,
  customers_with_fields_removed integer NOT NULL DEFAULT 0,
  held integer NOT NULL DEFAULT 0,
  resumes integer NOT NULL DEFAULT 0,
  started_by text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  duration_ms integer,
  error text
);
CREATE UNIQUE INDEX retention_runs_one_running ON retention_runs ((status)) WHERE status = 'running';
CREATE UNIQUE INDEX retention_runs_one_per_tick ON retention_runs (scheduled_for) WHERE scheduled_for IS NOT NULL;
CREATE INDEX retention_runs_started_idx ON retention_runs (started_at DESC);

-- One record per customer and run: what was destroyed, when, under which rules, how. Kept at least
-- 3 years (keep_until); append-only. Consent records and audit events are never touched by the sweep.
CREATE TABLE retention_destructions (
  id bigserial PRIMARY KEY,
  -- No foreign keys: a record stands on its own (and a per-row key check costs the sweep a third of its time).
  run_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  action text NOT NULL CHECK (action IN ('delete', 'anonymise', 'remove_fields')),
  method text NOT NULL CHECK (method IN ('crypto_shred', 'crypto_shred_with_statistics', 'field_removal')),
  fields text[] NOT NULL,
  history_entries integer NOT NULL,
  rules text[] NOT NULL,
  expired_at timestamptz NOT NULL,
  destroyed_at timestamptz NOT NULL,
  keep_until timestamptz NOT NULL,
  UNIQUE (run_id, customer_id)
);
CREATE INDEX retention_destructions_customer_idx ON retention_destructions (customer_id);
CREATE TRIGGER retention_destructions_append_only BEFORE UPDATE OR DELETE ON retention_destructions FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- Anonymisation keeps generalised statistics only: no customer id, no run id, the day only, random
-- ids, so a row cannot be linked back to a destruction record.
CREATE TABLE retention_statistics (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purposes text[] NOT NULL,
  birth_year_band integer,
  province_code text,
  gender text CHECK (gender IN ('male', 'female')),
  collected_year integer,
  anonymised_on date NOT NULL
);
