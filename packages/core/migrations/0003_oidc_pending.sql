-- OIDC sign-in (optional): the state, nonce and PKCE verifier of a started sign-in, kept server
-- side so the callback can land on any server process. Rows live ten minutes.
CREATE TABLE oidc_pending (
  state text PRIMARY KEY,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
