/*
 * test_foundation.c - sign-in, sessions, CSRF, access rules, error pages,
 * body limits and health checks, against the running stack.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "fixtures.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"

static void test_healthz(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/healthz"), 200);
	CU_ASSERT(browser_body_has(&b, "ok"));
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/healthz"), 200);
	CU_ASSERT_EQUAL(browser_get(&b, "/admin/healthz"), 200);
	CU_ASSERT_EQUAL(browser_get(&b, "/export/healthz"), 200);
	browser_free(&b);
}

static void test_sign_in_success_and_cookie_flags(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	CU_ASSERT_STRING_EQUAL(b.location, "/agent/");
	char cookie[512];
	CU_ASSERT(browser_header(&b, "Set-Cookie", cookie, sizeof(cookie)));
	CU_ASSERT(strstr(cookie, "rdv_agent=") != NULL);
	CU_ASSERT(strstr(cookie, "HttpOnly") != NULL);
	CU_ASSERT(strstr(cookie, "SameSite=Lax") != NULL);
	CU_ASSERT(strstr(cookie, "Secure") == NULL);   /* plain http here */
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda") == 302 ? browser_follow(&b) : 0, 200);
	CU_ASSERT(browser_body_has(&b, "<h1>Agenda</h1>"));
	CU_ASSERT(browser_body_has(&b, "MDS d&#39;Arras"));
	/* sign out: the session is gone */
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/sign_out", "", 1), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda"), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	browser_free(&b);
}

static void test_secure_cookie_behind_https_proxy(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/agent/sign_in");
	char form[512];
	snprintf(form, sizeof(form), "email=%s&password=%s&csrf_token=%s", PMI, test_demo_password, b.csrf);
	static const char *const h[] = {"Content-Type: application/x-www-form-urlencoded",
					"X-Forwarded-Proto: https", NULL};
	CU_ASSERT_EQUAL(browser_request(&b, "POST", "/agent/sign_in", h, form, strlen(form)), 303);
	char cookie[512];
	browser_header(&b, "Set-Cookie", cookie, sizeof(cookie));
	CU_ASSERT(strstr(cookie, "; Secure") != NULL);
	browser_free(&b);
}

static void test_sign_in_wrong_password(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, ADMIN_ARRAS, "mauvais-mot-de-passe-1"), 422);
	CU_ASSERT(browser_body_has(&b, "E-mail ou mot de passe incorrect."));
	/* same answer for an unknown account: no enumeration */
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "personne@exemple.fr", "mauvais-mot-de-passe-1"), 422);
	CU_ASSERT(browser_body_has(&b, "E-mail ou mot de passe incorrect."));
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda"), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	browser_free(&b);
}

static void test_sign_in_throttled(void)
{
	struct browser b;
	browser_init(&b);
	const char *email = "throttle-test@exemple.fr";
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(browser_sign_in_agent(&b, email, "mauvais-mot-de-passe-1"), 422);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, email, "mauvais-mot-de-passe-1"), 429);
	CU_ASSERT(browser_body_has(&b, "Trop de tentatives"));
	browser_free(&b);
	test_sql("DELETE FROM login_attempts WHERE login = 'throttle-test@exemple.fr'", NULL, 0);
}

static void test_post_without_csrf_is_refused(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/agent/sign_in");
	char form[256];
	snprintf(form, sizeof(form), "email=%s&password=%s", PMI, test_demo_password);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/sign_in", form, 0), 403);
	CU_ASSERT(browser_body_has(&b, "Rechargez la page"));
	/* a wrong token too */
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/sign_in", "email=x&password=y&csrf_token=faux", 0), 403);
	/* signed in: sign-out without the token does nothing */
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/sign_out", "", 0), 403);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda") == 302 ? browser_follow(&b) : 0, 200);
	browser_free(&b);
}

/* GETs page (the CSRF token), then signs in as agent.pmi with the form's
 * return_to (urlencoded); the status of the POST. */
static long sign_in_returning_to(struct browser *b, const char *page, const char *return_to)
{
	browser_get(b, page);
	char form[512];
	snprintf(form, sizeof(form), "email=%s&password=%s&return_to=%s", PMI, test_demo_password, return_to);
	return browser_post(b, "/agent/sign_in", form, 1);
}

