/*
 * test_db.c - lib/db against the test database (DATABASE_URL; skipped when
 * unset): parameters, prepared-statement cache, SQLSTATE mapping,
 * transactions with retry, reconnection after the server dropped us.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rdv.h"

static struct db *test_db(void)
{
	const char *url = getenv("DATABASE_URL");
	return url ? db_open(url, "unit-tests") : NULL;
}

static void test_sqlstate_mapping(void)
{
	CU_ASSERT_EQUAL(db_map_sqlstate("23P01"), RDV_ECONFLICT);
	CU_ASSERT_EQUAL(db_map_sqlstate("23505"), RDV_ECONFLICT);
	CU_ASSERT_EQUAL(db_map_sqlstate("40001"), RDV_ERETRY);
	CU_ASSERT_EQUAL(db_map_sqlstate("40P01"), RDV_ERETRY);
	CU_ASSERT_EQUAL(db_map_sqlstate("08006"), RDV_EUNAVAIL);
	CU_ASSERT_EQUAL(db_map_sqlstate("57P01"), RDV_EUNAVAIL);
	CU_ASSERT_EQUAL(db_map_sqlstate("57014"), RDV_EUNAVAIL);
	CU_ASSERT_EQUAL(db_map_sqlstate("22P02"), RDV_EINVAL);
	CU_ASSERT_EQUAL(db_map_sqlstate("23514"), RDV_EINVAL);
	CU_ASSERT_EQUAL(db_map_sqlstate("42P01"), RDV_EDB);
	CU_ASSERT_EQUAL(db_map_sqlstate(NULL), RDV_EDB);
	CU_ASSERT_EQUAL(db_map_sqlstate("xx"), RDV_EDB);
}

static void test_params_and_cache(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	struct arena *a = arena_new(4096);
	/* a value that would break string-built SQL stays a plain value */
	const char *evil = "'); DROP TABLE agents; --";
	char *v = db_s(db, a, "SELECT $1::text || '!'", evil);
	CU_ASSERT_STRING_EQUAL(v, "'); DROP TABLE agents; --!");
	/* the same text twice uses one prepared statement */
	for (int i = 0; i < 3; i++) {
		char *n = db_s(db, a, "SELECT $1::int + 1", db_int(a, i));
		CU_ASSERT_EQUAL(atoi(n), i + 1);
	}
	int slots = 0;
	for (int i = 0; i < DB_STMT_CACHE; i++)
		slots += db->stmts[i].sql != NULL && strcmp(db->stmts[i].sql, "SELECT $1::int + 1") == 0;
	CU_ASSERT_EQUAL(slots, 1);
	/* NULLs */
	PGresult *r = db_q(db, "SELECT NULL::text, 42, true");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(db_val(r, 0, 0));
	CU_ASSERT_EQUAL(db_ll(r, 0, 1), 42);
	CU_ASSERT_EQUAL(db_bool(r, 0, 2), 1);
	CU_ASSERT_PTR_NULL(db_val(r, 5, 0));   /* out of range is NULL, not a crash */
	PQclear(r);
	arena_free(a);
	db_close(db);
}

