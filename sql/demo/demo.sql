-- Demo data set: the Pas-de-Calais territory with five organisations, their agents,
-- lieux, motifs, plages d'ouverture, absences, ~300 usagers, ~600 RDVs, sectorisation
-- and a small extract-like address base.
--
--   psql -v ON_ERROR_STOP=1 -v demo_hash=<argon2id string> \
--        -v ban_csv=<absolute path of sql/demo/adresses-62-demo.csv> -f sql/demo/demo.sql
--
-- Idempotent: nothing happens when the territory already exists. One transaction.
-- Deterministic: every choice is modular arithmetic on row numbers (no random()), and
-- dates are relative to the day of loading (plages start 8 weeks before the current
-- week, RDVs run from 8 weeks ago to 6 weeks ahead). RDVs are placed inside plage
-- occurrences of their agent, on a grid (plage start + k × motif duration), so an agent
-- never has two active RDVs at once; public holidays and absences are left free.
-- demo_hash is the password hash of every agent who can sign in and of the demo usager.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

BEGIN;
SET LOCAL TimeZone = 'Europe/Paris';

SELECT EXISTS (SELECT 1 FROM territories WHERE name = 'Pas-de-Calais' OR departement_number = '62')
       AS demo_exists \gset

\if :demo_exists
\echo 'demo: le territoire Pas-de-Calais existe déjà, rien à faire.'
\else

-- Dates: w0 = Monday 8 weeks before the current week (first day of the plages),
-- cw = Monday of the current week, win_end = last day of generated RDVs.
SELECT (date_trunc('week', current_date)::date - 56) AS w0,
       date_trunc('week', current_date)::date AS cw,
       current_date + 42 AS win_end \gset

----------------------------------------------------------------- address base (BAN)
CREATE TEMP TABLE ban_import (
  id text, id_fantoir text, numero text, rep text, nom_voie text, code_postal text,
  code_insee text, nom_commune text, code_insee_ancienne_commune text,
  nom_ancienne_commune text, x text, y text, lon text, lat text, type_position text,
  alias text, nom_ld text, libelle_acheminement text, nom_afnor text,
  source_position text, source_nom_voie text, certification_commune text, cad_parcelles text
) ON COMMIT DROP;

-- psql does not interpolate variables in \copy arguments: build the command, then run it.
\set copy_cmd '\\copy ban_import FROM ' :'ban_csv' ' WITH (FORMAT csv, DELIMITER '';'', HEADER true)'
:copy_cmd

INSERT INTO addresses (id, numero, rep, nom_voie, code_postal, code_insee, nom_commune,
                       street_id, lon, lat, label)
SELECT id, numero, nullif(rep, ''), nom_voie, code_postal, code_insee, nom_commune,
       id_fantoir, lon::double precision, lat::double precision,
       concat_ws(' ', numero || coalesce(' ' || nullif(rep, ''), ''), nom_voie, code_postal, nom_commune)
  FROM ban_import
ON CONFLICT DO NOTHING;

------------------------------------------------------------------------- territory
INSERT INTO territories (departement_number, name, phone_number, sms_sender_name,
                         enable_case_number, created_at)
VALUES ('62', 'Pas-de-Calais', '03 21 21 62 62', 'PasDeCalais', true, now() - interval '2 years')
RETURNING id AS terr \gset

INSERT INTO services (name, short_name) VALUES
  ('PMI (Protection Maternelle Infantile)', 'PMI'),
  ('Service social', 'SSOC'),
  ('Secrétariat', 'SEC'),
  ('CPEF (Centre de planification)', 'CPEF'),
  ('Protection de l''enfance', 'ASE')
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE svc (k text PRIMARY KEY, id bigint NOT NULL) ON COMMIT DROP;
INSERT INTO svc
SELECT v.k, (SELECT s.id FROM services s WHERE s.name = v.name OR s.short_name = v.k
              ORDER BY s.name = v.name DESC LIMIT 1)
  FROM (VALUES ('PMI', 'PMI (Protection Maternelle Infantile)'), ('SSOC', 'Service social'),
               ('SEC', 'Secrétariat'), ('CPEF', 'CPEF (Centre de planification)'),
               ('ASE', 'Protection de l''enfance')) v(k, name);

INSERT INTO territory_services (territory_id, service_id) SELECT :terr, id FROM svc;

--------------------------------------------------------------------- organisations
CREATE TEMP TABLE org (
  k text PRIMARY KEY, id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('organisations', 'id')),
  name text, phone text, email text, addr_id text, ext text, horaires text, website text
) ON COMMIT DROP;
INSERT INTO org (k, name, phone, email, addr_id, ext, horaires, website) VALUES
  ('arras', 'MDS d''Arras', '03 21 21 47 00', 'mds.arras@demo.rdv-solidarites.fr',
   '62041_0460_00037', 'mds-arras', 'Du lundi au vendredi de 9h à 12h et de 13h30 à 17h',
   'https://www.pasdecalais.fr'),
  ('lens', 'MDS de Lens', '03 21 14 35 00', 'mds.lens@demo.rdv-solidarites.fr',
   '62498_0040_00021', 'mds-lens', 'Du lundi au vendredi de 8h30 à 12h et de 13h30 à 17h', NULL),
  ('bethune', 'MDS de Béthune', '03 21 61 22 00', 'mds.bethune@demo.rdv-solidarites.fr',
   '62119_0030_00027', 'mds-bethune', 'Du lundi au vendredi de 9h à 12h et de 13h30 à 17h', NULL),
  ('calais', 'PMI de Calais', '03 21 00 41 20', 'pmi.calais@demo.rdv-solidarites.fr',
   '62193_0370_00031', 'pmi-calais', 'Lundi, mercredi, vendredi de 9h à 12h ; mardi et jeudi de 13h30 à 17h', NULL),
  ('boulogne', 'CPEF de Boulogne-sur-Mer', '03 21 99 12 30', 'cpef.boulogne@demo.rdv-solidarites.fr',
   '62160_0340_00015', 'cpef-boulogne', 'Du lundi au vendredi de 9h à 17h, sans interruption le mercredi', NULL);

INSERT INTO organisations (id, territory_id, name, phone_number, email, address, website, horaires,
                           external_id, created_at)
SELECT o.id, :terr, o.name, o.phone, o.email, a.label, o.website, o.horaires, o.ext,
       now() - interval '2 years'
  FROM org o JOIN addresses a ON a.id = o.addr_id;

---------------------------------------------------------------------------- agents
-- k, login (NULL: prenom.nom@…, '-': intervenant without login), names, services, roles
CREATE TEMP TABLE ag (
  k text PRIMARY KEY, id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('agents', 'id')),
  login text, first_name text, last_name text, services text[], orgs text[], levels text[],
  ord serial
) ON COMMIT DROP;
INSERT INTO ag (k, login, first_name, last_name, services, orgs, levels) VALUES
  -- MDS d'Arras
  ('territoire', 'admin.territoire', 'Christine', 'Delcroix', '{SSOC}', '{arras}', '{admin}'),
  ('admin_arras', 'admin.arras', 'Sophie', 'Martin', '{PMI,SSOC}', '{arras}', '{admin}'),
  ('sec_arras', 'secretariat.arras', 'Nathalie', 'Petit', '{SEC}', '{arras}', '{basic}'),
  ('pmi', 'agent.pmi', 'Julie', 'Lefebvre', '{PMI}', '{arras}', '{basic}'),
  ('social', 'agent.social', 'Karima', 'Benali', '{SSOC}', '{arras}', '{basic}'),
  ('lemaire', NULL, 'Pierre', 'Lemaire', '{PMI}', '{arras,bethune}', '{basic,basic}'),
  ('roussel', NULL, 'Isabelle', 'Roussel', '{PMI}', '{arras}', '{basic}'),
  ('caron', NULL, 'Thomas', 'Caron', '{SSOC}', '{arras}', '{basic}'),
  ('delattre', NULL, 'Émilie', 'Delattre', '{SSOC}', '{arras}', '{basic}'),
  ('vasseur', NULL, 'Mathilde', 'Vasseur', '{ASE}', '{arras}', '{basic}'),
  ('intervenant', '-', 'Hélène', 'Morel', '{PMI}', '{arras}', '{intervenant}'),
  -- MDS de Lens
  ('lens_admin', 'agent.lens', 'Olivier', 'Lambert', '{SSOC}', '{lens}', '{admin}'),
  ('lens_basic', 'basic.lens', 'Céline', 'Duhamel', '{PMI}', '{lens}', '{basic}'),
  ('leroy', NULL, 'Sandrine', 'Leroy', '{PMI}', '{lens}', '{basic}'),
  ('dumont', NULL, 'Kévin', 'Dumont', '{SSOC}', '{lens}', '{basic}'),
  ('boulanger', NULL, 'Aurélie', 'Boulanger', '{SSOC}', '{lens}', '{basic}'),
  ('carpentier', NULL, 'Hélène', 'Carpentier', '{SEC}', '{lens}', '{basic}'),
  ('kowalski', NULL, 'Agnieszka', 'Kowalski', '{PMI}', '{lens}', '{basic}'),
  -- MDS de Béthune
  ('lemoine', NULL, 'Valérie', 'Lemoine', '{PMI}', '{bethune}', '{admin}'),
  ('hennebelle', NULL, 'Nicolas', 'Hennebelle', '{PMI}', '{bethune}', '{basic}'),
  ('dufour', NULL, 'Audrey', 'Dufour', '{SSOC}', '{bethune}', '{basic}'),
  ('morel', NULL, 'Sébastien', 'Morel', '{SSOC}', '{bethune}', '{basic}'),
  ('delannoy', NULL, 'Camille', 'Delannoy', '{ASE}', '{bethune}', '{basic}'),
  ('wattez', NULL, 'Brigitte', 'Wattez', '{SEC}', '{bethune}', '{basic}'),
  ('mansouri', NULL, 'Rachid', 'Mansouri', '{SSOC}', '{bethune}', '{basic}'),
  -- PMI de Calais
  ('bernard', NULL, 'Frédéric', 'Bernard', '{PMI}', '{calais}', '{admin}'),
  ('vandamme', NULL, 'Laetitia', 'Vandamme', '{PMI}', '{calais}', '{basic}'),
  ('lecomte', NULL, 'Morgane', 'Lecomte', '{PMI}', '{calais}', '{basic}'),
  ('fournier', NULL, 'Patricia', 'Fournier', '{SEC}', '{calais}', '{basic}'),
  ('delpierre', NULL, 'Jérôme', 'Delpierre', '{PMI}', '{calais}', '{basic}'),
  -- CPEF de Boulogne-sur-Mer
  ('deschamps', NULL, 'Anne', 'Deschamps', '{CPEF}', '{boulogne}', '{admin}'),
  ('lefort', NULL, 'Marion', 'Lefort', '{CPEF}', '{boulogne}', '{basic}'),
  ('baillet', NULL, 'Pauline', 'Baillet', '{CPEF}', '{boulogne}', '{basic}'),
  ('marquis', NULL, 'Chantal', 'Marquis', '{SEC}', '{boulogne}', '{basic}'),
  ('belkacem', NULL, 'Yasmina', 'Belkacem', '{CPEF}', '{boulogne}', '{basic}');

