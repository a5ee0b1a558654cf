/*
 * test_rdv.c - the agent's RDV pages and the RDV JSON API against the
 * running stack: every route's happy path, bad input, another organisation,
 * signed out; the warning/confirmation flow; identical RDVs; status and
 * cancellation; collective seats; API create/list/patch/cancel/409/force;
 * one webhook per RDV event and endpoint, whatever the path.
 * Times are ~300 days ahead at dawn, away from the demo RDVs.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"

static long long org, lens, pmi, motif, motif_coll, lieu, user1, user2, user3;
static char day[3][16];       /* local dates used by the tests */
static char token[64];

static long long sql_ll(const char *sql)
{
	char out[64];
	return test_sql(sql, out, sizeof(out)) == 0 ? strtoll(out, NULL, 10) : 0;
}

static int setup(void)
{
	char q[512];
	org = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	pmi = test_agent_id(PMI);
	snprintf(q, sizeof(q), "SELECT id FROM motifs WHERE organisation_id = %lld AND name = 'Consultation PMI nourrisson'", org);
	motif = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT id FROM motifs WHERE organisation_id = %lld AND collectif LIMIT 1", org);
	motif_coll = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled' ORDER BY id LIMIT 1", org);
	lieu = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1", org);
	user1 = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET 1", org);
	user2 = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET 5", org);
	user3 = sql_ll(q);
	for (int i = 0; i < 3; i++) {
		snprintf(q, sizeof(q), "SELECT to_char(current_date + %d, 'YYYY-MM-DD')", 300 + i);
		test_sql(q, day[i], sizeof(day[i]));
	}
	/* An API token of agent.pmi: 43 characters. */
	snprintf(token, sizeof(token), "rdvtestTOKENrdvtestTOKENrdvtestTOKENrdv1234");
	snprintf(q, sizeof(q), "INSERT INTO api_tokens (agent_id, token_hash) VALUES (%lld, sha256('%s'::bytea))", pmi, token);
	test_sql(q, NULL, 0);
	return org && lens && pmi && motif && motif_coll && lieu && user1 && user2 ? 0 : 1;
}

/* "2027-09-21T05:10:00Z": local time hm of test day i, in UTC (DST-proof). */
static const char *iso(int i, const char *hm)
{
	static char out[4][40];
	static int k;
	char q[256];
	k = (k + 1) % 4;
	snprintf(q, sizeof(q), "SELECT to_char(('%s %s'::timestamp AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'UTC',"
		 " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", day[i], hm);
	test_sql(q, out[k], sizeof(out[k]));
	return out[k];
}

static void signed_in(struct browser *b, const char *email)
{
	browser_init(b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(b, email, NULL), 303);
}

static const char *path(const char *fmt, long long a, long long b)
{
	static char p[256];
	snprintf(p, sizeof(p), fmt, a, b);
	return p;
}

/* Creates an RDV through the form; returns the status. */
static long post_rdv(struct browser *b, const char *date, const char *time, long long user, const char *extra)
{
	char form[512];
	browser_get(b, path("/agent/organisations/%lld/rdvs/new", org, 0));
	snprintf(form, sizeof(form), "motif_id=%lld&lieu_id=%lld&date=%s&time=%s&agent_ids=%lld&user_ids=%lld%s",
		 motif, lieu, date, time, pmi, user, extra ? extra : "");
	return browser_post(b, path("/agent/organisations/%lld/rdvs", org, 0), form, 1);
}

static long long location_id(const struct browser *b)
{
	const char *p = strstr(b->location, "/rdvs/");
	return p ? strtoll(p + 6, NULL, 10) : 0;
}

static void test_signed_out(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs", org, 0)), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/new", org, 0)), 302);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/1", org, 0)), 302);
	browser_free(&b);
}

