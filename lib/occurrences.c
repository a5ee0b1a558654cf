/*
 * occurrences.c - plages and absences rows → occurrences in a UTC window
 * (see occurrences.h): row parsing, exceptions, holidays, and the loader the
 * agenda uses.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "occurrences.h"
#include "rdv.h"
#include "tz.h"

/* A day number, minutes, or offset: a plain decimal integer. */
static int occ_parse_ll(const char *s, long long min, long long max, long long *out)
{
	if (s == NULL || *s == '\0')
		return RDV_EINVAL;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return RDV_EINVAL;
	*out = v;
	return 0;
}

static int occ_cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a > b) - (a < b);
}

/* "20454,20461" → sorted int array in the arena. */
static int occ_parse_days(struct arena *a, const char *csv, const int **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (csv == NULL || *csv == '\0')
		return 0;
	size_t cap = 1;
	for (const char *p = csv; *p; p++)
		cap += *p == ',';
	int *days = arena_alloc(a, cap * sizeof(*days));
	if (days == NULL)
		return RDV_ENOMEM;
	size_t k = 0;
	const char *p = csv;
	while (*p && k < cap) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			return RDV_EINVAL;
		days[k++] = (int)v;
		p = *end == ',' ? end + 1 : end;
	}
	qsort(days, k, sizeof(*days), occ_cmp_int);
	*out = days;
	*n = k;
	return 0;
}

int occurrences_parse(struct arena *a, const char *const cols[OCC_NCOLS], struct series *out)
{
	long long first, start, end, off;
	memset(out, 0, sizeof(*out));
	if (occ_parse_ll(cols[0], -1000000, 3000000, &first) || occ_parse_ll(cols[1], 0, 1439, &start) ||
	    occ_parse_ll(cols[2], 0, 1440, &end) || occ_parse_ll(cols[3], 0, 3660, &off))
		return RDV_EINVAL;
	tz_civil_from_days(first, &out->first_y, &out->first_m, &out->first_d);
	out->start_min = (int)start;
	out->end_min = (int)end;
	out->end_day_offset = (int)off;
	if (recurrence_parse(cols[4], &out->rule, NULL) != 0)
		return RDV_EINVAL;
	long long until;
	/* The column is authoritative when the JSON has no "until" (older rows). */
	if (out->rule.every != REC_NONE && !out->rule.has_until && cols[5] != NULL &&
	    occ_parse_ll(cols[5], -1000000, 3000000, &until) == 0) {
		out->rule.has_until = 1;
		tz_civil_from_days(until, &out->rule.until_y, &out->rule.until_m, &out->rule.until_d);
	}
	return occ_parse_days(a, cols[6], &out->skip_days, &out->n_skip);
}

int occurrences_parse_result(struct arena *a, const PGresult *r, int row, int col, struct series *out)
{
	const char *cols[OCC_NCOLS];
	for (int i = 0; i < OCC_NCOLS; i++)
		cols[i] = db_val(r, row, col + i);
	return occurrences_parse(a, cols, out);
}

long long occurrences_expand_series(struct arena *a, const struct series *s, long long from, long long to,
				    int skip_holidays, struct occurrence **out)
{
	/* A guess that fits a few weeks of a weekly plage; one retry otherwise. */
	size_t cap = 64;
	for (int attempt = 0; attempt < 2; attempt++) {
		struct occurrence *buf = arena_alloc(a, cap * sizeof(*buf));
		if (buf == NULL)
			return RDV_ENOMEM;
		long long n = recurrence_expand(s, from, to, skip_holidays, buf, cap);
		if (n < 0)
			return n;
		if ((size_t)n <= cap) {
			*out = buf;
			return n;
		}
		cap = (size_t)n;
	}
	return RDV_EINVAL;
}

static int occ_cmp(const void *x, const void *y)
{
	const struct occ *a = x, *b = y;
	if (a->start != b->start)
		return (a->start > b->start) - (a->start < b->start);
	return (a->row->id > b->row->id) - (a->row->id < b->row->id);
}

