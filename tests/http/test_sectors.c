/*
 * test_sectors.c - sectorisation administration: access, secteurs, zones,
 * the zones CSV import (dry run changes nothing, each kind of bad line is
 * reported with its line number, confirmation imports), the export, and
 * "tester une adresse".
 */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

#define TERR_ADMIN "admin.territoire@demo.rdv-solidarites.fr"

static long long terr;

static void sign_in(struct browser *b, const char *email)
{
	terr = test_sql_ll("SELECT id FROM territories WHERE departement_number = '62'");
	fx_sign_in(b, email, "/admin/");   /* the session's CSRF token */
}

/* POSTs the CSV text to the import page (urlencoded). */
static long post_csv(struct browser *b, const char *csv, int confirm)
{
	char p[128];
	snprintf(p, sizeof(p), "/admin/territories/%lld/zones/import", terr);
	char *enc = curl_easy_escape(b->curl, csv, 0);
	size_t n = strlen(enc) + 64;
	char *form = malloc(n);
	snprintf(form, n, "csv=%s%s", enc, confirm ? "&confirm=1" : "&dry_run=1");
	long st = browser_post(b, p, form, 1);
	free(form);
	curl_free(enc);
	return st;
}

static void test_access(void)
{
	struct browser oa, lens, ta;
	sign_in(&oa, "admin.arras@demo.rdv-solidarites.fr");
	sign_in(&lens, "agent.lens@demo.rdv-solidarites.fr");
	sign_in(&ta, TERR_ADMIN);
	char p[128];
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectors", terr);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 403);
	CU_ASSERT_EQUAL(browser_get(&lens, p), 403);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "arras-centre"));
	CU_ASSERT_EQUAL(post_csv(&oa, "sector_id;city_code\narras-centre;62001\n", 1), 403);
	browser_free(&oa);
	browser_free(&lens);
	browser_free(&ta);
}

static void test_sector_crud(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	char p[160];
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectors", terr);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=&human_id=Pas+Bon", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "Le nom du secteur est obligatoire."));
	CU_ASSERT(browser_body_has(&ta, "lettres minuscules"));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Secteur+test&human_id=secteur-test", 1), 303);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "name=Secteur+test+2&human_id=secteur-test", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "déjà cet identifiant"));
	long long id = test_sql_ll("SELECT id FROM sectors WHERE human_id = 'secteur-test'");
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectors/%lld/zones", terr, id);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "city_code=59350", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "département 62"));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "city_code=62041&street_ban_id=62042_0001", 1), 422);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "city_code=62041&street_ban_id=62041_0420", 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM zones z JOIN sectors s ON s.id = z.sector_id WHERE"
			            " s.human_id = 'secteur-test' AND z.street_name = 'Rue Ernestale'"), 1);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "city_code=62041&street_ban_id=62041_0420", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "Cette zone fait déjà partie du secteur."));
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectors/%lld/attributions", terr, id);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "organisation_id=999999", 1), 422);
	char form[128];
	snprintf(form, sizeof(form), "organisation_id=%lld", test_org_id("MDS de Lens"));
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 303);
	CU_ASSERT_EQUAL(browser_post(&ta, p, form, 1), 422);
	CU_ASSERT(browser_body_has(&ta, "Cette attribution existe déjà."));
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectors/%lld/delete", terr, id);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "confirm=1", 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM sectors WHERE human_id = 'secteur-test'"), 0);
	browser_free(&ta);
}

static void test_import_bad_lines_change_nothing(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	long long before = test_sql_ll("SELECT count(*) FROM zones");
	const char *csv =
		"sector_id;city_name;city_code;street_name;street_code\n"
		"lens;Loison;62523;;\n"                /* 2: good */
		";Arras;62041;;\n"                     /* 3: no sector */
		"Lens;Lens;62498;;\n"                  /* 4: bad human id */
		"lens;Lille;59350;;\n"                 /* 5: other département */
		"lens;Lens;624;;\n"                    /* 6: bad code */
		"lens;Lens;62498;Rue;62041_0420\n"     /* 7: street of another commune */
		"lens;Lens\n"                          /* 8: columns */
		"inconnu;Lens;62498;;\n"               /* 9: unknown sector */
		"lens;Loison;62523;;\n";               /* 10: duplicate of 2 */
	CU_ASSERT_EQUAL(post_csv(&ta, csv, 0), 422);
	static const char *const lines[] = {"<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>", "<td>7</td>",
					    "<td>8</td>", "<td>9</td>", "<td>10</td>", NULL};
	for (int i = 0; lines[i]; i++)
		CU_ASSERT(browser_body_has(&ta, lines[i]));
	CU_ASSERT(!browser_body_has(&ta, "<td>2</td>"));
	CU_ASSERT(browser_body_has(&ta, "inconnu dans le territoire"));
	CU_ASSERT(browser_body_has(&ta, "rien n'a été importé"));
	CU_ASSERT(browser_body_has(&ta, "n&#39;est pas dans le département 62"));
	/* even confirmed, a file with errors imports nothing */
	CU_ASSERT_EQUAL(post_csv(&ta, csv, 1), 422);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM zones"), before);
	CU_ASSERT_EQUAL(post_csv(&ta, "", 0), 422);
	CU_ASSERT(browser_body_has(&ta, "vide"));
	CU_ASSERT_EQUAL(post_csv(&ta, "commune;secteur\n62041;x\n", 0), 422);
	CU_ASSERT(browser_body_has(&ta, "sector_id"));
	browser_free(&ta);
}