INSERT INTO agents (id, email, first_name, last_name, password_hash, invitation_sent_at,
                    invitation_accepted_at, last_sign_in_at, created_at)
SELECT id,
       CASE WHEN login = '-' THEN NULL
            ELSE coalesce(login, regexp_replace(rdv_fold(first_name), '[^a-z0-9]+', '-', 'g') || '.'
                                 || regexp_replace(rdv_fold(last_name), '[^a-z0-9]+', '-', 'g'))
                 || '@demo.rdv-solidarites.fr' END,
       first_name, last_name,
       CASE WHEN login = '-' THEN NULL ELSE :'demo_hash' END,
       CASE WHEN login = '-' THEN NULL ELSE now() - make_interval(days => 400 + ord * 5) END,
       CASE WHEN login = '-' THEN NULL ELSE now() - make_interval(days => 398 + ord * 5) END,
       CASE WHEN login = '-' THEN NULL ELSE now() - make_interval(hours => 3 + ord * 7) END,
       now() - make_interval(days => 400 + ord * 5)
  FROM ag;

INSERT INTO agent_services (agent_id, service_id)
SELECT ag.id, svc.id FROM ag, unnest(ag.services) s(k) JOIN svc ON svc.k = s.k;

INSERT INTO agent_roles (agent_id, organisation_id, access_level)
SELECT ag.id, org.id, r.level::access_level
  FROM ag, unnest(ag.orgs, ag.levels) r(org_k, level) JOIN org ON org.k = r.org_k;

INSERT INTO agent_territorial_roles (agent_id, territory_id)
SELECT id, :terr FROM ag WHERE k = 'territoire';

INSERT INTO agent_territorial_access_rights (agent_id, territory_id, allow_to_manage_teams,
       allow_to_manage_access_rights, allow_to_invite_agents, allow_to_download_stats)
SELECT id, :terr, k = 'territoire', k = 'territoire', k IN ('territoire', 'admin_arras'),
       k IN ('territoire', 'admin_arras')
  FROM ag;

INSERT INTO teams (territory_id, name) VALUES
  (:terr, 'Puéricultrices de l''Arrageois'), (:terr, 'Travailleurs sociaux Lens-Liévin');
INSERT INTO agent_teams (team_id, agent_id)
SELECT t.id, ag.id FROM teams t JOIN ag ON
       (t.name = 'Puéricultrices de l''Arrageois' AND ag.k IN ('pmi', 'roussel', 'lemaire', 'intervenant'))
    OR (t.name = 'Travailleurs sociaux Lens-Liévin' AND ag.k IN ('lens_admin', 'dumont', 'boulanger'))
 WHERE t.territory_id = :terr;

----------------------------------------------------------------------------- lieux
CREATE TEMP TABLE li (
  k text PRIMARY KEY, id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('lieux', 'id')),
  org_k text, name text, addr_id text, phone text, availability lieu_availability
) ON COMMIT DROP;
INSERT INTO li (k, org_k, name, addr_id, phone, availability) VALUES
  ('arras_centre', 'arras', 'MDS d''Arras – site Gambetta', '62041_0460_00037', '03 21 21 47 00', 'enabled'),
  ('arras_sud', 'arras', 'Antenne Arras Sud – Ronville', '62041_0740_00012', '03 21 21 47 30', 'enabled'),
  ('slb', 'arras', 'Permanence de Saint-Laurent-Blangy', '62753_0120_00005', '03 21 60 11 40', 'enabled'),
  ('baudimont', 'arras', 'Ancienne antenne Baudimont (fermée)', '62041_0060_00021', NULL, 'disabled'),
  ('lens_basly', 'lens', 'MDS de Lens – boulevard Basly', '62498_0040_00021', '03 21 14 35 00', 'enabled'),
  ('lievin', 'lens', 'Antenne de Liévin', '62510_0380_00014', '03 21 44 87 10', 'enabled'),
  ('bethune_arras', 'bethune', 'MDS de Béthune – rue d''Arras', '62119_0030_00027', '03 21 61 22 00', 'enabled'),
  ('bethune_hugo', 'bethune', 'Antenne Béthune – boulevard Victor Hugo', '62119_0820_00008', '03 21 61 22 40', 'enabled'),
  ('calais_jacquard', 'calais', 'Centre de PMI Calais Jacquard', '62193_0370_00031', '03 21 00 41 20', 'enabled'),
  ('calais_nieulay', 'calais', 'Centre de PMI du Fort-Nieulay', '62193_0180_00010', '03 21 00 41 60', 'enabled'),
  ('cpef', 'boulogne', 'CPEF de Boulogne-sur-Mer', '62160_0340_00015', '03 21 99 12 30', 'enabled');

INSERT INTO lieux (id, organisation_id, name, address, latitude, longitude, phone_number, availability,
                   created_at)
SELECT li.id, org.id, li.name, a.label, a.lat, a.lon, li.phone, li.availability, now() - interval '2 years'
  FROM li JOIN org ON org.k = li.org_k JOIN addresses a ON a.id = li.addr_id;

