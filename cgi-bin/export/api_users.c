/*
 * api_users.c - /api/v1/organisations/:org_id/users (api.md): list and search,
 * create (201, possible duplicates in meta.possible_duplicates), read, update.
 * Same rules as the agent pages (lib/usager): scope, validation, e-mail
 * uniqueness, family cell; answers in JSON only.
 */
#include <string.h>

#include "api.h"
#include "export.h"
#include "rdv.h"
#include "usager.h"
#include "valid.h"

static int api_scope(struct ctx *c, struct usager_scope *s)
{
	return usager_scope_load(c->db, c->agent_id, route_id(&c->match, "org_id"), s);
}

static json_t *errors_json(const struct usager_errors *e)
{
	json_t *fields = json_object();
	for (int i = 0; i < e->n; i++)
		json_object_set_new(fields, e->field[i], json_pack("[s]", e->message[i]));
	return fields;
}

static int validation_failed(struct ctx *c, const struct usager_errors *e)
{
	return app_json_error(c, 422, "validation_failed", "Les données de l'usager ne sont pas valides.", errors_json(e));
}

/* A JSON value as the string the validators read; NULL when absent. */
static const char *json_as_text(struct ctx *c, const json_t *v, int *bad)
{
	if (v == NULL)
		return NULL;
	if (json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "1" : "0";
	if (json_is_integer(v))
		return db_int(c->a, (long long)json_integer_value(v));
	*bad = 1;
	return NULL;
}

static void input_from_json(struct ctx *c, struct usager_input *in, struct usager_errors *err, int *has_resp)
{
	memset(in, 0, sizeof(*in));
	in->created_through = "agent_creation_api";
	const json_t *body = c->req.json;
	for (int f = 0; f < UF_COUNT; f++) {
		int bad = 0;
		in->v[f] = json_as_text(c, json_object_get(body, usager_field_names[f]), &bad);
		if (bad)
			usager_error_add(err, usager_field_names[f], "Type de valeur invalide.");
	}
	const json_t *resp = json_object_get(body, "responsible_id");
	*has_resp = resp != NULL;
	if (resp != NULL && !json_is_null(resp)) {
		if (json_is_integer(resp) && json_integer_value(resp) > 0)
			in->responsible_id = (long long)json_integer_value(resp);
		else
			usager_error_add(err, "responsible_id", "Identifiant de responsable invalide.");
	}
}

static json_t *duplicates_json(const struct usager_duplicate *d, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *reasons = json_array();
		if (d[i].same_phone)
			json_array_append_new(reasons, json_string("phone_number"));
		if (d[i].same_identity)
			json_array_append_new(reasons, json_string("identity"));
		json_array_append_new(arr, json_pack("{s:I, s:s?, s:s?, s:o, s:o}", "id", (json_int_t)d[i].id,
			"first_name", d[i].first_name, "last_name", d[i].last_name, "reasons", reasons,
			"in_organisation", json_boolean(d[i].in_org)));
	}
	return arr;
}

/* {"user": …, "meta": {"possible_duplicates": […]}} for id. */
static int answer_user(struct ctx *c, const struct usager_scope *s, long long id, int status, json_t *dups)
{
	int rc;
	PGresult *r = usager_get(c->db, s, id, &rc);
	if (r == NULL) {
		json_decref(dups);
		return rc;
	}
	json_t *out = json_pack("{s:o}", "user", usager_json(r, 0));
	PQclear(r);
	if (dups != NULL)
		json_object_set_new(out, "meta", json_pack("{s:o}", "possible_duplicates", dups));
	return app_json(c, status, out);
}

static int api_users_index(struct ctx *c)
{
	struct usager_scope s;
	int rc = api_scope(c, &s);
	if (rc != 0)
		return rc;
	struct api_page pg;
	const char *msg;
	if (api_page_parse(c, &pg, &msg) != 0)
		return api_bad_request(c, msg);
	long long page = pg.page, per_page = pg.per_page;
	PGresult *r = usager_search(c->db, c->a, &s, http_param(&c->req, "search"), 0, (int)page, (int)per_page);
	if (r == NULL)
		return c->db->err;
	json_t *list = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(list, usager_json(r, i));
	long long total = usager_search_total(r);
	PQclear(r);
	if (total < 0 && (rc = usager_count(c->db, &s, &total)) != 0)   /* the API's total is exact */
		return rc;
	if (total == 0 && page > 1) {   /* past the end: the total is still wanted */
		PGresult *t = usager_search(c->db, c->a, &s, http_param(&c->req, "search"), 0, 1, 1);
		if (t != NULL) {
			total = usager_search_total(t);
			PQclear(t);
		}
	}
	return api_list(c, "users", list, &pg, total);
}

static int api_users_show(struct ctx *c)
{
	struct usager_scope s;
	int rc = api_scope(c, &s);
	return rc ? rc : answer_user(c, &s, route_id(&c->match, "id"), 200, NULL);
}

