/*
 * profile.c - the signed-in agent's profile: names, e-mail and notification
 * preferences, and « Mes jetons d'API » (create — the token is shown once,
 * on the page that answers the POST, never again: only its SHA-256 is kept —
 * and revoke). Every change is audited.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "booking.h"
#include "rdv.h"
#include "tz.h"
#include "valid.h"

static const char *const rdv_levels[] = {"all", "others", "soon", "none", NULL};
static const char *const rdv_labels[] = {
	"Tous les rendez-vous de mon agenda",
	"Les rendez-vous pris ou modifiés par quelqu'un d'autre que moi",
	"Seulement les changements de dernière minute (rendez-vous du jour ou du lendemain)",
	"Aucune notification",
};
static const char *const simple_levels[] = {"all", "none", NULL};

/* The rdv_levels choices as radio rows, current one checked. */
static void add_rdv_choices(struct ctx *c, const char *current)
{
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "rdv_levels");
	for (int i = 0; rdv_levels[i] != NULL; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "value", rdv_levels[i]);
		tmpl_set_var(row, "label", rdv_labels[i]);
		tmpl_set_bool(row, "checked", current != NULL && strcmp(current, rdv_levels[i]) == 0);
	}
}

static int add_tokens(struct ctx *c)
{
	PGresult *r = db_q(c->db,
		"SELECT id, name, extract(epoch FROM created_at)::bigint, extract(epoch FROM last_used_at)::bigint"
		" FROM api_tokens WHERE agent_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
		db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "tokens");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		char when[96];
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1)[0] ? db_val(r, i, 1) : "(sans nom)");
		tz_format_fr_long(db_ll(r, i, 2), when, sizeof(when));
		tmpl_set_var(row, "created", when);
		if (db_val(r, i, 3) != NULL) {
			tz_format_fr_long(db_ll(r, i, 3), when, sizeof(when));
			tmpl_set_var(row, "last_used", when);
		}
	}
	PQclear(r);
	return 0;
}

/* The profile page; on a refused update the submitted values are shown
 * again with the error (form values win over the stored ones). */
static int render_profile(struct ctx *c, int status, const char *error, const char *field)
{
	PGresult *r = db_q(c->db,
		"SELECT first_name, last_name, email::text, rdv_notifications_level::text,"
		" plage_ouverture_notification_level::text, absence_notification_level::text"
		" FROM agents WHERE id = $1", db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	static const char *const fields[] = {"first_name", "last_name", "email", "rdv_notifications_level",
					     "plage_ouverture_notification_level", "absence_notification_level"};
	for (int i = 0; i < 6; i++) {
		const char *sent = error ? http_param(&c->req, fields[i]) : NULL;
		tmpl_set_var(c->vars, fields[i], sent ? sent : db_val(r, 0, i));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Mon profil");
	tmpl_set_var(c->vars, "error", error);
	tmpl_set_field_error(c->vars, field, error);
	add_rdv_choices(c, tmpl_get_var(c->vars, "rdv_notifications_level"));
	int rc = add_tokens(c);
	return rc != 0 ? rc : app_render(c, status, "booking/profile.tmpl");
}

/* GET /agent/profile */
static int profile_show(struct ctx *c)
{
	return render_profile(c, 200, NULL, NULL);
}

/* The submitted profile, validated: NULL or the French message, *field the
 * id of the refused input. */
static const char *profile_check(struct ctx *c, const char **field)
{
	const char *msg = NULL;
	const char *last = http_param(&c->req, "last_name"), *first = http_param(&c->req, "first_name");
	if (valid_required(last, &msg) != 0 || valid_length(last, 1, 100, &msg) != 0)
		return *field = "last_name", arena_printf(c->a, "Nom : %s", msg);
	if (valid_length(first, 0, 100, &msg) != 0)
		return *field = "first_name", arena_printf(c->a, "Prénom : %s", msg);
	if (valid_email(http_param(&c->req, "email"), &msg) != 0)
		return *field = "email", arena_printf(c->a, "E-mail : %s", msg);
	int i;
	if (valid_enum(http_param(&c->req, "rdv_notifications_level"), rdv_levels, &i, &msg) != 0 ||
	    valid_enum(http_param(&c->req, "plage_ouverture_notification_level"), simple_levels, &i, &msg) != 0 ||
	    valid_enum(http_param(&c->req, "absence_notification_level"), simple_levels, &i, &msg) != 0)
		return "Choisissez un niveau de notification proposé.";
	return NULL;
}

/* POST /agent/profile */
static int profile_update(struct ctx *c)
{
	const char *field = NULL;
	const char *error = profile_check(c, &field);
	if (error != NULL)
		return render_profile(c, 422, error, field);
	const char *first = http_param(&c->req, "first_name");
	PGresult *r = db_q(c->db,
		"WITH old AS (SELECT to_jsonb(a) - 'password_hash' - 'calendar_token_hash' - 'invitation_token_hash' AS j"
		"             FROM agents a WHERE id = $1)"
		" UPDATE agents SET first_name = $2, last_name = $3, email = $4,"
		"  rdv_notifications_level = $5::notification_level,"
		"  plage_ouverture_notification_level = $6::simple_notification_level,"
		"  absence_notification_level = $7::simple_notification_level"
		" WHERE id = $1 AND deleted_at IS NULL"
		" RETURNING (SELECT j FROM old)::text,"
		"  (to_jsonb(agents.*) - 'password_hash' - 'calendar_token_hash' - 'invitation_token_hash')::text",
		db_int(c->a, c->agent_id), first ? first : "", http_param(&c->req, "last_name"),
		http_param(&c->req, "email"),
		http_param(&c->req, "rdv_notifications_level"), http_param(&c->req, "plage_ouverture_notification_level"),
		http_param(&c->req, "absence_notification_level"));
	if (r == NULL && c->db->err == RDV_ECONFLICT)
		return render_profile(c, 422, "E-mail : cette adresse est déjà utilisée par un autre compte.", "email");
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) == 1)
		audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .item_type = "agent",
			.item_id = c->agent_id, .event = "update", .before_json = db_val(r, 0, 0),
			.after_json = db_val(r, 0, 1), .ip = app_client_ip(c)});
	PQclear(r);
	app_flash(c, "success", "Votre profil a été enregistré.");
	return app_redirect(c, "/agent/profile");
}

