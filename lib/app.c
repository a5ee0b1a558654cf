/*
 * app.c - prefork master, worker threads, request context and dispatch (app.h).
 *
 * Process model: the master opens the unix socket and forks P workers; it
 * keeps the socket, so a worker that dies costs only its in-flight requests
 * and is re-forked at once. Each worker runs T threads blocked in
 * FCGX_Accept_r on the shared socket (no accept mutex: Linux does not need
 * one, and with keep-alive connections it would serialise every thread).
 * Stop: SIGTERM to the master is forwarded to the workers; a worker's main
 * thread, waiting in sigwait, sets the stop flag and shuts the listening
 * socket down so that threads blocked in accept() return, lets in-flight
 * requests finish for up to 10 s, then exits.
 */
#include "app.h"
#include "log.h"
#include "rdv.h"
#include "rls.h"

#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_DEADLINE_S 10

static volatile sig_atomic_t stopping;
static int listen_fd = -1;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cond = PTHREAD_COND_INITIALIZER;
static int live_threads;

struct app_state {
	const struct app_program *prog;
	struct conf conf;
	struct tmpl_set *tmpl;
};
static struct app_state state;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------- errors */

int app_status_of(int err)
{
	switch (err) {
	case RDV_ENOTFOUND: return 404;
	case RDV_EFORBIDDEN: return 403;
	case RDV_EINVAL: return 400;
	case RDV_ECONFLICT: return 409;
	case RDV_ETOOBIG: return 413;
	case RDV_EUNAVAIL: return 503;
	default: return 500;
	}
}

static const char *status_title(int status)
{
	switch (status) {
	case 400: return "Requête invalide";
	case 401: return "Connexion nécessaire";
	case 403: return "Accès refusé";
	case 404: return "Page introuvable";
	case 405: return "Méthode non autorisée";
	case 409: return "Conflit";
	case 413: return "Envoi trop volumineux";
	case 422: return "Données invalides";
	case 429: return "Trop de tentatives";
	case 503: return "Service momentanément indisponible";
	default: return "Erreur interne";
	}
}

static const char *status_message(int status)
{
	switch (status) {
	case 400: return "La requête envoyée n'est pas valide.";
	case 401: return "Vous devez vous connecter pour continuer.";
	case 403: return "Vous n'avez pas les droits nécessaires pour accéder à cette page.";
	case 404: return "La page que vous cherchez n'existe pas ou n'est plus disponible.";
	case 405: return "Cette action n'est pas possible sur cette page.";
	case 409: return "L'opération est en conflit avec une autre modification.";
	case 413: return "Le contenu envoyé dépasse la taille autorisée.";
	case 429: return "Trop de tentatives en peu de temps. Réessayez dans quelques minutes.";
	case 503: return "Le service est momentanément indisponible. Réessayez dans quelques instants.";
	default: return "Une erreur inattendue s'est produite. L'équipe technique a été prévenue.";
	}
}

static const char *status_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "payload_too_large";
	case 422: return "validation_failed";
	case 429: return "rate_limited";
	case 503: return "unavailable";
	default: return "internal_error";
	}
}

static int wants_json(const struct ctx *c)
{
	const struct route *r = c->match.route;
	if (r != NULL && (r->access == ROUTE_API || (r->flags & ROUTE_JSON)))
		return 1;
	return c->path != NULL && strncmp(c->path, "/api/", 5) == 0;
}

int app_json(struct ctx *c, int status, json_t *value)
{
	int rc = value ? http_json(&c->res, status, value) : RDV_ENOMEM;
	json_decref(value);
	return rc;
}

int app_json_error(struct ctx *c, int status, const char *code, const char *message, json_t *fields)
{
	json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (err != NULL && fields != NULL)
		json_object_set(err, "fields", fields);
	json_decref(fields);
	if (status == 429)
		http_add_header(&c->res, "Retry-After", "60");
	return app_json(c, status, json_pack("{s:o*}", "error", err));
}

