-- generate.sql - a département at scale for `make bench`, reproducible from a seed:
-- ≈ 40 organisations, 800 agents, 150 lieux, 300 motifs, a year of weekly plages,
-- absences, 200 000 RDVs, 500 000 usagers and a full département address file
-- (≈ 400 000 addresses). Loaded after the demo data (services come from it).
--
--   psql -v seed=0.42 -f tests/bench/generate.sql
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT setseed(:seed);
BEGIN;
SET LOCAL TimeZone = 'Europe/Paris';
SET LOCAL synchronous_commit = off;

SELECT EXISTS (SELECT 1 FROM territories WHERE departement_number = '99') AS bench_exists \gset
\if :bench_exists
\echo 'bench: données déjà présentes'
\else

SELECT (SELECT id FROM services WHERE short_name = 'PMI') AS pmi,
       (SELECT id FROM services WHERE short_name = 'SSOC') AS ssoc,
       date_trunc('week', current_date)::date - 26 * 7 AS w0 \gset

INSERT INTO territories (departement_number, name) VALUES ('99', 'Département de mesure') RETURNING id AS terr \gset
INSERT INTO territory_services (territory_id, service_id) VALUES (:terr, :pmi), (:terr, :ssoc);

INSERT INTO organisations (territory_id, name, phone_number, address)
SELECT :terr, 'MDS de mesure ' || i, '0321000' || lpad(i::text, 3, '0'), i || ' rue de la Mesure, 99000 Mesure'
  FROM generate_series(1, 40) i;
CREATE TEMP TABLE b_org AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM organisations WHERE territory_id = :terr;

INSERT INTO lieux (organisation_id, name, address, latitude, longitude)
SELECT o.id, 'Lieu ' || i, i || ' place du Lieu, 99000 Mesure', 50 + random(), 2 + random()
  FROM generate_series(1, 150) i JOIN b_org o ON o.n = 1 + (i - 1) % 40;

INSERT INTO agents (email, first_name, last_name, password_hash)
SELECT 'bench.agent' || i || '@bench.rdv-solidarites.fr', 'Agent', 'Mesure ' || i, :'demo_hash'
  FROM generate_series(1, 800) i;
CREATE TEMP TABLE b_agent AS
  SELECT id, row_number() OVER (ORDER BY id) AS n FROM agents WHERE email LIKE 'bench.agent%@bench.rdv-solidarites.fr';
INSERT INTO agent_roles (agent_id, organisation_id, access_level)
SELECT a.id, o.id, CASE WHEN a.n <= 40 THEN 'admin' ELSE 'basic' END::access_level
  FROM b_agent a JOIN b_org o ON o.n = 1 + (a.n - 1) % 40;
INSERT INTO agent_services (agent_id, service_id) SELECT id, CASE WHEN n % 2 = 0 THEN :pmi ELSE :ssoc END FROM b_agent;
INSERT INTO agent_territorial_roles (agent_id, territory_id) SELECT id, :terr FROM b_agent WHERE n = 1;

INSERT INTO motifs (organisation_id, service_id, name, default_duration_in_min, bookable_by, location_type)
SELECT o.id, CASE WHEN i % 2 = 0 THEN :pmi ELSE :ssoc END, 'Motif de mesure ' || i, 30, 'everyone', 'public_office'
  FROM generate_series(1, 300) i JOIN b_org o ON o.n = 1 + (i - 1) % 40;
-- Sectorisation, as a département sets it up: one sector per organisation, the 500 communes
-- of the address file dealt out in turn, every motif offered to the addresses of its sector.
INSERT INTO sectors (territory_id, name, human_id) SELECT :terr, 'Secteur de mesure ' || n, 'mesure-' || n FROM b_org;
INSERT INTO sector_attributions (sector_id, organisation_id, level)
SELECT s.id, o.id, 'organisation' FROM b_org o JOIN sectors s ON s.territory_id = :terr AND s.human_id = 'mesure-' || o.n;
INSERT INTO zones (sector_id, level, city_code, city_name)
SELECT s.id, 'city', (99000 + i)::text, 'Commune ' || (99000 + i)
  FROM generate_series(1, 500) i JOIN sectors s ON s.territory_id = :terr AND s.human_id = 'mesure-' || (1 + (i - 1) % 40);
