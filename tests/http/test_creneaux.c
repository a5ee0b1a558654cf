/*
 * test_creneaux.c - "Trouver un créneau" (agent page) and the public créneaux
 * API: happy paths, the 31-day limit, motifs not bookable online (404),
 * malformed input (400) and validation errors (422), next_availability.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"

static long long motif(const char *org, const char *name)
{
	char sql[512], out[32] = "";
	snprintf(sql, sizeof(sql), "SELECT m.id FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
		 " WHERE o.name = $$%s$$ AND m.name = $$%s$$", org, name);
	return test_sql(sql, out, sizeof(out)) == 0 ? strtoll(out, NULL, 10) : 0;
}

static void date_in(int days, char out[11])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static const char *error_code(const struct browser *b)
{
	static char code[64];
	json_t *j = json_loads(b->body.data ? b->body.data : "", 0, NULL);
	snprintf(code, sizeof(code), "%s", j ? json_string_value(json_object_get(json_object_get(j, "error"), "code")) ?: "" : "");
	json_decref(j);
	return code;
}

static void test_agent_page(void)
{
	struct browser b;
	browser_init(&b);
	char path[256];
	long long arras = test_org_id("MDS d'Arras"), m = motif("MDS d'Arras", "Consultation PMI nourrisson");
	snprintf(path, sizeof(path), "/agent/organisations/%lld/creneaux", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);   /* signed out */
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Trouver un créneau"));
	CU_ASSERT(browser_body_has(&b, "name=\"motif_id\""));
	CU_ASSERT(browser_body_has(&b, "name=\"binome\""));
	snprintf(path, sizeof(path), "/agent/organisations/%lld/creneaux?motif_id=%lld", arras, m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Prochaine disponibilité par lieu"));
	CU_ASSERT(browser_body_has(&b, "Créneaux libres sur 7 jours"));
	CU_ASSERT(browser_body_has(&b, "/rdvs/new?starts_at="));
	CU_ASSERT(browser_body_has(&b, "&amp;agent_id="));
	/* binôme with one agent: explained, not an error page */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/creneaux?motif_id=%lld&binome=1&agent_ids=%lld", arras, m,
		 test_agent_id(PMI));
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "au moins deux agents"));
	/* a motif of another organisation is not searched */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/creneaux?motif_id=%lld", arras,
		 motif("MDS de Lens", "Consultation PMI nourrisson"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(!browser_body_has(&b, "Créneaux libres sur 7 jours"));
	snprintf(path, sizeof(path), "/agent/organisations/%lld/creneaux", test_org_id("MDS de Lens"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

static void test_public_creneaux(void)
{
	struct browser b;
	browser_init(&b);
	long long m = motif("MDS d'Arras", "Consultation PMI nourrisson");
	char d0[11], d1[11], path[256];
	date_in(0, d0);
	date_in(20, d1);
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=%s&to=%s", m, d0, d1);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);
	json_t *j = json_loads(b.body.data, 0, NULL);
	json_t *list = json_object_get(j, "creneaux");
	CU_ASSERT_FATAL(json_is_array(list));
	CU_ASSERT(json_array_size(list) > 0);
	size_t i;
	json_t *e;
	const char *prev = "";
	long long prev_lieu = 0;
	time_t now = time(NULL);
	json_array_foreach(list, i, e) {
		const char *st = json_string_value(json_object_get(e, "starts_at"));
		CU_ASSERT(st != NULL && strlen(st) == 25);
		CU_ASSERT(json_is_string(json_object_get(e, "ends_at")));
		long long lieu = json_integer_value(json_object_get(e, "lieu_id"));
		CU_ASSERT(lieu > 0);
		CU_ASSERT(!(strcmp(st, prev) == 0 && lieu == prev_lieu));   /* dedup by start + lieu */
		prev = st;
		prev_lieu = lieu;
		(void)now;
	}
	/* one lieu only */
	long long lieu0 = json_integer_value(json_object_get(json_array_get(list, 0), "lieu_id"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&lieu_id=%lld&from=%s&to=%s", m, lieu0, d0, d1);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	j = json_loads(b.body.data, 0, NULL);
	json_array_foreach(json_object_get(j, "creneaux"), i, e)
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "lieu_id")), lieu0);
	json_decref(j);
	browser_free(&b);
}

static void test_public_errors(void)
{
	struct browser b;
	browser_init(&b);
	long long m = motif("MDS d'Arras", "Consultation PMI nourrisson");
	long long agents_only = motif("MDS d'Arras", "Suivi assistante sociale");
	char path[256];
	/* 31 days is the limit, inclusive */
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=2026-01-01&to=2026-01-31", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=2026-01-01&to=2026-02-01", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 422);
	CU_ASSERT_STRING_EQUAL(error_code(&b), "validation_failed");
	CU_ASSERT(browser_body_has(&b, "31 jours"));
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=2026-01-10&to=2026-01-01", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 422);
	/* malformed */
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=2026-13-01&to=2026-01-31", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 400);
	CU_ASSERT_STRING_EQUAL(error_code(&b), "bad_request");
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=01/01/2026&to=2026-01-31", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 400);
	CU_ASSERT_EQUAL(browser_get(&b, "/api/v1/public/creneaux?motif_id=abc&from=2026-01-01&to=2026-01-02"), 400);
	CU_ASSERT_EQUAL(browser_get(&b, "/api/v1/public/creneaux?from=2026-01-01&to=2026-01-02"), 422);
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&to=2026-01-31", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 422);
	/* not bookable online, unknown */
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=2026-01-01&to=2026-01-02", agents_only);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	CU_ASSERT_STRING_EQUAL(error_code(&b), "not_found");
	CU_ASSERT_EQUAL(browser_get(&b, "/api/v1/public/creneaux?motif_id=999999999&from=2026-01-01&to=2026-01-02"), 404);
	browser_free(&b);
}

static void test_next_availability(void)
{
	struct browser b;
	browser_init(&b);
	long long m = motif("MDS d'Arras", "Consultation PMI nourrisson");
	char d0[11], path[256];
	date_in(0, d0);
	snprintf(path, sizeof(path), "/api/v1/public/next_availability?motif_id=%lld&from=%s", m, d0);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);
	json_t *j = json_loads(b.body.data, 0, NULL);
	const char *next = json_string_value(json_object_get(j, "starts_at"));
	CU_ASSERT(next != NULL && strlen(next) == 25);
	/* it is the first créneau of the public list */
	char d1[11];
	date_in(30, d1);
	char expect[32] = "";
	if (next)
		snprintf(expect, sizeof(expect), "%s", next);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=%s&to=%s", m, d0, d1);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	j = json_loads(b.body.data, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(json_object_get(j, "creneaux"), 0), "starts_at")),
			       expect);
	json_decref(j);
	/* far beyond the max delay: null */
	snprintf(path, sizeof(path), "/api/v1/public/next_availability?motif_id=%lld&from=2099-01-01", m);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "\"starts_at\":null") || browser_body_has(&b, "\"starts_at\": null"));
	snprintf(path, sizeof(path), "/api/v1/public/next_availability?motif_id=%lld",
		 motif("MDS d'Arras", "Suivi assistante sociale"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	CU_ASSERT_EQUAL(browser_get(&b, "/api/v1/public/next_availability?motif_id=1&from=demain"), 400);
	browser_free(&b);
}

/* Whether the public list of motif m at lieu l over [d0, d1] offers start st. */
static int offers(struct browser *b, long long m, long long l, const char *d0, const char *d1, const char *st)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&lieu_id=%lld&from=%s&to=%s", m, l, d0, d1);
	if (browser_get(b, path) != 200)
		return -1;
	json_t *j = json_loads(b->body.data, 0, NULL);
	size_t i;
	json_t *e;
	int found = 0;
	json_array_foreach(json_object_get(j, "creneaux"), i, e)
		found |= strcmp(json_string_value(json_object_get(e, "starts_at")), st) == 0;
	json_decref(j);
	return found;
}

