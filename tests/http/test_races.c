/*
 * test_races.c - concurrency against the running stack: 20 simultaneous API
 * creations of one agent's same slot give exactly one RDV (the exclusion
 * constraint decides, not a check-then-insert), and 10 simultaneous
 * registrations on a collective RDV with 3 free seats give exactly 3.
 * Citizen and invitation side: 8 citizens taking the last seat of a public
 * workshop at once get one seat between them (never over the maximum), and
 * one invitation link posted by 8 tabs at once is accepted once, the others
 * told in French that the link is no longer valid.
 * Each thread has its own curl handle (parallel.h).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "parallel.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define N_CREATE 20
#define N_SEATS 10
#define N_CITIZENS 8
#define N_TABS 8

static long long org, pmi, motif, motif_coll, lieu;
static char day[16];
static const char *token = "racesTOKENracesTOKENracesTOKENracesTOK12345";

static int setup(void)
{
	char q[512];
	org = test_org_id("MDS d'Arras");
	pmi = test_agent_id(PMI);
	motif = fx_ll("SELECT id FROM motifs WHERE organisation_id = %lld AND name = 'Consultation PMI nourrisson'", org);
	motif_coll = fx_ll("SELECT id FROM motifs WHERE organisation_id = %lld AND collectif LIMIT 1", org);
	lieu = fx_ll("SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled' ORDER BY id LIMIT 1", org);
	test_sql("SELECT to_char(current_date + 310, 'YYYY-MM-DD')", day, sizeof(day));
	snprintf(q, sizeof(q), "INSERT INTO api_tokens (agent_id, token_hash) VALUES (%lld, sha256('%s'::bytea))", pmi, token);
	test_sql(q, NULL, 0);
	return org && pmi && motif && motif_coll && lieu ? 0 : 1;
}

static void test_same_slot(void)
{
	static struct job jobs[N_CREATE];
	char auth[128], q[256], out[32];
	long long users[N_CREATE];
	for (int i = 0; i < N_CREATE; i++) {
		users[i] = fx_ll("SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET %d", org, 40 + i);
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *h[] = {"Content-Type: application/json", auth, NULL};
	for (int i = 0; i < N_CREATE; i++) {
		snprintf(jobs[i].path, sizeof(jobs[i].path), "/api/v1/organisations/%lld/rdvs", org);
		snprintf(jobs[i].body, sizeof(jobs[i].body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%sT07:00:00+01:00\","
			 " \"agent_ids\": [%lld], \"user_ids\": [%lld], \"force\": false}", motif, lieu, day, pmi, users[i]);
		browser_init(&jobs[i].b);
		jobs[i].method = "POST";
		jobs[i].headers = h;
	}
	parallel_run(jobs, N_CREATE);
	int created = 0, conflicts = 0;
	for (int i = 0; i < N_CREATE; i++) {
		created += jobs[i].status == 201;
		conflicts += jobs[i].status == 409;
		browser_free(&jobs[i].b);
	}
	CU_ASSERT_EQUAL(created, 1);
	CU_ASSERT_EQUAL(conflicts, N_CREATE - 1);
	snprintf(q, sizeof(q), "SELECT count(*) FROM rdvs r JOIN agents_rdvs x ON x.rdv_id = r.id WHERE x.agent_id = %lld"
		 " AND r.starts_at = '%s 07:00:00+01'", pmi, day);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1");
}

static void test_seats(void)
{
	/* a collective RDV with 3 seats */
	char q[512], out[32], auth[128], path[160], body[512];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *h[] = {"Content-Type: application/json", auth, NULL};
	struct browser b;
	browser_init(&b);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/rdvs", org);
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%sT05:00:00+01:00\","
		 " \"agent_ids\": [%lld], \"user_ids\": [], \"name\": \"Course\", \"max_participants_count\": 3}",
		 motif_coll, lieu, day, pmi);
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path, h, body, strlen(body)), 201);
	const char *p = b.body.data ? strstr(b.body.data, "\"id\":") : NULL;
	long long id = p ? strtoll(p + 5, NULL, 10) : 0;
	browser_free(&b);
	CU_ASSERT_FATAL(id > 0);
	static struct job jobs[N_SEATS];
	for (int i = 0; i < N_SEATS; i++) {
		browser_init(&jobs[i].b);
		CU_ASSERT_EQUAL(browser_sign_in_agent(&jobs[i].b, PMI, NULL), 303);
		char page[160];
		snprintf(page, sizeof(page), "/agent/organisations/%lld/rdvs/%lld", org, id);
		browser_get(&jobs[i].b, page);
		long long user = fx_ll("SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id"
				       " LIMIT 1 OFFSET %d", org, 80 + i);
		snprintf(jobs[i].body, sizeof(jobs[i].body), "user_id=%lld", user);
		snprintf(jobs[i].path, sizeof(jobs[i].path), "/agent/organisations/%lld/rdvs/%lld/participants", org, id);
		jobs[i].headers = NULL;   /* a form with the session's CSRF token */
	}
	parallel_run(jobs, N_SEATS);
	for (int i = 0; i < N_SEATS; i++) {
		CU_ASSERT_EQUAL(jobs[i].status, 303);
		browser_free(&jobs[i].b);
	}
	snprintf(q, sizeof(q), "SELECT users_count || '/' || (SELECT count(*) FROM participations WHERE rdv_id = %lld)"
		 " FROM rdvs WHERE id = %lld", id, id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "3/3");
}

