-- 0024 the usager list without a search (issue #9), fast under row-level security.
--
-- lib/usager.c listed an organisation's usagers by reading users in name order and
-- testing, for each of the 500 000 rows of the benchmark, the read policy of users
-- (0023: a probe of user_profiles) and the page's scope (another probe), then counted
-- them with count(*) OVER (): 0.45 s for an agent of one organisation, over 10 s (503)
-- for a territory admin who sees the whole territory.
-- The list now starts from user_profiles, in the order of the folded name words
-- (search_words, 0017, the order of the name search), through two btree indexes:
--   - (organisation_id, search_words, user_id): one organisation's page is an index
--     range, its total an index-only count;
--   - (search_words, user_id, organisation_id): throughout a territory, the names in
--     order, keeping the rows of the territory's organisations, until the page is full.
-- Counting the usagers of a whole territory would read every profile of it (about
-- 0.4 s): the territory-wide list reads lim + 1 rows and its total is exact only on the
-- last page; before it, the total is negative: -(off + lim + 1), "at least that many".
-- As usager_name_page (0022), a SECURITY DEFINER function reads the profiles as the
-- owner, within the organisations whose usagers the acting agent sees (rls_usager_orgs).

CREATE INDEX user_profiles_org_name ON user_profiles (organisation_id, search_words, user_id);
CREATE INDEX user_profiles_name_order ON user_profiles (search_words, user_id, organisation_id);

CREATE FUNCTION usager_list_page(org bigint, wide boolean, terr bigint, lim int, off int)
  RETURNS TABLE (user_id bigint, search_words text, total bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  orgs bigint[] := rls_usager_orgs();
BEGIN
  IF NOT wide THEN
    IF NOT org = ANY (orgs) THEN
      RETURN;
    END IF;
    RETURN QUERY
      SELECT p.user_id, p.search_words,
             (SELECT count(*) FROM user_profiles c WHERE c.organisation_id = org)
        FROM user_profiles p
       WHERE p.organisation_id = org
       ORDER BY p.search_words, p.user_id LIMIT lim OFFSET off;
  ELSE
    orgs := ARRAY(SELECT o.id FROM organisations o WHERE o.territory_id = terr AND o.id = ANY (orgs));
    RETURN QUERY
      WITH m AS MATERIALIZED (
        SELECT DISTINCT ON (p.search_words, p.user_id) p.user_id, p.search_words
          FROM user_profiles p
         WHERE p.organisation_id = ANY (orgs)
         ORDER BY p.search_words, p.user_id LIMIT lim + 1 OFFSET off)
      SELECT m.user_id, m.search_words,
             CASE WHEN (SELECT count(*) FROM m) > lim THEN -(off + lim + 1)::bigint
                  ELSE off + (SELECT count(*) FROM m) END
        FROM m ORDER BY m.search_words, m.user_id LIMIT lim;
  END IF;
END $$;

REVOKE EXECUTE ON FUNCTION usager_list_page(bigint, boolean, bigint, int, int) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION usager_list_page(bigint, boolean, bigint, int, int) TO rdv_app;
  END IF;
END $$;
ANALYZE user_profiles;
