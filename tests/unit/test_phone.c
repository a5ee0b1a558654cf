/* test_phone.c - French phone numbers: the ways people type them, the
 * overseas départements, the refusals, mobiles and the display form. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "phone.h"
#include "rdv.h"

static void test_normalize_metropole(void)
{
	static const struct { const char *in, *e164; } ok[] = {
		{"06 12 34 56 78", "+33612345678"},
		{"06.12.34.56.78", "+33612345678"},
		{"06-12-34-56-78", "+33612345678"},
		{"0612345678", "+33612345678"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"+33612345678", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "+33612345678"},
		{"+33(0)612345678", "+33612345678"},
		{"+33 06 12 34 56 78", "+33612345678"},    /* the common slip */
		{"0033612345678", "+33612345678"},
		{"00 33 6 12 34 56 78", "+33612345678"},
		{"0033 (0)6 12 34 56 78", "+33612345678"},
		{"07 98 76 54 32", "+33798765432"},
		{"01 40 20 50 50", "+33140205050"},
		{"05 56 00 66 00", "+33556006600"},
		{"09 70 00 00 00", "+33970000000"},
		{"0800 00 00 00", "+33800000000"},
		{"06\xc2\xa0" "12\xe2\x80\xaf" "34 56 78", "+33612345678"},  /* no-break spaces */
		{" 06 12 34 56 78 ", "+33612345678"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char out[PHONE_E164_SIZE] = "junk";
		const char *msg = NULL;
		CU_ASSERT_EQUAL(phone_normalize(ok[i].in, out, &msg), 0);
		CU_ASSERT_STRING_EQUAL(out, ok[i].e164);
		CU_ASSERT_PTR_NULL(msg);
	}
}

