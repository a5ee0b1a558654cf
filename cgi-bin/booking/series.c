/*
 * series.c - the ten agent routes plages d'ouverture and absences share
 * (series.h): list, new/create, show, edit/update, delete, delete or move
 * one occurrence. Parse, check access (plages_may), call the kind's
 * lib/plages functions, render the kind's templates; the rules live in
 * lib/plages, what differs between the two kinds in plages.c and absences.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdv.h"
#include "series.h"
#include "tz.h"
#include "valid.h"

static const char *const weekday_keys[7] = {"monday", "tuesday", "wednesday", "thursday", "friday",
					    "saturday", "sunday"};

/* Where a page is: the organisation, the caller's role there and, on the
 * pages of one plage or absence, that item. */
struct series_page {
	long long org;
	enum org_role role;
	struct series_item it;
};

/* The list URL of the kind in org (with the base path when app_url'd). */
static const char *base_path(struct ctx *c, const struct series_kind *k, long long org)
{
	return arena_printf(c->a, "/agent/organisations/%lld/%s", org, k->segment);
}

static const char *item_path(struct ctx *c, const struct series_kind *k, long long org, long long id)
{
	return arena_printf(c->a, "%s/%lld", base_path(c, k, org), id);
}

static const char *item_url(struct ctx *c, const struct series_kind *k, long long org, long long id)
{
	return arena_printf(c->a, "%s/%lld", app_url(c, base_path(c, k, org)), id);
}

static const char *day_fr(struct ctx *c, long long day)
{
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	return plages_date_fr(c->a, y, m, d);
}

/* ------------------------------------------------- lib/plages, by kind */

/* it's shared fields from it->as (after a load or a validation). */
static void item_sync(const struct series_kind *k, struct series_item *it)
{
	if (k->absence) {
		const struct absence *ab = &it->as.absence;
		it->id = ab->id, it->agent_id = ab->agent_id, it->exception_of_id = ab->exception_of_id;
		it->title = ab->title;
		absences_series(ab, &it->series);
	} else {
		const struct plage *p = &it->as.plage;
		it->id = p->id, it->agent_id = p->agent_id, it->exception_of_id = p->exception_of_id;
		it->title = p->title;
		plages_series(p, &it->series);
	}
}

static int item_load(struct ctx *c, const struct series_kind *k, long long org, long long id, struct series_item *it)
{
	int rc = k->absence ? absences_load(c->db, c->a, org, id, &it->as.absence)
			    : plages_load(c->db, c->a, org, id, &it->as.plage);
	item_sync(k, it);
	return rc;
}

static int item_validate(struct ctx *c, const struct series_kind *k, long long org, const struct series_form *f,
			 const struct recurrence *rule, struct series_item *it, json_t *errors)
{
	int rc = k->validate(c, org, f, rule, it, errors);
	item_sync(k, it);
	return rc;
}

/* Creates it, as a new series of id 0, or as the update of old. */
static int item_save(struct ctx *c, const struct series_kind *k, const struct plages_actor *who,
		     const struct series_item *old, struct series_item *it)
{
	struct plage *p = &it->as.plage;
	struct absence *ab = &it->as.absence;
	int rc;
	if (old == NULL) {
		rc = k->absence ? absences_create(c->db, c->a, who, ab) : plages_create(c->db, c->a, who, p);
	} else {
		/* the form does not say which row, nor whether it is a moved occurrence */
		if (k->absence)
			ab->id = old->id, ab->exception_of_id = old->exception_of_id;
		else
			p->id = old->id, p->exception_of_id = old->exception_of_id;
		rc = k->absence ? absences_update(c->db, c->a, who, ab) : plages_update(c->db, c->a, who, p);
	}
	item_sync(k, it);
	return rc;
}

static int item_delete(struct ctx *c, const struct series_kind *k, const struct plages_actor *who, long long org,
		       long long id)
{
	return k->absence ? absences_delete(c->db, c->a, who, org, id) : plages_delete(c->db, c->a, who, org, id);
}

static int item_delete_occurrence(struct ctx *c, const struct series_kind *k, const struct plages_actor *who,
				  const struct series_item *it, long long day)
{
	return k->absence ? absences_delete_occurrence(c->db, c->a, who, &it->as.absence, day)
			  : plages_delete_occurrence(c->db, c->a, who, &it->as.plage, day);
}

