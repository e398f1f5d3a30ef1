-- P5.2: approval chains configured per purpose and sensitivity. A use application takes the chain
-- of its purpose (for its sensitivity), else the deployment-wide chain for its sensitivity (purpose
-- code '*'), else the built-in default (department head, management approver, and the compliance
-- officer for sensitive fields).
CREATE TABLE approval_chains (
  purpose_code text NOT NULL,
  sensitive boolean NOT NULL,
  steps text[] NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (purpose_code, sensitive),
  CONSTRAINT approval_chains_steps CHECK (cardinality(steps) BETWEEN 2 AND 6)
);
