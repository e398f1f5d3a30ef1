-- Sharing customer PI with a third party (P6.1): the request (recipient, purpose, fields,
-- customers, de-identification spec, legal basis, impact assessment), its review steps, and each
-- execution with what was shared. Kept at least 3 years.

CREATE TABLE share_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requester_id uuid NOT NULL REFERENCES users(id),
  requester_name text NOT NULL,
  department_id uuid NOT NULL REFERENCES departments(id),
  recipient_id uuid NOT NULL REFERENCES recipients(id),
  purpose_code text NOT NULL,
  fields text[] NOT NULL,
  customer_scope jsonb NOT NULL,
  method text NOT NULL CHECK (method IN ('file', 'api')),
  spec jsonb NOT NULL,
  levels jsonb NOT NULL DEFAULT '{}',
  format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  -- PIPL Art. 23: each customer's separate consent to this recipient, or another basis (cited).
  legal_basis text NOT NULL CHECK (legal_basis IN ('separate_consent', 'contract', 'legal_obligation', 'other')),
  legal_basis_note text,
  impact_assessment_id uuid REFERENCES impact_assessments(id),
  justification text NOT NULL,
  sensitive boolean NOT NULL,
  chain text[] NOT NULL,
  step integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('in_review', 'returned', 'approved', 'rejected', 'executed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years',
  CONSTRAINT share_requests_basis_cited CHECK (legal_basis = 'separate_consent' OR legal_basis_note IS NOT NULL)
);
CREATE INDEX share_requests_status_idx ON share_requests (status, created_at);
CREATE INDEX share_requests_recipient_idx ON share_requests (recipient_id);

CREATE TABLE share_reviews (
  id bigserial PRIMARY KEY,
  share_request_id uuid NOT NULL REFERENCES share_requests(id),
  step integer NOT NULL,
  step_role text NOT NULL,
  reviewer_id uuid NOT NULL REFERENCES users(id),
  reviewer_name text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'return')),
  comment text,
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX share_reviews_request_idx ON share_reviews (share_request_id, id);
CREATE TRIGGER share_reviews_append_only BEFORE UPDATE OR DELETE ON share_reviews FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- One execution per approved request: what went out, to whom, under which basis, and the file.
CREATE TABLE share_executions (
  id uuid PRIMARY KEY,
  share_request_id uuid NOT NULL UNIQUE REFERENCES share_requests(id),
  recipient_id uuid NOT NULL REFERENCES recipients(id),
  executed_by_id uuid REFERENCES users(id),
  executed_by text NOT NULL,
  in_scope_count integer NOT NULL,
  included_count integer NOT NULL,
  excluded_count integer NOT NULL,
  suppressed_count integer NOT NULL,
  row_count integer NOT NULL,
  k integer,
  l integer,
  customer_ids_hash text NOT NULL,
  file_sha256 text NOT NULL,
  file_bytes bigint NOT NULL,
  link_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  downloaded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years'
);