UPDATE motifs SET sectorisation_level = 'organisation' WHERE organisation_id IN (SELECT id FROM b_org);

-- Two weekly plages per agent over a year (26 weeks back, 26 ahead), at a lieu of the organisation.
INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day, start_time, end_time,
                              recurrence, recurrence_ends_at)
SELECT ar.organisation_id, a.id,
       (SELECT l.id FROM lieux l WHERE l.organisation_id = ar.organisation_id ORDER BY l.id
         OFFSET (a.n % greatest(1, (SELECT count(*) FROM lieux l2 WHERE l2.organisation_id = ar.organisation_id))) LIMIT 1),
       p.title, :'w0'::date, p.s, p.e, p.rec::jsonb, :'w0'::date + 364
  FROM b_agent a JOIN agent_roles ar ON ar.agent_id = a.id
  CROSS JOIN (VALUES ('Matin', time '09:00', time '12:00', '{"every":"week","interval":1,"on":["monday","tuesday","thursday"]}'),
                     ('Après-midi', time '13:30', time '17:00', '{"every":"week","interval":1,"on":["monday","wednesday","friday"]}')) p(title, s, e, rec);
INSERT INTO plage_ouverture_motifs (plage_ouverture_id, motif_id)
SELECT po.id, m.id FROM plages_ouverture po
  JOIN agent_services s ON s.agent_id = po.agent_id
  JOIN motifs m ON m.organisation_id = po.organisation_id AND m.service_id = s.service_id
 WHERE po.organisation_id IN (SELECT id FROM b_org);

-- A weekly team meeting for one agent in ten, a week of leave for one in twenty.
INSERT INTO absences (agent_id, organisation_id, title, first_day, start_time, end_day, end_time, recurrence)
SELECT a.id, ar.organisation_id, 'Réunion d''équipe', :'w0'::date + 4, '09:00', :'w0'::date + 4, '10:00',
       '{"every":"week","interval":1,"on":["friday"]}'::jsonb
  FROM b_agent a JOIN agent_roles ar ON ar.agent_id = a.id WHERE a.n % 10 = 0;
INSERT INTO absences (agent_id, organisation_id, title, first_day, start_time, end_day, end_time)
SELECT a.id, ar.organisation_id, 'Congés', current_date + (a.n % 60)::int, '00:00', current_date + (a.n % 60)::int + 6, '23:59'
  FROM b_agent a JOIN agent_roles ar ON ar.agent_id = a.id WHERE a.n % 20 = 0;

-- 500 000 usagers, each known by one organisation. Names follow a Zipf-like law
-- (Zipf–Mandelbrot, P(rank k) ∝ 1/(k + q)) over 8 000 surnames and 2 000 first names:
-- the most common surname (Martin) is ≈ 0.4 % of the usagers, the most common first
-- name ≈ 1 %, as in France. The first ranks are real names, the others are built from
-- syllables by rank, so the whole is reproducible from the seed.
INSERT INTO users (first_name, last_name, birth_date, email, phone_number, phone_number_formatted,
                   address, post_code, city_code, city_name, created_through)
