/*
 * ics_feed.c - the agents' secret calendar feeds: GET /calendrier/<token>.ics
 * (RFC 5545, METHOD:PUBLISH) for Outlook, Thunderbird and phone calendars.
 *
 * The token in the path is the credential (the page /agent/calendar_sync of
 * the booking program makes it; only its SHA-256 is in agents.calendar_token_hash):
 * an unknown, revoked or malformed token answers 404, never 401, so the feed
 * does not reveal whether an URL ever existed.
 *
 * Content, from one month ago to one year ahead:
 *  - the agent's RDVs in every organisation: UID = rdvs.uuid, SUMMARY "RDV" +
 *    motif, LOCATION the lieu ("Par téléphone", "À domicile"… otherwise —
 *    never the usager's home address), DESCRIPTION/URL a link to the RDV page
 *    (sign-in needed), STATUS:CANCELLED for excused / revoked RDVs. No usager
 *    name or contact anywhere: the feed lives in phone apps and cloud sync;
 *  - the agent's absences (OPAQUE: busy);
 *  - the agent's plages d'ouverture when agents.calendar_include_plages is
 *    set (TRANSPARENT: free time offered to usagers, not busy).
 *
 * Absences and plages are written as one VEVENT per occurrence, expanded by
 * lib/occurrences, rather than as RRULE series: exceptions and moved
 * occurrences, the public holidays that close plages, and absences spanning
 * several days would need long EXDATE/RDATE lists that clients apply
 * unevenly, while the window is bounded (13 months, a weekly plage gives
 * ~57 events). Each occurrence's UID is stable (<kind>-<id>-<local date>) so
 * clients update it in place across refreshes.
 *
 * Memory: the calendar is built in c->res.body; scratch strings come from the
 * request arena; every PGresult is cleared here.
 */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "ics.h"
#include "occurrences.h"
#include "rdv.h"
#include "tz.h"

/* The feed owner and the window, read with the token. */
struct feed {
	long long agent_id;
	const char *name;          /* "Julie Lefebvre" (the agent's own name) */
	int include_plages;
	long long from, to, now;   /* UTC epochs */
	const char *host;          /* for occurrence UIDs: "...@host" */
};

