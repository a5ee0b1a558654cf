/*
 * test_address_text.c - normalized text and words of a typed address
 * (lib/address_text): the key of the autocomplete's cache of answers.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "address_text.h"
#include "arena.h"

static void test_norm(void)
{
	struct arena *a = arena_new(4096);
	CU_ASSERT_STRING_EQUAL(address_norm(a, "Rue  Victor-Hugo"), "rue victor hugo");
	CU_ASSERT_STRING_EQUAL(address_norm(a, "Rue  Victor-Hugo"), address_norm(a, "rue victor hugo"));
	CU_ASSERT_STRING_EQUAL(address_norm(a, "rue victor-hugo"), address_norm(a, "RUE Victor-Hugo "));
	CU_ASSERT_STRING_EQUAL(address_norm(a, "  12, rue de l'Église  Liévin "), "12 rue de l eglise lievin");
	CU_ASSERT_STRING_EQUAL(address_norm(a, "12 RUE DE L EGLISE LIEVIN"), "12 rue de l eglise lievin");
	CU_ASSERT_STRING_EQUAL(address_norm(a, " ,;- "), "");
	CU_ASSERT_STRING_NOT_EQUAL(address_norm(a, "rue victor hugo"), address_norm(a, "rue victor hugo 2"));
	arena_free(a);
}

static void test_words(void)
{
	struct arena *a = arena_new(4096);
	struct address_words w;
	CU_ASSERT_EQUAL(address_words(a, "12 rue de leglise lievin commune", &w), 1);
	CU_ASSERT_STRING_EQUAL(w.num, "12");
	CU_ASSERT_EQUAL_FATAL(w.n, 3);
	CU_ASSERT_STRING_EQUAL(w.w[0], "leglise");
	CU_ASSERT_STRING_EQUAL(w.w[1], "commune");
	CU_ASSERT_STRING_EQUAL(w.w[2], "lievin");
	/* a number later in the text is not a house number; short words are dropped */
	CU_ASSERT_EQUAL(address_words(a, "rue gambetta 12", &w), 1);
	CU_ASSERT_STRING_EQUAL(w.num, "");
	CU_ASSERT_EQUAL(w.n, 2);
	CU_ASSERT_EQUAL(address_words(a, "12 de", &w), 0);
	CU_ASSERT_EQUAL(address_words(a, "", &w), 0);
	arena_free(a);
}

void register_address_text_suite(void)
{
	CU_pSuite s = CU_add_suite("address_text", NULL, NULL);
	CU_add_test(s, "normalized text", test_norm);
	CU_add_test(s, "words and house number", test_words);
}
