/*
 * common.c - what the public program's resource files share: the wizard's
 * query string, sectorised agent lists, French dates, the citizen session
 * cookie and single-use mailed tokens.
 */
#include <stdlib.h>
#include <string.h>

#include "rdv.h"
#include "search.h"
#include "tz.h"
#include "valid.h"

void wizard_parse(struct ctx *c, struct wizard *w)
{
	memset(w, 0, sizeof(*w));
	w->address = http_param(&c->req, "address");
	w->city_code = http_param(&c->req, "city_code");
	w->street_ban_id = http_param(&c->req, "street_ban_id");
	w->lat = http_param(&c->req, "lat");
	w->lon = http_param(&c->req, "lon");
	w->service_id = http_param(&c->req, "service_id");
	w->motif_name = http_param(&c->req, "motif_name");
	w->location_type = http_param(&c->req, "location_type");
	w->date = http_param(&c->req, "date");
	w->invitation_token = http_param(&c->req, "invitation_token");
	const char *presc = http_param(&c->req, "prescripteur");
	w->prescripteur = presc != NULL && strcmp(presc, "1") == 0;
	long long id = 0;
	const char *lieu = http_param(&c->req, "lieu_id");
	if (lieu != NULL && lieu[0] && valid_id(lieu, &id, NULL) == 0)
		w->lieu_id = id;
	if (w->street_ban_id == NULL)
		w->street_ban_id = "";
	if (w->service_id == NULL)
		w->service_id = "";
}

static void qs_put(struct buf *b, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, key);
	buf_putc(b, '=');
	buf_put_url(b, value);
}

