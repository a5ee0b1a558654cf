/*
 * db.c - PostgreSQL connections, prepared-statement cache, transactions and
 * SQLSTATE mapping (db.h).
 */
#include "buf.h"
#include "db.h"
#include "log.h"
#include "rdv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned sql_hash(const char *s)
{
	unsigned h = 2166136261u;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void stmts_forget(struct db *db)
{
	for (int i = 0; i < DB_STMT_CACHE; i++)
		db->stmts[i].prepared = 0;
}

static int db_connect(struct db *db)
{
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	const char *keys[] = {"dbname", "application_name", "connect_timeout", NULL};
	const char *vals[] = {db->conninfo, db->appname, "3", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		if (c != NULL) {
			snprintf(db->message, sizeof(db->message), "%s", PQerrorMessage(c));
			PQfinish(c);
		}
		db->err = RDV_EUNAVAIL;
		return RDV_EUNAVAIL;
	}
	db->conn = c;
	db->in_tx = db->begin_deferred = 0;
	stmts_forget(db);
	/* A runaway query must not hold a thread: 5 s unless a transaction says
	 * otherwise. JIT off: its compile time (seconds) dwarfs our short queries,
	 * and the export's misestimated plans triggered it for nothing. */
	PGresult *r = PQexec(c, "SET statement_timeout = '5s'; SET TIME ZONE 'Europe/Paris'; SET jit = off");
	PQclear(r);
	db->session.pending = db->session.sql != NULL;   /* it survives a reconnection */
	db->session.in_tx = 0;
	return 0;
}

struct db *db_open(const char *conninfo, const char *appname)
{
	struct db *db = calloc(1, sizeof(*db));
	if (db == NULL)
		return NULL;
	db->conninfo = strdup(conninfo);
	db->appname = strdup(appname);
	if (db->conninfo == NULL || db->appname == NULL) {
		db_close(db);
		return NULL;
	}
	if (db_connect(db) != 0)
		log_warnx("database unavailable at start: %s", db->message);
	return db;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	for (int i = 0; i < DB_STMT_CACHE; i++)
		free(db->stmts[i].sql);
	free(db->conninfo);
	free(db->appname);
	free(db);
}

int db_ensure(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	return db_connect(db);
}

int db_map_sqlstate(const char *s)
{
	if (s == NULL || strlen(s) != 5)
		return RDV_EDB;
	if (strcmp(s, "23P01") == 0 || strcmp(s, "23505") == 0)
		return RDV_ECONFLICT;
	if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0)
		return RDV_ERETRY;
	if (strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 || strcmp(s, "57P02") == 0 ||
	    strcmp(s, "57P03") == 0 || strcmp(s, "57014") == 0 || strcmp(s, "53300") == 0)
		return RDV_EUNAVAIL;
	if (strncmp(s, "22", 2) == 0 || strncmp(s, "23", 2) == 0)
		return RDV_EINVAL;
	return RDV_EDB;
}

/* Records the error of a failed result (or a lost connection) in db. */
static void record_error(struct db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	snprintf(db->message, sizeof(db->message), "%s", msg ? msg : PQerrorMessage(db->conn));
	snprintf(db->constraint, sizeof(db->constraint), "%s", cons ? cons : "");
	if (PQstatus(db->conn) != CONNECTION_OK)
		db->err = RDV_EUNAVAIL;
	else
		db->err = state ? db_map_sqlstate(state) : RDV_EDB;
	if (db->err == RDV_EUNAVAIL) {
		PQfinish(db->conn);   /* reconnect on the next db_ensure */
		db->conn = NULL;
		db->in_tx = db->begin_deferred = 0;
	} else if (db->err == RDV_EDB) {
		log_warnx("sql error %s: %s", db->sqlstate, db->message);
	}
}

/* Finds or adds the cache slot of sql; -1 when the cache is full. */
static int stmt_slot(struct db *db, const char *sql)
{
	unsigned h = sql_hash(sql);
	for (int i = 0; i < DB_STMT_CACHE; i++) {
		int k = (int)((h + (unsigned)i) % DB_STMT_CACHE);
		struct db_stmt *st = &db->stmts[k];
		if (st->sql == NULL) {
			st->sql = strdup(sql);
			if (st->sql == NULL)
				return -1;
			st->hash = h;
			st->prepared = 0;
			return k;
		}
		if (st->hash == h && strcmp(st->sql, sql) == 0)
			return k;
	}
	return -1;
}

static int result_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);
	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

static PGresult *query_once(struct db *db, const char *sql, int nparams, const char *const *params);

/* Prepares the statement of a cache slot once per connection; its name in
 * name. 0, or -1 with the error recorded. */
static int stmt_prepare(struct db *db, int slot, const char *sql, int nparams, char name[16])
{
	snprintf(name, 16, "s%d", slot);
	if (db->stmts[slot].prepared)
		return 0;
	PGresult *p = PQprepare(db->conn, name, sql, nparams, NULL);
	if (!result_ok(p)) {
		record_error(db, p);
		PQclear(p);
		return -1;
	}
	PQclear(p);
	db->stmts[slot].prepared = 1;
	return 0;
}