static void test_list_and_other_org(void)
{
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs", org, 0)), 200);
	CU_ASSERT(browser_body_has(&b, "Liste des rendez-vous"));
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs?status=unknown_past&page=2", org, 0)), 200);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs", lens, 0)), 404);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/new", lens, 0)), 404);
	/* an RDV of another organisation does not exist here */
	char q[256], id[32];
	snprintf(q, sizeof(q), "SELECT id FROM rdvs WHERE organisation_id = %lld LIMIT 1", lens);
	test_sql(q, id, sizeof(id));
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, atoll(id))), 404);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", lens, atoll(id))), 404);
	browser_free(&b);
}

static void test_new_form_prefilled(void)
{
	struct browser b;
	signed_in(&b, PMI);
	char p[256];
	snprintf(p, sizeof(p), "/agent/organisations/%lld/rdvs/new?starts_at=%sT07:00:00%%2B01:00&motif_id=%lld&user_id=%lld",
		 org, day[0], motif, user1);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(browser_body_has(&b, "Nouveau rendez-vous"));
	CU_ASSERT(browser_body_has(&b, day[0]));
	browser_free(&b);
}

static void test_create_bad_input(void)
{
	struct browser b;
	signed_in(&b, PMI);
	browser_get(&b, path("/agent/organisations/%lld/rdvs/new", org, 0));
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs", org, 0), "date=31/02/2027&time=25:00", 1), 422);
	CU_ASSERT(browser_body_has(&b, "Choisissez un motif."));
	CU_ASSERT(browser_body_has(&b, "fr-error-text"));
	/* public_office motif without lieu, no usager */
	char form[256];
	snprintf(form, sizeof(form), "motif_id=%lld&date=%s&time=07:00&agent_ids=%lld", motif, day[0], pmi);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs", org, 0), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Choisissez le lieu du rendez-vous."));
	CU_ASSERT(browser_body_has(&b, "Choisissez au moins un usager."));
	/* another organisation's pages refuse */
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs", lens, 0), form, 1), 404);
	browser_free(&b);
}

static void test_create_warning_confirm_identical(void)
{
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(post_rdv(&b, day[0], "07:00", user1, NULL), 303);
	long long first = location_id(&b);
	CU_ASSERT(first > 0);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, first)), 200);
	CU_ASSERT(browser_body_has(&b, "Consultation PMI nourrisson"));
	CU_ASSERT(browser_body_has(&b, "Création"));
	/* the same agent at 07:15 with another usager: overlap warning */
	CU_ASSERT_EQUAL(post_rdv(&b, day[0], "07:15", user2, NULL), 409);
	CU_ASSERT(browser_body_has(&b, "chevauche"));
	CU_ASSERT(browser_body_has(&b, "Confirmer malgré les avertissements"));
	CU_ASSERT_EQUAL(post_rdv(&b, day[0], "07:15", user2, "&confirm_warnings=1"), 303);
	long long second = location_id(&b);
	char q[256], out[128];
	snprintf(q, sizeof(q), "SELECT array_to_string(overridden_warnings, ',') FROM rdvs WHERE id = %lld", second);
	test_sql(q, out, sizeof(out));
	CU_ASSERT(strstr(out, "overlap") != NULL);
	snprintf(q, sizeof(q), "SELECT overlap_override FROM agents_rdvs WHERE rdv_id = %lld", second);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "t");
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %lld"
		 " AND after -> 'overridden_warnings' ? 'overlap'", second);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1");
	/* identical to the first: refused even when confirmed */
	CU_ASSERT_EQUAL(post_rdv(&b, day[0], "07:00", user1, "&confirm_warnings=1"), 409);
	CU_ASSERT(browser_body_has(&b, "identique"));
	browser_free(&b);
}

