/*
 * relatives.c - "Mes proches": the people the responsable books for
 * (users.responsible_id). Only the responsable creates, edits and removes
 * them; contact data stay the responsable's.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "rdv.h"
#include "search.h"
#include "valid.h"

static int relatives_index(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	PGresult *r = db_q(c->db, "SELECT id, first_name, last_name, to_char(birth_date, 'DD/MM/YYYY') FROM users"
				  " WHERE responsible_id = $1 AND deleted_at IS NULL ORDER BY first_name, id",
			   db_int(c->a, c->user_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "relatives");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "first_name", db_val(r, i, 1));
		tmpl_set_var(row, "last_name", db_val(r, i, 2));
		tmpl_set_var(row, "birth_date", db_val(r, i, 3));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Mes proches");
	return app_render(c, 200, "search/relatives.tmpl");
}

/* The form; on a refused post error is shown on top and next to field. */
static int relative_form(struct ctx *c, int status, long long id, const char *error, const char *field)
{
	tmpl_set_var(c->vars, "title", id ? "Modifier un proche" : "Ajouter un proche");
	if (id)
		tmpl_set_int(c->vars, "id", id);
	tmpl_set_var(c->vars, "error", error);
	tmpl_set_field_error(c->vars, field, error);
	tmpl_set_var(c->vars, "return_to", search_return_to(http_param(&c->req, "return_to"), "/relatives"));
	if (status == 200 && id) {
		PGresult *r = db_q(c->db, "SELECT first_name, last_name, to_char(birth_date, 'YYYY-MM-DD') FROM users"
					  " WHERE id = $1 AND responsible_id = $2 AND deleted_at IS NULL",
				   db_int(c->a, id), db_int(c->a, c->user_id));
		if (r == NULL)
			return c->db->err;
		if (PQntuples(r) != 1) {
			PQclear(r);
			return RDV_ENOTFOUND;
		}
		tmpl_set_var(c->vars, "first_name", db_val(r, 0, 0));
		tmpl_set_var(c->vars, "last_name", db_val(r, 0, 1));
		tmpl_set_var(c->vars, "birth_date", db_val(r, 0, 2));
		PQclear(r);
	} else {
		tmpl_set_var(c->vars, "first_name", http_param(&c->req, "first_name"));
		tmpl_set_var(c->vars, "last_name", http_param(&c->req, "last_name"));
		tmpl_set_var(c->vars, "birth_date", http_param(&c->req, "birth_date"));
	}
	return app_render(c, status, "search/relative_form.tmpl");
}

static int relatives_new(struct ctx *c)
{
	return search_scoped(c) ? search_scope_refused(c) : relative_form(c, 200, 0, NULL, NULL);
}

static int relatives_edit(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	return relative_form(c, 200, route_id(&c->match, "id"), NULL, NULL);
}

/* NULL or the French message, *field the id of the refused input. */
static const char *relative_check(struct ctx *c, const char **field)
{
	const char *first = http_param(&c->req, "first_name"), *last = http_param(&c->req, "last_name");
	const char *birth = http_param(&c->req, "birth_date");
	int y, m, d;
	if (valid_required(first, NULL) != 0 || valid_length(first, 1, 100, NULL) != 0)
		return *field = "first_name", "Indiquez le prénom de votre proche.";
	if (valid_required(last, NULL) != 0 || valid_length(last, 1, 100, NULL) != 0)
		return *field = "last_name", "Indiquez le nom de votre proche.";
	if (birth != NULL && birth[0] && valid_date(birth, &y, &m, &d, NULL) != 0)
		return *field = "birth_date", "La date de naissance n'est pas valide (ex. : 14/07/2015).";
	return NULL;
}

/* Creates (id 0) or updates a proche of the signed-in responsable. */
static int relative_save(struct ctx *c, long long id)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	const char *field = NULL;
	const char *err = relative_check(c, &field);
	if (err != NULL)
		return relative_form(c, 422, id, err, field);
	const char *birth = http_param(&c->req, "birth_date");
	char *saved = db_s(c->db, c->a, id
		? "UPDATE users SET first_name = $3, last_name = $4, birth_date = nullif($5, '')::date, updated_at = now()"
		  " WHERE id = $1 AND responsible_id = $2 AND deleted_at IS NULL RETURNING id"
		: "INSERT INTO users (first_name, last_name, birth_date, responsible_id, created_through)"
		  " SELECT $3, $4, nullif($5, '')::date, $2, 'user_relative_creation' WHERE $1::bigint = 0 RETURNING id",
		db_int(c->a, id), db_int(c->a, c->user_id), http_param(&c->req, "first_name"),
		http_param(&c->req, "last_name"), birth ? birth : "");
	if (saved == NULL)
		return c->db->err == RDV_EINVAL ? relative_form(c, 422, id, "La date de naissance n'est pas valide.", "birth_date")
						: (c->db->err ? c->db->err : RDV_ENOTFOUND);
	/* A proche inherits the organisations of the responsable. */
	db_x(c->db, "INSERT INTO user_profiles (user_id, organisation_id) SELECT $1, organisation_id FROM user_profiles"
		    " WHERE user_id = $2 ON CONFLICT DO NOTHING", saved, db_int(c->a, c->user_id));
	audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .item_type = "user",
		.item_id = atoll(saved), .event = id ? "update" : "create", .ip = app_client_ip(c)});
	app_flash(c, "success", id ? "Votre proche a été modifié." : "Votre proche a été ajouté.");
	return app_redirect(c, search_return_to(http_param(&c->req, "return_to"), "/relatives"));
}

static int relatives_create(struct ctx *c)
{
	return relative_save(c, 0);
}

static int relatives_update(struct ctx *c)
{
	return relative_save(c, route_id(&c->match, "id"));
}

static int relatives_delete(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	long long id = route_id(&c->match, "id");
	char *done = db_s(c->db, c->a, "UPDATE users SET deleted_at = now(), updated_at = now()"
				       " WHERE id = $1 AND responsible_id = $2 AND deleted_at IS NULL RETURNING id",
			  db_int(c->a, id), db_int(c->a, c->user_id));
	if (done == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .item_type = "user", .item_id = id,
						       .event = "destroy", .ip = app_client_ip(c)});
	app_flash(c, "success", "Votre proche a été retiré.");
	return app_redirect(c, "/relatives");
}

ROUTE_TABLE(relative_routes,
	{HTTP_GET, "/relatives", relatives_index, ROUTE_USER, 0},
	{HTTP_GET, "/relatives/new", relatives_new, ROUTE_USER, 0},
	{HTTP_POST, "/relatives", relatives_create, ROUTE_USER, 0},
	{HTTP_GET, "/relatives/:id/edit", relatives_edit, ROUTE_USER, 0},
	{HTTP_POST, "/relatives/:id", relatives_update, ROUTE_USER, 0},
	{HTTP_POST, "/relatives/:id/delete", relatives_delete, ROUTE_USER, 0},
);