---------------------------------------------------------------------------- motifs
-- audience: which usagers get RDVs of this motif in the generated agendas.
CREATE TEMP TABLE mo (
  org_k text, k text, id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('motifs', 'id')),
  svc_k text, name text, color text, dur int, loc location_type, bookable bookable_by,
  sect text, follow_up boolean, collectif boolean, instruction text, restriction text,
  min_delay int, audience text,
  PRIMARY KEY (org_k, k)
) ON COMMIT DROP;
\set carnet 'Merci d''apporter le carnet de santé de l''enfant.'
INSERT INTO mo (org_k, k, svc_k, name, color, dur, loc, bookable, sect, follow_up, collectif,
                instruction, restriction, min_delay, audience) VALUES
  -- MDS d'Arras
  ('arras', 'nourrisson', 'PMI', 'Consultation PMI nourrisson', '#2e7d32', 30, 'public_office', 'everyone', 'departement', false, false, :'carnet', NULL, 1800, 'child'),
  ('arras', 'prenatale', 'PMI', 'Consultation prénatale', '#ad1457', 45, 'public_office', 'everyone', 'departement', false, false, 'Merci d''apporter vos derniers résultats d''examens et votre carte Vitale.', NULL, 1800, 'woman'),
  ('arras', 'vad', 'PMI', 'Visite à domicile puéricultrice', '#6a1b9a', 60, 'home', 'agents', 'departement', false, false, NULL, NULL, 1800, 'child'),
  ('arras', 'massage', 'PMI', 'Atelier collectif massage bébé', '#f9a825', 60, 'public_office', 'everyone', 'organisation', false, true, 'Prévoir une serviette et une tenue confortable pour bébé.', NULL, 1800, 'child'),
  ('arras', 'tel_as', 'SSOC', 'Entretien téléphonique assistante sociale', '#0277bd', 20, 'phone', 'everyone', 'organisation', false, false, 'L''assistante sociale vous appellera au numéro indiqué.', NULL, 172800, 'adult'),
  ('arras', 'premier_as', 'SSOC', 'Premier rendez-vous assistante sociale', '#1565c0', 45, 'public_office', 'everyone', 'agent', false, false, 'Munissez-vous d''une pièce d''identité et de vos justificatifs de ressources.', 'Ce rendez-vous est réservé aux personnes habitant le secteur de la MDS d''Arras. Pour une urgence, appelez le 03 21 21 47 00.', 1800, 'adult'),
  ('arras', 'suivi_as', 'SSOC', 'Suivi assistante sociale', '#283593', 45, 'public_office', 'agents', 'departement', true, false, NULL, NULL, 1800, 'referent'),
  ('arras', 'ase', 'ASE', 'Entretien protection de l''enfance', '#c62828', 60, 'public_office', 'agents', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  -- MDS de Lens
  ('lens', 'nourrisson', 'PMI', 'Consultation PMI nourrisson', '#2e7d32', 30, 'public_office', 'everyone', 'departement', false, false, :'carnet', NULL, 1800, 'child'),
  ('lens', 'prenatale', 'PMI', 'Consultation prénatale', '#ad1457', 45, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'woman'),
  ('lens', 'vad', 'PMI', 'Visite à domicile puéricultrice', '#6a1b9a', 60, 'home', 'agents', 'departement', false, false, NULL, NULL, 1800, 'child'),
  ('lens', 'naissance', 'PMI', 'Atelier collectif préparation à la naissance', '#ef6c00', 60, 'public_office', 'everyone', 'organisation', false, true, NULL, NULL, 1800, 'woman'),
  ('lens', 'tel_as', 'SSOC', 'Entretien téléphonique assistante sociale', '#0277bd', 20, 'phone', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('lens', 'premier_as', 'SSOC', 'Premier rendez-vous assistante sociale', '#1565c0', 45, 'public_office', 'everyone', 'organisation', false, false, 'Munissez-vous d''une pièce d''identité et de vos justificatifs de ressources.', NULL, 1800, 'adult'),
  ('lens', 'suivi_as', 'SSOC', 'Suivi assistante sociale', '#283593', 45, 'public_office', 'agents', 'departement', true, false, NULL, NULL, 1800, 'referent'),
  ('lens', 'droits', 'SSOC', 'Permanence accès aux droits', '#00838f', 30, 'public_office', 'everyone', 'organisation', false, false, 'Apportez vos derniers avis d''imposition et attestations CAF.', NULL, 1800, 'adult'),
  -- MDS de Béthune
  ('bethune', 'nourrisson', 'PMI', 'Consultation PMI nourrisson', '#2e7d32', 30, 'public_office', 'everyone', 'departement', false, false, :'carnet', NULL, 1800, 'child'),
  ('bethune', 'prenatale', 'PMI', 'Consultation prénatale', '#ad1457', 45, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'woman'),
  ('bethune', 'vad', 'PMI', 'Visite à domicile puéricultrice', '#6a1b9a', 60, 'home', 'agents', 'departement', false, false, NULL, NULL, 1800, 'child'),
  ('bethune', 'tel_as', 'SSOC', 'Entretien téléphonique assistante sociale', '#0277bd', 20, 'phone', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('bethune', 'premier_as', 'SSOC', 'Premier rendez-vous assistante sociale', '#1565c0', 45, 'public_office', 'everyone', 'organisation', false, false, NULL, NULL, 1800, 'adult'),
  ('bethune', 'suivi_as', 'SSOC', 'Suivi assistante sociale', '#283593', 45, 'public_office', 'agents', 'departement', true, false, NULL, NULL, 1800, 'referent'),
  ('bethune', 'ase', 'ASE', 'Entretien protection de l''enfance', '#c62828', 60, 'public_office', 'agents', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('bethune', 'mediatisee', 'ASE', 'Visite médiatisée', '#8e24aa', 60, 'public_office', 'agents', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  -- PMI de Calais
  ('calais', 'nourrisson', 'PMI', 'Consultation PMI nourrisson', '#2e7d32', 30, 'public_office', 'everyone', 'departement', false, false, :'carnet', NULL, 1800, 'child'),
  ('calais', 'prenatale', 'PMI', 'Consultation prénatale', '#ad1457', 45, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'woman'),
  ('calais', 'vad', 'PMI', 'Visite à domicile puéricultrice', '#6a1b9a', 60, 'home', 'agents', 'departement', false, false, NULL, NULL, 1800, 'child'),
  ('calais', 'pesee', 'PMI', 'Pesée et conseils puéricultrice', '#558b2f', 20, 'public_office', 'everyone', 'organisation', false, false, :'carnet', NULL, 1800, 'child'),
  ('calais', 'postnatale', 'PMI', 'Consultation sage-femme post-natale', '#d81b60', 30, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'woman'),
  ('calais', 'bilan4ans', 'PMI', 'Bilan de santé 4 ans', '#4e342e', 45, 'public_office', 'agents', 'departement', false, false, :'carnet', NULL, 1800, 'child'),
  ('calais', 'tel_puer', 'PMI', 'Entretien téléphonique puéricultrice', '#0097a7', 20, 'phone', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('calais', 'massage', 'PMI', 'Atelier collectif massage bébé', '#f9a825', 60, 'public_office', 'everyone', 'organisation', false, true, 'Prévoir une serviette et une tenue confortable pour bébé.', NULL, 1800, 'child'),
  -- CPEF de Boulogne-sur-Mer
  ('boulogne', 'contraception', 'CPEF', 'Consultation contraception', '#7b1fa2', 30, 'public_office', 'everyone', 'departement', false, false, 'Les consultations sont gratuites et confidentielles, y compris pour les mineures.', NULL, 1800, 'woman'),
  ('boulogne', 'ist', 'CPEF', 'Dépistage IST', '#00695c', 20, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('boulogne', 'ccf', 'CPEF', 'Entretien conseillère conjugale et familiale', '#5d4037', 45, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('boulogne', 'pre_ivg', 'CPEF', 'Entretien pré-IVG', '#455a64', 30, 'public_office', 'agents', 'departement', false, false, NULL, NULL, 1800, 'woman'),
  ('boulogne', 'gyneco', 'CPEF', 'Consultation gynécologique', '#e91e63', 30, 'public_office', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'woman'),
  ('boulogne', 'tel_cpef', 'CPEF', 'Entretien téléphonique CPEF', '#039be5', 20, 'phone', 'everyone', 'departement', false, false, NULL, NULL, 1800, 'adult'),
  ('boulogne', 'vie_affective', 'CPEF', 'Atelier collectif vie affective et sexuelle', '#fb8c00', 60, 'public_office', 'agents', 'organisation', false, true, NULL, NULL, 1800, 'adult');

INSERT INTO motifs (id, organisation_id, service_id, name, color, default_duration_in_min,
                    location_type, bookable_by, min_public_booking_delay, max_public_booking_delay,
                    follow_up, collectif, restriction_for_rdv, instruction_for_rdv,
                    sectorisation_level, created_at)
SELECT mo.id, org.id, svc.id, mo.name, mo.color, mo.dur, mo.loc, mo.bookable, mo.min_delay, 7889238,
       mo.follow_up, mo.collectif, mo.restriction, mo.instruction, mo.sect, now() - interval '2 years'
  FROM mo JOIN org ON org.k = mo.org_k JOIN svc ON svc.k = mo.svc_k;

------------------------------------------------------------ plages d'ouverture
-- on: weekdays of a weekly rule; nth/mwd: monthly rule; once: a one-off plage at
-- first_day = cw + once; until: the rule ends on the Friday 5 weeks ahead.
CREATE TEMP TABLE po (
  id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('plages_ouverture', 'id')),
  agent_k text, org_k text, lieu_k text, title text, on_days text[], every int,
  nth int, mwd text, once int, start_time time, end_time time, has_until boolean, motif_ks text[],
  first_day date, until date, wdays int[]
) ON COMMIT DROP;
INSERT INTO po (agent_k, org_k, lieu_k, title, on_days, every, nth, mwd, once, start_time, end_time,
                has_until, motif_ks) VALUES
  -- MDS d'Arras
  ('admin_arras', 'arras', 'arras_centre', 'Consultations PMI du mardi', '{tuesday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{nourrisson,prenatale}'),
  ('pmi', 'arras', 'arras_centre', 'Consultations nourrissons', '{monday,thursday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{nourrisson}'),
  ('pmi', 'arras', 'arras_centre', 'Visites à domicile', '{tuesday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{vad}'),
  ('pmi', 'arras', 'slb', 'Permanence PMI Saint-Laurent-Blangy', NULL, 1, 2, 'tuesday', NULL, '09:00', '12:00', false, '{nourrisson}'),
  ('social', 'arras', 'arras_centre', 'Permanence sociale', '{monday,wednesday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{premier_as,suivi_as}'),
  ('social', 'arras', 'arras_centre', 'Entretiens téléphoniques', '{thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{tel_as}'),
  ('lemaire', 'arras', 'arras_sud', 'Consultations médicales PMI', '{wednesday}', 2, NULL, NULL, NULL, '09:00', '12:00', false, '{nourrisson,prenatale}'),
  ('roussel', 'arras', 'arras_sud', 'Consultations sage-femme', '{monday,friday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{prenatale}'),
  ('caron', 'arras', 'arras_sud', 'Permanence sociale Ronville', '{tuesday,thursday}', 1, NULL, NULL, NULL, '09:00', '12:00', true, '{premier_as,suivi_as,tel_as}'),
  ('delattre', 'arras', 'slb', 'Permanence sociale Saint-Laurent-Blangy', '{monday,tuesday,thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{premier_as,suivi_as}'),
  ('vasseur', 'arras', 'arras_centre', 'Entretiens protection de l''enfance', '{wednesday}', 2, NULL, NULL, NULL, '13:30', '17:00', false, '{ase}'),
  ('intervenant', 'arras', 'arras_centre', 'Séances de psychomotricité', '{friday}', 1, NULL, NULL, NULL, '13:30', '16:30', false, '{nourrisson}'),
  -- MDS de Lens
  ('lens_admin', 'lens', 'lens_basly', 'Permanence accès aux droits', '{wednesday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{droits}'),
  ('lens_basic', 'lens', 'lens_basly', 'Consultations et visites PMI', '{monday,thursday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{nourrisson,vad}'),
  ('lens_basic', 'lens', 'lievin', 'Consultations nourrissons Liévin', '{tuesday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{nourrisson}'),
  ('leroy', 'lens', 'lens_basly', 'Consultations sage-femme', '{tuesday,friday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{prenatale}'),
  ('dumont', 'lens', 'lens_basly', 'Permanence sociale', '{monday,tuesday,thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{premier_as,suivi_as,tel_as}'),
  ('boulanger', 'lens', 'lievin', 'Permanence sociale Liévin', '{wednesday,friday}', 2, NULL, NULL, NULL, '09:00', '12:00', false, '{premier_as,suivi_as}'),
  ('kowalski', 'lens', 'lievin', 'Consultations puéricultrice', '{monday,wednesday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{nourrisson,vad}'),
  -- MDS de Béthune
  ('lemaire', 'bethune', 'bethune_arras', 'Consultations médicales PMI', '{thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{nourrisson,prenatale}'),
  ('lemoine', 'bethune', 'bethune_arras', 'Consultations PMI', '{tuesday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{nourrisson,prenatale}'),
  ('hennebelle', 'bethune', 'bethune_arras', 'Consultations et visites puériculteur', '{monday,wednesday,friday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{nourrisson,vad}'),
  ('dufour', 'bethune', 'bethune_hugo', 'Permanence sociale', '{monday,thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{premier_as,suivi_as,tel_as}'),
  ('morel', 'bethune', 'bethune_hugo', 'Permanence sociale', '{tuesday,wednesday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{premier_as,suivi_as}'),
  ('delannoy', 'bethune', 'bethune_hugo', 'Entretiens et visites médiatisées', '{monday,thursday}', 2, NULL, NULL, NULL, '09:00', '12:00', false, '{ase,mediatisee}'),
  ('mansouri', 'bethune', 'bethune_hugo', 'Entretiens téléphoniques', '{friday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{tel_as}'),
  -- PMI de Calais
  ('bernard', 'calais', 'calais_jacquard', 'Consultations médicales', '{tuesday,thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{nourrisson,bilan4ans}'),
  ('vandamme', 'calais', 'calais_jacquard', 'Pesées et consultations', '{monday,wednesday,friday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{pesee,nourrisson,tel_puer}'),
  ('lecomte', 'calais', 'calais_nieulay', 'Consultations sage-femme', '{monday,thursday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{prenatale,postnatale}'),
  ('delpierre', 'calais', 'calais_nieulay', 'Pesées et visites', '{tuesday,thursday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{pesee,vad}'),
  -- CPEF de Boulogne-sur-Mer
  ('deschamps', 'boulogne', 'cpef', 'Entretiens', '{wednesday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{ccf,pre_ivg}'),
  ('lefort', 'boulogne', 'cpef', 'Consultations médicales', '{monday,tuesday,thursday}', 1, NULL, NULL, NULL, '09:00', '12:00', false, '{contraception,gyneco,ist}'),
  ('lefort', 'boulogne', 'cpef', 'Permanence exceptionnelle du samedi', NULL, NULL, NULL, NULL, 12, '09:00', '12:00', false, '{contraception,ist}'),
  ('baillet', 'boulogne', 'cpef', 'Entretiens conseillère conjugale', '{tuesday,friday}', 1, NULL, NULL, NULL, '13:30', '17:00', false, '{ccf,tel_cpef}'),
  ('belkacem', 'boulogne', 'cpef', 'Consultations sage-femme', '{monday,wednesday}', 2, NULL, NULL, NULL, '13:30', '17:00', false, '{contraception,ist}');

UPDATE po SET first_day = CASE WHEN once IS NULL THEN :'w0'::date ELSE :'cw'::date + once END,
              until = CASE WHEN has_until THEN :'cw'::date + 39 END,
              wdays = (SELECT array_agg(array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday',
                                        'friday', 'saturday', 'sunday'], d)) FROM unnest(on_days) d);

INSERT INTO plages_ouverture (id, organisation_id, agent_id, lieu_id, title, first_day, start_time,
                              end_time, recurrence, recurrence_ends_at, created_at, updated_at)
SELECT po.id, org.id, ag.id, li.id, po.title, po.first_day, po.start_time, po.end_time,
       CASE WHEN po.once IS NOT NULL THEN NULL
            WHEN po.nth IS NOT NULL THEN jsonb_strip_nulls(jsonb_build_object('every', 'month',
                 'interval', po.every, 'day', jsonb_build_object('weekday', po.mwd, 'nth', po.nth),
                 'until', po.until::text))
            ELSE jsonb_strip_nulls(jsonb_build_object('every', 'week', 'interval', po.every,
                 'on', to_jsonb(po.on_days), 'until', po.until::text)) END,
       po.until, now() - interval '9 weeks', now() - interval '9 weeks'
  FROM po JOIN ag ON ag.k = po.agent_k JOIN org ON org.k = po.org_k JOIN li ON li.k = po.lieu_k;

INSERT INTO plage_ouverture_motifs (plage_ouverture_id, motif_id)
SELECT po.id, mo.id FROM po, unnest(po.motif_ks) m(k) JOIN mo ON mo.k = m.k WHERE mo.org_k = po.org_k;

-------------------------------------------------------------------------- absences
CREATE TEMP TABLE ab (
  agent_k text, org_k text, title text, first_day date, start_time time, end_day date,
  end_time time, weekly_on text
) ON COMMIT DROP;
INSERT INTO ab VALUES
  ('admin_arras', 'arras', 'Réunion d''équipe', :'w0'::date + 4, '09:00', :'w0'::date + 4, '10:00', 'friday'),
  ('pmi', 'arras', 'Réunion d''équipe', :'w0'::date + 4, '09:00', :'w0'::date + 4, '10:00', 'friday'),
  ('social', 'arras', 'Réunion d''équipe', :'w0'::date + 4, '09:00', :'w0'::date + 4, '10:00', 'friday'),
  ('caron', 'arras', 'Réunion d''équipe', :'w0'::date + 4, '09:00', :'w0'::date + 4, '10:00', 'friday'),
  ('delattre', 'arras', 'Réunion d''équipe', :'w0'::date + 4, '09:00', :'w0'::date + 4, '10:00', 'friday'),
  ('roussel', 'arras', 'Congés annuels', :'cw'::date + 21, '00:00', :'cw'::date + 25, '23:59', NULL),
  ('lens_basic', 'lens', 'Formation allaitement', :'cw'::date - 11, '09:00', :'cw'::date - 11, '17:00', NULL),
  ('dumont', 'lens', 'Commission FSL', :'cw'::date + 8, '13:30', :'cw'::date + 8, '15:00', NULL);

INSERT INTO absences (agent_id, organisation_id, title, first_day, start_time, end_day, end_time,
                      recurrence, recurrence_ends_at, created_at, updated_at)
SELECT ag.id, org.id, ab.title, ab.first_day, ab.start_time, ab.end_day, ab.end_time,
       CASE WHEN ab.weekly_on IS NOT NULL THEN jsonb_build_object('every', 'week', 'interval', 1,
            'on', jsonb_build_array(ab.weekly_on)) END,
       NULL, now() - interval '9 weeks', now() - interval '9 weeks'
  FROM ab JOIN ag ON ag.k = ab.agent_k JOIN org ON org.k = ab.org_k;

---------------------------------------------------------------------------- usagers
CREATE TEMP TABLE town (code text PRIMARY KEY, org_k text, org2_k text) ON COMMIT DROP;
INSERT INTO town VALUES ('62041', 'arras', 'lens'), ('62753', 'arras', 'bethune'),
  ('62498', 'lens', 'arras'), ('62510', 'lens', 'bethune'), ('62119', 'bethune', 'lens'),
  ('62193', 'calais', 'boulogne'), ('62160', 'boulogne', 'calais');

CREATE TEMP TABLE addr ON COMMIT DROP AS
SELECT a.*, (row_number() OVER (PARTITION BY code_insee ORDER BY id) - 1)::int AS n,
       count(*) OVER (PARTITION BY code_insee)::int AS cnt
  FROM addresses a JOIN town t ON t.code = a.code_insee WHERE a.rep IS NULL;

CREATE TEMP TABLE adult ON COMMIT DROP AS
WITH names AS (
  SELECT ARRAY['Marie', 'Julie', 'Camille', 'Laura', 'Manon', 'Sarah', 'Léa', 'Chloé', 'Émilie',
               'Aurélie', 'Jessica', 'Amandine', 'Mélanie', 'Céline', 'Sandrine', 'Nadia', 'Fatima',
               'Inès', 'Yasmine', 'Océane', 'Laetitia', 'Stéphanie', 'Coralie', 'Pauline', 'Justine',
               'Anaïs', 'Karine', 'Agnieszka', 'Virginie', 'Élodie', 'Audrey', 'Alicia', 'Morgane',
               'Charlotte', 'Cindy', 'Priscilla', 'Samia', 'Nathalie', 'Sylvie', 'Françoise', 'Hélène'] AS ff,
         ARRAY['Kévin', 'Jérémy', 'Mickaël', 'Julien', 'Nicolas', 'Mohamed', 'Karim', 'Thomas',
               'Anthony', 'Maxime', 'Dylan', 'Sébastien', 'Christophe', 'Ludovic', 'Franck', 'David',
               'Yannick', 'Bruno', 'Jean-Pierre', 'Grégory', 'Jonathan', 'Rémi', 'Loïc'] AS fm,
         ARRAY['Lefebvre', 'Dubois', 'Lemaire', 'Delattre', 'Leroy', 'Duhamel', 'Vasseur', 'Wattez',
               'Delcroix', 'Dupont', 'Martin', 'Bernard', 'Petit', 'Durand', 'Lefort', 'Caron',
               'Deschamps', 'Fontaine', 'Lambert', 'Leclercq', 'Delannoy', 'Dhainaut', 'Flament',
               'Hennebelle', 'Wallart', 'Bailleul', 'Descamps', 'Bouchez', 'Lecomte', 'Carpentier',
               'Dufour', 'Mercier', 'Boulanger', 'Benali', 'Mansouri', 'Kowalski', 'Nowak', 'Haddad',
               'Diallo', 'Traoré', 'Nguyen', 'Da Silva', 'Ferreira', 'Moreau', 'Roussel', 'Lemoine',
               'Marchand', 'Duquesne', 'Delporte', 'Lheureux', 'Wojcik', 'Kaczmarek', 'Lenglet',
               'Dewailly', 'Bocquet', 'Ramery', 'Cuvelier', 'Lagache', 'Tison', 'Obert', 'Degrave'] AS ln,
         ARRAY['62041', '62041', '62498', '62041', '62119', '62193', '62041', '62498', '62160', '62041',
               '62119', '62510', '62041', '62498', '62753', '62041', '62119', '62193', '62498', '62041',
               '62510', '62119', '62160', '62498'] AS towns
), base AS (
  SELECT i, (i % 5 = 4) AS male, towns[1 + (i + i / 6) % 24] AS code, ff, fm, ln FROM generate_series(1, 240) i, names
)
SELECT nextval(pg_get_serial_sequence('users', 'id')) AS id, i, male, code,
       CASE WHEN male THEN fm[1 + (i * 7) % array_length(fm, 1)]
            ELSE ff[1 + (i * 11) % array_length(ff, 1)] END AS first_name,
       ln[1 + (i * 17) % array_length(ln, 1)] AS last_name,
       current_date - (18 * 365 + (i * 397) % (48 * 365)) AS birth_date
  FROM base;

ALTER TABLE adult ADD COLUMN resp boolean;
UPDATE adult SET resp = (i % 6 = 0);
-- Responsibles of a family are mothers or fathers of working age.
UPDATE adult SET birth_date = current_date - (20 * 365 + (i * 131) % (18 * 365)) WHERE resp;

INSERT INTO users (id, first_name, last_name, birth_name, birth_date, email, phone_number,
                   phone_number_formatted, address, post_code, city_code, city_name, street_ban_id,
                   latitude, longitude, caisse_affiliation, affiliation_number, family_situation,
                   number_of_children, logement, notify_by_sms, notify_by_email,
                   created_through, created_at, updated_at)
SELECT u.id, u.first_name, u.last_name,
       CASE WHEN NOT u.male AND u.i % 9 = 1 THEN (ARRAY['Delplace', 'Lesage', 'Hochart', 'Vandenbussche'])[1 + u.i % 4] END,
       u.birth_date,
       CASE WHEN u.i % 2 = 0 THEN regexp_replace(rdv_fold(u.first_name), '[^a-z0-9]+', '-', 'g') || '.'
            || regexp_replace(rdv_fold(u.last_name), '[^a-z0-9]+', '-', 'g') || '.' || u.i || '@exemple.fr' END,
       p.typed, p.e164,
       CASE WHEN (u.i % 11 <> 5 OR u.resp) THEN a.label END,
       CASE WHEN (u.i % 11 <> 5 OR u.resp) THEN a.code_postal END,
       u.code,
       CASE WHEN (u.i % 11 <> 5 OR u.resp) THEN a.nom_commune
            ELSE (SELECT nom_commune FROM addr WHERE code_insee = u.code LIMIT 1) END,
       CASE WHEN (u.i % 11 <> 5 OR u.resp) THEN a.street_id END,
       CASE WHEN (u.i % 11 <> 5 OR u.resp) THEN a.lat END,
       CASE WHEN (u.i % 11 <> 5 OR u.resp) THEN a.lon END,
       CASE WHEN u.i % 10 < 6 THEN 'caf' WHEN u.i % 10 = 6 THEN 'msa' WHEN u.i % 10 = 7 THEN 'aucune' END,
       CASE WHEN u.i % 10 < 7 THEN lpad(((u.i * 104729) % 10000000)::text, 7, '0') END,
       CASE WHEN u.i % 4 = 0 THEN NULL ELSE (ARRAY['single', 'in_a_relationship', 'divorced'])[1 + u.i % 3] END,
       CASE WHEN u.resp THEN 1 + (u.i / 6) % 2 WHEN u.i % 4 = 1 THEN u.i % 4 END,
       CASE WHEN u.i % 5 = 2 THEN NULL ELSE (ARRAY['locataire', 'locataire', 'heberge', 'proprietaire',
            'en_accession_propriete', 'locataire', 'autre', 'sdf'])[1 + u.i % 8] END,
       p.e164 IS NOT NULL, true,
       'agent_creation', now() - make_interval(days => 300 + (u.i * 7) % 500),
       now() - make_interval(days => (u.i * 3) % 60)
  FROM adult u
  JOIN LATERAL (SELECT * FROM addr WHERE addr.code_insee = u.code AND addr.n = (u.i * 37) % addr.cnt) a ON true
  CROSS JOIN LATERAL (
    SELECT CASE WHEN u.i % 7 = 3 THEN NULL
                WHEN u.i % 9 = 2 THEN '03 21 ' || substr(d6, 1, 2) || ' ' || substr(d6, 3, 2) || ' ' || substr(d6, 5, 2)
                ELSE '0' || m || ' ' || substr(d8, 1, 2) || ' ' || substr(d8, 3, 2) || ' ' || substr(d8, 5, 2) || ' ' || substr(d8, 7, 2) END AS typed,
           CASE WHEN u.i % 7 = 3 THEN NULL
                WHEN u.i % 9 = 2 THEN '+33321' || d6
                ELSE '+33' || m || d8 END AS e164
      FROM (SELECT lpad(((u.i::bigint * 97775893 + 31415926) % 100000000)::text, 8, '0') AS d8,
                   lpad(((u.i::bigint * 738169 + 412345) % 1000000)::text, 6, '0') AS d6,
                   CASE WHEN u.i % 3 = 0 THEN '7' ELSE '6' END AS m) x
  ) p;

-- Children of the family cells (proches): no contact details of their own.
CREATE TEMP TABLE child ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('users', 'id')) AS id, a.id AS resp_id, a.i, c,
       (ARRAY['Léo', 'Jade', 'Louise', 'Gabriel', 'Emma', 'Raphaël', 'Alice', 'Louis', 'Ambre', 'Arthur',
              'Rose', 'Jules', 'Lina', 'Adam', 'Mia', 'Hugo', 'Lou', 'Noah', 'Inaya', 'Maël', 'Lya',
              'Tiago', 'Nino', 'Zoé', 'Sacha'])[1 + (a.i / 6 * 3 + c * 7) % 25] AS first_name,
       a.last_name,
       CASE WHEN c = 1 THEN current_date - (40 + (a.i * 37) % 600)
            ELSE current_date - (700 + (a.i * 53) % 2200) END AS birth_date
  FROM adult a, generate_series(1, 2) c
 WHERE a.resp AND c <= 1 + (a.i / 6) % 2;

INSERT INTO users (id, first_name, last_name, birth_date, responsible_id, created_through,
                   notify_by_sms, notify_by_email, created_at, updated_at)
SELECT c.id, c.first_name, c.last_name, c.birth_date, c.resp_id, 'agent_creation', false, false,
       now() - make_interval(days => 200 + (c.i * 5) % 300), now() - make_interval(days => (c.i * 3) % 60)
  FROM child c;

-- The demo citizen account (public side) and their two children.
INSERT INTO users (first_name, last_name, birth_date, email, phone_number, phone_number_formatted,
                   address, post_code, city_code, city_name, street_ban_id, latitude, longitude,
                   caisse_affiliation, affiliation_number, family_situation, number_of_children, logement,
                   password_hash, email_confirmed_at, created_through, created_at, updated_at)
SELECT 'Sarah', 'Demoulin', date '1993-04-17', 'usager@demo.rdv-solidarites.fr', '06 71 23 45 89',
       '+33671234589', a.label, a.code_postal, a.code_insee, a.nom_commune, a.street_id, a.lat, a.lon,
       'caf', '4820173', 'in_a_relationship', 2, 'locataire',
       :'demo_hash', now() - interval '200 days', 'user_sign_up', now() - interval '200 days', now() - interval '30 days'
  FROM addresses a WHERE a.id = '62041_0420_00012'
RETURNING id AS citizen \gset
INSERT INTO users (first_name, last_name, birth_date, responsible_id, created_through, created_at, updated_at)
VALUES ('Léo', 'Demoulin', current_date - 215, :citizen, 'user_relative_creation', now() - interval '199 days', now() - interval '199 days'),
       ('Jade', 'Demoulin', current_date - 1190, :citizen, 'user_relative_creation', now() - interval '199 days', now() - interval '199 days');

-- Near-duplicates (same names and birth date, other e-mails) and a shared phone number,
-- for the duplicate warnings.
INSERT INTO users (first_name, last_name, birth_date, email, phone_number, phone_number_formatted,
                   address, post_code, city_code, city_name, street_ban_id, latitude, longitude,
                   created_through, created_at, updated_at)
SELECT v.first_name, v.last_name, v.birth_date, v.email, v.phone, v.e164,
       a.label, a.code_postal, a.code_insee, a.nom_commune, a.street_id, a.lat, a.lon,
       v.through, now() - make_interval(days => v.age), now() - make_interval(days => v.age)
  FROM (VALUES
    ('Jessica', 'Lemaire', date '1994-03-12', 'jessica.lemaire@exemple.fr', '06 58 12 44 90', '+33658124490', '62498_0410_00009', 'agent_creation', 420),
    ('Jessica', 'Lemaire', date '1994-03-12', 'jess.lemaire62@exemple.fr', '07 81 20 33 14', '+33781203314', '62498_0550_00016', 'agent_creation_api', 35),
    ('Samira', 'Haddad', date '1988-10-02', 'samira.haddad@exemple.fr', '07 45 12 23 34', '+33745122334', '62119_0690_00011', 'agent_creation', 380),
    ('Mohamed', 'Haddad', date '1985-06-23', NULL, '07 45 12 23 34', '+33745122334', '62119_0690_00011', 'agent_creation', 60)
  ) v(first_name, last_name, birth_date, email, phone, e164, addr_id, through, age)
  JOIN addresses a ON a.id = v.addr_id;

--------------------------------------------------------------------- user profiles
-- Adults: the organisation of their town; one in 13 also knows a second organisation.
-- Relatives inherit the organisations of their responsible.
INSERT INTO user_profiles (user_id, organisation_id, notes, created_at)
SELECT a.id, org.id,
       CASE WHEN a.i % 23 = 3 THEN 'Bénéficiaire du RSA, accompagnement en cours.'
            WHEN a.i % 23 = 11 THEN 'Préfère être contacté(e) le matin.' END,
       now() - make_interval(days => 300 + (a.i * 7) % 500)
  FROM adult a JOIN town t ON t.code = a.code JOIN org ON org.k = t.org_k
UNION ALL
SELECT a.id, org.id, NULL, now() - make_interval(days => 100 + a.i % 100)
  FROM adult a JOIN town t ON t.code = a.code JOIN org ON org.k = t.org2_k WHERE a.i % 13 = 7;

INSERT INTO user_profiles (user_id, organisation_id, created_at)
SELECT u.id, p.organisation_id, u.created_at
  FROM users u JOIN user_profiles p ON p.user_id = u.responsible_id
 WHERE u.responsible_id IS NOT NULL;

INSERT INTO user_profiles (user_id, organisation_id, created_at)
SELECT u.id, org.id, u.created_at
  FROM users u JOIN org ON org.k = 'arras'
 WHERE u.id = :citizen OR u.responsible_id = :citizen;
INSERT INTO user_profiles (user_id, organisation_id, created_at)
SELECT u.id, org.id, u.created_at
  FROM users u JOIN org ON org.k = CASE u.city_code WHEN '62498' THEN 'lens' ELSE 'bethune' END
 WHERE u.email IN ('jessica.lemaire@exemple.fr', 'jess.lemaire62@exemple.fr', 'samira.haddad@exemple.fr')
    OR (u.first_name = 'Mohamed' AND u.last_name = 'Haddad' AND u.phone_number_formatted = '+33745122334')
ON CONFLICT DO NOTHING;

------------------------------------------------------------- referent assignations
-- Each social worker follows a few adults of their organisation; the demo usager is
-- followed by agent.social.
INSERT INTO referent_assignations (user_id, agent_id)
SELECT x.user_id, x.agent_id FROM (
  SELECT p.user_id, ag.id AS agent_id,
         row_number() OVER (PARTITION BY ag.id ORDER BY (p.user_id * 31 + ag.id * 17) % 101, p.user_id) AS r
    FROM ag
    JOIN agent_services s ON s.agent_id = ag.id JOIN svc ON svc.id = s.service_id AND svc.k = 'SSOC'
    JOIN agent_roles ro ON ro.agent_id = ag.id
    JOIN user_profiles p ON p.organisation_id = ro.organisation_id
    JOIN users u ON u.id = p.user_id AND u.responsible_id IS NULL AND u.id <> :citizen
   WHERE ag.k IN (SELECT agent_k FROM po)
) x WHERE x.r <= 5
UNION
SELECT :citizen, id FROM ag WHERE k = 'social';

----------------------------------------------------------------- sectorisation
CREATE TEMP TABLE se (k text PRIMARY KEY, id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('sectors', 'id')),
                      name text) ON COMMIT DROP;
INSERT INTO se (k, name) VALUES
  ('arras-centre', 'Arras centre'), ('arras-sud', 'Arras sud et Saint-Laurent-Blangy'),
  ('lens', 'Lens – Liévin'), ('bethune', 'Béthune'), ('calais', 'Calais'), ('boulogne', 'Boulogne-sur-Mer');
INSERT INTO sectors (id, territory_id, name, human_id) SELECT id, :terr, name, k FROM se;

INSERT INTO zones (sector_id, level, city_code, city_name, street_name, street_ban_id)
SELECT se.id, z.level, z.city_code, z.city_name, z.street_name, z.street_ban_id
  FROM (VALUES
    ('arras-centre', 'city', '62041', 'Arras', NULL, NULL),
    ('arras-centre', 'street', '62041', 'Arras', 'Rue Ernestale', '62041_0420'),
    ('arras-centre', 'street', '62041', 'Arras', 'Place des Héros', '62041_0510'),
    ('arras-centre', 'street', '62041', 'Arras', 'Rue Gambetta', '62041_0460'),
    ('arras-sud', 'city', '62753', 'Saint-Laurent-Blangy', NULL, NULL),
    ('arras-sud', 'street', '62041', 'Arras', 'Rue Ronville', '62041_0740'),
    ('arras-sud', 'street', '62041', 'Arras', 'Rue d''Amiens', '62041_0030'),
    ('arras-sud', 'street', '62041', 'Arras', 'Rue Gambetta', '62041_0460'),
    ('lens', 'city', '62498', 'Lens', NULL, NULL),
    ('lens', 'city', '62510', 'Liévin', NULL, NULL),
    ('bethune', 'city', '62119', 'Béthune', NULL, NULL),
    ('calais', 'city', '62193', 'Calais', NULL, NULL),
    ('boulogne', 'city', '62160', 'Boulogne-sur-Mer', NULL, NULL)
  ) z(sector_k, level, city_code, city_name, street_name, street_ban_id)
  JOIN se ON se.k = z.sector_k;

INSERT INTO sector_attributions (sector_id, organisation_id, level, agent_id)
SELECT se.id, org.id, s.level, ag.id
  FROM (VALUES ('arras-centre', 'arras', 'organisation', NULL), ('arras-sud', 'arras', 'organisation', NULL),
               ('arras-centre', 'arras', 'agent', 'social'), ('lens', 'lens', 'organisation', NULL),
               ('bethune', 'bethune', 'organisation', NULL), ('calais', 'calais', 'organisation', NULL),
               ('boulogne', 'boulogne', 'organisation', NULL)) s(sector_k, org_k, level, agent_k)
  JOIN se ON se.k = s.sector_k JOIN org ON org.k = s.org_k LEFT JOIN ag ON ag.k = s.agent_k;

-------------------------------------------------------------------------- RDVs
-- French public holidays of the years of the window (Easter: anonymous Gregorian algorithm).
CREATE TEMP TABLE holiday ON COMMIT DROP AS
WITH y AS (SELECT generate_series(extract(year FROM :'w0'::date)::int, extract(year FROM :'win_end'::date)::int) AS y),
e AS (
  SELECT y, make_date(y, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1) AS easter
    FROM (SELECT y, h, l, (a + 11 * h + 22 * l) / 451 AS m
            FROM (SELECT y, a, h, (32 + 2 * e + 2 * i - h - k) % 7 AS l
                    FROM (SELECT y, a, e, i, k, (19 * a + b - d - g + 15) % 30 AS h
                            FROM (SELECT y, y % 19 AS a, y / 100 AS b, (y / 100) / 4 AS d, (y / 100) % 4 AS e,
                                         ((y / 100) - ((y / 100) + 8) / 25 + 1) / 3 AS g,
                                         (y % 100) / 4 AS i, (y % 100) % 4 AS k FROM y) s1) s2) s3) s4)
SELECT DISTINCT d AS day FROM e, LATERAL (VALUES (make_date(y, 1, 1)), (easter + 1), (make_date(y, 5, 1)),
       (make_date(y, 5, 8)), (easter + 39), (easter + 50), (make_date(y, 7, 14)), (make_date(y, 8, 15)),
       (make_date(y, 11, 1)), (make_date(y, 11, 11)), (make_date(y, 12, 25))) h(d);

-- Absence occurrences inside the window, as UTC ranges.
CREATE TEMP TABLE abs_occ ON COMMIT DROP AS
SELECT ag.id AS agent_id,
       tstzrange((d.day + ab.start_time) AT TIME ZONE 'Europe/Paris',
                 (d.day + (ab.end_day - ab.first_day) + ab.end_time) AT TIME ZONE 'Europe/Paris') AS r
  FROM ab JOIN ag ON ag.k = ab.agent_k
  JOIN generate_series(:'w0'::date, :'win_end'::date, interval '1 day') g(x) ON true
  CROSS JOIN LATERAL (SELECT g.x::date AS day) d
 WHERE (ab.weekly_on IS NULL AND d.day = ab.first_day)
    OR (ab.weekly_on IS NOT NULL AND d.day >= ab.first_day
        AND extract(isodow FROM d.day) = array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday',
                                          'friday', 'saturday', 'sunday'], ab.weekly_on));

-- Plage occurrences inside the window (the recurrence rules of lib/recurrence.c).
CREATE TEMP TABLE occ ON COMMIT DROP AS
SELECT po.id AS plage_id, po.org_k, ag.id AS agent_id, ag.k AS agent_k, li.id AS lieu_id, d.day,
       po.start_time, po.end_time, po.motif_ks, (d.day - :'w0'::date) AS dn
  FROM po JOIN ag ON ag.k = po.agent_k JOIN li ON li.k = po.lieu_k
  JOIN generate_series(:'w0'::date, :'win_end'::date, interval '1 day') g(x) ON true
  CROSS JOIN LATERAL (SELECT g.x::date AS day) d
 WHERE d.day >= po.first_day AND (po.until IS NULL OR d.day <= po.until)
   AND d.day NOT IN (SELECT day FROM holiday)
   AND CASE WHEN po.once IS NOT NULL THEN d.day = po.first_day
            WHEN po.nth IS NOT NULL THEN
                 extract(isodow FROM d.day) = array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday',
                                                'friday', 'saturday', 'sunday'], po.mwd)
                 AND (extract(day FROM d.day)::int - 1) / 7 + 1 = po.nth
                 AND ((extract(year FROM d.day) * 12 + extract(month FROM d.day))
                      - (extract(year FROM po.first_day) * 12 + extract(month FROM po.first_day)))::int % po.every = 0
            ELSE extract(isodow FROM d.day)::int = ANY (po.wdays)
                 AND ((d.day - date_trunc('week', po.first_day)::date) / 7) % po.every = 0 END;

