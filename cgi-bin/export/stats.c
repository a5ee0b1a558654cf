/*
 * stats.c - statistics pages: an organisation's (its members), a territory's
 * (territory admins and agents allowed to download statistics) and the whole
 * instance's (public). Each chart comes with its table and a CSV download.
 */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "export.h"
#include "rdv.h"
#include "stats.h"
#include "valid.h"

static const char *const dimensions[] = {"origin", "status", "service", "location_type", "motif", NULL};
static const char *const dimension_titles[] = {"RDV créés par origine", "RDV créés par statut",
	"RDV créés par service", "RDV créés par type de lieu", "RDV créés par motif"};

/* Resolves the scope of the page from the route; 0 or an rdv_err. */
static int read_scope(struct ctx *c, struct stats_query *q, const char **title)
{
	long long org = route_id(&c->match, "org_id"), terr = route_id(&c->match, "territory_id");
	const char *w = http_param(&c->req, "weeks");
	long long weeks = 12;
	const char *msg;
	if (w != NULL && w[0] != '\0' && valid_int(w, 1, 104, &weeks, &msg) != 0)
		return RDV_EINVAL;
	q->weeks = (int)weeks;
	if (org != 0) {
		int rc = policy_require_role(c->db, c->agent_id, org, ROLE_BASIC);
		if (rc != 0)
			return rc;
		q->scope = STATS_ORGANISATION;
		q->id = org;
		*title = db_s(c->db, c->a, "SELECT name FROM organisations WHERE id = $1", db_int(c->a, org));
		return 0;
	}
	if (terr != 0) {
		char *ok = db_s(c->db, c->a,
			"SELECT CASE WHEN EXISTS (SELECT 1 FROM agent_territorial_roles WHERE agent_id = $1 AND territory_id = $2)"
			" OR EXISTS (SELECT 1 FROM agent_territorial_access_rights WHERE agent_id = $1 AND territory_id = $2"
			"            AND allow_to_download_stats) THEN 'yes'"
			" WHEN EXISTS (SELECT 1 FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id"
			"              WHERE ar.agent_id = $1 AND o.territory_id = $2) THEN 'member' ELSE 'no' END",
			db_int(c->a, c->agent_id), db_int(c->a, terr));
		if (ok == NULL)
			return c->db->err ? c->db->err : RDV_ENOTFOUND;
		if (strcmp(ok, "no") == 0)
			return RDV_ENOTFOUND;
		if (strcmp(ok, "member") == 0)
			return RDV_EFORBIDDEN;
		q->scope = STATS_TERRITORY;
		q->id = terr;
		*title = db_s(c->db, c->a, "SELECT name FROM territories WHERE id = $1", db_int(c->a, terr));
		return 0;
	}
	q->scope = STATS_INSTANCE;
	q->id = 0;
	*title = "toute l'instance";
	return 0;
}

static void add_table(struct ctx *c, struct tmpl_vars *chart, const struct stats_series *s)
{
	struct tmpl_loop *weeks = tmpl_add_loop(chart, "weeks");
	for (size_t w = 0; w < s->n_weeks; w++)
		tmpl_set_var(tmpl_loop_add_row(weeks), "week", s->weeks[w]);
	struct tmpl_loop *rows = tmpl_add_loop(chart, "rows");
	for (size_t k = 0; k < s->n_keys; k++) {
		struct tmpl_vars *row = tmpl_loop_add_row(rows);
		tmpl_set_var(row, "label", s->labels[k]);
		tmpl_set_int(row, "total", s->key_totals[k]);
		struct tmpl_loop *cells = tmpl_add_loop(row, "cells");
		for (size_t w = 0; w < s->n_weeks; w++)
			tmpl_set_int(tmpl_loop_add_row(cells), "value", s->values[k * s->n_weeks + w]);
	}
	(void)c;
}

