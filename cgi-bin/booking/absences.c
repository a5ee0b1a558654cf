/*
 * absences.c - the agent pages of absences (agent-wide unavailability,
 * recorded in the organisation where entered): list, new/create, show,
 * edit/update, delete, delete or move one occurrence. Parse, check access
 * (plages_may), call lib/plages, render.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking.h"
#include "plages.h"
#include "rdv.h"
#include "tz.h"
#include "valid.h"

static const char *const weekday_keys[7] = {"monday", "tuesday", "wednesday", "thursday", "friday",
					    "saturday", "sunday"};

struct absence_form {
	const char *agent_id, *title, *first_day, *start_time, *end_day, *end_time, *rec, *interval, *until;
	unsigned weekdays;
};

static const char *base_path(struct ctx *c, long long org)
{
	return arena_printf(c->a, "/agent/organisations/%lld/absences", org);
}

/* ---------------------------------------------------------------- form */

static void form_from_request(struct ctx *c, struct absence_form *f)
{
	memset(f, 0, sizeof *f);
	const struct http_request *q = &c->req;
	f->agent_id = http_param(q, "agent_id");
	f->title = http_param(q, "title");
	f->first_day = http_param(q, "first_day");
	f->start_time = http_param(q, "start_time");
	f->end_day = http_param(q, "end_day");
	f->end_time = http_param(q, "end_time");
	f->rec = http_param(q, "recurrence");
	f->interval = http_param(q, "interval");
	f->until = http_param(q, "until");
	const char *on[8];
	size_t n = kv_get_all(&q->form, "on", on, 8);
	for (size_t i = 0; i < n && i < 8; i++)
		for (int d = 0; d < 7; d++)
			if (strcmp(on[i], weekday_keys[d]) == 0)
				f->weekdays |= 1u << d;
}

static void form_from_absence(struct ctx *c, const struct absence *ab, struct absence_form *f)
{
	struct arena *a = c->a;
	memset(f, 0, sizeof *f);
	f->agent_id = db_int(a, ab->agent_id);
	f->title = ab->title;
	f->first_day = plages_date_iso(a, ab->first_y, ab->first_m, ab->first_d);
	f->start_time = plages_hm(a, ab->start_min);
	f->end_day = plages_date_iso(a, ab->end_y, ab->end_m, ab->end_d);
	f->end_time = plages_hm(a, ab->end_min);
	f->rec = ab->rule.every == REC_WEEK ? "weekly" : ab->rule.every == REC_MONTH ? "monthly" : "none";
	f->interval = db_int(a, ab->rule.interval ? ab->rule.interval : 1);
	f->until = ab->rule.has_until ? plages_date_iso(a, ab->rule.until_y, ab->rule.until_m, ab->rule.until_d) : "";
	f->weekdays = ab->rule.weekdays;
}

static int vars_agents(struct ctx *c, long long org, enum org_role role, const char *selected)
{
	PGresult *r = db_q(c->db,
		"SELECT ag.id, ag.first_name || ' ' || ag.last_name FROM agent_roles ar JOIN agents ag ON ag.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND ag.deleted_at IS NULL ORDER BY ag.last_name, ag.first_name, ag.id",
		db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "agents");
	for (int i = 0; i < PQntuples(r); i++) {
		if (!plages_may(c->db, c->agent_id, db_ll(r, i, 0), org, role, AGENDA_WRITE))
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_bool(row, "selected", selected != NULL && strcmp(selected, db_val(r, i, 0)) == 0);
	}
	PQclear(r);
	return 0;
}

static void vars_recurrence(struct ctx *c, const char *rec, const char *interval, unsigned weekdays, const char *until)
{
	struct tmpl_vars *v = c->vars;
	rec = rec ? rec : "none";
	tmpl_set_bool(v, "rec_none", strcmp(rec, "weekly") != 0 && strcmp(rec, "monthly") != 0);
	tmpl_set_bool(v, "rec_weekly", strcmp(rec, "weekly") == 0);
	tmpl_set_bool(v, "rec_monthly", strcmp(rec, "monthly") == 0);
	tmpl_set_var(v, "f_interval", interval && interval[0] ? interval : "1");
	tmpl_set_var(v, "f_until", until);
	struct tmpl_loop *loop = tmpl_add_loop(v, "weekdays");
	for (int d = 0; d < 7; d++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "key", weekday_keys[d]);
		tmpl_set_var(row, "label", tz_weekday_name(d));
		tmpl_set_bool(row, "checked", (weekdays >> d) & 1u);
	}
}

