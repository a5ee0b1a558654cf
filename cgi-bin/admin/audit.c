/*
 * audit.c - the audit trail of an organisation (its admins) and of a
 * territory (territory admins): who changed what and when, with the fields
 * that changed (before → after), filterable by kind of object, event, agent
 * and period, 50 rows a page, newest first.
 */
#include <string.h>

#include "admin.h"
#include "rdv.h"
#include "valid.h"

/* Shared by both pages: an organisation (org != 0) or a whole territory. */
static int audit_render(struct ctx *c, long long org, long long terr, const char *base)
{
	struct admin_pager p;
	admin_pager_init(c, &p);
	const char *type = admin_param(c, "item_type"), *event = admin_param(c, "event");
	const char *who = admin_param(c, "agent"), *from = admin_param(c, "from"), *to = admin_param(c, "to");
	int y, m, d;
	if (from[0] && valid_date(from, &y, &m, &d, NULL) != 0)
		from = "";
	if (to[0] && valid_date(to, &y, &m, &d, NULL) != 0)
		to = "";
	PGresult *r = db_q(c->db,
		"SELECT extract(epoch FROM au.at)::bigint, coalesce(ag.first_name || ' ' || ag.last_name, au.actor, 'Système'),"
		" au.item_type, coalesce(au.item_id::text, ''), au.event,"
		" (SELECT string_agg(k || ' : ' || coalesce(au.before ->> k, '∅') || ' → ' || coalesce(au.after ->> k, '∅'),"
		"   E'\\n' ORDER BY k) FROM (SELECT jsonb_object_keys(coalesce(au.before, '{}') || coalesce(au.after, '{}')) k) ks"
		"   WHERE (au.before -> k) IS DISTINCT FROM (au.after -> k)),"
		" coalesce(au.ip, ''), count(*) OVER ()"
		" FROM audit au LEFT JOIN agents ag ON ag.id = au.agent_id"
		" WHERE (($1::bigint IS NOT NULL AND au.organisation_id = $1) OR ($1::bigint IS NULL AND au.territory_id = $2))"
		" AND ($3 = '' OR au.item_type = $3) AND ($4 = '' OR au.event = $4)"
		" AND ($5 = '' OR rdv_fold(coalesce(ag.first_name || ' ' || ag.last_name || ' ' || ag.email, '')) LIKE '%' || rdv_fold($5) || '%')"
		" AND ($6 = '' OR au.at >= ($6::date)::timestamp AT TIME ZONE 'Europe/Paris')"
		" AND ($7 = '' OR au.at < ($7::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')"
		" ORDER BY au.at DESC, au.id DESC LIMIT 50 OFFSET $8",
		org ? db_int(c->a, org) : NULL, db_int(c->a, terr), type, event, who, from, to, db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "entries");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "when", admin_datetime(c, db_ll(r, i, 0)));
		tmpl_set_var(row, "who", db_val(r, i, 1));
		tmpl_set_var(row, "item_type", db_val(r, i, 2));
		tmpl_set_var(row, "item_id", db_val(r, i, 3));
		tmpl_set_var(row, "event", db_val(r, i, 4));
		tmpl_set_var(row, "changes", db_val(r, i, 5));
		tmpl_set_var(row, "ip", db_val(r, i, 6));
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 7) : 0;
	PQclear(r);
	static const char *const names[] = {"item_type", "event", "agent", "from", "to"};
	const char *vals[] = {type, event, who, from, to};
	for (int i = 0; i < 5; i++)
		tmpl_set_var(c->vars, arena_printf(c->a, "f_%s", names[i]), vals[i]);
	admin_pager_vars(c, &p, total, app_url(c, arena_printf(c->a, "%s?item_type=%s&event=%s&agent=%s&from=%s&to=%s&",
		base, admin_urlenc(c, type), admin_urlenc(c, event), admin_urlenc(c, who), from, to)));
	tmpl_set_var(c->vars, "audit_url", app_url(c, base));
	tmpl_set_var(c->vars, "title", "Historique des modifications");
	return app_render(c, 200, "admin/audit.tmpl");
}

static int org_audit(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	return audit_render(c, o.id, o.territory_id, arena_printf(c->a, "/admin/organisations/%lld/audit", o.id));
}

static int territory_audit(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	return audit_render(c, 0, t.id, arena_printf(c->a, "/admin/territories/%lld/audit", t.id));
}

ROUTE_TABLE(audit_routes,
	{HTTP_GET, "/admin/organisations/:org_id/audit", org_audit, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/audit", territory_audit, ROUTE_AGENT, 0},
);