static void test_status_cancel_delete(void)
{
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(post_rdv(&b, day[1], "07:00", user1, NULL), 303);
	long long id = location_id(&b);
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/status", org, id), "status=seen", 1), 303);
	char q[256], out[64];
	snprintf(q, sizeof(q), "SELECT r.status::text || p.status::text FROM rdvs r JOIN participations p ON p.rdv_id = r.id WHERE r.id = %lld", id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "seenseen");
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/status", org, id), "status=bogus", 1), 303);
	browser_follow(&b);
	CU_ASSERT(browser_body_has(&b, "Choisissez un statut."));
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/cancel", org, id), "by=user", 1), 303);
	snprintf(q, sizeof(q), "SELECT status::text || (cancelled_at IS NOT NULL) FROM rdvs WHERE id = %lld", id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "excusedtrue");
	/* a basic agent may not delete; wrong organisation 404 */
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/delete", org, id), "", 1), 403);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/cancel", lens, id), "by=user", 1), 404);
	/* edit: move to 08:00 */
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	char form[128];
	snprintf(form, sizeof(form), "date=%s&time=08:00&duration_in_min=45&context=revu", day[1]);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id), form, 1), 303);
	snprintf(q, sizeof(q), "SELECT extract(epoch FROM ends_at - starts_at)::int / 60 || context FROM rdvs WHERE id = %lld", id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "45revu");
	browser_free(&b);
	/* the organisation's admin deletes */
	signed_in(&b, ADMIN_ARRAS);
	browser_get(&b, path("/agent/organisations/%lld/rdvs", org, 0));
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/delete", org, id), "", 1), 303);
	snprintf(q, sizeof(q), "SELECT count(*) FROM rdvs WHERE id = %lld", id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "0");
	browser_free(&b);
}

static void test_move_json(void)
{
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(post_rdv(&b, day[2], "07:00", user1, NULL), 303);
	long long a = location_id(&b);
	CU_ASSERT_EQUAL(post_rdv(&b, day[2], "09:00", user2, NULL), 303);
	long long id = location_id(&b);
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	char csrf[160], body[160];
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", b.csrf);
	const char *h[] = {"Content-Type: application/json", csrf, NULL};
	snprintf(body, sizeof(body), "{\"starts_at\": \"%s\"}", iso(2, "07:10"));
	/* onto the 07:00 RDV: 409 with the warnings */
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path("/agent/organisations/%lld/rdvs/%lld/move", org, id), h, body, strlen(body)), 409);
	CU_ASSERT(browser_body_has(&b, "\"conflict\""));
	CU_ASSERT(browser_body_has(&b, "\"overlap\""));
	snprintf(body, sizeof(body), "{\"starts_at\": \"%s\", \"force\": true}", iso(2, "07:10"));
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path("/agent/organisations/%lld/rdvs/%lld/move", org, id), h, body, strlen(body)), 200);
	CU_ASSERT(browser_body_has(&b, "\"rdv\""));
	snprintf(body, sizeof(body), "{\"starts_at\": \"demain\"}");
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path("/agent/organisations/%lld/rdvs/%lld/move", org, id), h, body, strlen(body)), 422);
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path("/agent/organisations/%lld/rdvs/%lld/move", lens, id), h, body, strlen(body)), 404);
	(void)a;
	browser_free(&b);
}