/* The per-process cache (lib/creneaux_cache, schedule version of migration
 * 0019) never serves a créneau that a booking, a cancellation or a plage
 * edit changed: each change shows in the very next response. */
static void test_cache_follows_changes(void)
{
	struct browser b, agent;
	browser_init(&b);
	long long org = test_org_id("MDS d'Arras"), m = motif("MDS d'Arras", "Consultation PMI nourrisson");
	char d0[11], d1[11], path[256], q[1024], agents[512] = "", user[32] = "", st[32] = "", plages[256] = "";
	date_in(2, d0);
	date_in(20, d1);
	snprintf(path, sizeof(path), "/api/v1/public/creneaux?motif_id=%lld&from=%s&to=%s", m, d0, d1);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);
	json_t *j = json_loads(b.body.data, 0, NULL);
	json_t *first = json_array_get(json_object_get(j, "creneaux"), 0);
	CU_ASSERT_FATAL(first != NULL);
	snprintf(st, sizeof(st), "%s", json_string_value(json_object_get(first, "starts_at")));
	long long l = json_integer_value(json_object_get(first, "lieu_id"));
	json_decref(j);
	for (int i = 0; i < 4; i++)   /* every worker process has it cached */
		CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 1);
	/* one RDV with every agent receiving the motif there at that time */
	snprintf(q, sizeof(q), "SELECT string_agg(DISTINCT '&agent_ids=' || po.agent_id, '') FROM plages_ouverture po"
		 " JOIN plage_ouverture_motifs pm ON pm.plage_ouverture_id = po.id AND pm.motif_id = %lld"
		 " WHERE po.lieu_id = %lld", m, l);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, agents, sizeof(agents)), 0);
	snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1", org);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, user, sizeof(user)), 0);
	browser_init(&agent);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&agent, PMI, NULL), 303);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/rdvs/new", org);
	browser_get(&agent, path);
	snprintf(q, sizeof(q), "motif_id=%lld&lieu_id=%lld&date=%.10s&time=%.5s&user_ids=%s%s", m, l, st, st + 11, user, agents);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/rdvs", org);
	CU_ASSERT_EQUAL_FATAL(browser_post(&agent, path, q, 1), 303);
	const char *loc = strstr(agent.location, "/rdvs/");
	long long rdv = loc ? strtoll(loc + 6, NULL, 10) : 0;
	CU_ASSERT_FATAL(rdv > 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 0);   /* booked: gone at once */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/rdvs/%lld/cancel", org, rdv);
	CU_ASSERT_EQUAL(browser_post(&agent, path, "by=user", 1), 303);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 1);   /* cancelled: back */
	/* a plage closed that day (exception), then reopened */
	snprintf(q, sizeof(q), "WITH x AS (INSERT INTO plage_ouverture_exceptions (plage_ouverture_id, day)"
		 " SELECT po.id, DATE '%.10s' FROM plages_ouverture po JOIN plage_ouverture_motifs pm"
		 " ON pm.plage_ouverture_id = po.id AND pm.motif_id = %lld WHERE po.lieu_id = %lld"
		 " ON CONFLICT DO NOTHING RETURNING plage_ouverture_id) SELECT string_agg(plage_ouverture_id::text, ',') FROM x",
		 st, m, l);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, plages, sizeof(plages)), 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 0);
	snprintf(q, sizeof(q), "DELETE FROM plage_ouverture_exceptions WHERE day = DATE '%.10s' AND plage_ouverture_id IN (%s)",
		 st, plages[0] ? plages : "0");
	CU_ASSERT_EQUAL(test_sql(q, NULL, 0), 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 1);
	browser_free(&agent);
	browser_free(&b);
}

