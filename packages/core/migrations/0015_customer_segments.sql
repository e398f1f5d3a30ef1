-- P5.2: saved customer segments, a use application's customer scope besides "all" and a list of
-- ids. A segment is a named, immutable list of customers owned by a department; an application
-- naming it keeps the list as it was (a later segment cannot widen an approved grant).
CREATE TABLE customer_segments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  description text,
  department_id uuid NOT NULL REFERENCES departments(id),
  created_by_id uuid REFERENCES users(id),
  created_by text NOT NULL,
  customer_ids uuid[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customer_segments_size CHECK (cardinality(customer_ids) BETWEEN 1 AND 10000),
  UNIQUE (department_id, name)
);
