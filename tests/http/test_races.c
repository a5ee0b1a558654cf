/*
 * test_races.c - concurrency against the running stack: 20 simultaneous API
 * creations of one agent's same slot give exactly one RDV (the exclusion
 * constraint decides, not a check-then-insert), and 10 simultaneous
 * registrations on a collective RDV with 3 free seats give exactly 3.
 * Each thread has its own curl handle (struct browser).
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define N_CREATE 20
#define N_SEATS 10

static long long org, pmi, motif, motif_coll, lieu;
static char day[16];
static const char *token = "racesTOKENracesTOKENracesTOKENracesTOK12345";

static long long sql_ll(const char *sql)
{
	char out[64];
	return test_sql(sql, out, sizeof(out)) == 0 ? strtoll(out, NULL, 10) : 0;
}

static int setup(void)
{
	char q[512];
	org = test_org_id("MDS d'Arras");
	pmi = test_agent_id(PMI);
	snprintf(q, sizeof(q), "SELECT id FROM motifs WHERE organisation_id = %lld AND name = 'Consultation PMI nourrisson'", org);
	motif = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT id FROM motifs WHERE organisation_id = %lld AND collectif LIMIT 1", org);
	motif_coll = sql_ll(q);
	snprintf(q, sizeof(q), "SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled' ORDER BY id LIMIT 1", org);
	lieu = sql_ll(q);
	test_sql("SELECT to_char(current_date + 310, 'YYYY-MM-DD')", day, sizeof(day));
	snprintf(q, sizeof(q), "INSERT INTO api_tokens (agent_id, token_hash) VALUES (%lld, sha256('%s'::bytea))", pmi, token);
	test_sql(q, NULL, 0);
	return org && pmi && motif && motif_coll && lieu ? 0 : 1;
}

struct job {
	struct browser b;
	const char *method, *path, *body;
	const char *const *headers;
	long status;
	pthread_barrier_t *start;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	pthread_barrier_wait(j->start);
	j->status = browser_request(&j->b, j->method, j->path, j->headers, j->body, strlen(j->body));
	return NULL;
}

/* Runs the jobs at once (a barrier releases them together). */
static void run_all(struct job *jobs, int n)
{
	pthread_t th[32];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		jobs[i].start = &start;
		pthread_create(&th[i], NULL, run_job, &jobs[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}

static void test_same_slot(void)
{
	static struct job jobs[N_CREATE];
	char path[128], body[512], auth[128], q[256], out[32];
	long long users[N_CREATE];
	for (int i = 0; i < N_CREATE; i++) {
		snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET %d", org, 40 + i);
		users[i] = sql_ll(q);
	}
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/rdvs", org);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *h[] = {"Content-Type: application/json", auth, NULL};
	static char bodies[N_CREATE][512];
	for (int i = 0; i < N_CREATE; i++) {
		snprintf(bodies[i], sizeof(bodies[i]), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%sT07:00:00+01:00\","
			 " \"agent_ids\": [%lld], \"user_ids\": [%lld], \"force\": false}", motif, lieu, day, pmi, users[i]);
		browser_init(&jobs[i].b);
		jobs[i].method = "POST";
		jobs[i].path = path;
		jobs[i].body = bodies[i];
		jobs[i].headers = h;
	}
	(void)body;
	run_all(jobs, N_CREATE);
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
	static char bodies[N_SEATS][160], csrf[N_SEATS][200];
	static const char *hs[N_SEATS][3];
	snprintf(path, sizeof(path), "/agent/organisations/%lld/rdvs/%lld/participants", org, id);
	for (int i = 0; i < N_SEATS; i++) {
		browser_init(&jobs[i].b);
		CU_ASSERT_EQUAL(browser_sign_in_agent(&jobs[i].b, PMI, NULL), 303);
		char page[160];
		snprintf(page, sizeof(page), "/agent/organisations/%lld/rdvs/%lld", org, id);
		browser_get(&jobs[i].b, page);
		snprintf(q, sizeof(q), "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET %d", org, 80 + i);
		snprintf(bodies[i], sizeof(bodies[i]), "user_id=%lld", sql_ll(q));
		snprintf(csrf[i], sizeof(csrf[i]), "X-CSRF-Token: %s", jobs[i].b.csrf);
		hs[i][0] = "Content-Type: application/x-www-form-urlencoded";
		hs[i][1] = csrf[i];
		hs[i][2] = NULL;
		jobs[i].method = "POST";
		jobs[i].path = path;
		jobs[i].body = bodies[i];
		jobs[i].headers = hs[i];
	}
	run_all(jobs, N_SEATS);
	for (int i = 0; i < N_SEATS; i++) {
		CU_ASSERT_EQUAL(jobs[i].status, 303);
		browser_free(&jobs[i].b);
	}
	snprintf(q, sizeof(q), "SELECT users_count || '/' || (SELECT count(*) FROM participations WHERE rdv_id = %lld)"
		 " FROM rdvs WHERE id = %lld", id, id);
	test_sql(q, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "3/3");
}

void register_races_http(void)
{
	CU_pSuite s = CU_add_suite("races", setup, NULL);
	CU_add_test(s, "20 creations of one slot: one RDV", test_same_slot);
	CU_add_test(s, "10 registrations for 3 seats: three", test_seats);
}