/* Moves occurrence day of it to the slot of to; *new_id the one-off made. */
static int item_move_occurrence(struct ctx *c, const struct series_kind *k, const struct plages_actor *who,
				const struct series_item *it, long long day, const struct series *to,
				long long *new_id)
{
	long long new_day = tz_days_from_civil(to->first_y, to->first_m, to->first_d);
	return k->absence ? absences_move_occurrence(c->db, c->a, who, &it->as.absence, day, new_day, to->start_min,
						     to->end_min, new_id)
			  : plages_move_occurrence(c->db, c->a, who, &it->as.plage, day, new_day, to->start_min,
						   to->end_min, new_id);
}

/* ---------------------------------------------------------------- form */

static void form_from_request(struct ctx *c, struct series_form *f)
{
	memset(f, 0, sizeof *f);
	const struct http_request *q = &c->req;
	f->agent_id = http_param(q, "agent_id");
	f->lieu_id = http_param(q, "lieu_id");
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
	f->n_motifs = kv_get_all(&q->form, "motif_ids", f->motifs, PLAGES_MAX_MOTIFS + 1);
	if (f->n_motifs > PLAGES_MAX_MOTIFS + 1)
		f->n_motifs = PLAGES_MAX_MOTIFS + 1;
}

/* The form of a stored item (edit; the move checks the new slot with it). */
static void form_from_item(struct ctx *c, const struct series_kind *k, const struct series_item *it,
			   struct series_form *f)
{
	struct arena *a = c->a;
	const struct series *s = &it->series;
	const struct recurrence *r = &s->rule;
	memset(f, 0, sizeof *f);
	f->agent_id = db_int(a, it->agent_id);
	f->title = it->title;
	f->first_day = plages_date_iso(a, s->first_y, s->first_m, s->first_d);
	f->start_time = plages_hm(a, s->start_min);
	f->end_time = plages_hm(a, s->end_min);
	f->rec = r->every == REC_WEEK ? "weekly" : r->every == REC_MONTH ? "monthly" : "none";
	f->interval = db_int(a, r->interval ? r->interval : 1);
	f->until = r->has_until ? plages_date_iso(a, r->until_y, r->until_m, r->until_d) : "";
	f->weekdays = r->weekdays;
	k->form_from_item(c, it, f);
}

/* Agents whose plages and absences the signed-in agent may write in org. */
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

/* The recurrence fieldset (plages_recurrence.tmpl). */
static void vars_recurrence(struct ctx *c, const struct series_form *f)
{
	struct tmpl_vars *v = c->vars;
	const char *rec = f->rec ? f->rec : "none";
	tmpl_set_var(v, "f_recurrence", rec);
	tmpl_set_bool(v, "rec_none", strcmp(rec, "weekly") != 0 && strcmp(rec, "monthly") != 0);
	tmpl_set_bool(v, "rec_weekly", strcmp(rec, "weekly") == 0);
	tmpl_set_bool(v, "rec_monthly", strcmp(rec, "monthly") == 0);
	tmpl_set_var(v, "f_interval", f->interval && f->interval[0] ? f->interval : "1");
	tmpl_set_var(v, "f_until", f->until);
	struct tmpl_loop *loop = tmpl_add_loop(v, "weekdays");
	for (int d = 0; d < 7; d++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "key", weekday_keys[d]);
		tmpl_set_var(row, "label", tz_weekday_name(d));
		tmpl_set_bool(row, "checked", (f->weekdays >> d) & 1u);
	}
}

/* The new (id 0) or edit form. */
static int render_form(struct ctx *c, const struct series_kind *k, int status, const struct series_page *pg,
		       const struct series_form *f, const json_t *errors, long long id)
{
	struct tmpl_vars *v = c->vars;
	const char *back = id ? item_url(c, k, pg->org, id) : app_url(c, base_path(c, k, pg->org));
	tmpl_set_var(v, "title", id ? k->edit_title : k->new_title);
	tmpl_set_var(v, "action", back);
	tmpl_set_var(v, "cancel_href", back);
	tmpl_set_var(v, "f_title", f->title);
	tmpl_set_var(v, "f_first_day", f->first_day);
	tmpl_set_var(v, "f_start_time", f->start_time);
	tmpl_set_var(v, "f_end_time", f->end_time);
	vars_recurrence(c, f);
	plages_tmpl_errors(v, errors);
	int rc = vars_agents(c, pg->org, pg->role, f->agent_id);
	if (rc == 0)
		rc = k->form_vars(c, pg->org, f);
	return rc ? rc : app_render(c, status, k->tmpl_form);
}

