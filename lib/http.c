/*
 * http.c - request parsing and response building (see http.h for ownership).
 *
 * Everything here treats its input as hostile: every parser is bounded,
 * every decoded string is checked to be UTF-8 without NUL bytes before a
 * handler can see it, and every header we emit is checked for CR/LF so no
 * caller can split a response. Nothing here keeps state between calls.
 */
#include "http.h"
#include "rdv.h"

#include <stdint.h>
#include <string.h>

/* Past this many pairs a query string or form is an attack, not a form. */
#define HTTP_MAX_PAIRS 1000
/* Same bound for cookies; past it we stop reading rather than fail the
 * request, since a browser may carry junk cookies the user cannot see. */
#define HTTP_MAX_COOKIES 1000

/* ---- small ASCII helpers (never the locale's ctype) ---- */

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 9110 tchar: what a header or cookie name may contain. */
static int is_token_char(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 1;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_token_char((unsigned char)*s))
			return 0;
	return 1;
}

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* 1 when s (NUL-terminated) starts with the media type `type` (any case),
 * followed by its end, parameters or whitespace: "application/json" must not
 * match "application/jsonx". */
static int media_type_is(const char *s, const char *type)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(type);
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || ascii_lower((unsigned char)s[i]) != type[i])
			return 0;
	return s[n] == '\0' || s[n] == ';' || s[n] == ' ' || s[n] == '\t';
}

/* ---- kv lists ---- */

int kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value)
{
	if (key == NULL)
		return RDV_EINVAL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		if (cap < l->cap || cap > SIZE_MAX / sizeof(struct kv))
			return RDV_ENOMEM;
		struct kv *items = arena_alloc(a, cap * sizeof(struct kv));
		if (items == NULL)
			return RDV_ENOMEM;
		/* The old array stays in the arena until reset: cheap, bounded by
		 * doubling to at most as much again as the final array. */
		if (l->n > 0)
			memcpy(items, l->items, l->n * sizeof(struct kv));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n].key = key;
	l->items[l->n].value = value != NULL ? value : "";
	l->n++;
	return 0;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	if (key == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

size_t kv_get_all(const struct kvlist *l, const char *key, const char **out, size_t max)
{
	size_t found = 0;
	if (key == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].key, key) != 0)
			continue;
		if (found < max && out != NULL)
			out[found] = l->items[i].value;
		found++;
	}
	return found;
}

/* ---- UTF-8 and percent-decoding ---- */

/* Length of the well-formed sequence at s[0..n), or 0. The ranges are those
 * of Unicode table 3-7: the narrowed second bytes after E0, ED, F0 and F4 are
 * what exclude overlongs, surrogates and code points past U+10FFFF. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0x01 && c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0; /* NUL, stray continuation, C0/C1 overlong leads, F5+ */
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	if (s == NULL)
		return n == 0;
	while (i < n) {
		size_t len = utf8_seq_len(p + i, n - i);
		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

int http_percent_decode(struct arena *a, const char *s, size_t n, int plus_as_space, char **out)
{
	*out = NULL;
	char *d = arena_alloc(a, n + 1);
	if (d == NULL)
		return RDV_ENOMEM;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 1 < n ? hex_value((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return RDV_EINVAL;
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				return RDV_EINVAL;
			i += 2;
		} else if (c == '+' && plus_as_space)
			c = ' ';
		d[j++] = c;
	}
	d[j] = '\0';
	/* Also catches raw NUL bytes and raw invalid UTF-8 in the input. */
	if (!utf8_valid(d, j))
		return RDV_EINVAL;
	*out = d;
	return 0;
}

/* ---- urlencoded, cookies, JSON ---- */

static int urlencoded_add_pair(struct arena *a, const char *p, size_t len, struct kvlist *out)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq != NULL ? (size_t)(eq - p) : len;
	char *key, *value;
	int rc = http_percent_decode(a, p, klen, 1, &key);
	if (rc != 0)
		return rc;
	if (eq != NULL)
		rc = http_percent_decode(a, eq + 1, len - klen - 1, 1, &value);
	else
		value = "";
	if (rc != 0)
		return rc;
	return kv_add(a, out, key, value);
}

