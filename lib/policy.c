/*
 * policy.c - access rules shared by every program (policy.h). The per-agenda
 * rule itself is SQL (agenda_access_level, migration 0005): this file asks it.
 */
#include "policy.h"
#include "rdv.h"

#include <stdio.h>
#include <string.h>

int policy_org_role(struct db *db, long long agent_id, long long org_id, enum org_role *out)
{
	char a[24], o[24];
	snprintf(a, sizeof(a), "%lld", agent_id);
	snprintf(o, sizeof(o), "%lld", org_id);
	PGresult *r = db_q(db, "SELECT access_level FROM agent_roles WHERE agent_id = $1 AND organisation_id = $2", a, o);
	if (r == NULL)
		return db->err;
	*out = ROLE_NONE;
	if (PQntuples(r) == 1) {
		const char *lvl = db_val(r, 0, 0);
		*out = strcmp(lvl, "admin") == 0 ? ROLE_ADMIN : strcmp(lvl, "basic") == 0 ? ROLE_BASIC : ROLE_INTERVENANT;
	}
	PQclear(r);
	return 0;
}

int policy_is_territory_admin(struct db *db, long long agent_id, long long territory_id)
{
	char a[24], t[24];
	snprintf(a, sizeof(a), "%lld", agent_id);
	snprintf(t, sizeof(t), "%lld", territory_id);
	PGresult *r = db_q(db, "SELECT 1 FROM agent_territorial_roles WHERE agent_id = $1 AND territory_id = $2", a, t);
	int yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

int policy_require_role(struct db *db, long long agent_id, long long org_id, enum org_role min)
{
	enum org_role role;
	int rc = policy_org_role(db, agent_id, org_id, &role);
	if (rc != 0)
		return rc;
	if (role == ROLE_NONE)
		return RDV_ENOTFOUND;
	return role >= min ? 0 : RDV_EFORBIDDEN;
}

int policy_agenda_access(struct db *db, long long viewer_id, long long owner_id, long long org_id,
			 enum agenda_access *out)
{
	char v[24], o[24], g[24];
	snprintf(v, sizeof(v), "%lld", viewer_id);
	snprintf(o, sizeof(o), "%lld", owner_id);
	snprintf(g, sizeof(g), "%lld", org_id);
	*out = AGENDA_NONE;
	/* The rule lives in SQL (migration 0005) so that list queries and this
	 * single check can never disagree. */
	PGresult *r = db_q(db, "SELECT agenda_access_level($1, $2, $3)", v, o, g);
	if (r == NULL)
		return db->err;
	if (PQntuples(r) == 1)
		*out = policy_agenda_level_parse(db_val(r, 0, 0));
	PQclear(r);
	return 0;
}

int policy_require_agenda(struct db *db, long long viewer_id, long long owner_id, long long org_id,
			  enum agenda_access min)
{
	enum agenda_access level;
	int rc = policy_agenda_access(db, viewer_id, owner_id, org_id, &level);
	if (rc != 0)
		return rc;
	if (level == AGENDA_NONE)
		return RDV_ENOTFOUND;
	return level >= min ? 0 : RDV_EFORBIDDEN;
}

const char *policy_agenda_level_name(enum agenda_access level)
{
	switch (level) {
	case AGENDA_BUSY: return "busy";
	case AGENDA_READ: return "read";
	case AGENDA_WRITE: return "write";
	default: return "none";
	}
}

enum agenda_access policy_agenda_level_parse(const char *name)
{
	if (name == NULL)
		return AGENDA_NONE;
	if (strcmp(name, "write") == 0)
		return AGENDA_WRITE;
	if (strcmp(name, "read") == 0)
		return AGENDA_READ;
	if (strcmp(name, "busy") == 0)
		return AGENDA_BUSY;
	return AGENDA_NONE;
}

const char *policy_agenda_level_label(enum agenda_access level)
{
	switch (level) {
	case AGENDA_BUSY: return "Occupé / libre";
	case AGENDA_READ: return "Lecture";
	case AGENDA_WRITE: return "Lecture et écriture";
	default: return "Aucun accès";
	}
}

int policy_can_manage_org(struct db *db, long long agent_id, long long org_id)
{
	enum org_role role;
	return policy_org_role(db, agent_id, org_id, &role) == 0 && role == ROLE_ADMIN;
}

int policy_require_grant_manager(struct db *db, long long viewer_id, long long owner_id, long long org_id)
{
	enum org_role mine, theirs;
	int rc = policy_org_role(db, viewer_id, org_id, &mine);
	if (rc == 0 && viewer_id != owner_id)
		rc = policy_org_role(db, owner_id, org_id, &theirs);
	else
		theirs = mine;
	if (rc != 0)
		return rc;
	if (mine == ROLE_NONE || theirs == ROLE_NONE)
		return RDV_ENOTFOUND;
	if (mine == ROLE_ADMIN || (viewer_id == owner_id && mine == ROLE_BASIC))
		return 0;
	return RDV_EFORBIDDEN;
}

int policy_is_territory_colleague(struct db *db, long long agent_id, long long org_id)
{
	char a[24], o[24];
	snprintf(a, sizeof(a), "%lld", agent_id);
	snprintf(o, sizeof(o), "%lld", org_id);
	PGresult *r = db_q(db,
		"SELECT 1 FROM organisations o JOIN organisations vo ON vo.territory_id = o.territory_id"
		" JOIN agent_roles v ON v.organisation_id = vo.id"
		" WHERE o.id = $2 AND v.agent_id = $1 AND v.access_level <> 'intervenant' LIMIT 1", a, o);
	int yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}