static void check_email(struct ctx *c, const struct usager_input *in, long long id, struct usager_errors *err)
{
	if (in->v[UF_email] && in->v[UF_email][0] && usager_error_get(err, "email") == NULL &&
	    usager_email_taken(c->db, in->v[UF_email], id) == 1)
		usager_error_add(err, "email", "Cette adresse e-mail est déjà utilisée par un autre usager.");
}

static int api_users_create(struct ctx *c)
{
	struct usager_scope s;
	int rc = api_scope(c, &s);
	if (rc != 0)
		return rc;
	if (!json_is_object(c->req.json))
		return app_json_error(c, 400, "bad_request", "Le corps doit être un objet JSON.", NULL);
	struct usager_input in;
	struct usager_errors err = {0};
	int has_resp;
	input_from_json(c, &in, &err, &has_resp);
	usager_validate(c->a, &s, &in, &err);
	check_email(c, &in, 0, &err);
	if (err.n > 0)
		return validation_failed(c, &err);
	struct usager_duplicate *d;
	int n;
	if ((rc = usager_find_duplicates(c->db, c->a, &s, 0, &in, NULL, &d, &n)) != 0)
		return rc;
	long long id;
	rc = usager_create(c->db, c->a, &s, app_client_ip(c), &in, &id);
	if (rc == RDV_EINVAL || rc == RDV_ECONFLICT) {
		usager_error_add(&err, rc == RDV_EINVAL ? "responsible_id" : "email",
				 rc == RDV_EINVAL ? "Le responsable n'existe pas dans l'organisation ou est lui-même un proche."
						  : "Cette adresse e-mail est déjà utilisée par un autre usager.");
		return validation_failed(c, &err);
	}
	if (rc != 0)
		return rc;
	return answer_user(c, &s, id, 201, duplicates_json(d, n));
}

static int api_users_update(struct ctx *c)
{
	struct usager_scope s;
	int rc = api_scope(c, &s);
	if (rc != 0)
		return rc;
	long long id = route_id(&c->match, "id");
	PGresult *before = usager_get(c->db, &s, id, &rc);
	if (before == NULL)
		return rc;
	long long old_resp = db_ll(before, 0, UC_RESPONSIBLE_ID);
	if (!json_is_object(c->req.json)) {
		PQclear(before);
		return app_json_error(c, 400, "bad_request", "Le corps doit être un objet JSON.", NULL);
	}
	struct usager_input in;
	struct usager_errors err = {0};
	int has_resp;
	input_from_json(c, &in, &err, &has_resp);
	long long new_resp = in.responsible_id;
	rc = usager_fill_input(c->db, c->a, &s, id, &in);
	if (has_resp)
		in.responsible_id = new_resp;   /* validated as a proche of the new responsable */
	if (rc == 0) {
		usager_validate(c->a, &s, &in, &err);
		check_email(c, &in, id, &err);
	}
	struct usager_duplicate *d = NULL;
	int n = 0;
	if (rc == 0 && err.n == 0)
		rc = usager_find_duplicates(c->db, c->a, &s, id, &in, before, &d, &n);
	PQclear(before);
	if (rc != 0)
		return rc;
	if (err.n > 0)
		return validation_failed(c, &err);
	if (has_resp && new_resp > 0 && new_resp != old_resp) {
		rc = usager_move_proche(c->db, c->a, &s, app_client_ip(c), id, new_resp);
		if (rc == RDV_EINVAL) {
			usager_error_add(&err, "responsible_id", "Le responsable n'existe pas dans l'organisation, "
								 "est lui-même un proche, ou cet usager a des proches.");
			return validation_failed(c, &err);
		}
		if (rc != 0)
			return rc;
	}
	/* "responsible_id": null makes a proche a responsable, with the contact details of the body */
	if (has_resp && new_resp == 0 && old_resp != 0 &&
	    (rc = usager_detach_proche(c->db, c->a, &s, app_client_ip(c), id)) != 0)
		return rc;
	rc = usager_update(c->db, c->a, &s, app_client_ip(c), id, &in);
	if (rc == RDV_ECONFLICT) {
		usager_error_add(&err, "email", "Cette adresse e-mail est déjà utilisée par un autre usager.");
		return validation_failed(c, &err);
	}
	if (rc != 0)
		return rc;
	return answer_user(c, &s, id, 200, n > 0 ? duplicates_json(d, n) : NULL);
}

ROUTE_TABLE(api_user_routes,
	{HTTP_GET, "/api/v1/organisations/:org_id/users", api_users_index, ROUTE_API, ROUTE_JSON},
	{HTTP_POST, "/api/v1/organisations/:org_id/users", api_users_create, ROUTE_API, ROUTE_JSON},
	{HTTP_GET, "/api/v1/organisations/:org_id/users/:id", api_users_show, ROUTE_API, ROUTE_JSON},
	{HTTP_PATCH, "/api/v1/organisations/:org_id/users/:id", api_users_update, ROUTE_API, ROUTE_JSON},
);