/* The form → a validated item; errors filled. */
static int form_validate(struct ctx *c, const struct series_kind *k, long long org, const struct series_form *f,
			 struct series_item *it, json_t *errors)
{
	struct recurrence rule;
	int rule_ok = plages_rule_from_form(f->rec, f->interval, f->weekdays, f->until, &rule, errors) == 0;
	return item_validate(c, k, org, f, rule_ok ? &rule : NULL, it, errors);
}

/* 403 unless the signed-in agent may write the agenda of the agent named by s. */
static int check_write_agent(struct ctx *c, const struct series_page *pg, const char *s)
{
	long long id;
	if (s == NULL || valid_id(s, &id, NULL) != 0)
		return 0;   /* the validation reports it */
	return plages_may(c->db, c->agent_id, id, pg->org, pg->role, AGENDA_WRITE) ? 0 : RDV_EFORBIDDEN;
}

/* The posted form, validated into *it; on invalid input the form is
 * rendered again (422) and *shown set. id: the item edited, 0 when new. */
static int form_post(struct ctx *c, const struct series_kind *k, const struct series_page *pg, long long id,
		     struct series_item *it, int *shown)
{
	struct series_form f;
	form_from_request(c, &f);
	*shown = 0;
	int rc = check_write_agent(c, pg, f.agent_id);
	if (rc != 0)
		return rc;
	json_t *errors = json_object();
	rc = form_validate(c, k, pg->org, &f, it, errors);
	if (rc == RDV_EINVAL) {
		*shown = 1;
		rc = render_form(c, k, 422, pg, &f, errors, id);
	}
	json_decref(errors);
	return rc;
}

/* ---------------------------------------------------------------- list */

int series_index(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = booking_org(c, &pg.org, &pg.role);
	if (rc != 0)
		return rc;
	long long agent = c->agent_id;
	const char *s = http_param(&c->req, "agent_id");
	if (s != NULL && s[0] != '\0' && valid_id(s, &agent, NULL) != 0)
		return RDV_ENOTFOUND;
	if ((rc = plages_check(c->db, c->agent_id, agent, pg.org, pg.role, AGENDA_READ)) != 0)
		return rc;
	int page = plages_page_param(http_param(&c->req, "page"));
	const char *o = db_int(c->a, pg.org), *ag = db_int(c->a, agent);
	char *total = db_s(c->db, c->a, k->sql_count, o, ag);
	if (total == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	PGresult *r = db_q(c->db, k->sql_page, o, ag, db_int(c->a, PLAGES_PER_PAGE),
			   db_int(c->a, (long long)(page - 1) * PLAGES_PER_PAGE));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, k->list_loop);
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		struct recurrence rule;
		recurrence_parse(db_val(r, i, 2), &rule, NULL);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "rule", plages_rule_describe(c->a, &rule));
		tmpl_set_bool(row, "moved", db_bool(r, i, 3));
		k->index_row(c, r, i, row);
	}
	PQclear(r);
	const char *list = app_url(c, base_path(c, k, pg.org));
	tmpl_set_var(c->vars, "title", k->list_title);
	tmpl_set_var(c->vars, "total", total);
	tmpl_set_bool(c->vars, "is_me", agent == c->agent_id);
	tmpl_set_var(c->vars, "new_href", arena_printf(c->a, "%s/new?agent_id=%lld", list, agent));
	plages_tmpl_pagination(c->a, c->vars, arena_printf(c->a, "%s?agent_id=%lld&", list, agent), page,
			       strtoll(total, NULL, 10), PLAGES_PER_PAGE);
	rc = vars_agents(c, pg.org, pg.role, db_int(c->a, agent));
	return rc ? rc : app_render(c, 200, k->tmpl_index);
}

/* ------------------------------------------------------------ new, create */

int series_new(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = booking_org(c, &pg.org, &pg.role);
	if (rc != 0)
		return rc;
	struct series_form f = {0};
	f.agent_id = http_param(&c->req, "agent_id");
	if (f.agent_id == NULL || f.agent_id[0] == '\0')
		f.agent_id = db_int(c->a, c->agent_id);
	if ((rc = check_write_agent(c, &pg, f.agent_id)) != 0)
		return rc;
	int y, m, d;
	tz_civil_from_days(tz_utc_to_local_days((long long)time(NULL)), &y, &m, &d);
	f.first_day = f.end_day = plages_date_iso(c->a, y, m, d);
	f.start_time = "09:00";
	f.end_time = k->default_end_time;
	f.rec = "none";
	return render_form(c, k, 200, &pg, &f, NULL, 0);
}

