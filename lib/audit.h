/*
 * audit.h - the audit trail: who changed what, when, with the values before
 * and after (JSON built by the caller, usually with to_jsonb() in the same
 * SQL statement as the change). Read by the admin audit pages.
 */
#ifndef RDV_AUDIT_H
#define RDV_AUDIT_H

#include "arena.h"
#include "db.h"

struct audit_entry {
	long long agent_id;          /* who (0: a citizen or the system) */
	long long user_id;           /* citizen who acted, or 0 */
	const char *actor;           /* who acted without an id here ("prescripteur <e-mail>"), or NULL */
	long long organisation_id;   /* 0 when not organisation-scoped */
	long long territory_id;
	const char *item_type;       /* "rdv", "plage_ouverture", "agent", … */
	long long item_id;
	const char *event;           /* "create", "update", "destroy", "sign_in", "export", … */
	const char *before_json;     /* NULL or a JSON text */
	const char *after_json;
	const char *ip;
};

int audit_log(struct db *db, struct arena *a, const struct audit_entry *e);

#endif
