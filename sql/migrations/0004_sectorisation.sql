-- 0004 sectorisation and addresses: the national address base (BAN CSV), secteurs,
-- zones (communes or streets) and their attribution to organisations or agents.
CREATE TABLE addresses (
  id text PRIMARY KEY,                 -- BAN id, e.g. 62041_0420_00012
  numero text,
  rep text,
  nom_voie text NOT NULL,
  code_postal text NOT NULL,
  code_insee text NOT NULL,
  nom_commune text NOT NULL,
  street_id text NOT NULL,             -- "<code_insee>_<fantoir>": what street zones match
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  label text NOT NULL,                 -- "12 Rue de la Paix 62000 Arras"
  search text GENERATED ALWAYS AS (rdv_fold(label)) STORED
);
CREATE INDEX addresses_search_trgm ON addresses USING gin (search gin_trgm_ops);
CREATE INDEX ON addresses (street_id);

CREATE TABLE sectors (
  id bigserial PRIMARY KEY,
  territory_id bigint NOT NULL REFERENCES territories,
  name text NOT NULL,
  human_id text NOT NULL CHECK (human_id ~ '^[a-z0-9_-]{1,64}$'),
  UNIQUE (territory_id, human_id)
);

CREATE TABLE zones (
  id bigserial PRIMARY KEY,
  sector_id bigint NOT NULL REFERENCES sectors ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('city', 'street')),
  city_code text NOT NULL CHECK (city_code ~ '^[0-9][0-9AB][0-9]{3}$'),
  city_name text NOT NULL,
  street_name text,
  street_ban_id text,
  CHECK ((level = 'city' AND street_ban_id IS NULL) OR
         (level = 'street' AND street_ban_id IS NOT NULL AND street_ban_id LIKE city_code || '\_%'))
);
CREATE UNIQUE INDEX zones_city_unique ON zones (sector_id, city_code) WHERE level = 'city';
CREATE UNIQUE INDEX zones_street_unique ON zones (sector_id, street_ban_id) WHERE level = 'street';
CREATE INDEX ON zones (city_code) WHERE level = 'city';
CREATE INDEX ON zones (street_ban_id) WHERE level = 'street';

CREATE TABLE sector_attributions (
  id bigserial PRIMARY KEY,
  sector_id bigint NOT NULL REFERENCES sectors ON DELETE CASCADE,
  organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('organisation', 'agent')),
  agent_id bigint REFERENCES agents ON DELETE CASCADE,
  CHECK ((level = 'agent') = (agent_id IS NOT NULL))
);
CREATE UNIQUE INDEX ON sector_attributions (sector_id, organisation_id, coalesce(agent_id, 0));
CREATE INDEX ON sector_attributions (organisation_id);

CREATE TABLE webhook_endpoints (
  id bigserial PRIMARY KEY,
  organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
  target_url text NOT NULL,
  secret text NOT NULL,
  subscriptions text[] NOT NULL DEFAULT '{rdv,absence,plage_ouverture}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, target_url)
);