-- Candidate slots: one motif per occurrence (rotating through the plage's motifs),
-- RDVs at start + k × duration.
CREATE TEMP TABLE slot ON COMMIT DROP AS
SELECT o.*, m.k AS motif_k, m.id AS motif_id, m.dur, m.loc, m.bookable, m.audience, m.follow_up, g.k,
       (o.day + o.start_time + make_interval(mins => g.k * m.dur)) AT TIME ZONE 'Europe/Paris' AS starts_at,
       (o.day + o.start_time + make_interval(mins => (g.k + 1) * m.dur)) AT TIME ZONE 'Europe/Paris' AS ends_at,
       false AS chosen, NULL::bigint AS user_id, NULL::text AS forced_status, NULL::text AS forced_by
  FROM occ o
  JOIN mo m ON m.org_k = o.org_k AND m.k = o.motif_ks[1 + (o.dn + o.plage_id::int) % array_length(o.motif_ks, 1)]
  JOIN generate_series(0, 20) g(k) ON (g.k + 1) * m.dur <= extract(epoch FROM o.end_time - o.start_time) / 60;

DELETE FROM slot s USING abs_occ a
 WHERE a.agent_id = s.agent_id AND a.r && tstzrange(s.starts_at, s.ends_at, '[)');

-- A share of the slots is taken: most around today, fewer further away.
UPDATE slot SET chosen = ((plage_id * 7 + dn * 13 + k * 29) % 100)
    < CASE WHEN day < current_date - 28 THEN 9 WHEN day < current_date THEN 18
           WHEN day < current_date + 14 THEN 25 WHEN day < current_date + 28 THEN 13 ELSE 8 END;

-- The demo usager's RDVs: one past (for Jade) and one future (for Léo) with agent.pmi,
-- one future (for themself) with agent.social.
UPDATE slot SET chosen = true, forced_status = 'seen', forced_by = 'agent',
       user_id = (SELECT id FROM users WHERE responsible_id = :citizen AND first_name = 'Jade')
 WHERE (plage_id, starts_at) = (SELECT plage_id, starts_at FROM slot WHERE agent_k = 'pmi' AND motif_k = 'nourrisson'
                                   AND NOT chosen AND day BETWEEN current_date - 30 AND current_date - 3
                                 ORDER BY day DESC, starts_at LIMIT 1);
UPDATE slot SET chosen = true, forced_status = 'unknown', forced_by = 'user',
       user_id = (SELECT id FROM users WHERE responsible_id = :citizen AND first_name = 'Léo')
 WHERE (plage_id, starts_at) = (SELECT plage_id, starts_at FROM slot WHERE agent_k = 'pmi' AND motif_k = 'nourrisson'
                                   AND NOT chosen AND day >= current_date + 7
                                 ORDER BY day, starts_at LIMIT 1);
UPDATE slot SET chosen = true, forced_status = 'unknown', forced_by = 'user', user_id = :citizen
 WHERE (plage_id, starts_at) = (SELECT plage_id, starts_at FROM slot WHERE agent_k = 'social' AND motif_k = 'premier_as'
                                   AND NOT chosen AND day >= current_date + 10
                                 ORDER BY day, starts_at LIMIT 1);
DELETE FROM slot WHERE NOT chosen;

-- Usager pools per organisation: children (proches), adults, women of child-bearing
-- age, and each social worker's followed usagers (for follow_up motifs).
CREATE TEMP TABLE pool ON COMMIT DROP AS
SELECT org.k AS org_k, kind, 0::bigint AS agent_id, u.id AS user_id
  FROM org JOIN user_profiles p ON p.organisation_id = org.id JOIN users u ON u.id = p.user_id
  CROSS JOIN LATERAL (VALUES ('child'), ('adult'), ('woman')) kinds(kind)
 WHERE u.id <> :citizen AND coalesce(u.responsible_id, 0) <> :citizen
   AND CASE kind WHEN 'child' THEN u.responsible_id IS NOT NULL
                 WHEN 'adult' THEN u.responsible_id IS NULL
                 ELSE u.responsible_id IS NULL AND u.birth_date > current_date - interval '43 years'
                      AND u.first_name NOT IN (SELECT unnest(ARRAY['Kévin', 'Jérémy', 'Mickaël', 'Julien', 'Nicolas',
                          'Mohamed', 'Karim', 'Thomas', 'Anthony', 'Maxime', 'Dylan', 'Sébastien', 'Christophe',
                          'Ludovic', 'Franck', 'David', 'Yannick', 'Bruno', 'Jean-Pierre', 'Grégory', 'Jonathan',
                          'Rémi', 'Loïc'])) END
UNION ALL
SELECT org.k, 'referent', r.agent_id, r.user_id
  FROM referent_assignations r JOIN user_profiles p ON p.user_id = r.user_id
  JOIN org ON org.id = p.organisation_id JOIN agent_roles ro ON ro.agent_id = r.agent_id AND ro.organisation_id = org.id
 WHERE r.user_id <> :citizen;
CREATE TEMP TABLE pool_n ON COMMIT DROP AS
SELECT *, (row_number() OVER (PARTITION BY org_k, kind, agent_id ORDER BY user_id) - 1)::int AS n,
       (count(*) OVER (PARTITION BY org_k, kind, agent_id))::int AS cnt
  FROM pool;

CREATE TEMP TABLE r ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('rdvs', 'id')) AS id, s.*, (row_number() OVER (ORDER BY s.starts_at, s.agent_id))::int AS seq
  FROM slot s ORDER BY s.starts_at, s.agent_id;