int app_error(struct ctx *c, int status, const char *message)
{
	http_response_reset(&c->res);
	if (message == NULL)
		message = status_message(status);
	if (wants_json(c))
		return app_json_error(c, status, status_code(status), message, NULL);
	if (c->vars == NULL)
		c->vars = tmpl_vars_new(c->a);
	if (c->vars != NULL) {
		tmpl_set_int(c->vars, "status", status);
		tmpl_set_var(c->vars, "title", status_title(status));
		tmpl_set_var(c->vars, "error_message", message);
		tmpl_set_bool(c->vars, "show_sign_in", status == 401 || status == 403);
		if (app_render(c, status, "error.tmpl") == 0)
			return 0;
	}
	/* Templates missing or out of memory: a plain French sentence still. */
	http_response_reset(&c->res);
	return http_text(&c->res, status, message);
}

/* ----------------------------------------------------------- rendering */

int app_render(struct ctx *c, int status, const char *name)
{
	c->res.body.len = 0;
	int rc = tmpl_render(c->tmpl, name, c->vars, &c->res.body);
	if (rc != 0) {
		log_warnx("render %s: %s", name, rdv_strerror(rc));
		return rc;
	}
	c->res.status = status;
	c->res.content_type = "text/html; charset=utf-8";
	return 0;
}

const char *app_url(struct ctx *c, const char *path)
{
	return arena_printf(c->a, "%s%s", c->conf->base_path, path);
}

int app_redirect(struct ctx *c, const char *path)
{
	int post = c->req.method != HTTP_GET && c->req.method != HTTP_HEAD;
	c->res.body.len = 0;
	return http_redirect(&c->res, post ? 303 : 302, app_url(c, path));
}

static int cookie_flags(const struct ctx *c)
{
	return COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX | (c->req.https ? COOKIE_SECURE : 0);
}

static const char *cookie_path(struct ctx *c)
{
	return c->conf->base_path[0] ? arena_printf(c->a, "%s/", c->conf->base_path) : "/";
}

void app_flash(struct ctx *c, const char *kind, const char *message)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, kind);
	buf_putc(&b, ':');
	buf_put_url(&b, message);
	if (!b.oom)
		http_set_cookie(&c->res, "rdv_flash", b.data, cookie_path(c), 60, cookie_flags(c));
	buf_free(&b);
}

void app_csp_style_nonce(struct ctx *c)
{
	char *nonce = arena_alloc(c->a, AUTH_TOKEN_LEN + 1);
	if (nonce == NULL)
		return;
	auth_token_new(nonce);
	const char *csp = arena_printf(c->a,
		"default-src 'self'; script-src 'self'; style-src 'self' 'nonce-%s'; img-src 'self' data:;"
		" font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"
		" frame-ancestors 'none'", nonce);
	if (csp != NULL && http_add_header(&c->res, "Content-Security-Policy", csp) == 0)
		tmpl_set_var(c->vars, "csp_nonce", nonce);
}

const char *app_client_ip(const struct ctx *c)
{
	return c->req.remote_addr ? c->req.remote_addr : "";
}

/* ------------------------------------------------------------ identity */

static int route_has_secret(const struct route *r);

/* An agent's session comes with its role in the page's organisation and
 * declares the agent to the row-level security in the same round trip
 * (auth_agent_context), except on routes whose link secret is the wall. */
static int load_session(struct ctx *c, enum session_kind kind)
{
	const char *token = http_cookie(&c->req, kind == SESSION_AGENT ? "rdv_agent" : "rdv_usager");
	if (token == NULL)
		return RDV_ENOTFOUND;
	int rc = kind == SESSION_AGENT
		? auth_agent_context(c->db, c->a, token, route_id(&c->match, "org_id"),
				     !route_has_secret(c->match.route), &c->session)
		: auth_session_load(c->db, c->a, kind, token, &c->session);
	if (rc != 0)
		return rc;
	c->signed_in = 1;
	c->csrf = c->session.csrf;
	if (kind == SESSION_AGENT)
		c->agent_id = c->session.agent_id;
	else
		c->user_id = c->session.user_id;
	return 0;
}

