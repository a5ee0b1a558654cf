-- 0031 prescripteurs (reference: prescripteurs, rdvs.created_by): third parties (social
-- workers, partners) who book for someone else from /prendre_rdv_prescripteur, without
-- an account. Each booking stores who booked (name, e-mail, phone: the agents call them
-- back) and the RDV points at it with created_by_type = 'prescripteur'.
CREATE TABLE prescripteurs (
  id bigserial PRIMARY KEY,
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  email citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  phone_number text NOT NULL CHECK (length(phone_number) BETWEEN 1 AND 40),
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE rdvs ADD COLUMN created_by_prescripteur_id bigint REFERENCES prescripteurs;
CREATE INDEX ON rdvs (created_by_prescripteur_id) WHERE created_by_prescripteur_id IS NOT NULL;

-- Row-level security as its neighbours (0014): the public booking inserts (and reads
-- back its RETURNING); agents read the prescripteurs of the RDVs they may read; nobody
-- updates or deletes through rdv_app.
ALTER TABLE prescripteurs ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    RETURN;
  END IF;
  GRANT SELECT, INSERT ON prescripteurs TO rdv_app;
  GRANT USAGE, SELECT ON SEQUENCE prescripteurs_id_seq TO rdv_app;
  CREATE POLICY rls_read ON prescripteurs FOR SELECT TO rdv_app USING (
    rls_public() OR EXISTS (SELECT 1 FROM rdvs r WHERE r.created_by_prescripteur_id = prescripteurs.id));
  CREATE POLICY rls_insert ON prescripteurs FOR INSERT TO rdv_app WITH CHECK (rls_public());
END $$;
