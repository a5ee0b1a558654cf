/*
 * test_public.c - the public search and booking flow against the running
 * stack: address autocomplete, sectorisation routing, motif rules, delays,
 * the wizard steps, booking for oneself and for a proche, and the race of
 * 20 citizens for one créneau. The booking tests need lib/creneaux.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define USAGER "usager@demo.rdv-solidarites.fr"

static long sign_in_usager(struct browser *b)
{
	return browser_sign_in_user(b, USAGER, NULL);
}

static void service_id(const char *short_name, char out[32])
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT id FROM services WHERE short_name = '%s'", short_name);
	out[0] = '\0';
	test_sql(sql, out, 32);
}

/* GET the motif step of an address for a service. */
static long motifs_of(struct browser *b, const char *city, const char *street, const char *svc)
{
	char path[512], sid[32];
	service_id(svc, sid);
	snprintf(path, sizeof(path), "/prendre_rdv?address=x&city_code=%s&street_ban_id=%s&service_id=%s", city,
		 street, sid);
	return browser_get(b, path);
}

static void test_address_autocomplete(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=12%20rue%20gambetta%20arras"), 200);
	CU_ASSERT(browser_body_has(&b, "\"street_ban_id\":\"62041_0460\""));
	CU_ASSERT(browser_body_has(&b, "12 Rue Gambetta 62000 Arras"));
	/* accents ignored both ways */
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=EMILE%20zola%20lens"), 200);
	CU_ASSERT(browser_body_has(&b, "62498_0710"));
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=li%C3%A9vin%20thiers"), 200);
	CU_ASSERT(browser_body_has(&b, "62510_0780"));
	/* too short or nonsense: an empty list */
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=ab"), 200);
	CU_ASSERT(browser_body_has(&b, "{\"results\":[]}"));
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=zzzzqqqq"), 200);
	CU_ASSERT(browser_body_has(&b, "{\"results\":[]}"));
	browser_free(&b);
}

/* The street search tables follow the addresses table (statement trigger of
 * migration 0018): a street added is found at once, by the start of its
 * words in any order, a half-typed last word, with a common word ("rue")
 * and a house number; a deleted one is gone. */
static void test_address_tables_follow(void)
{
	char v[64];
	CU_ASSERT_EQUAL_FATAL(test_sql("INSERT INTO addresses (id, numero, nom_voie, code_postal, code_insee, nom_commune,"
		" street_id, lon, lat, label) SELECT '62041_9990_' || lpad(n::text, 5, '0'), n::text,"
		" 'Rue des Essais Publics', '62000', '62041', 'Arras', '62041_9990', 2.78, 50.29,"
		" n || ' Rue des Essais Publics 62000 Arras' FROM generate_series(1, 3) n", v, sizeof(v)), 0);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=essais%20publics%20arras"), 200);
	CU_ASSERT(browser_body_has(&b, "\"street_ban_id\":\"62041_9990\""));
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=arras%20essa"), 200);
	CU_ASSERT(browser_body_has(&b, "1 Rue des Essais Publics 62000 Arras"));
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=2%20rue%20des%20essais%20publics"), 200);
	CU_ASSERT(browser_body_has(&b, "2 Rue des Essais Publics 62000 Arras"));
	CU_ASSERT(!browser_body_has(&b, "1 Rue des Essais Publics"));
	test_sql("DELETE FROM addresses WHERE street_id = '62041_9990'", v, sizeof(v));
	/* answers are cached per process; each one reads the address data version
	 * at most once per second (cgi-bin/search/addresses.c) */
	usleep(1200 * 1000);
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=essais%20publics%20arras"), 200);
	CU_ASSERT(browser_body_has(&b, "{\"results\":[]}"));
	browser_free(&b);
}

/* Answers are cached per normalized text ("Rue  des-Importées" and "rue des
 * importees" are one entry) under the address data version of migration
 * 0027: a street the importer (sql/import-ban.sh) brings is found once the
 * programs read the new version (at most a second later), though its text
 * was answered, empty, from the cache just before. */
static void test_address_import_seen(void)
{
	char csv[] = "/tmp/rdv-ban-XXXXXX";
	int fd = mkstemp(csv);
	CU_ASSERT_FATAL(fd >= 0);
	FILE *f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;"
	      "nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;"
	      "source_position;source_nom_voie;certification_commune;cad_parcelles\n"
	      "62041_9991_00007;;7;;Rue des Importées;62000;62041;Arras;;;;;2.77;50.28;;;;;;;;;\n", f);
	fclose(f);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=Rue%20%20des-Import%C3%A9es%20Arras"), 200);
	CU_ASSERT(browser_body_has(&b, "{\"results\":[]}"));
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=rue%20des%20importees%20arras"), 200);
	CU_ASSERT(browser_body_has(&b, "{\"results\":[]}"));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "bash '%s/sql/import-ban.sh' '%s' >/dev/null", getenv("RDV_ROOT"), csv);
	CU_ASSERT_EQUAL(system(cmd), 0);
	unlink(csv);
	usleep(1200 * 1000);   /* past the period of the version reading */
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=rue%20des%20importees%20arras"), 200);
	CU_ASSERT(browser_body_has(&b, "7 Rue des Importées 62000 Arras"));
	CU_ASSERT_EQUAL(browser_get(&b, "/adresses?q=Rue%20%20des-Import%C3%A9es%20Arras"), 200);
	CU_ASSERT(browser_body_has(&b, "\"street_ban_id\":\"62041_9991\""));
	char v[64];
	test_sql("DELETE FROM addresses WHERE street_id = '62041_9991'", v, sizeof(v));
	browser_free(&b);
}

