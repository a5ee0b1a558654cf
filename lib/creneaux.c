/*
 * creneaux.c - the database side of the créneaux engine (creneaux.h): the
 * motif, then ONE query for the plages of the motif intersecting the window
 * and the absences of their agents, ONE query for those agents' active RDVs
 * over the occurrences' span; recurrences expanded straight into the window
 * (lib/occurrences), then lib/slots does the arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "creneaux.h"
#include "creneaux_cache.h"
#include "occurrences.h"
#include "rdv.h"

#define CR_DAY 86400LL
/* creneaux_next without an upper bound (agent side): six months, as the reference. */
#define CR_DEFAULT_HORIZON (183 * CR_DAY)
/* creneaux_next looks at this first, then at the rest of the horizon at once. */
#define CR_FIRST_CHUNK (14 * CR_DAY)

/* Loads for the cache reach this far past the window's end, so that a
 * window sliding with "now" (booking delays) stays inside the stored one. */
#define CR_CACHE_MARGIN CR_DAY

#define cr_motif crc_motif

int creneaux_motif_read(const struct db *db, const PGresult *r, int row, int col, struct creneaux_motif *out)
{
	memset(out, 0, sizeof(*out));
	if (row >= PQntuples(r) || db_val(r, row, col + 1) == NULL)
		return 0;
	out->rules.duration = (int)db_ll(r, row, col + 1);
	out->rules.collectif = db_bool(r, row, col + 2);
	out->rules.min_delay = db_ll(r, row, col + 3);
	out->rules.max_delay = db_ll(r, row, col + 4);
	out->version = db->in_tx ? 0 : db_ll(r, row, col);
	return 1;
}

/* The motif, or RDV_ENOTFOUND when deleted, or (public side) not bookable
 * by anyone but agents, or (everyone_only) not by everyone or a follow-up.
 * With it, in the same statement, the schedule version (migration 0019)
 * when version is not NULL: 0 when the cache must not be used — inside a
 * transaction (its own uncommitted writes would be cached) or unreadable.
 * Read BEFORE (here: with) the data it vouches for. q->motif: the caller's
 * (creneaux.h), no round trip. */
