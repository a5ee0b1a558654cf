/*
 * plages.c - the agent pages of plages d'ouverture: list, new/create,
 * show, edit/update, delete, delete or move one occurrence. Parse, check
 * access (plages_may), call lib/plages, render; the rules live there.
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

/* The form as typed (kept after an error) or as stored (edit). */
struct plage_form {
	const char *agent_id, *lieu_id, *title, *first_day, *start_time, *end_time, *rec, *interval, *until;
	unsigned weekdays;
	const char *motifs[PLAGES_MAX_MOTIFS + 1];
	size_t n_motifs;
};

static long long today_days(void)
{
	return tz_utc_to_local_days((long long)time(NULL));
}

static const char *days_iso(struct arena *a, long long days)
{
	int y, m, d;
	tz_civil_from_days(days, &y, &m, &d);
	return plages_date_iso(a, y, m, d);
}

static const char *base_path(struct ctx *c, long long org)
{
	return arena_printf(c->a, "/agent/organisations/%lld/plages_ouverture", org);
}

/* ---------------------------------------------------------------- form */

static void form_from_request(struct ctx *c, struct plage_form *f)
{
	memset(f, 0, sizeof *f);
	const struct http_request *q = &c->req;
	f->agent_id = http_param(q, "agent_id");
	f->lieu_id = http_param(q, "lieu_id");
	f->title = http_param(q, "title");
	f->first_day = http_param(q, "first_day");
	f->start_time = http_param(q, "start_time");
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
	f->n_motifs = kv_get_all(&q->form, "motif_ids", f->motifs, PLAGES_MAX_MOTIFS + 1);
	if (f->n_motifs > PLAGES_MAX_MOTIFS + 1)
		f->n_motifs = PLAGES_MAX_MOTIFS + 1;
}

static void form_from_plage(struct ctx *c, const struct plage *p, struct plage_form *f)
{
	struct arena *a = c->a;
	memset(f, 0, sizeof *f);
	f->agent_id = db_int(a, p->agent_id);
	f->lieu_id = p->lieu_id ? db_int(a, p->lieu_id) : "";
	f->title = p->title;
	f->first_day = plages_date_iso(a, p->first_y, p->first_m, p->first_d);
	f->start_time = plages_hm(a, p->start_min);
	f->end_time = plages_hm(a, p->end_min);
	f->rec = p->rule.every == REC_WEEK ? "weekly" : p->rule.every == REC_MONTH ? "monthly" : "none";
	f->interval = db_int(a, p->rule.interval ? p->rule.interval : 1);
	f->until = p->rule.has_until ? plages_date_iso(a, p->rule.until_y, p->rule.until_m, p->rule.until_d) : "";
	f->weekdays = p->rule.weekdays;
	for (size_t i = 0; i < p->n_motifs; i++)
		f->motifs[f->n_motifs++] = db_int(a, p->motif_ids[i]);
}

static int form_has_motif(const struct plage_form *f, const char *id)
{
	for (size_t i = 0; i < f->n_motifs; i++)
		if (strcmp(f->motifs[i], id) == 0)
			return 1;
	return 0;
}

/* Agents whose plages the signed-in agent may write in org. */
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

static int vars_lieux_motifs(struct ctx *c, long long org, const struct plage_form *f)
{
	PGresult *r = db_q(c->db, "SELECT id, name FROM lieux WHERE organisation_id = $1 AND availability = 'enabled'"
				  " ORDER BY name", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "lieux");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_bool(row, "selected", f->lieu_id != NULL && strcmp(f->lieu_id, db_val(r, i, 0)) == 0);
	}
	PQclear(r);
	r = db_q(c->db, "SELECT m.id, m.name, s.name, m.location_type::text FROM motifs m JOIN services s ON s.id = m.service_id"
			" WHERE m.organisation_id = $1 AND m.deleted_at IS NULL AND NOT m.collectif ORDER BY s.name, m.name",
		 db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	loop = tmpl_add_loop(c->vars, "motifs");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "service", db_val(r, i, 2));
		tmpl_set_bool(row, "on_site", strcmp(db_val(r, i, 3), "public_office") == 0);
		tmpl_set_bool(row, "checked", form_has_motif(f, db_val(r, i, 0)));
	}
	PQclear(r);
	return 0;
}

