/*
 * agenda.c - the agent's home and agenda pages.
 */
#include "booking.h"
#include "rdv.h"

/* /agent/ and /agent/agenda: the agenda of the agent's first organisation. */
static int agenda_home(struct ctx *c)
{
	long long org = booking_first_org(c);
	if (org == 0) {
		tmpl_set_var(c->vars, "title", "Mon agenda");
		return app_render(c, 200, "booking/agenda.tmpl");
	}
	return app_redirect(c, arena_printf(c->a, "/agent/organisations/%lld/agenda", org));
}

static int agenda_show(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Mon agenda");
	PGresult *r = db_q(c->db,
		"SELECT o.id, o.name, ar.access_level FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id"
		" WHERE ar.agent_id = $1 ORDER BY o.name", db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *orgs = tmpl_add_loop(c->vars, "organisations");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(orgs);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_bool(row, "admin", db_val(r, i, 2)[0] == 'a');
	}
	PQclear(r);
	return app_render(c, 200, "booking/agenda.tmpl");
}

ROUTE_TABLE(agenda_routes,
	{HTTP_GET, "/agent/", agenda_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/agenda", agenda_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/agenda", agenda_show, ROUTE_AGENT, 0},
);
