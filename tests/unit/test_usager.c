/*
 * test_usager.c - lib/usager's pure part (validation: French phone numbers
 * to E.164, e-mail typo fixes, dates, proches without contact details,
 * fields hidden by the territory) and the name key of duplicate detection,
 * in C (valid_normalize_name) and in SQL (rdv_name_key, migration 0008):
 * both must agree or a duplicate would be missed. The SQL part needs
 * DATABASE_URL and is skipped without it.
 */
#include <CUnit/CUnit.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "usager.h"
#include "valid.h"

static struct usager_scope all_fields(void)
{
	struct usager_scope s;
	memset(&s, 0, sizeof(s));
	for (int f = 0; f < UF_COUNT; f++)
		s.show[f] = 1;
	return s;
}

static int validate(struct arena *a, struct usager_input *in, struct usager_errors *err)
{
	struct usager_scope s = all_fields();
	memset(err, 0, sizeof(*err));
	return usager_validate(a, &s, in, err);
}

static void test_phone_normalised(void)
{
	struct arena *a = arena_new(4096);
	static const char *const ok[][2] = {
		{"06 12 34 56 78", "+33612345678"}, {"06.12.34.56.78", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "+33612345678"}, {"0033612345678", "+33612345678"},
		{" 07 81 20 33 14 ", "+33781203314"}, {"03 21 21 62 62", "+33321216262"},
		{"0690 12 34 56", "+590690123456"}, {"+262 692 12 34 56", "+262692123456"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct usager_input in = {.v = {[UF_first_name] = "Jessica", [UF_last_name] = "Lemaire",
						[UF_phone_number] = ok[i][0]}};
		struct usager_errors err;
		CU_ASSERT_EQUAL(validate(a, &in, &err), 0);
		CU_ASSERT_STRING_EQUAL(in.phone_e164, ok[i][1]);
	}
	static const char *const bad[] = {"12345", "3631", "06 12 34 56", "+44 20 7946 0958", "06 12 34 56 78 90",
					  "abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct usager_input in = {.v = {[UF_first_name] = "A", [UF_last_name] = "B", [UF_phone_number] = bad[i]}};
		struct usager_errors err;
		CU_ASSERT_EQUAL(validate(a, &in, &err), 1);
		CU_ASSERT_PTR_NOT_NULL(usager_error_get(&err, "phone_number"));
		CU_ASSERT_STRING_EQUAL(in.phone_e164, "");
	}
	arena_free(a);
}

static void test_email_and_names(void)
{
	struct arena *a = arena_new(4096);
	struct usager_input in = {.v = {[UF_first_name] = "  Jessica ", [UF_last_name] = "Lemaire",
					[UF_email] = " Jess..Lemaire.@Exemple.fr "}};
	struct usager_errors err;
	CU_ASSERT_EQUAL(validate(a, &in, &err), 0);
	CU_ASSERT_STRING_EQUAL(in.v[UF_email], "jess.lemaire@exemple.fr");
	CU_ASSERT_STRING_EQUAL(in.v[UF_first_name], "Jessica");

	struct usager_input bad = {.v = {[UF_first_name] = "", [UF_email] = "pas-une-adresse"}};
	CU_ASSERT_EQUAL(validate(a, &bad, &err), 3);
	CU_ASSERT_STRING_EQUAL(usager_error_get(&err, "first_name"), "Indiquez le prénom.");
	CU_ASSERT_STRING_EQUAL(usager_error_get(&err, "last_name"), "Indiquez le nom.");
	CU_ASSERT_PTR_NOT_NULL(usager_error_get(&err, "email"));
	arena_free(a);
}

static void test_dates_and_enums(void)
{
	struct arena *a = arena_new(4096);
	struct usager_input in = {.v = {[UF_first_name] = "A", [UF_last_name] = "B", [UF_birth_date] = "12/03/1994",
					[UF_caisse_affiliation] = "caf", [UF_number_of_children] = "2",
					[UF_notify_by_sms] = "on"}};
	struct usager_errors err;
	CU_ASSERT_EQUAL(validate(a, &in, &err), 0);
	CU_ASSERT_STRING_EQUAL(in.v[UF_birth_date], "1994-03-12");
	CU_ASSERT_STRING_EQUAL(in.v[UF_notify_by_sms], "1");
	static const char *const bad_dates[] = {"31/02/2000", "2099-01-01", "hier", "1890-05-05"};
	for (size_t i = 0; i < 4; i++) {
		struct usager_input b = {.v = {[UF_first_name] = "A", [UF_last_name] = "B", [UF_birth_date] = bad_dates[i]}};
		CU_ASSERT_EQUAL(validate(a, &b, &err), 1);
		CU_ASSERT_PTR_NOT_NULL(usager_error_get(&err, "birth_date"));
	}
	struct usager_input e = {.v = {[UF_first_name] = "A", [UF_last_name] = "B", [UF_logement] = "chateau",
				       [UF_number_of_children] = "31", [UF_post_code] = "6200"}};
	CU_ASSERT_EQUAL(validate(a, &e, &err), 3);
	arena_free(a);
}

static void test_proche_and_hidden_fields(void)
{
	struct arena *a = arena_new(4096);
	struct usager_input in = {.v = {[UF_first_name] = "Léo", [UF_last_name] = "Demoulin",
					[UF_email] = "leo@exemple.fr", [UF_phone_number] = "pas un numéro",
					[UF_case_number] = "D-42"},
				  .responsible_id = 12};
	struct usager_scope s = all_fields();
	s.show[UF_case_number] = 0;
	struct usager_errors err = {0};
	CU_ASSERT_EQUAL(usager_validate(a, &s, &in, &err), 0);   /* a proche's phone is not read at all */
	CU_ASSERT_STRING_EQUAL(in.v[UF_email], "");
	CU_ASSERT_STRING_EQUAL(in.v[UF_phone_number], "");
	CU_ASSERT_PTR_NULL(in.v[UF_case_number]);                 /* hidden: never written */
	arena_free(a);
}

static const char *const names[][2] = {
	{"Éloïse-Marie D'Arc", "eloisemariedarc"}, {"  LEMAIRE ", "lemaire"}, {"Lemaire", "lemaire"},
	{"Jean-Pierre", "jeanpierre"}, {"jean pierre", "jeanpierre"}, {"Da Silva", "dasilva"},
	{"Traoré", "traore"}, {"Françoise", "francoise"}, {"Œdipe", "oedipe"}, {"Nguyễn", NULL},
	{"L’Hôte", "lhote"}, {"Kaczmarek", "kaczmarek"}, {"Hélène", "helene"}, {"Maël", "mael"},
};

static void test_name_key_c(void)
{
	struct arena *a = arena_new(4096);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i][1] != NULL)
			CU_ASSERT_STRING_EQUAL(valid_normalize_name(a, names[i][0]), names[i][1]);
	arena_free(a);
}