static void test_geocode_without_js(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/prendre_rdv?address=3+rue+ronville+arras&service_id="), 302);
	CU_ASSERT(strstr(b.location, "city_code=62041") != NULL);
	CU_ASSERT(strstr(b.location, "street_ban_id=62041_0740") != NULL);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Choisissez un service"));
	CU_ASSERT_EQUAL(browser_get(&b, "/prendre_rdv?address=nulle+part+introuvable"), 200);
	CU_ASSERT(browser_body_has(&b, "Nous n&#39;avons pas trouvé cette adresse"));
	CU_ASSERT_EQUAL(browser_get(&b, "/prendre_rdv"), 302);
	browser_free(&b);
}

#define PREMIER "Premier rendez-vous assistante sociale"
#define DROITS "Permanence accès aux droits"

static void test_sector_routing(void)
{
	struct browser b;
	browser_init(&b);
	/* commune zone (no street zone for Rue Baudimont): arras-centre, where the
	 * agent-level motif is attributed to agent.social */
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0060", "SSOC"), 200);
	CU_ASSERT(browser_body_has(&b, PREMIER));
	CU_ASSERT(!browser_body_has(&b, DROITS));
	/* street zone of arras-sud only: the street wins over the commune, and
	 * arras-sud has no agent attribution */
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0740", "SSOC"), 200);
	CU_ASSERT(!browser_body_has(&b, PREMIER));
	CU_ASSERT(browser_body_has(&b, "Entretien téléphonique assistante sociale"));
	/* Rue Gambetta is in two secteurs: both apply */
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0460", "SSOC"), 200);
	CU_ASSERT(browser_body_has(&b, PREMIER));
	/* Lens: its organisation-level motifs */
	CU_ASSERT_EQUAL(motifs_of(&b, "62498", "62498_0710", "SSOC"), 200);
	CU_ASSERT(browser_body_has(&b, DROITS));
	/* outside every secteur of the département: a clear message */
	CU_ASSERT_EQUAL(browser_get(&b, "/prendre_rdv?address=x&city_code=62001"), 200);
	CU_ASSERT(browser_body_has(&b, "n&#39;est rattachée à aucun secteur"));
	/* outside every territory */
	CU_ASSERT_EQUAL(browser_get(&b, "/prendre_rdv?address=x&city_code=75056"), 200);
	CU_ASSERT(browser_body_has(&b, "ne propose pas encore la prise de rendez-vous en ligne"));
	browser_free(&b);
}

static void test_not_bookable_invisible(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0460", "PMI"), 200);
	CU_ASSERT(browser_body_has(&b, "Consultation PMI nourrisson"));
	CU_ASSERT(!browser_body_has(&b, "Visite à domicile"));          /* bookable by agents only */
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0460", "SSOC"), 200);
	CU_ASSERT(!browser_body_has(&b, "Suivi assistante sociale"));   /* follow-up, agents only */
	CU_ASSERT(!browser_body_has(&b, "protection de l&#39;enfance"));
	browser_free(&b);
}

static void test_lieux_then_creneaux(void)
{
	struct browser b;
	browser_init(&b);
	char sid[32], path[512];
	service_id("PMI", sid);
	snprintf(path, sizeof(path), "/prendre_rdv?address=x&city_code=62041&street_ban_id=62041_0460&lat=50.29&lon=2.78"
		 "&service_id=%s&motif_name=Consultation%%20PMI%%20nourrisson&location_type=public_office", sid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Choisissez un lieu"));
	CU_ASSERT(browser_body_has(&b, "MDS d&#39;Arras – site Gambetta"));
	CU_ASSERT(browser_body_has(&b, " km"));
	CU_ASSERT(!browser_body_has(&b, "Baudimont"));                  /* disabled lieu */
	/* phone motifs skip the lieu step */
	service_id("SSOC", sid);
	snprintf(path, sizeof(path), "/prendre_rdv?address=x&city_code=62041&street_ban_id=62041_0460&service_id=%s"
		 "&motif_name=Entretien%%20t%%C3%%A9l%%C3%%A9phonique%%20assistante%%20sociale&location_type=phone", sid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Choisissez un créneau"));
	CU_ASSERT(!browser_body_has(&b, "Choisissez un lieu"));
	/* past the max booking delay (~3 months): closed */
	char far[32];
	test_sql("SELECT to_char(current_date + 120, 'YYYY-MM-DD')", far, sizeof(far));
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "&date=%s", far);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Date fermée à la réservation"));
	/* a not-bookable motif asked by URL */
	service_id("PMI", sid);
	snprintf(path, sizeof(path), "/prendre_rdv?address=x&city_code=62041&service_id=%s"
		 "&motif_name=Visite%%20%%C3%%A0%%20domicile%%20pu%%C3%%A9ricultrice&location_type=home", sid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "pas proposé en ligne"));
	browser_free(&b);
}

