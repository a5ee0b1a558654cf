/*
 * test_prescripteur.c - booking for someone else as a prescripteur
 * (reference: /prendre_rdv_prescripteur): motifs bookable by prescripteurs
 * are offered in prescripteur mode only, "agents" motifs never; the steps
 * (prescripteur, bénéficiaire, recap) book an RDV created by the prescripteur
 * for a usager found or created with a profile in the organisation, and queue
 * the usager's and the prescripteur's messages; the same person booked twice
 * is one usager; a taken créneau books nothing; CSRF is required. The forms'
 * 422s are checked in test_forms.c (prescripteur_booking_query).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "fixtures.h"

#define MOTIF_NAME "Prescription test PMI"
#define AGENTS_ONLY "Agents seulement test PMI"
#define ADDRESS "address=3+rue+Gambetta+Arras&city_code=62041&street_ban_id=62041_0460"
/* used in printf formats only (%% doubled) */
#define PRESC_FORM "presc_first_name=Camille&presc_last_name=Prescriptrice&presc_email=camille.presc%%40example.org" \
		   "&presc_phone=03+21+12+34+56"

static char g_arras[16], g_motif[32], g_agents_only[32], g_lieu[32], g_service[32], g_query[256];

/* motif: bookable_by, with the PMI agent's plages at the Gambetta site, days 3 to 8. */
static void make_motif(char *out, size_t n, const char *name, const char *bookable_by, const char *pmi)
{
	fx_sql(out, n,
	       "WITH m AS (INSERT INTO motifs (organisation_id, service_id, name, default_duration_in_min, location_type,"
	       " bookable_by, sectorisation_level) SELECT %s, s.id, '%s', 30, 'public_office', '%s', 'departement'"
	       " FROM services s WHERE s.short_name = 'PMI' RETURNING id),"
	       " p AS (INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day, start_time, end_time)"
	       " SELECT l.organisation_id, %s, l.id, 'Test prescripteur', current_date + d, '08:00', '12:00'"
	       " FROM unnest('{3,4,5,6,7,8}'::int[]) d, lieux l WHERE l.name = 'MDS d''Arras – site Gambetta' RETURNING id),"
	       " pm AS (INSERT INTO plage_ouverture_motifs SELECT p.id, m.id FROM p, m) SELECT id FROM m",
	       g_arras, name, bookable_by, pmi);
}

static void setup(void)
{
	if (g_motif[0])
		return;
	char lens[16], pmi[16], social[16], admin[16];
	fx_demo_ids(g_arras, lens, pmi, social, admin);
	make_motif(g_motif, sizeof(g_motif), MOTIF_NAME, "agents_and_prescripteurs", pmi);
	make_motif(g_agents_only, sizeof(g_agents_only), AGENTS_ONLY, "agents", pmi);
	fx_sql(g_lieu, sizeof(g_lieu), "SELECT id FROM lieux WHERE name = 'MDS d''Arras – site Gambetta'");
	fx_sql(g_service, sizeof(g_service), "SELECT service_id FROM motifs WHERE id = %s", g_motif);
	fx_sql(NULL, 0, "DELETE FROM login_attempts WHERE login LIKE 'prescripteur:%%'");
}

const char *prescripteur_booking_query(void);

/* For test_forms.c: the hidden fields of a prescripteur booking form (a
 * créneau of the prescripteur motif, free or not: the form steps check the
 * fields first). */
const char *prescripteur_booking_query(void)
{
	setup();
	snprintf(g_query, sizeof(g_query), ADDRESS "&motif_id=%s&lieu_id=%s&starts_at=%lld", g_motif, g_lieu,
		 fx_ll("SELECT extract(epoch FROM ((current_date + 4) + time '08:00') AT TIME ZONE 'Europe/Paris')::bigint"));
	return g_query;
}

/* The first booking link (créneau or workshop) of the prescripteur's page of
 * motif (its name URL-encoded), unescaped. */
static int first_link(struct browser *b, const char *motif, char *href, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "/prendre_rdv_prescripteur?" ADDRESS "&service_id=%s&motif_name=%s"
		 "&location_type=public_office&lieu_id=%s", g_service, motif, g_lieu);
	if (browser_get(b, path) != 200)
		return -1;
	return fx_first_href(b, "/prescripteur/new?", href, n);
}