static void test_collective_seats(void)
{
	struct browser b;
	signed_in(&b, PMI);
	char form[256];
	browser_get(&b, path("/agent/organisations/%lld/rdvs/new", org, 0));
	snprintf(form, sizeof(form), "motif_id=%lld&lieu_id=%lld&date=%s&time=05:00&agent_ids=%lld&name=Atelier+test&max_participants_count=2",
		 motif_coll, lieu, day[1], pmi);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs", org, 0), form, 1), 303);
	long long id = location_id(&b);
	CU_ASSERT(id > 0);
	char q[256], out[64];
	snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET 5", org);
	user3 = sql_ll(q);
	for (int i = 0; i < 3; i++) {
		snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET %d", org, 10 + i);
		test_sql(q, out, sizeof(out));
		browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
		snprintf(form, sizeof(form), "user_id=%s", out);
		CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/participants", org, id), form, 1), 303);
	}
	browser_follow(&b);
	CU_ASSERT(browser_body_has(&b, "Il n&#39;y a plus de place"));
	snprintf(q, sizeof(q), "SELECT users_count || '/' || (SELECT count(*) FROM participations WHERE rdv_id = %lld) FROM rdvs WHERE id = %lld", id, id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2/2");
	browser_free(&b);
}

/* ------------------------------------------------------------------ API */

static long api(struct browser *b, const char *method, const char *p, const char *body, int auth)
{
	char h1[128];
	snprintf(h1, sizeof(h1), "Authorization: Bearer %s", token);
	const char *h[] = {"Content-Type: application/json", auth ? h1 : NULL, NULL};
	return browser_request(b, method, p, h, body, body ? strlen(body) : 0);
}

/* The list reads one page and one more row: before the last page "Plus de N" and
 * the pages up to the next one; the last page has the exact total; the filters
 * stay in the links; the API's total stays exact. */
static void test_list_pager(void)
{
	char q[256], text[160], p[256];
	snprintf(q, sizeof(q), "SELECT count(*) FROM rdvs r WHERE r.organisation_id = %lld"
		 " AND EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id AND x.agent_id = %lld)", org, pmi);
	long long n = sql_ll(q), last = (n + 19) / 20;   /* 20 a page (cgi-bin/booking/rdvs.c) */
	CU_ASSERT_FATAL(last >= 2);   /* the demo agenda of agent.pmi */
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs?agent_id=%lld", org, pmi)), 200);
	CU_ASSERT(browser_body_has(&b, "<p>Plus de 20 rendez-vous</p>"));
	CU_ASSERT(browser_body_has(&b, "aria-current=\"page\" title=\"Page 1\""));
	snprintf(text, sizeof(text), "agent_id=%lld&amp;page=2\" title=\"Page 2\"", pmi);
	CU_ASSERT(browser_body_has(&b, text));
	CU_ASSERT(!browser_body_has(&b, "title=\"Page 3\""));
	CU_ASSERT(browser_body_has(&b, ">Page suivante</a>"));
	snprintf(p, sizeof(p), "/agent/organisations/%lld/rdvs?agent_id=%lld&page=%lld", org, pmi, last);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	snprintf(text, sizeof(text), "<p>%lld rendez-vous</p>", n);
	CU_ASSERT(browser_body_has(&b, text));
	snprintf(text, sizeof(text), "aria-current=\"page\" title=\"Page %lld\"", last);
	CU_ASSERT(browser_body_has(&b, text));
	CU_ASSERT(!browser_body_has(&b, ">Page suivante</a>"));
	browser_free(&b);
	/* the API: exact totals, whatever the page */
	browser_init(&b);
	for (int page = 1; page <= 2; page++) {
		snprintf(p, sizeof(p), "/api/v1/organisations/%lld/rdvs?agent_id=%lld&per_page=10&page=%d", org, pmi, page);
		CU_ASSERT_EQUAL(api(&b, "GET", p, NULL, 1), 200);
		snprintf(text, sizeof(text), "\"total\":%lld}", n);
		CU_ASSERT(browser_body_has(&b, text));
	}
	snprintf(p, sizeof(p), "/api/v1/organisations/%lld/rdvs?agent_id=%lld&per_page=10&page=%lld", org, pmi, n + 5);
	CU_ASSERT_EQUAL(api(&b, "GET", p, NULL, 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"rdvs\":[]"));
	CU_ASSERT(browser_body_has(&b, text));
	browser_free(&b);
}

static long long json_id_of(const struct browser *b)
{
	const char *p = b->body.data ? strstr(b->body.data, "\"id\":") : NULL;
	return p ? strtoll(p + 5, NULL, 10) : 0;
}

static void test_api(void)
{
	struct browser b;
	browser_init(&b);
	char body[512];
	char list[128], one[128], cancel[128];
	snprintf(list, sizeof(list), "/api/v1/organisations/%lld/rdvs", org);
	CU_ASSERT_EQUAL(api(&b, "GET", list, NULL, 0), 401);
	CU_ASSERT_EQUAL(api(&b, "GET", path("/api/v1/organisations/%lld/rdvs", lens, 0), NULL, 1), 404);
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\","
		 " \"agent_ids\": [%lld], \"user_ids\": [%lld], \"context\": \"API\"}", motif, lieu, iso(2, "06:00"), pmi, user3);
	CU_ASSERT_EQUAL(api(&b, "POST", list, body, 1), 201);
	CU_ASSERT(browser_body_has(&b, "\"duration_in_min\":30"));
	CU_ASSERT(browser_body_has(&b, "T06:00:00+0"));   /* Paris local time with its offset */
	long long id = json_id_of(&b);
	/* overlap → 409 unless force */
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\","
		 " \"agent_ids\": [%lld], \"user_ids\": [%lld]}", motif, lieu, iso(2, "06:15"), pmi, user2);
	CU_ASSERT_EQUAL(api(&b, "POST", list, body, 1), 409);
	CU_ASSERT(browser_body_has(&b, "\"code\":\"conflict\""));
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\","
		 " \"agent_ids\": [%lld], \"user_ids\": [%lld], \"force\": true}", motif, lieu, iso(2, "06:15"), pmi, user2);
	CU_ASSERT_EQUAL(api(&b, "POST", list, body, 1), 201);
	/* bad input */
	CU_ASSERT_EQUAL(api(&b, "POST", list, "{\"motif_id\": \"x\"}", 1), 422);
	CU_ASSERT(browser_body_has(&b, "validation_failed"));
	CU_ASSERT_EQUAL(api(&b, "POST", list, "[1]", 1), 400);
	/* list with filters */
	char p[256];
	snprintf(p, sizeof(p), "/api/v1/organisations/%lld/rdvs?from=%s&to=%s&agent_id=%lld&per_page=10", org, day[2], day[2], pmi);
	CU_ASSERT_EQUAL(api(&b, "GET", p, NULL, 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"meta\""));
	CU_ASSERT(browser_body_has(&b, "\"per_page\":10"));
	CU_ASSERT_EQUAL(api(&b, "GET", path("/api/v1/organisations/%lld/rdvs?status=nope", org, 0), NULL, 1), 422);
	/* patch */
	snprintf(one, sizeof(one), "/api/v1/organisations/%lld/rdvs/%lld", org, id);
	/* longer: now overlaps the forced 06:15 RDV → 409, then forced */
	CU_ASSERT_EQUAL(api(&b, "PATCH", one, "{\"duration_in_min\": 20, \"context\": \"modifié\"}", 1), 409);
	CU_ASSERT(browser_body_has(&b, "\"overlap\""));
	CU_ASSERT_EQUAL(api(&b, "PATCH", one, "{\"duration_in_min\": 20, \"context\": \"modifié\", \"force\": true}", 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"duration_in_min\":20"));
	CU_ASSERT_EQUAL(api(&b, "PATCH", one, "{\"duration_in_min\": 10}", 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"duration_in_min\":10"));
	CU_ASSERT_EQUAL(api(&b, "PATCH", one, "{\"status\": \"bogus\"}", 1), 422);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path("/api/v1/organisations/%lld/rdvs/%lld", lens, id), "{}", 1), 404);
	/* cancel */
	snprintf(cancel, sizeof(cancel), "/api/v1/organisations/%lld/rdvs/%lld/cancel", org, id);
	CU_ASSERT_EQUAL(api(&b, "POST", cancel, "{\"by\": \"nobody\"}", 1), 422);
	CU_ASSERT_EQUAL(api(&b, "POST", cancel, "{\"by\": \"service\"}", 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"status\":\"revoked\""));
	CU_ASSERT(!browser_body_has(&b, "\"cancelled_at\":null"));
	browser_free(&b);
}