/* A one-off plage for agent.pmi on a Saturday ≥ 20 days ahead, 14:00-15:00
 * at the MDS d'Arras site Gambetta, motif nourrisson (30 min): two créneaux
 * that no demo RDV touches. Fills motif, lieu and the 14:00 start. */
static int test_plage(char motif[32], char lieu[32], long long *start)
{
	char v[64];
	if (test_sql("WITH d AS (SELECT min(x)::date AS day FROM generate_series(current_date + 20, current_date + 40,"
		     " interval '1 day') x WHERE extract(isodow FROM x) = 6 AND to_char(x, 'MM-DD') NOT IN"
		     " ('01-01','05-01','05-08','07-14','08-15','11-01','11-11','12-25')),"
		     " p AS (INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day, start_time, end_time)"
		     " SELECT l.organisation_id, a.id, l.id, 'Test public', d.day, '14:00', '15:00' FROM d,"
		     " agents a, lieux l WHERE a.email = 'agent.pmi@demo.rdv-solidarites.fr' AND l.name = 'MDS d''Arras – site Gambetta'"
		     " RETURNING id, lieu_id, organisation_id, first_day)"
		     " , pm AS (INSERT INTO plage_ouverture_motifs SELECT p.id, m.id FROM p JOIN motifs m ON"
		     " m.organisation_id = p.organisation_id AND m.name = 'Consultation PMI nourrisson' RETURNING motif_id)"
		     " SELECT (SELECT motif_id FROM pm) || ' ' || lieu_id || ' '"
		     " || extract(epoch FROM (first_day + time '14:00') AT TIME ZONE 'Europe/Paris')::bigint FROM p",
		     v, sizeof(v)) != 0)
		return -1;
	return sscanf(v, "%31s %31s %lld", motif, lieu, start) == 3 ? 0 : -1;
}

static char g_motif[32], g_lieu[32];
static long long g_start;

static void booking_form(char *out, size_t n, long long start, const char *for_user)
{
	snprintf(out, n, "motif_id=%s&lieu_id=%s&starts_at=%lld&for_user_id=%s&city_code=62041&street_ban_id=62041_0420",
		 g_motif, g_lieu, start, for_user);
}

static void test_book_for_me_and_a_proche(void)
{
	if (g_start == 0)
		CU_ASSERT_EQUAL_FATAL(test_plage(g_motif, g_lieu, &g_start), 0);
	struct browser b;
	browser_init(&b);
	char form[512], path[512], leo[32], me[32];
	/* signed out: the confirm step asks to sign in and comes back */
	snprintf(path, sizeof(path), "/reservation/new?city_code=62041&street_ban_id=62041_0420&motif_id=%s&lieu_id=%s&starts_at=%lld",
		 g_motif, g_lieu, g_start);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);
	CU_ASSERT(strncmp(b.location, "/users/sign_in?return_to=%2Freservation%2Fnew", 45) == 0);
	CU_ASSERT_EQUAL(sign_in_usager(&b), 303);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Pour qui est ce rendez-vous"));
	CU_ASSERT(browser_body_has(&b, "Léo Demoulin"));
	CU_ASSERT(browser_body_has(&b, "carnet de santé"));             /* instruction before booking */
	/* for a proche (Léo), at 14:00 */
	test_sql("SELECT id FROM users WHERE first_name = 'Léo' AND last_name = 'Demoulin'", leo, sizeof(leo));
	booking_form(form, sizeof(form), g_start, leo);
	/* with two webhook endpoints of the organisation: one delivery each */
	snprintf(path, sizeof(path), "INSERT INTO webhook_endpoints (organisation_id, target_url, secret, subscriptions)"
		 " SELECT m.organisation_id, 'http://127.0.0.1:9/public-hook/' || i, 'secret-du-test-public-assez-long', '{rdv}'"
		 " FROM motifs m, generate_series(1, 2) i WHERE m.id = %s", g_motif);
	CU_ASSERT_EQUAL(test_sql(path, NULL, 0), 0);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 303);
	test_sql("DELETE FROM webhook_endpoints WHERE target_url LIKE 'http://127.0.0.1:9/public-hook/%'", NULL, 0);
	CU_ASSERT(strncmp(b.location, "/users/rdvs/", 12) == 0);
	char hooks[16];
	snprintf(path, sizeof(path), "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND event = 'rdv_created'"
		 " AND recipient LIKE 'http://127.0.0.1:9/public-hook/%%' AND rdv_id = %lld", strtoll(b.location + 12, NULL, 10));
	test_sql(path, hooks, sizeof(hooks));
	CU_ASSERT_STRING_EQUAL(hooks, "2");
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Votre rendez-vous est confirmé"));
	CU_ASSERT(browser_body_has(&b, "carnet de santé"));             /* and after */
	char n[16];
	snprintf(path, sizeof(path), "SELECT count(*) FROM rdvs r JOIN participations p ON p.rdv_id = r.id"
		 " WHERE r.starts_at = to_timestamp(%lld) AND r.cancelled_at IS NULL AND p.user_id = %s"
		 " AND r.created_by_type = 'user'", g_start, leo);
	test_sql(path, n, sizeof(n));
	CU_ASSERT_STRING_EQUAL(n, "1");
	/* the same créneau again: gone, a French message, back to the créneaux */
	test_sql("SELECT id FROM users WHERE email = 'usager@demo.rdv-solidarites.fr'", me, sizeof(me));
	booking_form(form, sizeof(form), g_start, me);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 303);
	CU_ASSERT(strncmp(b.location, "/prendre_rdv?", 13) == 0);
	/* someone else's user id is refused */
	booking_form(form, sizeof(form), g_start + 1800, "1");
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 422);
	browser_free(&b);
}