int db_set_session(struct db *db, const char *sql, int nparams, const char *const *params)
{
	struct db_session *s = &db->session;
	if (nparams < 0 || nparams > DB_SESSION_PARAMS)
		return RDV_EINVAL;
	for (int i = 0; i < nparams; i++)
		if (params[i] == NULL || strlen(params[i]) >= sizeof(s->params[i]))
			return RDV_EINVAL;
	int same = s->sql == sql && s->nparams == nparams;
	for (int i = 0; same && i < nparams; i++)
		same = strcmp(s->params[i], params[i]) == 0;
	if (same)
		return 0;   /* in effect already, or pending */
	s->sql = sql;
	s->nparams = nparams;
	for (int i = 0; i < nparams; i++)
		snprintf(s->params[i], sizeof(s->params[i]), "%s", params[i]);
	s->pending = 1;
	return 0;
}

void db_session_assumed(struct db *db)
{
	db->session.pending = 0;
	db->session.in_tx = db->in_tx;
}

void db_session_resend(struct db *db)
{
	db->session.pending = db->session.sql != NULL;
}

/* The results of one statement of a pipeline: its first, or NULL. */
static PGresult *pipeline_result(PGconn *c)
{
	PGresult *first = NULL, *r;
	while ((r = PQgetResult(c)) != NULL) {
		if (first == NULL)
			first = r;
		else
			PQclear(r);
	}
	return first;
}

#define DB_GENERIC_SQL "SET LOCAL plan_cache_mode = force_generic_plan"

/* A statement sent ahead of the caller's in the same pipeline. */
struct db_prefix {
	const char *sql;
	int nparams;
	const char *const *params;
	char name[16];              /* prepared name; "" when the cache is full */
};

static int send_one(PGconn *c, const char *name, const char *sql, int nparams, const char *const *params)
{
	return (name != NULL && name[0] ? PQsendQueryPrepared(c, name, nparams, params, NULL, NULL, 0)
					: PQsendQueryParams(c, sql, nparams, NULL, params, NULL, NULL, 0)) == 1;
}

/* Fills pre[] with what must run before the caller's statement: the pending
 * session statement, then the deferred BEGIN of db_begin_generic. Each is
 * prepared once per connection. Returns how many, or -1 (error recorded). */
static int pipeline_prefixes(struct db *db, struct db_prefix pre[3], const char *sp[DB_SESSION_PARAMS])
{
	struct db_session *s = &db->session;
	int n = 0;
	if (s->pending) {
		for (int i = 0; i < s->nparams; i++)
			sp[i] = s->params[i];
		pre[n++] = (struct db_prefix){.sql = s->sql, .nparams = s->nparams, .params = sp};
	}
	if (db->begin_deferred) {
		pre[n++] = (struct db_prefix){.sql = "BEGIN"};
		pre[n++] = (struct db_prefix){.sql = DB_GENERIC_SQL};
	}
	for (int i = 0; i < n; i++) {
		int slot = stmt_slot(db, pre[i].sql);
		if (slot >= 0 && stmt_prepare(db, slot, pre[i].sql, pre[i].nparams, pre[i].name) != 0)
			return -1;
	}
	return n;
}

/* Runs the pending session statement and the deferred BEGIN, then (prepared
 * statement name, or sql), in one pipeline: one round trip. Returns the
 * statement's result, or the failed result of a statement before it (the
 * rest was then skipped). */
static PGresult *exec_pipeline(struct db *db, const char *name, const char *sql, int nparams,
			       const char *const *params)
{
	struct db_session *s = &db->session;
	PGconn *c = db->conn;
	struct db_prefix pre[3];
	const char *sp[DB_SESSION_PARAMS];
	int with_session = s->pending, began = db->begin_deferred;
	int n = pipeline_prefixes(db, pre, sp);
	if (n < 0 || PQenterPipelineMode(c) != 1)
		return NULL;
	db->begin_deferred = 0;
	if (began)
		db->in_tx = 0;   /* until its BEGIN is known to have run */
	int sent = 1;
	for (int i = 0; i < n && sent; i++)
		sent = send_one(c, pre[i].name, pre[i].sql, pre[i].nparams, pre[i].params);
	sent = sent && send_one(c, name, sql, nparams, params) && PQpipelineSync(c) == 1;
	PGresult *failed = NULL, *res = NULL;
	int ok = sent;
	for (int i = 0; i < n && sent; i++) {
		PGresult *r = pipeline_result(c);
		if (began && i == n - 2 && r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK)
			db->in_tx = 1;   /* the BEGIN ran: a transaction is open, failed or not */
		if (ok && (r == NULL || !result_ok(r))) {
			ok = 0;
			failed = r;
		} else {
			PQclear(r);
		}
	}
	res = sent ? pipeline_result(c) : NULL;
	PGresult *sync = sent ? PQgetResult(c) : NULL;
	int synced = sync != NULL && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
	PQclear(sync);
	PQexitPipelineMode(c);
	if (!ok || !synced) {
		PQclear(res);
		return failed;
	}
	if (with_session && res != NULL && result_ok(res)) {
		s->pending = 0;
		/* Inside a transaction (or the BEGIN that opens one), the setting
		 * lasts only if that transaction commits. */
		s->in_tx = db->in_tx || strncmp(sql, "BEGIN", 5) == 0;
	}
	return res;
}

