/*
 * address_text.c - normalized text and words of a typed address
 * (address_text.h).
 */
#include <string.h>

#include "address_text.h"
#include "buf.h"
#include "valid.h"

static int is_word_byte(unsigned char ch)
{
	return ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

const char *address_norm(struct arena *a, const char *q)
{
	struct buf b = BUF_INIT;
	for (const char *p = q; *p;) {
		while (*p && !is_word_byte((unsigned char)*p))
			p++;
		const char *s = p;
		while (is_word_byte((unsigned char)*p))
			p++;
		char *w = p > s ? valid_normalize_name(a, arena_strndup(a, s, (size_t)(p - s))) : NULL;
		if (w != NULL && w[0] != '\0') {
			if (b.len > 0)
				buf_putc(&b, ' ');
			buf_puts(&b, w);
		}
	}
	const char *norm = b.oom ? NULL : arena_strdup(a, b.len ? b.data : "");
	buf_free(&b);
	return norm;
}

int address_words(struct arena *a, const char *norm, struct address_words *out)
{
	const char *words[16];
	size_t nw = 0;
	out->num = "";
	out->n = 0;
	for (const char *p = norm; *p && nw < 16;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		const char *w = arena_strndup(a, p, len);
		p += len + (sp != NULL);
		if (w == NULL)
			continue;
		if (nw == 0 && out->num[0] == '\0' && strspn(w, "0123456789") == len && len <= 4)
			out->num = w;
		else if (len >= 3)
			words[nw++] = w;
	}
	/* longest first: the most selective trigrams */
	for (size_t i = 1; i < nw; i++)
		for (size_t j = i; j > 0 && strlen(words[j]) > strlen(words[j - 1]); j--) {
			const char *t = words[j];
			words[j] = words[j - 1];
			words[j - 1] = t;
		}
	for (size_t i = 0; i < nw && i < ADDRESS_MAX_WORDS; i++)
		out->w[out->n++] = words[i];
	return out->n > 0;
}
