/*
 * flow.c - the public wizard GET /prendre_rdv: address → services available
 * there → motifs (grouped by name and location type) → lieux by distance
 * with their next free créneau → créneaux week by week. The query string
 * accumulates the choices (struct wizard); the step shown is the first one
 * whose choice is missing. Phone and home motifs skip the lieu step;
 * collective motifs list their workshops instead of créneaux.
 * GET /prendre_rdv_prescripteur is the same wizard in prescripteur mode
 * (prescripteur=1 kept in every URL): motifs bookable by prescripteurs are
 * offered too, and a créneau or a workshop leads to prescripteur.c instead
 * of the citizen's booking.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer_cache.h"
#include "creneaux.h"
#include "rdv.h"
#include "search.h"
#include "tz.h"
#include "valid.h"

#define WEEK (7 * 86400LL)

/* One offered motif matching the chosen name and location type, with what
 * the créneaux engine needs of it (read in the same statement). */
struct offer {
	long long id, org_id;
	int collectif, min_delay, max_delay;
	const char *restriction, *instruction;
	int restricted;                  /* agent-level or follow-up: only agent_ids */
	long long *agent_ids;
	size_t n_agents;
	struct creneaux_motif motif;     /* rules and schedule version */
};

/* What the one statement of the motif's step reads (flow_offers): the
 * address's territory and secteurs (flow_sector_notice), the chosen lieu
 * and the offered motifs. */
struct offers {
	long long terr, sect;
	const char *lieu;                /* "name – address" of lieu_id, NULL if none */
	struct offer *o;
	int n;
};

static int city_code_ok(const char *s)
{
	return s != NULL && strlen(s) == 5 && s[0] >= '0' && s[0] <= '9' && strspn(s + 2, "0123456789") == 3 &&
	       strchr("0123456789AB", s[1]) != NULL;
}

static int flow_render(struct ctx *c, const struct wizard *w, const char *step)
{
	tmpl_set_var(c->vars, "title", "Prendre rendez-vous");
	tmpl_set_var(c->vars, "step", step);
	tmpl_set_var(c->vars, "invitation_token", w->invited_id ? w->invitation_token : NULL);
	tmpl_set_bool(c->vars, "prescripteur", w->prescripteur);
	tmpl_set_var(c->vars, "address", w->address);
	tmpl_set_var(c->vars, "back_services", wizard_url(c, w, 0));
	tmpl_set_var(c->vars, "back_motifs", wizard_url(c, w, 1));
	tmpl_set_var(c->vars, "back_lieux", wizard_url(c, w, 2));
	return app_render(c, 200, "search/prendre_rdv.tmpl");
}

/* Without JavaScript the home form sends only the typed address: take the
 * best match of the address base, or ask again. */
static int flow_geocode(struct ctx *c, struct wizard *w)
{
	if ((w->address == NULL || valid_required(w->address, NULL) != 0) && (w->invited_id || w->prescripteur))
		return flow_render(c, w, "address");    /* invited without an address on record, prescripteur: ask it */
	if (w->address == NULL || valid_required(w->address, NULL) != 0)
		return app_redirect(c, "/");
	PGresult *r = address_lookup(c, w->address, 5);
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		tmpl_set_var(c->vars, "error", "Nous n'avons pas trouvé cette adresse. Vérifiez-la, ou saisissez "
					       "le numéro, la rue et la commune (exemple : 12 rue Gambetta Arras).");
		return flow_render(c, w, "address");
	}
	wizard_address_from(c, w, r, 1);
	PQclear(r);
	return app_redirect(c, wizard_url(c, w, 1));
}

/* The territory and secteur counts of the address alone (before the
 * service and motif are chosen). */
static int flow_sector_counts(struct ctx *c, const struct wizard *w, struct offers *of)
{
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT (SELECT count(*) FROM terr), (SELECT count(*) FROM sect)",
		w->city_code, w->street_ban_id, "", search_offer_viewer(c, w));
	if (r == NULL)
		return c->db->err;
	of->terr = db_ll(r, 0, 0);
	of->sect = db_ll(r, 0, 1);
	PQclear(r);
	return 0;
}

/* Tells the citizen when the address is in no secteur (only
 * département-wide motifs then), or outside every territory. 1 = stop. */