/* The first créneau link of the prescripteur motif. */
static int first_slot(struct browser *b, char *href, size_t n)
{
	return first_link(b, "Prescription+test+PMI", href, n);
}

/* The hidden fields of a créneau link (its query string). */
static const char *slot_fields(const char *href)
{
	const char *q = strchr(href, '?');
	return q ? q + 1 : "";
}

static void test_offer(void)
{
	setup();
	struct browser b;
	browser_init(&b);
	char path[512];
	/* the home page links to the prescripteur's search */
	CU_ASSERT_EQUAL(browser_get(&b, "/"), 200);
	CU_ASSERT(browser_body_has(&b, "/prendre_rdv_prescripteur\">Prendre rendez-vous pour quelqu'un"));
	/* without an address: asked, in prescripteur mode */
	CU_ASSERT_EQUAL(browser_get(&b, "/prendre_rdv_prescripteur"), 200);
	CU_ASSERT(browser_body_has(&b, "en tant que prescripteur"));
	CU_ASSERT(browser_body_has(&b, "name=\"prescripteur\" value=\"1\""));
	/* prescripteur mode: the prescripteurs' motif, never the agents' one */
	snprintf(path, sizeof(path), "/prendre_rdv_prescripteur?" ADDRESS "&service_id=%s", g_service);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Vous prenez rendez-vous pour quelqu&#39;un d&#39;autre, en tant que prescripteur") ||
		  browser_body_has(&b, "Vous prenez rendez-vous pour quelqu'un d'autre, en tant que prescripteur"));
	CU_ASSERT(browser_body_has(&b, MOTIF_NAME));
	CU_ASSERT(browser_body_has(&b, "Consultation PMI nourrisson"));   /* everyone's motifs too */
	CU_ASSERT(!browser_body_has(&b, AGENTS_ONLY));
	CU_ASSERT(browser_body_has(&b, "prescripteur=1"));                 /* the mode stays in the links */
	/* the citizen's search: neither */
	snprintf(path, sizeof(path), "/prendre_rdv?" ADDRESS "&service_id=%s", g_service);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(!browser_body_has(&b, MOTIF_NAME));
	CU_ASSERT(!browser_body_has(&b, AGENTS_ONLY));
	CU_ASSERT(!browser_body_has(&b, "en tant que prescripteur"));
	/* the créneaux lead to the prescripteur's steps */
	char href[1024];
	CU_ASSERT_EQUAL_FATAL(first_slot(&b, href, sizeof(href)), 0);
	CU_ASSERT(strstr(href, "prescripteur=1") != NULL);
	/* the prescripteur flag on the citizen's booking opens nothing */
	snprintf(path, sizeof(path), "/reservation/new?%s", slot_fields(href));
	CU_ASSERT(test_citizen("presc.citoyen@example.fr") > 0);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, "presc.citoyen@example.fr", NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* nor the prescripteur's steps an agents-only motif */
	browser_free(&b);
	browser_init(&b);
	snprintf(path, sizeof(path), "/prescripteur/new?" ADDRESS "&motif_id=%s&lieu_id=%s&starts_at=%s", g_agents_only,
		 g_lieu, strstr(href, "starts_at=") + 10);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

