/*
 * rls.h - who is acting, told to PostgreSQL for its row-level security
 * (migration 0014_rls.sql): the second wall behind lib/policy.
 *
 * Owns: the app.actor / app.agent_id / app.user_id settings of a connection.
 * They are session-level settings (set_config(…, false)), not SET LOCAL,
 * because most requests run their queries outside an explicit transaction;
 * app sets them at the start of every request (so nothing carries over from
 * the previous request on the same connection) and again once the session or
 * API token is known. The last actor of the thread is remembered so that a
 * reconnection (db.c) restores it before the first query runs.
 *
 * Only the application role rdv_app is subject to the policies; the owner
 * (migrations, worker, rdv-ctl) is not, so calling these functions on an
 * owner connection is harmless.
 */
#ifndef RDV_RLS_H
#define RDV_RLS_H

#include <libpq-fe.h>

#include "db.h"

/* agent_id > 0 → 'agent'; else user_id > 0 → 'user'; else 'public'.
 * 0 or the db error (the request then fails on its next query anyway). */
int rls_set_actor(struct db *db, long long agent_id, long long user_id);

/* Re-applies the thread's last actor on a fresh connection (called by
 * db_connect right after its SET statements). Ignores errors. */
void rls_restore(PGconn *conn);

#endif