/* The recurrence fieldset, shared with absences (plages_recurrence.tmpl). */
static void vars_recurrence(struct ctx *c, const char *rec, const char *interval, unsigned weekdays,
			    const char *until)
{
	struct tmpl_vars *v = c->vars;
	rec = rec ? rec : "none";
	tmpl_set_var(v, "f_recurrence", rec);
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

static int render_form(struct ctx *c, int status, long long org, enum org_role role, const struct plage_form *f,
		       const json_t *errors, long long id)
{
	struct tmpl_vars *v = c->vars;
	tmpl_set_var(v, "title", id ? "Modifier la plage d'ouverture" : "Nouvelle plage d'ouverture");
	tmpl_set_var(v, "action", id ? arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, org)), id)
				     : app_url(c, base_path(c, org)));
	tmpl_set_var(v, "cancel_href", id ? arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, org)), id)
					  : app_url(c, base_path(c, org)));
	tmpl_set_var(v, "f_title", f->title);
	tmpl_set_var(v, "f_first_day", f->first_day);
	tmpl_set_var(v, "f_start_time", f->start_time);
	tmpl_set_var(v, "f_end_time", f->end_time);
	vars_recurrence(c, f->rec, f->interval, f->weekdays, f->until);
	plages_tmpl_errors(v, errors);
	int rc = vars_agents(c, org, role, f->agent_id);
	if (rc == 0)
		rc = vars_lieux_motifs(c, org, f);
	return rc ? rc : app_render(c, status, "booking/plages_form.tmpl");
}

/* The form → validated plage; errors filled. */
static int form_validate(struct ctx *c, long long org, const struct plage_form *f, struct plage *p, json_t *errors)
{
	struct recurrence rule;
	struct plage_input in = {.agent_id = f->agent_id, .lieu_id = f->lieu_id, .title = f->title,
				 .first_day = f->first_day, .start_time = f->start_time, .end_time = f->end_time,
				 .n_motifs = f->n_motifs};
	memcpy(in.motif_ids, f->motifs, f->n_motifs * sizeof f->motifs[0]);
	if (plages_rule_from_form(f->rec, f->interval, f->weekdays, f->until, &rule, errors) == 0)
		in.rule = &rule;
	return plages_validate(c->db, c->a, org, &in, p, errors);
}

/* 403 unless the signed-in agent may write the plages of the agent named by s. */
static int check_write_agent(struct ctx *c, long long org, enum org_role role, const char *s)
{
	long long id;
	if (s == NULL || valid_id(s, &id, NULL) != 0)
		return 0;   /* the validation reports it */
	return plages_may(c->db, c->agent_id, id, org, role, AGENDA_WRITE) ? 0 : RDV_EFORBIDDEN;
}

/* ---------------------------------------------------------------- list */

