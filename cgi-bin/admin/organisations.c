/*
 * organisations.c - the admin home (which organisations I administer) and an
 * organisation's page.
 */
#include "admin.h"
#include "policy.h"
#include "rdv.h"

#define NOT_ADMIN "Cette page est réservée aux administrateurs de l'organisation. " \
		  "Demandez à un administrateur de votre site de vous donner ce rôle si vous en avez besoin."

static int admin_home(struct ctx *c)
{
	PGresult *r = db_q(c->db,
		"SELECT o.id, o.name FROM organisations o JOIN agent_roles ar ON ar.organisation_id = o.id"
		" WHERE ar.agent_id = $1 AND ar.access_level = 'admin'"
		" UNION SELECT o.id, o.name FROM organisations o JOIN agent_territorial_roles t"
		" ON t.territory_id = o.territory_id WHERE t.agent_id = $1 ORDER BY 2",
		db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	int n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		return app_error(c, 403, NOT_ADMIN);
	}
	if (n == 1) {
		const char *id = db_dup(c->a, r, 0, 0);
		PQclear(r);
		return app_redirect(c, arena_printf(c->a, "/admin/organisations/%s", id));
	}
	struct tmpl_loop *orgs = tmpl_add_loop(c->vars, "organisations");
	for (int i = 0; i < n; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(orgs);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Administration");
	return app_render(c, 200, "admin/home.tmpl");
}

static int organisation_show(struct ctx *c)
{
	long long org = route_id(&c->match, "org_id");
	int rc = policy_require_role(c->db, c->agent_id, org, ROLE_ADMIN);
	if (rc == RDV_EFORBIDDEN)
		return app_error(c, 403, NOT_ADMIN);
	if (rc != 0)
		return rc;
	PGresult *r = db_q(c->db,
		"SELECT o.name, coalesce(o.address, ''), coalesce(o.phone_number, ''), coalesce(o.email, ''),"
		" t.name, (SELECT count(*) FROM agent_roles WHERE organisation_id = o.id),"
		" (SELECT count(*) FROM lieux WHERE organisation_id = o.id AND availability = 'enabled'),"
		" (SELECT count(*) FROM motifs WHERE organisation_id = o.id AND deleted_at IS NULL)"
		" FROM organisations o JOIN territories t ON t.id = o.territory_id WHERE o.id = $1",
		db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	static const char *const names[] = {"name", "address", "phone_number", "email", "territory_name",
					    "agents_count", "lieux_count", "motifs_count"};
	for (int i = 0; i < 8; i++)
		tmpl_set_var(c->vars, names[i], db_val(r, 0, i));
	tmpl_set_var(c->vars, "title", db_val(r, 0, 0));
	tmpl_set_int(c->vars, "org_id", org);
	PQclear(r);
	return app_render(c, 200, "admin/organisation.tmpl");
}

ROUTE_TABLE(organisation_routes,
	{HTTP_GET, "/admin/", admin_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id", organisation_show, ROUTE_AGENT, 0},
);
