/*
 * buf.h - growable byte buffer (the redis sds idea, as a plain struct).
 *
 * A struct buf owns its data (malloc'd); buf_free() releases it, buf_reset()
 * empties it but keeps the memory for the next request. data is always
 * NUL-terminated when len > 0 or after any append. Appends return 0 or
 * RDV_ENOMEM; after a failure the buffer keeps its previous content and
 * remembers the failure in .oom so a long render can check once at the end.
 */
#ifndef RDV_BUF_H
#define RDV_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* malloc'd, owned */
	size_t len;
	size_t cap;
	int oom;      /* set by a failed append */
};

#define BUF_INIT {NULL, 0, 0, 0}

int buf_append(struct buf *b, const char *s, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Escaping appenders shared by templates, JSON-free HTML and CSV. */
int buf_put_html(struct buf *b, const char *s);       /* & < > " ' → entities */
int buf_put_url(struct buf *b, const char *s);        /* RFC 3986 percent-encoding */
int buf_put_js(struct buf *b, const char *s);         /* inside a JS/JSON string literal */
int buf_put_csv(struct buf *b, const char *s, char sep); /* one CSV field, quoted when needed */

#endif
