/*
 * invitation.c - an invited agent chooses a password: /agent/invitation?token=
 * The token (mailed by the admin's invitation, see cgi-bin/admin/agents.c) is
 * stored only as its SHA-256 in agents.invitation_token_hash, is valid 7 days
 * from invitation_sent_at, and is cleared when used (single use): a second
 * use finds nothing. A resent invitation replaces the hash, so the old link
 * stops working; a revoked one clears it.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "booking.h"
#include "rdv.h"
#include "valid.h"

#define LINK_GONE "Ce lien d'invitation n'est plus valable : il a déjà été utilisé ou a été révoqué. " \
		  "Si vous n'avez pas encore de mot de passe, demandez à l'administrateur de votre organisation " \
		  "de vous renvoyer une invitation."
#define LINK_EXPIRED "Ce lien d'invitation a expiré (il est valable 7 jours). Demandez à l'administrateur " \
		     "de votre organisation de vous renvoyer une invitation."

/* 0 valid (names set), 404 unknown or used, 410 expired. */
static int invitation_check(struct ctx *c, const char *token)
{
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return 404;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	PGresult *r = db_q(c->db,
		"SELECT first_name, last_name, email, invitation_sent_at > now() - interval '7 days'"
		" FROM agents WHERE invitation_token_hash = $1 AND deleted_at IS NULL", hash);
	if (r == NULL)
		return c->db->err;
	int status = PQntuples(r) != 1 ? 404 : db_bool(r, 0, 3) ? 0 : 410;
	if (status == 0) {
		tmpl_set_var(c->vars, "first_name", db_val(r, 0, 0));
		tmpl_set_var(c->vars, "last_name", db_val(r, 0, 1));
		tmpl_set_var(c->vars, "email", db_val(r, 0, 2));
	}
	PQclear(r);
	return status;
}

static int invitation_edit(struct ctx *c)
{
	const char *token = http_param(&c->req, "token");
	int st = invitation_check(c, token);
	if (st < 0)
		return st;
	if (st != 0)
		return app_error(c, st, st == 410 ? LINK_EXPIRED : LINK_GONE);
	tmpl_set_var(c->vars, "title", "Activer votre compte");
	tmpl_set_var(c->vars, "token", token);
	return app_render(c, 200, "admin/invitation.tmpl");
}

static int invitation_accept(struct ctx *c)
{
	const char *token = http_param(&c->req, "token");
	const char *pw = http_param(&c->req, "password");
	const char *confirm = http_param(&c->req, "password_confirmation");
	int st = invitation_check(c, token);
	if (st < 0)
		return st;
	if (st != 0)
		return app_error(c, st, st == 410 ? LINK_EXPIRED : LINK_GONE);
	tmpl_set_var(c->vars, "title", "Activer votre compte");
	tmpl_set_var(c->vars, "token", token);
	const char *msg = NULL;
	if (valid_password(pw, &msg) != 0 || confirm == NULL || strcmp(pw, confirm) != 0) {
		tmpl_set_var(c->vars, "error_password", msg ? msg : "Les deux mots de passe ne correspondent pas.");
		return app_render(c, 422, "admin/invitation.tmpl");
	}
	char pwhash[AUTH_PWHASH_LEN], hash[AUTH_HASH_HEX_LEN + 1];
	if (auth_password_hash(pw, pwhash) != 0)
		return RDV_ENOMEM;
	auth_token_hash(token, hash);
	/* The WHERE repeats every condition: two tabs posting at once, one wins. */
	char *id = db_s(c->db, c->a,
		"UPDATE agents SET password_hash = $2, invitation_accepted_at = now(), invitation_token_hash = NULL"
		" WHERE invitation_token_hash = $1 AND deleted_at IS NULL"
		" AND invitation_sent_at > now() - interval '7 days' RETURNING id", hash, pwhash);
	if (id == NULL)
		return c->db->err ? c->db->err : app_error(c, 404, LINK_GONE);
	long long agent_id = strtoll(id, NULL, 10);
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = agent_id, .item_type = "agent", .item_id = agent_id,
						       .event = "invitation_accepted", .ip = app_client_ip(c)});
	app_flash(c, "success", "Votre mot de passe est enregistré. Connectez-vous avec votre e-mail et ce mot de passe.");
	return app_redirect(c, "/agent/sign_in");
}

ROUTE_TABLE(invitation_routes,
	{HTTP_GET, "/agent/invitation", invitation_edit, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/invitation", invitation_accept, ROUTE_PUBLIC, 0},
);