/* Signed-out visitors get a pre-session CSRF token in a cookie of its own. */
static void ensure_csrf(struct ctx *c)
{
	if (c->csrf != NULL)
		return;
	const char *t = http_cookie(&c->req, "rdv_csrf");
	if (t != NULL && strlen(t) == AUTH_TOKEN_LEN) {
		c->csrf = t;
		return;
	}
	char *fresh = arena_alloc(c->a, AUTH_TOKEN_LEN + 1);
	if (fresh == NULL)
		return;
	auth_token_new(fresh);
	c->csrf = fresh;
	http_set_cookie(&c->res, "rdv_csrf", fresh, cookie_path(c), -1, cookie_flags(c));
}

static int csrf_ok(struct ctx *c)
{
	const char *sent = kv_get(&c->req.form, "csrf_token");
	if (sent == NULL)
		sent = http_header(&c->req, "x-csrf-token");
	if (sent == NULL || c->csrf == NULL || strlen(sent) != strlen(c->csrf))
		return 0;
	/* constant time: the token is a secret */
	unsigned char diff = 0;
	for (size_t i = 0; sent[i]; i++)
		diff |= (unsigned char)(sent[i] ^ c->csrf[i]);
	return diff == 0;
}

static int redirect_to_sign_in(struct ctx *c, const char *sign_in)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, sign_in);
	buf_puts(&b, "?return_to=");
	buf_put_url(&b, c->path);
	if (c->req.query_string[0]) {
		buf_put_url(&b, "?");
		buf_put_url(&b, c->req.query_string);
	}
	int rc = b.oom ? RDV_ENOMEM : app_redirect(c, b.data);
	buf_free(&b);
	return rc;
}

/* Enforces the route's access rule. 0 to go on, else the response is set. */
static int check_access(struct ctx *c)
{
	const struct route *r = c->match.route;
	int rc = 0;
	switch (r->access) {
	case ROUTE_PUBLIC:
		/* Public pages adapt to whoever is signed in (a citizen on the
		 * search program, an agent elsewhere). */
		rc = load_session(c, c->public_session);
		break;
	case ROUTE_AGENT:
		rc = load_session(c, SESSION_AGENT);
		if (rc == RDV_ENOTFOUND) {
			if (wants_json(c))
				app_error(c, 401, NULL);
			else
				redirect_to_sign_in(c, "/agent/sign_in");
			return 1;
		}
		break;
	case ROUTE_USER:
		rc = load_session(c, SESSION_USER);
		if (rc == RDV_ENOTFOUND) {
			redirect_to_sign_in(c, "/users/sign_in");
			return 1;
		}
		break;
	case ROUTE_API:
		rc = auth_api_agent(c->db, c->req.authorization, &c->agent_id);
		if (rc == RDV_ENOTFOUND) {
			app_json_error(c, 401, "unauthorized", "Jeton d'authentification absent ou invalide.", NULL);
			return 1;
		}
		return rc == 0 ? 0 : (app_error(c, app_status_of(rc), NULL), 1);
	}
	if (rc != 0 && rc != RDV_ENOTFOUND) {
		app_error(c, app_status_of(rc), NULL);
		return 1;
	}
	/* JSON answers and feeds carry no form: no pre-session CSRF cookie for them. */
	if (!wants_json(c) && !(r->flags & ROUTE_NO_CSRF))
		ensure_csrf(c);
	int changes = c->req.method != HTTP_GET && c->req.method != HTTP_HEAD;
	if (changes && !(r->flags & ROUTE_NO_CSRF) && !csrf_ok(c)) {
		app_error(c, 403, "Le formulaire a expiré ou ne provient pas de ce site. "
				  "Rechargez la page et recommencez.");
		return 1;
	}
	return 0;
}