static void test_normalize_overseas(void)
{
	static const struct { const char *in, *e164; } ok[] = {
		{"0590 12 34 56", "+590590123456"},        /* Guadeloupe */
		{"0690 12 34 56", "+590690123456"},
		{"0691 12 34 56", "+590691123456"},
		{"+590 690 12 34 56", "+590690123456"},
		{"+590 (0)690 12 34 56", "+590690123456"},
		{"00590690123456", "+590690123456"},
		{"+33 6 90 12 34 56", "+590690123456"},    /* written under +33: one canonical form */
		{"0596 12 34 56", "+596596123456"},        /* Martinique */
		{"0696 12 34 56", "+596696123456"},
		{"+596 697 12 34 56", "+596697123456"},
		{"0594 12 34 56", "+594594123456"},        /* Guyane */
		{"06 94 12 34 56", "+594694123456"},
		{"0262 12 34 56", "+262262123456"},        /* La Réunion */
		{"0692 12 34 56", "+262692123456"},
		{"0693 12 34 56", "+262693123456"},
		{"+262 692 12 34 56", "+262692123456"},
		{"0269 12 34 56", "+262269123456"},        /* Mayotte */
		{"0639 12 34 56", "+262639123456"},
		{"+262 639 12 34 56", "+262639123456"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char out[PHONE_E164_SIZE];
		CU_ASSERT_EQUAL(phone_normalize(ok[i].in, out, NULL), 0);
		CU_ASSERT_STRING_EQUAL(out, ok[i].e164);
	}
}

static void test_normalize_rejects(void)
{
	const char *bad[] = {
		"", "   ", "06 12 34 56",               /* too short */
		"06 12 34 56 789",                      /* too long */
		"05 56 00 66", "05 56 00 66 00 0",      /* 05 with the wrong length */
		"0612345a78", "06 12 34 56 7B", "tel: 0612345678", "06 12 34 56 78 (portable)",
		"+44 20 7946 0958", "+442079460958", "0044 20 7946 0958", "+1 202 555 0123",
		"+49 30 123456", "+32 2 123 45 67",
		"+33 6 12 34 56", "+33 6 12 34 56 789", "+33 0 12 34 56 78", "+330612345678 9",
		"00 12 34 56 78", "0012345678",         /* 00 is no area */
		"+590 612 34 56 78", "+590 590 12 34", "+262 612 345 678", "+596 590 12 34 56",
		"+594 690 12 34 56",                    /* Guadeloupe prefix under Guyane */
		"(0)6 12 34 56 78", "+33 (6) 12 34 56 78", "+(0)33 6 12 34 56 78",
		"0(0)0336 12 34 56 78", "+33 (0)(0)6 12 34 56 78", "+33 6 (0)12 34 56 78",
		"+33 (0) 06 12 34 56 78", "++33612345678", "33 6 12 34 56 78", "06+12345678",
		"3631", "112", "06_12_34_56_78", "0\xc3", "06 12 34 56 78 0000000000000000000000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[PHONE_E164_SIZE] = "junk";
		const char *msg = NULL;
		int rc = phone_normalize(bad[i], out, &msg);
		CU_ASSERT_EQUAL(rc, RDV_EINVAL);
		if (rc != RDV_EINVAL)
			fprintf(stderr, "\naccepted: \"%s\" -> %s\n", bad[i], out);
		CU_ASSERT_STRING_EQUAL(out, "");
		CU_ASSERT_STRING_EQUAL(msg, "Le numéro de téléphone n'est pas valide.");
	}
	char out[PHONE_E164_SIZE];
	CU_ASSERT_EQUAL(phone_normalize(NULL, out, NULL), RDV_EINVAL);
}

static void test_is_mobile(void)
{
	CU_ASSERT_EQUAL(phone_is_mobile("+33612345678"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+33798765432"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+33140205050"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+33800000000"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+33970000000"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+590690123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+590691123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+590590123456"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+596696123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+596697123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+596596123456"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+594694123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+594594123456"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+262692123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+262693123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+262639123456"), 1);
	CU_ASSERT_EQUAL(phone_is_mobile("+262262123456"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+262269123456"), 0);
	/* a mobile range under another zone's code is not ours */
	CU_ASSERT_EQUAL(phone_is_mobile("+594690123456"), 0);
	/* not E.164 numbers of ours */
	CU_ASSERT_EQUAL(phone_is_mobile("0612345678"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+3361234567"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+336123456789"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+447911123456"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile("+33 612345678"), 0);
	CU_ASSERT_EQUAL(phone_is_mobile(""), 0);
	CU_ASSERT_EQUAL(phone_is_mobile(NULL), 0);
}

static void test_format_national(void)
{
	char out[PHONE_NATIONAL_SIZE];
	phone_format_national("+33612345678", out);
	CU_ASSERT_STRING_EQUAL(out, "06 12 34 56 78");
	phone_format_national("+33140205050", out);
	CU_ASSERT_STRING_EQUAL(out, "01 40 20 50 50");
	phone_format_national("+590690123456", out);
	CU_ASSERT_STRING_EQUAL(out, "06 90 12 34 56");
	phone_format_national("+262269123456", out);
	CU_ASSERT_STRING_EQUAL(out, "02 69 12 34 56");
	/* round trip: what we display parses back to the same number */
	const char *numbers[] = {"+33798765432", "+596596123456", "+262639123456"};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		char e164[PHONE_E164_SIZE];
		phone_format_national(numbers[i], out);
		CU_ASSERT_EQUAL(phone_normalize(out, e164, NULL), 0);
		CU_ASSERT_STRING_EQUAL(e164, numbers[i]);
	}
	/* anything else is shown as is, bounded */
	phone_format_national("+442079460958", out);
	CU_ASSERT_STRING_EQUAL(out, "+442079460958");
	phone_format_national("+4420794609581234567890", out);
	CU_ASSERT_EQUAL(strlen(out), PHONE_NATIONAL_SIZE - 1);
	CU_ASSERT_EQUAL(strncmp(out, "+4420794609581234567", PHONE_NATIONAL_SIZE - 1), 0);
	phone_format_national(NULL, out);
	CU_ASSERT_STRING_EQUAL(out, "");
}

void register_phone_suite(void)
{
	CU_pSuite s = CU_add_suite("phone", NULL, NULL);
	CU_add_test(s, "metropolitan numbers", test_normalize_metropole);
	CU_add_test(s, "overseas départements", test_normalize_overseas);
	CU_add_test(s, "refusals", test_normalize_rejects);
	CU_add_test(s, "mobiles", test_is_mobile);
	CU_add_test(s, "national display", test_format_national);
}
