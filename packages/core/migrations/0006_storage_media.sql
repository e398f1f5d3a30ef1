-- P4.3: storage media holding customer PI. The register (what, where, who, encryption, what it
-- holds), periodic inspections with reminders, and the disposal workflow: request, four-eyes
-- approval, destruction by a NIST SP 800-88 method with a witness, and its certificate.

-- Named data sets (a vault's primary store, a monthly backup, an archive box) that media hold.
-- A data set still retained may not lose its last copy.
CREATE TABLE storage_data_sets (
  label text PRIMARY KEY CHECK (label ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  description text,
  retained boolean NOT NULL DEFAULT true,
  retain_until timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE storage_media (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  identifier text NOT NULL UNIQUE CHECK (length(identifier) BETWEEN 1 AND 200),
  label text NOT NULL,
  type text NOT NULL CHECK (type IN ('server_disk', 'database_volume', 'cloud_bucket', 'backup_tape', 'removable_drive', 'paper_archive')),
  location text NOT NULL,
  custodian_user_id uuid NOT NULL REFERENCES users(id),
  encrypted boolean NOT NULL,
  encryption_method text,
  data_categories text[] NOT NULL DEFAULT '{}',
  backup_of_medium_id uuid REFERENCES storage_media(id),
  inspection_interval_days integer NOT NULL CHECK (inspection_interval_days BETWEEN 1 AND 730),
  last_inspected_at timestamptz,
  next_inspection_due_at timestamptz NOT NULL,
  -- The due date the custodian was last reminded of: one reminder per due date.
  reminded_for timestamptz,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disposal_requested', 'disposal_approved', 'destroyed')),
  destroyed_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT storage_media_not_own_backup CHECK (backup_of_medium_id IS NULL OR backup_of_medium_id <> id),
  CONSTRAINT storage_media_destroyed_at CHECK ((status = 'destroyed') = (destroyed_at IS NOT NULL))
);
CREATE INDEX storage_media_due_idx ON storage_media (next_inspection_due_at) WHERE status <> 'destroyed';

CREATE TABLE storage_medium_holdings (
  medium_id uuid NOT NULL REFERENCES storage_media(id),
  data_set text NOT NULL REFERENCES storage_data_sets(label),
  PRIMARY KEY (medium_id, data_set)
);
CREATE INDEX storage_medium_holdings_set_idx ON storage_medium_holdings (data_set);

-- Inspection records are evidence: append-only.
CREATE TABLE storage_medium_inspections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  medium_id uuid NOT NULL REFERENCES storage_media(id),
  inspected_at timestamptz NOT NULL,
  inspected_by text NOT NULL,
  inspector_user_id uuid REFERENCES users(id),
  checklist jsonb NOT NULL,
  result text NOT NULL CHECK (result IN ('passed', 'passed_with_findings', 'failed')),
  findings text,
  -- The due date this inspection answered, and the next one it set.
  due_at timestamptz NOT NULL,
  next_due_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT storage_medium_inspections_findings CHECK (result = 'passed' OR findings IS NOT NULL)
);
CREATE INDEX storage_medium_inspections_medium_idx ON storage_medium_inspections (medium_id, inspected_at);
CREATE TRIGGER storage_medium_inspections_append_only BEFORE UPDATE OR DELETE ON storage_medium_inspections
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- One disposal per request; a medium has at most one open or completed disposal.
CREATE TABLE storage_medium_disposals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  medium_id uuid NOT NULL REFERENCES storage_media(id),
  status text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'completed')),
  reason text NOT NULL,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  decided_by text,
  decided_at timestamptz,
  decision_comment text,
  method text CHECK (method IN ('clear', 'purge', 'destroy', 'crypto_erase')),
  nist_level text CHECK (nist_level IN ('clear', 'purge', 'destroy')),
  performed_by_user_id uuid REFERENCES users(id),
  witness_user_id uuid REFERENCES users(id),
  destroyed_at timestamptz,
  evidence_sha256 text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
  certificate_no text UNIQUE,
  certificate_hash text,
  recorded_by text,
  recorded_at timestamptz,
  CONSTRAINT storage_medium_disposals_certificate CHECK ((status = 'completed') = (certificate_no IS NOT NULL)),
  CONSTRAINT storage_medium_disposals_completed CHECK (
    status <> 'completed' OR (method IS NOT NULL AND nist_level IS NOT NULL AND performed_by_user_id IS NOT NULL
      AND witness_user_id IS NOT NULL AND destroyed_at IS NOT NULL AND evidence_sha256 IS NOT NULL AND certificate_hash IS NOT NULL)),
  CONSTRAINT storage_medium_disposals_witness CHECK (witness_user_id IS NULL OR witness_user_id <> performed_by_user_id)
);
CREATE UNIQUE INDEX storage_medium_disposals_one_open ON storage_medium_disposals (medium_id) WHERE status <> 'rejected';

-- A completed disposal is the certificate: it never changes, and no disposal is ever deleted.
CREATE FUNCTION storage_medium_disposals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status IN ('completed', 'rejected') THEN
    RAISE EXCEPTION 'a % disposal record is immutable', OLD.status USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER storage_medium_disposals_immutable BEFORE UPDATE OR DELETE ON storage_medium_disposals
  FOR EACH ROW EXECUTE FUNCTION storage_medium_disposals_guard();
