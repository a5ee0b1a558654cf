/*
 * notify.h - what must be told to whom when something happens: e-mails, SMS
 * and webhooks are queued in the outbox, in the caller's transaction, and
 * the worker (cgi-bin/worker) sends them. Nothing here talks to the network.
 *
 * Callers: the code that creates, moves or cancels an RDV calls notify_rdv()
 * inside the same transaction as the change, so a rolled-back change sends
 * nothing and a committed one is never forgotten.
 */
#ifndef RDV_NOTIFY_H
#define RDV_NOTIFY_H

#include <jansson.h>

#include "arena.h"
#include "db.h"

enum notify_rdv_event {
	NOTIFY_RDV_CREATED,
	NOTIFY_RDV_UPDATED,       /* start time or place changed */
	NOTIFY_RDV_CANCELLED,
	NOTIFY_RDV_REMINDER,
};

/* Queues the messages of an RDV event: participants (or their responsable)
 * by e-mail/SMS per their preferences and the motif's visibility, agents per
 * their notification level, and the organisation's webhooks (one delivery
 * per subscribed endpoint, the API's RDV resource; a caller that queues its
 * own webhook for the event passes no_webhook to notify_rdv_ex). author_agent_id
 * or author_user_id says who made the change (0 if not). previous_starts_at
 * (UTC epoch, 0 if unchanged) lets an update mail show the old date. */
int notify_rdv(struct db *db, struct arena *a, long long rdv_id, enum notify_rdv_event event,
	       long long author_agent_id, long long author_user_id, long long previous_starts_at);

/* notify_rdv() narrowed to some recipients (an RDV change that concerns only
 * some of them: a participant added or removed, agents added or removed). */
struct notify_rdv_opts {
	long long author_agent_id, author_user_id, previous_starts_at;   /* as for notify_rdv */
	long long participation_id;   /* > 0: that participation only (queue before deleting it) */
	int no_users, no_agents, no_webhook;
	const long long *only_agents; /* non-NULL: these agents (on the RDV or not) instead of its agents */
	size_t n_only_agents;
	const long long *skip_agents; /* agents of the RDV left out */
	size_t n_skip_agents;
};
int notify_rdv_ex(struct db *db, struct arena *a, long long rdv_id, enum notify_rdv_event event,
		  const struct notify_rdv_opts *o);

/* Queues a webhook delivery for every endpoint of org subscribed to model
 * ("rdv", "plage_ouverture", "absence", "user", "agent", "motif", "lieu", …).
 * event: "created", "updated", "destroyed". data is borrowed (not stolen). */
int notify_webhook(struct db *db, struct arena *a, long long org_id, const char *model,
		   const char *event, const json_t *data);

/* Queues the user messages of one participation only (reminders, waiting
 * list), with the same recipient rules as notify_rdv. event_name NULL: the
 * event's own name ("rdv_upcoming_reminder", "new_creneau_available", …). */
int notify_rdv_participation(struct db *db, struct arena *a, long long rdv_id, long long participation_id,
			     enum notify_rdv_event event, const char *event_name);

/* Queues an "invite to book" message (event rdv_invitation) to user_id's
 * responsable (themselves when they have none) by channel ("email" or
 * "sms"), naming org_id and carrying the raw token of the link
 * /prendre_rdv?invitation_token=… (removed from the row once sent).
 * RDV_EINVAL when that responsable has no address for the channel. */
int notify_invitation(struct db *db, struct arena *a, long long user_id, long long org_id, const char *channel,
		      const char *token);

#endif