/* 1 when s is a token as auth_token_new makes them (43 base64url chars). */
static int feed_token_valid(const char *s, size_t n)
{
	if (n != AUTH_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

/* The host part of RDV_PUBLIC_URL ("rdv.departement.fr"), for UIDs. */
static const char *feed_host(struct ctx *c)
{
	const char *u = c->conf->public_url ? c->conf->public_url : "";
	const char *p = strstr(u, "://");
	p = p ? p + 3 : u;
	size_t n = strcspn(p, "/:");
	return n ? arena_strndup(c->a, p, n) : "rdv-solidarites";
}

/* Finds the agent behind the token of the path. 0, RDV_ENOTFOUND or a db error. */
static int feed_load(struct ctx *c, struct feed *f)
{
	const char *seg = route_str(&c->match, "token");
	size_t n = seg ? strlen(seg) : 0;
	if (n > 4 && strcmp(seg + n - 4, ".ics") == 0)
		n -= 4;   /* the URL ends in .ics so that clients recognise a calendar */
	if (seg == NULL || !feed_token_valid(seg, n))
		return RDV_ENOTFOUND;
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	memcpy(token, seg, n);
	token[n] = '\0';
	auth_token_hash(token, hash);
	PGresult *r = db_q(c->db,
		"SELECT id, btrim(first_name || ' ' || last_name), calendar_include_plages,"
		" extract(epoch FROM now() - interval '1 month')::bigint,"
		" extract(epoch FROM now() + interval '1 year')::bigint, extract(epoch FROM now())::bigint"
		" FROM agents WHERE calendar_token_hash = $1::bytea AND deleted_at IS NULL", hash);
	if (r == NULL)
		return c->db->err;
	int found = PQntuples(r) == 1;
	if (found) {
		f->agent_id = db_ll(r, 0, 0);
		f->name = db_dup(c->a, r, 0, 1);
		f->include_plages = db_bool(r, 0, 2);
		f->from = db_ll(r, 0, 3);
		f->to = db_ll(r, 0, 4);
		f->now = db_ll(r, 0, 5);
	}
	PQclear(r);
	f->host = feed_host(c);
	return found ? 0 : RDV_ENOTFOUND;
}

/* Calendar properties must precede the first component (RFC 5545 §3.4), but
 * ics_begin writes the VTIMEZONE right after METHOD: its text is split there
 * and ours go in between. */
static int feed_begin(struct buf *out, const struct feed *f)
{
	struct buf head = BUF_INIT;
	int rc = ics_begin(&head, "PUBLISH");
	const char *tz = rc == 0 ? strstr(head.data, "BEGIN:VTIMEZONE\r\n") : NULL;
	size_t split = tz ? (size_t)(tz - head.data) : head.len;
	if (rc == 0) {
		buf_append(out, head.data, split);
		ics_put_line(out, "X-WR-CALNAME", f->name[0] ? f->name : "RDV Solidarités", 1);
		ics_put_line(out, "X-WR-CALDESC", "Rendez-vous, absences et plages d'ouverture – RDV Solidarités", 1);
		ics_put_line(out, "X-WR-TIMEZONE", "Europe/Paris", 0);
		/* Hints for clients that poll: the feed changes often, hourly is enough. */
		ics_put_line(out, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H", 0);
		ics_put_line(out, "X-PUBLISHED-TTL", "PT1H", 0);
		buf_append(out, head.data + split, head.len - split);
	}
	buf_free(&head);
	return rc != 0 ? rc : out->oom ? RDV_ENOMEM : 0;
}

/* Where an RDV happens, without personal data: home RDVs keep rdvs.address
 * (the usager's address) out of the feed. */
static const char *feed_rdv_location(struct ctx *c, const char *type, const char *lieu, const char *address)
{
	if (strcmp(type, "phone") == 0)
		return "Par téléphone";
	if (strcmp(type, "home") == 0)
		return "À domicile";
	if (strcmp(type, "visio") == 0)
		return "Par visioconférence";
	if (lieu == NULL)
		return NULL;
	return address && address[0] ? arena_printf(c->a, "%s, %s", lieu, address) : lieu;
}

/* One VEVENT per RDV of the agent in the window (every organisation). */
static int feed_add_rdvs(struct ctx *c, const struct feed *f, struct buf *out)
{
	PGresult *r = db_q(c->db,
		"SELECT r.uuid::text, r.id, r.organisation_id, extract(epoch FROM r.starts_at)::bigint,"
		" extract(epoch FROM r.ends_at)::bigint, r.status IN ('excused', 'revoked'), m.name,"
		" m.location_type::text, l.name, l.address, r.collectif, r.name"
		" FROM agents_rdvs ar JOIN rdvs r ON r.id = ar.rdv_id JOIN motifs m ON m.id = r.motif_id"
		" LEFT JOIN lieux l ON l.id = r.lieu_id"
		" WHERE ar.agent_id = $1"
		" AND tstzrange(ar.starts_at, ar.ends_at, '[)') && tstzrange(to_timestamp($2), to_timestamp($3), '[)')"
		" ORDER BY r.starts_at, r.id",
		db_int(c->a, f->agent_id), db_int(c->a, f->from), db_int(c->a, f->to));
	if (r == NULL)
		return c->db->err;
	int rc = 0;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		const char *motif = db_val(r, i, 6), *title = db_val(r, i, 11);
		const char *link = arena_printf(c->a, "%s/agent/organisations/%s/rdvs/%s", c->conf->public_url,
						db_val(r, i, 2), db_val(r, i, 1));
		struct ics_event ev = {
			.uid = db_val(r, i, 0),
			.dtstamp = f->now,
			.start = db_ll(r, i, 3),
			.end = db_ll(r, i, 4),
			/* A collective RDV's name is a workshop title, not a person. */
			.summary = db_bool(r, i, 10) && title && title[0]
				? arena_printf(c->a, "RDV collectif : %s (%s)", title, motif)
				: arena_printf(c->a, "RDV %s", motif),
			.location = feed_rdv_location(c, db_val(r, i, 7), db_val(r, i, 8), db_val(r, i, 9)),
			.description = arena_printf(c->a, "Voir le rendez-vous dans RDV Solidarités : %s", link),
			.url = link,
			.cancelled = db_bool(r, i, 5),
		};
		rc = ics_add_event(out, &ev);
	}
	PQclear(r);
	return rc;
}

/* "20261207T143000" in Paris local time, or "20261207" for a whole day. */
static void feed_local(long long utc, int date_only, char out[32])
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	if (date_only)
		snprintf(out, 32, "%04d%02d%02d", lt.year, lt.month, lt.day);
	else
		snprintf(out, 32, "%04d%02d%02dT%02d%02d%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute,
			 lt.second);
}

static int feed_is_midnight(long long utc)
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	return lt.hour == 0 && lt.minute == 0 && lt.second == 0;
}

/* One occurrence of an absence or a plage. ics_add_event cannot mark an
 * event free (TRANSP) nor write all-day dates, hence these lines. An
 * occurrence from local midnight to midnight (a day off) is an all-day
 * event, as agents enter it. */
