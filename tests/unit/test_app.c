/*
 * test_app.c - lib/app's request handling without FastCGI: app_handle() on a
 * hand-built request, with the real templates and (when DATABASE_URL is set)
 * the test database. Checks the answers every program relies on: French 404
 * and 405 pages, JSON errors on API paths, the sign-in redirect, CSRF on
 * POST, 400 on malformed input, /healthz, flash messages.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "rdv.h"

static int h_ok(struct ctx *c)
{
	return http_text(&c->res, 200, "bonjour");
}

static int h_fail(struct ctx *c)
{
	(void)c;
	return RDV_ECONFLICT;
}

static int h_flash(struct ctx *c)
{
	app_flash(c, "success", "Enregistré, merci !");
	return app_redirect(c, "/done");
}

ROUTE_TABLE(test_routes,
	{HTTP_GET, "/page", h_ok, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/page", h_ok, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/conflict", h_fail, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/flash", h_flash, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/agent/private", h_ok, ROUTE_AGENT, 0},
	{HTTP_GET, "/api/v1/thing", h_ok, ROUTE_API, ROUTE_JSON},
);

static const struct route_table *const tables[] = {&test_routes};
static const struct app_program prog = {.name = "unit", .tables = tables, .n_tables = 1,
					.public_session = SESSION_AGENT};
static struct conf conf;
static struct tmpl_set *templates;
static struct db *db;

static int suite_init(void)
{
	conf_load(&conf, "unit");
	conf.base_path = "";
	char err[256];
	templates = tmpl_load_dir("templates", err, sizeof(err));
	const char *url = getenv("DATABASE_URL");
	db = db_open(url ? url : "postgresql://nobody@/nothing?host=/nonexistent", "unit-tests");
	return templates != NULL && db != NULL && auth_init() == 0 ? 0 : -1;
}

static int suite_clean(void)
{
	tmpl_set_free(templates);
	db_close(db);
	return 0;
}

/* Runs one request; the context (arena, response) is the caller's to free. */
static void run(struct ctx *c, const char *method, const char *path, const char *ctype, const char *body,
		const char *cookie)
{
	memset(c, 0, sizeof(*c));
	c->conf = &conf;
	c->tmpl = templates;
	c->a = arena_new(16384);
	c->db = db;
	http_response_init(&c->res);
	c->req.method_name = method;
	c->req.method = http_method_parse(method);
	c->req.path = path;
	c->req.query_string = "";
	c->req.content_type = ctype ? ctype : "";
	c->req.body = body ? body : "";
	c->req.body_len = body ? strlen(body) : 0;
	c->req.remote_addr = "127.0.0.1";
	if (cookie != NULL)
		http_parse_cookies(c->a, cookie, &c->req.cookies);
	app_handle(&prog, c);
}

static void done(struct ctx *c)
{
	http_request_clear(&c->req);
	http_response_free(&c->res);
	arena_free(c->a);
}

static int has(const struct buf *b, const char *s)
{
	return b->data != NULL && strstr(b->data, s) != NULL;
}

static void test_not_found_and_method(void)
{
	struct ctx c;
	run(&c, "GET", "/nowhere", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 404);
	CU_ASSERT(has(&c.res.body, "Page introuvable"));
	CU_ASSERT(has(&c.res.body, "lang=\"fr\""));
	done(&c);
	run(&c, "DELETE", "/page", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 405);
	done(&c);
	run(&c, "GET", "/api/v1/nothing", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 404);
	CU_ASSERT(has(&c.res.body, "\"code\":\"not_found\""));
	CU_ASSERT(strncmp(c.res.content_type, "application/json", 16) == 0);
	done(&c);
}

static void test_public_page_and_errors(void)
{
	struct ctx c;
	run(&c, "GET", "/page", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 200);
	CU_ASSERT(has(&c.res.body, "bonjour"));
	CU_ASSERT(has(&c.res.headers, "rdv_csrf="));     /* a pre-session CSRF token for the forms */
	done(&c);
	run(&c, "GET", "/conflict", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 409);                /* handler errors become pages */
	CU_ASSERT(has(&c.res.body, "Conflit"));
	done(&c);
}

static void test_csrf(void)
{
	struct ctx c;
	run(&c, "POST", "/page", "application/x-www-form-urlencoded", "a=1", NULL);
	CU_ASSERT_EQUAL(c.res.status, 403);
	CU_ASSERT(has(&c.res.body, "Rechargez la page"));
	done(&c);
	const char *tok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";   /* 43 characters */
	char cookie[128], form[128];
	snprintf(cookie, sizeof(cookie), "rdv_csrf=%s", tok);
	snprintf(form, sizeof(form), "a=1&csrf_token=%s", tok);
	run(&c, "POST", "/page", "application/x-www-form-urlencoded", form, cookie);
	CU_ASSERT_EQUAL(c.res.status, 200);
	done(&c);
	snprintf(form, sizeof(form), "a=1&csrf_token=%.42sX", tok);
	run(&c, "POST", "/page", "application/x-www-form-urlencoded", form, cookie);
	CU_ASSERT_EQUAL(c.res.status, 403);
	done(&c);
	/* flash message set on the redirect, 303 after a POST */
	snprintf(form, sizeof(form), "csrf_token=%s", tok);
	run(&c, "POST", "/flash", "application/x-www-form-urlencoded", form, cookie);
	CU_ASSERT_EQUAL(c.res.status, 303);
	CU_ASSERT(has(&c.res.headers, "Location: /done"));
	CU_ASSERT(has(&c.res.headers, "rdv_flash=success:Enregistr%C3%A9%2C%20merci%20%21"));
	done(&c);
}

static void test_malformed_input(void)
{
	struct ctx c;
	run(&c, "POST", "/page", "application/x-www-form-urlencoded", "a=%zz", NULL);
	CU_ASSERT_EQUAL(c.res.status, 400);
	CU_ASSERT(has(&c.res.body, "mal formées"));
	done(&c);
	run(&c, "POST", "/page", "application/json", "{\"a\":1,\"a\":2}", NULL);
	CU_ASSERT_EQUAL(c.res.status, 400);
	done(&c);
}

static void test_access_rules(void)
{
	struct ctx c;
	run(&c, "GET", "/agent/private", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 302);
	CU_ASSERT(has(&c.res.headers, "Location: /agent/sign_in?return_to=%2Fagent%2Fprivate"));
	done(&c);
	run(&c, "GET", "/api/v1/thing", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, 401);
	CU_ASSERT(has(&c.res.body, "\"code\":\"unauthorized\""));
	done(&c);
}

static void test_healthz(void)
{
	struct ctx c;
	run(&c, "GET", "/healthz", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(c.res.status, getenv("DATABASE_URL") ? 200 : 503);
	done(&c);
}

void register_app_suite(void)
{
	CU_pSuite s = CU_add_suite("app", suite_init, suite_clean);
	CU_add_test(s, "404 and 405, French or JSON", test_not_found_and_method);
	CU_add_test(s, "public page, handler errors as pages", test_public_page_and_errors);
	CU_add_test(s, "CSRF on POST, flash and 303", test_csrf);
	CU_add_test(s, "malformed input is a 400", test_malformed_input);
	CU_add_test(s, "sign-in redirect, API 401", test_access_rules);
	CU_add_test(s, "healthz", test_healthz);
}