static void test_signed_out_redirects_to_sign_in(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda"), 302);
	CU_ASSERT_STRING_EQUAL(b.location, "/agent/sign_in?return_to=%2Fagent%2Fagenda");
	CU_ASSERT_EQUAL(browser_get(&b, "/admin/"), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in?return_to=", 25) == 0);
	/* after signing in, return_to brings the agent back */
	CU_ASSERT_EQUAL(sign_in_returning_to(&b, "/agent/sign_in?return_to=%2Fagent%2Fagenda", "%2Fagent%2Fagenda"), 303);
	CU_ASSERT_STRING_EQUAL(b.location, "/agent/agenda");
	browser_free(&b);
}

static void test_open_redirect_refused(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(sign_in_returning_to(&b, "/agent/sign_in", "%2F%2Fevil.example"), 303);
	CU_ASSERT_STRING_EQUAL(b.location, "/agent/");
	browser_free(&b);
}

static void test_basic_agent_gets_403_on_admin(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	char path[128];
	snprintf(path, sizeof(path), "/admin/organisations/%lld", test_org_id("MDS d'Arras"));
	CU_ASSERT_EQUAL(browser_get(&b, path), 403);
	CU_ASSERT(browser_body_has(&b, "réservée aux administrateurs"));
	CU_ASSERT_EQUAL(browser_get(&b, "/admin/"), 403);
	browser_free(&b);

	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, ADMIN_ARRAS, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "MDS d&#39;Arras"));
	browser_free(&b);
}

static void test_other_organisation_is_404(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, ADMIN_ARRAS, NULL), 303);
	long long lens = test_org_id("MDS de Lens");
	char path[128];
	snprintf(path, sizeof(path), "/admin/organisations/%lld", lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "/export/organisations/%lld/agents.csv", lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

static void test_unknown_route_404_in_french(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/cette-page-n-existe-pas"), 404);
	CU_ASSERT(browser_body_has(&b, "Page introuvable"));
	CU_ASSERT(browser_body_has(&b, "lang=\"fr\""));
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/nimporte-quoi"), 404);
	CU_ASSERT_EQUAL(browser_get(&b, "/admin/organisations/abc"), 404);
	/* wrong method on an existing path */
	CU_ASSERT_EQUAL(browser_request(&b, "DELETE", "/agent/sign_in", NULL, NULL, 0), 405);
	browser_free(&b);
}

static void test_oversized_body_413(void)
{
	struct browser b;
	browser_init(&b);
	size_t n = 2 * 1024 * 1024;
	char *body = malloc(n + 1);
	memset(body, 'a', n);
	memcpy(body, "email=", 6);
	body[n] = '\0';
	static const char *const h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	CU_ASSERT_EQUAL(browser_request(&b, "POST", "/agent/sign_in", h, body, n), 413);
	CU_ASSERT(browser_body_has(&b, "trop volumineux"));
	free(body);
	/* the next request on the same client still works */
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/sign_in"), 200);
	browser_free(&b);
}

static void test_malformed_form_400(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/agent/sign_in");
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/sign_in", "email=%zz&password=x", 1), 400);
	CU_ASSERT(browser_body_has(&b, "mal formées"));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/sign_in", "email=%C3%28&password=x", 1), 400);
	browser_free(&b);
}

static void test_security_headers(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/");
	char v[1024];
	CU_ASSERT(browser_header(&b, "Content-Security-Policy", v, sizeof(v)));
	CU_ASSERT(strstr(v, "frame-ancestors 'none'") != NULL);
	CU_ASSERT(strstr(v, "unsafe-inline") == NULL || strstr(v, "script-src 'self';") != NULL);
	CU_ASSERT(browser_header(&b, "X-Content-Type-Options", v, sizeof(v)));
	CU_ASSERT_STRING_EQUAL(v, "nosniff");
	CU_ASSERT(browser_header(&b, "Referrer-Policy", v, sizeof(v)));
	browser_free(&b);
}

/* The demo département must read like real data: nothing created, cancelled or
 * updated after now (the agents' RDV page says « Créé par … le … »). */
static void test_demo_dates_in_the_past(void)
{
	fx_sql_is("0", "SELECT (SELECT count(*) FROM rdvs WHERE created_at > now() OR cancelled_at > now()"
		       " OR updated_at > now()) + (SELECT count(*) FROM participations WHERE created_at > now())");
}

static void test_export_agents_csv(void)
{
	struct browser b;
	browser_init(&b);
	char org[32];
	test_sql("SELECT id FROM organisations WHERE name = 'MDS d''Arras'", org, sizeof(org));
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, ADMIN_ARRAS, NULL), 303);
	char path[128];
	snprintf(path, sizeof(path), "/export/organisations/%s/agents.csv", org);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	char v[256];
	browser_header(&b, "Content-Type", v, sizeof(v));
	CU_ASSERT(strncmp(v, "text/csv", 8) == 0);
	CU_ASSERT(strncmp(b.body.data, "\xEF\xBB\xBFNom;Prénom;E-mail;Rôle;Services\r\n", 35) == 0);
	CU_ASSERT(browser_body_has(&b, "admin.arras@demo.rdv-solidarites.fr;administrateur"));
	CU_ASSERT(!browser_body_has(&b, "agent.lens@"));
	browser_free(&b);
}

