/*
 * webhooks.c - an organisation's webhook endpoints, for its admins: target
 * URL (https), shared secret (signs each delivery; generated when left
 * empty, shown once), subscribed resources; deletion after confirmation; and
 * the last deliveries and failures (outbox rows channel 'webhook' of the
 * organisation, receipts). The worker delivers them.
 */
#include <string.h>

#include "admin.h"
#include "auth.h"
#include "rdv.h"
#include "valid.h"

static const char *const models[] = {"rdv", "user", "plage_ouverture", "absence", "agent", "motif", "lieu",
				     "organisation", NULL};
static const char *const model_labels[] = {"Rendez-vous", "Usagers", "Plages d'ouverture", "Absences", "Agents",
					   "Motifs", "Lieux", "Organisation", NULL};

static const char *hook_path(struct ctx *c, long long org, const char *suffix)
{
	return arena_printf(c->a, "/admin/organisations/%lld/webhooks%s", org, suffix);
}

static int deliveries_vars(struct ctx *c, long long org)
{
	PGresult *r = db_q(c->db,
		"SELECT extract(epoch FROM created_at)::bigint, event, recipient, status, attempts, coalesce(last_error, '')"
		" FROM outbox WHERE channel = 'webhook' AND organisation_id = $1 ORDER BY id DESC LIMIT 50", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "deliveries");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "when", admin_datetime(c, db_ll(r, i, 0)));
		tmpl_set_var(row, "event", db_val(r, i, 1));
		tmpl_set_var(row, "url", db_val(r, i, 2));
		tmpl_set_var(row, "status", db_val(r, i, 3));
		tmpl_set_var(row, "attempts", db_val(r, i, 4));
		tmpl_set_var(row, "error", db_val(r, i, 5));
	}
	PQclear(r);
	r = db_q(c->db,
		"SELECT extract(epoch FROM created_at)::bigint, event, coalesce(recipient, ''), result, coalesce(error_message, '')"
		" FROM receipts WHERE channel = 'webhook' AND organisation_id = $1 AND result = 'failure'"
		" ORDER BY id DESC LIMIT 20", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	l = tmpl_add_loop(c->vars, "failures");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "when", admin_datetime(c, db_ll(r, i, 0)));
		tmpl_set_var(row, "event", db_val(r, i, 1));
		tmpl_set_var(row, "url", db_val(r, i, 2));
		tmpl_set_var(row, "error", db_val(r, i, 4));
	}
	PQclear(r);
	return 0;
}

static int hooks_render(struct ctx *c, const struct admin_org *o, int status)
{
	PGresult *r = db_q(c->db,
		"SELECT id, target_url, array_to_string(subscriptions, ', ') FROM webhook_endpoints"
		" WHERE organisation_id = $1 ORDER BY target_url", db_int(c->a, o->id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "endpoints");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "target_url", db_val(r, i, 1));
		tmpl_set_var(row, "subscriptions", db_val(r, i, 2));
	}
	PQclear(r);
	/* after a refused creation, the resources ticked stay ticked */
	const char *picked[16];
	size_t n_picked = kv_get_all(&c->req.form, "subscriptions", picked, 16);
	struct tmpl_loop *m = tmpl_add_loop(c->vars, "models");
	for (int i = 0; models[i]; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(m);
		tmpl_set_var(row, "value", models[i]);
		tmpl_set_var(row, "label", model_labels[i]);
		for (size_t k = 0; k < n_picked && k < 16; k++)
			if (strcmp(picked[k], models[i]) == 0)
				tmpl_set_bool(row, "checked", 1);
	}
	int rc = deliveries_vars(c, o->id);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Webhooks");
	return app_render(c, status, "admin/webhooks.tmpl");
}

static int hooks_index(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	return hooks_render(c, &o, 200);
}

