/*
 * db.h - PostgreSQL access: one struct db per thread, never shared.
 *
 * Owns: the connection (from DATABASE_URL), reconnection after the server
 * restarted, the per-connection cache of prepared statements (every statement
 * is prepared once, keyed by its SQL text, and re-prepared after a reconnect),
 * transactions with retry on serialization failures, and the mapping of
 * SQLSTATE to rdv_err codes. Only $n parameters: there is no function here
 * that splices a value into SQL text.
 *
 * Results: db_query() returns a PGresult the caller must PQclear(), or NULL
 * with db->err set (RDV_ECONFLICT, RDV_EINVAL, RDV_ERETRY, RDV_EUNAVAIL,
 * RDV_EDB). SQL text passed to db_query must be a string constant (the cache
 * keeps a copy keyed by its content; dynamic SQL would grow it without end).
 */
#ifndef RDV_DB_H
#define RDV_DB_H

#include <libpq-fe.h>

#include "arena.h"

struct db_stmt {
	char *sql;        /* malloc'd copy */
	unsigned hash;
	int prepared;
};

#define DB_STMT_CACHE 512

/* A session setting sent together with the next statement (db_set_session). */
#define DB_SESSION_PARAMS 3
struct db_session {
	const char *sql;            /* string constant; NULL: none */
	int nparams;
	char params[DB_SESSION_PARAMS][32];
	int pending;                /* not yet in effect on the connection */
	int in_tx;                  /* carried by a transaction not yet committed */
};

struct db {
	PGconn *conn;               /* NULL while disconnected */
	struct db_session session;
	char *conninfo;             /* malloc'd */
	char *appname;              /* malloc'd */
	struct db_stmt stmts[DB_STMT_CACHE];
	int in_tx;
	int begin_deferred;         /* db_begin_generic: BEGIN not sent yet */
	int err;                    /* last rdv_err */
	char sqlstate[6];
	char message[256];          /* last server message, for logs only */
	char constraint[64];        /* constraint name of the last violation */
};

/* Allocates and tries to connect; a server that is down is not an error here
 * (the first query reports RDV_EUNAVAIL). Free with db_close(). */
struct db *db_open(const char *conninfo, const char *appname);
void db_close(struct db *db);

/* Connected and usable? Reconnects if needed. 0 or RDV_EUNAVAIL. */
int db_ensure(struct db *db);

PGresult *db_query(struct db *db, const char *sql, int nparams, const char *const *params);

/* db_q(db, "SELECT … WHERE id = $1", id_str): parameter count from the arguments. */
#define db_q(db, sql, ...) \
	db_query((db), (sql), (int)(sizeof((const char *[]){NULL, ##__VA_ARGS__}) / sizeof(const char *)) - 1, \
		 (const char *const *)((const char *[]){NULL, ##__VA_ARGS__}) + 1)

/* Runs a statement whose result is not needed: 0 or the error code. */
int db_exec(struct db *db, const char *sql, int nparams, const char *const *params);
#define db_x(db, sql, ...) \
	db_exec((db), (sql), (int)(sizeof((const char *[]){NULL, ##__VA_ARGS__}) / sizeof(const char *)) - 1, \
		(const char *const *)((const char *[]){NULL, ##__VA_ARGS__}) + 1)

/* Declares a session-level setting statement (a SELECT of set_config(…,
 * false)) that every later statement of this connection must see. Nothing
 * is sent now: it travels in the same round trip as the next statement (one
 * pipeline, one implicit transaction: if it fails, that statement does not
 * run and reports the error). It is sent again after a reconnection and
 * after the rollback of the transaction that carried it; it is not sent at
 * all when the same setting is already in effect. Only one such statement
 * per connection (a new one replaces the previous). 0 or RDV_EINVAL (too
 * many or too long parameters). */
int db_set_session(struct db *db, const char *sql, int nparams, const char *const *params);

/* The session statement last declared is already in effect: a statement of the
 * caller's set it itself (a SECURITY DEFINER function calling set_config).
 * Nothing is sent; inside a transaction it lasts only if that transaction
 * commits, as for db_set_session. */
void db_session_assumed(struct db *db);
/* The setting on the connection is unknown (a statement that would have set it
 * failed): the last declared one is sent again with the next statement. */
void db_session_resend(struct db *db);

int db_begin(struct db *db);
/* A transaction whose statements run their generic (cached) plan instead of
 * being planned again on every execution: for hot read paths whose queries
 * have one good plan whatever the parameters (the agenda feed). PostgreSQL
 * otherwise re-plans statements whose generic estimate looks worse, which
 * was a third of the database time of the agenda feed. No round trip of its
 * own: BEGIN travels with the transaction's first statement (which reports
 * its error); commit or rollback with no statement in between sends nothing. */
int db_begin_generic(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);   /* safe to call when no transaction is open */

/* Runs fn inside a transaction, again (up to 3 times) when it fails with
 * RDV_ERETRY. fn returns 0 to commit or an rdv_err to roll back. */
int db_transaction(struct db *db, int (*fn)(struct db *db, void *arg), void *arg);

/* Value of a cell: NULL for SQL NULL. */
const char *db_val(const PGresult *res, int row, int col);
long long db_ll(const PGresult *res, int row, int col);     /* 0 for NULL */
int db_bool(const PGresult *res, int row, int col);         /* 't' → 1 */
/* A cell copied into the arena (NULL stays NULL). */
char *db_dup(struct arena *a, const PGresult *res, int row, int col);

/* Integer → parameter string in the arena. */
const char *db_int(struct arena *a, long long v);
/* Ids → a bigint[] parameter ("{1,2,3}") in the arena; NULL when out of memory. */
const char *db_id_array(struct arena *a, const long long *ids, size_t n);

/* Maps a SQLSTATE to an rdv_err (exposed for tests). */
int db_map_sqlstate(const char *sqlstate);

/* A single value query helper: the first cell of the first row copied into
 * the arena, NULL when no row or NULL (db->err tells an error from no row). */
char *db_scalar(struct db *db, struct arena *a, const char *sql, int nparams, const char *const *params);
#define db_s(db, a, sql, ...) \
	db_scalar((db), (a), (sql), (int)(sizeof((const char *[]){NULL, ##__VA_ARGS__}) / sizeof(const char *)) - 1, \
		  (const char *const *)((const char *[]){NULL, ##__VA_ARGS__}) + 1)

#endif
