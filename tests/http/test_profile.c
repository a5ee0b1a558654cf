/*
 * test_profile.c - the agent's profile (cgi-bin/booking/profile.c): edit
 * names, e-mail and notifications; create an API token in the page, use it
 * on the API, revoke it, then 401. CSRF and signed-out access.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define LENS_BASIC "basic.lens@demo.rdv-solidarites.fr"

static int suite_clean(void)
{
	test_sql("DELETE FROM api_tokens WHERE name LIKE 'test-profile%'", NULL, 0);
	test_sql("UPDATE agents SET first_name = 'Céline', last_name = 'Duhamel', rdv_notifications_level = 'others',"
		 " absence_notification_level = 'all' WHERE email = '" LENS_BASIC "'", NULL, 0);
	return 0;
}

/* The token shown on the creation page: the value of the input id="token". */
static int token_from_page(const struct browser *b, char out[64])
{
	const char *p = b->body.data ? strstr(b->body.data, "id=\"token\"") : NULL;
	p = p ? strstr(p, "value=\"") : NULL;
	if (p == NULL)
		return 0;
	p += 7;
	size_t n = strcspn(p, "\"");
	if (n != 43)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

static long api_get(struct browser *b, const char *token, const char *path)
{
	char auth[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *const h[] = {auth, NULL};
	return browser_request(b, "GET", path, h, NULL, 0);
}

static void test_profile_page_and_update(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, LENS_BASIC, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/profile"), 200);
	CU_ASSERT(browser_body_has(&b, "Mon profil"));
	CU_ASSERT(browser_body_has(&b, "Mes jetons d'API"));
	CU_ASSERT(browser_body_has(&b, "value=\"Duhamel\""));
	CU_ASSERT(browser_body_has(&b, "value=\"" LENS_BASIC "\""));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile",
		"first_name=C%C3%A9line&last_name=Duhamel-Test&email=basic.lens%40demo.rdv-solidarites.fr"
		"&rdv_notifications_level=soon&plage_ouverture_notification_level=all&absence_notification_level=none", 1), 303);
	char v[128];
	test_sql("SELECT last_name || '/' || rdv_notifications_level || '/' || absence_notification_level FROM agents"
		 " WHERE email = '" LENS_BASIC "'", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "Duhamel-Test/soon/none");
	test_sql("SELECT count(*) FROM audit WHERE item_type = 'agent' AND event = 'update' AND item_id ="
		 " (SELECT id FROM agents WHERE email = '" LENS_BASIC "') AND after->>'last_name' = 'Duhamel-Test'", v, sizeof(v));
	CU_ASSERT(atoi(v) >= 1);
	/* refused: bad e-mail, an e-mail of another account, an unknown level, no last name */
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile",
		"first_name=C&last_name=D&email=pas-un-email&rdv_notifications_level=all"
		"&plage_ouverture_notification_level=all&absence_notification_level=all", 1), 422);
	CU_ASSERT(browser_body_has(&b, "E-mail"));
	CU_ASSERT(browser_body_has(&b, "value=\"pas-un-email\""));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile",
		"first_name=C&last_name=D&email=agent.lens%40demo.rdv-solidarites.fr&rdv_notifications_level=all"
		"&plage_ouverture_notification_level=all&absence_notification_level=all", 1), 422);
	CU_ASSERT(browser_body_has(&b, "déjà utilisée"));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile",
		"first_name=C&last_name=D&email=basic.lens%40demo.rdv-solidarites.fr&rdv_notifications_level=toujours"
		"&plage_ouverture_notification_level=all&absence_notification_level=all", 1), 422);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile",
		"first_name=C&last_name=&email=basic.lens%40demo.rdv-solidarites.fr&rdv_notifications_level=all"
		"&plage_ouverture_notification_level=all&absence_notification_level=all", 1), 422);
	test_sql("SELECT last_name FROM agents WHERE email = '" LENS_BASIC "'", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "Duhamel-Test");
	browser_free(&b);
	suite_clean();
}

