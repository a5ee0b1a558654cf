/* test_http.c - request parsing (percent-decoding, UTF-8, forms, cookies,
 * JSON) and response building (headers, cookies, redirects, head, streaming). */
#include <CUnit/CUnit.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "http.h"
#include "rdv.h"

static struct arena *arena;

static int http_suite_init(void)
{
	arena = arena_new(4096);
	return arena == NULL;
}

static int http_suite_clean(void)
{
	arena_free(arena);
	return 0;
}

/* Decodes a NUL-terminated literal; returns the rc, *out the string. */
static int decode(const char *s, int plus, char **out)
{
	return http_percent_decode(arena, s, strlen(s), plus, out);
}

static void test_kv_list(void)
{
	struct kvlist l = {0};
	/* 100 adds force several doublings; all entries survive the copies */
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(kv_add(arena, &l, i % 2 ? "odd" : "even", arena_printf(arena, "%d", i)), 0);
	CU_ASSERT_EQUAL(l.n, 100);
	CU_ASSERT(l.cap >= 100);
	CU_ASSERT_STRING_EQUAL(l.items[50].value, "50");
	CU_ASSERT_STRING_EQUAL(l.items[99].key, "odd");
	CU_ASSERT_STRING_EQUAL(l.items[99].value, "99");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "even"), "0");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "odd"), "1");
	CU_ASSERT_PTR_NULL(kv_get(&l, "none"));
	const char *vals[3];
	CU_ASSERT_EQUAL(kv_get_all(&l, "odd", vals, 3), 50);
	CU_ASSERT_STRING_EQUAL(vals[0], "1");
	CU_ASSERT_STRING_EQUAL(vals[1], "3");
	CU_ASSERT_STRING_EQUAL(vals[2], "5");
	CU_ASSERT_EQUAL(kv_get_all(&l, "none", vals, 3), 0);
	CU_ASSERT_EQUAL(kv_add(arena, &l, "nullvalue", NULL), 0);
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "nullvalue"), "");
	CU_ASSERT_EQUAL(kv_add(arena, &l, NULL, "x"), RDV_EINVAL);
}

static void test_utf8_valid(void)
{
	CU_ASSERT(utf8_valid("", 0));
	CU_ASSERT(utf8_valid("abc", 3));
	CU_ASSERT(utf8_valid("\xc3\xa9", 2));                 /* é */
	CU_ASSERT(utf8_valid("\xe2\x82\xac", 3));             /* € */
	CU_ASSERT(utf8_valid("\xf0\x9f\x98\x80", 4));         /* U+1F600 */
	CU_ASSERT(utf8_valid("\xf4\x8f\xbf\xbf", 4));         /* U+10FFFF, the last */
	CU_ASSERT(utf8_valid("\xed\x9f\xbf", 3));             /* U+D7FF, before surrogates */
	CU_ASSERT(utf8_valid("\xee\x80\x80", 3));             /* U+E000, after them */
	CU_ASSERT(!utf8_valid("a\0b", 3));                    /* NUL byte */
	CU_ASSERT(!utf8_valid("\xc0\xaf", 2));                /* overlong '/' */
	CU_ASSERT(!utf8_valid("\xc1\xbf", 2));                /* overlong */
	CU_ASSERT(!utf8_valid("\xe0\x80\xaf", 3));            /* overlong 3-byte '/' */
	CU_ASSERT(!utf8_valid("\xf0\x80\x80\xaf", 4));        /* overlong 4-byte */
	CU_ASSERT(!utf8_valid("\xed\xa0\x80", 3));            /* U+D800 surrogate */
	CU_ASSERT(!utf8_valid("\xed\xbf\xbf", 3));            /* U+DFFF surrogate */
	CU_ASSERT(!utf8_valid("\xf4\x90\x80\x80", 4));        /* U+110000 */
	CU_ASSERT(!utf8_valid("\xf8\x88\x80\x80\x80", 5));    /* 5-byte form */
	CU_ASSERT(!utf8_valid("\xfc\x84\x80\x80\x80\x80", 6));/* 6-byte form */
	CU_ASSERT(!utf8_valid("\xc3", 1));                    /* truncated 2-byte */
	CU_ASSERT(!utf8_valid("\xe2\x82", 2));                /* truncated 3-byte */
	CU_ASSERT(!utf8_valid("\xf0\x9f\x98", 3));            /* truncated 4-byte */
	CU_ASSERT(!utf8_valid("\xe2\x82" "a", 3));            /* bad continuation */
	CU_ASSERT(!utf8_valid("\x80", 1));                    /* lone continuation */
	CU_ASSERT(!utf8_valid("\xff", 1));
	/* the length is honoured: the bad byte past n is not looked at */
	CU_ASSERT(utf8_valid("ab\xff", 2));
}

