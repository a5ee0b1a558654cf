-- 0011 search: single-use tokens mailed to citizens (e-mail confirmation after
-- sign-up, magic-link sign-in). 256-bit random, only the SHA-256 is stored.
CREATE TABLE user_tokens (
  token_hash bytea PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('confirmation', 'magic_link')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX ON user_tokens (user_id);