static int render_form(struct ctx *c, int status, long long org, enum org_role role, const struct absence_form *f,
		       const json_t *errors, long long id)
{
	struct tmpl_vars *v = c->vars;
	const char *list = app_url(c, base_path(c, org));
	tmpl_set_var(v, "title", id ? "Modifier l'absence" : "Nouvelle absence");
	tmpl_set_var(v, "action", id ? arena_printf(c->a, "%s/%lld", list, id) : list);
	tmpl_set_var(v, "cancel_href", id ? arena_printf(c->a, "%s/%lld", list, id) : list);
	tmpl_set_var(v, "f_title", f->title);
	tmpl_set_var(v, "f_first_day", f->first_day);
	tmpl_set_var(v, "f_start_time", f->start_time);
	tmpl_set_var(v, "f_end_day", f->end_day);
	tmpl_set_var(v, "f_end_time", f->end_time);
	vars_recurrence(c, f->rec, f->interval, f->weekdays, f->until);
	plages_tmpl_errors(v, errors);
	int rc = vars_agents(c, org, role, f->agent_id);
	return rc ? rc : app_render(c, status, "booking/absences_form.tmpl");
}

static int form_validate(struct ctx *c, long long org, const struct absence_form *f, struct absence *ab, json_t *errors)
{
	struct recurrence rule;
	struct absence_input in = {.agent_id = f->agent_id, .title = f->title, .first_day = f->first_day,
				   .start_time = f->start_time, .end_day = f->end_day, .end_time = f->end_time};
	if (plages_rule_from_form(f->rec, f->interval, f->weekdays, f->until, &rule, errors) == 0)
		in.rule = &rule;
	return absences_validate(c->db, c->a, org, &in, ab, errors);
}

static int check_write_agent(struct ctx *c, long long org, enum org_role role, const char *s)
{
	long long id;
	if (s == NULL || valid_id(s, &id, NULL) != 0)
		return 0;   /* the validation reports it */
	return plages_may(c->db, c->agent_id, id, org, role, AGENDA_WRITE) ? 0 : RDV_EFORBIDDEN;
}

/* ---------------------------------------------------------------- list */

static const char *span_label(struct ctx *c, const char *d0, const char *t0, const char *d1, const char *t1)
{
	int y0 = 0, m0 = 0, dd0 = 0, y1 = 0, m1 = 0, dd1 = 0;
	valid_date(d0, &y0, &m0, &dd0, NULL);
	valid_date(d1, &y1, &m1, &dd1, NULL);
	if (strcmp(d0, d1) == 0)
		return arena_printf(c->a, "%s, %s – %s", plages_date_fr(c->a, y0, m0, dd0), t0, t1);
	return arena_printf(c->a, "du %s à %s au %s à %s", plages_date_fr(c->a, y0, m0, dd0), t0,
			    plages_date_fr(c->a, y1, m1, dd1), t1);
}

static int absence_index(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	long long agent = c->agent_id;
	const char *s = http_param(&c->req, "agent_id");
	if (s != NULL && s[0] != '\0' && valid_id(s, &agent, NULL) != 0)
		return RDV_ENOTFOUND;
	if ((rc = plages_check(c->db, c->agent_id, agent, org, role, AGENDA_READ)) != 0)
		return rc;
	int page = plages_page_param(http_param(&c->req, "page"));
	const char *o = db_int(c->a, org), *ag = db_int(c->a, agent);
	char *total = db_s(c->db, c->a, "SELECT count(*) FROM absences WHERE organisation_id = $1 AND agent_id = $2", o, ag);
	if (total == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	PGresult *r = db_q(c->db,
		"SELECT id, title, first_day::text, to_char(start_time, 'HH24:MI'), end_day::text, to_char(end_time, 'HH24:MI'),"
		" recurrence::text, exception_of_id IS NOT NULL FROM absences"
		" WHERE organisation_id = $1 AND agent_id = $2 ORDER BY first_day DESC, id DESC LIMIT $3 OFFSET $4",
		o, ag, db_int(c->a, PLAGES_PER_PAGE), db_int(c->a, (long long)(page - 1) * PLAGES_PER_PAGE));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "absences");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		struct recurrence rule;
		recurrence_parse(db_val(r, i, 6), &rule, NULL);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "span", span_label(c, db_val(r, i, 2), db_val(r, i, 3), db_val(r, i, 4), db_val(r, i, 5)));
		tmpl_set_var(row, "rule", plages_rule_describe(c->a, &rule));
		tmpl_set_bool(row, "moved", db_bool(r, i, 7));
	}
	PQclear(r);
	const char *list = app_url(c, base_path(c, org));
	tmpl_set_var(c->vars, "title", "Absences");
	tmpl_set_var(c->vars, "total", total);
	tmpl_set_var(c->vars, "new_href", arena_printf(c->a, "%s/new?agent_id=%lld", list, agent));
	plages_tmpl_pagination(c->a, c->vars, arena_printf(c->a, "%s?agent_id=%lld&", list, agent), page,
			       strtoll(total, NULL, 10), PLAGES_PER_PAGE);
	rc = vars_agents(c, org, role, db_int(c->a, agent));
	return rc ? rc : app_render(c, 200, "booking/absences_index.tmpl");
}