static void test_percent_decode(void)
{
	char *out;
	CU_ASSERT_EQUAL(decode("a%20b%2fc%2Fd", 0, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "a b/c/d");
	CU_ASSERT_EQUAL(decode("%C3%A9t%c3%a9", 0, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "été");
	/* '+' is a space only in forms and query strings; %2B is always '+' */
	CU_ASSERT_EQUAL(decode("a+b%2Bc", 1, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "a b+c");
	CU_ASSERT_EQUAL(decode("a+b", 0, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "a+b");
	CU_ASSERT_EQUAL(decode("", 1, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* malformed escapes */
	CU_ASSERT_EQUAL(decode("%", 1, &out), RDV_EINVAL);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(decode("abc%", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%4", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%zz", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%G1", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%4g", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%%41", 1, &out), RDV_EINVAL);
	/* encoded NUL, encoded invalid UTF-8, raw invalid UTF-8 */
	CU_ASSERT_EQUAL(decode("a%00b", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%C0%AF", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%ED%A0%80", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%F8%88%80%80%80", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("%C3", 1, &out), RDV_EINVAL);
	CU_ASSERT_EQUAL(decode("\xff", 1, &out), RDV_EINVAL);
	/* a raw NUL inside the given length */
	CU_ASSERT_EQUAL(http_percent_decode(arena, "a\0b", 3, 1, &out), RDV_EINVAL);
	/* only n bytes are read */
	CU_ASSERT_EQUAL(http_percent_decode(arena, "ab%zz", 2, 1, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "ab");
}

static void test_urlencoded(void)
{
	struct kvlist l = {0};
	const char *q = "a=1&b=x+y&a=2&&c&=orphan&d=&e=%C3%A9t%C3%A9&a=3";
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, q, strlen(q), &l), 0);
	const char *vals[4];
	/* duplicate keys kept, in order */
	CU_ASSERT_EQUAL(kv_get_all(&l, "a", vals, 4), 3);
	CU_ASSERT_STRING_EQUAL(vals[0], "1");
	CU_ASSERT_STRING_EQUAL(vals[1], "2");
	CU_ASSERT_STRING_EQUAL(vals[2], "3");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "b"), "x y");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "c"), "");  /* key without '=' */
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "d"), "");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "e"), "été");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, ""), "orphan");
	/* "&&" skipped: a=1 b a=2 c "" d e a=3 */
	CU_ASSERT_EQUAL(l.n, 8);
	CU_ASSERT_STRING_EQUAL(l.items[0].key, "a");
	CU_ASSERT_STRING_EQUAL(l.items[3].key, "c");

	/* keys are decoded too, with '+' as space; ';' is not a separator */
	struct kvlist m = {0};
	const char *q2 = "first+name=Jean%2DPaul;x=1&%C3%A9=ok";
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, q2, strlen(q2), &m), 0);
	CU_ASSERT_STRING_EQUAL(kv_get(&m, "first name"), "Jean-Paul;x=1");
	CU_ASSERT_STRING_EQUAL(kv_get(&m, "é"), "ok");
	CU_ASSERT_EQUAL(m.n, 2);

	struct kvlist bad = {0};
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, "a=%zz", 5, &bad), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, "%00=1", 5, &bad), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, "a=%C0%AF", 8, &bad), RDV_EINVAL);
	struct kvlist empty = {0};
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, "", 0, &empty), 0);
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, "&&&", 3, &empty), 0);
	CU_ASSERT_EQUAL(empty.n, 0);
}

