/*
 * test_reschedule.c - the citizen moves an RDV (/users/rdvs/:id/creneaux,
 * /reschedule): each rule of the reference (created by an agent, < 2 days,
 * collective, cancelled, motif not editable), the move itself and the old
 * slot free again, a taken créneau, the RDV-link session limited to its RDV;
 * follow-up motifs only with a referent (agent side, through the API); the
 * referents API (happy path, another organisation's usager, no token).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

#define USAGER "usager@demo.rdv-solidarites.fr"
#define MOTIF "SELECT m.id FROM motifs m JOIN organisations o ON o.id = m.organisation_id" \
	" WHERE o.name = 'MDS d''Arras' AND m.name = 'Consultation PMI nourrisson'"
#define TOKEN "reschedTOKENreschedTOKENreschedTOKENresch12"
#define LINK_TOKEN "Lnk9Lnk9Lnk9Lnk9Lnk9Lnk9Lnk9Lnk9Lnk9Lnk9Lnk"

/* An individual RDV of the demo usager (nourrisson, Arras, at a lieu with
 * plages of the motif, no agent) starting in `in`; extra: SQL columns
 * "created_by_type, collectif, status" as a VALUES-compatible list. */
static void make_rdv(const char *in, const char *by, const char *collectif, const char *status, char out[32])
{
	char sql[2048];
	snprintf(sql, sizeof(sql),
		 "WITH u AS (SELECT id FROM users WHERE email = '" USAGER "'),"
		 " m AS (SELECT id, organisation_id FROM motifs WHERE id = (" MOTIF ")),"
		 " l AS (SELECT p.lieu_id FROM plages_ouverture p JOIN plage_ouverture_motifs pm"
		 "  ON pm.plage_ouverture_id = p.id WHERE pm.motif_id = (" MOTIF ") AND p.lieu_id IS NOT NULL"
		 "  ORDER BY p.lieu_id LIMIT 1),"
		 " r AS (INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, created_by_type,"
		 "  users_count, collectif, status, cancelled_at)"
		 "  SELECT organisation_id, id, (SELECT lieu_id FROM l), date_trunc('minute', now() + interval '%s'),"
		 "  date_trunc('minute', now() + interval '%s') + interval '30 minutes', '%s', 1, %s, '%s',"
		 "  CASE WHEN '%s' IN ('excused', 'revoked') THEN now() END FROM m RETURNING id),"
		 " p AS (INSERT INTO participations (rdv_id, user_id) SELECT r.id, u.id FROM r, u RETURNING rdv_id)"
		 " SELECT rdv_id FROM p", in, in, by, collectif, status, status);
	out[0] = '\0';
	test_sql(sql, out, 32);
}

static long long sql_ll(const char *sql)
{
	char out[64] = "";
	test_sql(sql, out, sizeof(out));
	return atoll(out);
}

/* The n-th (from 0) distinct free start offered on the page, or 0. */
static long long nth_slot(const struct browser *b, int n)
{
	const char *p = b->body.data;
	long long prev = 0;
	for (int k = -1; p != NULL && (p = strstr(p, "name=\"starts_at\" value=\"")) != NULL;) {
		p += strlen("name=\"starts_at\" value=\"");
		long long v = strtoll(p, NULL, 10);
		if (v != prev && ++k == n)
			return v;
		prev = v;
	}
	return 0;
}

/* The créneaux page of RDV id from a day 4 days ahead (rescheduled RDVs
 * must stay more than 2 days ahead), following "next availability". */
static long creneaux_page(struct browser *b, const char *id)
{
	char day[16], path[160];
	test_sql("SELECT to_char(current_date + 4, 'YYYY-MM-DD')", day, sizeof(day));
	snprintf(path, sizeof(path), "/users/rdvs/%s/creneaux?date=%s", id, day);
	long st = browser_get(b, path);
	for (int i = 0; i < 6 && st == 200 && nth_slot(b, 1) == 0; i++) {
		/* next week's link is the last one before its label */
		const char *a = strstr(b->body.data, "Semaine suivante"), *href = NULL;
		for (const char *q = b->body.data; a && (q = strstr(q, "/creneaux?date=")) != NULL && q < a; q++)
			href = q;
		if (href == NULL)
			break;
		snprintf(path, sizeof(path), "/users/rdvs/%s/creneaux?date=%.10s", id, href + strlen("/creneaux?date="));
		st = browser_get(b, path);
	}
	return st;
}

static long long starts_of(const char *id)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT extract(epoch FROM starts_at)::bigint FROM rdvs WHERE id = %s", id);
	return sql_ll(sql);
}

