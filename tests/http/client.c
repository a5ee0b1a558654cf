/* client.c - the black-box HTTP client of the suites (client.h). */
#include "client.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *test_base_url;
const char *test_demo_password;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return size * n;
}

void browser_init(struct browser *b)
{
	memset(b, 0, sizeof(*b));
	b->curl = curl_easy_init();
	curl_easy_setopt(b->curl, CURLOPT_COOKIEFILE, "");   /* in-memory cookie engine */
	curl_easy_setopt(b->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(b->curl, CURLOPT_WRITEDATA, &b->body);
	curl_easy_setopt(b->curl, CURLOPT_HEADERFUNCTION, on_body);
	curl_easy_setopt(b->curl, CURLOPT_HEADERDATA, &b->headers);
	curl_easy_setopt(b->curl, CURLOPT_TIMEOUT, 30L);
}

void browser_free(struct browser *b)
{
	curl_easy_cleanup(b->curl);
	buf_free(&b->body);
	buf_free(&b->headers);
}

/* Remembers the csrf_token of the last page that carried one. */
static void pick_csrf(struct browser *b)
{
	const char *p = b->body.data ? strstr(b->body.data, "name=\"csrf_token\" value=\"") : NULL;
	if (p == NULL)
		return;
	p += strlen("name=\"csrf_token\" value=\"");
	size_t n = strcspn(p, "\"");
	if (n > 0 && n < sizeof(b->csrf)) {
		memcpy(b->csrf, p, n);
		b->csrf[n] = '\0';
	}
}

long browser_request(struct browser *b, const char *method, const char *path,
		     const char *const *headers, const char *body, size_t body_len)
{
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", test_base_url, path);
	buf_reset(&b->body);
	buf_reset(&b->headers);
	b->location[0] = '\0';
	curl_easy_setopt(b->curl, CURLOPT_URL, url);
	curl_easy_setopt(b->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(b->curl, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
	if (body != NULL) {
		curl_easy_setopt(b->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(b->curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	} else {
		curl_easy_setopt(b->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(b->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	struct curl_slist *hl = NULL;
	for (int i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(b->curl, CURLOPT_HTTPHEADER, hl);
	CURLcode rc = curl_easy_perform(b->curl);
	curl_slist_free_all(hl);
	curl_easy_setopt(b->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(b->curl, CURLOPT_POSTFIELDS, NULL);
	b->status = 0;
	if (rc != CURLE_OK) {
		fprintf(stderr, "request %s %s failed: %s\n", method, path, curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &b->status);
	browser_header(b, "Location", b->location, sizeof(b->location));
	pick_csrf(b);
	return b->status;
}

long browser_get(struct browser *b, const char *path)
{
	return browser_request(b, "GET", path, NULL, NULL, 0);
}

long browser_post(struct browser *b, const char *path, const char *form, int csrf)
{
	struct buf body = BUF_INIT;
	buf_puts(&body, form ? form : "");
	if (csrf && strstr(body.data ? body.data : "", "csrf_token=") == NULL) {
		if (body.len > 0)
			buf_putc(&body, '&');
		buf_puts(&body, "csrf_token=");
		buf_put_url(&body, b->csrf);
	}
	static const char *const h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	long st = browser_request(b, "POST", path, h, body.data ? body.data : "", body.len);
	buf_free(&body);
	return st;
}

/* POSTs email and password (the demo one when NULL) to a sign-in page after
 * a GET of it (its CSRF token). */
static long sign_in_form(struct browser *b, const char *page, const char *email, const char *password)
{
	browser_get(b, page);
	struct buf form = BUF_INIT;
	buf_puts(&form, "email=");
	buf_put_url(&form, email);
	buf_puts(&form, "&password=");
	buf_put_url(&form, password ? password : test_demo_password);
	long st = browser_post(b, page, form.data, 1);
	buf_free(&form);
	return st;
}

long browser_sign_in_agent(struct browser *b, const char *email, const char *password)
{
	return sign_in_form(b, "/agent/sign_in", email, password);
}

long browser_sign_in_user(struct browser *b, const char *email, const char *password)
{
	long st = sign_in_form(b, "/users/sign_in", email, password);
	if (st == 303)
		browser_get(b, "/users/informations");
	return st;
}

int browser_header(const struct browser *b, const char *name, char *out, size_t n)
{
	size_t len = strlen(name);
	const char *p = b->headers.data;
	while (p != NULL && *p) {
		if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
			p += len + 1;
			while (*p == ' ')
				p++;
			size_t m = strcspn(p, "\r\n");
			if (m >= n)
				m = n - 1;
			memcpy(out, p, m);
			out[m] = '\0';
			return 1;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (n > 0)
		out[0] = '\0';
	return 0;
}

int browser_body_has(const struct browser *b, const char *s)
{
	return b->body.data != NULL && strstr(b->body.data, s) != NULL;
}

int test_sql(const char *sql, char *out, size_t n)
{
	PGconn *c = PQconnectdb(getenv("DATABASE_URL"));
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return -1;
	}
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "test_sql: %s", PQerrorMessage(c));
	if (out != NULL && n > 0) {
		out[0] = '\0';
		if (ok && PQntuples(r) > 0 && PQnfields(r) > 0)
			snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

long browser_follow(struct browser *b)
{
	char loc[1024];
	snprintf(loc, sizeof(loc), "%s", b->location);
	return browser_get(b, loc);
}

long long test_sql_ll(const char *sql)
{
	char out[64] = "";
	if (test_sql(sql, out, sizeof(out)) != 0)
		return 0;
	return strtoll(out, NULL, 10);
}

static long long lookup_id(const char *sql_fmt, const char *value)
{
	/* test data only: quote doubling is enough for demo names */
	char quoted[512], sql[1024];
	size_t j = 0;
	for (size_t i = 0; value[i] && j + 2 < sizeof(quoted); i++) {
		if (value[i] == '\'')
			quoted[j++] = '\'';
		quoted[j++] = value[i];
	}
	quoted[j] = '\0';
	snprintf(sql, sizeof(sql), sql_fmt, quoted);
	return test_sql_ll(sql);
}

long long test_org_id(const char *name)
{
	return lookup_id("SELECT id FROM organisations WHERE name = '%s'", name);
}

long long test_agent_id(const char *email)
{
	return lookup_id("SELECT id FROM agents WHERE email = '%s'", email);
}

long long test_citizen(const char *email)
{
	return lookup_id("WITH e AS (SELECT '%s'::text AS email), ins AS (INSERT INTO users (first_name, last_name,"
			 " email, password_hash, email_confirmed_at, created_through) SELECT 'Test', 'Citoyen', e.email,"
			 " d.password_hash, now(), 'user_sign_up' FROM e, users d WHERE d.email = 'usager@demo.rdv-solidarites.fr'"
			 " ON CONFLICT DO NOTHING RETURNING id)"
			 " SELECT id FROM ins UNION ALL SELECT u.id FROM users u, e WHERE u.email = e.email", email);
}
