/*
 * territory.c - a territory (département), for its admins and the holders of
 * fine territorial rights: home page, settings (optional usager fields, SMS
 * sender, cancellation deadline, reminder timing), the territory-wide agents
 * list, and each agent's territorial rights and territory-admin role.
 *
 * No escalation: only a territory admin makes someone territory admin; an
 * agent with "gérer les droits d'accès" grants only the rights they hold.
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "rdv.h"
#include "valid.h"

static const char *const toggles[] = {"enable_notes_field", "enable_caisse_affiliation_field",
	"enable_affiliation_number_field", "enable_family_situation_field", "enable_number_of_children_field",
	"enable_logement_field", "enable_case_number", "enable_address_details", "enable_context_field",
	"visible_users_throughout_the_territory", NULL};
static const char *const toggle_labels[] = {"Remarques sur l'usager", "Caisse d'affiliation", "Numéro d'allocataire",
	"Situation familiale", "Nombre d'enfants", "Logement", "Numéro de dossier", "Complément d'adresse",
	"Contexte du rendez-vous", "Usagers visibles dans tout le territoire", NULL};

static const char *terr_path(struct ctx *c, long long terr, const char *suffix)
{
	return arena_printf(c->a, "/admin/territories/%lld%s", terr, suffix);
}

static int territory_show(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_ANY))
		return 0;
	PGresult *r = db_q(c->db,
		"SELECT o.id, o.name, (SELECT count(*) FROM agent_roles WHERE organisation_id = o.id)"
		" FROM organisations o WHERE o.territory_id = $1 ORDER BY o.name", db_int(c->a, t.id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "organisations");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "agents", db_val(r, i, 2));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", t.name);
	return app_render(c, 200, "admin/territory.tmpl");
}

/* ------------------------------------------------------------- settings */

static int settings_render(struct ctx *c, const struct admin_territory *t, int status, int from_request)
{
	PGresult *r = db_q(c->db,
		"SELECT sms_sender_name, cancellation_deadline_hours, reminder_hours, coalesce(phone_number, ''),"
		" enable_notes_field, enable_caisse_affiliation_field, enable_affiliation_number_field,"
		" enable_family_situation_field, enable_number_of_children_field, enable_logement_field,"
		" enable_case_number, enable_address_details, enable_context_field, visible_users_throughout_the_territory"
		" FROM territories WHERE id = $1", db_int(c->a, t->id));
	if (r == NULL)
		return c->db->err;
	static const char *const names[] = {"sms_sender_name", "cancellation_deadline_hours", "reminder_hours", "phone_number"};
	for (int i = 0; i < 4; i++)
		tmpl_set_var(c->vars, names[i], from_request ? admin_param(c, names[i]) : db_val(r, 0, i));
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "toggles");
	for (int i = 0; toggles[i]; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "name", toggles[i]);
		tmpl_set_var(row, "label", toggle_labels[i]);
		tmpl_set_bool(row, "checked", from_request ? admin_checked(c, toggles[i]) : db_bool(r, 0, 4 + i));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Paramètres du territoire");
	return app_render(c, status, "admin/territory_settings.tmpl");
}

static int settings_edit(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	return settings_render(c, &t, 200, 0);
}

static int sms_sender_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 11)
		return 0;
	int letter = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
		letter |= alpha;
		if (!alpha && !(ch >= '0' && ch <= '9') && ch != ' ')
			return 0;
	}
	return letter;
}