static void test_move_and_old_slot_free(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	char id[32], path[160], form[64], sql[256];
	make_rdv("40 days", "user", "false", "unknown", id);
	snprintf(path, sizeof(path), "/users/rdvs/%s", id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Déplacer le rendez-vous"));
	CU_ASSERT_EQUAL(creneaux_page(&b, id), 200);
	CU_ASSERT(browser_body_has(&b, "Choisissez un nouveau créneau"));
	long long s1 = nth_slot(&b, 0), s2 = nth_slot(&b, 1);
	CU_ASSERT_FATAL(s1 > 0 && s2 > 0);
	snprintf(path, sizeof(path), "/users/rdvs/%s/reschedule", id);
	snprintf(form, sizeof(form), "starts_at=%lld", s1);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	CU_ASSERT_EQUAL(starts_of(id), s1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM agents_rdvs WHERE rdv_id = %s AND starts_at = to_timestamp(%lld)",
		 id, s1);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Votre rendez-vous a été déplacé"));
	/* notification and audit */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE event LIKE '%%updated' AND rdv_id = %s", id);
	CU_ASSERT(sql_ll(sql) >= 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %s AND event = 'update'", id);
	CU_ASSERT(sql_ll(sql) >= 1);
	/* again, to s2: s1 is offered again */
	snprintf(form, sizeof(form), "starts_at=%lld", s2);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	CU_ASSERT_EQUAL(starts_of(id), s2);
	CU_ASSERT_EQUAL(creneaux_page(&b, id), 200);
	snprintf(form, sizeof(form), "value=\"%lld\"", s1);
	CU_ASSERT(browser_body_has(&b, form));
	snprintf(form, sizeof(form), "value=\"%lld\"", s2);
	CU_ASSERT(!browser_body_has(&b, form));      /* its own start is not offered */
	browser_free(&b);
}

/* Every agent of the motif's plages at the lieu busy at t (other RDVs). */
static void take_slot(long long t)
{
	char sql[2048];
	snprintf(sql, sizeof(sql),
		 "DO $$ DECLARE a bigint; r bigint; BEGIN"
		 " FOR a IN SELECT DISTINCT p.agent_id FROM plages_ouverture p JOIN plage_ouverture_motifs pm"
		 "  ON pm.plage_ouverture_id = p.id WHERE pm.motif_id = (" MOTIF ") LOOP"
		 "  BEGIN"
		 "   INSERT INTO rdvs (organisation_id, motif_id, starts_at, ends_at, users_count)"
		 "    SELECT organisation_id, id, to_timestamp(%lld), to_timestamp(%lld) + interval '30 minutes', 0"
		 "    FROM motifs WHERE id = (" MOTIF ") RETURNING id INTO r;"
		 "   INSERT INTO agents_rdvs (rdv_id, agent_id) VALUES (r, a);"
		 "  EXCEPTION WHEN exclusion_violation THEN NULL;"
		 "  END;"
		 " END LOOP; END $$", t, t);
	CU_ASSERT_EQUAL(test_sql(sql, NULL, 0), 0);
}

static void test_taken_creneau(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	char id[32], path[160], form[64];
	make_rdv("45 days", "user", "false", "unknown", id);
	CU_ASSERT_EQUAL(creneaux_page(&b, id), 200);
	long long s = nth_slot(&b, 2);
	CU_ASSERT_FATAL(s > 0);
	take_slot(s);
	snprintf(path, sizeof(path), "/users/rdvs/%s/reschedule", id);
	snprintf(form, sizeof(form), "starts_at=%lld", s);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	CU_ASSERT(strstr(b.location, "/creneaux?date=") != NULL);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Ce créneau n&#39;est plus disponible"));
	CU_ASSERT(browser_body_has(&b, "Choisissez un nouveau créneau"));
	CU_ASSERT(starts_of(id) != s);
	browser_free(&b);
}

/* The page has no link, the créneaux page sends back, the POST moves nothing. */
static void assert_refused(struct browser *b, const char *id)
{
	char path[160];
	long long before = starts_of(id);
	snprintf(path, sizeof(path), "/users/rdvs/%s", id);
	CU_ASSERT_EQUAL(browser_get(b, path), 200);
	CU_ASSERT(!browser_body_has(b, "Déplacer le rendez-vous"));
	snprintf(path, sizeof(path), "/users/rdvs/%s/creneaux", id);
	CU_ASSERT_EQUAL(browser_get(b, path), 302);
	snprintf(path, sizeof(path), "/users/rdvs/%s/reschedule", id);
	char form[64];
	snprintf(form, sizeof(form), "starts_at=%lld", before + 7 * 86400);
	CU_ASSERT_EQUAL(browser_post(b, path, form, 1), 303);
	CU_ASSERT_EQUAL(browser_follow(b), 200);
	CU_ASSERT(browser_body_has(b, "ne peut pas être déplacé en ligne"));
	CU_ASSERT_EQUAL(starts_of(id), before);
}

static void test_refusals(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	char id[32];
	make_rdv("20 days", "agent", "false", "unknown", id);     /* created by an agent */
	assert_refused(&b, id);
	make_rdv("1 day", "user", "false", "unknown", id);        /* less than 2 days ahead */
	assert_refused(&b, id);
	make_rdv("20 days", "user", "true", "unknown", id);       /* collective */
	assert_refused(&b, id);
	make_rdv("20 days", "user", "false", "excused", id);      /* cancelled */
	assert_refused(&b, id);
	make_rdv("20 days", "user", "false", "unknown", id);      /* motif not editable by usagers */
	test_sql("UPDATE motifs SET rdvs_editable_by_user = false WHERE id = (" MOTIF ")", NULL, 0);
	assert_refused(&b, id);
	test_sql("UPDATE motifs SET rdvs_editable_by_user = true WHERE id = (" MOTIF ")", NULL, 0);
	char path[160];
	snprintf(path, sizeof(path), "/users/rdvs/%s", id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Déplacer le rendez-vous"));
	/* someone else's RDV: not found */
	char other[32];
	test_sql("SELECT min(r.id) FROM rdvs r JOIN participations p ON p.rdv_id = r.id JOIN users u ON u.id = p.user_id"
		 " WHERE u.email IS DISTINCT FROM '" USAGER "' AND u.responsible_id IS NULL", other, sizeof(other));
	snprintf(path, sizeof(path), "/users/rdvs/%s/creneaux", other);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "/users/rdvs/%s/reschedule", other);
	CU_ASSERT_EQUAL(browser_post(&b, path, "starts_at=2000000000", 1), 404);
	browser_free(&b);
}

static void test_link_session(void)
{
	char id[32], other[32], path[160];
	make_rdv("30 days", "user", "false", "unknown", id);
	make_rdv("31 days", "user", "false", "unknown", other);
	CU_ASSERT_EQUAL(fx_rdv_link(id, LINK_TOKEN), 0);
	struct browser b;
	browser_init(&b);
	snprintf(path, sizeof(path), "/r/%s/%s", id, LINK_TOKEN);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT_EQUAL(browser_post(&b, path, "letters=dem", 1), 303);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Déplacer le rendez-vous"));
	CU_ASSERT_EQUAL(creneaux_page(&b, id), 200);
	long long s = nth_slot(&b, 0);
	CU_ASSERT_FATAL(s > 0);
	/* another RDV of the same usager: not through this session */
	snprintf(path, sizeof(path), "/users/rdvs/%s/creneaux", other);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	char form[64];
	snprintf(form, sizeof(form), "starts_at=%lld", s);
	snprintf(path, sizeof(path), "/users/rdvs/%s/reschedule", other);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 404);
	snprintf(path, sizeof(path), "/users/rdvs/%s/reschedule", id);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	CU_ASSERT_EQUAL(starts_of(id), s);
	browser_free(&b);
}

/* ---------------------------------------------------------- API helpers */

static long api(struct browser *b, const char *method, const char *p, const char *body, int auth)
{
	/* no Content-Type without a body: an empty JSON body is malformed (400) */
	const char *auth_h = auth ? "Authorization: Bearer " TOKEN : NULL;
	const char *h[] = {body ? "Content-Type: application/json" : auth_h, body ? auth_h : NULL, NULL};
	return browser_request(b, method, p, h, body, body ? strlen(body) : 0);
}

static long long arras, lens, social, caron, usager_id;

static int api_setup(void)
{
	arras = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	social = test_agent_id("agent.social@demo.rdv-solidarites.fr");
	caron = test_agent_id("thomas.caron@demo.rdv-solidarites.fr");
	usager_id = sql_ll("SELECT id FROM users WHERE email = '" USAGER "'");
	char q[256];
	snprintf(q, sizeof(q), "INSERT INTO api_tokens (agent_id, token_hash) VALUES (%lld, sha256('%s'::bytea))",
		 test_agent_id("admin.arras@demo.rdv-solidarites.fr"), TOKEN);
	test_sql(q, NULL, 0);
	return arras && lens && social && caron && usager_id ? 0 : 1;
}

/* Follow-up motif of Arras through POST /rdvs: a non-referent agent is
 * refused (422), the referent accepted (201). */
static void test_follow_up_referent_only(void)
{
	CU_ASSERT_FATAL(api_setup() == 0);
	char q[512], start[40], body[512], path[128];
	snprintf(q, sizeof(q), "SELECT m.id FROM motifs m WHERE m.organisation_id = %lld AND m.follow_up LIMIT 1", arras);
	long long motif = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled' ORDER BY id LIMIT 1", arras);
	long long lieu = sql_ll(q);
	test_sql("SELECT to_char(((current_date + 410) + time '03:00') AT TIME ZONE 'Europe/Paris' AT TIME ZONE 'UTC',"
		 " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", start, sizeof(start));
	CU_ASSERT_FATAL(motif > 0 && lieu > 0);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/rdvs", arras);
	struct browser b;
	browser_init(&b);
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\", \"agent_ids\": [%lld],"
		 " \"user_ids\": [%lld], \"force\": true}", motif, lieu, start, caron, usager_id);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Ce motif de suivi ne peut être pris qu'avec un référent de l'usager."));
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\", \"agent_ids\": [%lld, %lld],"
		 " \"user_ids\": [%lld], \"force\": true}", motif, lieu, start, social, caron, usager_id);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 422);    /* one of two agents is not a referent */
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%s\", \"agent_ids\": [%lld],"
		 " \"user_ids\": [%lld], \"force\": true}", motif, lieu, start, social, usager_id);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 201);
	browser_free(&b);
}

