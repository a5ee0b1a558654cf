/*
 * organisations.c - the admin home (which organisations and territories I
 * administer), an organisation's page with its public booking link, editing
 * an organisation (its admins), creating one (territory admins).
 */
#include <string.h>

#include "admin.h"
#include "phone.h"
#include "rdv.h"
#include "valid.h"

#define NOT_ADMIN "Cette page est réservée aux administrateurs de l'organisation. " \
		  "Demandez à un administrateur de votre site de vous donner ce rôle si vous en avez besoin."

/* Territories where the agent is territory admin or holds a fine right. */
static int home_territories(struct ctx *c)
{
	PGresult *r = db_q(c->db,
		"SELECT t.id, t.name FROM territories t WHERE EXISTS (SELECT 1 FROM agent_territorial_roles"
		" WHERE agent_id = $1 AND territory_id = t.id) OR EXISTS (SELECT 1 FROM"
		" agent_territorial_access_rights WHERE agent_id = $1 AND territory_id = t.id AND"
		" (allow_to_invite_agents OR allow_to_manage_teams OR allow_to_manage_access_rights)) ORDER BY 2",
		db_int(c->a, c->agent_id));
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "territories");
	for (int i = 0; i < n; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
	}
	PQclear(r);
	return n;
}

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
	int n_terr = home_territories(c);
	if (n_terr < 0) {
		PQclear(r);
		return c->db->err;
	}
	if (n == 0 && n_terr == 0) {
		PQclear(r);
		return app_error(c, 403, NOT_ADMIN);
	}
	if (n == 1 && n_terr == 0) {
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

/* The public booking link: by external id when set (stable across
 * renumbering, as the reference /org/ext/:dept/:external_id), else by id. */
static void public_link_vars(struct ctx *c, long long org, const char *dept, const char *ext)
{
	const char *link = ext && ext[0]
		? arena_printf(c->a, "%s/org/ext/%s/%s", c->conf->public_url, dept, ext)
		: arena_printf(c->a, "%s/org/%lld", c->conf->public_url, org);
	tmpl_set_var(c->vars, "public_link", link);
}

static int organisation_show(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	PGresult *r = db_q(c->db,
		"SELECT o.name, coalesce(o.address, ''), coalesce(o.phone_number, ''), coalesce(o.email, ''),"
		" t.name, (SELECT count(*) FROM agent_roles WHERE organisation_id = o.id),"
		" (SELECT count(*) FROM lieux WHERE organisation_id = o.id AND availability = 'enabled'),"
		" (SELECT count(*) FROM motifs WHERE organisation_id = o.id AND deleted_at IS NULL),"
		" coalesce(o.website, ''), coalesce(o.horaires, ''), coalesce(o.external_id, ''), t.departement_number,"
		" (SELECT count(*) FROM motifs WHERE organisation_id = o.id AND deleted_at IS NULL"
		"   AND bookable_by <> 'agents')"
		" FROM organisations o JOIN territories t ON t.id = o.territory_id WHERE o.id = $1",
		db_int(c->a, o.id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	static const char *const names[] = {"name", "address", "phone_number", "email", "territory_name",
					    "agents_count", "lieux_count", "motifs_count", "website", "horaires",
					    "external_id"};
	for (int i = 0; i < 11; i++)
		tmpl_set_var(c->vars, names[i], db_val(r, 0, i));
	tmpl_set_var(c->vars, "online_motifs_count", db_val(r, 0, 12));
	public_link_vars(c, o.id, db_val(r, 0, 11), db_val(r, 0, 10));
	tmpl_set_var(c->vars, "title", db_val(r, 0, 0));
	PQclear(r);
	return app_render(c, 200, "admin/organisation.tmpl");
}

/* ------------------------------------------------------------------ form */

static const char *const org_fields[] = {"name", "phone_number", "email", "address", "website", "horaires",
					 "external_id", NULL};

static void form_values_from_request(struct ctx *c)
{
	for (int i = 0; org_fields[i]; i++)
		tmpl_set_var(c->vars, org_fields[i], admin_param(c, org_fields[i]));
}

/* Validates the posted organisation; values normalised into v[] (NULL = empty). */
static int org_validate(struct ctx *c, struct admin_form *f, const char *v[7])
{
	const char *msg;
	for (int i = 0; org_fields[i]; i++) {
		const char *s = admin_param(c, org_fields[i]);
		v[i] = s[0] ? s : NULL;
	}
	if (valid_required(v[0], &msg) != 0 || valid_length(v[0], 1, 200, &msg) != 0)
		admin_form_error(f, "name", v[0] ? msg : "Le nom de l'organisation est obligatoire.");
	if (v[1] != NULL) {
		char e164[PHONE_E164_SIZE], nat[PHONE_NATIONAL_SIZE];
		/* 4-digit short numbers (3949) are allowed for organisations, as the reference. */
		int shortnum = strlen(v[1]) == 4 && strspn(v[1], "0123456789") == 4;
		if (!shortnum && phone_normalize(v[1], e164, &msg) != 0) {
			admin_form_error(f, "phone_number", msg);
		} else if (!shortnum) {
			phone_format_national(e164, nat);
			v[1] = arena_strdup(c->a, nat);
		}
	}
	if (v[2] != NULL && valid_email(v[2], &msg) != 0)
		admin_form_error(f, "email", msg);
	if (v[4] != NULL && strncmp(v[4], "https://", 8) != 0 && strncmp(v[4], "http://", 7) != 0)
		admin_form_error(f, "website", "L'adresse du site doit commencer par https://.");
	if (v[6] != NULL && !admin_valid_slug(v[6]))
		admin_form_error(f, "external_id", "L'identifiant externe ne peut contenir que des lettres minuscules, "
						   "des chiffres et des tirets (64 caractères au plus).");
	for (int i = 3; i < 6; i++)
		if (v[i] != NULL && valid_length(v[i], 0, 2000, &msg) != 0)
			admin_form_error(f, org_fields[i], msg);
	admin_form_summary(f);
	return f->n_errors;
}

static int organisation_edit(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	PGresult *r = db_q(c->db,
		"SELECT name, coalesce(phone_number, ''), coalesce(email, ''), coalesce(address, ''),"
		" coalesce(website, ''), coalesce(horaires, ''), coalesce(external_id, '') FROM organisations WHERE id = $1",
		db_int(c->a, o.id));
	if (r == NULL)
		return c->db->err;
	for (int i = 0; org_fields[i] && PQntuples(r) == 1; i++)
		tmpl_set_var(c->vars, org_fields[i], db_val(r, 0, i));
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Modifier l'organisation");
	tmpl_set_var(c->vars, "form_action", app_url(c, arena_printf(c->a, "/admin/organisations/%lld", o.id)));
	return app_render(c, 200, "admin/organisation_form.tmpl");
}

static int conflict_or(struct ctx *c, struct admin_form *f, int rc)
{
	if (rc != RDV_ECONFLICT)
		return rc;
	if (strstr(c->db->constraint, "external") != NULL)
		admin_form_error(f, "external_id", "Cet identifiant externe est déjà utilisé dans le territoire.");
	else
		admin_form_error(f, "name", "Une organisation de ce nom existe déjà dans le territoire.");
	admin_form_summary(f);
	return 0;
}

static int organisation_update(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_form f = {c, 0};
	const char *v[7];
	tmpl_set_var(c->vars, "title", "Modifier l'organisation");
	tmpl_set_var(c->vars, "form_action", app_url(c, arena_printf(c->a, "/admin/organisations/%lld", o.id)));
	form_values_from_request(c);
	if (org_validate(c, &f, v))
		return app_render(c, 422, "admin/organisation_form.tmpl");
	const char *id = db_int(c->a, o.id);
	db_begin(c->db);
	char *before = db_s(c->db, c->a, "SELECT to_jsonb(o) FROM organisations o WHERE id = $1 FOR UPDATE", id);
	PGresult *r = db_q(c->db,
		"UPDATE organisations SET name = $2, phone_number = $3, email = $4, address = $5, website = $6,"
		" horaires = $7, external_id = $8 WHERE id = $1 RETURNING to_jsonb(organisations.*)",
		id, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	if (r == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		rc = conflict_or(c, &f, rc);
		return rc ? rc : app_render(c, 422, "admin/organisation_form.tmpl");
	}
	char *after = db_dup(c->a, r, 0, 0);
	PQclear(r);
	int rc = admin_audit(c, o.id, o.territory_id, "organisation", o.id, "update", before, after);
	return admin_commit_redirect(c, rc, "L'organisation a été modifiée.",
				     arena_printf(c->a, "/admin/organisations/%lld", o.id));
}

static int organisation_new(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	tmpl_set_var(c->vars, "title", "Nouvelle organisation");
	tmpl_set_var(c->vars, "form_action", app_url(c, arena_printf(c->a, "/admin/territories/%lld/organisations", t.id)));
	tmpl_set_bool(c->vars, "creating", 1);
	return app_render(c, 200, "admin/organisation_form.tmpl");
}

static int organisation_create(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	struct admin_form f = {c, 0};
	const char *v[7];
	tmpl_set_var(c->vars, "title", "Nouvelle organisation");
	tmpl_set_var(c->vars, "form_action", app_url(c, arena_printf(c->a, "/admin/territories/%lld/organisations", t.id)));
	tmpl_set_bool(c->vars, "creating", 1);
	form_values_from_request(c);
	if (org_validate(c, &f, v))
		return app_render(c, 422, "admin/organisation_form.tmpl");
	db_begin(c->db);
	PGresult *r = db_q(c->db,
		"INSERT INTO organisations (territory_id, name, phone_number, email, address, website, horaires,"
		" external_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, to_jsonb(organisations.*)",
		db_int(c->a, t.id), v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	if (r == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		rc = conflict_or(c, &f, rc);
		return rc ? rc : app_render(c, 422, "admin/organisation_form.tmpl");
	}
	long long id = db_ll(r, 0, 0);
	char *after = db_dup(c->a, r, 0, 1);
	PQclear(r);
	int rc = admin_audit(c, id, t.id, "organisation", id, "create", NULL, after);
	return admin_commit_redirect(c, rc, "L'organisation a été créée. Invitez maintenant son premier administrateur.",
				     arena_printf(c->a, "/admin/organisations/%lld/agents/new", id));
}

ROUTE_TABLE(organisation_routes,
	{HTTP_GET, "/admin/", admin_home, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id", organisation_show, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/edit", organisation_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id", organisation_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/organisations/new", organisation_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/organisations", organisation_create, ROUTE_AGENT, 0},
);