static int settings_update(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	struct admin_form f = {c, 0};
	const char *sender = admin_param(c, "sms_sender_name");
	long long cancel, remind;
	if (!sms_sender_ok(sender))
		admin_form_error(&f, "sms_sender_name", "L'expéditeur des SMS : 1 à 11 caractères, lettres (sans accent), "
							"chiffres ou espaces, avec au moins une lettre.");
	if (valid_int(admin_param(c, "cancellation_deadline_hours"), 0, 168, &cancel, NULL) != 0)
		admin_form_error(&f, "cancellation_deadline_hours", "Le délai d'annulation est un nombre d'heures entre 0 et 168.");
	if (valid_int(admin_param(c, "reminder_hours"), 1, 336, &remind, NULL) != 0)
		admin_form_error(&f, "reminder_hours", "Le rappel est envoyé entre 1 et 336 heures avant le rendez-vous.");
	admin_form_summary(&f);
	if (f.n_errors)
		return settings_render(c, &t, 422, 1);
	const char *tid = db_int(c->a, t.id);
	db_begin(c->db);
	char *before = db_s(c->db, c->a, "SELECT to_jsonb(t) FROM territories t WHERE id = $1 FOR UPDATE", tid);
	const char *p[15] = {tid, sender, db_int(c->a, cancel), db_int(c->a, remind), admin_param(c, "phone_number")};
	for (int i = 0; toggles[i]; i++)
		p[5 + i] = admin_checked(c, toggles[i]) ? "true" : "false";
	char *after = NULL;
	PGresult *r = db_query(c->db,
		"UPDATE territories SET sms_sender_name = $2, cancellation_deadline_hours = $3::int, reminder_hours = $4::int,"
		" phone_number = nullif($5, ''), enable_notes_field = $6::boolean, enable_caisse_affiliation_field = $7::boolean,"
		" enable_affiliation_number_field = $8::boolean, enable_family_situation_field = $9::boolean,"
		" enable_number_of_children_field = $10::boolean, enable_logement_field = $11::boolean,"
		" enable_case_number = $12::boolean, enable_address_details = $13::boolean, enable_context_field = $14::boolean,"
		" visible_users_throughout_the_territory = $15::boolean WHERE id = $1 RETURNING to_jsonb(territories.*)", 15, p);
	if (r != NULL) {
		after = db_dup(c->a, r, 0, 0);
		PQclear(r);
	}
	int rc = after ? admin_audit(c, 0, t.id, "territory", t.id, "update", before, after) : c->db->err;
	return admin_commit_redirect(c, rc, "Les paramètres du territoire ont été enregistrés.",
				     terr_path(c, t.id, "/settings"));
}

/* --------------------------------------------------------------- agents */

static int agents_index(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_ANY))
		return 0;
	struct admin_pager p;
	admin_pager_init(c, &p);
	const char *q = admin_param(c, "q");
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name, a.last_name, coalesce(a.email::text, ''),"
		" string_agg(o.name || ' (' || ar.access_level || ')', ', ' ORDER BY o.name),"
		" EXISTS (SELECT 1 FROM agent_territorial_roles WHERE agent_id = a.id AND territory_id = $1), count(*) OVER ()"
		" FROM agents a JOIN agent_roles ar ON ar.agent_id = a.id JOIN organisations o ON o.id = ar.organisation_id"
		" WHERE o.territory_id = $1 AND a.deleted_at IS NULL"
		" AND ($2 = '' OR rdv_fold(a.first_name || ' ' || a.last_name || ' ' || coalesce(a.email::text, '')) LIKE '%' || rdv_fold($2) || '%')"
		" GROUP BY a.id ORDER BY a.last_name, a.first_name, a.id LIMIT 50 OFFSET $3",
		db_int(c->a, t.id), q, db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "agents");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		static const char *const names[] = {"id", "first_name", "last_name", "email", "roles"};
		for (int j = 0; j < 5; j++)
			tmpl_set_var(row, names[j], db_val(r, i, j));
		tmpl_set_bool(row, "territory_admin", db_bool(r, i, 5));
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 6) : 0;
	PQclear(r);
	tmpl_set_var(c->vars, "q", q);
	admin_pager_vars(c, &p, total, app_url(c, terr_path(c, t.id, arena_printf(c->a, "/agents?q=%s&", admin_urlenc(c, q)))));
	tmpl_set_var(c->vars, "title", "Agents du territoire");
	return app_render(c, 200, "admin/territory_agents.tmpl");
}

