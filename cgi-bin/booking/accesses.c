/*
 * accesses.c - « Partage d'agenda »: who can see an agent's agenda in the
 * organisation — by the organisation's rule (admins, Secrétariat, same
 * service: listed, read-only) and by explicit grants (agenda_accesses) — and
 * granting a colleague of the territory busy / read / write, or revoking.
 *
 * Agents manage their own agenda; the organisation's admins manage any agenda
 * of the organisation (owner chosen with ?owner_id= / the owner_id field).
 * The rule itself is policy's (lib/policy, migration 0005); every change is
 * written with its audit row in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "booking.h"
#include "rdv.h"
#include "tz.h"

#define DEFAULT_LIST_MAX 200   /* the rule's viewers shown on the page (big organisations) */

struct access_page {
	long long org;
	long long territory;
	long long owner;
	enum org_role role;
};

/* A positive id from a query or form value; 0 when absent, -1 when malformed. */
static long long parse_id(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return 0;
	if (strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return -1;
	long long v = strtoll(s, NULL, 10);
	return v > 0 ? v : -1;
}

/* The organisation (404 without a role), the agenda's owner (self unless an
 * admin names another agent of the organisation) and the right to manage it. */
static int access_context(struct ctx *c, struct access_page *p)
{
	int rc = booking_org(c, &p->org, &p->role);
	if (rc != 0)
		return rc;
	const char *t = tmpl_get_var(c->vars, "territory_id");
	p->territory = t ? strtoll(t, NULL, 10) : 0;
	long long owner = parse_id(http_param(&c->req, "owner_id"));
	if (owner < 0)
		return RDV_ENOTFOUND;
	p->owner = owner ? owner : c->agent_id;
	return policy_require_grant_manager(c->db, c->agent_id, p->owner, p->org);
}

static const char *page_path(struct ctx *c, const struct access_page *p)
{
	if (p->owner == c->agent_id)
		return arena_printf(c->a, "/agent/organisations/%lld/agenda_accesses", p->org);
	return arena_printf(c->a, "/agent/organisations/%lld/agenda_accesses?owner_id=%lld", p->org, p->owner);
}

/* Admins choose whose agenda they manage among the organisation's agents. */
static int add_owner_choices(struct ctx *c, const struct access_page *p)
{
	if (p->role != ROLE_ADMIN)
		return 0;
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name, a.last_name FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL ORDER BY a.last_name, a.first_name, a.id",
		db_int(c->a, p->org));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "owners");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_varf(row, "name", "%s %s", db_val(r, i, 1), db_val(r, i, 2));
		tmpl_set_bool(row, "selected", db_ll(r, i, 0) == p->owner);
	}
	PQclear(r);
	return 0;
}

/* Who sees the agenda by the organisation's rule. The reasons mirror the
 * default branches of agenda_access_level (0005): admin, Secrétariat, a
 * shared service; tests/http/test_accesses.c checks both agree. */
static int add_default_viewers(struct ctx *c, const struct access_page *p)
{
	PGresult *r = db_q(c->db,
		"SELECT first_name, last_name, reason, count(*) OVER () FROM ("
		" SELECT a.first_name, a.last_name,"
		"  CASE WHEN ar.access_level = 'admin' THEN 'Administrateur de l''organisation'"
		"   WHEN ar.access_level = 'basic' AND EXISTS (SELECT 1 FROM agent_services vs"
		"    JOIN services s ON s.id = vs.service_id WHERE vs.agent_id = a.id AND s.name = 'Secrétariat')"
		"    THEN 'Secrétariat'"
		"   WHEN ar.access_level = 'basic' AND EXISTS (SELECT 1 FROM agent_services vs"
		"    JOIN agent_services os ON os.service_id = vs.service_id WHERE vs.agent_id = a.id AND os.agent_id = $1)"
		"    THEN 'Même service' END AS reason"
		" FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" WHERE ar.organisation_id = $2 AND a.id <> $1 AND a.deleted_at IS NULL) v"
		" WHERE reason IS NOT NULL ORDER BY last_name, first_name LIMIT $3",
		db_int(c->a, p->owner), db_int(c->a, p->org), db_int(c->a, DEFAULT_LIST_MAX));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "default_viewers");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_varf(row, "name", "%s %s", db_val(r, i, 0), db_val(r, i, 1));
		tmpl_set_var(row, "reason", db_val(r, i, 2));
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 3) : 0;
	if (total > PQntuples(r))
		tmpl_set_int(c->vars, "default_more", total - PQntuples(r));
	PQclear(r);
	return 0;
}

/* The explicit grants on the owner's agenda, with the grantee's
 * organisations in the territory. */
