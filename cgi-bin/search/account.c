/*
 * account.c - the citizen's account: sign in (password or magic link
 * mailed through the outbox), sign up with e-mail confirmation, sign out,
 * edit "Mes informations", delete the account (anonymised, RDV history
 * kept for the services). Answers never tell whether an e-mail has an
 * account, and sign-in / sign-up are throttled per e-mail and per IP.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "phone.h"
#include "rdv.h"
#include "search.h"
#include "valid.h"

#define SIGN_IN_ERROR "E-mail ou mot de passe incorrect."
#define MAIL_SENT "Si un compte existe pour cette adresse, un e-mail contenant un lien de connexion vient d'être " \
		  "envoyé. Le lien est valable 20 minutes."

static const char *return_to(struct ctx *c)
{
	return search_return_to(http_param(&c->req, "return_to"), "/users/rdvs");
}

/* The return path a form carries on: the validated one that came in, or
 * none (the sign-in then falls back to "Mes rendez-vous"). */
static const char *form_return_to(struct ctx *c)
{
	return search_return_to(http_param(&c->req, "return_to"), "");
}

/* error is shown in the summary alert on top and, when field names an
 * input, again next to it (referenced by its aria-describedby). */
static int render_field_form(struct ctx *c, int status, const char *tmpl, const char *title, const char *error,
			     const char *field)
{
	tmpl_set_var(c->vars, "title", title);
	tmpl_set_var(c->vars, "error", error);
	if (error != NULL)
		tmpl_set_field_error(c->vars, field, error);
	tmpl_set_var(c->vars, "email", http_param(&c->req, "email"));
	tmpl_set_var(c->vars, "first_name", http_param(&c->req, "first_name"));
	tmpl_set_var(c->vars, "last_name", http_param(&c->req, "last_name"));
	tmpl_set_var(c->vars, "return_to", form_return_to(c));
	return app_render(c, status, tmpl);
}

static int render_form(struct ctx *c, int status, const char *tmpl, const char *title, const char *error)
{
	return render_field_form(c, status, tmpl, title, error, NULL);
}

static int sign_in_new(struct ctx *c)
{
	if (c->user_id != 0 && !search_scoped(c))
		return app_redirect(c, return_to(c));
	return render_form(c, 200, "search/sign_in.tmpl", "Se connecter", NULL);
}

static int sign_in_create(struct ctx *c)
{
	const char *email = http_param(&c->req, "email");
	const char *password = http_param(&c->req, "password");
	const char *ip = app_client_ip(c);
	if (email == NULL || email[0] == '\0')
		return render_field_form(c, 422, "search/sign_in.tmpl", "Se connecter",
					 "Saisissez votre e-mail et votre mot de passe.", "email");
	if (password == NULL || password[0] == '\0')
		return render_field_form(c, 422, "search/sign_in.tmpl", "Se connecter",
					 "Saisissez votre e-mail et votre mot de passe.", "password");
	if (auth_throttled(c->db, "user", email, ip))
		return render_form(c, 429, "search/sign_in.tmpl", "Se connecter",
				   "Trop de tentatives de connexion. Réessayez dans 15 minutes, ou recevez un lien de "
				   "connexion par e-mail.");
	PGresult *r = db_q(c->db, "SELECT id, password_hash, email_confirmed_at IS NOT NULL FROM users"
				  " WHERE email = $1 AND deleted_at IS NULL", email);
	if (r == NULL)
		return c->db->err;
	long long id = PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
	const char *hash = id ? db_dup(c->a, r, 0, 1) : NULL;
	int confirmed = id ? db_bool(r, 0, 2) : 0;
	PQclear(r);
	int ok = auth_password_verify(hash, password) == 0;
	auth_record_attempt(c->db, "user", email, ip, ok);
	if (!ok)
		return render_field_form(c, 422, "search/sign_in.tmpl", "Se connecter", SIGN_IN_ERROR, "password");
	if (!confirmed)
		return render_field_form(c, 422, "search/sign_in.tmpl", "Se connecter",
					 "Confirmez d'abord votre adresse e-mail avec le lien que nous vous avons envoyé.",
					 "email");
	int rc = search_sign_in(c, id, 0, 0);
	if (rc != 0)
		return rc;
	audit_log(c->db, c->a, &(struct audit_entry){.user_id = id, .item_type = "user", .item_id = id,
						       .event = "sign_in", .ip = ip});
	return app_redirect(c, return_to(c));
}

static int sign_out(struct ctx *c)
{
	search_drop_session(c);
	app_flash(c, "success", "Vous êtes déconnecté(e).");
	return app_redirect(c, "/");
}