static int plage_index(struct ctx *c)
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
	char *total = db_s(c->db, c->a, "SELECT count(*) FROM plages_ouverture WHERE organisation_id = $1 AND agent_id = $2", o, ag);
	if (total == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	PGresult *r = db_q(c->db,
		"SELECT p.id, p.title, p.first_day::text, to_char(p.start_time, 'HH24:MI'), to_char(p.end_time, 'HH24:MI'),"
		" p.recurrence::text, coalesce(l.name, ''), p.exception_of_id IS NOT NULL"
		" FROM plages_ouverture p LEFT JOIN lieux l ON l.id = p.lieu_id"
		" WHERE p.organisation_id = $1 AND p.agent_id = $2 ORDER BY p.first_day DESC, p.id DESC LIMIT $3 OFFSET $4",
		o, ag, db_int(c->a, PLAGES_PER_PAGE), db_int(c->a, (long long)(page - 1) * PLAGES_PER_PAGE));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "plages");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		int y = 0, m = 0, d = 0;
		struct recurrence rule;
		valid_date(db_val(r, i, 2), &y, &m, &d, NULL);
		recurrence_parse(db_val(r, i, 5), &rule, NULL);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "first_day", plages_date_fr(c->a, y, m, d));
		tmpl_set_var(row, "hours", arena_printf(c->a, "%s – %s", db_val(r, i, 3), db_val(r, i, 4)));
		tmpl_set_var(row, "rule", plages_rule_describe(c->a, &rule));
		tmpl_set_var(row, "lieu", db_val(r, i, 6));
		tmpl_set_bool(row, "moved", db_bool(r, i, 7));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Plages d'ouverture");
	tmpl_set_var(c->vars, "total", total);
	tmpl_set_bool(c->vars, "is_me", agent == c->agent_id);
	tmpl_set_var(c->vars, "new_href", arena_printf(c->a, "%s/new?agent_id=%lld", app_url(c, base_path(c, org)), agent));
	plages_tmpl_pagination(c->a, c->vars, arena_printf(c->a, "%s?agent_id=%lld&", app_url(c, base_path(c, org)), agent),
			       page, strtoll(total, NULL, 10), PLAGES_PER_PAGE);
	rc = vars_agents(c, org, role, db_int(c->a, agent));
	return rc ? rc : app_render(c, 200, "booking/plages_index.tmpl");
}

/* ------------------------------------------------------------ new, create */

static int plage_new(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct plage_form f = {0};
	f.agent_id = http_param(&c->req, "agent_id");
	if (f.agent_id == NULL || f.agent_id[0] == '\0')
		f.agent_id = db_int(c->a, c->agent_id);
	if ((rc = check_write_agent(c, org, role, f.agent_id)) != 0)
		return rc;
	f.first_day = days_iso(c->a, today_days());
	f.start_time = "09:00";
	f.end_time = "12:00";
	f.rec = "none";
	return render_form(c, 200, org, role, &f, NULL, 0);
}

static int plage_create(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct plage_form f;
	form_from_request(c, &f);
	if ((rc = check_write_agent(c, org, role, f.agent_id)) != 0)
		return rc;
	json_t *errors = json_object();
	struct plage p;
	rc = form_validate(c, org, &f, &p, errors);
	if (rc == RDV_EINVAL) {
		rc = render_form(c, 422, org, role, &f, errors, 0);
		json_decref(errors);
		return rc;
	}
	json_decref(errors);
	if (rc != 0)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = plages_create(c->db, c->a, &who, &p)) != 0)
		return rc;
	app_flash(c, "success", "La plage d'ouverture a été créée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), p.id));
}

/* ------------------------------------------------------------ show */

/* Loads the plage of the page, checking the caller may act at level need. */
static int load_page_plage(struct ctx *c, long long *org, enum org_role *role, struct plage *p, enum agenda_access need)
{
	int rc = booking_org(c, org, role);
	if (rc != 0)
		return rc;
	rc = plages_load(c->db, c->a, *org, route_id(&c->match, "id"), p);
	if (rc != 0)
		return rc;
	return plages_check(c->db, c->agent_id, p->agent_id, *org, *role, need);
}

/* Exceptions of the series: sorted local day numbers (arena). */
static size_t load_exceptions(struct ctx *c, long long id, int **out)
{
	PGresult *r = db_q(c->db, "SELECT day - date '1970-01-01' FROM plage_ouverture_exceptions"
				  " WHERE plage_ouverture_id = $1 ORDER BY day", db_int(c->a, id));
	size_t n = r ? (size_t)PQntuples(r) : 0;
	*out = arena_calloc(c->a, n + 1, sizeof **out);
	for (size_t i = 0; i < n && *out; i++)
		(*out)[i] = (int)db_ll(r, (int)i, 0);
	PQclear(r);
	return *out ? n : 0;
}

