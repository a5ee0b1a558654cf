/*
 * test_websec.c - web security not covered by the foundation suite:
 *   - session fixation: a session cookie planted before sign-in is never
 *     the one valid after sign-in, for agents and citizens;
 *   - secrets never logged: after a sign-in, a password reset by token, an
 *     API call, a magic link and an RDV link, neither the passwords, the raw
 *     tokens nor the session cookies appear in any log of the stack (the
 *     programs', PostgreSQL's, nginx's access and error logs);
 *   - application rate limits (429 and a French message) on sign-up, reset
 *     requests and online booking;
 *   - the same answer to a reset or magic-link request for a known and an
 *     unknown e-mail;
 *   - common passwords refused at sign-up and at password change.
 * Every request comes from 127.0.0.1: each test uses addresses of its own
 * and deletes its login_attempts rows, so the per-IP counts stay low.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"
#define USAGER "usager@demo.rdv-solidarites.fr"
#define API_TOKEN "websecAPItokenWEBSECapiTOKENwebsecAPItoken1"   /* 43 chars */
#define LINK_TOKEN "websecRDVlinkWEBSECrdvLINKwebsecRDVlinkTok1"  /* 43 chars */
#define NEW_PASSWORD "Cheval-Orange-Piano-4821"

static long long sql_ll(const char *sql)
{
	char out[64] = "";
	test_sql(sql, out, sizeof(out));
	return strtoll(out, NULL, 10);
}

/* The value of cookie name in the browser's jar, "" when none. */
static void jar_cookie(const struct browser *b, const char *name, char *out, size_t n)
{
	struct curl_slist *list = NULL, *l;
	out[0] = '\0';
	curl_easy_getinfo(b->curl, CURLINFO_COOKIELIST, &list);
	for (l = list; l != NULL; l = l->next) {
		/* Netscape format: domain, flag, path, secure, expiry, name, value */
		const char *f = l->data;
		for (int i = 0; i < 5 && f != NULL; i++)
			f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL;
		size_t len = strlen(name);
		if (f != NULL && strncmp(f, name, len) == 0 && f[len] == '\t')
			snprintf(out, n, "%s", f + len + 1);
	}
	curl_slist_free_all(list);
}

/* Puts a cookie into the browser's jar, as if an attacker had planted it. */
static void plant_cookie(struct browser *b, const char *name, const char *value)
{
	char line[256];
	snprintf(line, sizeof(line), "127.0.0.1\tFALSE\t/\tFALSE\t0\t%s\t%s", name, value);
	curl_easy_setopt(b->curl, CURLOPT_COOKIELIST, line);
}

/* The token after "token=" in the link of the last outbox row of event for
 * recipient. */
static int outbox_token(const char *event, const char *recipient, char *tok, size_t n)
{
	char sql[512], link[1024] = "";
	snprintf(sql, sizeof(sql), "SELECT payload->>'link' FROM outbox WHERE event = '%s' AND recipient = '%s'"
		 " ORDER BY id DESC LIMIT 1", event, recipient);
	test_sql(sql, link, sizeof(link));
	const char *t = strstr(link, "token=");
	if (t == NULL)
		return -1;
	snprintf(tok, n, "%.*s", (int)strcspn(t + 6, "&"), t + 6);
	return 0;
}

/* An agent of the MDS d'Arras with the demo password (created once). */
static void make_agent(const char *email)
{
	char sql[768];
	snprintf(sql, sizeof(sql),
		 "WITH a AS (INSERT INTO agents (email, first_name, last_name, password_hash)"
		 " SELECT '%s', 'Web', 'Sec', password_hash FROM agents WHERE email = '" PMI "'"
		 " ON CONFLICT DO NOTHING RETURNING id)"
		 " INSERT INTO agent_roles (agent_id, organisation_id)"
		 " SELECT a.id, o.id FROM a, organisations o WHERE o.name = 'MDS d''Arras'", email);
	test_sql(sql, NULL, 0);
}

/* ------------------------------------------------------------- fixation */

#define PLANTED "websecFIXATIONwebsecFIXATIONwebsecFIXATION"   /* 43 chars, chosen by an attacker */

/* An attacker plants a session id of his choosing in the victim's browser;
 * the victim signs in: the cookie now valid is another one, and the planted
 * id opens nothing. */
