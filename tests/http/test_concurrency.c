/*
 * test_concurrency.c - the races test_races.c and test_public.c leave out:
 *   - two RDVs moved at once into the same slot of one agent: one move wins,
 *     the other gets 409 (a move is a second way to double-book);
 *   - cancel and move of one RDV at once, ten rounds: whatever the order, the
 *     RDV ends in one consistent state (its agents_rdvs rows follow its times
 *     and status, nothing lost or duplicated).
 * Requests go through the JSON API (Bearer token of the PMI agent); a
 * barrier releases the threads together (parallel.h).
 */
#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "parallel.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define TOKEN "concurrencyTOKENconcurrencyTOKENconcurr1234"   /* 43 chars */
#define ROUNDS 10

static long long org, pmi, motif, lieu, usager, usager2;
static char day[16], auth[128];

static int setup(void)
{
	org = test_org_id("MDS d'Arras");
	pmi = test_agent_id(PMI);
	motif = fx_ll("SELECT id FROM motifs WHERE organisation_id = %lld AND name = 'Consultation PMI nourrisson'", org);
	lieu = fx_ll("SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled' ORDER BY id LIMIT 1", org);
	usager = fx_ll("SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET 120", org);
	usager2 = fx_ll("SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET 121", org);
	test_sql("SELECT to_char(current_date + 320, 'YYYY-MM-DD')", day, sizeof(day));
	/* an opening of the agent all that day: the only warning a move can meet is the overlap */
	fx_ll("WITH p AS (INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day,"
	      " start_time, end_time) VALUES (%lld, %lld, %lld, 'concurrency', '%s', '05:00', '21:00') RETURNING id)"
	      " INSERT INTO plage_ouverture_motifs SELECT id, %lld FROM p", org, pmi, lieu, day, motif);
	fx_ll("INSERT INTO api_tokens (agent_id, token_hash, name) VALUES (%lld, sha256('" TOKEN "'::bytea),"
	      " 'concurrency') ON CONFLICT (token_hash) DO NOTHING", pmi);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", TOKEN);
	return org && pmi && motif && lieu && usager && usager2 ? 0 : 1;
}

static int teardown(void)
{
	test_sql("DELETE FROM api_tokens WHERE name = 'concurrency'", NULL, 0);
	test_sql("DELETE FROM plages_ouverture WHERE title = 'concurrency'", NULL, 0);
	return 0;
}

/* The JSON API headers of every job. */
static const char *const api_headers[] = {"Content-Type: application/json", auth, NULL};

/* An RDV of the PMI agent at hh:mm on the test day; its id or 0. */
static long long create_rdv(int hh, int mm, long long who)
{
	struct browser b;
	browser_init(&b);
	char path[128], body[512];
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/rdvs", org);
	snprintf(body, sizeof(body), "{\"motif_id\": %lld, \"lieu_id\": %lld, \"starts_at\": \"%sT%02d:%02d:00+01:00\","
		 " \"agent_ids\": [%lld], \"user_ids\": [%lld], \"force\": true}", motif, lieu, day, hh, mm, pmi, who);
	const char *h[] = {"Content-Type: application/json", auth, NULL};
	long st = browser_request(&b, "POST", path, h, body, strlen(body));
	const char *p = st == 201 && b.body.data ? strstr(b.body.data, "\"id\":") : NULL;
	long long id = p ? strtoll(p + 5, NULL, 10) : 0;
	browser_free(&b);
	return id;
}

static void move_job(struct job *j, long long id, int hh, int mm)
{
	browser_init(&j->b);
	j->method = "PATCH";
	j->headers = api_headers;
	snprintf(j->path, sizeof(j->path), "/api/v1/organisations/%lld/rdvs/%lld", org, id);
	snprintf(j->body, sizeof(j->body), "{\"starts_at\": \"%sT%02d:%02d:00+01:00\"}", day, hh, mm);
}