static void test_token_create_use_revoke(void)
{
	struct browser b, api;
	browser_init(&b);
	browser_init(&api);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, LENS_BASIC, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/profile"), 200);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile/api_tokens", "name=test-profile+CRM", 1), 200);
	CU_ASSERT(browser_body_has(&b, "Copiez ce jeton maintenant"));
	char h[256];
	CU_ASSERT(browser_header(&b, "Cache-Control", h, sizeof(h)) && strstr(h, "no-store") != NULL);
	char token[64];
	CU_ASSERT_FATAL(token_from_page(&b, token));
	/* stored hashed: the token itself is nowhere in the table */
	char sql[256], v[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM api_tokens WHERE token_hash = sha256('%s'::bytea)"
		 " AND name = 'test-profile CRM'", token);
	test_sql(sql, v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "1");
	/* it works on the API, with this agent's rights */
	CU_ASSERT_EQUAL(api_get(&api, token, "/api/v1/organisations"), 200);
	CU_ASSERT(strstr(api.body.data, "MDS de Lens") != NULL);
	CU_ASSERT(strstr(api.body.data, "MDS d'Arras") == NULL);
	/* listed in the profile, with its last use, never the token again */
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/profile"), 200);
	CU_ASSERT(browser_body_has(&b, "test-profile CRM"));
	CU_ASSERT(!browser_body_has(&b, token));
	/* another agent cannot revoke it */
	char id[24];
	test_sql("SELECT id FROM api_tokens WHERE name = 'test-profile CRM'", id, sizeof(id));
	char path[128];
	snprintf(path, sizeof(path), "/agent/profile/api_tokens/%s/revoke", id);
	struct browser other;
	browser_init(&other);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&other, "agent.lens@demo.rdv-solidarites.fr", NULL), 303);
	browser_get(&other, "/agent/profile");
	CU_ASSERT_EQUAL(browser_post(&other, path, "", 1), 404);
	browser_free(&other);
	CU_ASSERT_EQUAL(api_get(&api, token, "/api/v1/organisations"), 200);
	/* without the CSRF token nothing happens */
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 0), 403);
	CU_ASSERT_EQUAL(api_get(&api, token, "/api/v1/organisations"), 200);
	/* revoked: 401 */
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 303);
	CU_ASSERT_EQUAL(api_get(&api, token, "/api/v1/organisations"), 401);
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 404);
	browser_get(&b, "/agent/profile");
	CU_ASSERT(!browser_body_has(&b, "test-profile CRM"));
	test_sql("SELECT count(*) FROM audit WHERE item_type = 'api_token' AND event IN ('create', 'revoke')"
		 " AND agent_id = (SELECT id FROM agents WHERE email = '" LENS_BASIC "')", v, sizeof(v));
	CU_ASSERT(atoi(v) >= 2);
	browser_free(&api);
	browser_free(&b);
	suite_clean();
}

static void test_token_refused(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, LENS_BASIC, NULL), 303);
	browser_get(&b, "/agent/profile");
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile/api_tokens", "name=", 1), 422);
	CU_ASSERT(browser_body_has(&b, "Nom du jeton"));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/profile/api_tokens", "name=test-profile-sans-csrf", 0), 403);
	char v[16];
	test_sql("SELECT count(*) FROM api_tokens WHERE name LIKE 'test-profile%'", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "0");
	browser_free(&b);
}

static void test_signed_out(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/profile"), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	browser_free(&b);
}

void register_profile_http(void)
{
	CU_pSuite s = CU_add_suite("http: profile", NULL, suite_clean);
	CU_add_test(s, "profile page and update", test_profile_page_and_update);
	CU_add_test(s, "API token: create in the page, use, revoke, 401", test_token_create_use_revoke);
	CU_add_test(s, "API token: name required, CSRF", test_token_refused);
	CU_add_test(s, "signed out: redirect to sign-in", test_signed_out);
}
