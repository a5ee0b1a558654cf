-- 0023 row-level security: the users (and receipts) policies probe row by row.
--
-- 0014 wrote the agent's test on users as "id IN (SELECT p.user_id FROM user_profiles p)".
-- PostgreSQL plans that as a hashed sub-plan: every query touching users first read
-- every profile the agent may see (the whole territory for a territory-wide agent:
-- 0.5–0.9 s on the 500 000-usager benchmark, before the query's own work). The same
-- test as a correlated EXISTS is one index probe on user_profiles (user_id, …) per
-- users row actually read. Same rows allowed, same policies otherwise.

-- Who may write a users row (insert, update, delete): the same test as 0014's.
CREATE FUNCTION rls_users_writable(uid bigint, resp bigint) RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT rls_public() OR uid = ANY ((SELECT rls_family())::bigint[]) OR resp = rls_user()
           OR (rls_agent() IS NOT NULL AND (EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = uid)
               OR rls_user_orphan(uid))) $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    RETURN;
  END IF;
  GRANT EXECUTE ON FUNCTION rls_users_writable(bigint, bigint) TO rdv_app;
  DROP POLICY IF EXISTS rls_read ON users;
  DROP POLICY IF EXISTS rls_insert ON users;
  DROP POLICY IF EXISTS rls_update ON users;
  DROP POLICY IF EXISTS rls_delete ON users;
  -- (0014's rls_install helper is gone: the four policies spelled out)
  CREATE POLICY rls_read ON users FOR SELECT TO rdv_app USING (
    rls_public() OR id = ANY ((SELECT rls_family())::bigint[]) OR responsible_id = rls_user()
    OR (rls_agent() IS NOT NULL AND (EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = users.id)
        OR rls_user_orphan(id) OR rls_user_in_territory(id))));
  CREATE POLICY rls_insert ON users FOR INSERT TO rdv_app WITH CHECK (rls_users_writable(id, responsible_id));
  CREATE POLICY rls_update ON users FOR UPDATE TO rdv_app USING (rls_users_writable(id, responsible_id))
    WITH CHECK (rls_users_writable(id, responsible_id));
  CREATE POLICY rls_delete ON users FOR DELETE TO rdv_app USING (rls_users_writable(id, responsible_id));
END $$;

-- Receipts readable with their RDV (0016) had the same shape: every visible RDV hashed
-- before the first receipt.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    DROP POLICY IF EXISTS rls_read_rdv ON receipts;
    CREATE POLICY rls_read_rdv ON receipts FOR SELECT TO rdv_app
      USING (EXISTS (SELECT 1 FROM rdvs r WHERE r.id = receipts.rdv_id));
  END IF;
END $$;
