/*
 * test_teams.c - the teams ("équipes") and services pages of a territory:
 * access (territory admin, "gérer les équipes", basic agent → 403, unknown
 * territory → 404), CSRF, team list / create / edit / delete with members
 * and duplicate names, services enable / disable and the refusal to disable
 * a service still used by motifs. Each test leaves the demo data as found.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

#define TERR_ADMIN "admin.territoire@demo.rdv-solidarites.fr"
#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define ORG_ADMIN "admin.arras@demo.rdv-solidarites.fr"

static long long terr;

static void sign_in(struct browser *b, const char *email)
{
	terr = test_sql_ll("SELECT id FROM territories WHERE departement_number = '62'");
	fx_sign_in(b, email, "/admin/");   /* the session's CSRF token */
}

static void test_access(void)
{
	struct browser pmi, oa, ta;
	sign_in(&pmi, PMI);
	sign_in(&oa, ORG_ADMIN);
	sign_in(&ta, TERR_ADMIN);
	char p[160];
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams", terr);
	CU_ASSERT_EQUAL(browser_get(&pmi, p), 403);
	CU_ASSERT(browser_body_has(&pmi, "gérer les équipes"));
	CU_ASSERT_EQUAL(browser_post(&pmi, p, "name=Intrus", 1), 403);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 403);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM teams WHERE name = 'Intrus'"), 0);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "Puéricultrices de l&#39;Arrageois"));
	CU_ASSERT(browser_body_has(&ta, "Julie Lefebvre"));
	CU_ASSERT_EQUAL(browser_get(&ta, "/admin/territories/999999/teams"), 404);
	CU_ASSERT_EQUAL(browser_get(&pmi, "/admin/territories/999999/teams"), 404);
	/* the territory home links to the teams and services */
	snprintf(p, sizeof(p), "/admin/territories/%lld", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "/teams\">Équipes</a>"));
	CU_ASSERT(browser_body_has(&ta, "/services\">Services</a>"));
	/* services: territory admins only */
	snprintf(p, sizeof(p), "/admin/territories/%lld/services", terr);
	CU_ASSERT_EQUAL(browser_get(&pmi, p), 403);
	CU_ASSERT_EQUAL(browser_post(&pmi, p, "service_ids=1", 1), 403);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 403);
	CU_ASSERT(browser_body_has(&oa, "administrateurs du territoire"));
	browser_free(&pmi);
	browser_free(&oa);
	browser_free(&ta);
}

static void test_csrf(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	char p[160];
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams", terr);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Sans+jeton", 0), 403);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Sans+jeton&csrf_token=faux", 0), 403);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM teams WHERE name = 'Sans jeton'"), 0);
	snprintf(p, sizeof(p), "/admin/territories/%lld/services", terr);
	long long before = test_sql_ll("SELECT count(*) FROM territory_services");
	CU_ASSERT_EQUAL(browser_post(&ta, p, "", 0), 403);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM territory_services"), before);
	browser_free(&ta);
}

static void test_team_crud(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	long long pmi = test_agent_id(PMI), lens = test_agent_id("agent.lens@demo.rdv-solidarites.fr");
	CU_ASSERT(pmi > 0 && lens > 0);
	char p[160], form[256];
	char q[512];
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams/new", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "Julie"));
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams", terr);
	/* validation */
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "Le nom de l&#39;équipe est obligatoire."));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Equipe+test+HTTP&agent_ids=999999999", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "parmi les agents du territoire"));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Equipe+test+HTTP&agent_ids=abc", 1), 422);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM teams WHERE name = 'Equipe test HTTP'"), 0);
	/* create with two members */
	snprintf(form, sizeof(form), "name=Equipe+test+HTTP&agent_ids=%lld&agent_ids=%lld", pmi, lens);
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 303);
	long long id = test_sql_ll("SELECT id FROM teams WHERE name = 'Equipe test HTTP'");
	CU_ASSERT(id > 0);

	snprintf(q, sizeof(q), "SELECT count(*) FROM agent_teams WHERE team_id = %lld", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), 2);
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE item_type = 'team' AND item_id = %lld AND event = 'create'"
			       " AND after IS NOT NULL", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), 1);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "Equipe test HTTP"));
	/* duplicate name */
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Equipe+test+HTTP", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "Une équipe du territoire porte déjà ce nom."));
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM teams WHERE name = 'Equipe test HTTP'"), 1);
	/* edit: the form shows the members; rename and keep one member */
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams/%lld", terr, id);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	char checked[96];
	snprintf(checked, sizeof(checked), "value=\"%lld\" checked", pmi);
	CU_ASSERT(browser_body_has(&ta, checked));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Pu%C3%A9ricultrices+de+l%27Arrageois", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "porte déjà ce nom"));
	snprintf(form, sizeof(form), "name=Equipe+test+HTTP+2&agent_ids=%lld", pmi);
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 303);
	snprintf(q, sizeof(q), "SELECT name FROM teams WHERE id = %lld", id);
	char name[64] = "";
	test_sql(q, name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "Equipe test HTTP 2");
	snprintf(q, sizeof(q), "SELECT string_agg(agent_id::text, ',') FROM agent_teams WHERE team_id = %lld", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), pmi);
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE item_type = 'team' AND item_id = %lld AND event = 'update'"
			       " AND before ->> 'name' = 'Equipe test HTTP' AND after ->> 'name' = 'Equipe test HTTP 2'"
			       " AND jsonb_array_length(before -> 'agent_ids') = 2 AND jsonb_array_length(after -> 'agent_ids') = 1", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), 1);
	/* a team of another territory, or unknown: 404 */
	CU_ASSERT_EQUAL(browser_get(&ta, "/admin/territories/999999/teams/1"), 404);
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams/999999999", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 404);
	/* delete: a confirmation step first */
	snprintf(p, sizeof(p), "/admin/territories/%lld/teams/%lld/delete", terr, id);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "Confirmez-vous cette action ?"));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "", 1), 200);
	snprintf(q, sizeof(q), "SELECT count(*) FROM teams WHERE id = %lld", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), 1);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "confirm=1", 0), 403);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "confirm=1", 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll(q), 0);
	snprintf(q, sizeof(q), "SELECT count(*) FROM agent_teams WHERE team_id = %lld", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), 0);
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE item_type = 'team' AND item_id = %lld AND event = 'destroy'"
			       " AND before ->> 'name' = 'Equipe test HTTP 2'", id);
	CU_ASSERT_EQUAL(test_sql_ll(q), 1);
	browser_free(&ta);
}

