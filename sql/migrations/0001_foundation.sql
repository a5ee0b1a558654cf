-- 0001 foundation: territories, organisations, services, agents and their roles,
-- sessions, sign-in throttling, password resets, the outbox, the audit trail, API tokens.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS citext;

-- unaccent() is STABLE (it reads a dictionary); indexes need an IMMUTABLE wrapper.
CREATE FUNCTION rdv_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE territories (
  id bigserial PRIMARY KEY,
  departement_number text NOT NULL DEFAULT '' CHECK (length(departement_number) <= 3),
  name text NOT NULL UNIQUE,
  phone_number text,
  sms_sender_name text NOT NULL DEFAULT 'RDV Social' CHECK (length(sms_sender_name) <= 11),
  cancellation_deadline_hours int NOT NULL DEFAULT 4 CHECK (cancellation_deadline_hours BETWEEN 0 AND 168),
  reminder_hours int NOT NULL DEFAULT 48 CHECK (reminder_hours BETWEEN 1 AND 336),
  enable_notes_field boolean NOT NULL DEFAULT true,
  enable_caisse_affiliation_field boolean NOT NULL DEFAULT true,
  enable_affiliation_number_field boolean NOT NULL DEFAULT true,
  enable_family_situation_field boolean NOT NULL DEFAULT true,
  enable_number_of_children_field boolean NOT NULL DEFAULT true,
  enable_logement_field boolean NOT NULL DEFAULT true,
  enable_case_number boolean NOT NULL DEFAULT false,
  enable_address_details boolean NOT NULL DEFAULT true,
  enable_context_field boolean NOT NULL DEFAULT true,
  visible_users_throughout_the_territory boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organisations (
  id bigserial PRIMARY KEY,
  territory_id bigint NOT NULL REFERENCES territories,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  phone_number text,
  email text,
  address text,
  website text,
  horaires text,
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (territory_id, name),
  UNIQUE (territory_id, external_id)
);
CREATE INDEX ON organisations (territory_id);

CREATE TABLE services (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  short_name text NOT NULL UNIQUE
);

CREATE TABLE territory_services (
  territory_id bigint NOT NULL REFERENCES territories ON DELETE CASCADE,
  service_id bigint NOT NULL REFERENCES services,
  PRIMARY KEY (territory_id, service_id)
);

CREATE TYPE notification_level AS ENUM ('all', 'others', 'soon', 'none');
CREATE TYPE simple_notification_level AS ENUM ('all', 'none');
CREATE TYPE access_level AS ENUM ('admin', 'basic', 'intervenant');

CREATE TABLE agents (
  id bigserial PRIMARY KEY,
  email citext UNIQUE,                 -- NULL for intervenants (no sign-in)
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  password_hash text,                  -- libsodium argon2id string; NULL until the invitation is accepted
  rdv_notifications_level notification_level NOT NULL DEFAULT 'others',
  plage_ouverture_notification_level simple_notification_level NOT NULL DEFAULT 'all',
  absence_notification_level simple_notification_level NOT NULL DEFAULT 'all',
  display_saturdays boolean NOT NULL DEFAULT false,
  display_cancelled_rdv boolean NOT NULL DEFAULT true,
  calendar_token_hash bytea UNIQUE,     -- secret ICS feed; only the hash is kept
  invitation_token_hash bytea UNIQUE,
  invitation_sent_at timestamptz,
  invitation_accepted_at timestamptz,
  invited_by_id bigint REFERENCES agents,
  last_sign_in_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_services (
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  service_id bigint NOT NULL REFERENCES services,
  PRIMARY KEY (agent_id, service_id)
);
CREATE INDEX ON agent_services (service_id);

CREATE TABLE agent_roles (
  id bigserial PRIMARY KEY,
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
  access_level access_level NOT NULL DEFAULT 'basic',
  UNIQUE (agent_id, organisation_id)
);
CREATE INDEX ON agent_roles (organisation_id);

CREATE TABLE agent_territorial_roles (
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  territory_id bigint NOT NULL REFERENCES territories ON DELETE CASCADE,
  PRIMARY KEY (agent_id, territory_id)
);

CREATE TABLE agent_territorial_access_rights (
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  territory_id bigint NOT NULL REFERENCES territories ON DELETE CASCADE,
  allow_to_manage_teams boolean NOT NULL DEFAULT false,
  allow_to_manage_access_rights boolean NOT NULL DEFAULT false,
  allow_to_invite_agents boolean NOT NULL DEFAULT false,
  allow_to_download_stats boolean NOT NULL DEFAULT false,
  PRIMARY KEY (agent_id, territory_id)
);

-- Sessions of agents (and, from the usagers migration on, of citizens).
-- Only the SHA-256 of the 32-byte random token is stored.
CREATE TABLE sessions (
  id bigserial PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE,
  agent_id bigint REFERENCES agents ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip text,
  user_agent text
);
CREATE INDEX ON sessions (agent_id);
CREATE INDEX ON sessions (expires_at);

CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,                  -- 'agent', 'user', 'reset', 'signup'
  login text NOT NULL,                 -- lower-cased e-mail
  ip text NOT NULL,
  success boolean NOT NULL,
  attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON login_attempts (kind, login, attempted_at);
CREATE INDEX ON login_attempts (kind, ip, attempted_at);

CREATE TABLE password_resets (
  token_hash bytea PRIMARY KEY,
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- Everything the worker sends: e-mails, SMS, webhooks. Rows are claimed with
-- FOR UPDATE SKIP LOCKED; every attempt is counted; failures stay visible.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
  event text NOT NULL,                 -- rdv_created, password_reset, …
  recipient text NOT NULL,             -- e-mail address, E.164 number or URL
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  organisation_id bigint,
  rdv_id bigint,
  user_id bigint,
  dedup_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX ON outbox (rdv_id);

CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  agent_id bigint,                     -- who (NULL: a citizen or the system)
  user_id bigint,
  organisation_id bigint,
  territory_id bigint,
  item_type text NOT NULL,             -- 'rdv', 'plage_ouverture', 'agent', …
  item_id bigint,
  event text NOT NULL,                 -- 'create', 'update', 'destroy', 'sign_in', 'export', …
  before jsonb,
  after jsonb,
  ip text
);
CREATE INDEX ON audit (organisation_id, at DESC);
CREATE INDEX ON audit (territory_id, at DESC);
CREATE INDEX ON audit (item_type, item_id);

CREATE TABLE api_tokens (
  id bigserial PRIMARY KEY,
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX ON api_tokens (agent_id);
