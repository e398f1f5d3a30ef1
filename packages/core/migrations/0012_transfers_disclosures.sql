-- Transfers on merger, division or acquisition (P6.1, PIPL Art. 22), public disclosure (P6.2,
-- PIPL Art. 25) and the processing-records register (P1.1, P6.1, P6.2): who sent or published
-- which fields of which customers to whom, on which legal basis, with the file's hash.

-- The register. Written by sharing, transfers, disclosures and exports inside their own
-- transaction; append-only, kept at least 3 years (PIPL Art. 56).
CREATE TABLE processing_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigserial NOT NULL,
  kind text NOT NULL CHECK (kind IN ('share', 'transfer', 'disclosure', 'export')),
  -- The record the processing belongs to (share request, transfer campaign, disclosure request, export).
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  actor_id uuid,
  actor_name text NOT NULL,
  purpose_code text,
  fields text[] NOT NULL,
  customer_count integer NOT NULL CHECK (customer_count >= 0),
  -- SHA-256 of the sorted customer ids (one per line): proves which customers without listing them here.
  customer_ids_hash text CHECK (customer_ids_hash IS NULL OR customer_ids_hash ~ '^[0-9a-f]{64}$'),
  -- Where the per-customer list is kept (e.g. transfer_notices:<campaign id>).
  customer_list_ref text,
  recipient_id uuid,
  recipient_name text NOT NULL,
  legal_basis text NOT NULL,
  file_hash text CHECK (file_hash IS NULL OR file_hash ~ '^[0-9a-f]{64}$'),
  clauses text[] NOT NULL,
  -- Counts and references only; never plain PI.
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years',
  CONSTRAINT processing_records_keep CHECK (keep_until >= created_at + interval '3 years')
);
CREATE INDEX processing_records_seq_idx ON processing_records (seq);
CREATE INDEX processing_records_kind_idx ON processing_records (kind, created_at);
CREATE INDEX processing_records_created_idx ON processing_records (created_at);
CREATE TRIGGER processing_records_append_only BEFORE UPDATE OR DELETE ON processing_records
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- A transfer campaign (P6.1): the reason, the receiving party, purpose and scope, the notice.
CREATE TABLE transfer_campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('merger', 'division', 'acquisition', 'other')),
  reason_detail text,
  -- The receiving party is a company: its name and contact are not customer PI.
  receiving_party_name text NOT NULL,
  receiving_party_contact text NOT NULL,
  purpose text NOT NULL,
  fields text[] NOT NULL,
  customer_scope jsonb NOT NULL,
  -- {'zh-CN': text, en: text} with placeholders; every notice names recipient, contact, purpose, scope, how to object.
  notice_template jsonb NOT NULL,
  -- Delivery channels in order of preference: email, sms, letter.
  channels text[] NOT NULL,
  response_deadline timestamptz,
  impact_assessment_id uuid NOT NULL REFERENCES impact_assessments(id),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'notifying', 'executed', 'cancelled')),
  creator_id uuid REFERENCES users(id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  approver_id uuid REFERENCES users(id),
  approved_by text,
  approved_at timestamptz,
  approval_comment text,
  notices_sent_at timestamptz,
  executed_by text,
  executed_at timestamptz,
  -- Counts of the execution (in scope, notified, delivered, failed, consented, objected, no answer, transferred).
  report jsonb,
  -- SHA-256 of the handover package (canonical JSON lines of the transferred customers' fields).
  package_hash text,
  processing_record_id uuid REFERENCES processing_records(id),
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years',
  CONSTRAINT transfer_campaigns_not_self_approved CHECK (approver_id IS NULL OR creator_id IS NULL OR approver_id <> creator_id),
  CONSTRAINT transfer_campaigns_executed CHECK ((status = 'executed') = (executed_at IS NOT NULL))
);
CREATE INDEX transfer_campaigns_status_idx ON transfer_campaigns (status, created_at);

-- Printable letter batches: the document is rendered when downloaded (addresses are decrypted
-- then, never stored outside the vault); its hash at generation is kept here.
CREATE TABLE transfer_letter_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES transfer_campaigns(id),
  letters integer NOT NULL CHECK (letters > 0),
  document_hash text NOT NULL CHECK (document_hash ~ '^[0-9a-f]{64}$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER transfer_letter_batches_append_only BEFORE UPDATE OR DELETE ON transfer_letter_batches
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- One row per customer in the campaign's scope (fixed when notices are sent): the notice, how
-- it went out, and the customer's outcome at execution.
CREATE TABLE transfer_notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES transfer_campaigns(id),
  customer_id uuid NOT NULL REFERENCES customers(id),
  -- The short reference the customer quotes when replying.
  reference text NOT NULL UNIQUE,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'none')),
  outbox_id bigint REFERENCES outbox(id),
  letter_batch_id uuid REFERENCES transfer_letter_batches(id),
  -- The notice text (campaign facts and the reference, no customer PI) and its hash.
  text jsonb NOT NULL,
  text_hash text NOT NULL CHECK (text_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  outcome text CHECK (outcome IN ('transferred', 'excluded_objected', 'excluded_no_answer')),
  UNIQUE (campaign_id, customer_id)
);
CREATE INDEX transfer_notices_customer_idx ON transfer_notices (customer_id);