/* The list's usager filter: the picker (one usager), not a list of every usager. */
static void test_list_usager_filter(void)
{
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs", org, 0)), 200);
	CU_ASSERT(!browser_body_has(&b, "id=\"f_user\""));
	CU_ASSERT(browser_body_has(&b, "data-usager-picker data-single data-field=\"user_id\""));
	CU_ASSERT(browser_body_has(&b, "id=\"user_any\" name=\"user_id\" value=\"\" checked>"));
	/* filtered on user1: shown chosen */
	char box[160], q[256], last[96];
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs?user_id=%lld", org, user1)), 200);
	snprintf(box, sizeof(box), "type=\"radio\" id=\"user_%lld\" name=\"user_id\" value=\"%lld\" checked>", user1, user1);
	CU_ASSERT(browser_body_has(&b, box));
	CU_ASSERT(!browser_body_has(&b, "id=\"user_any\" name=\"user_id\" value=\"\" checked>"));
	/* without JavaScript: "Rechercher" sends the filters back with the matches to choose */
	snprintf(q, sizeof(q), "SELECT last_name FROM users WHERE id = %lld", user2);
	test_sql(q, last, sizeof(last));
	for (char *p = last; *p; p++)
		if (*p == ' ')
			*p = '+';
	snprintf(q, sizeof(q), "/agent/organisations/%lld/rdvs?usager_q=%s&search_usagers=1", org, last);
	CU_ASSERT_EQUAL(browser_get(&b, q), 200);
	snprintf(box, sizeof(box), "type=\"radio\" id=\"match_%lld\" name=\"user_id\" value=\"%lld\">", user2, user2);
	CU_ASSERT(browser_body_has(&b, box));
	/* a usager of another organisation is not shown as chosen */
	snprintf(q, sizeof(q), "SELECT up.user_id FROM user_profiles up WHERE up.organisation_id = %lld AND NOT EXISTS"
		 " (SELECT 1 FROM user_profiles x WHERE x.user_id = up.user_id AND x.organisation_id = %lld) LIMIT 1", lens, org);
	long long stranger = sql_ll(q);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs?user_id=%lld", org, stranger)), 200);
	snprintf(box, sizeof(box), "id=\"user_%lld\"", stranger);
	CU_ASSERT(!browser_body_has(&b, box));
	browser_free(&b);
}

