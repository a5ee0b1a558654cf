/*
 * absences.c - the agent pages of absences (agent-wide unavailability,
 * recorded in the organisation where entered): the series_kind series.c
 * runs the ten routes with, and what only absences have on those pages
 * (the end day, the "span" of the list and show pages, absence_input).
 */
#include <string.h>

#include "rdv.h"
#include "series.h"
#include "valid.h"

/* "lundi 7 décembre 2026, 09:00 – 12:00" or "du … à … au … à …". */
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

/* ---------------------------------------------------------------- form */

/* The end day of a stored absence. */
static void absence_form_from_item(struct ctx *c, const struct series_item *it, struct series_form *f)
{
	const struct absence *ab = &it->as.absence;
	f->end_day = plages_date_iso(c->a, ab->end_y, ab->end_m, ab->end_d);
}

static int absence_form_vars(struct ctx *c, long long org, const struct series_form *f)
{
	tmpl_set_var(c->vars, "f_end_day", f->end_day);
	return 0;
}

static int absence_validate(struct ctx *c, long long org, const struct series_form *f, const struct recurrence *rule,
			    struct series_item *it, json_t *errors)
{
	struct absence_input in = {.agent_id = f->agent_id, .title = f->title, .first_day = f->first_day,
				   .start_time = f->start_time, .end_day = f->end_day, .end_time = f->end_time,
				   .rule = rule};
	return absences_validate(c->db, c->a, org, &in, &it->as.absence, errors);
}

/* ---------------------------------------------------------- list, show */

/* Columns 4-7 of sql_page: first day, start, end day, end. */
static void absence_index_row(struct ctx *c, PGresult *r, int i, struct tmpl_vars *row)
{
	tmpl_set_var(row, "span", span_label(c, db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6), db_val(r, i, 7)));
}

static int absence_show_vars(struct ctx *c, const struct series_item *it)
{
	const struct absence *ab = &it->as.absence;
	struct tmpl_vars *v = c->vars;
	char *name = db_s(c->db, c->a, "SELECT first_name || ' ' || last_name FROM agents WHERE id = $1",
			  db_int(c->a, ab->agent_id));
	tmpl_set_var(v, "absence_title", ab->title);
	tmpl_set_var(v, "agent_name", name);
	tmpl_set_var(v, "span", span_label(c, plages_date_iso(c->a, ab->first_y, ab->first_m, ab->first_d),
					    plages_hm(c->a, ab->start_min),
					    plages_date_iso(c->a, ab->end_y, ab->end_m, ab->end_d), plages_hm(c->a, ab->end_min)));
	return 0;
}

static const struct series_kind absence_kind = {
	.absence = 1,
	.segment = "absences",
	.list_title = "Absences",
	.list_loop = "absences",
	.new_title = "Nouvelle absence",
	.edit_title = "Modifier l'absence",
	.created = "L'absence a été enregistrée.",
	.updated = "L'absence a été modifiée.",
	.deleted = "L'absence a été supprimée.",
	.flash_names_day = 0,
	.not_an_occurrence = "Ce jour n'est pas une occurrence de cette absence (absence ponctuelle, date hors de la "
			     "récurrence ou occurrence déjà supprimée).",
	.default_end_time = "17:00",
	.tmpl_index = "booking/absences_index.tmpl",
	.tmpl_form = "booking/absences_form.tmpl",
	.tmpl_show = "booking/absences_show.tmpl",
	.tmpl_move = "booking/absences_move.tmpl",
	.sql_count = "SELECT count(*) FROM absences WHERE organisation_id = $1 AND agent_id = $2",
	.sql_page = "SELECT id, title, recurrence::text, exception_of_id IS NOT NULL, first_day::text,"
		    " to_char(start_time, 'HH24:MI'), end_day::text, to_char(end_time, 'HH24:MI') FROM absences"
		    " WHERE organisation_id = $1 AND agent_id = $2 ORDER BY first_day DESC, id DESC LIMIT $3 OFFSET $4",
	.sql_exceptions = "SELECT day - date '1970-01-01' FROM absence_exceptions WHERE absence_id = $1 ORDER BY day",
	.index_row = absence_index_row,
	.form_from_item = absence_form_from_item,
	.form_vars = absence_form_vars,
	.show_vars = absence_show_vars,
	.validate = absence_validate,
};

SERIES_ROUTE_TABLE(absence_routes, "/agent/organisations/:org_id/absences", absence_kind);
