/*
 * route.h - method + path pattern → handler, with typed path parameters.
 *
 * Patterns are literal segments and parameters:
 *   ":name"  a positive 64-bit integer id (anything else does not match → 404)
 *   "*name"  a non-empty string segment (tokens, slugs)
 * e.g. "/agent/organisations/:org_id/rdvs/:id". A HEAD request matches GET
 * routes. A path that matches a pattern under another method gives 405.
 *
 * A program's route table is a static array (kcgi/redis command-table style);
 * nothing is allocated: parameter values point into the path copy in
 * struct route_match, which lives as long as the request.
 */
#ifndef RDV_ROUTE_H
#define RDV_ROUTE_H

#include <stddef.h>

#include "http.h"

#define ROUTE_MAX_PARAMS 6
#define ROUTE_MAX_PATH 1024

struct ctx;
typedef int (*route_handler)(struct ctx *c);

/* Who may call a route; lib/app enforces it before the handler runs. */
enum route_access {
	ROUTE_PUBLIC = 0,      /* anyone */
	ROUTE_AGENT,           /* a signed-in agent (else redirect to sign-in) */
	ROUTE_USER,            /* a signed-in citizen (else redirect to sign-in) */
	ROUTE_API,             /* a bearer token (else 401 JSON) */
};

enum route_flags {
	ROUTE_NO_CSRF = 1,     /* no form involved (feeds, machine POSTs): no CSRF check, no CSRF cookie */
	ROUTE_JSON = 2,        /* errors answered as JSON */
};

struct route {
	enum http_method method;
	const char *pattern;
	route_handler handler;
	enum route_access access;
	unsigned flags;
};

struct route_match {
	const struct route *route;
	int n;
	const char *names[ROUTE_MAX_PARAMS];   /* point into the pattern */
	const char *values[ROUTE_MAX_PARAMS];  /* point into buf */
	long long ids[ROUTE_MAX_PARAMS];       /* parsed ":" parameters, 0 for "*" ones */
	char buf[ROUTE_MAX_PATH];
};

/* A program's routes come in several tables, one per resource file; each
 * file defines its own with ROUTE_TABLE(name, {…}, {…}). */
struct route_table {
	const struct route *routes;
	size_t n;
};
#define ROUTE_TABLE(name, ...) \
	static const struct route name##_rows[] = {__VA_ARGS__}; \
	const struct route_table name = {name##_rows, sizeof(name##_rows) / sizeof(name##_rows[0])}

/* Searches a NULL-terminated list of tables (NULL entries before the end are
 * skipped: a table may be a weak symbol not linked in). Same answers as
 * route_find. */
int route_find_in(const struct route_table *const *tables, size_t n_tables, enum http_method method,
		  const char *path, struct route_match *m);

/* 0 when a route matched (m filled), 405 when the path exists under other
 * methods, 404 otherwise. */
int route_find(const struct route *table, size_t n, enum http_method method, const char *path,
	       struct route_match *m);

/* The id of ":name", or 0 when absent. */
long long route_id(const struct route_match *m, const char *name);
/* The value of a parameter ("*name" or ":name"), or NULL. */
const char *route_str(const struct route_match *m, const char *name);

#endif