/* ------------------------------------------------------------- webhooks */

/* Two endpoints of Arras subscribed to RDVs: every event queues one delivery each. */
#define HOOK_URL "http://127.0.0.1:9/rdv-test-hook"
#define HOOK_ENDPOINTS 2

static long long hooks(long long id, const char *event)
{
	char q[256];
	snprintf(q, sizeof(q), "SELECT count(*) FROM outbox WHERE rdv_id = %lld AND channel = 'webhook'"
		 " AND recipient LIKE '" HOOK_URL "%%' AND event = '%s'", id, event);
	return sql_ll(q);
}

static void hook_endpoints(int on)
{
	char q[384];
	if (on)
		snprintf(q, sizeof(q), "INSERT INTO webhook_endpoints (organisation_id, target_url, secret, subscriptions)"
			 " SELECT %lld, '" HOOK_URL "/' || i, 'secret-du-test-des-webhooks-rdv-assez-long', '{rdv}'"
			 " FROM generate_series(1, %d) i", org, HOOK_ENDPOINTS);
	else
		snprintf(q, sizeof(q), "DELETE FROM webhook_endpoints WHERE target_url LIKE '" HOOK_URL "%%'");
	CU_ASSERT_EQUAL(test_sql(q, NULL, 0), 0);
}

/* Form, JSON move, edit, status, cancel, reopen, participants, API: each
 * event queues exactly one webhook per endpoint. */
