-- 0029 usager search by name: read the page, not every match (issue #9).
--
-- usager_name_page (0022) materialised every match of the scope to count and sort
-- them: in one organisation it read the whole organisation's slice of
-- user_profiles_org_name (12 500 names in the benchmark) and tested LIKE on each,
-- whatever the word; throughout a territory, the global text search index read every
-- match of the département ('mar':* = 16 000 profiles) before keeping the territory's.
-- Two ways now, chosen by how many profiles hold the typed words:
--   - an index of the words per organisation: each profile's words prefixed with its
--     organisation ("6:martin"), so that 'martin' in organisation 6 is the prefix query
--     '6:martin':* and reads only that organisation's matches (77 for the most frequent
--     surname, 3 000 throughout the territory); they are sorted and counted exactly,
--     as before;
--   - in one organisation, when the caller does not need the exact count (exact false:
--     the pages, not the JSON API), a probe first reads at most 101 matches: more than
--     100 (a frequent word or a prefix: 'mar'), or a single letter (its prefix would
--     gather a good part of the organisation's words; likewise throughout a
--     territory), and the names are read in order from the btree indexes of 0024, the
--     scan stopping once the page is full (off + lim + 1 rows). The count is then
--     known only on the last page: before it the total is -(off + lim + 1), "at least
--     that many" (as usager_list_page). Throughout a territory a word's matches are
--     spread over the whole name order: the word index stays cheaper.
-- As before, the function reads the profiles as the owner within the organisations
-- whose usagers the acting agent sees (rls_usager_orgs), and the LIKE patterns decide;
-- it now returns the page's usagers too (usager_name_page, below).