/* ------------------------------------------------------------ new, create */

static int absence_new(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct absence_form f = {0};
	f.agent_id = http_param(&c->req, "agent_id");
	if (f.agent_id == NULL || f.agent_id[0] == '\0')
		f.agent_id = db_int(c->a, c->agent_id);
	if ((rc = check_write_agent(c, org, role, f.agent_id)) != 0)
		return rc;
	long long today = tz_utc_to_local_days((long long)time(NULL));
	int y, m, d;
	tz_civil_from_days(today, &y, &m, &d);
	f.first_day = f.end_day = plages_date_iso(c->a, y, m, d);
	f.start_time = "09:00";
	f.end_time = "17:00";
	f.rec = "none";
	return render_form(c, 200, org, role, &f, NULL, 0);
}

static int absence_create(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct absence_form f;
	form_from_request(c, &f);
	if ((rc = check_write_agent(c, org, role, f.agent_id)) != 0)
		return rc;
	json_t *errors = json_object();
	struct absence ab;
	rc = form_validate(c, org, &f, &ab, errors);
	if (rc == RDV_EINVAL)
		rc = render_form(c, 422, org, role, &f, errors, 0);
	json_decref(errors);
	if (rc != 0 || c->res.status == 422)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = absences_create(c->db, c->a, &who, &ab)) != 0)
		return rc;
	app_flash(c, "success", "L'absence a été enregistrée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), ab.id));
}

/* ------------------------------------------------------------ show */

static int load_page_absence(struct ctx *c, long long *org, enum org_role *role, struct absence *ab,
			     enum agenda_access need)
{
	int rc = booking_org(c, org, role);
	if (rc != 0)
		return rc;
	rc = absences_load(c->db, c->a, *org, route_id(&c->match, "id"), ab);
	if (rc != 0)
		return rc;
	return plages_check(c->db, c->agent_id, ab->agent_id, *org, *role, need);
}

static void vars_occurrences(struct ctx *c, const struct absence *ab, int writable)
{
	struct series s;
	absences_series(ab, &s);
	PGresult *r = db_q(c->db, "SELECT day - date '1970-01-01' FROM absence_exceptions WHERE absence_id = $1 ORDER BY day",
			   db_int(c->a, ab->id));
	size_t n_skip = r ? (size_t)PQntuples(r) : 0;
	int *skip = arena_calloc(c->a, n_skip + 1, sizeof *skip);
	struct tmpl_loop *ex = tmpl_add_loop(c->vars, "exceptions");
	for (size_t i = 0; i < n_skip && skip; i++) {
		int y, m, d;
		skip[i] = (int)db_ll(r, (int)i, 0);
		tz_civil_from_days(skip[i], &y, &m, &d);
		tmpl_set_var(tmpl_loop_add_row(ex), "day", plages_date_fr(c->a, y, m, d));
	}
	PQclear(r);
	s.skip_days = skip;
	s.n_skip = skip ? n_skip : 0;
	long long from = (long long)time(NULL), to = from + 366LL * 86400;
	struct occurrence occ[10];
	long long n = recurrence_expand(&s, from, to, 0, occ, 10);
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "occurrences");
	for (long long i = 0; i < n && i < 10; i++) {
		int y, m, d;
		tz_civil_from_days(tz_utc_to_local_days(occ[i].start), &y, &m, &d);
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "label", plages_date_fr(c->a, y, m, d));
		tmpl_set_var(row, "day", plages_date_iso(c->a, y, m, d));
		tmpl_set_bool(row, "can_change", writable && ab->rule.every != REC_NONE);
	}
}