/* POST /agent/profile/api_tokens: the new token is on this answer only. */
static int token_create(struct ctx *c)
{
	const char *name = http_param(&c->req, "name");
	const char *msg = NULL;
	if (valid_required(name, &msg) != 0 || valid_length(name, 1, 100, &msg) != 0) {
		tmpl_set_var(c->vars, "token_name", name);
		return render_profile(c, 422, arena_printf(c->a, "Nom du jeton : %s", msg), "token-name");
	}
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	int rc = auth_api_token_create(c->db, c->agent_id, name, token);
	if (rc != 0)
		return rc;
	auth_token_hash(token, hash);
	char *id = db_s(c->db, c->a, "SELECT id FROM api_tokens WHERE token_hash = $1::bytea", hash);
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .item_type = "api_token",
		.item_id = id ? strtoll(id, NULL, 10) : 0, .event = "create",
		.after_json = db_s(c->db, c->a, "SELECT jsonb_build_object('name', $1::text)::text", name),
		.ip = app_client_ip(c)});
	/* Never cached, never in a URL: this page is the only copy. */
	http_add_header(&c->res, "Cache-Control", "no-store");
	tmpl_set_var(c->vars, "title", "Nouveau jeton d'API");
	tmpl_set_var(c->vars, "token_name", name);
	tmpl_set_var(c->vars, "token", token);
	return app_render(c, 200, "booking/profile_token.tmpl");
}

/* POST /agent/profile/api_tokens/:id/revoke: the agent's own tokens only. */
static int token_revoke(struct ctx *c)
{
	long long id = route_id(&c->match, "id");
	PGresult *r = db_q(c->db,
		"UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND agent_id = $2 AND revoked_at IS NULL"
		" RETURNING name", db_int(c->a, id), db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	int found = PQntuples(r) == 1;
	PQclear(r);
	if (!found)
		return RDV_ENOTFOUND;
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .item_type = "api_token",
		.item_id = id, .event = "revoke", .ip = app_client_ip(c)});
	app_flash(c, "success", "Le jeton a été révoqué : il ne donne plus accès à l'API.");
	return app_redirect(c, "/agent/profile");
}

ROUTE_TABLE(profile_routes,
	{HTTP_GET, "/agent/profile", profile_show, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/profile", profile_update, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/profile/api_tokens", token_create, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/profile/api_tokens/:id/revoke", token_revoke, ROUTE_AGENT, 0},
);