static void fixation(const char *cookie, long (*sign_in)(struct browser *, const char *, const char *),
		     const char *victim, const char *private_page)
{
	struct browser a, v;
	char fresh[128];
	browser_init(&v);
	plant_cookie(&v, cookie, PLANTED);
	CU_ASSERT_EQUAL(sign_in(&v, victim, NULL), 303);
	jar_cookie(&v, cookie, fresh, sizeof(fresh));
	CU_ASSERT(strlen(fresh) == 43);
	CU_ASSERT(strcmp(fresh, PLANTED) != 0);
	CU_ASSERT_EQUAL(browser_get(&v, private_page), 200);
	browser_init(&a);
	plant_cookie(&a, cookie, PLANTED);
	CU_ASSERT_NOT_EQUAL(browser_get(&a, private_page), 200);
	browser_free(&a);
	browser_free(&v);
}

static void test_fixation_agent(void)
{
	fixation("rdv_agent", browser_sign_in_agent, ADMIN_ARRAS, "/agent/profile");
}

static void test_fixation_citizen(void)
{
	fixation("rdv_usager", browser_sign_in_user, USAGER, "/users/informations");
}

/* ------------------------------------------------------- secrets in logs */

/* 1 when s occurs in a file of dir whose name ends in ".log"; a secret
 * found is shown. */
static int logged(const char *dir, const char *s, int secret)
{
	DIR *d = opendir(dir);
	int found = 0;
	struct dirent *e;
	while (d != NULL && !found && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 4, ".log") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		char line[8192];
		while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, s) != NULL) {
				if (secret)
					fprintf(stderr, "\n  secret in %s: %.200s", e->d_name, line);
				found = 1;
			}
		if (f != NULL)
			fclose(f);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

static void test_secrets_not_logged(void)
{
	const char *state = getenv("RDV_TEST_STATE");
	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
	char dir[512], reset[128], magic[128], agent_cookie[128], user_cookie[128], path[256], form[512];
	snprintf(dir, sizeof(dir), "%s/log", state);
	struct browser b;
	browser_init(&b);
	/* a password reset by token, then a sign-in with the new password */
	make_agent("websec.reset@exemple.fr");
	browser_get(&b, "/agent/password/new");
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password", "email=websec.reset%40exemple.fr", 1), 303);
	CU_ASSERT_FATAL(outbox_token("password_reset", "websec.reset@exemple.fr", reset, sizeof(reset)) == 0);
	snprintf(path, sizeof(path), "/agent/password/edit?token=%s", reset);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(form, sizeof(form), "token=%s&password=" NEW_PASSWORD "&password_confirmation=" NEW_PASSWORD, reset);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password/update", form, 1), 303);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "websec.reset@exemple.fr", NEW_PASSWORD), 303);
	jar_cookie(&b, "rdv_agent", agent_cookie, sizeof(agent_cookie));
	CU_ASSERT(browser_get(&b, "/agent/profile") == 200);
	browser_free(&b);
	/* an API call with a bearer token */
	test_sql("INSERT INTO api_tokens (agent_id, token_hash, name) SELECT id, sha256('" API_TOKEN "'::bytea), 'websec'"
		 " FROM agents WHERE email = '" PMI "' ON CONFLICT DO NOTHING", NULL, 0);
	browser_init(&b);
	static const char *const h[] = {"Authorization: Bearer " API_TOKEN, NULL};
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld", test_org_id("MDS d'Arras"));
	CU_ASSERT_EQUAL(browser_request(&b, "GET", path, h, NULL, 0), 200);
	browser_free(&b);
	/* a magic link */
	CU_ASSERT_FATAL(test_citizen("websec.magic@exemple.fr") > 0);
	browser_init(&b);
	browser_get(&b, "/users/sign_in");
	CU_ASSERT_EQUAL(browser_post(&b, "/users/magic_link", "email=websec.magic%40exemple.fr", 1), 303);
	CU_ASSERT_FATAL(outbox_token("user_magic_link", "websec.magic@exemple.fr", magic, sizeof(magic)) == 0);
	snprintf(path, sizeof(path), "/users/magic_link?token=%s", magic);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(form, sizeof(form), "token=%s", magic);
	CU_ASSERT_EQUAL(browser_post(&b, "/users/magic_link/sign_in", form, 1), 303);
	jar_cookie(&b, "rdv_usager", user_cookie, sizeof(user_cookie));
	browser_free(&b);
	/* an RDV link (/r/<rdv>/<token>) of some participation */
	long long rdv = sql_ll("WITH p AS (SELECT id, rdv_id FROM participations ORDER BY id LIMIT 1),"
			       " t AS (INSERT INTO rdv_tokens (token_hash, participation_id, expires_at)"
			       " SELECT sha256('" LINK_TOKEN "'::bytea), id, now() + interval '1 day' FROM p"
			       " ON CONFLICT DO NOTHING) SELECT rdv_id FROM p");
	browser_init(&b);
	snprintf(path, sizeof(path), "/r/%lld/" LINK_TOKEN, rdv);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	browser_free(&b);
	/* none of them in any log */
	CU_ASSERT_FATAL(agent_cookie[0] && user_cookie[0]);
	const char *secrets[] = {test_demo_password, NEW_PASSWORD, reset, magic, API_TOKEN, LINK_TOKEN,
				 agent_cookie, user_cookie};
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		CU_ASSERT(!logged(dir, secrets[i], 1));
	/* the requests themselves are logged (the check reads the right files) */
	CU_ASSERT(logged(dir, "\"GET /agent/password/edit HTTP", 0));
	CU_ASSERT(logged(dir, "/[jeton] HTTP/1.1\" 200", 0));
	CU_ASSERT(logged(dir, "GET /r/:id/*token 200", 0));
	test_sql("DELETE FROM api_tokens WHERE name = 'websec'", NULL, 0);
	test_sql("DELETE FROM login_attempts WHERE login LIKE 'websec.%'", NULL, 0);
}

