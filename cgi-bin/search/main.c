/*
 * rdv-search - what citizens use: find a créneau from their address, book it,
 * manage their RDVs and proches; and the public créneaux API. This file is
 * the route table; handlers live one file per resource.
 */
#include "search.h"

static const struct route routes[] = {
	{HTTP_GET, "/", home_show, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/accessibilite", static_page, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/mentions-legales", static_page, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/donnees-personnelles", static_page, ROUTE_PUBLIC, 0},
};

static void search_vars(struct ctx *c)
{
	tmpl_set_bool(c->vars, "public_side", 1);
	tmpl_set_var(c->vars, "home_url", app_url(c, "/"));
}

int main(void)
{
	static const struct app_program prog = {
		.name = "search",
		.routes = routes,
		.n_routes = sizeof(routes) / sizeof(routes[0]),
		.public_session = SESSION_USER,
		.page_vars = search_vars,
	};
	return app_main(&prog);
}
