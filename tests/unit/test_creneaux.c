/*
 * test_creneaux.c - lib/creneaux against the demo data (DATABASE_URL; the
 * suite is skipped when it is unset): a créneau never overlaps an active RDV
 * or an absence of its agent, public delays and bookable_by apply, collective
 * seats, creneaux_next agrees with creneaux_search; the cache of the
 * engine's inputs (lib/creneaux_cache) only serves its own key, version and
 * window, and a search served from it equals a fresh one.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "creneaux.h"
#include "creneaux_cache.h"
#include "occurrences.h"
#include "rdv.h"

static struct db *DB;
static struct arena *A;
static long long NOW;

static int suite_init(void)
{
	A = arena_new(1 << 20);
	NOW = (long long)time(NULL);
	const char *url = getenv("DATABASE_URL");
	if (url != NULL)
		DB = db_open(url, "unit-creneaux");
	return A == NULL;
}

static int suite_clean(void)
{
	if (DB)
		db_close(DB);
	arena_free(A);
	return 0;
}

/* Id of a demo motif by organisation and name, 0 when absent. */
static long long motif_id(const char *org, const char *name)
{
	char *v = db_s(DB, A, "SELECT m.id FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
			      " WHERE o.name = $1 AND m.name = $2", org, name);
	return v ? strtoll(v, NULL, 10) : 0;
}

#define NEED_DB() do { if (DB == NULL || db_ensure(DB) != 0) { fprintf(stderr, "(no DATABASE_URL: skipped) "); return; } } while (0)
#define ARRAS "MDS d'Arras"

/* 1 when [s, e) of agent overlaps an active RDV or an absence occurrence. */
static int busy_overlap(long long agent, long long s, long long e)
{
	char *v = db_s(DB, A, "SELECT count(*) FROM agents_rdvs WHERE active AND agent_id = $1"
			      " AND starts_at < to_timestamp($3::float8) AND ends_at > to_timestamp($2::float8)",
		       db_int(A, agent), db_int(A, s), db_int(A, e));
	if (v == NULL || strcmp(v, "0") != 0)
		return 1;
	struct occ_row *rows;
	size_t n;
	struct occ *o;
	size_t no;
	if (occurrences_load(DB, A, &agent, 1, 0, s - 86400, e + 86400, &rows, &n) != 0)
		return 1;
	if (occurrences_expand(A, rows, n, s, e, &o, &no) != 0)
		return 1;
	for (size_t i = 0; i < no; i++)
		if (o[i].row->kind == OCC_ABSENCE)
			return 1;
	return 0;
}

static void test_never_overlaps_busy(void)
{
	NEED_DB();
	long long ids[] = {motif_id(ARRAS, "Consultation PMI nourrisson"), motif_id(ARRAS, "Premier rendez-vous assistante sociale"),
			   motif_id("MDS de Lens", "Consultation PMI nourrisson")};
	size_t total = 0;
	for (size_t m = 0; m < 3; m++) {
		CU_ASSERT_FATAL(ids[m] > 0);
		/* from 8 weeks back: past slots are never given, RDVs of the next weeks are tested */
		struct creneaux_query q = {.motif_id = ids[m], .from = NOW - 7 * 86400, .to = NOW + 28 * 86400, .now = NOW};
		struct slot *s;
		size_t n;
		CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &s, &n), 0);
		total += n;
		for (size_t i = 0; i < n; i++) {
			CU_ASSERT(s[i].start >= NOW);
			CU_ASSERT(s[i].agent_id > 0);
			if (busy_overlap(s[i].agent_id, s[i].start, s[i].end)) {
				CU_FAIL("a créneau overlaps an RDV or an absence");
				break;
			}
			if (i > 0)
				CU_ASSERT(s[i - 1].start <= s[i].start);
		}
	}
	CU_ASSERT(total > 20);
}

