/*
 * mail.h - e-mail messages and their delivery.
 *
 * Building: a MIME message (RFC 5322/2045/2046) with a text and an HTML part
 * (multipart/alternative, quoted-printable, UTF-8), and optionally the RDV's
 * calendar both as a text/calendar alternative (what Outlook and Thunderbird
 * read as an invitation, update or cancellation) and as an invite.ics
 * attachment. The subject and display names are RFC 2047 encoded-words when
 * not plain ASCII. Lines end with CRLF; SMTP dot-stuffing is left to libcurl.
 *
 * Delivery (mail_send), configured from the environment:
 *   RDV_SMTP_URL       smtp://host:587 (STARTTLS) or smtps://host:465; unset: "file" transport
 *   RDV_SMTP_USER, RDV_SMTP_PASSWORD   credentials (with credentials, STARTTLS is required)
 *   RDV_SMTP_TLS       "required", "try" or "none" (default: required with credentials, else try)
 *   RDV_MAIL_FROM      sender address (default "RDV Solidarités <ne-pas-repondre@rdv-solidarites.fr>")
 *   RDV_STATE          the file transport writes <state>/mail/<time>-<id>.eml (the demo's sink)
 *
 * Ownership: everything is appended to caller buffers; nothing to free.
 */
#ifndef RDV_MAIL_H
#define RDV_MAIL_H

#include <stddef.h>

#include "buf.h"

struct mail_msg {
	const char *from;          /* "Name <addr>" or "addr"; NULL: RDV_MAIL_FROM */
	const char *to;            /* bare address */
	const char *to_name;       /* NULL: none */
	const char *subject;       /* UTF-8 */
	const char *text;          /* UTF-8 plain text */
	const char *html;          /* UTF-8 HTML; NULL: text only */
	const char *ics;           /* calendar text; NULL: none */
	const char *ics_method;    /* "REQUEST", "CANCEL" */
	const char *message_id;    /* "<…@…>"; NULL: generated */
	long long date;            /* UTC epoch; 0: now */
};

/* The default sender of the instance. Static string. */
const char *mail_default_from(void);
/* Builds the whole message into out. 0 or RDV_ENOMEM / RDV_EINVAL. */
int mail_build(struct buf *out, const struct mail_msg *m);

/* Appends s as RFC 2047 encoded-words (base64) when it is not plain ASCII. */
int mail_put_header_text(struct buf *out, const char *s);
/* Appends s quoted-printable (RFC 2045), CRLF line ends, lines ≤ 76. */
int mail_put_qp(struct buf *out, const char *s);

/* The bare address of a "Name <addr>" string into out. */
void mail_address_of(const char *from, char *out, size_t n);

/* Sends a built message to one recipient. 0, or a negative code with err set
 * (1 in *permanent for a 5xx answer: the address or the message is refused). */
int mail_send(const char *from_addr, const char *to, const struct buf *msg, char *err, size_t errlen,
	      int *permanent);

#endif