static int creneaux_load_motif(struct db *db, struct arena *a, const struct creneaux_query *q, struct cr_motif *m,
			       long long *version)
{
	if (version != NULL)
		*version = 0;
	if (q->motif != NULL) {
		*m = q->motif->rules;
		if (version != NULL && !db->in_tx)
			*version = q->motif->version;
		return 0;
	}
	PGresult *r = db_q(db,
		"SELECT " CRENEAUX_MOTIF_COLS ", m.bookable_by <> 'agents',"
		" m.bookable_by = 'everyone' AND NOT m.follow_up"
		" FROM (SELECT 1) one LEFT JOIN motifs m ON m.id = $1 AND m.deleted_at IS NULL",
		db_int(a, q->motif_id));
	if (r == NULL)
		return db->err;
	struct creneaux_motif cm;
	int rc = RDV_ENOTFOUND;
	if (creneaux_motif_read(db, r, 0, 0, &cm) && (!q->public_side || db_bool(r, 0, 5)) &&
	    (!q->everyone_only || db_bool(r, 0, 6))) {
		*m = cm.rules;
		if (version != NULL)
			*version = cm.version;
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static struct slots_window creneaux_window(const struct creneaux_query *q, const struct cr_motif *m)
{
	return (struct slots_window){
		.now = q->now, .from = q->from, .to = q->to, .public_side = q->public_side,
		.min_delay = m->min_delay, .max_delay = m->max_delay,
	};
}

/* Where slot starts can fall at all: [lo, hi). Empty when lo >= hi. */
static void creneaux_bounds(const struct slots_window *w, long long *lo, long long *hi)
{
	*lo = w->from > w->now ? w->from : w->now;
	*hi = w->to;
	if (w->public_side) {
		if (*lo < w->now + w->min_delay)
			*lo = w->now + w->min_delay;
		if (*hi > w->now + w->max_delay + 1)
			*hi = w->now + w->max_delay + 1;
	}
}

/* What slots needs, loaded for slot starts in [lo, hi). */
struct cr_data {
	struct slot_occurrence *occ;
	size_t n_occ;
	struct slot_busy *busy;
	size_t n_busy, cap_busy;
};

static int cr_busy_push(struct arena *a, struct cr_data *d, long long start, long long end, long long agent)
{
	if (d->n_busy == d->cap_busy) {
		size_t cap = d->cap_busy * 2 + 64;
		struct slot_busy *grown = arena_alloc(a, cap * sizeof(*grown));
		if (grown == NULL)
			return RDV_ENOMEM;
		if (d->n_busy > 0)
			memcpy(grown, d->busy, d->n_busy * sizeof(*grown));
		d->busy = grown;
		d->cap_busy = cap;
	}
	d->busy[d->n_busy++] = (struct slot_busy){start, end, agent};
	return 0;
}

static int cr_occ_cmp(const void *x, const void *y)
{
	const struct slot_occurrence *a = x, *b = y;
	return (a->start > b->start) - (a->start < b->start);
}

/* Plage occurrences of the result's plage rows (kind 0) overlapping [lo, hi). */
static int cr_expand_plages(struct arena *a, const PGresult *r, long long lo, long long hi, struct cr_data *d)
{
	size_t cap = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		if (db_ll(r, i, 0) != 0)
			continue;
		struct series s;
		if (occurrences_parse_result(a, r, i, 3, &s) != 0)
			continue;   /* a malformed rule gives no slot rather than no page */
		struct occurrence *o;
		long long k = occurrences_expand_series(a, &s, lo, hi, 1, &o);
		if (k < 0)
			return (int)k;
		if (d->n_occ + (size_t)k > cap) {
			cap = (d->n_occ + (size_t)k) * 2 + 32;
			struct slot_occurrence *grown = arena_alloc(a, cap * sizeof(*grown));
			if (grown == NULL)
				return RDV_ENOMEM;
			if (d->n_occ > 0)
				memcpy(grown, d->occ, d->n_occ * sizeof(*grown));
			d->occ = grown;
		}
		for (long long j = 0; j < k; j++)
			d->occ[d->n_occ++] = (struct slot_occurrence){o[j].start, o[j].end, db_ll(r, i, 1),
								       db_ll(r, i, 2)};
	}
	/* slots_first skips its own sort when occurrences come by start. */
	if (d->n_occ > 1)
		qsort(d->occ, d->n_occ, sizeof(*d->occ), cr_occ_cmp);
	return 0;
}

/* Absence occurrences (kind 1) over [lo, hi) appended to the busy list. */
static int cr_expand_absences(struct arena *a, const PGresult *r, long long lo, long long hi, struct cr_data *d)
{
	for (int i = 0; i < PQntuples(r); i++) {
		if (db_ll(r, i, 0) != 1)
			continue;
		struct series s;
		if (occurrences_parse_result(a, r, i, 3, &s) != 0)
			continue;
		struct occurrence *o;
		long long k = occurrences_expand_series(a, &s, lo, hi, 0, &o);
		if (k < 0)
			return (int)k;
		for (long long j = 0; j < k; j++)
			if (cr_busy_push(a, d, o[j].start, o[j].end, db_ll(r, i, 1)) != 0)
				return RDV_ENOMEM;
	}
	return 0;
}

/* The distinct agents of the occurrences, as a bigint[] literal. */
static const char *cr_agents_of(struct arena *a, const struct cr_data *d)
{
	long long *ids = arena_alloc(a, (d->n_occ + 1) * sizeof(*ids));
	if (ids == NULL)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < d->n_occ; i++) {
		size_t j = 0;
		while (j < n && ids[j] != d->occ[i].agent_id)
			j++;
		if (j == n)
			ids[n++] = d->occ[i].agent_id;
	}
	return occurrences_id_array(a, ids, n);
}

