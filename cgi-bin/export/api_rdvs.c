/*
 * api_rdvs.c - the RDVs of the JSON API (api.md): list, show, create, patch,
 * cancel. Thin: parse the JSON, call lib/rdvs, answer per api.md (409
 * conflict with the warnings when an overlap is not forced).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "export.h"
#include "rdv.h"
#include "rdvs.h"
#include "tz.h"
#include "valid.h"

/* 0 when the token's agent has a role in :org_id (404 otherwise, per api.md). */
static int rdv_api_org(struct ctx *c, long long *org)
{
	*org = route_id(&c->match, "org_id");
	return policy_require_role(c->db, c->agent_id, *org, ROLE_INTERVENANT);
}

static void field_error(json_t *fields, const char *name, const char *msg)
{
	json_t *list = json_object_get(fields, name);
	if (list == NULL) {
		list = json_array();
		json_object_set_new(fields, name, list);
	}
	json_array_append_new(list, json_string(msg));
}

/* Answers a failed write from the report. */
static int answer_failure(struct ctx *c, int rc, const struct rdvs_report *rep)
{
	if (rc == RDV_EINVAL && rep->n_errors > 0) {
		json_t *fields = json_object();
		for (size_t i = 0; i < rep->n_errors; i++)
			field_error(fields, rep->errors[i].field, rep->errors[i].message);
		return app_json_error(c, 422, "validation_failed", rep->errors[0].message, fields);
	}
	if (rc == RDV_ECONFLICT && rep->conflict != NULL)
		return app_json_error(c, 409, "conflict", rep->conflict, NULL);
	if (rc == RDV_ECONFLICT && rep->n_warnings > 0) {
		json_t *w = json_array();
		for (size_t i = 0; i < rep->n_warnings; i++)
			json_array_append_new(w, json_pack("{s:s, s:s}", "code", rep->warnings[i].code,
							   "message", rep->warnings[i].message));
		json_t *err = json_pack("{s:s, s:s, s:o}", "code", "conflict", "message",
					"Ce rendez-vous demande une confirmation ; renvoyez-le avec \"force\": true "
					"pour passer outre.", "warnings", w);
		return app_json(c, 409, json_pack("{s:o}", "error", err));
	}
	if (rc == RDV_ECONFLICT)
		return app_json_error(c, 409, "conflict", "Ce rendez-vous entre en conflit avec un autre.", NULL);
	return rc;
}

static int answer_rdv(struct ctx *c, int status, long long id)
{
	json_t *j = rdv_json(c->db, c->a, id);
	if (j == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	return app_json(c, status, json_pack("{s:o}", "rdv", j));
}

/* Body → ids; a non-array or a non-positive id is a field error. */
static size_t json_ids(json_t *v, long long *out, size_t max, const char *name, json_t *fields)
{
	size_t n = 0, i;
	json_t *x;
	if (!json_is_array(v)) {
		field_error(fields, name, "Une liste d'identifiants est attendue.");
		return 0;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_integer(x) || json_integer_value(x) <= 0) {
			field_error(fields, name, "Une liste d'identifiants est attendue.");
			return 0;
		}
		if (n < max)
			out[n++] = json_integer_value(x);
	}
	return n;
}

static long long json_id(json_t *body, const char *name, json_t *fields)
{
	json_t *v = json_object_get(body, name);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		field_error(fields, name, "Un identifiant est attendu.");
		return 0;
	}
	return json_integer_value(v);
}

static const char *json_str(json_t *body, const char *name, json_t *fields)
{
	json_t *v = json_object_get(body, name);
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		field_error(fields, name, "Un texte est attendu.");
		return NULL;
	}
	return json_string_value(v);
}

static long long json_time(json_t *body, const char *name, json_t *fields)
{
	const char *s = json_str(body, name, fields);
	long long t = 0;
	const char *msg;
	if (s != NULL && valid_iso_datetime(s, &t, &msg) != 0)
		field_error(fields, name, msg);
	return t;
}

static int json_int(json_t *body, const char *name, json_t *fields)
{
	json_t *v = json_object_get(body, name);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000) {
		field_error(fields, name, "Un nombre entier positif est attendu.");
		return 0;
	}
	return (int)json_integer_value(v);
}

/* Fields errors found while parsing: 422 (fields stolen). */
static int parse_failed(struct ctx *c, json_t *fields)
{
	const char *first = json_object_iter_key(json_object_iter(fields));
	json_t *msgs = json_object_get(fields, first);
	const char *msg = json_string_value(json_array_get(msgs, 0));
	return app_json_error(c, 422, "validation_failed", msg ? msg : "Données invalides.", fields);
}

static json_t *body_object(struct ctx *c)
{
	return json_is_object(c->req.json) ? c->req.json : NULL;
}