/* N_CITIZENS confirmed citizens with the demo password, signed in, each in
 * its own job (ready to POST a booking form). */
static void citizens(struct job *jobs)
{
	char email[64];
	for (int i = 0; i < N_CITIZENS; i++) {
		snprintf(email, sizeof(email), "course.place%d@exemple.fr", i);
		CU_ASSERT(test_citizen(email) > 0);
		browser_init(&jobs[i].b);
		CU_ASSERT_EQUAL(browser_sign_in_user(&jobs[i].b, email, NULL), 303);
	}
}

static void test_last_public_seat(void)
{
	/* a public workshop (bookable by everyone, sectorised to the MDS d'Arras)
	 * with 2 seats, one taken */
	char q[512], out[32], auth[128], path[160], body[512];
	long long massage = test_sql_ll("SELECT id FROM motifs WHERE name = 'Atelier collectif massage bébé'"
					" AND organisation_id = (SELECT id FROM organisations WHERE name = 'MDS d''Arras')");
	long long first = fx_ll("SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET 95", org);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *h[] = {"Content-Type: application/json", auth, NULL};
	struct browser b;
	browser_init(&b);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/rdvs", org);
	/* online booking reaches 3 months ahead (the motif's maximum delay) */
	char seat_day[16];
	test_sql("SELECT to_char(current_date + 83, 'YYYY-MM-DD')", seat_day, sizeof(seat_day));
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%sT06:00:00+01:00\","
		 " \"agent_ids\": [%lld], \"user_ids\": [%lld], \"name\": \"Dernière place\", \"max_participants_count\": 2}",
		 massage, lieu, seat_day, pmi, first);
	CU_ASSERT_EQUAL(browser_request(&b, "POST", path, h, body, strlen(body)), 201);
	const char *p = b.body.data ? strstr(b.body.data, "\"id\":") : NULL;
	long long id = p ? strtoll(p + 5, NULL, 10) : 0;
	browser_free(&b);
	CU_ASSERT_FATAL(massage > 0 && id > 0);
	static struct job jobs[N_CITIZENS];
	citizens(jobs);
	for (int i = 0; i < N_CITIZENS; i++) {
		snprintf(jobs[i].path, sizeof(jobs[i].path), "/reservation");
		snprintf(jobs[i].body, sizeof(jobs[i].body), "rdv_id=%lld&city_code=62041&street_ban_id=62041_0420", id);
		jobs[i].headers = NULL;
	}
	parallel_run(jobs, N_CITIZENS);
	int won = 0, gone = 0;
	for (int i = 0; i < N_CITIZENS; i++) {
		won += jobs[i].status == 303 && strncmp(jobs[i].b.location, "/users/rdvs/", 12) == 0;
		gone += jobs[i].status == 303 && strncmp(jobs[i].b.location, "/prendre_rdv?", 13) == 0;
		if (jobs[i].status != 303)
			fprintf(stderr, "\n  seat: %ld %.200s", jobs[i].status, jobs[i].b.body.data ? jobs[i].b.body.data : "");
		browser_free(&jobs[i].b);
	}
	CU_ASSERT_EQUAL(won, 1);
	CU_ASSERT_EQUAL(gone, N_CITIZENS - 1);
	snprintf(q, sizeof(q), "SELECT users_count || '/' || (SELECT count(*) FROM participations WHERE rdv_id = %lld"
		 " AND status <> 'excused') || '/' || max_participants_count FROM rdvs WHERE id = %lld", id, id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2/2/2");
	/* the one seat taken counts toward its account's booking limit */
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM login_attempts a JOIN users u ON a.login = 'user:' || u.id"
				    " WHERE a.kind = 'booking' AND u.email LIKE 'course.place%@exemple.fr'"), 1);
}