/* ----------------------------------------------------------- dispatch */

static void page_vars(const struct app_program *prog, struct ctx *c)
{
	struct tmpl_vars *v = c->vars;
	tmpl_set_var(v, "base", c->conf->base_path);
	tmpl_set_var(v, "program", prog->name);
	tmpl_set_var(v, "path", c->path);
	tmpl_set_var(v, "csrf_token", c->csrf);
	if (c->signed_in) {
		tmpl_set_bool(v, "signed_in", 1);
		tmpl_set_bool(v, "agent_signed_in", c->agent_id != 0);
		tmpl_set_bool(v, "user_signed_in", c->user_id != 0);
		tmpl_set_var(v, "me_first_name", c->session.first_name);
		tmpl_set_var(v, "me_last_name", c->session.last_name);
		tmpl_set_var(v, "me_email", c->session.email);
	}
	const char *flash = http_cookie(&c->req, "rdv_flash");
	if (flash != NULL) {
		const char *colon = strchr(flash, ':');
		char *msg = NULL;
		if (colon != NULL &&
		    http_percent_decode(c->a, colon + 1, strlen(colon + 1), 0, &msg) == 0) {
			tmpl_set_var(v, "flash_kind", arena_strndup(c->a, flash, (size_t)(colon - flash)));
			tmpl_set_var(v, "flash_message", msg);
		}
		http_set_cookie(&c->res, "rdv_flash", "", cookie_path(c), 0, cookie_flags(c));
	}
	if (prog->page_vars != NULL)
		prog->page_vars(c);
}

static void handle_healthz(struct ctx *c)
{
	PGresult *r = db_q(c->db, "SELECT 1");
	if (r == NULL) {
		http_text(&c->res, 503, "base de données indisponible\n");
		return;
	}
	PQclear(r);
	http_text(&c->res, 200, "ok\n");
}

