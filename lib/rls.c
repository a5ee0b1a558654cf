/*
 * rls.c - the acting agent or citizen, as connection settings for the
 * row-level security policies of 0014_rls.sql (rls.h).
 */
#include "rls.h"

#include <stdio.h>

#define RLS_SQL "SELECT set_config('app.actor', $1, false), set_config('app.agent_id', $2, false)," \
		" set_config('app.user_id', $3, false)"

static const char *actor_of(long long agent_id, long long user_id)
{
	if (agent_id > 0)
		return "agent";
	return user_id > 0 ? "user" : "public";
}

int rls_set_actor(struct db *db, long long agent_id, long long user_id)
{
	char agent[24], user[24];
	snprintf(agent, sizeof(agent), "%lld", agent_id > 0 ? agent_id : 0);
	snprintf(user, sizeof(user), "%lld", agent_id > 0 || user_id < 0 ? 0 : user_id);
	const char *params[3] = {actor_of(agent_id, user_id), agent, user};
	return db_set_session(db, RLS_SQL, 3, params);
}

int rls_actor_assumed(struct db *db, long long agent_id, long long user_id)
{
	int rc = rls_set_actor(db, agent_id, user_id);
	if (rc == 0)
		db_session_assumed(db);
	return rc;
}
