/*
 * slots.c - the créneaux engine (see slots.h for the rules and ownership).
 *
 * Shape of the computation:
 *   1. busy intervals are sorted by (agent, start) and merged per agent, so
 *      one binary search finds the first busy block that can touch an
 *      occurrence and a forward walk subtracts the blocks (sort + sweep: no
 *      occurrence ever looks at another agent's or a past block);
 *   2. each free interval yields its slots by arithmetic (first start, then
 *      a count), so the output array is sized exactly before it is filled;
 *   3. the occurrences (by start) are merged with a heap of the ones open
 *      at the current slot, each one's slots coming in order, and written
 *      de-duplicated: the output is never sorted.
 * Binôme queries collect free intervals instead, take their union per
 * (lieu, agent) and intersect the agents' lists with two pointers.
 */
#include "slots.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "rdv.h"

/* Where a slot start t may fall: lo <= t < hi; now drives the rounding. */
struct bounds {
	long long now, lo, hi;
	long long step; /* motif duration in seconds: slot length and stride */
};

/* The merged busy blocks: sorted by (agent_id, start), disjoint and not
 * touching within one agent, so ends are sorted too. */
struct busy_index {
	const struct slot_busy *v;
	size_t n;
};

/* Walks the free intervals of one occurrence (occurrence minus busy). */
struct free_iter {
	long long pos, end, agent_id;
	const struct slot_busy *b, *stop;
};

