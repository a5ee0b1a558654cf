/*
 * public_api.c - the public créneaux API (api.md, no auth):
 *   GET /api/v1/public/creneaux?motif_id=&lieu_id=&from=&to=
 *   GET /api/v1/public/next_availability?motif_id=&lieu_id=&from=
 * Only motifs bookable online (bookable_by = 'everyone', not deleted) by
 * anyone: follow-up motifs (booked only with one's referents) are not; the
 * motif's booking delays apply. Errors {"error": {code, message[, fields]}}.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "creneaux.h"
#include "rdv.h"
#include "search.h"
#include "tz.h"

#define PUBLIC_MAX_DAYS 31

/* Strict YYYY-MM-DD → local midnight (UTC). 0 ok, RDV_EINVAL otherwise. */
static int public_parse_date(const char *s, long long *out)
{
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return RDV_EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return RDV_EINVAL;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (!tz_is_valid_date(y, m, d))
		return RDV_EINVAL;
	*out = tz_local_midnight(y, m, d);
	return 0;
}

/* A positive id, or absent (0) when optional. 0 ok, RDV_EINVAL malformed. */
static int public_parse_id(const char *s, long long *out)
{
	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0 || s[0] == '+' || s[0] == '-' || s[0] == ' ')
		return RDV_EINVAL;
	*out = v;
	return 0;
}

static int public_field_error(struct ctx *c, const char *field, const char *message)
{
	json_t *fields = json_pack("{s:[s]}", field, message);
	return app_json_error(c, 422, "validation_failed", message, fields);
}

/* motif_id and lieu_id: 400 when malformed, 422 when motif_id is missing. */
static int public_parse_ids(struct ctx *c, long long *motif, long long *lieu)
{
	if (public_parse_id(http_param(&c->req, "motif_id"), motif) != 0 ||
	    public_parse_id(http_param(&c->req, "lieu_id"), lieu) != 0) {
		app_json_error(c, 400, "bad_request", "Identifiant mal formé.", NULL);
		return -1;
	}
	if (*motif == 0) {
		public_field_error(c, "motif_id", "Le motif est obligatoire.");
		return -1;
	}
	return 0;
}

/* An error of the engine: the motif (checked with the créneaux, in the same
 * round trip) must be bookable online by everyone, not deleted, and not a
 * follow-up motif (those créneaux belong to each usager's referents). */
static int public_engine_error(struct ctx *c, int rc)
{
	if (rc == RDV_ENOTFOUND)
		return app_json_error(c, 404, "not_found", "Ce motif n'est pas réservable en ligne.", NULL);
	return rc;
}

static int public_date_param(struct ctx *c, const char *name, long long *out)
{
	const char *s = http_param(&c->req, name);
	if (s == NULL || *s == '\0') {
		public_field_error(c, name, arena_printf(c->a, "Le paramètre %s est obligatoire (AAAA-MM-JJ).", name));
		return -1;
	}
	if (public_parse_date(s, out) != 0) {
		app_json_error(c, 400, "bad_request",
			       arena_printf(c->a, "Le paramètre %s doit être une date AAAA-MM-JJ.", name), NULL);
		return -1;
	}
	return 0;
}

/* A decimal integer appended without printf. */
static void public_put_id(struct buf *b, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* {"creneaux":[{"starts_at":…,"ends_at":…,"lieu_id":N|null},…]} written
 * straight into the response: the bytes of jansson's compact dump (only
 * digits, dates and fixed keys: nothing to escape), without an object per
 * créneau. Deduplicated by (start, lieu): the sort is (start, lieu, agent). */
static int public_slots_body(struct ctx *c, const struct slot *s, size_t n)
{
	struct buf *b = &c->res.body;
	struct tz_iso_day day = {0};
	char iso[32];
	buf_reset(b);
	buf_puts(b, "{\"creneaux\":[");
	const char *sep = "";
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && s[i].start == s[i - 1].start && s[i].lieu_id == s[i - 1].lieu_id)
			continue;
		buf_puts(b, sep);
		sep = ",";
		buf_puts(b, "{\"starts_at\":\"");
		tz_format_iso_day(&day, s[i].start, iso);
		buf_puts(b, iso);
		buf_puts(b, "\",\"ends_at\":\"");
		tz_format_iso_day(&day, s[i].end, iso);
		buf_puts(b, iso);
		buf_puts(b, "\",\"lieu_id\":");
		if (s[i].lieu_id)
			public_put_id(b, s[i].lieu_id);
		else
			buf_puts(b, "null");
		buf_putc(b, '}');
	}
	buf_puts(b, "]}");
	if (b->oom) {
		buf_reset(b);
		return RDV_ENOMEM;
	}
	c->res.status = 200;
	c->res.content_type = "application/json; charset=utf-8";
	return 0;
}

static int public_creneaux(struct ctx *c)
{
	long long motif, lieu, from, to;
	if (public_parse_ids(c, &motif, &lieu) != 0 || public_date_param(c, "from", &from) != 0 ||
	    public_date_param(c, "to", &to) != 0)
		return 0;
	if (to < from)
		return public_field_error(c, "to", "La date de fin doit suivre la date de début.");
	/* to is inclusive: the window ends at the next local midnight. */
	int y, m, d;
	tz_civil_from_days(tz_utc_to_local_days(to) + 1, &y, &m, &d);
	long long end = tz_local_midnight(y, m, d);
	if (tz_utc_to_local_days(to) - tz_utc_to_local_days(from) + 1 > PUBLIC_MAX_DAYS)
		return public_field_error(c, "to", "La période demandée ne peut pas dépasser 31 jours.");
	struct creneaux_query q = {.motif_id = motif, .lieu_id = lieu, .from = from, .to = end,
				   .now = (long long)time(NULL), .public_side = 1, .everyone_only = 1};
	struct slot *s;
	size_t n;
	int rc = creneaux_search(c->db, c->a, &q, &s, &n);
	if (rc != 0)
		return public_engine_error(c, rc);
	return public_slots_body(c, s, n);
}

static int public_next_availability(struct ctx *c)
{
	long long motif, lieu, from;
	if (public_parse_ids(c, &motif, &lieu) != 0)
		return 0;
	const char *f = http_param(&c->req, "from");
	long long now = (long long)time(NULL);
	if (f == NULL || *f == '\0')
		from = now;
	else if (public_date_param(c, "from", &from) != 0)
		return 0;
	/* Up to the motif's max delay: creneaux_next caps the horizon at now + max delay. */
	struct creneaux_query q = {.motif_id = motif, .lieu_id = lieu, .from = from,
				   .to = now + 10LL * 366 * 86400, .now = now, .public_side = 1, .everyone_only = 1};
	struct slot s;
	int rc = creneaux_next(c->db, c->a, &q, &s);
	if (rc < 0)
		return public_engine_error(c, rc);
	char iso[32];
	if (rc == 1)
		tz_format_iso(s.start, iso);
	return app_json(c, 200, json_pack("{s:o}", "starts_at", rc == 1 ? json_string(iso) : json_null()));
}

ROUTE_TABLE(public_api_routes,
	{HTTP_GET, "/api/v1/public/creneaux", public_creneaux, ROUTE_PUBLIC, ROUTE_JSON},
	{HTTP_GET, "/api/v1/public/next_availability", public_next_availability, ROUTE_PUBLIC, ROUTE_JSON},
);
