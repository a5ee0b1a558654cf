/*
 * agenda.c - the agent's home and agenda pages:
 *   GET /agent/, /agent/agenda                 → the first organisation's agenda
 *   GET /agent/organisations/:org_id/agenda    → FullCalendar day/week views of one
 *       or several agents side by side (templates/static/agenda.js), with a no-JS
 *       list of the week's RDVs under it; RDVs move by drag and drop (also from
 *       one agent's calendar to another's) or with the keyboard (#agenda-move
 *       dialog: day, time, one of the agents the viewer may write), all through
 *       POST …/rdvs/:id/move (rdvs.c)
 *   GET /agent/organisations/:org_id/agenda/events.json?agent_ids=&start=&end=
 *       → RDVs, plage occurrences (background) and absences of the agents the
 *       viewer may see (policy_agenda_access; AGENDA_BUSY → "Occupé")
 *   GET /agent/organisations/:org_id/lieux/:lieu_id/journee?date=YYYY-MM-DD
 *       → printable day of a lieu: every agent's RDVs there
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking.h"
#include "occurrences.h"
#include "rdv.h"
#include "tz.h"
#include "valid.h"

#define AG_MAX_AGENTS 16
#define AG_MAX_WINDOW (42 * 86400LL)   /* FullCalendar asks ≤ 6 weeks (month grid) */
#define AG_OTHER_COLOR "#9e9e9e"
#define AG_PLAGE_COLOR "#cfe2ff"
#define AG_ABSENCE_COLOR "#757575"

/* An agent of the organisation with the viewer's access to their agenda. */
struct ag_agent {
	long long id;
	const char *name;
	enum agenda_access access;
	int selected;
};

static const char *agenda_status_label(const char *status, long long ends_at, long long now)
{
	if (strcmp(status, "seen") == 0)
		return "présent";
	if (strcmp(status, "noshow") == 0)
		return "absent";
	if (strcmp(status, "excused") == 0)
		return "annulé par l'usager";
	if (strcmp(status, "revoked") == 0)
		return "annulé par le service";
	return ends_at < now ? "non renseigné" : "à venir";
}

/* Ids from "1,2,3" and/or repeated keys. */
static size_t agenda_parse_ids(struct ctx *c, const char *key, long long *ids, size_t max)
{
	const char *vals[AG_MAX_AGENTS];
	size_t nv = kv_get_all(&c->req.query, key, vals, AG_MAX_AGENTS), n = 0;
	if (nv > AG_MAX_AGENTS)
		nv = AG_MAX_AGENTS;
	for (size_t i = 0; i < nv; i++)
		for (const char *p = vals[i]; *p && n < max;) {
			char *end;
			long long v = strtoll(p, &end, 10);
			if (end == p)
				break;
			if (v > 0)
				ids[n++] = v;
			p = *end == ',' ? end + 1 : end;
		}
	return n;
}

/* Every agent of the organisation, with the viewer's access (policy): one
 * query, visible_agendas (migration 0005) giving every level at once. */
