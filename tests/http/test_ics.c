/*
 * test_ics.c - the agents' calendar feeds: the page /agent/calendar_sync
 * (cgi-bin/booking/calendar_sync.c) makes a secret URL, /calendrier/<token>.ics
 * (cgi-bin/export/ics_feed.c) serves it. Checks the feed is RFC 5545 (CRLF,
 * 75-octet lines, balanced BEGIN/END, VTIMEZONE Europe/Paris), that a known
 * RDV is there with its uuid and Paris local start, without its usager's
 * name, that cancelled RDVs are CANCELLED, the plages preference, and that
 * regenerate / revoke / another agent's token / malformed tokens give 404.
 * Signed out → sign-in, POST without CSRF → 403.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define SOCIAL "agent.social@demo.rdv-solidarites.fr"

static int suite_clean(void)
{
	test_sql("UPDATE agents SET calendar_token_hash = NULL, calendar_token_created_at = NULL,"
		 " calendar_include_plages = false WHERE email IN ('" PMI "', '" SOCIAL "')", NULL, 0);
	return 0;
}

/* Generates (or regenerates) the signed-in agent's feed from the page and
 * returns the path "/calendrier/<token>.ics" read from the shown URL. */
static int feed_generate(struct browser *b, char path[128])
{
	if (browser_get(b, "/agent/calendar_sync") != 200 || browser_post(b, "/agent/calendar_sync", "", 1) != 200)
		return 0;
	const char *p = b->body.data ? strstr(b->body.data, "id=\"feed-url\"") : NULL;
	p = p ? strstr(p, "value=\"") : NULL;
	p = p ? strstr(p, "/calendrier/") : NULL;
	if (p == NULL)
		return 0;
	size_t n = strcspn(p, "\"");
	if (n != strlen("/calendrier/") + 43 + 4 || n >= 128)
		return 0;
	memcpy(path, p, n);
	path[n] = '\0';
	return 1;
}

/* RFC 5545 framing of the last body: CRLF only, ≤ 75 octets per physical
 * line, BEGIN/END balanced and properly nested, one VCALENDAR. */
static void check_rfc5545(const struct browser *b)
{
	const char *s = b->body.data;
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(strncmp(s, "BEGIN:VCALENDAR\r\n", 17) == 0);
	char stack[8][32];
	int depth = 0, balanced = 1, short_lines = 1, crlf = 1, calendars = 0;
	for (const char *line = s; *line;) {
		const char *nl = strchr(line, '\n');
		if (nl == NULL || nl == line || nl[-1] != '\r') {
			crlf = 0;
			break;
		}
		size_t len = (size_t)(nl - 1 - line);
		if (len > 75)
			short_lines = 0;
		char name[32] = "";
		if (len > 6 && strncmp(line, "BEGIN:", 6) == 0 && len - 6 < sizeof(name)) {
			memcpy(name, line + 6, len - 6);
			name[len - 6] = '\0';
			if (depth == 8)
				balanced = 0;
			else
				memcpy(stack[depth++], name, sizeof(name));
			if (strcmp(name, "VCALENDAR") == 0)
				calendars++;
		} else if (len > 4 && strncmp(line, "END:", 4) == 0 && len - 4 < sizeof(name)) {
			memcpy(name, line + 4, len - 4);
			name[len - 4] = '\0';
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				balanced = 0;
			else
				depth--;
		}
		line = nl + 1;
	}
	CU_ASSERT(crlf);
	CU_ASSERT(short_lines);
	CU_ASSERT(balanced && depth == 0);
	CU_ASSERT_EQUAL(calendars, 1);
}

/* The body with folded lines joined (CRLF + space removed), malloc'd. */
static char *unfold(const struct browser *b)
{
	const char *s = b->body.data ? b->body.data : "";
	char *out = malloc(strlen(s) + 1), *o = out;
	for (; out && *s; s++) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' || s[2] == '\t'))
			s += 2;
		else
			*o++ = *s;
	}
	if (out)
		*o = '\0';
	return out;
}

