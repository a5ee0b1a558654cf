/*
 * webhook.c - HMAC signatures and delivery of webhooks (webhook.h).
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "rdv.h"
#include "webhook.h"

void webhook_sign(const char *secret, const char *body, size_t len, char out[WEBHOOK_SIG_HEX])
{
	/* the _init/_update/_final API takes keys of any length (crypto_auth_hmacsha256 wants 32 bytes) */
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, WEBHOOK_SIG_HEX, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

int webhook_verify(const char *secret, const char *body, size_t len, const char *sig)
{
	char want[WEBHOOK_SIG_HEX], got[WEBHOOK_SIG_HEX];
	if (sig == NULL || strlen(sig) != WEBHOOK_SIG_HEX - 1)
		return 0;
	webhook_sign(secret, body, len, want);
	for (size_t i = 0; i < WEBHOOK_SIG_HEX; i++)
		got[i] = (char)(sig[i] >= 'A' && sig[i] <= 'F' ? sig[i] + 32 : sig[i]);
	return sodium_memcmp(want, got, WEBHOOK_SIG_HEX - 1) == 0;
}

static size_t webhook_discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p; (void)ud;
	return size * n;
}

int webhook_post(const char *url, const char *secret, const char *body, size_t len, long *status,
		 char *err, size_t errlen)
{
	*status = 0;
	char sig[WEBHOOK_SIG_HEX], hdr[128];
	webhook_sign(secret, body, len, sig);
	snprintf(hdr, sizeof(hdr), "X-Lapin-Signature: %s", sig);
	CURL *c = curl_easy_init();
	if (c == NULL)
		return RDV_ENOMEM;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rdv-solidarites-webhook");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_discard);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(cc));
		return RDV_EUNAVAIL;
	}
	if (*status < 200 || *status > 299) {
		snprintf(err, errlen, "HTTP %ld", *status);
		return RDV_EUNAVAIL;
	}
	return 0;
}
