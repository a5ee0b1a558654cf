/*
 * stats.h - statistics read from the weekly aggregates (stats_weekly, filled
 * by the SQL function stats_refresh(), migration 0012): series per week for
 * one dimension over a scope (an organisation, a territory, or the whole
 * instance), summary figures, and an accessible SVG bar chart.
 *
 * Everything is allocated in the caller's arena.
 */
#ifndef RDV_STATS_H
#define RDV_STATS_H

#include "arena.h"
#include "buf.h"
#include "db.h"

enum stats_scope { STATS_ORGANISATION, STATS_TERRITORY, STATS_INSTANCE };

struct stats_query {
	enum stats_scope scope;
	long long id;        /* organisation or territory id; unused for the instance */
	int weeks;           /* how many weeks back from the current one (1..104) */
};

/* A dimension as a matrix: keys (rows) × weeks (columns). */
struct stats_series {
	const char *dimension;
	size_t n_weeks, n_keys;
	const char **weeks;      /* "YYYY-MM-DD" (Monday), oldest first */
	const char **keys;       /* raw keys ("noshow", "agent", …) */
	const char **labels;     /* French labels */
	long long *values;       /* n_keys × n_weeks, row-major */
	long long *key_totals;
};

int stats_series_load(struct db *db, struct arena *a, const struct stats_query *q, const char *dimension,
		      struct stats_series *out);

struct stats_summary {
	long long rdvs;          /* created in the period */
	long long seen, noshow, excused, revoked;
	double noshow_rate;      /* noshow / (seen + noshow), 0 when none */
	double avg_delay_days;   /* between booking and RDV */
	long long active_agents_last_week;
	long long users;         /* distinct usagers with an RDV created in the period (sum over weeks) */
	const char *refreshed_at;   /* French date of the last refresh, or NULL */
};

int stats_summary_load(struct db *db, struct arena *a, const struct stats_query *q, struct stats_summary *out);

/* French label of a key of a dimension ("noshow" → "Absence non excusée"). */
const char *stats_label(const char *dimension, const char *key);

/* Stacked bar chart, one bar per week, role="img" with a text alternative;
 * the page shows the same numbers in a table next to it. */
int stats_svg(const struct stats_series *s, const char *title, struct buf *out);

#endif