/* The VEVENT whose UID line is "UID:<uid>", as a malloc'd copy, or NULL. */
static char *event_of(const char *cal, const char *uid)
{
	char key[128];
	snprintf(key, sizeof(key), "\r\nUID:%s\r\n", uid);
	const char *p = strstr(cal, key);
	if (p == NULL)
		return NULL;
	const char *begin = p, *end = strstr(p, "END:VEVENT\r\n");
	while (begin > cal && strncmp(begin, "BEGIN:VEVENT", 12) != 0)
		begin--;
	return end ? strndup(begin, (size_t)(end - begin)) : NULL;
}

/* Fields of one RDV of agent.pmi picked by SQL: "uuid|local start|first|last". */
static int pick_rdv(const char *cond, char uuid[64], char start[32], char first[128], char last[128])
{
	char sql[2048], v[512];
	snprintf(sql, sizeof(sql),
		"SELECT r.uuid || '|' || to_char(r.starts_at AT TIME ZONE 'Europe/Paris', 'YYYYMMDD\"T\"HH24MISS')"
		" || '|' || u.first_name || '|' || u.last_name"
		" FROM rdvs r JOIN agents_rdvs ar ON ar.rdv_id = r.id JOIN agents a ON a.id = ar.agent_id"
		" JOIN participations p ON p.rdv_id = r.id JOIN users u ON u.id = p.user_id"
		" WHERE a.email = '" PMI "' AND r.starts_at BETWEEN now() - interval '25 days' AND now() + interval '300 days'"
		" AND (SELECT count(*) FROM agents_rdvs x WHERE x.rdv_id = r.id) = 1 AND %s"
		/* a name that cannot appear for another reason (a lieu, a motif, the agent) */
		" AND u.last_name <> a.last_name AND length(u.last_name) > 3 AND NOT EXISTS (SELECT 1 FROM lieux l"
		"   WHERE strpos(l.name || ' ' || l.address, u.last_name) > 0 OR strpos(l.name || ' ' || l.address, u.first_name) > 0)"
		" AND NOT EXISTS (SELECT 1 FROM motifs m WHERE strpos(m.name, u.last_name) > 0 OR strpos(m.name, u.first_name) > 0)"
		" AND NOT EXISTS (SELECT 1 FROM absences x WHERE x.agent_id = a.id AND strpos(x.title, u.last_name) > 0)"
		" ORDER BY r.starts_at LIMIT 1", cond);
	if (test_sql(sql, v, sizeof(v)) != 0 || v[0] == '\0')
		return 0;
	char *f[4], *save = NULL;
	f[0] = strtok_r(v, "|", &save);
	for (int i = 1; i < 4; i++)
		f[i] = strtok_r(NULL, "|", &save);
	if (f[3] == NULL)
		return 0;
	snprintf(uuid, 64, "%s", f[0]);
	snprintf(start, 32, "%s", f[1]);
	snprintf(first, 128, "%s", f[2]);
	snprintf(last, 128, "%s", f[3]);
	return 1;
}

