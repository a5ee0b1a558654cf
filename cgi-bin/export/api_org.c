/*
 * api_org.c - the organisation-level resources of the JSON API (api.md):
 * the token agent's organisations, and an organisation's agents, lieux,
 * motifs; the global list of services. Read-only. Any admin or basic role in
 * :org reads them (as in RDV-Solidarités: everyone of the organisation sees
 * its lieux, motifs and colleagues); no role → 404, intervenant → 403.
 */
#include <stdlib.h>

#include "api.h"
#include "export.h"
#include "rdv.h"

/* One page of a list query: with a parameter (the organisation or the
 * agent), count_sql takes $1 and list_sql ends with LIMIT $2 OFFSET $3;
 * without (param NULL), count_sql takes none and list_sql ends with
 * LIMIT $1 OFFSET $2. */
struct page_query {
	const char *count_sql;
	const char *list_sql;
	const char *spec;        /* api_rows_json columns */
	const char *key;         /* "agents", "lieux", … */
};

static int answer_page(struct ctx *c, const struct page_query *q, const char *param)
{
	struct api_page p;
	const char *msg;
	if (api_page_parse(c, &p, &msg) != 0)
		return api_bad_request(c, msg);
	c->db->err = 0;
	char *total = param ? db_s(c->db, c->a, q->count_sql, param) : db_s(c->db, c->a, q->count_sql);
	if (total == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	PGresult *r = param ? db_q(c->db, q->list_sql, param, p.limit, p.offset)
			    : db_q(c->db, q->list_sql, p.limit, p.offset);
	if (r == NULL)
		return c->db->err;
	json_t *items = api_rows_json(r, q->spec);
	PQclear(r);
	if (items == NULL)
		return RDV_ENOMEM;
	return api_list(c, q->key, items, &p, strtoll(total, NULL, 10));
}

#define ORG_COLUMNS "o.id, o.name, o.territory_id, o.phone_number, o.email, o.address"

/* GET /api/v1/organisations: those where the agent has a role. */
static int api_organisations_index(struct ctx *c)
{
	static const struct page_query q = {
		"SELECT count(*) FROM agent_roles WHERE agent_id = $1",
		"SELECT " ORG_COLUMNS " FROM organisations o JOIN agent_roles ar ON ar.organisation_id = o.id"
		" WHERE ar.agent_id = $1 ORDER BY o.name, o.id LIMIT $2 OFFSET $3",
		"isisss", "organisations",
	};
	return answer_page(c, &q, db_int(c->a, c->agent_id));
}

/* GET /api/v1/organisations/:org */
static int api_organisation_show(struct ctx *c)
{
	long long org;
	int rc = api_org(c, ROLE_BASIC, &org);
	if (rc != 0)
		return rc;
	PGresult *r = db_q(c->db, "SELECT " ORG_COLUMNS " FROM organisations o WHERE o.id = $1", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	json_t *o = api_row_json(r, 0, "isisss");
	PQclear(r);
	return o ? api_one(c, 200, "organisation", o) : RDV_ENOTFOUND;
}

/* GET /api/v1/organisations/:org/agents: not deleted, with their services. */
static int api_agents_index(struct ctx *c)
{
	long long org;
	int rc = api_org(c, ROLE_BASIC, &org);
	if (rc != 0)
		return rc;
	static const struct page_query q = {
		"SELECT count(*) FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL",
		"SELECT a.id, a.first_name, a.last_name, a.email::text AS email,"
		" ARRAY(SELECT s.service_id FROM agent_services s WHERE s.agent_id = a.id ORDER BY 1) AS service_ids,"
		" ar.access_level::text AS role"
		" FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL"
		" ORDER BY a.last_name, a.first_name, a.id LIMIT $2 OFFSET $3",
		"isssas", "agents",
	};
	return answer_page(c, &q, db_int(c->a, org));
}

/* GET /api/v1/organisations/:org/lieux: enabled is availability = 'enabled'
 * (single-use lieux of one RDV are listed, not enabled for plages). */
static int api_lieux_index(struct ctx *c)
{
	long long org;
	int rc = api_org(c, ROLE_BASIC, &org);
	if (rc != 0)
		return rc;
	static const struct page_query q = {
		"SELECT count(*) FROM lieux WHERE organisation_id = $1",
		"SELECT id, name, address, latitude, longitude, phone_number, availability = 'enabled' AS enabled"
		" FROM lieux WHERE organisation_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3",
		"issrrsb", "lieux",
	};
	return answer_page(c, &q, db_int(c->a, org));
}

/* GET /api/v1/organisations/:org/motifs: not deleted. bookable_online is
 * bookable_by = 'everyone' (what the public search offers). */
static int api_motifs_index(struct ctx *c)
{
	long long org;
	int rc = api_org(c, ROLE_BASIC, &org);
	if (rc != 0)
		return rc;
	static const struct page_query q = {
		"SELECT count(*) FROM motifs WHERE organisation_id = $1 AND deleted_at IS NULL",
		"SELECT id, name, service_id, default_duration_in_min, location_type::text AS location_type,"
		" bookable_by = 'everyone' AS bookable_online, min_public_booking_delay, max_public_booking_delay,"
		" collectif, follow_up, for_secretariat"
		" FROM motifs WHERE organisation_id = $1 AND deleted_at IS NULL"
		" ORDER BY name, id LIMIT $2 OFFSET $3",
		"isiisbiibbb", "motifs",
	};
	return answer_page(c, &q, db_int(c->a, org));
}

/* GET /api/v1/services: the global list (not organisation data). */
static int api_services_index(struct ctx *c)
{
	static const struct page_query q = {
		"SELECT count(*) FROM services",
		"SELECT id, name, short_name FROM services ORDER BY name, id LIMIT $1 OFFSET $2",
		"iss", "services",
	};
	return answer_page(c, &q, NULL);
}

ROUTE_TABLE(api_org_routes,
	{HTTP_GET, "/api/v1/organisations", api_organisations_index, ROUTE_API, 0},
	{HTTP_GET, "/api/v1/organisations/:org", api_organisation_show, ROUTE_API, 0},
	{HTTP_GET, "/api/v1/organisations/:org/agents", api_agents_index, ROUTE_API, 0},
	{HTTP_GET, "/api/v1/organisations/:org/lieux", api_lieux_index, ROUTE_API, 0},
	{HTTP_GET, "/api/v1/organisations/:org/motifs", api_motifs_index, ROUTE_API, 0},
	{HTTP_GET, "/api/v1/services", api_services_index, ROUTE_API, 0},
);
