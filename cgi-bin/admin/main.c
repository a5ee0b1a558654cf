/*
 * rdv-admin - administration of a territory (département) and of its
 * organisations: agents and rights, lieux, motifs, secteurs, webhooks, audit.
 * This file is the route table; handlers live one file per resource.
 */
#include "admin.h"

static const struct route routes[] = {
	{HTTP_GET, "/admin/", admin_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id", organisation_show, ROUTE_AGENT, 0},
};

static void admin_vars(struct ctx *c)
{
	tmpl_set_var(c->vars, "tagline", "Administration");
	tmpl_set_var(c->vars, "home_url", app_url(c, "/admin/"));
}

int main(void)
{
	static const struct app_program prog = {
		.name = "admin",
		.routes = routes,
		.n_routes = sizeof(routes) / sizeof(routes[0]),
		.public_session = SESSION_AGENT,
		.page_vars = admin_vars,
	};
	return app_main(&prog);
}
