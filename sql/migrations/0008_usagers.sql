-- 0008 usagers: the key used to detect the same person typed twice (first name +
-- last name + birth date, accents, case, spaces, hyphens, apostrophes and dots
-- ignored), indexed so that the duplicate check of every create/edit stays an index
-- probe on 500 000 usagers. Mirrors valid_normalize_name() in lib/valid.c (the
-- unit suite "usager" checks that both agree). Schema-qualified: autovacuum's ANALYZE
-- evaluates index expressions with an empty search_path.
CREATE FUNCTION rdv_name_key(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT regexp_replace(public.rdv_fold(normalize($1, NFC)),
                              '[[:space:]\u00a0\u202f''`.\u00b4\u02bc\u2010-\u2015\u2018\u2019-]+', '', 'g') $$;

CREATE INDEX users_identity_key ON users (birth_date, rdv_name_key(first_name), rdv_name_key(last_name))
  WHERE deleted_at IS NULL;
-- "mes usagers" and the proches of a responsable are read often; the e-mail search
-- uses the unique index of 0002.
CREATE INDEX IF NOT EXISTS users_responsible_live ON users (responsible_id) WHERE deleted_at IS NULL;
