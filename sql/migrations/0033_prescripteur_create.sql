-- 0033 a prescripteur's record is written through an owner function, so that the anonymous
-- role (rdv_app acting as 'public', which the prescripteur booking runs as) no longer reads
-- the table: 0031/0032 let 'public' read every prescripteur (name, e-mail, phone) because
-- the booking read its own row back with INSERT … RETURNING, which needs a read policy.
-- Agents keep reading the prescripteurs of the RDVs and seats they may read.
CREATE FUNCTION prescripteur_create(first_name text, last_name text, email text, phone_number text)
  RETURNS bigint
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ INSERT INTO prescripteurs (first_name, last_name, email, phone_number)
        VALUES (btrim(first_name), btrim(last_name), btrim(email), btrim(phone_number)) RETURNING id $$;

REVOKE EXECUTE ON FUNCTION prescripteur_create(text, text, text, text) FROM PUBLIC;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    RETURN;
  END IF;
  GRANT EXECUTE ON FUNCTION prescripteur_create(text, text, text, text) TO rdv_app;
  REVOKE INSERT ON prescripteurs FROM rdv_app;
  REVOKE USAGE, SELECT ON SEQUENCE prescripteurs_id_seq FROM rdv_app;
  DROP POLICY rls_insert ON prescripteurs;
  DROP POLICY rls_read ON prescripteurs;
  CREATE POLICY rls_read ON prescripteurs FOR SELECT TO rdv_app USING (
    EXISTS (SELECT 1 FROM rdvs r WHERE r.created_by_prescripteur_id = prescripteurs.id)
    OR EXISTS (SELECT 1 FROM participations p WHERE p.created_by_prescripteur_id = prescripteurs.id));
END $$;
