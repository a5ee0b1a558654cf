/*
 * client.h - a small HTTP client for the black-box suites (libcurl), one
 * "browser" per simulated person: it keeps cookies, remembers the last CSRF
 * token seen in a page, and signs in as a demo agent or citizen.
 *
 * Responses are owned by the browser and overwritten by the next request.
 */
#ifndef RDV_TEST_CLIENT_H
#define RDV_TEST_CLIENT_H

#include <curl/curl.h>

#include "buf.h"

struct browser {
	CURL *curl;
	long status;
	struct buf body;        /* last response body */
	struct buf headers;     /* last response headers, raw */
	char csrf[128];         /* last csrf_token seen in a page */
	char location[1024];    /* Location header of the last response */
};

extern const char *test_base_url;      /* RDV_TEST_URL */
extern const char *test_demo_password; /* RDV_DEMO_PASSWORD */

void browser_init(struct browser *b);
void browser_free(struct browser *b);

/* Each returns the HTTP status (0 on transport error). Redirects are NOT followed. */
long browser_get(struct browser *b, const char *path);
/* form: a urlencoded body; the browser's CSRF token is appended unless the
 * body already has one or csrf is 0. */
long browser_post(struct browser *b, const char *path, const char *form, int csrf);
/* Raw request: method, extra header lines (NULL-terminated array), body. */
long browser_request(struct browser *b, const char *method, const char *path,
		     const char *const *headers, const char *body, size_t body_len);

/* GET the sign-in page (to pick up the CSRF token), then POST credentials.
 * Returns the status of the POST (303 on success). */
long browser_sign_in_agent(struct browser *b, const char *email, const char *password);
/* The same for a citizen (/users/sign_in); on success the session's CSRF
 * token is picked up from a signed-in page. */
long browser_sign_in_user(struct browser *b, const char *email, const char *password);

/* Value of a response header (case-insensitive) into out; 1 if present. */
int browser_header(const struct browser *b, const char *name, char *out, size_t n);
/* 1 when the last body contains s. */
int browser_body_has(const struct browser *b, const char *s);

/* Runs a SQL statement on the test database with psql-free libpq; returns the
 * first cell of the first row in out (may be NULL). 0 on success. */
int test_sql(const char *sql, char *out, size_t n);
/* The first cell of a SQL query as a number; 0 when none or on error. */
long long test_sql_ll(const char *sql);

/* GET the Location of the last response (one redirect step). */
long browser_follow(struct browser *b);

/* Id of a demo organisation by name ("MDS d'Arras"), or 0. */
long long test_org_id(const char *name);
/* Id of a demo agent by e-mail, or 0. */
long long test_agent_id(const char *email);
/* A confirmed citizen account with the demo password (created once), its id or 0. */
long long test_citizen(const char *email);

#endif
