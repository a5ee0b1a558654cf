/*
 * common.c - what every agent page needs: the current organisation (checked
 * against the signed-in agent's roles) and the main menu.
 */
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "rdv.h"

/* The agent's role in org: loaded with its session when org is the page's
 * (auth_agent_context, no round trip of its own), else asked. 0 and the
 * level (NULL: no role), name and territory in the arena, or a db error. */
static int booking_role(struct ctx *c, long long org, const char **level, const char **name, long long *territory)
{
	if (org > 0 && c->session.org_id == org && c->session.agent_id == c->agent_id) {
		*level = c->session.org_level;
		*name = c->session.org_name;
		*territory = c->session.org_territory_id;
		return 0;
	}
	PGresult *r = db_q(c->db,
		"SELECT o.name, ar.access_level, o.territory_id FROM agent_roles ar"
		" JOIN organisations o ON o.id = ar.organisation_id"
		" WHERE ar.agent_id = $1 AND ar.organisation_id = $2",
		db_int(c->a, c->agent_id), db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	int found = PQntuples(r) == 1;
	*name = found ? db_dup(c->a, r, 0, 0) : NULL;
	*level = found ? db_dup(c->a, r, 0, 1) : NULL;
	*territory = found ? db_ll(r, 0, 2) : 0;
	PQclear(r);
	return 0;
}

int booking_org(struct ctx *c, long long *org_id, enum org_role *role)
{
	long long org = route_id(&c->match, "org_id"), territory = 0;
	const char *lvl = NULL, *name = NULL;
	int rc = booking_role(c, org, &lvl, &name, &territory);
	if (rc != 0)
		return rc;
	if (lvl == NULL)
		return RDV_ENOTFOUND;
	*role = strcmp(lvl, "admin") == 0 ? ROLE_ADMIN : strcmp(lvl, "basic") == 0 ? ROLE_BASIC : ROLE_INTERVENANT;
	*org_id = org;
	tmpl_set_int(c->vars, "org_id", org);
	tmpl_set_var(c->vars, "org_name", name);
	tmpl_set_int(c->vars, "territory_id", territory);
	tmpl_set_bool(c->vars, "is_admin", *role == ROLE_ADMIN);
	booking_nav(c);
	return 0;
}

long long booking_first_org(struct ctx *c)
{
	char *id = db_s(c->db, c->a,
		"SELECT o.id FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id"
		" WHERE ar.agent_id = $1 ORDER BY o.name LIMIT 1", db_int(c->a, c->agent_id));
	return id ? strtoll(id, NULL, 10) : 0;
}

void booking_nav(struct ctx *c)
{
	if (c->agent_id == 0)
		return;
	long long org = route_id(&c->match, "org_id");
	if (org == 0)
		org = booking_first_org(c);
	if (org == 0)
		return;
	static const struct { const char *label, *suffix; } items[] = {
		{"Agenda", "agenda"},
		{"Rendez-vous", "rdvs"},
		{"Trouver un créneau", "creneaux"},
		{"Usagers", "usagers"},
		{"Plages d'ouverture", "plages_ouverture"},
		{"Absences", "absences"},
		{"Mes usagers", "mes_usagers"},
	};
	struct tmpl_loop *nav = tmpl_add_loop(c->vars, "nav");
	if (tmpl_loop_rows(nav) > 0)
		return;   /* already built for this page */
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		const char *href = arena_printf(c->a, "%s/agent/organisations/%lld/%s", c->conf->base_path,
						org, items[i].suffix);
		struct tmpl_vars *row = tmpl_loop_add_row(nav);
		tmpl_set_var(row, "href", href);
		tmpl_set_var(row, "label", items[i].label);
		tmpl_set_bool(row, "current", c->path != NULL && strstr(c->path, items[i].suffix) != NULL &&
					      strncmp(c->path, href + strlen(c->conf->base_path), strlen(href) - strlen(c->conf->base_path)) == 0);
	}
	/* the other programs' pages of the same organisation */
	static const struct { const char *label, *fmt; } more[] = {
		{"Exports", "%s/export/organisations/%lld"},
		{"Statistiques", "%s/export/organisations/%lld/stats"},
	};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(nav);
		tmpl_set_var(row, "href", arena_printf(c->a, more[i].fmt, c->conf->base_path, org));
		tmpl_set_var(row, "label", more[i].label);
	}
	/* the agent's own pages, whatever the organisation */
	static const struct { const char *label, *path; } mine[] = {
		{"Synchroniser mon agenda", "/agent/calendar_sync"},
		{"Mon profil", "/agent/profile"},
	};
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(nav);
		tmpl_set_var(row, "href", app_url(c, mine[i].path));
		tmpl_set_var(row, "label", mine[i].label);
		tmpl_set_bool(row, "current", c->path != NULL && strcmp(c->path, mine[i].path) == 0);
	}
}
