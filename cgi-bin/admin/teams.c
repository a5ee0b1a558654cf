/*
 * teams.c - the teams ("équipes") of a territory: groups of agents across
 * its organisations. List, create, edit (name and members chosen among the
 * territory's agents), delete after a confirmation step.
 *
 * Access: territory admins, or agents holding "gérer les équipes" on the
 * territory (admin_territory with RIGHT_MANAGE_TEAMS). Every write is
 * audited with the team before / after (name and member ids).
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "rdv.h"
#include "valid.h"

#define MAX_MEMBERS 2000

/* The team as audited: id, territory, name, sorted member ids. */
#define TEAM_JSON \
	"SELECT jsonb_build_object('id', t.id, 'territory_id', t.territory_id, 'name', t.name, 'agent_ids'," \
	" coalesce((SELECT jsonb_agg(agent_id ORDER BY agent_id) FROM agent_teams WHERE team_id = t.id), '[]'::jsonb))" \
	" FROM teams t WHERE t.id = $1"

/* An agent of the territory: not deleted, with a role in one of its organisations. */
#define IN_TERRITORY(a, terr) \
	"EXISTS (SELECT 1 FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id" \
	" WHERE ar.agent_id = " a " AND o.territory_id = " terr ")"

static const char *teams_path(struct ctx *c, long long terr, const char *suffix)
{
	return arena_printf(c->a, "/admin/territories/%lld/teams%s", terr, suffix);
}

static void crumb(struct ctx *c, const struct admin_territory *t)
{
	tmpl_set_var(c->vars, "crumb_parent", "Équipes");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, teams_path(c, t->id, "")));
}

/* ----------------------------------------------------------------- list */

static int teams_index(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_TEAMS))
		return 0;
	struct admin_pager p;
	admin_pager_init(c, &p);
	PGresult *r = db_q(c->db,
		"SELECT tm.id, tm.name, count(a.id),"
		" coalesce(string_agg(a.first_name || ' ' || a.last_name, ', ' ORDER BY a.last_name, a.first_name), ''),"
		" count(*) OVER ()"
		" FROM teams tm LEFT JOIN agent_teams at ON at.team_id = tm.id"
		" LEFT JOIN agents a ON a.id = at.agent_id AND a.deleted_at IS NULL"
		" WHERE tm.territory_id = $1 GROUP BY tm.id ORDER BY tm.name, tm.id LIMIT 50 OFFSET $2",
		db_int(c->a, t.id), db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "teams");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "members_count", db_val(r, i, 2));
		tmpl_set_var(row, "members", db_val(r, i, 3));
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 4) : 0;
	PQclear(r);
	admin_pager_vars(c, &p, total, app_url(c, teams_path(c, t.id, "?")));
	tmpl_set_var(c->vars, "title", "Équipes");
	return app_render(c, 200, "admin/teams.tmpl");
}

/* ----------------------------------------------------------------- form */

/* The posted members as a bigint[] parameter ("{}" when none), or NULL when
 * one is not an id or there are too many. */
static const char *members_param(struct ctx *c)
{
	size_t n;
	return admin_ids_param(c, "agent_ids", MAX_MEMBERS, &n);
}

/* The form: name and the territory's agents as checkboxes, checked from
 * the request (from_request) or from the team (team_id, 0 for a new one). */
static int form_render(struct ctx *c, const struct admin_territory *t, long long team_id, int status, int from_request)
{
	const char *members = from_request ? members_param(c) : NULL;
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name, a.last_name, coalesce(a.email::text, ''),"
		" string_agg(DISTINCT o.name, ', '),"
		" CASE WHEN $3::bigint[] IS NULL THEN EXISTS (SELECT 1 FROM agent_teams WHERE team_id = $2 AND agent_id = a.id)"
		"      ELSE a.id = ANY ($3::bigint[]) END"
		" FROM agents a JOIN agent_roles ar ON ar.agent_id = a.id JOIN organisations o ON o.id = ar.organisation_id"
		" WHERE o.territory_id = $1 AND a.deleted_at IS NULL"
		" GROUP BY a.id ORDER BY a.last_name, a.first_name, a.id",
		db_int(c->a, t->id), db_int(c->a, team_id), members);
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "agents");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		static const char *const names[] = {"id", "first_name", "last_name", "email", "organisations"};
		for (int j = 0; j < 5; j++)
			tmpl_set_var(row, names[j], db_val(r, i, j));
		tmpl_set_bool(row, "checked", db_bool(r, i, 5));
	}
	PQclear(r);
	crumb(c, t);
	if (team_id) {
		tmpl_set_int(c->vars, "team_id", team_id);
		tmpl_set_var(c->vars, "form_action", app_url(c, teams_path(c, t->id, arena_printf(c->a, "/%lld", team_id))));
		tmpl_set_var(c->vars, "submit_label", "Enregistrer");
	} else {
		tmpl_set_var(c->vars, "title", "Nouvelle équipe");
		tmpl_set_var(c->vars, "form_action", app_url(c, teams_path(c, t->id, "")));
		tmpl_set_var(c->vars, "submit_label", "Créer l'équipe");
	}
	if (from_request)
		tmpl_set_var(c->vars, "name", admin_param(c, "name"));
	return app_render(c, status, "admin/teams_form.tmpl");
}