static void test_errors(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	CU_ASSERT_PTR_NULL(db_q(db, "SELECT 'abc'::int"));
	CU_ASSERT_EQUAL(db->err, RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(db->sqlstate, "22P02");
	CU_ASSERT_EQUAL(db_x(db, "CREATE TEMP TABLE t_uniq (k int PRIMARY KEY)"), 0);
	CU_ASSERT_EQUAL(db_x(db, "INSERT INTO t_uniq VALUES (1)"), 0);
	CU_ASSERT_EQUAL(db_x(db, "INSERT INTO t_uniq VALUES (1)"), RDV_ECONFLICT);
	CU_ASSERT_STRING_EQUAL(db->constraint, "t_uniq_pkey");
	/* the connection is still usable after errors */
	struct arena *a = arena_new(1024);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT 'ok'"), "ok");
	arena_free(a);
	db_close(db);
}

struct tx_arg {
	int calls;
	int fail_first_with;
};

static int tx_body(struct db *db, void *p)
{
	struct tx_arg *arg = p;
	arg->calls++;
	if (db_x(db, "INSERT INTO t_tx VALUES ($1)", arg->calls == 1 ? "1" : "2") != 0)
		return db->err;
	if (arg->calls == 1 && arg->fail_first_with)
		return arg->fail_first_with;
	return 0;
}

static void test_transactions(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	struct arena *a = arena_new(1024);
	CU_ASSERT_EQUAL(db_x(db, "CREATE TEMP TABLE t_tx (k int)"), 0);
	/* a retryable failure runs the body again; the first attempt is rolled back */
	struct tx_arg arg = {0, RDV_ERETRY};
	CU_ASSERT_EQUAL(db_transaction(db, tx_body, &arg), 0);
	CU_ASSERT_EQUAL(arg.calls, 2);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT string_agg(k::text, ',') FROM t_tx"), "2");
	/* any other failure rolls back and is returned */
	struct tx_arg arg2 = {0, RDV_EINVAL};
	db_x(db, "DELETE FROM t_tx");
	CU_ASSERT_EQUAL(db_transaction(db, tx_body, &arg2), RDV_EINVAL);
	CU_ASSERT_EQUAL(arg2.calls, 1);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT count(*) FROM t_tx"), "0");
	CU_ASSERT_EQUAL(db->in_tx, 0);
	arena_free(a);
	db_close(db);
}

/* db_begin_generic: cached plans inside the transaction only. */
static void test_generic_plans(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	struct arena *a = arena_new(1024);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('plan_cache_mode')"), "auto");
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	CU_ASSERT_EQUAL(db->in_tx, 1);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('plan_cache_mode')"), "force_generic_plan");
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT $1::int + 1", "41"), "42");
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('plan_cache_mode')"), "auto");
	/* with a session statement pending: it rides with the BEGIN, and comes
	 * back after the rollback */
	const char *v[1] = {"v1"};
	CU_ASSERT_EQUAL(db_set_session(db, "SELECT set_config('app.test', $1, false)", 1, v), 0);
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('plan_cache_mode')"), "force_generic_plan");
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('app.test')"), "v1");
	db_rollback(db);
	CU_ASSERT_TRUE(db->session.pending);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('app.test', true)"), "v1");
	CU_ASSERT_FALSE(db->session.pending);
	/* BEGIN travels with the first statement: the next ones share its transaction */
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	CU_ASSERT_TRUE(db->begin_deferred);
	char *xid = db_s(db, a, "SELECT txid_current()::text");
	CU_ASSERT_FALSE(db->begin_deferred);
	CU_ASSERT_EQUAL(db->in_tx, 1);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT txid_current()::text"), xid ? xid : "?");
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_STRING_NOT_EQUAL(db_s(db, a, "SELECT txid_current()::text"), xid ? xid : "?");
	/* nothing ran: commit and rollback send nothing, leave no transaction */
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_EQUAL(db->in_tx, 0);
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	db_rollback(db);
	CU_ASSERT_EQUAL(db->in_tx, 0);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT current_setting('plan_cache_mode')"), "auto");
	/* a first statement that fails: the transaction is open (aborted) until rolled back */
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	CU_ASSERT_PTR_NULL(db_s(db, a, "SELECT 1/0"));
	CU_ASSERT_EQUAL(db->in_tx, 1);
	CU_ASSERT_EQUAL(db_x(db, "SELECT 1"), RDV_EDB);   /* 25P02: in failed transaction */
	db_rollback(db);
	CU_ASSERT_EQUAL(db->in_tx, 0);
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT 'after'"), "after");
	/* the pending session statement fails: BEGIN never ran, no transaction */
	const char *bad[1] = {"v2"};
	CU_ASSERT_EQUAL(db_set_session(db, "SELECT set_config('app.test', $1, false), 1/0", 1, bad), 0);
	CU_ASSERT_EQUAL_FATAL(db_begin_generic(db), 0);
	CU_ASSERT_PTR_NULL(db_s(db, a, "SELECT 1"));
	CU_ASSERT_EQUAL(db->in_tx, 0);
	db_rollback(db);
	arena_free(a);
	db_close(db);
}

static void test_reconnect(void)
{
	struct db *db = test_db();
	if (db == NULL)
		return;
	struct arena *a = arena_new(1024);
	char *pid = db_s(db, a, "SELECT pg_backend_pid()::text");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pid);
	/* another connection kills ours, as a server restart would */
	struct db *killer = test_db();
	db_x(killer, "SELECT pg_terminate_backend($1::int)", pid);
	db_close(killer);
	/* outside a transaction the query is retried on a fresh connection */
	char *pid2 = db_s(db, a, "SELECT pg_backend_pid()::text");
	CU_ASSERT_PTR_NOT_NULL(pid2);
	CU_ASSERT(pid2 == NULL || strcmp(pid, pid2) != 0);
	/* statements prepared before are prepared again */
	CU_ASSERT_STRING_EQUAL(db_s(db, a, "SELECT 'again'"), "again");
	arena_free(a);
	db_close(db);
}

static void test_unreachable(void)
{
	struct db *db = db_open("postgresql://nobody@/nothing?host=/nonexistent", "unit-tests");
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_PTR_NULL(db_q(db, "SELECT 1"));
	CU_ASSERT_EQUAL(db->err, RDV_EUNAVAIL);
	CU_ASSERT_EQUAL(db_ensure(db), RDV_EUNAVAIL);
	db_close(db);
}

void register_db_suite(void)
{
	CU_pSuite s = CU_add_suite("db", NULL, NULL);
	CU_add_test(s, "SQLSTATE mapping", test_sqlstate_mapping);
	CU_add_test(s, "parameters and statement cache", test_params_and_cache);
	CU_add_test(s, "errors keep the connection usable", test_errors);
	CU_add_test(s, "transactions and retry", test_transactions);
	CU_add_test(s, "generic plans in db_begin_generic only", test_generic_plans);
	CU_add_test(s, "reconnect after the backend died", test_reconnect);
	CU_add_test(s, "database unreachable", test_unreachable);
}