/* The next occurrences (from today, or the first day if later) and the exceptions. */
static void vars_occurrences(struct ctx *c, const struct plage *p, int writable)
{
	struct series s;
	plages_series(p, &s);
	int *skip;
	s.n_skip = load_exceptions(c, p->id, &skip);
	s.skip_days = skip;
	struct tmpl_loop *ex = tmpl_add_loop(c->vars, "exceptions");
	for (size_t i = 0; i < s.n_skip; i++) {
		int y, m, d;
		tz_civil_from_days(skip[i], &y, &m, &d);
		tmpl_set_var(tmpl_loop_add_row(ex), "day", plages_date_fr(c->a, y, m, d));
	}
	long long from = (long long)time(NULL), to = from + 366LL * 86400;
	struct occurrence occ[10];
	long long n = recurrence_expand(&s, from, to, 0, occ, 10);
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "occurrences");
	for (long long i = 0; i < n && i < 10; i++) {
		long long day = tz_utc_to_local_days(occ[i].start);
		int y, m, d;
		tz_civil_from_days(day, &y, &m, &d);
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "label", plages_date_fr(c->a, y, m, d));
		tmpl_set_var(row, "day", plages_date_iso(c->a, y, m, d));
		tmpl_set_bool(row, "can_change", writable && p->rule.every != REC_NONE);
	}
}

static int render_show(struct ctx *c, int status, long long org, enum org_role role, const struct plage *p,
		       const char *action_error)
{
	struct tmpl_vars *v = c->vars;
	PGresult *r = db_q(c->db,
		"SELECT ag.first_name || ' ' || ag.last_name, coalesce(l.name, ''), coalesce(l.address, '')"
		" FROM agents ag LEFT JOIN lieux l ON l.id = $2 WHERE ag.id = $1",
		db_int(c->a, p->agent_id), db_int(c->a, p->lieu_id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) == 1) {
		tmpl_set_var(v, "agent_name", db_val(r, 0, 0));
		tmpl_set_var(v, "lieu_name", db_val(r, 0, 1));
		tmpl_set_var(v, "lieu_address", db_val(r, 0, 2));
	}
	PQclear(r);
	r = db_q(c->db, "SELECT name FROM motifs WHERE id = ANY(ARRAY(SELECT motif_id FROM plage_ouverture_motifs"
			" WHERE plage_ouverture_id = $1)) ORDER BY name", db_int(c->a, p->id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *ml = tmpl_add_loop(v, "motifs");
	for (int i = 0; i < PQntuples(r); i++)
		tmpl_set_var(tmpl_loop_add_row(ml), "name", db_val(r, i, 0));
	PQclear(r);
	int writable = plages_may(c->db, c->agent_id, p->agent_id, org, role, AGENDA_WRITE);
	tmpl_set_var(v, "title", p->title);
	tmpl_set_int(v, "id", p->id);
	tmpl_set_var(v, "plage_title", p->title);
	tmpl_set_var(v, "first_day", plages_date_fr(c->a, p->first_y, p->first_m, p->first_d));
	tmpl_set_var(v, "hours", arena_printf(c->a, "%s – %s", plages_hm(c->a, p->start_min), plages_hm(c->a, p->end_min)));
	tmpl_set_var(v, "rule", plages_rule_describe(c->a, &p->rule));
	tmpl_set_bool(v, "recurring", p->rule.every != REC_NONE);
	tmpl_set_bool(v, "writable", writable);
	tmpl_set_var(v, "action_error", action_error);
	tmpl_set_var(v, "href", arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, org)), p->id));
	tmpl_set_var(v, "list_href", arena_printf(c->a, "%s?agent_id=%lld", app_url(c, base_path(c, org)), p->agent_id));
	if (p->exception_of_id)
		tmpl_set_var(v, "series_href", arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, org)), p->exception_of_id));
	vars_occurrences(c, p, writable);
	plages_warnings(c->db, c->a, p, v);
	return app_render(c, status, "booking/plages_show.tmpl");
}