static int flow_sector_notice(struct ctx *c, const struct wizard *w, const struct offers *of)
{
	if (of->terr == 0) {
		tmpl_set_var(c->vars, "error", "Le département de cette adresse ne propose pas encore la prise de "
					       "rendez-vous en ligne. Contactez directement le service social de votre "
					       "département.");
		flow_render(c, w, "address");
		return 1;
	}
	if (of->sect == 0)
		tmpl_set_var(c->vars, "sector_notice", "Votre adresse n'est rattachée à aucun secteur : seuls les "
				"rendez-vous ouverts à tout le département vous sont proposés. Pour un autre rendez-vous, "
				"appelez la maison départementale la plus proche.");
	return 0;
}

static int flow_services(struct ctx *c, struct wizard *w, int *done)
{
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT s.id, s.name FROM services s WHERE s.id IN (SELECT service_id FROM offer) ORDER BY s.name",
		w->city_code, w->street_ban_id, "", search_offer_viewer(c, w));
	if (r == NULL)
		return c->db->err;
	int n = PQntuples(r);
	if (n == 1) {
		w->service_id = db_dup(c->a, r, 0, 0);
		PQclear(r);
		return 0;
	}
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "services");
	for (int i = 0; i < n; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		struct wizard x = *w;
		x.service_id = db_val(r, i, 0);
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "href", app_url(c, wizard_url(c, &x, 1)));
	}
	PQclear(r);
	*done = 1;
	return flow_render(c, w, "services");
}

static const char *location_label(const char *t)
{
	if (strcmp(t, "phone") == 0)
		return "Par téléphone";
	if (strcmp(t, "home") == 0)
		return "À domicile";
	if (strcmp(t, "visio") == 0)
		return "En visioconférence";
	return "Sur place";
}

static int flow_motifs(struct ctx *c, struct wizard *w, int *done)
{
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT name, location_type::text, bool_or(collectif) FROM offer"
		" GROUP BY name, location_type ORDER BY name, location_type",
		w->city_code, w->street_ban_id, w->service_id, search_offer_viewer(c, w));
	if (r == NULL)
		return c->db->err;
	int n = PQntuples(r);
	if (n == 1) {
		w->motif_name = db_dup(c->a, r, 0, 0);
		w->location_type = db_dup(c->a, r, 0, 1);
		PQclear(r);
		return 0;
	}
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "motifs");
	for (int i = 0; i < n; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		struct wizard x = *w;
		x.motif_name = db_val(r, i, 0);
		x.location_type = db_val(r, i, 1);
		tmpl_set_var(row, "name", x.motif_name);
		tmpl_set_var(row, "location", location_label(x.location_type));
		tmpl_set_bool(row, "collectif", db_bool(r, i, 2));
		tmpl_set_var(row, "href", app_url(c, wizard_url(c, &x, 2)));
	}
	PQclear(r);
	*done = 1;
	return flow_render(c, w, "motifs");
}

/* "1,2,3" (array_to_string of agent ids) into the arena. */
static int flow_ids(struct ctx *c, const char *s, long long **ids, size_t *n)
{
	*n = 0;
	*ids = arena_calloc(c->a, strlen(s) / 2 + 1, sizeof(**ids));
	if (*ids == NULL)
		return RDV_ENOMEM;
	for (char *end; *s; s = *end ? end + 1 : end)
		(*ids)[(*n)++] = strtoll(s, &end, 10);
	return 0;
}

static int flow_offer_row(struct ctx *c, const PGresult *r, int i, struct offer *o)
{
	o->id = db_ll(r, i, 3);
	o->org_id = db_ll(r, i, 4);
	o->collectif = db_bool(r, i, 5);
	o->min_delay = (int)db_ll(r, i, 6);
	o->max_delay = (int)db_ll(r, i, 7);
	o->restriction = db_dup(c->a, r, i, 8);
	o->instruction = db_dup(c->a, r, i, 9);
	o->restricted = db_bool(r, i, 10);
	creneaux_motif_read(c->db, r, i, 12, &o->motif);
	return flow_ids(c, db_val(r, i, 11) ? db_val(r, i, 11) : "", &o->agent_ids, &o->n_agents);
}

