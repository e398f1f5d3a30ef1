-- Third parties that may receive customer PI (P6.1, P6.3): the recipients register, capability
-- assessments with their evidence, commitment records, supervision findings and termination
-- records; and impact assessments (a first step toward full PIAs), which sharing, transfers,
-- disclosures and cross-border recipients need before approval.

CREATE TABLE recipients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 300),
  -- Unified social credit code (GB 32100), normalised; one register entry per legal entity.
  uscc text NOT NULL UNIQUE CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  -- The recipient's contact person: staff contact data of a company, not customer PI.
  contact_name text NOT NULL,
  contact_email text,
  contact_phone text,
  -- ISO 3166-1 alpha-2 country or region of the recipient, with a free-text locality.
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  region text NOT NULL,
  -- Customer PI leaves mainland China (PIPL ch. III); anything outside CN is cross-border.
  cross_border boolean NOT NULL,
  data_categories text[] NOT NULL,
  purpose text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'suspended', 'terminated')),
  reassessment_interval_days integer NOT NULL CHECK (reassessment_interval_days BETWEEN 30 AND 1095),
  -- Set by each capability assessment; an approved recipient past it receives nothing.
  reassessment_due_at timestamptz,
  -- The due date the owner was last reminded of: one reminder per due date.
  reminded_for timestamptz,
  creator_user_id uuid REFERENCES users(id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  approved_by text,
  approved_at timestamptz,
  suspended_at timestamptz,
  suspension_reason text,
  terminated_at timestamptz,
  CONSTRAINT recipients_contact CHECK (contact_email IS NOT NULL OR contact_phone IS NOT NULL),
  CONSTRAINT recipients_cross_border CHECK (country = 'CN' OR cross_border),
  CONSTRAINT recipients_suspended CHECK (status <> 'suspended' OR (suspended_at IS NOT NULL AND suspension_reason IS NOT NULL)),
  CONSTRAINT recipients_terminated CHECK ((status = 'terminated') = (terminated_at IS NOT NULL))
);
CREATE INDEX recipients_due_idx ON recipients (reassessment_due_at) WHERE status IN ('approved', 'suspended');

-- Capability assessments are evidence: append-only.
CREATE TABLE recipient_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recipient_id uuid NOT NULL REFERENCES recipients(id),
  kind text NOT NULL CHECK (kind IN ('initial', 'periodic', 'reinstatement')),
  template_id text NOT NULL,
  template_version integer NOT NULL,
  answers jsonb NOT NULL,
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  pass_threshold integer NOT NULL CHECK (pass_threshold BETWEEN 0 AND 100),
  passed boolean NOT NULL,
  -- Questions whose answer fails the assessment whatever the score.
  knockouts text[] NOT NULL DEFAULT '{}',
  reviewer_user_id uuid REFERENCES users(id),
  reviewed_by text NOT NULL,
  comment text,
  assessed_at timestamptz NOT NULL DEFAULT now(),
  next_due_at timestamptz NOT NULL
);
CREATE INDEX recipient_assessments_recipient_idx ON recipient_assessments (recipient_id, assessed_at);
CREATE TRIGGER recipient_assessments_append_only BEFORE UPDATE OR DELETE ON recipient_assessments
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- Evidence files by hash (the files stay with the enterprise's document store).
CREATE TABLE recipient_assessment_evidence (
  id bigserial PRIMARY KEY,
  assessment_id uuid NOT NULL REFERENCES recipient_assessments(id),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  filename text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  UNIQUE (assessment_id, sha256)
);
CREATE TRIGGER recipient_assessment_evidence_append_only BEFORE UPDATE OR DELETE ON recipient_assessment_evidence
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- Commitment records (the signed agreement and the commitment to this policy): append-only.
CREATE TABLE recipient_commitments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recipient_id uuid NOT NULL REFERENCES recipients(id),
  agreement_sha256 text NOT NULL CHECK (agreement_sha256 ~ '^[0-9a-f]{64}$'),
  agreement_filename text,
  committed_to_policy boolean NOT NULL,
  policy_version text NOT NULL,
  effective_from timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT recipient_commitments_period CHECK (expires_at > effective_from)
);
CREATE INDEX recipient_commitments_recipient_idx ON recipient_commitments (recipient_id, expires_at);
CREATE TRIGGER recipient_commitments_append_only BEFORE UPDATE OR DELETE ON recipient_commitments
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- Supervision findings and their remediation.
CREATE TABLE recipient_findings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recipient_id uuid NOT NULL REFERENCES recipients(id),
  assessment_id uuid REFERENCES recipient_assessments(id),
  title text NOT NULL,
  description text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  owner_user_id uuid NOT NULL REFERENCES users(id),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'remediating', 'closed')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  CONSTRAINT recipient_findings_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX recipient_findings_recipient_idx ON recipient_findings (recipient_id, status);

-- Every change of a finding, with its remediation note: append-only.
CREATE TABLE recipient_finding_updates (
  id bigserial PRIMARY KEY,
  finding_id uuid NOT NULL REFERENCES recipient_findings(id),
  status text NOT NULL CHECK (status IN ('open', 'remediating', 'closed')),
  note text NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipient_finding_updates_finding_idx ON recipient_finding_updates (finding_id, id);
CREATE TRIGGER recipient_finding_updates_append_only BEFORE UPDATE OR DELETE ON recipient_finding_updates
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- The end of a relationship: the recipient deleted or returned the data, with evidence.
CREATE TABLE recipient_terminations (
  recipient_id uuid PRIMARY KEY REFERENCES recipients(id),
  reason text NOT NULL,
  data_disposition text NOT NULL CHECK (data_disposition IN ('deleted', 'returned')),
  evidence_sha256 text NOT NULL CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
  confirmed_at timestamptz NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER recipient_terminations_append_only BEFORE UPDATE OR DELETE ON recipient_terminations
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- Impact assessments: drafted, then completed (approved) by someone other than the author.
CREATE TABLE impact_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subject_kind text NOT NULL CHECK (subject_kind IN ('share', 'transfer', 'disclosure', 'recipient')),
  -- What is assessed: a recipient's id, or a reference to the share, transfer or disclosure.
  subject_ref text,
  title text NOT NULL,
  template_id text NOT NULL,
  template_version integer NOT NULL,
  answers jsonb NOT NULL,
  -- The lowest risk level the answers allow, and the level the author declared (never lower).
  computed_risk_level text NOT NULL CHECK (computed_risk_level IN ('low', 'medium', 'high')),
  risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
  author_user_id uuid REFERENCES users(id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  approver_user_id uuid REFERENCES users(id),
  completed_by text,
  completed_at timestamptz,
  approval_comment text,
  -- PIA reports are kept at least 3 years (PIPL Art. 56).
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years',
  CONSTRAINT impact_assessments_completed CHECK ((status = 'completed') = (completed_at IS NOT NULL AND completed_by IS NOT NULL)),
  CONSTRAINT impact_assessments_recipient_ref CHECK (subject_kind <> 'recipient' OR subject_ref IS NOT NULL)
);
CREATE INDEX impact_assessments_subject_idx ON impact_assessments (subject_kind, subject_ref, status);

-- A completed assessment is a record: it never changes, and none is ever deleted.
CREATE FUNCTION impact_assessments_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status = 'completed' THEN
    RAISE EXCEPTION 'impact assessment %: % refused', OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER impact_assessments_immutable BEFORE UPDATE OR DELETE ON impact_assessments
  FOR EACH ROW EXECUTE FUNCTION impact_assessments_guard();