static int stats_page(struct ctx *c)
{
	struct stats_query q;
	const char *scope_title = NULL;
	int rc = read_scope(c, &q, &scope_title);
	if (rc == RDV_EFORBIDDEN)
		return app_error(c, 403, "Les statistiques du département sont réservées à ses administrateurs "
					 "et aux agents autorisés à les télécharger.");
	if (rc != 0)
		return rc;
	struct stats_summary sum;
	if ((rc = stats_summary_load(c->db, c->a, &q, &sum)) != 0)
		return rc;
	tmpl_set_var(c->vars, "title", arena_printf(c->a, "Statistiques – %s", scope_title ? scope_title : ""));
	tmpl_set_var(c->vars, "scope_title", scope_title);
	tmpl_set_int(c->vars, "weeks", q.weeks);
	tmpl_set_int(c->vars, "rdvs", sum.rdvs);
	tmpl_set_varf(c->vars, "noshow_rate", "%.1f", sum.noshow_rate * 100);
	tmpl_set_varf(c->vars, "avg_delay", "%.1f", sum.avg_delay_days);
	tmpl_set_int(c->vars, "active_agents", sum.active_agents_last_week);
	tmpl_set_int(c->vars, "users", sum.users);
	tmpl_set_var(c->vars, "refreshed_at", sum.refreshed_at);
	tmpl_set_var(c->vars, "csv_base", c->path);
	struct tmpl_loop *charts = tmpl_add_loop(c->vars, "charts");
	for (int i = 0; dimensions[i] != NULL; i++) {
		struct stats_series s;
		if ((rc = stats_series_load(c->db, c->a, &q, dimensions[i], &s)) != 0)
			return rc;
		struct tmpl_vars *chart = tmpl_loop_add_row(charts);
		tmpl_set_var(chart, "dimension", dimensions[i]);
		tmpl_set_var(chart, "chart_title", dimension_titles[i]);
		tmpl_set_bool(chart, "empty", s.n_keys == 0);
		if (strcmp(dimensions[i], "motif") != 0) {   /* motifs: too many keys for a chart, table only */
			struct buf svg = BUF_INIT;
			stats_svg(&s, dimension_titles[i], &svg);
			tmpl_set_var(chart, "svg", svg.data);
			buf_free(&svg);
		}
		add_table(c, chart, &s);
	}
	return app_render(c, 200, "export/stats.tmpl");
}

static int stats_csv(struct ctx *c)
{
	struct stats_query q;
	const char *scope_title = NULL;
	int rc = read_scope(c, &q, &scope_title);
	if (rc != 0)
		return rc;
	const char *dim = http_param(&c->req, "dimension");
	int idx;
	const char *msg;
	if (valid_enum(dim, dimensions, &idx, &msg) != 0)
		return app_error(c, 400, "Dimension inconnue : choisissez origin, status, service, location_type ou motif.");
	struct stats_series s;
	if ((rc = stats_series_load(c->db, c->a, &q, dimensions[idx], &s)) != 0)
		return rc;
	struct csv_writer w;
	csv_begin(&w, &c->res, arena_printf(c->a, "statistiques-%s.csv", dimensions[idx]));
	const char **header = arena_calloc(c->a, s.n_weeks + 2, sizeof(char *));
	const char **cells = arena_calloc(c->a, s.n_weeks + 2, sizeof(char *));
	if (header == NULL || cells == NULL)
		return RDV_ENOMEM;
	header[0] = "semaine du";
	for (size_t i = 0; i < s.n_weeks; i++)
		header[i + 1] = s.weeks[i];
	csv_row(&w, header, (int)s.n_weeks + 1);
	for (size_t k = 0; k < s.n_keys; k++) {
		cells[0] = s.labels[k];
		for (size_t i = 0; i < s.n_weeks; i++)
			cells[i + 1] = db_int(c->a, s.values[k * s.n_weeks + i]);
		csv_row(&w, cells, (int)s.n_weeks + 1);
	}
	return csv_end(&w);
}

ROUTE_TABLE(stats_routes,
	{HTTP_GET, "/export/stats", stats_page, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/export/stats.csv", stats_csv, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/export/organisations/:org_id/stats", stats_page, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/organisations/:org_id/stats.csv", stats_csv, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/territories/:territory_id/stats", stats_page, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/territories/:territory_id/stats.csv", stats_csv, ROUTE_AGENT, 0},
);
