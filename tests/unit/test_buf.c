/* test_buf.c - arena and buf: growth, escaping, CSV quoting. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

static void test_arena_basic(void)
{
	struct arena *a = arena_new(1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	char *s = arena_printf(a, "%s-%d", "x", 42);
	CU_ASSERT_STRING_EQUAL(s, "x-42");
	/* a block larger than the chunk gets its own chunk */
	char *big = arena_alloc(a, 100000);
	CU_ASSERT_PTR_NOT_NULL(big);
	memset(big, 'a', 100000);
	CU_ASSERT_EQUAL((uintptr_t)arena_alloc(a, 3) % 16, 0);
	CU_ASSERT(arena_used(a) >= 100000);
	arena_reset(a);
	CU_ASSERT_EQUAL(arena_used(a), 0);
	CU_ASSERT_PTR_NULL(arena_strdup(a, NULL));
	CU_ASSERT_STRING_EQUAL(arena_strndup(a, "abcdef", 3), "abc");
	CU_ASSERT_PTR_NULL(arena_calloc(a, (size_t)-1, 16));
	arena_free(a);
}

static void test_buf_grow(void)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(buf_printf(&b, "%04d", i), 0);
	CU_ASSERT_EQUAL(b.len, 4000);
	CU_ASSERT_EQUAL(strncmp(b.data + 3996, "0999", 4), 0);
	buf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	buf_free(&b);
}

static void test_buf_escapes(void)
{
	struct buf b = BUF_INIT;
	buf_put_html(&b, "<a href=\"x\">&'</a>");
	CU_ASSERT_STRING_EQUAL(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	buf_reset(&b);
	buf_put_url(&b, "é a/b?c=d&e");
	CU_ASSERT_STRING_EQUAL(b.data, "%C3%A9%20a%2Fb%3Fc%3Dd%26e");
	buf_reset(&b);
	buf_put_js(&b, "a\"b\\c\n</script>");
	CU_ASSERT_STRING_EQUAL(b.data, "a\\\"b\\\\c\\n\\u003c/script\\u003e");
	buf_reset(&b);
	buf_put_csv(&b, "plain", ';');
	buf_putc(&b, '|');
	buf_put_csv(&b, "a;b", ';');
	buf_putc(&b, '|');
	buf_put_csv(&b, "say \"hi\"", ';');
	buf_putc(&b, '|');
	buf_put_csv(&b, "=HYPERLINK()", ';');
	CU_ASSERT_STRING_EQUAL(b.data, "plain|\"a;b\"|\"say \"\"hi\"\"\"|\"'=HYPERLINK()\"");
	buf_free(&b);
}

void register_buf_suite(void)
{
	CU_pSuite s = CU_add_suite("buf", NULL, NULL);
	CU_add_test(s, "arena allocation and reset", test_arena_basic);
	CU_add_test(s, "buffer growth", test_buf_grow);
	CU_add_test(s, "escaping appenders", test_buf_escapes);
}