static int agenda_org_agents(struct ctx *c, long long org, struct ag_agent **out, size_t *n)
{
	PGresult *r = db_q(c->db,
		"SELECT a.id, trim(a.first_name || ' ' || a.last_name), coalesce(v.level, 'none') FROM agents a"
		" JOIN agent_roles ar ON ar.agent_id = a.id AND ar.organisation_id = $1"
		" LEFT JOIN visible_agendas($2, $1) v ON v.agent_id = a.id"
		" WHERE a.deleted_at IS NULL ORDER BY a.id = $2 DESC, a.last_name, a.first_name",
		db_int(c->a, org), db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	size_t k = (size_t)PQntuples(r);
	struct ag_agent *list = arena_calloc(c->a, k + 1, sizeof(*list));
	if (list == NULL) {
		PQclear(r);
		return RDV_ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		list[i].id = db_ll(r, (int)i, 0);
		list[i].name = db_dup(c->a, r, (int)i, 1);
		list[i].access = policy_agenda_level_parse(db_val(r, (int)i, 2));
	}
	PQclear(r);
	*out = list;
	*n = k;
	return 0;
}

/* The viewer's own agenda alone (the feed's default and most frequent view):
 * it always writes it (visible_agendas' first rule; booking_org found its
 * role in org), so the levels of every agent of org are not asked. 1 when
 * only the viewer is requested, with *out its one entry, selected. */
static int agenda_only_self(struct ctx *c, struct ag_agent **out, size_t *n)
{
	long long ids[AG_MAX_AGENTS];
	size_t k = agenda_parse_ids(c, "agent_ids", ids, AG_MAX_AGENTS);
	for (size_t i = 0; i < k; i++)
		if (ids[i] != c->agent_id)
			return 0;
	struct ag_agent *self = arena_calloc(c->a, 1, sizeof(*self));
	if (self == NULL)
		return 0;
	*self = (struct ag_agent){.id = c->agent_id, .name = "", .access = AGENDA_WRITE, .selected = 1};
	*out = self;
	*n = 1;
	return 1;
}

/* Marks the requested agents the viewer may see (default: self). Returns how many. */
static size_t agenda_select(struct ctx *c, struct ag_agent *agents, size_t n)
{
	long long ids[AG_MAX_AGENTS];
	size_t k = agenda_parse_ids(c, "agent_ids", ids, AG_MAX_AGENTS), sel = 0;
	if (k == 0)
		ids[k++] = c->agent_id;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < k; j++)
			if (agents[i].id == ids[j] && agents[i].access >= AGENDA_BUSY) {
				agents[i].selected = 1;
				sel++;
				break;
			}
	return sel;
}

static const struct ag_agent *agenda_find(const struct ag_agent *agents, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (agents[i].id == id)
			return &agents[i];
	return NULL;
}

/* ---------------------------------------------------------------- events.json */

/* start/end of the feed: RFC 3339 (FullCalendar) or a date. */
static int agenda_parse_instant(const char *s, long long *out)
{
	if (s == NULL)
		return RDV_EINVAL;
	int y, m, d;
	if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 && tz_is_valid_date(y, m, d)) {
		*out = tz_local_midnight(y, m, d);
		return 0;
	}
	char fixed[64];
	/* A '+' left unencoded in the query string arrives as a space. */
	snprintf(fixed, sizeof(fixed), "%s", s);
	for (char *p = fixed; *p; p++)
		if (*p == ' ')
			*p = '+';
	const char *msg;
	return valid_iso_datetime(fixed, out, &msg);
}

static json_t *agenda_event(const char *id, const char *title, long long start, long long end)
{
	char st[32], en[32];
	tz_format_iso(start, st);
	tz_format_iso(end, en);
	return json_pack("{s:s, s:s, s:s, s:s}", "id", id, "title", title, "start", st, "end", en);
}

/* The feed in one statement, one snapshot, no transaction: the plages and
 * absences of agents ids (when series; OCC_LOAD_SELECT's 13 columns, kind 0
 * and 1, read as rdv_app under the policies) then the RDVs (kind 2, the
 * columns of agenda_feed_rdvs from AG_FEED_COL, in its order). The owner
 * function applies the row-level rules once per call, not per row
 * (0028_agenda_feed.sql): an agent actor only, agents whose agenda the
 * viewer sees in org, RDVs and participants' names as rdv_app would see
 * them; it keeps its plans generic itself (0035), as the statement's do
 * without parameters to plan for. */
#define AG_FEED_COL (OCC_NCOLS + 6)
#define F(col) (AG_FEED_COL + (col))
#define AG_FEED_SQL \
	"SELECT o.*, NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text," \
	" NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, 0::bigint" \
	" FROM (" OCC_LOAD_SELECT ") o WHERE $8::boolean" \
	" UNION ALL" \
	" SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2, f.*" \
	" FROM agenda_feed_rdvs($5, $1::bigint[], $6::float8, $7::float8) WITH ORDINALITY f" \
	" ORDER BY 13, 25"

