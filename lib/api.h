/*
 * api.h - what every JSON API handler (/api/v1, api.md) shares: the
 * organisation check, pagination (?page=&per_page=), list and single-object
 * envelopes, and PostgreSQL cells turned into JSON values (ISO 8601 times in
 * Europe/Paris with their offset, NULL as null).
 *
 * Pagination: page ≥ 1 (default 1), per_page 1..100 (default 50). A value
 * that is not a positive integer, or a per_page above 100, is refused with
 * 400 bad_request rather than silently capped: a CRM asking for 500 rows and
 * getting 100 would believe it has them all. A page past the end answers an
 * empty list with the real total.
 *
 * Errors follow app.h: a handler returns RDV_ENOTFOUND / RDV_EFORBIDDEN and
 * app answers {"error": {…}} with 404 / 403; api_bad_request() answers 400
 * with a French message. Every json_t returned here is a new reference
 * owned by the caller (or stolen by the envelope functions, as noted).
 */
#ifndef RDV_API_H
#define RDV_API_H

#include <jansson.h>
#include <libpq-fe.h>

#include "app.h"
#include "policy.h"

#define API_PER_PAGE_DEFAULT 50
#define API_PER_PAGE_MAX 100

struct api_page {
	long long page;          /* from 1 */
	long long per_page;      /* 1..API_PER_PAGE_MAX */
	const char *limit;       /* per_page as a $n parameter (arena) */
	const char *offset;      /* (page - 1) * per_page as a $n parameter (arena) */
};

/* The :org (or :org_id) of an organisation-scoped API path, checked: 0 with
 * *org set when the token's agent has at least role min there,
 * RDV_ENOTFOUND when no role (404: the organisation is not revealed),
 * RDV_EFORBIDDEN when a lower role (403). */
int api_org(struct ctx *c, enum org_role min, long long *org);

/* Reads ?page= and ?per_page= into p (defaults 1 and 50; per_page above 100
 * is served as 100, which meta.per_page reports). 0, or RDV_EINVAL with *msg
 * set to a French sentence for api_bad_request() when not whole numbers ≥ 1. */
int api_page_parse(struct ctx *c, struct api_page *p, const char **msg);

/* 400 {"error": {"code": "bad_request", "message": msg}}; returns 0 (the
 * answer is set) so that a handler can `return api_bad_request(c, msg);`. */
int api_bad_request(struct ctx *c, const char *msg);

/* {"page", "per_page", "total"} */
json_t *api_meta(const struct api_page *p, long long total);

/* 200 {"<key>": items, "meta": api_meta(p, total)}; steals items. */
int api_list(struct ctx *c, const char *key, json_t *items, const struct api_page *p, long long total);

/* status {"<key>": object}; steals object. 200, or 201 after a creation. */
int api_one(struct ctx *c, int status, const char *key, json_t *object);

/* Cells as JSON (SQL NULL → null):
 *   api_cell_str     text as a string
 *   api_cell_int     integer (bigint) as a number
 *   api_cell_real    double precision as a number
 *   api_cell_bool    't'/'f' as true/false
 *   api_cell_time    an epoch in seconds (SELECT extract(epoch FROM t)::bigint)
 *                    as "2026-12-07T14:30:00+01:00" (Europe/Paris)
 *   api_cell_ids     a PostgreSQL bigint[] text ("{1,2,3}") as [1, 2, 3]
 * Every one returns a new reference (json_null() on NULL). */
json_t *api_cell_str(const PGresult *r, int row, int col);
json_t *api_cell_int(const PGresult *r, int row, int col);
json_t *api_cell_real(const PGresult *r, int row, int col);
json_t *api_cell_bool(const PGresult *r, int row, int col);
json_t *api_cell_time(const PGresult *r, int row, int col);
json_t *api_cell_ids(const PGresult *r, int row, int col);

/* An instant (UTC seconds) as ISO 8601 in Europe/Paris, in the arena. */
const char *api_iso_time(struct arena *a, long long utc);

/* Builds one JSON object per row from the columns' own names and the kinds
 * in spec, one character per column: 's' string, 'i' integer, 'r' real,
 * 'b' boolean, 't' epoch → ISO time, 'a' bigint[] → array of ids; columns
 * past the spec are left out. Returns a new array (NULL on ENOMEM or when
 * the spec is longer than the row or has an unknown letter).
 * With a spec, a list handler is SELECT … then api_rows_json(r, "issb…"). */
json_t *api_rows_json(const PGresult *r, const char *spec);
/* The same for row 0 only (NULL when no row). */
json_t *api_row_json(const PGresult *r, int row, const char *spec);

#endif