/* In one statement: the address's territory and secteur counts, the lieu
 * (lieu_id), and the offered motifs of the chosen name/type (of the lieu's
 * organisation when lieu_id is set) with their bookable agents, their rules
 * and the schedule version — what the créneaux engine would read itself. */
static int flow_offers(struct ctx *c, const struct wizard *w, struct offers *of)
{
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT (SELECT count(*) FROM terr), (SELECT count(*) FROM sect),"
		" (SELECT name || ' – ' || address FROM lieux WHERE id = $7::bigint),"
		" m.id, m.organisation_id, m.collectif, m.min_public_booking_delay, m.max_public_booking_delay,"
		" m.restriction_for_rdv, m.instruction_for_rdv, m.sectorisation_level = 'agent' OR m.follow_up,"
		" array_to_string(ARRAY(" SEARCH_MOTIF_AGENTS " ORDER BY 1), ','), " CRENEAUX_MOTIF_COLS
		" FROM (SELECT 1) one LEFT JOIN (SELECT * FROM offer WHERE name = $5 AND location_type::text = $6"
		"  AND ($7::bigint = 0 OR organisation_id = (SELECT organisation_id FROM lieux WHERE id = $7::bigint)))"
		"  m ON true ORDER BY m.id",
		w->city_code, w->street_ban_id, w->service_id, search_offer_viewer(c, w), w->motif_name, w->location_type,
		db_int(c->a, w->lieu_id));
	if (r == NULL)
		return c->db->err;
	of->terr = db_ll(r, 0, 0);
	of->sect = db_ll(r, 0, 1);
	of->lieu = db_dup(c->a, r, 0, 2);
	of->n = db_val(r, 0, 3) != NULL ? PQntuples(r) : 0;
	of->o = arena_calloc(c->a, (size_t)(of->n ? of->n : 1), sizeof(*of->o));
	int rc = of->o ? 0 : RDV_ENOMEM;
	for (int i = 0; rc == 0 && i < of->n; i++)
		rc = flow_offer_row(c, r, i, &of->o[i]);
	PQclear(r);
	return rc;
}

/* Per process: flow_offers' answer by its parameters, kept for the schedule
 * version read before it AND the second it was read in (the cache's version
 * is both: (schedule version << 32) | epoch second). What the schedule
 * version covers (motifs, lieux, plages, RDVs) is then exact; the rest the
 * offer CTE reads (territories, zones, secteurs and their attributions,
 * referents, invitations) at most a second old, as if the page had been
 * asked a second earlier — the booking checks it all again. A page costs
 * one small statement instead of the offer CTE. */
#define OFFERS_ENTRIES 256
#define OFFERS_BYTES (256 * 1024)

static struct answer_cache offers_cache;
static pthread_once_t offers_once = PTHREAD_ONCE_INIT;
static int offers_cache_ok;

static void offers_cache_init(void)
{
	offers_cache_ok = ac_init(&offers_cache, OFFERS_ENTRIES, OFFERS_BYTES) == 0;
}

static void enc_ll(struct buf *b, long long v)
{
	buf_printf(b, "%lld ", v);
}

static void enc_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "- ");
		return;
	}
	buf_printf(b, "%zu:", strlen(s));
	buf_puts(b, s);
}

static void offers_encode(const struct offers *of, struct buf *b)
{
	enc_ll(b, of->terr);
	enc_ll(b, of->sect);
	enc_str(b, of->lieu);
	enc_ll(b, of->n);
	for (int i = 0; i < of->n; i++) {
		const struct offer *o = &of->o[i];
		enc_ll(b, o->id);
		enc_ll(b, o->org_id);
		enc_ll(b, o->collectif);
		enc_ll(b, o->min_delay);
		enc_ll(b, o->max_delay);
		enc_str(b, o->restriction);
		enc_str(b, o->instruction);
		enc_ll(b, o->restricted);
		enc_ll(b, o->motif.rules.duration);
		enc_ll(b, (long long)o->n_agents);
		for (size_t j = 0; j < o->n_agents; j++)
			enc_ll(b, o->agent_ids[j]);
	}
}