static int sign_up_new(struct ctx *c)
{
	return render_form(c, 200, "search/sign_up.tmpl", "Créer un compte", NULL);
}

/* The first error and, in *field, the input it belongs to. */
static const char *sign_up_check(struct ctx *c, const char *first, const char *last, const char *email,
				 const char *pw, const char **field)
{
	const char *msg = NULL;
	*field = "first_name";
	if (valid_required(first, NULL) != 0 || valid_length(first, 1, 100, NULL) != 0)
		return "Indiquez votre prénom.";
	*field = "last_name";
	if (valid_required(last, NULL) != 0 || valid_length(last, 1, 100, NULL) != 0)
		return "Indiquez votre nom.";
	*field = "email";
	if (valid_email(email, &msg) != 0)
		return msg ? msg : "Saisissez une adresse e-mail valide.";
	*field = "password";
	if (valid_password(pw, &msg) != 0)
		return msg ? msg : "Ce mot de passe n'est pas valide.";
	const char *confirm = http_param(&c->req, "password_confirmation");
	if (confirm != NULL && strcmp(confirm, pw) != 0)
		return "Les deux mots de passe ne correspondent pas.";
	*field = NULL;
	return NULL;
}

static int sign_up_create(struct ctx *c)
{
	const char *first = http_param(&c->req, "first_name"), *last = http_param(&c->req, "last_name");
	const char *email = http_param(&c->req, "email"), *pw = http_param(&c->req, "password");
	const char *ip = app_client_ip(c);
	const char *field = NULL;
	const char *err = sign_up_check(c, first, last, email, pw, &field);
	if (err != NULL)
		return render_field_form(c, 422, "search/sign_up.tmpl", "Créer un compte", err, field);
	if (auth_throttled(c->db, "signup", email, ip))
		return render_form(c, 429, "search/sign_up.tmpl", "Créer un compte",
				   "Trop de demandes. Réessayez dans 15 minutes.");
	auth_record_attempt(c->db, "signup", email, ip, 0);
	char hash[AUTH_PWHASH_LEN];
	if (auth_password_hash(pw, hash) != 0)
		return RDV_ENOMEM;
	/* An existing account gets no new row and no hint here: the same page
	 * answers, and its owner can sign in or ask for a link. */
	char *id = db_s(c->db, c->a,
		"INSERT INTO users (first_name, last_name, email, password_hash, created_through)"
		" VALUES ($1, $2, $3, $4, 'user_sign_up') ON CONFLICT DO NOTHING RETURNING id",
		first, last, email, hash);
	if (id == NULL && c->db->err != 0)
		return c->db->err;
	if (id != NULL) {
		/* The page the citizen came from (a créneau being booked) rides
		 * in the link, checked again when it comes back. */
		const char *rt = form_return_to(c), *path = "/users/confirmation";
		if (rt[0] != '\0') {
			struct buf b = BUF_INIT;
			buf_puts(&b, "/users/confirmation?return_to=");
			buf_put_url(&b, rt);
			path = b.oom ? NULL : arena_strdup(c->a, b.data);
			buf_free(&b);
			if (path == NULL)
				return RDV_ENOMEM;
		}
		int rc = search_mail_token(c, atoll(id), "confirmation", "user_confirmation", path, "2 days");
		if (rc != 0)
			return rc;
		audit_log(c->db, c->a, &(struct audit_entry){.user_id = atoll(id), .item_type = "user",
							       .item_id = atoll(id), .event = "create", .ip = ip});
	}
	tmpl_set_var(c->vars, "title", "Confirmez votre adresse e-mail");
	tmpl_set_var(c->vars, "message", "Un e-mail de confirmation vient de vous être envoyé. Cliquez sur le lien "
					 "qu'il contient pour activer votre compte (il est valable 2 jours).");
	return app_render(c, 200, "search/message.tmpl");
}

static int confirmation(struct ctx *c)
{
	long long id = search_use_token(c, http_param(&c->req, "token"), "confirmation");
	if (id == 0)
		return app_error(c, 404, "Ce lien de confirmation n'est plus valable. Connectez-vous pour en recevoir un nouveau.");
	db_x(c->db, "UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1",
	     db_int(c->a, id));
	int rc = search_sign_in(c, id, 0, 0);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Votre adresse e-mail est confirmée. Bienvenue !");
	return app_redirect(c, search_return_to(http_param(&c->req, "return_to"), "/users/informations"));
}

