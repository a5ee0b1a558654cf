-- 0014 row-level security: a second wall between organisations and between citizens.
--
-- lib/policy stays the first wall (every handler asks it). These policies catch what a
-- handler forgets: an agent of MDS d'Arras cannot read or change a row of MDS de Lens,
-- a citizen cannot read another family's RDVs, even through a query missing its
-- "AND organisation_id = $n".
--
-- Who is subject: the application role rdv_app (NOBYPASSRLS, not the owner). The owner
-- of the tables (the role that runs the migrations, the worker and rdv-ctl) is not:
-- RLS is ENABLEd, not FORCEd, so applying this migration changes nothing until the
-- FastCGI programs connect as rdv_app (DATABASE_URL=postgresql://rdv_app@…).
--
-- Who is acting: lib/rls.c sets, per request, on the connection
--   app.actor    'public' (nobody signed in: public pages, sign-in, links by secret token),
--                'agent' (agent session or API token) or 'user' (citizen session);
--   app.agent_id / app.user_id.
-- rdv_app with app.actor unset sees no row at all (fail closed).
--
-- Scope of the wall (see README, Sécurité):
--   - agents: personal data (rdvs, participations, user_profiles; users are readable
--     across the agent's territories, writable in its organisations), webhooks, audit,
--     outbox, receipts, stats: only the
--     organisations where the agent has a role or is territory admin (+ the agendas
--     explicitly shared with them for rdvs); writes on lieux, motifs, plages,
--     organisations, sector attributions: same organisations only. Public data (lieux,
--     motifs, plages, organisations, sector attributions, busy times in agents_rdvs)
--     stays readable: the public booking shows it anyway.
--   - citizens: rdvs, participations, users, user_profiles, file_attentes of their own
--     family (themselves and the relatives they are responsible for); collective RDVs.
--   - 'public' requests are not narrowed (links carry their own secret; sign-up and
--     sign-in look accounts up by e-mail): the application checks and the secrets are
--     the wall there.
-- RLS relies on app.* settings that the connection itself may change: it guards against
-- forgotten checks (logic bugs), not against arbitrary SQL run as rdv_app, which the
-- $n-only rule of lib/db prevents.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    CREATE ROLE rdv_app LOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE;
  ELSE
    ALTER ROLE rdv_app NOBYPASSRLS;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'rdv_app: cannot create or alter the role (%), ask the DBA: '
                'CREATE ROLE rdv_app LOGIN NOBYPASSRLS', SQLERRM;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'rdvs' AND tableowner = 'rdv_app') THEN
    RAISE WARNING 'rdv_app owns the tables: row-level security does not apply to it. '
                  'Run the migrations as another role (the owner) and the programs as rdv_app.';
  END IF;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO rdv_app', current_database());
    GRANT USAGE ON SCHEMA public TO rdv_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rdv_app;
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO rdv_app;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO rdv_app;
    -- tables of later migrations
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rdv_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO rdv_app;
    -- the migrations' bookkeeping is the owner's business
    REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM rdv_app;
  END IF;
END $$;

------------------------------------------------------------------ who is acting

CREATE FUNCTION rls_actor() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.actor', true), '') $$;

CREATE FUNCTION rls_public() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT rls_actor() = 'public' $$;

-- The signed-in agent, NULL unless app.actor = 'agent'.
CREATE FUNCTION rls_agent() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN rls_actor() = 'agent'
                    THEN nullif(current_setting('app.agent_id', true), '')::bigint END $$;

-- The signed-in citizen, NULL unless app.actor = 'user'.
CREATE FUNCTION rls_user() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN rls_actor() = 'user'
                    THEN nullif(current_setting('app.user_id', true), '')::bigint END $$;

-- The sets below are SECURITY DEFINER: they read membership tables as the owner (no
-- policy recursion) and return arrays, used in policies as (SELECT rls_…()) so that
-- PostgreSQL computes them once per statement, not once per row.

-- Organisations of the signed-in agent: a role there, or territory admin of it.
CREATE FUNCTION rls_orgs() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(DISTINCT o), '{}') FROM (
           SELECT organisation_id AS o FROM agent_roles WHERE agent_id = rls_agent()
           UNION ALL
           SELECT g.id FROM organisations g JOIN agent_territorial_roles t ON t.territory_id = g.territory_id
            WHERE t.agent_id = rls_agent()) s $$;