/* Books the first créneau for the bénéficiaire fields ben; the RDV id (0 if none). */
static long long book(struct browser *b, const char *ben, long long *starts_at)
{
	char href[1024], form[2048], action[1024];
	if (first_slot(b, href, sizeof(href)) != 0)
		return 0;
	*starts_at = atoll(strstr(href, "starts_at=") + 10);
	CU_ASSERT_EQUAL(browser_get(b, href), 200);
	CU_ASSERT(browser_body_has(b, "en tant que prescripteur"));
	CU_ASSERT(browser_body_has(b, "id=\"presc_email\""));
	const char *q = slot_fields(href);
	snprintf(action, sizeof(action), "/prescripteur/beneficiaire?%s", q);
	snprintf(form, sizeof(form), "%s&" PRESC_FORM, q);
	CU_ASSERT_EQUAL(browser_post(b, action, form, 1), 200);
	CU_ASSERT(browser_body_has(b, "id=\"first_name\""));
	CU_ASSERT(browser_body_has(b, "type=\"hidden\" name=\"presc_email\" value=\"camille.presc@example.org\""));
	snprintf(action, sizeof(action), "/prescripteur/recapitulatif?%s", q);
	snprintf(form, sizeof(form), "%s&" PRESC_FORM "&%s", q, ben);
	CU_ASSERT_EQUAL(browser_post(b, action, form, 1), 200);
	CU_ASSERT(browser_body_has(b, "Confirmer le rendez-vous"));
	CU_ASSERT(browser_body_has(b, "Prescriptrice"));
	snprintf(action, sizeof(action), "/prescripteur/rdv?%s", q);
	long st = browser_post(b, action, form, 1);
	CU_ASSERT_EQUAL(st, 200);
	if (st != 200)
		return 0;
	CU_ASSERT(browser_body_has(b, "est confirmé"));
	return fx_ll("SELECT max(id) FROM rdvs WHERE motif_id = %s AND starts_at = to_timestamp(%lld)"
		     " AND cancelled_at IS NULL", g_motif, *starts_at);
}

static void test_book(void)
{
	setup();
	struct browser b;
	browser_init(&b);
	long long start = 0;
	long long rdv = book(&b, "first_name=Zo%C3%A9&last_name=Pr%C3%A9vert&birth_date=14%2F07%2F1985"
			     "&phone=06+11+22+33+44&email=zoe.prevert%40example.org", &start);
	CU_ASSERT_FATAL(rdv > 0);
	fx_sql_is("prescripteur", "SELECT created_by_type FROM rdvs WHERE id = %lld", rdv);
	fx_sql_is("camille.presc@example.org|Camille Prescriptrice|03 21 12 34 56",
		  "SELECT p.email || '|' || p.first_name || ' ' || p.last_name || '|' || p.phone_number"
		  " FROM rdvs r JOIN prescripteurs p ON p.id = r.created_by_prescripteur_id WHERE r.id = %lld", rdv);
	fx_sql_is("prescripteur|+33611223344|1985-07-14|62041|true",
		  "SELECT u.created_through || '|' || u.phone_number_formatted || '|' || u.birth_date || '|' || u.city_code"
		  " || '|' || EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = u.id AND p.organisation_id = %s)"
		  " FROM participations pa JOIN users u ON u.id = pa.user_id WHERE pa.rdv_id = %lld", g_arras, rdv);
	fx_sql_is("1", "SELECT count(*) FROM agents_rdvs WHERE rdv_id = %lld", rdv);
	/* the usager told by e-mail and SMS, the prescripteur by e-mail, no link in theirs */
	fx_sql_is("2", "SELECT count(*) FROM outbox WHERE rdv_id = %lld AND event = 'rdv_created'"
		       " AND recipient IN ('zoe.prevert@example.org', '+33611223344')", rdv);
	fx_sql_is("1", "SELECT count(*) FROM outbox WHERE rdv_id = %lld AND event = 'prescripteur_rdv_created'"
		       " AND channel = 'email' AND recipient = 'camille.presc@example.org' AND NOT payload ? 'token'"
		       " AND payload->>'to_name' = 'Camille Prescriptrice'", rdv);
	/* the same person (accents, case and phone written otherwise): one usager, two RDVs */
	long long again = book(&b, "first_name=zoe&last_name=PREVERT&phone=%2B33+6+11+22+33+44", &start);
	CU_ASSERT_FATAL(again > 0 && again != rdv);
	fx_sql_is("1", "SELECT count(DISTINCT u.id) FROM users u JOIN participations p ON p.user_id = u.id"
		       " WHERE p.rdv_id IN (%lld, %lld)", rdv, again);
	fx_sql_is("1", "SELECT count(*) FROM users WHERE phone_number_formatted = '+33611223344' AND deleted_at IS NULL");
	browser_free(&b);
	fx_sql(NULL, 0, "DELETE FROM login_attempts WHERE login LIKE 'prescripteur:%%'");
}

