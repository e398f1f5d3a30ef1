-- De-identified exports under a use grant (P5.3): the spec, the generalisation chosen, the
-- measured k and l, the recipient, the counts and the file's hash. The file itself rests
-- encrypted in the export folder until its one-time link is used or expires; only the link's
-- hash is stored.

CREATE TABLE exports (
  id uuid PRIMARY KEY,
  grant_id uuid NOT NULL REFERENCES grants(id),
  department_id uuid NOT NULL REFERENCES departments(id),
  purpose_code text NOT NULL,
  created_by_id uuid REFERENCES users(id),
  created_by text NOT NULL,
  recipient text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  spec jsonb NOT NULL,
  levels jsonb NOT NULL,
  k integer,
  l integer,
  target_k integer NOT NULL,
  target_l integer,
  in_scope_count integer NOT NULL,
  excluded_count integer NOT NULL,
  suppressed_count integer NOT NULL,
  row_count integer NOT NULL,
  file_sha256 text NOT NULL,
  file_bytes bigint NOT NULL,
  link_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  downloaded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Export records are kept with the applications they come from (P5.2: at least 3 years).
  keep_until timestamptz NOT NULL DEFAULT now() + interval '3 years'
);
CREATE INDEX exports_department_idx ON exports (department_id, created_at DESC);
CREATE INDEX exports_grant_idx ON exports (grant_id);