static void test_import_good_file_dry_run_then_confirm(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	long long before = test_sql_ll("SELECT count(*) FROM zones");
	const char *csv =
		"\xEF\xBB\xBFsector_id;city_name;city_code;street_name;street_code\r\n"
		"lens;Loison-sous-Lens;62523;;\r\n"
		"lens;Lens;62498;;\r\n"                /* exists: update */
		"bethune;Béthune;62119;Rue d'Arras;62119_0030\r\n";
	CU_ASSERT_EQUAL(post_csv(&ta, csv, 0), 200);
	CU_ASSERT(browser_body_has(&ta, "Vérification réussie"));
	CU_ASSERT(browser_body_has(&ta, "2 zone(s) à créer, 1 à mettre à jour"));
	CU_ASSERT(browser_body_has(&ta, "Confirmer l'import"));
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM zones"), before);   /* dry run: nothing */
	CU_ASSERT_EQUAL(post_csv(&ta, csv, 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM zones"), before + 2);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM audit WHERE item_type = 'zone_import'"), 1);
	/* importing again changes nothing more (rows override) */
	CU_ASSERT_EQUAL(post_csv(&ta, csv, 1), 303);
	CU_ASSERT_EQUAL(test_sql_ll("SELECT count(*) FROM zones"), before + 2);
	/* export: header and rows, re-importable */
	char p[128];
	snprintf(p, sizeof(p), "/admin/territories/%lld/zones.csv", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "sector_name;sector_id;city_code;city_name;street_name;street_code"));
	CU_ASSERT(browser_body_has(&ta, "lens;62523;Loison-sous-Lens"));
	char *copy = strdup(ta.body.data);
	CU_ASSERT_EQUAL(post_csv(&ta, copy, 0), 200);
	free(copy);
	browser_free(&ta);
}

static void test_address_tool(void)
{
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	char p[256];
	/* Rue Ronville: street zone of arras-sud and the city zone of arras-centre */
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectorisation_test?address=12+Rue+Ronville+Arras", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	/* a street zone takes precedence over its commune's zone (as the public search) */
	CU_ASSERT(browser_body_has(&ta, "arras-sud"));
	CU_ASSERT(!browser_body_has(&ta, "arras-centre"));
	CU_ASSERT(browser_body_has(&ta, "MDS d&#39;Arras"));
	CU_ASSERT(!browser_body_has(&ta, "Karima Benali"));
	/* a street in no street zone: the commune's sector, with its agent attribution */
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectorisation_test?address=3+Boulevard+Carnot+Arras", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "arras-centre"));
	CU_ASSERT(!browser_body_has(&ta, "arras-sud"));
	CU_ASSERT(browser_body_has(&ta, "Karima Benali"));
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectorisation_test?address=Rue+Basly+Lens", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "MDS de Lens"));
	snprintf(p, sizeof(p), "/admin/territories/%lld/sectorisation_test?address=zzzzzzzz+qqqqqq", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 422);
	CU_ASSERT(browser_body_has(&ta, "Adresse introuvable"));
	browser_free(&ta);
}

void register_sectors_http(void)
{
	CU_pSuite s = CU_add_suite("http: sectors", NULL, NULL);
	CU_add_test(s, "territory admins only", test_access);
	CU_add_test(s, "secteurs, zones, attributions", test_sector_crud);
	CU_add_test(s, "zones import: each bad line reported, nothing changes", test_import_bad_lines_change_nothing);
	CU_add_test(s, "zones import: dry run, confirm, export", test_import_good_file_dry_run_then_confirm);
	CU_add_test(s, "test an address", test_address_tool);
}