UPDATE r SET user_id = pn.user_id
  FROM pool_n pn
 WHERE r.user_id IS NULL AND pn.org_k = r.org_k
   AND pn.kind = r.audience AND pn.agent_id = CASE WHEN r.audience = 'referent' THEN r.agent_id ELSE 0 END
   AND pn.n = (r.seq * 37 + r.dn) % pn.cnt;

ALTER TABLE r ADD COLUMN status rdv_status, ADD COLUMN by_type text, ADD COLUMN by_agent bigint,
  ADD COLUMN by_user bigint, ADD COLUMN created timestamptz, ADD COLUMN cancelled timestamptz,
  ADD COLUMN context text, ADD COLUMN address text;

UPDATE r SET status = coalesce(forced_status::rdv_status, CASE
         WHEN starts_at < now() THEN CASE WHEN (seq * 7) % 20 < 14 THEN 'seen' WHEN (seq * 7) % 20 < 16 THEN 'noshow'
                                          WHEN (seq * 7) % 20 < 18 THEN 'excused' WHEN (seq * 7) % 20 = 18 THEN 'revoked'
                                          ELSE 'unknown' END
         ELSE CASE WHEN seq % 13 = 5 THEN 'excused' WHEN seq % 29 = 7 THEN 'revoked' ELSE 'unknown' END
       END::rdv_status),
       by_type = coalesce(forced_by, CASE WHEN bookable = 'everyone' AND (seq * 11) % 10 < 3 THEN 'user' ELSE 'agent' END);