static void test_feed_valid(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/calendar_sync"), 200);
	CU_ASSERT(browser_body_has(&b, "Synchroniser mon agenda"));
	CU_ASSERT(browser_body_has(&b, "Thunderbird"));
	CU_ASSERT(browser_body_has(&b, "pas encore d'adresse"));
	char path[128], h[256];
	CU_ASSERT_FATAL(feed_generate(&b, path));
	browser_header(&b, "Cache-Control", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "no-store");
	CU_ASSERT(browser_body_has(&b, "webcal://"));
	/* the page no longer shows the URL */
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/calendar_sync"), 200);
	CU_ASSERT(!browser_body_has(&b, path));
	CU_ASSERT(browser_body_has(&b, "active"));

	char uuid[64], start[32], first[128], last[128];
	CU_ASSERT_FATAL(pick_rdv("r.status NOT IN ('excused', 'revoked')", uuid, start, first, last));
	struct browser feed;
	browser_init(&feed);   /* a calendar client: no session, no cookie */
	CU_ASSERT_EQUAL_FATAL(browser_get(&feed, path), 200);
	browser_header(&feed, "Content-Type", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "text/calendar; charset=utf-8");
	browser_header(&feed, "Cache-Control", h, sizeof(h));
	CU_ASSERT_STRING_EQUAL(h, "private, max-age=300");
	check_rfc5545(&feed);
	char *cal = unfold(&feed);
	CU_ASSERT_FATAL(cal != NULL);
	CU_ASSERT(strstr(cal, "\r\nMETHOD:PUBLISH\r\n") != NULL);
	CU_ASSERT(strstr(cal, "\r\nX-WR-CALNAME:") != NULL);
	CU_ASSERT(strstr(cal, "\r\nX-WR-TIMEZONE:Europe/Paris\r\n") != NULL);
	CU_ASSERT(strstr(cal, "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n") != NULL);
	/* calendar properties come before the first component */
	CU_ASSERT(strstr(cal, "X-WR-CALNAME") < strstr(cal, "BEGIN:VTIMEZONE"));
	char *ev = event_of(cal, uuid);
	CU_ASSERT_FATAL(ev != NULL);
	char want[64];
	snprintf(want, sizeof(want), "\r\nDTSTART;TZID=Europe/Paris:%s\r\n", start);
	CU_ASSERT(strstr(ev, want) != NULL);
	CU_ASSERT(strstr(ev, "\r\nSUMMARY:RDV ") != NULL);
	CU_ASSERT(strstr(ev, "\r\nSTATUS:CONFIRMED\r\n") != NULL);
	CU_ASSERT(strstr(ev, "/rdvs/") != NULL);   /* the link to the RDV page */
	free(ev);
	/* personal data: neither name of that RDV's usager, nor any home address */
	CU_ASSERT(strstr(cal, last) == NULL);
	CU_ASSERT(strstr(cal, first) == NULL || strlen(first) < 4);
	char addr[256];
	test_sql("SELECT r.address FROM rdvs r JOIN agents_rdvs ar ON ar.rdv_id = r.id JOIN agents a ON a.id = ar.agent_id"
		 " WHERE a.email = '" PMI "' AND r.address IS NOT NULL AND r.address <> ''"
		 " AND r.starts_at > now() - interval '25 days' LIMIT 1", addr, sizeof(addr));
	if (addr[0])
		CU_ASSERT(strstr(cal, addr) == NULL);
	/* a cancelled RDV: STATUS:CANCELLED */
	CU_ASSERT_FATAL(pick_rdv("r.status IN ('excused', 'revoked')", uuid, start, first, last) ||
			pick_rdv("true", uuid, start, first, last));
	free(cal);
	char was[32];
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT status FROM rdvs WHERE uuid = '%s'", uuid);
	test_sql(sql, was, sizeof(was));
	if (strcmp(was, "excused") != 0 && strcmp(was, "revoked") != 0) {
		snprintf(sql, sizeof(sql), "UPDATE rdvs SET status = 'excused' WHERE uuid = '%s'", uuid);
		test_sql(sql, NULL, 0);
	}
	CU_ASSERT_EQUAL(browser_get(&feed, path), 200);
	cal = unfold(&feed);
	ev = cal ? event_of(cal, uuid) : NULL;
	CU_ASSERT(ev != NULL && strstr(ev, "\r\nSTATUS:CANCELLED\r\n") != NULL);
	if (strcmp(was, "excused") != 0 && strcmp(was, "revoked") != 0) {
		snprintf(sql, sizeof(sql), "UPDATE rdvs SET status = '%s' WHERE uuid = '%s'", was, uuid);
		test_sql(sql, NULL, 0);
	}
	free(ev);
	free(cal);
	/* the token also works without ".ics" */
	path[strlen(path) - 4] = '\0';
	CU_ASSERT_EQUAL(browser_get(&feed, path), 200);
	CU_ASSERT(browser_body_has(&feed, "END:VCALENDAR\r\n"));
	char v[32];
	test_sql("SELECT count(*) FROM audit WHERE item_type = 'agent' AND event = 'calendar_feed_create'"
		 " AND item_id = (SELECT id FROM agents WHERE email = '" PMI "')", v, sizeof(v));
	CU_ASSERT(atoi(v) >= 1);
	browser_free(&feed);
	browser_free(&b);
}

