/*
 * creneaux.c - "Trouver un créneau" for agents:
 *   GET /agent/organisations/:org_id/creneaux?service_id=&motif_id=&lieu_id=&agent_ids=&binome=&from=
 * The form (service, motif, lieu, agents, binôme, from date), then the next
 * availability per lieu and a 7-day grid of free slots, deduplicated by
 * (start, agent) so the agent sees who is free; each slot links to the RDV
 * creation page prefilled. Agent side: no booking delays, only "not in the past".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking.h"
#include "creneaux.h"
#include "occurrences.h"
#include "rdv.h"
#include "tz.h"
#include "valid.h"

#define CR_DAYS 7
#define CR_MAX_AGENTS 32

/* agent_ids given as repeated keys (a multiple select) and/or "1,2,3". */
static size_t cr_parse_agent_ids(struct ctx *c, long long *ids, size_t max)
{
	const char *vals[CR_MAX_AGENTS];
	size_t nv = kv_get_all(&c->req.query, "agent_ids", vals, CR_MAX_AGENTS), n = 0;
	if (nv > CR_MAX_AGENTS)
		nv = CR_MAX_AGENTS;
	for (size_t i = 0; i < nv; i++) {
		const char *p = vals[i];
		while (*p && n < max) {
			char *end;
			long long v = strtoll(p, &end, 10);
			if (end == p)
				break;
			if (v > 0)
				ids[n++] = v;
			p = *end == ',' ? end + 1 : end;
		}
	}
	return n;
}

static long long cr_param_id(struct ctx *c, const char *name)
{
	const char *s = http_param(&c->req, name);
	if (s == NULL)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 ? v : 0;
}

/* The from date (local midnight), default today. */
static long long cr_param_from(struct ctx *c, long long now)
{
	const char *s = http_param(&c->req, "from");
	int y, m, d;
	if (s != NULL && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 && tz_is_valid_date(y, m, d))
		return tz_local_midnight(y, m, d);
	tz_civil_from_days(tz_utc_to_local_days(now), &y, &m, &d);
	return tz_local_midnight(y, m, d);
}

static const char *cr_date_str(struct ctx *c, long long utc, int delta)
{
	int y, m, d;
	tz_civil_from_days(tz_utc_to_local_days(utc) + delta, &y, &m, &d);
	return arena_printf(c->a, "%04d-%02d-%02d", y, m, d);
}

static int cr_has_id(const long long *ids, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* A form choice list: loop `name` of the (id, label) rows of r, the ones in
 * selected[] marked; r is cleared. */
static int cr_choices(struct ctx *c, const char *name, PGresult *r, const long long *selected, size_t n_selected)
{
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, name);
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_bool(row, "selected", cr_has_id(selected, n_selected, db_ll(r, i, 0)));
	}
	PQclear(r);
	return 0;
}

/* Services, motifs, lieux and agents of the organisation for the form. */
static int cr_form_lists(struct ctx *c, long long org, long long service, long long motif, long long lieu,
			 const long long *agents, size_t n_agents)
{
	const char *o = db_int(c->a, org);
	int rc = cr_choices(c, "services", db_q(c->db,
		"SELECT DISTINCT s.id, s.name FROM motifs m JOIN services s ON s.id = m.service_id"
		" WHERE m.organisation_id = $1 AND m.deleted_at IS NULL ORDER BY s.name", o), &service, 1);
	if (rc == 0)
		rc = cr_choices(c, "motifs", db_q(c->db,
			"SELECT m.id, s.name || ' – ' || m.name, m.collectif FROM motifs m JOIN services s ON s.id = m.service_id"
			" WHERE m.organisation_id = $1 AND m.deleted_at IS NULL AND ($2::bigint = 0 OR m.service_id = $2)"
			" ORDER BY s.name, m.name", o, db_int(c->a, service)), &motif, 1);
	if (rc == 0)
		rc = cr_choices(c, "lieux", db_q(c->db, "SELECT id, name FROM lieux WHERE organisation_id = $1"
			" AND availability = 'enabled' ORDER BY name", o), &lieu, 1);
	if (rc == 0)
		rc = cr_choices(c, "agents", db_q(c->db,
			"SELECT a.id, trim(a.first_name || ' ' || a.last_name) FROM agents a"
			" JOIN agent_roles ar ON ar.agent_id = a.id AND ar.organisation_id = $1"
			" WHERE a.deleted_at IS NULL ORDER BY a.last_name, a.first_name", o), agents, n_agents);
	return rc;
}

