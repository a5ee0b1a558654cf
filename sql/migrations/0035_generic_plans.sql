-- 0035 generic plans for the hot PL/pgSQL functions that lacked them (issue #9).
--
-- A PL/pgSQL function keeps the plans of its statements for the connection, but
-- with plan_cache_mode = auto a statement with parameters is planned again for its
-- first five calls on each connection (custom plans), and afterwards whenever its
-- generic estimate looks worse than the custom ones. Their generic plans are the
-- ones wanted whatever the values (the same indexes for every session token,
-- organisation, week or word), so they are forced, as for usager_name_matches
-- (0029) and address_search (0027):
--   * agent_request_context (0028): every agent page of every program;
--   * agenda_feed_rdvs (0028): the agenda feed ran it inside a transaction that
--     set plan_cache_mode locally (db_begin_generic); it now runs alone, in one
--     statement with the plages and absences (cgi-bin/booking/agenda.c);
--   * rdv_org_query (0029): the tsquery of every usager name search.
ALTER FUNCTION agent_request_context(bytea, interval, bigint, boolean) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION agenda_feed_rdvs(bigint, bigint[], float8, float8) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION rdv_org_query(bigint[], text) SET plan_cache_mode = force_generic_plan;

-- rdv_fold (0001) cannot be inlined: its body calls unaccent(), STABLE, and an
-- IMMUTABLE SQL function is inlined only when its body is immutable too. So every
-- statement calling it (rdv_name_pattern of each usager name search, the address
-- search's normalisation, the generated search columns) parsed and planned its
-- body again (fmgr_sql: 3 % of the CPU of the name search under load). The same
-- body in PL/pgSQL keeps its plan for the connection; same result, so the
-- generated columns and indexes built on it stay valid.
CREATE OR REPLACE FUNCTION rdv_fold(text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ BEGIN RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1)); END $$;