int occurrences_expand(struct arena *a, const struct occ_row *rows, size_t n_rows, long long from, long long to,
		       struct occ **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	size_t cap = 0, n = 0;
	struct occ *all = NULL;
	for (size_t i = 0; i < n_rows; i++) {
		struct occurrence *o;
		long long k = occurrences_expand_series(a, &rows[i].s, from, to, rows[i].kind == OCC_PLAGE, &o);
		if (k < 0)
			return (int)k;
		if (n + (size_t)k > cap) {
			size_t ncap = (n + (size_t)k) * 2 + 16;
			struct occ *grown = arena_alloc(a, ncap * sizeof(*grown));
			if (grown == NULL)
				return RDV_ENOMEM;
			if (n > 0)
				memcpy(grown, all, n * sizeof(*all));
			all = grown;
			cap = ncap;
		}
		for (long long j = 0; j < k; j++)
			all[n++] = (struct occ){o[j].start, o[j].end, &rows[i]};
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), occ_cmp);
	*out = all;
	*n_out = n;
	return 0;
}

const char *occurrences_id_array(struct arena *a, const long long *ids, size_t n)
{
	struct buf b = BUF_INIT;
	buf_append(&b, "{", 1);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, i ? ",%lld" : "%lld", ids[i]);
	buf_append(&b, "}", 1);
	char *s = b.oom ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

const char *occurrences_local_date(struct arena *a, long long utc, int delta_days)
{
	int y, m, d;
	tz_civil_from_days(tz_utc_to_local_days(utc) + delta_days, &y, &m, &d);
	return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

/* The first n_rows rows of the plages+absences query (OCC_LOAD_SELECT): the
 * kind is its last column. */
static int occ_rows_from(struct arena *a, const PGresult *r, int n_rows, struct occ_row *rows, size_t *n)
{
	for (int i = 0; i < n_rows; i++) {
		struct occ_row *row = &rows[*n];
		row->kind = db_ll(r, i, 5 + OCC_NCOLS) == 0 ? OCC_PLAGE : OCC_ABSENCE;
		row->id = db_ll(r, i, 0);
		row->agent_id = db_ll(r, i, 1);
		row->lieu_id = db_ll(r, i, 2);
		row->organisation_id = db_ll(r, i, 3);
		row->title = db_dup(a, r, i, 4);
		int rc = occurrences_parse_result(a, r, i, 5, &row->s);
		if (rc == RDV_ENOMEM)
			return rc;
		if (rc == 0)
			(*n)++;   /* a malformed rule is skipped rather than failing the page */
	}
	return 0;
}

int occurrences_load(struct db *db, struct arena *a, const long long *agent_ids, size_t n_agents, long long org_id,
		     long long from, long long to, struct occ_row **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	const char *ids = occurrences_id_array(a, agent_ids, n_agents);
	/* Local dates around the window: a day of margin for the UTC offset. */
	const char *d0 = occurrences_local_date(a, from, -1), *d1 = occurrences_local_date(a, to, 1);
	/* One round trip: plages then absences (kind 0 / 1, last column). */
	PGresult *p = db_q(db, OCC_LOAD_SELECT " ORDER BY kind", ids, db_int(a, org_id), d0, d1);
	if (p == NULL)
		return db->err;
	int rc = occurrences_rows(a, p, PQntuples(p), out, n_out);
	PQclear(p);
	return rc;
}

int occurrences_rows(struct arena *a, const PGresult *r, int n_rows, struct occ_row **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	size_t n = 0;
	struct occ_row *rows = arena_calloc(a, n_rows > 0 ? (size_t)n_rows : 1, sizeof(*rows));
	int rc = rows == NULL ? RDV_ENOMEM : occ_rows_from(a, r, n_rows, rows, &n);
	if (rc == 0) {
		*out = rows;
		*n_out = n;
	}
	return rc;
}
