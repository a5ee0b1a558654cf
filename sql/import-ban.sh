#!/usr/bin/env bash
# import-ban.sh FILE.csv [FILE2.csv …] — loads the national address base (BAN,
# "adresses-<dep>.csv" as published on adresse.data.gouv.fr: ';'-separated,
# header line, columns id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;
# nom_commune;…;lon;lat;…) into the addresses table. Re-runnable: rows are
# upserted by BAN id; the upsert's statement trigger (migration 0018) rebuilds the
# street search tables (address_streets, address_street_words, address_words) in the
# same transaction, and bumps address_data_version (migration 0027), on which the
# programs' cached autocomplete answers are validated (seen within a second of the
# COMMIT). Connection: DATABASE_URL (or the PG* variables).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 adresses-62.csv [...]" >&2; exit 2; }
for f in "$@"; do
  [ -r "$f" ] || { echo "$0: cannot read $f" >&2; exit 1; }
  src=$(realpath "$f")
  case "$f" in *.gz) tmp=$(mktemp); gzip -dc "$f" >"$tmp"; src=$tmp ;; *) tmp= ;; esac
  src=${src//\'/\'\'}   # psql quoting of the file name
  echo "import-ban: $f"
  psql ${DATABASE_URL:+"$DATABASE_URL"} -X -q -v ON_ERROR_STOP=1 <<SQL
BEGIN;
CREATE TEMP TABLE ban_import (
  id text, id_fantoir text, numero text, rep text, nom_voie text, code_postal text,
  code_insee text, nom_commune text, code_insee_ancienne_commune text,
  nom_ancienne_commune text, x text, y text, lon text, lat text, type_position text,
  alias text, nom_ld text, libelle_acheminement text, nom_afnor text,
  source_position text, source_nom_voie text, certification_commune text, cad_parcelles text
) ON COMMIT DROP;
\copy ban_import FROM '$src' WITH (FORMAT csv, DELIMITER ';', HEADER true)
INSERT INTO addresses (id, numero, rep, nom_voie, code_postal, code_insee, nom_commune,
                       street_id, lon, lat, label)
SELECT id, numero, nullif(rep, ''), nom_voie, code_postal, code_insee, nom_commune,
       coalesce(nullif(id_fantoir, ''), split_part(id, '_', 1) || '_' || split_part(id, '_', 2)),
       lon::double precision, lat::double precision,
       concat_ws(' ', numero || coalesce(' ' || nullif(rep, ''), ''), nom_voie, code_postal, nom_commune)
  FROM ban_import
 WHERE id <> '' AND nom_voie <> '' AND lon <> '' AND lat <> ''
ON CONFLICT (id) DO UPDATE SET numero = EXCLUDED.numero, rep = EXCLUDED.rep, nom_voie = EXCLUDED.nom_voie,
  code_postal = EXCLUDED.code_postal, code_insee = EXCLUDED.code_insee, nom_commune = EXCLUDED.nom_commune,
  street_id = EXCLUDED.street_id, lon = EXCLUDED.lon, lat = EXCLUDED.lat, label = EXCLUDED.label;
COMMIT;
ANALYZE addresses;
ANALYZE address_streets;
ANALYZE address_street_words;
ANALYZE address_words;
SQL
  [ -z "$tmp" ] || rm -f "$tmp"
done