static int magic_request(struct ctx *c)
{
	const char *email = http_param(&c->req, "email");
	if (valid_email(email, NULL) != 0)
		return render_field_form(c, 422, "search/sign_in.tmpl", "Se connecter",
					 "Saisissez une adresse e-mail valide.", "magic_email");
	if (auth_throttled(c->db, "user", email, app_client_ip(c)))
		return render_form(c, 429, "search/sign_in.tmpl", "Se connecter", "Trop de demandes. Réessayez dans 15 minutes.");
	auth_record_attempt(c->db, "user", email, app_client_ip(c), 0);
	char *id = db_s(c->db, c->a, "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL", email);
	if (id != NULL) {
		int rc = search_mail_token(c, atoll(id), "magic_link", "user_magic_link", "/users/magic_link",
					   "20 minutes");
		if (rc != 0)
			return rc;
	}
	app_flash(c, "info", MAIL_SENT);
	return app_redirect(c, "/users/sign_in");
}

/* The link shows a button: mail scanners that fetch links do not use it. */
static int magic_show(struct ctx *c)
{
	tmpl_set_var(c->vars, "title", "Connexion par lien");
	tmpl_set_var(c->vars, "token", http_param(&c->req, "token"));
	return app_render(c, 200, "search/magic_link.tmpl");
}

static int magic_use(struct ctx *c)
{
	long long id = search_use_token(c, http_param(&c->req, "token"), "magic_link");
	if (id == 0)
		return app_error(c, 404, "Ce lien de connexion n'est plus valable. Demandez-en un nouveau.");
	/* Following a mailed link proves the address. */
	db_x(c->db, "UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1",
	     db_int(c->a, id));
	int rc = search_sign_in(c, id, 0, 0);
	return rc != 0 ? rc : app_redirect(c, "/users/rdvs");
}

/* ------------------------------------------------------ Mes informations */

static int informations_show(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	PGresult *r = db_q(c->db, "SELECT first_name, last_name, birth_name, to_char(birth_date, 'YYYY-MM-DD'), email,"
				  " phone_number, address, notify_by_email, notify_by_sms FROM users WHERE id = $1",
			   db_int(c->a, c->user_id));
	if (r == NULL)
		return c->db->err;
	static const char *const names[] = {"first_name", "last_name", "birth_name", "birth_date", "email",
					    "phone_number", "address"};
	for (int i = 0; i < 7; i++)
		tmpl_set_var(c->vars, names[i], db_val(r, 0, i));
	tmpl_set_bool(c->vars, "notify_by_email", db_bool(r, 0, 7));
	tmpl_set_bool(c->vars, "notify_by_sms", db_bool(r, 0, 8));
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Mes informations");
	return app_render(c, 200, "search/informations.tmpl");
}

/* The submitted informations: NULL or the French message, *field the id of
 * the refused input. */
static const char *informations_check(struct ctx *c, char e164[PHONE_E164_SIZE], const char **field)
{
	const char *first = http_param(&c->req, "first_name"), *last = http_param(&c->req, "last_name");
	const char *phone = http_param(&c->req, "phone_number"), *birth = http_param(&c->req, "birth_date");
	int y, m, d;
	e164[0] = '\0';
	if (valid_required(first, NULL) != 0 || valid_length(first, 1, 100, NULL) != 0)
		return *field = "first_name", "Indiquez votre prénom.";
	if (valid_required(last, NULL) != 0 || valid_length(last, 1, 100, NULL) != 0)
		return *field = "last_name", "Indiquez votre nom.";
	if (valid_length(http_param(&c->req, "birth_name"), 0, 100, NULL) != 0)
		return *field = "birth_name", "Le nom de naissance compte au plus 100 caractères.";
	if (birth != NULL && birth[0] && valid_date(birth, &y, &m, &d, NULL) != 0)
		return *field = "birth_date", "La date de naissance n'est pas valide (ex. : 14/07/1980).";
	if (phone != NULL && phone[0] && phone_normalize(phone, e164, NULL) != 0)
		return *field = "phone_number", "Le numéro de téléphone n'est pas valide (ex. : 06 12 34 56 78).";
	if (valid_length(http_param(&c->req, "address"), 0, 300, NULL) != 0)
		return *field = "address", "L'adresse est trop longue (300 caractères au plus).";
	return NULL;
}

