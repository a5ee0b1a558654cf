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
	/* an absence of the agent in the window: in the same statement as the RDVs and plages */
	snprintf(sql, sizeof(sql), "INSERT INTO absences (agent_id, organisation_id, title, first_day, start_time, end_day,"
		 " end_time) VALUES (%lld, %lld, 'Formation feed', '%s'::date + 2, '09:00', '%s'::date + 2, '12:00')"
		 " RETURNING id", pmi, arras, d0, d0);
	long long absence = sql_ll(sql);
	CU_ASSERT(absence > 0);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?agent_ids=%lld,%lld&start=%sT00:00:00%%2B01:00&end=%s",
		 arras, pmi, lens_agent, d0, d1);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);
	json_error_t err;
	json_t *list = json_loads(b.body.data, 0, &err);
	CU_ASSERT_FATAL(json_is_array(list));
	size_t i;
	json_t *e;
	int rdvs = 0, plages = 0, absences = 0, found = 0, foreign = 0;
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
		} else if (kind && strcmp(kind, "absence") == 0) {
			absences += strcmp(json_string_value(json_object_get(e, "title")), "Absence : Formation feed") == 0;
		}
	}
	CU_ASSERT(rdvs > 0);
	CU_ASSERT(plages > 0);
	CU_ASSERT_EQUAL(absences, 1);
	CU_ASSERT(found);
	CU_ASSERT_EQUAL(foreign, 0);   /* another organisation's agent: never shown */
	json_decref(list);
	/* the agent's own agenda alone (read without every agent's level) is the
	 * same answer, byte for byte, as with an agent that is not shown */
	char *both = strdup(b.body.data);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?agent_ids=%lld&start=%sT00:00:00%%2B01:00&end=%s",
		 arras, pmi, d0, d1);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT_STRING_EQUAL(b.body.data, both);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda/events.json?start=%sT00:00:00%%2B01:00&end=%s",
		 arras, d0, d1);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT_STRING_EQUAL(b.body.data, both);
	free(both);
	snprintf(sql, sizeof(sql), "DELETE FROM absences WHERE id = %lld RETURNING id", absence);
	CU_ASSERT_EQUAL(sql_ll(sql), absence);
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

/* An RDV at local hh:mm of day current_date + 320 for one agent (SQL: no
 * warning check, no notification); user 0 → no participant. Its id. */
static long long reassign_rdv(long long org, long long agent, long long user, const char *hm)
{
	char q[1024];
	snprintf(q, sizeof(q),
		 "WITH r AS (INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, users_count)"
		 " SELECT %lld, m.id, (SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled'"
		 " ORDER BY id LIMIT 1), x.t, x.t + interval '30 minutes', %d"
		 " FROM motifs m, (SELECT (current_date + 320 + time '%s') AT TIME ZONE 'Europe/Paris' AS t) x"
		 " WHERE m.organisation_id = %lld AND m.name = 'Consultation PMI nourrisson' RETURNING id),"
		 " a AS (INSERT INTO agents_rdvs (rdv_id, agent_id) SELECT id, %lld FROM r),"
		 " p AS (INSERT INTO participations (rdv_id, user_id) SELECT id, %lld FROM r WHERE %lld > 0)"
		 " SELECT id FROM r",
		 org, org, user ? 1 : 0, hm, org, agent, user, user);
	return sql_ll(q);
}

/* {"starts_at": <local hh:mm of day + 320 in UTC>, <extra>} POSTed to …/rdvs/:id/move. */
static long reassign_post(struct browser *b, long long org, long long id, const char *hm, const char *extra)
{
	char q[256], at[40] = "", body[320], csrf[200], path[160];
	snprintf(q, sizeof(q), "SELECT to_char(((current_date + 320 + time '%s') AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'UTC',"
		 " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", hm);
	test_sql(q, at, sizeof(at));
	snprintf(body, sizeof(body), "{\"starts_at\": \"%s\", %s}", at, extra);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", b->csrf);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/rdvs/%lld/move", org, id);
	const char *h[] = {"Content-Type: application/json", csrf, NULL};
	return browser_request(b, "POST", path, h, body, strlen(body));
}

/* The agents of an RDV, "{1,2}". */
static void reassign_agents(long long id, char *out, size_t n)
{
	char q[160];
	snprintf(q, sizeof(q), "SELECT array_agg(agent_id ORDER BY agent_id)::text FROM agents_rdvs WHERE rdv_id = %lld", id);
	test_sql(q, out, n);
}

/* The agenda's move to another agent's column (or the dialog's agent
 * select): allowed onto an agenda the mover may write, 403 onto one they
 * may only see, 404 onto one they may not see (same or other organisation), an overlap
 * in the target agenda asks for confirmation (409 + warning). */
