/*
 * policy.h - who may see or change what. The one place every program asks;
 * handlers never decide access on their own. Every function takes the
 * signed-in agent and the object's organisation, and answers from the
 * database (roles change while sessions live).
 *
 * Rules (as RDV-Solidarités, plus per-agenda rights):
 *   - an agent acts in an organisation only through a role there
 *     (admin, basic, intervenant — intervenants cannot sign in);
 *   - organisation admins manage everything of their organisation;
 *   - territory admins manage the territory's organisations and settings.
 */
#ifndef RDV_POLICY_H
#define RDV_POLICY_H

#include "db.h"

enum org_role { ROLE_NONE = 0, ROLE_INTERVENANT, ROLE_BASIC, ROLE_ADMIN };

/* The agent's role in the organisation (ROLE_NONE when none). 0 or a db error. */
int policy_org_role(struct db *db, long long agent_id, long long org_id, enum org_role *out);
/* 1 when the agent is a territory admin of that territory (0 on error). */
int policy_is_territory_admin(struct db *db, long long agent_id, long long territory_id);
/* 0 when the agent has at least role min in org, RDV_ENOTFOUND when no role
 * at all (the organisation's existence is not revealed), RDV_EFORBIDDEN when
 * a lower role. */
int policy_require_role(struct db *db, long long agent_id, long long org_id, enum org_role min);

#endif