static void test_name_key_sql_agrees(void)
{
	PGconn *conn = PQconnectdb(getenv("DATABASE_URL"));
	CU_ASSERT_EQUAL_FATAL(PQstatus(conn), CONNECTION_OK);
	struct arena *a = arena_new(4096);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i][1] == NULL)
			continue;   /* beyond Latin-1/Extended-A the C key keeps the letter; SQL folds on both sides */
		const char *p[] = {names[i][0]};
		PGresult *r = PQexecParams(conn, "SELECT rdv_name_key($1)", 1, NULL, p, NULL, NULL, 0);
		CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			const char *c_key = valid_normalize_name(a, names[i][0]);
			if (strcmp(PQgetvalue(r, 0, 0), c_key) != 0)
				fprintf(stderr, "name key differs for %s: sql %s, c %s\n", names[i][0], PQgetvalue(r, 0, 0), c_key);
			CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), c_key);
		}
		PQclear(r);
	}
	arena_free(a);
	PQfinish(conn);
}

static void test_phone_masked(void)
{
	struct arena *a = arena_new(4096);
	CU_ASSERT_STRING_EQUAL(usager_phone_masked(a, "+33671234589"), "06 •• •• 45 89");
	CU_ASSERT_STRING_EQUAL(usager_phone_masked(a, "+33321000000"), "03 •• •• 00 00");
	CU_ASSERT_PTR_NULL(usager_phone_masked(a, NULL));
	arena_free(a);
}

void register_usager_suite(void)
{
	CU_pSuite s = CU_add_suite("usager", NULL, NULL);
	CU_add_test(s, "French phone numbers normalised to E.164, bad ones refused", test_phone_normalised);
	CU_add_test(s, "e-mail typos fixed, names trimmed and required", test_email_and_names);
	CU_add_test(s, "birth dates and enumerations", test_dates_and_enums);
	CU_add_test(s, "proches have no contact details; hidden fields untouched", test_proche_and_hidden_fields);
	CU_add_test(s, "name key (C)", test_name_key_c);
	CU_add_test(s, "phones masked in pick lists", test_phone_masked);
	if (getenv("DATABASE_URL") != NULL)
		CU_add_test(s, "name key: SQL rdv_name_key agrees with C", test_name_key_sql_agrees);
}