static void test_urlencoded_limit(void)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%sk%d=%d", i ? "&" : "", i, i);
	struct kvlist l = {0};
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, b.data, b.len, &l), 0);
	CU_ASSERT_EQUAL(l.n, 1000);
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "k999"), "999");
	/* empty pairs do not count towards the limit */
	buf_puts(&b, "&&&&");
	struct kvlist l2 = {0};
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, b.data, b.len, &l2), 0);
	buf_puts(&b, "k1000=1000");
	struct kvlist l3 = {0};
	CU_ASSERT_EQUAL(http_parse_urlencoded(arena, b.data, b.len, &l3), RDV_ETOOBIG);
	buf_free(&b);
}

static void test_cookies(void)
{
	struct kvlist l = {0};
	const char *h = "  session=abc123 ;theme=\"dark\";  garbage ; =novalue; empty=;"
			"spaced = x y ;quoted=\"a\"b\"; last=1; \"=q; lone=\"";
	CU_ASSERT_EQUAL(http_parse_cookies(arena, h, &l), 0);
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "session"), "abc123");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "theme"), "dark");      /* quotes stripped */
	CU_ASSERT_PTR_NULL(kv_get(&l, "garbage"));                /* no '=' */
	CU_ASSERT_PTR_NULL(kv_get(&l, ""));                       /* empty name */
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "empty"), "");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "spaced"), "x y");      /* outer spaces trimmed */
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "quoted"), "a\"b");     /* only the outer pair */
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "last"), "1");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "\""), "q");
	CU_ASSERT_STRING_EQUAL(kv_get(&l, "lone"), "\"");         /* a lone quote is kept */
	CU_ASSERT_EQUAL(l.n, 8);
	CU_ASSERT_STRING_EQUAL(l.items[0].key, "session");

	/* control characters and invalid UTF-8 make a pair malformed: skipped */
	struct kvlist m = {0};
	CU_ASSERT_EQUAL(http_parse_cookies(arena, "a=1\x01; b=\xc0\xaf; c=\xc3\xa9; d=%41", &m), 0);
	CU_ASSERT_EQUAL(m.n, 2);
	CU_ASSERT_STRING_EQUAL(kv_get(&m, "c"), "é");
	CU_ASSERT_STRING_EQUAL(kv_get(&m, "d"), "%41");           /* not percent-decoded */

	struct kvlist none = {0};
	CU_ASSERT_EQUAL(http_parse_cookies(arena, NULL, &none), 0);
	CU_ASSERT_EQUAL(http_parse_cookies(arena, "", &none), 0);
	CU_ASSERT_EQUAL(http_parse_cookies(arena, ";;; ;", &none), 0);
	CU_ASSERT_EQUAL(none.n, 0);
}

static void test_json(void)
{
	json_t *j = NULL;
	const char *obj = "{\"a\":1,\"b\":[true,null,\"\\u00e9\"]}";
	CU_ASSERT_EQUAL(http_parse_json(obj, strlen(obj), &j), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "a")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(j, "b"), 2)), "é");
	json_decref(j);
	CU_ASSERT_EQUAL(http_parse_json("[1,2]", 5, &j), 0);
	CU_ASSERT(json_is_array(j));
	json_decref(j);

	const char *dup = "{\"role\":\"agent\",\"role\":\"admin\"}";
	CU_ASSERT_EQUAL(http_parse_json(dup, strlen(dup), &j), RDV_EINVAL);
	CU_ASSERT_PTR_NULL(j);
	CU_ASSERT_EQUAL(http_parse_json("42", 2, &j), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_json("\"s\"", 3, &j), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_json("null", 4, &j), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_json("{\"a\":1} x", 9, &j), RDV_EINVAL);   /* trailing garbage */
	CU_ASSERT_EQUAL(http_parse_json("{\"a\":", 5, &j), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_json("", 0, &j), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_parse_json("{\"a\":\"\\u0000\"}", 14, &j), RDV_EINVAL); /* NUL */
	CU_ASSERT_EQUAL(http_parse_json("{\"a\":\"\xc0\xaf\"}", 10, &j), RDV_EINVAL);
	CU_ASSERT_PTR_NULL(j);
}