PGresult *db_query(struct db *db, const char *sql, int nparams, const char *const *params)
{
	int deferred = db->begin_deferred, in_tx = db->in_tx && !deferred;
	PGresult *res = query_once(db, sql, nparams, params);
	/* The server restarted since our last query: outside a transaction (or
	 * before a deferred BEGIN ran) nothing was lost, so reconnect once and
	 * run it again. */
	if (res == NULL && db->err == RDV_EUNAVAIL && !in_tx && db_connect(db) == 0) {
		db->in_tx = db->begin_deferred = deferred;
		res = query_once(db, sql, nparams, params);
	}
	return res;
}

static PGresult *query_once(struct db *db, const char *sql, int nparams, const char *const *params)
{
	db->err = 0;
	if (db->conn == NULL && db_ensure(db) != 0)
		return NULL;
	int slot = stmt_slot(db, sql);
	PGresult *res;
	int pipeline = db->session.pending || db->begin_deferred;
	if (slot < 0 && pipeline) {
		res = exec_pipeline(db, NULL, sql, nparams, params);
	} else if (slot < 0) {
		res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	} else {
		char name[16];
		if (stmt_prepare(db, slot, sql, nparams, name) != 0)
			return NULL;
		res = pipeline ? exec_pipeline(db, name, sql, nparams, params)
			       : PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
	}
	if (res == NULL || !result_ok(res)) {
		record_error(db, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

int db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_query(db, sql, nparams, params);
	if (r == NULL)
		return db->err ? db->err : RDV_EDB;
	PQclear(r);
	return 0;
}

int db_begin(struct db *db)
{
	int rc = db_x(db, "BEGIN");
	if (rc == 0)
		db->in_tx = 1;
	return rc;
}

/* Nothing is sent now: BEGIN and the SET LOCAL ride in the pipeline of the
 * transaction's first statement (exec_pipeline), which reports their error. */
int db_begin_generic(struct db *db)
{
	db->in_tx = 1;
	db->begin_deferred = 1;
	return 0;
}

/* The transaction that carried the session setting ended: kept when it
 * committed, to be sent again otherwise. */
static void session_tx_end(struct db *db, int committed)
{
	if (db->session.in_tx && !committed)
		db->session.pending = 1;
	db->session.in_tx = 0;
}

int db_commit(struct db *db)
{
	if (db->begin_deferred) {   /* no statement ran: nothing to commit */
		db->begin_deferred = db->in_tx = 0;
		return 0;
	}
	PGresult *r = db_q(db, "COMMIT");
	int rc = r != NULL ? 0 : db->err ? db->err : RDV_EDB;
	/* COMMIT of a failed transaction answers ROLLBACK, without an error */
	session_tx_end(db, r != NULL && strcmp(PQcmdStatus(r), "COMMIT") == 0);
	PQclear(r);
	db->in_tx = 0;
	return rc;
}

void db_rollback(struct db *db)
{
	session_tx_end(db, 0);
	if (db->begin_deferred) {   /* no statement ran: nothing to roll back */
		db->begin_deferred = db->in_tx = 0;
		return;
	}
	if (db->conn == NULL)
		return;
	PGresult *r = PQexec(db->conn, "ROLLBACK");
	PQclear(r);
	db->in_tx = 0;
}

int db_transaction(struct db *db, int (*fn)(struct db *db, void *arg), void *arg)
{
	int rc = RDV_ERETRY;
	for (int attempt = 0; attempt < 3 && rc == RDV_ERETRY; attempt++) {
		rc = db_begin(db);
		if (rc != 0)
			return rc;
		rc = fn(db, arg);
		if (rc == 0)
			rc = db_commit(db);
		else
			db_rollback(db);
	}
	return rc;
}

const char *db_val(const PGresult *res, int row, int col)
{
	if (res == NULL || row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

long long db_ll(const PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

int db_bool(const PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);
	return v != NULL && v[0] == 't';
}

char *db_dup(struct arena *a, const PGresult *res, int row, int col)
{
	return arena_strdup(a, db_val(res, row, col));
}

const char *db_int(struct arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

const char *db_id_array(struct arena *a, const long long *ids, size_t n)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
	buf_putc(&b, '}');
	const char *s = b.oom ? NULL : arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}

char *db_scalar(struct db *db, struct arena *a, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_query(db, sql, nparams, params);
	if (r == NULL)
		return NULL;
	char *v = PQntuples(r) > 0 ? db_dup(a, r, 0, 0) : NULL;
	PQclear(r);
	return v;
}