UPDATE r SET by_user = coalesce(u.responsible_id, u.id), address = coalesce(u.address, resp.address)
  FROM users u LEFT JOIN users resp ON resp.id = u.responsible_id
 WHERE u.id = r.user_id;
UPDATE r SET by_user = NULL WHERE by_type <> 'user';
UPDATE r SET address = NULL WHERE loc <> 'home';
-- Agent-created RDVs: by the agent, or by a secretary of the organisation.
UPDATE r SET by_agent = CASE WHEN (seq * 11) % 10 IN (3, 4, 5)
                             THEN coalesce((SELECT a.id FROM ag a WHERE a.services = '{SEC}' AND a.orgs[1] = r.org_k LIMIT 1), r.agent_id)
                             ELSE r.agent_id END
 WHERE by_type = 'agent';
UPDATE r SET created = least(starts_at - make_interval(days => 2 + (seq * 17) % 25, hours => (seq * 5) % 9), now() - interval '1 hour');
UPDATE r SET cancelled = CASE WHEN status = 'noshow' THEN ends_at
                              WHEN status IN ('excused', 'revoked')
                              THEN greatest(created, least(starts_at - make_interval(days => 1 + seq % 3), now() - interval '30 minutes')) END;
UPDATE r SET context = (ARRAY['Dossier FSL à compléter.', 'Premier contact suite à un signalement de la CAF.',
                              'Suivi de poids à refaire dans un mois.', 'Demande d''aide pour un dossier MDPH.',
                              'Vaccins à jour.', 'Orientation vers la PMI pour suivi du nourrisson.'])[1 + seq % 6]
 WHERE seq % 7 = 2 AND status <> 'unknown';