static PGresult *agenda_feed(struct ctx *c, long long org, const long long *ids, size_t k, long long from,
			     long long to, int series, int *n_series)
{
	PGresult *r = db_q(c->db, AG_FEED_SQL, occurrences_id_array(c->a, ids, k), "0",
			   occurrences_local_date(c->a, from, -1), occurrences_local_date(c->a, to, 1),
			   db_int(c->a, org), db_int(c->a, from), db_int(c->a, to), series ? "t" : "f");
	int i = 0;
	while (r != NULL && i < PQntuples(r) && db_ll(r, i, AG_FEED_COL - 1) != 2)
		i++;
	*n_series = i;
	return r;
}

/* The RDV rows of the feed: from row first on. */
static void agenda_events_rdvs(struct ctx *c, long long org, const struct ag_agent *agents, size_t n,
			       const PGresult *r, int first, json_t *list)
{
	long long now = (long long)time(NULL);
	for (int i = first; i < PQntuples(r); i++) {
		long long start = db_ll(r, i, F(1)), end = db_ll(r, i, F(2)), agent = db_ll(r, i, F(7));
		const struct ag_agent *ag = agenda_find(agents, n, agent);
		int here = db_ll(r, i, F(6)) == org, details = ag && ag->access >= AGENDA_READ;
		const char *status = db_val(r, i, F(3));
		const char *who = db_val(r, i, F(10))[0] ? db_val(r, i, F(10)) : db_val(r, i, F(9));
		const char *title = !details ? "Occupé"
				    : !here ? "Rendez-vous dans une autre organisation"
				    : arena_printf(c->a, "%s%s%s (%s)", who, who[0] ? " – " : "", db_val(r, i, F(4)),
						   agenda_status_label(status, end, now));
		json_t *e = agenda_event(arena_printf(c->a, "rdv-%s-%lld", db_val(r, i, F(0)), agent), title, start, end);
		int cancelled = strcmp(status, "excused") == 0 || strcmp(status, "revoked") == 0;
		json_object_set_new(e, "color", json_string(details && here ? db_val(r, i, F(5)) : AG_OTHER_COLOR));
		if (details && here) {
			json_object_set_new(e, "url", json_string(app_url(c, arena_printf(c->a,
				"/agent/organisations/%lld/rdvs/%s", org, db_val(r, i, F(0))))));
			json_object_set_new(e, "editable", json_boolean(ag->access >= AGENDA_WRITE && !cancelled));
			if (cancelled)
				json_object_set_new(e, "classNames", json_pack("[s]", "agenda-cancelled"));
		} else {
			json_object_set_new(e, "editable", json_false());
		}
		json_object_set_new(e, "extendedProps", json_pack("{s:s, s:I, s:I, s:s, s:s}", "kind", "rdv",
			"rdv_id", (json_int_t)(details && here ? db_ll(r, i, F(0)) : 0), "agent_id", (json_int_t)agent,
			"status", details ? status : "", "lieu", details && here ? db_val(r, i, F(8)) : ""));
		json_array_append_new(list, e);
	}
}