static int render_show(struct ctx *c, int status, long long org, enum org_role role, const struct absence *ab,
		       const char *action_error)
{
	struct tmpl_vars *v = c->vars;
	const char *list = app_url(c, base_path(c, org));
	char *name = db_s(c->db, c->a, "SELECT first_name || ' ' || last_name FROM agents WHERE id = $1",
			  db_int(c->a, ab->agent_id));
	int writable = plages_may(c->db, c->agent_id, ab->agent_id, org, role, AGENDA_WRITE);
	tmpl_set_var(v, "title", ab->title);
	tmpl_set_var(v, "absence_title", ab->title);
	tmpl_set_var(v, "agent_name", name);
	tmpl_set_var(v, "span", span_label(c, plages_date_iso(c->a, ab->first_y, ab->first_m, ab->first_d),
					    plages_hm(c->a, ab->start_min),
					    plages_date_iso(c->a, ab->end_y, ab->end_m, ab->end_d), plages_hm(c->a, ab->end_min)));
	tmpl_set_var(v, "rule", plages_rule_describe(c->a, &ab->rule));
	tmpl_set_bool(v, "recurring", ab->rule.every != REC_NONE);
	tmpl_set_bool(v, "writable", writable);
	tmpl_set_var(v, "action_error", action_error);
	tmpl_set_var(v, "href", arena_printf(c->a, "%s/%lld", list, ab->id));
	tmpl_set_var(v, "list_href", arena_printf(c->a, "%s?agent_id=%lld", list, ab->agent_id));
	if (ab->exception_of_id)
		tmpl_set_var(v, "series_href", arena_printf(c->a, "%s/%lld", list, ab->exception_of_id));
	vars_occurrences(c, ab, writable);
	return app_render(c, status, "booking/absences_show.tmpl");
}

static int absence_show(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence ab;
	int rc = load_page_absence(c, &org, &role, &ab, AGENDA_READ);
	return rc ? rc : render_show(c, 200, org, role, &ab, NULL);
}

/* ------------------------------------------------------- edit, update, delete */

static int absence_edit(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence ab;
	int rc = load_page_absence(c, &org, &role, &ab, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct absence_form f;
	form_from_absence(c, &ab, &f);
	return render_form(c, 200, org, role, &f, NULL, ab.id);
}

static int absence_update(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence old;
	int rc = load_page_absence(c, &org, &role, &old, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct absence_form f;
	form_from_request(c, &f);
	if ((rc = check_write_agent(c, org, role, f.agent_id)) != 0)
		return rc;
	json_t *errors = json_object();
	struct absence ab;
	rc = form_validate(c, org, &f, &ab, errors);
	if (rc == RDV_EINVAL)
		rc = render_form(c, 422, org, role, &f, errors, old.id);
	json_decref(errors);
	if (rc != 0 || c->res.status == 422)
		return rc;
	ab.id = old.id;
	ab.exception_of_id = old.exception_of_id;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = absences_update(c->db, c->a, &who, &ab)) != 0)
		return rc;
	app_flash(c, "success", "L'absence a été modifiée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), ab.id));
}

static int absence_delete(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence ab;
	int rc = load_page_absence(c, &org, &role, &ab, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = absences_delete(c->db, c->a, &who, org, ab.id)) != 0)
		return rc;
	app_flash(c, "success", "L'absence a été supprimée.");
	return app_redirect(c, arena_printf(c->a, "%s?agent_id=%lld", base_path(c, org), ab.agent_id));
}

/* ------------------------------------------------------------ occurrences */

static long long param_day(struct ctx *c, const char *name)
{
	int y, m, d;
	const char *s = http_param(&c->req, name);
	if (s == NULL || valid_date(s, &y, &m, &d, NULL) != 0)
		return 0;
	return tz_days_from_civil(y, m, d);
}

#define NOT_AN_OCCURRENCE "Ce jour n'est pas une occurrence de cette absence (absence ponctuelle, date hors de la récurrence ou occurrence déjà supprimée)."

