/*
 * rdv-admin - administration of a territory (département) and of its
 * organisations: agents and rights, lieux, motifs, secteurs, webhooks, audit.
 * Each resource file defines its route table; this file lists them (weak
 * references: a resource under construction does not break the build).
 */
#include "admin.h"

#define W __attribute__((weak))
extern const struct route_table organisation_routes W, territory_routes W, agent_admin_routes W,
	lieu_routes W, motif_routes W, sector_routes W, webhook_routes W, audit_routes W, team_routes W,
	service_routes W, mail_routes W;

static const struct route_table *const tables[] = {
	&organisation_routes, &territory_routes, &agent_admin_routes, &lieu_routes, &motif_routes,
	&sector_routes, &webhook_routes, &audit_routes, &team_routes, &service_routes, &mail_routes,
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
		.tables = tables,
		.n_tables = sizeof(tables) / sizeof(tables[0]),
		.public_session = SESSION_AGENT,
		.page_vars = admin_vars,
	};
	return app_main(&prog);
}
