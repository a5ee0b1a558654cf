/*
 * test_auth.c - tokens, password hashing, sessions (expiry, fixation),
 * throttling and API tokens. DB parts use DATABASE_URL (skipped when unset).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "rdv.h"

static void test_tokens(void)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];
	auth_token_new(a);
	auth_token_new(b);
	CU_ASSERT_EQUAL(strlen(a), AUTH_TOKEN_LEN);
	CU_ASSERT(strcmp(a, b) != 0);
	CU_ASSERT_EQUAL(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), AUTH_TOKEN_LEN);
	char h1[AUTH_HASH_HEX_LEN + 1], h2[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(a, h1);
	auth_token_hash(a, h2);
	CU_ASSERT_STRING_EQUAL(h1, h2);
	CU_ASSERT_EQUAL(strlen(h1), AUTH_HASH_HEX_LEN);
	CU_ASSERT_EQUAL(strncmp(h1, "\\x", 2), 0);
	/* SHA-256("abc") */
	auth_token_hash("abc", h1);
	CU_ASSERT_STRING_EQUAL(h1, "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_passwords(void)
{
	char hash[AUTH_PWHASH_LEN];
	CU_ASSERT_EQUAL(auth_password_hash("correct horse 42", hash), 0);
	CU_ASSERT_EQUAL(strncmp(hash, "$argon2id$", 10), 0);
	CU_ASSERT_EQUAL(auth_password_verify(hash, "correct horse 42"), 0);
	CU_ASSERT_EQUAL(auth_password_verify(hash, "correct horse 43"), RDV_EINVAL);
	CU_ASSERT_EQUAL(auth_password_verify(NULL, "anything"), RDV_EINVAL);
	CU_ASSERT_EQUAL(auth_password_verify("", "anything"), RDV_EINVAL);
}

static struct db *test_db(void)
{
	const char *url = getenv("DATABASE_URL");
	return url ? db_open(url, "unit-tests") : NULL;
}

static void test_sessions(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	struct arena *a = arena_new(4096);
	char *agent = db_s(db, a, "SELECT id FROM agents WHERE email = 'agent.pmi@demo.rdv-solidarites.fr'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(agent);
	char token[AUTH_TOKEN_LEN + 1];
	CU_ASSERT_EQUAL(auth_session_create(db, SESSION_AGENT, atoll(agent), 0, "127.0.0.1", "test", token), 0);
	struct session s;
	CU_ASSERT_EQUAL(auth_session_load(db, a, SESSION_AGENT, token, &s), 0);
	CU_ASSERT_EQUAL(s.agent_id, atoll(agent));
	CU_ASSERT_STRING_EQUAL(s.first_name, "Julie");
	CU_ASSERT_EQUAL(strlen(s.csrf), AUTH_TOKEN_LEN);
	/* an agent token is not a citizen session */
	CU_ASSERT_EQUAL(auth_session_load(db, a, SESSION_USER, token, &s), RDV_ENOTFOUND);
	/* only the hash is stored */
	char h[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, h);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT count(*) FROM sessions WHERE token_hash = $1::bytea", h), "1");
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT count(*) FROM sessions WHERE encode(token_hash, 'escape') = $1", token), "0");
	/* idle expiry */
	db_x(db, "UPDATE sessions SET last_seen_at = now() - interval '13 hours' WHERE token_hash = $1::bytea", h);
	CU_ASSERT_EQUAL(auth_session_load(db, a, SESSION_AGENT, token, &s), RDV_ENOTFOUND);
	/* absolute expiry */
	db_x(db, "UPDATE sessions SET last_seen_at = now(), expires_at = now() - interval '1 second'"
		 " WHERE token_hash = $1::bytea", h);
	CU_ASSERT_EQUAL(auth_session_load(db, a, SESSION_AGENT, token, &s), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL(auth_session_destroy(db, token), 0);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT count(*) FROM sessions WHERE token_hash = $1::bytea", h), "0");
	/* malformed tokens never reach the database */
	CU_ASSERT_EQUAL(auth_session_load(db, a, SESSION_AGENT, "short", &s), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL(auth_session_load(db, a, SESSION_AGENT, NULL, &s), RDV_ENOTFOUND);
	arena_free(a);
	db_close(db);
}

static void test_throttle(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	const char *login = "unit-throttle@exemple.fr";
	db_x(db, "DELETE FROM login_attempts WHERE login = $1", login);
	for (int i = 0; i < 4; i++)
		auth_record_attempt(db, "agent", login, "10.9.9.9", 0);
	CU_ASSERT_EQUAL(auth_throttled(db, "agent", login, "10.9.9.8"), 0);
	auth_record_attempt(db, "agent", login, "10.9.9.9", 0);
	CU_ASSERT_EQUAL(auth_throttled(db, "agent", login, "10.9.9.8"), 1);
	CU_ASSERT_EQUAL(auth_throttled(db, "agent", "UNIT-THROTTLE@exemple.fr", "10.9.9.8"), 1);  /* case-insensitive */
	CU_ASSERT_EQUAL(auth_throttled(db, "user", login, "10.9.9.8"), 0);   /* per kind */
	/* old failures do not count */
	db_x(db, "UPDATE login_attempts SET attempted_at = now() - interval '16 minutes' WHERE login = $1", login);
	CU_ASSERT_EQUAL(auth_throttled(db, "agent", login, "10.9.9.8"), 0);
	db_x(db, "DELETE FROM login_attempts WHERE login = $1", login);
	db_close(db);
}

static void test_api_tokens(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	struct arena *a = arena_new(2048);
	char *agent = db_s(db, a, "SELECT id FROM agents WHERE email = 'admin.arras@demo.rdv-solidarites.fr'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(agent);
	char token[AUTH_TOKEN_LEN + 1];
	CU_ASSERT_EQUAL(auth_api_token_create(db, atoll(agent), "unit", token), 0);
	char header[128];
	snprintf(header, sizeof(header), "Bearer %s", token);
	long long who = 0;
	CU_ASSERT_EQUAL(auth_api_agent(db, header, &who), 0);
	CU_ASSERT_EQUAL(who, atoll(agent));
	CU_ASSERT_EQUAL(auth_api_agent(db, token, &who), RDV_ENOTFOUND);          /* no "Bearer " */
	CU_ASSERT_EQUAL(auth_api_agent(db, "Bearer nope", &who), RDV_ENOTFOUND);
	char h[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(token, h);
	db_x(db, "UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1::bytea", h);
	CU_ASSERT_EQUAL(auth_api_agent(db, header, &who), RDV_ENOTFOUND);
	db_x(db, "DELETE FROM api_tokens WHERE token_hash = $1::bytea", h);
	arena_free(a);
	db_close(db);
}

static int suite_init(void)
{
	return auth_init() == 0 ? 0 : -1;
}

void register_auth_suite(void)
{
	CU_pSuite s = CU_add_suite("auth", suite_init, NULL);
	CU_add_test(s, "random tokens and their hashes", test_tokens);
	CU_add_test(s, "argon2id passwords", test_passwords);
	CU_add_test(s, "sessions: load, kinds, expiry, destroy", test_sessions);
	CU_add_test(s, "sign-in throttling", test_throttle);
	CU_add_test(s, "API tokens and revocation", test_api_tokens);
}
