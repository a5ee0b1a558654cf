-- 0016 row-level security, switched on: what rdv_app needs beyond the policies of 0014.
--
-- The FastCGI programs now connect as rdv_app. Two legitimate operations reach rows the
-- acting agent cannot see, and one read was too narrow:
--
--   - merging two usagers moves everything of the merged record (participations in RDVs of
--     other organisations, profiles, proches, file d'attente, receipts, outbox) onto the
--     kept one; deleting a usager (and merging, for the merged record) erases its personal
--     data in every organisation. Under RLS the agent would move or erase only what its
--     organisations see, silently leaving the rest behind. Both run here, as SECURITY
--     DEFINER functions owned by the owner (not subject to RLS), which re-check the
--     actor's right themselves: an agent who sees the usager (a profile, or its
--     responsable's, in an organisation of rls_usager_orgs(), the same rule as lib/usager's
--     scope). lib/policy and lib/usager check first, as before.
--   - receipts (messages sent about an RDV) are readable with the RDV, whatever the row's
--     organisation_id says (the RDV page lists them).

-- The signed-in agent sees usager uid (or, for a proche, its responsable) in one of its
-- organisations.
CREATE FUNCTION rls_agent_sees_usager(uid bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$ SELECT rls_agent() IS NOT NULL AND EXISTS (
           SELECT 1 FROM users u JOIN user_profiles p ON p.user_id IN (u.id, u.responsible_id)
            WHERE u.id = uid AND p.organisation_id = ANY (rls_usager_orgs())) $$;

CREATE FUNCTION rls_require_usager(uid bigint) RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
BEGIN
  IF NOT rls_agent_sees_usager(uid) THEN
    RAISE EXCEPTION 'usager % is not visible to the acting agent', uid USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;

-- Moves everything of usager src onto usager keep, in every organisation (lib/usager.c,
-- usager_merge; the source is then erased with usager_erase).
CREATE FUNCTION usager_merge_moves(keep bigint, src bigint) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM rls_require_usager(keep);
  PERFORM rls_require_usager(src);
  -- the same RDV twice: the kept usager's participation stays
  DELETE FROM participations p WHERE p.user_id = src
     AND EXISTS (SELECT 1 FROM participations k WHERE k.rdv_id = p.rdv_id AND k.user_id = keep);
  UPDATE participations SET user_id = keep WHERE user_id = src;
  UPDATE rdvs SET users_count = (SELECT count(*) FROM participations p WHERE p.rdv_id = rdvs.id
                                    AND p.status NOT IN ('excused', 'revoked'))
   WHERE id IN (SELECT rdv_id FROM participations WHERE user_id = keep OR user_id = src);
  UPDATE rdvs SET created_by_user_id = keep WHERE created_by_user_id = src;
  INSERT INTO file_attentes (rdv_id, user_id, notifications_sent, last_creneau_sent_at, created_at)
  SELECT rdv_id, keep, notifications_sent, last_creneau_sent_at, created_at FROM file_attentes
   WHERE user_id = src ON CONFLICT DO NOTHING;
  UPDATE users SET responsible_id = NULL WHERE id = keep AND responsible_id = src;
  -- proches go to the kept usager, or to its responsable when it is itself a proche
  UPDATE users SET responsible_id = (SELECT coalesce(k.responsible_id, k.id) FROM users k WHERE k.id = keep)
   WHERE responsible_id = src AND id <> keep;
  INSERT INTO user_profiles (user_id, organisation_id, notes, created_at)
  SELECT keep, organisation_id, notes, created_at FROM user_profiles WHERE user_id = src
      ON CONFLICT (user_id, organisation_id) DO UPDATE
     SET notes = nullif(concat_ws(E'\n', user_profiles.notes, EXCLUDED.notes), '');
  INSERT INTO referent_assignations (user_id, agent_id)
  SELECT keep, agent_id FROM referent_assignations WHERE user_id = src ON CONFLICT DO NOTHING;
  UPDATE receipts SET user_id = keep WHERE user_id = src;
  UPDATE outbox SET user_id = keep WHERE user_id = src;
END $$;

-- Removes every personal datum of usager uid, in every organisation; what remains (the id,
-- participations, RDVs) feeds the statistics (lib/usager.c, anonymise).
CREATE FUNCTION usager_erase(uid bigint) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM rls_require_usager(uid);
  UPDATE users SET first_name = 'Usager', last_name = 'supprimé', birth_name = NULL, birth_date = NULL,
         email = NULL, phone_number = NULL, phone_number_formatted = NULL, address = NULL,
         address_details = NULL, post_code = NULL, city_code = NULL, city_name = NULL, street_ban_id = NULL,
         latitude = NULL, longitude = NULL, caisse_affiliation = NULL, affiliation_number = NULL,
         family_situation = NULL, number_of_children = NULL, logement = NULL, case_number = NULL,
         notify_by_sms = false, notify_by_email = false, responsible_id = NULL, password_hash = NULL,
         email_confirmed_at = NULL, deleted_at = coalesce(deleted_at, now()), updated_at = now()
   WHERE id = uid;
  DELETE FROM user_profiles WHERE user_id = uid;
  DELETE FROM referent_assignations WHERE user_id = uid;
  DELETE FROM file_attentes WHERE user_id = uid;
  DELETE FROM sessions WHERE user_id = uid;
  -- free text about an individual RDV may name the person
  UPDATE rdvs SET context = NULL WHERE NOT collectif AND context IS NOT NULL
     AND id IN (SELECT rdv_id FROM participations WHERE user_id = uid);
  UPDATE receipts SET recipient = NULL, content = NULL WHERE user_id = uid;
  DELETE FROM outbox WHERE user_id = uid AND status = 'queued' AND channel <> 'webhook';
  UPDATE outbox SET recipient = 'supprimé', payload = '{}'::jsonb WHERE user_id = uid AND channel <> 'webhook';
  UPDATE audit SET before = NULL, after = NULL WHERE item_type = 'user' AND item_id = uid;
END $$;

REVOKE EXECUTE ON FUNCTION rls_agent_sees_usager(bigint), rls_require_usager(bigint),
  usager_merge_moves(bigint, bigint), usager_erase(bigint) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION usager_merge_moves(bigint, bigint), usager_erase(bigint) TO rdv_app;
    CREATE POLICY rls_read_rdv ON receipts FOR SELECT TO rdv_app
      USING (rdv_id IN (SELECT r.id FROM rdvs r));
  END IF;
END $$;
