-- 0020 row-level security: the family cell across organisations.
--
-- A proche lives in every organisation of its responsable (lib/usager.c, creating a
-- proche and moving one to another responsable). Under RLS an agent may write profiles
-- only in its own organisations, so the profiles in the responsable's other
-- organisations of the territory were refused. This SECURITY DEFINER function (owner,
-- search_path pinned) adds them after re-checking that the acting agent sees the proche
-- (rls_require_usager, 0016); lib/usager checks the agent's rights first, as before.
CREATE FUNCTION usager_family_profiles(proche bigint) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM rls_require_usager(proche);
  INSERT INTO user_profiles (user_id, organisation_id)
  SELECT u.id, p.organisation_id FROM users u JOIN user_profiles p ON p.user_id = u.responsible_id
   WHERE u.id = proche
  ON CONFLICT DO NOTHING;
END $$;

REVOKE EXECUTE ON FUNCTION usager_family_profiles(bigint) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION usager_family_profiles(bigint) TO rdv_app;
  END IF;
END $$;