static const char *strip_base(const struct conf *conf, const char *path)
{
	size_t n = strlen(conf->base_path);
	if (n > 0 && strncmp(path, conf->base_path, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return path[n] ? path + n : "/";
	return path;
}

/* Routes with a "*" parameter carry a secret (the token of a link). */
static int route_has_secret(const struct route *r)
{
	return r != NULL && strchr(r->pattern, '*') != NULL;
}

/* Tells the row-level security (rls.h) who is acting: the signed-in agent,
 * else the citizen, else nobody ('public'). Fails closed: the actor travels
 * with the next query, which does not run when it cannot be set; a lost
 * connection is fine: the reconnection sends this actor again. */
static int declare_actor(struct ctx *c)
{
	int rc = rls_set_actor(c->db, c->agent_id, c->user_id);
	if (rc == 0 || rc == RDV_EUNAVAIL)
		return 0;
	app_error(c, 503, NULL);
	return 1;
}

void app_handle(const struct app_program *prog, struct ctx *c)
{
	c->path = strip_base(c->conf, c->req.path ? c->req.path : "/");
	c->public_session = prog->public_session;
	if (strcmp(c->path, "/healthz") == 0 || (strncmp(c->path, "/", 1) == 0 &&
	    strlen(c->path) > 8 && strcmp(c->path + strlen(c->path) - 8, "/healthz") == 0)) {
		handle_healthz(c);
		return;
	}
	int status = route_find_in(prog->tables, prog->n_tables, c->req.method, c->path, &c->match);
	if (status != 0) {
		app_error(c, status, NULL);
		return;
	}
	int rc = http_request_parse_body_and_query(c->a, &c->req);
	if (rc != 0) {
		app_error(c, rc == RDV_ETOOBIG ? 413 : 400,
			  rc == RDV_ETOOBIG ? NULL : "Les données envoyées sont mal formées (encodage ou format invalide).");
		return;
	}
	c->vars = tmpl_vars_new(c->a);
	if (c->vars == NULL) {
		http_text(&c->res, 503, status_message(503));
		return;
	}
	/* Nobody is acting until the session or token is known: nothing
	 * carries over from the connection's previous request. */
	if (declare_actor(c) != 0)
		return;
	if (check_access(c) != 0)
		return;
	/* A link's secret is the wall of its route, whoever is signed in (a
	 * parent opening the link of another family's RDV, a calendar feed). */
	if ((c->agent_id != 0 || c->user_id != 0) && !route_has_secret(c->match.route) && declare_actor(c) != 0)
		return;
	page_vars(prog, c);
	rc = c->match.route->handler(c);
	if (c->db->in_tx)
		db_rollback(c->db);   /* a handler that returned early never leaves a transaction open */
	if (rc < 0)
		app_error(c, app_status_of(rc), NULL);
}

/* -------------------------------------------------- FastCGI plumbing */

static int fcgx_write(void *arg, const char *data, size_t n)
{
	FCGX_Request *rq = arg;
	return FCGX_PutStr(data, (int)n, rq->out) == (int)n ? 0 : -1;
}

static const char *param(struct ctx *c, FCGX_Request *rq, const char *name)
{
	const char *v = FCGX_GetParam(name, rq->envp);
	return v ? arena_strdup(c->a, v) : NULL;
}

static void read_headers(struct ctx *c, FCGX_Request *rq)
{
	for (char **e = rq->envp; *e != NULL; e++) {
		if (strncmp(*e, "HTTP_", 5) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (eq == NULL)
			continue;
		char *name = arena_strndup(c->a, *e + 5, (size_t)(eq - *e - 5));
		if (name == NULL)
			continue;
		for (char *p = name; *p; p++)
			*p = *p == '_' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		kv_add(c->a, &c->req.headers, name, arena_strdup(c->a, eq + 1));
	}
}

/* Reads exactly CONTENT_LENGTH bytes. Returns 0, RDV_ETOOBIG (413) or
 * RDV_EINVAL (400). An oversized body is drained so that the kept
 * connection stays usable for the next request. */
static int read_body(struct ctx *c, FCGX_Request *rq)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", rq->envp);
	c->req.body = "";
	c->req.body_len = 0;
	if (cl == NULL || cl[0] == '\0')
		return 0;
	char *end;
	errno = 0;
	long long len = strtoll(cl, &end, 10);
	if (errno != 0 || *end != '\0' || len < 0)
		return RDV_EINVAL;
	if ((size_t)len > c->conf->max_body) {
		char sink[8192];
		while (FCGX_GetStr(sink, sizeof(sink), rq->in) > 0)
			;
		return RDV_ETOOBIG;
	}
	char *body = arena_alloc(c->a, (size_t)len + 1);
	if (body == NULL)
		return RDV_ENOMEM;
	size_t got = 0;
	while (got < (size_t)len) {
		int n = FCGX_GetStr(body + got, (int)((size_t)len - got), rq->in);
		if (n <= 0)
			return RDV_EINVAL;
		got += (size_t)n;
	}
	body[got] = '\0';
	c->req.body = body;
	c->req.body_len = got;
	return 0;
}

static int fill_request(struct ctx *c, FCGX_Request *rq)
{
	struct http_request *req = &c->req;
	memset(req, 0, sizeof(*req));
	req->method_name = param(c, rq, "REQUEST_METHOD");
	req->method = http_method_parse(req->method_name ? req->method_name : "");
	req->path = param(c, rq, "DOCUMENT_URI");
	if (req->path == NULL)
		req->path = "/";
	const char *qs = param(c, rq, "QUERY_STRING");
	req->query_string = qs ? qs : "";
	const char *ct = param(c, rq, "CONTENT_TYPE");
	req->content_type = ct ? ct : "";
	req->remote_addr = param(c, rq, "REMOTE_ADDR");
	req->user_agent = param(c, rq, "HTTP_USER_AGENT");
	req->authorization = param(c, rq, "HTTP_AUTHORIZATION");
	const char *https = param(c, rq, "HTTPS");
	const char *xfp = param(c, rq, "HTTP_X_FORWARDED_PROTO");
	req->https = (https != NULL && strcmp(https, "on") == 0) ||
		     (c->conf->trusted_proxy && xfp != NULL && strcmp(xfp, "https") == 0);
	read_headers(c, rq);
	const char *cookies = param(c, rq, "HTTP_COOKIE");
	if (cookies != NULL)
		http_parse_cookies(c->a, cookies, &req->cookies);
	if (!utf8_valid(req->path, strlen(req->path)))
		return RDV_EINVAL;
	return read_body(c, rq);
}

static void send_response(struct ctx *c, FCGX_Request *rq)
{
	if (c->res.streaming)
		return;
	struct buf head = BUF_INIT;
	http_response_head(&c->res, &head);
	FCGX_PutStr(head.data, (int)head.len, rq->out);
	if (c->req.method != HTTP_HEAD && c->res.body.len > 0)
		FCGX_PutStr(c->res.body.data, (int)c->res.body.len, rq->out);
	buf_free(&head);
}

/* The path for the access log: routes with a secret are logged by their pattern. */
static const char *log_path(const struct ctx *c)
{
	const struct route *r = c->match.route;
	if (route_has_secret(r))
		return r->pattern;
	return c->req.path ? c->req.path : "-";
}

static void *thread_main(void *arg)
{
	(void)arg;
	FCGX_Request rq;
	struct ctx c;
	memset(&c, 0, sizeof(c));
	c.conf = &state.conf;
	c.tmpl = state.tmpl;
	c.a = arena_new(64 * 1024);
	c.db = db_open(state.conf.database_url, state.conf.program);
	if (c.a == NULL || c.db == NULL || FCGX_InitRequest(&rq, listen_fd, 0) != 0) {
		log_warnx("thread start failed");
		goto out;
	}
	http_response_init(&c.res);
	while (!stopping && FCGX_Accept_r(&rq) >= 0) {
		long long t0 = now_us();
		c.res.write = fcgx_write;
		c.res.write_ctx = &rq;
		int rc = fill_request(&c, &rq);
		if (rc != 0) {
			c.path = "/";
			app_error(&c, rc == RDV_ETOOBIG ? 413 : rc == RDV_ENOMEM ? 503 : 400, NULL);
		} else {
			app_handle(state.prog, &c);
		}
		send_response(&c, &rq);
		log_request(c.req.method_name ? c.req.method_name : "-", log_path(&c),
			    c.res.status, now_us() - t0);
		FCGX_Finish_r(&rq);
		http_request_clear(&c.req);
		http_response_reset(&c.res);
		memset(&c.match, 0, sizeof(c.match));
		memset(&c.session, 0, sizeof(c.session));
		c.signed_in = 0;
		c.agent_id = c.user_id = 0;
		c.csrf = NULL;
		c.vars = NULL;
		c.path = NULL;
		arena_reset(c.a);
	}
	FCGX_Free(&rq, 1);
out:
	http_response_free(&c.res);
	db_close(c.db);
	arena_free(c.a);
	pthread_mutex_lock(&live_lock);
	live_threads--;
	pthread_cond_signal(&live_cond);
	pthread_mutex_unlock(&live_lock);
	return NULL;
}

static void worker_main(void)
{
	FCGX_Init();
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	live_threads = state.conf.threads;
	for (int i = 0; i < state.conf.threads; i++) {
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 512 * 1024);
		if (pthread_create(&t, &attr, thread_main, NULL) != 0) {
			log_warn("pthread_create");
			_exit(1);
		}
		pthread_attr_destroy(&attr);
	}
	int sig;
	sigwait(&set, &sig);
	stopping = 1;
	/* Wakes the threads blocked in accept(); in-flight requests go on. */
	shutdown(listen_fd, SHUT_RDWR);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += STOP_DEADLINE_S;
	pthread_mutex_lock(&live_lock);
	while (live_threads > 0)
		if (pthread_cond_timedwait(&live_cond, &live_lock, &deadline) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&live_lock);
	_exit(0);
}

static int open_socket(const char *path)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0660) != 0 || listen(fd, 1024) != 0) {
		log_warn("socket %s", path);
		return -1;
	}
	/* The child inherits it; CLOEXEC only protects against exec. */
	return fd;
}

