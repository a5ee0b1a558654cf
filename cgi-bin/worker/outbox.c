/*
 * outbox.c - the outbox drain: claim one due row (FOR UPDATE SKIP LOCKED),
 * send it, record the attempt, commit; then the next.
 *
 * Why one row per transaction: the row stays locked while it is being sent,
 * so no other worker can take it, and its new status is committed right
 * after the send. A crash between the send and the commit is the only way a
 * message can go twice (then at most that one); batching 20 rows in one
 * transaction would widen that window to the whole batch.
 *
 * Each attempt increments attempts and records last_error; retries wait
 * 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h (× RDV_WORKER_BACKOFF_SCALE);
 * after max_attempts, or at once for a permanent error (5xx SMTP answer,
 * missing RDV or template, deleted endpoint), the row becomes 'failed'.
 * Every final outcome (sent or failed) is a receipts row; the raw link token
 * is then removed from the payload.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mail.h"
#include "rdv.h"
#include "sms.h"
#include "webhook.h"
#include "worker.h"

static const long outbox_delays[] = {60, 300, 1800, 7200, 21600, 43200, 86400};

long outbox_backoff(int attempts, double scale)
{
	size_t n = sizeof(outbox_delays) / sizeof(outbox_delays[0]);
	size_t i = attempts <= 0 ? 0 : (size_t)(attempts - 1);
	return (long)((double)outbox_delays[i < n ? i : n - 1] * scale);
}

struct outcome {
	int ok;
	int permanent;
	char err[512];
	const char *content;      /* receipt content (SMS text without token, mail subject) */
	int sms_count;
};

/* The SMS text for the receipt, with the link's token blanked out. */
static const char *outbox_redact(struct worker *w, const char *text, const char *token)
{
	const char *p = token && token[0] ? strstr(text, token) : NULL;
	if (p == NULL)
		return arena_strdup(w->a, text);
	return arena_printf(w->a, "%.*s…%s", (int)(p - text), text, p + strlen(token));
}

static void outbox_send_mail(struct worker *w, const struct outbox_row *row, struct outcome *o)
{
	struct rendered rd = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, NULL, NULL, NULL, 0, NULL};
	if (render_mail(w, row, &rd, o->err, sizeof(o->err)) != 0) {
		o->permanent = 1;
		rendered_free(&rd);
		return;
	}
	struct mail_msg m = {
		.to = row->recipient, .to_name = rd.to_name, .subject = rd.subject.data,
		.text = rd.text.data ? rd.text.data : "", .html = rd.html.data,
		.ics = rd.ics.len ? rd.ics.data : NULL, .ics_method = rd.ics_method,
	};
	m.message_id = arena_printf(w->a, "<outbox-%s.%d@rdv-solidarites>", row->id, row->attempts + 1);
	struct buf msg = BUF_INIT;
	int rc = mail_build(&msg, &m);
	if (rc != 0) {
		snprintf(o->err, sizeof(o->err), "message invalide (%s)", rdv_strerror(rc));
		o->permanent = 1;
	} else {
		char from[320];
		mail_address_of(mail_default_from(), from, sizeof(from));
		o->ok = mail_send(from, row->recipient, &msg, o->err, sizeof(o->err), &o->permanent) == 0;
	}
	o->content = arena_strdup(w->a, rd.subject.data ? rd.subject.data : "");
	buf_free(&msg);
	rendered_free(&rd);
}

static void outbox_send_sms(struct worker *w, const struct outbox_row *row, struct outcome *o)
{
	struct rendered rd = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, NULL, NULL, NULL, 0, NULL};
	if (render_sms(w, row, &rd, o->err, sizeof(o->err)) != 0) {
		o->permanent = 1;
		rendered_free(&rd);
		return;
	}
	o->ok = sms_send(row->recipient, rd.sender, rd.text.data, row->id, o->err, sizeof(o->err),
			 &o->permanent) == 0;
	o->content = outbox_redact(w, rd.text.data, rd.token);
	o->sms_count = rd.segments;
	rendered_free(&rd);
}

