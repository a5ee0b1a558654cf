/*
 * rdv_links.c - the links sent by SMS and e-mail, /r/:id/<token>: the
 * token (256-bit random, stored hashed in rdv_tokens, with an expiry)
 * names a participation of RDV :id. The page asks the first three letters
 * of the last name (spaces removed, case and accents ignored); right
 * answers open a 10-minute session limited to that RDV (rdv_scope_id).
 * Wrong answers are throttled like sign-ins.
 */
#include <string.h>

#include "rdv.h"
#include "search.h"
#include "valid.h"

/* The participant's user id and folded last name, 0 for a bad link. */
static long long link_user(struct ctx *c, long long rdv_id, const char *token, const char **name)
{
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return 0;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	PGresult *r = db_q(c->db, "SELECT u.id, u.last_name FROM rdv_tokens t JOIN participations p ON p.id = t.participation_id"
				  " JOIN users u ON u.id = p.user_id WHERE t.token_hash = $1::bytea AND p.rdv_id = $2"
				  " AND t.expires_at > now() AND u.deleted_at IS NULL",
			   hash, db_int(c->a, rdv_id));
	if (r == NULL || PQntuples(r) != 1) {
		if (r != NULL)
			PQclear(r);
		return 0;
	}
	long long id = db_ll(r, 0, 0);
	*name = valid_normalize_name(c->a, db_val(r, 0, 1));
	PQclear(r);
	return id;
}

static int link_form(struct ctx *c, int status, const char *error)
{
	tmpl_set_var(c->vars, "title", "Accéder à mon rendez-vous");
	tmpl_set_var(c->vars, "action", app_url(c, arena_printf(c->a, "/r/%lld/%s", route_id(&c->match, "id"),
								 route_str(&c->match, "token"))));
	tmpl_set_var(c->vars, "error", error);
	if (status == 422)
		tmpl_set_field_error(c->vars, "letters", error);
	tmpl_set_var(c->vars, "letters", http_param(&c->req, "letters"));
	return app_render(c, status, "search/rdv_link.tmpl");
}

static int link_show(struct ctx *c)
{
	const char *name;
	if (link_user(c, route_id(&c->match, "id"), route_str(&c->match, "token"), &name) == 0)
		return app_error(c, 404, "Ce lien n'est plus valable. Connectez-vous à votre espace ou appelez le service.");
	return link_form(c, 200, NULL);
}

static int link_verify(struct ctx *c)
{
	long long rdv_id = route_id(&c->match, "id");
	const char *name = NULL, *ip = app_client_ip(c);
	long long user = link_user(c, rdv_id, route_str(&c->match, "token"), &name);
	if (user == 0)
		return app_error(c, 404, "Ce lien n'est plus valable. Connectez-vous à votre espace ou appelez le service.");
	const char *login = arena_printf(c->a, "rdv-link:%lld", rdv_id);
	if (auth_throttled(c->db, "user", login, ip))
		return link_form(c, 429, "Trop de tentatives. Réessayez dans 15 minutes.");
	const char *typed = valid_normalize_name(c->a, http_param(&c->req, "letters"));
	int ok = typed != NULL && name != NULL && strlen(typed) == 3 && strncmp(typed, name, 3) == 0;
	auth_record_attempt(c->db, "user", login, ip, ok);
	if (!ok)
		return link_form(c, 422, "Ces lettres ne correspondent pas au nom de la personne invitée.");
	int rc = search_sign_in(c, user, rdv_id, 10);
	if (rc != 0)
		return rc;
	return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld", rdv_id));
}

ROUTE_TABLE(rdv_link_routes,
	{HTTP_GET, "/r/:id/*token", link_show, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/r/:id/*token", link_verify, ROUTE_PUBLIC, 0},
);
