-- 0003 booking core: lieux, motifs, plages d'ouverture, absences (with exceptions),
-- RDVs, their agents and participants, agenda access rights, teams.
CREATE TYPE rdv_status AS ENUM ('unknown', 'seen', 'excused', 'revoked', 'noshow');
CREATE TYPE location_type AS ENUM ('public_office', 'phone', 'home', 'visio');
CREATE TYPE bookable_by AS ENUM ('agents', 'agents_and_prescripteurs',
  'agents_and_prescripteurs_and_invited_users', 'everyone');
CREATE TYPE lieu_availability AS ENUM ('enabled', 'disabled', 'single_use');

CREATE TABLE lieux (
  id bigserial PRIMARY KEY,
  organisation_id bigint NOT NULL REFERENCES organisations,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  address text NOT NULL,
  latitude double precision,
  longitude double precision,
  phone_number text,
  availability lieu_availability NOT NULL DEFAULT 'enabled',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON lieux (organisation_id);

CREATE TABLE motifs (
  id bigserial PRIMARY KEY,
  organisation_id bigint NOT NULL REFERENCES organisations,
  service_id bigint NOT NULL REFERENCES services,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  color text NOT NULL DEFAULT '#1c5dab' CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
  default_duration_in_min int NOT NULL DEFAULT 30 CHECK (default_duration_in_min BETWEEN 5 AND 720),
  location_type location_type NOT NULL DEFAULT 'public_office',
  bookable_by bookable_by NOT NULL DEFAULT 'agents',
  min_public_booking_delay int NOT NULL DEFAULT 1800 CHECK (min_public_booking_delay >= 0),
  max_public_booking_delay int NOT NULL DEFAULT 7889238,
  for_secretariat boolean NOT NULL DEFAULT false,
  follow_up boolean NOT NULL DEFAULT false,
  collectif boolean NOT NULL DEFAULT false,
  restriction_for_rdv text,            -- shown before booking, must be accepted
  instruction_for_rdv text,            -- shown after booking and in the confirmation
  custom_cancel_warning_message text,
  visibility_type text NOT NULL DEFAULT 'visible_and_notified'
    CHECK (visibility_type IN ('visible_and_notified', 'visible_and_not_notified', 'invisible')),
  sectorisation_level text NOT NULL DEFAULT 'departement'
    CHECK (sectorisation_level IN ('departement', 'organisation', 'agent')),
  rdvs_editable_by_user boolean NOT NULL DEFAULT true,
  rdvs_cancellable_by_user boolean NOT NULL DEFAULT true,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (max_public_booking_delay > min_public_booking_delay),
  CHECK (NOT (follow_up AND for_secretariat)),
  CHECK (NOT collectif OR location_type = 'public_office')
);
CREATE INDEX ON motifs (organisation_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX motifs_unique_name ON motifs (organisation_id, name, location_type, service_id)
  WHERE deleted_at IS NULL;

CREATE TABLE plages_ouverture (
  id bigserial PRIMARY KEY,
  organisation_id bigint NOT NULL REFERENCES organisations,
  agent_id bigint NOT NULL REFERENCES agents,
  lieu_id bigint REFERENCES lieux,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  first_day date NOT NULL,
  start_time time NOT NULL,
  end_time time NOT NULL,
  recurrence jsonb,                    -- api.md recurrence JSON, NULL = one-off
  recurrence_ends_at date,             -- the rule's "until", NULL = open-ended (one-off: first_day)
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_time > start_time),
  CHECK (recurrence_ends_at IS NULL OR recurrence_ends_at >= first_day)
);
CREATE INDEX ON plages_ouverture (agent_id);
CREATE INDEX ON plages_ouverture (organisation_id);
CREATE INDEX plages_ouverture_span ON plages_ouverture
  USING gist (daterange(first_day, coalesce(recurrence_ends_at, CASE WHEN recurrence IS NULL THEN first_day END), '[]'));

CREATE TABLE plage_ouverture_motifs (
  plage_ouverture_id bigint NOT NULL REFERENCES plages_ouverture ON DELETE CASCADE,
  motif_id bigint NOT NULL REFERENCES motifs,
  PRIMARY KEY (plage_ouverture_id, motif_id)
);
CREATE INDEX ON plage_ouverture_motifs (motif_id);

-- One occurrence of a recurring plage deleted (or moved: the moved occurrence is a
-- one-off plage whose exception_of_id points here).
CREATE TABLE plage_ouverture_exceptions (
  plage_ouverture_id bigint NOT NULL REFERENCES plages_ouverture ON DELETE CASCADE,
  day date NOT NULL,
  PRIMARY KEY (plage_ouverture_id, day)
);
ALTER TABLE plages_ouverture ADD COLUMN exception_of_id bigint REFERENCES plages_ouverture ON DELETE CASCADE;

CREATE TABLE absences (
  id bigserial PRIMARY KEY,
  agent_id bigint NOT NULL REFERENCES agents,
  organisation_id bigint REFERENCES organisations,  -- where it was entered; an absence blocks the agent everywhere
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  first_day date NOT NULL,
  start_time time NOT NULL,
  end_day date NOT NULL,
  end_time time NOT NULL,
  recurrence jsonb,
  recurrence_ends_at date,
  exception_of_id bigint REFERENCES absences ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_day > first_day OR (end_day = first_day AND end_time > start_time)),
  CHECK (recurrence IS NULL OR end_day = first_day)
);
CREATE INDEX ON absences (agent_id);
CREATE INDEX absences_span ON absences
  USING gist (daterange(first_day, coalesce(recurrence_ends_at, CASE WHEN recurrence IS NULL THEN end_day END), '[]'));

