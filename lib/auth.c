/*
 * auth.c - passwords, tokens, sessions, throttling, resets, API tokens (auth.h).
 */
#include "auth.h"
#include "log.h"
#include "rdv.h"
#include "rls.h"

#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* OWASP's argon2id floor (m = 19 MiB, t = 2): keeps a program under ~50 MiB
 * even with two sign-ins at once. */
#define PWHASH_OPS 2
#define PWHASH_MEM (19u * 1024 * 1024)

static sem_t hash_slots;

/* A valid hash of a random password, verified against when the account does
 * not exist so that the answer takes the same time. */
static char dummy_hash[AUTH_PWHASH_LEN];

int auth_init(void)
{
	if (sodium_init() < 0)
		return RDV_ESYSTEM;
	if (sem_init(&hash_slots, 0, 2) != 0)
		return RDV_ESYSTEM;
	char pw[AUTH_TOKEN_LEN + 1];
	auth_token_new(pw);
	return auth_password_hash(pw, dummy_hash);
}

int auth_password_hash(const char *password, char out[AUTH_PWHASH_LEN])
{
	sem_wait(&hash_slots);
	int rc = crypto_pwhash_str(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM);
	sem_post(&hash_slots);
	return rc == 0 ? 0 : RDV_ENOMEM;
}