static void test_referents_api(void)
{
	char path[160], body[64], q[256];
	struct browser b;
	browser_init(&b);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld/referents", arras, usager_id);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL, 0), 401);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL, 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"agents\":["));
	CU_ASSERT(browser_body_has(&b, "Benali"));
	CU_ASSERT(!browser_body_has(&b, "Caron"));
	snprintf(body, sizeof(body), "{\"agent_id\": %lld}", caron);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 0), 401);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 201);
	CU_ASSERT(browser_body_has(&b, "\"user\":{"));
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 200);     /* already a referent */
	snprintf(q, sizeof(q), "SELECT count(*) FROM referent_assignations WHERE user_id = %lld AND agent_id = %lld",
		 usager_id, caron);
	CU_ASSERT_EQUAL(sql_ll(q), 1);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL, 1), 200);
	CU_ASSERT(browser_body_has(&b, "Caron"));
	CU_ASSERT(browser_body_has(&b, "\"total\":2"));
	/* audit and webhook-ready */
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %lld AND event = 'referent_add'",
		 usager_id);
	CU_ASSERT(sql_ll(q) >= 1);
	/* an agent of another organisation cannot be a referent here */
	snprintf(body, sizeof(body), "{\"agent_id\": %lld}", test_agent_id("agent.lens@demo.rdv-solidarites.fr"));
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 422);
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"agent_id\": \"x\"}", 1), 400);
	/* removal */
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld/referents/%lld", arras, usager_id, caron);
	CU_ASSERT_EQUAL(api(&b, "DELETE", path, NULL, 0), 401);
	CU_ASSERT_EQUAL(api(&b, "DELETE", path, NULL, 1), 200);
	CU_ASSERT(browser_body_has(&b, "\"user\":{"));
	CU_ASSERT_EQUAL(api(&b, "DELETE", path, NULL, 1), 404);
	snprintf(q, sizeof(q), "SELECT count(*) FROM referent_assignations WHERE user_id = %lld AND agent_id = %lld",
		 usager_id, caron);
	CU_ASSERT_EQUAL(sql_ll(q), 0);
	/* a usager of another organisation only: 404 */
	snprintf(q, sizeof(q), "SELECT min(up.user_id) FROM user_profiles up WHERE up.organisation_id = %lld"
		 " AND NOT EXISTS (SELECT 1 FROM user_profiles x WHERE x.user_id = up.user_id AND x.organisation_id = %lld)",
		 lens, arras);
	long long stranger = sql_ll(q);
	CU_ASSERT_FATAL(stranger > 0);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld/referents", arras, stranger);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL, 1), 404);
	snprintf(body, sizeof(body), "{\"agent_id\": %lld}", caron);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body, 1), 404);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld/referents/%lld", arras, stranger, caron);
	CU_ASSERT_EQUAL(api(&b, "DELETE", path, NULL, 1), 404);
	/* an organisation where the agent has no role: 404 */
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld/referents", lens, stranger);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL, 1), 404);
	browser_free(&b);
}

void register_reschedule_http(void)
{
	CU_pSuite s = CU_add_suite("reschedule", NULL, NULL);
	CU_add_test(s, "move to a free créneau; the old one is free again", test_move_and_old_slot_free);
	CU_add_test(s, "a créneau taken meanwhile: French message, next créneaux", test_taken_creneau);
	CU_add_test(s, "refused: by agent, < 2 days, collective, cancelled, motif not editable", test_refusals);
	CU_add_test(s, "RDV-link session: its RDV only", test_link_session);
	CU_add_test(s, "follow-up motif: referents only (API)", test_follow_up_referent_only);
	CU_add_test(s, "referents API: list, add, remove, other org 404, no token 401", test_referents_api);
}
