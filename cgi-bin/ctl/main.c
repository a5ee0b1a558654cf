/*
 * rdv-ctl - command-line tool for operators and for make:
 *
 *   rdv-ctl migrate                  apply the sql/migrations files not yet applied (each in a transaction)
 *   rdv-ctl hash-password PASSWORD   print an argon2id hash (demo data, first admin)
 *   rdv-ctl set-password EMAIL       read a password on stdin and set it for that agent
 *   rdv-ctl token EMAIL              create an API token for that agent and print it
 *
 * Uses DATABASE_URL (default: the local cluster of make run) and RDV_ROOT for sql/.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "valid.h"

#ifndef RDV_DEFAULT_ROOT
#define RDV_DEFAULT_ROOT "."
#endif

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
	return out->oom ? -1 : 0;
}

/* Applies one migration file and records it, in one transaction. */
static int apply_one(PGconn *conn, const char *dir, const char *name)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct buf sql = BUF_INIT;
	if (read_file(path, &sql) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	PGresult *r = PQexec(conn, "BEGIN");
	PQclear(r);
	r = PQexec(conn, sql.data);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "migration %s failed: %s", name, PQerrorMessage(conn));
	PQclear(r);
	buf_free(&sql);
	if (ok) {
		const char *params[] = {name};
		r = PQexecParams(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, NULL, params, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	r = PQexec(conn, ok ? "COMMIT" : "ROLLBACK");
	PQclear(r);
	if (ok)
		printf("migration appliquée : %s\n", name);
	return ok ? 0 : -1;
}

static int is_applied(PGconn *conn, const char *name)
{
	const char *params[] = {name};
	PGresult *r = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL, params, NULL, NULL, 0);
	int applied = PQntuples(r) == 1;
	PQclear(r);
	return applied;
}

static int cmd_migrate(const struct conf *conf)
{
	const char *root = getenv("RDV_ROOT") ? getenv("RDV_ROOT") : RDV_DEFAULT_ROOT;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/sql/migrations", root);
	PGconn *conn = PQconnectdb(conf->database_url);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "connexion impossible : %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	PGresult *r = PQexec(conn, "SET client_min_messages = warning;"
				   "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,"
				   " applied_at timestamptz NOT NULL DEFAULT now());"
				   "SELECT pg_advisory_lock(7301)");   /* one migrator at a time */
	PQclear(r);
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "no directory %s\n", dir);
		PQfinish(conn);
		return 1;
	}
	char *names[1024];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 1024) {
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(char *), cmp_names);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && !is_applied(conn, names[i]) && apply_one(conn, dir, names[i]) != 0)
			rc = 1;
		free(names[i]);
	}
	PQfinish(conn);
	return rc;
}

static int cmd_hash(const char *password)
{
	char hash[AUTH_PWHASH_LEN];
	if (auth_password_hash(password, hash) != 0)
		return 1;
	printf("%s\n", hash);
	return 0;
}

static long long agent_by_email(struct db *db, const char *email)
{
	PGresult *r = db_q(db, "SELECT id FROM agents WHERE email = $1 AND deleted_at IS NULL", email);
	long long id = r != NULL && PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
	PQclear(r);
	return id;
}

static int cmd_token(const struct conf *conf, const char *email)
{
	struct db *db = db_open(conf->database_url, "ctl");
	long long id = db ? agent_by_email(db, email) : 0;
	char token[AUTH_TOKEN_LEN + 1];
	int rc = 1;
	if (id == 0)
		fprintf(stderr, "aucun agent actif avec l'e-mail %s\n", email);
	else if (auth_api_token_create(db, id, "make token", token) == 0) {
		printf("%s\n", token);
		rc = 0;
	}
	db_close(db);
	return rc;
}

static int cmd_set_password(const struct conf *conf, const char *email)
{
	char line[1024];
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	line[strcspn(line, "\r\n")] = '\0';
	const char *msg;
	if (valid_password(line, &msg) != 0) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	char hash[AUTH_PWHASH_LEN];
	struct db *db = db_open(conf->database_url, "ctl");
	int rc = db && auth_password_hash(line, hash) == 0 &&
		 db_x(db, "UPDATE agents SET password_hash = $2 WHERE email = $1", email, hash) == 0 ? 0 : 1;
	db_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	struct conf conf;
	conf_load(&conf, "ctl");
	if (auth_init() != 0)
		return 1;
	if (argc == 2 && strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(&conf);
	if (argc == 3 && strcmp(argv[1], "hash-password") == 0)
		return cmd_hash(argv[2]);
	if (argc == 3 && strcmp(argv[1], "token") == 0)
		return cmd_token(&conf, argv[2]);
	if (argc == 3 && strcmp(argv[1], "set-password") == 0)
		return cmd_set_password(&conf, argv[2]);
	fprintf(stderr, "usage: rdv-ctl migrate | hash-password PASSWORD | set-password EMAIL | token EMAIL\n");
	return 2;
}
