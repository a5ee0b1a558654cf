/*
 * sms.h - SMS text and delivery.
 *
 * Text: messages are ASCII-folded ("é" → "e", "œ" → "oe", typographic quotes
 * and dashes → ASCII), whitespace collapsed, and checked against the GSM 03.38
 * alphabet so that one message of up to 160 characters is billed as ONE SMS
 * (a single "é" outside GSM-7 would switch to UCS-2 and 70 characters).
 * sms_build() renders templates/sms/<name>.tmpl at decreasing levels of detail
 * (variable "detail" = 3, 2, 1, 0: the template drops the phone number, then
 * the address, …) and keeps the first rendering that fits one segment.
 *
 * Delivery adapters, chosen by RDV_SMS_ADAPTER:
 *   "log"  (default) appends "<UTC time> to=<E.164> from=<sender> segments=<n> <text>"
 *          to $RDV_STATE/log/sms.log — the development sink, like var/mail/.
 *   "http" POST to RDV_SMS_URL with headers
 *              Authorization: Bearer <RDV_SMS_KEY>
 *              Content-Type: application/json
 *          and body {"to": "+33612345678", "from": "<sender, ≤ 11 chars>",
 *                    "text": "<GSM-7 text>", "reference": "<outbox id>"}.
 *          Any 2xx answer is a success; 4xx is permanent (not retried), other
 *          answers and transport errors are retried by the worker. A provider
 *          with another format gets a small proxy or a new adapter here.
 *
 * Strings out of sms_* go to caller buffers; nothing to free but struct buf.
 */
#ifndef RDV_SMS_H
#define RDV_SMS_H

#include <stddef.h>

#include "buf.h"
#include "tmpl.h"

#define SMS_SEGMENT 160

/* ASCII-folds UTF-8 text into out (replaced, not appended), collapsing runs of
 * white space into one space and trimming. Characters with no folding become '?'. */
int sms_fold(const char *in, struct buf *out);
/* 1 if every byte of s is in the GSM 03.38 basic set or its extension table. */
int sms_is_gsm7(const char *s);
/* GSM-7 septets of s (extension characters ^{}\[~]| and € count 2). */
size_t sms_gsm7_length(const char *s);
/* Billed segments: GSM-7 ≤ 160 → 1, else 153 per segment; non-GSM (UCS-2)
 * ≤ 70 → 1, else 67 per segment (counted in characters). */
int sms_segments(const char *s);

/* Renders sms/<name>.tmpl with vars (whose "detail" it sets) into out, folded.
 * Returns the segment count (≥ 1) or a negative rdv_err. */
int sms_build(const struct tmpl_set *set, const char *name, struct tmpl_vars *vars, struct buf *out);

/* Sends text to the E.164 number. reference: our id, echoed to the provider.
 * Returns 0, or a negative code with err filled (1 in *permanent when a retry
 * cannot help). Reads RDV_SMS_ADAPTER, RDV_SMS_URL, RDV_SMS_KEY, RDV_STATE. */
int sms_send(const char *to, const char *sender, const char *text, const char *reference,
	     char *err, size_t errlen, int *permanent);

#endif
