/*
 * rdv-export - what leaves the application: spreadsheets, statistics,
 * calendar feeds and the JSON API (/api/v1). Each resource file defines its
 * route table; this file lists them (weak references).
 */
#include "export.h"

#define W __attribute__((weak))
extern const struct route_table agents_csv_routes W, api_org_routes W, api_plage_routes W,
	api_absence_routes W, api_rdv_routes W, api_user_routes W, export_file_routes W, stats_routes W,
	ics_routes W, api_referent_routes W;

static const struct route_table *const tables[] = {
	&agents_csv_routes, &api_org_routes, &api_plage_routes, &api_absence_routes, &api_rdv_routes,
	&api_user_routes, &export_file_routes, &stats_routes, &ics_routes, &api_referent_routes,
};

int main(void)
{
	static const struct app_program prog = {
		.name = "export",
		.tables = tables,
		.n_tables = sizeof(tables) / sizeof(tables[0]),
		.public_session = SESSION_AGENT,
	};
	return app_main(&prog);
}
