/*
 * render.c - messages of the outbox rendered at send time from templates/mail
 * and templates/sms, with the RDV as it is now (a row queued before a move
 * still shows the current place; the date is the one the event is about).
 *
 * Variables for RDV events: first_name, last_name (the person addressed: the
 * responsable of a relative), motif, service, service_name, organisation,
 * org_phone, date_long, date_short, previous_date_long, duration, place_long,
 * place_short, agents, users, instruction, link (usagers: /r/<participation>/<token>),
 * agent_link, cancelled_by_user; a payload's to_name names the addressee
 * when it is not the person of user_id. Other events (password_reset, …) get the
 * top-level strings of the payload. Everything lives in the worker's arena.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics.h"
#include "mail.h"
#include "rdv.h"
#include "sms.h"
#include "tz.h"
#include "worker.h"

void rendered_free(struct rendered *r)
{
	buf_free(&r->subject);
	buf_free(&r->text);
	buf_free(&r->html);
	buf_free(&r->ics);
}

static const char *payload_str(const struct outbox_row *row, const char *key)
{
	return json_string_value(json_object_get(row->payload, key));
}

static long long payload_ll(const struct outbox_row *row, const char *key)
{
	json_t *v = json_object_get(row->payload, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return atoll(json_string_value(v));
	return 0;
}

/* "lun. 7/12 à 14h30": the SMS form. */
static void render_date_short(long long utc, char *out, size_t n)
{
	static const char *const wd[] = {"lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."};
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	int d = tz_weekday(lt.year, lt.month, lt.day);
	snprintf(out, n, "%s %d/%02d à %dh%02d", wd[d < 0 || d > 6 ? 0 : d], lt.day, lt.month, lt.hour, lt.minute);
}

static void render_copy_payload(struct tmpl_vars *v, const struct outbox_row *row)
{
	const char *k;
	json_t *val;
	json_object_foreach(row->payload, k, val) {
		if (json_is_string(val) && strcmp(k, "token") != 0)
			tmpl_set_var(v, k, json_string_value(val));
	}
}

struct rdv_info {
	const char *uuid;
	long long starts, ends;
	const char *summary;
};

