/*
 * series_checks.c - fixture and access checks shared by the plages and
 * absences suites (series_checks.h).
 */
#include "series_checks.h"

#include <CUnit/CUnit.h>
#include <string.h>

void series_fixture(struct series_fx *f, int weeks, const char *token_admin, const char *token_pmi)
{
	if (f->ready)
		return;
	fx_demo_ids(f->arras, f->lens, f->pmi, f->social, f->admin);
	fx_monday(f->monday, weeks);
	fx_sql(f->lens_item, 16, "SELECT min(id) FROM %s WHERE organisation_id = %s", f->table, f->lens);
	fx_sql(f->social_item, 16, "SELECT min(id) FROM %s WHERE agent_id = %s", f->table, f->social);
	fx_tokens(f->admin, token_admin, f->pmi, token_pmi);
	f->ready = 1;
}

void series_sign_in(const struct series_fx *f, struct browser *b, const char *email)
{
	fx_sign_in(b, email, fx_org_path(f->arras, f->table, "/new"));
}

void series_check_signed_out(const struct series_fx *f)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "")), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in?return_to=", 25) == 0);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/new")), 302);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/%s", f->social_item)), 302);
	browser_free(&b);
}

void series_check_other_organisation(const struct series_fx *f)
{
	struct browser b;
	series_sign_in(f, &b, FX_PMI);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->lens, f->table, "")), 404);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->lens, f->table, "/new")), 404);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->lens, f->table, "/%s", f->lens_item)), 404);
	browser_free(&b);
	/* a Lens series under the Arras path does not exist either, even for an admin */
	series_sign_in(f, &b, FX_ADMIN_ARRAS);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/%s", f->lens_item)), 404);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/%s/edit", f->lens_item)), 404);
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(f->arras, f->table, "/%s/delete", f->lens_item), "", 1), 404);
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(f->lens, f->table, ""), "title=x", 1), 404);
	fx_sql_is("1", "SELECT count(*) FROM %s WHERE id = %s", f->table, f->lens_item);
	browser_free(&b);
}

void series_check_other_agent(const struct series_fx *f, const char *create_form)
{
	struct browser b;
	series_sign_in(f, &b, FX_PMI);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/%s", f->social_item)), 404);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/%s/edit", f->social_item)), 404);
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(f->arras, f->table, "/%s/delete", f->social_item), "", 1), 404);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "?agent_id=%s", f->social)), 404);
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(f->arras, f->table, ""), create_form, 1), 403);
	fx_sql_is("1", "SELECT count(*) FROM %s WHERE id = %s", f->table, f->social_item);
	browser_free(&b);
	series_sign_in(f, &b, FX_ADMIN_ARRAS);
	CU_ASSERT_EQUAL(browser_get(&b, fx_org_path(f->arras, f->table, "/%s", f->social_item)), 200);
	CU_ASSERT(browser_body_has(&b, "Karima Benali"));
	browser_free(&b);
}