static pid_t spawn_worker(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		worker_main();
	}
	if (pid < 0)
		log_warn("fork");
	return pid;
}

/* The master: keeps P workers alive until SIGTERM/SIGINT. */
static int master_loop(void)
{
	int n = state.conf.processes;
	pid_t *pids = calloc((size_t)n, sizeof(pid_t));
	if (pids == NULL)
		return 1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < n; i++)
		pids[i] = spawn_worker();
	log_info("listening on %s: %d processes x %d threads", state.conf.socket_path, n, state.conf.threads);
	for (;;) {
		int sig;
		sigwait(&set, &sig);
		if (sig != SIGCHLD)
			break;
		pid_t dead;
		int status;
		while ((dead = waitpid(-1, &status, WNOHANG)) > 0) {
			for (int i = 0; i < n; i++) {
				if (pids[i] != dead)
					continue;
				log_warnx("worker %d ended (%s %d), starting another", (int)dead,
					  WIFSIGNALED(status) ? "signal" : "status",
					  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				usleep(100 * 1000);   /* no busy loop if it crashes at start */
				pids[i] = spawn_worker();
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < n; i++) {
		for (int waited = 0; pids[i] > 0 && waited < (STOP_DEADLINE_S + 2) * 10; waited++) {
			if (waitpid(pids[i], NULL, WNOHANG) == pids[i])
				pids[i] = 0;
			else
				usleep(100 * 1000);
		}
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	}
	unlink(state.conf.socket_path);
	free(pids);
	log_info("stopped");
	return 0;
}

/* `rdv-<prog> --routes`: one line per route (method, pattern, access), so
 * that tests (the IDOR sweep) derive their cases from the real tables. */
static int print_routes(const struct app_program *prog)
{
	static const char *const access[] = {"public", "agent", "user", "api"};
	for (size_t t = 0; t < prog->n_tables; t++) {
		const struct route_table *tab = prog->tables[t];
		for (size_t i = 0; tab != NULL && i < tab->n; i++)
			printf("%s %s %s%s\n", http_method_name(tab->routes[i].method), tab->routes[i].pattern,
			       access[tab->routes[i].access], tab->routes[i].flags & ROUTE_JSON ? " json" : "");
	}
	return 0;
}

int app_main(const struct app_program *prog)
{
	const char *argv1 = getenv("RDV_PRINT_ROUTES");
	if (argv1 != NULL && argv1[0] == '1')
		return print_routes(prog);
	state.prog = prog;
	conf_load(&state.conf, prog->name);
	log_set_program(prog->name);
	if (state.conf.socket_path == NULL) {
		fprintf(stderr, "rdv-%s: RDV_SOCKET is not set\n", prog->name);
		return 2;
	}
	if (auth_init() != 0) {
		fprintf(stderr, "rdv-%s: libsodium initialisation failed\n", prog->name);
		return 1;
	}
	char err[512];
	state.tmpl = tmpl_load_dir(state.conf.templates_dir, err, sizeof(err));
	if (state.tmpl == NULL) {
		fprintf(stderr, "rdv-%s: templates: %s\n", prog->name, err);
		return 1;
	}
	listen_fd = open_socket(state.conf.socket_path);
	if (listen_fd < 0)
		return 1;
	int rc = master_loop();
	tmpl_set_free(state.tmpl);
	return rc;
}
