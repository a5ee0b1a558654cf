/*
 * test_slots.c - the créneaux engine (lib/slots): one hand case per rule of
 * reference section 3, then a brute-force oracle written straight from the
 * rules (minute by minute) compared with the engine on thousands of random
 * schedules, for the ordinary search, slots_first and the binôme.
 *
 * The random seed is fixed and printed; SLOTS_SEED=<n> in the environment
 * replays another one. Every mismatch prints the whole case.
 */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "rdv.h"
#include "slots.h"

/* Hand cases: a Monday at 00:00 UTC; HM(day, hour, minute). */
#define T0 1774224000LL
#define HM(d, h, m) (T0 + (((long long)(d) * 24 + (h)) * 60 + (m)) * 60)
#define DAY 86400LL
#define HOUR 3600LL
#define MIN 60LL

static struct arena *A;

static int suite_init(void)
{
	A = arena_new(64 * 1024);
	return A == NULL;
}

static int suite_clean(void)
{
	arena_free(A);
	return 0;
}

/* An agent-side query over the whole week of T0. */
static struct slots_query query(const struct slot_occurrence *occ, size_t n_occ,
				const struct slot_busy *busy, size_t n_busy, int dur)
{
	struct slots_query q = {0};
	q.occ = occ;
	q.n_occ = n_occ;
	q.busy = busy;
	q.n_busy = n_busy;
	q.duration_min = dur;
	q.win.now = T0 - DAY;
	q.win.from = T0 - DAY;
	q.win.to = T0 + 8 * DAY;
	return q;
}

/* Runs the search and checks the starts (and lieu/agent when given). */
static size_t run(const struct slots_query *q, struct slot **s)
{
	size_t n = 99;
	arena_reset(A);
	int rc = slots_search(A, q, s, &n);
	CU_ASSERT_EQUAL(rc, 0);
	return rc == 0 ? n : 0;
}