/* Absences always; plages only when chosen, as free time. */
static void test_feed_preferences(void)
{
	struct browser b, feed;
	browser_init(&b);
	browser_init(&feed);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	char path[128], v[32];
	CU_ASSERT_FATAL(feed_generate(&b, path));
	CU_ASSERT_EQUAL(browser_get(&feed, path), 200);
	CU_ASSERT(!browser_body_has(&feed, "SUMMARY:Plage d'ouverture"));
	test_sql("SELECT count(*) FROM absences ab JOIN agents a ON a.id = ab.agent_id WHERE a.email = '" PMI "'"
		 " AND ab.first_day BETWEEN current_date - 20 AND current_date + 300 AND ab.recurrence IS NULL", v, sizeof(v));
	if (atoi(v) > 0)
		CU_ASSERT(browser_body_has(&feed, "SUMMARY:Absence"));
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/calendar_sync"), 200);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/calendar_sync/preferences", "include_plages=1", 1), 303);
	test_sql("SELECT calendar_include_plages FROM agents WHERE email = '" PMI "'", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "t");
	CU_ASSERT_EQUAL(browser_get(&feed, path), 200);
	check_rfc5545(&feed);
	CU_ASSERT(browser_body_has(&feed, "SUMMARY:Plage d'ouverture"));
	CU_ASSERT(browser_body_has(&feed, "TRANSP:TRANSPARENT"));
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/calendar_sync"), 200);
	CU_ASSERT(browser_body_has(&b, "id=\"include-plages\" name=\"include_plages\" value=\"1\" checked"));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/calendar_sync/preferences", "", 1), 303);
	CU_ASSERT_EQUAL(browser_get(&feed, path), 200);
	CU_ASSERT(!browser_body_has(&feed, "SUMMARY:Plage d'ouverture"));
	test_sql("SELECT count(*) FROM audit WHERE item_type = 'agent' AND event = 'update'"
		 " AND after ? 'calendar_include_plages'", v, sizeof(v));
	CU_ASSERT(atoi(v) >= 2);
	browser_free(&feed);
	browser_free(&b);
}

/* Regenerate: the old URL is 404 at once; revoke: 404. */
static void test_feed_regenerate_revoke(void)
{
	struct browser b, feed;
	browser_init(&b);
	browser_init(&feed);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	char old[128], fresh[128], v[32];
	CU_ASSERT_FATAL(feed_generate(&b, old));
	CU_ASSERT_EQUAL(browser_get(&feed, old), 200);
	CU_ASSERT_FATAL(feed_generate(&b, fresh));
	CU_ASSERT(strcmp(old, fresh) != 0);
	CU_ASSERT(browser_body_has(&b, "ancienne ne fonctionne plus"));
	CU_ASSERT_EQUAL(browser_get(&feed, old), 404);
	CU_ASSERT_EQUAL(browser_get(&feed, fresh), 200);
	test_sql("SELECT count(*) FROM audit WHERE event = 'calendar_feed_regenerate'"
		 " AND item_id = (SELECT id FROM agents WHERE email = '" PMI "')", v, sizeof(v));
	CU_ASSERT(atoi(v) >= 1);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/calendar_sync"), 200);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/calendar_sync/revoke", "", 1), 303);
	CU_ASSERT_EQUAL(browser_get(&feed, fresh), 404);
	test_sql("SELECT calendar_token_hash IS NULL FROM agents WHERE email = '" PMI "'", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "t");
	test_sql("SELECT count(*) FROM audit WHERE event = 'calendar_feed_revoke'"
		 " AND item_id = (SELECT id FROM agents WHERE email = '" PMI "')", v, sizeof(v));
	CU_ASSERT(atoi(v) >= 1);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/calendar_sync"), 200);
	CU_ASSERT(browser_body_has(&b, "pas encore d'adresse"));
	browser_free(&feed);
	browser_free(&b);
}

