/*
 * test_api_org.c - the organisation-level JSON API (cgi-bin/export/api_org.c):
 * organisations, agents, lieux, motifs, services; pagination (per_page above
 * 100 is a 400, not a silent cap); another organisation is 404; no token,
 * an unknown or a revoked token is 401. Tokens are inserted by SQL (only
 * their SHA-256 is stored) and deleted at the end.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* 43 characters, like a real base64url token */
#define TOKEN_ADMIN "apiOrgTestAdminArras0123456789abcdefghijklm"
#define TOKEN_REVOKED "apiOrgTestRevokedToken0123456789abcdefghijk"

static long long arras, lens;
static char arras_s[24], lens_s[24];

static void insert_token(const char *email, const char *token, const char *name)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO api_tokens (agent_id, token_hash, name) SELECT id, sha256('%s'::bytea), '%s'"
		 " FROM agents WHERE email = '%s'", token, name, email);
	test_sql(sql, NULL, 0);
}

static int suite_init(void)
{
	arras = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	snprintf(arras_s, sizeof(arras_s), "%lld", arras);
	snprintf(lens_s, sizeof(lens_s), "%lld", lens);
	test_sql("DELETE FROM api_tokens WHERE name LIKE 'test-api-org%'", NULL, 0);
	insert_token("admin.arras@demo.rdv-solidarites.fr", TOKEN_ADMIN, "test-api-org admin");
	insert_token("agent.pmi@demo.rdv-solidarites.fr", TOKEN_REVOKED, "test-api-org revoked");
	return 0;
}

static int suite_clean(void)
{
	test_sql("DELETE FROM api_tokens WHERE name LIKE 'test-api-org%'", NULL, 0);
	return 0;
}

/* GET path with a bearer token (NULL: none); returns the status. */
static long api_get(struct browser *b, const char *token, const char *fmt, const char *arg)
{
	char path[256], auth[128];
	snprintf(path, sizeof(path), fmt, arg);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *const h[] = {token ? auth : "Accept: application/json", NULL};
	return browser_request(b, "GET", path, h, NULL, 0);
}

/* The body as JSON (new reference, NULL when not JSON). */
static json_t *body_json(const struct browser *b)
{
	return json_loadb(b->body.data ? b->body.data : "", b->body.len, 0, NULL);
}

static long long meta(json_t *j, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(j, "meta"), key));
}

static const char *error_code(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static void test_organisations_index_and_show(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations%s", ""), 200);
	json_t *j = body_json(&b);
	json_t *orgs = json_object_get(j, "organisations");
	CU_ASSERT_EQUAL(json_array_size(orgs), 1);
	json_t *o = json_array_get(orgs, 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "id")), arras);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "name")), "MDS d'Arras");
	CU_ASSERT(json_is_integer(json_object_get(o, "territory_id")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "email")), "mds.arras@demo.rdv-solidarites.fr");
	CU_ASSERT(json_is_string(json_object_get(o, "phone_number")));
	CU_ASSERT(json_is_string(json_object_get(o, "address")));
	CU_ASSERT_EQUAL(meta(j, "total"), 1);
	CU_ASSERT_EQUAL(meta(j, "page"), 1);
	CU_ASSERT_EQUAL(meta(j, "per_page"), 50);
	json_decref(j);

	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s", arras_s), 200);
	j = body_json(&b);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "organisation"), "name")),
			       "MDS d'Arras");
	json_decref(j);
	browser_free(&b);
}

static void test_agents(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/agents", arras_s), 200);
	json_t *j = body_json(&b);
	json_t *agents = json_object_get(j, "agents");
	char total[16];
	test_sql("SELECT count(*) FROM agent_roles r JOIN agents a ON a.id = r.agent_id"
		 " WHERE a.deleted_at IS NULL AND r.organisation_id = (SELECT id FROM organisations WHERE name = 'MDS d''Arras')",
		 total, sizeof(total));
	CU_ASSERT_EQUAL(meta(j, "total"), atoll(total));
	CU_ASSERT_EQUAL((long long)json_array_size(agents), atoll(total));
	int found_admin = 0;
	size_t i;
	json_t *a;
	json_array_foreach(agents, i, a) {
		CU_ASSERT(json_is_integer(json_object_get(a, "id")));
		CU_ASSERT(json_is_string(json_object_get(a, "last_name")));
		CU_ASSERT(json_is_array(json_object_get(a, "service_ids")));
		const char *email = json_string_value(json_object_get(a, "email"));
		if (email != NULL && strcmp(email, "admin.arras@demo.rdv-solidarites.fr") == 0) {
			found_admin = 1;
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "role")), "admin");
			CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "service_ids")), 2);   /* PMI, SSOC */
		}
	}
	CU_ASSERT(found_admin);
	CU_ASSERT(strstr(b.body.data, "agent.lens@") == NULL);
	json_decref(j);
	browser_free(&b);
}

