-- 0032 prescripteurs, continued: a seat of a collective RDV taken by a prescripteur
-- (reference: participations.created_by) points at them like the RDV of 0031 does, and
-- the audit names who acted when it is neither an agent nor a usager
-- ("prescripteur <e-mail>").
ALTER TABLE participations ADD COLUMN created_by_prescripteur_id bigint REFERENCES prescripteurs;
CREATE INDEX ON participations (created_by_prescripteur_id) WHERE created_by_prescripteur_id IS NOT NULL;

ALTER TABLE audit ADD COLUMN actor text CHECK (length(actor) <= 300);

-- Agents read the prescripteurs of the RDVs and of the participations they may read
-- (both tables' own policies apply inside the EXISTS).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    RETURN;
  END IF;
  DROP POLICY rls_read ON prescripteurs;
  CREATE POLICY rls_read ON prescripteurs FOR SELECT TO rdv_app USING (
    rls_public() OR EXISTS (SELECT 1 FROM rdvs r WHERE r.created_by_prescripteur_id = prescripteurs.id)
    OR EXISTS (SELECT 1 FROM participations p WHERE p.created_by_prescripteur_id = prescripteurs.id));
END $$;