static long long dec_ll(const char **p)
{
	char *end;
	long long v = strtoll(*p, &end, 10);
	*p = end + 1;
	return v;
}

static const char *dec_str(struct ctx *c, const char **p)
{
	if (**p == '-') {
		*p += 2;
		return NULL;
	}
	char *end;
	size_t n = strtoull(*p, &end, 10);
	*p = end + 1 + n;
	return arena_strndup(c->a, end + 1, n);
}

/* The encoded answer back into the arena; the motifs' schedule version is
 * the one this request read. */
static int offers_decode(struct ctx *c, const char *p, long long version, struct offers *of)
{
	of->terr = dec_ll(&p);
	of->sect = dec_ll(&p);
	of->lieu = dec_str(c, &p);
	of->n = (int)dec_ll(&p);
	of->o = arena_calloc(c->a, (size_t)(of->n ? of->n : 1), sizeof(*of->o));
	for (int i = 0; of->o && i < of->n; i++) {
		struct offer *o = &of->o[i];
		o->id = dec_ll(&p);
		o->org_id = dec_ll(&p);
		o->collectif = (int)dec_ll(&p);
		o->min_delay = (int)dec_ll(&p);
		o->max_delay = (int)dec_ll(&p);
		o->restriction = dec_str(c, &p);
		o->instruction = dec_str(c, &p);
		o->restricted = (int)dec_ll(&p);
		o->motif = (struct creneaux_motif){{(int)dec_ll(&p), o->collectif, o->min_delay, o->max_delay}, version};
		o->n_agents = (size_t)dec_ll(&p);
		o->agent_ids = arena_calloc(c->a, o->n_agents + 1, sizeof(*o->agent_ids));
		if (o->agent_ids == NULL)
			return RDV_ENOMEM;
		for (size_t j = 0; j < o->n_agents; j++)
			o->agent_ids[j] = dec_ll(&p);
	}
	return of->o ? 0 : RDV_ENOMEM;
}

/* flow_offers through the per-process cache (see above). */
static int flow_offers_cached(struct ctx *c, const struct wizard *w, struct offers *of)
{
	pthread_once(&offers_once, offers_cache_init);
	if (!offers_cache_ok || c->db->in_tx)
		return flow_offers(c, w, of);
	const char *v = db_s(c->db, c->a, "SELECT version FROM schedule_version");
	long long version = v ? atoll(v) : 0;
	if (version <= 0)
		return flow_offers(c, w, of);
	long long cv = (version << 32) | ((long long)time(NULL) & 0xffffffffLL);
	const char *key = arena_printf(c->a, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld", w->city_code, w->street_ban_id,
				       w->service_id, search_offer_viewer(c, w), w->motif_name, w->location_type,
				       w->lieu_id);
	if (key == NULL)
		return RDV_ENOMEM;
	struct buf b = BUF_INIT;
	int rc = ac_get(&offers_cache, cv, key, &b) == 1 && !b.oom ? offers_decode(c, b.data, version, of) : 1;
	if (rc == 1) {
		rc = flow_offers(c, w, of);
		buf_reset(&b);
		if (rc == 0) {
			offers_encode(of, &b);
			if (!b.oom)
				ac_put(&offers_cache, cv, key, b.data, b.len);
		}
	}
	buf_free(&b);
	return rc;
}

/* A créneaux query for one motif, restricted to the attributed agents of
 * agent-level motifs. 1 = nobody may be booked (skip). */
static int flow_query(const struct offer *o, long long lieu_id, struct creneaux_query *q)
{
	memset(q, 0, sizeof(*q));
	q->motif_id = o->id;
	q->lieu_id = lieu_id;
	q->agent_ids = o->restricted ? o->agent_ids : NULL;
	q->n_agents = o->restricted ? o->n_agents : 0;
	q->now = time(NULL);
	q->public_side = 1;
	q->motif = &o->motif;
	return o->restricted && o->n_agents == 0;
}

/* The earliest free créneau of these motifs at a lieu (0 = any) from
 * `from`; 0 when none before the booking horizon. */