/* Active RDVs of the occurrences' agents over [lo, hi), any organisation or motif. */
static int cr_load_rdvs(struct db *db, struct arena *a, long long lo, long long hi, struct cr_data *d)
{
	const char *agents = cr_agents_of(a, d);
	if (agents == NULL)
		return RDV_ENOMEM;
	PGresult *r = db_q(db,
		"SELECT ar.agent_id, extract(epoch FROM ar.starts_at)::bigint, extract(epoch FROM ar.ends_at)::bigint"
		" FROM agents_rdvs ar WHERE ar.active AND ar.agent_id = ANY($1::bigint[])"
		" AND tstzrange(ar.starts_at, ar.ends_at, '[)') && tstzrange(to_timestamp($2::float8), to_timestamp($3::float8), '[)')"
		" ORDER BY ar.agent_id, ar.starts_at",
		agents, db_int(a, lo), db_int(a, hi));
	if (r == NULL)
		return db->err;
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = cr_busy_push(a, d, db_ll(r, i, 1), db_ll(r, i, 2), db_ll(r, i, 0));
	PQclear(r);
	return rc;
}

/* Occurrences and busy time for slot starts in [lo, hi): two queries. */
static int creneaux_load(struct db *db, struct arena *a, const struct creneaux_query *q, long long lo, long long hi,
			 struct cr_data *d)
{
	memset(d, 0, sizeof(*d));
	/* A day of margin on each side: UTC offset, occurrences overlapping lo. */
	const char *d0 = occurrences_local_date(a, lo, -1), *d1 = occurrences_local_date(a, hi, 1);
	PGresult *r = db_q(db,
		"WITH p AS (SELECT po.* FROM plages_ouverture po"
		"  JOIN plage_ouverture_motifs pm ON pm.plage_ouverture_id = po.id AND pm.motif_id = $1"
		"  JOIN agents ag ON ag.id = po.agent_id AND ag.deleted_at IS NULL"
		"  LEFT JOIN lieux l ON l.id = po.lieu_id"
		"  WHERE " OCC_PLAGE_SPAN " && daterange($2::date, $3::date, '[]')"
		"  AND ($4::bigint = 0 OR po.lieu_id = $4)"
		"  AND (cardinality($5::bigint[]) = 0 OR po.agent_id = ANY($5::bigint[]))"
		"  AND (l.id IS NULL OR l.availability <> 'disabled'))"
		" SELECT 0, po.agent_id, coalesce(po.lieu_id, 0), " OCC_PLAGE_COLS " FROM p po"
		" UNION ALL"
		" SELECT 1, ab.agent_id, 0, " OCC_ABSENCE_COLS " FROM absences ab"
		"  WHERE ab.agent_id IN (SELECT agent_id FROM p)"
		"  AND " OCC_ABSENCE_SPAN " && daterange($2::date, $3::date, '[]')",
		db_int(a, q->motif_id), d0, d1, db_int(a, q->lieu_id),
		occurrences_id_array(a, q->agent_ids, q->agent_ids ? q->n_agents : 0));
	if (r == NULL)
		return db->err;
	int rc = cr_expand_plages(a, r, lo, hi, d);
	long long span_lo = lo, span_hi = hi;
	for (size_t i = 0; i < d->n_occ; i++) {
		if (d->occ[i].start < span_lo)
			span_lo = d->occ[i].start;
		if (d->occ[i].end > span_hi)
			span_hi = d->occ[i].end;
	}
	if (rc == 0 && d->n_occ > 0)
		rc = cr_expand_absences(a, r, span_lo, span_hi, d);
	PQclear(r);
	if (rc == 0 && d->n_occ > 0)
		rc = cr_load_rdvs(db, a, span_lo, span_hi, d);
	return rc;
}

static struct crc_key cr_key(const struct creneaux_query *q)
{
	return (struct crc_key){q->motif_id, q->lieu_id, q->agent_ids, q->agent_ids ? q->n_agents : 0, q->public_side};
}

