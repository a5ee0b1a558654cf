/*
 * occurrences.h - plages d'ouverture and absences rows from the database
 * turned into occurrences inside a UTC window: the column convention the
 * queries select (OCC_PLAGE_COLS / OCC_ABSENCE_COLS), the parsing of one row
 * into a struct series (lib/recurrence), exceptions (plage_ouverture_exceptions,
 * absence_exceptions) as skipped days, and the expansion (public holidays
 * close plages, not absences). Used by the créneaux engine, the agenda and,
 * later, the ICS feeds.
 *
 * Memory: every row, string and array comes from the caller's arena.
 */
#ifndef RDV_OCCURRENCES_H
#define RDV_OCCURRENCES_H

#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "recurrence.h"

/* The 7 columns every loader selects, in this order: first day and
 * recurrence end as day numbers since 1970-01-01, start and end as local
 * minutes (end 24:00 = 1440), end day offset, recurrence JSON text, the
 * exception days (comma-separated day numbers, NULL when none). The aliases
 * po / ab are the plage and absence tables. */
#define OCC_NCOLS 7
#define OCC_PLAGE_COLS \
	"(po.first_day - DATE '1970-01-01'), (extract(epoch FROM po.start_time) / 60)::int," \
	" (extract(epoch FROM po.end_time) / 60)::int, 0, po.recurrence::text," \
	" (po.recurrence_ends_at - DATE '1970-01-01')," \
	" (SELECT string_agg((e.day - DATE '1970-01-01')::text, ',' ORDER BY e.day)" \
	"    FROM plage_ouverture_exceptions e WHERE e.plage_ouverture_id = po.id)"
#define OCC_ABSENCE_COLS \
	"(ab.first_day - DATE '1970-01-01'), (extract(epoch FROM ab.start_time) / 60)::int," \
	" (extract(epoch FROM ab.end_time) / 60)::int, (ab.end_day - ab.first_day), ab.recurrence::text," \
	" (ab.recurrence_ends_at - DATE '1970-01-01')," \
	" (SELECT string_agg((e.day - DATE '1970-01-01')::text, ',' ORDER BY e.day)" \
	"    FROM absence_exceptions e WHERE e.absence_id = ab.id)"
/* Span conditions written exactly as the GiST indexes (plages_ouverture_span,
 * absences_span) so that PostgreSQL uses them: "<span> && daterange($a, $b, '[]')". */
#define OCC_PLAGE_SPAN \
	"daterange(po.first_day, coalesce(po.recurrence_ends_at, CASE WHEN po.recurrence IS NULL THEN po.first_day END), '[]')"
#define OCC_ABSENCE_SPAN \
	"daterange(ab.first_day, coalesce(ab.recurrence_ends_at, CASE WHEN ab.recurrence IS NULL THEN ab.end_day END), '[]')"

/* The plages of agents $1 (bigint[]) in organisation $2 (0: any) and their
 * absences, over the local dates $3 .. $4: id, agent_id, lieu_id (0 for
 * absences), organisation_id, title, the OCC columns, kind (0 plage, 1
 * absence). No ORDER BY: callers sort by kind. */
#define OCC_LOAD_SELECT \
	"SELECT po.id, po.agent_id, coalesce(po.lieu_id, 0), po.organisation_id, po.title, " OCC_PLAGE_COLS ", 0 AS kind" \
	" FROM plages_ouverture po WHERE po.agent_id = ANY($1::bigint[])" \
	" AND ($2::bigint = 0 OR po.organisation_id = $2)" \
	" AND " OCC_PLAGE_SPAN " && daterange($3::date, $4::date, '[]')" \
	" UNION ALL" \
	" SELECT ab.id, ab.agent_id, 0, coalesce(ab.organisation_id, 0), ab.title, " OCC_ABSENCE_COLS ", 1" \
	" FROM absences ab WHERE ab.agent_id = ANY($1::bigint[])" \
	" AND " OCC_ABSENCE_SPAN " && daterange($3::date, $4::date, '[]')"

enum occ_kind { OCC_PLAGE, OCC_ABSENCE };

/* One plage or absence row. */
struct occ_row {
	enum occ_kind kind;
	long long id, agent_id, lieu_id, organisation_id;  /* lieu_id 0 for absences */
	const char *title;
	struct series s;
};

/* One occurrence of a row. */
struct occ {
	long long start, end;        /* UTC */
	const struct occ_row *row;
};

/* Parses the OCC_NCOLS text values (NULL = SQL NULL) into a series; exception
 * days are sorted. RDV_EINVAL for a malformed row, RDV_ENOMEM. */
int occurrences_parse(struct arena *a, const char *const cols[OCC_NCOLS], struct series *out);
/* The same from a result row, columns col .. col + OCC_NCOLS - 1. */
int occurrences_parse_result(struct arena *a, const PGresult *r, int row, int col, struct series *out);

/* Occurrences of one series overlapping [from, to), sorted, into *out (arena);
 * returns their count or a negative RDV_E* code. */
long long occurrences_expand_series(struct arena *a, const struct series *s, long long from, long long to,
				    int skip_holidays, struct occurrence **out);

/* Occurrences of every row overlapping [from, to), sorted by start. Plages
 * skip public holidays; absences do not. Rows that fail to parse were
 * already refused by occurrences_parse, so every row here is valid. */
int occurrences_expand(struct arena *a, const struct occ_row *rows, size_t n_rows, long long from, long long to,
		       struct occ **out, size_t *n_out);

/* Loads the plages of some agents (agent_ids, n: NULL/0 = none) in an
 * organisation (0: any) and the absences of the same agents (any
 * organisation: an absence blocks the agent everywhere), intersecting
 * [from, to). Two queries. */
int occurrences_load(struct db *db, struct arena *a, const long long *agent_ids, size_t n_agents, long long org_id,
		     long long from, long long to, struct occ_row **out, size_t *n_out);

/* The rows of occurrences_load from the first n_rows rows of a result of
 * OCC_LOAD_SELECT's columns (more columns may follow), into *out (arena). */
int occurrences_rows(struct arena *a, const PGresult *r, int n_rows, struct occ_row **out, size_t *n_out);

/* "{1,2,3}": a PostgreSQL bigint[] literal for $n parameters (arena). */
const char *occurrences_id_array(struct arena *a, const long long *ids, size_t n);
/* The local date ("YYYY-MM-DD", arena) of a UTC instant, moved by delta days. */
const char *occurrences_local_date(struct arena *a, long long utc, int delta_days);

#endif