static void test_methods(void)
{
	CU_ASSERT_EQUAL(http_method_parse("GET"), HTTP_GET);
	CU_ASSERT_EQUAL(http_method_parse("HEAD"), HTTP_HEAD);
	CU_ASSERT_EQUAL(http_method_parse("POST"), HTTP_POST);
	CU_ASSERT_EQUAL(http_method_parse("PUT"), HTTP_PUT);
	CU_ASSERT_EQUAL(http_method_parse("PATCH"), HTTP_PATCH);
	CU_ASSERT_EQUAL(http_method_parse("DELETE"), HTTP_DELETE);
	CU_ASSERT_EQUAL(http_method_parse("get"), HTTP_OTHER);
	CU_ASSERT_EQUAL(http_method_parse("GETX"), HTTP_OTHER);
	CU_ASSERT_EQUAL(http_method_parse("OPTIONS"), HTTP_OTHER);
	CU_ASSERT_EQUAL(http_method_parse(""), HTTP_OTHER);
	CU_ASSERT_EQUAL(http_method_parse(NULL), HTTP_OTHER);
	CU_ASSERT_STRING_EQUAL(http_method_name(HTTP_PATCH), "PATCH");
	CU_ASSERT_STRING_EQUAL(http_method_name(HTTP_GET), "GET");
}

static struct http_request request_make(const char *method, const char *query,
					const char *type, const char *body)
{
	struct http_request req;
	memset(&req, 0, sizeof(req));
	req.method_name = method;
	req.query_string = query;
	req.content_type = type;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	return req;
}

static void test_request_form(void)
{
	struct http_request req = request_make("POST", "id=7&q=from+query",
		"Application/X-WWW-Form-Urlencoded; charset=UTF-8", "q=from+form&nom=%C3%89lo%C3%AFse");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_EQUAL(req.method, HTTP_POST);
	CU_ASSERT_STRING_EQUAL(http_param(&req, "q"), "from form");   /* form first */
	CU_ASSERT_STRING_EQUAL(http_param(&req, "id"), "7");          /* then query */
	CU_ASSERT_STRING_EQUAL(http_param(&req, "nom"), "Éloïse");
	CU_ASSERT_PTR_NULL(http_param(&req, "absent"));
	CU_ASSERT_PTR_NULL(req.json);
	http_request_clear(&req);

	/* a GET never reads a body, even with a form type */
	req = request_make("GET", "q=from+query", "application/x-www-form-urlencoded", "q=from+form");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_STRING_EQUAL(http_param(&req, "q"), "from query");
	CU_ASSERT_EQUAL(req.form.n, 0);

	/* absent query string and content type become "" */
	req = request_make("DELETE", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_STRING_EQUAL(req.query_string, "");
	CU_ASSERT_STRING_EQUAL(req.content_type, "");

	/* a look-alike type is not a form: the body stays raw */
	req = request_make("POST", "", "application/x-www-form-urlencodedx", "a=1");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_EQUAL(req.form.n, 0);
	req = request_make("POST", "", "text/csv", "a;b\n1;2\n");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_EQUAL(req.form.n, 0);
	CU_ASSERT_PTR_NULL(req.json);
	CU_ASSERT_STRING_EQUAL(req.body, "a;b\n1;2\n");

	/* malformed query or body: EINVAL for a 400 */
	req = request_make("GET", "a=%4", "", NULL);
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), RDV_EINVAL);
	req = request_make("PUT", "", "application/x-www-form-urlencoded", "a=%00");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), RDV_EINVAL);
}