/* Names of agents and lieux (ids → labels) for the results. */
static const char *cr_name_of(const PGresult *r, long long id)
{
	for (int i = 0; i < PQntuples(r); i++)
		if (db_ll(r, i, 0) == id)
			return db_val(r, i, 1);
	return "";
}

/* Per lieu of the motif: the next availability from `from`. */
static int cr_next_per_lieu(struct ctx *c, long long org, const struct creneaux_query *base)
{
	PGresult *r = db_q(c->db,
		"SELECT DISTINCT l.id, l.name FROM lieux l JOIN plages_ouverture po ON po.lieu_id = l.id"
		" JOIN plage_ouverture_motifs pm ON pm.plage_ouverture_id = po.id AND pm.motif_id = $2"
		" WHERE l.organisation_id = $1 AND l.availability = 'enabled'"
		" AND (cardinality($3::bigint[]) = 0 OR po.agent_id = ANY($3::bigint[])) ORDER BY l.name",
		db_int(c->a, org), db_int(c->a, base->motif_id),
		occurrences_id_array(c->a, base->agent_ids, base->binome ? 0 : base->n_agents));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "next_lieux");
	for (int i = 0; i < PQntuples(r); i++) {
		struct creneaux_query q = *base;
		q.lieu_id = db_ll(r, i, 0);
		q.to = 0;
		struct slot s;
		int found = creneaux_next(c->db, c->a, &q, &s);
		if (found < 0) {
			PQclear(r);
			return found;
		}
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "lieu_id", db_val(r, i, 0));
		tmpl_set_var(row, "lieu_name", db_val(r, i, 1));
		if (found == 1) {
			char when[96];
			tz_format_fr_long(s.start, when, sizeof(when));
			tmpl_set_var(row, "next", when);
			tmpl_set_var(row, "next_date", cr_date_str(c, s.start, 0));
		}
	}
	PQclear(r);
	return 0;
}

/* The 7-day grid: one column per day, slots deduplicated by (start, agent). */
static int cr_grid(struct ctx *c, const struct creneaux_query *q, const struct slot *s, size_t n)
{
	const char *o = db_int(c->a, route_id(&c->match, "org_id"));
	PGresult *ag = db_q(c->db,
		"SELECT a.id, trim(a.first_name || ' ' || a.last_name) FROM agents a"
		" JOIN agent_roles ar ON ar.agent_id = a.id AND ar.organisation_id = $1", o);
	if (ag == NULL)
		return c->db->err;
	PGresult *li = db_q(c->db, "SELECT id, name FROM lieux WHERE organisation_id = $1", o);
	if (li == NULL) {
		PQclear(ag);
		return c->db->err;
	}
	struct tmpl_loop *days = tmpl_add_loop(c->vars, "days");
	long long day0 = tz_utc_to_local_days(q->from);
	size_t k = 0;
	for (int d = 0; d < CR_DAYS; d++) {
		struct tmpl_vars *day = tmpl_loop_add_row(days);
		char label[64];
		int y, m, dd;
		tz_civil_from_days(day0 + d, &y, &m, &dd);
		tz_format_fr_date(tz_local_midnight(y, m, dd) + 12 * 3600, label, sizeof(label));
		tmpl_set_var(day, "label", label);
		struct tmpl_loop *sl = tmpl_add_loop(day, "slots");
		for (; k < n && tz_utc_to_local_days(s[k].start) <= day0 + d; k++) {
			if (tz_utc_to_local_days(s[k].start) < day0 + d)
				continue;
			if (k > 0 && s[k].start == s[k - 1].start && s[k].agent_id == s[k - 1].agent_id)
				continue;   /* same agent free at two lieux at once: one button */
			struct tmpl_vars *row = tmpl_loop_add_row(sl);
			char iso[32], hm[6];
			tz_format_iso(s[k].start, iso);
			tz_format_hm(s[k].start, hm);
			tmpl_set_var(row, "starts_at", iso);
			tmpl_set_var(row, "time", hm);
			tmpl_set_int(row, "agent_id", s[k].agent_id);
			tmpl_set_int(row, "slot_lieu_id", s[k].lieu_id);
			tmpl_set_var(row, "agent_name", s[k].agent_id ? cr_name_of(ag, s[k].agent_id) : "Atelier collectif");
			tmpl_set_var(row, "lieu_name", cr_name_of(li, s[k].lieu_id));
		}
	}
	PQclear(ag);
	PQclear(li);
	tmpl_set_int(c->vars, "n_slots", (long long)n);
	return 0;
}