static long long flow_next(struct ctx *c, const struct offer *o, int n, long long lieu_id, long long from)
{
	long long best = 0;
	for (int i = 0; i < n; i++) {
		struct creneaux_query q;
		if (o[i].collectif || flow_query(&o[i], lieu_id, &q))
			continue;
		q.from = from > q.now ? from : q.now;
		q.to = q.now + o[i].max_delay + 1;
		struct slot s;
		if (creneaux_next(c->db, c->a, &q, &s) == 1 && (best == 0 || s.start < best))
			best = s.start;
	}
	return best;
}

static const char *coord(const char *s)
{
	char *end;
	if (s == NULL || s[0] == '\0')
		return "";
	strtod(s, &end);
	return *end == '\0' ? s : "";
}

static int flow_lieux(struct ctx *c, struct wizard *w, const struct offer *o, int n)
{
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT l.id, l.name, l.address, o.name,"
		" round((2 * 6371 * asin(sqrt(power(sin(radians(l.latitude - nullif($7, '')::float8) / 2), 2)"
		"  + cos(radians(nullif($7, '')::float8)) * cos(radians(l.latitude))"
		"  * power(sin(radians(l.longitude - nullif($8, '')::float8) / 2), 2))))::numeric, 1),"
		" (SELECT extract(epoch FROM min(r.starts_at))::bigint FROM rdvs r WHERE r.motif_id = m.id AND r.lieu_id = l.id AND r.collectif"
		"   AND r.cancelled_at IS NULL AND r.status <> 'revoked' AND r.starts_at > now()"
		"   AND (r.max_participants_count IS NULL OR r.users_count < r.max_participants_count))"
		" FROM offer m JOIN lieux l ON l.organisation_id = m.organisation_id AND l.availability <> 'disabled'"
		" JOIN organisations o ON o.id = l.organisation_id"
		" WHERE m.name = $5 AND m.location_type::text = $6"
		" AND (m.collectif OR EXISTS (SELECT 1 FROM plage_ouverture_motifs pm"
		"   JOIN plages_ouverture p ON p.id = pm.plage_ouverture_id WHERE pm.motif_id = m.id AND p.lieu_id = l.id"
		"   AND (NOT m.follow_up OR p.agent_id IN (SELECT agent_id FROM ref))"
		"   AND coalesce(p.recurrence_ends_at, CASE WHEN p.recurrence IS NULL THEN p.first_day END,"
		"                'infinity'::date) >= current_date))"
		" ORDER BY 5 NULLS LAST, l.name, l.id",
		w->city_code, w->street_ban_id, w->service_id, search_offer_viewer(c, w), w->motif_name, w->location_type,
		coord(w->lat), coord(w->lon));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "lieux");
	long long prev = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		long long id = db_ll(r, i, 0);
		if (id == prev)
			continue;
		prev = id;
		struct wizard x = *w;
		x.lieu_id = id;
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "address", db_val(r, i, 2));
		tmpl_set_var(row, "organisation", db_val(r, i, 3));
		tmpl_set_var(row, "km", db_val(r, i, 4));
		tmpl_set_var(row, "href", app_url(c, wizard_url(c, &x, 3)));
		long long next = 0;
		if (db_val(r, i, 5) != NULL) {
			next = db_ll(r, i, 5);
		} else {
			next = flow_next(c, o, n, id, 0);
		}
		if (next)
			tmpl_set_var(row, "next", search_fr_long(c, next));
	}
	PQclear(r);
	return flow_render(c, w, "lieux");
}

struct found {
	long long start, motif_id, lieu_id;
};

static int found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Free créneaux of every motif in [from, to), one per start time. */
static int flow_week_slots(struct ctx *c, const struct wizard *w, const struct offer *o, int n, long long from,
			   long long to, struct found **out, size_t *nf)
{
	size_t cap = 0, k = 0;
	struct found *all = NULL;
	for (int i = 0; i < n; i++) {
		struct creneaux_query q;
		if (o[i].collectif || flow_query(&o[i], w->lieu_id, &q))
			continue;
		q.from = from;
		q.to = to;
		struct slot *s;
		size_t ns;
		int rc = creneaux_search(c->db, c->a, &q, &s, &ns);
		if (rc != 0)
			return rc;
		if (k + ns > cap) {
			cap = (k + ns) * 2;
			struct found *bigger = arena_calloc(c->a, cap, sizeof(*bigger));
			if (bigger == NULL)
				return RDV_ENOMEM;
			if (k)
				memcpy(bigger, all, k * sizeof(*all));
			all = bigger;
		}
		for (size_t j = 0; j < ns; j++)
			all[k++] = (struct found){s[j].start, o[i].id, s[j].lieu_id};
	}
	if (k > 1)
		qsort(all, k, sizeof(*all), found_cmp);
	size_t u = 0;
	for (size_t j = 0; j < k; j++)
		if (u == 0 || all[u - 1].start != all[j].start)
			all[u++] = all[j];
	*out = all;
	*nf = u;
	return 0;
}

