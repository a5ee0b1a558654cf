/*
 * buf.c - growable byte buffer and the escaping appenders every output path
 * uses (HTML, URL, JS string, CSV field).
 */
#include "buf.h"
#include "rdv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > ((size_t)-1) / 2)
			goto oom;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (p == NULL)
		goto oom;
	b->data = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = 1;
	return RDV_ENOMEM;
}

int buf_append(struct buf *b, const char *s, size_t n)
{
	if (buf_grow(b, n) != 0)
		return RDV_ENOMEM;
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return s == NULL ? 0 : buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return RDV_EINVAL;
	if (buf_grow(b, (size_t)n) != 0)
		return RDV_ENOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

int buf_put_html(struct buf *b, const char *s)
{
	if (s == NULL)
		return 0;
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buf_append(b, run, (size_t)(s - run)) || buf_puts(b, rep))
			return RDV_ENOMEM;
		run = s + 1;
	}
	return buf_append(b, run, (size_t)(s - run));
}

int buf_put_url(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (s == NULL)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			if (buf_putc(b, (char)c))
				return RDV_ENOMEM;
		} else {
			char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
			if (buf_append(b, enc, 3))
				return RDV_ENOMEM;
		}
	}
	return 0;
}

int buf_put_js(struct buf *b, const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;
		switch (c) {
		case '"': rc = buf_puts(b, "\\\""); break;
		case '\\': rc = buf_puts(b, "\\\\"); break;
		case '\n': rc = buf_puts(b, "\\n"); break;
		case '\r': rc = buf_puts(b, "\\r"); break;
		case '\t': rc = buf_puts(b, "\\t"); break;
		/* <, >, &, ' are escaped so the literal is safe inside HTML too. */
		case '<': case '>': case '&': case '\'':
			rc = buf_printf(b, "\\u%04x", c);
			break;
		default:
			rc = c < 0x20 ? buf_printf(b, "\\u%04x", c) : buf_putc(b, (char)c);
		}
		if (rc)
			return RDV_ENOMEM;
	}
	return 0;
}

int buf_put_csv(struct buf *b, const char *s, char sep)
{
	if (s == NULL)
		return 0;
	/* A leading = + - @ would make Excel evaluate the cell: prefix a quote. */
	int formula = (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && s[1] != '\0';
	if (!formula && strchr(s, sep) == NULL && strpbrk(s, "\"\r\n") == NULL)
		return buf_puts(b, s);
	if (buf_putc(b, '"') || (formula && buf_putc(b, '\'')))
		return RDV_ENOMEM;
	for (; *s; s++)
		if ((*s == '"' && buf_putc(b, '"')) || buf_putc(b, *s))
			return RDV_ENOMEM;
	return buf_putc(b, '"');
}