/* ------------------------------------------------------------ rate limits */

static void test_sign_up_throttled(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/users/sign_up");
	const char *form = "first_name=Web&last_name=Sec&email=websec.signup%40exemple.fr"
			   "&password=" NEW_PASSWORD "&password_confirmation=" NEW_PASSWORD;
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", form, 1), 200);
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", form, 1), 429);
	CU_ASSERT(browser_body_has(&b, "Trop de demandes"));
	browser_free(&b);
	test_sql("DELETE FROM login_attempts WHERE login = 'websec.signup@exemple.fr'", NULL, 0);
}

static void test_reset_throttled(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/agent/password/new");
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(browser_post(&b, "/agent/password", "email=websec.flood%40exemple.fr", 1), 303);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password", "email=websec.flood%40exemple.fr", 1), 429);
	CU_ASSERT(browser_body_has(&b, "Trop de demandes de réinitialisation"));
	browser_free(&b);
	test_sql("DELETE FROM login_attempts WHERE login = 'websec.flood@exemple.fr'", NULL, 0);
}

static void test_booking_throttled(void)
{
	long long me = test_citizen("websec.booking@exemple.fr");
	CU_ASSERT_FATAL(me > 0);
	char sql[512], form[512];
	/* ten RDVs booked in the last minutes (the limit), from elsewhere */
	snprintf(sql, sizeof(sql), "INSERT INTO login_attempts (kind, login, ip, success)"
		 " SELECT 'booking', 'user:%lld', '192.0.2.7', false FROM generate_series(1, 10)", me);
	test_sql(sql, NULL, 0);
	long long motif = sql_ll("SELECT id FROM motifs WHERE name = 'Consultation PMI nourrisson'"
				 " AND organisation_id = (SELECT id FROM organisations WHERE name = 'MDS d''Arras')");
	long long lieu = sql_ll("SELECT id FROM lieux WHERE name = 'MDS d''Arras – site Gambetta'");
	long long start = sql_ll("SELECT extract(epoch FROM date_trunc('day', now()) + interval '30 days 10 hours')::bigint");
	snprintf(form, sizeof(form), "motif_id=%lld&lieu_id=%lld&starts_at=%lld&city_code=62041&street_ban_id=62041_0420",
		 motif, lieu, start);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_user(&b, "websec.booking@exemple.fr", NULL), 303);
	CU_ASSERT_EQUAL(browser_post(&b, "/reservation", form, 1), 429);
	CU_ASSERT(browser_body_has(&b, "beaucoup de rendez-vous en peu de temps"));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rdvs WHERE created_by_user_id = %lld", me);
	CU_ASSERT_EQUAL(sql_ll(sql), 0);
	browser_free(&b);
	snprintf(sql, sizeof(sql), "DELETE FROM login_attempts WHERE login = 'user:%lld'", me);
	test_sql(sql, NULL, 0);
}

