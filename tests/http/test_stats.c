/*
 * test_stats.c - statistics pages: figures against the data, rights per
 * scope, CSV download, and history kept after RDVs are purged.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static void test_org_stats_match_the_data(void)
{
	test_sql("SELECT stats_refresh(current_date - 730)", NULL, 0);
	struct browser b;
	browser_init(&b);
	long long org = test_org_id("MDS d'Arras");
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, "agent.pmi@demo.rdv-solidarites.fr", NULL), 303);
	char path[128], sql[512], count[32], want[160];
	snprintf(path, sizeof(path), "/export/organisations/%lld/stats?weeks=104", org);
	CU_ASSERT_EQUAL_FATAL(browser_get(&b, path), 200);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rdvs WHERE organisation_id = %lld AND created_at >="
		 " date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - 103 * 7", org);
	test_sql(sql, count, sizeof(count));
	snprintf(want, sizeof(want), "<p class=\"fr-tile__title\">%s</p><p class=\"fr-tile__desc\">RDV créés", count);
	CU_ASSERT(browser_body_has(&b, want));
	CU_ASSERT(browser_body_has(&b, "<svg"));
	CU_ASSERT(browser_body_has(&b, "role=\"img\""));
	CU_ASSERT(browser_body_has(&b, "<caption>RDV créés par statut</caption>"));
	CU_ASSERT(browser_body_has(&b, "Absence non excusée"));
	/* CSV of one dimension: the per-key totals add up to the RDV count */
	snprintf(path, sizeof(path), "/export/organisations/%lld/stats.csv?dimension=origin&weeks=104", org);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	long long total = 0;
	for (char *line = strstr(b.body.data, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n"))
		for (char *cell = strchr(line + 2, ';'); cell != NULL && cell < strstr(line + 2, "\r\n"); cell = strchr(cell + 1, ';'))
			total += atoll(cell + 1);
	CU_ASSERT_EQUAL(total, atoll(count));
	snprintf(path, sizeof(path), "/export/organisations/%lld/stats.csv?dimension=secret", org);
	CU_ASSERT_EQUAL(browser_get(&b, path), 400);
	browser_free(&b);
}

static void test_scopes_and_rights(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/export/stats"), 200);   /* public, whole instance */
	CU_ASSERT(browser_body_has(&b, "toute l&#39;instance"));
	char terr[32], path[128];
	test_sql("SELECT id FROM territories WHERE departement_number = '62'", terr, sizeof(terr));
	snprintf(path, sizeof(path), "/export/territories/%s/stats", terr);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);              /* signed out */
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "agent.pmi@demo.rdv-solidarites.fr", NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, path), 403);
	long long lens = test_org_id("MDS de Lens");
	snprintf(path, sizeof(path), "/export/organisations/%lld/stats", lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "admin.territoire@demo.rdv-solidarites.fr", NULL), 303);
	snprintf(path, sizeof(path), "/export/territories/%s/stats", terr);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Pas-de-Calais"));
	browser_free(&b);
}

static void test_history_survives_purge(void)
{
	/* an old RDV counted in its week, then deleted (as the 2-year purge does):
	 * refreshing recent weeks only keeps the old week's count */
	char org[32], motif[32], before[32], after[32];
	test_sql("SELECT id FROM organisations WHERE name = 'MDS de Béthune'", org, sizeof(org));
	char sql[1024];
	snprintf(sql, sizeof(sql), "SELECT id FROM motifs WHERE organisation_id = %s AND NOT collectif LIMIT 1", org);
	test_sql(sql, motif, sizeof(motif));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO rdvs (organisation_id, motif_id, starts_at, ends_at, status, created_at)"
		 " VALUES (%s, %s, now() - interval '400 days', now() - interval '400 days' + interval '30 minutes',"
		 " 'seen', now() - interval '401 days') RETURNING id", org, motif);
	char id[32];
	test_sql(sql, id, sizeof(id));
	test_sql("SELECT stats_refresh(current_date - 730)", NULL, 0);
	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(value), 0) FROM stats_weekly WHERE organisation_id = %s"
		 " AND dimension = 'total' AND week < current_date - 300", org);
	test_sql(sql, before, sizeof(before));
	char del[128];
	snprintf(del, sizeof(del), "DELETE FROM rdvs WHERE id = %s", id);
	test_sql(del, NULL, 0);
	test_sql("SELECT stats_refresh(current_date - 180)", NULL, 0);
	test_sql(sql, after, sizeof(after));
	CU_ASSERT(atoll(before) >= 1);
	CU_ASSERT_STRING_EQUAL(before, after);
}

void register_stats_http(void)
{
	CU_pSuite s = CU_add_suite("http: stats", NULL, NULL);
	CU_add_test(s, "organisation statistics match the data", test_org_stats_match_the_data);
	CU_add_test(s, "scopes and rights", test_scopes_and_rights);
	CU_add_test(s, "weekly history survives the purge", test_history_survives_purge);
}
