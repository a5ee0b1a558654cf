/*
 * notify.c - queueing of notifications (notify.h).
 * PLACEHOLDER until the worker issue: queues nothing yet. Callers already
 * call it at the right places, inside their transactions.
 */
#include "notify.h"

int notify_rdv(struct db *db, struct arena *a, long long rdv_id, enum notify_rdv_event event,
	       long long author_agent_id, long long author_user_id, long long previous_starts_at)
{
	(void)db; (void)a; (void)rdv_id; (void)event; (void)author_agent_id; (void)author_user_id;
	(void)previous_starts_at;
	return 0;
}

int notify_webhook(struct db *db, struct arena *a, long long org_id, const char *model,
		   const char *event, const json_t *data)
{
	(void)db; (void)a; (void)org_id; (void)model; (void)event; (void)data;
	return 0;
}