/* ------------------------------------------------------ uniform answers */

/* POSTs form to path for a known then an unknown address: the same status,
 * Location and followed page. */
static void same_answer(const char *page, const char *path, const char *known, const char *unknown)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, page);
	long st1 = browser_post(&b, path, known, 1);
	char loc1[1024];
	snprintf(loc1, sizeof(loc1), "%s", b.location);
	char *body1 = strdup(b.body.data ? b.body.data : "");
	long f1 = browser_follow(&b);
	char *page1 = strdup(b.body.data ? b.body.data : "");
	long st2 = browser_post(&b, path, unknown, 1);
	CU_ASSERT_EQUAL(st1, st2);
	CU_ASSERT_STRING_EQUAL(loc1, b.location);
	CU_ASSERT_STRING_EQUAL(body1, b.body.data ? b.body.data : "");
	CU_ASSERT_EQUAL(f1, browser_follow(&b));
	CU_ASSERT_STRING_EQUAL(page1, b.body.data ? b.body.data : "");
	free(body1);
	free(page1);
	browser_free(&b);
}

static void test_reset_same_answer(void)
{
	make_agent("websec.known@exemple.fr");
	same_answer("/agent/password/new", "/agent/password", "email=websec.known%40exemple.fr",
		    "email=websec.inconnu%40exemple.fr");
	CU_ASSERT(test_citizen("websec.citoyen@exemple.fr") > 0);
	same_answer("/users/sign_in", "/users/magic_link", "email=websec.citoyen%40exemple.fr",
		    "email=websec.personne%40exemple.fr");
	test_sql("DELETE FROM login_attempts WHERE login LIKE 'websec.%'", NULL, 0);
}

/* ------------------------------------------------------ common passwords */

static void test_common_password_refused(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/users/sign_up");
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", "first_name=Web&last_name=Sec&email=websec.commun%40exemple.fr"
				     "&password=Motdepasse2024!&password_confirmation=Motdepasse2024!", 1), 422);
	CU_ASSERT(browser_body_has(&b, "trop courant"));
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM users WHERE email = 'websec.commun@exemple.fr'"), 0);
	/* at a password change (reset link) */
	make_agent("websec.commun@exemple.fr");
	browser_get(&b, "/agent/password/new");
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password", "email=websec.commun%40exemple.fr", 1), 303);
	char tok[128], form[512];
	CU_ASSERT_FATAL(outbox_token("password_reset", "websec.commun@exemple.fr", tok, sizeof(tok)) == 0);
	snprintf(form, sizeof(form), "token=%s&password=Azerty123456&password_confirmation=Azerty123456", tok);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password/update", form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "trop courant"));
	/* the link still works with a good password */
	snprintf(form, sizeof(form), "token=%s&password=" NEW_PASSWORD "&password_confirmation=" NEW_PASSWORD, tok);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password/update", form, 1), 303);
	browser_free(&b);
	test_sql("DELETE FROM login_attempts WHERE login LIKE 'websec.%'", NULL, 0);
}

void register_websec_http(void)
{
	CU_pSuite s = CU_add_suite("websec", NULL, NULL);
	CU_add_test(s, "session fixation: agent", test_fixation_agent);
	CU_add_test(s, "session fixation: citizen", test_fixation_citizen);
	CU_add_test(s, "no password, token or cookie in any log", test_secrets_not_logged);
	CU_add_test(s, "sign-up throttled (429, French)", test_sign_up_throttled);
	CU_add_test(s, "reset requests throttled (429, French)", test_reset_throttled);
	CU_add_test(s, "online booking throttled (429, French)", test_booking_throttled);
	CU_add_test(s, "reset and magic link: same answer, known or not", test_reset_same_answer);
	CU_add_test(s, "common passwords refused at sign-up and change", test_common_password_refused);
}
