/*
 * rdv-booking - the agent side: sign-in, agenda, RDVs, plages, absences,
 * usagers. Each resource file defines its route table (ROUTE_TABLE); this file
 * lists them. Tables are weak references so that a resource under
 * construction does not break the others' build.
 */
#include "booking.h"

#define W __attribute__((weak))
extern const struct route_table session_routes W, agenda_routes W, rdv_routes W, plage_routes W,
	absence_routes W, creneau_routes W, usager_routes W, access_routes W, invitation_routes W,
	profile_routes W, calendar_routes W;

static const struct route_table *const tables[] = {
	&session_routes, &agenda_routes, &rdv_routes, &plage_routes, &absence_routes, &creneau_routes,
	&usager_routes, &access_routes, &invitation_routes, &profile_routes, &calendar_routes,
};

static void booking_vars(struct ctx *c)
{
	tmpl_set_var(c->vars, "tagline", "Espace agents");
	tmpl_set_var(c->vars, "home_url", app_url(c, "/agent/"));
	booking_nav(c);
}

int main(void)
{
	static const struct app_program prog = {
		.name = "booking",
		.tables = tables,
		.n_tables = sizeof(tables) / sizeof(tables[0]),
		.public_session = SESSION_AGENT,
		.page_vars = booking_vars,
	};
	return app_main(&prog);
}