/* Loads the RDV and the person addressed into v. RDV_ENOTFOUND when the RDV is gone. */
static int render_rdv_vars(struct worker *w, const struct outbox_row *row, struct tmpl_vars *v,
			   struct rdv_info *info, struct rendered *out)
{
	const char *kind = payload_str(row, "kind");
	int agent = kind != NULL && strcmp(kind, "agent") == 0;
	const char *person = db_int(w->a, payload_ll(row, agent ? "agent_id" : "user_id"));
	PGresult *r = db_q(w->db,
		"SELECT r.uuid, extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint,"
		"       r.status = 'excused', m.name, m.location_type, m.instruction_for_rdv, s.short_name, s.name,"
		"       o.name, coalesce(l.phone_number, o.phone_number, t.phone_number), l.name, l.address, r.address,"
		"       t.sms_sender_name,"
		"       (SELECT string_agg(trim(a.first_name || ' ' || a.last_name), ', ' ORDER BY a.last_name)"
		"          FROM agents_rdvs ar JOIN agents a ON a.id = ar.agent_id WHERE ar.rdv_id = r.id),"
		"       (SELECT string_agg(u.first_name || ' ' || u.last_name, ', ' ORDER BY u.last_name)"
		"          FROM participations p JOIN users u ON u.id = p.user_id WHERE p.rdv_id = r.id),"
		"       CASE WHEN $3 THEN (SELECT first_name FROM agents WHERE id = $2::bigint)"
		"            ELSE (SELECT coalesce(resp.first_name, u.first_name) FROM users u"
		"                  LEFT JOIN users resp ON resp.id = u.responsible_id WHERE u.id = $2::bigint) END,"
		"       CASE WHEN $3 THEN (SELECT last_name FROM agents WHERE id = $2::bigint)"
		"            ELSE (SELECT coalesce(resp.last_name, u.last_name) FROM users u"
		"                  LEFT JOIN users resp ON resp.id = u.responsible_id WHERE u.id = $2::bigint) END,"
		"       (extract(epoch FROM r.ends_at - r.starts_at) / 60)::int"
		"  FROM rdvs r JOIN motifs m ON m.id = r.motif_id JOIN services s ON s.id = m.service_id"
		"  JOIN organisations o ON o.id = r.organisation_id JOIN territories t ON t.id = o.territory_id"
		"  LEFT JOIN lieux l ON l.id = r.lieu_id WHERE r.id = $1",
		db_int(w->a, payload_ll(row, "rdv_id")), person, agent ? "t" : "f");
	if (r == NULL)
		return w->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	info->uuid = db_dup(w->a, r, 0, 0);
	info->starts = db_ll(r, 0, 1);
	info->ends = db_ll(r, 0, 2);
	char date[128];
	tz_format_fr_long(info->starts, date, sizeof(date));
	tmpl_set_var(v, "date_long", date);
	render_date_short(info->starts, date, sizeof(date));
	tmpl_set_var(v, "date_short", date);
	long long prev = payload_ll(row, "previous_starts_at");
	if (prev > 0 && prev != info->starts) {
		tz_format_fr_long(prev, date, sizeof(date));
		tmpl_set_var(v, "previous_date_long", date);
	}
	tmpl_set_bool(v, "cancelled_by_user", db_bool(r, 0, 3));
	tmpl_set_var(v, "motif", db_val(r, 0, 4));
	const char *loc = db_val(r, 0, 5);
	tmpl_set_var(v, "instruction", db_val(r, 0, 6));
	tmpl_set_var(v, "service", db_val(r, 0, 7));
	tmpl_set_var(v, "service_name", db_val(r, 0, 8));
	tmpl_set_var(v, "organisation", db_val(r, 0, 9));
	if (db_val(r, 0, 10) != NULL && db_val(r, 0, 10)[0] != '\0')
		tmpl_set_var(v, "org_phone", db_val(r, 0, 10));
	const char *lieu = db_val(r, 0, 11), *lieu_addr = db_val(r, 0, 12), *home = db_val(r, 0, 13);
	if (strcmp(loc, "phone") == 0) {
		tmpl_set_var(v, "place_long", "RDV téléphonique");
		tmpl_set_var(v, "place_short", "par téléphone");
	} else if (strcmp(loc, "visio") == 0) {
		tmpl_set_var(v, "place_long", "par visioconférence");
		tmpl_set_var(v, "place_short", "en visio");
	} else if (strcmp(loc, "home") == 0) {
		tmpl_set_var(v, "place_long", agent && home ? arena_printf(w->a, "à domicile, %s", home) : "à votre domicile");
		tmpl_set_var(v, "place_short", "à domicile");
	} else {
		tmpl_set_var(v, "place_long", lieu ? arena_printf(w->a, "%s, %s", lieu, lieu_addr ? lieu_addr : "") : "");
		tmpl_set_var(v, "place_short", lieu_addr ? lieu_addr : lieu);
	}
	out->sender = db_dup(w->a, r, 0, 14);
	tmpl_set_var(v, "agents", db_val(r, 0, 15));
	tmpl_set_var(v, "users", db_val(r, 0, 16));
	tmpl_set_var(v, "first_name", db_val(r, 0, 17));
	tmpl_set_var(v, "last_name", db_val(r, 0, 18));
	tmpl_set_var(v, "duration", db_val(r, 0, 19));
	out->to_name = arena_printf(w->a, "%s %s", db_val(r, 0, 17) ? db_val(r, 0, 17) : "",
				    db_val(r, 0, 18) ? db_val(r, 0, 18) : "");
	if (payload_str(row, "to_name") != NULL)   /* someone else about the RDV (a prescripteur) */
		out->to_name = payload_str(row, "to_name");
	info->summary = agent ? arena_printf(w->a, "RDV %s — %s", db_val(r, 0, 16) ? db_val(r, 0, 16) : "",
					     db_val(r, 0, 4))
			      : arena_printf(w->a, "RDV %s — %s", db_val(r, 0, 7), db_val(r, 0, 9));
	PQclear(r);
	const char *token = payload_str(row, "token");
	if (!agent && token != NULL) {
		out->token = token;
		/* /r/<rdv id>/<token>: the search program finds the participation
		 * from the token and checks it belongs to that RDV */
		tmpl_set_var(v, "link", arena_printf(w->a, "%s/r/%lld/%s", w->conf.public_url,
						     payload_ll(row, "rdv_id"), token));
	}
	tmpl_set_var(v, "agent_link", arena_printf(w->a, "%s/agent/rdvs/%lld", w->conf.public_url,
						   payload_ll(row, "rdv_id")));
	return 0;
}

