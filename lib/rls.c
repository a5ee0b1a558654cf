/*
 * rls.c - the acting agent or citizen, as connection settings for the
 * row-level security policies of 0014_rls.sql (rls.h).
 */
#include "rls.h"

#include <stdio.h>

#define RLS_SQL "SELECT set_config('app.actor', $1, false), set_config('app.agent_id', $2, false)," \
		" set_config('app.user_id', $3, false)"

/* One connection per thread: the thread's last actor is the connection's. */
static _Thread_local struct {
	const char *actor;
	char agent[24];
	char user[24];
} last = {"public", "0", "0"};

static const char *actor_of(long long agent_id, long long user_id)
{
	if (agent_id > 0)
		return "agent";
	return user_id > 0 ? "user" : "public";
}

int rls_set_actor(struct db *db, long long agent_id, long long user_id)
{
	last.actor = actor_of(agent_id, user_id);
	snprintf(last.agent, sizeof(last.agent), "%lld", agent_id > 0 ? agent_id : 0);
	snprintf(last.user, sizeof(last.user), "%lld", agent_id > 0 || user_id < 0 ? 0 : user_id);
	return db_x(db, RLS_SQL, last.actor, last.agent, last.user);
}

void rls_restore(PGconn *conn)
{
	/* Not prepared: the statement cache of db.c is being reset by its caller. */
	const char *params[3] = {last.actor, last.agent, last.user};
	PGresult *r = PQexecParams(conn, RLS_SQL, 3, NULL, params, NULL, NULL, 0);
	PQclear(r);
}
