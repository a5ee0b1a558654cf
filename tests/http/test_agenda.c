/*
 * test_agenda.c - the agenda pages: the FullCalendar page (CSP style nonce,
 * data-* attributes, no-JS week list), the events feed (contents, scoping to
 * visible agendas, bad input), another organisation (404), signed out
 * (redirect), and the printable day of a lieu.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"

static long long sql_ll(const char *sql)
{
	char out[64] = "";
	return test_sql(sql, out, sizeof(out)) == 0 ? strtoll(out, NULL, 10) : 0;
}

/* "2026-03-02" of now + days (UTC date: good enough for windows of weeks). */
static void date_in(int days, char out[11])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void test_signed_out_redirects(void)
{
	struct browser b;
	browser_init(&b);
	char path[128];
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda", test_org_id("MDS d'Arras"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?start=2026-01-05&end=2026-01-12",
		 test_org_id("MDS d'Arras"));
	long st = browser_get(&b, path);
	CU_ASSERT(st == 302 || st == 401);
	browser_free(&b);
}

static void test_page_and_other_org(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	char path[160];
	long long arras = test_org_id("MDS d'Arras");
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "class=\"agenda-calendar\""));
	CU_ASSERT(browser_body_has(&b, "data-csrf=\""));
	CU_ASSERT(browser_body_has(&b, "/static/agenda.js"));
	CU_ASSERT(browser_body_has(&b, "/static/fullcalendar/index.global.min.js"));
	CU_ASSERT(browser_body_has(&b, "Rendez-vous de la semaine"));
	CU_ASSERT(!browser_body_has(&b, "<script>"));
	char csp[1024];
	CU_ASSERT(browser_header(&b, "Content-Security-Policy", csp, sizeof(csp)));
	CU_ASSERT(strstr(csp, "'nonce-") != NULL);
	CU_ASSERT(strstr(csp, "script-src 'self';") != NULL);
	CU_ASSERT(browser_body_has(&b, "name=\"csp-nonce\""));
	/* the home redirects to the agenda */
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda"), 302);
	/* another organisation's agenda does not exist for this agent */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda", test_org_id("MDS de Lens"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?start=2026-01-05&end=2026-01-12",
		 test_org_id("MDS de Lens"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

static void test_events_feed(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	long long arras = test_org_id("MDS d'Arras"), pmi = test_agent_id(PMI);
	long long lens_agent = test_agent_id("basic.lens@demo.rdv-solidarites.fr");
	char d0[11], d1[11], path[320];
	date_in(-14, d0);
	date_in(14, d1);
	/* one of the agent's RDVs inside the window, and one of another organisation's agent */
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT r.id FROM rdvs r JOIN agents_rdvs ar ON ar.rdv_id = r.id WHERE ar.agent_id = %lld"
		 " AND r.starts_at >= '%s' AND r.starts_at < '%s' ORDER BY r.starts_at LIMIT 1", pmi, d0, d1);
	long long rdv = sql_ll(sql);
	CU_ASSERT(rdv > 0);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?agent_ids=%lld,%lld&start=%sT00:00:00%%2B01:00&end=%s",
		 arras, pmi, lens_agent, d0, d1);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);
	json_error_t err;
	json_t *list = json_loads(b.body.data, 0, &err);
	CU_ASSERT_FATAL(json_is_array(list));
	size_t i;
	json_t *e;
	int rdvs = 0, plages = 0, found = 0, foreign = 0;
	json_array_foreach(list, i, e) {
		json_t *p = json_object_get(e, "extendedProps");
		const char *kind = json_string_value(json_object_get(p, "kind"));
		if (json_integer_value(json_object_get(p, "agent_id")) != pmi)
			foreign++;
		if (kind && strcmp(kind, "rdv") == 0) {
			rdvs++;
			if (json_integer_value(json_object_get(p, "rdv_id")) == rdv) {
				found = 1;
				const char *url = json_string_value(json_object_get(e, "url"));
				CU_ASSERT(url && strstr(url, "/rdvs/") != NULL);
				CU_ASSERT(json_string_value(json_object_get(e, "color"))[0] == '#');
				CU_ASSERT(strchr(json_string_value(json_object_get(e, "title")), '(') != NULL);
			}
		} else if (kind && strcmp(kind, "plage") == 0) {
			plages++;
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "display")), "background");
		}
	}
	CU_ASSERT(rdvs > 0);
	CU_ASSERT(plages > 0);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(foreign, 0);   /* another organisation's agent: never shown */
	json_decref(list);
	/* bad input */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?start=hier&end=%s", arras, d1);
	CU_ASSERT_EQUAL(browser_get(&b, path), 400);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?start=2026-01-01&end=2026-12-31", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 422);
	browser_free(&b);
}

static void test_journee(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	long long arras = test_org_id("MDS d'Arras"), pmi = test_agent_id(PMI);
	char sql[512], out[64] = "", path[256];
	snprintf(sql, sizeof(sql), "SELECT r.lieu_id || ' ' || to_char(r.starts_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')"
		 " FROM rdvs r JOIN agents_rdvs ar ON ar.rdv_id = r.id WHERE ar.agent_id = %lld AND r.lieu_id IS NOT NULL"
		 " AND r.status = 'seen' ORDER BY r.starts_at DESC LIMIT 1", pmi);
	CU_ASSERT_FATAL(test_sql(sql, out, sizeof(out)) == 0);
	long long lieu = strtoll(out, NULL, 10);
	const char *date = strchr(out, ' ') + 1;
	snprintf(path, sizeof(path), "/agent/organisations/%lld/lieux/%lld/journee?date=%s", arras, lieu, date);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "<table>"));
	CU_ASSERT(browser_body_has(&b, "présent"));
	CU_ASSERT(browser_body_has(&b, "Lefebvre"));
	/* a lieu of another organisation */
	long long lens_lieu = sql_ll("SELECT l.id FROM lieux l JOIN organisations o ON o.id = l.organisation_id"
				     " WHERE o.name = 'MDS de Lens' LIMIT 1");
	snprintf(path, sizeof(path), "/agent/organisations/%lld/lieux/%lld/journee?date=%s", arras, lens_lieu, date);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

void register_agenda_http(void)
{
	CU_pSuite s = CU_add_suite("agenda", NULL, NULL);
	CU_add_test(s, "signed out: redirect", test_signed_out_redirects);
	CU_add_test(s, "page, CSP nonce, other organisation 404", test_page_and_other_org);
	CU_add_test(s, "events feed: contents and scoping", test_events_feed);
	CU_add_test(s, "printable day of a lieu", test_journee);
}