/* An array in the arena, NULL when n * size overflows or memory is out. */
static void *alloc_array(struct arena *a, size_t n, size_t size)
{
	if (n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

/* ---------------------------------------------------------------- checks */

static int time_ok(long long t)
{
	return t >= -SLOTS_TIME_LIMIT && t <= SLOTS_TIME_LIMIT;
}

static int span_ok(long long start, long long end)
{
	return time_ok(start) && time_ok(end) && end >= start;
}

static int window_ok(const struct slots_window *w)
{
	if (w == NULL || !time_ok(w->now) || !time_ok(w->from) || !time_ok(w->to))
		return 0;
	if (!w->public_side)
		return 1;
	return w->min_delay >= 0 && w->min_delay <= SLOTS_TIME_LIMIT &&
	       w->max_delay >= 0 && w->max_delay <= SLOTS_TIME_LIMIT;
}

static int query_ok(const struct slots_query *q)
{
	if (q == NULL || q->duration_min < 1 || q->duration_min > SLOTS_DURATION_MAX)
		return 0;
	if ((q->occ == NULL && q->n_occ > 0) || (q->busy == NULL && q->n_busy > 0) ||
	    (q->required_agents == NULL && q->n_required > 0))
		return 0;
	if (!window_ok(&q->win))
		return 0;
	for (size_t i = 0; i < q->n_occ; i++)
		if (!span_ok(q->occ[i].start, q->occ[i].end))
			return 0;
	for (size_t i = 0; i < q->n_busy; i++)
		if (!span_ok(q->busy[i].start, q->busy[i].end))
			return 0;
	return 1;
}

/* The window rules folded into [lo, hi). Inputs are within ±LIMIT, so the
 * sums below cannot overflow. t >= now is implied by the rounding, but lo
 * includes it anyway so collective RDVs share the same bounds. */
static void bounds_make(const struct slots_window *w, long long step, struct bounds *bd)
{
	bd->now = w->now;
	bd->step = step;
	bd->lo = w->from > w->now ? w->from : w->now;
	bd->hi = w->to;
	if (w->public_side) {
		long long earliest = w->now + w->min_delay;
		long long after_latest = w->now + w->max_delay + 1; /* t <= now + max */
		if (earliest > bd->lo)
			bd->lo = earliest;
		if (after_latest < bd->hi)
			bd->hi = after_latest;
	}
}

/* -------------------------------------------------------------- ordering */

static int cmp_ll(long long a, long long b)
{
	return (a > b) - (a < b);
}

/* The output order: (start, lieu, agent). */
static int slot_cmp(const struct slot *a, const struct slot *b)
{
	int c = cmp_ll(a->start, b->start);
	if (c == 0)
		c = cmp_ll(a->lieu_id, b->lieu_id);
	if (c == 0)
		c = cmp_ll(a->agent_id, b->agent_id);
	return c;
}

static int qsort_busy(const void *pa, const void *pb)
{
	const struct slot_busy *a = pa, *b = pb;
	int c = cmp_ll(a->agent_id, b->agent_id);
	return c ? c : cmp_ll(a->start, b->start);
}

static int qsort_occ_start(const void *pa, const void *pb)
{
	const struct slot_occurrence *a = pa, *b = pb;
	return cmp_ll(a->start, b->start);
}

/* Free intervals in binôme mode: (lieu, agent, start). */
static int qsort_free(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;
	int c = cmp_ll(a->lieu_id, b->lieu_id);
	if (c == 0)
		c = cmp_ll(a->agent_id, b->agent_id);
	return c ? c : cmp_ll(a->start, b->start);
}

static int qsort_ll(const void *a, const void *b)
{
	return cmp_ll(*(const long long *)a, *(const long long *)b);
}

/* Merges two sorted runs into dst. */
static void merge_runs(const struct slot *x, size_t nx, const struct slot *y, size_t ny,
		       struct slot *dst)
{
	size_t i = 0, j = 0, k = 0;
	while (i < nx && j < ny)
		dst[k++] = slot_cmp(&y[j], &x[i]) < 0 ? y[j++] : x[i++];
	memcpy(dst + k, x + i, (nx - i) * sizeof(*x));
	memcpy(dst + k + nx - i, y + j, (ny - j) * sizeof(*y));
}

/* Bottom-up natural merge sort. The slots of one free interval come out in
 * order, so runs are long and merges few; with the comparison inlined this
 * is several times cheaper than qsort, which dominated the profile. */
static int slots_sort(struct arena *a, struct slot *s, size_t n)
{
	size_t *run = alloc_array(a, n + 1, sizeof(*run));
	struct slot *tmp = alloc_array(a, n, sizeof(*tmp));
	if (run == NULL || tmp == NULL)
		return RDV_ENOMEM;
	size_t nr = 0; /* run r is [run[r], run[r + 1]) */
	run[nr++] = 0;
	for (size_t i = 1; i < n; i++)
		if (slot_cmp(&s[i], &s[i - 1]) < 0)
			run[nr++] = i;
	run[nr] = n;
	struct slot *src = s, *dst = tmp;
	while (nr > 1) {
		size_t k = 0;
		for (size_t r = 0; r < nr; r += 2) {
			size_t lo = run[r], mid = run[r + 1];
			size_t hi = r + 1 < nr ? run[r + 2] : mid;
			merge_runs(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
			run[k++] = lo; /* k <= r: the entries still to read are intact */
		}
		run[k] = n;
		nr = k;
		struct slot *t = src;
		src = dst;
		dst = t;
	}
	if (src != s)
		memcpy(s, src, n * sizeof(*s));
	return 0;
}

/* Sorted and de-duplicated in place; *n is updated. */
static int slots_sort_unique(struct arena *a, struct slot *s, size_t *n)
{
	if (*n < 2)
		return 0;
	int rc = slots_sort(a, s, *n);
	if (rc < 0)
		return rc;
	size_t k = 1;
	for (size_t i = 1; i < *n; i++)
		if (slot_cmp(&s[i], &s[k - 1]) != 0)
			s[k++] = s[i];
	*n = k;
	return 0;
}

/* ------------------------------------------------------------ busy index */

/* How much work the busy list needs: 2 = already in index form (sorted by
 * (agent, start), no overlap, no touching, nothing empty), 1 = sorted but to
 * be merged, 0 = to be sorted. SQL callers that ORDER BY agent_id, starts_at
 * save the sort. */
static int busy_order(const struct slot_busy *b, size_t n)
{
	int clean = 1;
	for (size_t i = 0; i < n; i++) {
		if (b[i].end <= b[i].start)
			clean = 0;
		if (i == 0)
			continue;
		if (b[i].agent_id < b[i - 1].agent_id ||
		    (b[i].agent_id == b[i - 1].agent_id && b[i].start < b[i - 1].start))
			return 0;
		if (b[i].agent_id == b[i - 1].agent_id && b[i].start <= b[i - 1].end)
			clean = 0;
	}
	return clean ? 2 : 1;
}

/* Copy (sorting by (agent, start) only when needed) and merge overlapping
 * and touching blocks: O(b) for sorted input, O(b log b) otherwise. */
static int busy_index_make(struct arena *a, const struct slot_busy *b, size_t n,
			   struct busy_index *ix)
{
	int order = busy_order(b, n);
	if (order == 2) {
		ix->v = b;
		ix->n = n;
		return 0;
	}
	struct slot_busy *v = alloc_array(a, n, sizeof(*v));
	if (v == NULL)
		return RDV_ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (b[i].end > b[i].start)
			v[m++] = b[i];
	if (order == 0)
		qsort(v, m, sizeof(*v), qsort_busy);
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		if (k > 0 && v[k - 1].agent_id == v[i].agent_id && v[i].start <= v[k - 1].end) {
			if (v[i].end > v[k - 1].end)
				v[k - 1].end = v[i].end;
		} else {
			v[k++] = v[i];
		}
	}
	ix->v = v;
	ix->n = k;
	return 0;
}

/* First block of `agent` ending after t, or the first block of a later
 * agent: the only blocks that can cut [t, ...). */
static size_t busy_lower(const struct busy_index *ix, long long agent, long long t)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct slot_busy *b = &ix->v[mid];
		if (b->agent_id < agent || (b->agent_id == agent && b->end <= t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* -------------------------------------------------------- free intervals */

static void free_iter_init(struct free_iter *it, const struct slot_occurrence *o,
			   const struct busy_index *ix)
{
	it->pos = o->start;
	it->end = o->end;
	it->agent_id = o->agent_id;
	it->b = ix->v + busy_lower(ix, o->agent_id, o->start);
	it->stop = ix->v + ix->n;
}

/* Next free interval [*fs, *fe) of the occurrence; 0 when done. Half-open
 * intervals: a block ending at pos or starting at end does not cut. */
static int free_iter_next(struct free_iter *it, long long *fs, long long *fe)
{
	while (it->pos < it->end) {
		const struct slot_busy *b = it->b;
		if (b == it->stop || b->agent_id != it->agent_id || b->start >= it->end) {
			*fs = it->pos;
			*fe = it->end;
			it->pos = it->end;
			return 1;
		}
		it->b++;
		long long gap_start = it->pos;
		if (b->end > it->pos)
			it->pos = b->end;
		if (b->start > gap_start) {
			*fs = gap_start;
			*fe = b->start;
			return 1;
		}
	}
	return 0;
}

/* ----------------------------------------------------------------- slots */

/* Reference 3.6: an interval that began before now starts at its own start
 * plus the smallest multiple of 5 minutes reaching now — rounded from the
 * interval start, not from the clock. */
static long long first_start(long long fs, long long now)
{
	if (fs >= now)
		return fs;
	long long late = now - fs;
	return fs + (late + SLOTS_ROUNDING - 1) / SLOTS_ROUNDING * SLOTS_ROUNDING;
}

/* Number of slots of the free interval [fs, fe) and the first one's start:
 * pure arithmetic, so counting and filling cost O(1) per interval. */
static size_t interval_slots(const struct bounds *bd, long long fs, long long fe,
			     long long *first)
{
	long long t = first_start(fs, bd->now);
	if (t < bd->lo) /* skip whole steps: the window never moves the grid */
		t += (bd->lo - t + bd->step - 1) / bd->step * bd->step;
	long long last = fe - bd->step; /* latest start that fits */
	if (bd->hi - 1 < last)
		last = bd->hi - 1;
	if (t > last)
		return 0;
	*first = t;
	return (size_t)((last - t) / bd->step) + 1;
}

static size_t emit(const struct bounds *bd, long long fs, long long fe,
		   long long agent_id, long long lieu_id, struct slot *dst)
{
	long long t = 0;
	size_t k = interval_slots(bd, fs, fe, &t);
	if (dst != NULL)
		for (size_t i = 0; i < k; i++, t += bd->step)
			dst[i] = (struct slot){t, t + bd->step, agent_id, lieu_id};
	return k;
}

/* Can this occurrence hold any slot of the window? Cheap pre-filter. */
static int occ_in_bounds(const struct slot_occurrence *o, const struct bounds *bd)
{
	return o->end > o->start && o->start < bd->hi && o->end - bd->step >= bd->lo;
}

/* Slots of one occurrence written to dst (or only counted if dst is NULL). */
static size_t occ_slots(const struct slot_occurrence *o, const struct busy_index *ix,
			const struct bounds *bd, struct slot *dst)
{
	struct free_iter it;
	long long fs, fe;
	size_t k = 0;
	free_iter_init(&it, o, ix);
	while (free_iter_next(&it, &fs, &fe))
		k += emit(bd, fs, fe, o->agent_id, o->lieu_id, dst ? dst + k : NULL);
	return k;
}

static int occ_wanted(const struct slots_query *q, const struct slot_occurrence *o)
{
	return q->n_required == 0 || o->agent_id == q->required_agents[0];
}

static int occ_sorted(const struct slot_occurrence *o, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (o[i].start < o[i - 1].start)
			return 0;
	return 1;
}

/* The slots of one occurrence, one at a time, in order. */
struct slot_gen {
	struct free_iter it;
	struct slot cur;    /* the next slot */
	long long last;     /* the last start of the current free interval */
	long long step;
};

/* Moves g to its next slot: 1, or 0 when the occurrence has no more. */
static int gen_next(struct slot_gen *g, const struct bounds *bd)
{
	if (g->cur.start < g->last) {
		g->cur.start += g->step;
		g->cur.end += g->step;
		return 1;
	}
	long long fs, fe, t;
	while (free_iter_next(&g->it, &fs, &fe)) {
		size_t k = interval_slots(bd, fs, fe, &t);
		if (k > 0) {
			g->cur.start = t;
			g->cur.end = t + g->step;
			g->last = t + (long long)(k - 1) * g->step;
			return 1;
		}
	}
	return 0;
}

/* Min-heap of generators by their next slot (slot_cmp). */
struct gen_heap {
	struct slot_gen **v;
	size_t n;
};

static void heap_down(struct gen_heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < h->n && slot_cmp(&h->v[l]->cur, &h->v[m]->cur) < 0)
			m = l;
		if (l + 1 < h->n && slot_cmp(&h->v[l + 1]->cur, &h->v[m]->cur) < 0)
			m = l + 1;
		if (m == i)
			return;
		struct slot_gen *t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

static void heap_push(struct gen_heap *h, struct slot_gen *g)
{
	size_t i = h->n++;
	h->v[i] = g;
	while (i > 0 && slot_cmp(&h->v[i]->cur, &h->v[(i - 1) / 2]->cur) < 0) {
		struct slot_gen *t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/* The occurrences by start: q->occ itself when already so, else a sorted copy. */
static const struct slot_occurrence *occ_by_start(struct arena *a, const struct slots_query *q)
{
	if (occ_sorted(q->occ, q->n_occ))
		return q->occ;
	struct slot_occurrence *copy = alloc_array(a, q->n_occ, sizeof(*copy));
	if (copy == NULL)
		return NULL;
	memcpy(copy, q->occ, q->n_occ * sizeof(*copy));
	qsort(copy, q->n_occ, sizeof(*copy), qsort_occ_start);
	return copy;
}

/* Merges the occurrences' slot streams into s (sorted, de-duplicated; at
 * most `total` of them): no slot of an occurrence precedes its start, so an
 * occurrence joins the heap only once the smallest pending slot reaches
 * its start, and the heap holds the occurrences open at that time. */
static size_t merge_slots(const struct slots_query *q, const struct slot_occurrence *occ,
			  const struct busy_index *ix, const struct bounds *bd, struct slot_gen *gens,
			  struct gen_heap *h, struct slot *s)
{
	size_t k = 0, i = 0;
	for (;;) {
		while (i < q->n_occ && (h->n == 0 || occ[i].start <= h->v[0]->cur.start)) {
			const struct slot_occurrence *o = &occ[i++];
			if (!occ_wanted(q, o) || !occ_in_bounds(o, bd))
				continue;
			struct slot_gen *g = &gens[i - 1];
			free_iter_init(&g->it, o, ix);
			g->cur = (struct slot){LLONG_MIN, LLONG_MIN, o->agent_id, o->lieu_id};
			g->last = LLONG_MIN;   /* no current interval yet */
			g->step = bd->step;
			if (gen_next(g, bd))
				heap_push(h, g);
		}
		if (h->n == 0)
			return k;
		struct slot_gen *top = h->v[0];
		if (k == 0 || slot_cmp(&top->cur, &s[k - 1]) != 0)
			s[k++] = top->cur;
		if (!gen_next(top, bd))
			h->v[0] = h->v[--h->n];
		heap_down(h, 0);
	}
}

/* Ordinary search: count (an upper bound), allocate once, merge the
 * occurrences' sorted streams while de-duplicating: no sort of the output. */
static int search_plain(struct arena *a, const struct slots_query *q,
			const struct busy_index *ix, const struct bounds *bd,
			struct slot **out, size_t *n)
{
	size_t total = 0;
	for (size_t i = 0; i < q->n_occ; i++)
		if (occ_wanted(q, &q->occ[i]) && occ_in_bounds(&q->occ[i], bd))
			total += occ_slots(&q->occ[i], ix, bd, NULL);
	if (total == 0)
		return 0;
	struct slot *s = alloc_array(a, total, sizeof(*s));
	const struct slot_occurrence *occ = occ_by_start(a, q);
	struct slot_gen *gens = alloc_array(a, q->n_occ, sizeof(*gens));
	struct gen_heap h = {alloc_array(a, q->n_occ, sizeof(*h.v)), 0};
	if (s == NULL || occ == NULL || gens == NULL || h.v == NULL)
		return RDV_ENOMEM;
	*out = s;
	*n = merge_slots(q, occ, ix, bd, gens, &h, s);
	return 0;
}

/* ---------------------------------------------------------------- binôme */

struct binome {
	const long long *agents; /* sorted, distinct */
	size_t n_agents;
	long long lead;          /* required_agents[0]: the agent_id reported */
};

static int binome_has(const struct binome *bn, long long agent)
{
	return bsearch(&agent, bn->agents, bn->n_agents, sizeof(long long), qsort_ll) != NULL;
}

/* Distinct required agents, sorted, in the arena. */
static int binome_make(struct arena *a, const struct slots_query *q, struct binome *bn)
{
	long long *v = alloc_array(a, q->n_required, sizeof(*v));
	if (v == NULL)
		return RDV_ENOMEM;
	memcpy(v, q->required_agents, q->n_required * sizeof(*v));
	qsort(v, q->n_required, sizeof(*v), qsort_ll);
	size_t k = 1;
	for (size_t i = 1; i < q->n_required; i++)
		if (v[i] != v[k - 1])
			v[k++] = v[i];
	bn->agents = v;
	bn->n_agents = k;
	bn->lead = q->required_agents[0];
	return 0;
}

/* Free intervals of the binôme's occurrences (count when dst is NULL). No
 * window pre-filter here: a union can join an interval outside the window
 * to one inside and so move the alignment. Only occurrences starting a full
 * step after the window cannot matter. */
static size_t binome_collect(const struct slots_query *q, const struct binome *bn,
			     const struct busy_index *ix, const struct bounds *bd,
			     struct slot *dst)
{
	size_t k = 0;
	for (size_t i = 0; i < q->n_occ; i++) {
		const struct slot_occurrence *o = &q->occ[i];
		if (o->end <= o->start || o->start >= bd->hi + bd->step ||
		    !binome_has(bn, o->agent_id))
			continue;
		struct free_iter it;
		long long fs, fe;
		free_iter_init(&it, o, ix);
		while (free_iter_next(&it, &fs, &fe)) {
			if (dst != NULL)
				dst[k] = (struct slot){fs, fe, o->agent_id, o->lieu_id};
			k++;
		}
	}
	return k;
}

/* Union per (lieu, agent): sort, then join overlapping and touching ones,
 * since an agent free 9:00-10:30 and 10:30-12:00 at a lieu is simply free. */
static size_t free_union(struct slot *f, size_t n)
{
	qsort(f, n, sizeof(*f), qsort_free);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct slot *last = k > 0 ? &f[k - 1] : NULL;
		if (last != NULL && last->lieu_id == f[i].lieu_id &&
		    last->agent_id == f[i].agent_id && f[i].start <= last->end) {
			if (f[i].end > last->end)
				last->end = f[i].end;
		} else {
			f[k++] = f[i];
		}
	}
	return k;
}

/* Two pointers over two sorted disjoint lists; the result is disjoint and
 * never touching when the inputs are not. */
static size_t intersect(const struct slot *x, size_t nx, const struct slot *y, size_t ny,
			struct slot *dst)
{
	size_t i = 0, j = 0, k = 0;
	while (i < nx && j < ny) {
		long long s = x[i].start > y[j].start ? x[i].start : y[j].start;
		long long e = x[i].end < y[j].end ? x[i].end : y[j].end;
		if (s < e)
			dst[k++] = (struct slot){s, e, x[i].agent_id, x[i].lieu_id};
		if (x[i].end < y[j].end)
			i++;
		else
			j++;
	}
	return k;
}

/* Scratch for the intersection of one lieu: ping-pong buffers. */
struct common {
	struct slot *buf[2];
	struct slot *out; /* common intervals of all lieux so far */
	size_t n_out;
};

/* One lieu's block f[0..n) sorted by agent: intersect the binôme's lists
 * if every agent has one, appending the result to c->out. */
static void binome_lieu(const struct binome *bn, const struct slot *f, size_t n,
			struct common *c)
{
	const struct slot *cur = NULL;
	size_t n_cur = 0, j = 0, flip = 0;
	for (size_t r = 0; r < bn->n_agents; r++) {
		while (j < n && f[j].agent_id < bn->agents[r])
			j++;
		size_t start = j;
		while (j < n && f[j].agent_id == bn->agents[r])
			j++;
		if (j == start)
			return; /* this agent never works here */
		if (cur == NULL) {
			cur = f + start;
			n_cur = j - start;
			continue;
		}
		n_cur = intersect(cur, n_cur, f + start, j - start, c->buf[flip]);
		cur = c->buf[flip];
		flip ^= 1;
		if (n_cur == 0)
			return;
	}
	memcpy(c->out + c->n_out, cur, n_cur * sizeof(*cur));
	c->n_out += n_cur;
}

static int common_make(struct arena *a, size_t n, struct common *c)
{
	c->buf[0] = alloc_array(a, n, sizeof(struct slot));
	c->buf[1] = alloc_array(a, n, sizeof(struct slot));
	c->out = alloc_array(a, n, sizeof(struct slot));
	c->n_out = 0;
	return c->buf[0] && c->buf[1] && c->out ? 0 : RDV_ENOMEM;
}

/* Slot the common intervals: one slot per start, reported for the lead. */
static int binome_slots(struct arena *a, const struct binome *bn, const struct bounds *bd,
			const struct common *c, struct slot **out, size_t *n)
{
	size_t total = 0;
	for (size_t i = 0; i < c->n_out; i++)
		total += emit(bd, c->out[i].start, c->out[i].end, 0, 0, NULL);
	if (total == 0)
		return 0;
	struct slot *s = alloc_array(a, total, sizeof(*s));
	if (s == NULL)
		return RDV_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < c->n_out; i++)
		k += emit(bd, c->out[i].start, c->out[i].end, bn->lead, c->out[i].lieu_id, s + k);
	*out = s;
	*n = k;
	return slots_sort_unique(a, s, n);
}

static int search_binome(struct arena *a, const struct slots_query *q, const struct binome *bn,
			 const struct busy_index *ix, const struct bounds *bd,
			 struct slot **out, size_t *n)
{
	size_t nf = binome_collect(q, bn, ix, bd, NULL);
	if (nf == 0)
		return 0;
	struct slot *f = alloc_array(a, nf, sizeof(*f));
	struct common c;
	if (f == NULL || common_make(a, nf, &c) != 0)
		return RDV_ENOMEM;
	binome_collect(q, bn, ix, bd, f);
	nf = free_union(f, nf);
	for (size_t i = 0; i < nf;) {
		size_t j = i;
		while (j < nf && f[j].lieu_id == f[i].lieu_id)
			j++;
		binome_lieu(bn, f + i, j - i, &c);
		i = j;
	}
	return binome_slots(a, bn, bd, &c, out, n);
}

/* ---------------------------------------------------------------- search */

/* Validation and the shared preparation of slots_search and slots_first.
 * Returns 1 when the query can have slots, 0 when it cannot, <0 on error;
 * bn->n_agents >= 2 means binôme mode. */
static int prepare(struct arena *a, const struct slots_query *q, struct busy_index *ix,
		   struct bounds *bd, struct binome *bn)
{
	if (a == NULL || !query_ok(q))
		return RDV_EINVAL;
	bounds_make(&q->win, (long long)q->duration_min * 60, bd);
	bn->n_agents = 0;
	if (bd->lo >= bd->hi || q->n_occ == 0)
		return 0;
	int rc = busy_index_make(a, q->busy, q->n_busy, ix);
	if (rc == 0 && q->n_required > 1)
		rc = binome_make(a, q, bn);
	return rc < 0 ? rc : 1;
}

int slots_search(struct arena *a, const struct slots_query *q, struct slot **out, size_t *n)
{
	if (out == NULL || n == NULL)
		return RDV_EINVAL;
	*out = NULL;
	*n = 0;
	struct busy_index ix;
	struct bounds bd;
	struct binome bn;
	int rc = prepare(a, q, &ix, &bd, &bn);
	if (rc <= 0)
		return rc;
	if (bn.n_agents >= 2)
		rc = search_binome(a, q, &bn, &ix, &bd, out, n);
	else
		rc = search_plain(a, q, &ix, &bd, out, n);
	if (rc < 0) {
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ----------------------------------------------------------------- first */

/* The occurrence's own first slot: the first free interval holding one. */
static int occ_first(const struct slot_occurrence *o, const struct busy_index *ix,
		     const struct bounds *bd, struct slot *best)
{
	struct free_iter it;
	long long fs, fe, t;
	free_iter_init(&it, o, ix);
	while (free_iter_next(&it, &fs, &fe)) {
		if (interval_slots(bd, fs, fe, &t) > 0) {
			*best = (struct slot){t, t + bd->step, o->agent_id, o->lieu_id};
			return 1;
		}
	}
	return 0;
}

/* Every slot of an occurrence starts at or after the occurrence, so once
 * occurrences (by start) begin after the best slot found, none can win. */
static int first_plain(const struct slots_query *q, const struct slot_occurrence *occ,
		       const struct busy_index *ix, const struct bounds *bd, struct slot *out)
{
	int found = 0;
	struct slot cand;
	for (size_t i = 0; i < q->n_occ; i++) {
		const struct slot_occurrence *o = &occ[i];
		if (found && o->start > out->start)
			break;
		if (!occ_wanted(q, o) || !occ_in_bounds(o, bd) || !occ_first(o, ix, bd, &cand))
			continue;
		if (!found || slot_cmp(&cand, out) < 0)
			*out = cand;
		found = 1;
	}
	return found;
}

int slots_first(struct arena *a, const struct slots_query *q, struct slot *out)
{
	if (out == NULL)
		return RDV_EINVAL;
	struct busy_index ix;
	struct bounds bd;
	struct binome bn;
	int rc = prepare(a, q, &ix, &bd, &bn);
	if (rc <= 0)
		return rc;
	if (bn.n_agents >= 2) {
		struct slot *s = NULL;
		size_t n = 0;
		rc = search_binome(a, q, &bn, &ix, &bd, &s, &n);
		if (rc == 0 && n > 0)
			*out = s[0];
		return rc < 0 ? rc : n > 0;
	}
	const struct slot_occurrence *occ = occ_by_start(a, q);
	if (occ == NULL)
		return RDV_ENOMEM;
	return first_plain(q, occ, &ix, &bd, out);
}

/* ----------------------------------------------------------------- group */

int slots_group(struct arena *a, const struct slot *slots, size_t n,
		struct slot_group **out, size_t *n_out)
{
	if (a == NULL || out == NULL || n_out == NULL || (slots == NULL && n > 0))
		return RDV_EINVAL;
	*out = NULL;
	*n_out = 0;
	size_t groups = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || slots[i].start != slots[i - 1].start ||
		    slots[i].lieu_id != slots[i - 1].lieu_id)
			groups++;
	if (groups == 0)
		return 0;
	struct slot_group *g = alloc_array(a, groups, sizeof(*g));
	if (g == NULL)
		return RDV_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && slots[j].start == slots[i].start && slots[j].lieu_id == slots[i].lieu_id)
			j++;
		g[k++] = (struct slot_group){slots[i].start, slots[i].end, slots[i].lieu_id,
					     slots[i].agent_id, j - i, slots + i};
		i = j;
	}
	*out = g;
	*n_out = k;
	return 0;
}

/* ------------------------------------------------------------ collective */

static int qsort_collective(const void *pa, const void *pb)
{
	const struct slot_collective *a = pa, *b = pb;
	int c = cmp_ll(a->start, b->start);
	return c ? c : cmp_ll(a->rdv_id, b->rdv_id);
}

static int collective_ok(const struct slot_collective_rdv *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!span_ok(r[i].start, r[i].end) || r[i].seats_max < 0 || r[i].seats_taken < 0)
			return 0;
	return 1;
}

static int collective_open(const struct slot_collective_rdv *r, const struct bounds *bd)
{
	return r->start >= bd->lo && r->start < bd->hi &&
	       (r->seats_max == 0 || r->seats_taken < r->seats_max);
}

int slots_collective(struct arena *a, const struct slots_window *w,
		     const struct slot_collective_rdv *rdvs, size_t n_rdvs,
		     struct slot_collective **out, size_t *n)
{
	if (out == NULL || n == NULL)
		return RDV_EINVAL;
	*out = NULL;
	*n = 0;
	if (a == NULL || !window_ok(w) || (rdvs == NULL && n_rdvs > 0) ||
	    !collective_ok(rdvs, n_rdvs))
		return RDV_EINVAL;
	struct bounds bd;
	bounds_make(w, 1, &bd);
	size_t total = 0;
	for (size_t i = 0; i < n_rdvs; i++)
		total += (size_t)collective_open(&rdvs[i], &bd);
	if (total == 0)
		return 0;
	struct slot_collective *s = alloc_array(a, total, sizeof(*s));
	if (s == NULL)
		return RDV_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n_rdvs; i++) {
		const struct slot_collective_rdv *r = &rdvs[i];
		if (collective_open(r, &bd))
			s[k++] = (struct slot_collective){
				r->rdv_id, r->start, r->end, r->lieu_id,
				r->seats_max == 0 ? -1 : r->seats_max - r->seats_taken};
	}
	qsort(s, k, sizeof(*s), qsort_collective);
	*out = s;
	*n = k;
	return 0;
}
