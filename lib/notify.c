/*
 * notify.c - queueing of notifications (notify.h).
 *
 * Every message is one outbox row, inserted in the caller's transaction. The
 * row holds what the worker needs to render it at send time (rdv id, event,
 * kind of recipient, participation, the raw RDV-link token, the ICS sequence)
 * and never the rendered text: templates may change before it is sent, and
 * the worker always shows the RDV as it is then.
 *
 * Payload keys: kind ("user" | "agent"), rdv_id, participation_id, user_id,
 * agent_id, token (the link /r/<rdv id>/<token>; removed from the row
 * once sent), previous_starts_at, sequence, author ("agent" | "user" | "").
 * Webhook rows: endpoint_id and body (the exact JSON that is signed and sent).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "notify.h"
#include "occurrences.h"
#include "phone.h"
#include "rdv.h"
#include "rdvs.h"
#include "tz.h"

/* ICS SEQUENCE: seconds since 2020 increase with every change and fit an
 * RFC 5545 INTEGER until 2088. */
#define NOTIFY_SEQ_EPOCH 1577836800LL

static const char *notify_event_name(enum notify_rdv_event ev)
{
	switch (ev) {
	case NOTIFY_RDV_CREATED: return "rdv_created";
	case NOTIFY_RDV_UPDATED: return "rdv_updated";
	case NOTIFY_RDV_CANCELLED: return "rdv_cancelled";
	case NOTIFY_RDV_REMINDER: return "rdv_upcoming_reminder";
	}
	return "rdv_updated";
}

struct notify_ctx {
	struct db *db;
	struct arena *a;
	const char *rdv_id;
	const char *org_id;
	const char *event;
	const char *author;
	const char *previous;
	const char *sequence;
};

/* One user message with its own link token: the outbox row and the token's
 * hash go in together, or neither does when dedup_key was already queued. */
static int notify_queue_user(struct notify_ctx *c, const char *channel, const char *recipient,
			     const char *participation_id, const char *user_id, const char *dedup_key)
{
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_new(token);
	auth_token_hash(token, hash);
	return db_x(c->db,
		"WITH o AS (INSERT INTO outbox (channel, event, recipient, payload, organisation_id, rdv_id,"
		"                               user_id, dedup_key)"
		"  VALUES ($1, $2, $3, jsonb_build_object('kind', 'user', 'rdv_id', $4::bigint,"
		"          'participation_id', $5::bigint, 'user_id', $6::bigint, 'token', $7::text,"
		"          'previous_starts_at', $8::bigint, 'sequence', $9::bigint, 'author', $10::text),"
		"          $11::bigint, $4::bigint, $6::bigint, $12)"
		"  ON CONFLICT (dedup_key) DO NOTHING RETURNING id)"
		" INSERT INTO rdv_tokens (token_hash, participation_id, expires_at)"
		" SELECT $13::bytea, $5::bigint, now() + interval '12 weeks' FROM o",
		channel, c->event, recipient, c->rdv_id, participation_id, user_id, token, c->previous,
		c->sequence, c->author, c->org_id, dedup_key, hash);
}

/* only_participation: 0 = every participation; reminder: dedup per participation. */
static int notify_users(struct notify_ctx *c, enum notify_rdv_event ev, long long only_participation)
{
	PGresult *r = db_q(c->db,
		"SELECT p.id, u.id,"
		"       CASE WHEN u.responsible_id IS NULL THEN u.email ELSE resp.email END,"
		"       CASE WHEN u.responsible_id IS NULL THEN u.phone_number_formatted ELSE resp.phone_number_formatted END,"
		"       CASE WHEN u.responsible_id IS NULL THEN u.notify_by_email ELSE resp.notify_by_email END,"
		"       CASE WHEN u.responsible_id IS NULL THEN u.notify_by_sms ELSE resp.notify_by_sms END"
		"  FROM participations p JOIN users u ON u.id = p.user_id"
		"  LEFT JOIN users resp ON resp.id = u.responsible_id AND resp.deleted_at IS NULL"
		" WHERE p.rdv_id = $1 AND u.deleted_at IS NULL"
		"   AND CASE WHEN $2 = 'rdv_upcoming_reminder' THEN p.send_reminder_notification"
		"            ELSE p.send_lifecycle_notifications END"
		"   AND ($2 = 'rdv_cancelled' OR p.status NOT IN ('excused', 'revoked'))"
		"   AND ($3::bigint = 0 OR p.id = $3::bigint)"
		" ORDER BY p.id",
		c->rdv_id, c->event, db_int(c->a, only_participation));
	if (r == NULL)
		return c->db->err;
	int rc = 0;
	/* the reference sends no cancellation SMS when the usager cancelled themselves */
	int sms_ok = ev != NOTIFY_RDV_CANCELLED || strcmp(c->author, "agent") == 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		const char *pid = db_val(r, i, 0), *uid = db_val(r, i, 1);
		const char *email = db_val(r, i, 2), *phone = db_val(r, i, 3);
		const char *key_mail = NULL, *key_sms = NULL;
		if (ev == NOTIFY_RDV_REMINDER) {
			key_mail = arena_printf(c->a, "reminder:%s:email", pid);
			key_sms = arena_printf(c->a, "reminder:%s:sms", pid);
		}
		if (email != NULL && email[0] != '\0' && db_bool(r, i, 4))
			rc = notify_queue_user(c, "email", email, pid, uid, key_mail);
		if (rc == 0 && sms_ok && phone != NULL && phone_is_mobile(phone) && db_bool(r, i, 5))
			rc = notify_queue_user(c, "sms", phone, pid, uid, key_sms);
	}
	PQclear(r);
	return rc;
}