static int absence_occurrence_delete(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence ab;
	int rc = load_page_absence(c, &org, &role, &ab, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	long long day = param_day(c, "day");
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	rc = day ? absences_delete_occurrence(c->db, c->a, &who, &ab, day) : RDV_EINVAL;
	if (rc == RDV_EINVAL)
		return render_show(c, 422, org, role, &ab, NOT_AN_OCCURRENCE);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "L'occurrence a été supprimée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), ab.id));
}

static int render_move(struct ctx *c, int status, long long org, const struct absence *ab, const char *day,
		       const char *new_day, const char *start, const char *end, const json_t *errors)
{
	struct tmpl_vars *v = c->vars;
	tmpl_set_var(v, "title", "Déplacer une occurrence");
	tmpl_set_var(v, "plage_title", ab->title);
	tmpl_set_var(v, "href", arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, org)), ab->id));
	int y, m, d;
	if (day != NULL && valid_date(day, &y, &m, &d, NULL) == 0)
		tmpl_set_var(v, "day_label", plages_date_fr(c->a, y, m, d));
	tmpl_set_var(v, "f_day", day);
	tmpl_set_var(v, "f_new_day", new_day);
	tmpl_set_var(v, "f_start_time", start);
	tmpl_set_var(v, "f_end_time", end);
	plages_tmpl_errors(v, errors);
	return app_render(c, status, "booking/absences_move.tmpl");
}

static int absence_occurrence_move_form(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence ab;
	int rc = load_page_absence(c, &org, &role, &ab, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	const char *day = http_param(&c->req, "day");
	return render_move(c, 200, org, &ab, day, day, plages_hm(c->a, ab.start_min), plages_hm(c->a, ab.end_min), NULL);
}

static int absence_occurrence_move(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct absence ab;
	int rc = load_page_absence(c, &org, &role, &ab, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	const char *day = http_param(&c->req, "day"), *new_day = http_param(&c->req, "new_day");
	const char *start = http_param(&c->req, "start_time"), *end = http_param(&c->req, "end_time");
	json_t *errors = json_object();
	struct absence_input in = {.agent_id = db_int(c->a, ab.agent_id), .title = ab.title, .first_day = new_day,
				   .start_time = start, .end_time = end};
	struct absence check;
	rc = absences_validate(c->db, c->a, org, &in, &check, errors);
	if (json_object_get(errors, "first_day") != NULL) {
		json_object_set(errors, "new_day", json_object_get(errors, "first_day"));
		json_object_del(errors, "first_day");
	}
	long long d0 = param_day(c, "day"), new_id = 0;
	if (rc == 0) {
		struct plages_actor who = {c->agent_id, app_client_ip(c)};
		rc = d0 ? absences_move_occurrence(c->db, c->a, &who, &ab, d0,
						   tz_days_from_civil(check.first_y, check.first_m, check.first_d),
						   check.start_min, check.end_min, &new_id)
			: RDV_EINVAL;
		if (rc == RDV_EINVAL)
			plages_error_add(errors, "day", NOT_AN_OCCURRENCE);
	}
	if (rc == RDV_EINVAL)
		rc = render_move(c, 422, org, &ab, day, new_day, start, end, errors);
	json_decref(errors);
	if (rc != 0 || new_id == 0)
		return rc;
	app_flash(c, "success", "L'occurrence a été déplacée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), new_id));
}

#define AB "/agent/organisations/:org_id/absences"
ROUTE_TABLE(absence_routes,
	{HTTP_GET, AB, absence_index, ROUTE_AGENT, 0},
	{HTTP_GET, AB "/new", absence_new, ROUTE_AGENT, 0},
	{HTTP_POST, AB, absence_create, ROUTE_AGENT, 0},
	{HTTP_GET, AB "/:id", absence_show, ROUTE_AGENT, 0},
	{HTTP_GET, AB "/:id/edit", absence_edit, ROUTE_AGENT, 0},
	{HTTP_POST, AB "/:id", absence_update, ROUTE_AGENT, 0},
	{HTTP_POST, AB "/:id/delete", absence_delete, ROUTE_AGENT, 0},
	{HTTP_POST, AB "/:id/occurrences/delete", absence_occurrence_delete, ROUTE_AGENT, 0},
	{HTTP_GET, AB "/:id/occurrences/move", absence_occurrence_move_form, ROUTE_AGENT, 0},
	{HTTP_POST, AB "/:id/occurrences/move", absence_occurrence_move, ROUTE_AGENT, 0},
);
