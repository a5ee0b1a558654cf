/*
 * api_referents.c - a usager's referent agents in the JSON API (api.md):
 *   GET    /api/v1/organisations/:org_id/users/:id/referents           {"agents": […], "meta"}
 *   POST   /api/v1/organisations/:org_id/users/:id/referents           {"agent_id": N} → 201 {"user"}
 *                                                                      (200 when already a referent)
 *   DELETE /api/v1/organisations/:org_id/users/:id/referents/:agent_id → 200 {"user"}
 * Same visibility as the other user routes (lib/usager scope: another
 * organisation's usager is 404); the referent must be an agent of the
 * organisation. Writes run in one transaction with their audit row and the
 * "referent_assignation" webhook. Referents decide who may take follow-up
 * motifs (lib/rdvs.c).
 */
#include <stdlib.h>

#include "api.h"
#include "audit.h"
#include "export.h"
#include "notify.h"
#include "rdv.h"
#include "usager.h"

/* The organisation (basic role at least) and the usager, visible there. */
static int referent_scope(struct ctx *c, struct usager_scope *s, long long *user_id)
{
	long long org;
	int rc = api_org(c, ROLE_BASIC, &org);
	if (rc == 0)
		rc = usager_scope_load(c->db, c->agent_id, org, s);
	if (rc != 0)
		return rc;
	*user_id = route_id(&c->match, "id");
	PGresult *r = usager_get(c->db, s, *user_id, &rc);
	if (r == NULL)
		return rc;
	PQclear(r);
	return 0;
}

/* {"user": …} with status. */
static int answer_user(struct ctx *c, const struct usager_scope *s, long long id, int status)
{
	int rc;
	PGresult *r = usager_get(c->db, s, id, &rc);
	if (r == NULL)
		return rc;
	json_t *u = usager_json(r, 0);
	PQclear(r);
	return u ? api_one(c, status, "user", u) : RDV_ENOMEM;
}

static int api_referents_index(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = referent_scope(c, &s, &id);
	if (rc != 0)
		return rc;
	struct api_page p;
	const char *msg;
	if (api_page_parse(c, &p, &msg) != 0)
		return api_bad_request(c, msg);
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name, a.last_name, a.email::text, count(*) OVER ()"
		" FROM referent_assignations ra JOIN agents a ON a.id = ra.agent_id"
		" WHERE ra.user_id = $1 AND a.deleted_at IS NULL"
		" ORDER BY a.last_name, a.first_name, a.id LIMIT $2::bigint OFFSET $3::bigint",
		db_int(c->a, id), p.limit, p.offset);
	if (r == NULL)
		return c->db->err;
	long long total = PQntuples(r) > 0 ? db_ll(r, 0, 4) : 0;
	json_t *items = api_rows_json(r, "isss");
	PQclear(r);
	if (total == 0 && p.page > 1) {   /* past the end: the real total */
		char *t = db_s(c->db, c->a, "SELECT count(*) FROM referent_assignations ra JOIN agents a ON a.id = ra.agent_id"
					    " WHERE ra.user_id = $1 AND a.deleted_at IS NULL", db_int(c->a, id));
		total = t ? atoll(t) : 0;
	}
	return items ? api_list(c, "agents", items, &p, total) : RDV_ENOMEM;
}

/* Audit row and webhook of one assignation change (inside the transaction). */
static int referent_record(struct ctx *c, const struct usager_scope *s, long long user_id, long long agent_id,
			   int added)
{
	const char *j = arena_printf(c->a, "{\"user_id\": %lld, \"agent_id\": %lld}", user_id, agent_id);
	int rc = audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .organisation_id = s->org_id,
		.territory_id = s->territory_id, .item_type = "user", .item_id = user_id,
		.event = added ? "referent_add" : "referent_remove", .before_json = added ? NULL : j,
		.after_json = added ? j : NULL, .ip = app_client_ip(c)});
	if (rc != 0)
		return rc;
	json_t *data = json_pack("{s:I, s:I}", "user_id", (json_int_t)user_id, "agent_id", (json_int_t)agent_id);
	if (data == NULL)
		return RDV_ENOMEM;
	rc = notify_webhook(c->db, c->a, s->org_id, "referent_assignation", added ? "created" : "destroyed", data);
	json_decref(data);
	return rc;
}

/* Inserts the assignation: 1 created, 0 already there, <0 error. */
static int referent_insert(struct ctx *c, const struct usager_scope *s, long long user_id, long long agent_id)
{
	int rc = db_begin(c->db);
	if (rc != 0)
		return rc;
	char *made = db_s(c->db, c->a, "INSERT INTO referent_assignations (user_id, agent_id) VALUES ($1, $2)"
				       " ON CONFLICT DO NOTHING RETURNING 1",
			  db_int(c->a, user_id), db_int(c->a, agent_id));
	rc = c->db->err;
	if (rc == 0 && made != NULL)
		rc = referent_record(c, s, user_id, agent_id, 1);
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0) {
		db_rollback(c->db);
		return rc;
	}
	return made != NULL;
}

static int api_referents_create(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = referent_scope(c, &s, &id);
	if (rc != 0)
		return rc;
	const json_t *v = json_object_get(c->req.json, "agent_id");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return api_bad_request(c, "agent_id doit être l'identifiant d'un agent.");
	long long agent = (long long)json_integer_value(v);
	/* an agent of the organisation only (a stranger is not revealed either) */
	char *member = db_s(c->db, c->a, "SELECT 1 FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
					 " WHERE ar.agent_id = $1 AND ar.organisation_id = $2 AND a.deleted_at IS NULL",
			    db_int(c->a, agent), db_int(c->a, s.org_id));
	if (member == NULL && c->db->err)
		return c->db->err;
	if (member == NULL)
		return app_json_error(c, 422, "validation_failed", "Le référent doit être un agent de l'organisation.",
				      json_pack("{s:[s]}", "agent_id", "Cet agent n'appartient pas à l'organisation."));
	rc = referent_insert(c, &s, id, agent);
	if (rc < 0)
		return rc;
	return answer_user(c, &s, id, rc == 1 ? 201 : 200);
}

static int api_referents_destroy(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = referent_scope(c, &s, &id);
	if (rc != 0)
		return rc;
	long long agent = route_id(&c->match, "agent_id");
	if ((rc = db_begin(c->db)) != 0)
		return rc;
	char *gone = db_s(c->db, c->a, "DELETE FROM referent_assignations WHERE user_id = $1 AND agent_id = $2 RETURNING 1",
			  db_int(c->a, id), db_int(c->a, agent));
	rc = c->db->err ? c->db->err : gone == NULL ? RDV_ENOTFOUND : 0;
	if (rc == 0)
		rc = referent_record(c, &s, id, agent, 0);
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0) {
		db_rollback(c->db);
		return rc;
	}
	return answer_user(c, &s, id, 200);
}

ROUTE_TABLE(api_referent_routes,
	{HTTP_GET, "/api/v1/organisations/:org_id/users/:id/referents", api_referents_index, ROUTE_API, ROUTE_JSON},
	{HTTP_POST, "/api/v1/organisations/:org_id/users/:id/referents", api_referents_create, ROUTE_API, ROUTE_JSON},
	{HTTP_DELETE, "/api/v1/organisations/:org_id/users/:id/referents/:agent_id", api_referents_destroy, ROUTE_API,
	 ROUTE_JSON},
);
