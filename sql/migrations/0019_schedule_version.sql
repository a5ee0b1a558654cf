-- 0019 schedule version: a counter that changes with every committed write to
-- what the créneaux engine reads (lib/creneaux.c keeps, per process, the
-- plages/absences/RDVs it loaded, and reuses them while the counter has not
-- moved).
--
-- Correctness rests on visibility: the bump is part of the writing transaction,
-- so a reader sees the new version exactly when it sees the new rows. A reader
-- reads the version first, then the data: data at least as new as the version
-- it is stored under, never older.
--
-- The bump runs at COMMIT (deferred constraint trigger), once per transaction
-- (a transaction-local setting remembers it): the row lock on the counter is
-- held only while committing, after every other lock of the transaction has
-- been taken, so two writers cannot deadlock on it; they only queue for the
-- few microseconds of each other's commit.
CREATE TABLE schedule_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL
);
INSERT INTO schedule_version (id, version) VALUES (true, 1);

CREATE FUNCTION schedule_version_bump() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_LEVEL = 'ROW' AND current_setting('rdv.schedule_bumped', true) = 'on' THEN
    RETURN NULL;
  END IF;
  UPDATE schedule_version SET version = version + 1;
  PERFORM set_config('rdv.schedule_bumped', 'on', true);
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['motifs', 'lieux', 'plages_ouverture', 'plage_ouverture_motifs',
                           'plage_ouverture_exceptions', 'absences', 'absence_exceptions', 'rdvs', 'agents_rdvs']
  LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I'
                   ' DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION schedule_version_bump()',
                   t || '_schedule_version', t);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_version_bump()',
                   t || '_schedule_version_truncate', t);
  END LOOP;
END
$$;

-- Of agents the engine reads only deleted_at: a sign-in (last_sign_in_at) or a
-- token change must not empty every cache of the département.
CREATE CONSTRAINT TRIGGER agents_schedule_version AFTER INSERT OR DELETE OR UPDATE OF deleted_at ON agents
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION schedule_version_bump();

-- The application role (0014) reads the counter and bumps it through the triggers.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT SELECT, UPDATE ON schedule_version TO rdv_app;
  END IF;
END
$$;