/* Plage occurrences as background events, absences as grey blocks. */
static int agenda_events_series(struct ctx *c, long long org, const struct ag_agent *agents, size_t n,
				const PGresult *r, int n_series, long long from, long long to, json_t *list)
{
	struct occ_row *rows;
	size_t n_rows;
	int rc = occurrences_rows(c->a, r, n_series, &rows, &n_rows);
	if (rc != 0)
		return rc;
	struct occ *o;
	size_t n_o;
	rc = occurrences_expand(c->a, rows, n_rows, from, to, &o, &n_o);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n_o; i++) {
		const struct occ_row *row = o[i].row;
		const struct ag_agent *ag = agenda_find(agents, n, row->agent_id);
		int details = ag && ag->access >= AGENDA_READ;
		int plage = row->kind == OCC_PLAGE;
		if (plage && !details)
			continue;   /* busy-only access: when they are busy, not when they receive */
		const char *title = !details ? "Occupé" : plage ? row->title : arena_printf(c->a, "Absence : %s", row->title);
		json_t *e = agenda_event(arena_printf(c->a, "%s-%lld-%lld", plage ? "plage" : "absence", row->id, o[i].start),
					 title, o[i].start, o[i].end);
		json_object_set_new(e, "color", json_string(plage ? (row->organisation_id == org ? AG_PLAGE_COLOR : "#e0e0e0")
								  : AG_ABSENCE_COLOR));
		if (plage)
			json_object_set_new(e, "display", json_string("background"));
		json_object_set_new(e, "editable", json_false());
		json_object_set_new(e, "extendedProps", json_pack("{s:s, s:I}", "kind", plage ? "plage" : "absence",
								  "agent_id", (json_int_t)row->agent_id));
		json_array_append_new(list, e);
	}
	return 0;
}

static int agenda_events(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	long long from, to;
	if (agenda_parse_instant(http_param(&c->req, "start"), &from) != 0 ||
	    agenda_parse_instant(http_param(&c->req, "end"), &to) != 0)
		return app_json_error(c, 400, "bad_request", "Les paramètres start et end doivent être des dates ISO 8601.", NULL);
	if (to <= from || to - from > AG_MAX_WINDOW)
		return app_json_error(c, 422, "validation_failed", "La période demandée doit faire au plus 6 semaines.", NULL);
	struct ag_agent *agents;
	size_t n;
	if (!agenda_only_self(c, &agents, &n)) {
		rc = agenda_org_agents(c, org, &agents, &n);
		if (rc == 0)
			agenda_select(c, agents, n);
	}
	if (rc != 0)
		return rc;
	long long ids[AG_MAX_AGENTS];
	size_t k = 0;
	for (size_t i = 0; i < n && k < AG_MAX_AGENTS; i++)
		if (agents[i].selected)
			ids[k++] = agents[i].id;
	json_t *list = json_array();
	if (k > 0) {
		int n_series;
		PGresult *r = agenda_feed(c, org, ids, k, from, to, 1, &n_series);
		if (r == NULL) {
			rc = c->db->err;
		} else {
			agenda_events_rdvs(c, org, agents, n, r, n_series, list);
			rc = agenda_events_series(c, org, agents, n, r, n_series, from, to, list);
			PQclear(r);
		}
	}
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	return app_json(c, 200, list);
}

/* ---------------------------------------------------------------- the page */

/* /agent/ and /agent/agenda: the agenda of the agent's first organisation. */
static int agenda_home(struct ctx *c)
{
	long long org = booking_first_org(c);
	if (org == 0) {
		tmpl_set_var(c->vars, "title", "Mon agenda");
		return app_render(c, 200, "booking/agenda.tmpl");
	}
	return app_redirect(c, arena_printf(c->a, "/agent/organisations/%lld/agenda", org));
}

/* The day the page shows (?date=), default today; local midnight. */
static long long agenda_param_date(struct ctx *c)
{
	const char *s = http_param(&c->req, "date");
	int y, m, d;
	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || !tz_is_valid_date(y, m, d))
		tz_civil_from_days(tz_utc_to_local_days((long long)time(NULL)), &y, &m, &d);
	return tz_local_midnight(y, m, d);
}

static const char *agenda_date_str(struct ctx *c, long long days)
{
	int y, m, d;
	tz_civil_from_days(days, &y, &m, &d);
	return arena_printf(c->a, "%04d-%02d-%02d", y, m, d);
}