/* Checks the posted name and members; *members the array literal. */
static int team_validate(struct ctx *c, const struct admin_territory *t, struct admin_form *f, const char **name,
			 const char **members)
{
	const char *msg;
	*name = admin_param(c, "name");
	*members = members_param(c);
	if ((*name)[0] == '\0')
		admin_form_error(f, "name", "Le nom de l'équipe est obligatoire.");
	else if (valid_length(*name, 1, 200, &msg) != 0)
		admin_form_error(f, "name", "Le nom de l'équipe fait 200 caractères au plus.");
	if (*members == NULL) {
		admin_form_error(f, "members", "La liste des membres est invalide.");
	} else {
		char *bad = db_s(c->db, c->a,
			"SELECT count(DISTINCT x) FROM unnest($1::bigint[]) x WHERE NOT EXISTS (SELECT 1 FROM agents a"
			" WHERE a.id = x AND a.deleted_at IS NULL AND " IN_TERRITORY("a.id", "$2") ")",
			*members, db_int(c->a, t->id));
		if (bad == NULL)
			return -1;
		if (strcmp(bad, "0") != 0)
			admin_form_error(f, "members", "Les membres d'une équipe sont choisis parmi les agents du territoire.");
	}
	admin_form_summary(f);
	return f->n_errors;
}

/* Sets the members of team id to the array literal (agents of the territory). */
static int members_save(struct ctx *c, long long id, long long terr, const char *members)
{
	const char *tid = db_int(c->a, id);
	int rc = db_x(c->db, "DELETE FROM agent_teams WHERE team_id = $1 AND agent_id <> ALL ($2::bigint[])", tid, members);
	if (rc == 0)
		rc = db_x(c->db,
			"INSERT INTO agent_teams (team_id, agent_id) SELECT $1, a.id FROM agents a"
			" WHERE a.id = ANY ($2::bigint[]) AND a.deleted_at IS NULL AND " IN_TERRITORY("a.id", "$3")
			" ON CONFLICT DO NOTHING", tid, members, db_int(c->a, terr));
	return rc;
}

static int duplicate_name(struct ctx *c, const struct admin_territory *t, struct admin_form *f, long long team_id)
{
	admin_form_error(f, "name", "Une équipe du territoire porte déjà ce nom.");
	admin_form_summary(f);
	return form_render(c, t, team_id, 422, 1);
}

static int team_new(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_TEAMS))
		return 0;
	return form_render(c, &t, 0, 200, 0);
}

static int team_create(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_TEAMS))
		return 0;
	struct admin_form f = {c, 0};
	const char *name, *members;
	int n = team_validate(c, &t, &f, &name, &members);
	if (n < 0)
		return c->db->err;
	if (n > 0)
		return form_render(c, &t, 0, 422, 1);
	db_begin(c->db);
	char *ids = db_s(c->db, c->a, "INSERT INTO teams (territory_id, name) VALUES ($1, $2) RETURNING id",
			 db_int(c->a, t.id), name);
	if (ids == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		return rc == RDV_ECONFLICT ? duplicate_name(c, &t, &f, 0) : rc;
	}
	long long id = strtoll(ids, NULL, 10);
	int rc = members_save(c, id, t.id, members);
	char *after = rc == 0 ? db_s(c->db, c->a, TEAM_JSON, ids) : NULL;
	if (rc == 0)
		rc = after ? admin_audit(c, 0, t.id, "team", id, "create", NULL, after) : c->db->err;
	if (rc == 0)
		rc = db_commit(c->db);
	else
		db_rollback(c->db);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "L'équipe a été créée.");
	return app_redirect(c, teams_path(c, t.id, ""));
}

