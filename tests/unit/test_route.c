/* test_route.c - the router: literal and typed segments, 404 vs 405, HEAD. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "route.h"

static int h_a(struct ctx *c) { (void)c; return 1; }
static int h_b(struct ctx *c) { (void)c; return 2; }

static const struct route table[] = {
	{HTTP_GET, "/", h_a, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/agent/", h_a, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/rdvs/:id", h_a, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id", h_b, ROUTE_AGENT, 0},
	{HTTP_GET, "/r/:id/*token", h_b, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/agent/rdvs", h_b, ROUTE_AGENT, 0},
};
#define N (sizeof(table) / sizeof(table[0]))

static void test_route_match(void)
{
	struct route_match m;
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/", &m), 0);
	CU_ASSERT_PTR_EQUAL(m.route, &table[0]);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/", &m), 0);
	CU_ASSERT_PTR_EQUAL(m.route, &table[1]);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations/12/rdvs/345", &m), 0);
	CU_ASSERT_PTR_EQUAL(m.route, &table[2]);
	CU_ASSERT_EQUAL(route_id(&m, "org_id"), 12);
	CU_ASSERT_EQUAL(route_id(&m, "id"), 345);
	CU_ASSERT_EQUAL(route_id(&m, "absent"), 0);
	CU_ASSERT_STRING_EQUAL(route_str(&m, "org_id"), "12");
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_POST, "/agent/organisations/12/rdvs/345", &m), 0);
	CU_ASSERT_PTR_EQUAL(m.route, &table[3]);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_HEAD, "/agent/rdvs", &m), 0);
	CU_ASSERT_PTR_EQUAL(m.route, &table[5]);
}

static void test_route_typed_params(void)
{
	struct route_match m;
	/* ids are positive integers without sign, zero or garbage */
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations/abc/rdvs/1", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations/0/rdvs/1", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations/-1/rdvs/1", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations/012/rdvs/1", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations/99999999999999999999/rdvs/1", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/agent/organisations//rdvs/1", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/r/7/AbC-_x", &m), 0);
	CU_ASSERT_STRING_EQUAL(route_str(&m, "token"), "AbC-_x");
	CU_ASSERT_EQUAL(route_id(&m, "id"), 7);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/r/7/", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/r/7/a/b", &m), 404);
}

static void test_route_404_405(void)
{
	struct route_match m;
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_DELETE, "/agent/organisations/1/rdvs/2", &m), 405);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_POST, "/agent/rdvs", &m), 405);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "/nope", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "", &m), 404);
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, "relative", &m), 404);
	char longpath[2048];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CU_ASSERT_EQUAL(route_find(table, N, HTTP_GET, longpath, &m), 404);
}

void register_route_suite(void)
{
	CU_pSuite s = CU_add_suite("route", NULL, NULL);
	CU_add_test(s, "matching", test_route_match);
	CU_add_test(s, "typed parameters", test_route_typed_params);
	CU_add_test(s, "404 and 405", test_route_404_405);
}