/* The agent :id, member of an organisation of the territory; vars set. */
static int member_of_territory(struct ctx *c, const struct admin_territory *t, long long *id)
{
	*id = route_id(&c->match, "id");
	PGresult *r = db_q(c->db,
		"SELECT a.first_name, a.last_name, coalesce(a.email::text, ''),"
		" EXISTS (SELECT 1 FROM agent_territorial_roles WHERE agent_id = a.id AND territory_id = $2),"
		" coalesce(x.allow_to_invite_agents, false), coalesce(x.allow_to_manage_teams, false),"
		" coalesce(x.allow_to_manage_access_rights, false), coalesce(x.allow_to_download_stats, false)"
		" FROM agents a LEFT JOIN agent_territorial_access_rights x ON x.agent_id = a.id AND x.territory_id = $2"
		" WHERE a.id = $1 AND a.deleted_at IS NULL AND EXISTS (SELECT 1 FROM agent_roles ar JOIN organisations o"
		"  ON o.id = ar.organisation_id WHERE ar.agent_id = a.id AND o.territory_id = $2)",
		db_int(c->a, *id), db_int(c->a, t->id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	static const char *const names[] = {"first_name", "last_name", "email"};
	for (int i = 0; i < 3; i++)
		tmpl_set_var(c->vars, names[i], db_val(r, 0, i));
	static const char *const rights[] = {"is_terr_admin", "r_invite", "r_teams", "r_rights", "r_stats"};
	for (int i = 0; i < 5; i++)
		tmpl_set_bool(c->vars, rights[i], db_bool(r, 0, 3 + i));
	tmpl_set_int(c->vars, "agent_id", *id);
	tmpl_set_var(c->vars, "title", arena_printf(c->a, "%s %s", db_val(r, 0, 0), db_val(r, 0, 1)));
	tmpl_set_var(c->vars, "crumb_parent", "Agents du territoire");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, terr_path(c, t->id, "/agents")));
	PQclear(r);
	return 0;
}

/* The territorial rights, in the order of the form and of member_of_territory's vars. */
static const struct {
	const char *id, *name, *label, *var;
} RIGHTS[] = {
	{"r1", "allow_to_invite_agents", "Inviter des agents", "r_invite"},
	{"r2", "allow_to_manage_teams", "Gérer les équipes", "r_teams"},
	{"r3", "allow_to_manage_access_rights", "Gérer les droits d'accès", "r_rights"},
	{"r4", "allow_to_download_stats", "Télécharger les statistiques", "r_stats"},
};
#define N_RIGHTS (int)(sizeof(RIGHTS) / sizeof(RIGHTS[0]))

/* The rights form's checkboxes: checked[i] as shown, the message next to right bad (-1: none). */
static void rights_form(struct ctx *c, const int checked[N_RIGHTS], int bad, const char *message)
{
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "rights");
	for (int i = 0; i < N_RIGHTS; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", RIGHTS[i].id);
		tmpl_set_var(row, "name", RIGHTS[i].name);
		tmpl_set_var(row, "label", RIGHTS[i].label);
		tmpl_set_bool(row, "checked", checked[i]);
		if (i == bad)
			tmpl_set_var(row, "error", message);
	}
}

/* The rights the agent holds (member_of_territory's vars). */
static void rights_held(struct ctx *c, int had[N_RIGHTS])
{
	for (int i = 0; i < N_RIGHTS; i++)
		had[i] = tmpl_get_var(c->vars, RIGHTS[i].var) != NULL;
}

/* The agent's page (rights_form done), the territory admin box checked or not. */
static int agent_render(struct ctx *c, int status, int terr_admin_checked)
{
	tmpl_set_bool(c->vars, "terr_admin_checked", terr_admin_checked);
	return app_render(c, status, "admin/territory_agent.tmpl");
}

static int is_terr_admin(struct ctx *c)
{
	return tmpl_get_var(c->vars, "is_terr_admin") != NULL;
}

static int agent_show(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_ANY))
		return 0;
	long long id;
	int rc = member_of_territory(c, &t, &id);
	if (rc != 0)
		return rc;
	int had[N_RIGHTS];
	rights_held(c, had);
	rights_form(c, had, -1, NULL);
	return agent_render(c, 200, is_terr_admin(c));
}

