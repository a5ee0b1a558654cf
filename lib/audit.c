/* audit.c - one row per write in the audit table (audit.h). */
#include "audit.h"

static const char *id_or_null(struct arena *a, long long v)
{
	return v ? db_int(a, v) : NULL;
}

int audit_log(struct db *db, struct arena *a, const struct audit_entry *e)
{
	return db_x(db,
		"INSERT INTO audit (agent_id, user_id, organisation_id, territory_id, item_type, item_id,"
		" event, before, after, ip, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11)",
		id_or_null(a, e->agent_id), id_or_null(a, e->user_id), id_or_null(a, e->organisation_id),
		id_or_null(a, e->territory_id), e->item_type, id_or_null(a, e->item_id), e->event,
		e->before_json, e->after_json, e->ip, e->actor);
}
