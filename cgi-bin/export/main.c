/*
 * rdv-export - what leaves the application: spreadsheets, statistics,
 * calendar feeds and the JSON API (/api/v1). This file is the route table.
 */
#include "export.h"

static const struct route routes[] = {
	{HTTP_GET, "/export/organisations/:org_id/agents.csv", export_agents_csv, ROUTE_AGENT, 0},
};

int main(void)
{
	static const struct app_program prog = {
		.name = "export",
		.routes = routes,
		.n_routes = sizeof(routes) / sizeof(routes[0]),
		.public_session = SESSION_AGENT,
	};
	return app_main(&prog);
}
