/*
 * test_accesses.c - « Partage d'agenda » (cgi-bin/booking/accesses.c) and
 * the rule it edits: agent.pmi (PMI) and agent.social (Service social) share
 * no service, so neither sees the other's agenda until one grants it; grants
 * change agenda_access_level() at once; org admins manage any agenda of
 * their organisation; another organisation is 404; CSRF; audit rows.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define SOCIAL "agent.social@demo.rdv-solidarites.fr"
#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"
#define LENS_BASIC "basic.lens@demo.rdv-solidarites.fr"

static long long arras, lens, pmi, social, lens_basic, intervenant;

static int suite_init(void)
{
	arras = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	pmi = test_agent_id(PMI);
	social = test_agent_id(SOCIAL);
	lens_basic = test_agent_id(LENS_BASIC);
	char v[24];
	test_sql("SELECT id FROM agents WHERE email IS NULL AND last_name = 'Morel'", v, sizeof(v));
	intervenant = atoll(v);
	test_sql("DELETE FROM agenda_accesses", NULL, 0);   /* the demo has none */
	return 0;
}

static int suite_clean(void)
{
	test_sql("DELETE FROM agenda_accesses", NULL, 0);
	return 0;
}

/* agenda_access_level(viewer, owner, org) as text into out. */
static const char *level(long long viewer, long long owner, long long org, char out[16])
{
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT agenda_access_level(%lld, %lld, %lld)", viewer, owner, org);
	test_sql(sql, out, 16);
	return out;
}

static const char *page(long long org, char out[128])
{
	snprintf(out, 128, "/agent/organisations/%lld/agenda_accesses", org);
	return out;
}

static long post_grant(struct browser *b, long long org, long long owner, long long grantee, const char *lvl)
{
	char path[128], form[128];
	if (owner)
		snprintf(form, sizeof(form), "owner_id=%lld&grantee_id=%lld&level=%s", owner, grantee, lvl);
	else
		snprintf(form, sizeof(form), "grantee_id=%lld&level=%s", grantee, lvl);
	return browser_post(b, page(org, path), form, 1);
}

static long post_revoke(struct browser *b, long long org, long long owner, long long grantee, int csrf)
{
	char path[160], form[64] = "";
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda_accesses/%lld/delete", org, grantee);
	if (owner)
		snprintf(form, sizeof(form), "owner_id=%lld", owner);
	return browser_post(b, path, form, csrf);
}

static void test_page_lists_the_rule(void)
{
	struct browser b;
	char path[128], v[16];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, SOCIAL, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, page(arras, path)), 200);
	CU_ASSERT(browser_body_has(&b, "Partage d'agenda"));
	CU_ASSERT(browser_body_has(&b, "Karima Benali"));
	/* by the organisation's rule, as agenda_access_level says */
	CU_ASSERT(browser_body_has(&b, "Sophie Martin — Administrateur de l&#39;organisation"));
	CU_ASSERT(browser_body_has(&b, "Nathalie Petit — Secrétariat"));
	CU_ASSERT(browser_body_has(&b, "Thomas Caron — Même service"));
	CU_ASSERT(!browser_body_has(&b, "Julie Lefebvre — "));
	CU_ASSERT_STRING_EQUAL(level(test_agent_id(ADMIN_ARRAS), social, arras, v), "write");
	CU_ASSERT_STRING_EQUAL(level(test_agent_id("secretariat.arras@demo.rdv-solidarites.fr"), social, arras, v), "write");
	CU_ASSERT_STRING_EQUAL(level(test_agent_id("thomas.caron@demo.rdv-solidarites.fr"), social, arras, v), "write");
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "none");
	/* colleagues of the whole territory can be chosen, not the intervenant */
	CU_ASSERT(browser_body_has(&b, "Céline Duhamel (MDS de Lens)"));
	CU_ASSERT(!browser_body_has(&b, "Hélène Morel"));
	CU_ASSERT(browser_body_has(&b, "Aucun accès n&#39;a été donné") || browser_body_has(&b, "Aucun accès n'a été donné"));
	browser_free(&b);
}

static void test_grant_update_revoke(void)
{
	struct browser b;
	char path[128], v[16];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, SOCIAL, NULL), 303);
	browser_get(&b, page(arras, path));
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "none");
	CU_ASSERT_EQUAL(post_grant(&b, arras, 0, pmi, "read"), 303);
	CU_ASSERT_STRING_EQUAL(b.location, page(arras, path));
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "read");
	CU_ASSERT_STRING_EQUAL(level(social, pmi, arras, v), "none");     /* one way */
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Julie Lefebvre a désormais l"));
	CU_ASSERT(browser_body_has(&b, "<td>Lecture</td>"));
	/* the same agent again: the level changes */
	CU_ASSERT_EQUAL(post_grant(&b, arras, 0, pmi, "write"), 303);
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "write");
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT string_agg(event, ',' ORDER BY id) FROM audit WHERE item_type = 'agenda_access'"
		 " AND item_id = %lld AND agent_id = %lld", social, social);
	test_sql(sql, v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "create,update");
	/* revoke */
	CU_ASSERT_EQUAL(post_revoke(&b, arras, 0, pmi, 1), 303);
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "none");
	CU_ASSERT_EQUAL(post_revoke(&b, arras, 0, pmi, 1), 404);
	char events[64];
	test_sql(sql, events, sizeof(events));
	CU_ASSERT_STRING_EQUAL(events, "create,update,destroy");
	browser_free(&b);
}