/* A seat taken online in a workshop: the workshop's webhook says "updated"
 * once per endpoint (no "created"), and only the new participant is told. */
static void test_workshop_seat_webhook(void)
{
	char q[1024], rdv[32], other[32], n[16];
	test_sql("SELECT u.id FROM users u JOIN user_profiles up ON up.user_id = u.id"
		 " JOIN organisations o ON o.id = up.organisation_id AND o.name = 'MDS d''Arras'"
		 " WHERE u.email IS NOT NULL AND u.notify_by_email AND u.responsible_id IS NULL AND u.deleted_at IS NULL"
		 " AND u.email <> '" USAGER "' ORDER BY u.id LIMIT 1", other, sizeof(other));
	snprintf(q, sizeof(q),
		 "WITH m AS (SELECT m.id, m.organisation_id, l.id AS lieu FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
		 "   JOIN lieux l ON l.organisation_id = o.id AND l.availability = 'enabled'"
		 "   WHERE o.name = 'MDS d''Arras' AND m.name = 'Atelier collectif massage bébé'"
		 "   AND m.visibility_type = 'visible_and_notified' ORDER BY l.id LIMIT 1),"
		 " r AS (INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, collectif, name,"
		 "   max_participants_count, users_count, created_by_type)"
		 "   SELECT organisation_id, id, lieu, (current_date + 47 + time '05:00') AT TIME ZONE 'Europe/Paris',"
		 "   (current_date + 47 + time '06:00') AT TIME ZONE 'Europe/Paris', true, 'Atelier webhook', 5, 1, 'agent'"
		 "   FROM m RETURNING id),"
		 " a AS (INSERT INTO agents_rdvs (rdv_id, agent_id) SELECT r.id, ag.id FROM r, agents ag"
		 "   WHERE ag.email = 'agent.pmi@demo.rdv-solidarites.fr'),"
		 " p AS (INSERT INTO participations (rdv_id, user_id) SELECT r.id, %s FROM r)"
		 " SELECT id FROM r", other);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, rdv, sizeof(rdv)), 0);
	CU_ASSERT_FATAL(atoll(rdv) > 0);
	snprintf(q, sizeof(q), "INSERT INTO webhook_endpoints (organisation_id, target_url, secret, subscriptions)"
		 " SELECT organisation_id, 'http://127.0.0.1:9/seat-hook/' || i, 'secret-du-test-atelier-assez-long', '{rdv}'"
		 " FROM rdvs, generate_series(1, 2) i WHERE id = %s", rdv);
	CU_ASSERT_EQUAL(test_sql(q, NULL, 0), 0);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(sign_in_usager(&b), 303);
	snprintf(q, sizeof(q), "rdv_id=%s&city_code=62041&street_ban_id=62041_0420", rdv);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", q, 1), 303);
	test_sql("DELETE FROM webhook_endpoints WHERE target_url LIKE 'http://127.0.0.1:9/seat-hook/%'", NULL, 0);
	CU_ASSERT(strncmp(b.location, "/users/rdvs/", 12) == 0);
	snprintf(q, sizeof(q), "SELECT count(*) FILTER (WHERE event = 'rdv_updated') || '/' || count(*) FROM outbox"
		 " WHERE channel = 'webhook' AND recipient LIKE 'http://127.0.0.1:9/seat-hook/%%' AND rdv_id = %s", rdv);
	test_sql(q, n, sizeof(n));
	CU_ASSERT_STRING_EQUAL(n, "2/2");
	/* the usager already registered hears nothing of it */
	snprintf(q, sizeof(q), "SELECT count(*) FROM outbox WHERE rdv_id = %s AND payload->>'kind' = 'user'"
		 " AND (payload->>'user_id')::bigint = %s", rdv, other);
	test_sql(q, n, sizeof(n));
	CU_ASSERT_STRING_EQUAL(n, "0");
	browser_free(&b);
}

struct racer {
	char cookie[256];
	char csrf[128];
	long status;
	char location[1024];
};

