/*
 * fuzz_http.c - libFuzzer target: the request parsers of lib/http (query
 * strings and urlencoded bodies, cookies, percent-decoding, JSON bodies,
 * UTF-8 validation) and the redirect/header guards. Input: the first byte
 * picks the parser, the rest is the data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena *a = arena_new(4096);
	char *s = arena_strndup(a, (const char *)data + 1, size - 1);
	size_t n = size - 1;
	struct kvlist l = {0};
	char *out = NULL;
	switch (data[0] % 6) {
	case 0: http_parse_urlencoded(a, s, n, &l); break;
	case 1: http_parse_cookies(a, s, &l); break;
	case 2: http_percent_decode(a, s, n, data[0] & 0x80, &out); break;
	case 3: {
		json_t *j = NULL;
		if (http_parse_json(s, n, &j) == 0)
			json_decref(j);
		break;
	}
	case 4: utf8_valid(s, n); break;
	case 5: {
		struct http_response r;
		http_response_init(&r);
		http_redirect(&r, 303, s);
		http_add_header(&r, "X-Test", s);
		http_set_cookie(&r, "c", s, "/", 60, COOKIE_HTTPONLY);
		struct buf head = BUF_INIT;
		http_response_head(&r, &head);
		/* a redirect never leaves the site */
		if (head.data != NULL) {
			const char *loc = strstr(head.data, "Location: ");
			if (loc != NULL && (loc[10] != '/' || loc[11] == '/' || loc[11] == '\\'))
				abort();
		}
		buf_free(&head);
		http_response_free(&r);
		break;
	}
	}
	for (size_t i = 0; i < l.n; i++)
		if (!utf8_valid(l.items[i].value, strlen(l.items[i].value)) && data[0] % 6 == 0)
			abort();   /* decoded form values are always valid UTF-8 */
	arena_free(a);
	return 0;
}
