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

/* Agenda access of one agent on another's agenda (per-agenda rights, beyond
 * the reference's rule). Defaults: self → write; organisation admins and the
 * Secrétariat service → write on every agenda of their organisation; agents
 * sharing a service in the organisation → write (as RDV-Solidarités);
 * explicit grants (agenda_accesses) add busy / read / write across the
 * territory's organisations. The same rule exists in SQL as the function
 * agenda_access_level(viewer, owner, org) (migration 0005), for list queries. */
enum agenda_access { AGENDA_NONE = 0, AGENDA_BUSY, AGENDA_READ, AGENDA_WRITE };
/* One query (agenda_access_level). 0 with *out set, or a db error (then
 * *out is AGENDA_NONE). Levels are ordered: compare with >=. */
int policy_agenda_access(struct db *db, long long viewer_id, long long owner_id, long long org_id,
			 enum agenda_access *out);
/* 0 when the viewer has at least level min on the owner's agenda in org;
 * RDV_ENOTFOUND when the agenda is not visible at all (its existence is not
 * revealed), RDV_EFORBIDDEN when visible with a lower level. For handlers:
 * `rc = policy_require_agenda(…, AGENDA_READ); if (rc) return rc;`. */
int policy_require_agenda(struct db *db, long long viewer_id, long long owner_id, long long org_id,
			  enum agenda_access min);

/* "none", "busy", "read", "write" (static strings; the SQL level names). */
const char *policy_agenda_level_name(enum agenda_access level);
/* The inverse; unknown or NULL text → AGENDA_NONE. */
enum agenda_access policy_agenda_level_parse(const char *name);
/* French label for pages: "Aucun accès", "Occupé / libre", "Lecture", "Lecture et écriture". */
const char *policy_agenda_level_label(enum agenda_access level);

/* 1 when the agent is an admin of the organisation (0 otherwise or on error):
 * manages the organisation's agents, lieux, motifs and agenda grants. */
int policy_can_manage_org(struct db *db, long long agent_id, long long org_id);

/* Who may grant or revoke access to owner's agenda from the pages of org:
 * the owner (with an admin or basic role in org) and the admins of org, the
 * owner having a role in org. 0, RDV_ENOTFOUND (no role in org for the
 * viewer, or the owner is not in org), RDV_EFORBIDDEN (a basic agent acting
 * for someone else, an intervenant). */
int policy_require_grant_manager(struct db *db, long long viewer_id, long long owner_id, long long org_id);

/* 1 when the agent has an admin or basic role in an organisation of org's
 * territory (0 otherwise or on error): only such colleagues may receive a
 * grant on an agenda of org. */
int policy_is_territory_colleague(struct db *db, long long agent_id, long long org_id);

#endif