int http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	size_t pairs = 0, i = 0;
	if (s == NULL)
		return 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp != NULL ? (size_t)(amp - s) : n;
		if (end > i) {
			if (++pairs > HTTP_MAX_PAIRS)
				return RDV_ETOOBIG;
			int rc = urlencoded_add_pair(a, s + i, end - i, out);
			if (rc != 0)
				return rc;
		}
		i = end + 1;
	}
	return 0;
}

static int is_cookie_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims [*b, *e) of spaces and then of one pair of surrounding quotes. */
static void cookie_trim(const char **b, const char **e, int unquote)
{
	while (*b < *e && is_cookie_space(**b))
		(*b)++;
	while (*e > *b && is_cookie_space((*e)[-1]))
		(*e)--;
	if (unquote && *e - *b >= 2 && **b == '"' && (*e)[-1] == '"') {
		(*b)++;
		(*e)--;
	}
}

static int cookie_part_ok(const char *b, const char *e)
{
	for (const char *p = b; p < e; p++)
		if (is_ctl((unsigned char)*p))
			return 0;
	return utf8_valid(b, (size_t)(e - b));
}

int http_parse_cookies(struct arena *a, const char *header, struct kvlist *out)
{
	size_t kept = 0;
	if (header == NULL)
		return 0;
	const char *p = header;
	while (*p != '\0' && kept < HTTP_MAX_COOKIES) {
		const char *end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL) {
			const char *kb = p, *ke = eq, *vb = eq + 1, *ve = end;
			cookie_trim(&kb, &ke, 0);
			cookie_trim(&vb, &ve, 1);
			if (ke > kb && cookie_part_ok(kb, ke) && cookie_part_ok(vb, ve)) {
				char *k = arena_strndup(a, kb, (size_t)(ke - kb));
				char *v = arena_strndup(a, vb, (size_t)(ve - vb));
				if (k == NULL || v == NULL || kv_add(a, out, k, v) != 0)
					return RDV_ENOMEM;
				kept++;
			}
		}
		p = *end == ';' ? end + 1 : end;
	}
	return 0;
}

int http_parse_json(const char *body, size_t n, json_t **out)
{
	json_error_t err;
	*out = NULL;
	if (body == NULL || n == 0)
		return RDV_EINVAL;
	json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		return RDV_EINVAL;
	/* jansson already refuses scalars without JSON_DECODE_ANY; checked
	 * again so a change of flags cannot quietly widen what handlers get. */
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		return RDV_EINVAL;
	}
	*out = j;
	return 0;
}

/* ---- methods and requests ---- */