static void test_move_reassign(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	long long arras = test_org_id("MDS d'Arras"), pmi = test_agent_id(PMI);
	long long roussel = sql_ll("SELECT id FROM agents WHERE last_name = 'Roussel'");       /* PMI: write */
	long long vasseur = sql_ll("SELECT id FROM agents WHERE last_name = 'Vasseur'");       /* ASE */
	long long lens = test_agent_id("basic.lens@demo.rdv-solidarites.fr");
	long long user = sql_ll("SELECT user_id FROM user_profiles WHERE organisation_id = (SELECT id FROM organisations"
				" WHERE name = 'MDS d''Arras') ORDER BY user_id LIMIT 1");
	CU_ASSERT_FATAL(roussel > 0 && vasseur > 0 && lens > 0 && user > 0);
	long long mine = reassign_rdv(arras, pmi, user, "07:00");
	long long theirs = reassign_rdv(arras, roussel, 0, "08:00");
	CU_ASSERT_FATAL(mine > 0 && theirs > 0);
	char path[160], before[64], after[64], extra[96];
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda", arras);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);   /* the CSRF token */
	reassign_agents(mine, before, sizeof(before));

	/* Vasseur (ASE) shares no service with the PMI agent: her agenda is not visible… */
	snprintf(extra, sizeof(extra), "\"agent_id\": %lld, \"from_agent_id\": %lld", vasseur, pmi);
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "07:00", extra), 404);
	/* …then readable (explicit grant), still not writable */
	char q[256];
	snprintf(q, sizeof(q), "INSERT INTO agenda_accesses (owner_agent_id, grantee_agent_id, level) VALUES (%lld, %lld, 'read')",
		 vasseur, pmi);
	CU_ASSERT(test_sql(q, NULL, 0) == 0);
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "07:00", extra), 403);
	snprintf(q, sizeof(q), "DELETE FROM agenda_accesses WHERE owner_agent_id = %lld AND grantee_agent_id = %lld", vasseur, pmi);
	test_sql(q, NULL, 0);
	snprintf(extra, sizeof(extra), "\"agent_ids\": [%lld]", lens);
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "07:00", extra), 404);
	snprintf(extra, sizeof(extra), "\"agent_ids\": []");
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "07:00", extra), 422);
	/* onto Roussel's 08:00: the overlap is a warning to confirm, nothing moved yet */
	snprintf(extra, sizeof(extra), "\"agent_id\": %lld, \"from_agent_id\": %lld", roussel, pmi);
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "08:10", extra), 409);
	CU_ASSERT(browser_body_has(&b, "\"overlap\""));
	CU_ASSERT(browser_body_has(&b, "Roussel"));
	reassign_agents(mine, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(after, before);
	/* a free time in Roussel's agenda: reassigned and moved */
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "11:00", extra), 200);
	CU_ASSERT(browser_body_has(&b, "\"rdv\""));
	reassign_agents(mine, after, sizeof(after));
	char want[64];
	snprintf(want, sizeof(want), "{%lld}", roussel);
	CU_ASSERT_STRING_EQUAL(after, want);
	/* and back with the whole list, confirming the overlap this time */
	snprintf(extra, sizeof(extra), "\"agent_ids\": [%lld, %lld], \"force\": true", pmi, roussel);
	CU_ASSERT_EQUAL(reassign_post(&b, arras, mine, "08:10", extra), 200);
	reassign_agents(mine, after, sizeof(after));
	snprintf(want, sizeof(want), "{%lld,%lld}", pmi < roussel ? pmi : roussel, pmi < roussel ? roussel : pmi);
	CU_ASSERT_STRING_EQUAL(after, want);
	/* the agenda page of that week: the keyboard's dialog, with Roussel among the agents it
	 * may move to, and a « Déplacer » button for the RDV in the week list */
	char d[16] = "", id[24];
	test_sql("SELECT (current_date + 320)::text", d, sizeof(d));
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda?agent_ids=%lld&date=%s", arras, pmi, d);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "<dialog id=\"agenda-move\""));
	snprintf(q, sizeof(q), "<option value=\"%lld\">Isabelle Roussel</option>", roussel);
	CU_ASSERT(browser_body_has(&b, q));
	snprintf(q, sizeof(q), "<option value=\"%lld\">", vasseur);
	CU_ASSERT(!browser_body_has(&b, q));   /* not writable: not offered (nor in the picker) */
	snprintf(id, sizeof(id), "data-rdv-id=\"%lld\"", mine);
	CU_ASSERT(browser_body_has(&b, id));
	/* no CSRF token: refused */
	const char *h[] = {"Content-Type: application/json", NULL};
	snprintf(path, sizeof(path), "/agent/organisations/%lld/rdvs/%lld/move", arras, mine);
	const char *body = "{\"starts_at\": \"2030-01-01T10:00:00Z\"}";
	long st = browser_request(&b, "POST", path, h, body, strlen(body));
	CU_ASSERT(st == 403 || st == 422 || st == 400);
	browser_free(&b);
}

void register_agenda_http(void)
{
	CU_pSuite s = CU_add_suite("agenda", NULL, NULL);
	CU_add_test(s, "signed out: redirect", test_signed_out_redirects);
	CU_add_test(s, "page, CSP nonce, other organisation 404", test_page_and_other_org);
	CU_add_test(s, "events feed: contents and scoping", test_events_feed);
	CU_add_test(s, "printable day of a lieu", test_journee);
	CU_add_test(s, "move to another agent: write right 403/404, overlap 409, reassigned", test_move_reassign);
}
