/*
 * app.h - the FastCGI program skeleton every cgi-bin program runs on.
 *
 * Owns: the prefork master (listening unix socket, P worker processes
 * re-forked when they die), the T threads of each worker (each with its own
 * PostgreSQL connection, arena and response), the per-request context, the
 * access check of a route (agent / citizen session, API token, CSRF) before
 * the handler runs, error pages (French HTML, or JSON for the API), /healthz,
 * the access log, and graceful stop on SIGTERM.
 *
 * A handler receives a struct ctx whose memory belongs to the request: every
 * string in it is valid until the request ends. It fills c->res (usually via
 * app_render, app_redirect or app_json) and returns 0, or returns a negative
 * rdv_err and lets app answer with the matching error page.
 */
#ifndef RDV_APP_H
#define RDV_APP_H

#include <jansson.h>

#include "arena.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "route.h"
#include "tmpl.h"

struct ctx {
	const struct conf *conf;
	const struct tmpl_set *tmpl;
	struct arena *a;
	struct db *db;
	struct http_request req;
	struct http_response res;
	struct route_match match;
	const char *path;              /* request path without the base path */
	/* who is calling */
	int signed_in;                 /* an agent or citizen session was loaded */
	struct session session;
	long long agent_id;            /* agent session or API token, else 0 */
	long long user_id;             /* citizen session, else 0 */
	const char *csrf;              /* the token forms must carry */
	struct tmpl_vars *vars;        /* root variables of the page being built */
	enum session_kind public_session;  /* which session public routes look for */
};

struct app_program {
	const char *name;              /* "booking", … */
	const struct route_table *const *tables;  /* entries may be NULL (weak, not linked) */
	size_t n_tables;
	/* Public routes load this kind of session (citizens on search). */
	enum session_kind public_session;
	/* Optional: adds program-wide variables (navigation, …) to every page. */
	void (*page_vars)(struct ctx *c);
};

/* Runs the program: parses the configuration, compiles the templates, opens
 * the socket, forks and serves until SIGTERM. Returns the exit status.
 * With RDV_PRINT_ROUTES=1 in the environment it only prints its route table
 * ("METHOD pattern access [json]" per line) and exits: the IDOR sweep of the
 * tests derives its cases from it. */
int app_main(const struct app_program *prog);

/* Handles one request whose raw fields are already in c (exposed for tests:
 * tests/unit drive it without FastCGI). */
void app_handle(const struct app_program *prog, struct ctx *c);

/* Renders templates/<name> into c->res with c->vars. */
int app_render(struct ctx *c, int status, const char *name);
/* French error page, or JSON {"error": {code, message}} on API routes. */
int app_error(struct ctx *c, int status, const char *message);
/* JSON error per api.md; fields may be NULL (stolen reference otherwise). */
int app_json_error(struct ctx *c, int status, const char *code, const char *message, json_t *fields);
/* JSON answer; steals the reference to value. */
int app_json(struct ctx *c, int status, json_t *value);
/* Redirect to a local path (base path prepended); 303 after a POST. */
int app_redirect(struct ctx *c, const char *path);
/* A message shown once on the next page (cookie "rdv_flash"). kind: "success", "info", "error". */
void app_flash(struct ctx *c, const char *kind, const char *message);
/* base path + path, in the arena. */
const char *app_url(struct ctx *c, const char *path);
/* The client address (after nginx's realip). */
const char *app_client_ip(const struct ctx *c);
/* For a page whose script injects a <style> element (FullCalendar): sends
 * the site's policy plus a fresh style nonce, exposed to the templates as
 * csp_nonce (partials/head.tmpl emits <meta name="csp-nonce">). Scripts stay
 * 'self' only. */
void app_csp_style_nonce(struct ctx *c);
/* Maps an rdv_err to an HTTP status. */
int app_status_of(int err);

#endif