/* Where a créneau or a workshop is booked: by invitation, as a prescripteur or signed in. */
static const char *flow_book_path(const struct wizard *w)
{
	return w->invited_id ? "/invitation/reservation/new" : w->prescripteur ? "/prescripteur/new" : "/reservation/new";
}

static const char *flow_book_href(struct ctx *c, const struct wizard *w, const struct found *f)
{
	return app_url(c, arena_printf(c->a, "%s?%s&motif_id=%lld&lieu_id=%lld&starts_at=%lld", flow_book_path(w),
				       wizard_query(c, w, 3), f->motif_id, f->lieu_id, f->start));
}

static void flow_days(struct ctx *c, const struct wizard *w, long long start, const struct found *f, size_t nf)
{
	struct tmpl_loop *days = tmpl_add_loop(c->vars, "days");
	size_t j = 0;
	for (int d = 0; d < 7; d++) {
		long long next;
		struct tmpl_loop *slots = search_day_slots(c, days, start, d, &next);
		for (; j < nf && f[j].start < next; j++) {
			struct tmpl_vars *s = tmpl_loop_add_row(slots);
			tmpl_set_var(s, "hm", search_hm(c, f[j].start));
			tmpl_set_var(s, "when", search_fr_long(c, f[j].start));
			tmpl_set_var(s, "href", flow_book_href(c, w, &f[j]));
		}
	}
}

static const char *day_param(struct ctx *c, long long utc)
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	return arena_printf(c->a, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
}

static int flow_creneaux(struct ctx *c, struct wizard *w, const struct offer *o, int n)
{
	long long now = time(NULL);
	long long start = search_week_start(w->date, now);
	long long end = tz_local_seconds_to_utc((tz_utc_to_local_days(start) + 7) * 86400LL);
	int max_delay = 0;
	for (int i = 0; i < n; i++)
		max_delay = o[i].max_delay > max_delay ? o[i].max_delay : max_delay;
	struct found *f;
	size_t nf;
	int rc = flow_week_slots(c, w, o, n, start > now ? start : now, end, &f, &nf);
	if (rc != 0)
		return rc;
	flow_days(c, w, start, f, nf);
	tmpl_set_bool(c->vars, "empty_week", nf == 0);
	tmpl_set_bool(c->vars, "closed", start > now + max_delay);
	if (nf == 0 && start <= now + max_delay) {
		long long next = flow_next(c, o, n, w->lieu_id, end);
		if (next) {
			struct wizard x = *w;
			x.date = day_param(c, next);
			tmpl_set_var(c->vars, "next_when", search_fr_long(c, next));
			tmpl_set_var(c->vars, "next_href", app_url(c, wizard_url(c, &x, 4)));
		}
	}
	tmpl_set_var(c->vars, "week_label", arena_printf(c->a, "Semaine du %s", search_fr_date(c, start)));
	struct wizard x = *w;
	x.date = day_param(c, end);
	tmpl_set_var(c->vars, "next_week", app_url(c, wizard_url(c, &x, 4)));
	if (start > now) {
		x.date = day_param(c, start - WEEK);
		tmpl_set_var(c->vars, "prev_week", app_url(c, wizard_url(c, &x, 4)));
	}
	return flow_render(c, w, "creneaux");
}