#define INVITE_TOKEN "courseINVITATIONcourseINVITATIONcourse12345"   /* 43 chars */
#define LINK_GONE "n&#39;est plus valable"

static void test_invitation_accepted_once(void)
{
	/* an invited agent of the MDS d'Arras, link mailed a minute ago */
	char q[512];
	long long agent = test_sql_ll("INSERT INTO agents (email, first_name, last_name, invitation_token_hash, invitation_sent_at)"
				      " VALUES ('course.invitation@exemple.fr', 'Course', 'Invitation', sha256('" INVITE_TOKEN "'::bytea),"
				 " now() - interval '1 minute') RETURNING id");
	CU_ASSERT_FATAL(agent > 0);
	snprintf(q, sizeof(q), "INSERT INTO agent_roles (agent_id, organisation_id) VALUES (%lld, %lld)", agent, org);
	test_sql(q, NULL, 0);
	static struct job jobs[N_TABS];
	for (int i = 0; i < N_TABS; i++) {
		browser_init(&jobs[i].b);
		CU_ASSERT_EQUAL(browser_get(&jobs[i].b, "/agent/invitation?token=" INVITE_TOKEN), 200);
		snprintf(jobs[i].path, sizeof(jobs[i].path), "/agent/invitation");
		snprintf(jobs[i].body, sizeof(jobs[i].body), "token=" INVITE_TOKEN
			 "&password=Onglet-numero-%d-2026&password_confirmation=Onglet-numero-%d-2026", i, i);
		jobs[i].headers = NULL;
	}
	parallel_run(jobs, N_TABS);
	int accepted = 0, refused = 0, winner = -1;
	for (int i = 0; i < N_TABS; i++) {
		if (jobs[i].status == 303 && strncmp(jobs[i].b.location, "/agent/sign_in", 14) == 0) {
			accepted++;
			winner = i;
		}
		refused += jobs[i].status == 404 && browser_body_has(&jobs[i].b, LINK_GONE);
		browser_free(&jobs[i].b);
	}
	CU_ASSERT_EQUAL(accepted, 1);
	CU_ASSERT_EQUAL(refused, N_TABS - 1);
	/* one agent, one role, one acceptance in the journal, the winner's password */
	snprintf(q, sizeof(q), "SELECT (SELECT count(*) FROM agents WHERE email = 'course.invitation@exemple.fr')"
		 " + (SELECT count(*) FROM agent_roles WHERE agent_id = %lld)"
		 " + (SELECT count(*) FROM audit WHERE item_type = 'agent' AND item_id = %lld AND event = 'invitation_accepted')",
		 agent, agent);
	CU_ASSERT_EQUAL(test_sql_ll(q), 3);
	char pw[32];
	snprintf(pw, sizeof(pw), "Onglet-numero-%d-2026", winner);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "course.invitation@exemple.fr", pw), 303);
	browser_free(&b);
}

void register_races_http(void)
{
	CU_pSuite s = CU_add_suite("races", setup, NULL);
	CU_add_test(s, "20 creations of one slot: one RDV", test_same_slot);
	CU_add_test(s, "10 registrations for 3 seats: three", test_seats);
	CU_add_test(s, "8 citizens for the last public seat: one", test_last_public_seat);
	CU_add_test(s, "one invitation link posted by 8 tabs: accepted once", test_invitation_accepted_once);
}
