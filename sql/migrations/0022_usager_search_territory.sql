-- 0022 usager search by name throughout a territory, fast under row-level security.
--
-- Two costs made the territory-wide name search (an agent who sees every usager of the
-- territory) slow on 500 000 usagers:
--   - the trigram index of 0017 answers "a word starting with martin" by intersecting
--     the posting lists of every trigram of " martin", some of which ("  m", " ma") hold
--     a good part of the département;
--   - under row-level security (rdv_app, 0014) LIKE is not leakproof, so PostgreSQL
--     may not use it in an index scan before the policy of user_profiles: every
--     profile of the database was read and filtered.
-- The words are now indexed as a text search vector, "martin" being the prefix query
-- 'martin':* (GIN over an expression of user_profiles.search_words: no new column,
-- nothing to keep up to date, no recheck), and the matches are read by a SECURITY DEFINER function, owned by the
-- owner, which applies the acting agent's visibility itself: organisations of
-- rls_usager_orgs() (0014), the same rule as the read policy of user_profiles for
-- the organisations' own rows. lib/usager.c checks the agent's scope first, as before.

-- The words of search_words as a text search vector ('simple': the words as they are,
-- already folded) and the words of a LIKE pattern built by lib/usager.c (folded by
-- rdv_name_pattern) as a prefix query: each pattern word starts a word of a matching
-- search_words. NULL for a pattern without words.
CREATE FUNCTION rdv_pattern_query(pattern text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT string_agg(quote_literal(w) || ':*', ' & ')::tsquery
          FROM regexp_split_to_table(pattern, '[% ]+') w WHERE w <> '' $$;

CREATE INDEX user_profiles_name_words ON user_profiles USING gin (to_tsvector('simple'::regconfig, search_words));

-- The page of name matches (patterns p1, p2 already folded by rdv_name_pattern; p2
-- NULL for one word) in organisation org, or throughout territory terr when wide;
-- ordered by the folded name, with the number of matches. Only organisations whose
-- usagers the acting agent sees (rls_usager_orgs) are searched.
CREATE FUNCTION usager_name_page(org bigint, wide boolean, terr bigint, p1 text, p2 text, lim int, off int)
  RETURNS TABLE (user_id bigint, search_words text, total bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  orgs bigint[] := rls_usager_orgs();
  q tsquery := rdv_pattern_query(p1);
BEGIN
  IF NOT wide THEN
    -- one organisation: its key and the trigrams together (0017)
    RETURN QUERY
      WITH m AS MATERIALIZED (
        SELECT p.user_id, p.search_words FROM user_profiles p
         WHERE p.organisation_id = org AND p.organisation_id = ANY (orgs)
           AND (p.search_words LIKE p1 OR p.search_words LIKE p2))
      SELECT m.user_id, m.search_words, (SELECT count(*) FROM m) FROM m
       ORDER BY m.search_words, m.user_id LIMIT lim OFFSET off;
  ELSE
    orgs := ARRAY(SELECT o.id FROM organisations o WHERE o.territory_id = terr AND o.id = ANY (orgs));
    RETURN QUERY
      WITH m AS MATERIALIZED (
        SELECT DISTINCT p.user_id, p.search_words FROM user_profiles p
         WHERE (q IS NULL OR to_tsvector('simple'::regconfig, p.search_words) @@ q)
           AND p.organisation_id = ANY (orgs)
           -- "|| ''": checked on the rows found, not through the trigram index (an
           -- AND of both indexes would recompute every vector)
           AND ((p.search_words || '') LIKE p1 OR (p.search_words || '') LIKE p2))
      SELECT m.user_id, m.search_words, (SELECT count(*) FROM m) FROM m
       ORDER BY m.search_words, m.user_id LIMIT lim OFFSET off;
  END IF;
END $$;

REVOKE EXECUTE ON FUNCTION usager_name_page(bigint, boolean, bigint, text, text, int, int) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION usager_name_page(bigint, boolean, bigint, text, text, int, int) TO rdv_app;
  END IF;
END $$;
ANALYZE user_profiles;
