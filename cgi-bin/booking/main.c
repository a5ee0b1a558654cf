/*
 * rdv-booking - the agent side: sign-in, agenda, RDVs, plages, absences,
 * usagers. This file is the route table; handlers live one file per resource.
 */
#include "booking.h"

static const struct route routes[] = {
	{HTTP_GET, "/agent/sign_in", session_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/sign_in", session_create, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/sign_out", session_destroy, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/password/new", password_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/password", password_create, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/agent/password/edit", password_edit, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/agent/password/update", password_update, ROUTE_PUBLIC, 0},
	{HTTP_GET, "/agent/", agenda_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/agenda", agenda_show, ROUTE_AGENT, 0},
};

static void booking_vars(struct ctx *c)
{
	tmpl_set_var(c->vars, "tagline", "Espace agents");
	tmpl_set_var(c->vars, "home_url", app_url(c, "/agent/"));
}

int main(void)
{
	static const struct app_program prog = {
		.name = "booking",
		.routes = routes,
		.n_routes = sizeof(routes) / sizeof(routes[0]),
		.public_session = SESSION_AGENT,
		.page_vars = booking_vars,
	};
	return app_main(&prog);
}