static void *race_one(void *arg)
{
	struct racer *r = arg;
	struct browser b;
	browser_init(&b);
	char form[512];
	booking_form(form, sizeof(form), g_start + 1800, "");
	size_t len = strlen(form);
	snprintf(form + len, sizeof(form) - len, "&csrf_token=%s", r->csrf);
	const char *h[] = {"Content-Type: application/x-www-form-urlencoded", r->cookie, NULL};
	r->status = browser_request(&b, "POST", "/reservation", h, form, strlen(form));
	snprintf(r->location, sizeof(r->location), "%s", b.location);
	browser_free(&b);
	return NULL;
}

static void test_race_for_one_creneau(void)
{
	if (g_start == 0)
		CU_ASSERT_EQUAL_FATAL(test_plage(g_motif, g_lieu, &g_start), 0);
	struct browser b;
	browser_init(&b);
	/* the session cookie of the sign-in answer, shared by 20 threads */
	browser_get(&b, "/users/sign_in");
	char form0[256], set[512], *tok = NULL;
	snprintf(form0, sizeof(form0), "email=%s&password=%s", USAGER, test_demo_password);
	if (browser_post(&b, "/users/sign_in", form0, 1) == 303 && browser_header(&b, "Set-Cookie", set, sizeof(set)))
		tok = strstr(set, "rdv_usager=");
	CU_ASSERT(tok != NULL);
	if (tok == NULL) {
		browser_free(&b);
		return;
	}
	tok[strcspn(tok, ";")] = '\0';
	browser_get(&b, "/users/informations");
	struct racer r[20];
	pthread_t t[20];
	for (int i = 0; i < 20; i++) {
		snprintf(r[i].cookie, sizeof(r[i].cookie), "Cookie: %s", tok);
		snprintf(r[i].csrf, sizeof(r[i].csrf), "%s", b.csrf);
		pthread_create(&t[i], NULL, race_one, &r[i]);
	}
	int won = 0, lost = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		if (r[i].status == 303 && strncmp(r[i].location, "/users/rdvs/", 12) == 0)
			won++;
		else if (r[i].status == 303 && strncmp(r[i].location, "/prendre_rdv?", 13) == 0)
			lost++;
	}
	CU_ASSERT_EQUAL(won, 1);
	CU_ASSERT_EQUAL(lost, 19);
	char sql[256], n[16];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rdvs WHERE starts_at = to_timestamp(%lld) AND motif_id = %s"
		 " AND cancelled_at IS NULL", g_start + 1800, g_motif);
	test_sql(sql, n, sizeof(n));
	CU_ASSERT_STRING_EQUAL(n, "1");
	browser_free(&b);
}

static void test_booking_needs_csrf_and_valid_motif(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(sign_in_usager(&b), 303);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", "motif_id=1&starts_at=1&csrf_token=nope", 0), 403);
	/* a not-bookable motif (Visite à domicile) */
	char vad[32], form[256];
	test_sql("SELECT min(id) FROM motifs WHERE bookable_by = 'agents'", vad, sizeof(vad));
	snprintf(form, sizeof(form), "motif_id=%s&lieu_id=0&starts_at=2000000000&city_code=62041", vad);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 404);
	browser_free(&b);
}

#define PMI_AGENT "a.email = 'agent.pmi@demo.rdv-solidarites.fr'"
#define SOCIAL_AGENT "a.email = 'agent.social@demo.rdv-solidarites.fr'"

/* The body's booking links "starts_at=<epoch>": the smallest and largest
 * (0 when none). */
static void body_starts(const struct browser *b, long long *min, long long *max)
{
	*min = *max = 0;
	for (const char *p = b->body.data; p && (p = strstr(p, "starts_at=")) != NULL;) {
		p += 10;
		long long t = atoll(p);
		if (*min == 0 || t < *min)
			*min = t;
		if (t > *max)
			*max = t;
	}
}

static long long now_epoch(void)
{
	char v[32];
	test_sql("SELECT extract(epoch FROM now())::bigint", v, sizeof(v));
	return atoll(v);
}

static long long iso_epoch(const char *iso)
{
	char sql[128], v[32] = "0";
	snprintf(sql, sizeof(sql), "SELECT extract(epoch FROM '%s'::timestamptz)::bigint", iso ? iso : "epoch");
	test_sql(sql, v, sizeof(v));
	return atoll(v);
}

/* One-off plages of an agent (an SQL condition on agents a) for a motif at
 * the MDS d'Arras site Gambetta on the given days (offsets from today),
 * hours "'08:00', '12:00'" local. */
static int add_plages(const char *motif, const char *agent, const char *days, const char *hours, char lieu[32])
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "WITH p AS (INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day, start_time, end_time)"
		 " SELECT l.organisation_id, a.id, l.id, 'Test public', current_date + d, %s"
		 " FROM unnest('{%s}'::int[]) d, agents a, lieux l WHERE %s"
		 " AND l.name = 'MDS d''Arras – site Gambetta' RETURNING id, lieu_id),"
		 " pm AS (INSERT INTO plage_ouverture_motifs SELECT p.id, %s FROM p)"
		 " SELECT min(lieu_id) FROM p", hours, days, agent, motif);
	return test_sql(sql, lieu, 32) == 0 && lieu[0] ? 0 : -1;
}