static void test_taken_and_csrf(void)
{
	setup();
	struct browser b;
	browser_init(&b);
	char href[1024], form[2048], action[1024];
	CU_ASSERT_EQUAL_FATAL(first_slot(&b, href, sizeof(href)), 0);
	const char *q = slot_fields(href);
	long long start = atoll(strstr(href, "starts_at=") + 10);
	CU_ASSERT_EQUAL(browser_get(&b, href), 200);
	snprintf(action, sizeof(action), "/prescripteur/rdv?%s", q);
	snprintf(form, sizeof(form), "%s&" PRESC_FORM "&first_name=Jean&last_name=Csrf&phone=0611223355", q);
	/* without the CSRF token: refused, nothing booked */
	long st = browser_post(&b, action, form, 0);
	CU_ASSERT(st == 403 || st == 422);
	fx_sql_is("0", "SELECT count(*) FROM rdvs WHERE motif_id = %s AND starts_at = to_timestamp(%lld)", g_motif, start);
	/* another agent's RDV takes the créneau meanwhile: French message, no RDV */
	char pmi[16];
	fx_sql(pmi, sizeof(pmi), "SELECT id FROM agents WHERE email = '%s'", FX_PMI);
	fx_sql(NULL, 0, "WITH r AS (INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at)"
			" VALUES (%s, %s, %s, to_timestamp(%lld), to_timestamp(%lld) + interval '30 minutes') RETURNING id)"
			" INSERT INTO agents_rdvs (rdv_id, agent_id) SELECT id, %s FROM r RETURNING rdv_id",
	       g_arras, g_motif, g_lieu, start, start, pmi);
	st = browser_post(&b, action, form, 1);
	CU_ASSERT_EQUAL(st, 303);
	CU_ASSERT(strstr(b.location, "prescripteur=1") != NULL);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "plus disponible"));
	fx_sql_is("0", "SELECT count(*) FROM rdvs WHERE motif_id = %s AND starts_at = to_timestamp(%lld)"
		       " AND created_by_type = 'prescripteur'", g_motif, start);
	fx_sql_is("0", "SELECT count(*) FROM users WHERE last_name = 'Csrf'");
	/* no contact for the bénéficiaire: 422 on the phone field, what was typed kept */
	snprintf(action, sizeof(action), "/prescripteur/recapitulatif?%s", q);
	snprintf(form, sizeof(form), "%s&" PRESC_FORM "&first_name=Jean&last_name=Sanscontact", q);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "id=\"phone-error\""));
	CU_ASSERT(browser_body_has(&b, "value=\"Sanscontact\""));
	browser_free(&b);
	fx_sql(NULL, 0, "DELETE FROM login_attempts WHERE login LIKE 'prescripteur:%%'");
}

/* The agent's RDV page says who created the RDV, whatever the origin; the
 * audit row of a prescripteur's booking names the prescripteur. */
static void test_created_by(void)
{
	setup();
	struct browser b, a;
	browser_init(&b);
	long long start = 0;
	long long rdv = book(&b, "first_name=Lou&last_name=Creepar&phone=06+11+22+33+99", &start);
	browser_free(&b);
	CU_ASSERT_FATAL(rdv > 0);
	fx_sql_is("prescripteur camille.presc@example.org|create", "SELECT actor || '|' || event FROM audit"
		  " WHERE item_type = 'rdv' AND item_id = %lld AND agent_id IS NULL AND user_id IS NULL", rdv);
	const char *page = fx_org_path(g_arras, "rdvs", "/%lld", rdv);
	fx_sign_in(&a, FX_ADMIN_ARRAS, page);
	CU_ASSERT_EQUAL(browser_get(&a, page), 200);
	CU_ASSERT(browser_body_has(&a, "Créé par Camille Prescriptrice, prescripteur (camille.presc@example.org,"
				       " 03 21 12 34 56) le "));
	/* the history names the prescripteur too */
	CU_ASSERT(browser_body_has(&a, "prescripteur camille.presc@example.org"));
	fx_sql(NULL, 0, "UPDATE rdvs SET created_by_type = 'user' WHERE id = %lld", rdv);
	CU_ASSERT_EQUAL(browser_get(&a, page), 200);
	CU_ASSERT(browser_body_has(&a, "Pris en ligne par l&#39;usager le ") ||
		  browser_body_has(&a, "Pris en ligne par l'usager le "));
	fx_sql(NULL, 0, "UPDATE rdvs SET created_by_type = 'file_attente' WHERE id = %lld", rdv);
	CU_ASSERT_EQUAL(browser_get(&a, page), 200);
	CU_ASSERT(browser_body_has(&a, "Créé depuis la liste d&#39;attente le ") ||
		  browser_body_has(&a, "Créé depuis la liste d'attente le "));
	char name[128];
	fx_sql(name, sizeof(name), "SELECT first_name || ' ' || last_name FROM agents WHERE email = '%s'", FX_PMI);
	fx_sql(NULL, 0, "UPDATE rdvs SET created_by_type = 'agent', created_by_agent_id = (SELECT id FROM agents"
			" WHERE email = '%s') WHERE id = %lld", FX_PMI, rdv);
	CU_ASSERT_EQUAL(browser_get(&a, page), 200);
	char want[256];
	snprintf(want, sizeof(want), "Créé par %s le ", name);
	CU_ASSERT(browser_body_has(&a, want));
	fx_sql(NULL, 0, "UPDATE rdvs SET created_by_type = 'prescripteur', created_by_agent_id = NULL WHERE id = %lld", rdv);
	browser_free(&a);
	fx_sql(NULL, 0, "DELETE FROM login_attempts WHERE login LIKE 'prescripteur:%%'");
}

