/*
 * home.c - the public home page (the search form) and the legal pages.
 */
#include <string.h>

#include "rdv.h"
#include "search.h"

static int home_show(struct ctx *c)
{
	tmpl_set_var(c->vars, "title", "Prendre rendez-vous");
	PGresult *r = db_q(c->db,
		"SELECT DISTINCT s.id, s.name FROM services s JOIN territory_services ts ON ts.service_id = s.id"
		" WHERE s.name <> 'Secrétariat' ORDER BY s.name");
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *services = tmpl_add_loop(c->vars, "services");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(services);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
	}
	PQclear(r);
	return app_render(c, 200, "search/home.tmpl");
}

static int static_page(struct ctx *c)
{
	static const struct { const char *path, *title, *tmpl; } pages[] = {
		{"/accessibilite", "Déclaration d'accessibilité", "search/accessibilite.tmpl"},
		{"/mentions-legales", "Mentions légales", "search/mentions_legales.tmpl"},
		{"/donnees-personnelles", "Données personnelles", "search/donnees_personnelles.tmpl"},
	};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		if (strcmp(c->path, pages[i].path) == 0) {
			tmpl_set_var(c->vars, "title", pages[i].title);
			return app_render(c, 200, pages[i].tmpl);
		}
	}
	return RDV_ENOTFOUND;
}

ROUTE_TABLE(home_routes,
	{HTTP_GET, "/", home_show, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/accessibilite", static_page, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/mentions-legales", static_page, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/donnees-personnelles", static_page, ROUTE_PUBLIC, 0},
);