static void test_grant_refused(void)
{
	struct browser b;
	char path[128], v[16];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, SOCIAL, NULL), 303);
	browser_get(&b, page(arras, path));
	CU_ASSERT_EQUAL(post_grant(&b, arras, 0, pmi, "admin"), 422);
	CU_ASSERT(browser_body_has(&b, "niveau d&#39;accès") || browser_body_has(&b, "niveau d'accès"));
	CU_ASSERT_EQUAL(post_grant(&b, arras, 0, social, "read"), 422);          /* self */
	CU_ASSERT_EQUAL(post_grant(&b, arras, 0, intervenant, "read"), 422);     /* cannot sign in */
	CU_ASSERT_EQUAL(post_grant(&b, arras, 0, 987654321, "read"), 422);       /* nobody */
	CU_ASSERT_EQUAL(browser_post(&b, page(arras, path), "grantee_id=abc&level=read", 1), 422);
	/* CSRF */
	char form[64];
	snprintf(form, sizeof(form), "grantee_id=%lld&level=read", pmi);
	CU_ASSERT_EQUAL(browser_post(&b, page(arras, path), form, 0), 403);
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "none");
	test_sql("SELECT count(*) FROM agenda_accesses", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "0");
	browser_free(&b);
}

static void test_basic_cannot_manage_others(void)
{
	struct browser b;
	char path[256];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda_accesses?owner_id=%lld", arras, social);
	CU_ASSERT_EQUAL(browser_get(&b, path), 403);
	browser_get(&b, page(arras, path));
	CU_ASSERT_EQUAL(post_grant(&b, arras, social, pmi, "write"), 403);
	CU_ASSERT(!browser_body_has(&b, "Gérer l&#39;agenda de") && !browser_body_has(&b, "Gérer l'agenda de"));
	browser_free(&b);
}

static void test_admin_manages_any_agenda_of_org(void)
{
	struct browser b;
	char path[256], v[16];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, ADMIN_ARRAS, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, page(arras, path)), 200);
	CU_ASSERT(browser_body_has(&b, "Gérer l'agenda de"));
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda_accesses?owner_id=%lld", arras, social);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Agenda de <strong>Karima Benali</strong>"));
	CU_ASSERT_EQUAL(post_grant(&b, arras, social, pmi, "busy"), 303);
	CU_ASSERT_STRING_EQUAL(b.location, path);
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "busy");
	CU_ASSERT_EQUAL(post_revoke(&b, arras, social, pmi, 1), 303);
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras, v), "none");
	/* an agent of another organisation is not theirs to manage */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/agenda_accesses?owner_id=%lld", arras, lens_basic);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_get(&b, page(arras, path));
	CU_ASSERT_EQUAL(post_grant(&b, arras, lens_basic, pmi, "read"), 404);
	browser_free(&b);
}

static void test_other_organisation_404_and_signed_out(void)
{
	struct browser b;
	char path[128];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, page(arras, path)), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, SOCIAL, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, page(lens, path)), 404);
	browser_get(&b, page(arras, path));
	CU_ASSERT_EQUAL(post_grant(&b, lens, 0, pmi, "read"), 404);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/organisations/987654321/agenda_accesses"), 404);
	browser_free(&b);
}

/* A grant crosses organisations of the territory: Céline Duhamel (Lens)
 * shares her agenda with agent.pmi (Arras), who has no role in Lens. */
static void test_grant_across_the_territory(void)
{
	struct browser b;
	char path[128], v[16];
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, LENS_BASIC, NULL), 303);
	browser_get(&b, page(lens, path));
	CU_ASSERT_STRING_EQUAL(level(pmi, lens_basic, lens, v), "none");
	CU_ASSERT_EQUAL(post_grant(&b, lens, 0, pmi, "read"), 303);
	CU_ASSERT_STRING_EQUAL(level(pmi, lens_basic, lens, v), "read");
	browser_follow(&b);
	CU_ASSERT(browser_body_has(&b, "<td>MDS d&#39;Arras</td>"));
	CU_ASSERT_EQUAL(post_revoke(&b, lens, 0, pmi, 0), 403);              /* CSRF */
	CU_ASSERT_STRING_EQUAL(level(pmi, lens_basic, lens, v), "read");
	CU_ASSERT_EQUAL(post_revoke(&b, lens, 0, pmi, 1), 303);
	CU_ASSERT_STRING_EQUAL(level(pmi, lens_basic, lens, v), "none");
	browser_free(&b);
}

void register_accesses_http(void)
{
	CU_pSuite s = CU_add_suite("http: agenda accesses", suite_init, suite_clean);
	CU_add_test(s, "page lists the organisation's rule", test_page_lists_the_rule);
	CU_add_test(s, "grant, change, revoke, audited", test_grant_update_revoke);
	CU_add_test(s, "bad level, self, intervenant, unknown agent, CSRF", test_grant_refused);
	CU_add_test(s, "a basic agent cannot manage another's agenda", test_basic_cannot_manage_others);
	CU_add_test(s, "org admin manages any agenda of the organisation", test_admin_manages_any_agenda_of_org);
	CU_add_test(s, "another organisation is 404, signed out redirects", test_other_organisation_404_and_signed_out);
	CU_add_test(s, "grant across the territory's organisations", test_grant_across_the_territory);
}
