/*
 * bench_creneaux.c - server time of the créneaux search on a real database
 * (lib/creneaux: the motif, the plages+absences query, the RDVs query, the
 * expansion and lib/slots): a 4-week public search for one motif over all
 * the lieux of an organisation, then next availability over the motif's max
 * delay. Prints ms per call (median of the iterations).
 *
 * Build (after make build) and run against a stack with the demo data, e.g.
 *   nginx/stack.sh up var/bench-x 18090   (then DATABASE_URL as printed by it)
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Ilib tests/bench/bench_creneaux.c var/build/librdv.a \
 *       $(pkg-config --cflags --libs libpq jansson libsodium libcurl) -lm -o /tmp/bench-creneaux
 *   DATABASE_URL=… /tmp/bench-creneaux ["MDS d'Arras" "Consultation PMI nourrisson" iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "creneaux.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *url = getenv("DATABASE_URL");
	const char *org = argc > 1 ? argv[1] : "MDS d'Arras";
	const char *name = argc > 2 ? argv[2] : "Consultation PMI nourrisson";
	int iters = argc > 3 ? atoi(argv[3]) : 50;
	if (url == NULL || iters < 1 || iters > 100000) {
		fprintf(stderr, "DATABASE_URL must be set\n");
		return 2;
	}
	struct db *db = db_open(url, "bench-creneaux");
	struct arena *a = arena_new(1 << 20);
	char *id = db_s(db, a, "SELECT m.id FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
			       " WHERE o.name = $1 AND m.name = $2", org, name);
	if (id == NULL) {
		fprintf(stderr, "no motif \"%s\" in \"%s\"\n", name, org);
		return 1;
	}
	long long now = (long long)time(NULL);
	struct creneaux_query q = {.motif_id = strtoll(id, NULL, 10), .from = now, .to = now + 28 * 86400LL,
				   .now = now, .public_side = 1};
	double *t = calloc((size_t)iters, sizeof(*t)), *t2 = calloc((size_t)iters, sizeof(*t2));
	size_t n = 0;
	int found = 0;
	for (int i = 0; i < iters; i++) {
		arena_reset(a);
		struct slot *s, first;
		double t0 = now_ms();
		if (creneaux_search(db, a, &q, &s, &n) != 0) {
			fprintf(stderr, "search failed: %s\n", db->message);
			return 1;
		}
		double t1 = now_ms();
		found = creneaux_next(db, a, &q, &first);
		t2[i] = now_ms() - t1;
		t[i] = t1 - t0;
	}
	qsort(t, (size_t)iters, sizeof(*t), cmp_double);
	qsort(t2, (size_t)iters, sizeof(*t2), cmp_double);
	printf("creneaux_search 4 weeks, all lieux of %s, motif \"%s\": %zu slots, median %.2f ms, p90 %.2f ms\n",
	       org, name, n, t[iters / 2], t[iters * 9 / 10]);
	printf("creneaux_next (max delay): found=%d, median %.2f ms, p90 %.2f ms\n", found, t2[iters / 2],
	       t2[iters * 9 / 10]);
	free(t);
	free(t2);
	arena_free(a);
	db_close(db);
	return 0;
}