static void outbox_send_webhook(struct worker *w, const struct outbox_row *row, struct outcome *o)
{
	json_t *ep = json_object_get(row->payload, "endpoint_id");
	const char *secret = db_s(w->db, w->a, "SELECT secret FROM webhook_endpoints WHERE id = $1",
				  db_int(w->a, json_integer_value(ep)));
	if (secret == NULL) {
		snprintf(o->err, sizeof(o->err), "point de terminaison supprimé");
		o->permanent = 1;
		return;
	}
	char *body = json_dumps(json_object_get(row->payload, "body"), JSON_COMPACT);
	if (body == NULL) {
		snprintf(o->err, sizeof(o->err), "corps invalide");
		o->permanent = 1;
		return;
	}
	long status = 0;
	o->ok = webhook_post(row->recipient, secret, body, strlen(body), &status, o->err, sizeof(o->err)) == 0;
	free(body);
	o->content = arena_printf(w->a, "HTTP %ld", status);
}

static int outbox_record(struct worker *w, const struct outbox_row *row, const struct outcome *o)
{
	int attempts = row->attempts + 1;
	int give_up = !o->ok && (o->permanent || attempts >= w->max_attempts);
	const char *status = o->ok ? "sent" : give_up ? "failed" : "queued";
	const char *delay = db_int(w->a, o->ok || give_up ? 0 : outbox_backoff(attempts, w->backoff_scale));
	int rc = db_x(w->db,
		"UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3,"
		"       next_attempt_at = now() + make_interval(secs => $4::bigint),"
		"       sent_at = CASE WHEN $2 = 'sent' THEN now() END,"
		"       payload = CASE WHEN $2 = 'queued' THEN payload ELSE payload - 'token' END"
		" WHERE id = $1",
		row->id, status, o->ok ? NULL : o->err, delay);
	if (rc != 0 || (!o->ok && !give_up))
		return rc;
	const char *channel = strcmp(row->channel, "email") == 0 ? "mail" : row->channel;
	return db_x(w->db,
		"INSERT INTO receipts (outbox_id, rdv_id, user_id, organisation_id, event, channel, result,"
		"                      error_message, recipient, content, sms_count)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		row->id, row->rdv_id, row->user_id, row->org_id, row->event, channel,
		o->ok ? "sent" : "failure", o->ok ? NULL : o->err, row->recipient, o->content,
		strcmp(row->channel, "sms") == 0 ? db_int(w->a, o->sms_count) : NULL);
}

/* 1 a row was handled, 0 none due, < 0 database error. */
static int outbox_one(struct worker *w)
{
	int rc = db_begin(w->db);
	if (rc != 0)
		return rc;
	PGresult *r = db_q(w->db,
		"SELECT id, channel, event, recipient, payload::text, attempts, rdv_id, user_id, organisation_id"
		"  FROM outbox WHERE status = 'queued' AND queue = $1 AND next_attempt_at <= now()"
		" ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", w->queue);
	if (r == NULL || PQntuples(r) == 0) {
		rc = r == NULL ? w->db->err : 0;
		PQclear(r);
		db_rollback(w->db);
		return rc;
	}
	struct outbox_row row = {
		db_dup(w->a, r, 0, 0), db_dup(w->a, r, 0, 1), db_dup(w->a, r, 0, 2), db_dup(w->a, r, 0, 3),
		db_dup(w->a, r, 0, 6), db_dup(w->a, r, 0, 7), db_dup(w->a, r, 0, 8), (int)db_ll(r, 0, 5),
		json_loads(db_val(r, 0, 4), 0, NULL),
	};
	PQclear(r);
	struct outcome o = {0};
	if (row.payload == NULL) {
		snprintf(o.err, sizeof(o.err), "charge utile illisible");
		o.permanent = 1;
	} else if (strcmp(row.channel, "email") == 0) {
		outbox_send_mail(w, &row, &o);
	} else if (strcmp(row.channel, "sms") == 0) {
		outbox_send_sms(w, &row, &o);
	} else {
		outbox_send_webhook(w, &row, &o);
	}
	json_decref(row.payload);
	/* ids only in the log: recipients and contents are personal data */
	if (o.ok)
		log_info("outbox %s: %s %s sent", row.id, row.channel, row.event);
	else
		log_warnx("outbox %s: %s %s attempt %d failed: %s", row.id, row.channel, row.event,
			  row.attempts + 1, o.err);
	rc = outbox_record(w, &row, &o);
	if (rc == 0)
		rc = db_commit(w->db);
	else
		db_rollback(w->db);
	return rc == 0 ? 1 : rc;
}

int outbox_drain(struct worker *w, int max)
{
	int n = 0;
	while (n < max) {
		int rc = outbox_one(w);
		arena_reset(w->a);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		n++;
	}
	return n;
}