/* A PMI motif of the MDS d'Arras bookable online (extra columns/values
 * appended) with plages of agent_login on days. */
static int test_motif(const char *name, const char *agent, const char *extra_cols, const char *extra_vals,
		      const char *days, char motif[32], char lieu[32])
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO motifs (organisation_id, service_id, name, default_duration_in_min,"
		 " location_type, bookable_by, sectorisation_level%s)"
		 " SELECT o.id, s.id, '%s', 30, 'public_office', 'everyone', 'departement'%s FROM organisations o, services s"
		 " WHERE o.name = 'MDS d''Arras' AND s.short_name = 'PMI' RETURNING id", extra_cols, name, extra_vals);
	if (test_sql(sql, motif, 32) != 0 || motif[0] == '\0')
		return -1;
	return add_plages(motif, agent, days, "'08:00', '12:00'", lieu);
}

static void wizard_path(char *path, size_t n, const char *name_q, const char *lieu, int day_offset)
{
	char sid[32], day[16], sql[96];
	service_id("PMI", sid);
	snprintf(sql, sizeof(sql), "SELECT to_char(current_date + %d, 'YYYY-MM-DD')", day_offset);
	test_sql(sql, day, sizeof(day));
	snprintf(path, n, "/prendre_rdv?address=x&city_code=62041&street_ban_id=62041_0460&service_id=%s"
		 "&motif_name=%s&location_type=public_office&lieu_id=%s&date=%s", sid, name_q, lieu, day);
}

/* The first and last créneau of the public API over 31 days. */
static void api_first_last(struct browser *b, const char *motif, long long *first, long long *last, size_t *count)
{
	char d0[16], d1[16], path[256];
	test_sql("SELECT to_char(current_date, 'YYYY-MM-DD')", d0, sizeof(d0));
	test_sql("SELECT to_char(current_date + 30, 'YYYY-MM-DD')", d1, sizeof(d1));
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%s&from=%s&to=%s", motif, d0, d1);
	*first = *last = 0;
	*count = 0;
	CU_ASSERT_EQUAL_FATAL(browser_get(b, path), 200);
	json_t *j = json_loads(b->body.data, 0, NULL);
	json_t *list = json_object_get(j, "creneaux");
	*count = json_array_size(list);
	if (*count > 0) {
		*first = iso_epoch(json_string_value(json_object_get(json_array_get(list, 0), "starts_at")));
		*last = iso_epoch(json_string_value(json_object_get(json_array_get(list, *count - 1), "starts_at")));
	}
	json_decref(j);
}

static void forged_form(char *form, size_t n, const char *motif, const char *lieu, long long start)
{
	snprintf(form, n, "motif_id=%s&lieu_id=%s&starts_at=%lld&city_code=62041&street_ban_id=62041_0460",
		 motif, lieu, start);
}

/* A forged POST of a créneau: refused (back to the créneaux), nothing booked. */
/* Refused with its own message (msg), not "someone just booked it". */
static void forged_refused(struct browser *b, const char *motif, const char *lieu, long long start, const char *msg)
{
	char form[512], sql[256], n[16];
	forged_form(form, sizeof(form), motif, lieu, start);
	CU_ASSERT_EQUAL(browser_post(b, "/reservation", form, 1), 303);
	CU_ASSERT(strncmp(b->location, "/prendre_rdv?", 13) == 0);
	CU_ASSERT_EQUAL(browser_follow(b), 200);
	CU_ASSERT(browser_body_has(b, msg));
	CU_ASSERT(!browser_body_has(b, "quelqu&#39;un vient de le réserver"));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rdvs WHERE motif_id = %s", motif);
	test_sql(sql, n, sizeof(n));
	CU_ASSERT_STRING_EQUAL(n, "0");
}

/* min delay 2 days, max 10 days: plages from tomorrow to 20 days ahead; the
 * wizard, the API and next_availability offer only [now + 2 d, now + 10 d];
 * forged bookings outside are refused. */