static int add_grants(struct ctx *c, const struct access_page *p)
{
	PGresult *r = db_q(c->db,
		"SELECT g.grantee_agent_id, a.first_name, a.last_name, g.level::text,"
		" extract(epoch FROM g.created_at)::bigint,"
		" (SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM agent_roles ar"
		"   JOIN organisations o ON o.id = ar.organisation_id WHERE ar.agent_id = a.id AND o.territory_id = $2)"
		" FROM agenda_accesses g JOIN agents a ON a.id = g.grantee_agent_id"
		" WHERE g.owner_agent_id = $1 ORDER BY a.last_name, a.first_name, a.id",
		db_int(c->a, p->owner), db_int(c->a, p->territory));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "grants");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		char day[64];
		tz_format_fr_date(db_ll(r, i, 4), day, sizeof(day));
		tmpl_set_var(row, "grantee_id", db_val(r, i, 0));
		tmpl_set_varf(row, "name", "%s %s", db_val(r, i, 1), db_val(r, i, 2));
		tmpl_set_var(row, "level", db_val(r, i, 3));
		tmpl_set_var(row, "level_label", policy_agenda_level_label(policy_agenda_level_parse(db_val(r, i, 3))));
		tmpl_set_var(row, "since", day);
		tmpl_set_var(row, "orgs", db_val(r, i, 5));
	}
	PQclear(r);
	return 0;
}

/* Colleagues who may receive a grant: admin or basic agents of the
 * territory's organisations, but the owner. */
static int add_colleagues(struct ctx *c, const struct access_page *p, long long selected)
{
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name, a.last_name, string_agg(DISTINCT o.name, ', ')"
		" FROM agents a JOIN agent_roles ar ON ar.agent_id = a.id AND ar.access_level <> 'intervenant'"
		" JOIN organisations o ON o.id = ar.organisation_id"
		" WHERE o.territory_id = $2 AND a.id <> $1 AND a.deleted_at IS NULL"
		" GROUP BY a.id ORDER BY a.last_name, a.first_name, a.id",
		db_int(c->a, p->owner), db_int(c->a, p->territory));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *loop = tmpl_add_loop(c->vars, "colleagues");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_varf(row, "name", "%s %s (%s)", db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3));
		tmpl_set_bool(row, "selected", db_ll(r, i, 0) == selected);
	}
	PQclear(r);
	return 0;
}

/* The page; a refused grant's error on top and next to field (its id). */
static int render_page(struct ctx *c, const struct access_page *p, int status, const char *error, const char *field)
{
	PGresult *r = db_q(c->db, "SELECT first_name, last_name FROM agents WHERE id = $1", db_int(c->a, p->owner));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) == 1)
		tmpl_set_varf(c->vars, "owner_name", "%s %s", db_val(r, 0, 0), db_val(r, 0, 1));
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Partage d'agenda");
	tmpl_set_int(c->vars, "owner_id", p->owner);
	tmpl_set_bool(c->vars, "own_agenda", p->owner == c->agent_id);
	tmpl_set_var(c->vars, "error", error);
	tmpl_set_field_error(c->vars, field, error);
	long long selected = parse_id(http_param(&c->req, "grantee_id"));
	const char *level = http_param(&c->req, "level");
	tmpl_set_var(c->vars, "level", level && policy_agenda_level_parse(level) != AGENDA_NONE ? level : "read");
	int rc = add_owner_choices(c, p);
	if (rc == 0)
		rc = add_default_viewers(c, p);
	if (rc == 0)
		rc = add_grants(c, p);
	if (rc == 0)
		rc = add_colleagues(c, p, selected);
	return rc != 0 ? rc : app_render(c, status, "booking/accesses.tmpl");
}

/* GET /agent/organisations/:org_id/agenda_accesses[?owner_id=] */
static int accesses_index(struct ctx *c)
{
	struct access_page p;
	int rc = access_context(c, &p);
	return rc != 0 ? rc : render_page(c, &p, 200, NULL, NULL);
}

/* The grant and its audit row, in one transaction. */
struct grant_change {
	const struct access_page *p;
	long long actor, grantee;
	const char *level;     /* NULL: revoke */
	const char *ip;
	int found;             /* revoke: a grant existed */
};