/* Another agent's token gives their calendar, never mine. */
static void test_feed_other_agent(void)
{
	struct browser pmi, social, feed;
	browser_init(&pmi);
	browser_init(&social);
	browser_init(&feed);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&pmi, PMI, NULL), 303);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&social, SOCIAL, NULL), 303);
	char mine[128], theirs[128], uuid[64], start[32], first[128], last[128];
	CU_ASSERT_FATAL(feed_generate(&pmi, mine));
	CU_ASSERT_FATAL(feed_generate(&social, theirs));
	CU_ASSERT_FATAL(pick_rdv("true", uuid, start, first, last));
	CU_ASSERT_EQUAL(browser_get(&feed, theirs), 200);
	CU_ASSERT(!browser_body_has(&feed, uuid));
	CU_ASSERT(browser_body_has(&feed, "X-WR-CALNAME:Karima Benali"));
	CU_ASSERT_EQUAL(browser_get(&feed, mine), 200);
	CU_ASSERT(browser_body_has(&feed, uuid));
	browser_free(&feed);
	browser_free(&social);
	browser_free(&pmi);
}

static void test_feed_malformed(void)
{
	struct browser b;
	browser_init(&b);
	static const char *const paths[] = {
		"/calendrier/abc",
		"/calendrier/abc.ics",
		"/calendrier/.ics",
		"/calendrier/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics",   /* well-formed, unknown */
		"/calendrier/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%21.ics", /* '!' */
		"/calendrier/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics",  /* 44 chars */
		"/calendrier/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics.ics",
		"/calendrier/",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		CU_ASSERT_EQUAL(browser_get(&b, paths[i]), 404);
	browser_free(&b);
}

static void test_signed_out_and_csrf(void)
{
	suite_clean();
	struct browser b;
	browser_init(&b);
	long st = browser_get(&b, "/agent/calendar_sync");
	CU_ASSERT(st == 302 || st == 303);
	CU_ASSERT(strstr(b.location, "/agent/sign_in") != NULL);
	st = browser_post(&b, "/agent/calendar_sync", "", 1);
	CU_ASSERT(st == 302 || st == 303);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/calendar_sync", "", 0), 403);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/calendar_sync/revoke", "", 0), 403);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/calendar_sync/preferences", "include_plages=1", 0), 403);
	char v[32];
	test_sql("SELECT (calendar_token_hash IS NULL AND NOT calendar_include_plages)::text FROM agents"
		 " WHERE email = '" PMI "'", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "true");
	browser_free(&b);
}

void register_ics_http(void)
{
	CU_pSuite s = CU_add_suite("http: ics", suite_clean, suite_clean);
	CU_add_test(s, "feed: generated from the page, RFC 5545, a known RDV, no personal data", test_feed_valid);
	CU_add_test(s, "feed: absences, plages on request", test_feed_preferences);
	CU_add_test(s, "feed: regenerate and revoke give 404", test_feed_regenerate_revoke);
	CU_add_test(s, "feed: another agent's token", test_feed_other_agent);
	CU_add_test(s, "feed: malformed and unknown tokens 404", test_feed_malformed);
	CU_add_test(s, "page: signed out, CSRF", test_signed_out_and_csrf);
}
