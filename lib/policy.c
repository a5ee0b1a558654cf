/* policy.c - access rules shared by every program (policy.h). */
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
	/* PLACEHOLDER (replaced with the per-agenda rights): self only. */
	(void)db; (void)org_id;
	*out = viewer_id == owner_id ? AGENDA_WRITE : AGENDA_NONE;
	return 0;
}