static void test_password_reset_flow(void)
{
	struct browser b;
	browser_init(&b);
	const char *email = "agent.social@demo.rdv-solidarites.fr";
	browser_get(&b, "/agent/password/new");
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password", "email=agent.social%40demo.rdv-solidarites.fr", 1), 303);
	char count[16];
	test_sql("SELECT count(*) FROM outbox WHERE event = 'password_reset'"
		 " AND recipient = 'agent.social@demo.rdv-solidarites.fr'", count, sizeof(count));
	CU_ASSERT(atoi(count) >= 1);
	/* an unknown address gets the same answer and queues nothing */
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password", "email=inconnu%40exemple.fr", 1), 303);
	test_sql("SELECT count(*) FROM outbox WHERE recipient = 'inconnu@exemple.fr'", count, sizeof(count));
	CU_ASSERT_STRING_EQUAL(count, "0");
	/* the link: pull the token out of the queued e-mail */
	char link[512];
	test_sql("SELECT payload->>'link' FROM outbox WHERE event = 'password_reset'"
		 " AND recipient = 'agent.social@demo.rdv-solidarites.fr' ORDER BY id DESC LIMIT 1", link, sizeof(link));
	const char *tok = strstr(link, "token=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
	tok += 6;
	char form[512];
	snprintf(form, sizeof(form), "token=%s&password=court&password_confirmation=court", tok);
	browser_get(&b, "/agent/password/new");
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password/update", form, 1), 422);
	snprintf(form, sizeof(form), "token=%s&password=%s&password_confirmation=%s", tok, test_demo_password,
		 test_demo_password);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password/update", form, 1), 303);
	/* single use */
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/password/update", form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "plus valable"));
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, email, NULL), 303);
	browser_free(&b);
}

void register_foundation_http(void)
{
	CU_pSuite s = CU_add_suite("http: foundation", NULL, NULL);
	CU_add_test(s, "healthz on every program", test_healthz);
	CU_add_test(s, "sign-in success and cookie flags", test_sign_in_success_and_cookie_flags);
	CU_add_test(s, "Secure cookie behind an HTTPS proxy", test_secure_cookie_behind_https_proxy);
	CU_add_test(s, "sign-in with a wrong password", test_sign_in_wrong_password);
	CU_add_test(s, "sign-in throttled after 5 failures", test_sign_in_throttled);
	CU_add_test(s, "POST without CSRF token refused", test_post_without_csrf_is_refused);
	CU_add_test(s, "signed-out access redirects to sign-in", test_signed_out_redirects_to_sign_in);
	CU_add_test(s, "return_to cannot redirect off-site", test_open_redirect_refused);
	CU_add_test(s, "basic agent on admin gets 403", test_basic_agent_gets_403_on_admin);
	CU_add_test(s, "another organisation is 404", test_other_organisation_is_404);
	CU_add_test(s, "unknown route: French 404, 405", test_unknown_route_404_in_french);
	CU_add_test(s, "2 MB body gives 413", test_oversized_body_413);
	CU_add_test(s, "malformed form gives 400", test_malformed_form_400);
	CU_add_test(s, "security headers", test_security_headers);
	CU_add_test(s, "export of the organisation's agents as CSV", test_export_agents_csv);
	CU_add_test(s, "demo data: nothing dated in the future", test_demo_dates_in_the_past);
	CU_add_test(s, "password reset by e-mailed single-use token", test_password_reset_flow);
}
