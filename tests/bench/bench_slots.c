/*
 * bench_slots.c - micro-benchmark of the créneaux engine (lib/slots): a
 * 4-week public search for one motif over 20 agents with 3 weekly plages
 * each (240 occurrences) and ~500 busy intervals (RDVs and absences), then
 * the same data for slots_first and a binôme. Prints µs per call.
 *
 * Not part of the unit runner. Build and run:
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Ilib tests/bench/bench_slots.c lib/slots.c \
 *       lib/arena.c lib/rdv.c -o /tmp/bench-slots && /tmp/bench-slots [iterations]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "slots.h"

#define AGENTS 20
#define WEEKS 4
#define PLAGES 3
#define BUSY 500
#define MONDAY 1774224000LL /* a Monday, 00:00 UTC */
#define MIN 60LL
#define DAY 86400LL

static uint64_t rng = 42;

static uint64_t rnd(void) /* xorshift64 */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Each agent: three weekly plages on different days, mornings or afternoons,
 * at one of 4 lieux; occurrences shuffled as an unordered SQL result. */
static size_t make_occ(struct slot_occurrence *occ)
{
	size_t n = 0;
	for (int a = 1; a <= AGENTS; a++)
		for (int p = 0; p < PLAGES; p++) {
			int day = (a + 2 * p) % 5;
			long long start = (p % 2 ? 13 * 60 + 30 : 9 * 60) * MIN;
			long long len = (p % 2 ? 210 : 180) * MIN;
			for (int w = 0; w < WEEKS; w++) {
				long long s = MONDAY + (w * 7 + day) * DAY + start;
				occ[n++] = (struct slot_occurrence){s, s + len, a, 1 + (a + p) % 4};
			}
		}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		struct slot_occurrence t = occ[i];
		occ[i] = occ[j];
		occ[j] = t;
	}
	return n;
}

/* RDVs of 30 or 45 min inside the plages (may overlap: other motifs,
 * other organisations) and a few half-day absences. */
static size_t make_busy(const struct slot_occurrence *occ, size_t n_occ, struct slot_busy *b)
{
	size_t n = 0;
	while (n < BUSY - 20) {
		const struct slot_occurrence *o = &occ[rnd() % n_occ];
		long long s = o->start + (long long)(rnd() % 12) * 15 * MIN;
		b[n++] = (struct slot_busy){s, s + (rnd() % 2 ? 30 : 45) * MIN, o->agent_id};
	}
	while (n < BUSY) {
		long long s = MONDAY + (long long)(rnd() % (WEEKS * 7)) * DAY + 8 * 3600;
		b[n++] = (struct slot_busy){s, s + 5 * 3600, (long long)(rnd() % AGENTS) + 1};
	}
	return n;
}

static int cmp_occ(const void *pa, const void *pb)
{
	const struct slot_occurrence *a = pa, *b = pb;
	return (a->start > b->start) - (a->start < b->start);
}

static int cmp_busy(const void *pa, const void *pb)
{
	const struct slot_busy *a = pa, *b = pb;
	if (a->agent_id != b->agent_id)
		return a->agent_id < b->agent_id ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

enum what { SEARCH, FIRST, BINOME };

static double bench(struct arena *a, const struct slots_query *q, enum what w, int iters,
		    size_t *result)
{
	double t0 = now_us();
	for (int i = 0; i < iters; i++) {
		arena_reset(a);
		struct slot *s, f;
		size_t n = 0;
		int rc = w == FIRST ? slots_first(a, q, &f) : slots_search(a, q, &s, &n);
		if (rc < 0) {
			fprintf(stderr, "engine error %d\n", rc);
			exit(1);
		}
		*result = w == FIRST ? (size_t)rc : n;
	}
	return (now_us() - t0) / iters;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 20000;
	static struct slot_occurrence occ[AGENTS * PLAGES * WEEKS];
	static struct slot_busy busy[BUSY];
	size_t n_occ = make_occ(occ);
	size_t n_busy = make_busy(occ, n_occ, busy);
	struct arena *a = arena_new(256 * 1024);
	if (a == NULL || iters <= 0)
		return 1;

	struct slots_query q = {occ, n_occ, busy, n_busy, 30,
				{MONDAY + 8 * 3600 + 17 * MIN, MONDAY, MONDAY + WEEKS * 7 * DAY,
				 1, 1800, 7889238}, NULL, 0};
	size_t r;
	printf("%zu occurrences, %zu busy intervals, duration 30 min, %d iterations\n",
	       n_occ, n_busy, iters);
	double us = bench(a, &q, SEARCH, iters, &r);
	printf("slots_search, unsorted input: %8.1f us  (%zu slots)\n", us, r);
	us = bench(a, &q, FIRST, iters, &r);
	printf("slots_first,  unsorted input: %8.1f us  (found %zu)\n", us, r);

	qsort(occ, n_occ, sizeof(occ[0]), cmp_occ);
	qsort(busy, n_busy, sizeof(busy[0]), cmp_busy);
	us = bench(a, &q, SEARCH, iters, &r);
	printf("slots_search, sorted input:   %8.1f us  (%zu slots)\n", us, r);
	us = bench(a, &q, FIRST, iters, &r);
	printf("slots_first,  sorted input:   %8.1f us  (found %zu)\n", us, r);

	long long pair[] = {1, 7}; /* same day, lieu and half-day */
	q.required_agents = pair;
	q.n_required = 2;
	us = bench(a, &q, BINOME, iters, &r);
	printf("binôme (agents 1+7):          %8.1f us  (%zu slots)\n", us, r);
	arena_free(a);
	return 0;
}