static void test_request_json(void)
{
	struct http_request req = request_make("PATCH", "", "application/json; charset=utf-8",
					       "{\"statut\":\"vu\"}");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req.json);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(req.json, "statut")), "vu");
	CU_ASSERT_EQUAL(req.form.n, 0);
	http_request_clear(&req);
	CU_ASSERT_PTR_NULL(req.json);
	http_request_clear(&req); /* twice is harmless */

	req = request_make("POST", "", "application/json", "");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), RDV_EINVAL);
	req = request_make("POST", "", "application/json", NULL);
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), RDV_EINVAL);
	req = request_make("POST", "", "application/json", "{\"a\":1,\"a\":2}");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), RDV_EINVAL);
	CU_ASSERT_PTR_NULL(req.json);
	req = request_make("GET", "", "application/json", "{}");
	CU_ASSERT_EQUAL(http_request_parse_body_and_query(arena, &req), 0);
	CU_ASSERT_PTR_NULL(req.json);
}

static void test_request_lookups(void)
{
	struct http_request req = request_make("GET", "", "", NULL);
	kv_add(arena, &req.headers, "x-requested-with", "XMLHttpRequest");
	kv_add(arena, &req.headers, "accept-language", "fr-FR");
	CU_ASSERT_EQUAL(http_parse_cookies(arena, "rdv_session=tok; csrf=abc", &req.cookies), 0);
	CU_ASSERT_STRING_EQUAL(http_header(&req, "x-requested-with"), "XMLHttpRequest");
	CU_ASSERT_PTR_NULL(http_header(&req, "X-Requested-With")); /* names are lower-case */
	CU_ASSERT_STRING_EQUAL(http_cookie(&req, "rdv_session"), "tok");
	CU_ASSERT_STRING_EQUAL(http_cookie(&req, "csrf"), "abc");
	CU_ASSERT_PTR_NULL(http_cookie(&req, "absent"));
}

/* ---- responses ---- */