static void test_booking_delays(void)
{
	char m[32], lieu[32], path[512];
	CU_ASSERT_EQUAL_FATAL(test_motif("Consultation test délais", PMI_AGENT,
		", min_public_booking_delay, max_public_booking_delay", ", 172800, 864000",
		"1,2,3,4,5,6,20", m, lieu), 0);
	long long now = now_epoch(), lo = now + 172800, hi = now + 864000;
	struct browser b;
	browser_init(&b);
	/* the wizard: this week and the next */
	long long min, max, seen = 0;
	for (int week = 0; week < 2; week++) {
		wizard_path(path, sizeof(path), "Consultation%20test%20d%C3%A9lais", lieu, week * 7);
		CU_ASSERT_EQUAL(browser_get(&b, path), 200);
		body_starts(&b, &min, &max);
		CU_ASSERT(min == 0 || min >= lo);
		CU_ASSERT(max <= hi);
		seen += min != 0;
	}
	CU_ASSERT(seen > 0);
	/* the API and next_availability */
	long long first, last;
	size_t count;
	api_first_last(&b, m, &first, &last, &count);
	CU_ASSERT(count > 0);
	CU_ASSERT(first >= lo);
	CU_ASSERT(last <= hi);
	snprintf(path, sizeof(path), "/api/v1/public/next_availability?motif_id=%s", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	json_t *j = json_loads(b.body.data, 0, NULL);
	long long next = iso_epoch(json_string_value(json_object_get(j, "starts_at")));
	json_decref(j);
	CU_ASSERT(next >= lo);
	CU_ASSERT_EQUAL(next, first);
	/* forged bookings: tomorrow 09:00 (before the min delay), in 20 days (past the max) */
	CU_ASSERT_EQUAL(sign_in_usager(&b), 303);
	char v[32];
	test_sql("SELECT extract(epoch FROM (current_date + 1 + time '09:00') AT TIME ZONE 'Europe/Paris')::bigint", v, sizeof(v));
	forged_refused(&b, m, lieu, atoll(v), "se prennent au moins 2 jours à l&#39;avance");
	test_sql("SELECT extract(epoch FROM (current_date + 20 + time '09:00') AT TIME ZONE 'Europe/Paris')::bigint", v, sizeof(v));
	forged_refused(&b, m, lieu, atoll(v), "se prennent au plus 10 jours à l&#39;avance");
	snprintf(path, sizeof(path), "UPDATE motifs SET deleted_at = now() WHERE id = %s", m);
	test_sql(path, v, sizeof(v));
	browser_free(&b);
}

/* Epoch of 09:00 local on the first day among offsets a..a+2 that is not a
 * fixed public holiday. */
static long long nine_am(int a)
{
	char sql[400], v[32];
	snprintf(sql, sizeof(sql), "SELECT extract(epoch FROM (min(d)::date + time '09:00') AT TIME ZONE 'Europe/Paris')::bigint"
		 " FROM generate_series(current_date + %d, current_date + %d, interval '1 day') d WHERE to_char(d, 'MM-DD')"
		 " NOT IN ('01-01','05-01','05-08','07-14','08-15','11-01','11-11','12-25')", a, a + 2);
	test_sql(sql, v, sizeof(v));
	return atoll(v);
}

/* Follow-up motif bookable online: agent.social (the demo usager's
 * referent) on days 2-4 mornings, Caron (not a referent) on days 9-11
 * evenings. Signed out or
 * without referents the motif is absent; with a referent only the
 * referent's créneaux are offered; the public API does not serve it; a
 * forged post of Caron's créneau is refused with a French message. */
static void test_follow_up_referents(void)
{
	char m[32], lieu[32], path[600], form[512], me[32], v[64];
	CU_ASSERT_EQUAL_FATAL(test_motif("Suivi en ligne test", SOCIAL_AGENT, ", follow_up", ", true", "2,3,4", m, lieu), 0);
	/* evening hours: no demo RDV of Caron's there */
	CU_ASSERT_EQUAL_FATAL(add_plages(m, "a.first_name = 'Thomas' AND a.last_name = 'Caron'", "9,10,11",
					 "'20:00', '22:00'", lieu), 0);
	test_sql("SELECT id FROM users WHERE email = 'usager@demo.rdv-solidarites.fr'", me, sizeof(me));
	long long limit;
	test_sql("SELECT extract(epoch FROM (current_date + 5)::timestamp AT TIME ZONE 'Europe/Paris')::bigint", v, sizeof(v));
	limit = atoll(v);
	struct browser b;
	browser_init(&b);
	/* signed out: absent */
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0460", "PMI"), 200);
	CU_ASSERT(browser_body_has(&b, "Consultation PMI nourrisson"));
	CU_ASSERT(!browser_body_has(&b, "Suivi en ligne test"));
	/* the public API does not serve follow-up motifs */
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%s&from=2026-01-01&to=2026-01-02", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "/api/v1/public/next_availability?motif_id=%s", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* with agent.social as referent: the motif, and only agent.social's créneaux */
	CU_ASSERT_EQUAL(sign_in_usager(&b), 303);
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0460", "PMI"), 200);
	CU_ASSERT(browser_body_has(&b, "Suivi en ligne test"));
	long long min, max, first = 0;
	for (int week = 0; week < 3; week++) {
		wizard_path(path, sizeof(path), "Suivi%20en%20ligne%20test", lieu, week * 7);
		CU_ASSERT_EQUAL(browser_get(&b, path), 200);
		body_starts(&b, &min, &max);
		CU_ASSERT(max < limit);
		if (first == 0)
			first = min;
	}
	CU_ASSERT_FATAL(first > 0);
	/* a forged post of Caron's créneau: refused in French, nothing booked */
	long long caron_slot = nine_am(9) + 11 * 3600;   /* 20:00 */
	forged_form(form, sizeof(form), m, lieu, caron_slot);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "uniquement avec l&#39;un de vos référents"));
	snprintf(path, sizeof(path), "/reservation/new?%s", form);
	CU_ASSERT_EQUAL(browser_get(&b, path), 422);
	/* agent.social's créneau is booked */
	forged_form(form, sizeof(form), m, lieu, first);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 303);
	CU_ASSERT(strncmp(b.location, "/users/rdvs/", 12) == 0);
	snprintf(path, sizeof(path), "SELECT count(*) FROM rdvs r JOIN agents_rdvs ar ON ar.rdv_id = r.id"
		 " JOIN agents a ON a.id = ar.agent_id WHERE r.motif_id = %s AND a.email LIKE 'agent.social@%%'", m);
	test_sql(path, v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "1");
	/* without referents: the motif disappears and cannot be posted */
	snprintf(path, sizeof(path), "DELETE FROM referent_assignations WHERE user_id = %s RETURNING agent_id", me);
	char social[32];
	test_sql(path, social, sizeof(social));
	CU_ASSERT_EQUAL(motifs_of(&b, "62041", "62041_0460", "PMI"), 200);
	CU_ASSERT(!browser_body_has(&b, "Suivi en ligne test"));
	forged_form(form, sizeof(form), m, lieu, first + 1800);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 404);
	/* as it was for the next suites: the referent back, the RDV and motif gone */
	snprintf(path, sizeof(path), "INSERT INTO referent_assignations (user_id, agent_id) VALUES (%s, %s)", me, social);
	test_sql(path, v, sizeof(v));
	snprintf(path, sizeof(path), "DELETE FROM rdvs WHERE motif_id = %s", m);
	CU_ASSERT_EQUAL(test_sql(path, v, sizeof(v)), 0);
	snprintf(path, sizeof(path), "UPDATE motifs SET deleted_at = now() WHERE id = %s", m);
	test_sql(path, v, sizeof(v));
	browser_free(&b);
}