static void test_one_webhook_per_event(void)
{
	hook_endpoints(1);
	struct browser b;
	signed_in(&b, PMI);
	CU_ASSERT_EQUAL(post_rdv(&b, day[0], "05:00", user1, "&confirm_warnings=1"), 303);
	long long id = location_id(&b);
	CU_ASSERT_EQUAL(hooks(id, "rdv_created"), HOOK_ENDPOINTS);
	int updates = 0;
	/* moved (JSON) */
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	char csrf[160], body[160];
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", b.csrf);
	const char *h[] = {"Content-Type: application/json", csrf, NULL};
	snprintf(body, sizeof(body), "{\"starts_at\": \"%s\", \"force\": true}", iso(0, "05:30"));
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path("/agent/organisations/%lld/rdvs/%lld/move", org, id), h, body,
					strlen(body)), 200);
	CU_ASSERT_EQUAL(hooks(id, "rdv_updated"), ++updates * HOOK_ENDPOINTS);
	/* edited: time and notes */
	char form[160];
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	snprintf(form, sizeof(form), "date=%s&time=05:40&duration_in_min=30&context=webhook&confirm_warnings=1", day[0]);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id), form, 1), 303);
	CU_ASSERT_EQUAL(hooks(id, "rdv_updated"), ++updates * HOOK_ENDPOINTS);
	/* edited: notes only (nobody told, the webhook still goes) */
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	snprintf(form, sizeof(form), "date=%s&time=05:40&duration_in_min=30&context=notes", day[0]);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id), form, 1), 303);
	CU_ASSERT_EQUAL(hooks(id, "rdv_updated"), ++updates * HOOK_ENDPOINTS);
	/* participant added, then removed */
	snprintf(form, sizeof(form), "user_id=%lld", user2);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/participants", org, id), form, 1), 303);
	CU_ASSERT_EQUAL(hooks(id, "rdv_updated"), ++updates * HOOK_ENDPOINTS);
	char del[160];
	snprintf(del, sizeof(del), "/agent/organisations/%lld/rdvs/%lld/participants/%lld/delete", org, id, user2);
	CU_ASSERT_EQUAL(browser_post(&b, del, "", 1), 303);
	CU_ASSERT_EQUAL(hooks(id, "rdv_updated"), ++updates * HOOK_ENDPOINTS);
	/* status, cancellation, reopened */
	static const char *const steps[][2] = {{"status", "status=seen"}, {"cancel", "by=service"}, {"status", "status=unknown"}};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(form, sizeof(form), "/agent/organisations/%%lld/rdvs/%%lld/%s", steps[i][0]);
		CU_ASSERT_EQUAL(browser_post(&b, path(form, org, id), steps[i][1], 1), 303);
		CU_ASSERT_EQUAL(hooks(id, "rdv_updated"), ++updates * HOOK_ENDPOINTS);
	}
	CU_ASSERT_EQUAL(hooks(id, "rdv_created"), HOOK_ENDPOINTS);
	/* the API: create, patch, cancel */
	char list[96], one[128];
	snprintf(list, sizeof(list), "/api/v1/organisations/%lld/rdvs", org);
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\", \"agent_ids\": [%lld],"
		 " \"user_ids\": [%lld], \"force\": true}", motif, lieu, iso(1, "05:00"), pmi, user2);
	CU_ASSERT_EQUAL(api(&b, "POST", list, body, 1), 201);
	long long api_id = json_id_of(&b);
	CU_ASSERT_EQUAL(hooks(api_id, "rdv_created"), HOOK_ENDPOINTS);
	snprintf(one, sizeof(one), "%s/%lld", list, api_id);
	snprintf(body, sizeof(body), "{\"starts_at\": \"%s\", \"force\": true}", iso(1, "05:20"));
	CU_ASSERT_EQUAL(api(&b, "PATCH", one, body, 1), 200);
	CU_ASSERT_EQUAL(hooks(api_id, "rdv_updated"), HOOK_ENDPOINTS);
	strcat(one, "/cancel");
	CU_ASSERT_EQUAL(api(&b, "POST", one, "{\"by\": \"service\"}", 1), 200);
	CU_ASSERT_EQUAL(hooks(api_id, "rdv_updated"), 2 * HOOK_ENDPOINTS);
	CU_ASSERT_EQUAL(hooks(api_id, "rdv_created"), HOOK_ENDPOINTS);
	/* the body is the API's RDV */
	char q[256], out[64];
	snprintf(q, sizeof(q), "SELECT count(*) FROM outbox WHERE rdv_id = %lld AND channel = 'webhook'"
		 " AND payload->'body'->'data' ? 'duration_in_min' AND payload->'body'->'meta'->>'model' = 'Rdv'", id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_EQUAL(strtoll(out, NULL, 10), (updates + 1) * HOOK_ENDPOINTS);
	browser_free(&b);
	hook_endpoints(0);
}