static void test_lieux_and_motifs_and_services(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/lieux", arras_s), 200);
	json_t *j = body_json(&b);
	json_t *l = json_array_get(json_object_get(j, "lieux"), 0);
	CU_ASSERT_PTR_NOT_NULL(l);
	CU_ASSERT(json_is_string(json_object_get(l, "name")));
	CU_ASSERT(json_is_boolean(json_object_get(l, "enabled")));
	CU_ASSERT(json_is_number(json_object_get(l, "latitude")) || json_is_null(json_object_get(l, "latitude")));
	CU_ASSERT(json_object_get(l, "longitude") != NULL && json_object_get(l, "phone_number") != NULL);
	CU_ASSERT(meta(j, "total") >= 1);
	json_decref(j);

	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/motifs", arras_s), 200);
	j = body_json(&b);
	json_t *m = json_array_get(json_object_get(j, "motifs"), 0);
	CU_ASSERT_PTR_NOT_NULL(m);
	static const char *const keys[] = {"id", "name", "service_id", "default_duration_in_min", "location_type",
					   "bookable_online", "min_public_booking_delay", "max_public_booking_delay",
					   "collectif", "follow_up", "for_secretariat"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		CU_ASSERT_PTR_NOT_NULL(json_object_get(m, keys[k]));
	CU_ASSERT(json_is_boolean(json_object_get(m, "bookable_online")));
	char total[16];
	test_sql("SELECT count(*) FROM motifs WHERE deleted_at IS NULL"
		 " AND organisation_id = (SELECT id FROM organisations WHERE name = 'MDS d''Arras')", total, sizeof(total));
	CU_ASSERT_EQUAL(meta(j, "total"), atoll(total));
	json_decref(j);

	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/services%s", ""), 200);
	j = body_json(&b);
	CU_ASSERT(json_array_size(json_object_get(j, "services")) >= 5);
	json_decref(j);
	browser_free(&b);
}

static void test_pagination(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/agents?per_page=2&page=1", arras_s), 200);
	json_t *p1 = body_json(&b);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/agents?per_page=2&page=2", arras_s), 200);
	json_t *p2 = body_json(&b);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p1, "agents")), 2);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(p2, "agents")), 2);
	CU_ASSERT_EQUAL(meta(p2, "page"), 2);
	CU_ASSERT_EQUAL(meta(p2, "per_page"), 2);
	CU_ASSERT_EQUAL(meta(p1, "total"), meta(p2, "total"));
	long long first1 = json_integer_value(json_object_get(json_array_get(json_object_get(p1, "agents"), 0), "id"));
	long long first2 = json_integer_value(json_object_get(json_array_get(json_object_get(p2, "agents"), 0), "id"));
	CU_ASSERT_NOT_EQUAL(first1, first2);
	json_decref(p1);
	json_decref(p2);
	/* past the end: empty, with the real total */
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/agents?page=500", arras_s), 200);
	json_t *j = body_json(&b);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "agents")), 0);
	CU_ASSERT(meta(j, "total") > 0);
	json_decref(j);
	/* per_page 100 is the maximum: above, the page holds 100 and meta says so;
	 * not a positive integer: 400 */
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "/api/v1/organisations/%s/agents?per_page=101", arras_s), 200);
	j = body_json(&b);
	CU_ASSERT_EQUAL(meta(j, "per_page"), 100);
	json_decref(j);
	static const char *const bad[] = {"per_page=0", "per_page=-5", "page=0", "page=abc",
					  "per_page=1e3", "page=99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "/api/v1/organisations/%s/agents?%s", arras_s, bad[i]);
		CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, "%s", path), 400);
		j = body_json(&b);
		CU_ASSERT_STRING_EQUAL(error_code(j) ? error_code(j) : "", "bad_request");
		json_decref(j);
	}
	browser_free(&b);
}

static void test_other_organisation_is_404(void)
{
	struct browser b;
	browser_init(&b);
	static const char *const paths[] = {"/api/v1/organisations/%s", "/api/v1/organisations/%s/agents",
					    "/api/v1/organisations/%s/lieux", "/api/v1/organisations/%s/motifs"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, paths[i], lens_s), 404);
		json_t *j = body_json(&b);
		CU_ASSERT_STRING_EQUAL(error_code(j) ? error_code(j) : "", "not_found");
		json_decref(j);
		/* an organisation that does not exist answers the same */
		CU_ASSERT_EQUAL(api_get(&b, TOKEN_ADMIN, paths[i], "987654321"), 404);
	}
	browser_free(&b);
}

static void test_tokens_401(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(api_get(&b, NULL, "/api/v1/organisations%s", ""), 401);
	json_t *j = body_json(&b);
	CU_ASSERT_STRING_EQUAL(error_code(j) ? error_code(j) : "", "unauthorized");
	json_decref(j);
	CU_ASSERT_EQUAL(api_get(&b, "apiOrgTestUnknownToken0123456789abcdefghijk", "/api/v1/organisations%s", ""), 401);
	CU_ASSERT_EQUAL(api_get(&b, "court", "/api/v1/organisations/%s/agents", arras_s), 401);
	/* a token works until revoked, then 401 everywhere */
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_REVOKED, "/api/v1/organisations/%s/lieux", arras_s), 200);
	test_sql("UPDATE api_tokens SET revoked_at = now() WHERE name = 'test-api-org revoked'", NULL, 0);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_REVOKED, "/api/v1/organisations/%s/lieux", arras_s), 401);
	CU_ASSERT_EQUAL(api_get(&b, TOKEN_REVOKED, "/api/v1/organisations%s", ""), 401);
	/* a signed-in session is not a token */
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "admin.arras@demo.rdv-solidarites.fr", NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/api/v1/organisations"), 401);
	browser_free(&b);
}

void register_api_org_http(void)
{
	CU_pSuite s = CU_add_suite("http: api organisations", suite_init, suite_clean);
	CU_add_test(s, "GET /api/v1/organisations and /organisations/:org", test_organisations_index_and_show);
	CU_add_test(s, "GET …/:org/agents", test_agents);
	CU_add_test(s, "GET …/:org/lieux, …/:org/motifs, /services", test_lieux_and_motifs_and_services);
	CU_add_test(s, "pagination: pages, past the end, per_page > 100 is 400", test_pagination);
	CU_add_test(s, "another organisation is 404", test_other_organisation_is_404);
	CU_add_test(s, "no, unknown or revoked token: 401", test_tokens_401);
}
