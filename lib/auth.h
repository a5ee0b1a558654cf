/*
 * auth.h - who is signed in: passwords, random tokens, sessions, sign-in
 * throttling, password resets and API bearer tokens.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str); at most
 * two hashes run at once per process, since each takes 19 MiB and the
 * programs must stay small. Every token (session, reset, API, RDV link) is
 * 32 random bytes from libsodium, shown once to its owner as base64url and
 * stored only as its SHA-256 — a stolen database gives no usable token.
 *
 * All strings written by these functions go to caller-provided buffers or the
 * caller's arena; nothing here must be freed.
 */
#ifndef RDV_AUTH_H
#define RDV_AUTH_H

#include "arena.h"
#include "db.h"

#define AUTH_TOKEN_LEN 43          /* base64url of 32 bytes, no padding */
#define AUTH_HASH_HEX_LEN 66       /* "\x" + 64 hex digits: bytea input format */
#define AUTH_PWHASH_LEN 128        /* crypto_pwhash_STRBYTES */

int auth_init(void);               /* sodium_init + the hashing semaphore; once per process */

int auth_password_hash(const char *password, char out[AUTH_PWHASH_LEN]);
/* 0 when password matches hash, RDV_EINVAL otherwise. A NULL hash still costs
 * one verification, so that unknown accounts answer as slowly as known ones. */
int auth_password_verify(const char *hash, const char *password);

void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);
/* SHA-256 of a token as a bytea parameter ("\x…"). */
void auth_token_hash(const char *token, char out[AUTH_HASH_HEX_LEN + 1]);

enum session_kind { SESSION_AGENT, SESSION_USER };

struct session {
	long long id;
	long long agent_id;               /* SESSION_AGENT */
	long long user_id;                /* SESSION_USER */
	long long rdv_scope_id;           /* a citizen signed in by an RDV link: that RDV only */
	char csrf[AUTH_TOKEN_LEN + 1];
	const char *first_name;           /* arena */
	const char *last_name;            /* arena */
	const char *email;                /* arena */
	/* auth_agent_context with an organisation: the agent's role there */
	long long org_id;                 /* the organisation asked about, else 0 */
	const char *org_level;            /* "admin", "basic", "intervenant"; NULL: no role (arena) */
	const char *org_name;             /* arena, NULL without a role */
	long long org_territory_id;
};

/* Creates a session; token_out receives the cookie value. */
int auth_session_create(struct db *db, enum session_kind kind, long long subject_id,
			long long rdv_scope_id, const char *ip, const char *user_agent,
			char token_out[AUTH_TOKEN_LEN + 1]);
/* Loads a live session (idle and absolute expiry checked) with the subject's
 * names into s. RDV_ENOTFOUND when absent or expired. */
int auth_session_load(struct db *db, struct arena *a, enum session_kind kind, const char *token,
		      struct session *s);
/* An agent's request context in one round trip (SQL agent_request_context,
 * 0028): the session as auth_session_load(SESSION_AGENT), plus, for org_id >
 * 0, the agent's role in that organisation (s->org_*). With declare, the same
 * statement sets the row-level security actor (rls.h) — 'public' first, the
 * agent once the session is found, so a failed lookup leaves 'public' — and
 * the connection's actor is recorded as such. RDV_ENOTFOUND when absent. */
int auth_agent_context(struct db *db, struct arena *a, const char *token, long long org_id, int declare,
		       struct session *s);
int auth_session_destroy(struct db *db, const char *token);

/* Throttling per login and per IP over the last 15 minutes, on the rows of
 * login_attempts not marked success. kind is "agent" or "user" (sign-in
 * failures: 5 per login, 50 per IP), "reset" or "signup" (every request, same
 * limits) or "booking" (every RDV booked online, login "user:<id>": 10 per
 * account, 100 per IP). Returns 1 when the caller must answer 429. */
int auth_throttled(struct db *db, const char *kind, const char *login, const char *ip);
void auth_record_attempt(struct db *db, const char *kind, const char *login, const char *ip, int success);

/* API: the agent behind "Bearer <token>" (RDV_ENOTFOUND if unknown or revoked). */
int auth_api_agent(struct db *db, const char *authorization, long long *agent_id);
int auth_api_token_create(struct db *db, long long agent_id, const char *name,
			  char token_out[AUTH_TOKEN_LEN + 1]);

/* Password reset: a single-use token valid 1 hour, mailed through the outbox.
 * Always "succeeds" from the caller's point of view (no account enumeration). */
int auth_reset_request(struct db *db, struct arena *a, const char *email, const char *public_url);
/* Sets the new password if the token is valid and unused: 0, RDV_ENOTFOUND. */
int auth_reset_complete(struct db *db, const char *token, const char *password_hash);

#endif
