/*
 * test_answer_cache.c - the bounded LRU of rendered answers under a data
 * version (lib/answer_cache): hit, miss, version change, eviction, size cap,
 * version reading period.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "answer_cache.h"
#include "rdv.h"

/* The answer of key under version, or "" on a miss (static buffer). */
static const char *get(struct answer_cache *c, long long version, const char *key)
{
	static char out[256];
	struct buf b = BUF_INIT;
	int rc = ac_get(c, version, key, &b);
	CU_ASSERT(rc == 0 || rc == 1);
	snprintf(out, sizeof(out), "%s", rc == 1 && b.len ? b.data : "");
	buf_free(&b);
	return out;
}

static void put(struct answer_cache *c, long long version, const char *key, const char *answer)
{
	ac_put(c, version, key, answer, strlen(answer));
}

static void test_hit_and_miss(void)
{
	struct answer_cache c;
	CU_ASSERT_EQUAL_FATAL(ac_init(&c, 8, 4096), 0);
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "rue victor hugo"), "");
	put(&c, 1, "rue victor hugo", "{\"results\":[1]}");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "rue victor hugo"), "{\"results\":[1]}");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "rue victor"), "");
	/* a second store of the key replaces its answer */
	put(&c, 1, "rue victor hugo", "{\"results\":[2]}");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "rue victor hugo"), "{\"results\":[2]}");
	CU_ASSERT_EQUAL(ac_count(&c), 1);
	ac_destroy(&c);
}

static void test_version_change(void)
{
	struct answer_cache c;
	CU_ASSERT_EQUAL_FATAL(ac_init(&c, 8, 4096), 0);
	put(&c, 3, "a", "A3");
	put(&c, 3, "b", "B3");
	/* a newer version drops every answer of the older one */
	CU_ASSERT_STRING_EQUAL(get(&c, 4, "a"), "");
	CU_ASSERT_EQUAL(ac_count(&c), 0);
	CU_ASSERT_STRING_EQUAL(get(&c, 3, "b"), "");
	/* an answer rendered under an older version is not kept */
	put(&c, 3, "a", "A3");
	CU_ASSERT_STRING_EQUAL(get(&c, 4, "a"), "");
	CU_ASSERT_EQUAL(ac_count(&c), 0);
	put(&c, 4, "a", "A4");
	CU_ASSERT_STRING_EQUAL(get(&c, 4, "a"), "A4");
	CU_ASSERT_EQUAL(ac_bytes(&c) > 0, 1);
	ac_destroy(&c);
}

static void test_eviction_least_recently_used(void)
{
	struct answer_cache c;
	CU_ASSERT_EQUAL_FATAL(ac_init(&c, 3, 1 << 16), 0);
	put(&c, 1, "k1", "v1");
	put(&c, 1, "k2", "v2");
	put(&c, 1, "k3", "v3");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "k1"), "v1");   /* k2 is now the least recently used */
	put(&c, 1, "k4", "v4");
	CU_ASSERT_EQUAL(ac_count(&c), 3);
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "k2"), "");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "k1"), "v1");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "k3"), "v3");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "k4"), "v4");
	ac_destroy(&c);
}

static void test_size_cap(void)
{
	struct answer_cache c;
	CU_ASSERT_EQUAL_FATAL(ac_init(&c, 1000, 8 * 200), 0);
	char answer[100], key[16];
	memset(answer, 'x', sizeof(answer) - 1);
	answer[sizeof(answer) - 1] = '\0';
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "key %d", i);
		put(&c, 1, key, answer);
		CU_ASSERT(ac_bytes(&c) <= 8 * 200);
	}
	/* the bytes, not the entries, bound the cache; the newest stays */
	CU_ASSERT(ac_count(&c) < 100);
	CU_ASSERT(ac_count(&c) >= 1);
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "key 99"), answer);
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "key 0"), "");
	/* an answer over an eighth of the cap is never kept */
	char big[256];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(&c, 1, "big", big);
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "big"), "");
	CU_ASSERT_STRING_EQUAL(get(&c, 1, "key 99"), answer);
	ac_destroy(&c);
}

static void test_version_period(void)
{
	struct answer_cache c;
	long long v = -1;
	CU_ASSERT_EQUAL_FATAL(ac_init(&c, 4, 4096), 0);
	CU_ASSERT_EQUAL(ac_version_due(&c, 5000, 1000, &v), 1);   /* never read */
	ac_set_version(&c, 7, 5000);
	CU_ASSERT_EQUAL(ac_version_due(&c, 5999, 1000, &v), 0);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_EQUAL(ac_version_due(&c, 6000, 1000, &v), 1);
	/* a reading older than the cache's version does not move it back */
	put(&c, 7, "a", "A7");
	ac_set_version(&c, 6, 6000);
	CU_ASSERT_EQUAL(ac_version_due(&c, 6001, 1000, &v), 0);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_STRING_EQUAL(get(&c, 7, "a"), "A7");
	/* a newer reading drops the answers */
	ac_set_version(&c, 8, 7000);
	CU_ASSERT_EQUAL(ac_count(&c), 0);
	ac_destroy(&c);
}

void register_answer_cache_suite(void)
{
	CU_pSuite s = CU_add_suite("answer_cache", NULL, NULL);
	CU_add_test(s, "hit and miss", test_hit_and_miss);
	CU_add_test(s, "version change", test_version_change);
	CU_add_test(s, "eviction of the least recently used", test_eviction_least_recently_used);
	CU_add_test(s, "size cap", test_size_cap);
	CU_add_test(s, "version reading period", test_version_period);
}