const char *wizard_query(struct ctx *c, const struct wizard *w, int level)
{
	struct buf b = BUF_INIT;
	qs_put(&b, "invitation_token", w->invitation_token);
	qs_put(&b, "prescripteur", w->prescripteur ? "1" : NULL);
	qs_put(&b, "address", w->address);
	qs_put(&b, "city_code", w->city_code);
	qs_put(&b, "street_ban_id", w->street_ban_id);
	qs_put(&b, "lat", w->lat);
	qs_put(&b, "lon", w->lon);
	if (level >= 1)
		qs_put(&b, "service_id", w->service_id);
	if (level >= 2) {
		qs_put(&b, "motif_name", w->motif_name);
		qs_put(&b, "location_type", w->location_type);
	}
	if (level >= 3 && w->lieu_id)
		qs_put(&b, "lieu_id", db_int(c->a, w->lieu_id));
	if (level >= 4)
		qs_put(&b, "date", w->date);
	const char *s = b.oom ? "" : arena_strdup(c->a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

const char *wizard_url(struct ctx *c, const struct wizard *w, int level)
{
	return arena_printf(c->a, "/prendre_rdv?%s", wizard_query(c, w, level));
}

long long search_viewer_id(const struct ctx *c)
{
	return search_scoped(c) ? 0 : c->user_id;
}

const char *search_viewer(struct ctx *c)
{
	return db_int(c->a, search_viewer_id(c));
}

int search_motif_agents(struct ctx *c, long long motif_id, const char *city_code, const char *street_ban_id,
			const char *viewer, long long **ids, size_t *n, int *restricted)
{
	*ids = NULL;
	*n = 0;
	*restricted = 0;
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT m.sectorisation_level = 'agent' OR m.follow_up, x.agent_id FROM motifs m"
		" LEFT JOIN LATERAL (" SEARCH_MOTIF_AGENTS ") x ON true"
		" WHERE m.id = $5", city_code ? city_code : "", street_ban_id ? street_ban_id : "", "",
		viewer, db_int(c->a, motif_id));
	if (r == NULL)
		return c->db->err;
	int rows = PQntuples(r);
	if (rows > 0 && db_bool(r, 0, 0)) {
		*restricted = 1;
		*ids = arena_calloc(c->a, (size_t)rows, sizeof(**ids));
		for (int i = 0; *ids != NULL && i < rows; i++)
			if (db_val(r, i, 1) != NULL)
				(*ids)[(*n)++] = db_ll(r, i, 1);
	}
	PQclear(r);
	return 0;
}

const char *search_fr_long(struct ctx *c, long long utc)
{
	char *s = arena_alloc(c->a, 96);
	if (s != NULL)
		tz_format_fr_long(utc, s, 96);
	return s;
}

const char *search_fr_date(struct ctx *c, long long utc)
{
	char *s = arena_alloc(c->a, 64);
	if (s != NULL)
		tz_format_fr_date(utc, s, 64);
	return s;
}

long long search_week_start(const char *date, long long now)
{
	int y, m, d;
	if (date != NULL && valid_date(date, &y, &m, &d, NULL) == 0) {
		long long t = tz_local_midnight(y, m, d);
		if (t + 86400 > now)
			return t;
	}
	struct local_dt lt;
	tz_utc_to_local(now, &lt);
	return tz_local_midnight(lt.year, lt.month, lt.day);
}

struct tmpl_loop *search_day_slots(struct ctx *c, struct tmpl_loop *days, long long start, int d, long long *next)
{
	long long day = tz_local_seconds_to_utc((tz_utc_to_local_days(start) + d) * 86400LL);
	*next = tz_local_seconds_to_utc((tz_utc_to_local_days(start) + d + 1) * 86400LL);
	struct tmpl_vars *row = tmpl_loop_add_row(days);
	tmpl_set_var(row, "day", search_fr_date(c, day));
	return tmpl_add_loop(row, "slots");
}

const char *search_hm(struct ctx *c, long long utc)
{
	char *s = arena_alloc(c->a, 6);
	if (s != NULL)
		tz_format_hm(utc, s);
	return s;
}

const char *search_return_to(const char *rt, const char *def)
{
	if (rt == NULL || rt[0] != '/' || rt[1] == '/' || rt[1] == '\\' || strpbrk(rt, "\r\n\t") != NULL)
		return def;
	return rt;
}

static void set_cookie(struct ctx *c, const char *value, long max_age)
{
	int flags = COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX | (c->req.https ? COOKIE_SECURE : 0);
	const char *path = c->conf->base_path[0] ? app_url(c, "/") : "/";
	http_set_cookie(&c->res, "rdv_usager", value, path, max_age, flags);
}

int search_sign_in(struct ctx *c, long long user_id, long long rdv_scope_id, int life_minutes)
{
	/* A fresh token at every sign-in: a planted session id is never promoted. */
	auth_session_destroy(c->db, http_cookie(&c->req, "rdv_usager"));
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	int rc = auth_session_create(c->db, SESSION_USER, user_id, rdv_scope_id, app_client_ip(c),
				     c->req.user_agent, token);
	if (rc != 0)
		return rc;
	if (life_minutes > 0) {
		auth_token_hash(token, hash);
		db_x(c->db, "UPDATE sessions SET expires_at = now() + make_interval(mins => $2::int)"
			    " WHERE token_hash = $1::bytea", hash, db_int(c->a, life_minutes));
	}
	set_cookie(c, token, -1);
	return 0;
}

void search_drop_session(struct ctx *c)
{
	auth_session_destroy(c->db, http_cookie(&c->req, "rdv_usager"));
	set_cookie(c, "", 0);
}

int search_mail_token(struct ctx *c, long long user_id, const char *kind, const char *event,
		      const char *path, const char *lifetime)
{
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_new(token);
	auth_token_hash(token, hash);
	/* path may carry a query string (a return_to): the token comes first */
	const char *q = strchr(path, '?');
	int plen = q ? (int)(q - path) : (int)strlen(path);
	const char *link = arena_printf(c->a, "%s%.*s?token=%s%s%s", c->conf->public_url, plen, path, token,
					q ? "&" : "", q ? q + 1 : "");
	if (link == NULL)
		return RDV_ENOMEM;
	return db_x(c->db,
		"WITH u AS (SELECT id, email, first_name, last_name FROM users"
		"           WHERE id = $1 AND deleted_at IS NULL AND email IS NOT NULL),"
		" ins AS (INSERT INTO user_tokens (token_hash, user_id, kind, expires_at)"
		"         SELECT $2::bytea, id, $3, now() + $4::interval FROM u)"
		" INSERT INTO outbox (channel, event, recipient, payload, user_id)"
		" SELECT 'email', $5, email, jsonb_build_object('first_name', first_name,"
		"        'last_name', last_name, 'link', $6::text), id FROM u",
		db_int(c->a, user_id), hash, kind, lifetime, event, link);
}

long long search_use_token(struct ctx *c, const char *token, const char *kind)
{
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return 0;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	char *id = db_s(c->db, c->a,
		"UPDATE user_tokens SET used_at = now() WHERE token_hash = $1::bytea AND kind = $2"
		" AND used_at IS NULL AND expires_at > now() RETURNING user_id", hash, kind);
	return id ? atoll(id) : 0;
}

int search_scoped(const struct ctx *c)
{
	return c->user_id != 0 && c->session.rdv_scope_id != 0;
}

int search_scope_refused(struct ctx *c)
{
	return app_error(c, 403, "Vous êtes connecté(e) par le lien d'un rendez-vous : seul ce rendez-vous "
				 "est accessible. Connectez-vous avec votre e-mail pour accéder à votre espace.");
}

void wizard_address_from(struct ctx *c, struct wizard *w, const PGresult *r, int col)
{
	w->address = db_dup(c->a, r, 0, col);
	w->city_code = db_dup(c->a, r, 0, col + 1);
	w->street_ban_id = db_dup(c->a, r, 0, col + 2);
	w->lat = db_dup(c->a, r, 0, col + 3);
	w->lon = db_dup(c->a, r, 0, col + 4);
}