INSERT INTO rdvs (id, organisation_id, motif_id, lieu_id, address, starts_at, ends_at, status, context,
                  users_count, created_by_type, created_by_agent_id, created_by_user_id, cancelled_at,
                  created_at, updated_at)
SELECT r.id, org.id, r.motif_id, CASE WHEN r.loc = 'public_office' THEN r.lieu_id END, r.address,
       r.starts_at, r.ends_at, r.status, r.context,
       CASE WHEN r.status IN ('excused', 'revoked') THEN 0 ELSE 1 END,
       r.by_type, r.by_agent, r.by_user, r.cancelled, r.created, coalesce(r.cancelled, r.created)
  FROM r JOIN org ON org.k = r.org_k;

INSERT INTO agents_rdvs (rdv_id, agent_id) SELECT id, agent_id FROM r;
INSERT INTO participations (rdv_id, user_id, status, created_by_type, created_at)
SELECT id, user_id, status, by_type, created FROM r;

------------------------------------------------------------ collective RDVs (ateliers)
-- Placed outside the agent's plages; Wednesdays relative to the current week, moved
-- by a week (away from today) when they fall on a public holiday.
CREATE TEMP TABLE atl (
  id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('rdvs', 'id')),
  agent_k text, org_k text, lieu_k text, motif_k text, day_off int, start_time time, name text,
  max int, nb int, revoked boolean, day date, starts_at timestamptz, ends_at timestamptz, status rdv_status
) ON COMMIT DROP;
INSERT INTO atl (agent_k, org_k, lieu_k, motif_k, day_off, start_time, name, max, nb, revoked) VALUES
  ('pmi', 'arras', 'arras_centre', 'massage', -47, '14:00', 'Massage bébé – groupe d''automne', 6, 5, false),
  ('pmi', 'arras', 'arras_centre', 'massage', -19, '14:00', 'Massage bébé – séance 2', 6, 6, false),
  ('pmi', 'arras', 'arras_centre', 'massage', 9, '14:00', 'Massage bébé – nouveau groupe', 6, 4, false),
  ('pmi', 'arras', 'arras_centre', 'massage', 23, '14:00', 'Massage bébé – nouveau groupe (suite)', 6, 2, false),
  ('vandamme', 'calais', 'calais_jacquard', 'massage', -26, '14:00', 'Atelier massage bébé', 8, 6, false),
  ('vandamme', 'calais', 'calais_jacquard', 'massage', 16, '14:00', 'Atelier massage bébé', 8, 3, false),
  ('leroy', 'lens', 'lens_basly', 'naissance', -33, '14:00', 'Préparation à la naissance – la respiration', 8, 5, false),
  ('leroy', 'lens', 'lens_basly', 'naissance', -12, '14:00', 'Préparation à la naissance – le retour à la maison', 8, 4, true),
  ('leroy', 'lens', 'lens_basly', 'naissance', 16, '14:00', 'Préparation à la naissance – l''allaitement', 8, 5, false),
  ('baillet', 'boulogne', 'cpef', 'vie_affective', 2, '09:30', 'Atelier vie affective – lycée Mariette', 12, 7, false);