static int feed_put_occurrence(struct ctx *c, const struct feed *f, const struct occ *o, const char *summary,
			       const char *location, struct buf *out)
{
	char t[32], stamp[32], day[32];
	int all_day = feed_is_midnight(o->start) && feed_is_midnight(o->end);
	feed_local(o->start, 1, day);
	long long d = f->now / 86400, sec = f->now % 86400;
	int y, m, dd;
	tz_civil_from_days(d, &y, &m, &dd);
	snprintf(stamp, sizeof(stamp), "%04d%02d%02dT%02d%02d%02dZ", y, m, dd, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
	buf_puts(out, "BEGIN:VEVENT\r\n");
	ics_put_line(out, "UID", arena_printf(c->a, "%s-%lld-%s@%s", o->row->kind == OCC_PLAGE ? "plage" : "absence",
					      o->row->id, day, f->host), 0);
	ics_put_line(out, "DTSTAMP", stamp, 0);
	feed_local(o->start, all_day, t);
	ics_put_line(out, all_day ? "DTSTART;VALUE=DATE" : "DTSTART;TZID=Europe/Paris", t, 0);
	feed_local(o->end, all_day, t);
	ics_put_line(out, all_day ? "DTEND;VALUE=DATE" : "DTEND;TZID=Europe/Paris", t, 0);
	ics_put_line(out, "SUMMARY", summary, 1);
	if (location != NULL)
		ics_put_line(out, "LOCATION", location, 1);
	ics_put_line(out, "STATUS", "CONFIRMED", 0);
	ics_put_line(out, "TRANSP", o->row->kind == OCC_PLAGE ? "TRANSPARENT" : "OPAQUE", 0);
	buf_puts(out, "END:VEVENT\r\n");
	return out->oom ? RDV_ENOMEM : 0;
}

/* Names and addresses of the lieux of the plages, by id: one query. */
static PGresult *feed_load_lieux(struct ctx *c, const struct occ_row *rows, size_t n)
{
	long long *ids = arena_calloc(c->a, n ? n : 1, sizeof(long long));
	size_t k = 0;
	for (size_t i = 0; ids != NULL && i < n; i++)
		if (rows[i].kind == OCC_PLAGE && rows[i].lieu_id != 0)
			ids[k++] = rows[i].lieu_id;
	if (ids == NULL)
		return NULL;
	return db_q(c->db, "SELECT id, name || ', ' || address FROM lieux WHERE id = ANY($1::bigint[])",
		    occurrences_id_array(c->a, ids, k));
}

static const char *feed_lieu(const PGresult *lieux, long long id)
{
	for (int i = 0; lieux != NULL && i < PQntuples(lieux); i++)
		if (db_ll(lieux, i, 0) == id)
			return db_val(lieux, i, 1);
	return NULL;
}

/* Absences (always) and plages (when chosen) of the agent, every organisation. */
static int feed_add_occurrences(struct ctx *c, const struct feed *f, struct buf *out)
{
	struct occ_row *rows;
	size_t n_rows, n_occ;
	struct occ *occ;
	int rc = occurrences_load(c->db, c->a, &f->agent_id, 1, 0, f->from, f->to, &rows, &n_rows);
	if (rc == 0)
		rc = occurrences_expand(c->a, rows, n_rows, f->from, f->to, &occ, &n_occ);
	if (rc != 0)
		return rc;
	PGresult *lieux = f->include_plages ? feed_load_lieux(c, rows, n_rows) : NULL;
	if (f->include_plages && lieux == NULL)
		return c->db->err ? c->db->err : RDV_ENOMEM;
	for (size_t i = 0; i < n_occ && rc == 0; i++) {
		const struct occ_row *row = occ[i].row;
		if (row->kind == OCC_ABSENCE)
			rc = feed_put_occurrence(c, f, &occ[i], arena_printf(c->a, "Absence : %s", row->title), NULL,
						 out);
		else if (f->include_plages)
			rc = feed_put_occurrence(c, f, &occ[i], arena_printf(c->a, "Plage d'ouverture : %s", row->title),
						 feed_lieu(lieux, row->lieu_id), out);
	}
	PQclear(lieux);
	return rc;
}

/* GET /calendrier/<token>, with or without ".ics" */
static int feed_show(struct ctx *c)
{
	struct feed f = {0};
	int rc = feed_load(c, &f);
	if (rc != 0)
		return rc;
	struct buf *out = &c->res.body;
	buf_reset(out);
	rc = feed_begin(out, &f);
	if (rc == 0)
		rc = feed_add_rdvs(c, &f, out);
	if (rc == 0)
		rc = feed_add_occurrences(c, &f, out);
	if (rc == 0)
		rc = ics_end(out);
	if (rc != 0) {
		buf_reset(out);
		return rc;
	}
	c->res.status = 200;
	c->res.content_type = "text/calendar; charset=utf-8";
	/* Personal to the URL's owner: shared caches must not keep it. */
	http_add_header(&c->res, "Cache-Control", "private, max-age=300");
	http_add_header(&c->res, "Content-Disposition", "inline; filename=\"rdv-solidarites.ics\"");
	http_add_header(&c->res, "X-Robots-Tag", "noindex");
	return 0;
}

ROUTE_TABLE(ics_routes,
	{HTTP_GET, "/calendrier/*token", feed_show, ROUTE_PUBLIC, ROUTE_NO_CSRF},
);