-- What the agent may read: its organisations, plus every organisation of a territory
-- where it holds the export right (allow_to_download_stats: territory-wide RDV exports
-- and statistics, as RDV-Solidarités). Writes stay on rls_orgs().
CREATE FUNCTION rls_read_orgs() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(DISTINCT o), '{}') FROM (
           SELECT unnest(rls_orgs()) AS o
           UNION ALL
           SELECT g.id FROM organisations g JOIN agent_territorial_access_rights t ON t.territory_id = g.territory_id
            WHERE t.agent_id = rls_agent() AND t.allow_to_download_stats) s $$;

-- Territories the agent administers (audit pages of the territory).
CREATE FUNCTION rls_territories() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(territory_id), '{}') FROM agent_territorial_roles
         WHERE agent_id = rls_agent() $$;

-- Organisations whose usagers the agent may see: its own, plus every organisation of a
-- territory that shares its usagers (visible_users_throughout_the_territory).
CREATE FUNCTION rls_usager_orgs() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(DISTINCT o), '{}') FROM (
           SELECT unnest(rls_orgs()) AS o
           UNION ALL
           SELECT g.id FROM organisations g JOIN territories t ON t.id = g.territory_id
            WHERE t.visible_users_throughout_the_territory
              AND EXISTS (SELECT 1 FROM agent_roles r JOIN organisations ro ON ro.id = r.organisation_id
                           WHERE r.agent_id = rls_agent() AND ro.territory_id = g.territory_id)) s $$;

-- Agents whose agenda the agent sees beyond its organisations: itself and the owners
-- of agendas explicitly shared with it (agenda_accesses, across the territory).
CREATE FUNCTION rls_granted_agents() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT array_append(coalesce(array_agg(owner_agent_id), '{}'), rls_agent())
          FROM agenda_accesses WHERE grantee_agent_id = rls_agent() $$;

-- Agents of the agent's organisations (an absence blocks its agent everywhere: its
-- colleagues' agendas and créneaux must see it).
CREATE FUNCTION rls_colleagues() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(DISTINCT agent_id), '{}') FROM agent_roles
         WHERE organisation_id = ANY (rls_orgs()) $$;

-- The citizen's family: itself and the relatives it is responsible for.
CREATE FUNCTION rls_family() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(id), '{}') FROM users
         WHERE rls_user() IS NOT NULL AND (id = rls_user() OR responsible_id = rls_user()) $$;

-- RDVs of the citizen's family (participations), or booked by the citizen.
CREATE FUNCTION rls_family_rdvs() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(DISTINCT rdv_id), '{}') FROM participations
         WHERE user_id = ANY (rls_family()) $$;

-- RDVs on the agendas shared with the agent, in any organisation.
CREATE FUNCTION rls_granted_rdvs() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(DISTINCT rdv_id), '{}') FROM agents_rdvs
         WHERE rls_agent() IS NOT NULL AND agent_id = ANY (rls_granted_agents()) $$;

-- A user with no profile in any organisation yet (just created, before its profile
-- row): visible to agents, or creating a usager would fail on its own RETURNING.
CREATE FUNCTION rls_user_orphan(uid bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT NOT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = uid) $$;