-- The words of search_words, each prefixed with the organisation ("6:martin"), as they
-- are (array_to_tsvector: no parsing, no stemming).
CREATE FUNCTION rdv_org_words(org bigint, words text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT array_to_tsvector(ARRAY(SELECT org || ':' || w FROM regexp_split_to_table(words, ' ') w
                                        WHERE w <> '')) $$;

-- The words of a LIKE pattern built by lib/usager.c, each a prefix, all of them in one
-- of the organisations orgs: ('6:martin':* & '6:jean':*) | ('7:martin':* & …). NULL
-- without words or organisations.
-- PL/pgSQL: its plan is kept for the connection (a SQL function that cannot be inlined
-- is parsed and planned again on every call).
CREATE FUNCTION rdv_org_query(orgs bigint[], pattern text) RETURNS tsquery
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
BEGIN
  RETURN (SELECT string_agg('(' || (SELECT string_agg(quote_literal(o || ':' || w) || ':*', ' & ')
                                      FROM regexp_split_to_table(pattern, '[% ]+') w WHERE w <> '') || ')',
                            ' | ')::tsquery
            FROM unnest(orgs) o);
END $$;

CREATE INDEX user_profiles_org_words ON user_profiles USING gin (rdv_org_words(organisation_id, search_words));

DROP FUNCTION usager_name_page(bigint, boolean, bigint, text, text, int, int);

-- The page of name matches (patterns p1, p2 already folded by rdv_name_pattern; p2
-- NULL for one word) in organisation org, or throughout territory terr when wide;
-- ordered by the folded name; total: the number of matches, or -(off + lim + 1) when
-- there are more than the page and counting them was not worth it (see above).
-- Generic plans: the statements below were planned again for each search (a custom
-- plan per tsquery and pattern, 45 % of the CPU under load); their generic plans are
-- the ones wanted whatever the words (the word index, or the name order stopped by
-- the limit).
CREATE FUNCTION usager_name_matches(org bigint, wide boolean, terr bigint, p1 text, p2 text, lim int, off int,
                                    exact boolean)
  RETURNS TABLE (user_id bigint, search_words text, total bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  SET plan_cache_mode = force_generic_plan
  AS $$
DECLARE
  orgs bigint[] := rls_usager_orgs();
  longest int;
  q tsquery;
  found int;  -- profiles holding the words, up to 101 (NULL: not probed)
  scan int;   -- rows read in order: the page and one more, or all (NULL) for an exact count
BEGIN
  IF wide THEN
    orgs := ARRAY(SELECT o.id FROM organisations o WHERE o.territory_id = terr AND o.id = ANY (orgs));
  ELSIF org = ANY (orgs) THEN
    orgs := ARRAY[org];
  ELSE
    RETURN;
  END IF;
  SELECT max(length(w)) INTO longest FROM regexp_split_to_table(p1, '[% ]+') w;
  IF longest >= 2 THEN
    q := rdv_org_query(orgs, p1);
    -- "+ 0", "|| ''": checked on the rows found, not through the indexes of the
    -- organisation (12 500 rows) or of the trigrams (0017)
    IF NOT wide AND NOT exact THEN
      SELECT count(*) INTO found FROM (SELECT 1 FROM user_profiles p
        WHERE rdv_org_words(p.organisation_id, p.search_words) @@ q AND (p.organisation_id + 0) = ANY (orgs)
        LIMIT 101) probe;
    END IF;
  END IF;
  IF longest >= 2 AND (found IS NULL OR found <= 100) THEN
    RETURN QUERY
      WITH m AS MATERIALIZED (
        SELECT DISTINCT p.user_id, p.search_words FROM user_profiles p
         WHERE rdv_org_words(p.organisation_id, p.search_words) @@ q AND (p.organisation_id + 0) = ANY (orgs)
           AND ((p.search_words || '') LIKE p1 OR (p.search_words || '') LIKE p2))
      SELECT m.user_id, m.search_words, (SELECT count(*) FROM m) FROM m
       ORDER BY m.search_words, m.user_id LIMIT lim OFFSET off;
    RETURN;
  END IF;
  -- in name order, through the btree indexes of 0024 ("+ 0", "|| ''": filters, not
  -- other indexes, in the generic plans)
  scan := CASE WHEN exact THEN NULL ELSE off + lim + 1 END;
  IF NOT wide THEN
    RETURN QUERY
      WITH m AS MATERIALIZED (
        SELECT p.user_id, p.search_words FROM user_profiles p
         WHERE p.organisation_id = org AND ((p.search_words || '') LIKE p1 OR (p.search_words || '') LIKE p2)
         ORDER BY p.search_words, p.user_id LIMIT scan)
      SELECT m.user_id, m.search_words,
             CASE WHEN (SELECT count(*) FROM m) > off + lim AND NOT exact THEN -(off + lim + 1)::bigint
                  ELSE (SELECT count(*) FROM m) END
        FROM m ORDER BY m.search_words, m.user_id LIMIT lim OFFSET off;
  ELSE
    RETURN QUERY
      WITH m AS MATERIALIZED (
        SELECT DISTINCT ON (p.search_words, p.user_id) p.user_id, p.search_words FROM user_profiles p
         WHERE (p.organisation_id + 0) = ANY (orgs)
           AND ((p.search_words || '') LIKE p1 OR (p.search_words || '') LIKE p2)
         ORDER BY p.search_words, p.user_id LIMIT scan)
      SELECT m.user_id, m.search_words,
             CASE WHEN (SELECT count(*) FROM m) > off + lim AND NOT exact THEN -(off + lim + 1)::bigint
                  ELSE (SELECT count(*) FROM m) END
        FROM m ORDER BY m.search_words, m.user_id LIMIT lim OFFSET off;
  END IF;
END $$;

REVOKE EXECUTE ON FUNCTION usager_name_matches(bigint, boolean, bigint, text, text, int, int, boolean) FROM PUBLIC;

-- The page's usagers themselves, read as the owner: lib/usager.c read them under the
-- read policy of users, whose init plans and per-row probe of user_profiles cost more
-- than the search (2.7 ms for 20 rows). Every row returned has a profile in an
-- organisation of rls_usager_orgs() (usager_name_matches), which is what that policy
-- admits an agent to; the caller still keeps the usagers not deleted.
CREATE FUNCTION usager_name_page(org bigint, wide boolean, terr bigint, p1 text, p2 text, lim int, off int,
                                 exact boolean)
  RETURNS TABLE (usr users, search_words text, total bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  SET plan_cache_mode = force_generic_plan
  AS $$
BEGIN
  RETURN QUERY
    SELECT u, m.search_words, m.total FROM usager_name_matches(org, wide, terr, p1, p2, lim, off, exact) m
      JOIN users u ON u.id = m.user_id;
END $$;

REVOKE EXECUTE ON FUNCTION usager_name_page(bigint, boolean, bigint, text, text, int, int, boolean) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION usager_name_page(bigint, boolean, bigint, text, text, int, int, boolean) TO rdv_app;
  END IF;
END $$;
ANALYZE user_profiles;