/* Agents per their level: all; others = not their own change; soon = not
 * their own change and the (old or new) start is today or tomorrow in Paris.
 * only: "{…}" agents to tell instead of the RDV's (NULL: the RDV's agents);
 * skip: "{…}" agents left out (NULL: none). */
static int notify_agents(struct notify_ctx *c, long long author_agent_id, const char *only, const char *skip)
{
	return db_x(c->db,
		"WITH today AS (SELECT (now() AT TIME ZONE 'Europe/Paris')::date AS d)"
		" INSERT INTO outbox (channel, event, recipient, payload, organisation_id, rdv_id)"
		" SELECT 'email', $2, a.email::text,"
		"        jsonb_build_object('kind', 'agent', 'rdv_id', r.id, 'agent_id', a.id,"
		"                           'previous_starts_at', $4::bigint, 'sequence', $5::bigint, 'author', $6::text),"
		"        r.organisation_id, r.id"
		"   FROM rdvs r JOIN agents a ON CASE WHEN $7::bigint[] IS NULL"
		"          THEN EXISTS (SELECT 1 FROM agents_rdvs ar WHERE ar.rdv_id = r.id AND ar.agent_id = a.id)"
		"          ELSE a.id = ANY($7::bigint[]) END, today"
		"  WHERE r.id = $1 AND a.deleted_at IS NULL AND a.email IS NOT NULL"
		"    AND NOT a.id = ANY(coalesce($8::bigint[], '{}'))"
		"    AND CASE a.rdv_notifications_level"
		"          WHEN 'all' THEN true"
		"          WHEN 'others' THEN a.id <> $3::bigint"
		"          WHEN 'soon' THEN a.id <> $3::bigint AND ("
		"               (r.starts_at AT TIME ZONE 'Europe/Paris')::date BETWEEN today.d AND today.d + 1"
		"               OR ($4::bigint > 0 AND (to_timestamp($4::bigint) AT TIME ZONE 'Europe/Paris')::date"
		"                                      BETWEEN today.d AND today.d + 1))"
		"          ELSE false END",
		c->rdv_id, c->event, db_int(c->a, author_agent_id), c->previous, c->sequence, c->author, only, skip);
}

int notify_rdv(struct db *db, struct arena *a, long long rdv_id, enum notify_rdv_event event,
	       long long author_agent_id, long long author_user_id, long long previous_starts_at)
{
	struct notify_rdv_opts o = {.author_agent_id = author_agent_id, .author_user_id = author_user_id,
				    .previous_starts_at = previous_starts_at};
	return notify_rdv_ex(db, a, rdv_id, event, &o);
}