static void test_public_delays_and_bookable_by(void)
{
	NEED_DB();
	long long tel = motif_id(ARRAS, "Entretien téléphonique assistante sociale");   /* min delay 48 h */
	struct creneaux_query q = {.motif_id = tel, .from = NOW, .to = NOW + 21 * 86400, .now = NOW, .public_side = 1};
	struct slot *s;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &s, &n), 0);
	CU_ASSERT(n > 0);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(s[i].start >= NOW + 172800);
	/* the agent side sees at least as much */
	struct slot *s2;
	size_t n2;
	q.public_side = 0;
	CU_ASSERT_EQUAL(creneaux_search(DB, A, &q, &s2, &n2), 0);
	CU_ASSERT(n2 >= n);
	/* beyond the max delay (~3 months): nothing on the public side */
	q = (struct creneaux_query){.motif_id = tel, .from = NOW + 100 * 86400, .to = NOW + 110 * 86400, .now = NOW,
				    .public_side = 1};
	CU_ASSERT_EQUAL(creneaux_search(DB, A, &q, &s, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	/* a motif only agents book: not found publicly, fine for agents */
	q = (struct creneaux_query){.motif_id = motif_id(ARRAS, "Suivi assistante sociale"), .from = NOW,
				    .to = NOW + 14 * 86400, .now = NOW, .public_side = 1};
	CU_ASSERT_EQUAL(creneaux_search(DB, A, &q, &s, &n), RDV_ENOTFOUND);
	q.public_side = 0;
	CU_ASSERT_EQUAL(creneaux_search(DB, A, &q, &s, &n), 0);
	q.motif_id = 999999999;
	CU_ASSERT_EQUAL(creneaux_search(DB, A, &q, &s, &n), RDV_ENOTFOUND);
}

static void test_collective_seats(void)
{
	NEED_DB();
	long long massage = motif_id(ARRAS, "Atelier collectif massage bébé");
	struct creneaux_query q = {.motif_id = massage, .from = NOW, .to = NOW + 60 * 86400, .now = NOW, .public_side = 1};
	struct slot_collective *c;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(creneaux_collective(DB, A, &q, &c, &n), 0);
	CU_ASSERT(n >= 1);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT(c[i].seats_left > 0 || c[i].seats_left == -1);
		CU_ASSERT(c[i].start > NOW);
		char *st = db_s(DB, A, "SELECT status FROM rdvs WHERE id = $1", db_int(A, c[i].rdv_id));
		CU_ASSERT(st && strcmp(st, "revoked") != 0);
	}
	struct slot *s;
	size_t ns;
	CU_ASSERT_EQUAL(creneaux_search(DB, A, &q, &s, &ns), 0);
	CU_ASSERT_EQUAL(ns, n);
	/* a full atelier never shows: fill the first one and look again */
	if (n > 0) {
		const char *id = db_int(A, c[0].rdv_id);
		char *old = db_s(DB, A, "SELECT coalesce(max_participants_count, 0) FROM rdvs WHERE id = $1", id);
		db_x(DB, "UPDATE rdvs SET max_participants_count = users_count WHERE id = $1 AND users_count > 0", id);
		struct slot_collective *c2;
		size_t n2;
		CU_ASSERT_EQUAL(creneaux_collective(DB, A, &q, &c2, &n2), 0);
		for (size_t i = 0; i < n2; i++)
			CU_ASSERT(c2[i].rdv_id != c[0].rdv_id);
		db_x(DB, "UPDATE rdvs SET max_participants_count = nullif($2::int, 0) WHERE id = $1", id, old);
	}
}

static void test_next_matches_search(void)
{
	NEED_DB();
	long long m = motif_id(ARRAS, "Consultation PMI nourrisson");
	struct creneaux_query q = {.motif_id = m, .from = NOW, .to = NOW + 42 * 86400, .now = NOW, .public_side = 1};
	struct slot *s, first;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &s, &n), 0);
	int found = creneaux_next(DB, A, &q, &first);
	CU_ASSERT_EQUAL(found, n > 0);
	if (found == 1 && n > 0) {
		CU_ASSERT_EQUAL(first.start, s[0].start);
		CU_ASSERT_EQUAL(first.lieu_id, s[0].lieu_id);
	}
	/* restricted to one lieu and one agent: a subset */
	if (n > 0) {
		long long agent = s[0].agent_id;
		struct creneaux_query q1 = q;
		q1.lieu_id = s[0].lieu_id;
		q1.agent_ids = &agent;
		q1.n_agents = 1;
		struct slot *s1;
		size_t n1;
		CU_ASSERT_EQUAL(creneaux_search(DB, A, &q1, &s1, &n1), 0);
		CU_ASSERT(n1 >= 1 && n1 <= n);
		for (size_t i = 0; i < n1; i++)
			CU_ASSERT(s1[i].agent_id == agent && s1[i].lieu_id == q1.lieu_id);
	}
}