int series_create(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = booking_org(c, &pg.org, &pg.role);
	if (rc != 0)
		return rc;
	int shown;
	if ((rc = form_post(c, k, &pg, 0, &pg.it, &shown)) != 0 || shown)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = item_save(c, k, &who, NULL, &pg.it)) != 0)
		return rc;
	app_flash(c, "success", k->created);
	return app_redirect(c, item_path(c, k, pg.org, pg.it.id));
}

/* ------------------------------------------------------------ show */

/* The item of the page, checking the caller may act on it at level need. */
static int load_page(struct ctx *c, const struct series_kind *k, struct series_page *pg, enum agenda_access need)
{
	int rc = booking_org(c, &pg->org, &pg->role);
	if (rc != 0)
		return rc;
	rc = item_load(c, k, pg->org, route_id(&c->match, "id"), &pg->it);
	if (rc != 0)
		return rc;
	return plages_check(c->db, c->agent_id, pg->it.agent_id, pg->org, pg->role, need);
}

/* Exceptions of the series: sorted local day numbers (arena). */
static size_t load_exceptions(struct ctx *c, const struct series_kind *k, long long id, int **out)
{
	PGresult *r = db_q(c->db, k->sql_exceptions, db_int(c->a, id));
	size_t n = r ? (size_t)PQntuples(r) : 0;
	*out = arena_calloc(c->a, n + 1, sizeof **out);
	for (size_t i = 0; i < n && *out; i++)
		(*out)[i] = (int)db_ll(r, (int)i, 0);
	PQclear(r);
	return *out ? n : 0;
}

/* The next occurrences (from now, within a year) and the exceptions. */
static void vars_occurrences(struct ctx *c, const struct series_kind *k, const struct series_item *it, int writable)
{
	struct series s = it->series;
	int *skip;
	s.n_skip = load_exceptions(c, k, it->id, &skip);
	s.skip_days = skip;
	struct tmpl_loop *ex = tmpl_add_loop(c->vars, "exceptions");
	for (size_t i = 0; i < s.n_skip; i++)
		tmpl_set_var(tmpl_loop_add_row(ex), "day", day_fr(c, skip[i]));
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
		tmpl_set_bool(row, "can_change", writable && it->series.rule.every != REC_NONE);
	}
}

static int render_show(struct ctx *c, const struct series_kind *k, int status, const struct series_page *pg,
		       const char *action_error)
{
	const struct series_item *it = &pg->it;
	struct tmpl_vars *v = c->vars;
	int rc = k->show_vars(c, it);
	if (rc != 0)
		return rc;
	int writable = plages_may(c->db, c->agent_id, it->agent_id, pg->org, pg->role, AGENDA_WRITE);
	const char *list = app_url(c, base_path(c, k, pg->org));
	tmpl_set_var(v, "title", it->title);
	tmpl_set_var(v, "rule", plages_rule_describe(c->a, &it->series.rule));
	tmpl_set_bool(v, "recurring", it->series.rule.every != REC_NONE);
	tmpl_set_bool(v, "writable", writable);
	tmpl_set_var(v, "action_error", action_error);
	tmpl_set_var(v, "href", arena_printf(c->a, "%s/%lld", list, it->id));
	tmpl_set_var(v, "list_href", arena_printf(c->a, "%s?agent_id=%lld", list, it->agent_id));
	if (it->exception_of_id)
		tmpl_set_var(v, "series_href", arena_printf(c->a, "%s/%lld", list, it->exception_of_id));
	vars_occurrences(c, k, it, writable);
	return app_render(c, status, k->tmpl_show);
}

int series_show(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_READ);
	return rc ? rc : render_show(c, k, 200, &pg, NULL);
}

/* ------------------------------------------------------- edit, update, delete */

int series_edit(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct series_form f;
	form_from_item(c, k, &pg.it, &f);
	return render_form(c, k, 200, &pg, &f, NULL, pg.it.id);
}

int series_update(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct series_item it;
	int shown;
	if ((rc = form_post(c, k, &pg, pg.it.id, &it, &shown)) != 0 || shown)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = item_save(c, k, &who, &pg.it, &it)) != 0)
		return rc;
	app_flash(c, "success", k->updated);
	return app_redirect(c, item_path(c, k, pg.org, pg.it.id));
}

int series_delete(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if ((rc = item_delete(c, k, &who, pg.org, pg.it.id)) != 0)
		return rc;
	app_flash(c, "success", k->deleted);
	return app_redirect(c, arena_printf(c->a, "%s?agent_id=%lld", base_path(c, k, pg.org), pg.it.agent_id));
}

