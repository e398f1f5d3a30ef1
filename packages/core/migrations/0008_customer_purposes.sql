-- Which purposes a customer's data was collected for, whatever the legal basis (P4.2): the
-- retention sweep keeps data while a purpose still needs it, also when that purpose does not
-- rest on consent (contract, legal duty, ...) and so leaves nothing in the consent ledger.
CREATE TABLE customer_purposes (
  customer_id uuid NOT NULL REFERENCES customers(id),
  purpose_code text NOT NULL,
  legal_basis text NOT NULL,
  first_collected_at timestamptz NOT NULL DEFAULT now(),
  last_collected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, purpose_code)
);