/* creneaux_load through the cache: served from it when an entry of this
 * version covers [lo, hi), else loaded (with a margin) and stored. */
static int cr_load_cached(struct db *db, struct arena *a, const struct creneaux_query *q, long long version,
			  const struct cr_motif *m, long long lo, long long hi, struct cr_data *d)
{
	struct crc_key k = cr_key(q);
	struct crc_data c;
	memset(d, 0, sizeof(*d));
	int rc = crc_get(a, &k, version, lo, hi, &c);
	if (rc == 1) {
		d->occ = c.occ;
		d->n_occ = c.n_occ;
		d->busy = c.busy;
		d->n_busy = d->cap_busy = c.n_busy;
		return 0;
	}
	if (rc < 0)
		return rc;
	long long far = version > 0 ? hi + CR_CACHE_MARGIN : hi;
	rc = creneaux_load(db, a, q, lo, far, d);
	if (rc == 0 && version > 0)
		crc_put(&k, version, &(struct crc_data){*m, lo, far, d->occ, d->n_occ, d->busy, d->n_busy});
	return rc;
}

static struct crc_result_key cr_result_key(const struct creneaux_query *q)
{
	return (struct crc_result_key){cr_key(q), q->binome != 0, q->from, q->to, q->now};
}

static struct slots_query cr_slots_query(const struct creneaux_query *q, const struct cr_motif *m,
					 const struct cr_data *d, long long lo, long long hi)
{
	struct slots_query sq = {
		.occ = d->occ, .n_occ = d->n_occ, .busy = d->busy, .n_busy = d->n_busy,
		.duration_min = m->duration, .win = creneaux_window(q, m),
	};
	sq.win.from = lo;
	sq.win.to = hi;
	if (q->binome && q->agent_ids != NULL && q->n_agents >= 2) {
		sq.required_agents = q->agent_ids;
		sq.n_required = q->n_agents;
	}
	return sq;
}

int creneaux_collective(struct db *db, struct arena *a, const struct creneaux_query *q,
			struct slot_collective **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct cr_motif m;
	int rc = creneaux_load_motif(db, a, q, &m, NULL);
	if (rc != 0)
		return rc;
	struct slots_window w = creneaux_window(q, &m);
	long long lo, hi;
	creneaux_bounds(&w, &lo, &hi);
	if (lo >= hi)
		return 0;
	PGresult *r = db_q(db,
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint,"
		" coalesce(r.lieu_id, 0), coalesce(r.max_participants_count, 0), r.users_count"
		" FROM rdvs r WHERE r.motif_id = $1 AND r.collectif AND r.status <> 'revoked'"
		" AND r.starts_at >= to_timestamp($2::float8) AND r.starts_at < to_timestamp($3::float8)"
		" AND ($4::bigint = 0 OR r.lieu_id = $4)"
		" AND (cardinality($5::bigint[]) = 0 OR EXISTS (SELECT 1 FROM agents_rdvs ar"
		"      WHERE ar.rdv_id = r.id AND ar.agent_id = ANY($5::bigint[])))"
		" ORDER BY r.starts_at, r.id",
		db_int(a, q->motif_id), db_int(a, lo), db_int(a, hi), db_int(a, q->lieu_id),
		occurrences_id_array(a, q->agent_ids, q->agent_ids ? q->n_agents : 0));
	if (r == NULL)
		return db->err;
	size_t k = (size_t)PQntuples(r);
	struct slot_collective_rdv *rdvs = arena_alloc(a, (k + 1) * sizeof(*rdvs));
	if (rdvs == NULL) {
		PQclear(r);
		return RDV_ENOMEM;
	}
	for (size_t i = 0; i < k; i++)
		rdvs[i] = (struct slot_collective_rdv){db_ll(r, (int)i, 0), db_ll(r, (int)i, 1), db_ll(r, (int)i, 2),
							db_ll(r, (int)i, 3), (int)db_ll(r, (int)i, 4),
							(int)db_ll(r, (int)i, 5)};
	PQclear(r);
	return slots_collective(a, &w, rdvs, k, out, n);
}