/* Without a database: what an entry may be served for. */
static void test_cache_rules(void)
{
	crc_clear();
	long long agents[2] = {7, 8};
	struct crc_key k = {.motif_id = 1, .lieu_id = 0, .agent_ids = agents, .n_agents = 2, .public_side = 1};
	struct slot_occurrence occ[1] = {{1000, 2000, 7, 3}};
	struct slot_busy busy[1] = {{1200, 1300, 7}};
	struct crc_data d = {.motif = {30, 0, 60, 3600}, .lo = 100, .hi = 5000, .occ = occ, .n_occ = 1,
			     .busy = busy, .n_busy = 1};
	crc_put(&k, 5, &d);
	struct crc_data got;
	CU_ASSERT_EQUAL(crc_get(A, &k, 5, 100, 5000, &got), 1);
	CU_ASSERT(got.n_occ == 1 && got.occ[0].start == 1000 && got.occ != occ);   /* a copy in the arena */
	CU_ASSERT(got.n_busy == 1 && got.busy[0].end == 1300);
	CU_ASSERT(got.motif.duration == 30 && got.motif.max_delay == 3600);   /* the motif comes with it */
	CU_ASSERT_EQUAL(crc_get(A, &k, 5, 200, 4000, &got), 1);   /* a window inside */
	CU_ASSERT_EQUAL(crc_get(A, &k, 5, 50, 4000, &got), 0);    /* starts before */
	CU_ASSERT_EQUAL(crc_get(A, &k, 5, 200, 6000, &got), 0);   /* ends after */
	CU_ASSERT_EQUAL(crc_get(A, &k, 6, 200, 4000, &got), 0);   /* the schedule changed */
	CU_ASSERT_EQUAL(crc_get(A, &k, 0, 200, 4000, &got), 0);   /* no version: no cache */
	struct crc_key other = k;
	other.n_agents = 1;
	CU_ASSERT_EQUAL(crc_get(A, &other, 5, 200, 4000, &got), 0);
	other = k;
	other.public_side = 0;
	CU_ASSERT_EQUAL(crc_get(A, &other, 5, 200, 4000, &got), 0);
	other = k;
	other.lieu_id = 3;
	CU_ASSERT_EQUAL(crc_get(A, &other, 5, 200, 4000, &got), 0);
	/* a newer version replaces the key's entry */
	crc_put(&k, 6, &d);
	CU_ASSERT_EQUAL(crc_get(A, &k, 5, 200, 4000, &got), 0);
	CU_ASSERT_EQUAL(crc_get(A, &k, 6, 200, 4000, &got), 1);
	/* more keys than entries: the least recently used goes, the cache stays bounded */
	for (long long i = 100; i < 100 + 2 * CRC_ENTRIES; i++) {
		struct crc_key ki = {.motif_id = i};
		crc_put(&ki, 6, &d);
	}
	struct crc_key last = {.motif_id = 99 + 2 * CRC_ENTRIES};
	CU_ASSERT_EQUAL(crc_get(A, &last, 6, 200, 4000, &got), 1);
	CU_ASSERT_EQUAL(crc_get(A, &k, 6, 200, 4000, &got), 0);
	crc_clear();
	CU_ASSERT_EQUAL(crc_get(A, &last, 6, 200, 4000, &got), 0);
}

/* Without a database: a computed result is served only for its own key,
 * binôme flag, window, second and version; bounded like the inputs. */