/* The team :id of the territory: its name (title set), or NULL (404). */
static const char *team_load(struct ctx *c, const struct admin_territory *t, long long *id)
{
	*id = route_id(&c->match, "id");
	char *name = db_s(c->db, c->a, "SELECT name FROM teams WHERE id = $1 AND territory_id = $2",
			  db_int(c->a, *id), db_int(c->a, t->id));
	if (name != NULL) {
		tmpl_set_var(c->vars, "title", arena_printf(c->a, "Équipe « %s »", name));
		tmpl_set_var(c->vars, "team_name", name);
		tmpl_set_var(c->vars, "name", name);
	}
	return name;
}

static int team_edit(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_TEAMS))
		return 0;
	long long id;
	if (team_load(c, &t, &id) == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	return form_render(c, &t, id, 200, 0);
}

static int team_update(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_TEAMS))
		return 0;
	long long id;
	if (team_load(c, &t, &id) == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	struct admin_form f = {c, 0};
	const char *name, *members;
	int n = team_validate(c, &t, &f, &name, &members);
	if (n < 0)
		return c->db->err;
	if (n > 0)
		return form_render(c, &t, id, 422, 1);
	const char *ids = db_int(c->a, id);
	db_begin(c->db);
	char *before = db_s(c->db, c->a, TEAM_JSON " FOR UPDATE OF t", ids);
	if (before == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		return rc ? rc : RDV_ENOTFOUND;
	}
	int rc = db_x(c->db, "UPDATE teams SET name = $2 WHERE id = $1", ids, name);
	if (rc == RDV_ECONFLICT) {
		db_rollback(c->db);
		return duplicate_name(c, &t, &f, id);
	}
	if (rc == 0)
		rc = members_save(c, id, t.id, members);
	char *after = rc == 0 ? db_s(c->db, c->a, TEAM_JSON, ids) : NULL;
	if (rc == 0)
		rc = after ? admin_audit(c, 0, t.id, "team", id, "update", before, after) : c->db->err;
	if (rc == 0)
		rc = db_commit(c->db);
	else
		db_rollback(c->db);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "L'équipe a été enregistrée.");
	return app_redirect(c, teams_path(c, t.id, ""));
}

/* --------------------------------------------------------------- delete */

static int team_delete(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_TEAMS))
		return 0;
	long long id;
	const char *name = team_load(c, &t, &id);
	if (name == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	const char *path = teams_path(c, t.id, arena_printf(c->a, "/%lld", id));
	if (c->req.method != HTTP_POST || !admin_checked(c, "confirm")) {
		crumb(c, &t);
		char *n = db_s(c->db, c->a, "SELECT count(*) FROM agent_teams WHERE team_id = $1", db_int(c->a, id));
		return admin_confirm(c, 200, arena_printf(c->a, "Supprimer l'équipe « %s »", name),
				     arena_printf(c->a, "L'équipe sera supprimée. Ses membres (%s) restent agents de leurs "
							"organisations ; seul ce regroupement disparaît.", n ? n : "0"),
				     arena_printf(c->a, "%s/delete", path), "Supprimer l'équipe", path);
	}
	const char *ids = db_int(c->a, id);
	db_begin(c->db);
	char *before = db_s(c->db, c->a, TEAM_JSON " FOR UPDATE OF t", ids);
	int rc = before ? db_x(c->db, "DELETE FROM teams WHERE id = $1", ids) : (c->db->err ? c->db->err : RDV_ENOTFOUND);
	if (rc == 0)
		rc = admin_audit(c, 0, t.id, "team", id, "destroy", before, NULL);
	if (rc == 0)
		rc = db_commit(c->db);
	else
		db_rollback(c->db);
	if (rc != 0)
		return rc;
	app_flash(c, "success", arena_printf(c->a, "L'équipe « %s » a été supprimée.", name));
	return app_redirect(c, teams_path(c, t.id, ""));
}

ROUTE_TABLE(team_routes,
	{HTTP_GET, "/admin/territories/:terr_id/teams", teams_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/teams/new", team_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/teams", team_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/teams/:id", team_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/teams/:id", team_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/teams/:id/delete", team_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/teams/:id/delete", team_delete, ROUTE_AGENT, 0},
);