-- Each customer's answers, append-only; the latest counts.
CREATE TABLE transfer_responses (
  id bigserial PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES transfer_campaigns(id),
  customer_id uuid NOT NULL REFERENCES customers(id),
  answer text NOT NULL CHECK (answer IN ('consent', 'object', 'legal_basis')),
  legal_basis text,
  method text NOT NULL CHECK (method IN ('staff', 'portal')),
  channel text,
  evidence jsonb NOT NULL DEFAULT '{}',
  note text,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT transfer_responses_basis CHECK ((answer = 'legal_basis') = (legal_basis IS NOT NULL))
);
CREATE INDEX transfer_responses_campaign_idx ON transfer_responses (campaign_id, customer_id, id);
CREATE TRIGGER transfer_responses_append_only BEFORE UPDATE OR DELETE ON transfer_responses
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();

-- Public disclosure requests (P6.2): blocked unless the law is cited or each customer gave a
-- separate consent; minimal fields of the purpose; every field masked; management, then the
-- compliance officer, approve.
CREATE TABLE disclosure_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL,
  purpose_code text NOT NULL,
  reason text NOT NULL,
  -- Where and how it will be published.
  audience text NOT NULL,
  basis_kind text NOT NULL CHECK (basis_kind IN ('law', 'consent')),
  law_citation text,
  -- The separate consent needed when basis_kind = 'consent' (consent category disclosure:<target>).
  consent_target text NOT NULL DEFAULT 'public',
  fields text[] NOT NULL,
  -- field -> de-identification operator ('keep' is refused).
  operators jsonb NOT NULL,
  customer_scope jsonb NOT NULL,
  impact_assessment_id uuid NOT NULL REFERENCES impact_assessments(id),
  requester_id uuid NOT NULL REFERENCES users(id),
  requester_name text NOT NULL,
  department_id uuid REFERENCES departments(id),
  chain text[] NOT NULL,
  step integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'in_review' CHECK (status IN ('in_review', 'rejected', 'disclosed')),
  -- Counts at creation, for the reviewers (in scope, eligible, excluded without separate consent).
  preview jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  -- The disclosed (masked) content, its hash, and the counts.
  content jsonb,
  content_hash text CHECK (content_hash IS NULL OR content_hash ~ '^[0-9a-f]{64}$'),
  report jsonb,
  processing_record_id uuid REFERENCES processing_records(id),
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years',
  CONSTRAINT disclosure_requests_law CHECK (basis_kind <> 'law' OR law_citation IS NOT NULL),
  CONSTRAINT disclosure_requests_disclosed CHECK ((status = 'disclosed') = (content_hash IS NOT NULL))
);
CREATE INDEX disclosure_requests_status_idx ON disclosure_requests (status, created_at);

CREATE TABLE disclosure_reviews (
  id bigserial PRIMARY KEY,
  request_id uuid NOT NULL REFERENCES disclosure_requests(id),
  step integer NOT NULL,
  step_role text NOT NULL,
  reviewer_id uuid NOT NULL REFERENCES users(id),
  reviewer_name text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
  comment text,
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_reviews_request_idx ON disclosure_reviews (request_id, id);
CREATE TRIGGER disclosure_reviews_append_only BEFORE UPDATE OR DELETE ON disclosure_reviews
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();
