/*
 * conf.h - configuration of a program, read once at start from the environment
 * (systemd EnvironmentFile in production, stack.sh locally). Immutable after
 * conf_load(); shared read-only by every thread.
 *
 *   DATABASE_URL        libpq connection string (default: the local cluster of make run)
 *   RDV_SOCKET          unix socket the FastCGI program listens on
 *   RDV_PROCESSES       worker processes per program (default 2)
 *   RDV_THREADS         threads per process, each with its own PostgreSQL connection (default 4)
 *   RDV_TEMPLATES       templates directory (default <checkout>/templates)
 *   RDV_BASE_PATH       sub-path the site is mounted under, e.g. "/rdv" (default "")
 *   RDV_PUBLIC_URL      absolute base URL for links in e-mails, ICS and webhooks
 *   RDV_STATE           state directory (var/): mail sink, exports tmpdir
 *   RDV_MAX_BODY        request body cap in bytes (default 1 MiB)
 *   RDV_TRUSTED_PROXY   "1" when X-Forwarded-Proto from nginx may be trusted
 *   RDV_SECRET          server secret (HMAC of CSRF/links); random per start if absent
 */
#ifndef RDV_CONF_H
#define RDV_CONF_H

#include <stddef.h>

struct conf {
	const char *program;       /* "booking", "search", … (static string) */
	const char *database_url;
	const char *socket_path;
	int processes;
	int threads;
	const char *templates_dir;
	const char *base_path;
	const char *public_url;
	const char *state_dir;
	size_t max_body;
	int trusted_proxy;
};

/* Fills c from the environment; strings point into the environment or to
 * static defaults (never freed). Returns 0 or RDV_EINVAL with a message on
 * stderr for an unparsable number. */
int conf_load(struct conf *c, const char *program);

/* A positive integer from the environment, or def when unset or invalid. */
long conf_env_long(const char *name, long def, long min, long max);

#endif