/* The agent picker and one calendar column per selected agent. */
static void agenda_agent_vars(struct ctx *c, const struct ag_agent *agents, size_t n)
{
	struct tmpl_loop *pick = tmpl_add_loop(c->vars, "agents");
	struct tmpl_loop *cols = tmpl_add_loop(c->vars, "calendars");
	struct tmpl_loop *targets = tmpl_add_loop(c->vars, "move_agents");
	for (size_t i = 0; i < n; i++) {
		if (agents[i].access < AGENDA_BUSY)
			continue;
		struct tmpl_vars *row;
		if (agents[i].access >= AGENDA_WRITE) {   /* the move dialog's agent select */
			row = tmpl_loop_add_row(targets);
			tmpl_set_int(row, "id", agents[i].id);
			tmpl_set_var(row, "name", agents[i].name);
		}
		row = tmpl_loop_add_row(pick);
		tmpl_set_int(row, "id", agents[i].id);
		tmpl_set_var(row, "name", agents[i].name);
		tmpl_set_bool(row, "selected", agents[i].selected);
		tmpl_set_bool(row, "busy_only", agents[i].access == AGENDA_BUSY);
		if (!agents[i].selected)
			continue;
		row = tmpl_loop_add_row(cols);
		tmpl_set_int(row, "agent_id", agents[i].id);
		tmpl_set_var(row, "agent_name", agents[i].name);
		tmpl_set_bool(row, "writable", agents[i].access >= AGENDA_WRITE);
	}
}

/* The no-JS list: the week's RDVs of the selected agents (details per access). */
static int agenda_week_list(struct ctx *c, long long org, const struct ag_agent *agents, size_t n, long long day)
{
	long long monday = tz_utc_to_local_days(day);
	monday -= tz_weekday_of_days(monday);
	int y, m, d;
	tz_civil_from_days(monday, &y, &m, &d);
	long long from = tz_local_midnight(y, m, d);
	tz_civil_from_days(monday + 7, &y, &m, &d);
	long long to = tz_local_midnight(y, m, d);
	tmpl_set_var(c->vars, "week_from", agenda_date_str(c, monday));
	tmpl_set_var(c->vars, "prev_week", agenda_date_str(c, monday - 7));
	tmpl_set_var(c->vars, "next_week", agenda_date_str(c, monday + 7));
	long long ids[AG_MAX_AGENTS];
	size_t k = 0;
	for (size_t i = 0; i < n && k < AG_MAX_AGENTS; i++)
		if (agents[i].selected)
			ids[k++] = agents[i].id;
	json_t *list = json_array();
	int rc = 0, n_series;
	PGresult *r = k ? agenda_feed(c, org, ids, k, from, to, 0, &n_series) : NULL;
	if (r != NULL) {
		agenda_events_rdvs(c, org, agents, n, r, n_series, list);
		PQclear(r);
	} else if (k) {
		rc = c->db->err;
	}
	struct tmpl_loop *rows = tmpl_add_loop(c->vars, "week_rdvs");
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		long long start = 0;
		valid_iso_datetime(json_string_value(json_object_get(e, "start")), &start, &(const char *){NULL});
		const struct ag_agent *ag = agenda_find(agents, n, json_integer_value(json_object_get(
			json_object_get(e, "extendedProps"), "agent_id")));
		struct tmpl_vars *row = tmpl_loop_add_row(rows);
		char when[96];
		tz_format_fr_long(start, when, sizeof(when));
		tmpl_set_var(row, "when", when);
		tmpl_set_var(row, "agent", ag ? ag->name : "");
		tmpl_set_var(row, "title", json_string_value(json_object_get(e, "title")));
		tmpl_set_var(row, "url", json_string_value(json_object_get(e, "url")));
		if (json_is_true(json_object_get(e, "editable"))) {   /* the keyboard's « Déplacer » */
			tmpl_set_int(row, "rdv_id", json_integer_value(json_object_get(json_object_get(e, "extendedProps"),
											 "rdv_id")));
			tmpl_set_int(row, "agent_id", ag ? ag->id : 0);
			tmpl_set_var(row, "start", json_string_value(json_object_get(e, "start")));
		}
	}
	json_decref(list);
	return rc;
}

