/*
 * http.h - HTTP request parsing and response building, independent of FastCGI.
 *
 * Owns: query strings, application/x-www-form-urlencoded and JSON bodies,
 * cookies, percent-decoding, UTF-8 validation, the response (status, headers,
 * body, cookies, redirects) and its serialisation as a CGI response block.
 * lib/app feeds it the FastCGI parameters and body and writes the result.
 *
 * Memory: every string and list reachable from a struct http_request comes
 * from the request's arena (valid until arena_reset). The response's bufs are
 * malloc'd and owned by the response: http_response_reset() empties them for
 * the next request, http_response_free() releases them. req->json is owned
 * by the request: http_request_clear() decrefs it.
 */
#ifndef RDV_HTTP_H
#define RDV_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"

/* An ordered multi-map of decoded, UTF-8-valid strings. Repeated keys keep
 * every value, in order. */
struct kv {
	const char *key;
	const char *value;
};

struct kvlist {
	struct kv *items;  /* arena */
	size_t n, cap;
};

/* key and value are stored as given, not copied: they must live as long as
 * the list (arena strings). A NULL value is stored as "". */
int kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value);
const char *kv_get(const struct kvlist *l, const char *key);       /* first value or NULL */
/* Fills out[] with up to max values of key, returns how many exist in all. */
size_t kv_get_all(const struct kvlist *l, const char *key, const char **out, size_t max);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF)
 * without NUL bytes, else 0. */
int utf8_valid(const char *s, size_t n);

/* Percent-decodes s[0..n) into a new arena string. plus_as_space: '+' → ' '
 * (forms and query strings). RDV_EINVAL on a malformed escape, an encoded
 * NUL or a result that is not valid UTF-8. */
int http_percent_decode(struct arena *a, const char *s, size_t n, int plus_as_space, char **out);

/* k=v&k2=v2 (query string or urlencoded body) appended to out. Empty pairs
 * ("&&") are skipped; a key without '=' gets "". RDV_EINVAL on bad encoding,
 * RDV_ETOOBIG past 1000 pairs. */
int http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kvlist *out);

/* Cookie header "a=1; b=2" appended to out (values not percent-decoded, but
 * surrounding double quotes removed). Malformed pairs are skipped. */
int http_parse_cookies(struct arena *a, const char *header, struct kvlist *out);

/* Parses a JSON body (objects and arrays only, duplicate keys rejected).
 * *out is a new reference owned by the caller. RDV_EINVAL when malformed. */
int http_parse_json(const char *body, size_t n, json_t **out);

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OTHER };
enum http_method http_method_parse(const char *s);
const char *http_method_name(enum http_method m);

struct http_request {
	enum http_method method;
	const char *method_name;   /* as received */
	const char *path;          /* decoded path, without the program prefix handling: full URI path */
	const char *query_string;  /* raw, "" when absent */
	const char *content_type;  /* "" when absent */
	const char *remote_addr;
	const char *user_agent;
	const char *authorization; /* raw Authorization header or NULL */
	int https;                 /* served over HTTPS (HTTPS=on or trusted X-Forwarded-Proto) */
	struct kvlist query;       /* decoded query string */
	struct kvlist form;        /* decoded urlencoded body (POST) */
	struct kvlist cookies;
	struct kvlist headers;     /* HTTP_* params, names lower-cased with '-' */
	const char *body;          /* raw body, NUL-terminated, arena */
	size_t body_len;
	json_t *json;              /* parsed body when Content-Type is JSON, else NULL */
};

/* Fills the parsed parts of req from the raw fields already set (method_name,
 * query_string, content_type, body): query, form or json. Returns 0,
 * RDV_EINVAL for malformed input (the caller answers 400). */
int http_request_parse_body_and_query(struct arena *a, struct http_request *req);
void http_request_clear(struct http_request *req); /* decrefs req->json */

/* A form or query value: the form for POST-like methods, then the query. */
const char *http_param(const struct http_request *req, const char *key);
const char *http_header(const struct http_request *req, const char *lowercase_name);
const char *http_cookie(const struct http_request *req, const char *name);

/* ---- responses ---- */

struct http_response {
	int status;                /* 200 by default */
	const char *content_type;  /* static or arena string; default text/html; charset=utf-8 */
	struct buf headers;        /* extra "Name: value\r\n" lines, owned */
	struct buf body;           /* owned */
	int head_only;             /* HEAD request: headers only */
	/* Streaming: when set, http_stream_* send directly through write(). */
	int (*write)(void *ctx, const char *data, size_t n);
	void *write_ctx;
	int streaming;             /* headers already sent */
};

void http_response_init(struct http_response *r);
void http_response_reset(struct http_response *r);
void http_response_free(struct http_response *r);
const char *http_status_text(int status);   /* "Not Found" */

/* Header names and values with CR or LF are refused (RDV_EINVAL). */
int http_add_header(struct http_response *r, const char *name, const char *value);

enum cookie_flags {
	COOKIE_HTTPONLY = 1,
	COOKIE_SECURE = 2,
	COOKIE_SAMESITE_LAX = 4,
	COOKIE_SAMESITE_STRICT = 8,
};
/* max_age < 0: session cookie; max_age == 0: delete. path defaults to "/". */
int http_set_cookie(struct http_response *r, const char *name, const char *value,
		    const char *path, long max_age, int flags);

/* Convenience setters: they replace the body and set status + type. */
int http_html(struct http_response *r, int status, const char *html, size_t n);
int http_json(struct http_response *r, int status, const json_t *value); /* compact dump */
int http_text(struct http_response *r, int status, const char *text);
/* 303 for POST-like requests, 302 otherwise; location must be a local path
 * ("/..."), never "//host": anything else is replaced by "/". */
int http_redirect(struct http_response *r, int status, const char *location);

/* Serialises "Status: ...\r\nContent-Type: ...\r\n<headers>\r\n" into out
 * (CGI response block, no body). */
int http_response_head(const struct http_response *r, struct buf *out);

/* Streaming (CSV exports): sends the head now, then chunks as they come. */
int http_stream_begin(struct http_response *r);
int http_stream_write(struct http_response *r, const char *data, size_t n);

#endif