/* Collective motifs: the workshops with seats left, within the delays. */
static int flow_workshops(struct ctx *c, struct wizard *w)
{
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, r.name,"
		" CASE WHEN r.max_participants_count IS NULL THEN -1 ELSE r.max_participants_count - r.users_count END"
		" FROM offer m JOIN rdvs r ON r.motif_id = m.id"
		" WHERE m.name = $5 AND m.location_type::text = $6 AND m.collectif AND r.collectif"
		" AND ($7::bigint = 0 OR r.lieu_id = $7::bigint)"
		" AND r.cancelled_at IS NULL AND r.status <> 'revoked'"
		" AND r.starts_at > now() + make_interval(secs => m.min_public_booking_delay)"
		" AND r.starts_at < now() + make_interval(secs => m.max_public_booking_delay)"
		" AND (r.max_participants_count IS NULL OR r.users_count < r.max_participants_count)"
		" ORDER BY r.starts_at, r.id LIMIT 50",
		w->city_code, w->street_ban_id, w->service_id, search_offer_viewer(c, w), w->motif_name, w->location_type,
		db_int(c->a, w->lieu_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "workshops");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "when", search_fr_long(c, db_ll(r, i, 1)));
		tmpl_set_var(row, "name", db_val(r, i, 2));
		long long seats = db_ll(r, i, 3);
		if (seats >= 0)
			tmpl_set_varf(row, "seats", "%lld place%s restante%s", seats, seats > 1 ? "s" : "",
				      seats > 1 ? "s" : "");
		tmpl_set_var(row, "href", app_url(c, arena_printf(c->a, "%s?%s&rdv_id=%s", flow_book_path(w),
								  wizard_query(c, w, 3), db_val(r, i, 0))));
	}
	PQclear(r);
	return flow_render(c, w, "workshops");
}

static int flow_run(struct ctx *c, int prescripteur)
{
	struct wizard w;
	wizard_parse(c, &w);
	w.prescripteur |= prescripteur;
	if (search_invitation(c, &w) < 0)
		return search_invitation_refused(c);
	if (!city_code_ok(w.city_code))
		return flow_geocode(c, &w);
	/* On the motif's steps (service and motif chosen), one statement reads
	 * the sector counts with the offers; before, the counts alone. */
	struct offers of = {0};
	int chosen = w.service_id[0] != '\0' && w.motif_name != NULL && w.location_type != NULL;
	int rc = chosen ? flow_offers_cached(c, &w, &of) : flow_sector_counts(c, &w, &of);
	if (rc != 0)
		return rc;
	if (flow_sector_notice(c, &w, &of) != 0)
		return 0;
	int done = 0;
	if (w.service_id[0] == '\0' && ((rc = flow_services(c, &w, &done)) != 0 || done))
		return rc;
	if ((w.motif_name == NULL || w.location_type == NULL) && ((rc = flow_motifs(c, &w, &done)) != 0 || done))
		return rc;
	if (w.motif_name == NULL) {
		tmpl_set_var(c->vars, "error", "Aucun rendez-vous ne peut être pris en ligne pour cette adresse.");
		return flow_render(c, &w, "motifs");
	}
	if (!chosen && (rc = flow_offers(c, &w, &of)) != 0)
		return rc;
	struct offer *o = of.o;
	int n = of.n;
	tmpl_set_var(c->vars, "motif_name", w.motif_name);
	tmpl_set_var(c->vars, "location", location_label(w.location_type));
	if (n == 0) {
		tmpl_set_var(c->vars, "error", "Ce motif n'est pas proposé en ligne pour votre adresse.");
		return flow_render(c, &w, "motifs");
	}
	tmpl_set_var(c->vars, "restriction", o[0].restriction);
	tmpl_set_var(c->vars, "instruction", o[0].instruction);
	if (strcmp(w.location_type, "public_office") == 0 && w.lieu_id == 0)
		return flow_lieux(c, &w, o, n);
	if (w.lieu_id)
		tmpl_set_var(c->vars, "lieu", of.lieu);
	if (o[0].collectif)
		return flow_workshops(c, &w);
	return flow_creneaux(c, &w, o, n);
}

static int flow_show(struct ctx *c)
{
	return flow_run(c, 0);
}

static int flow_prescripteur(struct ctx *c)
{
	return flow_run(c, 1);
}

ROUTE_TABLE(search_flow_routes,
	{HTTP_GET, "/prendre_rdv", flow_show, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/prendre_rdv_prescripteur", flow_prescripteur, ROUTE_PUBLIC, 0},
);