/* The créneaux page keeps, per process, its offers and créneaux for the
 * schedule version and the second: a schedule write (here the lieu closed,
 * then opened again) shows on the very next pages, warm caches
 * notwithstanding. */
static void test_creneaux_page_follows_writes(void)
{
	struct browser b;
	browser_init(&b);
	char sid[32], lieu[32], day[16], path[512], sql[256];
	service_id("PMI", sid);
	test_sql("SELECT id FROM lieux WHERE name = 'MDS d''Arras – site Gambetta'", lieu, sizeof(lieu));
	int found = 0;
	for (int week = 1; week <= 4 && !found; week++) {
		snprintf(sql, sizeof(sql), "SELECT to_char(current_date + %d, 'YYYY-MM-DD')", 7 * week);
		test_sql(sql, day, sizeof(day));
		snprintf(path, sizeof(path), "/prendre_rdv?address=x&city_code=62041&street_ban_id=62041_0420&service_id=%s"
			 "&motif_name=Consultation%%20PMI%%20nourrisson&location_type=public_office&lieu_id=%s&date=%s",
			 sid, lieu, day);
		found = browser_get(&b, path) == 200 && browser_body_has(&b, "starts_at=");
	}
	CU_ASSERT_FATAL(found);
	for (int i = 0; i < 8; i++)     /* every worker's caches warm */
		CU_ASSERT(browser_get(&b, path) == 200 && browser_body_has(&b, "starts_at="));
	snprintf(sql, sizeof(sql), "UPDATE lieux SET availability = 'disabled' WHERE id = %s", lieu);
	CU_ASSERT_EQUAL(test_sql(sql, NULL, 0), 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(browser_get(&b, path) == 200 && !browser_body_has(&b, "starts_at="));
	snprintf(sql, sizeof(sql), "UPDATE lieux SET availability = 'enabled' WHERE id = %s", lieu);
	CU_ASSERT_EQUAL(test_sql(sql, NULL, 0), 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(browser_get(&b, path) == 200 && browser_body_has(&b, "starts_at="));
	browser_free(&b);
}

void register_public_http(void)
{
	CU_pSuite s = CU_add_suite("public", NULL, NULL);
	CU_add_test(s, "address autocomplete (local base, accents)", test_address_autocomplete);
	CU_add_test(s, "street search tables follow the addresses", test_address_tables_follow);
	CU_add_test(s, "an imported street is found, cached answers notwithstanding", test_address_import_seen);
	CU_add_test(s, "typed address geocoded without JavaScript", test_geocode_without_js);
	CU_add_test(s, "sectorisation routing", test_sector_routing);
	CU_add_test(s, "motifs not bookable online never appear", test_not_bookable_invisible);
	CU_add_test(s, "lieux by distance, phone skips lieux, max delay", test_lieux_then_creneaux);
	CU_add_test(s, "booking needs CSRF and an offered motif", test_booking_needs_csrf_and_valid_motif);
	CU_add_test(s, "book for a proche, then the créneau is gone", test_book_for_me_and_a_proche);
	CU_add_test(s, "20 parallel bookings of one créneau: 1 success", test_race_for_one_creneau);
	CU_add_test(s, "a workshop seat booked online: one \"updated\" webhook, only that usager told", test_workshop_seat_webhook);
	CU_add_test(s, "follow-up motifs: referents only, absent without, forged post refused", test_follow_up_referents);
	CU_add_test(s, "min/max booking delays: wizard, API, next availability, forged booking", test_booking_delays);
	CU_add_test(s, "créneaux page: a schedule write shows at once, caches warm", test_creneaux_page_follows_writes);
}
