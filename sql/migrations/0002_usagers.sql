-- 0002 usagers: citizens, their family cell, their organisations, their referents,
-- and citizen sessions.
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  birth_name text,
  birth_date date CHECK (birth_date <= current_date AND birth_date > date '1890-01-01'),
  email citext,
  phone_number text,                   -- as typed
  phone_number_formatted text,         -- E.164
  address text,
  address_details text,
  post_code text,
  city_code text,                      -- INSEE
  city_name text,
  street_ban_id text,
  latitude double precision,
  longitude double precision,
  caisse_affiliation text CHECK (caisse_affiliation IN ('aucune', 'caf', 'msa')),
  affiliation_number text,
  family_situation text CHECK (family_situation IN ('single', 'in_a_relationship', 'divorced')),
  number_of_children int CHECK (number_of_children BETWEEN 0 AND 30),
  logement text CHECK (logement IN ('sdf', 'heberge', 'en_accession_propriete', 'proprietaire', 'autre', 'locataire')),
  case_number text,
  notify_by_sms boolean NOT NULL DEFAULT true,
  notify_by_email boolean NOT NULL DEFAULT true,
  responsible_id bigint REFERENCES users CHECK (responsible_id <> id),
  password_hash text,
  email_confirmed_at timestamptz,
  created_through text NOT NULL DEFAULT 'agent_creation',
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- folded "last first birth" used by the name search and duplicate detection
  search_name text GENERATED ALWAYS AS (rdv_fold(last_name || ' ' || first_name || ' ' || coalesce(birth_name, ''))) STORED
);
CREATE UNIQUE INDEX users_email_unique ON users (email) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX ON users (phone_number_formatted) WHERE deleted_at IS NULL;
CREATE INDEX ON users (responsible_id);
CREATE INDEX ON users (birth_date);
CREATE INDEX users_search_name_trgm ON users USING gin (search_name gin_trgm_ops);

CREATE TABLE user_profiles (
  user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, organisation_id)
);
CREATE INDEX ON user_profiles (organisation_id, user_id);

CREATE TABLE referent_assignations (
  user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  PRIMARY KEY (user_id, agent_id)
);
CREATE INDEX ON referent_assignations (agent_id);

ALTER TABLE sessions ADD COLUMN user_id bigint REFERENCES users ON DELETE CASCADE;
-- a citizen session opened by an RDV link is limited to that RDV
ALTER TABLE sessions ADD COLUMN rdv_scope_id bigint;
ALTER TABLE sessions ADD CONSTRAINT sessions_one_subject CHECK (num_nonnulls(agent_id, user_id) = 1);
CREATE INDEX ON sessions (user_id);