/* The answer to a write: the RDV with status, or why it failed. */
static int answer_write(struct ctx *c, int rc, const struct rdvs_report *rep, int status, long long id)
{
	return rc != 0 ? answer_failure(c, rc, rep) : answer_rdv(c, status, id);
}

static int not_an_object(struct ctx *c)
{
	return app_json_error(c, 400, "bad_request", "Le corps de la requête doit être un objet JSON.", NULL);
}

/* A missing starts_at (0 and no error of its own yet) is a field error. */
static void require_start(json_t *fields, long long starts_at)
{
	if (starts_at == 0 && json_object_get(fields, "starts_at") == NULL)
		field_error(fields, "starts_at", "La date et l'heure de début sont obligatoires.");
}

static int api_rdv_create(struct ctx *c)
{
	long long org;
	int rc = rdv_api_org(c, &org);
	if (rc != 0)
		return rc;
	json_t *body = body_object(c);
	if (body == NULL)
		return not_an_object(c);
	json_t *fields = json_object();
	struct rdvs_new in = {.org_id = org};
	in.motif_id = json_id(body, "motif_id", fields);
	in.lieu_id = json_id(body, "lieu_id", fields);
	in.starts_at = json_time(body, "starts_at", fields);
	in.duration_min = json_int(body, "duration_in_min", fields);
	json_t *v = json_object_get(body, "agent_ids");
	if (v != NULL)
		in.n_agents = json_ids(v, in.agent_ids, RDVS_MAX_AGENTS, "agent_ids", fields);
	v = json_object_get(body, "user_ids");
	if (v != NULL)
		in.n_users = json_ids(v, in.user_ids, RDVS_MAX_USERS, "user_ids", fields);
	in.context = json_str(body, "context", fields);
	in.address = json_str(body, "address", fields);
	in.name = json_str(body, "name", fields);
	in.max_participants = json_int(body, "max_participants_count", fields);
	in.confirm_warnings = json_is_true(json_object_get(body, "force"));
	if (in.motif_id == 0 && json_object_get(fields, "motif_id") == NULL)
		field_error(fields, "motif_id", "Le motif est obligatoire.");
	require_start(fields, in.starts_at);
	if (json_object_size(fields) > 0)
		return parse_failed(c, fields);
	json_decref(fields);
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	struct rdvs_report rep;
	long long id = 0;
	rc = rdvs_create(c->db, c->a, &who, &in, &rep, &id);
	return answer_write(c, rc, &rep, 201, id);
}

static int api_rdv_show(struct ctx *c)
{
	long long org, id = route_id(&c->match, "id");
	int rc = rdv_api_org(c, &org);
	enum agenda_access lvl = AGENDA_NONE;
	if (rc == 0)
		rc = rdvs_access(c->db, c->agent_id, org, id, &lvl);
	if (rc == 0 && lvl < AGENDA_READ)
		rc = RDV_ENOTFOUND;
	return rc != 0 ? rc : answer_rdv(c, 200, id);
}

static int api_rdv_patch(struct ctx *c)
{
	long long org, id = route_id(&c->match, "id");
	int rc = rdv_api_org(c, &org);
	if (rc != 0)
		return rc;
	json_t *body = body_object(c);
	if (body == NULL)
		return not_an_object(c);
	json_t *fields = json_object();
	struct rdvs_change ch = {0};
	if (json_object_get(body, "starts_at") != NULL) {
		ch.set_starts = 1;
		ch.starts_at = json_time(body, "starts_at", fields);
		require_start(fields, ch.starts_at);
	}
	if (json_object_get(body, "duration_in_min") != NULL) {
		ch.set_duration = 1;
		ch.duration_min = json_int(body, "duration_in_min", fields);
	}
	if (json_object_get(body, "status") != NULL) {
		ch.set_status = 1;
		ch.status = json_str(body, "status", fields);
		if (!rdvs_status_valid(ch.status) && json_object_get(fields, "status") == NULL)
			field_error(fields, "status", "Statut inconnu (unknown, seen, noshow, excused ou revoked).");
	}
	if (json_object_get(body, "agent_ids") != NULL) {
		ch.set_agents = 1;
		ch.n_agents = json_ids(json_object_get(body, "agent_ids"), ch.agent_ids, RDVS_MAX_AGENTS, "agent_ids", fields);
	}
	if (json_object_get(body, "context") != NULL) {
		ch.set_context = 1;
		ch.context = json_str(body, "context", fields);
	}
	ch.confirm_warnings = json_is_true(json_object_get(body, "force"));
	if (json_object_size(fields) > 0)
		return parse_failed(c, fields);
	json_decref(fields);
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	struct rdvs_report rep;
	rc = rdvs_update(c->db, c->a, &who, org, id, &ch, &rep);
	return answer_write(c, rc, &rep, 200, id);
}

