/*
 * rdv-search - what citizens use: find a créneau from their address, book it,
 * manage their RDVs and proches; and the public créneaux API. Each resource
 * file defines its route table; this file lists them (weak references).
 */
#include "search.h"

#define W __attribute__((weak))
extern const struct route_table home_routes W, search_flow_routes W, booking_flow_routes W,
	user_account_routes W, user_rdv_routes W, relative_routes W, address_routes W, public_api_routes W,
	rdv_link_routes W, prescripteur_routes W;

static const struct route_table *const tables[] = {
	&home_routes, &search_flow_routes, &booking_flow_routes, &user_account_routes, &user_rdv_routes,
	&relative_routes, &address_routes, &public_api_routes, &rdv_link_routes, &prescripteur_routes,
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
		.tables = tables,
		.n_tables = sizeof(tables) / sizeof(tables[0]),
		.public_session = SESSION_USER,
		.page_vars = search_vars,
	};
	return app_main(&prog);
}