/* ------------------------------------------------------------ occurrences */

/* day=YYYY-MM-DD → day number; 0 when invalid (1970-01-01 is never in a series). */
static long long param_day(struct ctx *c, const char *name)
{
	int y, m, d;
	const char *s = http_param(&c->req, name);
	if (s == NULL || valid_date(s, &y, &m, &d, NULL) != 0)
		return 0;
	return tz_days_from_civil(y, m, d);
}

int series_occurrence_delete(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	long long day = param_day(c, "day");
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	rc = day ? item_delete_occurrence(c, k, &who, &pg.it, day) : RDV_EINVAL;
	if (rc == RDV_EINVAL)
		return render_show(c, k, 422, &pg, k->not_an_occurrence);
	if (rc != 0)
		return rc;
	app_flash(c, "success", k->flash_names_day
		  ? arena_printf(c->a, "L'occurrence du %s a été supprimée.", day_fr(c, day))
		  : "L'occurrence a été supprimée.");
	return app_redirect(c, item_path(c, k, pg.org, pg.it.id));
}

/* The move form: day is the occurrence moved, new_day etc. as typed. */
struct move_form {
	const char *day, *new_day, *start, *end;
};

static int render_move(struct ctx *c, const struct series_kind *k, int status, const struct series_page *pg,
		       const struct move_form *f, const json_t *errors)
{
	struct tmpl_vars *v = c->vars;
	tmpl_set_var(v, "title", "Déplacer une occurrence");
	tmpl_set_var(v, "plage_title", pg->it.title);
	tmpl_set_var(v, "href", item_url(c, k, pg->org, pg->it.id));
	int y, m, d;
	if (f->day != NULL && valid_date(f->day, &y, &m, &d, NULL) == 0)
		tmpl_set_var(v, "day_label", plages_date_fr(c->a, y, m, d));
	tmpl_set_var(v, "f_day", f->day);
	tmpl_set_var(v, "f_new_day", f->new_day);
	tmpl_set_var(v, "f_start_time", f->start);
	tmpl_set_var(v, "f_end_time", f->end);
	plages_tmpl_errors(v, errors);
	return app_render(c, status, k->tmpl_move);
}

int series_occurrence_move_form(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	const char *day = http_param(&c->req, "day");
	struct move_form f = {day, day, plages_hm(c->a, pg.it.series.start_min), plages_hm(c->a, pg.it.series.end_min)};
	return render_move(c, k, 200, &pg, &f, NULL);
}

/* The new slot is checked like an item of its own (one-off, on new_day);
 * a bad day is reported on new_day. */
static int move_validate(struct ctx *c, const struct series_kind *k, const struct series_page *pg,
			 const struct move_form *mf, struct series_item *check, json_t *errors)
{
	struct series_form f;
	form_from_item(c, k, &pg->it, &f);
	f.first_day = mf->new_day;
	f.end_day = NULL;
	f.start_time = mf->start;
	f.end_time = mf->end;
	int rc = item_validate(c, k, pg->org, &f, NULL, check, errors);
	if (json_object_get(errors, "first_day") != NULL) {
		json_object_set(errors, "new_day", json_object_get(errors, "first_day"));
		json_object_del(errors, "first_day");
	}
	return rc;
}

int series_occurrence_move(struct ctx *c, const struct series_kind *k)
{
	struct series_page pg;
	int rc = load_page(c, k, &pg, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	struct move_form f = {http_param(&c->req, "day"), http_param(&c->req, "new_day"),
			      http_param(&c->req, "start_time"), http_param(&c->req, "end_time")};
	json_t *errors = json_object();
	struct series_item check;
	rc = move_validate(c, k, &pg, &f, &check, errors);
	long long d0 = param_day(c, "day"), new_id = 0;
	if (rc == 0) {
		struct plages_actor who = {c->agent_id, app_client_ip(c)};
		rc = d0 ? item_move_occurrence(c, k, &who, &pg.it, d0, &check.series, &new_id) : RDV_EINVAL;
		if (rc == RDV_EINVAL)
			plages_error_add(errors, "day", k->not_an_occurrence);
	}
	if (rc == RDV_EINVAL)
		rc = render_move(c, k, 422, &pg, &f, errors);
	json_decref(errors);
	if (rc != 0 || new_id == 0)
		return rc;
	app_flash(c, "success", "L'occurrence a été déplacée.");
	return app_redirect(c, item_path(c, k, pg.org, new_id));
}
