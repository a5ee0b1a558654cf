/*
 * agents_csv.c - the organisation's agents as CSV (UTF-8 with BOM, ";" for
 * Excel), streamed row by row: the response never holds the whole file.
 */
#include "audit.h"
#include "csv.h"
#include "export.h"
#include "policy.h"
#include "rdv.h"

static int export_agents_csv(struct ctx *c)
{
	long long org = route_id(&c->match, "org_id");
	int rc = policy_require_role(c->db, c->agent_id, org, ROLE_BASIC);
	if (rc != 0)
		return rc;
	PGresult *r = db_q(c->db,
		"SELECT a.last_name, a.first_name, coalesce(a.email, ''), ar.access_level::text,"
		" coalesce(string_agg(s.name, ', ' ORDER BY s.name), '')"
		" FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" LEFT JOIN agent_services asv ON asv.agent_id = a.id LEFT JOIN services s ON s.id = asv.service_id"
		" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL"
		" GROUP BY a.id, ar.access_level ORDER BY a.last_name, a.first_name", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .organisation_id = org,
		.item_type = "organisation", .item_id = org, .event = "export_agents", .ip = app_client_ip(c)});
	struct csv_writer w;
	static const char *const header[] = {"Nom", "Prénom", "E-mail", "Rôle", "Services"};
	csv_begin(&w, &c->res, arena_printf(c->a, "agents-org-%06lld.csv", org));
	csv_row(&w, header, 5);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *role = db_val(r, i, 3);
		const char *cells[] = {db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2),
				       role[0] == 'a' ? "administrateur" : role[0] == 'b' ? "agent" : "intervenant",
				       db_val(r, i, 4)};
		csv_row(&w, cells, 5);
	}
	PQclear(r);
	return csv_end(&w);
}

ROUTE_TABLE(agents_csv_routes,
	{HTTP_GET, "/export/organisations/:org_id/agents.csv", export_agents_csv, ROUTE_AGENT, 0},
);