int auth_password_verify(const char *hash, const char *password)
{
	const char *h = hash != NULL && hash[0] != '\0' ? hash : dummy_hash;
	sem_wait(&hash_slots);
	int rc = crypto_pwhash_str_verify(h, password, strlen(password));
	sem_post(&hash_slots);
	return rc == 0 && h != dummy_hash ? 0 : RDV_EINVAL;
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void auth_token_hash(const char *token, char out[AUTH_HASH_HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, AUTH_HASH_HEX_LEN - 1, h, sizeof(h));
}

/* Idle and absolute lifetimes: agents work all day on a shared PC, citizens
 * book in a few minutes (the reference: 14 days for agents, 30 min for users). */
static const char *idle_of(enum session_kind k) { return k == SESSION_AGENT ? "12 hours" : "30 minutes"; }
static const char *life_of(enum session_kind k) { return k == SESSION_AGENT ? "14 days" : "12 hours"; }

int auth_session_create(struct db *db, enum session_kind kind, long long subject_id,
			long long rdv_scope_id, const char *ip, const char *user_agent,
			char token_out[AUTH_TOKEN_LEN + 1])
{
	char hash[AUTH_HASH_HEX_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
	char id[24], scope[24];
	auth_token_new(token_out);
	auth_token_new(csrf);
	auth_token_hash(token_out, hash);
	snprintf(id, sizeof(id), "%lld", subject_id);
	snprintf(scope, sizeof(scope), "%lld", rdv_scope_id);
	return db_x(db,
		"INSERT INTO sessions (token_hash, agent_id, user_id, rdv_scope_id, csrf_token, expires_at, ip, user_agent)"
		" VALUES ($1::bytea, CASE WHEN $2 = 'agent' THEN $3::bigint END,"
		" CASE WHEN $2 = 'user' THEN $3::bigint END, nullif($4::bigint, 0), $5,"
		" now() + $6::interval, $7, left($8, 300))",
		hash, kind == SESSION_AGENT ? "agent" : "user", id, scope, csrf, life_of(kind),
		ip ? ip : "", user_agent ? user_agent : "");
}

/* The first seven columns both session lookups return (id, agent_id, csrf
 * token, first name, last name, e-mail, stale) into s, the strings in a;
 * returns stale (last_seen older than a minute). */
static int session_fill(struct arena *a, const PGresult *r, struct session *s)
{
	s->id = db_ll(r, 0, 0);
	s->agent_id = db_ll(r, 0, 1);
	snprintf(s->csrf, sizeof(s->csrf), "%s", db_val(r, 0, 2));
	s->first_name = db_dup(a, r, 0, 3);
	s->last_name = db_dup(a, r, 0, 4);
	s->email = db_dup(a, r, 0, 5);
	return db_bool(r, 0, 6);
}

/* Refresh the idle clock at most once a minute: no write per request. */
static void session_touch(struct db *db, struct arena *a, const struct session *s, int stale)
{
	if (stale)
		db_x(db, "UPDATE sessions SET last_seen_at = now() WHERE id = $1", db_int(a, s->id));
}

int auth_agent_context(struct db *db, struct arena *a, const char *token, long long org_id, int declare,
		       struct session *s)
{
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return RDV_ENOTFOUND;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	/* The function starts by setting 'public' itself: recorded so, with no
	 * statement of its own; sent again if the call fails (nothing changed). */
	if (declare && rls_actor_assumed(db, 0, 0) != 0)
		return RDV_EINVAL;
	PGresult *r = db_q(db, "SELECT * FROM agent_request_context($1::bytea, $2::interval, $3, $4)",
			   hash, idle_of(SESSION_AGENT), db_int(a, org_id > 0 ? org_id : 0), declare ? "t" : "f");
	if (r == NULL) {
		if (declare)
			db_session_resend(db);
		return db->err;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	int stale = session_fill(a, r, s);
	s->user_id = s->rdv_scope_id = 0;
	s->org_id = org_id > 0 ? org_id : 0;
	s->org_level = db_dup(a, r, 0, 7);
	s->org_name = db_dup(a, r, 0, 8);
	s->org_territory_id = db_ll(r, 0, 9);
	PQclear(r);
	if (declare && rls_actor_assumed(db, s->agent_id, 0) != 0)
		return RDV_EINVAL;
	session_touch(db, a, s, stale);
	return 0;
}

int auth_session_load(struct db *db, struct arena *a, enum session_kind kind, const char *token,
		      struct session *s)
{
	if (kind == SESSION_AGENT)
		return auth_agent_context(db, a, token, 0, 0, s);
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return RDV_ENOTFOUND;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	PGresult *r = db_q(db, "SELECT s.id, 0, s.csrf_token, u.first_name, u.last_name, u.email,"
			   " s.last_seen_at < now() - interval '1 minute', s.user_id, coalesce(s.rdv_scope_id, 0)"
			   " FROM sessions s JOIN users u ON u.id = s.user_id"
			   " WHERE s.token_hash = $1::bytea AND s.expires_at > now()"
			   " AND s.last_seen_at > now() - $2::interval AND u.deleted_at IS NULL",
			   hash, idle_of(kind));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	int stale = session_fill(a, r, s);
	s->user_id = db_ll(r, 0, 7);
	s->rdv_scope_id = db_ll(r, 0, 8);
	PQclear(r);
	session_touch(db, a, s, stale);
	return 0;
}

int auth_session_destroy(struct db *db, const char *token)
{
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return 0;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	return db_x(db, "DELETE FROM sessions WHERE token_hash = $1::bytea", hash);
}

/* Counted rows allowed per login and per IP over 15 minutes, by kind; the
 * sign-in kinds ("agent", "user") and "reset", "signup" take the default. */
static const struct throttle_limit {
	const char *kind;
	long long per_login, per_ip;
} throttle_limits[] = {
	{"booking", 10, 100},   /* RDVs booked online: one account, one IP (a family, a public PC) */
	{NULL, 5, 50},
};

int auth_throttled(struct db *db, const char *kind, const char *login, const char *ip)
{
	const struct throttle_limit *l = throttle_limits;
	while (l->kind != NULL && strcmp(l->kind, kind) != 0)
		l++;
	PGresult *r = db_q(db,
		"SELECT count(*) FILTER (WHERE login = lower($2)), count(*) FILTER (WHERE ip = $3)"
		" FROM login_attempts WHERE kind = $1 AND NOT success"
		" AND attempted_at > now() - interval '15 minutes' AND (login = lower($2) OR ip = $3)",
		kind, login ? login : "", ip ? ip : "");
	if (r == NULL)
		return 0;
	long long per_login = db_ll(r, 0, 0), per_ip = db_ll(r, 0, 1);
	PQclear(r);
	return per_login >= l->per_login || per_ip >= l->per_ip;
}

void auth_record_attempt(struct db *db, const char *kind, const char *login, const char *ip, int success)
{
	db_x(db, "INSERT INTO login_attempts (kind, login, ip, success) VALUES ($1, lower($2), $3, $4)",
	     kind, login ? login : "", ip ? ip : "", success ? "t" : "f");
	if (success)   /* a successful sign-in clears that account's failures */
		db_x(db, "DELETE FROM login_attempts WHERE kind = $1 AND login = lower($2) AND NOT success",
		     kind, login ? login : "");
}

int auth_api_agent(struct db *db, const char *authorization, long long *agent_id)
{
	if (authorization == NULL || strncmp(authorization, "Bearer ", 7) != 0)
		return RDV_ENOTFOUND;
	const char *token = authorization + 7;
	while (*token == ' ')
		token++;
	if (strlen(token) != AUTH_TOKEN_LEN)
		return RDV_ENOTFOUND;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	PGresult *r = db_q(db,
		"UPDATE api_tokens t SET last_used_at = now() FROM agents a"
		" WHERE t.token_hash = $1::bytea AND t.revoked_at IS NULL"
		" AND a.id = t.agent_id AND a.deleted_at IS NULL RETURNING t.agent_id", hash);
	if (r == NULL)
		return db->err;
	int found = PQntuples(r) == 1;
	if (found)
		*agent_id = db_ll(r, 0, 0);
	PQclear(r);
	return found ? 0 : RDV_ENOTFOUND;
}

int auth_api_token_create(struct db *db, long long agent_id, const char *name,
			  char token_out[AUTH_TOKEN_LEN + 1])
{
	char hash[AUTH_HASH_HEX_LEN + 1], id[24];
	auth_token_new(token_out);
	auth_token_hash(token_out, hash);
	snprintf(id, sizeof(id), "%lld", agent_id);
	return db_x(db, "INSERT INTO api_tokens (agent_id, token_hash, name) VALUES ($1, $2::bytea, $3)",
		    id, hash, name ? name : "");
}

int auth_reset_request(struct db *db, struct arena *a, const char *email, const char *public_url)
{
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_new(token);
	auth_token_hash(token, hash);
	const char *link = arena_printf(a, "%s/agent/password/edit?token=%s", public_url, token);
	/* One statement: nothing happens for an unknown e-mail, and the caller
	 * cannot tell (no account enumeration). */
	return db_x(db,
		"WITH ag AS (SELECT id, email, first_name, last_name FROM agents"
		"            WHERE email = $1 AND deleted_at IS NULL AND password_hash IS NOT NULL),"
		" ins AS (INSERT INTO password_resets (token_hash, agent_id, expires_at)"
		"         SELECT $2::bytea, id, now() + interval '1 hour' FROM ag)"
		" INSERT INTO outbox (channel, event, recipient, payload)"
		" SELECT 'email', 'password_reset', email,"
		"        jsonb_build_object('first_name', first_name, 'last_name', last_name, 'link', $3::text)"
		" FROM ag",
		email ? email : "", hash, link);
}

int auth_reset_complete(struct db *db, const char *token, const char *password_hash)
{
	if (token == NULL || strlen(token) != AUTH_TOKEN_LEN)
		return RDV_ENOTFOUND;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, hash);
	PGresult *r = db_q(db,
		"WITH used AS (UPDATE password_resets SET used_at = now()"
		"              WHERE token_hash = $1::bytea AND used_at IS NULL AND expires_at > now()"
		"              RETURNING agent_id),"
		" upd AS (UPDATE agents SET password_hash = $2 FROM used WHERE agents.id = used.agent_id"
		"         RETURNING agents.id),"
		" kill AS (DELETE FROM sessions USING used WHERE sessions.agent_id = used.agent_id)"
		" SELECT id FROM upd", hash, password_hash);
	if (r == NULL)
		return db->err;
	int ok = PQntuples(r) == 1;
	PQclear(r);
	return ok ? 0 : RDV_ENOTFOUND;
}
