/*
 * plages.c - the agent pages of plages d'ouverture: the series_kind
 * series.c runs the ten routes with, and what only plages have on those
 * pages (lieu and motifs in the form and plage_input, the list columns,
 * the show page's lieu, motifs and warnings).
 */
#include <string.h>

#include "rdv.h"
#include "series.h"
#include "valid.h"

/* ---------------------------------------------------------------- form */

/* The lieu and motifs of a stored plage. */
static void plage_form_from_item(struct ctx *c, const struct series_item *it, struct series_form *f)
{
	struct arena *a = c->a;
	const struct plage *p = &it->as.plage;
	f->lieu_id = p->lieu_id ? db_int(a, p->lieu_id) : "";
	for (size_t i = 0; i < p->n_motifs; i++)
		f->motifs[f->n_motifs++] = db_int(a, p->motif_ids[i]);
}

static int form_has_motif(const struct series_form *f, const char *id)
{
	for (size_t i = 0; i < f->n_motifs; i++)
		if (strcmp(f->motifs[i], id) == 0)
			return 1;
	return 0;
}

/* The lieux and motifs of org to choose from. */
static int plage_form_vars(struct ctx *c, long long org, const struct series_form *f)
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

static int plage_validate(struct ctx *c, long long org, const struct series_form *f, const struct recurrence *rule,
			  struct series_item *it, json_t *errors)
{
	struct plage_input in = {.agent_id = f->agent_id, .lieu_id = f->lieu_id, .title = f->title,
				 .first_day = f->first_day, .start_time = f->start_time, .end_time = f->end_time,
				 .n_motifs = f->n_motifs, .rule = rule};
	memcpy(in.motif_ids, f->motifs, f->n_motifs * sizeof f->motifs[0]);
	return plages_validate(c->db, c->a, org, &in, &it->as.plage, errors);
}

/* ---------------------------------------------------------- list, show */

/* Columns 4-7 of sql_page: first day, start, end, lieu. */
static void plage_index_row(struct ctx *c, PGresult *r, int i, struct tmpl_vars *row)
{
	int y = 0, m = 0, d = 0;
	valid_date(db_val(r, i, 4), &y, &m, &d, NULL);
	tmpl_set_var(row, "first_day", plages_date_fr(c->a, y, m, d));
	tmpl_set_var(row, "hours", arena_printf(c->a, "%s – %s", db_val(r, i, 5), db_val(r, i, 6)));
	tmpl_set_var(row, "lieu", db_val(r, i, 7));
}

static int plage_show_vars(struct ctx *c, const struct series_item *it)
{
	const struct plage *p = &it->as.plage;
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
	tmpl_set_int(v, "id", p->id);
	tmpl_set_var(v, "plage_title", p->title);
	tmpl_set_var(v, "first_day", plages_date_fr(c->a, p->first_y, p->first_m, p->first_d));
	tmpl_set_var(v, "hours", arena_printf(c->a, "%s – %s", plages_hm(c->a, p->start_min), plages_hm(c->a, p->end_min)));
	plages_warnings(c->db, c->a, p, v);   /* advisory: a failed query shows none */
	return 0;
}

static const struct series_kind plage_kind = {
	.absence = 0,
	.segment = "plages_ouverture",
	.list_title = "Plages d'ouverture",
	.list_loop = "plages",
	.new_title = "Nouvelle plage d'ouverture",
	.edit_title = "Modifier la plage d'ouverture",
	.created = "La plage d'ouverture a été créée.",
	.updated = "La plage d'ouverture a été modifiée.",
	.deleted = "La plage d'ouverture a été supprimée.",
	.flash_names_day = 1,
	.not_an_occurrence = "Ce jour n'est pas une occurrence de cette plage (plage ponctuelle, date hors de la "
			     "récurrence ou occurrence déjà supprimée).",
	.default_end_time = "12:00",
	.tmpl_index = "booking/plages_index.tmpl",
	.tmpl_form = "booking/plages_form.tmpl",
	.tmpl_show = "booking/plages_show.tmpl",
	.tmpl_move = "booking/plages_move.tmpl",
	.sql_count = "SELECT count(*) FROM plages_ouverture WHERE organisation_id = $1 AND agent_id = $2",
	.sql_page = "SELECT p.id, p.title, p.recurrence::text, p.exception_of_id IS NOT NULL, p.first_day::text,"
		    " to_char(p.start_time, 'HH24:MI'), to_char(p.end_time, 'HH24:MI'), coalesce(l.name, '')"
		    " FROM plages_ouverture p LEFT JOIN lieux l ON l.id = p.lieu_id WHERE p.organisation_id = $1"
		    " AND p.agent_id = $2 ORDER BY p.first_day DESC, p.id DESC LIMIT $3 OFFSET $4",
	.sql_exceptions = "SELECT day - date '1970-01-01' FROM plage_ouverture_exceptions"
			  " WHERE plage_ouverture_id = $1 ORDER BY day",
	.index_row = plage_index_row,
	.form_from_item = plage_form_from_item,
	.form_vars = plage_form_vars,
	.show_vars = plage_show_vars,
	.validate = plage_validate,
};

SERIES_ROUTE_TABLE(plage_routes, "/agent/organisations/:org_id/plages_ouverture", plage_kind);