static int api_rdv_cancel(struct ctx *c)
{
	long long org, id = route_id(&c->match, "id");
	int rc = rdv_api_org(c, &org);
	if (rc != 0)
		return rc;
	json_t *body = body_object(c);
	const char *by = body ? json_string_value(json_object_get(body, "by")) : http_param(&c->req, "by");
	if (by == NULL || (strcmp(by, "user") != 0 && strcmp(by, "service") != 0)) {
		json_t *fields = json_object();
		field_error(fields, "by", "Indiquez qui annule : \"user\" (l'usager) ou \"service\".");
		return parse_failed(c, fields);
	}
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	struct rdvs_report rep;
	rc = rdvs_cancel(c->db, c->a, &who, org, id, strcmp(by, "user") == 0, &rep);
	return answer_write(c, rc, &rep, 200, id);
}

/* ?from=&to=: a date (local midnight; "to" inclusive) or an ISO datetime. */
static int query_time(struct ctx *c, const char *name, int end_of_day, long long *out, json_t *fields)
{
	const char *s = kv_get(&c->req.query, name);
	int y, m, d;
	const char *msg;
	if (s == NULL || *s == '\0')
		return 0;
	if (strlen(s) == 10 && valid_date(s, &y, &m, &d, &msg) == 0) {
		if (end_of_day)
			tz_civil_from_days(tz_days_from_civil(y, m, d) + 1, &y, &m, &d);
		*out = tz_local_midnight(y, m, d);
		return 0;
	}
	if (valid_iso_datetime(s, out, &msg) != 0)
		field_error(fields, name, "Date attendue au format AAAA-MM-JJ ou ISO 8601.");
	return 0;
}

static long long query_id(struct ctx *c, const char *name, json_t *fields)
{
	const char *s = kv_get(&c->req.query, name);
	long long v = 0;
	const char *msg;
	if (s != NULL && *s != '\0' && valid_id(s, &v, &msg) != 0)
		field_error(fields, name, msg);
	return v;
}

static int api_rdv_list(struct ctx *c)
{
	long long org;
	int rc = rdv_api_org(c, &org);
	if (rc != 0)
		return rc;
	json_t *fields = json_object();
	struct rdvs_filter f = {0};
	f.agent_id = query_id(c, "agent_id", fields);
	f.user_id = query_id(c, "user_id", fields);
	f.status = kv_get(&c->req.query, "status");
	if (f.status != NULL && *f.status != '\0' && !rdvs_status_valid(f.status))
		field_error(fields, "status", "Statut inconnu (unknown, seen, noshow, excused ou revoked).");
	query_time(c, "from", 0, &f.from, fields);
	query_time(c, "to", 1, &f.to, fields);
	struct api_page pg;
	const char *msg;
	if (api_page_parse(c, &pg, &msg) != 0) {
		json_decref(fields);
		return api_bad_request(c, msg);
	}
	if (json_object_size(fields) > 0)
		return parse_failed(c, fields);
	json_decref(fields);
	long long page = pg.page, per = pg.per_page;
	f.page = (int)page;
	f.per_page = (int)per;
	PGresult *r = rdvs_list(c->db, c->a, c->agent_id, org, &f);
	if (r == NULL)
		return c->db->err;
	json_t *list = json_array();
	long long total = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		json_array_append_new(list, rdvs_json_row(r, i));
		total = db_ll(r, i, RDVS_LIST_TOTAL);
	}
	PQclear(r);
	/* before the last page the list knows a lower bound only; past it, nothing */
	if ((total < 0 || (total == 0 && page > 1)) && (rc = rdvs_count(c->db, c->a, c->agent_id, org, &f, &total)) != 0) {
		json_decref(list);
		return rc;
	}
	return api_list(c, "rdvs", list, &pg, total);
}

ROUTE_TABLE(api_rdv_routes,
	{HTTP_GET, "/api/v1/organisations/:org_id/rdvs", api_rdv_list, ROUTE_API, ROUTE_JSON},
	{HTTP_POST, "/api/v1/organisations/:org_id/rdvs", api_rdv_create, ROUTE_API, ROUTE_JSON},
	{HTTP_GET, "/api/v1/organisations/:org_id/rdvs/:id", api_rdv_show, ROUTE_API, ROUTE_JSON},
	{HTTP_PATCH, "/api/v1/organisations/:org_id/rdvs/:id", api_rdv_patch, ROUTE_API, ROUTE_JSON},
	{HTTP_POST, "/api/v1/organisations/:org_id/rdvs/:id/cancel", api_rdv_cancel, ROUTE_API, ROUTE_JSON},
);
