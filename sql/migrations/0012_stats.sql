-- 0012 statistics that survive the retention purges: weekly aggregates per
-- organisation, refreshed from the live tables by stats_refresh() (nightly by the
-- worker, and at demo load). Weeks older than the refresh window are never
-- recomputed, so deleting old RDVs (GDPR purge) keeps their counts.
CREATE TABLE stats_weekly (
  week date NOT NULL,                    -- Monday of the week (Europe/Paris)
  territory_id bigint NOT NULL,
  organisation_id bigint NOT NULL,
  dimension text NOT NULL CHECK (dimension IN
    ('total', 'origin', 'status', 'service', 'motif', 'location_type', 'delay', 'agents', 'users')),
  key text NOT NULL,                     -- e.g. 'agent' for origin, 'noshow' for status
  value bigint NOT NULL,
  PRIMARY KEY (organisation_id, week, dimension, key)
);
CREATE INDEX ON stats_weekly (territory_id, week);
CREATE INDEX ON stats_weekly (week);

CREATE TABLE stats_refreshes (
  id bigserial PRIMARY KEY,
  since date NOT NULL,
  refreshed_at timestamptz NOT NULL DEFAULT now()
);

-- Recomputes every week from `since` (a date; its week) onwards. Idempotent.
-- RDVs are counted in the week of their creation ("RDV créés par semaine").
-- 'delay' holds the sum of days between booking and RDV (key 'days') and the
-- count (key 'rdvs'), so averages over any range are exact.
CREATE FUNCTION stats_refresh(since date) RETURNS void LANGUAGE sql AS $$
  DELETE FROM stats_weekly WHERE week >= date_trunc('week', since)::date;
  WITH r AS (
    SELECT rd.id, rd.organisation_id, o.territory_id,
           date_trunc('week', rd.created_at AT TIME ZONE 'Europe/Paris')::date AS week,
           rd.created_by_type, rd.status, rd.starts_at, rd.created_at,
           s.name AS service, m.name AS motif, m.location_type::text AS location_type
      FROM rdvs rd
      JOIN organisations o ON o.id = rd.organisation_id
      JOIN motifs m ON m.id = rd.motif_id
      JOIN services s ON s.id = m.service_id
     WHERE rd.created_at >= date_trunc('week', since)
  ), agg AS (
    SELECT week, territory_id, organisation_id, 'total' AS dimension, 'rdvs' AS key, count(*) AS value FROM r GROUP BY 1, 2, 3
    UNION ALL SELECT week, territory_id, organisation_id, 'origin', created_by_type, count(*) FROM r GROUP BY 1, 2, 3, 5
    UNION ALL SELECT week, territory_id, organisation_id, 'status',
           CASE WHEN status = 'unknown' AND starts_at < now() THEN 'unknown_past'
                WHEN status = 'unknown' THEN 'unknown_future' ELSE status::text END, count(*) FROM r GROUP BY 1, 2, 3, 5
    UNION ALL SELECT week, territory_id, organisation_id, 'service', service, count(*) FROM r GROUP BY 1, 2, 3, 5
    UNION ALL SELECT week, territory_id, organisation_id, 'motif', motif, count(*) FROM r GROUP BY 1, 2, 3, 5
    UNION ALL SELECT week, territory_id, organisation_id, 'location_type', location_type, count(*) FROM r GROUP BY 1, 2, 3, 5
    UNION ALL SELECT week, territory_id, organisation_id, 'delay', 'days',
           sum(greatest(0, extract(epoch FROM starts_at - created_at) / 86400))::bigint FROM r GROUP BY 1, 2, 3
    UNION ALL SELECT week, territory_id, organisation_id, 'delay', 'rdvs', count(*) FROM r GROUP BY 1, 2, 3
    UNION ALL SELECT r.week, r.territory_id, r.organisation_id, 'agents', 'active', count(DISTINCT ar.agent_id)
      FROM r JOIN agents_rdvs ar ON ar.rdv_id = r.id GROUP BY 1, 2, 3
    UNION ALL SELECT r.week, r.territory_id, r.organisation_id, 'users', 'distinct', count(DISTINCT p.user_id)
      FROM r JOIN participations p ON p.rdv_id = r.id GROUP BY 1, 2, 3
  )
  INSERT INTO stats_weekly (week, territory_id, organisation_id, dimension, key, value)
  SELECT week, territory_id, organisation_id, dimension, key, value FROM agg;
  INSERT INTO stats_refreshes (since) VALUES (since);
$$;