/* Collective RDVs with seats as slots (agent_id 0: the RDV decides). */
static int creneaux_search_collective(struct db *db, struct arena *a, const struct creneaux_query *q,
				      struct slot **out, size_t *n)
{
	struct slot_collective *c;
	size_t k;
	int rc = creneaux_collective(db, a, q, &c, &k);
	if (rc != 0 || k == 0)
		return rc;
	struct slot *s = arena_alloc(a, k * sizeof(*s));
	if (s == NULL)
		return RDV_ENOMEM;
	for (size_t i = 0; i < k; i++)
		s[i] = (struct slot){c[i].start, c[i].end, 0, c[i].lieu_id};
	*out = s;
	*n = k;
	return 0;
}

int creneaux_search(struct db *db, struct arena *a, const struct creneaux_query *q,
		    struct slot **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	long long version;
	struct cr_motif m;
	int rc = creneaux_load_motif(db, a, q, &m, &version);
	if (rc != 0)
		return rc;
	if (m.collectif)
		return creneaux_search_collective(db, a, q, out, n);
	struct slots_window w = creneaux_window(q, &m);
	long long lo, hi;
	creneaux_bounds(&w, &lo, &hi);
	if (lo >= hi)
		return 0;
	/* The same search in the same second under the same version: the
	 * slots computed then are exactly what would be computed now. */
	struct crc_result_key rk = cr_result_key(q);
	rc = crc_result_get(a, &rk, version, out, n);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	struct cr_data d;
	rc = cr_load_cached(db, a, q, version, &m, lo, hi, &d);
	if (rc == 0 && d.n_occ > 0) {
		struct slots_query sq = cr_slots_query(q, &m, &d, lo, hi);
		rc = slots_search(a, &sq, out, n);
	}
	if (rc == 0)
		crc_result_put(&rk, version, *out, *n);
	return rc;
}

/* One chunk [lo, hi) of the next-availability search. */
static int creneaux_first_in(struct db *db, struct arena *a, const struct creneaux_query *q, long long version,
			     const struct cr_motif *m, long long lo, long long hi, struct slot *out)
{
	struct cr_data d;
	int rc = cr_load_cached(db, a, q, version, m, lo, hi, &d);
	if (rc != 0 || d.n_occ == 0)
		return rc;
	struct slots_query sq = cr_slots_query(q, m, &d, lo, hi);
	return slots_first(a, &sq, out);
}

int creneaux_next(struct db *db, struct arena *a, const struct creneaux_query *q, struct slot *out)
{
	long long version;
	struct cr_motif m;
	int rc = creneaux_load_motif(db, a, q, &m, &version);
	if (rc != 0)
		return rc;
	struct creneaux_query h = *q;
	if (h.to <= h.from)
		h.to = h.from + CR_DEFAULT_HORIZON;
	if (m.collectif) {
		struct slot *s;
		size_t n;
		rc = creneaux_search_collective(db, a, &h, &s, &n);
		if (rc == 0 && n > 0)
			*out = s[0];
		return rc < 0 ? rc : n > 0;
	}
	struct slots_window w = creneaux_window(&h, &m);
	long long lo, hi;
	creneaux_bounds(&w, &lo, &hi);
	if (lo >= hi)
		return 0;
	/* Two chunks, never a loop per week: most motifs have a slot within two
	 * weeks; otherwise the whole remaining horizon is expanded at once and
	 * slots_first stops at the earliest. */
	long long mid = hi - lo > CR_FIRST_CHUNK ? lo + CR_FIRST_CHUNK : hi;
	rc = creneaux_first_in(db, a, &h, version, &m, lo, mid, out);
	if (rc != 0 || mid >= hi)
		return rc;
	return creneaux_first_in(db, a, &h, version, &m, mid, hi, out);
}