CREATE TABLE absence_exceptions (
  absence_id bigint NOT NULL REFERENCES absences ON DELETE CASCADE,
  day date NOT NULL,
  PRIMARY KEY (absence_id, day)
);

CREATE TABLE rdvs (
  id bigserial PRIMARY KEY,
  uuid uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  organisation_id bigint NOT NULL REFERENCES organisations,
  motif_id bigint NOT NULL REFERENCES motifs,
  lieu_id bigint REFERENCES lieux,
  address text,                        -- home RDVs
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status rdv_status NOT NULL DEFAULT 'unknown',
  context text,
  collectif boolean NOT NULL DEFAULT false,
  name text,                           -- title of a collective RDV
  max_participants_count int CHECK (max_participants_count > 0),
  users_count int NOT NULL DEFAULT 0,  -- non-cancelled participations
  created_by_type text NOT NULL DEFAULT 'agent' CHECK (created_by_type IN ('agent', 'user', 'prescripteur', 'file_attente')),
  created_by_agent_id bigint REFERENCES agents,
  created_by_user_id bigint REFERENCES users,
  overridden_warnings text[] NOT NULL DEFAULT '{}',  -- warnings the agent explicitly confirmed
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (NOT collectif OR status IN ('unknown', 'seen', 'revoked')),
  CHECK (max_participants_count IS NULL OR users_count <= max_participants_count)
);
CREATE INDEX ON rdvs (organisation_id, starts_at);
CREATE INDEX ON rdvs (motif_id, starts_at);
CREATE INDEX ON rdvs (lieu_id, starts_at);
CREATE INDEX ON rdvs (created_at);

-- Agents of an RDV. Times and "active" are copied from rdvs by trigger so that
-- PostgreSQL itself refuses a double booking: no race, import or API call can
-- create two active, non-overridden RDVs of one agent at the same time.
CREATE TABLE agents_rdvs (
  rdv_id bigint NOT NULL REFERENCES rdvs ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  active boolean NOT NULL DEFAULT true,          -- status in (unknown, seen, noshow)
  overlap_override boolean NOT NULL DEFAULT false, -- the agent confirmed an overlap
  PRIMARY KEY (rdv_id, agent_id),
  CONSTRAINT agents_rdvs_no_overlap EXCLUDE USING gist
    (agent_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (active AND NOT overlap_override)
);
CREATE INDEX agents_rdvs_busy ON agents_rdvs USING gist (agent_id, tstzrange(starts_at, ends_at, '[)')) WHERE active;

CREATE FUNCTION agents_rdvs_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT r.starts_at, r.ends_at, r.status IN ('unknown', 'seen', 'noshow')
    INTO NEW.starts_at, NEW.ends_at, NEW.active FROM rdvs r WHERE r.id = NEW.rdv_id;
  RETURN NEW;
END $$;
CREATE TRIGGER agents_rdvs_fill BEFORE INSERT ON agents_rdvs
  FOR EACH ROW EXECUTE FUNCTION agents_rdvs_fill();

CREATE FUNCTION rdvs_sync_agents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.starts_at IS DISTINCT FROM OLD.starts_at OR NEW.ends_at IS DISTINCT FROM OLD.ends_at
     OR NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE agents_rdvs SET starts_at = NEW.starts_at, ends_at = NEW.ends_at,
           active = NEW.status IN ('unknown', 'seen', 'noshow')
     WHERE rdv_id = NEW.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER rdvs_sync_agents AFTER UPDATE ON rdvs
  FOR EACH ROW EXECUTE FUNCTION rdvs_sync_agents();

CREATE TABLE participations (
  id bigserial PRIMARY KEY,
  rdv_id bigint NOT NULL REFERENCES rdvs ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users,
  status rdv_status NOT NULL DEFAULT 'unknown',
  send_lifecycle_notifications boolean NOT NULL DEFAULT true,
  send_reminder_notification boolean NOT NULL DEFAULT true,
  created_by_type text NOT NULL DEFAULT 'agent',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (rdv_id, user_id)
);
CREATE INDEX ON participations (user_id);

-- Per-RDV links sent by SMS/e-mail: 256-bit random token, only its hash kept.
CREATE TABLE rdv_tokens (
  token_hash bytea PRIMARY KEY,
  participation_id bigint NOT NULL REFERENCES participations ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX ON rdv_tokens (participation_id);

-- Agenda access beyond the default rule: who may see or write in whose agenda.
CREATE TYPE agenda_access_level AS ENUM ('busy', 'read', 'write');
CREATE TABLE agenda_accesses (
  owner_agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  grantee_agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  level agenda_access_level NOT NULL,
  granted_by_id bigint REFERENCES agents,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_agent_id, grantee_agent_id),
  CHECK (owner_agent_id <> grantee_agent_id)
);
CREATE INDEX ON agenda_accesses (grantee_agent_id);

CREATE TABLE teams (
  id bigserial PRIMARY KEY,
  territory_id bigint NOT NULL REFERENCES territories,
  name text NOT NULL,
  UNIQUE (territory_id, name)
);
CREATE TABLE agent_teams (
  team_id bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
  PRIMARY KEY (team_id, agent_id)
);

CREATE TABLE file_attentes (
  rdv_id bigint NOT NULL REFERENCES rdvs ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  notifications_sent int NOT NULL DEFAULT 0,
  last_creneau_sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rdv_id, user_id)
);

-- Notification log shown on the RDV page.
CREATE TABLE receipts (
  id bigserial PRIMARY KEY,
  outbox_id bigint,
  rdv_id bigint,
  user_id bigint,
  organisation_id bigint,
  event text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'mail', 'webhook')),
  result text NOT NULL CHECK (result IN ('processed', 'sent', 'delivered', 'failure')),
  error_message text,
  recipient text,
  content text,
  sms_count int,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON receipts (rdv_id);