static void test_two_moves_into_one_slot(void)
{
	for (int round = 0; round < 5; round++) {
		/* two usagers: one usager twice the same day is a warning of its own */
		long long a = create_rdv(6, round * 10, usager), b = create_rdv(18, round * 10, usager2);
		CU_ASSERT_FATAL(a > 0 && b > 0);
		struct job jobs[2];
		/* both into 12:0x — the same 30 minutes of the same agent */
		move_job(&jobs[0], a, 12, round);
		move_job(&jobs[1], b, 12, round);
		parallel_run(jobs, 2);
		int ok = 0, conflict = 0;
		for (int i = 0; i < 2; i++) {
			ok += jobs[i].status == 200;
			conflict += jobs[i].status == 409;
			if (jobs[i].status != 200 && round == 0)
				fprintf(stderr, "\n  move: %ld %.300s", jobs[i].status, jobs[i].b.body.data ? jobs[i].b.body.data : "");
			browser_free(&jobs[i].b);
		}
		CU_ASSERT_EQUAL(ok, 1);
		CU_ASSERT_EQUAL(conflict, 1);
		if (ok != 1 || conflict != 1)
			fprintf(stderr, "\n  moves: %ld %ld", jobs[0].status, jobs[1].status);
		/* never two active RDVs of the agent overlapping */
		CU_ASSERT_EQUAL(fx_ll("SELECT count(*) FROM agents_rdvs x JOIN agents_rdvs y ON x.agent_id = y.agent_id"
				      " AND x.rdv_id < y.rdv_id AND tstzrange(x.starts_at, x.ends_at) && tstzrange(y.starts_at, y.ends_at)"
				      " WHERE x.agent_id = %lld AND x.active AND y.active AND NOT x.overlap_override"
				      " AND NOT y.overlap_override AND x.rdv_id IN (%lld, %lld) AND y.rdv_id IN (%lld, %lld)",
				      pmi, a, b, a, b), 0);
		fx_ll("DELETE FROM rdvs WHERE id IN (%lld, %lld)", a, b);
	}
}

static void test_cancel_and_move_together(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		long long id = create_rdv(8, round * 5, usager);
		CU_ASSERT_FATAL(id > 0);
		struct job jobs[2];
		browser_init(&jobs[0].b);
		jobs[0].method = "POST";
		jobs[0].headers = api_headers;
		snprintf(jobs[0].path, sizeof(jobs[0].path), "/api/v1/organisations/%lld/rdvs/%lld/cancel", org, id);
		snprintf(jobs[0].body, sizeof(jobs[0].body), "{\"by\": \"user\"}");
		move_job(&jobs[1], id, 15, round * 5);
		parallel_run(jobs, 2);
		/* each request either applied (2xx) or was refused cleanly */
		for (int i = 0; i < 2; i++) {
			CU_ASSERT(jobs[i].status == 200 || jobs[i].status == 409 || jobs[i].status == 422);
			if (!(jobs[i].status == 200 || jobs[i].status == 409 || jobs[i].status == 422))
				fprintf(stderr, "\n  %s %s: %ld %.200s", jobs[i].method, jobs[i].path, jobs[i].status,
					jobs[i].b.body.data ? jobs[i].b.body.data : "");
			browser_free(&jobs[i].b);
		}
		CU_ASSERT(jobs[0].status == 200);   /* cancelling is always allowed */
		/* one RDV, its agent rows in step with it, cancelled */
		CU_ASSERT_EQUAL(fx_ll("SELECT count(*) FROM rdvs WHERE id = %lld", id), 1);
		CU_ASSERT_EQUAL(fx_ll("SELECT count(*) FROM agents_rdvs x JOIN rdvs r ON r.id = x.rdv_id WHERE r.id = %lld"
				      " AND (x.starts_at <> r.starts_at OR x.ends_at <> r.ends_at"
				      "  OR x.active <> (r.status IN ('unknown', 'seen', 'noshow')))", id), 0);
		CU_ASSERT_EQUAL(fx_ll("SELECT count(*) FROM agents_rdvs WHERE rdv_id = %lld", id), 1);
		CU_ASSERT_EQUAL(fx_ll("SELECT (status = 'excused')::int FROM rdvs WHERE id = %lld", id), 1);
		fx_ll("DELETE FROM rdvs WHERE id = %lld", id);
	}
}

void register_concurrency_http(void)
{
	CU_pSuite s = CU_add_suite("concurrency", setup, teardown);
	CU_add_test(s, "two RDVs moved into one slot at once: one move wins", test_two_moves_into_one_slot);
	CU_add_test(s, "cancel and move of one RDV at once: one consistent end", test_cancel_and_move_together);
}