/* The territory's enabled services as a form body, without skip (an id). */
static void enabled_form(char *out, size_t n, long long skip, long long add)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg('service_ids=' || x, '&'), '') FROM (SELECT service_id x FROM territory_services"
		 " WHERE territory_id = %lld AND service_id <> %lld UNION SELECT %lld WHERE %lld > 0) s",
		 terr, skip, add, add);
	out[0] = '\0';
	test_sql(sql, out, n);
}

static void test_services(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	test_sql("INSERT INTO services (name, short_name) VALUES ('Service de test HTTP', 'TESTHTTP')"
		 " ON CONFLICT DO NOTHING", NULL, 0);
	long long svc = test_sql_ll("SELECT id FROM services WHERE short_name = 'TESTHTTP'");
	long long pmi = test_sql_ll("SELECT id FROM services WHERE short_name = 'PMI'");
	CU_ASSERT(svc > 0 && pmi > 0);
	char p[160], form[1024], q[256];
	snprintf(p, sizeof(p), "/admin/territories/%lld/services", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "Service de test HTTP"));
	CU_ASSERT(browser_body_has(&ta, "motifs du territoire"));
	long long before = test_sql_ll("SELECT count(*) FROM territory_services");
	snprintf(q, sizeof(q), "SELECT count(*) FROM territory_services WHERE territory_id = %lld AND service_id = %lld",
		 terr, svc);
	/* enable */
	enabled_form(form, sizeof(form), 0, svc);
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll(q), 1);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM territory_services"), before + 1);
	char a[256];
	snprintf(a, sizeof(a), "SELECT count(*) FROM audit WHERE item_type = 'territory_services' AND item_id = %lld"
			       " AND after -> 'service_ids' @> '[%lld]' AND NOT before -> 'service_ids' @> '[%lld]'",
		 terr, svc, svc);
	CU_ASSERT_EQUAL(test_sql_ll(a), 1);
	/* a used service cannot be disabled: nothing changes */
	enabled_form(form, sizeof(form), pmi, 0);
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 422);
	CU_ASSERT(browser_body_has(&ta, "ne peut pas être désactivé"));
	CU_ASSERT(browser_body_has(&ta, "PMI (Protection Maternelle Infantile)"));
	CU_ASSERT(browser_body_has(&ta, "motifs des organisations du territoire"));
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM territory_services"), before + 1);
	/* disable the unused one */
	enabled_form(form, sizeof(form), svc, 0);
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll(q), 0);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM territory_services"), before);
	/* bad ids */
	CU_ASSERT_EQUAL(browser_post(&ta, p, "service_ids=abc", 1), 422);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM territory_services"), before);
	test_sql("DELETE FROM services WHERE short_name = 'TESTHTTP'", NULL, 0);
	browser_free(&ta);
}

void register_teams_http(void)
{
	CU_pSuite s = CU_add_suite("http: teams and services", NULL, NULL);
	CU_add_test(s, "access: rights, 403 and 404", test_access);
	CU_add_test(s, "CSRF required", test_csrf);
	CU_add_test(s, "team list, create, edit, delete", test_team_crud);
	CU_add_test(s, "services enable, disable, used ones refused", test_services);
}