static int informations_update(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	char e164[PHONE_E164_SIZE];
	const char *field = NULL;
	const char *err = informations_check(c, e164, &field);
	if (err != NULL) {
		tmpl_set_var(c->vars, "error", err);
		tmpl_set_field_error(c->vars, field, err);
		tmpl_set_bool(c->vars, "notify_by_email", http_param(&c->req, "notify_by_email") != NULL);
		tmpl_set_bool(c->vars, "notify_by_sms", http_param(&c->req, "notify_by_sms") != NULL);
		static const char *const names[] = {"first_name", "last_name", "birth_name", "birth_date",
						    "phone_number", "address"};
		for (int i = 0; i < 6; i++)
			tmpl_set_var(c->vars, names[i], http_param(&c->req, names[i]));
		tmpl_set_var(c->vars, "title", "Mes informations");
		return app_render(c, 422, "search/informations.tmpl");
	}
	int rc = db_x(c->db,
		"UPDATE users SET first_name = $2, last_name = $3, birth_name = nullif($4, ''),"
		" birth_date = nullif($5, '')::date, phone_number = nullif($6, ''), phone_number_formatted = nullif($7, ''),"
		" address = nullif($8, ''), notify_by_email = $9, notify_by_sms = $10, updated_at = now() WHERE id = $1",
		db_int(c->a, c->user_id), http_param(&c->req, "first_name"), http_param(&c->req, "last_name"),
		http_param(&c->req, "birth_name") ?: "", http_param(&c->req, "birth_date") ?: "",
		http_param(&c->req, "phone_number") ?: "", e164, http_param(&c->req, "address") ?: "",
		http_param(&c->req, "notify_by_email") ? "t" : "f", http_param(&c->req, "notify_by_sms") ? "t" : "f");
	if (rc != 0)
		return rc == RDV_EINVAL ? app_error(c, 422, "Les informations saisies ne sont pas valides.") : rc;
	audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .item_type = "user",
						       .item_id = c->user_id, .event = "update", .ip = app_client_ip(c)});
	app_flash(c, "success", "Vos informations ont été enregistrées.");
	return app_redirect(c, "/users/informations");
}

/* The family's future RDVs, cancelled as if the citizen had cancelled each
 * one (agents and webhooks told, seats of workshops freed), in the caller's
 * transaction. */
static int cancel_future_rdvs(struct ctx *c)
{
	PGresult *r = db_q(c->db,
		"SELECT DISTINCT r.id, r.collectif FROM rdvs r JOIN participations p ON p.rdv_id = r.id"
		" JOIN users u ON u.id = p.user_id WHERE (u.id = $1 OR u.responsible_id = $1) AND r.starts_at > now()"
		" AND r.cancelled_at IS NULL AND p.status NOT IN ('excused', 'revoked') ORDER BY r.id",
		db_int(c->a, c->user_id));
	if (r == NULL)
		return c->db->err;
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = search_family_cancel(c, db_ll(r, i, 0), db_bool(r, i, 1), 1);
	PQclear(r);
	return rc;
}

/* Deleting an account anonymises it and its proches (RDVs stay for the
 * services' history), cancels future RDVs, and ends every session. */
static int account_delete(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	const char *id = db_int(c->a, c->user_id);
	int rc = db_begin(c->db);
	if (rc == 0)
		rc = cancel_future_rdvs(c);
	if (rc == 0)
		rc = db_x(c->db, "UPDATE users SET first_name = 'Usager', last_name = 'supprimé', birth_name = NULL,"
				 " email = NULL, phone_number = NULL, phone_number_formatted = NULL, address = NULL,"
				 " address_details = NULL, password_hash = NULL, affiliation_number = NULL, case_number = NULL,"
				 " latitude = NULL, longitude = NULL, street_ban_id = NULL, deleted_at = now(), updated_at = now()"
				 " WHERE id = $1 OR responsible_id = $1", id);
	if (rc == 0)
		rc = db_x(c->db, "DELETE FROM sessions WHERE user_id = $1", id);
	if (rc == 0)
		rc = audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .item_type = "user",
			.item_id = c->user_id, .event = "destroy", .ip = app_client_ip(c)});
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0)
		return rc;
	search_drop_session(c);
	app_flash(c, "success", "Votre compte a été supprimé.");
	return app_redirect(c, "/");
}

ROUTE_TABLE(user_account_routes,
	{HTTP_GET, "/users/sign_in", sign_in_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/users/sign_in", sign_in_create, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/users/sign_out", sign_out, ROUTE_USER, 0},
	{HTTP_GET, "/users/sign_up", sign_up_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/users/sign_up", sign_up_create, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/users/confirmation", confirmation, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/users/magic_link", magic_request, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/users/magic_link", magic_show, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/users/magic_link/sign_in", magic_use, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/users/informations", informations_show, ROUTE_USER, 0},
	{HTTP_POST, "/users/informations", informations_update, ROUTE_USER, 0},
	{HTTP_POST, "/users/delete", account_delete, ROUTE_USER, 0},
);