/* A new plage, an absence over it and its removal each show in the very
 * next public response, however warm the per-process caches (inputs and
 * computed results of the same second). */
static void test_cache_follows_plage_and_absence(void)
{
	struct browser b;
	browser_init(&b);
	long long m = motif("MDS d'Arras", "Consultation PMI nourrisson"), agent = test_agent_id(PMI);
	char d0[11], d1[11], day[16] = "", st[40] = "", q[1024], plage[32] = "", absence[32] = "", lieu[32] = "";
	date_in(2, d0);
	date_in(20, d1);
	/* an evening of a day 5 to 8 days ahead that is not a fixed holiday */
	CU_ASSERT_EQUAL_FATAL(test_sql("SELECT to_char(min(d), 'YYYY-MM-DD') FROM generate_series(current_date + 5,"
		" current_date + 8, interval '1 day') d WHERE to_char(d, 'MM-DD') NOT IN"
		" ('01-01','05-01','05-08','07-14','08-15','11-01','11-11','12-25')", day, sizeof(day)), 0);
	snprintf(q, sizeof(q), "SELECT '%s' || 'T20:00:00+0' || (extract(epoch FROM (DATE '%s' + time '20:00')"
		 " - ((DATE '%s' + time '20:00') AT TIME ZONE 'Europe/Paris' AT TIME ZONE 'UTC')) / 3600)::int || ':00'",
		 day, day, day);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, st, sizeof(st)), 0);
	snprintf(q, sizeof(q), "SELECT min(po.lieu_id) FROM plages_ouverture po JOIN plage_ouverture_motifs pm"
		 " ON pm.plage_ouverture_id = po.id AND pm.motif_id = %lld WHERE po.lieu_id IS NOT NULL", m);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, lieu, sizeof(lieu)), 0);
	long long l = strtoll(lieu, NULL, 10);
	for (int i = 0; i < 4; i++)   /* every worker process has it cached, same second or not */
		CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 0);
	snprintf(q, sizeof(q), "WITH p AS (INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title,"
		 " first_day, start_time, end_time) SELECT organisation_id, %lld, id, 'Test cache', DATE '%s', '20:00', '21:00'"
		 " FROM lieux WHERE id = %lld RETURNING id), pm AS (INSERT INTO plage_ouverture_motifs SELECT id, %lld FROM p)"
		 " SELECT id FROM p", agent, day, l, m);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, plage, sizeof(plage)), 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 1);   /* new plage: offered at once */
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 1);
	snprintf(q, sizeof(q), "INSERT INTO absences (agent_id, organisation_id, title, first_day, start_time, end_day, end_time)"
		 " SELECT %lld, organisation_id, 'Test cache', DATE '%s', '19:00', DATE '%s', '22:00' FROM lieux WHERE id = %lld"
		 " RETURNING id", agent, day, day, l);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, absence, sizeof(absence)), 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 0);   /* absence: gone at once */
	snprintf(q, sizeof(q), "DELETE FROM absences WHERE id = %s", absence);
	CU_ASSERT_EQUAL(test_sql(q, NULL, 0), 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 1);   /* absence removed: back */
	snprintf(q, sizeof(q), "DELETE FROM plages_ouverture WHERE id = %s", plage);
	CU_ASSERT_EQUAL(test_sql(q, NULL, 0), 0);
	CU_ASSERT_EQUAL(offers(&b, m, l, d0, d1, st), 0);   /* plage removed: gone */
	browser_free(&b);
}

void register_creneaux_http(void)
{
	CU_pSuite s = CU_add_suite("creneaux", NULL, NULL);
	CU_add_test(s, "agent search page", test_agent_page);
	CU_add_test(s, "public créneaux: happy path", test_public_creneaux);
	CU_add_test(s, "public créneaux: errors", test_public_errors);
	CU_add_test(s, "public next_availability", test_next_availability);
	CU_add_test(s, "public créneaux: cache follows bookings, cancellations, plage edits", test_cache_follows_changes);
	CU_add_test(s, "public créneaux: a new plage, an absence, their removal show at once", test_cache_follows_plage_and_absence);
}