/* The motif's « À lire » text is confirmed on the recap, as the citizen does. */
static void test_restriction(void)
{
	setup();
	fx_sql(NULL, 0, "UPDATE motifs SET restriction_for_rdv = 'Apporter le carnet de santé.' WHERE id = %s", g_motif);
	struct browser b;
	browser_init(&b);
	char href[1024], form[2048], action[1024];
	CU_ASSERT_FATAL(first_slot(&b, href, sizeof(href)) == 0);
	const char *q = slot_fields(href);
	long long start = atoll(strstr(href, "starts_at=") + 10);
	CU_ASSERT_EQUAL(browser_get(&b, href), 200);
	snprintf(action, sizeof(action), "/prescripteur/recapitulatif?%s", q);
	snprintf(form, sizeof(form), "%s&" PRESC_FORM "&first_name=Anne&last_name=Alire&phone=0611223366", q);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 200);
	CU_ASSERT(browser_body_has(&b, "Apporter le carnet de santé."));
	CU_ASSERT(browser_body_has(&b, "name=\"accept_restriction\""));
	/* not confirmed: the recap again, the message next to the box, nothing booked */
	snprintf(action, sizeof(action), "/prescripteur/rdv?%s", q);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "id=\"accept_restriction-error\""));
	CU_ASSERT(browser_body_has(&b, "Confirmez avoir lu les informations"));
	fx_sql_is("0", "SELECT count(*) FROM users WHERE last_name = 'Alire'");
	/* confirmed: booked */
	size_t len = strlen(form);
	snprintf(form + len, sizeof(form) - len, "&accept_restriction=1");
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 200);
	fx_sql_is("1", "SELECT count(*) FROM rdvs r JOIN participations p ON p.rdv_id = r.id JOIN users u ON u.id = p.user_id"
		       " WHERE r.motif_id = %s AND r.starts_at = to_timestamp(%lld) AND u.last_name = 'Alire'", g_motif, start);
	fx_sql(NULL, 0, "UPDATE motifs SET restriction_for_rdv = NULL WHERE id = %s", g_motif);
	browser_free(&b);
	fx_sql(NULL, 0, "DELETE FROM login_attempts WHERE login LIKE 'prescripteur:%%'");
}

/* A collective motif bookable by prescripteurs with two workshops at the
 * Gambetta site: one seat left in the first (days 5), ten in the second. */
static void make_workshops(char *rdv, size_t n)
{
	char pmi[16], motif[32];
	fx_sql(pmi, sizeof(pmi), "SELECT id FROM agents WHERE email = '%s'", FX_PMI);
	fx_sql(motif, sizeof(motif),
	       "INSERT INTO motifs (organisation_id, service_id, name, default_duration_in_min, location_type, bookable_by,"
	       " sectorisation_level, collectif) SELECT %s, s.id, 'Atelier prescription test', 60, 'public_office',"
	       " 'agents_and_prescripteurs', 'departement', true FROM services s WHERE s.short_name = 'PMI' RETURNING id",
	       g_arras);
	for (int i = 0; i < 2; i++)
		fx_sql(i == 0 ? rdv : NULL, n,
		       "WITH r AS (INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, collectif, name,"
		       " max_participants_count, users_count, created_by_type) VALUES (%s, %s, %s,"
		       " ((current_date + %d) + time '14:00') AT TIME ZONE 'Europe/Paris',"
		       " ((current_date + %d) + time '15:00') AT TIME ZONE 'Europe/Paris', true, 'Atelier %d', %d, 0, 'agent')"
		       " RETURNING id), a AS (INSERT INTO agents_rdvs (rdv_id, agent_id) SELECT id, %s FROM r)"
		       " SELECT id FROM r", g_arras, motif, g_lieu, 5 + i, 5 + i, i, i == 0 ? 1 : 10, pmi);
}

