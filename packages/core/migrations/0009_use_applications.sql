-- Approved internal use (P5.2): use applications, their review steps, delegations of review,
-- and the grants approval creates, with every access made under a grant.

CREATE TABLE use_applications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  applicant_id uuid NOT NULL REFERENCES users(id),
  applicant_name text NOT NULL,
  department_id uuid NOT NULL REFERENCES departments(id),
  purpose_code text NOT NULL,
  scenario text NOT NULL,
  fields text[] NOT NULL,
  customer_scope jsonb NOT NULL,
  method text NOT NULL CHECK (method IN ('view', 'api', 'export')),
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  justification text NOT NULL,
  sensitive boolean NOT NULL,
  -- The roles that review it, in order (the default chain, or the purpose's).
  chain text[] NOT NULL,
  step integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('draft', 'in_review', 'returned', 'approved', 'rejected', 'withdrawn')),
  created_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  decided_at timestamptz,
  -- Applications and their reviews are kept at least 3 years (P5.2).
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years',
  CONSTRAINT use_applications_period CHECK (valid_until > valid_from)
);
CREATE INDEX use_applications_status_idx ON use_applications (status, created_at);

CREATE TABLE use_application_reviews (
  id bigserial PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES use_applications(id),
  step integer NOT NULL,
  step_role text NOT NULL,
  reviewer_id uuid NOT NULL REFERENCES users(id),
  reviewer_name text NOT NULL,
  -- Set when the reviewer acted for someone who delegated the review to them.
  on_behalf_of uuid REFERENCES users(id),
  decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'return')),
  comment text,
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX use_application_reviews_app_idx ON use_application_reviews (application_id, id);
CREATE TRIGGER use_application_reviews_append_only BEFORE UPDATE OR DELETE ON use_application_reviews FOR EACH ROW EXECUTE FUNCTION append_only_guard();

CREATE TABLE approval_delegations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  delegator_id uuid NOT NULL REFERENCES users(id),
  delegate_id uuid NOT NULL REFERENCES users(id),
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT approval_delegations_not_self CHECK (delegator_id <> delegate_id)
);

CREATE TABLE grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  application_id uuid NOT NULL UNIQUE REFERENCES use_applications(id),
  department_id uuid NOT NULL REFERENCES departments(id),
  holder_id uuid NOT NULL REFERENCES users(id),
  purpose_code text NOT NULL,
  fields text[] NOT NULL,
  customer_scope jsonb NOT NULL,
  method text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grants_department_idx ON grants (department_id, purpose_code) WHERE status = 'active';

-- Every access made under a grant (P5.2).
CREATE TABLE grant_accesses (
  id bigserial PRIMARY KEY,
  grant_id uuid NOT NULL REFERENCES grants(id),
  actor_id uuid,
  actor_name text NOT NULL,
  customer_id uuid,
  fields text[] NOT NULL,
  operation text NOT NULL,
  accessed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grant_accesses_grant_idx ON grant_accesses (grant_id, id);
CREATE TRIGGER grant_accesses_append_only BEFORE UPDATE OR DELETE ON grant_accesses FOR EACH ROW EXECUTE FUNCTION append_only_guard();