int notify_rdv_ex(struct db *db, struct arena *a, long long rdv_id, enum notify_rdv_event event,
		  const struct notify_rdv_opts *o)
{
	struct notify_ctx c = {db, a, db_int(a, rdv_id), NULL, notify_event_name(event),
			       o->author_agent_id ? "agent" : o->author_user_id ? "user" : "",
			       db_int(a, o->previous_starts_at), db_int(a, (long long)time(NULL) - NOTIFY_SEQ_EPOCH)};
	PGresult *r = db_q(db,
		"SELECT r.organisation_id, r.starts_at > now(), m.visibility_type = 'visible_and_notified'"
		"  FROM rdvs r JOIN motifs m ON m.id = r.motif_id WHERE r.id = $1", c.rdv_id);
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	c.org_id = db_dup(a, r, 0, 0);
	int future = db_bool(r, 0, 1), user_visible = db_bool(r, 0, 2);
	PQclear(r);
	int rc = 0;
	if (future && user_visible && !o->no_users)
		rc = notify_users(&c, event, o->participation_id);
	if (rc == 0 && future && event != NOTIFY_RDV_REMINDER && !o->no_agents)
		rc = notify_agents(&c, o->author_agent_id,
				   o->only_agents ? occurrences_id_array(a, o->only_agents, o->n_only_agents) : NULL,
				   o->n_skip_agents ? occurrences_id_array(a, o->skip_agents, o->n_skip_agents) : NULL);
	if (rc == 0 && event != NOTIFY_RDV_REMINDER && !o->no_webhook) {
		json_t *data = rdv_json(db, a, rdv_id);   /* the API's resource, as every RDV webhook */
		if (data == NULL)
			return db->err ? db->err : RDV_ENOMEM;
		rc = notify_webhook(db, a, atoll(c.org_id), "rdv",
				    event == NOTIFY_RDV_CREATED ? "created" : "updated", data);
		json_decref(data);
	}
	return rc;
}

int notify_rdv_participation(struct db *db, struct arena *a, long long rdv_id, long long participation_id,
			     enum notify_rdv_event event, const char *event_name)
{
	struct notify_ctx c = {db, a, db_int(a, rdv_id), NULL, event_name ? event_name : notify_event_name(event),
			       "", "0", db_int(a, (long long)time(NULL) - NOTIFY_SEQ_EPOCH)};
	c.org_id = db_s(db, a, "SELECT organisation_id FROM rdvs WHERE id = $1 AND starts_at > now()", c.rdv_id);
	if (c.org_id == NULL)
		return db->err ? db->err : RDV_ENOTFOUND;
	return notify_users(&c, event, participation_id);
}

/* "plage_ouverture" → "PlageOuverture": the model names of the reference's payloads. */
static void notify_model_name(const char *model, char *out, size_t n)
{
	size_t j = 0;
	int up = 1;
	for (const char *s = model; *s && j + 1 < n; s++) {
		if (*s == '_') {
			up = 1;
			continue;
		}
		out[j++] = up ? (char)toupper((unsigned char)*s) : *s;
		up = 0;
	}
	out[j] = '\0';
}

int notify_webhook(struct db *db, struct arena *a, long long org_id, const char *model,
		   const char *event, const json_t *data)
{
	char *text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text == NULL)
		return RDV_ENOMEM;
	char ts[32], model_name[64];
	notify_model_name(model, model_name, sizeof(model_name));
	tz_format_iso((long long)time(NULL), ts);
	/* the body is fixed now (a "destroyed" resource no longer exists at send time) */
	int rc = db_x(db,
		"INSERT INTO outbox (channel, event, recipient, payload, organisation_id, rdv_id)"
		" SELECT 'webhook', $2 || '_' || $3, w.target_url,"
		"        jsonb_build_object('endpoint_id', w.id, 'body', jsonb_build_object('data', $4::jsonb,"
		"          'meta', jsonb_build_object('model', $5::text, 'event', $3::text, 'timestamp', $6::text))),"
		"        w.organisation_id, CASE WHEN $2 = 'rdv' THEN ($4::jsonb->>'id')::bigint END"
		"   FROM webhook_endpoints w WHERE w.organisation_id = $1 AND $2 = ANY (w.subscriptions)",
		db_int(a, org_id), model, event, text,
		model_name, ts);
	free(text);
	return rc;
}

int notify_invitation(struct db *db, struct arena *a, long long user_id, long long org_id, const char *channel,
		      const char *token)
{
	char *id = db_s(db, a,
		"INSERT INTO outbox (channel, event, recipient, payload, organisation_id, user_id)"
		" SELECT $3, 'rdv_invitation', CASE WHEN $3 = 'sms' THEN r.phone_number_formatted ELSE r.email END,"
		"  jsonb_build_object('kind', 'user', 'user_id', u.id, 'first_name', u.first_name,"
		"   'last_name', u.last_name, 'organisation', o.name, 'token', $4::text), o.id, r.id"
		" FROM users u JOIN users r ON r.id = coalesce(u.responsible_id, u.id)"
		" JOIN organisations o ON o.id = $2"
		" WHERE u.id = $1 AND r.deleted_at IS NULL"
		" AND CASE WHEN $3 = 'sms' THEN r.phone_number_formatted ELSE r.email::text END IS NOT NULL"
		" RETURNING id",
		db_int(a, user_id), db_int(a, org_id), channel, token);
	if (id == NULL)
		return db->err ? db->err : RDV_EINVAL;
	return 0;
}