static void expect_starts(const struct slots_query *q, const long long *starts, size_t n_want)
{
	struct slot *s = NULL;
	size_t n = run(q, &s);
	CU_ASSERT_EQUAL(n, n_want);
	for (size_t i = 0; i < n && i < n_want; i++) {
		CU_ASSERT_EQUAL(s[i].start, starts[i]);
		CU_ASSERT_EQUAL(s[i].end, starts[i] + q->duration_min * MIN);
		if (s[i].start != starts[i])
			fprintf(stderr, "\n  slot %zu: got %+lld min, want %+lld min\n", i,
				(s[i].start - T0) / MIN, (starts[i] - T0) / MIN);
	}
	/* slots_first must agree with the first element, always */
	struct slot f;
	int rc = slots_first(A, q, &f);
	CU_ASSERT_EQUAL(rc, n_want > 0);
	if (rc == 1 && n > 0) {
		CU_ASSERT_EQUAL(f.start, s[0].start);
		CU_ASSERT_EQUAL(f.agent_id, s[0].agent_id);
		CU_ASSERT_EQUAL(f.lieu_id, s[0].lieu_id);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EXPECT(q, ...)                                          \
	do {                                                    \
		const long long want_[] = {__VA_ARGS__};        \
		expect_starts(q, want_, N(want_));              \
	} while (0)
#define EXPECT_NONE(q) expect_starts(q, NULL, 0)

/* Runs q and checks its slots are exactly want[0..n_want); returns them, their count in *n. */
static struct slot *expect_slots(const struct slots_query *q, const struct slot *want, size_t n_want, size_t *n)
{
	struct slot *s = NULL;
	*n = run(q, &s);
	CU_ASSERT_EQUAL_FATAL(*n, n_want);
	CU_ASSERT_EQUAL(memcmp(s, want, n_want * sizeof(*want)), 0);
	return s;
}

/* ------------------------------------------------------------ hand cases */

static void test_round_after_now(void)
{
	struct slot_occurrence po[] = {{HM(0, 14, 0), HM(0, 17, 0), 1, 10}};
	struct slots_query q = query(po, 1, NULL, 0, 60);
	/* the reference example: now 15:03 => 15:05; 16:05 does not fit */
	q.win.now = HM(0, 15, 3);
	EXPECT(&q, HM(0, 15, 5));
	/* a now on the 5-minute step is reached, not passed */
	q.win.now = HM(0, 15, 5);
	EXPECT(&q, HM(0, 15, 5));
	/* one second late is a whole step late */
	q.win.now = HM(0, 14, 0) + 1;
	EXPECT(&q, HM(0, 14, 5), HM(0, 15, 5));
	q.win.now = HM(0, 14, 0);
	EXPECT(&q, HM(0, 14, 0), HM(0, 15, 0), HM(0, 16, 0));
	/* started interval that cannot fit anything any more */
	q.win.now = HM(0, 16, 1);
	EXPECT_NONE(&q);
	q.win.now = HM(0, 17, 0);
	EXPECT_NONE(&q);
}

static void test_slot_must_fit(void)
{
	struct slot_occurrence po[] = {{HM(0, 9, 0), HM(0, 10, 45), 1, 10}};
	struct slots_query q = query(po, 1, NULL, 0, 30);
	EXPECT(&q, HM(0, 9, 0), HM(0, 9, 30), HM(0, 10, 0));
	po[0].end = HM(0, 10, 30); /* exactly fitting last slot is kept */
	EXPECT(&q, HM(0, 9, 0), HM(0, 9, 30), HM(0, 10, 0));
	po[0].end = HM(0, 9, 29); /* shorter than the duration */
	EXPECT_NONE(&q);
}

static void test_rdv_end_realigns(void)
{
	struct slot_occurrence po[] = {{HM(0, 9, 0), HM(0, 12, 0), 1, 10}};
	struct slot_busy rdv[] = {{HM(0, 9, 50), HM(0, 10, 20), 1}};
	struct slots_query q = query(po, 1, rdv, 1, 30);
	EXPECT(&q, HM(0, 9, 0), HM(0, 10, 20), HM(0, 10, 50), HM(0, 11, 20));
	/* now inside the interval after the RDV: rounded from 10:20, not the clock */
	q.win.now = HM(0, 10, 33);
	EXPECT(&q, HM(0, 10, 35), HM(0, 11, 5));
	rdv[0].end = HM(0, 10, 22);
	EXPECT(&q, HM(0, 10, 37), HM(0, 11, 7));
	/* an RDV of another agent changes nothing */
	rdv[0].agent_id = 2;
	q.win.now = T0;
	EXPECT(&q, HM(0, 9, 0), HM(0, 9, 30), HM(0, 10, 0), HM(0, 10, 30), HM(0, 11, 0),
	       HM(0, 11, 30));
}

static void test_busy_covers_plage(void)
{
	struct slot_occurrence po[] = {{HM(0, 9, 0), HM(0, 12, 0), 1, 10}};
	struct slot_busy b[] = {{HM(0, 8, 0), HM(0, 13, 0), 1}};
	struct slots_query q = query(po, 1, b, 1, 30);
	EXPECT_NONE(&q);
	b[0] = (struct slot_busy){HM(0, 9, 0), HM(0, 12, 0), 1};
	EXPECT_NONE(&q);
	/* trims at both ends */
	struct slot_busy b2[] = {{HM(0, 8, 0), HM(0, 9, 15), 1}, {HM(0, 11, 0), HM(0, 14, 0), 1}};
	q.busy = b2;
	q.n_busy = 2;
	EXPECT(&q, HM(0, 9, 15), HM(0, 9, 45), HM(0, 10, 15));
}

static void test_busy_across_midnight(void)
{
	/* an absence from Monday 22:00 to Tuesday 02:00 */
	struct slot_busy abs[] = {{HM(0, 22, 0), HM(1, 2, 0), 1}};
	struct slot_occurrence po[] = {{HM(0, 20, 0), HM(1, 0, 0), 1, 10},
				       {HM(1, 0, 0), HM(1, 4, 0), 1, 10}};
	struct slots_query q = query(po, 2, abs, 1, 60);
	EXPECT(&q, HM(0, 20, 0), HM(0, 21, 0), HM(1, 2, 0), HM(1, 3, 0));
	/* one overnight occurrence */
	struct slot_occurrence night[] = {{HM(0, 18, 0), HM(1, 6, 0), 1, 10}};
	q.occ = night;
	q.n_occ = 1;
	EXPECT(&q, HM(0, 18, 0), HM(0, 19, 0), HM(0, 20, 0), HM(0, 21, 0), HM(1, 2, 0),
	       HM(1, 3, 0), HM(1, 4, 0), HM(1, 5, 0));
}

/* Days of 23 h and 25 h (DST changes, expanded by the caller in local time)
 * and instants that are not on a minute: plain UTC arithmetic, no day grid. */
static void test_dst_and_seconds(void)
{
	/* 29 March 2026 local midnight to midnight is 23 h; 25 October is 25 h */
	struct slot_occurrence po[] = {{HM(0, 23, 0), HM(1, 22, 0), 1, 10}};
	struct slots_query q = query(po, 1, NULL, 0, 60);
	struct slot *s;
	CU_ASSERT_EQUAL(run(&q, &s), 23);
	po[0].end = HM(2, 0, 0);
	CU_ASSERT_EQUAL(run(&q, &s), 25);
	CU_ASSERT_EQUAL(s[24].start, HM(1, 23, 0));
	/* an occurrence 30 s off the minute keeps its own alignment */
	struct slot_occurrence odd[] = {{HM(0, 9, 0) + 30, HM(0, 10, 0) + 30, 1, 10}};
	q = query(odd, 1, NULL, 0, 20);
	EXPECT(&q, HM(0, 9, 0) + 30, HM(0, 9, 20) + 30, HM(0, 9, 40) + 30);
	q.win.now = HM(0, 9, 1); /* 30 s late: next 5-minute step from 9:00:30 */
	EXPECT(&q, HM(0, 9, 5) + 30, HM(0, 9, 25) + 30);
}

static void test_touching_intervals(void)
{
	struct slot_occurrence po[] = {{HM(0, 9, 0), HM(0, 10, 0), 1, 10}};
	struct slot_busy b[] = {{HM(0, 8, 0), HM(0, 9, 0), 1}, {HM(0, 10, 0), HM(0, 11, 0), 1}};
	struct slots_query q = query(po, 1, b, 2, 60);
	EXPECT(&q, HM(0, 9, 0)); /* touching is not overlapping */
	b[0].end = HM(0, 9, 1);
	EXPECT_NONE(&q);
	/* two touching busy blocks and one nested in another */
	struct slot_occurrence po2[] = {{HM(0, 9, 0), HM(0, 11, 0), 1, 10}};
	struct slot_busy t[] = {{HM(0, 9, 30), HM(0, 10, 0), 1}, {HM(0, 9, 0), HM(0, 9, 30), 1}};
	q = query(po2, 1, t, 2, 30);
	EXPECT(&q, HM(0, 10, 0), HM(0, 10, 30));
	struct slot_busy nest[] = {{HM(0, 9, 10), HM(0, 9, 40), 1}, {HM(0, 9, 20), HM(0, 9, 30), 1}};
	q.busy = nest;
	EXPECT(&q, HM(0, 9, 40), HM(0, 10, 10));
	/* empty busy intervals block nothing */
	struct slot_busy empty[] = {{HM(0, 9, 30), HM(0, 9, 30), 1}};
	q.busy = empty;
	q.n_busy = 1;
	EXPECT(&q, HM(0, 9, 0), HM(0, 9, 30), HM(0, 10, 0), HM(0, 10, 30));
}

static void test_delays_public_only(void)
{
	struct slot_occurrence po[] = {{HM(1, 9, 0), HM(1, 12, 0), 1, 10}};
	struct slots_query q = query(po, 1, NULL, 0, 30);
	q.win.now = HM(1, 8, 0);
	q.win.min_delay = 2 * HOUR;
	q.win.max_delay = 3 * HOUR;
	/* agent side: delays ignored */
	EXPECT(&q, HM(1, 9, 0), HM(1, 9, 30), HM(1, 10, 0), HM(1, 10, 30), HM(1, 11, 0),
	       HM(1, 11, 30));
	/* public side: now+2h <= start <= now+3h, both ends included */
	q.win.public_side = 1;
	EXPECT(&q, HM(1, 10, 0), HM(1, 10, 30), HM(1, 11, 0));
	q.win.max_delay = 3 * HOUR - 1;
	EXPECT(&q, HM(1, 10, 0), HM(1, 10, 30));
	q.win.min_delay = 5 * HOUR;
	q.win.max_delay = 4 * HOUR; /* max < min: nothing, not an error */
	EXPECT_NONE(&q);
	/* the minimum delay filters, it does not move the grid: now 15:03 gives
	 * 15:05, 16:05 (no fit); with 30 min of delay 15:05 is too early */
	struct slot_occurrence po2[] = {{HM(0, 14, 0), HM(0, 17, 0), 1, 10}};
	q = query(po2, 1, NULL, 0, 60);
	q.win.now = HM(0, 15, 3);
	q.win.public_side = 1;
	q.win.min_delay = 30 * MIN;
	q.win.max_delay = 90 * DAY;
	EXPECT_NONE(&q);
	q.win.min_delay = 0;
	EXPECT(&q, HM(0, 15, 5));
	q.win.min_delay = -1;
	struct slot *s;
	size_t n;
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
}

static void test_window_bounds(void)
{
	struct slot_occurrence po[] = {{HM(0, 9, 0), HM(0, 12, 0), 1, 10}};
	struct slots_query q = query(po, 1, NULL, 0, 30);
	q.win.from = HM(0, 9, 30);
	q.win.to = HM(0, 11, 0);
	EXPECT(&q, HM(0, 9, 30), HM(0, 10, 0), HM(0, 10, 30)); /* to is excluded */
	q.win.to = HM(0, 11, 0) + 1;
	EXPECT(&q, HM(0, 9, 30), HM(0, 10, 0), HM(0, 10, 30), HM(0, 11, 0));
	/* from does not move the grid: 9:00 overlaps but starts before, dropped */
	q.win.from = HM(0, 9, 15);
	EXPECT(&q, HM(0, 9, 30), HM(0, 10, 0), HM(0, 10, 30), HM(0, 11, 0));
	/* the window starts on the very last slot of the plage */
	q.win.from = HM(0, 11, 30);
	q.win.to = HM(0, 12, 0);
	EXPECT(&q, HM(0, 11, 30));
	q.win.from = q.win.to;
	EXPECT_NONE(&q);
	q.win.from = HM(0, 12, 0);
	q.win.to = HM(0, 9, 0); /* inverted window: empty */
	EXPECT_NONE(&q);
}

static void test_two_lieux_same_agent(void)
{
	struct slot_occurrence po[] = {
		{HM(1, 9, 0), HM(1, 10, 0), 1, 10}, {HM(0, 14, 0), HM(0, 15, 0), 1, 20},
		{HM(0, 9, 0), HM(0, 10, 0), 1, 10}, {HM(1, 14, 0), HM(1, 15, 0), 1, 20},
	};
	/* an RDV taken at lieu 20 blocks the agent at lieu 10 too */
	struct slot_busy b[] = {{HM(1, 9, 0), HM(1, 9, 30), 1}};
	struct slots_query q = query(po, N(po), b, 1, 30);
	const struct slot want[] = {
		{HM(0, 9, 0), HM(0, 9, 30), 1, 10},   {HM(0, 9, 30), HM(0, 10, 0), 1, 10},
		{HM(0, 14, 0), HM(0, 14, 30), 1, 20}, {HM(0, 14, 30), HM(0, 15, 0), 1, 20},
		{HM(1, 9, 30), HM(1, 10, 0), 1, 10},  {HM(1, 14, 0), HM(1, 14, 30), 1, 20},
		{HM(1, 14, 30), HM(1, 15, 0), 1, 20},
	};
	size_t n;
	expect_slots(&q, want, N(want), &n);
}

static void test_agents_same_start_grouped(void)
{
	struct slot_occurrence po[] = {
		{HM(0, 9, 0), HM(0, 10, 0), 3, 10}, {HM(0, 9, 0), HM(0, 10, 0), 1, 10},
		{HM(0, 9, 0), HM(0, 10, 0), 2, 10}, {HM(0, 9, 0), HM(0, 10, 0), 4, 5},
		{HM(0, 9, 0), HM(0, 10, 0), 1, 10}, /* listed twice: one slot only */
	};
	struct slot_busy b[] = {{HM(0, 9, 30), HM(0, 10, 0), 2}};
	struct slots_query q = query(po, N(po), b, 1, 30);
	const struct slot want[] = {
		{HM(0, 9, 0), HM(0, 9, 30), 4, 5},    {HM(0, 9, 0), HM(0, 9, 30), 1, 10},
		{HM(0, 9, 0), HM(0, 9, 30), 2, 10},   {HM(0, 9, 0), HM(0, 9, 30), 3, 10},
		{HM(0, 9, 30), HM(0, 10, 0), 4, 5},   {HM(0, 9, 30), HM(0, 10, 0), 1, 10},
		{HM(0, 9, 30), HM(0, 10, 0), 3, 10},
	};
	size_t n;
	struct slot *s = expect_slots(&q, want, N(want), &n);

	struct slot_group *g;
	size_t ng;
	CU_ASSERT_EQUAL_FATAL(slots_group(A, s, n, &g, &ng), 0);
	CU_ASSERT_EQUAL_FATAL(ng, 4);
	CU_ASSERT(g[0].start == HM(0, 9, 0) && g[0].lieu_id == 5 && g[0].n_agents == 1);
	CU_ASSERT(g[1].start == HM(0, 9, 0) && g[1].lieu_id == 10 && g[1].n_agents == 3);
	CU_ASSERT_EQUAL(g[1].first_agent_id, 1);
	CU_ASSERT_EQUAL(g[1].slots[2].agent_id, 3);
	CU_ASSERT_EQUAL(g[1].end, HM(0, 9, 30));
	CU_ASSERT(g[3].start == HM(0, 9, 30) && g[3].lieu_id == 10 && g[3].n_agents == 2);
	CU_ASSERT_EQUAL(g[3].slots[1].agent_id, 3);
	CU_ASSERT_EQUAL(slots_group(A, NULL, 0, &g, &ng), 0);
	CU_ASSERT_EQUAL(ng, 0);

	/* one agent requested: the others disappear */
	long long only = 3;
	q.required_agents = &only;
	q.n_required = 1;
	EXPECT(&q, HM(0, 9, 0), HM(0, 9, 30));
}

static void test_collective(void)
{
	struct slot_collective_rdv r[] = {
		{1, HM(1, 14, 0), HM(1, 16, 0), 10, 10, 10}, /* full */
		{2, HM(1, 9, 0), HM(1, 11, 0), 10, 0, 50},   /* unlimited */
		{3, HM(1, 9, 0), HM(1, 11, 0), 20, 12, 9},   /* 3 left */
		{4, HM(0, 9, 0), HM(0, 11, 0), 10, 5, 0},    /* in the past */
		{5, HM(9, 9, 0), HM(9, 11, 0), 10, 5, 0},    /* after the window */
		{6, HM(2, 9, 0), HM(2, 11, 0), 10, 5, 7},    /* overbooked */
		{7, HM(2, 10, 0), HM(2, 11, 0), 10, 5, 4},   /* 1 left */
	};
	struct slots_window w = {HM(0, 12, 0), T0, T0 + 7 * DAY, 0, 0, 0};
	struct slot_collective *c;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(slots_collective(A, &w, r, N(r), &c, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT(c[0].rdv_id == 2 && c[0].seats_left == -1);
	CU_ASSERT(c[1].rdv_id == 3 && c[1].seats_left == 3 && c[1].lieu_id == 20);
	CU_ASSERT(c[2].rdv_id == 7 && c[2].seats_left == 1 && c[2].end == HM(2, 11, 0));
	/* public side: delays apply */
	w.public_side = 1;
	w.min_delay = DAY;
	w.max_delay = 2 * DAY - 2 * HOUR; /* up to Wednesday 10:00 included */
	CU_ASSERT_EQUAL_FATAL(slots_collective(A, &w, r, N(r), &c, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(c[0].rdv_id, 7);
	w.max_delay -= 1;
	CU_ASSERT_EQUAL(slots_collective(A, &w, r, N(r), &c, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(c);
	r[0].seats_taken = -1;
	CU_ASSERT_EQUAL(slots_collective(A, &w, r, N(r), &c, &n), RDV_EINVAL);
	CU_ASSERT_EQUAL(slots_collective(A, &w, NULL, 0, &c, &n), 0);
}

static void test_binome(void)
{
	struct slot_occurrence po[] = {
		{HM(0, 9, 0), HM(0, 12, 0), 1, 10},
		{HM(0, 10, 0), HM(0, 13, 0), 2, 10},
		{HM(0, 9, 0), HM(0, 12, 0), 3, 20}, /* another lieu */
	};
	struct slot_busy b[] = {{HM(0, 10, 30), HM(0, 11, 0), 1}};
	long long pair[] = {2, 1};
	struct slots_query q = query(po, N(po), b, 1, 30);
	q.required_agents = pair;
	q.n_required = 2;
	EXPECT(&q, HM(0, 10, 0), HM(0, 11, 0), HM(0, 11, 30));
	struct slot *s;
	size_t n = run(&q, &s);
	CU_ASSERT(n == 3 && s[0].agent_id == 2 && s[0].lieu_id == 10); /* the lead */
	/* aligned on the common interval's start */
	po[1].start = HM(0, 9, 10);
	b[0].agent_id = 9;
	EXPECT(&q, HM(0, 9, 10), HM(0, 9, 40), HM(0, 10, 10), HM(0, 10, 40), HM(0, 11, 10));
	/* never at two different lieux, never with an agent who has no plage */
	long long other[] = {1, 3};
	q.required_agents = other;
	EXPECT_NONE(&q);
	long long three[] = {1, 2, 42};
	q.required_agents = three;
	q.n_required = 3;
	EXPECT_NONE(&q);
	/* the same agent twice is that agent alone */
	long long twice[] = {3, 3};
	q.required_agents = twice;
	q.n_required = 2;
	EXPECT(&q, HM(0, 9, 0), HM(0, 9, 30), HM(0, 10, 0), HM(0, 10, 30), HM(0, 11, 0),
	       HM(0, 11, 30));
	/* touching plages of one agent are one free stretch for the binôme */
	struct slot_occurrence t[] = {
		{HM(0, 9, 0), HM(0, 10, 30), 1, 10},
		{HM(0, 10, 30), HM(0, 12, 0), 1, 10},
		{HM(0, 9, 0), HM(0, 12, 0), 2, 10},
	};
	q = query(t, N(t), NULL, 0, 60);
	q.required_agents = pair;
	q.n_required = 2;
	EXPECT(&q, HM(0, 9, 0), HM(0, 10, 0), HM(0, 11, 0));
	q.n_required = 0; /* alone, each plage aligns on itself (reference 3.5) */
	n = run(&q, &s);
	CU_ASSERT_EQUAL(n, 5); /* agent 1: 9:00, 10:30; agent 2: 9:00, 10:00, 11:00 */
}

static void test_first(void)
{
	struct slot_occurrence po[] = {
		{HM(3, 9, 0), HM(3, 12, 0), 2, 10},
		{HM(0, 9, 0), HM(0, 12, 0), 1, 10},
		{HM(0, 8, 0), HM(0, 9, 30), 3, 30}, /* longer, starts first, slots later */
	};
	struct slot_busy b[] = {{HM(0, 9, 0), HM(0, 12, 0), 1}, {HM(0, 7, 0), HM(0, 9, 0), 3}};
	struct slots_query q = query(po, N(po), b, N(b), 30);
	struct slot f;
	CU_ASSERT_EQUAL(slots_first(A, &q, &f), 1);
	CU_ASSERT(f.start == HM(0, 9, 0) && f.agent_id == 3 && f.lieu_id == 30);
	q.win.from = HM(0, 9, 1);
	CU_ASSERT_EQUAL(slots_first(A, &q, &f), 1);
	CU_ASSERT(f.start == HM(3, 9, 0) && f.agent_id == 2);
	q.win.to = HM(3, 9, 0);
	CU_ASSERT_EQUAL(slots_first(A, &q, &f), 0);
	q.n_occ = 0;
	CU_ASSERT_EQUAL(slots_first(A, &q, &f), 0);
}

static void test_invalid(void)
{
	struct slot_occurrence po[] = {{HM(0, 9, 0), HM(0, 12, 0), 1, 10}};
	struct slots_query q = query(po, 1, NULL, 0, 30);
	struct slot *s;
	size_t n;
	struct slot f;
	q.duration_min = 0;
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(slots_first(A, &q, &f), RDV_EINVAL);
	q.duration_min = SLOTS_DURATION_MAX + 1;
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
	q.duration_min = 30;
	po[0].end = po[0].start - 1;
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
	po[0].end = po[0].start; /* empty is fine */
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	po[0].end = SLOTS_TIME_LIMIT + 1;
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
	po[0].end = HM(0, 12, 0);
	q.n_busy = 1; /* NULL array with a count */
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
	q.n_busy = 0;
	q.n_required = 2;
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), RDV_EINVAL);
	q.n_required = 0;
	CU_ASSERT_EQUAL(slots_search(NULL, &q, &s, &n), RDV_EINVAL);
	CU_ASSERT_EQUAL(slots_search(A, NULL, &s, &n), RDV_EINVAL);
	CU_ASSERT_EQUAL(slots_search(A, &q, NULL, &n), RDV_EINVAL);
	CU_ASSERT_EQUAL(slots_first(A, &q, NULL), RDV_EINVAL);
	CU_ASSERT_EQUAL(slots_search(A, &q, &s, &n), 0);
	CU_ASSERT_EQUAL(n, 6);
}

/* --------------------------------------------------------------- oracle */

/*
 * Random schedules in whole minutes from a base that is NOT on a 5-minute
 * clock boundary (the rounding is relative to each interval's start, never
 * to the clock); now, from and to may carry seconds. The horizon is 6 days;
 * some occurrences last 23 h or 25 h like the days around a DST change.
 */
#define RB (T0 + 7 * 60)      /* random-case base */
#define RH (6 * 1440)         /* horizon, minutes */
#define MAX_OCC 48
#define MAX_BUSY 96
#define MAX_AGENTS 6
#define MAX_LIEUX 3
#define MAX_OUT 20000

struct rcase {
	struct slot_occurrence occ[MAX_OCC];
	size_t n_occ;
	struct slot_busy busy[MAX_BUSY];
	size_t n_busy;
	long long req[3];
	size_t n_req;
	int dur;
	struct slots_window win;
	int n_agents, n_lieux;
};

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static long long rint_in(long long lo, long long hi) /* [lo, hi]; lo if empty */
{
	if (hi <= lo)
		return lo;
	return lo + (long long)(rnd() % (uint64_t)(hi - lo + 1));
}

static int chance(int percent)
{
	return (int)(rnd() % 100) < percent;
}

static long long rmin(long long m) /* minute offset -> instant */
{
	return RB + m * MIN;
}

static long long occ_length(void)
{
	int k = (int)(rnd() % 10);
	if (k == 0)
		return rint_in(0, 1) ? 23 * 60 : 25 * 60; /* DST days */
	if (k == 1)
		return rint_in(1, 20);
	return rint_in(30, 600);
}

static void gen_occ(struct rcase *c, int big)
{
	c->n_occ = (size_t)rint_in(0, big ? MAX_OCC : 8);
	for (size_t i = 0; i < c->n_occ; i++) {
		long long s = rint_in(0, RH - 30), e = s + occ_length();
		if (e > RH)
			e = RH;
		if (i > 0 && chance(10)) /* the next plage of the same agent, touching */
			s = (c->occ[i - 1].end - RB) / MIN, e = s + rint_in(0, 240);
		if (e > RH)
			e = RH;
		c->occ[i] = (struct slot_occurrence){rmin(s), rmin(e),
			rint_in(1, c->n_agents), rint_in(1, c->n_lieux)};
		if (i > 0 && chance(10))
			c->occ[i].agent_id = c->occ[i - 1].agent_id;
	}
}

/* Binôme cases need plages that overlap at one lieu: give most plages a
 * partner plage of another agent, shifted a little (or touching). */
static void gen_partners(struct rcase *c)
{
	size_t n = c->n_occ;
	for (size_t i = 0; i < n && c->n_occ < MAX_OCC; i++) {
		if (!chance(70))
			continue;
		struct slot_occurrence p = c->occ[i];
		long long s = (p.start - RB) / MIN + rint_in(-90, 90);
		long long e = (p.end - RB) / MIN + rint_in(-90, 90);
		s = s < 0 ? 0 : s;
		e = e > RH ? RH : e;
		p.start = rmin(s);
		p.end = rmin(e < s ? s : e);
		p.agent_id = p.agent_id % c->n_agents + 1;
		c->occ[c->n_occ++] = p;
	}
}

static struct slot_busy gen_one_busy(const struct rcase *c, size_t i)
{
	/* an agent without plages (n_agents + 1) now and then */
	long long agent = rint_in(1, c->n_agents + 1);
	long long s = rint_in(-600, RH), e;
	int k = (int)(rnd() % 10);
	if (k == 0) { /* an absence from 22:00 to 02:00 */
		s = rint_in(0, 5) * 1440 + 22 * 60 - 7;
		e = s + 240;
	} else if (k == 1 && i > 0) { /* adjacent to the previous one */
		s = (c->busy[i - 1].end - RB) / MIN;
		e = s + rint_in(5, 90);
		agent = c->busy[i - 1].agent_id;
	} else if (k == 2 && i > 0 && c->busy[i - 1].end - c->busy[i - 1].start > 2 * MIN) {
		long long ps = (c->busy[i - 1].start - RB) / MIN, pe = (c->busy[i - 1].end - RB) / MIN;
		s = rint_in(ps, pe - 1); /* nested in / overlapping the previous one */
		e = s + rint_in(1, pe - s + 30);
		agent = c->busy[i - 1].agent_id;
	} else if (k == 3 && c->n_occ > 0) { /* on a plage boundary */
		const struct slot_occurrence *o = &c->occ[rnd() % c->n_occ];
		s = (chance(50) ? o->start - RB : o->end - RB) / MIN - rint_in(0, 1) * 30;
		e = s + rint_in(0, 60);
		agent = o->agent_id;
	} else {
		e = s + (chance(20) ? rint_in(180, 720) : rint_in(5, 120));
	}
	return (struct slot_busy){rmin(s), rmin(e), agent};
}

static void gen_window(struct rcase *c)
{
	struct slots_window *w = &c->win;
	w->from = chance(20) ? rmin(-1440) : rmin(rint_in(-60, RH)) + (chance(20) ? rint_in(0, 59) : 0);
	w->to = chance(20) ? rmin(RH + 1440) : w->from + rint_in(0, RH) * MIN + (chance(20) ? rint_in(0, 59) : 0);
	if (c->n_occ > 0 && chance(25)) { /* bounds on a plage's edge or last slot */
		const struct slot_occurrence *o = &c->occ[rnd() % c->n_occ];
		long long edges[] = {o->start, o->end - c->dur * MIN, o->end, o->start + c->dur * MIN};
		if (chance(50))
			w->from = edges[rnd() % 4];
		else
			w->to = edges[rnd() % 4] + rint_in(0, 1);
	}
	int k = (int)(rnd() % 10);
	if (k == 9 && c->n_occ > 0) /* now on a plage start or a busy end */
		w->now = c->n_busy > 0 && chance(50) ? c->busy[rnd() % c->n_busy].end
						     : c->occ[rnd() % c->n_occ].start;
	else if (k < 4)
		w->now = w->from - rint_in(0, 2 * 1440) * MIN;
	else if (k < 8)
		w->now = w->from + rint_in(0, (w->to - w->from) / MIN);
	else
		w->now = rmin(rint_in(-1440, RH));
	if (chance(50))
		w->now += rint_in(0, 59);
	w->public_side = chance(50);
	w->min_delay = chance(30) ? rint_in(0, 8) * 1800 : rint_in(0, 4 * 3600);
	w->max_delay = chance(5) ? rint_in(0, w->min_delay) : w->min_delay + rint_in(0, 3 * 86400);
}

static void gen_case(struct rcase *c, int binome)
{
	memset(c, 0, sizeof(*c));
	int big = !binome && chance(10);
	c->n_agents = big ? MAX_AGENTS - 1 : (int)rint_in(binome ? 2 : 1, binome ? 3 : 4);
	c->n_lieux = (int)rint_in(1, binome ? 2 : MAX_LIEUX);
	gen_occ(c, big);
	if (binome)
		gen_partners(c);
	c->n_busy = (size_t)rint_in(0, big ? MAX_BUSY : 14);
	for (size_t i = 0; i < c->n_busy; i++)
		c->busy[i] = gen_one_busy(c, i);
	c->dur = chance(50) ? (int)rint_in(1, 24) * 5 : (int)rint_in(5, 120);
	gen_window(c);
	if (binome) {
		c->n_req = chance(30) && c->n_agents >= 3 ? 3 : 2;
		for (size_t i = 0; i < c->n_req; i++)
			c->req[i] = (long long)i + 1 + (chance(5) ? 3 : 0);
	} else if (chance(15)) {
		c->n_req = 1;
		c->req[0] = rint_in(1, c->n_agents);
	}
}

/* The rules, verbatim: is this start allowed by the window? */
static int oracle_window_ok(const struct slots_window *w, long long t)
{
	if (t < w->from || t >= w->to || t < w->now)
		return 0;
	if (w->public_side && (t < w->now + w->min_delay || t > w->now + w->max_delay))
		return 0;
	return 1;
}

/* Slots of a free run [rs, re) of minutes: round up by 5 minutes from the
 * run start until now is reached, then step by the duration while it fits. */
static size_t oracle_run(const struct rcase *c, long long rs, long long re, long long agent,
			 long long lieu, struct slot *out, size_t n)
{
	long long t = rs;
	while (rmin(t) < c->win.now)
		t += 5;
	for (; t + c->dur <= re; t += c->dur)
		if (oracle_window_ok(&c->win, rmin(t)) && n < MAX_OUT)
			out[n++] = (struct slot){rmin(t), rmin(t + c->dur), agent, lieu};
	return n;
}

/* busy[m] for one agent over the horizon, minute by minute */
static void oracle_busy(const struct rcase *c, long long agent, unsigned char *busy)
{
	memset(busy, 0, RH);
	for (size_t i = 0; i < c->n_busy; i++) {
		if (c->busy[i].agent_id != agent)
			continue;
		for (long long t = c->busy[i].start; t < c->busy[i].end; t += MIN) {
			long long m = (t - RB) / MIN;
			if (m >= 0 && m < RH)
				busy[m] = 1;
		}
	}
}

static int cmp_slot(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->lieu_id != b->lieu_id)
		return a->lieu_id < b->lieu_id ? -1 : 1;
	if (a->agent_id != b->agent_id)
		return a->agent_id < b->agent_id ? -1 : 1;
	return 0;
}

static size_t sort_unique(struct slot *s, size_t n)
{
	qsort(s, n, sizeof(*s), cmp_slot);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || cmp_slot(&s[i], &s[k - 1]) != 0)
			s[k++] = s[i];
	return k;
}

/* Ordinary search: each occurrence on its own, its free minutes in runs. */
static size_t oracle_plain(const struct rcase *c, struct slot *out)
{
	static unsigned char busy[MAX_AGENTS + 1][RH];
	size_t n = 0;
	for (int a = 1; a <= c->n_agents; a++)
		oracle_busy(c, a, busy[a]);
	for (size_t i = 0; i < c->n_occ; i++) {
		const struct slot_occurrence *o = &c->occ[i];
		if (c->n_req == 1 && o->agent_id != c->req[0])
			continue;
		long long s = (o->start - RB) / MIN, e = (o->end - RB) / MIN;
		for (long long m = s; m < e;) {
			if (busy[o->agent_id][m]) {
				m++;
				continue;
			}
			long long r = m;
			while (r < e && !busy[o->agent_id][r])
				r++;
			n = oracle_run(c, m, r, o->agent_id, o->lieu_id, out, n);
			m = r;
		}
	}
	return sort_unique(out, n);
}

/* Binôme: minute m is common at a lieu if every required agent has a plage
 * there covering m and is not busy at m; runs of common minutes are slotted. */
static size_t oracle_binome(const struct rcase *c, struct slot *out)
{
	static unsigned char busy[RH], common[RH], here[RH];
	size_t n = 0;
	for (long long lieu = 1; lieu <= c->n_lieux; lieu++) {
		memset(common, 1, RH);
		for (size_t r = 0; r < c->n_req; r++) {
			oracle_busy(c, c->req[r], busy);
			memset(here, 0, RH);
			for (size_t i = 0; i < c->n_occ; i++) {
				const struct slot_occurrence *o = &c->occ[i];
				if (o->agent_id != c->req[r] || o->lieu_id != lieu)
					continue;
				for (long long m = (o->start - RB) / MIN; m < (o->end - RB) / MIN; m++)
					here[m] = 1;
			}
			for (long long m = 0; m < RH; m++)
				common[m] &= here[m] & !busy[m];
		}
		for (long long m = 0; m < RH;) {
			if (!common[m]) {
				m++;
				continue;
			}
			long long r = m;
			while (r < RH && common[r])
				r++;
			n = oracle_run(c, m, r, c->req[0], lieu, out, n);
			m = r;
		}
	}
	return sort_unique(out, n);
}

/* ------------------------------------------------------ printing a case */

static void print_time(const char *label, long long t)
{
	long long d = t - RB;
	long long a = d < 0 ? -d : d;
	fprintf(stderr, "%s%s%lld+%02lld:%02lld:%02lld", label, d < 0 ? "-" : "", a / 86400,
		a % 86400 / 3600, a % 3600 / 60, a % 60);
}

static void print_slots(const char *label, const struct slot *s, size_t n)
{
	fprintf(stderr, "  %s (%zu):", label, n);
	for (size_t i = 0; i < n && i < 40; i++) {
		print_time(i % 4 == 0 ? "\n    " : "  ", s[i].start);
		fprintf(stderr, " a%lld l%lld", s[i].agent_id, s[i].lieu_id);
	}
	fprintf(stderr, "%s\n", n > 40 ? "\n    ..." : "");
}

static void print_case(const char *what, uint64_t seed, int idx, const struct rcase *c,
		       const struct slot *want, size_t n_want, const struct slot *got, size_t n_got)
{
	fprintf(stderr, "\n%s MISMATCH seed=%" PRIu64 " case=%d (times as day+hh:mm:ss from base)\n",
		what, seed, idx);
	fprintf(stderr, "  duration=%d min public=%d min_delay=%lld max_delay=%lld", c->dur,
		c->win.public_side, c->win.min_delay, c->win.max_delay);
	print_time("\n  now=", c->win.now);
	print_time(" from=", c->win.from);
	print_time(" to=", c->win.to);
	fprintf(stderr, "\n  required:");
	for (size_t i = 0; i < c->n_req; i++)
		fprintf(stderr, " %lld", c->req[i]);
	fprintf(stderr, "\n  occurrences:\n");
	for (size_t i = 0; i < c->n_occ; i++) {
		print_time("    ", c->occ[i].start);
		print_time(" .. ", c->occ[i].end);
		fprintf(stderr, " agent %lld lieu %lld\n", c->occ[i].agent_id, c->occ[i].lieu_id);
	}
	fprintf(stderr, "  busy:\n");
	for (size_t i = 0; i < c->n_busy; i++) {
		print_time("    ", c->busy[i].start);
		print_time(" .. ", c->busy[i].end);
		fprintf(stderr, " agent %lld\n", c->busy[i].agent_id);
	}
	print_slots("oracle", want, n_want);
	print_slots("engine", got, n_got);
}

/* -------------------------------------------------------- random checks */

static uint64_t test_seed(void)
{
	const char *env = getenv("SLOTS_SEED");
	return env != NULL ? strtoull(env, NULL, 10) : 20260307ULL;
}

static struct slots_query rcase_query(const struct rcase *c)
{
	struct slots_query q = {c->occ, c->n_occ, c->busy, c->n_busy, c->dur, c->win,
				c->req, c->n_req};
	return q;
}

static int cmp_busy_agent(const void *pa, const void *pb)
{
	const struct slot_busy *a = pa, *b = pb;
	if (a->agent_id != b->agent_id)
		return a->agent_id < b->agent_id ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

static int cmp_occ_start(const void *pa, const void *pb)
{
	const struct slot_occurrence *a = pa, *b = pb;
	return (a->start > b->start) - (a->start < b->start);
}

/* Same case with inputs in the engine's preferred order (its fast paths). */
static void rcase_sorted(const struct rcase *c, struct rcase *s)
{
	*s = *c;
	qsort(s->occ, s->n_occ, sizeof(s->occ[0]), cmp_occ_start);
	qsort(s->busy, s->n_busy, sizeof(s->busy[0]), cmp_busy_agent);
}

static int same(const struct slot *a, size_t na, const struct slot *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* One case: engine on both input orders, slots_first, groups; 1 if OK. */
static int check_case(const struct rcase *c, const struct slot *want, size_t n_want,
		      uint64_t seed, int idx, const char *what)
{
	struct rcase sorted;
	rcase_sorted(c, &sorted);
	const struct rcase *variants[2] = {c, &sorted};
	for (int v = 0; v < 2; v++) {
		struct slots_query q = rcase_query(variants[v]);
		struct slot *got = NULL, f;
		size_t n = 0;
		arena_reset(A);
		int rc = slots_search(A, &q, &got, &n);
		if (rc != 0 || !same(want, n_want, got, n)) {
			print_case(v ? "search(sorted input)" : what, seed, idx, c, want, n_want, got, n);
			return 0;
		}
		rc = slots_first(A, &q, &f);
		if (rc != (n_want > 0) || (rc == 1 && memcmp(&f, &want[0], sizeof(f)) != 0)) {
			print_case("slots_first", seed, idx, c, want, n_want, rc == 1 ? &f : NULL, rc == 1);
			return 0;
		}
		struct slot_group *g;
		size_t ng, total = 0;
		if (slots_group(A, got, n, &g, &ng) != 0)
			return 0;
		for (size_t i = 0; i < ng; i++) {
			total += g[i].n_agents;
			if (i > 0 && g[i].start == g[i - 1].start && g[i].lieu_id == g[i - 1].lieu_id)
				return 0;
		}
		if (total != n)
			return 0;
	}
	return 1;
}

static void random_run(int binome, int cases, uint64_t seed_offset)
{
	static struct slot want[MAX_OUT];
	static struct rcase c;
	uint64_t seed = test_seed() + seed_offset;
	rng_state = seed;
	int failures = 0, nonempty = 0;
	long long slots = 0;
	for (int i = 0; i < cases && failures < 5; i++) {
		gen_case(&c, binome);
		size_t n = binome ? oracle_binome(&c, want) : oracle_plain(&c, want);
		nonempty += n > 0;
		slots += (long long)n;
		if (!check_case(&c, want, n, seed, i, binome ? "binome" : "search"))
			failures++;
	}
	fprintf(stderr, "\n    [%s oracle: seed %" PRIu64 ", %d cases, %d with slots, %lld slots] ",
		binome ? "binome" : "search", seed, cases, nonempty, slots);
	CU_ASSERT_EQUAL(failures, 0);
	CU_ASSERT(nonempty > cases / 8); /* the generator must exercise something */
}

static void test_oracle_search(void)
{
	random_run(0, 20000, 0);
}

static void test_oracle_binome(void)
{
	random_run(1, 12000, 1);
}

void register_slots_suite(void)
{
	CU_pSuite s = CU_add_suite("slots", suite_init, suite_clean);
	CU_add_test(s, "first start rounded to 5 min after now", test_round_after_now);
	CU_add_test(s, "a slot must fit before the end", test_slot_must_fit);
	CU_add_test(s, "an RDV end realigns the slots", test_rdv_end_realigns);
	CU_add_test(s, "busy interval covering the plage", test_busy_covers_plage);
	CU_add_test(s, "absence across midnight", test_busy_across_midnight);
	CU_add_test(s, "touching, nested and empty intervals", test_touching_intervals);
	CU_add_test(s, "23 h and 25 h days, instants off the minute", test_dst_and_seconds);
	CU_add_test(s, "booking delays on the public side only", test_delays_public_only);
	CU_add_test(s, "window boundaries", test_window_bounds);
	CU_add_test(s, "one agent at two lieux", test_two_lieux_same_agent);
	CU_add_test(s, "agents at the same start, grouped view", test_agents_same_start_grouped);
	CU_add_test(s, "collective RDVs and seats", test_collective);
	CU_add_test(s, "binôme common slots", test_binome);
	CU_add_test(s, "slots_first", test_first);
	CU_add_test(s, "invalid queries", test_invalid);
	CU_add_test(s, "oracle: random schedules vs minute-by-minute", test_oracle_search);
	CU_add_test(s, "oracle: binôme vs minute-by-minute", test_oracle_binome);
}