static void test_response_defaults(void)
{
	struct http_response r;
	http_response_init(&r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.content_type, "text/html; charset=utf-8");
	CU_ASSERT_EQUAL(http_html(&r, 404, "<p>introuvable</p>", 18), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(r.body.data, "<p>introuvable</p>");
	CU_ASSERT_EQUAL(http_text(&r, 400, "erreur"), 0);
	CU_ASSERT_STRING_EQUAL(r.body.data, "erreur");   /* replaced, not appended */
	CU_ASSERT_STRING_EQUAL(r.content_type, "text/plain; charset=utf-8");
	http_add_header(&r, "X-Test", "1");
	r.head_only = 1;
	http_response_reset(&r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.content_type, "text/html; charset=utf-8");
	CU_ASSERT_EQUAL(r.headers.len, 0);
	CU_ASSERT_EQUAL(r.body.len, 0);
	CU_ASSERT_EQUAL(r.head_only, 0);
	http_response_free(&r);
	CU_ASSERT_PTR_NULL(r.body.data);

	CU_ASSERT_STRING_EQUAL(http_status_text(200), "OK");
	CU_ASSERT_STRING_EQUAL(http_status_text(303), "See Other");
	CU_ASSERT_STRING_EQUAL(http_status_text(404), "Not Found");
	CU_ASSERT_STRING_EQUAL(http_status_text(411), "Length Required");
	CU_ASSERT_STRING_EQUAL(http_status_text(422), "Unprocessable Content");
	CU_ASSERT_STRING_EQUAL(http_status_text(429), "Too Many Requests");
	CU_ASSERT_STRING_EQUAL(http_status_text(503), "Service Unavailable");
	int known[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405,
		       409, 411, 413, 422, 429, 500, 502, 503};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		CU_ASSERT_STRING_NOT_EQUAL(http_status_text(known[i]), "Unknown");
	CU_ASSERT_STRING_EQUAL(http_status_text(418), "Unknown");
}

static void test_add_header(void)
{
	struct http_response r;
	http_response_init(&r);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-Frame-Options", "DENY"), 0);
	CU_ASSERT_EQUAL(http_add_header(&r, "Content-Disposition", "attachment;\tfilename=\"a.csv\""), 0);
	/* response splitting */
	CU_ASSERT_EQUAL(http_add_header(&r, "X-A", "ok\r\nSet-Cookie: evil=1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-A", "ok\nX-B: 1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-A", "ok\r"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-A\r\nX-B", "1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-A", "bell\x07"), RDV_EINVAL);
	/* names must be tokens */
	CU_ASSERT_EQUAL(http_add_header(&r, "X A", "1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X:A", "1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "", "1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-\xc3\xa9", "1"), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_add_header(&r, "X-A", NULL), RDV_EINVAL);
	/* nothing of the refused ones was written */
	CU_ASSERT_STRING_EQUAL(r.headers.data, "X-Frame-Options: DENY\r\n"
			       "Content-Disposition: attachment;\tfilename=\"a.csv\"\r\n");
	http_response_free(&r);
}

static void test_set_cookie(void)
{
	struct http_response r;
	http_response_init(&r);
	int all = COOKIE_HTTPONLY | COOKIE_SECURE | COOKIE_SAMESITE_LAX;
	CU_ASSERT_EQUAL(http_set_cookie(&r, "rdv_session", "abc-123_XYZ", NULL, 3600, all), 0);
	CU_ASSERT_STRING_EQUAL(r.headers.data,
		"Set-Cookie: rdv_session=abc-123_XYZ; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax\r\n");
	buf_reset(&r.headers);
	/* session cookie: no Max-Age */
	CU_ASSERT_EQUAL(http_set_cookie(&r, "csrf", "t0k", "/agent", -1, COOKIE_SAMESITE_STRICT), 0);
	CU_ASSERT_STRING_EQUAL(r.headers.data, "Set-Cookie: csrf=t0k; Path=/agent; SameSite=Strict\r\n");
	buf_reset(&r.headers);
	/* deletion: Max-Age=0 and an Expires in the past */
	CU_ASSERT_EQUAL(http_set_cookie(&r, "rdv_session", "", "/", 0, all), 0);
	CU_ASSERT_STRING_EQUAL(r.headers.data,
		"Set-Cookie: rdv_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
		"HttpOnly; Secure; SameSite=Lax\r\n");
	buf_reset(&r.headers);
	/* injection through the value, the name or the path */
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a; Domain=evil.com", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a,b", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a b", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a\r\nSet-Cookie: x=1", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a\nb", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "\"q\"", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a\tb", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a\x7f", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "\xc3\xa9", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s=x", "a", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s x", "a", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "", "a", NULL, -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a", "/x; Domain=evil.com", -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(http_set_cookie(&r, "s", "a", "/x\r\n", -1, all), RDV_EINVAL);
	CU_ASSERT_EQUAL(r.headers.len, 0);
	http_response_free(&r);
}

static void test_json_response(void)
{
	struct http_response r;
	http_response_init(&r);
	json_t *v = json_pack("{s:i, s:s}", "id", 42, "nom", "Éloïse");
	CU_ASSERT_EQUAL(http_json(&r, 201, v), 0);
	json_decref(v);
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_STRING_EQUAL(r.content_type, "application/json; charset=utf-8");
	CU_ASSERT_STRING_EQUAL(r.body.data, "{\"id\":42,\"nom\":\"Éloïse\"}");
	v = json_array();
	CU_ASSERT_EQUAL(http_json(&r, 200, v), 0);
	json_decref(v);
	CU_ASSERT_STRING_EQUAL(r.body.data, "[]");
	/* coordinates come out as stored, not with binary noise */
	v = json_pack("{s:f}", "lat", 50.301669);
	CU_ASSERT_EQUAL(http_json(&r, 200, v), 0);
	json_decref(v);
	CU_ASSERT_STRING_EQUAL(r.body.data, "{\"lat\":50.301669}");
	CU_ASSERT_EQUAL(http_json(&r, 200, NULL), RDV_EINVAL);
	http_response_free(&r);
}

static void test_redirect(void)
{
	struct http_response r;
	http_response_init(&r);
	static const struct { const char *to, *expect; int status, expect_status; } cases[] = {
		{"/agent/rdv/12?vue=semaine#x", "/agent/rdv/12?vue=semaine#x", 303, 303},
		{"/", "/", 302, 302},
		{"//evil.com", "/", 303, 303},
		{"//evil.com/path", "/", 302, 302},
		{"/\\evil.com", "/", 302, 302},
		{"http://evil.com", "/", 302, 302},
		{"https://evil.com/", "/", 302, 302},
		{"javascript:alert(1)", "/", 302, 302},
		{"evil.com", "/", 302, 302},
		{"", "/", 302, 302},
		{"/\t/evil.com", "/", 302, 302},
		{"/ok\r\nSet-Cookie: x=1", "/", 302, 302},
		{"/a\x01", "/", 302, 302},
		{"/ok", "/ok", 200, 302},   /* not a redirect status: 302 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_response_reset(&r);
		buf_puts(&r.body, "old body");
		CU_ASSERT_EQUAL(http_redirect(&r, cases[i].status, cases[i].to), 0);
		CU_ASSERT_EQUAL(r.status, cases[i].expect_status);
		CU_ASSERT_EQUAL(r.body.len, 0);
		const char *want = arena_printf(arena, "Location: %s\r\n", cases[i].expect);
		CU_ASSERT_STRING_EQUAL(r.headers.data, want);
	}
	http_response_reset(&r);
	CU_ASSERT_EQUAL(http_redirect(&r, 303, NULL), 0);
	CU_ASSERT_STRING_EQUAL(r.headers.data, "Location: /\r\n");
	http_response_free(&r);
}

static void test_response_head(void)
{
	struct http_response r;
	struct buf out = BUF_INIT;
	http_response_init(&r);
	CU_ASSERT_EQUAL(http_response_head(&r, &out), 0);
	CU_ASSERT_STRING_EQUAL(out.data, "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n");
	buf_reset(&out);
	r.status = 404;
	http_add_header(&r, "X-Frame-Options", "DENY");
	http_set_cookie(&r, "a", "1", NULL, -1, COOKIE_HTTPONLY);
	CU_ASSERT_EQUAL(http_response_head(&r, &out), 0);
	CU_ASSERT_STRING_EQUAL(out.data,
		"Status: 404 Not Found\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"X-Frame-Options: DENY\r\n"
		"Set-Cookie: a=1; Path=/; HttpOnly\r\n"
		"\r\n");
	CU_ASSERT_PTR_NULL(strstr(out.data, "Content-Length"));
	buf_reset(&out);
	/* a status nginx would refuse becomes 500 */
	r.status = 42;
	buf_reset(&r.headers);
	CU_ASSERT_EQUAL(http_response_head(&r, &out), 0);
	CU_ASSERT_EQUAL(strncmp(out.data, "Status: 500 Internal Server Error\r\n", 35), 0);
	buf_reset(&out);
	/* a content type smuggling a header is refused */
	r.status = 200;
	r.content_type = "text/html\r\nX-Evil: 1";
	CU_ASSERT_EQUAL(http_response_head(&r, &out), RDV_EINVAL);
	buf_free(&out);
	http_response_free(&r);
}

struct fake_client {
	struct buf got;
	int calls;
	int fail_after; /* calls that succeed before the "client" goes away; -1: never */
};

static int fake_write(void *ctx, const char *data, size_t n)
{
	struct fake_client *c = ctx;
	if (c->fail_after >= 0 && c->calls >= c->fail_after)
		return -1;
	c->calls++;
	buf_append(&c->got, data, n);
	return (int)n;
}

static void test_streaming(void)
{
	struct http_response r;
	struct fake_client c = {BUF_INIT, 0, -1};
	http_response_init(&r);
	CU_ASSERT_EQUAL(http_stream_begin(&r), RDV_EINVAL); /* no writer */
	r.write = fake_write;
	r.write_ctx = &c;
	r.content_type = "text/csv; charset=utf-8";
	http_add_header(&r, "Content-Disposition", "attachment; filename=\"rdv.csv\"");
	CU_ASSERT_EQUAL(http_stream_begin(&r), 0);
	CU_ASSERT_EQUAL(r.streaming, 1);
	CU_ASSERT_EQUAL(http_stream_begin(&r), 0);   /* the head goes out once */
	CU_ASSERT_EQUAL(c.calls, 1);
	CU_ASSERT_EQUAL(http_stream_write(&r, "a;b\n", 4), 0);
	CU_ASSERT_EQUAL(http_stream_write(&r, "", 0), 0);
	CU_ASSERT_EQUAL(http_stream_write(&r, "1;2\n", 4), 0);
	CU_ASSERT_EQUAL(c.calls, 3);
	CU_ASSERT_STRING_EQUAL(c.got.data,
		"Status: 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\n"
		"Content-Disposition: attachment; filename=\"rdv.csv\"\r\n\r\n"
		"a;b\n1;2\n");

	/* client gone mid-stream */
	c.fail_after = c.calls;
	CU_ASSERT_EQUAL(http_stream_write(&r, "x", 1), RDV_ESYSTEM);

	/* write without begin sends the head first; HEAD sends only the head */
	http_response_reset(&r);
	CU_ASSERT_PTR_EQUAL(r.write, fake_write);  /* the writer survives a reset */
	buf_reset(&c.got);
	c.calls = 0;
	c.fail_after = -1;
	r.head_only = 1;
	CU_ASSERT_EQUAL(http_stream_write(&r, "body", 4), 0);
	CU_ASSERT_EQUAL(r.streaming, 1);
	CU_ASSERT_STRING_EQUAL(c.got.data, "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n");

	/* failure while sending the head */
	http_response_reset(&r);
	c.fail_after = 0;
	CU_ASSERT_EQUAL(http_stream_begin(&r), RDV_ESYSTEM);
	CU_ASSERT_EQUAL(r.streaming, 0);
	buf_free(&c.got);
	http_response_free(&r);
}

void register_http_suite(void)
{
	CU_pSuite s = CU_add_suite("http", http_suite_init, http_suite_clean);
	CU_add_test(s, "kv list growth and lookups", test_kv_list);
	CU_add_test(s, "strict UTF-8", test_utf8_valid);
	CU_add_test(s, "percent-decoding", test_percent_decode);
	CU_add_test(s, "urlencoded pairs", test_urlencoded);
	CU_add_test(s, "urlencoded 1000-pair limit", test_urlencoded_limit);
	CU_add_test(s, "cookies", test_cookies);
	CU_add_test(s, "JSON bodies", test_json);
	CU_add_test(s, "methods", test_methods);
	CU_add_test(s, "request: query and form", test_request_form);
	CU_add_test(s, "request: JSON body", test_request_json);
	CU_add_test(s, "request: headers and cookies", test_request_lookups);
	CU_add_test(s, "response defaults and setters", test_response_defaults);
	CU_add_test(s, "header injection refused", test_add_header);
	CU_add_test(s, "Set-Cookie", test_set_cookie);
	CU_add_test(s, "JSON response", test_json_response);
	CU_add_test(s, "redirects stay local", test_redirect);
	CU_add_test(s, "response head", test_response_head);
	CU_add_test(s, "streaming", test_streaming);
}
