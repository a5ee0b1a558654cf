/*
 * test_sector.c - the zones CSV parser and the sectorisation validators
 * (lib/sector): pure functions, no database.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "rdv.h"
#include "sector.h"

static struct sector_csv_result parse(struct arena *a, const char *text, const char *dep)
{
	struct sector_csv_result r;
	int rc = sector_zones_csv_parse(a, text, strlen(text), dep, &r);
	CU_ASSERT(rc == 0 || rc == RDV_ETOOBIG);
	return r;
}

static void test_good_file(void)
{
	struct arena *a = arena_new(4096);
	struct sector_csv_result r = parse(a,
		"\xEF\xBB\xBFsector_id;city_name;city_code;street_name;street_code\r\n"
		"arras-centre;Arras;62041;;\r\n"
		"arras-sud;Arras;62041;Rue Ronville;62041_0740\r\n"
		"\r\n"
		"lens;\"Liévin\";62510;;\r\n", "62");
	CU_ASSERT_EQUAL(r.n_errors, 0);
	CU_ASSERT_EQUAL_FATAL(r.n_rows, 3);
	CU_ASSERT_STRING_EQUAL(r.rows[0].sector_human_id, "arras-centre");
	CU_ASSERT_STRING_EQUAL(r.rows[0].city_code, "62041");
	CU_ASSERT_PTR_NULL(r.rows[0].street_ban_id);
	CU_ASSERT_EQUAL(r.rows[0].line, 2);
	CU_ASSERT_STRING_EQUAL(r.rows[1].street_ban_id, "62041_0740");
	CU_ASSERT_STRING_EQUAL(r.rows[1].street_name, "Rue Ronville");
	CU_ASSERT_STRING_EQUAL(r.rows[2].city_name, "Liévin");
	CU_ASSERT_EQUAL(r.rows[2].line, 5);
	arena_free(a);
}

static void test_comma_and_order_and_export_columns(void)
{
	struct arena *a = arena_new(4096);
	/* our own export: sector_name first, ";"; a comma file with columns reordered */
	struct sector_csv_result r = parse(a,
		"sector_name;sector_id;city_code;city_name;street_name;street_code\n"
		"Arras centre;arras-centre;62041;Arras;Rue Gambetta;62041_0460\n", "62");
	CU_ASSERT_EQUAL(r.n_errors, 0);
	CU_ASSERT_EQUAL(r.n_rows, 1);
	r = parse(a, "city_code,sector_id\n62041,arras-centre\n62753,\"arras-sud\"\n", NULL);
	CU_ASSERT_EQUAL(r.n_errors, 0);
	CU_ASSERT_EQUAL_FATAL(r.n_rows, 2);
	CU_ASSERT_STRING_EQUAL(r.rows[1].sector_human_id, "arras-sud");
	CU_ASSERT_STRING_EQUAL(r.rows[1].city_name, "");
	arena_free(a);
}

static int has_error(const struct sector_csv_result *r, int line, const char *part)
{
	for (size_t i = 0; i < r->n_errors; i++)
		if (r->errors[i].line == line && strstr(r->errors[i].message, part) != NULL)
			return 1;
	return 0;
}

static void test_every_bad_line(void)
{
	struct arena *a = arena_new(4096);
	struct sector_csv_result r = parse(a,
		"sector_id;city_code;street_code\n"
		";62041;\n"                       /* 2: no sector */
		"Arras Centre;62041;\n"           /* 3: bad human id */
		"arras;;\n"                       /* 4: no city */
		"arras;6204;\n"                   /* 5: bad city */
		"arras;59350;\n"                  /* 6: other département */
		"arras;62041;62042_0420\n"        /* 7: street of another commune */
		"arras;62041\n"                   /* 8: column count */
		"arras;\"62041;\n"                /* 9: unterminated quote */
		"arras;62041;\n"                  /* good, line 10 */
		"arras;62041;\n"                  /* 11: duplicate of 10 */
		"arras;62041;62041_0420\n",       /* good, line 12 */
		"62");
	CU_ASSERT_EQUAL(r.n_rows, 2);
	CU_ASSERT(has_error(&r, 2, "sector_id"));
	CU_ASSERT(has_error(&r, 3, "invalide"));
	CU_ASSERT(has_error(&r, 4, "manquant"));
	CU_ASSERT(has_error(&r, 5, "Code commune"));
	CU_ASSERT(has_error(&r, 6, "département 62"));
	CU_ASSERT(has_error(&r, 7, "62041_"));
	CU_ASSERT(has_error(&r, 8, "colonnes"));
	CU_ASSERT(has_error(&r, 9, "Guillemets"));
	CU_ASSERT(has_error(&r, 11, "ligne 10"));
	CU_ASSERT_EQUAL(r.n_errors, 9);
	arena_free(a);
}