static void test_result_cache_rules(void)
{
	crc_clear();
	long long agents[2] = {7, 8};
	struct crc_result_key k = {.key = {.motif_id = 1, .agent_ids = agents, .n_agents = 2, .public_side = 1},
				   .binome = 0, .from = 1000, .to = 90000, .now = 500};
	struct slot s[2] = {{1800, 3600, 7, 3}, {3600, 5400, 8, 3}};
	crc_result_put(&k, 5, s, 2);
	struct slot *got;
	size_t n;
	CU_ASSERT_EQUAL(crc_result_get(A, &k, 5, &got, &n), 1);
	CU_ASSERT(n == 2 && got != s && memcmp(got, s, sizeof(s)) == 0);   /* a copy in the arena */
	CU_ASSERT_EQUAL(crc_result_get(A, &k, 6, &got, &n), 0);   /* the schedule changed */
	CU_ASSERT_EQUAL(crc_result_get(A, &k, 0, &got, &n), 0);   /* no version: no cache */
	struct crc_result_key o = k;
	o.now = 501;                                               /* another second */
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	o = k;
	o.to = 80000;                                              /* another window */
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	o = k;
	o.from = 1001;
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	o = k;
	o.binome = 1;
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	o = k;
	o.key.n_agents = 1;
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	o = k;
	o.key.public_side = 0;
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	/* the next second replaces the same search's entry; an empty result is kept too */
	o = k;
	o.now = 501;
	crc_result_put(&o, 5, s, 0);
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 1);
	CU_ASSERT(n == 0 && got == NULL);
	CU_ASSERT_EQUAL(crc_result_get(A, &k, 5, &got, &n), 0);
	/* more searches than entries: the least recently used goes */
	for (long long i = 0; i < 2 * CRC_RESULTS; i++) {
		struct crc_result_key ki = {.key = {.motif_id = 100 + i}, .now = 500};
		crc_result_put(&ki, 5, s, 2);
	}
	struct crc_result_key last = {.key = {.motif_id = 99 + 2 * CRC_RESULTS}, .now = 500};
	CU_ASSERT_EQUAL(crc_result_get(A, &last, 5, &got, &n), 1);
	CU_ASSERT_EQUAL(crc_result_get(A, &o, 5, &got, &n), 0);
	/* too big: not kept */
	size_t big = CRC_RESULT_MAX_BYTES / sizeof(struct slot) + 1;
	struct slot *many = calloc(big, sizeof(*many));
	CU_ASSERT_PTR_NOT_NULL_FATAL(many);
	crc_result_put(&k, 7, many, big);
	CU_ASSERT_EQUAL(crc_result_get(A, &k, 7, &got, &n), 0);
	free(many);
	crc_clear();
	CU_ASSERT_EQUAL(crc_result_get(A, &last, 5, &got, &n), 0);
}

/* A search served from the cache gives exactly what a fresh load gives. */
static void test_cached_equals_fresh(void)
{
	if (!DB)
		return;
	long long m = motif_id("MDS d'Arras", "Consultation PMI nourrisson");
	CU_ASSERT_FATAL(m > 0);
	struct creneaux_query q = {.motif_id = m, .from = NOW, .to = NOW + 28 * 86400LL, .now = NOW, .public_side = 1};
	struct slot *fresh, *cached;
	size_t nf, nc;
	crc_clear();
	CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &fresh, &nf), 0);
	CU_ASSERT(nf > 0);
	for (int pass = 0; pass < 2; pass++) {
		/* pass 1: "now" a minute later, the window shrunk by a day (still inside) */
		if (pass == 1) {
			q.now += 60;
			q.to -= 86400;
			crc_clear();
			CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &fresh, &nf), 0);
			crc_clear();
			struct creneaux_query wide = q;
			wide.to += 86400;
			wide.now -= 60;
			CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &wide, &cached, &nc), 0);
		}
		CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &cached, &nc), 0);
		CU_ASSERT_EQUAL(nc, nf);
		CU_ASSERT(nc == nf && memcmp(cached, fresh, nf * sizeof(*fresh)) == 0);
	}
	crc_clear();
}

/* Migration 0019: what moves the schedule version, and what does not. */
static void test_schedule_version(void)
{
	if (!DB)
		return;
	const char *v = "SELECT version::text FROM schedule_version";
	char *v0 = db_s(DB, A, v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v0);
	/* a sign-in touches agents, not what the engine reads */
	CU_ASSERT_EQUAL(db_x(DB, "UPDATE agents SET last_sign_in_at = now() WHERE id = (SELECT min(id) FROM agents)"), 0);
	char *v1 = db_s(DB, A, v);
	CU_ASSERT_STRING_EQUAL(v1, v0);
	CU_ASSERT_EQUAL(db_x(DB, "UPDATE plages_ouverture SET title = title WHERE id = (SELECT min(id) FROM plages_ouverture)"), 0);
	char *v2 = db_s(DB, A, v);
	CU_ASSERT(strtoll(v2, NULL, 10) == strtoll(v1, NULL, 10) + 1);
	/* several writes in one transaction: one bump, at commit */
	CU_ASSERT_EQUAL_FATAL(db_begin(DB), 0);
	CU_ASSERT_EQUAL(db_x(DB, "UPDATE motifs SET name = name WHERE id IN (SELECT id FROM motifs ORDER BY id LIMIT 3)"), 0);
	CU_ASSERT_EQUAL(db_x(DB, "UPDATE agents SET deleted_at = deleted_at WHERE id = (SELECT min(id) FROM agents)"), 0);
	CU_ASSERT_STRING_EQUAL(db_s(DB, A, v), v2);
	CU_ASSERT_EQUAL(db_commit(DB), 0);
	CU_ASSERT(strtoll(db_s(DB, A, v), NULL, 10) == strtoll(v2, NULL, 10) + 1);
}

