/*
 * rls.h - who is acting, told to PostgreSQL for its row-level security
 * (migration 0014_rls.sql): the second wall behind lib/policy.
 *
 * Owns: the app.actor / app.agent_id / app.user_id settings of a connection.
 * They are session-level settings (set_config(…, false)), not SET LOCAL,
 * because most requests run their queries outside an explicit transaction;
 * app sets them at the start of every request (so nothing carries over from
 * the previous request on the same connection) and again once the session or
 * API token is known. They are a session statement of db.c (db_set_session):
 * sent in the same round trip as the next query, not at all when the
 * connection's actor is already that one, again after a reconnection or the
 * rollback of the transaction that carried them.
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
 * Takes effect with the next query of db (which fails, without running,
 * if the actor cannot be set). 0, or RDV_EINVAL (never in practice). */
int rls_set_actor(struct db *db, long long agent_id, long long user_id);

/* The same actor, already set on the connection by the statement that just
 * ran (auth_agent_context): recorded as in effect, nothing sent. */
int rls_actor_assumed(struct db *db, long long agent_id, long long user_id);

#endif