SELECT CASE WHEN fk <= 20
            THEN (ARRAY['Camille','Léa','Manon','Chloé','Inès','Lucas','Hugo','Louis','Nathan','Jules','Emma','Jade',
                        'Louise','Alice','Lina','Gabriel','Raphaël','Arthur','Adam','Sacha'])[fk]
            ELSE (ARRAY['Ma','Lé','No','Cla','Ju','Ro','Sa','Thé','Va','E','A','Lu','Gé','Pa','Ni','Ya','Ké','Mi','Sé',
                        'Da','Fa','Jo','Ti','Zo','Bé','Co','Ga','Hé','I','O','Ra','Si','Ta','Vi','Wa','Xa','Ay','El',
                        'Is','Ol'])[1 + fk % 40]
                 || (ARRAY['rie','lie','line','nne','bert','ric','mond','thieu','lène','rice','ël','anne','ette','is',
                           'ine','an','on','yne','ssa','ria','der','min','vin','lya','nor','dine','sie','nah','lio',
                           'mée','rine','tan','zia','bin','lou','phine','ron','dré','lan','cia','mir','tis','lia',
                           'rem','vy','tin','xime','rome','lix','nis'])[1 + (fk / 40) % 50]
       END,
       CASE WHEN lk <= 30
            THEN (ARRAY['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand','Leroy','Moreau',
                        'Simon','Laurent','Lefebvre','Michel','Garcia','David','Bertrand','Roux','Vincent','Fournier',
                        'Morel','Girard','André','Lefèvre','Mercier','Dupont','Lambert','Bonnet','François',
                        'Martinez'])[lk]
            ELSE (ARRAY['Bel','Car','Dan','Fon','Gal','Lar','Mor','Ro','Ver','Chau','Bou','Tes','Pel','Ri','Mar',
                        'Lé','Fé','Bè','Gau','Che','Da','Ha','Jo','Ker','Le','Ma','No','Pi','Que','Sa','Tho','Vau',
                        'Bri','Cro','Du','Es','Gre','Lan','Mé','Ro'])[1 + lk % 40]
                 || (ARRAY['ba','che','di','fa','gno','la','mi','nou','pe','que','ri','sa','te','vi','zé','bon','cor',
                           'del','fer','gal','lom','mar','nel','por','ran'])[1 + (lk / 40) % 25]
                 || (ARRAY['et','ier','ard','in','on','eau','aud','ot'])[1 + (lk / 1000) % 8]
       END
         || CASE WHEN i % 7 = 0 THEN '-' || (ARRAY['Lemaire','Caron','Dufour'])[1 + i % 3] ELSE '' END,
       date '1940-01-01' + (random() * 30000)::int,
       CASE WHEN i % 2 = 0 THEN 'usager.bench' || i || '@exemple.fr' END,
       '06' || lpad((i % 100000000)::text, 8, '0'), '+336' || lpad((i % 100000000)::text, 8, '0'),
       i || ' rue de la Mesure', '99000', '99' || lpad((i % 500)::text, 3, '0'), 'Commune ' || (i % 500), 'agent_creation'
  FROM (SELECT i, floor(21 * power(2020 / 21.0, random()) - 20)::int AS fk,
               floor(51 * power(8050 / 51.0, random()) - 50)::int AS lk
          FROM generate_series(1, 500000) i) n;
INSERT INTO user_profiles (user_id, organisation_id)
SELECT u.id, (SELECT id FROM b_org WHERE n = 1 + u.id % 40)
  FROM users u WHERE u.email LIKE 'usager.bench%' OR u.address LIKE '% rue de la Mesure';

-- 200 000 RDVs: 250 per agent on a weekly grid inside their morning plage (Mon, Tue, Thu),
-- never two at once for one agent (the exclusion constraint would refuse it).
CREATE TEMP TABLE b_rdv AS
SELECT a.id AS agent_id, ar.organisation_id,
       (SELECT m.id FROM motifs m JOIN agent_services s ON s.service_id = m.service_id AND s.agent_id = a.id
         WHERE m.organisation_id = ar.organisation_id ORDER BY m.id LIMIT 1) AS motif_id,
       (SELECT lieu_id FROM plages_ouverture po WHERE po.agent_id = a.id ORDER BY po.id LIMIT 1) AS lieu_id,
       ((:'w0'::date + 70 + (k / 6) * 7 + (ARRAY[0, 1, 3])[1 + k % 3]) + time '09:00'
         + ((k / 3) % 2 + a.n % 4) * interval '30 minutes') AT TIME ZONE 'Europe/Paris' AS starts_at,
       k
  FROM b_agent a JOIN agent_roles ar ON ar.agent_id = a.id CROSS JOIN generate_series(0, 249) k;
INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, status, created_by_type,
                  created_by_agent_id, created_at)
SELECT organisation_id, motif_id, lieu_id, starts_at, starts_at + interval '30 minutes',
       CASE WHEN starts_at > now() THEN 'unknown' WHEN k % 9 = 0 THEN 'noshow' WHEN k % 11 = 0 THEN 'excused'
            ELSE 'seen' END::rdv_status,
       CASE WHEN k % 3 = 0 THEN 'user' ELSE 'agent' END, agent_id, starts_at - (k % 40) * interval '1 day'
  FROM b_rdv;
INSERT INTO agents_rdvs (rdv_id, agent_id)
SELECT r.id, r.created_by_agent_id FROM rdvs r WHERE r.organisation_id IN (SELECT id FROM b_org);
-- one usager of the organisation per RDV, picked by number (no per-row scan)
CREATE TEMP TABLE b_up AS
  SELECT organisation_id, user_id, row_number() OVER (PARTITION BY organisation_id ORDER BY user_id) AS rn
    FROM user_profiles WHERE organisation_id IN (SELECT id FROM b_org);
CREATE INDEX ON b_up (organisation_id, rn);
CREATE TEMP TABLE b_upn AS SELECT organisation_id, count(*) AS cnt FROM b_up GROUP BY 1;
ANALYZE b_up;
-- Each RDV's profile number first, then one equality join on (organisation, number): joining on the
-- expression directly let the planner hash on the organisation alone (minutes instead of seconds).
CREATE TEMP TABLE b_pick AS
SELECT r.id AS rdv_id, r.status, r.organisation_id, 1 + r.id % n.cnt AS rn
  FROM rdvs r JOIN b_upn n ON n.organisation_id = r.organisation_id;
ANALYZE b_pick;
INSERT INTO participations (rdv_id, user_id, status)
SELECT p.rdv_id, up.user_id, p.status
  FROM b_pick p JOIN b_up up ON up.organisation_id = p.organisation_id AND up.rn = p.rn;

-- A full département's address base: 500 communes × 200 streets × 4 numbers.
INSERT INTO addresses (id, numero, nom_voie, code_postal, code_insee, nom_commune, street_id, lon, lat, label)
SELECT id, n::text, voie, cp, c::text, 'Commune ' || c, street, 2 + random(), 50 + random(),
       n || ' ' || voie || ' ' || cp || ' Commune ' || c
  FROM (SELECT c, s, n, c || '_' || lpad(s::text, 4, '0') || '_' || lpad(n::text, 5, '0') AS id,
               c || '_' || lpad(s::text, 4, '0') AS street, '99' || lpad((c % 1000)::text, 3, '0') AS cp,
               (ARRAY['Rue','Avenue','Boulevard','Place','Chemin','Allée','Impasse','Route'])[1 + s % 8] || ' '
                 || (ARRAY['de la République','Jean Jaurès','Victor Hugo','Pasteur','du Général de Gaulle','des Écoles',
                           'de l''Église','du Moulin','des Lilas','Gambetta','de la Gare','Voltaire','Émile Zola',
                           'des Tilleuls','du Stade','Saint-Martin','de Verdun','des Peupliers','Carnot','du Château'])[1 + s % 20]
                 || CASE WHEN s >= 20 THEN ' ' || s ELSE '' END AS voie
          FROM (SELECT 99000 + i AS c FROM generate_series(1, 500) i) cc, generate_series(1, 200) s,
               generate_series(1, 4) n) x;
\endif
COMMIT;
ANALYZE;