static int rights_update(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_MANAGE_ACCESS_RIGHTS))
		return 0;
	long long id;
	int rc = member_of_territory(c, &t, &id);
	if (rc != 0)
		return rc;
	int want[N_RIGHTS], had[N_RIGHTS];
	for (int i = 0; i < N_RIGHTS; i++)
		want[i] = admin_checked(c, RIGHTS[i].name);
	rights_held(c, had);
	int mine[N_RIGHTS] = {t.is_admin || t.can_invite, t.is_admin || t.can_teams, 1, t.is_admin || t.can_stats};
	for (int i = 0; i < N_RIGHTS; i++) {
		/* Granting or withdrawing a right one does not hold is refused: the form again, as posted. */
		if (want[i] != had[i] && !mine[i]) {
			rights_form(c, want, i, "Vous ne pouvez accorder ou retirer que les droits que vous détenez vous-même.");
			return agent_render(c, 422, is_terr_admin(c));
		}
	}
	const char *aid = db_int(c->a, id), *tid = db_int(c->a, t.id);
	db_begin(c->db);
	char *before = db_s(c->db, c->a, "SELECT to_jsonb(x) FROM agent_territorial_access_rights x WHERE agent_id = $1"
					 " AND territory_id = $2", aid, tid);
	char *after = db_s(c->db, c->a,
		"INSERT INTO agent_territorial_access_rights (agent_id, territory_id, allow_to_invite_agents,"
		" allow_to_manage_teams, allow_to_manage_access_rights, allow_to_download_stats)"
		" VALUES ($1, $2, $3::boolean, $4::boolean, $5::boolean, $6::boolean) ON CONFLICT (agent_id, territory_id) DO UPDATE"
		" SET allow_to_invite_agents = EXCLUDED.allow_to_invite_agents, allow_to_manage_teams = EXCLUDED.allow_to_manage_teams,"
		" allow_to_manage_access_rights = EXCLUDED.allow_to_manage_access_rights,"
		" allow_to_download_stats = EXCLUDED.allow_to_download_stats RETURNING to_jsonb(agent_territorial_access_rights.*)",
		aid, tid, want[0] ? "true" : "false", want[1] ? "true" : "false", want[2] ? "true" : "false",
		want[3] ? "true" : "false");
	rc = after ? admin_audit(c, 0, t.id, "agent_territorial_access_rights", id, "update", before, after) : c->db->err;
	return admin_commit_redirect(c, rc, "Les droits de l'agent sur le territoire ont été enregistrés.",
				     terr_path(c, t.id, arena_printf(c->a, "/agents/%lld", id)));
}

static int territory_admin_update(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	int rc = member_of_territory(c, &t, &id);
	if (rc != 0)
		return rc;
	int grant = admin_checked(c, "territory_admin");
	const char *path = terr_path(c, t.id, arena_printf(c->a, "/agents/%lld", id));
	if (!admin_checked(c, "confirm")) {
		struct tmpl_vars *row = tmpl_loop_add_row(tmpl_add_loop(c->vars, "hidden"));
		tmpl_set_var(row, "name", "territory_admin");
		tmpl_set_var(row, "value", grant ? "1" : "0");
		return admin_confirm(c, 200, grant ? "Nommer administrateur du territoire" : "Retirer l'administration du territoire",
				     grant ? "Cet agent pourra administrer toutes les organisations du territoire, la "
					     "sectorisation et les paramètres du département."
					   : "Cet agent n'administrera plus le territoire (ses rôles dans les organisations restent).",
				     arena_printf(c->a, "%s/territory_admin", path), "Confirmer", path);
	}
	const char *aid = db_int(c->a, id), *tid = db_int(c->a, t.id);
	db_begin(c->db);
	/* The territory keeps one admin: the last one cannot withdraw. */
	if (!grant) {
		char *n = db_s(c->db, c->a, "SELECT count(*) FROM agent_territorial_roles r JOIN agents a ON a.id = r.agent_id"
					    " WHERE r.territory_id = $1 AND a.deleted_at IS NULL AND r.agent_id <> $2", tid, aid);
		if (n != NULL && strcmp(n, "0") == 0) {
			db_rollback(c->db);
			int had[N_RIGHTS];
			rights_held(c, had);
			rights_form(c, had, -1, NULL);
			tmpl_set_field_error(c->vars, "territory_admin",
					     "C'est le dernier administrateur du territoire : nommez-en d'abord un autre.");
			return agent_render(c, 422, 0);   /* as posted: withdrawn */
		}
	}
	rc = grant ? db_x(c->db, "INSERT INTO agent_territorial_roles (agent_id, territory_id) VALUES ($1, $2)"
				 " ON CONFLICT DO NOTHING", aid, tid)
		   : db_x(c->db, "DELETE FROM agent_territorial_roles WHERE agent_id = $1 AND territory_id = $2", aid, tid);
	if (rc == 0)
		rc = admin_audit(c, 0, t.id, "agent_territorial_role", id, grant ? "create" : "destroy", NULL, NULL);
	return admin_commit_redirect(c, rc, grant ? "L'agent administre désormais le territoire."
						    : "L'agent n'administre plus le territoire.", path);
}

ROUTE_TABLE(territory_routes,
	{HTTP_GET, "/admin/territories/:terr_id", territory_show, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/settings", settings_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/settings", settings_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/agents", agents_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/agents/:id", agent_show, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/agents/:id/rights", rights_update, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/agents/:id/territory_admin", territory_admin_update, ROUTE_AGENT, 0},
);