static const char *const http_method_names[] = {
	[HTTP_GET] = "GET", [HTTP_HEAD] = "HEAD", [HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT", [HTTP_PATCH] = "PATCH", [HTTP_DELETE] = "DELETE",
	[HTTP_OTHER] = "OTHER",
};

enum http_method http_method_parse(const char *s)
{
	if (s == NULL)
		return HTTP_OTHER;
	for (int m = HTTP_GET; m < HTTP_OTHER; m++)
		if (strcmp(s, http_method_names[m]) == 0)
			return (enum http_method)m;
	return HTTP_OTHER;
}

const char *http_method_name(enum http_method m)
{
	if ((int)m < HTTP_GET || m > HTTP_OTHER)
		return "OTHER";
	return http_method_names[m];
}

static int method_has_body(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

int http_request_parse_body_and_query(struct arena *a, struct http_request *req)
{
	if (req->method_name != NULL)
		req->method = http_method_parse(req->method_name);
	if (req->query_string == NULL)
		req->query_string = "";
	if (req->content_type == NULL)
		req->content_type = "";
	int rc = http_parse_urlencoded(a, req->query_string, strlen(req->query_string), &req->query);
	if (rc != 0 || !method_has_body(req->method))
		return rc;
	const char *body = req->body != NULL ? req->body : "";
	size_t len = req->body != NULL ? req->body_len : 0;
	if (media_type_is(req->content_type, "application/x-www-form-urlencoded"))
		return http_parse_urlencoded(a, body, len, &req->form);
	if (media_type_is(req->content_type, "application/json")) {
		json_decref(req->json);
		return http_parse_json(body, len, &req->json);
	}
	return 0; /* other types (CSV import, multipart): the handler reads body */
}

void http_request_clear(struct http_request *req)
{
	json_decref(req->json);
	req->json = NULL;
}

const char *http_param(const struct http_request *req, const char *key)
{
	if (method_has_body(req->method)) {
		const char *v = kv_get(&req->form, key);
		if (v != NULL)
			return v;
	}
	return kv_get(&req->query, key);
}

const char *http_header(const struct http_request *req, const char *lowercase_name)
{
	return kv_get(&req->headers, lowercase_name);
}

const char *http_cookie(const struct http_request *req, const char *name)
{
	return kv_get(&req->cookies, name);
}

/* ---- responses ---- */

static const char *const HTTP_DEFAULT_TYPE = "text/html; charset=utf-8";

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	r->content_type = HTTP_DEFAULT_TYPE;
}

/* Keeps write/write_ctx: lib/app may set them once per thread. */
void http_response_reset(struct http_response *r)
{
	r->status = 200;
	r->content_type = HTTP_DEFAULT_TYPE;
	buf_reset(&r->headers);
	buf_reset(&r->body);
	r->head_only = 0;
	r->streaming = 0;
}

void http_response_free(struct http_response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

/* A header value may hold tabs but no other control character: CR and LF
 * would split the response, the rest have no business in a header. */
static int header_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if (is_ctl((unsigned char)*v) && *v != '\t')
			return 0;
	return 1;
}

int http_add_header(struct http_response *r, const char *name, const char *value)
{
	if (!is_token(name) || value == NULL || !header_value_ok(value))
		return RDV_EINVAL;
	size_t before = r->headers.len;
	int rc = buf_puts(&r->headers, name);
	if (rc == 0)
		rc = buf_append(&r->headers, ": ", 2);
	if (rc == 0)
		rc = buf_puts(&r->headers, value);
	if (rc == 0)
		rc = buf_append(&r->headers, "\r\n", 2);
	if (rc != 0 && r->headers.data != NULL) {
		/* never leave half a header line behind */
		r->headers.len = before;
		r->headers.data[before] = '\0';
	}
	return rc;
}

/* RFC 6265 cookie-octet, minus nothing: no CTLs, whitespace, DQUOTE, comma,
 * semicolon or backslash, and ASCII only. */
static int cookie_value_ok(const char *v)
{
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
			return 0;
	}
	return 1;
}