/* A motif read by the caller (CRENEAUX_MOTIF_COLS, creneaux_motif_read):
 * the same slots as the engine's own read, and its rules are the ones used
 * (no second read); version 0 inside a transaction, 0 for a missing row. */
static void test_caller_motif(void)
{
	NEED_DB();
	long long id = motif_id(ARRAS, "Consultation PMI nourrisson");
	CU_ASSERT_FATAL(id > 0);
	PGresult *r = db_q(DB, "SELECT " CRENEAUX_MOTIF_COLS " FROM (SELECT 1) one"
			       " LEFT JOIN motifs m ON m.id = $1::bigint", db_int(A, id));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct creneaux_motif cm;
	CU_ASSERT_EQUAL(creneaux_motif_read(DB, r, 0, 0, &cm), 1);
	CU_ASSERT(cm.version > 0);
	CU_ASSERT(cm.rules.duration > 0);
	PQclear(r);
	struct creneaux_query q = {.motif_id = id, .from = NOW, .to = NOW + 28 * 86400LL, .now = NOW, .public_side = 1};
	struct slot *own, *given;
	size_t no, ng;
	crc_clear();
	CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &own, &no), 0);
	CU_ASSERT(no > 0);
	q.motif = &cm;
	crc_clear();
	CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &given, &ng), 0);
	CU_ASSERT(ng == no && memcmp(given, own, no * sizeof(*own)) == 0);
	struct creneaux_motif longer = cm;
	longer.rules.duration = cm.rules.duration + 15;
	q.motif = &longer;
	crc_clear();
	CU_ASSERT_EQUAL_FATAL(creneaux_search(DB, A, &q, &given, &ng), 0);
	CU_ASSERT(ng > 0);
	for (size_t i = 0; i < ng; i++)
		CU_ASSERT_EQUAL(given[i].end - given[i].start, 60LL * longer.rules.duration);
	struct slot first;
	CU_ASSERT_EQUAL(creneaux_next(DB, A, &q, &first), 1);
	CU_ASSERT_EQUAL(first.end - first.start, 60LL * longer.rules.duration);
	/* a missing motif (outer join), and inside a transaction */
	r = db_q(DB, "SELECT " CRENEAUX_MOTIF_COLS " FROM (SELECT 1) one LEFT JOIN motifs m ON m.id = -1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(creneaux_motif_read(DB, r, 0, 0, &cm), 0);
	PQclear(r);
	CU_ASSERT_EQUAL_FATAL(db_begin(DB), 0);
	r = db_q(DB, "SELECT " CRENEAUX_MOTIF_COLS " FROM motifs m WHERE m.id = $1::bigint", db_int(A, id));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(creneaux_motif_read(DB, r, 0, 0, &cm), 1);
	CU_ASSERT_EQUAL(cm.version, 0);
	PQclear(r);
	db_rollback(DB);
	crc_clear();
}

void register_creneaux_suite(void)
{
	CU_pSuite s = CU_add_suite("creneaux", suite_init, suite_clean);
	CU_add_test(s, "never overlaps an RDV or an absence", test_never_overlaps_busy);
	CU_add_test(s, "public delays and bookable_by", test_public_delays_and_bookable_by);
	CU_add_test(s, "collective seats", test_collective_seats);
	CU_add_test(s, "next availability = first of the search", test_next_matches_search);
	CU_add_test(s, "cache: key, version and window", test_cache_rules);
	CU_add_test(s, "cache: a cached search equals a fresh one", test_cached_equals_fresh);
	CU_add_test(s, "result cache: key, window, second and version", test_result_cache_rules);
	CU_add_test(s, "schedule version: bumped once per committed schedule write", test_schedule_version);
	CU_add_test(s, "a motif read by the caller: same slots, its rules used", test_caller_motif);
}
