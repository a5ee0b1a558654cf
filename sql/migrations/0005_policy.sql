-- 0005 policy: who sees whose agenda, in SQL, so that list queries (agendas of
-- 800 agents, RDV lists, créneaux of several agents) filter in one statement.
-- lib/policy.c asks agenda_access_level() for one agenda; both functions
-- implement the same rule (tests/unit/test_policy.c checks they agree):
--
--   self                                                   → write (any org)
--   the owner has no role in org                           → none
--   the viewer is an intervenant in org                    → none (self only)
--   the viewer is admin of org                             → write
--   the viewer is basic in org and a secrétaire            → write
--   the viewer is basic in org and shares a service        → write (RDV-Solidarités' rule)
--   an explicit grant owner → viewer (agenda_accesses),
--     the viewer being an admin or basic agent of any
--     organisation of org's territory                      → the grant's level
--   otherwise                                              → none
--
-- Levels are ordered none < busy < read < write and the highest wins; every
-- default rule gives write, so a grant only matters when no default applies.
-- Deleted agents keep their roles: callers listing agents filter
-- agents.deleted_at themselves.
--
-- Both are plain SQL (STABLE, not STRICT) so that the planner inlines them
-- into the calling query; every lookup uses a primary key or an index:
-- agent_roles (agent_id, organisation_id), agent_services (agent_id,
-- service_id), agenda_accesses (owner_agent_id, grantee_agent_id).

-- 'write', 'read', 'busy' or 'none': the viewer's access to the owner's
-- agenda within organisation org.
CREATE FUNCTION agenda_access_level(viewer bigint, owner bigint, org bigint) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
SELECT CASE
  WHEN viewer = owner THEN 'write'
  WHEN NOT EXISTS (SELECT 1 FROM agent_roles o
                    WHERE o.agent_id = owner AND o.organisation_id = org) THEN 'none'
  WHEN EXISTS (SELECT 1 FROM agent_roles v
                WHERE v.agent_id = viewer AND v.organisation_id = org AND v.access_level = 'intervenant') THEN 'none'
  WHEN EXISTS (SELECT 1 FROM agent_roles v
                WHERE v.agent_id = viewer AND v.organisation_id = org
                  AND (v.access_level = 'admin'
                       OR EXISTS (SELECT 1 FROM agent_services vs JOIN services s ON s.id = vs.service_id
                                   WHERE vs.agent_id = viewer AND s.name = 'Secrétariat')
                       OR EXISTS (SELECT 1 FROM agent_services vs
                                    JOIN agent_services os ON os.service_id = vs.service_id
                                   WHERE vs.agent_id = viewer AND os.agent_id = owner))) THEN 'write'
  ELSE coalesce((
    SELECT g.level::text FROM agenda_accesses g
     WHERE g.owner_agent_id = owner AND g.grantee_agent_id = viewer
       AND EXISTS (SELECT 1 FROM organisations o
                     JOIN organisations vo ON vo.territory_id = o.territory_id
                     JOIN agent_roles v ON v.organisation_id = vo.id
                    WHERE o.id = org AND v.agent_id = viewer AND v.access_level <> 'intervenant')), 'none')
END
$$;

-- Every agenda of org the viewer may see, with its level (rows with 'none'
-- are left out). Owners are the agents with a role in org; the viewer's own
-- agenda is listed when the viewer has a role there.
CREATE FUNCTION visible_agendas(viewer bigint, org bigint)
  RETURNS TABLE (agent_id bigint, level text)
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
WITH me AS (
  -- the viewer's role in org (no row: none) and whether a secrétaire
  SELECT v.access_level::text AS role,
         EXISTS (SELECT 1 FROM agent_services vs JOIN services s ON s.id = vs.service_id
                  WHERE vs.agent_id = viewer AND s.name = 'Secrétariat') AS secretaire
    FROM agent_roles v WHERE v.agent_id = viewer AND v.organisation_id = org
), colleague AS (
  -- grants count only for admin or basic agents of org's territory
  SELECT EXISTS (SELECT 1 FROM organisations o
                   JOIN organisations vo ON vo.territory_id = o.territory_id
                   JOIN agent_roles v ON v.organisation_id = vo.id
                  WHERE o.id = org AND v.agent_id = viewer AND v.access_level <> 'intervenant') AS ok
), levels AS (
  SELECT r.agent_id,
         CASE
           WHEN r.agent_id = viewer THEN 'write'
           WHEN me.role = 'intervenant' THEN 'none'
           WHEN me.role = 'admin' THEN 'write'
           WHEN me.role = 'basic' AND me.secretaire THEN 'write'
           WHEN me.role = 'basic' AND EXISTS (SELECT 1 FROM agent_services vs
                                               JOIN agent_services os ON os.service_id = vs.service_id
                                              WHERE vs.agent_id = viewer AND os.agent_id = r.agent_id) THEN 'write'
           WHEN colleague.ok THEN coalesce(g.level::text, 'none')
           ELSE 'none'
         END AS level
    FROM agent_roles r
    LEFT JOIN me ON true
    CROSS JOIN colleague
    LEFT JOIN agenda_accesses g ON g.owner_agent_id = r.agent_id AND g.grantee_agent_id = viewer
   WHERE r.organisation_id = org
)
SELECT agent_id, level FROM levels WHERE level <> 'none'
$$;

-- Orders levels for comparisons in SQL (agenda_level_rank(x) >= 2: may read).
CREATE FUNCTION agenda_level_rank(level text) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE level WHEN 'write' THEN 3 WHEN 'read' THEN 2 WHEN 'busy' THEN 1 ELSE 0 END $$;