static void test_file_level_errors(void)
{
	struct arena *a = arena_new(4096);
	struct sector_csv_result r = parse(a, "", NULL);
	CU_ASSERT_EQUAL(r.n_rows, 0);
	CU_ASSERT(has_error(&r, 0, "vide"));
	r = parse(a, "secteur;commune\nx;62041\n", NULL);
	CU_ASSERT(has_error(&r, 1, "sector_id"));
	CU_ASSERT_EQUAL(r.n_rows, 0);
	r = parse(a, "sector_id;city_code;sector_id\n", NULL);
	CU_ASSERT(has_error(&r, 1, "deux fois"));
	/* invalid UTF-8 (Latin-1 "é") */
	r = parse(a, "sector_id;city_code;city_name\nx;62041;B\xe9thune\n", NULL);
	CU_ASSERT(has_error(&r, 0, "UTF-8"));
	CU_ASSERT_EQUAL(r.n_rows, 0);
	/* a NUL byte in the middle */
	static const char nul[] = "sector_id;city_code\nx;62\0" "041\n";
	CU_ASSERT_EQUAL(sector_zones_csv_parse(a, nul, sizeof(nul) - 1, NULL, &r), 0);
	CU_ASSERT_EQUAL(r.n_rows, 0);
	CU_ASSERT_EQUAL(r.n_errors, 1);
	/* NULL buffer */
	CU_ASSERT_EQUAL(sector_zones_csv_parse(a, NULL, 10, NULL, &r), 0);
	CU_ASSERT(has_error(&r, 0, "vide"));
	arena_free(a);
}

static void test_quotes(void)
{
	struct arena *a = arena_new(4096);
	struct sector_csv_result r = parse(a,
		"sector_id;city_code;city_name\n"
		"x;62041;\"Arras \"\"centre\"\"\"\n"
		"y;62041;\"sur\ndeux lignes\"\n"
		"z;62041;ok\n", NULL);
	/* a quoted field does not span lines: line 3 and line 4 are both bad */
	CU_ASSERT_EQUAL_FATAL(r.n_rows, 2);
	CU_ASSERT_STRING_EQUAL(r.rows[0].city_name, "Arras \"centre\"");
	CU_ASSERT(has_error(&r, 3, "Guillemets"));
	CU_ASSERT(has_error(&r, 4, "Guillemets") || has_error(&r, 4, "colonnes"));
	CU_ASSERT_EQUAL(r.rows[1].line, 5);
	/* text after a closing quote */
	r = parse(a, "sector_id;city_code\n\"x\"y;62041\n", NULL);
	CU_ASSERT(has_error(&r, 2, "Guillemets"));
	arena_free(a);
}

static void test_too_many_rows(void)
{
	struct arena *a = arena_new(1 << 16);
	size_t n = (SECTOR_CSV_MAX_ROWS + 2) * 12 + 32;
	char *big = arena_alloc(a, n);
	size_t len = (size_t)snprintf(big, n, "sector_id;city_code\n");
	for (int i = 0; i <= SECTOR_CSV_MAX_ROWS; i++)
		len += (size_t)snprintf(big + len, n - len, "s%d;62041\n", i % 10);
	struct sector_csv_result r;
	CU_ASSERT_EQUAL(sector_zones_csv_parse(a, big, len, NULL, &r), RDV_ETOOBIG);
	CU_ASSERT_EQUAL(r.n_rows, 0);
	CU_ASSERT(has_error(&r, 0, "50 000"));
	arena_free(a);
}

static void test_validators(void)
{
	CU_ASSERT(sector_valid_human_id("arras-centre_2"));
	CU_ASSERT(!sector_valid_human_id("Arras"));
	CU_ASSERT(!sector_valid_human_id(""));
	CU_ASSERT(!sector_valid_human_id(NULL));
	CU_ASSERT(sector_valid_city_code("62041"));
	CU_ASSERT(sector_valid_city_code("2A004"));
	CU_ASSERT(!sector_valid_city_code("2C004"));
	CU_ASSERT(!sector_valid_city_code("620411"));
	CU_ASSERT(sector_valid_street_id("62041_0420", "62041"));
	CU_ASSERT(sector_valid_street_id("62041_b042", "62041"));
	CU_ASSERT(!sector_valid_street_id("62041_04", "62041"));
	CU_ASSERT(!sector_valid_street_id("62041-0420", "62041"));
	CU_ASSERT(!sector_valid_street_id("62041_04 0", "62041"));
}

void register_sector_suite(void)
{
	CU_pSuite s = CU_add_suite("sector", NULL, NULL);
	CU_add_test(s, "zones CSV: good file", test_good_file);
	CU_add_test(s, "zones CSV: separators, column order, export columns", test_comma_and_order_and_export_columns);
	CU_add_test(s, "zones CSV: every kind of bad line", test_every_bad_line);
	CU_add_test(s, "zones CSV: file-level errors", test_file_level_errors);
	CU_add_test(s, "zones CSV: quotes", test_quotes);
	CU_add_test(s, "zones CSV: too many rows", test_too_many_rows);
	CU_add_test(s, "validators", test_validators);
}
