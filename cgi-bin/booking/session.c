/*
 * session.c - agents sign in and out, and reset a forgotten password.
 * Answers never tell whether an e-mail has an account (no enumeration).
 */
#include <string.h>

#include "audit.h"
#include "booking.h"
#include "log.h"
#include "rdv.h"
#include "valid.h"

#define SIGN_IN_ERROR "E-mail ou mot de passe incorrect."

/* A return_to is followed only when it is a local path of this site. */
static const char *safe_return_to(const char *rt)
{
	if (rt == NULL || rt[0] != '/' || rt[1] == '/' || rt[1] == '\\' || strpbrk(rt, "\r\n\t") != NULL)
		return "/agent/";
	return rt;
}

/* The sign-in form; error on top and, when field names an input, next to it. */
static int render_sign_in(struct ctx *c, int status, const char *error, const char *field)
{
	const char *email = http_param(&c->req, "email");
	tmpl_set_var(c->vars, "title", "Connexion agent");
	tmpl_set_var(c->vars, "email", email);
	tmpl_set_var(c->vars, "return_to", safe_return_to(http_param(&c->req, "return_to")));
	tmpl_set_var(c->vars, "error", error);
	tmpl_set_field_error(c->vars, field, error);
	return app_render(c, status, "booking/sign_in.tmpl");
}

static int session_new(struct ctx *c)
{
	if (c->agent_id != 0)
		return app_redirect(c, safe_return_to(http_param(&c->req, "return_to")));
	return render_sign_in(c, 200, NULL, NULL);
}

static void set_session_cookie(struct ctx *c, const char *name, const char *value, long max_age)
{
	int flags = COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX | (c->req.https ? COOKIE_SECURE : 0);
	const char *path = c->conf->base_path[0] ? app_url(c, "/") : "/";
	http_set_cookie(&c->res, name, value, path, max_age, flags);
}

static int session_create(struct ctx *c)
{
	const char *email = http_param(&c->req, "email");
	const char *password = http_param(&c->req, "password");
	const char *ip = app_client_ip(c);
	if (email == NULL || email[0] == '\0')
		return render_sign_in(c, 422, "Saisissez votre adresse e-mail.", "email");
	if (password == NULL || password[0] == '\0')
		return render_sign_in(c, 422, "Saisissez votre mot de passe.", "password");
	if (auth_throttled(c->db, "agent", email, ip)) {
		tmpl_set_bool(c->vars, "throttled", 1);
		return render_sign_in(c, 429, "Trop de tentatives de connexion. Réessayez dans 15 minutes "
					      "ou réinitialisez votre mot de passe.", NULL);
	}
	PGresult *r = db_q(c->db, "SELECT id, password_hash FROM agents WHERE email = $1 AND deleted_at IS NULL", email);
	if (r == NULL)
		return c->db->err;
	long long id = PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
	const char *hash = id ? db_dup(c->a, r, 0, 1) : NULL;
	PQclear(r);
	int ok = auth_password_verify(hash, password) == 0;
	auth_record_attempt(c->db, "agent", email, ip, ok);
	if (!ok)
		return render_sign_in(c, 422, SIGN_IN_ERROR, "password");
	/* A fresh token at every sign-in: a session id planted before sign-in
	 * (fixation) is never promoted. */
	auth_session_destroy(c->db, http_cookie(&c->req, "rdv_agent"));
	char token[AUTH_TOKEN_LEN + 1];
	int rc = auth_session_create(c->db, SESSION_AGENT, id, 0, ip, c->req.user_agent, token);
	if (rc != 0)
		return rc;
	db_x(c->db, "UPDATE agents SET last_sign_in_at = now() WHERE id = $1", db_int(c->a, id));
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = id, .item_type = "agent", .item_id = id,
						       .event = "sign_in", .ip = ip});
	set_session_cookie(c, "rdv_agent", token, -1);
	return app_redirect(c, safe_return_to(http_param(&c->req, "return_to")));
}

static int session_destroy(struct ctx *c)
{
	auth_session_destroy(c->db, http_cookie(&c->req, "rdv_agent"));
	set_session_cookie(c, "rdv_agent", "", 0);
	app_flash(c, "success", "Vous êtes déconnecté(e).");
	return app_redirect(c, "/agent/sign_in");
}

static int password_new(struct ctx *c)
{
	tmpl_set_var(c->vars, "title", "Mot de passe oublié");
	return app_render(c, 200, "booking/password_new.tmpl");
}

static int password_create(struct ctx *c)
{
	const char *email = http_param(&c->req, "email");
	const char *msg;
	tmpl_set_var(c->vars, "title", "Mot de passe oublié");
	if (valid_email(email, &msg) != 0) {
		tmpl_set_var(c->vars, "email", email);
		tmpl_set_var(c->vars, "error", msg);
		return app_render(c, 422, "booking/password_new.tmpl");
	}
	if (auth_throttled(c->db, "reset", email, app_client_ip(c)))
		return app_error(c, 429, "Trop de demandes de réinitialisation. Réessayez dans 15 minutes.");
	auth_record_attempt(c->db, "reset", email, app_client_ip(c), 0);
	int rc = auth_reset_request(c->db, c->a, email, c->conf->public_url);
	if (rc != 0)
		return rc;
	/* The same answer whether or not the account exists. */
	app_flash(c, "info", "Si un compte existe pour cette adresse, un e-mail contenant un lien de "
			     "réinitialisation vient d'être envoyé. Le lien est valable une heure.");
	return app_redirect(c, "/agent/sign_in");
}

static int password_edit(struct ctx *c)
{
	tmpl_set_var(c->vars, "title", "Nouveau mot de passe");
	tmpl_set_var(c->vars, "token", http_param(&c->req, "token"));
	return app_render(c, 200, "booking/password_edit.tmpl");
}



static int password_update(struct ctx *c)
{
	const char *token = http_param(&c->req, "token");
	const char *pw = http_param(&c->req, "password");
	const char *confirm = http_param(&c->req, "password_confirmation");
	const char *msg = NULL;
	tmpl_set_var(c->vars, "title", "Nouveau mot de passe");
	tmpl_set_var(c->vars, "token", token);
	if (valid_password(pw, &msg) != 0 || (confirm != NULL && strcmp(pw, confirm) != 0)) {
		const char *error = msg ? msg : "Les deux mots de passe ne correspondent pas.";
		tmpl_set_var(c->vars, "error", error);
		tmpl_set_field_error(c->vars, msg ? "password" : "password_confirmation", error);
		return app_render(c, 422, "booking/password_edit.tmpl");
	}
	char hash[AUTH_PWHASH_LEN];
	if (auth_password_hash(pw, hash) != 0)
		return RDV_ENOMEM;
	if (auth_reset_complete(c->db, token, hash) != 0) {
		tmpl_set_var(c->vars, "error", "Ce lien de réinitialisation n'est plus valable. Demandez-en un nouveau.");
		return app_render(c, 422, "booking/password_edit.tmpl");
	}
	app_flash(c, "success", "Votre mot de passe a été modifié. Vous pouvez vous connecter.");
	return app_redirect(c, "/agent/sign_in");
}

ROUTE_TABLE(session_routes,
	{HTTP_GET, "/agent/sign_in", session_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/sign_in", session_create, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/sign_out", session_destroy, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/password/new", password_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/password", password_create, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/agent/password/edit", password_edit, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/password/update", password_update, ROUTE_PUBLIC, 0},
);