static int plage_show(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage p;
	int rc = load_page_plage(c, &org, &role, &p, AGENDA_READ);
	return rc ? rc : render_show(c, 200, org, role, &p, NULL);
}

/* ------------------------------------------------------- edit, update, delete */

static int plage_edit(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage p;
	int rc = load_page_plage(c, &org, &role, &p, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct plage_form f;
	form_from_plage(c, &p, &f);
	return render_form(c, 200, org, role, &f, NULL, p.id);
}

static int plage_update(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage old;
	int rc = load_page_plage(c, &org, &role, &old, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct plage_form f;
	form_from_request(c, &f);
	if ((rc = check_write_agent(c, org, role, f.agent_id)) != 0)
		return rc;
	json_t *errors = json_object();
	struct plage p;
	rc = form_validate(c, org, &f, &p, errors);
	if (rc == RDV_EINVAL) {
		rc = render_form(c, 422, org, role, &f, errors, old.id);
		json_decref(errors);
		return rc;
	}
	json_decref(errors);
	if (rc != 0)
		return rc;
	p.id = old.id;
	p.exception_of_id = old.exception_of_id;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = plages_update(c->db, c->a, &who, &p)) != 0)
		return rc;
	app_flash(c, "success", "La plage d'ouverture a été modifiée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), p.id));
}

static int plage_delete(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage p;
	int rc = load_page_plage(c, &org, &role, &p, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = plages_delete(c->db, c->a, &who, org, p.id)) != 0)
		return rc;
	app_flash(c, "success", "La plage d'ouverture a été supprimée.");
	return app_redirect(c, arena_printf(c->a, "%s?agent_id=%lld", base_path(c, org), p.agent_id));
}

/* ------------------------------------------------------------ occurrences */

/* day=YYYY-MM-DD → day number; 0 when invalid (1970-01-01 is never a plage). */
static long long param_day(struct ctx *c, const char *name)
{
	int y, m, d;
	const char *s = http_param(&c->req, name);
	if (s == NULL || valid_date(s, &y, &m, &d, NULL) != 0)
		return 0;
	return tz_days_from_civil(y, m, d);
}

#define NOT_AN_OCCURRENCE "Ce jour n'est pas une occurrence de cette plage (plage ponctuelle, date hors de la récurrence ou occurrence déjà supprimée)."

static int plage_occurrence_delete(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage p;
	int rc = load_page_plage(c, &org, &role, &p, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	long long day = param_day(c, "day");
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	rc = day ? plages_delete_occurrence(c->db, c->a, &who, &p, day) : RDV_EINVAL;
	if (rc == RDV_EINVAL)
		return render_show(c, 422, org, role, &p, NOT_AN_OCCURRENCE);
	if (rc != 0)
		return rc;
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	app_flash(c, "success", arena_printf(c->a, "L'occurrence du %s a été supprimée.", plages_date_fr(c->a, y, m, d)));
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), p.id));
}

static int render_move(struct ctx *c, int status, long long org, const struct plage *p, const char *day,
		       const char *new_day, const char *start, const char *end, const json_t *errors)
{
	struct tmpl_vars *v = c->vars;
	tmpl_set_var(v, "title", "Déplacer une occurrence");
	tmpl_set_var(v, "plage_title", p->title);
	tmpl_set_var(v, "href", arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, org)), p->id));
	int y, m, d;
	if (day != NULL && valid_date(day, &y, &m, &d, NULL) == 0)
		tmpl_set_var(v, "day_label", plages_date_fr(c->a, y, m, d));
	tmpl_set_var(v, "f_day", day);
	tmpl_set_var(v, "f_new_day", new_day);
	tmpl_set_var(v, "f_start_time", start);
	tmpl_set_var(v, "f_end_time", end);
	plages_tmpl_errors(v, errors);
	return app_render(c, status, "booking/plages_move.tmpl");
}

