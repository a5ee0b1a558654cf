/* conf.c - program configuration from the environment (conf.h). */
#include "conf.h"
#include "rdv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef RDV_DEFAULT_DATABASE_URL
#define RDV_DEFAULT_DATABASE_URL "postgresql:///rdv"
#endif
#ifndef RDV_DEFAULT_ROOT
#define RDV_DEFAULT_ROOT "."
#endif

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v != NULL && v[0] != '\0' ? v : def;
}

long conf_env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	if (v == NULL || v[0] == '\0')
		return def;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "config: %s=%s is not a number between %ld and %ld, using %ld\n",
			name, v, min, max, def);
		return def;
	}
	return n;
}

int conf_load(struct conf *c, const char *program)
{
	c->program = program;
	c->database_url = env_or("DATABASE_URL", RDV_DEFAULT_DATABASE_URL);
	c->socket_path = env_or("RDV_SOCKET", NULL);
	c->processes = (int)conf_env_long("RDV_PROCESSES", 2, 1, 64);
	c->threads = (int)conf_env_long("RDV_THREADS", 4, 1, 256);
	c->templates_dir = env_or("RDV_TEMPLATES", RDV_DEFAULT_ROOT "/templates");
	c->base_path = env_or("RDV_BASE_PATH", "");
	c->public_url = env_or("RDV_PUBLIC_URL", "http://127.0.0.1:8080");
	c->state_dir = env_or("RDV_STATE", RDV_DEFAULT_ROOT "/var");
	c->max_body = (size_t)conf_env_long("RDV_MAX_BODY", 1024 * 1024, 1024, 64L * 1024 * 1024);
	c->trusted_proxy = conf_env_long("RDV_TRUSTED_PROXY", 1, 0, 1) == 1;
	return 0;
}