UPDATE atl SET day = :'cw'::date + day_off;
UPDATE atl SET day = day + CASE WHEN day_off < 0 THEN -7 ELSE 7 END WHERE day IN (SELECT day FROM holiday);
UPDATE atl SET starts_at = (day + start_time) AT TIME ZONE 'Europe/Paris',
              ends_at = (day + start_time + make_interval(mins => mo.dur)) AT TIME ZONE 'Europe/Paris'
  FROM mo WHERE mo.org_k = atl.org_k AND mo.k = atl.motif_k;
UPDATE atl SET status = CASE WHEN revoked THEN 'revoked' WHEN ends_at < now() THEN 'seen' ELSE 'unknown' END::rdv_status;

INSERT INTO rdvs (id, organisation_id, motif_id, lieu_id, starts_at, ends_at, status, collectif, name,
                  max_participants_count, users_count, created_by_type, created_by_agent_id,
                  cancelled_at, created_at, updated_at)
SELECT atl.id, org.id, mo.id, li.id, atl.starts_at, atl.ends_at, atl.status, true, atl.name, atl.max, 0,
       'agent', ag.id, CASE WHEN atl.revoked THEN least(atl.starts_at - interval '2 days', now() - interval '1 hour') END,
       -- created (and cancelled) in the past, even for the workshops of the coming weeks
       least(atl.starts_at - interval '3 weeks', now() - interval '1 day'),
       CASE WHEN atl.revoked THEN least(atl.starts_at - interval '2 days', now() - interval '1 hour')
            ELSE least(atl.starts_at - interval '3 weeks', now() - interval '1 day') END
  FROM atl JOIN org ON org.k = atl.org_k JOIN mo ON mo.org_k = atl.org_k AND mo.k = atl.motif_k
  JOIN li ON li.k = atl.lieu_k JOIN ag ON ag.k = atl.agent_k;

INSERT INTO agents_rdvs (rdv_id, agent_id) SELECT atl.id, ag.id FROM atl JOIN ag ON ag.k = atl.agent_k;

INSERT INTO participations (rdv_id, user_id, status, created_by_type, created_at)
SELECT atl.id, pn.user_id,
       CASE WHEN atl.status = 'revoked' THEN 'revoked'
            WHEN j % 5 = 3 AND atl.status = 'seen' THEN 'noshow'
            WHEN j % 4 = 2 THEN 'excused'
            ELSE atl.status END::rdv_status,
       CASE WHEN j % 3 = 1 THEN 'user' ELSE 'agent' END,
       least(atl.starts_at - make_interval(days => 20 - j), now() - make_interval(hours => 12 - j))
  FROM atl JOIN mo ON mo.org_k = atl.org_k AND mo.k = atl.motif_k
  CROSS JOIN generate_series(0, 11) j
  JOIN pool_n pn ON pn.org_k = atl.org_k AND pn.kind = mo.audience AND pn.agent_id = 0
                AND pn.n = (atl.id::int * 5 + j) % pn.cnt
 WHERE j < atl.nb
ON CONFLICT DO NOTHING;

UPDATE rdvs SET users_count = (SELECT count(*) FROM participations p
                                WHERE p.rdv_id = rdvs.id AND p.status NOT IN ('excused', 'revoked'))
 WHERE id IN (SELECT id FROM atl);

\echo 'demo: données de démonstration chargées.'
\endif

COMMIT;