static int plage_occurrence_move_form(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage p;
	int rc = load_page_plage(c, &org, &role, &p, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	const char *day = http_param(&c->req, "day");
	return render_move(c, 200, org, &p, day, day, plages_hm(c->a, p.start_min), plages_hm(c->a, p.end_min), NULL);
}

static int plage_occurrence_move(struct ctx *c)
{
	long long org;
	enum org_role role;
	struct plage p;
	int rc = load_page_plage(c, &org, &role, &p, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	const char *day = http_param(&c->req, "day"), *new_day = http_param(&c->req, "new_day");
	const char *start = http_param(&c->req, "start_time"), *end = http_param(&c->req, "end_time");
	json_t *errors = json_object();
	/* the new slot is checked like a plage of its own */
	struct plage_input in = {.agent_id = db_int(c->a, p.agent_id), .lieu_id = p.lieu_id ? db_int(c->a, p.lieu_id) : NULL,
				 .title = p.title, .first_day = new_day, .start_time = start, .end_time = end};
	for (size_t i = 0; i < p.n_motifs; i++)
		in.motif_ids[in.n_motifs++] = db_int(c->a, p.motif_ids[i]);
	struct plage check;
	rc = plages_validate(c->db, c->a, org, &in, &check, errors);
	if (json_object_get(errors, "first_day") != NULL) {
		json_object_set(errors, "new_day", json_object_get(errors, "first_day"));
		json_object_del(errors, "first_day");
	}
	long long d0 = param_day(c, "day");
	long long new_id = 0;
	if (rc == 0) {
		struct plages_actor who = {c->agent_id, app_client_ip(c)};
		rc = d0 ? plages_move_occurrence(c->db, c->a, &who, &p, d0,
						 tz_days_from_civil(check.first_y, check.first_m, check.first_d),
						 check.start_min, check.end_min, &new_id)
			: RDV_EINVAL;
		if (rc == RDV_EINVAL)
			plages_error_add(errors, "day", NOT_AN_OCCURRENCE);
	}
	if (rc == RDV_EINVAL)
		rc = render_move(c, 422, org, &p, day, new_day, start, end, errors);
	json_decref(errors);
	if (rc != 0 || new_id == 0)
		return rc;
	app_flash(c, "success", "L'occurrence a été déplacée.");
	return app_redirect(c, arena_printf(c->a, "%s/%lld", base_path(c, org), new_id));
}

#define PO "/agent/organisations/:org_id/plages_ouverture"
ROUTE_TABLE(plage_routes,
	{HTTP_GET, PO, plage_index, ROUTE_AGENT, 0},
	{HTTP_GET, PO "/new", plage_new, ROUTE_AGENT, 0},
	{HTTP_POST, PO, plage_create, ROUTE_AGENT, 0},
	{HTTP_GET, PO "/:id", plage_show, ROUTE_AGENT, 0},
	{HTTP_GET, PO "/:id/edit", plage_edit, ROUTE_AGENT, 0},
	{HTTP_POST, PO "/:id", plage_update, ROUTE_AGENT, 0},
	{HTTP_POST, PO "/:id/delete", plage_delete, ROUTE_AGENT, 0},
	{HTTP_POST, PO "/:id/occurrences/delete", plage_occurrence_delete, ROUTE_AGENT, 0},
	{HTTP_GET, PO "/:id/occurrences/move", plage_occurrence_move_form, ROUTE_AGENT, 0},
	{HTTP_POST, PO "/:id/occurrences/move", plage_occurrence_move, ROUTE_AGENT, 0},
);
