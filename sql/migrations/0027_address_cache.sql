-- 0027 address autocomplete: a cached plan and a data version (issue #9).
--
-- address_search(): the statement of GET /adresses, in a PL/pgSQL function whose
-- plan is generic and cached for the life of the connection (plan_cache_mode set
-- for the function only: the other statements of the programs keep their own
-- choice). Issued directly, PostgreSQL built a custom plan at every execution
-- (1.15 ms of bind for 0.86 ms of execution), and the generic plan evaluated
-- rdv_search_text($2) once per candidate street (50 regexp folds); here the typed
-- text is folded once, into a variable. Same result as the statement it replaces.
--
-- address_data_version: a counter bumped by every statement that changes
-- addresses (the importer's upsert, demo data, bench generator, fixtures), in the
-- writer's transaction, by the statement trigger that already rebuilds the street
-- tables (0018). The programs keep rendered answers per process (cgi-bin/search/
-- addresses.c) and drop them when the counter moves.

CREATE TABLE IF NOT EXISTS address_data_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL
);
INSERT INTO address_data_version (id, version) VALUES (true, 1) ON CONFLICT (id) DO NOTHING;

CREATE OR REPLACE FUNCTION address_search_refresh_trigger() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM public.address_search_refresh();
  UPDATE public.address_data_version SET version = version + 1;
  RETURN NULL;
END $$;

-- words: the typed words to match (folded, 3+ characters, the longest first);
-- q: the typed text (folded again here); num: a typed house number or ''; lim:
-- how many addresses. The rarest word drives a btree range of street words in
-- order; every word must start a word of the street; the first 50 such streets
-- are ranked by similarity; then the first numbers (or the typed one) of the
-- best streets, each an index probe.
CREATE OR REPLACE FUNCTION address_search(words text[], q text, num text, lim int)
  RETURNS TABLE (id text, label text, code_insee text, street_id text, lat double precision,
                 lon double precision, nom_commune text, code_postal text)
  LANGUAGE plpgsql STABLE
  SET plan_cache_mode = force_generic_plan
  AS $$
DECLARE
  qs text := public.rdv_search_text(q);
BEGIN
  RETURN QUERY
  SELECT a.id, a.label, a.code_insee, a.street_id, a.lat, a.lon, a.nom_commune, a.code_postal FROM (
    SELECT s.street_id, similarity(s.search, qs) AS sim FROM (
      SELECT DISTINCT ON (l.street_id) l.street_id, l.search FROM (
        SELECT u.w FROM unnest(words) u(w)
         ORDER BY coalesce((SELECT sum(aw.streets) FROM public.address_words aw
                             WHERE aw.word >= u.w COLLATE "C" AND aw.word < (u.w || chr(1114111)) COLLATE "C"), 0),
                  length(u.w) DESC, u.w LIMIT 1) d
      CROSS JOIN LATERAL (
        SELECT st.street_id, st.search FROM public.address_street_words x
          JOIN public.address_streets st ON st.street_id = x.street_id
         WHERE x.word >= d.w COLLATE "C" AND x.word < (d.w || chr(1114111)) COLLATE "C"
           AND NOT EXISTS (SELECT 1 FROM unnest(words) f WHERE strpos(' ' || st.search, ' ' || f) = 0)
         LIMIT 50) l
      ORDER BY l.street_id) s
    ORDER BY sim DESC, s.street_id LIMIT lim) top
  CROSS JOIN LATERAL (
    SELECT * FROM public.addresses a WHERE a.street_id = top.street_id AND (num = '' OR a.numero = num)
     ORDER BY length(a.numero), a.numero, a.rep NULLS FIRST, a.id LIMIT lim) a
  ORDER BY top.sim DESC, a.nom_voie, length(a.numero), a.numero, a.id LIMIT lim;
END
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT SELECT, UPDATE ON address_data_version TO rdv_app;
    GRANT EXECUTE ON FUNCTION address_search(text[], text, text, int) TO rdv_app;
  END IF;
END
$$;