/* The template base: agents get their own wording. */
static const char *render_base(struct worker *w, const struct outbox_row *row)
{
	const char *kind = payload_str(row, "kind");
	if (kind != NULL && strcmp(kind, "agent") == 0)
		return arena_printf(w->a, "agent_%s", row->event);
	return row->event;
}

static int render_part(struct worker *w, const char *base, const char *part, struct tmpl_vars *v,
		       struct buf *out, char *err, size_t errlen)
{
	const char *name = arena_printf(w->a, "mail/%s.%s.tmpl", base, part);
	int rc = tmpl_render(w->tmpl, name, v, out);
	if (rc != 0)
		snprintf(err, errlen, "gabarit %s : %s", name, rdv_strerror(rc));
	return rc;
}

static void render_ics(struct worker *w, const struct outbox_row *row, const struct rdv_info *info,
		       struct tmpl_vars *v, struct rendered *out)
{
	char from[320];
	mail_address_of(mail_default_from(), from, sizeof(from));
	int cancel = strcmp(row->event, "rdv_cancelled") == 0;
	const char *url = tmpl_get_var(v, "link");
	struct ics_event ev = {
		.uid = info->uuid, .sequence = (int)payload_ll(row, "sequence"),
		.dtstamp = (long long)time(NULL), .start = info->starts, .end = info->ends,
		.summary = info->summary, .location = tmpl_get_var(v, "place_long"),
		.description = tmpl_get_var(v, "instruction"),
		.url = url ? url : tmpl_get_var(v, "agent_link"),
		.organizer_name = tmpl_get_var(v, "organisation"), .organizer_email = from,
		.attendee_name = out->to_name, .attendee_email = row->recipient, .cancelled = cancel,
	};
	out->ics_method = cancel ? "CANCEL" : "REQUEST";
	ics_build(&out->ics, out->ics_method, &ev);
}

int render_mail(struct worker *w, const struct outbox_row *row, struct rendered *out, char *err, size_t errlen)
{
	struct tmpl_vars *v = tmpl_vars_new(w->a);
	if (v == NULL)
		return RDV_ENOMEM;
	render_copy_payload(v, row);
	tmpl_set_var(v, "public_url", w->conf.public_url);
	struct rdv_info info = {0};
	int is_rdv = json_object_get(row->payload, "rdv_id") != NULL;
	if (!is_rdv)    /* a link of its own (rdv_invitation): kept out of receipts */
		out->token = payload_str(row, "token");
	if (is_rdv) {
		int rc = render_rdv_vars(w, row, v, &info, out);
		if (rc != 0) {
			snprintf(err, errlen, "RDV introuvable");
			return rc;
		}
	}
	const char *base = render_base(w, row);
	int rc = render_part(w, base, "subject", v, &out->subject, err, errlen);
	if (rc != 0)
		return rc;
	/* one line, whatever the template's line ends */
	char *nl = out->subject.data ? strpbrk(out->subject.data, "\r\n") : NULL;
	if (nl != NULL) {
		*nl = '\0';
		out->subject.len = (size_t)(nl - out->subject.data);
	}
	tmpl_set_var(v, "subject", out->subject.data);
	if ((rc = render_part(w, base, "txt", v, &out->text, err, errlen)) != 0 ||
	    (rc = render_part(w, base, "html", v, &out->html, err, errlen)) != 0)
		return rc;
	if (is_rdv)
		render_ics(w, row, &info, v, out);
	return 0;
}

int render_sms(struct worker *w, const struct outbox_row *row, struct rendered *out, char *err, size_t errlen)
{
	struct tmpl_vars *v = tmpl_vars_new(w->a);
	if (v == NULL)
		return RDV_ENOMEM;
	render_copy_payload(v, row);
	tmpl_set_var(v, "public_url", w->conf.public_url);
	if (json_object_get(row->payload, "rdv_id") == NULL)
		out->token = payload_str(row, "token");
	struct rdv_info info = {0};
	if (json_object_get(row->payload, "rdv_id") != NULL) {
		int rc = render_rdv_vars(w, row, v, &info, out);
		if (rc != 0) {
			snprintf(err, errlen, "RDV introuvable");
			return rc;
		}
	}
	int n = sms_build(w->tmpl, row->event, v, &out->text);
	if (n < 0) {
		snprintf(err, errlen, "gabarit sms/%s.tmpl : %s", row->event, rdv_strerror(n));
		return n;
	}
	out->segments = n;
	if (out->sender == NULL || out->sender[0] == '\0')
		out->sender = "RDV Solidarites";
	return 0;
}
