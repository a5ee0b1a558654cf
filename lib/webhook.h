/*
 * webhook.h - signed webhook deliveries (../shared/api.md "Webhooks").
 *
 * A delivery is a POST of the raw JSON body with
 *   Content-Type: application/json; charset=utf-8
 *   X-Lapin-Signature: lowercase hex HMAC-SHA256(endpoint secret, raw body)
 * answered 2xx within 10 s; anything else is retried by the worker.
 * The secret may have any length (HMAC hashes keys longer than a block).
 * Nothing here allocates beyond the call; callers own their buffers.
 */
#ifndef RDV_WEBHOOK_H
#define RDV_WEBHOOK_H

#include <stddef.h>

#define WEBHOOK_SIG_HEX 65   /* 64 hex digits + NUL */

/* HMAC-SHA256 of body with secret, as lowercase hex. */
void webhook_sign(const char *secret, const char *body, size_t len, char out[WEBHOOK_SIG_HEX]);

/* 1 when sig (hex, any case) is the signature of body (constant time). */
int webhook_verify(const char *secret, const char *body, size_t len, const char *sig);

/* POSTs body to url. 0 on 2xx, else a negative code with err set ("HTTP 500",
 * or the transport error); *status gets the HTTP status (0 if none). */
int webhook_post(const char *url, const char *secret, const char *body, size_t len, long *status,
		 char *err, size_t errlen);

#endif