static int agenda_show(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct ag_agent *agents;
	size_t n;
	rc = agenda_org_agents(c, org, &agents, &n);
	if (rc != 0)
		return rc;
	size_t sel = agenda_select(c, agents, n);
	long long day = agenda_param_date(c);
	app_csp_style_nonce(c);
	tmpl_set_var(c->vars, "title", "Agenda");
	tmpl_set_bool(c->vars, "need_calendar", 1);
	tmpl_set_var(c->vars, "date", agenda_date_str(c, tz_utc_to_local_days(day)));
	const char *view = http_param(&c->req, "view");
	tmpl_set_var(c->vars, "view", view && strcmp(view, "day") == 0 ? "timeGridDay"
				     : view && strcmp(view, "week") == 0 ? "timeGridWeek"
				     : sel > 1 ? "timeGridDay" : "timeGridWeek");
	tmpl_set_int(c->vars, "n_calendars", (long long)sel);
	agenda_agent_vars(c, agents, n);
	rc = agenda_week_list(c, org, agents, n, day);
	if (rc != 0)
		return rc;
	PGresult *r = db_q(c->db, "SELECT id, name FROM lieux WHERE organisation_id = $1 AND availability <> 'disabled'"
				  " ORDER BY name", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *lieux = tmpl_add_loop(c->vars, "lieux");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(lieux);
		tmpl_set_var(row, "lieu_id", db_val(r, i, 0));
		tmpl_set_var(row, "lieu_name", db_val(r, i, 1));
	}
	PQclear(r);
	return app_render(c, 200, "booking/agenda.tmpl");
}

/* ---------------------------------------------------------------- journée */

static long long agenda_midnight(long long days)
{
	int y, m, d;
	tz_civil_from_days(days, &y, &m, &d);
	return tz_local_midnight(y, m, d);
}