static int grant_write(struct db *db, void *arg)
{
	struct grant_change *g = arg;
	struct arena *a = arena_new(1024);
	if (a == NULL)
		return RDV_ENOMEM;
	const char *owner = db_int(a, g->p->owner), *grantee = db_int(a, g->grantee);
	PGresult *r = g->level
		? db_q(db,
		       "WITH old AS (SELECT to_jsonb(x) AS j FROM agenda_accesses x"
		       "              WHERE owner_agent_id = $1 AND grantee_agent_id = $2),"
		       " up AS (INSERT INTO agenda_accesses (owner_agent_id, grantee_agent_id, level, granted_by_id)"
		       "        VALUES ($1, $2, $3::agenda_access_level, $4)"
		       "        ON CONFLICT (owner_agent_id, grantee_agent_id)"
		       "        DO UPDATE SET level = EXCLUDED.level, granted_by_id = EXCLUDED.granted_by_id"
		       "        RETURNING to_jsonb(agenda_accesses.*) AS j)"
		       " SELECT (SELECT j FROM old)::text, (SELECT j FROM up)::text",
		       owner, grantee, g->level, db_int(a, g->actor))
		: db_q(db,
		       "DELETE FROM agenda_accesses WHERE owner_agent_id = $1 AND grantee_agent_id = $2"
		       " RETURNING to_jsonb(agenda_accesses.*)::text, NULL::text",
		       owner, grantee);
	int rc = r ? 0 : db->err;
	g->found = r && PQntuples(r) == 1;
	if (rc == 0 && g->found) {
		const char *before = db_val(r, 0, 0), *after = db_val(r, 0, 1);
		rc = audit_log(db, a, &(struct audit_entry){
			.agent_id = g->actor, .organisation_id = g->p->org, .territory_id = g->p->territory,
			.item_type = "agenda_access", .item_id = g->p->owner,
			.event = after == NULL ? "destroy" : before == NULL ? "create" : "update",
			.before_json = before, .after_json = after, .ip = g->ip});
	}
	PQclear(r);
	arena_free(a);
	return rc;
}

static const char *agent_name(struct ctx *c, long long id)
{
	return db_s(c->db, c->a, "SELECT first_name || ' ' || last_name FROM agents WHERE id = $1", db_int(c->a, id));
}

/* POST /agent/organisations/:org_id/agenda_accesses: grant or change. */
static int accesses_create(struct ctx *c)
{
	struct access_page p;
	int rc = access_context(c, &p);
	if (rc != 0)
		return rc;
	long long grantee = parse_id(http_param(&c->req, "grantee_id"));
	const char *level = http_param(&c->req, "level");
	if (grantee <= 0)
		return render_page(c, &p, 422, "Choisissez l'agent à qui donner accès.", "grantee_id");
	if (policy_agenda_level_parse(level) == AGENDA_NONE)
		return render_page(c, &p, 422, "Choisissez le niveau d'accès : occupé / libre, lecture, ou lecture et écriture.",
				   "niveau");
	if (grantee == p.owner)
		return render_page(c, &p, 422, "Un agent a déjà accès à son propre agenda.", "grantee_id");
	if (!policy_is_territory_colleague(c->db, grantee, p.org) ||
	    db_s(c->db, c->a, "SELECT 1 FROM agents WHERE id = $1 AND deleted_at IS NULL", db_int(c->a, grantee)) == NULL)
		return render_page(c, &p, 422, "Cet agent ne fait pas partie des organisations du territoire.", "grantee_id");
	struct grant_change g = {.p = &p, .actor = c->agent_id, .grantee = grantee, .level = level,
				 .ip = app_client_ip(c)};
	rc = db_transaction(c->db, grant_write, &g);
	if (rc != 0)
		return rc;
	const char *name = agent_name(c, grantee);
	app_flash(c, "success", arena_printf(c->a, "%s a désormais l'accès « %s » à l'agenda.", name ? name : "L'agent",
					     policy_agenda_level_label(policy_agenda_level_parse(level))));
	return app_redirect(c, page_path(c, &p));
}

/* POST /agent/organisations/:org_id/agenda_accesses/:grantee_id/delete */
static int accesses_destroy(struct ctx *c)
{
	struct access_page p;
	int rc = access_context(c, &p);
	if (rc != 0)
		return rc;
	struct grant_change g = {.p = &p, .actor = c->agent_id, .grantee = route_id(&c->match, "grantee_id"),
				 .ip = app_client_ip(c)};
	rc = db_transaction(c->db, grant_write, &g);
	if (rc != 0)
		return rc;
	if (!g.found)
		return RDV_ENOTFOUND;
	const char *name = agent_name(c, g.grantee);
	app_flash(c, "success", arena_printf(c->a, "L'accès de %s à l'agenda a été retiré.", name ? name : "l'agent"));
	return app_redirect(c, page_path(c, &p));
}

ROUTE_TABLE(access_routes,
	{HTTP_GET, "/agent/organisations/:org_id/agenda_accesses", accesses_index, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/agenda_accesses", accesses_create, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/agenda_accesses/:grantee_id/delete", accesses_destroy, ROUTE_AGENT, 0},
);