/* Every message sent or failed (receipts, written by the worker) shows on the RDV page. */
static void test_receipts_on_rdv_page(void)
{
	char id[32], org_s[32], sql[512];
	test_sql("SELECT r.id FROM rdvs r JOIN organisations o ON o.id = r.organisation_id"
		 " WHERE o.name = 'MDS d''Arras' ORDER BY r.id LIMIT 1", id, sizeof(id));
	test_sql("SELECT id FROM organisations WHERE name = 'MDS d''Arras'", org_s, sizeof(org_s));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO receipts (rdv_id, event, channel, result, recipient, error_message) VALUES"
		 " (%s, 'rdv_upcoming_reminder', 'sms', 'sent', '+33612345678', NULL),"
		 " (%s, 'rdv_created', 'mail', 'failure', 'x@exemple.fr', 'SMTP 550 boîte inconnue')", id, id);
	CU_ASSERT_EQUAL_FATAL(test_sql(sql, NULL, 0), 0);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, "admin.arras@demo.rdv-solidarites.fr", NULL), 303);
	char path[128];
	snprintf(path, sizeof(path), "/agent/organisations/%s/rdvs/%s", org_s, id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "<td>Rappel</td><td>SMS</td><td>+33612345678</td><td>Envoyé</td>"));
	CU_ASSERT(browser_body_has(&b, "Échec</p> SMTP 550 boîte inconnue"));
	browser_free(&b);
	snprintf(sql, sizeof(sql), "DELETE FROM receipts WHERE rdv_id = %s AND recipient IN ('+33612345678', 'x@exemple.fr')", id);
	test_sql(sql, NULL, 0);
}

void register_rdv_http(void)
{
	CU_pSuite s = CU_add_suite("rdv", setup, NULL);
	CU_add_test(s, "signed out", test_signed_out);
	CU_add_test(s, "list and other organisation", test_list_and_other_org);
	CU_add_test(s, "list pager: lower bound before the last page, exact total on it and in the API", test_list_pager);
	CU_add_test(s, "new form prefilled", test_new_form_prefilled);
	CU_add_test(s, "create: bad input", test_create_bad_input);
	CU_add_test(s, "create: warning, confirm, identical", test_create_warning_confirm_identical);
	CU_add_test(s, "status, cancel, edit, delete", test_status_cancel_delete);
	CU_add_test(s, "move (JSON)", test_move_json);
	CU_add_test(s, "collective seats", test_collective_seats);
	CU_add_test(s, "API", test_api);
	CU_add_test(s, "list: usager filter with the picker", test_list_usager_filter);
	CU_add_test(s, "one webhook per event and endpoint (pages, API)", test_one_webhook_per_event);
	CU_add_test(s, "notifications (receipts) on the RDV page", test_receipts_on_rdv_page);
}