/* 1 when the viewer may read the agenda of one of the agents of "{1,2}". */
static int agenda_any_readable(const struct ag_agent *agents, size_t n, const char *pg_array)
{
	const char *p = pg_array[0] == '{' ? pg_array + 1 : pg_array;
	while (*p) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p)
			break;
		const struct ag_agent *ag = agenda_find(agents, n, id);
		if (ag && ag->access >= AGENDA_READ)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int journee_show(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	const char *o = db_int(c->a, org), *lieu = db_int(c->a, route_id(&c->match, "lieu_id"));
	PGresult *l = db_q(c->db, "SELECT name, address FROM lieux WHERE id = $1 AND organisation_id = $2", lieu, o);
	if (l == NULL)
		return c->db->err;
	if (PQntuples(l) != 1) {
		PQclear(l);
		return RDV_ENOTFOUND;
	}
	tmpl_set_var(c->vars, "lieu_name", db_val(l, 0, 0));
	tmpl_set_var(c->vars, "lieu_address", db_val(l, 0, 1));
	PQclear(l);
	long long day = agenda_param_date(c), days = tz_utc_to_local_days(day);
	char label[64];
	tz_format_fr_date(day + 12 * 3600, label, sizeof(label));
	tmpl_set_var(c->vars, "title", arena_printf(c->a, "Journée du %s", label));
	tmpl_set_var(c->vars, "day_label", label);
	tmpl_set_var(c->vars, "date", agenda_date_str(c, days));
	tmpl_set_var(c->vars, "prev_date", agenda_date_str(c, days - 1));
	tmpl_set_var(c->vars, "next_date", agenda_date_str(c, days + 1));
	tmpl_set_int(c->vars, "lieu_id", route_id(&c->match, "lieu_id"));
	PGresult *r = db_q(c->db,
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint, r.status::text,"
		" m.name, coalesce(r.name, ''),"
		" coalesce((SELECT string_agg(trim(u.first_name || ' ' || u.last_name), ', ' ORDER BY u.last_name)"
		"   FROM participations p JOIN users u ON u.id = p.user_id"
		"   WHERE p.rdv_id = r.id AND p.status NOT IN ('excused', 'revoked')), ''),"
		" coalesce((SELECT array_agg(ar.agent_id ORDER BY ar.agent_id)::text FROM agents_rdvs ar WHERE ar.rdv_id = r.id), '{}'),"
		" coalesce((SELECT string_agg(trim(a.first_name || ' ' || a.last_name), ', ' ORDER BY a.last_name)"
		"   FROM agents_rdvs ar JOIN agents a ON a.id = ar.agent_id WHERE ar.rdv_id = r.id), '')"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id"
		" WHERE r.lieu_id = $1 AND r.organisation_id = $2"
		" AND r.starts_at >= to_timestamp($3::float8) AND r.starts_at < to_timestamp($4::float8)"
		" ORDER BY r.starts_at, r.id",
		lieu, o, db_int(c->a, day), db_int(c->a, agenda_midnight(days + 1)));
	if (r == NULL)
		return c->db->err;
	struct ag_agent *agents;
	size_t n;
	rc = agenda_org_agents(c, org, &agents, &n);
	if (rc != 0) {
		PQclear(r);
		return rc;
	}
	long long now = (long long)time(NULL);
	struct tmpl_loop *rows = tmpl_add_loop(c->vars, "rdvs");
	for (int i = 0; i < PQntuples(r); i++) {
		/* Details only when the viewer may read the agenda of one of its agents. */
		int details = agenda_any_readable(agents, n, db_val(r, i, 7));
		struct tmpl_vars *row = tmpl_loop_add_row(rows);
		char st[6], en[6];
		tz_format_hm(db_ll(r, i, 1), st);
		tz_format_hm(db_ll(r, i, 2), en);
		tmpl_set_varf(row, "time", "%s – %s", st, en);
		tmpl_set_var(row, "agents", db_val(r, i, 8));
		if (!details) {
			tmpl_set_var(row, "motif", "Occupé");
			continue;
		}
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "users", db_val(r, i, 6)[0] ? db_val(r, i, 6) : db_val(r, i, 5));
		tmpl_set_var(row, "motif", db_val(r, i, 4));
		tmpl_set_var(row, "status", agenda_status_label(db_val(r, i, 3), db_ll(r, i, 2), now));
	}
	PQclear(r);
	return app_render(c, 200, "booking/journee.tmpl");
}

/* /agent/rdvs/:id — the short link of e-mails: the RDV's page in its
 * organisation, when the agent has a role there (else 404). */
static int rdv_short_link(struct ctx *c)
{
	char *org = db_s(c->db, c->a,
		"SELECT r.organisation_id FROM rdvs r JOIN agent_roles ar ON ar.organisation_id = r.organisation_id"
		" WHERE r.id = $1 AND ar.agent_id = $2", db_int(c->a, route_id(&c->match, "id")), db_int(c->a, c->agent_id));
	if (org == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	return app_redirect(c, arena_printf(c->a, "/agent/organisations/%s/rdvs/%lld", org, route_id(&c->match, "id")));
}

ROUTE_TABLE(agenda_routes,
	{HTTP_GET, "/agent/", agenda_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/agenda", agenda_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/rdvs/:id", rdv_short_link, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/agenda", agenda_show, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/agenda/events.json", agenda_events, ROUTE_AGENT, ROUTE_JSON},
	{HTTP_GET, "/agent/organisations/:org_id/lieux/:lieu_id/journee", journee_show, ROUTE_AGENT, 0},
);
