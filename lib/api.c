/*
 * api.c - shared pieces of the JSON API handlers (api.h): organisation
 * check, pagination, envelopes, cells as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "rdv.h"
#include "tz.h"

int api_org(struct ctx *c, enum org_role min, long long *org)
{
	long long id = route_id(&c->match, "org");
	if (id == 0)
		id = route_id(&c->match, "org_id");
	int rc = policy_require_role(c->db, c->agent_id, id, min);
	if (rc == 0)
		*org = id;
	return rc;
}

/* A positive integer of at most 9 digits (no sign, spaces or leading '+'). */
static int parse_positive(const char *s, long long *out)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
		return RDV_EINVAL;
	long long v = strtoll(s, NULL, 10);
	if (v < 1)
		return RDV_EINVAL;
	*out = v;
	return 0;
}

int api_page_parse(struct ctx *c, struct api_page *p, const char **msg)
{
	const char *page = kv_get(&c->req.query, "page");
	const char *per_page = kv_get(&c->req.query, "per_page");
	p->page = 1;
	p->per_page = API_PER_PAGE_DEFAULT;
	if (page != NULL && parse_positive(page, &p->page) != 0) {
		*msg = "Le paramètre page doit être un entier supérieur ou égal à 1.";
		return RDV_EINVAL;
	}
	if (per_page != NULL && parse_positive(per_page, &p->per_page) != 0) {
		*msg = "Le paramètre per_page doit être un entier supérieur ou égal à 1 (100 au plus).";
		return RDV_EINVAL;
	}
	/* "max 100": a larger request is served 100 per page, and meta.per_page
	 * says so — the client pages on with the real value. */
	if (p->per_page > API_PER_PAGE_MAX)
		p->per_page = API_PER_PAGE_MAX;
	p->limit = db_int(c->a, p->per_page);
	p->offset = db_int(c->a, (p->page - 1) * p->per_page);
	return 0;
}

int api_bad_request(struct ctx *c, const char *msg)
{
	return app_json_error(c, 400, "bad_request", msg, NULL);
}

json_t *api_meta(const struct api_page *p, long long total)
{
	return json_pack("{s:I, s:I, s:I}", "page", (json_int_t)p->page, "per_page", (json_int_t)p->per_page,
			 "total", (json_int_t)total);
}

int api_list(struct ctx *c, const char *key, json_t *items, const struct api_page *p, long long total)
{
	return app_json(c, 200, json_pack("{s:o*, s:o*}", key, items, "meta", api_meta(p, total)));
}

int api_one(struct ctx *c, int status, const char *key, json_t *object)
{
	return app_json(c, status, json_pack("{s:o*}", key, object));
}

json_t *api_cell_str(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? json_string(v) : json_null();
}

json_t *api_cell_int(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? json_integer(strtoll(v, NULL, 10)) : json_null();
}

json_t *api_cell_real(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? json_real(strtod(v, NULL)) : json_null();
}

json_t *api_cell_bool(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? json_boolean(v[0] == 't') : json_null();
}

json_t *api_cell_time(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	if (v == NULL)
		return json_null();
	char iso[32];
	tz_format_iso(strtoll(v, NULL, 10), iso);
	return json_string(iso);
}

json_t *api_cell_ids(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	if (v == NULL)
		return json_null();
	json_t *ids = json_array();
	/* "{1,2,3}" or "{}" (PostgreSQL's array output, integers only) */
	for (const char *s = v; ids != NULL && *s != '\0';) {
		if (*s < '0' || *s > '9') {
			s++;
			continue;
		}
		char *end;
		long long id = strtoll(s, &end, 10);
		json_array_append_new(ids, json_integer(id));
		s = end;
	}
	return ids;
}

const char *api_iso_time(struct arena *a, long long utc)
{
	char iso[32];
	tz_format_iso(utc, iso);
	return arena_strdup(a, iso);
}

static json_t *cell(const PGresult *r, int row, int col, char kind)
{
	switch (kind) {
	case 's': return api_cell_str(r, row, col);
	case 'i': return api_cell_int(r, row, col);
	case 'r': return api_cell_real(r, row, col);
	case 'b': return api_cell_bool(r, row, col);
	case 't': return api_cell_time(r, row, col);
	case 'a': return api_cell_ids(r, row, col);
	default: return NULL;
	}
}

json_t *api_row_json(const PGresult *r, int row, const char *spec)
{
	if (row >= PQntuples(r) || (int)strlen(spec) > PQnfields(r))
		return NULL;
	json_t *o = json_object();
	for (int col = 0; o != NULL && spec[col] != '\0'; col++) {
		json_t *v = cell(r, row, col, spec[col]);
		if (v == NULL || json_object_set_new(o, PQfname(r, col), v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *api_rows_json(const PGresult *r, const char *spec)
{
	json_t *list = json_array();
	for (int row = 0; list != NULL && row < PQntuples(r); row++) {
		json_t *o = api_row_json(r, row, spec);
		if (o == NULL || json_array_append_new(list, o) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}
