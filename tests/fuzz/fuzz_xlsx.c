/*
 * fuzz_xlsx.c - libFuzzer target: the XLSX writer's cell text (xlsx_put_text)
 * and a sheet of the bytes cut into cells. Whatever the bytes, the text must
 * be well-formed XML character data: valid UTF-8 without U+FFFE/U+FFFF, no
 * control character but tab and newline, no raw < > ", every & an entity;
 * and the writer must finish the file without error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

static size_t entity(const char *p)
{
	static const char *const known[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#13;"};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strncmp(p, known[i], strlen(known[i])) == 0)
			return strlen(known[i]);
	return 0;
}

static void check_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		if (c == '&') {
			size_t n = entity((const char *)p);
			if (n == 0)
				abort();
			p += n;
		} else if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n') || c == '<' || c == '>' || c == '"')
				abort();
			p++;
		} else {
			size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
			if (n == 0 || (size_t)(end - p) < n)
				abort();
			uint32_t cp = c & (0x7F >> n);
			for (size_t i = 1; i < n; i++) {
				if ((p[i] & 0xC0) != 0x80)
					abort();
				cp = cp << 6 | (p[i] & 0x3F);
			}
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF ||
			    (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
				abort();
			p += n;
		}
	}
}

static int discard(void *arg, const char *data, size_t len)
{
	*(size_t *)arg += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct buf b = BUF_INIT;
	if (xlsx_put_text(&b, s) == 0 && b.len > 0)
		check_text(b.data, b.len);
	buf_free(&b);
	/* cells: the suffixes of the input every 7 bytes, the first column numeric */
	const char *cells[8];
	int n = 0;
	for (size_t i = 0; i < size && n < 8; i += 7)
		cells[n++] = s + i;
	size_t written = 0;
	struct xlsx_writer w;
	if (xlsx_begin(&w, "Export", discard, &written) == 0)
		xlsx_row(&w, cells, n, 0, 1);
	if (xlsx_end(&w) != 0 || written == 0)
		abort();
	free(s);
	return 0;
}