/* Workshops in prescripteur mode: listed, a seat taken for the bénéficiaire
 * (participant created by the prescripteur, who is e-mailed); the same
 * person twice and a full workshop get a French message. */
static void test_workshop(void)
{
	setup();
	char rdv[32], href[1024], form[2048], action[1024];
	make_workshops(rdv, sizeof(rdv));
	struct browser b;
	browser_init(&b);
	CU_ASSERT_FATAL(first_link(&b, "Atelier+prescription+test", href, sizeof(href)) == 0);
	CU_ASSERT(strstr(href, "rdv_id=") != NULL && strstr(href, "prescripteur=1") != NULL);
	CU_ASSERT_EQUAL(browser_get(&b, href), 200);
	CU_ASSERT(browser_body_has(&b, "id=\"presc_email\""));
	const char *q = slot_fields(href);
	snprintf(action, sizeof(action), "/prescripteur/rdv?%s", q);
	snprintf(form, sizeof(form), "%s&" PRESC_FORM "&first_name=Ali&last_name=Atelier&phone=0611223377", q);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 200);
	CU_ASSERT(browser_body_has(&b, "est confirmé"));
	fx_sql_is("1|prescripteur|camille.presc@example.org",
		  "SELECT r.users_count || '|' || p.created_by_type || '|' || pr.email FROM rdvs r"
		  " JOIN participations p ON p.rdv_id = r.id JOIN users u ON u.id = p.user_id AND u.last_name = 'Atelier'"
		  " JOIN prescripteurs pr ON pr.id = p.created_by_prescripteur_id WHERE r.id = %s", rdv);
	fx_sql_is("1", "SELECT count(*) FROM outbox WHERE rdv_id = %s AND event = 'prescripteur_rdv_created'"
		       " AND recipient = 'camille.presc@example.org'", rdv);
	fx_sql_is("prescripteur camille.presc@example.org", "SELECT actor FROM audit WHERE item_type = 'rdv'"
		  " AND item_id = %s AND event = 'participation'", rdv);
	/* the same person again: already registered */
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 409);
	CU_ASSERT(browser_body_has(&b, "Cette personne est déjà inscrite à cet atelier."));
	/* someone else: the workshop is full, nothing taken */
	snprintf(form, sizeof(form), "%s&" PRESC_FORM "&first_name=Bea&last_name=Complet&phone=0611223388", q);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 303);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Cet atelier est complet"));
	fx_sql_is("1", "SELECT users_count FROM rdvs WHERE id = %s", rdv);
	fx_sql_is("0", "SELECT count(*) FROM users WHERE last_name = 'Complet'");
	browser_free(&b);
	fx_sql(NULL, 0, "DELETE FROM login_attempts WHERE login LIKE 'prescripteur:%%'");
}

void register_prescripteur_http(void)
{
	CU_pSuite s = CU_add_suite("http: prescripteur booking for someone else", NULL, NULL);
	CU_add_test(s, "prescripteur mode offers the prescripteurs' motifs, never the agents' ones", test_offer);
	CU_add_test(s, "the steps book an RDV created by the prescripteur; same person twice = one usager", test_book);
	CU_add_test(s, "a taken créneau books nothing; CSRF required; a contact required", test_taken_and_csrf);
	CU_add_test(s, "the agent's RDV page says who created it; the audit names the prescripteur", test_created_by);
	CU_add_test(s, "the motif's « À lire » text is confirmed before booking", test_restriction);
	CU_add_test(s, "workshops: a seat for the bénéficiaire, twice or full refused in French", test_workshop);
}
