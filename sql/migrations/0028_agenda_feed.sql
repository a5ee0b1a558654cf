-- 0028 the agent agenda feed read by the owner (issue #9).
--
-- The week's RDVs of the agents shown in an agenda (cgi-bin/booking/agenda.c), read as
-- rdv_app, paid the row-level policies of rdvs, participations, users and user_profiles
-- on every row (the participants' names: a policy sub-plan per participation and per
-- user): 3–4 ms of a 0.25 ms query. This function reads them as the owner and applies
-- the very same rules itself, once per call instead of once per row (the arrays as
-- init plans: computed once, and only when a row needs them — org itself is in every
-- one of them, the viewer being a member), so that it never returns a row rdv_app
-- could not read under the policies:
--   * an agent actor only, a member of org, and only agents of org (the page shows
--     no one else; which of them the viewer may see, and in how much detail, is
--     visible_agendas, asked by the page in the same transaction);
--   * an RDV when rdv_app would see it: its organisation is one the agent may read
--     (rls_read_orgs) or one of its agents shares its agenda with the viewer
--     (rls_granted_agents; rls_granted_rdvs is the same set, as an array);
--   * a participant's name when rdv_app would see that usager: a profile in an
--     organisation whose usagers the agent sees (rls_usager_orgs), a profile in one of
--     its territories (rls_user_in_territory), or no profile yet (rls_user_orphan).
-- Same columns and order as the query it replaces; tests/unit/test_rls.c compares
-- both, row for row, for an agent looking at every agent of two organisations.
CREATE FUNCTION agenda_feed_rdvs(org bigint, agent_ids bigint[], t_from float8, t_to float8)
  RETURNS TABLE (id bigint, starts_at bigint, ends_at bigint, status text, motif text, color text,
                 organisation_id bigint, agent_id bigint, lieu text, name text, users text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  viewer bigint := rls_agent();
BEGIN
  IF viewer IS NULL OR NOT EXISTS (SELECT 1 FROM agent_roles v WHERE v.agent_id = viewer AND v.organisation_id = org) THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT r.id, extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint,
           r.status::text, m.name, m.color, r.organisation_id, ar.agent_id, coalesce(l.name, ''),
           coalesce(r.name, ''),
           coalesce((SELECT string_agg(trim(u.first_name || ' ' || u.last_name), ', ' ORDER BY u.last_name)
                       FROM participations p JOIN users u ON u.id = p.user_id
                      WHERE p.rdv_id = r.id AND p.status NOT IN ('excused', 'revoked')
                        AND (EXISTS (SELECT 1 FROM user_profiles up
                                      WHERE up.user_id = u.id AND (up.organisation_id = org
                                           OR up.organisation_id = ANY ((SELECT rls_usager_orgs())::bigint[])))
                             OR rls_user_in_territory(u.id) OR rls_user_orphan(u.id))), '')
      FROM agents_rdvs ar JOIN rdvs r ON r.id = ar.rdv_id JOIN motifs m ON m.id = r.motif_id
      LEFT JOIN lieux l ON l.id = r.lieu_id
     WHERE ar.agent_id = ANY (agent_ids)
       AND EXISTS (SELECT 1 FROM agent_roles o WHERE o.agent_id = ar.agent_id AND o.organisation_id = org)
       -- agents_rdvs carries the RDV's times (index agent_id, starts_at): an RDV lasts
       -- at most 12 h, so the lower bound keeps the scan short
       AND ar.starts_at < to_timestamp(t_to) AND ar.starts_at > to_timestamp(t_from) - interval '12 hours'
       AND ar.ends_at > to_timestamp(t_from)
       AND (r.organisation_id = org OR r.organisation_id = ANY ((SELECT rls_read_orgs())::bigint[])
            OR EXISTS (SELECT 1 FROM agents_rdvs g
                        WHERE g.rdv_id = r.id AND g.agent_id = ANY ((SELECT rls_granted_agents())::bigint[])))
     ORDER BY r.starts_at, r.id;
END $$;

REVOKE EXECUTE ON FUNCTION agenda_feed_rdvs(bigint, bigint[], float8, float8) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION agenda_feed_rdvs(bigint, bigint[], float8, float8) TO rdv_app;
  END IF;
END $$;

-- The arrays the policies (and the function above) start from were SQL functions: a
-- SECURITY DEFINER SQL function is never inlined, and PostgreSQL parses and plans its
-- body again on every call — the init plans of every policy-filtered query, and most
-- of this function's time. The same bodies, unchanged, wrapped in PL/pgSQL, keep their
-- plan for the connection. Owner, privileges and the policies that call them stay.
DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['rls_orgs', 'rls_read_orgs', 'rls_granted_agents', 'rls_usager_orgs'] LOOP
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS bigint[] LANGUAGE plpgsql STABLE SECURITY DEFINER'
                   ' SET search_path = public, pg_temp AS %L', f,
                   'BEGIN RETURN (' || (SELECT p.prosrc FROM pg_proc p
                                        WHERE p.proname = f AND p.pronamespace = 'public'::regnamespace
                                          AND p.pronargs = 0) || '); END');
  END LOOP;
END $$;

-- A signed-in agent's request context in one round trip (lib/auth.c
-- auth_agent_context, for every agent page of every program): the live session
-- (token hash, idle and absolute expiry, agent not deleted), the agent's names, its
-- role in the organisation of the page (p_org; NULL when it has none) with that
-- organisation's name and territory, and — p_declare — the RLS actor set by the same
-- statement: 'public' first, the agent only once its session is found, so a failed
-- lookup leaves 'public' (and a failed statement sets nothing: one transaction).
-- sessions and agent_roles carry no policy; the owner reads organisations.
CREATE FUNCTION agent_request_context(p_token bytea, p_idle interval, p_org bigint, p_declare boolean)
  RETURNS TABLE (session_id bigint, agent_id bigint, csrf_token text, first_name text, last_name text,
                 email text, stale boolean, org_level text, org_name text, territory_id bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF p_declare THEN
    PERFORM set_config('app.actor', 'public', false), set_config('app.agent_id', '0', false),
            set_config('app.user_id', '0', false);
  END IF;
  SELECT s.id, s.agent_id, s.csrf_token, a.first_name, a.last_name, a.email,
         s.last_seen_at < now() - interval '1 minute', ar.access_level::text, o.name, o.territory_id
    INTO session_id, agent_id, csrf_token, first_name, last_name, email, stale, org_level, org_name, territory_id
    FROM sessions s JOIN agents a ON a.id = s.agent_id
    LEFT JOIN agent_roles ar ON ar.agent_id = s.agent_id AND ar.organisation_id = p_org
    LEFT JOIN organisations o ON o.id = ar.organisation_id
   WHERE s.token_hash = p_token AND s.agent_id IS NOT NULL AND s.expires_at > now()
     AND s.last_seen_at > now() - p_idle AND a.deleted_at IS NULL;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF p_declare THEN
    PERFORM set_config('app.actor', 'agent', false), set_config('app.agent_id', agent_id::text, false);
  END IF;
  RETURN NEXT;
END $$;

REVOKE EXECUTE ON FUNCTION agent_request_context(bytea, interval, bigint, boolean) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION agent_request_context(bytea, interval, bigint, boolean) TO rdv_app;
  END IF;
END $$;
