/*
 * test_webhook.c - HMAC-SHA256 signatures (RFC 4231 vectors, keys shorter
 * and longer than a block) and their verification.
 */
#include <CUnit/CUnit.h>
#include <sodium.h>
#include <string.h>

#include "webhook.h"

static void test_webhook_rfc4231(void)
{
	char sig[WEBHOOK_SIG_HEX];
	const char *data = "what do ya want for nothing?";
	webhook_sign("Jefe", data, strlen(data), sig);
	CU_ASSERT_STRING_EQUAL(sig, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* test case 6: a 131-byte key is hashed first */
	char key[132];
	memset(key, 0xaa, 131);
	key[131] = '\0';
	const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	webhook_sign(key, d6, strlen(d6), sig);
	CU_ASSERT_STRING_EQUAL(sig, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_webhook_verify(void)
{
	const char *body = "{\"data\":{\"id\":1},\"meta\":{\"model\":\"Rdv\",\"event\":\"created\"}}";
	char sig[WEBHOOK_SIG_HEX];
	webhook_sign("un secret partagé", body, strlen(body), sig);
	CU_ASSERT(webhook_verify("un secret partagé", body, strlen(body), sig));
	for (char *p = sig; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	CU_ASSERT(webhook_verify("un secret partagé", body, strlen(body), sig));   /* any case */
	CU_ASSERT(!webhook_verify("autre secret", body, strlen(body), sig));
	CU_ASSERT(!webhook_verify("un secret partagé", body, strlen(body) - 1, sig));
	CU_ASSERT(!webhook_verify("un secret partagé", body, strlen(body), "abc"));
	CU_ASSERT(!webhook_verify("un secret partagé", body, strlen(body), NULL));
}

static void test_webhook_post_unreachable(void)
{
	long status = -1;
	char err[256] = "";
	CU_ASSERT(webhook_post("http://127.0.0.1:1/hook", "s", "{}", 2, &status, err, sizeof(err)) < 0);
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT(err[0] != '\0');
}

void register_webhook_suite(void)
{
	if (sodium_init() < 0)
		return;
	CU_pSuite s = CU_add_suite("webhook", NULL, NULL);
	CU_add_test(s, "HMAC-SHA256 RFC 4231 vectors", test_webhook_rfc4231);
	CU_add_test(s, "verify", test_webhook_verify);
	CU_add_test(s, "unreachable endpoint is an error", test_webhook_post_unreachable);
}