/* "&agent_ids=1,2&binome=1" to keep the selection in the week links. */
static const char *cr_agents_qs(struct ctx *c, const long long *ids, size_t n, int binome)
{
	if (n == 0)
		return "";
	const char *list = occurrences_id_array(c->a, ids, n);   /* "{1,2}" */
	return arena_printf(c->a, "&agent_ids=%.*s%s", (int)strlen(list) - 2, list + 1, binome ? "&binome=1" : "");
}

/* The motif must be one of this organisation's (another's → treated as none). */
static int cr_motif_in_org(struct ctx *c, long long org, long long motif)
{
	char *ok = db_s(c->db, c->a, "SELECT 1 FROM motifs WHERE id = $1 AND organisation_id = $2 AND deleted_at IS NULL",
			db_int(c->a, motif), db_int(c->a, org));
	return ok != NULL;
}

static int cr_results(struct ctx *c, long long org, struct creneaux_query *q)
{
	if (q->binome && q->n_agents < 2) {
		tmpl_set_var(c->vars, "error", "Pour chercher un créneau en binôme, choisissez au moins deux agents.");
		return 0;
	}
	int rc = cr_next_per_lieu(c, org, q);
	if (rc != 0)
		return rc;
	struct slot *s;
	size_t n;
	rc = creneaux_search(c->db, c->a, q, &s, &n);
	if (rc != 0)
		return rc;
	tmpl_set_bool(c->vars, "searched", 1);
	return cr_grid(c, q, s, n);
}

static int creneaux_page(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	long long now = (long long)time(NULL);
	long long agents[CR_MAX_AGENTS];
	struct creneaux_query q = {
		.motif_id = cr_param_id(c, "motif_id"), .lieu_id = cr_param_id(c, "lieu_id"),
		.n_agents = cr_parse_agent_ids(c, agents, CR_MAX_AGENTS), .agent_ids = agents,
		.from = cr_param_from(c, now), .now = now,
	};
	valid_bool(http_param(&c->req, "binome"), &q.binome);
	q.to = q.from + CR_DAYS * 86400LL + 7200;   /* DST: the grid drops slots past day 7 */
	long long service = cr_param_id(c, "service_id");
	tmpl_set_var(c->vars, "title", "Trouver un créneau");
	tmpl_set_var(c->vars, "from", cr_date_str(c, q.from, 0));
	tmpl_set_var(c->vars, "prev_from", cr_date_str(c, q.from, -CR_DAYS));
	tmpl_set_var(c->vars, "next_from", cr_date_str(c, q.from, CR_DAYS));
	tmpl_set_bool(c->vars, "binome", q.binome);
	tmpl_set_var(c->vars, "agents_qs", cr_agents_qs(c, agents, q.n_agents, q.binome));
	if (q.motif_id != 0 && !cr_motif_in_org(c, org, q.motif_id)) {
		q.motif_id = 0;
		tmpl_set_var(c->vars, "error", "Ce motif n'existe pas dans cette organisation.");
	}
	rc = cr_form_lists(c, org, service, q.motif_id, q.lieu_id, agents, q.n_agents);
	if (rc != 0)
		return rc;
	if (q.motif_id != 0) {
		tmpl_set_int(c->vars, "motif_id", q.motif_id);
		if (q.lieu_id != 0)
			tmpl_set_int(c->vars, "lieu_id", q.lieu_id);
		rc = cr_results(c, org, &q);
		if (rc != 0)
			return rc;
	}
	return app_render(c, 200, "booking/creneaux.tmpl");
}

ROUTE_TABLE(creneau_routes,
	{HTTP_GET, "/agent/organisations/:org_id/creneaux", creneaux_page, ROUTE_AGENT, 0},
);