/* The subscribed models as an array literal, or NULL when none / unknown. */
static const char *subscriptions_param(struct ctx *c)
{
	const char *picked[16];
	size_t n = kv_get_all(&c->req.form, "subscriptions", picked, 16);
	if (n == 0 || n > 16)
		return NULL;
	struct buf b = BUF_INIT;
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		int idx;
		if (valid_enum(picked[i], models, &idx, NULL) != 0) {
			buf_free(&b);
			return NULL;
		}
		buf_printf(&b, "%s%s", i ? "," : "", models[idx]);
	}
	buf_putc(&b, '}');
	const char *s = b.oom ? NULL : arena_strdup(c->a, b.data);
	buf_free(&b);
	return s;
}

static int hook_create(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	const char *url = admin_param(c, "target_url"), *secret = admin_param(c, "secret");
	const char *subs = subscriptions_param(c);
	struct admin_form f = {c, 0};
	const char *msg;
	tmpl_set_var(c->vars, "target_url", url);
	if (strncmp(url, "https://", 8) != 0 || strlen(url) < 12 || valid_length(url, 12, 2000, &msg) != 0 ||
	    strpbrk(url, " \t\r\n\"<>") != NULL)
		admin_form_error(&f, "target_url", "L'adresse doit être une URL complète en https:// (ex. : https://crm.exemple.fr/rdv).");
	if (secret[0] && (strlen(secret) < 16 || valid_length(secret, 16, 200, &msg) != 0))
		admin_form_error(&f, "secret", "Le secret doit compter au moins 16 caractères (ou laissez vide pour en générer un).");
	if (subs == NULL)
		admin_form_error(&f, "subscriptions", "Choisissez au moins une ressource.");
	admin_form_summary(&f);
	if (f.n_errors)
		return hooks_render(c, &o, 422);
	char generated[AUTH_TOKEN_LEN + 1];
	if (secret[0] == '\0') {
		auth_token_new(generated);
		secret = generated;
	}
	db_begin(c->db);
	/* The audit row never holds the secret. */
	PGresult *r = db_q(c->db,
		"INSERT INTO webhook_endpoints (organisation_id, target_url, secret, subscriptions) VALUES ($1, $2, $3, $4::text[])"
		" RETURNING id, to_jsonb(webhook_endpoints.*) - 'secret'", db_int(c->a, o.id), url, secret, subs);
	if (r == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		if (rc != RDV_ECONFLICT)
			return rc;
		admin_form_error(&f, "target_url", "Un webhook existe déjà pour cette adresse.");
		admin_form_summary(&f);
		return hooks_render(c, &o, 422);
	}
	long long id = db_ll(r, 0, 0);
	int rc = admin_audit(c, o.id, o.territory_id, "webhook_endpoint", id, "create", NULL, db_val(r, 0, 1));
	PQclear(r);
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "new_secret", secret);
	tmpl_set_var(c->vars, "target_url", "");
	return hooks_render(c, &o, 201);
}

static int hook_delete(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id = route_id(&c->match, "id");
	char *before = db_s(c->db, c->a, "SELECT to_jsonb(w) - 'secret' FROM webhook_endpoints w WHERE id = $1 AND organisation_id = $2",
			    db_int(c->a, id), db_int(c->a, o.id));
	if (before == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	if (c->req.method != HTTP_POST || !admin_checked(c, "confirm"))
		return admin_confirm(c, 200, "Supprimer le webhook",
				     "Le système destinataire ne recevra plus aucune notification de l'organisation.",
				     hook_path(c, o.id, arena_printf(c->a, "/%lld/delete", id)), "Supprimer le webhook",
				     hook_path(c, o.id, ""));
	db_begin(c->db);
	int rc = db_x(c->db, "DELETE FROM webhook_endpoints WHERE id = $1 AND organisation_id = $2", db_int(c->a, id),
		      db_int(c->a, o.id));
	if (rc == 0)
		rc = admin_audit(c, o.id, o.territory_id, "webhook_endpoint", id, "destroy", before, NULL);
	return admin_commit_redirect(c, rc, "Le webhook a été supprimé.", hook_path(c, o.id, ""));
}

ROUTE_TABLE(webhook_routes,
	{HTTP_GET, "/admin/organisations/:org_id/webhooks", hooks_index, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/webhooks", hook_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/webhooks/:id/delete", hook_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/webhooks/:id/delete", hook_delete, ROUTE_AGENT, 0},
);