-- A usager known in a territory where the agent has a role (per row: only reached
-- for rows the cheaper tests above did not admit).
CREATE FUNCTION rls_user_in_territory(uid bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT EXISTS (SELECT 1 FROM user_profiles p JOIN organisations o ON o.id = p.organisation_id
                        JOIN organisations mine ON mine.territory_id = o.territory_id
                        JOIN agent_roles r ON r.organisation_id = mine.id
                       WHERE p.user_id = uid AND r.agent_id = rls_agent()) $$;

REVOKE EXECUTE ON FUNCTION rls_orgs(), rls_read_orgs(), rls_territories(), rls_usager_orgs(), rls_granted_agents(),
  rls_colleagues(), rls_family(), rls_family_rdvs(), rls_granted_rdvs(), rls_user_orphan(bigint),
  rls_user_in_territory(bigint) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION rls_orgs(), rls_read_orgs(), rls_territories(), rls_usager_orgs(), rls_granted_agents(),
      rls_colleagues(), rls_family(), rls_family_rdvs(), rls_granted_rdvs(), rls_user_orphan(bigint),
      rls_user_in_territory(bigint) TO rdv_app;
  END IF;
END $$;

------------------------------------------------------------------ the policies
-- Every policy is for rdv_app only; with RLS enabled any other non-owner role sees
-- nothing. Policies are permissive and OR-ed: "read" lists who may SELECT, "write"
-- who may INSERT / UPDATE / DELETE.

-- A helper for the repetitive case: one policy for SELECT and one for writes.
CREATE FUNCTION rls_install(tbl text, read_expr text, write_expr text) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE POLICY rls_read ON %I FOR SELECT TO rdv_app USING (%s)', tbl, read_expr);
  EXECUTE format('CREATE POLICY rls_insert ON %I FOR INSERT TO rdv_app WITH CHECK (%s)', tbl, write_expr);
  EXECUTE format('CREATE POLICY rls_update ON %I FOR UPDATE TO rdv_app USING (%s) WITH CHECK (%s)',
                 tbl, write_expr, write_expr);
  EXECUTE format('CREATE POLICY rls_delete ON %I FOR DELETE TO rdv_app USING (%s)', tbl, write_expr);
END $$;

-- Organisation-scoped write for agents.
-- "organisation_id = ANY ((SELECT rls_orgs())::bigint[])": the sub-select makes it an init plan.
SELECT rls_install('organisations',
  'rls_actor() <> ''''',
  'id = ANY ((SELECT rls_orgs())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND territory_id = ANY ((SELECT rls_territories())::bigint[]))');

SELECT rls_install(t,
  'rls_actor() <> ''''',
  'organisation_id = ANY ((SELECT rls_orgs())::bigint[])')
  FROM unnest(ARRAY['lieux', 'motifs', 'plages_ouverture', 'sector_attributions']) t;

SELECT rls_install('absences',
  'rls_public() OR rls_user() IS NOT NULL OR organisation_id IS NULL'
  ' OR organisation_id = ANY ((SELECT rls_orgs())::bigint[]) OR agent_id = ANY ((SELECT rls_colleagues())::bigint[])'
  ' OR agent_id = ANY ((SELECT rls_granted_agents())::bigint[])',
  'organisation_id = ANY ((SELECT rls_orgs())::bigint[]) OR (organisation_id IS NULL AND agent_id = rls_agent())');

SELECT rls_install('rdvs',
  'rls_public() OR organisation_id = ANY ((SELECT rls_read_orgs())::bigint[]) OR id = ANY ((SELECT rls_granted_rdvs())::bigint[])'
  ' OR (rls_user() IS NOT NULL AND (collectif OR created_by_user_id = rls_user()'
  '     OR id = ANY ((SELECT rls_family_rdvs())::bigint[])))',
  'rls_public() OR organisation_id = ANY ((SELECT rls_orgs())::bigint[]) OR id = ANY ((SELECT rls_granted_rdvs())::bigint[])'
  ' OR (rls_user() IS NOT NULL AND (collectif OR created_by_user_id = rls_user()'
  '     OR id = ANY ((SELECT rls_family_rdvs())::bigint[])))');

-- Busy times (no personal data): readable by all, the créneaux need every agent's.
SELECT rls_install('agents_rdvs',
  'rls_actor() <> ''''',
  'rls_public() OR EXISTS (SELECT 1 FROM rdvs r WHERE r.id = rdv_id)');

SELECT rls_install('participations',
  'rls_public() OR user_id = ANY ((SELECT rls_family())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND EXISTS (SELECT 1 FROM rdvs r WHERE r.id = rdv_id))',
  'rls_public() OR user_id = ANY ((SELECT rls_family())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND EXISTS (SELECT 1 FROM rdvs r WHERE r.id = rdv_id))');

SELECT rls_install('file_attentes',
  'rls_public() OR user_id = ANY ((SELECT rls_family())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND EXISTS (SELECT 1 FROM rdvs r WHERE r.id = rdv_id))',
  'rls_public() OR user_id = ANY ((SELECT rls_family())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND EXISTS (SELECT 1 FROM rdvs r WHERE r.id = rdv_id))');

-- Read: also which organisations of its territories know a usager (duplicate detection,
-- "add to my organisation"): per row, only for rows the organisation test refused.
SELECT rls_install('user_profiles',
  'rls_public() OR user_id = ANY ((SELECT rls_family())::bigint[]) OR organisation_id = ANY ((SELECT rls_usager_orgs())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND rls_user_in_territory(user_id))',
  'rls_public() OR user_id = ANY ((SELECT rls_family())::bigint[]) OR organisation_id = ANY ((SELECT rls_usager_orgs())::bigint[])');

-- The usager's identity is shared across the territory (duplicate detection and "add
-- to my organisation", as RDV-Solidarités); what an organisation knows of them
-- (user_profiles notes, RDVs) is not. Writes: only usagers of the agent's organisations.
SELECT rls_install('users',
  'rls_public() OR id = ANY ((SELECT rls_family())::bigint[]) OR responsible_id = rls_user()'
  ' OR (rls_agent() IS NOT NULL AND (id IN (SELECT p.user_id FROM user_profiles p)'
  '     OR rls_user_orphan(id) OR rls_user_in_territory(id)))',
  'rls_public() OR id = ANY ((SELECT rls_family())::bigint[]) OR responsible_id = rls_user()'
  ' OR (rls_agent() IS NOT NULL AND (id IN (SELECT p.user_id FROM user_profiles p)'
  '     OR rls_user_orphan(id)))');

-- Organisation-private tables. Inserts come from every kind of request (an outbox row
-- for a citizen's booking, an audit row), reads only from the organisation's agents.
-- The worker reads and updates outbox and receipts as the owner.
SELECT rls_install(t,
  'rls_public() OR rls_user() IS NOT NULL OR organisation_id = ANY ((SELECT rls_orgs())::bigint[])',
  'rls_actor() <> ''''')
  FROM unnest(ARRAY['outbox', 'receipts']) t;
-- (citizens' notifications insert with RETURNING, which needs the read policy: their
-- rows stay readable to citizen requests, which never list the outbox.)

SELECT rls_install('audit',
  'organisation_id = ANY ((SELECT rls_orgs())::bigint[])'
  ' OR (rls_agent() IS NOT NULL AND territory_id = ANY ((SELECT rls_territories())::bigint[]))',
  'rls_actor() <> ''''');

SELECT rls_install('webhook_endpoints',
  'rls_public() OR rls_user() IS NOT NULL OR organisation_id = ANY ((SELECT rls_orgs())::bigint[])',
  'organisation_id = ANY ((SELECT rls_orgs())::bigint[])');

SELECT rls_install('stats_weekly',
  'organisation_id = ANY ((SELECT rls_read_orgs())::bigint[])',
  'organisation_id = ANY ((SELECT rls_orgs())::bigint[])');

DROP FUNCTION rls_install(text, text, text);