static int cookie_path_ok(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (; *p != '\0'; p++)
		if (is_ctl((unsigned char)*p) || *p == ';' || (unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

int http_set_cookie(struct http_response *r, const char *name, const char *value,
		    const char *path, long max_age, int flags)
{
	if (value == NULL)
		value = "";
	if (path == NULL)
		path = "/";
	if (!is_token(name) || !cookie_value_ok(value) || !cookie_path_ok(path))
		return RDV_EINVAL;
	struct buf line = BUF_INIT;
	buf_printf(&line, "%s=%s; Path=%s", name, value, path);
	if (max_age >= 0)
		buf_printf(&line, "; Max-Age=%ld", max_age);
	if (max_age == 0) /* for clients that predate Max-Age */
		buf_puts(&line, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
	if (flags & COOKIE_HTTPONLY)
		buf_puts(&line, "; HttpOnly");
	if (flags & COOKIE_SECURE)
		buf_puts(&line, "; Secure");
	if (flags & COOKIE_SAMESITE_STRICT)
		buf_puts(&line, "; SameSite=Strict");
	else if (flags & COOKIE_SAMESITE_LAX)
		buf_puts(&line, "; SameSite=Lax");
	int rc = line.oom ? RDV_ENOMEM : http_add_header(r, "Set-Cookie", line.data);
	buf_free(&line);
	return rc;
}

static int response_set_body(struct http_response *r, int status, const char *type,
			     const char *data, size_t n)
{
	buf_reset(&r->body);
	if (n > 0 && buf_append(&r->body, data, n) != 0)
		return RDV_ENOMEM;
	r->status = status;
	r->content_type = type;
	return 0;
}

int http_html(struct http_response *r, int status, const char *html, size_t n)
{
	return response_set_body(r, status, HTTP_DEFAULT_TYPE, html, html != NULL ? n : 0);
}

int http_text(struct http_response *r, int status, const char *text)
{
	return response_set_body(r, status, "text/plain; charset=utf-8", text,
				 text != NULL ? strlen(text) : 0);
}

static int json_to_buf(const char *data, size_t n, void *ctx)
{
	return buf_append(ctx, data, n) == 0 ? 0 : -1;
}

int http_json(struct http_response *r, int status, const json_t *value)
{
	if (value == NULL)
		return RDV_EINVAL;
	buf_reset(&r->body);
	/* json_dump_callback is json_dumpb without sizing the output twice; 15
	 * significant digits print 50.301669 as typed, not 50.301668999999997. */
	if (json_dump_callback(value, json_to_buf, &r->body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) != 0) {
		int rc = r->body.oom ? RDV_ENOMEM : RDV_EINVAL;
		buf_reset(&r->body);
		return rc;
	}
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	return 0;
}

/* A redirect target we emit must stay on this site: a path, never
 * "//host" or "/\host" (browsers read both as scheme-relative URLs), never a
 * control character (a tab inside "/\t/host" is dropped by browsers too). */
static int redirect_target_ok(const char *loc)
{
	if (loc == NULL || loc[0] != '/' || loc[1] == '/' || loc[1] == '\\')
		return 0;
	for (; *loc != '\0'; loc++)
		if (is_ctl((unsigned char)*loc))
			return 0;
	return 1;
}

int http_redirect(struct http_response *r, int status, const char *location)
{
	if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
		status = 302;
	if (!redirect_target_ok(location))
		location = "/";
	buf_reset(&r->body);
	r->status = status;
	return http_add_header(r, "Location", location);
}

int http_response_head(const struct http_response *r, struct buf *out)
{
	const char *type = r->content_type != NULL ? r->content_type : HTTP_DEFAULT_TYPE;
	if (!header_value_ok(type))
		return RDV_EINVAL;
	/* an out-of-range status would make nginx answer 502: say 500 ourselves */
	int status = r->status >= 100 && r->status <= 599 ? r->status : 500;
	int rc = buf_printf(out, "Status: %d %s\r\nContent-Type: %s\r\n",
			    status, http_status_text(status), type);
	if (rc == 0 && r->headers.len > 0)
		rc = buf_append(out, r->headers.data, r->headers.len);
	if (rc == 0)
		rc = buf_append(out, "\r\n", 2);
	return rc;
}

int http_stream_begin(struct http_response *r)
{
	if (r->write == NULL)
		return RDV_EINVAL;
	if (r->streaming)
		return 0;
	struct buf head = BUF_INIT;
	int rc = http_response_head(r, &head);
	if (rc == 0 && r->write(r->write_ctx, head.data, head.len) < 0)
		rc = RDV_ESYSTEM;
	buf_free(&head);
	if (rc == 0)
		r->streaming = 1;
	return rc;
}

int http_stream_write(struct http_response *r, const char *data, size_t n)
{
	if (!r->streaming) {
		int rc = http_stream_begin(r);
		if (rc != 0)
			return rc;
	}
	if (n == 0 || r->head_only)
		return 0;
	return r->write(r->write_ctx, data, n) < 0 ? RDV_ESYSTEM : 0;
}
